"""The published metadata, for a database of any file name.

``metadata.json`` describes the catalogue under the database name ``xxgk``
(its tables, canned queries and search settings, and the front page's links
to ``/xxgk/...``). Datasette keys metadata by database name, and names a
database after its file: served as ``archive-2024.db``, the catalogue is
``archive-2024``, and metadata keyed ``xxgk`` would describe nothing.
:func:`metadata_for` gives the metadata for the name the database is served
under: the same text, its database block under that name, every link into
the database pointed at it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = ["METADATA", "NAME", "metadata_for", "database_name", "write_metadata_for"]

METADATA = Path(__file__).resolve().parents[1] / "metadata.json"
# The database name metadata.json is written for.
NAME = "xxgk"
_LINK = re.compile(rf'(href=")/{NAME}(?=["/?#])')


def database_name(db_path: str | Path) -> str:
    """The name Datasette serves a database file under (its file name without
    the extension, as ``datasette serve`` names it)."""
    return Path(db_path).stem


def _relink(value: Any, prefix: str) -> Any:
    if isinstance(value, str):
        return _LINK.sub(lambda m: m.group(1) + prefix, value)
    if isinstance(value, dict):
        return {k: _relink(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [_relink(v, prefix) for v in value]
    return value


def metadata_for(name: str, metadata: dict | None = None) -> dict:
    """The metadata for the catalogue served as database ``name`` (from
    ``metadata``, else ``metadata.json``)."""
    data = metadata if metadata is not None else json.loads(METADATA.read_text(encoding="utf-8"))
    if name == NAME:
        return data
    from datasette.utils import tilde_encode

    data = _relink(data, "/" + tilde_encode(name))
    databases = data.get("databases") or {}
    if NAME in databases:
        databases = {(name if k == NAME else k): v for k, v in databases.items()}
        data["databases"] = databases
    return data


def write_metadata_for(db_path: str | Path, folder: str | Path) -> Path:
    """Write the metadata for ``db_path`` into ``folder``; its path."""
    path = Path(folder) / f"metadata-{database_name(db_path)}.json"
    path.write_text(json.dumps(metadata_for(database_name(db_path)), ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return path
