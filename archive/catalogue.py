"""The SQLite catalogue of the archive (via sqlite-utils).

Tables
  bodies    one row per stored body (sha256, size), see :mod:`archive.blobs`
  fetches   one row per HTTP exchange: url, final url, status, content type,
            declared and detected encoding, sha256 of the body, fetched_at
  reports   one row per annual report (unique url): where it was found, the
            body it points at, and the parser's output (title, agency, year, ...)
  metrics   parsed figures, one row per (report, key)
  warnings  parser warnings per report
  report_versions  every body a report URL has served (a changed report is a
            new version; old versions stay archived)
  attachments  files (PDF, DOC, DOCX, XLS, WPS) a report page links to, and the pictures in its body
  crawl_runs  one row per crawl of one site: start, end, counts, errors

The crawler writes bodies, fetches and report rows; the parser fills the
parsed columns, metrics and warnings. Every write is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import sqlite_utils

SCHEMA_VERSION = 1


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the catalogue at ``path`` with its schema in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
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
        db["metrics"].create_index(["key"])
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
        return db["fetches"].insert(fields).last_pk


def record_list_page(db: sqlite_utils.Database, crawl_run_id: int | None, url: str, reports: int) -> None:
    with db.atomic():
        db["list_pages"].insert({"crawl_run_id": crawl_run_id, "url": url, "reports": reports, "seen_at": utc_now()})


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
) -> tuple[int, str]:
    """Record that ``url`` is a report whose current body is ``sha256``.

    Returns ``(report_id, change)`` where change is ``new``, ``changed`` (new
    bytes at a known url, or new attachments: a new version, parse status reset
    to pending) or ``unchanged``. Every body a report has served is kept in
    ``report_versions``; the report row points at the newest. ``attachments``
    are dicts with url, link_text, filename, content_type, sha256, fetch_id.
    """
    now = utc_now()
    attachments = attachments or []
    with db.atomic():
        row = db.execute("SELECT id, sha256 FROM reports WHERE url = ?", [url]).fetchone()
        if row is None:
            report_id = db["reports"].insert(
                {
                    "url": url,
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
            ).last_pk
            change = "new"
        else:
            report_id, old_sha = row
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
            db["reports"].update(report_id, update)
        db.execute(
            "INSERT OR IGNORE INTO report_versions (report_id, sha256, fetch_id, first_seen) VALUES (?, ?, ?, ?)",
            [report_id, sha256, fetch_id, now],
        )
        for attachment in attachments:
            existing = db.execute(
                "SELECT id, sha256 FROM attachments WHERE report_id = ? AND url = ?", [report_id, attachment["url"]]
            ).fetchone()
            if existing is None:
                db["attachments"].insert({"report_id": report_id, "first_seen": now, **attachment})
                if change == "unchanged":
                    change = "changed"
            elif existing[1] != attachment["sha256"]:
                db["attachments"].update(existing[0], attachment)
                if change == "unchanged":
                    change = "changed"
        if change != "unchanged":
            db["reports"].update(report_id, {"parse_status": "pending"})
        return report_id, change


def mark_seen(db: sqlite_utils.Database, url: str, list_date: str | None = None) -> None:
    """A listed report was seen again (and not fetched: it is archived whole);
    ``list_date``, the date its list shows, is kept where none was known."""
    with db.atomic():
        db.execute("UPDATE reports SET last_seen = ?, list_date = coalesce(list_date, ?) WHERE url = ?",
                   [utc_now(), list_date, url])


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
