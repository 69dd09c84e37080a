"""`xxgk export` and `xxgk publish` on a real crawl."""

from __future__ import annotations

import csv
import json
import os
import shlex
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, free_port, run_xxgk, running
from conftest import query as catalogue_query


@pytest.fixture(scope="module")
def copy(crawled, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    shutil.copy(crawled.db, folder / "xxgk.db")
    shutil.copytree(crawled.archive, folder / "archive")
    return folder


def query(db: Path, sql: str, params=()) -> list:
    return catalogue_query(db, sql, params, as_dicts=False)


def same_number(a, b) -> bool:
    return Decimal(str(a)) == Decimal(str(b))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_long_and_wide(copy, tmp_path, fmt):
    db = copy / "xxgk.db"
    out = tmp_path / fmt
    result = run_xxgk("export", "--format", fmt, "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    if fmt == "parquet":
        import pyarrow.parquet as pq

        long_rows = pq.read_table(out / "figures_long.parquet").to_pylist()
        wide_rows = pq.read_table(out / "figures_wide.parquet").to_pylist()
        definitions = pq.read_table(out / "metric_definitions.parquet").to_pylist()
    else:
        def read(name):
            with (out / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
                return list(csv.DictReader(handle))

        long_rows, wide_rows, definitions = read("figures_long"), read("figures_wide"), read("metric_definitions")
    metrics = query(db, "SELECT report_id, key, value FROM metrics")
    assert len(long_rows) == len(metrics)
    assert len(wide_rows) == query(db, "SELECT count(*) FROM reports")[0][0]
    wide = {int(r["report_id"]): r for r in wide_rows}
    long = {(int(r["report_id"]), r["key"]): r for r in long_rows}
    for report_id, key, value in metrics:
        assert same_number(long[(report_id, key)]["value"], value)
        assert same_number(wide[report_id][key], value)
    # A key a report does not state is empty in the wide form, never zero.
    keys = {k for _, k, _ in metrics}
    for report_id, row in wide.items():
        stated = {k for rid, k, _ in metrics if rid == report_id}
        for key in keys - stated:
            assert row[key] in (None, ""), (report_id, key)
    sample = long[next(iter(long))]
    assert sample["label"] and sample["agency"]
    total = [r for r in long_rows if r["key"] == "requests.new.total"]
    assert total and all(r["label"] == "一、本年新收政府信息公开申请数量 · 总计" for r in total)
    assert {d["key"] for d in definitions} >= keys


def test_publish_prints_deployable_commands(copy):
    """The printed `datasette package` command parses, and the container it
    describes serves the archive: run its Dockerfile's CMD from the build folder."""
    from datasette.cli import package, publish
    from datasette.utils import temporary_docker_directory

    db = copy / "xxgk.db"
    result = run_xxgk("publish", "--db", str(db))
    assert result.returncode == 0, result.stderr
    commands = [shlex.split(line) for line in result.stdout.splitlines() if line.startswith("datasette ")]
    assert [c[:3] for c in commands] == [["datasette", "publish", "cloudrun"], ["datasette", "package", str(db)]]
    cloudrun = publish.commands["cloudrun"].make_context("cloudrun", commands[0][3:])
    assert cloudrun.params["plugins_dir"] == str(ROOT / "publish" / "plugins")
    assert "datasette==0.65.5" in cloudrun.params["install"]
    ctx = package.make_context("package", commands[1][2:])
    params = ctx.params
    assert params["static"] and params["static"][0][0] == "xxgk-archive"
    metadata = json.loads(Path(params["metadata"].name).read_text(encoding="utf-8"))
    assert metadata["plugins"]["xxgk-archive"]["archive_dir"] == "xxgk-archive"
    assert metadata["databases"]["xxgk"]["queries"]

    port = free_port()
    cwd = os.getcwd()
    with temporary_docker_directory(
        params["files"], "xxgk-archive", params["metadata"], params["extra_options"], None, params["template_dir"],
        params["plugins_dir"], params["static"], params["install"], False, None, "not-secret",
        port=port,
    ) as build:
        dockerfile = (Path(build) / "Dockerfile").read_text()
        cmd_line = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))[4:]
        argv = shlex.split(cmd_line.replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1"))
        assert argv[:2] == ["datasette", "serve"] and "--plugins-dir" in argv and "-i" in argv
        subprocess.run([sys.executable, "-m", "datasette", "inspect", "xxgk.db", "--inspect-file",
                        "inspect-data.json"], cwd=build, check=True, capture_output=True)
        with running([sys.executable, "-m", *argv], port, cwd=build) as base:
            sha = query(db, "SELECT sha256 FROM reports LIMIT 1")[0][0]
            archived = httpx.get(f"{base}/-/archive/{sha}")
            assert archived.status_code == 200
            assert archived.headers["content-type"] == "text/plain; charset=utf-8"
            # The archive folder shipped with --static is not served raw.
            raw = httpx.get(f"{base}/xxgk-archive/sha256/{sha[:2]}/{sha[2:4]}/{sha}")
            assert raw.status_code == 404 and "<html" not in raw.text.lower()
            found = httpx.get(f"{base}/xxgk/reports.json", params={"_search": "复议", "_shape": "array"}).json()
            assert found
            settings = httpx.get(f"{base}/-/settings.json").json()
            assert settings["sql_time_limit_ms"] == 5000
    assert os.getcwd() == cwd


def test_release_is_a_dated_versioned_snapshot_with_checksums(copy, tmp_path):
    import hashlib

    db, out = copy / "xxgk.db", tmp_path / "releases"
    for n in (1, 2):
        result = run_xxgk("release", "--db", str(db), "--out", str(out), "--date", "2026-12-01")
        assert result.returncode == 0, result.stderr
        assert f"xxgk-archive-2026-12-01-v{n}:" in result.stdout
    folder = out / "xxgk-archive-2026-12-01-v1"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["CITATION.cff", "SHA256SUMS", "figures_long.csv", "figures_wide.csv", "metric_definitions.csv",
                     "release.json"]
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == [n for n in names if n != "SHA256SUMS"]
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    info = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    [(figures, doubtful)] = query(db, "SELECT count(*), sum(certain = 0) FROM metrics")
    assert (info["version"], info["date"], info["figures"], info["figures_doubtful"]) == (1, "2026-12-01", figures, doubtful)
    assert info["catalogue_sha256"] == hashlib.sha256(db.read_bytes()).hexdigest()
    assert 'version: "2026-12-01-v1"' in (folder / "CITATION.cff").read_text(encoding="utf-8")
    with (folder / "figures_long.csv").open(encoding="utf-8-sig", newline="") as handle:
        long_rows = list(csv.DictReader(handle))
    assert len(long_rows) == figures
    assert {"evidence", "certain", "origin", "approximate", "source"} <= set(long_rows[0])
    assert all(r["evidence"] for r in long_rows if r["source"] != "derived")
    # a release is never rewritten
    before = (folder / "SHA256SUMS").read_bytes()
    again = run_xxgk("release", "--db", str(db), "--out", str(out), "--date", "2026-12-01", "--version", "1")
    assert again.returncode == 1 and "is never rewritten" in again.stderr and "Traceback" not in again.stderr
    assert (folder / "SHA256SUMS").read_bytes() == before
    bad = run_xxgk("release", "--db", str(db), "--out", str(out), "--date", "1 December")
    assert bad.returncode == 2 and "is not a date" in bad.stderr
