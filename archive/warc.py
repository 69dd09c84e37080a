"""WARC files of every HTTP exchange (ISO 28500, written with warcio).

Each request and its response become a ``request`` and a ``response`` record
(linked by WARC-Concurrent-To), gzip-compressed record by record, so standard
tools (warcio, pywb, ...) can replay the archive. warcio adds WARC-Date,
WARC-Record-ID, WARC-Payload-Digest and WARC-Block-Digest; each response record
also carries the body's SHA-256 in ``WARC-X-Xxgk-Sha256``, the key of the same
bytes in the content-addressed store.

A file being written is named ``*.warc.gz.open``; it is renamed to
``*.warc.gz`` when it is rotated (past ``max_bytes``) or closed. A crawl killed
mid-record leaves an ``.open`` file whose last record may be cut short:
:func:`recover` truncates such a file to its last complete record and closes
it, and the writer calls it on every file it finds before starting, so a WARC
file named ``.warc.gz`` is always whole.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OPEN_SUFFIX = ".open"
_HOP_BY_HOP = {"transfer-encoding", "content-encoding", "content-length", "connection", "keep-alive"}


def complete_members_end(data: bytes) -> int:
    """Offset just past the last complete gzip member of ``data`` (one WARC record each)."""
    offset = 0
    while offset < len(data):
        inflater = zlib.decompressobj(wbits=31)
        try:
            inflater.decompress(data[offset:])
        except zlib.error:
            break
        if not inflater.eof:
            break
        offset = len(data) - len(inflater.unused_data)
    return offset


def recover(path: Path) -> Path:
    """Close an interrupted ``.warc.gz.open`` file, keeping only its complete records."""
    end = complete_members_end(path.read_bytes())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    if end == 0:
        path.unlink()
        return final
    with open(path, "r+b") as handle:
        handle.truncate(end)
        os.fsync(handle.fileno())
    os.replace(path, final)
    return final


class WarcArchive:
    """Append HTTP exchanges to size-rotated WARC files in ``folder``."""

    def __init__(self, folder: str | os.PathLike[str], *, prefix: str = "xxgk", max_bytes: int = 256 * 1024 * 1024):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._handle = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None
        self._serial = 0
        for leftover in sorted(self.folder.glob(f"*.warc.gz{OPEN_SUFFIX}")):
            recover(leftover)

    # -- files -----------------------------------------------------------------

    def _open(self) -> None:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self._serial += 1
        self._path = self.folder / f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz{OPEN_SUFFIX}"
        self._handle = open(self._path, "ab")
        self._writer = WARCWriter(self._handle, gzip=True)
        info = self._writer.create_warcinfo_record(
            self._path.name[: -len(OPEN_SUFFIX)],
            {"software": "xxgk-archive", "format": "WARC File Format 1.1", "description": "xxgk-archive crawl"},
        )
        self._writer.write_record(info)

    def close(self) -> None:
        if self._handle is None:
            return
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._path, self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)]))
        self._handle = self._writer = self._path = None

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.warc.gz"))

    # -- records ---------------------------------------------------------------

    def write_exchange(
        self,
        *,
        url: str,
        method: str,
        request_headers: list[tuple[str, str]],
        request_body: bytes,
        status: int,
        reason: str,
        response_headers: list[tuple[str, str]],
        body: bytes,
        sha256: str,
        ip: str | None = None,
    ) -> None:
        """Write one request/response pair (the body as the crawler received it, decoded)."""
        if self._handle is None:
            self._open()
        writer = self._writer
        headers = [(k, v) for k, v in response_headers if k.lower() not in _HOP_BY_HOP]
        headers.append(("Content-Length", str(len(body))))
        http_response = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
        warc_headers = {"WARC-X-Xxgk-Sha256": sha256} if sha256 else {}
        if ip:
            warc_headers["WARC-IP-Address"] = ip
        response = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_response,
            warc_headers_dict=warc_headers,
        )
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        http_request = StatusAndHeaders(
            f"{method} /{path}", request_headers, protocol="HTTP/1.1", is_http_request=True
        )
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            http_headers=http_request,
            warc_headers_dict={"WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
        )
        writer.write_record(response)
        writer.write_record(request)
        self._handle.flush()
        if self._handle.tell() >= self.max_bytes:
            self.close()


def read_responses(folder: str | os.PathLike[str]):
    """``(url, sha256-of-payload, payload)`` of every response record in the folder's WARC files."""
    import hashlib

    for path in sorted(Path(folder).glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response":
                    continue
                payload = record.content_stream().read()
                yield record.rec_headers.get_header("WARC-Target-URI"), hashlib.sha256(payload).hexdigest(), payload
