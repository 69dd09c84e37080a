"""``xxgk merge`` alone: archives of one portal crawled apart fold into one, each report
once with every version, every crawl run kept, and merging again adds nothing."""

from __future__ import annotations

import shutil

import pytest

from conftest import crawl, query, run_xxgk


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    """The TRS sample site crawled into two archives; between them one report was edited."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_sites_in_thread

    manifest = load_manifest("trs")
    edited = next(r for r in manifest.reports if not r.attachment_path)
    folder = tmp_path_factory.mktemp("merge")
    with serve_sites_in_thread(["trs"]) as urls:
        first = crawl(str(urls["trs"]), folder / "a", "--no-parse")
        urls["trs"].bump_version(edited.path)  # the agency edits its report
        second = crawl(str(urls["trs"]), folder / "b", "--no-parse")
    return first, second, edited, len(manifest.reports)


def counts(db) -> dict[str, int]:
    tables = [r["name"] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
    return {t: query(db, f'SELECT count(*) AS n FROM "{t}"')[0]["n"] for t in tables}


def merged(tmp_path, *sources, name="out"):
    db, archive = tmp_path / name / "xxgk.db", tmp_path / name / "archive"
    result = run_xxgk("merge", *(str(s.db) for s in sources), "--db", str(db), "--archive", str(archive))
    assert result.returncode == 0, result.stderr[-3000:]
    return db, archive, result


def test_merge_keeps_each_report_once_with_every_version(two_crawls, tmp_path):
    first, second, edited, total = two_crawls
    db, archive, result = merged(tmp_path, first, second)
    assert f"{total} reports (0 new, {total} already there), 1 new versions" in result.stdout
    reports = query(db, "SELECT id, url, sha256 FROM reports")
    assert len(reports) == total == len({r["url"] for r in reports})
    (report,) = [r for r in reports if r["url"].endswith(edited.path)]
    versions = query(db, "SELECT sha256 FROM report_versions WHERE report_id = ? ORDER BY first_seen", [report["id"]])
    old = query(first.db, "SELECT sha256 FROM reports WHERE url LIKE ?", ["%" + edited.path])[0]["sha256"]
    new = query(second.db, "SELECT sha256 FROM reports WHERE url LIKE ?", ["%" + edited.path])[0]["sha256"]
    assert old != new and [v["sha256"] for v in versions] == [old, new]
    assert report["sha256"] == new  # the row points at the newest body
    # both crawl runs, each with where it came from
    runs = query(db, "SELECT site, worker, status FROM crawl_runs ORDER BY started_at")
    assert [r["worker"] for r in runs] == [str(first.db), str(second.db)]
    assert {r["status"] for r in runs} == {"finished"}
    fetches = sum(query(c.db, "SELECT count(*) AS n FROM fetches")[0]["n"] for c in (first, second))
    assert query(db, "SELECT count(*) AS n FROM fetches")[0]["n"] == fetches
    # the changed report is parsed again, the others as the first source left them
    assert query(db, "SELECT parse_status FROM reports WHERE id = ?", [report["id"]])[0]["parse_status"] == "pending"
    check = run_xxgk("check", "--db", str(db), "--archive", str(archive))
    assert check.returncode == 0 and "no faults" in check.stdout, check.stdout[-2000:]


def test_merge_twice_adds_nothing_and_order_does_not_matter(two_crawls, tmp_path):
    first, second, edited, total = two_crawls
    db, archive, _ = merged(tmp_path, first, second)
    before = counts(db)
    files = sorted(p.relative_to(archive) for p in archive.rglob("*") if p.is_file() and p.name != ".crawl.lock")
    _, _, again = merged(tmp_path, second, first)
    assert counts(db) == before
    assert sorted(p.relative_to(archive) for p in archive.rglob("*") if p.is_file() and p.name != ".crawl.lock") == files
    assert again.stdout.count("0 bodies and 0 WARC files copied") == 2
    # the other order gives the same archive: the newest body wins, whichever came first
    other, _, _ = merged(tmp_path, second, first, name="other")
    pick = "SELECT url, sha256 FROM reports ORDER BY url"
    assert query(other, pick) == query(db, pick)
    assert query(other, "SELECT count(*) AS n FROM report_versions") == query(db, "SELECT count(*) AS n FROM report_versions")


def test_merge_an_archive_into_itself_or_a_bad_source_is_one_line(two_crawls, tmp_path):
    first, *_ = two_crawls
    text = tmp_path / "notes.txt"
    text.write_text("not a catalogue\n", encoding="utf-8")
    cases = {
        str(tmp_path / "missing.db"): "missing.db: no archive database there",
        str(text): "notes.txt is not an SQLite database",
    }
    for source, message in cases.items():
        result = run_xxgk("merge", source, "--db", str(tmp_path / "out.db"), "--archive", str(tmp_path / "out"))
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
    # a catalogue without its archive folder beside it
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(first.db, alone / "xxgk.db")
    result = run_xxgk("merge", str(alone), "--db", str(tmp_path / "out.db"), "--archive", str(tmp_path / "out"))
    assert result.returncode == 1 and "is not an archive folder" in result.stderr and "Traceback" not in result.stderr
    # an archive a crawl still holds
    from archive.lock import CrawlLock

    with CrawlLock(first.archive, command="xxgk crawl (the test's)"):
        result = run_xxgk("merge", str(first.db), "--db", str(tmp_path / "out.db"), "--archive", str(tmp_path / "out"))
    assert result.returncode == 1 and "is in use" in result.stderr and "the test's" in result.stderr, result.stderr
    # into itself
    result = run_xxgk("merge", str(first.db), "--db", str(first.db), "--archive", str(first.archive))
    assert result.returncode == 1 and "nothing to merge" in result.stderr and "Traceback" not in result.stderr
