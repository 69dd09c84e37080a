"""HTML report pages.

* Decoding goes through :mod:`archive.encoding` (Content-Type header, then the
  page's meta tag, checked against the bytes; GB2312/GBK read as GB18030).
* The main text comes from trafilatura with ``include_tables=False``: with tables
  on, trafilatura treats the layout tables of older portals as data, merges the
  whole body into one cell and drops the section headings (see
  ``tests/test_parse_html.py::test_layout_table_page_keeps_headings``).
  ``include_images=True`` keeps each content image at its place; images are
  rendered as ``[image: alt]`` lines, like the text exports.
* Tables are read from the raw HTML with lxml (:mod:`parse.tables`), never from
  trafilatura's output; a page whose open tags made libxml2 lose tables is
  rebuilt by the HTML5 rules first (:mod:`parse.formats.html_repair`).
* Page metadata: :mod:`parse.formats.pagemeta`.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree

from ..document import IMAGE_MARKER_FORMAT, TABLE_MARKER_FORMAT, ExtractedDocument, image_label
from ..errors import UnreadableDocument
from ..model import ImageRef
from ..tables import find_cell_per_line_tables, is_data_table, preceding_text
from ..textutil import han_count
from . import text as text_reader
from .common import decode_body
from .html_repair import as_browser_builds_it, lost_elements
from .pagemeta import is_metadata_grid, page_lines, read_page_meta, table_grids

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z!/][^>]*>")
# trafilatura renders an image as ![alt](src)
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(([^)\s]*)\)")
# A main text with fewer Chinese characters than this is a thin page.
THIN_PAGE_HAN = 100


def _base_url(name: str | None, root) -> str | None:
    base = None
    if name and urlsplit(name).scheme in ("http", "https"):
        base = name
    base_el = root.find(".//base")
    if base_el is not None and base_el.get("href"):
        base = urljoin(base or "", base_el.get("href"))
    return base


def _images_to_markers(text: str, base: str | None) -> tuple[str, list[ImageRef]]:
    images: list[ImageRef] = []

    def repl(m: re.Match) -> str:
        alt, src = m.group(1), m.group(2)
        images.append(ImageRef(src=src or None, alt=alt.strip() or None, url=urljoin(base, src) if base and src else None))
        return IMAGE_MARKER_FORMAT.format(image_label(alt, src))

    return _MD_IMAGE.sub(repl, text), images


def _fallback_text(root, base: str | None) -> tuple[str, list[ImageRef]]:
    """Body text when trafilatura finds nothing: every line of the page."""
    images = []
    for img in root.iter("img"):
        src = img.get("src") or ""
        alt = img.get("alt") or img.get("title") or ""
        images.append(ImageRef(src=src or None, alt=alt.strip() or None, url=urljoin(base, src) if base and src else None))
    return "\n".join(page_lines(root)), images


def _mark_report_tables(root, grids) -> list:
    """The report tables of the page as grids; in the page (changed in place)
    each of them is replaced by a ``[table: n]`` paragraph (1-based), so that
    the main text shows where the tables were and carries no table residue.

    ``grids`` are the grids of ``root``'s tables (:func:`table_grids`, no
    context). Layout tables (wrapping other tables) and the metadata block stay
    in place. A table's context is read when the report tables before it are
    markers already."""
    kept = []
    for table, grid in zip(list(root.iter("table")), grids):
        if not is_data_table(grid) or is_metadata_grid(grid):
            continue
        kept.append(dataclasses.replace(grid, context=preceding_text(table)))
        marker = lxml.html.Element("p")
        marker.text = TABLE_MARKER_FORMAT.format(len(kept))
        marker.tail = table.tail
        table.getparent().replace(table, marker)
    return kept


def _trafilatura(content, **options) -> str | None:
    return trafilatura.extract(
        copy.deepcopy(content),
        include_tables=False,
        include_images=True,
        include_comments=False,
        deduplicate=False,
        **options,
    )


def _main_text(content) -> str | None:
    """trafilatura's main text, favouring recall (reports are long and plain).

    On a thin page -- a scanned report is a title and a column of images --
    recall mode tends to pick the navigation instead; then the other modes are
    tried too and the output with content images, else the most text, wins."""
    main = _trafilatura(content, favor_recall=True)
    if main and han_count(main) >= THIN_PAGE_HAN:
        return main
    candidates = [main, _trafilatura(content), _trafilatura(content, favor_precision=True)]
    candidates = [c for c in candidates if c]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (bool(_MD_IMAGE.search(c)), han_count(c)))


def _html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser with a C-level element class lookup.

    lxml.html's own lookup (``HtmlElementClassLookup``) is a Python method that
    lxml calls for every element proxy it creates -- every element, every time
    a tree is walked (the tables, the rendered lines, trafilatura). The classes
    are the same (HtmlElement, HtmlComment, …) except for the form controls
    (FormElement, InputElement …), whose form API neither this reader nor
    trafilatura uses."""
    parser = lxml.html.HTMLParser()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = _html_parser()


def parse_tree(html: str, name: str | None):
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        root = lxml.html.document_fromstring(html, parser=_PARSER)
        if lost_elements(html, root):  # tags left open: build it as a browser would
            root = lxml.html.document_fromstring(as_browser_builds_it(html), parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(name, f"not parseable as HTML ({exc})") from exc
    return html, root


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    html, encoding, replaced = decode_body(
        data, name=name, content_type=content_type, declared=declared_encoding, expected="HTML"
    )
    if not _TAG.search(html[:65536]):
        # Named .htm but no markup at all: it is a plain-text document.
        return text_reader.from_string(html, encoding=encoding, replaced=replaced)
    html, root = parse_tree(html, name)
    base = _base_url(name, root)
    grids = table_grids(root)  # built once: for the metadata block and the report tables
    page = read_page_meta(root, grids)
    # From here on the page is the content: its report tables are markers.
    tables = _mark_report_tables(root, grids)
    content = root

    main = _main_text(content)
    if main and (han_count(main) or _MD_IMAGE.search(main)):
        text, images = _images_to_markers(main, base)
    else:
        # Short output is kept (a scanned report is a title and images); only
        # when trafilatura finds nothing is the whole page taken, chrome and all.
        text, images = _fallback_text(content, base)
    text = text_reader.normalise_text(text)
    # A 附表 pasted as one paragraph per cell is no <table>: rebuild it from the
    # page's own lines (trafilatura may collapse the repeated 条 / 0 paragraphs).
    tables = tables + find_cell_per_line_tables("\n".join(page_lines(content)))

    if not text.strip() and not tables and not images:
        raise UnreadableDocument(name, "no readable text in the HTML page")
    return ExtractedDocument(
        media="html",
        text=text,
        tables=tables,
        images=images,
        page=page,
        encoding=encoding,
        replaced_chars=replaced,
    )
