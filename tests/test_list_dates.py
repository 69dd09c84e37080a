"""The date a list page shows beside a report's link (crawler.listdates): on a
saved real TRS column page, on the list forms the families answer with, and in
the catalogue after a crawl of the sample portal, where the timeliness view
falls back on it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.families.jsonapi import entries, entry_date
from crawler.links import page_links
from crawler.listdates import iso_date, list_date

FIXTURES = Path(__file__).parent / "fixtures" / "lists"


def test_a_real_trs_column_gives_each_report_the_date_beside_it():
    """鄂尔多斯恩格贝 信息公开年报 (a saved real page, see its .source.json): each
    report's date is in the next cell of its row; the 2018 report was listed on
    2019-05-30 (the title's year is not the date)."""
    url = "http://www.ordos.gov.cn/egb/xxgk/xxgknb/"
    page = HtmlResponse(url, body=(FIXTURES / "ordos-egb-xxgknb-list.html").read_bytes(), encoding="utf-8")
    dates = {link.url.rsplit("/", 1)[-1]: link.date for link in page_links(page) if "年度报告" in link.text}
    assert dates == {
        "t20200903_2748784.html": "2020-09-03",
        "t20200311_2593126.html": "2020-03-11",
        "t20190530_2380968.html": "2019-05-30",
        "t20190530_2380967.html": "2019-05-30",  # 内蒙古自治区's report, re-posted there
    }
    # links that are no report's are not read for a date (the menu, the news items)
    assert all(link.date is None for link in page_links(page) if "年度报告" not in link.text)


def anchor(html: str) -> Selector:
    return Selector(text=html).xpath("//a[@href]")[0]


@pytest.mark.parametrize("html, date", [
    ('<ul><li><a href="a.htm">某镇2022年政府信息公开工作年度报告</a><span>2023-01-17</span></li></ul>', "2023-01-17"),
    ('<ul><li><span class="date">[2020/1/15]</span><a href="a.htm">某局2019年年度报告</a></li></ul>', "2020-01-15"),
    ('<table><tr><td><a href="a">某局2019年报告</a></td><td>发布日期：2020年1月20日</td></tr></table>', "2020-01-20"),
    ('<div class="item"><a href="a">某局2019年报告</a><em>2020.02.03</em></div>', "2020-02-03"),
    # the title's own year and date are not the list's date
    ('<ul><li><a href="a">某局2019年度报告（2020-01-10）</a></li></ul>', None),
    # a neighbour's date is never taken: the element around holds another entry
    ('<ul><li><a href="a">某局2019年报告</a> <a href="b">某局2018年报告</a><span>2019-03-01</span></li></ul>', None),
    # no calendar date (2020-13-45) is none
    ('<ul><li><a href="a">某局2019年报告</a><span>2020-13-45</span></li></ul>', None),
])
def test_the_date_beside_a_link(html, date):
    assert list_date(anchor(html)) == date


def test_iso_dates_and_json_entry_dates():
    assert iso_date("发布时间：2021年 3月 5日 10:00") == "2021-03-05"
    assert iso_date("2019年度") is None
    assert entry_date("2020-01-15 09:30:00") == "2020-01-15"
    assert entry_date(1579046400000) == "2020-01-15"  # epoch ms, Beijing time (2020-01-15 08:00)
    assert entry_date("1579046400") == "2020-01-15"
    assert entry_date(True) is None and entry_date(12) is None
    found, _pages = entries(json.dumps({"data": {"list": [
        {"title": "某局2019年政府信息公开工作年度报告", "url": "/a.html", "publishTime": 1579046400000},
        {"title": "某局2018年政府信息公开工作年度报告", "url": "/b.html"},
    ]}}), "http://x.gov.cn/")
    assert found == [("某局2019年政府信息公开工作年度报告", "http://x.gov.cn/a.html", "2020-01-15"),
                     ("某局2018年政府信息公开工作年度报告", "http://x.gov.cn/b.html", None)]


def test_a_crawl_keeps_the_list_date_and_timeliness_falls_back_on_it(crawled, tmp_path):
    """Every report the sample portal lists with a date gets it; a report whose
    text states no date is dated by its list in the timeliness view, which says so."""
    from publish.prepare import prepare

    db = crawled.copy_to(tmp_path)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT url, list_date FROM reports").fetchall()
    assert rows and all(d for _, d in rows), rows  # the TRS sample site shows a date beside every entry
    for url, date in rows:  # the TRS URL's tYYYYMMDD_ is the date the portal put it up: the list shows that date
        stamp = url.rsplit("/t", 1)[-1][:8]
        if stamp.isdigit():
            assert date == f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}", (url, date)
    undated = conn.execute("SELECT id, list_date FROM reports WHERE parse_status = 'ok' LIMIT 1").fetchone()
    conn.execute("UPDATE reports SET published = NULL, published_from = NULL WHERE id = ?", [undated[0]])
    conn.commit()
    conn.close()
    prepare(db, tmp_path / "archive")
    conn = sqlite3.connect(db)
    published, source = conn.execute("SELECT published, published_from FROM timeliness WHERE report_id = ?",
                                     [undated[0]]).fetchone()
    own = conn.execute("SELECT count(*) FROM timeliness t JOIN reports r ON r.id = t.report_id "
                       "WHERE r.published IS NOT NULL AND (t.published != r.published OR t.published_from = 'list')"
                       ).fetchone()[0]
    conn.close()
    assert (published, source) == (undated[1], "list")
    assert own == 0  # a report's own date always comes first
