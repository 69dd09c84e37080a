"""A second, closer look at the cells of a table the first read left blank.

Read whole, a picture's small text loses its loneliest characters: in a
half-size screenshot (a 0 five pixels high, hard against its column's
border) the detector finds no box at all for many a lone ``0``, and the
recogniser reads others as ``。`` or ``o``. The layout knows where such a
cell is -- a value column a row of values leaves blank, or a token among
values that no value reads like (:class:`.layout.Recheck`) -- so each of
those places is looked at again:

1. the place is cut out of the picture and the table's rules in it (ink
   across most of the cut) are whitened;
2. what ink is left is the cell's text; none, and the cell is blank (it
   stays blank: the template reader has no figure for it, never a guessed
   0); ink reaching the cut's edge is a neighbour's, and the place is left;
3. the ink, framed in white and enlarged to :data:`TARGET_TEXT_HEIGHT`, is
   read by the recogniser alone (no detector: there is one word there).

A number read is a token like any other, with its confidence. A ring read
as ``。``, ``o`` or ``O`` -- the shape of a 0 in a column of numbers -- is
taken as ``0`` with ``Token.misread`` saying what the recogniser saw, and
:mod:`parse.figures.ocr_evidence` keeps such a figure in doubt whatever its
confidence: a person looks at its crop. A token read as a ring that this
look cannot read otherwise is treated the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .engine import Token, recognise
from .layout import LOOKALIKE, Recheck

__all__ = ["recheck", "TARGET_TEXT_HEIGHT"]

# Pixels darker than this are ink; a row or column of the cut with ink over
# this share of its length is a rule (whitened, with a pixel either side): the
# cut is a line and a third high, so the stroke of a 1 never is.
INK = 160
RULE_SHARE = 0.85
# The height the cell's ink is enlarged to (pixels), and the white round it
# (a share of that height).
TARGET_TEXT_HEIGHT = 32
FRAME = 0.5
# What a second look may give: digits only (a dash or 无 is read the first time).
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")

Recogniser = Callable[[Any], tuple[str, float]]


def _cut(image: Any, box: tuple[float, float, float, float]) -> tuple[Any, int, int] | None:
    height, width = image.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(width, int(round(box[2]))), min(height, int(round(box[3])))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    return image[y0:y1, x0:x1], x0, y0


def _ink_box(pixels: Any) -> tuple[Any, tuple[int, int, int, int] | None]:
    """The cut with its rules whitened, and the bounds of the ink left
    (``x0, y0, x1, y1``; None if there is none)."""
    import cv2
    import numpy as np

    grey = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2GRAY)
    ink = grey < INK
    rule_columns = np.convolve(ink.mean(axis=0) > RULE_SHARE, np.ones(3), mode="same") > 0
    rule_rows = np.convolve(ink.mean(axis=1) > RULE_SHARE, np.ones(3), mode="same") > 0
    clean = pixels.copy()
    clean[:, rule_columns] = 255
    clean[rule_rows, :] = 255
    ink[:, rule_columns] = False
    ink[rule_rows, :] = False
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return clean, None
    return clean, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def _look(image: Any, place: Recheck, recogniser: Recogniser) -> Token | None:
    import cv2

    cut = _cut(image, place.box)
    if cut is None:
        return None
    pixels, ox, oy = cut
    clean, ink = _ink_box(pixels)
    if ink is None:
        return None
    x0, y0, x1, y1 = ink
    h, w = clean.shape[:2]
    if x0 == 0 or y0 == 0 or x1 == w or y1 == h:  # a neighbour's ink, cut through
        return None
    factor = TARGET_TEXT_HEIGHT / max(y1 - y0, 1)
    word = clean[y0:y1, x0:x1]
    big = cv2.resize(word, (max(1, round((x1 - x0) * factor)), TARGET_TEXT_HEIGHT), interpolation=cv2.INTER_CUBIC)
    frame = round(FRAME * TARGET_TEXT_HEIGHT)
    framed = cv2.copyMakeBorder(big, frame, frame, frame, frame, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    text, confidence = recogniser(framed)
    box = (float(ox + x0), float(oy + y0), float(ox + x1), float(oy + y1))
    if _NUMBER.match(text):
        return Token(text, box, confidence)
    if LOOKALIKE.match(text):
        return Token("0", box, confidence, misread=text)
    return None


def recheck(image: Any, places: list[Recheck], *, recogniser: Recogniser = recognise) -> tuple[list[Token], list[Token]]:
    """The values a closer look at ``places`` reads, and the tokens they
    replace (the misread ones; a place over a blank cell replaces none)."""
    found, replaced = [], []
    for place in places:
        token = _look(image, place, recogniser)
        if token is None and place.token is not None:  # a ring it still is: a 0, in doubt
            t = place.token
            token = Token("0", t.box, t.confidence, t.angle, misread=t.text)
        if token is None:
            continue
        found.append(token)
        if place.token is not None:
            replaced.append(place.token)
    return found, replaced
