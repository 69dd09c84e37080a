"""The Hanweb (南京大汉 JCMS) family: county portals built on 大汉 JCMS.

URL shapes imitated (as on real JCMS sites)::

    /  /index.html                               home page
    /col/col4582/index.html                      信息公开 page (a column page)
    /col/col4586/index.html                      a column: the 年报 list
    /col/col4586/index.html?uid=62543&pageNum=2  (what the pager's links look like: the same page)
    /art/2023/1/18/art_4586_3690213.html         an article: /art/{Y}/{M}/{D}/art_{columnid}_{articleid}.html
    POST /module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15
                                                 further records of a list (form fields col, appid,
                                                 webid, path, columnid, sourceContentType, unitid,
                                                 webname, permissiontype), answered with XML
    /module/download/downfile.jsp?classid=0&filename=2301161035219876543.pdf
                                                 attachment download (raw GBK filename header)
    /jrobot/search.do?webid=37&q=...             search (robots-disallowed)

A column page holds only the first group of records (``perPage`` ×
``groupSize``) inline, inside ``<div id="{unitid}"><script type="text/xml">
<datastore>…<recordset><record><![CDATA[<li>…</li>]]></record>…``, followed by
``jpage.js`` and the ``$('#unitid').jpage({… totalRecord:98, … perPage:15,
… proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam:{…}})`` call.  The
rest of the list exists only behind the dataproxy POST.
"""

from __future__ import annotations

import html
from datetime import datetime
from urllib.parse import quote

from markupsafe import Markup

from .. import render
from ..manifest import Column, Document, ListEntry, Manifest, Report
from ..routing import Request, Response, RouteTable
from ..sitekit import (attachment_handler, html_handler, load_site_yaml, make_report, parse_time,
                       published_time, report_title, rng_for, robots_txt, list_text)
from ..templating import get_env
from ..util import placeholder_png

FAMILY = "hanweb"
ADDRESS = "127.0.0.2"
PROXY = "/module/web/jpage/dataproxy.jsp"
DOWNLOAD = "/module/download/downfile.jsp"


def col_path(cid: int) -> str:
    return f"/col/col{cid}/index.html"


def art_path(t: datetime, cid: int, doc_id: int) -> str:
    return f"/art/{t.year}/{t.month}/{t.day}/art_{cid}_{doc_id}.html"


def _doc_id(t: datetime, salt: int) -> int:
    return 2_000_000 + (t.date() - datetime(2016, 1, 1).date()).days * 1700 + salt


# --------------------------------------------------------------------------
# Manifest


def load_manifest() -> Manifest:
    cfg = load_site_yaml(FAMILY)
    site = cfg["site"]
    cols = cfg["columns"]
    nb = cols["nb"]
    seed = site["seed"]
    attach = {(a["report"][0], int(a["report"][1])): a for a in cfg.get("attachments", [])}
    used_ids: set[int] = set()

    def unique_id(t: datetime, rng) -> int:
        n = _doc_id(t, rng.randint(0, 1600))
        while n in used_ids:
            n += 1
        used_ids.add(n)
        return n

    reports: list[Report] = []
    by_key: dict[tuple[str, int], Report] = {}
    for ag in cfg["agencies"]:
        for year in cfg["years"]:
            rng = rng_for(seed, ag["code"], year)
            t = published_time(year, rng)
            doc_id = unique_id(t, rng)
            page = art_path(t, nb["id"], doc_id)
            a = attach.get((ag["code"], year))
            rep = make_report(
                id=f"hanweb_{ag['code']}_{year}", agency=ag["name"], year=year, seed=seed,
                site_name=site["name"], path=page, page_path=page,
                title=report_title(ag["name"], year, ag.get("title", "std")), published=t, doc_id=doc_id,
                column="nb", index_no=f"01430{rng.randint(1000, 9999)}-/{t.year}-{rng.randint(1, 300):05d}",
                attachment=a,
            )
            reports.append(rep)
            by_key[(ag["code"], year)] = rep

    documents: list[Document] = []
    nb_docs: list[Document] = []
    offsite_entry: Document | None = None
    for d in cfg.get("distractors", []) + cfg.get("documents", []):
        t = parse_time(d["published"])
        col = cols[d["column"]]
        rng = rng_for(seed, d["id"])
        if d.get("href"):
            offsite_entry = Document(id=d["id"], path=d["href"], title=d["title"], published_at=t,
                                     column=d["column"], doc_id=0, agency=None)
            continue
        doc = Document(id=d["id"], path=art_path(t, col["id"], unique_id(t, rng)), title=d["title"],
                       published_at=t, column=d["column"], doc_id=0, agency=site["sponsor"],
                       status=404 if d.get("broken") else 200)
        doc.doc_id = int(doc.path.rsplit("_", 1)[1].split(".")[0])
        documents.append(doc)
        if d in cfg.get("distractors", []):
            nb_docs.append(doc)

    entries_src = [(r, True) for r in reports] + [(d, False) for d in nb_docs]
    if offsite_entry is not None:
        entries_src.append((offsite_entry, False))
    entries_src.sort(key=lambda e: e[0].published_at, reverse=True)
    per_page = int(nb["per_page"])
    entries = []
    for i, (doc, is_report) in enumerate(entries_src):
        href = doc.attachment_path if is_report and doc.list_links_to == "file" else doc.path
        doc.list_page = i // per_page
        entries.append(ListEntry(doc, i // per_page, is_report, href=href))

    columns = [Column(
        key="nb", name=nb["name"], path=col_path(nb["id"]), mechanics="hanweb", page_size=per_page,
        entries=entries, pages=[col_path(nb["id"])],
        extra={"columnid": nb["id"], "unitid": nb["unitid"], "webid": site["webid"],
               "per_page": per_page, "group_size": int(nb["group_size"]), "total_record": len(entries),
               "inline_records": min(len(entries), per_page * int(nb["group_size"])), "proxy": PROXY},
    )]
    for key in ("zn", "zd", "fdzd", "news"):
        c = cols[key]
        docs = sorted((d for d in documents if d.column == key), key=lambda d: d.published_at, reverse=True)
        columns.append(Column(key=key, name=c["name"], path=col_path(c["id"]), mechanics="hanweb",
                              page_size=15, entries=[ListEntry(d, 0, False, href=d.path) for d in docs],
                              pages=[col_path(c["id"])],
                              extra={"columnid": c["id"], "unitid": c["unitid"], "per_page": 15,
                                     "group_size": 3, "total_record": len(docs)}))

    offsite = list(dict.fromkeys(href for _t, href in cfg.get("offsite_links", []) + cfg.get("offsite_nav", [])))
    if offsite_entry is not None:
        offsite.append(offsite_entry.path)
    flaky_rep = by_key[tuple(cfg["flaky_report"])]
    changing = by_key[tuple(cfg["changing_report"])]
    return Manifest(
        family=FAMILY, site=site, config=cfg, column_path=col_path(nb["id"]), page_size=per_page,
        reports=reports, distractors=nb_docs, documents=documents, list_entries=entries,
        offsite_links=offsite, disallowed_paths=list(cfg["robots"]["disallow"]), images=[],
        updated_at=parse_time(site["updated"]), address=ADDRESS, columns=columns,
        list_targets=[col_path(nb["id"])],
        flaky=[{"path": flaky_rep.path, "statuses": [503], "retry_after": 1}],
        traps={"retry": flaky_rep.path, "changing": changing.path}, start_path="/",
    )


# --------------------------------------------------------------------------
# Site


def record_html(entry: ListEntry) -> str:
    d = entry.document
    return (f'<li><a href="{html.escape(entry.href or d.path, quote=True)}" title="{html.escape(d.title, quote=True)}" '
            f'target="_blank">{html.escape(list_text(d.title, 30))}</a><span>{d.published_at:%Y-%m-%d}</span></li>')


class HanwebSite:
    def __init__(self, m: Manifest):
        self.m = m
        self.cfg = m.config
        self.site = m.site
        self.cols = self.cfg["columns"]
        self.env = get_env()
        self.routes = RouteTable()
        self.xxgk_href = col_path(self.cols["xxgk"]["id"])
        self.nav = [("首页", "/index.html"), ("政务公开", self.xxgk_href),
                    tuple(self.cfg["offsite_nav"][0]), ("互动交流", col_path(self.cols["hdjl"]["id"]))]
        self.side_links = [(self.cols[k]["name"], col_path(self.cols[k]["id"])) for k in ("zn", "zd", "fdzd", "nb")]

    def common(self, meta=()) -> dict:
        return {"site": self.site, "nav": self.nav, "offsite_links": self.cfg["offsite_links"], "meta": list(meta)}

    def store(self, column: Column, entries: list[ListEntry], with_next: bool = True) -> Markup:
        ex = column.extra
        nextgroup = None
        if with_next:
            nextgroup = Markup(f"{PROXY}?page=1&appid=1&webid={self.site['webid']}&path=/&columnid={ex['columnid']}"
                         f"&unitid={ex['unitid']}&webname={quote(self.site['name'])}&permissiontype=0")
        return Markup(self.env.get_template("hanweb/datastore.html").render(
            unitid=ex["unitid"], nextgroup=nextgroup, records=[Markup(record_html(e)) for e in entries]))

    def build(self) -> RouteTable:
        r = self.routes
        m = self.m
        robots = robots_txt(self.site["domain"], m.disallowed_paths)
        r.add("/robots.txt", lambda req: Response(body=robots, content_type="text/plain",
                                                  last_modified=m.updated_at))
        for path, ctype, body in (
            ("/module/jslib/jquery/jquery.js", "application/javascript",
             b"/*! jQuery v1.12.4 | (c) jQuery Foundation | jquery.org/license -- sample portal stub */\n"),
            ("/module/web/jpage/jpage.js", "application/javascript", JPAGE_JS.encode("utf-8")),
            ("/images/sihong_style.css", "text/css", b"body{margin:0;font-size:14px;}.w1000{width:1000px;margin:0 auto;}\n"),
        ):
            r.add(path, lambda req, b=body, c=ctype: Response(body=b, content_type=c, last_modified=m.updated_at))
        logo = placeholder_png(300, 80)
        r.add("/images/sihong_logo.png", lambda req: Response(body=logo, content_type="image/png",
                                                             last_modified=m.updated_at))
        r.add("/module/visitcount/articlehits.jsp", lambda req: Response(
            body=b'document.write("1024");', content_type="application/javascript", cacheable=False))
        self.build_home()
        self.build_columns()
        self.build_articles()
        r.add(PROXY, self.dataproxy, methods=("GET", "POST"))
        r.add(DOWNLOAD, self.download)
        for p in m.disallowed_paths:
            r.add_prefix(p, self.search)
        r.not_found = self.not_found
        return r

    def build_home(self) -> None:
        news = self.m.column("news")

        def page() -> str:
            return self.env.get_template("hanweb/index.html").render(
                **self.common(), news_name=news.name, news_href=news.path,
                news_store=self.store(news, news.entries, with_next=False),
                xxgk_href=self.xxgk_href, xxgk_links=self.side_links)

        h = html_handler(page, last_modified=self.m.updated_at)
        self.routes.add("/", h)
        self.routes.add("/index.html", h)

    def build_columns(self) -> None:
        nb = self.m.column("nb")

        def xxgk() -> str:
            latest = [e for e in nb.entries if e.is_report][:5]
            return self.env.get_template("hanweb/xxgk.html").render(
                **self.common(), xxgk_href=self.xxgk_href, side_links=self.side_links, nb_href=nb.path,
                latest_store=self.store(nb, latest, with_next=False))

        h = html_handler(xxgk, last_modified=self.m.updated_at)
        self.routes.add(self.xxgk_href, h)
        self.routes.add(self.xxgk_href.rsplit("/", 1)[0] + "/", h)
        for col in self.m.columns:
            ex = col.extra
            inline = col.entries[: ex["per_page"] * ex["group_size"]]

            def page(col=col, inline=inline) -> str:
                ex = col.extra
                return self.env.get_template("hanweb/column.html").render(
                    **self.common(meta=[("ColumnName", col.name), ("ColumnType", col.name)]),
                    column_name=col.name, column_href=col.path, xxgk_href=self.xxgk_href,
                    side_links=self.side_links, store=self.store(col, inline), per_page=ex["per_page"],
                    group_size=ex["group_size"], total=len(col.entries), unitid=ex["unitid"],
                    columnid=ex["columnid"])

            h = html_handler(page, last_modified=self.m.updated_at)
            self.routes.add(col.path, h)
            self.routes.add(col.path.rsplit("/", 1)[0] + "/", h)
        hdjl = col_path(self.cols["hdjl"]["id"])
        self.routes.add(hdjl, html_handler(lambda: self.env.get_template("hanweb/xxgk.html").render(
            **self.common(), xxgk_href=self.xxgk_href, side_links=[], nb_href=nb.path,
            latest_store=Markup("<p>县长信箱、12345热线受理群众咨询、投诉和建议。</p>")),
            last_modified=self.m.updated_at))

    def build_articles(self) -> None:
        spec = {d["id"]: d for d in self.cfg.get("distractors", []) + self.cfg.get("documents", [])}
        for rep in self.m.reports:
            if rep.page_path:
                self.add_article(rep, self.report_body(rep))
            if rep.attachment_path:
                pass  # served by the download handler
        for doc in self.m.documents:
            if doc.status != 200:
                continue
            body = render.paragraphs_body(spec[doc.id].get("paragraphs", []))
            self.add_article(doc, body)

    def report_body(self, rep: Report) -> str:
        if not rep.attachment_path:
            return render.report_body(rep)
        name = rep.attachment_filename
        href = html.escape(rep.attachment_path, quote=True)
        return (f'<p{render.P_STYLE}>{render.esc(rep.title)}全文详见附件。</p>\n'
                f'<p>附件：<a href="{href}" target="_blank">{render.esc(name)}</a></p>')

    def add_article(self, doc: Document, body: str) -> None:
        colkey = doc.column
        c = self.cols[colkey]
        is_report = isinstance(doc, Report)
        pub_time = doc.published_at.strftime("%Y-%m-%d %H:%M")

        def page() -> str:
            meta = [("ColumnName", c["name"]), ("ArticleTitle", doc.title), ("PubDate", pub_time),
                    ("ContentSource", doc.agency or self.site["sponsor"])]
            if is_report:
                meta.append(("xxgk-test-data", "true"))
            return self.env.get_template("hanweb/article.html").render(
                **self.common(meta=meta), title=doc.title, agency=doc.agency or self.site["sponsor"],
                date=doc.published, pub_time=pub_time, index_no=getattr(doc, "index_no", "") or "",
                test_data=is_report, columnid=c["id"], doc_id=doc.doc_id, column_name=c["name"],
                column_href=col_path(c["id"]), xxgk_href=self.xxgk_href, body=Markup(body))

        self.routes.add(doc.page_path if is_report else doc.path,
                        html_handler(page, last_modified=doc.published_at))

    # ------------------------------------------------------------------ dynamic

    def dataproxy(self, req: Request) -> Response:
        """``dataproxy.jsp``: records ``startrecord``..``endrecord`` (1-based,
        inclusive) of the list of ``columnid``, as XML."""
        p = req.params()
        col = next((c for c in self.m.columns if str(c.extra.get("columnid")) == p.get("columnid", "")), None)
        if col is None or not p.get("unitid"):
            body = ("<html><head><title>错误</title></head><body><div style=\"text-align:center\">"
                    "<h3>参数错误，请求的栏目不存在！</h3></div></body></html>")
            return Response(body=body.encode("utf-8"), cacheable=False)
        try:
            per = max(1, int(p.get("perpage") or col.extra["per_page"]))
            start = max(1, int(p.get("startrecord") or 1))
            end = int(p.get("endrecord") or start + per * col.extra["group_size"] - 1)
        except ValueError:
            return Response(body="<html><body><h3>参数错误</h3></body></html>".encode("utf-8"), cacheable=False)
        total = len(col.entries)
        chunk = col.entries[start - 1:max(start - 1, end)]
        records = "".join(f"<record><![CDATA[\n{record_html(e)}\n]]></record>" for e in chunk)
        xml = (f'<?xml version="1.0" encoding="utf-8"?><datastore><totalrecord>{total}</totalrecord>'
               f'<totalpage>{-(-total // per)}</totalpage><recordset>{records}</recordset></datastore>')
        return Response(body=xml.encode("utf-8"), content_type="text/xml;charset=UTF-8", cacheable=False)

    def download(self, req: Request) -> Response:
        name = req.params().get("filename", "")
        for rep in self.m.reports:
            if rep.attachment_path and f"filename={name}" in rep.attachment_path.split("&") and name:
                return attachment_handler(rep)(req)
        body = "<html><body><script>alert('文件不存在或已被删除！');history.back();</script></body></html>"
        return Response(status=404, body=body.encode("utf-8"), cacheable=False)

    def search(self, req: Request) -> Response:
        items = "".join(f'<li><a href="{r.path}">{render.esc(r.title)}</a></li>' for r in self.m.reports[:20])
        body = f"<html><head><meta charset=\"utf-8\"><title>搜索结果</title></head><body><ul>{items}</ul></body></html>"
        return Response(body=body.encode("utf-8"), cacheable=False)

    def not_found(self, req: Request) -> Response:
        return Response(status=404, body=self.env.get_template("hanweb/404.html").render().encode("utf-8"),
                        cacheable=False)


def build(manifest: Manifest) -> RouteTable:
    return HanwebSite(manifest).build()


JPAGE_JS = r"""/* jpage -- list pager of Hanweb JCMS (sample portal imitation).
 * Reads the records inlined in <div id="unitid"><script type="text/xml">,
 * shows perPage of them, and fetches further groups with
 * POST proxyUrl?startrecord=&endrecord=&perpage= (form: ajaxParam). */
(function($){
  $.fn.jpage = function(o){
    var box = this, all = [], page = 1;
    var xml = box.find('script[type="text/xml"]').html() || '';
    xml.replace(/<record><!\[CDATA\[([\s\S]*?)\]\]><\/record>/g, function(m, r){ all.push(r); });
    var q = (location.search.match(/pageNum=(\d+)/) || [0, 1])[1];
    function show(p){
      var need = p * o.perPage;
      if (all.length < need && all.length < o.totalRecord){
        var start = all.length + 1, end = start + o.perPage * o.groupSize - 1;
        $.ajax({type: 'POST', url: o.proxyUrl + '?startrecord=' + start + '&endrecord=' + end + '&perpage=' + o.perPage,
                data: o.ajaxParam, dataType: 'text', success: function(x){
          x.replace(/<record><!\[CDATA\[([\s\S]*?)\]\]><\/record>/g, function(m, r){ all.push(r); });
          show(p);
        }});
        return;
      }
      box.html(o.dataBefore + all.slice((p - 1) * o.perPage, p * o.perPage).join('') + o.dataAfter);
    }
    show(parseInt(q, 10));
    return this;
  };
})(jQuery);
"""
