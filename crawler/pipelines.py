"""Item pipelines: record reports in the archive catalogue."""

from __future__ import annotations

from dataclasses import asdict

from archive.catalogue import (mark_fetch, mark_seen, open_db, record_check, record_fetch, record_list_page,
                               upsert_report)
from crawler.items import ListSeen, NotFoundPage, RefusedLink, ReportCheck, ReportItem, SeenReport


class ReportCataloguePipeline:
    """One ``reports`` row per report URL; new bytes at a known URL make a new version."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db = open_db(crawler.settings.get("XXGK_DB"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, SeenReport):
            mark_seen(self.db, item.url, item.list_date)
            return item
        if isinstance(item, ListSeen):
            record_list_page(self.db, self.crawler.stats.get_value("xxgk/crawl_run_id"), item.url, item.reports)
            return item
        if isinstance(item, ReportCheck):
            record_check(self.db, self.crawler.stats.get_value("xxgk/crawl_run_id"), item.report_id, item.url,
                         item.status, item.location, item.failing, item.error)
            self.crawler.stats.inc_value("xxgk/reports_checked")
            return item
        if isinstance(item, RefusedLink):
            record_fetch(self.db, url=item.url, final_url=None, method="GET", status=None, kind=item.kind,
                         error=item.message, attempt=0, referer=item.referer,
                         crawl_run_id=self.crawler.stats.get_value("xxgk/crawl_run_id"))
            return item
        if isinstance(item, NotFoundPage):
            if item.fetch_id is not None:
                mark_fetch(self.db, item.fetch_id, "soft_404",
                           f"a not-found page served with status 200 (listed as {item.list_title!r} on {item.list_url})")
            return item
        if not isinstance(item, ReportItem):
            return item
        _, change = upsert_report(
            self.db,
            url=item.url,
            site=item.site,
            sha256=item.sha256,
            fetch_id=item.fetch_id,
            list_url=item.list_url,
            list_title=item.list_title,
            list_date=item.list_date,
            content_type=item.content_type,
            declared_encoding=item.declared_encoding,
            complete=item.complete,
            attachments=[asdict(a) for a in item.attachments],
            crawl_run_id=self.crawler.stats.get_value("xxgk/crawl_run_id"),
        )
        self.crawler.stats.inc_value(f"xxgk/reports_{change}")
        return item

    def close_spider(self):
        self.db.close()
