"""What the sample portal serves: one manifest per CMS-family site.

Tests and the demo compute the expected crawl result from this manifest
instead of hard-coding it::

    from sample_portal.manifest import load_manifest
    m = load_manifest()                    # the TRS site (site.yaml)
    m = load_manifest("hanweb")            # another family's site
    {r.path for r in m.reports}            # where the reports live (page, or the file itself)
    [r.attachment_path for r in m.reports if r.attachment_path]   # report files
    [d.path for d in m.distractors]        # list entries that are not reports
    m.offsite_links, m.disallowed_paths    # links a crawler must not follow

``path`` values are request targets relative to the site root; on some
families they carry a query string (``/xxgk/show.asp?id=1203``,
``/module/download/downfile.jsp?classid=0&filename=….pdf``).

The server builds its pages from the same data (``families/*.py``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from . import national

PACKAGE_DIR = Path(__file__).resolve().parent
SITE_YAML = PACKAGE_DIR / "site.yaml"

BEIJING = timezone(timedelta(hours=8))

# Display text of a list entry is cut to this many characters plus "..."
# (TRS list templates do this; the full title stays in the title attribute).
LIST_TITLE_MAX = 26

_IMAGE_MARKER = re.compile(r"\[image: ([^\]]+)\]")

# Charset label declared by a page -> the family of bytes it really uses.
_ENCODING_OF = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gbk"}


@dataclass(frozen=True)
class Image:
    """A picture embedded in a page (a placeholder PNG the portal serves)."""

    path: str
    alt: str


@dataclass
class Document:
    """Something with its own article page (report, distractor or other)."""

    id: str
    path: str
    title: str
    published_at: datetime  # Beijing time, tz-aware
    column: str
    doc_id: int
    agency: str | None = None
    images: list[Image] = field(default_factory=list)
    href_style: str = "relative"  # how the annual-report list links to it
    href: str | None = None  # explicit relative href, if any
    list_page: int | None = None  # 0-based page of the annual-report list
    status: int = 200

    @property
    def published(self) -> str:
        """ISO date shown in the page metadata (发文日期)."""
        return self.published_at.date().isoformat()

    @property
    def list_title(self) -> str:
        """The text the list shows (maybe truncated); ``title`` is the full one."""
        t = self.title
        return t if len(t) <= LIST_TITLE_MAX else t[:LIST_TITLE_MAX] + "..."

    def url(self, base: str) -> str:
        return base.rstrip("/") + self.path


@dataclass
class Report(Document):
    """An annual report page."""

    year: int = 0
    encoding: str = "utf-8"  # 'utf-8' or 'gbk' (bytes on the wire)
    charset: str = "utf-8"  # label declared in the page: utf-8, gbk or gb2312
    header_charset: bool = True  # whether the HTTP Content-Type names the charset
    source: str = ""  # file it was built from, relative to the package
    test_data: bool = False  # True for composed reports, False for real seeds
    template: str = ""  # 'legacy', '2019' or '2021'
    published_stated: bool = True  # False: the seed text gives no date; portal metadata
    index_no: str = ""  # 索引号
    figures: dict | None = None  # intended figures (composed reports only)
    prose: list[dict] = field(default_factory=list)  # figures stated in sentences
    deliberate_inconsistency: str | None = None
    # Generated reports (``generate.py``): the report data itself.
    generated: dict | None = None
    # Where the report's HTML page is (None: the list links straight to the file).
    page_path: str | None = None
    # A report whose document is an attachment file.
    attachment_path: str | None = None  # request target of the file
    attachment_format: str | None = None  # pdf, doc, docx, xls, xlsx, wps
    attachment_filename: str | None = None  # name sent in Content-Disposition (None: no header)
    attachment_disposition: str | None = None  # gbk, utf8, rfc5987, percent, hostile, none
    attachment_content_type: str | None = None
    list_links_to: str = "page"  # what the list entry points at: 'page' or 'file'

    @property
    def source_path(self) -> Path:
        return PACKAGE_DIR / self.source

    @functools.cached_property
    def data(self) -> dict:
        """The composed report's YAML (empty for seeds)."""
        if self.generated is not None:
            return self.generated
        if not self.test_data:
            return {}
        return yaml.safe_load(self.source_path.read_text(encoding="utf-8"))

    def text(self) -> str:
        """Raw source text (seed text, or the composed report's YAML)."""
        if self.generated is not None:
            return yaml.safe_dump(self.generated, allow_unicode=True, sort_keys=False)
        return self.source_path.read_text(encoding="utf-8")

    @property
    def is_attachment(self) -> bool:
        return self.attachment_path is not None

    def paragraphs(self) -> list[str]:
        """Texts of the body paragraphs, in order, without tables.

        For a seed: every non-blank line of the seed file (``[image: ...]``
        markers removed, since they become ``<img>``).  HTML collapses runs of
        white space, so compare after normalising white space.
        """
        if not self.test_data:
            out = []
            for line in self.text().splitlines():
                line = _IMAGE_MARKER.sub("", line)
                if line.strip():
                    out.append(line)
            return out
        d = self.data
        out = list(d.get("title_lines", []))
        for block in d["body"]:
            if "p" in block:
                out.append(block["p"])
            elif "h" in block:
                out.append(block["h"])
        return out

    def consistency_problems(self) -> list[str]:
        return national.consistency_problems(self.figures) if self.figures else []


@dataclass
class ListEntry:
    """One ``<li>`` of the annual-report list."""

    document: Document
    page: int
    is_report: bool
    href: str | None = None  # the href as written (families other than TRS)


@dataclass
class Column:
    """A list column of a family site and how its list is paged.

    ``mechanics`` names the paging mechanism: ``trs`` (createPageHTML),
    ``hanweb`` (inline datastore + dataproxy.jsp POST), ``json`` (JSON API),
    ``page-param`` (?page=N links), ``static-pager`` (index_N.html links),
    ``year-index`` (links to one sub-column per year), ``agency-index``
    (links to one page per agency), ``none`` (a single page).
    """

    key: str
    name: str
    path: str  # the column's entry page (request target)
    mechanics: str
    page_size: int
    entries: list[ListEntry] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # request targets of its list pages / API pages
    extra: dict = field(default_factory=dict)  # mechanics details (columnid, endpoint, ...)

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.entries) // self.page_size)) if self.page_size else 1


@dataclass
class Manifest:
    family: str
    site: dict
    config: dict  # the whole parsed site.yaml
    column_path: str  # the annual-report column, e.g. /xxgk/xxgknb/
    page_size: int
    reports: list[Report]
    distractors: list[Document]  # list entries of the column that are not reports
    documents: list[Document]  # every non-report document (incl. distractors, news)
    list_entries: list[ListEntry]
    offsite_links: list[str]
    disallowed_paths: list[str]
    images: list[Image]
    updated_at: datetime
    # ---- families beyond TRS (defaults keep the TRS manifest as it was)
    address: str = "127.0.0.1"  # the loopback address the family's site binds
    columns: list[Column] = field(default_factory=list)  # every list column
    list_targets: list[str] | None = None  # list pages of the annual-report column, when not TRS-named
    flaky: list[dict] = field(default_factory=list)  # {path, query, statuses, retry_after}
    traps: dict[str, str] = field(default_factory=dict)  # trap name -> request target
    start_path: str = "/"  # the home page

    @property
    def page_count(self) -> int:
        if self.list_targets is not None:
            return len(self.list_targets)
        return max(1, -(-len(self.list_entries) // self.page_size))

    @property
    def list_pages(self) -> list[str]:
        """Paths of the column's list pages: index.htm, index_1.htm, ..."""
        if self.list_targets is not None:
            return list(self.list_targets)
        return [self.column_path + ("index.htm" if i == 0 else f"index_{i}.htm")
                for i in range(self.page_count)]

    @property
    def attachment_reports(self) -> list[Report]:
        return [r for r in self.reports if r.attachment_path]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def broken_paths(self) -> list[str]:
        """Listed paths that answer 404."""
        return [d.path for d in self.distractors if d.status == 404]

    @property
    def composed_reports(self) -> list[Report]:
        return [r for r in self.reports if r.test_data]

    @property
    def seed_reports(self) -> list[Report]:
        return [r for r in self.reports if not r.test_data]

    def report_by_path(self, path: str) -> Report | None:
        return next((r for r in self.reports if r.path == path), None)

    def report_by_id(self, rid: str) -> Report:
        return next(r for r in self.reports if r.id == rid)


def _parse_time(s: str) -> datetime:
    return datetime.strptime(str(s), "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)


def doc_path(column_path: str, published_at: datetime, doc_id: int) -> str:
    """TRS document path: <column>/YYYYMM/tYYYYMMDD_<docid>.htm."""
    return f"{column_path}{published_at:%Y%m}/t{published_at:%Y%m%d}_{doc_id}.htm"


def load_manifest(family: str = "trs", *, path: str | Path | None = None) -> Manifest:
    """The manifest of one family's site.

    ``load_manifest()`` is the TRS site (``site.yaml``); ``load_manifest("hanweb")``
    etc. the other families (see ``families/__init__.py``).  A path to a
    TRS-style YAML file is accepted too (as ``path=`` or positionally).
    """
    if path is None and (isinstance(family, Path) or str(family).endswith((".yaml", ".yml"))
                         or "/" in str(family)):
        family, path = "trs", family
    if family == "trs" or path is not None:
        p = Path(path) if path else SITE_YAML
        return _load(str(p.resolve()))
    return _load_family(family)


@functools.lru_cache(maxsize=16)
def _load_family(family: str) -> Manifest:
    from .families import family_module

    return family_module(family).load_manifest()


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Manifest:
    cfg = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return build_trs_manifest(cfg)


def build_trs_manifest(cfg: dict) -> Manifest:
    """A TRS-family manifest from a ``site.yaml``-shaped dict.  A report entry
    may name ``generated: {agency, year, seed}`` instead of a ``source`` file."""
    columns = {c["key"]: c for c in cfg["columns"]}
    report_columns = [c for c in cfg["columns"] if c.get("annual_reports")]
    if len(report_columns) != 1:
        raise ValueError("exactly one column must have annual_reports: true")
    rcol = report_columns[0]

    images: list[Image] = []

    def _images(spec: dict, dpath: str) -> list[Image]:
        base = dpath.rsplit("/", 1)[0] + "/"
        imgs = [Image(base + i["file"], i["alt"]) for i in spec.get("images", [])]
        images.extend(imgs)
        return imgs

    documents: list[Document] = []
    for d in cfg.get("documents", []):
        t = _parse_time(d["published"])
        p = doc_path(columns[d["column"]]["path"], t, d["doc_id"])
        href = d.get("href", "relative")
        style = href if href in ("relative", "absolute", "root") else "explicit"
        documents.append(Document(
            id=d["id"], path=p, title=d["title"], published_at=t, column=d["column"],
            doc_id=d["doc_id"], agency=d.get("agency") or d.get("source_org"),
            images=_images(d, p), href_style=style,
            href=None if style != "explicit" else href,
            status=404 if d.get("broken") else 200,
        ))

    reports: list[Report] = []
    for r in cfg["reports"]:
        t = _parse_time(r["published"])
        p = doc_path(rcol["path"], t, r["doc_id"])
        charset = r.get("charset", "utf-8")
        gen = r.get("generated")
        generated = None
        source = r.get("source", "")
        if gen:
            from . import generate

            generated = generate.report_data(r["agency"], int(r["year"]), str(gen.get("seed", "xxgk")),
                                             gen.get("site_name", cfg["site"]["name"]))
            source = f"generated: {r['agency']} {r['year']} seed={gen.get('seed', 'xxgk')}"
        rep = Report(
            id=r["id"], path=p, title=r["title"], published_at=t, column=rcol["key"],
            doc_id=r["doc_id"], agency=r["agency"], images=_images(r, p),
            href_style=r.get("href", "relative"),
            year=int(r["year"]), encoding=_ENCODING_OF[charset], charset=charset,
            header_charset=r.get("header_charset", True) and charset == "utf-8",
            source=source, test_data=bool(gen) or source.endswith(".yaml"),
            template=r.get("template", ""), published_stated=r.get("published_stated", True),
            index_no=r.get("index_no", ""), generated=generated, page_path=p,
        )
        if rep.test_data:
            data = rep.data
            rep.template = str(data["template"])
            rep.figures = national.intended_figures(rep.template, data["tables"])
            rep.prose = data.get("prose", [])
            rep.deliberate_inconsistency = data.get("deliberate_inconsistency")
        reports.append(rep)

    # The annual-report list: reports plus documents listed in that column,
    # newest first, as TRS orders a column.
    listed = [d for d in documents
              if d.column == rcol["key"] or rcol["key"] in _listed_in(cfg, d.id)]
    entries = sorted([(r, True) for r in reports] + [(d, False) for d in listed],
                     key=lambda e: e[0].published_at, reverse=True)
    size = int(rcol.get("page_size", 20))
    list_entries = []
    for i, (doc, is_report) in enumerate(entries):
        doc.list_page = i // size
        list_entries.append(ListEntry(doc, i // size, is_report))

    offsite: list[str] = []
    for _text, href in cfg.get("home", {}).get("offsite_links", []) + cfg.get("footer_links", []):
        if href not in offsite:
            offsite.append(href)

    return Manifest(
        family=cfg.get("family", "trs"),
        site=cfg["site"],
        config=cfg,
        column_path=rcol["path"],
        page_size=size,
        reports=reports,
        distractors=listed,
        documents=documents,
        list_entries=list_entries,
        offsite_links=offsite,
        disallowed_paths=list(cfg.get("robots", {}).get("disallow", [])),
        images=images,
        updated_at=_parse_time(cfg["site"]["updated"]),
        address=cfg.get("address", "127.0.0.1"),
        columns=[Column(key=rcol["key"], name=rcol["name"], path=rcol["path"], mechanics="trs",
                        page_size=size, entries=list_entries,
                        pages=[rcol["path"] + ("index.htm" if i == 0 else f"index_{i}.htm")
                               for i in range(max(1, -(-len(list_entries) // size)))])],
        start_path="/",
    )


def _listed_in(cfg: dict, doc_id: str) -> list[str]:
    for d in cfg.get("documents", []):
        if d["id"] == doc_id:
            return d.get("listed_in", [])
    return []


def to_jsonable(obj: Any) -> Any:
    """Plain-data view of a report/document (for docs and debugging)."""
    if isinstance(obj, (Report, Document)):
        out = {k: v for k, v in obj.__dict__.items() if k != "data"}
        out["published_at"] = obj.published_at.isoformat()
        out["published"] = obj.published
        out["images"] = [i.__dict__ for i in obj.images]
        return out
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    return obj
