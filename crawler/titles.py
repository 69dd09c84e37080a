"""Recognise annual-report titles and the link texts that lead to them.

Real lists mix the 年报 with notices *about* the 年报 (关于做好2022年政府信息公开
工作年度报告编制发布工作的通知), the 指南, 制度 and 工作要点. A title is an
annual information-disclosure report when it names the disclosure work and an
annual report, and is not a notice, guide or plan, nor the instructions that
come with the report's forms (2020年政府信息公开工作年度报告统计数据填报说明, 编制说明).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")

# "…政府信息公开工作年度报告", "…信息公开年报", "…政务公开工作年度报告", "…政府信息公开工作报告" (older)
_REPORT = re.compile(
    r"(政府信息公开|信息公开|政务公开).{0,8}?(年度报告|年报|工作报告)"
    r"|(年度)(政府信息公开|信息公开|政务公开).{0,6}?报告"
)
_NOT_REPORT = re.compile(
    r"^关于|通知|通报|图解|指南|要点|目录|制度|办法|规定|方案|意见|编制|模板|格式|培训|解读|征集|公示|更正"
    r"|审查|考核|评估|抽查|督查|检查情况"
    # instructions for filling in the report's statistics, and the forms themselves
    r"|填报|说明|报表|样表|统计表模板"
)
_YEAR = re.compile(r"(19|20)\d{2}|[〇零○一二三四五六七八九]{4}")

# Link texts of the column that lists the reports (short, no year in them), and
# of its sub-columns (部门年报, 乡镇（街道）年报, 区政府年报).
_COLUMN = re.compile(
    r"^(区|县|市|省)?(政府|部门|乡镇|镇街|街道|乡镇街道|乡镇\(街道\)|镇|单位|区直部门|县直部门|市直部门)?"
    r"(政府)?(信息公开|政务公开)?(工作)?(年度报告|年报)(专栏|目录)?$"
)
# Sub-columns of a 年报 column that group reports by year: 2023年, 2023年度, 2023年年报.
_YEAR_COLUMN = re.compile(r"^(19|20)\d{2}(年|年度)?((政府)?(信息公开)?(工作)?(年度报告|年报))?$")
# Link texts that lead towards the disclosure section of a portal.
_DISCLOSURE = re.compile(r"^(政府信息公开|信息公开|政务公开|政府信息公开专栏|政府信息公开目录|法定主动公开内容)$")


def clean(text: str | None) -> str:
    """NFKC-normalise and remove all whitespace (portals pad titles with spaces)."""
    if not text:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def is_annual_report_title(title: str | None) -> bool:
    """True for the title of an annual information-disclosure report of any year and agency."""
    text = clean(title).rstrip(".…")
    # A report names its year; a title without one is a column or a section link.
    if not text or not _REPORT.search(text) or not _YEAR.search(text):
        return False
    if _NOT_REPORT.search(text):
        return False
    return True


def is_report_column_text(text: str | None) -> bool:
    """True for a link text naming the annual-report column (政府信息公开年报, 年报, ...)."""
    text = clean(text)
    return bool(text) and not _YEAR.search(text) and bool(_COLUMN.match(text))


def is_year_column_text(text: str | None) -> bool:
    """True for a year sub-column link of a 年报 column (2023年, 2023年度, 2023年报)."""
    return bool(_YEAR_COLUMN.match(clean(text)))


def is_disclosure_nav_text(text: str | None) -> bool:
    """True for a link text leading to a portal's information-disclosure section."""
    return bool(_DISCLOSURE.match(clean(text)))
