"""Parsing in a worker process (parse/isolation.py) and parse_reports over a
catalogue with bad reports (parse/from_archive.py).

The worker is a real process: the limits are reached for real (a sleep past
the time limit, an allocation past the memory cap, a worker that aborts), and
parse_reports runs over a real catalogue and blob store with real documents.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from archive.blobs import BlobStore
from archive.catalogue import open_db, record_body, upsert_report
from parse.errors import ParseStopped, UnreadableDocument
from parse.from_archive import parse_reports
from parse.isolation import GiB, IsolatedParser, Limits
from parse.report import parse_document

GOLD = Path(__file__).parent / "gold"
REAL = GOLD / "real"
GOOD_HTML = REAL / "x-shanghai-bgt-2019.html"
GOOD_TEXT = REAL / "cw-pingtan-czj-2009.pagetxt.txt"
DOCX = GOLD / "t2021_jiaohe_2023_docx.docx"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (reaped by its parent soon).
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def flipped_docx() -> bytes:
    """The real DOCX with word/document.xml's deflate data damaged in the middle."""
    data = bytearray(DOCX.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    # The member's data follows its local header (30 bytes + name + extra).
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 64):
        data[i] ^= 0xFF
    return bytes(data)


@pytest.fixture(scope="module")
def parser():
    """One worker for the module (a start costs the parser's imports, ~3 s);
    the tests that kill it let the next test pay for a new one."""
    with IsolatedParser(Limits(memory=2 * GiB, time=60)) as isolated:
        yield isolated


@pytest.fixture
def time_limit(parser):
    """Lower the shared parser's time limit for one test."""

    def lower(seconds: float) -> None:
        parser.limits = Limits(memory=parser.limits.memory, time=seconds)

    saved = parser.limits
    yield lower
    parser.limits = saved


def test_worker_is_reused_and_parses_like_in_process(parser):
    data = GOOD_HTML.read_bytes()
    first = parser.parse(data, name=GOOD_HTML.name)
    pid = parser.pid
    second = parser.parse(data, name=GOOD_HTML.name)
    assert parser.pid == pid  # one worker for many documents
    assert first.to_dict() == second.to_dict() == parse_document(data, name=GOOD_HTML.name).to_dict()


def test_unreadable_document_crosses_the_process_boundary(parser):
    with pytest.raises(UnreadableDocument) as info:
        parser.parse(flipped_docx(), name="flipped.docx")
    assert type(info.value) is UnreadableDocument
    assert info.value.name == "flipped.docx"
    assert "damaged member word/document.xml" in info.value.reason


def test_memory_limit_stops_the_document_not_the_caller(parser):
    # 3 GiB would be granted without the cap (the machine has more): under the
    # 2 GiB cap the worker's allocation fails, the worker says so and exits.
    parser.parse(GOOD_TEXT.read_bytes(), name=GOOD_TEXT.name)
    pid = parser.pid
    with pytest.raises(ParseStopped, match=r"big\.docx: parse stopped: over the 2 GiB memory limit"):
        parser.call("big.docx", bytearray, 3 * GiB)
    assert not alive(pid)


def test_a_worker_that_dies_is_reported_and_replaced(parser):
    with pytest.raises(ParseStopped, match=r"crash\.xls: parse stopped: the parser process was killed by signal 6"):
        parser.call("crash.xls", os.abort)
    assert parser.parse(GOOD_TEXT.read_bytes(), name=GOOD_TEXT.name).metrics


# ----------------------------------------------------------------------------------
# parse_reports over a catalogue


class Catalogue:
    def __init__(self, folder: Path):
        self.db = open_db(folder / "xxgk.db")
        self.blobs = BlobStore(folder / "archive")

    def report(self, url: str, data: bytes, content_type: str | None = None) -> int:
        sha256, _ = self.blobs.put(data)
        record_body(self.db, sha256, len(data))
        report_id, _change = upsert_report(self.db, url=url, sha256=sha256, fetch_id=None, content_type=content_type)
        return report_id

    def row(self, report_id: int) -> dict:
        return next(self.db.query("SELECT * FROM reports WHERE id = ?", [report_id]))


def test_parse_reports_parses_the_good_report_and_stores_the_bad_ones_error(tmp_path, parser):
    catalogue = Catalogue(tmp_path)
    bad = catalogue.report("http://x.gov.cn/2023/report.docx", flipped_docx())
    good = catalogue.report("http://x.gov.cn/2019/report.html", GOOD_HTML.read_bytes(), "text/html")

    summary = parse_reports(catalogue.db, catalogue.blobs, parser=parser)

    assert (summary.parsed, summary.failed) == (1, 1)
    assert catalogue.row(good)["parse_status"] == "ok"
    assert catalogue.db.execute("SELECT count(*) FROM metrics WHERE report_id = ?", [good]).fetchone()[0] > 50
    row = catalogue.row(bad)
    assert row["parse_status"] == "error"
    assert "http://x.gov.cn/2023/report.docx" in row["parse_error"]
    assert "damaged member word/document.xml" in row["parse_error"]
    assert summary.errors == [row["parse_error"]]


def test_a_failed_report_is_not_retried_until_asked_or_changed(tmp_path, parser):
    catalogue = Catalogue(tmp_path)
    url = "http://x.gov.cn/2023/report.docx"
    bad = catalogue.report(url, flipped_docx())
    assert parse_reports(catalogue.db, catalogue.blobs, parser=parser).failed == 1

    again = parse_reports(catalogue.db, catalogue.blobs, parser=parser)  # the next crawl's parse
    assert (again.parsed, again.failed) == (0, 0)
    assert catalogue.row(bad)["parse_status"] == "error"

    retried = parse_reports(catalogue.db, catalogue.blobs, retry_failed=True, parser=parser)
    assert (retried.parsed, retried.failed) == (0, 1)

    # New bytes at the URL (the portal fixed the file): pending again, parsed.
    catalogue.report(url, DOCX.read_bytes())
    assert catalogue.row(bad)["parse_status"] == "pending"
    fixed = parse_reports(catalogue.db, catalogue.blobs, parser=parser)
    assert (fixed.parsed, fixed.failed) == (1, 0)
    assert catalogue.row(bad)["parse_status"] == "ok"


def test_a_report_over_the_time_limit_is_that_reports_error_only(tmp_path, parser, time_limit):
    catalogue = Catalogue(tmp_path)
    slow = catalogue.report("http://x.gov.cn/2024/report.pdf", (REAL / "huaian-szf-2024.pdf").read_bytes())
    good = catalogue.report("http://x.gov.cn/2009/report.txt", GOOD_TEXT.read_bytes(), "text/plain")
    parser.parse(GOOD_TEXT.read_bytes(), name=GOOD_TEXT.name)
    pid = parser.pid

    # A real 12-page PDF takes over a second to parse; a text report a few ms.
    time_limit(0.3)
    started = time.monotonic()
    summary = parse_reports(catalogue.db, catalogue.blobs, parser=parser)

    assert (summary.parsed, summary.failed) == (1, 1)
    assert "report.pdf: parse stopped: over the 0.3 s time limit" in catalogue.row(slow)["parse_error"]
    assert catalogue.row(good)["parse_status"] == "ok"
    assert not alive(pid) and parser.pid != pid  # killed, and replaced for the next report
    assert time.monotonic() - started < 30


def test_parse_reports_starts_and_ends_its_own_worker(tmp_path):
    catalogue = Catalogue(tmp_path)
    good = catalogue.report("http://x.gov.cn/2009/report.txt", GOOD_TEXT.read_bytes(), "text/plain")
    children = _children()
    assert parse_reports(catalogue.db, catalogue.blobs).parsed == 1
    assert catalogue.row(good)["parse_status"] == "ok"
    assert _children() == children  # nothing left running


def _children() -> set[int]:
    me = os.getpid()
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().split(")")[-1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                found.add(int(entry))
    return found


def test_ocr_asks_the_worker_for_more_time_before_each_picture(tmp_path, parser, time_limit):
    """A picture costs seconds per tile, more than a text report's whole limit: the
    worker asks for them before it reads (parse.isolation.allow_more)."""
    import io

    import pypdfium2 as pdfium

    out = io.BytesIO()
    page = pdfium.PdfDocument(str(REAL / "huaian-szf-2024.pdf"))[3].render(scale=1.5).to_pil()
    page.crop((0, 0, page.width, page.height // 2)).save(out, format="PNG")  # 表二's end, 表三's start
    parser.parse(GOOD_TEXT.read_bytes(), name=GOOD_TEXT.name)  # the worker is up, its imports done
    time_limit(1.0)
    report = parser.parse(out.getvalue(), name="p4-top.png")  # OCR takes seconds, over the 1 s limit
    assert report.metrics and {m.source for m in report.metrics} == {"ocr"}
