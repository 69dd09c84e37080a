"""Build the human-facing schema of the archive catalogue before it is served.

Datasette serves the catalogue immutable, so everything a visitor sees is
built beforehand, here, in one transaction, idempotently: running
:func:`prepare` twice changes nothing the second time (a fingerprint of the
inputs is kept in ``publish_info`` and the rebuild is skipped when it
matches).

What it adds (the crawler's own tables are never rewritten):

``metric_definitions``
    the vocabulary of ``parse/metrics.yaml``, one row per valid key (table 三
    families expanded with their applicant columns): Chinese label, English
    description, unit, era, note.
``sites``
    the site registry (``crawler/sites.yaml``) plus every site name the
    catalogue has seen that is not registered (``registered = 0``).
``report_figures``
    one row per report with the headline figures as columns.
``figures`` (view)
    the figures in long form, with the report's agency/year/place (from
    report_figures) and the metric's Chinese label and unit.
``report_sums``
    report_figures added up per province, year, level and report form (sums
    and how many reports state each figure), for the canned queries and
    charts that add the headline figures up.
``body_year_gaps``
    the rows of the missing_years query for every value of its province
    filter.
``timeliness``
    each parsed report's publication date against its legal deadline (see
    :mod:`publish.timeliness`): on time, late, or date unknown; the rows of
    that module's view, stored as a table (with indexes for its sort and
    facets).
``archive_files``
    how each archived body is served at ``/-/archive/<sha256>``: as text
    (decoded with the encoding :func:`archive.encoding.choose_encoding`
    picks, stored here so the server needs no detection) or as a download.
``reports_fts``
    SQLite FTS5 over every character bigram of reports' title, agency and
    text (contentless, detail=full: the text is not stored twice): substring
    search for terms of any length, a term of two characters or more as the
    phrase of its bigrams, one character as a prefix (see ``FTS_DDL``).
``publish_info``
    key/value facts about the prepared database (when, from what, where the
    archive folder is), the row count of every table and view and the counts
    of the facets too large to count at each visit (for
    ``publish/plugins/xxgk_scale.py``); ``publish_info_search``: which parse of
    each report the search index holds (a later prepare adds the reports
    parsed since, and rebuilds the index only when a report it holds was
    parsed again).

Foreign keys the catalogue does not declare yet (``reports.parsed_sha256 →
bodies``, ``fetches.crawl_run_id → crawl_runs``) are added when absent and
when no existing row violates them, by rewriting the table's schema text (no
data is copied; see "Making Other Kinds Of Table Schema Changes" in SQLite's
ALTER TABLE documentation).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from parse.template import APPLICANTS_EN, GROUP_HEADINGS
from publish.timeliness import build_timeliness_view

PROJECT_ROOT = Path(__file__).resolve().parents[1]
METRICS_YAML = PROJECT_ROOT / "parse" / "metrics.yaml"
SITES_YAML = PROJECT_ROOT / "crawler" / "sites.yaml"

# Bump when what prepare() builds changes: forces a rebuild of prepared databases.
PREPARE_VERSION = 7

# ---------------------------------------------------------------------------
# Headline figures: column of report_figures -> the metric keys it sums.
# A column is NULL when the report states none of its keys (never a silent 0).
# ---------------------------------------------------------------------------


def _vocabulary_keys(prefix: str, suffix: str = ".total") -> tuple[str, ...]:
    data = yaml.safe_load(METRICS_YAML.read_text(encoding="utf-8"))
    return tuple(f"{key}{suffix}" for key in data["metrics"] if key.startswith(prefix))


HEADLINE_COLUMNS: list[tuple[str, tuple[str, ...], str]] = [
    ("requests_received", ("requests.new.total",), "本年新收政府信息公开申请数量 (requests.new.total), 件"),
    ("requests_carried_over", ("requests.carried_over.total",), "上年结转政府信息公开申请数量 (requests.carried_over.total), 件"),
    ("disclosed", ("outcome.disclosed.total",), "（一）予以公开 (outcome.disclosed.total), 件"),
    ("partly_disclosed", ("outcome.partially_disclosed.total",), "（二）部分公开 (outcome.partially_disclosed.total), 件"),
    ("withheld", ("outcome.withheld.total",), "（三）不予公开 (outcome.withheld.total), 件"),
    ("unavailable", _vocabulary_keys("outcome.unavailable."),
     "（四）无法提供: sum of outcome.unavailable.*.total (不掌握, 需另行制作, 仍不明确), 件"),
    ("not_processed", _vocabulary_keys("outcome.not_processed."),
     "（五）不予处理: sum of outcome.not_processed.*.total (信访举报, 重复申请, 公开出版物, 大量反复, 确认或重新出具), 件"),
    ("other_outcome", ("outcome.other.total",), "（六）其他处理 (outcome.other.total), 件"),
    ("answered_total", ("outcome.total.total",), "（七）总计: requests answered (outcome.total.total), 件"),
    ("carried_forward", ("requests.carried_forward.total",), "结转下年度继续办理 (requests.carried_forward.total), 件"),
    ("reconsiderations", ("review.total",), "行政复议 总计: administrative reconsideration cases (review.total), 件"),
    ("lawsuits", ("litigation.total",), "行政诉讼 总计: lawsuits, direct and after reconsideration (litigation.total), 件"),
    ("proactive_items", ("proactive.total",), "主动公开政府信息数: items disclosed proactively (proactive.total), 条"),
    ("fees_yuan", ("fees.collected",), "依申请公开收取的费用: fees collected (fees.collected), 元"),
]

# Outcome columns whose sum is the denominator of the outcome shares.
OUTCOME_COLUMNS = ("disclosed", "partly_disclosed", "withheld", "unavailable", "not_processed", "other_outcome")

# Indexes for the canned queries, facets, sorts and filters the site offers (names
# prefixed so they are recognisably ours). On an archive of 100,000 reports a
# facet, sort or filter on a column without one reads the whole table.
INDEXES = [
    ("idx_publish_reports_agency_year", "reports", ("agency", "year")),
    ("idx_publish_reports_site_year", "reports", ("site", "year")),
    ("idx_publish_reports_province_year", "reports", ("province", "year")),
    ("idx_publish_reports_admin_level", "reports", ("admin_level",)),
    ("idx_publish_reports_format", "reports", ("format",)),
    ("idx_publish_reports_published", "reports", ("published",)),
    ("idx_publish_reports_title", "reports", ("title",)),
    ("idx_publish_reports_first_seen", "reports", ("first_seen",)),
    ("idx_publish_reports_last_seen", "reports", ("last_seen",)),
    # search_text's order (its matches' first 1,001)
    ("idx_publish_reports_year_agency", "reports", ("year", "agency")),
    # missing_years reads a body's years from the index alone: body_key, a late
    # column, lies behind the report's text in the row
    ("idx_publish_reports_body_years", "reports", ("parse_status", "body_key", "year", "agency", "province")),
    # a filtered page's five facets, counted together in one pass over this index
    # (publish/plugins/xxgk_scale.py), in the order metadata.json lists them
    ("idx_publish_reports_facets", "reports", ("year", "province", "admin_level", "format", "parse_status")),
    # a key's figures (figures?key=, metrics?key=, metric_across_reports): their
    # count, reports, facets and order by value from the index, not from 100,000
    # rows of metrics. The catalogue keeps it itself (archive.catalogue.METRICS_KEY_INDEX,
    # under its own name: not built again here); built here for a catalogue not
    # opened by the crawler since it did
    ("idx_publish_metrics_key_facets", "metrics", ("key", "report_id", "source", "approximate", "certain", "value")),
    ("idx_publish_warnings_code", "warnings", ("code", "report_id")),
    ("idx_publish_fetches_sha256_id", "fetches", ("sha256", "id")),
    ("idx_publish_fetches_status", "fetches", ("status",)),
    ("idx_publish_fetches_content_type", "fetches", ("content_type",)),
    ("idx_publish_fetches_declared_encoding", "fetches", ("declared_encoding",)),
    ("idx_publish_fetches_size", "fetches", ("size",)),
    ("idx_publish_fetches_fetched_at", "fetches", ("fetched_at",)),
    ("idx_publish_bodies_size", "bodies", ("size",)),
    ("idx_publish_bodies_first_stored_at", "bodies", ("first_stored_at",)),
    # archive_files looks up each body's attachment: without it, quadratic
    ("idx_publish_attachments_sha256_id", "attachments", ("sha256", "id")),
    ("idx_publish_attachments_content_type", "attachments", ("content_type",)),
    ("idx_publish_report_versions_sha256", "report_versions", ("sha256",)),
    ("idx_publish_crawl_runs_site", "crawl_runs", ("site", "started_at")),
    ("idx_publish_crawl_runs_started_at", "crawl_runs", ("started_at",)),
]
# Indexes of the tables prepare() builds, created with them.
BUILT_INDEXES = [
    ("idx_publish_report_figures_year_level", "report_figures", ("year", "admin_level")),
    ("idx_publish_report_figures_province_year", "report_figures", ("province", "year")),
    ("idx_publish_report_figures_agency_year", "report_figures", ("agency", "year")),
    ("idx_publish_report_figures_admin_level", "report_figures", ("admin_level",)),
    ("idx_publish_report_figures_format", "report_figures", ("format",)),
    ("idx_publish_report_figures_parse_status", "report_figures", ("parse_status",)),
    ("idx_publish_report_figures_facets", "report_figures", ("year", "province", "admin_level", "format", "parse_status")),
    ("idx_publish_timeliness_status", "timeliness", ("status", "days_after_deadline")),
    ("idx_publish_timeliness_days", "timeliness", ("days_after_deadline",)),
    ("idx_publish_timeliness_year", "timeliness", ("year",)),
    ("idx_publish_timeliness_admin_level", "timeliness", ("admin_level",)),
    ("idx_publish_timeliness_province_year", "timeliness", ("province", "year")),
    ("idx_publish_archive_files_served_as", "archive_files", ("served_as",)),
    ("idx_publish_archive_files_encoding", "archive_files", ("encoding",)),
    ("idx_publish_archive_files_content_type", "archive_files", ("content_type",)),
]
# Every headline figure and the figure count are sortable in report_figures.
BUILT_INDEXES += [(f"idx_publish_report_figures_{name}", "report_figures", (name,))
                  for name in ["figures"] + [c for c, _, _ in HEADLINE_COLUMNS]]
# Indexes of earlier versions that nothing needs any more (dropped: they cost
# their size in every copy of the archive). The catalogue's index on metrics(key, …) answers key lookups.
OBSOLETE_INDEXES = ("idx_publish_metrics_key_report",)

# Content types served as text (decoded); everything else is a download.
TEXT_TYPES = ("text/html", "text/plain", "application/xhtml+xml", "text/xml", "application/xml", "application/json")

# ---------------------------------------------------------------------------
# English descriptions of metric keys, composed from their segments.
# ---------------------------------------------------------------------------

SEGMENTS_EN = {
    "proactive": "proactive disclosure", "response": "responding to public concern", "requests": "disclosure requests",
    "outcome": "outcome of requests", "legacy": "legacy", "replies": "replies", "review": "administrative reconsideration",
    "litigation": "administrative litigation", "complaints": "complaints and reports", "fees": "fees", "org": "organisation",
    "staff": "staff", "budget": "budget", "meetings": "meetings", "trainings": "training",
    "total": "total", "cumulative": "cumulative", "normative_documents": "normative documents", "channel": "channel",
    "website": "government website", "gazette": "government gazette", "weibo": "government Weibo",
    "wechat": "government WeChat", "other": "other", "interpretations": "policy interpretations published",
    "press_conferences": "press conferences", "public_concerns": "public concerns answered", "rules": "rules (规章)",
    "issued": "issued this year", "repealed": "repealed this year", "in_force": "in force",
    "new_made": "newly made this year", "new_published": "newly published this year",
    "total_published": "published in total", "licensing": "administrative licensing", "decisions": "decisions",
    "other_services": "other external management services", "penalties": "administrative penalties",
    "enforcement": "administrative enforcement", "items_last_year": "items last year",
    "items_change": "change in items this year", "amount": "amount", "procurement": "centralised procurement",
    "projects": "projects", "new": "received this year", "carried_over": "carried over from last year",
    "carried_forward": "carried forward to next year", "disclosed": "disclosed", "partially_disclosed": "partly disclosed",
    "withheld": "withheld", "state_secret": "state secret", "prohibited_by_law": "prohibited by other laws",
    "security_stability": "endangers security or stability", "third_party_rights": "third-party rights",
    "internal_affairs": "internal affairs", "process_information": "process information",
    "enforcement_files": "law-enforcement files", "administrative_inquiry": "administrative inquiry matter",
    "unavailable": "cannot be provided", "not_held": "not held by the agency",
    "needs_creation": "would need to be created", "unclear": "still unclear after correction",
    "not_processed": "not processed", "petition": "petition or complaint", "repeated": "repeated request",
    "publication": "asks for a publication", "mass_repeated": "mass repeated requests",
    "confirmation": "asks to confirm or reissue", "no_correction": "applicant did not correct in time",
    "no_fee_paid": "applicant did not pay the fee", "misc": "other", "in_person": "in person", "online": "online",
    "letter": "by letter", "fax": "by fax", "letter_fax": "by letter or fax", "completed": "completed",
    "completed_on_time": "completed on time", "completed_extended": "completed after extension",
    "already_public": "already public", "not_own_agency": "not this agency's information",
    "not_exist": "information does not exist", "correction_requested": "asked to correct the request",
    "other_channel": "told to use another channel", "upheld": "upheld", "corrected": "corrected",
    "pending": "pending", "direct": "directly (without reconsideration)", "after_review": "after reconsideration",
    "collected": "collected", "notices_issued": "fee notices issued", "notices_amount": "fee notices, amount",
    "units": "dedicated units", "reading_points": "reading points", "full_time": "full-time", "part_time": "part-time",
    "special_funds": "special funds", "count": "count", "attendees": "attendees",
}

# Chinese headings of outcome groups that have no key of their own in the vocabulary.
GROUPS_ZH = {f"outcome.{g}": GROUP_HEADINGS[g] for g in ("unavailable", "not_processed")}

SECTIONS_ZH = {
    "proactive": "主动公开", "response": "回应关切", "requests": "依申请公开", "outcome": "申请办理结果",
    "legacy": "申请答复（旧版附表）", "review": "行政复议", "litigation": "行政诉讼", "complaints": "举报投诉",
    "fees": "收费", "org": "机构建设", "staff": "人员", "budget": "经费", "meetings": "会议", "trainings": "培训",
}


def _english(base: str, column: str | None) -> str:
    words = [SEGMENTS_EN.get(part, part.replace("_", " ")) for part in base.split(".")]
    text = " › ".join(words)
    if column:
        text += f" — {APPLICANTS_EN.get(column, column)}"
    return text[:1].upper() + text[1:]


@dataclass
class MetricDefinition:
    key: str
    family: str
    applicant_column: str | None
    label: str
    label_en: str
    unit: str | None
    era: str | None
    note: str | None
    labels: str
    section: str
    section_zh: str | None
    sort_order: int


def metric_definitions(path: Path = METRICS_YAML) -> list[MetricDefinition]:
    """Every valid metric key of the vocabulary, with its labels (the rules of
    :mod:`parse.vocabulary`: table-三 families only exist with an applicant column)."""
    from parse.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(path)
    order = 0
    rows: list[MetricDefinition] = []
    for base, spec in vocabulary.metrics.items():
        first = spec.labels[0] if spec.labels else base
        parent, _, _ = base.rpartition(".")
        context = None
        if base.startswith("outcome.") and parent != "outcome":
            if parent in GROUPS_ZH:
                context = GROUPS_ZH[parent]
            elif parent in vocabulary.metrics and vocabulary.metrics[parent].labels:
                context = vocabulary.metrics[parent].labels[0]
        label = f"{context} › {first}" if context else first
        section = base.split(".", 1)[0]
        columns = list(vocabulary.applicant_columns) if spec.takes_applicant_column else [None]
        for column in columns:
            order += 1
            if column:
                column_zh = vocabulary.applicant_columns[column][0]
                key, full_label = f"{base}.{column}", f"{label} · {column_zh}"
            else:
                key, full_label = base, label
            rows.append(
                MetricDefinition(
                    key=key, family=base, applicant_column=column, label=full_label,
                    label_en=_english(base, column), unit=spec.unit, era=spec.era, note=spec.note,
                    labels=" | ".join(spec.labels), section=section, section_zh=SECTIONS_ZH.get(section),
                    sort_order=order,
                )
            )
    return rows


# ---------------------------------------------------------------------------
# The search index's tokens: character bigrams.
# ---------------------------------------------------------------------------

# Where an ASCII character other than a letter or digit goes in the search
# index's text (plane 15's private use area): FTS5's ascii tokenizer splits
# tokens at those characters only, and keeps every other one inside a token.
SEARCH_PUNCTUATION_BASE = 0xF0000
# Characters the search takes for one space, a run of them for one: ASCII
# white space and the bar between a table's cells (the catalogue stores a
# table as rows "| 本年新收 | 28 | 0 |"). They are a third of the archive's
# characters, and bigrams of them only ("| ", " |", "\n|") a quarter of its
# bigrams, in every report: left out, the index is built in a fifth less time.
SEARCH_SPACES = " \t\n\r\f\v|"


def search_char(char: str) -> str:
    """One character as the search index holds it (and a query looks it up):
    its lower case, when that is one character; an ASCII character other than
    a letter or digit (space, newline, punctuation) moved to
    ``SEARCH_PUNCTUATION_BASE`` + its code, so that it stays inside a token;
    every one of SEARCH_SPACES as the space.
    (publish/plugins/xxgk_archive.py folds a query's characters the same way.)"""
    if char in SEARCH_SPACES:
        char = " "
    if char.isascii() and not char.isalnum():
        return chr(SEARCH_PUNCTUATION_BASE + ord(char))
    low = char.lower()
    return low if len(low) == 1 else char


def search_chars(text: str) -> list[str]:
    """``text`` as the search index sees it: :func:`search_char` of each
    character, a run of SEARCH_SPACES as one space."""
    space = search_char(" ")
    chars = [search_char(c) for c in text]
    return [c for i, c in enumerate(chars) if not (c == space and i and chars[i - 1] == space)]


def bigrams(text: str) -> list[str]:
    """The search index's tokens of ``text``: one at each character position
    of :func:`search_chars`, the character and the next one (the last
    character alone). A substring of n >= 2 characters is then the phrase of
    its n - 1 bigrams, one character the prefix of a token."""
    chars = search_chars(text)
    return [a + b for a, b in zip(chars, chars[1:])] + chars[-1:]


@functools.cache
def _search_fold_table():
    """:func:`search_char` of every code point, as a numpy array: the lower
    case of blocks of code points at once, each between NULs (so that each is
    lowered as it is alone: Final_Sigma looks at its neighbours), a block in
    which one lowers to more than one character code point by code point; then
    the ASCII characters and SEARCH_SPACES (0.06 s, against 1 s for
    search_char of each code point: every prepare and search worker builds it)."""
    import numpy as np

    fold = np.arange(0x110000, dtype=np.uint32)
    step = 4096
    for start in range(0, 0x110000, step):
        block = "\0".join(map(chr, range(start, start + step))) + "\0"
        low = block.lower()
        if len(low) == len(block):
            fold[start:start + step] = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)[0::2]
        else:
            for code in range(start, start + step):
                folded = chr(code).lower()
                if len(folded) == 1:
                    fold[code] = ord(folded)
    for code in [*range(128), *map(ord, SEARCH_SPACES)]:
        fold[code] = ord(search_char(chr(code)))
    return fold


def bigram_text(text: str) -> str:
    """:func:`bigrams` of ``text`` joined by spaces, as the search index is
    given them (its ascii tokenizer splits them at the spaces); vectorised."""
    if not text:
        return ""
    import numpy as np

    codes = _search_fold_table()[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)]
    space = codes == ord(search_char(" "))
    codes = codes[np.concatenate(([True], ~(space[1:] & space[:-1])))]  # a run of spaces: its first
    out = np.empty(3 * len(codes) - 2, dtype=np.uint32)
    out[0::3] = codes
    out[1::3] = codes[1:]
    out[2::3] = 32
    return out.tobytes().decode("utf-32-le", "surrogatepass")


# ---------------------------------------------------------------------------
# prepare()
# ---------------------------------------------------------------------------


@dataclass
class PrepareResult:
    rebuilt: bool
    fingerprint: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # each step's time
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # each step's CPU time (this process's)
    search: str = ""  # how the search indexes were brought up to date: "rebuilt", "added N"
    # the search workers' times and peak memory when the indexes were rebuilt in parallel
    workers: dict[str, dict] = field(default_factory=dict)
    touched: dict[str, list[str]] = field(default_factory=dict, repr=False)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _archive_setting(db_path: Path, archive_dir: Path | None) -> str | None:
    """The archive folder as publish_info records it: relative to the database's
    folder when that is shorter (a copied data folder keeps working)."""
    if archive_dir is None:
        return None
    archive_dir = archive_dir.resolve()
    try:
        return os.path.relpath(archive_dir, db_path.resolve().parent)
    except ValueError:  # another drive (Windows)
        return str(archive_dir)


_FINGERPRINT_SQL = {
    "reports": "SELECT count(*), max(id), max(parsed_at), max(last_seen), total(length(text)), total(length(title)) "
               "FROM reports",
    # the values' sum as integers (each in thousandths, modulo a prime: exact, never
    # overflowing): a sum of floats depends on the order the rows are read in, which
    # changes when ANALYZE makes the planner read an index instead of the table (the
    # first `xxgk serve` after a first prepare then prepared again: 27 s)
    "metrics": "SELECT count(*), max(id), sum(CAST(value * 1000 AS INTEGER) % 1000000007) FROM metrics",
    "warnings": "SELECT count(*), max(id) FROM warnings",
    "fetches": "SELECT count(*), max(id) FROM fetches",
    "bodies": "SELECT count(*) FROM bodies",
    "attachments": "SELECT count(*), max(id) FROM attachments",
    "crawl_runs": "SELECT count(*), max(id), max(started_at) FROM crawl_runs",
}


def _fingerprint(conn: sqlite3.Connection, archive_setting: str | None, metrics_yaml: Path, sites_yaml: Path,
                 counts: dict[str, int] | None = None, rows: dict[str, tuple] | None = None) -> str:
    """The digest of prepare's inputs; fills ``counts`` with the row counts it
    read on the way, and ``rows`` with what each query returned."""
    digest = hashlib.sha256()
    digest.update(f"v{PREPARE_VERSION}|{archive_setting}".encode())
    digest.update(metrics_yaml.read_bytes())
    digest.update(sites_yaml.read_bytes())
    for table, sql in _FINGERPRINT_SQL.items():
        row = conn.execute(sql).fetchone()
        if counts is not None:
            counts[table] = row[0]
        if rows is not None:
            rows[table] = row
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _build_metric_definitions(conn: sqlite3.Connection, metrics_yaml: Path) -> int:
    conn.execute("DROP TABLE IF EXISTS metric_definitions")
    conn.execute(
        """CREATE TABLE metric_definitions (
            key TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            label_en TEXT NOT NULL,
            unit TEXT,
            era TEXT,
            note TEXT,
            family TEXT NOT NULL,
            applicant_column TEXT,
            labels TEXT,
            section TEXT NOT NULL,
            section_zh TEXT,
            sort_order INTEGER NOT NULL
        )"""
    )
    rows = metric_definitions(metrics_yaml)
    conn.executemany(
        "INSERT INTO metric_definitions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (r.key, r.label, r.label_en, r.unit, r.era, r.note, r.family, r.applicant_column, r.labels,
             r.section, r.section_zh, r.sort_order)
            for r in rows
        ],
    )
    return len(rows)


def _build_sites(conn: sqlite3.Connection, sites_yaml: Path) -> int:
    from crawler.sites import load_sites

    conn.execute("DROP TABLE IF EXISTS sites")
    conn.execute(
        """CREATE TABLE sites (
            name TEXT PRIMARY KEY,
            agency TEXT,
            province TEXT,
            city TEXT,
            county TEXT,
            start_url TEXT,
            family TEXT,
            verified INTEGER,
            registered INTEGER NOT NULL,
            source TEXT,
            note TEXT,
            level TEXT,
            body_key TEXT,
            report_column TEXT,
            gone_since TEXT
        )"""
    )
    from parse.bodies import body_key

    registry = load_sites(sites_yaml)
    conn.executemany(  # a discovered body (crawler/discovered.py) with its level, key, 年报 column, gone_since
        "INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
        [(s.name, s.agency, s.province, s.city, s.county, s.start_url, s.family, int(s.verified), s.source, s.note,
          s.level, body_key(s.agency), s.report_column, s.gone_since)
         for s in registry],
    )
    # Sites crawled from a bare --start-url are named by host: list them too.
    conn.execute(
        """INSERT INTO sites (name, start_url, registered)
           SELECT site, min(start_url), 0 FROM (
               SELECT site, NULL AS start_url FROM reports WHERE site IS NOT NULL
               UNION ALL SELECT site, start_url FROM crawl_runs WHERE site IS NOT NULL
           ) WHERE site NOT IN (SELECT name FROM sites) GROUP BY site"""
    )
    return conn.execute("SELECT count(*) FROM sites").fetchone()[0]


def _build_report_figures(conn: sqlite3.Connection) -> int:
    conn.execute("DROP TABLE IF EXISTS report_figures")
    figure_columns = ",\n".join(f"            {name} NUMERIC" for name, _, _ in HEADLINE_COLUMNS)
    conn.execute(
        f"""CREATE TABLE report_figures (
            report_id INTEGER PRIMARY KEY REFERENCES reports(id),
            year INTEGER,
            title TEXT,
            agency TEXT,
            province TEXT,
            city TEXT,
            county TEXT,
            township TEXT,
            admin_level TEXT,
            format TEXT,
            parse_status TEXT,
{figure_columns},
            figures INTEGER NOT NULL,
            warning_codes TEXT,
            url TEXT,
            archived_sha256 TEXT REFERENCES bodies(sha256)
        )"""
    )
    selects, params = [], []
    for name, keys, _ in HEADLINE_COLUMNS:
        marks = ", ".join("?" for _ in keys)
        # a doubtful figure (outside its plausible range) is no headline figure
        selects.append(f"sum(CASE WHEN m.key IN ({marks}) AND m.certain = 1 THEN m.value END) AS {name}")
        params.extend(keys)
    every_key = sorted({key for _, keys, _ in HEADLINE_COLUMNS for key in keys})
    params.extend(every_key)
    names = ", ".join(name for name, _, _ in HEADLINE_COLUMNS)
    # The headline sums read only the headline keys' rows (through the index on
    # metrics.key: a tenth of the table), the figure count only the index on
    # metrics.report_id: not every figure of the archive through 14 CASEs.
    conn.execute(
        f"""INSERT INTO report_figures
            SELECT r.id, r.year, r.title, r.agency, r.province, r.city, r.county, r.township, r.admin_level, r.format,
                   r.parse_status, {names}, coalesce(c.n, 0), w.codes, r.url,
                   CASE WHEN coalesce(r.parsed_sha256, r.sha256) IN (SELECT sha256 FROM bodies)
                        THEN coalesce(r.parsed_sha256, r.sha256) END
            FROM reports r
            LEFT JOIN (
                SELECT m.report_id, {", ".join(selects)}
                FROM metrics m WHERE m.key IN ({", ".join("?" for _ in every_key)}) GROUP BY m.report_id
            ) f ON f.report_id = r.id
            LEFT JOIN (SELECT report_id, count(*) AS n FROM metrics GROUP BY report_id) c ON c.report_id = r.id
            LEFT JOIN (
                SELECT report_id, group_concat(code, ', ') AS codes
                FROM (SELECT DISTINCT report_id, code FROM warnings ORDER BY report_id, code)
                GROUP BY report_id
            ) w ON w.report_id = r.id""",
        params,
    )
    return conn.execute("SELECT count(*) FROM report_figures").fetchone()[0]


def _build_figures_view(conn: sqlite3.Connection) -> None:
    """``figures``: the report's columns from report_figures (one row per report,
    the same values as reports', a small table): a figure's report found in
    reports reads that report's row, text and all (100,000 of them for a key)."""
    conn.execute("DROP VIEW IF EXISTS figures")
    conn.execute(
        """CREATE VIEW figures AS
        SELECT m.id AS metric_id, m.report_id, r.year, r.agency, r.province, r.admin_level, r.format,
               m.key, d.label, d.label_en, m.value, coalesce(m.unit, d.unit) AS unit, m.source, m.approximate,
               m.certain, m.evidence, m.origin, d.section, d.family, d.applicant_column
        FROM metrics m
        JOIN report_figures r ON r.report_id = m.report_id
        LEFT JOIN metric_definitions d ON d.key = m.key"""
    )


def _build_report_sums(conn: sqlite3.Connection) -> int:
    """``report_sums``: report_figures summed per province, year, level and
    report form (a few thousand rows for 100,000 reports), for the canned
    queries and charts that add the headline figures up (they read
    report_figures whole at each visit otherwise). Per group: the reports;
    each headline column's sum and how many reports state it (``<column>`` and
    ``<column>_reports``: a sum over reports stating none is NULL, never 0);
    for the outcome shares, the reports stating an outcome (``stated_reports``),
    their outcomes added up (``answered``) and, per outcome, that sum over the
    reports stating it (``<outcome>_answered``)."""
    conn.execute("DROP TABLE IF EXISTS report_sums")
    stated = f"coalesce({', '.join(OUTCOME_COLUMNS)}) IS NOT NULL"
    answered = " + ".join(f"coalesce({c}, 0)" for c in OUTCOME_COLUMNS)
    groups = [("province", "TEXT"), ("year", "INTEGER"), ("admin_level", "TEXT"), ("format", "TEXT")]
    columns = [(name, decl, name) for name, decl in groups] + [("reports", "INTEGER", "count(*)")]
    for name, _, _ in HEADLINE_COLUMNS:
        columns += [(name, "NUMERIC", f"sum({name})"), (f"{name}_reports", "INTEGER", f"count({name})")]
    columns += [("stated_reports", "INTEGER", f"count(CASE WHEN {stated} THEN 1 END)"),
                ("answered", "NUMERIC", f"sum(CASE WHEN {stated} THEN {answered} END)")]
    columns += [(f"{c}_answered", "NUMERIC", f"sum(CASE WHEN {c} IS NOT NULL THEN {answered} END)")
                for c in OUTCOME_COLUMNS]
    conn.execute(f"CREATE TABLE report_sums (id INTEGER PRIMARY KEY, "
                 f"{', '.join(f'{name} {decl}' for name, decl, _ in columns)})")
    keys = ", ".join(name for name, _ in groups)
    conn.execute(f"INSERT INTO report_sums ({', '.join(name for name, _, _ in columns)}) "
                 f"SELECT {', '.join(expr for _, _, expr in columns)} FROM report_figures "
                 f"GROUP BY {keys} ORDER BY {keys}")
    return conn.execute("SELECT count(*) FROM report_sums").fetchone()[0]


def body_year_gaps(rows) -> list[tuple]:
    """The bodies with a year missing between the first and the last year they
    published a report for (the ``missing_years`` query): from ``rows``
    (body_key, year, agency, province) of parsed reports, one tuple (body_key,
    agency, province, first_year, last_year, years_published, years_missing,
    years_seen) per such body; agency and province are the largest (SQLite's
    max) of the body's last year."""
    seen: dict = {}
    for body_key, year, agency, province in rows:
        years = seen.setdefault(body_key, {})
        largest = years.get(year)
        if largest is None:
            years[year] = [agency, province]
        else:
            largest[0] = _larger(largest[0], agency)
            largest[1] = _larger(largest[1], province)
    out = []
    for body_key, years in seen.items():
        first, last = min(years), max(years)
        if last - first + 1 <= len(years):
            continue
        agency, province = years[last]
        missing = ", ".join(str(y) for y in range(first, last + 1) if y not in years)
        out.append((body_key, agency, province, first, last, len(years), missing,
                    ", ".join(str(y) for y in sorted(years))))
    return out


def _larger(a, b):
    """SQLite's max() of two values of a column (NULL ignored)."""
    if a is None or b is None:
        return b if a is None else a
    return max(a, b, key=_sql_order)


def _build_body_year_gaps(conn: sqlite3.Connection) -> int:
    """``body_year_gaps``: the rows of the missing_years query, worked out for
    every value of its province filter ('' for every province, and each
    province): the query groups every body's years at each visit otherwise
    (100,000 reports: most of a second)."""
    conn.execute("DROP TABLE IF EXISTS body_year_gaps")
    conn.execute(
        """CREATE TABLE body_year_gaps (
            province_filter TEXT NOT NULL,
            body_key TEXT NOT NULL,
            agency TEXT,
            province TEXT,
            first_year INTEGER,
            last_year INTEGER,
            years_published INTEGER,
            years_missing TEXT,
            years_seen TEXT,
            PRIMARY KEY (province_filter, body_key)
        )"""
    )
    rows = conn.execute(
        "SELECT body_key, year, agency, province FROM reports "
        "WHERE parse_status = 'ok' AND body_key IS NOT NULL AND year IS NOT NULL").fetchall()
    by_province: dict = {}
    for row in rows:
        if row[3] is not None:
            by_province.setdefault(row[3], []).append(row)
    for scope, scoped in [("", rows)] + sorted(by_province.items()):
        conn.executemany("INSERT INTO body_year_gaps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(scope, *gap) for gap in body_year_gaps(scoped)])
    return conn.execute("SELECT count(*) FROM body_year_gaps").fetchone()[0]


def _build_timeliness(conn: sqlite3.Connection) -> None:
    """``timeliness`` as a table: the view of :mod:`publish.timeliness`, its rows
    stored (one per parsed report, keyed by report_id) so that its pages sort
    by days_after_deadline and count its statuses on indexes, not by working
    out every report's deadline at each visit (half a second at 100,000)."""
    row = conn.execute("SELECT type FROM sqlite_master WHERE name = 'timeliness'").fetchone()
    if row and row[0] == "table":  # (a view when prepared before version 5: build_timeliness_view drops it)
        conn.execute("DROP TABLE timeliness")
    build_timeliness_view(conn)
    columns = [(row[1], row[2]) for row in conn.execute("PRAGMA table_info(timeliness)")]
    definitions = ", ".join(f"[{name}] INTEGER PRIMARY KEY" if name == "report_id" else f"[{name}] {decltype}".strip()
                            for name, decltype in columns)
    conn.execute("DROP TABLE IF EXISTS publish_timeliness")
    conn.execute(f"CREATE TABLE publish_timeliness ({definitions})")
    conn.execute("INSERT INTO publish_timeliness SELECT * FROM timeliness ORDER BY report_id")
    conn.execute("DROP VIEW timeliness")
    conn.execute("ALTER TABLE publish_timeliness RENAME TO timeliness")


def _build_archive_files(conn: sqlite3.Connection, archive_dir: Path | None, result: PrepareResult) -> int:
    """One row per archived body: content type, filename, how it is served and
    the encoding to decode it with. Incremental: bodies already described keep
    their row (a body's bytes never change)."""
    from archive.encoding import choose_encoding

    conn.execute(
        """CREATE TABLE IF NOT EXISTS archive_files (
            sha256 TEXT PRIMARY KEY REFERENCES bodies(sha256),
            size INTEGER,
            content_type TEXT,
            served_as TEXT NOT NULL,
            encoding TEXT,
            filename TEXT,
            url TEXT
        )"""
    )
    # Rows written without an archive folder at hand have no encoding: retry them.
    if archive_dir is not None:
        conn.execute("DELETE FROM archive_files WHERE served_as = 'text' AND encoding IS NULL")
    pending = conn.execute(
        """SELECT b.sha256, b.size,
                  (SELECT f.content_type FROM fetches f WHERE f.sha256 = b.sha256 ORDER BY f.id DESC LIMIT 1),
                  (SELECT f.declared_encoding FROM fetches f WHERE f.sha256 = b.sha256 ORDER BY f.id DESC LIMIT 1),
                  (SELECT coalesce(f.final_url, f.url) FROM fetches f WHERE f.sha256 = b.sha256 ORDER BY f.id LIMIT 1),
                  (SELECT a.filename FROM attachments a WHERE a.sha256 = b.sha256 ORDER BY a.id LIMIT 1)
           FROM bodies b WHERE b.sha256 NOT IN (SELECT sha256 FROM archive_files)"""
    ).fetchall()
    missing = 0
    rows = []
    for sha256, size, content_type, declared, url, filename in pending:
        mime = (content_type or "").split(";", 1)[0].strip().lower()
        served_as = "text" if mime in TEXT_TYPES else "download"
        encoding = None
        if served_as == "text" and archive_dir is not None:
            path = archive_dir / "sha256" / sha256[:2] / sha256[2:4] / sha256
            try:
                encoding = choose_encoding(path.read_bytes(), declared)
            except FileNotFoundError:
                missing += 1
        if not filename and url:
            filename = url.rstrip("/").rsplit("/", 1)[-1] or None
        rows.append((sha256, size, content_type, served_as, encoding, filename, url))
    conn.executemany("INSERT INTO archive_files VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    if missing:
        result.notes.append(f"{missing} bodies listed in the catalogue are missing from {archive_dir}")
    return conn.execute("SELECT count(*) FROM archive_files").fetchone()[0]


# What the search indexes hold: reports with something to search (a report
# not parsed yet has neither title nor text), and the parse each was indexed
# from (publish_info_search).
_INDEXABLE = "(title IS NOT NULL OR agency IS NOT NULL OR text IS NOT NULL)"


def _index_reports(conn: sqlite3.Connection, where: str, source: str = "reports") -> int:
    """Add the reports ``where`` selects (from ``source``) to reports_fts, their
    fields as :func:`bigram_text`, one report at a time (never the archive's
    bigrams in memory)."""
    rows = conn.cursor().execute(
        f"SELECT id, title, agency, text FROM {source} WHERE {where} ORDER BY id")
    count = 0

    def tokens():
        nonlocal count
        for report_id, title, agency, text in rows:
            count += 1
            yield report_id, bigram_text(title or ""), bigram_text(agency or ""), bigram_text(text or "")

    conn.executemany("INSERT INTO reports_fts(rowid, title, agency, text) VALUES (?, ?, ?, ?)", tokens())
    return count


# Bytes of terms an FTS5 index gathers in memory before it writes them out as a
# segment (FTS5's own default: 1 MiB). At 100,000 reports the default writes
# thousands of small segments and merges them over and over: 64 MiB halves the
# trigram index's build (7.7 -> 4.1 s for 20,000 reports) for some 80 MB more
# memory while it is built. Stored in the index's config (a later prepare that
# adds reports uses it too).
FTS_HASHSIZE = 64 * 1024 * 1024


# FTS5 merges a level's segments into one once it holds 'automerge' of them (by
# default 4) and at once when it holds 'crisismerge' (16). The first build at
# 100,000 reports writes some 12 segments of 64 MiB: with the defaults they are
# merged and merged again as they come, a quarter of the build's time
# (24.9 -> 18.5 CPU s with 16 and 64); a search reads each segment's entries of
# its bigrams (a dozen segments: a few milliseconds). A later prepare's reports
# add a small segment each, merged 16 at a time.
FTS_AUTOMERGE, FTS_CRISISMERGE = 16, 64


def _set_hashsize(conn: sqlite3.Connection, table: str, size: int | None = None) -> None:
    """The index's configuration (stored with it): hashsize, automerge, crisismerge."""
    for option, value in (("hashsize", size or FTS_HASHSIZE), ("automerge", FTS_AUTOMERGE),
                          ("crisismerge", FTS_CRISISMERGE)):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES (?, ?)", [option, value])


# The search index (the same in the served database and in the file a search
# worker builds it in): FTS5 over every character bigram of reports' title,
# agency and text (:func:`bigrams`), given as space-separated tokens to the
# ascii tokenizer, which splits at spaces (and other ASCII punctuation, which
# bigram_text never leaves in a token) and keeps every other character.
# Contentless (the text is not stored again; nothing of it is read back) and
# detail=full: a term of n >= 2 characters is the phrase of its bigrams, one
# character the prefix query of its tokens (publish/plugins/xxgk_archive.py).
# No column sizes (columnsize=0): nothing ranks the matches. One index for
# every length of term, in place of a trigram index (nothing under three
# characters) and a one- and two-character n-gram index beside it (to
# PREPARE_VERSION 6).
FTS_DDL = ("CREATE VIRTUAL TABLE {schema}reports_fts USING fts5("
           "title, agency, text, tokenize='ascii', content='', detail=full, columnsize=0)")
# What earlier versions built and this one drops.
OBSOLETE_SEARCH_TABLES = ("reports_ngrams",)


def _search_is_incremental(conn: sqlite3.Connection, incremental: bool) -> bool:
    """Whether the search index can be added to (see :func:`_build_search`)."""
    if not (incremental and {"reports_fts", "publish_info_search"} <= _table_names(conn)):
        return False
    return not conn.execute(
        "SELECT count(*) FROM publish_info_search s LEFT JOIN reports r ON r.id = s.report_id "
        "WHERE r.id IS NULL OR r.parsed_at IS NOT s.parsed_at").fetchone()[0]


# The archive from which prepare() builds its search index in a worker process
# by default (parallel_search=None): below it the worker's start (a Python
# process, numpy, the snapshot of the reports) is not worth it.
PARALLEL_SEARCH_MIN_REPORTS = 20_000
# Page cache of a search worker (KiB): its writes are appended, seldom read back.
SEARCH_WORKER_CACHE_KIB = 8 * 1024
SEARCH_WORKER_HASHSIZE = 16 * 1024 * 1024
# The indexes a search worker builds (one: the bigram index).
SEARCH_KINDS = ("fts",)


def search_worker(kind: str, source: str, out: str) -> dict:
    """Build the search index (``kind``: "fts") into the fresh file ``out``,
    from the reports of the snapshot file ``source`` (table ``src``: id, title,
    agency, text): what the worker process of :class:`_ParallelSearch` runs.
    The file is scratch (deleted after its index is copied, or when prepare
    fails), so it is written without a journal."""
    started = time.perf_counter()
    conn = sqlite3.connect(out, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(f"PRAGMA cache_size = -{SEARCH_WORKER_CACHE_KIB}")
        conn.execute("ATTACH DATABASE ? AS src", [source])
        conn.execute("BEGIN")
        if kind != "fts":
            raise ValueError(kind)
        conn.execute(FTS_DDL.format(schema="main."))
        _set_hashsize(conn, "reports_fts", SEARCH_WORKER_HASHSIZE)
        _index_reports(conn, "1", source="src.src")
        conn.execute("COMMIT")
    finally:
        conn.close()
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    # VmHWM, this process's own peak (ru_maxrss would keep the peak of the prepare process it was forked from)
    try:
        status = Path("/proc/self/status").read_text()
        peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    except (OSError, StopIteration):
        peak = usage.ru_maxrss / 1024
    return {"seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(peak, 1)}


_WORKER = """
import json, os, sys, threading, time
sys.path.insert(0, {root!r})
parent = os.getppid()

def orphaned():  # prepare killed: stop too (its scratch files are removed by the next prepare)
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)

threading.Thread(target=orphaned, daemon=True).start()
from publish.prepare import search_worker
print(json.dumps(search_worker({kind!r}, {source!r}, {out!r})))
"""


def _scratch_paths(db_path: Path) -> dict[str, Path]:
    """The scratch files of :class:`_ParallelSearch` beside ``db_path`` (and
    those of earlier versions, removed too)."""
    return {name: Path(f"{db_path}.prepare-{name}.tmp") for name in ("src", *SEARCH_KINDS, "ngrams")}


class _ParallelSearch:
    """A full rebuild of the search index by a process of its own while
    prepare() builds the rest (the machine's other core: prepare is otherwise
    one thread): the indexable reports are copied first into a snapshot file
    (so that the worker reads nothing of the catalogue while prepare() writes
    it), the worker builds the index into a scratch file, and :meth:`finish`
    copies the index's shadow tables (FTS5's _data, _idx, _config) into the
    catalogue, in prepare()'s transaction. Scratch files sit beside the
    database and are removed in every case."""

    def __init__(self, conn: sqlite3.Connection, db_path: Path):
        import subprocess
        import sys

        self.paths = _scratch_paths(db_path)
        self.conn, self.procs, self.workers = conn, {}, {}
        self.attached = False
        conn.execute("ATTACH DATABASE ? AS publish_src", [str(self.paths["src"])])
        self.attached = True
        conn.execute("PRAGMA publish_src.journal_mode = OFF")
        conn.execute("PRAGMA publish_src.synchronous = OFF")
        conn.execute("CREATE TABLE publish_src.src (id INTEGER PRIMARY KEY, title TEXT, agency TEXT, text TEXT, "
                     "parsed_at TEXT)")
        conn.execute(f"INSERT INTO publish_src.src SELECT id, title, agency, text, parsed_at FROM main.reports "
                     f"WHERE {_INDEXABLE} ORDER BY id")
        # (attached again in finish(): BEGIN IMMEDIATE would take a write lock on every attached file)
        conn.execute("DETACH DATABASE publish_src")
        self.attached = False
        for kind in SEARCH_KINDS:
            code = _WORKER.format(root=str(PROJECT_ROOT), kind=kind, source=str(self.paths["src"]),
                                  out=str(self.paths[kind]))
            self.procs[kind] = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE, text=True)

    def finish(self) -> tuple[int, str]:
        """Wait for the workers; copy their indexes in (inside the caller's transaction)."""
        for kind, proc in self.procs.items():
            out, err = proc.communicate()
            if proc.returncode:
                raise RuntimeError(f"the {kind} search worker failed (exit {proc.returncode}):\n{err[-4000:]}")
            self.workers[kind] = json.loads(out.strip().splitlines()[-1])
        started = time.perf_counter()
        conn = self.conn
        self.attached = True
        for name in ("src", *SEARCH_KINDS):
            conn.execute(f"ATTACH DATABASE ? AS publish_{name}", [str(self.paths[name])])
        for name in ("reports_fts", *OBSOLETE_SEARCH_TABLES, "publish_info_search"):
            conn.execute(f"DROP TABLE IF EXISTS main.{name}")
        conn.execute(FTS_DDL.format(schema="main."))
        for kind, table in (("fts", "reports_fts"),):
            shadows = [name for (name,) in conn.execute(
                f"SELECT name FROM publish_{kind}.sqlite_master WHERE type = 'table' AND name LIKE '{table}\\_%' "
                "ESCAPE '\\'")]
            mine = {name for (name,) in conn.execute(
                f"SELECT name FROM main.sqlite_master WHERE type = 'table' AND name LIKE '{table}\\_%' ESCAPE '\\'")}
            if set(shadows) != mine:
                raise RuntimeError(f"{table}: the worker's shadow tables {sorted(shadows)} are not {sorted(mine)}")
            for name in shadows:
                conn.execute(f"DELETE FROM main.[{name}]")
                conn.execute(f"INSERT INTO main.[{name}] SELECT * FROM publish_{kind}.[{name}]")
        conn.execute("CREATE TABLE main.publish_info_search (report_id INTEGER PRIMARY KEY, parsed_at TEXT)")
        conn.execute("INSERT INTO main.publish_info_search SELECT id, parsed_at FROM publish_src.src ORDER BY id")
        self.workers["copy_seconds"] = round(time.perf_counter() - started, 2)
        return conn.execute("SELECT count(*) FROM main.publish_info_search").fetchone()[0], "rebuilt"

    def close(self) -> None:
        """Stop the workers still running (prepare failed), detach and remove the scratch files."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        if self.attached:
            for name in ("src", *SEARCH_KINDS):
                try:
                    self.conn.execute(f"DETACH DATABASE publish_{name}")
                except sqlite3.OperationalError:
                    pass
        for path in self.paths.values():
            path.unlink(missing_ok=True)


def _build_search(conn: sqlite3.Connection, incremental: bool) -> tuple[int, str]:
    """Build (or bring up to date) the search index; (reports indexed, how).

    Incremental when the index was built by this version of prepare() and no
    report it holds has been parsed again since (or removed): the reports
    parsed since are added, nothing else is read. Otherwise -- a report parsed
    again, whose old text a contentless FTS5 table cannot be told to forget
    (it needs the old values to delete a row) -- it is rebuilt from the
    reports."""
    if _search_is_incremental(conn, incremental):
        conn.execute("CREATE TEMP TABLE publish_search_new AS SELECT id FROM reports "
                     f"WHERE {_INDEXABLE} AND id NOT IN (SELECT report_id FROM publish_info_search)")
        new = "id IN (SELECT id FROM temp.publish_search_new)"
        added = _index_reports(conn, new)
        conn.execute(f"INSERT INTO publish_info_search SELECT id, parsed_at FROM reports WHERE {new}")
        conn.execute("DROP TABLE temp.publish_search_new")
        return conn.execute("SELECT count(*) FROM publish_info_search").fetchone()[0], f"added {added}"
    for name in ("reports_fts", *OBSOLETE_SEARCH_TABLES, "publish_info_search"):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    # contentless: Datasette's own search (which only knows MATCH over a table's
    # FTS content) does not take it for the reports table's; publish/plugins/
    # xxgk_archive.py answers ?_search= instead.
    conn.execute(FTS_DDL.format(schema=""))
    _set_hashsize(conn, "reports_fts")
    _index_reports(conn, _INDEXABLE)
    conn.execute("CREATE TABLE publish_info_search (report_id INTEGER PRIMARY KEY, parsed_at TEXT)")
    conn.execute(f"INSERT INTO publish_info_search SELECT id, parsed_at FROM reports WHERE {_INDEXABLE}")
    return conn.execute("SELECT count(*) FROM publish_info_search").fetchone()[0], "rebuilt"


def _existing_indexes(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def _has_index_on(conn: sqlite3.Connection, table: str, columns: tuple[str, ...]) -> bool:
    """Whether ``table`` has a plain index on exactly ``columns``, in that order."""
    for _, name, unique, _origin, partial in conn.execute(f"PRAGMA index_list([{table}])"):
        if not partial and tuple(row[2] for row in conn.execute(f"PRAGMA index_info([{name}])")) == tuple(columns):
            return True
    return False


def _build_indexes(conn: sqlite3.Connection, indexes: list[tuple[str, str, tuple[str, ...]]]) -> dict[str, list[str]]:
    """Create the indexes that are missing (by name, or an index of the same
    columns under another name: one the catalogue keeps itself); the tables
    they were created on, and their names."""
    existing, touched = _existing_indexes(conn), {}
    tables = _table_names(conn)
    for name, table, columns in indexes:
        if name in existing or table not in tables or _has_index_on(conn, table, columns):
            continue
        cols = ", ".join(f"[{c}]" for c in columns)
        conn.execute(f"CREATE INDEX {name} ON [{table}] ({cols})")
        touched.setdefault(table, []).append(name)
    return touched


def _table_counts(conn: sqlite3.Connection, known: dict[str, int]) -> dict[str, int]:
    """Rows of every table and of the figures view, for the site's
    row counts (Datasette would count the 10 million rows of metrics and figures
    on every page otherwise). ``known``: counts already taken."""
    counts = {}
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall():
        if name in known:
            counts[name] = known[name]
        elif not (sql or "").startswith("CREATE VIRTUAL TABLE"):  # the search indexes: given in ``known``
            counts[name] = conn.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
    # figures: metrics JOIN reports, one row per figure of a report that exists
    counts["figures"] = conn.execute("SELECT coalesce(sum(figures), 0) FROM report_figures").fetchone()[0]
    return counts


# The facets metadata.json configures on the relations too large to count at
# each page: counted here once (the site is served immutable), served by
# publish/plugins/xxgk_scale.py on their unfiltered pages.
PRECOUNTED_FACETS = {
    "metrics": ("key", "source", "approximate", "certain"),
    "figures": ("key", "year", "province", "admin_level", "section"),
    "timeliness": ("status", "year", "admin_level"),
    # their five facets are most of their pages' time (tens of milliseconds each)
    "reports": ("year", "province", "admin_level", "format", "parse_status"),
    "report_figures": ("year", "province", "admin_level", "format", "parse_status"),
    # hidden, but served at their URL: three facets over 120,000 rows each, the
    # better part of their pages (200-290 ms at 100,000 reports, whatever the sort)
    "archive_files": ("served_as", "encoding", "content_type"),
    "fetches": ("status", "content_type", "declared_encoding"),
}


def _sql_order(value) -> tuple:
    """SQLite's order of values (NULL, numbers, text, blobs), for sorting in Python."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)  # code point order = the UTF-8 byte order of SQLite's BINARY collation
    return (3, bytes(value))


def _ranked(counts: dict) -> list[list]:
    """[value, count] pairs as Datasette's facet query orders them (count desc, value); NULL left out."""
    pairs = [[v, n] for v, n in counts.items() if v is not None and n]
    return sorted(pairs, key=lambda pair: (-pair[1], _sql_order(pair[0])))


# The values of metrics' faceted columns of few values (parse.model.Metric).
_FORESEEN = {"source": ("table", "text", "derived", "ocr"), "approximate": (0, 1), "certain": (0, 1)}


def _all_metrics_facets(conn: sqlite3.Connection, columns: tuple[str, ...]) -> dict[str, dict]:
    """Value counts of metrics' precounted columns over the whole table, in one
    pass over the catalogue's index on metrics(key, report_id, source,
    approximate, certain, value) (archive.catalogue.METRICS_KEY_INDEX, which
    holds every column counted, in key order: no sort), grouped by key: each
    key's rows, and for the columns of few values a sum per two foreseen values (a
    GROUP BY of those columns sorts the 10 million rows: a minute and a half;
    read from the table instead of the index, 7 s more at 16 million); a column
    holding a value not foreseen is grouped after all."""
    by: dict[str, dict] = {}
    few = {column: values for column, values in _FORESEEN.items() if column in columns}
    # two values' rows counted in one sum (the first's in its low 32 bits, the
    # second's above: a key has fewer than 2**31 rows), a CASE each: 9.0 -> 5.4
    # CPU s at 16 million figures against a sum([column] = ?) per value
    pairs = [(column, values[i:i + 2]) for column, values in few.items() for i in range(0, len(values), 2)]
    sums = [f"sum(CASE [{column}] " + " ".join(f"WHEN ? THEN {1 << 32 * i}" for i in range(len(pair)))
            + " ELSE 0 END)" for column, pair in pairs]
    selects = ["count(*)"] + [f"count([{c}])" for c in few] + sums
    totals = [0] * (len(few) + sum(len(values) for values in few.values()))
    keys: dict = {}
    for key, n, *rest in conn.execute(f"SELECT key, {', '.join(selects)} FROM metrics GROUP BY key",
                                      [v for _, pair in pairs for v in pair]):
        keys[key] = n
        counted = rest[:len(few)]
        for (_, pair), packed in zip(pairs, rest[len(few):]):
            counted += [(packed or 0) & 0xFFFFFFFF, (packed or 0) >> 32][:len(pair)]
        totals = [t + (r or 0) for t, r in zip(totals, counted)]
    if "key" in columns:
        by["key"] = keys
    counted_totals, rest = dict(zip(few, totals[:len(few)])), totals[len(few):]
    for column, values in few.items():
        counted = {value: rest.pop(0) for value in values}
        if sum(counted.values()) != counted_totals[column]:
            counted = dict(conn.execute(f"SELECT [{column}], count(*) FROM metrics GROUP BY 1").fetchall())
        by[column] = counted
    for column in columns:
        if column not in by:
            by[column] = dict(conn.execute(f"SELECT [{column}], count(*) FROM metrics GROUP BY 1").fetchall())
    return by


def _metrics_facets(conn: sqlite3.Connection, previous: dict | None) -> tuple[dict[str, dict], dict]:
    """Value counts of metrics' precounted columns, and what to give the next
    prepare as ``previous``: the counts of the last prepare plus those of the
    rows added since (ids above its largest), when ``previous`` is given (the
    caller knows no report was parsed again since: a crawl adds figures, a
    report parsed again replaces its own) and the row count agrees; else
    counted over the whole table (:func:`_all_metrics_facets`)."""
    columns = PRECOUNTED_FACETS["metrics"]
    count, max_id = conn.execute("SELECT count(*), max(id) FROM metrics").fetchone()
    by: dict[str, dict] = {column: {} for column in columns}
    since = None
    if previous and previous.get("columns") == list(columns) and isinstance(previous.get("max_id"), int):
        added = conn.execute("SELECT count(*) FROM metrics WHERE id > ?", [previous["max_id"]]).fetchone()[0]
        if previous.get("count", -1) + added == count:
            since = previous["max_id"]
            for column in columns:
                by[column] = {value: n for value, n in previous["counts"][column]}
    if since is not None:  # the rows added since: a few thousand, grouped
        names = ", ".join(f"[{column}]" for column in columns)
        for *values, n in conn.execute(f"SELECT {names}, count(*) FROM metrics WHERE id > ? GROUP BY {names}",
                                       [since]):
            for column, value in zip(columns, values):
                by[column][value] = by[column].get(value, 0) + n
    else:
        by = _all_metrics_facets(conn, columns)
    state = {"columns": list(columns), "count": count, "max_id": max_id,
             "counts": {column: [[v, n] for v, n in by[column].items()] for column in columns}}
    return by, state


def _facet_counts(conn: sqlite3.Connection, metrics_count: int,
                  previous: dict | None) -> tuple[dict[str, dict[str, list[list]]], dict]:
    """Value counts of the PRECOUNTED_FACETS, exactly as Datasette's facet query
    would count them on the unfiltered table or view; and the state for the
    next prepare (see :func:`_metrics_facets`)."""
    out: dict[str, dict[str, list[list]]] = {}
    by, state = _metrics_facets(conn, previous)
    out["metrics"] = {column: _ranked(by[column]) for column in PRECOUNTED_FACETS["metrics"]}
    # figures = metrics JOIN reports (LEFT JOIN metric_definitions): report_figures.figures
    # counts each report's metrics, so the report columns come from it
    joined = conn.execute("SELECT coalesce(sum(figures), 0) FROM report_figures").fetchone()[0]
    if joined == metrics_count:  # no figure of a report that is not in reports
        keys = by["key"]
    else:
        keys = dict(conn.execute("SELECT m.key, count(*) FROM metrics m JOIN reports r ON r.id = m.report_id "
                                 "GROUP BY m.key").fetchall())
    figures = {"key": _ranked(keys)}
    for column in ("year", "province", "admin_level"):
        figures[column] = _ranked(dict(conn.execute(
            f"SELECT {column}, sum(figures) FROM report_figures GROUP BY {column}").fetchall()))
    sections: dict = {}
    definitions = dict(conn.execute("SELECT key, section FROM metric_definitions").fetchall())
    for key, n in keys.items():
        section = definitions.get(key)
        sections[section] = sections.get(section, 0) + n
    figures["section"] = _ranked(sections)
    out["figures"] = figures
    if "timeliness" in _table_names(conn):
        by = {c: {} for c in PRECOUNTED_FACETS["timeliness"]}
        for status, year, level, n in conn.execute(
                "SELECT status, year, admin_level, count(*) FROM timeliness GROUP BY 1, 2, 3"):
            for column, value in (("status", status), ("year", year), ("admin_level", level)):
                by[column][value] = by[column].get(value, 0) + n
        out["timeliness"] = {column: _ranked(values) for column, values in by.items()}
    for table in ("reports", "report_figures", "archive_files", "fetches"):  # Datasette's own facet query
        out[table] = {column: [list(row) for row in conn.execute(
            f"SELECT [{column}] AS value, count(*) AS count FROM [{table}] WHERE [{column}] IS NOT NULL "
            f"GROUP BY [{column}] ORDER BY count DESC, value")] for column in PRECOUNTED_FACETS[table]}
    return out, state


def prepare(
    db_path: str | os.PathLike[str],
    archive_dir: str | os.PathLike[str] | None = None,
    *,
    metrics_yaml: str | os.PathLike[str] = METRICS_YAML,
    sites_yaml: str | os.PathLike[str] = SITES_YAML,
    force: bool = False,
    parallel_search: bool | None = None,
) -> PrepareResult:
    """Build the published schema in the catalogue at ``db_path`` (see the module doc).

    ``archive_dir`` is the folder of archived bodies (``archive/sha256/...``);
    its location is recorded for the ``/-/archive/<sha256>`` route. Nothing is
    rebuilt when neither the catalogue nor the vocabulary, registry or archive
    location changed since the last run, unless ``force``.

    ``parallel_search``: rebuild the search index in a worker process while
    the rest is built (:class:`_ParallelSearch`); None (the default): when
    the catalogue holds PARALLEL_SEARCH_MIN_REPORTS reports or more and the
    machine more than one CPU. A search index that is added to (a later
    prepare) is always built here. See bench/README.md: at 100,000 reports on
    two shared cores, back to back, parallel against serial.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"no archive database at {db_path}: run `xxgk crawl` or `xxgk demo` first")
    archive = Path(archive_dir) if archive_dir is not None else None
    if archive is not None and not (archive / "sha256").is_dir():
        raise FileNotFoundError(f"{archive} is not an archive folder (no sha256/ inside)")
    metrics_yaml, sites_yaml = Path(metrics_yaml), Path(sites_yaml)
    archive_setting = _archive_setting(db_path, archive)

    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = OFF")
        missing = {"reports", "metrics", "bodies", "fetches", "warnings"} - _table_names(conn)
        if missing:
            raise ValueError(f"{db_path} is not an xxgk catalogue (no {', '.join(sorted(missing))} table)")
        known_counts: dict[str, int] = {}
        clock = _Clock(result_seconds := {}, result_cpu := {})
        fingerprint = _fingerprint(conn, archive_setting, metrics_yaml, sites_yaml, known_counts)
        built = {"metric_definitions", "sites", "report_figures", "figures", "timeliness", "report_sums",
                 "body_year_gaps", "archive_files", "reports_fts", "publish_info"}
        stored = stored_version = previous_facets = None
        if "publish_info" in _table_names(conn):
            facts = dict(conn.execute("SELECT key, value FROM publish_info "
                                      "WHERE key IN ('fingerprint', 'prepare_version', 'facet_counts_state')").fetchall())
            stored, stored_version = facts.get("fingerprint"), facts.get("prepare_version")
            if stored_version == str(PREPARE_VERSION) and facts.get("facet_counts_state"):
                try:
                    previous_facets = json.loads(facts["facet_counts_state"])
                except ValueError:
                    pass
        result = PrepareResult(rebuilt=False, fingerprint=fingerprint, seconds=result_seconds,
                               cpu_seconds=result_cpu)
        clock("fingerprint")
        if not force and stored == fingerprint and built <= _table_names(conn):
            return result

        # A rollback journal, not the crawler's write-ahead log: what is written
        # here (the search indexes are most of it) is then written once, not
        # once into the log and again when it is folded into the file; and a
        # single file is left behind (Datasette opens it immutable and would
        # ignore a -wal).
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA cache_size = -131072")  # 128 MiB: index builds and FTS merges
        for path in _scratch_paths(db_path).values():
            path.unlink(missing_ok=True)  # left by a prepare killed before
        incremental = not force and stored_version == str(PREPARE_VERSION)
        parallel = None
        if parallel_search is None:
            parallel_search = (known_counts.get("reports", 0) >= PARALLEL_SEARCH_MIN_REPORTS
                               and (os.cpu_count() or 1) > 1)
        if parallel_search and not _search_is_incremental(conn, incremental):
            # the search indexes are rebuilt by two processes of their own meanwhile
            parallel = _ParallelSearch(conn, db_path)
            # half the page cache while the workers hold theirs: the three within 500 MB at 100,000 reports
            conn.execute("PRAGMA cache_size = -65536")
            clock("search_snapshot")
        try:
            _prepare_in_transaction(conn, metrics_yaml, sites_yaml, fingerprint, archive, archive_setting,
                                    result, clock, known_counts, incremental, previous_facets, parallel)
        finally:
            if parallel is not None:
                result.workers = parallel.workers
                parallel.close()
        touched = result.touched
        _check_integrity(conn, db_path, touched)
        clock("integrity")
        # Statistics for the query planner from a sample of each index (a full
        # ANALYZE reads every index of the archive, the 10 million figures' too).
        conn.execute("PRAGMA analysis_limit = 1000")
        conn.execute("ANALYZE")
        clock("analyze")
        conn.execute("PRAGMA journal_mode = DELETE")
        result.rebuilt = True
        return result
    finally:
        conn.close()


def _prepare_in_transaction(conn, metrics_yaml, sites_yaml, fingerprint, archive, archive_setting, result, clock,
                            known_counts, incremental, previous_facets, parallel) -> None:
    """prepare()'s transaction: everything it builds, committed at once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in OBSOLETE_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        # first: archive_files looks bodies up in fetches and attachments
        touched = _build_indexes(conn, INDEXES)
        clock("indexes")
        result.counts["metric_definitions"] = _build_metric_definitions(conn, metrics_yaml)
        result.counts["sites"] = _build_sites(conn, sites_yaml)
        clock("definitions_and_sites")
        result.counts["report_figures"] = _build_report_figures(conn)
        clock("report_figures")
        _build_figures_view(conn)
        _build_timeliness(conn)
        result.counts["report_sums"] = _build_report_sums(conn)
        result.counts["body_year_gaps"] = _build_body_year_gaps(conn)
        clock("views")
        result.counts["archive_files"] = _build_archive_files(conn, archive, result)
        clock("archive_files")
        if parallel is not None:
            # what needs no search index is built while the worker builds it (a full
            # rebuild: the facets are counted over the whole of metrics, as below)
            _build_indexes(conn, BUILT_INDEXES)
            clock("built_indexes")
            facet_counts, facet_state = _facet_counts(conn, known_counts["metrics"], None)
            clock("facet_counts")
            indexed, how = parallel.finish()
        else:
            indexed, how = _build_search(conn, incremental=incremental)
        result.counts["reports_fts"] = known_counts["reports_fts"] = indexed
        result.search = how
        clock("search")
        if parallel is None:
            _build_indexes(conn, BUILT_INDEXES)
            clock("built_indexes")
            # counted on from the last prepare's counts only when no report was parsed again
            # since (the search indexes could be added to): only then were figures only added
            facet_counts, facet_state = _facet_counts(conn, known_counts["metrics"],
                                                      previous_facets if how.startswith("added") else None)
            clock("facet_counts")
        table_counts = _table_counts(conn, known_counts)
        clock("table_counts")
        conn.execute("DROP TABLE IF EXISTS publish_info")
        conn.execute("CREATE TABLE publish_info (key TEXT PRIMARY KEY, value TEXT)")
        info = {
            "fingerprint": fingerprint,
            "prepared_at": _now(),
            "prepare_version": str(PREPARE_VERSION),
            "archive_dir": archive_setting,
            "metrics_yaml_sha256": hashlib.sha256(metrics_yaml.read_bytes()).hexdigest(),
            "sites_yaml_sha256": hashlib.sha256(sites_yaml.read_bytes()).hexdigest(),
            "counts": json.dumps(result.counts, sort_keys=True),
            "table_counts": json.dumps(table_counts, sort_keys=True),
            "facet_counts": json.dumps(facet_counts, ensure_ascii=False, sort_keys=True),
            "facet_counts_state": json.dumps(facet_state, ensure_ascii=False),
        }
        conn.executemany("INSERT INTO publish_info VALUES (?, ?)", list(info.items()))
        conn.execute("COMMIT")
        clock("commit")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    result.touched = touched


class _Clock:
    """Records the seconds since its last call under each name given (and the
    CPU seconds of this process in ``cpu``: on a shared machine the two differ)."""

    def __init__(self, into: dict[str, float], cpu: dict[str, float] | None = None):
        self.into, self.cpu = into, cpu if cpu is not None else {}
        self.last, self.last_cpu = time.perf_counter(), time.process_time()

    def __call__(self, name: str) -> None:
        now, now_cpu = time.perf_counter(), time.process_time()
        self.into[name] = round(now - self.last, 2)
        self.cpu[name] = round(now_cpu - self.last_cpu, 2)
        self.last, self.last_cpu = now, now_cpu


# Crawler tables too large to quick_check when an index is added to them: every
# index of the table is read whole instead, and all must hold as many entries
# (quick_check of metrics and its four indexes: 55 s at 16 million figures).
COUNTED_NOT_CHECKED = ("metrics",)


def _index_counts_disagree(conn: sqlite3.Connection, table: str) -> list[str]:
    """Each index of ``table`` read through, its entries counted (one snapshot:
    a crawl may write meanwhile): the indexes whose count is not the others'."""
    names = [row[1] for row in conn.execute(f"PRAGMA index_list([{table}])")]
    conn.execute("BEGIN")
    try:
        counts = {name: conn.execute(f"SELECT count(*) FROM [{table}] INDEXED BY [{name}]").fetchone()[0]
                  for name in names}
    finally:
        conn.execute("COMMIT")
    usual = max(set(counts.values()), key=list(counts.values()).count) if counts else None
    return [f"{name}: {n} entries, the other indexes of {table} {usual}" for name, n in counts.items() if n != usual]


def _check_integrity(conn: sqlite3.Connection, db_path: Path, touched: dict[str, list[str]]) -> None:
    """Check what this run wrote before the file is served immutable: every table
    prepare() built (with its indexes, and the search indexes' storage) in full,
    and the crawler's tables that received an index here for the soundness of
    their pages (``quick_check``; for COUNTED_NOT_CHECKED, every index read
    through, the counts of its entries compared). The crawler's tables are not rewritten
    here, and a check of the whole file reads all of it (minutes at 100,000
    reports)."""
    built = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND (name IN "
        "('metric_definitions', 'sites', 'report_figures', 'timeliness', 'report_sums', 'body_year_gaps', "
        "'archive_files', 'publish_info', "
        "'publish_info_search') "
        "OR name LIKE 'reports_fts_%') ORDER BY name")]
    problems = []
    for table in COUNTED_NOT_CHECKED:
        if table in touched:
            problems += _index_counts_disagree(conn, table)
            del touched[table]
    for pragma, tables in (("integrity_check", built), ("quick_check", sorted(touched))):
        for table in tables:
            found = conn.execute(f"PRAGMA {pragma}([{table}])").fetchall()
            if found != [("ok",)]:
                problems += [f"{table}: {row[0]}" for row in found]
    if problems:
        raise RuntimeError(f"{db_path}: integrity check failed after prepare: {problems[:5]}")


def archive_dir_for(db_path: str | os.PathLike[str]) -> Path | None:
    """Where prepare() recorded the archive folder of ``db_path`` (None if unknown)."""
    conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM publish_info WHERE key = 'archive_dir'").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    if not row or not row[0]:
        return None
    path = Path(row[0])
    return path if path.is_absolute() else (Path(db_path).resolve().parent / path).resolve()


def default_archive_dir(db_path: str | os.PathLike[str]) -> Path | None:
    """The project's layout keeps ``archive/`` beside ``xxgk.db`` (data/, data/demo/)."""
    candidate = Path(db_path).resolve().parent / "archive"
    return candidate if (candidate / "sha256").is_dir() else None
