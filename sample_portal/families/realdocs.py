"""The real reports of ``tests/gold/real``, served as a plain 年报 column.

Every other family serves invented TEST DATA (apart from the five TRS seeds);
this site serves the REAL annual reports the project's hand-read gold was made
from, as they are, each with where it comes from, so that a crawl of the
sample portal (``xxgk demo``) archives and parses real reports beside the test
data.  The documents stay where they are: the site reads ``tests/gold/real``
at run time through :func:`load_real_reports` (one ``<slug>.gold.yaml`` per
report, read with ``yaml.safe_load``, listing the report's renderings under
``documents:``), nothing is copied into ``sample_portal/``.

URL shapes (a simple static column, UTF-8)::

    /  /index.html                       home page (says what the site holds)
    /xxgk/  /xxgk/index.html             信息公开 page, links to the 年报 column
    /xxgk/ndbg/  (= index.html)          政府信息公开年报, one entry per real report, newest year first
    /xxgk/ndbg/index_2.html …            further pages: static pager links (首页 上一页 1 2 3 下一页 尾页)
    /xxgk/ndbg/<slug>.html               a report (<slug> = the gold file's name)
    /xxgk/ndbg/files/<file>              a report's PDF (or DOCX) rendering, as the gold folder keeps it
    /search/                             robots-disallowed (no page behind it)

What a report's URL serves, by the renderings its gold file lists:

* an original portal page (``.html``): that file's bytes, unchanged (it is
  the real portal page; ``Content-Type: text/html; charset=utf-8``);
* else a PDF (or DOCX): a small report page -- title, 发布机构, 发布日期 and the
  source -- whose body says ``附件：<file>`` and links the file, served unchanged;
* else the text rendering that decides most figures (fewest ``omitted:``,
  then by layout: table-like text before glued cells and OCR): a report page
  holding that text unchanged (HTML-escaped) in a ``<pre>``.

Every page this family renders states the report's source (``source:`` of
the gold file: repository, commit, path, original URL) on a 原文来源 line,
and every list entry does too (the unchanged portal pages cannot).  The
site says on every page it renders that its reports are real, not test data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from markupsafe import Markup

from .. import render
from ..manifest import BEIJING, PACKAGE_DIR, Column, ListEntry, Manifest, Report
from ..routing import Response, RouteTable
from ..sitekit import html_handler, list_text, robots_txt
from ..templating import get_env

FAMILY = "realdocs"
ADDRESS = "127.0.0.7"
REAL_DIR = PACKAGE_DIR.parent / "tests" / "gold" / "real"
GOLD_SUFFIX = ".gold.yaml"
COLUMN_PATH = "/xxgk/ndbg/"
FILES_PATH = COLUMN_PATH + "files/"
PAGE_SIZE = 15
COLUMN_NAME = "政府信息公开年报"

# Renderings the site serves as they are: portal pages, and files behind 附件 links.
PAGE_SUFFIXES = (".html", ".htm", ".shtml")
ATTACHMENT_TYPES = {  # suffix -> (format, Content-Type), in order of preference
    ".pdf": ("pdf", "application/pdf"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
TEXT_SUFFIXES = (".txt", ".md")
# Text layouts (tests/gold/real/README.md) in order of preference:
# those that keep a table's rows together first.
TEXT_LAYOUTS = ("pipe-rows", "markdown-pipe", "pdf-text-spaced", "legacy-table-text", "legacy-prose", "prose",
                "cell-per-line", "glued", "ocr-markdown")
# The gold's format -> the template names of the sample portal's reports.
TEMPLATES = {"legacy-text": "legacy", "legacy-table": "legacy", "2019-template": "2019", "2021-template": "2021"}
_LEADING_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")

SITE = {
    "name": "真实年报原文库",
    "domain": "tests/gold/real",
    "sponsor": "xxgk-archive",
    "note": ("本站栏目中的年报均为各级政府机关公开发布的真实政府信息公开工作年度报告，原样照录，并非测试数据；"
             "每篇均注明原文来源（xxgk-archive tests/gold/real）。"),
}
NAV = [("首页", "/index.html"), ("政府信息公开", "/xxgk/index.html"), (COLUMN_NAME, COLUMN_PATH)]
DISALLOW = ["/search/"]


@dataclass
class RealReport(Report):
    """A real report of ``tests/gold/real`` and what the site serves for it."""

    slug: str = ""  # the gold file's name without .gold.yaml
    gold: dict = field(default_factory=dict)  # the gold file, as yaml.safe_load reads it
    gold_path: Path | None = None
    served: str = ""  # 'page' (the portal page as is), 'attachment' (a file behind 附件) or 'text'
    rendering: str = ""  # file name (in the gold folder) of the rendering served
    layout: str = ""  # its layout (html-table, pdf, glued, …)
    body: bytes = b""  # the rendering's bytes, as the gold folder keeps them

    @property
    def published(self) -> str:
        """ISO date the gold gives (发布日期), '' when the report states none."""
        return self.published_at.date().isoformat() if self.published_at else ""

    @property
    def source_path(self) -> Path:
        return self.gold_path.parent / self.rendering

    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def source_info(self) -> dict:
        return self.gold.get("source") or {}

    def source_lines(self) -> list[str]:
        """Where the report comes from, in words (the gold file's ``source:``)."""
        src = self.source_info
        lines = []
        if src.get("repo"):
            commit = f"（提交 {src['commit']}）" if src.get("commit") else ""
            lines.append(f"GitHub 仓库 {src['repo']}{commit}：{src.get('path') or ''}".rstrip("："))
        if src.get("url"):
            lines.append(f"原文链接：{src['url']}")
        if src.get("note"):
            lines.append(str(src["note"]))
        lines.append(f"本站所载文件：tests/gold/real/{self.rendering}（{self.layout}）")
        return lines

    def source_summary(self) -> str:
        """One line for the list: the original URL, else the repository path, else the note."""
        src = self.source_info
        if src.get("url"):
            return str(src["url"])
        if src.get("repo"):
            return f"GitHub {src['repo']}：{src.get('path') or ''}".rstrip("：")
        return list_text(str(src.get("note") or self.source), 80)


def _published(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        value = date.fromisoformat(str(value)[:10])
    return datetime(value.year, value.month, value.day, tzinfo=BEIJING)


def agency_name(title: str, agency_contains: str) -> str:
    """The body the 发布机构 line names: the title's words up to and including
    ``agency_contains`` (平潭综合实验区财政金融局 for 财政金融局), without a leading
    year; ``agency_contains`` itself when the title does not hold it."""
    t = _LEADING_YEAR.sub("", re.sub(r"\s+", "", title))
    i = t.find(agency_contains)
    return t[:i + len(agency_contains)] if i >= 0 else agency_contains


def choose_rendering(documents: list[dict]) -> tuple[str, dict]:
    """(how it is served, the gold ``documents:`` entry served) for one report."""
    def suffix(d: dict) -> str:
        return Path(d["file"]).suffix.lower()

    pages = [d for d in documents if suffix(d) in PAGE_SUFFIXES]
    if pages:
        return "page", pages[0]
    for ext in ATTACHMENT_TYPES:
        files = [d for d in documents if suffix(d) == ext]
        if files:
            return "attachment", files[0]
    texts = [d for d in documents if suffix(d) in TEXT_SUFFIXES]
    if not texts:
        raise ValueError(f"no rendering to serve among {[d['file'] for d in documents]}")

    def rank(d: dict) -> tuple[int, int]:
        layout = d.get("layout")
        return len(d.get("omitted") or {}), TEXT_LAYOUTS.index(layout) if layout in TEXT_LAYOUTS else len(TEXT_LAYOUTS)

    return "text", min(texts, key=rank)


@functools.lru_cache(maxsize=4)
def load_real_reports(folder: Path = REAL_DIR) -> tuple[RealReport, ...]:
    """Every real report of ``folder`` (``tests/gold/real``) with the bytes of the
    rendering served for it, newest year first.  The one place this family
    reads the gold folder; none when the folder is absent (an installed copy
    without the tests)."""
    folder = Path(folder)
    if not folder.is_dir():
        return ()
    reports = []
    for gold_path in sorted(folder.glob("*" + GOLD_SUFFIX)):
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        slug = gold_path.name[: -len(GOLD_SUFFIX)]
        served, doc = choose_rendering(gold["documents"])
        path = f"{COLUMN_PATH}{slug}.html"
        rep = RealReport(
            id=f"realdocs_{slug}", path=path, title=str(gold["report"]), published_at=_published(gold.get("published")),
            column="ndbg", doc_id=0, agency=agency_name(str(gold["report"]), str(gold["agency_contains"])),
            year=int(gold["year"]), encoding="utf-8", charset="utf-8", header_charset=True,
            source=f"tests/gold/real/{doc['file']}", test_data=False,
            template=TEMPLATES.get(str(gold.get("format")), ""),
            published_stated=gold.get("published") is not None, page_path=path,
            slug=slug, gold=gold, gold_path=gold_path, served=served, rendering=doc["file"],
            layout=str(doc.get("layout") or ""), body=(folder / doc["file"]).read_bytes(),
        )
        if served == "attachment":
            fmt, ctype = ATTACHMENT_TYPES[Path(doc["file"]).suffix.lower()]
            rep.attachment_path = FILES_PATH + doc["file"]
            rep.attachment_format, rep.attachment_content_type = fmt, ctype
            rep.attachment_filename, rep.attachment_disposition = None, "none"  # a static file: no header
        reports.append(rep)
    reports.sort(key=lambda r: (-r.year, -(r.published_at.timestamp() if r.published_at else 0), r.slug))
    for n, rep in enumerate(reports, 1):
        rep.doc_id = n
    return tuple(reports)


def load_manifest() -> Manifest:
    reports = list(load_real_reports())
    entries = [ListEntry(r, i // PAGE_SIZE, True, href=f"{r.slug}.html") for i, r in enumerate(reports)]
    for e in entries:
        e.document.list_page = e.page
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    targets = [COLUMN_PATH + ("index.html" if n == 1 else f"index_{n}.html") for n in range(1, pages + 1)]
    column = Column(key="ndbg", name=COLUMN_NAME, path=COLUMN_PATH, mechanics="static-pager", page_size=PAGE_SIZE,
                    entries=entries, pages=targets)
    dated = [r.published_at for r in reports if r.published_at]
    return Manifest(
        family=FAMILY, site=dict(SITE), config={"site": dict(SITE), "folder": str(REAL_DIR)}, column_path=COLUMN_PATH,
        page_size=PAGE_SIZE, reports=reports, distractors=[], documents=[], list_entries=entries,
        offsite_links=sorted({r.source_info["url"] for r in reports if r.source_info.get("url")}),
        disallowed_paths=list(DISALLOW), images=[],
        updated_at=max(dated) if dated else datetime(2024, 1, 1, tzinfo=BEIJING),
        address=ADDRESS, columns=[column], list_targets=targets, start_path="/",
    )


class RealDocsSite:
    def __init__(self, m: Manifest):
        self.m = m
        self.env = get_env()
        self.routes = RouteTable()
        self.col = m.columns[0]

    def render(self, template: str, **kw) -> str:
        return self.env.get_template(f"realdocs/{template}").render(site=self.m.site, nav=NAV, **kw)

    def build(self) -> RouteTable:
        r, m, lm = self.routes, self.m, self.m.updated_at
        robots = robots_txt(m.site["domain"], m.disallowed_paths)
        r.add("/robots.txt", lambda req: Response(body=robots, content_type="text/plain", last_modified=lm))
        home = html_handler(lambda: self.render(
            "page.html", page_name="首页", crumbs=[], links=[("政府信息公开", "/xxgk/index.html"), (COLUMN_NAME, COLUMN_PATH)],
            paragraphs=[m.site["note"], f"共收录真实年报{len(m.reports)}篇。"]), last_modified=lm)
        r.add("/", home)
        r.add("/index.html", home)
        xxgk = html_handler(lambda: self.render(
            "page.html", page_name="政府信息公开", crumbs=[("政府信息公开", "/xxgk/index.html")],
            links=[(COLUMN_NAME, COLUMN_PATH)], paragraphs=[m.site["note"]]), last_modified=lm)
        r.add("/xxgk/", xxgk)
        r.add("/xxgk/index.html", xxgk)
        for k, target in enumerate(self.col.pages, 1):
            chunk = self.col.entries[(k - 1) * PAGE_SIZE:k * PAGE_SIZE]
            h = html_handler(lambda chunk=chunk, k=k: self.render(
                "list.html", crumbs=[("政府信息公开", "/xxgk/index.html"), (COLUMN_NAME, COLUMN_PATH)],
                list_name=COLUMN_NAME, total=len(self.col.entries), page=k, pages=len(self.col.pages),
                entries=[self.entry(e) for e in chunk]), last_modified=lm)
            r.add(target, h)
            if k == 1:
                r.add(COLUMN_PATH, h)
        for rep in m.reports:
            r.add(rep.path, self.report_handler(rep))
            if rep.attachment_path:
                r.add(rep.attachment_path, lambda req, rep=rep: Response(
                    body=rep.body, content_type=rep.attachment_content_type, last_modified=rep.published_at))
        r.not_found = lambda req: Response(status=404, body=self.render("404.html").encode("utf-8"), cacheable=False)
        return r

    @staticmethod
    def entry(e: ListEntry) -> dict:
        rep: RealReport = e.document  # type: ignore[assignment]
        return {"href": e.href, "title": rep.title, "text": list_text(rep.title, 40), "date": rep.published,
                "source": rep.source_summary(), "url": rep.source_info.get("url")}

    def report_handler(self, rep: RealReport):
        if rep.served == "page":
            def page(req) -> Response:
                return Response(body=rep.body, content_type="text/html; charset=utf-8", last_modified=rep.published_at)

            return page
        if rep.served == "attachment":
            name = rep.attachment_path.rsplit("/", 1)[1]
            body = (f'<p>{render.esc(rep.title)}（详见附件）</p>\n'
                    f'<p class="fj">附件：<a href="{render.attr(rep.attachment_path)}" target="_blank">'
                    f'{render.esc(name)}</a></p>')
        else:
            body = f'<pre class="real-text">{render.esc(rep.text())}</pre>'
        meta = [("ArticleTitle", rep.title)]
        if rep.published:
            meta.append(("PubDate", rep.published))
        return html_handler(lambda: self.render(
            "article.html", crumbs=[("政府信息公开", "/xxgk/index.html"), (COLUMN_NAME, COLUMN_PATH)], meta=meta,
            title=rep.title, agency=rep.agency, date=rep.published, source_lines=rep.source_lines(),
            url=rep.source_info.get("url"), body=Markup(body)), last_modified=rep.published_at)


def build(manifest: Manifest) -> RouteTable:
    return RealDocsSite(manifest).build()
