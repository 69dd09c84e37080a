"""The list-forms family: one portal whose 年报 sub-columns each use another
real list form, so that a crawl meets every form the crawler must read.

A county portal whose departments' sub-sites run on different CMSs is common;
here each sub-column of 政府信息公开年报 is written the way one real CMS writes
its lists (see ``/work/shared/realdocs/README.md``, "Facts about real portals",
and the saved real pages of ``tests/fixtures/lists/``)::

    /  /index.html                        home page: links 政府信息公开年报
    /zwgk/xxgknb/  (= index.html)         政府信息公开年报: links the seven sub-columns
    /zwgk/xxgknb/xzfnb/                   县政府年报 -- TRS "动静结合" (trt_ui_v2): 10 of its 20
                                          reports on the page, the rest only through
                                          require(["list2.trsapi"], … listModel({… listArgs:
                                          {channelid: SiteInfo.searchId, classsql: "chnlid=1813", …},
                                          pagebar: {prepage: 10, recordCount: '20'}}))
    POST /fjdzapp/search                  its API (form: channelid, classsql, sortfield, prepage,
                                          page from 1): {"data": [{doctitle, docpuburl, docreltime}],
                                          "pageCount": 2, …}; a GET is refused
    /zwgk/xxgknb/bmnb/  index_1.html      部门年报 -- TRS ``//wcm分页，总记录：N`` then
                                          ``createPage(2, 0, "index", "html")``
    /zwgk/xxgknb/xznb/  index_1.html      乡镇年报 -- TRS script that writes its own pager from
                                          ``var currentPage = 0; var countPage = 2`` (the
                                          鄂尔多斯恩格贝 page's script): no link in the HTML
    /col/col8001/index.html               县直部门年报 -- Hanweb 加载更多: a datastore of the first
                                          records, its nextgroup naming morecolumndataproxy.jsp
                                          (webname doubly URL-encoded, as real nextgroups write it)
    POST /module/web/jpage/morecolumndataproxy.jsp?startrecord=&endrecord=&perpage=
    /col/col8002/index.html               单位年报 -- older Hanweb jpage: records are table rows
                                          (``<tr><td><a title=…>…...</a></td><td>date</td></tr>``), the
                                          datastore has no nextgroup; the proxy and its form are the
                                          jpage call's proxyUrl and ajaxParam
    POST /module/jslib/jquery/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=
    /jdnb/index.shtml                     街道年报 -- Ucap (开普云) page: the list is the article
                                          body, ``<div id="UCAP-CONTENT"><ucapcontent>…</ucapcontent>``
    /zjnb/index.html                      镇街年报 -- list from a JSON API by a jQuery POST:
                                          $.ajax({url: "/getFileListByCodeId", type: "POST",
                                          data: {channelId: "…", pageNum: 1, pageSize: 2}})
    POST /getFileListByCodeId             its API (form: channelId, pageNum, pageSize); a GET is refused
    …/tYYYYMMDD_N.html, /art/Y/M/D/art_C_N.html, /jdnb/YYYYMM/<32 hex>.shtml, /zjnb/content/N.html
                                          the reports (TEST DATA) and the distractors

List texts are cut with ``...`` where the real CMS cuts them (the full title
only in ``title``). Each sub-column but 县政府年报 lists one distractor of the
kind real 年报 columns hold (统计数据填报说明, 编制说明, 工作要点, a 通知, 解读,
网站年度工作报表), which is no report.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import datetime
from urllib.parse import quote

from .. import render
from ..manifest import Column, Document, ListEntry, Manifest, Report
from ..routing import Request, Response, RouteTable
from ..sitekit import html_handler, list_text, make_report, parse_time, published_time, report_title, rng_for, robots_txt

FAMILY = "listforms"
ADDRESS = "127.0.0.9"
SITE = {
    "name": "永泰县人民政府", "short_name": "永泰县", "domain": "www.yongtai.gov.cn", "sponsor": "永泰县人民政府办公室",
    "seed": "yongtai", "updated": "2024-02-01 09:30",
}
INDEX = "/zwgk/xxgknb/"
SEARCH_ID = "229105"  # SiteInfo.searchId, the channelid the TRS search API is asked with
TRSAPI = "/fjdzapp/search"
MORE_PROXY = "/module/web/jpage/morecolumndataproxy.jsp"
OLD_PROXY = "/module/jslib/jquery/jpage/dataproxy.jsp"
FILE_API = "/getFileListByCodeId"
FILE_CHANNEL = "8a8a81e27e0b4c0a017e0f3b2c5d0001"
OFFSITE = [("中国政府网", "http://www.gov.cn/"), ("福州市人民政府", "http://www.fuzhou.gov.cn/")]

# key, link text, form, path, page size, agencies (name, code), years, distractor (title, published)
COLUMNS = [
    ("xzfnb", "县政府年报", "trsapi", "/zwgk/xxgknb/xzfnb/", 10,
     [("永泰县人民政府", "xzf"), ("永泰县人民政府办公室", "xzfb"), ("永泰县发展和改革局", "fgj"), ("永泰县财政局", "czj")],
     [2019, 2020, 2021, 2022, 2023], None),
    ("bmnb", "部门年报", "createpage", "/zwgk/xxgknb/bmnb/", 2,
     [("永泰县教育局", "jyj"), ("永泰县卫生健康局", "wjj"), ("永泰县自然资源局", "zrj")], [2022],
     ("2020年政府信息公开工作年度报告统计数据填报说明", "2021-01-06 10:00")),
    ("xznb", "乡镇年报", "countpage", "/zwgk/xxgknb/xznb/", 2,
     [("永泰县樟城镇人民政府", "zcz"), ("永泰县嵩口镇人民政府", "skz"), ("永泰县梧桐镇人民政府", "wtz")], [2023],
     ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", "2023-12-20 16:00")),
    ("xzbmnb", "县直部门年报", "hanweb-more", "/col/col8001/index.html", 2,
     [("永泰县民政局", "mzj"), ("永泰县司法局", "sfj"), ("永泰县住房和城乡建设局", "zjj")], [2021],
     ("2021年度政府网站年度工作报表", "2022-01-14 09:00")),
    ("dwnb", "单位年报", "hanweb-old", "/col/col8002/index.html", 2,
     [("永泰县市场监督管理局", "scj"), ("永泰县医疗保障局", "ybj"), ("永泰县林业局", "lyj")], [2020],
     ("政府信息公开工作年度报告编制说明（2020年版）", "2020-12-28 15:00")),
    ("jdnb", "街道年报", "ucap", "/jdnb/index.shtml", 10,
     [("永泰县城峰镇人民政府", "cfz"), ("永泰县清凉镇人民政府", "qlz"), ("永泰县长庆镇人民政府", "lqz")], [2022],
     ("2024年政务公开工作要点", "2024-01-10 11:00")),
    ("zjnb", "镇街年报", "filelist", "/zjnb/index.html", 2,
     [("永泰县葛岭镇人民政府", "glz"), ("永泰县塘前乡人民政府", "tqx"), ("永泰县赤锡乡人民政府", "cxx")], [2021],
     ("《永泰县2021年政府信息公开工作年度报告》解读", "2022-01-25 10:00")),
]
HANWEB = {"xzbmnb": {"columnid": 8001, "unitid": 90001, "proxy": MORE_PROXY},
          "dwnb": {"columnid": 8002, "unitid": 90002, "proxy": OLD_PROXY}}


def _doc_path(form: str, path: str, t: datetime, doc_id: int, key: str) -> str:
    if form.startswith("hanweb"):
        return f"/art/{t.year}/{t.month}/{t.day}/art_{HANWEB[key]['columnid']}_{doc_id}.html"
    if form == "ucap":
        return f"/jdnb/{t:%Y%m}/{hashlib.md5(str(doc_id).encode()).hexdigest()}.shtml"
    if form == "filelist":
        return f"/zjnb/content/{doc_id}.html"
    return f"{path}{t:%Y%m}/t{t:%Y%m%d}_{doc_id}.html"


def load_manifest() -> Manifest:
    seed = SITE["seed"]
    reports: list[Report] = []
    distractors: list[Document] = []
    columns: list[Column] = []
    all_entries: list[ListEntry] = []
    doc_id = 5_100_000
    for key, name, form, path, size, agencies, years, distractor in COLUMNS:
        items: list[tuple[Document, bool]] = []
        for agency, code in agencies:
            for year in years:
                rng = rng_for(seed, code, year)
                t = published_time(year, rng)
                doc_id += 7
                page = _doc_path(form, path, t, doc_id, key)
                rep = make_report(
                    id=f"listforms_{code}_{year}", agency=agency, year=year, seed=seed, site_name=SITE["name"],
                    path=page, page_path=page, title=report_title(agency, year), published=t, doc_id=doc_id,
                    column=key, index_no=f"003593{rng.randint(1000, 9999)}/{t.year}-{rng.randint(1, 300):05d}")
                reports.append(rep)
                items.append((rep, True))
        if distractor:
            title, published = distractor
            t = parse_time(published)
            doc_id += 7
            doc = Document(id=f"listforms_{key}_distractor", path=_doc_path(form, path, t, doc_id, key), title=title,
                           published_at=t, column=key, doc_id=doc_id, agency=SITE["sponsor"])
            distractors.append(doc)
            items.append((doc, False))
        items.sort(key=lambda e: e[0].published_at, reverse=True)
        entries = [ListEntry(doc, i // size, is_report, href=doc.path) for i, (doc, is_report) in enumerate(items)]
        all_entries += entries
        pages = -(-len(entries) // size)
        columns.append(Column(key=key, name=name, path=path, mechanics=form, page_size=size, entries=entries,
                              pages=[path] + ([f"{path}index_{n}.html" for n in range(1, pages)]
                                              if form in ("createpage", "countpage") else []),
                              extra={"form": form, "pages": pages, **HANWEB.get(key, {})}))
    return Manifest(
        family=FAMILY, site=dict(SITE), config={"site": dict(SITE)}, column_path=INDEX, page_size=10,
        reports=reports, distractors=distractors, documents=list(distractors), list_entries=all_entries,
        offsite_links=[href for _t, href in OFFSITE], disallowed_paths=["/was5/", "/search/"], images=[],
        updated_at=parse_time(SITE["updated"]), address=ADDRESS, columns=columns,
        list_targets=[INDEX], start_path="/",
    )


# --------------------------------------------------------------------------
# Pages


def _page(title: str, body: str, head: str = "") -> str:
    nav = " | ".join(f'<a href="{h}">{t}</a>' for t, h in [("首页", "/"), ("政府信息公开年报", INDEX)])
    foot = " ".join(f'<a href="{h}" target="_blank">{t}</a>' for t, h in OFFSITE)
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}_{SITE["name"]}</title>'
            f'<meta name="SiteName" content="{SITE["name"]}">{head}</head>\n<body>\n<div class="top">{SITE["name"]}</div>\n'
            f'<div class="nav">{nav}</div>\n<div class="main">\n{body}\n</div>\n'
            f'<div class="footer">主办：{SITE["sponsor"]} 友情链接：{foot}'
            f'<p>本站为 xxgk-archive 的示例门户：其中的年报均为测试数据（TEST DATA）。</p></div>\n</body></html>\n')


def _a(entry: ListEntry, cut: int | None = None, base: str = "") -> str:
    d = entry.document
    text = list_text(d.title, cut) if cut else d.title
    return (f'<a href="{html.escape(base + (entry.href or d.path), quote=True)}" title="{html.escape(d.title, quote=True)}" '
            f'target="_blank">{html.escape(text)}</a>')


def _xml(records: list[str], total: int) -> bytes:
    body = "".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records)
    return (f'<?xml version="1.0" encoding="utf-8"?><datastore><totalrecord>{total}</totalrecord>'
            f'<recordset>{body}</recordset></datastore>').encode("utf-8")


def _json(obj: dict, status: int = 200) -> Response:
    return Response(status=status, body=json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                    content_type="application/json;charset=UTF-8", cacheable=False)


class ListFormsSite:
    def __init__(self, m: Manifest):
        self.m = m
        self.routes = RouteTable()
        self.lm = m.updated_at

    def add(self, path: str, render_fn, last_modified=None) -> None:
        handler = html_handler(render_fn, last_modified=last_modified or self.lm)
        self.routes.add(path, handler)
        if path.endswith("/index.html"):
            self.routes.add(path[: -len("index.html")], handler)

    def build(self) -> RouteTable:
        r = self.routes
        robots = robots_txt(SITE["domain"], self.m.disallowed_paths)
        r.add("/robots.txt", lambda req: Response(body=robots, content_type="text/plain", last_modified=self.lm))
        home = _page("首页", f'<p>欢迎访问{SITE["name"]}门户网站。</p><ul><li><a href="{INDEX}">政府信息公开年报</a></li>'
                           '<li><a href="/zwgk/">政府信息公开</a></li></ul>')
        self.add("/index.html", lambda: home)
        links = "".join(f'<li><a href="{c.path}">{c.name}</a></li>' for c in self.m.columns)
        self.add(INDEX + "index.html", lambda: _page("政府信息公开年报", f"<h2>政府信息公开年报</h2><ul>{links}</ul>"))
        self.add("/zwgk/index.html", lambda: _page("政府信息公开", f'<ul><li><a href="{INDEX}">政府信息公开年报</a></li></ul>'))
        for col in self.m.columns:
            getattr(self, "column_" + col.mechanics.replace("-", "_"))(col)
        for doc in list(self.m.reports) + list(self.m.documents):
            self.article(doc)
        r.add(TRSAPI, self.trsapi, methods=("GET", "HEAD", "POST"))
        r.add(FILE_API, self.filelist, methods=("GET", "HEAD", "POST"))
        for key, spec in HANWEB.items():
            r.add(spec["proxy"], lambda req, key=key: self.dataproxy(req, key), methods=("GET", "HEAD", "POST"))
        for p in self.m.disallowed_paths:
            r.add_prefix(p, lambda req: Response(status=403, body=b"forbidden", cacheable=False))
        r.not_found = lambda req: Response(status=404, body=_page("404", "<p>您访问的页面不存在。</p>").encode("utf-8"),
                                           cacheable=False)
        return r

    # ---------------------------------------------------------------- articles

    def article(self, doc: Document) -> None:
        is_report = isinstance(doc, Report)
        col = self.m.column(doc.column)
        pub = doc.published_at.strftime("%Y-%m-%d %H:%M")
        head = (f'<meta name="ArticleTitle" content="{html.escape(doc.title, quote=True)}"><meta name="PubDate" content="{pub}">'
                f'<meta name="ContentSource" content="{doc.agency}">'
                + ('<meta name="xxgk-test-data" content="true">' if is_report else ""))
        body = render.report_body(doc) if is_report else (
            f"<p>{html.escape(doc.title)}。本文为示例门户的非年报文件（TEST DATA）。</p>")
        text = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{INDEX}">政府信息公开年报</a> &gt; '
                f'<a href="{col.path}">{col.name}</a></div>\n<h1>{html.escape(doc.title)}</h1>\n'
                f'<div class="info">发布机构：{doc.agency}　发布日期：{doc.published}</div>\n')
        if col.mechanics == "ucap":  # a Ucap article keeps its text in <ucapcontent> too
            text += f'<div id="zoom"><div id="UCAP-CONTENT"><ucapcontent>{body}</ucapcontent></div></div>'
        else:
            text += f'<div class="content">{body}</div>'
        self.routes.add(doc.path, html_handler(lambda: _page(doc.title, text, head), last_modified=doc.published_at))

    # ---------------------------------------------------------------- columns

    def _li(self, col: Column, entries: list[ListEntry], cut: int | None = 24) -> str:
        return "".join(f"<li>{_a(e, cut)}<span>{e.document.published}</span></li>\n" for e in entries)

    def column_trsapi(self, col: Column) -> None:
        static = col.entries[: col.page_size]
        head = (f'<script>var SiteInfo = {{siteId: "73", siteName: "{SITE["name"]}", searchId: "{SEARCH_ID}", '
                f'projectName: "yongtai"}};</script>')
        script = ('<script src="/static/js/require.js"></script>\n<script>\nrequire(["list2.trsapi"], function (listModel) {\n'
                  '  listModel({maxStaticIndex: 1, listArgs: {channelid: SiteInfo.searchId, classsql: "chnlid=1813", '
                  'sortfield: "-docorderpri,-docreltime"},\n    listTpl: "#list-tpl", pagebar: {prepage: '
                  f"{col.page_size}, recordCount: '{len(col.entries)}'}}}});\n}});\n</script>")
        body = (f'<h2>{col.name}</h2>\n<div class="list" id="list-box"><ul>\n{self._li(col, static, None)}</ul></div>\n'
                f'<div class="pagebar" id="pagebar"></div>\n{script}')
        self.add(col.path + "index.html", lambda: _page(col.name, body, head))

    def _trs_pages(self, col: Column, pager) -> None:
        for n in range(col.extra["pages"]):
            chunk = [e for e in col.entries if e.page == n]
            name = "index.html" if n == 0 else f"index_{n}.html"
            body = (f'<h2>{col.name}</h2>\n<table class="gl_list">\n'
                    + "".join(f'<tr><td class="tit">{_a(e, 20)}</td><td class="date">{e.document.published}</td></tr>\n'
                              for e in chunk)
                    + f'</table>\n<div class="page">{pager(n, col.extra["pages"], len(col.entries))}</div>')
            self.add(col.path + name, lambda body=body: _page(col.name, body))

    def column_createpage(self, col: Column) -> None:
        self._trs_pages(col, lambda n, count, total: (
            f'<script language="JavaScript">\n//wcm分页，总记录：{total}\ncreatePage({count}, {n}, "index", "html");\n</script>'))

    def column_countpage(self, col: Column) -> None:
        # the 鄂尔多斯恩格贝 page's script, shortened: it writes the pager itself
        self._trs_pages(col, lambda n, count, total: (
            '<script language="JavaScript" type="text/javascript">\n'
            f"var currentPage = {n};//所在页从0开始\nvar prevPage = currentPage-1//上一页\n"
            f"var nextPage = currentPage+1//下一页\nvar countPage = {count}//共多少页\n"
            'document.write("共计"+"&nbsp;<font style=\'color:#FF8008\'>"+"' + str(count) + '"+"&nbsp;</font>"+"页");\n'
            'document.write("&nbsp;<a href=\\"index."+"html\\">首页</a>&nbsp;|");\n'
            "for(var i=0 ; i<=6 && (i<countPage); i++){\n"
            "if(currentPage==i)\ndocument.write(\"&nbsp;<font style='color:#FF8008'>\"+(i+1)+\"</font>&nbsp;|\");\n"
            'else if(i==0)\ndocument.write("&nbsp;<a href=\\"index.html\\">1</a>&nbsp;|");\n'
            'else\nif(i>0) document.write("&nbsp;<a href=\\"index"+"_" + i + "."+"html\\">"+(i+1)+"</a>&nbsp;|");\n}\n'
            "if(countPage>1&&currentPage!=(countPage-1))\n"
            'document.write("&nbsp;<a href=\\"index"+"_" + nextPage + "."+"html\\">&nbsp;<span class=greyfont>下一页</span>&nbsp;</a>&nbsp;");\n'
            "</script>"))

    def _hanweb_record(self, col: Column, e: ListEntry) -> str:
        if col.mechanics == "hanweb-old":
            return f'<tr><td class="bt">{_a(e, 18)}</td><td class="rq">{e.document.published}</td></tr>'
        return f'<li class="clearfix">{_a(e, 18)}<b>{e.document.published}</b></li>'

    def _hanweb_column(self, col: Column, nextgroup: str, script: str) -> None:
        ex = col.extra
        inline = col.entries[: col.page_size]
        records = "".join(f"<record><![CDATA[\n{self._hanweb_record(col, e)}]]></record>\n" for e in inline)
        store = (f'<div id="{ex["unitid"]}"><script type="text/xml"><datastore>\n{nextgroup}'
                 f"<recordset>\n{records}</recordset></datastore></script></div>")
        body = f"<h2>{col.name}</h2>\n{store}\n{script}"
        self.add(col.path, lambda: _page(col.name, body, '<script src="/module/jslib/jquery/jquery.js"></script>'))

    def column_hanweb_more(self, col: Column) -> None:
        ex = col.extra
        webname = quote(quote(SITE["name"]))  # doubly encoded, as real nextgroups write it
        nextgroup = (f'<nextgroup><![CDATA[<a href="{MORE_PROXY}?page=1&appid=1&webid=3&path=/&columnid={ex["columnid"]}'
                     f'&unitid={ex["unitid"]}&webname={webname}&permissiontype=0"></a>]]></nextgroup>\n')
        script = ('<div class="more"><a href="javascript:void(0);" id="loadMore">加载更多</a></div>\n'
                  f"<script>$('#{ex['unitid']}').morejpage({{totalRecord:{len(col.entries)}, perPage:{col.page_size}, "
                  f"proxyUrl:'{MORE_PROXY}', button:'#loadMore'}});</script>")
        self._hanweb_column(col, nextgroup, script)

    def column_hanweb_old(self, col: Column) -> None:
        ex = col.extra
        script = ('<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.js"></script>\n'
                  f"<script>$(document).ready(function(){{ $('#{ex['unitid']}').jpage({{dataStore: dataStore, "
                  f"proxyUrl: '{OLD_PROXY}', perPage: {col.page_size}, totalRecord: {len(col.entries)}, groupSize: 1, "
                  "barPosition: 'bottom', ajaxParam: {col: 1, appid: 1, webid: 3, path: '/', "
                  f"columnid: {ex['columnid']}, sourceContentType: 1, unitid: {ex['unitid']}, "
                  f"webname: '{SITE['name']}', permissiontype: 0}}, dataBefore: '<table>', dataAfter: '</table>'}}); }});"
                  "</script>")
        self._hanweb_column(col, "", script)

    def column_ucap(self, col: Column) -> None:
        rows = "".join(f'<p style="text-indent:2em;">{_a(e)}（{e.document.published}）</p>\n' for e in col.entries)
        body = (f'<div class="article"><h1>{col.name}</h1>\n<div id="zoom"><div id="UCAP-CONTENT">'
                f"<ucapcontent>\n{rows}</ucapcontent></div></div>\n"
                '<script src="/js/ucap/ucapcontent.js"></script><script>loadUcapContent();</script></div>')
        self.add(col.path, lambda: _page(col.name, body, '<meta name="generator" content="UCAP">'))

    def column_filelist(self, col: Column) -> None:
        script = ('<script src="/js/jquery.min.js"></script>\n<script>\nfunction loadList(pageNum) {\n'
                  f'  $.ajax({{url: "{FILE_API}", type: "POST", dataType: "json",\n'
                  f'    data: {{channelId: "{FILE_CHANNEL}", pageNum: 1, pageSize: {col.page_size}}},\n'
                  "    success: function (res) { render(res.data.results); }});\n}\nloadList(1);\n</script>")
        body = f'<h2>{col.name}</h2>\n<ul id="fileList"></ul>\n<div id="pager"></div>\n{script}'
        self.add(col.path, lambda: _page(col.name, body))

    # ---------------------------------------------------------------- list APIs

    def trsapi(self, req: Request) -> Response:
        if req.method != "POST":
            return _json({"code": 405, "msg": "Request method 'GET' not supported"}, status=405)
        p = req.params()
        col = self.m.column("xzfnb")
        if p.get("channelid") != SEARCH_ID or p.get("classsql") != "chnlid=1813":
            return _json({"data": [], "pageCount": 0, "page": 1, "total": 0})
        size = max(1, int(p.get("prepage") or 10))
        page = max(1, int(p.get("page") or 1))
        chunk = col.entries[(page - 1) * size: page * size]
        base = req.base_url.rstrip("/")
        data = [{"doctitle": e.document.title, "docpuburl": base + e.document.path, "chnldocurl": base + e.document.path,
                 "docreltime": e.document.published_at.strftime("%Y-%m-%d %H:%M:%S"), "chnlid": 1813,
                 "docid": e.document.doc_id} for e in chunk]
        return _json({"data": data, "page": page, "prepage": size, "pageCount": -(-len(col.entries) // size),
                      "total": len(col.entries)})

    def filelist(self, req: Request) -> Response:
        if req.method != "POST":
            return _json({"resultCode": "500", "msg": "Request method 'GET' not supported"}, status=405)
        p = req.params()
        col = self.m.column("zjnb")
        if p.get("channelId") != FILE_CHANNEL:
            return _json({"resultCode": "0", "data": {"totalCount": 0, "results": []}})
        size = max(1, int(p.get("pageSize") or 10))
        page = max(1, int(p.get("pageNum") or 1))
        chunk = col.entries[(page - 1) * size: page * size]
        results = [{"title": e.document.title, "url": e.document.path, "publishTime": e.document.published,
                    "codeId": FILE_CHANNEL} for e in chunk]
        return _json({"resultCode": "0", "data": {"totalCount": len(col.entries), "pageNum": page,
                                                 "pageCount": -(-len(col.entries) // size), "results": results}})

    def dataproxy(self, req: Request, key: str) -> Response:
        p = req.params()
        col = self.m.column(key)
        if p.get("columnid") != str(col.extra["columnid"]) or p.get("unitid") != str(col.extra["unitid"]):
            return Response(body="<html><body><h3>参数错误，请求的栏目不存在！</h3></body></html>".encode("utf-8"),
                            cacheable=False)
        start = max(1, int(p.get("startrecord") or 1))
        end = int(p.get("endrecord") or start + col.page_size - 1)
        chunk = col.entries[start - 1: max(start - 1, end)]
        return Response(body=_xml([self._hanweb_record(col, e) for e in chunk], len(col.entries)),
                        content_type="text/xml;charset=UTF-8", cacheable=False)


def build(manifest: Manifest) -> RouteTable:
    return ListFormsSite(manifest).build()
