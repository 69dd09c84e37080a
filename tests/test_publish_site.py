"""The published site over real HTTP: `xxgk serve` on a prepared copy of a real
crawl, with one attachment and one hostile title added to it."""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pytest

from conftest import ROOT, serve

PDF = b"%PDF-1.4\n% xxgk test attachment\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ATTACHMENT_NAME = "附件1 年度报告.pdf"
HOSTILE = '<img src=x onerror="alert(1)">'
WORDS = ["复议", "信息公开", "行政复议", "年报", "复", "不予公开", "政府信息公开工作年度报告"]


def contains(db: Path, needle: str) -> set[int]:
    """Ground truth of a search: reports whose title, agency or text contain ``needle``."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT id, coalesce(title, ''), coalesce(agency, ''), coalesce(text, '') FROM reports")
        return {rid for rid, *fields in rows if any(needle.lower() in f.lower() for f in fields)}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site(crawled, tmp_path_factory):
    from archive.blobs import BlobStore
    from archive.catalogue import open_db, record_fetch

    folder = tmp_path_factory.mktemp("site")
    db_path, archive = folder / "xxgk.db", folder / "archive"
    shutil.copy(crawled.db, db_path)
    shutil.copytree(crawled.archive, archive)
    # An attachment (binary, served as a download) and a title that is HTML.
    digest, _ = BlobStore(archive).put(PDF)
    db = open_db(db_path)
    report_id = db.execute("SELECT min(id) FROM reports").fetchone()[0]
    fetch_id = record_fetch(db, url="http://127.0.0.1/files/report.pdf", status=200, method="GET",
                            content_type="application/pdf", sha256=digest, size=len(PDF))
    db["attachments"].insert({"report_id": report_id, "url": "http://127.0.0.1/files/report.pdf",
                              "link_text": "附件1", "filename": ATTACHMENT_NAME, "content_type": "application/pdf",
                              "sha256": digest, "fetch_id": fetch_id, "first_seen": "2024-01-01T00:00:00Z"})
    hostile_id = db.execute("SELECT max(id) FROM reports").fetchone()[0]
    db.execute("UPDATE reports SET title = title || ? WHERE id = ?", [HOSTILE, hostile_id])
    # a report published late: a department's report on 2022 dated 30 June 2023 (due 31 January)
    late_id = db.execute("SELECT min(id) FROM reports WHERE admin_level = 'department' AND year >= 2019").fetchone()[0]
    db.execute("UPDATE reports SET published = (year + 1) || '-06-30', published_from = 'page' WHERE id = ?", [late_id])
    db.conn.commit()
    db.close()

    with serve(db_path) as base:
        yield {"base": base, "db": db_path, "archive": archive, "pdf": digest, "hostile": hostile_id,
               "attachment_report": report_id}


def rows(site, sql: str, params=()) -> list:
    conn = sqlite3.connect(site["db"])
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def get_json(site, path: str, **params):
    response = httpx.get(site["base"] + path, params={"_shape": "array", "_size": "max", **params}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response.json()


# -- /-/archive/<sha256> -----------------------------------------------------


def test_archived_report_is_plain_text_decoded_with_its_encoding(site):
    from archive.encoding import decode

    reports = rows(site, "SELECT r.sha256, f.declared_encoding FROM reports r JOIN fetches f ON f.id = r.fetch_id")
    declared = {enc for _, enc in reports}
    assert any(enc and enc.startswith("gb") for enc in declared), declared  # a GB-encoded page is among them
    for sha, enc in reports:
        response = httpx.get(f"{site['base']}/-/archive/{sha}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["x-content-type-options"] == "nosniff"
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "sandbox" in csp
        assert "content-disposition" not in response.headers
        raw = (site["archive"] / "sha256" / sha[:2] / sha[2:4] / sha).read_bytes()
        assert response.content.decode("utf-8") == decode(raw, enc)
        assert "<html" in response.text.lower()  # the HTML source, shown, not rendered


def test_archived_attachment_is_a_download(site):
    response = httpx.get(f"{site['base']}/-/archive/{site['pdf']}")
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(ATTACHMENT_NAME, safe='')}" in disposition


@pytest.mark.parametrize("digest", [
    "0" * 64,                                   # well-formed, unknown
    "abc",                                      # too short
    "A" * 64,                                   # upper case
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fxxgk.db",
    "g" * 64,
])
def test_archive_route_404s_and_never_touches_a_path_from_the_url(site, digest):
    response = httpx.get(f"{site['base']}/-/archive/{digest}")
    assert response.status_code == 404
    assert str(site["archive"]) not in response.text
    assert "root:" not in response.text


def test_archive_route_is_read_only(site):
    sha = rows(site, "SELECT sha256 FROM reports LIMIT 1")[0][0]
    response = httpx.post(f"{site['base']}/-/archive/{sha}", content=b"x")
    assert response.status_code in (403, 405)
    assert (site["archive"] / "sha256" / sha[:2] / sha[2:4] / sha).read_bytes() != b"x"


# -- links and escaping in the table views --------------------------------------


def test_reports_link_to_original_and_archived_copy(site):
    page = httpx.get(site["base"] + "/xxgk/reports", params={"_size": "max"}).text
    for url, sha in rows(site, "SELECT url, sha256 FROM reports"):
        assert f'href="{url}"' in page
        assert f'href="/-/archive/{sha}"' in page
    archived = re.findall(r'href="(/-/archive/[0-9a-f]{64})"', page)
    assert archived and httpx.get(site["base"] + archived[0]).status_code == 200


def test_report_figures_and_attachments_link_to_archived_copies(site):
    page = httpx.get(site["base"] + "/xxgk/report_figures").text
    for (sha,) in rows(site, "SELECT coalesce(parsed_sha256, sha256) FROM reports"):
        assert f'href="/-/archive/{sha}"' in page
    page = httpx.get(site["base"] + "/xxgk/attachments").text
    assert f'href="/-/archive/{site["pdf"]}"' in page


def test_reports_definitions_and_agencies_link_to_their_figures_and_years(site):
    report_id = rows(site, "SELECT min(report_id) FROM report_figures")[0][0]
    page = httpx.get(f"{site['base']}/xxgk/report_figures/{report_id}", timeout=30).text
    assert f'href="/xxgk/reports/{report_id}"' in page and f'href="/xxgk/figures?report_id={report_id}"' in page
    page = httpx.get(f"{site['base']}/xxgk/metric_definitions", params={"key": "requests.new.total"}, timeout=30).text
    assert 'href="/xxgk/figures?key=requests.new.total"' in page
    figures = get_json(site, "/xxgk/figures.json", key="requests.new.total")
    assert figures and all(f["key"] == "requests.new.total" for f in figures)
    agency = rows(site, "SELECT agency FROM report_figures WHERE reconsiderations IS NOT NULL LIMIT 1")[0][0]
    page = httpx.get(f"{site['base']}/xxgk/most_reconsiderations_and_lawsuits", params={"year": ""}, timeout=30).text
    assert f'href="/xxgk/agency_time_series?{urlencode({"agency": agency})}"'.replace("&", "&amp;") in page
    years = get_json(site, "/xxgk/agency_time_series.json", agency=agency)
    assert years and all(agency in r["agency"] for r in years)


def test_metric_keys_link_to_their_definitions(site):
    page = httpx.get(site["base"] + "/xxgk/metrics", params={"key": "requests.new.total"}).text
    links = set(re.findall(r'href="(/xxgk/metric_definitions/[^"]+)"', page))
    assert links == {"/xxgk/metric_definitions/requests~2Enew~2Etotal"}
    definition = httpx.get(site["base"] + links.pop() + ".json", params={"_shape": "array"}).json()[0]
    assert definition["label"] == "一、本年新收政府信息公开申请数量 · 总计"
    assert definition["unit"] == "件"


def test_report_html_is_never_rendered(site):
    for path in ("/xxgk/reports", f"/xxgk/reports/{site['hostile']}", "/xxgk/report_figures",
                 f"/xxgk/report_figures/{site['hostile']}"):
        page = httpx.get(site["base"] + path).text
        assert HOSTILE not in page, path
        assert "&lt;img src=x" in page, path


# -- search --------------------------------------------------------------------


@pytest.mark.parametrize("word", WORDS)
def test_search_box_finds_every_report_containing_the_words(site, word):
    expected = contains(site["db"], word)
    assert expected, f"the sample crawl has no report containing {word}"
    found = {r["id"] for r in get_json(site, "/xxgk/reports.json", _search=word)}
    assert found == expected
    found = {r["report_id"] for r in get_json(site, "/xxgk/report_figures.json", _search=word)}
    assert found == expected


def test_search_finds_the_words_of_the_tables_and_marks_them(site):
    """商业企业 is a column heading of table 三, 不予公开 a row label: words only the
    tables hold, found in every report of the 2019 and 2021 forms, highlighted."""
    templated = {rid for (rid,) in rows(site, "SELECT id FROM reports WHERE format IN ('2019-template', '2021-template') "
                                              "AND id NOT IN (SELECT report_id FROM warnings "
                                              "WHERE code IN ('tables_as_images', 'content_as_images'))")}
    assert templated
    assert not [rid for (rid,) in rows(site, "SELECT id FROM reports WHERE text LIKE '%[table: %'")]
    for word in ("商业企业", "不予公开"):
        assert templated <= contains(site["db"], word), word
        found = get_json(site, "/xxgk/search_text.json", q=word)
        assert {r["report_id"] for r in found} >= templated
        assert all(f"⟦{word}⟧" in r["context"] for r in found), [r["context"] for r in found[:3]]
    page = httpx.get(site["base"] + "/xxgk/search_text", params={"q": "商业企业"}, timeout=30).text
    assert "<mark>商业企业</mark>" in page
    contexts = [r["context"] for r in get_json(site, "/xxgk/search_text.json", q="复议")]
    assert len(set(contexts)) > len(contexts) / 2  # the text around each hit, not one heading for all


@pytest.mark.parametrize("word", ["复", "议", "复议", "年报", "不予公开", "政府信息公开工作年度报告"])
def test_search_text_finds_terms_of_every_length(site, word):
    """The search_text query: one, two and more characters, every report holding
    the term (the sample crawl has fewer than its 1,000 rows), each row's context
    marking it where its text holds it."""
    expected = contains(site["db"], word)
    assert expected and len(expected) < 1000, word
    found = get_json(site, "/xxgk/search_text.json", q=word)
    assert {r["report_id"] for r in found} == expected
    assert all(f"⟦{word}⟧" in r["context"] for r in found)


def test_search_terms_are_anded_and_absent_words_find_nothing(site):
    expected = contains(site["db"], "教育局") & contains(site["db"], "2023")
    assert expected
    assert {r["id"] for r in get_json(site, "/xxgk/reports.json", _search="教育局 2023")} == expected
    assert get_json(site, "/xxgk/reports.json", _search="量子计算机") == []
    assert get_json(site, "/xxgk/reports.json", _search="鑫") == []


def test_search_box_is_on_the_reports_page(site):
    page = httpx.get(site["base"] + "/xxgk/reports", params={"_search": "复议"}).text
    assert 'id="_search"' in page and 'value="复议"' in page
    assert 'search matches &#34;复议&#34;' in page


# -- canned queries -------------------------------------------------------------


def metadata() -> dict:
    return json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))


def test_every_canned_query_runs(site):
    queries = metadata()["databases"]["xxgk"]["queries"]
    params = {"province": "", "year": "", "agency": "教育局", "q": "复议", "key": "requests.new.total"}
    for name in queries:
        response = httpx.get(f"{site['base']}/xxgk/{name}.json", params={"_shape": "array", **params})
        assert response.status_code == 200, (name, response.text[:300])
        # nothing vanishes in one crawl: tests/test_vanished.py reads that query after a report did
        assert response.json() or name == "vanished_reports", f"{name} returned no rows on the sample crawl"
        assert httpx.get(f"{site['base']}/xxgk/{name}").status_code == 200


def test_the_metadata_follows_the_database_served(site, tmp_path):
    """Served under another file name, the catalogue keeps its canned queries,
    descriptions and front-page links (metadata is keyed by database name)."""
    db = tmp_path / "nb-2024.db"
    shutil.copy(site["db"], db)
    shutil.copytree(site["archive"], tmp_path / "archive")
    queries = metadata()["databases"]["xxgk"]["queries"]
    with serve(db) as base:
        listed = httpx.get(f"{base}/nb-2024.json", timeout=30).json()
        assert {q["name"] for q in listed["queries"]} == set(queries)
        shares = httpx.get(f"{base}/nb-2024/outcome_shares_by_province_year.json",
                           params={"_shape": "array", "province": ""}, timeout=30)
        assert shares.status_code == 200 and shares.json()
        home = httpx.get(base + "/", timeout=30).text
        assert 'href="/nb-2024/report_figures"' in home and 'href="/xxgk/' not in home
        description = metadata()["databases"]["xxgk"]["tables"]["metric_definitions"]["description"]
        page = httpx.get(f"{base}/nb-2024/metric_definitions", timeout=30).text
        assert html.escape(description[:30], quote=False) in page


def test_requests_per_year_adds_up_to_the_metrics(site):
    result = get_json(site, "/xxgk/requests_per_year_by_level.json", province="")
    total = rows(site, "SELECT sum(value) FROM metrics WHERE key = 'requests.new.total'")[0][0]
    assert sum(r["requests_received"] or 0 for r in result) == total
    by_year = rows(site, "SELECT r.year, sum(m.value) FROM metrics m JOIN reports r ON r.id = m.report_id "
                         "WHERE m.key = 'requests.new.total' GROUP BY r.year")
    for year, value in by_year:
        assert sum(r["requests_received"] or 0 for r in result if r["year"] == year) == value


def test_outcome_shares_never_turn_an_unstated_outcome_into_0(site):
    result = get_json(site, "/xxgk/outcome_shares_by_province_year.json", province="")
    assert result
    outcomes = ["disclosed", "partly_disclosed", "withheld", "unavailable", "not_processed", "other_outcome"]
    for row in result:
        for c in outcomes:
            if row[f"{c}_reports"] == 0:  # no report of the row states it: no share, not 0 %
                assert row[f"{c}_pct"] is None, row
        stated = [c for c in outcomes if row[f"{c}_reports"] == row["reports"]]
        if row["answered"] and len(stated) == len([c for c in outcomes if row[f"{c}_reports"]]):
            assert abs(sum(row[f"{c}_pct"] for c in stated) - 100) < 0.5, row
        if not row["answered"]:  # nothing answered: no shares, rather than a division by zero
            assert all(row[f"{c}_pct"] is None for c in outcomes)
    forms = {row["report_form"] for row in result}
    assert {"2008 form", "2019 form", "2021 form"} <= forms
    old = [row for row in result if row["report_form"] == "2008 form" and row["answered"]]
    assert old and all(row["unavailable_pct"] is None and row["other_outcome_pct"] is None for row in old)


def test_cases_never_count_an_unstated_figure_as_0(site):
    result = get_json(site, "/xxgk/most_reconsiderations_and_lawsuits.json", year="")
    assert result
    for row in result[:20]:
        both = rows(site, "SELECT reconsiderations, lawsuits FROM report_figures WHERE agency = ? AND province IS ? "
                          "AND admin_level IS ?", [row["agency"], row["province"], row["admin_level"]])
        stated_both = [a + b for a, b in both if a is not None and b is not None]
        assert row["cases"] == (sum(stated_both) if stated_both else None), row
        assert row["reports_stating_lawsuits"] == sum(b is not None for _, b in both)


def test_timeliness_holds_each_report_to_its_legal_deadline(site):
    view = get_json(site, "/xxgk/timeliness.json")
    assert len(view) == rows(site, "SELECT count(*) FROM reports WHERE parse_status = 'ok'")[0][0]
    levels = {"department": "01-31", "township": "01-31", "national": "03-31", "province": "03-31",
              "prefecture": "03-31", "county": "03-31"}
    statuses = set()
    for r in view:
        if r["year"] is None or (r["year"] >= 2019 and r["admin_level"] not in levels):
            assert r["deadline"] is None and r["status"] == "no deadline known", r
            continue
        due = "03-31" if r["year"] <= 2018 else levels[r["admin_level"]]
        assert r["deadline"] == f"{r['year'] + 1}-{due}", r
        assert ("assumed" in r["rule"]) == (r["year"] >= 2019 and r["admin_level"] == "township"), r
        if r["published"] is None:
            assert r["status"] == "date unknown" and r["published_from"] is None
        else:
            assert r["published_from"] in ("page", "signature", "under_title"), r
            assert r["status"] == ("late" if r["published"] > r["deadline"] else "on time"), r
        statuses.add(r["status"])
    assert {"on time", "late"} <= statuses
    late = get_json(site, "/xxgk/late_reports.json", year="")
    assert sorted(r["report_id"] for r in late) == sorted(r["report_id"] for r in view if r["status"] == "late")
    assert all(r["days_after_deadline"] > 0 for r in late)
    by_year = get_json(site, "/xxgk/timeliness_by_province_year.json", province="")
    assert sum(r["late"] for r in by_year) == len(late)
    assert sum(r["reports"] for r in by_year) == len([r for r in view if r["year"] is not None])


def test_missing_years_are_the_gaps_between_a_bodys_years(site):
    seen: dict[str, set[int]] = {}
    for key, year in rows(site, "SELECT body_key, year FROM reports WHERE parse_status = 'ok' "
                                "AND body_key IS NOT NULL AND year IS NOT NULL"):
        seen.setdefault(key, set()).add(year)
    expected = {k: sorted(set(range(min(v), max(v) + 1)) - v) for k, v in seen.items()}
    expected = {k: v for k, v in expected.items() if v}
    result = get_json(site, "/xxgk/missing_years.json", province="")
    assert expected and {r["body_key"] for r in result} == set(expected)
    for r in result:
        assert [int(y) for y in r["years_missing"].split(", ")] == expected[r["body_key"]]
        assert sorted(int(y) for y in r["years_seen"].split(", ")) == sorted(seen[r["body_key"]])


def test_consistency_and_image_queries_list_the_warnings(site):
    from parse.figures.consistency import CHECK_CODES

    result = get_json(site, "/xxgk/inconsistent_figures.json")
    expected = rows(site, f"SELECT count(*) FROM warnings WHERE code IN ({','.join('?' * len(CHECK_CODES))})",
                    list(CHECK_CODES))[0][0]
    assert len(result) == expected > 0
    assert {r["code"] for r in result} <= set(CHECK_CODES)
    result = get_json(site, "/xxgk/tables_as_images.json")
    assert len(result) == rows(site, "SELECT count(*) FROM warnings WHERE code = 'tables_as_images'")[0][0] > 0


def test_agency_time_series_and_coverage(site):
    from crawler.sites import load_sites

    result = get_json(site, "/xxgk/agency_time_series.json", agency="文登区教育局")
    assert [r["year"] for r in result] == sorted(
        y for (y,) in rows(site, "SELECT year FROM reports WHERE agency LIKE '%文登区教育局%'"))
    coverage = get_json(site, "/xxgk/coverage.json")
    registered = {r["site"] for r in coverage if r["registered"] == 1}
    assert registered == {s.name for s in load_sites()}
    crawled_site = [r for r in coverage if r["registered"] == 0]
    assert len(crawled_site) == 1 and crawled_site[0]["reports"] == rows(site, "SELECT count(*) FROM reports")[0][0]
    years = {y for (y,) in rows(site, "SELECT DISTINCT year FROM reports")}
    assert set(map(int, crawled_site[0]["years"].split(", "))) == years


# -- charts --------------------------------------------------------------------


def test_charts_page_draws_the_figures(site):
    page = httpx.get(site["base"] + "/-/charts")
    assert page.status_code == 200
    section = page.text.split('id="requests-per-year"', 1)[1].split("</section>", 1)[0]
    values = [float(v) for v in re.findall(r'<rect class="bar"[^>]*data-value="([0-9.]+)"', section)]
    total = rows(site, "SELECT sum(value) FROM metrics WHERE key = 'requests.new.total'")[0][0]
    assert values and sum(values) == total
    shares = page.text.split('id="outcome-shares"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in shares and '<rect class="bar"' in shares
    # the report form's changes are marked where years are compared, each bar says how many reports it holds
    for chart in (section, shares):
        marks = re.findall(r'<text class="template-change"[^>]*>([^<]+)</text>', chart)
        assert "2019 form · 2019年新格式" in marks and "2021 form · 2021年新格式" in marks, marks
        assert re.findall(r'<text class="note"[^>]*>n=\d+</text>', chart)
    assert "not stated · 未列" in shares  # the 2008 form's 无法提供 …: not a 0
    assert "<script" not in page.text.split("<footer", 1)[0].split("</header>", 1)[1]  # no JS needed


def test_charts_filter_by_province(site):
    provinces = [p for (p,) in rows(site, "SELECT DISTINCT province FROM reports WHERE province IS NOT NULL")]
    province = min(provinces, key=lambda p: rows(site, "SELECT count(*) FROM reports WHERE province = ?", [p])[0][0])
    page = httpx.get(site["base"] + "/-/charts", params={"province": province}).text
    section = page.split('id="requests-per-year"', 1)[1].split("</section>", 1)[0]
    values = [float(v) for v in re.findall(r'data-value="([0-9.]+)"', section)]
    expected = rows(site, "SELECT coalesce(sum(m.value), 0) FROM metrics m JOIN reports r ON r.id = m.report_id "
                          "WHERE m.key = 'requests.new.total' AND r.province = ?", [province])[0][0]
    assert sum(values) == expected


# -- read-only -----------------------------------------------------------------


def test_no_write_endpoint(site):
    before = rows(site, "SELECT count(*) FROM reports")[0][0]
    for method, path, data in [
        ("POST", "/xxgk/-/query", {"sql": "delete from reports"}),
        ("POST", "/xxgk/reports/-/insert", {"rows": []}),
        ("POST", "/xxgk/-/create", {}),
        ("POST", "/-/charts", {}),
    ]:
        response = httpx.request(method, site["base"] + path, data=data)
        assert response.status_code >= 400, path
    assert httpx.get(site["base"] + "/xxgk.json", params={"sql": "delete from reports"}).status_code == 400
    assert rows(site, "SELECT count(*) FROM reports")[0][0] == before
