"""SIGTERM stops a crawl cleanly within seconds, and the next crawl goes on from there."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

from conftest import FAST, ROOT

from sample_portal.server import serve_sites_in_thread


def complete_reports(db) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM reports WHERE complete = 1").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_sigterm_mid_crawl_stops_it_within_seconds(tmp_path):
    db, archive = tmp_path / "xxgk.db", tmp_path / "archive"
    with serve_sites_in_thread(["large"]) as urls:
        argv = [sys.executable, "-m", "xxgk", "crawl", "--start-url", urls["large"], "--db", str(db),
                "--archive", str(archive), *FAST, "-s", "DOWNLOAD_DELAY=0.05"]
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while complete_reports(db) < 5 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.2)
            assert proc.poll() is None, "the crawl ended before it could be stopped"
            proc.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            out, err = proc.communicate(timeout=60)  # a hang detector, not a speed target
            stopped_after = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
        assert stopped_after < 30, f"{stopped_after:.1f} s after SIGTERM"
        assert proc.returncode == 1
        assert "crawl stopped by a signal" in err and "Traceback" not in err
        conn = sqlite3.connect(db)
        run = conn.execute("SELECT status, finish_reason FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
        assert run == ("finished", "shutdown")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = conn.execute("SELECT count(*) FROM reports WHERE complete = 1").fetchone()[0]
        conn.close()
        assert done >= 5
        # the next crawl goes on from there and finishes
        again = subprocess.run(argv[:-2] + ["--no-parse"], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        assert complete_reports(db) > done
