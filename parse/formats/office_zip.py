"""ZIP packages (DOCX, XLSX) checked within limits before a reader opens them.

A DOCX is a ZIP archive, and a 4 MB download can hold a ``word/document.xml``
that inflates to a gigabyte: python-docx and openpyxl inflate every part into
memory and lxml builds a tree several times that size, so such a file took the
parser past 12 GB. The libraries also let the compression layer's own errors
(``zlib.error``) through on a damaged archive. Before either library sees the
bytes, :func:`check_package`

1. refuses the package from its central directory alone -- too many members, a
   member or the whole declaring more than the limits, a large member with a
   zip-bomb compression ratio -- before anything is inflated;
2. inflates every member once, in chunks, counting the bytes actually produced
   (declared sizes can lie) and stopping at the limit; a damaged member
   (bad deflate data, CRC mismatch, unsupported compression) is named.

The library then reads members whose declared sizes are within the limits and
whose contents were just checked (CPython's zipfile never inflates past a
member's declared size).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from ..errors import UnreadableDocument, exception_kind

MB = 1_000_000

# The largest word/document.xml among real reports is a few MB (a hundred pages of
# tables); 200 MB of XML is far beyond any report, and lxml needs several times
# that in memory.
MAX_MEMBER_BYTES = 200 * MB
# All members together, images included: a report with scanned pages ships tens
# of MB of JPEG/PNG, which compress hardly at all.
MAX_TOTAL_BYTES = 500 * MB
# Real members compress at most about 30:1 (styles XML: 32:1 in the gold DOCX
# files); deflate bombs reach 1000:1. Only members big enough to matter are
# checked: a tiny member may have any ratio.
MAX_RATIO = 200
RATIO_CHECKED_FROM = 10 * MB
# A DOCX has 10-200 parts; tens of thousands of members is not an Office document.
MAX_MEMBERS = 10_000
# Bytes inflated per read while checking members.
CHUNK = 1 << 20

# What zipfile and zlib raise on damaged members: bad deflate data (zlib.error),
# CRC mismatch or bad local header (BadZipFile), a stream cut short (EOFError),
# an encrypted member (RuntimeError), an unknown compression method
# (NotImplementedError), a mangled header field (ValueError, OSError).
MEMBER_ERRORS = (
    zlib.error,
    zipfile.BadZipFile,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    OSError,
)


# What zipfile.ZipFile() raises on a damaged central directory: BadZipFile
# mostly, NotImplementedError for a garbled "version needed" field ("zip file
# version 11.9"), struct.error / ValueError / EOFError for cut-off records.
OPEN_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
)


@dataclass(frozen=True)
class ZipLimits:
    member: int = MAX_MEMBER_BYTES
    total: int = MAX_TOTAL_BYTES
    ratio: float = MAX_RATIO
    ratio_from: int = RATIO_CHECKED_FROM
    members: int = MAX_MEMBERS


DEFAULT_LIMITS = ZipLimits()


def size_text(n: int) -> str:
    """Bytes for messages: ``1.2 GB``, ``200 MB``, ``512 KB``."""
    if n >= 1000 * MB:
        return f"{n / (1000 * MB):.1f} GB"
    if n >= MB:
        value = n / MB
        return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"
    return f"{max(1, round(n / 1000))} KB"


def check_declared(archive: zipfile.ZipFile, *, name: str | None, label: str, limits: ZipLimits) -> None:
    """Refuse the package from its central directory, before inflating anything."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise UnreadableDocument(
            name, f"{label} package has {len(infos):,} members, over the {limits.members:,}-member limit"
        )
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.member:
            raise UnreadableDocument(
                name,
                f"{label} member {info.filename} would inflate to {size_text(size)}, "
                f"over the {size_text(limits.member)} limit",
            )
        if size >= limits.ratio_from and size > limits.ratio * max(info.compress_size, 1):
            ratio = size / max(info.compress_size, 1)
            raise UnreadableDocument(
                name,
                f"{label} member {info.filename} would inflate {ratio:,.0f}-fold "
                f"({size_text(info.compress_size)} to {size_text(size)}), over the {limits.ratio:g}:1 limit "
                "(a zip bomb)",
            )
        total += size
    if total > limits.total:
        raise UnreadableDocument(
            name,
            f"{label} members would inflate to {size_text(total)} in all, over the {size_text(limits.total)} limit",
        )


def verify_members(archive: zipfile.ZipFile, *, name: str | None, label: str, limits: ZipLimits) -> None:
    """Inflate every member in chunks, counting what comes out; refuse a member
    past the limit (whatever it declared) and a damaged one, naming it."""
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        produced = 0
        try:
            with archive.open(info) as member:
                while True:
                    chunk = member.read(CHUNK)
                    if not chunk:
                        break
                    produced += len(chunk)
                    total += len(chunk)
                    if produced > limits.member:
                        raise UnreadableDocument(
                            name,
                            f"{label} member {info.filename} inflates to more than {size_text(limits.member)} "
                            f"(it declares {size_text(info.file_size)}), over the limit",
                        )
                    if total > limits.total:
                        raise UnreadableDocument(
                            name,
                            f"{label} members inflate to more than {size_text(limits.total)} in all, over the limit",
                        )
        except MEMBER_ERRORS as exc:
            raise UnreadableDocument(
                name, f"corrupt {label} file: damaged member {info.filename} ({exception_kind(exc)}: {exc})"
            ) from exc


def check_package(
    data: bytes, *, name: str | None, label: str, part: str, limits: ZipLimits = DEFAULT_LIMITS
) -> list[str]:
    """Check a ZIP package within ``limits``; returns its member names.

    ``part`` is the folder the format keeps its content in (``word/``,
    ``xl/``): a ZIP archive without it is refused as not being a ``label`` file.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if not any(n.startswith(part) for n in names):
                raise UnreadableDocument(name, f"not a {label} file: the ZIP archive has no {part} part")
            check_declared(archive, name=name, label=label, limits=limits)
            verify_members(archive, name=name, label=label, limits=limits)
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(name, f"corrupt or truncated {label} file ({exc})") from exc
    except OPEN_ERRORS as exc:
        raise UnreadableDocument(name, f"corrupt or truncated {label} file ({type(exc).__name__}: {exc})") from exc
    return names
