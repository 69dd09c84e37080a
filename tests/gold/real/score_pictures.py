"""Score the parser on pictures of the real reports (``render_pictures.py``).

Every picture is parsed with ``parse.parse_path`` and its figures compared
with the hand-read gold of the document it was made of -- the same figures
that document is scored on (its ``omitted:`` figures left out), compared the
way ``xxgk eval`` compares them: ``parse.evaluation.evaluate_document`` does
the comparison (same number and same approximate flag; sums the vocabulary
defines checked against the gold's parts). On top of it each figure is split
by the parser's ``Metric.certain``:

* **certain right** -- stored as certain and equal to the gold;
* **certain wrong** -- stored as certain and different (value or approximate flag);
* **uncertain** -- emitted but not certain (right or wrong: ``uncertain_wrong`` in the JSON);
* **missing** -- not emitted.

Derived sums the parser emits are counted apart (``derived``; a certain wrong
one is a certain wrong figure too). ``extras`` are figures the gold does not
list; ``extras new`` those of them, stored as certain, that the parse of the
source document does not give with the same value -- figures the picture
invented. The issue's bar, per picture: certain right >= 0.9 of the gold
figures and no certain figure (gold or derived) wrong.

A picture the parser cannot read (``UnreadableDocument``: before an OCR reader
exists every picture is) is reported as such, all its figures missing; any
other exception is reported too (``crash``), and the run goes on.

    .venv/bin/python tests/gold/real/score_pictures.py                      # all pictures
    .venv/bin/python tests/gold/real/score_pictures.py --only pingtan-syq-2023 --variants png jpeg60
    .venv/bin/python tests/gold/real/score_pictures.py --json > scores.json
    .venv/bin/python tests/gold/real/score_pictures.py --no-source          # without the source rows

The rows ``source:html`` and ``source:pdf`` are the source documents
themselves, parsed and scored the same way: what a picture's score is to be
held against. Seconds are ``parse_path``'s, per picture, after one untimed
warm-up parse of a source document and of the run's smallest picture (the
parser's imports, an OCR model's loading; ``--no-warm-up`` to time them too).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import logging
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import render_pictures as rp  # noqa: E402  (puts the project on sys.path)

from parse import evaluation  # noqa: E402
from parse.errors import UnreadableDocument  # noqa: E402
from parse.evaluation import GoldDocument, evaluate_document, load_report_gold  # noqa: E402
from parse.report import parse_path  # noqa: E402
from xxgk import display  # noqa: E402

BAR = 0.9  # the bar: certain-and-right figures / gold figures
COUNTS = ("gold", "certain_right", "certain_wrong", "uncertain", "uncertain_wrong", "missing",
          "derived", "derived_certain_wrong", "extras", "extras_new")


@dataclass
class PictureScore:
    document: str  # the document the picture is of (render_pictures' name)
    variant: str  # a render_pictures variant, or 'source:html' / 'source:pdf'
    path: str
    seconds: float = 0.0  # parse_path time
    size: list[int] | None = None  # picture width x height
    pages: int | None = None  # pages of a scan
    unreadable: str | None = None
    crash: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in COUNTS})
    wrong: list[dict[str, Any]] = field(default_factory=list)  # certain wrong figures (gold and derived)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extras_new: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the parse's warning codes
    # every gold figure read by OCR with a box: [recogniser's confidence, right?, its sums hold?]
    confidences: list[list[Any]] = field(default_factory=list)

    @property
    def certain_right_share(self) -> float | None:
        g = self.counts["gold"]
        return self.counts["certain_right"] / g if g else None

    @property
    def certain_wrong_total(self) -> int:
        return self.counts["certain_wrong"] + self.counts["derived_certain_wrong"]

    @property
    def passes(self) -> bool:
        """The issue's bar: >= 90 % of the gold figures certain and right, no certain figure wrong."""
        share = self.certain_right_share
        return share is not None and share >= BAR and self.certain_wrong_total == 0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["certain_right_share"] = self.certain_right_share
        d["passes"] = self.passes
        return d


# ---------------------------------------------------------------------------
# Gold


@functools.lru_cache(maxsize=None)
def _report_gold(gold_path: Path) -> tuple[GoldDocument, ...]:
    return tuple(load_report_gold(gold_path))


def gold_of(doc_name: str) -> GoldDocument:
    """The gold of a document (its figures less its rendering's ``omitted:``)."""
    src = rp.source(doc_name)
    gold_path = src.path.parent / (src.report + evaluation.GOLD_SUFFIX)
    for gold in _report_gold(gold_path):
        if gold.path.resolve() == src.path.resolve():
            return gold
    raise KeyError(f"{doc_name}: not in {gold_path.name}")


def gold_on_pages(gold: GoldDocument, pages: tuple[int, int]) -> GoldDocument:
    """The gold of some pages of a PDF only: the figures whose ``quote`` (the row or
    sentence the reader took it from) is in those pages' text, found the way
    ``parse.evaluation.quote_problems`` finds quotes (characters in order,
    whitespace and ``|`` ignored). Figures without a quote are left out."""
    import pypdfium2 as pdfium
    import yaml

    data = yaml.safe_load(gold.gold_path.read_text(encoding="utf-8"))
    _, quotes = evaluation._figures(data.get("figures") or {}, gold.gold_path)
    document = pdfium.PdfDocument(str(gold.path))
    try:
        text = "".join(document[i].get_textpage().get_text_range() for i in range(pages[0] - 1, pages[1]))
    finally:
        document.close()
    text = evaluation._quote_form(text)
    keep = {k: f for k, f in gold.figures.items()
            if quotes.get(k) and evaluation._in_order(evaluation._quote_form(quotes[k]), text)}
    return dataclasses.replace(gold, figures=keep)


# ---------------------------------------------------------------------------
# Parsing and comparing


@contextmanager
def _evaluation_reads(outcome):
    """``evaluate_document`` with its parse replaced by one already done
    (a report, or the exception the parse raised): the comparison is
    parse/evaluation.py's own, the parse is ours (timed once, not repeated)."""

    def parsed(data, name=None, **_):
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    with mock.patch.object(evaluation, "parse_document", parsed):
        yield


def parse_timed(path: Path):
    """(report or None, seconds, unreadable reason, crash) of ``parse_path``."""
    start = time.perf_counter()
    try:
        report = parse_path(path)
        return report, time.perf_counter() - start, None, None
    except UnreadableDocument as exc:
        return None, time.perf_counter() - start, str(exc), None
    except Exception as exc:  # noqa: BLE001 -- a crash is reported, the run goes on
        return None, time.perf_counter() - start, None, f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"


@functools.lru_cache(maxsize=None)
def _source_figures(doc_name: str) -> dict[str, tuple[float, bool]]:
    """Figures the parse of the source document gives: key -> (value, approximate)."""
    report, *_ = parse_timed(rp.source(doc_name).path)
    if report is None:
        return {}
    out: dict[str, tuple[float, bool]] = {}
    for m in report.metrics:
        out.setdefault(m.key, (m.value, bool(m.approximate)))
    return out


def score_path(doc_name: str, variant: str, path: Path, *, cache: Path | None = None, parsed=None) -> PictureScore:
    """Parse ``path`` (a picture of ``doc_name``, or the document itself) and score it on the document's gold;
    ``parsed``: what :func:`parse_timed` gave for it already (not parsed again)."""
    gold = gold_of(doc_name)
    page_range = None if variant.startswith("source") else rp.split_variant(variant)[1]
    if page_range:  # a scan of some pages: the figures those pages print
        gold = gold_on_pages(gold, page_range)
    gold = dataclasses.replace(gold, path=Path(path), name=Path(path).name)
    score = PictureScore(doc_name, variant, str(path))
    rec = None if variant.startswith("source") else rp.info(doc_name, variant, cache)
    if rec:
        score.size, score.pages = rec.get("size"), rec.get("pages")
    report, score.seconds, score.unreadable, score.crash = parsed or parse_timed(Path(path))
    outcome = report if report is not None else UnreadableDocument(str(path), score.unreadable or score.crash or "")
    with _evaluation_reads(outcome):
        result = evaluate_document(gold)
    got = {}
    sums_fail = set()  # keys the parse doubts because their row's or total's sums fail
    if report is not None:
        for w in report.warnings:
            if w.code == "ocr_doubtful":
                sums_fail |= {f["key"] for f in w.detail["figures"] if "sums fail" in f["why"]}
        for m in report.metrics:
            got.setdefault(m.key, m)  # as evaluate_document does: the first of a key
        score.warnings = sorted({w.code for w in report.warnings})
    c = score.counts
    for f in result.figures:
        c["gold"] += 1
        if f.status == "missing":
            c["missing"] += 1
            score.missing.append(f.key)
            continue
        row = {"key": f.key, "tag": f.tag, "expected": f.expected, "expected_approximate": f.expected_approximate,
               "got": f.got, "got_approximate": f.got_approximate, "source": f.source, "evidence": f.evidence}
        confidence = (got[f.key].origin or {}).get("confidence")
        if confidence is not None:
            score.confidences.append([confidence, f.status == "right", f.key not in sums_fail])
        if got[f.key].certain:
            if f.status == "right":
                c["certain_right"] += 1
            else:
                c["certain_wrong"] += 1
                score.wrong.append(row)
        else:
            c["uncertain"] += 1
            c["uncertain_wrong"] += f.status != "right"
            score.uncertain.append(dict(row, right=f.status == "right"))
    for x in result.derived:
        c["derived"] += 1
        if not x.right and got[x.key].certain:
            c["derived_certain_wrong"] += 1
            score.wrong.append({"key": x.key, "tag": "derived", "expected": x.expected,
                                "expected_approximate": x.expected_approximate, "got": x.got,
                                "got_approximate": x.got_approximate, "source": x.source, "evidence": x.evidence,
                                "how": x.how})
    source_figures = _source_figures(doc_name) if not variant.startswith("source") else {}
    for x in result.extras:
        c["extras"] += 1
        if variant.startswith("source") or not got[x.key].certain:
            continue
        known = source_figures.get(x.key)
        if known is None or not evaluation._same_number(known[0], x.got) or known[1] != x.approximate:
            c["extras_new"] += 1
            score.extras_new.append({"key": x.key, "got": x.got, "approximate": x.approximate,
                                     "in_source": known[0] if known else None, "evidence": x.evidence})
    return score


def score(doc_name: str, variant: str, *, cache: Path | None = None) -> PictureScore:
    """Render (or take from the cache) picture ``variant`` of ``doc_name``, parse it and score it."""
    if variant.startswith("source"):
        return score_path(doc_name, variant, rp.source(doc_name).path)
    return score_path(doc_name, variant, rp.render(doc_name, variant, cache=cache), cache=cache)


def _warm_up(chosen, variants, cache) -> None:
    """Parse a source document and the smallest picture of the run once, untimed, so that no
    picture's seconds include the parser's imports and dictionaries or an OCR model's loading."""
    parse_timed(chosen[0].path)
    pictures = [(src.name, v) for src in chosen
                for v in ([v for v in variants if rp.split_variant(v)[0] in src.variants] if variants else src.variants)]
    if not pictures:
        return
    sized = [(rp.picture_path(n, v, cache).stat().st_size, n, v) for n, v in pictures
             if rp.picture_path(n, v, cache).is_file()]
    _, name, variant = min(sized) if sized else (0, *pictures[0])
    parse_timed(rp.render(name, variant, cache=cache))


def score_all(names: list[str] | None = None, variants: list[str] | None = None, *, source: bool = True,
              cache: Path | None = None, progress=None, warm_up: bool = True) -> list[PictureScore]:
    chosen = [rp.source(n) for n in names] if names else list(rp.sources().values())
    if warm_up and chosen:
        _warm_up(chosen, variants, cache)
    out = []
    for src in chosen:
        todo = ([f"source:{src.kind}"] if source else []) + (
            [v for v in variants if rp.split_variant(v)[0] in src.variants] if variants else list(src.variants))
        for variant in todo:
            if progress:
                progress(f"{src.name} {variant} …")
            s = score(src.name, variant, cache=cache)
            out.append(s)
            if progress:
                share = s.certain_right_share
                state = (f"unreadable: {s.unreadable[:100]}" if s.unreadable else f"crash: {s.crash[:100]}" if s.crash
                         else f"{s.counts['certain_right']}/{s.counts['gold']} certain right "
                              f"({share:.3f}), {s.certain_wrong_total} certain wrong" if share is not None else "no gold")
                progress(f"  {s.seconds:.1f} s, {state}")
    return out


# ---------------------------------------------------------------------------
# Tables


def summary(scores: list[PictureScore]) -> dict[str, dict[str, Any]]:
    """Per variant: renders, unreadable, crashes, summed counts, seconds, pictures passing the bar."""
    order = ["source:html", "source:pdf"] + list(rp.VARIANTS)
    out: dict[str, dict[str, Any]] = {}
    for variant in sorted({s.variant for s in scores}, key=lambda v: order.index(v) if v in order else 99):
        group = [s for s in scores if s.variant == variant]
        counts = {k: sum(s.counts[k] for s in group) for k in COUNTS}
        seconds = sum(s.seconds for s in group)
        out[variant] = {
            "renders": len(group),
            "unreadable": sum(s.unreadable is not None for s in group),
            "crashes": sum(s.crash is not None for s in group),
            **counts,
            "certain_right_share": counts["certain_right"] / counts["gold"] if counts["gold"] else None,
            "seconds": round(seconds, 3),
            "seconds_per_render": round(seconds / len(group), 3) if group else None,
            "passing": sum(s.passes for s in group),
        }
    return out


THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)


def threshold_rows(scores: list[PictureScore]) -> list[dict[str, Any]]:
    """What each confidence threshold would do on the gold figures OCR read with a box:
    right figures it would leave in doubt, wrong ones it would not (a wrong figure can
    still be caught by its row's sums: ``wrong_passing_and_sums_hold`` are those it would not be)."""
    points = [c for s in scores for c in s.confidences]
    right = [c for c, ok, _ in points if ok]
    wrong = [(c, sums_hold) for c, ok, sums_hold in points if not ok]
    out = []
    for t in THRESHOLDS:
        out.append({"threshold": t, "figures": len(points), "right_doubted": sum(c < t for c in right),
                    "wrong": len(wrong), "wrong_passing": sum(c >= t for c, _ in wrong),
                    "wrong_passing_and_sums_hold": sum(c >= t and hold for c, hold in wrong)})
    return out


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    return display.table(headers, rows, right=set(range(1, len(headers))))


def _share(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _clip(text: Any, n: int = 60) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def format_scores(scores: list[PictureScore]) -> str:
    out = ["Pictures of the real reports, scored on their gold "
           f"(bar: certain right >= {BAR} of gold, no certain figure wrong)", ""]
    heads = ["variant", "renders", "unreadable", "gold", "certain right", "share", "certain wrong", "uncertain",
             "missing", "derived wrong", "extras new", "s/render", "passing"]
    rows = [[v, str(s["renders"]), str(s["unreadable"] + s["crashes"]), str(s["gold"]), str(s["certain_right"]),
             _share(s["certain_right_share"]), str(s["certain_wrong"]), str(s["uncertain"]), str(s["missing"]),
             str(s["derived_certain_wrong"]), str(s["extras_new"]), f"{s['seconds_per_render']:.2f}",
             f"{s['passing']}/{s['renders']}"] for v, s in summary(scores).items()]
    out += _table(heads, rows) + [""]
    out.append("By picture")
    heads = ["document", "variant", "size", "gold", "certain right", "share", "certain wrong", "uncertain",
             "missing", "extras new", "seconds", "bar", "warnings"]
    rows = []
    for s in scores:
        size = "x".join(map(str, s.size)) if s.size else (f"{s.pages} pages" if s.pages else "")
        state = "unreadable" if s.unreadable else "crash" if s.crash else "pass" if s.passes else "FAIL"
        rows.append([s.document, s.variant, size, str(s.counts["gold"]), str(s.counts["certain_right"]),
                     _share(s.certain_right_share), str(s.certain_wrong_total), str(s.counts["uncertain"]),
                     str(s.counts["missing"]), str(s.counts["extras_new"]), f"{s.seconds:.2f}", state,
                     _clip(",".join(s.warnings), 50)])
    out += _table(heads, rows) + [""]
    wrong = [[s.document, s.variant, w["key"], w["tag"], _num(w["expected"], w["expected_approximate"]),
              _num(w["got"], w["got_approximate"]), _clip(w["evidence"])] for s in scores for w in s.wrong]
    out.append(f"Certain figures that differ from the gold ({len(wrong)})  [~ = approximate]")
    if wrong:
        out += _table(["document", "variant", "key", "tag", "expected", "got", "evidence"], wrong)
    out.append("")
    new = [[s.document, s.variant, x["key"], _num(x["got"], x["approximate"]), _num(x["in_source"], False),
            _clip(x["evidence"])] for s in scores for x in s.extras_new]
    out.append(f"Certain figures the gold does not list and the source's parse does not give ({len(new)})")
    if new:
        out += _table(["document", "variant", "key", "got", "source gives", "evidence"], new)
    out.append("")
    out.append("The confidence threshold on the gold figures read by OCR with a box "
               "(right doubted: right figures below it; wrong passing: wrong figures at or above it, "
               "of which the sums did not catch)")
    out += _table(["threshold", "figures", "right doubted", "wrong", "wrong passing", "not caught by sums"],
                  [[f"{r['threshold']:.2f}", str(r["figures"]), str(r["right_doubted"]), str(r["wrong"]),
                    str(r["wrong_passing"]), str(r["wrong_passing_and_sums_hold"])] for r in threshold_rows(scores)])
    out.append("")
    bad = [s for s in scores if s.unreadable or s.crash]
    out.append(f"Unreadable or crashed ({len(bad)}): all their figures counted missing")
    for s in bad:
        why = "crash: " + s.crash if s.crash else s.unreadable.replace(s.path + ": ", "")
        out.append(f"  {s.document} {s.variant} ({Path(s.path).name}): {why}")
    return "\n".join(out).rstrip() + "\n"


def _num(v: Any, approx: bool | None) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and v == int(v):
        v = int(v)
    return f"{v}{'~' if approx else ''}"


def _variant(text: str) -> str:
    try:
        rp.split_variant(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", metavar="NAME", help="a document (repeatable)")
    ap.add_argument("--variants", nargs="+", type=_variant, help=f"default: all of {', '.join(rp.VARIANTS)} "
                    "(scan-pN, scan-pN-M, scanpdf-pN …: some pages of a scan)")
    ap.add_argument("--no-source", action="store_true", help="leave out the rows of the source documents")
    ap.add_argument("--cache", type=Path, default=None, help=f"picture folder (default {rp.CACHE})")
    ap.add_argument("--json", action="store_true", help="print JSON (summary per variant and every picture)")
    ap.add_argument("--out", type=Path, help="also write the JSON to this file")
    ap.add_argument("--no-warm-up", action="store_true",
                    help="time the first parse too (imports, OCR model loading)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    args = ap.parse_args(argv)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its font-descriptor chatter on the source PDFs
    progress = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        scores = score_all(args.only, args.variants, source=not args.no_source, cache=args.cache,
                           progress=progress, warm_up=not args.no_warm_up)
    finally:
        rp.close_browser()
    data = {"bar": BAR, "summary": summary(scores), "thresholds": threshold_rows(scores),
            "pictures": [s.to_dict() for s in scores]}
    if args.out:
        args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print(format_scores(scores), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
