"""The pictures in a report page's body: archived with the report, for OCR.

Many bodies -- townships above all -- publish their statistics tables as a
screenshot of the Excel sheet, pasted into the report page (``<img
src="/u/cms/…/工作簿1_Sheet1.png">``). The parse stage can read those only if
the crawl kept them, so a report page's images are fetched with it and
recorded as its attachments (role ``image``), like its PDF or DOCX files.

Which images: ``<img>`` elements inside the block that holds the report's
text (where a page has such a block), that are not the site's chrome --
not inside a header, footer or navigation block, not named or classed like a
logo, banner, icon, button or QR code, not linking to the home page, not
declared smaller than :data:`MIN_SIDE` pixels or as a wide banner, not inline ``data:`` images (their bytes are in the
page already) -- at most ``limit`` per report, on the site's own hosts. The
parse stage decides which of them to read (the ones inside the report's main
text, when its tables are missing); the crawl only keeps them.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from scrapy.http import TextResponse

from crawler.links import Link

MIN_SIDE = 80  # pixels: a declared width or height below this is an icon or a spacer
BANNER_RATIO = 6  # declared width at least this many times the height: a banner
IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff")
_CHROME_BLOCK = (
    "ancestor::header or ancestor::footer or ancestor::nav or ancestor::*[@id or @class][contains("
    "translate(concat(' ', @id, ' ', @class), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '{word}')]"
)
_CHROME_WORDS = ("header", "footer", "nav", "menu", "banner", "logo")
_CHROME_NAME = re.compile(
    r"(logo|banner|icon|ico_|btn|button|bg[_.-]|arrow|erweima|qrcode|qr_|ewm|weixin|weibo|jiucuo|conac|"
    r"dzjg|blue\.png|red\.png|spacer|blank|print|close|share|search|footer|header)",
    re.IGNORECASE,
)
_SIZE = re.compile(r"(\d+)")


def _declared_side(value: str | None) -> int | None:
    if not value or "%" in value:
        return None
    m = _SIZE.search(value)
    return int(m.group(1)) if m else None


def _style_side(style: str, name: str) -> int | None:
    m = re.search(rf"(?:^|;)\s*{name}\s*:\s*(\d+)\s*px", style or "", re.IGNORECASE)
    return int(m.group(1)) if m else None


def _in_chrome(img) -> bool:
    return any(img.xpath(f"self::*[{_CHROME_BLOCK.format(word=word)}]") for word in _CHROME_WORDS)


_HAN = re.compile(r"[\u4e00-\u9fff]+")  # runs of characters, counted by their lengths
MIN_ARTICLE_HAN = 100  # a page whose best text block has fewer is all pictures (a scanned report)
_BLOCKS = "//body//p | //body//div[not(.//div or .//p or .//table)]"


def _article(response: TextResponse):
    """The element holding the report's text: the parent whose own paragraphs hold
    the most Chinese characters (None when no block holds MIN_ARTICLE_HAN)."""
    credit: dict = {}
    # lxml elements straight from the parsed page (no parsel Selector per block: this runs on every report)
    for block in response.selector.root.xpath(_BLOCKS):
        parent = block.getparent()
        if parent is None:
            continue
        # the block's text as itertext() joins it (comments left out likewise), 9x faster on a report page
        text = etree.tostring(block, method="text", encoding=str, with_tail=False)
        han = sum(map(len, _HAN.findall(text)))
        credit[parent] = credit.get(parent, 0) + han
    if not credit:
        return None
    best = max(credit, key=credit.get)
    return best if credit[best] >= MIN_ARTICLE_HAN else None


def _links_home(img, page_url: str) -> bool:
    """An image that links to a site's home page is its logo."""
    for href in img.xpath("ancestor::a/@href").getall():
        path = urlsplit(urljoin(page_url, href.strip())).path
        if path in ("", "/") or re.fullmatch(r"/(index|default|home)\.\w+", path, re.IGNORECASE):
            return True
    return False


def _within(img, article) -> bool:
    node = img.root
    while node is not None:
        if node is article:
            return True
        node = node.getparent()
    return False


_UNKNOWN = object()


def body_images(response: TextResponse, limit: int) -> list[Link]:
    """The report page's own images (absolute URLs, alt text as the link text), in page order:
    inside the block that holds the report's text, or anywhere but the chrome on a
    page that is (almost) all pictures."""
    found: list[Link] = []
    seen: set[str] = set()
    images = response.xpath("//body//img") if limit > 0 else []
    article = _UNKNOWN  # found when a picture first passes the cheap tests (a logo never costs it)
    for img in images:
        src = (img.attrib.get("src") or img.attrib.get("data-src") or img.attrib.get("original") or "").strip()
        if not src or src.lower().startswith(("data:", "javascript:")):
            continue
        url = urljoin(response.url, src).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or url in seen:
            continue
        name = parts.path.rsplit("/", 1)[-1]
        classes = " ".join(img.attrib.get(a, "") for a in ("class", "id", "alt"))
        if _CHROME_NAME.search(name) or _CHROME_NAME.search(classes):
            continue
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext and ext not in IMAGE_EXTENSIONS and not parts.query:
            continue
        style = img.attrib.get("style", "")
        sides = [_declared_side(img.attrib.get("width")), _declared_side(img.attrib.get("height")),
                 _style_side(style, "width"), _style_side(style, "height")]
        if any(side is not None and side < MIN_SIDE for side in sides):
            continue
        if article is _UNKNOWN:
            article = _article(response)
        if article is not None and not _within(img, article):
            continue
        if _in_chrome(img) or _links_home(img, response.url):
            continue
        width, height = sides[0] or sides[2], sides[1] or sides[3]
        if width and height and width >= BANNER_RATIO * height:  # a banner across the page
            continue
        seen.add(url)
        found.append(Link(url=url, text=(img.attrib.get("alt") or img.attrib.get("title") or "").strip()))
        if len(found) >= limit:
            break
    return found
