"""Documents the parser refuses, with the file/URL and the reason in the message."""

import io
import random
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from parse.errors import ParserFailure, UnreadableDocument
from parse.formats import office_zip
from parse.formats.sniff import extension, sniff
from parse.report import parse_document, parse_path


def refuse(data: bytes, name: str | None, **kw) -> str:
    with pytest.raises(UnreadableDocument) as info:
        parse_document(data, name=name, **kw)
    message = str(info.value)
    if name:
        assert name in message
    return message


def test_empty_file():
    assert "empty file" in refuse(b"", "report_2018.htm")
    assert "empty" in refuse(b" \r\n\t ", "report_2018.txt")


def test_empty_file_on_disk(tmp_path):
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    with pytest.raises(UnreadableDocument, match="empty.html: empty file"):
        parse_path(path)


def test_binary_garbage_named_htm():
    data = random.Random(20240601).randbytes(8192)
    message = refuse(data, "http://www.example.gov.cn/xxgk/art_1234.htm")
    assert "binary data where HTML was expected" in message


def test_binary_garbage_named_txt():
    assert "binary data where text was expected" in refuse(bytes(range(256)) * 16, "seed.txt")


def test_truncated_pdf():
    message = refuse(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "2019年度报告.pdf")
    assert "2019年度报告.pdf" in message and "truncated PDF file" in message


def test_pdf_named_htm_is_a_pdf():
    assert "truncated PDF file" in refuse(b"%PDF-1.4\n", "report.htm")


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml word/document.xml", "a.docx",
         "corrupt or truncated Word (DOCX)"),
        (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml xl/workbook.xml", "a.xlsx",
         "corrupt or truncated Excel (XLSX)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "a.doc", "truncated Word (DOC) file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "a.xls", "truncated Excel (XLS) file"),
    ],
)
def test_broken_office_files_are_refused_with_the_reason(data, name, reason):
    message = refuse(data, name)
    assert name in message and reason in message


def test_ofd_is_not_supported_yet():
    message = refuse(b"PK\x03\x04\x14\x00\x06\x00OFD.xml Doc_0/Document.xml", "a.ofd")
    assert "OFD documents are not supported yet" in message


def test_broken_image_is_refused_with_the_reason():
    # Pictures are read by OCR (parse/formats/image.py); one that does not decode is refused.
    message = refuse(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "table.htm")
    assert "corrupt or truncated image file" in message


def test_unsupported_by_content_type_only():
    # No extension, bytes not recognisable: the Content-Type decides.
    message = refuse(b"\x00\x01garbage", "http://x.gov.cn/download?id=3", content_type="application/msword")
    assert "not a Word (DOC) file: no OLE2 compound-file header" in message


def test_page_without_report_text():
    message = refuse(b"<html><head><title>404</title></head><body><h1>Not Found</h1></body></html>", "gone.pdf")
    assert "no report text" in message


def test_blank_html_page():
    assert "no readable text" in refuse(b"<html><body>\n</body></html>", "blank.html")


def test_unnamed_document_still_has_a_message():
    with pytest.raises(UnreadableDocument, match="<unnamed document>: empty file"):
        parse_document(b"")


def test_sniffing():
    assert sniff(b"<!DOCTYPE html><html></html>", None) == "html"
    assert sniff(b"\xef\xbb\xbf  <html>", "x.txt") == "html"  # the bytes win over the name
    assert sniff("年度报告".encode(), "a.TXT") == "text"
    assert sniff(b"plain", "http://a.gov.cn/art/2019/1/1/art_1.html?x=1#top") == "html"
    assert sniff(b"plain", None, "text/plain; charset=utf-8") == "text"
    assert extension("http://a.gov.cn/P020190111.PDF?download=1") == "pdf"
    assert extension("C:\\reports\\a.Doc") == "doc"
    assert extension("http://a.gov.cn/col/") is None


# ----------------------------------------------------------------------------------
# Damaged real documents and zip bombs: refused with the reason, never a library
# exception, and before the work (memory) they would cost.

GOLD = Path(__file__).parent / "gold"
REAL_PDF = GOLD / "real" / "huaian-szf-2024.pdf"
REAL_DOCX = GOLD / "t2021_jiaohe_2023_docx.docx"
MiB = 1 << 20


def refuse_real(data: bytes, name: str) -> str:
    """The reader's own diagnosis: UnreadableDocument naming the file, not the
    parser's last resort (ParserFailure: an exception no reader expected)."""
    with pytest.raises(UnreadableDocument) as info:
        parse_document(data, name=name)
    assert not isinstance(info.value, ParserFailure), info.value
    assert name in str(info.value)
    return info.value.reason


def test_byte_flipped_pdf_mediabox_is_refused():
    # One byte of the first page's MediaBox flipped: pdfplumber raised
    # MalformedPDFException through the reader.
    data = bytearray(REAL_PDF.read_bytes())
    at = data.index(b"MediaBox [0 0 ") + len(b"MediaBox [0 0 ")
    data[at] ^= 0xFF
    reason = refuse_real(bytes(data), REAL_PDF.name)
    assert "corrupt PDF file (MalformedPDFException" in reason


def test_pdf_with_damaged_trailer_is_refused():
    data = bytearray(REAL_PDF.read_bytes())
    at = data.rindex(b"trailer") if b"trailer" in data else data.rindex(b"startxref")
    for i in range(at, min(at + 200, len(data) - 6)):
        data[i] ^= 0xFF
    assert "No /Root object" in refuse_real(bytes(data), REAL_PDF.name)


def _member_data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len


@pytest.mark.parametrize("member", ["word/document.xml", "word/styles.xml"])
def test_byte_flipped_docx_is_refused_naming_the_member(member):
    # Flipped bytes in a member's deflate data: zlib.error came out of
    # ZipFile.testzip() through the reader.
    data = bytearray(REAL_DOCX.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(member)
    middle = _member_data_offset(bytes(data), info) + info.compress_size // 2
    for i in range(middle, middle + 64):
        data[i] ^= 0xFF
    reason = refuse_real(bytes(data), "flipped.docx")
    assert f"corrupt Word (DOCX) file: damaged member {member}" in reason


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``size`` zero bytes (a multiple of 1 MiB) and its
    CRC, built in well under a second: one fully flushed 1 MiB block repeated."""
    chunk = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(size // MiB):
        crc = zlib.crc32(chunk, crc)
    return block * (size // MiB) + final, crc


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP archive of already deflated members ``(name, data, crc, declared size)``."""
    out = io.BytesIO()
    central = []
    for name, raw, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0))
        out.write(encoded + raw)
        central.append(
            struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                        len(encoded), 0, 0, 0, 0, 0, offset)
            + encoded
        )
    directory = b"".join(central)
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0))
    return out.getvalue()


def bomb_docx(declared: int | None = None) -> bytes:
    """The real DOCX with word/document.xml replaced by 1 GiB of zeros (1 MB
    deflated); ``declared`` makes the headers lie about its size."""
    members = []
    with zipfile.ZipFile(REAL_DOCX) as archive:
        for info in archive.infolist():
            if info.filename == "word/document.xml":
                raw, crc = deflated_zeros(1024 * MiB)
                members.append((info.filename, raw, crc, declared or 1024 * MiB))
                continue
            content = archive.read(info)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append((info.filename, compressor.compress(content) + compressor.flush(), zlib.crc32(content),
                            len(content)))
    return raw_zip(members)


def refused_quickly_and_small(data: bytes, name: str) -> str:
    tracemalloc.start()
    started = time.monotonic()
    try:
        reason = refuse_real(data, name)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 64 * MiB, f"{peak / MiB:.0f} MiB allocated"
    return reason


def test_docx_zip_bomb_is_refused_before_inflating():
    data = bomb_docx()
    assert len(data) < 2 * MiB
    reason = refused_quickly_and_small(data, "bomb.docx")
    assert "Word (DOCX) member word/document.xml would inflate to 1.1 GB, over the 200 MB limit" in reason


def test_docx_zip_bomb_with_lying_sizes_is_refused():
    # The headers declare 20 KB; the data inflates to 1 GiB. Only the declared
    # bytes are ever inflated, and the CRC then shows the member is damaged.
    reason = refused_quickly_and_small(bomb_docx(declared=20_000), "liar.docx")
    assert "damaged member word/document.xml" in reason


def test_inflated_bytes_are_counted_whatever_the_headers_say():
    # verify_members counts what comes out of each member, not what it declares.
    with zipfile.ZipFile(REAL_DOCX) as archive:
        with pytest.raises(UnreadableDocument, match=r"member word/\S+ inflates to more than 10 KB"):
            office_zip.verify_members(archive, name="a.docx", label="Word (DOCX)",
                                      limits=office_zip.ZipLimits(member=10_000))


def test_zip_bomb_by_compression_ratio():
    raw, crc = deflated_zeros(20 * MiB)  # 20 MiB from 20 KB: 1000:1
    data = raw_zip([("[Content_Types].xml", *_stored_deflate(b"<Types/>")), ("xl/workbook.xml", raw, crc, 20 * MiB)])
    reason = refused_quickly_and_small(data, "bomb.xlsx")
    assert "Excel (XLSX) member xl/workbook.xml would inflate 1,0" in reason and "over the 200:1 limit" in reason


def _stored_deflate(content: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush(), zlib.crc32(content), len(content)


def test_zip_with_a_garbled_central_directory_is_refused():
    # One byte of the central directory's "version needed" field: zipfile raises
    # NotImplementedError ("zip file version 11.9"), which the sniffer let through.
    data = bytearray(REAL_DOCX.read_bytes())
    data[data.index(b"PK\x01\x02") + 6] = 119
    reason = refuse_real(bytes(data), "garbled.docx")
    assert "corrupt or truncated Word (DOCX) file (NotImplementedError: zip file version 11.9)" in reason


def test_an_exception_no_reader_expected_is_the_documents_error(monkeypatch, caplog):
    # The last resort of parse_document: a reader that lets a library exception
    # through (here the text reader, made to) costs its document, not the run.
    from parse import formats

    def broken_reader(data, **kwargs):
        return zlib.decompress(data)  # zlib.error on text

    monkeypatch.setitem(formats.READERS, "text", broken_reader)
    with caplog.at_level("DEBUG", logger="parse.report"):
        with pytest.raises(ParserFailure) as info:
            parse_document("政府信息公开工作年度报告".encode(), name="report.txt")
    assert isinstance(info.value, UnreadableDocument)
    assert str(info.value).startswith("report.txt: the parser failed on this document (zlib.error: ")
    logged = [r for r in caplog.records if r.levelname == "DEBUG" and "report.txt" in r.getMessage()]
    assert logged and logged[0].exc_info[0] is zlib.error  # with its traceback
