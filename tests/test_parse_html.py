"""HTML report pages (fixtures under tests/fixtures/parse/, modelled on real portals)."""

from pathlib import Path

import pytest
import trafilatura

from parse.formats import html as html_reader
from parse.report import parse_document, parse_path
from seeds import seed_path

FIXTURES = Path(__file__).parent / "fixtures" / "parse"


# --- TRS page, GBK bytes, charset declared only by <meta> (as gb2312) -------------

@pytest.fixture(scope="module")
def trs():
    return parse_path(FIXTURES / "trs_gbk_2018.htm")


def test_trs_gbk_fixture_is_really_gbk():
    data = (FIXTURES / "trs_gbk_2018.htm").read_bytes()
    assert b"charset=gb2312" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_trs_gbk_metadata(trs):
    assert trs.title == "夏村镇2018年政府信息公开工作年度报告"  # ArticleTitle
    assert trs.agency == "乳山市夏村镇人民政府"  # 发布机构, not ContentSource 夏村镇
    assert trs.published == "2019-01-24"  # 发文日期 (PubDate says 01-25, the 落款 01-22)
    assert trs.year == 2018
    assert trs.format == "legacy-text"
    assert trs.region == {"province": "山东省", "city": "威海市", "county": "乳山市", "township": "夏村镇", "adcode": "371083"}
    assert trs.admin_level == "township"
    assert trs.warnings == []


def test_trs_gbk_text_intact(trs):
    # 堃 and 镕 are GBK but not GB2312: the gb2312 label must be read as GB18030.
    assert "联系人：王堃" in trs.text
    assert "乳山市夏村镇镕城路16号" in trs.text
    assert "０６３１－６６５１００１" in trs.text  # full-width digits kept as written
    assert "\ufffd" not in trs.text
    # Headings survive, chrome does not.
    for heading in ("一、概述", "二、主动公开政府信息情况", "六、存在的主要问题及改进措施"):
        assert f"\n{heading}\n" in trs.text
    for chrome in ("网站首页", "打印本页", "政府网站找错", "window.print", "TRS_Editor P"):
        assert chrome not in trs.text
    # The metadata block is not a report table.
    assert trs.tables == []


def test_trs_gbk_page_metadata_block():
    doc = html_reader.extract((FIXTURES / "trs_gbk_2018.htm").read_bytes(), name="trs_gbk_2018.htm")
    assert doc.encoding == "gb18030"
    fields = doc.page.fields
    assert fields["索引号"] == "11371083004361215C/2019-00016"
    assert fields["发布机构"] == "乳山市夏村镇人民政府"
    assert fields["发文日期"] == "2019-01-24"
    assert fields["标题"] == "夏村镇2018年政府信息公开工作年度报告"
    assert "文号" not in fields  # empty value (&nbsp;)
    assert doc.page.meta_value("ContentSource") == "夏村镇"
    assert doc.page.meta_value("PubDate") == "2019-01-25 09:12:07"


# --- 2021 template, tables with rowspan/colspan ---------------------------------

@pytest.fixture(scope="module")
def t2021():
    return parse_path(FIXTURES / "template_2021.html")


def test_2021_metadata(t2021):
    assert t2021.title == "青岛市市北区辽宁路街道办事处2021年政府信息公开工作年度报告"
    # 发布机构 as listed (the formal name of the same body as the title's).
    assert t2021.agency == "青岛市市北区人民政府辽宁路街道办事处"
    assert t2021.published == "2022-01-28"  # 发布日期 (成文日期 is 01-26)
    assert t2021.year == 2021
    assert t2021.format == "2021-template"
    assert t2021.warnings == []


def test_2021_tables_replaced_by_markers_in_text(t2021):
    assert len(t2021.tables) == 3
    assert "二、主动公开政府信息情况\n[table: 1]\n三、收到和处理政府信息公开申请情况\n[table: 2]\n" in t2021.text
    assert "本年制发件数" not in t2021.text  # no table residue in the text


def test_2021_table_three_grid(t2021):
    grid = t2021.tables[1]
    assert grid.context == "三、收到和处理政府信息公开申请情况"
    assert (grid.n_rows, grid.n_cols) == (28, 10)
    # Header: the 勾稽关系 note spans 3x3; 申请人情况 spans 7 columns.
    assert grid.row(2)[3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert grid.cell(2, 3) == "自然人" and grid.origin(2, 3) == (1, 3)  # rowspan=2
    assert grid.cell(1, 5) == "法人或其他组织" and grid.origin(1, 5) == (1, 4)  # colspan=5
    assert grid.cell(0, 9) == "申请人情况" and grid.is_span_copy(0, 9)
    # 一、本年新收… spans the three label columns.
    assert grid.row(3) == ["一、本年新收政府信息公开申请数量"] * 3 + ["12", "2", "0", "0", "1", "0", "15"]
    assert grid.is_span_copy(3, 2) and not grid.is_span_copy(3, 0)
    # The 1.属于国家秘密 row: parent label （三）不予公开 and 三、本年度办理结果 carried down.
    (r, c) = grid.find("1.属于国家秘密")[0]
    assert c == 2
    assert grid.cell(r, 1) == "（三）不予公开" and not grid.is_span_copy(r, 1)
    assert grid.cell(r, 0) == "三、本年度办理结果" and grid.is_span_copy(r, 0)
    assert grid.origin(r, 0) == (5, 0)
    # Eight rows later, still inside both spans.
    r8 = grid.find("8.属于行政查询事项")[0][0]
    assert r8 == r + 7
    assert grid.cell(r8, 1) == "（三）不予公开" and grid.origin(r8, 1) == (r, 1)
    # The 2021 split of （六）其他处理.
    r6 = grid.find("1.申请人无正当理由逾期不补正")[0][0]
    assert grid.cell(r6, 1) == "（六）其他处理"
    assert grid.cell(r6 + 2, 2) == "3.其他"
    # （七）总计 spans two label columns; 四、结转… three; 三、本年度办理结果 covers 22 rows.
    total = grid.find("（七）总计")[0][0]
    assert grid.row(total) == ["三、本年度办理结果", "（七）总计", "（七）总计", "13", "2", "0", "0", "1", "0", "16"]
    assert grid.row(total + 1)[:3] == ["四、结转下年度继续办理"] * 3
    assert sum(1 for row in grid.rows if row[0] == "三、本年度办理结果") == 22


def test_2021_table_two_and_four_grids(t2021):
    two, _, four = t2021.tables
    assert two.row(1) == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert two.row(3) == ["行政规范性文件", "3", "1", "12"]
    assert two.row(6) == ["行政许可", "1,286", "1,286", "1,286"]  # colspan=3 value
    assert two.is_span_copy(6, 2)
    assert four.n_cols == 15
    assert four.row(1)[5] == "未经复议直接起诉" and four.row(1)[10] == "复议后起诉"
    assert four.row(2)[:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert four.row(3)[8:10] == ["1", "1"]


# --- 2019 template, Word export inside layout tables, GBK from the HTTP header ----

@pytest.fixture(scope="module")
def t2019():
    data = (FIXTURES / "template_2019_layout.htm").read_bytes()
    return parse_document(
        data,
        name="http://www.wulian.gov.cn/art/2020/1/15/art_1234_5678.html",
        content_type="text/html; charset=GBK",
    )


def test_2019_metadata(t2019):
    assert t2019.title == "五莲县民政局2019年政府信息公开工作年度报告"  # <title> without " - 五莲县人民政府"
    assert t2019.agency == "五莲县民政局"
    assert t2019.published == "2020-01-15"  # 发布时间 in the info line
    assert t2019.year == 2019
    assert t2019.format == "2019-template"
    assert (t2019.region["county"], t2019.admin_level) == ("五莲县", "department")  # a bureau of the county
    # Metadata is clean; the one blank 行政强制 cell is reported by figure extraction.
    assert [w.code for w in t2019.warnings] == ["blank_cells"]


def test_2019_encoding_detected_without_declaration():
    data = (FIXTURES / "template_2019_layout.htm").read_bytes()
    report = parse_document(data, name="template_2019_layout.htm")
    assert report.title == "五莲县民政局2019年政府信息公开工作年度报告"
    assert "\ufffd" not in report.text


def test_2019_layout_tables_are_not_report_tables(t2019):
    # Layout tables (nav, wrapper, footer) are dropped; the three data tables stay.
    assert [g.context for g in t2019.tables] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_2019_table_two_grid(t2019):
    two = t2019.tables[0]
    assert two.n_cols == 4 and two.n_rows == 18  # Word's empty spacer row dropped
    assert two.row(1) == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert two.row(5) == ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]
    assert two.row(6) == ["行政许可", "14", "+2", "361"]
    assert two.row(10) == ["行政处罚", "23", "-1", "5"]
    assert two.row(11) == ["行政强制", "3", "0", ""]  # an empty (&nbsp;) cell stays empty
    assert two.row(14) == ["行政事业性收费", "1", "0", "0"] and two.is_span_copy(14, 3)
    assert two.row(17) == ["政府集中采购", "4", "36.8万元", "36.8万元"]


def test_2019_table_three_has_single_other_row(t2019):
    three = t2019.tables[1]
    r = three.find("（六）其他处理")[0][0]
    assert three.row(r)[:3] == ["三、本年度办理结果", "（六）其他处理", "（六）其他处理"]
    assert not three.find("逾期不补正")


def test_layout_table_page_keeps_headings(t2019):
    # Why include_tables=False: with tables on, trafilatura reads the layout table
    # as data and merges the headings into one cell.
    html = (FIXTURES / "template_2019_layout.htm").read_bytes().decode("gbk")
    with_tables = trafilatura.extract(html, include_tables=True, favor_recall=True)
    assert "\n二、主动公开政府信息情况\n" not in with_tables
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "五、存在的主要问题及改进情况"):
        assert f"\n{heading}\n" in t2019.text
    assert t2019.text.endswith("五莲县民政局\n2020年1月14日")


# --- tables shipped as images (the HTML form of seed 002) -------------------------

def test_tables_as_images_html():
    url = "http://www.wendeng.gov.cn/art/2023/1/19/art_32548_3301234.html"
    report = parse_document((FIXTURES / "images_2022.html").read_bytes(), name=url)
    assert report.title == "威海市文登区大水泊镇人民政府2022年政府信息公开工作年度报告"
    # ContentSource/来源 name the portal's owner, not the reporting body.
    assert report.agency == "威海市文登区大水泊镇人民政府"
    assert report.published == "2023-01-19"
    assert report.format == "2021-template"
    (warning,) = [w for w in report.warnings if w.code == "tables_as_images"]
    assert [i["src"] for i in warning.detail["images"]] == [
        "./W020230119563412345001.png",
        "./W020230119563412345002.png",
        "./W020230119563412345003.png",
    ]
    assert warning.detail["images"][0]["url"] == "http://www.wendeng.gov.cn/art/2023/1/19/W020230119563412345001.png"
    # All content images are listed (the chart too), chrome images are not.
    assert len(report.images) == 4
    assert not any("jiucuo" in (i.src or "") or "banner" in (i.src or "") for i in report.images)


def test_html_sniffed_without_extension():
    data = (FIXTURES / "template_2021.html").read_bytes()
    report = parse_document(data, name="http://example.gov.cn/content?id=12345")
    assert report.format == "2021-template"


def test_html_in_xml_declaration_and_explicit_encoding():
    body = (
        '<?xml version="1.0" encoding="gb2312"?>\n<html><head><title>某县2020年政府信息公开工作年度报告</title></head>'
        "<body><p>本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。本年度共收到政府信息公开申请3件，均已办结。</p></body></html>"
    ).encode("gb18030")
    report = parse_document(body, name="a.html", declared_encoding="gbk")
    assert report.title == "某县2020年政府信息公开工作年度报告"
    assert report.year == 2020


def test_data_table_cells_are_not_page_metadata():
    page = (
        "<html><head><title>某县2018年政府信息公开工作年度报告</title></head><body>"
        "<p>2018年，我县主动公开政府信息120条，受理政府信息公开申请5件，全部按期答复。</p>"
        "<table><tr><td>名称</td><td>单位</td><td>数量</td></tr><tr><td>主动公开政府信息数</td><td>条</td><td>120</td></tr>"
        "<tr><td>受理政府信息公开申请总数</td><td>件</td><td>5</td></tr></table></body></html>"
    ).encode()
    doc = html_reader.extract(page, name="a.html")
    assert doc.page.fields == {}
    assert len(doc.tables) == 1
    report = parse_document(page, name="a.html")
    assert report.title == "某县2018年政府信息公开工作年度报告"
    assert report.format == "legacy-table"
    assert "[table: 1]" in report.text


def test_scanned_report_is_all_images():
    page = (
        '<html><head><meta charset="utf-8"><title>某县财政局2019年政府信息公开工作年度报告_某县人民政府</title></head><body>'
        '<div class="nav"><a href="/">首页</a><a href="/x">政务公开</a><a href="/y">政务服务</a><a href="/z">互动交流</a></div>'
        '<div class="content"><h1>某县财政局2019年政府信息公开工作年度报告</h1>'
        '<p><img src="/upload/2020/P1.jpg" alt=""></p><p><img src="/upload/2020/P2.jpg" alt=""></p></div>'
        '<div class="footer">主办单位：某县人民政府办公室 地址：某县人民路1号 网站标识码：1234567890</div></body></html>'
    ).encode()
    report = parse_document(page, name="http://x.gov.cn/art/a.html")
    assert report.title == "某县财政局2019年政府信息公开工作年度报告"
    assert report.agency == "某县财政局"
    assert [i.url for i in report.images] == ["http://x.gov.cn/upload/2020/P1.jpg", "http://x.gov.cn/upload/2020/P2.jpg"]
    assert report.warning_codes() == ["content_as_images"]
    assert "首页" not in report.text  # not the navigation


def test_annex_pasted_one_paragraph_per_cell():
    # How portals publish seed 003: every line of the Word text its own <p>, the
    # 附表's rows lost. The 附表 is rebuilt from the lines.
    lines = [ln for ln in seed_path(3).read_text(encoding="utf-8").splitlines() if ln.strip()]
    body = "".join(f"<p>{ln}</p>" for ln in lines)
    page = f'<html><head><meta charset="gb2312"><title>{lines[0]}</title></head><body><div class="TRS_Editor">{body}</div></body></html>'
    report = parse_document(page.encode("gbk"), name="t20190122_123.htm")
    assert report.title == "古镛镇2018年政府信息公开工作年度报告"
    assert report.format == "legacy-table"
    assert report.warnings == []
    (grid,) = report.tables
    assert grid.n_rows == 16 and grid.row(15) == ["行政诉讼数", "件", "0", "0"]


def test_a_page_with_its_tags_left_open_is_read_as_a_browser_builds_it():
    """A real report page with no </td>, </tr>, </p>, </span> and nothing from </body>
    on (what broken CMS templates serve; sample_portal's hostile site serves it):
    libxml2 alone keeps one of its three tables; rebuilt by the HTML5 rules, every
    figure of the clean page is read, and the same."""
    import lxml.html

    from sample_portal.families.hostile import unclose_tags

    clean = (Path(__file__).parent / "gold" / "real" / "pingtan-syq-2020.html").read_bytes()
    broken = unclose_tags(clean)
    assert b"</td>" not in broken and b"</body>" not in broken
    assert len(lxml.html.document_fromstring(broken.decode("utf-8")).xpath("//table")) == 1
    read = {m.key: m.value for m in parse_document(broken, name="unclosed.htm").metrics}
    expected = {m.key: m.value for m in parse_document(clean, name="clean.htm").metrics}
    assert len(expected) > 150 and read == expected
