"""Legacy Word (DOC) and WPS: LibreOffice converts to DOCX, the DOCX reader reads.

These tests need LibreOffice (``scripts/install-system-deps``). Locally they are
skipped without it; in CI (``CI`` set) they run and fail, so a CI that forgot
the install step does not pass silently.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from parse.errors import UnreadableDocument
from parse.formats import doc as doc_reader
from parse.formats import extract, office_convert
from parse.formats.sniff import sniff
from parse.report import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))

needs_soffice = pytest.mark.skipif(
    office_convert.find_soffice() is None and not os.environ.get("CI"),
    reason="LibreOffice not installed (scripts/install-system-deps); required in CI",
)


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def converted():
    if office_convert.find_soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed")
    return extract(read("report_2021.doc"), name="report_2021.doc")


@needs_soffice
def test_doc_reads_like_the_docx_it_was_saved_from(converted):
    from_docx = extract(read("report_2021.docx"), name="report_2021.docx")
    assert converted.media == "doc"
    # Chinese text, list numbers 一、…, table markers: all the same. (The
    # image's alt text 公章 is lost when LibreOffice saves the fixture as DOC.)
    assert converted.text.replace("[image: image1.png]", "[image: 公章]") == from_docx.text
    assert [g.to_list() for g in converted.tables] == [g.to_list() for g in from_docx.tables]
    assert [g.span_copies for g in converted.tables] == [g.span_copies for g in from_docx.tables]
    assert len(converted.images) == 1


@needs_soffice
def test_doc_table_three(converted):
    t3 = converted.tables[1]
    assert t3.to_list() == EXPECTED["tables"]["table3"]["rows"]
    assert t3.cell(3, 3) == "１２" and t3.cell(26, 9) == "13"
    assert t3.origin(20, 0) == (5, 0)


@needs_soffice
def test_parse_document_doc():
    report = parse_document(read("report_2021.doc"), name="x.doc")
    assert (report.title, report.year, report.format) == (EXPECTED["title"], 2023, "2021-template")
    assert report.published == "2024-01-23"


@needs_soffice
def test_wps_in_word_format():
    data = read("report_2021.doc")
    assert sniff(data, "2023年报.wps") == "wps"
    doc = extract(data, name="2023年报.wps")
    assert doc.media == "wps" and len(doc.tables) == 3


@needs_soffice
def test_served_name_is_never_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "../../tmp/$(touch pwned)/报告; rm -rf x.doc"
    doc = extract(read("report_2021.doc"), name=name)
    assert doc.text.startswith(EXPECTED["title_lines"][0])
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------
# Converter missing, hanging, failing


def refuse(data: bytes, name: str, reader=extract) -> str:
    with pytest.raises(UnreadableDocument) as info:
        reader(data, name=name)
    assert name in str(info.value)
    return info.value.reason


def test_missing_converter_names_the_debian_package(monkeypatch):
    monkeypatch.setenv(office_convert.SOFFICE_ENV, "")
    reason = refuse(read("report_2021.doc"), "report_2021.doc")
    assert "LibreOffice" in reason and "libreoffice-writer-nogui" in reason


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_converter_timeout_kills_it(tmp_path, monkeypatch):
    marker = tmp_path / "still-running"
    fake = _fake_soffice(tmp_path, f"sleep 30; touch {marker}")
    monkeypatch.setenv(office_convert.SOFFICE_ENV, fake)
    started = time.monotonic()
    with pytest.raises(UnreadableDocument, match="did not finish") as info:
        office_convert.convert(
            read("report_2021.doc"), source_ext="doc", target="docx", name="slow.doc", label="Word (DOC)", timeout=1
        )
    assert time.monotonic() - started < 10
    assert "slow.doc" in str(info.value)
    time.sleep(0.2)
    assert not marker.exists()


def test_converter_without_output(tmp_path, monkeypatch):
    monkeypatch.setenv(
        office_convert.SOFFICE_ENV, _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2")
    )
    reason = refuse(read("report_2021.doc"), "broken.doc")
    assert "could not read" in reason and "source file could not be loaded" in reason


# --------------------------------------------------------------------------------
# Files refused before conversion


def test_truncated_doc():
    assert "corrupt or truncated Word (DOC)" in refuse(read("report_2021.doc")[:3000], "cut.doc")


def test_not_ole():
    assert "no OLE2" in refuse(b"just some bytes, not a Word file", "fake.doc", doc_reader.extract)


def test_spreadsheet_is_not_a_word_document():
    assert "holds an Excel workbook" in refuse(read("tables_2021.xls"), "table.doc", doc_reader.extract)


def test_encrypted_doc():
    data = bytearray(read("report_2021.doc"))
    # Set fEncrypted in the FIB at the start of the WordDocument stream.
    fib = next(i for i in range(0, len(data), 512) if data[i : i + 2] == b"\xec\xa5")
    data[fib + 11] |= 0x01
    assert "password-protected" in refuse(bytes(data), "locked.doc")


def test_kingsoft_native_wps():
    assert "Kingsoft" in refuse(b"\x00\x01WPS native bytes" * 10, "old.wps", doc_reader.extract_wps)


# --------------------------------------------------------------------------------
# RTF (often served as .doc) goes through LibreOffice too

RTF = (
    rb"{\rtf1\ansi\ansicpg936{\fonttbl{\f0\fnil SimSun;}}\f0\fs24 "
    rb"\u23041?\u28023?\u24066?2023\u24180?\u25919?\u24220?\u20449?\u24687?\u20844?\u24320?"
    rb"\u24037?\u20316?\u24180?\u24230?\u25253?\u21578?\par"
    b"\n"
    rb"\trowd\cellx2000\cellx4000 A\cell 12\cell\row"
    b"\n"
    rb"\trowd\cellx2000\cellx4000 B\cell 3\cell\row"
    b"\n"
    rb"\pard \u32467?\u26463?\par}"
)


@needs_soffice
def test_rtf_named_doc():
    assert sniff(RTF, "report.doc") == "rtf"
    doc = extract(RTF, name="report.doc")
    assert doc.media == "rtf"
    assert doc.text.splitlines() == ["威海市2023年政府信息公开工作年度报告", "[table: 1]", "结束"]
    assert doc.tables[0].rows == [["A", "12"], ["B", "3"]]


def test_not_rtf():
    assert "no {\\rtf header" in refuse(b"plain text", "x.rtf", doc_reader.extract_rtf)
