"""Links of a page, with the text a reader sees."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # the anchor text, or its title attribute when the text is truncated
    role: str = "document"  # for a report page's attachments: 'document' or 'image' (crawler.images)


def page_links(response: TextResponse) -> list[Link]:
    """Every followable link of ``response`` (absolute URL, visible text)."""
    links = []
    for anchor in response.xpath("//a[@href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        text = " ".join(t.strip() for t in anchor.xpath(".//text()").getall()).strip()
        title = (anchor.attrib.get("title") or "").strip()
        if title and (not text or text.endswith(("…", "...", "..")) or len(title) > len(text)):
            text = title
        url = urljoin(response.url, href)
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        links.append(Link(url=url.split("#", 1)[0], text=text))
    return links


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


def same_site(url: str, domain: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == domain or host.endswith("." + domain)
