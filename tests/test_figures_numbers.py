"""parse.figures.numbers: the cell and phrase rules, one case per rule."""

import pytest

from parse.figures.numbers import numeral_value, read_cell, read_quantity


@pytest.mark.parametrize(
    "cell, value",
    [
        ("12", 12),
        ("0", 0),
        ("１２３", 123),  # full-width digits
        ("０", 0),
        ("1,234", 1234),
        ("1，234", 1234),  # full-width thousands separator
        ("12,345,678", 12345678),
        (" 7 ", 7),
        ("3件", 3),  # a count unit in the cell
        ("52人", 52),
        ("1.2万条", 12000),  # magnitude 万
        ("三", 3),
        ("十二", 12),
        ("一百零五", 105),
        ("两", 2),
        ("两百", 200),
    ],
)
def test_counts(cell, value):
    r = read_cell(cell)
    assert r.status == "number" and r.value == value and r.approximate is False
    assert isinstance(r.value, int)


@pytest.mark.parametrize(
    "cell, value",
    [("100余", 100), ("十余", 10), ("20多", 20), ("约30", 30), ("近百", 100), ("百余", 100),
     ("100条左右", 100), ("逾200", 200), ("50以上", 50)],
)
def test_approximate_keeps_the_stated_number(cell, value):
    r = read_cell(cell)
    assert r.status == "number" and r.value == value and r.approximate is True


@pytest.mark.parametrize(
    "cell, column_unit, value",
    [
        ("0.5万元", None, 5000),
        ("0.5万元", "元", 5000),  # the cell's own unit beats the column's
        ("0.5", "万元", 5000),  # 2021 table 二: 本年收费金额（单位：万元）
        ("０.５", "万元", 5000),
        ("251000元", None, 251000),
        ("251000", "元", 251000),
        ("1.25", "元", 1.25),
        ("0", "万元", 0),
        ("无", "万元", 0),
    ],
)
def test_money_is_returned_in_yuan(cell, column_unit, value):
    r = read_cell(cell, money=True, column_unit=column_unit)
    assert r.value == value and r.unit_known


def test_money_without_any_unit_is_flagged_not_guessed():
    r = read_cell("35.6", money=True)
    assert r.value == 35.6 and r.unit_known is False


def test_money_conversion_is_exact():
    assert read_cell("0.3万元", money=True).value == 3000
    assert isinstance(read_cell("0.3万元", money=True).value, int)


@pytest.mark.parametrize(
    "cell, value",
    [("+2", 2), ("-1", -1), ("＋3", 3), ("－1", -1), ("增加2", 2), ("增2", 2), ("新增4", 4),
     ("减少1", -1), ("减1", -1), ("减少一", -1), ("0", 0)],
)
def test_signed_changes(cell, value):
    r = read_cell(cell, signed=True)
    assert r.status == "number" and r.value == value


def test_sign_only_when_asked():
    assert read_cell("-1").status == "unreadable"
    assert read_cell("+2").status == "unreadable"


@pytest.mark.parametrize("cell", ["", "   ", "\u3000", None])
def test_blank_is_absent_not_zero(cell):
    r = read_cell(cell)
    assert r.status == "blank" and r.value is None


@pytest.mark.parametrize("cell", ["无", "没有", "零", "无。"])
def test_none_words_are_zero(cell):
    r = read_cell(cell)
    assert r.status == "none" and r.value == 0


@pytest.mark.parametrize("cell", ["—", "——", "－", "-", "/", "／", "\\", "＼", "–", "―", "…"])
def test_dashes_are_absent(cell):
    r = read_cell(cell)
    assert r.status == "dash" and r.value is None


@pytest.mark.parametrize("cell", ["不适用", "不涉及", "N/A"])
def test_not_applicable(cell):
    assert read_cell(cell).status == "not_applicable"


@pytest.mark.parametrize(
    "cell",
    ["见附件", "3,4", "2.5", "2.5件", "二〇一八", "一万二", "数十", "若干", "3（其中2件）", "0.5万元", "5元"],
)
def test_unreadable_is_never_a_number(cell):
    r = read_cell(cell)
    assert r.status == "unreadable" and r.value is None


def test_numeral_value():
    assert numeral_value("105") == 105
    assert numeral_value("一百零五") == 105
    assert numeral_value("二〇一八") is None
    assert numeral_value("abc") is None


def test_read_quantity_phrase():
    r = read_quantity("100余起")
    assert r.value == 100 and r.approximate
    assert read_quantity("5000元", money=True).value == 5000
