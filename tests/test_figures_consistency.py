"""parse.figures.consistency: warnings only, figures untouched."""

import copy
import importlib.util
from pathlib import Path

from parse.figures.derived import add_sums
from parse.figures.consistency import check
from parse.figures.template_tables import extract_table_figures
from parse.model import Metric

_spec = importlib.util.spec_from_file_location(
    "figure_grids", Path(__file__).parent / "fixtures" / "figures" / "template_grids.py"
)
G = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(G)


def codes(warnings):
    return sorted(w.code for w in warnings)


def test_consistent_fixtures_raise_nothing():
    for grid in (G.TABLE3_2021, G.TABLE3_2019, G.TABLE4, G.SEED003_ANNEX):
        metrics, _ = extract_table_figures([grid])
        assert check(metrics) == [], grid[0]


def _set(rows, label_fragment, values):
    rows = copy.deepcopy(rows)
    for row in rows:
        if any(label_fragment in c for c in row[:3]):
            row[3:10] = values
            return rows
    raise AssertionError(label_fragment)


def test_row_sum_and_identity():
    # 本年新收: columns add up to 13, 总计 says 14 -- and the identity breaks too
    rows = _set(G.TABLE3_2019, "本年新收", ["20", "3", "1", "0", "0", "0", "25"])
    metrics, _ = extract_table_figures([rows])
    before = [(m.key, m.value) for m in metrics]
    warnings = check(metrics)
    assert codes(warnings) == ["inconsistent_identity", "inconsistent_row_sum"]
    row = next(w for w in warnings if w.code == "inconsistent_row_sum")
    assert row.detail["key"] == "requests.new" and row.detail["sum"] == 24 and row.detail["total"] == 25
    ident = next(w for w in warnings if w.code == "inconsistent_identity")
    assert ident.detail == {
        "column": "total", "requests.new": 25, "requests.carried_over": 2,
        "outcome.total": 24, "requests.carried_forward": 2,
    }
    assert [(m.key, m.value) for m in metrics] == before  # never changes a figure


def test_outcome_total_against_outcome_rows():
    # 予以公开 one more for 自然人 (row still sums), （七）总计 unchanged
    rows = _set(G.TABLE3_2019, "予以公开", ["9", "2", "1", "0", "0", "0", "12"])
    metrics, _ = extract_table_figures([rows])
    add_sums(metrics)  # （三）不予公开 is the sum of its eight rows
    warnings = check(metrics)
    outcome = [w for w in warnings if w.code == "inconsistent_outcome_total"]
    assert sorted(w.detail["column"] for w in outcome) == ["natural_person", "total"]
    w = next(w for w in outcome if w.detail["column"] == "total")
    assert w.detail["sum"] == 25 and w.detail["total"] == 24


def test_2021_outcome_total_uses_the_derived_other():
    metrics, _ = extract_table_figures([G.TABLE3_2021])
    # the fixture's sums hold; the 2021 （六） rows are summed for the check
    assert [w for w in check(metrics) if w.code == "inconsistent_outcome_total"] == []


def test_table4_totals():
    values = list(G.TABLE4_VALUES)
    values[4] = "2"  # 行政复议 总计 2, parts add up to 1
    metrics, _ = extract_table_figures([G.TABLE4_HEADER + [values]])
    warnings = check(metrics)
    assert codes(warnings) == ["inconsistent_total"]
    assert warnings[0].detail == {
        "key": "review", "parts": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0}, "sum": 1, "total": 2,
    }


def test_missing_or_approximate_figures_are_not_checked():
    metrics = [
        Metric("review.upheld", 1, "件", "table", "x"),
        Metric("review.corrected", 0, "件", "table", "x"),
        Metric("review.other", 0, "件", "table", "x"),
        Metric("review.total", 5, "件", "table", "x"),  # pending missing
        Metric("litigation.direct.upheld", 1, "件", "table", "x"),
        Metric("litigation.direct.corrected", 0, "件", "table", "x"),
        Metric("litigation.direct.other", 0, "件", "table", "x"),
        Metric("litigation.direct.pending", 0, "件", "table", "x"),
        Metric("litigation.direct.total", 10, "件", "table", "x", approximate=True),
    ]
    assert check(metrics) == []
