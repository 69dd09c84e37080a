"""The hostile portal: a handful of good reports beside every fault a crawler meets.

Real portals are not only oddly built, they are broken and sometimes hostile:
pagers that claim a hundred million pages, calendars without end, redirect
loops, files cut or flipped in transit, a DOCX that inflates to a gigabyte,
pages that say 页面不存在 with status 200, servers that drip, reset or cut a
body short, charsets declared wrong, anti-bot walls.  This site puts each of
those at its own URL, linked from its 年报 list (or the list's sub-columns)
the way a real portal would, next to a few GOOD reports -- real reports of
``tests/gold/real`` -- that a crawler must still archive and parse.

It is **opt-in** (``families.OPT_IN_FAMILIES``): served only when asked for
by name (``serve_sites_in_thread(["hostile"])``, ``python -m sample_portal
--family hostile``), never by ``--all`` or the demo crawl.

:data:`FAULTS` is the one table of the faults: where each is, what kind it
is, how the list shows it, and what a crawler should end up recording.
Tests iterate over it.  URL shapes (UTF-8 unless a fault says otherwise)::

    /  /index.html                 home page: 政府信息公开 and 政府信息公开年报
    /xxgk/                         信息公开 page
    /xxgk/ndbg/                    the 年报 list: good reports, fault entries, sub-columns, a calendar
    /xxgk/ndbg/<slug>.html         a good report (a real report's page, or a page holding its text or its PDF)
    /xxgk/ndbg/files/<slug>.pdf    a good report's PDF, as tests/gold/real keeps it
    /xxgk/ndbg/bmnb/ …             部门年报: createPageHTML(100000000, 0, "index", "htm"); index_N.htm all
                                   answer (index.htm and index_1.htm hold reports, the rest are empty)
    /xxgk/ndbg/xznb/?page=N        乡镇年报: a 尾页 link to ?page=99999; every page answers (1 and 2 hold reports)
    /xxgk/ndbg/calendar.html?date= a calendar linking the next day (and month) forever
    /xxgk/ndbg/2024/*.htm          the faults served as report pages
    /xxgk/ndbg/files/*             the corrupt files and the zip bomb
    /xxgk/ndbg/redirect/*          the redirect loop, the 21-hop chain, the off-site redirect
    anything else                  a soft 404: status 200, 页面不存在

The zip bomb is built in memory when the site's routes are built (server
start), deterministically; nothing large is stored in the repository.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
import zlib
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Iterable
from urllib.parse import urlsplit

from .. import national, render
from ..manifest import BEIJING, Column, Document, ListEntry, Manifest, Report
from ..routing import Delivery, Request, Response, RouteTable
from ..sitekit import make_report, robots_txt
from .realdocs import REAL_DIR, RealReport, load_real_reports

FAMILY = "hostile"
ADDRESS = "127.0.0.8"
GOLD_DIR = REAL_DIR.parent
COLUMN_PATH = "/xxgk/ndbg/"
COLUMN_NAME = "政府信息公开年报"
TRS_COLUMN = COLUMN_PATH + "bmnb/"  # 部门年报: the 10^8-page TRS pager
PAGED_COLUMN = COLUMN_PATH + "xznb/"  # 乡镇年报: ?page=N up to a 尾页 of 99999
CALENDAR = COLUMN_PATH + "calendar.html"
FILES = COLUMN_PATH + "files/"
FAULT_DIR = COLUMN_PATH + "2024/"
REDIRECTS = COLUMN_PATH + "redirect/"

TRS_CLAIMED_PAGES = 100_000_000
PAGED_LAST_PAGE = 99_999
CALENDAR_START = date(2024, 1, 1)
CHAIN_HOPS = 21
OFFSITE_HOST = "127.0.0.9"  # another loopback host: nothing of the portal's there
BOMB_INFLATED = 1 << 30  # word/document.xml inflates to about this many bytes (1 GiB)
HUGE_PAGE_BYTES = 50 * 1024 * 1024
DRIP_SECONDS, DRIP_CHUNKS = 20.0, 40
FLIP_WIDTH = 512  # bytes inverted in the middle of a flipped file
BURST_503, BURST_500 = 3, 2  # failures before a burst resource answers 200
RETRY_TIMES = 3  # crawler.settings.RETRY_TIMES: what the shipped crawler gives up after

SITE = {
    "name": "测试县人民政府（敌意测试站）",
    "domain": "hostile.sample-portal.invalid",
    "sponsor": "测试县人民政府办公室",
    "note": ("本站是 xxgk-archive 的敌意测试站：栏目中除几篇真实年报（原样照录，注明来源）外，"
             "其余条目均为故意制造的故障（重定向循环、损坏文件、压缩炸弹、软404、连接重置等），"
             "用于检验爬虫的健壮性。"),
}
DISALLOW = ["/search/"]

# The good reports: real reports of tests/gold/real, the column whose list shows each,
# and on which of its pages (0-based). The trap lists have a real second page: a
# crawler that a trap (or another list's trap) keeps from paging misses a report.
GOOD = (
    ("pingtan-syq-2023", COLUMN_PATH, 0),  # a real portal page, byte for byte
    ("huaian-hongze-qzf-2023", COLUMN_PATH, 0),  # a page whose 附件 is the real PDF
    ("cw-pingtan-czj-2018", COLUMN_PATH, 0),  # a page holding a real report's text
    ("pingtan-syq-2022", TRS_COLUMN, 0),  # index.htm of the 10^8-page pager
    ("cw-pingtan-shsyj-2020", TRS_COLUMN, 1),  # its index_1.htm
    ("shuyang-fgj-2023", PAGED_COLUMN, 0),  # page 1 of the ?page=99999 list
    ("cw-pingtan-htp-2020", PAGED_COLUMN, 1),  # its ?page=2
)
FLIPPED_PDF_SOURCE = REAL_DIR / "huaian-hongze-qzf-2024.pdf"
FLIPPED_DOCX_SOURCE = GOLD_DIR / "t2021_jiaohe_2023_docx.docx"


@dataclass(frozen=True)
class Fault:
    """One fault of the hostile site and what a crawler should make of it.

    ``statuses``: the statuses the last ``fetches`` row for ``url()`` may
    have; ``None`` stands for a transport failure or a refusal (status NULL,
    ``error`` set). ``row_kind`` / ``row_says``: the ``kind`` and a phrase of
    the message the last row for ``witness`` (default: the fault's own path)
    must have, where the fault is more than its status (a loop, an anti-bot
    wall, a reset).  ``yields``: ``report`` -- once the fault is survived the entry is
    a good report, archived and parsed with figures; ``no-figures`` -- no
    report with figures may come of it; ``list`` -- a list page, whose other
    pages must stay bounded; ``any`` -- archived, whatever the parser makes
    of it (an error or warnings, never a crash of the run).
    """

    name: str
    kind: str
    path: str  # request target (with its query, if any)
    listed_as: str  # the link text the portal shows for it
    expect: str  # what a crawler should end up recording
    statuses: tuple[int | None, ...]
    yields: str
    placement: str = "entry"  # on the 年报 list: an 'entry', a sub-'column' link, or a day of the 'calendar'
    source: str | None = None  # slug of the real report (or path of the file) it serves
    scheme: str = "http"
    linked_from: str = COLUMN_PATH  # the page whose HTML links it
    host: str | None = None  # another host than the site's (same port)
    row_kind: str | None = None
    row_says: str | None = None
    witness: str | None = None  # the path whose last row shows row_kind/row_says
    attempts: int | None = None  # the last row's attempt number (retries given up), if fixed

    def url(self, base: str) -> str:
        """Absolute URL on the site at ``base`` (``http://127.0.0.8:PORT/``)."""
        parts = urlsplit(base)
        netloc = f"{self.host}:{parts.port}" if self.host else parts.netloc
        return f"{self.scheme}://{netloc}{self.path}"

    def witness_url(self, base: str) -> str:
        return dataclasses.replace(self, path=self.witness).url(base) if self.witness else self.url(base)


def _title(agency: str, year: int = 2023) -> str:
    return f"测试县{agency}{year}年政府信息公开工作年度报告"


FAULTS: tuple[Fault, ...] = (
    Fault("trs-pager-1e8", "pager", TRS_COLUMN, "部门年报",
          "the column page archived (200) and the good reports of its index.htm and index_1.htm crawled; of the "
          "100,000,000 pages its createPageHTML claims, at most XXGK_MAX_LIST_PAGES are fetched, and memory "
          "stays bounded",
          (200,), "list", placement="column"),
    Fault("page-99999", "pager", PAGED_COLUMN, "乡镇年报",
          "page 1 archived (200) and the good reports of pages 1 and 2 crawled; the 尾页 link to ?page=99999 "
          "does not make the crawler fetch 99,999 pages (at most XXGK_MAX_LIST_PAGES; ideally it stops at the "
          "first empty page)",
          (200,), "list", placement="column"),
    Fault("endless-calendar", "trap", f"{CALENDAR}?date={CALENDAR_START.isoformat()}", str(CALENDAR_START.day),
          "a bounded number of calendar pages (at most XXGK_MAX_LIST_PAGES, ideally none or one): the "
          "next-day and next-month links are not followed forever",
          (200,), "list", placement="calendar"),
    Fault("flipped-pdf", "corrupt-file", FILES + "sjj-2023.pdf", _title("审计局"),
          f"archived as sent (200); {FLIP_WIDTH} bytes in the middle are inverted, so parsing records an "
          "error (or reads what survives, with warnings); the run goes on",
          (200,), "any", source=str(FLIPPED_PDF_SOURCE.relative_to(GOLD_DIR.parents[1]))),
    Fault("flipped-docx", "corrupt-file", FILES + "tjj-2023.docx", _title("统计局"),
          f"archived as sent (200); {FLIP_WIDTH} bytes in the middle are inverted (a member fails its "
          "CRC), so parsing records an error; the run goes on",
          (200,), "any", source=str(FLIPPED_DOCX_SOURCE.relative_to(GOLD_DIR.parents[1]))),
    Fault("zip-bomb", "zip-bomb", FILES + "xfj-2023.docx", _title("信访局"),
          "archived as sent (200, about 1 MB); the parser refuses to inflate word/document.xml "
          "(about 1 GiB) and records an error; memory stays bounded",
          (200,), "no-figures"),
    Fault("redirect-loop", "redirect", REDIRECTS + "loop-a.htm", _title("民政局"),
          "its 302s recorded, the hop back to A with a message naming the redirect loop; no report",
          (302,), "no-figures", row_kind="redirect", row_says="redirect loop", witness=REDIRECTS + "loop-b.htm"),
    Fault("redirect-chain-21", "redirect", REDIRECTS + "chain-1.htm", _title("司法局"),
          f"the crawler stops at its redirect limit (20) on this {CHAIN_HOPS}-hop chain: a row with the "
          "302s, the last with a message naming REDIRECT_MAX_TIMES; no report",
          (302,), "no-figures", row_kind="redirect", row_says="REDIRECT_MAX_TIMES",
          witness=f"{REDIRECTS}chain-{CHAIN_HOPS}.htm"),
    Fault("redirect-offsite", "redirect", REDIRECTS + "offsite.htm", _title("商务局"),
          f"the redirect to another host ({OFFSITE_HOST}) is not followed: its 302 row says it leads to "
          "another site; nothing fetched from the other host",
          (302,), "no-figures", row_kind="redirect", row_says="another site"),
    Fault("offsite-link", "offsite", FAULT_DIR + "zrzyj-2023.htm", _title("自然资源局"),
          f"a report link to another host ({OFFSITE_HOST}): not followed, a row of kind offsite (no status, "
          "attempt 0) naming the host and the list it was on",
          (None,), "no-figures", host=OFFSITE_HOST, row_kind="offsite", row_says=OFFSITE_HOST),
    Fault("soft-404-listed", "soft-404", COLUMN_PATH + "202401/t20240116_4410025.htm", _title("农业农村局"),
          "archived (200) but recognised as a soft 404 (页面不存在), not taken for a report with figures",
          (200,), "no-figures", row_kind="soft_404"),
    Fault("soft-404-any-url", "soft-404", COLUMN_PATH + "202312/t20231228_4398817.htm", _title("水利局"),
          "a stale link: the portal answers it, as any URL it does not have, with a 200 页面不存在 page; "
          "recognised as a soft 404, no report",
          (200,), "no-figures", row_kind="soft_404"),
    Fault("burst-503", "http-status", FAULT_DIR + "burst-503.htm", "平潭综合实验区2024年度政府信息公开工作年度报告",
          f"retried with backoff (Retry-After: 1): rows 503 ×{BURST_503}, then 200; the report archived and parsed",
          (200,), "report", source="pingtan-syq-2024"),
    Fault("burst-500", "http-status", FAULT_DIR + "burst-500.htm", "平潭综合实验区公安局2013年度政府信息公开工作年度报告",
          f"retried with backoff: rows 500 ×{BURST_500}, then 200; the report archived and parsed",
          (200,), "report", source="cw-pingtan-gaj-2013"),
    Fault("always-503", "http-status", FAULT_DIR + "always-503.htm", _title("住房和城乡建设局"),
          "retried RETRY_TIMES times, then given up: the last row 503, attempt 4; no report; the crawl goes on",
          (503,), "no-figures", row_kind="http_error", attempts=RETRY_TIMES + 1),
    Fault("always-500", "http-status", FAULT_DIR + "always-500.htm", _title("交通运输局"),
          "retried RETRY_TIMES times, then given up: the last row 500, attempt 4; no report; the crawl goes on",
          (500,), "no-figures", row_kind="http_error", attempts=RETRY_TIMES + 1),
    Fault("slow-drip", "slow", FAULT_DIR + "slow-drip.htm", "2019年上海市人民政府办公厅政府信息公开工作年度报告",
          f"the whole body, dripped over about {DRIP_SECONDS:.0f} s (under DOWNLOAD_TIMEOUT), archived (200) "
          "and parsed; other requests go on meanwhile",
          (200,), "report", source="x-shanghai-bgt-2019"),
    Fault("reset-mid-body", "transport", FAULT_DIR + "reset.htm", "平潭县教育局2012年度政府信息公开年度报告",
          "an error row (connection reset mid-body) for each attempt; nothing half-received taken for a report",
          (None,), "no-figures", source="cw-pingtan-jyj-2012", row_kind="connection_reset", row_says="reset"),
    Fault("truncated-body", "transport", FAULT_DIR + "truncated.htm", "平潭县卫生局2012年度政府信息公开年度报告",
          "an error row (data loss: fewer bytes than Content-Length); no complete report",
          (None,), "no-figures", source="cw-pingtan-wsj-2012", row_kind="truncated", row_says="closed the connection"),
    Fault("gbk-declared-utf8", "charset", FAULT_DIR + "gbk-as-utf8.htm", "平潭综合实验区2019年度政府信息公开工作年度报告",
          "archived as sent (200); GBK detected although header and meta say UTF-8; parsed with its title "
          "and figures",
          (200,), "report", source="pingtan-syq-2019"),
    Fault("utf8-declared-gbk", "charset", FAULT_DIR + "utf8-as-gbk.htm", "平潭综合实验区2025年度政府信息公开工作年度报告",
          "archived as sent (200); UTF-8 detected although header and meta say GBK; parsed with its title "
          "and figures",
          (200,), "report", source="pingtan-syq-2025"),
    Fault("unclosed-tags", "markup", FAULT_DIR + "unclosed.htm", "平潭综合实验区2020年度政府信息公开工作年度报告",
          "parsed as the clean page would be: its figures read although no </td>, </tr>, </p> or </body> "
          "is ever written",
          (200,), "report", source="pingtan-syq-2020"),
    Fault("page-50mb", "size", FAULT_DIR + "page-50mb.htm", "平潭综合实验区2021年度政府信息公开工作年度报告",
          "fetched (50 MiB: above DOWNLOAD_WARNSIZE, under DOWNLOAD_MAXSIZE) and archived; parsed in bounded "
          "time and memory (the report before a 50 MiB inline image) or refused with a recorded error",
          (200,), "any", source="pingtan-syq-2021"),
    Fault("empty-200", "empty", FAULT_DIR + "empty.htm", _title("文化和旅游局"),
          "a 200 row of size 0; no report with figures (an empty body is recorded as such)",
          (200,), "no-figures"),
    Fault("anti-bot-412", "anti-bot", FAULT_DIR + "waf.htm", _title("市场监督管理局"),
          "a 412 row of kind anti_bot saying it is a JavaScript challenge (the page archived), not retried; "
          "no report",
          (412,), "no-figures", row_kind="anti_bot", row_says="JavaScript challenge"),
    Fault("absurd-figures", "figures", FAULT_DIR + "absurd.htm", _title("档案馆", 2017),
          "parsed; its table's 兼职人员数 ３０００００００００ (3,000,000,000 part-time staff) is not published as a "
          "plain figure: withheld, or flagged with a warning",
          (200,), "report"),
    Fault("tls-garbage", "tls", FAULT_DIR + "tls-handshake.htm", _title("生态环境局"),
          "an error row for the https:// URL (the TLS handshake fails: the port speaks plain HTTP); "
          "the crawl goes on",
          (None,), "no-figures", scheme="https", row_kind="tls"),
)
FAULTS_BY_NAME = {f.name: f for f in FAULTS}


# --------------------------------------------------------------------------
# Pages


def esc(text: str) -> str:
    return render.esc(text)


def page_html(title: str, content: str, *, charset: str = "utf-8", meta: Iterable[tuple[str, str]] = (),
              crumbs: Iterable[tuple[str, str]] = ()) -> str:
    """A page of the site around ``content`` (HTML)."""
    metas = "".join(f'<meta name="{esc(k)}" content="{render.attr(v)}">\n' for k, v in meta)
    trail = "".join(f' &gt; <a href="{render.attr(h)}">{esc(t)}</a>' for t, h in crumbs)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n{metas}'
            f"<title>{esc(title)}_{esc(SITE['name'])}</title>\n</head>\n<body>\n"
            f'<div class="header"><a href="/index.html">{esc(SITE["name"])}</a></div>\n'
            f'<div class="nav"><a href="/index.html">首页</a> <a href="/xxgk/">政府信息公开</a> '
            f'<a href="{COLUMN_PATH}">{COLUMN_NAME}</a></div>\n'
            f'<div class="position">当前位置：<a href="/index.html">首页</a>{trail}</div>\n'
            f'<div class="main">\n{content}\n</div>\n'
            f'<div class="footer"><p>{esc(SITE["note"])}</p></div>\n</body>\n</html>\n')


def article_html(title: str, agency: str, published: str, body: str, *, source_lines: Iterable[str] = (),
                 charset: str = "utf-8", test_data: bool = False) -> str:
    meta = [("ArticleTitle", title)] + ([("PubDate", published)] if published else [])
    if test_data:
        meta.append(("xxgk-test-data", "true"))
    sources = "".join(f"<p>{'原文来源：' if i == 0 else ''}{esc(line)}</p>\n" for i, line in enumerate(source_lines))
    note = '<p class="test-data">本页为 xxgk-archive 测试数据（TEST DATA），并非真实年报。</p>\n' if test_data else ""
    content = (f'<table class="xxgk-meta" border="1" cellspacing="0"><tr><td>发布机构：</td><td>{esc(agency)}</td>'
               f"<td>发布日期：</td><td>{esc(published)}</td></tr></table>\n"
               f'<h1 class="title">{esc(title)}</h1>\n<div class="content" id="zoom">\n{body}\n</div>\n'
               f'{note}<div class="real-source">\n{sources}</div>')
    return page_html(title, content, charset=charset, meta=meta, crumbs=[(COLUMN_NAME, COLUMN_PATH)])


SOFT_404 = page_html("页面不存在", '<div class="error"><h2>页面不存在</h2>\n'
                     "<p>抱歉，您访问的页面不存在或已被删除！</p>\n"
                     '<p><a href="/index.html">返回首页</a></p></div>').encode("utf-8")

# What an nginx plain-HTTP port answers a TLS ClientHello with (not TLS: the handshake fails).
_TLS_ANSWER_PAGE = (b"<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"
                    b"<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    b"</body>\r\n</html>\r\n")
TLS_ANSWER = (b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(_TLS_ANSWER_PAGE)) + _TLS_ANSWER_PAGE

# A JavaScript challenge as anti-bot walls (瑞数-style) answer a client without its cookie: status 412.
ANTI_BOT_PAGE = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
    "<meta http-equiv=\"Cache-Control\" content=\"no-cache, no-store, must-revalidate\">\n"
    "<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=48271;"
    "$_ts.cd=\"qhvcrXAlqGWLqaGqEAQhwAlqEGWrcqLhwsqwRsLqrqqhFsqqqqqhcaAlEaGhDXWrwqqmqqQqEG9HcaVhDXEmkqqcqqqqqGWqqqV"
    "hDfWlkcqmqqqqEGqhkqlhDX3mwsLwqqqqqEGrcAGlDXAmocG2qqqqqqqrwa3hDXAmr1qqqq\";"
    "if($_ts.lcd)$_ts.lcd();</script>\n"
    '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVI/c.FxJzG50F.dfe1675.js" r="m"></script>\n'
    "</head><body><noscript>请开启浏览器的JavaScript功能后访问。</noscript></body></html>\n"
).encode("utf-8")


def flip_middle(data: bytes, width: int = FLIP_WIDTH) -> bytes:
    """``data`` with ``width`` bytes in its middle inverted (each XOR 0xFF):
    same length, same head and tail, a damaged middle -- deterministic."""
    start = max(0, len(data) // 2 - width // 2)
    middle = bytes(b ^ 0xFF for b in data[start:start + width])
    return data[:start] + middle + data[start + len(middle):]


# --------------------------------------------------------------------------
# The zip bomb


class _RepeatedBlockDeflater:
    """A deflate compressor for a stream in which one block of bytes repeats:
    the block is compressed once and its bytes reused.  Every write ends with
    a full flush (byte-aligned, history reset), so each copy of the block is a
    self-contained run of deflate blocks, and the stream stays valid."""

    def __init__(self, block: bytes):
        self._z = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._block = block
        self._deflated: bytes | None = None

    def compress(self, data: bytes) -> bytes:
        if data is self._block:
            if self._deflated is None:
                self._deflated = self._z.compress(data) + self._z.flush(zlib.Z_FULL_FLUSH)
            return self._deflated
        return self._z.compress(data) + self._z.flush(zlib.Z_FULL_FLUSH)

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        return self._z.flush(mode)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BOMB_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'),
}


def zip_bomb_docx(title: str, inflated: int = BOMB_INFLATED, block_size: int = 1 << 20) -> bytes:
    """A DOCX of about ``inflated / 1000`` bytes whose ``word/document.xml``
    inflates to more than ``inflated`` bytes: a title paragraph, then one
    run of spaces.  Built with :mod:`zipfile`; the repeated block is
    deflated once (a second or so instead of a minute).  Deterministic."""
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W}"><w:body>'
            f'<w:p><w:r><w:t>{title}</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">').encode("utf-8")
    tail = b"</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"
    block = b" " * block_size
    buf = io.BytesIO()
    stamp = (2024, 1, 16, 9, 30, 0)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _BOMB_PARTS.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text)
        info = zipfile.ZipInfo("word/document.xml", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as member:
            if hasattr(member, "_compressor"):  # CPython's writer: deflate the repeated block once
                member._compressor = _RepeatedBlockDeflater(block)
            member.write(head)
            for _ in range(-(-inflated // block_size)):
                member.write(block)
            member.write(tail)
    return buf.getvalue()


# --------------------------------------------------------------------------
# Manifest


def _real_reports() -> dict[str, RealReport]:
    reports = {r.slug: r for r in load_real_reports()}
    wanted = [slug for slug, _, _ in GOOD] + [f.source for f in FAULTS if f.source and "/" not in f.source]
    missing = [s for s in wanted if s not in reports]
    if missing or not FLIPPED_PDF_SOURCE.is_file() or not FLIPPED_DOCX_SOURCE.is_file():
        raise FileNotFoundError(f"the hostile site serves files of {GOLD_DIR}; missing: "
                                f"{missing or [FLIPPED_PDF_SOURCE, FLIPPED_DOCX_SOURCE]}")
    return reports


def _good_report(rep: RealReport, column: str) -> RealReport:
    """A real report moved onto this site: its page in ``column``, its PDF under ``files/``."""
    path = f"{column}{rep.slug}.html"
    moved = dataclasses.replace(rep, id=f"hostile_{rep.slug}", path=path, page_path=path)
    if rep.attachment_path:
        moved.attachment_path = FILES + rep.attachment_path.rsplit("/", 1)[1]
    return moved


def _absurd_report() -> Report:
    """Generated TEST DATA (the legacy 附表) whose 兼职人员数 is ３０００００００００
    -- and whose 从事政府信息公开工作人员数 adds up, so only plausibility catches it."""
    fault = FAULTS_BY_NAME["absurd-figures"]
    rep = make_report(id="hostile_absurd_2017", agency="测试县档案馆", year=2017, seed="hostile",
                      site_name=SITE["name"], path=fault.path, page_path=fault.path, title=fault.listed_as,
                      published=datetime(2018, 3, 20, 10, 0, tzinfo=BEIJING), doc_id=4410031, column="ndbg")
    rows = rep.generated["tables"]["legacy"]
    by_label = {row[0]: row for row in rows if len(row) == 3}
    part_time = 3_000_000_000
    full_time = int(by_label["1.专职人员数（不包括政府公报及政府网站工作人员数）"][2])
    by_label["2.兼职人员数"][2] = {"show": full_width(part_time), "value": part_time}
    by_label["（三）从事政府信息公开工作人员数"][2] = {"show": full_width(full_time + part_time),
                                              "value": full_time + part_time}
    rep.figures = national.intended_figures(rep.template, rep.generated["tables"])
    return rep


def full_width(n: int) -> str:
    """``n`` in full-width digits (３０００…), as Word-pasted tables print them."""
    return "".join(chr(0xFF10 + int(d)) for d in str(n))


def load_manifest(skip: Iterable[str] = ()) -> Manifest:
    """The hostile site's manifest.  ``skip``: names of faults to leave unlinked
    (still served) -- to watch a crawler meet the others without, say, the
    10^8-page pager."""
    skip = set(skip)
    unknown = skip - set(FAULTS_BY_NAME)
    if unknown:
        raise ValueError(f"unknown faults {sorted(unknown)}")
    real = _real_reports()
    reports = [_good_report(real[slug], column) for slug, column, _ in GOOD]
    page_of = {f"{column}{slug}.html": page for slug, column, page in GOOD}
    faults = [f for f in FAULTS if f.name not in skip]
    updated = datetime(2024, 1, 31, 17, 0, tzinfo=BEIJING)
    columns = []
    for key, name, path, mechanics, pages in (
            ("ndbg", COLUMN_NAME, COLUMN_PATH, "none", [COLUMN_PATH]),
            ("bmnb", "部门年报", TRS_COLUMN, "trs", [TRS_COLUMN, TRS_COLUMN + "index_1.htm"]),
            ("xznb", "乡镇年报", PAGED_COLUMN, "page-param", [PAGED_COLUMN, PAGED_COLUMN + "?page=2"])):
        entries = [ListEntry(r, page_of[r.path], True, href="./" + r.path[len(path):]) for r in reports
                   if r.path.rsplit("/", 1)[0] + "/" == path]
        if key == "ndbg":
            entries += [ListEntry(_fault_document(f), 0, False, href=_href(f)) for f in faults
                        if f.placement == "entry"]
        extra = {"claimed_pages": TRS_CLAIMED_PAGES} if key == "bmnb" else (
            {"param": "page", "last_page": PAGED_LAST_PAGE} if key == "xznb" else {})
        for e in entries:
            e.document.list_page = e.page
        columns.append(Column(key=key, name=name, path=path, mechanics=mechanics, page_size=50, entries=entries,
                              pages=pages, extra=extra))
    return Manifest(
        family=FAMILY, site=dict(SITE), config={"faults": faults, "real": real}, column_path=COLUMN_PATH,
        page_size=50, reports=reports, distractors=[], documents=[], list_entries=columns[0].entries,
        offsite_links=[], disallowed_paths=list(DISALLOW), images=[], updated_at=updated, address=ADDRESS,
        columns=columns, list_targets=[COLUMN_PATH],
        flaky=[{"path": FAULTS_BY_NAME["burst-503"].path, "statuses": [503] * BURST_503, "retry_after": 1},
               {"path": FAULTS_BY_NAME["burst-500"].path, "statuses": [500] * BURST_500}],
        traps={"calendar": FAULTS_BY_NAME["endless-calendar"].path, "pager": TRS_COLUMN, "page-param": PAGED_COLUMN,
               "loop": FAULTS_BY_NAME["redirect-loop"].path, "retry": FAULTS_BY_NAME["burst-503"].path},
        start_path="/",
    )


def _fault_document(f: Fault) -> Document:
    return Document(id=f"hostile_{f.name}", path=f.path, title=f.listed_as,
                    published_at=datetime(2024, 1, 16, 9, 30, tzinfo=BEIJING), column="ndbg", doc_id=0)


def _href(f: Fault) -> str | None:
    """How the list writes the fault's link (None: absolute, built per host)."""
    if f.scheme != "http" or f.host:
        return None
    return "./" + f.path[len(COLUMN_PATH):] if f.path.startswith(COLUMN_PATH) else f.path


# --------------------------------------------------------------------------
# Routes


def _html(body: bytes, status: int = 200, content_type: str = "text/html; charset=utf-8", *,
          cacheable: bool = True, **kw) -> Response:
    return Response(status=status, body=body, content_type=content_type, cacheable=cacheable and status == 200, **kw)


def _li(href: str, title: str, day: str) -> str:
    return (f'<li><a href="{render.attr(href)}" target="_blank" title="{render.attr(title)}">{esc(title)}</a>'
            f"<span>{day}</span></li>")


def calendar_href(day: date) -> str:
    """A calendar day's link, relative to the 年报 folder (where list and calendar both are)."""
    return f"calendar.html?date={day.isoformat()}"


def calendar_grid(day: date, href: Callable[[date], str]) -> str:
    """A month table of ``day``'s month, each day a link (text: the day number), with
    <<, >> month links and 上一天 / 下一天."""
    first = day.replace(day=1)
    days = range(1, monthrange(day.year, day.month)[1] + 1)
    cells = "".join(f'<a href="{href(first.replace(day=d))}">{d}</a> ' for d in days)
    prev_month = (first - timedelta(days=1)).replace(day=1) if first > date.min else first
    next_month = (first + timedelta(days=32)).replace(day=1) if (first.year, first.month) < (9999, 12) else first
    prev_day = day - timedelta(days=1) if day > date.min else day
    next_day = day + timedelta(days=1) if day < date.max else day
    return (f'<div class="calendar"><p><a href="{href(prev_month)}">&lt;&lt;</a> {day.year}年{day.month}月 '
            f'<a href="{href(next_month)}">&gt;&gt;</a></p>\n<p class="days">{cells}</p>\n'
            f'<p><a href="{href(prev_day)}">上一天</a> <a href="{href(next_day)}">下一天</a></p></div>')


class HostileSite:
    def __init__(self, m: Manifest):
        self.m = m
        self.real: dict[str, RealReport] = m.config["real"]
        self.faults: list[Fault] = m.config["faults"]
        self.routes = RouteTable()

    # -- the pages of the site ----------------------------------------------------

    def build(self) -> RouteTable:
        r, m = self.routes, self.m
        robots = robots_txt(m.site["domain"], m.disallowed_paths)
        r.add("/robots.txt", lambda req: Response(body=robots, content_type="text/plain", last_modified=m.updated_at))
        home = page_html("首页", f'<p>{esc(SITE["note"])}</p>\n<ul><li><a href="/xxgk/">政府信息公开</a></li>'
                                f'<li><a href="{COLUMN_PATH}">{COLUMN_NAME}</a></li></ul>').encode("utf-8")
        for path in ("/", "/index.html"):
            r.add(path, lambda req: _html(home, last_modified=m.updated_at))
        xxgk = page_html("政府信息公开", f'<ul><li><a href="{COLUMN_PATH}">{COLUMN_NAME}</a></li></ul>',
                         crumbs=[("政府信息公开", "/xxgk/")]).encode("utf-8")
        r.add("/xxgk/", lambda req: _html(xxgk, last_modified=m.updated_at))
        r.add(COLUMN_PATH, self.main_list)
        r.add(COLUMN_PATH + "index.html", self.main_list)
        r.add_prefix(TRS_COLUMN, self.trs_list)
        r.add(PAGED_COLUMN, self.paged_list)
        r.add(CALENDAR, self.calendar)
        for rep in m.reports:
            r.add(rep.path, self.good_report(rep))
            if rep.attachment_path:
                r.add(rep.attachment_path, lambda req, rep=rep: Response(
                    body=rep.body, content_type=rep.attachment_content_type, last_modified=rep.published_at))
        self.add_faults()
        r.not_found = lambda req: _html(SOFT_404, cacheable=False)  # any unknown URL: a soft 404
        r.tls_answer = TLS_ANSWER
        return r

    def entries_html(self, column: Column, base_url: str, page: int = 0) -> str:
        """The ``<ul>`` of the column's entries on its ``page`` (0-based)."""
        items = []
        for e in (e for e in column.entries if e.page == page):
            href = e.href or FAULTS_BY_NAME[e.document.id[len("hostile_"):]].url(base_url + "/")
            items.append(_li(href, e.document.title, e.document.published))
        return '<ul class="list">\n' + "\n".join(items) + "\n</ul>" if items else '<p class="empty">暂无信息</p>'

    def main_list(self, req: Request) -> Response:
        col = self.m.columns[0]
        linked = {f.path for f in self.faults if f.placement == "column"}
        side = "".join(f'<li><a href="./{c.path[len(COLUMN_PATH):]}">{esc(c.name)}</a></li>'
                       for c in self.m.columns[1:] if c.path in linked)
        calendar = ""
        if any(f.placement == "calendar" for f in self.faults):
            calendar = "<h3>按日期浏览</h3>\n" + calendar_grid(CALENDAR_START, calendar_href)
        content = (f'<div class="list-main"><h2>{COLUMN_NAME}</h2>\n{self.entries_html(col, req.base_url)}</div>\n'
                   f'<div class="side"><h3>栏目导航</h3><ul>{side}</ul>\n{calendar}</div>')
        body = page_html(COLUMN_NAME, content, crumbs=[(COLUMN_NAME, COLUMN_PATH)]).encode("utf-8")
        return _html(body, last_modified=self.m.updated_at)

    def trs_list(self, req: Request) -> Response:
        """部门年报: index.htm and index_1.htm (its reports), and index_N.htm (empty) for every
        other N the pager claims."""
        name = req.path[len(TRS_COLUMN):]
        match = re.fullmatch(r"index(?:_(\d{1,9}))?\.htm", name)
        if name == "":
            current = 0
        elif match and int(match.group(1) or 0) < TRS_CLAIMED_PAGES:
            current = int(match.group(1) or 0)
        else:
            return _html(SOFT_404, cacheable=False)
        col = self.m.columns[1]
        entries = self.entries_html(col, req.base_url, current)
        content = (f"<h2>{col.name}</h2>\n{entries}\n<div class=\"page\">\n"
                   f"{TRS_PAGER_SCRIPT}\n<script type=\"text/javascript\">"
                   f'createPageHTML({TRS_CLAIMED_PAGES}, {current}, "index", "htm");</script>\n</div>')
        body = page_html(col.name, content, crumbs=[(COLUMN_NAME, COLUMN_PATH), (col.name, TRS_COLUMN)])
        return _html(body.encode("utf-8"), last_modified=self.m.updated_at)

    def paged_list(self, req: Request) -> Response:
        """乡镇年报: ?page=1 and ?page=2 hold reports; every later page up to the 尾页 (99999), and past it, is empty."""
        try:
            page = max(1, int(req.params().get("page") or 1))
        except ValueError:
            page = 1
        col = self.m.columns[2]
        entries = self.entries_html(col, req.base_url, page - 1)
        window = range(max(1, page - 2), min(PAGED_LAST_PAGE, page + 2) + 1)
        links = [f'<a href="?page=1">首页</a>', f'<a href="?page={max(1, page - 1)}">上一页</a>']
        links += [f"<span>{n}</span>" if n == page else f'<a href="?page={n}">{n}</a>' for n in window]
        links += [f'<a href="?page={page + 1}">下一页</a>', f'<a href="?page={PAGED_LAST_PAGE}">尾页</a>',
                  f"<span>共{PAGED_LAST_PAGE}页</span>"]
        content = f'<h2>{col.name}</h2>\n{entries}\n<div class="pager">{" ".join(links)}</div>'
        body = page_html(col.name, content, crumbs=[(COLUMN_NAME, COLUMN_PATH), (col.name, PAGED_COLUMN)])
        return _html(body.encode("utf-8"), last_modified=self.m.updated_at)

    def calendar(self, req: Request) -> Response:
        try:
            day = date.fromisoformat(req.params().get("date", ""))
        except ValueError:
            return _html(SOFT_404, cacheable=False)
        content = (f"<h2>{day.year}年{day.month}月{day.day}日发布的信息</h2>\n<p class=\"empty\">当日无发布信息</p>\n"
                   + calendar_grid(day, calendar_href))
        body = page_html("按日期浏览", content, crumbs=[(COLUMN_NAME, COLUMN_PATH)]).encode("utf-8")
        return _html(body, last_modified=self.m.updated_at)

    def good_report(self, rep: RealReport) -> Callable[[Request], Response]:
        body = real_page(rep, attachment_href=rep.attachment_path)
        return lambda req: _html(body, last_modified=rep.published_at)

    # -- the faults ---------------------------------------------------------------

    def add_faults(self) -> None:
        r, real = self.routes, self.real
        f = FAULTS_BY_NAME
        r.add(f["flipped-pdf"].path, _file(flip_middle(FLIPPED_PDF_SOURCE.read_bytes()), "application/pdf"))
        r.add(f["flipped-docx"].path, _file(
            flip_middle(FLIPPED_DOCX_SOURCE.read_bytes()),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        r.add(f["zip-bomb"].path, _file(zip_bomb_docx(f["zip-bomb"].listed_as), "application/octet-stream",
                                        disposition='attachment; filename="xfj-2023.docx"'))
        self.add_redirects()
        r.add(f["soft-404-listed"].path, lambda req: _html(SOFT_404, cacheable=False))
        # soft-404-any-url has no route: the not-found handler answers it
        for name in ("burst-503", "burst-500"):  # they fail first through manifest.flaky
            r.add(f[name].path, _page(real_page(real[f[name].source])))
        r.add(f["always-503"].path, lambda req: _error(503, {"Retry-After": "2"}))
        r.add(f["always-500"].path, lambda req: _error(500))
        r.add(f["slow-drip"].path, _page(real_page(real[f["slow-drip"].source]),
                                         delivery=Delivery("drip", seconds=DRIP_SECONDS, chunks=DRIP_CHUNKS)))
        r.add(f["reset-mid-body"].path, _page(real_page(real[f["reset-mid-body"].source]),
                                              delivery=Delivery("reset", cut=0.5)))
        r.add(f["truncated-body"].path, _page(real_page(real[f["truncated-body"].source]),
                                              delivery=Delivery("truncate", cut=0.5)))
        gbk = real_page(real[f["gbk-declared-utf8"].source]).decode("utf-8").encode("gbk", "xmlcharrefreplace")
        r.add(f["gbk-declared-utf8"].path, _page(gbk, content_type="text/html; charset=utf-8"))
        utf8 = real_page(real[f["utf8-declared-gbk"].source]).replace(b'<meta charset="utf-8"',
                                                                      b'<meta charset="gbk"', 1)
        r.add(f["utf8-declared-gbk"].path, _page(utf8, content_type="text/html; charset=gbk"))
        r.add(f["unclosed-tags"].path, _page(unclose_tags(real_page(real[f["unclosed-tags"].source]))))
        r.add(f["page-50mb"].path, _page(pad_with_inline_image(real_page(real[f["page-50mb"].source]),
                                                               HUGE_PAGE_BYTES)))
        r.add(f["empty-200"].path, lambda req: _html(b"", cacheable=False))
        r.add(f["anti-bot-412"].path, lambda req: _html(ANTI_BOT_PAGE, 412, headers={
            "Set-Cookie": "FSSBBIl1UgzbN7N80S=Wq3hV1mNnJxR4cQpE2kT8aYzL6sD0fGb; Path=/; HttpOnly",
            "Cache-Control": "no-cache, no-store"}))
        absurd = _absurd_report()
        r.add(f["absurd-figures"].path, _page(article_html(
            absurd.title, absurd.agency, absurd.published, render.report_body(absurd), test_data=True,
            source_lines=["xxgk-archive 生成的测试数据（sample_portal/generate.py），兼职人员数故意写为３０００００００００"],
        ).encode("utf-8")))
        # tls-garbage: https:// to this plain-HTTP port; the server answers the ClientHello (routes.tls_answer)

    def add_redirects(self) -> None:
        r, f = self.routes, FAULTS_BY_NAME
        loop_a, loop_b = f["redirect-loop"].path, REDIRECTS + "loop-b.htm"
        r.add(loop_a, lambda req: _redirect(req.base_url + loop_b))
        r.add(loop_b, lambda req: _redirect(req.base_url + loop_a))
        for hop in range(1, CHAIN_HOPS + 1):
            r.add(f"{REDIRECTS}chain-{hop}.htm",
                  lambda req, hop=hop: _redirect(f"{req.base_url}{REDIRECTS}chain-{hop + 1}.htm"))
        end = page_html("重定向链终点", f"<p>本页是{CHAIN_HOPS}次重定向之后的终点。</p>").encode("utf-8")
        r.add(f"{REDIRECTS}chain-{CHAIN_HOPS + 1}.htm", lambda req: _html(end))

        def offsite(req: Request) -> Response:
            port = urlsplit(req.base_url).port or 80
            return _redirect(f"http://{OFFSITE_HOST}:{port}/xxgk/ndbg/2024/swj-2023.htm")

        r.add(f["redirect-offsite"].path, offsite)


TRS_PAGER_SCRIPT = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){ return; }
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0){ document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;"); }
	else{
		var sPreFileExt = nCurrIndex - 1 == 0 ? "" : ("_" + (nCurrIndex - 1));
		document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
		document.write("<a href=\\"" + _sPageName + sPreFileExt + "." + _sPageExt + "\\">上一页</a>&nbsp;");
	}
	for(var i=0; i<_nPageCount; i++){
		var sCurrFileExt = i == 0 ? "" : ("_" + i);
		if(i == nCurrIndex){ document.write("<span class=\\"current\\">" + (i+1) + "</span>&nbsp;"); }
		else{ document.write("<a href=\\"" + _sPageName + sCurrFileExt + "." + _sPageExt + "\\">" + (i+1) + "</a>&nbsp;"); }
	}
	if(nCurrIndex == (_nPageCount-1)){ document.write("<span>下一页</span>&nbsp;<span>尾页</span>"); }
	else{
		document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>&nbsp;");
		document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>");
	}
}
</script>"""


def real_page(rep: RealReport, attachment_href: str | None = None) -> bytes:
    """The page a real report is served as: its portal page byte for byte; else a
    page linking its PDF (``attachment_href``); else a page holding its text."""
    if rep.served == "page":
        return rep.body
    if rep.served == "attachment":
        href = attachment_href or (FILES + rep.attachment_path.rsplit("/", 1)[1])
        name = href.rsplit("/", 1)[1]
        body = (f"<p>{esc(rep.title)}（详见附件）</p>\n"
                f'<p class="fj">附件：<a href="{render.attr(href)}" target="_blank">{esc(name)}</a></p>')
    else:
        body = f'<pre class="real-text">{esc(rep.text())}</pre>'
    return article_html(rep.title, rep.agency, rep.published, body, source_lines=rep.source_lines()).encode("utf-8")


_END_TAGS = re.compile(rb"</(?:td|tr|th|p|li|span|font)\s*>", re.I)


def unclose_tags(page: bytes) -> bytes:
    """The page with no </td>, </tr>, </th>, </p>, </li>, </span> or </font>,
    and nothing from </body> on: tags left open, as broken CMS templates leave them."""
    cut = page.lower().rfind(b"</body")
    return _END_TAGS.sub(b"", page[:cut] if cut >= 0 else page)


def pad_with_inline_image(page: bytes, total: int) -> bytes:
    """The page grown to exactly ``total`` bytes by an inline base64 image before
    </body> -- what pasting a scanned table into a CMS editor produces."""
    cut = page.lower().rfind(b"</body")
    cut = cut if cut >= 0 else len(page)
    head, tail = page[:cut], page[cut:]
    img_head, img_tail = b'<p><img alt="" src="data:image/png;base64,iVBORw0KGgo', b'"></p>\n'
    fill = total - len(head) - len(tail) - len(img_head) - len(img_tail)
    if fill < 0:
        raise ValueError("page already larger than the total asked for")
    return head + img_head + b"A" * fill + img_tail + tail


def _page(body: bytes, *, content_type: str = "text/html; charset=utf-8", delivery: Delivery | None = None):
    return lambda req: Response(body=body, content_type=content_type, delivery=delivery,
                                cacheable=delivery is None)


def _file(body: bytes, content_type: str, disposition: str | None = None):
    headers = {"Content-Disposition": disposition} if disposition else {}
    return lambda req: Response(body=body, content_type=content_type, headers=headers, cacheable=False)


def _redirect(location: str) -> Response:
    return Response(status=302, body=b"", headers={"Location": location}, cacheable=False)


def _error(status: int, headers: dict[str, str] | None = None) -> Response:
    text = {500: "Internal Server Error", 503: "Service Temporarily Unavailable"}[status]
    body = (f"<html><head><title>{status} {text}</title></head><body><center><h1>{status} {text}</h1></center>"
            "<hr><center>nginx</center></body></html>").encode("ascii")
    return Response(status=status, body=body, headers=dict(headers or {}), cacheable=False)


def build(manifest: Manifest) -> RouteTable:
    return HostileSite(manifest).build()
