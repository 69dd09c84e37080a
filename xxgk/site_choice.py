"""Which sites a command crawls: ``--start-url``, ``--site NAME`` or ``--all``
(the choice ``xxgk crawl`` and ``xxgk worker`` share)."""

from __future__ import annotations

from urllib.parse import urlsplit

import click


def load_registry(sites_file):
    """The site registry (``crawler/sites.yaml`` by default); a broken one is a
    one-line error naming the file."""
    from crawler.sites import REGISTRY, RegistryError, load_sites

    try:
        return load_sites(sites_file or REGISTRY)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None


def check_choice(start_url, site_names, all_sites) -> None:
    if sum(bool(x) for x in (start_url, site_names, all_sites)) != 1:
        raise click.UsageError("give exactly one of --start-url, --site or --all")


def chosen_sites(start_url, site_names, all_sites, sites_file) -> list:
    """The sites chosen: the one at ``start_url`` (named by its host), the
    registry's sites named, or all of them but the bodies discovery no longer
    finds (``gone_since``)."""
    from crawler.sites import RegistryError, Site, find_site

    check_choice(start_url, site_names, all_sites)
    if start_url:
        parts = urlsplit(start_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"not an http(s) URL: {start_url!r}", param_hint="--start-url")
        return [Site(name=parts.hostname, start_url=start_url)]
    registry = load_registry(sites_file)
    try:
        return ([s for s in registry if not s.gone_since] if all_sites
                else [find_site(registry, name) for name in site_names])
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
