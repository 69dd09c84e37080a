"""Benchmark: the published site on an archive of 100,000 reports.

Not a test (no timing is asserted anywhere). One run:

1. builds a synthetic catalogue from a demo archive's rows (``--source``, a
   folder holding ``xxgk.db`` and ``archive/``; made with ``xxgk demo`` when
   absent): every crawler table (bodies, crawl_runs, fetches, list_pages,
   reports, report_versions, attachments, metrics, warnings) replicated with
   ``INSERT … SELECT`` until there are ``--reports`` reports. Each replica
   moves its bodies to real counties of the cpca gazetteer (one county for
   the years before 2020, another from 2020), so that the agency names, body
   keys, titles, texts, provinces, sites and URLs differ: ≥ 30,000 distinct
   bodies at 100,000 reports. Replicated bodies get new digests, hard-linked to
   the original file in the archive folder (same bytes: ``/-/archive/`` of a
   replica answers "corrupt", which is not measured here);
2. times ``publish.prepare.prepare`` on a fresh copy of that catalogue in a
   subprocess (wall time, peak RSS), then once more (the fingerprint no-op
   that every ``xxgk serve`` runs);
3. serves it as ``xxgk serve`` does (:func:`publish.datasette_app.serve_argv`)
   and times every table and view of the database (default page, a faceted,
   a sorted and a filtered page, a one-, a two- and a four-character search
   where the table is searchable, a row page) and every canned query of
   ``metadata.json`` with its typical parameters: median of 3 requests after
   one warm-up, with the HTTP status (a 400 or 500 is a failure, not a fast
   page).

Writes ``bench/archive_scale.json`` and prints a markdown table.

    .venv/bin/python bench/archive_scale.py                       # build, prepare, serve, time
    .venv/bin/python bench/archive_scale.py --reuse               # keep the synthetic catalogue built before
    .venv/bin/python bench/archive_scale.py --reports 20000 --work /tmp/xxgk-scale-20k
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CRAWLER_TABLES = ["bodies", "crawl_runs", "fetches", "list_pages", "reports", "report_versions", "attachments",
                  "metrics", "warnings"]
SPLIT_YEAR = 2020  # a replica's body before this year and from it are two bodies (two counties)
TARGETS_MS = {"page": 200, "query": 500}
# The searches timed on each searchable table and by the search_text query: one
# character (a prefix query of the bigram index), two (one bigram), four (a phrase).
SEARCH_TERMS = ("复", "复议", "信息公开")


class LoadSampler:
    """/proc/loadavg's one-minute load every ``every`` seconds while it runs
    (the machine is shared: a result is read against it)."""

    def __init__(self, every: float = 5.0):
        import threading

        self.every, self.samples, self.stop = every, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while True:
            try:
                self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))
            except (OSError, ValueError, IndexError):
                pass
            if self.stop.wait(self.every):
                return

    def __enter__(self) -> "LoadSampler":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def summary(self) -> dict:
        if not self.samples:
            return {}
        return {"min": min(self.samples), "max": max(self.samples),
                "mean": round(statistics.mean(self.samples), 2), "samples": len(self.samples)}


# ---------------------------------------------------------------------------
# The synthetic catalogue
# ---------------------------------------------------------------------------


def counties() -> list[tuple[str, str, str]]:
    """(province, city, county) of every county-level division in cpca's gazetteer."""
    import cpca

    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    names: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names[row["adcode"][:6]] = row["name"]
    out = []
    for code, name in sorted(names.items()):
        if code[2:] == "0000" or code[4:] == "00":
            continue
        province = names.get(code[:2] + "0000")
        city = names.get(code[:4] + "00")
        if province and city and city not in ("市辖区", "县") and not name.startswith("市辖"):
            out.append((province, city, name))
    return out


def _new_prefix(agency: str, place: tuple, target: tuple, style: int) -> tuple[str, str]:
    """(old prefix, new prefix) of an agency name moved from ``place`` to ``target``
    (``style`` 1: the other usual way of naming the place, with or without its city)."""
    province, city, county = place
    t_province, t_city, t_county = target
    for old, new, other in (
        ((city or "") + (county or ""), t_city + t_county, t_county),
        (county, t_county, t_city + t_county),
        (city, t_city, t_province + t_city),
        (province, t_city, t_province + t_city),
        ((province or "").removesuffix("省").removesuffix("市"), t_city, t_province + t_city),
    ):
        if old and agency.startswith(old):
            return old, (other if style else new)
    return "", t_county


# Tables prepare() builds (never copied from the source: a demo archive served once holds them).
PREPARED_TABLES = {"metric_definitions", "sites", "report_figures", "timeliness", "report_sums", "body_year_gaps",
                   "archive_files", "publish_info", "publish_info_search"}


def add_empty_tables(source: Path, raw: Path) -> list[str]:
    """Create, empty, the crawler's tables of ``source`` that are not replicated
    (report_status, report_events, report_checks, report_locations, …): the
    site's queries over them must run (an absent table is an HTTP 400). Their
    names."""
    src = sqlite3.connect(f"file:{source / 'xxgk.db'}?mode=ro", uri=True)
    try:
        tables = src.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
                             "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'reports_fts%' "
                             "AND name NOT LIKE 'reports_ngrams%'").fetchall()
        indexes = src.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                              "AND name NOT LIKE 'idx_publish_%'").fetchall()
    finally:
        src.close()
    conn = sqlite3.connect(raw, isolation_level=None)
    try:
        present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        added = [name for name, _ in tables if name not in present and name not in PREPARED_TABLES]
        for name, sql in tables:
            if name in added:
                conn.execute(sql)
        for table, sql in indexes:
            if table in added:
                conn.execute(sql)
        return added
    finally:
        conn.close()


def build(source: Path, work: Path, n_reports: int) -> dict:
    """Build ``work/raw.db`` and ``work/archive`` (hard links) from ``source``; facts about it."""
    started = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    raw = work / "raw.db"
    for path in (raw, work / "raw.db-journal"):
        path.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source / 'xxgk.db'}?mode=ro", uri=True)
    schema = {name: sql for name, sql in src.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN (%s)"
        % ",".join("?" * len(CRAWLER_TABLES)), CRAWLER_TABLES)}
    indexes = [sql for (sql,) in src.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name NOT LIKE 'idx_publish_%%' "
        "AND tbl_name IN (%s)" % ",".join("?" * len(CRAWLER_TABLES)), CRAWLER_TABLES)]
    n_source = src.execute("SELECT count(*) FROM reports").fetchone()[0]
    spans = {t: (src.execute(f"SELECT coalesce(max({'rowid' if t == 'bodies' else 'id'}), 0) + 1 FROM {t}")
                 .fetchone()[0]) for t in CRAWLER_TABLES}
    places = src.execute("SELECT DISTINCT agency, province, city, county, body_key FROM reports").fetchall()
    bodies = [r[0] for r in src.execute("SELECT sha256 FROM bodies")]
    src.close()
    replicas = -(-n_reports // n_source)

    conn = sqlite3.connect(raw, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    for table in CRAWLER_TABLES:
        conn.execute(schema[table])
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{source / 'xxgk.db'}?mode=ro",))
    conn.execute("BEGIN")
    # Replica k, half h (years before / from SPLIT_YEAR): each source place moves to its own county.
    gazetteer = counties()
    conn.execute("CREATE TEMP TABLE place_map (k INTEGER, h INTEGER, agency TEXT, old_prefix TEXT, new_prefix TEXT, "
                 "new_agency TEXT, province TEXT, city TEXT, county TEXT, body_key TEXT, "
                 "PRIMARY KEY (k, h, agency))")
    # Every slot (replica, half, source place) takes the next county of the gazetteer whose
    # names collide with no agency named so far (the second pass names places the other usual way).
    by_place: dict[tuple, list] = {}
    for agency, province, city, county, body_key in places:
        by_place.setdefault((province, city, county), []).append((agency or "", body_key))
    used = {agency for agency, *_ in places}
    pool = [(target, style) for style in (0, 1) for target in gazetteer]
    cursor = 0
    rows = []
    for k in range(1, replicas):
        for h in (0, 1):
            for place, agencies in by_place.items():
                for attempt in range(len(pool)):
                    target, style = pool[(cursor + attempt) % len(pool)]
                    named = [(agency, body_key, *_new_prefix(agency, place, target, style))
                             for agency, body_key in agencies]
                    if not any(old is not None and new + agency[len(old):] in used for agency, _, old, new in named):
                        break
                cursor = (cursor + attempt + 1) % len(pool)
                for agency, body_key, old, new in named:
                    new_agency = new + agency[len(old):]
                    used.add(new_agency)
                    key = (new + body_key[len(old):]) if body_key and old and body_key.startswith(old) else (
                        f"{body_key}@{target[2]}" if body_key else None)
                    rows.append((k, h, agency, old or None, new, new_agency, target[0], target[1],
                                 target[2] if place[2] else None, key))
    conn.executemany("INSERT OR REPLACE INTO place_map VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("CREATE TEMP TABLE body_map (k INTEGER, old TEXT, new TEXT, PRIMARY KEY (k, old))")
    conn.executemany("INSERT INTO body_map VALUES (?, ?, ?)",
                     [(k, sha, sha if k == 0 else hashlib.sha256(f"{sha}:{k}".encode()).hexdigest())
                      for k in range(replicas) for sha in bodies])
    # Which source reports each replica keeps (the last replica is cut at n_reports).
    conn.execute("CREATE TEMP TABLE kept (k INTEGER, old_id INTEGER, PRIMARY KEY (k, old_id))")
    conn.execute(
        """WITH RECURSIVE ks(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM ks WHERE k + 1 < ?),
           ranked AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank FROM src.reports)
           INSERT INTO kept SELECT ks.k, ranked.id FROM ks, ranked WHERE ks.k * ? + ranked.rank < ?
           ORDER BY ks.k, ranked.id""", (replicas, n_source, n_reports))

    def url(column: str) -> str:
        return f"CASE WHEN :k = 0 THEN {column} ELSE replace({column}, '://', '://r' || :k || '.') END"

    def sha(column: str) -> str:
        return f"(SELECT new FROM body_map WHERE body_map.k = :k AND body_map.old = {column})"

    def site(column: str) -> str:
        return f"CASE WHEN :k = 0 OR {column} IS NULL THEN {column} ELSE {column} || '-r' || :k END"

    def moved(column: str) -> str:
        return (f"CASE WHEN p.old_prefix IS NULL THEN {column} "
                f"ELSE replace({column}, p.old_prefix, p.new_prefix) END")

    for k in range(replicas):
        p = {"k": k, "rs": spans["reports"]}
        conn.execute(f"""INSERT INTO bodies SELECT {sha('b.sha256')}, size, first_stored_at FROM src.bodies b""", p)
        conn.execute(
            f"""INSERT INTO crawl_runs SELECT id + :k * {spans['crawl_runs']}, {site('site')}, {url('start_url')},
                started_at, ended_at, status, pages_fetched, new_reports, changed_reports, unchanged_reports,
                skipped_reports, errors, finish_reason FROM src.crawl_runs ORDER BY id""", p)
        fetch_columns = [r[1] for r in conn.execute("PRAGMA src.table_info(fetches)")]
        exprs = {c: c for c in fetch_columns}
        exprs.update(id=f"id + :k * {spans['fetches']}", url=url("url"), final_url=url("final_url"),
                     referer=url("referer"), sha256=sha("f.sha256"),
                     crawl_run_id=f"crawl_run_id + :k * {spans['crawl_runs']}")
        conn.execute(f"INSERT INTO fetches ({', '.join(fetch_columns)}) SELECT "
                     f"{', '.join(exprs[c] for c in fetch_columns)} FROM src.fetches f ORDER BY id", p)
        conn.execute(
            f"""INSERT INTO list_pages SELECT id + :k * {spans['list_pages']},
                crawl_run_id + :k * {spans['crawl_runs']}, {url('url')}, reports, seen_at
                FROM src.list_pages ORDER BY id""", p)
        report_columns = [r[1] for r in conn.execute("PRAGMA src.table_info(reports)")]
        exprs = {c: f"r.{c}" for c in report_columns}
        exprs.update(
            id="r.id + :k * :rs", url=url("r.url"), list_url=url("r.list_url"), site=site("r.site"),
            sha256=sha("r.sha256"), parsed_sha256=sha("r.parsed_sha256"),
            fetch_id=f"r.fetch_id + :k * {spans['fetches']}",
            title=moved("r.title"), text=moved("r.text"), list_title=moved("r.list_title"),
            agency="coalesce(p.new_agency, r.agency)", body_key="coalesce(p.body_key, r.body_key)",
            province="coalesce(p.province, r.province)",
            city="CASE WHEN p.k IS NULL THEN r.city ELSE p.city END",
            county="CASE WHEN p.k IS NULL THEN r.county ELSE p.county END",
            adcode="CASE WHEN p.k IS NULL THEN r.adcode END",
        )
        conn.execute(
            f"""INSERT INTO reports ({', '.join(report_columns)})
                SELECT {', '.join(exprs[c] for c in report_columns)}
                FROM kept JOIN src.reports r ON r.id = kept.old_id
                LEFT JOIN place_map p ON p.k = :k AND p.h = (coalesce(r.year, 0) >= {SPLIT_YEAR})
                     AND p.agency = r.agency
                WHERE kept.k = :k ORDER BY r.id""", p)
        conn.execute(
            f"""INSERT INTO report_versions SELECT v.id + :k * {spans['report_versions']}, v.report_id + :k * :rs,
                {sha('v.sha256')}, v.fetch_id + :k * {spans['fetches']}, v.first_seen
                FROM src.report_versions v JOIN kept ON kept.k = :k AND kept.old_id = v.report_id ORDER BY v.id""", p)
        att_columns = [r[1] for r in conn.execute("PRAGMA src.table_info(attachments)")]
        exprs = {c: f"a.{c}" for c in att_columns}
        exprs.update(id=f"a.id + :k * {spans['attachments']}", report_id="a.report_id + :k * :rs", url=url("a.url"),
                     sha256=sha("a.sha256"), fetch_id=f"a.fetch_id + :k * {spans['fetches']}")
        conn.execute(f"INSERT INTO attachments ({', '.join(att_columns)}) SELECT "
                     f"{', '.join(exprs[c] for c in att_columns)} FROM src.attachments a "
                     "JOIN kept ON kept.k = :k AND kept.old_id = a.report_id ORDER BY a.id", p)
        metric_columns = [r[1] for r in conn.execute("PRAGMA src.table_info(metrics)")]
        exprs = {c: f"m.{c}" for c in metric_columns}
        exprs.update(id=f"m.id + :k * {spans['metrics']}", report_id="m.report_id + :k * :rs")
        conn.execute(f"INSERT INTO metrics ({', '.join(metric_columns)}) SELECT "
                     f"{', '.join(exprs[c] for c in metric_columns)} FROM src.metrics m "
                     "JOIN kept ON kept.k = :k AND kept.old_id = m.report_id ORDER BY m.id", p)
        conn.execute(
            f"""INSERT INTO warnings SELECT w.id + :k * {spans['warnings']}, w.report_id + :k * :rs, w.code,
                w.message, w.detail FROM src.warnings w JOIN kept ON kept.k = :k AND kept.old_id = w.report_id
                ORDER BY w.id""", p)
    for sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE src")
    facts = {
        "source": str(source), "source_reports": n_source, "replicas": replicas,
        **{f"{t}_rows": conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CRAWLER_TABLES},
        "distinct_agencies": conn.execute("SELECT count(DISTINCT agency) FROM reports").fetchone()[0],
        "distinct_body_keys": conn.execute("SELECT count(DISTINCT body_key) FROM reports").fetchone()[0],
        "distinct_provinces": conn.execute("SELECT count(DISTINCT province) FROM reports").fetchone()[0],
        "distinct_sites": conn.execute("SELECT count(DISTINCT site) FROM reports").fetchone()[0],
    }
    conn.close()
    # The archive folder: the source's files, and each replica's digest hard-linked to its original.
    archive = work / "archive"
    if archive.exists():
        shutil.rmtree(archive)
    shutil.copytree(source / "archive", archive, copy_function=os.link)
    linked = 0
    for sha256 in bodies:
        original = archive / "sha256" / sha256[:2] / sha256[2:4] / sha256
        if not original.exists():
            continue
        for k in range(1, replicas):
            new = hashlib.sha256(f"{sha256}:{k}".encode()).hexdigest()
            path = archive / "sha256" / new[:2] / new[2:4] / new
            path.parent.mkdir(parents=True, exist_ok=True)
            os.link(original, path)
            linked += 1
    facts["archive_links"] = linked
    facts["empty_tables"] = add_empty_tables(source, raw)
    facts["raw_db_bytes"] = raw.stat().st_size
    facts["build_seconds"] = round(time.perf_counter() - started, 1)
    (work / "raw.json").write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return facts


# ---------------------------------------------------------------------------
# prepare()
# ---------------------------------------------------------------------------

PREPARE_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from publish.prepare import prepare
started = time.perf_counter()
result = prepare({db!r}, {archive!r}{options})
print(json.dumps({{"seconds": time.perf_counter() - started, "rebuilt": result.rebuilt, "counts": result.counts,
                  "notes": result.notes,
                  "steps": result.seconds, "steps_cpu": result.cpu_seconds, "search": result.search,
                  "workers": result.workers,
                  "self_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "cpu_seconds": sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF,
                                     resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))}}))
"""


def simulate_crawl(db: Path, n: int) -> dict:
    """What a crawl and parse of ``n`` new reports adds: ``n`` reports (copies of
    existing ones at new URLs, with their figures and warnings), as the
    crawler and parser write them. The next prepare then has those to add."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        top = conn.execute("SELECT max(id) FROM reports").fetchone()[0]
        conn.execute("CREATE TEMP TABLE crawl_new AS SELECT id AS old_id, id + ? AS new_id FROM reports "
                     "ORDER BY id LIMIT ?", (top, n))
        columns = [r[1] for r in conn.execute("PRAGMA table_info(reports)")]
        exprs = {c: f"r.{c}" for c in columns}
        exprs.update(id="c.new_id", url="r.url || '#next-crawl'",
                     parsed_at="strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", last_seen="strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
        conn.execute(f"INSERT INTO reports ({', '.join(columns)}) SELECT {', '.join(exprs[c] for c in columns)} "
                     "FROM crawl_new c JOIN reports r ON r.id = c.old_id")
        metric_columns = [r[1] for r in conn.execute("PRAGMA table_info(metrics)") if r[1] != "id"]
        conn.execute(f"INSERT INTO metrics ({', '.join(metric_columns)}) SELECT "
                     f"{', '.join('c.new_id' if col == 'report_id' else 'm.' + col for col in metric_columns)} "
                     "FROM crawl_new c JOIN metrics m ON m.report_id = c.old_id ORDER BY m.id")
        conn.execute("INSERT INTO warnings (report_id, code, message, detail) SELECT c.new_id, w.code, w.message, "
                     "w.detail FROM crawl_new c JOIN warnings w ON w.report_id = c.old_id ORDER BY w.id")
        conn.execute("COMMIT")
        return {"new_reports": n, "reports": conn.execute("SELECT count(*) FROM reports").fetchone()[0]}
    finally:
        conn.close()


def time_prepare(db: Path, archive: Path, parallel_search: bool | None = None) -> dict:
    """``parallel_search``: None, prepare()'s default (what ``xxgk prepare`` runs)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    options = "" if parallel_search is None else f", parallel_search={parallel_search!r}"
    started = time.perf_counter()
    with LoadSampler() as load:
        out = subprocess.run([sys.executable, "-c", PREPARE_CHILD.format(root=str(ROOT), db=str(db),
                                                                          archive=str(archive), options=options)],
                             capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if out.returncode:
        raise RuntimeError(f"prepare failed:\n{out.stderr}")
    child = json.loads(out.stdout.strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    facts = {
        "wall_seconds": round(wall, 2),
        "parallel_search": "default" if parallel_search is None else parallel_search,
        "load_average": load.summary(),
        "prepare_seconds": round(child["seconds"], 2),
        # CPU seconds of prepare and of its search workers (the machine is shared: wall time is not all its own)
        "cpu_seconds": round(child.get("cpu_seconds", 0), 2),
        "rebuilt": child["rebuilt"],
        "counts": child["counts"],
        "notes": child["notes"],
        "steps_seconds": child["steps"],
        "steps_cpu_seconds": child.get("steps_cpu", {}),
        "search": child["search"],
        # ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN is the largest child waited for so far
        "prepare_process_peak_rss_mb": round(max(child["self_maxrss_kib"], after if after > before else 0) / 1024, 1),
        # the search workers (a full rebuild) run beside it: their peaks added to its own
        # (an upper bound of what the three hold at once)
        "search_workers": child.get("workers") or {},
    }
    workers = [w["peak_rss_mb"] for w in facts["search_workers"].values() if isinstance(w, dict)]
    facts["peak_rss_mb"] = round(child["self_maxrss_kib"] / 1024 + sum(workers), 1) if workers \
        else facts["prepare_process_peak_rss_mb"]
    return facts


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 120) -> tuple[int, float, int]:
    """(status, seconds, bytes) of one GET, the body read whole."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read()
        status = error.code
    except (TimeoutError, urllib.error.URLError) as error:
        return 0, time.perf_counter() - started, len(str(error))
    return status, time.perf_counter() - started, len(body)


def _q(value) -> str:
    return urllib.parse.quote(str(value), safe="")


def sort_pages(name: str, root: str, columns: list[str], pks: list[str], meta: dict, skip: str | None) -> list[dict]:
    """A page sorted by each column the table offers to sort by (``sortable_columns``,
    else every column, as Datasette offers them), ascending and descending; the
    one the plan times already (``skip``, ascending) left out."""
    pages = []
    for column in meta["sortable_columns"] if "sortable_columns" in meta else columns:  # []: no sort offered
        for how in ("_sort", "_sort_desc"):
            if how == "_sort" and column == skip:
                continue
            pages.append({"group": "sort", "table": name, "kind": f"{how.removeprefix('_')} {column}",
                          "url": f"{root}?{how}={_q(column)}"})
    return pages


def page_plan(db: Path, base: str, metadata: dict) -> list[dict]:
    """Every page to time: (group, table, kind, url)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    with urllib.request.urlopen(base + "/xxgk.json?_shape=objects", timeout=120) as r:
        info = json.load(r)
    tables_meta = metadata["databases"]["xxgk"]["tables"]
    searchable = {"reports", "report_figures"}  # publish/plugins/xxgk_archive.py SEARCHABLE
    names = [t["name"] for t in info["tables"] if not t["hidden"]] + [v["name"] for v in info.get("views", [])]
    hidden = [t["name"] for t in info["tables"] if t["hidden"]]
    views = {v["name"] for v in info.get("views", [])}
    # The filter a visitor is most likely to follow (links in the site, a facet's first value).
    preferred_filter = {"figures": ("key", "requests.new.total"), "metrics": ("key", "requests.new.total"),
                        "report_figures": ("province", None), "reports": ("province", None),
                        "warnings": ("code", None), "timeliness": ("status", "late")}
    plan = []
    for name in names:
        meta = tables_meta.get(name, {})
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")]
        pks = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])") if r[5]]
        facets = [f for f in meta.get("facets", []) if isinstance(f, str)]
        facet = facets[0] if facets else next((c for c in columns if c not in pks), columns[0])
        sortable = meta.get("sortable_columns") or columns
        default_sort = meta.get("sort") or meta.get("sort_desc")
        sort = next((c for c in sortable if c not in pks and c != default_sort), sortable[0])
        column, value = preferred_filter.get(name, (facet, None))
        if value is None:
            value = conn.execute(f"SELECT [{column}] FROM [{name}] WHERE [{column}] IS NOT NULL "
                                 f"GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()
            value = value[0] if value else ""
        root = f"{base}/xxgk/{_q(name)}"
        plan += [
            {"group": "table", "table": name, "kind": "default", "url": root},
            {"group": "table", "table": name, "kind": f"facet {facet}",
             "url": f"{root}?_facet={_q(facet)}" if facet not in facets else
             f"{root}?_facet={_q(facets[1] if len(facets) > 1 else facet)}"},
            {"group": "table", "table": name, "kind": f"sort {sort}", "url": f"{root}?_sort={_q(sort)}"},
            {"group": "table", "table": name, "kind": f"filter {column}={value}",
             "url": f"{root}?{_q(column)}={_q(value)}"},
        ]
        plan += sort_pages(name, root, columns, pks, meta, skip=sort)
        if name in searchable:
            for term in SEARCH_TERMS:
                plan.append({"group": "table", "table": name, "kind": f"search {term}",
                             "url": f"{root}?_search={_q(term)}"})
        if name not in views:
            key = conn.execute(f"SELECT {'rowid' if not pks else ', '.join(f'[{p}]' for p in pks)} FROM [{name}] "
                               f"LIMIT 1 OFFSET (SELECT count(*) / 2 FROM [{name}])").fetchone()
            if key is not None:
                from datasette.utils import tilde_encode
                plan.append({"group": "table", "table": name, "kind": "row",
                             "url": f"{root}/{','.join(tilde_encode(str(v)) for v in key)}"})
    for name in hidden:  # served too (left out of the lists only): every sort it offers
        meta = tables_meta.get(name, {})
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")]
        pks = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])") if r[5]]
        plan += sort_pages(name, f"{base}/xxgk/{_q(name)}", columns, pks, meta, skip=None)
    conn.close()
    params = {"province": "", "year": "", "agency": "文登区教育局", "q": "复议", "key": "requests.new.total"}
    for query, spec in metadata["databases"]["xxgk"].get("queries", {}).items():
        from datasette.utils import derive_named_parameters  # noqa: F401 (only to fail early on old Datasette)
        import re
        names_ = sorted(set(re.findall(r":(\w+)", spec["sql"])))
        args = {n: params.get(n, "") for n in names_}
        plan.append({"group": "query", "table": query, "kind": ", ".join(f"{k}={v}" for k, v in args.items()) or "-",
                     "url": f"{base}/xxgk/{query}" + ("?" + urllib.parse.urlencode(args) if args else "")})
        if query == "search_text":
            for term in SEARCH_TERMS:
                if term != params["q"]:
                    plan.append({"group": "query", "table": query, "kind": f"q={term}",
                                 "url": f"{base}/xxgk/{query}?" + urllib.parse.urlencode({"q": term})})
    plan.append({"group": "page", "table": "/", "kind": "front page", "url": base + "/"})
    plan.append({"group": "page", "table": "/xxgk", "kind": "database page", "url": base + "/xxgk"})
    plan.append({"group": "page", "table": "/-/charts", "kind": "charts", "url": base + "/-/charts"})
    return plan


def time_pages(db: Path, metadata: dict, repeat: int, groups: set[str] | None = None) -> list[dict]:
    from publish.datasette_app import serve_argv

    port = free_port()
    argv = serve_argv(db, port=port, prepare_db=False)
    log = open(db.parent / "datasette.log", "w")
    server = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError("datasette did not start: see " + str(db.parent / "datasette.log"))
                time.sleep(0.5)
        results = []
        for entry in page_plan(db, base, metadata):
            if groups and entry["group"] not in groups:
                continue
            fetch(entry["url"])  # warm-up
            runs = [fetch(entry["url"]) for _ in range(repeat)]
            statuses = sorted({r[0] for r in runs})
            ms = statistics.median(r[1] for r in runs) * 1000
            target = TARGETS_MS["query"] if entry["group"] == "query" else TARGETS_MS["page"]
            results.append({**entry, "url": entry["url"].removeprefix(base), "status": statuses,
                            "median_ms": round(ms, 1), "runs_ms": [round(r[1] * 1000, 1) for r in runs],
                            "bytes": runs[-1][2], "target_ms": target,
                            "ok": statuses == [200] and ms < target})
            print(f"{results[-1]['median_ms']:9.1f} ms {statuses} {entry['table']} · {entry['kind']}", flush=True)
        return results
    finally:
        server.terminate()
        server.wait(30)
        log.close()


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def markdown(result: dict) -> str:
    lines = []
    p = result["prepare"]
    c = result["prepare_after_crawl"]
    lines.append(f"prepare (first build): {p['wall_seconds']} s wall, peak RSS {p['peak_rss_mb']} MB; "
                 f"second run (no-op): {result['prepare_again']['wall_seconds']} s; after a crawl of "
                 f"{c['crawl']['new_reports']} new reports: {c['wall_seconds']} s, peak RSS {c['peak_rss_mb']} MB")
    steps = sorted(p["steps_seconds"].items(), key=lambda kv: -kv[1])[:8]
    lines.append(f"first build: {p['cpu_seconds']} CPU s, parallel_search {p['parallel_search']}, load average "
                 f"{p.get('load_average')}; steps (s wall / CPU): "
                 + ", ".join(f"{k} {v} / {p['steps_cpu_seconds'].get(k, '?')}" for k, v in steps))
    lines.append(f"pages: load average {result.get('pages_load_average')}")
    lines.append("")
    lines.append("| page | what | status | median ms | target ms | met |")
    lines.append("|---|---|---|---:|---:|---|")
    for r in result["pages"]:
        lines.append(f"| {r['table']} | {r['kind']} | {','.join(map(str, r['status']))} | {r['median_ms']:.0f} | "
                     f"{r['target_ms']} | {'yes' if r['ok'] else '**no**'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="a demo archive folder (xxgk.db, archive/); made when absent")
    parser.add_argument("--work", type=Path, default=Path("/tmp/xxgk-scale"), help="where the synthetic archive goes")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="reuse work/raw.db if it was built before")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--new-reports", type=int, default=1000, help="reports the simulated next crawl adds")
    parser.add_argument("--out", type=Path, default=None,
                        help="default: bench/archive_scale.json (work/pages.json with --pages-only)")
    parser.add_argument("--pages-only", action="store_true",
                        help="time the pages of work/xxgk.db as prepared before (no build, no prepare)")
    parser.add_argument("--groups", help="with --pages-only: only these groups of pages (table,sort,query,page)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="time one first prepare of a fresh copy of work/raw.db (-> work/prepare.json), no pages")
    parser.add_argument("--parallel-search", choices=("default", "on", "off"), default="default",
                        help="prepare's parallel_search (default: prepare()'s own default)")
    args = parser.parse_args(argv)
    parallel = {"default": None, "on": True, "off": False}[args.parallel_search]
    if args.pages_only:
        db = args.work / "xxgk.db"
        metadata = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))
        pages = time_pages(db, metadata, args.repeat, set(args.groups.split(",")) if args.groups else None)
        out = args.out or args.work / "pages.json"
        out.write_text(json.dumps({"pages": pages, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
                                  ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        slow = [p for p in pages if not p["ok"]]
        print(f"{len(pages) - len(slow)} of {len(pages)} pages meet their target; not: "
              + "; ".join(f"{p['table']} {p['kind']} {p['median_ms']:.0f} ms" for p in slow))
        return 0
    args.out = args.out or ROOT / "bench" / "archive_scale.json"

    work = args.work
    raw = work / "raw.db"
    if args.reuse and raw.exists() and (work / "raw.json").exists():
        facts = json.loads((work / "raw.json").read_text(encoding="utf-8"))
        facts["empty_tables"] = add_empty_tables(Path(facts["source"]), raw) or facts.get("empty_tables", [])
    else:
        source = args.source
        if source is None or not (source / "xxgk.db").exists():
            source = source or work / "demo"
            print(f"making a demo archive in {source} (a few minutes)", flush=True)
            subprocess.run([str(Path(sys.executable).with_name("xxgk")), "demo", "--data", str(source),
                            "--no-serve"], check=True, cwd=ROOT)
        print(f"building {args.reports} reports in {raw}", flush=True)
        facts = build(source, work, args.reports)
    print(json.dumps(facts, ensure_ascii=False), flush=True)
    if args.build_only:
        return 0
    if args.prepare_only:
        db = work / "xxgk.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        subprocess.run(["cp", "--reflink=auto", str(raw), str(db)], check=True)
        prepared = time_prepare(db, work / "archive", parallel)
        out = args.out or work / "prepare.json"
        out.write_text(json.dumps(prepared, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(prepared, ensure_ascii=False), flush=True)
        return 0

    db = work / "xxgk.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    subprocess.run(["cp", "--reflink=auto", str(raw), str(db)], check=True)
    print("timing prepare", flush=True)
    prepared = time_prepare(db, work / "archive", parallel)
    print(json.dumps(prepared, ensure_ascii=False), flush=True)
    again = time_prepare(db, work / "archive", parallel)
    print(f"prepare again: {again['wall_seconds']} s", flush=True)
    crawl = simulate_crawl(db, args.new_reports)
    after_crawl = time_prepare(db, work / "archive", parallel)
    after_crawl["crawl"] = crawl
    print(f"prepare after a crawl of {args.new_reports} new reports: {json.dumps(after_crawl, ensure_ascii=False)}",
          flush=True)
    metadata = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))
    with LoadSampler() as pages_load:
        pages = time_pages(db, metadata, args.repeat)
    git = subprocess.run(["git", "log", "-1", "--format=%h %s"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    import datasette
    result = {
        "commit": git,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                    "datasette": datasette.__version__},
        "archive": facts,
        "published_db_bytes": db.stat().st_size,
        "prepare": prepared,
        "prepare_again": again,
        "prepare_after_crawl": after_crawl,
        "targets": {"page_ms": TARGETS_MS["page"], "query_ms": TARGETS_MS["query"], "prepare_seconds": 60,
                    "prepare_peak_rss_mb": 500},
        "pages_load_average": pages_load.summary(),
        "pages": pages,
    }
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
