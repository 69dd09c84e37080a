"""A page read by OCR, kept with the document as evidence.

The format readers (:mod:`parse.formats.image`, :mod:`parse.formats.pdf`)
put one :class:`OcrPage` per page they OCR'd on
``ExtractedDocument.ocr``: the text the page gave, its lines with their
tokens (box and confidence of every figure), and the SHA-256 of the picture
read (the image file, or the PDF page as rendered), so a figure can be traced
to the pixels it came from.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from .layout import OcrText, arrange
from .recheck import recheck
from .rules import table_rules
from .tiles import choose_scale, read_picture

__all__ = ["OcrPage", "ocr_picture", "read_page"]

TILE_PIXELS = 1000
# Rounds of second looks (see read_page).
RECHECK_ROUNDS = 3
SECONDS_PER_TILE = 60.0  # measured 15-26 s per 1000-pixel tile on a busy 2-core machine: room to spare


@dataclass
class OcrPage:
    """``page``: 1-based page (or frame) number; ``sha256``: of the source
    image file, or of the PDF a scanned page was rendered from (what a
    figure's crop is cut from: ``page`` and ``scale`` say where); ``width`` x
    ``height``: the picture read, in pixels (the tokens' coordinates);
    ``scale``: pixels per PDF point (1.0 for an image file); ``seconds``: the
    time the OCR took; ``text``: what it read."""

    page: int
    sha256: str
    width: int
    height: int
    text: OcrText
    scale: float = 1.0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "scale": self.scale,
            "seconds": round(self.seconds, 2),
            "skew": round(self.text.skew, 2),
            "lines": [
                {
                    "text": line.text,
                    "tokens": [
                        {"text": t.text, "box": [round(v, 1) for v in t.box], "confidence": round(t.confidence, 3)}
                        for t in line.tokens
                    ],
                }
                for line in self.text.lines
            ],
        }


def pixels_sha256(image: Any) -> str:
    """SHA-256 of an RGB array's pixels (with its shape, so that two pictures
    of the same bytes in other shapes differ)."""
    digest = hashlib.sha256(f"{image.shape[1]}x{image.shape[0]}x3:".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def read_page(image: Any) -> OcrText:
    """The text of a picture of a page (an RGB ``numpy`` array): read in
    tiles, laid out by its rules (both at the scale its text reads best), and the cells that read left blank or
    misread looked at again (:mod:`.recheck`) and the page laid out anew with
    what that found."""
    scale = choose_scale(image)
    tokens = read_picture(image, factor=scale)
    rules, column_rules = table_rules(image, scale)
    text = arrange(tokens, rules, column_rules)
    looked: set[tuple[int, ...]] = set()
    for _ in range(RECHECK_ROUNDS):  # a row placed with what one look found may show blanks of its own
        places = [p for p in text.rechecks if _place_key(p) not in looked]
        looked.update(_place_key(p) for p in places)
        found, replaced = recheck(image, places)
        if not found:
            break
        gone = {id(t) for t in replaced}
        tokens = [t for t in tokens if id(t) not in gone] + found
        text = arrange(tokens, rules, column_rules)
    return text


def _place_key(place: Any) -> tuple[int, ...]:
    return tuple(round(v) for v in place.box)


def ocr_picture(image: Any, *, page: int, sha256: str | None = None, scale: float = 1.0) -> OcrPage:
    """OCR one picture (an RGB ``numpy`` array). Raises
    :class:`parse.ocr.OcrError` if the OCR library fails."""
    from ..isolation import allow_more

    # the worker's time limit cannot know a picture's cost in advance: ask for it
    tiles = math.ceil(image.shape[0] / TILE_PIXELS) * math.ceil(image.shape[1] / (1.8 * TILE_PIXELS))
    allow_more(SECONDS_PER_TILE * tiles + 30)
    start = time.perf_counter()
    text = read_page(image)
    return OcrPage(
        page=page,
        sha256=sha256 or pixels_sha256(image),
        width=int(image.shape[1]),
        height=int(image.shape[0]),
        text=text,
        scale=scale,
        seconds=time.perf_counter() - start,
    )
