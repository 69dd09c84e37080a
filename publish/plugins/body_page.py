"""A body's page: all its reports, year by year, side by side (``/-/body?agency=…``).

A plugin module of its own beside ``xxgk_archive.py`` (Datasette loads every
module of ``publish/plugins/``). What it serves:

  /-/body?agency=<name>   the body that publishes under ``name`` (any of its
                          names: reports are joined on ``reports.body_key``,
                          :func:`parse.bodies.body_key`), with
  /-/body?key=<body_key>  ... or the body named by its key.

The page shows
  * every report of the body: title (its ``reports`` row), archived copy,
    original URL, report form, publication date;
  * one column per report (a year with two reports has both, labelled), one
    row per figure the body's reports state, in the template's order
    (:mod:`parse.template`; labels and units from ``metric_definitions``).
    Each number links to its ``metrics`` row and has its evidence on hover; a
    figure read by OCR links to the crop of its picture (``/-/crop/``); a
    doubtful figure (``certain = 0``) is always shown with its mark; a figure a
    report does not state is "—", never 0;
  * the checks across years: for each pair of consecutive years, 上年结转 of
    year N against 结转下年度继续办理 of year N−1 per applicant column, as
    agree / differs (both numbers) / cannot compare. "Differs" is what the
    stored ``carryover_mismatch`` warnings say (``parse.figures.across_years``,
    run by every parse); figures that rule leaves out (absent, approximate,
    doubtful) cannot be compared.

Every query goes through an index: ``reports(agency, year)`` and
``reports(body_key, year)`` to find the reports, ``metrics(report_id)`` and
``warnings(report_id)`` for their figures and warnings, primary keys for the
definitions and archived files. Nothing scans ``metrics``.

The plugin uses the sibling plugin ``xxgk_archive.py`` (catalogue lookup,
``crop_url``, report-form labels); :mod:`parse.template` gives the row order
where the project is installed, else ``metric_definitions.sort_order`` (the
vocabulary's order) does.
"""

from __future__ import annotations

import functools
import html
import json
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

MAX_REPORTS = 100  # columns of one page: a body publishes one report a year

AGENCY_BODY_SQL = "SELECT body_key FROM reports WHERE agency = :agency AND body_key IS NOT NULL LIMIT 1"
AGENCY_EXISTS_SQL = "SELECT 1 FROM reports WHERE agency = :agency LIMIT 1"
_REPORT_COLUMNS = ("id, agency, year, title, url, format, published, published_from, parse_status, "
                   "province, admin_level, coalesce(parsed_sha256, sha256) AS archived")
REPORTS_BY_KEY_SQL = f"SELECT {_REPORT_COLUMNS} FROM reports WHERE body_key = :key ORDER BY year, id LIMIT {MAX_REPORTS + 1}"
REPORTS_BY_AGENCY_SQL = (f"SELECT {_REPORT_COLUMNS} FROM reports WHERE agency = :agency AND body_key IS NULL "
                         f"ORDER BY year, id LIMIT {MAX_REPORTS + 1}")


def _in(sql: str, values: list) -> tuple[str, list]:
    return sql.replace(":ids", ", ".join("?" for _ in values) or "NULL"), list(values)


METRICS_SQL = ("SELECT id, report_id, key, value, unit, source, evidence, approximate, certain, origin "
               "FROM metrics WHERE report_id IN (:ids) ORDER BY report_id, id")
WARNINGS_SQL = "SELECT report_id, code, message, detail FROM warnings WHERE report_id IN (:ids) ORDER BY report_id, id"
DEFINITIONS_SQL = ("SELECT key, label, label_en, unit, section, applicant_column, sort_order "
                   "FROM metric_definitions WHERE key IN (:ids)")
ARCHIVED_SQL = "SELECT sha256 FROM archive_files WHERE sha256 IN (:ids)"

# The report forms (reports.format), as the page names them.
FORMS = {
    "legacy-table": "2008–2018 统计表 · legacy statistics table",
    "legacy-text": "2008–2018, prose · 旧版（正文）",
    "2019-template": "2019 form · 2019年新格式",
    "2021-template": "2021 form · 2021年新格式",
}
# How the page groups the rows: the template's tables, by a key's first segment.
GROUPS = (
    ("table2", "Proactive disclosure (table 二) · 主动公开政府信息情况", ("proactive",)),
    ("table3", "Requests and how they were answered (table 三) · 收到和处理政府信息公开申请情况",
     ("requests", "outcome", "legacy")),
    ("table4", "Reconsideration and litigation (table 四) · 政府信息公开行政复议、行政诉讼情况", ("review", "litigation")),
    ("other", "Other figures · 其他数据", ()),
)
CARRIED_OVER, CARRIED_FORWARD = "requests.carried_over", "requests.carried_forward"


# --------------------------------------------------------------------------
# The template's order (parse.template), and the applicant columns
# --------------------------------------------------------------------------


def _merge(sequences) -> list:
    """The ordered union of sequences: an item new to the union goes after the
    item that precedes it in its own sequence."""
    out: list = []
    for sequence in sequences:
        previous = None
        for item in sequence:
            if item not in out:
                out.insert(out.index(previous) + 1 if previous is not None else len(out), item)
            previous = item
    return out


@functools.lru_cache(maxsize=1)
def template_order() -> tuple[str, ...] | None:
    """Every key of the national templates' tables 二, 三 and 四 in the order the
    forms print them (table 三 row by row, each row's applicant columns in
    order; a group's derived subtotal before its rows), from
    :mod:`parse.template`. None where the project is not installed."""
    try:
        from parse import template as t
    except ImportError:
        return None
    eras = ("2019-template", "2021-template")
    categories = _merge([[r.category for r in t.TABLE2_ROWS[era]] for era in eras])
    keys: list[str] = []
    for category in categories:
        columns = _merge([r.columns for era in eras for r in t.TABLE2_ROWS[era] if r.category == category])
        keys += [f"proactive.{category}.{column}" for column in columns]
    rows: list[str] = []
    for row in t.TABLE3_ROWS:
        subtotal = t.OUTCOME_GROUPS.get(row.group or "")
        if subtotal and subtotal not in rows and all(r.key != subtotal for r in t.TABLE3_ROWS):
            rows.append(subtotal)  # 不予公开's derived sum, before its eight reasons
        if row.key not in rows:
            rows.append(row.key)
    keys += [f"{row}.{column}" for row in rows for column in t.APPLICANT_ORDER]
    keys += list(t.TABLE4_KEYS)
    return tuple(keys)


def applicant_columns(definitions: dict) -> list[tuple[str, str]]:
    """(column, Chinese label) of table 三, in the template's order."""
    try:
        from parse.template import APPLICANT_COLUMNS
        return list(APPLICANT_COLUMNS)
    except ImportError:
        found = sorted((d for d in definitions.values() if d["key"].startswith(CARRIED_OVER + ".")),
                       key=lambda d: d["sort_order"])
        return [(d["applicant_column"], d["label"].rsplit(" · ", 1)[-1]) for d in found]


def ordered_rows(keys, definitions: dict) -> list[tuple[str, str, list[str]]]:
    """(group id, heading, keys) of the keys present, each group in the
    template's order, then the keys the templates do not print in the
    vocabulary's order (``metric_definitions.sort_order``)."""
    order = {key: i for i, key in enumerate(template_order() or [])}

    def sort_key(key):
        definition = definitions.get(key)
        return (0, order[key], 0) if key in order else (1, definition["sort_order"] if definition else 10**9, key)

    out = []
    for group, heading, segments in GROUPS:
        members = [k for k in keys if (k.split(".", 1)[0] in segments) or
                   (not segments and all(k.split(".", 1)[0] not in g[2] for g in GROUPS))]
        if members:
            out.append((group, heading, sorted(members, key=sort_key)))
    return out


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------


def _sibling():
    """The xxgk_archive.py plugin module (loaded by Datasette from the same folder)."""
    from datasette.plugins import pm

    for plugin in pm.get_plugins():
        if getattr(plugin, "__name__", None) == "xxgk_archive.py" or (
                hasattr(plugin, "crop_url") and hasattr(plugin, "_catalogue")):
            return plugin
    raise RuntimeError("body_page.py needs the xxgk_archive.py plugin beside it")


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def body_url(datasette, agency: str) -> str:
    """The body page of the body publishing under ``agency``."""
    return datasette.urls.path("/-/body") + "?" + urlencode({"agency": agency})


def _column_labels(reports: list[dict]) -> None:
    per_year: dict = {}
    for report in reports:
        per_year.setdefault(report["year"], []).append(report)
    for year, same in per_year.items():
        shown = str(year) if year is not None else "year unknown · 年份不详"
        for i, report in enumerate(same, 1):
            report["column"] = shown if len(same) == 1 else f"{shown} ({i}/{len(same)})"
            report["several"] = len(same) > 1


def _usable(metric: dict | None) -> bool:
    """What the check across years compares (archive.catalogue.carryover_figures): exact and certain."""
    return metric is not None and not metric["approximate"] and bool(metric["certain"])


def carryover_rows(reports: list[dict], figures: dict, mismatches: dict, columns) -> list[dict]:
    """One row per pair of a body's reports of consecutive years (and one per
    gap): per applicant column, agree / differs / cannot compare."""
    by_year: dict[int, list[dict]] = {}
    for report in reports:
        if report["year"] is not None:
            by_year.setdefault(report["year"], []).append(report)
    years = sorted(by_year)
    out = []
    for year in years[1:]:
        if year - 1 not in by_year:
            earlier = max(y for y in years if y < year)
            out.append({"gap": True, "year": year, "previous_year": earlier,
                        "text": f"no report for {year - 1} · 无{year - 1}年报告: {earlier} and {year} are not compared"})
            continue
        for now in by_year[year]:
            for before in by_year[year - 1]:
                cells = []
                for column, label in columns:
                    over = figures.get((now["id"], f"{CARRIED_OVER}.{column}"))
                    forward = figures.get((before["id"], f"{CARRIED_FORWARD}.{column}"))
                    over, forward = (over or [None])[0], (forward or [None])[0]
                    warning = mismatches.get((now["id"], before["id"], column))
                    cell = {"column": column, "label": label, "over": over, "forward": forward,
                            "over_shown": _number(over["value"]) if over else None,
                            "forward_shown": _number(forward["value"]) if forward else None}
                    if warning is not None:  # the numbers the check compared
                        cell.update(verdict="differs", over_shown=str(warning["carried_over"]),
                                    forward_shown=str(warning["previous_carried_forward"]), title=warning["message"])
                    elif _usable(over) and _usable(forward):
                        if over["value"] == forward["value"]:
                            cell.update(verdict="agree", title=f"上年结转 {year} = 结转下年度继续办理 {year - 1}")
                        else:  # the stored warnings are older than these figures
                            cell.update(verdict="differs",
                                        title="no carryover_mismatch warning is stored for it: run xxgk reparse")
                    else:
                        reasons = []
                        for metric, name, y in ((over, "上年结转", year), (forward, "结转下年度继续办理", year - 1)):
                            if metric is None:
                                reasons.append(f"{y} states no {name}")
                            elif not metric["certain"]:
                                reasons.append(f"{y}'s {name} is doubtful")
                            elif metric["approximate"]:
                                reasons.append(f"{y}'s {name} is approximate")
                        cell.update(verdict="cannot", title="; ".join(reasons))
                    cells.append(cell)
                verdicts = {c["verdict"] for c in cells}
                summary = ("differs · 不一致" if "differs" in verdicts else "agree · 一致" if verdicts == {"agree"}
                           else "cannot compare · 无法比较" if verdicts == {"cannot"} else "agree where comparable · 可比部分一致")
                reasons = {c["title"] for c in cells}
                # one cell when no column can be compared, for one reason (a 2008–2018 report has no table 三)
                collapsed = reasons.pop() if verdicts == {"cannot"} and len(reasons) == 1 else None
                out.append({"gap": False, "year": year, "previous_year": year - 1, "now": now, "before": before,
                            "cells": cells, "summary": summary, "collapsed": collapsed})
    return out


BODY_TEMPLATE = """{% extends "base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block extra_head %}<style>
.xxgk-body table { font-size: 0.85em; border-collapse: collapse; }
.xxgk-body td, .xxgk-body th { padding: 2px 6px; vertical-align: top; }
.xxgk-body .years td.fig, .xxgk-body .years th.report { text-align: right; white-space: nowrap; }
.xxgk-body td.label { min-width: 18em; position: sticky; left: 0; background: #fff; }
.xxgk-body tr.group th { text-align: left; background: #eef; }
.xxgk-body td.missing { color: #999; }
.xxgk-body .doubtful-mark { color: #b00; font-weight: bold; }
.xxgk-body td.doubtful { background: #fee; }
.xxgk-body td.differs { background: #fdd; }
.xxgk-body td.agree { color: #2e7d32; }
.xxgk-body td.cannot { color: #777; }
.xxgk-body table.across-years td { white-space: nowrap; }
.xxgk-body .years { overflow-x: auto; max-width: 100%; }
</style>{% endblock %}
{% block crumbs %}<p class="crumbs"><a href="{{ urls.instance() }}">home</a> /
<a href="{{ urls.database(database) }}">{{ database }}</a></p>{% endblock %}
{% block content %}
<div class="xxgk-body">
{% if not reports %}
<h1>No such body · 未找到该机关</h1>
<p>{{ message }}</p>
<form method="get" action="{{ urls.path('/-/body') }}"><label>Agency · 机关名称
<input type="text" name="agency" value="{{ agency }}" size="40"></label> <input type="submit" value="Show"></form>
<p>Agencies whose name contains a text: <a href="{{ search_url }}">agency_time_series</a>.</p>
{% else %}
<h1>{{ heading }}</h1>
<p>The reports of one body, year by year · 本机关历年年度报告.
{% if names|length > 1 %}Published under {{ names|length }} names · 名称: {{ names|join("、") }}.{% endif %}
Body key · 机关标识: <code>{{ key or "—" }}</code>{% if place %}; {{ place }}{% endif %}.
{{ reports|length }} report{{ "s" if reports|length != 1 }}{% if truncated %} (the first {{ reports|length }}){% endif %},
{{ first_year }}–{{ last_year }}. <a href="{{ series_url }}">Headline figures (agency_time_series)</a>.</p>

<h2 id="reports">Reports · 报告</h2>
<table class="reports"><thead><tr><th>year · 年度</th><th>report · 报告</th><th>archived · 存档</th>
<th>form · 格式</th><th>published · 发布日期</th><th>figures · 数据</th><th>warnings · 提示</th></tr></thead><tbody>
{% for r in reports %}<tr data-report="{{ r.id }}"><td>{{ r.column }}</td>
<td><a class="report" href="{{ r.row_url }}">{{ r.title or "(no title)" }}</a>{% if r.agency != heading %} <small>({{ r.agency }})</small>{% endif %}
{% if r.url %}<br><small><a class="original" href="{{ r.url }}" rel="nofollow noopener noreferrer">{{ r.url }}</a></small>{% endif %}</td>
<td>{% if r.archive_url %}<a class="archived" href="{{ r.archive_url }}">archived copy</a>{% else %}—{% endif %}</td>
<td>{{ r.form }}</td>
<td>{{ r.published or "—" }}{% if r.published_from %} <small>({{ r.published_from }})</small>{% endif %}</td>
<td><a href="{{ r.figures_url }}">{{ r.figure_count }}</a></td>
<td>{% for code, n in r.warning_counts %}<span title="{{ n }}">{{ code }}</span>{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}</tbody></table>

<h2 id="figures">Figures by year · 历年数据</h2>
<p>Hover a number for the words it was read from; click it for its row in <code>metrics</code>.
<span class="doubtful-mark">⚠ doubtful · 存疑</span>: the figure is uncertain (<code>certain = 0</code>: out of its plausible
range, or a doubtful OCR reading). ≈ approximate · 约数. <em>OCR</em>: read from a picture, links to the part of it.
— : the report does not state the figure · 未列 (not 0). Rows follow the national templates; a form that has no such row leaves it empty.
{% if totals_only %}Table 三 shows the 总计 column only: <a href="{{ all_url }}">show every applicant column</a>.
{% else %}<a href="{{ totals_url }}">Table 三: the 总计 column only</a>.{% endif %}</p>
<div class="years"><table class="years"><thead><tr><th>figure · 指标</th><th>unit · 单位</th>
{% for r in reports %}<th class="report" data-report="{{ r.id }}"><a href="{{ r.row_url }}" title="{{ r.title }}">{{ r.column }}</a>{% if r.several %}<br><small>#{{ r.id }}</small>{% endif %}<br><small>{{ r.form_short }}</small></th>{% endfor %}
</tr></thead><tbody>
{{ figure_rows }}
</tbody></table></div>

<h2 id="across-years">Across years · 跨年度核对</h2>
<p>二、上年结转 of year N must equal 四、结转下年度继续办理 in the body's report of year N−1, in each applicant column
(the check of <code>parse/figures/across_years.py</code>; "differs" is its stored <code>carryover_mismatch</code> warning).
Figures absent, approximate or doubtful cannot be compared.</p>
{% if not checks %}<p>No two reports of consecutive years · 无相邻年度报告.</p>{% else %}
<table class="across-years"><thead><tr><th>years · 年度</th><th>result · 结果</th>
{% for column, label in columns %}<th>{{ label }}</th>{% endfor %}</tr></thead><tbody>
{% for check in checks %}{% if check.gap %}<tr class="gap" data-year="{{ check.year }}"><td>{{ check.previous_year }} → {{ check.year }}</td><td colspan="{{ columns|length + 1 }}">{{ check.text }}</td></tr>
{% else %}<tr class="check" data-year="{{ check.year }}" data-report="{{ check.now.id }}" data-previous-report="{{ check.before.id }}">
<td>{{ check.before.column }} → {{ check.now.column }}</td><td>{{ check.summary }}</td>
{% if check.collapsed %}<td class="cannot" colspan="{{ columns|length }}" data-column="all" data-verdict="cannot">cannot compare · 无法比较: {{ check.collapsed }}</td>
{% else %}{% for cell in check.cells %}<td class="{{ cell.verdict }}" data-column="{{ cell.column }}" data-verdict="{{ cell.verdict }}" title="{{ cell.title }}">
{%- if cell.verdict == "cannot" %}cannot compare · 无法比较{% else %}{{ "agree · 一致" if cell.verdict == "agree" else "differs · 不一致" }}:
{% if cell.over %}<a href="{{ cell.over.url }}" title="上年结转 {{ check.now.column }}">{{ cell.over_shown }}</a>{% else %}{{ cell.over_shown }}{% endif %} {{ "=" if cell.verdict == "agree" else "≠" }}
{% if cell.forward %}<a href="{{ cell.forward.url }}" title="结转下年度继续办理 {{ check.before.column }}">{{ cell.forward_shown }}</a>{% else %}{{ cell.forward_shown }}{% endif %}{% endif %}</td>{% endfor %}{% endif %}</tr>
{% endif %}{% endfor %}</tbody></table>{% endif %}
{% endif %}
</div>
{% endblock %}"""


def figure_rows_html(groups: list[dict], columns: int) -> str:
    """The rows of the figures table (built here, not in Jinja: a body of fifteen
    years has some 4,000 cells, which Jinja renders ten times slower)."""
    esc = html.escape
    out = []
    for group in groups:
        out.append(f'<tr class="group" id="{esc(group["id"])}"><th colspan="{columns + 2}">{esc(group["heading"])}</th></tr>')
        for row in group["rows"]:
            out.append(f'<tr data-key="{esc(row["key"])}"><td class="label"><a href="{esc(row["definition_url"])}" '
                       f'title="{esc(row["key"])} — {esc(row["label_en"])}">{esc(row["label"])}</a></td>'
                       f'<td>{esc(row["unit"] or "")}</td>')
            for cell in row["cells"]:
                if not cell["figures"]:
                    out.append('<td class="fig missing">—</td>')
                    continue
                parts = []
                for f in cell["figures"]:
                    text = f'<a class="value" href="{esc(f["url"])}" title="{esc(f["title"])}">' \
                           f'{"≈" if f["approximate"] else ""}{esc(f["shown"])}</a>'
                    if f["doubtful"]:
                        text += ' <span class="doubtful-mark" title="doubtful: certain = 0">⚠ doubtful · 存疑</span>'
                    if f["crop_url"]:
                        text += (f' <a class="crop" href="{esc(f["crop_url"])}" '
                                 'title="the part of the picture it was read from">OCR</a>')
                    parts.append(text)
                out.append(f'<td class="fig{" doubtful" if cell["doubtful"] else ""}">{" / ".join(parts)}</td>')
            out.append("</tr>")
    return "\n".join(out)


_templates: dict[int, object] = {}


async def _render(datasette, request, context: dict, status: int = 200) -> Response:
    template = _templates.get(id(datasette))
    if template is None:
        template = _templates[id(datasette)] = datasette.jinja_env.from_string(BODY_TEMPLATE)
    return Response.html(await datasette.render_template(template, context, request=request), status=status)


async def body_view(datasette, request):
    if request.method not in ("GET", "HEAD"):
        return Response.text("read-only", status=405, headers={"Allow": "GET, HEAD"})
    xxgk = _sibling()
    db = await xxgk._catalogue(datasette)
    agency = request.args.get("agency") or ""  # as stored: a name is never trimmed or folded here
    key = request.args.get("key") or ""
    search_url = None
    base = {"reports": [], "agency": agency, "heading": "Body · 机关", "database": db.name if db else "",
            "search_url": search_url}
    if db is None or not await db.table_exists("metric_definitions"):
        return await _render(datasette, request, {**base, "message": "No prepared catalogue is served here."}, 404)
    base["search_url"] = (datasette.urls.database(db.name) + "/agency_time_series?"
                          + urlencode({"agency": agency or key}))
    if not agency.strip() and not key.strip():
        return await _render(datasette, request, {**base, "message": "Name a body: ?agency=<its name in the reports>."}, 404)

    if agency and not key:
        key = (await db.execute(AGENCY_BODY_SQL, {"agency": agency})).first()
        key = key[0] if key else None
    if key:
        reports = [dict(r) for r in (await db.execute(REPORTS_BY_KEY_SQL, {"key": key})).rows]
    elif agency and (await db.execute(AGENCY_EXISTS_SQL, {"agency": agency})).first():
        reports = [dict(r) for r in (await db.execute(REPORTS_BY_AGENCY_SQL, {"agency": agency})).rows]
    else:
        reports = []
    if not reports:
        named = f"the agency “{agency}”" if agency else f"the body key “{key}”"
        return await _render(datasette, request, {**base, "message": f"No report in the archive is by {named} · "
                                                  "档案中没有该机关的报告."}, 404)
    truncated = len(reports) > MAX_REPORTS
    reports = reports[:MAX_REPORTS]
    ids = [r["id"] for r in reports]

    metrics = [dict(r) for r in (await db.execute(*_in(METRICS_SQL, ids))).rows]
    warnings = [dict(r) for r in (await db.execute(*_in(WARNINGS_SQL, ids))).rows]
    keys = list(dict.fromkeys(m["key"] for m in metrics))
    definitions = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        definitions.update({r["key"]: dict(r) for r in (await db.execute(*_in(DEFINITIONS_SQL, chunk))).rows})
    digests = list({r["archived"] for r in reports if r["archived"]})
    archived = {r[0] for r in (await db.execute(*_in(ARCHIVED_SQL, digests))).rows} if digests else set()

    name = db.name
    figures: dict[tuple[int, str], list[dict]] = {}
    for m in metrics:
        origin = None
        if m["origin"]:
            try:
                origin = json.loads(m["origin"])
            except ValueError:
                origin = None
        evidence = (m["evidence"] or "").strip()
        title = f"{m['source'] or 'figure'}: {evidence}" if evidence else (m["source"] or "")
        if isinstance(origin, dict) and isinstance(origin.get("confidence"), (int, float)):
            title += f" (OCR confidence {origin['confidence']:.2f})"
        m.update(
            shown=_number(m["value"]), doubtful=not m["certain"], title=title,
            url=str(datasette.urls.row(name, "metrics", tilde_encode(str(m["id"])))),
            crop_url=str(xxgk.crop_url(datasette, origin) or "") or None if isinstance(origin, dict) else None,
        )
        figures.setdefault((m["report_id"], m["key"]), []).append(m)

    _column_labels(reports)
    counts: dict[int, dict[str, int]] = {}
    for w in warnings:
        counts.setdefault(w["report_id"], {})
        counts[w["report_id"]][w["code"]] = counts[w["report_id"]].get(w["code"], 0) + 1
    per_report = {}
    for m in metrics:
        per_report[m["report_id"]] = per_report.get(m["report_id"], 0) + 1
    for r in reports:
        r.update(
            row_url=datasette.urls.row(name, "reports", tilde_encode(str(r["id"]))),
            archive_url=datasette.urls.path("/-/archive/" + r["archived"]) if r["archived"] in archived else None,
            form=FORMS.get(r["format"], r["format"] or "—"),
            form_short=FORMS.get(r["format"], r["format"] or "").split(" · ")[0],
            figures_url=datasette.urls.table(name, "figures") + "?" + urlencode({"report_id": r["id"]}),
            figure_count=per_report.get(r["id"], 0),
            warning_counts=sorted(counts.get(r["id"], {}).items()),
            url=r["url"] if (r["url"] or "").startswith(("http://", "https://")) else None,
        )

    totals_only = request.args.get("applicants") == "total"
    shown_keys = [k for k in keys if not (totals_only and definitions.get(k, {}).get("applicant_column")
                                          not in (None, "total"))]
    groups = []
    for group, heading, members in ordered_rows(shown_keys, definitions):
        rows = []
        for k in members:
            definition = definitions.get(k) or {}
            cells = []
            for r in reports:
                found = figures.get((r["id"], k), [])
                cells.append({"report": r["id"], "figures": found, "doubtful": any(f["doubtful"] for f in found)})
            units = {f["unit"] for r in reports for f in figures.get((r["id"], k), []) if f["unit"]}
            rows.append({
                "key": k, "label": definition.get("label") or k, "label_en": definition.get("label_en") or "",
                "unit": definition.get("unit") or " / ".join(sorted(units)),
                "definition_url": str(datasette.urls.row(name, "metric_definitions", tilde_encode(k))),
                "cells": cells,
            })
        groups.append({"id": group, "heading": heading, "rows": rows})

    mismatches = {}
    for w in warnings:
        if w["code"] != "carryover_mismatch" or not w["detail"]:
            continue
        try:
            detail = json.loads(w["detail"])
        except ValueError:
            continue
        mismatches[(w["report_id"], detail.get("previous_report_id"), detail.get("column"))] = {
            **detail, "message": w["message"]}
    columns = applicant_columns(definitions)
    checks = carryover_rows(reports, figures, mismatches, columns)

    names = list(dict.fromkeys(r["agency"] for r in reports if r["agency"]))
    latest = reports[-1]
    heading = agency if agency in names else (latest["agency"] or key)
    years = [r["year"] for r in reports if r["year"] is not None]
    here = datasette.urls.path("/-/body") + "?" + urlencode({"agency": agency} if agency else {"key": key})
    place = " · ".join(v for v in (latest["province"], latest["admin_level"]) if v)
    return await _render(datasette, request, {
        **base, "heading": heading, "names": names, "key": key, "place": place, "reports": reports,
        "truncated": truncated, "first_year": min(years) if years else "?", "last_year": max(years) if years else "?",
        "series_url": datasette.urls.database(name) + "/agency_time_series?" + urlencode({"agency": heading}),
        "figure_rows": markupsafe.Markup(figure_rows_html(groups, len(reports))), "columns": columns, "checks": checks, "totals_only": totals_only,
        "all_url": here, "totals_url": here + "&applicants=total",
    })


@hookimpl
def register_routes(datasette):
    return [(r"^/-/body$", body_view)]
