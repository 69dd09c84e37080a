"""Report tables as rectangular grids of cell strings.

Two sources:

* HTML ``<table>`` elements (:func:`grid_from_html_table`, :func:`tables_from_html`),
  read from the raw page with lxml -- never from trafilatura's output, which
  merges cells and drops headings when tables are on.
* the flattened tables of text exports, where each cell is a tab-indented line
  and rows are separated by blank lines (the 附表 of seed 003):
  :func:`grid_from_flattened`, :func:`find_flattened_tables`.

In a :class:`Grid` a cell spanning several rows/columns has its text repeated in
every position it covers; those extra positions are *span copies* and remember
their origin, so a reader can tell "（三）不予公开 written once, spanning eight
rows" from "（三）不予公开 written eight times".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .textutil import compact, squash_cjk_spaces

Pos = tuple[int, int]

MAX_COLSPAN = 100  # report tables have < 20 columns; HTML allows 1000
MAX_ROWSPAN = 1000


@dataclass
class Grid:
    """A rectangular table: ``rows[r][c]`` is the text at row ``r``, column ``c``.

    ``span_copies`` maps each position filled by a rowspan/colspan copy to the
    position of the cell it was copied from. ``header_cells`` are positions whose
    cell was a ``<th>``. ``context`` is the text just before the table (caption,
    heading or paragraph), useful to tell table 二 from table 三. ``source`` is
    ``"html"``, ``"text"`` (or the reader's media: ``"pdf"``, ``"docx"`` …).

    ``row_widths`` is set for flattened text tables only: the number of cells
    each row actually wrote (cells beyond it are padding). In such a table a
    merged cell is written once, so rows under a rowspan have fewer cells and
    the header's cells do not sit above their columns; the figure reader places
    values by the row labels and the header's (or the template's) column order,
    not by position.
    """

    rows: list[list[str]]
    span_copies: dict[Pos, Pos] = field(default_factory=dict)
    header_cells: frozenset[Pos] = frozenset()
    context: str | None = None
    source: str = "html"
    has_nested_tables: bool = False
    row_widths: list[int] | None = None

    @property
    def flattened(self) -> bool:
        """A flattened text table (see :func:`grid_from_flattened`): its merged
        cells were written once, so a cell's position is not its column."""
        return self.row_widths is not None

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def cell(self, r: int, c: int) -> str:
        return self.rows[r][c]

    def is_span_copy(self, r: int, c: int) -> bool:
        return (r, c) in self.span_copies

    def origin(self, r: int, c: int) -> Pos:
        """Position of the cell whose text fills ``(r, c)`` (itself if not a copy)."""
        return self.span_copies.get((r, c), (r, c))

    def row(self, r: int) -> list[str]:
        return list(self.rows[r])

    def column(self, c: int) -> list[str]:
        return [row[c] for row in self.rows]

    def own_cells(self) -> Iterator[tuple[int, int, str]]:
        """``(r, c, text)`` for every position that is not a span copy."""
        for r, row in enumerate(self.rows):
            for c, text in enumerate(row):
                if (r, c) not in self.span_copies:
                    yield r, c, text

    def find(self, needle: str) -> list[Pos]:
        """Positions of the (non-copy) cells whose whitespace-free text contains
        ``needle`` (whitespace in ``needle`` is ignored too)."""
        needle = compact(needle)
        return [(r, c) for r, c, text in self.own_cells() if needle in compact(text)]

    def text(self) -> str:
        """All own cell texts, tab-separated per row, newline-separated rows."""
        lines = []
        for r, row in enumerate(self.rows):
            lines.append("\t".join(t for c, t in enumerate(row) if (r, c) not in self.span_copies))
        return "\n".join(lines)

    def pipe_text(self) -> str:
        """The table as pipe rows (``| 一、本年新收… | 80 | 1 | | 0 |``): own cells
        only, an empty cell kept as an empty cell -- the text layout the template
        stream reader (:mod:`parse.figures.template_stream`) reads any table in."""
        lines = []
        for r, row in enumerate(self.rows):
            cells = [" ".join(t.split()) for c, t in enumerate(row) if (r, c) not in self.span_copies]
            width = self.row_widths[r] if self.row_widths is not None and r < len(self.row_widths) else len(cells)
            lines.append("| " + " | ".join(cells[:width]) + " |")
        return "\n".join(lines)

    def to_list(self) -> list[list[str]]:
        return [list(row) for row in self.rows]

    def __repr__(self) -> str:  # compact, tests print grids on failure
        body = "\n".join(" | ".join(row) for row in self.rows)
        return f"Grid({self.n_rows}x{self.n_cols}, context={self.context!r})\n{body}"


# ----------------------------------------------------------------------------------
# HTML tables

# Left out of a cell's text: what is not text, nested tables, and rows and cells
# found inside a cell -- markup that leaves its <span>/<p> open makes the HTML
# parser nest the following rows inside the cell (<td><p><span>…<tr>…), and
# those rows are read as rows of their own (their table is the same).
_SKIP_TAGS = {"script", "style", "noscript", "template", "table", "tr", "td", "th"}
_BREAK_TAGS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
_SPAN_NUM = re.compile(r"\d+")


def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _nearest_table(el):
    parent = el.getparent()
    while parent is not None and _tag(parent) != "table":
        parent = parent.getparent()
    return parent


def _own_rows(table) -> list:
    return [tr for tr in table.iter("tr", "TR") if _nearest_table(tr) is table]


def _own_cells(tr) -> list:
    return [child for child in tr if _tag(child) in ("td", "th")]


def _span(value: str | None, limit: int, zero: int) -> int:
    if not value:
        return 1
    m = _SPAN_NUM.search(value)
    if not m:
        return 1
    n = int(m.group())
    if n == 0:
        return zero
    return max(1, min(n, limit))


def _text_parts(el, out: list[str]) -> None:
    """Text of ``el``'s content (not its tail), leaving out nested tables,
    scripts and comments; block boundaries and <br> become spaces."""
    text = el.text
    if text and isinstance(el.tag, str):
        out.append(text)
    for child in el:
        tag = child.tag
        if isinstance(tag, str):  # not a comment / processing instruction
            tag = tag.lower()
            if tag in _SKIP_TAGS:
                out.append(" ")
            elif tag in _BREAK_TAGS:
                out.append(" ")
                _text_parts(child, out)
                out.append(" ")
            else:
                _text_parts(child, out)
        tail = child.tail
        if tail:
            out.append(tail)


def cell_text(cell) -> str:
    """Normalised text of a table cell, without the text of tables nested in it."""
    if len(cell) == 0:  # no child elements: the cell's own text is all of it
        return squash_cjk_spaces(cell.text or "")
    parts: list[str] = []
    _text_parts(cell, parts)
    return squash_cjk_spaces("".join(parts))


def preceding_text(table, max_levels: int = 4) -> str | None:
    """The last line of text right before ``table`` (a heading or a paragraph)."""
    for child in table:
        if _tag(child) == "caption":
            text = cell_text(child)
            if text:
                return text
    el = table
    for _ in range(max_levels):
        for sib in el.itersiblings(preceding=True):
            if sib.tail and sib.tail.strip():
                return squash_cjk_spaces(sib.tail)[-120:]
            if not isinstance(sib.tag, str) or _tag(sib) in ("script", "style"):
                continue
            text = cell_text(sib)
            if text:
                return text[-120:]
        parent = el.getparent()
        if parent is None or _tag(parent) in ("body", "html"):
            break
        if parent.text and parent.text.strip():
            return squash_cjk_spaces(parent.text)[-120:]
        el = parent
    return None


def grid_from_html_table(table, *, context: bool = True) -> Grid:
    """Build the grid of one ``<table>`` element (its own rows only: nested tables
    are separate grids, and their text is left out of the enclosing cell).

    ``context=False`` leaves ``Grid.context`` unset, for a caller that does not
    need it or reads it later with :func:`preceding_text` (the text before a
    table changes when the tables before it are replaced by markers)."""
    nested = [t for t in table.iter("table", "TABLE") if t is not table]
    # Without nested tables every row is the table's own.
    trs = _own_rows(table) if nested else list(table.iter("tr", "TR"))
    n_tr = len(trs)
    texts: dict[Pos, str] = {}
    origins: dict[Pos, Pos] = {}
    headers: set[Pos] = set()
    for r, tr in enumerate(trs):
        c = 0
        for cell in _own_cells(tr):
            while (r, c) in texts:
                c += 1
            rowspan = min(_span(cell.get("rowspan"), MAX_ROWSPAN, n_tr - r), n_tr - r)
            colspan = _span(cell.get("colspan"), MAX_COLSPAN, 1)
            text = cell_text(cell)
            is_th = _tag(cell) == "th"
            if rowspan == 1 and colspan == 1:  # most cells; (r, c) is free (see above)
                texts[(r, c)] = text
                if is_th:
                    headers.add((r, c))
                c += 1
                continue
            for i in range(rowspan):
                for j in range(colspan):
                    pos = (r + i, c + j)
                    if pos in texts:  # overlapping spans in broken markup: first wins
                        continue
                    texts[pos] = text
                    if (i, j) != (0, 0):
                        origins[pos] = (r, c)
                    if is_th:
                        headers.add(pos)
            c += colspan
    has_nested = any(_nearest_table(t) is table for t in nested)
    grid = _assemble(texts, origins, headers, n_tr)
    if context:
        grid.context = preceding_text(table)
    grid.has_nested_tables = has_nested
    return grid


def _assemble(texts: dict[Pos, str], origins: dict[Pos, Pos], headers: set[Pos], n_rows: int) -> Grid:
    """Rectangularise: pad short rows with "", then drop rows and columns that hold
    no cell of their own (artefacts of over-long spans) or only empty cells."""
    if not texts:
        return Grid(rows=[])
    n_cols = max(c for _, c in texts) + 1
    n_rows = max(n_rows, max(r for r, _ in texts) + 1)

    def keep_line(positions: Iterable[Pos]) -> bool:
        positions = list(positions)
        own = [p for p in positions if p in texts and p not in origins]
        return bool(own) and any(texts.get(p, "") for p in positions)

    keep_r = [r for r in range(n_rows) if keep_line((r, c) for c in range(n_cols))]
    keep_c = [c for c in range(n_cols) if keep_line((r, c) for r in keep_r)]
    new_r = {r: i for i, r in enumerate(keep_r)}
    new_c = {c: j for j, c in enumerate(keep_c)}
    rows = [[texts.get((r, c), "") for c in keep_c] for r in keep_r]
    span_copies: dict[Pos, Pos] = {}
    for (r, c), (r0, c0) in origins.items():
        if r in new_r and c in new_c:
            # A copy whose origin was dropped (only possible for empty text) is
            # left as an own cell.
            if r0 in new_r and c0 in new_c:
                span_copies[(new_r[r], new_c[c])] = (new_r[r0], new_c[c0])
    header_cells = frozenset((new_r[r], new_c[c]) for r, c in headers if r in new_r and c in new_c)
    return Grid(rows=rows, span_copies=span_copies, header_cells=header_cells)


def tables_from_html(root) -> list[Grid]:
    """Grids of every ``<table>`` in a parsed lxml document, in document order
    (layout tables included: see ``Grid.has_nested_tables``)."""
    grids = []
    for table in root.iter("table", "TABLE"):
        grid = grid_from_html_table(table)
        if grid.rows:
            grids.append(grid)
    return grids


def is_data_table(grid: Grid) -> bool:
    """A table that can hold figures: at least 2x2, not a layout wrapper."""
    return grid.n_rows >= 2 and grid.n_cols >= 2 and not grid.has_nested_tables


# ----------------------------------------------------------------------------------
# Flattened text tables (one tab-indented line per cell, blank line between rows)
#
# The export the real seeds come from writes each cell as a tab-indented line and
# ends each row with a blank line; an empty cell is a line holding only the tab
# (text readers must keep it: see parse.formats.text.normalise_text). A merged
# cell is written once, so the rows of a template table have different lengths
# (table 三's header: 3 cells, then 5; its rows under （三）不予公开: 8 cells, the
# first 9).

def _flattened_rows(block: str) -> list[list[str]]:
    rows: list[list[str]] = []
    current: list[str] = []
    for line in block.splitlines():
        if not line.startswith("\t") and not line.strip():
            if current:
                rows.append(current)
                current = []
            continue
        current.append(squash_cjk_spaces(line))  # a tab-only line is an empty cell
    if current:
        rows.append(current)
    # A row of empty cells only (stray tabs) carries nothing.
    return [r for r in rows if any(r)]


def grid_from_flattened(block: str, context: str | None = None) -> Grid:
    """Grid of a flattened table block: each tab-indented line is a cell (a line
    holding only the tab an empty one), a blank line ends a row; short rows are
    padded with "" and ``row_widths`` says how many cells each row wrote."""
    rows = _flattened_rows(block)
    widths = [len(r) for r in rows]
    width = max(widths, default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Grid(rows=rows, context=context, source="text", row_widths=widths)


# A flattened block is a table when at least this share of its rows (and at
# least two rows) hold several cells. Template tables mix widths: table 二 has a
# one-cell 第二十条第（一）项 row before each part, table 四 rows of 2, 7, 10 and 15
# cells.
_MULTI_CELL_SHARE = 0.5
_MAX_MEDIAN_CELL = 40  # characters: table cells are short, paragraphs are not


def _looks_tabular(grid: Grid) -> bool:
    if grid.n_rows < 2 or grid.n_cols < 2:
        return False
    widths = grid.row_widths or [sum(1 for t in row if t) for row in grid.rows]
    multi = sum(1 for w in widths if w >= 2)
    if multi < 2 or multi < _MULTI_CELL_SHARE * grid.n_rows:
        return False
    lengths = sorted(len(t) for row in grid.rows for t in row if t)
    return bool(lengths) and lengths[len(lengths) // 2] <= _MAX_MEDIAN_CELL


def find_flattened_tables(text: str) -> list[Grid]:
    """Flattened tables in a text document: maximal runs of tab-indented lines and
    blank lines that form at least two rows of several short cells."""
    lines = text.splitlines()
    grids: list[Grid] = []
    i = 0
    last_text_line: str | None = None
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t") and line.strip():
            j = i
            while j < len(lines) and (lines[j].startswith("\t") or not lines[j].strip()):
                j += 1
            grid = grid_from_flattened("\n".join(lines[i:j]), context=last_text_line)
            if _looks_tabular(grid):
                grids.append(grid)
            i = j
            continue
        if line.strip():
            last_text_line = squash_cjk_spaces(line)
        i += 1
    return grids


# ----------------------------------------------------------------------------------
# One cell per line: a legacy 附表 pasted as paragraphs (指标名称 / 单位 / 2018年 /
# 历年累计 / 主动公开文件数 / 条 / 198 / 1355 / …), each cell its own line and no
# row separator. Only read when it starts with the legacy header 指标名称, and
# only as far as every row has the shape label, unit, numbers.

_HEADER_WORD = re.compile(
    r"^(?:计量单位|单位|数量|数值|(?:19|20)\d\d年度?|本年度?|上年度?|本年数|上年数|历年累计|累计|合计|"
    r"同比增减|增减|备注|说明)$"
)
_UNIT_WORD = re.compile(r"^(?:条|件|个|人|人次|次|万元|元|项|篇|期|场|处|份|家|名|批|天|日|%)$")
_VALUE = re.compile(r"^(?:[-+]?\d[\d,，.]*%?|[—\-－/／]|无)$")
_LEGACY_HEADER_START = "指标名称"


def _is_label(cell: str) -> bool:
    c = compact(cell)
    return bool(c) and not _VALUE.match(c) and not _UNIT_WORD.match(c) and not _HEADER_WORD.match(c) and len(c) <= 40


def find_cell_per_line_tables(text: str) -> list[Grid]:
    """Legacy 附表 written one cell per line (see above) as grids."""
    lines = [squash_cjk_spaces(line) for line in text.splitlines() if line.strip()]
    grids: list[Grid] = []
    i = 0
    while i < len(lines):
        if compact(lines[i]) != _LEGACY_HEADER_START:
            i += 1
            continue
        header = [lines[i]]
        j = i + 1
        while j < len(lines) and _HEADER_WORD.match(compact(lines[j])):
            header.append(lines[j])
            j += 1
        n = len(header)
        unit_col = next((k for k, h in enumerate(header) if compact(h) in ("单位", "计量单位")), None)
        rows = [header]
        while n >= 2 and j + n <= len(lines):
            row = lines[j : j + n]
            ok = _is_label(row[0]) and all(
                _UNIT_WORD.match(compact(cell)) if k == unit_col else _VALUE.match(compact(cell))
                for k, cell in enumerate(row[1:], start=1)
            )
            if not ok:
                break
            rows.append(row)
            j += n
        if len(rows) >= 3:
            context = lines[i - 1] if i > 0 else None
            grids.append(Grid(rows=[list(r) for r in rows], context=context, source="text"))
            i = j
        else:
            i += 1
    return grids
