"""A report page whose statistics pages are pictures: read by OCR where they stand.

Real material: 淮安市人民政府 2024's report (tests/gold/real/huaian-szf-2024.pdf).
Its pages 1, 2 and 6 are on the page as text (the PDF's own text layer), its
pages 3-5 -- where 表二, 表三 and 表四 are -- as pictures of those pages
(pypdfium2 at scale 2), the way township portals paste screenshots into a
report page. The figures are checked against the ones a person read off the
report (its gold file).
"""

from __future__ import annotations

import hashlib
import html
import io
from pathlib import Path

import pytest

from parse.report import parse_document

REAL = Path(__file__).parent / "gold" / "real"
PAGE_URL = "https://www.huaian.gov.cn/col/16616_xxgknb/art/2025/art_2024.html"
PICTURED = (3, 4, 5)  # 1-based pages shown as pictures


@pytest.fixture(scope="module")
def pictured_page():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(REAL / "huaian-szf-2024.pdf"))
    body, pictures = [], {}
    for number in range(1, len(pdf) + 1):
        page = pdf[number - 1]
        if number in PICTURED:
            out = io.BytesIO()
            page.render(scale=2.0).to_pil().save(out, format="PNG")
            url = PAGE_URL.rsplit("/", 1)[0] + f"/W0202501{number:02d}.png"
            pictures[url] = out.getvalue()
            body.append(f'<p><img src="{url.rsplit("/", 1)[1]}" alt="年报第{number}页"></p>')
        else:
            text = page.get_textpage().get_text_range()
            body.extend(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())
    page_html = ("<html><head><meta charset='utf-8'><title>淮安市人民政府2024年政府信息公开工作年度报告</title></head>"
                 "<body><div class='article'>" + "\n".join(body) + "</div></body></html>").encode("utf-8")
    return page_html, pictures


@pytest.fixture(scope="module")
def gold() -> dict[str, float]:
    import yaml

    figures = yaml.safe_load((REAL / "huaian-szf-2024.gold.yaml").read_text(encoding="utf-8"))["figures"]
    return {k: float(v["value"]) for part in ("table",) for k, v in (figures.get(part) or {}).items()
            if isinstance(v, dict) and v.get("value") is not None}


def test_without_its_pictures_the_page_has_no_table_figures(pictured_page):
    page_html, _ = pictured_page
    report = parse_document(page_html, name=PAGE_URL)
    assert len(report.images) == len(PICTURED)
    assert not [m for m in report.metrics if m.source == "table"]


def test_the_pictures_give_the_tables_figures_with_their_evidence(pictured_page, gold):
    page_html, pictures = pictured_page
    report = parse_document(page_html, name=PAGE_URL, pictures=pictures)
    assert report.format == "2021-template" and report.year == 2024
    by_key = {m.key: m for m in report.metrics}
    right = [k for k, v in gold.items() if k in by_key and by_key[k].certain and float(by_key[k].value) == v]
    wrong = [(k, by_key[k].value, v) for k, v in gold.items()
             if k in by_key and by_key[k].certain and float(by_key[k].value) != v]
    assert not wrong
    assert len(right) >= 0.9 * len(gold), f"{len(right)} of {len(gold)} table figures certain and right"
    digests = {hashlib.sha256(data).hexdigest() for data in pictures.values()}
    ocr = [m for m in report.metrics if m.source == "ocr"]
    assert ocr and all(m.origin["image"] in digests for m in ocr)
    assert all(m.origin["box"] and m.origin["confidence"] is not None for m in ocr if m.certain)
    doubtful = [m for m in ocr if not m.certain]
    if doubtful:  # every doubtful figure is named in the warning
        [warning] = [w for w in report.warnings if w.code == "ocr_doubtful"]
        assert {f["key"] for f in warning.detail["figures"]} == {m.key for m in doubtful}
