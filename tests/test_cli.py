"""The xxgk command line as a user runs it."""

import json

import pytest

from conftest import run_xxgk
from seeds import seed_path


def _commands() -> list[str]:
    from xxgk.cli import main

    return sorted(main.commands)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command):
    result = run_xxgk(command, "--help")
    assert result.returncode == 0
    assert "Usage: python -m xxgk " + command in result.stdout or f"Usage: xxgk {command}" in result.stdout


def test_parse_json_on_seed_000():
    result = run_xxgk("parse", str(seed_path(0)), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["title", "agency", "body_key", "year", "published", "published_from", "format", "region",
                          "admin_level", "metrics", "warnings"]
    assert data["title"] == "威海市文登区泽库镇2018年度政府信息公开工作年度报告"
    assert data["agency"] == "威海市文登区泽库镇人民政府"
    assert data["year"] == 2018
    figures = {m["key"]: m["value"] for m in data["metrics"]}
    assert figures["proactive.total"] == 204
    assert figures["requests.new.total"] == 3


def test_parse_unreadable_file_names_it(tmp_path):
    bad = tmp_path / "report.htm"
    bad.write_bytes(b"\x00\x01\x02\xff" * 50)
    result = run_xxgk("parse", str(bad))
    assert result.returncode == 1
    assert str(bad) in result.stderr and "Traceback" not in result.stderr


def test_crawl_rejects_a_bad_start_url(tmp_path):
    result = run_xxgk("crawl", "--start-url", "xxgk.example.gov.cn", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "not an http(s) URL" in result.stderr


def test_serve_without_database_says_so(tmp_path):
    result = run_xxgk("serve", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 1
    assert "no archive database" in result.stderr


def test_prepare_exits_zero_after_its_work(crawled, tmp_path):
    import shutil

    db = tmp_path / "xxgk.db"
    shutil.copy(crawled.db, db)
    result = run_xxgk("prepare", "--db", str(db), "--archive", str(crawled.archive))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("prepared ") and "Traceback" not in result.stderr
    again = run_xxgk("prepare", "--db", str(db), "--archive", str(crawled.archive))
    assert again.returncode == 0 and "already prepared" in again.stdout


def test_crawl_of_an_unreachable_site_says_so_and_exits_1(tmp_path):
    from conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    result = run_xxgk("crawl", "--start-url", url, "--db", str(tmp_path / "x.db"), "--archive", str(tmp_path / "a"),
                      "-s", "RETRY_TIMES=1", "-s", "RETRY_BACKOFF_BASE=0.1", "--no-parse")
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert f"[127.0.0.1] could not be crawled: {url}: DownloadConnectionRefusedError: the server refused" in out
    assert "Traceback" not in out
    assert len(out.splitlines()) <= 5  # progress, summary, the error: no Scrapy log without -v


def test_a_second_crawl_on_one_archive_is_refused_naming_the_first(tmp_path, portal_url):
    import subprocess
    import sys

    from conftest import ROOT

    archive = tmp_path / "archive"
    holder = subprocess.Popen(  # a crawl in progress on the same archive, as far as the lock goes
        [sys.executable, "-c", "import sys, time; from archive.lock import hold_for_process; "
         "hold_for_process(sys.argv[1], command='xxgk crawl --all'); print('held', flush=True); time.sleep(60)",
         str(archive)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run_xxgk("crawl", "--start-url", portal_url, "--db", str(tmp_path / "x.db"),
                          "--archive", str(archive), "--no-parse")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert f"another crawl holds {archive}: pid {holder.pid}" in result.stderr and "(xxgk crawl --all)" in result.stderr
    assert not (tmp_path / "x.db").exists()  # refused before it wrote anything


def test_robots_refusals_and_the_not_found_probe_are_rows_of_their_own(tmp_path):
    import functools
    import http.server
    import threading

    site = tmp_path / "site"
    (site / "x").mkdir(parents=True)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /x/\n")
    (site / "x" / "index.html").write_text("<html><body>年报</body></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/x/index.html"
        result = run_xxgk("crawl", "--start-url", url, "--db", str(tmp_path / "x.db"),
                          "--archive", str(tmp_path / "a"), "-s", "DOWNLOAD_DELAY=0", "--no-parse")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    from conftest import query

    rows = {r["kind"]: r for r in query(tmp_path / "x.db", "SELECT url, status, kind, error FROM fetches")}
    assert rows["robots"]["url"] == url and rows["robots"]["status"] is None
    assert "refused by the site's robots.txt" in rows["robots"]["error"]
    assert rows["probe"]["status"] == 404 and "/xxgk-archive-no-such-page-" in rows["probe"]["url"]


def test_eval_pictures_scores_a_real_scan_page():
    """`xxgk eval --pictures`: page 3 of 洪泽区人民政府 2024's real PDF as a scanned page,
    read by OCR and scored on that page's hand-read figures."""
    result = run_xxgk("eval", "tests/gold", "--pictures", "--only", "huaian-hongze-qzf-2024", "--variant", "scan-p3",
                      timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    row = next(line for line in result.stdout.splitlines() if line.startswith("huaian-hongze-qzf-2024  scan-p3"))
    gold, right, share, wrong = row.split()[3:7]
    assert int(gold) >= 50 and float(share) >= 0.9 and wrong == "0", row
    assert row.split()[11] == "pass", row
    assert "confidence threshold" in result.stdout and "huaian-hongze-qzf-2024 scan-p3 …" in result.stderr


def test_eval_pictures_names_an_unknown_document():
    result = run_xxgk("eval", "tests/gold", "--pictures", "--only", "no-such-report")
    assert result.returncode == 1
    assert "--only no-such-report: not a real report" in result.stderr and "Traceback" not in result.stderr


DB_COMMANDS = [["sites"], ["crawl", "--start-url", "http://127.0.0.1:1/"], ["reparse"], ["serve"], ["check"],
               ["prepare"], ["publish"], ["export", "--out", "out"]]


@pytest.mark.parametrize("command", DB_COMMANDS, ids=[c[0] for c in DB_COMMANDS])
def test_a_db_that_is_no_database_is_named_not_a_traceback(command, tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("a text file, not a database\n", encoding="utf-8")
    for db, what in ((text, "is not an SQLite database"), (tmp_path, "is a folder")):
        result = run_xxgk(*command, "--db", str(db), timeout=60)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and str(db) in result.stderr and what in result.stderr, result.stderr


def test_a_damaged_database_is_one_line_not_a_traceback(crawled, tmp_path):
    damaged = tmp_path / "damaged.db"
    data = bytearray(crawled.db.read_bytes())
    data[100:60000] = b"\x07" * (60000 - 100)  # the header kept, the schema and first pages gone
    damaged.write_bytes(bytes(data))
    result = run_xxgk("sites", "--db", str(damaged), timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the catalogue database cannot be used: database disk image is malformed" in result.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["prepare"], ["publish"]])
def test_an_archive_folder_that_is_none_is_named(crawled, tmp_path, command):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    db = tmp_path / "xxgk.db"
    db.write_bytes(crawled.db.read_bytes())  # (the commands would fold the shared crawl's WAL)
    result = run_xxgk(*command, "--db", str(db), "--archive", str(empty), timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{empty} is not an archive folder (no sha256/ inside)" in result.stderr
