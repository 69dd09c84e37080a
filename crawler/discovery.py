"""Discovery of every body: what a 政府信息公开 platform's pages say about the
bodies under it.

A county's or prefecture's platform lists its bodies -- departments (部门信息公开,
政府部门, 区直部门), townships (乡镇（街道）信息公开, 镇街) and, on a prefecture's,
its counties (县市区, 区县) -- each linking to the body's own 信息公开 page, on the
platform's host or on a site of its own, where the body's 年报 column is found
by its link text. These functions read one page at a time; the walk is the
``discover_bodies`` spider (``crawler/spiders/discover_bodies.py``), what it
found goes into a registry with :mod:`crawler.discovered`.

* :func:`is_body_list_text` -- a link to a list of bodies (部门信息公开, 乡镇（街道）…).
* :func:`body_link_name` -- the name a link gives a body (县发展和改革局, 安定镇,
  平江县), or None for navigation (首页, 新闻中心, 一网通办, 联系我们 …).
* :func:`qualify` -- the body's full name, level and region under its parent
  (安定镇 under 平江县人民政府 → 平江县安定镇人民政府, township, 湖南省 岳阳市 平江县).
* :func:`is_below` -- whether a named body can be under the parent at all
  (the footer's 湖南省人民政府 on a county's platform is not).
* :func:`page_body_name` -- the body a page belongs to (the walk's root).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.titles import clean

# -- lists of bodies ------------------------------------------------------------

# The groups a platform lists its bodies in; a label is one or more of them
# (部门和镇（街）, 乡镇（街道）), then words like 信息公开 / 年报.
_GROUP_WORDS = sorted([
    "部门", "政府部门", "工作部门", "直属部门", "区直部门", "县直部门", "市直部门", "区直单位", "县直单位", "市直单位",
    "部门单位", "单位", "机构", "政府机构", "乡镇", "镇", "乡", "街道", "镇街", "镇(街)", "镇(街道)", "乡镇(街道)",
    "乡(镇)", "乡镇街道", "镇(区)", "区县", "县区", "县市区", "县(市、区)", "县(市)区", "区(县)", "区(县、市)", "区县(市)",
    "各区", "各县", "各县(市、区)", "各区县", "各乡镇", "各部门",
], key=len, reverse=True)
_GROUP_JOIN = ("和", "及", "与", "、", "/")
_LIST_SUFFIX = re.compile(r"(政府信息公开|信息公开|政务公开)?(工作)?(年度报告|年报)?(专栏|目录|平台|列表|导航|网站|网站链接|链接)?$")


def is_body_list_text(text: str | None) -> bool:
    """True for a link to a list of bodies: 部门信息公开, 乡镇（街道）信息公开,
    政府部门, 镇街, 部门和镇（街）年报, 县市区, 县（市、区）信息公开."""
    rest = _LIST_SUFFIX.sub("", clean(text), count=1)
    if not rest:
        return False
    while rest:
        word = next((w for w in _GROUP_WORDS if rest.startswith(w)), None)
        if word is None:
            return False
        rest = rest[len(word):]
        if rest.startswith(_GROUP_JOIN):
            rest = rest[1:]
    return True


# -- names of bodies --------------------------------------------------------------

_BODY_END = re.compile(
    r"(局|委员会|委|办公室|办公厅|办|中心|院|馆|所|站|队|处|署|厅|人民政府|政府|镇|乡|街道|办事处|管委会|管理委员会"
    r"|县|区|市|旗|州|盟|社|会)$")
_NAV_END = re.compile(
    r"^(新闻|帮助|下载|数据|资料|互动|服务|办事|消息|文件|图片|视频|媒体|政务服务|便民服务|网上服务|搜索|用户|个人|登录)中心$"
    r"|(通|我要|网上|掌上|马上|就近|一次|跨省通|指尖)办$|^(网站|本站|联系|首页|更多|进入|返回)")
_LINK_SUFFIX = re.compile(r"(政府信息公开|信息公开|政务公开)(专栏|平台|目录|网站|网)?$")
_YEAR = re.compile(r"(19|20)\d{2}")
_LEVEL_CHAR = re.compile(r"^(?:市(?!场|政(?!府))|县(?!域)|区(?!域))")  # 县财政局, not 市场监督管理局
_GOVERNMENT = re.compile(r"(人民政府|政府|办事处|管理委员会|管委会)$")
_PLACE_ONLY = re.compile(r"(自治县|自治旗|自治州|县|区|市|旗|州|盟)$")
_TOWNSHIP_ONLY = re.compile(r"(镇|乡|苏木)$")


def body_link_name(text: str | None) -> str | None:
    """The body a link's text names (its 信息公开 suffix dropped), or None when
    the text is navigation, a column or a title."""
    name = _LINK_SUFFIX.sub("", clean(text))
    if not 2 <= len(name) <= 30 or _YEAR.search(name) or _NAV_END.search(name):
        return None
    if not _BODY_END.search(name) or is_body_list_text(name):
        return None
    return name


@dataclass
class Placed:
    """A body with its full name, level and region (``parse.region``'s)."""

    name: str
    level: str | None
    region: dict = field(default_factory=dict)

    @property
    def place(self) -> str:
        """The place a government governs, or a department's own place: its
        name's prefix for the bodies under it (平江县人民政府 → 平江县)."""
        from parse.bodies import body_key

        if _GOVERNMENT.search(self.name):
            return body_key(self.name) or self.name
        region = self.region or {}
        parts = [p for p in (region.get("city"), region.get("county")) if p]
        return "".join(parts)


def locate(name: str) -> tuple[dict, str | None]:
    from parse.region import locate as _locate

    region, level = _locate(name)
    return dict(region or {}), level


def _government_name(name: str) -> str:
    """A place listed bare as a body: its government (安定镇 → 安定镇人民政府, 汉昌街道 →
    汉昌街道办事处, 平江县 → 平江县人民政府)."""
    if name.endswith("街道"):
        return name + "办事处"
    if _TOWNSHIP_ONLY.search(name) or _PLACE_ONLY.search(name):
        return name + "人民政府"
    return name


def qualify(text: str, parent: Placed | None) -> Placed:
    """The body a list under ``parent`` names ``text``: its full name (the
    parent's place before a name that has none of its own: 县发展和改革局 →
    平江县发展和改革局; a district a prefecture lists gets the city:
    岳阳楼区 → 岳阳市岳阳楼区人民政府), its level and region."""
    name = text
    if parent is not None:
        region, _level = locate(name)
        named = [p for p in (region.get("province"), region.get("city"), region.get("county")) if p]
        own_place = bool(named) and any(p in name or p[:-1] in name[: len(p)] for p in named[-1:])
        if not own_place:
            bare = _LEVEL_CHAR.sub("", name) if len(name) > 3 else name
            name = parent.place + bare
        elif (_GOVERNMENT.sub("", name).endswith("区") and parent.level == "prefecture" and parent.place
              and not name.startswith(parent.place)):
            name = parent.place + name
    name = _government_name(name)
    region, level = locate(name)
    if not region and parent is not None:
        region = dict(parent.region)
    if level is None:
        level = "township" if re.search(r"(镇|乡|街道)(人民政府|办事处)$", name) else (
            "department" if not _GOVERNMENT.search(name) else None)
    return Placed(name=name, level=level, region=region)


_RANK = {"national": 0, "province": 1, "prefecture": 2, "county": 3, "township": 4}


def _rank(body: Placed) -> tuple[int, bool]:
    """(how far down the tiers a body stands, whether it governs a place)."""
    governs = body.level in _RANK and not body.name.endswith(("办公室", "办公厅"))
    if governs:
        return _RANK[body.level], True
    region = body.region or {}
    if region.get("township"):
        return 4, False
    if region.get("county"):
        return 3, False
    if region.get("city"):
        return 2, False
    return (1 if region.get("province") else 0), False


def is_below(child: Placed, parent: Placed) -> bool:
    """Whether ``child`` can be one of ``parent``'s bodies: a government of a
    lower tier, or a department of the parent's tier or below, in its region
    (a department's bodies: of a lower tier only)."""
    child_rank, governs = _rank(child)
    parent_rank, parent_governs = _rank(parent)
    if child_rank < parent_rank or (governs and child_rank == parent_rank):
        return False
    if not parent_governs and child_rank <= parent_rank:  # a department's sidebar lists its siblings
        return False
    for level in ("province", "city", "county"):
        mine, theirs = (child.region or {}).get(level), (parent.region or {}).get(level)
        if mine and theirs and mine != theirs:
            return False
    return True


# -- the walk's root: the body a page belongs to ----------------------------------------

_TITLE_SPLIT = re.compile(r"[_\-|—–·｜:：\s]+")


def page_body_name(title: str | None, site_name: str | None = None, heading: str | None = None) -> str | None:
    """The body a page is of, from its ``SiteName`` meta, its ``<title>``
    segments or a heading: the first that is a government's name
    (平江县人民政府), else the first that names a body (平江县教育局)."""
    candidates = []
    for value in (site_name, title, heading):
        if value:
            candidates += [clean(part) for part in _TITLE_SPLIT.split(value) if clean(part)]
    for part in candidates:
        if _GOVERNMENT.search(part) and body_link_name(part):
            return part
    for part in candidates:
        if body_link_name(part) and locate(part)[0]:
            return part
    return None


# -- one page's links ----------------------------------------------------------------------


def body_links(links, parent: Placed, skip=()) -> list[tuple[object, Placed]]:
    """The links of a page (``crawler.links.Link``) that name bodies under
    ``parent``, with each body placed: not ``skip`` (the page's chrome, links
    seen before), not navigation, not a higher or another place's body."""
    skip, out = set(skip), []
    for link in links:
        name = body_link_name(link.text)
        if not name or link.url in skip:
            continue
        placed = qualify(name, parent)
        if is_below(placed, parent):
            skip.add(link.url)
            out.append((link, placed))
    return out


def column_link(links, page_url: str):
    """A body's 年报 column among its page's links (its chrome left out by the
    caller): the first inside the page's own folder, else the first."""
    from crawler.titles import is_report_column_text

    folder = page_url.split("?", 1)[0].rsplit("/", 1)[0] + "/"
    columns = [link for link in links if is_report_column_text(link.text)]
    mine = [link for link in columns if link.url.startswith(folder)]
    return (mine or columns or [None])[0]


def list_pages(html: str, url: str, links, limit: int) -> list[str]:
    """The other pages of a list of bodies: a TRS pager script's (``createPageHTML``,
    ``countPage``) or static pager links (下一页, 2, 3 …), at most ``limit``."""
    from crawler.families import pager, trs

    drawn = trs.find_pager(html)
    if drawn is not None:
        return drawn.urls(url, limit=limit + 1)[:limit]
    return pager.pager_links(url, list(links))[:limit]


def select_links(response) -> list:
    """Bodies a page lists in a drop-down of links (``<select onchange="window.open(this.value)">``,
    the footer's 各县（市、区）网站, 市直部门 of many portals): the options of each
    ``<select>`` whose first option names a list of bodies, as links."""
    from urllib.parse import urljoin, urlsplit

    from crawler.links import Link

    out = []
    for select in response.xpath("//select"):
        options = select.xpath("./option")
        if not options or not is_body_list_text(" ".join(options[0].xpath(".//text()").getall())):
            continue
        for option in options[1:]:
            value = (option.attrib.get("value") or "").strip()
            url = urljoin(response.url, value) if value else ""
            text = clean(" ".join(option.xpath(".//text()").getall()))
            if text and urlsplit(url).scheme in ("http", "https"):
                out.append(Link(url=url.split("#", 1)[0], text=text))
    return out
