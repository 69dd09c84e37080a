"""Figures read by OCR: where each came from, and which to doubt.

A picture's text (:class:`parse.ocr.pages.OcrPage`) is read by the template
reader like any text; afterwards each figure is traced back to the token of
the picture it came from, and marked:

* ``source`` becomes ``'ocr'``, and ``origin`` records the picture (its
  SHA-256, page, scale), the token's box and the recogniser's confidence, and
  whether the OCR text gave it as a table cell or in prose (``read_as``);
* a figure whose token's confidence is below :data:`CONFIDENCE_THRESHOLD`, or
  that is one of the figures of a row or total whose sums fail (the
  consistency checks, :func:`parse.figures.consistency.keys_of`), is stored as
  uncertain (``certain = False``) -- published as doubtful, beside the crop of
  the picture it was read from, never as a certain figure;
* a figure the picture shows as a ring in a column of numbers (the OCR read
  ``。`` or ``o``: see :mod:`parse.ocr.recheck`) is a 0 in doubt, whatever the
  confidence: ``origin["ocr_text"]`` says what was read;
* a figure whose token cannot be found keeps the line it came from, is
  uncertain too, and is counted in an ``ocr_unplaced`` warning.

How a figure is traced: its evidence names the row it was read from (``表三 /
<row text> | <column>``) or the sentence; the OCR line with that text (spaces
and pipes aside) is found, and the figure's digits are looked for in the
line's tokens in reading order -- the figures of one row are taken in the
order the reader gave them, so that three cells of ``0`` in a row get three
different boxes, and a glued token (``300153006143119``, cut into cells by
the reader) gives each figure its own place in it.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Iterable

from parse.model import Metric, ParseWarning

from .consistency import keys_of

if TYPE_CHECKING:
    from parse.ocr.layout import OcrLine
    from parse.ocr.pages import OcrPage

# A token the recogniser gives less than this is not read with confidence: its
# figures are stored as uncertain. Chosen on the renders of the real reports
# (tests/gold/real/score_pictures.py): see README, "Pictures".
CONFIDENCE_THRESHOLD = 0.9

# A token that is one value (a row's values standing on more than one line of
# the picture leave their columns in doubt).
_VALUE = re.compile(r"[\d０-９]+(?:[.．][\d０-９]+)?")
# Lines looked at below a header the reader glued to its row of values.
VALUES_BELOW = 2
_SQUASH = re.compile(r"[\s|｜]+")
_TABLE_PREFIX = re.compile(r"^表[一二三四五六七八九十]+\s*/\s*")


def _squash(text: str) -> str:
    """Text compared without spaces and pipes, full-width forms as half-width
    (the reader's evidence writes (二), the OCR may read （二）)."""
    return _SQUASH.sub("", unicodedata.normalize("NFKC", text or ""))


def _digits_of(value: int | float) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _printed_forms(value: int | float) -> list[str]:
    """How ``value`` may stand in the picture: as stored, or in the 万元 / 千元 a
    table states money in (the reader stores yuan)."""
    forms = [_digits_of(value)]
    for factor in (10_000, 1_000):
        scaled = Decimal(str(value)) / factor
        if scaled == scaled.quantize(Decimal("0.0001")) and scaled != 0:
            forms.append(_digits_of(scaled))
    return forms


def _token_digits(text: str) -> str:
    return re.sub(r"[^\d.]", "", text.replace("０", "0").translate(str.maketrans("１２３４５６７８９", "123456789")))


class _Stream:
    """The digits of a run of OCR lines, each digit knowing its token."""

    def __init__(self, lines: list["OcrLine"]):
        self.digits = ""
        self.owner: list = []
        for line in lines:
            for token in line.tokens:
                digits = _token_digits(token.text)
                self.digits += digits + " "
                self.owner.extend([token] * (len(digits) + 1))
        self.offset = 0

    def take(self, digits: str):
        """The token holding ``digits`` next in reading order (from where the last
        one was found), else anywhere in the stream; None if nowhere. A number
        standing alone goes before one inside a run of digits the OCR read as one
        token (cells glued)."""
        alone = re.compile(rf"(?<![\d.]){re.escape(digits)}(?![\d])")
        inside = re.compile(re.escape(digits))
        for start in (self.offset, 0):
            found = alone.search(self.digits, start) or inside.search(self.digits, start)
            if found is not None:
                self.offset = found.end()
                return self.owner[found.start()]
        return None


def _row_text(evidence: str) -> tuple[str, bool]:
    """The squashed text of the row (table figures) or sentence (prose) a figure was
    read from. A table figure's evidence is its labels and its row's text, the
    row's text on either side of `` | `` (``表三 / <row> | 自然人``, ``表四 / 行政复议 /
    结果维持 | <row>``): the part with the most digits."""
    if _TABLE_PREFIX.match(evidence):
        parts = _TABLE_PREFIX.sub("", evidence).split(" | ")
        return _squash(max(parts, key=lambda part: sum(ch.isdigit() for ch in part))), True
    return _squash(evidence), False


def _lines_for(text: str, page: "OcrPage", in_table: bool) -> list["OcrLine"]:
    """The OCR lines a row or sentence was made of: the line equal to it, else the
    lines inside it (a row or sentence wrapped over lines), else the line holding
    it, else (a table row) the line sharing the longest run of text with it (a row
    whose cells the reader and the OCR layout cut apart differently:
    ``4.保护第三方合法权益6000006结`` against ``办理 | (三)不予公开 | 4. 保护第三方合法权益 | 6 | 0 …``)."""
    lines = page.text.lines
    squashed = [_squash(line.text) for line in lines]
    equal = [lines[i] for i, s in enumerate(squashed) if s and s == text]
    if equal:
        return equal[:1]
    inside = [i for i, s in enumerate(squashed) if len(s) >= 4 and s in text]
    if inside:  # and the short lines between them (a value the layout left on a line of its own)
        return [lines[i] for i in range(inside[0], inside[-1] + 1)
                if i in inside or (squashed[i] and squashed[i] in text and len(squashed[i]) < 4)]
    holding = [lines[i] for i, s in enumerate(squashed) if text and text in s]
    if holding or not in_table:
        return holding[:1]
    best, best_size = None, min(8, max(4, len(text) // 2))
    for i, s in enumerate(squashed):
        if not s:
            continue
        size = SequenceMatcher(None, text, s, autojunk=False).find_longest_match(0, len(text), 0, len(s)).size
        if size >= best_size:
            best, best_size = lines[i], size + 1
    return [best] if best is not None else []


def _spread(lines: list["OcrLine"]) -> int:
    """On how many of ``lines`` a table row's values stand, when it matters: 1 if
    they are all on one line, or all the same number (a row of zeros reads the
    same in any order)."""
    values = [[t.text.strip() for t in line.tokens if _VALUE.fullmatch(t.text.strip())] for line in lines]
    if len({_token_digits(v) for row in values for v in row}) <= 1:
        return 1
    return sum(1 for row in values if row)


def _values_below(lines: list["OcrLine"], page: "OcrPage") -> list["OcrLine"]:
    """A table row matched to lines without a digit (the reader glued a header's
    words to the row of values under it: 表四's ``结果维持 … 总计`` over its 15
    values): those lines and the first line below them that holds digits."""
    all_lines = page.text.lines
    last = max(i for i, line in enumerate(all_lines) if any(line is l for l in lines))
    for line in all_lines[last + 1:last + 1 + VALUES_BELOW]:
        if any(_token_digits(t.text) for t in line.tokens):
            return [*lines, line]
    return lines


def attach(metrics: Iterable[Metric], pages: list["OcrPage"], warnings: list[ParseWarning], *,
           only_ocr: bool = True) -> list[ParseWarning]:
    """Mark the figures of a document read by OCR (see the module docstring); the
    new warnings. ``warnings``: the document's warnings so far (the consistency
    checks among them). ``only_ocr``: all of the document's text came from OCR;
    otherwise (a report page with pictures in its text) a figure whose row or
    sentence is in no OCR line came from the page's own text, and stays as it is."""
    metrics = [m for m in metrics if m.source in ("table", "text")]
    if not metrics or not pages:
        return []
    read = 0
    at_odds = set().union(*(keys_of(w) for w in warnings))
    streams: dict[tuple[int, str], tuple["OcrPage", _Stream]] = {}
    unplaced, doubtful = [], []
    for m in metrics:
        text, in_table = _row_text(m.evidence or "")
        token, page = None, None
        placed = False
        for page_index, candidate in enumerate(pages):
            key = (page_index, text)
            if key not in streams:
                lines = _lines_for(text, candidate, in_table)
                if not lines:
                    continue
                if in_table and not any(_token_digits(t.text) for line in lines for t in line.tokens):
                    lines = _values_below(lines, candidate)
                streams[key] = (candidate, _Stream(lines), _spread(lines) if in_table else 1)
            page, stream, spread = streams[key]
            placed = True
            for form in _printed_forms(m.value):
                token = stream.take(form)
                if token is not None:
                    break
            if token is not None:
                break
        if not placed and not only_ocr:
            continue
        read_as, m.source = m.source, "ocr"
        reasons = []
        if token is None:
            page = page or pages[0]
            unplaced.append(m.key)
            reasons.append("its place in the picture was not found")
            m.origin = {"image": page.sha256, "page": page.page, "scale": page.scale, "box": None,
                        "confidence": None, "read_as": read_as}
        else:
            m.origin = {"image": page.sha256, "page": page.page, "scale": page.scale,
                        "box": [round(v, 1) for v in token.box], "confidence": round(token.confidence, 3),
                        "read_as": read_as}
            if token.misread:
                m.origin["ocr_text"] = token.misread
                reasons.append(f"the OCR read {token.misread!r} there: a 0 by its shape in a column of numbers")
            if token.confidence < CONFIDENCE_THRESHOLD:
                reasons.append(f"OCR confidence {token.confidence:.2f} < {CONFIDENCE_THRESHOLD}")
        read += 1
        if m.key in at_odds:
            reasons.append("its row's or total's sums fail")
        if placed and spread > 1:
            reasons.append(f"its row's values stand on {spread} lines of the picture: their columns are not sure")
        if reasons:
            m.certain = False
            doubtful.append({"key": m.key, "value": m.value, "why": "; ".join(reasons),
                             "confidence": m.origin["confidence"], "box": m.origin["box"]})
    new = []
    if doubtful:
        new.append(ParseWarning("ocr_doubtful",
                                f"{len(doubtful)} of {read} figures read by OCR are uncertain",
                                {"figures": doubtful, "threshold": CONFIDENCE_THRESHOLD}))
    if unplaced:
        new.append(ParseWarning("ocr_unplaced", f"{len(unplaced)} figures read by OCR have no box in the picture",
                                {"keys": unplaced}))
    return new
