"""Errors raised by the parser."""

from __future__ import annotations


def exception_kind(exc: BaseException) -> str:
    """An exception's type as messages name it: ``ValueError``, ``zlib.error``
    (a bare ``error`` says nothing), ``pdfminer.psexceptions.PSEOF``."""
    kind = type(exc)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


class UnreadableDocument(Exception):
    """The document cannot be parsed at all.

    Raised instead of returning partial garbage: an empty file, binary data where
    HTML or text was expected, a format the parser does not support (yet), a page
    with no readable text, a damaged file, a file over a size limit. The message
    always names the file or URL and the reason.
    """

    def __init__(self, name: str | None, reason: str):
        self.name = name
        self.reason = reason
        super().__init__(f"{name or '<unnamed document>'}: {reason}")

    def __reduce__(self):
        # Pickled by its two arguments (the default would call it with the
        # message alone): the parser's worker process sends it back whole.
        return (type(self), (self.name, self.reason))


class ParserFailure(UnreadableDocument):
    """The parser itself failed on the document: an exception that no reader
    turned into a diagnosis (a library error type not caught where the library
    is called, or a bug). For the caller it is an unreadable document -- one bad
    file must not stop a crawl -- but it is kept apart so that tests and logs can
    tell a crash from a diagnosis."""


class ParseStopped(UnreadableDocument):
    """Parsing was stopped from outside: the worker process went over its memory
    or time limit, or died (:mod:`parse.isolation`)."""
