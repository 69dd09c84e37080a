"""WARC files written by a real crawl read back with warcio."""

from __future__ import annotations

import hashlib
import sqlite3

from warcio.archiveiterator import ArchiveIterator

from archive.warc import OPEN_SUFFIX, WarcArchive, read_responses


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
