"""OLE2 compound files (legacy Word/Excel, WPS, password-protected OOXML).

One container holds many formats; the stream names tell them apart:

* ``WordDocument`` -- Word 97-2003 (``.doc``) and WPS documents saved in Word
  format (``.wps``);
* ``Workbook`` (Excel 97+) or ``Book`` (Excel 5/95) -- ``.xls`` and WPS
  spreadsheets (``.et``);
* ``EncryptionInfo`` + ``EncryptedPackage`` -- a password-protected DOCX/XLSX
  (Office encrypts the whole ZIP package and wraps it in OLE2);
* ``PowerPoint Document`` -- a presentation.

:func:`ole_kind` is used by the sniffer and never raises; :func:`open_ole` and
:func:`extract` (the reader registered for OLE2 files that are none of the
above, or whose kind the name does not tell) raise :class:`UnreadableDocument`.
"""

from __future__ import annotations

import io
import struct

import olefile

from ..document import ExtractedDocument
from ..errors import UnreadableDocument

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A header sector, a FAT sector and a directory sector at least.
MIN_OLE_SIZE = 1536

# FIB (File Information Block) of the WordDocument stream, [MS-DOC] 2.5.2.
_WORD_IDENTS = {0xA5EC: "Word 97-2003", 0xA5DC: "Word 6/95"}
_FIB_ENCRYPTED = 0x0100  # fEncrypted
_FIB_OBFUSCATED = 0x8000  # fObfuscated (XOR "encryption" of Word 95)


def is_ole(data: bytes) -> bool:
    return data[:8] == OLE_MAGIC


def _kind_of_streams(streams: set[str]) -> str | None:
    if "encryptedpackage" in streams and "encryptioninfo" in streams:
        return "encrypted"
    if "worddocument" in streams:
        return "doc"
    if "workbook" in streams or "book" in streams:
        return "xls"
    if "powerpoint document" in streams:
        return "ppt"
    return None


def top_streams(ole: olefile.OleFileIO) -> set[str]:
    """Lower-cased names of the top-level streams and storages."""
    return {entry[0].lower() for entry in ole.listdir(streams=True, storages=True) if entry}


def ole_kind(data: bytes) -> str | None:
    """``"doc"``, ``"xls"``, ``"ppt"``, ``"encrypted"`` (password-protected
    OOXML) or None (not OLE2, unreadable directory, unknown streams)."""
    if not is_ole(data):
        return None
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return _kind_of_streams(top_streams(ole))
    except MemoryError:  # the isolation layer reports it (parse/isolation.py)
        raise
    except Exception:  # noqa: BLE001 -- olefile raises many types on corrupt input
        return None


def open_ole(data: bytes, name: str | None, label: str) -> olefile.OleFileIO:
    """The OLE2 container of a ``label`` document, or UnreadableDocument."""
    if not is_ole(data):
        raise UnreadableDocument(name, f"not a {label} file: no OLE2 compound-file header")
    if len(data) < MIN_OLE_SIZE:
        raise UnreadableDocument(name, f"truncated {label} file (only {len(data)} bytes of an OLE2 container)")
    try:
        # A file object: olefile would take short bytes for a file name.
        return olefile.OleFileIO(io.BytesIO(data))
    except MemoryError:  # the isolation layer reports it (parse/isolation.py)
        raise
    except Exception as exc:  # noqa: BLE001
        raise UnreadableDocument(name, f"corrupt or truncated {label} file (OLE2 container: {exc})") from exc


def refuse_encrypted_package(streams: set[str], name: str | None) -> None:
    if _kind_of_streams(streams) == "encrypted":
        raise UnreadableDocument(
            name, "password-protected (encrypted) Office document; it cannot be read without the password"
        )


def check_word_stream(ole: olefile.OleFileIO, name: str | None, label: str) -> str:
    """Check the WordDocument stream of a DOC/WPS file: present, a Word FIB, not
    encrypted. Returns the Word version label."""
    streams = top_streams(ole)
    refuse_encrypted_package(streams, name)
    if "worddocument" not in streams:
        kind = _kind_of_streams(streams)
        if kind in ("xls", "ppt"):
            found = {"xls": "an Excel workbook", "ppt": "a PowerPoint presentation"}[kind]
            raise UnreadableDocument(name, f"not a Word-format {label} file: the OLE2 container holds {found}")
        raise UnreadableDocument(
            name, f"damaged or not a Word-format {label} file: the OLE2 container has no WordDocument stream"
        )
    try:
        with ole.openstream("WordDocument") as stream:
            fib = stream.read(12)
    except MemoryError:  # the isolation layer reports it (parse/isolation.py)
        raise
    except Exception as exc:  # noqa: BLE001
        raise UnreadableDocument(name, f"corrupt {label} file (WordDocument stream: {exc})") from exc
    if len(fib) < 12:
        raise UnreadableDocument(name, f"corrupt {label} file (WordDocument stream too short)")
    # Read every stream through: a truncated file fails here instead of
    # being converted into a partial document.
    for path in ole.listdir(streams=True, storages=False):
        try:
            with ole.openstream(path) as stream:
                stream.read()
        except MemoryError:  # the isolation layer reports it (parse/isolation.py)
            raise
        except Exception as exc:  # noqa: BLE001
            raise UnreadableDocument(name, f"corrupt or truncated {label} file (stream {'/'.join(path)}: {exc})") from exc
    ident, flags = struct.unpack("<H", fib[:2])[0], struct.unpack("<H", fib[10:12])[0]
    if ident not in _WORD_IDENTS:
        raise UnreadableDocument(name, f"corrupt {label} file (WordDocument stream has no Word header)")
    if flags & _FIB_ENCRYPTED or flags & _FIB_OBFUSCATED:
        raise UnreadableDocument(
            name, f"password-protected (encrypted) {label} document; it cannot be read without the password"
        )
    return _WORD_IDENTS[ident]


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    """Reader for OLE2 files the sniffer could not place: dispatch on the stream
    names, or say why the file cannot be read."""
    with open_ole(data, name, "Office (OLE2)") as ole:
        streams = top_streams(ole)
    kind = _kind_of_streams(streams)
    if kind == "doc":
        from . import doc

        return doc.extract(data, name=name, content_type=content_type)
    if kind == "xls":
        from . import spreadsheet

        return spreadsheet.extract_xls(data, name=name, content_type=content_type)
    refuse_encrypted_package(streams, name)
    if kind == "ppt":
        raise UnreadableDocument(name, "unsupported format: PowerPoint presentation, not a report document")
    shown = ", ".join(sorted(streams)[:8]) or "none"
    raise UnreadableDocument(name, f"unsupported OLE2 file: neither Word nor Excel (streams: {shown})")
