"""Reading a whole picture: in overlapping tiles, at a scale the OCR reads well.

RapidOCR shrinks a picture to fit its detector (longer side 2000 px): a tall
screenshot of a web page (1200 x 6000) shrinks to 400 x 2000 and almost every
character is lost. So a large picture is read in tiles of about
:data:`TILE` pixels that overlap by :data:`OVERLAP`, each at full resolution.

Tokens of the overlaps: every point of the picture belongs to one tile (the
overlap between two tiles is split at its middle), and a token is kept only
from the tile that owns its centre. A token cut by a tile's edge has its centre
within half a text line of that edge, inside the overlap's far half, which the
neighbouring tile owns and holds whole (the overlap is more than twice the
tallest text line). Tokens read twice near the middle line (each tile placing
the centre on its own side) are merged afterwards: of two tokens covering the
same place, the one read with more confidence stays.

Scale: before reading, the detector alone (a tenth of the cost of a read)
measures the text lines in a few tiles; text smaller than
:data:`MIN_TEXT_HEIGHT` pixels (a page rendered at half size) is enlarged,
text much larger (a 300-dpi scan) shrunk (see :func:`choose_scale`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any, Callable

from .engine import Token, detect, read

__all__ = ["read_picture", "choose_scale", "tile_origins", "merge_tiles", "Tile"]

# Tile side and the overlap between neighbouring tiles (pixels).
TILE = 1000
OVERLAP = 200
# A picture up to this size on both sides is read whole.
WHOLE = 1800
# A picture whose width is up to this is cut into full-width strips only (a
# text line is never cut lengthwise); a wider one into a grid of tiles.
STRIP_WIDTH = 1800
# Text line heights (median box height, pixels): below MIN the picture is
# enlarged to make them TARGET; above MAX it is shrunk to make them SHRUNK.
# Measured: an HTML page's screenshot has lines 23 px high, a PDF page
# rendered at scale 2 has 20-27; at half that size (13-14 px) the OCR misreads
# more headings, and reads them right enlarged.
MIN_TEXT_HEIGHT = 16
TARGET_TEXT_HEIGHT = 24
MAX_TEXT_HEIGHT = 48
SHRUNK_TEXT_HEIGHT = 32
MAX_UPSCALE = 3.0
# Tiles the detector looks at to measure the text (spread over the picture).
PROBE_TILES = 2
# Two tokens are one when this share of the smaller box lies in the other.
SAME_TOKEN = 0.5

Reader = Callable[[Any], list[Token]]
Detector = Callable[[Any], list[tuple[float, float, float, float]]]


@dataclass(frozen=True)
class Tile:
    """A tile of the picture: its pixels ``[x0, x1) x [y0, y1)`` and the part
    of the picture it owns (``own``: x0, y0, x1, y1)."""

    x0: int
    y0: int
    x1: int
    y1: int
    own: tuple[float, float, float, float]


def _spans(length: int, tile: int, overlap: int) -> list[tuple[int, int]]:
    """Start and end of each tile along one side: equal tiles of about
    ``tile`` that overlap by at least ``overlap``."""
    if length <= tile:
        return [(0, length)]
    step = tile - overlap
    count = max(2, -(-(length - overlap) // step))  # ceil
    size = -(-(length + (count - 1) * overlap) // count)
    starts = [round(i * (length - size) / (count - 1)) for i in range(count)]
    return [(s, min(length, s + size)) for s in starts]


def _owned(spans: list[tuple[int, int]], length: int) -> list[tuple[float, float]]:
    """The part of the side each tile owns: overlaps split at their middle."""
    out = []
    for i, (start, end) in enumerate(spans):
        lo = 0.0 if i == 0 else (spans[i - 1][1] + start) / 2
        hi = float(length) if i == len(spans) - 1 else (end + spans[i + 1][0]) / 2
        out.append((lo, hi))
    return out


def tile_origins(width: int, height: int, *, tile: int = TILE, overlap: int = OVERLAP) -> list[Tile]:
    """The tiles a ``width`` x ``height`` picture is read in (one tile, the
    whole picture, when it is small)."""
    if width <= WHOLE and height <= WHOLE:
        return [Tile(0, 0, width, height, (0.0, 0.0, float(width), float(height)))]
    xs = [(0, width)] if width <= STRIP_WIDTH else _spans(width, tile, overlap)
    ys = _spans(height, tile, overlap)
    x_own, y_own = _owned(xs, width), _owned(ys, height)
    return [
        Tile(x0, y0, x1, y1, (ox0, oy0, ox1, oy1))
        for (y0, y1), (oy0, oy1) in zip(ys, y_own)
        for (x0, x1), (ox0, ox1) in zip(xs, x_own)
    ]


def _inside_share(a: Token, b: Token) -> float:
    """Share of the smaller of two boxes that lies in the other."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min(a.width * a.height, b.width * b.height)
    return (w * h) / smaller if smaller > 0 else 0.0


def merge_tiles(per_tile: list[tuple[Tile, list[Token]]]) -> list[Token]:
    """The tokens of all tiles (already in the picture's pixels), each once:
    kept from the tile that owns its centre, duplicates near an overlap's
    middle merged."""
    kept: list[Token] = []
    for tile, tokens in per_tile:
        ox0, oy0, ox1, oy1 = tile.own
        kept.extend(t for t in tokens if ox0 <= t.cx < ox1 and oy0 <= t.cy < oy1)
    if len(per_tile) == 1:
        return kept
    out: list[Token] = []
    for token in sorted(kept, key=lambda t: -t.confidence):
        if not any(_inside_share(token, other) >= SAME_TOKEN for other in out):
            out.append(token)
    return sorted(out, key=lambda t: (t.y0, t.x0))


def _read_tiles(image: Any, reader: Reader) -> list[Token]:
    height, width = image.shape[:2]
    per_tile = []
    for tile in tile_origins(width, height):
        part = image[tile.y0 : tile.y1, tile.x0 : tile.x1]
        tokens = [t.moved(tile.x0, tile.y0) for t in reader(part)]
        per_tile.append((tile, tokens))
    return merge_tiles(per_tile)


def text_height(boxes: list[tuple[float, float, float, float]]) -> float | None:
    """The height of a text line: the median height of the boxes at least
    half again as wide as high (single digits are boxed tight); None when there
    are too few."""
    heights = [y1 - y0 for x0, y0, x1, y1 in boxes if (x1 - x0) >= 1.5 * (y1 - y0)]
    if len(heights) < 3:
        return None
    return statistics.median(heights)


def _resize(image: Any, factor: float) -> Any:
    import cv2

    height, width = image.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA)


def choose_scale(image: Any, *, detector: Detector = detect) -> float:
    """The factor to resize the picture by before reading it, from the height
    of its text lines as the detector finds them in a few of its tiles.

    Text lower than :data:`MIN_TEXT_HEIGHT` is enlarged to
    :data:`TARGET_TEXT_HEIGHT`, text higher than :data:`MAX_TEXT_HEIGHT`
    (a 300-dpi scan) shrunk to :data:`SHRUNK_TEXT_HEIGHT`; a picture wider
    than :data:`STRIP_WIDTH` is shrunk to that width if its text stays at least
    :data:`MIN_TEXT_HEIGHT` high (full-width strips cut no line lengthwise)."""
    height, width = image.shape[:2]
    tiles = tile_origins(width, height)
    step = max(1, len(tiles) // PROBE_TILES)
    boxes = []
    for tile in tiles[::step][:PROBE_TILES]:
        boxes.extend(detector(image[tile.y0 : tile.y1, tile.x0 : tile.x1]))
    line = text_height(boxes)
    if line is None:
        return 1.0
    factor = 1.0
    if line < MIN_TEXT_HEIGHT:
        factor = min(MAX_UPSCALE, TARGET_TEXT_HEIGHT / line)
    elif line > MAX_TEXT_HEIGHT:
        factor = SHRUNK_TEXT_HEIGHT / line
    if width * factor > STRIP_WIDTH and line * STRIP_WIDTH / width >= MIN_TEXT_HEIGHT:
        factor = STRIP_WIDTH / width
    return factor


def read_picture(image: Any, *, reader: Reader = read, detector: Detector = detect,
                 factor: float | None = None) -> list[Token]:
    """The tokens of a whole picture (an RGB array), in its pixels: read in
    tiles, at the scale :func:`choose_scale` picks, or ``factor`` (tokens
    mapped back)."""
    if factor is None:
        factor = choose_scale(image, detector=detector)
    if abs(factor - 1.0) < 0.1:
        return _read_tiles(image, reader)
    tokens = _read_tiles(_resize(image, factor), reader)
    return [t.moved(0, 0, factor) for t in tokens]
