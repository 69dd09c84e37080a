"""Parse time against trafilatura alone on the real portal pages of tests/gold/real.

The generated corpus of ``parse_speed.py`` has the size and shape of real pages;
this measures the real ones themselves (Word-pasted tables, 100 KB pages), in one
run so that both sides share the machine's state. Best of ``--repeat`` runs, the
parser's memo caches emptied before each run.

    .venv/bin/python bench/real_pages.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import trafilatura  # noqa: E402
from parse_speed import TRAFILATURA_OPTIONS  # noqa: E402  (the same options as the corpus benchmark)

from parse.memo import clear_caches  # noqa: E402
from parse.report import parse_document  # noqa: E402


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        clear_caches()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    files = sorted((ROOT / "tests" / "gold" / "real").glob("*.html"))
    pages = [(f.name, f.read_bytes()) for f in files]
    parse = best_of(lambda: [parse_document(data, name=name) for name, data in pages], args.repeat)
    extract = best_of(lambda: [trafilatura.extract(data.decode("utf-8", "replace"), **TRAFILATURA_OPTIONS)
                               for _, data in pages], args.repeat)
    size = sum(len(d) for _, d in pages) / 1e6
    print(f"{len(pages)} real pages ({size:.1f} MB): parse_document {parse:.3f} s, "
          f"trafilatura.extract alone {extract:.3f} s, ratio {parse / extract:.2f}")


if __name__ == "__main__":
    main()
