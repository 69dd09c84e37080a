"""Small helpers."""

from __future__ import annotations

import functools
import struct
import zlib


@functools.lru_cache(maxsize=8)
def placeholder_png(width: int = 400, height: int = 240, gray: int = 0xEE) -> bytes:
    """A valid, blank (uniform light-gray) PNG.  The portal serves it for
    every picture: it carries no figures."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes([gray]) * width  # filter byte + 8-bit grayscale pixels
    raw = row * height
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))
