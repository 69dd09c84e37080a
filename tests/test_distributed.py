"""Many machines on one crawl: a real redis-server, worker processes (``xxgk worker``)
each writing its own archive, and ``xxgk merge`` folding them into one.

After the merge every report the sample portal lists is there exactly once and
``xxgk check`` passes, also when a worker is SIGKILLed mid-crawl with requests
in flight: they come back to the queue when its heartbeat expires, and the
other worker fetches them."""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import FAST, ROOT, run_xxgk

from crawler.distributed.redis_server import redis_server, redis_server_path

pytestmark = pytest.mark.skipif(redis_server_path() is None,
                                reason="redis-server is not installed (scripts/install-redis; make test installs it)")


@pytest.fixture
def redis_url():
    with redis_server() as url:
        yield url


def start_worker(url: str, name: str, folder: Path, *where: str, settings=()) -> subprocess.Popen:
    """``settings``: NAME=VALUE pairs given after the test's fast ones (which they override)."""
    return subprocess.Popen(
        [sys.executable, "-m", "xxgk", "worker", "--redis", url, "--name", name, *where,
         "--db", str(folder / name / "xxgk.db"), "--archive", str(folder / name / "archive"), *FAST,
         "-s", "XXGK_WORKER_TTL=3", *(a for pair in settings for a in ("-s", pair))],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # no catalogue yet
        return []
    finally:
        conn.close()


def complete_reports(db: Path) -> int:
    found = rows(db, "SELECT count(*) FROM reports WHERE complete = 1") if db.exists() else []
    return found[0][0] if found else 0


def listed_paths(family: str) -> set[str]:
    from sample_portal.manifest import load_manifest

    return {r.path for r in load_manifest(family).reports}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# xxgk merge's checks on loopback: no need to be slow (Scrapy's log off, as a user sees it)
MERGE_FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")


def merge(folder: Path, *names: str, options=MERGE_FAST) -> subprocess.CompletedProcess:
    """``options``: of xxgk merge (the settings of its checks)."""
    result = run_xxgk("merge", *(str(folder / name / "xxgk.db") for name in names),
                      "--db", str(folder / "merged" / "xxgk.db"), "--archive", str(folder / "merged" / "archive"),
                      *options)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def check(folder: Path) -> None:
    result = run_xxgk("check", "--db", str(folder / "xxgk.db"), "--archive", str(folder / "archive"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "no faults" in result.stdout


def table_counts(db: Path) -> dict[str, int]:
    tables = [t for (t,) in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
    return {t: rows(db, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}


def assert_every_report_once(db: Path, sites: dict[str, str]) -> None:
    """``sites``: site name -> family; each family's listed reports are there, each once."""
    for site, family in sites.items():
        urls = [u for (u,) in rows(db, "SELECT url FROM reports WHERE site = ?", [site])]
        paths = [path_of(u) for u in urls]
        assert len(paths) == len(set(paths)), f"{site}: a report twice"
        assert set(paths) == listed_paths(family), site
        keys = rows(db, "SELECT count(DISTINCT url_key), count(*), sum(complete) FROM reports WHERE site = ?", [site])[0]
        assert keys[0] == keys[1] == keys[2] == len(urls)


def test_two_workers_share_two_sites_and_merge_into_one_archive(tmp_path, redis_url):
    from sample_portal.server import serve_sites_in_thread

    with serve_sites_in_thread(["large", "platform"], delay=0.01) as urls:
        registry = tmp_path / "sites.yaml"
        sites = {f"sample-{family}": family for family in urls}
        registry.write_text(yaml.safe_dump({"sites": [
            {"name": name, "start_url": str(urls[family]), "family": "auto"} for name, family in sites.items()]}),
            encoding="utf-8")
        started = time.monotonic()
        workers = [start_worker(redis_url, name, tmp_path, "--all", "--sites", str(registry)) for name in ("w1", "w2")]
        outputs = [w.communicate(timeout=300) for w in workers]
        took = time.monotonic() - started
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
        assert "Traceback" not in err
        assert out.count(" finished: ") == 2, out  # one line per site
    # both took part, and between them they fetched each report once
    done = {name: complete_reports(tmp_path / name / "xxgk.db") for name in ("w1", "w2")}
    assert all(done.values()), done
    assert sum(done.values()) == sum(len(listed_paths(f)) for f in sites.values()), done

    first = merge(tmp_path, "w1", "w2")
    merged = tmp_path / "merged" / "xxgk.db"
    assert f"{sum(done.values())} reports, 4 crawl runs from 2 workers" in first.stdout
    assert_every_report_once(merged, sites)
    assert sorted(rows(merged, "SELECT worker, site, status FROM crawl_runs")) == sorted(
        (w, s, "finished") for w in ("w1", "w2") for s in sites)
    # the attachments and pictures of the platform site's reports came with them
    assert rows(merged, "SELECT count(*) FROM attachments")[0][0] == sum(
        rows(tmp_path / w / "xxgk.db", "SELECT count(*) FROM attachments")[0][0] for w in ("w1", "w2")) > 0
    check(tmp_path / "merged")
    before = table_counts(merged)
    again = merge(tmp_path, "w1", "w2")  # idempotent
    assert "0 new, " in again.stdout and "0 bodies and 0 WARC files copied" in again.stdout
    assert table_counts(merged) == before
    assert took < 120, f"{took:.0f} s"


def test_two_workers_on_one_host_send_one_request_per_delay_together(tmp_path, redis_url):
    """The host's politeness slot is shared through Redis: two workers on one site send
    it one request per DOWNLOAD_DELAY between them, not one each."""
    from sample_portal.server import serve_sites_in_thread

    with serve_sites_in_thread(["pagelist"]) as urls:
        site = urls["pagelist"]
        warm = run_xxgk("crawl", "--start-url", str(site), "--db", str(tmp_path / "warm.db"),
                        "--archive", str(tmp_path / "warm"), "--no-parse", *FAST)
        assert warm.returncode == 0, warm.stderr[-3000:]  # every page rendered once: answered as soon as asked
        since = time.time()
        delay = 0.25
        workers = [start_worker(redis_url, name, tmp_path, "--start-url", str(site),
                                settings=[f"DOWNLOAD_DELAY={delay}", "CONCURRENT_REQUESTS=2"])  # both get work
                   for name in ("w1", "w2")]
        outputs = [w.communicate(timeout=300) for w in workers]
        log = sorted((r.time, r.method, r.target) for r in site.requests if r.time >= since)
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
    fetched = {name: rows(tmp_path / name / "xxgk.db", "SELECT count(*) FROM fetches")[0][0] for name in ("w1", "w2")}
    assert min(fetched.values()) >= 5, fetched  # both sent a fair share
    assert len(log) == sum(fetched.values())  # every request on the host is one of theirs
    times = [t for t, _method, _target in log]
    gaps = [b - a for a, b in zip(times, times[1:])]
    # each gap: one turn's send later than the next's by the machine's jitter at most (50 ms was seen on
    # two loaded cores); with a slot per worker the gaps are of 1 ms. On the whole: one request per delay
    assert min(gaps) >= delay * 0.6, [(round(t - since, 3), m, p) for t, m, p in log]
    assert times[-1] - times[0] >= delay * (len(times) - 1) * 0.95


def inflight_requests(url: str, worker: str) -> list[str]:
    """URLs of the requests ``worker`` holds in flight now (its in-flight hashes in Redis)."""
    import redis

    client = redis.Redis.from_url(url)
    found = []
    for key in client.scan_iter(match=f"xxgk:*:inflight:{worker}@*"):
        for entry in client.hvals(key):
            found.append(pickle.loads(entry.split(b"|", 1)[1])["url"])
    client.close()
    return found


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path, redis_url):
    from sample_portal.server import serve_sites_in_thread

    with serve_sites_in_thread(["large"], delay=0.04) as urls:
        where = ("--start-url", str(urls["large"]))
        victim = start_worker(redis_url, "w1", tmp_path, *where)
        survivor = start_worker(redis_url, "w2", tmp_path, *where)
        try:
            deadline = time.monotonic() + 120
            held: list[str] = []
            while time.monotonic() < deadline and victim.poll() is None:
                if complete_reports(tmp_path / "w1" / "xxgk.db") >= 20 and (held := inflight_requests(redis_url, "w1")):
                    break
                time.sleep(0.05)
            assert victim.poll() is None and held, "the worker finished before it could be killed"
            os.killpg(victim.pid, signal.SIGKILL)
            victim.communicate(timeout=30)
            held = inflight_requests(redis_url, "w1")  # what it held when it died: in Redis still
            assert held
            killed_at = complete_reports(tmp_path / "w1" / "xxgk.db")
            out, err = survivor.communicate(timeout=300)
        finally:
            for proc in (victim, survivor):
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
    assert survivor.returncode == 0, err[-3000:]
    assert "requests of dead workers taken back" in out, out
    assert killed_at < len(listed_paths("large"))
    # every request the dead worker held was fetched again by the survivor
    fetched = {u for (u,) in rows(tmp_path / "w2" / "xxgk.db", "SELECT url FROM fetches")}
    assert set(held) <= fetched, set(held) - fetched

    merge(tmp_path, "w1", "w2")
    merged = tmp_path / "merged" / "xxgk.db"
    assert_every_report_once(merged, {"127.0.0.6": "large"})
    assert sorted(rows(merged, "SELECT worker, status FROM crawl_runs")) == [("w1", "interrupted"), ("w2", "finished")]
    check(tmp_path / "merged")  # the killed worker's open WARC file came over cut to its last whole record
    assert list((tmp_path / "w1" / "archive" / "warc").glob("*.open"))  # the source itself is not touched


def test_worker_errors_are_one_line(tmp_path):
    bad = run_xxgk("worker", "--redis", "http://127.0.0.1:1/0", "--name", "w", "--start-url", "http://127.0.0.1:9/",
                   "--db", str(tmp_path / "w.db"), "--archive", str(tmp_path / "a"))
    assert bad.returncode == 2 and "--redis" in bad.stderr and "Traceback" not in bad.stderr
    port = _closed_port()
    away = run_xxgk("worker", "--redis", f"redis://127.0.0.1:{port}/0", "--name", "w",
                    "--start-url", "http://127.0.0.1:9/", "--db", str(tmp_path / "w.db"), "--archive", str(tmp_path / "a"))
    assert away.returncode == 1 and f"cannot reach Redis at redis://127.0.0.1:{port}/0" in away.stderr
    assert "Traceback" not in away.stderr


def test_a_site_no_worker_could_reach_ends_in_exit_1(tmp_path, redis_url):
    port = _closed_port()
    worker = run_xxgk("worker", "--redis", redis_url, "--name", "w1", "--start-url", f"http://127.0.0.1:{port}/",
                      "--db", str(tmp_path / "w1.db"), "--archive", str(tmp_path / "w1"), "-s", "RETRY_TIMES=0")
    out, err = worker.stdout, worker.stderr
    assert worker.returncode == 1, out + err[-2000:]
    assert f"[127.0.0.1] could not be crawled: http://127.0.0.1:{port}/" in out and "refused" in out, out
    assert "1 of 1 site(s) could not be crawled: 127.0.0.1" in err and "Traceback" not in err


def _closed_port() -> int:
    from conftest import free_port

    return free_port()


def test_a_worker_stopped_by_sigterm_gives_its_requests_back(tmp_path, redis_url):
    """SIGTERM: the worker stops within seconds, its unfinished requests go back to the
    queue, and the same worker started again (same name, same archive) finishes the crawl."""
    import redis

    from sample_portal.server import serve_sites_in_thread

    with serve_sites_in_thread(["large"], delay=0.04) as urls:
        where = ("--start-url", str(urls["large"]))
        worker = start_worker(redis_url, "w1", tmp_path, *where)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and worker.poll() is None:
                if complete_reports(tmp_path / "w1" / "xxgk.db") >= 10 and inflight_requests(redis_url, "w1"):
                    break
                time.sleep(0.05)
            assert worker.poll() is None, "the worker finished before it could be stopped"
            worker.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            out, err = worker.communicate(timeout=60)
            stopped_after = time.monotonic() - sent
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        assert worker.returncode == 1 and "worker stopped by a signal" in err and "Traceback" not in err, err[-2000:]
        assert stopped_after < 30
        assert inflight_requests(redis_url, "w1") == []  # nothing left held by it
        client = redis.Redis.from_url(redis_url)
        assert sum(client.zcard(k) for k in client.scan_iter(match="xxgk:*:queue")) > 0  # the rest is queued
        client.close()
        done = complete_reports(tmp_path / "w1" / "xxgk.db")
        assert 0 < done < len(listed_paths("large"))

        again = start_worker(redis_url, "w1", tmp_path, *where)
        out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-3000:]
    assert_every_report_once(tmp_path / "w1" / "xxgk.db", {"127.0.0.6": "large"})
    merge(tmp_path, "w1")
    assert_every_report_once(tmp_path / "merged" / "xxgk.db", {"127.0.0.6": "large"})
    assert [s for (s,) in rows(tmp_path / "merged" / "xxgk.db", "SELECT finish_reason FROM crawl_runs ORDER BY id")] == [
        "shutdown", "finished"]
    check(tmp_path / "merged")


def test_the_crawl_state_steps_on_a_real_redis(redis_url):
    """The atomic steps the workers take (crawler.distributed.state), one by one."""
    import redis

    from crawler.distributed.state import CrawlState

    server = redis.Redis.from_url(redis_url)
    a = CrawlState(server, "xxgk:t:site", "a")
    b = CrawlState(server, "xxgk:t:site", "b")
    a.beat(1)
    b.beat(30)
    assert a.seed(b"start", -111) and not b.seed(b"start again", -111)  # queued once
    server.zadd(a.queue_key, {b"report": -100, b"list": 0})
    assert a.outstanding() == 3
    # popped by priority, into the worker's in-flight hash: still outstanding
    unit, data = a.pop()
    assert data == b"start" and a.in_flight() == 1 and a.queued() == 2 and a.outstanding() == 3
    a.release([unit])
    assert a.in_flight() == 0 and a.outstanding() == 2
    _, data = a.pop()
    assert data == b"report"
    assert b.recover_dead() == 0  # a's heartbeat still lives
    time.sleep(1.5)
    assert b.recover_dead() == 1  # gone: its request is queued again, with its priority
    assert a.in_flight() == 0 and b.workers() == {"b"}
    assert server.zrange(b.queue_key, 0, -1, withscores=True) == [(b"report", -100.0), (b"list", 0.0)]
    assert b.recover_dead() == 0  # once
    # a worker leaving gives back what it holds; the crawl is done when nothing is anywhere
    b.pop(), b.pop()
    assert b.outstanding() == 2 and b.give_back() == 2 and b.outstanding() == 2
    b.server.delete(b.queue_key)
    assert b.outstanding() == 0
    b.share_probe("页面不存在")
    assert CrawlState(server, "xxgk:t:site").probe() == (True, "页面不存在")
    server.close()


def test_the_shared_host_slot_on_a_real_redis(redis_url):
    """The host's turn (crawler.distributed.hostslot): taken once per delay, whoever asks."""
    import asyncio

    from crawler.distributed.hostslot import RedisHostSlotDownloadHandler

    async def turns():
        a, b = (RedisHostSlotDownloadHandler.__new__(RedisHostSlotDownloadHandler) for _ in range(2))
        for handler in (a, b):  # only what shared_turn uses (a whole handler needs a crawler)
            handler.redis_url, handler._client, handler._take, handler._warned = redis_url, None, None, set()
        try:
            first = await a.shared_turn("127.0.0.9", 0.5)
            second = await b.shared_turn("127.0.0.9", 0.5)  # another worker, same host: waits
            other = await b.shared_turn("127.0.0.10", 0.5)  # another host: its own turn
            free = await b.shared_turn("127.0.0.9", 0.0)  # no delay: Redis is not asked
            await asyncio.sleep(second)
            later = await b.shared_turn("127.0.0.9", 0.5)
            return first, second, other, free, later
        finally:
            for handler in (a, b):
                await handler._client.aclose()

    first, second, other, free, later = asyncio.run(turns())
    assert first == 0 and 0.3 < second <= 0.5 and other == 0 and free == 0 and later == 0


def distributed_crawl(tmp_path: Path, redis_url: str, site: str, name: str, workers=("w2", "w1")) -> None:
    """One crawl ``name`` of ``site`` by ``workers``, the first joining before the
    others start (so the last sees the crawl end knowing the first took part)."""
    import redis

    def start(w):
        return start_worker(redis_url, w, tmp_path, "--start-url", str(site), "--crawl", name,
                            settings=["DOWNLOAD_DELAY=0.05", "CONCURRENT_REQUESTS=2"])

    first, *others = workers
    started = [start(first)]
    if others:
        client = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 60
        while not any(client.sismember(key, first) for key in client.scan_iter(match=f"xxgk:{name}:*:members")):
            assert time.monotonic() < deadline and started[0].poll() is None, f"{first} did not join"
            time.sleep(0.05)
        client.close()
        started += [start(w) for w in others]
    for worker in started:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]
    assert rows(tmp_path / workers[-1] / "xxgk.db", "SELECT crawl_workers FROM crawl_runs ORDER BY id DESC")[0] == (
        json.dumps(sorted(workers)),)


def merged_status(tmp_path: Path, url: str) -> list[tuple]:
    return rows(tmp_path / "merged" / "xxgk.db", "SELECT s.status, s.misses, s.evidence FROM report_status s "
                "JOIN reports r ON r.id = s.report_id WHERE r.url = ?", [url])


def test_a_report_removed_between_distributed_crawls_vanishes_after_the_merge(tmp_path, redis_url):
    """Vanished reports after a distributed crawl are counted by xxgk merge, where the
    workers' archives meet: the runs of one crawl of a site as one run, once every
    worker's are merged, and once only; before it counts, the merge checks the
    site's known reports as a single crawl does at its end (tests/test_vanished.py's
    first test: the same evidence, 'not listed; HTTP 404')."""
    from sample_portal.server import serve_in_thread

    def crawl(site, name: str, *merged: str):
        distributed_crawl(tmp_path, redis_url, site, name)
        return merge(tmp_path, *(merged or ("w1", "w2"))).stdout

    def status(url: str):
        return merged_status(tmp_path, url)

    with serve_in_thread() as site:  # the trs family, whose list hides what is hidden
        gone = sorted(listed_paths("trs"))[3]
        gone_url = site.rstrip("/") + gone
        first = crawl(site, "c1")
        assert "[127.0.0.1] distributed crawl c1/w" in first
        # every report fetched by one worker or the other: nothing to check
        assert ": 2 runs counted as one: 0 known reports missing, 0 now vanished, 0 back" in first, first
        assert "checks of distributed crawl" not in first
        site.hide(gone)  # off its list, its page 404
        # the second crawl merged from one worker only: not counted, the other's runs may list it
        partial = crawl(site, "c2", "w1")
        assert "[127.0.0.1] distributed crawl c2/" in partial
        assert "vanished reports not counted until the runs of w2 are merged too" in partial, partial
        assert "checks of distributed crawl" not in partial  # nothing asked of a crawl not counted
        assert status(gone_url) == []
        second = merge(tmp_path, "w1", "w2").stdout
        # the unlisted one is asked, and a few listed ones no worker fetched (XXGK_LISTED_CHECKS, 5)
        checked = re.search(r"\[127\.0\.0\.1\] checks of distributed crawl c2/\S+: (\d+) of \1 known report URLs "
                            r"checked, 1 failing\n", second)
        assert checked and 1 < int(checked.group(1)) <= 1 + 5, second
        assert (f": 2 runs counted as one, {checked.group(1)} URLs checked (1 failing): 1 known reports missing, "
                "0 now vanished, 0 back") in second, second
        assert status(gone_url) == [("missing", 1, "not listed; HTTP 404")]
        third = crawl(site, "c3")
        assert "URLs checked (1 failing): 1 known reports missing, 1 now vanished, 0 back" in third, third
        assert status(gone_url) == [("vanished", 2, "not listed; HTTP 404")]
        events = rows(tmp_path / "merged" / "xxgk.db", "SELECT e.kind, e.evidence, e.status FROM report_events e "
                      "JOIN reports r ON r.id = e.report_id WHERE r.url = ?", [gone_url])
        assert events == [("vanished", "not listed; HTTP 404", 404)]
        checks_before = rows(tmp_path / "merged" / "xxgk.db", "SELECT count(*) FROM report_checks")
        again = merge(tmp_path, "w1", "w2").stdout  # nothing counted twice, nothing asked again
        assert "distributed crawl" not in again and status(gone_url) == [("vanished", 2, "not listed; HTTP 404")]
        assert rows(tmp_path / "merged" / "xxgk.db", "SELECT count(*) FROM report_checks") == checks_before
        site.show()
        back = crawl(site, "c4")
        assert "0 known reports missing, 0 now vanished, 1 back" in back, back
    assert status(gone_url) == [("listed", 0, "listed")]
    # the checks of each crawl that had any to make: one run of that crawl, by the merge
    assert [c.split("/")[0] for (c,) in rows(tmp_path / "merged" / "xxgk.db",
                                             "SELECT crawl FROM crawl_runs WHERE worker = 'merge' ORDER BY id")] == [
        "c2", "c3", "c4"]
    check(tmp_path / "merged")


def test_the_checks_after_a_merge_find_a_dead_link_and_ask_nothing_of_a_site_away(tmp_path, redis_url):
    """A report its list still shows whose page answers 404 is found by the merge's
    checks of listed reports no worker fetched: missing, then vanished, exactly as
    in a single crawl (tests/test_vanished.py, 'still listed; HTTP 404'); the
    checks go at the pace asked, robots.txt first, every answer archived; a site
    away when the merge runs is asked nothing, its crawl counted by its lists only,
    and the merge goes on."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    manifest = load_manifest("trs")
    dead = manifest.reports[3]
    merged = tmp_path / "merged" / "xxgk.db"
    every = ("-s", f"XXGK_LISTED_CHECKS={len(manifest.reports) + 5}")
    with serve_in_thread() as site:
        port = site.server.server_address[1]
        dead_url = site.rstrip("/") + dead.path
        # each worker crawls the site alone first: then both archives hold every report, and
        # in the crawls after no worker fetches one (each skips what its archive holds)
        distributed_crawl(tmp_path, redis_url, site, "a", workers=("w1",))
        distributed_crawl(tmp_path, redis_url, site, "b", workers=("w2",))
        warm = merge(tmp_path, "w1", "w2", options=(*MERGE_FAST, *every)).stdout
        assert "checks of distributed crawl" not in warm and warm.count(": 1 runs counted as one: 0 known") == 2, warm
        site.break_links(dead.path)  # listed still, its page 404
        distributed_crawl(tmp_path, redis_url, site, "c1")
        since = time.time()
        delay = 0.2
        first = merge(tmp_path, "w1", "w2", options=("-s", f"DOWNLOAD_DELAY={delay}",
                                                     "-s", "AUTOTHROTTLE_ENABLED=False",
                                                     *every)).stdout
        log = sorted((r.time, r.method, r.path, r.status) for r in site.requests if r.time >= since)
    n = len(manifest.reports)
    assert "[127.0.0.1] checks of distributed crawl c1/" in first and (
        f": {n} of {n} known report URLs checked, 1 failing\n") in first, first
    assert f": 2 runs counted as one, {n} URLs checked (1 failing): 1 known reports missing, 0 now vanished" in first
    assert merged_status(tmp_path, dead_url) == [("missing", 1, "still listed; HTTP 404")]
    # robots.txt, the soft-404 probe and the start page as a crawl asks them, then one check per report
    # (whichever request the spider's check_request makes), at the pace asked
    assert [p for _, _, p, _ in log[:3]][0::2] == ["/robots.txt", "/"] and "no-such-page" in log[1][2], log[:3]
    checked = log[3:]
    assert sorted(p for _, _, p, _ in checked) == sorted(r.path for r in manifest.reports), log
    assert [s for _, _, p, s in checked if p == dead.path] == [404]
    assert {s for _, _, p, s in checked if p != dead.path} <= {200, 304}
    times = [t for t, *_ in log]
    assert min(b - a for a, b in zip(times, times[1:])) >= delay * 0.8, log  # measured: 0.201-0.300 s
    # each answer archived as any fetch: a row of the merge's run (and WARC records: xxgk check below)
    (run_id,) = rows(merged, "SELECT id FROM crawl_runs WHERE worker = 'merge'")[0]
    assert rows(merged, "SELECT crawl FROM crawl_runs WHERE id = ?", [run_id])[0][0].startswith("c1/")
    fetched = rows(merged, "SELECT method, url, status, kind FROM fetches WHERE crawl_run_id = ? ORDER BY id", [run_id])
    assert len(fetched) == len(log) and sum(1 for f in fetched if f[3] == "check") == n, fetched
    assert rows(merged, "SELECT count(*), sum(failing) FROM report_checks WHERE crawl_run_id = ?", [run_id]) == [(n, 1)]
    checks_before = rows(merged, "SELECT count(*) FROM report_checks")[0][0]

    with serve_in_thread(port=port) as site:
        site.break_links(dead.path)
        distributed_crawl(tmp_path, redis_url, site, "c2")
    # the site is away when the merge runs: nothing asked, nothing marked, the merge done
    away = merge(tmp_path, "w1", "w2", options=(*MERGE_FAST, "-s", "RETRY_TIMES=1", *every))
    assert "[127.0.0.1] checks of distributed crawl c2/" in away.stdout
    assert f": none of {n} made, the site did not answer (http://127.0.0.1:{port}/: " in away.stdout, away.stdout
    assert ": 2 runs counted as one, 0 URLs checked (0 failing): 0 known reports missing" in away.stdout, away.stdout
    assert rows(merged, "SELECT count(*) FROM report_checks")[0][0] == checks_before
    assert merged_status(tmp_path, dead_url) == [("missing", 1, "still listed; HTTP 404")]  # not asked: as it was
    assert rows(merged, "SELECT count(*) FROM crawl_runs WHERE crawl LIKE 'c2/%' AND worker != 'merge'") == [(2,)]
    assert "11 reports, 6 crawl runs from 2 workers, 2 check runs (xxgk merge)" in away.stdout, away.stdout

    with serve_in_thread(port=port) as site:
        site.break_links(dead.path)
        distributed_crawl(tmp_path, redis_url, site, "c3")
        # the missing one is asked first
        twice = merge(tmp_path, "w1", "w2", options=(*MERGE_FAST, "-s", "XXGK_LISTED_CHECKS=1")).stdout
        assert ": 1 of 1 known report URLs checked, 1 failing" in twice, twice
        assert "1 known reports missing, 1 now vanished, 0 back" in twice, twice
        assert merged_status(tmp_path, dead_url) == [("vanished", 2, "still listed; HTTP 404")]
        assert rows(merged, "SELECT count(*) FROM report_status WHERE status != 'listed'") == [(1,)]
        before = table_counts(merged)
        again = merge(tmp_path, "w1", "w2", options=(*MERGE_FAST, *every)).stdout  # nothing counted or asked twice
        assert "distributed crawl" not in again and table_counts(merged) == before
    events = rows(merged, "SELECT e.kind, e.evidence, e.status FROM report_events e "
                  "JOIN reports r ON r.id = e.report_id WHERE r.url = ?", [dead_url])
    assert events == [("vanished", "still listed; HTTP 404", 404)]
    check(tmp_path / "merged")
