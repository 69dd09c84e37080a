"""Links of a page, with the text a reader sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from scrapy.http import TextResponse

from crawler.listdates import list_date
from crawler.titles import is_annual_report_title

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")
# compiled, run on lxml elements: a parsel Selector per anchor and per text node
# cost ~10 ms on a list page of 650 links
_ANCHORS = etree.XPath("//a[@href]")
_TEXTS = etree.XPath(".//text()", smart_strings=False)


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # the anchor text, or its title attribute when the text is truncated
    role: str = "document"  # for a report page's attachments: 'document' or 'image' (crawler.images)
    # the date the list showed beside a report's link (crawler.listdates), ISO; not part of its identity
    date: str | None = field(default=None, compare=False)


def anchor_link(anchor, base_url: str) -> Link | None:
    """The link of one ``<a href>`` (an lxml element or a parsel Selector):
    absolute URL without fragment, the text a reader sees (its title attribute
    when the text is cut: ``…``), and for a report's link the date shown beside
    it. None for a link not to follow."""
    if isinstance(anchor, Selector):
        anchor = anchor.root
    attrib = anchor.attrib
    href = (attrib.get("href") or "").strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    text = " ".join(t.strip() for t in _TEXTS(anchor)).strip()
    title = (attrib.get("title") or "").strip()
    if title and (not text or text.endswith(("…", "...", "..")) or len(title) > len(text)):
        text = title
    url = _join(_directory(base_url), href) if href[0] not in "?#" else _absolute(urljoin(base_url, href))
    if url is None:
        return None
    date = list_date(anchor) if is_annual_report_title(text) else None
    return Link(url=url, text=text, date=date)


def _absolute(url: str) -> str | None:
    """``url`` without its fragment if it is http(s), else None."""
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url.split("#", 1)[0]


@lru_cache(maxsize=4096)
def _directory(base_url: str) -> str:
    """The part of ``base_url`` a reference with a path is resolved against (RFC 3986
    5.2: the base's scheme, authority and path up to its last ``/``; its last
    segment, query and fragment do not count): pages of one folder share it."""
    parts = urlsplit(base_url)
    path = parts.path
    return urlunsplit((parts.scheme, parts.netloc, path[:path.rfind("/") + 1] if "/" in path else "", "", ""))


@lru_cache(maxsize=65536)
def _join(directory: str, href: str) -> str | None:
    """``urljoin`` of a page in ``directory`` and ``href`` (not a query or a fragment alone),
    http(s) only, without the fragment (memoised: a site's navigation links are on
    every page of a folder)."""
    return _absolute(urljoin(directory, href))


def page_links(response: TextResponse) -> list[Link]:
    """Every followable link of ``response`` (absolute URL, visible text), read
    from the tree Scrapy parsed (``response.selector``: the page is parsed once)."""
    root = response.selector.root
    anchors = _ANCHORS(root) if isinstance(root, etree._Element) else response.xpath("//a[@href]")  # (json: raises)
    links = (anchor_link(anchor, response.url) for anchor in anchors)
    return [link for link in links if link is not None]


def site_domain(url: str) -> str:
    """The domain a portal's pages live under.

    ``xxgk.wendeng.gov.cn`` -> ``wendeng.gov.cn`` (a county's portal and its
    信息公开 subdomain are one site); other hosts are kept whole.
    """
    host = (urlsplit(url).hostname or "").lower()
    parts = host.split(".")
    if host.endswith(".gov.cn") and len(parts) > 3:
        return ".".join(parts[-3:])
    if host.startswith("www."):
        return host[4:]
    return host


@lru_cache(maxsize=65536)
def _host(url: str) -> str:
    """The URL's host, lower case (memoised: a page's links are checked against the
    site several times, and the same navigation links come back on every page)."""
    return (urlsplit(url).hostname or "").lower()


def same_site(url: str, domain: str) -> bool:
    host = _host(url)
    return host == domain or host.endswith("." + domain)
