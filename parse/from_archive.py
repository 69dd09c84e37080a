"""Parse archived report bodies into the catalogue (archive → parse).

The parser reads the stored bytes, never the network: re-parsing after the
parser improves is ``xxgk reparse``, and the archive stays as it was fetched.

A report is a page, a file listed directly, or a page whose report is in its
attachments (附件：….pdf). Every candidate document is parsed and the one that
says most is kept: the most figures, then the most text. The page's title and
the list's title stand in when the chosen document has none.

Each document is parsed in a worker process with a memory cap and a time
limit (:mod:`parse.isolation`): a document that is damaged, hostile or just too
big becomes its report's parse error, and the other reports carry on. A report
that failed stays failed (``parse_status = 'error'``) until its bytes change --
the crawler sets a changed report back to pending -- or it is retried on
purpose (``retry_failed``), so that one bad document is not parsed again on
every crawl.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from archive.blobs import BlobStore
from archive.catalogue import carryover_figures, replace_warnings, save_parse_error, save_parse_result
from parse.figures.across_years import CROSS_YEAR_CODES, YearReport, carryover_checks
from parse.document import text_with_tables
from parse.errors import UnreadableDocument
from parse.isolation import IsolatedParser, Limits
from parse.model import ParsedReport
from parse.report import parse_document

logger = logging.getLogger(__name__)


@dataclass
class ParseSummary:
    parsed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    cross_year_warnings: int = 0


def _candidates(db, report: dict) -> list[dict]:
    documents = [
        {"sha256": report["sha256"], "name": report["url"], "content_type": report["content_type"],
         "declared_encoding": report["declared_encoding"]}
    ]
    for attachment in db.query(
        "SELECT url, filename, content_type, sha256 FROM attachments WHERE report_id = ? AND role = 'document' "
        "ORDER BY id", [report["id"]]
    ):
        documents.append(
            {"sha256": attachment["sha256"], "name": attachment["filename"] or attachment["url"],
             "url": attachment["url"], "content_type": attachment["content_type"], "declared_encoding": None}
        )
    return documents


def _pictures(db, blobs: BlobStore, report: dict) -> dict[str, bytes]:
    """The archived pictures of the report page's text, by URL (attachments of
    role 'image'): the parse reads them by OCR if they stand in for its tables."""
    pictures = {}
    for row in db.query("SELECT url, sha256 FROM attachments WHERE report_id = ? AND role = 'image' ORDER BY id",
                        [report["id"]]):
        try:
            pictures[row["url"]] = blobs.get(row["sha256"])
        except OSError:  # missing or corrupt in the store: `xxgk check` reports it
            continue
    return pictures


def _score(result: ParsedReport) -> tuple[int, int]:
    return len(result.metrics), len(result.text or "")


def parse_one(
    db, blobs: BlobStore, report: dict, *, parse: Callable[..., ParsedReport] = parse_document
) -> tuple[ParsedReport, str]:
    """The best parse of a report and the sha256 of the document it came from.

    ``parse`` parses one document (:func:`parse.report.parse_document` in this
    process by default; :meth:`IsolatedParser.parse` in a worker)."""
    best: tuple[ParsedReport, str] | None = None
    problems = []
    for number, document in enumerate(_candidates(db, report)):
        try:
            data = blobs.get(document["sha256"])
            extra = {"pictures": _pictures(db, blobs, report)} if number == 0 else {}
            result = parse(
                data, name=document["name"], content_type=document["content_type"],
                declared_encoding=document["declared_encoding"], **{k: v for k, v in extra.items() if v},
            )
        except UnreadableDocument as error:
            # The report's own body is named by the report's URL already.
            problems.append(error.reason if error.name == report["url"] else str(error))
            continue
        except OSError as error:  # the archived body is missing or corrupt
            problems.append(str(error))
            continue
        if best is None or _score(result) > _score(best[0]):
            best = (result, document["sha256"])
    if best is None:
        raise UnreadableDocument(report["url"], "; ".join(problems) or "nothing to parse")
    result, sha256 = best
    if not result.title:
        result.title = report.get("list_title")
    for metric in result.metrics:  # a figure read by OCR: the archived document its picture is in
        if metric.origin is not None:
            metric.origin.setdefault("document", sha256)
    return result, sha256


def check_across_years(db) -> int:
    """Recompute the checks that compare a body's reports of consecutive years
    (:mod:`parse.figures.across_years`); returns the number of warnings stored."""
    reports = [
        YearReport(r["id"], r["body_key"], r["year"], {k: Decimal(str(v)) for k, v in r["figures"].items()},
                   r["agency"])
        for r in carryover_figures(db)
    ]
    rows = [
        {"report_id": report_id, "code": w.code, "message": w.message, "detail": w.detail}
        for report_id, w in carryover_checks(reports)
    ]
    replace_warnings(db, list(CROSS_YEAR_CODES), rows)
    return len(rows)


def parse_reports(
    db,
    blobs: BlobStore,
    *,
    only_pending: bool = True,
    retry_failed: bool = False,
    limits: Limits | None = None,
    parser: IsolatedParser | None = None,
    progress: Callable[[str], None] | None = None,
) -> ParseSummary:
    """Parse the catalogue's reports from their archived bodies.

    ``only_pending``: the reports not parsed yet, or whose bytes changed since
    (``parse_status = 'pending'``); reports that failed before stay failed
    unless ``retry_failed``. ``only_pending=False`` parses every report, failed
    ones included (``xxgk reparse``, after the parser improved). Each document
    is parsed in a worker process under ``limits`` (:mod:`parse.isolation`),
    started for this call and ended with it -- or in ``parser``'s, which the
    caller keeps (and whose limits apply) to spare a worker start over several
    calls. ``progress`` gets a line before and after each report read by OCR
    (the slow ones: seconds to minutes each).
    """
    if not only_pending:
        where = "1 = 1"
    elif retry_failed:
        where = "parse_status IN ('pending', 'error')"
    else:
        where = "parse_status = 'pending'"
    reports = list(
        db.query(
            "SELECT id, url, list_title, sha256, content_type, declared_encoding FROM reports "
            f"WHERE {where} ORDER BY id"
        )
    )
    summary = ParseSummary()
    if not reports:
        return summary
    if parser is None:
        with IsolatedParser(limits) as own:
            _parse_all(db, blobs, reports, own, summary, progress)
    else:
        _parse_all(db, blobs, reports, parser, summary, progress)
    if summary.parsed:
        summary.cross_year_warnings = check_across_years(db)
    return summary


def _picture_count(db, report: dict) -> int:
    return db.execute("SELECT count(*) FROM attachments WHERE report_id = ? AND role = 'image'",
                      [report["id"]]).fetchone()[0]


def ocr_line(result: ParsedReport, seconds: float) -> str | None:
    """What a progress line says of a parse that read pictures, or None."""
    read = [m for m in result.metrics if m.source == "ocr"]
    if not read:
        return None
    pictures = {(m.origin or {}).get("image") for m in read} - {None}
    doubtful = sum(1 for m in result.metrics if not m.certain)
    return (f"{len(read)} figures read by OCR from {len(pictures)} picture(s) in {seconds:.1f} s, "
            f"{doubtful} doubtful")


def _parse_all(db, blobs: BlobStore, reports: list[dict], parser: IsolatedParser, summary: ParseSummary,
               progress: Callable[[str], None] | None = None) -> None:
    for number, report in enumerate(reports, 1):
        pictures = _picture_count(db, report) if progress else 0
        if pictures:
            progress(f"[{number}/{len(reports)}] {report['url']}: {pictures} picture(s) in the page, "
                     "read by OCR where they stand in for its tables …")
        started = time.monotonic()
        try:
            result, sha256 = parse_one(db, blobs, report, parse=parser.parse)
        except UnreadableDocument as error:
            message = str(error)
            save_parse_error(db, report["id"], message)
            summary.failed += 1
            summary.errors.append(message)
            logger.warning("could not parse %s", message)
            continue
        # the text stored (and searched) is the whole report: its tables as pipe rows where they stood
        save_parse_result(db, report["id"], result.to_dict(), text_with_tables(result.text, result.tables),
                          parsed_sha256=sha256)
        summary.parsed += 1
        line = ocr_line(result, time.monotonic() - started) if progress else None
        if line:
            progress(f"[{number}/{len(reports)}] {report['url']}: {line}")
