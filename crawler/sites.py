"""The site registry: portals to crawl on a schedule (``crawler/sites.yaml``).

Each entry names a portal, the body behind it, where it is (province, city,
county), the URL to start from and the CMS family when known (``auto`` lets the
spider recognise it from what the pages serve). ``verified: false`` marks an
entry whose URL could not be checked from where it was written; ``source``
says where the URL was seen. Per-site politeness (``download_delay``,
``concurrency``) overrides the project defaults.

Entries written by ``xxgk sites discover`` (:mod:`crawler.discovered`) also
say the body's ``level``, its ``report_column`` (the crawl starts there and
reads that column only), the page that listed it (``discovered_from``), the
root of the walk (``discovery_root``), the date it was last found there
(``discovered``) and, for one no longer found, ``gone_since``; a root to walk
again before each ``xxgk crawl --all`` carries ``discover: <depth>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

REGISTRY = Path(__file__).with_name("sites.yaml")
FAMILIES = ("auto", "trs", "hanweb", "jsonapi", "pager", "platform")


@dataclass
class Site:
    name: str
    start_url: str
    agency: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    family: str = "auto"
    verified: bool = False
    source: str | None = None
    note: str | None = None
    download_delay: float | None = None
    concurrency: int | None = None
    attachment_hosts: list[str] = field(default_factory=list)
    level: str | None = None
    report_column: str | None = None
    discovered_from: str | None = None
    discovery_root: str | None = None
    discover: int | None = None
    discovered: str | None = None
    gone_since: str | None = None


class RegistryError(ValueError):
    pass


def apply_site_settings(settings, site: Site) -> None:
    """A site's own politeness from the registry (its delay, its concurrency) on its
    crawler's ``settings``, unless the command line gave them."""
    cmdline = 40  # Scrapy's priority of command-line settings
    if site.download_delay is not None and settings.getpriority("DOWNLOAD_DELAY") < cmdline:
        settings.set("DOWNLOAD_DELAY", site.download_delay, priority="spider")
    if site.concurrency is not None and settings.getpriority("CONCURRENT_REQUESTS_PER_DOMAIN") < cmdline:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", site.concurrency, priority="spider")


def load_sites(path: str | Path = REGISTRY) -> list[Site]:
    """Read and check a registry file; errors name the file and the entry."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RegistryError(f"{path}: cannot read the site registry: {error}") from None
    entries = data.get("sites") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a top-level 'sites:' list")
    sites, names = [], set()
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("start_url"):
            raise RegistryError(f"{path}: entry {index} needs at least 'name' and 'start_url'")
        unknown = set(entry) - set(Site.__dataclass_fields__)
        if unknown:
            raise RegistryError(f"{path}: entry {entry['name']!r} has unknown fields {sorted(unknown)}")
        site = Site(**entry)
        if urlsplit(site.start_url).scheme not in ("http", "https"):
            raise RegistryError(f"{path}: entry {site.name!r}: start_url is not http(s): {site.start_url!r}")
        if site.family not in FAMILIES:
            raise RegistryError(f"{path}: entry {site.name!r}: family must be one of {FAMILIES}")
        if site.name in names:
            raise RegistryError(f"{path}: duplicate site name {site.name!r}")
        names.add(site.name)
        sites.append(site)
    return sites


def find_site(sites: list[Site], name: str) -> Site:
    for site in sites:
        if site.name == name:
            return site
    raise RegistryError(f"no site named {name!r} in the registry (see `xxgk sites`)")
