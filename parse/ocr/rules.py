"""The horizontal ruling lines of a picture of a table.

A table's rows are drawn apart by horizontal rules; the lines of one cell's
wrapped text are not. Its columns are drawn apart by vertical rules, which say
which column a value stands in when the row leaves other cells blank and the
header cannot tell (a header of narrow columns the OCR read as one box). Where the spacing of the text cannot tell a label
wrapped over two lines from two rows (tight tables: 8 px between the lines of
a cell, 13 px between rows), a rule between them can: :mod:`.layout` does not
join two lines into one cell across a rule.

Found with OpenCV: dark pixels, thickened by a pixel up and down (a rule of a
page scanned a degree or two askew still runs on), gaps of a few pixels in
vertical rules bridged (cells drawn apart by cell spacing), opened with a
long flat kernel (only runs longer than :data:`MIN_LENGTH` pixels survive: no stroke of
a character is that long), each connected run one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Rule", "horizontal_rules", "vertical_rules", "table_rules"]

# Pixels darker than this are ink. A rule is only ink a long way: light grey
# counts (a 1-pixel border of a page shrunk to half its size is a grey of
# 180-195; no run of text is that long).
INK = 200
# A rule is at least this long (pixels), and this share of the picture's width
# if that is more; a rule's box is at most THICK pixels high per 100 px of its
# length beyond what the tilt of a skewed scan adds (3.5 px per 100 px at 2 degrees).
MIN_LENGTH = 40
MIN_SHARE = 0.03
# A vertical rule is at least this high: a table row and a half.
MIN_HEIGHT = 48
# Gaps of up to this many pixels in a vertical rule are bridged (tables drawn
# with cell spacing draw each cell's border apart).
GAP = 5
THICK = 6


@dataclass(frozen=True)
class Rule:
    """A horizontal rule: its bounding box, in the picture's pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    def y_at(self, x: float, slope: float) -> float:
        """The rule's height at ``x``, for a rule tilted by ``slope`` (the
        page's skew as dy/dx): through the box's corners on the tilt's side."""
        half = (self.y1 - self.y0) / 2
        middle = (self.y0 + self.y1) / 2
        if self.x1 <= self.x0:
            return middle
        t = (x - self.x0) / (self.x1 - self.x0) - 0.5
        if slope > 0:
            return middle + 2 * t * max(0.0, half - 1)
        if slope < 0:
            return middle - 2 * t * max(0.0, half - 1)
        return middle


def _ink(image: Any) -> Any:
    import cv2
    import numpy as np

    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    return (grey < INK).astype(np.uint8)


def _runs(ink: Any, length: int, *, across: bool) -> list[Rule]:
    """Runs of ink at least ``length`` long, horizontal (``across``) or vertical."""
    import cv2
    import numpy as np

    thicken = np.ones((3, 1) if across else (1, 3), np.uint8)
    kernel = np.ones((1, length) if across else (length, 1), np.uint8)
    ink = cv2.dilate(ink, thicken)
    if not across:  # (across, bridging would join the strokes of a line of text)
        ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((GAP, 1), np.uint8))
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    out = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k][:4])
        long, thick = (w, h) if across else (h, w)
        if long >= length and thick <= THICK + 0.04 * long:
            out.append(Rule(float(x), float(y), float(x + w), float(y + h)))
    return out


def horizontal_rules(image: Any) -> list[Rule]:
    """The horizontal rules of an RGB picture (numpy array)."""
    ink = _ink(image)
    return _runs(ink, max(MIN_LENGTH, int(MIN_SHARE * ink.shape[1])), across=True)


def vertical_rules(image: Any) -> list[Rule]:
    """The vertical rules of an RGB picture: the borders of a table's columns
    (at least a text line and a half high: no stroke of a character is)."""
    return _runs(_ink(image), MIN_HEIGHT, across=False)


def table_rules(image: Any, scale: float = 1.0) -> tuple[list[Rule], list[Rule]]:
    """The horizontal and vertical rules of an RGB picture, found at the scale
    its text is read at (``scale`` > 1: the picture enlarged, as
    :func:`parse.ocr.tiles.choose_scale` enlarges small text) and given in the
    picture's own pixels. The lengths and thicknesses above are for text of
    ordinary size: in a picture shrunk to half, a rule under a two-line header
    is shorter than :data:`MIN_HEIGHT`, and a character's strokes a pixel from
    a rule join it."""
    if scale <= 1.0:
        return horizontal_rules(image), vertical_rules(image)
    import cv2

    big = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)

    def back(rules: list[Rule]) -> list[Rule]:
        return [Rule(r.x0 / scale, r.y0 / scale, r.x1 / scale, r.y1 / scale) for r in rules]

    return back(horizontal_rules(big)), back(vertical_rules(big))
