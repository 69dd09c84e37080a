"""`xxgk crawl --all --processes 2`: the sites split over two crawl processes
writing one archive, each report archived once, the archive whole."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import FAST, run_xxgk
from crawler.sites import Site
from xxgk.crawl_workers import shard

FAMILIES = ["trs", "hanweb", "jsonapi", "pagelist", "listforms"]


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_sites_in_thread

    folder = tmp_path_factory.mktemp("processes")
    db, archive = folder / "xxgk.db", folder / "archive"
    with serve_sites_in_thread(FAMILIES) as urls:
        registry = folder / "sites.yaml"
        registry.write_text(yaml.safe_dump(
            {"sites": [{"name": f"sample-{f}", "start_url": str(urls[f]), "family": "auto"} for f in FAMILIES]},
            allow_unicode=True), encoding="utf-8")
        result = run_xxgk("crawl", "--all", "--processes", "2", "--sites", str(registry), "--db", str(db),
                          "--archive", str(archive), "--no-parse", *FAST, "-s", "XXGK_MAX_IMAGES_PER_REPORT=0")
    assert result.returncode == 0, result.stderr[-3000:]
    return {"db": db, "archive": archive, "result": result,
            "manifests": {f: load_manifest(f) for f in FAMILIES}}


def test_every_report_is_archived_once(crawled):
    conn = sqlite3.connect(crawled["db"])
    try:
        for family in FAMILIES:
            rows = conn.execute("SELECT url, complete FROM reports WHERE site = ?", [f"sample-{family}"]).fetchall()
            paths = [target(url) for url, _ in rows]
            assert sorted(paths) == sorted({r.path for r in crawled["manifests"][family].reports}), family
            assert all(complete == 1 for _, complete in rows), family
        # one run per site, each finished
        runs = conn.execute("SELECT site, status, finish_reason FROM crawl_runs ORDER BY site").fetchall()
        assert runs == [(f"sample-{f}", "finished", "finished") for f in sorted(FAMILIES)]
    finally:
        conn.close()


def test_two_processes_wrote_the_archive_and_it_checks(crawled):
    out = crawled["result"].stdout
    for family in FAMILIES:
        assert re.search(rf"^\[sample-{family}\] crawl finished: ", out, re.MULTILINE), out
    # WARC files are named by the writing process's pid: two workers, none left open
    warcs = list((crawled["archive"] / "warc").glob("*.warc.gz"))
    assert len({path.name.split("-")[2] for path in warcs}) == 2
    assert not list((crawled["archive"] / "warc").glob("*.open"))
    check = run_xxgk("check", "--db", str(crawled["db"]), "--archive", str(crawled["archive"]))
    assert check.returncode == 0, check.stdout + check.stderr


def test_sites_are_split_by_domain():
    sites = [Site(name="a", start_url="http://xxgk.wendeng.gov.cn/"), Site(name="b", start_url="http://x.example/"),
             Site(name="c", start_url="http://www.wendeng.gov.cn/nb/"), Site(name="d", start_url="http://y.example/")]
    groups = shard(sites, 2)
    assert [[s.name for s in g] for g in groups] == [["a", "c"], ["b", "d"]]  # one domain in one process
    assert [[s.name for s in g] for g in shard(sites, 8)] == [["a", "c"], ["b"], ["d"]]
    assert [[s.name for s in g] for g in shard(sites, 1)] == [["a", "b", "c", "d"]]


def test_a_worker_without_the_parents_lock_refuses(tmp_path):
    result = run_xxgk("crawl", "--worker", str(tmp_path / "out.json"), "--start-url", "http://127.0.0.1:9/",
                      "--db", str(tmp_path / "xxgk.db"), "--archive", str(tmp_path / "archive"))
    assert result.returncode == 1
    assert "--worker runs only under xxgk crawl --processes" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_sigterm_stops_every_worker_and_the_next_crawl_goes_on(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT
    from sample_portal.server import serve_sites_in_thread

    db, archive = tmp_path / "xxgk.db", tmp_path / "archive"

    def complete() -> int:
        try:
            conn = sqlite3.connect(db, timeout=5)
            try:
                return conn.execute("SELECT count(*) FROM reports WHERE complete = 1").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.OperationalError:
            return 0

    with serve_sites_in_thread(["large", "hanweb"]) as urls:
        registry = tmp_path / "sites.yaml"
        registry.write_text(yaml.safe_dump({"sites": [{"name": f"sample-{f}", "start_url": str(u)}
                                                      for f, u in urls.items()]}), encoding="utf-8")
        argv = [sys.executable, "-m", "xxgk", "crawl", "--all", "--processes", "2", "--sites", str(registry),
                "--db", str(db), "--archive", str(archive), "--no-parse", *FAST, "-s", "DOWNLOAD_DELAY=0.05"]
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while complete() < 5 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.2)
            assert proc.poll() is None, "the crawl ended before it could be stopped"
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)  # a hang detector, not a speed target
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 1
        assert "crawl stopped by a signal" in err and "Traceback" not in err
        conn = sqlite3.connect(db)
        runs = conn.execute("SELECT status, finish_reason FROM crawl_runs").fetchall()
        assert runs and all(run[0] == "finished" for run in runs)
        assert ("finished", "shutdown") in runs
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        done = complete()
        assert not list((archive / "warc").glob("*.open"))  # every worker closed its WARC file
        again = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        assert complete() > done
    check = run_xxgk("check", "--db", str(db), "--archive", str(archive))
    assert check.returncode == 0, check.stdout + check.stderr
