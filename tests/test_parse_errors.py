"""Documents the parser refuses, with the file/URL and the reason in the message."""

import random

import pytest

from parse.errors import UnreadableDocument
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


def test_image_is_not_a_report():
    message = refuse(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "table.htm")
    assert "image" in message and "not a report document" in message


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
