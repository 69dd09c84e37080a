"""PDF reader: paragraphs, running headers/footers, tables split over pages,
scanned PDFs, passwords and damaged files.

Fixtures (tests/fixtures/formats, see make_fixtures.py): report_2021.pdf and
report_2021_repeat_header.pdf are the DOCX fixture printed by LibreOffice; in
both, table 三 runs over a page break (in the second with its three header rows
repeated on the new page).
"""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest

from parse.errors import UnreadableDocument
from parse.formats import extract
from parse.formats import pdf as pdf_reader
from parse.report import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
SPLIT_PDFS = ["report_2021.pdf", "report_2021_repeat_header.pdf"]


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def docs():
    return {name: extract(read(name), name=name) for name in SPLIT_PDFS}


def copies(grid) -> list[list[int]]:
    return sorted([r, c, r0, c0] for (r, c), (r0, c0) in grid.span_copies.items())


# --------------------------------------------------------------------------------
# The fixtures are what the tests claim


def _parts_of_table_three(name: str) -> list[tuple[int, list[list[str | None]]]]:
    """(page number, pdfplumber's rows) of each table part holding table 三 rows."""
    out = []
    with pdfplumber.open(FIXTURES / name) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                rows = table.extract()
                text = "".join(c or "" for row in rows for c in row)
                if "本年度办理结果" in text or "结转下年度继续办理" in text or "申请人情况" in text:
                    out.append((page.page_number, rows))
    return out


@pytest.mark.parametrize("name", SPLIT_PDFS)
def test_fixture_splits_table_three_over_a_page_break(name):
    parts = _parts_of_table_three(name)
    assert len(parts) == 2 and parts[1][0] == parts[0][0] + 1
    (_, first), (_, second) = parts
    repeated = "申请人情况" in "".join(c or "" for row in second for c in row)
    assert repeated == (name == "report_2021_repeat_header.pdf")
    # The break cuts merged cells: the group label （四）无法提供 is split in
    # two, and the 三、本年度办理结果 column continues as an empty cell.
    continued = second[3] if repeated else second[0]
    assert first[-1][1] == "（四）无" and continued[:2] == ["", "法提供"]


# --------------------------------------------------------------------------------
# Text


@pytest.mark.parametrize("name", SPLIT_PDFS)
def test_text_is_the_documents_paragraphs_in_order(docs, name):
    doc = docs[name]
    assert doc.media == "pdf"
    lines = doc.text.splitlines()
    assert lines[:2] == EXPECTED["title_lines"]
    # Paragraphs broken over several lines (and over page breaks) are whole again.
    paragraphs = EXPECTED["paragraphs"]
    wanted = EXPECTED["title_lines"] + paragraphs[:1] + EXPECTED["headings"][:1] + paragraphs[1:]
    pos = -1
    for w in wanted:
        assert w in lines[pos + 1 :], f"{w!r} missing or out of order"
        pos = lines.index(w, pos + 1)
    for prose in EXPECTED["prose"]:
        assert prose["text"] in doc.text  # 主动公开政府信息512条, 发布各类信息1,046条
    assert lines[-2:] == [EXPECTED["agency"], EXPECTED["signature_date"]]


@pytest.mark.parametrize("name", SPLIT_PDFS)
def test_running_header_and_page_numbers_removed(docs, name):
    text = docs[name].text
    assert EXPECTED["running_header"] not in text
    for line in text.splitlines():
        assert not pdf_reader._PAGE_NUMBER.match(line), line
    assert "第 1 页" not in text and "- 1 -" not in text


def test_same_text_as_the_docx_it_was_printed_from(docs):
    from_docx = extract(read("report_2021.docx"), name="report_2021.docx")

    def no_images(text: str) -> list[str]:
        return [ln for ln in text.splitlines() if not ln.startswith("[image:")]

    for doc in docs.values():
        assert no_images(doc.text) == no_images(from_docx.text)


@pytest.mark.parametrize(
    "line, is_number",
    [
        ("- 3 -", True),
        ("—12—", True),
        ("3", True),
        ("第 3 页", True),
        ("第3页 共9页", True),
        ("共 9 页 第 3 页", True),
        ("3/9", True),
        ("Page 2 of 5", True),
        ("2023年", False),
        ("2023", False),
        ("一、总体情况", False),
        ("第二十条第（一）项", False),
    ],
)
def test_page_number_lines(line, is_number):
    assert bool(pdf_reader._PAGE_NUMBER.match(line)) == is_number


# --------------------------------------------------------------------------------
# Tables


@pytest.mark.parametrize("name", SPLIT_PDFS)
def test_tables_marked_in_their_sections(docs, name):
    doc = docs[name]
    lines = doc.text.splitlines()
    assert len(doc.tables) == 3
    for n, heading in enumerate(EXPECTED["headings"][1:4], start=1):
        assert lines[lines.index(heading) + 1] == f"[table: {n}]"
    assert [g.context for g in doc.tables] == EXPECTED["headings"][1:4]
    assert all(g.source == "pdf" for g in doc.tables)


@pytest.mark.parametrize("name", SPLIT_PDFS)
@pytest.mark.parametrize("index, key", [(0, "table2"), (1, "table3"), (2, "table4")])
def test_tables_match_the_portal_layout(docs, name, index, key):
    grid = docs[name].tables[index]
    assert grid.to_list() == EXPECTED["tables"][key]["rows"]
    assert copies(grid) == EXPECTED["tables"][key]["span_copies"]


@pytest.mark.parametrize("name", SPLIT_PDFS)
def test_split_table_three_is_one_grid(docs, name):
    t3 = docs[name].tables[1]
    assert (t3.n_rows, t3.n_cols) == (28, 10)
    assert t3.column(0)[:3] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3
    # Header rows appear once, even where the PDF repeats them.
    assert sum(1 for r in range(t3.n_rows) if t3.cell(r, 3) == "申请人情况") == 1
    # The 22-row 三、本年度办理结果 cell is cut by the page break; it is one cell again.
    assert t3.cell(5, 0) == "三、本年度办理结果"
    assert all(t3.origin(r, 0) == (5, 0) for r in range(6, 27))
    # So is a group label cut by the break: every 无法提供 row names its group.
    for r in range(t3.n_rows):
        if t3.cell(r, 2).startswith(("1.本机关不掌握", "2.没有现成信息", "3.补正后申请")):
            assert t3.cell(r, 1) == "（四）无法提供"
    last = t3.row(26)
    assert last[:3] == ["三、本年度办理结果", "（七）总计", "（七）总计"] and last[3:] == [
        "12",
        "0",
        "0",
        "0",
        "1",
        "0",
        "13",
    ]
    assert t3.row(3)[3] == "１２"


# --------------------------------------------------------------------------------
# The report parser on PDFs


@pytest.mark.parametrize("name", SPLIT_PDFS)
def test_parse_document_reads_metadata_and_template(name):
    report = parse_document(read(name), name="x.pdf")
    assert report.title == EXPECTED["title"]
    assert report.year == 2023
    assert report.agency == EXPECTED["agency"]
    assert report.published == "2024-01-23"
    assert report.format == "2021-template"
    assert not {"tables_missing", "tables_as_images", "content_as_images"} & set(report.warning_codes())


def test_seal_image_listed():
    doc = extract(read("report_2021.pdf"), name="report_2021.pdf")
    assert len(doc.images) == 1 and doc.images[0].src.startswith("page")
    assert "[image: page " in doc.text


def test_scanned_pdf_is_images_and_no_text(monkeypatch):
    # The pages are scans (parse/ocr reads them), but of bars, not text: the
    # OCR finds nothing and the pages stay images.
    doc = extract(read("scanned.pdf"), name="scanned.pdf")
    assert doc.text.splitlines() == ["[image: page 1 image 1]", "[image: page 2 image 1]"]
    assert len(doc.images) == 2 and not doc.tables and not doc.ocr
    monkeypatch.setattr(pdf_reader, "MAX_OCR_PAGES", 0)  # the same pages, not OCR'd again
    report = parse_document(read("scanned.pdf"), name="scanned.pdf")
    assert "content_as_images" in report.warning_codes()


def test_scanned_pages_over_the_ocr_budget_are_a_warning(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_OCR_PAGES", 1)  # page 1 read (bars: no text), page 2 not
    doc = extract(read("scanned.pdf"), name="scanned.pdf")
    assert doc.ocr_unread == [2]
    report = parse_document(read("scanned.pdf"), name="scanned.pdf")
    budget = next(w for w in report.warnings if w.code == "ocr_budget")
    assert budget.detail == {"pages": [2], "budget": 1}
    assert "(pages 2)" in budget.message and "absent, not zero" in budget.message


def test_owner_password_only_is_readable():
    doc = extract(read("owner_password.pdf"), name="owner_password.pdf")
    assert EXPECTED["paragraphs"][0] in doc.text.splitlines()


# --------------------------------------------------------------------------------
# Errors


def refuse(data: bytes, name: str) -> str:
    with pytest.raises(UnreadableDocument) as info:
        extract(data, name=name)
    assert name in str(info.value)
    return info.value.reason


def test_user_password():
    assert "password-protected" in refuse(read("encrypted.pdf"), "encrypted.pdf")


@pytest.mark.parametrize("cut", [0.5, 0.05])
def test_truncated_pdf(cut):
    data = read("report_2021.pdf")
    reason = refuse(data[: int(len(data) * cut)], "cut.pdf")
    assert "truncated" in reason


def test_damaged_pdf():
    data = b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
    assert "corrupt" in refuse(data, "damaged.pdf")


def test_pdf_without_pages_or_root():
    assert "corrupt" in refuse(b"%PDF-1.7\n%%EOF\n", "empty.pdf")


def test_pdf_named_htm_is_read_as_pdf(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_OCR_PAGES", 0)  # (its scanned pages need no OCR here)
    doc = extract(read("scanned.pdf"), name="report.htm")
    assert doc.media == "pdf"


def test_undecodable_text_layer_is_refused(monkeypatch):
    original = pdf_reader._read_page

    def garbled(page, number):
        out = original(page, number)
        for line in out.lines:
            line.text = "(cid:12)" * len(line.text)
        for part in out.tables:
            part.cells = [(*c[:4], "(cid:7)") for c in part.cells]
        return out

    monkeypatch.setattr(pdf_reader, "_read_page", lambda page, number: _cleaned(garbled(page, number)))
    assert "cannot be decoded" in refuse(read("owner_password.pdf"), "garbled.pdf")


def _cleaned(page):
    for line in page.lines:
        line.text = pdf_reader._clean(line.text)
    return page


# --------------------------------------------------------------------------------
# Joining table parts (unit tests on hand-made parts: x edges 0/50/100/150)


def _part(page: int, rows: list[list[tuple[int, int, str]]]) -> pdf_reader.TablePart:
    """Cells given per row as (column, rowspan, text); each row is 10 high and
    each cell one column wide."""
    cells = []
    for r, row in enumerate(rows):
        for c, span, text in row:
            cells.append((c * 50.0, r * 10.0, (c + 1) * 50.0, (r + span) * 10.0, text))
    bottom = max(c[3] for c in cells)
    return pdf_reader.TablePart(page=page, bbox=(0.0, 0.0, 150.0, bottom), cells=cells)


def test_join_empty_continuation_of_a_merged_cell():
    a = _part(
        1,
        [
            [(0, 2, "三、本年度办理结果"), (1, 1, "（一）予以公开"), (2, 1, "6")],
            [(1, 1, "（二）部分公开"), (2, 1, "2")],
        ],
    )
    b = _part(2, [[(0, 2, ""), (1, 1, "（七）总计"), (2, 1, "12")], [(1, 1, "四、其他"), (2, 1, "0")]])
    assert pdf_reader._same_columns(a, b)
    grid = pdf_reader._grid_of_parts([a, b])
    assert grid.column(0) == ["三、本年度办理结果"] * 4
    assert [grid.origin(r, 0) for r in range(4)] == [(0, 0)] * 4
    assert grid.column(2) == ["6", "2", "12", "0"]  # values are never joined


def test_join_the_rest_of_a_cut_label():
    a = _part(
        1,
        [
            [(0, 1, "（三）不予公开"), (1, 1, "8.属于行政查询事项"), (2, 1, "0")],
            [(0, 1, "（四）无"), (1, 1, "1.本机关不掌握相关政府信息"), (2, 1, "2")],
        ],
    )
    b = _part(
        2,
        [
            [(0, 2, "法提供"), (1, 1, "2.没有现成信息需要另行制作"), (2, 1, "0")],
            [(1, 1, "3.补正后申请内容仍不明确"), (2, 1, "0")],
        ],
    )
    grid = pdf_reader._grid_of_parts([a, b])
    assert grid.column(0) == ["（三）不予公开", "（四）无法提供", "（四）无法提供", "（四）无法提供"]
    assert grid.origin(3, 0) == (1, 0)


def test_a_new_numbered_label_is_not_joined():
    a = _part(1, [[(0, 2, "（四）无法提供"), (1, 1, "1.甲"), (2, 1, "1")], [(1, 1, "2.乙"), (2, 1, "0")]])
    b = _part(2, [[(0, 2, "（五）不予处理"), (1, 1, "1.丙"), (2, 1, "0")], [(1, 1, "2.丁"), (2, 1, "0")]])
    grid = pdf_reader._grid_of_parts([a, b])
    assert grid.column(0) == ["（四）无法提供"] * 2 + ["（五）不予处理"] * 2


def test_repeated_header_rows_dropped_over_three_pages():
    header = [(0, 1, "指标"), (1, 1, "单位"), (2, 1, "数量")]
    a = _part(1, [header, [(0, 1, "主动公开"), (1, 1, "条"), (2, 1, "512")]])
    b = _part(2, [header, [(0, 1, "依申请公开"), (1, 1, "件"), (2, 1, "13")]])
    c = _part(3, [header, [(0, 1, "行政复议"), (1, 1, "件"), (2, 1, "0")]])
    grid = pdf_reader._grid_of_parts([a, b, c])
    assert grid.column(0) == ["指标", "主动公开", "依申请公开", "行政复议"]


def test_other_columns_are_another_table():
    a = _part(1, [[(0, 1, "a"), (1, 1, "b")], [(0, 1, "c"), (1, 1, "d")]])
    b = pdf_reader.TablePart(
        page=2, bbox=(0.0, 0.0, 300.0, 20.0), cells=[(0.0, 0.0, 120.0, 10.0, "x"), (120.0, 0.0, 300.0, 10.0, "y")]
    )
    assert not pdf_reader._same_columns(a, b)


def test_visual_lines_joined_into_paragraphs():
    def line(x0, x1, top, text):
        return pdf_reader._Item(1, top, "line", line=pdf_reader.Line(1, top, top + 16, x0, x1, text, 16.0), text=text)

    items = [
        line(112, 516, 100, "（一）主动公开。全年主动公开政府信"),  # full line: runs on
        line(80, 300, 128, "息1,236条。"),
        line(112, 330, 156, "本报告电子版可在门户网站（"),  # stops short before an unbreakable URL
        line(80, 400, 184, "http://www.example.gov.cn/）查阅。"),
        line(112, 210, 212, "二、主动公开政府信息情况"),  # a heading: short, stands alone
        line(112, 516, 240, "2023年，全年主动公开政府信息512条，其中通过政府网站公"),
        line(80, 516, 268, "开480条，通过政务新媒体公开32条。Open Government"),
        line(80, 300, 296, "Information report."),
    ]
    assert pdf_reader._paragraphs(items, {1: (80.0, 520.0)}) == [
        "（一）主动公开。全年主动公开政府信息1,236条。",
        "本报告电子版可在门户网站（http://www.example.gov.cn/）查阅。",
        "二、主动公开政府信息情况",
        "2023年，全年主动公开政府信息512条，其中通过政府网站公开480条，通过政务新媒体公开32条。Open Government Information report.",
    ]


# ---------------------------------------------------------------------------------
# Tables without ruling lines (real reports printed without their borders)

REAL = Path(__file__).parent / "gold" / "real"


def test_unruled_table_rows_get_their_blank_cells_back():
    # 沭阳县发改局 2023: only 自然人 and 总计 filled; the header's stacked words
    # (自然 / 人, 商业 / 企业 …) give the seven columns
    doc = extract((REAL / "shuyang-fgj-2023.unruled.pdf").read_bytes(), name="shuyang-fgj-2023.unruled.pdf")
    assert not doc.tables
    lines = doc.text.split("\n")
    assert "一、本年新收政府信息公开申请数量 | 26 |  |  |  |  |  | 26" in lines
    assert "（七）总计 | 26 |  |  |  |  |  | 26" in lines
    # narrow tables (表二) and full rows (表四) stay as they were
    assert "规范性文件8 0 18" in lines
    assert "0 0 0 1 1 0 0 0 0 0 0 0 0 0 0" in lines


def test_unruled_full_rows_are_not_run_together():
    doc = extract((REAL / "pingtan-syq-2023.unruled.pdf").read_bytes(), name="pingtan-syq-2023.unruled.pdf")
    lines = doc.text.split("\n")
    assert "一、本年新收政府信息公开申请数量80 1 0 0 0 0 81" in lines
    assert "二、上年结转政府信息公开申请数量0 0 0 0 0 0 0" in lines


# ----------------------------------------------------------------------------------
# Limits, checked before the work they bound


def _pdf_of_pages(n: int) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    sheet = canvas.Canvas(buf)
    for i in range(n):
        sheet.drawString(72, 400, f"Section {i + 1} of the report")
        sheet.showPage()
    sheet.save()
    return buf.getvalue()


def test_pdf_over_the_page_limit_is_refused_before_reading_pages():
    import time

    data = _pdf_of_pages(pdf_reader.MAX_PAGES + 1)
    started = time.monotonic()
    reason = refuse(data, "compendium.pdf")
    assert f"more than {pdf_reader.MAX_PAGES} pages, over the {pdf_reader.MAX_PAGES}-page limit" in reason
    assert time.monotonic() - started < 5  # reading 301 pages would take longer


def test_pdf_under_the_page_limit_is_read():
    doc = extract(_pdf_of_pages(3), name="short.pdf")
    assert "Section 3 of the report" in doc.text


def test_page_with_too_many_characters_is_refused(monkeypatch):
    # The fixture's pages have 453, 500, 551 and 39 characters.
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_CHARS", 200)
    reason = refuse(read("report_2021.pdf"), "dense.pdf")
    assert "page 1 of the PDF has" in reason and "characters, over the 200 limit" in reason


def test_document_text_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_TEXT_CHARS", 1000)  # pages of 453, 500, 551, 39 characters
    reason = refuse(read("report_2021.pdf"), "long.pdf")
    assert "the PDF's text exceeds 1,000 characters by page 3, over the limit" in reason
