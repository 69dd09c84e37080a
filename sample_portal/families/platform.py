"""The 信息公开 platform family: a district portal's 政府信息公开 platform
(the layout of many 区/县 platforms, here with Guangdong-style URLs).

URL shapes imitated::

    /  /index.html                                   portal home
    /zwgk/zfxxgk/  (= index.html)                    the 政府信息公开 platform home
    /zwgk/zfxxgk/zfxxgknb/index.html                 政府信息公开年报: links to one sub-column per year
    /zwgk/zfxxgk/zfxxgknb/2023n/index.html           the reports of one year (every agency),
    /zwgk/zfxxgk/zfxxgknb/2023n/index_2.html         paged by static links (首页 上一页 1 2 下一页 尾页)
    /zwgk/zfxxgk/bmzjnb/index.html                   部门和镇（街）年报: one link per department and township
    /zwgk/zfxxgk/bmzjnb/jyj/index.html               one agency's reports, every year
    /zwgk/zfxxgk/content/post_2781200.html           an article
    /attachment/0/498/498765/2781234.pdf             attachment files (Content-Disposition in
                                                     several styles, two of them hostile)

The same report is listed twice (its year's list and its agency's page): one
URL, two list entries.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from .. import render
from ..manifest import Column, Document, ListEntry, Manifest, Report
from ..routing import Response, RouteTable
from ..sitekit import (
    attachment_handler, id_allocator, html_handler, load_site_yaml, make_report, parse_time, picture_handlers,
                       published_time, report_title, rng_for, robots_txt, list_text)
from ..templating import get_env

FAMILY = "platform"
ADDRESS = "127.0.0.5"


def load_manifest() -> Manifest:
    cfg = load_site_yaml(FAMILY)
    site = cfg["site"]
    seed = site["seed"]
    root = cfg["root"]
    nb_root = root + "zfxxgknb/"
    bm_root = root + "bmzjnb/"
    size = int(cfg["year_page_size"])
    attach = {(a["report"][0], int(a["report"][1])): a for a in cfg.get("attachments", [])}
    pictured = {(p["report"][0], int(p["report"][1])): tuple(p.get("reduced", []))
                for p in cfg.get("pictured_tables", [])}
    post_id = id_allocator(2_000_000, datetime(2018, 1, 1), 420, 400)

    def post(n: int) -> str:
        return f"{root}content/post_{n}.html"

    reports: list[Report] = []
    by_key: dict[tuple[str, int], Report] = {}
    for ag in cfg["agencies"]:
        for year in cfg["years"]:
            rng = rng_for(seed, ag["code"], year)
            t = published_time(year, rng)
            n = post_id(t, rng)
            rep = make_report(
                id=f"platform_{ag['code']}_{year}", agency=ag["name"], year=year, seed=seed,
                site_name=site["name"], path=post(n), page_path=post(n),
                title=report_title(ag["display"], year, ag.get("title", "std")), published=t, doc_id=n,
                column=f"nb{year}", index_no=f"{rng.randint(100000000, 999999999)}/{t.year}-{rng.randint(1, 400):05d}",
                attachment=attach.get((ag["code"], year)),
                pictures_at=f"/attachment/pic/{n}/" if (ag["code"], year) in pictured else None,
                reduced=pictured.get((ag["code"], year), ()))
            reports.append(rep)
            by_key[(ag["code"], year)] = rep
    distractors: list[Document] = []
    for d in cfg["distractors"]:
        t = parse_time(d["published"])
        n = post_id(t, rng_for(seed, d["id"]))
        distractors.append(Document(id=d["id"], path=post(n), title=d["title"], published_at=t,
                                    column=f"nb{d['year']}", doc_id=n, agency=site["sponsor"],
                                    status=404 if d.get("broken") else 200))

    def href_of(doc: Document, is_report: bool) -> str:
        if is_report and doc.list_links_to == "file":
            return doc.attachment_path
        return doc.path

    columns: list[Column] = []
    year_cols: list[Column] = []
    all_entries: list[ListEntry] = []
    for year in cfg["years"]:
        items = [(r, True) for r in reports if r.year == year] + [(d, False) for d in distractors
                                                                  if d.column == f"nb{year}"]
        items.sort(key=lambda e: e[0].published_at, reverse=True)
        path = f"{nb_root}{year}n/index.html"
        entries = []
        for i, (doc, is_report) in enumerate(items):
            doc.list_page = i // size
            entries.append(ListEntry(doc, i // size, is_report, href=href_of(doc, is_report)))
        pages = max(1, -(-len(entries) // size))
        col = Column(key=f"nb{year}", name=f"{year}年", path=path, mechanics="static-pager", page_size=size,
                     entries=entries, pages=[f"{nb_root}{year}n/" + ("index.html" if k == 1 else f"index_{k}.html")
                                             for k in range(1, pages + 1)], extra={"year": year})
        year_cols.append(col)
        all_entries += entries
    nb = Column(key="nb", name="政府信息公开年报", path=nb_root + "index.html", mechanics="year-index",
                page_size=size, entries=all_entries, pages=[p for c in year_cols for p in c.pages],
                extra={"years": {c.extra["year"]: c.path for c in year_cols}})
    agency_cols: list[Column] = []
    for ag in cfg["agencies"]:
        if ag["kind"] == "county":
            continue
        mine = sorted((r for r in reports if r.agency == ag["name"]), key=lambda r: r.published_at, reverse=True)
        agency_cols.append(Column(
            key=f"bm_{ag['code']}", name=ag["display"], path=f"{bm_root}{ag['code']}/index.html", mechanics="none",
            page_size=len(mine), entries=[ListEntry(r, 0, True, href=href_of(r, True)) for r in mine],
            pages=[f"{bm_root}{ag['code']}/index.html"], extra={"kind": ag["kind"], "agency": ag["name"]}))
    bm = Column(key="bmzjnb", name="部门和镇（街）年报", path=bm_root + "index.html", mechanics="agency-index",
                page_size=0, entries=[e for c in agency_cols for e in c.entries],
                pages=[c.path for c in agency_cols], extra={"agencies": {c.extra["agency"]: c.path for c in agency_cols}})
    columns = [nb] + year_cols + [bm] + agency_cols
    changing = by_key[tuple(cfg["changing_report"])]
    return Manifest(
        family=FAMILY, site=site, config=cfg, column_path=nb.path, page_size=size, reports=reports,
        distractors=distractors, documents=list(distractors), list_entries=all_entries,
        offsite_links=[h for _t, h in cfg["offsite_links"] + cfg.get("offsite_nav", [])], disallowed_paths=list(cfg["robots"]["disallow"]),
        images=[], updated_at=parse_time(site["updated"]), address=ADDRESS, columns=columns,
        list_targets=list(nb.pages), traps={"changing": changing.path}, start_path="/",
    )


class PlatformSite:
    def __init__(self, m: Manifest):
        self.m = m
        self.cfg = m.config
        self.site = m.site
        self.root = self.cfg["root"]
        self.env = get_env()
        self.routes = RouteTable()
        self.nav = [("首页", "/"), ("政务公开", self.root), tuple(self.cfg["offsite_nav"][0]),
                    ("互动交流", "/hdjl/index.html")]
        self.specs = {d["id"]: d for d in self.cfg["distractors"]}
        self.platform_links = [
            ("政府信息公开指南", self.root + "zfxxgkzn/index.html"),
            ("政府信息公开制度", self.root + "zfxxgkzd/index.html"),
            ("法定主动公开内容", self.root + "fdzdgknr/index.html"),
            ("政府信息公开年报", self.root + "zfxxgknb/index.html"),
            ("部门和镇（街）年报", self.root + "bmzjnb/index.html"),
        ]

    def common(self, crumbs, meta=()) -> dict:
        return {"site": self.site, "nav": self.nav, "offsite_links": self.cfg["offsite_links"],
                "meta": list(meta), "crumbs": [("首页", "/"), ("政府信息公开", self.root)] + list(crumbs)}

    def page(self, name: str, crumbs=(), groups=(), paragraphs=()) -> str:
        return self.env.get_template("platform/page.html").render(
            **self.common(crumbs), page_name=name, groups=list(groups), paragraphs=list(paragraphs))

    def build(self) -> RouteTable:
        r, m = self.routes, self.m
        lm = m.updated_at
        robots = robots_txt(self.site["domain"], m.disallowed_paths)
        r.add("/robots.txt", lambda req: Response(body=robots, content_type="text/plain", last_modified=lm))
        r.add("/css/gdgov.css", lambda req: Response(body=b".wrap{width:1200px;margin:0 auto;}\n",
                                                     content_type="text/css", last_modified=lm))
        home = html_handler(lambda: self.page(
            self.site["name"], groups=[{"title": "", "cls": "entry", "links": [("政府信息公开", self.root)]}],
            paragraphs=["新会区位于广东省中南部，珠江三角洲西南部。"]), last_modified=lm)
        r.add("/", home)
        r.add("/index.html", home)
        r.add("/hdjl/index.html", html_handler(lambda: self.page("互动交流", paragraphs=["区长信箱受理群众来信。"]),
                                               last_modified=lm))
        platform = html_handler(lambda: self.page(
            "政府信息公开", groups=[{"title": "", "cls": "gk-entry", "links": self.platform_links}]), last_modified=lm)
        r.add(self.root, platform)
        r.add(self.root + "index.html", platform)
        for name, path in self.platform_links[:3]:
            r.add(path, html_handler(lambda name=name, path=path: self.page(
                name, crumbs=[(name, path)], paragraphs=["政府信息公开工作年度报告于每年1月31日前公布。"]),
                last_modified=lm))
        self.build_lists()
        self.build_articles()
        for p in m.disallowed_paths:
            r.add_prefix(p, lambda req: Response(body="<html><body>检索</body></html>".encode("utf-8"), cacheable=False))
        r.not_found = lambda req: Response(
            status=404, body=self.env.get_template("platform/404.html").render().encode("utf-8"), cacheable=False)
        return r

    def build_lists(self) -> None:
        m, lm = self.m, self.m.updated_at
        nb = m.column("nb")
        years = [c for c in m.columns if c.mechanics == "static-pager"]
        year_links = [(c.name, c.path) for c in years]
        nb_crumbs = [("政府信息公开年报", nb.path)]
        nb_page = html_handler(lambda: self.page(
            "政府信息公开年报", crumbs=nb_crumbs, groups=[{"title": "按年度查看", "cls": "year-tabs", "links": year_links}],
            paragraphs=["本栏目按年度发布本区各级行政机关的政府信息公开工作年度报告。"]), last_modified=lm)
        self.routes.add(nb.path, nb_page)
        self.routes.add(nb.path.rsplit("/", 1)[0] + "/", nb_page)
        for col in years:
            for k, target in enumerate(col.pages, 1):
                chunk = col.entries[(k - 1) * col.page_size:k * col.page_size]

                def page(col=col, k=k, chunk=chunk) -> str:
                    return self.env.get_template("platform/list.html").render(
                        **self.common(nb_crumbs + [(col.name, col.path)]), list_name=f"{col.name}政府信息公开工作年度报告",
                        side_title="政府信息公开年报", side_links=year_links, current=col.path,
                        entries=self._entries(chunk), page=k, pages=len(col.pages))

                h = html_handler(page, last_modified=lm)
                self.routes.add(target, h)
                if k == 1:
                    self.routes.add(col.path.rsplit("/", 1)[0] + "/", h)
        bm = m.column("bmzjnb")
        agencies = [c for c in m.columns if c.key.startswith("bm_")]
        groups = [{"title": "区直部门", "cls": "agency-list",
                   "links": [(c.name, c.path) for c in agencies if c.extra["kind"] == "bm"]},
                  {"title": "镇（街）", "cls": "agency-list",
                   "links": [(c.name, c.path) for c in agencies if c.extra["kind"] == "zj"]}]
        bm_crumbs = [(bm.name, bm.path)]
        bm_page = html_handler(lambda: self.page(bm.name, crumbs=bm_crumbs, groups=groups), last_modified=lm)
        self.routes.add(bm.path, bm_page)
        self.routes.add(bm.path.rsplit("/", 1)[0] + "/", bm_page)
        side = [(c.name, c.path) for c in agencies]
        for col in agencies:
            def page(col=col) -> str:
                return self.env.get_template("platform/list.html").render(
                    **self.common(bm_crumbs + [(col.name, col.path)]), list_name=f"{col.name}政府信息公开工作年度报告",
                    side_title=bm.name, side_links=side, current=col.path, entries=self._entries(col.entries),
                    page=1, pages=1)

            h = html_handler(page, last_modified=lm)
            self.routes.add(col.path, h)
            self.routes.add(col.path.rsplit("/", 1)[0] + "/", h)

    @staticmethod
    def _entries(entries: list[ListEntry]) -> list[dict]:
        return [{"href": e.href, "title": e.document.title, "text": list_text(e.document.title, 32),
                 "date": e.document.published} for e in entries]

    def build_articles(self) -> None:
        for rep in self.m.reports:
            if rep.page_path:
                self.add_article(rep, self.report_body(rep))
            if rep.attachment_path:
                self.routes.add(rep.attachment_path, attachment_handler(rep))
            for path, handler in picture_handlers(rep):
                self.routes.add(path, handler)
        for doc in self.m.documents:
            if doc.status == 200:
                self.add_article(doc, render.paragraphs_body(self.specs[doc.id].get("paragraphs", [])))

    def report_body(self, rep: Report) -> str:
        if not rep.attachment_path:
            return render.report_body(rep)
        ext = rep.attachment_format
        return (f'<p{render.P_STYLE}>{render.esc(rep.title)}。</p>\n'
                f'<p class="fj">附件：<a href="{render.attr(rep.attachment_path)}" target="_blank">'
                f'{render.esc(rep.title)}.{ext}</a></p>')

    def add_article(self, doc: Document, body: str) -> None:
        is_report = isinstance(doc, Report)
        year_col = self.m.column(doc.column)
        pub_time = doc.published_at.strftime("%Y-%m-%d %H:%M:%S")

        def page() -> str:
            meta = [("ArticleTitle", doc.title), ("PubDate", pub_time[:16]),
                    ("ContentSource", doc.agency or self.site["sponsor"])]
            if is_report:
                meta.append(("xxgk-test-data", "true"))
            return self.env.get_template("platform/article.html").render(
                **self.common([("政府信息公开年报", self.root + "zfxxgknb/index.html"), (year_col.name, year_col.path)],
                              meta=meta),
                title=doc.title, agency=doc.agency or self.site["sponsor"], date=doc.published, pub_time=pub_time,
                index_no=getattr(doc, "index_no", "") or "", test_data=is_report, body=Markup(body))

        self.routes.add(doc.page_path if is_report else doc.path, html_handler(page, last_modified=doc.published_at))


def build(manifest: Manifest) -> RouteTable:
    return PlatformSite(manifest).build()
