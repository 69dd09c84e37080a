"""/-/coverage on a real crawl of the sample portal: which bodies of a region
published which years, the gaps between, each mark linking to its report."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlencode

import httpx
import lxml.html
import pytest

from conftest import serve


@pytest.fixture(scope="module")
def site(crawled, tmp_path_factory):
    db = crawled.copy_to(tmp_path_factory.mktemp("coverage"))
    with serve(db) as base:
        yield {"base": base, "db": db}


def page(site, **params) -> lxml.html.HtmlElement:
    response = httpx.get(site["base"] + "/-/coverage", params=params, timeout=60)
    assert response.status_code == 200, response.text[:500]
    return lxml.html.fromstring(response.text)


def catalogue(site, sql, params=()):
    conn = sqlite3.connect(site["db"])
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_the_provinces_are_listed_with_their_bodies(site):
    tree = page(site)
    listed = {row.xpath("string(td[1])"): int(row.xpath("string(td[2])")) for row in tree.xpath("//table/tbody/tr")}
    expected = dict(catalogue(site, "SELECT province, count(DISTINCT coalesce(body_key, agency)) FROM reports "
                                    "WHERE parse_status = 'ok' AND year IS NOT NULL AND province IS NOT NULL "
                                    "GROUP BY province"))
    assert listed == expected and listed


def test_the_grid_shows_every_year_of_every_body_and_the_gaps(site):
    province = catalogue(site, "SELECT province FROM reports WHERE province IS NOT NULL "
                               "GROUP BY province ORDER BY count(*) DESC LIMIT 1")[0][0]
    tree = page(site, province=province)
    grid = tree.xpath("//table[contains(@class, 'xxgk-coverage')]")[0]
    years = [int(th.text) for th in grid.xpath(".//thead//th")[1:-1]]
    seen: dict[str, set[int]] = {}
    for row in grid.xpath(".//tbody/tr"):
        agency = row.xpath("string(td[1])")
        cells = row.xpath("td")[1:-1]
        seen[agency] = {year for year, cell in zip(years, cells) if cell.get("class") == "seen"}
        gaps = {year for year, cell in zip(years, cells) if cell.get("class") == "gap"}
        if seen[agency]:
            assert gaps == set(range(min(seen[agency]), max(seen[agency]) + 1)) - seen[agency], agency
        for cell in row.xpath("td[@class='seen']"):  # each mark leads to a report of that year
            href = cell.xpath("a/@href")[0]
            report = httpx.get(site["base"] + href + ".json", params={"_shape": "array"}, timeout=30).json()[0]
            assert report["agency"] and report["province"] == province
        body = row.xpath("td[1]/a/@href")[0]
        assert httpx.get(site["base"] + body, timeout=30).status_code == 200  # the body's page
    expected: dict[str, set[int]] = {}
    for body, agency, year in catalogue(site, "SELECT coalesce(body_key, agency), agency, year FROM reports "
                                              "WHERE parse_status = 'ok' AND year IS NOT NULL AND province = ?",
                                        [province]):
        expected.setdefault(body, set()).add(year)
    assert sorted(map(sorted, seen.values())) == sorted(map(sorted, expected.values()))
    # the gaps are the missing_years query's
    missing = httpx.get(site["base"] + "/xxgk/missing_years.json",
                        params={"province": province, "_shape": "array"}, timeout=30).json()
    gaps_shown = sum(len(row.xpath("td[@class='gap']")) for row in grid.xpath(".//tbody/tr"))
    assert gaps_shown == sum(len(m["years_missing"].split(", ")) for m in missing) > 0


def test_a_region_with_nothing_and_a_city_without_province_say_so(site):
    tree = page(site, province="火星省")
    assert "No parsed report from this region" in tree.text_content()
    response = httpx.get(site["base"] + "/-/coverage?" + urlencode({"city": "威海市"}), timeout=30)
    assert response.status_code == 400 and "Choose a province first" in response.text
