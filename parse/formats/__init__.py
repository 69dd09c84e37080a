"""Format readers and the dispatcher that picks one.

A reader is a module with ``extract(data, *, name, content_type,
declared_encoding) -> ExtractedDocument``. Supporting a new format (PDF, DOCX,
DOC, XLS) means writing one such module and registering it in ``READERS``;
everything downstream is format-independent.
"""

from __future__ import annotations

from typing import Callable

from ..document import ExtractedDocument
from ..errors import UnreadableDocument
from . import doc, docx, html, image, office_ole, pdf, spreadsheet, text
from .sniff import FORMAT_LABELS, sniff

Reader = Callable[..., ExtractedDocument]

READERS: dict[str, Reader] = {
    "html": html.extract,
    "text": text.extract,
    "pdf": pdf.extract,
    "docx": docx.extract,
    "doc": doc.extract,
    "wps": doc.extract_wps,
    "xlsx": spreadsheet.extract_xlsx,
    "xls": spreadsheet.extract_xls,
    "et": spreadsheet.extract_et,
    "ole": office_ole.extract,
    "rtf": doc.extract_rtf,
    "image": image.extract,  # read by OCR (parse.ocr)
}

# Document formats that may well hold a report but have no reader yet.
NOT_YET_SUPPORTED = {"ofd"}


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    """Sniff the format of ``data`` and run its reader.

    Raises :class:`UnreadableDocument` for empty input, unsupported formats and
    non-document data (archives, binary garbage). Pictures are read by OCR."""
    if not data or not data.strip():
        raise UnreadableDocument(name, "empty file" if not data else "empty file (only whitespace)")
    fmt = sniff(data, name, content_type)
    reader = READERS.get(fmt)
    if reader is not None:
        return reader(data, name=name, content_type=content_type, declared_encoding=declared_encoding)
    label = FORMAT_LABELS.get(fmt, fmt)
    if fmt in NOT_YET_SUPPORTED:
        raise UnreadableDocument(name, f"{label} documents are not supported yet")
    raise UnreadableDocument(name, f"unsupported format: {label} data, not a report document")


__all__ = ["READERS", "NOT_YET_SUPPORTED", "extract", "sniff"]
