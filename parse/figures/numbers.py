"""Turning a table cell or a phrase into a number -- deliberately.

Everything here is a pure function of its input; nothing guesses. A cell either
states a number, states "none", or states nothing we can read, and the caller is
told which (:class:`Reading.status`).

Numerals
    * Arabic digits, also full-width (``１２３`` → 123); the text is NFKC-folded
      first, so ``１，２３４`` and ``0.５`` work too.
    * Thousands separators ``1,234`` / ``1，234`` -- only in groups of exactly three
      digits (``3,4`` is not a number: it is more likely a list).
    * Decimals ``0.5``. A decimal in a *count* cell (件, 条, 人...) is unreadable:
      counts are whole numbers, and ``2.5件`` is a typo we do not fix.
    * A magnitude ``万`` / ``亿`` after a numeral (``1.2万条``, ``3万``) multiplies.
    * Chinese numerals through the maintained :mod:`cn2an` library in *strict*
      mode: ``三``, ``十二``, ``一百零五``, ``两`` (two; ``两`` is rewritten to ``二``
      first, as strict mode wants). Digit-by-digit forms with ``〇``
      (``二〇一八``) are refused: in these reports they are years or codes, never
      counts. Colloquial abbreviations (``一万二``) are refused too (ambiguous).
      A bare ``百`` / ``千`` / ``万`` is 100 / 1000 / 10000, for ``百余`` / ``近百``.
    * Signed changes (2019 table 二 ``本年增/减``), only when the caller asks
      (``signed=True``): ``+2``, ``-1``, ``＋2``, ``－1``, ``增加2`` / ``增2`` /
      ``新增2`` → +2, ``减少1`` / ``减1`` → -1. A lone ``-`` is a dash, not a sign.

Approximate figures
    ``余`` / ``多`` after the numeral (``100余``, ``十余``, ``20多``), ``约`` /
    ``大约`` / ``近`` / ``将近`` / ``逾`` / ``超过`` before it, ``左右`` / ``以上``
    after it (also after the unit: ``100条左右``): the stated number is kept, never
    rounded, and the reading is marked ``approximate=True``. ``近百`` is 100,
    approximate. A vague quantity with no number (``数十``, ``若干``) is unreadable.

Units
    Cell units are stripped when they agree with the column: count units
    (条 件 个 项 人 人次 名 次 篇 起 份 场 期 处 家 宗) for counts; ``元`` and ``万元``
    for money. Money is returned in 元: the caller says the unit the column is
    stated in (``column_unit='万元'`` for 2021 table 二 本年收费金额（单位：万元）),
    and a unit written in the cell itself overrides the column's (``0.5万元`` →
    5000 元 whatever the column says). Conversion is exact (:class:`~decimal.Decimal`),
    so ``0.5万元`` is ``5000``, not ``5000.000000001``. A money cell with no unit in
    the cell and none given by the caller has ``unit_known=False``: the caller
    decides (0 is 0 in any unit; anything else must not be guessed).

Cells that hold no number -- the rules
    * blank (empty or whitespace) → ``status='blank'``: the figure is **absent**,
      never zero. The table code emits no metric for it.
    * ``无`` / ``没有`` / ``0`` / ``零`` → zero (``status='none'`` for the words).
      ``无`` states "none" in so many words, and real reports use it that way in
      count and fee cells (seed 003: ``政策解读数量：无``) -- it is read as 0.
    * ``—`` ``——`` ``–`` ``－`` ``-`` ``/`` ``／`` ``\\`` ``＼`` ``―`` ``…`` and
      similar dash/slash marks → ``status='dash'``: **not** read as zero. Filers
      use them both for "none" and for "not applicable / not counted", and the
      cell does not say which; the table code leaves the figure out and records a
      warning, so a reader can decide.
    * ``不适用`` / ``不涉及`` / ``N/A`` → ``status='not_applicable'``: no figure.
    * anything else (``见附件``, ``3(其中2件...)``, ``2.5件``) →
      ``status='unreadable'`` with the reason in ``note``: no figure, a warning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

from parse.memo import memoise

__all__ = [
    "Reading",
    "COUNT_UNITS",
    "MONEY_UNITS",
    "fold",
    "numeral_value",
    "read_cell",
    "read_quantity",
    "to_number",
]

COUNT_UNITS = ("人次", "条", "件", "个", "项", "人", "名", "次", "篇", "起", "份", "场", "期", "处", "家", "宗")
MONEY_UNITS = ("万元", "元")
_MONEY_FACTOR = {"元": Decimal(1), "万元": Decimal(10000)}
_MAGNITUDE = {"万": Decimal(10000), "亿": Decimal(100000000)}

_DASHES = set("—–－-―─━‐‑‒/／\\＼|｜…·.。")
_NONE_WORDS = {"无", "没有", "暂无", "零"}
_NA_WORDS = {"不适用", "不涉及", "n/a", "na", "N/A", "NA", "无此项"}

_APPROX_PREFIX = ("大约", "将近", "超过", "约", "近", "逾")
_APPROX_SUFFIX = ("左右", "以上", "余", "多")

CN_DIGITS = "零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿卅"
# A numeral token, as used by the prose patterns: Arabic (with thousands groups or
# decimals) or Chinese.
ARABIC_RE = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CHINESE_RE = f"[{CN_DIGITS}]+"
NUMERAL_RE = f"(?:{ARABIC_RE}|{CHINESE_RE})"

_ARABIC_FULL = re.compile(f"^(?:{ARABIC_RE})$")
_QUANTITY = re.compile(
    r"^(?P<pre>大约|将近|超过|约|近|逾)?"
    rf"(?P<num>{ARABIC_RE}|[{CN_DIGITS}]+?)"
    r"(?P<mag>万|亿)??"
    r"(?P<post>余|多)?"
    r"(?P<unit>万元|元|人次|[条件个项人名次篇起份场期处家宗])?"
    r"(?P<tail>左右|以上)?$"
)
_SIGN_WORD = re.compile(r"^(?P<word>增加|新增|增|减少|减)(?P<rest>.+)$")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Reading:
    """What a cell or phrase says.

    ``status``: ``number`` (``value`` is set), ``none`` (a word for zero: value 0),
    ``blank``, ``dash``, ``not_applicable`` or ``unreadable`` (value None).
    ``unit_known`` is False for a money reading whose unit nobody stated.
    """

    status: str
    value: int | float | None = None
    approximate: bool = False
    raw: str = ""
    note: str | None = None
    unit_known: bool = True

    @property
    def has_value(self) -> bool:
        return self.value is not None


def fold(text: str) -> str:
    """NFKC-fold (full-width digits and punctuation to half-width) and drop all
    whitespace. For matching and number reading only, never for evidence."""
    return _WS.sub("", unicodedata.normalize("NFKC", text or ""))


def to_number(value: Decimal) -> int | float:
    """An exact Decimal as int when integral, else float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def numeral_value(token: str) -> Decimal | None:
    """The value of one numeral token (Arabic or Chinese), or None if it is not a
    numeral we accept. ``token`` should already be folded."""
    if not token:
        return None
    if _ARABIC_FULL.match(token):
        try:
            return Decimal(token.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the regex guarantees digits
            return None
    if token in ("百", "千", "万"):
        return Decimal({"百": 100, "千": 1000, "万": 10000}[token])
    if "〇" in token or not all(ch in CN_DIGITS for ch in token):
        return None
    try:
        return Decimal(int(cn2an.cn2an(token.replace("两", "二"), "strict")))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def read_quantity(
    text: str,
    *,
    money: bool = False,
    column_unit: str | None = None,
    signed: bool = False,
    integer: bool | None = None,
) -> Reading:
    """Read a number with optional approximation marks, magnitude and unit.

    ``money``: the figure is an amount, returned in 元 (see module docstring);
    ``column_unit``: the unit the column/phrase states the amount in (``元`` or
    ``万元``); ``signed``: accept ``+2`` / ``减少1``; ``integer``: refuse
    non-integral values (default: True for counts, False for money).
    """
    raw = text
    s = fold(text)
    if integer is None:
        integer = not money
    sign = 1
    if signed:
        if s[:1] in "+-" and len(s) > 1:
            sign = -1 if s[0] == "-" else 1
            s = s[1:]
        else:
            m = _SIGN_WORD.match(s)
            if m:
                sign = -1 if m.group("word").startswith("减") else 1
                s = m.group("rest")
    m = _QUANTITY.match(s)
    if not m:
        return Reading("unreadable", raw=raw, note="not a number")
    value = numeral_value(m.group("num"))
    if value is None:
        return Reading("unreadable", raw=raw, note="not a numeral")
    if m.group("mag"):
        value *= _MAGNITUDE[m.group("mag")]
    unit = m.group("unit")
    unit_known = True
    if money:
        if unit and unit not in _MONEY_FACTOR:
            return Reading("unreadable", raw=raw, note=f"unit {unit} in a money cell")
        stated = unit or column_unit
        if stated is None:
            unit_known = False
        elif stated not in _MONEY_FACTOR:
            return Reading("unreadable", raw=raw, note=f"unknown money unit {stated}")
        else:
            value *= _MONEY_FACTOR[stated]
    elif unit in MONEY_UNITS:
        return Reading("unreadable", raw=raw, note=f"money unit {unit} in a count cell")
    value *= sign
    if integer and value != value.to_integral_value():
        return Reading("unreadable", raw=raw, note="a count that is not a whole number")
    approximate = bool(m.group("pre") or m.group("post") or m.group("tail"))
    return Reading("number", to_number(value), approximate, raw, unit_known=unit_known)


@memoise()  # cells repeat, and are read several times; a Reading is immutable
def read_cell(
    cell: str | None,
    *,
    money: bool = False,
    column_unit: str | None = None,
    signed: bool = False,
) -> Reading:
    """Read one table cell under the rules of the module docstring."""
    raw = cell or ""
    s = fold(raw)
    if not s:
        return Reading("blank", raw=raw)
    if s in _NONE_WORDS or s.rstrip("。.") in _NONE_WORDS:
        return Reading("none", 0, raw=raw)
    if s in _NA_WORDS or s.lower() in _NA_WORDS:
        return Reading("not_applicable", raw=raw)
    if all(ch in _DASHES for ch in s):
        return Reading("dash", raw=raw)
    return read_quantity(raw, money=money, column_unit=column_unit, signed=signed)
