"""Helpers shared by the format readers: decoding and sanity checks."""

from __future__ import annotations

from archive.encoding import choose_encoding, decode, declared_encoding

from ..errors import UnreadableDocument
from ..textutil import control_ratio

# Share of control/replacement characters above which decoded "text" is taken to
# be binary data. Real pages stay far below 1 %; random bytes give 10 % or more.
BINARY_THRESHOLD = 0.03


def decode_body(
    data: bytes,
    *,
    name: str | None,
    content_type: str | None,
    declared: str | None,
    expected: str,
) -> tuple[str, str, int]:
    """Decode with :mod:`archive.encoding` and refuse binary data.

    Returns ``(text, encoding, replaced_chars)``. ``declared`` (an explicit
    encoding from the caller) wins over the Content-Type header and the page's
    meta tag.
    """
    declared = declared or declared_encoding(content_type, data)
    encoding = choose_encoding(data, declared)
    text = decode(data, declared)
    if not text.strip():
        raise UnreadableDocument(name, f"empty {expected} document (only whitespace)")
    ratio = control_ratio(text[:65536])
    if ratio > BINARY_THRESHOLD:
        raise UnreadableDocument(
            name, f"binary data where {expected} was expected ({ratio:.0%} control or undecodable characters)"
        )
    return text, encoding, text.count("\ufffd")
