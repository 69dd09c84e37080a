"""Table rows that OCR read as one line: the cells of several rows stacked in one box.

OCR of a picture of table 三 often takes the cells of adjacent rows in one column
as one text box, and the rows' labels as one line::

    2.其他法律行政法规禁止公开3.危及“三安全一稳定”  305 10 00 00 00 00 315

is the rows 2 (30 1 0 0 0 0 31) and 3 (5 0 0 0 0 0 5): each of the seven
"cells" holds one value per row, top to bottom -- the template's own row order,
since the page prints its rows in that order. Such a line is given back as one
line per row when exactly one cut of its cells makes every row add up (six
columns to 总计); when more than one does, the rows' labels are kept without
values (no figure), and a warning says so.

Entry point: :func:`unstack_rows`.
"""

from __future__ import annotations

import re
from itertools import combinations, product

from parse.model import ParseWarning
from parse.template import APPLICANT_COLUMNS, APPLICANT_PARTS, fold_for_match, group_rows, table3_rows

__all__ = ["unstack_rows"]

_LINE = re.compile(r"^(?P<labels>.*[\u4e00-\u9fff”」)）])[ \t\u3000]+(?P<values>\d+(?:[ \t\u3000]+\d+)*)[ \t\u3000]*$")
# where a row's label starts: its number (2. / 3、 / （六）) not inside another number
_NUMBERING = re.compile(r"(?<![\d.])(?=\d{1,2}[.、．])|(?=[(（][一二三四五六七][)）])")
MAX_CUTS = 5000


def _cuts(run: str, k: int) -> list[tuple[int, ...]]:
    """Every way to read ``run`` as ``k`` numbers (no leading zeros)."""
    out = []
    for points in combinations(range(1, len(run)), k - 1):
        bounds = (0, *points, len(run))
        parts = [run[a:b] for a, b in zip(bounds, bounds[1:])]
        if all(p == "0" or not p.startswith("0") for p in parts):
            out.append(tuple(int(p) for p in parts))
    return out


def _rows_of(labels: str, era: str) -> list[tuple[int, str]]:
    """(template index, label text) of each table-三 row named in ``labels``, in
    template order; the text before the first is returned with index -1."""
    rows = table3_rows(era)
    pieces = [p for p in _NUMBERING.split(labels) if p.strip()]
    # a 2021 （六）其他处理 named with one of its three rows is their heading, no row
    leaves = {i for i, r in enumerate(rows) if r.key in group_rows("other", era)}
    out: list[tuple[int, str]] = []
    named: set[int] = set()
    for piece in pieces:
        folded = fold_for_match(piece)
        hits = [i for i, r in enumerate(rows) if any(s in folded for s in r.signatures)]
        if set(hits) & leaves:
            hits = [i for i in hits if rows[i].key != "outcome.other"]
        if len(hits) != 1 or hits[0] in named:
            out.append((-1, piece))
            continue
        named.add(hits[0])
        out.append((hits[0], piece))
    return out


def _unstack(labels: str, values: list[str], era: str) -> tuple[list[str], ParseWarning] | None:
    named = _rows_of(labels, era)
    rows = sorted((i, text) for i, text in named if i >= 0)
    k = len(rows)
    if k < 2 or len(values) != len(APPLICANT_COLUMNS) or any(len(v) < k for v in values):
        return None
    options = [_cuts(v, k) for v in values]
    solutions: set[tuple[tuple[int, ...], ...]] = set()
    tried = 0
    for combo in product(*options):
        tried += 1
        if tried > MAX_CUTS:
            solutions = set()
            break
        table = tuple(tuple(col[r] for col in combo) for r in range(k))
        if all(sum(row[: len(APPLICANT_PARTS)]) == row[len(APPLICANT_PARTS)] for row in table):
            solutions.add(table)
    prefix = "".join(text for i, text in named if i < 0).strip()
    keys = [table3_rows(era)[i].key for i, _ in rows]
    lines = [prefix] if prefix else []
    if len(solutions) == 1:
        (table,) = solutions
        lines += [f"{text.strip()} " + " ".join(str(v) for v in row) for (_, text), row in zip(rows, table)]
        warning = ParseWarning(
            "stacked_rows", f"table 三: {k} rows read as one line, their cells stacked "
            f"({' '.join(values)}); cut into one row each by the one reading that makes every row add up",
            {"rows": keys})
    else:
        lines += [text.strip() for _, text in rows]
        warning = ParseWarning(
            "stacked_rows", f"table 三: {k} rows read as one line, their cells stacked ({' '.join(values)}); "
            f"{'more than one' if solutions else 'no'} reading makes every row add up: no figures for them",
            {"rows": keys, "readings": len(solutions)})
    return lines, warning


def unstack_rows(text: str, era: str) -> tuple[str, list[ParseWarning]]:
    """``text`` with every line of stacked table-三 rows given back as its rows."""
    if era not in ("2019-template", "2021-template"):
        return text, []
    out: list[str] = []
    warnings: list[ParseWarning] = []
    changed = False
    for line in text.split("\n"):
        m = _LINE.match(line)
        got = _unstack(m["labels"], m["values"].split(), era) if m else None
        if got is None:
            out.append(line)
            continue
        lines, warning = got
        out.extend(lines)
        warnings.append(warning)
        changed = True
    return ("\n".join(out) if changed else text), warnings
