"""A site's list-page budget (``XXGK_MAX_LIST_PAGES``) is one for all the workers
of a distributed crawl, counted in Redis when a list page is first queued (each
worker counting its own would grant a site of many lists the budget once per
worker; a page two workers plan is one page)."""

from __future__ import annotations

import threading

import pytest

from conftest import crawl
from test_distributed import redis_url, rows, start_worker  # noqa: F401 - redis_url is a fixture

from crawler.distributed.redis_server import redis_server_path

pytestmark = pytest.mark.skipif(redis_server_path() is None,
                                reason="redis-server is not installed (scripts/install-redis; make test installs it)")

BUDGET = 6


def test_workers_take_list_pages_from_one_budget(redis_url):  # noqa: F811
    """Four workers' states on one site take pages at once: exactly the budget is granted."""
    import redis

    from crawler.distributed.state import CrawlState, key_prefix

    prefix = key_prefix("budget-test", "sample-large")
    granted = []

    def worker(name):
        state = CrawlState(redis.Redis.from_url(redis_url), prefix, name)
        granted.extend(name for _ in range(20) if state.take_list_page(BUDGET + 4))

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == BUDGET + 4
    assert CrawlState(redis.Redis.from_url(redis_url), prefix).list_pages() == BUDGET + 4
    other = CrawlState(redis.Redis.from_url(redis_url), key_prefix("budget-test", "sample-trs"))
    assert other.take_list_page(1) and not other.take_list_page(1)  # a budget per site


def _list_pages_read(db) -> int:
    """List pages (and list API calls) a run read."""
    return rows(db, "SELECT count(*) FROM list_pages")[0][0]


def test_two_workers_read_no_more_list_pages_than_one_crawl(tmp_path, redis_url):  # noqa: F811
    from sample_portal.server import serve_sites_in_thread

    budget = f"XXGK_MAX_LIST_PAGES={BUDGET}"
    with serve_sites_in_thread(["large"], delay=0.02) as urls:
        alone = crawl(str(urls["large"]), tmp_path / "alone", "-s", budget)
        workers = [start_worker(redis_url, name, tmp_path, "--start-url", str(urls["large"]), settings=[budget])
                   for name in ("w1", "w2")]
        outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (_, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
    single = _list_pages_read(alone.db)
    read = {name: _list_pages_read(tmp_path / name / "xxgk.db") for name in ("w1", "w2")}
    assert single == BUDGET  # the site has more list pages than the budget: one crawl stops at it
    assert sum(read.values()) == single, read  # two workers: that budget between them
