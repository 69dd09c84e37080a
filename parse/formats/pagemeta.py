"""Metadata a government web page states about the document it carries.

* ``<title>`` and the first ``<h1>``;
* ``<meta name=… content=…>``: TRS publishing systems write ``ArticleTitle``,
  ``PubDate``, ``ContentSource`` (and ``SiteName``, ``ColumnName``, …);
* the information-disclosure block above the body (索引号 / 发布机构 / 发文日期 /
  成文日期 / 发布日期 / 文号 …), written either as label and value cells of a
  small table or as ``label：value`` text in a list, a div or one line
  (``发布时间：2019-01-25 来源：泽库镇 浏览次数：``).
"""

from __future__ import annotations

import re

from ..document import PageMeta
from ..tables import cell_text, grid_from_html_table
from ..textutil import collapse_ws, compact, squash_cjk_spaces

# Labels of the metadata block, as portals write them.
METADATA_LABELS = [
    "信息索引号", "索引号", "发布机构", "发文机关", "发文机构", "发布单位", "发文单位", "所属机构",
    "公开责任部门", "责任部门", "信息来源", "来源", "发文字号", "文号", "发文日期", "成文日期",
    "发布日期", "发布时间", "公开日期", "生成日期", "印发日期", "文件名称", "标题", "名称",
    "主题分类", "组配分类", "体裁分类", "信息分类", "主题词", "关键词", "公开方式", "公开范围",
    "公开形式", "公开时限", "有效性", "时效性", "浏览次数", "访问次数", "点击数", "作者",
]
# Longest first so that 信息来源 is not read as 来源. Labels may be spaced out
# (索 引 号) and must not be the tail of a longer word (数据来源).
_LABEL_ALT = "|".join(r"\s*".join(map(re.escape, label)) for label in sorted(METADATA_LABELS, key=len, reverse=True))
_LABEL_RE = re.compile(rf"(?<![\u4e00-\u9fff])({_LABEL_ALT})\s*[：:]")
_LABEL_ONLY = re.compile(rf"^\s*({_LABEL_ALT})\s*[：:]?\s*$")
# A value glued to the next label when the page has no space between them
# (来源：县民政局浏览次数：).
_TRAILING_LABEL = re.compile(rf"({_LABEL_ALT})\s*[：:]\s*$")
_VALUE_TRIM = " \t|｜·•/【】[]"
MAX_VALUE_LENGTH = 120
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "h1", "h2", "h3", "h4",
    "h5", "h6", "dl", "dt", "dd", "section", "article", "header", "footer", "form", "center",
}


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def label_of(text: str) -> str | None:
    """The canonical label if ``text`` is just a metadata label (with or without colon)."""
    m = _LABEL_ONLY.match(text)
    return compact(m.group(1)) if m else None


def inline_fields(line: str) -> dict[str, str]:
    """``label：value`` pairs in one line of text; a value runs to the next label."""
    matches = list(_LABEL_RE.finditer(line))
    found: dict[str, str] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = _TRAILING_LABEL.sub("", line[m.end():end]).strip(_VALUE_TRIM)
        value = squash_cjk_spaces(value)
        label = compact(m.group(1))
        if value and len(value) <= MAX_VALUE_LENGTH and label not in found:
            found[label] = value
    return found


def _table_fields(grid) -> dict[str, str]:
    found: dict[str, str] = {}
    if not is_metadata_grid(grid):  # a data table's 名称 | 单位 is not metadata
        return found
    for r, row in enumerate(grid.rows):
        c = 0
        while c < len(row):
            if grid.is_span_copy(r, c):
                c += 1
                continue
            text = row[c]
            label = label_of(text)
            if label:
                # The value is the next cell that is neither a copy of this one nor a label.
                n = c + 1
                while n < len(row) and grid.origin(r, n) == (r, c):
                    n += 1
                if n < len(row) and not label_of(row[n]):
                    value = row[n].strip(_VALUE_TRIM)
                    if value and len(value) <= MAX_VALUE_LENGTH:
                        found.setdefault(label, value)
                    c = n + 1
                    continue
            else:
                for label, value in inline_fields(text).items():
                    found.setdefault(label, value)
            c += 1
    return found


_NOT_RENDERED = {"script", "style", "noscript", "template"}


def _render(el, out: list[str]) -> None:
    tag = _tag(el)
    if not tag or tag in _NOT_RENDERED:  # a comment, or script and the like
        return
    block = tag in _BLOCK_TAGS
    if block or tag == "br":
        out.append("\n")
    elif tag == "td" or tag == "th":
        out.append("\t")
    text = el.text
    if text:
        out.append(text)
    for child in el:
        _render(child, out)
        tail = child.tail
        if tail:
            out.append(tail)
    if block:
        out.append("\n")


def page_lines(root) -> list[str]:
    """The page rendered as lines of text (block elements and <br> break lines,
    table cells are tab-separated, whitespace collapsed but kept); script and
    style left out."""
    body = root.find(".//body")
    out: list[str] = []
    _render(body if body is not None else root, out)
    lines = []
    for raw in "".join(out).split("\n"):
        if not raw or raw.isspace():  # (str.isspace and \s are the same characters)
            continue
        if "\t" in raw:
            line = "\t".join(cell for cell in map(collapse_ws, raw.split("\t")) if cell)
        else:
            line = collapse_ws(raw)
        if line:
            lines.append(line)
    return lines


def table_grids(root) -> list:
    """The grid of every ``<table>`` of the page, in document order, without
    context: what :func:`metadata_fields` reads (a reader that has built them
    already passes them on)."""
    return [grid_from_html_table(table, context=False) for table in root.iter("table")]


def metadata_fields(root, grids: list | None = None) -> dict[str, str]:
    """The labelled metadata block: first from small tables of label/value cells,
    then from ``label：value`` text anywhere in the page (first occurrence wins).

    ``grids``: :func:`table_grids` of ``root``, if the caller has them."""
    fields: dict[str, str] = {}
    for grid in table_grids(root) if grids is None else grids:
        for label, value in _table_fields(grid).items():
            fields.setdefault(label, value)
    for line in page_lines(root):
        if len(line) > 300 or "：" not in line and ":" not in line:
            continue
        for label, value in inline_fields(line.replace("\t", " ")).items():
            fields.setdefault(label, value)
    return fields


def read_page_meta(root, grids: list | None = None) -> PageMeta:
    """Title, first heading, ``<meta>`` tags and the metadata block of a page
    (``grids``: :func:`table_grids` of ``root``, if the caller has them)."""
    title_el = root.find(".//title")
    # Whitespace kept: it separates the site name (… 年度报告 - 乳山市人民政府).
    title = collapse_ws(title_el.text_content()) if title_el is not None else None
    h1_el = root.find(".//h1")
    h1 = cell_text(h1_el) if h1_el is not None else None
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value and key not in meta:
            meta[key] = squash_cjk_spaces(value)
    return PageMeta(title=title or None, h1=h1 or None, meta=meta, fields=metadata_fields(root, grids))


def is_metadata_grid(grid) -> bool:
    """A small table of metadata labels and values (not a report table)."""
    if grid.n_rows > 20:
        return False
    labels = 0
    for _, _, text in grid.own_cells():
        if label_of(text) or (len(text) < 80 and _LABEL_RE.match(text)):
            labels += 1
    return labels >= 2
