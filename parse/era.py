"""Which era/template a report follows, decided from the document itself.

* ``2021-template``: 国办公开办函〔2021〕30号. Table 二 counts 本年制发件数 /
  本年废止件数 / 现行有效件数 and 本年收费金额; table 三 splits （六）其他处理 into
  申请人无正当理由逾期不补正… / 申请人逾期未按收费通知要求缴纳费用… / 其他.
* ``2019-template``: 国办公开办函〔2019〕60号. Table 二 counts 本年新制作数量 /
  本年新公开数量 / 对外公开总数量 and 上一年项目数量 / 本年增/减.
* ``legacy-table``: 2008-2018 reports with a statistics 附表 (指标名称 | 单位 | …,
  rows like 主动公开文件数 / 受理政府信息公开申请总数).
* ``legacy-text``: everything else -- figures only in the prose.

The year is not evidence in itself (a 2020 report may still use the legacy
layout), but when a document shows the template family and not which version --
tables published as images, like seed 002 -- the section headings say
"template" and the version is decided by what the prose still shows:

* the 2021 notice added to 其他需要报告的事项 the fees charged under the
  《政府信息公开信息处理费管理办法》 (in force from 2021), so a mention of
  信息处理费 means the 2021 template;
* failing that, by the report year (2019-2020 → 2019, 2021 on → 2021), the only
  years in which each version was current; the decision is then marked
  uncertain.

Seed 002 (a 2022 town report with its tables as images) has the template's
section headings (收到和处理政府信息公开申请情况, 政府信息公开工作被申请行政复议、
提起行政诉讼的情况) and cites the 信息处理费管理办法: ``2021-template``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .figures.template_stream import legacy_table_in_text
from .tables import Grid
from .textutil import compact, fold

FORMATS = ("legacy-text", "legacy-table", "2019-template", "2021-template")

MARKERS_2021 = (
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年收费金额",
    "申请人无正当理由逾期不补正",
    "申请人逾期未按收费通知要求缴纳费用",
    "本年处理决定数量",
)
MARKERS_2019 = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "其他对外管理服务事项",
)
# Either template version: table 三's rows and the template section headings.
MARKERS_TEMPLATE_TABLE = (
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "本年度办理结果",
    "结转下年度继续办理",
    "申请人情况",
)
MARKERS_TEMPLATE_HEADING = (
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "政府信息公开工作被申请行政复议、提起行政诉讼",
)
# Prose that only a 2021-template report contains.
MARKERS_2021_PROSE = ("信息处理费",)
# Rows of the legacy 附表.
MARKERS_LEGACY_ROWS = (
    "主动公开文件数",
    "主动公开政府信息数",
    "受理政府信息公开申请总数",
    "收到申请数",
    "对申请的答复总数",
    "同意公开答复数",
    "当面申请数",
    "网络申请数",
    "政府网站公开数",
)


@dataclass
class FormatDecision:
    format: str | None
    reason: str
    markers: list[str] = field(default_factory=list)
    uncertain: bool = False


def _found(haystack: str, markers: tuple[str, ...]) -> list[str]:
    return [m for m in markers if fold(m) in haystack]


def _legacy_table(tables: list[Grid]) -> list[str]:
    """Evidence of a legacy 附表 in the tables (not the prose: prose also says
    主动公开政府信息数)."""
    evidence = []
    for grid in tables:
        cells = {compact(t) for _, _, t in grid.own_cells()}
        if "指标名称" in cells and "单位" in cells:
            evidence.append("指标名称|单位")
        rows = [m for m in MARKERS_LEGACY_ROWS if any(m in c for c in cells)]
        if len(rows) >= 2:
            evidence.extend(rows)
    return evidence


def explain_format(text: str, tables: list[Grid] | None = None, year: int | None = None) -> FormatDecision:
    """Decide the format and say why (see the module docstring)."""
    tables = tables or []
    if not text.strip() and not tables:
        return FormatDecision(None, "empty document")
    body = fold(text)
    haystack = body + "\n" + "\n".join(fold(g.text()) for g in tables)

    m21, m19 = _found(haystack, MARKERS_2021), _found(haystack, MARKERS_2019)
    if m21 or m19:
        if len(m21) > len(m19):
            return FormatDecision("2021-template", "2021 table markers", m21)
        if len(m19) > len(m21):
            return FormatDecision("2019-template", "2019 table markers", m19)
        fmt = "2021-template" if (year or 0) >= 2021 else "2019-template"
        return FormatDecision(fmt, "as many 2019 as 2021 markers; decided by year", m21 + m19, uncertain=True)

    legacy = _legacy_table(tables)
    if legacy:
        return FormatDecision("legacy-table", "legacy 附表 rows", legacy)
    legacy = legacy_table_in_text(text)
    if legacy:
        return FormatDecision("legacy-table", "legacy 统计表 rows in the text", legacy)

    family = _found(haystack, MARKERS_TEMPLATE_TABLE) + _found(body, MARKERS_TEMPLATE_HEADING)
    if family:
        prose21 = _found(body, MARKERS_2021_PROSE)
        if prose21:
            return FormatDecision("2021-template", "template headings/rows; 2021-only prose", family + prose21)
        if year is not None and year >= 2021:
            return FormatDecision("2021-template", "template headings/rows; version from the year", family, uncertain=True)
        if year is not None and year >= 2019:
            return FormatDecision("2019-template", "template headings/rows; version from the year", family, uncertain=True)
        return FormatDecision(None, "template headings/rows but no way to tell the version", family, uncertain=True)

    return FormatDecision("legacy-text", "no template or 附表 markers")


def detect_format(text: str, tables: list[Grid] | None = None, year: int | None = None) -> str | None:
    """One of :data:`FORMATS`, or None when the document is empty or shows a
    template without any way to tell its version."""
    return explain_format(text, tables, year).format
