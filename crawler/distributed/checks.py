"""The checks of a distributed crawl, made by ``xxgk merge`` after the merge.

A single crawl asks, once its lists are done, whether the known reports they
did not show (and a few listed ones it did not fetch) still answer: one check
request each (:meth:`AnnualReportsSpider.check_request`, read by ``parse_check``). A distributed crawl's
workers cannot (``XXGK_MAX_CHECKS`` is 0 in a worker): none of them knows every
report, nor has read every list. The merged archive has both, so the checks
are made there, after the merge and before the crawl is counted
(:func:`archive.crawl_presence.plan_checks`, :func:`~archive.crawl_presence.count_crawls`):
one crawler per site in the merge process, with the project's settings (its
polite pace, robots.txt obeyed, retries), each answer archived like any fetch
(WARC records and a ``fetches`` row) and kept in ``report_checks`` under a
crawl run of the same distributed crawl (``crawl_runs.worker`` ``merge``,
``crawl_runs.crawl`` the crawl's name), which is counted with the workers' runs.

The spider starts as a crawl does (the soft-404 probe, which the checks
compare pages with, then the crawl's start page), and the start page must
answer before anything else is asked: a site that is down, or answers its
own start page with an error, is asked nothing more, and its crawl is
counted by its lists only -- a check would only tell that the site is away,
not that a report left it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import scrapy

from archive.catalogue import open_db
from archive.crawl_presence import CHECKER  # crawl_runs.worker of the check runs
from archive.merge import record_crawl, record_worker
from crawler.spiders.annual_reports import ATTACHMENT_PRIORITY, AnnualReportsSpider

PROBLEM = "xxgk/site_unanswered"  # stat: why the site was asked nothing


@dataclass
class CheckPlan:
    """The checks one distributed crawl of a site would have made at its end."""

    site: str
    crawl: str
    start_url: str
    checks: list[tuple[int, str]]  # (report_id, url)


@dataclass
class CheckResult:
    site: str
    crawl: str
    planned: int
    crawl_run_id: int | None = None
    checked: int = 0  # answers recorded in report_checks (a failure to answer is one too)
    failing: int = 0  # 404, 410, a redirect home
    unanswered: int = 0  # no HTTP answer (or refused by robots.txt)
    problem: str | None = None  # why none (or not all) were asked: "the site did not answer (…)" …

    def summary(self) -> str:
        where = f"[{self.site}] checks of distributed crawl {self.crawl}"
        if self.problem and not self.checked:
            return f"{where}: none of {self.planned} made, {self.problem}; counted by its lists only"
        line = f"{where}: {self.checked} of {self.planned} known report URLs checked, {self.failing} failing"
        line += f", {self.unanswered} not answered" if self.unanswered else ""
        return line + (f"; then {self.problem}" if self.problem else "")


def site_answers(status: int) -> bool:
    """Whether the start page's answer (redirects followed) says the site is up."""
    return status < 400


class PresenceChecksSpider(AnnualReportsSpider):
    """Only the check requests planned for one site (``checks``: ``(report_id, url)``),
    after the site's soft-404 probe and once its start page has answered."""

    name = "presence_checks"

    def __init__(self, *args, checks=(), crawl: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.planned = [(report_id, url) for report_id, url in checks if self.is_on_site(url)]
        self.crawl = crawl
        self.checked = True  # nothing planned when idle (spider_idle): these are the checks
        self.refresh = True  # nothing is fetched but the checks: the archived reports' keys are not read

    async def start(self):
        run_id = self.crawler.stats.get_value("xxgk/crawl_run_id")
        db = open_db(self.settings.get("XXGK_DB"))
        try:
            record_worker(db, run_id, CHECKER)
            record_crawl(db, run_id, crawl=self.crawl)
        finally:
            db.close()
        if not self.planned:
            return
        # the spider's own start: the soft-404 probe (what the site answers a page that
        # is not there, which the checks compare with), then _start_request below
        async for request in super().start():
            yield request

    def _start_request(self) -> scrapy.Request:
        """The start page, as a crawl asks for it: does the site answer at all?"""
        return scrapy.Request(self.start_url, callback=self.parse_site, errback=self.site_failed,
                              priority=ATTACHMENT_PRIORITY, dont_filter=True, meta={"handle_httpstatus_all": True})

    def parse_site(self, response):
        if not site_answers(response.status):
            self.crawler.stats.set_value(PROBLEM, f"the site did not answer ({response.url}: HTTP {response.status})")
            return
        for report_id, url in self.planned:
            yield self.check_request(report_id, url)

    def site_failed(self, failure):
        self.crawler.stats.set_value(PROBLEM, f"the site did not answer ({failure.request.url}: "
                                              f"{failure.getErrorMessage()[:300]})")
        return []


def run_checks(plans: list[CheckPlan], settings, sites: dict | None = None) -> list[CheckResult]:
    """Make the planned checks, one crawler per site, concurrently; blocks until
    done. Once per process (Twisted's reactor cannot be restarted). ``sites``:
    the registry's entries by name, for a site's own pace and attachment hosts."""
    import signal

    from scrapy.crawler import CrawlerProcess

    from crawler.sites import apply_site_settings

    process = CrawlerProcess(settings)
    crawlers, results = [], []
    for index, plan in enumerate(plans):
        parts = urlsplit(plan.start_url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:  # the spider would refuse it
            results.append((index, CheckResult(site=plan.site, crawl=plan.crawl, planned=len(plan.checks),
                                               problem=f"its start URL is not an http(s) URL ({plan.start_url!r})")))
            continue
        crawler = process.create_crawler(PresenceChecksSpider)
        site = (sites or {}).get(plan.site)
        if site is not None:
            apply_site_settings(crawler.settings, site)
        for name, value in {"XXGK_PRESENCE": False,  # counted with the crawl's runs (archive.crawl_presence)
                            "XXGK_PROGRESS_INTERVAL": 0}.items():
            crawler.settings.set(name, value, priority="cmdline")
        process.crawl(crawler, start_url=plan.start_url, site=plan.site, checks=plan.checks, crawl=plan.crawl,
                      attachment_hosts=",".join(site.attachment_hosts) if site is not None else "")
        crawlers.append((index, plan, crawler))
    if crawlers:
        process.start()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    db = open_db(settings.get("XXGK_DB"))
    try:
        for index, plan, crawler in crawlers:
            result = CheckResult(site=plan.site, crawl=plan.crawl, planned=len(plan.checks),
                                 crawl_run_id=crawler.stats.get_value("xxgk/crawl_run_id"),
                                 problem=crawler.stats.get_value(PROBLEM))
            if result.crawl_run_id is not None:
                result.checked, result.failing, result.unanswered = db.execute(
                    "SELECT count(*), coalesce(sum(failing), 0), coalesce(sum(status IS NULL), 0) "
                    "FROM report_checks WHERE crawl_run_id = ?", [result.crawl_run_id]).fetchone()
            if result.crawl_run_id is None and result.problem is None:
                result.problem = "its check crawler did not start (xxgk merge -v shows why)"
            elif result.problem is None and crawler.stats.get_value("finish_reason") not in (None, "finished"):
                result.problem = f"stopped ({crawler.stats.get_value('finish_reason')})"
            results.append((index, result))
    finally:
        db.close()
    return [result for _, result in sorted(results, key=lambda r: r[0])]  # in the plans' order
