"""Region and administrative level of the reporting body.

The region is resolved with cpca (its gazetteer carries the 行政区划代码 down to
county level) from the agency's name (then the title's), and kept only when the
most specific division cpca returns is actually named in the input -- cpca
otherwise guesses (``某某县民政局`` → 重庆市).

A township report often names only itself (seed 003: 古镛镇). Then the county
is taken from the report's own text, but only when one county-level division
clearly dominates the place names the text states (seed 003 names 将乐县 in
将乐县人民政府门户网站 and 将乐县第一中学 and no other county).

``region`` is a dict ``{"province", "city", "county", "township", "adcode"}``
(names as cpca gives them, None where unknown; ``adcode`` the 6-digit code of
the most specific division cpca knows), e.g. ``{"province": "山东省", "city":
"威海市", "county": "文登区", "township": "泽库镇", "adcode": "371003"}``.
``admin_level`` is ``national``, ``province``, ``prefecture``, ``county`` or
``township`` for a government (人民政府, its 办公厅/办公室, a 街道办事处) and
``department`` for a functional body (局, 委员会, 厅, 中心 …) of any level.

Renamed divisions. cpca's gazetteer is frozen at its last release, and county-
level divisions keep being renamed: a 县 becomes a county-level 市 (宁乡县 →
宁乡市, 2017), a 县 or 县级市 becomes a 区 (撤县设区, 撤市设区). When the name
the report gives is unknown to cpca, the same stem with the other suffixes
(县/市/区) is tried; a variant that cpca knows as a county-level division (and
only one) places the body. The region then names the county as the report
states it (宁乡市), with cpca's province, city and adcode -- which is the code
of the name cpca knows (430124 for 宁乡县; the renamed 宁乡市 is 430182 in the
current 行政区划代码). A division renamed with another stem, or one cpca does not
know under any suffix, is not placed.
"""

from __future__ import annotations

import re

from .memo import memoise
from .metadata import strip_government, title_subject

_FILLERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木|民族乡)(人民政府|政府|办事处|街道办事处)?$")
_SHORT_SUFFIX = re.compile(r"(省|市|区|县|自治州|自治县|自治区|旗|盟|地区)$")
_NATIONAL = ("国务院", "国家", "中华人民共和国", "中央")


@memoise(4096)
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


def locate(
    agency: str | None, title: str | None = None, text: str | None = None
) -> tuple[dict | None, str | None]:
    """``(region, admin_level)`` of the reporting body, or ``(None, None)``."""
    # From a title, only the body it names (威海市文登区泽库镇, not 2018年度…).
    names = [n for n in (agency, title_subject(title) or title) if n]
    for name in names:
        province, city, county, adcode = _resolve(name)
        parts = [p for p in (province, city, county) if p]
        if county is None or not _named_in(county, name):
            renamed = renamed_county(name, province if province and _named_in(province, name) else None,
                                     city if city and _named_in(city, name) else None)
            if renamed:
                province, city, county, adcode = renamed
                parts = [province, city, county]
        if not parts or not _named_in(parts[-1], name):
            continue
        region = _region(province, city, county, adcode, name)
        return region, _level(name, province, city, county)
    township_name = next((t for t in map(township, names) if t), None)
    if township_name and text:
        county = dominant_county(text)
        if county:
            province, city, county_name, adcode = county
            region = _region(province, city, county_name, adcode, township_name)
            return region, "township"
    if agency and agency.startswith(_NATIONAL):
        return None, "national"
    return None, None


_COUNTY_SUFFIXES = ("县", "市", "区")
_COUNTY_STEM_LENGTHS = (2, 3, 4)


def _strip_known_prefix(name: str, province: str | None, city: str | None) -> str:
    """``name`` without the province and city cpca placed it in, full or short
    (湖南省宁乡市 / 湖南宁乡市 → 宁乡市); the longest form first, so that 吉林市
    is not read as 吉林(省) + 市."""
    rest = name
    pool = {d: {d, _SHORT_SUFFIX.sub("", d)} for d in (province, city) if d}
    while pool:
        matches = [(len(f), f, d) for d, forms in pool.items() for f in forms if len(f) >= 2 and rest.startswith(f)]
        if not matches:
            break
        _, form, division = max(matches)
        rest = rest[len(form):]
        del pool[division]
    return rest


def renamed_county(
    name: str, province: str | None = None, city: str | None = None
) -> tuple[str | None, str | None, str, str | None] | None:
    """``(province, city, county as named, adcode)`` when ``name`` starts (after
    the province and city cpca placed) with a county-level division under a
    suffix cpca does not know it by (宁乡市 for cpca's 宁乡县), else None.

    The token is a stem of 2-4 characters and 县/市/区; the same stem with the
    other two suffixes must be known to cpca as exactly one county-level
    division, in the province and city already placed (if any). A token cpca
    knows as it is is no rename."""
    rest = _strip_known_prefix(name, province, city)
    for n in _COUNTY_STEM_LENGTHS:
        if len(rest) <= n or rest[n] not in _COUNTY_SUFFIXES:
            continue
        stem, suffix = rest[:n], rest[n]
        token = stem + suffix
        known = _resolve(token)
        if known[2] == token or known[1] == token:
            return None  # known under this very name
        found = set()
        for alt in _COUNTY_SUFFIXES:
            if alt == suffix:
                continue
            p, c, county, adcode = _resolve(stem + alt)
            if county != stem + alt:
                continue
            if (province and p != province) or (city and c != city):
                continue
            found.add((p, c, adcode))
        if len(found) == 1:
            (p, c, adcode), = found
            return p, c, token, adcode
        if found:
            return None  # two divisions share the stem: not placed
    return None


def _region(province, city, county, adcode, name: str) -> dict:
    return {"province": province, "city": city, "county": county, "township": township(name), "adcode": adcode}


_TOWNSHIP_NAME = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|苏木))(?:人民政府|政府|办事处|街道办事处)?$")
_DEPARTMENT = re.compile(r"(局|委员会|委|厅|署|中心|院|馆|所|站|队|处|办)$")
_GOVERNMENT_OFFICE = re.compile(r"(人民政府|政府)(办公厅|办公室)$|(人民政府|政府|办事处)$")
# County-level names stated in running text: 将乐县, 文登区, 蛟河市, 鄂温克族自治旗.
_COUNTY_MENTION = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:自治县|县|区|旗)(?=人民政府|委|政府|第|[^\u4e00-\u9fff])")


def township(name: str | None) -> str | None:
    """The township a body's name ends with (泽库镇人民政府 → 泽库镇), if any."""
    if not name:
        return None
    match = _TOWNSHIP_NAME.search(name)
    if not match:
        return None
    found = match.group(1)
    # Drop a county/city prefix: 威海市文登区泽库镇 → 泽库镇.
    return re.split(r"(?:省|市|区|县|旗)", found)[-1] or found


def dominant_county(text: str) -> tuple[str | None, str | None, str | None, str | None] | None:
    """The county-level division the text names most, if it is unambiguous.

    Every mention is resolved through the gazetteer; a mention cpca cannot place
    exactly (a 区 that is a 开发区, a 县 name it does not know) is ignored. The
    winner must have at least two mentions and no rival county.
    """
    counts: dict[tuple, int] = {}
    for mention in _COUNTY_MENTION.findall(text):
        for start in range(len(mention) - 1):
            candidate = mention[start:]
            resolved = _resolve(candidate)
            if resolved[2] and resolved[2] == candidate:
                counts[resolved] = counts.get(resolved, 0) + 1
                break
    if len(counts) != 1:
        return None
    (resolved, count), = counts.items()
    return resolved if count >= 2 else None


def _level(name: str, province: str | None, city: str | None, county: str | None) -> str:
    bare = strip_government(name)
    if _TOWNSHIP.search(bare) or _TOWNSHIP.search(name):
        return "township"
    if not _GOVERNMENT_OFFICE.search(name) and _DEPARTMENT.search(name):
        return "department"
    if county and _named_in(county, name):
        return "county"
    if city and _named_in(city, name):
        return "prefecture"
    return "province"
