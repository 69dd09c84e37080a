"""The plain ``?page=N`` family: an older county site (ASP era), GBK.

URL shapes imitated::

    /  /index.html                          home page
    /xxgk/  /xxgk/index.html                信息公开 page
    /xxgk/ndbg/                             the 年报 list, page 1 (= list.html = list.html?page=1)
    /xxgk/ndbg/list.html?page=2             further pages; the pager is static HTML:
                                            <a href="?page=2">下一页</a>, 尾页, page numbers,
                                            a <select> -- so /xxgk/ndbg/?page=2 exists too
    /xxgk/show.asp?id=1203                  an article: the query string is the identity
    /xxgk/download.asp?id=57                attachment download (raw GBK filename header)
    /uploadfile/2021/0125/….wps             a static attachment (no Content-Disposition)
    /calendar?date=2023-01-01               TRAP: a calendar linking the previous and next day forever
    /xxgk/zcwj/  (→ zcwj/zcwj/zcwj/ …)      TRAP: a sloppy relative link makes an endless path loop
    /search.asp                             search (robots-disallowed)

Every page declares ``charset=gb2312`` in a ``<meta>`` tag only (the HTTP
header says ``text/html``), and the bytes are GBK -- including characters
GB2312 lacks (洺 of 洺北街道).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from markupsafe import Markup

from .. import render
from ..manifest import Column, Document, ListEntry, Manifest, Report
from ..routing import Request, Response, RouteTable
from ..sitekit import (attachment_handler, html_handler, load_site_yaml, make_report, parse_time,
                       published_time, report_title, rng_for, robots_txt, list_text)
from ..templating import get_env
from ..util import placeholder_png

FAMILY = "pagelist"
ADDRESS = "127.0.0.4"
CODEC = "gbk"  # the bytes; pages declare gb2312
SHOW = "/xxgk/show.asp"
LOOP = re.compile(r"^/xxgk/zcwj/(?:zcwj/)*(?:index\.html?)?$")
CALENDAR_START = "2023-01-01"


def show_path(doc_id: int) -> str:
    return f"{SHOW}?id={doc_id}"


def load_manifest() -> Manifest:
    cfg = load_site_yaml(FAMILY)
    site = cfg["site"]
    seed = site["seed"]
    lst = cfg["list"]
    attach = {(a["report"][0], int(a["report"][1])): a for a in cfg.get("attachments", [])}

    items: list[tuple[Document, bool]] = []
    by_key: dict[tuple[str, int], Report] = {}
    reports: list[Report] = []
    for ag in cfg["agencies"]:
        for year in ag["years"]:
            rng = rng_for(seed, ag["code"], year)
            t = published_time(year, rng)
            rep = make_report(
                id=f"pagelist_{ag['code']}_{year}", agency=ag["name"], year=year, seed=seed,
                site_name=site["name"], path="", page_path="",
                title=report_title(ag["name"], year, ag.get("title", "std")), published=t, doc_id=0,
                column="ndbg", charset=site["charset"], header_charset=False,
                index_no=f"005{rng.randint(100000, 999999)}/{t.year}-{rng.randint(1, 200):05d}",
                attachment=attach.get((ag["code"], year)))
            reports.append(rep)
            by_key[(ag["code"], year)] = rep
            items.append((rep, True))
    distractors: list[Document] = []
    for d in cfg["distractors"]:
        doc = Document(id=d["id"], path="", title=d["title"], published_at=parse_time(d["published"]),
                       column="ndbg", doc_id=0, agency=site["sponsor"], status=404 if d.get("broken") else 200)
        distractors.append(doc)
        items.append((doc, False))
    policy = [Document(id=d["id"], path="", title=d["title"], published_at=parse_time(d["published"]),
                       column="zcwj", doc_id=0, agency=site["sponsor"]) for d in cfg["policy_documents"]]
    # ASP-era IDs: one counter in publication order
    for n, doc in enumerate(sorted([d for d, _ in items] + policy, key=lambda d: d.published_at)):
        doc.doc_id = 1001 + n * 3
        doc.path = show_path(doc.doc_id)
        if isinstance(doc, Report) and doc.list_links_to == "page":
            doc.page_path = doc.path
    for rep in reports:
        if rep.attachment_path:
            rep.page_path = show_path(rep.doc_id)
            rep.path = rep.page_path if rep.list_links_to == "page" else rep.attachment_path

    items.sort(key=lambda e: e[0].published_at, reverse=True)
    size = int(lst["page_size"])
    entries = []
    for i, (doc, is_report) in enumerate(items):
        # most hrefs are relative to the list folder; some are root-relative
        href = f"..{SHOW[5:]}?id={doc.doc_id}" if i % 3 else show_path(doc.doc_id)
        if is_report and doc.list_links_to == "file":
            href = doc.attachment_path
        doc.list_page = i // size
        entries.append(ListEntry(doc, i // size, is_report, href=href))
    pages = -(-len(entries) // size)
    targets = [f"{lst['path']}list.html?page={n}" for n in range(1, pages + 1)]
    column = Column(key="ndbg", name=lst["name"], path=lst["path"], mechanics="page-param", page_size=size,
                    entries=entries, pages=targets,
                    extra={"param": "page", "first": 1, "pages": pages, "aliases": [lst["path"] + "?page={n}"]})
    policy_col = Column(key="zcwj", name="政策文件", path="/xxgk/zcwj/", mechanics="none", page_size=20,
                        entries=[ListEntry(d, 0, False, href=d.path) for d in policy], pages=["/xxgk/zcwj/"])
    flaky_n = str(cfg["flaky_page"])
    changing = by_key[tuple(cfg["changing_report"])]
    return Manifest(
        family=FAMILY, site=site, config=cfg, column_path=lst["path"], page_size=size, reports=reports,
        distractors=distractors, documents=distractors + policy, list_entries=entries,
        offsite_links=[h for _t, h in cfg["offsite_links"]], disallowed_paths=list(cfg["robots"]["disallow"]),
        images=[], updated_at=parse_time(site["updated"]), address=ADDRESS, columns=[column, policy_col],
        list_targets=targets,
        flaky=[{"path": lst["path"] + "list.html", "query": {"page": flaky_n}, "statuses": [500]},
               {"path": lst["path"], "query": {"page": flaky_n}, "statuses": [500]}],
        traps={"calendar": f"/calendar?date={CALENDAR_START}", "loop": "/xxgk/zcwj/",
               "retry": f"{lst['path']}list.html?page={flaky_n}", "changing": changing.path},
        start_path="/",
    )


def _html(resp_text: str, status: int = 200, last_modified=None, cacheable=True) -> Response:
    return Response(status=status, body=resp_text.encode(CODEC), content_type="text/html",
                    last_modified=last_modified, cacheable=cacheable and status == 200)


class PageListSite:
    def __init__(self, m: Manifest):
        self.m = m
        self.cfg = m.config
        self.site = m.site
        self.env = get_env()
        self.routes = RouteTable()
        self.col = m.columns[0]
        self.nav = [("网站首页", "/index.html"), ("政府信息公开", "/xxgk/index.html"), ("政策文件", "/xxgk/zcwj/"),
                    ("互动交流", "/hdjl.asp")]
        self.side_links = [(self.col.name, self.col.path), ("政策文件", "/xxgk/zcwj/")]
        self.by_id: dict[int, Document] = {d.doc_id: d for d in list(m.reports) + list(m.documents)}
        self.specs = {d["id"]: d for d in self.cfg["distractors"] + self.cfg["policy_documents"]}

    def common(self, meta=()) -> dict:
        return {"site": self.site, "nav": self.nav, "offsite_links": self.cfg["offsite_links"], "meta": list(meta)}

    def page(self, name: str, links=(), paragraphs=()) -> str:
        return self.env.get_template("pagelist/page.html").render(
            **self.common(), page_name=name, links=list(links), paragraphs=list(paragraphs))

    def gbk_page(self, fn, last_modified=None):
        return html_handler(fn, charset="gbk", header_charset=False, last_modified=last_modified or self.m.updated_at)

    def build(self) -> RouteTable:
        r, m = self.routes, self.m
        robots = robots_txt(self.site["domain"], m.disallowed_paths)
        r.add("/robots.txt", lambda req: Response(body=robots, content_type="text/plain", last_modified=m.updated_at))
        banner = placeholder_png(980, 120)
        r.add("/images/top.png", lambda req: Response(body=banner, content_type="image/png",
                                                      last_modified=m.updated_at))
        r.add("/css/style.css", lambda req: Response(body=b"body{font-size:12px;}\n", content_type="text/css",
                                                     last_modified=m.updated_at))
        home = self.gbk_page(lambda: self.page(
            "首页", links=[("政府信息公开", "/xxgk/index.html"), ("年度报告", self.col.path + "list.html?page=1"),
                         ("政策文件", "/xxgk/zcwj/")],
            paragraphs=["郸城县位于河南省东部，辖22个乡镇（街道）。"]))
        r.add("/", home)
        r.add("/index.html", home)
        xxgk = self.gbk_page(lambda: self.page("政府信息公开", links=self.side_links))
        r.add("/xxgk/", xxgk)
        r.add("/xxgk/index.html", xxgk)
        r.add("/hdjl.asp", self.gbk_page(lambda: self.page("互动交流", paragraphs=["县长信箱受理群众来信。"])))
        r.add(self.col.path, self.list_page)
        r.add(self.col.path + "list.html", self.list_page)
        r.add(SHOW, self.show)
        r.add("/xxgk/count.asp", lambda req: Response(body=b'document.write("386")', cacheable=False,
                                                      content_type="application/x-javascript"))
        r.add("/xxgk/download.asp", self.download)
        for rep in m.reports:
            if rep.attachment_path and not rep.attachment_path.startswith("/xxgk/download.asp"):
                r.add(rep.attachment_path, attachment_handler(rep))
        r.add("/calendar", self.calendar)
        r.add_prefix("/xxgk/zcwj/", self.policy)
        for p in m.disallowed_paths:
            r.add_prefix(p, lambda req: _html(self.page("搜索", paragraphs=["请输入关键字。"]), cacheable=False))
        r.not_found = lambda req: _html(self.env.get_template("pagelist/404.html").render(), 404)
        return r

    # ------------------------------------------------------------------ pages

    def list_page(self, req: Request) -> Response:
        try:
            n = int(req.params().get("page") or 1)
        except ValueError:
            n = 1
        n = max(1, n)
        col = self.col
        pages = col.extra["pages"]
        chunk = col.entries[(n - 1) * col.page_size:n * col.page_size]
        entries = [{"href": e.href, "title": e.document.title, "text": list_text(e.document.title, 28),
                    "date": e.document.published} for e in chunk]
        text = self.env.get_template("pagelist/list.html").render(
            **self.common(), list_name=col.name, side_links=self.side_links, entries=entries,
            total=len(col.entries), page=n, pages=pages, calendar_date=CALENDAR_START)
        return _html(text, last_modified=self.m.updated_at)

    def show(self, req: Request) -> Response:
        try:
            doc = self.by_id.get(int(req.params().get("id", "")))
        except ValueError:
            doc = None
        if doc is None or doc.status != 200:
            return _html(self.env.get_template("pagelist/404.html").render(), 404)
        if isinstance(doc, Report):
            if doc.attachment_path:
                body = (f'<p{render.P_STYLE}>{render.esc(doc.title)}（详见附件）</p>\n'
                        f'<p>附件：<a href="{render.attr(doc.attachment_path)}">'
                        f'{render.esc(doc.attachment_filename or doc.attachment_path.rsplit("/", 1)[1])}</a></p>')
            else:
                body = render.report_body(doc)
        else:
            body = render.paragraphs_body(self.specs[doc.id].get("paragraphs", []))
        is_report = isinstance(doc, Report)
        list_href, list_name = (self.col.path, self.col.name) if doc.column == "ndbg" else ("/xxgk/zcwj/", "政策文件")
        meta = [("ArticleTitle", doc.title), ("PubDate", doc.published_at.strftime("%Y-%m-%d %H:%M"))]
        if is_report:
            meta.append(("xxgk-test-data", "true"))
        text = self.env.get_template("pagelist/article.html").render(
            **self.common(meta=meta), title=doc.title, agency=doc.agency or self.site["sponsor"],
            date=doc.published, pub_time=doc.published_at.strftime("%Y-%m-%d %H:%M:%S"),
            index_no=getattr(doc, "index_no", "") or "", test_data=is_report, doc_id=doc.doc_id,
            list_href=list_href, list_name=list_name, body=Markup(body))
        return _html(text, last_modified=doc.published_at)

    def download(self, req: Request) -> Response:
        target = "/xxgk/download.asp?id=" + req.params().get("id", "")
        for rep in self.m.reports:
            if rep.attachment_path == target:
                return attachment_handler(rep)(req)
        return _html("<script>alert('文件不存在！');history.back();</script>", 404)

    def calendar(self, req: Request) -> Response:
        try:
            day = datetime.strptime(req.params().get("date", ""), "%Y-%m-%d")
        except ValueError:
            return _html(self.env.get_template("pagelist/404.html").render(), 404)

        def shift_month(d: datetime, k: int) -> str:
            y, mth = divmod(d.month - 1 + k, 12)
            try:
                return d.replace(year=d.year + y, month=mth + 1, day=min(d.day, 28)).strftime("%Y-%m-%d")
            except ValueError:
                return d.strftime("%Y-%m-%d")

        def shift(k: int) -> str:
            try:
                return (day + timedelta(days=k)).strftime("%Y-%m-%d")
            except OverflowError:
                return day.strftime("%Y-%m-%d")

        text = self.env.get_template("pagelist/calendar.html").render(
            **self.common(), date=day.strftime("%Y-%m-%d"), weekday="星期" + "一二三四五六日"[day.weekday()],
            prev=shift(-1), next=shift(1), prev_month=shift_month(day, -1), next_month=shift_month(day, 1))
        return _html(text, last_modified=self.m.updated_at)

    def policy(self, req: Request) -> Response:
        if not LOOP.match(req.path):
            return _html(self.env.get_template("pagelist/404.html").render(), 404)
        col = self.m.columns[1]
        links = [(e.document.title, "/xxgk/show.asp?id=%d" % e.document.doc_id) for e in col.entries]
        links.append(("更多政策文件>>", "zcwj/"))  # sloppy relative href: resolves one level deeper, forever
        return _html(self.page("政策文件", links=links), last_modified=self.m.updated_at)


def build(manifest: Manifest) -> RouteTable:
    return PageListSite(manifest).build()
