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
    -- is Datasette's own code). A filtered page's facets (a search, a key of
    ``figures``) are counted together with its rows, in one query grouped by
    all of them, instead of one query each that reads the page's rows again:
    a search for 复议 matches every report, and its count and five facets read
    the search index six times. Done by wrapping ``ColumnFacet.facet_results``
    and ``Database.execute``: Datasette 0.65 has no hook for either.

Searches
    A query holding a search's match lists (``publish/plugins/xxgk_archive.py``
    writes them as ``IN (SELECT rowid FROM reports_fts WHERE … MATCH …)``)
    reads each list from its index once, into a temporary table of the
    connection, and a search page's rows query counts the page's rows and
    facets there too: one read of the index for the page (the trigram phrase
    信息公开, in every report, costs 40-75 ms a read). The SQL a visitor is
    shown is the search's own.

Needs only Datasette (0.65) and the standard library.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from pathlib import Path

from datasette import hookimpl
from datasette.database import Database, QueryInterrupted, Results
from datasette.facets import ColumnFacet
from datasette.tracer import trace
from datasette.utils import escape_sqlite, sqlite3, sqlite_timelimit

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


def _sql_order(value) -> tuple:
    """SQLite's order of values (NULL, numbers, text, blobs; text by code point:
    the BINARY collation's UTF-8 byte order)."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, bytes(value))


def _ranked(counts: dict) -> list[list]:
    """[value, count] pairs in the facet query's order (count desc, value), NULL left out."""
    pairs = [[v, n] for v, n in counts.items() if v is not None and n]
    return sorted(pairs, key=lambda pair: (-pair[1], _sql_order(pair[0])))


# A filtered page's facets counted together: (server, database, table, where
# clause, params) -> (columns, {column: [[value, count], ...]}); the last few
# pages' (the count query of a page fills it, its facets read it).
_TOGETHER: OrderedDict = OrderedDict()
_TOGETHER_KEPT = 64


def _together_key(ds, database: str, table: str, where: str, params) -> tuple:
    return (id(ds), database, table, where.strip(), repr(sorted((params or {}).items())))


def _tally(rows, columns: list[str]) -> tuple[dict, int]:
    """Per-column value counts (facet order) of grouped rows (c1, …, cn, count), and their total."""
    by: dict[str, dict] = {column: {} for column in columns}
    total = 0
    for row in rows:
        n = row[len(columns)]
        total += n
        for i, column in enumerate(columns):
            counted = by[column]
            counted[row[i]] = counted.get(row[i], 0) + n
    return {column: _ranked(values) for column, values in by.items()}, total


def _grouped_sql(columns: list[str], rows_sql: str) -> str:
    names = ", ".join(escape_sqlite(column) for column in columns)
    return f"select {names}, count(*) as xxgk_count from ({rows_sql}) group by {names}"


async def _counted_together(facet, columns: list[str]) -> dict | None:
    """The value counts of every facet column of a filtered page, from one query
    (``select c1, c2, …, count(*) from (<the page's rows>) group by c1, c2, …``):
    Datasette runs one query per facet, each reading the page's rows again (on a
    search that matches every report, the search index seven times). Taken from
    the page's count query when it counted them (see :func:`_execute`). None
    when that query is interrupted (each facet is then counted as Datasette does)."""
    head, marker, where = facet.sql.partition(f" from {escape_sqlite(facet.table)} ")
    key = _together_key(facet.ds, facet.database, facet.table, where, facet.params) if marker else None
    known = _TOGETHER.get(key) if key else None
    if known and set(columns) <= set(known[0]):
        return known[1]
    try:
        rows = (await facet.ds.execute(facet.database, _grouped_sql(columns, facet.sql), facet.params,
                                       truncate=False,
                                       custom_time_limit=facet.ds.setting("facet_time_limit_ms"))).rows
    except QueryInterrupted:
        return None
    return _tally(rows, columns)[0]


# The count query of a filtered table page (Datasette 0.65's count_sql).
_COUNT_SQL = re.compile(r"select count\(\*\) from (?P<table>\S+) (?P<where>where .*)", re.S)
_database_execute = Database.execute


def _configured_facets(ds, database: str, table: str) -> list[str]:
    columns = []
    for facet in ds.table_metadata(database, table).get("facets") or []:
        column = facet if isinstance(facet, str) else (facet.get("simple") if isinstance(facet, dict) else None)
        if isinstance(column, str) and column not in columns:
            columns.append(column)
    return columns


def _keep_together(key: tuple, columns: list[str], counts: dict, total: int) -> None:
    _TOGETHER[key] = (columns, counts, total)
    while len(_TOGETHER) > _TOGETHER_KEPT:
        _TOGETHER.popitem(last=False)


# A search's match list in the SQL of publish/plugins/xxgk_archive.py (search_clauses).
_MATCHES = re.compile(r"\(SELECT rowid FROM (?P<index>reports_fts|reports_ngrams) "
                      r"WHERE (?P=index) MATCH :(?P<param>xxgk_search_\d+)\)")
# A table page's rows query (Datasette 0.65): where its where clause ends.
_ROWS_TAIL = re.compile(r"(?:order by .*)?limit \d+(?: offset \d+)?\s*", re.S)


def _rows_where(sql: str, table: str) -> str | None:
    """The where clause of a table page's rows query on ``table``, or None."""
    head, marker, rest = sql.partition(f" from {escape_sqlite(table)} ")
    if not marker or not head.startswith("select ") or "(" in head or not rest.startswith("where "):
        return None
    for tail in _ROWS_TAIL.finditer(rest):
        if tail.end() == len(rest):
            return rest[:tail.start()]
    return None


async def _searched(db, sql: str, params: dict, truncate: bool, page_size, time_limit_ms) -> Results:
    """A query holding search match lists, run with each list read from its
    index once, into a temporary table of the connection (one FTS5 read for a
    page, not one per query: a term in every report costs 40-75 ms a read).
    A table page's rows query also counts the page's rows and facets there,
    grouped (:func:`_execute` then answers the count, the facets read them)."""
    matches = list(dict.fromkeys((m["index"], m["param"]) for m in _MATCHES.finditer(sql)))
    tables = {param: f"xxgk_matches_{i}" for i, (_, param) in enumerate(matches)}
    rewritten = _MATCHES.sub(lambda m: f"(SELECT id FROM temp.{tables[m['param']]})", sql)
    together = None
    match = re.match(r"select (?P<columns>[^()]*?) from (?P<table>\S+) where ", sql, re.S)
    if match and match["columns"] != "count(*)":
        table = _unquote(match["table"])
        where = _rows_where(sql, table)
        columns = _configured_facets(db.ds, db.name, table) if where else []
        if len(columns) > 1:
            together = (table, where, columns)
    ds = db.ds

    def run(conn):
        made = []
        with sqlite_timelimit(conn, time_limit_ms):
            try:
                for (index, param) in matches:
                    name = tables[param]
                    conn.execute(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY)")
                    made.append(name)
                    conn.execute(f"INSERT INTO temp.{name} SELECT rowid FROM {index} WHERE {index} MATCH ?",
                                 [params[param]])
                cursor = conn.execute(rewritten, params)
                limit = ds.max_returned_rows + (1 if ds.max_returned_rows == page_size else 0)
                if limit and truncate:
                    rows = cursor.fetchmany(limit + 1)
                    results = Results(rows[:limit], len(rows) > limit, cursor.description)
                else:
                    results = Results(cursor.fetchall(), False, cursor.description)
                grouped = None
                if together:
                    table, where, columns = together
                    grouped = conn.execute(_grouped_sql(columns, _MATCHES.sub(
                        lambda m: f"(SELECT id FROM temp.{tables[m['param']]})",
                        f"select * from {escape_sqlite(table)} {where}")), params).fetchall()
                return results, grouped
            except (sqlite3.OperationalError, sqlite3.DatabaseError) as error:
                if error.args == ("interrupted",):
                    raise QueryInterrupted(error, sql, params)
                raise
            finally:
                for name in made:
                    conn.execute(f"DROP TABLE IF EXISTS temp.{name}")

    with trace("sql", database=db.name, sql=sql.strip(), params=params):
        results, grouped = await db.execute_fn(run)
    if grouped is not None:
        table, where, columns = together
        counts, total = _tally(grouped, columns)
        _keep_together(_together_key(ds, db.name, table, where, params), columns, counts, total)
    return results


async def _execute(self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None, **kwargs):
    """Database.execute, except on a served catalogue (one with precounted facets):

    - the count of a filtered page of a table with facets is counted with its
      facets, in one query grouped by them (the total of the groups is the
      count): the facets then need no query of their own
      (:func:`_counted_together`);
    - a query holding a search's match lists reads each list once
      (:func:`_searched`), and a search page's rows query counts its rows and
      facets on the way."""
    served = (id(self.ds), self.name) in _FACET_COUNTS and isinstance(sql, str)
    if served and isinstance(params, dict) and "MATCH :xxgk_search_" in sql and _MATCHES.search(sql):
        count = _COUNT_SQL.fullmatch(sql) if sql.startswith("select count(*) from ") else None
        known = _TOGETHER.get(_together_key(self.ds, self.name, _unquote(count["table"]), count["where"], params)) \
            if count else None
        if known:
            return Results([(known[2],)], False, [("count(*)",)])
        if not count:
            limit = self.ds.sql_time_limit_ms
            if custom_time_limit and custom_time_limit < limit:
                limit = custom_time_limit
            return await _searched(self, sql, params, truncate, page_size or self.ds.page_size, limit)
    match = _COUNT_SQL.fullmatch(sql) if served and sql.startswith("select count(*) from ") else None
    if match is None:
        return await _database_execute(self, sql, params, truncate=truncate, custom_time_limit=custom_time_limit,
                                       page_size=page_size, **kwargs)
    table = _unquote(match["table"])
    columns = _configured_facets(self.ds, self.name, table)
    if len(columns) < 2:
        return await _database_execute(self, sql, params, truncate=truncate, custom_time_limit=custom_time_limit,
                                       page_size=page_size, **kwargs)
    rows_sql = f"select * from {match['table']} {match['where']}"
    try:
        rows = (await _database_execute(self, _grouped_sql(columns, rows_sql), params,
                                        custom_time_limit=custom_time_limit, **kwargs)).rows
    except QueryInterrupted:
        return await _database_execute(self, sql, params, truncate=truncate, custom_time_limit=custom_time_limit,
                                       page_size=page_size, **kwargs)
    counts, total = _tally(rows, columns)
    _keep_together(_together_key(self.ds, self.name, table, match["where"], params), columns, counts, total)
    return Results([(total,)], False, [("count(*)",)])


def _facet_columns(facet) -> list[str]:
    columns = []
    for source_and_config in facet.get_configs():
        config = source_and_config["config"]
        column = config.get("column") or config["simple"]
        if column not in columns:
            columns.append(column)
    return columns


async def _facet_results(self):
    counts = _FACET_COUNTS.get((id(self.ds), self.database), {}).get(self.table) if self.table else None
    if not counts or not _unfiltered(self):
        columns = _facet_columns(self)
        counts = await _counted_together(self, columns) if len(columns) > 1 else None
        if counts is None:
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
if not getattr(Database.execute, "_xxgk_counted_with_facets", False):
    _execute._xxgk_counted_with_facets = True
    Database.execute = _execute


@hookimpl
def startup(datasette):
    async def inner():
        await _install_counts(datasette)

    return inner
