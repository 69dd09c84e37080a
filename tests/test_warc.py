"""WARC files written by a real crawl read back with warcio."""

from __future__ import annotations

import hashlib
import io
import random
import sqlite3

from warcio.archiveiterator import ArchiveIterator

from archive.warc import OPEN_SUFFIX, WarcArchive, complete_members_end, read_responses, recover, scan_members


def test_crawl_writes_every_exchange_to_warc(crawled):
    warc_dir = crawled.archive / "warc"
    files = sorted(warc_dir.glob("*.warc.gz"))
    assert files and not list(warc_dir.glob(f"*{OPEN_SUFFIX}"))
    conn = sqlite3.connect(crawled.db)
    fetched = {row[0] for row in conn.execute("SELECT sha256 FROM fetches WHERE sha256 IS NOT NULL")}
    responses = 0
    requests = 0
    in_warc = set()
    for path in files:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                headers = record.rec_headers
                assert headers.get_header("WARC-Date")
                if record.rec_type == "response":
                    responses += 1
                    assert headers.get_header("WARC-Target-URI").startswith("http://127.0.0.1")
                    assert headers.get_header("WARC-Payload-Digest").startswith("sha1:")
                    payload = record.content_stream().read()
                    digest = hashlib.sha256(payload).hexdigest()
                    assert headers.get_header("WARC-X-Xxgk-Sha256") == digest
                    in_warc.add(digest)
                elif record.rec_type == "request":
                    requests += 1
                    assert headers.get_header("WARC-Concurrent-To")
    fetch_count = conn.execute("SELECT count(*) FROM fetches WHERE status IS NOT NULL").fetchone()[0]
    assert responses == requests == fetch_count
    assert in_warc == fetched  # every archived body is in the WARC files


def test_warc_files_rotate_and_recover_after_a_kill(tmp_path):
    archive = WarcArchive(tmp_path, max_bytes=2000)
    bodies = [f"第{i}份报告".encode() * 300 for i in range(6)] + [b"small"]
    for i, body in enumerate(bodies):
        archive.write_exchange(
            url=f"http://127.0.0.1/r{i}.htm", method="GET", request_headers=[("User-Agent", "xxgk")],
            request_body=b"", status=200, reason="OK", response_headers=[("Content-Type", "text/html")],
            body=body, sha256=hashlib.sha256(body).hexdigest(),
        )
    assert len(list(tmp_path.glob("*.warc.gz"))) >= 2  # rotated by size
    (open_file,) = tmp_path.glob(f"*{OPEN_SUFFIX}")
    data = open_file.read_bytes()
    open_file.write_bytes(data[: len(data) - 7])  # killed in the middle of a record
    WarcArchive(tmp_path)  # a new writer closes what the killed one left
    assert not list(tmp_path.glob(f"*{OPEN_SUFFIX}"))
    urls = [url for url, _, _ in read_responses(tmp_path)]
    assert urls == [f"http://127.0.0.1/r{i}.htm" for i in range(7)]  # the cut was in a request record


def _records(path):
    """``(type, uri, payload)`` of every record, and the byte offset each ends at."""
    records, ends = [], []
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        for record in iterator:
            payload = record.content_stream().read()
            records.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), payload))
            ends.append(iterator.get_record_offset() + iterator.get_record_length())
    return records, ends


def test_recovery_keeps_exactly_the_records_before_the_cut(tmp_path):
    archive = WarcArchive(tmp_path / "whole")
    for i in range(5):
        body = bytes(random.Random(i).randbytes(40_000)) + f"第{i}份报告".encode() * 2000
        archive.write_exchange(
            url=f"http://127.0.0.1/r{i}.htm", method="GET", request_headers=[("User-Agent", "xxgk")],
            request_body=b"", status=200, reason="OK", response_headers=[("Content-Type", "text/html")],
            body=body, sha256=hashlib.sha256(body).hexdigest(),
        )
    archive.close()
    (whole,) = archive.files()
    data = whole.read_bytes()
    records, ends = _records(whole)
    assert len(records) == 11 and ends[-1] == len(data)  # warcinfo, then a response and a request each
    starts = [0, *ends[:-1]]
    cuts = {1, 9, 10, ends[0], ends[0] + 1, len(data) - 1}  # in the first record, at a boundary, in the last
    for start, end in zip(starts, ends):
        cuts |= {start + 11, (start + end) // 2, end - 8, end - 1}  # in a header, the middle, the gzip trailer
    for cut in sorted(cuts):
        folder = tmp_path / f"cut-{cut}"
        folder.mkdir()
        cut_file = folder / (whole.name + OPEN_SUFFIX)
        cut_file.write_bytes(data[:cut])
        closed = recover(cut_file)
        kept = sum(1 for end in ends if end <= cut)
        assert not cut_file.exists()
        if kept == 0:
            assert not closed.exists()  # nothing whole: nothing to keep
            continue
        assert closed.stat().st_size == ends[kept - 1]
        assert _records(closed)[0] == records[:kept], f"cut at byte {cut}"


def test_member_scan_is_the_same_whatever_the_chunk_size(tmp_path):
    """The streamed scan sees member boundaries across chunk and slice edges alike."""
    archive = WarcArchive(tmp_path)
    for i in range(3):
        body = random.Random(i).randbytes(50_000)
        archive.write_exchange(
            url=f"http://127.0.0.1/f{i}.pdf", method="GET", request_headers=[], request_body=b"",
            status=200, reason="OK", response_headers=[], body=body, sha256=hashlib.sha256(body).hexdigest(),
        )
    archive.close()
    data = archive.files()[0].read_bytes()
    _, ends = _records(archive.files()[0])
    for cut in (len(data), len(data) - 3, ends[3] + 100, ends[0]):
        expected = max(end for end in ends if end <= cut)
        assert complete_members_end(data[:cut]) == expected
        for chunk_size in (1, 7, 4096, 1 << 20):
            assert scan_members(io.BytesIO(data[:cut]), chunk_size=chunk_size) == (expected, None)
    damaged = bytearray(data)
    damaged[ends[2] + 200] ^= 0xFF  # inside the fourth record's compressed data
    end, damage = scan_members(io.BytesIO(bytes(damaged)), chunk_size=4096)
    assert end == ends[2] and damage
    assert complete_members_end(bytes(damaged)) == ends[2]
