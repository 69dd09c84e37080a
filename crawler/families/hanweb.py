"""Hanweb JCMS (大汉) lists: records in a ``<datastore>`` script, more from ``dataproxy.jsp``.

A Hanweb column page (``/col/col12345/index.html``) carries its first records
inline::

    <div id="67890"><script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1
          &webid=1&path=/&columnid=12345&unitid=67890&webname=...&permissiontype=0"></a>]]></nextgroup>
      <recordset><record><![CDATA[<li><a href="/art/2022/1/15/art_12345_678901.html">…</a></li>]]></record>…
    </recordset></datastore></script></div>

and its pager script (jpage) POSTs to
``/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=60&perpage=15``
with the nextgroup's parameters as form fields, receiving XML with the same
``<record>`` elements and ``<totalrecord>``. This module reads both, and plans
the next proxy request; paging stops at ``totalrecord`` or at the first short
or empty answer, whichever comes first, since some servers omit the total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.DOTALL | re.IGNORECASE)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.DOTALL | re.IGNORECASE)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_TOTAL_XML = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)
_TOTAL_JS = re.compile(r"""totalRecord["']?\s*[:=]\s*["']?(\d+)""", re.IGNORECASE)
_PERPAGE_JS = re.compile(r"""(?:perpage|perPage|_pageSize|pageSize)["']?\s*[:=]\s*["']?(\d+)""")

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
PAGES_PER_PROXY_CALL = 3  # jpage asks for three pages' worth of records at a time


@dataclass(frozen=True)
class HanwebList:
    records: list[str]  # HTML snippets, one per record
    proxy_url: str | None  # absolute URL of dataproxy.jsp
    form: dict[str, str]  # POST fields for the proxy
    total: int | None
    perpage: int


def find_datastore(html: str, base_url: str) -> HanwebList | None:
    """The Hanweb datastore of a column page, or None if the page has none."""
    match = _DATASTORE.search(html)
    if not match:
        return None
    store = match.group(1)
    records = _RECORD.findall(store)
    proxy_url, form = None, {}
    nextgroup = _NEXTGROUP.search(store)
    if nextgroup:
        href = _HREF.search(nextgroup.group(1))
        if href:
            link = urljoin(base_url, unescape(href.group(1)))
            parts = urlsplit(link)
            proxy_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
            form = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"}
            form.setdefault("col", "1")
            form.setdefault("sourceContentType", "1")
    total = _TOTAL_JS.search(html) or _TOTAL_XML.search(html)
    perpage = _PERPAGE_JS.search(html)
    return HanwebList(
        records=records,
        proxy_url=proxy_url,
        form=form,
        total=int(total.group(1)) if total else None,
        perpage=int(perpage.group(1)) if perpage else max(len(records), 1),
    )


def proxy_records(xml: str) -> tuple[list[str], int | None]:
    """Records and total of a dataproxy.jsp answer."""
    total = _TOTAL_XML.search(xml)
    return _RECORD.findall(xml), int(total.group(1)) if total else None


def next_range(start: int, perpage: int) -> tuple[int, int]:
    """The (startrecord, endrecord) of the proxy call starting at ``start`` (1-based)."""
    return start, start + perpage * PAGES_PER_PROXY_CALL - 1


def proxy_query(start: int, end: int, perpage: int) -> str:
    return f"startrecord={start}&endrecord={end}&perpage={perpage}"
