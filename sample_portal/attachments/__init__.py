"""Report attachment files: PDF, DOCX and XLSX built on the fly, DOC, XLS and
WPS shipped pre-built.

Many real 年报 are published as attachments instead of (or next to) an HTML
page.  The sample portal's attachment reports are composed or generated TEST
DATA (``generate.py``); this module renders the same report data -- title
lines, prose, and the national templates' tables with their merged cells --
into the file formats portals really serve:

* ``docx`` with python-docx (tables with merged cells, 宋体);
* ``pdf`` with reportlab, text in the built-in ``STSong-Light`` CID font
  (not embedded, as many Chinese government PDFs are), tables with spans;
* ``xlsx`` with openpyxl, one sheet, merged cells;
* ``doc``, ``xls`` and ``wps`` cannot be written from Python.  They are
  converted once from the DOCX/XLSX this module builds, with LibreOffice
  (``soffice --headless --convert-to doc`` = MS Word 97, ``--convert-to xls``
  = Excel 97-2003), and committed under ``prebuilt/``.  A ``.wps`` file is a
  Word 97 (OLE2) document with a ``.wps`` name -- what WPS Office saves when
  an agency keeps the WPS default.  ``prebuilt/SOURCES.json`` records the
  SHA-256 of the DOCX/XLSX each was converted from, so a test notices when the
  generator changes and the pre-built files are stale.  Rebuild them with::

      python -m sample_portal.attachments build     # needs soffice on PATH

Every built file is deterministic: fixed document properties, fixed ZIP
timestamps, reportlab's ``invariant`` mode.  ``revision`` > 0 (the server's
``bump_version``) appends a dated 更新说明 paragraph, so the file changes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import threading
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .. import render
from ..manifest import Report

PREBUILT_DIR = Path(__file__).resolve().parent / "prebuilt"
SOURCES_JSON = PREBUILT_DIR / "SOURCES.json"

BUILT = ("pdf", "docx", "xlsx")
PREBUILT = ("doc", "xls", "wps")
FORMATS = BUILT + PREBUILT

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "wps": "application/kswps",
}

# The source format a pre-built format is converted from.
SOURCE_OF = {"doc": "docx", "wps": "docx", "xls": "xlsx"}


# --------------------------------------------------------------------------
# Content model


def revision_note(report: Report, revision: int) -> str:
    day = (report.published_at + timedelta(days=revision)).date()
    return f"更新说明：本文件于{day.year}年{day.month}月{day.day}日作第{revision}次更新，更正个别文字表述。"


def blocks(report: Report, revision: int = 0) -> list[tuple]:
    """The report as a list of blocks: ``("title", text)``, ``("h", text)``,
    ``("p", text)``, ``("table", cells, nrows, ncols)``."""
    d = report.data
    if not d:
        raise ValueError(f"{report.id}: only composed or generated reports have attachment files")
    out: list[tuple] = [("title", line) for line in d.get("title_lines", [])]
    for block in d["body"]:
        if "p" in block:
            out.append(("p", block["p"]))
        elif "h" in block:
            out.append(("h", block["h"]))
        elif "table" in block:
            cells, nrows, ncols = render.table_cells(report, block["table"])
            out.append(("table", cells, nrows, ncols))
    if d.get("generated") or report.test_data:
        out.append(("p", "（本文件为 xxgk-archive 测试数据）"))
    if revision:
        out.append(("p", revision_note(report, revision)))
    return out


def _doc_time(report: Report, revision: int) -> datetime:
    t = report.published_at + timedelta(days=revision)
    return t.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


# --------------------------------------------------------------------------
# ZIP normalisation (DOCX, XLSX)

_FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def normalize_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite an OOXML package with fixed member timestamps and the given
    created/modified time in ``docProps/core.xml``, so the bytes are the same
    on every build."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              lambda m: m.group(1) + iso.encode() + m.group(2), body)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            zout.writestr(zi, body)
    return out.getvalue()


# --------------------------------------------------------------------------
# DOCX


def build_docx(report: Report, revision: int = 0) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    stamp = _doc_time(report, revision)
    props = doc.core_properties
    props.title = report.title
    props.author = report.agency or ""
    props.last_modified_by = report.agency or ""
    props.subject = "政府信息公开工作年度报告"
    props.keywords = "xxgk-archive 测试数据"
    props.comments = "xxgk-archive sample portal test data"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1 + revision

    for block in blocks(report, revision):
        kind = block[0]
        if kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(block[1])
            run.bold = True
            run.font.size = Pt(16)
        elif kind == "h":
            p = doc.add_paragraph()
            p.add_run(block[1]).bold = True
        elif kind == "p":
            p = doc.add_paragraph(block[1])
            p.paragraph_format.first_line_indent = Pt(24)
        else:
            _, cells, nrows, ncols = block
            table = doc.add_table(rows=0, cols=ncols)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            _docx_table_rows(table, cells, nrows, ncols)
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue(), stamp)


def _docx_table_rows(table, cells, nrows: int, ncols: int) -> None:
    """Write the rows of a table with merged cells as Word stores them:
    ``w:gridSpan`` for column spans, ``w:vMerge`` restart/continue for row
    spans (much faster than python-docx's cell-by-cell ``merge``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    anchors = {(r, c): (rs, cs, text) for r, c, rs, cs, text in cells}
    covered: dict[tuple[int, int], tuple[int, int]] = {}  # (r, c) -> anchor of a row span above
    for r, c, rs, cs, _t in cells:
        for dr in range(1, rs):
            covered[(r + dr, c)] = (rs, cs)
    tbl = table._tbl

    def tc(text: str | None, cs: int, vmerge: str | None):
        el = OxmlElement("w:tc")
        pr = OxmlElement("w:tcPr")
        if cs > 1:
            span = OxmlElement("w:gridSpan")
            span.set(qn("w:val"), str(cs))
            pr.append(span)
        if vmerge is not None:
            vm = OxmlElement("w:vMerge")
            if vmerge:
                vm.set(qn("w:val"), vmerge)
            pr.append(vm)
        va = OxmlElement("w:vAlign")
        va.set(qn("w:val"), "center")
        pr.append(va)
        el.append(pr)
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), "center")
        ppr.append(jc)
        p.append(ppr)
        if text:
            run = OxmlElement("w:r")
            rpr = OxmlElement("w:rPr")
            sz = OxmlElement("w:sz")
            sz.set(qn("w:val"), "18")  # 9 pt
            rpr.append(sz)
            run.append(rpr)
            t = OxmlElement("w:t")
            t.text = text
            run.append(t)
            p.append(run)
        el.append(p)
        return el

    for r in range(nrows):
        tr = OxmlElement("w:tr")
        c = 0
        while c < ncols:
            if (r, c) in anchors:
                rs, cs, text = anchors[(r, c)]
                tr.append(tc(text, cs, "restart" if rs > 1 else None))
            elif (r, c) in covered:
                _rs, cs = covered[(r, c)]
                tr.append(tc(None, cs, ""))
            else:
                cs = 1
                tr.append(tc("", 1, None))
            c += cs
        tbl.append(tr)


# --------------------------------------------------------------------------
# XLSX


def build_xlsx(report: Report, revision: int = 0) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    stamp = _doc_time(report, revision)
    wb.properties.title = report.title
    wb.properties.creator = report.agency or ""
    wb.properties.lastModifiedBy = report.agency or ""
    wb.properties.keywords = "xxgk-archive 测试数据"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    side = Side(style="thin")
    border = Border(left=side, right=side, top=side, bottom=side)
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = 1
    for block in blocks(report, revision):
        kind = block[0]
        if kind in ("title", "h", "p"):
            cell = ws.cell(row=row, column=1, value=block[1])
            if kind != "p":
                cell.font = Font(bold=True, size=14 if kind == "title" else 11)
            row += 1
            continue
        _, cells, nrows, ncols = block
        for r, c, rs, cs, text in cells:
            value: object = text
            if re.fullmatch(r"-?\d+", text):
                value = int(text)  # figures as numbers, as agencies' spreadsheets hold them
            cell = ws.cell(row=row + r, column=1 + c, value=value)
            cell.alignment = wrap
            cell.border = border
            if rs > 1 or cs > 1:
                ws.merge_cells(start_row=row + r, start_column=1 + c,
                               end_row=row + r + rs - 1, end_column=1 + c + cs - 1)
        row += nrows + 1
    ws.column_dimensions["A"].width = 28
    for col in "BCDEFGHIJKLMNO":
        ws.column_dimensions[col].width = 12
    buf = io.BytesIO()
    wb.save(buf)
    return normalize_zip(buf.getvalue(), stamp)


# --------------------------------------------------------------------------
# PDF


@functools.lru_cache(maxsize=1)
def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _col_widths(ncols: int, total: float) -> list[float]:
    if ncols == 3:  # legacy 附表
        return [total * 0.66, total * 0.12, total * 0.22]
    if ncols == 4:  # table 二
        return [total * 0.34] + [total * 0.22] * 3
    if ncols == 10:  # table 三: three label columns, seven figures
        label = total * 0.44
        return [label * 0.2, label * 0.3, label * 0.5] + [(total - label) / 7] * 7
    return [total / ncols] * ncols


def build_pdf(report: Report, revision: int = 0) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _pdf_font()
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER,
                                 wordWrap="CJK", spaceAfter=6)
    h_style = ParagraphStyle("h", fontName=font, fontSize=12, leading=20, wordWrap="CJK", spaceBefore=6)
    p_style = ParagraphStyle("p", fontName=font, fontSize=11, leading=19, firstLineIndent=22, wordWrap="CJK")
    cell_style = ParagraphStyle("c", fontName=font, fontSize=6.5, leading=8.5, alignment=TA_CENTER, wordWrap="CJK")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=report.title, author=report.agency or "",
                            subject="政府信息公开工作年度报告", creator="xxgk-archive sample portal",
                            keywords="xxgk-archive 测试数据", invariant=1)
    width = A4[0] - 36 * mm
    story = []
    for block in blocks(report, revision):
        kind = block[0]
        if kind == "title":
            story.append(Paragraph(render.esc(block[1]), title_style))
        elif kind == "h":
            story.append(Paragraph(render.esc(block[1]), h_style))
        elif kind == "p":
            story.append(Paragraph(render.esc(block[1]), p_style))
        else:
            _, cells, nrows, ncols = block
            grid: list[list] = [["" for _ in range(ncols)] for _ in range(nrows)]
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                     ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("FONTNAME", (0, 0), (-1, -1), font),
                     ("LEFTPADDING", (0, 0), (-1, -1), 1.5), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5)]
            for r, c, rs, cs, text in cells:
                grid[r][c] = Paragraph(render.esc(text), cell_style)
                if rs > 1 or cs > 1:
                    style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
            table = Table(grid, colWidths=_col_widths(ncols, width), repeatRows=0)
            table.setStyle(TableStyle(style))
            story += [Spacer(1, 4), table, Spacer(1, 6)]
    doc.build(story)
    return buf.getvalue()


# --------------------------------------------------------------------------
# Pre-built binaries


@functools.lru_cache(maxsize=1)
def prebuilt_sources() -> dict:
    if not SOURCES_JSON.exists():
        return {}
    return json.loads(SOURCES_JSON.read_text(encoding="utf-8"))


def prebuilt_path(report: Report) -> Path:
    return PREBUILT_DIR / f"{report.id}.{report.attachment_format}"


def source_bytes(report: Report) -> bytes:
    """The DOCX/XLSX a pre-built DOC/WPS/XLS is converted from."""
    return build(report, fmt=SOURCE_OF[report.attachment_format])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# Entry point

_BUILDERS = {"pdf": build_pdf, "docx": build_docx, "xlsx": build_xlsx}


_CACHE: dict[tuple[str, str, int], bytes] = {}
_CACHE_LOCK = threading.Lock()


def _build_cached(report: Report, fmt: str, revision: int) -> bytes:
    key = (report.id, fmt, revision)  # report ids are unique across all families
    with _CACHE_LOCK:
        data = _CACHE.get(key)
    if data is None:
        data = _build_uncached(report, fmt, revision)
        with _CACHE_LOCK:
            _CACHE[key] = data
    return data


def _build_uncached(report: Report, fmt: str, revision: int) -> bytes:
    if fmt in _BUILDERS:
        return _BUILDERS[fmt](report, revision)
    if fmt in PREBUILT:
        if revision:
            raise ValueError(f"{report.id}: a pre-built .{fmt} cannot be revised")
        path = prebuilt_path(report)
        if not path.exists():
            raise FileNotFoundError(f"{path} missing: run python -m sample_portal.attachments build")
        return path.read_bytes()
    raise ValueError(f"unknown attachment format {fmt!r}")


def build(report: Report, revision: int = 0, fmt: str | None = None) -> bytes:
    """The bytes of a report's attachment file (``fmt`` defaults to the
    report's ``attachment_format``)."""
    return _build_cached(report, fmt or report.attachment_format, revision)


def can_revise(report: Report) -> bool:
    return report.attachment_format in BUILT
