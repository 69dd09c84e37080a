"""Build the gold set in this folder (see README.md).

    .venv/bin/python tests/gold/make_gold.py          # (re)write everything
    .venv/bin/python tests/gold/make_gold.py --check  # fail if a file would change

Three kinds of documents:

* the five real seeds, kept once in ``sample_portal/reports`` (their gold
  files point there with ``document:``); their ``.gold.yaml`` files are written by hand
  (each figure with the sentence or cell it was read from) and this script only
  checks that they exist;
* the sample portal's composed TEST DATA reports, saved from the running portal
  (``portal_*.htm``); their gold comes from the portal's own intended figures
  (``Report.figures``, mapped to vocabulary keys below) plus the figures the
  prose of each page states (``COMPOSED_PROSE``, read off the rendered pages);
* generated TEST DATA documents (``GENERATED``), built by ``docgen.py`` in HTML,
  PDF, DOCX and text forms with the messiness real portals show; their gold is
  what their cells and sentences print (``docgen.Doc.gold``).

Nothing here looks at what the parser makes of a document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import urllib.request
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import docgen  # noqa: E402
from docgen import BODIES, Params, wan_to_yuan  # noqa: E402

SEEDS_DIR = ROOT / "sample_portal" / "reports"

# ---------------------------------------------------------------------------
# Generated documents: (stem, kind, county, body, year, form, style, quirks, seed)

GENERATED: list[tuple[str, str, str, int, int, str, str, tuple[str, ...], int]] = [
    # 2019 template
    ("t2019_anji_2019_trs", "2019", "安吉县", 0, 2019, "html", "trs",
     ("t3_misaligned", "t3_fullwidth", "t2_dash", "t2_money_cell"), 101),
    ("t2019_xianju_2020_pdf", "2019", "仙居县", 1, 2020, "pdf", "seed",
     ("t3_split", "t3_blank_total", "t4_units"), 102),
    ("t2019_qufu_2020_docx", "2019", "曲阜市", 4, 2020, "docx", "seed",
     ("t3_wu", "t3_no_top_header", "t2_units"), 103),
    ("t2019_ningxiang_2019_txt", "2019", "宁乡市", 2, 2019, "txt", "seed",
     ("t3_dash", "t2_blank"), 104),
    ("t2019_changli_2020_hanweb", "2019", "昌黎县", 3, 2020, "html", "hanweb",
     ("t3_split", "t4_extra_col", "t2_blank", "published_differs"), 105),
    # 2021 template
    ("t2021_wuyuan_2021_word", "2021", "婺源县", 5, 2021, "html", "trs",
     ("word_cells", "t2_money_cell", "t3_blank_total"), 201),
    ("t2021_anji_2022_wordsaved", "2021", "安吉县", 11, 2022, "html", "wordsaved",
     ("t3_dash", "t4_units"), 202),
    ("t2021_laiyang_2022_pdf", "2021", "莱阳市", 6, 2022, "pdf", "seed",
     ("t3_split", "t3_fullwidth", "t3_dash"), 203),
    ("t2021_jiaohe_2023_docx", "2021", "蛟河市", 7, 2023, "docx", "seed",
     ("t3_blank_total", "t2_money_cell"), 204),
    ("t2021_jiangle_2021_txt", "2021", "将乐县", 8, 2021, "txt", "seed",
     ("t3_fullwidth", "t2_units"), 205),
    ("t2021_wendeng_2023_hanweb", "2021", "文登区", 12, 2023, "html", "hanweb",
     ("t3_misaligned", "t3_wu", "t4_units", "published_differs"), 206),
    ("t2021_changli_2024_pdf", "2021", "昌黎县", 13, 2024, "pdf", "seed", ("t2_dash",), 207),
    # legacy 附表
    ("legacy_xianju_2017_trs", "legacy-full", "仙居县", 9, 2017, "html", "trs", ("legacy_units", "legacy_dash"), 301),
    ("legacy_changli_2016_pdf", "legacy-full", "昌黎县", 3, 2016, "pdf", "seed", ("legacy_split",), 302),
    ("legacy_wuyuan_2018_docx", "legacy-full", "婺源县", 10, 2018, "docx", "seed", ("legacy_fullwidth",), 303),
    ("legacy_jiaohe_2014_txt", "legacy-short", "蛟河市", 7, 2014, "txt", "cells", (), 304),
    ("legacy_qufu_2012_hanweb", "legacy-short", "曲阜市", 4, 2012, "html", "hanweb",
     ("legacy_cum", "legacy_fullwidth"), 305),
    ("legacy_ningxiang_2015_txt", "legacy-short", "宁乡市", 2, 2015, "txt", "seed", ("legacy_cum",), 306),
    # legacy prose only
    ("text_laiyang_2011_trs", "legacy-text", "莱阳市", 6, 2011, "html", "trs", (), 401),
    ("text_anji_2013_docx", "legacy-text", "安吉县", 0, 2013, "docx", "seed", (), 402),
    ("text_jiangle_2010_pdf", "legacy-text", "将乐县", 8, 2010, "pdf", "seed", (), 403),
]


def generated_docs() -> list[docgen.Doc]:
    docs = []
    for stem, kind, county, body, year, form, style, quirks, seed in GENERATED:
        published = dt.date(year + 1, 1 + seed % 3, 8 + seed % 17)
        p = Params(county=county, body=BODIES[body], year=year, form=form, style=style, published=published,
                   quirks=quirks, stem=stem, split_title=seed % 2 == 0)
        docs.append(docgen.build(kind, p, seed))
    return docs


# ---------------------------------------------------------------------------
# The sample portal's composed reports

# Figures the prose of each composed page states, read off the rendered page
# (key -> value, or (value, True) for an approximate one). Figures the page's
# tables also give are listed too; they are tagged 'table' in the gold, and
# the two must agree.
COMPOSED_PROSE: dict[str, dict[str, Any]] = {
    "composed_2018_wdqzfb": {
        # 共主动公开政府信息1028条，其中通过政府网站公开1028条，通过政务微博公开356条，通过政务微信公开1874条
        "proactive.total": 1028, "proactive.channel.website": 1028, "proactive.channel.weibo": 356,
        "proactive.channel.wechat": 1874,
        "response.interpretations": 21,  # 发布政策解读稿件21篇
        # 共收到政府信息公开申请26件，其中当面申请9件，网络申请12件，信函申请5件
        "requests.new.total": 26, "requests.channel.in_person": 9, "requests.channel.online": 12,
        "requests.channel.letter": 5,
        "fees.collected": 0,  # 未收取政府信息公开检索、复制、邮寄等费用
        "review.total": 1, "litigation.total": 1,  # 被申请行政复议1件、被提起行政诉讼1件
    },
    "composed_2019_wdqzfb": {
        # 全年通过区政府门户网站主动公开政府信息1,236条，其中政策文件48件、政策解读36篇、重点领域信息412条；
        # 通过“文登发布”政务微信公众号发布信息2,108条，召开新闻发布会8场
        # The 1,236 is what the portal alone published (the sentence names the channel, and
        # gives WeChat separately), as in seed 002's 通过政务网站主动公开信息72条: not a total.
        "proactive.channel.website": 1236, "response.interpretations": 36, "proactive.channel.wechat": 2108,
        "response.press_conferences": 8,
        # 全年新收政府信息公开申请38件，上年结转2件，…，结转下年度继续办理1件
        "requests.new.total": 38, "requests.carried_over.total": 2, "requests.carried_forward.total": 1,
        # 举办政务公开业务培训班2期，培训各单位工作人员160余人次
        "trainings.count": 2, "trainings.attendees": (160, True),
    },
    "composed_2020_wdqjyj": {
        "proactive.total": 426,  # 全年主动公开政府信息426条
        "requests.new.total": 10,  # 全年共受理政府信息公开申请10件
        "staff.part_time": 2,  # 配备兼职工作人员2名
    },
    "composed_2021_scz": {
        "proactive.total": 158,  # 全年在区政府门户网站宋村镇专栏主动公开政府信息158条
        "requests.new.total": 7, "requests.carried_over.total": 1,  # 全年新收政府信息公开申请7件，上年结转1件
        "fees.collected": 0,  # 本机关2021年度未收取信息处理费
    },
    "composed_2022_wdqzfb": {
        # 全年主动公开政府信息2,315条，其中政策文件54件、政策解读43篇（图解解读19篇）、回应关切信息26条；
        # 组织召开新闻发布会12场
        "proactive.total": 2315, "response.interpretations": 43, "response.press_conferences": 12,
        # 全年新收政府信息公开申请54件，上年结转4件，办结57件，结转下年度继续办理1件
        "requests.new.total": 54, "requests.carried_over.total": 4, "requests.completed": 57,
        "requests.carried_forward.total": 1,
        # 全年发布行政规范性文件9件、废止3件
        "proactive.normative_documents.issued": 9, "proactive.normative_documents.repealed": 3,
        "trainings.count": 3,  # 组织政务公开业务培训3次
        "fees.collected": 0,  # 收取信息处理费0次，金额0元
    },
    "composed_2023_wdqjyj": {
        "proactive.total": 512,  # 全年主动公开政府信息512条
        "requests.new.total": 13,  # 全年新收政府信息公开申请13件
        "proactive.channel.wechat": 1046,  # 同步在“文登教育”微信公众号发布各类信息1,046条
        "fees.collected": 0,  # 本机关2023年度未收取信息处理费
    },
}

_T3_ROWS = {
    "new": "requests.new", "carried_over": "requests.carried_over", "carried_forward": "requests.carried_forward",
    "disclosed": "outcome.disclosed", "partially_disclosed": "outcome.partially_disclosed",
    "withheld_state_secret": "outcome.withheld.state_secret",
    "withheld_other_law": "outcome.withheld.prohibited_by_law",
    "withheld_security_stability": "outcome.withheld.security_stability",
    "withheld_third_party": "outcome.withheld.third_party_rights",
    "withheld_internal_affairs": "outcome.withheld.internal_affairs",
    "withheld_process_info": "outcome.withheld.process_information",
    "withheld_enforcement_files": "outcome.withheld.enforcement_files",
    "withheld_query_matter": "outcome.withheld.administrative_inquiry",
    "unable_not_held": "outcome.unavailable.not_held", "unable_needs_creation": "outcome.unavailable.needs_creation",
    "unable_still_unclear": "outcome.unavailable.unclear",
    "unprocessed_petition": "outcome.not_processed.petition", "unprocessed_repeat": "outcome.not_processed.repeated",
    "unprocessed_publication": "outcome.not_processed.publication",
    "unprocessed_massive": "outcome.not_processed.mass_repeated",
    "unprocessed_confirmation": "outcome.not_processed.confirmation",
    "other_processing": "outcome.other", "other_no_supplement": "outcome.other.no_correction",
    "other_no_fee": "outcome.other.no_fee_paid", "other_other": "outcome.other.misc",
    "total": "outcome.total",
}
_T3_COLUMNS = {
    "natural_person": "natural_person", "commercial": "commercial_enterprise", "research": "research_institution",
    "public_interest": "social_welfare_org", "legal_services": "legal_service_org", "other": "other_org",
    "total": "total",
}
_T2 = {
    "2019": {
        ("regulations", "new_made"): "proactive.rules.new_made",
        ("regulations", "new_published"): "proactive.rules.new_published",
        ("regulations", "total_published"): "proactive.rules.total_published",
        ("normative", "new_made"): "proactive.normative_documents.new_made",
        ("normative", "new_published"): "proactive.normative_documents.new_published",
        ("normative", "total_published"): "proactive.normative_documents.total_published",
        ("licensing", "prev_items"): "proactive.licensing.items_last_year",
        ("licensing", "change"): "proactive.licensing.items_change",
        ("licensing", "decisions"): "proactive.licensing.decisions",
        ("other_services", "prev_items"): "proactive.other_services.items_last_year",
        ("other_services", "change"): "proactive.other_services.items_change",
        ("other_services", "decisions"): "proactive.other_services.decisions",
        ("penalty", "prev_items"): "proactive.penalties.items_last_year",
        ("penalty", "change"): "proactive.penalties.items_change",
        ("penalty", "decisions"): "proactive.penalties.decisions",
        ("coercion", "prev_items"): "proactive.enforcement.items_last_year",
        ("coercion", "change"): "proactive.enforcement.items_change",
        ("coercion", "decisions"): "proactive.enforcement.decisions",
        ("fees", "prev_items"): "proactive.fees.items_last_year",
        ("fees", "change"): "proactive.fees.items_change",
        ("procurement", "items"): "proactive.procurement.projects",
        ("procurement", "amount_10k_yuan"): "proactive.procurement.amount",
    },
    "2021": {
        ("regulations", "made"): "proactive.rules.issued",
        ("regulations", "abolished"): "proactive.rules.repealed",
        ("regulations", "in_force"): "proactive.rules.in_force",
        ("normative", "made"): "proactive.normative_documents.issued",
        ("normative", "abolished"): "proactive.normative_documents.repealed",
        ("normative", "in_force"): "proactive.normative_documents.in_force",
        ("licensing", "decisions"): "proactive.licensing.decisions",
        ("penalty", "decisions"): "proactive.penalties.decisions",
        ("coercion", "decisions"): "proactive.enforcement.decisions",
        ("fees", "amount_10k_yuan"): "proactive.fees.amount",
    },
}
_T4 = {"review": "review", "litigation_direct": "litigation.direct", "litigation_after_review": "litigation.after_review"}

# Legacy 附表 rows (section, label) -> key. Rows mapped to None have no
# vocabulary key: the 行政诉讼 / 举报投诉 result rows, the 主要负责同志 and 在线访谈
# counts, the 微博微信回应 counts, 制发规范性文件总数, and the six reasons under
# 4.不同意公开答复数 (涉及国家秘密 / 商业秘密 / 个人隐私 …: a different breakdown
# from the templates' eight 不予公开 reasons, not mapped onto them).
_LEGACY = {
    "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）": "proactive.total",
    "其中：主动公开规范性文件数": "proactive.normative_documents",
    "1.政府公报公开政府信息数": "proactive.channel.gazette",
    "2.政府网站公开政府信息数": "proactive.channel.website",
    "3.政务微博公开政府信息数": "proactive.channel.weibo",
    "4.政务微信公开政府信息数": "proactive.channel.wechat",
    "5.其他方式公开政府信息数": "proactive.channel.other",
    "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）": "response.public_concerns",
    "1.参加或举办新闻发布会总次数": "response.press_conferences",
    "3.政策解读稿件发布数": "response.interpretations",
    "（一）收到申请数": "requests.new.total",
    "1.当面申请数": "requests.channel.in_person",
    "2.传真申请数": "requests.channel.fax",
    "3.网络申请数": "requests.channel.online",
    "4.信函申请数": "requests.channel.letter",
    "（二）申请办结数": "requests.completed",
    "1.按时办结数": "requests.completed_on_time",
    "2.延期办结数": "requests.completed_extended",
    "（三）申请答复数": "outcome.total.total",
    "1.属于已主动公开范围数": "legacy.replies.already_public",
    "2.同意公开答复数": "outcome.disclosed.total",
    "3.同意部分公开答复数": "outcome.partially_disclosed.total",
    "4.不同意公开答复数": "outcome.withheld.total",
    "5.不属于本行政机关公开数": "legacy.replies.not_own_agency",
    "6.申请信息不存在数": "legacy.replies.not_exist",
    "7.告知作出更改补充数": "legacy.replies.correction_requested",
    "8.告知通过其他途径办理数": "legacy.replies.other_channel",
    "四、行政复议数量": "review.total",
    ("四、行政复议数量", "（一）维持具体行政行为数"): "review.upheld",
    ("四、行政复议数量", "（二）被依法纠错数"): "review.corrected",
    ("四、行政复议数量", "（三）其他情形数"): "review.other",
    "五、行政诉讼数量": "litigation.total",
    "六、被举报投诉数量": "complaints.total",
    "七、依申请公开信息收取的费用": "fees.collected",
    "（一）政府信息公开工作专门机构数": "org.units",
    "（二）设置政府信息公开查阅点数": "org.reading_points",
    "（三）从事政府信息公开工作人员数": "staff.total",
    "1.专职人员数（不包括政府公报及政府网站工作人员数）": "staff.full_time",
    "2.兼职人员数": "staff.part_time",
    "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）": "budget.special_funds",
    "（一）召开政府信息公开工作会议或专题会议数": "meetings.count",
    "（二）举办各类培训班数": "trainings.count",
    "（三）接受培训人员数": "trainings.attendees",
}
_LEGACY_UNMAPPED = {
    "制发规范性文件总数", "其中：主要负责同志参加新闻发布会次数", "2.政府网站在线访谈次数",
    "其中：主要负责同志参加政府网站在线访谈次数", "4.微博微信回应事件数", "5.其他方式回应事件数",
    "其中：涉及国家秘密", "涉及商业秘密", "涉及个人隐私", "危及国家安全、公共安全、经济安全和社会稳定",
    "不是《条例》所指政府信息", "法律法规规定的其他情形",
    "（一）维持具体行政行为或者驳回原告诉讼请求数", "（一）维持具体行政行为数", "（二）被依法纠错数",
    "（二）被纠错数", "（三）其他情形数",
}


def composed_table_figures(report) -> dict[str, Any]:
    """The portal's intended table figures under vocabulary keys (money in 元)."""
    figs = report.figures
    out: dict[str, Any] = {}
    if figs["template"] == "legacy":
        for row in figs["table"]:
            key = _LEGACY.get((row["section"], row["label"]))
            if key is None and row["label"] not in _LEGACY_UNMAPPED:
                key = _LEGACY.get(row["label"])
                if key is None:
                    raise ValueError(f"{report.id}: unmapped 附表 row {row['label']}")
            value = row["value"]
            if key is None or value is None:
                continue
            out[key] = wan_to_yuan(value) if row["unit"] == "万元" else value
        return out
    template = figs["template"]
    for row, cols in figs["table2"].items():
        for sub, value in cols.items():
            key = _T2[template][(row, sub)]
            if value is None:
                continue
            out[key] = wan_to_yuan(value) if sub == "amount_10k_yuan" else value
    for row, cols in figs["table3"].items():
        for col, value in cols.items():
            if value is not None:
                out[f"{_T3_ROWS[row]}.{_T3_COLUMNS[col]}"] = value
    for group, results in figs["table4"].items():
        for result, value in results.items():
            if value is not None:
                out[f"{_T4[group]}.{result}"] = value
    return out


def composed_gold(report) -> dict:
    table = composed_table_figures(report)
    prose: dict[str, Any] = {}
    for key, v in COMPOSED_PROSE[report.id].items():
        value, approx = (v if isinstance(v, tuple) else (v, False))
        if key in table:
            if table[key] != value:
                raise ValueError(f"{report.id}: prose {key}={value} but table {table[key]}")
            continue
        prose[key] = {"value": value, "approximate": True} if approx else value
    fmt = {"legacy": "legacy-table", "2019": "2019-template", "2021": "2021-template"}[report.template]
    return {
        "format": fmt,
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "published": report.published,
        "county": "文登区",
        "source": f"sample portal {report.path} (TEST DATA: sample_portal/{report.source})",
        "figures": {"table": table, "prose": prose},
    }


def _ordered(gold: dict) -> dict:
    """Metadata first, then source and quirks, figures last."""
    head = [k for k in ("format", "title", "agency", "year", "published", "county", "source", "quirks") if k in gold]
    return {**{k: gold[k] for k in head}, **{k: v for k, v in gold.items() if k not in head}}


def fetch_composed() -> list[tuple[str, bytes, dict]]:
    from sample_portal.manifest import load_manifest
    from sample_portal.server import serve_in_thread

    out = []
    manifest = load_manifest()
    with serve_in_thread() as base:
        for report in manifest.composed_reports:
            with urllib.request.urlopen(base.rstrip("/") + report.path) as resp:
                body = resp.read()
            out.append((f"portal_{report.id}.htm", body, composed_gold(report)))
    return out


# ---------------------------------------------------------------------------
# Writing


def dump_gold(gold: dict, header: str) -> str:
    text = yaml.safe_dump(_ordered(gold), allow_unicode=True, sort_keys=False, width=200)
    return header + text


def planned_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name, body, gold in fetch_composed():
        files[name] = body
        header = (f"# Gold for {name}: the sample portal's composed TEST DATA report.\n"
                  "# Written by make_gold.py from the portal's intended figures (money in 元) and the\n"
                  "# figures its prose states. Do not edit by hand; edit make_gold.py.\n")
        files[name.rsplit(".", 1)[0] + ".gold.yaml"] = dump_gold(gold, header).encode("utf-8")
    for doc in generated_docs():
        files[doc.filename] = docgen.render(doc)
        gold = doc.gold()
        gold["source"] = f"generated by make_gold.py (docgen.py): TEST DATA, form {doc.form}/{doc.style}"
        gold["quirks"] = list(doc.quirks)
        header = (f"# Gold for {doc.filename}: generated TEST DATA (invented body, invented figures).\n"
                  "# Written by make_gold.py from the cells and sentences the document prints. Do not edit.\n")
        files[f"{doc.stem}.gold.yaml"] = dump_gold(gold, header).encode("utf-8")
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report files that would change")
    args = ap.parse_args(argv)
    files = planned_files()
    changed = []
    for name, data in files.items():
        path = HERE / name
        if not path.exists() or path.read_bytes() != data:
            changed.append(name)
            if not args.check:
                path.write_bytes(data)
    for seed in sorted(SEEDS_DIR.glob("seed_*.txt")):
        gold = HERE / (seed.stem + ".gold.yaml")
        if not gold.exists():
            print(f"missing hand-written gold: {gold.name}", file=sys.stderr)
            return 1
    big = [(n, len(d)) for n, d in files.items() if len(d) > 100_000]
    if big:
        print(f"files over 100 KB: {big}", file=sys.stderr)
        return 1
    total = sum(p.stat().st_size for p in HERE.iterdir() if p.is_file())
    print(f"{len(files)} files ({len(changed)} {'would change' if args.check else 'written'}); folder {total / 1e6:.2f} MB")
    if args.check and changed:
        print("\n".join(changed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
