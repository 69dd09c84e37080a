"""Which reader a document needs: decided from its bytes, its name, its Content-Type.

The bytes win: a file named ``.htm`` that starts with ``%PDF`` is a PDF, and a
``.pdf`` link that returned an HTML page is an HTML page. The name and the
Content-Type decide only when the bytes are not recognisable.
"""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote, urlsplit

from .office_ole import ole_kind
from .office_zip import OPEN_ERRORS

# Formats the parser reads, and formats it recognises but cannot read yet, with
# the human name used in error messages. Pictures ("image") are read by OCR.
FORMAT_LABELS = {
    "html": "HTML",
    "text": "plain text",
    "pdf": "PDF",
    "docx": "Word (DOCX)",
    "doc": "Word (DOC)",
    "xlsx": "Excel (XLSX)",
    "xls": "Excel (XLS)",
    "wps": "WPS",
    "et": "WPS spreadsheet (ET)",
    "ofd": "OFD",
    "rtf": "RTF",
    "ole": "Office (OLE2: DOC/XLS/WPS)",
    "zip": "ZIP archive",
    "archive": "compressed archive",
    "image": "image",
}

HTML_EXTENSIONS = {"html", "htm", "shtml", "shtm", "xhtml", "jhtml", "jsp", "asp", "aspx", "php", "do", "action"}
TEXT_EXTENSIONS = {"txt", "text"}
DOCUMENT_EXTENSIONS = {"pdf", "docx", "doc", "xlsx", "xls", "wps", "et", "ofd", "rtf", "zip", "rar", "7z"}
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"}

_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/ofd": "ofd",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "application/zip": "zip",
    "image/png": "image",
    "image/jpeg": "image",
    "image/pjpeg": "image",
    "image/gif": "image",
    "image/bmp": "image",
    "image/x-ms-bmp": "image",
    "image/tiff": "image",
    "image/webp": "image",
}
# BMP: "BM", then a DIB header whose size (bytes 14-17) is one of the known ones.
_BMP_HEADER_SIZES = {12, 40, 52, 56, 64, 108, 124}

_HTML_START = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body|meta|title|div|table|p[\s>]|span|center|font|link|script|style)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<(?:html|body|head)[\s>]|<!doctype\s+html", re.IGNORECASE)


def extension(name: str | None) -> str | None:
    """Lower-case extension of a filename or URL path (query and fragment ignored)."""
    if not name:
        return None
    path = urlsplit(name).path if "://" in name else name
    path = unquote(path).rstrip("/")
    base = path.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in base:
        return None
    return base.rsplit(".", 1)[-1].lower() or None


def magic(data: bytes) -> str | None:
    """Format recognised from the leading bytes, or None."""
    head = data[:8]
    if data.lstrip()[:5] == b"%PDF-" or head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if (
        head.startswith(b"\x89PNG")
        or head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"GIF8")
        or head.startswith(b"II*\x00")
        or head.startswith(b"MM\x00*")
        or (head.startswith(b"RIFF") and data[8:12] == b"WEBP")
        or (head.startswith(b"BM") and len(data) >= 18 and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES)
    ):
        return "image"
    if head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf") or head.startswith(b"\x1f\x8b"):
        return "archive"
    return None


def zip_kind(data: bytes) -> str:
    """``docx``, ``xlsx``, ``ofd`` or ``zip`` for a ZIP archive, from its member
    names (the central directory; the first 4 KB if that is unreadable)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except OPEN_ERRORS:
        window = data[:4096]
        names = [m.decode("latin-1") for m in re.findall(rb"(?:word|xl|Doc_0)/[\x21-\x7e]*|OFD\.xml", window)]
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n == "OFD.xml" or n.startswith("Doc_0/") for n in names):
        return "ofd"
    return "zip"


def looks_like_html(data: bytes) -> bool:
    """Markup at the start of the body (after a BOM, whitespace, comments)."""
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return bool(_HTML_START.match(head) or _HTML_ANYWHERE.search(head))


def content_type_format(content_type: str | None) -> str | None:
    if not content_type:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    return _CONTENT_TYPES.get(mime)


def sniff(data: bytes, name: str | None = None, content_type: str | None = None) -> str:
    """The format key of a document (a key of :data:`FORMAT_LABELS`)."""
    found = magic(data)
    ext = extension(name)
    if found == "ole":
        # One container for DOC, XLS, WPS and ET (and encrypted DOCX/XLSX): the
        # stream names tell Word from Excel, the name WPS from Word.
        kind = ole_kind(data)
        if kind == "doc":
            return "wps" if ext == "wps" else "doc"
        if kind == "xls":
            return "et" if ext == "et" else "xls"
        if kind is None and ext in {"doc", "xls", "wps", "et"}:
            return ext  # damaged container: the reader says what is wrong
        return "ole"  # encrypted package, presentation, unknown: see office_ole.extract
    if found:
        return found
    if looks_like_html(data):
        return "html"
    if ext in HTML_EXTENSIONS:
        return "html"
    if ext in TEXT_EXTENSIONS:
        return "text"
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in DOCUMENT_EXTENSIONS:
        return {"rar": "archive", "7z": "archive"}.get(ext, ext)
    by_type = content_type_format(content_type)
    if by_type:
        return by_type
    return "text"
