"""Fuzzing the parser with mutated real documents (hypothesis).

Every document here is real: report pages, their text renderings and a page
of a report PDF from tests/gold/real, and the DOCX files of tests/gold. Each
example damages one the way downloads and portals do -- cut short, bytes
flipped, random bytes inserted, a stretch deleted -- or the way exports do --
lines and table rows shuffled, a table duplicated, the text re-encoded (GBK,
UTF-8, UTF-16) -- and checks what must hold for any input:

* :func:`parse.report.parse_document` returns a ParsedReport or raises
  UnreadableDocument naming the document -- and not its last resort,
  ParserFailure, which means a reader let a library exception through;
* it does not hang (an alarm after HANG_SECONDS, and hypothesis's deadline);
* every metric key is in the vocabulary and every metric has evidence.

Bounded for CI: few examples per property, derandomized (the same examples on
every run, no example database), about 20 seconds in all.
"""

from __future__ import annotations

import copy
import io
import logging
import random
import signal
import zipfile
import zlib
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from parse.errors import ParserFailure, UnreadableDocument
from parse.report import parse_document
from parse.vocabulary import known_keys

GOLD = Path(__file__).parent / "gold"
REAL = GOLD / "real"
HTML_FILES = ["x-shanghai-bgt-2019.html", "pingtan-syq-2024.html"]
TEXT_FILES = [
    "cw-pingtan-czj-2009.pagetxt.txt",  # legacy prose
    "pingtan-syq-2024.pagetxt.txt",  # 2021 template, flattened tables
    "huaian-hongze-qzf-2024.pdftotext.txt",
    "shuyang-fgj-2023.libreoffice.txt",
    "huaian-hongze-qzf-2024.rapidocr.md",  # markdown pipe tables
]
DOCX_FILES = sorted(p.name for p in GOLD.glob("*.docx"))
PDF_FILE = "huaian-hongze-qzf-2024.pdf"

# A parse of these documents takes 0.05-0.5 s; an example that runs this long
# is a hang, stopped by an alarm so that the test fails instead of waiting.
HANG_SECONDS = 30
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

FUZZ = settings(
    max_examples=30,
    deadline=timedelta(seconds=10),
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(BaseException):
    """Not an Exception: the parser's last resort must not catch it."""


@contextmanager
def alarm(seconds: int):
    def ring(signum, frame):
        raise Hang(f"parse_document did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def quiet_pdfminer():
    # Damaged PDFs make pdfminer log a warning per bad operator: thousands of lines.
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def check(data: bytes, name: str) -> None:
    """The properties every input must satisfy."""
    try:
        with alarm(HANG_SECONDS):
            report = parse_document(data, name=name)
    except ParserFailure as failure:
        raise AssertionError(f"a reader let an exception through: {failure}") from failure
    except UnreadableDocument as refused:
        assert name in str(refused) and refused.reason
        return
    keys = known_keys()
    for metric in report.metrics:
        assert metric.key in keys, metric
        assert metric.evidence and metric.evidence.strip(), metric


# ----------------------------------------------------------------------------------
# Mutations


def _at(data: bytes, where: float) -> int:
    return min(int(where * len(data)), max(len(data) - 1, 0))


@st.composite
def byte_mutations(draw):
    """Damage on the way: cut short, flipped, inserted, deleted bytes."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    where = draw(st.floats(0.02, 0.98))  # inside the file: damage at byte 0 only breaks the magic number
    if kind == "truncate":
        return lambda data: data[: _at(data, where)]
    if kind == "flip":
        length = draw(st.sampled_from([1, 8, 64, 512]))
        mask = draw(st.integers(1, 255))

        def flip(data: bytes) -> bytes:
            out = bytearray(data)
            start = _at(data, where)
            for i in range(start, min(start + length, len(out))):
                out[i] ^= mask
            return bytes(out)

        return flip
    if kind == "insert":
        noise = draw(st.binary(min_size=1, max_size=64))
        return lambda data: data[: _at(data, where)] + noise + data[_at(data, where):]
    length = draw(st.integers(1, 4096))
    return lambda data: data[: _at(data, where)] + data[_at(data, where) + length:]


def _shuffle_lines(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    start = rng.randrange(len(lines))
    window = lines[start:start + rng.randint(2, 30)]
    rng.shuffle(window)
    return "\n".join(lines[:start] + window + lines[start + len(window):])


def _table_runs(lines: list[str]) -> list[tuple[int, int]]:
    """Runs of table-looking lines (pipe rows, tab-separated cells)."""
    runs, start = [], None
    for i, line in enumerate(lines + [""]):
        tabular = line.startswith("|") or "\t" in line
        if tabular and start is None:
            start = i
        elif not tabular and start is not None:
            if i - start >= 2:
                runs.append((start, i))
            start = None
    return runs


def _duplicate_table(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    runs = _table_runs(lines)
    if runs:
        start, end = rng.choice(runs)
    else:
        start = rng.randrange(len(lines))
        end = min(len(lines), start + rng.randint(2, 20))
    return "\n".join(lines[:end] + lines[start:end] + lines[end:])


@st.composite
def text_mutations(draw):
    """Exports and copies: shuffled lines, a duplicated table, another encoding."""
    kind = draw(st.sampled_from(["shuffle", "duplicate", "reencode", "bytes"]))
    if kind == "bytes":
        return draw(byte_mutations())
    if kind == "reencode":
        encoding = draw(st.sampled_from(["gbk", "utf-8", "utf-16", "utf-8-sig"]))
        return lambda data: data.decode("utf-8").encode(encoding, errors="replace")
    rng = draw(st.randoms(use_true_random=False))
    change = _shuffle_lines if kind == "shuffle" else _duplicate_table
    return lambda data: change(data.decode("utf-8"), rng).encode("utf-8")


def _html_tables(root) -> list:
    return [t for t in root.iter("table") if t.find(".//tr") is not None]


def _shuffle_rows(html: str, rng: random.Random) -> str:
    root = lxml.html.document_fromstring(html)
    tables = _html_tables(root)
    if tables:
        table = rng.choice(tables)
        rows = [tr for tr in table.iter("tr") if tr.getparent() is not None]
        parents = [tr.getparent() for tr in rows]
        shuffled = rows[:]
        rng.shuffle(shuffled)
        for tr in rows:
            tr.getparent().remove(tr)
        for parent, tr in zip(parents, shuffled):
            parent.append(tr)
    return lxml.html.tostring(root, encoding="unicode")


def _duplicate_html_table(html: str, rng: random.Random) -> str:
    root = lxml.html.document_fromstring(html)
    tables = _html_tables(root)
    if tables:
        table = rng.choice(tables)
        table.addnext(copy.deepcopy(table))
    return lxml.html.tostring(root, encoding="unicode")


@st.composite
def html_mutations(draw):
    kind = draw(st.sampled_from(["rows", "table", "text", "bytes"]))
    if kind == "bytes":
        return draw(byte_mutations())
    if kind == "text":
        return draw(text_mutations())
    rng = draw(st.randoms(use_true_random=False))
    change = _shuffle_rows if kind == "rows" else _duplicate_html_table
    return lambda data: change(data.decode("utf-8"), rng).encode("utf-8")


def _rezip(data: bytes, member: str, change) -> bytes:
    """The package with ``member`` replaced by ``change(its bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def _docx_tables(data: bytes, rng: random.Random, duplicate: bool) -> bytes:
    def change(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        tables = list(root.iter(f"{W}tbl"))
        if not tables:
            return xml
        table = rng.choice(tables)
        if duplicate:
            table.addnext(copy.deepcopy(table))
        else:
            rows = table.findall(f"{W}tr")
            for tr in rows:
                table.remove(tr)
            rng.shuffle(rows)
            table.extend(rows)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    return _rezip(data, "word/document.xml", change)


@st.composite
def docx_mutations(draw):
    kind = draw(st.sampled_from(["rows", "table", "bytes", "bytes"]))
    if kind == "bytes":
        return draw(byte_mutations())
    rng = draw(st.randoms(use_true_random=False))
    return lambda data: _docx_tables(data, rng, duplicate=kind == "table")


# ----------------------------------------------------------------------------------
# Sources, read once


_SOURCES: dict[str, bytes] = {}


def source(path: Path) -> bytes:
    if path.name not in _SOURCES:
        _SOURCES[path.name] = path.read_bytes()
    return _SOURCES[path.name]


def pdf_page() -> bytes:
    """The first page of a real report PDF (title, agency, the first figures):
    the whole report takes 3 s to parse, one page 0.4 s."""
    if "pdf-page" not in _SOURCES:
        import pypdfium2 as pdfium  # pdfplumber's own dependency

        whole = pdfium.PdfDocument(str(REAL / PDF_FILE))
        page = pdfium.PdfDocument.new()
        page.import_pages(whole, [0])
        buf = io.BytesIO()
        page.save(buf)
        _SOURCES["pdf-page"] = buf.getvalue()
    return _SOURCES["pdf-page"]


# ----------------------------------------------------------------------------------
# Properties


def test_the_unmutated_sources_parse():
    """The sources themselves are reports (else the fuzzing would test little)."""
    for path in [REAL / n for n in HTML_FILES + TEXT_FILES] + [GOLD / n for n in DOCX_FILES]:
        assert parse_document(source(path), name=path.name).metrics, path.name
    assert parse_document(pdf_page(), name=PDF_FILE).title


def mutated(data: bytes, mutations, unreadable=(UnicodeDecodeError,)) -> bytes:
    """``data`` after each mutation in turn; a structural one (re-encoding, shuffled
    rows, re-zipped XML) that can no longer read what a byte-level one left keeps
    the damaged bytes."""
    for mutate in mutations:
        try:
            data = mutate(data)
        except unreadable:
            break
    return data


@FUZZ
@given(name=st.sampled_from(TEXT_FILES), mutations=st.lists(text_mutations(), min_size=1, max_size=2))
def test_mutated_text_renderings(name, mutations):
    check(mutated(source(REAL / name), mutations), name)


@FUZZ
@given(name=st.sampled_from(HTML_FILES), mutations=st.lists(html_mutations(), min_size=1, max_size=2))
def test_mutated_html_pages(name, mutations):
    check(mutated(source(REAL / name), mutations), name)


@FUZZ
@given(name=st.sampled_from(DOCX_FILES), mutations=st.lists(docx_mutations(), min_size=1, max_size=2))
def test_mutated_docx_files(name, mutations):
    broken = (zipfile.BadZipFile, zlib.error, etree.XMLSyntaxError, EOFError, ValueError, OSError)
    check(mutated(source(GOLD / name), mutations, broken), name)


@settings(FUZZ, max_examples=15, deadline=timedelta(seconds=20))
@given(mutations=st.lists(byte_mutations(), min_size=1, max_size=3))
def test_mutated_pdf_page(mutations):
    check(mutated(pdf_page(), mutations, ()), PDF_FILE)


@settings(FUZZ, max_examples=10)
@given(magic=st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b""]),
       body=st.binary(min_size=0, max_size=4096),
       name=st.sampled_from(["a.pdf", "a.docx", "a.xlsx", "a.doc", "a.xls", "a.html", "a.txt", "a"]))
def test_random_bytes_behind_a_magic_number(magic, body, name):
    check(magic + body + (b"\n%%EOF\n" if magic.startswith(b"%PDF") else b""), name)
