"""Small text helpers shared by the parser modules.

Full-width characters (（一）, ０-９, ：) are kept as they are in the data; only
whitespace is normalised. Matching helpers (``compact``) drop all whitespace,
since Chinese reports space out labels at random (指 标 名 称, 2017 年).
"""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs, CJK symbols/punctuation, full-width forms.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_CHAR = re.compile(f"[{_CJK}]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_WS = re.compile(r"\s+")
# A line that is page furniture, not report text: page markers of text exports
# (``=== page 4``), page numbers (``- 5 -``, ``第 3 页 共 9 页``, ``3/9``),
# markdown table rules (``|---|---|``).
PAGE_FURNITURE = re.compile(
    r"^\s*(?:=+\s*page\s*\d+\s*=*|[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# Whitespace (incl. &nbsp; and the ideographic space) next to a CJK character.
_SPACE_BEFORE_CJK = re.compile(f"\\s+(?=[{_CJK}])")
_SPACE_AFTER_CJK = re.compile(f"(?<=[{_CJK}])\\s+")


def collapse_ws(text: str) -> str:
    """Collapse every whitespace run (incl. U+00A0, U+3000) to one space and strip."""
    return _WS.sub(" ", text).strip()


def squash_cjk_spaces(text: str) -> str:
    """Collapse whitespace, then drop the spaces that touch a CJK character.

    ``莱阳市河洛镇 2017 年度`` → ``莱阳市河洛镇2017年度``; spaces between two
    Latin words or numbers stay.
    """
    if not _WS.search(text):  # no whitespace at all: nothing to collapse or drop
        return text
    text = collapse_ws(text)
    text = _SPACE_BEFORE_CJK.sub("", text)
    # U+3000 itself is in the CJK range: strip it as whitespace, not as a neighbour.
    text = _SPACE_AFTER_CJK.sub("", text)
    return text.replace("\u3000", "").strip()


def compact(text: str) -> str:
    """Text with all whitespace removed, for marker/label matching."""
    return _WS.sub("", text).replace("\u3000", "")


def fold(text: str) -> str:
    """Compact text with full-width ASCII folded to half-width (NFKC), for matching
    only: ``（一）`` → ``(一)``, ``２０１８`` → ``2018``."""
    return compact(unicodedata.normalize("NFKC", text))


def han_count(text: str) -> int:
    """Number of Chinese characters in ``text``."""
    return len(HAN.findall(text))


# C0 controls except tab, newline, form feed and CR; DEL and the C1 controls;
# U+FFFD, the replacement character.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")


def control_ratio(text: str) -> float:
    """Share of characters that signal binary data decoded as text: C0/C1 control
    characters other than tab/newline/CR/FF, and U+FFFD replacement characters."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def nonempty_lines(text: str) -> list[str]:
    """The stripped non-empty lines of ``text``."""
    return [line.strip() for line in text.splitlines() if line.strip()]
