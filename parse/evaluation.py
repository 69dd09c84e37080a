"""Evaluate the parser against a gold set (``tests/gold``).

A gold set is a folder of documents ``NAME.<ext>``, each beside a
``NAME.gold.yaml`` that says what a careful person reads off the document::

    format: 2021-template          # legacy-text | legacy-table | 2019-template | 2021-template
    title: …
    agency: …
    year: 2022
    published: '2023-01-18'        # or null
    county: 文登区                  # optional
    figures:
      table:                       # figures read from the document's tables
        requests.new.total: 54
      prose:                       # figures read from its sentences only
        proactive.total: 2315
        trainings.attendees: {value: 160, approximate: true}

Keys are vocabulary keys (``parse/metrics.yaml``), money in 元. A key appears
under one tag only: a figure the tables give is tagged ``table`` even when the
prose repeats it.

:func:`evaluate` parses every document with :func:`parse.report.parse_document`
and compares, per gold figure: *right* (numerically equal, same approximate
flag), *wrong* (another value, or the right number with the wrong approximate
flag), *missing*; figures the parser emits that the gold does not have are
*extras* -- except sums the vocabulary defines (``outcome.withheld.<col>`` =
the eight 不予公开 rows, ``outcome.other.<col>`` = the three 2021 其他处理 rows,
``litigation.total`` = 未经复议直接起诉 + 复议后起诉): a figure under such a key
that the gold does not list is checked against the sum of the gold's own
figures (*derived*), right or wrong. Metadata fields (title and agency compared
without whitespace, year, published, format, and county when the gold gives
one) are right or wrong. A document that raises :class:`UnreadableDocument`
has all its figures missing and its metadata wrong, and is listed.

:meth:`Evaluation.to_dict` is its JSON form; ``xxgk/eval_report.py`` lays it
out as the plain-text report the ``xxgk eval`` command shows.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from .era import FORMATS
from .errors import UnreadableDocument
from .report import parse_document
from .figures.derived import SUMS
from .template import APPLICANT_ORDER
from .vocabulary import known_keys

__all__ = [
    "GOLD_SUFFIX",
    "TAGS",
    "GoldDocument",
    "GoldFigure",
    "DocumentResult",
    "Evaluation",
    "Stats",
    "load_gold",
    "load_report_gold",
    "quote_problems",
    "LAYOUTS",
    "find_gold",
    "evaluate",
    "evaluate_document",
    "expected_derived",
]

GOLD_SUFFIX = ".gold.yaml"
TAGS = ("table", "prose")
METADATA_FIELDS = ("title", "agency", "year", "published", "format", "county")
FORMS = {"htm": "html", "html": "html", "shtml": "html", "txt": "text", "pdf": "pdf", "docx": "docx",
         "doc": "doc", "xls": "xls", "xlsx": "xlsx"}
APPLICANTS = APPLICANT_ORDER
_MISSING = object()
_MISSING_DATE = _MISSING


# ---------------------------------------------------------------------------
# Gold


@dataclass(frozen=True)
class GoldFigure:
    key: str
    value: int | float
    approximate: bool
    tag: str  # 'table' | 'prose'


@dataclass
class GoldDocument:
    name: str  # file name of the document
    path: Path  # the document
    gold_path: Path
    format: str
    title: str | None
    agency: str | None
    year: int | None
    published: str | None
    county: Any = _MISSING  # absent from the gold: not compared
    figures: dict[str, GoldFigure] = field(default_factory=dict)
    real: bool = False  # a real report (or a real report turned into a layout by a real tool)
    layout: str | None = None  # how the report reached the parser (tests/gold/real/README.md)
    level: str | None = None
    body: str | None = None
    agency_contains: str | None = None  # real gold: the parsed agency must contain this
    report: str | None = None  # the report several renderings share (the gold file's stem)

    @property
    def form(self) -> str:
        return FORMS.get(self.path.suffix.lower().lstrip("."), self.path.suffix.lower().lstrip("."))

    @property
    def group(self) -> str:
        """What the document counts as: its layout, else its form."""
        return self.layout or self.form


class GoldError(ValueError):
    """A gold file that does not follow the format (a typo must not pass silently)."""


def _number(v: Any, where: str) -> int | float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise GoldError(f"{where}: not a number: {v!r}")
    return v


def _date(v: Any) -> str | None:
    if v is None:
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v)


def load_gold(gold_path: str | Path) -> GoldDocument:
    """Read one ``NAME.gold.yaml`` and find its document: ``NAME.<ext>`` beside
    it, or the file its ``document:`` field names (relative to the gold file),
    so a document kept elsewhere in the project is not copied."""
    gold_path = Path(gold_path)
    data = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise GoldError(f"{gold_path}: not a mapping")
    if "documents" in data:
        raise GoldError(f"{gold_path}: a report with renderings: use load_report_gold")
    stem = gold_path.name[: -len(GOLD_SUFFIX)]
    if data.get("document"):
        target = (gold_path.parent / data["document"]).resolve()
        if not target.is_file():
            raise GoldError(f"{gold_path}: document {data['document']!r} does not exist")
        docs = [target]
    else:
        docs = [p for p in gold_path.parent.iterdir()
                if p.is_file() and p.name.startswith(stem + ".") and not p.name.endswith(GOLD_SUFFIX)
                and p.name[len(stem) + 1:].count(".") == 0]
    if len(docs) != 1:
        raise GoldError(f"{gold_path}: expected one document {stem}.<ext>, found {[p.name for p in docs]}")
    fmt = data.get("format")
    if fmt not in FORMATS:
        raise GoldError(f"{gold_path}: format {fmt!r} is not one of {FORMATS}")
    figures_raw = data.get("figures") or {}
    if not isinstance(figures_raw, dict) or set(figures_raw) - set(TAGS):
        raise GoldError(f"{gold_path}: figures must be a mapping with the sub-mappings {TAGS}")
    known = known_keys()
    figures: dict[str, GoldFigure] = {}
    for tag in TAGS:
        for key, raw in (figures_raw.get(tag) or {}).items():
            where = f"{gold_path.name}: {tag}.{key}"
            if key not in known:
                raise GoldError(f"{where}: not a vocabulary key")
            if key in figures:
                raise GoldError(f"{where}: key listed under both tags")
            if isinstance(raw, dict):
                if set(raw) - {"value", "approximate"}:
                    raise GoldError(f"{where}: unknown fields {sorted(set(raw) - {'value', 'approximate'})}")
                value, approx = _number(raw.get("value"), where), bool(raw.get("approximate", False))
            else:
                value, approx = _number(raw, where), False
            figures[key] = GoldFigure(key, value, approx, tag)
    year = data.get("year")
    return GoldDocument(
        name=docs[0].name,
        path=docs[0],
        gold_path=gold_path,
        format=fmt,
        title=data.get("title"),
        agency=data.get("agency"),
        year=int(year) if year is not None else None,
        published=_date(data.get("published")),
        county=data["county"] if "county" in data else _MISSING,
        figures=figures,
        real=bool(data.get("real", False)),
        layout=data.get("layout"),
    )


LAYOUTS = ("html-table", "pdf", "docx", "pdf-text-spaced", "markdown-pipe", "pipe-rows", "cell-per-line", "glued",
           "ocr-markdown", "legacy-table-text", "legacy-prose", "prose")
_FIGURE_FIELDS = {"value", "approximate", "quote"}


def _figures(raw_figures: Any, gold_path: Path) -> tuple[dict[str, GoldFigure], dict[str, str]]:
    """figures: {table: {key: value | {value, approximate, quote}}, prose: {…}} → figures, quotes."""
    if not isinstance(raw_figures, dict) or set(raw_figures) - set(TAGS):
        raise GoldError(f"{gold_path}: figures must be a mapping with the sub-mappings {TAGS}")
    known = known_keys()
    figures: dict[str, GoldFigure] = {}
    quotes: dict[str, str] = {}
    for tag in TAGS:
        for key, raw in (raw_figures.get(tag) or {}).items():
            where = f"{gold_path.name}: {tag}.{key}"
            if key not in known:
                raise GoldError(f"{where}: not a vocabulary key")
            if key in figures:
                raise GoldError(f"{where}: key listed under both tags")
            if isinstance(raw, dict):
                if set(raw) - _FIGURE_FIELDS:
                    raise GoldError(f"{where}: unknown fields {sorted(set(raw) - _FIGURE_FIELDS)}")
                value, approx = _number(raw.get("value"), where), bool(raw.get("approximate", False))
                if raw.get("quote"):
                    quotes[key] = str(raw["quote"])
            else:
                value, approx = _number(raw, where), False
            figures[key] = GoldFigure(key, value, approx, tag)
    return figures, quotes


def load_report_gold(gold_path: str | Path) -> list[GoldDocument]:
    """A real report's gold (``tests/gold/real/README.md``): one GoldDocument per
    rendering, each with the report's figures less what the rendering omits."""
    gold_path = Path(gold_path)
    data = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list) or not data["documents"]:
        raise GoldError(f"{gold_path}: a report's gold needs a list of documents")
    fmt = data.get("format")
    if fmt not in FORMATS:
        raise GoldError(f"{gold_path}: format {fmt!r} is not one of {FORMATS}")
    figures, _ = _figures(data.get("figures") or {}, gold_path)
    year = data.get("year")
    out = []
    for entry in data["documents"]:
        if not isinstance(entry, dict) or not entry.get("file"):
            raise GoldError(f"{gold_path}: each document needs a file")
        path = gold_path.parent / entry["file"]
        if not path.is_file():
            raise GoldError(f"{gold_path}: document {entry['file']!r} does not exist")
        layout = entry.get("layout")
        if layout not in LAYOUTS:
            raise GoldError(f"{gold_path}: {entry['file']}: layout {layout!r} is not one of {LAYOUTS}")
        omitted = entry.get("omitted") or {}
        unknown = set(omitted) - set(figures)
        if unknown:
            raise GoldError(f"{gold_path}: {entry['file']}: omits figures the gold does not have: {sorted(unknown)}")
        out.append(GoldDocument(
            name=path.name, path=path, gold_path=gold_path, format=fmt, title=_MISSING, agency=_MISSING,
            year=int(year) if year is not None else None, published=_MISSING_DATE, county=_MISSING,
            figures={k: f for k, f in figures.items() if k not in omitted},
            real=True, layout=layout, level=data.get("level"), body=data.get("body"),
            agency_contains=data.get("agency_contains"), report=gold_path.name[: -len(GOLD_SUFFIX)],
        ))
    return out


def quote_problems(gold_path: str | Path) -> list[str]:
    """Figures of a real report's gold whose ``quote`` does not occur (its
    characters in order, ignoring whitespace and ``|``) in any text rendering
    of the report: a quote must be copied from the document, not made up."""
    gold_path = Path(gold_path)
    data = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    _, quotes = _figures(data.get("figures") or {}, gold_path)
    texts = []
    for entry in data.get("documents") or []:
        path = gold_path.parent / entry["file"]
        if path.suffix.lower() in (".txt", ".md"):
            texts.append(_quote_form(path.read_text(encoding="utf-8", errors="replace")))
        elif path.suffix.lower() in (".html", ".htm", ".shtml"):
            import lxml.html
            texts.append(_quote_form(lxml.html.fromstring(path.read_bytes()).text_content()))
    if not texts:
        return []
    problems = []
    for key, quote in quotes.items():
        q = _quote_form(quote)
        if q and not any(_in_order(q, t) for t in texts):
            problems.append(f"{gold_path.name}: {key}: quote not in any text rendering: {quote[:80]}")
    return problems


def _quote_form(text: str) -> str:
    return re.sub(r"[\s|｜\u00a0\u3000]+", "", unicodedata.normalize("NFKC", text))


def _in_order(needle: str, hay: str) -> bool:
    """``needle`` occurs in ``hay`` as a run, or failing that its characters in order
    within a window of three times its length (labels broken around cells)."""
    if needle in hay:
        return True
    start = hay.find(needle[0])
    while start >= 0:
        i, j, limit = 0, start, start + 3 * len(needle) + 20
        while i < len(needle) and j < min(len(hay), limit):
            if hay[j] == needle[i]:
                i += 1
            j += 1
        if i == len(needle):
            return True
        start = hay.find(needle[0], start + 1)
    return False


REAL_FOLDER = "real"


def find_gold(folder: str | Path) -> list[GoldDocument]:
    """Every gold document of a folder, by name, and of its ``real/`` folder of
    real reports (each report one gold file, one document per rendering)."""
    folder = Path(folder)
    paths = sorted(folder.glob("*" + GOLD_SUFFIX))
    real = sorted((folder / REAL_FOLDER).glob("*" + GOLD_SUFFIX)) if (folder / REAL_FOLDER).is_dir() else []
    if not paths and not real:
        raise GoldError(f"{folder}: no *{GOLD_SUFFIX} files")
    docs = [load_gold(p) for p in paths]
    for p in real:
        docs.extend(load_report_gold(p))
    return docs


def expected_derived(figures: dict[str, GoldFigure]) -> dict[str, tuple[int | float, bool, str]]:
    """Figures the vocabulary defines as sums, computed from gold figures that
    are all present: key -> (value, approximate, how)."""
    out: dict[str, tuple[int | float, bool, str]] = {}

    for key, (parts, how) in SUMS.items():
        if key in figures or not all(p in figures for p in parts):
            continue
        total = sum(figures[p].value for p in parts)
        out[key] = (total, any(figures[p].approximate for p in parts), how)
    return out


# ---------------------------------------------------------------------------
# Results


@dataclass
class FigureOutcome:
    key: str
    tag: str
    expected: int | float
    expected_approximate: bool
    status: str  # right | wrong | missing
    got: int | float | None = None
    got_approximate: bool | None = None
    source: str | None = None
    evidence: str | None = None


@dataclass
class Extra:
    key: str
    got: int | float
    approximate: bool
    source: str
    evidence: str | None


@dataclass
class DerivedOutcome:
    key: str
    expected: int | float
    expected_approximate: bool
    got: int | float
    got_approximate: bool
    right: bool
    how: str
    source: str
    evidence: str | None


@dataclass
class MetadataOutcome:
    field: str
    expected: Any
    got: Any
    right: bool


@dataclass
class DocumentResult:
    name: str
    form: str
    era: str
    real: bool = False
    layout: str | None = None
    report: str | None = None
    figures: list[FigureOutcome] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)
    derived: list[DerivedOutcome] = field(default_factory=list)
    metadata: list[MetadataOutcome] = field(default_factory=list)
    unreadable: str | None = None
    seconds: float = 0.0

    def wrong(self) -> list[FigureOutcome]:
        return [f for f in self.figures if f.status == "wrong"]

    def missing(self) -> list[FigureOutcome]:
        return [f for f in self.figures if f.status == "missing"]

    def meta(self, name: str) -> MetadataOutcome | None:
        return next((m for m in self.metadata if m.field == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "form": self.form,
            "era": self.era,
            "real": self.real,
            "layout": self.layout,
            "report": self.report,
            "unreadable": self.unreadable,
            "seconds": round(self.seconds, 4),
            "metadata": [vars(m) for m in self.metadata],
            "figures": [vars(f) for f in self.figures],
            "extras": [vars(e) for e in self.extras],
            "derived": [vars(d) for d in self.derived],
        }


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


@dataclass
class Stats:
    """Counts over a set of documents (and one tag, when given)."""

    documents: int = 0
    unreadable: int = 0
    gold: int = 0
    right: int = 0
    wrong: int = 0
    missing: int = 0
    extras: int = 0
    derived_right: int = 0
    derived_wrong: int = 0
    tag_gold: dict[str, int] = field(default_factory=lambda: {t: 0 for t in TAGS})
    tag_right: dict[str, int] = field(default_factory=lambda: {t: 0 for t in TAGS})
    meta_right: dict[str, int] = field(default_factory=dict)
    meta_total: dict[str, int] = field(default_factory=dict)

    @property
    def recall(self) -> float | None:
        return _ratio(self.right, self.gold)

    def tag_recall(self, tag: str) -> float | None:
        return _ratio(self.tag_right[tag], self.tag_gold[tag])

    @property
    def wrong_values(self) -> int:
        """Wrong gold figures plus wrong derived sums."""
        return self.wrong + self.derived_wrong

    def metadata_accuracy(self, name: str | None = None) -> float | None:
        if name is not None:
            return _ratio(self.meta_right.get(name, 0), self.meta_total.get(name, 0))
        return _ratio(sum(self.meta_right.values()), sum(self.meta_total.values()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "unreadable": self.unreadable,
            "gold_figures": self.gold,
            "right": self.right,
            "wrong": self.wrong,
            "missing": self.missing,
            "extras": self.extras,
            "recall": self.recall,
            "derived_right": self.derived_right,
            "derived_wrong": self.derived_wrong,
            "table": {"gold": self.tag_gold["table"], "right": self.tag_right["table"], "recall": self.tag_recall("table")},
            "prose": {"gold": self.tag_gold["prose"], "right": self.tag_right["prose"], "recall": self.tag_recall("prose")},
            "metadata": {
                name: {"right": self.meta_right.get(name, 0), "total": self.meta_total.get(name, 0)}
                for name in METADATA_FIELDS if self.meta_total.get(name)
            },
            "metadata_accuracy": self.metadata_accuracy(),
        }


def stats_of(documents: Iterable[DocumentResult]) -> Stats:
    s = Stats()
    for d in documents:
        s.documents += 1
        s.unreadable += d.unreadable is not None
        for f in d.figures:
            s.gold += 1
            s.tag_gold[f.tag] += 1
            if f.status == "right":
                s.right += 1
                s.tag_right[f.tag] += 1
            elif f.status == "wrong":
                s.wrong += 1
            else:
                s.missing += 1
        s.extras += len(d.extras)
        s.derived_right += sum(1 for x in d.derived if x.right)
        s.derived_wrong += sum(1 for x in d.derived if not x.right)
        for m in d.metadata:
            s.meta_total[m.field] = s.meta_total.get(m.field, 0) + 1
            s.meta_right[m.field] = s.meta_right.get(m.field, 0) + m.right
    return s


@dataclass
class Evaluation:
    folder: str
    documents: list[DocumentResult]

    def only(self, keep: Callable[[DocumentResult], bool]) -> "Evaluation":
        """The evaluation restricted to some documents."""
        return Evaluation(self.folder, [d for d in self.documents if keep(d)])

    def stats(self, era: str | None = None, form: str | None = None, layout: str | None = None) -> Stats:
        return stats_of(d for d in self.documents
                        if (era is None or d.era == era) and (form is None or d.form == form)
                        and (layout is None or d.layout == layout))

    def real(self) -> "Evaluation":
        return self.only(lambda d: d.real)

    def generated(self) -> "Evaluation":
        return self.only(lambda d: not d.real)

    def layouts(self) -> list[str]:
        present = {d.layout for d in self.documents}
        return [x for x in LAYOUTS if x in present] + sorted(x for x in present - set(LAYOUTS) if x)

    def reports(self) -> int:
        return len({d.report or d.name for d in self.documents})

    def eras(self) -> list[str]:
        present = {d.era for d in self.documents}
        return [e for e in FORMATS if e in present]

    def forms(self) -> list[str]:
        order = ["html", "text", "pdf", "docx"]
        present = {d.form for d in self.documents}
        return [f for f in order if f in present] + sorted(present - set(order))

    def document(self, name: str) -> DocumentResult:
        return next(d for d in self.documents if d.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "overall": self.stats().to_dict(),
            "by_era": {e: self.stats(era=e).to_dict() for e in self.eras()},
            "by_form": {f: self.stats(form=f).to_dict() for f in self.forms()},
            "real": {"overall": self.real().stats().to_dict(),
                     "by_layout": {x: self.real().stats(layout=x).to_dict() for x in self.real().layouts()},
                     "by_era": {e: self.real().stats(era=e).to_dict() for e in self.real().eras()}},
            "documents": [d.to_dict() for d in self.documents],
        }


# ---------------------------------------------------------------------------
# Evaluation


def _same_number(a: int | float, b: int | float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _squash(text: Any) -> Any:
    return re.sub(r"\s+", "", text) if isinstance(text, str) else text


def evaluate_document(gold: GoldDocument) -> DocumentResult:
    """Parse one gold document and compare."""
    result = DocumentResult(name=gold.name, form=gold.form, era=gold.format, real=gold.real,
                            layout=gold.group, report=gold.report)
    start = time.perf_counter()
    try:
        report = parse_document(gold.path.read_bytes(), name=gold.path.name)
    except UnreadableDocument as exc:
        result.seconds = time.perf_counter() - start
        result.unreadable = str(exc)
        result.figures = [FigureOutcome(f.key, f.tag, f.value, f.approximate, "missing") for f in gold.figures.values()]
        result.metadata = [MetadataOutcome(name, _gold_meta(gold, name), None, False)
                           for name in METADATA_FIELDS if _gold_meta(gold, name) is not _MISSING]
        if gold.agency_contains:
            result.metadata.append(MetadataOutcome("agency", f"…{gold.agency_contains}…", None, False))
        return result
    result.seconds = time.perf_counter() - start

    got = {}
    for m in report.metrics:
        got.setdefault(m.key, m)  # the parser emits each key once; keep the first if not
    for f in gold.figures.values():
        m = got.get(f.key)
        if m is None:
            result.figures.append(FigureOutcome(f.key, f.tag, f.value, f.approximate, "missing"))
            continue
        right = _same_number(m.value, f.value) and bool(m.approximate) == f.approximate
        result.figures.append(FigureOutcome(f.key, f.tag, f.value, f.approximate, "right" if right else "wrong",
                                            m.value, bool(m.approximate), m.source, m.evidence))
    derivable = expected_derived(gold.figures)
    for key, m in got.items():
        if key in gold.figures:
            continue
        if key in derivable:
            value, approx, how = derivable[key]
            right = _same_number(m.value, value) and bool(m.approximate) == approx
            result.derived.append(DerivedOutcome(key, value, approx, m.value, bool(m.approximate), right, how,
                                                 m.source, m.evidence))
        else:
            result.extras.append(Extra(key, m.value, bool(m.approximate), m.source, m.evidence))

    parsed = {"title": report.title, "agency": report.agency, "year": report.year, "published": report.published,
              "format": report.format, "county": (report.region or {}).get("county")}
    for name in METADATA_FIELDS:
        expected = _gold_meta(gold, name)
        if expected is _MISSING:
            continue
        value = parsed[name]
        right = _squash(value) == _squash(expected) if name in ("title", "agency") else value == expected
        result.metadata.append(MetadataOutcome(name, expected, value, right))
    if gold.agency_contains:
        contained = _squash(gold.agency_contains) in (_squash(report.agency) or "")
        result.metadata.append(MetadataOutcome("agency", f"…{gold.agency_contains}…", report.agency, contained))
    return result


def _gold_meta(gold: GoldDocument, name: str) -> Any:
    return getattr(gold, name)


def evaluate(folder: str | Path, *, documents: Iterable[GoldDocument] | None = None) -> Evaluation:
    """Evaluate the parser on every gold document of ``folder``."""
    golds = list(documents) if documents is not None else find_gold(folder)
    return Evaluation(str(folder), [evaluate_document(g) for g in golds])
