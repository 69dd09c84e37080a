"""The national annual-report statistics templates, as data.

Three layouts exist:

* ``legacy`` -- 2008-2018 reports.  The 附表 is a three-column list
  (指标名称 | 单位 | 数量) following the 《政府信息公开情况统计表》.
* ``2019`` -- 国办公开办函〔2019〕60号, used for the 2019 and 2020 reports.
* ``2021`` -- 国办公开办函〔2021〕30号, used from the 2021 reports on.

This module holds the row/column specs of tables 二, 三 and 四 of the two
modern templates, turns the cells written in a composed report's YAML into
*intended figures* (what a careful person reads off the page), and checks the
arithmetic relations the templates impose.  ``render.py`` turns the same
specs into HTML tables.

A cell in the YAML is one of

* an ``int`` or ``float`` -- printed as is;
* ``""`` (blank cell) or ``"—"`` -- printed as is, intended value ``None``;
* a mapping ``{show: "251000元", value: 25.1}`` -- printed as ``show``,
  intended value ``value`` (money is always normalised to 万元).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------
# Cells


@dataclass(frozen=True)
class Cell:
    show: str
    value: int | float | None


def cell(raw: Any) -> Cell:
    """Interpret one YAML cell (see module docstring)."""
    if isinstance(raw, bool):  # YAML "yes"/"no" would be a mistake here
        raise ValueError(f"boolean cell {raw!r}")
    if isinstance(raw, int):
        return Cell(str(raw), raw)
    if isinstance(raw, float):
        return Cell(_fmt_float(raw), raw)
    if raw is None:
        return Cell("", None)
    if isinstance(raw, str):
        if raw.strip() in ("", "—", "-", "－", "/"):
            return Cell(raw, None)
        raise ValueError(f"string cell {raw!r} needs an explicit {{show, value}} mapping")
    if isinstance(raw, dict) and "show" in raw:
        return Cell(str(raw["show"]), raw.get("value"))
    raise ValueError(f"bad cell {raw!r}")


def _fmt_float(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


# --------------------------------------------------------------------------
# Table 三 (both modern templates)

APPLICANT_COLUMNS = [
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_services", "法律服务机构"),
    ("other", "其他"),
    ("total", "总计"),
]

T3_CHECK_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# (key, group label or None, item label)
_T3_OUTCOMES_HEAD = [
    ("disclosed", "（一）予以公开", None),
    ("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("withheld_state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("withheld_other_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("withheld_security_stability", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("withheld_third_party", "（三）不予公开", "4.保护第三方合法权益"),
    ("withheld_internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("withheld_process_info", "（三）不予公开", "6.属于四类过程性信息"),
    ("withheld_enforcement_files", "（三）不予公开", "7.属于行政执法案卷"),
    ("withheld_query_matter", "（三）不予公开", "8.属于行政查询事项"),
    ("unable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable_needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unable_still_unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("unprocessed_petition", "（五）不予处理", "1.信访举报投诉类申请"),
    ("unprocessed_repeat", "（五）不予处理", "2.重复申请"),
    ("unprocessed_publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("unprocessed_massive", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("unprocessed_confirmation", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
]

_T3_OTHER_2019 = [("other_processing", "（六）其他处理", None)]
_T3_OTHER_2021 = [
    ("other_no_supplement", "（六）其他处理",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_no_fee", "（六）其他处理",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_other", "（六）其他处理", "3.其他"),
]
_T3_TOTAL = [("total", "（七）总计", None)]


def t3_outcome_rows(template: str) -> list[tuple[str, str, str | None]]:
    other = _T3_OTHER_2019 if template == "2019" else _T3_OTHER_2021
    return _T3_OUTCOMES_HEAD + other + _T3_TOTAL


def t3_row_keys(template: str) -> list[str]:
    return (["new", "carried_over"]
            + [k for k, _, _ in t3_outcome_rows(template)]
            + ["carried_forward"])


T3_TOP_ROWS = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carried_forward": "四、结转下年度继续办理",
}
T3_RESULTS_LABEL = "三、本年度办理结果"

# --------------------------------------------------------------------------
# Table 二

# Each section: (heading, column headers after 信息内容, [(key, row label, subkeys)])
# The number of value cells a row has is len(subkeys); render.py spreads a
# short row over the table's 3 value columns with colspan, as the templates do.
T2_SECTIONS = {
    "2019": [
        ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], [
            ("regulations", "规章", ["new_made", "new_published", "total_published"]),
            ("normative", "规范性文件", ["new_made", "new_published", "total_published"]),
        ]),
        ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], [
            ("licensing", "行政许可", ["prev_items", "change", "decisions"]),
            ("other_services", "其他对外管理服务事项", ["prev_items", "change", "decisions"]),
        ]),
        ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], [
            ("penalty", "行政处罚", ["prev_items", "change", "decisions"]),
            ("coercion", "行政强制", ["prev_items", "change", "decisions"]),
        ]),
        ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], [
            ("fees", "行政事业性收费", ["prev_items", "change"]),
        ]),
        ("第二十条第（九）项", ["采购项目数量", "采购总金额"], [
            ("procurement", "政府集中采购", ["items", "amount_10k_yuan"]),
        ]),
    ],
    "2021": [
        ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], [
            ("regulations", "规章", ["made", "abolished", "in_force"]),
            ("normative", "行政规范性文件", ["made", "abolished", "in_force"]),
        ]),
        ("第二十条第（五）项", ["本年处理决定数量"], [
            ("licensing", "行政许可", ["decisions"]),
        ]),
        ("第二十条第（六）项", ["本年处理决定数量"], [
            ("penalty", "行政处罚", ["decisions"]),
            ("coercion", "行政强制", ["decisions"]),
        ]),
        ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [
            ("fees", "行政事业性收费", ["amount_10k_yuan"]),
        ]),
    ],
}

# --------------------------------------------------------------------------
# Table 四

T4_GROUPS = [
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
]
T4_RESULTS = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
]

# --------------------------------------------------------------------------
# Normalisation: YAML cells -> intended figures


def _as_list(raw: Any) -> list:
    return raw if isinstance(raw, list) else [raw]


def table2_cells(template: str, data: dict) -> dict[str, list[Cell]]:
    out: dict[str, list[Cell]] = {}
    for _heading, _cols, rows in T2_SECTIONS[template]:
        for key, _label, subkeys in rows:
            raw = _as_list(data[key])
            if len(raw) != len(subkeys):
                raise ValueError(f"table2.{key}: expected {len(subkeys)} cells, got {len(raw)}")
            out[key] = [cell(c) for c in raw]
    extra = set(data) - set(out)
    if extra:
        raise ValueError(f"table2: unknown rows {sorted(extra)}")
    return out


def table3_cells(template: str, data: dict) -> dict[str, list[Cell]]:
    keys = t3_row_keys(template)
    if set(data) != set(keys):
        raise ValueError(f"table3: rows differ from template {template}: "
                         f"missing {sorted(set(keys) - set(data))}, extra {sorted(set(data) - set(keys))}")
    out = {}
    for key in keys:
        if len(data[key]) != len(APPLICANT_COLUMNS):
            raise ValueError(f"table3.{key}: expected 7 cells")
        out[key] = [cell(c) for c in data[key]]
    return out


def table4_cells(data: list) -> list[Cell]:
    if len(data) != 15:
        raise ValueError("table4: expected 15 cells")
    return [cell(c) for c in data]


def intended_figures(template: str, tables: dict) -> dict:
    """Nested dict of intended values, keyed in English (see README)."""
    figs: dict[str, Any] = {"template": template}
    if template == "legacy":
        rows, section = [], ""
        for r in legacy_rows(tables["legacy"]):
            if re.match(r"^[一二三四五六七八九十]+、", r["label"]):
                section = r["label"]
            if not r["heading"]:
                rows.append({"section": section, "label": r["label"],
                             "unit": r["unit"], "value": r["cell"].value})
        figs["table"] = rows
        return figs
    t2 = table2_cells(template, tables["table2"])
    subkeys = {key: sk for _h, _c, rows in T2_SECTIONS[template] for key, _l, sk in rows}
    figs["table2"] = {k: dict(zip(subkeys[k], [c.value for c in cells])) for k, cells in t2.items()}
    t3 = table3_cells(template, tables["table3"])
    cols = [k for k, _ in APPLICANT_COLUMNS]
    figs["table3"] = {row: dict(zip(cols, [c.value for c in cells])) for row, cells in t3.items()}
    t4 = table4_cells(tables["table4"])
    figs["table4"] = {
        g: {r: t4[gi * 5 + ri].value for ri, (r, _) in enumerate(T4_RESULTS)}
        for gi, (g, _) in enumerate(T4_GROUPS)
    }
    return figs


# --------------------------------------------------------------------------
# Legacy 附表


def legacy_rows(rows: list) -> list[dict]:
    """Rows of a legacy 附表: ``[label, unit, cell]``; a row of just ``[label]``
    is a heading row (blank 单位 and 数量)."""
    out = []
    for r in rows:
        if len(r) == 1:
            out.append({"label": r[0], "unit": "", "cell": Cell("", None), "heading": True})
        elif len(r) == 3:
            out.append({"label": r[0], "unit": r[1], "cell": cell(r[2]), "heading": False})
        else:
            raise ValueError(f"legacy row {r!r}")
    return out


# Legacy relations: (total label, [part labels]) -- labels are unique enough
# within one table when looked up in order after the total.
_LEGACY_SUMS = [
    ("（一）收到申请数", ["1.当面申请数", "2.传真申请数", "3.网络申请数", "4.信函申请数"]),
    ("（二）申请办结数", ["1.按时办结数", "2.延期办结数"]),
    ("（三）申请答复数", ["1.属于已主动公开范围数", "2.同意公开答复数", "3.同意部分公开答复数",
                     "4.不同意公开答复数", "5.不属于本行政机关公开数", "6.申请信息不存在数",
                     "7.告知作出更改补充数", "8.告知通过其他途径办理数"]),
    ("4.不同意公开答复数", ["其中：涉及国家秘密", "涉及商业秘密", "涉及个人隐私",
                     "危及国家安全、公共安全、经济安全和社会稳定", "不是《条例》所指政府信息",
                     "法律法规规定的其他情形"]),
    ("（三）从事政府信息公开工作人员数", ["1.专职人员数（不包括政府公报及政府网站工作人员数）", "2.兼职人员数"]),
]


# --------------------------------------------------------------------------
# Consistency checks


def _n(v):
    return v or 0


def consistency_problems(figs: dict) -> list[str]:
    """Arithmetic relations the template imposes that the figures violate."""
    problems: list[str] = []
    if figs["template"] == "legacy":
        rows = figs["table"]
        for total_label, parts in _LEGACY_SUMS:
            idx = next(i for i, r in enumerate(rows) if r["label"] == total_label)
            vals, j = [], idx + 1
            for p in parts:
                while rows[j]["label"] != p:
                    j += 1
                vals.append(rows[j]["value"])
            if _n(rows[idx]["value"]) != sum(_n(v) for v in vals):
                problems.append(f"附表 {total_label} {rows[idx]['value']} != sum {sum(_n(v) for v in vals)}")
        return problems
    t3 = figs["table3"]
    cols = [k for k, _ in APPLICANT_COLUMNS]
    for row, vals in t3.items():
        s = sum(_n(vals[c]) for c in cols[:-1])
        if _n(vals["total"]) != s:
            problems.append(f"table3 row {row}: 总计 {vals['total']} != sum of applicant columns {s}")
    outcome_keys = [k for k, _, _ in t3_outcome_rows(figs["template"]) if k != "total"]
    for c in cols:
        s = sum(_n(t3[k][c]) for k in outcome_keys)
        if _n(t3["total"][c]) != s:
            problems.append(f"table3 column {c}: （七）总计 {t3['total'][c]} != sum of outcomes {s}")
        lhs = _n(t3["new"][c]) + _n(t3["carried_over"][c])
        rhs = _n(t3["total"][c]) + _n(t3["carried_forward"][c])
        if lhs != rhs:
            problems.append(f"table3 column {c}: 新收+结转 {lhs} != 总计+结转下年度 {rhs}")
    for g, vals in figs["table4"].items():
        s = sum(_n(vals[r]) for r, _ in T4_RESULTS[:-1])
        if _n(vals["total"]) != s:
            problems.append(f"table4 {g}: 总计 {vals['total']} != sum {s}")
    return problems
