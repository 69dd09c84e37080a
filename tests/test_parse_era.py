"""Format (era/template) detection from the document itself."""

from parse.era import detect_format, explain_format
from parse.tables import grid_from_flattened


def test_2021_markers():
    assert detect_format("信息内容 本年制发件数 本年废止件数 现行有效件数") == "2021-template"
    assert detect_format("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请") == "2021-template"


def test_2019_markers():
    assert detect_format("信息内容 本年新制作数量 本年新公开数量 对外公开总数量") == "2019-template"
    assert detect_format("信息内容\t上一年项目数量\t本年增／减\t处理决定数量") == "2019-template"  # full-width slash


def test_markers_in_tables_count():
    grid = grid_from_flattened("\t信息内容\n\t本年制发件数\n\n\t规章\n\t0\n")
    assert detect_format("二、主动公开政府信息情况", [grid]) == "2021-template"


def test_legacy_table_needs_a_table():
    annex = grid_from_flattened("\t指 标 名 称\n\t单位\n\t2018年\n\n\t主动公开文件数\n\t条\n\t198\n")
    assert detect_format("六、附表", [annex]) == "legacy-table"
    rows = grid_from_flattened("\t受理政府信息公开申请总数\n\t0\n\n\t主动公开政府信息数\n\t12\n")
    assert detect_format("附表", [rows]) == "legacy-table"
    # The same words in prose are not a 附表.
    assert detect_format("2018年主动公开政府信息数为12条，受理政府信息公开申请总数0件。") == "legacy-text"


def test_template_headings_without_tables():
    text = "三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况"
    # The year decides the version, and the decision is marked uncertain.
    d = explain_format(text, [], 2020)
    assert (d.format, d.uncertain) == ("2019-template", True)
    assert detect_format(text, [], 2022) == "2021-template"
    assert detect_format(text, [], None) is None
    # 2021-only prose decides without the year.
    d = explain_format(text + "\n依据《政府信息公开信息处理费管理办法》，未收取信息处理费。", [], None)
    assert (d.format, d.uncertain) == ("2021-template", False)


def test_legacy_text_is_the_default_and_year_alone_decides_nothing():
    assert detect_format("2021年，我镇主动公开政府信息20条，未收到政府信息公开申请。", [], 2021) == "legacy-text"


def test_empty():
    assert detect_format("", []) is None
