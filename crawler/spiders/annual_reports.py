"""Find a portal's annual-report column and harvest every report listed in it.

Usage::

    scrapy crawl annual_reports -a start_url=http://xxgk.example.gov.cn/
    xxgk crawl --start-url http://xxgk.example.gov.cn/

From the start page the spider looks for the annual-report column by link text
(政府信息公开年报, 信息公开年报, 年度报告, 年报); if the start page has no such
link it follows the links towards the disclosure section (政府信息公开, 信息公开,
政务公开) for a few hops. On list pages it keeps the entries whose title is an
annual information-disclosure report and walks the list's pagination (TRS
``createPageHTML`` pagers, see :mod:`crawler.families.trs`). Only the portal's own
domain is followed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.families import trs
from crawler.items import ReportItem
from crawler.links import page_links, same_site, site_domain
from crawler.titles import is_annual_report_title, is_disclosure_nav_text, is_report_column_text

MAX_NAVIGATION_HOPS = 3


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, start_url: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not start_url:
            raise ValueError("annual_reports needs a start URL: -a start_url=http://…")
        if urlsplit(start_url).scheme not in ("http", "https"):
            raise ValueError(f"start URL must be http(s): {start_url!r}")
        self.start_url = start_url
        self.domain = site_domain(start_url)
        self.allowed_domains = [self.domain]

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse_page, cb_kwargs={"hops": 0})

    # -- pages -----------------------------------------------------------------

    def parse_page(self, response: Response, hops: int = 0, is_list: bool = False):
        """A navigation or list page: report links, pagination, then onward links."""
        if not isinstance(response, TextResponse):
            return
        links = [link for link in page_links(response) if same_site(link.url, self.domain)]
        yield from self._report_requests(response, links)
        if is_list or hops == 0:
            yield from self._pagination_requests(response)
        if is_list:
            return
        columns = [link for link in links if is_report_column_text(link.text)]
        for link in columns:
            yield response.follow(link.url, callback=self.parse_page, cb_kwargs={"is_list": True})
        if not columns and hops < MAX_NAVIGATION_HOPS:
            for link in links:
                if is_disclosure_nav_text(link.text):
                    yield response.follow(link.url, callback=self.parse_page, cb_kwargs={"hops": hops + 1})

    def _report_requests(self, response: TextResponse, links):
        for link in links:
            if is_annual_report_title(link.text):
                yield response.follow(
                    link.url,
                    callback=self.parse_report,
                    cb_kwargs={"list_url": response.url, "list_title": link.text},
                )

    def _pagination_requests(self, response: TextResponse):
        pager = trs.find_pager(response.text)
        if pager is None or pager.current != 0:
            return  # every page is scheduled from the first one
        limit = self.settings.getint("XXGK_MAX_LIST_PAGES", 500)
        if pager.count > limit:
            self.logger.warning("%s claims %d list pages; walking the first %d", response.url, pager.count, limit)
        for url in pager.urls(response.url, limit=limit):
            yield scrapy.Request(url, callback=self.parse_page, cb_kwargs={"is_list": True})

    def parse_report(self, response: Response, list_url: str, list_title: str):
        meta = response.meta
        content_type = response.headers.get("Content-Type")
        yield ReportItem(
            url=response.url,
            list_url=list_url,
            list_title=list_title,
            sha256=meta["xxgk_sha256"],
            fetch_id=meta.get("xxgk_fetch_id"),
            content_type=content_type.decode("latin-1") if content_type else None,
            declared_encoding=meta.get("xxgk_declared_encoding"),
        )
