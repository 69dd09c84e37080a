"""Serve the archive catalogue with Datasette."""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from publish.metadata import METADATA, NAME, database_name, write_metadata_for

PROJECT_ROOT = Path(__file__).resolve().parents[1]


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


PLUGINS_DIR = PROJECT_ROOT / "publish" / "plugins"

# Datasette settings of the published site (also used by `xxgk publish`).
SETTINGS = {
    "sql_time_limit_ms": "5000",
    "truncate_cells_html": "300",
    "facet_time_limit_ms": "1000",
    "default_page_size": "50",
    # Suggested facets are found by counting every column of the table: on an
    # archive of 100,000 reports that is most of a page's time (2 s of
    # report_figures' 2.1 s). The facets metadata.json configures stay.
    "suggest_facets": "off",
}


def settings_args() -> list[str]:
    args: list[str] = []
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args


def serve_argv(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    archive_dir: str | Path | None = None,
    prepare_db: bool = True,
) -> list[str]:
    """The ``datasette serve`` command line for the archive (immutable, with
    metadata for the name it is served under, and the project's plugins).

    Unless ``prepare_db`` is false, first builds the published schema
    (:func:`publish.prepare.prepare`; a no-op when nothing changed), with
    ``archive_dir`` or else the ``archive/`` folder beside the database.
    Call :func:`checkpoint` before this.
    """
    if prepare_db:
        from publish.prepare import default_archive_dir, prepare

        prepare(db_path, archive_dir if archive_dir is not None else default_archive_dir(db_path))
    metadata = METADATA
    if database_name(db_path) != NAME:  # metadata keyed by the name the file is served under
        folder = Path(tempfile.gettempdir()) / "xxgk-serve"
        folder.mkdir(exist_ok=True)
        metadata = write_metadata_for(db_path, folder)
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(db_path),
        "--metadata",
        str(metadata),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--host",
        host,
        "--port",
        str(port),
        *settings_args(),
    ]
