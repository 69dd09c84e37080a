"""What keeps the site fast at 100,000 reports gives the numbers the plain
queries give, on a prepared copy of a real crawl of the sample portal:

- a filtered page's count and facets, counted together in one query
  (publish/plugins/xxgk_scale.py), are Datasette's own counts;
- the canned queries and charts read from tables prepare() builds
  (report_sums, body_year_gaps) and give the rows the queries over
  report_figures and reports gave (their SQL is kept here, as it was);
- the figures view reads a report's columns from report_figures.

No timing is asserted here (speed lives in bench/archive_scale.py)."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest

from conftest import ROOT, serve

# The canned queries as they read report_figures and reports before their summary tables.
LIVE_SQL = {
    "outcome_shares_by_province_year": """
with stated as (
  select province, year, format, disclosed, partly_disclosed, withheld, unavailable, not_processed, other_outcome,
    coalesce(disclosed, 0) + coalesce(partly_disclosed, 0) + coalesce(withheld, 0) + coalesce(unavailable, 0) + coalesce(not_processed, 0) + coalesce(other_outcome, 0) as answered
  from report_figures
  where coalesce(disclosed, partly_disclosed, withheld, unavailable, not_processed, other_outcome) is not null
    and (:province = '' or province = :province)
)
select province, year,
  case when format like 'legacy%' then '2008 form' when format = '2019-template' then '2019 form'
       when format = '2021-template' then '2021 form' else format end as report_form,
  count(*) as reports, sum(answered) as answered,
  round(100.0 * sum(disclosed) / nullif(sum(case when disclosed is not null then answered end), 0), 1) as disclosed_pct,
  round(100.0 * sum(partly_disclosed) / nullif(sum(case when partly_disclosed is not null then answered end), 0), 1) as partly_disclosed_pct,
  round(100.0 * sum(withheld) / nullif(sum(case when withheld is not null then answered end), 0), 1) as withheld_pct,
  round(100.0 * sum(unavailable) / nullif(sum(case when unavailable is not null then answered end), 0), 1) as unavailable_pct,
  round(100.0 * sum(not_processed) / nullif(sum(case when not_processed is not null then answered end), 0), 1) as not_processed_pct,
  round(100.0 * sum(other_outcome) / nullif(sum(case when other_outcome is not null then answered end), 0), 1) as other_outcome_pct,
  count(disclosed) as disclosed_reports, count(partly_disclosed) as partly_disclosed_reports, count(withheld) as withheld_reports, count(unavailable) as unavailable_reports, count(not_processed) as not_processed_reports, count(other_outcome) as other_outcome_reports
from stated
group by province, year, report_form
order by province, year, report_form""",
    "requests_per_year_by_level": """
select year, admin_level, count(*) as reports, count(requests_received) as reports_with_figure,
  sum(requests_received) as requests_received
from report_figures
where year is not null and (:province = '' or province = :province)
group by year, admin_level
order by year, admin_level""",
    "missing_years": """
with recursive seen as (
  select body_key, year, max(agency) as agency, max(province) as province
  from reports where parse_status = 'ok' and body_key is not null and year is not null
    and (:province = '' or province = :province)
  group by body_key, year
), span as (
  select body_key, min(year) as first_year, max(year) as last_year, count(*) as years_published
  from seen group by body_key having max(year) - min(year) + 1 > count(*)
), every_year(body_key, year, last_year) as (
  select body_key, first_year, last_year from span
  union all select body_key, year + 1, last_year from every_year where year < last_year
)
select s.body_key, (select agency from seen where seen.body_key = s.body_key order by year desc limit 1) as agency,
  (select province from seen where seen.body_key = s.body_key order by year desc limit 1) as province,
  s.first_year, s.last_year, s.years_published,
  (select group_concat(year, ', ') from every_year e where e.body_key = s.body_key
     and e.year not in (select year from seen where seen.body_key = s.body_key)) as years_missing,
  (select group_concat(year, ', ') from seen where seen.body_key = s.body_key) as years_seen
from span s
order by s.last_year - s.first_year + 1 - s.years_published desc, agency""",
}
# The charts' queries over report_figures (publish/plugins/xxgk_archive.py, before report_sums).
_WHERE = "(:province = '' OR province = :province) AND (:admin_level = '' OR admin_level = :admin_level)"
OUTCOMES = ("disclosed", "partly_disclosed", "withheld", "unavailable", "not_processed", "other_outcome")
LIVE_CHARTS_SQL = {
    "REQUESTS_SQL": f"""SELECT year, admin_level, sum(requests_received) AS requests_received, count(requests_received) AS reports
FROM report_figures WHERE year IS NOT NULL AND {_WHERE}
GROUP BY year, admin_level ORDER BY year, admin_level""",
    "REQUESTS_ERAS_SQL": f"""SELECT year, format, count(*) AS reports
FROM report_figures WHERE year IS NOT NULL AND requests_received IS NOT NULL AND {_WHERE}
GROUP BY year, format ORDER BY year, reports DESC, format""",
    "OUTCOMES_SQL": f"""SELECT year, format, {", ".join(f"sum({c}) AS {c}" for c in OUTCOMES)}, count(*) AS reports
FROM report_figures WHERE year IS NOT NULL AND {_WHERE}
  AND coalesce({", ".join(OUTCOMES)}) IS NOT NULL
GROUP BY year, format ORDER BY year, format""",
}


@pytest.fixture(scope="module")
def site(crawled, tmp_path_factory):
    db = crawled.copy_to(tmp_path_factory.mktemp("scale"))
    with serve(db) as base:  # xxgk serve prepares the copy first
        yield {"base": base, "db": db}


def rows(db, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def canned(name: str) -> str:
    return json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))["databases"]["xxgk"]["queries"][name]["sql"]


def provinces(db) -> list[str]:
    return [""] + [p for (p,) in rows(db, "SELECT DISTINCT province FROM reports WHERE province IS NOT NULL")]


@pytest.mark.parametrize("name", sorted(LIVE_SQL))
def test_canned_queries_on_summary_tables_give_the_rows_of_the_live_sql(site, name):
    db = site["db"]
    seen_rows = 0
    for province in provinces(db) + ["没有这个省"]:
        live = rows(db, LIVE_SQL[name], {"province": province})
        served = rows(db, canned(name), {"province": province})
        if name == "missing_years":  # its order is by gaps and agency only; ties in any order
            live, served = sorted(live, key=repr), sorted(served, key=repr)
        assert served == live, province
        seen_rows += len(live)
    assert seen_rows, f"{name}: the sample crawl gives no rows to compare"


def test_missing_years_over_http_is_the_summary_table(site):
    db = site["db"]
    gaps = rows(db, "SELECT count(*) FROM body_year_gaps WHERE province_filter = ''")[0][0]
    assert gaps, "the sample crawl has a body with a missing year"
    response = httpx.get(site["base"] + "/xxgk/missing_years.json", params={"province": "", "_shape": "array"},
                         timeout=30)
    assert response.status_code == 200
    live = rows(db, LIVE_SQL["missing_years"], {"province": ""})
    served = [tuple(r.values()) for r in response.json()]
    assert sorted(served, key=repr) == sorted(live, key=repr)


def test_metric_across_reports_reads_report_figures_with_the_same_rows(site):
    db = site["db"]
    live = canned("metric_across_reports").replace("cross join report_figures r on r.report_id = m.report_id",
                                                   "cross join reports r on r.id = m.report_id")
    assert live != canned("metric_across_reports")
    for key in ("requests.new.total", "outcome.withheld.total", "review.total", "no.such.key"):
        assert rows(db, canned("metric_across_reports"), {"key": key}) == rows(db, live, {"key": key}), key


def test_charts_read_report_sums_with_the_numbers_of_report_figures(site):
    from publish.plugins import xxgk_archive

    db = site["db"]
    levels = [""] + [lv for (lv,) in rows(db, "SELECT DISTINCT admin_level FROM reports WHERE admin_level IS NOT NULL")]
    for name, live in LIVE_CHARTS_SQL.items():
        for province in provinces(db):
            for level in levels:
                params = {"province": province, "admin_level": level}
                assert rows(db, getattr(xxgk_archive, name), params) == rows(db, live, params), (name, params)
    page = httpx.get(site["base"] + "/-/charts", timeout=30).text
    total = rows(db, "SELECT count(*) FROM report_figures")[0][0]
    assert f"({total} reports" in page


def test_report_sums_never_turn_an_unstated_figure_into_0(site):
    """A group whose reports state none of a figure sums to NULL, as the figure's own column is."""
    db = site["db"]
    for column in ("unavailable", "not_processed", "fees_yuan"):
        unstated = rows(db, f"SELECT count(*) FROM report_sums WHERE {column}_reports = 0")[0][0]
        assert rows(db, f"SELECT count(*) FROM report_sums WHERE {column}_reports = 0 AND {column} IS NOT NULL") \
            == [(0,)]
        assert rows(db, f"SELECT count(*) FROM report_sums WHERE {column} = 0 AND {column}_reports = 0") == [(0,)]
        assert unstated or column == "fees_yuan", column


def test_figures_view_has_the_rows_of_metrics_joined_to_reports(site):
    db = site["db"]
    joined = """SELECT m.id, m.report_id, r.year, r.agency, r.province, r.admin_level, r.format, m.key, m.value
                FROM metrics m JOIN reports r ON r.id = m.report_id ORDER BY m.id"""
    view = "SELECT metric_id, report_id, year, agency, province, admin_level, format, key, value FROM figures " \
           "ORDER BY metric_id"
    assert rows(db, view) == rows(db, joined)


def facet_truth(db, relation: str, where: str, params: dict, column: str) -> list[list]:
    """A facet as Datasette's own query counts it (count desc, value; 30 values)."""
    return [list(r) for r in rows(
        db, f"SELECT [{column}], count(*) AS n FROM (SELECT * FROM [{relation}] WHERE {where}) "
            f"WHERE [{column}] IS NOT NULL GROUP BY [{column}] ORDER BY n DESC, [{column}] LIMIT 30", params)]


def search_ids(db, word: str) -> str:
    ids = [rid for (rid,) in rows(db, "SELECT id FROM reports WHERE instr(coalesce(title, '') || char(10) || "
                                      "coalesce(agency, '') || char(10) || coalesce(text, ''), ?) > 0", [word])]
    assert ids, word
    return ",".join(map(str, ids))


def filtered_pages(db) -> list[tuple[str, dict, str, dict]]:
    """(page, its query string, the same rows as a WHERE clause, its params)."""
    province = rows(db, "SELECT province FROM reports WHERE province IS NOT NULL GROUP BY 1 "
                        "ORDER BY count(*) DESC LIMIT 1")[0][0]
    return [
        ("reports", {"_search": "复议"}, f"id IN ({search_ids(db, '复议')})", {}),
        ("report_figures", {"_search": "信息公开"}, f"report_id IN ({search_ids(db, '信息公开')})", {}),
        ("reports", {"_search": "行政复议", "year": "2023"},
         f"id IN ({search_ids(db, '行政复议')}) AND year = 2023", {}),
        ("reports", {"province": province}, "province = :p", {"p": province}),
        ("figures", {"key": "requests.new.total"}, "key = :k", {"k": "requests.new.total"}),
        ("metrics", {"key": "outcome.withheld.total"}, "key = :k", {"k": "outcome.withheld.total"}),
        ("figures", {"province": province, "_facet": "format"}, "province = :p", {"p": province}),
    ]


def test_filtered_pages_count_their_rows_and_facets_as_datasette_does(site):
    db = site["db"]
    metadata = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))["databases"]["xxgk"]["tables"]
    for relation, query, where, params in filtered_pages(db):
        page = httpx.get(f"{site['base']}/xxgk/{relation}.json", params={**query, "_size": "1"}, timeout=30)
        assert page.status_code == 200, page.text[:300]
        data = page.json()
        expected = rows(db, f"SELECT count(*) FROM [{relation}] WHERE {where}", params)[0][0]
        assert expected and data["filtered_table_rows_count"] == expected, (relation, query)
        columns = list(metadata[relation]["facets"]) + ([query["_facet"]] if "_facet" in query else [])
        assert sorted(data["facet_results"]) == sorted(columns)
        for column in columns:
            shown = [[v["value"], v["count"]] for v in data["facet_results"][column]["results"]]
            assert shown == facet_truth(db, relation, where, params, column), (relation, query, column)
        # the second visit reads the counts kept from the first: the same numbers
        assert httpx.get(f"{site['base']}/xxgk/{relation}.json", params={**query, "_size": "1"},
                         timeout=30).json()["facet_results"] == data["facet_results"]


def test_the_facets_counted_by_prepare_are_datasettes_on_every_unfiltered_page(site):
    """The unfiltered pages (default and sorted) of every relation whose facets
    prepare() counts (PRECOUNTED_FACETS: the hidden archive_files and fetches
    among them) show each facet as Datasette's own query counts it."""
    from publish.prepare import PRECOUNTED_FACETS

    db = site["db"]
    metadata = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))["databases"]["xxgk"]["tables"]
    for relation, precounted in PRECOUNTED_FACETS.items():
        facets = metadata[relation]["facets"]
        assert set(precounted) <= set(facets), relation
        sort = (metadata[relation].get("sortable_columns") or [None])[-1]
        for query in ({}, {"_sort": sort} if sort else {}):
            data = httpx.get(f"{site['base']}/xxgk/{relation}.json", params={**query, "_size": "1"},
                             timeout=30).json()
            for column in facets:
                shown = [[v["value"], v["count"]] for v in data["facet_results"][column]["results"]]
                assert shown == facet_truth(db, relation, "1", {}, column), (relation, query, column)


def test_a_filtered_page_in_html_shows_the_count_and_facets(site):
    page = httpx.get(site["base"] + "/xxgk/figures", params={"key": "requests.new.total"}, timeout=30).text
    expected = rows(site["db"], "SELECT count(*) FROM figures WHERE key = 'requests.new.total'")[0][0]
    assert f"{expected:,} row" in page
    assert 'data-column="year"' in page and 'data-column="province"' in page


def test_a_sort_not_offered_is_the_visitors_mistake_not_a_server_error(site):
    """metrics does not sort by value at scale (no index): such a URL is a 400 page
    saying why, and an offered sort is served."""
    refused = httpx.get(site["base"] + "/xxgk/metrics", params={"_sort": "value"}, timeout=30)
    assert refused.status_code == 400 and "Cannot sort table by value" in refused.text
    refused = httpx.get(site["base"] + "/xxgk/metrics.json", params={"_sort_desc": "value"}, timeout=30)
    assert refused.status_code == 400 and refused.json()["ok"] is False
    assert httpx.get(site["base"] + "/xxgk/metrics", params={"_sort": "key"}, timeout=30).status_code == 200
    # a server error stays one: the hook touches only the visitor's mistakes
    assert httpx.get(site["base"] + "/xxgk/no_such_table", timeout=30).status_code == 404


def test_body_year_gaps_of_hand_made_rows():
    from publish.prepare import body_year_gaps

    found = body_year_gaps([
        ("a", 2019, "甲县教育局", "甲省"), ("a", 2022, "甲县教育局", "甲省"), ("a", 2022, "甲县教育和体育局", "甲省"),
        ("a", 2021, "甲县教育局", None),
        ("b", 2020, "乙市", "乙省"), ("b", 2021, "乙市", "乙省"),  # no gap
        ("c", 2018, None, None), ("c", 2020, None, None),
    ])
    assert sorted(found) == [
        ("a", "甲县教育局", "甲省", 2019, 2022, 3, "2020", "2019, 2021, 2022"),  # max('甲县教育局', '甲县教育和体育局')
        ("c", None, None, 2018, 2020, 2, "2019", "2018, 2020"),
    ]


def test_column_labels_are_read_once_per_metadata():
    from publish.plugins import readable

    class Server:
        def __init__(self, tables):
            self.tables = tables

        def metadata(self, database=None):
            return {"tables": self.tables}

        def plugin_config(self, name):
            return {}

    server = Server({"reports": {"columns": {"year": "年度: Report year", "url": "no label here"}}})
    first = readable.column_labels(server, "xxgk")
    assert first == {"reports": {"year": "年度"}}
    assert readable.column_labels(server, "xxgk") is first
    assert readable.label_for(server, "xxgk", "reports", "year") == "年度"
    server.tables = {"reports": {"columns": {"year": "报告年度: Report year"}}}  # metadata reloaded
    assert readable.label_for(server, "xxgk", "reports", "year") == "报告年度"


def test_a_search_read_once_pages_through_every_match(site):
    """A search page's queries read the matches once, into a temporary table
    of the connection: every page of the search, followed by its next links,
    holds the matching reports, each once, in the page's order."""
    db = site["db"]
    expected = {int(i) for i in search_ids(db, "复议").split(",")}
    seen, url = [], f"{site['base']}/xxgk/reports.json?" + "_search=%E5%A4%8D%E8%AE%AE&_size=25&_sort_desc=year"
    while url:
        data = httpx.get(url, timeout=30).json()
        assert data["filtered_table_rows_count"] == len(expected)
        id_at = data["columns"].index("id")
        seen += [row[id_at] for row in data["rows"]]
        url = data["next_url"]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    years = rows(db, f"SELECT id, year FROM reports WHERE id IN ({search_ids(db, '复议')})")
    year_of = dict(years)
    assert [year_of[i] for i in seen] == sorted((year_of[i] for i in seen), key=lambda y: -(y or 0))
    page = httpx.get(site["base"] + "/xxgk/reports", params={"_search": "复议"}, timeout=30).text
    assert f"{len(expected):,} row" in page
