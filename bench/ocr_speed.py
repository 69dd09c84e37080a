"""How fast the parser reads pictures of real reports (OCR), per page.

    .venv/bin/python bench/ocr_speed.py                        # every picture of tests/gold/real
    .venv/bin/python bench/ocr_speed.py --n 6                  # the first 6 pictures (in a fixed order)
    .venv/bin/python bench/ocr_speed.py --variants png scan --repeat 2 --ocr-alone

The pictures are those of ``tests/gold/real/render_pictures.py`` (made on
first use, cached in test-artifacts/pictures/): the real HTML reports as
Chromium draws them (``png``, ``jpeg60``, ``half``, ``rot1``) and the real PDFs'
pages as a scan (``scan``: one tall picture; ``scanpdf``: a PDF of picture
pages). Rendering is not timed. Each picture is read by
``parse.report.parse_document`` (bytes in, as ``parse.parse_path`` reads a
file), best of ``--repeat`` runs, after one untimed warm-up parse (imports,
the vocabulary, the OCR models' loading). With ``--ocr-alone`` the OCR step by
itself is timed too: ``parse.ocr.ocr_page`` on the decoded picture (pictures
only; the scanned PDF's page images are the parser's to find).

Pages: a scan has its PDF's pages; a page picture (``png`` and its variants)
counts as its height over an A4 page of its width (1200 x 1697 px, taken from
the ``png``, so that ``half`` and ``rot1`` count the same pages as the picture
they were made from). Seconds per page = best seconds / pages; megapixels are
the picture's own. The figures each parse got right and certain (the gold
share, as ``score_pictures.py`` counts it) are printed beside as a sanity
check: a fast OCR that reads nothing would show here.

Prints a table and writes bench/ocr_speed.json (every picture's runs, the
summary per variant, package versions, the machine). Not part of the test
suite: no timing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import logging
import math
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REAL = ROOT / "tests" / "gold" / "real"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(REAL))

import render_pictures as rp  # noqa: E402
import score_pictures as sp  # noqa: E402

A4 = math.sqrt(2)  # height / width of an A4 page


def _versions() -> dict:
    out = {}
    for pkg in ("rapidocr", "onnxruntime", "opencv-python-headless", "numpy", "pillow", "pypdfium2", "pdfplumber"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def pictures(variants: list[str] | None, n: int | None) -> list[tuple[str, str]]:
    """(document, variant) pairs in a fixed order: by variant, then document."""
    all_sources = rp.sources().values()
    pairs = [(src.name, v) for v in rp.VARIANTS if not variants or v in variants
             for src in all_sources if v in src.variants]
    return pairs[:n] if n else pairs


def pages_of(doc: str, variant: str) -> float:
    rec = rp.info(doc, variant) or {}
    if rec.get("pages"):
        return float(rec["pages"])
    base = rp.info(doc, "png") or rec
    width, height = base["size"]
    return round(height / (width * A4), 2)


def megapixels(doc: str, variant: str) -> float | None:
    rec = rp.info(doc, variant) or {}
    if "size" in rec:
        return round(rec["size"][0] * rec["size"][1] / 1e6, 2)
    if rec.get("page_sizes"):  # scanpdf: its pages, as rendered
        w, h = rec["page_sizes"][0]
        return round(w * h * rec["pages"] / 1e6, 2)
    return None


def _ocr_alone(path: Path):
    """A callable timing ``parse.ocr.ocr_page`` on the picture, or None (no OCR package, or a PDF)."""
    if path.suffix.lower() == ".pdf":
        return None
    try:
        import numpy as np
        from PIL import Image

        from parse.ocr import ocr_page
    except ImportError:
        return None
    with Image.open(path) as im:
        array = np.asarray(im.convert("RGB"))
    return lambda: ocr_page(array)


def run(pairs: list[tuple[str, str]], repeat: int, ocr_alone: bool) -> dict:
    results: dict = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": _versions(),
        "repeat": repeat,
        "pictures": [],
    }
    t0 = time.perf_counter()
    paths = {}
    for doc, variant in pairs:
        paths[doc, variant] = rp.render(doc, variant)
    rp.close_browser()
    results["render_seconds"] = round(time.perf_counter() - t0, 2)
    results["chromium"] = next((rec.get("chromium") for d, v in pairs if (rec := rp.info(d, "png"))), None)

    # Warm-up, untimed: the parser's imports and dictionaries, the OCR models.
    sp.parse_timed(min(paths.values(), key=lambda p: p.stat().st_size))

    for doc, variant in pairs:
        path = paths[doc, variant]
        runs, first = [], None
        for _ in range(repeat):
            gc.collect()
            parsed = sp.parse_timed(path)  # parse.parse_path, timed; UnreadableDocument and crashes caught
            first = first or parsed
            runs.append(parsed[1])
            if parsed[0] is None:
                break
        report, _, unreadable, crash = first
        row = {"document": doc, "variant": variant, "file": path.name, "bytes": path.stat().st_size,
               "size": (rp.info(doc, variant) or {}).get("size"), "megapixels": megapixels(doc, variant),
               "pages": pages_of(doc, variant), "runs_seconds": [round(r, 3) for r in runs],
               "seconds": round(min(runs), 3), "unreadable": unreadable, "crash": crash}
        row["seconds_per_page"] = round(row["seconds"] / row["pages"], 3) if row["pages"] else None
        if ocr_alone and report is not None:
            fn = _ocr_alone(path)
            if fn is not None:
                alone = []
                for _ in range(repeat):
                    gc.collect()
                    start = time.perf_counter()
                    fn()
                    alone.append(time.perf_counter() - start)
                row["ocr_page_seconds"] = round(min(alone), 3)
        # Sanity check, not timed: what the (first) parse got right and certain.
        s = sp.score_path(doc, variant, path, parsed=first)
        row["gold_figures"], row["certain_right"] = s.counts["gold"], s.counts["certain_right"]
        row["certain_wrong"] = s.certain_wrong_total
        results["pictures"].append(row)
        print(f"  {doc} {variant}: {row['seconds']:.2f} s, {s.counts['certain_right']}/{s.counts['gold']} certain right"
              + (f" ({unreadable or crash})" if unreadable or crash else ""), file=sys.stderr, flush=True)
    results["by_variant"] = by_variant(results["pictures"])
    return results


def by_variant(rows: list[dict]) -> dict:
    out = {}
    for variant in rp.VARIANTS:
        group = [r for r in rows if r["variant"] == variant]
        if not group:
            continue
        read = [r for r in group if not (r["unreadable"] or r["crash"])]
        seconds = sum(r["seconds"] for r in read)
        pages = sum(r["pages"] for r in read)
        mp = sum(r["megapixels"] or 0 for r in read)
        out[variant] = {
            "pictures": len(group), "read": len(read), "pages": round(pages, 2), "megapixels": round(mp, 2),
            "seconds": round(seconds, 2),
            "seconds_per_picture": round(seconds / len(read), 3) if read else None,
            "seconds_per_page": round(seconds / pages, 3) if pages else None,
            "median_seconds_per_page": round(statistics.median(r["seconds_per_page"] for r in read), 3) if read else None,
            "seconds_per_megapixel": round(seconds / mp, 3) if mp else None,
            "gold_figures": sum(r.get("gold_figures", 0) for r in read),
            "certain_right": sum(r.get("certain_right", 0) for r in read),
            "certain_wrong": sum(r.get("certain_wrong", 0) for r in read),
        }
    return out


def table(results: dict) -> str:
    head = ("variant", "pictures", "read", "pages", "MP", "best s", "s/picture", "s/page", "median s/page", "s/MP",
            "certain right")
    rows = [head]
    for variant, v in results["by_variant"].items():
        num = lambda x, f="{:.2f}": "-" if x is None else f.format(x)  # noqa: E731
        right = f"{v['certain_right']}/{v['gold_figures']}" if v["gold_figures"] else "-"
        rows.append((variant, str(v["pictures"]), str(v["read"]), num(v["pages"], "{:.1f}"), num(v["megapixels"], "{:.1f}"),
                     num(v["seconds"]), num(v["seconds_per_picture"]), num(v["seconds_per_page"]),
                     num(v["median_seconds_per_page"]), num(v["seconds_per_megapixel"]), right))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(r[i].ljust(widths[i]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r))))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    alone = [r for r in results["pictures"] if "ocr_page_seconds" in r]
    if alone:
        share = sum(r["ocr_page_seconds"] for r in alone) / sum(r["seconds"] for r in alone)
        lines.append("")
        lines.append(f"parse.ocr.ocr_page alone: {share:.0%} of the parse time of the same {len(alone)} pictures")
    bad = [r for r in results["pictures"] if r["unreadable"] or r["crash"]]
    if bad:
        lines.append("")
        lines.append(f"not read ({len(bad)}):")
        lines += [f"  {r['file']}: {r['unreadable'] or r['crash']}" for r in bad]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="OCR-speed benchmark on pictures of the real reports (see the docstring).")
    ap.add_argument("--n", type=int, default=None, help="only the first N pictures (default: all)")
    ap.add_argument("--variants", nargs="+", choices=rp.VARIANTS, help="default: all")
    ap.add_argument("--repeat", type=int, default=1, help="parses of each picture, best kept (default 1)")
    ap.add_argument("--ocr-alone", action="store_true", help="also time parse.ocr.ocr_page alone on each picture")
    ap.add_argument("--out", type=Path, default=HERE / "ocr_speed.json")
    args = ap.parse_args(argv)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    results = run(pictures(args.variants, args.n), max(1, args.repeat), args.ocr_alone)
    print(table(results))
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
