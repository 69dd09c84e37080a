"""Legacy Word documents (DOC), WPS documents in Word format, and RTF.

The OLE2 container is checked first (a WordDocument stream with a Word FIB, not
encrypted -- :mod:`office_ole`); LibreOffice then converts the file to DOCX in a
sandboxed subprocess (:mod:`office_convert`) and the DOCX reader reads that, so
paragraphs, list numbers and tables with merged cells come out exactly as for a
DOCX. Without LibreOffice the reader raises UnreadableDocument naming the
Debian package to install.

RTF goes the same way (portals often serve RTF under a ``.doc`` name; the
sniffer tells it by its ``{\\rtf`` start).
"""

from __future__ import annotations

from ..document import ExtractedDocument
from ..errors import UnreadableDocument
from . import office_convert, office_ole
from .docx import read_docx

LABELS = {"doc": "Word (DOC)", "wps": "WPS", "rtf": "RTF"}


def read_word97(data: bytes, *, name: str | None, media: str) -> ExtractedDocument:
    label = LABELS.get(media, "Word (DOC)")
    if media == "wps" and not office_ole.is_ole(data):
        raise UnreadableDocument(
            name, "WPS document in Kingsoft's own format (not Word-compatible OLE2); it cannot be read"
        )
    with office_ole.open_ole(data, name, label) as ole:
        office_ole.check_word_stream(ole, name, label)
    converted = office_convert.convert(data, source_ext="doc", target="docx:MS Word 2007 XML", name=name, label=label)
    try:
        return read_docx(converted, name=name, media=media, label=label)
    except UnreadableDocument as exc:
        raise UnreadableDocument(name, f"{exc.reason} (after conversion by LibreOffice)") from exc


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    return read_word97(data, name=name, media="doc")


def extract_wps(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    return read_word97(data, name=name, media="wps")


def extract_rtf(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    label = LABELS["rtf"]
    if not data.lstrip()[:5] == b"{\\rtf":
        raise UnreadableDocument(name, "not an RTF file: no {\\rtf header")
    converted = office_convert.convert(data, source_ext="rtf", target="docx:MS Word 2007 XML", name=name, label=label)
    try:
        return read_docx(converted, name=name, media="rtf", label=label)
    except UnreadableDocument as exc:
        raise UnreadableDocument(name, f"{exc.reason} (after conversion by LibreOffice)") from exc
