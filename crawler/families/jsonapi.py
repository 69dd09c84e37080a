"""JSON-API lists: a column page whose list a script loads from a JSON endpoint.

Newer portals (Vue/React front ends) ship an empty list container and a script
such as::

    axios.get("/api/content/list", {params: {channelId: 1234, pageNum: 1, pageSize: 10}})
    fetch("/api/content/list?channelId=1234&pageNum=" + page + "&pageSize=10")
    $.getJSON("/api/list.do", {columnId: 56, page: 1, rows: 15}, ...)
    $.ajax({url: "/getFileListByCodeId", type: "POST", data: {channelId: "…", pageNum: 1, pageSize: 15}})

and newer TRS sites (trt_ui_v2, "动静结合") that show the first entries
statically and the rest only through their search API::

    require(["list2.trsapi"], function (listModel) { listModel({maxStaticIndex: 1,
        listArgs: {channelid: SiteInfo.searchId, classsql: "chnlid=1813", sortfield: "-docorderpri,-docreltime"},
        pagebar: {prepage: 10, recordCount: '20'}}) })

which on Fujian's sites is ``POST /fjdzapp/search`` with the form fields
channelid, classsql, sortfield, prepage and page (from 1), answering
``{"data": [{"doctitle", "docpuburl", "docreltime", …}], "pageCount": 2}``.

This module finds such an endpoint with its parameters (GET query or POST
form), pages through it, and reads entries (title + url) from any list of
objects in the answer, whatever the field names' exact spelling
(title/name/docTitle/doctitle, url/link/docUrl/docpuburl/href).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler.listdates import iso_date

_CALL = re.compile(
    r"""(?:axios(?:\.get|\.post)?|fetch|\$\.(?:get|getJSON|ajax|post)|request)\(\s*(?:\{\s*url\s*:\s*)?["']([^"']+)["']"""
)
_PARAMS_OBJECT = re.compile(
    r"""(?:params|data)\s*:\s*\{([^{}]*)\}|\(\s*["'][^"']+["']\s*,\s*\{([^{}]*)\}""")
_POST = re.compile(r"""(?:type|method)\s*:\s*["']post["']|\.post\(""", re.IGNORECASE)
# key: 1234 | key: "abc" | key: this.pageSize (a variable: not a value we can know)
_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*(?:(["'])([^"']*)\2|(-?\d+)|([A-Za-z_$][\w.$]*))""")

PAGE_KEYS = ("pageNum", "pageNo", "page", "pageIndex", "currentPage", "current", "curPage", "p")
SIZE_KEYS = ("pageSize", "size", "rows", "limit", "perPage", "perpage", "ps")
TITLE_KEYS = ("title", "docTitle", "doctitle", "name", "articleTitle", "subject", "docName")
URL_KEYS = ("url", "link", "docUrl", "href", "articleUrl", "path", "docPubUrl", "docpuburl", "chnldocurl", "fileUrl")
# An entry's publication date: a date string, or epoch milliseconds (Beijing time)
DATE_KEYS = ("publishDate", "pubDate", "publishTime", "pubTime", "docPubTime", "releaseDate", "docreltime",
             "date", "time", "createTime", "fbrq")
BEIJING = dt.timezone(dt.timedelta(hours=8))
_LIST_HINT = re.compile(r"list|page|query|search|article|content|doc", re.IGNORECASE)


@dataclass
class JsonEndpoint:
    url: str  # absolute, without the query
    params: dict[str, str] = field(default_factory=dict)  # the query (GET) or the form (POST)
    page_key: str = "pageNum"
    first_page: int = 1
    method: str = "GET"
    last_page: int | None = None  # when the page says how many pages there are (pagebar.recordCount)

    def page_params(self, page: int) -> dict[str, str]:
        params = dict(self.params)
        params[self.page_key] = str(page)
        return params

    def page_url(self, page: int) -> str:
        """The URL of a GET endpoint's page (a POST endpoint's URL: the form is the body)."""
        if self.method == "POST":
            return self.url
        return f"{self.url}?{urlencode(self.page_params(page))}"

    def request_args(self, page: int) -> dict:
        """``scrapy.Request`` arguments (url, method, body, headers) of page ``page``."""
        if self.method != "POST":
            return {"url": self.page_url(page)}
        return {"url": self.url, "method": "POST", "body": urlencode(self.page_params(page)),
                "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                            "X-Requested-With": "XMLHttpRequest"}}


def find_endpoint(html: str, base_url: str) -> JsonEndpoint | None:
    """The JSON list endpoint a column page's scripts call, or None."""
    for match in _CALL.finditer(html):
        raw = match.group(1)
        if raw.lower().endswith((".js", ".css", ".html", ".htm")) or not _LIST_HINT.search(raw):
            continue
        parts = urlsplit(urljoin(base_url, raw))
        params = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
        tail = html[match.end() : match.end() + 400]
        obj = _PARAMS_OBJECT.search(tail)
        if obj:
            for key, _, quoted, number, variable in _PAIR.findall(obj.group(1) or obj.group(2) or ""):
                # A variable's value is unknown: page keys get paged anyway, others are left to the server.
                params.setdefault(key, quoted or number)
        # "...&pageNum=" + page + "&pageSize=10": the concatenated pieces.
        for piece in re.findall(r"""["']&?([\w]+)=([\w\-]*)""", tail[:200]):
            params.setdefault(piece[0], piece[1])
        page_key = next((k for k in PAGE_KEYS if k in params), None)
        if page_key is None:
            continue
        first = params[page_key]
        # $.ajax({url: …, type: "POST", data: {…}}) and $.post(…): the parameters are a form
        call = html[match.start() : match.end() + 400].split("success", 1)[0]
        return JsonEndpoint(
            url=f"{parts.scheme}://{parts.netloc}{parts.path}",
            params={k: v for k, v in params.items() if v != ""},
            page_key=page_key,
            first_page=int(first) if first.isdigit() else 1,
            method="POST" if _POST.search(call) else "GET",
        )
    return None


# require(["list2.trsapi"], … listModel({… listArgs: {…}, pagebar: {prepage: 10, recordCount: '20'}}))
_TRSAPI = re.compile(r"""require\(\s*\[\s*["']list2\.trsapi["']""")
_TRSAPI_ARGS = re.compile(r"listArgs\s*:\s*\{([^{}]*)\}")
_TRSAPI_PAGEBAR = re.compile(r"pagebar\s*:\s*\{([^{}]*)\}")
_SEARCH_ID = re.compile(r"""\bsearchId["']?\s*[:=]\s*["']?(\w+)""")
TRSAPI_PATH = "/fjdzapp/search"  # the search API list2.trsapi posts to on Fujian's TRS sites


def find_trsapi(html: str, base_url: str) -> JsonEndpoint | None:
    """The TRS search API a ``list2.trsapi`` list pages through, or None.

    ``channelid: SiteInfo.searchId`` is resolved from the page's ``SiteInfo``
    (``searchId: "229105"``); without it the list cannot be asked for."""
    start = _TRSAPI.search(html)
    if not start:
        return None
    tail = html[start.end() : start.end() + 3000]
    args = _TRSAPI_ARGS.search(tail)
    if not args:
        return None
    params: dict[str, str] = {}
    for key, _, quoted, number, variable in _PAIR.findall(args.group(1)):
        if quoted or number:
            params[key] = quoted or number
        elif variable.endswith("searchId"):
            found = _SEARCH_ID.search(html)
            if found:
                params[key] = found.group(1)
    if "channelid" not in params:
        return None
    pagebar = _TRSAPI_PAGEBAR.search(tail)
    bar = {key: quoted or number for key, _, quoted, number, _v in _PAIR.findall(pagebar.group(1))} if pagebar else {}
    size = bar.get("prepage", "")
    params["prepage"] = size if size.isdigit() else "10"
    records = bar.get("recordCount", "")
    last = -(-int(records) // int(params["prepage"])) if records.isdigit() and int(params["prepage"]) else None
    parts = urlsplit(base_url)
    return JsonEndpoint(url=f"{parts.scheme}://{parts.netloc}{TRSAPI_PATH}", params=params, page_key="page",
                        first_page=1, method="POST", last_page=last)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def entry_date(value) -> str | None:
    """An entry's date field as ISO: ``"2020-01-15 09:30:00"``, ``"2020年1月15日"``,
    or epoch milliseconds/seconds as Beijing time."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit() and len(value) in (10, 13)):
        number = float(value)
        seconds = number / 1000 if number > 1e11 else number
        if 946684800 <= seconds <= 4102444800:  # 2000 .. 2100
            return dt.datetime.fromtimestamp(seconds, BEIJING).date().isoformat()
        return None
    return iso_date(str(value))


def entries(payload: str | bytes, base_url: str) -> tuple[list[tuple[str, str, str | None]], int | None]:
    """``([(title, absolute url, date or None)], page count or None)`` of one JSON
    answer; the date is the entry's publication date field, as ISO."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return [], None
    found: list[tuple[str, str, str | None]] = []
    pages = None
    for obj in _walk(data):
        title = next((obj[k] for k in TITLE_KEYS if isinstance(obj.get(k), str)), None)
        url = next((obj[k] for k in URL_KEYS if isinstance(obj.get(k), str)), None)
        if title and url:
            date = next((entry_date(obj[k]) for k in DATE_KEYS if obj.get(k) not in (None, "")), None)
            found.append((title, urljoin(base_url, url), date))
        for key in ("pages", "totalPage", "totalPages", "pageCount"):
            if isinstance(obj.get(key), int):
                pages = obj[key]
    return found, pages
