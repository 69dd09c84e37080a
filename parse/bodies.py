"""One identity for a government body across its reports.

Reports name the same body many ways: 沭阳县发改局 and 沭阳县发展和改革局,
平潭综合实验区管委会 and 平潭综合实验区管理委员会, 洪泽区人民政府 and 洪泽区政府.
:func:`body_key` reduces a name to one key: NFKC, no spaces or punctuation, the
common short forms of department names written out, and a government's own
name (人民政府 / 政府 / 管理委员会, the body that governs a place) reduced to
its place. Two names with one key are one body; the key is what a body's
reports are joined on across years (``parse.figures.across_years``).
"""

from __future__ import annotations

import re
import unicodedata

# Short forms of department names → the full name (longest first when applied).
ABBREVIATIONS: dict[str, str] = {
    "发改局": "发展和改革局",
    "发改委": "发展和改革委员会",
    "发展改革委": "发展和改革委员会",
    "发展改革局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "市监局": "市场监督管理局",
    "市场监管局": "市场监督管理局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "教体局": "教育和体育局",
    "文旅局": "文化和旅游局",
    "文广旅局": "文化广电和旅游局",
    "农业农村局": "农业农村局",
    "自然资源局": "自然资源局",
    "生态环境局": "生态环境局",
    "应急局": "应急管理局",
    "医保局": "医疗保障局",
    "退役军人局": "退役军人事务局",
    "统计局": "统计局",
    "交通局": "交通运输局",
    "科委": "科学技术委员会",
    "经信局": "经济和信息化局",
    "工信局": "工业和信息化局",
    "商务局": "商务局",
    "民宗局": "民族宗教事务局",
    "政府办": "人民政府办公室",
    "政府办公室": "人民政府办公室",
    "政府办公厅": "人民政府办公厅",
    "管委会": "管理委员会",
}
# Full forms stand for themselves: matched whole, left to right, an abbreviation
# inside one (政府办 in 人民政府办公室) is never expanded again.
_FORMS = {**{full: full for full in ABBREVIATIONS.values()}, "人民政府办公厅": "人民政府办公厅", **ABBREVIATIONS}
_ABBREVIATION_RE = re.compile("|".join(sorted(map(re.escape, _FORMS), key=len, reverse=True)))
_DROP = re.compile(r"[\s\"'“”‘’「」《》〈〉()（）\[\]【】、,，.．。:：;；·_\-—–－/／]")
# The body that governs a place: its key is the place.
_GOVERNMENT = re.compile(r"(?:人民政府|管理委员会|政府)$")
_PLACE_END = re.compile(r"(?:省|自治区|市|州|盟|地区|区|县|旗|镇|乡|街道|实验区|新区|开发区)$")


def body_key(name: str | None) -> str | None:
    """The key one body has under all its names (None for no name)."""
    if not name:
        return None
    s = _DROP.sub("", unicodedata.normalize("NFKC", name))
    if not s:
        return None
    s = _ABBREVIATION_RE.sub(lambda m: _FORMS[m.group(0)], s)
    place = _GOVERNMENT.sub("", s)
    if place != s and _PLACE_END.search(place):
        return place
    return s


def same_body(a: str | None, b: str | None) -> bool:
    """Whether two names name one body."""
    ka, kb = body_key(a), body_key(b)
    return ka is not None and ka == kb
