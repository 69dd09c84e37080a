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
@click.option("--check/--no-check", default=True, show_default=True,
              help="Before a distributed crawl is counted, check its site's known reports (one request each), "
                   "as a single crawl does at its end (XXGK_MAX_CHECKS, XXGK_LISTED_CHECKS); --no-check: "
                   "by its lists only, no request sent.")
@click.option("--sites", "sites_file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="Site registry YAML for the checks' per-site pace and attachment hosts "
                   "(default: crawler/sites.yaml).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting of the checks (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's own log (the checks).")
def merge_command(sources, db, archive, parse, vanish_after, check, sites_file, overrides, verbose):
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
    longer show, or whose URL fails -- 404, 410, a redirect home -- is
    missing; missing in N crawls in a row, vanished), once. Before that, the
    site's known reports are checked from here as a single crawl checks them
    at its end (one request each at the project's pace, robots.txt obeyed, each
    answer archived; a site that does not answer is asked nothing and its
    crawl is counted by its lists).
    """
    from archive.catalogue import open_db
    from archive.lock import ArchiveLocked, CrawlLock
    from archive.merge import MergeError, merge_archive
    from xxgk.options import scrapy_overrides

    found = [_source(value) for value in sources]
    settings = scrapy_overrides(overrides, verbose)  # a bad pair is an error before anything is merged
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
        from archive.crawl_presence import CHECKER, count_crawls

        if check:
            _check_crawls(target, db, archive, settings, sites_file)
        for crawl in count_crawls(target, max(1, vanish_after)):  # vanished reports, a distributed crawl as one run
            click.echo(crawl.summary())
        reports, runs, workers, checks = target.execute(
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM crawl_runs WHERE worker IS NOT ?), "
            "(SELECT count(DISTINCT worker) FROM crawl_runs WHERE worker IS NOT ?), "
            "(SELECT count(*) FROM crawl_runs WHERE worker IS ?)", [CHECKER] * 3).fetchone()
        click.echo(f"{db}: {reports} reports, {runs} crawl runs from {workers} workers"
                   + (f", {checks} check run{'s' if checks != 1 else ''} (xxgk merge)" if checks else ""))
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


def _check_crawls(target, db: str, archive: str, overrides: dict[str, str], sites_file) -> None:
    """The checks of the distributed crawls this merge can count (see
    :mod:`crawler.distributed.checks`), one line per site. Whatever goes wrong
    here leaves the merge as it is: what was merged is committed already, and
    a crawl not checked is counted by its lists."""
    from archive.crawl_presence import plan_checks
    from xxgk.crawl_runner import project_settings

    settings = project_settings(db, archive, overrides)
    plans = plan_checks(target, settings.getint("XXGK_MAX_CHECKS", 50), settings.getint("XXGK_LISTED_CHECKS", 5))
    if not plans:
        return
    from crawler.distributed.checks import CheckPlan, run_checks
    from crawler.sites import REGISTRY, load_sites

    try:
        registry = {site.name: site for site in load_sites(sites_file or REGISTRY)}
    except Exception as error:  # a broken registry: the project's pace for every site
        click.echo(f"site registry not read ({error}): the checks go at the project's pace", err=True)
        registry = {}
    try:
        results = run_checks([CheckPlan(site=crawl.site, crawl=crawl.crawl, start_url=crawl.start_url, checks=checks)
                              for crawl, checks in plans], settings, registry)
    except Exception as error:  # noqa: BLE001 -- the merge stands; the crawls are counted by their lists
        click.echo(f"checks not made ({type(error).__name__}: {error}); the crawls are counted by their lists",
                   err=True)
        return
    for result in results:
        click.echo(result.summary())
