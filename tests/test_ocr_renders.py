"""The OCR reader on pictures of real reports, against their hand-read gold.

A real portal page (tests/gold/real/pingtan-syq-2023.html, the 2021 template's
tables as Word-pasted HTML) rendered by headless Chromium to a full-page PNG
and to a JPEG of quality 60, and page 3 of a real PDF (huaian-hongze-qzf-2024.pdf:
the 2021 template's table 三 up to 不予处理) rendered by pypdfium2 as a scan
would be (tests/gold/real/render_pictures.py). Each picture is parsed with
``parse.parse_path`` and must meet the issue's bar on its document's gold
(tests/gold/real/score_pictures.py; for the page, the 94 gold figures whose
quoted row or sentence is on it): at least 90 % of the gold figures stored as
certain and equal to the gold, and no certain figure that differs from it.
The whole set (every page picture and variant, every PDF scanned whole) is
``score_pictures.py``'s, outside the test suite: OCR takes about half a
minute a page.

The pictures are cached in test-artifacts/pictures/ (made again only when the
source's SHA-256 changes). Chromium comes from Debian (``scripts/install-browser``,
run by ``make install``); without /usr/bin/chromium the HTML pictures are
skipped, saying so.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parent / "gold" / "real"
sys.path.insert(0, str(REAL))

import render_pictures as rp  # noqa: E402
import score_pictures as sp  # noqa: E402

HTML_DOC = "pingtan-syq-2023"
PDF_DOC = "huaian-hongze-qzf-2024"
CASES = [(HTML_DOC, "png"), (HTML_DOC, "jpeg60"), (PDF_DOC, "scan-p3")]


@pytest.fixture(scope="module")
def browser_run():
    """Chromium for the module's HTML pictures, stopped at the end."""
    yield
    rp.close_browser()


def _need_chromium(variant: str) -> None:
    if variant in rp.HTML_VARIANTS and not rp.CHROMIUM.exists():
        pytest.skip(f"{rp.CHROMIUM} not found: run scripts/install-browser (make install does)")


def test_page_picture_is_offline_and_cached(browser_run):
    """The render itself: the whole page at 1200 px, nothing fetched, made once per source hash."""
    _need_chromium("png")
    path = rp.render(HTML_DOC, "png")
    rec = rp.info(HTML_DOC, "png")
    assert rec["source_sha256"] == rp.sha256(rp.source(HTML_DOC).path)
    assert rec["size"][0] == rp.VIEWPORT_WIDTH and rec["size"][1] > 3000, rec["size"]
    assert rec["load_event"], "the page did not finish loading (a request waited on the network?)"
    assert rec["requests"] - rec["requests_not_loaded"] == 1, rec  # the page itself; its remote CSS/images blocked
    mtime = path.stat().st_mtime_ns
    assert rp.render(HTML_DOC, "png") == path and path.stat().st_mtime_ns == mtime  # cached, not made again


@pytest.mark.parametrize("doc,variant", CASES, ids=[f"{d}.{v}" for d, v in CASES])
def test_picture_meets_the_bar(browser_run, doc, variant):
    _need_chromium(variant)
    s = sp.score(doc, variant)
    name = Path(s.path).name
    assert s.crash is None, f"{name}: the parser crashed: {s.crash}"
    assert s.unreadable is None, f"{name}: unreadable: {s.unreadable}"
    wrong = [f"{w['key']} ({w['tag']}): gold {w['expected']}{'~' if w['expected_approximate'] else ''}, "
             f"got {w['got']}{'~' if w['got_approximate'] else ''} [{(w['evidence'] or '')[:60]}]" for w in s.wrong]
    assert not wrong, f"{name}: certain figures that differ from the gold:\n" + "\n".join(wrong)
    gold, right = s.counts["gold"], s.counts["certain_right"]
    assert right >= sp.BAR * gold, (
        f"{name}: {right}/{gold} gold figures certain and right (< {sp.BAR}); "
        f"{s.counts['uncertain']} uncertain, {s.counts['missing']} missing: {s.missing[:20]}")


# --------------------------------------------------------------------------------
# The second look (parse/ocr/recheck.py) on a real report shrunk to half its size

HALF_DOC = "pingtan-syq-2024"
# Table 三 in its half-size page picture, as fractions of the picture's height
# (its heading at 0.41, 四、政府信息公开行政复议 at 0.64).
HALF_TABLE3 = (0.33, 0.66)


def _table3_gold_rows(doc: str) -> dict[str, list[str]]:
    """Table 三's rows as the gold quotes them: label → the seven cells."""
    import yaml

    gold = yaml.safe_load((REAL / f"{doc}.gold.yaml").read_text(encoding="utf-8"))
    rows = {}
    for key, fig in gold["figures"]["table"].items():
        if key.startswith(("requests.", "outcome.")) and isinstance(fig, dict) and "quote" in fig:
            cells = [c.strip() for c in fig["quote"].split("|")]
            if len(cells) == 8:
                rows[cells[0]] = cells[1:]
    return rows


def _ocr_rows(text) -> list[tuple[str, list[str]]]:
    out = []
    for line in text.lines:
        if line.text.startswith("| "):
            cells = [c.strip() for c in line.text.strip().strip("|").split("|")]
            out.append((cells[0] if len(cells) < 9 else cells[0] + cells[1], cells[-7:]))
    return out


def _rows_read_right(text, gold: dict[str, list[str]]) -> int:
    from difflib import SequenceMatcher

    def fold(s: str) -> str:
        return "".join(s.split()).replace("（", "(").replace("）", ")")

    rows = _ocr_rows(text)
    right = 0
    for label, values in gold.items():
        best = max(rows, key=lambda r: SequenceMatcher(None, fold(r[0])[-len(fold(label)):], fold(label)).ratio())
        right += best[1] == values
    return right


def test_a_second_look_reads_the_cells_a_half_size_picture_loses(browser_run, monkeypatch):
    """pingtan-syq-2024's page at half size (a 0 is five pixels high): the first read
    leaves some twenty cells of table 三 blank or reads them as 。/o, and the rows
    they stand in cannot be placed; looked at again, every row of the table reads
    as the gold has it."""
    _need_chromium("half")
    import numpy as np
    from PIL import Image

    from parse.ocr import pages

    image = np.asarray(Image.open(rp.render(HALF_DOC, "half")).convert("RGB"))
    top, bottom = (round(f * image.shape[0]) for f in HALF_TABLE3)
    table = np.ascontiguousarray(image[top:bottom])
    gold = _table3_gold_rows(HALF_DOC)
    assert len(gold) == 25, sorted(gold)  # its 28 rows but the three the reader sums

    tokens = pages.read_picture(table)
    monkeypatch.setattr(pages, "read_picture", lambda _image, **_: list(tokens))
    looked = pages.read_page(table)
    monkeypatch.setattr(pages, "recheck", lambda _image, _places: ([], []))
    first = pages.read_page(table)

    assert _rows_read_right(looked, gold) == len(gold), looked.text
    assert _rows_read_right(first, gold) < len(gold) - 5, first.text  # what the second look adds
    zeros = [t for line in looked.lines for t in line.tokens if t.misread]
    assert all(t.text == "0" and t.misread in "。oO〇○" for t in zeros)
