"""Character-encoding handling for fetched bodies.

Chinese government portals serve UTF-8, GBK, GB2312 and GB18030 pages, often
declaring the charset only in a ``<meta>`` tag, sometimes declaring it wrongly.
This module answers three questions about a body: what did the server or page
*declare*, what does the byte content *look like* (charset-normalizer), and how
should it be *decoded*.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# GB2312 and GBK are subsets of GB18030: decoding with the superset never loses
# characters that a page labelled gb2312 actually uses (e.g. 镕, 堃).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


def normalize(name: str | None) -> str | None:
    """Return Python's canonical codec name for ``name``, or None if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def header_encoding(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header value, if valid."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return normalize(match.group(1)) if match else None


def meta_encoding(body: bytes) -> str | None:
    """The charset declared by a ``<meta charset>`` or http-equiv tag in the first 4 KiB."""
    match = _META_CHARSET.search(body[:4096])
    return normalize(match.group(1).decode("ascii", "replace")) if match else None


def declared_encoding(content_type: str | None, body: bytes) -> str | None:
    """What the server declared: the HTTP header wins over the page's own meta tag."""
    return header_encoding(content_type) or meta_encoding(body)


def detect_encoding(body: bytes) -> str | None:
    """What the bytes look like, according to charset-normalizer (None for binary)."""
    if not body:
        return None
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:65536]).best()
    if best:
        return normalize(best.encoding)
    # charset-normalizer may find nothing in a GBK page's first 64 KiB (a cut
    # character, a page of mostly markup); the whole body decoding as GB18030
    # with Chinese in it is the usual case on these portals
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "gb18030" if sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") >= 10 else None


def _decodes_cleanly(body: bytes, encoding: str) -> bool:
    try:
        body.decode(_SUPERSETS.get(encoding, encoding))
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def choose_encoding(body: bytes, declared: str | None = None) -> str:
    """The encoding to decode ``body`` with.

    A declaration is trusted when the body decodes cleanly under it; otherwise
    (a page labelled utf-8 that is really GBK, which happens) detection decides.
    GB2312/GBK are widened to GB18030.
    """
    declared = normalize(declared)
    if declared and _decodes_cleanly(body, declared):
        return _SUPERSETS.get(declared, declared)
    detected = detect_encoding(body)
    if detected:
        return _SUPERSETS.get(detected, detected)
    return _SUPERSETS.get(declared, declared) if declared else "utf-8"


def decode(body: bytes, declared: str | None = None) -> str:
    """Decode ``body`` to text, see :func:`choose_encoding`; undecodable bytes become U+FFFD."""
    encoding = choose_encoding(body, declared)
    text = body.decode(encoding, errors="replace")
    return text.lstrip("\ufeff")
