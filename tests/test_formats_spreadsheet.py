"""XLSX (openpyxl) and XLS (xlrd) readers: one grid per sheet, merged ranges
expanded, cells as the spreadsheet shows them."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from parse.errors import UnreadableDocument
from parse.formats import extract, spreadsheet
from parse.formats.sniff import sniff
from parse.report import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
BOOKS = ["tables_2021.xlsx", "tables_2021.xls"]


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module", params=BOOKS)
def book(request):
    return request.param, extract(read(request.param), name=request.param)


def test_one_grid_per_sheet_matching_the_portal_layout(book):
    name, doc = book
    assert doc.media == name.rsplit(".", 1)[1]
    assert len(doc.tables) == 3
    for grid, key in zip(doc.tables, ("table2", "table3", "table4")):
        assert grid.to_list() == EXPECTED["tables"][key]["rows"]
        assert (
            sorted([r, c, r0, c0] for (r, c), (r0, c0) in grid.span_copies.items())
            == EXPECTED["tables"][key]["span_copies"]
        )
    assert [g.context for g in doc.tables] == EXPECTED["sheet_names"]


def test_text_is_sheet_names_and_table_markers(book):
    _name, doc = book
    # Each sheet is one table section; its name is the template heading.
    assert doc.text.splitlines() == [
        EXPECTED["sheet_names"][0],
        "[table: 1]",
        EXPECTED["sheet_names"][1],
        "[table: 2]",
        EXPECTED["sheet_names"][2],
        "[table: 3]",
    ]


def test_cells_shown_as_in_the_spreadsheet(book):
    _name, doc = book
    t2 = doc.tables[0]
    assert t2.find("行政许可") == [(6, 0)]
    assert t2.row(6) == ["行政许可", "118", "118", "118"]  # a float 118.0 in the XLS shows as 118
    assert doc.tables[1].row(3)[3:] == ["１２", "0", "0", "0", "1", "0", "13"]


def test_table_three_cells(book):
    _name, doc = book
    t3 = doc.tables[1]
    assert t3.cell(0, 0).startswith("（本列数据的勾稽关系") and t3.origin(2, 2) == (0, 0)
    assert t3.cell(2, 3) == "自然人" and t3.origin(2, 3) == (1, 3)
    assert t3.cell(3, 3) == "１２" and t3.cell(3, 9) == "13"
    assert t3.cell(10, 0) == "三、本年度办理结果" and t3.origin(10, 0) == (5, 0)
    assert t3.cell(26, 1) == "（七）总计" and t3.cell(26, 9) == "13"


def test_parse_document_on_a_statistics_workbook(book):
    name, _doc = book
    report = parse_document(read(name), name=name)
    assert report.format == "2021-template"
    assert len(report.tables) == 3


def test_wrong_extension_and_et():
    assert sniff(read("tables_2021.xls"), "tables.xlsx") == "xls"
    assert extract(read("tables_2021.xls"), name="tables.xlsx").media == "xls"
    assert extract(read("tables_2021.xls"), name="表格.et").media == "et"
    assert extract(read("tables_2021.xlsx"), name="tables.xls").media == "xlsx"


# --------------------------------------------------------------------------------
# Number formats


@pytest.mark.parametrize(
    "value, fmt, shown",
    [
        (12.0, None, "12"),
        (12.0, "General", "12"),
        (0.1 + 0.2, "General", "0.3"),
        (3.25, "General", "3.25"),
        (1046, "#,##0", "1,046"),
        (1046.0, "0", "1046"),
        (3.5, "0.00", "3.50"),
        (0.35, "0%", "35%"),
        (0.125, "0.0%", "12.5%"),
        (12, '0"件"', "12件"),
        (-5, "#,##0;[Red]-#,##0", "-5"),
        (-5, "#,##0;(#,##0)", "(5)"),
        (1234.5, "#,##0.00_ ", "1,234.50"),
        (0.5, "0.0#", "0.5"),
        (25.1, "@", "25.1"),
        (True, None, "TRUE"),
    ],
)
def test_number_formats(value, fmt, shown):
    assert spreadsheet.format_number(value, fmt) == shown


def _xlsx(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_cells_built_in_the_test():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计表"
    ws["A1"], ws["B1"] = "发布日期", dt.datetime(2024, 1, 23)
    ws["A2"], ws["B2"] = "公开率", 0.875
    ws["B2"].number_format = "0.0%"
    ws["A3"], ws["B3"] = "主 动 公 开", 1236
    ws["B3"].number_format = "#,##0"
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "不显示"
    hidden.sheet_state = "hidden"
    doc = extract(_xlsx(wb), name="built.xlsx")
    assert doc.text == "[table: 1]"  # one sheet: no sheet-name line; hidden sheets skipped
    assert doc.tables[0].rows == [["发布日期", "2024-01-23"], ["公开率", "87.5%"], ["主动公开", "1,236"]]


def test_report_laid_out_in_a_sheet():
    """Title, headings and paragraphs in single cells; ruled tables between them."""
    from openpyxl.styles import Border, Side

    thin = Side(style="thin")
    ruled = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度报告"
    ws["A1"] = "某县统计局2022年政府信息公开工作年度报告"
    ws["A2"] = "一、总体情况"
    ws["A3"] = "全年主动公开政府信息1,236条。"
    ws["A4"] = "二、主动公开政府信息情况"
    table = [
        ["信息内容", "本年处理决定数量", None],
        ["行政许可", 3, None],
        ["行政事业性收费", None, None],
        ["行政处罚", 1, None],
    ]
    for r, row in enumerate(table, start=5):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = ruled
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
    ws["A10"] = "统计表"
    ws.merge_cells("A11:C11")
    ws["A11"] = "2022年度政府信息公开情况统计表"
    ws["A12"], ws["B12"], ws["C12"] = "指标", "单位", "数量"
    ws["A13"], ws["B13"], ws["C13"] = "主动公开", "条", 1236
    doc = extract(_xlsx(wb), name="report.xlsx")
    assert doc.text.splitlines() == [
        "某县统计局2022年政府信息公开工作年度报告",
        "一、总体情况",
        "全年主动公开政府信息1,236条。",
        "二、主动公开政府信息情况",
        "[table: 1]",
        "统计表",
        "2022年度政府信息公开情况统计表",  # a title row merged over a table is text too
        "[table: 2]",
    ]
    t1, t2 = doc.tables
    # The row whose value is empty stays in the table (its cells are ruled);
    # column C, only ever covered by merges, is dropped as in every Grid.
    assert t1.rows == [["信息内容", "本年处理决定数量"], ["行政许可", "3"], ["行政事业性收费", ""], ["行政处罚", "1"]]
    assert t1.context == "二、主动公开政府信息情况"
    assert t2.rows[0] == ["2022年度政府信息公开情况统计表"] * 3 and t2.rows[2] == ["主动公开", "条", "1236"]
    report = parse_document(_xlsx(wb), name="report.xlsx")
    assert report.title == "某县统计局2022年政府信息公开工作年度报告" and report.year == 2022


# --------------------------------------------------------------------------------
# Errors


def refuse(data: bytes, name: str, reader=extract) -> str:
    with pytest.raises(UnreadableDocument) as info:
        reader(data, name=name)
    assert name in str(info.value)
    return info.value.reason


def test_truncated_xlsx():
    data = read("tables_2021.xlsx")
    assert "corrupt or truncated Excel (XLSX)" in refuse(data[: len(data) // 2], "cut.xlsx")


def test_truncated_xls():
    data = read("tables_2021.xls")
    assert "Excel (XLS)" in refuse(data[: len(data) // 3], "cut.xls")


def test_word_document_is_not_a_workbook():
    assert "no workbook" in refuse(read("report_2021.doc"), "fake.xls", spreadsheet.extract_xls)
    assert "no xl/ part" in refuse(read("report_2021.docx"), "fake.xlsx", spreadsheet.extract_xlsx)


def test_password_protected_xlsx_package():
    # Office wraps an encrypted XLSX just like an encrypted DOCX.
    assert "password-protected" in refuse(read("encrypted.docx"), "locked.xlsx", spreadsheet.extract_xlsx)
    assert "password-protected" in refuse(read("encrypted.docx"), "locked.xlsx")


def test_empty_workbook():
    assert "no cells with content" in refuse(_xlsx(openpyxl.Workbook()), "empty.xlsx")


# ----------------------------------------------------------------------------------
# Limits on what is read


@pytest.mark.parametrize("name", ["tables_2021.xls", "tables_2021.xlsx"])
def test_cells_read_per_sheet_are_capped(monkeypatch, name):
    # Sheets of 14x4, 28x10 and 4x15 cells; with 60 cells a sheet, the second
    # is read only in part (its first 6 rows of 10 columns for XLS, its first 60
    # stored cells, the same 6 rows, for XLSX) and the others whole.
    whole = extract(read(name), name=name)
    monkeypatch.setattr(spreadsheet, "MAX_CELLS", 60)
    capped = extract(read(name), name=name)
    assert [(g.n_rows, g.n_cols) for g in whole.tables] == [(14, 4), (28, 10), (4, 15)]
    assert capped.tables[1].n_rows == 6
    assert [capped.tables[i].rows for i in (0, 2)] == [whole.tables[i].rows for i in (0, 2)]


def test_xlsx_member_over_the_limit_is_refused_before_inflating():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(read("tables_2021.xlsx"))) as source, zipfile.ZipFile(buf, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        # 60 MB of one repeated row: 60 KB deflated, a ratio real sheets reach
        # only in small members, so only the size limit refuses it.
        target.writestr("xl/worksheets/sheet9.xml", b"<row/>" * 10_000_000, compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(UnreadableDocument) as info:
        extract(buf.getvalue(), name="huge.xlsx")
    assert "huge.xlsx" in str(info.value)
    assert "Excel (XLSX) member xl/worksheets/sheet9.xml would inflate to 60 MB, over the 50 MB limit" in info.value.reason
