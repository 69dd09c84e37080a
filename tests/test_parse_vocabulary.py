"""The metric vocabulary shipped with the parser."""

from pathlib import Path

from parse.vocabulary import VOCABULARY_PATH, known_keys, load_vocabulary

# The project vocabulary is copied from the shared spec beside the checkout (when present).
SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "metrics.yaml"


def test_vocabulary_is_shipped_in_the_package():
    assert VOCABULARY_PATH == Path(__file__).parents[1] / "parse" / "metrics.yaml"
    assert VOCABULARY_PATH.is_file()


def test_known_keys_expand_table_three_families():
    keys = known_keys()
    columns = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org", "total"]
    for family in ["requests.new", "requests.carried_over", "requests.carried_forward", "outcome.disclosed",
                   "outcome.withheld", "outcome.withheld.state_secret", "outcome.other", "outcome.other.no_correction", "outcome.total"]:
        assert family not in keys
        for col in columns:
            assert f"{family}.{col}" in keys
    # Not a family: emitted as is.
    for key in ["proactive.total", "review.total", "litigation.direct.upheld", "fees.collected", "requests.channel.online",
                "legacy.replies.not_exist", "staff.full_time", "proactive.fees.amount"]:
        assert key in keys
    assert "requests.channel.online.total" not in keys
    assert "review.total.natural_person" not in keys


def test_vocabulary_specs():
    vocab = load_vocabulary()
    assert vocab.applicant_columns["natural_person"] == ("自然人",)
    assert vocab.unit("requests.new.total") == "件"
    assert vocab.unit("proactive.fees.amount") == "元"
    assert vocab.spec("outcome.withheld.state_secret.natural_person").labels == ("1.属于国家秘密",)
    assert vocab.spec("requests.new") is None  # bare family key is not a metric
    assert vocab.spec("no.such.key") is None
    assert vocab.metrics["proactive.rules.issued"].era == "2021-template"
    # Every metric has labels and a unit.
    for spec in vocab.metrics.values():
        assert spec.labels and spec.unit, spec.key
    # 3 request rows + 24 outcome rows (予以公开, 部分公开, 不予公开 + 8, 无法提供 3,
    # 不予处理 5, 其他处理 + 3, 总计)
    assert len(vocab.family_keys()) == 27


def test_copy_matches_spec_when_spec_is_available():
    if SPEC.exists():
        assert VOCABULARY_PATH.read_bytes() == SPEC.read_bytes()
