"""Scheduled re-crawls: skip what is archived, ask with ETag/Last-Modified, keep every version."""

from __future__ import annotations

from conftest import crawl, query


def test_changed_report_becomes_a_new_version(tmp_path):
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_sites_in_thread

    manifest = load_manifest("trs")
    report = manifest.reports[0]
    with serve_sites_in_thread(["trs"]) as urls:
        url = urls["trs"]
        first = crawl(str(url), tmp_path)
        (before,) = query(first.db, "SELECT id, sha256 FROM reports WHERE url LIKE ?", ["%" + report.path])

        url.bump_version(report.path)  # the agency edits its report: new bytes at the same URL

        skipped = crawl(str(url), tmp_path)  # a plain re-crawl does not fetch archived reports
        assert f"{len(manifest.reports)} already archived" in skipped.result.stdout
        assert query(skipped.db, "SELECT sha256 FROM reports WHERE id = ?", [before["id"]])[0]["sha256"] == before["sha256"]

        refreshed = crawl(str(url), tmp_path, "--refresh")
    assert f"1 changed, {len(manifest.reports) - 1} unchanged" in refreshed.result.stdout
    (after,) = query(refreshed.db, "SELECT * FROM reports WHERE id = ?", [before["id"]])
    assert after["sha256"] != before["sha256"] and after["parse_status"] == "ok"
    versions = query(refreshed.db, "SELECT sha256 FROM report_versions WHERE report_id = ? ORDER BY id", [before["id"]])
    assert [v["sha256"] for v in versions] == [before["sha256"], after["sha256"]]
    assert (refreshed.archive / "sha256" / before["sha256"][:2] / before["sha256"][2:4] / before["sha256"]).exists()
    # unchanged pages were answered 304 Not Modified, and nothing was stored for them
    not_modified = query(refreshed.db, "SELECT count(*) AS n FROM fetches WHERE status = 304")[0]["n"]
    assert not_modified >= len(manifest.reports) - 1
    runs = query(refreshed.db, "SELECT * FROM crawl_runs ORDER BY id")
    assert [r["changed_reports"] for r in runs] == [0, 0, 1]
    assert [r["skipped_reports"] for r in runs] == [0, len(manifest.reports), 0]
