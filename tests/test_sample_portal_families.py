"""The sample portal's CMS families beyond TRS, over real HTTP: each family's
list mechanics, every report and attachment reachable, Content-Disposition
headers, changes between crawls, conditional requests, flaky responses, and
the large generated portal."""

from __future__ import annotations

import html as htmllib
import http.client
import io
import json
import re
import signal
import subprocess
import sys
import time
import zipfile
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from sample_portal import attachments, generate, national
from sample_portal.families import ADDRESSES, FAMILIES
from sample_portal.manifest import load_manifest
from sample_portal.server import serve_sites_in_thread

NEW_FAMILIES = ["hanweb", "jsonapi", "pagelist", "platform", "large"]
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
RECORD = re.compile(r"<record><!\[CDATA\[(.*?)\]\]></record>", re.S)
HREF = re.compile(r"""href=["']([^"']+)["']""")
PAGER = re.compile(r'createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"index"\s*,\s*"htm"\s*\)')
JPAGE = re.compile(r"\.jpage\(\{(.*?)\}\);\}\);", re.S)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HANWEB_FORM = {"col": "1", "appid": "1", "webid": "37", "path": "/", "columnid": "4586", "sourceContentType": "1",
               "unitid": "62543", "webname": "泗洪县人民政府", "permissiontype": "0"}


@pytest.fixture(scope="module")
def sites():
    with serve_sites_in_thread() as urls:
        yield urls


@pytest.fixture(scope="module")
def manifests():
    return {f: load_manifest(f) for f in FAMILIES}


def fetch(base: str, target: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    """(status, headers, body) for a request target ("/path?query") or an absolute URL on ``base``'s host."""
    b = urlsplit(base)
    if target.startswith("http"):
        u = urlsplit(target)
        assert u.netloc == b.netloc, target
        target = u.path + (("?" + u.query) if u.query else "")
    conn = http.client.HTTPConnection(b.hostname, b.port, timeout=10)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def post_form(base: str, target: str, form: dict):
    return fetch(base, target, "POST", {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
                 urlencode(form).encode("utf-8"))


def decode(body: bytes) -> str:
    m = META_CHARSET.search(body[:4096])
    label = m.group(1).decode().lower() if m else "utf-8"
    return body.decode("gbk" if label in ("gb2312", "gbk") else label)  # browsers read gb2312 as GBK


def raw_header(headers, name: str) -> bytes | None:
    value = headers.get(name)
    return None if value is None else value.encode("latin-1")


def target_of(url: str) -> str:
    u = urlsplit(url)
    return u.path + (("?" + u.query) if u.query else "")


# ------------------------------------------------------------------ a small crawler


def jpage_options(html: str) -> dict:
    m = JPAGE.search(html)
    if not m:
        return {}
    text = m.group(1)
    opts = {k: v.strip("'") for k, v in re.findall(r"(\w+):('[^']*'|\d+)", text.split("ajaxParam")[0])}
    ajax = re.search(r"ajaxParam:\{(.*?)\}", text).group(1)
    opts["ajaxParam"] = {k: v.strip("'") for k, v in re.findall(r"(\w+):('[^']*'|[^,]+)", ajax)}
    return opts


def crawl(base: str, start: str = "/", skip=lambda t: False, limit: int = 5000):
    """Follow same-host <a href> links (robots.txt obeyed), Hanweb datastores
    and dataproxy POSTs, JSON list APIs, TRS createPageHTML pagers.  Retries a
    5xx once.  Returns {target: status} and the off-site URLs seen."""
    host = urlsplit(base).netloc
    rp = RobotFileParser()
    rp.parse(fetch(base, "/robots.txt")[2].decode().splitlines())
    todo, statuses, offsite = [urljoin(base, start)], {}, set()

    def add(url: str, page_url: str):
        url = urljoin(page_url, url.strip()).split("#")[0]
        if urlsplit(url).scheme not in ("http", "https"):
            return
        if urlsplit(url).netloc != host:
            offsite.add(url)
        elif rp.can_fetch("*", url) and not skip(target_of(url)):
            todo.append(url)

    while todo and len(statuses) < limit:
        url = todo.pop()
        target = target_of(url)
        if target in statuses:
            continue
        status, headers, body = fetch(base, target)
        if status >= 500:
            status, headers, body = fetch(base, target)
        statuses[target] = status
        if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
            continue
        html = decode(body)
        tree = lxml.html.document_fromstring(html)
        for a in tree.iter("a"):
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "mailto:", "#")):
                add(href, url)
        for rec in RECORD.findall(html):  # Hanweb datastore records (HTML: entities in hrefs)
            for href in HREF.findall(rec):
                add(htmllib.unescape(href), url)
        for n, _i in PAGER.findall(html):  # TRS pager
            for k in range(int(n)):
                add("index.htm" if k == 0 else f"index_{k}.htm", url)
        opts = jpage_options(html)
        if opts:  # Hanweb: the records beyond the inline ones come from the proxy
            total, per, group = int(opts["totalRecord"]), int(opts["perPage"]), int(opts["groupSize"])
            start = len(RECORD.findall(html.split("<recordset>", 1)[1].split("</recordset>", 1)[0])) + 1
            while start <= total:
                end = start + per * group - 1
                q = f"{opts['proxyUrl']}?startrecord={start}&endrecord={end}&perpage={per}"
                st, _h, xml = post_form(base, q, opts["ajaxParam"])
                assert st == 200, q
                for rec in RECORD.findall(xml.decode("utf-8")):
                    for href in HREF.findall(rec):
                        add(htmllib.unescape(href), url)
                start = end + 1
        m = re.search(r'/api/content/list[^"]*"?\s*(?:,\s*\{params:\s*\{channelId:\s*(\d+))?', html)
        if m and "channelId" in html:  # JSON list API
            channel = m.group(1) or re.search(r"channelId=(\d+)", html).group(1)
            size = re.search(r"pageSize[:=]\s*(\d+)", html).group(1)
            page, pages = 1, 1
            while page <= pages:
                api = f"/api/content/list?channelId={channel}&pageNum={page}&pageSize={size}"
                st, _h, data = fetch(base, api)
                if st >= 500:
                    st, _h, data = fetch(base, api)
                doc = json.loads(data)
                pages = doc["data"]["pages"]
                for item in doc["data"]["list"]:
                    add(item["url"], url)
                page += 1
    return statuses, offsite


def not_a_trap(target: str) -> bool:
    return target.startswith("/calendar") or target.startswith("/xxgk/zcwj/zcwj/")


# ------------------------------------------------------------------ the sites


def test_each_family_on_its_own_loopback_address(sites, manifests):
    assert set(sites) == set(FAMILIES)
    hosts = {urlsplit(u).hostname for u in sites.values()}
    assert len(hosts) == len(FAMILIES)
    for name, url in sites.items():
        assert urlsplit(url).hostname == ADDRESSES[name] == manifests[name].address
        status, headers, body = fetch(url, "/")
        assert status == 200 and headers["Server"] == "nginx"
        assert fetch(url, "/robots.txt")[0] == 200


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_crawl_reaches_every_report(sites, manifests, family):
    m, base = manifests[family], sites[family]
    statuses, offsite = crawl(base, m.start_path, skip=not_a_trap)
    for r in m.reports:
        assert statuses.get(r.path) == 200, (r.id, r.path)
        if r.attachment_path:
            assert statuses.get(r.attachment_path) == 200, (r.id, r.attachment_path)
        if r.page_path:
            assert statuses.get(r.page_path) == 200
    for d in m.distractors:
        assert statuses.get(d.path) == d.status, d.path
    assert {t for t, s in statuses.items() if s == 404} == {d.path for d in m.distractors if d.status == 404}
    assert not any(t.startswith(tuple(m.disallowed_paths)) for t in statuses)
    assert offsite == set(m.offsite_links) | {h for _t, h in m.config.get("footer_links", [])}
    list_url = urljoin(base, m.list_pages[0])
    for e in m.list_entries:
        if e.href and not e.href.startswith("http"):
            assert target_of(urljoin(list_url, e.href)) in statuses


def test_manifest_fields(manifests):
    for family in NEW_FAMILIES:
        m = manifests[family]
        assert m.family == family and m.reports and m.list_entries and m.disallowed_paths and m.offsite_links
        ids = [r.id for r in m.reports]
        assert len(ids) == len(set(ids))
        assert len({r.path for r in m.reports}) == len(m.reports)
        for r in m.reports:
            assert r.test_data and r.figures and r.year and r.agency and str(r.year) in r.title
            assert r.template == generate.template_for_year(r.year)
            assert not national.consistency_problems(r.figures), r.id
            assert r.list_links_to in ("page", "file")
            if r.list_links_to == "file":
                assert r.path == r.attachment_path and r.page_path is None
            else:
                assert r.path == r.page_path
    formats = {r.attachment_format for f in NEW_FAMILIES for r in manifests[f].attachment_reports}
    assert formats == {"pdf", "doc", "docx", "xls", "xlsx", "wps"}
    links_to = {r.list_links_to for f in NEW_FAMILIES for r in manifests[f].attachment_reports}
    assert links_to == {"page", "file"}
    all_ids = [r.id for f in FAMILIES for r in manifests[f].reports]
    assert len(all_ids) == len(set(all_ids))


# ------------------------------------------------------------------ Hanweb


def test_hanweb_column_page_and_datastore(sites, manifests):
    m, base = manifests["hanweb"], sites["hanweb"]
    col = m.column("nb")
    assert re.fullmatch(r"/col/col\d+/index\.html", col.path)
    status, headers, body = fetch(base, col.path)
    html = body.decode("utf-8")
    assert f'<div id="{col.extra["unitid"]}"><script type="text/xml"><datastore>' in html
    assert '<script language="javascript" src="/module/web/jpage/jpage.js"></script>' in html
    nextgroup = re.search(r"<nextgroup><!\[CDATA\[<a href=\"([^\"]+)\"></a>\]\]></nextgroup>", html).group(1)
    assert nextgroup.startswith("/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=37&path=/&columnid=4586")
    opts = jpage_options(html)
    assert int(opts["totalRecord"]) == len(col.entries) > 90
    assert opts["perPage"] == "15" and opts["groupSize"] == "3"
    assert opts["proxyUrl"] == "/module/web/jpage/dataproxy.jsp"
    assert opts["ajaxParam"]["columnid"] == "4586" and opts["ajaxParam"]["unitid"] == "62543"
    records = RECORD.findall(html)
    assert len(records) == col.extra["inline_records"] == 45
    for rec, entry in zip(records, col.entries):
        a = lxml.html.fragment_fromstring(rec.strip()).find("a")
        assert a.get("href") == entry.href and a.get("title") == entry.document.title
        assert rec.strip().endswith(f"<span>{entry.document.published}</span></li>")
    # no entry beyond the first group is anywhere in the page
    later = [e.document.title for e in col.entries[45:]]
    assert not any(f'title="{t}"' in html for t in later)
    # the pager's own links (?uid=&pageNum=) give the same page
    assert fetch(base, col.path + "?uid=62543&pageNum=4")[2] == body
    assert re.fullmatch(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_4586_\d+\.html", m.reports[0].page_path)
    assert "/art/2022/01/" not in " ".join(r.path for r in m.reports)  # no zero padding


def test_hanweb_dataproxy_post_paging(sites, manifests):
    m, base = manifests["hanweb"], sites["hanweb"]
    col = m.column("nb")
    total = len(col.entries)
    for start, end in ((16, 30), (46, 90), (91, 135), (1, 15)):
        status, headers, body = post_form(base, f"/module/web/jpage/dataproxy.jsp?startrecord={start}"
                                                f"&endrecord={end}&perpage=15", HANWEB_FORM)
        assert status == 200 and headers["Content-Type"].startswith("text/xml")
        text = body.decode("utf-8")
        assert text.startswith('<?xml version="1.0" encoding="utf-8"?><datastore>')
        assert f"<totalrecord>{total}</totalrecord>" in text and f"<totalpage>{-(-total // 15)}</totalpage>" in text
        hrefs = [htmllib.unescape(HREF.search(r).group(1)) for r in RECORD.findall(text)]
        assert hrefs == [e.href for e in col.entries[start - 1:end]], (start, end)
        assert "ETag" not in headers
    # past the end: totals, no records
    status, _h, body = post_form(base, "/module/web/jpage/dataproxy.jsp?startrecord=200&endrecord=244&perpage=15",
                                 HANWEB_FORM)
    assert status == 200 and "<recordset></recordset>" in body.decode()
    # GET without columnid: an error page, not a datastore
    status, headers, body = fetch(base, "/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15")
    assert status == 200 and b"<datastore>" not in body and "参数错误" in body.decode()
    # the JSP reads its parameters from the query string too
    status, _h, body = fetch(base, "/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15&"
                                   + urlencode(HANWEB_FORM))
    assert body.decode().count("<record>") == 15


def test_hanweb_attachments_and_pages(sites, manifests):
    m, base = manifests["hanweb"], sites["hanweb"]
    direct = next(r for r in m.attachment_reports if r.list_links_to == "file")
    assert direct.attachment_path.startswith("/module/download/downfile.jsp?classid=0&filename=")
    assert any(e.href == direct.attachment_path for e in m.list_entries)
    paged = [r for r in m.attachment_reports if r.list_links_to == "page"]
    for r in paged:
        html = fetch(base, r.page_path)[2].decode()
        tree = lxml.html.document_fromstring(html)
        links = [a for a in tree.iter("a") if a.get("href") == r.attachment_path]
        assert links and links[0].text_content() == r.attachment_filename
        assert "附件" in html and "<!--ZJEG_RSS.content.begin-->" in html
    status, _h, body = fetch(base, "/module/download/downfile.jsp?classid=0&filename=nope.pdf")
    assert status == 404


# ------------------------------------------------------------------ JSON API


def test_jsonapi_list_is_filled_from_the_api(sites, manifests):
    m, base = manifests["jsonapi"], sites["jsonapi"]
    for col in m.columns:
        html = fetch(base, col.path)[2].decode("utf-8")
        assert not any(e.document.title in html for e in col.entries), "entries must not be in the HTML"
        assert "/api/content/list" in html
        if col.extra["script"] == "axios":
            assert f'<div id="app" data-channel-id="{col.extra["channel_id"]}"' in html
            assert re.search(r'axios\.get\("/api/content/list", \{params: \{channelId: %d, pageNum: this\.pageNum, '
                             r'pageSize: this\.pageSize\}\}\)' % col.extra["channel_id"], html)
            assert f"pageSize: {col.page_size}" in html
        else:
            assert (f'fetch("/api/content/list?channelId={col.extra["channel_id"]}&pageNum=" + page + '
                    f'"&pageSize={col.page_size}")') in html
        seen = []
        for n, target in enumerate(col.pages, 1):
            status, headers, body = fetch(base, target)
            if status == 503:
                status, headers, body = fetch(base, target)
            assert status == 200 and headers["Content-Type"] == "application/json;charset=UTF-8"
            doc = json.loads(body)
            assert doc["code"] == 200
            data = doc["data"]
            assert (data["total"], data["pages"], data["pageNum"]) == (len(col.entries), len(col.pages), n)
            assert 1 <= len(data["list"]) <= col.page_size
            for item in data["list"]:
                assert set(item) >= {"id", "title", "url", "publishTime"}
                assert re.fullmatch(r"\d{4}-\d\d-\d\d", item["publishTime"])
            seen += [item["url"] for item in data["list"]]
        assert seen == [e.href for e in col.entries]
    nb = m.column("nb")
    assert len(nb.entries) == 23 and len(nb.pages) == 3
    assert all(re.fullmatch(r"/content/\d{4}/\d\d/\d\d/\d+\.html", r.page_path) for r in m.reports if r.page_path)
    status, _h, body = fetch(base, "/api/content/list?pageNum=1&pageSize=10")
    assert status == 200 and json.loads(body) == {"code": 500, "msg": "channelId不能为空", "data": None}
    body = fetch(base, "/api/content/list?channelId=1234&pageNum=1&pageSize=1000")[2]
    assert json.loads(body)["data"]["pageSize"] == 50 and len(json.loads(body)["data"]["list"]) == 23
    assert json.loads(fetch(base, "/api/content/list?channelId=1234&pageNum=9&pageSize=10")[2])["data"]["list"] == []


# ------------------------------------------------------------------ ?page=N


def test_pagelist_pages_are_gbk_with_static_pager(sites, manifests):
    m, base = manifests["pagelist"], sites["pagelist"]
    col = m.column("ndbg")
    assert len(col.pages) == 3
    seen = []
    for n, target in enumerate(col.pages, 1):
        status, headers, body = fetch(base, target)
        if status >= 500:
            status, headers, body = fetch(base, target)
        assert status == 200 and headers["Content-Type"] == "text/html"
        assert b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in body
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        html = body.decode("gbk")
        if n < 3:
            assert f'<a href="?page={n + 1}">下一页</a>' in html and '<a href="?page=3">尾页</a>' in html
        tree = lxml.html.document_fromstring(html)
        for a in tree.xpath('//table[@class="list"]//a'):
            seen.append(target_of(urljoin(base + target.lstrip("/"), a.get("href"))))
        # /xxgk/ndbg/?page=N is the same list
        other = fetch(base, f"{col.path}?page={n}")[2]
        assert other == body
    assert seen == [e.document.path for e in col.entries]
    assert all(s.startswith("/xxgk/show.asp?id=") for s in seen)
    assert {e.href.split("?")[0] for e in col.entries} == {"../show.asp", "/xxgk/show.asp"}
    assert fetch(base, col.path)[2] == fetch(base, col.pages[0])[2] == fetch(base, col.path + "list.html")[2]
    empty = fetch(base, col.path + "list.html?page=7")[2].decode("gbk")
    assert "暂无信息" in empty
    # GBK-only characters on pages that declare gb2312
    r = next(r for r in m.reports if "洺" in r.title)
    body = fetch(base, r.path)[2]
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert r.title in body.decode("gbk")


def test_pagelist_traps(sites, manifests):
    m, base = manifests["pagelist"], sites["pagelist"]
    # the calendar is linked from a list page and links to the next and previous day forever
    list_html = fetch(base, m.list_pages[0])[2].decode("gbk")
    assert f'href="{m.traps["calendar"]}"' in list_html
    target, seen = m.traps["calendar"], set()
    for _ in range(40):
        status, _h, body = fetch(base, target)
        assert status == 200
        seen.add(target)
        html = body.decode("gbk")
        nxt = re.search(r'<a href="(/calendar\?date=[\d-]+)">下一天', html).group(1)
        prev = re.search(r'<a href="(/calendar\?date=[\d-]+)">&lt;&lt; 上一天', html).group(1)
        assert prev in seen or prev == "/calendar?date=2022-12-31"
        target = nxt
    assert len(seen) == 40 and target == "/calendar?date=2023-02-10"
    # a sloppy relative link makes an endless path loop of 200 pages
    url = urljoin(base, m.traps["loop"])
    for depth in range(12):
        status, _h, body = fetch(base, url)
        assert status == 200
        more = [a.get("href") for a in lxml.html.document_fromstring(body.decode("gbk")).iter("a")
                if a.text_content().startswith("更多政策文件")]
        assert more == ["zcwj/"]
        url = urljoin(url, more[0])
    assert target_of(url) == "/xxgk/" + "zcwj/" * 13


# ------------------------------------------------------------------ platform


def test_platform_years_and_agencies(sites, manifests):
    m, base = manifests["platform"], sites["platform"]
    nb = m.column("nb")
    html = fetch(base, nb.path)[2].decode()
    tree = lxml.html.document_fromstring(html)
    years = {a.text_content(): a.get("href") for a in tree.xpath('//ul[@class="year-tabs"]//a')}
    assert list(years) == [f"{y}年" for y in m.config["years"]]
    listed = set()
    for col in [c for c in m.columns if c.mechanics == "static-pager"]:
        assert years[col.name] == col.path
        got = []
        for k, target in enumerate(col.pages, 1):
            page = fetch(base, target)[2].decode()
            if k < len(col.pages):
                assert f'<a href="index_{k + 1}.html">下一页</a>' in page
            got += [target_of(urljoin(base + target.lstrip("/"), a.get("href")))
                    for a in lxml.html.document_fromstring(page).xpath('//ul[@class="list"]//a')]
        assert got == [e.href for e in col.entries]
        assert all(e.document.year == col.extra["year"] for e in col.entries if e.is_report)
        listed |= set(got)
    assert {r.path for r in m.reports} <= listed
    bm = m.column("bmzjnb")
    html = fetch(base, bm.path)[2].decode()
    assert "区直部门" in html and "镇（街）" in html
    for name in ("新会区教育局", "新会区财政局", "新会区大泽镇人民政府", "新会区会城街道办事处"):
        assert f">{name}</a>" in html
    twice = 0
    for col in [c for c in m.columns if c.key.startswith("bm_")]:
        page = fetch(base, col.path)[2].decode()
        hrefs = [a.get("href") for a in lxml.html.document_fromstring(page).xpath('//ul[@class="list"]//a')]
        assert hrefs == [e.href for e in col.entries]
        twice += len(set(hrefs) & listed)
    assert twice == sum(1 for r in m.reports if r.agency not in ("江门市新会区人民政府", "江门市新会区人民政府办公室"))


# ------------------------------------------------------------------ attachments


def check_file(r, body: bytes) -> None:
    fmt = r.attachment_format
    if fmt == "pdf":
        assert body.startswith(b"%PDF-") and b"STSong-Light" in body
    elif fmt in ("docx", "xlsx"):
        z = zipfile.ZipFile(io.BytesIO(body))
        names = z.namelist()
        if fmt == "docx":
            import docx

            assert "word/document.xml" in names
            d = docx.Document(io.BytesIO(body))
            text = "\n".join(p.text for p in d.paragraphs)
            assert r.data["title_lines"][-1] in text and "测试数据" in text
            t3 = d.tables[1] if r.template != "legacy" else d.tables[0]
            if r.template != "legacy":
                total = r.figures["table3"]["new"]["total"]
                assert str(total) in [c.text for c in t3.rows[3].cells]
        else:
            import openpyxl

            assert "xl/workbook.xml" in names
            ws = openpyxl.load_workbook(io.BytesIO(body)).active
            values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
            assert r.data["title_lines"][-1] in values and ws.merged_cells.ranges
    else:
        assert body.startswith(OLE2)


def test_every_attachment_served_with_its_headers(sites, manifests):
    expected = {"gbk", "rfc5987", "percent", "hostile", "utf8", "none"}
    styles = set()
    for family in NEW_FAMILIES:
        m, base = manifests[family], sites[family]
        for r in m.attachment_reports:
            status, headers, body = fetch(base, r.attachment_path)
            assert status == 200, r.attachment_path
            assert body == attachments.build(r)
            assert int(headers["Content-Length"]) == len(body)
            assert headers["Content-Type"] == r.attachment_content_type
            check_file(r, body)
            cd = raw_header(headers, "Content-Disposition")
            styles.add(r.attachment_disposition)
            name = r.attachment_filename
            if r.attachment_disposition == "gbk":
                assert cd == b'attachment; filename="' + name.encode("gbk") + b'"'
                with pytest.raises(UnicodeDecodeError):
                    cd.decode("utf-8")
            elif r.attachment_disposition == "utf8":
                assert cd == b'attachment; filename="' + name.encode("utf-8") + b'"'
            elif r.attachment_disposition == "rfc5987":
                assert cd == ("attachment; filename*=UTF-8''" + quote(name, safe="")).encode("ascii")
            elif r.attachment_disposition == "percent":
                assert cd == ("attachment;filename=" + quote(name, safe="")).encode("ascii")
            elif r.attachment_disposition == "hostile":
                assert cd == f'attachment; filename="{name}"'.encode("ascii")
                assert "/" in name or "\\" in name
            else:
                assert cd is None and name is None
            assert name is None or name.endswith("." + r.attachment_format)
    assert styles == expected
    hostile = {r.attachment_filename for f in NEW_FAMILIES for r in manifests[f].attachment_reports
               if r.attachment_disposition == "hostile"}
    assert hostile == {"../../etc/passwd.pdf", "a/b\\c:d.docx"}


def test_prebuilt_binaries_are_current():
    from sample_portal.attachments.__main__ import check

    assert check() == []
    sources = attachments.prebuilt_sources()
    assert {v["format"] for v in sources.values()} == {"doc", "xls", "wps"}


def test_attachment_builds_are_deterministic(manifests):
    for family in ("hanweb", "jsonapi", "platform"):
        for r in manifests[family].attachment_reports:
            if r.attachment_format in attachments.BUILT:
                assert attachments._build_uncached(r, r.attachment_format, 0) == attachments.build(r)


# ------------------------------------------------------------------ HTTP behaviour


def test_conditional_requests_on_every_family(sites, manifests):
    for family in NEW_FAMILIES:
        m, base = manifests[family], sites[family]
        targets = ["/", m.reports[3].path] + [r.attachment_path for r in m.attachment_reports[:1]]
        for t in targets:
            status, headers, body = fetch(base, t)
            assert status == 200, (family, t)
            etag, lm = headers["ETag"], headers["Last-Modified"]
            status, h304, b304 = fetch(base, t, headers={"If-None-Match": etag})
            assert status == 304 and b304 == b"" and h304["ETag"] == etag
            assert fetch(base, t, headers={"If-Modified-Since": lm})[0] == 304
            assert fetch(base, t, headers={"If-None-Match": '"other"'})[0] == 200
            status, hh, hb = fetch(base, t, method="HEAD")
            assert status == 200 and hb == b"" and int(hh["Content-Length"]) == len(body)


def test_bump_version_changes_bytes_etag_and_last_modified():
    with serve_sites_in_thread(["hanweb", "pagelist", "jsonapi"]) as urls:
        for family, base in urls.items():
            m = base.server.manifest
            target = m.traps["changing"]
            _s, h1, b1 = fetch(base, target)
            assert fetch(base, target, headers={"If-None-Match": h1["ETag"]})[0] == 304
            assert base.bump_version(target) == 1
            s2, h2, b2 = fetch(base, target)
            assert s2 == 200 and b2 != b1 and h2["ETag"] != h1["ETag"]
            assert http_time(h2["Last-Modified"]) > http_time(h1["Last-Modified"])
            assert fetch(base, target, headers={"If-None-Match": h1["ETag"]})[0] == 200
            assert fetch(base, target, headers={"If-Modified-Since": h1["Last-Modified"]})[0] == 200
            assert fetch(base, target, headers={"If-None-Match": h2["ETag"]})[0] == 304
            assert "更新说明" in lxml.html.document_fromstring(decode(b2)).text_content()
            assert fetch(base, target)[2] == b2  # stable until the next bump
        # a built attachment changes too; a pre-built binary cannot
        hanweb = urls["hanweb"]
        m = hanweb.server.manifest
        pdf = next(r for r in m.attachment_reports if r.attachment_format == "pdf")
        _s, h1, b1 = fetch(hanweb, pdf.attachment_path)
        # parameters in another order name the same resource
        q = dict(parse_qsl(pdf.attachment_path.split("?", 1)[1]))
        hanweb.bump_version("/module/download/downfile.jsp?" + urlencode(dict(reversed(list(q.items())))))
        _s, h2, b2 = fetch(hanweb, pdf.attachment_path)
        assert b2.startswith(b"%PDF") and b2 != b1 and h2["ETag"] != h1["ETag"]
        xls = next(r for r in m.attachment_reports if r.attachment_format == "xls")
        with pytest.raises(ValueError):
            hanweb.bump_version(xls.attachment_path)
        # out of process: POST /__sample_portal__/bump?path=...
        page = urls["jsonapi"].server.manifest.reports[0].path
        before = fetch(urls["jsonapi"], page)[2]
        status, _h, body = fetch(urls["jsonapi"], "/__sample_portal__/bump?path=" + quote(page), method="POST")
        assert status == 200 and b"version 1" in body
        assert fetch(urls["jsonapi"], page)[2] != before
        assert fetch(urls["jsonapi"], "/__sample_portal__/bump?path=" + quote(page))[0] == 405


def http_time(value: str) -> float:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value).timestamp()


def test_flaky_resources_fail_first_then_succeed():
    with serve_sites_in_thread(["hanweb", "jsonapi", "pagelist"]) as urls:
        hanweb = urls["hanweb"]
        target = hanweb.server.manifest.traps["retry"]
        status, headers, body = fetch(hanweb, target)
        assert status == 503 and headers["Retry-After"] == "1" and "ETag" not in headers
        status, headers, body = fetch(hanweb, target)
        assert status == 200 and "泗洪县人民政府" in body.decode()
        assert fetch(hanweb, target)[0] == 200
        # the JSON API: the first request for one page, whatever the parameter order
        api = urls["jsonapi"]
        assert fetch(api, "/api/content/list?channelId=1235&pageNum=1&pageSize=8")[0] == 200
        status, headers, _b = fetch(api, "/api/content/list?pageSize=8&pageNum=2&channelId=1235")
        assert status == 503 and headers["Retry-After"] == "1"
        assert fetch(api, "/api/content/list?channelId=1235&pageNum=2&pageSize=8")[0] == 200
        # a 500 on a ?page=N list page
        pl = urls["pagelist"]
        t = pl.server.manifest.traps["retry"]
        assert fetch(pl, t)[0] == 500
        assert fetch(pl, t)[0] == 200


# ------------------------------------------------------------------ the large portal


def test_large_portal(sites, manifests):
    m, base = manifests["large"], sites["large"]
    assert len(m.reports) >= 300 and m.page_count >= 30
    assert len({r.agency for r in m.reports}) >= 40 and len({r.year for r in m.reports}) >= 8
    assert len({json.dumps(r.figures, sort_keys=True) for r in m.reports}) == len(m.reports)  # varied figures
    seen = []
    for i, target in enumerate(m.list_pages):
        status, _h, body = fetch(base, target)
        html = body.decode("utf-8")
        assert PAGER.findall(html) == [(str(m.page_count), str(i))]
        tree = lxml.html.document_fromstring(html)
        seen += [target_of(urljoin(base + target.lstrip("/"), a.get("href")))
                 for a in tree.xpath('//ul[@class="list"]/li/a')]
    assert seen == [e.document.path for e in m.list_entries]
    for r in m.reports[::7]:
        status, _h, body = fetch(base, r.path)
        assert status == 200 and r.title in body.decode("utf-8") and b"xxgk-test-data" in body


def test_large_portal_is_deterministic_and_can_be_slow(manifests):
    m = manifests["large"]
    sample = ["/", m.list_pages[0], m.list_pages[-1], m.reports[0].path, m.reports[-1].path]
    with serve_sites_in_thread(["large"]) as a, serve_sites_in_thread(["large"], delay=0.05) as b:
        assert a["large"] != b["large"]
        for t in sample:
            assert fetch(a["large"], t)[2] == fetch(b["large"], t)[2]
        t0 = time.monotonic()
        fetch(b["large"], m.list_pages[3])
        assert time.monotonic() - t0 >= 0.05


def test_cli_serves_all_sites():
    proc = subprocess.Popen([sys.executable, "-m", "sample_portal", "--all", "--port", "0", "--quiet"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        lines = [proc.stderr.readline() for _ in range(1 + len(FAMILIES))]
        urls = dict(re.findall(r"^\s+(\w+)\s+(http://\S+)", "".join(lines), re.M))
        assert set(urls) == set(FAMILIES)
        assert fetch(urls["hanweb"], "/index.html")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
