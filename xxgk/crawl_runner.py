"""Run a crawl in this process with the project's Scrapy settings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings


@dataclass
class CrawlResult:
    pages_fetched: int
    reports_new: int
    reports_changed: int
    reports_unchanged: int
    errors: int
    finish_reason: str | None

    @property
    def reports_found(self) -> int:
        return self.reports_new + self.reports_changed + self.reports_unchanged


def project_settings(db: str, archive: str, overrides: dict[str, str] | None = None) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("XXGK_DB", db, priority="cmdline")
    settings.set("XXGK_ARCHIVE", archive, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(start_url: str, settings: Settings) -> CrawlResult:
    """Crawl one portal from ``start_url``; blocks until done. Once per process (Twisted)."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("annual_reports")
    process.crawl(crawler, start_url=start_url)
    process.start()
    stats = crawler.stats.get_stats()
    errors = sum(v for k, v in stats.items() if k.startswith(("log_count/ERROR", "downloader/exception_count")))
    return CrawlResult(
        pages_fetched=stats.get("downloader/response_count", 0),
        reports_new=stats.get("xxgk/reports_new", 0),
        reports_changed=stats.get("xxgk/reports_changed", 0),
        reports_unchanged=stats.get("xxgk/reports_unchanged", 0),
        errors=errors,
        finish_reason=stats.get("finish_reason"),
    )
