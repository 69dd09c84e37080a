"""The OCR reader (parse/ocr, parse/formats/image.py, scanned pages of PDFs).

The pictures are parts of a real report, tests/gold/real/huaian-szf-2024.pdf,
rendered here with pypdfium2 (1400 px wide, as the PDF reader renders scanned
pages) and cropped, so no picture is committed: the top of table 三 (page 4),
and the report's title (page 1) over table 二 (page 3). The figures asserted are
the gold's (huaian-szf-2024.gold.yaml, read by a person from the PDF).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import socket

import numpy as np
import pytest

from parse.errors import UnreadableDocument
from parse.formats import extract
from parse.formats import image as image_reader
from parse.formats import pdf as pdf_reader
from parse.ocr import OcrText, Token, arrange, locate
from parse.ocr import engine as ocr_engine
from parse.ocr import tiles
from parse.report import parse_document

from conftest import ROOT, run_xxgk

PDF = ROOT / "tests" / "gold" / "real" / "huaian-szf-2024.pdf"
# Parts of pages, as fractions of the page's height and width: the top of
# table 三 (page 4: its heading to the row 1. 属于国家秘密), the title (page 1),
# table 二 up to 行政许可 (page 3).
TABLE3 = (3, 0.39, 0.70)
TITLE = (0, 0.18, 0.26)
TABLE2 = (2, 0.52, 0.93)
LEFT, RIGHT = 0.10, 0.90

# Rows of table 三 on that page, as the gold has them (label, the seven columns).
GOLD_ROWS = {
    "一、本年新收政府信息公开申请数量": [3001, 53, 0, 0, 61, 4, 3119],
    "二、上年结转政府信息公开申请数量": [34, 0, 0, 0, 0, 0, 34],
    "(一)予以公开": [1288, 21, 0, 0, 50, 3, 1362],
    "1. 属于国家秘密": [2, 0, 0, 0, 0, 0, 2],
}
# Table 二's figures in that part, from the gold.
GOLD_TABLE2 = {
    "proactive.rules.issued": 1,
    "proactive.rules.repealed": 0,
    "proactive.rules.in_force": 11,
    "proactive.normative_documents.issued": 8,
    "proactive.normative_documents.repealed": 26,
    "proactive.normative_documents.in_force": 66,
    "proactive.licensing.decisions": 447228,
}


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _fold(s: str) -> str:
    """Spaces and the width of brackets ignored (the OCR reads ）as ) now and then)."""
    return s.replace(" ", "").replace("（", "(").replace("）", ")")


def _row(text: OcrText, label_start: str) -> list[str] | None:
    """The cells of the first pipe row whose label cell starts like ``label_start``."""
    for line in text.lines:
        if line.text.startswith("| "):
            cells = _cells(line.text)
            if any(_fold(c).startswith(_fold(label_start)) for c in cells):
                return cells
    return None


def _part(index: int, top: float, bottom: float) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(PDF))
    try:
        page = document[index]
        image = np.asarray(page.render(scale=1400 / page.get_width()).to_pil().convert("RGB"))
    finally:
        document.close()
    h, w = image.shape[:2]
    return np.ascontiguousarray(image[int(top * h) : int(bottom * h), int(LEFT * w) : int(RIGHT * w)])


@pytest.fixture(scope="module")
def table_picture() -> np.ndarray:
    return _part(*TABLE3)


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def table_png(table_picture) -> bytes:
    return _png(table_picture)


@pytest.fixture(scope="module")
def table_document(table_png):
    return extract(table_png, name="huaian-table3.png")


# --------------------------------------------------------------------------------
# The engine


def test_models_come_from_the_wheel_and_nothing_touches_the_network(monkeypatch):
    import rapidocr

    paths = ocr_engine.model_paths()
    package = rapidocr.__file__.rsplit("/", 1)[0]
    assert all(str(p).startswith(package) and p.is_file() for p in paths.values())

    def no_network(*args, **kwargs):
        raise AssertionError("the OCR touched the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(ocr_engine, "_engine", None)  # a new engine, created under the guard
    picture = np.full((60, 200, 3), 255, dtype=np.uint8)
    assert ocr_engine.read(picture) == []
    engine = ocr_engine.engine()
    assert engine.text_det is not None  # the models were loaded


# --------------------------------------------------------------------------------
# A picture of a real table


def test_picture_of_table_three_reads_the_gold_figures(table_document, table_png):
    doc = table_document
    assert doc.media == "image"
    assert len(doc.ocr) == 1 and doc.ocr[0].sha256 == hashlib.sha256(table_png).hexdigest()
    text = doc.ocr[0].text
    assert doc.text == text.text
    for label, values in GOLD_ROWS.items():
        cells = _row(text, label)
        assert cells is not None, label
        assert [int(c) for c in cells[-7:]] == values, (label, cells)
    # the wrapped label comes as one cell, its values after it
    cells = _row(text, "（二）部分公开")
    assert _fold(cells[0]) == _fold("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    assert [int(c) for c in cells[1:]] == [447, 7, 0, 0, 0, 0, 454]


def test_a_figure_is_traced_to_its_token(table_document):
    text = table_document.ocr[0].text
    index = next(i for i, ln in enumerate(text.lines) if "一、本年新收" in ln.text)
    token = locate(text, index, "3119")
    assert token is not None and token.text == "3119" and token.confidence > 0.9
    natural = locate(text, text.lines[index].text, "3001")
    assert natural.x1 < token.x0  # 自然人 stands left of 总计
    assert abs(natural.cy - token.cy) < natural.height  # on one row
    assert locate(text, index, "9999") is None


def test_parse_picture_from_the_command_line(tmp_path):
    """``xxgk parse picture.png --json``: the report's title over its table 二,
    as one picture; the figures are the gold's."""
    path = tmp_path / "report-table2.png"
    path.write_bytes(_png(np.vstack([_part(*TITLE), _part(*TABLE2)])))
    result = run_xxgk("parse", str(path), "--json", timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == "淮安市人民政府2024年政府信息公开工作年度报告" and data["year"] == 2024
    metrics = {m["key"]: m["value"] for m in data["metrics"]}
    assert {k: metrics.get(k) for k in GOLD_TABLE2} == GOLD_TABLE2


def test_scanned_pdf_page_is_read_by_ocr(table_picture):
    from PIL import Image

    rows = table_picture[int(0.48 * len(table_picture)) : int(0.68 * len(table_picture))]  # rows 一 and 二
    buf = io.BytesIO()
    Image.fromarray(rows).convert("L").save(buf, "PDF", resolution=170)
    doc = pdf_reader.extract(buf.getvalue(), name="scan.pdf")
    assert doc.ocr and doc.ocr[0].page == 1 and not doc.images
    assert doc.ocr[0].sha256 == hashlib.sha256(buf.getvalue()).hexdigest()  # the PDF the crop is cut from
    assert "[image:" not in doc.text
    found = {ln.split("|")[1].strip(): _cells(ln)[1:] for ln in doc.text.splitlines() if ln.startswith("| ")}
    assert found["一、本年新收政府信息公开申请数量"] == ["3001", "53", "0", "0", "61", "4", "3119"]
    assert found["二、上年结转政府信息公开申请数量"] == ["34", "0", "0", "0", "0", "0", "34"]


# --------------------------------------------------------------------------------
# Tiles


def test_tile_merge_keeps_a_token_cut_by_an_edge_once():
    """Tokens that stand across a tile edge are read cut by one tile and whole
    by the other: each comes out once, whole."""
    width, height = 1200, 2600
    picture = np.zeros((height, width, 3), dtype=np.uint8)
    layout = tiles.tile_origins(width, height)
    assert len(layout) >= 3
    edge = layout[0].y1  # the first tile's bottom edge, inside the second tile
    truth = [
        Token("一、本年新收政府信息公开申请数量", (100, edge - 12, 500, edge + 12), 0.99),  # cut by the edge
        Token("3119", (900, edge - 30, 960, edge - 6), 0.99),  # in the overlap, whole in both tiles
        Token("上年结转", (100, 40, 300, 64), 0.99),
        Token("34", (900, height - 80, 930, height - 56), 0.99),
    ]

    def reader(part):
        # where the picture is this tile: every token it touches, cut to it
        tile = layout[len(seen)]  # tiles are read in order
        assert part.shape[:2] == (tile.y1 - tile.y0, tile.x1 - tile.x0)
        seen.append(tile)
        out = []
        for t in truth:
            y0, y1 = max(t.y0, tile.y0), min(t.y1, tile.y1)
            if y1 <= y0:
                continue
            cut = (y0, y1) != (t.y0, t.y1)
            text = t.text[: len(t.text) // 2] if cut else t.text  # a cut token reads as garbage
            out.append(Token(text, (t.x0 - tile.x0, y0 - tile.y0, t.x1 - tile.x0, y1 - tile.y0), 0.6 if cut else 0.99))
        return out

    seen: list = []
    merged = tiles._read_tiles(picture, reader)
    assert len(seen) == len(layout)
    assert sorted(t.text for t in merged) == sorted(t.text for t in truth)
    for t in truth:
        (got,) = [m for m in merged if m.text == t.text]
        assert got.box == pytest.approx(t.box)


def test_tall_picture_is_read_in_tiles(table_picture):
    """A picture taller than a tile: read in tiles, each line once, the rows
    that a tile edge cuts read whole from the next tile."""
    rows = table_picture[int(0.48 * len(table_picture)) :]  # rows 一 to 1.
    h, w = rows.shape[:2]
    height = 2000
    layout = tiles.tile_origins(w, height)
    assert len(layout) >= 2
    tall = np.full((height, w, 3), 255, dtype=np.uint8)
    # the rows placed so that the first tile's bottom edge runs through them
    top = max(0, layout[0].y1 - h // 2)
    tall[top : top + h] = rows
    calls = []

    def reader(part):
        calls.append(part.shape)
        return ocr_engine.read(part)

    text = arrange(tiles.read_picture(tall, reader=reader))
    assert len(calls) == len(layout)
    for label, values in GOLD_ROWS.items():
        cells = _row(text, label)
        assert cells is not None, label
        assert [int(c) for c in cells[-7:]] == values, (label, cells)
    labels = [ln.text for ln in text.lines if "本年新收" in ln.text or "上年结转" in ln.text]
    assert len(labels) == 2  # no row twice


def test_small_text_is_enlarged_and_large_text_shrunk():
    picture = np.zeros((1000, 800, 3), dtype=np.uint8)

    def boxes_of(height):
        return lambda part: [(10, 10 + 40 * k, 300, 10 + 40 * k + height) for k in range(10)]

    assert tiles.choose_scale(picture, detector=boxes_of(12)) == pytest.approx(tiles.TARGET_TEXT_HEIGHT / 12)
    assert tiles.choose_scale(picture, detector=boxes_of(23)) == 1.0
    assert tiles.choose_scale(picture, detector=boxes_of(64)) == pytest.approx(tiles.SHRUNK_TEXT_HEIGHT / 64)
    assert tiles.choose_scale(picture, detector=lambda part: []) == 1.0


# --------------------------------------------------------------------------------
# Layout (tokens made up, no OCR)


def _table_tokens(skew_degrees: float = 0.0) -> list[Token]:
    """Three rows of a table, turned by ``skew_degrees`` about the origin."""
    rows = [
        ("一、本年新收政府信息公开申请数量", ["80", "1", "0", "0", "0", "0", "81"]),
        ("二、上年结转政府信息公开申请数量", ["0", "0", "0", "0", "0", "0", "0"]),
        ("（一）予以公开", ["22", "", "0", "0", "0", "0", "22"]),  # a blank cell
    ]
    a = math.radians(skew_degrees)
    out = []
    for r, (label, values) in enumerate(rows):
        y = 100 + 50 * r
        boxes = [(label, 40, 400)] + [(v, 450 + 80 * k, 450 + 80 * k + 12 * len(v)) for k, v in enumerate(values) if v]
        for text, x0, x1 in boxes:
            cx, cy = (x0 + x1) / 2, y + 11
            # the centre turned; the box grows by what the tilt adds
            tx, ty = cx * math.cos(a) - cy * math.sin(a), cx * math.sin(a) + cy * math.cos(a)
            half_w, half_h = (x1 - x0) / 2, 11 + (x1 - x0) / 2 * abs(math.sin(a))
            out.append(Token(text, (tx - half_w, ty - half_h, tx + half_w, ty + half_h), 0.99, skew_degrees))
    return out


@pytest.mark.parametrize("skew", [0.0, 2.0, -2.0])
def test_rows_are_found_on_a_skewed_page(skew):
    text = arrange(_table_tokens(skew))
    assert text.skew == pytest.approx(skew)
    assert text.text.splitlines() == [
        "| 一、本年新收政府信息公开申请数量 | 80 | 1 | 0 | 0 | 0 | 0 | 81 |",
        "| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| （一）予以公开 | 22 |  | 0 | 0 | 0 | 0 | 22 |",
    ]
    assert [len(ln.tokens) for ln in text.lines] == [8, 8, 7]


def test_a_wrapped_label_is_one_cell_and_prose_stays_text():
    tokens = [
        Token("（二）部分公开（区分处理的，", (200, 100, 480, 122), 0.99),
        Token("447", (520, 112, 550, 134), 0.99),
        Token("454", (990, 112, 1020, 134), 0.99),
        Token("只计这一情形，不计其他情形）", (200, 126, 480, 148), 0.99),
        Token("2024年，全市共受理政府信息公开申请3119件。", (100, 200, 1000, 224), 0.99),
    ]
    text = arrange(tokens)
    assert text.text.splitlines() == [
        "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 447 | 454 |",
        "2024年，全市共受理政府信息公开申请3119件。",
    ]
    assert locate(text, 1, "3119").text.startswith("2024年")


def test_narrow_columns_that_touch_are_still_columns():
    # the boxes of pingtan-syq-2022's table 三 as Chromium drew it (tests/gold/real, png):
    # 自然人 and 商业企业 are 33 and 22 pixels wide, a 2-digit value reaches its neighbour's
    # first pixel, and the detector reads 属于国家秘密 with the 自然人 value after it
    xs = [(304, 337), (339, 359), (386, 403), (434, 454), (483, 503), (528, 545), (563, 597)]
    rows = [("一、本年新收政府信息公开申请数量", ["71", "3", "0", "0", "0", "0", "74"]),
            ("（一）予以公开", ["21", "10", "0", "0", "0", "0", "31"]),
            ("(七)总计", ["72", "3", "0", "0", "0", "0", "75"])]
    tokens = []
    for r, (label, values) in enumerate(rows):
        y = 2900 + 60 * r
        tokens.append(Token(label, (14, y, 14 + 18 * len(label), y + 26), 0.99))
        for (x0, x1), v in zip(xs, values):
            if v == "10":  # this one starts where 自然人's values end
                x0 = 337
            tokens.append(Token(v, (x0, y, x1, y + 26), 0.99))
    y = 3080
    tokens.append(Token("1. 属于国家秘密0", (173, y, 326, y + 28), 0.95))
    tokens += [Token("0", (x0, y, x1, y + 26), 0.99) for x0, x1 in xs[1:]]
    lines = arrange(tokens).text.splitlines()
    assert lines[1] == "| （一）予以公开 | 21 | 10 | 0 | 0 | 0 | 0 | 31 |"
    assert lines[3] == "| 1. 属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"


def test_blank_cells_and_rings_among_values_are_marked_for_a_second_look():
    tokens = _table_tokens()
    # a fourth row, its 商业企业 value read as 。
    tokens.append(Token("（二）部分公开", (40, 250, 400, 272), 0.99))
    tokens += [Token("0", (450 + 80 * k, 250, 462 + 80 * k, 272), 0.99) for k in range(7) if k != 1]
    ring = Token("。", (531, 252, 541, 270), 0.7)
    text = arrange(tokens + [ring])
    blank = [r for r in text.rechecks if r.token is None]
    rings = [r for r in text.rechecks if r.token is not None]
    # （一）予以公开's blank 商业企业 cell: centred on its column (x 530-542), at its row (y 200-222),
    # short of the neighbouring columns' values
    assert len(blank) == 1
    x0, y0, x1, y1 = blank[0].box
    assert 462 < x0 < 530 and 542 < x1 < 610 and y0 < 205 and y1 > 217
    assert [r.token for r in rings] == [ring] and rings[0].box[0] < ring.x0 and rings[0].box[2] > ring.x1


def test_a_value_the_label_box_pushed_off_its_row_joins_it_again():
    # pingtan-syq-2022's table 三 as Chromium drew it: 3. 补正后申请内 / 容仍不明确 wrapped in its
    # ruled cell, its 自然人 value 0 at the row's height but under the label's box (which reaches
    # past the cell's border), so the line grouping set it apart
    from parse.ocr.rules import Rule

    borders = [Rule(440.0 + 80 * k, 90.0, 441.0 + 80 * k, 310.0) for k in range(8)]
    tokens = _table_tokens()
    tokens.append(Token("3. 补正后申请内", (40, 246, 460, 272), 0.99))
    tokens += [Token("0", (450 + 80 * k, 252, 462 + 80 * k, 274), 0.99) for k in range(1, 7)]
    pushed = Token("0", (452, 253, 462, 273), 0.99)
    lines = arrange(tokens + [pushed], column_rules=borders).text.splitlines()
    assert lines[3:] == ["| 3. 补正后申请内 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"]
    # a row a line below is a row of its own, whatever columns it fills
    lines = arrange(tokens + [Token("5", (452, 283, 462, 303), 0.99)], column_rules=borders).text.splitlines()
    assert lines[3:] == ["| 3. 补正后申请内 |  | 0 | 0 | 0 | 0 | 0 | 0 |", "| 5 |"]


def test_two_cells_values_read_as_one_box_are_cut_at_the_border():
    # pingtan-syq-2022 as a JPEG of quality 60: 四、结转下年度继续办理's first two 0s read as one
    # box "0 0"; it is no label (which would push the table's first column out), but two values
    from parse.ocr.rules import Rule

    borders = [Rule(440.0 + 80 * k, 90.0, 441.0 + 80 * k, 310.0) for k in range(8)]
    tokens = _table_tokens()
    tokens.append(Token("四、结转下年度继续办理", (40, 250, 400, 272), 0.99))
    tokens.append(Token("0 0", (452, 250, 542, 272), 0.98))
    tokens += [Token("0", (450 + 80 * k, 250, 462 + 80 * k, 272), 0.99) for k in range(2, 7)]
    lines = arrange(tokens, column_rules=borders).text.splitlines()
    assert lines[2:] == ["| （一）予以公开 | 22 |  | 0 | 0 | 0 | 0 | 22 |",
                         "| 四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"]


def _ruled_cell(ink: bool) -> np.ndarray:
    """A table cell 60 x 24 pixels between two vertical rules and under a horizontal one."""
    cell = np.full((24, 60, 3), 255, np.uint8)
    cell[:, 2] = cell[:, 57] = 0
    cell[1, :] = 90
    if ink:
        cell[8:16, 26:31] = 0
    return cell


def test_a_second_look_reads_only_ink_clear_of_the_rules():
    from parse.ocr.layout import Recheck
    from parse.ocr.recheck import recheck

    asked = []

    def recogniser(picture):
        asked.append(picture.shape)
        return "0", 0.97

    place = Recheck((0, 0, 60, 24), 16.0)
    found, replaced = recheck(_ruled_cell(ink=False), [place], recogniser=recogniser)
    assert found == [] and replaced == [] and asked == []  # rules only: a blank cell stays blank
    found, _ = recheck(_ruled_cell(ink=True), [place], recogniser=recogniser)
    assert [(t.text, t.box, t.misread) for t in found] == [("0", (26.0, 8.0, 31.0, 16.0), "")]
    assert asked and asked[0][0] > 32  # the ink alone, enlarged and framed
    # a ring the look cannot read as a number is a 0 in doubt, saying what was read
    ring = Token("o", (20.0, 6.0, 36.0, 18.0), 0.95)
    found, replaced = recheck(_ruled_cell(ink=True), [Recheck((0, 0, 60, 24), 16.0, ring)],
                              recogniser=lambda picture: ("", 0.0))
    assert replaced == [ring] and [(t.text, t.misread, t.confidence) for t in found] == [("0", "o", 0.95)]
    # ink running to the cut's edge is a neighbour's: left alone
    found, _ = recheck(_ruled_cell(ink=True), [Recheck((28, 0, 60, 24), 16.0)], recogniser=recogniser)
    assert found == []


# --------------------------------------------------------------------------------
# Damaged pictures


def test_corrupt_png_is_unreadable_and_names_the_file(table_png):
    with pytest.raises(UnreadableDocument) as info:
        extract(table_png[: len(table_png) // 3], name="cut-table.png")
    assert "cut-table.png" in str(info.value) and "corrupt or truncated image file" in info.value.reason
    with pytest.raises(UnreadableDocument) as info:
        parse_document(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, name="noise.png")
    assert "noise.png" in str(info.value)


def test_picture_over_the_pixel_limit_is_refused(monkeypatch, table_png):
    monkeypatch.setattr(image_reader, "MAX_PIXELS", 1000)
    with pytest.raises(UnreadableDocument) as info:
        extract(table_png, name="huge.png")
    assert "huge.png" in str(info.value) and "million-pixel limit" in info.value.reason


def test_ocr_failure_is_unreadable(monkeypatch, table_png):
    def broken(image):
        raise ocr_engine.OcrError("the OCR failed on the picture (RuntimeError: onnx)")

    monkeypatch.setattr("parse.ocr.pages.read_picture", lambda image, **_: broken(image))
    with pytest.raises(UnreadableDocument) as info:
        extract(table_png, name="table.png")
    assert "table.png" in str(info.value) and "OCR failed" in info.value.reason
