"""Plausible ranges (parse/plausible.yaml): an absurd figure is flagged
and marked not certain, a real one never.

The real reports of tests/gold/real are the yardstick: none of their figures may
be flagged, in any rendering; the same reports with one figure replaced by
``３０００００００００`` (full-width digits, as a mutated or mistyped document has
them) must be.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from parse.figures import FIGURE_WARNING_CODES
from parse.figures.plausibility import check_plausible
from parse.model import Metric
from parse.report import parse_document
from parse.vocabulary import PLAUSIBLE_PATH, VOCABULARY_PATH, load_vocabulary

GOLD = Path(__file__).parent / "gold"
REAL = GOLD / "real"
ABSURD = "３０００００００００"  # 3 000 000 000, full-width


# the C loader when PyYAML has it: the gold files are large and the pure-Python one slow
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def gold(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)


def implausible(report) -> list:
    return [w for w in report.warnings if w.code == "implausible_figure"]


def test_the_code_is_registered():
    assert "implausible_figure" in FIGURE_WARNING_CODES


def test_every_key_has_a_range_and_overrides_apply():
    vocab = load_vocabulary()
    assert all(vocab.plausible(k) is not None for k in vocab.known_keys())
    assert vocab.plausible("not.a.key") is None
    # defaults by unit ...
    assert vocab.plausible("staff.part_time") == vocab.plausible("staff.full_time")
    assert vocab.plausible("requests.new.total") == vocab.plausible("outcome.withheld.state_secret.other_org")
    # ... and the keys whose figures differ from their unit's
    assert vocab.plausible("proactive.penalties.decisions")[1] > vocab.plausible("requests.new.total")[1]
    assert vocab.plausible("proactive.fees.items_change")[0] < 0
    assert vocab.plausible("fees.collected")[1] < vocab.plausible("proactive.fees.amount")[1]
    assert all(vocab.plausible(k)[0] == 0 for k in vocab.known_keys() if not k.endswith(".items_change"))


def test_every_gold_figure_is_in_its_range():
    """Every figure read by hand off a report (real and generated gold) lies in
    its key's range: the bounds leave the largest real figures room."""
    vocab = load_vocabulary()
    outside = []
    for path in sorted(GOLD.glob("*.gold.yaml")) + sorted(REAL.glob("*.gold.yaml")):
        data = gold(path)
        for block in (data.get("figures") or {}).values():
            for key, raw in (block or {}).items():
                value = raw["value"] if isinstance(raw, dict) else raw
                low, high = vocab.plausible(key)
                if not low <= value <= high:
                    outside.append((path.name, key, value))
    assert not outside


def test_a_mistyped_range_fails_loudly(tmp_path):
    """A pattern that matches no key would leave figures silently unchecked."""
    (tmp_path / "metrics.yaml").write_bytes(VOCABULARY_PATH.read_bytes())
    ranges = tmp_path / "plausible.yaml"
    text = PLAUSIBLE_PATH.read_text(encoding="utf-8")
    ranges.write_text(text, encoding="utf-8")
    copy = load_vocabulary(tmp_path / "metrics.yaml")
    assert all(copy.plausible(k) == load_vocabulary().plausible(k) for k in copy.known_keys())
    for old, new, error in [("  proactive.cumulative: [0, ", "  proactive.cumulatve: [0, ", "matches no metric key"),
                            ("  人: [0, 100000]", "  人: [100000, 0]", "low <= high"),
                            ("  人: [0, 100000]", "  名: [0, 100000]", "no metric has unit")]:
        assert text.count(old) == 1
        ranges.write_text(text.replace(old, new), encoding="utf-8")
        load_vocabulary.cache_clear()
        with pytest.raises(ValueError, match=error):
            load_vocabulary(tmp_path / "metrics.yaml")
    load_vocabulary.cache_clear()


@pytest.fixture(scope="module")
def real_reports():
    """Every rendering of every real report (the ``documents`` of its gold file),
    and the real seed reports the gold set names (``real: true``, ``document:``)."""
    paths = [REAL / doc["file"] for path in sorted(REAL.glob("*.gold.yaml")) for doc in gold(path)["documents"]]
    seeds = [(path, gold(path)) for path in sorted(GOLD.glob("*.gold.yaml"))]
    paths += [(path.parent / data["document"]).resolve() for path, data in seeds if data.get("real")]
    assert len(paths) >= 85
    return [(p.name, parse_document(p.read_bytes(), name=p.name)) for p in paths]


def test_no_real_figure_is_flagged(real_reports):
    flagged = [(name, w.message) for name, report in real_reports for w in implausible(report)]
    assert not flagged
    assert all(m.certain for _, report in real_reports for m in report.metrics)
    # the largest real figures were read and passed (not skipped)
    values = {(name, m.key): m.value for name, report in real_reports for m in report.metrics}
    assert values[("huaian-szf-2024.pdf", "proactive.penalties.decisions")] == 3985758
    assert values[("huaian-szf-2024.pdf", "proactive.fees.amount")] == 961716000


def mutated(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: {old!r} is not there once"
    return parse_document(text.replace(old, new).encode("utf-8"), name=path.name)


def test_absurd_part_time_staff_in_prose_is_flagged():
    path = REAL / "cw-pingtan-shsyj-2015.pagetxt.txt"
    report = mutated(path, "共有5名人员兼职", f"共有{ABSURD}名人员兼职")
    staff = next(m for m in report.metrics if m.key == "staff.part_time")
    assert staff.value == 3_000_000_000 and staff.certain is False
    [warning] = implausible(report)
    assert warning.detail["key"] == "staff.part_time" and warning.detail["value"] == 3_000_000_000
    low, high = warning.detail["range"]
    assert low <= 5 <= high < 3_000_000_000
    assert ABSURD in warning.detail["evidence"]
    # every other figure of the report stays certain
    assert all(m.certain for m in report.metrics if m.key != "staff.part_time")
    assert staff.to_dict()["certain"] is False


@pytest.mark.parametrize("old, new, key", [
    ("行政许可      447228", f"行政许可      {ABSURD}", "proactive.licensing.decisions"),
    ("一、本年新收政府信息公开申请数量      3001", f"一、本年新收政府信息公开申请数量      {ABSURD}",
     "requests.new.natural_person"),
])
def test_absurd_table_cell_is_flagged(old, new, key):
    report = mutated(REAL / "huaian-szf-2024.rapidocr.md", old, new)
    metric = next(m for m in report.metrics if m.key == key)
    assert metric.value == 3_000_000_000 and metric.source == "table" and metric.certain is False
    assert [w.detail["key"] for w in implausible(report)] == [key]


def test_negative_count_is_flagged_signed_change_is_not():
    metrics = [
        Metric("requests.new.total", -3, "件", "table", "一、本年新收政府信息公开申请数量 | … | -3"),
        Metric("proactive.penalties.items_change", -18, "项", "table", "行政处罚 | 2648 | -18"),
        Metric("review.total", 0, "件", "derived", None),
    ]
    checked, warnings = check_plausible(metrics)
    assert [m.certain for m in checked] == [False, True, True]
    assert [w.detail["key"] for w in warnings] == ["requests.new.total"]
    assert warnings[0].detail["value"] == -3
    assert all(m.certain for m in metrics)  # the metrics given are not changed


def test_certain_survives_a_round_trip_and_old_data_reads_as_certain():
    m = Metric("staff.part_time", 3_000_000_000, "人", "text", "…", certain=False)
    assert Metric.from_dict(m.to_dict()) == m
    old = {"key": "staff.part_time", "value": 5, "unit": "人", "source": "text", "evidence": "…",
           "approximate": False}
    assert Metric.from_dict(old).certain is True
