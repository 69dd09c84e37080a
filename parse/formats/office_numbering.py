"""Automatic list numbering of Word documents (``word/numbering.xml``).

Section headings of reports are often Word list items: the document text says
``总体情况`` and Word draws ``一、`` in front of it. The report parser finds
sections by those numbers (``一、总体情况``, ``（一）主动公开``), so the DOCX
reader renders them: :class:`ListNumbering` follows the paragraphs in document
order, keeps one counter per list and level, and formats the level's
``lvlText`` (``%1、``, ``（%2）``) with its ``numFmt`` (decimal, chineseCounting,
…). Bullets are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn

_CHINESE_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PAREN = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_FULLSTOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"


def chinese_number(n: int, legal: bool = False) -> str:
    """一, 十, 十一, 二十一, 一百零一 (``legal``: 壹, 壹拾, …)."""
    if n <= 0:
        return str(n)
    try:
        import cn2an

        return cn2an.an2cn(n, "up" if legal else "low")
    except Exception:  # noqa: BLE001 -- fall back for anything cn2an refuses
        digits = _LEGAL_DIGITS if legal else _CHINESE_DIGITS
        return "".join(digits[int(d)] for d in str(n))


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= value:
            out += sym
            n -= value
    return out


def _pick(chars: str, n: int) -> str:
    return chars[n - 1] if 1 <= n <= len(chars) else str(n)


def format_number(n: int, fmt: str) -> str:
    """One level's number in a Word ``numFmt``."""
    if fmt in ("decimal", "decimalHalfWidth", "ordinal", "cardinalText", "ordinalText"):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "japaneseCounting",
        "ideographDigital",
        "japaneseDigitalTenThousand",
        "koreanCounting",
    ):
        if fmt == "ideographDigital":
            return "".join(_CHINESE_DIGITS[int(d)] for d in str(n))
        return chinese_number(n)
    if fmt in ("chineseLegalSimplified", "japaneseLegal", "koreanLegal"):
        return chinese_number(n, legal=True)
    if fmt in ("ideographTraditional",):
        return _pick(_TIANGAN, n)
    if fmt in ("ideographZodiac",):
        return _pick(_DIZHI, n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _pick(_CIRCLED, n)
    if fmt == "decimalEnclosedParen":
        return _pick(_PAREN, n)
    if fmt == "decimalEnclosedFullstop":
        return _pick(_FULLSTOP, n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # lvlRestart: restart after this (0-based) level; None = after any higher level
    legal: bool = False  # isLgl: show all levels as decimal


def _val(el, tag: str) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return child.get(qn("w:val")) if child is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(lvl) -> Level:
    is_lgl = lvl.find(qn("w:isLgl"))
    return Level(
        start=_int(_val(lvl, "w:start"), 1),
        fmt=_val(lvl, "w:numFmt") or "decimal",
        text=_val(lvl, "w:lvlText") or "",
        restart=(_int(_val(lvl, "w:lvlRestart"), 0) - 1) if lvl.find(qn("w:lvlRestart")) is not None else None,
        legal=is_lgl is not None and is_lgl.get(qn("w:val"), "1") not in ("0", "false"),
    )


class ListNumbering:
    """Counters of the document's lists; :meth:`label` is called once per
    numbered paragraph, in document order."""

    def __init__(self, numbering_element, styles_element=None):
        self.abstract: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, Level]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.style_numpr: dict[str, tuple[str | None, int | None]] = {}
        self.style_based: dict[str, str] = {}
        self._started: set[str] = set()
        if numbering_element is not None:
            for absn in numbering_element.findall(qn("w:abstractNum")):
                levels = {_int(lvl.get(qn("w:ilvl")), 0): _level(lvl) for lvl in absn.findall(qn("w:lvl"))}
                self.abstract[absn.get(qn("w:abstractNumId"))] = levels
            for num in numbering_element.findall(qn("w:num")):
                abstract_id = _val(num, "w:abstractNumId")
                starts: dict[int, int] = {}
                overrides: dict[int, Level] = {}
                for ov in num.findall(qn("w:lvlOverride")):
                    ilvl = _int(ov.get(qn("w:ilvl")), 0)
                    so = _val(ov, "w:startOverride")
                    if so is not None:
                        starts[ilvl] = _int(so, 1)
                    lvl = ov.find(qn("w:lvl"))
                    if lvl is not None:
                        overrides[ilvl] = _level(lvl)
                self.nums[num.get(qn("w:numId"))] = (abstract_id, starts, overrides)
        if styles_element is not None:
            for style in styles_element.findall(qn("w:style")):
                sid = style.get(qn("w:styleId"))
                based = _val(style, "w:basedOn")
                if based:
                    self.style_based[sid] = based
                numpr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
                if numpr is not None:
                    ilvl = _val(numpr, "w:ilvl")
                    self.style_numpr[sid] = (_val(numpr, "w:numId"), _int(ilvl, 0) if ilvl is not None else None)

    def snapshot(self) -> tuple:
        return {k: dict(v) for k, v in self.counters.items()}, set(self._started)

    def restore(self, state: tuple) -> None:
        counters, started = state
        self.counters = {k: dict(v) for k, v in counters.items()}
        self._started = set(started)

    def _numpr_of(self, p) -> tuple[str | None, int]:
        ppr = p.find(qn("w:pPr"))
        num_id, ilvl = None, None
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if numpr is not None:
            num_id = _val(numpr, "w:numId")
            ilvl_val = _val(numpr, "w:ilvl")
            ilvl = _int(ilvl_val, 0) if ilvl_val is not None else None
        if num_id is None or ilvl is None:
            style = _val(ppr, "w:pStyle") if ppr is not None else None
            seen = set()
            while style and style not in seen:
                seen.add(style)
                if style in self.style_numpr:
                    s_num, s_lvl = self.style_numpr[style]
                    num_id = num_id if num_id is not None else s_num
                    ilvl = ilvl if ilvl is not None else s_lvl
                    break
                style = self.style_based.get(style)
        return num_id, ilvl or 0

    def _levels(self, num_id: str) -> tuple[str, dict[int, Level]] | None:
        entry = self.nums.get(num_id)
        if entry is None:
            return None
        abstract_id, _starts, overrides = entry
        levels = dict(self.abstract.get(abstract_id, {}))
        levels.update(overrides)
        return abstract_id, levels

    def label(self, p) -> str:
        """The number Word draws before paragraph ``p`` (``w:p`` element), or ""."""
        if not self.nums:
            return ""
        num_id, ilvl = self._numpr_of(p)
        if not num_id or num_id == "0":
            return ""
        found = self._levels(num_id)
        if found is None:
            return ""
        abstract_id, levels = found
        level = levels.get(ilvl)
        if level is None:
            return ""
        # Counters are shared by the lists of one abstract definition; a list
        # with a startOverride starts afresh the first time it is used.
        counters = self.counters.setdefault(abstract_id, {})
        _a, starts, _o = self.nums[num_id]
        if num_id not in self._started:
            self._started.add(num_id)
            for lvl_no, start in starts.items():
                counters[lvl_no] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            lvl = levels.get(deeper)
            if lvl is None or lvl.restart is None or lvl.restart >= ilvl:
                del counters[deeper]
        if level.fmt == "bullet":
            return ""
        text = level.text
        for k in range(9):
            token = f"%{k + 1}"
            if token not in text:
                continue
            lvl = levels.get(k, Level())
            value = counters.get(k, lvl.start)
            fmt = "decimal" if (level.legal and k != ilvl) else lvl.fmt
            text = text.replace(token, format_number(value, fmt))
        return text.strip()
