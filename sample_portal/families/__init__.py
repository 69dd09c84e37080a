"""CMS families the sample portal imitates, one site each.

Each family module exposes ``build(manifest) -> RouteTable``; the families
other than TRS also expose ``load_manifest() -> Manifest`` (TRS reads
``site.yaml``).  Each site runs on its own loopback address so that another
family's site really is another host.

| family     | address    | imitates                                                   |
|------------|------------|------------------------------------------------------------|
| trs        | 127.0.0.1  | TRS WCM county portal (createPageHTML pager)                |
| hanweb     | 127.0.0.2  | Hanweb 大汉 JCMS (inline datastore + dataproxy.jsp POST)    |
| jsonapi    | 127.0.0.3  | Vue/Axios-era portal (list filled from a JSON API)         |
| pagelist   | 127.0.0.4  | old GBK site, plain ``list.html?page=N`` links             |
| platform   | 127.0.0.5  | 政府信息公开 platform (年报 by year, per-agency pages)      |
| large      | 127.0.0.6  | a large TRS portal: hundreds of generated reports           |
| realdocs   | 127.0.0.7  | the REAL reports of tests/gold/real, as they are (年报 list) |
| listforms  | 127.0.0.9  | one 年报 sub-column per real list form (TRS API, Hanweb, Ucap, JSON POST) |
| hostile    | 127.0.0.8  | opt-in: good reports beside every fault a crawler can meet  |

``FAMILIES`` is the default set: what ``python -m sample_portal --all``,
``serve_sites_in_thread()`` and the demo crawl serve.  ``OPT_IN_FAMILIES``
(the ``hostile`` site: redirect loops, resets, a zip bomb, a 10^8-page pager)
are served only when asked for by name (``--family hostile``,
``serve_sites_in_thread(["hostile"])``), so no default crawl meets them.
``ALL_FAMILIES`` / ``ALL_ADDRESSES`` hold both.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..manifest import Manifest
from ..routing import RouteTable

# family -> (module, one-line description)
FAMILIES: dict[str, tuple[str, str]] = {
    "trs": ("sample_portal.families.trs", "TRS WCM county portal (createPageHTML pager)"),
    "hanweb": ("sample_portal.families.hanweb", "Hanweb 大汉 JCMS (datastore + dataproxy.jsp POST)"),
    "jsonapi": ("sample_portal.families.jsonapi", "Vue/Axios portal (JSON list API)"),
    "pagelist": ("sample_portal.families.pagelist", "GBK site with list.html?page=N pager links"),
    "platform": ("sample_portal.families.platform", "信息公开 platform (年报 by year and by agency)"),
    "large": ("sample_portal.families.large", "large generated TRS portal (300+ reports)"),
    "realdocs": ("sample_portal.families.realdocs", "the real reports of tests/gold/real, as they are"),
    "listforms": ("sample_portal.families.listforms", "every real list form, one 年报 sub-column each"),
}

ADDRESSES: dict[str, str] = {
    "trs": "127.0.0.1",
    "hanweb": "127.0.0.2",
    "jsonapi": "127.0.0.3",
    "pagelist": "127.0.0.4",
    "platform": "127.0.0.5",
    "large": "127.0.0.6",
    "realdocs": "127.0.0.7",
    "listforms": "127.0.0.9",
}


# Served only when named: never part of --all, the demo or serve_sites_in_thread().
OPT_IN_FAMILIES: dict[str, tuple[str, str]] = {
    "hostile": ("sample_portal.families.hostile", "hostile portal: good reports beside every fault (opt-in)"),
}

OPT_IN_ADDRESSES: dict[str, str] = {
    "hostile": "127.0.0.8",
}

ALL_FAMILIES: dict[str, tuple[str, str]] = {**FAMILIES, **OPT_IN_FAMILIES}
ALL_ADDRESSES: dict[str, str] = {**ADDRESSES, **OPT_IN_ADDRESSES}


def family_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(ALL_FAMILIES[name][0])
    except KeyError:
        raise ValueError(f"unknown CMS family {name!r}; known: {sorted(ALL_FAMILIES)}") from None


def build_routes(manifest: Manifest) -> RouteTable:
    return family_module(manifest.family).build(manifest)
