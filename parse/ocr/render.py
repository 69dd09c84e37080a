"""PDF pages rendered to pictures for OCR, with pypdfium2 (PDFium; installed
with pdfplumber).

A page is rendered at the scale that makes it about :data:`TARGET_WIDTH`
pixels wide (an A4 page: 1400 x 1980), where the OCR reads body text well;
:mod:`parse.ocr.tiles` still rescales it if its text turns out too small or
too large. PDFium decodes every image filter scanners use (CCITT, JBIG2, JPX,
DCT), so rendering the page is simpler and surer than pulling its images out.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from .engine import OcrError

__all__ = ["TARGET_WIDTH", "open_pdf", "render_page"]

# Width of the rendered page in pixels, and the bounds of the scale (pixels per
# PDF point) it may take: a page of odd size is not rendered to a sliver or to
# a poster.
TARGET_WIDTH = 1400
MIN_SCALE = 1.0
MAX_SCALE = 4.0


@contextmanager
def open_pdf(data: bytes) -> Iterator[Any]:
    """The PDF as a ``pypdfium2.PdfDocument``, closed on leaving."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except Exception as exc:  # noqa: BLE001 -- PdfiumError and whatever its bindings raise
        raise OcrError(f"PDFium cannot open the PDF to render it ({type(exc).__name__}: {str(exc)[:300]})") from exc
    try:
        yield document
    finally:
        document.close()


def render_page(document: Any, index: int, *, width: int = TARGET_WIDTH) -> tuple[Any, float]:
    """Page ``index`` (0-based) as an RGB ``numpy`` array, and the scale it
    was rendered at (pixels per PDF point)."""
    import numpy as np

    try:
        page = document[index]
        try:
            points = float(page.get_width()) or 595.0
            scale = min(MAX_SCALE, max(MIN_SCALE, width / points))
            bitmap = page.render(scale=scale)
            image = np.asarray(bitmap.to_pil().convert("RGB"))
        finally:
            page.close()
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 -- PdfiumError and whatever its bindings raise
        raise OcrError(f"PDFium cannot render page {index + 1} ({type(exc).__name__}: {str(exc)[:300]})") from exc
    return image, scale
