"""parse.figures.stacked on lines of real OCR output (tests/gold/real/*.rapidocr.md).

The expected rows are the ones the report's PDF prints (its gold file).
"""

from pathlib import Path

from parse.figures.stacked import unstack_rows

REAL = Path(__file__).parent / "gold" / "real"


def ocr_line(name: str, marker: str) -> str:
    return next(l for l in (REAL / name).read_text(encoding="utf-8").split("\n") if marker in l)


def test_two_rows_stacked_cut_by_their_row_sums():
    line = ocr_line("huaian-szf-2024.rapidocr.md", "禁止公开3. 危及")
    text, warnings = unstack_rows(line, "2021-template")
    rows = text.split("\n")
    assert rows[-2].endswith("2. 其他法律行政法规禁止公开 30 1 0 0 0 0 31")
    assert rows[-1] == "3. 危及“三安全一稳定” 5 0 0 0 0 0 5"
    assert [w.code for w in warnings] == ["stacked_rows"]
    assert warnings[0].detail["rows"] == ["outcome.withheld.prohibited_by_law", "outcome.withheld.security_stability"]


def test_four_rows_stacked_labels_out_of_order_come_back_in_template_order():
    line = ocr_line("huaian-hongze-qzf-2024.rapidocr.md", "0001")
    text, _ = unstack_rows(line, "2021-template")
    rows = text.split("\n")
    assert rows[0] == "三、本年度办理结果 （三）不予公开"
    assert [r.split()[0][:2] for r in rows[1:]] == ["2.", "4.", "5.", "6."]
    assert rows[-1].endswith("6.属于四类过程性信息 1 0 0 0 0 0 1")


def test_stacked_cells_that_two_readings_fit_give_labels_without_values():
    # 110 is 1 over 10 or 11 over 0: both readings make both rows add up
    line = "2.其他法律行政法规禁止公开3.危及“三安全一稳定” 110 00 00 00 00 00 110"
    text, warnings = unstack_rows(line, "2021-template")
    assert text.split("\n") == ["2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”"]
    assert warnings[0].detail["readings"] == 2


def test_a_line_of_one_row_or_of_single_digits_is_left_alone():
    for line in ("1.属于国家秘密 2 0 0 0 0 0 2", "（三）不予公开 1.属于国家秘密 2 0 0 0 0 0 2",
                 "2.其他法律行政法规禁止公开3.危及“三安全一稳定” 1 0 0 0 0 0 1"):
        assert unstack_rows(line, "2021-template") == (line, [])
