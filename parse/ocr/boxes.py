"""OCR tokens placed on the deskewed page, and what their text is.

:class:`Box` is a token where :mod:`.layout` put it (its centre turned back by
the page's skew); a cell is a list of boxes. Shared by :mod:`.layout` and
:mod:`.columns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import Token

__all__ = ["Box", "is_value", "is_value_cell", "cell_text", "join_texts", "cell_span", "char_weight", "cut_box"]

# What a value cell holds: a number, perhaps with its unit (75394432.52元,
# 12件), or a dash or 无 for none.
_VALUE = re.compile(r"^(?:[-+]?\d+(?:[.,]\d+)*(?:%|[万亿]?元|件|条|个|项|人次|次|人)?|[-—–－―/／\\]+|无)$")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass
class Box:
    """A token placed on the deskewed page."""

    token: Token
    cx: float
    cy: float
    width: float
    height: float

    @property
    def x0(self) -> float:
        return self.cx - self.width / 2

    @property
    def x1(self) -> float:
        return self.cx + self.width / 2


def is_value(text: str) -> bool:
    """A table cell's value: a number (with its unit) or a dash or 无."""
    return bool(_VALUE.match(text.strip()))


def join_texts(texts: list[str]) -> str:
    out = ""
    for text in texts:
        if out and not (_CJK.match(out[-1]) or _CJK.match(text[0])):
            out += " "
        out += text
    return out


def cell_text(cell: list[Box]) -> str:
    return join_texts([b.token.text for b in cell])


def is_value_cell(cell: list[Box]) -> bool:
    """A value cell (see :func:`is_value`)."""
    return bool(cell) and is_value(cell_text(cell))


def char_weight(ch: str) -> float:
    """A character's width in a line of text, in CJK character widths."""
    if ch.isspace():
        return 0.3
    return 1.0 if _CJK.match(ch) else 0.55


def cut_box(box: Box, at: int) -> tuple[Box, Box]:
    """A box cut after character ``at`` of its text, at the place the
    characters' widths put it (the token's box shared out the same way)."""
    text = box.token.text
    share = sum(char_weight(c) for c in text[:at]) / max(sum(char_weight(c) for c in text), 1e-6)
    t = box.token
    split = t.x0 + share * t.width
    left_t = Token(text[:at].rstrip(), (t.x0, t.y0, split, t.y1), t.confidence, t.angle)
    right_t = Token(text[at:].lstrip(), (split, t.y0, t.x1, t.y1), t.confidence, t.angle)
    middle = box.x0 + share * box.width
    left = Box(left_t, (box.x0 + middle) / 2, box.cy, middle - box.x0, box.height)
    right = Box(right_t, (middle + box.x1) / 2, box.cy, box.x1 - middle, box.height)
    return left, right


def cell_span(cell: list[Box]) -> tuple[float, float, float, float]:
    return (
        min(b.x0 for b in cell),
        min(b.cy - b.height / 2 for b in cell),
        max(b.x1 for b in cell),
        max(b.cy + b.height / 2 for b in cell),
    )

