"""OCR of pictures of reports: engine, tiling, and the layout into text.

* :mod:`.engine` -- RapidOCR with the models of its wheel, one per process;
  :func:`read` gives a picture's :class:`Token`\\ s.
* :mod:`.tiles` -- a whole page, read in overlapping tiles at a scale the
  OCR reads well (:func:`read_picture`).
* :mod:`.rules` -- the ruling lines of the picture's tables.
* :mod:`.layout` -- tokens → lines of text and pipe rows (:class:`OcrText`),
  each line keeping its tokens (:func:`locate`); :mod:`.columns` places a
  row's values under the table's columns, :mod:`.boxes` holds what both share.
* :mod:`.recheck` -- a closer second look at the cells the layout found blank
  or misread in rows of values.
* :mod:`.pages` -- one page read, kept as evidence (:class:`OcrPage`);
  :mod:`.render` renders PDF pages for it.

:func:`ocr_page` is tiles, rules, layout and the second look in a row.
"""

from __future__ import annotations

from typing import Any

from .engine import OcrError, Token, read
from .layout import OcrLine, OcrText, arrange, locate
from .tiles import read_picture

__all__ = ["OcrError", "Token", "OcrLine", "OcrText", "read", "read_picture", "arrange", "locate", "ocr_page"]


def ocr_page(image: Any) -> OcrText:
    """The text of a picture of a page (an RGB ``numpy`` array)."""
    from .pages import read_page

    return read_page(image)
