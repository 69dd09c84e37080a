"""The ``xxgk`` command line: crawl, parse, serve, demo."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import click

from xxgk.options import DEFAULT_ARCHIVE, UserErrorGroup, hold_archive, scrapy_overrides
from xxgk.site_choice import check_choice, chosen_sites, load_registry
from xxgk.options import db_option as _db_option

db_option = _db_option()
archive_option = click.option(
    "--archive", default=DEFAULT_ARCHIVE, show_default=True, type=click.Path(file_okay=False),
    help="Folder of content-addressed bodies.",
)


@click.group(cls=UserErrorGroup)
@click.version_option(package_name="xxgk-archive")
def main():
    """xxgk-archive: crawl, archive, parse and publish government
    information-disclosure annual reports (政府信息公开工作年度报告)."""
    # pdfminer logs every font quirk of every PDF as a warning ("Could not get
    # FontBBox …"): noise at the command line, where a document's real problems
    # are reported as parse warnings
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


@main.command("sample-portal")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for the TRS site alone.")
@click.option("--port", default=8800, show_default=True, type=int, help="Port to listen on.")
@click.option("--all", "all_families", is_flag=True,
              help="Serve every CMS family, each on its own loopback address (127.0.0.1-6).")
@click.option("--tree", is_flag=True,
              help="Serve the discovery tree instead (a prefecture, its counties and their bodies; 127.0.2.1-5).")
def sample_portal_command(host, port, all_families, tree):
    """Serve the bundled sample portal (imitation county 信息公开 sites).

    Without --all: the TRS-style county portal on --host. With --all: the TRS,
    Hanweb, JSON-API, paged-list, 信息公开-platform and large generated sites.
    """
    from sample_portal.server import serve_all_forever, serve_forever

    if tree:
        from sample_portal.tree import serve_tree_forever

        serve_tree_forever(port)
    elif all_families:
        serve_all_forever(port=port)
    else:
        click.echo(f"sample portal on http://{host}:{port}/ (Ctrl-C to stop)")
        serve_forever(host=host, port=port)


sites_option = click.option(
    "--sites", "sites_file", default=None, type=click.Path(dir_okay=False, exists=True),
    help="Site registry YAML (default: crawler/sites.yaml).",
)



@main.command("crawl")
@click.option("--start-url", help="Portal home page, 信息公开 page or 年报 column.")
@click.option("--site", "site_names", multiple=True, metavar="NAME", help="Crawl a registered site (repeatable).")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every registered site.")
@sites_option
@db_option
@archive_option
@click.option("--refresh", is_flag=True, help="Fetch archived reports again (conditional requests), to catch changes.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2 (repeatable).")
@click.option("--parse/--no-parse", default=True, show_default=True, help="Parse new and changed reports after the crawl.")
@click.option("--retry-failed", is_flag=True,
              help="Parse again the reports whose parse failed (otherwise only new bytes retry them).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's own log (otherwise: progress and one summary line per site).")
@click.option("--discover/--no-discover", default=True, show_default=True,
              help="With --all: first walk again the discovery roots of the registry (`xxgk sites discover`).")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(min=1),
              help="Crawl processes for --all/--site: the sites split over them by host, all writing one archive.")
@click.option("--worker", "worker_results", hidden=True, type=click.Path(dir_okay=False),
              help="(internal: a worker of --processes, writing its results to this file)")
def crawl_command(start_url, site_names, all_sites, sites_file, db, archive, refresh, overrides, parse,
                  retry_failed, verbose, processes, worker_results, discover):
    """Crawl portals: find each one's 年报 column, archive every report listed.

    \b
    xxgk crawl --start-url http://127.0.0.1:8800/
    xxgk crawl --site 威海市文登区信息公开
    xxgk crawl --all --sites crawler/sites.yaml

    A crawl can be killed at any moment and started again: what was archived
    stays, and the rerun fetches only what is missing. Exits 1 when a site
    could not be crawled at all (no answer from it), for cron.
    """
    from archive.blobs import BlobStore
    from archive.catalogue import open_db
    from xxgk.crawl_runner import project_settings, run_crawls

    check_choice(start_url, site_names, all_sites)
    if all_sites and discover and not worker_results:
        _rediscover(sites_file, db, archive, overrides, verbose)
    sites = chosen_sites(start_url, site_names, all_sites, sites_file)
    from xxgk import crawl_workers

    if worker_results:  # the parent (xxgk crawl --processes) holds the lock, and handed it over
        if problem := crawl_workers.check_worker_lock(archive):
            raise click.ClickException(f"--worker runs only under xxgk crawl --processes: {problem}")
    else:  # the parse after the crawl included
        lock = hold_archive(archive, "crawling")
    given = scrapy_overrides(overrides, verbose)
    if worker_results:
        given["XXGK_WARC_RECOVER"] = "False"  # the parent recovered them: others' open files are being written
    settings = project_settings(db, archive, given)
    if processes > 1 and not start_url and len(sites) > 1 and not worker_results:
        from crawler.sites import REGISTRY

        results, codes = crawl_workers.run_worker_processes(
            crawl_workers.shard(sites, processes), sites_file=str(sites_file or REGISTRY), db=db, archive=archive,
            warc=settings.get("XXGK_WARC") or str(Path(archive) / "warc"), lock_fd=lock.fileno(),
            options=[*(["--refresh"] if refresh else []), *(a for o in overrides for a in ("-s", o)),
                     *(["-v"] if verbose else [])])
        if len(results) < len(sites) and not any(r.stopped for r in results):
            raise click.ClickException(f"a crawl process failed (exit codes {codes}); what was archived stays")
    else:
        results = run_crawls(sites, settings, refresh=refresh)
    if worker_results:
        crawl_workers.write_results(worker_results, results)
        return
    for result in results:
        click.echo(result.summary())
    if any(r.stopped for r in results):
        raise click.ClickException("crawl stopped by a signal: what was archived stays; the next crawl goes on "
                                   "from there (parse it now with: xxgk reparse --pending-only)")
    if parse:
        _parse_archived(open_db(db), BlobStore(archive), only_pending=True, retry_failed=retry_failed)
    unreached = [r.site for r in results if not r.reached]
    if unreached:
        raise click.ClickException(f"{len(unreached)} of {len(results)} site(s) could not be crawled: "
                                   + ", ".join(unreached))


def _rediscover(sites_file, db, archive, overrides, verbose) -> None:
    """Walk the registry's discovery roots again (in a child process: the crawl's
    reactor runs once per process), so that --all crawls the bodies as they are now."""
    registry = load_registry(sites_file)
    if not any(s.discover is not None and not s.gone_since for s in registry):
        return
    argv = [sys.executable, "-m", "xxgk", "sites", "discover", "--registered", "--db", db, "--archive", archive,
            *(["--sites", sites_file] if sites_file else []), *(a for o in overrides for a in ("-s", o)),
            *(["-v"] if verbose else [])]
    if subprocess.call(argv) != 0:
        click.echo("discovery failed (see above): crawling the sites registered as they were", err=True)


@main.group("sites", invoke_without_command=True)
@sites_option
@db_option
@click.pass_context
def sites_command(ctx, sites_file, db):
    """List the registered sites with their last crawl and report counts
    (`xxgk sites discover URL`: register every body of a 信息公开 platform)."""
    if ctx.invoked_subcommand:
        return
    from crawler.spiders.discover_bodies import is_discovery_walk
    from xxgk.display import pad, width

    registry = load_registry(sites_file)
    activity = {}
    if Path(db).exists():
        from archive.catalogue import open_db, site_activity

        catalogue = open_db(db)
        activity = site_activity(catalogue)
        catalogue.close()

    names = [site.name for site in registry] + list(activity)
    name_width = max([25] + [width(name) + 1 for name in names])

    def line(name, family, verified, site):
        last = site["last"][:19].replace("T", " ") if site and site["last"] else "never"
        return (f"{pad(name, name_width)}{pad(family, 9)}{pad(verified, 9)}{pad(last, 21)}"
                f"{pad(str(site['reports'] if site else 0), 7, right=True)}  ")

    click.echo(f"{pad('site', name_width)}{pad('family', 9)}{pad('verified', 9)}{pad('last crawl (UTC)', 21)}"
               f"{pad('reports', 7, right=True)}  start URL")
    for site in registry:
        click.echo(
            line(site.name, site.family, str(site.verified).lower(), activity.get(site.name)) + site.start_url
            + (f"  (gone since {site.gone_since}: no longer listed by {site.discovery_root})" if site.gone_since else "")
        )
    # Sites the archive holds that this registry does not (a bare --start-url, another registry: the demo's)
    known = {site.name for site in registry}
    others = sorted(name for name in activity if name not in known and not is_discovery_walk(name))
    if others:
        click.echo(f"\ncrawled, not in {sites_file or 'the registry'}:")
        for name in others:
            click.echo(line(name, "-", "-", activity[name]) + (activity[name]["start_url"] or ""))
    walks = sorted(name for name in activity if is_discovery_walk(name))
    if walks:
        click.echo("\ndiscovery walks (`xxgk sites discover`):")
        for name in walks:
            walk = activity[name]
            click.echo(f"{pad(name, name_width)}{walk['runs']} run(s), last {walk['last'][:19].replace('T', ' ')}  "
                       f"{walk['start_url'] or ''}")


def _parse_archived(db, blobs, only_pending: bool, retry_failed: bool = False) -> None:
    from parse.from_archive import parse_reports
    from parse.isolation import WorkerUnavailable

    try:
        summary = parse_reports(db, blobs, only_pending=only_pending, retry_failed=retry_failed,
                                progress=lambda line: click.echo(line, err=True))
    except WorkerUnavailable as error:
        raise click.ClickException(f"cannot parse: {error}") from None
    click.echo(f"parsed {summary.parsed} reports, {summary.failed} failed")
    for error in summary.errors:
        click.echo(f"  {error}", err=True)


@main.command("reparse")
@db_option
@archive_option
@click.option("--pending-only", is_flag=True, help="Only reports not parsed yet (default: all).")
@click.option("--retry-failed", is_flag=True, help="With --pending-only: also the reports whose parse failed.")
def reparse_command(db, archive, pending_only, retry_failed):
    """Re-parse archived reports from their stored bytes (no network)."""
    from archive.blobs import BlobStore
    from archive.catalogue import open_db

    if not Path(db).exists():
        raise click.ClickException(f"no archive database at {db}")
    _parse_archived(open_db(db), BlobStore(archive), only_pending=pending_only, retry_failed=retry_failed)


@main.command("parse")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def parse_command(path, as_json):
    """Parse one report file (.html, .htm, .txt) and print what was found."""
    from parse.errors import UnreadableDocument
    from parse.report import parse_path

    try:
        result = parse_path(path)
    except UnreadableDocument as error:
        raise click.ClickException(str(error)) from None
    data = result.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for name in ("title", "agency", "year", "published", "format", "admin_level"):
        click.echo(f"{name:>11}: {data.get(name)}")
    region = data.get("region") or {}
    if region:
        click.echo(f"{'region':>11}: " + " ".join(str(v) for v in region.values() if v))
    click.echo(f"{'metrics':>11}: {len(data['metrics'])}")
    for metric in data["metrics"]:
        approx = " (approx.)" if metric.get("approximate") else ""
        click.echo(f"    {metric['key']} = {metric['value']} {metric.get('unit') or ''}{approx}  [{metric['source']}]")
    for warning in data["warnings"]:
        click.echo(f"    warning {warning['code']}: {warning['message']}")


def _serve(db: Path, archive: Path, host: str, port: int):
    """Prepare the catalogue for publishing, then become the Datasette server."""
    from publish.datasette_app import checkpoint, serve_argv

    try:
        checkpoint(db)
        argv = serve_argv(db, host=host, port=port, archive_dir=archive)
    except FileNotFoundError as error:  # no database, or an archive folder that is none
        raise click.ClickException(str(error)) from None
    base = f"http://{host}:{port}"
    click.echo(f"Datasette on {base}/{db.stem} (reports: {base}/{db.stem}/report_figures, charts: {base}/-/charts)")
    sys.stdout.flush()
    # exec, not a child process: stopping `xxgk serve` stops the server.
    os.execv(argv[0], argv)


@main.command("serve")
@db_option
@click.option("--archive", default=None, type=click.Path(file_okay=False),
              help="Folder of archived bodies, for the links to archived copies [default: archive/ beside the db].")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve_command(db, archive, host, port):
    """Browse the archive in Datasette (read-only, with metadata.json, search, charts)."""
    db = Path(db)
    _serve(db, Path(archive) if archive else db.parent / "archive", host, port)


@main.command("demo")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Where the demo archive is built (data/: where every other command looks by default).")
@click.option("--family", "families", multiple=True, metavar="FAMILY",
              help="Serve and crawl only this sample site (repeatable; trs, hanweb, jsonapi, pagelist, platform, "
                   "large, realdocs). Default: all of them.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve with Datasette at the end.")
def demo_command(data_dir, port, serve, families):
    """Start the sample portal, crawl every site of it, parse, build the archive, serve it."""
    import yaml

    from sample_portal.families import ALL_FAMILIES
    from sample_portal.server import serve_sites_in_thread

    unknown = [f for f in families if f not in ALL_FAMILIES]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: no such sample site; known: {', '.join(ALL_FAMILIES)}",
                                 param_hint="--family")

    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    db, archive, registry = data / "xxgk.db", data / "archive", data / "sample-sites.yaml"
    with serve_sites_in_thread(list(families) or None) as urls:
        sites = [{"name": f"sample-{family}", "start_url": str(url), "family": "auto"} for family, url in urls.items()]
        registry.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
        for site in sites:
            click.echo(f"sample portal site {site['name']:<16} {site['start_url']}")
        # The crawl runs in a child process: Twisted's reactor runs once per process.
        code = subprocess.call(
            [sys.executable, "-m", "xxgk", "crawl", "--all", "--sites", str(registry), "--db", str(db),
             "--archive", str(archive), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "LOG_LEVEL=WARNING", "-s", "RETRY_BACKOFF_BASE=0.5"]
        )
    if code != 0:
        raise click.ClickException(f"the crawl failed (exit code {code})")
    if serve:
        _serve(db, archive, "127.0.0.1", port)


# Commands kept in their own modules register themselves below.
from xxgk.eval_command import eval_command  # noqa: E402
main.add_command(eval_command)
from xxgk.publish_commands import export_command, prepare_command, publish_command, release_command  # noqa: E402
main.add_command(prepare_command)
main.add_command(publish_command)
main.add_command(export_command)
main.add_command(release_command)
from xxgk.check_command import check_command  # noqa: E402
main.add_command(check_command)
from xxgk.discover_command import discover_command  # noqa: E402
sites_command.add_command(discover_command)
from xxgk.worker_command import worker_command  # noqa: E402
main.add_command(worker_command)
from xxgk.merge_command import merge_command  # noqa: E402
main.add_command(merge_command)
