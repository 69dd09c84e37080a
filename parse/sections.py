"""Section headings of a report text and the template tables they announce.

The national templates (2019 and 2021) put their statistics in three tables
under fixed section headings: 二、主动公开政府信息情况 (table 二),
三、收到和处理政府信息公开申请情况 (table 三), 四、政府信息公开行政复议、行政诉讼情况
(table 四; also written 政府信息公开工作被申请行政复议、提起行政诉讼的情况).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tables import Grid
from .textutil import compact

_TOP_HEADING = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.{0,60})$")
_SUB_HEADING = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*(\S.{0,60})$")
_IMAGE_LINE = re.compile(r"^\s*\[image:\s*([^\]]*)\]\s*$")
_TABLE_LINE = re.compile(r"^\s*\[table:\s*(\d+)\]\s*$")


@dataclass
class Heading:
    line: int  # index in text.splitlines()
    level: int  # 1 for 一、, 2 for （一）
    numeral: str
    title: str  # the heading's text after the numeral
    text: str  # the whole line, stripped


def headings(text: str) -> list[Heading]:
    """Numbered headings (一、… and （一）…) in order. A heading line is short and
    is not a sentence (no 。 inside the first 60 characters)."""
    found = []
    for i, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if len(stripped) > 64:
            continue
        for level, pattern in ((1, _TOP_HEADING), (2, _SUB_HEADING)):
            m = pattern.match(stripped)
            if m and "。" not in m.group(2)[:-1]:
                found.append(Heading(i, level, m.group(1), m.group(2).strip(), stripped))
                break
    return found


# Which template table a section heading announces, by its wording.
def template_table_of_heading(title: str) -> str | None:
    t = compact(title)
    if "主动公开政府信息情况" in t or t.startswith("主动公开政府信息"):
        return "二"
    if "收到和处理政府信息公开申请" in t:
        return "三"
    if "行政复议" in t and "行政诉讼" in t and "信息公开" in t:
        return "四"
    return None


def template_table_of_grid(grid: Grid) -> str | None:
    """Which template table a grid is, from its cells."""
    t = compact(grid.text())
    if "申请人情况" in t or "本年新收" in t or ("自然人" in t and "商业企业" in t):
        return "三"
    if "行政复议" in t and "行政诉讼" in t:
        return "四"
    if "信息内容" in t or "第二十条" in t or "本年制发件数" in t or "本年新制作数量" in t:
        return "二"
    return None


@dataclass
class TemplateSection:
    table: str  # 二 / 三 / 四
    heading: Heading
    image_lines: list[int]  # indices (in the text's image order) of images inside the section
    table_numbers: list[int]  # [table: n] markers inside the section (HTML documents)


def template_sections(text: str) -> list[TemplateSection]:
    """The template-table sections present in ``text`` with the images and table
    markers each holds.

    A section runs from its top-level heading to the next top-level heading.
    Images are numbered in order of appearance, matching the document's image list.
    """
    lines = text.splitlines()
    tops = [h for h in headings(text) if h.level == 1]
    image_index: dict[int, int] = {}
    n = 0
    for i, line in enumerate(lines):
        if _IMAGE_LINE.match(line):
            image_index[i] = n
            n += 1
    sections = []
    for k, h in enumerate(tops):
        table = template_table_of_heading(h.title)
        if not table:
            continue
        end = tops[k + 1].line if k + 1 < len(tops) else len(lines)
        images = [image_index[i] for i in range(h.line + 1, end) if i in image_index]
        tables = [int(m.group(1)) for i in range(h.line + 1, end) if (m := _TABLE_LINE.match(lines[i]))]
        sections.append(TemplateSection(table, h, images, tables))
    return sections
