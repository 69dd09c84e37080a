"""Shared fixtures: the sample portal on loopback, and a crawl of it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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


def query(db, sql: str, params=()) -> list[dict]:
    """Rows of a query on a catalogue file, as dicts."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@dataclass
class Crawl:
    db: Path
    archive: Path
    result: subprocess.CompletedProcess


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
