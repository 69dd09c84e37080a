"""The ``annual_reports`` spider as a worker runs it.

The adapter is small because scrapy-redis's queue serializes requests with
their callbacks by name and their ``cb_kwargs`` pickled, so any worker can
continue any request the spider yields; what it adds:

* ``start()``: the probe and start requests go to Redis once for all workers
  (``meta["xxgk_seed"]``, :class:`crawler.distributed.scheduler.WorkerScheduler`).
  scrapy-redis 0.9.1's own ``RedisSpider`` reads start URLs from a Redis list
  through ``start_requests``/``next_requests``; it is not used: the spider's own
  Scrapy 2.13+ ``async def start()`` is kept, with its requests marked.
* The site's answer to a missing page (the soft-404 probe, read by one worker)
  is shared through Redis, for the report pages every worker reads.
* A report's attachment requests stay with the worker that read the report
  (``meta["xxgk_local"]``): the report item they complete names fetches of
  that worker's catalogue.
* The site's list-page budget (``XXGK_MAX_LIST_PAGES``) is one for all workers,
  counted in Redis when a list page is first queued (a page two workers plan
  is counted once; a worker alone would grant itself the whole budget).
* The crawl run is tagged with the worker's name (``crawl_runs.worker``), which
  ``xxgk merge`` keeps.

A list's pager state (:class:`crawler.paging.PageWindow`) travels pickled with
each page's request, so two workers may plan the same next pages: the shared
duplicate filter drops the second copies, and each copy knows at least as
much as the page it came with, so no page is left out.
"""

from __future__ import annotations

from scrapy import Request
from scrapy_redis.connection import get_redis_from_settings

from archive.catalogue import open_db
from archive.merge import record_worker
from crawler.distributed.scheduler import LIST_PAGE, LOCAL, SEED, UNIT
from crawler.distributed.state import CrawlState
from crawler.spiders.annual_reports import AnnualReportsSpider


class WorkerSpider(AnnualReportsSpider):
    name = "annual_reports_worker"

    def _state(self) -> CrawlState:
        if getattr(self, "_crawl_state", None) is None:
            self._crawl_state = CrawlState(get_redis_from_settings(self.settings),
                                           self.settings.get("XXGK_REDIS_PREFIX"))
        return self._crawl_state

    async def start(self):
        run_id = self.crawler.stats.get_value("xxgk/crawl_run_id")
        if run_id is not None:
            db = open_db(self.settings.get("XXGK_DB"))
            try:
                record_worker(db, run_id, self.settings.get("XXGK_WORKER"))
            finally:
                db.close()
        async for request in super().start():
            request.meta[SEED] = True
            yield request

    # -- the list-page budget, shared -------------------------------------------------

    def _list_budget(self) -> int:
        return max(0, self.settings.getint("XXGK_MAX_LIST_PAGES", 500) - self._state().list_pages())

    def _list_request(self, url: str, **kwargs):
        request = super()._list_request(url, **kwargs)
        if request is not None:  # counted when the scheduler queues it for all, past the duplicate filter
            request.meta[LIST_PAGE] = True
        return request

    # -- the soft-404 probe, shared ---------------------------------------------------

    def parse_probe(self, response):
        outputs = list(super().parse_probe(response))
        self._state().share_probe(self.probe_text)
        yield from outputs

    def probe_failed(self, failure):
        outputs = list(super().probe_failed(failure))
        self._state().share_probe(None)
        yield from outputs

    def _known_probe(self) -> None:
        if not getattr(self, "_probe_known", False):
            self._probe_known, text = self._state().probe()
            if self._probe_known:
                self.probe_text = text

    # -- a report and its attachments stay together ---------------------------------------

    @staticmethod
    def _kept_here(outputs, meta):
        for output in outputs:
            if isinstance(output, Request):
                output.meta[LOCAL] = True
                output.meta[UNIT] = meta.get(UNIT)
            yield output

    def parse_report(self, response, *args, **kwargs):
        self._known_probe()
        yield from self._kept_here(super().parse_report(response, *args, **kwargs), response.meta)

    def parse_attachment(self, response, *args, **kwargs):
        yield from self._kept_here(super().parse_attachment(response, *args, **kwargs), response.meta)

    def attachment_failed(self, failure):
        yield from self._kept_here(super().attachment_failed(failure), failure.request.meta)
