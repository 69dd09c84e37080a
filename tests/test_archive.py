"""The archive: content-addressed bodies and the catalogue's report rows."""

from pathlib import Path
import hashlib

import pytest

from archive import encoding
from archive.atomic import atomic_write
from archive.blobs import BlobStore
from archive.catalogue import open_db, record_fetch, upsert_report


def test_blob_store_is_content_addressed(tmp_path):
    store = BlobStore(tmp_path)
    digest, new = store.put("报告".encode())
    assert new and digest == hashlib.sha256("报告".encode()).hexdigest()
    assert store.put("报告".encode()) == (digest, False)
    assert store.get(digest) == "报告".encode()
    assert list(store.digests()) == [digest]


def test_blob_store_detects_corruption(tmp_path):
    store = BlobStore(tmp_path)
    digest, _ = store.put(b"original")
    store.path(digest).write_bytes(b"tampered")
    with pytest.raises(IOError, match="corrupt"):
        store.get(digest)
    with pytest.raises(FileNotFoundError, match="0" * 64):
        store.get("0" * 64)


def test_an_interrupted_atomic_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "registry.yaml"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as handle:
            handle.write(b"half of the new")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.yaml"]
    with atomic_write(target) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.yaml"]


def test_report_versions(tmp_path):
    db = open_db(tmp_path / "x.db")
    store = BlobStore(tmp_path / "a")
    old, _ = store.put(b"v1")
    fid = record_fetch(db, url="http://x/r.htm", status=200, sha256=old, size=2)
    assert upsert_report(db, url="http://x/r.htm", sha256=old, fetch_id=fid)[1] == "new"
    assert upsert_report(db, url="http://x/r.htm", sha256=old, fetch_id=fid)[1] == "unchanged"
    db["reports"].update(1, {"parse_status": "ok"})
    new, _ = store.put(b"v2")
    fid2 = record_fetch(db, url="http://x/r.htm", status=200, sha256=new, size=2)
    assert upsert_report(db, url="http://x/r.htm", sha256=new, fetch_id=fid2)[1] == "changed"
    row = db["reports"].get(1)
    assert row["sha256"] == new and row["parse_status"] == "pending"
    assert store.get(old) == b"v1"  # the old version stays archived
    assert db["reports"].count == 1 and db["bodies"].count == 2


def test_encoding_gbk_declared_in_meta():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>镕堃 泽库镇</body></html>'
    body = page.encode("gb18030")
    assert encoding.declared_encoding("text/html", body) == "gb2312"
    assert encoding.decode(body, "gb2312").endswith("镕堃 泽库镇</body></html>")


def test_encoding_wrong_declaration_falls_back_to_detection():
    body = ("<p>" + "政府信息公开工作年度报告，主动公开政府信息。" * 20 + "</p>").encode("gbk")
    assert encoding.choose_encoding(body, "utf-8") in ("gb18030",)
    assert "政府信息公开" in encoding.decode(body, "utf-8")


def test_a_list_that_showed_reports_and_now_shows_none_is_flagged(tmp_path):
    from archive.catalogue import emptied_lists, open_db, record_list_page

    db = open_db(tmp_path / "x.db")
    first = db["crawl_runs"].insert({"site": "a", "status": "finished"}).last_pk
    other = db["crawl_runs"].insert({"site": "b", "status": "finished"}).last_pk
    second = db["crawl_runs"].insert({"site": "a", "status": "finished"}).last_pk
    record_list_page(db, first, "http://a/nb/", 12)
    record_list_page(db, first, "http://a/nb/index_1.htm", 3)
    record_list_page(db, other, "http://b/nb/", 5)
    record_list_page(db, second, "http://a/nb/", 0)  # emptied
    record_list_page(db, second, "http://a/nb/index_1.htm", 3)
    record_list_page(db, second, "http://a/new/", 0)  # never had any: not flagged
    assert emptied_lists(db, second) == [("http://a/nb/", 12)]
    assert emptied_lists(db, first) == []


def test_a_real_gbk_page_labelled_utf8_is_detected_as_gbk():
    # a real report page (平潭 2019) re-encoded as GBK, its header and meta still saying UTF-8:
    # charset-normalizer finds nothing in its first 64 KiB; the whole body decodes as GB18030
    from archive.encoding import choose_encoding, detect_encoding

    page = (Path(__file__).parent / "gold" / "real" / "pingtan-syq-2019.html").read_bytes()
    gbk = page.decode("utf-8").encode("gbk", "xmlcharrefreplace")
    assert detect_encoding(gbk) == "gb18030"
    assert choose_encoding(gbk, "utf-8") == "gb18030"
    assert "政府信息公开工作年度报告" in gbk.decode(choose_encoding(gbk, "utf-8"))
