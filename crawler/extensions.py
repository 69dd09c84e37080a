"""Crawl bookkeeping: a ``crawl_runs`` row per run, and progress lines while crawling."""

from __future__ import annotations

import logging
import sys

from scrapy import signals
from scrapy.logformatter import LogFormatter as ScrapyLogFormatter
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


def _log_level(settings) -> int:
    """``LOG_LEVEL`` as a number (DEBUG when it names no level)."""
    level = logging.getLevelName(settings.get("LOG_LEVEL", "DEBUG"))
    return level if isinstance(level, int) else logging.DEBUG


class _OwnRecordCounter(logging.Handler):
    """The process's one counting handler on the root logger: each record in the
    stats of the crawler whose spider it names (:class:`LogCount`)."""

    def __init__(self):
        super().__init__()
        self.crawlers: dict = {}  # spider -> (crawler, the least level it counts)

    def add(self, spider, crawler, level: int) -> None:
        self.crawlers[spider] = (crawler, level)
        self.setLevel(min(lvl for _, lvl in self.crawlers.values()))

    def discard(self, spider) -> bool:
        """Forget ``spider``'s crawler; whether any is left."""
        self.crawlers.pop(spider, None)
        if self.crawlers:
            self.setLevel(min(lvl for _, lvl in self.crawlers.values()))
        return bool(self.crawlers)

    def handle(self, record: logging.LogRecord) -> bool:  # no lock, no filters: a dict look-up and a count
        spider = getattr(record, "spider", None)
        if spider is None:
            crawler = getattr(record, "crawler", None)
            spider = getattr(crawler, "spider", None)
        if spider is not None:
            entry = self.crawlers.get(spider)
        elif len(self.crawlers) == 1:  # naming none, with one crawler open: it can only be that one's
            entry = next(iter(self.crawlers.values()))
        else:  # naming none among several sites: no one run's
            entry = None
        if entry is not None and record.levelno >= entry[1]:
            entry[0].stats.inc_value(f"log_count/{record.levelname}")
        return True

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - handle() does the work
        self.handle(record)


class LogCount:
    """Scrapy's ``LogCount`` (the ``log_count/<LEVEL>`` stats), counting only the
    records of this crawler's own site.

    Scrapy's extension puts a handler on the root logger for each crawler, and
    each counts every record of the process: ``xxgk crawl`` runs one crawler per
    site, so one site's error was counted in the ``crawl_runs.errors`` of every
    site crawled beside it. Here one handler serves the process and counts a
    record for the crawler whose spider it names (Scrapy's own records and a
    spider's ``logger`` name it, ``extra={"spider": …}``); a record that names
    none counts for the crawler when it is the only one open, and for none when
    several are (it is no one site's)."""

    handler: _OwnRecordCounter | None = None  # the process's, while a crawler is open

    def __init__(self, crawler):
        self.crawler = crawler
        self.level = _log_level(crawler.settings)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        cls = type(self)
        if cls.handler is None:
            cls.handler = _OwnRecordCounter()
            logging.root.addHandler(cls.handler)
        cls.handler.add(spider, self.crawler, self.level)

    def spider_closed(self, spider, reason):
        cls = type(self)
        if cls.handler is not None and not cls.handler.discard(spider):
            logging.root.removeHandler(cls.handler)
            cls.handler = None


class LogFormatter(ScrapyLogFormatter):
    """Scrapy's log formatter (``LOG_FORMATTER``), without the DEBUG lines of each
    response (``Crawled (200) …``) and item (``Scraped from …``) when ``LOG_LEVEL``
    is above DEBUG: nothing shows or counts them then, and each would still be
    formatted into a log record for every page."""

    def __init__(self, debug: bool = True):
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler):
        return cls(debug=_log_level(crawler.settings) <= logging.DEBUG)

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.debug else None


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
