"""A body's page (``/-/body?agency=…``, publish/plugins/body_page.py) over real HTTP.

Real material: a crawl of the sample portal's ``realdocs`` site (the real reports
of tests/gold/real), where 平潭综合实验区 has a report for every year 2011–2025
under two names. To see every case the page has, the copy served is changed
where a real archive would differ: the 2020 report is published a second time
at another URL (two reports of one year), the 2022 report's 上年结转 of natural
persons is made 2 where 2021 carried 1 forward (a carry-over break, which the
checks across years store as ``carryover_mismatch``), the 2024 report's 上年结转
总计 is doubted (``certain = 0``), one 2025 figure is given an OCR origin on an
archived PDF, one agency gets a name with a slash, spaces and URL characters, and
one report's title and one figure's evidence end in HTML.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import httpx
import lxml.html
import pytest
import yaml

from conftest import FAST, ROOT, run_xxgk, serve

BODY = "平潭综合实验区"
ODD_NAME = "平潭县教育局 / 体育局 & 青少年?#%"
HOSTILE = '<img src=x onerror="alert(1)">'


def _plugin():
    spec = importlib.util.spec_from_file_location("body_page", ROOT / "publish" / "plugins" / "body_page.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


body_page = _plugin()


@pytest.fixture(scope="module")
def realdocs(tmp_path_factory):
    """One `xxgk crawl --all` of a registry listing the realdocs site."""
    from sample_portal.server import serve_sites_in_thread

    folder = tmp_path_factory.mktemp("body-realdocs")
    with serve_sites_in_thread(["realdocs"]) as urls:
        registry = folder / "sites.yaml"
        registry.write_text(yaml.safe_dump({"sites": [
            {"name": "sample-realdocs", "start_url": str(urls["realdocs"]), "family": "auto"}]}), encoding="utf-8")
        result = run_xxgk("crawl", "--all", "--sites", str(registry), "--db", str(folder / "xxgk.db"),
                          "--archive", str(folder / "archive"), *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def alter(db_path: Path) -> dict:
    """The changes of the module's docstring, made to the catalogue at ``db_path``."""
    from archive.catalogue import open_db
    from parse.bodies import body_key
    from parse.from_archive import check_across_years

    db = open_db(db_path)
    by_year = {year: rid for rid, year in db.execute(
        "SELECT id, year FROM reports WHERE body_key = ? ORDER BY year", [BODY]).fetchall()}
    assert set(by_year) == set(range(2011, 2026)), by_year

    # 2020, published a second time at another URL
    columns = [c for c in db["reports"].columns_dict if c != "id"]
    names = ", ".join(columns)
    values = ", ".join("url || '?copy=1'" if c == "url" else c for c in columns)
    db.execute(f"INSERT INTO reports ({names}) SELECT {values} FROM reports WHERE id = ?", [by_year[2020]])
    copy = db.execute("SELECT max(id) FROM reports").fetchone()[0]
    metric_columns = [c for c in db["metrics"].columns_dict if c not in ("id", "report_id")]
    db.execute(f"INSERT INTO metrics (report_id, {', '.join(metric_columns)}) SELECT ?, {', '.join(metric_columns)} "
               "FROM metrics WHERE report_id = ? ORDER BY id", [copy, by_year[2020]])
    # 2022 says it carried 2 requests over; 2021 carried 1 forward
    db.execute("UPDATE metrics SET value = 2 WHERE report_id = ? AND key IN "
               "('requests.carried_over.natural_person', 'requests.carried_over.total')", [by_year[2022]])
    # 2024's 上年结转 总计 doubted
    doubtful = db.execute("SELECT id FROM metrics WHERE report_id = ? AND key = 'requests.carried_over.total'",
                          [by_year[2024]]).fetchone()[0]
    db.execute("UPDATE metrics SET certain = 0 WHERE id = ?", [doubtful])
    # one 2025 figure read by OCR from an archived PDF's first page
    pdf = db.execute("SELECT sha256 FROM fetches WHERE content_type LIKE 'application/pdf%' LIMIT 1").fetchone()[0]
    origin = {"image": pdf, "document": pdf, "page": 1, "scale": 1, "box": [60, 60, 200, 90], "confidence": 0.93}
    ocr = db.execute("SELECT id FROM metrics WHERE report_id = ? AND key = 'requests.new.total'",
                     [by_year[2025]]).fetchone()[0]
    db.execute("UPDATE metrics SET origin = ?, source = 'ocr' WHERE id = ?", [json.dumps(origin), ocr])
    # a name with a slash, spaces and characters URLs give a meaning to
    odd = db.execute("SELECT id FROM reports WHERE agency = '平潭县教育局'").fetchone()[0]
    db.execute("UPDATE reports SET agency = ?, body_key = ? WHERE id = ?", [ODD_NAME, body_key(ODD_NAME), odd])
    # words of a report that are HTML: shown as text
    db.execute("UPDATE metrics SET evidence = evidence || ? WHERE report_id = ? AND key = 'requests.new.total'",
               [HOSTILE, by_year[2023]])
    db.execute("UPDATE reports SET title = title || ? WHERE id = ?", [HOSTILE, by_year[2023]])
    db.conn.commit()
    assert check_across_years(db) >= 2
    db.close()
    return {"years": by_year, "copy": copy, "doubtful": doubtful, "ocr": ocr, "odd": odd}


@pytest.fixture(scope="module")
def site(realdocs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("body-site")
    db_path = folder / "xxgk.db"
    shutil.copy(realdocs / "xxgk.db", db_path)
    shutil.copytree(realdocs / "archive", folder / "archive")
    changed = alter(db_path)
    with serve(db_path) as base:
        yield {"base": base, "db": db_path, **changed}


def rows(site, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(site["db"])
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def get(site, path: str, **params) -> httpx.Response:
    return httpx.get(site["base"] + path, params=params, timeout=30)


@pytest.fixture(scope="module")
def page(site):
    response = get(site, "/-/body", agency=BODY)
    assert response.status_code == 200, response.text[:1000]
    return lxml.html.fromstring(response.text)


def report_columns(page) -> list[int]:
    return [int(th.get("data-report")) for th in page.cssselect("table.years thead th.report")]


def body_reports(site) -> list[dict]:
    return rows(site, "SELECT id, year, title, agency, format, published, coalesce(parsed_sha256, sha256) AS sha "
                      "FROM reports WHERE body_key = ? ORDER BY year, id", [BODY])


# -- the reports, one column each ---------------------------------------------


def test_every_report_of_the_body_is_a_column_in_year_order(site, page):
    reports = body_reports(site)
    assert report_columns(page) == [r["id"] for r in reports]
    assert len(reports) == 16  # fifteen years, 2020 twice
    heads = {int(th.get("data-report")): th.text_content() for th in page.cssselect("table.years thead th.report")}
    assert "2020 (1/2)" in heads[site["years"][2020]] and "2020 (2/2)" in heads[site["copy"]]
    assert heads[site["years"][2019]].startswith("2019") and "(1/" not in heads[site["years"][2019]]
    # both names it published under
    assert "平潭综合实验区政府" in page.text_content()


def test_each_report_is_listed_with_its_title_archived_copy_form_and_date(site, page):
    listed = {int(tr.get("data-report")): tr for tr in page.cssselect("table.reports tbody tr")}
    for report in body_reports(site):
        tr = listed[report["id"]]
        title = tr.cssselect("a.report")[0]
        assert title.text_content() == report["title"]
        assert title.get("href") == f"/xxgk/reports/{report['id']}"
        assert tr.cssselect("a.archived")[0].get("href") == f"/-/archive/{report['sha']}"
        assert body_page.FORMS[report["format"]] in tr.text_content()
        assert report["published"] in tr.text_content()


# -- the figures, one row each --------------------------------------------------


def test_each_years_figures_are_the_metrics_table(site, page):
    reports = report_columns(page)
    metrics = {(m["report_id"], m["key"]): m for m in rows(
        site, f"SELECT * FROM metrics WHERE report_id IN ({', '.join('?' for _ in reports)})", reports)}
    seen, missing = 0, 0
    shown_keys = set()
    for tr in page.cssselect("table.years tbody tr[data-key]"):
        key = tr.get("data-key")
        shown_keys.add(key)
        cells = tr.cssselect("td.fig")
        assert len(cells) == len(reports)
        for report_id, cell in zip(reports, cells):
            metric = metrics.get((report_id, key))
            if metric is None:  # not stated: a dash, never 0
                assert cell.text_content().strip() == "—" and "missing" in cell.get("class")
                missing += 1
                continue
            link = cell.cssselect("a.value")[0]
            assert link.get("href") == f"/xxgk/metrics/{metric['id']}"
            assert link.text_content().lstrip("≈") == body_page._number(metric["value"])
            assert (metric["evidence"] or "").strip() in link.get("title")
            seen += 1
    assert seen == len(metrics) and missing > 0
    assert shown_keys == {k for _, k in metrics}  # every key some report states, and no other


def test_a_figure_a_report_does_not_state_is_a_dash_not_zero(site, page):
    # the legacy 2011 report has no table 三: no 上年结转; 2019 states it as 0
    reports = report_columns(page)
    tr = page.cssselect('table.years tr[data-key="requests.carried_over.total"]')[0]
    cells = dict(zip(reports, tr.cssselect("td.fig")))
    assert cells[site["years"][2011]].text_content().strip() == "—"
    assert cells[site["years"][2019]].cssselect("a.value")[0].text_content() == "0"


def test_a_doubtful_figure_is_never_shown_without_its_mark(site, page):
    reports = report_columns(page)
    doubted = {(m["report_id"], m["key"]) for m in rows(
        site, f"SELECT report_id, key FROM metrics WHERE certain = 0 AND report_id IN "
              f"({', '.join('?' for _ in reports)})", reports)}
    assert len(doubted) == 1
    marked = set()
    for tr in page.cssselect("table.years tbody tr[data-key]"):
        for report_id, cell in zip(reports, tr.cssselect("td.fig")):
            if cell.cssselect(".doubtful-mark"):
                assert "doubtful" in cell.get("class")
                marked.add((report_id, tr.get("data-key")))
    assert marked == doubted == {(site["years"][2024], "requests.carried_over.total")}


def test_rows_follow_the_template(site, page):
    from parse.template import APPLICANT_ORDER, TABLE3_ROWS

    keys = [tr.get("data-key") for tr in page.cssselect("table.years tbody tr[data-key]")]
    table3 = [f"{row.key}.{column}" for row in TABLE3_ROWS for column in APPLICANT_ORDER]
    shown = [k for k in keys if k in table3]
    assert shown == [k for k in table3 if k in shown]
    assert shown[0] == "requests.new.natural_person" and shown[-1] == "requests.carried_forward.total"
    label = page.cssselect('table.years tr[data-key="outcome.withheld.state_secret.natural_person"] td.label')[0]
    definition = rows(site, "SELECT label FROM metric_definitions WHERE key = ?",
                      ["outcome.withheld.state_secret.natural_person"])[0]
    assert label.text_content() == definition["label"]


def test_totals_only(site):
    response = get(site, "/-/body", agency=BODY, applicants="total")
    keys = [tr.get("data-key") for tr in lxml.html.fromstring(response.text).cssselect("table.years tr[data-key]")]
    assert "requests.new.total" in keys and "requests.new.natural_person" not in keys
    assert "review.total" in keys


def test_a_figure_read_by_ocr_links_to_its_crop(site, page):
    links = [a for a in page.cssselect("table.years a.crop")]
    assert len(links) == 1
    response = httpx.get(site["base"] + links[0].get("href"), timeout=60)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "OCR confidence 0.93" in links[0].getparent().cssselect("a.value")[0].get("title")


def test_html_in_a_title_or_evidence_is_text(site):
    text = get(site, "/-/body", agency=BODY).text
    assert HOSTILE not in text
    page = lxml.html.fromstring(text)
    assert not page.cssselect("img")
    assert any(a.text_content().endswith(HOSTILE) for a in page.cssselect("table.reports a.report"))  # as text
    titles = [a.get("title") for a in page.cssselect("table.years a.value")]
    assert any(t.endswith(HOSTILE) for t in titles)  # the evidence, whole, as an attribute's text


# -- across years -------------------------------------------------------------


def test_the_carryover_check_is_the_stored_warnings(site, page):
    reports = [r["id"] for r in body_reports(site)]
    warnings = rows(site, f"SELECT report_id, detail FROM warnings WHERE code = 'carryover_mismatch' AND report_id "
                          f"IN ({', '.join('?' for _ in reports)})", reports)
    stored = set()
    for w in warnings:
        detail = json.loads(w["detail"])
        stored.add((w["report_id"], detail["previous_report_id"], detail["column"]))
    assert (site["years"][2022], site["years"][2021], "natural_person") in stored
    differs, verdicts = set(), {}
    for tr in page.cssselect("table.across-years tr.check"):
        now, before = int(tr.get("data-report")), int(tr.get("data-previous-report"))
        for td in tr.cssselect("td[data-verdict]"):
            verdicts[(now, before, td.get("data-column"))] = (td.get("data-verdict"), " ".join(td.text_content().split()))
            if td.get("data-verdict") == "differs":
                differs.add((now, before, td.get("data-column")))
    assert differs == stored
    y = site["years"]
    verdict, text = verdicts[(y[2022], y[2021], "natural_person")]
    assert verdict == "differs" and "2 ≠ 1" in text
    assert verdicts[(y[2022], y[2021], "commercial_enterprise")][0] == "agree"
    assert verdicts[(y[2024], y[2023], "total")][0] == "cannot"  # 2024's is doubtful
    assert verdicts[(y[2024], y[2023], "natural_person")][0] == "agree"
    # 2018's 统计表 carries nothing forward: one cell for the pair, saying why
    verdict, text = verdicts[(y[2019], y[2018], "all")]
    assert verdict == "cannot" and "2018 states no 结转下年度继续办理" in text
    # two reports of 2020: each is compared with 2019 and with 2021
    for now, before in ((y[2020], y[2019]), (site["copy"], y[2019]), (y[2021], y[2020]), (y[2021], site["copy"])):
        assert verdicts[(now, before, "total")][0] == "agree"


def test_a_gap_between_years_is_said_not_compared(site):
    # 平潭综合实验区社会事业局 has reports of 2015 and 2020 only
    response = get(site, "/-/body", agency="平潭综合实验区社会事业局")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    assert len(report_columns(page)) == 2
    assert not page.cssselect("table.across-years tr.check")
    [gap] = page.cssselect("table.across-years tr.gap")
    assert "2015" in gap.text_content() and "2020" in gap.text_content() and "not compared" in gap.text_content()


# -- links, names, 404 --------------------------------------------------------


def test_the_pages_links_work(site, page):
    hrefs = {a.get("href") for a in page.cssselect("a[href]")}
    local = {h for h in hrefs if h.startswith("/") and not h.startswith("/xxgk/metrics/")}
    metric_links = sorted(h for h in hrefs if h.startswith("/xxgk/metrics/"))
    assert len(metric_links) > 1000
    for href in sorted(local) + metric_links[::97]:
        response = httpx.get(site["base"] + href, timeout=60)
        assert response.status_code == 200, href


def test_agency_cells_lead_to_the_body_page(site):
    report_id = site["years"][2023]
    for path in (f"/xxgk/report_figures/{report_id}", f"/xxgk/reports/{report_id}"):
        html = get(site, path).text
        assert f'href="/-/body?{urlencode({"agency": BODY})}"' in html
    html = get(site, "/xxgk/agency_time_series", agency=BODY).text
    assert f'href="/xxgk/agency_time_series?{urlencode({"agency": BODY})}"' in html  # as before
    links = set(re.findall(r'class="xxgk-body" href="([^"]+)"', html))
    assert f"/-/body?{urlencode({'agency': BODY})}" in links
    for link in links:
        assert httpx.get(site["base"] + link.replace("&amp;", "&"), timeout=30).status_code == 200


def test_any_name_works_slashes_spaces_and_all(site):
    response = get(site, "/-/body", agency=ODD_NAME)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    assert page.cssselect("h1")[0].text_content() == ODD_NAME
    assert report_columns(page) == [site["odd"]]
    html = get(site, f"/xxgk/reports/{site['odd']}").text
    assert f'href="/-/body?{urlencode({"agency": ODD_NAME})}"'.replace("&", "&amp;") in html


def test_the_same_body_under_its_other_name_or_its_key(site, page):
    for params in ({"agency": "平潭综合实验区政府"}, {"key": BODY}):
        response = get(site, "/-/body", **params)
        assert response.status_code == 200
        assert report_columns(lxml.html.fromstring(response.text)) == report_columns(page)


@pytest.mark.parametrize("params", [{"agency": "没有这个机关"}, {"agency": "平潭"}, {"agency": f" {BODY}"},
                                    {"key": "nothing"}, {"agency": " "}, {}])
def test_an_unknown_body_is_a_404_page(site, params):
    response = get(site, "/-/body", **params)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No such body" in response.text and "Traceback" not in response.text


# -- speed: every query on an index -------------------------------------------


def test_every_query_uses_an_index(site):
    conn = sqlite3.connect(site["db"])
    try:
        queries = [
            (body_page.AGENCY_BODY_SQL, {"agency": BODY}), (body_page.AGENCY_EXISTS_SQL, {"agency": BODY}),
            (body_page.REPORTS_BY_KEY_SQL, {"key": BODY}), (body_page.REPORTS_BY_AGENCY_SQL, {"agency": BODY}),
            body_page._in(body_page.METRICS_SQL, [1, 2, 3]), body_page._in(body_page.WARNINGS_SQL, [1, 2, 3]),
            body_page._in(body_page.DEFINITIONS_SQL, ["requests.new.total"]),
            body_page._in(body_page.ARCHIVED_SQL, ["0" * 64]),
        ]
        for sql, params in queries:
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            assert "SEARCH" in plan and not re.search(r"\bSCAN\b", plan), (sql, plan)
    finally:
        conn.close()
