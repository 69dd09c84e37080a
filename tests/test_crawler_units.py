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
        "",
        "政府信息公开年报",
        None,
    ],
)
def test_not_annual_report_titles(title):
    assert not is_annual_report_title(title)


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
