"""Region and administrative level of the reporting body.

The region is resolved with cpca from the agency's name (then the title's), and
kept only when the most specific division cpca returns is actually named in the
input -- cpca otherwise guesses (``某某县民政局`` → 重庆市). Free text is never
used: its first place name is rarely the agency's.

``region`` is a dict ``{"province", "city", "county", "adcode"}`` (names as
cpca gives them, None where unknown; ``adcode`` the 6-digit code of the most
specific division), e.g. ``{"province": "山东省", "city": "威海市", "county":
"文登区", "adcode": "371003"}``; ``admin_level`` is the level of the government
the body belongs to: ``national``, ``province``, ``prefecture``, ``county`` or
``township``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .metadata import strip_government, title_subject

_FILLERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木|民族乡)(人民政府|政府|办事处|街道办事处)?$")
_SHORT_SUFFIX = re.compile(r"(省|市|区|县|自治州|自治县|自治区|旗|盟|地区)$")
_NATIONAL = ("国务院", "国家", "中华人民共和国", "中央")


@lru_cache(maxsize=4096)
def _resolve(name: str) -> tuple[str | None, str | None, str | None, str | None]:
    import cpca  # imported lazily: it loads its dictionaries on import

    row = cpca.transform([name]).iloc[0]

    def value(col: str) -> str | None:
        v = row.get(col)
        if not isinstance(v, str) or not v or v in _FILLERS:
            return None
        return v

    return value("省"), value("市"), value("区"), value("adcode")


def _named_in(division: str, text: str) -> bool:
    if division in text:
        return True
    short = _SHORT_SUFFIX.sub("", division)
    return len(short) >= 2 and short in text


def locate(agency: str | None, title: str | None = None) -> tuple[dict | None, str | None]:
    """``(region, admin_level)`` of the reporting body, or ``(None, None)``."""
    # From a title, only the body it names (威海市文登区泽库镇, not 2018年度…).
    for name in (agency, title_subject(title) or title):
        if not name:
            continue
        province, city, county, adcode = _resolve(name)
        parts = [p for p in (province, city, county) if p]
        if not parts or not _named_in(parts[-1], name):
            continue
        region = {"province": province, "city": city, "county": county, "adcode": adcode}
        return region, _level(name, province, city, county)
    if agency and agency.startswith(_NATIONAL):
        return None, "national"
    return None, None


def _level(name: str, province: str | None, city: str | None, county: str | None) -> str:
    if _TOWNSHIP.search(strip_government(name)) or _TOWNSHIP.search(name):
        return "township"
    if county and _named_in(county, name):
        return "county"
    if city and _named_in(city, name):
        return "prefecture"
    return "province"
