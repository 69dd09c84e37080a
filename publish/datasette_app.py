"""Serve the archive catalogue with Datasette."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
METADATA = PROJECT_ROOT / "metadata.json"


def checkpoint(db_path: str | Path) -> None:
    """Fold the write-ahead log into the database file.

    Datasette serves the file immutable (read-only, no locking), and an
    immutable reader ignores a ``-wal`` file: without this, rows written by a
    crawl that was killed would be invisible.
    """
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"no archive database at {path}: run `xxgk crawl` or `xxgk demo` first")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def serve_argv(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The ``datasette serve`` command line for the archive (immutable, with metadata)."""
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(db_path),
        "--metadata",
        str(METADATA),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]
