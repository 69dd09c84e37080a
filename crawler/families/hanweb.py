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

The same reading serves the other proxies of real JCMS sites: the 加载更多
(load more) columns' ``/module/web/jpage/morecolumndataproxy.jsp``, and the
older ``/module/jslib/jquery/jpage/dataproxy.jsp`` whose records are table
rows (``<tr><td><a …>…</a></td><td>2019-01-15</td></tr>``). When the datastore
names no nextgroup (or the page has no datastore at all, its list left to the
script), the proxy and its form are the jpage call's ``proxyUrl`` and
``ajaxParam``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.DOTALL | re.IGNORECASE)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.DOTALL | re.IGNORECASE)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_TOTAL_XML = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)
_TOTAL_JS = re.compile(r"""totalRecord["']?\s*[:=]\s*["']?(\d+)""", re.IGNORECASE)
_PERPAGE_JS = re.compile(r"""(?:perpage|perPage|_pageSize|pageSize)["']?\s*[:=]\s*["']?(\d+)""")

_PROXY_JS = re.compile(r"""proxyUrl["']?\s*:\s*["']([^"']+)["']""")
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{([^{}]*)\}")
_JS_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*(?:(["'])([^"']*)\2|([^,}\s]+))""")

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")

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
    script_proxy = _PROXY_JS.search(html)
    if not match and not (script_proxy and "dataproxy.jsp" in script_proxy.group(1)):
        return None
    store = match.group(1) if match else ""
    records = _RECORD.findall(store)
    proxy_url, form = None, {}
    nextgroup = _NEXTGROUP.search(store)
    href = _HREF.search(nextgroup.group(1)) if nextgroup else None
    if href:
        link = urljoin(base_url, unescape(href.group(1)))
        parts = urlsplit(link)
        proxy_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
        # a doubly URL-encoded value (webname=%25E5%25AE%259A…, as real nextgroups write
        # it) is sent as the page's jpage call sends it: the name itself
        form = {k: _decoded(v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"}
    elif script_proxy:
        params = _AJAX_PARAM.search(html)
        parts = urlsplit(urljoin(base_url, unescape(script_proxy.group(1))))
        proxy_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
        form = {key: quoted or bare for key, _, quoted, bare in _JS_PAIR.findall(params.group(1))} if params else {}
    if proxy_url:
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


def _decoded(value: str) -> str:
    """``value`` with the percent-encodings left in it after parse_qsl undone."""
    for _ in range(3):
        if not _PERCENT.search(value):
            break
        value = unquote(value)
    return value


def proxy_records(xml: str) -> tuple[list[str], int | None]:
    """Records and total of a dataproxy.jsp answer."""
    total = _TOTAL_XML.search(xml)
    return _RECORD.findall(xml), int(total.group(1)) if total else None


def next_range(start: int, perpage: int) -> tuple[int, int]:
    """The (startrecord, endrecord) of the proxy call starting at ``start`` (1-based)."""
    return start, start + perpage * PAGES_PER_PROXY_CALL - 1


def proxy_query(start: int, end: int, perpage: int) -> str:
    return f"startrecord={start}&endrecord={end}&perpage={perpage}"
