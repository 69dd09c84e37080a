"""Integrity of an archive: the store, the WARC files and the catalogue agree.

An archive is three things written by one crawl: bodies in the
content-addressed store (:mod:`archive.blobs`), every exchange in WARC files
(:mod:`archive.warc`), and the SQLite catalogue (:mod:`archive.catalogue`)
whose rows point at both. Disks fail, files get copied half-way, people edit
the catalogue by hand; :func:`check_archive` reads all of it back and lists
every disagreement as a :class:`Fault` (kind, where, message), so that
``xxgk check`` can say what is wrong and where, and exit non-zero.

What is a fault and what is not follows from how the crawl writes: bodies are
stored before the rows that name them, so a body on disk that no row names is
what a killed crawl leaves (a note, not a fault), while a row naming a body
that is not on disk is a fault. A ``.warc.gz.open`` file is a crawl's file in
progress if a crawl holds the archive's lock (:mod:`archive.lock`), and a
killed crawl's leftover otherwise.

Nothing here writes: the catalogue is opened read-only, and the store's
folders are not created if missing.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.atomic import TMP_PREFIX
from archive.blobs import sha256_file
from archive.lock import Holder, current_holder
from archive.warc import OPEN_SUFFIX, scan_members

_HEX = frozenset("0123456789abcdef")
_REQUIRED_TABLES = ("bodies", "fetches", "reports", "attachments")
# Foreign keys the report and attachment checks report in their own words;
# PRAGMA foreign_key_check reports every other one as an orphan row.
_EXPLAINED_KEYS = {
    ("reports", "fetch_id"), ("reports", "sha256"), ("reports", "parsed_sha256"),
    ("attachments", "report_id"), ("attachments", "sha256"),
}
_READ_BLOCK = 1024 * 1024


class CheckError(Exception):
    """The database or archive given cannot be checked at all (missing, not a catalogue)."""


@dataclass(frozen=True)
class Fault:
    kind: str  # e.g. body-corrupt, warc-cut, report-fetch-missing, orphan-row
    where: str  # a file, or a table row
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.where}: {self.message}"


@dataclass
class CheckResult:
    """Every fault found, notes that are not faults, and how much was checked."""

    faults: list[Fault] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    quick: bool = False

    @property
    def ok(self) -> bool:
        return not self.faults

    def fault(self, kind: str, where: str | os.PathLike[str], message: str) -> None:
        self.faults.append(Fault(kind, str(where), message))

    def kinds(self) -> set[str]:
        return {f.kind for f in self.faults}

    def summary(self) -> str:
        c = self.counts
        checked = (
            f"checked {c['bodies']} bodies ({'sizes only' if self.quick else 'hashed'}), "
            f"{c['warc_files']} WARC files ({c['warc_records']} records), "
            f"{c['reports']} reports, {c['attachments']} attachments"
        )
        if self.ok:
            return f"{checked}: no faults"
        by_kind = Counter(f.kind for f in self.faults)
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items()))
        return f"{checked}: {len(self.faults)} fault{'s' if len(self.faults) != 1 else ''} ({kinds})"


# -- the catalogue -------------------------------------------------------------


def open_catalogue(db_path: str | os.PathLike[str]) -> sqlite3.Connection:
    """The catalogue at ``db_path``, read-only; CheckError if it is not one."""
    path = Path(db_path)
    if not path.exists():
        raise CheckError(f"no archive database at {path}")
    if not path.is_file():
        raise CheckError(f"{path} is not a file, so not an archive database")
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise CheckError(f"{path} is not an SQLite database ({error})") from None
    missing = [name for name in _REQUIRED_TABLES if name not in tables]
    if missing:
        conn.close()
        raise CheckError(f"{path} is not an xxgk catalogue (no {', '.join(missing)} table)")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def check_sqlite_integrity(conn: sqlite3.Connection, db_path: Path, result: CheckResult) -> None:
    """SQLite's own check of its pages, indexes and constraints."""
    for (line,) in conn.execute("PRAGMA integrity_check"):
        if line != "ok":
            result.fault("sqlite-integrity", db_path, line)


def _is_digest(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def _report_where(row_id, url) -> str:
    return f"reports row {row_id} ({url})" if url else f"reports row {row_id}"


def check_reports(conn: sqlite3.Connection, result: CheckResult) -> None:
    """Every report row has its fetch and its body (the page, and the one it was parsed from)."""
    rows = conn.execute(
        """SELECT r.id, r.url, r.fetch_id, f.id, r.sha256, b.sha256, r.parsed_sha256, p.sha256
           FROM reports r
           LEFT JOIN fetches f ON f.id = r.fetch_id
           LEFT JOIN bodies b ON b.sha256 = r.sha256
           LEFT JOIN bodies p ON p.sha256 = r.parsed_sha256"""
    )
    for report_id, url, fetch_id, fetch, sha256, body, parsed_sha256, parsed in rows:
        result.counts["reports"] += 1
        where = _report_where(report_id, url)
        if fetch_id is None:
            result.fault("report-fetch-missing", where, "names no fetch (fetch_id is empty)")
        elif fetch is None:
            result.fault("report-fetch-missing", where, f"fetch_id {fetch_id} names no fetches row")
        if sha256 is None:
            result.fault("report-body-missing", where, "names no body (sha256 is empty)")
        elif body is None:
            result.fault("report-body-missing", where, f"body {sha256} has no bodies row")
        if parsed_sha256 is not None and parsed is None:
            result.fault("report-body-missing", where, f"parsed body {parsed_sha256} has no bodies row")


def check_attachments(conn: sqlite3.Connection, result: CheckResult) -> None:
    """Every attachment belongs to an existing report and names an existing body."""
    rows = conn.execute(
        """SELECT a.id, a.url, a.report_id, r.id, a.sha256, b.sha256
           FROM attachments a
           LEFT JOIN reports r ON r.id = a.report_id
           LEFT JOIN bodies b ON b.sha256 = a.sha256"""
    )
    for attachment_id, url, report_id, report, sha256, body in rows:
        result.counts["attachments"] += 1
        where = f"attachments row {attachment_id} ({url})" if url else f"attachments row {attachment_id}"
        if report_id is None:
            result.fault("attachment-report-missing", where, "belongs to no report (report_id is empty)")
        elif report is None:
            result.fault("attachment-report-missing", where, f"report_id {report_id} names no reports row")
        if sha256 is None:
            result.fault("attachment-body-missing", where, "names no body (sha256 is empty)")
        elif body is None:
            result.fault("attachment-body-missing", where, f"body {sha256} has no bodies row")


def check_foreign_keys(conn: sqlite3.Connection, result: CheckResult) -> None:
    """Orphan rows: every foreign key the schema declares, by ``PRAGMA foreign_key_check``
    (those of reports and attachments are reported by their own checks)."""
    columns: dict[tuple[str, int], tuple[str, str]] = {}
    for table, rowid, parent, fkid in conn.execute("PRAGMA foreign_key_check").fetchall():
        if (table, fkid) not in columns:
            for row in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
                columns[(table, row[0])] = (row[3], row[4] or "rowid")
        column, target = columns.get((table, fkid), ("?", "?"))
        if (table, column) in _EXPLAINED_KEYS:
            continue
        value = conn.execute(f'SELECT "{column}" FROM "{table}" WHERE rowid = ?', [rowid]).fetchone()
        shown = value[0] if value else None
        result.fault("orphan-row", f"{table} row {rowid}", f"{column} {shown!r} names no {parent} row ({target})")


def catalogued_bodies(conn: sqlite3.Connection) -> dict[str, int | None]:
    """sha256 → size of every body the ``bodies`` table lists."""
    return {sha256: size for sha256, size in conn.execute("SELECT sha256, size FROM bodies")}


def named_digests(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Every body digest a catalogue row names → the rows naming it (``fetches row 7``)."""
    sources = [("bodies", "sha256"), ("fetches", "sha256"), ("reports", "sha256"), ("reports", "parsed_sha256"),
               ("attachments", "sha256")]
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "report_versions" in tables:
        sources.append(("report_versions", "sha256"))
    named: dict[str, list[str]] = defaultdict(list)
    for table, column in sources:
        for rowid, digest in conn.execute(f'SELECT rowid, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'):
            named[digest].append(f"{table} row {rowid}" if table != "bodies" else "bodies")
    return named


# -- the content-addressed store -----------------------------------------------


def body_path(store: Path, digest: str) -> Path:
    """Where :class:`archive.blobs.BlobStore` keeps a body (without creating the store)."""
    return store / "sha256" / digest[:2] / digest[2:4] / digest


def check_store(store: Path, catalogued: dict[str, int | None], quick: bool, result: CheckResult) -> set[str]:
    """Every file in the store is a body whose bytes match its name (and its catalogued size).

    Returns the digests found on disk. ``quick`` compares sizes only.
    """
    found: set[str] = set()
    leftovers = 0
    for folder, _, names in os.walk(store / "sha256"):
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(TMP_PREFIX):
                leftovers += 1
                continue
            if not _is_digest(name) or path != body_path(store, name):
                result.fault("stray-file", path, "not a body: the store holds only files named by their SHA-256")
                continue
            found.add(name)
            result.counts["bodies"] += 1
            try:
                size = path.stat().st_size
                actual = None if quick else sha256_file(path)
            except OSError as error:
                result.fault("body-unreadable", path, str(error))
                continue
            if actual is not None and actual != name:
                result.fault("body-corrupt", path, f"its bytes hash to {actual}, not to its name")
            expected = catalogued.get(name)
            if expected is not None and size != expected:
                result.fault("body-size", path, f"{size} bytes, the catalogue says {expected}")
    if leftovers:
        result.notes.append(
            f"{leftovers} temporary file(s) (.tmp-*) in {store / 'sha256'}: bodies being written, "
            "or left by a killed crawl (harmless)"
        )
    return found


def check_named_bodies(store: Path, named: dict[str, list[str]], on_disk: set[str], result: CheckResult) -> None:
    """Every body a catalogue row names is in the store."""
    for digest, rows in sorted(named.items()):
        if digest in on_disk:
            continue
        shown = ", ".join(rows[:3]) + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")
        if not _is_digest(digest):
            result.fault("bad-digest", shown, f"{digest!r} is not a SHA-256 hex digest")
        else:
            result.fault("body-missing", body_path(store, digest), f"named by {shown}, but not in the store")
    unnamed = len(on_disk - named.keys())
    if unnamed:
        result.notes.append(
            f"{unnamed} bodies in the store are named by no catalogue row "
            "(a crawl stopped between storing and recording them; harmless)"
        )


# -- the WARC files ------------------------------------------------------------


class _Prefix:
    """The first ``limit`` bytes of a binary file: for warcio to read up to a damaged tail."""

    def __init__(self, handle, limit: int):
        self.handle, self.left = handle, limit

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.handle.read(size) if size else b""
        self.left -= len(data)
        return data


def _read_records(path: Path, stream, quick: bool, result: CheckResult) -> None:
    """Read every record with warcio to its end: lengths, and (unless quick) digests."""
    records = 0
    try:
        iterator = ArchiveIterator(stream, check_digests=not quick)
        for record in iterator:
            raw = record.raw_stream
            while raw.read(_READ_BLOCK):
                pass
            records += 1
            uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_type
            where = f"{path} record {records}"
            short = getattr(raw, "limit", 0)
            if short:
                result.fault("warc-record", where, f"{record.rec_type} record of {uri} is {short} bytes short")
            checker = getattr(record, "digest_checker", None)
            for problem in (checker.problems if checker is not None and not quick else []):
                result.fault("warc-digest", where, f"{record.rec_type} record of {uri}: {problem}")
    except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as error:
        message = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        result.fault("warc-unreadable", path, f"warcio stops after {records} records: {message!r}")
    result.counts["warc_records"] += records


def check_warc_file(path: Path, quick: bool, result: CheckResult) -> None:
    """A closed WARC file is whole gzip members end to end, and warcio reads every record."""
    result.counts["warc_files"] += 1
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            end, damage = scan_members(handle)
            if end < size:
                if damage is None:
                    result.fault("warc-cut", path, f"cut short at byte {end} of {size}: its last record is incomplete")
                else:
                    result.fault("warc-damaged", path, f"damaged at byte {end} of {size} ({damage}); "
                                                       "records from there on are unreadable")
            handle.seek(0)
            _read_records(path, _Prefix(handle, end), quick, result)
    except OSError as error:
        result.fault("warc-unreadable", path, str(error))


def check_warc_folder(folder: Path, holder: Holder | None, quick: bool, result: CheckResult) -> None:
    """Every closed WARC file reads end to end; an open one is a fault unless a crawl holds the lock."""
    if not folder.is_dir():
        result.notes.append(f"no WARC folder at {folder}")
        return
    for path in sorted(folder.glob("*.warc.gz")):
        check_warc_file(path, quick, result)
    for path in sorted(folder.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        if holder is not None:
            result.notes.append(f"{path}: open (crawl running: {holder.describe()})")
        else:
            result.fault("warc-open", path, "open (crawl running or killed): no crawl holds the archive's lock; "
                                            "the next crawl cuts it back to its last complete record and closes it")


# -- all of it -----------------------------------------------------------------


def check_archive(
    db_path: str | os.PathLike[str],
    archive: str | os.PathLike[str],
    *,
    warc_dir: str | os.PathLike[str] | None = None,
    quick: bool = False,
) -> CheckResult:
    """Check the catalogue at ``db_path`` against the archive folder; CheckError if either is unusable."""
    db_path, store = Path(db_path), Path(archive)
    warc_folder = Path(warc_dir) if warc_dir is not None else store / "warc"
    conn = open_catalogue(db_path)
    if not (store / "sha256").is_dir():
        conn.close()
        raise CheckError(f"{store} is not an archive folder (no sha256/ inside)")
    result = CheckResult(quick=quick)
    try:
        check_sqlite_integrity(conn, db_path, result)
        catalogued = catalogued_bodies(conn)
        named = named_digests(conn)
        check_reports(conn, result)
        check_attachments(conn, result)
        check_foreign_keys(conn, result)
    except sqlite3.DatabaseError as error:  # damaged past what integrity_check could list
        result.fault("catalogue-unreadable", db_path, str(error))
        catalogued = named = None
    finally:
        conn.close()
    on_disk = check_store(store, catalogued or {}, quick, result)
    if named is not None:
        check_named_bodies(store, named, on_disk, result)
    check_warc_folder(warc_folder, current_holder(store), quick, result)
    return result
