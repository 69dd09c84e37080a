"""The TRS WCM family: how county portals built on TRS publish their pages.

URL shapes imitated (as on real TRS portals)::

    /                                   home page (also /index.html)
    /xxgk/  /xxgk/index.htm             信息公开 page
    /xxgk/xxgknb/                       annual-report column (= index.htm)
    /xxgk/xxgknb/index_1.htm ...        further list pages; the pager exists
                                        only as createPageHTML(n, i, "index", "htm")
    /xxgk/xxgknb/202301/t20230118_3690213.htm   a document (./YYYYMM/tYYYYMMDD_<docid>.htm)
    /xxgk/xxgknb/202301/W020230117....png       an image of a document
    /robots.txt, /search/... and /was5/... (search, disallowed by robots.txt)

``build(manifest)`` returns the :class:`RouteTable` the server uses.
"""

from __future__ import annotations

import posixpath
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs

from markupsafe import Markup

from .. import render
from ..manifest import Document, Manifest, Report
from ..routing import PerHostCache, Request, Response, RouteTable
from ..templating import get_env
from ..util import placeholder_png

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

_PY_CODEC = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gb2312"}


def rel(from_page: str, to: str) -> str:
    """Relative href from page ``from_page`` to path ``to``, TRS style
    (``./202301/t...htm``, ``../``, ``../xxgkzn/``)."""
    start = posixpath.dirname(from_page) or "/"
    target_dir = to.endswith("/")
    r = posixpath.relpath(to, start)
    if r == ".":
        return "./"
    if target_dir:
        r += "/"
    return r if r.startswith("..") else "./" + r


def charset_meta(charset: str, header_charset: bool) -> Markup:
    if charset == "utf-8" and not header_charset:
        return Markup('<meta charset="utf-8">')
    return Markup(f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />')


def content_type(charset: str, header_charset: bool) -> str:
    return f"text/html; charset={charset}" if header_charset else "text/html"


class TRSSite:
    def __init__(self, manifest: Manifest):
        self.m = manifest
        self.cfg = manifest.config
        self.env = get_env()
        self.columns = {c["key"]: c for c in self.cfg["columns"]}
        self.routes = RouteTable()

    # ------------------------------------------------------------------ helpers

    def common(self, charset: str = "utf-8", header_charset: bool = True, meta=()) -> dict:
        return {
            "site": self.m.site,
            "nav": self.cfg["nav"],
            "footer_links": self.cfg.get("footer_links", []),
            "charset_meta": charset_meta(charset, header_charset),
            "meta": list(meta),
        }

    def add_page(self, paths: list[str], render_fn, *, charset="utf-8", header_charset=True,
                 last_modified: datetime | None = None) -> None:
        """Register an HTML page rendered per base URL and encoded strictly."""
        codec = _PY_CODEC[charset]
        cache = PerHostCache(lambda base: render_fn(base).encode(codec))
        ctype = content_type(charset, header_charset)
        lm = last_modified or self.m.updated_at

        def handler(req: Request) -> Response:
            return Response(body=cache(req.base_url), content_type=ctype, last_modified=lm)

        for p in paths:
            self.routes.add(p, handler)

    def crumbs(self, page_path: str, trail: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [("首页", rel(page_path, "/"))] + [(t, rel(page_path, p)) for t, p in trail]

    def column_trail(self, key: str) -> list[tuple[str, str]]:
        col = self.columns[key]
        if col["path"].startswith("/xxgk/"):
            return [("政府信息公开", "/xxgk/"), (col["name"], col["path"])]
        return [("新闻中心", "/xwzx/"), (col["name"], col["path"])]

    def side(self, page_path: str, key: str) -> dict:
        col = self.columns[key]
        if col["path"].startswith("/xxgk/"):
            links = [(c["name"], rel(page_path, c["path"])) for c in self.cfg["columns"]
                     if c["path"].startswith("/xxgk/")]
            ys = self.cfg["xxgk"]["ysqgk"]
            links.append((ys["name"], rel(page_path, ys["path"])))
            return {"side_title": "政府信息公开", "side_links": links}
        return {"side_title": "新闻中心", "side_links": [(col["name"], rel(page_path, col["path"]))]}

    @staticmethod
    def entry(doc: Document, page_path: str, base: str, style: str = "relative") -> dict:
        if style == "absolute":
            href = base + doc.path
        elif style == "root":
            href = doc.path
        elif style == "explicit" and doc.href:
            href = doc.href
        else:
            href = rel(page_path, doc.path)
        return {"href": href, "title": doc.title, "text": doc.list_title, "date": doc.published}

    # ------------------------------------------------------------------ pages

    def build(self) -> RouteTable:
        self.build_static()
        self.build_home()
        self.build_xxgk()
        self.build_columns()
        self.build_documents()
        self.build_channels()
        self.build_search()
        self.routes.not_found = self.not_found
        return self.routes

    def build_static(self) -> None:
        robots = ["# robots.txt for " + self.m.site["domain"], "User-agent: *"]
        robots += [f"Disallow: {p}" for p in self.m.disallowed_paths]
        body = ("\n".join(robots) + "\n").encode("ascii")
        self.routes.add("/robots.txt", lambda req: Response(
            body=body, content_type="text/plain", last_modified=self.m.updated_at))
        css = (STATIC_DIR / "common.css").read_bytes()
        self.routes.add("/images/common.css", lambda req: Response(
            body=css, content_type="text/css", last_modified=self.m.updated_at))
        logo = placeholder_png(240, 60)
        self.routes.add("/images/logo.png", lambda req: Response(
            body=logo, content_type="image/png", last_modified=self.m.updated_at))
        png = placeholder_png(400, 240)
        docs: list[Document] = list(self.m.reports) + list(self.m.documents)
        for doc in docs:
            for img in doc.images:
                self.routes.add(img.path, lambda req, lm=doc.published_at: Response(
                    body=png, content_type="image/png", last_modified=lm))

    def build_home(self) -> None:
        home = self.cfg["home"]
        news = sorted((d for d in self.m.documents if d.column == "wdyw"),
                      key=lambda d: d.published_at, reverse=True)

        def page(base: str) -> str:
            items = [{"href": rel("/index.html", d.path), "title": d.title,
                      "list_title": d.list_title, "published": d.published} for d in news]
            meta = [("SiteName", self.m.site["name"]), ("SiteDomain", self.m.site["domain"]),
                    ("SiteIDCode", self.m.site["site_id_code"])]
            return self.env.get_template("home.html").render(
                **self.common(meta=meta), home=home, news=items)

        self.add_page(["/", "/index.html"], page)

    def build_xxgk(self) -> None:
        x = self.cfg["xxgk"]
        page_path = x["path"] + "index.htm"

        def page(base: str) -> str:
            latest = [self.entry(e.document, page_path, base) for e in self.m.list_entries[:5]]
            fdzd = [self.entry(d, page_path, base) for d in sorted(
                (d for d in self.m.documents if d.column == "fdzdgknr"),
                key=lambda d: d.published_at, reverse=True)]
            return self.env.get_template("xxgk_index.html").render(
                **self.common(), links=x["links"], latest=latest, fdzd=fdzd,
                crumbs=self.crumbs(page_path, [("政府信息公开", x["path"])]))

        self.add_page([x["path"], page_path], page)

        ys = x["ysqgk"]
        ys_page = ys["path"] + "index.htm"

        def ysqgk(base: str) -> str:
            return self.env.get_template("page.html").render(
                **self.common(), page_name=ys["name"], paragraphs=ys["paragraphs"],
                links=[("政府信息公开指南", rel(ys_page, self.columns["xxgkzn"]["path"]))],
                crumbs=self.crumbs(ys_page, [("政府信息公开", x["path"]), (ys["name"], ys["path"])]))

        self.add_page([ys["path"], ys_page], ysqgk)

    def build_columns(self) -> None:
        for key, col in self.columns.items():
            if col.get("annual_reports"):
                entries = [(e.document, e.document.href_style) for e in self.m.list_entries]
            else:
                docs = sorted((d for d in self.m.documents if d.column == key),
                              key=lambda d: d.published_at, reverse=True)
                entries = [(d, "relative") for d in docs]
            size = int(col.get("page_size", 20))
            count = max(1, -(-len(entries) // size))
            for i in range(count):
                name = "index.htm" if i == 0 else f"index_{i}.htm"
                page_path = col["path"] + name
                chunk = entries[i * size:(i + 1) * size]

                def page(base: str, page_path=page_path, chunk=chunk, i=i, count=count, key=key, col=col) -> str:
                    return self.env.get_template("list.html").render(
                        **self.common(), column=col, page_count=count, current_page=i, suffix="htm",
                        entries=[self.entry(d, page_path, base, style) for d, style in chunk],
                        crumbs=self.crumbs(page_path, self.column_trail(key)),
                        **self.side(page_path, key))

                self.add_page([page_path] + ([col["path"]] if i == 0 else []), page)

    def build_documents(self) -> None:
        for doc in list(self.m.reports) + list(self.m.documents):
            if doc.status != 200:
                continue  # a stale list entry: no page, 404
            self.add_document(doc)

    def add_document(self, doc: Document) -> None:
        col = self.columns[doc.column]
        xxgk = col["path"].startswith("/xxgk/")
        spec = self._doc_spec(doc)
        is_report = isinstance(doc, Report)
        charset = doc.charset if is_report else "utf-8"
        header_charset = doc.header_charset if is_report else True
        test_data = is_report and doc.test_data
        if is_report:
            body = render.report_body(doc)
        else:
            body = render.paragraphs_body(spec.get("paragraphs", []))
            for img in doc.images:
                fname = img.path.rsplit("/", 1)[1]
                body += (f'\n<p style="text-align: center;"><img src="./{fname}" OLDSRC="{fname}" '
                         f'alt="{render.attr(img.alt)}" border="0" /></p>')
        pub_time = doc.published_at.strftime("%Y-%m-%d %H:%M")
        agency = doc.agency or self.m.site["sponsor"]
        index_no = (doc.index_no if is_report and doc.index_no
                    else f"11371081004350469X/{doc.published_at.year}-{doc.doc_id % 100000:05d}")

        def page(base: str) -> str:
            meta = [
                ("SiteName", self.m.site["name"]), ("SiteDomain", self.m.site["domain"]),
                ("SiteIDCode", self.m.site["site_id_code"]), ("ColumnName", col["name"]),
                ("ColumnType", col["name"]), ("ArticleTitle", doc.title), ("PubDate", pub_time),
                ("ContentSource", agency), ("Keywords", doc.title), ("Author", agency),
                # the site's own domain, as the real page prints it (keeps
                # document bytes independent of the port the portal runs on)
                ("Description", doc.title), ("Url", "http://" + self.m.site["domain"] + doc.path),
            ]
            if test_data:
                meta.append(("xxgk-test-data", "true"))
            return self.env.get_template("article.html").render(
                **self.common(charset, header_charset, meta), doc=doc, xxgk=xxgk,
                index_no=index_no, topic="综合政务/政务公开" if xxgk else "", agency=agency,
                doc_no=spec.get("doc_no", ""), validity="有效" if spec.get("doc_no") else "",
                test_data=test_data, pub_time=pub_time, body=Markup(body),
                crumbs=self.crumbs(doc.path, self.column_trail(doc.column)))

        self.add_page([doc.path], page, charset=charset, header_charset=header_charset,
                      last_modified=doc.published_at)

    def _doc_spec(self, doc: Document) -> dict:
        for d in self.cfg.get("documents", []):
            if d["id"] == doc.id:
                return d
        return {}

    def build_channels(self) -> None:
        for ch in self.cfg.get("channels", []):
            page_path = ch["path"] + "index.htm"

            def page(base: str, ch=ch, page_path=page_path) -> str:
                return self.env.get_template("page.html").render(
                    **self.common(), page_name=ch["name"], paragraphs=ch.get("paragraphs", []),
                    links=ch.get("links", []), crumbs=self.crumbs(page_path, [(ch["name"], ch["path"])]))

            self.add_page([ch["path"], page_path], page)

    def build_search(self) -> None:
        """The TRS search (WAS5): dynamic, disallowed by robots.txt.  It links
        to report pages by root path and to 快照 pages inside /search/."""

        def handler(req: Request) -> Response:
            q = parse_qs(req.query)
            word = (q.get("searchword") or [""])[0]
            results = [{"href": r.path, "title": r.title, "date": r.published,
                        "snapshot": f"/search/snapshot.jsp?docid={r.doc_id}"}
                       for r in sorted(self.m.reports, key=lambda r: r.published_at, reverse=True)
                       if not word or word in r.title or word in ("年度报告", "年报")]
            html = self.env.get_template("search.html").render(
                **self.common(), searchword=word, results=results)
            return Response(body=html.encode("utf-8"), cacheable=False)

        for prefix in self.m.disallowed_paths:
            self.routes.add_prefix(prefix, handler)

    def not_found(self, req: Request) -> Response:
        body = self.env.get_template("404.html").render().encode("utf-8")
        return Response(status=404, body=body, cacheable=False)


def build(manifest: Manifest) -> RouteTable:
    return TRSSite(manifest).build()
