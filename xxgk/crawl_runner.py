"""Run crawls in this process with the project's Scrapy settings, one crawler per site."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.sites import Site, apply_site_settings


@dataclass
class CrawlResult:
    site: str
    pages_fetched: int
    reports_new: int
    reports_changed: int
    reports_unchanged: int
    reports_skipped: int
    errors: int
    finish_reason: str | None
    answers: int = 0  # responses the site gave (any HTTP status): 0 means it could not be reached
    crawl_run_id: int | None = None
    problem: str | None = None  # the first failure, when the site gave no answer at all
    emptied: list[tuple[str, int]] = field(default_factory=list)  # lists with reports before, none now
    reports_vanished: int = 0  # confirmed gone this run (archive.catalogue.update_presence)
    reports_missing: int = 0  # not listed (or failing) this run, not confirmed yet
    reports_back: int = 0  # vanished before, listed again
    reports_moved: int = 0  # not listed, their URLs redirecting to another page of the site

    @property
    def stopped(self) -> bool:
        """Stopped by a signal (SIGTERM, Ctrl-C) before it was done."""
        return self.finish_reason == "shutdown"

    @property
    def reached(self) -> bool:
        return self.answers > 0

    @property
    def reports_found(self) -> int:
        return self.reports_new + self.reports_changed + self.reports_unchanged + self.reports_skipped

    def summary(self) -> str:
        if not self.reached:
            return f"[{self.site}] could not be crawled: {self.problem or 'no answer from the site'}"
        line = (
            f"[{self.site}] crawl {self.finish_reason}: {self.pages_fetched} responses, "
            f"{self.reports_found} reports ({self.reports_new} new, {self.reports_changed} changed, "
            f"{self.reports_unchanged} unchanged, {self.reports_skipped} already archived), {self.errors} errors"
        )
        for url, before in self.emptied:
            line += (f"\n[{self.site}] warning: {url} listed {before} reports last crawl and none now; "
                     "its reports are kept as archived (check the site)")
        if self.reports_vanished or self.reports_back or self.reports_missing or self.reports_moved:
            line += (f"\n[{self.site}] {self.reports_missing} known reports missing this crawl, "
                     f"{self.reports_vanished} now vanished, {self.reports_back} back"
                     + (f", {self.reports_moved} moved" if self.reports_moved else ""))
        return line


def project_settings(db: str, archive: str, overrides: dict[str, str] | None = None) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("XXGK_DB", db, priority="cmdline")
    settings.set("XXGK_ARCHIVE", archive, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawls(sites: list[Site], settings: Settings, *, refresh: bool = False) -> list[CrawlResult]:
    """Crawl every site (concurrently, one crawler each); blocks until all are done.

    Once per process: Twisted's reactor cannot be restarted.
    """
    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler("annual_reports")  # its own copy of the settings
        apply_site_settings(crawler.settings, site)
        process.crawl(
            crawler,
            start_url=site.report_column or site.start_url,  # a discovered body: its 年报 column
            column="1" if site.report_column else "",
            site=site.name,
            refresh="1" if refresh else "",
            attachment_hosts=",".join(site.attachment_hosts),
        )
        crawlers.append((site, crawler))
    process.start()
    # Scrapy's handlers would now send a signal to a stopped reactor, where it
    # is lost: what runs after the crawl (the parse) stops on SIGTERM / Ctrl-C again.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    results = []
    for site, crawler in crawlers:
        stats = crawler.stats.get_stats()
        errors = (
            stats.get("xxgk/fetch_errors", 0)
            + stats.get("xxgk/report_errors", 0)
            + stats.get("xxgk/attachment_errors", 0)
            + stats.get("log_count/ERROR", 0)
        )
        results.append(
            CrawlResult(
                site=site.name,
                pages_fetched=stats.get("downloader/response_count", 0),
                reports_new=stats.get("xxgk/reports_new", 0),
                reports_changed=stats.get("xxgk/reports_changed", 0),
                reports_unchanged=stats.get("xxgk/reports_unchanged", 0),
                reports_skipped=stats.get("xxgk/reports_skipped", 0),
                errors=errors,
                finish_reason=stats.get("finish_reason"),
                answers=stats.get("downloader/response_count", 0),
                crawl_run_id=stats.get("xxgk/crawl_run_id"),
                reports_vanished=stats.get("xxgk/reports_vanished", 0),
                reports_missing=stats.get("xxgk/reports_missing", 0),
                reports_back=stats.get("xxgk/reports_back", 0),
                reports_moved=stats.get("xxgk/reports_moved", 0),
            )
        )
    _explain(settings.get("XXGK_DB"), results)
    return results


def _explain(db_path: str, results: list[CrawlResult]) -> None:
    """The first recorded failure of each site that gave no answer at all, and
    the lists that showed reports in the site's crawl before and none now."""
    from archive.catalogue import emptied_lists, first_fetch_error, open_db

    db = open_db(db_path)
    try:
        for result in results:
            if result.crawl_run_id is None:
                continue
            if not result.reached:
                result.problem = first_fetch_error(db, result.crawl_run_id)
            result.emptied = emptied_lists(db, result.crawl_run_id)
    finally:
        db.close()
