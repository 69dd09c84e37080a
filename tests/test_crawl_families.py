"""`xxgk crawl --all` over every CMS family of the sample portal, each on its own host."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import FAST, run_xxgk
from crawler.attachments import safe_display_name

FAMILIES = ["trs", "hanweb", "jsonapi", "pagelist", "platform", "listforms"]


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def families(tmp_path_factory):
    """One `xxgk crawl --all` of a registry listing every family's site."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_sites_in_thread

    folder = tmp_path_factory.mktemp("families")
    with serve_sites_in_thread(FAMILIES) as urls:
        registry = folder / "sites.yaml"
        registry.write_text(
            yaml.safe_dump(
                {"sites": [{"name": f"sample-{f}", "start_url": str(urls[f]), "family": "auto"} for f in FAMILIES]},
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        result = run_xxgk(
            "crawl", "--all", "--sites", str(registry), "--db", str(folder / "xxgk.db"),
            "--archive", str(folder / "archive"), *FAST, "-s", "RETRY_BACKOFF_BASE=0.5",
            # the platform's pictured tables are crawled and read by OCR in test_pictured_tables.py
            "-s", "XXGK_MAX_IMAGES_PER_REPORT=0",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(folder / "xxgk.db")
    conn.row_factory = sqlite3.Row
    yield {
        "db": conn,
        "urls": urls,
        "manifests": {f: load_manifest(f) for f in FAMILIES},
        "stdout": result.stdout,
        "stderr": result.stderr,
    }
    conn.close()


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_yields_exactly_its_reports(families, family):
    manifest = families["manifests"][family]
    rows = families["db"].execute("SELECT url FROM reports WHERE site = ?", [f"sample-{family}"]).fetchall()
    found = {target(r["url"]) for r in rows}
    assert found == {r.path for r in manifest.reports}
    assert not found & {d.path for d in manifest.distractors}


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_report_is_parsed_with_its_year(families, family):
    manifest = families["manifests"][family]
    by_target = {
        target(r["url"]): dict(r)
        for r in families["db"].execute("SELECT * FROM reports WHERE site = ?", [f"sample-{family}"])
    }
    for report in manifest.reports:
        row = by_target[report.path]
        assert row["parse_status"] == "ok", (report.path, row["parse_error"])
        assert row["year"] == report.year, (report.path, row["title"])


def test_attachment_reports_are_archived_and_parsed_from_the_file(families):
    db = families["db"]
    checked = 0
    for family in FAMILIES:
        for report in families["manifests"][family].attachment_reports:
            row = db.execute("SELECT * FROM reports WHERE url LIKE ?", ["%" + report.path]).fetchone()
            assert row is not None and row["complete"] == 1, report.path
            if report.list_links_to == "page":
                attachment = db.execute("SELECT * FROM attachments WHERE report_id = ? AND role = 'document'",
                                        [row["id"]]).fetchone()
                assert attachment is not None and target(attachment["url"]) == report.attachment_path
                # the page only says 附件：…; the figures come from the file
                assert row["parsed_sha256"] == attachment["sha256"], report.path
                assert attachment["filename"] == safe_display_name(report.attachment_filename)
            else:
                assert row["parsed_sha256"] == row["sha256"]
            figures = db.execute("SELECT count(*) FROM metrics WHERE report_id = ?", [row["id"]]).fetchone()[0]
            assert figures > 0, (report.path, report.attachment_format)
            checked += 1
    formats = {r.attachment_format for f in FAMILIES for r in families["manifests"][f].attachment_reports}
    assert {"pdf", "doc", "docx", "xls", "xlsx", "wps"} <= formats
    assert checked >= 10


def test_hostile_attachment_names_are_never_paths(families):
    names = [r["filename"] for r in families["db"].execute("SELECT filename FROM attachments WHERE filename IS NOT NULL")]
    assert names
    assert all("/" not in n and "\\" not in n and ".." not in n.split(".")[0] for n in names)
    assert "passwd.pdf" in names


def test_only_the_portals_own_hosts_are_fetched(families):
    hosts = {urlsplit(u).netloc for u in families["urls"].values()}
    sent = families["db"].execute("SELECT url FROM fetches WHERE kind IS NOT 'offsite'")  # refusals: not sent
    fetched = {urlsplit(r["url"]).netloc for r in sent}
    assert fetched <= hosts
    for family in FAMILIES:
        manifest = families["manifests"][family]
        for path in manifest.disallowed_paths:
            hits = families["db"].execute(
                "SELECT count(*) FROM fetches WHERE url LIKE ?", [families["urls"][family].rstrip("/") + path + "%"]
            ).fetchone()[0]
            assert hits == 0, (family, path)


def test_traps_end_and_flaky_pages_are_retried(families):
    db = families["db"]
    calendar = db.execute("SELECT count(*) FROM fetches WHERE url LIKE '%/calendar%'").fetchone()[0]
    loop = db.execute("SELECT count(*) FROM fetches WHERE url LIKE '%/zcwj/zcwj/zcwj/%'").fetchone()[0]
    assert calendar <= 1 and loop == 0
    for family in FAMILIES:
        for flaky in families["manifests"][family].flaky:
            statuses = [
                r["status"] for r in db.execute(
                    "SELECT status FROM fetches WHERE url LIKE ? ORDER BY id", ["%" + flaky["path"] + "%"]
                )
            ]
            assert flaky["statuses"][0] in statuses and 200 in statuses, (family, flaky, statuses)


def test_a_crawl_run_row_per_site(families):
    runs = {r["site"]: dict(r) for r in families["db"].execute("SELECT * FROM crawl_runs")}
    assert set(runs) == {f"sample-{f}" for f in FAMILIES}
    for family in FAMILIES:
        run = runs[f"sample-{family}"]
        assert run["status"] == "finished" and run["ended_at"] >= run["started_at"]
        assert run["new_reports"] == len(families["manifests"][family].reports)
        assert run["pages_fetched"] > run["new_reports"]
        assert f"[sample-{family}] done:" in families["stderr"]  # progress lines


def test_sites_lists_last_crawl_and_report_counts(families, tmp_path):
    db = families["db"].execute("PRAGMA database_list").fetchone()["file"]
    registry = tmp_path / "sites.yaml"
    registry.write_text(
        yaml.safe_dump({"sites": [{"name": f"sample-{f}", "start_url": str(families["urls"][f])} for f in FAMILIES]}),
        encoding="utf-8",
    )
    result = run_xxgk("sites", "--sites", str(registry), "--db", db)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    for family in FAMILIES:
        line = lines[f"sample-{family}"]
        assert "never" not in line
        assert f" {len(families['manifests'][family].reports)}  http" in line


def test_list_apis_are_paged_from_the_column_not_in_a_chain(families):
    """A chain of list calls would grow one depth level per call and hit DEPTH_LIMIT on a long list."""
    db = families["db"]
    proxy = db.execute("SELECT url, referer FROM fetches WHERE url LIKE '%dataproxy.jsp%'").fetchall()
    api = db.execute("SELECT url, referer FROM fetches WHERE url LIKE '%/api/content/list%'").fetchall()
    assert len({r["url"] for r in proxy}) >= 2 and len({r["url"] for r in api}) >= 4
    for row in proxy:  # every call is made from the column page
        assert "dataproxy.jsp" not in row["referer"], dict(row)
    for row in api:  # from the column page, or (once the page count is known) from page 1
        assert "/api/" not in row["referer"] or row["referer"].endswith("pageNum=1"), dict(row)


def test_every_list_form_of_the_listforms_site_is_read(families):
    """Each 年报 sub-column of the listforms site is written in another real list
    form (sample_portal/families/listforms.py): every report of each is archived,
    its distractor (统计数据填报说明, 编制说明, 工作要点, 解读 …) is not."""
    db = families["db"]
    found = {target(r["url"]) for r in db.execute("SELECT url FROM reports WHERE site = 'sample-listforms'")}
    manifest = families["manifests"]["listforms"]
    forms = set()
    for column in manifest.columns:
        reports = {e.document.path for e in column.entries if e.is_report}
        others = {e.document.path for e in column.entries if not e.is_report}
        assert reports and reports <= found, column.mechanics
        assert not others & found, column.mechanics
        forms.add(column.mechanics)
    assert forms == {"trsapi", "createpage", "countpage", "hanweb-more", "hanweb-old", "ucap", "filelist"}
    # the list APIs were asked as their pages ask them: POST with the form
    for path in ("/fjdzapp/search", "/module/web/jpage/morecolumndataproxy.jsp",
                 "/module/jslib/jquery/jpage/dataproxy.jsp", "/getFileListByCodeId"):
        methods = {r["method"] for r in db.execute("SELECT method FROM fetches WHERE url LIKE ?", [f"%{path}%"])}
        assert methods == {"POST"}, (path, methods)


def test_a_trs_column_showing_10_of_its_20_reports_is_crawled_whole(families):
    """县政府年报 (TRS 动静结合): the page lists 10 of its 20 reports; the other 10
    exist only behind require(["list2.trsapi"]) -> POST /fjdzapp/search. All 20 are archived."""
    db = families["db"]
    column = families["manifests"]["listforms"].column("xzfnb")
    reports = [e.document.path for e in column.entries if e.is_report]
    on_the_page = {e.document.path for e in column.entries[: column.page_size]}
    api_only = [p for p in reports if p not in on_the_page]
    assert len(reports) == 20 and len(api_only) == 10
    found = {target(r["url"]) for r in db.execute("SELECT url FROM reports WHERE site = 'sample-listforms'")}
    assert set(reports) <= found
    calls = db.execute("SELECT count(*) FROM fetches WHERE url LIKE '%/fjdzapp/search' AND status = 200").fetchone()[0]
    assert calls == 2  # pagebar: prepage 10, recordCount 20
