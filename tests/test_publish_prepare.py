"""publish.prepare on a real crawl: the schema for humans, built idempotently."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import run_xxgk
from conftest import query as catalogue_query


@pytest.fixture()
def catalogue(crawled, tmp_path):
    shutil.copy(crawled.db, tmp_path / "xxgk.db")
    shutil.copytree(crawled.archive, tmp_path / "archive")
    from publish.datasette_app import checkpoint

    checkpoint(tmp_path / "xxgk.db")
    return tmp_path / "xxgk.db", tmp_path / "archive"


def query(db: Path, sql: str, params=()) -> list:
    return catalogue_query(db, sql, params, as_dicts=False)


def dump(db: Path) -> list[str]:
    """Schema and content of everything prepare() builds (publish_info's timestamp aside)."""
    conn = sqlite3.connect(db)
    try:
        lines = [row[0] for row in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")]
        for table in ("metric_definitions", "sites", "report_figures", "archive_files"):
            lines += [repr(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
        lines += [repr(r) for r in conn.execute("SELECT * FROM figures ORDER BY metric_id")]
        lines += [repr(r) for r in conn.execute("SELECT rowid FROM reports_fts WHERE reports_fts MATCH '\"复议\"'")]
        return lines
    finally:
        conn.close()


def test_prepare_is_idempotent(catalogue):
    from publish.prepare import prepare

    db, archive = catalogue
    first = prepare(db, archive)
    assert first.rebuilt
    snapshot = dump(db)
    again = prepare(db, archive)
    assert not again.rebuilt and again.fingerprint == first.fingerprint
    forced = prepare(db, archive, force=True)
    assert forced.rebuilt
    assert dump(db) == snapshot
    assert query(db, "PRAGMA journal_mode") == [("delete",)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []


def test_foreign_keys_in_place_and_the_crawler_still_writes(catalogue):
    from publish.prepare import prepare

    db, archive = catalogue
    prepare(db, archive)
    fks = {(row[3], row[2], row[4]) for row in query(db, "PRAGMA foreign_key_list(reports)")}
    assert ("parsed_sha256", "bodies", "sha256") in fks and ("sha256", "bodies", "sha256") in fks
    fks = {(row[3], row[2], row[4]) for row in query(db, "PRAGMA foreign_key_list(fetches)")}
    assert ("crawl_run_id", "crawl_runs", "id") in fks
    # The parser writes reports, metrics and warnings with foreign keys on.
    reparse = run_xxgk("reparse", "--db", str(db), "--archive", str(archive))
    assert reparse.returncode == 0, reparse.stderr
    assert "0 failed" in reparse.stdout
    assert prepare(db, archive).rebuilt  # the catalogue changed: rebuilt
    assert query(db, "PRAGMA foreign_key_check") == []


def test_metric_definitions_cover_the_vocabulary(catalogue):
    from parse.vocabulary import known_keys
    from publish.prepare import prepare

    db, archive = catalogue
    prepare(db, archive)
    keys = {k for (k,) in query(db, "SELECT key FROM metric_definitions")}
    assert keys == set(known_keys())
    assert {k for (k,) in query(db, "SELECT DISTINCT key FROM metrics")} <= keys
    label, unit, english = query(db, "SELECT label, unit, label_en FROM metric_definitions WHERE key = 'requests.new.total'")[0]
    assert (label, unit) == ("一、本年新收政府信息公开申请数量 · 总计", "件")
    assert "all applicants" in english
    label, era = query(db, "SELECT label, era FROM metric_definitions WHERE key = 'outcome.withheld.state_secret.total'")[0]
    assert label == "（三）不予公开 › 1.属于国家秘密 · 总计"
    assert query(db, "SELECT unit, era FROM metric_definitions WHERE key = 'fees.notices_amount'") == [("元", "2021-template")]


def test_report_figures_are_the_metrics(catalogue):
    from publish.prepare import HEADLINE_COLUMNS, prepare

    db, archive = catalogue
    prepare(db, archive)
    assert query(db, "SELECT count(*) FROM report_figures") == query(db, "SELECT count(*) FROM reports")
    columns = [row[1] for row in query(db, "PRAGMA table_info(report_figures)")]
    for report_id, in query(db, "SELECT id FROM reports"):
        row = dict(zip(columns, query(db, "SELECT * FROM report_figures WHERE report_id = ?", [report_id])[0]))
        metrics = dict(query(db, "SELECT key, value FROM metrics WHERE report_id = ?", [report_id]))
        for name, keys, _ in HEADLINE_COLUMNS:
            stated = [metrics[k] for k in keys if k in metrics]
            assert row[name] == (sum(stated) if stated else None), (report_id, name)
    unavailable = {name: keys for name, keys, _ in HEADLINE_COLUMNS}["unavailable"]
    assert set(unavailable) == {"outcome.unavailable.not_held.total", "outcome.unavailable.needs_creation.total",
                                "outcome.unavailable.unclear.total"}
    # The pivot found figures for at least some reports in every headline column used by the charts.
    for name in ("requests_received", "disclosed", "withheld", "unavailable", "not_processed", "reconsiderations"):
        assert query(db, f"SELECT count({name}) FROM report_figures")[0][0] > 0, name


def test_sites_registry_and_crawled_hosts(catalogue):
    from crawler.sites import load_sites
    from publish.prepare import prepare

    db, archive = catalogue
    prepare(db, archive)
    registered = {n for (n,) in query(db, "SELECT name FROM sites WHERE registered = 1")}
    assert registered == {s.name for s in load_sites()}
    crawled = {n for (n,) in query(db, "SELECT DISTINCT site FROM reports")}
    assert crawled <= {n for (n,) in query(db, "SELECT name FROM sites")}


def test_archive_files_record_the_decoding(catalogue):
    from archive.encoding import choose_encoding
    from publish.prepare import prepare

    db, archive = catalogue
    prepare(db, archive)
    assert query(db, "SELECT count(*) FROM archive_files") == query(db, "SELECT count(*) FROM bodies")
    for sha, declared, encoding, served_as in query(
        db, "SELECT r.sha256, f.declared_encoding, a.encoding, a.served_as FROM reports r "
            "JOIN fetches f ON f.id = r.fetch_id JOIN archive_files a ON a.sha256 = r.sha256"):
        raw = (archive / "sha256" / sha[:2] / sha[2:4] / sha).read_bytes()
        assert served_as == "text"
        assert encoding == choose_encoding(raw, declared)


# Terms of one, two and more characters, Chinese, Latin (any case), digits and
# punctuation (newlines, spaces and quotes among them), found and not.
SEARCH_WORDS = ("复", "公", "局", "鑫", "复议", "年报", "A", "a", "。", "（一）", "2023", "行政复议", "信息公开",
                "不予公开", "商业企业", "政府信息公开工作年度报告", "年度报告\n", "，\n", '"', "x y", "量子计算机",
                "| 0 |", "总计 |", "|", "结转\t\n | 0")


def _searched_as(text: str) -> str:
    """What a search compares (the definition, apart from the index's code): lower
    case, a run of white space and table cell bars as one space."""
    return re.sub(r"[ \t\n\r\f\v|]+", " ", text).lower()


def _found(db: Path, term: str) -> set[int]:
    from publish.plugins.xxgk_archive import match_expression

    return {r for (r,) in query(db, "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?", [match_expression(term)])}


def test_search_index_finds_every_substring(catalogue):
    """The bigram index answers a term of any length as the reports whose title,
    agency or text hold it (case aside, white space and cell bars one space),
    exactly: the phrase of its bigrams, one character as a prefix; no other
    search table is left."""
    from publish.prepare import prepare

    db, archive = catalogue
    prepare(db, archive)
    fields = [(rid, [_searched_as(f) for f in fs]) for rid, *fs in query(
        db, "SELECT id, coalesce(title, ''), coalesce(agency, ''), coalesce(text, '') FROM reports")]
    for word in SEARCH_WORDS:
        expected = {rid for rid, fs in fields if any(_searched_as(word) in f for f in fs)}
        assert _found(db, word) == expected, word
    assert _found(db, "| 0 |") == _found(db, " 0 ") and _found(db, "| 0 |")
    assert _found(db, "复") and _found(db, "复议") and _found(db, "不予公开") and not _found(db, "鑫")
    # a phrase never runs from one field into the next: the last characters of a title and
    # the first of its agency are found only where they stand together in one field
    rid, title, agency = query(db, "SELECT id, title, agency FROM reports WHERE title IS NOT NULL "
                                   "AND agency IS NOT NULL ORDER BY id LIMIT 1")[0]
    across = title[-1] + agency[0]
    assert _found(db, across) == {r for r, fs in fields if any(_searched_as(across) in f for f in fs)}
    assert _found(db, "") == set()
    names = {n for (n,) in query(db, "SELECT name FROM sqlite_master WHERE name LIKE 'reports_%'")}
    assert names == {"reports_fts", "reports_fts_data", "reports_fts_idx", "reports_fts_config"}
    # Datasette must not take reports_fts for the reports table's own FTS (it only knows MATCH).
    from datasette.utils import detect_fts

    conn = sqlite3.connect(db)
    assert detect_fts(conn, "reports") is None
    conn.close()


def test_bigrams():
    from publish.prepare import bigram_text, bigrams, search_char

    assert bigrams("行政复议") == ["行政", "政复", "复议", "议"]
    space, comma = search_char(" "), search_char(",")
    assert bigrams("A1, b") == ["a1", "1" + comma, comma + space, space + "b", "b"]
    assert bigrams("| 0 |\n| 1 |") == [space + "0", "0" + space, space + "1", "1" + space, space]
    assert bigrams("") == [] and bigram_text("") == ""
    for text in ("行政复议", "A1, b", "复", "第一条\n（一）\"予以公开\" 12件。", "ΣΑΣ İi 𠀀𠀁", "| 0 |\n| 1 |", " ", "||"):
        assert bigram_text(text).split(" ") == bigrams(text)
    # no token holds a character the ascii tokenizer splits at
    assert not [c for c in bigram_text("a-b c\td\"e'f") if c.isascii() and not c.isalnum() and c != " "]


def test_the_fingerprint_does_not_depend_on_the_order_figures_are_read_in(tmp_path):
    """The metrics part of prepare's fingerprint is the same whether the table
    or an index is read (a sum of floats is not: ANALYZE may change the plan)."""
    from publish.prepare import _FINGERPRINT_SQL

    conn = sqlite3.connect(tmp_path / "m.db")
    conn.execute("CREATE TABLE metrics (id INTEGER PRIMARY KEY, key TEXT, value REAL)")
    values = [(1e16, "a"), (1.0, "z"), (1.0, "y"), (-1e16, "b"), (0.1, "x"), (0.2, "c"), (None, "d")]
    conn.executemany("INSERT INTO metrics (value, key) VALUES (?, ?)", values)
    conn.execute("CREATE INDEX m_key ON metrics(key, value)")
    by_table = conn.execute(_FINGERPRINT_SQL["metrics"].replace("FROM metrics", "FROM metrics NOT INDEXED")).fetchone()
    by_index = conn.execute(_FINGERPRINT_SQL["metrics"].replace("FROM metrics", "FROM metrics INDEXED BY m_key"))\
        .fetchone()
    assert by_table == by_index
    # (what it replaced differs)
    assert conn.execute("SELECT total(value) FROM metrics NOT INDEXED").fetchone() != \
        conn.execute("SELECT total(value) FROM metrics INDEXED BY m_key").fetchone()
    conn.close()


def test_the_fold_table_is_search_char_of_every_code_point():
    """bigram_text's table (built a block of code points at a time) folds each
    code point as search_char does, the ones whose lower case is two
    characters (İ) and Σ (lowered alone, never as a final sigma) among them."""
    from publish.prepare import _search_fold_table, search_char

    fold = _search_fold_table()
    assert len(fold) == 0x110000
    assert [code for code in range(0x110000) if fold[code] != ord(search_char(chr(code)))] == []
    assert fold[ord("Σ")] == ord("σ") and fold[ord("İ")] == ord("İ") and fold[ord("A")] == ord("a")


def test_prepare_refuses_what_is_not_a_catalogue(tmp_path):
    from publish.prepare import prepare

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ValueError, match="not an xxgk catalogue"):
        prepare(other)
    with pytest.raises(FileNotFoundError):
        prepare(tmp_path / "missing.db")
    with pytest.raises(FileNotFoundError, match="not an archive folder"):
        prepare(other, tmp_path)


def test_serve_argv_prepares_and_loads_the_plugins(catalogue):
    from publish.datasette_app import PLUGINS_DIR, serve_argv

    db, archive = catalogue
    argv = serve_argv(db, port=9999)
    assert argv[argv.index("--plugins-dir") + 1] == str(PLUGINS_DIR)
    assert "--immutable" in argv
    archive_dir = query(db, "SELECT value FROM publish_info WHERE key = 'archive_dir'")[0][0]
    assert (db.parent / archive_dir).resolve() == archive.resolve()


def test_a_doubtful_figure_is_shown_as_such_and_no_headline_figure(catalogue):
    from publish.prepare import prepare

    db, archive = catalogue
    conn = sqlite3.connect(db)
    report_id, metric_id = conn.execute(
        "SELECT report_id, id FROM metrics WHERE key = 'requests.new.total' ORDER BY id LIMIT 1").fetchone()
    # what the parser stores for a figure outside its plausible range (parse/plausible.yaml)
    conn.execute("UPDATE metrics SET value = 3000000000, certain = 0 WHERE id = ?", [metric_id])
    conn.commit()
    conn.close()
    prepare(db, archive, force=True)
    assert query(db, "SELECT value, certain FROM figures WHERE metric_id = ?", [metric_id]) == [(3000000000, 0)]
    assert query(db, "SELECT requests_received FROM report_figures WHERE report_id = ?", [report_id]) == [(None,)]


def _fts_integrity(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO reports_fts(reports_fts) VALUES ('integrity-check')")  # raises when corrupt
    finally:
        conn.close()


def _search_answers(db: Path) -> dict:
    return {word: sorted(_found(db, word)) for word in SEARCH_WORDS}


def test_search_indexes_built_in_parallel_are_the_serial_build(catalogue, tmp_path):
    """The worker process's index, copied in, passes FTS5's integrity-check and
    answers every search as the index built in prepare()'s own connection; no
    scratch file is left beside the database."""
    from publish.prepare import prepare

    db, archive = catalogue
    serial_db = tmp_path / "serial" / "xxgk.db"
    serial_db.parent.mkdir()
    shutil.copy(db, serial_db)
    parallel = prepare(db, archive, parallel_search=True)
    assert parallel.search == "rebuilt" and set(parallel.workers) >= {"fts"}
    serial = prepare(serial_db, archive, parallel_search=False)
    assert serial.search == "rebuilt" and not serial.workers
    for path in (db, serial_db):
        _fts_integrity(path)
    assert _search_answers(db) == _search_answers(serial_db)
    assert _search_answers(db)["复议"]
    for table in ("reports_fts_data", "reports_fts_idx", "publish_info_search"):
        assert query(db, f"SELECT * FROM {table} ORDER BY 1") == query(serial_db, f"SELECT * FROM {table} ORDER BY 1")
    assert parallel.counts == serial.counts
    assert sorted(p.name for p in db.parent.iterdir() if "prepare-" in p.name) == []
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_prepare_builds_the_search_index_in_a_worker_from_a_size_on(catalogue, monkeypatch):
    """parallel_search=None (the default): a worker process builds the index of
    a catalogue of PARALLEL_SEARCH_MIN_REPORTS reports or more, prepare's own
    connection that of a smaller one; the later prepares add to it in place."""
    import publish.prepare as prep

    db, archive = catalogue
    reports = query(db, "SELECT count(*) FROM reports")[0][0]
    monkeypatch.setattr(prep, "PARALLEL_SEARCH_MIN_REPORTS", reports + 1)
    small = prep.prepare(db, archive, force=True)
    assert small.search == "rebuilt" and not small.workers
    monkeypatch.setattr(prep, "PARALLEL_SEARCH_MIN_REPORTS", reports)
    large = prep.prepare(db, archive, force=True)
    assert large.search == "rebuilt" and set(large.workers) >= {"fts"}
    _fts_integrity(db)
    assert small.counts == large.counts


def test_a_failed_search_worker_fails_prepare_and_leaves_the_catalogue_as_it_was(catalogue, monkeypatch):
    import publish.prepare as prep

    db, archive = catalogue
    before = query(db, "SELECT name FROM sqlite_master ORDER BY name")
    monkeypatch.setattr(prep, "_WORKER", "import sys; sys.exit(3)")
    with pytest.raises(RuntimeError, match="search worker failed"):
        prep.prepare(db, archive, parallel_search=True)
    assert query(db, "SELECT name FROM sqlite_master ORDER BY name") == before  # rolled back
    assert [p.name for p in db.parent.iterdir() if "prepare-" in p.name] == []
    monkeypatch.undo()
    assert prep.prepare(db, archive, parallel_search=True).rebuilt
    _fts_integrity(db)


def test_a_prepare_killed_midway_is_redone(catalogue):
    """prepare killed (SIGKILL) while its search workers build: the catalogue holds
    nothing that looks prepared, the workers stop, and the next prepare builds
    everything (and removes the scratch files left behind)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from publish.prepare import PROJECT_ROOT, prepare

    db, archive = catalogue
    child = subprocess.Popen([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(PROJECT_ROOT)!r}); "
                              f"import publish.prepare as p; import time; "
                              f"p._ParallelSearch.finish = lambda self, f=p._ParallelSearch.finish: "
                              f"(time.sleep(60), f(self))[1]; "
                              f"p.prepare({str(db)!r}, {str(archive)!r}, parallel_search=True)"])
    scratch = Path(f"{db}.prepare-fts.tmp")
    deadline = time.monotonic() + 60
    while not scratch.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert scratch.exists()
    time.sleep(1)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    names = {name for (name,) in query(db, "SELECT name FROM sqlite_master")}
    assert "publish_info" not in names and "reports_fts" not in names
    result = prepare(db, archive)
    assert result.rebuilt and result.search == "rebuilt"
    _fts_integrity(db)
    assert [p.name for p in db.parent.iterdir() if "prepare-" in p.name] == []
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_the_large_tables_sort_only_on_an_index(catalogue):
    """Each column metadata.json lets metrics, reports and report_figures be sorted
    by leads an index (or is the key): a sorted page reads its first rows in
    order, never the whole table (metrics?_sort=value read 16 million figures)."""
    import json

    from publish.prepare import PROJECT_ROOT, prepare

    db, archive = catalogue
    prepare(db, archive)
    tables = json.loads((PROJECT_ROOT / "metadata.json").read_text(encoding="utf-8"))["databases"]["xxgk"]["tables"]
    conn = sqlite3.connect(db)
    try:
        for table in ("metrics", "reports", "report_figures"):
            sortable = tables[table]["sortable_columns"]
            assert sortable
            keys = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])") if row[5]}
            leading = {conn.execute(f"PRAGMA index_info([{name}])").fetchone()[2]
                       for (_, name, *_rest) in conn.execute(f"PRAGMA index_list([{table}])")}
            assert set(sortable) <= keys | leading, (table, set(sortable) - keys - leading)
        assert "value" not in tables["metrics"]["sortable_columns"]
    finally:
        conn.close()


def _metrics_indexes(db: Path) -> dict[str, tuple]:
    return {name: tuple(c for (_, _, c) in query(db, f"PRAGMA index_info([{name}])"))
            for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics'")}


def test_the_catalogue_keeps_metrics_key_index_and_prepare_builds_no_second(catalogue):
    """metrics' covering index on (key, report_id, source, approximate, certain,
    value) is the catalogue's own (archive.catalogue.METRICS_KEY_INDEX): a crawl
    leaves it, prepare finds it (the same columns) and builds no second one; a
    catalogue made before it, with an index on key alone, gets it in place of
    that one when the crawler opens it, and one prepared before keeps prepare's."""
    from archive.catalogue import METRICS_KEY_INDEX, open_db
    from publish.prepare import prepare

    db, archive = catalogue
    name, columns = METRICS_KEY_INDEX
    assert _metrics_indexes(db)[name] == columns and ("key",) not in _metrics_indexes(db).values()
    assert prepare(db, archive).rebuilt
    assert "idx_publish_metrics_key_facets" not in _metrics_indexes(db)
    keyed = query(db, "SELECT count(*) FROM figures WHERE key = 'requests.new.total'")[0][0]
    assert keyed > 0

    def reopen():
        open_db(db).conn.close()

    # as made before: an index on key alone
    conn = sqlite3.connect(db)
    conn.execute(f"DROP INDEX {name}")
    conn.execute("CREATE INDEX idx_metrics_key ON metrics (key)")
    conn.commit()
    conn.close()
    reopen()
    assert _metrics_indexes(db) == {"idx_metrics_report_id": ("report_id",), name: columns}
    assert query(db, "SELECT count(*) FROM figures WHERE key = 'requests.new.total'")[0][0] == keyed
    # as made and prepared before: prepare's index on the same columns stays, the one on key goes
    conn = sqlite3.connect(db)
    conn.execute(f"DROP INDEX {name}")
    conn.execute("CREATE INDEX idx_metrics_key ON metrics (key)")
    conn.execute(f"CREATE INDEX idx_publish_metrics_key_facets ON metrics ({', '.join(columns)})")
    conn.commit()
    conn.close()
    reopen()
    assert _metrics_indexes(db) == {"idx_metrics_report_id": ("report_id",), "idx_publish_metrics_key_facets": columns}
    reopen()  # nothing more to do
    assert _metrics_indexes(db) == {"idx_metrics_report_id": ("report_id",), "idx_publish_metrics_key_facets": columns}
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
