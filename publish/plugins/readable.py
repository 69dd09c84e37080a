"""Datasette plugin of xxgk-archive: the site readable in Chinese.

Loaded with the rest of ``publish/plugins`` (Datasette and the standard library
only). What it changes:

- **Column headers** show the column's Chinese label (and unit) under its
  name, on table, row and query pages. The label is the part of the column's
  description in ``metadata.json`` before its first ``": "`` (the
  convention: ``"本年新收政府信息公开申请数量（件）: requests.new.total. …"``).
  A query's column that no table describes is labelled from the column it is
  derived from (``disclosed_pct`` → 予以公开 占比（%）, ``withheld_reports`` →
  不予公开 报告数) or from the plugin's ``column_labels``.
- **Facet values** are shown with their Chinese label (``county · 县级``), from
  the plugin's ``value_labels``; the filter still uses the stored value.
- **Long report texts** are cut in every table and row page, with a link to
  ``/-/text/<report id>``: the whole text on a page of its own.
- **Column widths**: titles and agency names wide enough to read, numbers
  right-aligned on one line (``/-/xxgk-archive.css``).
- **The start page** (``/``) leads with what researchers come for: search,
  a body's years, the headline figures, the questions (canned queries), the
  charts and the views, then the tables, the archive's own internals last.

Plugin configuration (metadata ``plugins: {"xxgk-archive": {...}}``):
  column_labels  column name -> Chinese label, for query columns no table has
  value_labels   column name -> {stored value -> Chinese label}
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import Response
from jinja2 import ChoiceLoader, FileSystemLoader

PLUGIN = "xxgk-archive"
TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = Path(__file__).parent / "xxgk-archive.css"
# A label starts with a Chinese character or full-width punctuation (（一）予以公开).
LABEL_START = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Tables whose column labels a query's column takes first (a query's `agency`
# means what report_figures' does).
PREFERRED_TABLES = ("report_figures", "reports", "figures", "timeliness", "metrics", "metric_definitions")
# How a query's derived columns are named: suffix -> how its label is made.
DERIVED = (("_pct", "{} 占比（%）"), ("_reports", "{} 报告数"), ("_share", "{} 占比"))
TEXT_CUT = 240  # characters of a report's text shown in a table cell
TEXT_TABLES = {"reports": "id"}  # table -> its report id column, for the text cut
_COUNTS: dict = {}  # (server, database) -> what the start page says of the archive


def header_label(description: str | None) -> str | None:
    """The Chinese label a column's description starts with (the text before
    its first ``": "``, starting with a Chinese character), or None."""
    if not description or ": " not in description:
        return None
    head = description.split(": ", 1)[0].strip()
    return head if LABEL_START.match(head) and len(head) <= 40 else None


def _config(datasette) -> dict:
    return datasette.plugin_config(PLUGIN) or {}


# (server, database) -> (the metadata's tables block the labels were read from, the labels)
_LABELS: dict[tuple[int, str], tuple[dict, dict[str, dict[str, str]]]] = {}


def column_labels(datasette, database: str | None) -> dict[str, dict[str, str]]:
    """table -> column -> Chinese label, from the metadata's descriptions (read
    once per server and database: every header cell asks; read again when the
    metadata's tables block is another object, as after a metadata reload)."""
    if not database:
        return {}
    tables = (datasette.metadata(database=database) or {}).get("tables") or {}
    cached = _LABELS.get((id(datasette), database))
    if cached is not None and cached[0] is tables:
        return cached[1]
    labels: dict[str, dict[str, str]] = {}
    _LABELS[(id(datasette), database)] = (tables, labels)
    for table, meta in tables.items():
        for column, description in ((meta or {}).get("columns") or {}).items():
            label = header_label(description)
            if label:
                labels.setdefault(table, {})[column] = label
    return labels


def label_for(datasette, database: str | None, table: str | None, column: str) -> str | None:
    """The Chinese label of ``column``: its own table's, else (for a query's
    column) the preferred tables', a derived column's, or the configured one."""
    labels = column_labels(datasette, database)
    if table and column in labels.get(table, {}):
        return labels[table][column]
    if table and table in labels:
        return None  # a table's column without a label stays without one
    configured = _config(datasette).get("column_labels") or {}
    if column in configured:
        return configured[column]
    ordered = [t for t in PREFERRED_TABLES if t in labels] + [t for t in labels if t not in PREFERRED_TABLES]
    for candidate in ordered:
        if column in labels[candidate]:
            return labels[candidate][column]
    for suffix, pattern in DERIVED:
        if column.endswith(suffix) and len(column) > len(suffix):
            base = label_for(datasette, database, None, column[: -len(suffix)])
            if base:
                return pattern.format(base)
    return None


def value_label(datasette, column: str, value) -> str:
    """``value`` with its Chinese label (``county · 县级``) when one is configured."""
    text = "" if value is None else str(value)
    labels = (_config(datasette).get("value_labels") or {}).get(column) or {}
    zh = labels.get(text)
    return f"{text} · {zh}" if zh else text


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """Our templates first (Datasette's own behind them), and the helpers they use."""
    env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), env.loader])
    env.globals["xxgk_label"] = lambda database, table, column: label_for(datasette, database, table, column)
    env.globals["xxgk_value"] = lambda column, value: value_label(datasette, column, value)


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette):
    return [datasette.urls.path("/-/xxgk-archive.css")]


async def stylesheet_view(datasette, request):
    return Response(STYLESHEET.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600"})


async def _catalogue(datasette):
    for name, db in datasette.databases.items():
        if name != "_internal" and await db.table_exists("reports"):
            return name, db
    return None, None


async def text_view(datasette, request):
    """``/-/text/<report id>``: a report's whole extracted text, tables as pipe rows."""
    raw = request.url_vars["report_id"]
    name, db = await _catalogue(datasette)
    if db is None or not raw.isdigit():
        return Response.html("<h1>Not found · 未找到</h1><p>No report with that id.</p>", status=404)
    rows = (await db.execute("select id, title, agency, year, text from reports where id = ?", [int(raw)])).rows
    if not rows:
        return Response.html(f"<h1>Not found · 未找到</h1><p>No report {html.escape(raw)}.</p>", status=404)
    row = rows[0]
    return Response.html(await datasette.render_template("xxgk_text.html", {
        "database": name,
        "report": dict(row),
        "row_url": datasette.urls.row(name, "reports", str(row["id"])),
        "body_url": datasette.urls.path("/-/body?" + _query({"agency": row["agency"]})) if row["agency"] else None,
    }, request=request))


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


@hookimpl
def register_routes(datasette):
    return [
        (r"^/-/xxgk-archive\.css$", stylesheet_view),
        (r"^/-/text/(?P<report_id>[^/]+)$", text_view),
    ]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """A report's text, cut, with a link to the whole of it."""
    if column != "text" or table not in TEXT_TABLES or not isinstance(value, str):
        return None
    try:
        report_id = row[TEXT_TABLES[table]]
    except (IndexError, KeyError):
        return None
    link = datasette.urls.path(f"/-/text/{report_id}")
    shown = value if len(value) <= TEXT_CUT else value[:TEXT_CUT] + "…"
    return markupsafe.Markup(
        f'<div class="xxgk-text-cut">{html.escape(shown)}</div>'
        f'<a class="xxgk-whole-text" href="{html.escape(link)}">whole text · 全文 ({len(value):,} 字)</a>'
    )


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    if view_name != "index":
        return None

    async def inner():
        return {"xxgk_start": await _start_facts(datasette)}

    return inner


async def _start_facts(datasette) -> dict | None:
    """What the start page says of the archive: how many reports, bodies, years,
    and the questions (canned queries) it answers."""
    name, db = await _catalogue(datasette)
    if db is None:
        return None
    facts = {"database": name}
    if await db.table_exists("report_figures"):
        # the catalogue is served immutable: counted once per server (a scan of report_figures)
        key = (id(datasette), name)
        if key not in _COUNTS:
            row = (await db.execute(
                "select count(*) as reports, count(distinct agency) as agencies, min(year) as first_year, "
                "max(year) as last_year, count(distinct province) as provinces from report_figures")).first()
            _COUNTS[key] = dict(row)
        facts.update(_COUNTS[key])
    queries = await datasette.get_canned_queries(name, None)
    facts["queries"] = [
        {"name": key, "title": q.get("title") or key, "url": datasette.urls.query(name, key)}
        for key, q in queries.items()
    ]
    tables = (datasette.metadata(database=name) or {}).get("tables") or {}
    facts["tables"] = [
        {"name": table, "description": ((tables.get(table) or {}).get("description") or ""),
         "url": datasette.urls.table(name, table)}
        for table in tables if not (tables.get(table) or {}).get("hidden")
    ]
    return facts
