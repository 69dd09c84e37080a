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


def _worker_archive(folder, sites: dict[str, str]):
    """A worker's archive as ``xxgk worker`` leaves it after crawl ``c/w1`` (it alone
    took part and saw the end), made by hand: per site, a report its lists showed
    and one they did not (unseen since before the crawl), so the merge has checks
    to make of each site."""
    from archive.blobs import BlobStore
    from archive.catalogue import open_db, record_body, upsert_report
    from archive.merge import record_crawl, record_worker

    db = open_db(folder / "xxgk.db")
    blobs = BlobStore(folder / "archive")
    for site, start_url in sites.items():
        run_id = db["crawl_runs"].insert({"site": site, "start_url": start_url, "started_at": "2026-01-02T00:00:00Z",
                                          "ended_at": "2026-01-02T00:01:00Z", "status": "finished",
                                          "finish_reason": "finished", "pages_fetched": 3}).last_pk
        record_worker(db, run_id, "w1")
        record_crawl(db, run_id, crawl="c/w1", workers=["w1"])
        for n in (1, 2):
            data = f"<html>{site} 年报 {n}</html>".encode()
            sha, _ = blobs.put(data)
            record_body(db, sha, len(data))
            upsert_report(db, url=f"{start_url}{site}/{n}.htm", sha256=sha, fetch_id=None, site=site,
                          list_url=f"{start_url}{site}/", list_title=f"{n} 年度报告")
        db.execute("UPDATE reports SET last_seen = '2026-01-01T00:00:00Z' WHERE url = ?", [f"{start_url}{site}/2.htm"])
    db.close()


def test_the_checks_after_a_merge_never_stop_it(tmp_path):
    """A distributed crawl's checks (xxgk merge, crawler/distributed/checks.py) of sites
    that cannot answer -- a closed port, a start URL that is no web address -- ask
    nothing, mark nothing, and the merge goes on: everything merged stays, the crawls
    are counted by their lists, the command ends 0."""
    from conftest import free_port

    port = free_port()
    _worker_archive(tmp_path / "w1", {"away": f"http://127.0.0.1:{port}/", "odd": "ftp://127.0.0.1/"})
    # (a site's run recorded with a start URL the spider refuses: made by hand, or by an older version)
    out = tmp_path / "out"
    result = run_xxgk("merge", str(tmp_path / "w1" / "xxgk.db"), "--db", str(out / "xxgk.db"),
                      "--archive", str(out / "archive"), "-s", "RETRY_TIMES=0")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr[-3000:]
    # asked of each: its unlisted report, and its listed one no worker fetched (XXGK_LISTED_CHECKS)
    assert (f"[away] checks of distributed crawl c/w1: none of 2 made, the site did not answer "
            f"(http://127.0.0.1:{port}/: ") in result.stdout, result.stdout
    assert ("[odd] checks of distributed crawl c/w1: none of 2 made, its start URL is not an http(s) URL "
            "('ftp://127.0.0.1/'); counted by its lists only") in result.stdout, result.stdout
    # counted by their lists: the unlisted report of each is missing, by its list alone
    assert ("[away] distributed crawl c/w1: 1 runs counted as one, 0 URLs checked (0 failing): 1 known reports "
            "missing, 0 now vanished") in result.stdout, result.stdout
    assert "[odd] distributed crawl c/w1: 1 runs counted as one: 1 known reports missing" in result.stdout
    assert "4 reports, 2 crawl runs from 1 workers, 1 check run (xxgk merge)" in result.stdout
    assert query(out / "xxgk.db", "SELECT count(*) AS n FROM report_checks") == [{"n": 0}]
    assert query(out / "xxgk.db", "SELECT r.url, s.status, s.evidence FROM report_status s JOIN reports r "
                 "ON r.id = s.report_id ORDER BY r.url") == [
        {"url": "ftp://127.0.0.1/odd/2.htm", "status": "missing", "evidence": "not listed"},
        {"url": f"http://127.0.0.1:{port}/away/2.htm", "status": "missing", "evidence": "not listed"}]
    again = run_xxgk("merge", str(tmp_path / "w1" / "xxgk.db"), "--db", str(out / "xxgk.db"),
                     "--archive", str(out / "archive"), "--no-check")
    assert again.returncode == 0 and "distributed crawl" not in again.stdout, again.stdout + again.stderr
    source = counts(tmp_path / "w1" / "xxgk.db")  # everything merged is there
    assert all(counts(out / "xxgk.db")[t] == source[t] for t in ("reports", "report_versions", "bodies")), source
