"""`xxgk serve` over a crawled archive: Datasette answers over real HTTP."""

from __future__ import annotations

import shutil

import httpx
import pytest

from conftest import serve


@pytest.fixture(scope="module")
def datasette(crawled, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "xxgk.db"
    shutil.copy(crawled.db, db)
    with serve(db, "--archive", str(crawled.archive)) as base:
        yield base


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
