"""The parser's output: a parsed report, its metrics and its warnings.

``ParsedReport.to_dict()`` is the stable, JSON-ready shape that the archive and
the publisher store; the extra attributes (``text``, ``tables``, ``images``) are
for the figure extractor and for debugging and are not part of that dict.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from .bodies import body_key

METRIC_SOURCES = ("table", "text", "derived", "ocr")

# Warning codes emitted by the parser (ParseWarning.code). Kept here so that
# consumers can filter on them without grepping the code.
WARNING_CODES = {
    "year_conflict": "the body names another year as the report year than the one chosen",
    "year_inferred": "no year in the title or statistics period; year inferred from other mentions",
    "year_missing": "no report year found",
    "agency_conflict": "the page's 发布机构 names another body than the report's title",
    "agency_inferred": "no title, page field or signature names the body: it is inferred from the contact sentence or the overview",
    "tables_as_images": "the template tables are present only as images (detail lists them)",
    "tables_missing": "the template's section headings are present but neither tables nor images are",
    "annex_missing": "the text refers to a statistics 附表 that is not in the document",
    "format_uncertain": "the report follows a national template but the document does not say which",
    "encoding_replaced": "some bytes could not be decoded and were replaced by U+FFFD",
    "content_as_images": "the document is (almost) all images: a scanned or pictured report",
    "ocr_doubtful": "figures read by OCR that are stored as uncertain (low confidence, or in a row whose sums fail)",
    "ocr_unplaced": "figures read by OCR whose place in the picture could not be found (no box)",
    "picture_unreadable": "pictures of the report that stand in for its tables could not be read by OCR",
    "ocr_budget": "pages of a scanned document or a multi-page picture not read: over the OCR page budget",
}


@dataclass
class Metric:
    """One figure of a report, under a key of the metrics vocabulary (parse/metrics.yaml).

    ``certain`` is False for a figure the parser read but doubts: one outside the
    vocabulary's plausible range (``implausible_figure``), or read by OCR with a
    low confidence or in a row whose sums fail (``ocr_doubtful``). It defaults to
    True so that metrics stored before the field existed read as they were published.

    ``origin``: for a figure read by OCR (``source`` 'ocr'), where in which
    picture: ``image`` (SHA-256 of the picture file, or of the PDF whose page was
    rendered), ``page`` (1-based), ``scale`` (pixels per PDF point, 1 for a
    picture file), ``box`` ([x0, y0, x1, y1] in pixels of the picture read),
    ``confidence`` (the recogniser's, 0-1) and ``read_as`` ('table' or 'text':
    how the OCR text gave it).
    """

    key: str
    value: int | float
    unit: str | None
    source: str  # 'table' | 'text' | 'derived' | 'ocr'
    evidence: str | None
    approximate: bool = False
    certain: bool = True
    origin: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.source not in METRIC_SOURCES:
            raise ValueError(f"Metric.source must be one of {METRIC_SOURCES}, not {self.source!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "evidence": self.evidence,
            "approximate": self.approximate,
            "certain": self.certain,
            **({"origin": self.origin} if self.origin is not None else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Metric:
        """The inverse of :meth:`to_dict`; a dict without ``approximate`` or
        ``certain`` (stored by an older parser) gets their defaults."""
        return cls(key=d["key"], value=d["value"], unit=d.get("unit"), source=d["source"],
                   evidence=d.get("evidence"), approximate=bool(d.get("approximate", False)),
                   certain=bool(d.get("certain", True)), origin=d.get("origin"))


@dataclass
class ParseWarning:
    """Something a reader of the parsed data should know (see WARNING_CODES)."""

    code: str
    message: str
    detail: Any = None  # JSON-serialisable

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


@dataclass
class ImageRef:
    """An image in the report body: ``src`` as written in the page (None for text
    documents, which only keep a ``[image: alt]`` marker), ``alt`` text, and
    ``url`` resolved against the document's URL when that is known."""

    src: str | None
    alt: str | None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"src": self.src, "alt": self.alt, "url": self.url}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


@dataclass
class ParsedReport:
    """A parsed annual report.

    ``year`` is the year the report covers (not the year it was published);
    ``published`` is an ISO ``YYYY-MM-DD`` string and ``published_from`` where
    it was read (``page``: the page's own date field; ``signature``: the 落款;
    ``under_title``: a bracketed date under the title); ``format`` is the report's
    era/template (``legacy-text``, ``legacy-table``, ``2019-template``,
    ``2021-template``) or None; ``region`` is ``{"province", "city", "county",
    "adcode"}`` or None and ``admin_level`` one of ``national``, ``province``,
    ``prefecture``, ``county``, ``township`` (see :mod:`parse.region`);
    ``text`` is the main text; ``tables`` are :class:`parse.tables.Grid`
    objects; ``images`` are :class:`ImageRef`.
    """

    title: str | None
    agency: str | None
    year: int | None
    published: str | None
    format: str | None
    text: str
    metrics: list[Metric] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    region: dict | None = None
    admin_level: str | None = None
    tables: list = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    published_from: str | None = None

    def warning_codes(self) -> list[str]:
        return [w.code for w in self.warnings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "agency": self.agency,
            "body_key": body_key(self.agency),
            "year": self.year,
            "published": _iso(self.published),
            "published_from": self.published_from if self.published else None,
            "format": self.format,
            "region": dict(self.region) if self.region else None,
            "admin_level": self.admin_level,
            "metrics": [m.to_dict() for m in self.metrics],
            "warnings": [w.to_dict() for w in self.warnings],
        }
