"""parse.figures.template_tables on hand-built grids (tests/fixtures/figures).

Expected values are what a person reads off each grid, cell by cell.
"""

import copy
import importlib.util
from pathlib import Path

from parse.figures.derived import add_sums
from parse.figures.template_tables import APPLICANT_ORDER, classify, extract_table_figures
from parse.vocabulary import known_keys

_spec = importlib.util.spec_from_file_location(
    "figure_grids", Path(__file__).parent / "fixtures" / "figures" / "template_grids.py"
)
G = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(G)


def by_key(metrics):
    out = {}
    for m in metrics:
        assert m.key not in out, f"{m.key} emitted twice"
        out[m.key] = m
    return out


def codes(warnings):
    return [w.code for w in warnings]


def expected_t3(table):
    """Flatten {base: [7 values]} into {key: value}, dropping None (no figure)."""
    out = {}
    for base, values in table.items():
        for app, v in zip(APPLICANT_ORDER, values):
            if v is not None:
                out[f"{base}.{app}"] = v
    return out


def derived(metrics):
    """The sums parse.figures.derived adds to what the tables gave."""
    metrics = list(metrics)
    add_sums(metrics)
    return {m.key: m.value for m in metrics if m.source == "derived"}


def stated(metrics):
    return {m.key: m.value for m in metrics if m.source == "table"}


# ---------------------------------------------------------------------------------- 三


def test_table3_2021_cell_by_cell():
    metrics, warnings = extract_table_figures([G.TABLE3_2021])
    assert stated(metrics) == expected_t3(G.TABLE3_2021_EXPECTED)
    m = by_key(metrics)
    assert all(k in known_keys() for k in m)
    # evidence: row labels | column labels
    assert m["outcome.withheld.state_secret.commercial_enterprise"].evidence == (
        "三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密 | 法人或其他组织 / 商业企业"
    )
    assert m["requests.new.natural_person"].evidence == "一、本年新收政府信息公开申请数量 | 自然人"
    assert m["requests.new.natural_person"].unit == "件"
    # the quirks are reported
    c = codes(warnings)
    assert "realigned_row" in c  # 四、结转下年度继续办理 over two columns
    blank = next(w for w in warnings if w.code == "blank_cells")
    assert blank.detail["cells"] == ["三、本年度办理结果 / （四）无法提供 / 3.补正后申请内容仍不明确 | 总计"]
    dash = next(w for w in warnings if w.code == "dash_cells")
    assert len(dash.detail["cells"]) == 1 and "科研机构" in dash.detail["cells"][0]
    assert not {"unaligned_row", "unrecognised_row", "unreadable_cell"} & set(c)


def test_table3_2021_derived_sums():
    metrics, _ = extract_table_figures([G.TABLE3_2021])
    d = derived(metrics)
    # withheld: sum of the 8 reason rows, per column; not for 科研机构 (a '—' cell)
    assert d["outcome.withheld.natural_person"] == 1
    assert d["outcome.withheld.commercial_enterprise"] == 1
    assert d["outcome.withheld.total"] == 2
    assert "outcome.withheld.research_institution" not in d
    # 2021: （六）其他处理 is the sum of its three rows
    assert d["outcome.other.total"] == 0
    assert d["outcome.other.natural_person"] == 0
    # the tables give only the reasons; the subtotals are sums, never read
    assert not [m for m in metrics if m.key.startswith("outcome.withheld.") and m.key.count(".") == 2]


def test_table3_2019_cell_by_cell():
    metrics, warnings = extract_table_figures([G.TABLE3_2019])
    assert stated(metrics) == expected_t3(G.TABLE3_2019_EXPECTED)
    d = derived(metrics)
    assert d["outcome.withheld.total"] == 2
    assert d["outcome.withheld.natural_person"] == 2
    # 2019 has its own （六）其他处理 row: nothing derived for it
    assert not any(k.startswith("outcome.other.") for k in d)
    assert by_key(metrics)["outcome.other.total"].source == "table"
    # header without 申请人情况, (三)/1、 numbering, extra blank column: all fine
    assert not {"realigned_row", "unaligned_row", "unrecognised_row", "assumed_columns"} & set(codes(warnings))


def test_table3_split_across_two_grids():
    """A table 三 cut by a page break: the second part has no header and only the
    leaf labels (the rowspan cells stayed on the first page)."""
    first = G.TABLE3_2021[:10]  # header + rows up to 4.保护第三方合法权益
    second = []
    for row in G.TABLE3_2021[10:-1]:
        second.append([row[2]] + row[3:])  # leaf label + 7 values
    second.append(["四、结转下年度继续办理", "1", "0", "0", "0", "0", "0", "1"])
    metrics, warnings = extract_table_figures([first, second])
    assert stated(metrics) == expected_t3(G.TABLE3_2021_EXPECTED)
    # 3.其他 was placed under （六）其他处理 by the rows before it
    assert by_key(metrics)["outcome.other.misc.total"].value == 0
    assert "unaligned_row" not in codes(warnings)


def test_table3_without_any_header_reads_template_order():
    rows = G.TABLE3_2019[2:]  # header rows lost
    metrics, warnings = extract_table_figures([rows])
    assert stated(metrics) == expected_t3(G.TABLE3_2019_EXPECTED)
    assert "assumed_columns" in codes(warnings)


def test_table3_unknown_row_is_reported_not_guessed():
    rows = copy.deepcopy(G.TABLE3_2019)
    rows.insert(5, ["其中：网上申请", "其中：网上申请", "其中：网上申请", "5", "0", "0", "0", "0", "0", "5", ""])
    metrics, warnings = extract_table_figures([rows])
    assert stated(metrics) == expected_t3(G.TABLE3_2019_EXPECTED)
    assert "unrecognised_row" in codes(warnings)


# ---------------------------------------------------------------------------------- 四


def test_table4_cell_by_cell():
    metrics, warnings = extract_table_figures([G.TABLE4])
    assert stated(metrics) == G.TABLE4_EXPECTED
    m = by_key(metrics)
    assert derived(metrics) == {"litigation.total": 2}
    assert m["review.total"].evidence == "行政复议 / 总计"
    assert m["litigation.after_review.pending"].evidence == "行政诉讼 / 复议后起诉 / 尚未审结"
    assert warnings == []


def test_table4_split_header_and_values():
    metrics, warnings = extract_table_figures([G.TABLE4_HEADER, [G.TABLE4_VALUES]])
    assert stated(metrics) == G.TABLE4_EXPECTED
    assert derived(metrics)["litigation.total"] == 2


def test_table4_blank_total_gives_no_total():
    values = list(G.TABLE4_VALUES)
    values[4] = ""  # 行政复议 总计 left blank
    metrics, warnings = extract_table_figures([G.TABLE4_HEADER + [values]])
    m = by_key(metrics)
    assert "review.total" not in m
    assert m["review.upheld"].value == 1
    assert "blank_cells" in codes(warnings)


def test_table4_misaligned_values_are_realigned():
    """The header has a label column on the left; the data row has no label cell,
    so its 15 values start one column early (and the grid pads it with "")."""
    header = [[""] + r for r in G.TABLE4_HEADER]
    values = G.TABLE4_VALUES + [""]
    metrics, warnings = extract_table_figures([header + [values]])
    assert stated(metrics) == G.TABLE4_EXPECTED
    assert "realigned_row" in codes(warnings)


def test_table4_row_that_cannot_be_placed_gives_nothing():
    # 17 values under 15 columns: no way to tell which belong where
    metrics, warnings = extract_table_figures([G.TABLE4_HEADER + [G.TABLE4_VALUES + ["3", "4"]]])
    assert metrics == []
    assert "unaligned_row" in codes(warnings)


# ---------------------------------------------------------------------------------- 二


def test_table2_2021_cell_by_cell():
    metrics, warnings = extract_table_figures([G.TABLE2_2021])
    assert stated(metrics) == G.TABLE2_2021_EXPECTED
    m = by_key(metrics)
    assert m["proactive.fees.amount"].unit == "元"
    assert m["proactive.fees.amount"].evidence == "行政事业性收费 | 本年收费金额（单位：万元）"
    assert "proactive.enforcement.decisions" not in m  # '—'
    assert codes(warnings) == ["dash_cells"]


def test_table2_2021_fee_in_wan_column_without_unit_in_cell():
    rows = copy.deepcopy(G.TABLE2_2021)
    rows[-1] = ["行政事业性收费", "1.25", "1.25", "1.25"]
    metrics, _ = extract_table_figures([rows])
    assert by_key(metrics)["proactive.fees.amount"].value == 12500


def test_table2_2019_cell_by_cell():
    metrics, warnings = extract_table_figures([G.TABLE2_2019])
    assert stated(metrics) == G.TABLE2_2019_EXPECTED
    assert warnings == []


def test_table2_procurement_amount_without_unit_is_not_guessed():
    rows = copy.deepcopy(G.TABLE2_2019)
    rows[-1] = ["政府集中采购", "", "4", "35.6", "35.6"]
    metrics, warnings = extract_table_figures([rows])
    m = by_key(metrics)
    assert "proactive.procurement.amount" not in m
    assert m["proactive.procurement.projects"].value == 4
    assert "unit_unknown" in codes(warnings)


def test_table2_with_grid_span_information():
    """A parse.tables.Grid tells span copies from own cells."""
    from parse.tables import Grid

    rows = [
        ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
        ["行政许可", "7", "7", "7"],
    ]
    spans = {(0, 2): (0, 1), (0, 3): (0, 1), (1, 2): (1, 1), (1, 3): (1, 1)}
    metrics, warnings = extract_table_figures([Grid(rows=rows, span_copies=spans)])
    assert stated(metrics) == {"proactive.licensing.decisions": 7}
    assert warnings == []


# ---------------------------------------------------------------------------------- 附表


def test_seed003_annex_in_full():
    metrics, warnings = extract_table_figures([G.SEED003_ANNEX])
    assert stated(metrics) == G.SEED003_ANNEX_EXPECTED
    m = by_key(metrics)
    assert m["proactive.cumulative"].evidence == "主动公开文件数 | 历年累计"
    assert m["requests.new.total"].evidence == "受理政府信息公开申请总数 | 2018年"
    assert warnings == []


def test_seed003_annex_from_the_flattened_text():
    """The same 附表 as the foundation's text→grid function builds it."""
    from parse.tables import find_flattened_tables

    seed = next((Path(__file__).parents[1] / "sample_portal" / "reports").glob("seed_003_*.txt"))
    grids = find_flattened_tables(seed.read_text(encoding="utf-8"))
    metrics, _ = extract_table_figures(grids)
    assert stated(metrics) == G.SEED003_ANNEX_EXPECTED


def test_legacy_annex_sections_and_money():
    rows = [
        ["指标名称", "单位", "数量"],
        ["一、主动公开情况", "一、主动公开情况", "一、主动公开情况"],
        ["（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "1,024"],
        ["其中：主动公开规范性文件数", "条", "12"],
        ["四、行政复议数量", "件", "2"],
        ["（一）维持具体行政行为数", "件", "1"],
        ["（二）被依法纠错数", "件", "1"],
        ["（三）其他情形数", "件", "0"],
        ["五、行政诉讼数量", "件", "1"],
        ["（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "1"],
        ["（二）被依法纠错数", "件", "0"],
        ["（三）其他情形数", "件", "0"],
        ["七、依申请公开信息收取的费用", "万元", "0.02"],
        ["（四）政府信息公开专项经费", "万元", "—"],
        ["（三）从事政府信息公开工作人员数", "人", "5"],
        ["1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "2"],
    ]
    metrics, warnings = extract_table_figures([rows])
    assert stated(metrics) == {
        "proactive.total": 1024,
        "proactive.normative_documents": 12,
        "review.total": 2,
        "review.upheld": 1,
        "review.corrected": 1,
        "review.other": 0,
        "litigation.total": 1,  # 被依法纠错数 under 行政诉讼 has no key: not emitted
        "fees.collected": 200,
        "staff.total": 5,
        "staff.full_time": 2,
    }
    assert codes(warnings) == ["dash_cells"]


# ---------------------------------------------------------------------------------- all


def test_classify():
    assert classify(G.TABLE3_2021) == "table3"
    assert classify(G.TABLE3_2019) == "table3"
    assert classify(G.TABLE4) == "table4"
    assert classify(G.TABLE2_2021) == "table2"
    assert classify(G.TABLE2_2019) == "table2"
    assert classify(G.SEED003_ANNEX) == "legacy"
    assert classify([["地址", "电话"], ["银滩路8号", "0631-8781088"]]) is None


def test_a_whole_2021_report():
    grids = [[["layout"]], G.TABLE2_2021, G.TABLE3_2021, G.TABLE4]
    metrics, warnings = extract_table_figures(grids)
    m = by_key(metrics)
    assert m["proactive.fees.amount"].value == 5000
    assert m["requests.new.total"].value == 13
    assert m["review.total"].value == 1
    assert all(k in known_keys() for k in m)
    assert "duplicate_figure" not in codes(warnings)


def test_unrelated_grids_give_nothing():
    grids = [[["地址：威海市文登区泽库镇银滩路8号", "邮编：264400"], ["电话", "0631-8781088"]], []]
    assert extract_table_figures(grids) == ([], [])


def test_table3_subtotal_and_heading_rows():
    """Some reports add a row for a group: 不予公开 has a key for its subtotal
    (then stated, not derived); 无法提供 has none; a heading row with no
    figures is passed over quietly."""
    rows = copy.deepcopy(G.TABLE3_2019)
    i = next(i for i, r in enumerate(rows) if "1、属于国家秘密" in r)
    rows.insert(i, [G.R3, "(三)不予公开", "(三)不予公开", "2", "0", "0", "0", "0", "0", "2", ""])
    j = next(i for i, r in enumerate(rows) if "1、本机关不掌握相关政府信息" in r)
    rows.insert(j, [G.R3, "(四)无法提供", "(四)无法提供", "5", "1", "0", "0", "0", "0", "6", ""])
    k = next(i for i, r in enumerate(rows) if "1、信访举报投诉类申请" in r)
    rows.insert(k, [G.R3, "(五)不予处理", "(五)不予处理", "", "", "", "", "", "", "", ""])
    metrics, warnings = extract_table_figures([rows])
    m = by_key(metrics)
    assert m["outcome.withheld.total"].value == 2 and m["outcome.withheld.total"].source == "table"
    assert m["outcome.withheld.natural_person"].source == "table"
    expected = expected_t3(G.TABLE3_2019_EXPECTED)
    assert {k: v for k, v in stated(metrics).items() if k in expected} == expected
    assert [w.code for w in warnings] == ["unrecognised_row"]  # the 无法提供 subtotal
    assert "blank_cells" not in codes(warnings)


def test_table2_with_the_section_label_in_its_own_column():
    rows = [
        ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["第二十条第（一）项", "规章", "1", "0", "4"],
        ["第二十条第（一）项", "行政规范性文件", "2", "1", "9"],
        ["第二十条第（五）项", "信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
        ["第二十条第（五）项", "行政许可", "18", "18", "18"],
    ]
    metrics, warnings = extract_table_figures([rows])
    assert stated(metrics) == {
        "proactive.rules.issued": 1, "proactive.rules.repealed": 0, "proactive.rules.in_force": 4,
        "proactive.normative_documents.issued": 2, "proactive.normative_documents.repealed": 1,
        "proactive.normative_documents.in_force": 9, "proactive.licensing.decisions": 18,
    }
    assert warnings == []


def test_table2_split_mid_section():
    first = G.TABLE2_2021[:10]  # up to 行政处罚
    second = G.TABLE2_2021[10:]  # 行政强制 … : starts without a header
    metrics, warnings = extract_table_figures([first, second])
    assert stated(metrics) == G.TABLE2_2021_EXPECTED
    assert codes(warnings) == ["dash_cells"]


def test_legacy_annex_row_wording_variants():
    """The 2016-2018 统计表 words its totals 四、行政复议数量 / 六、被举报投诉数量; the
    result rows under 举报投诉 have no key."""
    rows = [
        ["指标名称", "单位", "数量"],
        ["四、行政复议数量", "件", "1"],
        ["（一）维持具体行政行为数", "件", "1"],
        ["六、被举报投诉数量", "件", "0"],
        ["（一）维持具体行政行为数", "件", "0"],
        ["（二）被纠错数", "件", "0"],
    ]
    metrics, warnings = extract_table_figures([rows])
    assert stated(metrics) == {"review.total": 1, "review.upheld": 1, "complaints.total": 0}
    assert by_key(metrics)["complaints.total"].evidence == "六、被举报投诉数量 | 数量"
    assert warnings == []


# ------------------------------------------------- flattened text tables (merged cells written once)

_T3_HEADER = (
    "\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n\t申请人情况\n\n"
    "\t自然人\n\t法人或其他组织\n\t总计\n\n"
    "\t商业企业\n\t科研机构\n\t社会公益组织\n\t法律服务机构\n\t其他\n\n"
)


def _flat(*rows):
    """A flattened table as the export writes it: each cell a tab-indented line,
    a blank line after each row."""
    return "".join("".join(f"\t{c}\n" for c in row) + "\n" for row in rows)


def _flat_tables(text):
    from parse.tables import find_flattened_tables

    return find_flattened_tables(text)


def test_flattened_table3_reads_values_in_the_header_order():
    text = "三、收到和处理政府信息公开申请情况\n\n" + _T3_HEADER + _flat(
        ["一、本年新收政府信息公开申请数量", 23, 4, 0, 1, 3, 0, 31],
        ["三、本年度办理结果", "（一）予以公开", 4, 0, 0, 0, 1, 0, 5],
        ["（三）不予公开", "1.属于国家秘密", 3, 0, "—", "—", 0, 0, 3],
        ["2.其他法律行政法规禁止公开", "３", 0, 0, 0, 0, 0, "３"],
        ["（七）总计", 23, 5, 0, 0, 3, 1, 32],
        ["四、结转下年度继续办理", 0, 0, 0, 1, 0, 0, ""],
    )
    metrics, warnings = extract_table_figures(_flat_tables(text))
    got = stated(metrics)
    assert got == expected_t3({
        "requests.new": [23, 4, 0, 1, 3, 0, 31],
        "outcome.disclosed": [4, 0, 0, 0, 1, 0, 5],
        "outcome.withheld.state_secret": [3, 0, None, None, 0, 0, 3],
        "outcome.withheld.prohibited_by_law": [3, 0, 0, 0, 0, 0, 3],
        "outcome.total": [23, 5, 0, 0, 3, 1, 32],
        "requests.carried_forward": [0, 0, 0, 1, 0, 0, None],  # the last cell written blank
    })
    m = by_key(metrics)
    assert "outcome.withheld.state_secret.research_institution" not in m  # a dash: no figure
    assert m["requests.new.other_org"].evidence == "一、本年新收政府信息公开申请数量 | 法人或其他组织 / 其他"
    assert m["outcome.total.total"].evidence == "（七）总计 | 总计"
    assert sorted(codes(warnings)) == ["blank_cells", "dash_cells", "flattened_columns"]


def test_flattened_table3_row_with_a_missing_cell_is_skipped_not_guessed():
    text = _T3_HEADER + _flat(
        ["一、本年新收政府信息公开申请数量", 23, 4, 0, 1, 3, 0, 31],
        ["二、上年结转政府信息公开申请数量", 0, 1, 0, 0, 1, 2],  # six cells for seven columns
    )
    metrics, warnings = extract_table_figures(_flat_tables(text))
    assert not any(k.startswith("requests.carried_over") for k in stated(metrics))
    assert stated(metrics)["requests.new.total"] == 31
    assert "unaligned_row" in codes(warnings)


def test_flattened_table3_header_without_the_seven_columns_gives_nothing():
    header = "\t申请人情况\n\n\t自然人\n\t法人或其他组织\n\t总计\n\n\t商业企业\n\t科研机构\n\t其他\n\n"
    text = header + _flat(["一、本年新收政府信息公开申请数量", 23, 4, 0, 1, 3, 0, 31],
                          ["二、上年结转政府信息公开申请数量", 0, 1, 0, 0, 0, 1, 2])
    metrics, warnings = extract_table_figures(_flat_tables(text))
    assert stated(metrics) == {}
    assert codes(warnings).count("unaligned_row") == 2


def test_flattened_table3_2021_other_rows():
    text = _T3_HEADER + _flat(
        ["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 0, 1, 0, 0, 0, 0, 1],
        ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 0, 0, 0, 0, 0, 0, 0],
        ["3.其他", 2, 0, 0, 0, 0, 0, 2],
    )
    metrics, _ = extract_table_figures(_flat_tables(text))
    got = stated(metrics)
    assert got["outcome.other.no_correction.commercial_enterprise"] == 1
    assert got["outcome.other.misc.natural_person"] == 2
    assert derived(metrics)["outcome.other.total"] == 3


_T4_HEADER = (
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
)


def test_flattened_table4_reads_the_template_order():
    text = "四、政府信息公开行政复议、行政诉讼情况\n\n" + _flat(*_T4_HEADER, [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2])
    metrics, warnings = extract_table_figures(_flat_tables(text))
    got = stated(metrics)
    assert got["review.other"] == 1 and got["review.total"] == 1
    assert got["litigation.direct.total"] == 0 and got["litigation.after_review.upheld"] == 2
    assert len(got) == 15
    assert derived(metrics) == {"litigation.total": 2}
    assert by_key(metrics)["litigation.after_review.upheld"].evidence == "行政诉讼 / 复议后起诉 / 结果维持"
    assert codes(warnings) == ["flattened_columns"]


def test_flattened_table4_with_a_missing_value_gives_nothing():
    text = _flat(*_T4_HEADER, [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 2])  # 14 values
    metrics, warnings = extract_table_figures(_flat_tables(text))
    assert stated(metrics) == {}
    assert codes(warnings) == ["unaligned_row"]


def test_flattened_table4_header_in_another_order_gives_nothing():
    header = (["行政诉讼", "行政复议"], _T4_HEADER[1], _T4_HEADER[2])
    text = _flat(["复议后起诉", "未经复议直接起诉", "行政复议"], *header[1:], list(range(15)))
    metrics, warnings = extract_table_figures(_flat_tables(text))
    assert stated(metrics) == {}
    assert "unaligned_row" in codes(warnings)


def test_flattened_table2_reads_by_position():
    text = "二、主动公开政府信息情况\n\n" + _flat(
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", 0, 0, 0],
        ["行政规范性文件", "8件", "3件", "29件"],
        ["第二十条第（八）项"],
        ["信息内容", "本年收费金额（单位：万元）"],
        ["行政事业性收费", "0.5"],
    )
    metrics, warnings = extract_table_figures(_flat_tables(text))
    assert stated(metrics) == {
        "proactive.rules.issued": 0, "proactive.rules.repealed": 0, "proactive.rules.in_force": 0,
        "proactive.normative_documents.issued": 8, "proactive.normative_documents.repealed": 3,
        "proactive.normative_documents.in_force": 29, "proactive.fees.amount": 5000,
    }
    assert warnings == []


def test_flattened_table3_group_heading_on_a_row_of_its_own():
    text = _T3_HEADER + _flat(
        ["三、本年度办理结果"],
        ["（三）不予公开"],
        ["1.属于国家秘密", 1, 0, 0, 0, 0, 0, 1],
    )
    metrics, warnings = extract_table_figures(_flat_tables(text))
    assert stated(metrics)["outcome.withheld.state_secret.total"] == 1
    assert codes(warnings) == ["flattened_columns"]
