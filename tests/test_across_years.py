"""One body across its years: one identity under all its names, and the carry-over
of table 三 from one year's report into the next, checked in the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.catalogue import open_db, save_parse_result
from parse.bodies import body_key, same_body
from parse.from_archive import check_across_years
from parse.report import parse_path

REAL = Path(__file__).parent / "gold" / "real"


@pytest.mark.parametrize("a, b", [
    ("沭阳县发改局", "沭阳县发展和改革局"),
    ("平潭综合实验区管委会", "平潭综合实验区管理委员会"),
    ("平潭综合实验区管委会", "平潭综合实验区"),
    ("洪泽区人民政府", "洪泽区政府"),
    ("上海市科委", "上海市科学技术委员会"),
    ("威海市文登区政府办", "威海市文登区人民政府办公室"),
    ("威海市文登区政府办公室", "威海市文登区人民政府办公室"),
    ("上海市政府办公厅", "上海市人民政府办公厅"),
    ("淮安市 人民政府", "淮安市人民政府"),
])
def test_names_of_one_body_have_one_key(a, b):
    assert same_body(a, b), (body_key(a), body_key(b))


@pytest.mark.parametrize("name, key", [
    ("威海市文登区人民政府办公室", "威海市文登区人民政府办公室"),  # a full form is not expanded again
    ("上海市人民政府办公厅", "上海市人民政府办公厅"),
    ("沭阳县发改局", "沭阳县发展和改革局"),
    ("某县人民政府", "某县"),
])
def test_a_key_is_the_full_name(name, key):
    assert body_key(name) == key


@pytest.mark.parametrize("a, b", [
    ("沭阳县发展和改革局", "沭阳县人民政府"),
    ("淮安市人民政府", "淮安市人民政府办公室"),
    ("洪泽区人民政府", "淮安市人民政府"),
])
def test_different_bodies_have_different_keys(a, b):
    assert not same_body(a, b)


def _catalogue(tmp_path, reports):
    db = open_db(tmp_path / "xxgk.db")
    ids = []
    for i, report in enumerate(reports):
        rid = db["reports"].insert({"url": f"http://example.test/{i}", "site": "t", "complete": 1}).last_pk
        save_parse_result(db, rid, report.to_dict(), report.text)
        ids.append(rid)
    return db, ids


def test_real_consecutive_years_carry_over_and_a_break_is_found(tmp_path):
    # 平潭综合实验区 2021 carried 1 request forward; its 2022 report carried 1 over
    r2021 = parse_path(REAL / "pingtan-syq-2021.html")
    r2022 = parse_path(REAL / "pingtan-syq-2022.html")
    r2023 = parse_path(REAL / "pingtan-syq-2023.html")
    got = {m.key: m.value for m in r2021.metrics}
    assert got["requests.carried_forward.total"] == 1
    assert {m.key: m.value for m in r2022.metrics}["requests.carried_over.total"] == 1
    db, ids = _catalogue(tmp_path, [r2021, r2022, r2023])
    keys = {r["body_key"] for r in db.query("SELECT body_key FROM reports")}
    assert len(keys) == 1 and None not in keys  # one body across its years
    assert check_across_years(db) == 0
    assert not list(db.query("SELECT * FROM warnings WHERE code = 'carryover_mismatch'"))

    # the 2022 report saying it carried 2 over breaks the chain: a warning on 2022
    for m in r2022.metrics:
        if m.key in ("requests.carried_over.total", "requests.carried_over.natural_person"):
            m.value = 2
    save_parse_result(db, ids[1], r2022.to_dict(), r2022.text)
    assert check_across_years(db) == 2
    rows = list(db.query("SELECT report_id, detail FROM warnings WHERE code = 'carryover_mismatch'"))
    assert {r["report_id"] for r in rows} == {ids[1]}
    detail = json.loads(rows[0]["detail"])
    assert detail["previous_report_id"] == ids[0] and detail["previous_carried_forward"] == 1
    assert detail["carried_over"] == 2
