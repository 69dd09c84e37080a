"""``xxgk merge``: fold workers' archives into one (see ``archive/merge.py``).

Registered on the main group at the end of :mod:`xxgk.cli`.
"""

from __future__ import annotations

from pathlib import Path

import click

from xxgk.options import DEFAULT_ARCHIVE, database_problem, db_option


def _source(value: str) -> tuple[Path, Path]:
    """A source as given: a catalogue file (its archive is ``archive/`` beside it)
    or a folder holding ``xxgk.db`` and ``archive/``."""
    path = Path(value)
    if path.is_dir():
        path = path / "xxgk.db"
    if not path.exists():
        raise click.ClickException(f"{value}: no archive database there")
    problem = database_problem(path)
    if problem:
        raise click.ClickException(f"{path} {problem}")
    return path, path.parent / "archive"


@click.command("merge")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@db_option(help="The catalogue merged into (made if missing).")
@click.option("--archive", default=DEFAULT_ARCHIVE, show_default=True, type=click.Path(file_okay=False),
              help="The archive folder merged into.")
@click.option("--parse/--no-parse", default=False, show_default=True,
              help="Parse the reports the merge left pending (new ones, and known ones with newer bytes).")
@click.option("--vanish-after", default=2, show_default=True, type=int, metavar="N",
              help="Distributed crawls in a row that must miss a known report before it is vanished "
                   "(XXGK_VANISH_AFTER of xxgk crawl).")
def merge_command(sources, db, archive, parse, vanish_after):
    """Fold archives (a distributed crawl's workers') into one.

    \b
    xxgk merge w1/xxgk.db w2/xxgk.db --db data/xxgk.db --archive data/archive
    xxgk merge w1 w2 --parse     # folders holding xxgk.db and archive/

    Each SOURCE is a catalogue, with its archive folder beside it
    (archive/), or a folder holding both. Bodies are copied by SHA-256, WARC
    files by name; reports are joined by their identity (URL key, else the
    same bytes), with every version, attachment and location; crawl runs are
    kept with the worker they came from. Merging a source again adds nothing.

    Once every worker's runs of a distributed crawl are merged, the crawl is
    counted as one run for vanished reports (a known report its lists no
    longer show is missing; missing in N crawls in a row, vanished), once.
    """
    from archive.catalogue import open_db
    from archive.lock import ArchiveLocked, CrawlLock
    from archive.merge import MergeError, merge_archive

    found = [_source(value) for value in sources]
    try:
        lock = CrawlLock(archive, command="xxgk merge").acquire()
    except ArchiveLocked as error:
        raise click.ClickException(f"{error}; not merging") from None
    try:
        target = open_db(db)
        for source_db, source_archive in found:
            try:
                result = merge_archive(target, Path(archive), source_db, source_archive)
            except MergeError as error:
                raise click.ClickException(str(error)) from None
            click.echo(result.summary())
        from archive.crawl_presence import count_crawls

        for crawl in count_crawls(target, max(1, vanish_after)):  # vanished reports, a distributed crawl as one run
            click.echo(crawl.summary())
        reports, runs, workers = target.execute(
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM crawl_runs), "
            "(SELECT count(DISTINCT worker) FROM crawl_runs)").fetchone()
        click.echo(f"{db}: {reports} reports, {runs} crawl runs from {workers} workers")
        if parse:
            from archive.blobs import BlobStore
            from xxgk.cli import _parse_archived

            _parse_archived(target, BlobStore(archive), only_pending=True)
        else:
            pending = target.execute("SELECT count(*) FROM reports WHERE parse_status = 'pending'").fetchone()[0]
            if pending:
                click.echo(f"{pending} reports to parse: xxgk reparse --pending-only --db {db} --archive {archive}")
    finally:
        lock.release()
