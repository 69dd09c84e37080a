"""Text laid out in terminal columns: a Chinese character takes two."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """How many terminal columns ``text`` takes (wide and full-width characters two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (at least one space
    after it unless ``right``: then aligned right, no space after)."""
    if right:
        return " " * max(0, columns - width(text)) + text
    return text + " " * max(1, columns - width(text))
