"""A report page's pictures, read by OCR into its text.

Township portals often publish 表二–表四 as screenshots pasted into the report
page. The crawl keeps the pictures of a page's text with the report
(attachments of role ``image``, :mod:`crawler.images`); when the parse of the
page finds template sections whose tables are only pictures
(``tables_as_images``), a page that is (almost) all pictures
(``content_as_images``), or no table at all beside pictures, those pictures
are read by OCR (:mod:`parse.formats.image`)
and their text takes the place of their ``[image: …]`` markers, so the template
reader sees the tables where the page shows them. Each figure then carries the
picture it came from (:mod:`parse.figures.ocr_evidence`).

Only the pictures the warnings name are read, at most :data:`MAX_PICTURES` per
report; a picture that cannot be read is skipped with a ``picture_unreadable``
warning, the rest of the report stands.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from .document import IMAGE_MARKER_FORMAT, ExtractedDocument, image_label
from .errors import UnreadableDocument
from .model import ImageRef, ParsedReport, ParseWarning

MAX_PICTURES = 12
READ_WHEN = ("tables_as_images", "content_as_images")


def pictures_to_read(report: ParsedReport) -> list[ImageRef]:
    """The pictures that may hold what the report's text lacks, in order: those a
    parse says stand in for its tables or text, else -- when no figure came from
    a table -- every picture of its text (the headings may be pictured too)."""
    seen, refs = set(), []
    for warning in report.warnings:
        if warning.code not in READ_WHEN or not isinstance(warning.detail, dict):
            continue
        for image in warning.detail.get("images") or []:
            url = image.get("url")
            if url and url not in seen:
                seen.add(url)
                refs.append(ImageRef(src=image.get("src"), alt=image.get("alt"), url=url))
    if not refs and not any(m.source == "table" for m in report.metrics):
        refs = [ref for ref in report.images if ref.url]
    return refs[:MAX_PICTURES]


def read_into(doc: ExtractedDocument, refs: list[ImageRef], pictures: Mapping[str, bytes]
              ) -> tuple[ExtractedDocument, list[ParseWarning]]:
    """``doc`` with the OCR text of each picture of ``refs`` at its marker (or after
    the text when the marker is not found), and its OCR pages; the warnings for
    pictures that could not be read."""
    from .formats import image as image_reader

    text, pages, problems = doc.text, list(doc.ocr or []), []
    for ref in refs:
        data = pictures.get(ref.url or "")
        if data is None:
            continue
        try:
            read = image_reader.extract(data, name=ref.url)
        except UnreadableDocument as error:
            problems.append({"url": ref.url, "reason": error.reason})
            continue
        pages.extend(read.ocr or [])  # each keeps its page in its own picture (1 but in a multi-frame file)
        marker = IMAGE_MARKER_FORMAT.format(image_label(ref.alt or "", ref.src or ""))
        block = f"\n{read.text}\n"
        text = text.replace(marker, block, 1) if marker in text else f"{text}\n{block}"
    warnings = []
    if problems:
        warnings.append(ParseWarning("picture_unreadable",
                                     f"{len(problems)} picture(s) of the report could not be read by OCR",
                                     {"pictures": problems}))
    return dataclasses.replace(doc, text=text, ocr=pages or None), warnings
