"""Time the recovery of interrupted WARC files: linear now, quadratic before.

A crawl killed mid-record leaves a ``.warc.gz.open`` file that the next crawl
cuts back to its last complete record (``archive.warc.recover``). The first
version inflated from every record's start to the end of the file, re-slicing
the rest of the file each time (kept below as ``old_recover``): quadratic, 0.5 s
for 5 MB, 9 s for 20 MB, 181 s for 40 MB when the issue was filed. This writes
``.open`` files with the project's own writer, real-sized records (HTML-like
pages of 20-300 KB, PDF-like files of 100 KB-3 MB, random-ish so that they
compress as such files do; each with its small request record), cuts each in
the middle of a record, and times recovery (best of ``--repeat`` runs, each on
a fresh copy). The old algorithm runs once, on the small sizes only. The files
are timed from the page cache (just written), so this measures the scan, not
the disk. Not a test: no timing is asserted.

    .venv/bin/python bench/warc_recovery.py
    .venv/bin/python bench/warc_recovery.py --sizes 64 256 --old-sizes 8 --keep /tmp/warcs
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.warc import OPEN_SUFFIX, WarcArchive, recover  # noqa: E402

MIB = 1024 * 1024
_WORDS = [w.encode() for w in "政府 信息 公开 工作 年度 报告 主动 申请 复议 诉讼 人民 区 镇 办理 答复 件 条 万元".split()]


# -- the baseline: archive/warc.py before this change, copied verbatim ----------


def old_complete_members_end(data: bytes) -> int:
    """Offset just past the last complete gzip member of ``data`` (one WARC record each)."""
    offset = 0
    while offset < len(data):
        inflater = zlib.decompressobj(wbits=31)
        try:
            inflater.decompress(data[offset:])
        except zlib.error:
            break
        if not inflater.eof:
            break
        offset = len(data) - len(inflater.unused_data)
    return offset


def old_recover(path: Path) -> Path:
    """Close an interrupted ``.warc.gz.open`` file, keeping only its complete records."""
    end = old_complete_members_end(path.read_bytes())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    if end == 0:
        path.unlink()
        return final
    with open(path, "r+b") as handle:
        handle.truncate(end)
        os.fsync(handle.fileno())
    os.replace(path, final)
    return final


# -- the files -------------------------------------------------------------------


def text_pool(rng: random.Random, size: int = 4 * MIB) -> bytes:
    """Table-cell markup of Chinese words and numbers drawn at random, to cut pages from.

    Drawn once per run: drawing every page word by word would make writing
    the files take minutes. A page is a run of slices from far apart in the pool, so
    deflate (a 32 KB window) sees no repetition the pool does not have.
    """
    cells, total = [], 0
    while total < size:
        cell = b"<td>" + b"".join(rng.choices(_WORDS, k=rng.randint(3, 12))) + str(rng.randint(0, 9999)).encode() + b"</td>"
        cells.append(cell)
        total += len(cell)
    return b"".join(cells)


def page_body(rng: random.Random, pool: bytes) -> bytes:
    """An HTML-like report page of 20-300 KB (compresses ~4-5x, as real pages do)."""
    size = rng.randint(20_000, 300_000)
    parts, total = [b"<html><head><meta charset=utf-8></head><body><table>"], 0
    while total < size:
        start = rng.randrange(len(pool) - 16_384)
        part = pool[start : start + rng.randint(2_048, 16_384)]
        parts.append(part)
        total += len(part)
    return b"".join(parts) + b"</table></body></html>"


def file_body(rng: random.Random, pool: bytes) -> bytes:
    """A PDF-like attachment of 100 KB-3 MB: mostly compressed streams (random bytes), some text."""
    size = rng.randint(100_000, 3_000_000)
    return b"%PDF-1.7\n" + rng.randbytes(size * 9 // 10) + page_body(rng, pool)[: size // 10]


def write_open_warc(folder: Path, size: int, seed: int, pool: bytes) -> Path:
    """A ``.warc.gz.open`` file of about ``size`` bytes, cut in the middle of its last record."""
    rng = random.Random(seed)
    archive = WarcArchive(folder, max_bytes=size * 4)
    path = None
    record_starts = []
    while True:
        body = file_body(rng, pool) if rng.random() < 0.1 else page_body(rng, pool)
        if path is not None:
            record_starts.append(path.stat().st_size)
        archive.write_exchange(
            url=f"http://xxgk.example.gov.cn/art/{rng.randint(1, 10**9)}.html", method="GET",
            request_headers=[("User-Agent", "xxgk-archive bench")], request_body=b"", status=200, reason="OK",
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=body, sha256=hashlib.sha256(body).hexdigest(),
        )
        if path is None:
            (path,) = folder.glob(f"*{OPEN_SUFFIX}")
        if path.stat().st_size >= size:
            break
    last_start = record_starts[-1]
    cut = last_start + (path.stat().st_size - last_start) // 2  # killed in the middle of the last exchange
    os.truncate(path, cut)
    del archive  # the writer is dropped without closing: its file stays .open, as after a kill
    return path


def time_recovery(function, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    closed = function(path)
    return time.perf_counter() - started, closed.stat().st_size


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32, 64, 256], help="MiB, new algorithm")
    parser.add_argument("--old-sizes", type=int, nargs="+", default=[8, 16, 32], help="MiB, old algorithm too")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of the new algorithm per size (best shown).")
    parser.add_argument("--keep", type=Path, help="Write the files here and keep them (default: a temp folder).")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="warc-recovery-"))
    root.mkdir(parents=True, exist_ok=True)
    pool = text_pool(random.Random(0))
    print(f"{'algorithm':<10} {'file MiB':>9} {'kept MiB':>9} {'seconds':>9} {'MiB/s':>9}")
    try:
        for size_mib in sorted(set(args.sizes) | set(args.old_sizes)):
            folder = root / f"{size_mib}MiB"
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            path = write_open_warc(folder, size_mib * MIB, seed=size_mib, pool=pool)
            file_size = path.stat().st_size
            runs = [("new", recover)] + ([("old", old_recover)] if size_mib in args.old_sizes else [])
            kept_sizes = set()
            for name, function in runs:
                times = []
                for attempt in range(args.repeat if name == "new" else 1):
                    copy = folder / f"{name}-{attempt}" / path.name
                    copy.parent.mkdir()
                    shutil.copyfile(path, copy)
                    os.sync()  # nothing else's dirty pages in the timed fsync
                    seconds, kept = time_recovery(function, copy)
                    times.append(seconds)
                    kept_sizes.add(kept)
                    shutil.rmtree(copy.parent)
                seconds = min(times)
                print(f"{name:<10} {file_size / MIB:>9.1f} {kept / MIB:>9.1f} {seconds:>9.2f} "
                      f"{file_size / MIB / seconds:>9.1f}", flush=True)
            if len(kept_sizes) != 1:
                raise SystemExit(f"the two algorithms disagree on {path}: {sorted(kept_sizes)}")
            if not args.keep:
                shutil.rmtree(folder)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
