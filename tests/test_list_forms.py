"""Every real list form, on a saved page beside the test (city-scrapers style).

Real pages (tests/fixtures/lists/, with their .source.json): the 鄂尔多斯恩格贝
TRS column and the 定西 Hanweb datastore. The other forms are RECONSTRUCTIONS
(``*.reconstructed.*``, see tests/fixtures/lists/README.md). Every page is read
as a server sends it: what a browser's scripts drew is cut away first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.families import hanweb, jsonapi, trs
from crawler.links import anchor_link, page_links
from crawler.titles import is_annual_report_title

FIXTURES = Path(__file__).parent / "fixtures" / "lists"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def served(html: str) -> str:
    """The browser-saved ordos page as its server sends it: the pager the script
    wrote after ``</script>`` (共计 … 尾页 … GO) removed."""
    cut = re.sub(r"(</script>)共计.*?(\s*</td>)", r"\1\2", html, count=1, flags=re.S)
    assert cut != html
    return cut


def response(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8")


def reports(links) -> dict[str, tuple[str, str | None]]:
    """{url: (title, list date)} of the links that are annual reports."""
    return {link.url: (link.text, link.date) for link in links if is_annual_report_title(link.text)}


def snippet_links(records: list[str], base: str):
    from crawler.spiders.annual_reports import AnnualReportsSpider

    return AnnualReportsSpider._snippet_links(records, base)


# ------------------------------------------------------------------ TRS


def test_the_real_ordos_page_as_served_pages_by_its_countpage_script():
    """No pager link is in the page the server sends: the pages come from
    ``var currentPage = 0; var countPage = 2`` and the names the script writes."""
    url = "http://www.ordos.gov.cn/egb/xxgk/xxgknb/"
    html = served(read("ordos-egb-xxgknb-list.html"))
    page = response(url, html)
    assert not any(link.url.endswith("index_1.html") for link in page_links(page))
    pager = trs.find_pager(html)
    assert (pager.count, pager.current, pager.prefix, pager.suffix) == (2, 0, "index", "html")
    assert pager.urls(url) == ["http://www.ordos.gov.cn/egb/xxgk/xxgknb/index_1.html"]
    found = reports(page_links(page))
    assert sorted(title for title, _ in found.values()) == [
        "内蒙古自治区2018年政府信息公开工作年度报告",  # a provincial report re-posted on the district's site
        "鄂尔多斯市2018年政府信息公开年度报告",
        "鄂尔多斯市2019年政府信息公开工作年度报告",
        "鄂尔多斯市人民政府办公室2019年政府信息公开工作年度报告",
    ]
    assert all(date for _, date in found.values())


def test_the_spider_plans_the_ordos_pages_from_the_served_page():
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawler.spiders.annual_reports import AnnualReportsSpider

    url = "http://www.ordos.gov.cn/egb/xxgk/xxgknb/"
    crawler = get_crawler(AnnualReportsSpider, {"XXGK_DB": ":memory:"})
    spider = AnnualReportsSpider.from_crawler(crawler, start_url=url)
    if crawler.stats is None:
        crawler.stats = MemoryStatsCollector(crawler)
    out = list(spider.parse_page(response(url, served(read("ordos-egb-xxgknb-list.html"))), is_list=True))
    urls = [getattr(r, "url", None) for r in out]
    assert "http://www.ordos.gov.cn/egb/xxgk/xxgknb/index_1.html" in urls
    assert sum(1 for u in urls if u and re.search(r"/t2019053\d_|/t20200(903|311)_", u)) == 4


def test_trs_createpage_after_the_wcm_comment():
    url = "http://www.moushi.gov.cn/zwgk/xxgknb/"
    html = read("trs-wcm-createpage-list.reconstructed.html")
    pager = trs.find_pager(html)
    assert (pager.count, pager.current, pager.prefix, pager.suffix) == (34, 0, "index", "html")
    assert pager.urls(url, limit=3) == [url + "index_1.html", url + "index_2.html"]
    found = reports(page_links(response(url, html)))
    # the titles cut with ... are read from @title; the 填报说明 is no report
    assert sorted(t for t, _ in found.values()) == [
        "某市人民政府2023年政府信息公开工作年度报告", "某市卫生健康委员会2019年政府信息公开工作年度报告",
        "某市自然资源和规划局2023年政府信息公开工作年度报告"]
    assert found[url + "202001/t20200120_2990145.html"][1] == "2020-01-20"


def test_trs_pager_forms_and_what_is_no_pager():
    assert trs.find_pager('createPage(tableOptions, data);') is None
    assert trs.find_pager("<script>var countPage = 3;</script>") is None  # names no page
    written = ('var currentPage = 1;\nvar countPage = 4//共多少页\n'
               'document.write("<a href=\\"index"+"_" + i + "."+"shtml\\">"+(i+1)+"</a>");')
    pager = trs.find_pager(written)
    assert (pager.count, pager.current, pager.suffix) == (4, 1, "shtml")


def test_trs_list2_trsapi_column_is_paged_through_the_fujian_search_api():
    """10 of 20 reports on the page; the rest only through POST /fjdzapp/search."""
    url = "http://www.mouxian.gov.cn/zwgk/xxgknb/"
    html = read("trs-list2-trsapi-list.reconstructed.html")
    static = reports(page_links(response(url, html)))
    assert len(static) == 10
    endpoint = jsonapi.find_trsapi(html, url)
    assert endpoint.url == "http://www.mouxian.gov.cn/fjdzapp/search" and endpoint.method == "POST"
    assert endpoint.params == {"channelid": "229105", "classsql": "chnlid=1813",
                               "sortfield": "-docorderpri,-docreltime", "prepage": "10"}
    assert endpoint.last_page == 2 and endpoint.first_page == 1
    request = endpoint.request_args(2)
    assert request["method"] == "POST" and request["url"] == endpoint.url
    assert parse_qs(request["body"]) == {"channelid": ["229105"], "classsql": ["chnlid=1813"],
                                         "sortfield": ["-docorderpri,-docreltime"], "prepage": ["10"], "page": ["2"]}
    found, pages = jsonapi.entries(read("trs-fjdzapp-search-page2.reconstructed.json"), endpoint.url)
    assert pages == 2 and len(found) == 10
    assert all(is_annual_report_title(title) and date for title, _url, date in found)
    assert found[0][2] == "2022-01-16"  # docreltime
    assert len(set(static) | {u for _t, u, _d in found}) == 20
    # without SiteInfo.searchId the channel is unknown: no endpoint, not a guess
    assert jsonapi.find_trsapi(html.replace('searchId: "229105", ', ""), url) is None
    assert jsonapi.find_trsapi("<p>no script</p>", url) is None


# ------------------------------------------------------------------ Hanweb


def test_the_real_dingxi_datastore_is_all_distractors_with_full_titles_and_dates():
    base = "http://zwgk.dingxi.gov.cn/col/col12377/index.html"
    xml = read("dingxi-zwgk-jpage-datastore.xml")
    store = hanweb.find_datastore(xml, base)
    assert len(store.records) == 45
    assert store.proxy_url == "http://zwgk.dingxi.gov.cn/module/web/jpage/dataproxy.jsp"
    # the doubly URL-encoded webname is sent as the name itself; appid=1 given twice is one field
    assert store.form["webname"] == "定西市政府信息公开平台"
    assert {k: store.form[k] for k in ("appid", "webid", "columnid", "unitid")} == {
        "appid": "1", "webid": "110", "columnid": "12377", "unitid": "38486"}
    links = snippet_links(store.records, base)
    assert len(links) == 45
    assert not [link.text for link in links if is_annual_report_title(link.text)]  # 政府网站年度工作报表 among them
    cut = re.findall(r"title=\"([^\"]+)\">[^<]*\.\.\.</a>", xml)
    assert len(cut) >= 10 and not any(link.text.endswith("...") for link in links)
    assert set(cut) <= {link.text for link in links}  # the cut ones read from @title
    assert "http://zwgk.dingxi.gov.cn/art/2021/11/4/art_12480_1461862.html" in {link.url for link in links}
    # dates in <b>: a report's link of this form gets its date (a distractor's is not read)
    record = store.records[2].replace("2021年度政府网站年度工作报表", "定西市2021年政府信息公开工作年度报告")
    (link,) = snippet_links([record], base)
    assert is_annual_report_title(link.text) and link.date == "2022-01-14"


def test_hanweb_load_more_column_through_morecolumndataproxy():
    base = "http://www.mouxian.gov.cn/col/col8409/index.html"
    store = hanweb.find_datastore(read("hanweb-morecolumn-list.reconstructed.html"), base)
    assert store.proxy_url == "http://www.mouxian.gov.cn/module/web/jpage/morecolumndataproxy.jsp"
    assert store.form["columnid"] == "8409,8414" and store.form["webname"] == "某县人民政府"
    assert store.form["keyWordCount"] == "30" and (store.total, store.perpage) == (4, 2)
    assert hanweb.proxy_query(*hanweb.next_range(3, store.perpage), store.perpage) == \
        "startrecord=3&endrecord=8&perpage=2"
    inline = reports(snippet_links(store.records, base))
    records, total = hanweb.proxy_records(read("hanweb-morecolumn-answer.reconstructed.xml"))
    more = reports(snippet_links(records, base))
    assert total == 4 and len(inline) == 1 and len(more) == 2  # 工作要点 is no report
    assert {t for t, _ in more.values()} == {"某县市场监督管理局2022年政府信息公开工作年度报告",
                                             "某县医疗保障局2021年政府信息公开工作年度报告"}
    assert all(d for _, d in (inline | more).values())


def test_older_hanweb_jpage_with_table_row_records():
    base = "http://www.mouqu.gov.cn/col/col1234/index.html"
    store = hanweb.find_datastore(read("hanweb-jpage-old-list.reconstructed.html"), base)
    assert store.proxy_url == "http://www.mouqu.gov.cn/module/jslib/jquery/jpage/dataproxy.jsp"
    assert {k: store.form[k] for k in ("columnid", "unitid", "webid", "webname", "path")} == {
        "columnid": "1234", "unitid": "5678", "webid": "2", "webname": "某区人民政府", "path": "/"}
    assert (store.total, store.perpage, len(store.records)) == (4, 2, 2)
    inline = reports(snippet_links(store.records, base))
    assert list(inline.values()) == [("某区住房和城乡建设局2020年政府信息公开工作年度报告", "2021-01-28")]  # not the 编制说明
    records, _total = hanweb.proxy_records(read("hanweb-jpage-old-answer.reconstructed.xml"))
    assert sorted(reports(snippet_links(records, base)).values()) == [
        ("某区司法局2018年政府信息公开工作年度报告", "2019-03-25"), ("某区民政局2019年政府信息公开工作年度报告", "2020-01-20")]


def test_a_page_with_no_datastore_is_no_hanweb_list():
    assert hanweb.find_datastore("<script>$.ajax({url: '/api/list'})</script>", "http://x.gov.cn/") is None


# ------------------------------------------------------------------ Ucap, JSON POST


def test_ucap_page_whose_ucapcontent_is_the_list():
    url = "http://www.mouqu.gov.cn/mqu/zfxxgknb/index.shtml"
    found = reports(page_links(response(url, read("ucap-ndbg-list.reconstructed.html"))))
    assert sorted(found.values()) == [
        ("某区人民政府2020年政府信息公开工作年度报告", "2021-01-27"),  # cut, full in @title
        ("某区人民政府2022年政府信息公开工作年度报告", "2023-01-18"),
        ("某区人民政府2023年政府信息公开工作年度报告", "2024-01-19"),
    ]


def test_json_list_posted_with_a_channel_id_form():
    url = "http://www.mousheng.gov.cn/col/nb/index.html"
    endpoint = jsonapi.find_endpoint(read("getfilelist-list.reconstructed.html"), url)
    assert endpoint.url == "http://www.mousheng.gov.cn/getFileListByCodeId" and endpoint.method == "POST"
    assert endpoint.params == {"channelId": "c5aa3b8d7e6f40e1a2b3c4d5e6f70812", "pageNum": "1", "pageSize": "15"}
    request = endpoint.request_args(2)
    assert parse_qs(request["body"])["pageNum"] == ["2"] and request["url"] == endpoint.url
    found, pages = jsonapi.entries(read("getfilelist-answer.reconstructed.json"), endpoint.url)
    assert pages == 1
    assert [(t, d) for t, _u, d in found if is_annual_report_title(t)] == [
        ("某省税务局2023年政府信息公开工作年度报告", "2024-01-30"), ("某省税务局2020年政府信息公开工作年度报告", "2021-01-29")]
    assert found[0][1] == "http://www.mousheng.gov.cn/art/2024/1/30/art_5_31001.html"


def test_a_get_json_list_stays_a_get():
    html = 'axios.get("/api/content/list", {params: {channelId: 1234, pageNum: 1, pageSize: 10}})'
    endpoint = jsonapi.find_endpoint(html, "http://x.gov.cn/")
    assert endpoint.method == "GET" and endpoint.request_args(2) == {
        "url": "http://x.gov.cn/api/content/list?channelId=1234&pageNum=2&pageSize=10"}


# ------------------------------------------------------------------ titles cut with ...


@pytest.mark.parametrize("html, text", [
    ('<a href="a.html" title="某县2019年政府信息公开工作年度报告">某县2019年政府信息公开...</a>',
     "某县2019年政府信息公开工作年度报告"),
    ('<a href="a.html" title="某县2019年政府信息公开工作年度报告">某县2019年政府信息公开…</a>',
     "某县2019年政府信息公开工作年度报告"),
    ('<a href="a.html" title="详情">某县2019年政府信息公开工作年度报告</a>', "某县2019年政府信息公开工作年度报告"),
])
def test_a_cut_title_is_read_from_its_title_attribute(html, text):
    assert anchor_link(Selector(text=html).xpath("//a")[0], "http://x.gov.cn/").text == text
