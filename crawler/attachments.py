"""Attachments: which links are report files, and what the server calls them.

Chinese portals link reports as PDF/DOC/DOCX/XLS/WPS files, often through a
download script (``/module/download/downfile.jsp?…&filename=….pdf``,
``/attach/0/ab12.pdf``, ``…/P020230118…pdf``), and name them in a
``Content-Disposition`` header that is usually raw GBK bytes, sometimes RFC
5987 (``filename*=UTF-8''%E6…``) or percent-encoded UTF-8/GBK. The filename is
kept as metadata only; files are stored under their SHA-256, never under a name
a server chose.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes, urlsplit

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "rtf")
_EXT = re.compile(r"\.(" + "|".join(DOCUMENT_EXTENSIONS) + r")(?:$|[?#&])", re.IGNORECASE)
_DOWNLOAD = re.compile(r"(downfile|download|attach|fujian|getfile|fileDownload)", re.IGNORECASE)
_EXT_IN_TEXT = re.compile(r"\.(" + "|".join(DOCUMENT_EXTENSIONS) + r")\s*$", re.IGNORECASE)

_FILENAME_STAR = re.compile(rb"filename\*\s*=\s*([\w\-]+)'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(rb"""filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))""", re.IGNORECASE)


def is_document_link(url: str, text: str | None = None) -> bool:
    """True for a link to a report file (by extension in the URL or its query, or the link text)."""
    parts = urlsplit(url)
    if _EXT.search(parts.path) or _EXT.search(parts.query):
        return True
    return bool(text and _EXT_IN_TEXT.search(text.strip()) and _DOWNLOAD.search(url))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def filename_from_disposition(header: bytes | str | None) -> str | None:
    """The filename a Content-Disposition header gives, decoded (RFC 6266/5987, raw GBK, %-encoded)."""
    if not header:
        return None
    raw = header.encode("latin-1") if isinstance(header, str) else header
    star = _FILENAME_STAR.search(raw)
    if star:
        charset = star.group(1).decode("ascii", "replace")
        value = unquote_to_bytes(star.group(2).strip().strip(b'"'))
        try:
            return value.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return _decode(value)
    plain = _FILENAME.search(raw)
    if not plain:
        return None
    value = (plain.group(1) if plain.group(1) is not None else plain.group(2)).strip()
    if b"%" in value:
        value = unquote_to_bytes(value)
    name = _decode(value)
    return name or None


def safe_display_name(name: str | None) -> str | None:
    """A filename fit to show: path parts and control characters removed."""
    if not name:
        return None
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch not in ':*?"<>|')
    return name.strip(" .") or None
