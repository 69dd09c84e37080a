"""Plain-text reports (``.txt``): text exports of report pages.

Text exports keep images as ``[image: alt]`` markers, sometimes glued to a
heading (``二、主动公开政府信息情况[image: 工作簿1_Sheet1(1)]``, seed 002): the
markers are moved onto lines of their own and listed as images. Tables survive
only in flattened form (one tab-indented cell per line, blank line between rows,
seed 003; an empty cell is a line holding only the tab; merged cells are written
once) or one cell per line with no row separator at all, and are rebuilt as
grids (:func:`parse.tables.grid_from_flattened`).
"""

from __future__ import annotations

import re

from ..document import IMAGE_MARKER_FORMAT, ExtractedDocument, PageMeta
from ..model import ImageRef
from ..tables import find_cell_per_line_tables, find_flattened_tables
from .common import decode_body
from .pagemeta import inline_fields

# A text export may open with the page's labelled metadata, one ``label: value`` a
# line (an archiver's ``标题: … / 发布时间: … / 发布机构: …`` header).
HEADER_LINES = 12

IMAGE_MARKER = re.compile(r"\[image:\s*([^\]\n]*)\]")


def normalise_text(text: str, *, keep_empty_cells: bool = False) -> str:
    """Unix newlines, no trailing spaces, image markers on lines of their own, no
    leading/trailing blank lines. Leading tabs (flattened table cells) are kept.

    ``keep_empty_cells``: a line holding only a tab (and spaces) stays ``"\t"``
    -- in a text export it is an empty table cell, not the blank line that ends
    a row (t2019 宁乡: ``规章`` followed by three empty cells); so does a line
    holding only a no-break space (LibreOffice's text export of a table)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for line in text.split("\n"):
        if "[image:" not in line:
            stripped = line.rstrip()
            if keep_empty_cells and not stripped and line.startswith("\t"):
                stripped = "\t"
            elif keep_empty_cells and not stripped and "\u00a0" in line:
                stripped = "\u00a0"  # a one-cell-per-line export writes an empty cell as a no-break space
            out.append(stripped)
            continue
        pos = 0
        for m in IMAGE_MARKER.finditer(line):
            before = line[pos:m.start()]
            if before.strip():
                out.append(before.rstrip())
            out.append(IMAGE_MARKER_FORMAT.format(m.group(1).strip()))
            pos = m.end()
        after = line[pos:]
        if after.strip():
            out.append(after.strip())
    return "\n".join(out).strip("\n")


def images_from_markers(text: str) -> list[ImageRef]:
    return [ImageRef(src=None, alt=m.group(1).strip() or None) for m in IMAGE_MARKER.finditer(text)]


def header_fields(text: str) -> PageMeta | None:
    """The labelled metadata lines a text export opens with, as page metadata
    (None when it does not open with at least two of them)."""
    fields: dict[str, str] = {}
    labelled = 0
    for line in text.splitlines()[:HEADER_LINES]:
        if not line.strip():
            continue
        found = inline_fields(line)
        if not found:
            if labelled:
                break
            continue
        labelled += 1
        for label, value in found.items():
            fields.setdefault(label, value)
    return PageMeta(fields=fields) if labelled >= 2 and fields else None


def from_string(text: str, *, encoding: str | None = None, replaced: int = 0) -> ExtractedDocument:
    """An :class:`ExtractedDocument` from already decoded text."""
    text = normalise_text(text, keep_empty_cells=True)
    return ExtractedDocument(
        page=header_fields(text),
        media="text",
        text=text,
        tables=find_flattened_tables(text) or find_cell_per_line_tables(text),
        images=images_from_markers(text),
        encoding=encoding,
        replaced_chars=replaced,
    )


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    text, encoding, replaced = decode_body(
        data, name=name, content_type=content_type, declared=declared_encoding, expected="text"
    )
    return from_string(text, encoding=encoding, replaced=replaced)
