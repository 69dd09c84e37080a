"""``xxgk crawl --processes N``: the sites split over N crawl processes, one archive.

One crawl process is CPU-bound at some hundred pages a second (bench/README.md);
more sites than that are crawled by several. The parent process takes the
archive's lock (archive/lock.py), closes the WARC files a killed crawl left
open, splits the sites over N worker processes by politeness host (the sites of
one domain, ``crawler.links.site_domain``, go to one worker: their requests stay
in one process), starts the workers, waits for them, and reports their results
as one crawl would.

Every worker writes the same archive, and can, safely:

* the lock's open file is handed to each worker (``pass_fds``), so the lock is
  held until the parent *and* every worker have exited: a parent killed with
  SIGKILL leaves its workers crawling under the lock, never beside a new crawl;
* bodies are content-addressed and written atomically (temporary file, fsync,
  rename: archive/blobs.py), so two workers storing the same bytes store one file;
* each worker appends to WARC files of its own (their names carry its pid) and
  does not recover other ``.open`` files (the parent did, before any started);
* the catalogue is SQLite in WAL mode with a busy timeout; a report's rows are
  written in one IMMEDIATE transaction (archive.catalogue.upsert_report), so
  two workers cannot both find a report absent and both insert it.

A worker is ``xxgk crawl --worker RESULTS`` (hidden): it checks that it holds
the lock through the descriptor it was given, crawls its sites, and writes its
results as JSON to RESULTS for the parent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from crawler.links import site_domain
from crawler.sites import Site
from xxgk.crawl_runner import CrawlResult

LOCK_FD_ENV = "XXGK_CRAWL_LOCK_FD"  # the descriptor of the archive's lock a worker was handed


def shard(sites: list[Site], processes: int) -> list[list[Site]]:
    """``sites`` split into at most ``processes`` groups, the sites of one domain
    together, groups as even as the domains allow (largest domain first, each
    into the smallest group so far); registry order kept within a group."""
    by_domain: dict[str, list[Site]] = {}
    for site in sites:
        by_domain.setdefault(site_domain(site.start_url), []).append(site)
    groups: list[list[Site]] = [[] for _ in range(max(1, min(processes, len(by_domain))))]
    for domain_sites in sorted(by_domain.values(), key=len, reverse=True):
        min(groups, key=len).extend(domain_sites)
    order = {id(site): index for index, site in enumerate(sites)}
    return [sorted(group, key=lambda s: order[id(s)]) for group in groups if group]


def check_worker_lock(archive: str) -> str | None:
    """None if this process holds ``archive``'s lock through the descriptor its
    parent handed it (LOCK_FD_ENV), else why not."""
    from archive.lock import current_holder, lock_path

    raw = os.environ.get(LOCK_FD_ENV, "")
    if not raw.isdigit():
        return f"no lock descriptor handed over ({LOCK_FD_ENV})"
    try:
        held, path = os.fstat(int(raw)), os.stat(lock_path(archive))
    except OSError as error:
        return f"the lock descriptor {raw} is not open: {error}"
    if (held.st_dev, held.st_ino) != (path.st_dev, path.st_ino):
        return f"descriptor {raw} is not {lock_path(archive)}"
    holder = current_holder(archive)
    if holder is None or holder.pid != os.getppid():
        return f"{archive}'s lock is not held by this worker's parent (pid {os.getppid()})"
    return None


def write_results(path: str, results: list[CrawlResult]) -> None:
    Path(path).write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False), encoding="utf-8")


def read_results(path: Path) -> list[CrawlResult]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [CrawlResult(**{**row, "emptied": [tuple(e) for e in row.get("emptied", [])]}) for row in rows]


def run_worker_processes(shards: list[list[Site]], *, sites_file: str, db: str, archive: str, warc: str,
                         lock_fd: int, options: list[str]) -> tuple[list[CrawlResult], list[int]]:
    """Run one ``xxgk crawl --worker`` per shard; block until all end. Returns every
    site's result (in shard order; a worker that wrote none adds none) and the
    workers' exit codes. SIGTERM or SIGINT to this process is passed on to every
    worker (each stops as a single crawl does), a second one too (they stop at once)."""
    from archive.warc import recover_all

    recover_all(warc)  # before any worker writes: none recovers another's open file
    with tempfile.TemporaryDirectory(prefix="xxgk-crawl-workers-") as folder:
        outputs = [Path(folder) / f"worker-{index}.json" for index in range(len(shards))]
        workers = []
        env = {**os.environ, LOCK_FD_ENV: str(lock_fd)}
        for group, output in zip(shards, outputs):
            argv = [sys.executable, "-m", "xxgk", "crawl", "--worker", str(output), "--sites", sites_file,
                    *(arg for site in group for arg in ("--site", site.name)),
                    "--db", db, "--archive", archive, "--no-parse", *options]
            # a session of its own: a terminal's Ctrl-C reaches the parent, which passes it on once
            workers.append(subprocess.Popen(argv, env=env, pass_fds=(lock_fd,), start_new_session=True))

        def forward(signum, frame):
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)

        previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            codes = [worker.wait() for worker in workers]
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        results = [result for output in outputs for result in read_results(output)]
    return results, codes
