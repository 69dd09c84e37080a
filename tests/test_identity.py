"""One report, one identity: the URL rule, the catalogue's locations, the migration of old archives."""

from __future__ import annotations

import sqlite3

import pytest

from archive.blobs import BlobStore
from archive.catalogue import find_report, mark_seen, open_db, record_fetch, upsert_report
from archive.identity import alias_key, is_noise_param, url_key

# ------------------------------------------------------------------------------ the URL rule


@pytest.mark.parametrize("url", [
    "http://wendeng.gov.cn/art/2023/1/1/art_1.html",
    "https://wendeng.gov.cn/art/2023/1/1/art_1.html",
    "http://www.wendeng.gov.cn/art/2023/1/1/art_1.html",
    "https://WWW.Wendeng.gov.cn.:8443/art/2023/1/1/art_1.html#top",
    "http://wendeng.gov.cn:80/art/2023/1/1/art_1.html?utm_source=wechat&utm_medium=share",
    "http://wendeng.gov.cn/art/2023/1/1/art_1.html?spm=a2c4g.1&from=timeline&isappinstalled=0",
    "http://wendeng.gov.cn/art/2023/1/1/art_1.html?t=1700000000000",
    "http://wendeng.gov.cn/art/2023/1/1/art_1.html?_=1699999999",
    "http://wendeng.gov.cn/art/2023/1/1/art_1.html?rnd=0.53720411",
    "http://user@wendeng.gov.cn/art/2023/./1/1/../1/art_1.html",
    "http://wendeng.gov.cn//art//2023/1/1/art_1.html",
    "http://wendeng.gov.cn/art/2023/1/1/art%5f1.html",
])
def test_one_report_one_key_whatever_url_reached_it(url):
    assert url_key(url) == "wendeng.gov.cn/art/2023/1/1/art_1.html"


def test_the_sample_portal_on_a_new_port_is_the_same_key():
    assert url_key("http://127.0.0.1:40211/xxgk/xxgknb/202301/t1.htm") == \
        url_key("http://127.0.0.1:51800/xxgk/xxgknb/202301/t1.htm") == "127.0.0.1/xxgk/xxgknb/202301/t1.htm"
    assert url_key("http://127.0.0.2:40211/a.htm") != url_key("http://127.0.0.1:40211/a.htm")  # another host


def test_meaningful_query_parameters_are_kept():
    assert url_key("http://x.gov.cn/show.asp?id=1") != url_key("http://x.gov.cn/show.asp?id=2")
    assert url_key("http://x.gov.cn/show.asp?id=1") != url_key("http://x.gov.cn/show.asp")
    assert url_key("http://x.gov.cn/col?channelId=7&docid=12&utm_source=a") == "x.gov.cn/col?channelId=7&docid=12"
    # the order of the parameters is no part of the identity; their case is
    assert url_key("http://x.gov.cn/a.jsp?b=2&a=1") == url_key("http://x.gov.cn/a.jsp?a=1&b=2")
    assert url_key("http://x.gov.cn/a.jsp?ID=1") != url_key("http://x.gov.cn/a.jsp?id=1")
    # a timestamp-named parameter whose value is no timestamp selects something: kept
    assert url_key("http://x.gov.cn/a.jsp?t=2") == "x.gov.cn/a.jsp?t=2"
    assert url_key("http://x.gov.cn/a.jsp?t=2023") != url_key("http://x.gov.cn/a.jsp?t=2022")
    assert not is_noise_param("page", "2") and is_noise_param("UTM_Campaign", "x") and is_noise_param("_", "1700000000")


def test_path_case_and_escapes():
    assert url_key("http://x.gov.cn/A.htm") != url_key("http://x.gov.cn/a.htm")
    assert url_key("http://x.gov.cn/年报.htm") == url_key("http://x.gov.cn/%e5%b9%b4%e6%8a%a5.htm") \
        == "x.gov.cn/%E5%B9%B4%E6%8A%A5.htm"
    assert url_key("http://x.gov.cn") == url_key("http://x.gov.cn/") == "x.gov.cn/"
    assert url_key("http://x.gov.cn/dir/") != url_key("http://x.gov.cn/dir")


def test_a_disclosure_subdomain_is_an_alias_not_the_same_key():
    # xxgk.X is the same site as www.X (crawler.links.site_domain), often another CMS: same
    # report only with the same bytes (the catalogue's rule); its alias key is the site's
    assert url_key("http://xxgk.wendeng.gov.cn/a.htm") != url_key("http://www.wendeng.gov.cn/a.htm")
    assert alias_key("http://xxgk.wendeng.gov.cn/a.htm") == alias_key("https://www.wendeng.gov.cn/a.htm") \
        == "wendeng.gov.cn/a.htm"
    assert alias_key("http://zwgk.wendeng.gov.cn/a.htm") == "wendeng.gov.cn/a.htm"
    assert alias_key("http://xxgk.gov.cn/a.htm") == "xxgk.gov.cn/a.htm"  # no site left to fold into
    assert alias_key("http://wendeng.xxgk.gov.cn/a.htm") == "wendeng.xxgk.gov.cn/a.htm"


# ------------------------------------------------------------------------------ the catalogue


class Archive:
    def __init__(self, folder):
        self.db = open_db(folder / "xxgk.db")
        self.blobs = BlobStore(folder / "archive")

    def fetch(self, url: str, data: bytes) -> tuple[str, int]:
        sha, _ = self.blobs.put(data)
        return sha, record_fetch(self.db, url=url, status=200, sha256=sha, size=len(data))

    def report(self, url: str, data: bytes, attachments: dict[str, bytes] | None = None, complete=True):
        sha, fid = self.fetch(url, data)
        files = []
        for link, body in (attachments or {}).items():
            asha, afid = self.fetch(link, body)
            files.append({"url": link, "link_text": None, "filename": None, "content_type": None,
                          "sha256": asha, "fetch_id": afid})
        return upsert_report(self.db, url=url, sha256=sha, fetch_id=fid, attachments=files, complete=complete)

    def count(self, table: str) -> int:
        return self.db[table].count

    def locations(self, report_id: int) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT url, joined_by FROM report_locations WHERE report_id = ? ORDER BY id", [report_id])]


def test_a_report_at_a_new_port_scheme_or_with_noise_is_the_same_report(tmp_path):
    archive = Archive(tmp_path)
    pdf = {"http://127.0.0.1:4000/nb/P1.pdf": b"%PDF-1 report"}
    rid, change = archive.report("http://127.0.0.1:4000/nb/t1.htm", b"<p>2023 report</p>", pdf)
    assert change == "new"
    for url, files in (("http://127.0.0.1:5000/nb/t1.htm", {"http://127.0.0.1:5000/nb/P1.pdf": b"%PDF-1 report"}),
                       ("https://127.0.0.1/nb/t1.htm?utm_source=x", None),
                       ("http://127.0.0.1:4000/nb/t1.htm", pdf)):
        assert archive.report(url, b"<p>2023 report</p>", files) == (rid, "unchanged"), url
    assert archive.count("reports") == 1 and archive.count("attachments") == 1
    assert archive.count("report_versions") == 1
    assert [u for u, _ in archive.locations(rid)] == [
        "http://127.0.0.1:4000/nb/t1.htm", "http://127.0.0.1:5000/nb/t1.htm", "https://127.0.0.1/nb/t1.htm?utm_source=x"]
    # new bytes at any URL of it: a new version of the same report
    assert archive.report("http://127.0.0.1:6000/nb/t1.htm", b"<p>2023 report, corrected</p>", None) == (rid, "changed")
    assert archive.count("reports") == 1 and archive.count("report_versions") == 2
    # seen again in a list at yet another URL: a location, no report
    mark_seen(archive.db, "http://127.0.0.1:7000/nb/t1.htm")
    assert archive.count("reports") == 1 and len(archive.locations(rid)) == 5
    assert find_report(archive.db, "http://127.0.0.1:8000/nb/t1.htm") == (rid, "url")


def test_different_query_ids_are_different_reports(tmp_path):
    archive = Archive(tmp_path)
    one, _ = archive.report("http://x.gov.cn/show.asp?id=1", b"report one")
    two, change = archive.report("http://x.gov.cn/show.asp?id=2", b"report two")
    assert change == "new" and one != two


def test_the_same_bytes_at_two_urls_are_one_report_with_two_locations(tmp_path):
    archive = Archive(tmp_path)
    rid, _ = archive.report("http://x.gov.cn/nb/2023.htm", b"the 2023 report", {"http://x.gov.cn/nb/a.pdf": b"pdf"})
    again, change = archive.report("http://x.gov.cn/gk/copy_of_2023.htm", b"the 2023 report",
                                   {"http://x.gov.cn/gk/a.pdf": b"pdf"})
    assert (again, change) == (rid, "unchanged")
    assert archive.locations(rid) == [("http://x.gov.cn/nb/2023.htm", "url"),
                                      ("http://x.gov.cn/gk/copy_of_2023.htm", "content")]
    # a report file listed at two addresses
    pdf, _ = archive.report("http://x.gov.cn/files/2022.pdf", b"%PDF 2022")
    assert archive.report("http://x.gov.cn/download?id=88", b"%PDF 2022") == (pdf, "unchanged")
    assert archive.count("reports") == 2


def test_the_same_page_with_other_attachments_is_another_report(tmp_path):
    # one wrapper page ("see the attachment") in two folders, linking two different files
    archive = Archive(tmp_path)
    page = b'<p>see the attachment</p><a href="report.pdf">report</a>'
    one, _ = archive.report("http://x.gov.cn/2022/index.htm", page, {"http://x.gov.cn/2022/report.pdf": b"2022"})
    two, change = archive.report("http://x.gov.cn/2023/index.htm", page, {"http://x.gov.cn/2023/report.pdf": b"2023"})
    assert change == "new" and one != two
    # an incomplete page (an attachment failed) is never joined by its bytes alone
    three, change = archive.report("http://x.gov.cn/2024/index.htm", page, {}, complete=False)
    assert change == "new" and three not in (one, two)


def test_a_url_joined_by_its_bytes_that_serves_other_bytes_becomes_a_report_of_its_own(tmp_path):
    # a placeholder page served at two report URLs, each filled in later: never one report
    archive = Archive(tmp_path)
    first, _ = archive.report("http://x.gov.cn/nb/a.htm", b"being updated")
    assert archive.report("http://x.gov.cn/nb/b.htm", b"being updated") == (first, "unchanged")
    second, change = archive.report("https://x.gov.cn/nb/b.htm", b"report B")
    assert change == "new" and second != first
    assert [u for u, _ in archive.locations(second)] == ["http://x.gov.cn/nb/b.htm", "https://x.gov.cn/nb/b.htm"]
    assert archive.report("http://x.gov.cn/nb/a.htm", b"report A") == (first, "changed")
    assert archive.count("reports") == 2


def test_an_alias_host_is_the_same_report_only_with_bytes_it_served(tmp_path):
    archive = Archive(tmp_path)
    rid, _ = archive.report("http://www.x.gov.cn/nb/1.htm", b"report v1")
    archive.report("http://www.x.gov.cn/nb/1.htm", b"report v2")  # the current body is v2
    assert archive.report("http://xxgk.x.gov.cn/nb/1.htm", b"report v1") == (rid, "changed")
    assert archive.locations(rid)[-1] == ("http://xxgk.x.gov.cn/nb/1.htm", "alias")
    other, change = archive.report("http://zwgk.x.gov.cn/nb/1.htm", b"another CMS, another document")
    assert change == "new" and other != rid


# ------------------------------------------------------------------------------ migration


def old_catalogue(path):
    """A catalogue as archives were before report_locations: two crawls of the sample
    portal on two ports made two reports of each, both parsed."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE bodies (sha256 TEXT PRIMARY KEY, size INTEGER, first_stored_at TEXT);
        CREATE TABLE crawl_runs (id INTEGER PRIMARY KEY, site TEXT, start_url TEXT, started_at TEXT, ended_at TEXT,
            status TEXT, pages_fetched INTEGER, new_reports INTEGER, changed_reports INTEGER,
            unchanged_reports INTEGER, skipped_reports INTEGER, errors INTEGER, finish_reason TEXT);
        CREATE TABLE fetches (id INTEGER PRIMARY KEY, url TEXT, final_url TEXT, method TEXT, status INTEGER,
            content_type TEXT, declared_encoding TEXT, detected_encoding TEXT, sha256 TEXT REFERENCES bodies(sha256),
            size INTEGER, referer TEXT, error TEXT, etag TEXT, last_modified TEXT,
            crawl_run_id INTEGER REFERENCES crawl_runs(id), fetched_at TEXT, kind TEXT, attempt INTEGER);
        CREATE TABLE reports (id INTEGER PRIMARY KEY, url TEXT, site TEXT, complete INTEGER, list_url TEXT,
            list_title TEXT, sha256 TEXT REFERENCES bodies(sha256), fetch_id INTEGER REFERENCES fetches(id),
            content_type TEXT, declared_encoding TEXT, first_seen TEXT, last_seen TEXT, title TEXT, agency TEXT,
            year INTEGER, published TEXT, format TEXT, province TEXT, city TEXT, county TEXT, township TEXT,
            adcode TEXT, admin_level TEXT, text TEXT, parse_status TEXT DEFAULT 'pending', parse_error TEXT,
            parsed_sha256 TEXT REFERENCES bodies(sha256), parsed_at TEXT, body_key TEXT, published_from TEXT,
            list_date TEXT);
        CREATE UNIQUE INDEX idx_reports_url ON reports (url);
        CREATE TABLE metrics (id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL REFERENCES reports(id),
            key TEXT NOT NULL, value NUMERIC NOT NULL, unit TEXT, source TEXT, evidence TEXT,
            approximate INTEGER NOT NULL DEFAULT 0, certain INTEGER NOT NULL DEFAULT 1, origin TEXT);
        CREATE TABLE report_versions (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id),
            sha256 TEXT REFERENCES bodies(sha256), fetch_id INTEGER REFERENCES fetches(id), first_seen TEXT);
        CREATE UNIQUE INDEX idx_report_versions ON report_versions (report_id, sha256);
        CREATE TABLE attachments (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), url TEXT,
            link_text TEXT, filename TEXT, content_type TEXT, sha256 TEXT REFERENCES bodies(sha256),
            fetch_id INTEGER REFERENCES fetches(id), first_seen TEXT, role TEXT NOT NULL DEFAULT 'document');
        CREATE UNIQUE INDEX idx_attachments ON attachments (report_id, url);
        CREATE TABLE warnings (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), code TEXT,
            message TEXT, detail TEXT);
        CREATE TABLE list_pages (id INTEGER PRIMARY KEY, crawl_run_id INTEGER REFERENCES crawl_runs(id), url TEXT,
            reports INTEGER, seen_at TEXT);
        CREATE TABLE report_figures (report_id INTEGER PRIMARY KEY REFERENCES reports(id), year INTEGER);
    """)
    bodies = {"page1": "a" * 64, "page1b": "b" * 64, "pdf1": "c" * 64, "page2": "d" * 64, "copy": "e" * 64}
    conn.executemany("INSERT INTO bodies VALUES (?, 1, '2024')", [(s,) for s in bodies.values()])
    fetches = [  # id, url, sha
        (1, "http://127.0.0.1:4000/nb/t1.htm", "page1"), (2, "http://127.0.0.1:4000/nb/P1.pdf", "pdf1"),
        (3, "http://127.0.0.1:4000/nb/t2.htm", "page2"),
        (4, "http://127.0.0.1:5000/nb/t1.htm", "page1b"), (5, "http://127.0.0.1:5000/nb/P1.pdf", "pdf1"),
        (6, "http://127.0.0.1:5000/nb/t2.htm", "page2"),
        (7, "http://127.0.0.1:4000/other/copy.htm", "copy"), (8, "http://127.0.0.1:4000/other/copy2.htm", "copy"),
    ]
    conn.executemany("INSERT INTO fetches (id, url, status, sha256) VALUES (?, ?, 200, ?)",
                     [(i, u, bodies[s]) for i, u, s in fetches])
    reports = [  # id, url, sha, fetch, first, last, parse
        (1, "http://127.0.0.1:4000/nb/t1.htm", "page1", 1, "2024-01", "2024-01", "ok"),
        (2, "http://127.0.0.1:4000/nb/t2.htm", "page2", 3, "2024-01", "2024-01", "ok"),
        (3, "http://127.0.0.1:5000/nb/t1.htm", "page1b", 4, "2024-02", "2024-02", "ok"),  # a changed body
        (4, "http://127.0.0.1:5000/nb/t2.htm", "page2", 6, "2024-02", "2024-02", "pending"),
        (5, "http://127.0.0.1:4000/other/copy.htm", "copy", 7, "2024-01", "2024-01", "ok"),
        (6, "http://127.0.0.1:4000/other/copy2.htm", "copy", 8, "2024-03", "2024-03", "ok"),  # same bytes
    ]
    for rid, url, sha, fid, first, last, status in reports:
        conn.execute("INSERT INTO reports (id, url, site, complete, sha256, fetch_id, first_seen, last_seen, "
                     "parse_status, title, year) VALUES (?, ?, 'sample', 1, ?, ?, ?, ?, ?, ?, 2023)",
                     [rid, url, bodies[sha], fid, first, last, status, f"title {rid}" if status == "ok" else None])
        conn.execute("INSERT INTO report_versions (report_id, sha256, fetch_id, first_seen) VALUES (?, ?, ?, ?)",
                     [rid, bodies[sha], fid, first])
        if status == "ok":
            conn.executemany("INSERT INTO metrics (report_id, key, value) VALUES (?, ?, ?)",
                             [(rid, "requests.new", rid), (rid, "requests.total", rid)])
            conn.execute("INSERT INTO warnings (report_id, code) VALUES (?, 'w')", [rid])
            conn.execute("INSERT INTO report_figures VALUES (?, 2023)", [rid])
    conn.execute("INSERT INTO attachments (report_id, url, sha256, fetch_id) VALUES (1, ?, ?, 2)",
                 ["http://127.0.0.1:4000/nb/P1.pdf", bodies["pdf1"]])
    conn.execute("INSERT INTO attachments (report_id, url, sha256, fetch_id) VALUES (3, ?, ?, 5)",
                 ["http://127.0.0.1:5000/nb/P1.pdf", bodies["pdf1"]])
    conn.commit()
    conn.close()
    return bodies


def test_an_old_catalogue_with_reports_at_two_ports_merges_in_place(tmp_path):
    path = tmp_path / "xxgk.db"
    bodies = old_catalogue(path)
    db = open_db(path)
    rows = {r["url"]: r for r in db.query("SELECT * FROM reports ORDER BY id")}
    # t1 (ids 1, 3), t2 (2, 4), and the two copies of one page (5, 6): three reports, the first ids kept
    assert sorted(r["id"] for r in rows.values()) == [1, 2, 5]
    assert {r["url_key"] for r in rows.values()} == {"127.0.0.1/nb/t1.htm", "127.0.0.1/nb/t2.htm",
                                                    "127.0.0.1/other/copy.htm"}
    t1 = rows["http://127.0.0.1:4000/nb/t1.htm"]
    # the newest body is the current one, every body a version; seen from the first to the last time
    assert t1["sha256"] == bodies["page1b"] and t1["fetch_id"] == 4
    assert (t1["first_seen"], t1["last_seen"]) == ("2024-01", "2024-02")
    assert [r[0] for r in db.execute("SELECT sha256 FROM report_versions WHERE report_id = 1 ORDER BY id")] == \
        [bodies["page1"], bodies["page1b"]]
    # parsed from that body: its parse (title, figures, warnings) is the report's, once
    assert t1["title"] == "title 3" and t1["parse_status"] == "ok"
    assert [tuple(r) for r in db.execute("SELECT key, value FROM metrics WHERE report_id = 1 ORDER BY key")] == \
        [("requests.new", 3), ("requests.total", 3)]
    # both attachment rows (one file at two ports) kept, now the one report's
    assert [r[0] for r in db.execute("SELECT url FROM attachments WHERE report_id = 1 ORDER BY id")] == \
        ["http://127.0.0.1:4000/nb/P1.pdf", "http://127.0.0.1:5000/nb/P1.pdf"]
    # t2: the kept report (parsed) had the same body as the newer unparsed one: parse kept
    t2 = rows["http://127.0.0.1:4000/nb/t2.htm"]
    assert t2["parse_status"] == "ok" and t2["title"] == "title 2" and t2["fetch_id"] == 6
    assert db.execute("SELECT count(*) FROM report_versions WHERE report_id = 2").fetchone()[0] == 1
    # every URL a location
    locations = {r[0]: (r[1], r[2]) for r in db.execute("SELECT url, report_id, joined_by FROM report_locations")}
    assert locations == {
        "http://127.0.0.1:4000/nb/t1.htm": (1, "url"), "http://127.0.0.1:5000/nb/t1.htm": (1, "url"),
        "http://127.0.0.1:4000/nb/t2.htm": (2, "url"), "http://127.0.0.1:5000/nb/t2.htm": (2, "url"),
        "http://127.0.0.1:4000/other/copy.htm": (5, "url"), "http://127.0.0.1:4000/other/copy2.htm": (5, "content"),
    }
    # nothing archived lost: every fetch and body stays; no metric or warning of a merged report left over
    assert db["fetches"].count == 8 and db["bodies"].count == 5
    assert db.execute("SELECT count(*) FROM metrics WHERE report_id NOT IN (SELECT id FROM reports)").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM warnings").fetchone()[0] == 3
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # the publisher's derived rows of merged reports are gone (xxgk prepare builds them again)
    assert [r[0] for r in db.execute("SELECT report_id FROM report_figures ORDER BY 1")] == [1, 2, 5]
    db.close()
    # opened again: nothing more to do; a crawl from a third port finds the same reports
    db = open_db(path)
    assert db["reports"].count == 3 and db["report_locations"].count == 6
    assert find_report(db, "http://127.0.0.1:6000/nb/t2.htm") == (2, "url")


# ------------------------------------------------------------------------------ crawls


def test_a_recrawl_of_the_portal_moved_to_another_port_adds_no_report(tmp_path):
    from conftest import crawl, query, run_xxgk
    from sample_portal.server import serve_in_thread

    ports = []
    for options in ((), (), ("--refresh",)):  # the third fetches every report again, at a third port
        with serve_in_thread() as url:
            ports.append(url)
            done = crawl(url, tmp_path, "--no-parse", *options)
        reports = query(done.db, "SELECT count(*) AS n FROM reports")[0]["n"]
        if len(ports) == 1:
            first = reports
            assert first > 5
        else:
            assert reports == first, done.result.stdout
        assert query(done.db, "SELECT count(*) AS n FROM report_locations")[0]["n"] == len(ports) * first
    assert len(set(ports)) == 3
    assert "0 new, 0 changed" in done.result.stdout
    runs = query(done.db, "SELECT new_reports, changed_reports, unchanged_reports, skipped_reports FROM crawl_runs "
                          "ORDER BY id", as_dicts=False)
    assert [tuple(r) for r in runs] == [(first, 0, 0, 0), (0, 0, 0, first), (0, 0, first, 0)]
    assert query(done.db, "SELECT count(*) AS n FROM report_versions")[0]["n"] == first
    # every report at its three URLs, one per port, each seen once
    per_report = query(done.db, "SELECT count(DISTINCT url) AS n FROM report_locations GROUP BY report_id",
                       as_dicts=False)
    assert {r[0] for r in per_report} == {3}
    check = run_xxgk("check", "--db", str(done.db), "--archive", str(done.archive))
    assert check.returncode == 0, check.stdout[-3000:]


def test_the_demo_run_twice_keeps_its_reports(tmp_path):
    from conftest import query, run_xxgk

    counts = []
    for _ in range(2):
        result = run_xxgk("demo", "--family", "trs", "--no-serve", "--data", str(tmp_path), timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        counts.append((query(tmp_path / "xxgk.db", "SELECT count(*) AS n FROM reports")[0]["n"],
                       query(tmp_path / "xxgk.db", "SELECT count(*) AS n FROM report_locations")[0]["n"]))
    (reports, locations), (again, located) = counts
    assert reports > 5 and again == reports and locations == reports and located == 2 * reports
    assert "0 new, 0 changed" in result.stdout
    check = run_xxgk("check", "--db", str(tmp_path / "xxgk.db"), "--archive", str(tmp_path / "archive"))
    assert check.returncode == 0, check.stdout[-3000:]
