"""The published site readable in Chinese, on a real crawl of the sample portal:
every column header with its Chinese label (and unit), facet values with
theirs, long texts cut with a link to the whole, and a start page that leads
with what researchers come for."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import sys

import httpx
import lxml.html
import pytest

from conftest import ROOT, serve

sys.path.insert(0, str(ROOT / "publish" / "plugins"))
from readable import TEXT_CUT, header_label  # noqa: E402

METADATA = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))
TABLES = METADATA["databases"]["xxgk"]["tables"]
QUERIES = METADATA["databases"]["xxgk"]["queries"]
CONFIG = METADATA["plugins"]["xxgk-archive"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def site(crawled, tmp_path_factory):
    db = crawled.copy_to(tmp_path_factory.mktemp("readable"))
    conn = sqlite3.connect(db)  # one report late (a department's, dated 30 June of the year after), for late_reports
    conn.execute("UPDATE reports SET published = (year + 1) || '-06-30', published_from = 'page' WHERE id = "
                 "(SELECT min(id) FROM reports WHERE admin_level = 'department' AND year >= 2019)")
    # and one vanished (tests/test_vanished.py makes one on real crawls), for vanished_reports
    conn.execute("INSERT INTO report_checks (crawl_run_id, report_id, url, status, failing, checked_at) "
                 "SELECT 1, id, url, 404, 1, last_seen FROM reports WHERE id = (SELECT max(id) FROM reports)")
    conn.execute("INSERT INTO report_status (report_id, site, status, misses, first_missed, since, evidence, "
                 "crawl_run_id, updated_at) SELECT id, site, 'vanished', 2, last_seen, last_seen, 'not listed; HTTP 404', "
                 "1, last_seen FROM reports WHERE id = (SELECT max(id) FROM reports)")
    conn.execute("INSERT INTO report_events (report_id, kind, observed_at, since, crawl_run_id, url, evidence, status) "
                 "SELECT id, 'vanished', last_seen, first_seen, 1, url, 'not listed; HTTP 404', 404 FROM reports "
                 "WHERE id = (SELECT max(id) FROM reports)")
    conn.commit()
    conn.close()
    with serve(db) as base:
        yield {"base": base, "db": db}


def get(site, path: str, **params) -> httpx.Response:
    response = httpx.get(site["base"] + path, params=params, timeout=60)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response


def headers(page: str) -> dict[str, str | None]:
    """column -> the Chinese label its header shows (None: no label)."""
    tree = lxml.html.fromstring(page)
    shown = {}
    for th in tree.xpath("//table[contains(@class, 'rows-and-columns')]//th"):
        name = th.get("data-column") or (th.text or "").strip()
        label = th.xpath(".//span[@class='xxgk-zh']")
        shown[name] = label[0].text_content().strip() if label else None
    return shown


def served_tables(db) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'reports_fts%' AND name NOT LIKE 'reports_ngrams%' ORDER BY name")]
    finally:
        conn.close()
    return names


@pytest.mark.parametrize("description, label", [
    ("本年新收政府信息公开申请数量（件）: requests.new.total. Empty when …", "本年新收政府信息公开申请数量（件）"),
    ("年度: the year the report covers", "年度"),
    ("Report id", None),
    ("The list page (年报 column page): where it was found", None),
    (None, None),
])
def test_a_header_label_is_the_chinese_before_the_first_colon(description, label):
    assert header_label(description) == label


def test_every_column_of_every_table_is_described_in_chinese(site):
    """The convention the headers rely on: each served table's and view's
    columns are described, the description starting with a Chinese label."""
    conn = sqlite3.connect(site["db"])
    try:
        for table in served_tables(site["db"]):
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            described = (TABLES.get(table) or {}).get("columns") or {}
            for column in columns:
                assert header_label(described.get(column)), f"{table}.{column}: {described.get(column)!r}"
    finally:
        conn.close()


def test_every_table_header_shows_its_chinese_label(site):
    for table in served_tables(site["db"]):
        page = get(site, f"/xxgk/{table}", _size="2").text
        shown = headers(page)
        assert shown, table
        described = TABLES[table]["columns"]
        for column, label in shown.items():
            if column == "Link":  # Datasette's own link column of rowid tables
                continue
            assert label == header_label(described[column]), (table, column, label)
    # the unit is in the label of a figure's column
    shown = headers(get(site, "/xxgk/report_figures", _size="1").text)
    assert shown["requests_received"] == "本年新收政府信息公开申请数量（件）"
    assert shown["fees_yuan"].endswith("（元）") and shown["proactive_items"].endswith("（条）")


def test_a_row_page_shows_the_labels_too(site):
    report_id = sqlite3.connect(site["db"]).execute("SELECT min(id) FROM reports").fetchone()[0]
    shown = headers(get(site, f"/xxgk/reports/{report_id}").text)
    assert shown["agency"] == "发布机构" and shown["year"] == "年度"


def test_every_query_column_shows_a_chinese_label(site):
    params = {"province": "", "year": "", "agency": "县", "q": "复议", "key": "requests.new.total"}
    for name, query in QUERIES.items():
        wanted = {p: params.get(p, "") for p in re.findall(r"(?<!:):(\w+)", query["sql"])}
        page = get(site, f"/xxgk/{name}", **wanted).text
        shown = headers(page)
        assert shown, f"{name} returned no rows on the sample crawl"
        missing = [column for column, label in shown.items() if not (label and CJK.search(label))]
        assert not missing, (name, missing)
    shares = headers(get(site, "/xxgk/outcome_shares_by_province_year", province="").text)
    assert "予以公开" in shares["disclosed_pct"] and shares["disclosed_pct"].endswith("占比（%）")
    assert "报告数" in shares["withheld_reports"]


def test_facet_values_show_their_chinese_label_and_filter_by_the_stored_value(site):
    conn = sqlite3.connect(site["db"])
    levels = {r[0] for r in conn.execute("SELECT DISTINCT admin_level FROM report_figures WHERE admin_level IS NOT NULL")}
    formats = {r[0] for r in conn.execute("SELECT DISTINCT format FROM report_figures WHERE format IS NOT NULL")}
    sources = {r[0] for r in conn.execute("SELECT DISTINCT source FROM metrics")}
    conn.close()
    for column, values in (("admin_level", levels), ("format", formats), ("source", sources)):
        assert values <= set(CONFIG["value_labels"][column]), (column, values)  # no value left in English only
    page = get(site, "/xxgk/report_figures", _facet="admin_level", _size="1").text
    tree = lxml.html.fromstring(page)
    facet = tree.xpath("//div[@data-column='admin_level']")[0]
    assert "层级" in facet.xpath("string(.//p[@class='facet-info-name'])")
    shown = {a.text_content(): a.get("href") for a in facet.xpath(".//li/a")}
    assert f"county · {CONFIG['value_labels']['admin_level']['county']}" in shown
    county = httpx.get(shown["county · 县级"], timeout=60).text  # the link filters on the stored value
    assert "admin_level=county" in shown["county · 县级"]
    assert "county · 县级" in county and "&#x2716;" in county


def test_a_long_text_is_cut_with_a_link_to_the_whole(site):
    conn = sqlite3.connect(site["db"])
    report_id, text = conn.execute(
        "SELECT id, text FROM reports WHERE length(text) > 3000 ORDER BY id LIMIT 1").fetchone()
    conn.close()
    for path in (f"/xxgk/reports/{report_id}", "/xxgk/reports"):
        page = get(site, path, **({} if "/" in path[7:] else {"id": str(report_id)})).text
        tree = lxml.html.fromstring(page)
        cells = tree.xpath("//td[contains(@class, 'col-text')]")
        assert cells, path
        cut = cells[0].xpath("string(.//div[@class='xxgk-text-cut'])")
        assert cut == text[:TEXT_CUT] + "…", path
        link = cells[0].xpath(".//a[@class='xxgk-whole-text']/@href")[0]
        assert link.endswith(f"/-/text/{report_id}")
    whole = get(site, f"/-/text/{report_id}").text
    body = lxml.html.fromstring(whole).xpath("string(//div[@class='xxgk-whole-text-body'])")
    assert body == text
    assert httpx.get(site["base"] + "/-/text/99999999", timeout=30).status_code == 404
    assert httpx.get(site["base"] + "/-/text/%3Cscript%3E", timeout=30).status_code == 404


def test_the_start_page_leads_with_what_researchers_come_for(site):
    page = get(site, "/").text
    tree = lxml.html.fromstring(page)
    start = tree.xpath("//section[@class='xxgk-start']")[0]
    links = [a.get("href") for a in start.xpath(".//a")]
    # the headline figures come before any table list, the archive's internals are not offered
    assert links.index("/xxgk/report_figures") < links.index("/xxgk/reports")
    assert not any(href.startswith(("/xxgk/fetches", "/xxgk/bodies", "/xxgk/archive_files")) for href in links)
    titles = start.xpath("string(.//ul[@class='xxgk-queries'])")
    for query in QUERIES.values():
        assert query["title"] in titles
    conn = sqlite3.connect(site["db"])
    reports = conn.execute("SELECT count(*) FROM report_figures").fetchone()[0]
    conn.close()
    assert f"{reports:,} reports" in start.xpath("string(.//p[@class='xxgk-facts'])")
    # its search form searches the whole text, tables included
    form = start.xpath(".//form[@class='xxgk-search']")[0]
    found = get(site, form.get("action"), _search="商业企业", _size="5").text
    assert lxml.html.fromstring(found).xpath("//table[contains(@class, 'rows-and-columns')]//tbody/tr")
