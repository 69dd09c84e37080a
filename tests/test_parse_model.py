"""The parser's output model."""

import datetime
import json

import pytest

from parse.model import Metric, ParsedReport, ParseWarning


def test_to_dict_shape():
    report = ParsedReport(
        title="t", agency="a", year=2018, published="2019-01-11", published_from="signature", format="legacy-text",
        text="…", metrics=[Metric("requests.new.total", 3, "件", "text", "我镇接到政府信息公开申请3条")],
        warnings=[ParseWarning("year_conflict", "m", {"year": 2018})],
        region={"province": "山东省", "city": "威海市", "county": "文登区", "adcode": "371003"}, admin_level="township",
    )
    d = report.to_dict()
    assert d == {
        "title": "t", "agency": "a", "body_key": "a", "year": 2018, "published": "2019-01-11",
        "published_from": "signature", "format": "legacy-text",
        "region": {"province": "山东省", "city": "威海市", "county": "文登区", "adcode": "371003"}, "admin_level": "township",
        "metrics": [{"key": "requests.new.total", "value": 3, "unit": "件", "source": "text",
                     "evidence": "我镇接到政府信息公开申请3条", "approximate": False, "certain": True}],
        "warnings": [{"code": "year_conflict", "message": "m", "detail": {"year": 2018}}],
    }
    json.dumps(d, ensure_ascii=False)


def test_defaults_and_dates():
    report = ParsedReport(title=None, agency=None, year=None, published=datetime.date(2019, 1, 2), format=None, text="")
    assert report.metrics == [] and report.warnings == [] and report.tables == [] and report.images == []
    assert report.to_dict()["published"] == "2019-01-02"
    assert ParseWarning("x", "y").detail is None


def test_metric_source_is_checked():
    assert Metric("review.total", 0, "件", "derived", None).approximate is False
    with pytest.raises(ValueError):
        Metric("review.total", 0, "件", "guess", None)


def test_region_levels():
    from parse.region import locate

    assert locate("深圳市人民政府") == (
        {"province": "广东省", "city": "深圳市", "county": None, "township": None, "adcode": "440300"},
        "prefecture",
    )
    assert locate("威海市文登区教育局")[1] == "department"
    assert locate("威海市文登区人民政府办公室")[1] == "county"
    assert locate("广东省人民政府")[1] == "province"
    assert locate("北京市朝阳区人民政府")[0]["county"] == "朝阳区"
    assert locate("某某县民政局") == (None, None)  # cpca's guess (重庆市) is not taken
    assert locate("国务院办公厅") == (None, "national")
    assert locate(None, "威海市文登区泽库镇2018年度政府信息公开工作年度报告")[1] == "township"
