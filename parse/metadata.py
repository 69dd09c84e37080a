"""Title, reporting agency, report year and publication date of a report.

Each is taken from the page metadata when the page states it (``ArticleTitle``,
发布机构, 发文日期, …) and otherwise read from the report text: the title lines at
the top, the 落款 (signature and date at the end), the date in brackets under
the title, the 统计时限 sentence.

``find_title``, ``find_agency``, ``find_year`` and ``find_published`` return plain
values; ``analyse_agency`` and ``analyse_year`` also return the warnings the
decision produced (an agency named differently by page and title, a body that
names another year than the title).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .dates import YEAR_RE, date_only, fold_digits, is_bracketed, parse_date, year_value
from .document import PageMeta
from .model import ParseWarning
from .textutil import PAGE_FURNITURE, han_count, nonempty_lines, squash_cjk_spaces

# ----------------------------------------------------------------------------------
# Title

# Separators between a page title and the site name: _ | ｜ and dashes between
# words (not the hyphen of 2019-2020).
_TITLE_SPLIT = re.compile(r"\s*[_|｜]\s*|\s+[-－—–]+\s+|(?<=[\u4e00-\u9fff])\s*[-－—–]+\s*(?=[\u4e00-\u9fff])|--+")
_SENTENCE_PUNCT = re.compile(r"[。，；！？,;!?]")
_REPORT_END = re.compile(r"(?:报告|年报)(?:[（(][^）)]{0,20}[）)])?$")
_MARKER_LINE = re.compile(r"^\[(?:image|table):[^\]]*\]$")
# Words standing alone above a title in page exports (``正文``): not part of it.
_ABOVE_TITLE = {"正文", "全文", "文字版", "目录", "附件"}
TITLE_FIELDS = ("标题", "文件名称", "名称")


def _is_report_title(text: str | None) -> bool:
    return bool(text) and ("报告" in text or "年报" in text)


def clean_page_title(title: str | None) -> str | None:
    """``<title>`` without the site name (``…年度报告_威海市文登区人民政府``)."""
    if not title:
        return None
    parts = [p for p in _TITLE_SPLIT.split(title) if p and p.strip()]
    for part in parts:
        if _is_report_title(part):
            return squash_cjk_spaces(part)
    return squash_cjk_spaces(parts[0]) if parts else None


def title_from_text(text: str, max_start: int = 8, max_lines: int = 4) -> str | None:
    """The title at the top of a report text, possibly broken over several lines
    (``威海市文登区泽库镇2018年度`` / ``政府信息公开工作年度报告``)."""
    lines = [ln for ln in nonempty_lines(text)[: max_start + max_lines + 4]
             if not _MARKER_LINE.match(ln) and not PAGE_FURNITURE.match(ln) and ln.strip() not in _ABOVE_TITLE]
    for start in range(min(max_start, len(lines))):
        joined = ""
        for line in lines[start : start + max_lines]:
            if len(line) > 50 or _SENTENCE_PUNCT.search(line) or date_only(line):
                break
            joined = squash_cjk_spaces(joined + " " + line)
            if _REPORT_END.search(joined) and han_count(joined) >= 6:
                return joined
    return None


def find_title(text: str, page: PageMeta | None = None) -> str | None:
    """The report's title: the page's ``ArticleTitle``, its 标题 field, its ``<h1>``,
    the title lines at the top of the text, its ``<title>`` -- the first of these
    that reads as a report title, else the first that exists."""
    candidates: list[str | None] = []
    if page is not None:
        candidates.append(page.meta_value("ArticleTitle"))
        candidates.extend(page.fields.get(f) for f in TITLE_FIELDS)
        candidates.append(page.h1)
    candidates.append(title_from_text(text))
    if page is not None:
        candidates.append(clean_page_title(page.title))
    present = [squash_cjk_spaces(c) for c in candidates if c and c.strip()]
    for c in present:
        if _is_report_title(c):
            return c
    return present[0] if present else None


# ----------------------------------------------------------------------------------
# Signature (落款): the body's name and the date at the end of the report

@dataclass
class Signature:
    name: str | None
    date: str | None  # ISO
    line: str


_ORG_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{3,40}$")
_ORG_DATE_LINE = re.compile(r"^([\u4e00-\u9fff（）()]{3,40})\s+(.+)$")


def _org_like_line(line: str) -> bool:
    return bool(_ORG_LINE.match(line)) and not _SENTENCE_PUNCT.search(line)


def find_signature(text: str) -> Signature | None:
    """The 落款 in the second half of the text: a line holding only a date,
    usually preceded by a line naming the body (``河洛镇人民政府`` /
    ``2018年1月27日``), or both on one line. The last one wins."""
    # Flattened table cells (tab-indented) and image/table markers do not count:
    # a long 附表 after the 落款 must not push it into the "first half".
    lines = [
        ln.strip()
        for ln in text.splitlines()
        if ln.strip() and not ln.startswith("\t") and not _MARKER_LINE.match(ln.strip())
    ]
    start = len(lines) // 2
    for i in range(len(lines) - 1, start - 1, -1):
        line = lines[i]
        iso = date_only(line)
        if iso and not is_bracketed(line):
            prev = lines[i - 1] if i > 0 else ""
            name = squash_cjk_spaces(prev) if _org_like_line(prev) else None
            return Signature(name=name, date=iso, line=line)
        m = _ORG_DATE_LINE.match(line)
        if m and _org_like_line(m.group(1)):
            iso = date_only(m.group(2))
            if iso:
                return Signature(name=m.group(1), date=iso, line=line)
    return None


# ----------------------------------------------------------------------------------
# Agency

ORG_SUFFIXES = (
    "人民政府", "政府", "办事处", "委员会", "管委会", "局", "厅", "办公室", "办", "中心", "院", "署",
    "部", "委", "所", "站", "队", "会", "处", "室", "公司", "馆", "社", "台", "集团", "监狱", "学校", "医院",
)
# A body that is a place name: its government is the reporting body.
PLACE_SUFFIXES = ("镇", "乡", "街道", "区", "县", "市", "省", "旗", "苏木", "州", "盟", "地区", "自治区")
_ADMIN_CHARS = "省市区县旗州盟"
# Government names following a place name in the text; 政府 must not be the
# start of 政府信息公开 (古镛镇政府信息公开工作 is not 古镛镇政府).
_GOV_SUFFIX_RE = r"(人民政府|街道办事处|办事处|政府(?!信息|网|门户|公报|办公|工作))"
EXPLICIT_AGENCY_FIELDS = ("发布机构", "发文机关", "发文机构", "发布单位", "发文单位", "所属机构", "公开责任部门", "责任部门")
WEAK_AGENCY_FIELDS = ("信息来源", "来源")
_NOT_AGENCIES = {"本网", "本站", "原创", "网站", "新华社", "转载", "其他", "无", "未知", "中国政府网"}
_TITLE_LEADS = ("关于公布", "关于印发", "关于", "公布", "印发")
_SUBJECT_END = re.compile(r"(?:政府信息公开|政务公开|信息公开|年度报告|工作年度报告)")


def org_like(value: str | None) -> bool:
    """Plausible as the name of a body (not 本网, not a URL, mostly Chinese)."""
    if not value:
        return False
    value = value.strip()
    if value in _NOT_AGENCIES or "http" in value or "www." in value:
        return False
    return 2 <= len(value) <= 40 and han_count(value) >= 2 and han_count(value) >= 0.7 * len(value)


def title_subject(title: str | None) -> str | None:
    """The body named by a report title: the part before the year
    (``威海市文登区泽库镇``2018年度…), or after it when the title starts with the
    year (2018年度``威海市财政局``政府信息公开…), or before 政府信息公开 when the
    title has no year."""
    if not title:
        return None
    t = squash_cjk_spaces(fold_digits(title))
    for lead in _TITLE_LEADS:
        if t.startswith(lead):
            t = t[len(lead):]
            break
    m = YEAR_RE.search(t)
    if m and m.start() > 0:
        subject = t[: m.start()]
    elif m:
        rest = t[m.end():].lstrip("度")
        end = _SUBJECT_END.search(rest)
        subject = rest[: end.start()] if end else ""
    else:
        end = _SUBJECT_END.search(t)
        subject = t[: end.start()] if end else ""
    subject = subject.strip(" ：:，,、")
    for lead in _TITLE_LEADS:
        if subject.startswith(lead):
            subject = subject[len(lead):]
    return subject if org_like(subject) else None


def core_name(name: str) -> str:
    """The last administrative component of a name: 威海市文登区``泽库镇``,
    莱阳市``河洛镇``, 威海市``财政局`` (at least three characters)."""
    best = 0
    for i, ch in enumerate(name[:-1]):
        if ch in _ADMIN_CHARS and len(name) - (i + 1) >= 3:
            best = i + 1
    return name[best:]


def strip_government(name: str) -> str:
    """A government's name without 人民政府/政府/办事处 (街道办事处 → 街道)."""
    for suffix in ("人民政府", "办事处", "政府"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def same_body(a: str, b: str) -> bool:
    """Whether two names denote the same body, one being a fuller form of the other
    (泽库镇人民政府 / 威海市文登区泽库镇人民政府; 辽宁路街道 / 青岛市市北区辽宁路街道办事处)."""
    # 青岛市市北区人民政府辽宁路街道办事处 is the formal name of 青岛市市北区辽宁路街道办事处.
    sa, sb = (strip_government(n).replace("人民政府", "") for n in (a, b))
    short, long_ = sorted((sa, sb), key=len)
    if not short or not long_.endswith(short):
        return False
    rest = long_[: len(long_) - len(short)]
    return not rest or rest[-1] in _ADMIN_CHARS or short[0] in _ADMIN_CHARS + "镇乡"


def _ends_with_org(name: str) -> bool:
    return name.endswith(ORG_SUFFIXES)


def fullest_name(base: str, text: str, signature: str | None = None) -> str:
    """``base`` (a place or body from the title) completed as the text names it.

    * the 落款 names a body of that place: 莱阳市河洛镇 + 河洛镇人民政府 →
      莱阳市河洛镇人民政府; 某某县 + 某某县民政局 → 某某县民政局;
    * the text names the place's government: 威海市文登区泽库镇 and the contact
      sentence's 威海市文登区泽库镇人民政府 → 威海市文登区泽库镇人民政府.

    Nothing is invented: without such a mention the base is returned as is."""
    if _ends_with_org(base):
        return base
    core = core_name(base)
    if signature and _ends_with_org(signature):
        for stem in (base, core):
            if signature.startswith(stem) and len(signature) > len(stem):
                return base + signature[len(stem):]
        if base in signature:
            return signature
    if not base.endswith(PLACE_SUFFIXES):
        return base
    found = re.findall(re.escape(core) + _GOV_SUFFIX_RE, text)
    for suffix in ("人民政府", "街道办事处", "办事处", "政府"):
        if suffix in found:
            if suffix == "街道办事处" and base.endswith("街道"):
                return base + "办事处"
            return base + suffix
    return base


@dataclass
class AgencyResult:
    agency: str | None
    source: str | None  # 'page' | 'title' | 'signature' | 'page-weak'
    warnings: list[ParseWarning] = field(default_factory=list)


def _page_agency(page: PageMeta | None, fields: tuple[str, ...], meta: tuple[str, ...] = ()) -> str | None:
    if page is None:
        return None
    for name in fields:
        value = page.fields.get(name)
        if org_like(value):
            return squash_cjk_spaces(value)
    for name in meta:
        value = page.meta_value(name)
        if org_like(value):
            return squash_cjk_spaces(value)
    return None


def analyse_agency(text: str, title: str | None = None, page: PageMeta | None = None) -> AgencyResult:
    """Decide the reporting body.

    1. An explicit 发布机构 (or 发文机关, …) of the page metadata wins; when the
       title names another body an ``agency_conflict`` warning records it.
    2. Else the body the title names (its prefix before the year), completed
       with the government suffix the text uses for it (:func:`fullest_name`).
    3. ``ContentSource`` / 来源 are weak: portals fill them with the uploading
       office or the site itself. They are used when nothing else names the
       body, or to complete a shorter name of the same body.
    4. Else the 落款.
    5. Else the body whose office the report names as its contact
       (``请与淮安市人民政府办公室联系`` → 淮安市人民政府).
    Among names of the same body the fullest wins.
    """
    warnings: list[ParseWarning] = []
    explicit = _page_agency(page, EXPLICIT_AGENCY_FIELDS)
    weak = _page_agency(page, WEAK_AGENCY_FIELDS, ("ContentSource",))
    sig = find_signature(text)
    sig_name = sig.name if sig and org_like(sig.name) else None
    subject = title_subject(title)
    from_text = fullest_name(subject, text, sig_name) if subject else None

    def fuller(name: str, *others: str | None) -> str:
        for other in others:
            if other and same_body(name, other) and len(other) > len(name):
                name = other
        return name

    if explicit:
        if from_text and not same_body(explicit, from_text):
            warnings.append(
                ParseWarning(
                    "agency_conflict",
                    f"the page's 发布机构 is {explicit}, the title names {from_text}",
                    {"page": explicit, "title": from_text},
                )
            )
        return AgencyResult(fuller(explicit, from_text), "page", warnings)
    if from_text:
        return AgencyResult(fuller(from_text, weak), "title", warnings)
    if weak:
        return AgencyResult(fuller(weak, sig_name), "page-weak", warnings)
    if sig_name:
        return AgencyResult(sig_name, "signature", warnings)
    inferred = contact_body(text) or overview_subject(text)
    if inferred:
        warnings.append(ParseWarning(
            "agency_inferred", f"no title, page field or signature names the body; {inferred} is inferred from the text",
            {"agency": inferred}))
        return AgencyResult(inferred, "text", warnings)
    return AgencyResult(None, None, warnings)


# 如对本报告有疑问，请与平潭综合实验区政府信息公开工作领导小组办公室联系: the body's
# office, named in the template's standard sentence; the body is what precedes the office.
_CONTACT_RE = re.compile(r"请与\s*([\u4e00-\u9fff（）()]{4,40}?)\s*联系")
_OFFICE_TAIL = re.compile(
    r"(?:政府信息公开(?:工作)?领导小组办公室|政府信息公开(?:工作)?办公室|信息公开(?:工作)?办公室|政务公开(?:工作)?办公室"
    r"|政务公开科|办公室|党政办公室|党政办|综合科|秘书科)$")


def contact_body(text: str) -> str | None:
    """The body whose office the report gives as its contact (``请与X办公室联系``),
    when nothing else names the reporting body: the name before the office."""
    m = _CONTACT_RE.search(text or "")
    if not m:
        return None
    name = m.group(1)
    if "办公室" in name:  # 管委会办公室保密与电子政务处 → 管委会
        name = name[: name.index("办公室")]
    else:
        name = _OFFICE_TAIL.sub("", name)
    name = _BODY_OFFICE_TAIL.sub("", name)
    return name if name != m.group(1) and han_count(name) >= 3 else None


_BODY_OFFICE_TAIL = re.compile(r"(?:政府信息公开|信息公开|政务公开)(?:工作)?(?:领导小组)?$|党政$")
# 一、总体情况 2024年，平潭综合实验区坚持以…: the body as the subject of the overview's first sentence
_OVERVIEW_RE = re.compile(
    r"总体情况\s*(?:19|20)\d\d\s*年(?:度|以来)?\s*[，,]\s*(?:我|全)?([\u4e00-\u9fff]{3,20}?(?:区|县|市|镇|乡|街道|局|委员会|委|政府|办公厅|管委会|中心))"
    r"(?:坚持|深入|认真|全面|紧紧|紧扣|围绕|以|按照|在|严格|进一步|持续|聚焦|始终)")


def overview_subject(text: str) -> str | None:
    """The body a report's 总体情况 opens with (``2024年，平潭综合实验区坚持以…``)."""
    m = _OVERVIEW_RE.search(text or "")
    return m.group(1) if m else None


def find_agency(text: str, title: str | None = None, page: PageMeta | None = None) -> str | None:
    """The reporting body (see :func:`analyse_agency`)."""
    return analyse_agency(text, title, page).agency


# ----------------------------------------------------------------------------------
# Year

_Y = rf"((?:19|20)\d\d|[{'〇○零ＯOΟ一二三四五六七八九'}]{{4}})"
# 统计时限 / any full-year period: 自2018年1月1日起至2018年12月31日止
_PERIOD_RE = re.compile(
    rf"{_Y}\s*年\s*(?:1|01|一)\s*月\s*(?:1|01|一)\s*日\s*(?:起)?\s*(?:至|到|—|－|-|~|～)+\s*{_Y}\s*年\s*(?:12|十二)\s*月\s*(?:31|三十一)\s*日"
)
# The body naming its own report: 编制了蛟河市漂河镇2017年政府信息公开工作年度报告
_MENTION_RE = re.compile(
    rf"{_Y}\s*年\s*度?\s*[\u4e00-\u9fff]{{0,20}}?(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
)
_ANY_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


@dataclass
class YearResult:
    year: int | None
    source: str | None  # 'title' | 'period' | 'mentions' | 'frequency'
    warnings: list[ParseWarning] = field(default_factory=list)


def _snippet(text: str, start: int, end: int, pad: int = 20) -> str:
    return squash_cjk_spaces(text[max(0, start - pad) : end + pad])


def title_year(title: str | None) -> int | None:
    """The first year in a title (``2018年度``, ``2018 年``, ``二〇一八年``)."""
    if not title:
        return None
    m = YEAR_RE.search(fold_digits(title))
    return year_value(m.group(1)) if m else None


def analyse_year(text: str, title: str | None = None) -> YearResult:
    """The year the report covers.

    The title's year wins; else the 统计时限 period; else the year under which the
    body names its own report; else the most frequent year (``year_inferred``).
    Every period or self-mention naming another year gives a ``year_conflict``
    warning (seed 001: a 2018 report whose intro says it compiled the 2017 report).
    """
    folded = fold_digits(text)
    evidence: list[tuple[int, str, str]] = []  # (year, kind, snippet)
    for m in _PERIOD_RE.finditer(folded):
        y1, y2 = year_value(m.group(1)), year_value(m.group(2))
        if y1 and y1 == y2:
            evidence.append((y1, "period", _snippet(folded, m.start(), m.end(), 8)))
    for m in _MENTION_RE.finditer(folded):
        y = year_value(m.group(1))
        if y:
            evidence.append((y, "mention", _snippet(folded, m.start(), m.end(), 8)))

    warnings: list[ParseWarning] = []
    year, source = title_year(title), "title"
    if year is None:
        periods = Counter(y for y, kind, _ in evidence if kind == "period")
        mentions = Counter(y for y, kind, _ in evidence if kind == "mention")
        if periods:
            year, source = periods.most_common(1)[0][0], "period"
        elif mentions:
            year, source = mentions.most_common(1)[0][0], "mentions"
        else:
            counts = Counter(int(y) for y in _ANY_YEAR_RE.findall(folded))
            if counts:
                year, source = counts.most_common(1)[0][0], "frequency"
        if year is not None and source in ("mentions", "frequency"):
            warnings.append(
                ParseWarning("year_inferred", f"report year {year} inferred from {source} in the text", {"year": year, "source": source})
            )
    if year is None:
        warnings.append(ParseWarning("year_missing", "no report year found in the title or the text"))
        return YearResult(None, None, warnings)

    others = [(y, kind, snip) for y, kind, snip in evidence if y != year]
    if others:
        years = sorted({y for y, _, _ in others})
        warnings.append(
            ParseWarning(
                "year_conflict",
                f"report year {year} (from the {source}), but the text also names "
                + ", ".join(str(y) for y in years)
                + " as the report year",
                {
                    "year": year,
                    "source": source,
                    "agreeing": sum(1 for y, _, _ in evidence if y == year),
                    "conflicting": [{"year": y, "kind": kind, "evidence": snip} for y, kind, snip in others],
                },
            )
        )
    return YearResult(year, source, warnings)


def find_year(text: str, title: str | None = None) -> int | None:
    """The year the report covers (see :func:`analyse_year`)."""
    return analyse_year(text, title).year


# ----------------------------------------------------------------------------------
# Publication date

PUBLISHED_FIELDS = ("发文日期", "发布日期")
PUBLISHED_META = ("PubDate", "PublishDate", "firstpublishedtime", "article:published_time")
LATE_PUBLISHED_FIELDS = ("发布时间", "公开日期", "成文日期", "印发日期", "生成日期")


def find_published(text: str, page: PageMeta | None = None) -> str | None:
    """Publication date as ISO ``YYYY-MM-DD`` (see :func:`find_published_from`)."""
    return find_published_from(text, page)[0]


# Where a publication date was read (ParsedReport.published_from).
PUBLISHED_FROM = ("page", "signature", "under_title")


def find_published_from(text: str, page: PageMeta | None = None) -> tuple[str | None, str | None]:
    """Publication date as ISO ``YYYY-MM-DD`` and where it was read: the page's
    发文日期 / 发布日期 / ``PubDate`` (then 发布时间, 公开日期, 成文日期): ``page``;
    else the 落款 date: ``signature``; else a bracketed date under the title
    (``（2019年1月11日）``): ``under_title``. ``(None, None)`` if none."""
    if page is not None:
        for value in (
            [page.fields.get(f) for f in PUBLISHED_FIELDS]
            + [page.meta_value(m) for m in PUBLISHED_META]
            + [page.fields.get(f) for f in LATE_PUBLISHED_FIELDS]
        ):
            iso = parse_date(value)
            if iso:
                return iso, "page"
    sig = find_signature(text)
    if sig and sig.date:
        return sig.date, "signature"
    for line in nonempty_lines(text)[:8]:
        if is_bracketed(line):
            iso = date_only(line)
            if iso:
                return iso, "under_title"
    return None, None
