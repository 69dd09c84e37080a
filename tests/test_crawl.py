"""A real crawl of the sample portal over loopback, checked against what the portal serves."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from conftest import crawl
from conftest import query as rows


def test_crawl_finds_exactly_the_reports(crawled, manifest):
    found = {urlsplit(r["url"]).path for r in rows(crawled.db, "SELECT url FROM reports")}
    expected = {r.path for r in manifest.reports}
    assert found == expected
    assert len(manifest.reports) >= 5 + 5  # the seeds and the template test reports
    assert not found & {d.path for d in manifest.distractors}


def test_every_report_is_parsed_with_title_and_year(crawled, manifest):
    by_path = {urlsplit(r["url"]).path: r for r in rows(crawled.db, "SELECT * FROM reports")}
    for report in manifest.reports:
        row = by_path[report.path]
        assert row["parse_status"] == "ok", (report.path, row["parse_error"])
        assert row["year"] == report.year, report.path
        assert row["list_title"].replace(" ", "") == report.title.replace(" ", "")


def test_gbk_report_keeps_its_chinese_text(crawled, manifest):
    gbk = [r for r in manifest.reports if r.encoding == "gbk"]
    assert gbk, "the sample portal must serve at least one GBK report"
    by_path = {urlsplit(r["url"]).path: r for r in rows(crawled.db, "SELECT * FROM reports")}
    for report in gbk:
        row = by_path[report.path]
        assert row["declared_encoding"] in ("gb2312", "gbk", "gb18030")
        assert report.agency.replace(" ", "") in row["text"].replace(" ", "") or report.agency in (row["agency"] or "")
        assert "政府信息公开" in row["text"]
        assert "\ufffd" not in row["text"]
        fetch = rows(crawled.db, "SELECT * FROM fetches WHERE id = ?", [row["fetch_id"]])[0]
        assert fetch["detected_encoding"] in ("gb2312", "gbk", "gb18030")


def test_nothing_off_site_or_disallowed_is_fetched(crawled, manifest, portal_url):
    host = urlsplit(portal_url).netloc
    fetched = rows(crawled.db, "SELECT url FROM fetches WHERE kind IS NOT 'offsite'")
    assert fetched
    assert {urlsplit(f["url"]).netloc for f in fetched} == {host}
    # off-site report links are refused, and each refusal is a row: never sent, saying where it was
    refused = rows(crawled.db, "SELECT url, status, attempt, error FROM fetches WHERE kind = 'offsite'")
    assert refused and all(r["status"] is None and r["attempt"] == 0 and "not followed" in r["error"]
                           for r in refused)
    assert {urlsplit(r["url"]).netloc for r in refused} <= {urlsplit(u).netloc for u in manifest.offsite_links}
    paths = {urlsplit(f["url"]).path for f in fetched}
    assert "/robots.txt" in paths
    for disallowed in manifest.disallowed_paths:
        assert not any(p.startswith(disallowed) for p in paths), disallowed
    off = {urlsplit(u).netloc for u in manifest.offsite_links}
    assert off and host not in off


def test_every_fetched_body_is_archived_once(crawled):
    fetches = rows(crawled.db, "SELECT sha256, size FROM fetches WHERE sha256 IS NOT NULL")
    bodies = rows(crawled.db, "SELECT sha256, size FROM bodies")
    assert {f["sha256"] for f in fetches} == {b["sha256"] for b in bodies}
    files = [p for p in (crawled.archive / "sha256").rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == sorted(b["sha256"] for b in bodies)
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name


def test_recrawl_duplicates_nothing(portal_url, manifest, tmp_path):
    first = crawl(portal_url, tmp_path)
    reports_1 = rows(first.db, "SELECT id, url, sha256 FROM reports ORDER BY id")
    bodies_1 = rows(first.db, "SELECT sha256 FROM bodies ORDER BY sha256")
    files_1 = sorted(p.name for p in (first.archive / "sha256").rglob("*") if p.is_file())

    second = crawl(portal_url, tmp_path)
    assert f"{len(manifest.reports)} already archived" in second.result.stdout
    assert rows(second.db, "SELECT id, url, sha256 FROM reports ORDER BY id") == reports_1
    assert rows(second.db, "SELECT sha256 FROM bodies ORDER BY sha256") == bodies_1
    assert sorted(p.name for p in (second.archive / "sha256").rglob("*") if p.is_file()) == files_1
    assert rows(second.db, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_figures_reach_the_catalogue(crawled, manifest):
    """Seed 000 crawled as a web page gives the figures a reader finds in it."""
    (seed,) = [r for r in manifest.reports if "泽库镇" in r.title]
    figures = {
        r["key"]: r["value"]
        for r in rows(
            crawled.db,
            "SELECT m.key, m.value FROM metrics m JOIN reports r ON r.id = m.report_id WHERE r.url LIKE ?",
            ["%" + seed.path],
        )
    }
    assert figures["proactive.total"] == 204
    assert figures["proactive.channel.wechat"] == 121
    assert figures["requests.new.total"] == 3
    assert figures["fees.collected"] == 0


def test_refresh_refetches_and_finds_nothing_changed(portal_url, manifest, tmp_path):
    first = crawl(portal_url, tmp_path)
    bodies = rows(first.db, "SELECT sha256 FROM bodies ORDER BY sha256")
    again = crawl(portal_url, tmp_path, "--refresh")
    assert f"{len(manifest.reports)} unchanged" in again.result.stdout
    assert rows(again.db, "SELECT count(*) AS n FROM reports")[0]["n"] == len(manifest.reports)
    assert rows(again.db, "SELECT count(*) AS n FROM report_versions")[0]["n"] == len(manifest.reports)
    assert rows(again.db, "SELECT sha256 FROM bodies ORDER BY sha256") == bodies


def test_reparse_rebuilds_figures_from_the_archive_alone(crawled, tmp_path):
    """`xxgk reparse` reads stored bytes only: it works with no portal running."""
    import shutil

    from conftest import run_xxgk

    db = tmp_path / "xxgk.db"
    shutil.copy(crawled.db, db)
    before = rows(db, "SELECT report_id, key, value FROM metrics ORDER BY report_id, key")
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM metrics")
    conn.execute("UPDATE reports SET title = NULL, parse_status = 'pending'")
    conn.commit()
    conn.close()
    result = run_xxgk("reparse", "--db", str(db), "--archive", str(crawled.archive))
    assert result.returncode == 0, result.stderr
    assert "0 failed" in result.stdout
    assert rows(db, "SELECT report_id, key, value FROM metrics ORDER BY report_id, key") == before
    assert rows(db, "SELECT count(*) AS n FROM reports WHERE title IS NULL")[0]["n"] == 0
