"""Crawl bookkeeping: a ``crawl_runs`` row per run, and progress lines while crawling."""

from __future__ import annotations

import sys

from scrapy import signals
from twisted.internet import task

from archive.catalogue import VANISH_AFTER, open_db, update_presence, utc_now


def _counts(stats) -> dict[str, int]:
    get = stats.get_value
    return {
        "pages_fetched": get("downloader/response_count", 0),
        "new_reports": get("xxgk/reports_new", 0),
        "changed_reports": get("xxgk/reports_changed", 0),
        "unchanged_reports": get("xxgk/reports_unchanged", 0),
        "skipped_reports": get("xxgk/reports_skipped", 0),
        "errors": get("xxgk/fetch_errors", 0) + get("xxgk/report_errors", 0) + get("xxgk/attachment_errors", 0)
        + get("log_count/ERROR", 0),
    }


class CrawlRunRecorder:
    """Write a ``crawl_runs`` row when a crawl starts and complete it when it ends.

    A run whose process was killed stays ``running``; the next run of the same
    site marks it ``interrupted``.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.run_id = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        db = open_db(self.crawler.settings.get("XXGK_DB"))
        site = getattr(spider, "site", spider.name)
        with db.atomic():
            db.execute("UPDATE crawl_runs SET status = 'interrupted' WHERE site = ? AND status = 'running'", [site])
            self.run_id = db["crawl_runs"].insert(
                {"site": site, "start_url": getattr(spider, "start_url", None), "started_at": utc_now(), "status": "running"}
            ).last_pk
        db.close()
        self.crawler.stats.set_value("xxgk/crawl_run_id", self.run_id)

    def spider_closed(self, spider, reason):
        db = open_db(self.crawler.settings.get("XXGK_DB"))
        with db.atomic():
            db["crawl_runs"].update(
                self.run_id,
                {"ended_at": utc_now(), "status": "finished", "finish_reason": reason, **_counts(self.crawler.stats)},
            )
        if not self.crawler.settings.getbool("XXGK_PRESENCE", True):  # a worker of a distributed crawl
            db.close()
            return
        try:  # what the run saw of the site's known reports (vanished, back): archive.catalogue.update_presence
            counts = update_presence(db, self.run_id, max(1, self.crawler.settings.getint("XXGK_VANISH_AFTER",
                                                                                          VANISH_AFTER)))
            for name, n in counts.items():
                self.crawler.stats.set_value(f"xxgk/reports_{name}", n)
        finally:
            db.close()


class Progress:
    """Every XXGK_PROGRESS_INTERVAL seconds, one line on stderr: pages, reports, errors."""

    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getfloat("XXGK_PROGRESS_INTERVAL", 10.0))

    def report(self, spider, final: bool = False):
        c = _counts(self.crawler.stats)
        found = c["new_reports"] + c["changed_reports"] + c["unchanged_reports"] + c["skipped_reports"]
        sys.stderr.write(
            f"[{getattr(spider, 'site', spider.name)}] {'done: ' if final else ''}{c['pages_fetched']} pages fetched, "
            f"{found} reports found ({c['new_reports']} new, {c['changed_reports']} changed, "
            f"{c['skipped_reports']} already archived), {c['errors']} errors\n"
        )
        sys.stderr.flush()

    def spider_opened(self, spider):
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report, spider)
            self.loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.interval > 0:
            self.report(spider, final=True)
