"""Spreadsheets: XLSX (openpyxl) and XLS (xlrd; also WPS ``.et`` files, which
are XLS in an OLE2 container).

Each visible sheet is cut into text and tables: a row holding a single
unmerged cell is a line of text (reports pasted into a sheet put the title,
headings and paragraphs so), and the blocks of other rows between them (or
between blank rows) are tables, each a :class:`Grid` with its merged ranges
expanded (the top-left cell's text repeated, the copies recorded). The text
is, per sheet, the sheet's name (when the workbook has several sheets with
content and the name is not a default ``Sheet1``), its text rows, and a
``[table: n]`` line where each table is -- the convention of the HTML and
DOCX readers; the cells themselves are in the grids, not repeated in the text
(a row such as ``三、本年度办理结果 …`` would read as a section heading). A title
row merged across a table's width is also put in the text.

Cells read as the spreadsheet shows them: formulas by their cached value, an
integer-valued float ``12.0`` as ``12``, and the number format applied where
it changes the digits (``0.00`` → ``3.50``, ``#,##0`` → ``1,046``, ``0%`` →
``35%``); dates as ``YYYY-MM-DD``.

Limits: an XLSX package is checked within size limits before openpyxl reads it
(:mod:`office_zip`), and at most MAX_ROWS x MAX_COLS, and MAX_CELLS, cells of a
sheet are read (whole rows: a sheet cut by the limit ends at a row's end).
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import zipfile
from dataclasses import dataclass

from ..document import TABLE_MARKER_FORMAT, ExtractedDocument
from ..errors import UnreadableDocument
from ..tables import Grid, _assemble
from ..textutil import squash_cjk_spaces
from . import office_ole, office_zip

# Guards against sheets whose formatting reaches row 1,048,576.
MAX_ROWS = 20000
MAX_COLS = 500
# Cells read per sheet (rows x columns visited for XLS, stored cells for XLSX):
# a report's workbook has a few thousand; a million is a data dump, and reading
# it cell by cell would take minutes.
MAX_CELLS = 1_000_000
# openpyxl keeps every cell as an object, about 1 KB with its style (measured:
# 22 MB of sheet XML, 500,000 cells, 180 MB more memory): 50 MB of XML in one
# member is over a million cells already. Other limits as for DOCX.
XLSX_ZIP_LIMITS = office_zip.ZipLimits(member=50 * office_zip.MB)

# ----------------------------------------------------------------------------------
# Cell display


_QUOTED = re.compile(r'"([^"]*)"')
_BRACKETS = re.compile(r"\[[^\]]*\]")
_NUMERIC_CORE = re.compile(r"[#0?,]*(?:\.[#0?]*)?(?:[eE][+-][0#]+)?%?")


def general(value: float) -> str:
    """A number as Excel's General format shows it (up to 11 significant digits)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.11g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa}E{int(exp):+03d}"
    return text


def format_number(value: float, fmt: str | None) -> str:
    """``value`` under the number format ``fmt`` (the common cases; anything
    unusual falls back to General)."""
    if fmt is None or fmt in ("", "General", "@") or isinstance(value, bool):
        return general(value)
    sections = fmt.split(";")
    section = sections[0]
    negative = value < 0
    if negative and len(sections) > 1 and sections[1].strip():
        section = sections[1]
        value = -value  # the negative section writes its own sign/brackets
        negative = False
    section = _BRACKETS.sub("", section)
    section = re.sub(r"_.|\*.", "", section)
    section = section.replace("\\", "")
    literals = [m.group(1) for m in _QUOTED.finditer(section)]
    body = _QUOTED.sub("\x00", section)
    core = None
    for m in _NUMERIC_CORE.finditer(body):
        if any(ch in m.group() for ch in "0#?"):
            core = m
            break
    if core is None:
        return general(value) if not body.strip("\x00 ") else general(value)
    spec = core.group()
    if "e" in spec.lower():
        return general(value)
    percent = spec.endswith("%")
    if percent:
        value *= 100
        spec = spec[:-1]
    int_part, _, dec_part = spec.partition(".")
    decimals = sum(1 for ch in dec_part if ch in "0#?")
    required = sum(1 for ch in dec_part if ch == "0")
    thousands = "," in int_part
    # (Trailing commas that scale by 1000 are not supported; rare in reports.)
    number = f"{abs(value):{',' if thousands else ''}.{decimals}f}"
    if decimals > required:
        whole, _, frac = number.partition(".")
        frac = frac.rstrip("0").ljust(required, "0")
        number = f"{whole}.{frac}" if frac else whole
    if percent:
        number += "%"
    if negative and float(f"{abs(value):.{decimals}f}") != 0:
        number = "-" + number
    prefix, suffix = body[: core.start()], body[core.end() :]
    lit = iter(literals)
    prefix = "".join(next(lit, "") if ch == "\x00" else ch for ch in prefix)
    suffix = "".join(next(lit, "") if ch == "\x00" else ch for ch in suffix)
    return (prefix + number + suffix).strip()


def format_date(value: _dt.datetime | _dt.date | _dt.time) -> str:
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def display(value, fmt: str | None = None) -> str:
    """What a cell shows, normalised like other grid cells."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, (int, float)):
        text = format_number(value, fmt)
    elif isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        text = format_date(value)
    elif isinstance(value, _dt.timedelta):
        text = str(value)
    else:
        text = str(value)
    return squash_cjk_spaces(text)


# ----------------------------------------------------------------------------------
# Sheets to grids and text


def _grid(cells: dict[tuple[int, int], str], merges: list[tuple[int, int, int, int]], source: str, n_rows: int) -> Grid:
    """``cells`` (0-based positions → text), ``merges`` as (first row, last
    row, first col, last col), inclusive."""
    texts = dict(cells)
    origins: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, r1, c0, c1 in merges:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_ROWS * 4:
            continue
        origin_text = texts.get((r0, c0), "")
        texts[(r0, c0)] = origin_text
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                texts[(r, c)] = origin_text
                origins[(r, c)] = (r0, c0)
    grid = _assemble(texts, origins, set(), n_rows)
    grid.source = source
    return grid


@dataclass
class _Sheet:
    name: str
    cells: dict[tuple[int, int], str]
    merges: list[tuple[int, int, int, int]]
    bordered: set[tuple[int, int]]  # cells with a border (ruled table cells, even empty)


_DEFAULT_SHEET_NAME = re.compile(r"^(?:sheet|工作表|表)\s*\d*$", re.IGNORECASE)
_TITLE_WORDS = ("报告", "统计表", "情况表", "年度")


def _blocks(sheet: _Sheet, source: str) -> list[tuple[str, object]]:
    """A sheet cut into text lines and tables.

    Reports laid out in a spreadsheet put the title, headings and paragraphs
    in single cells of their own rows and the tables in ruled blocks below
    them. A *text row* has one non-empty cell, not merged with others, and no
    ruled (bordered) cells -- a table row whose other cells are empty keeps its
    borders; blank rows and text rows separate *table blocks*, each a grid. A
    block of fewer than 2x2 cells is text too."""
    merged_at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    spanning_rows: set[int] = set()
    for m in sheet.merges:
        r0, r1, c0, c1 = m
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                merged_at[(r, c)] = m
        if r1 > r0:
            spanning_rows.update(range(r0, r1 + 1))
    by_row: dict[int, list[int]] = {}
    for (r, c), text in sheet.cells.items():
        if text:
            by_row.setdefault(r, []).append(c)
    n_rows = max(list(by_row) + list(spanning_rows), default=-1) + 1
    ruled_rows = {r for r, _ in sheet.bordered}

    def kind(r: int) -> str:
        cols = by_row.get(r, [])
        if r in spanning_rows or r in ruled_rows:
            return "table"
        if not cols:
            return "blank"
        if len(cols) == 1 and (r, cols[0]) not in merged_at:
            return "text"
        return "table"

    out: list[tuple[str, object]] = []
    r = 0
    while r < n_rows:
        k = kind(r)
        if k == "blank":
            r += 1
            continue
        if k == "text":
            (c,) = by_row[r]
            out.append(("text", sheet.cells[(r, c)]))
            r += 1
            continue
        start = r
        while r < n_rows and kind(r) == "table":
            r += 1
        rows = range(start, r)
        cells = {(rr - start, c): t for (rr, c), t in sheet.cells.items() if rr in rows}
        merges = [
            (max(m[0], start) - start, min(m[1], r - 1) - start, m[2], m[3])
            for m in sheet.merges
            if m[1] >= start and m[0] < r
        ]
        grid = _grid(cells, merges, source, r - start)
        if grid.n_rows >= 2 and grid.n_cols >= 2:
            first = [t for c, t in enumerate(grid.rows[0]) if (0, c) not in grid.span_copies and t]
            if len(first) == 1 and grid.n_cols > 2 and any(w in first[0] for w in _TITLE_WORDS):
                out.append(("text", first[0]))  # a title row merged across the table
            out.append(("table", grid))
        else:
            for row in grid.rows:
                line = "\t".join(t for t in row if t)
                if line:
                    out.append(("text", line))
    return out


def _document(sheets: list[_Sheet], media: str, name: str | None, label: str) -> ExtractedDocument:
    lines: list[str] = []
    tables: list[Grid] = []
    content = [(sheet, _blocks(sheet, media)) for sheet in sheets]
    content = [(sheet, blocks) for sheet, blocks in content if blocks]
    for sheet, blocks in content:
        sheet_name = squash_cjk_spaces(sheet.name)
        if len(content) > 1 and sheet_name and not _DEFAULT_SHEET_NAME.match(sheet_name):
            lines.append(sheet_name)
            context: str | None = sheet_name
        else:
            context = None
        for what, value in blocks:
            if what == "text":
                lines.append(str(value))
                context = str(value)
            else:
                grid = value
                grid.context = context[-120:] if context else None
                tables.append(grid)
                lines.append(TABLE_MARKER_FORMAT.format(len(tables)))
    if not lines:
        raise UnreadableDocument(name, f"the {label} workbook has no cells with content")
    return ExtractedDocument(media=media, text="\n".join(lines), tables=tables)


# ----------------------------------------------------------------------------------
# XLSX


def _xlsx_bordered(border) -> bool:
    return any(getattr(getattr(border, side, None), "style", None) for side in ("left", "right", "top", "bottom"))


def extract_xlsx(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    label = "Excel (XLSX)"
    if office_ole.is_ole(data):
        with office_ole.open_ole(data, name, label) as ole:
            office_ole.refuse_encrypted_package(office_ole.top_streams(ole), name)
        raise UnreadableDocument(name, f"not a {label} file: an OLE2 (legacy Office) file")
    if not data.startswith(b"PK"):
        raise UnreadableDocument(name, f"not a {label} file: no ZIP signature")
    office_zip.check_package(data, name=name, label=label, part="xl/", limits=XLSX_ZIP_LIMITS)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(name, f"corrupt or truncated {label} file ({exc})") from exc
    except InvalidFileException as exc:
        raise UnreadableDocument(name, f"corrupt {label} file ({type(exc).__name__}: {exc})") from exc
    except MemoryError:  # the isolation layer reports it (parse/isolation.py)
        raise
    except Exception as exc:  # noqa: BLE001 -- openpyxl surfaces XML errors of many kinds
        raise UnreadableDocument(name, f"corrupt {label} file ({type(exc).__name__}: {exc})") from exc

    sheets = []
    try:
        worksheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"] or list(workbook.worksheets)
        for ws in worksheets:
            cells: dict[tuple[int, int], str] = {}
            bordered: set[tuple[int, int]] = set()
            stored = list(ws._cells.items())  # stored cells only, not the used range, row by row
            row_limit = MAX_ROWS
            if len(stored) > MAX_CELLS:  # whole rows only: those before the first cell not read
                row_limit = min(row_limit, stored[MAX_CELLS][0][0] - 1)
            for (row, col), cell in stored[:MAX_CELLS]:
                if row > row_limit or col > MAX_COLS:
                    continue
                text = display(cell.value, cell.number_format)
                if text:
                    cells[(row - 1, col - 1)] = text
                if cell.has_style and _xlsx_bordered(cell.border):
                    bordered.add((row - 1, col - 1))
            merges = [
                (m.min_row - 1, min(m.max_row, row_limit) - 1, m.min_col - 1, min(m.max_col, MAX_COLS) - 1)
                for m in ws.merged_cells.ranges
                if m.min_row <= row_limit and m.min_col <= MAX_COLS
            ]
            sheets.append(_Sheet(ws.title, cells, merges, bordered))
    finally:
        workbook.close()
    return _document(sheets, "xlsx", name, label)


# ----------------------------------------------------------------------------------
# XLS


def extract_xls(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
    media: str = "xls",
) -> ExtractedDocument:
    import xlrd

    label = "Excel (XLS)" if media == "xls" else "WPS spreadsheet (ET)"
    with office_ole.open_ole(data, name, label) as ole:
        streams = office_ole.top_streams(ole)
    office_ole.refuse_encrypted_package(streams, name)
    if "workbook" not in streams and "book" not in streams:
        raise UnreadableDocument(name, f"not an Excel-format {label} file: the OLE2 container holds no workbook")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False, logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise UnreadableDocument(
                name, f"password-protected (encrypted) {label} workbook; it cannot be read without the password"
            ) from exc
        raise UnreadableDocument(name, f"corrupt {label} file ({exc})") from exc
    except MemoryError:  # the isolation layer reports it (parse/isolation.py)
        raise
    except Exception as exc:  # noqa: BLE001 -- xlrd raises struct/index/assertion errors on damage
        raise UnreadableDocument(name, f"corrupt or truncated {label} file ({type(exc).__name__}: {exc})") from exc

    def fmt_of(xf_index: int) -> str | None:
        try:
            return book.format_map[book.xf_list[xf_index].format_key].format_str
        except (IndexError, KeyError, AttributeError):
            return None

    ruled_xf: dict[int, bool] = {}

    def bordered_xf(xf_index: int) -> bool:
        if xf_index not in ruled_xf:
            try:
                b = book.xf_list[xf_index].border
                ruled_xf[xf_index] = any((b.top_line_style, b.bottom_line_style, b.left_line_style, b.right_line_style))
            except (IndexError, AttributeError):
                ruled_xf[xf_index] = False
        return ruled_xf[xf_index]

    sheets = []
    try:
        all_sheets = book.sheets()
        visible = [s for s in all_sheets if getattr(s, "visibility", 0) == 0] or all_sheets
        for sheet in visible:
            cells: dict[tuple[int, int], str] = {}
            bordered: set[tuple[int, int]] = set()
            n_cols = min(sheet.ncols, MAX_COLS)
            row_limit = min(sheet.nrows, MAX_ROWS, MAX_CELLS // max(n_cols, 1))
            for r in range(row_limit):
                for c in range(n_cols):
                    cell = sheet.cell(r, c)
                    ctype = cell.ctype
                    if bordered_xf(cell.xf_index):
                        bordered.add((r, c))
                    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        continue
                    if ctype == xlrd.XL_CELL_NUMBER:
                        text = display(cell.value, fmt_of(cell.xf_index))
                    elif ctype == xlrd.XL_CELL_DATE:
                        try:
                            text = display(xlrd.xldate_as_datetime(cell.value, book.datemode))
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            text = display(cell.value)
                    elif ctype == xlrd.XL_CELL_BOOLEAN:
                        text = "TRUE" if cell.value else "FALSE"
                    elif ctype == xlrd.XL_CELL_ERROR:
                        text = xlrd.error_text_from_code.get(cell.value, "#ERR")
                    else:
                        text = display(cell.value)
                    if text:
                        cells[(r, c)] = text
            merges = [
                (r0, min(r1, row_limit) - 1, c0, min(c1, MAX_COLS) - 1)
                for r0, r1, c0, c1 in sheet.merged_cells
                if r0 < row_limit and c0 < MAX_COLS
            ]
            sheets.append(_Sheet(sheet.name, cells, merges, bordered))
    finally:
        book.release_resources()
    return _document(sheets, media, name, label)


def extract_et(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    return extract_xls(data, name=name, content_type=content_type, media="et")


extract = extract_xlsx
