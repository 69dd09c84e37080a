"""Options the commands share, and the checks that keep a user's mistake
from ending in a traceback.

``--db`` names the SQLite catalogue. A file that is there must be one: a
text file, a folder or a damaged database is refused up front, naming the
path and what it is (a new catalogue is made only where there is no file).
:class:`UserErrorGroup` turns the database errors SQLite raises later (a file
damaged past its header) into the same kind of one-line error.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

__all__ = ["DEFAULT_DB", "DEFAULT_ARCHIVE", "db_option", "database_problem", "UserErrorGroup", "scrapy_overrides",
           "hold_archive"]

DEFAULT_DB = "data/xxgk.db"
DEFAULT_ARCHIVE = "data/archive"
_HEADER = b"SQLite format 3\x00"


def scrapy_overrides(pairs: tuple[str, ...], verbose: bool) -> dict[str, str]:
    """The ``-s NAME=VALUE`` pairs of a crawling command as Scrapy settings, with
    Scrapy's own log off unless ``-v`` (or a ``LOG_LEVEL`` given)."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--set")
        settings[name] = value
    if not verbose and "LOG_LEVEL" not in settings:
        settings["LOG_ENABLED"] = "False"
    return settings


def hold_archive(archive: str, doing: str):
    """The archive's lock, held until this process ends (one crawl at a time per
    archive); a held lock is a one-line error: who holds it, and ``not <doing>``."""
    from archive.lock import ArchiveLocked, hold_for_process

    try:
        return hold_for_process(archive)
    except ArchiveLocked as error:
        raise click.ClickException(f"{error}; not {doing}") from None


def database_problem(path: Path) -> str | None:
    """What keeps ``path`` from being an SQLite catalogue, or None (an
    existing database, an empty file, or no file: SQLite makes one)."""
    if path.is_dir():
        return "is a folder, not an SQLite database"
    if not path.exists():
        return None
    try:
        with path.open("rb") as f:
            head = f.read(len(_HEADER))
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if head and head != _HEADER:
        shown = head[:12].decode("utf-8", "replace").replace("\n", " ")
        return f"is not an SQLite database (it begins {shown!r})"
    return None


def _check_db(ctx, param, value):
    if value is not None:
        problem = database_problem(Path(value))
        if problem:
            raise click.BadParameter(f"{value} {problem}", ctx=ctx, param=param)
    return value


def db_option(*, exists: bool = False, help: str = "SQLite catalogue."):
    """``--db``, checked: an SQLite database (``exists``: one that is there)."""
    return click.option("--db", default=DEFAULT_DB, show_default=True, help=help, callback=_check_db,
                        type=click.Path(dir_okay=True, exists=exists))


class UserErrorGroup(click.Group):
    """The main group: SQLite's errors about a damaged or foreign database
    file end as one line naming the problem, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"the catalogue database cannot be used: {error}") from None
