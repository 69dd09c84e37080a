"""Fold archives into one: the workers' archives of a distributed crawl (``xxgk merge``).

A source archive is a catalogue and its folder (bodies by SHA-256, WARC
files). Merging it into a target:

* **bodies** are copied by digest, each checked against its name; one the
  target has is skipped (content addressing: the same bytes are one file);
* **WARC files** are copied by name (a name holds the writer's time, pid and
  serial); the ``.warc.gz.open`` file of a worker that was killed is copied up
  to its last complete record, as a closed file of the same name -- what the
  worker itself would make of it on its next run -- and the source is not touched;
* **crawl runs** are kept, each with the worker it came from
  (``crawl_runs.worker``: what the worker recorded, else the source's path); a
  run still ``running`` in a source no process holds was killed: ``interrupted``;
* **fetches**, list pages, report events and checks are kept, each once
  (known by their own fields: a fetch by URL, method and time, to the microsecond);
* **reports** are joined by the catalogue's identity (:func:`archive.catalogue.find_report`:
  the URL key, else the same bytes): a report two workers archived is one
  report, with every version (``report_versions``), attachment and location
  of both; the row points at the newest body. A new report keeps its parse;
  a known one whose newest body changed is ``pending`` (``xxgk reparse --pending-only``).

Merging is idempotent: merging a source again adds nothing. The rows of one
source are written in one transaction, after its files are in place (files
first, then the rows that name them, as a crawl writes), so a merge killed
half-way leaves a target that ``xxgk check`` passes, and running it again
completes it. ``report_status`` (what a site's crawls showed of its reports)
is not merged: a worker saw part of each site's lists, so its runs are no
evidence alone; once every worker's runs of a distributed crawl are merged,
``xxgk merge`` counts them as one (:mod:`archive.crawl_presence`).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from archive.atomic import atomic_write
from archive.blobs import BlobStore, sha256_hex
from archive.catalogue import find_report, merge_reports
from archive.identity import url_key
from archive.check import CheckError, body_path, open_catalogue
from archive.lock import current_holder
from archive.warc import OPEN_SUFFIX, scan_members


class MergeError(Exception):
    """A source or target that cannot be merged (named in the message)."""


# Columns of crawl_runs that only distributed crawls fill:
#   worker         which worker made the run (xxgk worker --name)
#   crawl          which distributed crawl of the site it was part of (<crawl name>/<id of the seeding worker>)
#   crawl_workers  the names of every worker of that crawl, as a JSON list, in the runs that saw it end
#   presence_at    when xxgk merge counted that crawl's runs as one into report_status (archive.crawl_presence)
_DISTRIBUTED_COLUMNS = ("worker", "crawl", "crawl_workers", "presence_at")


def ensure_worker_column(db: sqlite_utils.Database) -> None:
    """``crawl_runs``' columns of distributed crawls (``worker``, ``crawl`` …)."""
    columns = db["crawl_runs"].columns_dict
    for column in _DISTRIBUTED_COLUMNS:
        if column not in columns:
            db["crawl_runs"].add_column(column, str)


def record_worker(db: sqlite_utils.Database, crawl_run_id: int, worker: str | None) -> None:
    """Tag a crawl run with the worker that made it (``xxgk worker --name``)."""
    with db.atomic():
        ensure_worker_column(db)
        db.execute("UPDATE crawl_runs SET worker = ? WHERE id = ?", [worker, crawl_run_id])


def record_crawl(db: sqlite_utils.Database, crawl_run_id: int, crawl: str | None = None,
                 workers: list[str] | None = None) -> None:
    """Tag a worker's run with its distributed crawl, or (when the crawl ended)
    with the names of every worker that took part in it."""
    import json

    with db.atomic():
        ensure_worker_column(db)
        if crawl is not None:
            db.execute("UPDATE crawl_runs SET crawl = ? WHERE id = ?", [crawl, crawl_run_id])
        if workers is not None:
            db.execute("UPDATE crawl_runs SET crawl_workers = ? WHERE id = ?",
                       [json.dumps(sorted(workers), ensure_ascii=False), crawl_run_id])


@dataclass
class MergeResult:
    source: Path
    workers: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        c = self.counts
        names = ", ".join(self.workers) or "-"
        return (f"merged {self.source} (worker {names}): {c['reports']} reports ({c['reports_new']} new, "
                f"{c['reports_known']} already there), {c['versions_new']} new versions, "
                f"{c['runs_new']} of {c['runs']} crawl runs new, {c['fetches_new']} of {c['fetches']} fetches new, "
                f"{c['bodies_copied']} bodies and {c['warc_copied']} WARC files copied")


# -- the source ---------------------------------------------------------------------


def open_source(db_path: Path, archive: Path) -> sqlite3.Connection:
    """The source catalogue, read-only; MergeError naming what is wrong."""
    try:
        conn = open_catalogue(db_path)
    except CheckError as error:
        raise MergeError(str(error)) from None
    if not (archive / "sha256").is_dir():
        conn.close()
        raise MergeError(f"{archive} is not an archive folder (no sha256/ inside), so {db_path} cannot be merged")
    holder = current_holder(archive)
    if holder is not None:
        conn.close()
        raise MergeError(f"{archive} is in use ({holder.describe()}): merge it when its crawl has ended")
    conn.row_factory = sqlite3.Row
    return conn


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# -- files ----------------------------------------------------------------------------


def _copy_bodies(source: sqlite3.Connection, source_archive: Path, store: BlobStore, counts: Counter) -> None:
    for (digest,) in source.execute("SELECT sha256 FROM bodies"):
        if digest in store:
            continue
        path = body_path(source_archive, digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise MergeError(f"{path}: a body the catalogue names is not in the archive "
                             f"(xxgk check --db … --archive {source_archive} says more)") from None
        if sha256_hex(data) != digest:
            raise MergeError(f"{path} is damaged: its bytes do not hash to its name")
        store.put(data)
        counts["bodies_copied"] += 1


def _copy_prefix(source: Path, target: Path, length: int | None) -> None:
    """``source`` (its first ``length`` bytes) as ``target``, atomically."""
    with atomic_write(target) as out, open(source, "rb") as handle:
        if length is None:
            shutil.copyfileobj(handle, out, 1024 * 1024)
        else:
            left = length
            while left:
                chunk = handle.read(min(left, 1024 * 1024))
                if not chunk:
                    break
                out.write(chunk)
                left -= len(chunk)


def _copy_warc(source_dir: Path, target_dir: Path, counts: Counter) -> None:
    if not source_dir.is_dir():
        return
    target_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(source_dir.glob("*.warc.gz")):
        target = target_dir / path.name
        size = path.stat().st_size
        if target.exists():
            if target.stat().st_size != size:
                raise MergeError(f"{target} exists and is not {path} (another size): WARC file names clash")
            continue
        _copy_prefix(path, target, None)
        counts["warc_copied"] += 1
    for path in sorted(source_dir.glob(f"*.warc.gz{OPEN_SUFFIX}")):  # left by a killed worker
        with open(path, "rb") as handle:
            end, _ = scan_members(handle)
        target = target_dir / path.name[: -len(OPEN_SUFFIX)]
        if not end or (target.exists() and target.stat().st_size == end):
            continue
        if target.exists():
            raise MergeError(f"{target} exists and is not the complete part of {path}: WARC file names clash")
        _copy_prefix(path, target, end)
        counts["warc_copied"] += 1


# -- rows -------------------------------------------------------------------------------


class _Rows:
    """Copying a source's rows into the target, with the ids each row got there."""

    def __init__(self, target: sqlite_utils.Database, source: sqlite3.Connection, label: str, counts: Counter):
        self.db, self.source, self.label, self.counts = target, source, label, counts
        self.conn = target.conn
        self.source_tables = _tables(source)
        self.runs: dict[int, int] = {}
        self.fetches: dict[int, int] = {}
        self.reports: dict[int, int] = {}
        self.workers: set[str] = set()
        self.target_columns: dict[str, set[str]] = {}

    def _insert(self, table: str, row: dict) -> int:
        if table not in self.target_columns:  # read once: Table.columns_dict reads the schema on every call
            self.target_columns[table] = set(self.db[table].columns_dict)
        columns = [c for c in row if c in self.target_columns[table]]
        sql = (f'INSERT INTO "{table}" ({", ".join(f"{c!r}" for c in columns)}) '
               f'VALUES ({", ".join("?" for _ in columns)})')
        return self.conn.execute(sql, [row[c] for c in columns]).lastrowid

    def bodies(self) -> None:
        self.conn.executemany(
            "INSERT INTO bodies (sha256, size, first_stored_at) VALUES (?, ?, ?) ON CONFLICT(sha256) DO UPDATE "
            "SET first_stored_at = min(coalesce(first_stored_at, excluded.first_stored_at), excluded.first_stored_at)",
            [tuple(r) for r in self.source.execute("SELECT sha256, size, first_stored_at FROM bodies")])

    def crawl_runs(self) -> None:
        ensure_worker_column(self.db)
        known = {tuple(r[1:]): r[0] for r in self.conn.execute(
            "SELECT id, site, start_url, started_at FROM crawl_runs")}
        for row in map(dict, self.source.execute("SELECT * FROM crawl_runs ORDER BY id")):
            self.counts["runs"] += 1
            worker = row.get("worker") or self.label
            self.workers.add(worker)
            key = (row["site"], row["start_url"], row["started_at"])
            if key in known:
                self.runs[row["id"]] = known[key]
                continue
            row.update(worker=worker, status="interrupted" if row["status"] == "running" else row["status"])
            source_id = row.pop("id")
            self.runs[source_id] = known[key] = self._insert("crawl_runs", row)
            self.counts["runs_new"] += 1

    def fetches_(self) -> None:
        known = {tuple(r[1:]): r[0] for r in self.conn.execute("SELECT id, url, method, fetched_at FROM fetches")}
        for row in map(dict, self.source.execute("SELECT * FROM fetches ORDER BY id")):
            self.counts["fetches"] += 1
            key = (row["url"], row["method"], row["fetched_at"])
            source_id = row.pop("id")
            if key in known:
                self.fetches[source_id] = known[key]
                continue
            row["crawl_run_id"] = self.runs.get(row["crawl_run_id"])
            self.fetches[source_id] = known[key] = self._insert("fetches", row)
            self.counts["fetches_new"] += 1

    def list_pages(self) -> None:
        if "list_pages" not in self.source_tables:
            return
        known = {tuple(r) for r in self.conn.execute("SELECT crawl_run_id, url, seen_at FROM list_pages")}
        for row in map(dict, self.source.execute("SELECT * FROM list_pages ORDER BY id")):
            row["crawl_run_id"] = self.runs.get(row["crawl_run_id"])
            if (row["crawl_run_id"], row["url"], row["seen_at"]) not in known:
                row.pop("id")
                self._insert("list_pages", row)

    # -- reports -----------------------------------------------------------------------

    def _source_rows(self, table: str, report_id: int) -> list[dict]:
        if table not in self.source_tables:
            return []
        return [dict(r) for r in self.source.execute(f'SELECT * FROM "{table}" WHERE report_id = ? ORDER BY id',
                                                    [report_id])]

    def _target_report(self, report: dict, attachments: list[dict], locations: list[dict]) -> int | None:
        """The target's report that is ``report``; reports of the target that the
        source knows as one (its locations) are merged first."""
        shas = {a["sha256"] for a in attachments if a.get("sha256")}
        found, _ = find_report(self.db, report["url"], report["sha256"], shas, complete=bool(report["complete"]))
        ids = {found} if found is not None else set()
        for location in locations:
            row = self.conn.execute("SELECT report_id FROM report_locations WHERE key = ? AND joined_by = 'url' "
                                    "ORDER BY id LIMIT 1", [location["key"] or url_key(location["url"])]).fetchone()
            if row is not None:
                ids.add(row[0])
        if len(ids) > 1:
            kept, *others = sorted(ids)
            merge_reports(self.db, kept, others)
            return kept
        return next(iter(ids), None)

    def reports_(self) -> None:
        for report in map(dict, self.source.execute("SELECT * FROM reports ORDER BY id")):
            self.counts["reports"] += 1
            source_id = report["id"]
            attachments = self._source_rows("attachments", source_id)
            locations = self._source_rows("report_locations", source_id) or [
                {"url": report["url"], "key": url_key(report["url"]), "alias_key": None, "joined_by": "url",
                 "first_seen": report["first_seen"], "last_seen": report["last_seen"]}]
            target_id = self._target_report(report, attachments, locations)
            newer = True
            if target_id is None:
                row = {k: v for k, v in report.items() if k != "id"}
                row.update(fetch_id=self.fetches.get(report["fetch_id"]), url_key=url_key(report["url"]))
                target_id = self._insert("reports", row)
                self._copy_parse(source_id, target_id)
                self.counts["reports_new"] += 1
            else:
                newer = self._update_report(target_id, report)
                self.counts["reports_known"] += 1
            self.reports[source_id] = target_id
            self._versions(source_id, target_id)
            self._attachments(attachments, target_id, newer)
            self._locations(locations, target_id)

    def _copy_parse(self, source_id: int, target_id: int) -> None:
        for table in ("metrics", "warnings"):
            for row in self._source_rows(table, source_id):
                row.pop("id")
                row["report_id"] = target_id
                self._insert(table, row)

    def _update_report(self, target_id: int, report: dict) -> bool:
        """Join a source report to the target's; whether the source's body is the newer."""
        mine = dict(zip(("sha256", "first_seen", "last_seen", "complete"), self.conn.execute(
            "SELECT sha256, first_seen, last_seen, complete FROM reports WHERE id = ?", [target_id]).fetchone()))
        update = {
            "first_seen": min([v for v in (mine["first_seen"], report["first_seen"]) if v], default=None),
            "last_seen": max([v for v in (mine["last_seen"], report["last_seen"]) if v], default=None),
            "complete": max(mine["complete"] or 0, report["complete"] or 0),
        }
        newer = (report["last_seen"] or "") > (mine["last_seen"] or "")
        if newer:
            update.update({c: report[c] for c in ("sha256", "content_type", "declared_encoding", "list_url",
                                                  "list_title", "list_date")})
            update["fetch_id"] = self.fetches.get(report["fetch_id"])
            if report["sha256"] != mine["sha256"]:
                update["parse_status"] = "pending"
        sets = ", ".join(f'"{c}" = ?' for c in update)
        self.conn.execute(f"UPDATE reports SET {sets} WHERE id = ?", [*update.values(), target_id])
        return newer

    def _versions(self, source_id: int, target_id: int) -> None:
        for row in self._source_rows("report_versions", source_id):
            self.conn.execute(
                "INSERT INTO report_versions (report_id, sha256, fetch_id, first_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(report_id, sha256) DO UPDATE SET first_seen = excluded.first_seen "
                "WHERE excluded.first_seen < coalesce(first_seen, excluded.first_seen)",
                [target_id, row["sha256"], self.fetches.get(row["fetch_id"]), row["first_seen"]])

    def _attachments(self, attachments: list[dict], target_id: int, newer: bool) -> None:
        known = {r[1]: (r[0], r[2]) for r in self.conn.execute(
            "SELECT id, url, sha256 FROM attachments WHERE report_id = ?", [target_id])}
        shas = {sha for _, sha in known.values()}
        for row in attachments:
            row = {k: v for k, v in row.items() if k != "id"}
            row.update(report_id=target_id, fetch_id=self.fetches.get(row["fetch_id"]))
            same = known.get(row["url"])
            if same is None:
                if row["sha256"] in shas:
                    continue  # the file the report has, at another URL
                known[row["url"]] = (self._insert("attachments", row), row["sha256"])
                shas.add(row["sha256"])
            elif newer and same[1] != row["sha256"]:
                self.conn.execute("UPDATE attachments SET sha256 = ?, fetch_id = ?, content_type = ?, filename = ? "
                                  "WHERE id = ?", [row["sha256"], row["fetch_id"], row.get("content_type"),
                                                   row.get("filename"), same[0]])

    def _locations(self, locations: list[dict], target_id: int) -> None:
        for row in locations:
            self.conn.execute(
                "INSERT INTO report_locations (report_id, url, key, alias_key, joined_by, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "first_seen = min(coalesce(first_seen, excluded.first_seen), excluded.first_seen), "
                "last_seen = max(coalesce(last_seen, ''), excluded.last_seen)",
                [target_id, row["url"], row["key"] or url_key(row["url"]), row.get("alias_key"),
                 row["joined_by"] or "url", row["first_seen"], row["last_seen"]])

    # -- what crawls saw of reports -------------------------------------------------------

    def events(self) -> None:
        for table, key in (("report_events", ("report_id", "kind", "observed_at")),
                           ("report_checks", ("crawl_run_id", "report_id", "url", "checked_at"))):
            if table not in self.source_tables:
                continue
            known = {tuple(r) for r in self.conn.execute(f'SELECT {", ".join(key)} FROM "{table}"')}
            for row in map(dict, self.source.execute(f'SELECT * FROM "{table}" ORDER BY id')):
                row.pop("id")
                row["report_id"] = self.reports.get(row["report_id"])
                if "crawl_run_id" in row:
                    row["crawl_run_id"] = self.runs.get(row["crawl_run_id"])
                if row["report_id"] is None or tuple(row[k] for k in key) in known:
                    continue
                self._insert(table, row)


def merge_archive(target: sqlite_utils.Database, target_archive: Path, source_db: Path,
                  source_archive: Path) -> MergeResult:
    """Merge the archive at ``source_db``/``source_archive`` into ``target``
    (its folder ``target_archive``): files first, then its rows in one transaction."""
    source_db, source_archive, target_archive = Path(source_db), Path(source_archive), Path(target_archive)
    if Path(target.conn.execute("PRAGMA database_list").fetchone()[2]).resolve() == source_db.resolve():
        raise MergeError(f"{source_db} is the catalogue merged into: nothing to merge")
    source = open_source(source_db, source_archive)
    result = MergeResult(source=source_db)
    try:
        _copy_bodies(source, source_archive, BlobStore(target_archive), result.counts)
        _copy_warc(source_archive / "warc", target_archive / "warc", result.counts)
        rows = _Rows(target, source, str(source_db), result.counts)
        with target.atomic():
            versions = target.conn.execute("SELECT count(*) FROM report_versions").fetchone()[0]
            rows.bodies()
            rows.crawl_runs()
            rows.fetches_()
            rows.list_pages()
            rows.reports_()
            rows.events()
            result.counts["versions_new"] = target.conn.execute(
                "SELECT count(*) FROM report_versions").fetchone()[0] - versions
        result.workers = sorted(rows.workers)
    except sqlite3.DatabaseError as error:
        raise MergeError(f"{source_db} cannot be read: {error}") from None
    finally:
        source.close()
    return result
