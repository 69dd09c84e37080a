"""A crawl SIGKILLed at random moments and started again ends as if never interrupted.

The first kill lands early (start-up, the first lists); the others once the run has
archived a random share of what is left, then a random moment later, so that every
kill lands mid-way whatever the speed of the machine."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from conftest import FAST, ROOT
from archive.warc import OPEN_SUFFIX, read_responses


def start_crawl(url, folder, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "xxgk", "crawl", "--start-url", url, "--db", str(folder / "xxgk.db"),
         "--archive", str(folder / "archive"), "--no-parse", *FAST, *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def catalogue(folder):
    conn = sqlite3.connect(folder / "xxgk.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        reports = dict(conn.execute("SELECT url, sha256 FROM reports WHERE complete = 1"))
        total = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        bodies = {r[0] for r in conn.execute("SELECT sha256 FROM bodies")}
        statuses = [r[0] for r in conn.execute("SELECT status FROM crawl_runs ORDER BY id")]
        return reports, total, bodies, statuses
    finally:
        conn.close()


def runs_recorded(folder) -> int:
    """How many ``crawl_runs`` rows the catalogue holds now (0 before it exists)."""
    path = folder / "xxgk.db"
    if not path.exists():
        return 0
    conn = sqlite3.connect(path, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    except sqlite3.OperationalError:  # no schema yet
        return 0
    finally:
        conn.close()


def reports_done(folder) -> int:
    """Complete reports in the catalogue now (0 before it exists)."""
    path = folder / "xxgk.db"
    if not path.exists():
        return 0
    conn = sqlite3.connect(path, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM reports WHERE complete = 1").fetchone()[0]
    except sqlite3.OperationalError:  # no schema yet
        return 0
    finally:
        conn.close()


def wait_for_reports(folder, target: int, proc, timeout: float) -> None:
    """Until the catalogue holds ``target`` complete reports, the crawl ends, or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None and reports_done(folder) < target:
        time.sleep(0.02)


def test_kill_and_resume_matches_an_uninterrupted_crawl(tmp_path):
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_sites_in_thread

    manifest = load_manifest("large")
    assert len(manifest.reports) >= 300
    rng = random.Random(os.environ.get("XXGK_TEST_SEED", "resume"))
    # A small per-response delay makes the crawl last long enough to be killed mid-way.
    with serve_sites_in_thread(["large"], delay=0.04) as urls:
        url = str(urls["large"])
        reference = tmp_path / "reference"
        started = time.monotonic()
        done = start_crawl(url, reference)
        out, err = done.communicate(timeout=600)
        duration = time.monotonic() - started
        assert done.returncode == 0, err[-3000:]
        expected, total, expected_bodies, _ = catalogue(reference)
        assert len(expected) == total == len(manifest.reports)

        resumed = tmp_path / "resumed"
        kills = 0
        # kills that landed after the run had recorded itself: each of those runs must end up
        # ``interrupted``; a kill during start-up, before the row exists, leaves no run to mark
        kills_of_recorded_runs = 0
        progress = []
        for attempt in range(4):
            runs_before = runs_recorded(resumed)
            done_before = reports_done(resumed)
            proc = start_crawl(url, resumed)
            if attempt == 0:
                # early: start-up, robots.txt, the first list pages
                time.sleep(rng.uniform(0.02, 0.15) * duration)
            else:
                # while reports are being written: once this run has archived a random
                # share of what is left, then a random moment later (the kill lands
                # anywhere in the fetch, WARC and catalogue writes of the next ones)
                target = done_before + max(1, int(rng.uniform(0.05, 0.25) * (len(expected) - done_before)))
                wait_for_reports(resumed, target, proc, timeout=duration)
                time.sleep(rng.uniform(0.0, 0.05) * duration)
            if proc.poll() is None:
                recorded = runs_recorded(resumed) > runs_before
                os.killpg(proc.pid, signal.SIGKILL)
                kills += 1
                kills_of_recorded_runs += recorded
            proc.communicate(timeout=60)
            # killed before it even created the catalogue: nothing archived yet
            try:
                progress.append(len(catalogue(resumed)[0]))
            except sqlite3.OperationalError:  # no catalogue file or schema yet
                progress.append(0)
        assert kills >= 3, "the crawl finished before it could be killed: make the portal slower"
        # killed mid-way (at least once with part of the work done); nothing archived is ever lost
        assert any(0 < n < len(expected) for n in progress) and progress == sorted(progress), progress

        final = start_crawl(url, resumed)
        out, err = final.communicate(timeout=600)
        assert final.returncode == 0, err[-3000:]

    reports, total, bodies, statuses = catalogue(resumed)
    assert reports == expected  # same reports, same bodies, none lost
    assert total == len(expected)  # none duplicated, none left incomplete
    assert expected_bodies <= bodies
    # every earlier run is marked interrupted, the last one finished; a run killed before it
    # wrote its row (the check above can only under-count those that did) has no row at all
    assert statuses[-1] == "finished" and "running" not in statuses, statuses
    assert kills_of_recorded_runs <= statuses.count("interrupted") <= kills, (statuses, kills)
    warc_dir = resumed / "archive" / "warc"
    assert not list(warc_dir.glob(f"*{OPEN_SUFFIX}"))
    warc_bodies = {digest for _, digest, _ in read_responses(warc_dir)}
    assert set(reports.values()) <= warc_bodies
    # and the archive passes its own check: every body matches its hash, every WARC
    # file reads end to end, every report has its fetch and body, no orphan rows
    check = subprocess.run([sys.executable, "-m", "xxgk", "check", "--db", str(resumed / "xxgk.db"),
                            "--archive", str(resumed / "archive")], cwd=ROOT, capture_output=True, text=True,
                           timeout=300)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
