"""`xxgk check` on a real crawled archive: whole, then with one fault at a time."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.check import check_archive
from archive.lock import CrawlLock
from archive.warc import OPEN_SUFFIX
from conftest import query, run_xxgk


@dataclass
class Archive:
    db: Path
    archive: Path

    def body(self, digest: str) -> Path:
        return self.archive / "sha256" / digest[:2] / digest[2:4] / digest

    def warc_files(self) -> list[Path]:
        return sorted((self.archive / "warc").glob("*.warc.gz"))

    def sql(self, *statements: str) -> None:
        """Change the catalogue behind the crawler's back (foreign keys not enforced, as by hand)."""
        conn = sqlite3.connect(self.db)
        try:
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()


@pytest.fixture
def archive(crawled, tmp_path) -> Archive:
    """A copy of the session's crawl of the sample portal, to damage."""
    shutil.copytree(crawled.archive, tmp_path / "archive")
    for suffix in ("", "-wal", "-shm"):
        source = crawled.db.with_name(crawled.db.name + suffix)
        if source.exists():
            shutil.copy2(source, tmp_path / source.name)
    return Archive(db=tmp_path / crawled.db.name, archive=tmp_path / "archive")


def check(archive: Archive, *options: str):
    return run_xxgk("check", "--db", str(archive.db), "--archive", str(archive.archive), *options)


def fault_lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("fault ")]


def a_report(archive: Archive) -> dict:
    return query(archive.db, "SELECT id, url, sha256, fetch_id FROM reports ORDER BY id LIMIT 1")[0]


def test_a_crawled_archive_passes(archive):
    bodies = query(archive.db, "SELECT count(*) AS n FROM bodies")[0]["n"]
    reports = query(archive.db, "SELECT count(*) AS n FROM reports")[0]["n"]
    result = check(archive)
    assert result.returncode == 0, result.stdout + result.stderr
    assert fault_lines(result) == []
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith(f"checked {bodies} bodies (hashed), {len(archive.warc_files())} WARC files")
    assert f"{reports} reports" in summary and summary.endswith("no faults")
    quick = check(archive, "--quick")
    assert quick.returncode == 0 and "(sizes only)" in quick.stdout


def test_a_flipped_byte_in_a_body(archive):
    path = archive.body(a_report(archive)["sha256"])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = check(archive)
    assert result.returncode == 1
    (line,) = fault_lines(result)
    assert line.startswith(f"fault body-corrupt {path}: its bytes hash to ")
    assert result.stdout.splitlines()[-1].endswith("1 fault (body-corrupt 1)")
    # --quick compares sizes only: the same length passes, a different one does not
    assert check(archive, "--quick").returncode == 0
    path.write_bytes(bytes(data[:-1]))
    quick = check(archive, "--quick")
    assert quick.returncode == 1
    assert fault_lines(quick) == [f"fault body-size {path}: {len(data) - 1} bytes, the catalogue says {len(data)}"]


def test_a_deleted_body(archive):
    report = a_report(archive)
    path = archive.body(report["sha256"])
    path.unlink()
    result = check(archive)
    assert result.returncode == 1
    (line,) = fault_lines(result)
    assert line.startswith(f"fault body-missing {path}: named by ")
    assert f"reports row {report['id']}" in line and line.endswith("but not in the store")


@pytest.mark.parametrize("cut", [1, 100, 0.5])
def test_a_truncated_closed_warc_file(archive, cut):
    warc = archive.warc_files()[0]
    size = warc.stat().st_size
    keep = int(size * cut) if isinstance(cut, float) else size - cut
    with open(warc, "r+b") as handle:
        handle.truncate(keep)
    result = check(archive)
    assert result.returncode == 1
    lines = fault_lines(result)
    assert lines and lines[0].startswith(f"fault warc-cut {warc}: cut short at byte ")
    assert lines[0].endswith(f" of {keep}: its last record is incomplete")
    assert all("warc-" in line for line in lines)


def test_a_damaged_warc_file(archive):
    warc = archive.warc_files()[0]
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0xFF
    warc.write_bytes(bytes(data))
    result = check(archive)
    assert result.returncode == 1
    assert any(line.startswith(f"fault warc-damaged {warc}: damaged at byte ") for line in fault_lines(result))


def test_an_open_warc_file_is_a_fault_unless_a_crawl_holds_the_lock(archive):
    warc = archive.warc_files()[0]
    opened = warc.with_name(warc.name + OPEN_SUFFIX)
    warc.rename(opened)
    result = check(archive)
    assert result.returncode == 1
    assert fault_lines(result) == [
        f"fault warc-open {opened}: open (crawl running or killed): no crawl holds the archive's lock; "
        "the next crawl cuts it back to its last complete record and closes it"
    ]
    with CrawlLock(archive.archive, command="xxgk crawl --all"):
        running = check(archive)  # another process: it sees this one's lock
    assert running.returncode == 0, running.stdout
    assert f"note  {opened}: open (crawl running: pid {os.getpid()} on " in running.stdout


def test_a_deleted_fetch_row_a_report_points_to(archive):
    report = a_report(archive)
    archive.sql(f"DELETE FROM fetches WHERE id = {report['fetch_id']}")
    result = check(archive)
    assert result.returncode == 1
    lines = fault_lines(result)
    assert (
        f"fault report-fetch-missing reports row {report['id']} ({report['url']}): "
        f"fetch_id {report['fetch_id']} names no fetches row"
    ) in lines
    # report_versions remembers the same fetch: an orphan row too
    assert {line.split()[1] for line in lines} == {"report-fetch-missing", "orphan-row"}
    assert any(line.startswith("fault orphan-row report_versions row ") and
               f"fetch_id {report['fetch_id']} names no fetches row (id)" in line for line in lines)


def test_an_attachment_whose_report_is_gone(archive):
    report = a_report(archive)
    url = report["url"].rsplit("/", 1)[0] + "/附件.pdf"
    rid = report["id"]
    archive.sql(
        "INSERT INTO attachments (report_id, url, sha256, fetch_id) "
        f"VALUES ({rid}, '{url}', '{report['sha256']}', {report['fetch_id']})",
    )
    assert check(archive).returncode == 0  # a whole attachment
    archive.sql(*(f"DELETE FROM {table} WHERE report_id = {rid}" for table in ("metrics", "warnings", "report_versions",
                                                                            "report_locations")),
                f"DELETE FROM reports WHERE id = {rid}")
    result = check(archive)
    assert result.returncode == 1
    [row] = query(archive.db, "SELECT id FROM attachments WHERE url = ?", [url])
    assert fault_lines(result) == [
        f"fault attachment-report-missing attachments row {row['id']} ({url}): report_id {rid} names no reports row"
    ]


def test_orphan_rows_and_sqlite_integrity(archive):
    """Library level: an orphan metric, and an index that no longer matches its table."""
    archive.sql("INSERT INTO metrics (report_id, key, value) VALUES (9999, 'proactive.total', 1)")
    result = check_archive(archive.db, archive.archive)
    (fault,) = result.faults
    assert (fault.kind, fault.message) == ("orphan-row", "report_id 9999 names no reports row (id)")
    assert fault.where.startswith("metrics row ")
    conn = sqlite3.connect(archive.db)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX idx_reports_year ON reports (site)' "
                 "WHERE name = 'idx_reports_year'")
    conn.commit()
    conn.close()
    result = check_archive(archive.db, archive.archive)
    integrity = [f for f in result.faults if f.kind == "sqlite-integrity"]
    assert integrity and all(f.where == str(archive.db) for f in integrity)
    assert any("idx_reports_year" in f.message for f in integrity)


def test_a_bad_db_gives_one_clear_line(archive, tmp_path):
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("政府信息公开工作年度报告\n" * 100, encoding="utf-8")
    # a file that is no database is refused with the option (exit 2, as every command's --db is), naming it
    result = run_xxgk("check", "--db", str(not_a_db), "--archive", str(archive.archive))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith(f"Error: Invalid value for '--db': {not_a_db} is not an SQLite database "
                                          "(it begins '政府信息')")
    result = run_xxgk("check", "--db", str(tmp_path / "missing.db"), "--archive", str(archive.archive))
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: no archive database at {tmp_path / 'missing.db'}"
    empty = tmp_path / "empty.db"
    conn = sqlite3.connect(empty)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    result = run_xxgk("check", "--db", str(empty), "--archive", str(archive.archive))
    assert result.returncode == 1 and "is not an xxgk catalogue" in result.stderr
    assert not (tmp_path / "missing.db").exists()  # checking creates nothing


def test_a_warc_record_whose_bytes_changed_fails_its_digests(archive):
    """A record re-compressed with one payload byte changed: whole gzip, wrong WARC digests."""
    import gzip

    from warcio.archiveiterator import ArchiveIterator

    warc = archive.warc_files()[0]
    data = warc.read_bytes()
    with open(warc, "rb") as handle:
        iterator = ArchiveIterator(handle)
        for record in iterator:
            if record.rec_type == "response":
                record.content_stream().read()
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                break
    member = bytearray(gzip.decompress(data[offset : offset + length]))
    member[-5] ^= 0x01  # the payload's last byte, before the record's closing CRLF CRLF
    warc.write_bytes(data[:offset] + gzip.compress(bytes(member)) + data[offset + length :])
    result = check_archive(archive.db, archive.archive)
    assert {f.kind for f in result.faults} == {"warc-digest"}
    assert all(f.where == f"{warc} record 2" for f in result.faults)
    assert any("payload digest failed" in f.message for f in result.faults)
    assert check_archive(archive.db, archive.archive, quick=True).ok  # --quick does not re-hash
