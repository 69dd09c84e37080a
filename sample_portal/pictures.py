"""Tables as pictures: a composed report's table drawn as a spreadsheet screenshot.

Many bodies, townships above all, paste 表二–表四 into their report page as
a PNG screenshot of the Excel sheet they filled in (the real seed 002 has
``[image: 工作簿1_Sheet1(1)]`` where its tables were).  A report whose
``data["tables_as"]`` is ``"pictures"`` is served that way: each table block of
its body becomes an ``<img>`` (``render.composed_body``) and the picture is
drawn here from the same placed cells the HTML, DOCX, PDF and XLSX
renderings use (``render.table_cells``): merged cells merged, text centred,
labels wrapped inside their cell, thin black rules, white ground.

The figures are the report's generated TEST DATA (``generate.py``); every
picture says so in its PNG text chunks (``Comment``, ``Source``), and the page
that shows it is marked as test data like every composed report.

Drawing needs a CJK TrueType font: ``$XXGK_CJK_FONT``, else the
WenQuanYi Micro Hei that ``scripts/install-browser`` installs, else what
``fc-match :lang=zh`` names.  Pictures are drawn on first request and kept
(one per report and table): a portal that is never asked for one never draws.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
from pathlib import Path

from .manifest import Report

FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
FONT_SIZE = 18  # px: a sheet at 100 % zoom in an 11-12 pt CJK font
PAD_X, PAD_Y = 10, 7  # cell padding, px
LINE_GAP = 5  # px between the lines of a wrapped label
MIN_CHARS, MAX_CHARS = 4, 12  # a column is 4-12 characters wide
MARGIN = 12  # white border around the table, px
REDUCED_QUALITY = 30  # JPEG quality of a reduced picture (see reduce())
TABLE_ALTS = {"table2": "工作簿1_Sheet1(1)", "table3": "工作簿1_Sheet1(2)", "table4": "工作簿1_Sheet1(3)",
              "legacy": "工作簿1_Sheet1(1)"}


class NoCjkFont(RuntimeError):
    """No font that draws Chinese was found."""


@functools.lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """The CJK font the pictures are drawn in (see the module's docstring)."""
    wanted = os.environ.get("XXGK_CJK_FONT")
    if wanted:
        if not Path(wanted).is_file():
            raise NoCjkFont(f"XXGK_CJK_FONT={wanted}: no such font file")
        return Path(wanted)
    for path in FONT_PATHS:
        if Path(path).is_file():
            return Path(path)
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True).stdout
        if out and Path(out).is_file() and Path(out).suffix.lower() in (".ttf", ".ttc", ".otf"):
            return Path(out)
    raise NoCjkFont("no CJK font to draw table pictures with: run scripts/install-browser "
                    "(fonts-wqy-microhei) or set XXGK_CJK_FONT to a .ttf/.ttc/.otf file")


def _wrap(text: str, width: float, font) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (Chinese wraps
    anywhere; a run of digits or Latin letters is kept together)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            cut = len(line)
            if ch.isascii() and ch.isalnum():  # do not split '2021' or 'A1'
                while cut > 0 and line[cut - 1].isascii() and line[cut - 1].isalnum():
                    cut -= 1
                cut = cut or len(line)
            lines.append(line[:cut])
            line = line[cut:]
        line += ch
    if line or not lines:
        lines.append(line)
    return lines


def _layout(cells: list[tuple[int, int, int, int, str]], nrows: int, ncols: int, font):
    em = font.getlength("国")
    widths = [MIN_CHARS * em] * ncols
    for _r, c, _rs, cs, text in cells:
        if cs == 1:
            widths[c] = max(widths[c], min(font.getlength(text), MAX_CHARS * em))
    widths = [w + 2 * PAD_X for w in widths]
    line_h = FONT_SIZE + LINE_GAP
    heights = [FONT_SIZE + 2 * PAD_Y] * nrows
    wrapped = {}
    for r, c, rs, cs, text in sorted(cells, key=lambda cell: cell[2]):  # one-row cells first
        lines = _wrap(text, sum(widths[c:c + cs]) - 2 * PAD_X, font)
        wrapped[(r, c)] = lines
        need = len(lines) * line_h - LINE_GAP + 2 * PAD_Y
        have = sum(heights[r:r + rs])
        if need > have:
            heights[r + rs - 1] += need - have
    return widths, heights, wrapped


def draw_table(cells: list[tuple[int, int, int, int, str]], nrows: int, ncols: int) -> bytes:
    """A PNG of the placed cells ``(row, col, rowspan, colspan, text)``."""
    from PIL import Image, ImageDraw, ImageFont
    from PIL.PngImagePlugin import PngInfo

    font = ImageFont.truetype(str(cjk_font_path()), FONT_SIZE)
    widths, heights, wrapped = _layout(cells, nrows, ncols, font)
    xs = [MARGIN + sum(widths[:i]) for i in range(ncols + 1)]
    ys = [MARGIN + sum(heights[:i]) for i in range(nrows + 1)]
    img = Image.new("L", (round(xs[-1]) + MARGIN, round(ys[-1]) + MARGIN), 255)
    draw = ImageDraw.Draw(img)
    line_h = FONT_SIZE + LINE_GAP
    for r, c, rs, cs, text in cells:
        x0, x1, y0, y1 = xs[c], xs[c + cs], ys[r], ys[r + rs]
        draw.rectangle([round(x0), round(y0), round(x1), round(y1)], outline=0, width=1)
        lines = wrapped[(r, c)]
        top = (y0 + y1) / 2 - (len(lines) * line_h - LINE_GAP) / 2
        for i, line in enumerate(lines):
            draw.text(((x0 + x1) / 2, top + i * line_h), line, font=font, fill=0, anchor="mt")
    info = PngInfo()
    info.add_text("Comment", "TEST DATA: invented figures of the xxgk-archive sample portal, not a real report")
    info.add_text("Source", "sample_portal/pictures.py")
    out = io.BytesIO()
    img.save(out, "PNG", pnginfo=info, optimize=True)
    return out.getvalue()


def table_blocks(report: Report) -> list[str]:
    """The tables of a composed report's body, in order (``table2`` …)."""
    return [block["table"] for block in report.data["body"] if "table" in block]


def reduce(png: bytes) -> bytes:
    """A picture as a thumbnailer or a phone's share sheet leaves it: half its
    width and height, a JPEG of quality :data:`REDUCED_QUALITY`."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    img = img.resize((img.width // 2, img.height // 2), Image.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=REDUCED_QUALITY, comment=b"TEST DATA: xxgk-archive sample portal")
    return out.getvalue()


def suffix(report: Report, name: str) -> str:
    """The file suffix of a table's picture: ``.jpg`` when reduced, else ``.png``."""
    return ".jpg" if name in report.data.get("pictures_reduced", ()) else ".png"


_drawn: dict[tuple[str, str], bytes] = {}


def table_picture(report: Report, name: str) -> tuple[bytes, str]:
    """The picture of one table of ``report`` and its Content-Type (drawn once
    per process): a PNG, or the reduced JPEG of it for the tables the report
    lists under ``pictures_reduced``."""
    from . import render

    key = (report.id, name)
    if key not in _drawn:
        png = draw_table(*render.table_cells(report, name))
        _drawn[key] = reduce(png) if suffix(report, name) == ".jpg" else png
    return _drawn[key], "image/jpeg" if suffix(report, name) == ".jpg" else "image/png"
