"""Find a portal's annual-report column and harvest every report listed in it.

Usage::

    scrapy crawl annual_reports -a start_url=http://xxgk.example.gov.cn/
    xxgk crawl --start-url http://xxgk.example.gov.cn/
    xxgk crawl --site 威海市文登区

From the start page the spider looks for the annual-report column by link text
(政府信息公开年报, 信息公开年报, 年度报告, 年报); if the start page has no such
link it follows the links towards the disclosure section (政府信息公开, 信息公开,
政务公开) for a few hops. On list pages it keeps the entries whose title is an
annual information-disclosure report, and pages through the list by whatever
mechanism the page's CMS family uses (:mod:`crawler.families`): TRS
``createPageHTML`` pagers, Hanweb ``datastore``/``dataproxy.jsp``, JSON list
endpoints, plain pager links; year sub-columns (2023年, 2022年 …) and
department/township sub-columns are lists too. Report pages' PDF/DOC/DOCX/XLS/WPS
attachments are archived with them. Only the portal's own domain (and declared
attachment hosts) is followed.

A body's 年报 column as the start (``-a column=1``, a site of ``xxgk sites
discover`` with its ``report_column``): the start page is read as that list,
and of the sub-columns it links only its year columns (2023年) and the 年报
columns inside its own folder are followed -- on a platform that many bodies
share, the navigation's 政府信息公开年报 is another body's column.

Incremental: a report already archived whole is not fetched again unless the
spider runs with ``-a refresh=1``; list pages are always fetched again, with
conditional requests (see :class:`crawler.middlewares.ConditionalRequestMiddleware`).

Vanished reports: when the lists are done (the spider is idle), the known
reports of the site its lists did not show this run are checked with one
conditional GET each (a not-found page served with 200 fails too), no redirect
followed (at most ``XXGK_MAX_CHECKS`` a run, the longest unseen first; none when the run saw no report at all: a site that is
down is not asked more), and so are a few listed reports the run did not fetch
(``XXGK_LISTED_CHECKS``, 5: a link can die while its list still shows it; the
already missing first, then the least recently checked). What they answered is a :class:`ReportCheck`; what it
means is worked out when the run ends (:func:`archive.catalogue.update_presence`).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from parsel import Selector
from scrapy.http import Response, TextResponse

from archive.catalogue import archived_keys, listed_unfetched_reports, open_db, unseen_reports
from archive.identity import url_key
from crawler.attachments import filename_from_disposition, is_document_link, safe_display_name
from crawler import soft404
from crawler.images import body_images
from crawler.families import hanweb, jsonapi, pager, trs
from crawler.items import (AttachmentItem, ListedReportFailed, ListSeen, NotFoundPage, RefusedLink, ReportCheck,
                           ReportItem, SeenReport)
from crawler.links import Link, anchor_link, page_links, same_site, site_domain
from crawler.paging import PAGES_AHEAD, LinkChain, PageWindow
from crawler.titles import (
    is_annual_report_title,
    is_disclosure_nav_text,
    is_report_column_text,
    is_year_column_text,
)

MAX_NAVIGATION_HOPS = 3
# Reports and their attachments go before more list pages: a crawl cut short
# (killed, or a list that claims thousands of pages) has archived reports, not
# only lists. Scrapy takes the highest priority first; DEPTH_PRIORITY (settings)
# makes lists breadth first among themselves.
REPORT_PRIORITY = 100
ATTACHMENT_PRIORITY = 110
LIST_PRIORITY = 0
# a redirect to one of these (on the site) is how many portals answer a removed page
HOME_PATH = re.compile(r"^/?(index\.(s?html?|jsp|php|aspx?))?$", re.IGNORECASE)
GONE_STATUSES = (404, 410)


def _truthy(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(
        self,
        start_url: str | None = None,
        site: str | None = None,
        refresh: str | bool = False,
        attachment_hosts: str = "",
        column: str | bool = False,
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not start_url:
            raise ValueError("annual_reports needs a start URL: -a start_url=http://…")
        if urlsplit(start_url).scheme not in ("http", "https"):
            raise ValueError(f"start URL must be http(s): {start_url!r}")
        self.start_url = start_url
        self.domain = site_domain(start_url)
        self.site = site or self.domain
        self.refresh = _truthy(refresh)
        # start at a body's 年报 column: its sub-columns only inside its folder (or years)
        self.column_scope = start_url.split("?", 1)[0].rsplit("/", 1)[0] + "/" if _truthy(column) else None
        extra = [h.strip().lower() for h in attachment_hosts.split(",") if h.strip()]
        self.domains = [self.domain, *extra]
        self.allowed_domains = list(self.domains)
        self.archived: set[str] = set()  # URL keys (archive.identity) of the reports archived whole
        self.list_pages = 0
        self.list_requested: set[tuple] = set()
        self.refused: set[str] = set()  # off-site links recorded this run
        self.images: dict[str, AttachmentItem] = {}  # body images archived this run, by URL
        self.probe_text: str | None = None  # what the site answers a missing page with (soft404)
        self.checked = False  # the check requests of unseen reports were planned (spider_idle)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    # -- checks of the reports the lists did not show -------------------------------

    def spider_idle(self):
        if self.checked:
            return
        self.checked = True
        requests = self._check_requests()
        if not requests:
            return
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _check_requests(self) -> list[scrapy.Request]:
        limit = self.settings.getint("XXGK_MAX_CHECKS", 50)
        stats = self.crawler.stats
        seen = sum(stats.get_value(f"xxgk/reports_{k}", 0) for k in ("new", "changed", "unchanged", "skipped"))
        run_id = stats.get_value("xxgk/crawl_run_id")
        if limit <= 0 or not seen or run_id is None:
            return []
        db = open_db(self.settings.get("XXGK_DB"))
        try:
            (started,) = db.execute("SELECT started_at FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
            unseen = [r for r in unseen_reports(db, self.site, started) if self.is_on_site(r[1])][:limit]
            listed = listed_unfetched_reports(db, self.site, run_id, started,
                                              min(limit - len(unseen), self.settings.getint("XXGK_LISTED_CHECKS", 5)))
        finally:
            db.close()
        return [self.check_request(report_id, url) for report_id, url in unseen + [r for r in listed
                                                                                   if self.is_on_site(r[1])]]

    def check_request(self, report_id: int, url: str) -> scrapy.Request:
        """One request asking whether a known report's URL still answers: a
        conditional GET (a 304 when it has not changed; a HEAD would say nothing
        of a not-found page served with status 200, which many portals' article
        scripts answer for a deleted id while a path that never was gets a 404)."""
        return scrapy.Request(url, callback=self.parse_check, errback=self.check_failed,
                              priority=REPORT_PRIORITY, dont_filter=True, cb_kwargs={"report_id": report_id},
                              meta={"dont_redirect": True, "handle_httpstatus_all": True, "xxgk_kind": "check"})

    def parse_check(self, response: Response, report_id: int):
        location = _header(response, "Location")
        target = urljoin(response.url, location) if location else None
        home = target is not None and self.is_on_site(target) and (
            HOME_PATH.match(urlsplit(target).path) is not None or target == self.start_url)
        # (a 304 comes as the archived copy it revalidated: a not-found page still is one)
        not_found = (response.status == 200 and isinstance(response, TextResponse)
                     and soft404.is_soft_404(response.selector, self.probe_text))
        failing = response.status in GONE_STATUSES or (300 <= response.status < 400 and home) or not_found
        yield ReportCheck(report_id=report_id, url=response.url, status=response.status, location=target,
                          failing=failing)

    def check_failed(self, failure):
        request = failure.request
        yield ReportCheck(report_id=request.cb_kwargs["report_id"], url=request.url, status=None, location=None,
                          failing=False, error=failure.getErrorMessage()[:500])

    async def start(self):
        if not self.refresh:
            db = open_db(self.settings.get("XXGK_DB"))
            self.archived = archived_keys(db)
            db.close()
        # First the page a missing URL gets (its soft-404 page, if it answers 200),
        # then the portal itself.
        yield scrapy.Request(soft404.probe_url(self.start_url), callback=self.parse_probe, errback=self.probe_failed,
                             priority=ATTACHMENT_PRIORITY + 1, dont_filter=True,
                             meta={"handle_httpstatus_all": True, "dont_retry": True, "xxgk_unconditional": True,
                                   "xxgk_kind": "probe"})

    def _start_request(self) -> scrapy.Request:
        return scrapy.Request(self.start_url, callback=self.parse_page,
                              cb_kwargs={"hops": 0, "is_list": self.column_scope is not None})

    def parse_probe(self, response: Response):
        if response.status == 200 and isinstance(response, TextResponse):
            self.probe_text = soft404.page_text(response.text, drop=response.url.rsplit("/", 1)[-1])
        yield self._start_request()

    def probe_failed(self, failure):
        yield self._start_request()

    # -- helpers -----------------------------------------------------------------

    def is_on_site(self, url: str) -> bool:
        """Whether ``url`` is on this site (its domains, or a declared attachment host)."""
        return any(same_site(url, d) for d in self.domains)

    def _list_budget(self) -> int:
        """List pages (and list API calls) this site may still have fetched."""
        return max(0, self.settings.getint("XXGK_MAX_LIST_PAGES", 500) - self.list_pages)

    def _list_request(self, url: str, **kwargs) -> scrapy.Request | None:
        # the same list page asked for again (a calendar links every day from every
        # day) costs nothing: it is not counted against the budget, nor sent
        key = (kwargs.get("method", "GET"), url, kwargs.get("body") or "")
        if key in self.list_requested:
            return None
        if self._list_budget() <= 0:
            self.crawler.stats.inc_value("xxgk/list_pages_capped")
            return None
        self.list_requested.add(key)
        self.list_pages += 1
        kwargs.setdefault("priority", LIST_PRIORITY)
        return scrapy.Request(url, **kwargs)

    def _pages_per_list(self) -> int:
        """Pages one list's pager may plan: a share of the site's budget, so one list
        that claims 10^5 pages leaves the others theirs."""
        return min(self._list_budget(), self.settings.getint("XXGK_MAX_PAGES_PER_LIST", 200))

    def _report_requests(self, links, list_url: str):
        for link in links:
            if not is_annual_report_title(link.text) or not self.is_on_site(link.url):
                continue
            if url_key(link.url) in self.archived:  # at whatever URL of it (another port, http/https …)
                self.crawler.stats.inc_value("xxgk/reports_skipped")
                yield SeenReport(url=link.url, list_url=list_url, list_title=link.text, list_date=link.date)
                continue
            yield scrapy.Request(
                link.url,
                priority=REPORT_PRIORITY,
                callback=self.parse_report,
                errback=self.report_failed,
                cb_kwargs={"list_url": list_url, "list_title": link.text, "list_date": link.date},
            )

    def _refused(self, links, page_url: str, message: str):
        """A ``RefusedLink`` for each of ``links`` that is off the site (once per URL and run)."""
        for link in links:
            parts = urlsplit(link.url)
            if parts.scheme not in ("http", "https") or self.is_on_site(link.url) or link.url in self.refused:
                continue
            self.refused.add(link.url)
            self.crawler.stats.inc_value("xxgk/offsite_refused")
            yield RefusedLink(url=link.url, kind="offsite", referer=page_url,
                              message=message.format(host=parts.hostname, text=link.text, page=page_url))

    # -- navigation and list pages -------------------------------------------------

    def parse_page(self, response: Response, hops: int = 0, is_list: bool = False,
                   window: PageWindow | None = None, index: int = -1, chain: LinkChain | None = None):
        """A navigation or list page: report links, the list's other pages, then onward links.

        ``window``/``index``: the page is page ``index`` of a list's planned pages;
        ``chain``: the page was reached by following a list's pager links (see
        :mod:`crawler.paging`)."""
        if not isinstance(response, TextResponse):
            return
        every = page_links(response)
        links = [link for link in every if self.is_on_site(link.url)]
        yield from self._refused(
            (link for link in every if is_annual_report_title(link.text)), response.url,
            "a report link to another site ({host}, listed as {text!r} on {page}): not followed")
        had_reports = any(is_annual_report_title(link.text) for link in links)
        yield from self._report_requests(links, response.url)
        if is_list:
            yield ListSeen(url=response.url, reports=sum(1 for link in links if is_annual_report_title(link.text)))
        if chain is not None:
            chain.seen(had_reports)
        if is_list or hops == 0:
            yield from self._family_pages(response, links, window, chain)
        if window is not None:
            window.seen(index, had_reports)
            yield from self._window_requests(window)
        if is_list:
            for link in links:
                if is_annual_report_title(link.text):
                    continue
                if is_year_column_text(link.text) or (is_report_column_text(link.text) and (
                        self.column_scope is None or link.url.startswith(self.column_scope))):
                    request = self._list_request(link.url, callback=self.parse_page, cb_kwargs={"is_list": True})
                    if request:
                        yield request
            return
        columns = [link for link in links if is_report_column_text(link.text)]
        for link in columns:
            request = self._list_request(link.url, callback=self.parse_page, cb_kwargs={"is_list": True})
            if request:
                yield request
        if not columns and hops < MAX_NAVIGATION_HOPS:
            for link in links:
                if is_disclosure_nav_text(link.text):
                    yield response.follow(link.url, callback=self.parse_page, cb_kwargs={"hops": hops + 1})

    def _pages_ahead(self) -> int:
        return max(1, self.settings.getint("XXGK_PAGES_AHEAD", PAGES_AHEAD))

    def _window_requests(self, window: PageWindow):
        """The planned pages of ``window`` that may be sent now."""
        for index, url in window.take():
            request = self._list_request(url, callback=self.parse_page, errback=self.list_page_failed,
                                         cb_kwargs={"is_list": True, "window": window, "index": index})
            if request:
                yield request

    def list_page_failed(self, failure):
        """A planned list page that could not be had counts as an empty one (the
        failure itself is recorded by the archive middleware)."""
        kwargs = failure.request.cb_kwargs
        window = kwargs.get("window")
        if window is not None:
            window.seen(kwargs.get("index", -1), False)
            yield from self._window_requests(window)

    def _family_pages(self, response: TextResponse, links, window: PageWindow | None = None,
                      chain: LinkChain | None = None):
        """The other pages of a list, by the mechanism its CMS family uses.

        Pages a pager names in advance are planned only from the page a list was
        entered by (``window`` and ``chain`` None) and sent a few at a time;
        pages reached by pager links are followed while the pages before them
        listed reports (:mod:`crawler.paging`)."""
        html = response.text
        store = hanweb.find_datastore(html, response.url)
        if store is not None:
            yield from self._report_requests(self._snippet_links(store.records, response.url), response.url)
            if store.proxy_url and (store.total is None or len(store.records) < store.total):
                yield from self._hanweb_requests(store, response.url)
            return
        entry = window is None and chain is None
        trsapi = jsonapi.find_trsapi(html, response.url) if entry else None
        if trsapi is not None:  # the entries past the static ones exist only behind the API
            yield from self._json_requests(trsapi, response.url)
        trs_pager = trs.find_pager(html)
        if trs_pager is not None:
            if trs_pager.current == 0 and entry:
                share = self._pages_per_list()
                if trs_pager.count > share + 1:
                    self.logger.warning("%s: the pager claims %d pages; at most %d are fetched (XXGK_MAX_PAGES_PER_LIST, "
                                        "XXGK_MAX_LIST_PAGES)", response.url, trs_pager.count, share)
                # URLs built only up to what may still be fetched (a pager may claim 10^8 pages)
                planned = PageWindow(trs_pager.urls(response.url, limit=share + 1), ahead=self._pages_ahead())
                yield from self._window_requests(planned)
            return
        if trsapi is not None:
            return
        endpoint = jsonapi.find_endpoint(html, response.url)
        if endpoint is not None:
            yield from self._json_requests(endpoint, response.url)
            return
        linked = pager.pager_links(response.url, links)
        planned_urls: set[str] = set(window.urls) if window is not None else set()
        if entry:
            numbered = pager.numbered_pages(response.url, linked, self._pages_per_list() + 1)
            if numbered:
                planned = PageWindow(numbered, ahead=self._pages_ahead())
                planned_urls = set(numbered)
                yield from self._window_requests(planned)
        if chain is None:
            if window is not None:
                window.chain = window.chain or LinkChain(ahead=self._pages_ahead())
                chain = window.chain
            else:
                chain = LinkChain(ahead=self._pages_ahead())
        for url in linked:
            if url in planned_urls or ("GET", url, "") in self.list_requested:
                continue
            if not chain.may_send():
                self.crawler.stats.inc_value("xxgk/pager_links_stopped")
                return
            request = self._list_request(url, callback=self.parse_page,
                                         cb_kwargs={"is_list": True, "chain": chain})
            if request:
                chain.sent()
                yield request

    @staticmethod
    def _snippet_links(snippets: list[str], base_url: str) -> list[Link]:
        """Links of the HTML snippets a Hanweb datastore or dataproxy answer holds."""
        links = []
        for snippet in snippets:
            for anchor in Selector(text=snippet).xpath("//a[@href]"):
                link = anchor_link(anchor, base_url)
                if link is not None:
                    links.append(link)
        return links

    def _hanweb_requests(self, store, list_url: str):
        """The dataproxy calls for the rest of a Hanweb list.

        With the total known they are all asked for from the column page (a
        chain of calls would grow one crawl-depth level per call and hit
        DEPTH_LIMIT on a long list); without it, one at a time until a short answer.
        """
        start = len(store.records) + 1
        if store.total is None:
            request = self._hanweb_request(store, start, list_url, chain=True)
            if request:
                yield request
            return
        while start <= store.total:
            request = self._hanweb_request(store, start, list_url, chain=False)
            if request is None:
                return
            yield request
            start = hanweb.next_range(start, store.perpage)[1] + 1

    def _hanweb_request(self, store, start: int, list_url: str, chain: bool):
        first, last = hanweb.next_range(start, store.perpage)
        return self._list_request(
            f"{store.proxy_url}?{hanweb.proxy_query(first, last, store.perpage)}",
            method="POST",
            body=urlencode(store.form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            callback=self.parse_hanweb_proxy,
            cb_kwargs={"first": first, "last": last, "store": store, "list_url": list_url, "chain": chain},
        )

    def parse_hanweb_proxy(self, response, first, last, store, list_url, chain):
        records, total = hanweb.proxy_records(response.text)
        yield from self._report_requests(self._snippet_links(records, list_url), list_url)
        if chain and records and len(records) >= last - first + 1 and (total is None or last < total):
            request = self._hanweb_request(store, last + 1, list_url, chain=True)
            if request:
                yield request

    def _json_requests(self, endpoint, list_url: str):
        """The first page of a JSON list, or every page when the column page says how many."""
        last = endpoint.last_page
        pages = range(endpoint.first_page, last + 1) if last else [endpoint.first_page]
        for number in pages:
            request = self._list_request(
                **endpoint.request_args(number),
                callback=self.parse_json_list,
                cb_kwargs={"endpoint": endpoint, "page": number, "list_url": list_url, "chain": not last},
            )
            if request is None:
                return
            yield request

    def parse_json_list(self, response, endpoint, page, list_url, chain=True):
        found, pages = jsonapi.entries(response.body, response.url)
        links = [Link(url=url, text=title, date=date) for title, url, date in found]
        yield from self._report_requests(links, list_url)
        if not chain:
            # every page the column page announced is asked for already; an answer
            # that counts more pages than it did (a stale recordCount) adds the rest
            if page != endpoint.first_page or not pages or not endpoint.last_page or pages <= endpoint.last_page:
                return
            following = range(endpoint.last_page + 1, pages + 1)
        # With the page count known, every page is asked for from the first one
        # (no depth-growing chain); without it, one page at a time until an empty one.
        elif pages is not None:
            following = range(page + 1, pages + 1)
        else:
            following = [page + 1] if found else []
        for number in following:
            request = self._list_request(
                **endpoint.request_args(number),
                callback=self.parse_json_list,
                cb_kwargs={"endpoint": endpoint, "page": number, "list_url": list_url, "chain": pages is None},
            )
            if request is None:
                return
            yield request

    # -- reports and attachments ------------------------------------------------------

    def parse_report(self, response: Response, list_url: str, list_title: str, list_date: str | None = None):
        item = ReportItem(
            url=response.url,
            site=self.site,
            list_url=list_url,
            list_title=list_title,
            list_date=list_date,
            sha256=response.meta["xxgk_sha256"],
            fetch_id=response.meta.get("xxgk_fetch_id"),
            content_type=_header(response, "Content-Type"),
            declared_encoding=response.meta.get("xxgk_declared_encoding"),
        )
        if not isinstance(response, TextResponse):
            yield item  # the list entry is the report file itself
            return
        if soft404.is_soft_404(response.selector, self.probe_text):  # the page as Scrapy parsed it, not again
            self.crawler.stats.inc_value("xxgk/soft_404")
            self.logger.warning("%s (listed as %r) is a not-found page served with status 200: no report",
                                response.url, list_title)
            yield NotFoundPage(url=response.url, fetch_id=item.fetch_id, list_url=list_url, list_title=list_title)
            yield ListedReportFailed(url=response.url, list_date=list_date, status=200, failing=True)
            return
        pending = []
        documents = [link for link in page_links(response) if is_document_link(link.url, link.text)]
        yield from self._refused(documents, response.url,
                                 "an attachment on another site ({host}, {text!r} on {page}): not fetched; "
                                 "a site's attachment host is declared with attachment_hosts")
        for link in documents:
            if self.is_on_site(link.url) and link.url not in pending:
                pending.append(link)
        limit = self.settings.getint("XXGK_MAX_IMAGES_PER_REPORT", 30)
        for link in body_images(response, limit) if limit > 0 else []:
            if not self.is_on_site(link.url) or any(p.url == link.url for p in pending):
                continue
            known = self.images.get(link.url)
            if known is not None:  # the same picture on another report page: archived already this run
                item.attachments.append(dataclasses.replace(known, link_text=link.text or None))
                continue
            pending.append(dataclasses.replace(link, role="image"))
        yield from self._next_attachment(item, pending)

    def _next_attachment(self, item: ReportItem, pending: list[Link]):
        if not pending:
            yield item
            return
        link, rest = pending[0], pending[1:]
        meta = {}
        if link.role == "image":  # a picture is read by OCR, not kept at any size
            meta["download_maxsize"] = self.settings.getint("XXGK_MAX_IMAGE_BYTES", 20 * 1024 * 1024)
        yield scrapy.Request(
            link.url,
            meta=meta,
            priority=ATTACHMENT_PRIORITY,
            callback=self.parse_attachment,
            errback=self.attachment_failed,
            dont_filter=True,  # the chain must reach the item even if another page links the same file
            cb_kwargs={"item": item, "link": link, "rest": rest},
        )

    def parse_attachment(self, response: Response, item: ReportItem, link: Link, rest: list[Link]):
        item.attachments.append(
            AttachmentItem(
                url=response.url,
                link_text=link.text or None,
                filename=safe_display_name(filename_from_disposition(response.headers.get("Content-Disposition"))),
                content_type=_header(response, "Content-Type"),
                sha256=response.meta["xxgk_sha256"],
                fetch_id=response.meta.get("xxgk_fetch_id"),
                role=link.role,
            )
        )
        if link.role == "image":
            self.images[link.url] = item.attachments[-1]
        yield from self._next_attachment(item, rest)

    def attachment_failed(self, failure):
        request = failure.request
        kwargs = request.cb_kwargs
        item = kwargs["item"]
        item.complete = False
        self.logger.warning("attachment %s of %s not archived: %s", request.url, item.url, failure.getErrorMessage())
        self.crawler.stats.inc_value("xxgk/attachment_errors")
        yield from self._next_attachment(item, kwargs["rest"])

    def report_failed(self, failure):
        self.crawler.stats.inc_value("xxgk/report_errors")
        self.logger.warning("report %s not archived: %s", failure.request.url, failure.getErrorMessage())
        response = getattr(failure.value, "response", None)  # an HttpError's
        status = response.status if isinstance(response, Response) else None
        yield ListedReportFailed(url=failure.request.url, list_date=failure.request.cb_kwargs.get("list_date"),
                                 status=status, failing=status in GONE_STATUSES)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
