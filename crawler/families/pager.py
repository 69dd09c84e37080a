"""Plain paginated lists: static pager links (下一页, 尾页, 2, 3 …, ``?page=N``).

Most hand-built and older CMS lists render their pager as ordinary links. A
link is a pager link when its text is a pager word or a page number and it
stays in the list's own folder, so an article link numbered "2" elsewhere on
the site is not taken for a page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_PAGER_TEXT = re.compile(r"^(下一页|下页|上一页|上页|尾页|末页|首页|最后一页|>|>>|»|›|\d{1,4})$")


def _folder(url: str) -> str:
    path = urlsplit(url).path
    return path.rsplit("/", 1)[0]


def pager_links(list_url: str, links) -> list[str]:
    """URLs of the other pages of the list at ``list_url``."""
    folder = _folder(list_url)
    host = urlsplit(list_url).netloc
    pages = []
    for link in links:
        text = re.sub(r"\s+", "", link.text or "")
        if not _PAGER_TEXT.match(text):
            continue
        parts = urlsplit(link.url)
        if parts.netloc != host or _folder(link.url) != folder:
            continue
        if link.url != list_url:
            pages.append(link.url)
    return pages
