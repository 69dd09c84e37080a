"""TRS WCM (拓尔思) lists: ``index.htm``, ``index_1.htm``, … written by ``createPageHTML``.

A TRS column page holds its first page of entries and a script that draws the
pager in the browser, in one of these real forms::

    createPageHTML(5, 0, "index", "htm");
    createPageHTML('page_div', 5, 1, 'index', 'shtml', 132);
    var countPage = 5//共多少页
    createPageHTML(countPage, currentPage, "index", "htm");

Page 0 is ``index.htm``; page *n* is ``index_n.htm`` in the same folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_ARG = r"""\s*([A-Za-z_]\w*|\d+)\s*"""
_STR = r"""\s*['"]([^'"]+)['"]\s*"""
_CALL = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,)?" + _ARG + "," + _ARG + "," + _STR + "," + _STR + r"[,)]"
)
_VAR = re.compile(r"\bvar\s+([A-Za-z_]\w*)\s*=\s*(\d+)")


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
        return None
    variables = {name: int(value) for name, value in _VAR.findall(html)}

    def number(token: str) -> int | None:
        return int(token) if token.isdigit() else variables.get(token)

    count, current = number(match.group(1)), number(match.group(2))
    if count is None:
        return None
    return Pager(count=max(count, 1), current=current or 0, prefix=match.group(3), suffix=match.group(4))
