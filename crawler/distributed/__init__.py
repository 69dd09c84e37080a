"""Many machines on one crawl: the scheduler queue and the duplicate filter in Redis.

A worker (``xxgk worker``) is the ordinary crawl process with scrapy-redis's
queue and duplicate filter in place of Scrapy's in-memory ones, writing an
archive of its own; ``xxgk merge`` folds the workers' archives into one
(:mod:`archive.merge`).

* :mod:`crawler.distributed.state` -- the crawl's Redis keys and the atomic steps
  on them (seed once, pop into a worker's in-flight hash, release, recover a
  dead worker's requests, tell whether any work is left).
* :mod:`crawler.distributed.scheduler` -- the Scrapy scheduler of a worker.
* :mod:`crawler.distributed.spider` -- the ``annual_reports`` spider as a worker runs it.
* :mod:`crawler.distributed.redis_server` -- a throw-away ``redis-server`` on loopback.
"""
