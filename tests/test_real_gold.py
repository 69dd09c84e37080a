"""The parser judged on real reports only (tests/gold/real; see its README).

Every document there is a real report, or a real report turned into another
layout by a tool people use (pdftotext, pdfplumber, trafilatura, LibreOffice,
an archiver's own text, OCR). Their figures were read by hand, each with the
row or sentence it was read from (``quote``), which must occur in the report's
own text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from parse.evaluation import LAYOUTS, evaluate, find_gold, load_report_gold, quote_problems

REAL = Path(__file__).parent / "gold" / "real"
GOLD_FILES = sorted(REAL.glob("*.gold.yaml"))


def test_every_real_gold_file_is_well_formed():
    assert len(GOLD_FILES) >= 8
    for path in GOLD_FILES:
        docs = load_report_gold(path)  # raises on unknown keys, layouts, missing files
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data.get("source"), f"{path.name}: no source"
        assert data.get("level") in ("national", "provincial", "prefectural", "county", "township"), path.name
        assert data.get("agency_contains"), path.name
        assert all(d.layout in LAYOUTS for d in docs)
        for d in docs:
            assert d.path.stat().st_size < 2_000_000, d.path.name


def test_every_quote_is_in_the_report():
    """A gold figure's quote occurs in one of the report's text renderings."""
    problems = [p for path in GOLD_FILES for p in quote_problems(path)]
    assert not problems, "\n".join(problems[:50])


def test_real_documents_are_in_the_evaluation():
    docs = [d for d in find_gold(REAL.parent) if d.real]
    assert len({d.report or d.name for d in docs}) >= len(GOLD_FILES)
    assert sum(len(d.figures) for d in docs) > 1000


# The bar: 0.97 overall and 0.95 in every layout.
LAYOUT_FLOOR = 0.95
OVERALL_FLOOR = 0.97


@pytest.fixture(scope="module")
def real_evaluation():
    return evaluate(REAL.parent).real()


def test_no_wrong_value_on_real_documents(real_evaluation):
    rows = [(d.name, f.key, f.expected, f.got, (f.evidence or "")[:80])
            for d in real_evaluation.documents for f in d.wrong()]
    rows += [(d.name, x.key, x.expected, x.got, x.how) for d in real_evaluation.documents for x in d.derived
             if not x.right]
    assert not rows, "wrong values (document | key | read | parsed | evidence):\n" + "\n".join(map(str, rows))


def test_metadata_right_on_every_real_document(real_evaluation):
    rows = [(d.name, m.field, m.expected, m.got) for d in real_evaluation.documents for m in d.metadata
            if not m.right]
    assert not rows, "\n".join(map(str, rows))


def test_recall_on_real_documents(real_evaluation):
    overall = real_evaluation.stats()
    assert overall.recall >= OVERALL_FLOOR, f"recall {overall.recall:.3f} ({overall.right}/{overall.gold})"
    low = []
    for layout in real_evaluation.layouts():
        s = real_evaluation.stats(layout=layout)
        if s.recall < LAYOUT_FLOOR:
            low.append(f"{layout}: {s.recall:.3f} ({s.right}/{s.gold}) < {LAYOUT_FLOOR}")
    assert not low, "\n".join(low)
    # every layout the issue names is covered by real documents
    assert {"html-table", "pdf", "pdf-text-spaced", "markdown-pipe", "pipe-rows", "cell-per-line", "glued",
            "ocr-markdown", "legacy-table-text", "legacy-prose"} <= set(real_evaluation.layouts())
