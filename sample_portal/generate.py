"""Deterministic generator of composed TEST DATA reports.

The families beyond TRS (and the large generated portal) need many more
annual reports than the six hand-written ``reports/composed_*.yaml``.  This
module invents them: given an agency, a year and a seed string it returns a
report in exactly the YAML structure of a composed report (``template``,
``table_style``, ``title_lines``, ``body``, ``prose``, ``tables``), so
``render.py``, ``national.intended_figures`` and the attachment builders treat
it like the hand-written ones.

Every generated report is internally consistent (table 三 row and column
sums, 新收+结转 = 总计+结转下年度, table 四 totals, the legacy 附表's sums),
and its prose states figures that agree with its tables.  The same
(agency, year, seed) always gives the same report: ``random.Random`` seeded
with a string is stable across runs and platforms.

These reports are invented test data for xxgk-archive, attributed to
plausible agencies; they are not real reports.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

import yaml

from . import national

REPORTS_DIR = Path(__file__).resolve().parent / "reports"


def template_for_year(year: int) -> str:
    """The national template a report for ``year`` follows."""
    if year <= 2018:
        return "legacy"
    if year <= 2020:
        return "2019"
    return "2021"


# Size classes: a multiplier for how busy an agency is.
_SCALE = {"county": 3.0, "office": 2.5, "department": 1.0, "town": 0.4}


def agency_kind(agency: str) -> str:
    if agency.endswith(("人民政府办公室", "政府办公室")):
        return "office"
    if agency.endswith(("镇人民政府", "乡人民政府", "街道办事处")):
        return "town"
    if agency.endswith(("区人民政府", "县人民政府", "市人民政府")):
        return "county"
    return "department"


def _fmt_count(n: int, rng: random.Random) -> str:
    """A count as printed in prose: sometimes with thousands separators."""
    if n >= 1000 and rng.random() < 0.5:
        return f"{n:,}"
    return str(n)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` non-negative integers."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    out, prev = [], 0
    for c in cuts + [total]:
        out.append(c - prev)
        prev = c
    return out


# --------------------------------------------------------------------------
# Tables of the modern templates


def _table2(template: str, rng: random.Random, scale: float) -> dict:
    def n(lo: int, hi: int) -> int:
        return rng.randint(lo, max(lo, int(hi * scale)))

    if template == "2019":
        made = n(0, 8)
        regs = ["—", "—", "—"] if rng.random() < 0.5 else [0, 0, 0]
        amount = round(rng.uniform(5, 900) * scale, 1) if rng.random() < 0.7 else 0
        return {
            "regulations": regs,
            "normative": [made, made, made + n(0, 40)],
            "licensing": [n(0, 12), rng.choice([0, 0, 1, -1]), n(0, 300)],
            "other_services": [n(0, 6), 0, n(0, 80)],
            "penalty": [n(0, 5), 0, n(0, 60)],
            "coercion": [n(0, 3), 0, n(0, 10)],
            "fees": [n(0, 2), 0],
            "procurement": [n(0, 20), amount],
        }
    made = n(0, 8)
    fee = round(rng.uniform(0.1, 60) * scale, 2) if rng.random() < 0.3 else 0
    return {
        "regulations": [0, 0, 0],
        "normative": [made, rng.randint(0, made), made + n(0, 40)],
        "licensing": n(0, 400),
        "penalty": n(0, 80),
        "coercion": n(0, 10),
        "fees": fee,
    }


_OUTCOME_WEIGHTS = {
    "disclosed": 10, "partially_disclosed": 3,
    "withheld_state_secret": 0.2, "withheld_other_law": 0.3, "withheld_security_stability": 0.2,
    "withheld_third_party": 0.8, "withheld_internal_affairs": 0.5, "withheld_process_info": 0.7,
    "withheld_enforcement_files": 0.3, "withheld_query_matter": 0.4,
    "unable_not_held": 5, "unable_needs_creation": 1, "unable_still_unclear": 0.5,
    "unprocessed_petition": 1.2, "unprocessed_repeat": 0.8, "unprocessed_publication": 0.2,
    "unprocessed_massive": 0.2, "unprocessed_confirmation": 0.2,
    "other_processing": 1.5, "other_no_supplement": 1, "other_no_fee": 0.1, "other_other": 0.6,
}


def _table3(template: str, rng: random.Random, scale: float) -> dict:
    keys = national.t3_row_keys(template)
    outcome_keys = [k for k, _g, _i in national.t3_outcome_rows(template) if k != "total"]
    weights = [_OUTCOME_WEIGHTS[k] for k in outcome_keys]
    cols = len(national.APPLICANT_COLUMNS) - 1  # without 总计
    table = {k: [0] * 7 for k in keys}
    for c in range(cols):
        if c == 0:
            processed = rng.randint(0, max(1, int(22 * scale)))
        else:
            processed = rng.choice([0, 0, 0, 1, 2]) if rng.random() < 0.6 * min(scale, 1.5) else 0
        for _ in range(processed):
            k = rng.choices(outcome_keys, weights)[0]
            table[k][c] += 1
        forward = rng.choice([0, 0, 0, 1]) if processed else 0
        over = min(rng.choice([0, 0, 1, 2]), processed + forward)
        table["total"][c] = processed
        table["carried_forward"][c] = forward
        table["carried_over"][c] = over
        table["new"][c] = processed + forward - over
    for k in keys:
        table[k][6] = sum(table[k][:6])
    return table


def _table4(rng: random.Random, scale: float) -> list[int]:
    out: list[int] = []
    for _g in national.T4_GROUPS:
        vals = [rng.choice([0, 0, 0, 0, 1, 1, 2]) if rng.random() < 0.4 * min(scale, 1.5) else 0
                for _ in range(4)]
        out += vals + [sum(vals)]
    return out


# --------------------------------------------------------------------------
# Legacy 附表


@functools.lru_cache(maxsize=1)
def _legacy_skeleton() -> list[list]:
    data = yaml.safe_load((REPORTS_DIR / "composed_2018_wdqzfb.yaml").read_text(encoding="utf-8"))
    return data["tables"]["legacy"]


def _legacy_table(rng: random.Random, scale: float) -> tuple[list[list], dict[str, int]]:
    """A legacy 附表 with fresh figures (structure of the hand-written one).
    Returns the rows and the key figures the prose states."""

    def n(lo: int, hi: int) -> int:
        return rng.randint(lo, max(lo, int(hi * scale)))

    published = n(20, 900)
    normative = n(0, 12)
    apps = _split(n(0, 25), 4, rng)  # 当面, 传真, 网络, 信函
    received = sum(apps)
    delayed = rng.choice([0, 0, 0, 1]) if received else 0
    # replies: 1..8 with 4. split into its six sub-items
    replies = [0] * 8
    for _ in range(received):
        replies[rng.choices(range(8), [3, 6, 1, 1, 2, 3, 1, 1])[0]] += 1
    refusals = _split(replies[3], 6, rng)
    review = _split(rng.choice([0, 0, 0, 1, 2]), 3, rng)
    litigation = _split(rng.choice([0, 0, 0, 1]), 3, rng)
    complaints = _split(rng.choice([0, 0, 0, 0, 1]), 3, rng)
    staff = _split(n(1, 5), 2, rng)
    values = {
        "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）": published,
        "其中：主动公开规范性文件数": normative,
        "制发规范性文件总数": normative,
        "1.政府公报公开政府信息数": 0,
        "2.政府网站公开政府信息数": published,
        "3.政务微博公开政府信息数": n(0, 300),
        "4.政务微信公开政府信息数": n(0, 900),
        "5.其他方式公开政府信息数": n(0, 60),
        "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）": n(0, 4),
        "1.参加或举办新闻发布会总次数": n(0, 4),
        "其中：主要负责同志参加新闻发布会次数": 0,
        "2.政府网站在线访谈次数": n(0, 3),
        "其中：主要负责同志参加政府网站在线访谈次数": 0,
        "3.政策解读稿件发布数": n(0, 25),
        "4.微博微信回应事件数": n(0, 5),
        "5.其他方式回应事件数": 0,
        "（一）收到申请数": received,
        "1.当面申请数": apps[0], "2.传真申请数": apps[1], "3.网络申请数": apps[2], "4.信函申请数": apps[3],
        "（二）申请办结数": received, "1.按时办结数": received - delayed, "2.延期办结数": delayed,
        "（三）申请答复数": received,
        "1.属于已主动公开范围数": replies[0], "2.同意公开答复数": replies[1],
        "3.同意部分公开答复数": replies[2], "4.不同意公开答复数": replies[3],
        "其中：涉及国家秘密": refusals[0], "涉及商业秘密": refusals[1], "涉及个人隐私": refusals[2],
        "危及国家安全、公共安全、经济安全和社会稳定": refusals[3], "不是《条例》所指政府信息": refusals[4],
        "法律法规规定的其他情形": refusals[5],
        "5.不属于本行政机关公开数": replies[4], "6.申请信息不存在数": replies[5],
        "7.告知作出更改补充数": replies[6], "8.告知通过其他途径办理数": replies[7],
        "四、行政复议数量": sum(review),
        "五、行政诉讼数量": sum(litigation),
        "六、被举报投诉数量": sum(complaints),
        "七、依申请公开信息收取的费用": 0,
        "（一）政府信息公开工作专门机构数": 1,
        "（二）设置政府信息公开查阅点数": n(1, 3),
        "（三）从事政府信息公开工作人员数": sum(staff),
        "1.专职人员数（不包括政府公报及政府网站工作人员数）": staff[0],
        "2.兼职人员数": staff[1],
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）":
            round(rng.uniform(0.5, 6) * scale, 1),
        "（一）召开政府信息公开工作会议或专题会议数": n(1, 4),
        "（二）举办各类培训班数": n(0, 3),
        "（三）接受培训人员数": n(0, 150),
    }
    # The three sub-rows of 四、五、六 share labels; they follow their section.
    section_parts = {"四、行政复议数量": review, "五、行政诉讼数量": litigation, "六、被举报投诉数量": complaints}
    rows: list[list] = []
    parts: list[int] | None = None
    for row in _legacy_skeleton():
        if len(row) == 1:
            rows.append([row[0]])
            parts = None
            continue
        label, unit, _old = row
        if label in section_parts:
            parts = list(section_parts[label])
            rows.append([label, unit, values[label]])
            continue
        if parts is not None and label.startswith(("（一）", "（二）", "（三）")) and label not in values:
            rows.append([label, unit, parts.pop(0)])
            continue
        parts = None if label.startswith(("七、", "八、", "九、")) else parts
        if label not in values:
            raise KeyError(f"legacy label without a generated value: {label}")
        rows.append([label, unit, values[label]])
    return rows, {"published": published, "received": received, "normative": normative,
                  "review": sum(review), "litigation": sum(litigation)}


# --------------------------------------------------------------------------
# Prose


def _short(agency: str) -> str:
    """How an agency names itself in its own prose."""
    for suffix in ("人民政府办公室", "人民政府"):
        if agency.endswith(suffix) and agency != suffix:
            stem = agency[: -len(suffix)]
            if suffix == "人民政府办公室":
                return stem + "政府办公室"
            return stem
    return agency


def _modern_body(template: str, agency: str, year: int, site_name: str, rng: random.Random,
                 published: int, t3: dict) -> tuple[list[dict], list[dict]]:
    new = t3["new"][6]
    over = t3["carried_over"][6]
    forward = t3["carried_forward"][6]
    a, b = rng.randint(0, published // 2), rng.randint(0, published // 4)
    c = published - a - b
    pub_text = f"主动公开政府信息{_fmt_count(published, rng)}条"
    new_text = f"新收政府信息公开申请{new}件"
    answered = ("均在法定期限内予以答复" if not forward
                else f"办结{t3['total'][6]}件，结转下年度继续办理{forward}件")
    short = _short(agency)
    body = [
        {"p": "本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息公开工作"
              "年度报告格式要求编制，内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
              "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据"
              f"的统计期限自{year}年1月1日起至{year}年12月31日止。"},
        {"h": "一、总体情况"},
        {"p": f"{year}年，{short}认真贯彻落实《条例》和上级关于政务公开工作的部署要求，坚持以公开为常态、"
              "不公开为例外，持续提升政府信息公开工作质量。"},
        {"p": f"（一）主动公开。全年{pub_text}，其中工作动态{a}条、通知公告{b}条、政策文件及其他信息{c}条。"},
        {"p": f"（二）依申请公开。全年{new_text}，上年结转{over}件，{answered}。"},
        {"p": "（三）政府信息管理。严格落实信息发布保密审查制度，动态更新政府信息公开指南和政府信息公开目录。"},
        {"p": f"（四）平台建设。依托{site_name}门户网站政府信息公开专栏，及时准确发布各类政府信息。"},
        {"p": "（五）监督保障。将政务公开工作纳入年度考核，组织开展业务培训，提升工作人员业务水平。"},
        {"h": "二、主动公开政府信息情况"},
        {"table": "table2"},
        {"h": "三、收到和处理政府信息公开申请情况"},
        {"table": "table3"},
        {"h": "四、政府信息公开行政复议、行政诉讼情况"},
        {"table": "table4"},
        {"h": "五、存在的主要问题及改进情况"},
        {"p": "主要问题：政策解读形式不够丰富，部分信息发布的及时性有待提高。改进措施：加强业务培训，丰富图解、"
              "视频等解读形式，健全信息发布协调机制。"},
        {"h": "六、其他需要报告的事项"},
        {"p": f"本机关{year}年度未收取信息处理费。"},
    ]
    prose = [{"text": pub_text, "value": published, "unit": "条"},
             {"text": new_text, "value": new, "unit": "件"}]
    return body, prose


def _legacy_body(agency: str, year: int, rng: random.Random, figs: dict) -> tuple[list[dict], list[dict]]:
    pub_text = f"主动公开政府信息{_fmt_count(figs['published'], rng)}条"
    rec_text = f"收到政府信息公开申请{figs['received']}件"
    body = [
        {"p": f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，特向社会公布{year}年度{agency}"
              "政府信息公开工作年度报告。本报告由概述，主动公开政府信息情况，依申请公开政府信息办理情况，政府信息"
              "公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼的情况，存在的主要问题和改进措施以及"
              f"附表组成。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"},
        {"h": "一、概述"},
        {"p": f"{year}年，{_short(agency)}认真贯彻落实《条例》，进一步健全工作机制，拓宽公开渠道，"
              "政府信息公开工作水平不断提高。"},
        {"h": "二、主动公开政府信息情况"},
        {"p": f"{year}年，共{pub_text}，全年制发规范性文件{figs['normative']}件，全部主动公开。"},
        {"h": "三、依申请公开政府信息办理情况"},
        {"p": f"{year}年，共{rec_text}，均已按规定办结。"},
        {"h": "四、政府信息公开的收费及减免情况"},
        {"p": f"{year}年，未收取政府信息公开检索、复制、邮寄等费用。"},
        {"h": "五、因政府信息公开申请行政复议、提起行政诉讼的情况"},
        {"p": f"{year}年，因政府信息公开申请被申请行政复议{figs['review']}件、"
              f"被提起行政诉讼{figs['litigation']}件。"},
        {"h": "六、存在的主要问题和改进措施"},
        {"p": "一是主动公开的深度和广度还需拓展；二是政策解读质量有待提高。下一步，将加强督导检查和业务培训，"
              "推动政府信息公开工作规范化、标准化。"},
        {"h": "七、附表"},
        {"p": f"政府信息公开情况统计表（{year}年度）"},
        {"table": "legacy"},
    ]
    prose = [{"text": pub_text, "value": figs["published"], "unit": "条"},
             {"text": rec_text, "value": figs["received"], "unit": "件"}]
    return body, prose


# --------------------------------------------------------------------------
# Entry point


@functools.lru_cache(maxsize=4096)
def _report_data(agency: str, year: int, seed: str, site_name: str) -> dict:
    rng = random.Random(f"{seed}|{agency}|{year}")
    template = template_for_year(year)
    scale = _SCALE[agency_kind(agency)] * rng.uniform(0.6, 1.4)
    style = rng.choice(["plain", "plain", "word"])
    if template == "legacy":
        rows, figs = _legacy_table(rng, scale)
        body, prose = _legacy_body(agency, year, rng, figs)
        tables = {"legacy": rows}
        title_lines = [f"{agency}{year}年政府信息公开工作年度报告"]
    else:
        t2 = _table2(template, rng, scale)
        t3 = _table3(template, rng, scale)
        t4 = _table4(rng, scale)
        published = rng.randint(30, max(31, int(700 * scale)))
        body, prose = _modern_body(template, agency, year, site_name, rng, published, t3)
        tables = {"table2": t2, "table3": t3, "table4": t4}
        title_lines = [agency, f"{year}年政府信息公开工作年度报告"]
    return {
        "generated": True,
        "template": template,
        "table_style": style,
        "title_lines": title_lines,
        "body": body,
        "prose": prose,
        "tables": tables,
    }


def report_data(agency: str, year: int, seed: str = "xxgk", site_name: str = "区政府") -> dict:
    """A fresh composed report (a deep copy: callers may modify it)."""
    import copy

    return copy.deepcopy(_report_data(agency, year, seed, site_name))


def check(data: dict) -> list[str]:
    """Consistency problems of a generated report (always empty)."""
    figs = national.intended_figures(str(data["template"]), data["tables"])
    return national.consistency_problems(figs)
