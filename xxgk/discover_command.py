"""``xxgk sites discover URL``: register every body of a 信息公开 platform's tree.

Thin over the library: the walk is the ``discover_bodies`` spider, the
registry's discovered block :mod:`crawler.discovered`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import click

from xxgk.display import pad
from xxgk.options import DEFAULT_ARCHIVE, db_option

_INDENT = "  "


def run_discovery(roots: list[tuple[str, int, str | None]], settings) -> list:
    """Walk each ``(root URL, depth, name)`` (concurrently); the spiders, with what they found."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawlers = []
    for url, depth, name in roots:
        crawler = process.create_crawler("discover_bodies")
        process.crawl(crawler, root_url=url, depth=depth, name_hint=name)
        crawlers.append(crawler)
    process.start()
    return [crawler.spider for crawler in crawlers]


def _line(node) -> str:
    placed = node.placed
    name = placed.name if placed else "(no name found)"
    level = (placed.level if placed else None) or "?"
    where = node.column or f"no 年报 column found ({node.problem or node.url})"
    indent = _INDENT * (node.depth + 1)
    return f"{pad(indent + level, 18)}{pad(name, 30)}{pad(node.family or 'auto', 8)}{where}"


@click.command("discover")
@click.argument("url", required=False)
@click.option("--depth", default=2, show_default=True, type=click.IntRange(0, 6),
              help="Tiers of bodies below the root to list (2: a prefecture's counties and their bodies).")
@click.option("--name", "name_hint", help="The root body's name, when its pages do not say it.")
@click.option("--registered", is_flag=True,
              help="Walk again every root the registry marks (`discover:`), as `xxgk crawl --all` does.")
@click.option("--sites", "sites_file", default=None, type=click.Path(dir_okay=False),
              help="The registry to write (created if missing; default: crawler/sites.yaml).")
@db_option()
@click.option("--archive", default=DEFAULT_ARCHIVE, show_default=True, type=click.Path(file_okay=False),
              help="Folder of content-addressed bodies (every page discovery fetches is archived).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's own log.")
def discover_command(url, depth, name_hint, registered, sites_file, db, archive, overrides, verbose):
    """Walk a 政府信息公开 platform's tree of bodies and register each as a site.

    \b
    xxgk sites discover http://127.0.2.1:8802/zwgk/xxgk/   # the sample tree: xxgk sample-portal --tree --port 8802
    xxgk sites discover --registered      # every root registered before

    Each body (department, township, county …) becomes a site with its name,
    level, region, 年报 column and CMS family; walking again updates them,
    and marks the bodies the tree no longer lists as gone.
    """
    from crawler.discovered import node_entry, write_registry
    from crawler.sites import REGISTRY, RegistryError, load_sites
    from xxgk.crawl_runner import project_settings
    from xxgk.options import hold_archive, scrapy_overrides

    registry = Path(sites_file or REGISTRY)
    if registered == bool(url):
        raise click.UsageError("give a platform's URL or --registered (not both)")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"not an http(s) URL: {url!r}", param_hint="URL")
        roots = [(url, depth, name_hint)]
    else:
        try:
            sites = load_sites(registry) if registry.exists() else []
        except RegistryError as error:
            raise click.ClickException(str(error)) from None
        roots = [(s.start_url, s.discover, s.agency) for s in sites if s.discover is not None and not s.gone_since]
        if not roots:
            click.echo(f"no discovery roots in {registry} (entries with `discover:`)")
            return
    hold_archive(archive, "discovering")
    spiders = run_discovery(roots, project_settings(db, archive, scrapy_overrides(overrides, verbose)))
    failed = []
    today = date.today().isoformat()
    for (root_url, root_depth, _name), spider in zip(roots, spiders):
        root = spider.root
        if root.problem and not root.children and not root.column:
            failed.append(root_url)
            click.echo(f"[discovery] {root_url} could not be read: {root.problem}", err=True)
            continue
        found = spider.found
        try:
            merge = write_registry(registry, [node_entry(n, root_url, root_depth, today) for n in found], root_url,
                                   today)
        except RegistryError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"[discovery] {root_url}: {len(found)} bodies ({len(merge.new)} new, {len(merge.updated)} "
                   f"updated, {len(merge.gone)} gone, {len(merge.by_hand)} registered by hand) -> {registry}")
        for node in found:
            click.echo(_line(node))
        for name in merge.gone:
            click.echo(f"{_INDENT}gone: {name} (no longer listed; its entry and archive stay)")
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(roots)} discovery root(s) could not be read: "
                                   + ", ".join(failed))
