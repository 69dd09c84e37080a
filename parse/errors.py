"""Errors raised by the parser."""

from __future__ import annotations


class UnreadableDocument(Exception):
    """The document cannot be parsed at all.

    Raised instead of returning partial garbage: an empty file, binary data where
    HTML or text was expected, a format the parser does not support (yet), a page
    with no readable text. The message always names the file or URL and the reason.
    """

    def __init__(self, name: str | None, reason: str):
        self.name = name
        self.reason = reason
        super().__init__(f"{name or '<unnamed document>'}: {reason}")
