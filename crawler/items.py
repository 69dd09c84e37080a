"""Items the spiders yield."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AttachmentItem:
    """A file a report page links to, as archived."""

    url: str
    link_text: str | None
    filename: str | None  # from Content-Disposition, for display only
    content_type: str | None
    sha256: str
    fetch_id: int | None
    role: str = "document"  # 'document' (a report file) or 'image' (a picture in the page's body)


@dataclass
class ReportItem:
    """A fetched annual report (a page, or a file listed directly) and its attachments."""

    url: str
    site: str
    list_url: str | None
    list_title: str | None
    sha256: str
    fetch_id: int | None
    content_type: str | None
    declared_encoding: str | None
    attachments: list[AttachmentItem] = field(default_factory=list)
    list_date: str | None = None  # the date the list showed beside it (crawler.listdates), ISO
    complete: bool = True  # False when an attachment could not be fetched: refetched next crawl


@dataclass
class SeenReport:
    """A listed report already archived whole, not fetched again (incremental crawl)."""

    url: str
    list_url: str | None
    list_title: str | None
    list_date: str | None = None


@dataclass
class RefusedLink:
    """A link the crawl would have followed but may not (another site's report or
    attachment): recorded as a ``fetches`` row of ``kind`` with no status."""

    url: str
    kind: str
    message: str
    referer: str | None


@dataclass
class NotFoundPage:
    """A listed report URL that answered with the site's not-found page (status 200)."""

    url: str
    fetch_id: int | None
    list_url: str | None
    list_title: str | None


@dataclass
class ListedReportFailed:
    """A listed report URL whose fetch failed: the report is still listed (whatever
    its URL answers), and a 404 or 410 (``failing``), or the site's not-found page
    served with 200, is its URL failing, as a check would have found it."""

    url: str
    list_date: str | None
    status: int | None
    failing: bool


@dataclass
class ListSeen:
    """A list page read, with how many annual-report entries it showed."""

    url: str
    reports: int


@dataclass
class ReportCheck:
    """What a known report URL its lists did not show answered a check request
    (``failing``: 404, 410 or a redirect to the site's home page; ``status`` None:
    no answer)."""

    report_id: int
    url: str
    status: int | None
    location: str | None
    failing: bool
    error: str | None = None
