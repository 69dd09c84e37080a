"""Datasette plugin of xxgk-archive (loaded with ``--plugins-dir publish/plugins``).

It needs only Datasette and the standard library, so that ``datasette package``
/ ``datasette publish`` can ship it as it is. It expects a catalogue that
``publish.prepare.prepare()`` has prepared (tables ``archive_files``,
``report_figures``, ``metric_definitions``, ``reports_fts``, ``publish_info``).

What it adds
  /-/archive/<sha256>   the archived bytes, read-only: HTML and text as
                        ``text/plain; charset=utf-8`` (never rendered), anything
                        else as a download; nosniff and a sandboxing CSP.
  /-/crop/<sha256>      the part of an archived picture (or PDF page) a figure was
                        read from by OCR, its box outlined (needs Pillow, and
                        pypdfium2 for PDFs, where Datasette runs).
  /-/charts             requests per year and outcome shares as server-side SVG.
  ?_search= on reports  Chinese full-text search of any length (one FTS5 index
                        of character bigrams: a term is the phrase of its
                        bigrams, one character a prefix).
  cells                 links from reports to their original URL and archived
                        copy, from metric keys to their definitions, from
                        views' report_id to the report.

Plugin configuration (metadata ``plugins: {"xxgk-archive": {...}}``):
  archive_dir   the archive folder (default: what prepare() recorded in
                publish_info, relative to the database file)
  database      which database holds the catalogue (default: the first one
                with an ``archive_files`` table)
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import math
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import markupsafe
from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

PLUGIN = "xxgk-archive"
DIGEST = re.compile(r"[0-9a-f]{64}")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Tables whose ?_search= this plugin answers, and the column holding the report id.
SEARCHABLE = {"reports": "id", "report_figures": "report_id"}
MAX_TERMS = 10


# --------------------------------------------------------------------------
# Finding the catalogue and the archive folder
# --------------------------------------------------------------------------


def _config(datasette) -> dict:
    return datasette.plugin_config(PLUGIN) or {}


async def _catalogue(datasette):
    """The Database object holding the prepared catalogue, or None."""
    wanted = _config(datasette).get("database")
    for name, db in datasette.databases.items():
        if wanted and name != wanted:
            continue
        if name.startswith("_"):
            continue
        if await db.table_exists("archive_files"):
            return db
    return None


async def _archive_dir(datasette, db) -> Path | None:
    configured = _config(datasette).get("archive_dir")
    if configured:
        return Path(configured).resolve()
    if not await db.table_exists("publish_info"):
        return None
    row = (await db.execute("SELECT value FROM publish_info WHERE key = 'archive_dir'")).first()
    if not row or not row[0] or not db.path:
        return None
    path = Path(row[0])
    return path if path.is_absolute() else (Path(db.path).resolve().parent / path).resolve()


# --------------------------------------------------------------------------
# /-/archive/<sha256>
# --------------------------------------------------------------------------


def _not_found(message: str) -> Response:
    return Response.text(message, status=404, headers=dict(SECURITY_HEADERS))


def _content_disposition(filename: str | None, sha256: str) -> str:
    name = (filename or sha256).replace("\\", "_").replace("/", "_")
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"%;' else "_" for c in name) or sha256
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _archived(datasette, request):
    """``(bytes, archive_files row)`` of the body the URL names, or the Response saying why not."""
    if request.method not in ("GET", "HEAD"):
        return Response.text("read-only", status=405, headers={**SECURITY_HEADERS, "Allow": "GET, HEAD"})
    sha256 = request.url_vars["sha256"]
    if not DIGEST.fullmatch(sha256):
        return _not_found("not a SHA-256 digest")
    db = await _catalogue(datasette)
    if db is None:
        return _not_found("no archive catalogue is served here")
    row = (
        await db.execute(
            "SELECT served_as, encoding, filename, content_type FROM archive_files WHERE sha256 = ?", [sha256]
        )
    ).first()
    if row is None:
        return _not_found(f"no archived body {sha256}")
    root = await _archive_dir(datasette, db)
    if root is None:
        return _not_found("this site was published without its archive folder")
    # The path is built from the validated digest alone, never from the URL.
    path = root / "sha256" / sha256[:2] / sha256[2:4] / sha256
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except (FileNotFoundError, NotADirectoryError):
        return _not_found(f"archived body {sha256} is not in this copy of the archive")
    if hashlib.sha256(data).hexdigest() != sha256:
        return Response.text("archived body is corrupt", status=500, headers=dict(SECURITY_HEADERS))
    return data, row


async def archive_view(datasette, request):
    found = await _archived(datasette, request)
    if isinstance(found, Response):
        return found
    data, row = found
    sha256 = request.url_vars["sha256"]
    served_as, encoding, filename, content_type = row
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Xxgk-Sha256": sha256,
    }
    if content_type:
        headers["X-Xxgk-Original-Content-Type"] = content_type.encode("ascii", "replace").decode()
    if served_as == "text":
        try:
            text = data.decode(encoding or "utf-8", errors="replace")
        except LookupError:
            text = data.decode("utf-8", errors="replace")
        body = text.lstrip("\ufeff").encode("utf-8")
        return Response(body, status=200, headers=headers, content_type="text/plain; charset=utf-8")
    headers["Content-Disposition"] = _content_disposition(filename, sha256)
    return Response(data, status=200, headers=headers, content_type="application/octet-stream")


# --------------------------------------------------------------------------
# /-/crop/<sha256>?page=N&scale=S&box=x0,y0,x1,y1
# --------------------------------------------------------------------------

CROP_MARGIN = 24  # pixels of the picture around the box: the figure's neighbours, to check it by
MAX_SCALE = 4.0
MAX_PAGE = 300


def _crop_args(request) -> tuple[int, float, tuple[float, float, float, float]] | str:
    try:
        page = int(request.args.get("page") or 1)
        scale = float(request.args.get("scale") or 1)
        box = tuple(float(v) for v in (request.args.get("box") or "").split(","))
    except ValueError:
        return "page, scale and box (x0,y0,x1,y1) must be numbers"
    if len(box) != 4 or not all(math.isfinite(v) and v >= 0 for v in box) or box[0] >= box[2] or box[1] >= box[3]:
        return "box must be x0,y0,x1,y1 with x0 < x1 and y0 < y1"
    if not 1 <= page <= MAX_PAGE or not 0 < scale <= MAX_SCALE:
        return f"page must be 1-{MAX_PAGE} and scale in (0, {MAX_SCALE}]"
    return page, scale, box  # type: ignore[return-value]


def crop_picture(data: bytes, page: int, scale: float, box) -> bytes:
    """PNG of the part of an archived picture (or PDF page rendered at ``scale``)
    around ``box``, the box outlined. Needs Pillow (and pypdfium2 for a PDF)."""
    import io

    from PIL import Image, ImageDraw

    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        if page > len(pdf):
            raise ValueError(f"the PDF has {len(pdf)} pages")
        picture = pdf[page - 1].render(scale=scale).to_pil().convert("RGB")
    else:
        picture = Image.open(io.BytesIO(data))
        if page > 1:
            picture.seek(page - 1)
        picture = picture.convert("RGB")
    x0, y0, x1, y1 = box
    area = (max(0, int(x0) - CROP_MARGIN), max(0, int(y0) - CROP_MARGIN),
            min(picture.width, int(x1) + CROP_MARGIN), min(picture.height, int(y1) + CROP_MARGIN))
    if area[0] >= area[2] or area[1] >= area[3]:
        raise ValueError("the box is outside the picture")
    piece = picture.crop(area)
    ImageDraw.Draw(piece).rectangle((x0 - area[0] - 2, y0 - area[1] - 2, x1 - area[0] + 2, y1 - area[1] + 2),
                                    outline=(220, 0, 0), width=2)
    out = io.BytesIO()
    piece.save(out, format="PNG")
    return out.getvalue()


async def crop_view(datasette, request):
    """The crop of the picture a figure was read from by OCR (see ``figures.origin``)."""
    args = _crop_args(request)
    if isinstance(args, str):
        return Response.text(args, status=400, headers=dict(SECURITY_HEADERS))
    found = await _archived(datasette, request)
    if isinstance(found, Response):
        return found
    try:
        png = await asyncio.to_thread(crop_picture, found[0], *args)
    except ImportError:
        return _not_found("cropping pictures needs Pillow (and pypdfium2 for PDFs) where Datasette runs")
    except Exception as error:  # noqa: BLE001 -- a picture that does not open is a 404, not a crash
        return _not_found(f"no crop of this body: {type(error).__name__}: {error}")
    headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}
    return Response(png, status=200, headers=headers, content_type="image/png")


def crop_url(datasette, origin: dict) -> str | None:
    """The ``/-/crop/`` URL of a figure's ``origin`` (None without a picture or box).

    The picture is ``origin.image``: the picture file read (a page's archived
    picture, a picture parsed on its own) or the PDF whose page was rendered."""
    picture, box = origin.get("image"), origin.get("box")
    if not (isinstance(picture, str) and DIGEST.fullmatch(picture) and isinstance(box, list) and len(box) == 4):
        return None
    query = urlencode({"page": origin.get("page") or 1, "scale": origin.get("scale") or 1,
                       "box": ",".join(f"{float(v):g}" for v in box)})
    return str(datasette.urls.path(f"/-/crop/{picture}")) + "?" + query


def _origin_cell(datasette, raw: str, certain) -> str | None:
    try:
        origin = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(origin, dict):
        return None
    url = crop_url(datasette, origin)
    confidence = origin.get("confidence")
    said = f"OCR {confidence:.2f}" if isinstance(confidence, (int, float)) else "OCR, no box"
    if url is None:
        return html.escape(said)
    link = f'<a href="{html.escape(url)}">{html.escape(said)}</a>'
    if certain in (0, "0", False):  # a doubtful figure: shown beside what it was read from
        return (f'{link}<br><img class="xxgk-crop" src="{html.escape(url)}" alt="read from this part of the picture" '
                'style="max-width:420px;border:1px solid #ccc">')
    return link


# --------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------


# Where the search index keeps an ASCII character other than a letter or digit,
# and the characters it takes for a space, a run of them for one
# (publish.prepare.SEARCH_PUNCTUATION_BASE, SEARCH_SPACES: the plugin needs only
# the standard library).
SEARCH_PUNCTUATION_BASE = 0xF0000
SEARCH_SPACES = " \t\n\r\f\v|"


def _search_char(char: str) -> str:
    """A query's character as the search index holds it (publish.prepare.search_char)."""
    if char in SEARCH_SPACES:
        char = " "
    if char.isascii() and not char.isalnum():
        return chr(SEARCH_PUNCTUATION_BASE + ord(char))
    low = char.lower()
    return low if len(low) == 1 else char


def search_terms(query: str) -> list[str]:
    """Whitespace-separated terms; "double quotes" keep a term with spaces together."""
    terms = []
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', query):
        term = (quoted or bare).replace('"', "").strip()
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def match_expression(term: str | None) -> str:
    """The FTS5 query finding the reports that hold ``term`` (case aside; white
    space and a table's cell bars ``|``, a run of them, taken for one space) in
    their title, agency or text, in the bigram index reports_fts (a token at
    each character position: the character and the next one, the last alone):
    two characters or more, the phrase of the term's bigrams (复议: "复议";
    信息公开: "信息 息公 公开", consecutive); one character, the prefix query of
    the tokens it begins ("复" *). A folded character is never a quote or a
    space, so nothing needs escaping. An empty term: a phrase of no token,
    which matches nothing. Also the SQL function ``xxgk_search_match`` (the
    search_text query's)."""
    space = _search_char(" ")
    chars = [_search_char(c) for c in term or ""]
    chars = [c for i, c in enumerate(chars) if not (c == space and i and chars[i - 1] == space)]
    if len(chars) == 1:
        return f'"{chars[0]}" *'
    return '"' + " ".join(a + b for a, b in zip(chars, chars[1:])) + '"'


@hookimpl
def prepare_connection(conn):
    conn.create_function("xxgk_search_match", 1, match_expression, deterministic=True)


def search_clauses(query: str, pk: str) -> tuple[list[str], dict]:
    """SQL clauses (ANDed) and params answering ``query`` against the search index:
    each term an exact substring (case aside) of the title, agency or text
    (:func:`match_expression`).

    ``+[pk]``: the matches are checked while an index is read (the facets',
    the sort's, the count's), never looked up row by row: 复议 is in nearly
    every report, and a page counts its matches and five facets over them."""
    clauses, params = [], {}
    for i, term in enumerate(search_terms(query)):
        name = f"xxgk_search_{i}"
        params[name] = match_expression(term)
        clauses.append(f"+[{pk}] IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH :{name})")
    return clauses, params


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    # trylast: runs after Datasette's own search filter, so that our
    # supports_search (the search box) wins over its "no FTS table here".
    if table not in SEARCHABLE:
        return None

    async def inner():
        db = datasette.get_database(database)
        if not await db.table_exists("reports_fts"):
            return None
        extra = {"supports_search": True}
        query = request.args.get("_search", "")
        if not query.strip():
            return FilterArguments([], extra_context=extra)
        clauses, params = search_clauses(query, SEARCHABLE[table])
        if not clauses:
            clauses = ["0"]
        extra["search"] = query
        return FilterArguments(
            clauses, params=params, human_descriptions=[f'search matches "{query}"'], extra_context=extra
        )

    return inner


# --------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------

_definitions_cache: dict[tuple[int, str], dict[str, str]] = {}
# How the search_text query marks the words it found in its context column.
MATCH_OPEN, MATCH_CLOSE = "⟦", "⟧"


async def _metric_labels(datasette, database: str) -> dict[str, str]:
    """key → "Chinese label — English" (the database is immutable: read once)."""
    cache_key = (id(datasette), database)
    if cache_key not in _definitions_cache:
        db = datasette.get_database(database)
        labels = {}
        if await db.table_exists("metric_definitions"):
            for key, label, label_en in (await db.execute("SELECT key, label, label_en FROM metric_definitions")).rows:
                labels[key] = f"{label} — {label_en}"
        _definitions_cache[cache_key] = labels
    return _definitions_cache[cache_key]


def _archive_link(datasette, sha256: str, text: str = "archived copy") -> str:
    # str(): html.escape on Datasette's URL string type looks every str method up
    # through dir() (a tenth of a second per 1,000 cells)
    return f'<a class="xxgk-archived" href="{html.escape(str(datasette.urls.path("/-/archive/" + sha256)))}">{html.escape(text)}</a>'


def _row_link(datasette, database: str, table: str, key, text: str, title: str | None = None) -> str:
    href = str(datasette.urls.row(database, table, tilde_encode(str(key))))  # str(): see _archive_link
    title_attr = f' title="{html.escape(title)}"' if title else ""
    return f'<a href="{html.escape(href)}"{title_attr}>{html.escape(text)}</a>'


def _original_link(url: str) -> str:
    return f'<a class="xxgk-original" href="{html.escape(url)}" rel="nofollow noopener noreferrer">{html.escape(url)}</a>'


def _value(row, column):
    try:
        value = row[column]
    except (IndexError, KeyError):
        return None
    return value["value"] if isinstance(value, dict) else value


# What _cell answers for a metric key before the definitions were read.
_KEY_LABELS_PENDING = object()


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    # Answered without a coroutine for every cell (a page of 1,000 rows has
    # 10,000 cells): only a metric key's first cell waits for the definitions.
    raw = value["value"] if isinstance(value, dict) else value
    cell = _cell(row, raw, value, column, table, database, datasette)
    if cell is not _KEY_LABELS_PENDING:
        return cell

    async def inner():
        await _metric_labels(datasette, database)
        return _cell(row, raw, value, column, table, database, datasette)

    return inner


def _cell(row, raw, value, column, table, database, datasette):
    """The HTML of one cell, or None for Datasette's own."""
    if table in ("reports", "attachments") and column == "url" and isinstance(raw, str):
        sha = _value(row, "sha256")
        parts = [_original_link(raw) if raw.startswith(("http://", "https://")) else html.escape(raw)]
        if isinstance(sha, str) and DIGEST.fullmatch(sha):
            parts.append(_archive_link(datasette, sha))
        return markupsafe.Markup(" · ".join(parts))
    if table == "report_figures" and column == "url" and isinstance(raw, str) and raw.startswith(("http://", "https://")):
        return markupsafe.Markup(_original_link(raw))
    if column in ("sha256", "parsed_sha256", "archived_sha256", "old_sha256", "new_sha256") and isinstance(raw, str) and DIGEST.fullmatch(raw):
        if table in ("bodies", "archive_files") and column == "sha256":
            return markupsafe.Markup(f"{html.escape(raw)} · {_archive_link(datasette, raw)}")
        body = _row_link(datasette, database, "bodies", raw, raw[:12] + "…", title=raw)
        return markupsafe.Markup(f"{body} · {_archive_link(datasette, raw)}")
    if column == "origin" and table in ("metrics", "figures") and isinstance(raw, str):
        cell = _origin_cell(datasette, raw, _value(row, "certain"))
        if cell is not None:
            return markupsafe.Markup(cell)
    if column == "key" and table in ("metrics", "figures") and isinstance(raw, str):
        labels = _definitions_cache.get((id(datasette), database))
        if labels is None:  # read once (the database is immutable): then every cell is answered without waiting
            return _KEY_LABELS_PENDING
        if raw in labels:
            return markupsafe.Markup(_row_link(datasette, database, "metric_definitions", raw, raw, title=labels[raw]))
    if column == "report_id" and table in ("figures", "report_status", None) and isinstance(raw, int):
        return markupsafe.Markup(_row_link(datasette, database, "reports", raw, str(raw)))
    if column == "site" and table in ("reports", "crawl_runs") and isinstance(raw, str):
        return markupsafe.Markup(_row_link(datasette, database, "sites", raw, raw))
    if table == "report_figures" and column == "title" and isinstance(raw, str):
        report_id = _value(row, "report_id")
        if isinstance(report_id, int):  # a report's row leads to the report and to its figures
            figures = str(datasette.urls.table(database, "figures")) + "?" + urlencode({"report_id": report_id})
            return markupsafe.Markup(f'{_row_link(datasette, database, "reports", report_id, raw)} · '
                                     f'<a class="xxgk-figures" href="{html.escape(figures)}">figures · 数据</a>')
    if table == "metric_definitions" and column == "label" and isinstance(raw, str):
        key = _value(row, "key")
        if isinstance(key, str):  # a definition leads to its figures
            figures = str(datasette.urls.table(database, "figures")) + "?" + urlencode({"key": key})
            return markupsafe.Markup(f'{html.escape(raw)} · '
                                     f'<a class="xxgk-figures" href="{html.escape(figures)}">figures · 数据</a>')
    if column == "agency" and table in (None, "reports", "report_figures", "figures", "timeliness") \
            and isinstance(raw, str) and raw:
        # an agency leads to its body's page (publish/plugins/body_page.py); in a query's results, also to
        # its headline figures year by year (agency_time_series)
        body = html.escape(str(datasette.urls.path("/-/body")) + "?" + urlencode({"agency": raw}))
        if table is not None:
            return markupsafe.Markup(f'<a class="xxgk-body" href="{body}">{html.escape(raw)}</a>')
        years = str(datasette.urls.database(database)) + "/agency_time_series?" + urlencode({"agency": raw})
        return markupsafe.Markup(f'<a class="xxgk-agency" href="{html.escape(years)}">{html.escape(raw)}</a> · '
                                 f'<a class="xxgk-body" href="{body}">body · 机关</a>')
    if column == "context" and table is None and isinstance(raw, str) and MATCH_OPEN in raw:
        # search_text marks the words found ⟦…⟧: highlighted here, escaped like any text
        marked = html.escape(raw).replace(MATCH_OPEN, "<mark>").replace(MATCH_CLOSE, "</mark>")
        return markupsafe.Markup(marked)
    if column == "crawl_run_id" and table == "fetches" and raw is not None and not isinstance(value, dict):
        return markupsafe.Markup(_row_link(datasette, database, "crawl_runs", raw, str(raw)))
    return None


# --------------------------------------------------------------------------
# /-/charts: server-side SVG
# --------------------------------------------------------------------------

LEVELS = [
    ("province", "省级", "#1b6ca8"), ("prefecture", "地市级", "#4fa3d1"), ("county", "县级", "#f28e2b"),
    ("township", "乡镇级", "#e15759"), ("department", "部门", "#76b7b2"), (None, "未知", "#9c9c9c"),
]
OUTCOMES = [
    ("disclosed", "予以公开", "#2e7d32", "disclosed"), ("partly_disclosed", "部分公开", "#9ccc65", "partly"),
    ("withheld", "不予公开", "#c62828", "withheld"), ("unavailable", "无法提供", "#ff9800", "unavailable"),
    ("not_processed", "不予处理", "#7e57c2", "not processed"), ("other_outcome", "其他处理", "#9e9e9e", "other"),
]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 4, 6 or 8 × 10^n at or above ``value``: an axis maximum whose quarters are round."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 4, 6, 8, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _fmt(number: float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,.1f}"


# The report forms years are compared across (reports.format), and the
# change each marks on a chart of years: the 2019 regulations' table form and
# the 2021 one count outcomes differently from the 2008 form and each other.
TEMPLATE_ERAS = {"legacy-table": "2008", "legacy-text": "2008", "2019-template": "2019", "2021-template": "2021"}
TEMPLATE_MARKS = {"2008": "2008 form · 2008年格式", "2019": "2019 form · 2019年新格式",
                  "2021": "2021 form · 2021年新格式"}


def template_marks(eras: list[str | None]) -> list[tuple[int, str]]:
    """Where a chart's categories (in order, each with its form's era) change
    form: (index of the first category of the new form, its label)."""
    marks = []
    for i in range(1, len(eras)):
        if eras[i] and eras[i - 1] and eras[i] != eras[i - 1]:
            marks.append((i, TEMPLATE_MARKS.get(eras[i], eras[i])))
    return marks


def bar_chart_svg(title: str, categories: list, series: list[tuple[str, str, list[float]]], *, percent: bool = False,
                  unit: str = "", notes: list[str] | None = None, marks: list[tuple[int, str]] | None = None) -> str:
    """A stacked bar chart as an SVG string (every text escaped). ``notes``: a
    second line under each category (how many reports); ``marks``: dashed
    lines before the categories where the report form changes, labelled."""
    width, height = 760, 356
    left, right, top, bottom = 64, 190, 28, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] or 0 for _, _, values in series) for i in range(len(categories))]
    top_value = 100.0 if percent else nice_ceiling(max(totals + [0]))
    step = plot_w / max(len(categories), 1)
    bar_w = min(56.0, step * 0.7)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'class="xxgk-chart-svg" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
    ]
    for i in range(5):  # gridlines and y-axis labels
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        label = f"{value:.0f}%" if percent else _fmt(value)
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#444">{label}</text>')
    for index, category in enumerate(categories):
        x = left + step * index + (step - bar_w) / 2
        y = top + plot_h
        for name, color, values in series:
            value = values[index] or 0
            if not value:
                continue
            shown = value * 100 / totals[index] if percent and totals[index] else value
            h = plot_h * shown / top_value
            y -= h
            tip = f"{category} · {name}: " + (f"{shown:.1f}% ({_fmt(value)}{unit})" if percent else f"{_fmt(value)}{unit}")
            out.append(
                f'<rect class="bar" data-series="{html.escape(name)}" data-category="{html.escape(str(category))}" '
                f'data-value="{value}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{color}"><title>{html.escape(tip)}</title></rect>'
            )
        if not percent and totals[index]:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">'
                       f"{_fmt(totals[index])}</text>")
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="12">'
                   f"{html.escape(str(category))}</text>")
        if notes and index < len(notes) and notes[index]:
            out.append(f'<text class="note" x="{x + bar_w / 2:.1f}" y="{top + plot_h + 33}" text-anchor="middle" '
                       f'font-size="10" fill="#555">{html.escape(notes[index])}</text>')
    for index, label in marks or []:
        x = left + step * index
        out.append(f'<line class="template-change" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 14}" y2="{top + plot_h}" '
                   f'stroke="#333" stroke-dasharray="4 3"><title>{html.escape(label)}</title></line>')
        out.append(f'<text class="template-change" x="{x + 3:.1f}" y="{top - 4}" font-size="10" fill="#333">'
                   f"{html.escape(label)}</text>")
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>')
    for i, (name, color, _) in enumerate(series):  # legend
        y = top + 8 + i * 20
        out.append(f'<rect x="{left + plot_w + 16}" y="{y}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{left + plot_w + 34}" y="{y + 11}" font-size="12">{html.escape(name)}</text>')
    if not categories:
        out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle">no data</text>')
    out.append("</svg>")
    return "".join(out)


CHARTS_TEMPLATE = """{% extends "base.html" %}
{% block title %}Charts · 图表{% endblock %}
{% block extra_head %}<style>
.xxgk-chart { margin: 1.5em 0 2.5em; max-width: 800px; }
.xxgk-chart table { font-size: 0.85em; }
.xxgk-filters label { margin-right: 1em; }
</style>{% endblock %}
{% block crumbs %}<p class="crumbs"><a href="{{ urls.instance() }}">home</a></p>{% endblock %}
{% block content %}
<h1>Charts · 图表</h1>
<p>Figures parsed from the archived reports ({{ report_count }} reports{% if filters_text %}: {{ filters_text }}{% endif %}).
Every bar has its numbers on hover and in the table below it; each chart links to the SQL behind it.</p>
<form class="xxgk-filters" method="get" action="{{ urls.path('/-/charts') }}">
  <label>Province 省 <select name="province"><option value="">all 全部</option>
  {% for p in provinces %}<option{% if p == province %} selected{% endif %}>{{ p }}</option>{% endfor %}</select></label>
  <label>Level 层级 <select name="admin_level"><option value="">all 全部</option>
  {% for l in levels %}<option{% if l == admin_level %} selected{% endif %}>{{ l }}</option>{% endfor %}</select></label>
  <input type="submit" value="Show">
</form>
{% for chart in charts %}
<section class="xxgk-chart" id="{{ chart.id }}">
  <h2>{{ chart.title }}</h2>
  <p>{{ chart.description }}</p>
  {{ chart.svg }}
  <details><summary>The numbers · 数据</summary>
  <table><thead><tr><th>year</th>{% for h in chart.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
  <tbody>{% for row in chart.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</tbody></table>
  </details>
  <p><a href="{{ chart.query_url }}">Open the query behind this chart</a></p>
</section>
{% endfor %}
{% endblock %}"""

_WHERE = "(:province = '' OR province = :province) AND (:admin_level = '' OR admin_level = :admin_level)"
# The charts add up report_figures per year: read from report_sums, report_figures
# summed per province, year, level and form by publish/prepare.py (the same
# numbers; report_figures read whole at each visit was most of the page's time).
REQUESTS_SQL = f"""SELECT year, admin_level, sum(requests_received) AS requests_received,
  sum(requests_received_reports) AS reports
FROM report_sums WHERE year IS NOT NULL AND {_WHERE}
GROUP BY year, admin_level ORDER BY year, admin_level"""
REQUESTS_ERAS_SQL = f"""SELECT year, format, sum(requests_received_reports) AS reports
FROM report_sums WHERE year IS NOT NULL AND {_WHERE}
GROUP BY year, format HAVING sum(requests_received_reports) > 0 ORDER BY year, reports DESC, format"""
# One bar per year and report form (a year whose reports use two forms has a
# bar for each): an outcome a form does not state stays NULL, never 0.
OUTCOMES_SQL = f"""SELECT year, format, {", ".join(f"sum({c}) AS {c}" for c, *_ in OUTCOMES)},
  sum(stated_reports) AS reports
FROM report_sums WHERE year IS NOT NULL AND {_WHERE} AND stated_reports > 0
GROUP BY year, format ORDER BY year, format"""


async def charts_view(datasette, request):
    if request.method not in ("GET", "HEAD"):
        return Response.text("read-only", status=405, headers={"Allow": "GET, HEAD"})
    db = await _catalogue(datasette)
    if db is None or not await db.table_exists("report_sums"):
        return Response.html("<h1>No prepared catalogue is served here</h1>", status=404)
    province = request.args.get("province", "")
    admin_level = request.args.get("admin_level", "")
    params = {"province": province, "admin_level": admin_level}
    provinces = [r[0] for r in (await db.execute(
        "SELECT DISTINCT province FROM report_sums WHERE province IS NOT NULL ORDER BY province")).rows]
    levels = [r[0] for r in (await db.execute(
        "SELECT DISTINCT admin_level FROM report_sums WHERE admin_level IS NOT NULL ORDER BY admin_level")).rows]
    report_count = (await db.execute(
        f"SELECT coalesce(sum(reports), 0) FROM report_sums WHERE {_WHERE}", params)).single_value()

    rows = (await db.execute(REQUESTS_SQL, params)).rows
    years = sorted({r["year"] for r in rows})
    known = {code for code, _, _ in LEVELS}
    series = []
    for code, name, color in LEVELS:
        values = [sum(r["requests_received"] or 0 for r in rows if r["year"] == y and
                      (r["admin_level"] == code or (code is None and r["admin_level"] not in known))) for y in years]
        if any(values):
            series.append((f"{name} {code or ''}".strip(), color, values))
    behind = {y: sum(r["reports"] for r in rows if r["year"] == y) for y in years}
    era_of: dict = {}
    for r in (await db.execute(REQUESTS_ERAS_SQL, params)).rows:  # a year's main form: its most reports'
        era_of.setdefault(r["year"], TEMPLATE_ERAS.get(r["format"]))
    requests_chart = {
        "id": "requests-per-year",
        "title": "Requests received per year · 本年新收政府信息公开申请数量",
        "description": "Sum of requests.new.total over the reports of each year that state it, stacked by "
                       "administrative level; n = the reports behind each bar. Dashed lines: the report form changed.",
        "svg": markupsafe.Markup(bar_chart_svg("Requests received per year", years, series, unit=" 件",
                                               notes=[f"n={behind[y]}" for y in years],
                                               marks=template_marks([era_of.get(y) for y in years]))),
        "headers": [s[0] for s in series] + ["total", "reports"],
        "rows": [[y] + [_fmt(s[2][i]) for s in series] + [_fmt(sum(s[2][i] for s in series)), behind[y]]
                 for i, y in enumerate(years)],
        "query_url": datasette.urls.database(db.name) + "?" + urlencode({"sql": REQUESTS_SQL, **params}),
    }

    rows = (await db.execute(OUTCOMES_SQL, params)).rows
    per_year = {}
    for r in rows:
        per_year[r["year"]] = per_year.get(r["year"], 0) + 1
    categories = [str(r["year"]) if per_year[r["year"]] == 1 else f"{r['year']} ({TEMPLATE_ERAS.get(r['format'], r['format'])})"
                  for r in rows]
    series = [(f"{name} {english}", color, [r[code] for r in rows]) for code, name, color, english in OUTCOMES]
    outcome_rows = []
    for i, r in enumerate(rows):
        total = sum(s[2][i] or 0 for s in series)
        cells = [f"{s[2][i] * 100 / total:.1f}% ({_fmt(s[2][i])})" if total and s[2][i] is not None
                 else "not stated · 未列" if s[2][i] is None else "–" for s in series]
        outcome_rows.append([categories[i]] + cells + [r["format"], r["reports"]])
    outcomes_chart = {
        "id": "outcome-shares",
        "title": "Outcome shares per year · 申请办理结果占比",
        "description": "How answered requests ended, as shares of the outcomes the reports state (予以公开 … 其他处理), "
                       "per year and report form; n = the reports behind each bar. The 2008 form states no 无法提供, "
                       "不予处理 or 其他处理: those are not stated (not 0), and the shares of the forms are not "
                       "comparable across the dashed lines.",
        "svg": markupsafe.Markup(bar_chart_svg("Outcome shares per year", categories, series, percent=True, unit=" 件",
                                               notes=[f"n={r['reports']}" for r in rows],
                                               marks=template_marks([TEMPLATE_ERAS.get(r["format"]) for r in rows]))),
        "headers": [s[0] for s in series] + ["form", "reports"],
        "rows": outcome_rows,
        "query_url": datasette.urls.database(db.name) + "?" + urlencode({"sql": OUTCOMES_SQL, **params}),
    }
    filters_text = ", ".join(v for v in (province, admin_level) if v)
    template = datasette.jinja_env.from_string(CHARTS_TEMPLATE)
    return Response.html(
        await datasette.render_template(
            template,
            {
                "charts": [requests_chart, outcomes_chart], "provinces": provinces, "levels": levels,
                "province": province, "admin_level": admin_level, "report_count": report_count,
                "filters_text": filters_text,
            },
            request=request,
        )
    )


# --------------------------------------------------------------------------
# Wiring
# --------------------------------------------------------------------------


@hookimpl
def register_routes(datasette):
    return [
        (r"^/-/archive/(?P<sha256>[^/]*)$", archive_view),
        (r"^/-/crop/(?P<sha256>[^/]*)$", crop_view),
        (r"^/-/charts$", charts_view),
    ]


@hookimpl
def menu_links(datasette, actor, request):
    return [
        {"href": datasette.urls.path("/-/charts"), "label": "Charts · 图表"},
    ]


@hookimpl
def asgi_wrapper(datasette):
    """Refuse raw static serving of an archive folder.

    A hosted deployment ships the archive with ``--static`` (the only way
    ``datasette package`` copies a folder into the image); its bytes must only
    be reachable through /-/archive/, with safe headers, so any static mount
    that is an archive folder (has ``sha256/`` inside) answers 404."""
    blocked = [
        f"/{mount}/" for mount, dirname in datasette.static_mounts if (Path(dirname) / "sha256").is_dir()
    ]

    def wrap(app):
        if not blocked:
            return app

        async def guarded(scope, receive, send):
            if scope.get("type") == "http" and any(scope.get("path", "").startswith(p) for p in blocked):
                await Response.text("not served", status=404, headers=dict(SECURITY_HEADERS)).asgi_send(send)
                return
            await app(scope, receive, send)

        return guarded

    return wrap


COLLAPSE_COLUMN_DESCRIPTIONS = """
document.querySelectorAll('dl.column-descriptions').forEach(function (dl) {
  var details = document.createElement('details');
  details.className = 'xxgk-column-descriptions';
  var summary = document.createElement('summary');
  summary.textContent = 'Column descriptions · 字段说明 (' + dl.querySelectorAll('dt').length + ')';
  dl.parentNode.insertBefore(details, dl);
  details.appendChild(summary);
  details.appendChild(dl);
});
"""


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    """Fold a table's column descriptions under a summary line, so that the rows
    come first (the full list is one click away, and on every column's menu)."""
    if view_name == "table":
        return COLLAPSE_COLUMN_DESCRIPTIONS
    return None
