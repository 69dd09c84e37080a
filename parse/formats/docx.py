"""Word documents (DOCX, read with python-docx).

* The body's block items are read in document order -- paragraphs and tables
  interleaved, content controls (``w:sdt``) and custom-XML wrappers opened --
  not ``doc.paragraphs`` then ``doc.tables``.
* A paragraph is one line of text. Automatic list numbers (``一、`` drawn by
  Word in front of ``总体情况``) are rendered (:mod:`office_numbering`); tabs stay
  tabs, line breaks become newlines; deleted revisions, field instructions and
  headers/footers are left out; text boxes follow their paragraph.
* Each report table becomes a :class:`Grid` (``gridSpan``, ``vMerge`` and the
  legacy ``hMerge`` expanded: the spanning cell's text is repeated and the
  copies recorded) and is replaced in the text by ``[table: n]``, as the HTML
  reader does. Tables that are not data tables (one row or one column -- a box
  around a paragraph -- or a layout table wrapping other tables) are read as
  text; tables nested in a data table are grids of their own.
* Images (``w:drawing``, VML ``w:pict``) become ``[image: alt]`` lines (alt text,
  else the media file name) and :class:`ImageRef`s in the same order.
* The package is checked within size limits, and every member inflated once,
  before python-docx reads it (:mod:`office_zip`: zip bombs, damaged members).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from docx.exceptions import PythonDocxError
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from lxml import etree

from ..document import IMAGE_MARKER_FORMAT, TABLE_MARKER_FORMAT, ExtractedDocument
from ..errors import UnreadableDocument
from ..model import ImageRef
from ..tables import Grid, _assemble, is_data_table
from ..textutil import squash_cjk_spaces
from . import office_ole, office_zip
from .office_numbering import ListNumbering
from .text import normalise_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V_NS = "urn:schemas-microsoft-com:vml"

P, TBL, TR, TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NOBREAK_HYPHEN, _SOFT_HYPHEN = qn("w:noBreakHyphen"), qn("w:softHyphen")
# Containers whose children are block items (paragraphs, tables) or cells/rows.
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag"), qn("w:ins"), qn("w:moveTo")}
# Never text: deleted/moved-away revisions, field codes, properties, notes.
_SKIP = {
    qn("w:del"),
    qn("w:moveFrom"),
    qn("w:delText"),
    qn("w:instrText"),
    qn("w:delInstrText"),
    qn("w:pPr"),
    qn("w:rPr"),
    qn("w:sdtPr"),
    qn("w:sdtEndPr"),
    qn("w:tblPr"),
    qn("w:trPr"),
    qn("w:tcPr"),
    qn("w:fldChar"),
    qn("w:footnoteReference"),
    qn("w:endnoteReference"),
    qn("w:commentReference"),
    qn("w:annotationRef"),
    qn("w:proofErr"),
    qn("w:bookmarkStart"),
    qn("w:bookmarkEnd"),
    qn("w:lastRenderedPageBreak"),
}
_DRAWING, _PICT = qn("w:drawing"), qn("w:pict")
_ALTERNATE = f"{{{MC_NS}}}AlternateContent"
_CHOICE, _FALLBACK = f"{{{MC_NS}}}Choice", f"{{{MC_NS}}}Fallback"
_TXBX = qn("w:txbxContent")
_BLIP = f"{{{A_NS}}}blip"
_DOCPR = f"{{{WP_NS}}}docPr"
_IMAGEDATA = f"{{{V_NS}}}imagedata"
_O_TITLE = "{urn:schemas-microsoft-com:office:office}title"
_EMBED, _LINK, _RID = f"{{{R_NS}}}embed", f"{{{R_NS}}}link", f"{{{R_NS}}}id"

# What python-docx and lxml raise on a package whose parts are damaged or
# missing (found by feeding truncated and byte-flipped real DOCX files): its own
# errors, XML syntax errors, a missing part (KeyError), a bad content type or
# encoding (ValueError), and the attribute/index/type errors of its element
# classes meeting unexpected XML; RecursionError for absurdly nested XML.
DOCX_ERRORS = (
    PythonDocxError,
    OpcError,
    etree.LxmlError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    NotImplementedError,
    EOFError,
    RecursionError,
)


class _Reader:
    def __init__(self, document, media: str):
        self.document = document
        self.part = document.part
        self.media = media
        numbering = None
        try:
            numbering = self.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        styles = None
        try:
            styles = self.part.styles.element
        except (KeyError, NotImplementedError, AttributeError):
            styles = None
        self.numbering = ListNumbering(numbering, styles)
        self.lines: list[str] = []
        self.tables: list[Grid] = []
        self.images: list[ImageRef] = []

    # -- images ---------------------------------------------------------------

    def _image(self, rid: str | None, alt: str | None) -> str:
        target = None
        if rid:
            rel = self.part.rels.get(rid)
            if rel is not None:
                target = rel.target_ref
        src = posixpath.normpath(posixpath.join("word", target)) if target and "://" not in target else target
        alt = (alt or "").strip() or None
        self.images.append(ImageRef(src=src, alt=alt))
        label = alt or (posixpath.basename(target) if target else "image")
        return IMAGE_MARKER_FORMAT.format(label.replace("[", "(").replace("]", ")").replace("\n", " "))

    def _drawing(self, el, out: list[str], boxes: list) -> None:
        docpr = next(el.iter(_DOCPR), None)
        alt = None
        if docpr is not None:
            alt = docpr.get("descr") or docpr.get("title")
        for blip in el.iter(_BLIP):
            out.append(self._image(blip.get(_EMBED) or blip.get(_LINK), alt))
        boxes.extend(el.iter(_TXBX))

    def _pict(self, el, out: list[str], boxes: list) -> None:
        for data in el.iter(_IMAGEDATA):
            out.append(self._image(data.get(_RID), data.get(_O_TITLE)))
        boxes.extend(el.iter(_TXBX))

    # -- paragraphs -----------------------------------------------------------

    def _inline(self, el, out: list[str], boxes: list) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                out.append(child.text or "")
            elif tag == _TAB:
                out.append("\t")
            elif tag in (_BR, _CR):
                out.append("\n")
            elif tag == _NOBREAK_HYPHEN:
                out.append("-")
            elif tag == _SOFT_HYPHEN:
                continue
            elif tag == _DRAWING:
                self._drawing(child, out, boxes)
            elif tag == _PICT:
                self._pict(child, out, boxes)
            elif tag == _ALTERNATE:
                # The same content twice (new-style Choice, VML Fallback): one.
                branch = child.find(_CHOICE)
                if branch is None:
                    branch = child.find(_FALLBACK)
                if branch is not None:
                    self._inline(branch, out, boxes)
            elif tag in (P, TBL):  # only inside text boxes, handled there
                continue
            else:  # w:r, w:hyperlink, w:fldSimple, w:sdt, w:ins, w:smartTag, …
                self._inline(child, out, boxes)

    def paragraph_text(self, p) -> tuple[str, list]:
        """Text of one ``w:p`` (with its list number) and the text boxes in it."""
        parts: list[str] = []
        boxes: list = []
        self._inline(p, parts, boxes)
        text = "".join(parts).replace("\xa0", " ")
        label = self.numbering.label(p)
        if label and text.strip():
            sep = "" if label[-1] in "、.．)）:：" or not label[-1].isalnum() else " "
            text = label + sep + text.lstrip()
        return text, boxes

    def _emit_paragraph(self, p) -> None:
        text, boxes = self.paragraph_text(p)
        for line in text.split("\n"):
            line = line.strip()
            if line:
                self.lines.append(line)
        for box in boxes:
            self.blocks(box)

    # -- tables -----------------------------------------------------------------

    def _rows(self, tbl):
        for child in tbl:
            if child.tag == TR:
                yield child
            elif child.tag in _WRAPPERS:
                yield from self._rows(child)

    def _cells(self, tr):
        for child in tr:
            if child.tag == TC:
                yield child
            elif child.tag in _WRAPPERS:
                yield from self._cells(child)

    def _cell_content(self, tc, nested: list, images: list[str]) -> str:
        """Text of a cell's paragraphs (nested tables collected, not included)."""
        texts: list[str] = []

        def walk(container) -> None:
            for child in container:
                if child.tag == P:
                    text, boxes = self.paragraph_text(child)
                    # Images inside cells are listed after the table's marker.
                    while "[image:" in text:
                        start = text.index("[image:")
                        end = text.find("]", start)
                        end = len(text) if end < 0 else end + 1
                        images.append(text[start:end])
                        text = text[:start] + " " + text[end:]
                    texts.append(text)
                    for box in boxes:
                        walk(box)
                elif child.tag == TBL:
                    nested.append(child)
                elif child.tag in _WRAPPERS:
                    walk(child)

        walk(tc)
        return squash_cjk_spaces(" ".join(texts))

    def table_grid(self, tbl) -> tuple[Grid, list, list[str]]:
        logical = _logical_columns(tbl)
        texts: dict[tuple[int, int], str] = {}
        origins: dict[tuple[int, int], tuple[int, int]] = {}
        nested: list = []
        images: list[str] = []
        rows = list(self._rows(tbl))
        for r, tr in enumerate(rows):
            trpr = tr.find(qn("w:trPr"))
            c = _int_attr(trpr.find(qn("w:gridBefore")) if trpr is not None else None, 0)
            for tc in self._cells(tr):
                tcpr = tc.find(qn("w:tcPr"))
                span = max(1, _int_attr(tcpr.find(qn("w:gridSpan")) if tcpr is not None else None, 1))
                vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
                hmerge = tcpr.find(qn("w:hMerge")) if tcpr is not None else None
                continues_up = vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue"
                continues_left = hmerge is not None and hmerge.get(qn("w:val"), "continue") == "continue"
                # Read the content even of continuation cells (nested tables,
                # images); Word keeps a continuation cell empty.
                own = self._cell_content(tc, nested, images)
                columns = []
                for j in range(span):
                    col = logical(c + j)
                    if col not in columns:
                        columns.append(col)
                origin = None
                if continues_up:
                    above = (r - 1, columns[0])
                    if above in texts:
                        origin = origins.get(above, above)
                elif continues_left and (r, columns[0] - 1) in texts:
                    left = (r, columns[0] - 1)
                    origin = origins.get(left, left)
                for col in columns:
                    pos = (r, col)
                    if pos in texts:  # a sliver column already filled from the left
                        continue
                    if origin is None:
                        origin = pos
                        texts[pos] = own
                        continue
                    texts[pos] = texts[origin]
                    origins[pos] = origin
                if origin is not None and origin[0] != r and own and own != texts[origin]:
                    # Text typed into a continuation cell: Word shows it in the merged cell.
                    merged = squash_cjk_spaces(texts[origin] + " " + own)
                    for p2, o2 in list(origins.items()):
                        if o2 == origin:
                            texts[p2] = merged
                    texts[origin] = merged
                c += span
        grid = _assemble(texts, origins, set(), len(rows))
        grid.source = self.media
        grid.has_nested_tables = bool(nested)
        return grid, nested, images

    def _emit_table(self, tbl) -> None:
        # Reading the cells counts list numbers and lists images; a table that
        # turns out to be text is read again, so that state is rolled back.
        saved = self.numbering.snapshot(), len(self.images)
        grid, nested, images = self.table_grid(tbl)
        if not grid.rows or not is_data_table(grid):
            # A box around text, or a layout table: its content is text.
            self.numbering.restore(saved[0])
            del self.images[saved[1]:]
            self._table_as_text(tbl)
            return
        grid.context = self._context()
        self.tables.append(grid)
        self.lines.append(TABLE_MARKER_FORMAT.format(len(self.tables)))
        self.lines.extend(images)
        for inner in nested:
            self._emit_table(inner)

    def _table_as_text(self, tbl) -> None:
        for tr in self._rows(tbl):
            for tc in self._cells(tr):
                self.blocks(tc)

    def _context(self) -> str | None:
        for line in reversed(self.lines):
            if line.startswith("[table:") or line.startswith("[image:"):
                continue
            return squash_cjk_spaces(line)[-120:]
        return None

    # -- body -------------------------------------------------------------------

    def blocks(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == P:
                self._emit_paragraph(child)
            elif tag == TBL:
                self._emit_table(child)
            elif tag in _WRAPPERS:
                self.blocks(child)
            elif tag == _ALTERNATE:
                branch = child.find(_CHOICE)
                if branch is None:
                    branch = child.find(_FALLBACK)
                if branch is not None:
                    self.blocks(branch)


# Grid columns narrower than this (twentieths of a point) are rounding slivers
# that converters leave between nearly aligned cell edges (LibreOffice writes
# 1-twip columns); they are folded into the column on their left.
SLIVER_TWIPS = 30


def _logical_columns(tbl):
    """Map from grid column index to the column of the Grid (slivers folded)."""
    grid = tbl.find(qn("w:tblGrid"))
    widths = []
    if grid is not None:
        for col in grid.findall(qn("w:gridCol")):
            try:
                widths.append(float(col.get(qn("w:w"))))
            except (TypeError, ValueError):
                widths.append(None)
    mapping: list[int] = []
    current = -1
    for i, w in enumerate(widths):
        if i == 0 or w is None or w >= SLIVER_TWIPS:
            current += 1
        mapping.append(current)

    def logical(c: int) -> int:
        if c < len(mapping):
            return mapping[c]
        return c - len(mapping) + current + 1

    return logical


def _int_attr(el, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(qn("w:val")))
    except (TypeError, ValueError):
        return default


def _open(data: bytes, name: str | None, label: str):
    import docx

    if office_ole.is_ole(data):
        with office_ole.open_ole(data, name, label) as ole:
            office_ole.refuse_encrypted_package(office_ole.top_streams(ole), name)
        raise UnreadableDocument(name, f"not a {label} file: an OLE2 (legacy Office) file")
    if not data.startswith(b"PK"):
        raise UnreadableDocument(name, f"not a {label} file: no ZIP signature")
    # Sizes and member integrity first: python-docx inflates every part into memory.
    office_zip.check_package(data, name=name, label=label, part="word/")
    try:
        return docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(name, f"corrupt or truncated {label} file ({exc})") from exc
    except DOCX_ERRORS as exc:
        raise UnreadableDocument(name, f"corrupt {label} file ({type(exc).__name__}: {exc})") from exc


def read_docx(data: bytes, *, name: str | None, media: str = "docx", label: str = "Word (DOCX)") -> ExtractedDocument:
    """Read DOCX bytes; ``media``/``label`` name the original format (the DOC
    reader passes LibreOffice's DOCX through here)."""
    document = _open(data, name, label)
    try:
        reader = _Reader(document, media)
        reader.blocks(document.element.body)
    except DOCX_ERRORS as exc:
        raise UnreadableDocument(name, f"corrupt {label} file ({type(exc).__name__}: {exc})") from exc
    text = normalise_text("\n".join(reader.lines))
    if not text.strip() and not reader.tables and not reader.images:
        raise UnreadableDocument(name, f"no text, tables or images in the {label} document")
    return ExtractedDocument(media=media, text=text, tables=reader.tables, images=reader.images)


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    return read_docx(data, name=name)
