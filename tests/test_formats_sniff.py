"""Sniffing office formats from their bytes, and the reader registry."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from parse.errors import UnreadableDocument
from parse.formats import NOT_YET_SUPPORTED, READERS, extract
from parse.formats.office_ole import ole_kind
from parse.formats.sniff import FORMAT_LABELS, sniff

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    "fixture, fmt",
    [
        ("report_2021.docx", "docx"),
        ("report_2021.doc", "doc"),
        ("report_2021.pdf", "pdf"),
        ("scanned.pdf", "pdf"),
        ("tables_2021.xlsx", "xlsx"),
        ("tables_2021.xls", "xls"),
        ("encrypted.docx", "ole"),
    ],
)
@pytest.mark.parametrize("name", [None, "download.do?id=1", "report.htm", "a.pdf", "a.txt"])
def test_bytes_decide(fixture, fmt, name):
    assert sniff(read(fixture), name) == fmt


def test_ole_streams_tell_word_from_excel():
    assert ole_kind(read("report_2021.doc")) == "doc"
    assert ole_kind(read("tables_2021.xls")) == "xls"
    assert ole_kind(read("encrypted.docx")) == "encrypted"
    assert ole_kind(read("report_2021.docx")) is None
    # The name only says WPS rather than Word, ET rather than Excel.
    assert sniff(read("report_2021.doc"), "a.wps") == "wps"
    assert sniff(read("report_2021.doc"), "a.xls") == "doc"
    assert sniff(read("tables_2021.xls"), "a.et") == "et"
    assert sniff(read("tables_2021.xls"), "a.doc") == "xls"


def test_damaged_ole_falls_back_to_the_name():
    cut = read("report_2021.doc")[:1500]
    assert ole_kind(cut) is None
    assert sniff(cut, "x.doc") == "doc"
    assert sniff(cut, "x.wps") == "wps"
    assert sniff(cut, None) == "ole"


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for n in names:
            z.writestr(n, "x" * 5000)  # members past the first 4 KB
    return buf.getvalue()


def test_zip_members_decide():
    assert sniff(_zip("docProps/app.xml", "word/document.xml"), None) == "docx"
    assert sniff(_zip("docProps/app.xml", "xl/workbook.xml"), None) == "xlsx"
    assert sniff(_zip("Doc_0/Document.xml", "OFD.xml"), None) == "ofd"
    assert sniff(_zip("readme.txt"), "a.docx") == "zip"


def test_registry():
    for fmt in ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "ole", "rtf"):
        assert fmt in READERS and fmt not in NOT_YET_SUPPORTED
        assert fmt in FORMAT_LABELS
    assert NOT_YET_SUPPORTED == {"ofd"}


def test_ole_reader_messages():
    with pytest.raises(UnreadableDocument, match=r"locked\.bin: password-protected"):
        extract(read("encrypted.docx"), name="locked.bin")
    # An OLE2 file sniffed as "ole" (no telling name) that is a Word file is read as one.
    assert READERS["ole"] is not None
    with pytest.raises(UnreadableDocument, match=r"cut\.bin: truncated Office \(OLE2\) file"):
        extract(read("report_2021.doc")[:1500], name="cut.bin")
    with pytest.raises(UnreadableDocument, match=r"cut\.bin: corrupt or truncated"):
        extract(read("report_2021.doc")[:20000], name="cut.bin")
