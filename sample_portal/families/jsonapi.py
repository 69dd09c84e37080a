"""The JSON-API family: Vue/Axios-era portals whose list pages are empty
shells filled from a JSON endpoint.

URL shapes imitated::

    /  /index.html                         home page
    /xxgk/index.html                       信息公开 page
    /xxgk/zfxxgknb/index.html              a channel page: <div id="app" data-channel-id="1234">
                                           plus new Vue({... axios.get("/api/content/list",
                                           {params: {channelId: 1234, pageNum: this.pageNum,
                                           pageSize: this.pageSize}}) ...})
    /xxgk/bmnb/index.html                  another channel, written with
                                           fetch("/api/content/list?channelId=1235&pageNum=" + page + "&pageSize=8")
    /api/content/list?channelId=1234&pageNum=1&pageSize=10
                                           {"code":200,"msg":"操作成功","data":{"total":23,"pages":3,
                                           "pageNum":1,"pageSize":10,"list":[{"id":…,"title":…,
                                           "url":"/content/2022/01/15/30981.html","publishTime":"2022-01-15",…}]}}
    /content/2022/01/15/30981.html         an article (server-rendered)
    /uploadfiles/2023/01/18/….pdf          a static attachment (no Content-Disposition)
    /api/file/download?fileId=8842         an attachment (Content-Disposition: filename*=UTF-8''…)

The list HTML holds no entry and no pager link: the entries exist only in
the API's answers.
"""

from __future__ import annotations

import json
from datetime import datetime

from markupsafe import Markup

from .. import render
from ..manifest import Column, Document, ListEntry, Manifest, Report
from ..routing import Request, Response, RouteTable
from ..sitekit import (
    attachment_handler, id_allocator, html_handler, load_site_yaml, make_report, parse_time,
                       published_time, report_title, rng_for, robots_txt)
from ..templating import get_env
from ..util import placeholder_png

FAMILY = "jsonapi"
ADDRESS = "127.0.0.3"
API = "/api/content/list"
MAX_PAGE_SIZE = 50


def content_path(t: datetime, doc_id: int) -> str:
    return f"/content/{t:%Y/%m/%d}/{doc_id}.html"


def load_manifest() -> Manifest:
    cfg = load_site_yaml(FAMILY)
    site = cfg["site"]
    seed = site["seed"]
    attach = {(a["report"][0], int(a["report"][1])): a for a in cfg.get("attachments", [])}
    new_id = id_allocator(20_000, datetime(2017, 1, 1), 13, 12)

    reports: list[Report] = []
    by_key: dict[tuple[str, int], Report] = {}
    columns: list[Column] = []
    distractors: list[Document] = []
    documents: list[Document] = []
    for ch in cfg["channels"]:
        items: list[tuple[Document, bool]] = []
        for ag in ch["agencies"]:
            for year in ag["years"]:
                rng = rng_for(seed, ag["code"], year)
                t = published_time(year, rng)
                doc_id = new_id(t, rng)
                page = content_path(t, doc_id)
                rep = make_report(
                    id=f"jsonapi_{ag['code']}_{year}", agency=ag["name"], year=year, seed=seed,
                    site_name=site["name"], path=page, page_path=page,
                    title=report_title(ag["name"], year, ag.get("title", "std")), published=t, doc_id=doc_id,
                    column=ch["key"], index_no=f"MB{rng.randint(1000000, 9999999)}/{t.year}-{rng.randint(1, 500):05d}",
                    attachment=attach.get((ag["code"], year)))
                reports.append(rep)
                by_key[(ag["code"], year)] = rep
                items.append((rep, True))
        for d in cfg.get("distractors", []):
            if d["channel"] != ch["key"]:
                continue
            t = parse_time(d["published"])
            doc_id = new_id(t, rng_for(seed, d["id"]))
            doc = Document(id=d["id"], path=content_path(t, doc_id), title=d["title"], published_at=t,
                           column=ch["key"], doc_id=doc_id, agency=site["sponsor"],
                           status=404 if d.get("broken") else 200)
            distractors.append(doc)
            documents.append(doc)
            items.append((doc, False))
        items.sort(key=lambda e: e[0].published_at, reverse=True)
        size = int(ch["page_size"])
        entries = []
        for i, (doc, is_report) in enumerate(items):
            href = doc.attachment_path if is_report and doc.list_links_to == "file" else doc.path
            doc.list_page = i // size
            entries.append(ListEntry(doc, i // size, is_report, href=href))
        pages = -(-len(entries) // size)
        columns.append(Column(
            key=ch["key"], name=ch["name"], path=ch["path"], mechanics="json", page_size=size, entries=entries,
            pages=[f"{API}?channelId={ch['id']}&pageNum={n}&pageSize={size}" for n in range(1, pages + 1)],
            extra={"endpoint": API, "channel_id": ch["id"], "script": ch["script"], "page_size": size,
                   "total": len(entries), "pages": pages},
        ))

    nb = columns[0]
    changing = by_key[tuple(cfg["changing_report"])]
    flaky_q = cfg["flaky_api"]
    flaky_target = f"{API}?channelId={flaky_q['channelId']}&pageNum={flaky_q['pageNum']}"
    return Manifest(
        family=FAMILY, site=site, config=cfg, column_path=nb.path, page_size=nb.page_size, reports=reports,
        distractors=distractors, documents=documents, list_entries=nb.entries,
        offsite_links=[h for _t, h in cfg["offsite_links"] + cfg.get("offsite_nav", [])], disallowed_paths=list(cfg["robots"]["disallow"]),
        images=[], updated_at=parse_time(site["updated"]), address=ADDRESS, columns=columns,
        list_targets=list(nb.pages),
        flaky=[{"path": API, "query": dict(flaky_q), "statuses": [503], "retry_after": 1}],
        traps={"retry": flaky_target, "changing": changing.path}, start_path="/",
    )


class JsonApiSite:
    def __init__(self, m: Manifest):
        self.m = m
        self.cfg = m.config
        self.site = m.site
        self.env = get_env()
        self.routes = RouteTable()
        self.nav = [("首页", "/"), ("政府信息公开", "/xxgk/index.html"), tuple(self.cfg["offsite_nav"][0]),
                    ("互动交流", "/hdjl/index.html")]
        self.side_links = [(c.name, c.path) for c in m.columns] + [("政府信息公开指南", "/xxgk/zn/index.html")]
        self.channels = {ch["key"]: ch for ch in self.cfg["channels"]}

    def common(self, meta=()) -> dict:
        return {"site": self.site, "nav": self.nav, "offsite_links": self.cfg["offsite_links"], "meta": list(meta),
                "icp_link": self.cfg["offsite_nav"][1][1]}

    def page(self, name: str, links=(), paragraphs=()) -> str:
        return self.env.get_template("jsonapi/page.html").render(
            **self.common(), page_name=name, links=list(links), paragraphs=list(paragraphs))

    def build(self) -> RouteTable:
        r, m = self.routes, self.m
        robots = robots_txt(self.site["domain"], m.disallowed_paths)
        r.add("/robots.txt", lambda req: Response(body=robots, content_type="text/plain", last_modified=m.updated_at))
        lm = m.updated_at
        home = html_handler(lambda: self.page(
            "首页", links=[("政府信息公开", "/xxgk/index.html")] + self.side_links,
            paragraphs=["夷陵区位于湖北省西部，长江三峡西陵峡畔。"]), last_modified=lm)
        r.add("/", home)
        r.add("/index.html", home)
        xxgk = html_handler(lambda: self.page("政府信息公开", links=self.side_links), last_modified=lm)
        r.add("/xxgk/index.html", xxgk)
        r.add("/xxgk/", xxgk)
        r.add("/xxgk/zn/index.html", html_handler(lambda: self.page(
            "政府信息公开指南", paragraphs=["政府信息公开工作年度报告于每年1月31日前在区政府门户网站公布。"]),
            last_modified=lm))
        r.add("/hdjl/index.html", html_handler(lambda: self.page(
            "互动交流", paragraphs=["区长信箱、12345热线受理群众咨询、投诉和建议。"]), last_modified=lm))
        for col in m.columns:
            ch = dict(self.channels[col.key])

            def channel(ch=ch) -> str:
                return self.env.get_template("jsonapi/channel.html").render(
                    **self.common(meta=[("ColumnName", ch["name"])]), channel=ch, side_links=self.side_links)

            h = html_handler(channel, last_modified=lm)
            r.add(col.path, h)
            r.add(col.path.rsplit("/", 1)[0] + "/", h)
        for path, ctype in (("/static/js/vue.min.js", "application/javascript"),
                            ("/static/js/axios.min.js", "application/javascript"),
                            ("/static/element-ui/index.js", "application/javascript"),
                            ("/static/css/main.css", "text/css"),
                            ("/static/element-ui/theme-chalk/index.css", "text/css")):
            body = f"/* {path.rsplit('/', 1)[1]} -- sample portal stub */\n".encode()
            r.add(path, lambda req, b=body, c=ctype: Response(body=b, content_type=c, last_modified=lm))
        logo = placeholder_png(300, 80)
        r.add("/static/img/logo.png", lambda req: Response(body=logo, content_type="image/png", last_modified=lm))
        r.add(API, self.api)
        self.build_articles()
        for p in m.disallowed_paths:
            r.add_prefix(p, lambda req: Response(status=403, body=b'{"code":403,"msg":"forbidden"}',
                                                 content_type="application/json;charset=UTF-8", cacheable=False))
        r.not_found = self.not_found
        return r

    def build_articles(self) -> None:
        spec = {d["id"]: d for d in self.cfg.get("distractors", [])}
        for rep in self.m.reports:
            if rep.page_path:
                self.add_article(rep, self.report_body(rep))
            if rep.attachment_path and rep.attachment_path.split("?")[0] not in self.routes.exact:
                self.routes.add(rep.attachment_path.split("?")[0], self.files)
        for doc in self.m.documents:
            if doc.status == 200:
                self.add_article(doc, render.paragraphs_body(spec[doc.id].get("paragraphs", [])))

    def report_body(self, rep: Report) -> str:
        if not rep.attachment_path:
            return render.report_body(rep)
        return (f'<p{render.P_STYLE}>{render.esc(rep.title)}详见附件。</p>\n'
                f'<div class="attachments"><p>附件：</p><ul><li><a href="{render.attr(rep.attachment_path)}" '
                f'download>{render.esc(rep.attachment_filename or rep.title)}</a></li></ul></div>')

    def add_article(self, doc: Document, body: str) -> None:
        col = self.m.column(doc.column)
        is_report = isinstance(doc, Report)
        pub_time = doc.published_at.strftime("%Y-%m-%d %H:%M:%S")

        def page() -> str:
            meta = [("ArticleTitle", doc.title), ("PubDate", pub_time[:16]),
                    ("ContentSource", doc.agency or self.site["sponsor"])]
            if is_report:
                meta.append(("xxgk-test-data", "true"))
            return self.env.get_template("jsonapi/article.html").render(
                **self.common(meta=meta), title=doc.title, agency=doc.agency or self.site["sponsor"],
                date=doc.published, pub_time=pub_time, index_no=getattr(doc, "index_no", "") or "",
                test_data=is_report, channel_path=col.path, channel_name=col.name, body=Markup(body))

        self.routes.add(doc.page_path if is_report else doc.path, html_handler(page, last_modified=doc.published_at))

    def files(self, req: Request) -> Response:
        params = req.params()
        for rep in self.m.reports:
            a = rep.attachment_path
            if not a:
                continue
            path, _, query = a.partition("?")
            if path == req.path and all(params.get(k) == v for k, v in
                                        (kv.split("=", 1) for kv in query.split("&") if kv)):
                return attachment_handler(rep)(req)
        body = json.dumps({"code": 404, "msg": "文件不存在", "data": None}, ensure_ascii=False)
        return Response(status=404, body=body.encode("utf-8"), content_type="application/json;charset=UTF-8",
                        cacheable=False)

    def api(self, req: Request) -> Response:
        p = req.params()

        def answer(obj: dict) -> Response:
            return Response(body=json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                            content_type="application/json;charset=UTF-8", cacheable=False,
                            headers={"Cache-Control": "no-cache"})

        if not p.get("channelId"):
            return answer({"code": 500, "msg": "channelId不能为空", "data": None})
        col = next((c for c in self.m.columns if str(c.extra["channel_id"]) == p["channelId"]), None)
        if col is None:
            return answer({"code": 200, "msg": "操作成功", "data": {"total": 0, "pages": 0, "pageNum": 1,
                                                                   "pageSize": 10, "list": []}})
        try:
            num = max(1, int(p.get("pageNum") or 1))
            size = min(MAX_PAGE_SIZE, max(1, int(p.get("pageSize") or 10)))
        except ValueError:
            return answer({"code": 500, "msg": "参数格式错误", "data": None})
        chunk = col.entries[(num - 1) * size:num * size]
        items = []
        for e in chunk:
            d = e.document
            items.append({
                "id": d.doc_id, "title": d.title, "url": e.href, "publishTime": d.published,
                "createTime": d.published_at.strftime("%Y-%m-%d %H:%M:%S"),
                "source": d.agency or self.site["sponsor"], "channelId": col.extra["channel_id"],
                "isTop": 0, "hasAttach": 1 if isinstance(d, Report) and d.attachment_path else 0,
            })
        total = len(col.entries)
        return answer({"code": 200, "msg": "操作成功", "data": {
            "total": total, "pages": -(-total // size), "pageNum": num, "pageSize": size, "list": items}})

    def not_found(self, req: Request) -> Response:
        return Response(status=404, body=self.env.get_template("jsonapi/404.html").render().encode("utf-8"),
                        cacheable=False)


def build(manifest: Manifest) -> RouteTable:
    return JsonApiSite(manifest).build()
