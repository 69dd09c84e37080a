"""The spider's decisions, on real titles and real TRS pager scripts."""

import pytest

from crawler.families.trs import find_pager
from crawler.links import same_site, site_domain
from crawler.titles import is_annual_report_title, is_disclosure_nav_text, is_report_column_text


@pytest.mark.parametrize(
    "title",
    [
        "威海市文登区泽库镇2018年度政府信息公开工作年度报告",
        "蛟河市漂河镇 2018年政府信息公开工作 年度报告",
        "莱阳市河洛镇 2017 年度政府信息公开工作 年度报告",
        "上海市人民政府办公厅2021年政府信息公开工作年度报告",
        "2019年政府信息公开年报",
        "文登区教育局2022年度政务公开工作年度报告",
        "2010年度政府信息公开工作报告",
    ],
)
def test_annual_report_titles(title):
    assert is_annual_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "关于印发2023年政务公开工作要点的通知",
        "政府信息公开指南",
        "政府信息公开制度",
        "郸城县2021年度政府信息公开工作年度报告审查情况通报",
        "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
        "《2022年政府信息公开工作年度报告》解读",
        "图解：威海市文登区人民政府办公室2022年政府信息公开工作年度报告",
        "2023年财政预算公开",
        # the instructions and forms that come with the reports (real distractors of 年报 columns)
        "2020年政府信息公开工作年度报告统计数据填报说明",
        "2021年政府信息公开工作年度报告编制说明",
        "政府信息公开工作年度报告格式模板（2021年版）填报说明",
        "2022年度政府信息公开工作年度报告报表",
        "关于2023年政府信息公开工作年度报告有关事项的通知",
        "2024年政务公开工作要点",
        "某县2023年政务公开工作要点及政府信息公开年度报告工作安排",
        "2021年度政府网站年度工作报表",
        "",
        "政府信息公开年报",
        None,
    ],
)
def test_not_annual_report_titles(title):
    assert not is_annual_report_title(title)


def test_every_real_report_title_stays_a_report():
    """The titles of the real reports of tests/gold (as their portals list them,
    spaces, 2018 年, 关于报送…的函 and all) are all taken: the distractor words
    (填报, 说明, 报表 …) lose none of them."""
    from pathlib import Path

    import yaml

    gold = Path(__file__).parent / "gold"
    titles = [yaml.safe_load(f.read_text(encoding="utf-8")).get("report")
              for f in sorted(gold.glob("*.gold.yaml")) + sorted((gold / "real").glob("*.gold.yaml"))]
    titles = [str(t) for t in titles if t]
    assert len(titles) >= 40
    assert [t for t in titles if not is_annual_report_title(t)] == []


def test_column_and_navigation_texts():
    assert is_report_column_text("政府信息公开年报")
    assert is_report_column_text(" 年度报告 ")
    assert not is_report_column_text("2018年政府信息公开工作年度报告")
    assert is_disclosure_nav_text("政府信息公开")
    assert not is_disclosure_nav_text("政府信息公开指南")


@pytest.mark.parametrize(
    "script, expected",
    [
        ('createPageHTML(3, 0, "index", "htm");', (3, 0, "index", "htm")),
        ("createPageHTML('page_div',5, 1,'index','shtml',132);", (5, 1, "index", "shtml")),
        (
            "var currentPage = 0;//所在页从0开始\nvar countPage = 7//共多少页\n"
            'createPageHTML(countPage, currentPage, "index", "html");',
            (7, 0, "index", "html"),
        ),
    ],
)
def test_trs_pager(script, expected):
    pager = find_pager(f"<html><script>{script}</script></html>")
    assert (pager.count, pager.current, pager.prefix, pager.suffix) == expected


def test_trs_pager_urls():
    pager = find_pager('createPageHTML(3, 0, "index", "htm");')
    assert pager.urls("http://x.gov.cn/xxgk/nb/index.htm") == [
        "http://x.gov.cn/xxgk/nb/index_1.htm",
        "http://x.gov.cn/xxgk/nb/index_2.htm",
    ]
    assert pager.urls("http://x.gov.cn/xxgk/nb/", limit=2) == ["http://x.gov.cn/xxgk/nb/index_1.htm"]
    assert find_pager("<p>no pager</p>") is None


def test_site_domain():
    assert site_domain("http://xxgk.wendeng.gov.cn/col/index.html") == "wendeng.gov.cn"
    assert site_domain("http://www.jlcity.gov.cn/") == "jlcity.gov.cn"
    assert site_domain("http://127.0.0.1:8800/") == "127.0.0.1"
    assert same_site("http://www.wendeng.gov.cn/x", "wendeng.gov.cn")
    assert not same_site("http://www.gov.cn/x", "wendeng.gov.cn")
    assert not same_site("http://evilwendeng.gov.cn/", "wendeng.gov.cn")


def test_registry_has_every_province_and_the_seed_portals():
    from crawler.sites import load_sites

    sites = load_sites()
    assert len(sites) >= 30
    provinces = {s.province for s in sites}
    assert len(provinces - {"全国"}) == 31
    urls = {s.start_url for s in sites}
    assert {"http://xxgk.wendeng.gov.cn/", "http://www.wendeng.gov.cn/", "http://www.jlcity.gov.cn/",
            "http://xxgk.jiaohe.gov.cn/"} <= urls
    assert all(s.verified is False and s.source for s in sites)  # nothing checked from here


def test_registry_errors_name_the_file_and_entry(tmp_path):
    from crawler.sites import RegistryError, load_sites

    bad = tmp_path / "sites.yaml"
    bad.write_text("sites:\n  - name: x\n    start_url: ftp://x.gov.cn/\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"sites.yaml: entry 'x': start_url is not http"):
        load_sites(bad)


def test_per_site_politeness_from_the_registry():
    from crawler.sites import Site
    from crawler.sites import apply_site_settings
    from xxgk.crawl_runner import project_settings

    settings = project_settings("x.db", "archive")
    apply_site_settings(settings, Site(name="s", start_url="http://x.gov.cn/", download_delay=3.0, concurrency=1))
    assert settings.getfloat("DOWNLOAD_DELAY") == 3.0 and settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    cmdline = project_settings("x.db", "archive", {"DOWNLOAD_DELAY": "0"})
    apply_site_settings(cmdline, Site(name="s", start_url="http://x.gov.cn/", download_delay=3.0))
    assert cmdline.getfloat("DOWNLOAD_DELAY") == 0  # the command line wins


@pytest.mark.parametrize(
    "header, name",
    [
        (b'attachment; filename="' + "文登区2022年报.pdf".encode("gbk") + b'"', "文登区2022年报.pdf"),
        (b"attachment; filename*=UTF-8''%E6%96%87%E7%99%BB.docx", "文登.docx"),
        (b"attachment;filename=%E6%96%87%E7%99%BB.xlsx", "文登.xlsx"),
        (b'attachment; filename="' + "年报.doc".encode("utf-8") + b'"', "年报.doc"),
    ],
)
def test_content_disposition_filenames(header, name):
    from crawler.attachments import filename_from_disposition

    assert filename_from_disposition(header) == name


def test_hostile_filenames_lose_their_paths():
    from crawler.attachments import safe_display_name

    assert safe_display_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_display_name("a/b\\c:d.docx") == "cd.docx"


def test_numbered_pager_is_planned_whole_from_its_last_page():
    from crawler.families.pager import numbered_pages, pager_links
    from crawler.links import Link

    base = "http://x.gov.cn/xxgk/ndbg/list.html?page=1"
    links = [
        Link("http://x.gov.cn/xxgk/ndbg/list.html?page=2", "2"),
        Link("http://x.gov.cn/xxgk/ndbg/list.html?page=3", "下一页"),
        Link("http://x.gov.cn/xxgk/ndbg/list.html?page=40", "尾页"),
        Link("http://x.gov.cn/xxgk/show.asp?id=2", "2"),  # an article numbered 2, in another folder
    ]
    linked = pager_links(base, links)
    assert "http://x.gov.cn/xxgk/show.asp?id=2" not in linked
    pages = numbered_pages(base, linked, limit=500)
    assert pages[0].endswith("page=2") and pages[-1].endswith("page=40") and len(pages) == 39
    assert len(numbered_pages(base, linked, limit=10)) == 9
    assert numbered_pages(base, [], limit=10) == []


# ---------------------------------------------------------------------------------
# Soft 404s

def test_soft_404_told_by_the_page_a_missing_url_gets():
    from pathlib import Path

    from crawler import soft404

    missing = ("<html><head><title>提示信息</title></head><body><div class=nav>首页 政务公开</div>"
               "<p>对不起，您访问的内容暂时无法显示，请返回首页。错误代码 {n}</p><p>/xxgk/{n}.html</p></body></html>")
    probe = soft404.page_text(missing.format(n="xxgk-archive-no-such-page-1a2b"), drop="xxgk-archive-no-such-page-1a2b")
    assert soft404.is_soft_404(missing.format(n="t20240308_87885"), probe)  # numbers aside, the same page
    real = Path(__file__).parent / "gold" / "real"
    for page in sorted(real.glob("*.html"))[:5]:  # real report pages are never taken for it
        assert not soft404.is_soft_404(page.read_text(encoding="utf-8", errors="replace"), probe), page.name


def test_soft_404_told_by_a_short_not_found_notice():
    from crawler import soft404

    assert soft404.is_soft_404("<html><title>404页面不存在</title><body>页面不存在，3秒后返回首页</body></html>", None)
    # a long report that mentions 页面不存在 in passing is a report
    report = "<html><body>" + "全年主动公开政府信息1234条。" * 60 + "个别链接页面不存在的问题已整改。</body></html>"
    assert not soft404.is_soft_404(report, None)


def test_a_page_window_stops_pages_ahead_of_the_last_page_with_reports():
    from crawler.paging import PageWindow

    window = PageWindow([f"p{i}" for i in range(2, 100_002)], ahead=3)
    assert [url for _, url in window.take()] == ["p2", "p3", "p4"]
    assert window.take() == []  # nothing more until a page comes back
    window.seen(1, True)  # p3 listed reports: up to 3 pages past it
    assert [url for _, url in window.take()] == ["p5", "p6"]
    for index in (0, 2, 3, 4):  # the rest came back empty
        window.seen(index, False)
    assert window.take() == []
    assert window.sent == 5 and window.remaining == 99_995


def test_a_link_chain_follows_pager_links_while_pages_list_reports():
    from crawler.paging import LinkChain

    chain = LinkChain(ahead=2)
    sent = 0
    while chain.may_send():  # a calendar: every page links more pages, none lists a report
        chain.sent()
        sent += 1
        chain.seen(False)
    assert sent == 2
    chain.seen(True)  # a page of the chain listed a report: two more may go
    assert chain.may_send()


def test_a_body_cut_short_says_whether_the_connection_was_reset_or_closed():
    from scrapy.exceptions import ResponseDataLossError
    from twisted.internet.error import ConnectionDone, ConnectionLost
    from twisted.python.failure import Failure
    from twisted.web._newclient import ResponseFailed
    from twisted.web.http import _DataLoss

    from crawler.failures import describe

    def cut(ending) -> tuple[str, str]:
        exc = ResponseDataLossError()
        exc.__cause__ = ResponseFailed([Failure(ending), Failure(_DataLoss())])
        return describe(exc)

    assert cut(ConnectionLost())[0] == "connection_reset" and "reset" in cut(ConnectionLost())[1]
    assert cut(ConnectionDone())[0] == "truncated" and "Content-Length" in cut(ConnectionDone())[1]


def test_an_anti_bot_challenge_is_told_by_its_structure():
    from crawler.antibot import challenge
    from sample_portal.families.hostile import ANTI_BOT_PAGE

    assert "JavaScript challenge" in challenge(412, ANTI_BOT_PAGE) and "瑞数" in challenge(412, ANTI_BOT_PAGE)
    unnamed = b"<html><head><script>document.cookie='k=1';location.reload()</script></head><body></body></html>"
    assert challenge(521, unnamed).startswith("HTTP 521 with a JavaScript challenge: an anti-bot wall answers")
    assert challenge(200, ANTI_BOT_PAGE) is None  # a 200 is the page
    error_page = ("<html><head><script src='/a.js'></script></head><body><h1>403 Forbidden</h1><p>"
                  + "您访问的页面因权限设置无法显示，请联系网站管理员或返回首页继续浏览本站的其他信息公开内容。" * 4
                  + "</p></body></html>").encode()
    assert challenge(403, error_page) is None  # an error page a person reads


def test_a_report_pages_body_images_are_its_pictures_not_the_sites_chrome():
    """A real report page (平潭 2023, 12 images of logos, banners, QR codes and footer
    icons) with its first table replaced by a screenshot of it, as township portals
    publish them: only the screenshot is the report's."""
    import re
    from pathlib import Path

    from scrapy.http import HtmlResponse

    from crawler.images import body_images

    page = (Path(__file__).parent / "gold" / "real" / "pingtan-syq-2023.html").read_text(encoding="utf-8")
    as_picture = re.sub(r"<table.*?</table>", '<p><img src="W020240118598212345678.png" alt="工作簿1_Sheet1(1)" '
                        'width="900" height="1200"></p>', page, count=1, flags=re.S)
    url = "https://www.pingtan.gov.cn/jhtml/ct/ct_1203_1080123"
    response = HtmlResponse(url=url, body=as_picture.encode("utf-8"), encoding="utf-8")
    assert len(response.xpath("//img")) == 13
    found = body_images(response, limit=30)
    assert [(link.url, link.text) for link in found] == [
        ("https://www.pingtan.gov.cn/jhtml/ct/W020240118598212345678.png", "工作簿1_Sheet1(1)")]
    assert body_images(HtmlResponse(url=url, body=page.encode("utf-8"), encoding="utf-8"), limit=30) == []
    assert body_images(response, limit=0) == []


def test_a_page_that_is_all_pictures_keeps_them_all_but_its_logo():
    from scrapy.http import HtmlResponse

    from crawler.images import body_images

    page = ('<html><body><div class="logo"><img src="/images/logo.png"></div><h1>某镇2023年政府信息公开工作年度报告</h1>'
            '<div class="content"><p><img src="/u/1.jpg"></p><p><img src="/u/2.jpg"></p>'
            '<p><img src="/u/3.jpg" width="16"></p></div></body></html>')
    response = HtmlResponse(url="http://x.gov.cn/a/b.html", body=page.encode("utf-8"), encoding="utf-8")
    assert [link.url for link in body_images(response, limit=30)] == ["http://x.gov.cn/u/1.jpg", "http://x.gov.cn/u/2.jpg"]
    assert len(body_images(response, limit=1)) == 1
