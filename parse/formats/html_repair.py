"""Pages whose markup a browser mends but libxml2 does not.

CMS templates and Word pastes leave tags open: no ``</td>``, ``</tr>``, ``</p>``,
``</span>``, nothing after the last table. A browser builds the page by the
HTML5 tree-construction rules and shows every table; libxml2 (lxml's HTML
parser, fast and right for almost every page) nests what follows an unclosed
cell inside it and drops later tables whole. When the tree lxml built holds
fewer tables or rows than the source opens, the page is re-built by Lexbor (an
HTML5 parser, through selectolax), serialized with every tag closed, and parsed
by lxml again: the tree a browser would have, for the readers that walk lxml
trees.
"""

from __future__ import annotations

import re

_OPENED = {tag: re.compile(rf"<{tag}\b", re.IGNORECASE) for tag in ("table", "tr")}


def lost_elements(html: str, root) -> bool:
    """Whether ``root`` (lxml's tree of ``html``) holds fewer ``<table>`` or ``<tr>``
    elements than the source opens."""
    for tag, opened in _OPENED.items():
        in_source = len(opened.findall(html))
        if in_source and sum(1 for _ in root.iter(tag)) < in_source:
            return True
    return False


def as_browser_builds_it(html: str) -> str:
    """``html`` rebuilt by the HTML5 rules and written back with every tag closed."""
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(html).html or html
