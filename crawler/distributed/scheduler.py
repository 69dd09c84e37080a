"""The scheduler of a worker: scrapy-redis's queue and duplicate filter, with
in-flight requests that survive the worker (see :mod:`crawler.distributed.state`).

* A request from Redis is popped into this worker's in-flight hash and carries
  its unit id in ``meta["xxgk_unit"]``. It is released (deleted from the hash)
  once Scrapy's engine no longer holds it: the engine keeps a request in its
  slot from the moment it is taken from the scheduler until its response has
  been through the spider and every item it yielded through the pipeline, and
  the requests it yielded are queued (in Redis: synchronously) before that. A
  request the downloader answers with another request (a redirect, a retry)
  queues that one first, too.
* Requests marked ``meta["xxgk_local"]`` (a report's attachments, fetched one
  after another with the report item they complete: that item names fetches of
  this worker's catalogue) stay in this process, in a local queue, under the
  unit of the report request they continue; the unit is released only when
  the last of them is done. If the worker dies, the report request goes back
  to the queue and another worker fetches the report and its attachments again.
* ``meta["xxgk_seed"]``: the start request, queued once for all workers. The
  worker's crawl run records which crawl it is part of (its name and the
  seeding worker's id), and, when the crawl ends, every worker that took part:
  ``xxgk merge`` counts the crawl's runs as one for vanished reports once all
  are merged (:mod:`archive.crawl_presence`).
* Every ``XXGK_WORKER_BEAT`` seconds: the heartbeat, the release of finished
  units, and the recovery of dead workers' requests.
* When the engine is idle, the worker stays open while any request is queued
  or in flight on another worker (it may yield more), and closes when none is.
  A worker stopped before the crawl is done (SIGTERM) gives its unfinished
  requests back to the queue.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import uuid

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from archive.catalogue import open_db
from archive.merge import record_crawl
from crawler.distributed.state import CrawlState

logger = logging.getLogger(__name__)

UNIT = "xxgk_unit"
LOCAL = "xxgk_local"
SEED = "xxgk_seed"
LIST_PAGE = "xxgk_list_page"  # counted against the site's one list-page budget when first queued


def worker_id(name: str) -> str:
    """This process's id in the crawl: the worker's name, host, pid and a random part
    (a worker restarted under the same name is another member)."""
    return f"{name}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class WorkerScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler):
        instance = cls.from_settings(crawler.settings)
        instance.stats = crawler.stats
        instance.crawler = crawler
        return instance

    def open(self, spider):
        super().open(spider)
        settings = self.crawler.settings
        self.state = CrawlState(self.server, settings.get("XXGK_REDIS_PREFIX"),
                                worker_id(settings.get("XXGK_WORKER") or "worker"))
        self.ttl = settings.getfloat("XXGK_WORKER_TTL", 10.0)
        self.keep = settings.getint("XXGK_REDIS_KEEP", 3600)
        self.local: list = []  # heap of (-priority, n, request)
        self.order = itertools.count()
        self.popped: set[str] = set()  # units taken from Redis, not released yet
        self.done = False
        self.state.beat(self.ttl)
        moved = self.state.recover_dead()
        if moved:
            logger.warning("%d requests of workers that died went back to the queue", moved)
        self.crawler.stats.set_value("xxgk/worker_id", self.state.worker_id)
        self.crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        self.crawler.signals.connect(self.response_received, signal=signals.response_received)
        self.answered = False
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(settings.getfloat("XXGK_WORKER_BEAT", 1.0), now=False)

    def close(self, reason):
        if self.loop.running:
            self.loop.stop()
        # Nothing is released now: a finished worker released everything when it went
        # idle; a stopped one may hold requests the engine let go unanswered, which
        # look done: whatever it holds goes back to the queue.
        moved = self.state.give_back()
        if moved:
            logger.warning("stopped (%s) with %d requests unfinished: back to the queue", reason, moved)
            self.crawler.stats.set_value("xxgk/requests_given_back", moved)
        return super().close(reason)

    # -- queueing -----------------------------------------------------------------

    def enqueue_request(self, request):
        if request.meta.get(SEED):
            request.meta.pop(SEED)
            seeded = self.state.seed(self.queue._encode_request(request), -request.priority)
            self.crawler.stats.set_value("xxgk/seeded", seeded)
            self._record(crawl=f"{self.crawler.settings.get('XXGK_CRAWL') or 'xxgk'}/{self.state.seeder()}")
            self.state.join(self.crawler.settings.get("XXGK_WORKER") or "worker")  # after: a member has its run's crawl
            return seeded
        if request.meta.get(LOCAL):
            heapq.heappush(self.local, (-request.priority, next(self.order), request))
            return True
        if not request.dont_filter and self.df.request_seen(request):  # scrapy-redis's, without its deprecated call
            self.df.log(request, self.spider)
            return False
        # a list page new to every worker (the same page planned by two is one): the site's budget, shared
        if request.meta.get(LIST_PAGE) and not self.state.take_list_page(
                self.crawler.settings.getint("XXGK_MAX_LIST_PAGES", 500)):
            self.crawler.stats.inc_value("xxgk/list_pages_capped")
            return False
        self.queue.push(request)
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.local:
            return heapq.heappop(self.local)[2]
        popped = self.state.pop()
        if popped is None:
            return None
        unit, data = popped
        self.popped.add(unit)
        request = self.queue._decode_request(data)
        request.meta[UNIT] = unit
        self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self):
        return bool(self.local) or len(self.queue) > 0

    def __len__(self):
        return len(self.local) + len(self.queue)

    # -- in flight ------------------------------------------------------------------

    def _held_units(self) -> set:
        """Units the engine (or the local queue) still holds a request of."""
        slot = self.crawler.engine._slot  # requests from taken to scraped (scrapy.core.engine._Slot)
        held = {request.meta.get(UNIT) for request in slot.inprogress}
        held |= {entry[2].meta.get(UNIT) for entry in self.local}
        return held

    def release_done(self) -> None:
        slot = self.crawler.engine._slot
        if slot is None or slot.closing is not None:
            # closing (SIGTERM, a CLOSESPIDER limit): the engine lets go of requests it
            # did not finish; they are given back when the scheduler closes, not released
            return
        done = self.popped - self._held_units()
        if done:
            self.state.release(done)
            self.popped -= done

    def tick(self) -> None:
        try:
            self.state.beat(self.ttl)
            self.release_done()
            moved = self.state.recover_dead()
        except Exception as error:  # Redis away for a moment: the next beat tries again
            logger.warning("worker heartbeat failed: %s", error)
            return
        if moved:
            logger.warning("%d requests of workers that died went back to the queue", moved)
            self.crawler.stats.inc_value("xxgk/requests_recovered", moved)
        slot = self.crawler.engine._slot
        if slot is not None and (moved or self.state.queued()):
            slot.nextcall.schedule()  # an idle engine looks at the queue again now, not in 5 s

    def response_received(self):
        if not self.answered:  # once per worker: the site answered this crawl
            self.answered = True
            self.state.mark_answered()

    def spider_idle(self, spider):
        self.release_done()
        moved = self.state.recover_dead()
        if moved:
            self.crawler.stats.inc_value("xxgk/requests_recovered", moved)
        if self.state.outstanding():
            raise DontCloseSpider  # queued, or in flight on a worker that may yield more
        if not self.done:
            self.done = True
            self.crawler.stats.set_value("xxgk/site_answered", self.state.answered())
            self._record(workers=sorted(self.state.members()))  # who took part: xxgk merge waits for their runs
            self.state.finished(self.keep)

    def _record(self, **crawl) -> None:
        """This worker's crawl run: which distributed crawl, who took part (archive.crawl_presence)."""
        run_id = self.crawler.stats.get_value("xxgk/crawl_run_id")
        if run_id is None:
            return
        db = open_db(self.crawler.settings.get("XXGK_DB"))
        try:
            record_crawl(db, run_id, **crawl)
        finally:
            db.close()
