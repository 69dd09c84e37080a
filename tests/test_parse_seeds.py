"""The five real seed reports, against what a person reads off them.

The fixtures are byte-identical copies of the project's seeds (spec/seeds), kept
under tests/fixtures/parse so that these tests do not depend on the sample portal.
"""

from pathlib import Path

import pytest

from parse.report import parse_path
from seeds import seed_path

FIXTURES = Path(__file__).parent / "fixtures" / "parse"


@pytest.fixture(scope="module")
def seeds():
    return {n: parse_path(seed_path(n)) for n in range(5)}


# (title, agency, year, published, format) as read off each document.
EXPECTED = {
    0: ("威海市文登区泽库镇2018年度政府信息公开工作年度报告", "威海市文登区泽库镇人民政府", 2018, None, "legacy-text"),
    1: ("蛟河市漂河镇2018年政府信息公开工作年度报告", "蛟河市漂河镇", 2018, "2019-01-11", "legacy-text"),
    2: ("威海市文登区大水泊镇人民政府2022年政府信息公开工作年度报告", "威海市文登区大水泊镇人民政府", 2022, None, "2021-template"),
    3: ("古镛镇2018年政府信息公开工作年度报告", "古镛镇", 2018, None, "legacy-table"),
    4: ("莱阳市河洛镇2017年度政府信息公开工作年度报告", "莱阳市河洛镇人民政府", 2017, "2018-01-27", "legacy-text"),
}


@pytest.mark.parametrize("n", sorted(EXPECTED))
def test_seed_metadata(seeds, n):
    report = seeds[n]
    title, agency, year, published, fmt = EXPECTED[n]
    assert report.title == title
    assert report.agency == agency
    assert report.year == year
    assert report.published == published
    assert report.format == fmt


def test_seed_000_agency_is_the_fullest_name_in_the_contact_sentence(seeds):
    # Title says 威海市文登区泽库镇; the contact sentence says 威海市文登区泽库镇人民政府党政办.
    assert seeds[0].agency == "威海市文登区泽库镇人民政府"
    assert seeds[0].warnings == []


def test_seed_001_year_conflict(seeds):
    report = seeds[1]
    assert report.year == 2018  # title and most mentions
    (conflict,) = [w for w in report.warnings if w.code == "year_conflict"]
    assert conflict.detail["year"] == 2018
    assert conflict.detail["source"] == "title"
    assert [c["year"] for c in conflict.detail["conflicting"]] == [2017]
    assert "2017年政府信息公开工作年度报告" in conflict.detail["conflicting"][0]["evidence"]


def test_seed_001_announces_an_annex_it_does_not_contain(seeds):
    # "本年报由…、附表等七部分组成" but no 附表 follows.
    assert "annex_missing" in seeds[1].warning_codes()


def test_seed_002_tables_as_images(seeds):
    report = seeds[2]
    (warning,) = [w for w in report.warnings if w.code == "tables_as_images"]
    assert [img["alt"] for img in warning.detail["images"]] == ["工作簿1_Sheet1(1)", "工作簿5_Sheet1(1)", "工作簿3_Sheet1"]
    assert warning.detail["sections"] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开工作被申请行政复议、提起行政诉讼的情况",
    ]
    # Version told by the prose (信息处理费管理办法), not guessed from the year.
    assert "format_uncertain" not in report.warning_codes()
    # Image markers are split off the headings they were glued to.
    assert "\n二、主动公开政府信息情况\n[image: 工作簿1_Sheet1(1)]\n" in report.text
    assert "\n[image: 工作簿5_Sheet1(1)]\n三、收到和处理政府信息公开申请情况\n" in report.text


def test_seed_003_flattened_annex_is_a_grid(seeds):
    (grid,) = seeds[3].tables
    assert grid.source == "text"
    assert grid.context == "（一）附表"
    assert grid.n_cols == 4 and grid.n_rows == 16
    assert grid.row(0) == ["指标名称", "单位", "2018年", "历年累计"]
    assert grid.row(1) == ["主动公开文件数", "条", "198", "1355"]
    assert grid.row(3) == ["2.政府公报公开数", "条", "0", "0"]
    assert grid.row(15) == ["行政诉讼数", "件", "0", "0"]


def test_seed_004_signature(seeds):
    # Title 莱阳市河洛镇 + 落款 河洛镇人民政府 / 2018年1月27日.
    assert seeds[4].agency == "莱阳市河洛镇人民政府"
    assert seeds[4].published == "2018-01-27"
    assert seeds[4].warnings == []


def test_seed_to_dict_shape(seeds):
    d = seeds[1].to_dict()
    assert list(d) == ["title", "agency", "body_key", "year", "published", "published_from", "format", "region",
                       "admin_level", "metrics", "warnings"]
    assert (d["published"], d["published_from"]) == ("2019-01-11", "under_title")
    assert d["metrics"] and all(
        set(m) == {"key", "value", "unit", "source", "evidence", "approximate", "certain"} for m in d["metrics"]
    )
    assert set(d["warnings"][0]) == {"code", "message", "detail"}


def test_seed_003_region_comes_from_its_text(seeds):
    """The title names only 古镛镇; the text names 将乐县 (its portal, its school)."""
    report = seeds[3]
    assert report.region == {
        "province": "福建省",
        "city": "三明市",
        "county": "将乐县",
        "township": "古镛镇",
        "adcode": "350428",
    }
    assert report.admin_level == "township"


def test_seed_regions(seeds):
    assert seeds[0].region == {
        "province": "山东省", "city": "威海市", "county": "文登区", "township": "泽库镇", "adcode": "371003"
    }
    assert seeds[2].admin_level == seeds[4].admin_level == "township"
    assert seeds[0].region["county"] == "文登区" and seeds[0].region["township"] == "泽库镇"
    assert seeds[1].region["county"] == "蛟河市" and seeds[1].region["adcode"] == "220281"
    assert seeds[4].region["county"] == "莱阳市"
