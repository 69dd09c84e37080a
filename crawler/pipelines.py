"""Item pipelines: record reports in the archive catalogue."""

from __future__ import annotations

from dataclasses import asdict

from archive.catalogue import (mark_fetch, mark_seen, record_check, record_fetch, record_list_page,
                               record_listed_failure, upsert_report)
from crawler.archive_writer import ArchiveWriter
from crawler.items import (ListedReportFailed, ListSeen, NotFoundPage, RefusedLink, ReportCheck, ReportItem,
                           SeenReport)


class ReportCataloguePipeline:
    """One ``reports`` row per report URL; new bytes at a known URL make a new version.

    The rows are written by the process's archive writer (:mod:`crawler.archive_writer`);
    an item is done once they are committed."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.writer = ArchiveWriter.acquire(crawler.settings.get("XXGK_DB"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def _rows(self, rows) -> object:
        return await self.writer.write(rows=lambda db, _: rows(db))

    async def process_item(self, item):
        run_id = self.crawler.stats.get_value("xxgk/crawl_run_id")
        if isinstance(item, SeenReport):
            await self._rows(lambda db: mark_seen(db, item.url, item.list_date))
            return item
        if isinstance(item, ListedReportFailed):
            await self._rows(lambda db: record_listed_failure(db, run_id, item.url, item.list_date, item.status,
                                                              item.failing))
            return item
        if isinstance(item, ListSeen):
            await self._rows(lambda db: record_list_page(db, run_id, item.url, item.reports))
            return item
        if isinstance(item, ReportCheck):
            await self._rows(lambda db: record_check(db, run_id, item.report_id, item.url, item.status, item.location,
                                                     item.failing, item.error))
            self.crawler.stats.inc_value("xxgk/reports_checked")
            return item
        if isinstance(item, RefusedLink):
            await self._rows(lambda db: record_fetch(db, url=item.url, final_url=None, method="GET", status=None,
                                                     kind=item.kind, error=item.message, attempt=0,
                                                     referer=item.referer, crawl_run_id=run_id))
            return item
        if isinstance(item, NotFoundPage):
            if item.fetch_id is not None:
                message = f"a not-found page served with status 200 (listed as {item.list_title!r} on {item.list_url})"
                await self._rows(lambda db: mark_fetch(db, item.fetch_id, "soft_404", message))
            return item
        if not isinstance(item, ReportItem):
            return item
        attachments = [asdict(a) for a in item.attachments]
        _, change = await self._rows(lambda db: upsert_report(
            db,
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
            attachments=attachments,
            crawl_run_id=run_id,
        ))
        self.crawler.stats.inc_value(f"xxgk/reports_{change}")
        return item

    def close_spider(self):
        self.writer.release()
