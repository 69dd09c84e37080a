"""Rows of a PDF table drawn without ruling lines, their cells placed by column.

Without ruling lines pdfplumber finds no table, and a row comes out as a line of
words: ``一、本年新收政府信息公开申请数量 26 26``. Where the table leaves cells
blank, the line no longer says which columns its values are in. The page says it:
the table's words stand in columns -- the header's words (``自然`` / ``人``,
``商业`` / ``企业`` …) and the values are set in the same column bands. So for each
run of value rows (words ending in numbers), the columns are the bands the
x-centres of the short header words above it stack in, and a row
with fewer values than columns is written as a pipe row, one cell per column,
empty where its column has no word (``… | 26 |  |  |  |  |  | 26``): the text
reader then knows the blanks. Nothing is rewritten where the header gives fewer
bands than a row has values, where a value does not fall clearly into one band,
where two values fall into one, or where every row is full.

Entry point: :func:`place_cells` (on the lines of the document, in reading order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Word", "words_of", "place_cells"]

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# Header lines looked at above a run of value rows; lines without values a run
# may have between its rows (a label wrapped over lines, a page break).
HEADER_LINES = 8
GAP_LINES = 4
# Only wide tables (table 三's seven applicant columns, table 四's fifteen): a
# narrow one (table 二) has too few columns for bands to be told from spans.
MIN_COLUMNS = 5
# A column's header stands in it broken into short lines (商业 / 企业); a longer
# word is a heading over several columns (法人或其他组织, 申请人情况).
HEADER_WORD = 4


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def numeric(self) -> bool:
        return bool(_NUMBER.match(self.text))


def words_of(chars: list[dict], size: float) -> list[Word]:
    """A line's characters (pdfplumber char dicts) as words: runs without a gap
    wider than most of a character (letter-spaced headers stay one word), digits
    and other characters apart."""
    out: list[Word] = []
    text, x0, x1, digits = "", 0.0, 0.0, False
    for ch in sorted((c for c in chars if c.get("text", "").strip()), key=lambda c: c["x0"]):
        t = ch["text"]
        is_digit = t.isdigit() or (t == "." and digits)
        if text and (ch["x0"] - x1 > 0.8 * size or is_digit != digits):
            out.append(Word(text, x0, x1))
            text = ""
        if not text:
            x0, digits = float(ch["x0"]), is_digit
        text += t
        x1 = float(ch["x1"])
    if text:
        out.append(Word(text, x0, x1))
    return out


def _values(words: list[Word]) -> list[Word] | None:
    """The values a row ends with (every word after the first number is a number)."""
    first = next((i for i, w in enumerate(words) if w.numeric), None)
    if first is None or not all(w.numeric for w in words[first:]):
        return None
    # a row number glued before its label ("2.其他…") is no value: values stand after the label
    return words[first:] if first > 0 or len(words) > 1 else None


def _bands(centers: list[float], tolerance: float) -> list[float]:
    bands: list[list[float]] = []
    for c in sorted(centers):
        if bands and c - bands[-1][-1] <= tolerance:
            bands[-1].append(c)
        else:
            bands.append([c])
    return [sum(b) / len(b) for b in bands]


def _place(values: list[Word], bands: list[float], tolerance: float) -> list[str | None] | None:
    cells: list[str | None] = [None] * len(bands)
    for w in values:
        k = min(range(len(bands)), key=lambda i: abs(bands[i] - w.center))
        if abs(bands[k] - w.center) > tolerance or cells[k] is not None:
            return None
        cells[k] = w.text
    return cells


def place_cells(lines: list[tuple[list[Word], float]]) -> dict[int, str]:
    """``lines``: each line's words and font size, in reading order. Returns the
    new text of the rows rewritten as pipe rows, by line index."""
    rows = [(_values(words), words) for words, _ in lines]
    out: dict[int, str] = {}
    i = 0
    while i < len(lines):
        if rows[i][0] is None:
            i += 1
            continue
        # a run of value rows, a few other lines allowed between them
        run, j, gap = [i], i + 1, 0
        while j < len(lines) and gap <= GAP_LINES:
            if rows[j][0] is not None:
                run.append(j)
                gap = 0
            else:
                gap += 1
            j += 1
        i = run[-1] + 1
        values = [rows[k][0] for k in run]
        if len(run) < 3 or all(len(v) == len(values[0]) for v in values) and len(values[0]) > 2:
            continue  # too short to be a table, or every row full: nothing to place
        size = sorted(lines[k][1] for k in run)[len(run) // 2] or 10.0
        left = min(v[0].x0 for v in values) - size
        header = [w for k in range(max(0, run[0] - HEADER_LINES), run[0]) if rows[k][0] is None
                  for w in lines[k][0] if w.x0 >= left and len(w.text) <= HEADER_WORD and not w.numeric]
        # the columns are the header's: each column's words stacked in one band
        bands = _bands([w.center for w in header], 0.9 * size)
        if len(bands) < MIN_COLUMNS or len(bands) <= max(len(v) for v in values):
            continue
        spacing = min(b - a for a, b in zip(bands, bands[1:]))
        tolerance = max(0.9 * size, 0.45 * spacing)
        placed = [_place(v, bands, tolerance) for v in values]
        if any(p is None for p in placed):
            continue
        for k, cells in zip(run, placed):
            words = rows[k][1]
            label = " ".join(w.text for w in words[: len(words) - len(rows[k][0])])
            out[k] = " | ".join([label] + [c or "" for c in cells])
    return out
