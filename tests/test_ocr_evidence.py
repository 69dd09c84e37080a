"""Figures read by OCR carry their picture, box and confidence; doubtful ones are uncertain.

The material is real: page 4 of 淮安市人民政府 2024's PDF (tests/gold/real), the
page holding 表二 and most of 表三, rendered to a picture (pypdfium2, scale 2)
and read by OCR. Its figures are checked against the figures a person read off
that report (its gold file).
"""

from __future__ import annotations

import copy
import dataclasses
import io
from pathlib import Path

import pytest

from parse.figures.derived import SUMS
from parse.figures import ocr_evidence
from parse.formats import extract
from parse.report import build_report

REAL = Path(__file__).parent / "gold" / "real"


@pytest.fixture(scope="module")
def page_doc():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(REAL / "huaian-szf-2024.pdf"))
    out = io.BytesIO()
    pdf[3].render(scale=2.0).to_pil().save(out, format="PNG")
    return extract(out.getvalue(), name="huaian-szf-2024-p4.png")


@pytest.fixture(scope="module")
def gold() -> dict[str, float]:
    import yaml

    figures = yaml.safe_load((REAL / "huaian-szf-2024.gold.yaml").read_text(encoding="utf-8"))["figures"]
    return {k: float(v["value"]) for part in ("table", "prose") for k, v in (figures.get(part) or {}).items()
            if isinstance(v, dict) and v.get("value") is not None}


def test_every_figure_read_from_the_picture_has_its_box_and_confidence(page_doc, gold):
    report = build_report(page_doc)
    assert len(report.metrics) >= 80
    wrong = [(m.key, m.value, gold[m.key]) for m in report.metrics if m.key in gold and float(m.value) != gold[m.key]]
    assert not wrong
    page = page_doc.ocr[0]
    by_key = {m.key: m for m in report.metrics}
    for m in report.metrics:
        if m.source == "derived":  # a sum of OCR figures, as sure as its parts
            assert m.certain and all(p in by_key for p in SUMS[m.key][0]), m
            continue
        assert m.source == "ocr" and m.certain, m
        assert m.origin["image"] == page.sha256 and m.origin["page"] == 1 and m.origin["read_as"] in ("table", "text")
        x0, y0, x1, y1 = m.origin["box"]
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
        assert m.origin["confidence"] >= ocr_evidence.CONFIDENCE_THRESHOLD
    # the seven cells of one row: seven places, left to right, on one line
    row = [m for m in report.metrics if m.key.startswith("outcome.partially_disclosed.")]
    boxes = [m.origin["box"] for m in row]
    assert len(row) == 7 and len({tuple(b) for b in boxes}) == 7
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    assert max(b[1] for b in boxes) - min(b[1] for b in boxes) < 10
    # money stated in 万元, stored in yuan: found as printed
    fees = next(m for m in report.metrics if m.key == "proactive.fees.amount")
    assert fees.value == 961716000 and fees.origin["box"] is not None
    assert "ocr" in [m["source"] for m in report.to_dict()["metrics"]]


def _with_token(doc, old: str, new: str, confidence: float | None = None, misread: str = ""):
    """``doc`` with one token of its OCR read otherwise (its text and the page text changed to match)."""
    doc = copy.deepcopy(doc)
    page = doc.ocr[0]
    for i, line in enumerate(page.text.lines):
        tokens = list(line.tokens)
        for j, token in enumerate(tokens):
            if token.text == old and f"| {old} |" in line.text and "部分公开" in line.text:
                tokens[j] = dataclasses.replace(token, text=new, confidence=token.confidence
                                                if confidence is None else confidence, misread=misread)
                text = line.text.replace(f"| {old} |", f"| {new} |", 1)
                page.text.lines[i] = dataclasses.replace(line, text=text, tokens=tuple(tokens))
                doc.text = doc.text.replace(line.text, text, 1)
                return doc
    raise AssertionError(f"no token {old!r} in the 部分公开 row")


def test_a_figure_read_with_low_confidence_is_uncertain(page_doc):
    doc = _with_token(page_doc, "447", "447", confidence=0.6)
    report = build_report(doc)
    doubted = {m.key for m in report.metrics if not m.certain}
    assert doubted == {"outcome.partially_disclosed.natural_person"}
    [warning] = [w for w in report.warnings if w.code == "ocr_doubtful"]
    assert warning.detail["figures"][0]["why"].startswith("OCR confidence 0.60")


def test_a_zero_the_picture_shows_as_a_ring_is_uncertain(page_doc):
    doc = _with_token(page_doc, "0", "0", misread="。")  # parse/ocr/recheck.py: a ring among values
    report = build_report(doc)
    doubted = [m for m in report.metrics if not m.certain]
    assert [(m.key, m.value, m.origin["ocr_text"]) for m in doubted] == [
        ("outcome.partially_disclosed.research_institution", 0, "。")]
    [warning] = [w for w in report.warnings if w.code == "ocr_doubtful"]
    assert "read '。' there: a 0 by its shape" in warning.detail["figures"][0]["why"]


def test_the_figures_of_a_row_whose_sum_fails_are_uncertain(page_doc):
    doc = _with_token(page_doc, "447", "449")  # misread, confidently: 449 + 7 ≠ 454
    report = build_report(doc)
    assert "inconsistent_row_sum" in report.warning_codes()
    doubted = {m.key for m in report.metrics if not m.certain}
    assert {"outcome.partially_disclosed.natural_person", "outcome.partially_disclosed.total"} <= doubted
    certain = {m.key: m.value for m in report.metrics if m.certain}
    assert "outcome.partially_disclosed.natural_person" not in certain
    assert certain["requests.new.natural_person"] == 3001  # the rest of the page stands


# The boxes pingtan-syq-2021's 表三 gives at half size (tests/gold/real, variant half):
# （二）部分公开's label wraps over three lines and its 自然人 value 5 sits a pixel
# lower than the row's other values, so the layout leaves it on a line of its own.
_HALF_ROWS = [
    ("（二）部分公开（区分处理", (170, 1514, 289, 1528)), ("0", (316, 1527, 329, 1542)),
    ("的，只计这一情形，不计其", (167, 1528, 292, 1542)), ("5", (443, 1528, 456, 1542)),
    ("0", (342, 1528, 353, 1541)), ("0", (368, 1528, 378, 1541)), ("0", (393, 1528, 404, 1541)),
    ("0", (418, 1528, 429, 1541)), ("5", (288, 1529, 299, 1541)), ("他情形）", (168, 1542, 208, 1558)),
    ("1. 属于国家秘密", (209, 1564, 279, 1578)),
    *((("0", (x, 1563, x + 12, 1578))) for x in (289, 316, 341, 367, 393, 418, 440)),
]


def _half_page():
    from parse.ocr import Token, arrange
    from parse.ocr.pages import OcrPage

    text = arrange([Token(t, box, 0.99) for t, box in _HALF_ROWS])
    return OcrPage(page=1, sha256="0" * 64, width=600, height=3200, text=text, scale=1.0, seconds=0.0)


def test_a_row_whose_values_stand_on_two_lines_is_in_doubt():
    from parse.model import Metric

    page = _half_page()
    row = "表三 / (二)部分公开(区分处理的,只计这一情形,不计其0000055他情形)"
    secret = "表三 / 1. 属于国家秘密 0 0 0 0 0 0 0"
    metrics = [Metric("outcome.partially_disclosed.natural_person", 0, "件", "table", f"{row} | 自然人"),
               Metric("outcome.partially_disclosed.other_org", 5, "件", "table", f"{row} | 其他"),
               Metric("outcome.withheld.state_secret.natural_person", 0, "件", "table", f"{secret} | 自然人")]
    warnings = ocr_evidence.attach(metrics, [page], [])
    first, second, third = metrics
    # the reader put the 5 in the wrong column, and the row still sums: the two lines say so
    assert not first.certain and not second.certain
    doubt = {f["key"]: f["why"] for f in warnings[0].detail["figures"]}
    assert "stand on 2 lines" in doubt["outcome.partially_disclosed.other_org"]
    # a row on one line stays certain
    assert third.certain and third.origin["box"] is not None
