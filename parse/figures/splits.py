"""Cells whose separators were lost, and the sums that put them back.

Text taken from a report's table may glue its cells together
(``行政规范性文件77132470`` is 77 / 132 / 470; ``220000022`` is 22, 0, 0, 0, 0, 0, 22).
A row of digit runs is split into its cells by :func:`splits`: each run keeps
its place (a value is never moved into another column), each cell is a number
as a person writes it (no leading zero but ``0`` itself), and a row sum the
template promises (the six applicant columns add to 总计) filters the splits.
What the row alone cannot decide, the table decides: :func:`solve` picks, among
every combination of the rows' candidate splits, the one that satisfies most of
the template's equations (column sums across rows, figures the prose states);
when several combinations tie, the cells they disagree on are doubtful and give
no figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product
from typing import Callable, Iterable, Sequence

Value = Decimal | None  # None: a blank or dash cell (absent)

# A table whose rows admit more combinations than this is not searched: its
# ambiguous rows give no figures.
MAX_COMBINATIONS = 20000
MAX_DIGITS = 48  # a run longer than this is not a row of cells


@dataclass(frozen=True)
class Piece:
    """A value token of a row as the text wrote it: a digit run (possibly several
    glued cells), a signed or decimal number (one cell), or a blank/dash cell."""

    text: str | None  # None: an empty cell (pipe rows) or a dash
    spaced: bool = True  # a separator (space, line break, pipe) stood before it
    breaks: int = 0  # line breaks before it (2 or more: a new paragraph)

    @property
    def splittable(self) -> bool:
        return self.text is not None and self.text.isdigit()


def number(text: str) -> Decimal | None:
    """The value of one cell's text (``0``, ``12``, ``+2``, ``5949.088667``), or None
    when it is not written as a person writes one number (``012``)."""
    body = text.lstrip("+-")
    if not body or (len(body) > 1 and body[0] == "0" and body[1] != "."):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _cuts(run: str, k: int) -> Iterable[tuple[Decimal, ...]]:
    """Every way to cut a digit run into ``k`` numbers (no leading zeros)."""
    if k == 1:
        v = number(run)
        if v is not None:
            yield (v,)
        return
    for i in range(1, len(run) - k + 2):
        head = number(run[:i])
        if head is None:
            if run[0] == "0":  # "0…" can only start with the cell "0"
                if i > 1:
                    return
            continue
        for rest in _cuts(run[i:], k - 1):
            yield (head, *rest)


def _compositions(total: int, parts: Sequence[tuple[int, int]]) -> Iterable[tuple[int, ...]]:
    """Ways to give each token a number of cells within its (min, max) adding to total."""
    if not parts:
        if total == 0:
            yield ()
        return
    lo, hi = parts[0]
    rest_min = sum(p[0] for p in parts[1:])
    rest_max = sum(p[1] for p in parts[1:])
    for k in range(lo, hi + 1):
        if rest_min <= total - k <= rest_max:
            for tail in _compositions(total - k, parts[1:]):
                yield (k, *tail)


# A run of digits with a leading zero (``00``, ``05``) is never one cell: two cells
# run together (side by side, or stacked rows that OCR read as one box).
_TWO_CELLS = re.compile(r"^0\d+$")


def splits(pieces: Sequence[Piece], n: int, row_check: Callable[[tuple[Value, ...]], bool] | None = None,
           limit: int = 5000, cut_spaced: bool = False) -> tuple[list[tuple[Value, ...]], bool]:
    """The candidate readings of a row of ``n`` cells written as ``pieces``.

    Returns (candidates, exact): ``exact`` when the pieces were already ``n`` cells
    (one candidate, no sum asked of it: printed values are kept even where they
    do not add up). Otherwise every cut of the digit runs into ``n`` cells that
    passes ``row_check``; an empty list when the row cannot be placed. Runs the
    text separated are only cut when ``cut_spaced`` (a table whose text glues
    some cells and spaces others, as archivers' text of span-ridden pages does).
    """
    if len(pieces) == n and not any(p.text is not None and _TWO_CELLS.match(p.text) for p in pieces):
        values = []
        for p in pieces:
            if p.text is None:
                values.append(None)
                continue
            v = number(p.text)
            if v is None:
                return [], False
            values.append(v)
        return [tuple(values)], True
    # Only a glued row is cut: where the text kept separators between its values,
    # a missing cell is a blank, never two cells run together.
    if len(pieces) > n or any(not p.splittable for p in pieces) or (not cut_spaced and any(p.spaced for p in pieces[1:])) \
            or sum(len(p.text) for p in pieces) > MAX_DIGITS:
        return [], False
    bounds = [(1, min(len(p.text), n)) for p in pieces]
    out: list[tuple[Value, ...]] = []
    for counts in _compositions(n, bounds):
        parts = [list(_cuts(p.text, k)) for p, k in zip(pieces, counts)]
        if not all(parts):
            continue
        for combo in product(*parts):
            row = tuple(v for part in combo for v in part)
            if row_check is None or row_check(row):
                out.append(row)
                if len(out) > limit:
                    return [], False
    return out, False


def row_sum_check(parts: int) -> Callable[[tuple[Value, ...]], bool]:
    """The first ``parts`` cells add up to the next one (six applicant columns → 总计)."""
    def check(row: tuple[Value, ...]) -> bool:
        if any(v is None for v in row[: parts + 1]):
            return False
        return sum(row[:parts]) == row[parts]
    return check


def groups_sum_check(size: int, parts: int) -> Callable[[tuple[Value, ...]], bool]:
    """In each consecutive group of ``size`` cells, the first ``parts`` add to the next one
    (table 四: four results and their 总计, three times)."""
    def check(row: tuple[Value, ...]) -> bool:
        for g in range(0, len(row), size):
            cells = row[g : g + size]
            if any(v is None for v in cells[: parts + 1]) or sum(cells[:parts]) != cells[parts]:
                return False
        return True
    return check


# ---------------------------------------------------------------------------------
# The whole table

Cell = tuple[str, int]  # (row name, column index)


@dataclass(frozen=True)
class Equation:
    """``sum(left cells) == sum(right cells) + constant``: a sum the template promises,
    or a figure the report's prose states (right side empty, constant the figure)."""

    left: tuple[Cell, ...]
    right: tuple[Cell, ...] = ()
    constant: Decimal = Decimal(0)
    weight: int = 1


@dataclass
class Solution:
    values: dict[Cell, Value]  # every certain cell
    doubtful: set[Cell]  # cells the combinations that fit best disagree on
    combinations: int  # how many were searched (0: nothing was ambiguous)
    too_many: bool = False


def _side(assign: dict[str, tuple[Value, ...]], cells: tuple[Cell, ...]) -> Decimal | None:
    """The sum of ``cells`` under ``assign`` (None when one has no value)."""
    total = Decimal(0)
    for name, col in cells:
        row = assign.get(name)
        v = row[col] if row is not None and col < len(row) else None
        if v is None:
            return None
        total += v
    return total


def _score(assign: dict[str, tuple[Value, ...]], equations: Sequence[Equation]) -> int:
    score = 0
    for eq in equations:
        left, right = _side(assign, eq.left), _side(assign, eq.right)
        if left is not None and right is not None and left - right == eq.constant:
            score += eq.weight
    return score


def solve(candidates: dict[str, list[tuple[Value, ...]]], equations: Sequence[Equation]) -> Solution:
    """Choose one candidate per row: the combination satisfying most ``equations``.

    Rows with one candidate are fixed. Cells on which every best combination
    agrees are certain; the others are doubtful (no figure). Equations only
    count where every cell they name has a value.
    """
    fixed = {name: cands[0] for name, cands in candidates.items() if len(cands) == 1}
    open_rows = [name for name, cands in candidates.items() if len(cands) > 1]
    values: dict[Cell, Value] = {}
    for name, row in fixed.items():
        for col, v in enumerate(row):
            values[(name, col)] = v
    if not open_rows:
        return Solution(values, set(), 0)
    total = 1
    for name in open_rows:
        total *= len(candidates[name])
    if total > MAX_COMBINATIONS:
        doubtful = {(name, col) for name in open_rows for col in range(len(candidates[name][0]))}
        return Solution(values, doubtful, 0, too_many=True)
    relevant = [eq for eq in equations if any(c[0] in open_rows for c in eq.left + eq.right)]
    best: list[tuple[tuple[Value, ...], ...]] = []
    best_score = -1
    assign = dict(fixed)
    for combo in product(*(candidates[name] for name in open_rows)):
        for name, row in zip(open_rows, combo):
            assign[name] = row
        score = _score(assign, relevant)
        if score > best_score:
            best_score, best = score, [combo]
        elif score == best_score:
            best.append(combo)
    doubtful: set[Cell] = set()
    for i, name in enumerate(open_rows):
        width = len(best[0][i])
        for col in range(width):
            seen = {combo[i][col] for combo in best}
            if len(seen) == 1:
                values[(name, col)] = next(iter(seen))
            else:
                doubtful.add((name, col))
    return Solution(values, doubtful, total)
