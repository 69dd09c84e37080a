"""Body HTML of report pages: seed texts as paragraphs, composed reports with
the national templates' tables (rowspan/colspan as the official templates lay
them out).

The output is what sits inside ``<div class="TRS_Editor">``.  It is plain
HTML text; characters outside GBK (e.g. U+00A0) are written as entities so
that GBK pages can be encoded strictly.
"""

from __future__ import annotations

import html
import re

from . import national
from .manifest import Report
from .national import APPLICANT_COLUMNS, T2_SECTIONS, T4_GROUPS, T4_RESULTS, Cell

_IMAGE_MARKER = re.compile(r"\[image: ([^\]]+)\]")

P_STYLE = ' style="text-indent: 2em; text-align: justify;"'


def esc(text: str) -> str:
    """HTML-escape ``text``; no-break spaces become ``&nbsp;``."""
    return html.escape(text, quote=False).replace("\xa0", "&nbsp;")


def attr(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------
# Seeds


def seed_body(report: Report) -> str:
    """Every non-blank line of the seed a ``<p>``; ``[image: NAME]`` markers
    become ``<img>`` tags pointing at the report's images, in order."""
    images = iter(report.images)
    out = []
    for line in report.text().splitlines():
        if not line.strip():
            continue
        pos, parts = 0, []
        for m in _IMAGE_MARKER.finditer(line):
            parts.append(esc(line[pos:m.start()]))
            img = next(images)
            if img.alt != m.group(1):
                raise ValueError(f"{report.id}: image {img.alt!r} != marker {m.group(1)!r}")
            fname = img.path.rsplit("/", 1)[1]
            parts.append(f'<img src="./{fname}" OLDSRC="{fname}" alt="{attr(img.alt)}" '
                         f'border="0" style="max-width: 100%;" />')
            pos = m.end()
        parts.append(esc(line[pos:]))
        out.append(f"<p{P_STYLE}>{''.join(parts)}</p>")
    if next(images, None) is not None:
        raise ValueError(f"{report.id}: more images than [image: ...] markers")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Composed reports


def composed_body(report: Report) -> str:
    d = report.data
    template = str(d["template"])
    style = d.get("table_style", "plain")
    tables = d["tables"]
    pictures = iter(report.images) if d.get("tables_as") == "pictures" else None
    out = []
    for line in d.get("title_lines", []):
        out.append(f'<p align="center" style="text-align: center;"><strong>{esc(line)}</strong></p>')
    for block in d["body"]:
        if "p" in block:
            out.append(f"<p{P_STYLE}>{esc(block['p'])}</p>")
        elif "h" in block:
            out.append(f"<p{P_STYLE}><strong>{esc(block['h'])}</strong></p>")
        elif "table" in block and pictures is not None:  # the table as a picture (pictures.py)
            img = next(pictures)
            out.append(f'<p align="center" style="text-align: center;"><img src="{attr(img.path)}" '
                       f'alt="{attr(img.alt)}" title="{attr(img.alt)}" border="0"></p>')
        elif "table" in block:
            name = block["table"]
            if name == "table2":
                out.append(table2_html(template, national.table2_cells(template, tables["table2"]), style))
            elif name == "table3":
                out.append(table3_html(template, national.table3_cells(template, tables["table3"]), style))
            elif name == "table4":
                out.append(table4_html(national.table4_cells(tables["table4"]), style))
            elif name == "legacy":
                out.append(legacy_table_html(national.legacy_rows(tables["legacy"]), style))
            else:
                raise ValueError(f"unknown table {name!r}")
        else:
            raise ValueError(f"bad body block {block!r}")
    return "\n".join(out)


class _Td:
    """Cell writer in one of two styles: ``plain`` (as hand-written CMS
    tables) or ``word`` (as pasted from Word: ``<p><span>`` wrappers)."""

    def __init__(self, style: str):
        self.style = style

    def __call__(self, text: str, rowspan: int = 1, colspan: int = 1, align: str = "center") -> str:
        span = ""
        if rowspan > 1:
            span += f' rowspan="{rowspan}"'
        if colspan > 1:
            span += f' colspan="{colspan}"'
        content = esc(text)
        if self.style == "word":
            inner = (f'<p align="{align}" style="text-align: {align};"><span style="font-family: 宋体; '
                     f'font-size: 10.5pt;">{content}</span></p>')
            return (f'<td{span} valign="center" style="border: solid windowtext 1.0pt; '
                    f'padding: 0cm 5.4pt;">{inner}</td>')
        return f'<td{span} align="{align}">{content}</td>'

    def table(self, rows: list[str]) -> str:
        if self.style == "word":
            head = ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                    'align="center" style="border-collapse: collapse; border: none;">')
        else:
            head = '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse: collapse;">'
        body = "\n".join(f"<tr>{r}</tr>" for r in rows)
        return f'<div align="center">{head}\n<tbody>\n{body}\n</tbody></table></div>'


def table2_html(template: str, cells: dict[str, list[Cell]], style: str = "plain") -> str:
    td = _Td(style)
    rows = []
    for heading, cols, items in T2_SECTIONS[template]:
        rows.append(td(heading, colspan=4))
        header = [td("信息内容")]
        spans = _spread(len(cols))
        header += [td(c, colspan=s) for c, s in zip(cols, spans)]
        rows.append("".join(header))
        for key, label, _sub in items:
            vals = cells[key]
            rows.append(td(label) + "".join(td(v.show, colspan=s) for v, s in zip(vals, spans)))
    return td.table(rows)


def _spread(n: int) -> list[int]:
    """Colspans of ``n`` value cells over the 3 value columns of table 二:
    the last cell takes the remaining columns (as in the official templates)."""
    return [1] * (n - 1) + [3 - (n - 1)]


def table3_html(template: str, cells: dict[str, list[Cell]], style: str = "plain") -> str:
    td = _Td(style)
    rows = [
        td(national.T3_CHECK_NOTE, rowspan=3, colspan=3) + td("申请人情况", colspan=7),
        td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2),
        "".join(td(label) for _k, label in APPLICANT_COLUMNS[1:6]),
    ]

    def vals(key: str) -> str:
        return "".join(td(c.show) for c in cells[key])

    rows.append(td(national.T3_TOP_ROWS["new"], colspan=3, align="left") + vals("new"))
    rows.append(td(national.T3_TOP_ROWS["carried_over"], colspan=3, align="left") + vals("carried_over"))
    outcomes = national.t3_outcome_rows(template)
    group_size: dict[str, int] = {}
    for _k, group, _item in outcomes:
        group_size[group] = group_size.get(group, 0) + 1
    seen: set[str] = set()
    for i, (key, group, item) in enumerate(outcomes):
        row = ""
        if i == 0:
            row += td(national.T3_RESULTS_LABEL, rowspan=len(outcomes))
        if item is None:
            row += td(group, colspan=2, align="left")
        else:
            if group not in seen:
                row += td(group, rowspan=group_size[group])
            row += td(item, align="left")
        seen.add(group)
        rows.append(row + vals(key))
    rows.append(td(national.T3_TOP_ROWS["carried_forward"], colspan=3, align="left") + vals("carried_forward"))
    return td.table(rows)


def table4_html(cells: list[Cell], style: str = "plain") -> str:
    td = _Td(style)
    results = [label for _k, label in T4_RESULTS]
    rows = [
        td("行政复议", colspan=5) + td("行政诉讼", colspan=10),
        "".join(td(r, rowspan=2) for r in results)
        + td(T4_GROUPS[1][1], colspan=5) + td(T4_GROUPS[2][1], colspan=5),
        "".join(td(r) for r in results * 2),
        "".join(td(c.show) for c in cells),
    ]
    return td.table(rows)


def legacy_table_html(rows: list[dict], style: str = "plain") -> str:
    td = _Td(style)
    out = [td("指标名称") + td("单位") + td("数量")]
    for r in rows:
        out.append(td(r["label"], align="left") + td(r["unit"]) + td(r["cell"].show))
    return td.table(out)


def report_body(report: Report) -> str:
    return composed_body(report) if report.test_data else seed_body(report)


def paragraphs_body(paragraphs: list[str]) -> str:
    """Body of a simple document (notice, guide, news)."""
    return "\n".join(f"<p{P_STYLE}>{esc(p)}</p>" for p in paragraphs)


# --------------------------------------------------------------------------
# Tables as cell models (for attachment files)


def table_html(report: Report, name: str, style: str | None = None) -> str:
    """The HTML of one of a composed report's tables (``table2``, ``table3``,
    ``table4`` or ``legacy``)."""
    d = report.data
    template = str(d["template"])
    style = style or d.get("table_style", "plain")
    tables = d["tables"]
    if name == "table2":
        return table2_html(template, national.table2_cells(template, tables["table2"]), style)
    if name == "table3":
        return table3_html(template, national.table3_cells(template, tables["table3"]), style)
    if name == "table4":
        return table4_html(national.table4_cells(tables["table4"]), style)
    if name == "legacy":
        return legacy_table_html(national.legacy_rows(tables["legacy"]), style)
    raise ValueError(f"unknown table {name!r}")


def table_cells(report: Report, name: str) -> tuple[list[tuple[int, int, int, int, str]], int, int]:
    """One table as placed cells ``(row, col, rowspan, colspan, text)`` plus
    its row and column counts -- the layout the HTML table has, for building
    the same table (merged cells included) in DOCX, PDF or XLSX."""
    import lxml.html

    frag = lxml.html.fragment_fromstring(table_html(report, name, "plain"), create_parent="div")
    occupied: dict[tuple[int, int], bool] = {}
    cells: list[tuple[int, int, int, int, str]] = []
    ncols = 0
    rows = frag.xpath(".//tr")
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td | ./th"):
            while occupied.get((r, c)):
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            text = re.sub(r"\s+", " ", td.text_content().replace("\xa0", " ")).strip()
            cells.append((r, c, rs, cs, text))
            for dr in range(rs):
                for dc in range(cs):
                    occupied[(r + dr, c + dc)] = True
            c += cs
            ncols = max(ncols, c)
    return cells, len(rows), ncols
