"""Shared fixtures: the sample portal on loopback, and a crawl of it."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Loopback crawls in tests: the portal is ours, no need to be slow with it.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]


def run_xxgk(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the real ``xxgk`` command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "xxgk", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def query(db, sql: str, params=(), *, as_dicts: bool = True) -> list:
    """Rows of a query on a catalogue file, as dicts (or as tuples)."""
    conn = sqlite3.connect(db)
    if as_dicts:
        conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(sql, params).fetchall()
        return [dict(r) for r in rows] if as_dicts else rows
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(argv: list[str], port: int, cwd=ROOT):
    """Run a web server command line until the block ends; yields its base URL once it answers."""
    # A session of its own, stopped as a whole at the end: nothing is left running.
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{argv[:4]} did not start: {proc.stdout.read() if proc.poll() is not None else ''}")
                time.sleep(0.2)
        yield base
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def serve(db: Path, *options: str):
    """`xxgk serve` on ``db``, as the command line runs it; yields the base URL."""
    port = free_port()
    return running([sys.executable, "-m", "xxgk", "serve", "--db", str(db), "--port", str(port), *options], port)


@dataclass
class Crawl:
    db: Path
    archive: Path
    result: subprocess.CompletedProcess

    def copy_to(self, folder: Path) -> Path:
        """A copy of the catalogue as ``folder/xxgk.db``, its archive beside it
        (``folder/archive``, where serve and prepare look): the copy's path."""
        import shutil

        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "xxgk.db"
        shutil.copy(self.db, db)
        shutil.copytree(self.archive, folder / "archive")
        return db


def crawl(portal_url: str, folder: Path, *options: str) -> Crawl:
    db, archive = folder / "xxgk.db", folder / "archive"
    result = run_xxgk(
        "crawl", "--start-url", portal_url, "--db", str(db), "--archive", str(archive), *FAST, *options
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return Crawl(db=db, archive=archive, result=result)


@pytest.fixture(scope="session")
def portal_url():
    from sample_portal.server import serve_in_thread

    with serve_in_thread() as url:
        yield url


@pytest.fixture(scope="session")
def manifest():
    from sample_portal.manifest import load_manifest

    return load_manifest()


@pytest.fixture(scope="session")
def crawled(portal_url, tmp_path_factory) -> Crawl:
    """One crawl of the sample portal from its home page, shared by read-only tests."""
    return crawl(portal_url, tmp_path_factory.mktemp("crawl"))
