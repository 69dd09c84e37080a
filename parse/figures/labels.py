"""Normalising row and column labels of report tables for matching.

Labels are matched by their text, never by their position. Real reports write
the same label many ways: ``（三）不予公开`` / ``(三)不予公开`` / ``三、不予公开``,
``1.属于国家秘密`` / ``1、属于国家秘密`` / ``1．属于国家秘密``, ``危及“三安全一稳定”``
/ ``危及"三安全一稳定"``, ``其他法律行政法规禁止公开`` / ``其他法律、行政法规禁止公开``,
``指 标 名 称``. :func:`core` reduces all of them to one form: whitespace removed,
full-width folded to half-width (NFKC), leading numbering and ``其中：`` removed,
trailing parenthetical notes removed (``部分公开（区分处理的，只计这一情形…）`` →
``部分公开``), punctuation and quotes removed.
"""

from __future__ import annotations

import re
import unicodedata

from parse.memo import memoise

_WS = re.compile(r"\s+")
_NUMBERING = re.compile(
    r"^(?:"
    r"其中[:：]?"  # 其中：1.政府网站公开数
    r"|第?[一二三四五六七八九十]+[、.．:：]"  # 三、 / 第三、
    r"|[(（][一二三四五六七八九十\d]+[)）][、.．]?"  # （一） (1)
    r"|\d+[、.．)）](?!\d)"  # 1. 1、 1)
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]"
    r")"
)
_PAREN_TAIL = re.compile(r"[(（][^()（）]*[)）]$")
_PAREN_NOTE = re.compile(r"[(（]([^()（）]*)[)）]")
_PUNCT = re.compile(r"[\"'“”‘’「」『』《》〈〉、,，.．。:：;；·!！?？_\-—–－/／\\＋+*＊]")


def fold(text: str | None) -> str:
    """NFKC and no whitespace."""
    return _WS.sub("", unicodedata.normalize("NFKC", text or ""))


def strip_numbering(text: str) -> str:
    """Drop any run of leading numbering (``其中：1.``, ``（三）``, ``三、``)."""
    prev = None
    while prev != text:
        prev = text
        text = _NUMBERING.sub("", text, count=1)
    return text


@memoise()  # the table code asks for the core of each cell many times
def core(text: str | None) -> str:
    """The matching form of a label (see module docstring)."""
    s = strip_numbering(fold(text))
    while True:
        shorter = _PAREN_TAIL.sub("", s)
        if shorter == s or not shorter:  # a label that is all parenthesis stays
            break
        s = shorter
    return _PUNCT.sub("", s)


def paren_notes(text: str | None) -> str:
    """The folded text of all parenthetical notes in a label, for reading units
    such as ``本年收费金额（单位：万元）``."""
    return "".join(_PAREN_NOTE.findall(fold(text)))


def unit_in_label(text: str | None) -> str | None:
    """The money unit a header states: ``（单位：万元）`` / ``（万元）`` / ``(元)``."""
    notes = paren_notes(text)
    if "万元" in notes:
        return "万元"
    if "元" in notes:
        return "元"
    return None
