"""Generated annual-report documents for the gold set and the parse benchmark.

TEST DATA: every document this module writes is invented (invented bodies under
real counties, invented figures). Nothing here reads a parser's output: a
document is built from a :class:`Doc` -- title lines, paragraphs and tables whose
cells carry the vocabulary key and the value a person reads off them -- and the
gold figures (:meth:`Doc.gold`) are taken from that same description, so the
gold says exactly what the document prints.

Forms: ``html`` (three page chromes: a TRS-like portal page, a Hanweb-like
portal page, a file saved by Word as HTML), ``pdf`` (reportlab with its built-in
``STSong-Light`` CID font), ``docx`` (python-docx) and ``txt`` (a text export
in the style of the real seeds: one tab-indented line per table cell, a blank
line between rows; or, for a legacy 附表, one cell per line with nothing
between rows).

Messiness real portals show, switched on per document by *quirks* (see
``QUIRKS``): misaligned colspans, blank and ``—`` cells, ``无`` cells, units in
cells, full-width digits, a table split over two ``<table>`` elements or two
PDF pages, Word's ``<p><span>`` cells, a missing header row, an extra empty
column.

Entry points: :func:`template_report`, :func:`legacy_table_report`,
:func:`legacy_text_report` build a :class:`Doc`; :func:`render` turns it into
bytes; :func:`random_doc` makes a varied document for the benchmark.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

# ---------------------------------------------------------------------------
# Places and bodies (real counties, invented bodies)


@dataclass(frozen=True)
class County:
    province: str
    city: str
    name: str  # 安吉县
    area_code: str  # telephone
    site: str  # portal domain (invented path, real-looking host)
    prefix: str = ""  # how names start: 威海市文登区 for a district, else the county's name

    @property
    def full(self) -> str:
        return self.prefix or self.name


COUNTIES = {
    "安吉县": County("浙江省", "湖州市", "安吉县", "0572", "www.anji.gov.cn"),
    "仙居县": County("浙江省", "台州市", "仙居县", "0576", "www.zjxj.gov.cn"),
    "宁乡市": County("湖南省", "长沙市", "宁乡市", "0731", "www.ningxiang.gov.cn"),
    "昌黎县": County("河北省", "秦皇岛市", "昌黎县", "0335", "www.changli.gov.cn"),
    "曲阜市": County("山东省", "济宁市", "曲阜市", "0537", "www.qufu.gov.cn"),
    "婺源县": County("江西省", "上饶市", "婺源县", "0793", "www.jxwy.gov.cn"),
    "莱阳市": County("山东省", "烟台市", "莱阳市", "0535", "www.laiyang.gov.cn"),
    "蛟河市": County("吉林省", "吉林市", "蛟河市", "0432", "www.jiaohe.gov.cn"),
    "将乐县": County("福建省", "三明市", "将乐县", "0598", "www.jiangle.gov.cn"),
    "文登区": County("山东省", "威海市", "文登区", "0631", "www.wendeng.gov.cn", "威海市文登区"),
}

# Invented bodies: (name without county, word the report uses for itself, office)
BODIES = [
    ("竹韵镇人民政府", "我镇", "党政办公室"),
    ("青岚乡人民政府", "我乡", "党政综合办公室"),
    ("金湖街道办事处", "我街道", "党政办公室"),
    ("海棠镇人民政府", "我镇", "党政办公室"),
    ("杏林镇人民政府", "我镇", "党政办"),
    ("茶源乡人民政府", "我乡", "党政办公室"),
    ("梨香街道办事处", "我街道", "综合办公室"),
    ("松岭镇人民政府", "我镇", "政务公开办"),
    ("玉溪乡人民政府", "我乡", "党政办"),
    ("文化旅游发展中心", "我中心", "办公室"),
    ("农业技术推广站", "我站", "办公室"),
    ("数字经济发展局", "我局", "办公室"),
    ("城乡建设服务中心", "我中心", "综合科"),
    ("林业发展服务站", "我站", "办公室"),
]

FULLWIDTH = str.maketrans("0123456789.,+-", "０１２３４５６７８９．，＋－")


def fullwidth(text: str) -> str:
    return text.translate(FULLWIDTH)


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def fmt(v: Any) -> str:
    """A number as a report prints it (no trailing .0)."""
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def wan_to_yuan(x: Any) -> int | float:
    """万元 → 元, exactly."""
    y = Decimal(str(x)) * 10000
    return int(y) if y == y.to_integral_value() else float(y)


# ---------------------------------------------------------------------------
# The document model


@dataclass
class Cell:
    """One table cell as written (own cells only, HTML-like spans).

    ``key``/``value``: the vocabulary key and the value a person reads off the
    cell (``value`` None: blank or dash, no figure)."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None
    value: Any = None
    approx: bool = False


def lab(text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return Cell(text, rowspan, colspan)


def val(key: str | None, value: Any, show: str | None = None, colspan: int = 1) -> Cell:
    """A value cell; ``show`` overrides the printed text (``value`` None for a
    blank or dash cell)."""
    text = fmt(value) if show is None else show
    return Cell(text, 1, colspan, key if value is not None else None, value)


@dataclass
class Table:
    rows: list[list[Cell]]
    name: str = ""
    split_after: int | None = None  # split into two tables / pages after this row
    misaligned: tuple[int, ...] = ()  # rows whose first label cell loses a colspan (HTML)
    extra_empty_column: bool = False  # an empty column at the right (HTML, DOCX)
    col_widths: tuple[float, ...] | None = None  # PDF relative widths


@dataclass
class Para:
    text: str
    figures: dict[str, Any] = field(default_factory=dict)  # key -> value | (value, approximate)
    kind: str = "p"  # p | h (section heading) | title | sign (落款 line) | note


@dataclass
class Doc:
    stem: str
    form: str  # html | pdf | docx | txt
    era: str  # gold format
    title: str
    title_lines: list[str]
    agency: str
    county: str
    year: int
    published: dt.date | None  # what the page/document states as its publication date
    blocks: list[Para | Table]
    style: str = "trs"  # html chrome: trs | hanweb | wordsaved ; txt: seed | cells
    quirks: tuple[str, ...] = ()
    signature_date: dt.date | None = None
    index_no: str = ""

    @property
    def extension(self) -> str:
        return {"html": "htm" if self.style != "hanweb" else "html", "pdf": "pdf", "docx": "docx", "txt": "txt"}[self.form]

    @property
    def filename(self) -> str:
        return f"{self.stem}.{self.extension}"

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def gold(self) -> dict:
        """The gold record: metadata and the figures, tagged table / prose."""
        table: dict[str, Any] = {}
        for t in self.tables():
            for row in t.rows:
                for c in row:
                    if c.key and c.value is not None:
                        v = {"value": c.value, "approximate": True} if c.approx else c.value
                        if c.key in table and table[c.key] != v:
                            raise ValueError(f"{self.stem}: {c.key} twice in the tables")
                        table[c.key] = v
        prose: dict[str, Any] = {}
        for b in self.blocks:
            if isinstance(b, Para):
                for k, v in b.figures.items():
                    if isinstance(v, tuple):
                        v = {"value": v[0], "approximate": bool(v[1])} if v[1] else v[0]
                    if k in table:
                        if _plain(table[k]) != _plain(v):
                            raise ValueError(f"{self.stem}: prose {k}={v} disagrees with table {table[k]}")
                        continue  # a figure the tables give is read from the table
                    if k in prose and prose[k] != v:
                        raise ValueError(f"{self.stem}: prose {k} stated twice differently")
                    prose[k] = v
        return {
            "format": self.era,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published": self.published.isoformat() if self.published else None,
            "county": self.county,
            "figures": {"table": table, "prose": prose},
        }


def _plain(v: Any) -> Any:
    return v["value"] if isinstance(v, dict) else v


# ---------------------------------------------------------------------------
# Table builders (the official templates' layout, spans as in the templates)

APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
# (base key, group label or None, label)
T3_OUTCOMES = [
    ("outcome.disclosed", None, "（一）予以公开"),
    ("outcome.partially_disclosed", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("outcome.withheld.state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("outcome.withheld.prohibited_by_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("outcome.withheld.security_stability", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("outcome.withheld.third_party_rights", "（三）不予公开", "4.保护第三方合法权益"),
    ("outcome.withheld.internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("outcome.withheld.process_information", "（三）不予公开", "6.属于四类过程性信息"),
    ("outcome.withheld.enforcement_files", "（三）不予公开", "7.属于行政执法案卷"),
    ("outcome.withheld.administrative_inquiry", "（三）不予公开", "8.属于行政查询事项"),
    ("outcome.unavailable.not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("outcome.unavailable.needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("outcome.unavailable.unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("outcome.not_processed.petition", "（五）不予处理", "1.信访举报投诉类申请"),
    ("outcome.not_processed.repeated", "（五）不予处理", "2.重复申请"),
    ("outcome.not_processed.publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("outcome.not_processed.mass_repeated", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("outcome.not_processed.confirmation", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
]
T3_OTHER_2019 = [("outcome.other", None, "（六）其他处理")]
T3_OTHER_2021 = [
    ("outcome.other.no_correction", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("outcome.other.no_fee_paid", "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("outcome.other.misc", "（六）其他处理", "3.其他"),
]
T4_RESULTS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计"))
T4_GROUPS = ("review", "litigation.direct", "litigation.after_review")


def t3_rows(template: str) -> list[tuple[str, str | None, str]]:
    return T3_OUTCOMES + (T3_OTHER_2019 if template == "2019" else T3_OTHER_2021) + [("outcome.total", None, "（七）总计")]


# A cell override: (row base key, applicant) -> (shown text, value or None)
Overrides = dict[tuple[str, str], tuple[str, Any]]


def _t3_values(base: str, values: list[int], overrides: Overrides) -> list[Cell]:
    cells = []
    for app, v in zip(APPLICANTS, values):
        show, value = overrides.get((base, app), (fmt(v), v))
        cells.append(val(f"{base}.{app}", value, show))
    return cells


def table3(template: str, figs: dict[str, list[int]], overrides: Overrides | None = None, *,
           top_header: bool = True) -> Table:
    """Table 三 of the 2019 or 2021 template. ``figs[base]`` = 7 values in
    applicant order."""
    ov = overrides or {}
    rows: list[list[Cell]] = []
    if top_header:
        rows.append([lab(T3_NOTE, 3, 3), lab("申请人情况", 1, 7)])
        rows.append([lab("自然人", 2), lab("法人或其他组织", 1, 5), lab("总计", 2)])
        rows.append([lab(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")])
    else:  # the 申请人情况 row left out, as many reports do
        rows.append([lab(T3_NOTE, 2, 3), lab("自然人", 2), lab("法人或其他组织", 1, 5), lab("总计", 2)])
        rows.append([lab(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")])
    rows.append([lab("一、本年新收政府信息公开申请数量", 1, 3)] + _t3_values("requests.new", figs["requests.new"], ov))
    rows.append([lab("二、上年结转政府信息公开申请数量", 1, 3)] + _t3_values("requests.carried_over", figs["requests.carried_over"], ov))
    outcome_rows = t3_rows(template)
    n_results = len(outcome_rows)
    group_sizes: dict[str, int] = {}
    for _, g, _ in outcome_rows:
        if g:
            group_sizes[g] = group_sizes.get(g, 0) + 1
    seen_groups: set[str] = set()
    for i, (base, group, label) in enumerate(outcome_rows):
        row: list[Cell] = []
        if i == 0:
            row.append(lab("三、本年度办理结果", n_results, 1))
        if group is None:
            row.append(lab(label, 1, 2))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                row.append(lab(group, group_sizes[group], 1))
            row.append(lab(label))
        rows.append(row + _t3_values(base, figs[base], ov))
    rows.append([lab("四、结转下年度继续办理", 1, 3)] + _t3_values("requests.carried_forward", figs["requests.carried_forward"], ov))
    return Table(rows, "table3", col_widths=(1.0, 1.3, 3.2) + (0.75,) * 7)


def table4(values: dict[str, int], overrides: dict[str, tuple[str, Any]] | None = None) -> Table:
    ov = overrides or {}
    rows = [
        [lab("行政复议", 1, 5), lab("行政诉讼", 1, 10)],
        [lab(t, 2) for _, t in T4_RESULTS] + [lab("未经复议直接起诉", 1, 5), lab("复议后起诉", 1, 5)],
        [lab(t) for _, t in T4_RESULTS] * 2,
    ]
    cells = []
    for g in T4_GROUPS:
        for r, _ in T4_RESULTS:
            key = f"{g}.{r}"
            show, value = ov.get(key, (fmt(values[key]), values[key]))
            cells.append(val(key, value, show))
    rows.append(cells)
    return Table(rows, "table4")


T2_2019 = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], [
        ("规章", "proactive.rules", ["new_made", "new_published", "total_published"]),
        ("规范性文件", "proactive.normative_documents", ["new_made", "new_published", "total_published"]),
    ]),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], [
        ("行政许可", "proactive.licensing", ["items_last_year", "items_change", "decisions"]),
        ("其他对外管理服务事项", "proactive.other_services", ["items_last_year", "items_change", "decisions"]),
    ]),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], [
        ("行政处罚", "proactive.penalties", ["items_last_year", "items_change", "decisions"]),
        ("行政强制", "proactive.enforcement", ["items_last_year", "items_change", "decisions"]),
    ]),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], [
        ("行政事业性收费", "proactive.fees", ["items_last_year", "items_change"]),
    ]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额"], [
        ("政府集中采购", "proactive.procurement", ["projects", "amount"]),
    ]),
]
T2_2021 = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], [
        ("规章", "proactive.rules", ["issued", "repealed", "in_force"]),
        ("行政规范性文件", "proactive.normative_documents", ["issued", "repealed", "in_force"]),
    ]),
    ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", "proactive.licensing", ["decisions"])]),
    ("第二十条第（六）项", ["本年处理决定数量"], [
        ("行政处罚", "proactive.penalties", ["decisions"]),
        ("行政强制", "proactive.enforcement", ["decisions"]),
    ]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", "proactive.fees", ["amount"])]),
]


def _spread(n: int) -> list[int]:
    """colspans of n cells over the table's 3 value columns."""
    return {1: [3], 2: [1, 2], 3: [1, 1, 1]}[n]


def table2(template: str, cells: dict[str, tuple[str, Any]]) -> Table:
    """Table 二. ``cells[key]`` = (shown text, value in the vocabulary's unit or
    None)."""
    rows: list[list[Cell]] = []
    for heading, columns, items in (T2_2019 if template == "2019" else T2_2021):
        rows.append([lab(heading, 1, 4)])
        spans = _spread(len(columns))
        rows.append([lab("信息内容")] + [lab(c, 1, s) for c, s in zip(columns, spans)])
        for label, prefix, subkeys in items:
            row = [lab(label)]
            for sub, s in zip(subkeys, spans):
                key = f"{prefix}.{sub}"
                show, value = cells[key]
                row.append(val(key, value, show, colspan=s))
            rows.append(row)
    return Table(rows, "table2", col_widths=(2.2, 1.0, 1.0, 1.0))


def legacy_table(rows: list[tuple], columns: tuple[str, ...] = ("指标名称", "单位", "数量")) -> Table:
    """A legacy 附表. ``rows``: ``(label,)`` for a heading row, or
    ``(label, unit, shown, key, value[, cum_shown, cum_key, cum_value])``."""
    out = [[lab(c) for c in columns]]
    width = len(columns)
    for r in rows:
        if len(r) == 1:
            out.append([lab(r[0])] + [lab("") for _ in range(width - 1)])
            continue
        label, unit, shown, key, value = r[:5]
        row = [lab(label), lab(unit), val(key, value, shown)]
        if width == 4:
            cum_shown, cum_key, cum_value = r[5:8] if len(r) > 5 else ("", None, None)
            row.append(val(cum_key, cum_value, cum_shown))
        out.append(row)
    widths = (4.5, 0.8, 1.0) if width == 3 else (4.5, 0.8, 1.0, 1.0)
    return Table(out, "legacy", col_widths=widths)


# ---------------------------------------------------------------------------
# Figures


def random_t3(rng: random.Random, template: str, scale: int = 1) -> dict[str, list[int]]:
    """Table 三 figures that satisfy the template's relations (row sums, column
    identity 新收 + 上年结转 = 总计 + 结转下年度)."""
    def small(p_zero: float, hi: int) -> int:
        return 0 if rng.random() < p_zero else rng.randint(1, hi)

    figs: dict[str, list[int]] = {}
    bases = [b for b, _, _ in t3_rows(template) if b != "outcome.total"]
    weights = {"natural_person": (0.1, 9 * scale), "commercial_enterprise": (0.5, 3 * scale),
               "research_institution": (0.85, 1), "social_welfare_org": (0.9, 1),
               "legal_service_org": (0.6, 2), "other_org": (0.8, 1)}
    for b in bases:
        heavy = b in ("outcome.disclosed", "outcome.partially_disclosed", "outcome.unavailable.not_held")
        row = []
        for app in APPLICANTS[:-1]:
            pz, hi = weights[app]
            if heavy:
                row.append(small(pz, hi))
            else:
                row.append(small(max(0.85, min(0.97, pz + 0.5)), max(1, hi // 3)))
        figs[b] = row + [sum(row)]
    total = [sum(figs[b][i] for b in bases) for i in range(6)]
    figs["outcome.total"] = total + [sum(total)]
    carried_over = [min(t, rng.choice([0, 0, 0, 1])) for t in total]
    carried_forward = [rng.choice([0, 0, 0, 1]) for _ in total]
    new = [t + f - o for t, f, o in zip(total, carried_forward, carried_over)]
    figs["requests.carried_over"] = carried_over + [sum(carried_over)]
    figs["requests.carried_forward"] = carried_forward + [sum(carried_forward)]
    figs["requests.new"] = new + [sum(new)]
    return figs


def random_t4(rng: random.Random) -> dict[str, int]:
    out = {}
    for g in T4_GROUPS:
        parts = [rng.choice([0, 0, 0, 1, 2]) if g == "review" else rng.choice([0, 0, 0, 0, 1]) for _ in range(4)]
        for (r, _), v in zip(T4_RESULTS[:-1], parts):
            out[f"{g}.{r}"] = v
        out[f"{g}.total"] = sum(parts)
    return out


def random_t2(rng: random.Random, template: str) -> dict[str, tuple[str, Any]]:
    cells: dict[str, tuple[str, Any]] = {}

    def put(key: str, v: Any) -> None:
        cells[key] = (fmt(v), v)

    if template == "2019":
        for p in ("proactive.rules", "proactive.normative_documents"):
            made = 0 if p == "proactive.rules" else rng.randint(0, 12)
            put(f"{p}.new_made", made)
            put(f"{p}.new_published", made)
            put(f"{p}.total_published", made + (0 if p == "proactive.rules" else rng.randint(0, 60)))
        for p in ("proactive.licensing", "proactive.other_services", "proactive.penalties", "proactive.enforcement"):
            put(f"{p}.items_last_year", rng.randint(0, 40))
            ch = rng.choice([0, 0, 0, 1, 2, -1])
            cells[f"{p}.items_change"] = (f"+{ch}" if ch > 0 else fmt(ch), ch)
            put(f"{p}.decisions", rng.choice([0, rng.randint(1, 300)]))
        put("proactive.fees.items_last_year", rng.randint(0, 5))
        put("proactive.fees.items_change", 0)
        put("proactive.procurement.projects", rng.randint(0, 12))
        amount = rng.choice([0, rng.randint(50, 900) * 500])
        cells["proactive.procurement.amount"] = (f"{amount}元" if amount else "0", amount)
    else:
        put("proactive.rules.issued", 0)
        put("proactive.rules.repealed", 0)
        put("proactive.rules.in_force", 0)
        issued = rng.randint(0, 8)
        put("proactive.normative_documents.issued", issued)
        put("proactive.normative_documents.repealed", rng.randint(0, 3))
        put("proactive.normative_documents.in_force", issued + rng.randint(0, 40))
        for p in ("proactive.licensing", "proactive.penalties", "proactive.enforcement"):
            put(f"{p}.decisions", rng.choice([0, rng.randint(1, 400)]))
        fee = rng.choice([0, 0, 0.5, 1.2, 3.75])
        cells["proactive.fees.amount"] = (fmt(fee), wan_to_yuan(fee))
    return cells


# ---------------------------------------------------------------------------
# Report builders


@dataclass
class Params:
    county: str
    body: tuple[str, str, str]  # BODIES entry
    year: int
    form: str
    style: str = "trs"
    published: dt.date | None = None  # default: mid January of the next year
    quirks: tuple[str, ...] = ()
    stem: str = ""
    split_title: bool = True

    @property
    def agency(self) -> str:
        return COUNTIES[self.county].full + self.body[0]

    @property
    def we(self) -> str:
        return self.body[1]

    @property
    def office(self) -> str:
        return self.body[2]

    @property
    def pub(self) -> dt.date:
        return self.published or dt.date(self.year + 1, 1, 15 + (self.year % 10))


QUIRKS = {
    "t3_misaligned": "HTML: a table-三 row whose label spans 2 columns instead of 3 (values shift left)",
    "t3_fullwidth": "full-width digits in the 本年新收 row of table 三",
    "t3_blank_total": "blank 总计 cells in table 三 (no figure)",
    "t3_dash": "'—' cells in table 三 (no figure)",
    "t3_wu": "无 in a table-三 row (read as 0)",
    "t3_no_top_header": "table 三 without its 申请人情况 header row",
    "t3_split": "table 三 split in two: two <table>s (HTML) or two pages (PDF)",
    "t2_dash": "'—' cells in table 二 (no figure)",
    "t2_blank": "blank cells in table 二 (no figure)",
    "t2_units": "units in table-二 count cells (12件)",
    "t2_money_cell": "a money cell with its own unit (0.5万元 / 183500元)",
    "t4_extra_col": "an empty column at the right of table 四",
    "t4_units": "units in table-四 cells (1件)",
    "word_cells": "HTML cells written by Word: <p class=MsoNormal><span>…</span></p>, &nbsp; blanks, split runs",
    "published_differs": "the page's 发布日期 differs from the 落款 date",
    "legacy_units": "units written in the 附表's 数量 cells (26件)",
    "legacy_fullwidth": "full-width digits in the 附表",
    "legacy_dash": "'—' cells in the 附表 (no figure)",
    "legacy_split": "the 附表 split over two PDF pages",
    "legacy_cum": "a 历年累计 column in the 附表",
}


def _intro_template(p: Params, c: County) -> Para:
    return Para(
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
        f"有关要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议"
        f"和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自{p.year}年1月1日起至"
        f"{p.year}年12月31日止。本报告电子版可在{c.full}人民政府门户网站（http://{c.site}）政府信息公开专栏查阅。"
        f"如对本报告有疑问，请与{p.agency}{p.office}联系（电话：{c.area_code}-{_phone(p)}）。"
    )


def _phone(p: Params) -> str:
    r = random.Random(p.agency + str(p.year))
    return f"{r.randint(2, 8)}{r.randint(100000, 999999)}"


def _signature(p: Params, sign_date: dt.date) -> list[Para]:
    return [Para(p.agency, kind="sign"), Para(cn_date(sign_date), kind="sign")]


TEST_NOTE = "本报告为xxgk-archive测试数据，非真实报告。"


def _title(p: Params) -> tuple[str, list[str]]:
    title = f"{p.agency}{p.year}年政府信息公开工作年度报告"
    lines = [p.agency, f"{p.year}年政府信息公开工作年度报告"] if p.split_title else [title]
    return title, lines


def template_report(p: Params, rng: random.Random, template: str) -> Doc:
    """A 2019- or 2021-template report (template '2019' or '2021')."""
    c = COUNTIES[p.county]
    q = set(p.quirks)
    title, title_lines = _title(p)
    t3 = random_t3(rng, template, scale=rng.choice([1, 1, 2, 4]))
    t4 = random_t4(rng)
    t2 = random_t2(rng, template)
    # ---- quirks on table cells
    ov: Overrides = {}
    if "t3_fullwidth" in q:
        for app, v in zip(APPLICANTS, t3["requests.new"]):
            ov[("requests.new", app)] = (fullwidth(fmt(v)), v)
    if "t3_blank_total" in q:
        for base in ("outcome.unavailable.unclear", "outcome.not_processed.publication"):
            ov[(base, "total")] = ("", None)
    if "t3_dash" in q:
        for base in ("outcome.withheld.state_secret", "outcome.withheld.security_stability"):
            for app in ("research_institution", "social_welfare_org"):
                if t3[base][APPLICANTS.index(app)] == 0:
                    ov[(base, app)] = ("—", None)
    if "t3_wu" in q:
        base = "outcome.withheld.enforcement_files"
        if all(v == 0 for v in t3[base]):
            for app in APPLICANTS:
                ov[(base, app)] = ("无", 0)
    if "t2_dash" in q:
        for k in [k for k in t2 if k.startswith("proactive.rules.")]:
            t2[k] = ("—", None)
    if "t2_blank" in q:
        for k in [k for k in t2 if k.startswith("proactive.rules.")]:
            t2[k] = ("", None)
        if template == "2019":
            t2["proactive.fees.items_change"] = ("", None)
    if "t2_units" in q:
        for k in [k for k in t2 if k.startswith("proactive.normative_documents.")]:
            show, v = t2[k]
            if v is not None:
                t2[k] = (f"{show}件", v)
    if "t2_money_cell" in q:
        if template == "2021":
            t2["proactive.fees.amount"] = ("0.5万元", 5000)
        else:
            t2["proactive.procurement.amount"] = ("183500元", 183500)
    t4_ov: dict[str, tuple[str, Any]] = {}
    if "t4_units" in q:
        for k, v in t4.items():
            if v:
                t4_ov[k] = (f"{v}件", v)
    tbl3 = table3(template, t3, ov, top_header="t3_no_top_header" not in q)
    if "t3_split" in q:
        # after the row of 6.属于四类过程性信息 (header rows + 2 + 8)
        tbl3.split_after = next(i for i, r in enumerate(tbl3.rows) if any("6.属于四类过程性信息" == x.text for x in r))
    if "t3_misaligned" in q and p.form == "html":
        tbl3.misaligned = (len(tbl3.rows) - 1,)
    tbl4 = table4(t4, t4_ov)
    tbl4.extra_empty_column = "t4_extra_col" in q
    tbl2 = table2(template, t2)

    # ---- prose
    pro_total = rng.randint(40, 2600)
    website = pro_total - rng.randint(0, pro_total // 4)
    wechat = rng.randint(30, 900)
    interp = rng.randint(2, 40)
    new_total = t3["requests.new"][-1]
    blocks: list[Para | Table] = [_intro_template(p, c), Para("一、总体情况", kind="h")]
    blocks.append(Para(
        f"{p.year}年，{p.we}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的"
        f"部署要求，围绕中心工作，扎实推进决策、执行、管理、服务、结果公开，政府信息公开工作取得新进展。"))
    variant = rng.randrange(4)
    if variant == 0:
        site_word = rng.choice(["通过政府门户网站公开", "在政府门户网站发布"])
        blocks.append(Para(
            f"（一）主动公开情况。全年主动公开政府信息{pro_total}条，其中{site_word}{website}条，"
            f"发布政策解读{interp}篇；通过“{c.name[:-1]}发布”微信公众号发布信息{wechat}条。",
            {"proactive.total": pro_total, "proactive.channel.website": website,
             "response.interpretations": interp, "proactive.channel.wechat": wechat}))
    elif variant == 1:
        press = rng.randint(1, 9)
        blocks.append(Para(
            f"（一）主动公开情况。{p.year}年，{p.we}共主动公开政府信息{pro_total}条，发布政策解读稿件{interp}篇，"
            f"召开新闻发布会{press}次。",
            {"proactive.total": pro_total, "response.interpretations": interp, "response.press_conferences": press}))
    elif variant == 2:
        concerns = rng.randint(1, 9) * 10
        blocks.append(Para(
            f"（一）主动公开情况。全年累计发布各类政务信息{pro_total + wechat}条，其中主动公开政府信息{pro_total}条。"
            f"回应公众关注热点{concerns}余次。",
            {"proactive.total": pro_total, "response.public_concerns": (concerns, True)}))
    else:
        weibo = rng.randint(20, 400)
        blocks.append(Para(
            f"（一）主动公开情况。本年度共主动公开政府信息{pro_total}条。其中，政府网站公开政府信息{website}条，"
            f"政务微博公开政府信息{weibo}条，政务微信公开政府信息{wechat}条。",
            {"proactive.total": pro_total, "proactive.channel.website": website,
             "proactive.channel.weibo": weibo, "proactive.channel.wechat": wechat}))
    if new_total:
        request_sentence = rng.choice([
            "（二）依申请公开情况。全年共收到政府信息公开申请{n}件，均在法定期限内予以答复。",
            "（二）依申请公开情况。{year}年，{we}共受理政府信息公开申请{n}件，全部按期办结。",
            "（二）依申请公开情况。本年度新收政府信息公开申请{n}件，均依法依规予以答复。",
        ])
        blocks.append(Para(request_sentence.format(n=new_total, year=p.year, we=p.we),
                           {"requests.new.total": new_total}))
    else:
        blocks.append(Para(rng.choice([
            "（二）依申请公开情况。本年度未收到政府信息公开申请。",
            f"（二）依申请公开情况。{p.year}年，{p.we}没有收到政府信息公开申请。",
        ]), {"requests.new.total": 0}))
    blocks.append(Para(
        "（三）政府信息管理情况。严格落实公开属性源头认定和保密审查制度，对现行有效的规范性文件进行全面清理，"
        "全年未发生失泄密事件。"))
    blocks.append(Para(
        f"（四）平台建设情况。依托{c.full}人民政府门户网站政府信息公开专栏，规范设置政府信息公开指南、政府信息公开制度、"
        f"法定主动公开内容、政府信息公开年报等栏目，及时更新公开内容。"))
    full, part = rng.randint(1, 2), rng.randint(1, 6)
    trainings = rng.randint(1, 5)
    attendees = rng.randint(3, 30) * 10
    meetings = rng.randint(1, 6)
    variant = rng.randrange(4)
    if variant == 0:
        blocks.append(Para(
            f"（五）监督保障情况。成立政务公开工作领导小组，配备专职工作人员{full}名、兼职工作人员{part}名；"
            f"组织开展政务公开业务培训{trainings}次，培训人员{attendees}余人次。",
            {"staff.full_time": full, "staff.part_time": part, "trainings.count": trainings,
             "trainings.attendees": (attendees, True)}))
    elif variant == 1:
        blocks.append(Para(
            f"（五）监督保障情况。将政务公开工作纳入年度考核，举办政务公开业务培训班{trainings}期，"
            f"参加培训人员{attendees}人次。",
            {"trainings.count": trainings, "trainings.attendees": attendees}))
    elif variant == 2:
        blocks.append(Para(
            f"（五）监督保障情况。全年召开政务公开工作专题会议{meetings}次，研究部署政务公开重点工作；"
            f"{p.we}现有专职工作人员{full}名，兼职工作人员{part}名。",
            {"meetings.count": meetings, "staff.full_time": full, "staff.part_time": part}))
    else:
        blocks.append(Para(
            f"（五）监督保障情况。强化政务公开工作培训，全年举办各类培训班{trainings}次，接受培训人员{attendees}人次。",
            {"trainings.count": trainings, "trainings.attendees": attendees}))
    blocks.append(Para("二、主动公开政府信息情况", kind="h"))
    blocks.append(tbl2)
    blocks.append(Para("三、收到和处理政府信息公开申请情况", kind="h"))
    blocks.append(tbl3)
    blocks.append(Para("四、政府信息公开行政复议、行政诉讼情况", kind="h"))
    blocks.append(tbl4)
    blocks.append(Para("五、存在的主要问题及改进情况", kind="h"))
    blocks.append(Para(
        f"{p.year}年，{p.we}政府信息公开工作取得了一定成效，但仍存在一些不足：一是政策解读形式较为单一；"
        f"二是基层政务公开标准化规范化水平有待提高。下一步，{p.we}将加强业务培训，丰富解读形式，提升政务公开质效。"))
    blocks.append(Para("六、其他需要报告的事项", kind="h"))
    if template == "2021":
        blocks.append(Para(rng.choice([
            f"{p.agency}{p.year}年度未收取政府信息公开信息处理费。",
            f"依据《政府信息公开信息处理费管理办法》，本机关{p.year}年度没有收取信息处理费。",
            f"{p.year}年，{p.we}未向政府信息公开申请人收取任何费用。",
            f"本年度{p.we}无政府信息公开收费情况。",
        ]), {"fees.collected": 0}))
    else:
        blocks.append(Para("本年度无其他需要报告的事项。"))
    sign_date = p.pub - dt.timedelta(days=3) if "published_differs" in q else p.pub
    blocks.extend(_signature(p, sign_date))
    blocks.append(Para(TEST_NOTE, kind="note"))
    return Doc(
        stem=p.stem, form=p.form, era=f"{template}-template", title=title, title_lines=title_lines,
        agency=p.agency, county=p.county, year=p.year, published=_published(p, sign_date),
        blocks=blocks, style=p.style, quirks=p.quirks, signature_date=sign_date,
        index_no=_index_no(p),
    )


def _published(p: Params, sign_date: dt.date) -> dt.date:
    """The publication date a reader sees: the page's 发布日期 for HTML pages,
    else the 落款 date (the only date the document has)."""
    return p.pub if p.form == "html" else sign_date


def _index_no(p: Params) -> str:
    r = random.Random(p.agency)
    return f"{r.randint(10**17, 10**18 - 1)}/{p.year + 1}-{r.randint(1, 99):05d}"


# -- legacy 附表

def _legacy_rows_full(rng: random.Random, q: set[str]) -> list[tuple]:
    """The 2016-2018 《政府信息公开情况统计表》 (abridged to its usual rows)."""
    n = lambda a, b: rng.randint(a, b)  # noqa: E731
    proactive = n(120, 3000)
    website = proactive - n(0, proactive // 5)
    weibo, wechat = n(0, 800), n(50, 2000)
    norm = n(0, 25)
    received = n(0, 40)
    in_person = n(0, received)
    online = n(0, received - in_person)
    letter = received - in_person - online
    disclosed = n(0, received)
    partial = n(0, received - disclosed)
    refused = n(0, received - disclosed - partial)
    rest = received - disclosed - partial - refused
    already = n(0, rest)
    not_own = rest - already
    review = rng.choice([0, 0, 1, 2])
    upheld = n(0, review)
    litigation = rng.choice([0, 0, 0, 1])
    staff_full, staff_part = n(1, 3), n(1, 8)
    fund = rng.choice([0, 1.5, 2, 3.5, 6])
    meetings, trainings, attendees = n(1, 6), n(1, 4), n(20, 300)
    concerns, press, interp, reading = n(0, 20), n(0, 6), n(0, 30), n(1, 4)
    cnt = (lambda v, u: f"{v}{u}") if "legacy_units" in q else (lambda v, u: fmt(v))
    if "legacy_fullwidth" in q:
        base_cnt = cnt
        cnt = lambda v, u: fullwidth(base_cnt(v, u))  # noqa: E731
    dash = "legacy_dash" in q
    rows: list[tuple] = [
        ("一、主动公开情况",),
        ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", cnt(proactive, "条"), "proactive.total", proactive),
        ("其中：主动公开规范性文件数", "条", cnt(norm, "条"), "proactive.normative_documents", norm),
        ("（二）通过不同渠道和方式公开政府信息的情况",),
        ("1.政府公报公开政府信息数", "条", "—" if dash else cnt(0, "条"), "proactive.channel.gazette", None if dash else 0),
        ("2.政府网站公开政府信息数", "条", cnt(website, "条"), "proactive.channel.website", website),
        ("3.政务微博公开政府信息数", "条", cnt(weibo, "条"), "proactive.channel.weibo", weibo),
        ("4.政务微信公开政府信息数", "条", cnt(wechat, "条"), "proactive.channel.wechat", wechat),
        ("二、回应解读情况",),
        ("（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次", cnt(concerns, "次"),
         "response.public_concerns", concerns),
        ("（二）通过不同渠道和方式回应解读的情况",),
        ("1.参加或举办新闻发布会总次数", "次", cnt(press, "次"), "response.press_conferences", press),
        ("2.政策解读稿件发布数", "篇", cnt(interp, "篇"), "response.interpretations", interp),
        ("三、依申请公开情况",),
        ("（一）收到申请数", "件", cnt(received, "件"), "requests.new.total", received),
        ("1.当面申请数", "件", cnt(in_person, "件"), "requests.channel.in_person", in_person),
        ("2.传真申请数", "件", "—" if dash else cnt(0, "件"), "requests.channel.fax", None if dash else 0),
        ("3.网络申请数", "件", cnt(online, "件"), "requests.channel.online", online),
        ("4.信函申请数", "件", cnt(letter, "件"), "requests.channel.letter", letter),
        ("（二）申请办结数", "件", cnt(received, "件"), "requests.completed", received),
        ("1.按时办结数", "件", cnt(received, "件"), "requests.completed_on_time", received),
        ("2.延期办结数", "件", cnt(0, "件"), "requests.completed_extended", 0),
        ("（三）申请答复数", "件", cnt(received, "件"), "outcome.total.total", received),
        ("1.属于已主动公开范围数", "件", cnt(already, "件"), "legacy.replies.already_public", already),
        ("2.同意公开答复数", "件", cnt(disclosed, "件"), "outcome.disclosed.total", disclosed),
        ("3.同意部分公开答复数", "件", cnt(partial, "件"), "outcome.partially_disclosed.total", partial),
        ("4.不同意公开答复数", "件", cnt(refused, "件"), "outcome.withheld.total", refused),
        ("5.不属于本行政机关公开数", "件", cnt(not_own, "件"), "legacy.replies.not_own_agency", not_own),
        ("6.申请信息不存在数", "件", cnt(0, "件"), "legacy.replies.not_exist", 0),
        ("四、行政复议数量", "件", cnt(review, "件"), "review.total", review),
        ("（一）维持具体行政行为数", "件", cnt(upheld, "件"), "review.upheld", upheld),
        ("（二）被依法纠错数", "件", cnt(review - upheld, "件"), "review.corrected", review - upheld),
        ("（三）其他情形数", "件", cnt(0, "件"), "review.other", 0),
        ("五、行政诉讼数量", "件", cnt(litigation, "件"), "litigation.total", litigation),
        ("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", cnt(litigation, "件"), None, None),
        ("（二）被依法纠错数", "件", cnt(0, "件"), None, None),
        ("六、举报投诉数量", "件", cnt(0, "件"), "complaints.total", 0),
        ("七、依申请公开信息收取的费用", "万元", cnt(0, "万元"), "fees.collected", 0),
        ("八、机构建设和保障经费情况",),
        ("（一）政府信息公开工作专门机构数", "个", cnt(1, "个"), "org.units", 1),
        ("（二）设置政府信息公开查阅点数", "个", cnt(reading, "个"), "org.reading_points", reading),
        ("（三）从事政府信息公开工作人员数", "人", cnt(staff_full + staff_part, "人"), "staff.total", staff_full + staff_part),
        ("1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", cnt(staff_full, "人"), "staff.full_time", staff_full),
        ("2.兼职人员数", "人", cnt(staff_part, "人"), "staff.part_time", staff_part),
        ("（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元",
         cnt(fund, "万元"), "budget.special_funds", wan_to_yuan(fund)),
        ("九、政府信息公开会议和培训情况",),
        ("（一）召开政府信息公开工作会议或专题会议数", "次", cnt(meetings, "次"), "meetings.count", meetings),
        ("（二）举办各类培训班数", "次", cnt(trainings, "次"), "trainings.count", trainings),
        ("（三）接受培训人员数", "人次", cnt(attendees, "人次"), "trainings.attendees", attendees),
    ]
    return rows


def _legacy_rows_short(rng: random.Random, q: set[str], year: int) -> tuple[list[tuple], tuple[str, ...]]:
    """An older, shorter 附表 (2008-2015 style), optionally with a 历年累计 column."""
    n = lambda a, b: rng.randint(a, b)  # noqa: E731
    cum = "legacy_cum" in q
    proactive = n(60, 900)
    cumulative = proactive + n(300, 6000)
    website = proactive
    received = n(0, 12)
    in_person = n(0, received)
    online = received - in_person
    disclosed = n(0, received)
    partial = received - disclosed
    cnt = (lambda v: fullwidth(fmt(v))) if "legacy_fullwidth" in q else fmt
    blank_cum = ("", None, None)
    rows: list[tuple] = [
        ("主动公开政府信息数", "条", cnt(proactive), "proactive.total", proactive) +
        ((cnt(cumulative), "proactive.cumulative", cumulative) if cum else ()),
        ("其中：政府网站公开数", "条", cnt(website), "proactive.channel.website", website) + (blank_cum if cum else ()),
        ("政府公报公开数", "条", cnt(0), "proactive.channel.gazette", 0) + (blank_cum if cum else ()),
        ("受理政府信息公开申请总数", "件", cnt(received), "requests.new.total", received) + (blank_cum if cum else ()),
        ("其中：当面申请数", "件", cnt(in_person), "requests.channel.in_person", in_person) + (blank_cum if cum else ()),
        ("网络申请数", "件", cnt(online), "requests.channel.online", online) + (blank_cum if cum else ()),
        ("信函、传真申请数", "件", cnt(0), "requests.channel.letter_fax", 0) + (blank_cum if cum else ()),
        ("对申请的答复总数", "件", cnt(received), "outcome.total.total", received) + (blank_cum if cum else ()),
        ("其中：同意公开答复数", "件", cnt(disclosed), "outcome.disclosed.total", disclosed) + (blank_cum if cum else ()),
        ("同意部分公开答复数", "件", cnt(partial), "outcome.partially_disclosed.total", partial) + (blank_cum if cum else ()),
        ("不予公开答复数", "件", cnt(0), "outcome.withheld.total", 0) + (blank_cum if cum else ()),
        ("行政复议数", "件", cnt(0), "review.total", 0) + (blank_cum if cum else ()),
        ("行政诉讼数", "件", cnt(0), "litigation.total", 0) + (blank_cum if cum else ()),
        ("举报投诉数", "件", cnt(0), "complaints.total", 0) + (blank_cum if cum else ()),
        ("依申请公开信息收取的费用", "元", cnt(0), "fees.collected", 0) + (blank_cum if cum else ()),
    ]
    columns = ("指标名称", "单位", f"{year}年", "历年累计") if cum else ("指标名称", "单位", "数量")
    return rows, columns


def _legacy_value(rows: list[tuple], key: str) -> Any:
    for r in rows:
        if len(r) > 3 and r[3] == key:
            return r[4]
    return None


def legacy_table_report(p: Params, rng: random.Random, variant: str = "full") -> Doc:
    """A 2008-2018 report with a statistics 附表 ('full': the 2016-2018
    统计表; 'short': an older list)."""
    c = COUNTIES[p.county]
    q = set(p.quirks)
    title, title_lines = _title(p)
    if variant == "full":
        rows, columns = _legacy_rows_full(rng, q), ("指标名称", "单位", "数量")
    else:
        rows, columns = _legacy_rows_short(rng, q, p.year)
    tbl = legacy_table(rows, columns)
    if "legacy_split" in q:
        tbl.split_after = len(tbl.rows) // 2
    v = lambda k: _legacy_value(rows, k)  # noqa: E731
    blocks: list[Para | Table] = [Para(
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，特向社会公布{p.year}年度{p.agency}政府信息"
        f"公开工作年度报告。全文包括概述、主动公开政府信息情况、依申请公开政府信息情况、政府信息公开的收费及减免情况、"
        f"因政府信息公开申请行政复议和提起行政诉讼的情况、存在的主要问题和改进措施以及附表。本报告中所列数据的统计"
        f"期限自{p.year}年1月1日起至{p.year}年12月31日止。如对本报告有疑问，请与{p.agency}{p.office}联系"
        f"（电话：{c.area_code}-{_phone(p)}）。")]
    blocks.append(Para("一、概述", kind="h"))
    meetings = rng.randint(1, 6)
    fig = {} if v("meetings.count") is not None else {"meetings.count": meetings}
    blocks.append(Para(
        f"{p.year}年，{p.we}高度重视政府信息公开工作，调整充实了政府信息公开工作领导小组，全年召开政府信息公开工作"
        f"专题会议{v('meetings.count') or meetings}次，研究部署政府信息公开工作。",
        fig or {"meetings.count": v("meetings.count")}))
    blocks.append(Para("二、主动公开政府信息情况", kind="h"))
    pro = v("proactive.total")
    web = v("proactive.channel.website")
    sentence = f"{p.year}年，{p.we}共主动公开政府信息{pro}条，其中通过政府网站公开{web}条"
    figs: dict[str, Any] = {"proactive.total": pro, "proactive.channel.website": web}
    if v("proactive.channel.wechat") is not None:
        sentence += f"，通过政务微信公开{v('proactive.channel.wechat')}条"
        figs["proactive.channel.wechat"] = v("proactive.channel.wechat")
    blocks.append(Para(sentence + "。", figs))
    if v("response.interpretations") is None:
        interp = rng.randint(1, 15)
        blocks.append(Para(f"围绕重要政策文件，发布政策解读稿件{interp}篇。", {"response.interpretations": interp}))
    blocks.append(Para("三、依申请公开政府信息办理情况", kind="h"))
    received = v("requests.new.total")
    if received:
        blocks.append(Para(f"{p.year}年，{p.we}共收到政府信息公开申请{received}件，已全部按时办结。",
                           {"requests.new.total": received}))
    else:
        blocks.append(Para(f"{p.year}年，{p.we}未收到政府信息公开申请。", {"requests.new.total": 0}))
    blocks.append(Para("四、政府信息公开的收费及减免情况", kind="h"))
    blocks.append(Para(f"{p.year}年，{p.we}未收取政府信息公开检索、复制、邮寄等任何费用。", {"fees.collected": 0}))
    blocks.append(Para("五、因政府信息公开申请行政复议、提起行政诉讼的情况", kind="h"))
    review, lit = v("review.total"), v("litigation.total")
    if not review and not lit:
        blocks.append(Para(f"{p.year}年，{p.we}未发生因政府信息公开申请提起行政复议和行政诉讼的情况。",
                           {"review.total": 0, "litigation.total": 0}))
    else:
        blocks.append(Para(f"{p.year}年，因政府信息公开申请被申请行政复议{review}件，被提起行政诉讼{lit}件。",
                           {"review.total": review, "litigation.total": lit}))
    blocks.append(Para("六、存在的主要问题和改进措施", kind="h"))
    blocks.append(Para(
        "一是部分工作人员对政府信息公开工作的认识还不够到位；二是公开内容的及时性和完整性有待加强。"
        f"下一步，{p.we}将进一步完善工作机制，加强业务培训，推动政府信息公开工作规范化、标准化。"))
    blocks.append(Para("七、附表", kind="h"))
    blocks.append(Para(f"政府信息公开情况统计表（{p.year}年度）"))
    blocks.append(tbl)
    sign_date = p.pub
    blocks.extend(_signature(p, sign_date))
    blocks.append(Para(TEST_NOTE, kind="note"))
    return Doc(stem=p.stem, form=p.form, era="legacy-table", title=title, title_lines=title_lines,
               agency=p.agency, county=p.county, year=p.year, published=_published(p, sign_date),
               blocks=blocks, style=p.style, quirks=p.quirks, signature_date=sign_date, index_no=_index_no(p))


def legacy_text_report(p: Params, rng: random.Random) -> Doc:
    """A 2008-2018 report with its figures only in the prose."""
    c = COUNTIES[p.county]
    title, title_lines = _title(p)
    n = rng.randint
    pro = n(30, 800)
    web = pro - n(0, pro // 3)
    weibo, wechat = n(10, 300), n(20, 600)
    interp = n(1, 12)
    received = rng.choice([0, n(1, 15)])
    full, part = n(1, 2), n(1, 5)
    reading = n(1, 4)
    meetings, trainings, attendees = n(1, 5), n(1, 3), n(20, 120)
    blocks: list[Para | Table] = [Para(
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，现公布{p.year}年度{p.agency}政府信息公开"
        f"工作年度报告。本报告中所列数据的统计期限自{p.year}年1月1日起至{p.year}年12月31日止。本报告的电子版可在"
        f"{c.full}人民政府门户网站（http://{c.site}/）查阅。")]
    blocks.append(Para("一、概述", kind="h"))
    blocks.append(Para(
        f"{p.year}年，{p.we}成立了由主要负责同志任组长的政府信息公开工作领导小组，专职信息工作人员{full}名，"
        f"兼职信息工作人员{part}名，设置政府信息公开查阅点{reading}个。",
        {"staff.full_time": full, "staff.part_time": part, "org.reading_points": reading}))
    blocks.append(Para("二、主动公开政府信息情况", kind="h"))
    blocks.append(Para(
        f"{p.year}年，{p.we}主动公开政府信息{pro}条，其中通过政府网站发布信息{web}条；通过官方微博发布消息{weibo}条、"
        f"官方微信发布消息{wechat}条。全年发布政策解读文件{interp}篇。",
        {"proactive.total": pro, "proactive.channel.website": web, "proactive.channel.weibo": weibo,
         "proactive.channel.wechat": wechat, "response.interpretations": interp}))
    blocks.append(Para("三、政府信息公开申请的办理情况", kind="h"))
    if received:
        blocks.append(Para(f"{p.year}年，{p.we}接到政府信息公开申请{received}件，全部给予答复。",
                           {"requests.new.total": received}))
    else:
        blocks.append(Para(f"{p.year}年，{p.we}没有收到政府信息公开申请。", {"requests.new.total": 0}))
    blocks.append(Para("四、政府信息公开的收费及减免情况", kind="h"))
    blocks.append(Para(f"{p.year}年，{p.we}没有向政府信息公开申请人收取任何费用。", {"fees.collected": 0}))
    blocks.append(Para("五、因政府信息公开申请提起行政复议、行政诉讼的情况", kind="h"))
    blocks.append(Para(f"{p.year}年，{p.we}未发生因政府信息公开申请提起的行政复议和行政诉讼。",
                       {"review.total": 0, "litigation.total": 0}))
    blocks.append(Para("六、会议和培训情况", kind="h"))
    blocks.append(Para(
        f"全年召开政府信息公开工作会议{meetings}次，举办培训班{trainings}次，参加人员{attendees}人。",
        {"meetings.count": meetings, "trainings.count": trainings, "trainings.attendees": attendees}))
    blocks.append(Para("七、存在的主要问题及改进措施", kind="h"))
    blocks.append(Para(
        f"{p.we}政府信息公开工作还存在公开内容不够丰富、更新不够及时等问题。下一步，{p.we}将进一步加大主动公开力度，"
        "规范依申请公开办理流程，切实保障人民群众的知情权、参与权和监督权。"))
    sign_date = p.pub
    blocks.extend(_signature(p, sign_date))
    blocks.append(Para(TEST_NOTE, kind="note"))
    return Doc(stem=p.stem, form=p.form, era="legacy-text", title=title, title_lines=title_lines,
               agency=p.agency, county=p.county, year=p.year, published=_published(p, sign_date),
               blocks=blocks, style=p.style, quirks=p.quirks, signature_date=sign_date, index_no=_index_no(p))


def build(kind: str, p: Params, seed: int) -> Doc:
    """kind: '2019' | '2021' | 'legacy-full' | 'legacy-short' | 'legacy-text'."""
    rng = random.Random(seed)
    if kind in ("2019", "2021"):
        return template_report(p, rng, kind)
    if kind == "legacy-full":
        return legacy_table_report(p, rng, "full")
    if kind == "legacy-short":
        return legacy_table_report(p, rng, "short")
    if kind == "legacy-text":
        return legacy_text_report(p, rng)
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# Grid layout (spans resolved), shared by the PDF and DOCX renderers


def layout(table: Table, rows: list[list[Cell]] | None = None) -> tuple[int, int, dict[tuple[int, int], Cell]]:
    """Place the own cells of ``rows`` on a grid: (n_rows, n_cols, origin → cell)."""
    rows = table.rows if rows is None else rows
    taken: set[tuple[int, int]] = set()
    origins: dict[tuple[int, int], Cell] = {}
    n_cols = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            origins[(r, c)] = cell
            for i in range(cell.rowspan):
                for j in range(cell.colspan):
                    taken.add((r + i, c + j))
            c += cell.colspan
            n_cols = max(n_cols, c)
    return len(rows), n_cols, origins


def split_rows(table: Table) -> list[list[list[Cell]]]:
    """The table's rows as one or two parts. A rowspan crossing the split is
    clipped in the first part and continued by an empty cell in the second,
    as a word processor draws a merged cell broken over a page."""
    if table.split_after is None:
        return [table.rows]
    k = table.split_after + 1
    first = [[Cell(c.text, c.rowspan, c.colspan, c.key, c.value, c.approx) for c in row] for row in table.rows[:k]]
    continued: list[tuple[int, Cell]] = []
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows[:k]):
        c = 0
        for i, cell in enumerate(row):
            while (r, c) in taken:
                c += 1
            for a in range(cell.rowspan):
                for b in range(cell.colspan):
                    taken.add((r + a, c + b))
            if r + cell.rowspan > k:
                first[r][i].rowspan = k - r
                continued.append((c, Cell("", r + cell.rowspan - k, cell.colspan)))
            c += cell.colspan
    second = [list(row) for row in table.rows[k:]]
    # the continued cells are the leftmost label columns: they open the first row
    second[0] = [cell for _, cell in sorted(continued, key=lambda t: t[0])] + second[0]
    return [first, second]


# ---------------------------------------------------------------------------
# HTML


def esc(text: str) -> str:
    return htmllib.escape(text, quote=False)


def _html_cell(cell: Cell, word: bool, colspan_delta: int = 0) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    colspan = cell.colspan + colspan_delta
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if not word:
        return f'<td{attrs} align="center">{esc(cell.text)}</td>'
    width = 60 * max(1, colspan)
    style = "border:solid windowtext 1.0pt;padding:0cm 5.4pt"
    if not cell.text.strip():
        inner = '<p class="MsoNormal" align="center" style="text-align:center"><span lang="EN-US"><o:p>&nbsp;</o:p></span></p>'
    elif cell.text.strip().isdigit() and len(cell.text) >= 2 and cell.value is not None and cell.value % 7 == 3:
        # Word keeps revision runs apart: <span>1</span><span>0</span>
        t = cell.text
        inner = ('<p class="MsoNormal" align="center" style="text-align:center"><span lang="EN-US" '
                 'style="font-size:10.5pt;font-family:宋体">' + esc(t[:1]) + '</span><span lang="EN-US" '
                 'style="font-size:10.5pt;font-family:宋体">' + esc(t[1:]) + "<o:p></o:p></span></p>")
    elif "）" in cell.text and cell.text.startswith("（") and len(cell.text) > 4:
        head, tail = cell.text.split("）", 1)
        inner = ('<p class="MsoNormal" style="text-align:left"><span style="font-size:10.5pt;font-family:宋体;'
                 f'mso-ascii-font-family:\'Times New Roman\'">{esc(head)}）</span><span style="font-size:10.5pt;'
                 f'font-family:宋体">{esc(tail)}<span lang="EN-US"><o:p></o:p></span></span></p>')
    else:
        inner = ('<p class="MsoNormal" align="center" style="text-align:center"><span style="font-family:宋体">'
                 f'{esc(cell.text)}<span lang="EN-US"><o:p></o:p></span></span></p>')
    return f'<td width="{width}"{attrs} valign="center" style="{style}">{inner}</td>'


def html_table(table: Table, word: bool = False) -> str:
    parts = []
    for p_i, rows in enumerate(split_rows(table)):
        offset = 0 if p_i == 0 else (table.split_after or 0) + 1
        if word:
            out = ['<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="100%" '
                   'style="width:100.0%;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
                   'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">', "<tbody>"]
        else:
            out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse: collapse;">', "<tbody>"]
        for i, row in enumerate(rows):
            cells = []
            for j, cell in enumerate(row):
                delta = -1 if (offset + i) in table.misaligned and j == 0 and cell.colspan > 1 else 0
                cells.append(_html_cell(cell, word, delta))
            if table.extra_empty_column:
                cells.append('<td></td>')
            tr = f'<tr style="mso-yfti-irow:{i}">' if word else "<tr>"
            out.append(tr + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        parts.append("\n".join(out))
    return "\n<p>&nbsp;</p>\n".join(parts) if len(parts) > 1 else parts[0]


def _html_para(b: Para, word: bool) -> str:
    if word:
        if b.kind == "h":
            return (f'<p class="MsoNormal" style="text-indent:32.0pt;mso-char-indent-count:2.0"><b><span '
                    f'style="font-size:16.0pt;font-family:黑体">{esc(b.text)}<span lang="EN-US"><o:p></o:p></span></span></b></p>')
        align = ' align="right" style="text-align:right"' if b.kind == "sign" else ' style="text-indent:32.0pt;mso-char-indent-count:2.0"'
        return (f'<p class="MsoNormal"{align}><span style="font-size:16.0pt;font-family:仿宋_GB2312">{esc(b.text)}'
                f'<span lang="EN-US"><o:p></o:p></span></span></p>')
    if b.kind == "h":
        return f'<p style="text-indent: 2em;"><strong>{esc(b.text)}</strong></p>'
    if b.kind == "sign":
        return f'<p style="text-align: right;">{esc(b.text)}</p>'
    return f'<p style="text-indent: 2em; text-align: justify;">{esc(b.text)}</p>'


def html_body(doc: Doc, word: bool) -> str:
    out = []
    for line in doc.title_lines:
        out.append(f'<p align="center" style="text-align: center;"><strong>{esc(line)}</strong></p>')
    for b in doc.blocks:
        if isinstance(b, Table):
            out.append('<div align="center">' + html_table(b, word) + "</div>")
        elif b.kind != "note":
            out.append(_html_para(b, word))
    return "\n".join(out)


def _site_name(doc: Doc) -> str:
    return f"{COUNTIES[doc.county].full}人民政府"


def html_trs(doc: Doc) -> str:
    word = "word_cells" in doc.quirks
    c = COUNTIES[doc.county]
    pub = doc.published
    site = _site_name(doc)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(doc.title)}_{esc(site)}</title>
<meta name="SiteName" content="{esc(site)}" />
<meta name="SiteDomain" content="{c.site}" />
<meta name="ColumnName" content="政府信息公开年报" />
<meta name="ArticleTitle" content="{esc(doc.title)}" />
<meta name="PubDate" content="{pub.isoformat()} 09:30" />
<meta name="ContentSource" content="{esc(doc.agency)}" />
<meta name="xxgk-test-data" content="true" />
</head>
<body>
<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{esc(site)}" /></a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/">政府信息公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/xxgk/">政府信息公开</a>&nbsp;&gt;&nbsp;<a href="../">政府信息公开年报</a></div>
<div class="article">
<table class="xxgk_table" width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td class="t">索&nbsp;&nbsp;引&nbsp;&nbsp;号：</td><td>{doc.index_no}</td><td class="t">主题分类：</td><td>综合政务/政务公开</td></tr>
<tr><td class="t">发布机构：</td><td>{esc(doc.agency)}</td><td class="t">发文日期：</td><td>{pub.isoformat()}</td></tr>
<tr><td class="t">名&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;称：</td><td colspan="3">{esc(doc.title)}</td></tr>
<tr><td class="t">说&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;明：</td><td colspan="3">本页为 xxgk-archive 测试数据</td></tr>
</table>
<div class="title"><h1>{esc(doc.title)}</h1></div>
<div class="info">发布时间：{pub.isoformat()} 09:30&nbsp;&nbsp;来源：{esc(doc.agency)}&nbsp;&nbsp;【字体：<a href="javascript:doZoom(16);">大</a> <a href="javascript:doZoom(14);">小</a>】</div>
<div class="content" id="zoom"><div class="TRS_Editor"><div class="Custom_UnionStyle">
{html_body(doc, word)}
</div></div></div>
</div>
<div class="footer"><p>主办：{esc(site)}办公室&nbsp;&nbsp;网站标识码：{zlib.crc32(c.site.encode()):010d}</p><p>本网站为 xxgk-archive 测试页面</p></div>
</body>
</html>
"""


def html_hanweb(doc: Doc) -> str:
    word = "word_cells" in doc.quirks
    site = _site_name(doc)
    pub = doc.published
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="xxgk-test-data" content="true">
<title>{esc(doc.title)} - {esc(site)}</title>
<link rel="stylesheet" href="/module/jslib/jquery/jpage/css/page.css">
<script src="/module/jslib/jquery/jquery.js"></script>
</head>
<body>
<div id="top"><div class="logo">{esc(site)}</div><div class="search"><input type="text" placeholder="请输入关键词"><button>搜索</button></div></div>
<div class="crumb">您当前的位置：<a href="/">首页</a> &gt; <a href="/col/col1229/">政府信息公开</a> &gt; <a href="/col/col1235/">年度报告</a></div>
<div class="xxgk-info">
<ul>
<li><b>索引号：</b>{doc.index_no}</li>
<li><b>发布机构：</b>{esc(doc.agency)}</li>
<li><b>发布日期：</b>{pub.isoformat()}</li>
<li><b>组配分类：</b>政府信息公开年报</li>
<li><b>说明：</b>本页为 xxgk-archive 测试数据</li>
</ul>
</div>
<div class="main-txt">
<div class="title">{esc(doc.title)}</div>
<div class="sub">来源：{esc(doc.agency)} &nbsp; 浏览次数：<span id="hits">1</span></div>
<div id="zoom">
{html_body(doc, word)}
</div>
<div class="share"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div id="foot"><p>主办单位：{esc(site)}办公室 &nbsp; 本网站为 xxgk-archive 测试页面</p></div>
</body>
</html>
"""


def html_wordsaved(doc: Doc) -> str:
    """A report saved by Word as a web page (the file an agency uploads as is)."""
    body = html_body(doc, word=True)
    return f"""<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<meta name="xxgk-test-data" content="true">
<title>{esc(doc.title)}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>Administrator</o:Author>
  <o:Pages>6</o:Pages>
 </o:DocumentProperties>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face {{font-family:宋体; panose-1:2 1 6 0 3 1 1 1 1 1;}}
p.MsoNormal, li.MsoNormal, div.MsoNormal {{margin:0cm; margin-bottom:.0001pt; text-align:justify; font-size:10.5pt; font-family:"Calibri",sans-serif;}}
@page WordSection1 {{size:595.3pt 841.9pt; margin:72.0pt 90.0pt 72.0pt 90.0pt;}}
div.WordSection1 {{page:WordSection1;}}
-->
</style>
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:15.6pt'>

{body}

<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>

</div>

</body>

</html>
"""


def render_html(doc: Doc) -> bytes:
    chrome = {"trs": html_trs, "hanweb": html_hanweb, "wordsaved": html_wordsaved}[doc.style]
    return chrome(doc).encode("utf-8")


# ---------------------------------------------------------------------------
# Plain text (text exports in the style of the seeds)


def render_text(doc: Doc) -> bytes:
    """Style 'seed': tables as one tab-indented line per own cell and a blank
    line after each row (the export of the real seeds). Style 'cells': one cell
    per line and nothing between rows (a 附表 pasted as paragraphs; empty
    cells leave no line)."""
    out: list[str] = list(doc.title_lines) + [""]
    for b in doc.blocks:
        if isinstance(b, Table):
            if doc.style == "cells":
                out.extend(cell.text for row in b.rows for cell in row if cell.text.strip())
                out.append("")
                continue
            for rows in split_rows(b):
                for row in rows:
                    out.extend("\t" + cell.text for cell in row)
                    out.append("")
        elif b.kind == "note":
            out.extend(["", b.text])
        else:
            out.append(b.text)
            if b.kind == "h":
                out.append("")
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------
# PDF (reportlab, STSong-Light CID font: nothing embedded, BSD-licensed library)

_PDF_READY = False


def _pdf_setup() -> None:
    global _PDF_READY
    if not _PDF_READY:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        _PDF_READY = True


def render_pdf(doc: Doc) -> bytes:
    _pdf_setup()
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    font = "STSong-Light"
    st_title = ParagraphStyle("t", fontName=font, fontSize=18, leading=28, alignment=TA_CENTER)
    st_h = ParagraphStyle("h", fontName=font, fontSize=12, leading=20, firstLineIndent=24, spaceBefore=4)
    st_p = ParagraphStyle("p", fontName=font, fontSize=11, leading=19, firstLineIndent=22, alignment=TA_JUSTIFY,
                          wordWrap="CJK")
    st_sign = ParagraphStyle("s", fontName=font, fontSize=11, leading=19, alignment=TA_RIGHT)
    st_cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10, alignment=TA_CENTER, wordWrap="CJK")
    width = A4[0] - 4.4 * cm

    def rl_table(t: Table, rows: list[list[Cell]]) -> RLTable:
        n_r, n_c, origins = layout(t, rows)
        data = [["" for _ in range(n_c)] for _ in range(n_r)]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("FONT", (0, 0), (-1, -1), font, 8), ("ALIGN", (0, 0), (-1, -1), "CENTER")]
        for (r, c), cell in origins.items():
            data[r][c] = Paragraph(esc(cell.text), st_cell) if cell.text else ""
            if cell.rowspan > 1 or cell.colspan > 1:
                style.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
        rel = t.col_widths or tuple([1.0] * n_c)
        if len(rel) != n_c:
            rel = tuple([1.0] * n_c)
        total = sum(rel)
        widths = [width * x / total for x in rel]
        tbl = RLTable(data, colWidths=widths, repeatRows=0)
        tbl.setStyle(TableStyle(style))
        return tbl

    story: list[Any] = []
    for line in doc.title_lines:
        story.append(Paragraph(esc(line), st_title))
    story.append(Spacer(1, 12))
    for b in doc.blocks:
        if isinstance(b, Table):
            parts = split_rows(b)
            for i, rows in enumerate(parts):
                if i > 0:
                    story.append(PageBreak())
                story.append(rl_table(b, rows))
            story.append(Spacer(1, 8))
        elif b.kind == "h":
            story.append(Paragraph(esc(b.text), st_h))
        elif b.kind == "sign":
            story.append(Paragraph(esc(b.text), st_sign))
        elif b.kind == "note":
            story.append(Spacer(1, 10))
            story.append(Paragraph(esc(b.text), st_p))
        else:
            story.append(Paragraph(esc(b.text), st_p))

    def page_number(canvas, _doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 10)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, f"— {canvas.getPageNumber()} —")
        canvas.restoreState()

    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2.5 * cm,
                            bottomMargin=2.2 * cm, title=f"Microsoft Word - {doc.year}年政府信息公开工作年度报告.docx",
                            author="Administrator", creator="Microsoft Word", invariant=1)
    pdf.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# DOCX (python-docx)


def render_docx(doc: Doc) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.author = "Administrator"
    d.core_properties.title = ""
    d.core_properties.comments = "xxgk-archive test data"
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")

    def para(text: str, align=None, bold: bool = False, size: float | None = None, indent: bool = True):
        p = d.add_paragraph()
        if align is not None:
            p.alignment = align
        elif indent:
            p.paragraph_format.first_line_indent = Pt(24)
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        return p

    for line in doc.title_lines:
        para(line, WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=18)
    for b in doc.blocks:
        if isinstance(b, Table):
            n_r, n_c, origins = layout(b)
            cols = n_c + (1 if b.extra_empty_column else 0)
            t = d.add_table(rows=n_r, cols=cols)
            t.style = "Table Grid"
            for (r, c), cell in origins.items():
                target = t.cell(r, c)
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(t.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                target.text = cell.text
                for p in target.paragraphs:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    for run in p.runs:
                        run.font.size = Pt(9)
            d.add_paragraph()
        elif b.kind == "h":
            para(b.text, bold=True)
        elif b.kind == "sign":
            para(b.text, WD_ALIGN_PARAGRAPH.RIGHT)
        else:
            para(b.text)
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every member dated 1980-01-01, so that a rebuilt DOCX
    is byte-identical."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render(doc: Doc) -> bytes:
    return {"html": render_html, "txt": render_text, "pdf": render_pdf, "docx": render_docx}[doc.form](doc)


# ---------------------------------------------------------------------------
# Varied documents (benchmark corpus)

KINDS = ("2019", "2021", "legacy-full", "legacy-short", "legacy-text")
KIND_YEARS = {"2019": (2019, 2020), "2021": (2021, 2024), "legacy-full": (2016, 2018),
              "legacy-short": (2009, 2015), "legacy-text": (2008, 2018)}
KIND_QUIRKS = {
    "2019": ("t3_misaligned", "t3_fullwidth", "t3_blank_total", "t3_dash", "t3_wu", "t3_no_top_header",
             "t3_split", "t2_dash", "t2_blank", "t2_units", "t2_money_cell", "t4_extra_col", "t4_units"),
    "2021": ("t3_misaligned", "t3_fullwidth", "t3_blank_total", "t3_dash", "t3_wu", "t3_split", "t2_dash",
             "t2_units", "t2_money_cell", "t4_units", "word_cells"),
    "legacy-full": ("legacy_units", "legacy_fullwidth", "legacy_dash", "legacy_split"),
    "legacy-short": ("legacy_fullwidth", "legacy_cum"),
    "legacy-text": (),
}


def random_doc(rng: random.Random, form: str, stem: str, kind: str | None = None) -> Doc:
    """A varied report: random kind, county, body, year, quirks and figures."""
    kind = kind or rng.choice(KINDS)
    county = rng.choice(sorted(COUNTIES))
    body = rng.choice(BODIES)
    year = rng.randint(*KIND_YEARS[kind])
    quirks = tuple(q for q in KIND_QUIRKS[kind] if rng.random() < 0.3)
    style = rng.choice(["trs", "hanweb", "wordsaved"]) if form == "html" else "seed"
    if form == "html" and style == "wordsaved":
        quirks = tuple(q for q in quirks if q != "word_cells")
    published = dt.date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    p = Params(county=county, body=body, year=year, form=form, style=style, published=published,
               quirks=quirks, stem=stem, split_title=rng.random() < 0.5)
    return build(kind, p, rng.randrange(10**9))


def iter_corpus(n: int, form: str, seed: int = 20240601) -> Iterable[Doc]:
    rng = random.Random(f"{seed}-{form}")
    for i in range(n):
        yield random_doc(rng, form, f"bench_{form}_{i:05d}")
