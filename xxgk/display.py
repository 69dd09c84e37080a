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


def table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    """``rows`` under ``headers`` as lines of aligned columns two spaces apart, a
    rule of dashes under the headers; the columns numbered in ``right`` aligned right."""
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(_fill(c, widths[i], i in right) for i, c in enumerate(cells)).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _fill(text: str, columns: int, right: bool) -> str:
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill
