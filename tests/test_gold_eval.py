"""The parser against the gold set (tests/gold; see tests/gold/README.md).

Thresholds: no wrong value; table recall >= 0.98 in each template era (2019,
2021, and the legacy 附表); prose recall >= 0.9; year and format right on every
document. Each is checked per group of document forms -- HTML and text, PDF,
DOCX -- so that a PDF or DOCX reader that is not registered skips only its own
assertions. On failure the message lists every failing figure (document, key,
expected, got) -- the full report is ``xxgk eval tests/gold``.

The last test runs the benchmark's corpus generator (bench/corpus.py) for a
few documents and parses them: the generator must produce valid reports.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from parse.evaluation import evaluate, find_gold
from parse.formats import READERS

GOLD = Path(__file__).parent / "gold"
ROOT = Path(__file__).resolve().parents[1]

TABLE_RECALL_MIN = 0.98
PROSE_RECALL_MIN = 0.9
TABLE_ERAS = ("2019-template", "2021-template", "legacy-table")

# Form groups; the reader each needs beyond HTML and text.
SCOPES = {"html+text": ("html", "text"), "pdf": ("pdf",), "docx": ("docx",)}
NEEDS = {"pdf": "pdf", "docx": "docx"}


@pytest.fixture(scope="module")
def full_evaluation():
    return evaluate(GOLD)


@pytest.fixture(scope="module")
def evaluation(full_evaluation):
    """The documents of tests/gold itself (generated test data and the real seeds);
    the real reports of tests/gold/real are judged in tests/test_real_gold.py."""
    return full_evaluation.only(lambda d: d.report is None)


def _scope(evaluation, scope):
    reader = NEEDS.get(scope)
    if reader and reader not in READERS:
        pytest.skip(f"the {reader.upper()} reader has not landed yet (parse.formats.READERS has no {reader!r})")
    sub = evaluation.only(lambda d: d.form in SCOPES[scope])
    if not sub.documents:
        pytest.skip(f"no {scope} documents in the gold set")
    return sub


def _lines(rows, limit=80):
    shown = ["  " + " | ".join(str(x) for x in r) for r in rows[:limit]]
    if len(rows) > limit:
        shown.append(f"  ... and {len(rows) - limit} more (xxgk eval tests/gold lists them all)")
    return "\n".join(shown)


def test_gold_set_is_well_formed():
    docs = [d for d in find_gold(GOLD) if d.report is None]  # raises on unknown keys, bad formats, missing documents
    assert 25 <= len(docs) <= 40
    forms = {d.form for d in docs}
    assert {"html", "text", "pdf", "docx"} <= forms
    eras = {d.format for d in docs}
    assert eras == {"legacy-text", "legacy-table", "2019-template", "2021-template"}
    assert sum(p.stat().st_size for p in GOLD.iterdir() if p.is_file()) < 3_000_000
    assert all(p.stat().st_size < 100_000 for p in GOLD.iterdir() if p.is_file())


@pytest.mark.parametrize("scope", SCOPES)
def test_no_wrong_value(evaluation, scope):
    sub = _scope(evaluation, scope)
    rows = [(d.name, f.key, f.expected, f.got, (f.evidence or "")[:80]) for d in sub.documents for f in d.wrong()]
    rows += [(d.name, x.key, x.expected, x.got, f"derived: {x.how}") for d in sub.documents for x in d.derived
             if not x.right]
    assert not rows, f"{len(rows)} wrong value(s) (document | key | expected | got | evidence):\n{_lines(rows)}"


@pytest.mark.parametrize("era", TABLE_ERAS)
@pytest.mark.parametrize("scope", SCOPES)
def test_table_recall(evaluation, scope, era):
    sub = _scope(evaluation, scope).only(lambda d: d.era == era)
    stats = sub.stats()
    if not stats.tag_gold["table"]:
        pytest.skip(f"no {era} table figures in the {scope} documents")
    recall = stats.tag_recall("table")
    missing = [(d.name, f.key, f.expected, f.got) for d in sub.documents for f in d.figures
               if f.tag == "table" and f.status != "right"]
    assert recall >= TABLE_RECALL_MIN, (
        f"{era} table recall {recall:.3f} ({stats.tag_right['table']}/{stats.tag_gold['table']}) < {TABLE_RECALL_MIN}; "
        f"not found (document | key | expected | got):\n{_lines(missing)}"
    )


@pytest.mark.parametrize("scope", SCOPES)
def test_prose_recall(evaluation, scope):
    sub = _scope(evaluation, scope)
    stats = sub.stats()
    recall = stats.tag_recall("prose")
    missing = [(d.name, f.key, f.expected, f.got) for d in sub.documents for f in d.figures
               if f.tag == "prose" and f.status != "right"]
    assert recall >= PROSE_RECALL_MIN, (
        f"prose recall {recall:.3f} ({stats.tag_right['prose']}/{stats.tag_gold['prose']}) < {PROSE_RECALL_MIN}; "
        f"not found (document | key | expected | got):\n{_lines(missing)}"
    )


@pytest.mark.parametrize("scope", SCOPES)
def test_year_and_format_on_every_document(evaluation, scope):
    sub = _scope(evaluation, scope)
    rows = []
    for d in sub.documents:
        if d.unreadable:
            rows.append((d.name, "unreadable", d.unreadable, ""))
        for m in d.metadata:
            if m.field in ("year", "format") and not m.right:
                rows.append((d.name, m.field, m.expected, m.got))
    assert not rows, f"year/format errors (document | field | expected | got):\n{_lines(rows)}"


def test_corpus_generator_makes_valid_reports(tmp_path):
    """bench/corpus.py for n=5 per form: every report parses, and its year,
    format and title are the ones the generator wrote into its gold."""
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    import importlib.util

    # PDFs are built with reportlab (a gold-set/benchmark tool, not a parser dependency).
    pdf = "pdf" in READERS and importlib.util.find_spec("reportlab") is not None
    forms = ["html"] + (["pdf"] if pdf else [])
    items = []
    for form in forms:
        items += list(corpus.generate(5, form, seed=7))
    assert len(items) == 5 * len(forms)
    assert len({i.filename for i in items}) == len(items)
    corpus.write(tmp_path, items)
    ev = evaluate(tmp_path)
    assert len(ev.documents) == len(items)
    for d in ev.documents:
        assert d.unreadable is None, d.unreadable
        assert all(f.expected is not None for f in d.figures)
        for name in ("year", "format", "title"):
            m = d.meta(name)
            assert m.right, (d.name, name, m.expected, m.got)
    stats = ev.stats()
    assert stats.gold > 5 * len(forms) * 10  # reports with figures, not empty shells
    assert stats.recall > 0.9, stats.to_dict()


def test_xxgk_eval_command():
    """`xxgk eval tests/gold` prints the report and exits 0; --json gives the numbers."""
    import json

    from conftest import run_xxgk

    result = run_xxgk("eval", str(GOLD), "--no-missing")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for heading in ("By era", "By document form", "Metadata accuracy", "Wrong values", "Extras", "Unreadable documents"):
        assert heading in out
    for era in ("legacy-text", "legacy-table", "2019-template", "2021-template", "overall"):
        assert era in out
    result = run_xxgk("eval", str(GOLD), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["by_era"]) == {"legacy-text", "legacy-table", "2019-template", "2021-template"}
    assert data["overall"]["documents"] == len(find_gold(GOLD))
    assert data["overall"]["gold_figures"] == sum(len(d.figures) for d in find_gold(GOLD))
    names = {d["name"] for d in data["documents"]}
    assert "seed_000_2b3d63a5602ce530.txt" in names
    seed0 = next(d for d in data["documents"] if d["name"] == "seed_000_2b3d63a5602ce530.txt")
    by_key = {f["key"]: f for f in seed0["figures"]}
    assert by_key["proactive.total"]["expected"] == 204 and by_key["proactive.total"]["tag"] == "prose"
