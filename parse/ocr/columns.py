"""The value columns of a table read by OCR, and the blank cells they show.

A row that leaves cells blank (``26`` under 自然人, ``26`` under 总计, nothing
between) must say where its values stand, or the template reader cannot tell
which column each value is in. The columns of a run of table rows come from,
in this order: the picture's vertical rules (:func:`ruled_columns`); the
header's short words (:func:`header_columns`, the idea of
:mod:`parse.formats.pdf_columns`); the run's fullest rows
(:func:`value_columns`, blanks between values only). :func:`fill_blanks` then
gives each row an empty cell for each column it has no value in -- only if
every value falls clearly in one column; else the row stays as read.
:func:`split_glued` and :func:`split_across` undo the detector's gluing of a
label to its first value and of two narrow columns' digits.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

from .boxes import Box, cell_text, cut_box, is_value_cell
from .rules import Rule

__all__ = ["Columns", "VRule", "place_verticals", "value_columns", "header_columns", "ruled_columns",
           "column_of", "fill_blanks", "split_glued"]

# Header lines looked at above a run of table rows; the longest word that is a
# column's heading broken over lines (法人或其他组织 heads several columns);
# the fewest columns a header must give (table 三 has 7, table 四 15; table
# 二's 3 are told from the values alone).
HEADER_LINES = 8
HEADER_WORD = 4
MIN_HEADER_COLUMNS = 5
# How far (in line heights) the values of two neighbouring columns may reach
# into each other and still be two columns (value_columns).
TOUCHING = 0.2


@dataclass(frozen=True)
class VRule:
    """A vertical rule on the deskewed page."""

    x: float
    y0: float
    y1: float


def place_verticals(rules: list[Rule], skew: float) -> list[VRule]:
    a = math.radians(skew)
    cos, sin = math.cos(a), math.sin(a)
    out = []
    for rule in rules:
        x, y = (rule.x0 + rule.x1) / 2, (rule.y0 + rule.y1) / 2
        half = (rule.y1 - rule.y0) / 2
        out.append(VRule(x * cos + y * sin, -x * sin + y * cos - half, -x * sin + y * cos + half))
    return out


@dataclass(frozen=True)
class Columns:
    """The value columns of a table: their x-extents on the deskewed page.
    ``ruled``: the extents are the cells between the table's vertical rules (a
    value is in the one that holds its centre; else in the one whose centre
    is nearest). ``whole``: they are all the table's value columns, so blank
    cells before a row's first value and after its last are cells too."""

    spans: list[tuple[float, float]]
    ruled: bool = False
    whole: bool = False
    margin: float = 0.0  # how far a box may reach past a ruled column's border

    def __len__(self) -> int:
        return len(self.spans)


def value_columns(rows: list[list[list[Box]]], line_height: float) -> Columns | None:
    """The value columns of a run of table rows, from its full rows (those with
    the most values, at least two of them): column ``k`` spans the ``k``-th
    values of the full rows. None if there are no such rows or their columns
    overlap by more than :data:`TOUCHING` of a line."""
    values = [[c for c in cells if is_value_cell(c)] for cells in rows]
    n = max((len(v) for v in values), default=0)
    full = [v for v in values if len(v) == n]
    if n < 2 or len(full) < 2:
        return None
    columns = [(min(v[k][0].x0 for v in full), max(v[k][-1].x1 for v in full)) for k in range(n)]
    # narrow columns packed tight touch (a 2-digit value's box reaches its
    # neighbour's first pixel); columns that overlap more are not columns
    touch = TOUCHING * line_height
    if any(b[0] < a[1] - touch or (b[0] + b[1]) / 2 <= a[1] for a, b in zip(columns, columns[1:])):
        return None
    return Columns(columns)


def column_of(cell: list[Box], columns: Columns) -> int | None:
    """The column the cell stands in: between a ruled column's borders, else
    the column whose centre is nearest the cell's, if it is nearer than half
    the distance between two columns."""
    cx = (cell[0].x0 + cell[-1].x1) / 2
    if columns.ruled:
        return next((k for k, (a, b) in enumerate(columns.spans) if a < cx < b), None)
    centres = [(a + b) / 2 for a, b in columns.spans]
    pitch = min((b - a for a, b in zip(centres, centres[1:])), default=float("inf"))
    k = min(range(len(centres)), key=lambda i: abs(centres[i] - cx))
    return k if abs(centres[k] - cx) < pitch / 2 else None


def header_columns(rows: list[list[list[Box]]], run: list[int], line_height: float) -> Columns | None:
    """The value columns of a run of table rows from the header above it
    (the idea of :mod:`parse.formats.pdf_columns`): a column's heading stands
    in it broken into short words (商业 / 企业), so the columns are the bands
    the centres of the short words over the values stack in. Taken only if
    there are at least :data:`MIN_HEADER_COLUMNS` bands, more than any row has
    values, every value of the run falls clearly in one band (in order), and
    the fullest rows' first and last values stand in the first and last band
    (a heading missed by the OCR would shift the columns)."""
    values = [[c for c in rows[i] if is_value_cell(c)] for i in run]
    most = max(len(v) for v in values)
    left = min(v[0][0].x0 for v in values if v) - line_height
    header = []
    for i in range(max(0, run[0] - HEADER_LINES), run[0]):
        if any(is_value_cell(c) for c in rows[i]):
            continue
        for cell in rows[i]:
            for box in cell:
                word = box.token.text.replace(" ", "")
                if box.x0 >= left and 0 < len(word) <= HEADER_WORD and not any(ch.isdigit() for ch in word):
                    header.append(box.cx)
    bands: list[list[float]] = []
    for cx in sorted(header):
        if bands and cx - bands[-1][-1] <= 0.9 * line_height:
            bands[-1].append(cx)
        else:
            bands.append([cx])
    if len(bands) < MIN_HEADER_COLUMNS or len(bands) <= most:
        return None
    columns = Columns([(sum(b) / len(b), sum(b) / len(b)) for b in bands], whole=True)
    return columns if fits(values, columns) else None


def fits(values: list[list[list[Box]]], columns: Columns, *, edges: bool = True) -> bool:
    """Whether every row's values fall one to a column, in order, and (with
    ``edges``) the fullest rows' first and last values in the first and last
    column."""
    most = max(len(v) for v in values)
    for row_values in values:
        placed = [column_of(c, columns) for c in row_values]
        if any(k is None for k in placed) or placed != sorted(set(placed)):
            return False
        if edges and row_values and len(row_values) == most and (placed[0] != 0 or placed[-1] != len(columns) - 1):
            return False
    return True


def ruled_columns(
    rows: list[list[list[Box]]], run: list[int], verticals: list[VRule], line_height: float
) -> tuple[Columns, set[int]] | None:
    """The value columns of a run of table rows from the table's vertical
    rules: the cells between the rules that cross most of its value rows,
    right of the last one that holds a label (a text cell of the run's rows);
    and the rows they hold: those every one of these rules crosses (a table
    below with other columns is not ruled by them). Taken if every value of
    those rows falls in one of the columns, in order."""
    values = [[c for c in rows[i] if is_value_cell(c)] for i in run]
    centres = [statistics.median(b.cy for c in v for b in c) for v in values if v]
    if not centres or not verticals:
        return None
    crossing = sorted(r.x for r in verticals if sum(r.y0 <= cy <= r.y1 for cy in centres) * 2 >= len(centres))
    xs: list[float] = []
    for x in crossing:
        if xs and x - xs[-1] < 0.3 * line_height:
            continue
        xs.append(x)
    spans = list(zip(xs, xs[1:]))
    # (a cell of values the OCR read as one, ``0 0``, is no label)
    labels = [(c[0].x0 + c[-1].x1) / 2 for i in run for c in rows[i]
              if c and not is_value_cell(c) and not _GLUED_VALUES.match(cell_text(c))]
    held = [k for k, (a, b) in enumerate(spans) if any(a < x < b for x in labels)]
    first = max(held) + 1 if held else 0
    if len(spans) - first < 2:
        return None
    columns = Columns(spans[first:], ruled=True, whole=True, margin=0.3 * line_height)
    borders = xs[first:]

    def crossed(cy: float) -> bool:
        return all(any(abs(r.x - x) < 0.3 * line_height and r.y0 <= cy <= r.y1 for r in verticals) for x in borders)

    crossed_rows = {
        i for i, v in zip(run, values) if v and crossed(statistics.median(b.cy for c in v for b in c))
    }
    # the rows whose values fall one to a column; a row that does not (a value
    # read across two cells) is left to the other ways of finding columns
    held_rows = {i for i, v in zip(run, values) if i in crossed_rows and fits([v], columns, edges=False)}
    if not held_rows or len(held_rows) * 2 < len(crossed_rows):
        return None
    return columns, held_rows


def split_across(cells: list[list[Box]], columns: Columns) -> list[list[Box]] | None:
    """A ruled table row whose value boxes each stand in one column; a box
    of digits the detector read across one border (``10`` for the 1 and the
    0 of two narrow columns) cut at the border, its digits shared out by
    their place. None if a box crosses more than one border, or its digits
    cannot be shared out (the row is then left as read)."""
    borders = [a for a, _ in columns.spans[1:]]
    out: list[list[Box]] = []
    for cell in cells:
        if not is_value_cell(cell) or len(cell) != 1 or len(cell[0].token.text) < 2:
            out.append(cell)  # (one character: its box may reach over a border, its centre tells)
            continue
        box = cell[0]
        inside = [x for x in borders if box.x0 + columns.margin < x < box.x1 - columns.margin]
        if not inside:
            out.append(cell)
            continue
        text = box.token.text
        left = round((inside[0] - box.x0) / box.width * len(text)) if box.width > 0 else 0
        if len(inside) > 1 or not text.isdigit() or not 0 < left < len(text):
            return None
        first, second = cut_box(box, left)
        out.extend([[first], [second]])
    return out


def split_spaced(cells: list[list[Box]]) -> list[list[Box]]:
    """A row whose box of values read across cells (``0 0``, two cells' 0s
    with the gap between them) is cut at its spaces, each value a cell (its
    place shared out by the characters' widths; :func:`fill_blanks` then
    checks that each stands in a column of its own)."""
    out: list[list[Box]] = []
    for cell in cells:
        if len(cell) != 1 or not _GLUED_VALUES.match(cell[0].token.text):
            out.append(cell)
            continue
        rest = cell[0]
        while " " in rest.token.text.strip():
            left, rest = cut_box(rest, rest.token.text.index(" "))
            out.append([left])
        out.append([rest])
    return out


def fill_blanks(cells: list[list[Box]], columns: Columns) -> list[list[Box]]:
    """A table row with empty cells where a value column between its first and
    its last value has no value (cells before the first value stay as they
    are: the label); for a table's whole columns, also where its first
    columns or its last have none. Unchanged if a value does not fall in one column."""
    if columns.ruled:
        cells = split_spaced(cells)
    first = next((i for i, c in enumerate(cells) if is_value_cell(c)), None)
    if first is None:
        return cells
    values = cells[first:]
    if not all(is_value_cell(c) for c in values):
        return cells
    if columns.ruled:
        split = split_across(values, columns)
        if split is None:
            return cells
        values = split
    placed = [column_of(c, columns) for c in values]
    if any(k is None for k in placed) or placed != sorted(set(placed)):
        return cells
    out = list(cells[:first])
    previous = -1 if columns.whole else None
    for cell, k in zip(values, placed):
        if previous is not None:
            out.extend([] for _ in range(k - previous - 1))
        out.append(cell)
        previous = k
    if columns.whole:
        out.extend([] for _ in range(len(columns) - 1 - previous))
    return out


def blank_columns(cells: list[list[Box]], columns: Columns) -> list[int]:
    """The columns a row that :func:`fill_blanks` filled leaves empty (its
    empty cells' columns); none for a row it left as read."""
    if all(cells):
        return []
    start = next(i for i, c in enumerate(cells) if not c or is_value_cell(c))
    section = cells[start:]
    if any(c and not is_value_cell(c) for c in section):
        return []
    if columns.whole and len(section) == len(columns):
        offset = 0
    else:
        first = next((j for j, c in enumerate(section) if c), None)
        k = column_of(section[first], columns) if first is not None else None
        if k is None:
            return []
        offset = k - first
    return [offset + j for j, c in enumerate(section) if not c and 0 <= offset + j < len(columns)]


_GLUED_VALUES = re.compile(r"^\d+(?:\s+\d+)+$")
_GLUED_VALUE = re.compile(r"^(?P<label>.*[\u3400-\u9fff”」)）])\s*(?P<value>\d+(?:\.\d+)?)$")


def split_glued(cells: list[list[Box]], columns: Columns) -> list[list[Box]]:
    """A table row whose label the detector read together with the first
    value (``1. 属于国家秘密0``: the label's cell ends where the value's
    begins): the value cut off into a cell of its own, when the place its
    digits take falls in a value column the row has no value in."""
    taken = {column_of(c, columns) for c in cells if is_value_cell(c)}
    out: list[list[Box]] = []
    for cell in cells:
        last = cell[-1] if cell else None
        glued = _GLUED_VALUE.match(last.token.text) if last is not None and not is_value_cell(cell) else None
        if glued:
            label, value = cut_box(last, glued.start("value"))
            k = column_of([value], columns)
            if k is not None and k not in taken:
                taken.add(k)
                out.append(cell[:-1] + [label])
                out.append([value])
                continue
        out.append(cell)
    return out

