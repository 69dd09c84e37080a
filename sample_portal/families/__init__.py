"""CMS families the sample portal can imitate.

Each family module exposes ``build(manifest) -> RouteTable``.  ``site.yaml``
names the family (``family: trs``).  New families (e.g. a Hanweb-style one
with ``dataproxy.jsp`` POST list endpoints, a JSON-API list, a large
generated portal) are added as further modules here and registered in
``FAMILIES``; the server and the HTTP plumbing stay as they are.
"""

from __future__ import annotations

import importlib

from ..manifest import Manifest
from ..routing import RouteTable

FAMILIES = {
    "trs": "sample_portal.families.trs",
}


def build_routes(manifest: Manifest) -> RouteTable:
    try:
        module = importlib.import_module(FAMILIES[manifest.family])
    except KeyError:
        raise ValueError(f"unknown CMS family {manifest.family!r}; known: {sorted(FAMILIES)}") from None
    return module.build(manifest)
