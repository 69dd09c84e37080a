"""Dates and years as Chinese reports write them, normalised to ISO.

Handles ``2019-01-11``, ``2019/1/11``, ``2019.01.11``, ``2019-01-25 09:12``,
``20190111``, ``2019年1月11日``, ``2019 年 1 月 11 日``, full-width digits and
Chinese numerals (``二〇一九年一月十一日``).
"""

from __future__ import annotations

import datetime as _dt
import re

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "Ο": 0,
              "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_DIGIT_CLASS = "〇○零ＯOΟ一二三四五六七八九"
_CN_YEAR = f"[{CN_DIGIT_CLASS}]{{4}}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"

# Year written with digits or Chinese numerals, followed by 年.
YEAR_RE = re.compile(rf"((?<!\d)(?:19|20)\d\d(?!\d)|{_CN_YEAR})\s*年")

_NUMERIC_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)"
    r"|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)"
)
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
_CN_DATE = re.compile(rf"({_CN_YEAR})\s*年\s*({_CN_SMALL})\s*月\s*({_CN_SMALL})\s*日")


# Full-width digits and date separators folded one-to-one (positions are kept).
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")


def fold_digits(text: str) -> str:
    """Full-width digits and separators → ASCII, one character for one."""
    return text.translate(_FULLWIDTH)


def cn_digits_to_int(text: str) -> int | None:
    """``二〇一八`` → 2018 (digit by digit)."""
    try:
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    except KeyError:
        return None


def cn_small_to_int(text: str) -> int | None:
    """``十一`` → 11, ``二十七`` → 27, ``三十一`` → 31, ``九`` → 9."""
    if not text:
        return None
    if "十" not in text:
        return _CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    t = _CN_DIGITS.get(tens, None) if tens else 1
    o = _CN_DIGITS.get(ones, None) if ones else 0
    if t is None or o is None:
        return None
    return t * 10 + o


def year_value(token: str) -> int | None:
    """A year token from :data:`YEAR_RE` (digits or Chinese numerals) as int."""
    token = fold_digits(token).strip()
    if token.isdigit():
        return int(token)
    return cn_digits_to_int(token)


def _iso(y: int | None, m: int | None, d: int | None) -> str | None:
    if y is None or m is None or d is None:
        return None
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[str, int, int]]:
    """All valid dates in ``text`` as ``(iso, start, end)``, in order of position."""
    norm = fold_digits(text)
    found: list[tuple[str, int, int]] = []
    for m in _NUMERIC_DATE.finditer(norm):
        y = int(m.group(1))
        mo, d = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        iso = _iso(y, int(mo), int(d))
        if iso:
            found.append((iso, m.start(), m.end()))
    for m in _CN_DATE.finditer(norm):
        iso = _iso(cn_digits_to_int(m.group(1)), cn_small_to_int(m.group(2)), cn_small_to_int(m.group(3)))
        if iso:
            found.append((iso, m.start(), m.end()))
    found.sort(key=lambda t: t[1])
    return found


def parse_date(text: str | None) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``, or None.

    Also accepts a bare ``YYYYMMDD`` (as in some ``PubDate`` meta tags)."""
    if not text:
        return None
    dates = find_dates(text)
    if dates:
        return dates[0][0]
    m = _COMPACT_DATE.search(text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


# A line that is nothing but a date, possibly in brackets: the 落款 date or the
# date under a title (（2019年1月11日）).
_DATE_ONLY = re.compile(
    rf"^[（(\[【]?\s*(?:(?:19|20)\d\d\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日"
    rf"|{_CN_YEAR}\s*年\s*{_CN_SMALL}\s*月\s*{_CN_SMALL}\s*日"
    rf"|(?:19|20)\d\d\s*[-/.]\s*\d{{1,2}}\s*[-/.]\s*\d{{1,2}})\s*[）)\]】]?$"
)


def date_only(line: str) -> str | None:
    """ISO date if ``line`` consists of a single date (optionally bracketed), else None."""
    line = fold_digits(line).strip()
    if not _DATE_ONLY.match(line):
        return None
    return parse_date(line)


def is_bracketed(line: str) -> bool:
    line = line.strip()
    return bool(line) and line[0] in "（([【" and line[-1] in "）)]】"
