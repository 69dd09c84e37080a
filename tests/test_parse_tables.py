"""HTML tables and flattened text tables → grids."""

import lxml.html

from parse.tables import (
    find_flattened_tables,
    grid_from_flattened,
    grid_from_html_table,
    is_data_table,
    tables_from_html,
)


def grid(html: str):
    root = lxml.html.fragment_fromstring(html)
    table = root if root.tag == "table" else root.find(".//table")
    return grid_from_html_table(table)


def test_rowspan_and_colspan_copies():
    g = grid(
        """<table>
        <tr><td rowspan="2" colspan="2">A</td><td>B</td></tr>
        <tr><td>C</td></tr>
        <tr><td>D</td><td colspan="2">E</td></tr>
        </table>"""
    )
    assert g.rows == [["A", "A", "B"], ["A", "A", "C"], ["D", "E", "E"]]
    assert g.span_copies == {(0, 1): (0, 0), (1, 0): (0, 0), (1, 1): (0, 0), (2, 2): (2, 1)}
    assert g.origin(1, 1) == (0, 0) and g.origin(0, 2) == (0, 2)
    assert list(g.own_cells()) == [(0, 0, "A"), (0, 2, "B"), (1, 2, "C"), (2, 0, "D"), (2, 1, "E")]


def test_rowspan_in_middle_column_shifts_later_cells():
    g = grid(
        """<table>
        <tr><td>1</td><td rowspan="3">X</td><td>a</td></tr>
        <tr><td>2</td><td>b</td></tr>
        <tr><td>3</td><td>c</td></tr>
        </table>"""
    )
    assert g.rows == [["1", "X", "a"], ["2", "X", "b"], ["3", "X", "c"]]


def test_short_and_misaligned_rows_are_padded():
    g = grid("<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr><tr><td>e</td><td>f</td></tr></table>")
    assert g.rows == [["a", "b", "c"], ["d", "", ""], ["e", "f", ""]]
    assert not g.span_copies


def test_rowspan_past_the_end_is_clipped_and_spans_capped():
    g = grid('<table><tr><td rowspan="9">a</td><td colspan="5000">b</td></tr><tr><td>c</td></tr></table>')
    assert g.n_rows == 2
    assert g.column(0) == ["a", "a"]
    # colspan=5000 is capped, and columns holding no cell of their own are dropped.
    assert g.rows == [["a", "b"], ["a", "c"]]


def test_rowspan_zero_spans_to_the_end():
    g = grid('<table><tr><td rowspan="0">a</td><td>1</td></tr><tr><td>2</td></tr><tr><td>3</td></tr></table>')
    assert g.column(0) == ["a", "a", "a"] and g.column(1) == ["1", "2", "3"]


def test_overlapping_spans_first_wins():
    # Broken markup: the colspan of row 2 runs into the rowspan of row 1.
    g = grid('<table><tr><td>a</td><td rowspan="2">B</td></tr><tr><td colspan="2">c</td><td>d</td></tr></table>')
    assert g.rows == [["a", "B", ""], ["c", "B", "d"]]
    assert g.origin(1, 1) == (0, 1)


def test_th_td_whitespace_and_fullwidth():
    g = grid(
        """<table>
        <tr><th>指 标 名 称</th><th>单&nbsp;位</th><th>数　量</th></tr>
        <tr><td>  主动公开
            政府信息数 </td><td>条</td><td>１２０</td></tr>
        <tr><td>其中：<br/>1.政府网站</td><td>条</td><td><p>118</p><p>（含转载）</p></td></tr>
        </table>"""
    )
    assert g.row(0) == ["指标名称", "单位", "数量"]
    assert g.header_cells == frozenset({(0, 0), (0, 1), (0, 2)})
    assert g.row(1) == ["主动公开政府信息数", "条", "１２０"]  # full-width digits kept
    assert g.row(2) == ["其中：1.政府网站", "条", "118（含转载）"]


def test_latin_spaces_are_kept():
    g = grid("<table><tr><td>PDF 2.0 file</td><td>+ 2</td></tr><tr><td>x</td><td>y</td></tr></table>")
    assert g.row(0) == ["PDF 2.0 file", "+ 2"]


def test_nested_tables_are_separate_grids():
    root = lxml.html.document_fromstring(
        """<html><body><table id="layout"><tr><td>
        <p>二、主动公开政府信息情况</p>
        <table id="data"><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table>
        <p>正文</p>
        </td><td>side</td></tr></table></body></html>"""
    )
    outer, inner = tables_from_html(root)
    assert outer.has_nested_tables and not is_data_table(outer)
    assert outer.rows == [["二、主动公开政府信息情况正文", "side"]]  # nested text left out
    assert inner.rows == [["信息内容", "本年制发件数"], ["规章", "0"]]
    assert is_data_table(inner)
    assert inner.context == "二、主动公开政府信息情况"


def test_context_from_caption_and_tail_text():
    g = grid("<table><caption>表三</caption><tr><td>a</td><td>b</td></tr></table>")
    assert g.context == "表三"
    root = lxml.html.fragment_fromstring("<div><b>x</b>三、收到和处理政府信息公开申请情况<table><tr><td>a</td></tr></table></div>")
    assert grid_from_html_table(root.find("table")).context == "三、收到和处理政府信息公开申请情况"


def test_empty_rows_and_columns_dropped():
    g = grid(
        "<table><tr><td>a</td><td></td><td>b</td></tr><tr><td>&nbsp;</td><td> </td><td></td></tr>"
        "<tr><td>c</td><td></td><td>d</td></tr><tr></tr></table>"
    )
    assert g.rows == [["a", "b"], ["c", "d"]]


def test_find_ignores_whitespace_and_copies():
    g = grid('<table><tr><td colspan="2">（三）不予公开</td></tr><tr><td>1.属于 国家秘密</td><td>0</td></tr></table>')
    assert g.find("（三）不予公开") == [(0, 0)]
    assert g.find("属于国家秘密") == [(1, 0)]


# --- flattened text tables --------------------------------------------------------

FLAT = "\t指 标 名 称\n\t单位\n\t2018年\n\n\t主动公开文件数\n\t条\n\t198\n\n\t      2.政府公报公开数\n\t条\n\t0\n"


def test_grid_from_flattened():
    g = grid_from_flattened(FLAT)
    assert g.rows == [["指标名称", "单位", "2018年"], ["主动公开文件数", "条", "198"], ["2.政府公报公开数", "条", "0"]]
    assert g.source == "text"


def test_grid_from_flattened_pads_short_rows():
    g = grid_from_flattened("\ta\n\tb\n\tc\n\n\td\n\te\n")
    assert g.rows == [["a", "b", "c"], ["d", "e", ""]]


def test_find_flattened_tables_in_text():
    text = "六、附表\n（一）附表\n" + FLAT + " \n"
    (g,) = find_flattened_tables(text)
    assert g.context == "（一）附表"
    assert g.n_rows == 3


def test_tab_indented_paragraphs_are_not_tables():
    text = (
        "\t一、概述\n\n\t2018年，我镇政务公开工作在区委、区政府的坚强领导下，坚持以习近平新时代中国特色社会主义思想为指导，取得进展。\n\n"
        "\t二、主动公开情况\n\t2018年，主动公开政府信息204条，其中年度报告类共发布1条，业务工作类信息共发布30条。\n\n"
    )
    assert find_flattened_tables(text) == []


# --- one cell per line (a 附表 pasted as paragraphs) -------------------------------

def test_cell_per_line_table():
    from parse.tables import find_cell_per_line_tables

    text = "（一）附表\n指 标 名 称\n单位\n2018年\n历年累计\n主动公开文件数\n条\n198\n1355\n其中：1.政府网站公开数\n条\n198\n1355\n" \
           "2.政府公报公开数\n条\n0\n0\n七、其他\n正文。"
    (g,) = find_cell_per_line_tables(text)
    assert g.context == "（一）附表"
    assert g.rows == [
        ["指标名称", "单位", "2018年", "历年累计"],
        ["主动公开文件数", "条", "198", "1355"],
        ["其中：1.政府网站公开数", "条", "198", "1355"],
        ["2.政府公报公开数", "条", "0", "0"],
    ]


def test_cell_per_line_needs_the_legacy_header_and_row_shape():
    from parse.tables import find_cell_per_line_tables

    assert find_cell_per_line_tables("主动公开文件数\n条\n198\n受理申请数\n件\n0\n") == []
    assert find_cell_per_line_tables("指标名称\n单位\n2018年\n主动公开文件数\n条\n很多\n") == []


# --- flattened template tables (the export of the real seeds: merged cells written once)

# Table 二 of the 2019 template as the export writes it: a one-cell 第二十条 row
# before each part, and 规章 with three empty cells (lines holding only the tab).
FLAT_T2_2019 = (
    "\t第二十条第（一）项\n\n"
    "\t信息内容\n\t本年新制作数量\n\t本年新公开数量\n\t对外公开总数量\n\n"
    "\t规章\n\t\n\t\n\t\n\n"
    "\t规范性文件\n\t3\n\t3\n\t54\n\n"
    "\t第二十条第（八）项\n\n"
    "\t信息内容\n\t上一年项目数量\n\t本年增/减\n\n"
    "\t行政事业性收费\n\t4\n\t\n"
)
# Table 四: rows of 2, 7, 10 and 15 cells.
FLAT_T4 = (
    "\t行政复议\n\t行政诉讼\n\n"
    "\t结果维持\n\t结果纠正\n\t其他结果\n\t尚未审结\n\t总计\n\t未经复议直接起诉\n\t复议后起诉\n\n"
    + "".join(f"\t{w}\n" for w in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2) + "\n"
    + "".join(f"\t{v}\n" for v in [0, 0, 1, 0, 1] + [0] * 10) + "\n"
)


def test_flattened_empty_cell_is_a_tab_only_line():
    g = grid_from_flattened(FLAT_T2_2019)
    assert g.rows[2] == ["规章", "", "", ""]
    assert g.rows[6] == ["行政事业性收费", "4", "", ""]
    assert g.row_widths == [1, 4, 4, 4, 1, 3, 3]
    assert g.flattened


def test_flattened_rows_keep_their_written_width():
    g = grid_from_flattened(FLAT_T4)
    assert g.row_widths == [2, 7, 10, 15]
    assert g.n_cols == 15
    assert g.rows[0][:3] == ["行政复议", "行政诉讼", ""]  # padding, not cells


def test_template_tables_of_mixed_row_widths_are_found():
    text = ("二、主动公开政府信息情况\n\n" + FLAT_T2_2019 + "\n三、收到和处理政府信息公开申请情况\n\n正文。\n"
            "四、政府信息公开行政复议、行政诉讼情况\n\n" + FLAT_T4 + "五、存在的主要问题及改进情况\n")
    t2, t4 = find_flattened_tables(text)
    assert t2.context == "二、主动公开政府信息情况" and t2.n_rows == 7
    assert t4.context == "四、政府信息公开行政复议、行政诉讼情况" and t4.row_widths == [2, 7, 10, 15]


def test_html_grids_are_not_flattened():
    assert not grid("<table><tr><td>a</td><td>1</td></tr></table>").flattened


def test_text_reader_keeps_empty_cells():
    from parse.formats.text import from_string, normalise_text

    raw = "二、主动公开政府信息情况\r\n\r\n\t规章\r\n\t \r\n\t3\r\n\r\n\t规范性文件\r\n\t1\r\n\t2\r\n"
    assert normalise_text(raw, keep_empty_cells=True).split("\n")[2:6] == ["\t规章", "\t", "\t3", ""]
    assert normalise_text(raw).split("\n")[3] == ""  # other readers: a blank line as before
    (g,) = from_string(raw).tables
    assert g.rows == [["规章", "", "3"], ["规范性文件", "1", "2"]]
