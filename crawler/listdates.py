"""The date a list page shows beside a report's link.

Most 年报 columns print each entry's date next to its title
(``<td><a>…年度报告</a></td><td>2020-09-03</td>``, ``<li><a>…</a><span>[2020-01-15]</span></li>``).
It is the date the portal put the report up: the archive's fallback for a
report whose own text states no date (publish's ``timeliness`` says which date
it used). Only the smallest element around the link that holds no other link is
read, so a neighbour's date is never taken; the link's own text (its title,
with its year) is left out.
"""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree
from parsel import Selector

DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)"
)
MAX_LEVELS = 3  # ancestors looked at: the cell, its row, the row's wrapper
MAX_TEXT = 200  # characters of an ancestor's own text: more is a block of prose, not an entry


def iso_date(text: str) -> str | None:
    """The first real calendar date in ``text`` as ``YYYY-MM-DD``, or None."""
    for match in DATE.finditer(text or ""):
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
        except ValueError:
            continue
    return None


_TEXTS = etree.XPath(".//text()", smart_strings=False)
_LINKS = etree.XPath(".//a[@href]")


def list_date(anchor) -> str | None:
    """The date shown beside ``anchor`` (an lxml element or a parsel Selector) on its list page, or None."""
    node = anchor.root if isinstance(anchor, Selector) else anchor
    own = " ".join(_TEXTS(node))
    for _ in range(MAX_LEVELS):
        node = node.getparent()
        if node is None:
            return None
        if node.tag in ("body", "html", "ul", "ol", "table", "tbody"):
            return None
        if len(_LINKS(node)) > 1:  # the element holds another entry: its dates are not ours
            return None
        text = " ".join(_TEXTS(node))
        rest = text.replace(own, " ", 1) if own else text
        if len(rest) > MAX_TEXT:
            return None
        found = iso_date(rest)
        if found:
            return found
    return None
