"""OCR tokens → the lines of text the template reader parses.

The OCR gives boxes of text anywhere on the page. Here they become lines:

1. **Skew.** A scan turned by a degree or two tilts every line: over a 1000-px
   row the last cell stands 17 px lower than the first, and rows fall apart
   (measured: at 2 degrees table 四 came out in the wrong order, 12 values
   wrong). The skew is the median slope of the long text boxes
   (:attr:`Token.angle`); every box is placed by its centre turned back by it.
   The picture itself is not turned: the OCR reads text tilted by 2 degrees
   as well as upright text.
2. **Rows.** A box joins the nearest row whose centre is within half a line
   height of its own and which has no box above or below it (the boxes of
   one line stand side by side); upright boxes much taller than a line (a
   column heading written top to bottom, ``本年度``) stand alone.
3. **Cells.** A row's boxes left to right, each box a cell (the detector
   already cuts a line at wide gaps, and a label's box often ends a few
   pixels from its first value), but text boxes a sliver apart are one cell.
   Where the detector read a label together with the first value
   (``1. 属于国家秘密0``), the digits are cut off into a cell of their own if
   the place they take lies in a value column of the table that the row has
   no value in (:func:`.columns.split_glued`; the token is cut in two, its box shared
   out by the characters' widths).
4. **Wrapped cells.** A table cell's text wrapped over two or three lines is
   one cell again: a text cell in the same column just below a text cell of
   a table line joins it -- unless it starts with a row's numbering (``二、``,
   ``（三）``, ``4.``), both lines have values of their own (two rows), or a
   horizontal rule of the picture runs between them -- and the values that
   stood beside the label's middle join the label (see
   :func:`_merge_wrapped`). Prose lines (one cell each) are left as they are.
5. **Empty cells.** A row that leaves cells blank (``26`` under 自然人, ``26``
   under 总计, nothing between) must say where its values stand. The value
   columns of a run of table rows come from, in this order: the picture's
   vertical rules (:func:`.columns.ruled_columns`; a box of digits read across a
   border, ``10`` for two narrow columns' 1 and 0, is cut there); the header's
   short words (:func:`.columns.header_columns`, the idea of
   :mod:`parse.formats.pdf_columns`); the run's fullest rows
   (:func:`.columns.value_columns`, blanks between values only). Each row gets an
   empty cell for each column it has no value in -- only if every value
   falls clearly in one column, else the row stays as read.
6. **Text.** A row of several cells, or of one number, is written as a pipe
   row (``| 一、本年新收政府信息公开申请数量 | 80 | 1 | 0 | 0 | 0 | 0 | 81 |``);
   a row of one text cell as the text itself.

Every line of the output keeps the tokens it was made from
(:class:`OcrLine`), so a figure read from a line can be traced back to a box
and the confidence the OCR gave it (:func:`locate`).
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field

from .boxes import Box, cell_span, cell_text, is_value, is_value_cell
from .columns import (
    Columns,
    blank_columns,
    column_of,
    fill_blanks,
    header_columns,
    place_verticals,
    ruled_columns,
    split_glued,
    value_columns,
)
from .engine import Token
from .rules import Rule

__all__ = ["OcrLine", "OcrText", "Recheck", "arrange", "locate", "estimate_skew"]

# Boxes of one row are closer than this many line heights (their centres).
ROW_BAND = 0.5
# Text boxes closer than this many line heights are one cell.
CELL_GAP = 0.5
# Boxes sharing this share of the narrower one's width stand one above the other.
STACKED = 0.3
# A text cell starting less than this many line heights below a text cell of
# the line above, in the same column, is the rest of that cell.
WRAP_GAP = 0.6
# An upright box taller than this many line heights is vertical text.
VERTICAL = 1.8
# Lines of other text a run of table rows may have between two rows (a label
# wrapped over lines, merged cells' text).
RUN_GAP = 4
# Skew below this (degrees) is noise of the detector, not a turned page.
MIN_SKEW = 0.1
MAX_SKEW = 10.0

# A section heading of a report: 四、…
# A text the recogniser gives for a small 0 it could not make out (。, o): in
# a row of values it is a value read wrong, to be looked at again.
LOOKALIKE = re.compile(r"^[。oO〇○]$")
# A second look at a blank cell spans its column (a ruled one this many
# pixels past its borders), and this many lines of height around the row's centre.
RECHECK_OVER = 2
RECHECK_HEIGHT = 1.3
# A line whose values stand less than this share of a line from a row's, at
# most SPLIT_VALUES of them, in the row's blank columns, is part of that row.
SPLIT_GAP = 0.5
SPLIT_VALUES = 2

_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,3}、\S")
# A label that starts a row of its own: （一） 一、 1. 1、 ①
_NUMBERED = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,3}\s*[.．、](?!\d)|[①-⑳])"
)


@dataclass(frozen=True)
class OcrLine:
    """One line of the OCR text: its ``text`` and the tokens it was made from,
    in reading order (``cells``: the tokens of each cell of a pipe row; one
    cell for a plain line; an empty tuple for an empty cell)."""

    text: str
    tokens: tuple[Token, ...]
    cells: tuple[tuple[Token, ...], ...] = ()

    @property
    def confidence(self) -> float:
        return min((t.confidence for t in self.tokens), default=0.0)


@dataclass(frozen=True)
class Recheck:
    """A place of the picture to read again, closer: a cell of a value column
    the read left blank in a row of values (``token`` None), or a value it
    read as something no value is (``token``: that token, ``。`` for a small
    0). ``box``: ``(x0, y0, x1, y1)`` in the picture's pixels;
    ``line_height``: the page's text line height there."""

    box: tuple[float, float, float, float]
    line_height: float
    token: Token | None = None


@dataclass
class OcrText:
    """A page read by OCR: the ``text`` (``lines`` joined by line breaks) and
    its lines with their tokens. ``skew``: the page's skew in degrees.
    ``rechecks``: the places a closer look may read what this read did not
    (see :mod:`.recheck`)."""

    text: str
    lines: list[OcrLine] = field(default_factory=list)
    skew: float = 0.0
    rechecks: list[Recheck] = field(default_factory=list)

    @property
    def tokens(self) -> list[Token]:
        return [t for line in self.lines for t in line.tokens]


def estimate_skew(tokens: list[Token]) -> float:
    """The page's skew in degrees: the median slope of its long text boxes
    (0 when there are too few, or it is below :data:`MIN_SKEW`)."""
    angles = [t.angle for t in tokens if t.width >= 4 * max(t.height, 1.0) and len(t.text) >= 4]
    if len(angles) < 3:
        return 0.0
    skew = statistics.median(angles)
    return skew if MIN_SKEW <= abs(skew) <= MAX_SKEW else 0.0


def _place(tokens: list[Token], skew: float) -> list[Box]:
    """Each token by its centre turned back by ``skew``, and its height less
    what the tilt adds to the box."""
    a = math.radians(skew)
    cos, sin = math.cos(a), math.sin(a)
    out = []
    for t in tokens:
        cx = t.cx * cos + t.cy * sin
        cy = -t.cx * sin + t.cy * cos
        height = max(t.height - t.width * abs(sin), 0.5 * t.height) if skew else t.height
        out.append(Box(t, cx, cy, t.width, height))
    return out


def _line_height(boxes: list[Box]) -> float:
    heights = [b.height for b in boxes if b.width >= b.height and len(b.token.text) >= 2]
    if not heights:
        heights = [b.height for b in boxes]
    return statistics.median(heights) if heights else 20.0


def _x_overlap(a: Box, b: Box) -> float:
    """Share of the narrower box's width that the two boxes share."""
    shared = min(a.x1, b.x1) - max(a.x0, b.x0)
    narrower = min(a.width, b.width)
    return shared / narrower if narrower > 0 and shared > 0 else 0.0


def _is_vertical(box: Box, line_height: float) -> bool:
    return box.height > VERTICAL * line_height and box.height > 1.5 * box.width


def _rows(boxes: list[Box], line_height: float) -> list[list[Box]]:
    """Boxes grouped into rows, top to bottom: a box joins the nearest row
    whose centre is within half a line of its own and that has no box above
    or below it (boxes of one line stand side by side); vertical text stands
    in a row of its own."""
    rows: list[list[Box]] = []
    centres: list[float] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        best, distance = None, None
        if not _is_vertical(box, line_height):
            reach = ROW_BAND * max(line_height, min(box.height, 2 * line_height))
            for k in range(max(0, len(rows) - 4), len(rows)):
                row = rows[k]
                if len(row) == 1 and _is_vertical(row[0], line_height):
                    continue
                d = abs(box.cy - centres[k])
                if d > reach or any(_x_overlap(box, other) > STACKED for other in row):
                    continue
                if distance is None or d < distance:
                    best, distance = k, d
        if best is None:
            rows.append([box])
            centres.append(box.cy)
        else:
            rows[best].append(box)
            centres[best] = statistics.median(b.cy for b in rows[best])
    order = sorted(range(len(rows)), key=lambda k: centres[k])
    return [rows[k] for k in order]


def _cells(row: list[Box], line_height: float) -> list[list[Box]]:
    """A row's boxes as cells, left to right: each box a cell, but for text
    boxes a sliver apart (a phrase the detector cut at a space)."""
    cells: list[list[Box]] = []
    for box in sorted(row, key=lambda b: b.x0):
        if (
            cells
            and box.x0 - cells[-1][-1].x1 < CELL_GAP * line_height
            and not is_value(box.token.text)
            and not is_value(cells[-1][-1].token.text)
        ):
            cells[-1].append(box)
        else:
            cells.append([box])
    return cells


@dataclass(frozen=True)
class _Rule:
    """A horizontal rule on the deskewed page."""

    x0: float
    x1: float
    y: float


def _place_rules(rules: list[Rule], skew: float) -> list[_Rule]:
    a = math.radians(skew)
    cos, sin, slope = math.cos(a), math.sin(a), math.tan(a)
    out = []
    for rule in rules:
        ends = [(x, rule.y_at(x, slope)) for x in (rule.x0, rule.x1)]
        turned = [(x * cos + y * sin, -x * sin + y * cos) for x, y in ends]
        out.append(_Rule(turned[0][0], turned[1][0], (turned[0][1] + turned[1][1]) / 2))
    return out


def _ruled_apart(upper: list[Box], lower: list[Box], rules: list[_Rule]) -> bool:
    """Whether a rule runs between two cells (under the last line of
    ``upper``, over the first of ``lower``, across their shared width)."""
    if not rules:
        return False
    top = max(b.cy for b in upper)
    bottom = min(b.cy for b in lower)
    x = (max(min(b.x0 for b in upper), min(b.x0 for b in lower)) + min(max(b.x1 for b in upper), max(b.x1 for b in lower))) / 2
    return any(r.x0 <= x <= r.x1 and top < r.y < bottom for r in rules)


def _continues(upper: list[Box], lower: list[Box], line_height: float, rules: list[_Rule]) -> bool:
    """Whether text cell ``lower`` is the next line of text cell ``upper``
    (a label wrapped in its table cell): the same column, no more than a
    line's spacing below it, no rule between them."""
    ux0, _, ux1, ubottom = cell_span(upper)
    lx0, ltop, lx1, _ = cell_span(lower)
    shared = min(ux1, lx1) - max(ux0, lx0)
    narrower = min(ux1 - ux0, lx1 - lx0)
    if narrower <= 0 or shared < STACKED * narrower:
        return False
    if abs(lx0 - ux0) > 1.5 * line_height and lx0 < ux0:
        return False  # sticks out to the left: another cell
    return ltop - ubottom < WRAP_GAP * line_height and not _ruled_apart(upper, lower, rules)


def _beside(upper: list[list[Box]], values: list[list[Box]], line_height: float, rules: list[_Rule]) -> bool:
    """Whether a line of values stands beside the text cells of the line
    above: right of all of them, and overlapping them in height or less than
    a line's spacing below them (the values of a label that wraps), no rule
    between them."""
    upper_boxes = [b for c in upper for b in c]
    value_boxes = [b for c in values for b in c]
    _, _, right, bottom = cell_span(upper_boxes)
    left, top, _, _ = cell_span(value_boxes)
    if rules:
        over = min(b.cy for b in value_boxes)
        under = max(b.cy for b in upper_boxes)
        if any(r.x0 <= left and r.x1 >= left and under < r.y < over for r in rules):
            return False
    # (a label's box may reach a little past its cell's border)
    return left > right - 0.5 * line_height and top - bottom < WRAP_GAP * line_height


def _merge_wrapped(
    rows: list[list[list[Box]]], line_height: float, rules: list[_Rule]
) -> list[list[list[Box]]]:
    """Table cells whose text wraps over lines, made one cell again: a text
    cell that continues a text cell of the line above (see :func:`_continues`)
    joins it; a line of only values joins the line above if that holds only
    text and the values stand beside it (:func:`_beside`): the values of a
    label wrapped over two lines stand between them."""
    out: list[list[list[Box]]] = []
    for cells in rows:
        if out:
            above = out[-1]
            table = len(cells) >= 2 or len(above) >= 2
            # two lines that both have values are two rows, whatever their labels
            both_values = any(is_value_cell(c) for c in above) and any(is_value_cell(c) for c in cells)
            rest = []
            for cell in cells:
                target = None
                if table and not both_values and not is_value_cell(cell) and not _NUMBERED.match(cell_text(cell)):
                    target = next((c for c in above if not is_value_cell(c) and _continues(c, cell, line_height, rules)), None)
                if target is None:
                    rest.append(cell)
                else:
                    target.extend(cell)
            if not rest:
                continue
            if (
                all(is_value_cell(c) for c in rest)
                and not any(is_value_cell(c) for c in above)
                and _beside(above, rest, line_height, rules)
            ):
                above.extend(rest)
                continue
            cells = rest
        out.append(cells)
    return out


def _runs(rows: list[list[list[Box]]]) -> list[list[int]]:
    """Runs of table rows (rows with a value cell, or with two cells), up to
    :data:`RUN_GAP` lines of other text allowed between them; a section
    heading (``四、政府信息公开行政复议…``) ends a run."""
    runs: list[list[int]] = []
    gap = 0
    for i, cells in enumerate(rows):
        value_row = any(is_value_cell(c) for c in cells[1:]) or (len(cells) >= 1 and is_value_cell(cells[0]) and len(cells) >= 2)
        if value_row:
            if runs and gap <= RUN_GAP:
                runs[-1].append(i)
            else:
                runs.append([i])
            gap = 0
        elif len(cells) == 1 and _HEADING.match(cell_text(cells[0])):
            gap = RUN_GAP + 1  # a section heading ends the table
        else:
            gap += 1
    return runs


def _line(cells: list[list[Box]]) -> OcrLine:
    tokens = tuple(b.token for cell in cells for b in cell)
    cell_tokens = tuple(tuple(b.token for b in cell) for cell in cells)
    texts = [cell_text(c) for c in cells]
    if len(cells) >= 2 or (len(cells) == 1 and is_value_cell(cells[0])):
        return OcrLine("| " + " | ".join(texts) + " |", tokens, cell_tokens)
    return OcrLine(texts[0] if texts else "", tokens, cell_tokens)


def arrange(
    tokens: list[Token], rules: list[Rule] | None = None, column_rules: list[Rule] | None = None
) -> OcrText:
    """The text of a page from its tokens (in the page's pixels) and, if
    known, the horizontal and vertical rules of its tables (:mod:`.rules`)."""
    if not tokens:
        return OcrText("", [], 0.0)
    skew = estimate_skew(tokens)
    boxes = _place(tokens, skew)
    line_height = _line_height(boxes)
    rows = [_cells(row, line_height) for row in _rows(boxes, line_height)]
    for run in _runs(rows):
        columns = value_columns([rows[i] for i in run], line_height)
        if columns:
            for i in run:
                rows[i] = split_glued(rows[i], columns)
    placed_rules = _place_rules(rules or [], skew)
    rows = _merge_wrapped(rows, line_height, placed_rules)
    verticals = place_verticals(column_rules or [], skew)
    rechecks: list[Recheck] = []
    filled: dict[int, Columns] = {}
    for run in _runs(rows):
        rechecks.extend(_lookalikes(rows, run, line_height, skew))
        ruled = ruled_columns(rows, run, verticals, line_height)
        if ruled:
            columns, held = ruled
            for i in held:
                rows[i] = fill_blanks(rows[i], columns)
                filled[i] = columns
            run = [i for i in run if i not in held]
            if len(run) < 1:
                continue
        columns = header_columns(rows, run, line_height) or value_columns([rows[i] for i in run], line_height)
        if columns:
            for i in run:
                rows[i] = fill_blanks(rows[i], columns)
                filled[i] = columns
    _join_split_rows(rows, filled, line_height, placed_rules)
    for i, columns in filled.items():
        if rows[i]:
            rechecks.extend(_blanks(rows[i], columns, line_height, skew))
    lines = [_line(cells) for cells in rows if cells]
    return OcrText("\n".join(line.text for line in lines), lines, skew, rechecks)


def _value_section(cells: list[list[Box]], columns: Columns) -> int | None:
    """Where a filled row's cells under the table's whole columns start (its
    label cells before), or None if the row was left as read."""
    if not columns.whole or len(cells) < len(columns):
        return None
    start = len(cells) - len(columns)
    section = cells[start:]
    if any(c and not is_value_cell(c) for c in section):
        return None
    return start


def _join_split_rows(
    rows: list[list[list[Box]]], filled: dict[int, Columns], line_height: float, rules: list[_Rule]
) -> None:
    """A table row's values that the line grouping set apart joined to it again:
    a value at the row's own height that a label's box reaching past its
    cell's border stands above (``| 3. 补正后申请内 |  | 0 | 0 |…``, then ``| 0 |``,
    then ``容仍不明确``; the label wrapped over two lines, the value centred
    between them). A line next to a filled row, its values less than
    :data:`SPLIT_GAP` of a line above or below the row's, no rule between them,
    at most :data:`SPLIT_VALUES` of them and all in columns the row leaves
    blank, gives them to the row; its text, if any, is the row's label
    wrapped, and joins it. (Two rows of a table stand a line or more apart.)"""
    for i in sorted(filled):
        columns = filled[i]
        start = _value_section(rows[i], columns) if rows[i] else None
        if start is None:
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(rows) or not rows[j] or j == i:
                continue
            moved = _split_part(rows[j], filled.get(j), columns)
            if moved is None:
                continue
            values, labels = moved
            blanks = {k for k, c in enumerate(rows[i][start:]) if not c}
            if not values or len(values) > SPLIT_VALUES or not set(values) <= blanks:
                continue
            own = [b for c in rows[i][start:] if c for b in c]
            theirs = [b for c in values.values() for b in c]
            if not own or abs(statistics.median(b.cy for b in theirs) - statistics.median(b.cy for b in own)) > SPLIT_GAP * line_height:
                continue
            upper, lower = (rows[j], rows[i]) if j < i else (rows[i], rows[j])
            if _ruled_apart([b for c in upper for b in c], [b for c in lower for b in c], rules):
                continue
            for k, cell in values.items():
                rows[i][start + k] = cell
            if labels and start > 0:
                words = [b for c in labels for b in c]
                label = rows[i][start - 1]
                rows[i][start - 1] = label + words if j > i else words + label
            elif labels:
                rows[i][0:0] = labels
                start += len(labels)
            rows[j] = []


def _split_part(cells: list[list[Box]], columns: Columns | None, target: Columns) -> tuple[dict[int, list[Box]], list[list[Box]]] | None:
    """A line's values by the column of ``target`` each stands in, and its
    text cells; None if a value stands in no column. A line filled under the
    same columns gives its non-blank cells; a line of values only (left as
    read: one value is no table row) is placed cell by cell."""
    if columns is target:
        start = _value_section(cells, columns)
        if start is None:
            return None
        return {k: c for k, c in enumerate(cells[start:]) if c}, cells[:start]
    if columns is not None or not all(c and is_value_cell(c) for c in cells):
        return None
    placed = {}
    for cell in cells:
        k = column_of(cell, target)
        if k is None or k in placed:
            return None
        placed[k] = cell
    return placed, []


def _unplace(cx: float, cy: float, skew: float) -> tuple[float, float]:
    """A point of the deskewed page back in the picture's pixels (the inverse
    of :func:`_place`)."""
    a = math.radians(skew)
    cos, sin = math.cos(a), math.sin(a)
    return cx * cos - cy * sin, cx * sin + cy * cos


def _region(cx: float, cy: float, half_width: float, half_height: float, skew: float):
    x, y = _unplace(cx, cy, skew)
    return (x - half_width, y - half_height, x + half_width, y + half_height)


def _blanks(cells: list[list[Box]], columns: Columns, line_height: float, skew: float) -> list[Recheck]:
    """A second look at each value column a row of values leaves blank: the
    cell from border to border (ruled), or around its centre (at most
    half the way to the next column), at the height of the row's values."""
    blank = blank_columns(cells, columns)
    values = [b for c in cells if c and is_value_cell(c) for b in c]
    if not blank or len(values) < 2:
        return []
    cy = statistics.median(b.cy for b in values)
    half_height = RECHECK_HEIGHT * line_height / 2
    centres = [(a + b) / 2 for a, b in columns.spans]
    out = []
    for k in blank:
        a, b = columns.spans[k]
        if columns.ruled:  # border to border: the look whitens the rules
            half = (b - a) / 2 + RECHECK_OVER
        else:
            gaps = [abs(centres[k] - centres[j]) for j in (k - 1, k + 1) if 0 <= j < len(centres)]
            half = min([(b - a) / 2 + 0.6 * line_height, *(0.45 * g for g in gaps)])
        if half < 0.3 * line_height:
            continue
        out.append(Recheck(_region(centres[k], cy, half, half_height, skew), line_height))
    return out


def _lookalikes(rows: list[list[list[Box]]], run: list[int], line_height: float, skew: float) -> list[Recheck]:
    """A second look at each token of a run's rows that stands among values
    and reads as what a small 0 is misread as (``。``, ``o``)."""
    out = []
    pad = 0.4 * line_height
    for i in run:
        cells = rows[i]
        if sum(1 for c in cells if c and is_value_cell(c)) < 2:
            continue
        for cell in cells[1:]:  # (the first cell is the row's label)
            if len(cell) == 1 and LOOKALIKE.match(cell[0].token.text.strip()):
                box = cell[0]
                half_width = max(box.width / 2, 0.5 * line_height) + pad
                half_height = max(box.height / 2, 0.5 * line_height) + pad / 2
                out.append(Recheck(_region(box.cx, box.cy, half_width, half_height, skew), line_height, box.token))
    return out


def _digits(text: str) -> str:
    return text.replace(",", "").replace("，", "").strip()


def locate(ocr_text: OcrText, line: int | str, value: str) -> Token | None:
    """The token that holds the number ``value`` in a line of ``ocr_text``
    (the line's index, or its text: the first line equal to it, else the first
    that contains it). A token that is the number wins over one that contains
    it among other characters (``3119件``); None if no token holds it."""
    if isinstance(line, int):
        if not 0 <= line < len(ocr_text.lines):
            return None
        found = ocr_text.lines[line]
    else:
        found = next((ln for ln in ocr_text.lines if ln.text == line), None)
        if found is None:
            found = next((ln for ln in ocr_text.lines if line in ln.text), None)
        if found is None:
            return None
    want = _digits(str(value))
    pattern = re.compile(rf"(?<![\d.]){re.escape(want)}(?![\d.])")
    exact = [t for t in found.tokens if _digits(t.text) == want]
    if exact:
        return exact[0]
    return next((t for t in found.tokens if pattern.search(_digits(t.text))), None)
