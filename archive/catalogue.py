"""The SQLite catalogue of the archive (via sqlite-utils).

Tables
  bodies    one row per stored body (sha256, size), see :mod:`archive.blobs`
  fetches   one row per HTTP exchange: url, final url, status, content type,
            declared and detected encoding, sha256 of the body, fetched_at
  reports   one row per annual report, whatever URL reached it (url: the first;
            url_key: its identity, see :mod:`archive.identity`): where it was
            found, the body it points at, and the parser's output (title, agency, year, ...)
  report_locations  every URL a report was reached at (unique url), its key,
            how it was known for the report (joined_by), first and last seen
  metrics   parsed figures, one row per (report, key)
  warnings  parser warnings per report
  report_versions  every body a report URL has served (a changed report is a
            new version; old versions stay archived)
  attachments  files (PDF, DOC, DOCX, XLS, WPS) a report page links to, and the pictures in its body
  crawl_runs  one row per crawl of one site: start, end, counts, errors
  report_checks  the check requests of a crawl run: a known report URL its lists
            did not show, asked for (a conditional GET) and what it answered
  report_status  a report that some crawl run of its site found missing: missing
            (not confirmed yet), vanished, moved (not listed, its URL redirecting
            to another page of the site), or listed (seen again); see update_presence
  report_events  what crawls saw happen to a report, dated: vanished, back, moved, edited

The crawler writes bodies, fetches and report rows; the parser fills the
parsed columns, metrics and warnings. Every write is one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.identity import alias_key, url_key

SCHEMA_VERSION = 1


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Catalogue(sqlite_utils.Database):
    """sqlite_utils' Database whose transactions take the write lock when they
    begin (BEGIN IMMEDIATE): with several crawl processes writing one catalogue
    (``xxgk crawl --processes``), a transaction that reads (is the report known?)
    then writes cannot act on what another process has changed since, and waits
    for the lock (busy_timeout) instead of failing (a deferred one fails with
    SQLITE_BUSY when its snapshot is stale)."""

    @contextlib.contextmanager
    def atomic(self):
        if self.conn.in_transaction:  # nested: sqlite_utils' savepoint
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the catalogue at ``path`` with its schema in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Catalogue(path)
    db.enable_wal()
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create whatever part of the schema is missing, in one transaction."""
    with db.atomic():
        _create_tables(db)


def _create_tables(db: sqlite_utils.Database) -> None:
    if "bodies" not in db.table_names():
        db["bodies"].create(
            {"sha256": str, "size": int, "first_stored_at": str},
            pk="sha256",
        )
    if "crawl_runs" not in db.table_names():
        db["crawl_runs"].create(
            {
                "id": int,
                "site": str,
                "start_url": str,
                "started_at": str,
                "ended_at": str,
                "status": str,
                "pages_fetched": int,
                "new_reports": int,
                "changed_reports": int,
                "unchanged_reports": int,
                "skipped_reports": int,
                "errors": int,
                "finish_reason": str,
            },
            pk="id",
        )
    if "fetches" not in db.table_names():
        db["fetches"].create(
            {
                "id": int,
                "url": str,
                "final_url": str,
                "method": str,
                "status": int,
                "content_type": str,
                "declared_encoding": str,
                "detected_encoding": str,
                "sha256": str,
                "size": int,
                "referer": str,
                "error": str,
                "etag": str,
                "last_modified": str,
                "crawl_run_id": int,
                "fetched_at": str,
                "kind": str,  # what the exchange was when not a plain answer: redirect, http_error, timeout …
                "attempt": int,  # 1 for the first try, 2 for the first retry …; 0: refused, never sent
            },
            pk="id",
            foreign_keys=[("sha256", "bodies", "sha256"), ("crawl_run_id", "crawl_runs", "id")],
        )
        db["fetches"].create_index(["url"])
        db["fetches"].create_index(["sha256"])
    if "reports" not in db.table_names():
        db["reports"].create(
            {
                "id": int,
                "url": str,
                "site": str,
                "complete": int,
                "list_url": str,
                "list_title": str,
                "sha256": str,
                "fetch_id": int,
                "content_type": str,
                "declared_encoding": str,
                "first_seen": str,
                "last_seen": str,
                "title": str,
                "agency": str,
                "year": int,
                "published": str,
                "format": str,
                "province": str,
                "city": str,
                "county": str,
                "township": str,
                "adcode": str,
                "admin_level": str,
                "text": str,
                "parse_status": str,
                "parse_error": str,
                "parsed_sha256": str,
                "parsed_at": str,
            },
            pk="id",
            foreign_keys=[
                ("sha256", "bodies", "sha256"),
                ("fetch_id", "fetches", "id"),
                ("parsed_sha256", "bodies", "sha256"),
            ],
            defaults={"parse_status": "pending"},
        )
        db["reports"].create_index(["url"], unique=True)
        db["reports"].create_index(["year"])
        db["reports"].create_index(["parse_status"])
    if "metrics" in db.table_names() and "certain" not in db["metrics"].columns_dict:  # before plausibility checks
        db.execute("ALTER TABLE metrics ADD COLUMN certain INTEGER NOT NULL DEFAULT 1")
    if "metrics" in db.table_names() and "origin" not in db["metrics"].columns_dict:  # before OCR
        db.execute("ALTER TABLE metrics ADD COLUMN origin TEXT")
    if "list_pages" not in db.table_names():
        # how many annual-report entries each list page showed in each crawl run:
        # a column that showed some and now shows none is flagged, not believed
        db["list_pages"].create(
            {"id": int, "crawl_run_id": int, "url": str, "reports": int, "seen_at": str},
            pk="id", foreign_keys=[("crawl_run_id", "crawl_runs", "id")],
        )
        db["list_pages"].create_index(["url", "crawl_run_id"])
    for column in ("kind", "attempt"):  # archives made before fetches said what went wrong, and on which try
        if column not in db["fetches"].columns_dict:
            db["fetches"].add_column(column, int if column == "attempt" else str)
    if "body_key" not in db["reports"].columns_dict:  # archives made before bodies had one identity
        db["reports"].add_column("body_key", str)
        db["reports"].create_index(["body_key", "year"])
    if "published_from" not in db["reports"].columns_dict:  # where the publication date was read (page, signature …)
        db["reports"].add_column("published_from", str)
    if "list_date" not in db["reports"].columns_dict:  # archives made before the crawler kept the list's date
        db["reports"].add_column("list_date", str)
    if "metrics" not in db.table_names():
        # NUMERIC affinity keeps counts as integers (204, not 204.0) and money
        # in yuan as exact as the report states it.
        db.execute(
            """CREATE TABLE metrics (
                id INTEGER PRIMARY KEY,
                report_id INTEGER NOT NULL REFERENCES reports(id),
                key TEXT NOT NULL,
                value NUMERIC NOT NULL,
                unit TEXT,
                source TEXT,
                evidence TEXT,
                approximate INTEGER NOT NULL DEFAULT 0,
                certain INTEGER NOT NULL DEFAULT 1,  -- 0: doubted (out of its plausible range, doubtful OCR)
                origin TEXT  -- JSON, for a figure read by OCR: picture, page, box, confidence (parse.model.Metric)
            )"""
        )
        db["metrics"].create_index(["report_id"])
    _metrics_key_index(db)
    if "report_versions" not in db.table_names():
        db["report_versions"].create(
            {"id": int, "report_id": int, "sha256": str, "fetch_id": int, "first_seen": str},
            pk="id",
            foreign_keys=[("report_id", "reports", "id"), ("sha256", "bodies", "sha256"), ("fetch_id", "fetches", "id")],
        )
        db["report_versions"].create_index(["report_id", "sha256"], unique=True)
    if "attachments" not in db.table_names():
        db["attachments"].create(
            {
                "id": int,
                "report_id": int,
                "url": str,
                "link_text": str,
                "filename": str,
                "content_type": str,
                "sha256": str,
                "fetch_id": int,
                "first_seen": str,
                "role": str,  # 'document': a report file; 'image': a picture in the page's body (crawler.images)
            },
            pk="id",
            foreign_keys=[("report_id", "reports", "id"), ("sha256", "bodies", "sha256"), ("fetch_id", "fetches", "id")],
            not_null={"role"},
            defaults={"role": "document"},
        )
        db["attachments"].create_index(["report_id", "url"], unique=True)
    if "role" not in db["attachments"].columns_dict:  # archives made before body images were kept
        db["attachments"].add_column("role", str, not_null_default="document")
    if "warnings" not in db.table_names():
        db["warnings"].create(
            {"id": int, "report_id": int, "code": str, "message": str, "detail": str},
            pk="id",
            foreign_keys=[("report_id", "reports", "id")],
        )
        db["warnings"].create_index(["report_id"])
    if "report_locations" not in db.table_names():  # archives made before a report had one identity
        _migrate_identity(db)
    # url_key: one report a key (find_report looks a key up before it inserts); not a UNIQUE
    # index, which tools that copy report rows wholesale (bench/archive_scale.py) would trip
    unique_key = [row for row in db.execute("PRAGMA index_list(reports)").fetchall() if row[1] == "idx_reports_url_key"]
    if unique_key and unique_key[0][2]:  # as made by the first version of the migration
        db.execute("DROP INDEX idx_reports_url_key")
    db["reports"].create_index(["url_key"], if_not_exists=True)
    db["reports"].create_index(["sha256"], if_not_exists=True)  # find_report: the same bytes
    _create_presence_tables(db)


# metrics' index on key: a key's figures (the site's figures?key=, metrics?key=,
# metric_across_reports; prepare's headline sums) counted, faceted and ordered by
# value from the index alone, never from the figures' rows (at 10 million
# figures, a key's 100,000). It leads with key, so it answers key lookups too.
METRICS_KEY_INDEX = ("idx_metrics_key_facets", ("key", "report_id", "source", "approximate", "certain", "value"))


def _metrics_key_index(db: sqlite_utils.Database) -> None:
    """Keep METRICS_KEY_INDEX on metrics; a catalogue made before it had an index
    on key alone (idx_metrics_key), replaced in place (once: some 30 s at 16
    million figures). An index on the same columns under another name (the one
    ``xxgk serve``'s prepare built, idx_publish_metrics_key_facets) is kept as it is."""
    name, columns = METRICS_KEY_INDEX
    indexes = {row[1]: tuple(info[2] for info in db.execute(f"PRAGMA index_info([{row[1]}])").fetchall())
               for row in db.execute("PRAGMA index_list(metrics)").fetchall() if not row[4]}
    if columns not in indexes.values():
        db.execute(f"CREATE INDEX {name} ON metrics ({', '.join(columns)})")
    for old, old_columns in indexes.items():
        if old_columns == ("key",):
            db.execute(f"DROP INDEX [{old}]")


def _create_presence_tables(db: sqlite_utils.Database) -> None:
    """Vanished and edited reports (archives made before them get the tables empty)."""
    if "report_checks" not in db.table_names():
        db["report_checks"].create(
            {"id": int, "crawl_run_id": int, "report_id": int, "url": str, "status": int, "location": str,
             "failing": int, "error": str, "checked_at": str},
            pk="id", foreign_keys=[("crawl_run_id", "crawl_runs", "id"), ("report_id", "reports", "id")],
        )
        db["report_checks"].create_index(["crawl_run_id", "report_id"])
        db["report_checks"].create_index(["report_id"])
    if "report_status" not in db.table_names():
        db["report_status"].create(
            {"report_id": int, "site": str, "status": str, "misses": int, "first_missed": str, "since": str,
             "evidence": str, "crawl_run_id": int, "updated_at": str},
            pk="report_id", foreign_keys=[("report_id", "reports", "id"), ("crawl_run_id", "crawl_runs", "id")],
        )
        db["report_status"].create_index(["status"])
    if "report_events" not in db.table_names():
        db["report_events"].create(
            {"id": int, "report_id": int, "kind": str, "observed_at": str, "since": str, "crawl_run_id": int,
             "url": str, "evidence": str, "status": int, "location": str, "old_sha256": str, "new_sha256": str},
            pk="id", not_null={"report_id", "kind", "observed_at"},
            foreign_keys=[("report_id", "reports", "id"), ("crawl_run_id", "crawl_runs", "id"),
                          ("old_sha256", "bodies", "sha256"), ("new_sha256", "bodies", "sha256")],
        )
        db["report_events"].create_index(["report_id"])
        db["report_events"].create_index(["kind", "observed_at"])


# -- one report, one identity ---------------------------------------------------------
#
# A report is known by the key of its URL (archive.identity.url_key: scheme, port,
# www. and tracking noise dropped) and, reached at a URL of another key, by its
# bytes: a page whose body is one of the report's versions at an alias of its
# host (xxgk.X ~ X, alias_key), or a complete page with the same body and the
# same attachments as a complete report. Every URL is kept in report_locations;
# ``joined_by`` says how its key came to the report: 'url' (the key itself),
# 'alias' or 'content' (by its bytes; such a key that later serves bytes the
# report never had is split off into a report of its own: never two reports in one).

_MERGED_TABLES = ("report_versions", "attachments", "metrics", "warnings", "report_locations", "report_events",
                  "report_checks")
_PARSE_COLUMNS = ("title", "agency", "body_key", "year", "published", "published_from", "format", "province",
                  "city", "county", "township", "adcode", "admin_level", "text", "parse_status", "parse_error",
                  "parsed_sha256", "parsed_at")


def _create_locations(db: sqlite_utils.Database) -> None:
    db["report_locations"].create(
        {"id": int, "report_id": int, "url": str, "key": str, "alias_key": str, "joined_by": str,
         "first_seen": str, "last_seen": str},
        pk="id", foreign_keys=[("report_id", "reports", "id")], not_null={"report_id", "url", "key"},
    )
    db["report_locations"].create_index(["url"], unique=True)
    db["report_locations"].create_index(["key"])
    db["report_locations"].create_index(["alias_key"])
    db["report_locations"].create_index(["report_id"])


def _locate(db: sqlite_utils.Database, report_id: int, url: str, joined_by: str, seen: str,
            first_seen: str | None = None) -> None:
    """Record that ``url`` reached the report (a known URL: seen again)."""
    db.execute(
        "INSERT INTO report_locations (report_id, url, key, alias_key, joined_by, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
        "last_seen = max(coalesce(last_seen, ''), excluded.last_seen)",
        [report_id, url, url_key(url), alias_key(url), joined_by, first_seen or seen, seen],
    )


def _attachment_shas(db: sqlite_utils.Database, report_id: int) -> set[str]:
    return {r[0] for r in db.execute("SELECT sha256 FROM attachments WHERE report_id = ? AND sha256 IS NOT NULL",
                                     [report_id])}


def _has_version(db: sqlite_utils.Database, report_id: int, sha256: str) -> bool:
    return db.execute("SELECT 1 FROM report_versions WHERE report_id = ? AND sha256 = ? UNION ALL "
                      "SELECT 1 FROM reports WHERE id = ? AND sha256 = ?",
                      [report_id, sha256, report_id, sha256]).fetchone() is not None


def find_report(db: sqlite_utils.Database, url: str, sha256: str | None = None,
                attachment_shas: set[str] | None = None, complete: bool = False) -> tuple[int | None, str]:
    """The report ``url`` reached, and how it is known for it (``joined_by``):
    ``(None, 'url')`` for a new report, ``(None, 'split')`` for a URL joined to a
    report by its bytes that now serves other bytes. Without ``sha256``: by URL key alone."""
    known = db.execute("SELECT report_id, joined_by FROM report_locations WHERE key = ? ORDER BY id LIMIT 1",
                       [url_key(url)]).fetchone()
    if known is not None:
        report_id, joined_by = known
        if joined_by == "url" or sha256 is None or _has_version(db, report_id, sha256):
            return report_id, joined_by
        return None, "split"
    if sha256 is None:
        return None, "url"
    for (report_id,) in db.execute("SELECT DISTINCT report_id FROM report_locations WHERE alias_key = ? "
                                   "ORDER BY report_id", [alias_key(url)]).fetchall():
        if _has_version(db, report_id, sha256):
            return report_id, "alias"
    if complete:
        for (report_id,) in db.execute("SELECT id FROM reports WHERE sha256 = ? AND complete = 1 ORDER BY id",
                                       [sha256]).fetchall():
            if _attachment_shas(db, report_id) == (attachment_shas or set()):
                return report_id, "content"
    return None, "url"


def archived_keys(db: sqlite_utils.Database) -> set[str]:
    """The URL keys of every report archived whole (what a crawl need not fetch again)."""
    return {r[0] for r in db.execute(
        "SELECT DISTINCT l.key FROM report_locations l JOIN reports r ON r.id = l.report_id WHERE r.complete = 1")}


def _foreign_tables(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to reports.id (derived tables of the publisher too)."""
    found = []
    for table in db.table_names():
        for row in db.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
            if row[2] == "reports" and (row[4] or "id") == "id":
                found.append((table, row[3]))
    return found


def merge_reports(db: sqlite_utils.Database, kept: int, others: list[int], joined_by: str = "url") -> None:
    """Make the reports ``others`` part of ``kept`` (in the caller's transaction).

    Every version, attachment and location moves to ``kept`` (a version or an
    attachment URL it already has is kept once, with the earliest first seen);
    the report row takes the newest member's body, fetch and list columns, the
    earliest first_seen and the latest last_seen, and the parse of the member
    parsed from that body (pending when its inputs differ). Fetches and bodies are
    untouched: nothing archived is lost. Rows of derived tables (the publisher's)
    of the others are dropped; ``xxgk prepare`` builds them again."""
    if not others:
        return
    members = [dict(r) for r in db.query(
        f"SELECT * FROM reports WHERE id IN ({', '.join('?' for _ in [kept, *others])})", [kept, *others])]
    by_id = {m["id"]: m for m in members}
    newest = max(members, key=lambda m: (m["last_seen"] or "", m["id"]))
    parsed = [m for m in members if m["parse_status"] in ("ok", "error")]
    donor = min(parsed, key=lambda m: (m["sha256"] != newest["sha256"], m["parse_status"] != "ok",
                                       m["id"] != kept, m["id"])) if parsed else None
    donor_attachments = _attachment_shas(db, donor["id"]) if donor else set()
    for other in others:
        for version_id, sha, first in db.execute(
                "SELECT id, sha256, first_seen FROM report_versions WHERE report_id = ?", [other]).fetchall():
            mine = db.execute("SELECT id FROM report_versions WHERE report_id = ? AND sha256 = ?", [kept, sha]).fetchone()
            if mine is None:
                db.execute("UPDATE report_versions SET report_id = ? WHERE id = ?", [kept, version_id])
            else:
                db.execute("UPDATE report_versions SET first_seen = min(coalesce(first_seen, ?), ?) WHERE id = ?",
                           [first, first, mine[0]])
                db.execute("DELETE FROM report_versions WHERE id = ?", [version_id])
        db.execute("DELETE FROM attachments WHERE report_id = ? AND url IN (SELECT url FROM attachments WHERE report_id = ?)",
                   [other, kept])
        db.execute("UPDATE attachments SET report_id = ? WHERE report_id = ?", [kept, other])
        for table in ("report_events", "report_checks"):  # what crawls saw of it stays its history
            if table in db.table_names():
                db.execute(f"UPDATE {table} SET report_id = ? WHERE report_id = ?", [kept, other])
        db.execute("UPDATE report_locations SET report_id = ?, joined_by = CASE WHEN joined_by = 'url' THEN ? "
                   "ELSE joined_by END WHERE report_id = ?", [kept, joined_by, other])
        _locate(db, kept, by_id[other]["url"], joined_by, by_id[other]["last_seen"] or utc_now(),
                by_id[other]["first_seen"])
    for other in others:  # parse output: the donor's, moved to the kept report; the others' dropped
        if donor is not None and other == donor["id"]:
            db.execute("DELETE FROM metrics WHERE report_id = ?", [kept])
            db.execute("DELETE FROM warnings WHERE report_id = ?", [kept])
            db.execute("UPDATE metrics SET report_id = ? WHERE report_id = ?", [kept, other])
            db.execute("UPDATE warnings SET report_id = ? WHERE report_id = ?", [kept, other])
        else:
            db.execute("DELETE FROM metrics WHERE report_id = ?", [other])
            db.execute("DELETE FROM warnings WHERE report_id = ?", [other])
    update: dict[str, Any] = {
        column: newest[column] for column in ("sha256", "fetch_id", "content_type", "declared_encoding")
    }
    update["complete"] = max(m["complete"] or 0 for m in members)  # the attachments of every member are its own now
    for column in ("list_url", "list_title", "list_date", "site"):
        update[column] = newest[column] or next((m[column] for m in members if m[column]), None)
    update["first_seen"] = min((m["first_seen"] for m in members if m["first_seen"]), default=None)
    update["last_seen"] = max((m["last_seen"] for m in members if m["last_seen"]), default=None)
    if donor is not None:
        update.update({column: donor[column] for column in _PARSE_COLUMNS})
        if donor["sha256"] != newest["sha256"] or _attachment_shas(db, kept) != donor_attachments:
            update["parse_status"] = "pending"
    else:
        update["parse_status"] = "pending"
    for table, column in _foreign_tables(db):
        if table not in _MERGED_TABLES:
            db.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({", ".join("?" for _ in others)})', others)
    db.execute(f"DELETE FROM reports WHERE id IN ({', '.join('?' for _ in others)})", others)
    db["reports"].update(kept, update)


def _migrate_identity(db: sqlite_utils.Database) -> None:
    """Give every report its key and its locations; merge the reports that are one
    (same key, or same bytes and attachments) into the first of them."""
    if "url_key" not in db["reports"].columns_dict:
        db["reports"].add_column("url_key", str)
    _create_locations(db)
    groups: dict[str, list[int]] = {}
    for report_id, url in db.execute("SELECT id, url FROM reports ORDER BY id").fetchall():
        groups.setdefault(url_key(url), []).append(report_id)
    for key, ids in groups.items():
        kept = ids[0]
        row = db.execute("SELECT url, first_seen, last_seen FROM reports WHERE id = ?", [kept]).fetchone()
        _locate(db, kept, row[0], "url", row[2] or utc_now(), row[1])
        merge_reports(db, kept, ids[1:])
        db.execute("UPDATE reports SET url_key = ? WHERE id = ?", [key, kept])
    same: dict[tuple, list[int]] = {}
    for report_id, sha in db.execute("SELECT id, sha256 FROM reports WHERE complete = 1 AND sha256 IS NOT NULL "
                                     "ORDER BY id").fetchall():
        same.setdefault((sha, frozenset(_attachment_shas(db, report_id))), []).append(report_id)
    for ids in same.values():
        merge_reports(db, ids[0], ids[1:], joined_by="content")


def _insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> int:
    """INSERT one row of scalars; its rowid. (sqlite_utils' Table.insert reads the
    table's schema on every call: 140 against 60 us a fetch row, on every response.)"""
    columns = ", ".join(f'"{c}"' for c in row)
    return db.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" for _ in row)})',
                      list(row.values())).lastrowid


def _update(db: sqlite_utils.Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    """UPDATE one row of ``table`` by its id (Table.update's schema reads left out likewise)."""
    assignments = ", ".join(f'"{c}" = ?' for c in values)
    db.execute(f'UPDATE "{table}" SET {assignments} WHERE id = ?', [*values.values(), row_id])


def record_body(db: sqlite_utils.Database, sha256: str, size: int) -> None:
    """Note a stored body in the catalogue (idempotent)."""
    db.execute(
        "INSERT OR IGNORE INTO bodies (sha256, size, first_stored_at) VALUES (?, ?, ?)",
        [sha256, size, utc_now()],
    )


def record_fetch(db: sqlite_utils.Database, **fields: Any) -> int:
    """Insert one fetch row (and its body row) in one transaction; return the fetch id."""
    fields.setdefault("fetched_at", utc_now())
    with db.atomic():
        if fields.get("sha256"):
            record_body(db, fields["sha256"], fields.get("size") or 0)
        return _insert(db, "fetches", fields)


def record_list_page(db: sqlite_utils.Database, crawl_run_id: int | None, url: str, reports: int) -> None:
    with db.atomic():
        _insert(db, "list_pages", {"crawl_run_id": crawl_run_id, "url": url, "reports": reports, "seen_at": utc_now()})


def emptied_lists(db: sqlite_utils.Database, crawl_run_id: int) -> list[tuple[str, int]]:
    """List pages that showed no report in this run but some in the site's run before
    (``(url, reports then)``): a column emptied, or a page the site failed to draw."""
    return [tuple(r) for r in db.execute(
        """SELECT now.url, before.reports FROM list_pages now
           JOIN crawl_runs run ON run.id = now.crawl_run_id
           JOIN list_pages before ON before.url = now.url AND before.crawl_run_id = (
               SELECT max(p.crawl_run_id) FROM list_pages p JOIN crawl_runs r ON r.id = p.crawl_run_id
               WHERE p.url = now.url AND p.crawl_run_id < now.crawl_run_id AND r.site = run.site)
           WHERE now.crawl_run_id = ? AND now.reports = 0 AND before.reports > 0
           GROUP BY now.url ORDER BY now.url""", [crawl_run_id])]


def mark_fetch(db: sqlite_utils.Database, fetch_id: int, kind: str, message: str) -> None:
    """Say what a fetch turned out to be (a soft 404 …) after its row was written."""
    with db.atomic():
        db.execute("UPDATE fetches SET kind = ?, error = ? WHERE id = ?", [kind, message, fetch_id])


def first_fetch_error(db: sqlite_utils.Database, crawl_run_id: int) -> str | None:
    """The failure that explains a crawl run best, as ``url: message``: the start
    URL's, else the first one (robots.txt last)."""
    row = db.execute(
        "SELECT f.url, f.error, f.status FROM fetches f JOIN crawl_runs r ON r.id = f.crawl_run_id "
        "WHERE f.crawl_run_id = ? AND (f.error IS NOT NULL OR f.status >= 400) "
        "ORDER BY f.url = r.start_url DESC, f.url LIKE '%/robots.txt', f.id LIMIT 1", [crawl_run_id]).fetchone()
    if row is None:
        return None
    url, error, status = row
    return f"{url}: {error or f'HTTP {status}'}"


def upsert_report(
    db: sqlite_utils.Database,
    *,
    url: str,
    sha256: str,
    fetch_id: int | None,
    site: str | None = None,
    list_url: str | None = None,
    list_title: str | None = None,
    list_date: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
    complete: bool = True,
    attachments: list[dict] | None = None,
    crawl_run_id: int | None = None,
) -> tuple[int, str]:
    """Record that ``url`` reached a report whose current body is ``sha256``.

    The report is the one ``url`` is known for (:func:`find_report`: its URL key,
    or its bytes), else a new one; ``url`` is one of its locations. Returns
    ``(report_id, change)`` where change is ``new``, ``changed`` (new bytes, or
    new attachments: a new version, parse status reset to pending) or
    ``unchanged``. Every body a report has served is kept in
    ``report_versions``; the report row points at the newest. ``attachments``
    are dicts with url, link_text, filename, content_type, sha256, fetch_id; one
    the report has at another URL of the same key, or with the same bytes, is
    the same attachment. New bytes at a known report are an ``edited`` event
    (``report_events``: the old and new sha256, since when the old one was archived).
    """
    now = utc_now()
    attachments = attachments or []
    with db.atomic():
        shas = {a["sha256"] for a in attachments if a.get("sha256")}
        report_id, joined_by = find_report(db, url, sha256, shas, complete=complete)
        if report_id is None:
            report_id = _insert(
                db, "reports", {
                    "url": url,
                    "url_key": url_key(url),
                    "site": site,
                    "complete": int(complete),
                    "list_url": list_url,
                    "list_title": list_title,
                    "list_date": list_date,
                    "sha256": sha256,
                    "fetch_id": fetch_id,
                    "content_type": content_type,
                    "declared_encoding": declared_encoding,
                    "first_seen": now,
                    "last_seen": now,
                    "parse_status": "pending",
                }
            )
            change = "new"
            if joined_by == "split":  # every URL of this key goes with it
                db.execute("UPDATE report_locations SET report_id = ?, joined_by = 'url' WHERE key = ?",
                           [report_id, url_key(url)])
                joined_by = "url"
        else:
            old_sha = db.execute("SELECT sha256 FROM reports WHERE id = ?", [report_id]).fetchone()[0]
            update: dict[str, Any] = {"last_seen": now, "fetch_id": fetch_id, "complete": int(complete)}
            if site:
                update["site"] = site
            if list_title:
                update["list_title"] = list_title
            if list_url:
                update["list_url"] = list_url
            if list_date:
                update["list_date"] = list_date
            change = "unchanged"
            if old_sha != sha256:
                update.update(sha256=sha256, content_type=content_type, declared_encoding=declared_encoding)
                change = "changed"
                if not _has_version(db, report_id, sha256):  # not a URL of it serving an older version again
                    since = db.execute("SELECT first_seen FROM report_versions WHERE report_id = ? AND sha256 = ?",
                                       [report_id, old_sha]).fetchone()
                    db["report_events"].insert({
                        "report_id": report_id, "kind": "edited", "observed_at": now, "since": since[0] if since else None,
                        "crawl_run_id": crawl_run_id, "url": url, "evidence": "new bytes at the report's URL",
                        "old_sha256": old_sha, "new_sha256": sha256})
            _update(db, "reports", report_id, update)
        _locate(db, report_id, url, joined_by, now)
        db.execute(
            "INSERT OR IGNORE INTO report_versions (report_id, sha256, fetch_id, first_seen) VALUES (?, ?, ?, ?)",
            [report_id, sha256, fetch_id, now],
        )
        known = db.execute("SELECT id, url, sha256 FROM attachments WHERE report_id = ? ORDER BY id",
                           [report_id]).fetchall()
        for attachment in attachments:
            key = url_key(attachment["url"])
            same = [row for row in known if row[1] == attachment["url"]] or [row for row in known if url_key(row[1]) == key]
            if not same and any(row[2] == attachment["sha256"] for row in known):
                continue  # a file the report has, at another URL (a copy of the page elsewhere)
            if not same:
                attachment_id = _insert(db, "attachments", {"report_id": report_id, "first_seen": now, **attachment})
                known.append((attachment_id, attachment["url"], attachment["sha256"]))
                if change == "unchanged":
                    change = "changed"
            elif not any(row[2] == attachment["sha256"] for row in same):
                # new bytes: the row of that file takes them (its URL stays the one it was first seen at)
                db["attachments"].update(same[0][0], {k: v for k, v in attachment.items() if k != "url"})
                if change == "unchanged":
                    change = "changed"
        if change != "unchanged":
            _update(db, "reports", report_id, {"parse_status": "pending"})
        return report_id, change


def mark_seen(db: sqlite_utils.Database, url: str, list_date: str | None = None) -> None:
    """A listed report was seen again at ``url`` (and not fetched: it is archived
    whole; ``url`` may be a new location of it); ``list_date``, the date its list
    shows, is kept where none was known."""
    with db.atomic():
        report_id, joined_by = find_report(db, url)
        if report_id is None:
            return
        now = utc_now()
        db.execute("UPDATE reports SET last_seen = ?, list_date = coalesce(list_date, ?) WHERE id = ?",
                   [now, list_date, report_id])
        _locate(db, report_id, url, joined_by, now)


# -- vanished and returning reports --------------------------------------------------
#
# A crawl run of a site is evidence about its known reports only when the site
# answered it: the run finished (not stopped, not killed), it saw at least one
# report of the site, and none of its lists came back empty where they showed
# reports before (emptied_lists). In such a run a report of the site is absent
# when it was not seen (listed, or fetched) and either its list page was read
# and showed other reports ("not listed") or its check request failed (404,
# 410, a redirect to the home page). ``confirm`` such runs in a row make it ``vanished``; seen again, it is ``back``.

VANISH_AFTER = 2  # runs (XXGK_VANISH_AFTER)


def site_activity(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Each site the catalogue knows (its crawl runs' and reports' ``site``):
    ``last`` (its latest run's start, or None), ``runs``, ``start_url``, ``reports``."""
    sites: dict[str, dict[str, Any]] = {}
    for site, last, runs, start_url in db.execute(
        "SELECT site, max(started_at), count(*), max(start_url) FROM crawl_runs WHERE site IS NOT NULL GROUP BY site"
    ):
        sites[site] = {"last": last, "runs": runs, "start_url": start_url, "reports": 0}
    for site, n in db.execute("SELECT site, count(*) FROM reports WHERE site IS NOT NULL GROUP BY site"):
        sites.setdefault(site, {"last": None, "runs": 0, "start_url": None, "reports": 0})["reports"] = n
    return sites


def unseen_reports(db: sqlite_utils.Database, site: str, since: str) -> list[tuple[int, str]]:
    """``(report_id, url)`` of the reports of ``site`` not seen since ``since`` (a run's
    start): those its lists did not show (nor the run fetched), but not the vanished
    ones (a vanished report is back when it is listed again); longest unseen first."""
    return [tuple(r) for r in db.execute(
        "SELECT r.id, r.url FROM reports r LEFT JOIN report_status s ON s.report_id = r.id "
        "WHERE r.site = ? AND coalesce(r.last_seen, '') < ? AND coalesce(s.status, '') != 'vanished' "
        "ORDER BY r.last_seen, r.id", [site, since])]


def listed_unfetched_reports(db: sqlite_utils.Database, site: str, crawl_run_id: int | Sequence[int], since: str,
                             limit: int) -> list[tuple[int, str]]:
    """``(report_id, url)`` of up to ``limit`` reports of ``site`` its lists showed
    since ``since`` (a run's start) that the run ``crawl_run_id`` did not fetch
    (archived whole, skipped): a listed link can stop answering while the list
    still shows it. Those missing already first (their next check decides), then
    the least recently checked (never checked before any). Several runs (a
    distributed crawl's workers'): fetched by none of them."""
    if limit <= 0:
        return []
    ids = _run_ids(crawl_run_id)
    return [tuple(r) for r in db.execute(
        "SELECT r.id, r.url FROM reports r "
        "WHERE r.site = ? AND r.last_seen >= ? "
        "AND NOT EXISTS (SELECT 1 FROM fetches f WHERE f.url = r.url "
        f"AND f.crawl_run_id IN ({', '.join('?' for _ in ids)})) "
        "ORDER BY coalesce((SELECT s.status FROM report_status s WHERE s.report_id = r.id), '') != 'missing', "
        "(SELECT max(c.checked_at) FROM report_checks c WHERE c.report_id = r.id) IS NOT NULL, "
        "(SELECT max(c.checked_at) FROM report_checks c WHERE c.report_id = r.id), r.id LIMIT ?",
        [site, since, *ids, limit])]


def record_check(db: sqlite_utils.Database, crawl_run_id: int | None, report_id: int, url: str,
                 status: int | None, location: str | None, failing: bool, error: str | None = None) -> None:
    with db.atomic():
        db["report_checks"].insert({"crawl_run_id": crawl_run_id, "report_id": report_id, "url": url, "status": status,
                                    "location": location, "failing": int(failing), "error": error,
                                    "checked_at": utc_now()})


def record_listed_failure(db: sqlite_utils.Database, crawl_run_id: int | None, url: str, list_date: str | None,
                          status: int | None, failing: bool) -> None:
    """A known report a list of this run showed, whose fetch failed: seen (it is
    listed) and, ``failing``, its URL failing as a check would record it (so it is
    missing as ``still listed``, not ``not listed``). A report never archived: nothing."""
    with db.atomic():
        report_id, _ = find_report(db, url)
        if report_id is None:
            return
        mark_seen(db, url, list_date)
        if failing:
            record_check(db, crawl_run_id, report_id, url, status, None, True)


def _run_ids(crawl_run_id: int | Sequence[int]) -> list[int]:
    return [crawl_run_id] if isinstance(crawl_run_id, int) else sorted(crawl_run_id)


def run_is_evidence(db: sqlite_utils.Database, crawl_run_id: int | Sequence[int]) -> bool:
    """Whether the run tells anything about its site's reports (see above). Several
    runs (the workers' runs of one distributed crawl of the site) are one run: one
    of them saw the crawl end (finished), and none drew a list empty."""
    ids = _run_ids(crawl_run_id)
    runs = db.execute(f"SELECT site, started_at, status, finish_reason, pages_fetched FROM crawl_runs "
                      f"WHERE id IN ({', '.join('?' for _ in ids)})", ids).fetchall()
    if not runs or len({r[0] for r in runs}) != 1:
        return False
    site, started = runs[0][0], min(r[1] for r in runs)
    if not any(status == "finished" and reason == "finished" for _, _, status, reason, _ in runs) or not sum(
            r[4] or 0 for r in runs):
        return False
    seen = db.execute("SELECT 1 FROM reports WHERE site = ? AND last_seen >= ? LIMIT 1", [site, started]).fetchone()
    return seen is not None and not any(emptied_lists(db, i) for i in ids)


def update_presence(db: sqlite_utils.Database, crawl_run_id: int | Sequence[int],
                    confirm: int = VANISH_AFTER) -> dict[str, int]:
    """Count the run's evidence into ``report_status``; record ``vanished`` and ``back``
    events. Returns how many reports went missing, vanished and came back. Several
    runs of one site are counted as one (a distributed crawl's: see run_is_evidence)."""
    counts = {"missing": 0, "vanished": 0, "back": 0, "moved": 0}
    if not run_is_evidence(db, crawl_run_id):
        return counts
    ids = _run_ids(crawl_run_id)
    crawl_run_id, among = ids[-1], ", ".join("?" for _ in ids)
    site, started = db.execute(f"SELECT max(site), min(started_at) FROM crawl_runs WHERE id IN ({among})",
                               ids).fetchone()
    now = utc_now()
    # the lists this run read that showed reports: a list that showed none (a page the site failed
    # to draw, a column emptied) is no evidence that one report left it
    lists = {r[0] for r in db.execute(f"SELECT url FROM list_pages WHERE crawl_run_id IN ({among}) AND reports > 0",
                                      ids)}
    lists |= {r[0] for r in db.execute("SELECT DISTINCT list_url FROM reports WHERE site = ? AND last_seen >= ? "
                                       "AND list_url IS NOT NULL", [site, started])}
    checks = {r[0]: r[1:] for r in db.execute(
        f"SELECT report_id, status, location, failing FROM report_checks WHERE crawl_run_id IN ({among}) ORDER BY id",
        ids)}
    # report pages these runs fetched and got (a refresh): answering, as a check would say
    answered = {r[0] for r in db.execute(
        f"SELECT url FROM fetches WHERE crawl_run_id IN ({among}) AND method = 'GET' AND status IN (200, 304) "
        "AND coalesce(kind, '') NOT IN ('soft_404', 'check')", ids)}
    with db.atomic():
        status_of = {r[0]: r[1:] for r in db.execute(
            "SELECT s.report_id, s.status, s.misses, s.first_missed, s.since, s.evidence FROM report_status s "
            "JOIN reports r ON r.id = s.report_id WHERE r.site = ?", [site])}
        for report_id, url, list_url, last_seen in db.execute(
                "SELECT id, url, list_url, last_seen FROM reports WHERE site = ?", [site]).fetchall():
            known = status_of.get(report_id)
            check = checks.get(report_id)
            listed = (last_seen or "") >= started  # listed (or fetched) this run
            if listed and not (check and check[2]):  # ... and its URL, if checked, answering
                if (check is None and url not in answered and known and known[0] != "listed"
                        and (known[4] or "").startswith("still listed")):
                    continue  # a listed link that failed its check, not checked (nor fetched) this run: nothing new
                if known is None or known[0] == "listed":
                    continue
                if known[0] == "vanished":
                    again = "answers again" if (known[4] or "").startswith("still listed") else "listed again"
                    db["report_events"].insert({"report_id": report_id, "kind": "back", "observed_at": now,
                                                "since": known[3], "crawl_run_id": crawl_run_id, "url": url,
                                                "evidence": again})
                    counts["back"] += 1
                db["report_status"].upsert({"report_id": report_id, "site": site, "status": "listed", "misses": 0,
                                            "first_missed": None, "since": now, "evidence": "listed",
                                            "crawl_run_id": crawl_run_id, "updated_at": now}, pk="report_id")
                continue
            status, location, failing = check if check else (None, None, 0)
            if not listed and not failing and location and status and 300 <= status < 400:
                # not listed, its URL sending to another page of the site (not its home): moved, not gone
                evidence = f"HTTP {status} → {location}"
                same = known is not None and known[0] == "moved" and known[4] == evidence
                if not same:
                    db["report_events"].insert({"report_id": report_id, "kind": "moved", "observed_at": now,
                                                "since": started, "crawl_run_id": crawl_run_id, "url": url,
                                                "evidence": evidence, "status": status, "location": location})
                    counts["moved"] += 1
                db["report_status"].upsert({"report_id": report_id, "site": site, "status": "moved", "misses": 0,
                                            "first_missed": None, "since": known[3] if same else now,
                                            "evidence": evidence, "crawl_run_id": crawl_run_id, "updated_at": now},
                                           pk="report_id")
                continue
            unlisted = not listed and list_url in lists
            if failing:
                answer = "HTTP 200, a not-found page" if status == 200 else f"HTTP {status}"  # a soft 404
                evidence = ("not listed; " if unlisted else "still listed; " if listed else "") + answer + (
                    f" → {location}" if location else "")
            elif unlisted:
                evidence = "not listed" + (f"; HTTP {status}" if status else "")
            else:
                continue  # its list not read, its URL not checked (or answering): nothing known
            misses = (known[1] or 0) + 1 if known and known[0] != "listed" else 1
            first_missed = known[2] if known and known[0] != "listed" and known[2] else started
            state = known[0] if known and known[0] == "vanished" else "missing"
            since = known[3] if state == "vanished" else first_missed
            if state == "missing":
                counts["missing"] += 1
                if misses >= confirm:
                    state, since = "vanished", now
                    db["report_events"].insert({"report_id": report_id, "kind": "vanished", "observed_at": now,
                                                "since": first_missed, "crawl_run_id": crawl_run_id, "url": url,
                                                "evidence": evidence, "status": status, "location": location})
                    counts["vanished"] += 1
            db["report_status"].upsert({"report_id": report_id, "site": site, "status": state, "misses": misses,
                                        "first_missed": first_missed, "since": since, "evidence": evidence,
                                        "crawl_run_id": crawl_run_id, "updated_at": now}, pk="report_id")
    return counts


def save_parse_result(
    db: sqlite_utils.Database, report_id: int, result: dict, text: str | None, parsed_sha256: str | None = None
) -> None:
    """Store a parser result (see ``parse.model.ParsedReport.to_dict``) for one report.

    ``parsed_sha256`` is the body the result was read from: the report page, or
    the attachment that holds the report.

    Replaces the report's previous metrics and warnings in the same transaction.
    """
    region = result.get("region") or {}
    with db.atomic():
        db["reports"].update(
            report_id,
            {
                "title": result.get("title"),
                "agency": result.get("agency"),
                "body_key": result.get("body_key"),
                "year": result.get("year"),
                "published": result.get("published"),
                "published_from": result.get("published_from"),
                "format": result.get("format"),
                "province": region.get("province"),
                "city": region.get("city"),
                "county": region.get("county"),
                "township": region.get("township"),
                "adcode": region.get("adcode"),
                "admin_level": result.get("admin_level"),
                "text": text,
                "parse_status": "ok",
                "parse_error": None,
                "parsed_sha256": parsed_sha256,
                "parsed_at": utc_now(),
            },
        )
        db.execute("DELETE FROM metrics WHERE report_id = ?", [report_id])
        db.execute("DELETE FROM warnings WHERE report_id = ?", [report_id])
        db["metrics"].insert_all(
            (
                {
                    "report_id": report_id,
                    "key": m["key"],
                    "value": m["value"],
                    "unit": m.get("unit"),
                    "source": m.get("source"),
                    "evidence": m.get("evidence"),
                    "approximate": int(bool(m.get("approximate"))),
                    "certain": int(bool(m.get("certain", True))),
                    "origin": json.dumps(m["origin"], ensure_ascii=False) if m.get("origin") else None,
                }
                for m in result.get("metrics", [])
            ),
        )
        db["warnings"].insert_all(
            (
                {
                    "report_id": report_id,
                    "code": w["code"],
                    "message": w.get("message"),
                    "detail": json.dumps(w.get("detail"), ensure_ascii=False)
                    if w.get("detail") is not None
                    else None,
                }
                for w in result.get("warnings", [])
            ),
        )


CARRIED_KEYS = ("requests.carried_over.", "requests.carried_forward.")


def carryover_figures(db: sqlite_utils.Database) -> list[dict]:
    """Every parsed report with a body and a year, with its exact carry-over figures
    (``figures``: key → value): what the checks across years read."""
    reports: dict[int, dict] = {}
    for row in db.query(
        "SELECT id, body_key, year, agency FROM reports WHERE parse_status = 'ok' "
        "AND body_key IS NOT NULL AND year IS NOT NULL"
    ):
        reports[row["id"]] = {**row, "figures": {}}
    for row in db.query(
        "SELECT report_id, key, value FROM metrics WHERE approximate = 0 AND certain = 1 "
        "AND (key LIKE 'requests.carried_over.%' OR key LIKE 'requests.carried_forward.%')"
    ):
        if row["report_id"] in reports:
            reports[row["report_id"]]["figures"][row["key"]] = row["value"]
    return list(reports.values())


def replace_warnings(db: sqlite_utils.Database, codes: list[str], rows: list[dict]) -> None:
    """Replace every warning with one of ``codes`` by ``rows`` (report_id, code,
    message, detail): for checks that span reports and are recomputed whole."""
    with db.atomic():
        db.execute(f"DELETE FROM warnings WHERE code IN ({', '.join('?' for _ in codes)})", list(codes))
        db["warnings"].insert_all(
            {**r, "detail": json.dumps(r["detail"], ensure_ascii=False) if r.get("detail") is not None else None}
            for r in rows
        )


def save_parse_error(db: sqlite_utils.Database, report_id: int, error: str) -> None:
    """Mark a report unparseable, keeping whatever an earlier parse stored."""
    with db.atomic():
        db["reports"].update(
            report_id, {"parse_status": "error", "parse_error": error, "parsed_at": utc_now()}
        )
