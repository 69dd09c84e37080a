"""`xxgk serve` over a crawled archive: Datasette answers over real HTTP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def datasette(crawled, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "xxgk.db"
    shutil.copy(crawled.db, db)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xxgk", "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"datasette did not start: {proc.stdout.read()}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_reports_json_lists_every_report(datasette, manifest):
    response = httpx.get(datasette + "/xxgk/reports.json", params={"_shape": "array", "_size": "max"})
    assert response.status_code == 200
    reports = response.json()
    assert len(reports) == len(manifest.reports)
    titles = {r["title"].replace(" ", "") for r in reports}
    for report in manifest.reports:
        assert report.title.replace(" ", "") in titles
    years = sorted({r["year"] for r in reports})
    assert years == sorted({r.year for r in manifest.reports})


def test_home_page_shows_metadata(datasette):
    page = httpx.get(datasette + "/")
    assert page.status_code == 200
    assert "政府信息公开工作年度报告" in page.text


def test_served_read_only(datasette):
    response = httpx.post(
        datasette + "/xxgk/-/query", data={"sql": "delete from reports"}, follow_redirects=False
    )
    assert response.status_code >= 400
    count = httpx.get(datasette + "/xxgk.json", params={"sql": "select count(*) as n from reports", "_shape": "array"})
    assert count.json()[0]["n"] > 0
    write = httpx.get(datasette + "/xxgk.json", params={"sql": "delete from reports"})
    assert write.status_code == 400
