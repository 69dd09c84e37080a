"""parse.figures.template_stream on excerpts of real reports' text (tests/gold/real).

Each excerpt is cut from a real rendering; the expected figures are those its
gold file quotes (read off the report by a person).
"""

from pathlib import Path

from parse.figures.template_stream import read_template_stream

REAL = Path(__file__).parent / "gold" / "real"


def excerpt(name: str, first: str, last: str) -> str:
    text = (REAL / name).read_text(encoding="utf-8")
    start = text.index(first)
    return text[start : text.index(last, start) + len(last)]


def figures(text: str, era: str = "2021-template") -> tuple[dict, list[str]]:
    metrics, warnings, _ = read_template_stream(text, era)
    return {m.key: m.value for m in metrics}, [w.code for w in warnings]


def test_table4_cells_in_one_run_with_the_last_header_word_among_them():
    # pdftotext prints 表四's fifteen cells in order, the last 总计 before its cell;
    # the report's own 总计 cells are misprinted (0 beside 10 + 1), kept as printed
    text = excerpt("huaian-hongze-qzf-2023.pdftotext.txt", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题")
    got, _ = figures(text)
    assert got["review.upheld"] == 10 and got["review.corrected"] == 1
    assert got["litigation.after_review.upheld"] == 5
    assert got["litigation.direct.total"] == 0


def test_table4_cells_scattered_among_header_words_need_their_sums():
    # 72 64 178 37 | 12 1 1 6 | 351 | 13 4 8 1 26 | 20: out of column order, the
    # in-order reading breaks the sums: no figure rather than a guessed group
    text = excerpt("huaian-szf-2024.pdftotext.txt", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题")
    got, codes = figures(text)
    assert not any(k.startswith(("review.", "litigation.")) for k in got)
    assert "unplaced_row" in codes


def test_table3_labels_printed_after_their_column_blocks():
    # plain pdftotext: the (三)–(四) rows as seven column paragraphs, their labels
    # after them; (四)2 … (六) labels only after 四、结转: placed by the labels the
    # table prints and its sums
    text = excerpt("huaian-hongze-qzf-2024.pdftotext.txt", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议")
    got, codes = figures(text)
    assert got["requests.new.total"] == 95 and got["requests.new.natural_person"] == 95
    assert got["outcome.disclosed.total"] == 50 and got["outcome.partially_disclosed.total"] == 9
    assert got["outcome.unavailable.not_held.total"] == 31
    assert got["outcome.other.total"] == 0 and got["outcome.total.total"] == 95
    assert got["requests.carried_forward.total"] == 0
    assert "displaced_rows" in codes


def test_table3_column_of_labels_printed_apart_yields_to_labels_with_values():
    # markdown of a PDF: 5.要求行政机关确认… and 1.…逾期不补正 stand before 3.补正后…
    # without values; the rows whose values follow their labels are read
    text = excerpt("sh-bgt-2025.pdfmd.md", "| 一、本年新收政府信息公开申请数量", "| 293 |")
    got, _ = figures(text)
    assert got["outcome.unavailable.unclear.total"] == 3
    assert got["outcome.not_processed.petition.total"] == 62
    assert got["outcome.not_processed.repeated.natural_person"] == 16
    assert got["outcome.other.no_correction.total"] == 43
    assert got["outcome.total.total"] == 1191 and got["requests.carried_forward.total"] == 293


def test_legacy_table_header_is_its_own_cumulative_column_not_a_later_one():
    # 平潭综合实验区 2013: 指标名称 … 历年累计 | 主动公开信息数 条 72804 76424; a sentence
    # after the table that says 累计 must not move the header's end past the rows
    from parse.figures.template_stream import read_legacy_stream

    text = (REAL / "pingtan-syq-2013.pagetxt.txt").read_text(encoding="utf-8")
    later = text + "\n截至2013年底，累计公开政府信息76424条。\n"
    for t in (text, later):
        got = {m.key: m.value for m in read_legacy_stream(t)[0]}
        assert got.get("proactive.cumulative") == 76424
