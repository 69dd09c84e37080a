"""Building blocks shared by the family sites beyond TRS: generated reports,
attachment responses with real-world ``Content-Disposition`` headers, HTML
responses, deterministic randomness.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import quote

import yaml

from . import attachments, generate, national, pictures
from .manifest import BEIJING, PACKAGE_DIR, Document, Image, Report
from .routing import Request, Response

SITES_DIR = PACKAGE_DIR / "sites"

_PY_CODEC = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gb2312"}
ENCODING_OF = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gbk"}


def load_site_yaml(family: str) -> dict:
    return yaml.safe_load((SITES_DIR / f"{family}.yaml").read_text(encoding="utf-8"))


def rng_for(*parts) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def parse_time(s: str) -> datetime:
    return datetime.strptime(str(s), "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)


def published_time(year: int, rng: random.Random) -> datetime:
    """When a report for ``year`` went online: by 31 January of the next year
    since the 2019 regulations, by 31 March before."""
    if year >= 2019:
        month, day = 1, rng.randint(8, 30)
    else:
        month, day = rng.choice([1, 2, 3]), rng.randint(5, 28)
    return datetime(year + 1, month, day, rng.randint(8, 17), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50]),
                    tzinfo=BEIJING)


TITLE_STYLES = {
    "std": "{agency}{year}年政府信息公开工作年度报告",
    "niandu": "{agency}{year}年度政府信息公开工作年度报告",
    "report": "{agency}{year}年度政府信息公开工作报告",
    "guanyu": "{agency}关于{year}年政府信息公开工作年度报告",
}


def id_allocator(base: int, origin: datetime, per_day: int, spread: int) -> Callable[[datetime, random.Random], int]:
    """Document ids that grow with the publication date, as CMS ids do, never repeating:
    ``base + days since origin * per_day + a random 0..spread``, bumped past ids in use."""
    used: set[int] = set()

    def new_id(t: datetime, rng: random.Random) -> int:
        n = base + (t.date() - origin.date()).days * per_day + rng.randint(0, spread)
        while n in used:
            n += 1
        used.add(n)
        return n

    return new_id


def report_title(agency: str, year: int, style: str = "std") -> str:
    return TITLE_STYLES[style].format(agency=agency, year=year)


def make_report(*, id: str, agency: str, year: int, seed: str, site_name: str, path: str, title: str,
                published: datetime, doc_id: int, column: str, charset: str = "utf-8",
                header_charset: bool = True, index_no: str = "", page_path: str | None = None,
                attachment: dict | None = None, pictures_at: str | None = None,
                reduced: tuple[str, ...] = ()) -> Report:
    """A generated TEST DATA report (figures from ``generate.py``).

    ``pictures_at`` (optional): its tables are pictures (``pictures.py``),
    served at ``<pictures_at>1.png``, ``2.png`` … in the order of its body;
    those named in ``reduced`` (``table3`` …) as half-size JPEGs (``2.jpg``).

    ``attachment`` (optional): ``{format, path, filename, disposition,
    content_type, links_to}``; with ``links_to: file`` the report has no page
    and ``path`` is the file's target."""
    data = generate.report_data(agency, year, seed, site_name)
    rep = Report(
        id=id, path=path, title=title, published_at=published, column=column, doc_id=doc_id, agency=agency,
        year=year, encoding=ENCODING_OF.get(charset, charset), charset=charset,
        header_charset=header_charset and charset == "utf-8",
        source=f"generated: {agency} {year} seed={seed}", test_data=True, template=str(data["template"]),
        published_stated=True, index_no=index_no, generated=data, page_path=page_path,
    )
    rep.figures = national.intended_figures(rep.template, data["tables"])
    rep.prose = data.get("prose", [])
    if pictures_at:
        data["tables_as"] = "pictures"
        data["pictures_reduced"] = list(reduced)
        rep.images = [Image(f"{pictures_at}{k}{pictures.suffix(rep, name)}", pictures.TABLE_ALTS[name])
                      for k, name in enumerate(pictures.table_blocks(rep), 1)]
    if attachment:
        fmt = attachment["format"]
        rep.attachment_path = attachment["path"]
        rep.attachment_format = fmt
        rep.attachment_filename = attachment.get("filename")
        rep.attachment_disposition = attachment.get("disposition", "none")
        rep.attachment_content_type = attachment.get("content_type") or attachments.CONTENT_TYPES[fmt]
        rep.list_links_to = attachment.get("links_to", "page")
        if rep.list_links_to == "file":
            rep.page_path = None
            rep.path = attachment["path"]
            rep.encoding, rep.charset, rep.header_charset = "binary", "", False
    return rep


# --------------------------------------------------------------------------
# Content-Disposition as Chinese servers send it


def content_disposition(filename: str | None, style: str | None) -> str | None:
    """The header value (a ``str`` whose code points are the raw header
    bytes: http.server encodes header lines as Latin-1).

    ``gbk``      ``attachment; filename="<raw GBK bytes>"``  (the common case)
    ``utf8``     ``attachment; filename="<raw UTF-8 bytes>"``
    ``rfc5987``  ``attachment; filename*=UTF-8''%E5%...``
    ``percent``  ``attachment;filename=%E5%...`` (Java URLEncoder style, unquoted)
    ``hostile``  ``attachment; filename="<the name as is>"`` (a path-like name)
    ``none``     no header at all
    """
    if not filename or style in (None, "none"):
        return None
    if style == "gbk":
        return 'attachment; filename="' + filename.encode("gbk").decode("latin-1") + '"'
    if style == "utf8":
        return 'attachment; filename="' + filename.encode("utf-8").decode("latin-1") + '"'
    if style == "rfc5987":
        return "attachment; filename*=UTF-8''" + quote(filename, safe="")
    if style == "percent":
        return "attachment;filename=" + quote(filename, safe="")
    if style == "hostile":
        return 'attachment; filename="' + filename.replace('"', "") + '"'
    raise ValueError(f"unknown Content-Disposition style {style!r}")


def attachment_handler(report: Report) -> Callable[[Request], Response]:
    def handler(req: Request) -> Response:
        revision = req.version if attachments.can_revise(report) else 0
        body = attachments.build(report, revision)
        headers = {}
        cd = content_disposition(report.attachment_filename, report.attachment_disposition)
        if cd:
            headers["Content-Disposition"] = cd
        if report.attachment_content_type == "application/octet-stream":
            headers["Accept-Ranges"] = "bytes"
        return Response(body=body, content_type=report.attachment_content_type, headers=headers,
                        last_modified=report.published_at + timedelta(days=revision), versioned=True)

    return handler


# --------------------------------------------------------------------------
# HTML


def picture_handlers(report: Report) -> list[tuple[str, Callable[[Request], Response]]]:
    """``(path, handler)`` for each table picture of ``report`` (none unless
    its tables are pictures): a picture drawn on first request."""
    if report.data.get("tables_as") != "pictures":
        return []

    def handler_for(name: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            try:
                body, kind = pictures.table_picture(report, name)
            except pictures.NoCjkFont as e:
                return Response(status=500, body=f"{e}\n".encode(), content_type="text/plain; charset=utf-8")
            return Response(body=body, content_type=kind, last_modified=report.published_at)
        return handler

    return [(img.path, handler_for(name)) for img, name in zip(report.images, pictures.table_blocks(report))]


def content_type(charset: str, header_charset: bool) -> str:
    return f"text/html; charset={charset}" if header_charset else "text/html"


def html_handler(render_fn: Callable[[], str], *, charset: str = "utf-8", header_charset: bool = True,
                 last_modified: datetime | None = None, status: int = 200) -> Callable[[Request], Response]:
    """A page rendered once (its bytes do not depend on the request)."""
    cache: list[bytes] = []
    codec = _PY_CODEC[charset]
    ctype = content_type(charset, header_charset)

    def handler(req: Request) -> Response:
        if not cache:
            cache.append(render_fn().encode(codec))
        return Response(status=status, body=cache[0], content_type=ctype, last_modified=last_modified,
                        cacheable=status == 200)

    return handler


def text_response(body: str, content_type: str = "text/plain", last_modified: datetime | None = None) -> Response:
    return Response(body=body.encode("utf-8"), content_type=content_type, last_modified=last_modified)


def robots_txt(domain: str, disallow: list[str]) -> bytes:
    lines = ["# robots.txt for " + domain, "User-agent: *"] + [f"Disallow: {p}" for p in disallow]
    return ("\n".join(lines) + "\n").encode("ascii")


def simple_document(*, id: str, path: str, title: str, published: datetime, column: str, doc_id: int,
                    agency: str | None, status: int = 200) -> Document:
    return Document(id=id, path=path, title=title, published_at=published, column=column, doc_id=doc_id,
                    agency=agency, status=status)


def list_text(title: str, limit: int = 26) -> str:
    return title if len(title) <= limit else title[:limit] + "..."
