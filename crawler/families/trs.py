"""TRS WCM (拓尔思) lists: ``index.htm``, ``index_1.htm``, … written by ``createPageHTML``.

A TRS column page holds its first page of entries and a script that draws the
pager in the browser, in one of these real forms::

    createPageHTML(5, 0, "index", "htm");
    createPageHTML('page_div', 5, 1, 'index', 'shtml', 132);
    var countPage = 5//共多少页
    createPageHTML(countPage, currentPage, "index", "htm");
    //wcm分页，总记录：336
    createPage(34, 0, "index", "html");

or with no call at all: a script that writes the pager itself from its
variables (``var currentPage = 0; var countPage = 2`` and
``document.write("<a href=\"index"+"_" + i + "."+"html\">")``).

Page 0 is ``index.htm``; page *n* is ``index_n.htm`` in the same folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_ARG = r"""\s*([A-Za-z_]\w*|\d+)\s*"""
_STR = r"""\s*['"]([^'"]+)['"]\s*"""
_CALL = re.compile(
    r"createPage(?:HTML)?\(\s*(?:['\"][^'\"]*['\"]\s*,)?" + _ARG + "," + _ARG + "," + _STR + "," + _STR + r"[,)]"
)
_VAR = re.compile(r"\bvar\s+([A-Za-z_]\w*)\s*=\s*(\d+)")
# A script that writes its pager itself: its page count, current page, and the
# page names it writes ("index"+"_" + i + "."+"html", "index_"+(n-1)+".html").
_COUNT_VAR = re.compile(r"\bvar\s+countPage\s*=\s*(\d+)")
_CURRENT_VAR = re.compile(r"\bvar\s+currentPage\s*=\s*(\d+)")
_WRITTEN_PREFIX = re.compile(r"""["'](\w+)["']\s*\+\s*["']_["']|["'](\w+)_["']\s*\+""")
_WRITTEN_SUFFIX = re.compile(r"""\.(?:["']\s*\+\s*["'])?(shtml|html|htm)\b""")


@dataclass(frozen=True)
class Pager:
    count: int  # pages in all
    current: int  # 0-based index of this page
    prefix: str
    suffix: str

    def page_name(self, index: int) -> str:
        return f"{self.prefix}.{self.suffix}" if index == 0 else f"{self.prefix}_{index}.{self.suffix}"

    def urls(self, base_url: str, limit: int | None = None) -> list[str]:
        """Absolute URLs of every page but this one (at most ``limit`` pages in all)."""
        count = self.count if limit is None else min(self.count, limit)
        return [urljoin(base_url, self.page_name(i)) for i in range(count) if i != self.current]


def find_pager(html: str) -> Pager | None:
    """The pager a TRS list page draws, or None if the page has none."""
    match = _CALL.search(html)
    if not match:
        return _written_pager(html)
    variables = {name: int(value) for name, value in _VAR.findall(html)}

    def number(token: str) -> int | None:
        return int(token) if token.isdigit() else variables.get(token)

    count, current = number(match.group(1)), number(match.group(2))
    if count is None:
        return None
    return Pager(count=max(count, 1), current=current or 0, prefix=match.group(3), suffix=match.group(4))


def _written_pager(html: str) -> Pager | None:
    """The pager of a script that writes its links itself from ``var countPage``."""
    count = _COUNT_VAR.search(html)
    if not count:
        return None
    script = html[count.start():count.start() + 6000]
    prefix = _WRITTEN_PREFIX.search(script)
    suffix = _WRITTEN_SUFFIX.search(script)
    if not prefix or not suffix:
        return None  # a countPage that names no page: not a TRS pager
    current = _CURRENT_VAR.search(html)
    return Pager(count=max(int(count.group(1)), 1), current=int(current.group(1)) if current else 0,
                 prefix=prefix.group(1) or prefix.group(2), suffix=suffix.group(1))
