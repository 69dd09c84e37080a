"""Parse archived report bodies into the catalogue (archive → parse).

The parser reads the stored bytes, never the network: re-parsing after the
parser improves is ``xxgk reparse``, and the archive stays as it was fetched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from archive.blobs import BlobStore
from archive.catalogue import save_parse_error, save_parse_result
from parse.errors import UnreadableDocument
from parse.report import parse_document

logger = logging.getLogger(__name__)


@dataclass
class ParseSummary:
    parsed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def parse_reports(db, blobs: BlobStore, *, only_pending: bool = True) -> ParseSummary:
    """Parse the catalogue's reports (pending ones, or all) from their archived bodies."""
    where = "parse_status = 'pending'" if only_pending else "1 = 1"
    rows = list(
        db.query(f"SELECT id, url, sha256, content_type, declared_encoding FROM reports WHERE {where} ORDER BY id")
    )
    summary = ParseSummary()
    for row in rows:
        try:
            data = blobs.get(row["sha256"])
            result = parse_document(
                data,
                name=row["url"],
                content_type=row["content_type"],
                declared_encoding=row["declared_encoding"],
            )
        except (UnreadableDocument, OSError) as error:
            message = str(error)
            save_parse_error(db, row["id"], message)
            summary.failed += 1
            summary.errors.append(message)
            logger.warning("could not parse %s: %s", row["url"], message)
            continue
        save_parse_result(db, row["id"], result.to_dict(), result.text)
        summary.parsed += 1
    return summary
