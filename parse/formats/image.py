"""Pictures of reports (PNG, JPEG, GIF, BMP, TIFF, WebP), read by OCR.

Many reports publish their statistics tables only as pictures: a screenshot of
the Excel sheet, a photo, a scan. The picture is decoded with Pillow (the
first frame; every page of a multi-page TIFF, up to :data:`MAX_OCR_PAGES`),
turned upright by its EXIF orientation, laid on white where it is
transparent, and read by :mod:`parse.ocr`: the document's text is the OCR
text, table rows as pipe rows. ``ExtractedDocument.ocr`` keeps each page's
tokens (box, confidence) and the SHA-256 of the file.

A file Pillow cannot decode (truncated, corrupt, not a picture after all), a
picture over :data:`MAX_PIXELS`, an OCR failure: UnreadableDocument naming the
file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
import zlib

from ..document import IMAGE_MARKER_FORMAT, ExtractedDocument
from ..errors import UnreadableDocument
from ..model import ImageRef
from .pdf import MAX_OCR_PAGES  # one page budget for scans and multi-page pictures

logger = logging.getLogger(__name__)

# Pixels of one picture (of each page of a TIFF): a 1200 x 6000 screenshot of
# a whole web page has 7.2 million, an A4 page scanned at 300 dpi 8.7 million,
# a two-page spread 17. More is no report picture, and reading it would take
# many minutes (a 1200 x 12000 screenshot takes one to two).
MAX_PIXELS = 25_000_000
OCR_START_SECONDS = 60.0  # what a worker asks for to import the OCR library and load its models

FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "BMP": "BMP", "TIFF": "TIFF", "WEBP": "WebP", "MPO": "JPEG"}


def _decode_errors() -> tuple[type[BaseException], ...]:
    """What Pillow raises on files it cannot decode (found by feeding it
    truncated and byte-flipped pictures): OSError (its UnidentifiedImageError,
    "image file is truncated", decoder errors), SyntaxError (format plugins),
    and built-in errors from headers of nonsense."""
    return (
        OSError,
        SyntaxError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        EOFError,
        struct.error,
        zlib.error,
        ZeroDivisionError,
    )


def _rgb(frame):
    """An RGB copy of a Pillow frame, transparency laid on white."""
    from PIL import Image

    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greys: scaled to 8 bits by their own range
        grey = frame.convert("F")
        low, high = grey.getextrema()
        span = (high - low) or 1.0
        return grey.point(lambda v: (v - low) * 255.0 / span).convert("L").convert("RGB")
    return frame.convert("RGB")


def _too_large(pixels: int, name: str | None) -> UnreadableDocument:
    return UnreadableDocument(
        name,
        f"the picture has {pixels / 1e6:.0f} million pixels, over the {MAX_PIXELS // 1_000_000}-million-pixel "
        "limit for a report picture",
    )


def decode(data: bytes, name: str | None) -> tuple[str, list, int]:
    """The picture's format name, its pages as RGB ``numpy`` arrays (at most
    :data:`MAX_OCR_PAGES`) and its number of pages."""
    import numpy as np
    from PIL import Image, ImageOps, ImageSequence

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = FORMAT_NAMES.get(image.format or "", image.format or "image")
            count = getattr(image, "n_frames", 1) if kind == "TIFF" else 1
            pages = []
            # size checked before each frame is decoded
            for frame in ImageSequence.Iterator(image) if count > 1 else [image]:
                pixels = frame.size[0] * frame.size[1]
                if pixels > MAX_PIXELS:
                    raise _too_large(pixels, name)
                frame.load()
                pages.append(np.asarray(_rgb(ImageOps.exif_transpose(frame))))
                if len(pages) >= MAX_OCR_PAGES:
                    break
    except (UnreadableDocument, MemoryError):
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own limit, checked on opening
        raise UnreadableDocument(name, f"the picture is far over the {MAX_PIXELS // 1_000_000}-million-pixel limit ({exc})") from exc
    except _decode_errors() as exc:
        raise UnreadableDocument(
            name, f"corrupt or truncated image file ({type(exc).__name__}: {str(exc)[:300]})"
        ) from exc
    if not pages or any(p.size == 0 for p in pages):
        raise UnreadableDocument(name, "empty image (no pixels)")
    if count > len(pages):
        logger.warning("%s: %d pages, only the first %d read by OCR", name, count, len(pages))
    return kind, pages, count


def extract(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    declared_encoding: str | None = None,
) -> ExtractedDocument:
    from ..isolation import allow_more

    kind, pages, count = decode(data, name)
    allow_more(OCR_START_SECONDS)  # loading the OCR library and its models, before the first picture's own ask

    from ..ocr import OcrError
    from ..ocr.pages import ocr_picture

    sha256 = hashlib.sha256(data).hexdigest()
    read = []
    lines: list[str] = []
    images: list[ImageRef] = []
    for number, rgb in enumerate(pages, start=1):
        try:
            page = ocr_picture(rgb, page=number, sha256=sha256)
        except OcrError as exc:
            raise UnreadableDocument(name, f"OCR failed on the {kind} picture: {exc}") from exc
        read.append(page)
        if page.text.text:
            lines.append(page.text.text)
    for number in range(len(pages) + 1, count + 1):  # over the OCR budget: listed, not read
        label = f"page {number} (not read: over the {MAX_OCR_PAGES}-page OCR budget)"
        images.append(ImageRef(src=f"page{number}", alt=label))
        lines.append(IMAGE_MARKER_FORMAT.format(label))
    text = "\n".join(lines).strip()
    if not any(p.text.text.strip() for p in read):
        raise UnreadableDocument(name, f"no text found in the {kind} picture by OCR")
    return ExtractedDocument(media="image", text=text, images=images, ocr=read,
                             ocr_unread=list(range(len(pages) + 1, count + 1)))
