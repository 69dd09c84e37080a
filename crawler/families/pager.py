"""Plain paginated lists: static pager links (下一页, 尾页, 2, 3 …, ``?page=N``).

Most hand-built and older CMS lists render their pager as ordinary links. A
link is a pager link when its text is a pager word or a page number and it
stays in the list's own folder, so an article link numbered "2" elsewhere on
the site is not taken for a page.

When the pager numbers its pages in a query parameter (``?page=7``, with a
尾页 link to the last one), every page is planned at once from the first, as
TRS pagers are; a pager that only ever shows a window of pages would
otherwise be walked as a chain, one crawl-depth level per page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_PAGER_TEXT = re.compile(r"^(下一页|下页|上一页|上页|尾页|末页|首页|最后一页|>|>>|»|›|\d{1,4})$")
PAGE_PARAMS = ("page", "pageNo", "pageNum", "pageIndex", "curPage", "currentPage", "p", "pn")


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
        if link.url != list_url and link.url not in pages:
            pages.append(link.url)
    return pages


def numbered_pages(list_url: str, pager_urls: list[str], limit: int) -> list[str]:
    """Every page 2..N of a list numbered by a query parameter, or [] if it is not.

    N is the highest page number any pager link names (the 尾页 link names the
    last). Pages keep the other query parameters of the pager links.
    """
    best: tuple[int, str, str, list[tuple[str, str]]] | None = None
    for url in pager_urls:
        parts = urlsplit(url)
        params = parse_qsl(parts.query, keep_blank_values=True)
        for key, value in params:
            if key in PAGE_PARAMS and value.isdigit():
                number = int(value)
                if best is None or number > best[0]:
                    best = (number, key, url, params)
    if best is None:
        return []
    last, key, url, params = best
    parts = urlsplit(url)
    pages = []
    for number in range(2, min(last, limit) + 1):
        query = urlencode([(k, str(number) if k == key else v) for k, v in params])
        page = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        if page != list_url:
            pages.append(page)
    return pages
