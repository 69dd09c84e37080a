"""Coverage of a region: which of its bodies published which years (``/-/coverage``).

A plugin module of its own beside ``xxgk_archive.py`` (Datasette loads every
module of ``publish/plugins/``; Datasette and the standard library only).

  /-/coverage                           the provinces, with their bodies and reports
  /-/coverage?province=山东省           its prefectures, and the grid of its bodies
  /-/coverage?province=…&city=…&county=…  narrower

The grid has one row per body (its reports joined on ``reports.body_key``: one
body under all its names) and one column per year: ``●`` a year it published
(linking to the report), **缺** a year it published nothing between years it
did (a gap), blank before its first and after its last report. A body that
discovery registered (``xxgk sites discover``: the ``sites`` table's bodies
with a ``level``, not gone) and of which the archive holds no report is on the
grid too, **缺** in every year: never seen.

Queries go through ``reports(province, year)`` and are cut at ``MAX_BODIES``
rows with a note to narrow the region.
"""

from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

MAX_BODIES = 400
LEVELS = ("province", "city", "county")

GRID_SQL = """
SELECT coalesce(body_key, agency) AS body, max(agency) AS agency, year, count(*) AS reports, min(id) AS report_id,
       max(admin_level) AS admin_level
FROM reports
WHERE parse_status = 'ok' AND year IS NOT NULL AND agency IS NOT NULL AND {where}
GROUP BY body, year
"""
CHILDREN_SQL = """
SELECT {child} AS name, count(DISTINCT coalesce(body_key, agency)) AS bodies, count(*) AS reports,
       min(year) AS first_year, max(year) AS last_year
FROM reports
WHERE parse_status = 'ok' AND year IS NOT NULL AND {where}
GROUP BY {child} ORDER BY {child}
"""


NEVER_SQL = """
SELECT name, agency, body_key, level FROM sites
WHERE registered = 1 AND agency IS NOT NULL AND level IS NOT NULL AND gone_since IS NULL AND {where}
ORDER BY agency
"""


def gaps(years: set[int]) -> list[int]:
    """The years between a body's first and last report with none."""
    if not years:
        return []
    return [y for y in range(min(years), max(years) + 1) if y not in years]


def _where(region: dict[str, str]) -> tuple[str, list]:
    clauses, params = [], []
    for level in LEVELS:
        if region.get(level):
            clauses.append(f"{level} = ?")
            params.append(region[level])
    return (" AND ".join(clauses) or "1 = 1"), params


async def _catalogue(datasette):
    for name, db in datasette.databases.items():
        if name != "_internal" and await db.table_exists("reports"):
            return name, db
    return None, None


async def never_seen(db, where: str, params: list, known: set[str], years: list[int]) -> list[dict]:
    """The discovered bodies of the region with no report in the archive (none
    on a catalogue prepared before sites had their discovered columns)."""
    if not await db.table_exists("sites") or "level" not in await db.table_columns("sites"):
        return []
    result = await db.execute(NEVER_SQL.format(where=where), params)
    out = []
    for row in result.rows:
        key = row["body_key"] or row["agency"]
        if key in known:
            continue
        known.add(key)
        out.append({"body": key, "agency": row["agency"], "admin_level": row["level"], "years": {},
                    "gaps": list(years), "never": True, "site": row["name"]})
    return out


def _link(datasette, region: dict[str, str]) -> str:
    return datasette.urls.path("/-/coverage") + ("?" + urlencode(region) if region else "")


def grid_rows(rows: list[dict]) -> tuple[list[int], list[dict]]:
    """(the years, one row per body with its reports by year and its gaps)."""
    bodies: dict[str, dict] = {}
    years: set[int] = set()
    for row in rows:
        body = bodies.setdefault(row["body"], {"body": row["body"], "agency": row["agency"],
                                               "admin_level": row["admin_level"], "years": {}})
        body["years"][row["year"]] = row
        years.add(row["year"])
    for body in bodies.values():
        body["gaps"] = gaps(set(body["years"]))
    ordered = sorted(bodies.values(), key=lambda b: (-len(b["gaps"]), b["agency"] or ""))
    return (list(range(min(years), max(years) + 1)) if years else []), ordered


async def coverage_view(datasette, request):
    name, db = await _catalogue(datasette)
    if db is None:
        return Response.html("<h1>No catalogue · 无数据</h1>", status=404)
    region = {level: request.args.get(level, "").strip() for level in LEVELS}
    region = {k: v for k, v in region.items() if v}
    if "province" not in region and region:
        return Response.html("<h1>Choose a province first · 请先选择省份</h1>", status=400)
    where, params = _where(region)
    child = next((level for level in LEVELS if level not in region), None)
    children = []
    if child:
        result = await db.execute(CHILDREN_SQL.format(child=child, where=where), params)
        children = [dict(r) | {"url": _link(datasette, region | {child: r["name"]})} for r in result.rows if r["name"]]
    years, bodies, cut = [], [], False
    if region:
        result = await db.execute(GRID_SQL.format(where=where), params)
        years, bodies = grid_rows([dict(r) for r in result.rows])
        bodies += await never_seen(db, where, params, {b["body"] for b in bodies}, years)
        cut = len(bodies) > MAX_BODIES
        bodies = bodies[:MAX_BODIES]
    body_page = datasette.urls.path("/-/body")
    for body in bodies:
        body["url"] = (datasette.urls.row(name, "sites", body["site"]) if body.get("never")
                       else body_page + "?" + urlencode({"agency": body["agency"]}))
        for row in body["years"].values():
            row["url"] = datasette.urls.row(name, "reports", str(row["report_id"]))
    trail = [("China · 全国", _link(datasette, {}))]
    for i, level in enumerate(LEVELS):
        if level in region:
            trail.append((region[level], _link(datasette, {k: region[k] for k in LEVELS[: i + 1] if k in region})))
    page = await datasette.render_template("xxgk_coverage.html", {
        "region": region, "child": child, "children": children, "years": years, "bodies": bodies, "cut": cut,
        "max_bodies": MAX_BODIES, "trail": trail,
        "gap_count": sum(len(b["gaps"]) for b in bodies if not b.get("never")),
        "never_count": sum(1 for b in bodies if b.get("never")),
        "missing_years_url": datasette.urls.query(name, "missing_years") + "?" + urlencode(
            {"province": region.get("province", "")}),
    }, request=request)
    return Response.html(page)


@hookimpl
def register_routes(datasette):
    return [(r"^/-/coverage$", coverage_view)]


@hookimpl
def menu_links(datasette, actor, request):
    return [{"href": datasette.urls.path("/-/coverage"), "label": "Coverage · 覆盖情况"}]
