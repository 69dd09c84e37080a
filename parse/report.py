"""Parse one report document: bytes in, :class:`ParsedReport` out.

The steps, each in its own module:

1. :mod:`parse.formats` sniffs the format and reads the document into text,
   tables (grids), images and page metadata -- or raises UnreadableDocument;
2. :mod:`parse.metadata` finds the title, the agency, the report year and the
   publication date;
3. :mod:`parse.era` decides the template/era;
4. the checks below add warnings about what is missing (template tables shipped
   as images, a 附表 the text announces but does not contain);
5. :mod:`parse.region` places the agency;
6. :mod:`parse.figures` reads the figures from the tables, then the prose, and
   checks their consistency.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Mapping

from .document import ExtractedDocument
from .era import explain_format
from .errors import ParserFailure, UnreadableDocument, exception_kind
from .figures import extract_figures, ocr_evidence
from .figures.derived import follow_parts
from .formats import extract
from .formats import pdf as pdf_format
from .pictures import pictures_to_read, read_into
from .metadata import analyse_agency, analyse_year, find_published_from, find_title
from .model import ParsedReport, ParseWarning
from .region import locate
from .sections import template_sections, template_table_of_grid
from .textutil import compact, han_count

logger = logging.getLogger(__name__)

TEMPLATE_FORMATS = ("2019-template", "2021-template")
# A report has hundreds of Chinese characters; an error page or an empty shell a few.
MIN_REPORT_HAN = 20
# Below this, a document with images is taken to be a scanned/pictured report.
MIN_TEXT_HAN = 100


def parse_document(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
    pictures: Mapping[str, bytes] | None = None,
) -> ParsedReport:
    """Parse a report from its bytes.

    ``name`` is a filename or URL (used to sniff the format, to resolve image
    URLs and in error messages); ``content_type`` an HTTP Content-Type header;
    ``declared_encoding`` an encoding the caller knows better than the document;
    ``pictures`` the bytes of the pictures in the document's text, by URL (the
    report page's archived images): read by OCR when they stand in for its
    tables or text (:mod:`parse.pictures`).
    Raises :class:`parse.errors.UnreadableDocument` and nothing else (but
    MemoryError, which :mod:`parse.isolation` reports as the memory limit): the
    readers diagnose what they know, and any other exception becomes a
    :class:`ParserFailure` naming the document and the exception type, so that
    one strange file cannot stop the parsing of all the others.
    """
    try:
        doc = extract(data, name=name, content_type=content_type, declared_encoding=declared_encoding)
        han = han_count(doc.text)
        if han < MIN_REPORT_HAN and not doc.images and not doc.tables:
            raise UnreadableDocument(name, f"no report text in the document (only {han} Chinese characters)")
        report = build_report(doc)
        refs = [ref for ref in pictures_to_read(report) if ref.url in pictures] if pictures else []
        if refs:
            doc, problems = read_into(doc, refs, pictures)
            report = build_report(doc)
            report.warnings.extend(problems)
        return report
    except (UnreadableDocument, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 -- the last resort; see the docstring
        logger.debug("parser failure on %s", name or "<unnamed document>", exc_info=True)
        raise ParserFailure(
            name, f"the parser failed on this document ({exception_kind(exc)}: {str(exc)[:300]})"
        ) from exc


def parse_path(path: str | os.PathLike) -> ParsedReport:
    """Parse a report file (format sniffed from its bytes and extension)."""
    path = Path(path)
    return parse_document(path.read_bytes(), name=str(path))


def build_report(doc: ExtractedDocument) -> ParsedReport:
    """The format-independent part: metadata, format, warnings, region."""
    warnings: list[ParseWarning] = []
    title = find_title(doc.text, doc.page)
    year_result = analyse_year(doc.text, title)
    agency_result = analyse_agency(doc.text, title, doc.page)
    published, published_from = find_published_from(doc.text, doc.page)
    decision = explain_format(doc.text, doc.tables, year_result.year)

    warnings.extend(year_result.warnings)
    warnings.extend(agency_result.warnings)
    if decision.uncertain:
        warnings.append(
            ParseWarning(
                "format_uncertain",
                f"format {decision.format or 'unknown'}: {decision.reason}",
                {"format": decision.format, "reason": decision.reason, "markers": decision.markers},
            )
        )
    warnings.extend(missing_tables_warnings(doc, decision.format))
    han = han_count(doc.text)
    if han < MIN_TEXT_HAN and doc.images:
        warnings.append(
            ParseWarning(
                "content_as_images",
                f"the document has almost no text ({han} Chinese characters) but {len(doc.images)} image(s)",
                {"images": [img.to_dict() for img in doc.images]},
            )
        )
    if doc.ocr_unread:
        warnings.append(
            ParseWarning(
                "ocr_budget",
                f"{len(doc.ocr_unread)} page(s) needing OCR not read (pages {_ranges(doc.ocr_unread)}): "
                f"over the budget of {pdf_format.MAX_OCR_PAGES} pages a document; their figures are absent, not zero",
                {"pages": doc.ocr_unread, "budget": pdf_format.MAX_OCR_PAGES},
            )
        )
    if doc.replaced_chars:
        warnings.append(
            ParseWarning(
                "encoding_replaced",
                f"{doc.replaced_chars} undecodable bytes replaced by U+FFFD (decoded as {doc.encoding})",
                {"count": doc.replaced_chars, "encoding": doc.encoding},
            )
        )
    metrics, figure_warnings = extract_figures(doc.text, doc.tables, decision.format)
    warnings.extend(figure_warnings)
    if doc.ocr:  # read from pictures: each figure traced to its box, the doubtful ones marked
        from_ocr = sum(han_count(page.text.text) for page in doc.ocr)
        warnings.extend(ocr_evidence.attach(metrics, doc.ocr, figure_warnings, only_ocr=from_ocr >= 0.9 * han))
        follow_parts(metrics)
    region, admin_level = locate(agency_result.agency, title, doc.text)
    return ParsedReport(
        title=title,
        agency=agency_result.agency,
        year=year_result.year,
        published=published,
        published_from=published_from,
        format=decision.format,
        text=doc.text,
        metrics=metrics,
        warnings=warnings,
        region=region,
        admin_level=admin_level,
        tables=list(doc.tables),
        images=list(doc.images),
    )


def _ranges(numbers: list[int]) -> str:
    """``[11, 12, 13, 15]`` -> ``'11-13, 15'``."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def missing_tables_warnings(doc: ExtractedDocument, fmt: str | None) -> list[ParseWarning]:
    """``tables_as_images`` / ``tables_missing`` for template reports whose table
    sections hold no table; ``annex_missing`` / ``tables_as_images`` for legacy
    reports that announce a 附表 and have none."""
    grids_by_table = {template_table_of_grid(g) for g in doc.tables} - {None}
    if fmt in TEMPLATE_FORMATS:
        sections = template_sections(doc.text)
        if not sections:
            return []
        empty = [s for s in sections if s.table not in grids_by_table and not s.table_numbers]
        if not empty:
            return []
        # The images inside the table-less template sections stand in for the
        # tables. They are not matched to single tables: exports often move an
        # image next to the following heading (seed 002: table 三's image sits
        # before the 三 heading, i.e. at the end of section 二).
        images = [doc.images[i] for i in sorted({i for s in empty for i in s.image_lines}) if i < len(doc.images)]
        section_titles = [s.heading.text for s in empty]
        if images:
            return [
                ParseWarning(
                    "tables_as_images",
                    f"template tables {'、'.join(s.table for s in empty)} are not in the document as tables; "
                    f"{len(images)} image(s) in their sections stand in for them",
                    {
                        "sections": section_titles,
                        "images": [img.to_dict() for img in images],
                    },
                )
            ]
        return [
            ParseWarning(
                "tables_missing",
                f"template tables {'、'.join(s.table for s in empty)} have neither tables nor images",
                {"sections": section_titles},
            )
        ]
    if fmt == "legacy-text" and "附表" in compact(doc.text) and not doc.tables:
        if doc.images:
            return [
                ParseWarning(
                    "tables_as_images",
                    "the text announces a 附表; the document has images but no table",
                    {"sections": ["附表"], "images": [img.to_dict() for img in doc.images]},
                )
            ]
        return [ParseWarning("annex_missing", "the text announces a 附表 that is not in the document", None)]
    return []
