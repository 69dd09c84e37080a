"""How fast the parser reads reports (see bench/README.md).

    .venv/bin/python bench/parse_speed.py [--n 1000] [--n-pdf N] [--repeat R] [--pdf-repeat R]
                                          [--seed S] [--keep DIR]

Builds a corpus of generated reports (bench/corpus.py: HTML and PDF forms of
the gold set's report kinds, agencies, years and figures varied), then measures
in one run:

* reports/second of ``parse.report.parse_document`` on the HTML corpus (bytes in);
* reports/second of ``trafilatura.extract`` alone on the same HTML bytes,
  decoded the way the parser decodes them (``parse.formats.common.decode_body``,
  inside the timing on both sides), with the options the parser's HTML reader
  uses (parse/formats/html.py: no tables, images kept, no comments, no
  deduplication, favour recall) -- the floor any HTML parse built on
  trafilatura pays;
* the ratio parse time / extraction-only time;
* reports/second of ``parse_document`` on the PDF corpus (skipped, with a
  message, when the PDF reader is not registered in parse.formats.READERS).

Each HTML measurement is repeated (``--repeat``, parse and extraction runs
interleaved, so that a slow patch of the machine hits both); the table shows
the fastest run and the median. The parser's memo caches (parse.memo) are
emptied before every parse run, so each run reads the corpus as new documents.
Prints a small table and writes bench/results.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402

# The options parse/formats/html.py passes to trafilatura.extract (first call).
TRAFILATURA_OPTIONS = dict(include_tables=False, include_images=True, include_comments=False,
                           deduplicate=False, favor_recall=True)
WARMUP = 5


def _timed(fn, items) -> tuple[float, list]:
    gc.collect()
    out = []
    start = time.perf_counter()
    for item in items:
        out.append(fn(item))
    return time.perf_counter() - start, out


def _summary(runs: list[float], n: int) -> dict:
    """Timing of ``n`` reports over several runs: the fastest run (``seconds``,
    ``reports_per_second``), the median and every run."""
    best, median = min(runs), statistics.median(runs)
    return {"reports": n, "seconds": round(best, 3), "reports_per_second": round(n / best, 2),
            "median_seconds": round(median, 3), "median_reports_per_second": round(n / median, 2),
            "runs_seconds": [round(r, 3) for r in runs]}


def _figure_check(items, reports) -> dict:
    """Share of the corpus's gold figures the parse got right (a sanity check
    that the corpus is made of real reports; not timed)."""
    right = total = 0
    for item, report in zip(items, reports):
        if report is None:
            total += sum(len(v) for v in item.gold["figures"].values())
            continue
        got = {m.key: m for m in report.metrics}
        for tag in ("table", "prose"):
            for key, v in item.gold["figures"][tag].items():
                value, approx = (v["value"], v.get("approximate", False)) if isinstance(v, dict) else (v, False)
                total += 1
                m = got.get(key)
                right += m is not None and float(m.value) == float(value) and bool(m.approximate) == approx
    return {"gold_figures": total, "right": right, "recall": right / total if total else None}


def _versions() -> dict:
    out = {}
    for pkg in ("trafilatura", "lxml", "pdfplumber", "pdfminer.six", "reportlab", "python-docx"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def run(n_html: int, n_pdf: int, seed: int, keep: Path | None, repeat: int = 3, pdf_repeat: int = 1) -> dict:
    import trafilatura

    from parse.errors import UnreadableDocument
    from parse.formats import READERS
    from parse.formats.common import decode_body
    from parse.memo import clear_caches
    from parse.report import parse_document

    def parse(item):
        try:
            return parse_document(item.data, name=item.filename)
        except UnreadableDocument:
            return None

    def extract_only(item):
        # The same bytes as parse(); decoded as the parser decodes them.
        text = decode_body(item.data, name=item.filename, content_type=None, declared=None, expected="HTML")[0]
        return trafilatura.extract(text, **TRAFILATURA_OPTIONS)

    def parse_runs(items, n_runs: int) -> tuple[list[float], list]:
        runs, reports = [], []
        for _ in range(n_runs):
            reports = []  # the previous run's reports would slow the garbage collector down
            clear_caches()
            seconds, reports = _timed(parse, items)
            runs.append(seconds)
        return runs, reports

    results: dict = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "seed": seed,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": _versions(),
        "trafilatura_options": TRAFILATURA_OPTIONS,
        "repeat": {"html": repeat, "pdf": pdf_repeat},
    }

    t0 = time.perf_counter()
    html_items = list(corpus.generate(n_html, "html", seed))
    results["html_corpus"] = {"reports": len(html_items), "build_seconds": round(time.perf_counter() - t0, 2),
                              "megabytes": round(sum(len(i.data) for i in html_items) / 1e6, 2),
                              "eras": _count(i.kind for i in html_items)}

    for item in html_items[:WARMUP]:  # imports, vocabulary, cpca, lxml
        parse(item)
        extract_only(item)

    parse_s: list[float] = []
    extract_s: list[float] = []
    reports: list = []
    for _ in range(repeat):  # interleaved
        reports = []
        runs, reports = parse_runs(html_items, 1)
        parse_s += runs
        extract_s.append(_timed(extract_only, html_items)[0])
    results["html_parse"] = {**_summary(parse_s, len(html_items)),
                             "unreadable": sum(r is None for r in reports),
                             "figures": _figure_check(html_items, reports)}
    results["html_trafilatura_only"] = _summary(extract_s, len(html_items))
    results["ratio_parse_to_extraction"] = round(min(parse_s) / min(extract_s), 3)
    results["ratio_parse_to_extraction_median"] = round(statistics.median(parse_s) / statistics.median(extract_s), 3)

    if "pdf" not in READERS:
        results["pdf_parse"] = {"skipped": "no PDF reader registered in parse.formats.READERS"}
        pdf_items = []
    else:
        t0 = time.perf_counter()
        pdf_items = list(corpus.generate(n_pdf, "pdf", seed))
        results["pdf_corpus"] = {"reports": len(pdf_items), "build_seconds": round(time.perf_counter() - t0, 2),
                                 "megabytes": round(sum(len(i.data) for i in pdf_items) / 1e6, 2),
                                 "eras": _count(i.kind for i in pdf_items)}
        for item in pdf_items[:WARMUP]:
            parse(item)
        pdf_s, pdf_reports = parse_runs(pdf_items, pdf_repeat)
        results["pdf_parse"] = {**_summary(pdf_s, len(pdf_items)),
                                "unreadable": sum(r is None for r in pdf_reports),
                                "figures": _figure_check(pdf_items, pdf_reports)}
    if keep is not None:
        corpus.write(keep / "html", html_items)
        if pdf_items:
            corpus.write(keep / "pdf", pdf_items)
    return results


def _count(values) -> dict:
    out: dict = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def table(results: dict) -> str:
    rows = [("measurement", "reports", "runs", "best s", "reports/s", "median s", "reports/s")]
    for label, key in (("parse_document, HTML", "html_parse"), ("trafilatura.extract only, same HTML", "html_trafilatura_only"),
                       ("parse_document, PDF", "pdf_parse")):
        r = results.get(key, {})
        if "skipped" in r:
            rows.append((label, "-", "-", "-", f"skipped: {r['skipped']}", "-", "-"))
        elif r:
            rows.append((label, str(r["reports"]), str(len(r["runs_seconds"])), f"{r['seconds']:.2f}",
                         f"{r['reports_per_second']:.1f}", f"{r['median_seconds']:.2f}",
                         f"{r['median_reports_per_second']:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(r[i].ljust(widths[i]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r))))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"ratio parse time / extraction-only time (HTML): {results['ratio_parse_to_extraction']:.2f} "
                 f"(best runs), {results['ratio_parse_to_extraction_median']:.2f} (medians)")
    for key in ("html_parse", "pdf_parse"):
        fig = results.get(key, {}).get("figures")
        if fig:
            lines.append(f"{key}: {fig['right']}/{fig['gold_figures']} gold figures right "
                         f"({fig['recall']:.3f}), {results[key]['unreadable']} unreadable (sanity check, not timed)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Parse-speed benchmark (see bench/README.md).")
    ap.add_argument("--n", type=int, default=1000, help="reports in the HTML corpus (default 1000)")
    ap.add_argument("--n-pdf", type=int, default=None, help="reports in the PDF corpus (default: --n)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each HTML measurement (default 3)")
    ap.add_argument("--pdf-repeat", type=int, default=1, help="runs of the PDF measurement (default 1)")
    ap.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    ap.add_argument("--keep", type=Path, default=None, help="also write the corpus (with gold) to this folder")
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    args = ap.parse_args(argv)
    results = run(args.n, args.n if args.n_pdf is None else args.n_pdf, args.seed, args.keep,
                  repeat=max(1, args.repeat), pdf_repeat=max(1, args.pdf_repeat))
    print(table(results))
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
