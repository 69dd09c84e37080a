"""How far into a list's pages to go: a few pages past the last that held a report.

A pager may claim 10^8 pages, a 尾页 link may name page 99999, a calendar links
the next day forever; most of those pages are empty. Planning every page a pager
claims (even capped at XXGK_MAX_PAGES_PER_LIST) spends hundreds of requests -- at
one request per DOWNLOAD_DELAY -- on pages that list nothing. Instead a list's
pages are sent a few at a time: at most ``ahead`` pages beyond the last page seen
to hold a report link. A list whose reports run on keeps being paged; one whose
pages turn empty stops ``ahead`` pages later.

Two shapes of pager:

* :class:`PageWindow` -- pages known in advance (a TRS ``createPageHTML`` count,
  ``?page=N`` up to the 尾页): sent in order, topped up as pages come back.
* :class:`LinkChain` -- pages found by following links (下一页 on each page, a
  calendar's days): a link is followed while fewer than ``ahead`` pages have
  been sent since one came back with a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAGES_AHEAD = 5  # default of the XXGK_PAGES_AHEAD setting


@dataclass
class PageWindow:
    """The planned pages of one list (``urls``, in page order, not including the page
    they were planned from), sent at most ``ahead`` past the last page with reports."""

    urls: list[str]
    ahead: int = PAGES_AHEAD
    sent: int = 0
    # index into urls of the last page that held reports; -1 is the page the window
    # was planned from, taken as full: a list's first page may show only sub-columns
    last_full: int = field(default=-1)
    chain: "LinkChain | None" = None  # its pages' pager links to pages it did not plan

    def take(self) -> list[tuple[int, str]]:
        """Pages that may be sent now, as (index, url)."""
        end = min(len(self.urls), self.last_full + 1 + self.ahead)
        out = [(i, self.urls[i]) for i in range(self.sent, end)]
        self.sent = max(self.sent, end)
        return out

    def seen(self, index: int, had_reports: bool) -> None:
        """Page ``index`` came back; ``had_reports`` if it listed a report."""
        if had_reports:
            self.last_full = max(self.last_full, index)

    @property
    def remaining(self) -> int:
        """Planned pages not sent (not needed, or not yet)."""
        return len(self.urls) - self.sent


@dataclass
class LinkChain:
    """Pages of one list reached by following pager links (下一页, page numbers, a
    calendar's days), shared by every page of the chain: a page is sent while
    fewer than ``ahead`` pages have been sent since one came back with a report."""

    ahead: int = PAGES_AHEAD
    since_full: int = 0

    def may_send(self) -> bool:
        return self.since_full < self.ahead

    def sent(self) -> None:
        self.since_full += 1

    def seen(self, had_reports: bool) -> None:
        if had_reports:
            self.since_full = 0
