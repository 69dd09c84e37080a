"""Every command of the xxgk command line run for real, on a small archive (a
crawl of the sample portal), and every ``$ xxgk`` line of the README run as it
is written there, from a folder laid out as the README assumes (``data/`` with
the archive, the project's ``sample_portal/`` and ``tests/`` beside it)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import sqlite3
from urllib.parse import urlsplit
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, free_port
from seeds import seed_path

README = ROOT / "README.md"
# README lines not run as written, and why (each is run in a smaller form below).
NOT_RUN_AS_WRITTEN = {
    "xxgk crawl --site 威海市文登区信息公开": "a real portal: no internet here (crawl runs on the sample portal below)",
    "xxgk crawl --all": "every real portal of the registry: no internet here",
    "xxgk eval tests/gold --pictures --only huaian-hongze-qzf-2024 --variant scan-p3":
        "run as written, and its scores checked, by test_cli.py::test_eval_pictures_scores_a_real_scan_page",
    "xxgk demo": "serves until stopped and crawls all eight sample sites (test_demo_builds_the_archive_"
                 "every_other_command_reads runs it on one site)",
}
LONG_RUNNING = {"serve", "sample-portal"}  # they serve until stopped


def xxgk(cwd: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xxgk", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@contextlib.contextmanager
def running(cwd: Path, args: list[str], port: int, path: str = "/"):
    """A serving command, until it answers on ``port``; stopped after."""
    proc = subprocess.Popen([sys.executable, "-m", "xxgk", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"xxgk {' '.join(args)} exited {proc.returncode}: {proc.stdout.read()[-2000:]}")
            try:
                response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"xxgk {' '.join(args)} never answered on port {port}")
                time.sleep(0.3)
        yield response
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def port_of(args: list[str], default: int) -> int:
    return int(args[args.index("--port") + 1]) if "--port" in args else default


@pytest.fixture
def workdir(crawled, tmp_path) -> Path:
    """A folder as the README assumes: data/xxgk.db and data/archive (a crawl of
    the sample portal), the project's sample_portal/ and tests/ beside them."""
    crawled.copy_to(tmp_path / "data")
    for name in ("sample_portal", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def reports(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        conn.close()


# -- every command, for real -------------------------------------------------------------------------------------

def run_sites(work: Path):
    result = xxgk(work, "sites")
    assert result.returncode == 0, result.stderr
    # the registry's sites, then what the archive holds beyond them, with its report count
    assert "start URL" in result.stdout and "crawled, not in the registry:" in result.stdout
    site = sqlite3.connect(work / "data" / "xxgk.db").execute("SELECT site FROM reports LIMIT 1").fetchone()[0]
    line = next(line for line in result.stdout.splitlines() if line.startswith(site + " "))
    assert f" {reports(work / 'data' / 'xxgk.db')} " in line and "never" not in line
    # xxgk sites discover: every body of the sample tree registered, then listed
    from sample_portal.tree import serve_tree_in_thread

    with serve_tree_in_thread() as tree:
        found = xxgk(work, "sites", "discover", tree.root, "--sites", "data/discovered.yaml",
                     "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
    assert found.returncode == 0, found.stderr[-2000:]
    assert f"[discovery] {tree.root}: 57 bodies (57 new, 0 updated, 0 gone" in found.stdout
    listed = xxgk(work, "sites", "--sites", "data/discovered.yaml")
    assert listed.returncode == 0 and len([x for x in listed.stdout.splitlines() if "never" in x]) == 57
    assert any(x.startswith("平江县安定镇人民政府 ") for x in listed.stdout.splitlines())
    # the walk is listed as a walk, not as a site crawled outside the registry
    crawled, _, walks = listed.stdout.partition("discovery walks")
    host = urlsplit(tree.root).hostname
    assert f"discovery {host}" in walks and f"discovery {host}" not in crawled
    # columns line up by display width (a Chinese character takes two terminal columns)
    from xxgk.display import width

    rows = [x for x in crawled.splitlines() if " never " in x]
    starts = {width(x[:x.index(" never ")]) for x in rows}
    assert len(rows) == 57 and len(starts) == 1, starts


def run_crawl(work: Path):
    from sample_portal.server import serve_in_thread

    with serve_in_thread() as url:
        result = xxgk(work, "crawl", "--start-url", str(url), "--db", "fresh/xxgk.db", "--archive", "fresh/archive",
                      "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crawl finished" in result.stdout + result.stderr
    assert reports(work / "fresh" / "xxgk.db") == reports(work / "data" / "xxgk.db")


def run_parse(work: Path):
    result = xxgk(work, "parse", str(seed_path(0)), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["year"] == 2018


def run_reparse(work: Path):
    result = xxgk(work, "reparse", "--db", "data/xxgk.db")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"parsed {reports(work / 'data' / 'xxgk.db')} reports, 0 failed" in result.stdout


def run_check(work: Path):
    result = xxgk(work, "check", "--db", "data/xxgk.db")
    assert result.returncode == 0, result.stdout + result.stderr


def run_prepare(work: Path):
    result = xxgk(work, "prepare", "--db", "data/xxgk.db")
    assert result.returncode == 0, result.stderr
    tables = {r[0] for r in sqlite3.connect(work / "data" / "xxgk.db").execute("SELECT name FROM sqlite_master")}
    assert {"report_figures", "metric_definitions", "timeliness"} <= tables


def run_serve(work: Path):
    port = free_port()
    with running(work, ["serve", "--db", "data/xxgk.db", "--port", str(port)], port, "/xxgk/report_figures.json") as page:
        assert page.status_code == 200 and len(page.json()["rows"]) == reports(work / "data" / "xxgk.db")


def run_sample_portal(work: Path):
    port = free_port()
    with running(work, ["sample-portal", "--port", str(port)], port) as page:
        assert page.status_code == 200 and "信息公开" in page.text


def run_eval(work: Path):
    gold = work / "gold" / "real"
    gold.mkdir(parents=True)
    for path in (ROOT / "tests" / "gold" / "real").glob("shuyang-fgj-2023.*"):  # one real report, its documents
        shutil.copy(path, gold / path.name)
    result = xxgk(work, "eval", "gold")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "REAL documents: 5 documents of 1 reports" in result.stdout, result.stdout[:2000]
    overall = next(line for line in result.stdout.splitlines() if line.startswith("real overall"))
    assert overall.split()[6] == "0", overall  # no wrong value


def run_export(work: Path):
    result = xxgk(work, "export", "--format", "csv", "--out", "exports")
    assert result.returncode == 0, result.stderr
    assert (work / "exports" / "figures_long.csv").read_text(encoding="utf-8-sig").startswith("report_id")


def run_release(work: Path):
    result = xxgk(work, "release", "--db", "data/xxgk.db", "--out", "releases", "--date", "2026-12-01")
    assert result.returncode == 0, result.stderr
    folder = work / "releases" / "xxgk-archive-2026-12-01-v1"
    assert (folder / "SHA256SUMS").exists() and f"{reports(work / 'data' / 'xxgk.db')} reports" in result.stdout
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def run_publish(work: Path):
    result = xxgk(work, "publish", "--db", "data/xxgk.db")
    assert result.returncode == 0, result.stderr
    assert "datasette publish cloudrun" in result.stdout and "datasette package" in result.stdout


def run_demo(work: Path):
    result = xxgk(work, "demo", "--family", "trs", "--no-serve", "--data", "demo")
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"parsed \d+ reports, 0 failed", result.stdout), result.stdout[-2000:]
    assert reports(work / "demo" / "xxgk.db") == reports(work / "data" / "xxgk.db")  # the same sample site
    bad = xxgk(work, "demo", "--family", "nosuch", "--no-serve", "--data", "demo")
    assert bad.returncode == 2 and "nosuch: no such sample site" in bad.stderr and "Traceback" not in bad.stderr


def run_worker(work: Path):
    from crawler.distributed.redis_server import redis_server, redis_server_path
    from sample_portal.server import serve_in_thread

    if redis_server_path() is None:
        pytest.skip("redis-server is not installed (scripts/install-redis; make test installs it)")
    with redis_server() as redis_url, serve_in_thread() as url:
        result = xxgk(work, "worker", "--redis", redis_url, "--name", "w1", "--start-url", str(url),
                      "--db", "w1/xxgk.db", "--archive", "w1/archive", "-s", "DOWNLOAD_DELAY=0",
                      "-s", "AUTOTHROTTLE_ENABLED=False")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "worker w1 finished" in result.stdout
    assert reports(work / "w1" / "xxgk.db") == reports(work / "data" / "xxgk.db")  # alone, it crawls it all


def run_merge(work: Path):
    result = xxgk(work, "merge", "data/xxgk.db", "--db", "merged/xxgk.db", "--archive", "merged/archive")
    assert result.returncode == 0, result.stderr[-3000:]
    assert reports(work / "merged" / "xxgk.db") == reports(work / "data" / "xxgk.db")
    assert xxgk(work, "check", "--db", "merged/xxgk.db", "--archive", "merged/archive").returncode == 0
    bad = xxgk(work, "merge", "nosuch/xxgk.db", "--db", "merged/xxgk.db", "--archive", "merged/archive")
    assert bad.returncode == 1 and "nosuch/xxgk.db: no archive database there" in bad.stderr
    assert "Traceback" not in bad.stderr


REAL_RUNS = {
    "check": run_check, "crawl": run_crawl, "demo": run_demo, "eval": run_eval, "export": run_export,
    "parse": run_parse, "prepare": run_prepare, "publish": run_publish, "release": run_release,
    "reparse": run_reparse, "sample-portal": run_sample_portal, "serve": run_serve, "sites": run_sites,
    "worker": run_worker, "merge": run_merge,
}


def test_every_command_has_a_real_run():
    from xxgk.cli import main

    assert set(main.commands) == set(REAL_RUNS)


@pytest.mark.parametrize("command", sorted(REAL_RUNS))
def test_every_command_runs_for_real(command, workdir):
    REAL_RUNS[command](workdir)


# -- the README's examples, as written ---------------------------------------------------------------------------

def readme_commands() -> list[list[str]]:
    """The ``$ xxgk …`` lines of the README's console blocks, block by block
    (comments dropped)."""
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    found = []
    for block in blocks:
        lines = [line[2:].split("  #")[0].strip() for line in block.splitlines() if line.startswith("$ xxgk ")]
        if lines:
            found.append(lines)
    return found


def test_the_readme_examples_run_as_written(workdir):
    blocks = readme_commands()
    assert sum(len(b) for b in blocks) >= 15, blocks
    skipped = {line for block in blocks for line in block if line in NOT_RUN_AS_WRITTEN}
    assert skipped == set(NOT_RUN_AS_WRITTEN), "a line listed as not run is no longer in the README"
    for block in blocks:
        with contextlib.ExitStack() as background:
            for line in block:
                if line in NOT_RUN_AS_WRITTEN:
                    continue
                args = shlex.split(line)[1:]
                if args[0] in LONG_RUNNING:
                    port = port_of(args, 8001 if args[0] == "serve" else 8000)
                    page = background.enter_context(running(workdir, args, port))
                    assert page.status_code == 200, line
                    continue
                result = xxgk(workdir, *args, timeout=900)
                assert result.returncode == 0, f"{line}: {result.stderr[-2000:]}"
                assert "Traceback" not in result.stderr, line


def test_the_readme_shows_what_parse_prints():
    """The README's example output of `xxgk parse` is what it prints."""
    text = README.read_text(encoding="utf-8")
    shown = re.search(r"```console\n\$ (xxgk parse [^\n]+)\n(.*?)```", text, flags=re.S)
    assert shown, "no xxgk parse example with its output in the README"
    args = shlex.split(shown.group(1))[1:]
    result = xxgk(ROOT, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown.group(2).strip()
