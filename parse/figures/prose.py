"""Figures stated in sentences, in every era.

Entry point: :func:`extract_text_figures`. The text is cut into sentences (at
``。！？；`` and line breaks); each sentence is matched against patterns keyed off
the vocabulary's labels and the wordings seen in real reports (``PATTERNS``), and
against a few statements that say a figure is zero (``没有收到政府信息公开申请``,
``未发生因政府信息公开申请提起的行政复议和行政诉讼``, ``没有…收取任何费用``).

Precision over recall: a pattern is a label, at most a short filler (``为``,
``共``, ``：``), a number and a unit that fits the key, in that order, with no
gap in which the sentence could change subject. A number is used for one figure
at most (channel patterns run before the total, so ``通过政务网站主动公开信息72条``
is the website channel, not the proactive total). Numbers that are about
something else never match, because no pattern reaches them: shares
(``占…总数的比例为86%``), postcodes and telephone numbers, dates, document
numbers (``〔2017〕51号``), people at an open day (``50余人次参加``), the other
items of a breakdown by content category (``公告公示2条``, ``政策文件48件``).

One item of such a breakdown is read: ``政策解读N篇/条`` (``从内容分类看，…政策解读5条``,
``其中政策文件48件、政策解读36篇``). The breakdown lists the items published by
kind, so its 政策解读 item is the number of interpretations published --
``response.interpretations`` (政策解读稿件发布数), as the vocabulary's label 政策解读
says -- just as ``通过…“政策解读”专栏发布政策解读文件4篇`` is.

A website statement ``通过区政府门户网站主动公开政府信息N条`` is the website channel,
not the proactive total, even when no other total is stated: the report counts
what the portal published, and its other channels (微信公众号, 微博) come on top.

Approximate statements (``100余``, ``约30``) keep their number and are marked
``approximate=True``; ones that map to no vocabulary key are skipped. Evidence is
the sentence, whitespace collapsed. When two sentences give one key different
values, the first is kept and a ``prose_conflict`` warning names both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from parse.model import Metric, ParseWarning
from parse.vocabulary import known_keys, load_vocabulary

from .numbers import NUMERAL_RE, read_quantity

__all__ = ["extract_text_figures", "sentences", "PATTERNS"]

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d\u2018\u2019"
_SPACE_NEAR_CJK = re.compile(f"\\s+(?=[{_CJK}])|(?<=[{_CJK}])\\s+")
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])|\n")
_WS = re.compile(r"\s+")
_CLAUSE_END = re.compile(r"[,，;；]")
_DIGIT = re.compile(r"\d")

# A number with its approximation marks; the unit follows in each pattern.
_Q = rf"(?P<q>(?:大约|将近|超过|约|近|逾)?{NUMERAL_RE}(?:余|多)?)"
# Short filler between a label and its number.
_F = r"(?:共计|共有|合计|总计|共|计|达到|达|为|是|系|有|了|:)*"
# What may follow a unit-less number (after a colon): the end of a clause.
_END = r"(?=$|[,，。;；、)）])"
# A gap inside a channel phrase (通过 X 网站): no digits, no clause break, no
# second channel.
_GAP_WEB = r"(?:(?!微博|微信|公众号|和|及|与)[^,，。;；、\d]){0,20}?"
_GAP_SOCIAL = r"(?:(?!网站|和|及|与)[^,，。;；、\d]){0,15}?"

_COUNT_UNITS = r"条|件|项|篇|个"
# A qualifier between a publishing verb and its object: 发布各类信息1,046条.
_KIND = r"(?:各类|各项|相关|各种)?"
# What may stand between 主动公开 and 政府信息 (我区各级单位 / 当年生成的各类): no digits, no category.
_GAP_OWNER = r"(?:(?!类|其中|其他|规范性|解读)[^,，。;；、\d]){0,8}?"


@dataclass(frozen=True)
class Pattern:
    key: str
    regex: re.Pattern
    zero: bool = False  # a statement that the figure is 0 (no number group)
    money: bool = False
    needs: str | None = None  # a word the sentence must contain
    rejects: str | None = None  # words the matched text must not contain
    avoids: str | None = None  # words the sentence must not contain (another subject)


def _p(key: str, regex: str, **kw) -> Pattern:
    regex = regex.replace("{F}", _F).replace("{Q}", _Q).replace("{END}", _END)
    regex = regex.replace("{GW}", _GAP_WEB).replace("{GS}", _GAP_SOCIAL).replace("{KIND}", _KIND)
    regex = regex.replace("{GO}", _GAP_OWNER)
    return Pattern(key, re.compile(regex), **kw)


def _u(units: str, optional: bool = False) -> str:
    """The unit group (plus 左右/以上, which also make a figure approximate)."""
    group = f"(?P<u>{units})" + ("?" if optional else "")
    return group + r"(?P<t>左右|以上)?"


# Order matters: a number is used once, by the first pattern that takes it.
PATTERNS: tuple[Pattern, ...] = (
    # ---- proactive disclosure: channels first, then cumulative, then the total
    _p("proactive.channel.weibo", r"(?<![和及与、])(?:官方微博|政务微博|微博)(?:账号)?{GS}(?:发布|公开|推送)了?{KIND}(?:政府)?(?:信息|消息|微博)?{F}{Q}" + _u("条|篇"), needs="微博"),
    _p("proactive.channel.wechat", r"(?<![和及与、])(?:官方微信|政务微信|微信公众号|微信公众平台|微信)(?:账号)?{GS}(?:发布|公开|推送)了?{KIND}(?:政府)?(?:信息|消息)?{F}{Q}" + _u("条|篇|期"), needs="微信"),
    _p("proactive.channel.weibo", r"政务微博公开政府信息数{F}{Q}" + _u("条", True) + "{END}"),
    # 其中微博29个，共发布信息1992条 (accounts, then what they published)
    _p("proactive.channel.weibo", r"(?<![和及与、])(?:政务)?微博(?:账号)?\d+个[,，]共?(?:发布|推送)(?:各类)?(?:信息|消息){Q}" + _u("条|篇"), needs="微博"),
    _p("proactive.channel.wechat", r"(?<![和及与、])(?:政务微信|微信公众号|微信)(?:账号)?\d+个[,，]共?(?:发布|推送)(?:各类)?(?:信息|消息){Q}" + _u("条|篇"), needs="微信"),
    _p("proactive.channel.wechat", r"政务微信公开政府信息数{F}{Q}" + _u("条", True) + "{END}"),
    # 通过政务网站主动公开信息72条 / 在政府门户网站发布2033条 / 通过政府门户网站公开2020条
    _p("proactive.channel.website", r"(?:通过|在|利用|依托){GW}(?:网站|门户网|政务网|政府网|信息网|公开网)(?:平台)?(?:上)?(?:当年|全年|本年度?)?(?:主动)?(?:发布|公开)了?(?:的{GO}(?:政府)?(?:信息|消息)|{KIND}(?:{GO}(?:政府)?(?:信息|消息))?){F}{Q}" + _u("条|篇|项|件")),
    _p("proactive.channel.website", r"政府网站公开(?:政府信息)?数{F}{Q}" + _u("条|件", True) + "{END}"),
    # the website as the subject: 政府网站公开政府信息2097条，政务微博公开政府信息75条
    _p("proactive.channel.website", r"(?<![和及与、])(?:政府|门户|政务)网站(?:平台)?(?:上)?(?:主动)?(?:公开|发布)了?{KIND}(?:政府)?(?:信息|消息){F}{Q}" + _u("条|篇|项|件")),
    _p("proactive.channel.gazette", r"政府公报公开(?:政府信息)?数{F}{Q}" + _u("条|件", True) + "{END}"),
    _p("proactive.cumulative", r"(?:历年累计|累计(?:已)?(?:主动)?公开)(?:政府)?(?:信息)?{F}{Q}" + _u("条|件")),
    _p("proactive.normative_documents", r"(?<![、和及与策])规范性文件类(?:信息)?{F}{Q}" + _u("条|件")),
    # (政策、规范性文件类信息21条 is a combined category, policies and normative documents: no key)
    _p("proactive.normative_documents", r"(?<![、和及与策])规范性文件信息{F}{Q}" + _u("条|件"), needs="规范性文件"),
    _p("proactive.normative_documents", r"主动公开(?:行政)?规范性文件(?:数)?{F}{Q}" + _u("条|件|个")),
    # not an item of a breakdown: 其他应主动公开政府信息1053条 / 其他应主动公开的信息1796条
    _p("proactive.total", r"(?<!应)主动公开(?:政府)?(?:信息|文件)(?:总数|总量|数量|数)?{F}{Q}" + _u("条|件|项")),
    # 共主动公开当年生成的各类政府信息47条 / 全年主动公开我区各级单位政府信息2645条
    _p("proactive.total", r"(?<!应)(?:共|全年|本年度?)主动公开{GO}(?:政府)?信息{F}{Q}" + _u("条|件"), needs="主动公开"),
    # 全年公开政府信息共228条 / 全年共审核发布各类公开政府信息249条
    _p("proactive.total", r"全年(?:共)?(?:审核)?(?:公开|发布)(?:各类)?(?:公开)?政府信息{F}{Q}" + _u("条|件"), needs="全年"),
    # 全年我区政府信息公开单位共公布政府信息2602条
    _p("proactive.total", r"共(?:主动)?(?:公开|公布)(?:了)?(?:政府)?信息{Q}" + _u("条|件")),
    _p("proactive.total", r"公开(?:政府)?信息总数{F}{Q}" + _u("条|件")),
    _p("proactive.total", r"主动公开(?:政府信息|文件)数{F}{Q}" + _u("条|件", True) + "{END}"),
    # ---- responses
    _p("response.interpretations", r"发布(?:政策)?解读(?:文件|稿件|材料|文章|信息)?{F}{Q}" + _u("篇|条|件|期|次")),
    _p("response.interpretations", r"政策解读(?:稿件)?(?:发布)?(?:数量|数){F}{Q}" + _u("篇|条|件", True) + "{END}"),
    _p("response.interpretations", r"政策解读(?:稿件)?(?:发布)?(?:数量|数):?(?:无|没有)" + "{END}", zero=True),
    # 解读信息发布7条 / 解读类信息发布21条 / 发布解读类信息21条 / 制作政策解读21个
    _p("response.interpretations", r"(?:政策)?解读(?:类)?信息(?:发布)?{F}{Q}" + _u("篇|条|件|个"), needs="解读"),
    _p("response.interpretations", r"(?:发布|制作)(?:政策)?解读类?信息{F}{Q}" + _u("篇|条|件|个"), needs="解读"),
    _p("response.interpretations", r"制作(?:政策)?解读(?:材料|文章|产品)?{F}{Q}" + _u("篇|条|件|个"), needs="解读"),
    # an item of a breakdown of published items by content (其中政策文件48件、政策解读36篇;
    # 从内容分类看，…，政策解读5条): the interpretation items published -- but not
    # the items a gazette printed (编发公报24期，刊登…规范性文件45件，政策解读83件)
    _p("response.interpretations", r"(?:^|[,，、:：;；]|其中)政策解读(?:类)?(?:信息|稿件|文章|材料)?{Q}" + _u("篇|条|件"),
       avoids="公报"),
    _p("response.press_conferences", r"(?:召开|举办)(?:新闻)?发布会{F}{Q}" + _u("次|场|期")),
    _p("response.press_conferences", r"新闻发布会(?:次数|数)?{F}{Q}" + _u("次|场")),
    # 全年共召开6场新闻发布会
    _p("response.press_conferences", r"(?:召开|举办)了?{Q}" + _u("场|次") + r"(?:新闻)?发布会", needs="发布会"),
    _p("response.public_concerns", r"回应(?:公众关注)?热点(?:信息|问题)?(?:或重大舆情)?(?:数)?{F}{Q}" + _u("起|次|件|条|个")),
    _p("response.public_concerns", r"(?:处置|回应)(?:网络)?舆情{F}{Q}" + _u("起|次|件|条"), needs="舆情"),
    # ---- requests
    _p("requests.new.total", r"(?:接到|收到|受理|接收)了?(?:各类)?(?:政府信息公开|信息公开|依申请公开(?:政府信息)?|公开)?申请(?:共计|共|总数|数量|数)?{F}{Q}" + _u("条|件|个|份|起|次|宗")),
    _p("requests.new.total", r"(?:受理|收到)申请的?(?:数量|数|总数){F}{Q}" + _u("条|件|个|份", True) + "{END}"),
    _p("requests.new.total", r"(?:本年(?:度)?|全年|年内)?新收(?:政府信息公开)?申请(?:数量|数)?{F}{Q}" + _u("条|件|个|份"), needs="新收"),
    # 上年结转政府信息公开申请2件 / 全年新收…54件，上年结转4件
    _p("requests.carried_over.total", r"上年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?(?:数量|数)?{F}{Q}" + _u("条|件|个|份")),
    _p("requests.carried_forward.total", r"结转下年度?(?:继续办理)?(?:的)?(?:申请)?{F}{Q}" + _u("条|件|个|份")),
    # 转下一年度办理答复的有1件
    _p("requests.carried_forward.total", r"转下一?年度?(?:继续)?办理(?:答复)?的?{F}{Q}" + _u("条|件|个|份"), needs="转下"),
    _p("requests.new.total", r"(?:没有|未|尚未|无)(?:收到|接到|受理|接收)[^,，。;；]{0,40}申请", zero=True,
       rejects="复议|诉讼|投诉|举报|收费|费用|减免"),
    _p("requests.new.total", r"(?:没有|未)出现[^,，。;；]{0,40}申请公开", zero=True, rejects="复议|诉讼|投诉|举报"),
    _p("requests.new.total", r"无(?:受理)?(?:政府信息公开|依申请公开)(?:申请|事项)", zero=True),
    # 办结57件 (not 按时办结 / 延期办结, which have keys of their own)
    _p("requests.completed", r"(?<!按时)(?<!按期)(?<!延期)(?<!逾期)(?<![未不])办结(?:了)?(?:政府信息公开申请|申请)?{F}{Q}" + _u("件|条|个"), needs="办结"),
    _p("outcome.total.total", r"(?:已答复件数|申请答复数|对申请的答复总数){F}{Q}" + _u("条|件", True) + "{END}"),
    _p("outcome.withheld.total", r"[“\"]?不予公开[”\"]?的?(?:政府信息|答复数)?:{Q}" + _u("条|件", True) + "{END}"),
    _p("outcome.withheld.total", r"无不予公开(?:政府信息|的)?(?:情况|情形)", zero=True),
    # 不予处理158件，占19.6%；其他处理0件 (the 2019 template's row (六))
    _p("outcome.other.total", r"(?<![、和及与])其他处理{F}{Q}" + _u("件|条"), needs="其他处理"),
    # ---- review, litigation, complaints (zero statements: see _review_zero)
    _p("review.total", r"(?<!未经)(?:被申请|提起|发生|收到)?行政复议(?:案件|申请)?(?:数量|数)?{F}{Q}" + _u("件|起|宗|次|个"), needs="行政复议"),
    # 行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件
    # (the review's own breakdown: nothing about 诉讼 between, which has results too)
    *(_p(key, r"行政复议(?:(?!诉讼)[^。;；])*?其中(?:(?!诉讼)[^。;；])*?" + word + "{F}{Q}" + _u("件|起|宗"), needs="其中")
      for key, word in (("review.upheld", "(?:结果)?维持(?:原?具体行政行为)?"), ("review.corrected", "(?:结果)?(?:被?依法)?纠正(?:错误)?"),
                        ("review.other", "其他结果"), ("review.pending", "尚未审结"))),
    _p("litigation.total", r"(?:被提起|提起|发生)?行政诉讼(?:案件)?(?:数量|数)?{F}{Q}" + _u("件|起|宗|次|个"), needs="行政诉讼"),
    _p("complaints.total", r"(?:举报投诉|行政申诉、?举报)(?:数|案件)?{F}{Q}" + _u("件|起")),
    # ---- fees
    _p("fees.collected", r"收取(?:了)?(?:政府信息公开)?(?:费用|检索费|复制费|信息处理费)?(?:共计|共)?{Q}" + _u("元|万元"), money=True),
    _p("fees.collected", r"收取的?费用{F}{Q}" + _u("元|万元"), money=True),
    _p("fees.collected", r"收费(?:金额|总额|总金额)?{F}{Q}" + _u("元|万元"), money=True),
    # 收取信息处理费0次，金额0元
    _p("fees.collected", r"收取(?:了)?(?:政府信息公开)?(?:信息处理费|费用)" + NUMERAL_RE + r"次[,，]?(?:收费)?(?:金额|总金额|总额)?{F}{Q}" + _u("元|万元"), money=True),
    # 没有收取任何费用 / 未收取政府信息公开信息处理费 / 未收取…检索、复制、邮寄等任何费用
    _p("fees.collected", r"(?:没有|未|无)[^,，。;；]{0,30}收取(?:任何)?[^,，。;；\d]{0,16}?(?:费用|费)", zero=True),
    _p("fees.collected", r"不收取(?:任何)?(?:费用|费)", zero=True),
    _p("fees.collected", r"(?:无|没有|未发生)(?:政府信息公开|依申请公开)?的?(?:收费|费用)", zero=True),
    # ---- organisation, staff, meetings, trainings
    _p("staff.full_time", r"专职(?:信息|信息公开|政务公开)?(?:工作)?人员(?:数)?{F}{Q}" + _u("名|人|个")),
    _p("staff.part_time", r"兼职(?:信息|信息公开|政务公开)?(?:工作)?人员(?:数)?{F}{Q}" + _u("名|人|个")),
    # 共有5名人员兼职从事政府信息公开工作
    _p("staff.part_time", r"{Q}" + _u("名|人") + r"(?:工作)?人员兼职", needs="兼职"),
    # 没有从事政府信息公开工作的全职人员
    _p("staff.full_time", r"(?<!部分)(?<!单位)(?:没有|无)从事(?:政府信息公开|信息公开|政务公开)工作的(?:全职|专职)(?:工作)?人员", zero=True),
    _p("staff.total", r"从事(?:政府信息公开|信息公开|政务公开)(?:工作)?的?人员(?:数)?{F}{Q}" + _u("名|人")),
    _p("org.units", r"(?:政府信息公开|信息公开|政务公开)(?:工作)?专门机构(?:数)?{F}{Q}" + _u("个|家")),
    _p("org.reading_points", r"查阅(?:点|场所|室)(?:数)?{F}{Q}" + _u("个|处")),
    _p("meetings.count", r"召开(?:政府信息公开|信息公开|政务公开)(?:工作)?(?:会议|专题会议?)(?:或专题会议?)?(?:数)?{F}{Q}" + _u("次|场|期")),
    _p("trainings.count", r"(?:举办|开展|组织)?(?:各类|业务)?培训(?:班|会)(?:数)?{F}{Q}" + _u("次|期|场|个"), needs="培训"),
    # 组织开展政务公开业务培训3次 / 组织政务公开业务培训3次 (not 参加…组织的培训3次)
    _p("trainings.count", r"(?:举办|开展|组织)了?[^,，。;；\d的]{0,12}?培训(?:班|会)?{F}{Q}" + _u("次|期|场")),
    _p("trainings.attendees", r"(?:参加|接受)培训的?人员(?:数)?{F}{Q}" + _u("人次|人|名")),
    # 培训人员90余人次 / 培训各单位工作人员160余人次
    _p("trainings.attendees", r"培训(?:(?!专职|兼职|配备)[^,，。;；\d]){0,8}?(?:人员|干部|职工)(?:数)?{F}{Q}" + _u("人次|人|名")),
    _p("trainings.attendees", r"参加人员(?:数)?{F}{Q}" + _u("人次|人|名"), needs="培训"),
    # 选送4人次参加上级培训
    _p("trainings.attendees", r"(?:选派|选送|派员)?{Q}" + _u("人次|人|名") + r"参加(?:上级|各类|业务)?(?:的)?培训", needs="培训"),
    _p("budget.special_funds", r"(?:政府信息公开|信息公开|政务公开)专项经费{F}{Q}" + _u("万元|元"), money=True),
)

# Zero statements for 行政复议 / 行政诉讼 / 申诉举报: a negation, then (in the same
# clause) the words. 未经 is not a negation (未经复议直接起诉).
_NEGATION = re.compile(r"未发生|没有发生|未出现|没有出现|未存在|不存在|没有|未有|无(?!论)|(?<!尚)未(?!经)")
_REVIEW = re.compile(r"行政复议")
_LITIGATION = re.compile(r"行政诉讼")
_COMPLAINTS = re.compile(r"申诉|举报")
_NOT_A_TOTAL = re.compile(r"纠错|纠正|败诉|撤销|结果|维持|审结")
_BOTH_ZERO = re.compile(r"行政复议(?:和|、|及|与|或)行政诉讼(?:案件)?(?:数量|数)?(?:均|都)?为?(?:0|零)(?:件|起)?" + _END)
# "…行政复议、行政诉讼的情况：无" -- the zero stated after the words.
_TRAILING_NONE = re.compile(r"(?:行政复议|行政诉讼|申诉|举报)[^:]*:(?:无|没有|0|零)(?:件|起)?[。.]?$")
_DATES = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月(?:\d{1,2}日)?|\d{1,2}日")


_WRAPPED = re.compile(r"(?<=[^。！？；;!?:：\s])\n(?!\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]|[|\[]))")
_WRAP_WIDTH = 18  # a line this long that ends inside a sentence was wrapped (PDF text), not ended


def _unwrap(text: str) -> str:
    """Join the lines of a paragraph that a PDF's text wrapped: a line of at least
    ``_WRAP_WIDTH`` characters that does not end a sentence, followed by a line that
    does not start a heading, a numbered item or a table row."""
    lines = text.split("\n")
    out: list[str] = []
    prev = ""
    for line in lines:
        if out and len(prev.strip()) >= _WRAP_WIDTH and _WRAPPED.search(prev + "\n" + line):
            out[-1] = out[-1].rstrip() + line.lstrip()
        else:
            out.append(line)
        prev = line
    return "\n".join(out)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: cut at 。！？；; and line breaks (lines a PDF
    wrapped are joined first), whitespace collapsed, empty ones dropped."""
    out = []
    for piece in _SENTENCE_END.split(_unwrap(text or "")):
        s = _WS.sub(" ", piece).strip()
        if s:
            out.append(s)
    return out


def _matchable(sentence: str) -> str:
    """NFKC-folded, spaces next to Chinese removed (``2017 年`` → ``2017年``)."""
    s = unicodedata.normalize("NFKC", sentence)
    s = _SPACE_NEAR_CJK.sub("", s)
    return s


def _clauses(s: str) -> list[str]:
    return [c for c in _CLAUSE_END.split(s) if c]


def _review_zero(s: str) -> list[str]:
    """Keys a sentence states as zero by negation (review.total, litigation.total,
    complaints.total)."""
    keys: list[str] = []
    if _BOTH_ZERO.search(s):
        keys += ["review.total", "litigation.total"]
    for clause in _clauses(s):
        if _TRAILING_NONE.search(clause):
            head = clause[: clause.rindex(":")]
            if not _NOT_A_TOTAL.search(head):
                for rx, key in ((_REVIEW, "review.total"), (_LITIGATION, "litigation.total")):
                    if rx.search(head):
                        keys.append(key)
            continue
        neg = _NEGATION.search(clause)
        if not neg:
            continue
        if _DIGIT.search(_DATES.sub("", clause)):
            continue  # a clause with a figure in it is not a zero statement
        after = clause[neg.end():]
        for rx, key in ((_REVIEW, "review.total"), (_LITIGATION, "litigation.total"), (_COMPLAINTS, "complaints.total")):
            m = rx.search(after)
            if not m:
                continue
            if _NOT_A_TOTAL.search(after[m.end(): m.end() + 6]):
                continue  # 未发生行政复议被纠错…: says nothing of the total
            if key == "complaints.total" and not (_REVIEW.search(after) or _LITIGATION.search(after)):
                continue  # only in the review/litigation sentence of the template
            keys.append(key)
    return keys


def extract_text_figures(text: str) -> tuple[list[Metric], list[ParseWarning]]:
    """Figures stated in the sentences of ``text`` (source='text')."""
    vocab = load_vocabulary()
    known = known_keys()
    metrics: dict[str, Metric] = {}
    warnings: list[ParseWarning] = []

    def add(key: str, value, approximate: bool, evidence: str) -> None:
        if key not in known:
            return
        prev = metrics.get(key)
        if prev is not None:
            if prev.value != value:
                warnings.append(
                    ParseWarning(
                        "prose_conflict",
                        f"{key} stated as {prev.value} and as {value}; the first is kept",
                        {"key": key, "kept": prev.value, "dropped": value,
                         "kept_evidence": prev.evidence, "dropped_evidence": evidence},
                    )
                )
            return
        metrics[key] = Metric(key, value, vocab.unit(key), "text", evidence, approximate)

    for sentence in sentences(text):
        s = _matchable(sentence)
        used: list[tuple[int, int]] = []
        for pat in PATTERNS:
            if pat.needs and pat.needs not in s:
                continue
            if pat.avoids and re.search(pat.avoids, s):
                continue
            if not pat.regex.search(s):  # most patterns: no match; cheaper than finditer
                continue
            for m in pat.regex.finditer(s):
                if pat.rejects and re.search(pat.rejects, m.group(0)):
                    continue
                if pat.zero:
                    add(pat.key, 0, False, sentence)
                    break
                span = m.span("q")
                if any(a < span[1] and span[0] < b for a, b in used):
                    continue
                phrase = m.group("q") + (m.group("u") or "") + (m.group("t") or "")
                unit = m.group("u")
                reading = read_quantity(phrase, money=pat.money, column_unit=unit if pat.money else None)
                if reading.value is None:
                    continue
                used.append(span)
                add(pat.key, reading.value, reading.approximate, sentence)
        for key in _review_zero(s):
            add(key, 0, False, sentence)
    return list(metrics.values()), warnings
