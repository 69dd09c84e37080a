"""The national templates' structure, in one place.

The 2019 and 2021 annual-report templates (国办公开办函〔2019〕60号, 〔2021〕30号) are
fixed forms: table 二 (第二十条 items), table 三 (requests by applicant, in a fixed
row order), table 四 (reconsideration and litigation, fifteen cells). The legacy
statistics 统计表 (2008–2018) has no national form, but its rows are few and
stable. This module says what those rows, columns and sums are -- their keys in
the vocabulary (``parse/metrics.yaml``), the words that identify them in any
layout, and the arithmetic the templates promise -- so that the readers, the
consistency checks and the evaluation use one description.

Row signatures are matched on *folded* text (NFKC, no whitespace, no
punctuation: :func:`fold_for_match`). A row lists several signatures because
real documents cut labels short (``2.其他法律行政止公开``) or break them
across lines and pages; each signature is a substring that identifies the row
once the rows before it have been found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# ---------------------------------------------------------------------------------
# Applicant columns of table 三, in the template's order

APPLICANT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("social_welfare_org", "社会公益组织"),
    ("legal_service_org", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
APPLICANT_ORDER: tuple[str, ...] = tuple(k for k, _ in APPLICANT_COLUMNS)
APPLICANT_PARTS: tuple[str, ...] = APPLICANT_ORDER[:-1]  # the six columns that add up to 总计
# The columns' other wordings in real tables (the header 法人或其他组织 groups the five middle ones).
APPLICANT_VARIANTS: dict[str, str] = {"其他组织": "other_org", "合计": "total"}
APPLICANTS_EN: dict[str, str] = {
    "natural_person": "natural persons", "commercial_enterprise": "commercial enterprises",
    "research_institution": "research institutions", "social_welfare_org": "social-welfare organisations",
    "legal_service_org": "legal-service organisations", "other_org": "other organisations",
    "total": "all applicants",
}


@dataclass(frozen=True)
class Row:
    """One data row of table 三: its vocabulary key family, its numbering in the
    template (``一``, ``（一）``, ``1``), the signatures that find it, and the
    group it belongs to (the outcome group for leaves, None otherwise)."""

    key: str
    number: str
    signatures: tuple[str, ...]
    group: str | None = None
    eras: tuple[str, ...] = ("2019-template", "2021-template")


_BOTH = ("2019-template", "2021-template")
TABLE3_ROWS: tuple[Row, ...] = (
    Row("requests.new", "一", ("本年新收", "新收政府信息公开申请")),
    Row("requests.carried_over", "二", ("上年结转",)),
    Row("outcome.disclosed", "一", ("予以公开",), "outcome"),
    Row("outcome.partially_disclosed", "二", ("部分公开",), "outcome"),
    Row("outcome.withheld.state_secret", "1", ("国家秘密",), "withheld"),
    Row("outcome.withheld.prohibited_by_law", "2", ("禁止公开", "法律行政", "行政法规", "止公开"), "withheld"),
    Row("outcome.withheld.security_stability", "3", ("三安全", "一稳定", "危及"), "withheld"),
    Row("outcome.withheld.third_party_rights", "4", ("第三方", "合法权益"), "withheld"),
    Row("outcome.withheld.internal_affairs", "5", ("内部事务", "三类内部"), "withheld"),
    Row("outcome.withheld.process_information", "6", ("过程性", "四类过程"), "withheld"),
    Row("outcome.withheld.enforcement_files", "7", ("执法案卷", "行政执法"), "withheld"),
    Row("outcome.withheld.administrative_inquiry", "8", ("行政查询", "查询事项"), "withheld"),
    Row("outcome.unavailable.not_held", "1", ("不掌握", "掌握相关"), "unavailable"),
    Row("outcome.unavailable.needs_creation", "2", ("另行制作", "没有现成"), "unavailable"),
    Row("outcome.unavailable.unclear", "3", ("仍不明确", "补正后", "不明确"), "unavailable"),
    Row("outcome.not_processed.petition", "1", ("信访举报", "举报投诉", "信访"), "not_processed"),
    Row("outcome.not_processed.repeated", "2", ("重复申请",), "not_processed"),
    Row("outcome.not_processed.publication", "3", ("出版物",), "not_processed"),
    Row("outcome.not_processed.mass_repeated", "4", ("大量反复", "反复申请", "无正当理由大量"), "not_processed"),
    Row("outcome.not_processed.confirmation", "5", ("重新出具", "确认或", "已获取信息"), "not_processed"),
    # 2019: a row of its own; 2021: a heading over three rows -- but some 2021 reports print it as one row
    Row("outcome.other", "六", ("其他处理",), "outcome"),
    Row("outcome.other.no_correction", "1", ("逾期不补正", "不补正"), "other", ("2021-template",)),
    Row("outcome.other.no_fee_paid", "2", ("缴纳费用", "收费通知"), "other", ("2021-template",)),
    Row("outcome.other.misc", "3", ("3其他",), "other", ("2021-template",)),
    Row("outcome.total", "七", ("七总计", "七合计", "总计", "合计"), None),
    Row("requests.carried_forward", "四", ("结转下年", "下年度继续")),
)

# Groups of outcome leaves and the key of their sum (derived: the templates print no row for it).
OUTCOME_GROUPS: dict[str, str | None] = {
    "withheld": "outcome.withheld",
    "unavailable": None,
    "not_processed": None,
    "other": "outcome.other",  # 2021: the sum of its three rows; 2019: a row of its own
}
# The heading over table 三's outcome rows (三、本年度办理结果, often printed vertically).
OUTCOME_HEADING: tuple[str, ...] = ("本年度办理结果", "办理结果")
# Group headings as the template prints them above the leaves.
GROUP_HEADINGS: dict[str, str] = {
    "withheld": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}


def table3_rows(era: str) -> tuple[Row, ...]:
    """The rows of table 三 in ``era``'s template, in order."""
    return tuple(r for r in TABLE3_ROWS if era in r.eras)


def outcome_rows(era: str, present: frozenset[str] | set[str] | None = None) -> tuple[Row, ...]:
    """The rows whose sum is （七）总计. In 2021 （六）其他处理 counts as one row only
    when its three rows are not there (``present``: the rows the report has)."""
    rows = tuple(r for r in table3_rows(era) if r.group is not None)
    if era == "2021-template":
        leaves = {r.key for r in rows if r.group == "other"}
        split = present is None or bool(leaves & set(present))
        drop = {"outcome.other"} if split else leaves
        rows = tuple(r for r in rows if r.key not in drop)
    return rows


def group_rows(group: str, era: str = "2021-template") -> tuple[str, ...]:
    """The keys of a group's leaf rows (``withheld`` → the eight 不予公开 reasons)."""
    return tuple(r.key for r in table3_rows(era) if r.group == group)


# The outcome rows （七）总计 adds up, as groups of keys whose sum is one part: a
# group's subtotal may be a derived figure (不予公开 of its eight rows, the 2021
# 其他处理 of its three).
OUTCOME_PARTS: tuple[tuple[str, ...], ...] = (
    ("outcome.disclosed",),
    ("outcome.partially_disclosed",),
    ("outcome.withheld",),
    group_rows("unavailable"),
    group_rows("not_processed"),
    ("outcome.other",),
)


# ---------------------------------------------------------------------------------
# Table 四: reconsideration, litigation without review, litigation after review

TABLE4_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation.direct", "未经复议直接起诉"),
    ("litigation.after_review", "复议后起诉"),
)
TABLE4_RESULTS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
# How a grid's header names table 四's groups, in the order to try them (未经复议直接起诉
# and 复议后起诉 both hold 复议: they go before 行政复议).
TABLE4_GROUP_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("litigation.direct", ("未经复议直接起诉", "直接起诉")),
    ("litigation.after_review", ("复议后起诉",)),
    ("review", ("行政复议",)),
)
TABLE4_RESULT_WORDS: dict[str, str] = {**{w: r for r, w in TABLE4_RESULTS}, "合计": "total"}
TABLE4_KEYS: tuple[str, ...] = tuple(f"{g}.{r}" for g, _ in TABLE4_GROUPS for r, _ in TABLE4_RESULTS)
TABLE4_HEADER_WORDS = ("行政复议", "行政诉讼", "直接起诉", "复议后起诉") + tuple(w for _, w in TABLE4_RESULTS)

# ---------------------------------------------------------------------------------
# Table 二: rows (categories) and their columns, per era


@dataclass(frozen=True)
class Table2Row:
    category: str  # key part: proactive.<category>.<column>
    signatures: tuple[str, ...]
    columns: tuple[str, ...]
    money: tuple[str, ...] = ()  # columns that hold amounts (their unit from the header)


TABLE2_ROWS: dict[str, tuple[Table2Row, ...]] = {
    "2021-template": (
        Table2Row("rules", ("规章",), ("issued", "repealed", "in_force")),
        Table2Row("normative_documents", ("行政规范性文件", "规范性文件"), ("issued", "repealed", "in_force")),
        Table2Row("licensing", ("行政许可",), ("decisions",)),
        Table2Row("penalties", ("行政处罚",), ("decisions",)),
        Table2Row("enforcement", ("行政强制",), ("decisions",)),
        Table2Row("fees", ("行政事业性收费",), ("amount",), money=("amount",)),
    ),
    "2019-template": (
        Table2Row("rules", ("规章",), ("new_made", "new_published", "total_published")),
        Table2Row("normative_documents", ("规范性文件",), ("new_made", "new_published", "total_published")),
        Table2Row("licensing", ("行政许可",), ("items_last_year", "items_change", "decisions")),
        Table2Row("other_services", ("其他对外管理服务事项", "对外管理服务"), ("items_last_year", "items_change", "decisions")),
        Table2Row("penalties", ("行政处罚",), ("items_last_year", "items_change", "decisions")),
        Table2Row("enforcement", ("行政强制",), ("items_last_year", "items_change", "decisions")),
        Table2Row("fees", ("行政事业性收费",), ("items_last_year", "items_change")),
        Table2Row("procurement", ("政府集中采购",), ("projects", "amount"), money=("amount",)),
    ),
}
SIGNED_COLUMNS = ("items_change",)
# Table 二's column headers (as a grid's header cells print them) → column.
TABLE2_COLUMN_LABELS: dict[str, str] = {
    "本年制发件数": "issued",
    "本年废止件数": "repealed",
    "现行有效件数": "in_force",
    "本年新制作数量": "new_made",
    "本年新公开数量": "new_published",
    "对外公开总数量": "total_published",
    "本年处理决定数量": "decisions",
    "处理决定数量": "decisions",
    "上一年项目数量": "items_last_year",
    "本年增减": "items_change",
    "本年收费金额": "amount",
    "采购项目数量": "projects",
    "采购总金额": "amount",
}

# ---------------------------------------------------------------------------------
# Sums the templates promise (column-wise over table 三, group-wise over table 四)


def table3_equations(era: str, present: set[str] | None = None) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Row-key equations ``sum(left) == sum(right)`` that hold in every applicant
    column of table 三: 一 + 二 = (七)总计 + 四, and the outcome rows add to (七)总计."""
    outcomes = tuple(r.key for r in outcome_rows(era, present))
    return [
        (("requests.new", "requests.carried_over"), ("outcome.total", "requests.carried_forward")),
        (outcomes, ("outcome.total",)),
    ]


# ---------------------------------------------------------------------------------
# Legacy 统计表 (2008–2018): label signatures → key; no national form, so any order.

LEGACY_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("proactive.channel.website", ("政府网站公开数", "网站公开数", "政府网站公开政府信息数", "网站公开")),
    ("proactive.channel.gazette", ("政府公报公开数", "公报公开数", "政府公报公开政府信息数", "公报公开")),
    ("proactive.channel.other", ("其他方式公开政府信息数", "其他方式公开数")),
    ("proactive.total", ("主动公开政府信息数", "主动公开文件数", "主动公开信息数", "主动公开政府信息总数")),
    ("requests.channel.in_person", ("当面申请数",)),
    ("requests.channel.online", ("网上申请数", "网络申请数")),
    ("requests.channel.letter_fax", ("信函传真申请数", "信函、传真申请数")),
    ("requests.channel.letter", ("信函申请数",)),
    ("requests.channel.fax", ("传真申请数",)),
    ("requests.channel.other", ("其他形式申请数", "其他方式申请数", "其它形式申请数", "其它方式申请数")),
    # no vocabulary key: read only so that the channels add up to the requests (never emitted)
    ("requests.channel.email", ("电子邮件申请数", "电子邮件申请")),
    ("requests.new.total", ("受理依申请公开信息总数", "受理政府信息公开申请总数", "收到申请数", "申请总数",
                            "受理依申请公开总数", "依申请公开信息总数")),
    ("outcome.disclosed.total", ("同意公开答复数",)),
    ("outcome.partially_disclosed.total", ("同意部分公开答复数", "部分公开答复数")),
    ("outcome.withheld.total", ("不同意公开答复数", "不予公开答复数", "否决公开答复数", "否决公开答复总数")),
    ("legacy.replies.already_public", ("属于已主动公开范围数",)),
    ("legacy.replies.not_own_agency", ("不属于本行政机关公开数",)),
    ("legacy.replies.not_exist", ("申请信息不存在数",)),
    ("legacy.replies.correction_requested", ("告知作出更改补充数",)),
    ("legacy.replies.other_channel", ("告知通过其他途径办理数",)),
    ("legacy.replies.other", ("其他类型答复数",)),
    ("outcome.total.total", ("对申请的答复总数", "对申请的答复数", "申请答复数", "答复总数")),
    ("fees.collected", ("政府信息公开收费减免金额", "依申请公开信息收取的费用", "依申请提供信息收取的费用",
                        "收取费用")),
    ("complaints.total", ("接受行政诉讼举报数", "接受行政申诉举报数", "举报投诉数", "申诉举报数", "行政申诉数")),
    ("review.total", ("行政复议数", "申请行政复议数")),
    ("litigation.total", ("行政诉讼数", "提起行政诉讼数")),
    ("staff.full_time", ("专职人员数",)),
    ("staff.part_time", ("兼职人员数",)),
    ("staff.total", ("从事政府信息公开工作人员数",)),
    ("org.units", ("政府信息公开工作专门机构数",)),
    ("org.reading_points", ("设置政府信息公开查阅点数", "政府信息公开查阅点数")),
    ("meetings.count", ("召开政府信息公开工作会议或专题会议数", "工作会议或专题会议数")),
    ("trainings.count", ("举办各类培训班数",)),
    ("trainings.attendees", ("接受培训人员数",)),
    ("budget.special_funds", ("政府信息公开专项经费",)),
)
# Sums of the legacy 统计表 (each holds in the year's column; some reports have one side only).
LEGACY_EQUATIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("proactive.total",), ("proactive.channel.website", "proactive.channel.gazette", "proactive.channel.other")),
    (("requests.new.total",), ("requests.channel.in_person", "requests.channel.online", "requests.channel.letter_fax",
                               "requests.channel.letter", "requests.channel.fax", "requests.channel.email",
                               "requests.channel.other")),
    (("outcome.total.total",), ("outcome.disclosed.total", "outcome.partially_disclosed.total",
                                "outcome.withheld.total", "legacy.replies.other")),
)
LEGACY_UNITS = ("人次", "万元", "条", "件", "个", "人", "次", "元", "项", "篇", "期", "场", "处", "份", "名")


# ---------------------------------------------------------------------------------
# Matching form

_DROP = re.compile(r"[\s|｜\"'“”‘’「」『』《》〈〉、,，.．。:：;；·!！?？_\-—–－/／\\()（）\[\]【】]")


def fold_for_match(text: str) -> str:
    """NFKC (which also maps the CJK radicals ``⼀⾏`` to ``一行``), without
    whitespace and punctuation: the form row signatures are matched in."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text))
