"""DOCX reader: document order, list numbers, merged cells, images, errors.

Fixtures: tests/fixtures/formats (made by make_fixtures.py from the sample
portal's composed 2023 report of 威海市文登区教育局; expected.json says what went in).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from parse.errors import UnreadableDocument
from parse.formats import docx as docx_reader
from parse.formats import extract
from parse.formats.office_numbering import format_number
from parse.report import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lines_in_order(text: str, wanted: list[str]) -> None:
    """Every wanted line is a line of ``text``, in this order."""
    lines = text.splitlines()
    pos = -1
    for w in wanted:
        assert w in lines[pos + 1 :], f"{w!r} missing (or out of order) after line {pos}"
        pos = lines.index(w, pos + 1)


def cell(grid, row_label: str, col_label: str) -> str:
    """The value at the row whose label contains ``row_label`` and the column
    whose header contains ``col_label`` (table 三: header row 2, labels in 0-2)."""
    rows = [r for r in range(grid.n_rows) if any(row_label in grid.cell(r, c) for c in range(3))]
    cols = [c for c in range(grid.n_cols) if any(col_label == grid.cell(h, c) for h in range(3))]
    assert len(rows) == 1 and len(cols) == 1, (row_label, col_label, rows, cols)
    return grid.cell(rows[0], cols[0])


@pytest.fixture(scope="module")
def doc():
    return extract(read("report_2021.docx"), name="report_2021.docx")


def test_text_keeps_title_paragraphs_and_headings_in_order(doc):
    assert doc.media == "docx"
    lines = doc.text.splitlines()
    assert lines[:2] == EXPECTED["title_lines"]
    body = [b for b in EXPECTED["paragraphs"]]
    lines_in_order(doc.text, EXPECTED["title_lines"] + body[:1] + EXPECTED["headings"][:1] + body[1:])
    # Headings are Word list items: Word draws 一、… and so does the reader.
    lines_in_order(doc.text, EXPECTED["headings"])
    for prose in EXPECTED["prose"]:
        assert prose["text"] in doc.text
    assert lines[-1] == EXPECTED["signature_date"]
    assert EXPECTED["running_header"] not in doc.text  # headers/footers are not body text


def test_tables_are_marked_in_their_sections(doc):
    lines = doc.text.splitlines()
    for n, heading in enumerate(EXPECTED["headings"][1:4], start=1):
        assert lines[lines.index(heading) + 1] == f"[table: {n}]"
    assert [g.context for g in doc.tables] == EXPECTED["headings"][1:4]
    assert all(g.source == "docx" for g in doc.tables)


@pytest.mark.parametrize("index, key", [(0, "table2"), (1, "table3"), (2, "table4")])
def test_tables_match_the_portal_layout(doc, index, key):
    grid = doc.tables[index]
    want = EXPECTED["tables"][key]
    assert grid.to_list() == want["rows"]
    assert sorted([r, c, r0, c0] for (r, c), (r0, c0) in grid.span_copies.items()) == want["span_copies"]


def test_table_three_cells(doc):
    t3 = doc.tables[1]
    assert (t3.n_rows, t3.n_cols) == (28, 10)
    assert t3.cell(0, 3) == "申请人情况" and t3.origin(0, 9) == (0, 3)  # colspan 7
    assert t3.cell(2, 3) == "自然人" and t3.origin(2, 3) == (1, 3)  # rowspan 2
    assert t3.cell(2, 4) == "商业企业"
    # 三、本年度办理结果 spans the 22 outcome rows of column 0.
    assert t3.cell(5, 0) == "三、本年度办理结果" and not t3.is_span_copy(5, 0)
    assert t3.cell(26, 0) == "三、本年度办理结果" and t3.origin(26, 0) == (5, 0)
    assert t3.cell(9, 1) == "（三）不予公开" and t3.origin(9, 1) == (7, 1)
    assert cell(t3, "一、本年新收政府信息公开申请数量", "自然人") == "１２"
    assert cell(t3, "一、本年新收政府信息公开申请数量", "法律服务机构") == "1"
    assert cell(t3, "一、本年新收政府信息公开申请数量", "总计") == "13"
    assert cell(t3, "（一）予以公开", "总计") == "7"
    assert cell(t3, "4.保护第三方合法权益", "自然人") == "1"
    assert cell(t3, "1.本机关不掌握相关政府信息", "自然人") == "2"
    assert cell(t3, "（七）总计", "总计") == "13"
    assert t3.cell(27, 0) == "四、结转下年度继续办理"


def test_image_marker_and_list(doc):
    assert [(i.src, i.alt) for i in doc.images] == [("word/media/image1.png", "公章")]
    lines = doc.text.splitlines()
    assert lines[lines.index("[image: 公章]") - 1] == EXPECTED["agency"]


def test_parse_document_reads_metadata_and_template():
    report = parse_document(read("report_2021.docx"), name="x.docx")
    assert report.title == EXPECTED["title"]
    assert report.year == EXPECTED["year"] == 2023
    assert report.agency == EXPECTED["agency"]
    assert report.published == "2024-01-23"
    assert report.format == "2021-template"
    assert not {"tables_missing", "tables_as_images", "content_as_images"} & set(report.warning_codes())


def test_wrong_extension_is_read_by_its_bytes():
    doc = extract(read("report_2021.docx"), name="http://x.gov.cn/P020240123.pdf")
    assert doc.media == "docx" and len(doc.tables) == 3


# --------------------------------------------------------------------------------
# Built in the test: structures the fixture does not have


def _docx_bytes(build) -> bytes:
    document = Document()
    build(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_interleaved_blocks_nested_and_layout_tables_content_controls():
    def build(d):
        d.add_paragraph("甲单位2022年政府信息公开工作年度报告")
        box = d.add_table(rows=1, cols=1)  # a box around a paragraph: text, not a table
        box.cell(0, 0).text = "框内说明文字"
        d.add_paragraph("表前段落")
        t = d.add_table(rows=2, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "指标", "数量"
        t.cell(1, 0).text, t.cell(1, 1).text = "主动公开", "12"
        inner = t.cell(1, 1).add_table(rows=2, cols=2)
        for r in range(2):
            for c in range(2):
                inner.cell(r, c).text = f"内{r}{c}"
        d.add_paragraph("表后段落")
        sdt = parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>控件中的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        )
        d.element.body.insert(len(d.element.body) - 1, sdt)
        p = d.add_paragraph("保留")
        p._p.append(
            parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>删除的</w:delText></w:r></w:del>')
        )
        p.add_run("文字")

    doc = extract(_docx_bytes(build), name="built.docx")
    # A table that wraps another table is a layout table (as in HTML): its
    # cells are text, the inner table is the grid.
    assert doc.text.splitlines() == [
        "甲单位2022年政府信息公开工作年度报告",
        "框内说明文字",
        "表前段落",
        "指标",
        "数量",
        "主动公开",
        "12",
        "[table: 1]",
        "表后段落",
        "控件中的段落",
        "保留文字",
    ]
    (inner,) = doc.tables
    assert inner.rows == [["内00", "内01"], ["内10", "内11"]]
    assert inner.context == "12"


def test_vmerge_and_gridspan_expanded():
    def build(d):
        t = d.add_table(rows=3, cols=3)
        a = t.cell(0, 0).merge(t.cell(2, 0))
        a.text = "纵向合并"
        b = t.cell(0, 1).merge(t.cell(0, 2))
        b.text = "横向合并"
        for r in (1, 2):
            t.cell(r, 1).text, t.cell(r, 2).text = f"{r}a", f"{r}b"

    grid = extract(_docx_bytes(build), name="m.docx").tables[0]
    assert grid.rows == [["纵向合并", "横向合并", "横向合并"], ["纵向合并", "1a", "1b"], ["纵向合并", "2a", "2b"]]
    assert grid.span_copies == {(0, 2): (0, 1), (1, 0): (0, 0), (2, 0): (0, 0)}


@pytest.mark.parametrize(
    "n, fmt, shown",
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCountingThousand", "十一"),
        (3, "decimal", "3"),
        (2, "chineseLegalSimplified", "贰"),
        (3, "decimalEnclosedCircle", "③"),
        (4, "lowerLetter", "d"),
        (4, "upperRoman", "IV"),
        (2, "ideographTraditional", "乙"),
    ],
)
def test_list_number_formats(n, fmt, shown):
    assert format_number(n, fmt) == shown


# --------------------------------------------------------------------------------
# Errors


def refuse(data: bytes, name: str, reader=extract) -> str:
    with pytest.raises(UnreadableDocument) as info:
        reader(data, name=name)
    assert name in str(info.value)
    return info.value.reason


def test_truncated_docx():
    data = read("report_2021.docx")
    assert "corrupt or truncated Word (DOCX)" in refuse(data[: len(data) // 2], "half.docx", docx_reader.extract)
    # Through the dispatcher too (the name says docx; the bytes are a broken ZIP).
    assert "Word (DOCX)" in refuse(data[: len(data) // 2], "half.docx")


def test_password_protected_docx():
    assert "password-protected" in refuse(read("encrypted.docx"), "encrypted.docx")
    assert "password-protected" in refuse(read("encrypted.docx"), "encrypted.docx", docx_reader.extract)


def test_zip_without_word_part():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "no word/ part" in refuse(buf.getvalue(), "fake.docx", docx_reader.extract)


def test_not_a_zip():
    assert "no ZIP signature" in refuse(b"%PDF-1.4 nonsense", "x.docx", docx_reader.extract)


def test_layout_table_read_once_numbers_and_images():
    """A layout table is read as text: its numbered paragraphs count once, its
    images are listed once."""
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(png, "PNG")

    def numbered(paragraph):
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="77"/></w:numPr>')
        )

    def build(d):
        numbering = d.part.numbering_part.element
        numbering.insert(
            0,
            parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                '<w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl>'
                "</w:abstractNum>"
            ),
        )
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="77"><w:abstractNumId w:val="77"/></w:num>'))
        numbered(d.add_paragraph("总体情况"))
        box = d.add_table(rows=1, cols=1)
        numbered(box.cell(0, 0).paragraphs[0])
        box.cell(0, 0).paragraphs[0].add_run("主动公开政府信息情况")
        box.cell(0, 0).add_paragraph().add_run().add_picture(png, width=100000)
        numbered(d.add_paragraph("收到和处理政府信息公开申请情况"))

    doc = extract(_docx_bytes(build), name="layout.docx")
    assert doc.text.splitlines() == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "[image: image1.png]",
        "三、收到和处理政府信息公开申请情况",
    ]
    assert len(doc.images) == 1
