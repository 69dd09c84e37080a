"""The OCR engine: RapidOCR (PP-OCR models on onnxruntime), one per process.

:func:`read` reads one picture (an RGB array, at most a tile's size: see
:mod:`parse.ocr.tiles` for whole pages) and returns its text boxes as
:class:`Token`\\ s in the picture's pixels.

The models are the ones the ``rapidocr`` wheel ships (PP-OCRv6 small detection
and recognition, the PP-OCR mobile direction classifier), passed to RapidOCR
by path: with a ``model_path`` RapidOCR never looks for a model to download
(it would, given only a model folder, if a file's checksum did not match), and
the recognition model carries its character list inside, so no dictionary is
fetched either. Nothing here touches the network.

RapidOCR and onnxruntime are imported on the first read, not with this module:
a parser that never meets a picture does not pay their import (about a
second) or their memory (about 150 MB with the models loaded).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Token", "OcrError", "read", "detect", "recognise", "model_paths", "engine"]

# The models of the rapidocr wheel, by RapidOCR's config section.
MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
# RapidOCR shrinks any picture whose longer side is over this before detection
# (its own default is 2000). Tiles stay below it; the setting only keeps a
# picture read whole from being shrunk further than the caller decided.
MAX_SIDE = 2400
# Recognised text scored below this is dropped (RapidOCR's default).
MIN_SCORE = 0.5


@dataclass(frozen=True)
class Token:
    """One text box the OCR read.

    ``box``: ``(x0, y0, x1, y1)``, the axis-aligned bounds of the detected
    quadrilateral, in pixels of the original picture. ``confidence``: the
    recogniser's score (0-1). ``angle``: the slope of the box's top edge in
    degrees (positive when the text runs down to the right), 0 for upright
    text; the layout uses it to undo a skewed scan.
    """

    text: str
    box: tuple[float, float, float, float]
    confidence: float
    angle: float = 0.0
    misread: str = ""  # what the recogniser read when ``text`` is what that shape is in a value cell (。 for 0)

    @property
    def x0(self) -> float:
        return self.box[0]

    @property
    def y0(self) -> float:
        return self.box[1]

    @property
    def x1(self) -> float:
        return self.box[2]

    @property
    def y1(self) -> float:
        return self.box[3]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    def moved(self, dx: float, dy: float, scale: float = 1.0) -> "Token":
        """The token in another picture's pixels: divided by ``scale`` (the
        factor the picture read had been resized by), then shifted."""
        x0, y0, x1, y1 = self.box
        box = (x0 / scale + dx, y0 / scale + dy, x1 / scale + dx, y1 / scale + dy)
        return Token(self.text, box, self.confidence, self.angle, self.misread)


class OcrError(Exception):
    """The OCR library failed (could not load its models, or raised on a
    picture). The format readers turn it into UnreadableDocument."""


_lock = threading.Lock()
_call_lock = threading.Lock()  # the instance keeps per-call settings: one call at a time
_engine: Any = None


def model_paths() -> dict[str, Path]:
    """The model files of the installed rapidocr wheel, by config section."""
    try:
        import rapidocr
    except ImportError as exc:  # the dependency is declared; a broken install is the caller's problem
        raise OcrError(f"the OCR package is not installed (rapidocr: {exc})") from exc
    root = Path(rapidocr.__file__).resolve().parent / "models"
    paths = {section: root / name for section, name in MODEL_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise OcrError(f"the OCR models are missing from the rapidocr package: {', '.join(missing)}")
    return paths


def engine() -> Any:
    """The process's RapidOCR instance, created on first use."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                paths = model_paths()
                params: dict[str, Any] = {
                    "Global.log_level": "error",
                    "Global.max_side_len": MAX_SIDE,
                    "Global.text_score": MIN_SCORE,
                }
                params.update({f"{section}.model_path": str(path) for section, path in paths.items()})
                try:
                    from rapidocr import RapidOCR

                    _engine = RapidOCR(params=params)
                except Exception as exc:  # noqa: BLE001 -- any failure of a third-party init
                    raise OcrError(f"the OCR engine could not start ({type(exc).__name__}: {exc})") from exc
    return _engine


def _angle(quad: Any) -> float:
    """Slope of the top edge of a detected quadrilateral (points clockwise
    from the top left), in degrees."""
    (x0, y0), (x1, y1) = quad[0], quad[1]
    if x1 - x0 <= 0:
        return 0.0
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def _run(image: Any, *, recognise: bool, find: bool = True) -> Any:
    ocr = engine()
    if getattr(image, "ndim", None) != 3 or image.shape[2] != 3:
        raise OcrError(f"expected an RGB picture, got an array of shape {getattr(image, 'shape', None)}")
    try:
        # RapidOCR takes arrays as OpenCV's BGR. Its call sets the steps on the
        # instance (they stick), so every call names them all. No direction
        # classifier: report pages are upright, and on a lone digit it can
        # only do harm (a 6 turned round is a 9).
        with _call_lock:
            return ocr(image[:, :, ::-1].copy(), use_det=find, use_cls=False, use_rec=recognise)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 -- onnxruntime, OpenCV and RapidOCR raise many types
        raise OcrError(f"the OCR failed on the picture ({type(exc).__name__}: {str(exc)[:300]})") from exc


def detect(image: Any) -> list[tuple[float, float, float, float]]:
    """The text boxes of ``image`` without reading them (the detector only,
    about a tenth of a full read): ``(x0, y0, x1, y1)`` each."""
    result = _run(image, recognise=False)
    boxes = getattr(result, "boxes", None)
    if boxes is None:
        return []
    out = []
    for quad in boxes:
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def read(image: Any) -> list[Token]:
    """The text boxes of ``image`` (a ``numpy`` array, height x width x 3,
    RGB, uint8) and their text. Raises :class:`OcrError` if the library
    fails."""
    result = _run(image, recognise=True)
    boxes = getattr(result, "boxes", None)
    texts = getattr(result, "txts", None)
    scores = getattr(result, "scores", None)
    if boxes is None or texts is None or scores is None:
        return []
    out = []
    for quad, text, score in zip(boxes, texts, scores):
        text = str(text).strip()
        if not text:
            continue
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        out.append(Token(text, (min(xs), min(ys), max(xs), max(ys)), float(score), _angle(quad)))
    return out


def recognise(image: Any) -> tuple[str, float]:
    """The text of ``image`` read as one box (the recogniser only: for a
    picture cut tight round one word or number), and its confidence; ``("",
    0.0)`` if it reads nothing."""
    result = _run(image, recognise=True, find=False)
    texts = getattr(result, "txts", None) or ()
    scores = getattr(result, "scores", None) or ()
    if not texts or not scores:
        return "", 0.0
    return str(texts[0]).strip(), float(scores[0])
