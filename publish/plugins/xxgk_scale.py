"""What keeps the published site fast on a large archive (100,000 reports, 10
million figures): a Datasette plugin of xxgk-archive, loaded with the others
from ``publish/plugins``.

Row counts
    Datasette counts the rows of a table on each of its pages
    (``select count(*) from metrics``: a second on 16 million rows; the
    ``figures`` view's count, a join, 15 seconds). The catalogue is served
    immutable, so the counts cannot change while it is served:
    ``publish.prepare.prepare`` stores every table's and view's count in
    ``publish_info`` (``table_counts``), and this plugin hands them to Datasette
    at startup as if ``datasette inspect`` had computed them (``inspect_data``,
    which Datasette uses for the unfiltered count of an immutable database).
    A filtered page is still counted by Datasette, on the indexes prepare()
    builds.

Facet counts
    The facets metadata.json configures on ``metrics`` and ``figures`` would
    count their millions of rows at every visit (each a second or more, beyond
    ``facet_time_limit_ms``: "facet timed out"); those of ``timeliness``,
    ``reports`` and ``report_figures`` are most of their pages' time.
    prepare() counts them once (``publish_info.facet_counts``, see
    ``PRECOUNTED_FACETS`` there); on an unfiltered page of those relations
    Datasette's column facet reads its counts from there instead of running its
    ``group by`` (everything else about the facet -- links, labels, truncation
    -- is Datasette's own code). A filtered page's facets are counted by
    Datasette as usual. Done by wrapping ``ColumnFacet.facet_results``: Datasette
    0.65 has no hook for it.

Needs only Datasette (0.65) and the standard library.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from datasette import hookimpl
from datasette.database import QueryInterrupted, Results
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite

# (id of the Datasette, database name) -> {table: {column: [[value, count], ...]}}
_FACET_COUNTS: dict[tuple[int, str], dict] = {}
# The query ColumnFacet.facet_results runs for one column (Datasette 0.65).
_FACET_SQL = re.compile(
    r"\s*select (?P<col>\S+) as value, count\(\*\) as count from \(.*\)\s*where (?P=col) is not null\s*"
    r"group by (?P=col) order by count desc, value limit (?P<limit>\d+)\s*", re.S)


async def _install_counts(datasette) -> None:
    for name, db in list(datasette.databases.items()):
        if name.startswith("_") or db.is_mutable or not await db.table_exists("publish_info"):
            continue
        row = (await db.execute("SELECT value FROM publish_info WHERE key = 'table_counts'")).first()
        if not row or not row[0]:
            continue
        try:
            counts = {str(k): int(v) for k, v in json.loads(row[0]).items()}
        except (TypeError, ValueError):
            continue
        tables = await db.table_names()
        for table in tables:
            if table not in counts:  # a table prepare() did not count (sqlite_stat1 …): counted here, once
                try:
                    counts[table] = (await db.execute(f"SELECT count(*) FROM [{table}]",
                                                      custom_time_limit=1000)).single_value()
                except QueryInterrupted:
                    pass
        # Datasette's hash of an immutable file is its SHA-256, read whole on the
        # first page that shows it (gigabytes): the prepared file's identity is
        # what prepare() built it from and when, which publish_info holds.
        facts = dict((await db.execute(
            "SELECT key, value FROM publish_info WHERE key IN ('fingerprint', 'prepared_at')")).rows)
        identity = hashlib.sha256(f"{facts.get('fingerprint')}|{facts.get('prepared_at')}".encode()).hexdigest()
        inspect_data = dict(datasette.inspect_data or {})
        inspect_data[name] = {
            "hash": identity,
            "size": Path(db.path).stat().st_size if db.path else 0,
            "file": db.path,
            "tables": {t: {"count": n} for t, n in counts.items()},  # views too: their table pages
        }
        datasette.inspect_data = inspect_data
        # the database and index pages list the tables of these counts: tables only
        db._cached_table_counts = {t: counts.get(t) for t in tables}
        row = (await db.execute("SELECT value FROM publish_info WHERE key = 'facet_counts'")).first()
        try:
            facets = json.loads(row[0]) if row and row[0] else {}
        except ValueError:
            facets = {}
        if isinstance(facets, dict):
            _FACET_COUNTS[(id(datasette), name)] = facets


def _unquote(column: str) -> str:
    return column[1:-1].replace("]]", "]") if column.startswith("[") and column.endswith("]") else column


class _PrecountedFacets:
    """Datasette, as a column facet sees it, answering the facet queries of the
    precounted columns from the counts (everything else is the real one)."""

    def __init__(self, ds, database: str, counts: dict):
        self._ds, self._database, self._counts = ds, database, counts

    def __getattr__(self, name):
        return getattr(self._ds, name)

    async def execute(self, database, sql, params=None, **kwargs):
        match = _FACET_SQL.fullmatch(sql)
        column = _unquote(match["col"]) if match else None
        if database == self._database and column in self._counts:
            pairs = self._counts[column][: int(match["limit"])]
            return Results([{"value": v, "count": n} for v, n in pairs], False, [("value",), ("count",)])
        return await self._ds.execute(database, sql, params, **kwargs)


def _unfiltered(facet) -> bool:
    """Whether the facet counts the whole table (no filter, search or page)."""
    if not facet.table or facet.params:
        return False
    pattern = r"select .* from " + re.escape(escape_sqlite(facet.table)) + r"\s*"
    return re.fullmatch(pattern, facet.sql, re.S) is not None


_column_facet_results = ColumnFacet.facet_results


async def _facet_results(self):
    counts = _FACET_COUNTS.get((id(self.ds), self.database), {}).get(self.table) if self.table else None
    if not counts or not _unfiltered(self):
        return await _column_facet_results(self)
    real = self.ds
    self.ds = _PrecountedFacets(real, self.database, counts)
    try:
        return await _column_facet_results(self)
    finally:
        self.ds = real


if not getattr(ColumnFacet.facet_results, "_xxgk_precounted", False):
    _facet_results._xxgk_precounted = True
    ColumnFacet.facet_results = _facet_results


@hookimpl
def startup(datasette):
    async def inner():
        await _install_counts(datasette)

    return inner
