"""parse.figures.extract_figures: tables first, prose for the rest, checks."""

import importlib.util
from pathlib import Path

from parse.figures import FIGURE_WARNING_CODES, extract_figures

_spec = importlib.util.spec_from_file_location(
    "figure_grids", Path(__file__).parent / "fixtures" / "figures" / "template_grids.py"
)
G = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(G)

REPORTS = Path(__file__).parents[1] / "sample_portal" / "reports"


def seed(n: int) -> str:
    return next(REPORTS.glob(f"seed_{n:03d}_*.txt")).read_text(encoding="utf-8")


def test_seed003_annex_and_prose():
    metrics, warnings = extract_figures(seed(3), [G.SEED003_ANNEX])
    got = {m.key: (m.value, m.source) for m in metrics}
    expected = {k: (v, "table") for k, v in G.SEED003_ANNEX_EXPECTED.items()}
    # the prose agrees with the 附表 on everything both state, and adds one figure
    expected["response.interpretations"] = (0, "text")  # 政策解读数量：无
    assert got == expected
    assert warnings == []


def test_seed000_without_tables_is_the_prose():
    metrics, warnings = extract_figures(seed(0), [])
    assert {m.key: m.value for m in metrics} == {
        "proactive.total": 204, "requests.new.total": 3, "response.interpretations": 4,
        "proactive.channel.weibo": 45, "proactive.channel.wechat": 121, "staff.full_time": 1,
        "staff.part_time": 3, "review.total": 0, "litigation.total": 0, "fees.collected": 0,
    }
    assert warnings == []


def test_prose_table_disagreement_keeps_the_table():
    text = "2018年，主动公开政府信息200条。全年未收到政府信息公开申请。"
    metrics, warnings = extract_figures(text, [G.SEED003_ANNEX])
    m = {m.key: m for m in metrics}
    assert m["proactive.total"].value == 198 and m["proactive.total"].source == "table"
    assert len([x for x in metrics if x.key == "proactive.total"]) == 1
    dis = [w for w in warnings if w.code == "prose_table_disagreement"]
    assert len(dis) == 1
    assert dis[0].detail["key"] == "proactive.total"
    assert dis[0].detail["table"] == 198 and dis[0].detail["text"] == 200


def test_prose_agreeing_with_a_derived_figure():
    text = "本年度未发生因政府信息公开申请提起的行政复议和行政诉讼。"
    metrics, warnings = extract_figures(text, [G.TABLE4])
    m = {m.key: m for m in metrics}
    # table 四 says 1 review and 2 lawsuits: the text's zeros lose, and say so
    assert m["review.total"].value == 1 and m["litigation.total"].value == 2
    assert sorted(w.detail["key"] for w in warnings if w.code == "prose_table_disagreement") == [
        "litigation.total", "review.total",
    ]


def test_full_template_report_with_consistency_warnings():
    rows = [list(r) for r in G.TABLE3_2021]
    rows[3] = rows[3][:3] + ["10", "2", "0", "0", "1", "0", "99"]  # 本年新收 总计 99
    metrics, warnings = extract_figures("", [G.TABLE2_2021, rows, G.TABLE4])
    codes = {w.code for w in warnings}
    assert {"inconsistent_row_sum", "inconsistent_identity"} <= codes
    assert next(m for m in metrics if m.key == "requests.new.total").value == 99  # unchanged
    assert codes <= set(FIGURE_WARNING_CODES)


def test_html_report_through_the_foundation_grids():
    """A 2021-template page with real rowspan/colspan markup, turned into grids by
    parse.tables, then into figures."""
    from lxml import html

    from parse.tables import tables_from_html

    page = (Path(__file__).parent / "fixtures" / "figures" / "report_2021.html").read_text(encoding="utf-8")
    root = html.fromstring(page)
    text = root.text_content()
    metrics, warnings = extract_figures(text, tables_from_html(root))
    got = {m.key: m.value for m in metrics}
    assert got["proactive.total"] == 156  # text only: 主动公开政府信息156条
    assert next(m for m in metrics if m.key == "proactive.total").source == "text"
    assert got["requests.new.total"] == 6  # table and text agree
    assert got["proactive.licensing.decisions"] == 25
    assert got["proactive.penalties.decisions"] == 3
    assert got["proactive.enforcement.decisions"] == 0
    assert got["proactive.fees.amount"] == 3500  # 0.35 万元
    assert got["proactive.normative_documents.in_force"] == 3
    assert got["requests.new.natural_person"] == 5
    assert got["requests.new.commercial_enterprise"] == 1
    assert got["outcome.disclosed.total"] == 4
    assert got["outcome.unavailable.not_held.natural_person"] == 2
    assert got["outcome.other.misc.total"] == 0
    assert got["outcome.withheld.total"] == 0 and got["outcome.other.total"] == 0
    assert got["outcome.total.total"] == 6
    assert got["requests.carried_forward.total"] == 0
    assert got["review.upheld"] == 1 and got["review.total"] == 1
    assert got["litigation.total"] == 0
    # table 三: 25 rows x 7 columns + 2 x 7 derived; table 四: 15 + 1 derived;
    # table 二: 3 + 3 + 1 + 1 + 1 + 1; text: 1
    assert len(metrics) == 175 + 14 + 16 + 10 + 1
    assert warnings == []
