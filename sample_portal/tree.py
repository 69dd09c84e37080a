"""The discovery tree: a prefecture's 信息公开 platform, its counties, their
departments and townships, each body with a 年报 column of its own
(``sites/tree.yaml``; ``xxgk sites discover`` walks it, ``tests/test_discovery.py``).

    serve_tree_in_thread(port=0) -> TreeURLs    # {host: PortalURL}; .root, .bodies()
    load_tree() -> Tree                         # the bodies and their reports

Five hosts on loopback (127.0.2.1-5, one port for all, so a page links another
host as ``http://127.0.2.N:<the port it was asked on>/``):

    127.0.2.1  岳阳市 platform  /zwgk/xxgk/            市直部门 /zwgk/xxgk/szbm/, 县市区 /zwgk/xxgk/xsq/
               a department     /zwgk/xxgk/szbm/<code>/   its 年报 /zwgk/xxgk/szbm/<code>/zfxxgknb/
               a county on it   /zwgk/xxgk/xsq/<code>/    (岳阳楼区, 云溪区, 君山区)
    127.0.2.2  平江县 platform  /xxgk/                  部门信息公开 /xxgk/bm/ (two pages: index_1.html
                                                         by createPageHTML), 乡镇（街道）信息公开 /xxgk/xz/
               a body           /xxgk/bm/<code>/  /xxgk/xz/<code>/, its 年报 …/zfxxgknb/index.html
    127.0.2.3  华容县 platform  /zwgk/zfxxgk/           部门和乡镇信息公开 /zwgk/zfxxgk/bmxz/, 年报 …/ndbg/
    127.0.2.4  平江县教育局's own site (Hanweb-style): / → 信息公开 /col/col3001/ → 年报 /col/col3005/
    127.0.2.5  平江县卫生健康局's own site: / with 信息公开年报 /xxgk/nb/list.html?page=1 (2 pages)

Every body page carries the platform's chrome (navigation with 首页, 政府信息公开,
the platform's own 政府信息公开年报, 新闻中心, 一网通办, 联系我们; the siblings in a
sidebar; footer links to the higher governments), as real platforms do: what
discovery must not take for bodies or for a body's 年报 column.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from typing import Iterator
from urllib.parse import urlsplit

from . import render
from .manifest import Manifest, Report
from .routing import Request, Response, RouteTable
from .server import PortalHTTPServer, PortalURL, start_serving, stop_serving
from .sitekit import load_site_yaml, make_report, published_time, report_title, rng_for

UPDATED = datetime(2024, 2, 1, 9, 0, tzinfo=timezone.utc)
LIST_PAGE_SIZE = 20  # bodies on a page of a platform's list (平江县's 30 departments: two pages)


@dataclass
class Body:
    key: str  # host/code, unique
    name: str  # the body's full name (what its reports say)
    text: str  # how its parent's list names it
    level: str
    host: str  # host name of tree.yaml (prefecture, pingjiang, …)
    path: str  # its 信息公开 page on its host
    column: str  # its 年报 column (first list page) on its host
    family: str  # trs, hanweb, pager: the markup of its 年报 column
    parent: str | None = None  # key of the body whose list names it
    county: str | None = None
    city: str = "岳阳市"
    reports: list[Report] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    group: str = ""  # the list it is in: 市直部门, 县市区, 部门, 乡镇


@dataclass
class Tree:
    config: dict
    bodies: dict[str, Body]

    @property
    def root(self) -> Body:
        return self.bodies["prefecture/"]

    def on_host(self, host: str) -> list[Body]:
        return [b for b in self.bodies.values() if b.host == host]


def load_tree(without=()) -> Tree:
    """The tree; ``without``: keys of bodies left out (as a platform that stops listing them)."""
    cfg = load_site_yaml("tree")
    bodies: dict[str, Body] = {}

    def add(body: Body) -> Body:
        if body.key in without:
            return body
        bodies[body.key] = body
        if body.parent:
            bodies[body.parent].children.append(body.key)
        return body

    pref = cfg["prefecture"]
    add(Body("prefecture/", pref["name"], pref["name"], "prefecture", "prefecture", "/zwgk/xxgk/",
             "/zwgk/xxgk/zfxxgknb/index.html", "trs"))
    for d in pref["departments"]:
        base = f"/zwgk/xxgk/szbm/{d['code']}/"
        add(Body(f"prefecture/{d['code']}", d["name"], d["text"], "department", "prefecture", base,
                 base + "zfxxgknb/index.html", "trs", parent="prefecture/", group="市直部门"))
    for c in pref["counties"]:
        county = c["text"]
        if c.get("site") == "pingjiang":
            body = Body("pingjiang/", c["name"], c["text"], "county", "pingjiang", "/xxgk/",
                        "/xxgk/zfxxgknb/index.html", "trs", parent="prefecture/", county=county, group="县市区")
        elif c.get("site") == "huarong":
            body = Body("huarong/", c["name"], c["text"], "county", "huarong", "/zwgk/zfxxgk/",
                        "/zwgk/zfxxgk/ndbg/index.html", "trs", parent="prefecture/", county=county, group="县市区")
        else:
            base = f"/zwgk/xxgk/xsq/{c['code']}/"
            body = Body(f"prefecture/xsq/{c['code']}", c["name"], c["text"], "county", "prefecture", base,
                        base + "zfxxgknb/index.html", "trs", parent="prefecture/", county=county, group="县市区")
        add(body)
    for d in cfg["pingjiang"]["departments"] + cfg["pingjiang"]["townships"]:
        township = d in cfg["pingjiang"]["townships"]
        level = "township" if township else ("county" if d["name"].endswith("人民政府办公室") else "department")
        group = "乡镇" if township else "部门"
        if d.get("site") == "jyj":
            body = Body("jyj/", d["name"], d["text"], level, "jyj", "/", "/col/col3005/index.html", "hanweb")
        elif d.get("site") == "wjj":
            body = Body("wjj/", d["name"], d["text"], level, "wjj", "/", "/xxgk/nb/list.html?page=1", "pager")
        else:
            base = f"/xxgk/{'xz' if township else 'bm'}/{d['code']}/"
            body = Body(f"pingjiang/{d['code']}", d["name"], d["text"], level, "pingjiang", base,
                        base + "zfxxgknb/index.html", "trs")
        body.parent, body.county, body.group = "pingjiang/", "平江县", group
        add(body)
    for d in cfg["huarong"]["departments"] + cfg["huarong"]["townships"]:
        township = d in cfg["huarong"]["townships"]
        base = f"/zwgk/zfxxgk/bmxz/{d['code']}/"
        add(Body(f"huarong/{d['code']}", d["name"], d["text"], "township" if township else "department",
                 "huarong", base, base + "ndbg/index.html", "trs", parent="huarong/", county="华容县",
                 group="乡镇" if township else "部门"))
    for body in list(bodies.values()):
        body.reports = _reports(cfg, body)
    return Tree(cfg, bodies)


def _reports(cfg: dict, body: Body) -> list[Report]:
    years = [2021, *cfg["years"]] if body.family == "pager" else list(cfg["years"])
    out = []
    for year in years:
        rng = rng_for(cfg["seed"], body.key, year)
        t = published_time(year, rng)
        doc_id = rng.randint(5_000_000, 5_999_999)
        if body.family == "hanweb":
            path = f"/art/{t.year}/{t.month}/{t.day}/art_3005_{doc_id}.html"
        elif body.family == "pager":
            path = f"/xxgk/nb/{doc_id}.html"
        else:
            path = body.column.rsplit("/", 1)[0] + f"/{t:%Y%m}/t{t:%Y%m%d}_{doc_id}.html"
        out.append(make_report(
            id=f"tree_{body.key}_{year}", agency=body.name, year=year, seed=cfg["seed"], site_name=body.name,
            path=path, page_path=path, title=report_title(body.name, year), published=t, doc_id=doc_id,
            column=body.key))
    out.sort(key=lambda r: r.published_at, reverse=True)
    return out


# ---------------------------------------------------------------------------
# pages


def _a(href: str, text: str, **attrs) -> str:
    extra = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
    return f'<a href="{escape(href)}"{extra}>{escape(text)}</a>'


class HostSite:
    """The pages of one host of the tree."""

    def __init__(self, tree: Tree, host: str):
        self.tree, self.host = tree, host
        self.cfg = tree.config
        self.bodies = tree.on_host(host)
        self.routes = RouteTable()

    def url_of(self, req: Request, body: Body, path: str | None = None) -> str:
        """``path`` (default: the body's page) on ``body``'s host, as seen from ``req``."""
        path = body.path if path is None else path
        if body.host == self.host:
            return path
        port = urlsplit(req.base_url).port
        return f"http://{self.cfg['hosts'][body.host]}:{port}{path}"

    def owner(self) -> Body:
        """The body whose platform (or site) this host is."""
        return next(b for b in self.bodies if b.path in ("/zwgk/xxgk/", "/xxgk/", "/zwgk/zfxxgk/", "/"))

    def chrome(self, req: Request, title: str, crumbs: list[tuple[str, str]], main: str,
               side: list[tuple[str, str]] = (), side_title: str = "") -> str:
        owner = self.owner()
        platform = owner.path
        nav = [("首页", "/"), ("政府信息公开", platform), ("政府信息公开年报", owner.column),
               ("新闻中心", "/xwzx/"), ("一网通办", "/ywtb/"), ("互动交流", "/hdjl/")]
        footer = [("中国政府网", "http://www.gov.cn/"), ("湖南省人民政府", "http://www.hunan.gov.cn/")]
        if owner.key != "prefecture/":
            footer.append(("岳阳市人民政府", self.url_of(req, self.tree.root)))
        side_html = ""
        if side:
            side_html = (f'<div class="side"><h3>{escape(side_title)}</h3><ul>'
                         + "".join(f"<li>{_a(h, t)}</li>" for t, h in side) + "</ul></div>")
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="SiteName" content="{escape(owner.name)}">
<title>{escape(title)}_{escape(owner.name)}</title></head>
<body>
<div class="header"><div class="logo">{escape(owner.name)}</div>
<ul class="nav">{''.join(f'<li>{_a(h, t)}</li>' for t, h in nav)}</ul></div>
<div class="position">当前位置：{' &gt; '.join(_a(h, t) for t, h in [("首页", "/")] + crumbs)}</div>
<div class="wrap">{side_html}<div class="main">
{main}
</div></div>
<div class="footer"><div class="links">友情链接：{' '.join(_a(h, t) for t, h in footer)}</div>
{_a('/lxwm/', '联系我们')} | {_a('/wzdt/', '网站地图')}
<p>主办：{escape(owner.name)}办公室　本站内容为 xxgk-archive 测试数据</p></div>
</body></html>"""

    def page(self, path: str, render_fn) -> None:
        cache: dict[str, bytes] = {}

        def handler(req: Request) -> Response:
            if req.base_url not in cache:
                cache[req.base_url] = render_fn(req).encode("utf-8")
            return Response(body=cache[req.base_url], last_modified=UPDATED)

        self.routes.add(path, handler)
        if path.endswith("/index.html"):
            self.routes.add(path[: -len("index.html")], handler)

    # -- the pages -------------------------------------------------------------

    def build(self) -> RouteTable:
        owner = self.owner()
        self.routes.add("/robots.txt", lambda req: Response(body=b"User-agent: *\nDisallow: /search/\n",
                                                            content_type="text/plain", last_modified=UPDATED))
        if owner.family == "hanweb":
            self.build_hanweb(owner)
        elif owner.family == "pager":
            self.build_pager(owner)
        else:
            self.build_platform(owner)
        for body in self.bodies:
            for rep in body.reports:
                self.page(rep.path, lambda req, rep=rep, body=body: self.article(req, body, rep))
        return self.routes

    def build_platform(self, owner: Body) -> None:
        if owner.path != "/":
            self.page("/", lambda req: self.chrome(req, "首页", [], f"<p>{_a(owner.path, '政府信息公开')}</p>"))
        groups = self.groups(owner)
        for body in self.bodies:
            self.page(body.path + "index.html", lambda req, body=body: self.body_page(req, body, groups))
            self.page(body.column, lambda req, body=body: self.trs_list(req, body))
        for label, path, members in groups:
            # a long list in pages of LIST_PAGE_SIZE, drawn by a TRS pager script (index.html, index_1.html …)
            chunks = [members[i:i + LIST_PAGE_SIZE] for i in range(0, len(members), LIST_PAGE_SIZE)] or [[]]
            for k, chunk in enumerate(chunks):
                self.page(path + ("index.html" if k == 0 else f"index_{k}.html"),
                          lambda req, label=label, path=path, chunk=chunk, k=k, n=len(chunks): self.chrome(
                    req, label, [("政府信息公开", owner.path), (label, path)],
                    f'<h2>{escape(label)}</h2><ul class="bodies">'
                    + "".join(f"<li>{_a(self.url_of(req, m), m.text)}</li>" for m in chunk) + "</ul>"
                    + (f'<div class="page"><script>createPageHTML({n}, {k}, "index", "html");</script></div>'
                       if n > 1 else "")))

    def groups(self, owner: Body) -> list[tuple[str, str, list[Body]]]:
        """The platform's lists of bodies: (label, path, members)."""
        children = [self.tree.bodies[k] for k in owner.children]
        if owner.key == "prefecture/":
            return [("市直部门", "/zwgk/xxgk/szbm/", [b for b in children if b.group == "市直部门"]),
                    ("县市区", "/zwgk/xxgk/xsq/", [b for b in children if b.group == "县市区"])]
        if owner.key == "pingjiang/":
            return [("部门信息公开", "/xxgk/bm/", [b for b in children if b.group == "部门"]),
                    ("乡镇（街道）信息公开", "/xxgk/xz/", [b for b in children if b.group == "乡镇"])]
        if owner.key == "huarong/":
            return [("部门和乡镇信息公开", "/zwgk/zfxxgk/bmxz/", children)]
        return []

    def body_page(self, req: Request, body: Body, groups) -> str:
        column_name = "年度报告" if body.host == "huarong" else "政府信息公开年报"
        columns = [("机构信息", body.path + "jgxx/"), ("政府信息公开指南", body.path + "zfxxgkzn/"),
                   ("法定主动公开内容", body.path + "fdzdgknr/"), (column_name, body.column)]
        main = (f'<h2 class="org">{escape(body.name)}</h2><ul class="columns">'
                + "".join(f"<li>{_a(h, t)}</li>" for t, h in columns) + "</ul>")
        owner = self.owner()
        if body is owner:
            main += "".join(f'<div class="tab">{_a(path, label)}</div>' for label, path, _m in groups)
            return self.chrome(req, "政府信息公开", [("政府信息公开", owner.path)], main)
        group = next(((label, path, m) for label, path, m in groups if body in m), None)
        crumbs = [("政府信息公开", owner.path)] + ([(group[0], group[1])] if group else []) + [(body.text, body.path)]
        side = [(m.text, self.url_of(req, m)) for m in group[2]] if group else []
        return self.chrome(req, body.text, crumbs, main, side, group[0] if group else "")

    def trs_list(self, req: Request, body: Body) -> str:
        items = "".join(f'<li>{_a(self.url_of(req, body, r.path), r.title, title=r.title)}'
                        f'<span>{r.published}</span></li>' for r in body.reports)
        owner = self.owner()
        crumbs = [("政府信息公开", owner.path)] + ([] if body is owner else [(body.text, body.path)]) \
            + [("政府信息公开年报", body.column)]
        main = (f'<ul class="list">{items}</ul>\n<div class="page"><script>createPageHTML(1, 0, "index", "html");'
                "</script></div>")
        return self.chrome(req, "政府信息公开年报", crumbs, main)

    def article(self, req: Request, body: Body, rep: Report) -> str:
        main = (f'<div class="classify">发布机构：{escape(body.name)}　发布日期：{rep.published}</div>'
                f'<h1 class="title">{escape(rep.title)}</h1>'
                '<p class="xxgk-test-note">本页为 xxgk-archive 测试数据（TEST DATA），不是真实报告。</p>'
                f'<div class="zw">{render.report_body(rep)}</div>')
        if body.family == "trs" and self.owner().family == "trs":
            return self.chrome(req, rep.title, [("政府信息公开年报", body.column)], main).replace(
                "<title>", f'<meta name="ArticleTitle" content="{escape(rep.title)}">'
                           f'<meta name="PubDate" content="{rep.published_at:%Y-%m-%d %H:%M}">'
                           f'<meta name="xxgk-test-data" content="true"><title>', 1)
        return self.own_site_page(body, rep.title, main)

    # -- the bodies with sites of their own ---------------------------------------

    @staticmethod
    def own_site_page(body: Body, title: str, main: str, nav: list[tuple[str, str]] = ()) -> str:
        nav = list(nav) or [("首页", "/"), ("政府信息公开", "/col/col3001/index.html" if body.family == "hanweb"
                                          else "/xxgk/"), ("联系我们", "/lxwm/")]
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}-{escape(body.name)}</title></head>
<body><div class="top">{escape(body.name)}</div>
<div class="nav">{''.join(_a(h, t) for t, h in nav)}</div>
<div class="content">{main}</div>
<div class="foot">{escape(body.name)} 版权所有　本站内容为 xxgk-archive 测试数据</div></body></html>"""

    def build_hanweb(self, body: Body) -> None:
        self.page("/", lambda req: self.own_site_page(body, "首页", "<p>欢迎访问</p>"))
        columns = [("政府信息公开指南", "/col/col3002/index.html"), ("法定主动公开内容", "/col/col3003/index.html"),
                   ("政府信息公开年报", body.column)]
        self.page("/col/col3001/index.html", lambda req: self.own_site_page(
            body, "政府信息公开", "<ul>" + "".join(f"<li>{_a(h, t)}</li>" for t, h in columns) + "</ul>"))
        records = "".join(
            f'<record><![CDATA[<li><a href="{r.path}" title="{escape(r.title)}">{escape(r.title)}</a>'
            f'<b>{r.published}</b></li>]]></record>' for r in body.reports)
        store = (f'<div id="4001"><script type="text/xml"><datastore><totalrecord>{len(body.reports)}</totalrecord>'
                 f"<recordset>{records}</recordset></datastore></script></div>")
        self.page(body.column, lambda req: self.own_site_page(body, "政府信息公开年报", store))

    def build_pager(self, body: Body) -> None:
        self.page("/", lambda req: self.own_site_page(
            body, "首页", f"<ul><li>{_a('/xxgk/nb/list.html?page=1', '信息公开年报')}</li></ul>"))
        size = 2
        pages = [body.reports[i:i + size] for i in range(0, len(body.reports), size)]

        def list_page(req: Request) -> Response:
            try:
                number = int(req.params().get("page", "1"))
            except ValueError:
                number = 1
            if not 1 <= number <= len(pages):
                return Response(status=404, body=b"<h1>404</h1>", cacheable=False)
            items = "".join(f"<li>{_a(r.path, r.title)} {r.published}</li>" for r in pages[number - 1])
            pager = [("首页", 1)] + ([("上一页", number - 1)] if number > 1 else []) \
                + ([("下一页", number + 1)] if number < len(pages) else []) + [("尾页", len(pages))]
            links = " ".join(_a(f"list.html?page={n}", t) for t, n in pager)
            html = self.own_site_page(body, "信息公开年报", f"<ul>{items}</ul><div class='pager'>{links}</div>")
            return Response(body=html.encode("utf-8"), last_modified=UPDATED)

        self.routes.add("/xxgk/nb/list.html", list_page)


# ---------------------------------------------------------------------------
# serving


class TreeURLs(dict):
    """``{host name: PortalURL}`` of a running tree, with the URLs tests need."""

    tree: Tree

    @property
    def root(self) -> str:
        """The prefecture's 政府信息公开 platform (where discovery starts)."""
        return self["prefecture"] + "zwgk/xxgk/"

    def url(self, body: Body, path: str | None = None) -> str:
        return self[body.host].rstrip("/") + (body.path if path is None else path)

    @property
    def requests(self):
        return [(host, r) for host, url in self.items() for r in url.requests]


def _manifest(tree: Tree, host: str) -> Manifest:
    bodies = tree.on_host(host)
    return Manifest(family="tree", site={"name": host}, config=tree.config, column_path=bodies[0].column,
                    page_size=10, reports=[r for b in bodies for r in b.reports], distractors=[], documents=[],
                    list_entries=[], offsite_links=[], disallowed_paths=["/search/"], images=[], updated_at=UPDATED,
                    address=tree.config["hosts"][host])


@contextlib.contextmanager
def serve_tree_in_thread(port: int = 0, *, delay: float = 0.0, without=()) -> Iterator[TreeURLs]:
    """Serve the five hosts of the tree, on one port; yields their URLs.
    ``without``: keys of bodies the platforms do not list (``load_tree``)."""
    tree = load_tree(without)
    servers: list[tuple[PortalHTTPServer, threading.Thread]] = []
    urls = TreeURLs()
    urls.tree = tree
    try:
        for host, address in tree.config["hosts"].items():
            server = PortalHTTPServer((address, port), HostSite(tree, host).build(), _manifest(tree, host),
                                      delay=delay)
            port = server.server_address[1]  # the first host's free port, then the same for the others
            servers.append((server, start_serving(server, f"sample-tree-{host}")))
            urls[host] = PortalURL(server.base_url, server)
        yield urls
    finally:
        stop_serving(servers)


def serve_tree_forever(port: int = 8802) -> None:
    """Serve the tree until interrupted (``xxgk sample-portal --tree``); prints its root."""
    import signal
    import sys

    with serve_tree_in_thread(port) as urls:
        print(f"sample discovery tree: {urls.root} (岳阳市; hosts {', '.join(urls.values())}; Ctrl-C to stop)",
              file=sys.stderr, flush=True)
        stop = threading.Event()
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.wait(0.5):
                pass
