"""PDF reports, read with pdfplumber (pdfminer.six underneath; MIT licence).

What comes out:

* **Text** in reading order, page after page, as paragraphs: the visual lines
  of a paragraph are joined again (a line that reaches the right margin runs on
  into the next one unless that one is indented -- Chinese paragraphs indent
  their first line by two characters), so ``主动公开政府信息512条`` broken over
  two lines is one sentence again; spaces that PDF layout puts next to Chinese
  characters (``2023 年``) are dropped. Running headers and footers -- the same
  line at the same place on several pages, and page numbers such as
  ``- 3 -``, ``第 3 页 共 9 页``, ``3/9`` -- are removed.
* **Tables** found from their ruling lines (``page.find_tables()``), each a
  :class:`Grid` over the union of the cells' edges, spanning cells' text
  repeated and recorded as span copies. The table's text is left out of the
  running text, which gets a ``[table: n]`` line in its place (as the HTML
  reader does). A table that ends a page and continues at the top of the next
  page (same outer width and column edges, nothing but the running header or a
  ``续表`` line in between) is joined into one grid: header rows repeated on the
  new page are dropped, and a merged cell cut by the page break (an empty cell,
  or the rest of a label, under a cell spanning rows) is joined to its first
  part.
* **Images** of a meaningful size become ``[image: page N image K]`` lines and
  :class:`ImageRef`s.
* **Scanned pages** -- (almost) no text layer (under :data:`SCAN_MAX_CHARS`
  characters) and an image covering at least :data:`SCAN_MIN_SHARE` of the
  page -- are rendered with PDFium and read by OCR (:mod:`parse.ocr`): their
  text is the OCR text (table rows as pipe rows), joined into paragraphs like
  any other page's lines, and ``ExtractedDocument.ocr`` keeps every page's
  tokens. At most :data:`MAX_OCR_PAGES` pages of a document are OCR'd; later
  scanned pages stay ``[image: page N image K (not read: …)]`` lines, and a
  warning is logged. A page the OCR finds no text on stays an image.

Encrypted PDFs open when they have only an owner (permissions) password; a
user password, a truncated file or a damaged one raise UnreadableDocument, and
so does a PDF over the page or text limits (MAX_PAGES, MAX_PAGE_CHARS,
MAX_TEXT_CHARS), checked before the pages are read.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import statistics
import struct
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..document import IMAGE_MARKER_FORMAT, TABLE_MARKER_FORMAT, ExtractedDocument
from ..errors import UnreadableDocument
from ..model import ImageRef
from ..tables import Grid, _assemble
from .pdf_columns import Word, place_cells, words_of
from ..textutil import CJK_CHAR, compact, squash_cjk_spaces

logger = logging.getLogger(__name__)

# Edges closer than this (points) are the same grid line.
EDGE_TOLERANCE = 2.0
# Images smaller than this (points, both sides) are decoration, not content.
MIN_IMAGE_SIDE = 28.0
# Running headers/footers: searched among this many lines at each end of a page,
# within this share of the page height from the edge.
MARGIN_LINES = 2
MARGIN_BAND = 0.16

_PAGE_NUMBER = re.compile(
    r"^(?:"
    r"[-－—–~_·•\s]*\d{1,3}[-－—–~_·•\s]*"  # 3, - 3 -, —3— (not a year)
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页, 第3页 共9页
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/9
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"  # Page 3 of 9
    r")$",
    re.IGNORECASE,
)
_CONTINUED_TABLE = re.compile(r"^[（(]?(?:续表|续上表|接上表|续)[)）]?[\s\d一二三四五六七八九十：:]*$")
# Glyphs pdfminer cannot map to Unicode: "(cid:123)", private-use code points, U+FFFD.
_CID = re.compile(r"\(cid:\d+\)")
_UNMAPPED = re.compile(r"[\ue000-\uf8ff\ufffd]")
# Above this share of unmapped glyphs the text layer is garbage (fonts without a
# ToUnicode map): the PDF is refused rather than read as nonsense.
MAX_UNMAPPED_SHARE = 0.3
# Limits checked before the work they bound. Annual reports have 5-40 pages; a
# PDF of more than 300 is a compendium or something else, and reading it would
# take minutes.
MAX_PAGES = 300
# Characters on one page: a dense A4 page of 6-point text has ~15,000, drawn
# four times over by "fake bold" producers 60,000; more is not text to read,
# and every character costs layout analysis and a scan over the table cells.
MAX_PAGE_CHARS = 100_000
# Characters in the whole document: the longest reports have ~50,000.
MAX_TEXT_CHARS = 2_000_000
# Scanned pages: fewer characters than this in the text layer (a page number,
# a watermark) and an image covering this share of the page. At most
# MAX_OCR_PAGES pages of a document are OCR'd: an A4 page takes 5-10 seconds
# on a quiet 2-core machine, 20-30 on a busy one (dense prose costs most), and
# the parser's worker gives a document a time limit (parse.isolation).
SCAN_MAX_CHARS = 30
SCAN_MIN_SHARE = 0.3
MAX_OCR_PAGES = 10  # pages read by OCR per document (a scanned PDF, a multi-page TIFF)
# An OCR box is about this much higher than the font size of its text.
OCR_BOX_TO_FONT = 0.8
# A label that starts a new item (its own cell, not the rest of a cut one).
_NUMBERED = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,3}[.．、]|[①-⑳])"
)


# ----------------------------------------------------------------------------------
# Page items


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    words: tuple[Word, ...] = ()
    row: bool = False  # a table row written with its cells placed (pdf_columns): runs on into nothing


@dataclass
class TablePart:
    page: int
    bbox: tuple[float, float, float, float]
    cells: list[tuple[float, float, float, float, str]]  # x0, top, x1, bottom, text

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def bottom(self) -> float:
        return self.bbox[3]


@dataclass
class PageImage:
    page: int
    top: float
    name: str
    x0: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    note: str = ""  # said in its marker: why it was not read by OCR

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.bottom - self.top)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[TablePart] = field(default_factory=list)
    images: list[PageImage] = field(default_factory=list)


def _center_in(obj: dict, bbox: tuple[float, float, float, float]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _clean(text: str) -> str:
    return squash_cjk_spaces(_CID.sub("\ufffd", text))


def _chars_text(chars: list[dict]) -> str:
    from pdfplumber.utils import extract_text

    if not chars:
        return ""
    return _clean(extract_text(chars, x_tolerance=2, y_tolerance=3))


def _table_parts(page, number: int) -> list[TablePart]:
    parts = []
    for table in page.find_tables():
        cells = [tuple(c) for c in table.cells]
        if len(cells) < 2:
            continue
        bbox = table.bbox
        chars = [ch for ch in page.chars if _center_in(ch, bbox)]
        buckets: dict[int, list[dict]] = defaultdict(list)
        for ch in chars:
            cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
            for i, (x0, top, x1, bottom) in enumerate(cells):
                if x0 <= cx <= x1 and top <= cy <= bottom:
                    buckets[i].append(ch)
                    break
        parts.append(
            TablePart(
                page=number,
                bbox=tuple(bbox),
                cells=[
                    (x0, top, x1, bottom, _chars_text(buckets.get(i, [])))
                    for i, (x0, top, x1, bottom) in enumerate(cells)
                ],
            )
        )
    return parts


def _read_page(page, number: int) -> Page:
    page = page.dedupe_chars()
    out = Page(number=number, width=float(page.width), height=float(page.height))
    parts = _table_parts(page, number)
    # Ruled boxes of one column (a frame around a paragraph) stay text. A part
    # of one row may be the last row of a table cut by a page break: it is
    # kept, and goes back to text if it continues nothing (see extract()).
    out.tables = [p for p in parts if _part_shape(p)[1] >= 2]
    boxes = [p.bbox for p in out.tables]
    text_page = page.filter(lambda obj: obj.get("object_type") != "char" or not any(_center_in(obj, b) for b in boxes))
    for line in text_page.extract_text_lines(layout=False, strip=True, return_chars=True, x_tolerance=2, y_tolerance=3):
        text = _clean(line["text"])
        if not text:
            continue
        sizes = [ch.get("size", 0) for ch in line.get("chars", []) if ch.get("text", "").strip()]
        size = statistics.median(sizes) if sizes else float(line["bottom"] - line["top"])
        out.lines.append(
            Line(
                number,
                float(line["top"]),
                float(line["bottom"]),
                float(line["x0"]),
                float(line["x1"]),
                text,
                size,
                tuple(words_of(line.get("chars", []), size)),
            )
        )
    for k, img in enumerate(page.images):
        width, height = float(img["x1"] - img["x0"]), float(img["bottom"] - img["top"])
        if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
            continue
        out.images.append(
            PageImage(
                number,
                float(img["top"]),
                str(img.get("name") or f"image{k + 1}"),
                float(img["x0"]),
                float(img["x1"]),
                float(img["bottom"]),
            )
        )
    return out


def _part_shape(part: TablePart) -> tuple[int, int]:
    xs = _cluster([v for c in part.cells for v in (c[0], c[2])])
    ys = _cluster([v for c in part.cells for v in (c[1], c[3])])
    return len(ys) - 1, len(xs) - 1


# ----------------------------------------------------------------------------------
# Running headers and footers


def _margin_candidates(page: Page) -> list[tuple[str, Line]]:
    lines = sorted(page.lines, key=lambda ln: ln.top)
    body_top = min([t.top for t in page.tables] + [i.top for i in page.images] + [page.height])
    out = []
    for line in lines[:MARGIN_LINES]:
        if line.bottom <= page.height * MARGIN_BAND and line.bottom <= body_top + 1:
            out.append(("top", line))
    for line in lines[-MARGIN_LINES:]:
        if line.top >= page.height * (1 - MARGIN_BAND) and ("top", line) not in out:
            out.append(("bottom", line))
    return out


def _strip_running_lines(pages: list[Page]) -> None:
    candidates = [(page, band, line) for page in pages for band, line in _margin_candidates(page)]
    key_pages: dict[tuple[str, str], set[int]] = defaultdict(set)
    key_tops: dict[tuple[str, str], list[float]] = defaultdict(list)
    for page, band, line in candidates:
        key = (band, re.sub(r"\d+", "#", compact(line.text)))
        key_pages[key].add(page.number)
        key_tops[key].append(line.top)
    for page, band, line in candidates:
        key = (band, re.sub(r"\d+", "#", compact(line.text)))
        running = len(key_pages[key]) >= 2 and abs(line.top - statistics.median(key_tops[key])) <= 6
        if running or _PAGE_NUMBER.match(line.text.strip()):
            page.lines.remove(line)


# ----------------------------------------------------------------------------------
# Tables: parts → grids


def _cluster(values: list[float], tol: float = EDGE_TOLERANCE) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


@dataclass
class _Cell:
    r0: int  # rows within its part
    r1: int  # exclusive
    c0: int
    c1: int  # exclusive
    text: str
    offset: int = 0  # first row of its part in the joined table
    joined_to: "_Cell | None" = None  # first part of a cell cut by a page break

    def root(self) -> "_Cell":
        cell = self
        while cell.joined_to is not None:
            cell = cell.joined_to
        return cell


def _part_cells(part: TablePart, xs: list[float]) -> tuple[list[_Cell], int]:
    ys = _cluster([v for c in part.cells for v in (c[1], c[3])])
    cells = []
    for x0, top, x1, bottom, text in part.cells:
        r0, r1 = _index(ys, top), _index(ys, bottom)
        c0, c1 = _index(xs, x0), _index(xs, x1)
        if r1 > r0 and c1 > c0:
            cells.append(_Cell(r0, r1, c0, c1, text))
    return cells, len(ys) - 1


def _matrix(cells: list[_Cell], n_rows: int, n_cols: int) -> list[list[str | None]]:
    m: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    for cell in cells:
        for r in range(cell.r0, min(cell.r1, n_rows)):
            for c in range(cell.c0, cell.c1):
                if m[r][c] is None:
                    m[r][c] = compact(cell.text)
    return m


def _same_columns(a: TablePart, b: TablePart) -> bool:
    """Parts of one table: the same outer edges, and every column edge of one
    is an edge of the other (a part may lack some inner edges)."""
    if abs(a.bbox[0] - b.bbox[0]) > 3 * EDGE_TOLERANCE or abs(a.bbox[2] - b.bbox[2]) > 3 * EDGE_TOLERANCE:
        return False
    xa = _cluster([v for c in a.cells for v in (c[0], c[2])])
    xb = _cluster([v for c in b.cells for v in (c[0], c[2])])
    small, large = (xa, xb) if len(xa) <= len(xb) else (xb, xa)
    return all(any(abs(v - w) <= 2 * EDGE_TOLERANCE for w in large) for v in small)


def _join_text(first: str, rest: str) -> str:
    if not rest:
        return first
    if not first:
        return rest
    if CJK_CHAR.match(first[-1]) or CJK_CHAR.match(rest[0]):
        return first + rest
    return first + " " + rest


def _drop_repeated_header(
    cells: list[_Cell], n_rows: int, n_cols: int, first: list[list[str | None]]
) -> tuple[list[_Cell], int]:
    """Header rows repeated on a new page: the part starts with the table's own
    first rows (at least one row is left)."""
    matrix = _matrix(cells, n_rows, n_cols)
    for k in range(min(len(first), n_rows - 1), 0, -1):
        if matrix[:k] == first[:k] and any(v for row in matrix[:k] for v in row):
            kept = [c for c in cells if c.r0 >= k]
            for c in kept:
                c.r0 -= k
                c.r1 -= k
            return kept, n_rows - k
    return cells, n_rows


def _join_cut_cells(cells: list[_Cell], previous: list[_Cell], previous_rows: int) -> None:
    """A merged cell cut by the page break: its first part ends the previous
    part, its rest starts this part in the same columns -- empty, or holding the
    rest of the label (not a numbered label of its own). One of the two spans
    several rows (a plain row ends at the break; values are never joined)."""
    bottom = {(c.c0, c.c1): c for c in previous if c.r1 == previous_rows}
    for c in cells:
        if c.r0 != 0:
            continue
        above = bottom.get((c.c0, c.c1))
        if above is None:
            continue
        spans = (above.r1 - above.r0) >= 2 or (c.r1 - c.r0) >= 2
        root = above.root()
        if spans and root.text and (not c.text or not _NUMBERED.match(c.text)):
            root.text = _join_text(root.text, c.text)
            c.joined_to = root


def _grid_of_parts(parts: list[TablePart]) -> Grid:
    xs = _cluster([v for p in parts for c in p.cells for v in (c[0], c[2])])
    n_cols = len(xs) - 1
    all_cells: list[_Cell] = []
    offset = 0
    first: list[list[str | None]] | None = None
    previous: list[_Cell] = []
    previous_rows = 0
    for part in parts:
        cells, n_rows = _part_cells(part, xs)
        if first is None:
            first = _matrix(cells, n_rows, n_cols)
        else:
            cells, n_rows = _drop_repeated_header(cells, n_rows, n_cols, first)
            _join_cut_cells(cells, previous, previous_rows)
        for c in cells:
            c.offset = offset
        all_cells.extend(cells)
        previous, previous_rows = cells, n_rows
        offset += n_rows

    texts: dict[tuple[int, int], str] = {}
    origins: dict[tuple[int, int], tuple[int, int]] = {}
    for c in all_cells:
        root = c.root()
        origin = (root.r0 + root.offset, root.c0)
        for r in range(c.r0 + c.offset, c.r1 + c.offset):
            for col in range(c.c0, c.c1):
                pos = (r, col)
                if pos in texts:
                    continue
                texts[pos] = root.text
                if pos != origin:
                    origins[pos] = origin
    grid = _assemble(texts, origins, set(), offset)
    grid.source = "pdf"
    return grid


# ----------------------------------------------------------------------------------
# Text: lines → paragraphs


def _page_geometry(page: Page, fallback: tuple[float, float] | None) -> tuple[float, float]:
    """Left edge and right edge of the body text of a page."""
    lines = [ln for ln in page.lines if len(ln.text) >= 8]
    if len(lines) < 4:
        if fallback:
            return fallback
        lines = page.lines
    if not lines:
        return (0.0, page.width)
    x0s = Counter(round(ln.x0) for ln in lines)
    left = min(v for v, n in x0s.items() if n == max(x0s.values()))
    left = min(left, min(ln.x0 for ln in lines))
    x1s = sorted(ln.x1 for ln in lines)
    right = x1s[int(0.9 * (len(x1s) - 1))]
    return left, right


@dataclass
class _Item:
    page: int
    top: float
    kind: str  # "line" | "table" | "image"
    line: Line | None = None
    text: str = ""
    image: PageImage | None = None


def _continues(prev: _Item, nxt: _Item, geometry: dict[int, tuple[float, float]]) -> bool:
    """Whether line ``nxt`` runs on from line ``prev`` (same paragraph)."""
    a, b = prev.line, nxt.line
    if a is None or b is None:
        return False
    size = a.size or 10.0
    left_a, right_a = geometry[a.page]
    left_b, _right_b = geometry[b.page]
    if a.x1 < right_a - 2.6 * size and not _wrapped_early(a, b, right_a):  # stops short: paragraph end
        return False
    if b.x0 > left_b + 0.8 * size:  # indented (or centred/right-aligned)
        return False
    if a.x0 > left_a + 6 * size:  # a centred or right-aligned line stands alone
        return False
    if abs((b.size or size) - size) > 1.5:  # another font size: a heading or a note
        return False
    if a.row or b.row or (a.text[-1:].isdigit() and _NUMBERED.match(b.text)):  # table rows
        return False
    if b.page == a.page and b.top - a.bottom > 2.2 * size:  # a blank line between
        return False
    return True


_OPENERS = "（(“‘《〈【[{-－"
_SENTENCE_END = "。！？；：!?;:"
_LEADING_TOKEN = re.compile(r"^[\x21-\x7e]+")


def _wrapped_early(a: Line, b: Line, right: float) -> bool:
    """A line that stops short only because what follows could not be broken:
    it ends with an opening bracket, or the next line starts with a long
    unbreakable run (a URL, a long number) that did not fit in the space left."""
    if not a.text or a.text[-1] in _SENTENCE_END:
        return False
    if a.text[-1] in _OPENERS:
        return True
    token = _LEADING_TOKEN.match(b.text)
    if token is None or len(token.group()) < 4:
        return False
    width = (b.x1 - b.x0) / max(len(b.text), 1)  # average glyph width of the next line
    return min(width, 0.6 * (b.size or a.size or 10.0)) * len(token.group()) > right - a.x1


def _paragraphs(items: list[_Item], geometry: dict[int, tuple[float, float]]) -> list[str]:
    out: list[str] = []
    prev: _Item | None = None
    for item in items:
        if item.kind != "line":
            out.append(item.text)
            prev = None
            continue
        if prev is not None and _continues(prev, item, geometry):
            out[-1] = _join_text(out[-1], item.text)
        else:
            out.append(item.text)
        prev = item
    return out


# ----------------------------------------------------------------------------------
# Reader


def pdf_errors() -> tuple[type[BaseException], ...]:
    """What pdfplumber and pdfminer raise on damaged files (found by feeding
    truncated, byte-flipped and random-bodied PDFs): their own exception
    classes, and the built-in errors their parsers let through on bad objects
    -- a filter fed garbage (zlib.error, ValueError: Non-Ascii85 digit), a
    mangled dictionary or operand (TypeError, KeyError, IndexError), a box of
    non-numbers, a reference loop (RecursionError)."""
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    return (
        PdfminerException,
        MalformedPDFException,
        PSException,  # pdfminer's base: PDFSyntaxError, PDFNoValidXRef, PSEOF, …
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        AssertionError,
        IndexError,
        EOFError,
        OverflowError,
        ZeroDivisionError,
        NotImplementedError,
        struct.error,
        zlib.error,
        RecursionError,
    )


def _cause(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer's exception in PdfminerException(cause)."""
    from pdfplumber.utils.exceptions import PdfminerException

    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc


def _damaged(name: str | None, exc: BaseException) -> BaseException:
    """The UnreadableDocument for a library error; a MemoryError that
    pdfplumber wrapped stays a MemoryError (parse.isolation reports it)."""
    cause = _cause(exc)
    if isinstance(cause, MemoryError):
        return cause
    return UnreadableDocument(name, f"corrupt PDF file ({type(cause).__name__}: {str(cause)[:300]})")


def _open(data: bytes, name: str | None):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if b"%PDF" not in data[:1024]:
        raise UnreadableDocument(name, "not a PDF file: no %PDF header")
    if b"%%EOF" not in data[-4096:] and b"%%EOF" not in data:
        raise UnreadableDocument(name, "truncated PDF file (no %%EOF end marker)")
    try:
        return pdfplumber.open(io.BytesIO(data))
    except pdf_errors() as exc:
        cause = _cause(exc)
        if isinstance(cause, MemoryError):
            raise cause from None
        if isinstance(cause, PDFPasswordIncorrect):
            raise UnreadableDocument(
                name, "password-protected (encrypted) PDF; it cannot be read without the password"
            ) from exc
        if isinstance(cause, PDFEncryptionError):
            raise UnreadableDocument(name, f"encrypted PDF with an unsupported encryption ({cause})") from exc
        raise UnreadableDocument(
            name, f"corrupt or truncated PDF file ({type(cause).__name__}: {str(cause)[:300]})"
        ) from exc


def _close(pdf) -> None:
    """Close without raising: pdfplumber's close() walks the page tree again,
    and on a damaged file that raises the error already reported (it used to
    replace the UnreadableDocument as the with-block's exception)."""
    try:
        pdf.close()
    except pdf_errors():
        pass


def _count_pages(pdf, name: str | None) -> None:
    """Refuse a PDF over MAX_PAGES before any page is read (the page tree is
    walked lazily and only one page past the limit)."""
    import itertools

    from pdfminer.pdfpage import PDFPage

    try:
        count = sum(1 for _ in itertools.islice(PDFPage.create_pages(pdf.doc), MAX_PAGES + 1))
    except pdf_errors() as exc:
        raise _damaged(name, exc) from exc
    if count > MAX_PAGES:
        raise UnreadableDocument(
            name, f"the PDF has more than {MAX_PAGES} pages, over the {MAX_PAGES}-page limit for a report"
        )


def _read_pages(pdf, name: str | None) -> list[Page]:
    _count_pages(pdf, name)
    pages = []
    total = 0
    try:
        for i, page in enumerate(pdf.pages):
            chars = len(page.chars)
            if chars > MAX_PAGE_CHARS:
                raise UnreadableDocument(
                    name, f"page {i + 1} of the PDF has {chars:,} characters, over the {MAX_PAGE_CHARS:,} limit"
                )
            total += chars
            if total > MAX_TEXT_CHARS:
                raise UnreadableDocument(
                    name, f"the PDF's text exceeds {MAX_TEXT_CHARS:,} characters by page {i + 1}, over the limit"
                )
            pages.append(_read_page(page, i + 1))
    except pdf_errors() as exc:
        raise _damaged(name, exc) from exc
    if not pages:
        raise UnreadableDocument(name, "PDF file without pages")
    return pages


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    pdf = _open(data, name)
    try:
        pages = _read_pages(pdf, name)
    finally:
        _close(pdf)

    _check_unmapped(pages, name)
    ocr, ocr_unread = _ocr_scanned_pages(data, pages, name)
    _strip_running_lines(pages)
    # "续表" above a continued table is not text.
    for page in pages:
        if page.tables:
            first = min(page.tables, key=lambda t: t.top)
            for line in [
                ln for ln in page.lines if ln.bottom <= first.top and _CONTINUED_TABLE.match(compact(ln.text))
            ]:
                page.lines.remove(line)

    # Which table parts continue a table from the previous page.
    groups: list[list[TablePart]] = []
    group_of: dict[int, int] = {}
    for i, page in enumerate(pages):
        ordered = sorted(page.tables, key=lambda t: t.top)
        for part in ordered:
            if i > 0 and part is ordered[0] and _starts_page(page, part) and pages[i - 1].tables:
                before = pages[i - 1]
                last = max(before.tables, key=lambda t: t.bottom)
                if _ends_page(before, last) and _same_columns(last, part):
                    g = group_of[id(last)]
                    groups[g].append(part)
                    group_of[id(part)] = g
                    continue
            groups.append([part])
            group_of[id(part)] = len(groups) - 1

    grids: dict[int, Grid] = {}
    for g, parts in enumerate(groups):
        grid = _grid_of_parts(parts)
        if grid.n_rows >= 2 and grid.n_cols >= 2:
            grids[g] = grid
            continue
        # Not a table after all (a one-row box): its rows are lines of text.
        for part in parts:
            page = pages[part.page - 1]
            page.tables.remove(part)
            for r, row in enumerate(grid.rows):
                text = "\t".join(t for c, t in enumerate(row) if t and (r, c) not in grid.span_copies)
                if text:
                    size = statistics.median([ln.size for ln in page.lines]) if page.lines else 10.0
                    page.lines.append(
                        Line(part.page, part.top + r * 0.01, part.bottom, part.bbox[0], part.bbox[2], text, size)
                    )

    # Rows of tables without ruling lines: blank cells placed by the page's columns.
    ordered = [ln for p in pages for ln in sorted(p.lines, key=lambda ln: ln.top)]
    for k, row in place_cells([(list(ln.words), ln.size) for ln in ordered]).items():
        ordered[k].text, ordered[k].row = row, True

    geometry: dict[int, tuple[float, float]] = {}
    doc_lines = [ln for p in pages for ln in p.lines]
    doc_geom = _page_geometry(Page(0, 0, 0, lines=doc_lines), None) if doc_lines else None
    for page in pages:
        geometry[page.number] = _page_geometry(page, doc_geom)

    items: list[_Item] = []
    tables: list[Grid] = []
    images: list[ImageRef] = []
    last_text: str | None = None
    for page in pages:
        page_items: list[_Item] = [_Item(page.number, ln.top, "line", line=ln, text=ln.text) for ln in page.lines]
        for part in page.tables:
            g = group_of[id(part)]
            if groups[g][0] is part and g in grids:
                page_items.append(_Item(page.number, part.top, "table", text=str(g)))
        for k, img in enumerate(sorted(page.images, key=lambda im: im.top)):
            page_items.append(_Item(page.number, img.top, "image", text=str(k + 1), image=img))
        page_items.sort(key=lambda it: (it.top, 0 if it.kind == "line" else 1))
        for item in page_items:
            if item.kind == "line":
                last_text = item.text
            elif item.kind == "table":
                grid = grids[int(item.text)]
                grid.context = last_text[-120:] if last_text else None
                tables.append(grid)
                item.text = TABLE_MARKER_FORMAT.format(len(tables))
            elif item.kind == "image":
                img = item.image
                label = f"page {img.page} image {item.text}" + (f" ({img.note})" if img.note else "")
                images.append(ImageRef(src=f"page{img.page}/{img.name}", alt=img.note or None))
                item.text = IMAGE_MARKER_FORMAT.format(label)
            items.append(item)
    text = "\n".join(_paragraphs(items, geometry)).strip()
    if not text and not tables and not images:
        raise UnreadableDocument(name, "no text, tables or images in the PDF (blank pages)")
    replaced = text.count("\ufffd") + sum(t.count("\ufffd") for g in tables for _, _, t in g.own_cells())
    return ExtractedDocument(
        media="pdf", text=text, tables=tables, images=images, replaced_chars=replaced, ocr=ocr or None,
        ocr_unread=ocr_unread,
    )


def _check_unmapped(pages: list[Page], name: str | None) -> None:
    texts = [ln.text for p in pages for ln in p.lines] + [c[4] for p in pages for t in p.tables for c in t.cells]
    total = sum(len(t.replace(" ", "")) for t in texts)
    bad = sum(len(_UNMAPPED.findall(t)) for t in texts)
    if total >= 20 and bad > MAX_UNMAPPED_SHARE * total:
        raise UnreadableDocument(
            name,
            f"the PDF's text cannot be decoded ({bad} of {total} characters use fonts without a Unicode mapping); "
            "it would need OCR",
        )


def _starts_page(page: Page, part: TablePart) -> bool:
    return not any(ln.bottom <= part.top + 1 for ln in page.lines) and not any(im.top < part.top for im in page.images)


def _ends_page(page: Page, part: TablePart) -> bool:
    return (
        not any(ln.top >= part.bottom - 1 for ln in page.lines)
        and not any(im.top > part.bottom for im in page.images)
        and not any(t.top > part.bottom for t in page.tables)
    )


# ----------------------------------------------------------------------------------
# Scanned pages: OCR


def _is_scan(page: Page) -> bool:
    """(Almost) no text layer, and an image covering much of the page."""
    chars = sum(len(compact(ln.text)) for ln in page.lines)
    chars += sum(len(compact(c[4])) for t in page.tables for c in t.cells)
    if chars >= SCAN_MAX_CHARS:
        return False
    area = page.width * page.height
    return area > 0 and any(im.area >= SCAN_MIN_SHARE * area for im in page.images)


def _ocr_lines(page: Page, ocr) -> bool:
    """The page's content replaced by the lines the OCR read (in PDF points);
    False, and the page left as it was, if it read nothing."""
    lines = []
    for line in ocr.text.lines:
        if not line.text.strip() or not line.tokens:
            continue
        tokens = line.tokens
        height = statistics.median(t.height for t in tokens)
        lines.append(
            Line(
                page.number,
                min(t.y0 for t in tokens) / ocr.scale,
                max(t.y1 for t in tokens) / ocr.scale,
                min(t.x0 for t in tokens) / ocr.scale,
                max(t.x1 for t in tokens) / ocr.scale,
                line.text,
                OCR_BOX_TO_FONT * height / ocr.scale,
                row=line.text.startswith("| "),
            )
        )
    if not lines:
        return False
    page.lines, page.tables, page.images = lines, [], []
    return True


def _ocr_scanned_pages(data: bytes, pages: list[Page], name: str | None) -> tuple[list, list[int]]:
    """OCR the scanned pages (:func:`_is_scan`), at most MAX_OCR_PAGES; their
    OcrPages and the numbers of the scanned pages over the budget. OCR and
    rendering failures raise UnreadableDocument."""
    scans = [p for p in pages if _is_scan(p)]
    if not scans:
        return [], []
    from ..isolation import allow_more
    from .image import OCR_START_SECONDS

    allow_more(OCR_START_SECONDS)  # loading the OCR library and its models
    from ..ocr import OcrError
    from ..ocr.pages import ocr_picture
    from ..ocr.render import open_pdf, render_page

    read = []
    digest = hashlib.sha256(data).hexdigest()  # the archived PDF: what a figure's crop is cut from
    try:
        with open_pdf(data) as document:
            for page in scans[:MAX_OCR_PAGES]:
                image, scale = render_page(document, page.number - 1)
                result = ocr_picture(image, page=page.number, sha256=digest, scale=scale)
                if _ocr_lines(page, result):
                    read.append(result)
    except OcrError as exc:
        raise UnreadableDocument(name, f"OCR of the scanned PDF failed: {exc}") from exc
    skipped = scans[MAX_OCR_PAGES:]
    for page in skipped:
        for img in page.images:
            img.note = f"not read: over the {MAX_OCR_PAGES}-page OCR budget"
    if skipped:
        logger.warning(
            "%s: %d scanned pages, only the first %d read by OCR (pages %s not read)",
            name or "<unnamed document>", len(scans), MAX_OCR_PAGES, ", ".join(str(p.number) for p in skipped),
        )
    return read, [p.number for p in skipped]
