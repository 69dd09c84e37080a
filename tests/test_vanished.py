"""Vanished, returning and edited reports, on real crawls of the sample portal."""

from __future__ import annotations

import shutil

import httpx

from conftest import FAST, crawl, query, run_xxgk, serve


def _blob(archive, sha):
    return archive / "sha256" / sha[:2] / sha[2:4] / sha


def test_a_report_taken_down_vanishes_after_two_crawls_and_comes_back(tmp_path):
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    manifest = load_manifest("trs")
    gone, edited = manifest.reports[0], manifest.reports[1]
    with serve_in_thread() as url:
        port = url.server.server_address[1]
        first = crawl(str(url), tmp_path)
        (report,) = query(first.db, "SELECT id, sha256 FROM reports WHERE url LIKE ?", ["%" + gone.path])
        url.hide(gone.path)  # the agency takes it down: off its list, its page 404
        once = crawl(str(url), tmp_path)
    assert query(once.db, "SELECT status, misses, evidence FROM report_status WHERE report_id = ?", [report["id"]]) == [
        {"status": "missing", "misses": 1, "evidence": "not listed; HTTP 404"}]
    assert query(once.db, "SELECT * FROM report_events WHERE kind = 'vanished'") == []  # one run is not enough
    assert "1 known reports missing this crawl, 0 now vanished" in once.result.stdout
    checks = query(once.db, "SELECT report_id, status, failing FROM report_checks")
    # the unlisted one is asked, and a few listed ones the run did not fetch (they answer)
    assert [c for c in checks if c["failing"]] == [{"report_id": report["id"], "status": 404, "failing": 1}]
    assert all(c["status"] == 200 for c in checks if c["report_id"] != report["id"]) and len(checks) <= 1 + 5
    asked = len(checks)

    down = run_xxgk("crawl", "--start-url", str(url), "--db", str(once.db), "--archive", str(once.archive), *FAST)
    assert down.returncode == 1 and "could not be crawled" in down.stdout  # the site is down: no answer, no evidence
    assert query(once.db, "SELECT misses FROM report_status WHERE report_id = ?", [report["id"]]) == [{"misses": 1}]
    assert query(once.db, "SELECT count(*) AS n FROM report_checks")[0]["n"] == asked  # nothing asked of a site down

    with serve_in_thread(port=port, hide=[gone.path]):
        twice = crawl(str(url), tmp_path)
    (event,) = query(twice.db, "SELECT * FROM report_events WHERE kind = 'vanished'")
    assert event["report_id"] == report["id"] and event["evidence"] == "not listed; HTTP 404" and event["status"] == 404
    assert event["since"] and event["observed_at"] > event["since"]
    assert query(twice.db, "SELECT status FROM report_status WHERE report_id = ?", [report["id"]]) == [
        {"status": "vanished"}]
    assert _blob(twice.archive, report["sha256"]).exists()  # its archived copy stays
    # the other reports were listed every time: nothing about them
    assert query(twice.db, "SELECT count(*) AS n FROM report_status")[0]["n"] == 1
    # published beside its archived copy: the canned query, the events and the report's row
    published = tmp_path / "published"
    published.mkdir()
    shutil.copy(twice.db, published / "xxgk.db")
    shutil.copytree(twice.archive, published / "archive")
    with serve(published / "xxgk.db") as base:
        page = httpx.get(base + "/xxgk/vanished_reports", timeout=60).text
        assert f"/-/archive/{report['sha256']}" in page and "已消失的年报" in page and "not listed; HTTP 404" in page
        assert httpx.get(base + f"/-/archive/{report['sha256']}", timeout=60).status_code == 200
        events = httpx.get(base + "/xxgk/report_events.json?_shape=array", timeout=60).json()
        assert [(e["report_id"], e["kind"]) for e in events] == [(report["id"], "vanished")]
        row = httpx.get(base + f"/xxgk/reports/{report['id']}", timeout=60).text
        assert "report_status" in row and "report_events" in row  # its status and events, linked from its row

    with serve_in_thread(port=port) as url:  # back on the site, and another report edited
        url.bump_version(edited.path)
        back = crawl(str(url), tmp_path, "--refresh")
    kinds = query(back.db, "SELECT report_id, kind FROM report_events ORDER BY id")
    (edit,) = query(back.db, "SELECT * FROM report_events WHERE kind = 'edited'")
    assert [k["kind"] for k in kinds if k["report_id"] == report["id"]] == ["vanished", "back"]
    assert query(back.db, "SELECT status, misses FROM report_status WHERE report_id = ?", [report["id"]]) == [
        {"status": "listed", "misses": 0}]
    versions = [v["sha256"] for v in query(back.db, "SELECT sha256 FROM report_versions WHERE report_id = ? ORDER BY id",
                                           [edit["report_id"]])]
    assert versions == [edit["old_sha256"], edit["new_sha256"]] and edit["since"] < edit["observed_at"]
    assert all(_blob(back.archive, sha).exists() for sha in versions)


def test_a_dead_link_its_list_still_shows_vanishes_and_comes_back(tmp_path):
    """A report still listed whose page stopped answering (404) is found by the
    checks of listed reports the run did not fetch: missing, then vanished; its
    page answering again, it is back."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    manifest = load_manifest("trs")
    dead = manifest.reports[3]
    every = ["-s", f"XXGK_LISTED_CHECKS={len(manifest.reports) + 5}"]
    with serve_in_thread() as url:
        first = crawl(str(url), tmp_path, *every)
        (report,) = query(first.db, "SELECT id FROM reports WHERE url LIKE ?", ["%" + dead.path])
        assert query(first.db, "SELECT count(*) AS n FROM report_checks")[0]["n"] == 0  # every report fetched
        url.break_links(dead.path)  # the list shows it, its page answers 404
        once = crawl(str(url), tmp_path, *every)
        assert query(once.db, "SELECT status, misses, evidence FROM report_status WHERE report_id = ?",
                     [report["id"]]) == [{"status": "missing", "misses": 1, "evidence": "still listed; HTTP 404"}]
        twice = crawl(str(url), tmp_path, "-s", "XXGK_LISTED_CHECKS=1")  # the missing one is asked first
        (event,) = query(twice.db, "SELECT * FROM report_events WHERE kind = 'vanished'")
        assert event["report_id"] == report["id"] and event["evidence"] == "still listed; HTTP 404"
        # the other reports answered every check: nothing about them
        assert query(twice.db, "SELECT report_id FROM report_status WHERE status != 'listed'") == [
            {"report_id": report["id"]}]
        quiet = crawl(str(url), tmp_path, "-s", "XXGK_LISTED_CHECKS=0")  # not asked this run: nothing new
        assert query(quiet.db, "SELECT status FROM report_status WHERE report_id = ?", [report["id"]]) == [
            {"status": "vanished"}]
        url.break_links()
        back = crawl(str(url), tmp_path, *every)
    assert [(e["kind"], e["evidence"]) for e in query(back.db, "SELECT kind, evidence FROM report_events "
                                                       "WHERE report_id = ? ORDER BY id", [report["id"]])] == [
        ("vanished", "still listed; HTTP 404"), ("back", "answers again")]
    assert query(back.db, "SELECT status FROM report_status WHERE report_id = ?", [report["id"]]) == [
        {"status": "listed"}]


def test_a_link_answering_a_not_found_page_with_200_vanishes(tmp_path):
    """A listed report whose page now answers 200 with a "信息不存在" notice (a
    deleted article id, while unknown paths get a real 404) fails its check: the
    check reads the page (a HEAD could not), and a revalidated copy of that
    notice (304) still is one."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    manifest = load_manifest("trs")
    dead = manifest.reports[2]
    every = ["-s", f"XXGK_LISTED_CHECKS={len(manifest.reports) + 5}"]
    with serve_in_thread() as url:
        crawl(str(url), tmp_path, *every)
        url.break_links(dead.path, soft=True)
        once = crawl(str(url), tmp_path, *every)
        (report,) = query(once.db, "SELECT id FROM reports WHERE url LIKE ?", ["%" + dead.path])
        assert query(once.db, "SELECT status, evidence FROM report_status WHERE status != 'listed'") == [
            {"status": "missing", "evidence": "still listed; HTTP 200, a not-found page"}]
        twice = crawl(str(url), tmp_path, *every)
        checked = query(twice.db, "SELECT c.status, c.failing, f.status AS answer FROM report_checks c "
                                  "JOIN fetches f ON f.crawl_run_id = c.crawl_run_id AND f.url = c.url "
                                  "AND f.kind = 'check' WHERE c.report_id = ? ORDER BY c.id", [report["id"]])
        assert [(c["failing"], c["answer"]) for c in checked] == [(1, 200), (1, 304)]  # read, then revalidated
        (event,) = query(twice.db, "SELECT * FROM report_events WHERE kind = 'vanished'")
        assert event["report_id"] == report["id"] and event["status"] == 200
        # the other reports answered their checks with their own pages: nothing about them
        assert query(twice.db, "SELECT report_id FROM report_status WHERE status != 'listed'") == [
            {"report_id": report["id"]}]
        url.break_links()
        back = crawl(str(url), tmp_path, *every)
    assert query(back.db, "SELECT kind FROM report_events WHERE report_id = ? ORDER BY id", [report["id"]]) == [
        {"kind": "vanished"}, {"kind": "back"}]


def test_a_listed_report_whose_fetch_fails_is_still_listed(tmp_path):
    """With --refresh every listed report is fetched: one whose page answers 404, or
    200 with a not-found notice, is missing as still listed (its fetch is the
    check), not as "not listed"."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    def not_listed(db):
        return {r["url"].rsplit("/", 1)[-1]: (r["status"], r["evidence"]) for r in query(
            db, "SELECT r.url, s.status, s.evidence FROM report_status s JOIN reports r ON r.id = s.report_id "
                "WHERE s.status != 'listed'")}

    manifest = load_manifest("trs")
    hard, soft = manifest.reports[3], manifest.reports[4]
    with serve_in_thread() as url:
        crawl(str(url), tmp_path)
        url.break_links(hard.path)
        first = crawl(str(url), tmp_path, "--refresh")
        assert not_listed(first.db) == {hard.path.rsplit("/", 1)[-1]: ("missing", "still listed; HTTP 404")}
        url.break_links(soft.path, soft=True)  # the first answers again
        second = crawl(str(url), tmp_path, "--refresh")
        assert not_listed(second.db) == {
            soft.path.rsplit("/", 1)[-1]: ("missing", "still listed; HTTP 200, a not-found page")}


def test_a_report_taken_off_its_list_and_redirected_has_moved(tmp_path):
    """A report the site took off its list and whose URL now answers a 301 to
    another of its pages is moved, on a real crawl, not missing or vanished."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    manifest = load_manifest("trs")
    report = manifest.reports[1]
    with serve_in_thread() as url:
        crawl(str(url), tmp_path)
        url.hide(report.path)
        url.move(report.path, "/xxgk/nb/2024/index.html")
        moved = crawl(str(url), tmp_path)
        again = crawl(str(url), tmp_path)
    assert "1 moved" in moved.result.stdout and "moved" not in again.result.stdout
    assert query(again.db, "SELECT s.status, s.evidence FROM report_status s JOIN reports r ON r.id = s.report_id "
                           "WHERE r.url LIKE ?", ["%" + report.path]) == [
        {"status": "moved", "evidence": f"HTTP 301 → {url}xxgk/nb/2024/index.html"}]
    assert [e["kind"] for e in query(again.db, "SELECT kind FROM report_events")] == ["moved"]


def test_listed_reports_are_checked_in_turn(tmp_path):
    """A few listed reports a run does not fetch are checked each run, the least
    recently checked first: over runs every one is asked."""
    from sample_portal.server import serve_in_thread

    with serve_in_thread() as url:
        first = crawl(str(url), tmp_path)
        total = query(first.db, "SELECT count(*) AS n FROM reports")[0]["n"]
        runs = -(-total // 3)
        for _ in range(runs):
            crawl(str(url), tmp_path, "-s", "XXGK_LISTED_CHECKS=3")
    per_run = query(first.db, "SELECT crawl_run_id, count(*) AS n, count(DISTINCT report_id) AS d FROM report_checks "
                              "GROUP BY crawl_run_id ORDER BY crawl_run_id")
    assert len(per_run) == runs and all(r["n"] == r["d"] and r["n"] <= 3 for r in per_run)
    asked = query(first.db, "SELECT count(DISTINCT report_id) AS n FROM report_checks")[0]["n"]
    assert asked == total  # each asked once before any is asked again


def test_an_emptied_list_is_no_evidence(tmp_path):
    """A run whose list came back empty (the site failed to draw it) marks nothing missing."""
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    manifest = load_manifest("trs")
    with serve_in_thread() as url:
        first = crawl(str(url), tmp_path)
        url.hide(*[r.path for r in manifest.reports])
        empty = crawl(str(url), tmp_path)
    assert "listed" in empty.result.stdout and "none now" in empty.result.stdout
    assert query(empty.db, "SELECT count(*) AS n FROM report_status")[0]["n"] == 0
    assert query(empty.db, "SELECT count(*) AS n FROM report_checks")[0]["n"] == 0
    assert query(first.db, "SELECT count(*) AS n FROM report_events")[0]["n"] == 0


# -- the rule, on a catalogue alone (no crawl) ------------------------------------------


def _catalogue(tmp_path):
    from archive.catalogue import open_db

    db = open_db(tmp_path / "rule.db")
    for n in (1, 2):
        db["reports"].insert({"id": n, "url": f"http://x.gov.cn/nb/{n}.htm", "url_key": f"x.gov.cn/nb/{n}.htm",
                              "site": "x", "list_url": "http://x.gov.cn/nb/", "first_seen": "2026-01-01T00:00:00Z",
                              "last_seen": "2026-01-01T00:00:00Z"})
    return db


def _run(db, started, *, seen=(1,), listed=2, reason="finished", pages=5, check=None, confirm=2):
    from archive.catalogue import record_check, update_presence

    run_id = db["crawl_runs"].insert({"site": "x", "started_at": started, "status": "finished",
                                      "finish_reason": reason, "pages_fetched": pages}).last_pk
    db["list_pages"].insert({"crawl_run_id": run_id, "url": "http://x.gov.cn/nb/", "reports": listed,
                             "seen_at": started})
    for report_id in seen:
        db.execute("UPDATE reports SET last_seen = ? WHERE id = ?", [started + "1", report_id])
    if check is not None:
        record_check(db, run_id, 2, "http://x.gov.cn/nb/2.htm", *check)
    return update_presence(db, run_id, confirm)


def _status(db):
    return db.execute("SELECT status, misses, evidence FROM report_status WHERE report_id = 2").fetchone()


def test_the_rule_counts_only_runs_that_are_evidence(tmp_path):
    db = _catalogue(tmp_path)
    assert _run(db, "2026-02-01", reason="shutdown")["missing"] == 0  # stopped before it was done
    assert _run(db, "2026-02-02", seen=())["missing"] == 0  # saw no report of the site: down, or a trap
    assert _status(db) is None
    assert _run(db, "2026-02-03", check=(302, "http://x.gov.cn/index.html", True)) == {
        "missing": 1, "vanished": 0, "back": 0, "moved": 0}
    assert _status(db) == ("missing", 1, "not listed; HTTP 302 → http://x.gov.cn/index.html")
    _run(db, "2026-02-04", seen=(1,), check=(None, None, False))  # no answer to the check; still not listed
    assert _status(db) == ("vanished", 2, "not listed")
    (kind, since), = db.execute("SELECT kind, since FROM report_events").fetchall()
    assert kind == "vanished" and since == "2026-02-03"
    assert _run(db, "2026-02-05", seen=(1, 2))["back"] == 1
    assert _status(db) == ("listed", 0, "listed")


def test_a_report_redirecting_elsewhere_on_its_site_moved(tmp_path):
    """Not listed, its URL answering a redirect to another page of the site: moved
    (one event per new place), never missing or vanished; gone later, it is missing."""
    db = _catalogue(tmp_path)
    moved = (301, "http://x.gov.cn/nb/new/2.htm", False)
    assert _run(db, "2026-02-01", check=moved)["moved"] == 1
    assert _status(db) == ("moved", 0, "HTTP 301 → http://x.gov.cn/nb/new/2.htm")
    assert _run(db, "2026-02-02", check=moved) == {"missing": 0, "vanished": 0, "back": 0, "moved": 0}
    assert _run(db, "2026-02-03", check=(301, "http://x.gov.cn/nb/2024/2.htm", False))["moved"] == 1
    events = db.execute("SELECT kind, evidence, location FROM report_events ORDER BY id").fetchall()
    assert events == [("moved", "HTTP 301 → http://x.gov.cn/nb/new/2.htm", "http://x.gov.cn/nb/new/2.htm"),
                      ("moved", "HTTP 301 → http://x.gov.cn/nb/2024/2.htm", "http://x.gov.cn/nb/2024/2.htm")]
    assert _run(db, "2026-02-04", check=(404, None, True))["missing"] == 1  # then its URL is gone
    assert _status(db) == ("missing", 1, "not listed; HTTP 404")
    assert _run(db, "2026-02-05", seen=(1, 2))["back"] == 0 and _status(db) == ("listed", 0, "listed")


def test_a_list_that_shows_nothing_is_no_evidence_and_the_rule_is_configurable(tmp_path):
    db = _catalogue(tmp_path)
    db.execute("UPDATE reports SET list_url = 'http://x.gov.cn/other/' WHERE id = 1")
    _run(db, "2026-02-01", listed=0)  # report 2's list drew no entry; report 1 is seen elsewhere
    assert _status(db) is None
    _run(db, "2026-02-02", listed=0, check=(404, None, True), confirm=1)  # its URL is gone, and one run is enough
    assert _status(db) == ("vanished", 1, "HTTP 404")


def test_a_check_tells_a_redirect_home_from_a_redirect_elsewhere():
    from scrapy.http import Request, Response

    from crawler.spiders.annual_reports import AnnualReportsSpider

    spider = AnnualReportsSpider(start_url="http://www.x.gov.cn/")

    def check(status, location=None):
        url = "http://www.x.gov.cn/nb/2.htm"
        response = Response(url, status=status, headers={"Location": location} if location else {},
                            request=Request(url, method="HEAD"))
        (item,) = spider.parse_check(response, report_id=2)
        return item.failing, item.location

    assert check(404) == (True, None) and check(410)[0] and not check(200)[0] and not check(405)[0]
    assert check(302, "/") == (True, "http://www.x.gov.cn/")
    assert check(301, "http://www.x.gov.cn/index.shtml")[0]
    assert check(301, "http://www.x.gov.cn/nb/new/2.htm") == (False, "http://www.x.gov.cn/nb/new/2.htm")
