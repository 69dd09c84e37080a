"""Title, agency, year and date finding on small texts."""

import pytest

from parse.dates import date_only, parse_date
from parse.document import PageMeta
from parse.metadata import (
    analyse_agency,
    analyse_year,
    clean_page_title,
    find_agency,
    find_published,
    find_published_from,
    find_signature,
    find_title,
    find_year,
    same_body,
    title_subject,
)


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2019-01-11", "2019-01-11"),
        ("2019/1/11 09:30", "2019-01-11"),
        ("2019.01.11", "2019-01-11"),
        ("2019-01-25-09:12:07", "2019-01-25"),
        ("20190111", "2019-01-11"),
        ("（2019年1月11日）", "2019-01-11"),
        ("2018 年 1 月 27 日", "2018-01-27"),
        ("二〇一九年一月十一日", "2019-01-11"),
        ("二○一八年十二月三十一日", "2018-12-31"),
        ("２０１９年１月２０日", "2019-01-20"),
        ("2019-02-30", None),
        ("", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_date_only():
    assert date_only("2018年1月27日") == "2018-01-27"
    assert date_only("（2019年1月11日）") == "2019-01-11"
    assert date_only("2018年1月27日召开会议") is None


@pytest.mark.parametrize(
    "title, year",
    [
        ("威海市文登区泽库镇2018年度政府信息公开工作年度报告", 2018),
        ("莱阳市河洛镇 2017 年度政府信息公开工作 年度报告", 2017),
        ("某县二〇一八年政府信息公开工作年度报告", 2018),
        ("某县２０１６年政府信息公开工作年度报告", 2016),
    ],
)
def test_year_from_title(title, year):
    result = analyse_year("", title)
    assert (result.year, result.source) == (year, "title")


def test_year_from_statistics_period_when_title_has_none():
    text = "本报告中所列数据的统计时限自2019年1月1日起至2019年12月31日止。2020年，我局将继续努力。"
    result = analyse_year(text, "某局政府信息公开工作年度报告")
    assert (result.year, result.source, result.warnings) == (2019, "period", [])


def test_year_conflict_between_title_and_period():
    text = "本报告中所列数据的统计期限自2017年1月1日起至2017年12月31日止。"
    result = analyse_year(text, "某镇2018年政府信息公开工作年度报告")
    assert result.year == 2018
    (w,) = result.warnings
    assert w.code == "year_conflict"
    assert w.detail["conflicting"][0]["kind"] == "period"


def test_year_inferred_from_mentions():
    text = "现公布某镇2016年政府信息公开工作年度报告。2016年，我镇主动公开信息20条。"
    result = analyse_year(text, None)
    assert result.year == 2016
    assert [w.code for w in result.warnings] == ["year_inferred"]


def test_no_year():
    result = analyse_year("我镇主动公开政府信息若干条。", "年度报告")
    assert result.year is None and [w.code for w in result.warnings] == ["year_missing"]
    assert find_year("我镇主动公开政府信息若干条。") is None


def test_plan_for_next_year_is_not_a_conflict():
    text = "2018年，主动公开政府信息204条。2019年将重点从三方面做好政府信息公开工作：加强培训。"
    assert analyse_year(text, "泽库镇2018年度政府信息公开工作年度报告").warnings == []


def test_title_from_text_lines():
    text = "\n 威海市文登区泽库镇2018年度\n政府信息公开工作年度报告\n\n本报告中所列数据的统计时限自2018年1月1日起。"
    assert find_title(text) == "威海市文登区泽库镇2018年度政府信息公开工作年度报告"


def test_title_prefers_page_metadata():
    page = PageMeta(title="X县2019年报告_X县人民政府", h1="X县2019年政府信息公开工作年度报告", meta={"articletitle": "X县政府2019年政府信息公开工作年度报告"})
    assert find_title("", page) == "X县政府2019年政府信息公开工作年度报告"
    page.meta.clear()
    assert find_title("", page) == "X县2019年政府信息公开工作年度报告"
    page.h1 = None
    assert find_title("正文。", page) == "X县2019年报告"


def test_clean_page_title():
    assert clean_page_title("夏村镇2018年政府信息公开工作年度报告_乳山市人民政府") == "夏村镇2018年政府信息公开工作年度报告"
    assert clean_page_title("首页 | 某县2019年政府信息公开工作年度报告") == "某县2019年政府信息公开工作年度报告"
    assert clean_page_title("某县2019-2020年度报告") == "某县2019-2020年度报告"


@pytest.mark.parametrize(
    "title, subject",
    [
        ("威海市文登区泽库镇2018年度政府信息公开工作年度报告", "威海市文登区泽库镇"),
        ("2018年度威海市财政局政府信息公开工作年度报告", "威海市财政局"),
        ("关于公布某县民政局2019年政府信息公开工作年度报告", "某县民政局"),
        ("泽库镇政府信息公开工作年度报告", "泽库镇"),
        ("2018年政府信息公开工作年度报告", None),
    ],
)
def test_title_subject(title, subject):
    assert title_subject(title) == subject


def test_agency_takes_government_suffix_from_text():
    text = "如对本报告有疑问，请与威海市文登区泽库镇人民政府党政办联系。泽库镇政府信息公开工作……"
    assert find_agency(text, "威海市文登区泽库镇2018年度政府信息公开工作年度报告") == "威海市文登区泽库镇人民政府"


def test_agency_does_not_read_zhengfu_xinxi_as_a_government():
    text = "2018年，古镛镇政府信息公开工作在县委、县政府领导下开展。"
    assert find_agency(text, "古镛镇2018年政府信息公开工作年度报告") == "古镛镇"


def test_agency_from_signature_combined_with_title():
    text = "正文第一段。\n正文第二段。\n河洛镇人民政府\n2018年1月27日\n"
    assert find_agency(text, "莱阳市河洛镇 2017 年度政府信息公开工作 年度报告") == "莱阳市河洛镇人民政府"
    assert find_published(text) == "2018-01-27"


def test_agency_from_signature_alone():
    text = "正文第一段。\n正文第二段。\n某县民政局\n二〇二〇年一月十四日\n"
    result = analyse_agency(text, None)
    assert (result.agency, result.source) == ("某县民政局", "signature")
    assert find_signature(text).date == "2020-01-14"


def test_explicit_page_agency_wins_and_conflict_is_reported():
    page = PageMeta(fields={"发布机构": "威海市文登区人民政府办公室"})
    result = analyse_agency("", "威海市文登区泽库镇2018年度政府信息公开工作年度报告", page)
    assert result.agency == "威海市文登区人民政府办公室"
    assert [w.code for w in result.warnings] == ["agency_conflict"]


def test_weak_page_agency_only_completes_the_title():
    page = PageMeta(meta={"contentsource": "本网"}, fields={"来源": "辽宁路街道"})
    assert find_agency("", "辽宁路街道2021年政府信息公开工作年度报告", page) == "辽宁路街道"
    page = PageMeta(meta={"contentsource": "青岛市市北区辽宁路街道办事处"})
    assert find_agency("", "辽宁路街道2021年政府信息公开工作年度报告", page) == "青岛市市北区辽宁路街道办事处"
    page = PageMeta(meta={"contentsource": "某区人民政府"})
    assert find_agency("", "辽宁路街道2021年政府信息公开工作年度报告", page) == "辽宁路街道"


def test_same_body():
    assert same_body("泽库镇人民政府", "威海市文登区泽库镇人民政府")
    assert same_body("青岛市市北区人民政府辽宁路街道办事处", "青岛市市北区辽宁路街道办事处")
    assert same_body("县民政局", "五莲县民政局")
    assert not same_body("水泊镇", "大水泊镇")
    assert not same_body("威海市财政局", "文登区财政局")


def test_published_order():
    text = "正文。\n正文。\n某镇人民政府\n2019年1月22日"
    page = PageMeta(meta={"pubdate": "2019-01-25 09:12"}, fields={"发文日期": "2019-01-24", "成文日期": "2019-01-20"})
    assert find_published(text, page) == "2019-01-24"
    del page.fields["发文日期"]
    assert find_published(text, page) == "2019-01-25"
    page.meta.clear()
    assert find_published(text, page) == "2019-01-20"
    assert find_published(text, None) == "2019-01-22"


def test_published_says_where_the_date_was_read():
    text = "正文。\n正文。\n某镇人民政府\n2019年1月22日"
    assert find_published_from(text, PageMeta(fields={"发文日期": "2019-01-24"})) == ("2019-01-24", "page")
    assert find_published_from(text, None) == ("2019-01-22", "signature")
    assert find_published_from("某镇2018年政府信息公开工作年度报告\n（2019年1月11日）\n正文。", None) == (
        "2019-01-11", "under_title")
    assert find_published_from("正文，没有日期。", None) == (None, None)


def test_published_from_bracketed_date_under_title():
    text = "某镇 2018年政府信息公开工作\n\n年度报告\n\n（2019年1月11日）\n\n正文。"
    assert find_published(text) == "2019-01-11"
    assert find_signature(text) is None


def test_signature_before_a_long_flattened_annex():
    annex = "".join(f"\t指标{i}\n\t条\n\t{i}\n\n" for i in range(40))
    text = "某镇2018年政府信息公开工作年度报告\n正文一。\n正文二。\n某镇人民政府\n2019年1月20日\n附表\n" + annex
    sig = find_signature(text)
    assert (sig.name, sig.date) == ("某镇人民政府", "2019-01-20")


# --- region: divisions renamed after cpca's data (县 → 市, 撤县设区)


def test_region_of_a_county_renamed_into_a_city():
    from parse.region import locate

    # cpca knows 宁乡县 (430124); it became the county-level city 宁乡市 in 2017.
    region, level = locate("宁乡市金湖街道办事处")
    assert region == {"province": "湖南省", "city": "长沙市", "county": "宁乡市", "township": "金湖街道",
                      "adcode": "430124"}
    assert level == "township"
    assert locate("湖南宁乡市教育局")[0]["county"] == "宁乡市"
    assert locate(None, "宁乡市金湖街道办事处2019年政府信息公开工作年度报告")[0]["county"] == "宁乡市"


def test_region_of_a_former_name_keeps_the_reports_wording():
    from parse.region import locate

    # 文登市 became 文登区 in 2014; cpca knows only 文登区.
    region, level = locate("文登市人民政府")
    assert (region["county"], region["city"], region["adcode"], level) == ("文登市", "威海市", "371003", "county")


def test_renamed_county_is_not_guessed():
    from parse.region import renamed_county

    assert renamed_county("宁乡县人民政府") is None  # known as it is
    assert renamed_county("吉林市人民政府") is None  # a prefecture-level city
    assert renamed_county("某某市民政局") is None  # no variant known
    assert renamed_county("开发区管委会") is None
    # the variant must lie in the province the name states
    assert renamed_county("宁乡市金湖街道", province="山东省") is None


def test_a_report_reposted_on_another_bodys_site_keeps_its_author():
    """内蒙古自治区's report re-posted on the 鄂尔多斯恩格贝 sub-site (see
    tests/fixtures/lists/ordos-egb-xxgknb-list.html): the site's 来源 / ContentSource
    name the re-posting body; the report is the autonomous region's, as its title
    and its 落款 say."""
    title = "内蒙古自治区2018年政府信息公开工作年度报告"
    text = (f"{title}\n本报告根据《中华人民共和国政府信息公开条例》要求，由内蒙古自治区人民政府办公厅编制。\n"
            "内蒙古自治区人民政府办公厅\n2019年3月29日\n")
    for page in (PageMeta(meta={"contentsource": "鄂尔多斯市恩格贝生态示范区管委会"}),
                 PageMeta(fields={"来源": "鄂尔多斯市恩格贝生态示范区"}), None):
        result = analyse_agency(text, title, page)
        assert result.agency.startswith("内蒙古自治区") and result.source == "title", page
        assert not result.warnings
    # a 发布机构 field naming the re-posting body still wins (the page's explicit word), and says it conflicts
    result = analyse_agency(text, title, PageMeta(fields={"发布机构": "鄂尔多斯市恩格贝生态示范区管委会"}))
    assert [w.code for w in result.warnings] == ["agency_conflict"]
    assert result.warnings[0].detail["title"].startswith("内蒙古自治区")
