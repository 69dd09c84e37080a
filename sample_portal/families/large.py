"""The large generated portal: a TRS-family county portal with hundreds of
annual reports (40 agencies × 8 years = 320 reports, plus 20 notices and
图解 in the same column, 34 list pages of 10), for crawl-scale tests: kill a
crawl half-way (serve it with ``delay``) and resume, compare two crawls.

It is the TRS family (``families/trs.py``) serving a configuration built
here instead of read from ``site.yaml``: same URL shapes (``/xxgk/xxgknb/``,
``index_N.htm`` pages drawn by ``createPageHTML``, documents at
``./YYYYMM/tYYYYMMDD_<docid>.htm``).  Every href in its lists is relative or
root-relative, so every byte it serves is the same wherever it runs.

All reports are generated TEST DATA (``generate.py``), deterministic.
"""

from __future__ import annotations

import functools
from datetime import datetime

from ..manifest import Manifest, build_trs_manifest
from ..routing import RouteTable
from ..sitekit import id_allocator, published_time, report_title, rng_for
from . import trs

FAMILY = "large"
ADDRESS = "127.0.0.6"
SEED = "shouguang"
YEARS = list(range(2016, 2024))
PAGE_SIZE = 10

CITY = "寿光市"
DEPARTMENTS = [
    "人民政府", "人民政府办公室", "发展和改革局", "教育和体育局", "科学技术局", "工业和信息化局", "公安局",
    "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "住房和城乡建设局", "交通运输局",
    "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "行政审批服务局",
]
TOWNS = [
    "圣城街道办事处", "文家街道办事处", "古城街道办事处", "洛城街道办事处", "孙家集街道办事处", "化龙镇人民政府",
    "营里镇人民政府", "台头镇人民政府", "田柳镇人民政府", "上口镇人民政府", "侯镇人民政府", "纪台镇人民政府",
    "稻田镇人民政府", "羊口镇人民政府",
]
AGENCIES = [CITY + d for d in DEPARTMENTS] + [CITY + t for t in TOWNS]  # 40


@functools.lru_cache(maxsize=1)
def config() -> dict:
    doc_id = id_allocator(1_000_000, datetime(2016, 1, 1), 2900, 2800)

    reports = []
    for i, agency in enumerate(AGENCIES):
        for year in YEARS:
            rng = rng_for(SEED, agency, year)
            t = published_time(year, rng)
            style = ["std", "std", "niandu", "report", "guanyu"][(i + year) % 5]
            reports.append({
                "id": f"large_{i:02d}_{year}",
                "generated": {"seed": SEED},
                "title": report_title(agency, year, style),
                "agency": agency,
                "year": year,
                "published": t.strftime("%Y-%m-%d %H:%M"),
                "doc_id": doc_id(t, rng),
                "index_no": f"11370783{rng.randint(1000000, 9999999)}X/{t.year}-{rng.randint(1, 999):05d}",
                "charset": "utf-8",
                "href": "root" if (i + year) % 4 == 0 else "relative",
            })
    documents = []
    for year in YEARS:
        for kind, title, month, day in (
            ("notice", f"关于做好{year}年政府信息公开工作年度报告编制发布工作的通知", 12, 18),
            ("graphic", f"图解：寿光市人民政府{year}年政府信息公开工作年度报告", None, None),
        ):
            rng = rng_for(SEED, kind, year)
            if kind == "notice":
                t = datetime(year, month, day, 10, 0)
            else:
                t = published_time(year, rng).replace(hour=18, minute=30)
            documents.append({
                "id": f"large_{kind}_{year}", "column": "xxgknb", "title": title,
                "published": t.strftime("%Y-%m-%d %H:%M"), "doc_id": doc_id(t, rng),
                "agency": "寿光市人民政府办公室",
                "paragraphs": [f"{title}。"],
            })
    for year in YEARS[-4:]:
        t = datetime(year, 4, 15, 9, 0)
        documents.append({
            "id": f"large_points_{year}", "column": "xxgknb", "title": f"寿光市{year}年政务公开工作要点",
            "published": t.strftime("%Y-%m-%d %H:%M"), "doc_id": doc_id(t, rng_for(SEED, "points", year)),
            "agency": "寿光市人民政府办公室", "paragraphs": [f"寿光市{year}年政务公开工作要点。"],
        })
    for n, (title, when) in enumerate([("寿光市召开2024年政务公开工作会议", "2024-01-12 16:05"),
                                       ("寿光市开展“政府开放日”活动", "2023-11-08 10:12")]):
        t = datetime.strptime(when, "%Y-%m-%d %H:%M")
        documents.append({"id": f"large_news_{n}", "column": "wdyw", "title": title, "published": when,
                          "doc_id": doc_id(t, rng_for(SEED, "news", n)), "source_org": "寿光市融媒体中心",
                          "paragraphs": [title + "。"]})
    return {
        "family": FAMILY,
        "address": ADDRESS,
        "site": {
            "name": "寿光市人民政府", "short_name": "寿光市", "county": "潍坊市寿光市",
            "domain": "www.shouguang.gov.cn", "site_id_code": "3707830001", "icp": "鲁ICP备05045678号",
            "police_record": "鲁公网安备 37078302000102号", "police_record_code": "37078302000102",
            "sponsor": "寿光市人民政府办公室", "address": "山东省寿光市金光街1299号", "phone": "0536-5221234",
            "updated": "2024-01-31 18:00",
        },
        "robots": {"disallow": ["/search/", "/was5/"]},
        "nav": [["首页", "/"], ["政府信息公开", "/xxgk/"], ["政务服务", "/zwfw/"], ["互动交流", "/hdjl/"],
                ["新闻中心", "/xwzx/"]],
        "footer_links": [["政府网站找错", "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3707830001"],
                         ["鲁ICP备05045678号", "http://beian.miit.gov.cn/"]],
        "home": {
            "banner": "政务公开 蔬菜之乡",
            "news_title": "寿光要闻",
            "about_title": "寿光概况",
            "offsite_links": [["中国政府网", "http://www.gov.cn/"], ["山东省人民政府", "http://www.shandong.gov.cn/"],
                              ["潍坊市人民政府", "http://www.weifang.gov.cn/"]],
            "search_link": ["年报检索", "/search/index.jsp?searchword=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A"],
        },
        "channels": [
            {"path": "/zwfw/", "name": "政务服务", "paragraphs": ["寿光市政务服务中心集中办理行政许可和公共服务事项。"]},
            {"path": "/hdjl/", "name": "互动交流", "paragraphs": ["市长信箱、12345热线受理群众咨询、投诉和建议。"]},
            {"path": "/zjwd/", "name": "寿光概况", "paragraphs": ["寿光市位于山东半岛中北部，是“中国蔬菜之乡”。"]},
            {"path": "/xwzx/", "name": "新闻中心", "links": [["寿光要闻", "./wdyw/"]], "paragraphs": ["发布寿光要闻。"]},
        ],
        "columns": [
            {"key": "wdyw", "path": "/xwzx/wdyw/", "name": "寿光要闻", "page_size": 20},
            {"key": "xxgkzn", "path": "/xxgk/xxgkzn/", "name": "政府信息公开指南", "page_size": 20},
            {"key": "xxgkzd", "path": "/xxgk/xxgkzd/", "name": "政府信息公开制度", "page_size": 20},
            {"key": "fdzdgknr", "path": "/xxgk/fdzdgknr/", "name": "法定主动公开内容", "page_size": 20},
            {"key": "xxgknb", "path": "/xxgk/xxgknb/", "name": "政府信息公开年报", "page_size": PAGE_SIZE,
             "annual_reports": True},
        ],
        "xxgk": {
            "path": "/xxgk/",
            "links": [["政府信息公开指南", "./xxgkzn/"], ["政府信息公开制度", "./xxgkzd/"],
                      ["法定主动公开内容", "./fdzdgknr/"], ["政府信息公开年报", "./xxgknb/"],
                      ["依申请公开", "./ysqgk/"]],
            "ysqgk": {"path": "/xxgk/ysqgk/", "name": "依申请公开",
                      "paragraphs": ["公民、法人或者其他组织可以向行政机关申请获取政府信息。"]},
        },
        "documents": documents,
        "reports": reports,
    }


def load_manifest() -> Manifest:
    m = build_trs_manifest(config())
    m.traps = {"changing": m.reports[-1].path}
    return m


def build(manifest: Manifest) -> RouteTable:
    return trs.build(manifest)
