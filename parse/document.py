"""What a format reader hands to the report parser.

Each reader in :mod:`parse.formats` turns bytes into an :class:`ExtractedDocument`:
the main text, the tables as grids, the images, and -- for web pages -- the page
metadata. Everything after that (title, agency, year, template) is decided by
format-independent code in :mod:`parse.metadata`, :mod:`parse.era` and
:mod:`parse.report`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import ImageRef
from .tables import Grid

if TYPE_CHECKING:
    from .ocr.pages import OcrPage

# Text documents mark an image's place with ``[image: alt]`` on its own line
# (seed 002); the HTML reader renders images the same way.
IMAGE_MARKER_FORMAT = "[image: {}]"


def image_label(alt: str, src: str) -> str:
    """What an image's marker says: its alt text, else its file name."""
    import posixpath
    from urllib.parse import urlsplit

    label = alt.strip() or posixpath.basename(urlsplit(src).path) or src
    # Brackets would end the [image: …] marker early.
    return label.replace("[", "(").replace("]", ")").replace("\n", " ")
# The HTML reader replaces each report table by ``[table: n]`` (1-based index
# into ExtractedDocument.tables) in the main text.
TABLE_MARKER_FORMAT = "[table: {}]"
TABLE_MARKER = re.compile(r"^\[table: (\d+)\]$", re.MULTILINE)


def text_with_tables(text: str, grids: list[Any]) -> str:
    """The text with each ``[table: n]`` marker replaced by its grid as pipe rows
    (grids no marker names follow the text): the whole report as text -- what
    the stream reader reads when the grid reader could not place a table's
    cells, and what the catalogue stores and searches (labels, headings and
    values of the tables as words, where they stand)."""
    text = text or ""
    used: set[int] = set()

    def table(m: re.Match) -> str:
        i = int(m.group(1)) - 1
        if 0 <= i < len(grids) and hasattr(grids[i], "pipe_text"):
            used.add(i)
            return grids[i].pipe_text()
        return m.group(0)

    text = TABLE_MARKER.sub(table, text)
    rest = [g.pipe_text() for i, g in enumerate(grids or []) if i not in used and hasattr(g, "pipe_text")]
    return "\n\n".join([text, *rest]) if rest else text


@dataclass
class PageMeta:
    """Metadata a web page states about itself.

    ``title``: the ``<title>``; ``h1``: the first ``<h1>``; ``meta``: ``<meta
    name=… content=…>`` pairs (TRS portals: ``ArticleTitle``, ``PubDate``,
    ``ContentSource``), keyed by lower-cased name; ``fields``: the labelled
    metadata block above the body (索引号, 发布机构, 发文日期, 成文日期, 发布日期, …),
    keyed by the label as written (without the colon).
    """

    title: str | None = None
    h1: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    def meta_value(self, name: str) -> str | None:
        value = self.meta.get(name.lower())
        return value or None


@dataclass
class ExtractedDocument:
    """A document reduced to text, tables, images and metadata."""

    media: str  # reader that produced it: "html" | "text"
    text: str
    tables: list[Grid] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    page: PageMeta | None = None
    encoding: str | None = None
    replaced_chars: int = 0  # U+FFFD produced by decoding
    # Pages read by OCR (pictures, scanned PDF pages): their text, tokens
    # (box, confidence) and the SHA-256 of the picture read -- the evidence
    # behind every figure of the OCR text. None when nothing was OCR'd.
    ocr: list[OcrPage] | None = None
    # Pages (1-based) that needed OCR but were not read: over the OCR page budget.
    ocr_unread: list[int] = field(default_factory=list)
