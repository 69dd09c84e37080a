"""Soft 404s: a "page not found" page served with status 200.

Many portals answer a missing page with 200 and their own error page; a list
may even link a report that is gone. Such a page must not become a report.
It is told by structure first: at the start of a crawl the spider asks the
site for a page that cannot exist (:func:`probe_url`), and a report page whose
text, numbers aside, is the text of that answer is the site's not-found page.
Then, for sites whose not-found page differs by URL, by what it says: a short
page (little text) whose words are a not-found notice (页面不存在, 404 …).
"""

from __future__ import annotations

import re
import uuid
from difflib import SequenceMatcher
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

# A page this short (characters of text, numbers and spaces aside) that says
# "not found" is a not-found page; a report is thousands of characters long.
SHORT_PAGE = 400
SIMILAR = 0.9  # share of the probe page's text a page must repeat to be it
_NOT_FOUND = re.compile(r"页面不存在|页面未找到|找不到(?:该|此|您要访问的)?页面|页面已删除|不存在或已被?删除|"
                        r"信息不存在|文章不存在|404\s*(?:not\s*found|错误|页面)|not\s*found", re.IGNORECASE)
_NOISE = re.compile(r"[\s\d]+")
_TITLE_TEXT = etree.XPath("//title//text()", smart_strings=False)
# parent:: not ancestor:: (a script's or a style's text is its only child in an
# HTML tree: the same text, 1.3 -> 1.0 ms a page)
_BODY_TEXT = etree.XPath("//body//text()[not(parent::script) and not(parent::style)]", smart_strings=False)


def probe_url(start_url: str) -> str:
    """A URL on the site that no page has."""
    return urljoin(start_url, f"/xxgk-archive-no-such-page-{uuid.uuid4().hex[:12]}.html")


def page_text(html: str | Selector, drop: str = "") -> str:
    """The page's title and visible text, numbers and whitespace removed
    (``html`` as text, or the page already parsed: a response's ``selector``)."""
    selector = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    root = selector.root  # lxml directly: no Selector per text node
    text = "".join(_TITLE_TEXT(root)) + "".join(_BODY_TEXT(root))
    if drop:
        text = text.replace(drop, "")
    return _NOISE.sub("", text)


_BODIES = etree.XPath("//body")


def _clean_length(element) -> int:
    return len(_NOISE.sub("", etree.tostring(element, method="text", encoding=str, with_tail=False)))


def _text_length(root) -> int | None:
    """``len(page_text(root))``, without building the text: the body's text at once,
    less its scripts' and styles' (dropping spaces and digits is per character, so
    lengths add up); None for a page of more or no ``<body>``."""
    bodies = _BODIES(root)
    if len(bodies) != 1:
        return None
    length = _clean_length(bodies[0]) - sum(_clean_length(el) for el in bodies[0].iter("script", "style"))
    return length + len(_NOISE.sub("", "".join(_TITLE_TEXT(root))))


def is_soft_404(html: str | Selector, probe_text: str | None) -> bool:
    """Whether a page with status 200 is the site's not-found page."""
    selector = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    length = _text_length(selector.root)
    if length is not None:  # a page too long to be the probe's answer or a short notice is neither
        like_probe = bool(probe_text) and length > 0 and min(length, 3000) <= 2 * len(probe_text[:3000]) + 50
        if not like_probe and length >= SHORT_PAGE:
            return False
    text = page_text(selector)
    if probe_text and text:
        a, b = text[:3000], probe_text[:3000]
        if len(a) <= 2 * len(b) + 50 and SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILAR:
            return True
    return len(text) < SHORT_PAGE and bool(_NOT_FOUND.search(text))
