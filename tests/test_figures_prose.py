"""parse.figures.prose on the five real seed reports and on single sentences.

The expected figures are read off the seed texts by a person (quoted next to
each), not taken from the code's output.
"""

from pathlib import Path

import pytest

from parse.figures.prose import extract_text_figures, sentences
from parse.vocabulary import known_keys

REPORTS = Path(__file__).parents[1] / "sample_portal" / "reports"


def seed(n: int) -> str:
    return next(REPORTS.glob(f"seed_{n:03d}_*.txt")).read_text(encoding="utf-8")


def figures(text):
    metrics, warnings = extract_text_figures(text)
    out = {}
    for m in metrics:
        assert m.key not in out
        assert m.key in known_keys()
        assert m.source == "text"
        out[m.key] = m
    return out, warnings


def values(text):
    return {k: m.value for k, m in figures(text)[0].items()}


SEED_000 = {
    "proactive.total": 204,  # 主动公开政府信息204条
    "proactive.channel.weibo": 45,  # 官方微博发布消息45条
    "proactive.channel.wechat": 121,  # 官方微信发布消息 121条
    "response.interpretations": 4,  # 发布政策解读文件4篇
    "requests.new.total": 3,  # 接到政府信息公开申请3条
    "staff.full_time": 1,  # 专职信息工作人员1名
    "staff.part_time": 3,  # 兼职信息工作人员3名
    "review.total": 0,  # 未发生因政府信息公开申请提起的行政复议和行政诉讼
    "litigation.total": 0,
    "fees.collected": 0,  # 没有向政府信息公开申请人收取任何费用
}
SEED_001 = {
    "proactive.total": 30,  # 公开信息总数为30条
    "proactive.normative_documents": 26,  # 规范性文件类信息为26条 (a vocabulary label)
    "proactive.channel.website": 27,  # 在信息公开网站发布信息27条
    "response.public_concerns": 0,  # 回应公众关注热点或重大舆情数0起
    "requests.new.total": 0,  # 未收到申请人提出的…要求公开政府信息的申请
    "review.total": 0,  # 没有因为政府信息公开工作而被申请行政复议或被提起行政诉讼
    "litigation.total": 0,
    "org.units": 1,  # 成立政府信息公开工作专门机构1个
    "org.reading_points": 3,  # 设置政府信息公开查阅点数3个
    "staff.total": 4,  # 从事政府信息公开工作人员数4人
    "meetings.count": 2,  # 召开政府信息公开工作会议或专题会2次
    "trainings.count": 2,  # 培训班2次
    "trainings.attendees": 52,  # 参加人员52人
}
SEED_002 = {
    "proactive.channel.website": 72,  # 通过政务网站主动公开信息72条
    "response.interpretations": 5,  # 从内容分类看，…政策解读5条 (interpretation items published)
    "proactive.channel.wechat": 312,  # 官方微信“耕读大水泊”发布消息312条
    "requests.new.total": 0,  # 没有收到政府信息公开申请
    "staff.full_time": 1,  # 设专职工作人员1名
    "staff.part_time": 3,  # 兼职工作人员3名
    "fees.collected": 0,  # 无政府信息公开收费及减免费用发生
}
SEED_003 = {
    "proactive.total": 198,  # 主动公开政府信息198条
    "proactive.cumulative": 1355,  # 历年累计1355条
    "response.interpretations": 0,  # 政策解读数量：无
    "requests.new.total": 0,  # 受理申请的数量:0
    "outcome.total.total": 0,  # 已答复件数：0条
    "outcome.withheld.total": 0,  # “不予公开”的政府信息：0条
    "review.total": 0,  # 未存在被申请行政复议、提起行政诉讼和接受行政申诉、举报的情况
    "litigation.total": 0,
    "complaints.total": 0,
}
SEED_004 = {
    "requests.new.total": 0,  # 没有出现…申请公开信息 / 无受理依申请公开事项
    "fees.collected": 0,  # 没有政府信息公开的收费及减免情况
}


@pytest.mark.parametrize("n, expected", [(0, SEED_000), (1, SEED_001), (2, SEED_002), (3, SEED_003), (4, SEED_004)])
def test_seed_figures_exactly(n, expected):
    found, warnings = figures(seed(n))
    assert {k: m.value for k, m in found.items()} == expected
    assert not any(m.approximate for m in found.values())
    assert warnings == []


def test_evidence_is_the_sentence():
    found, _ = figures(seed(0))
    assert found["proactive.total"].evidence.startswith("2018年，主动公开政府信息204条")
    assert found["fees.collected"].evidence == "2018年，泽库镇没有向政府信息公开申请人收取任何费用。"
    assert found["staff.full_time"].unit == "人"
    assert found["fees.collected"].unit == "元"


@pytest.mark.parametrize(
    "text",
    [
        "其他类信息为4条，占全年公开信息总数的比例为14%。",
        "如对本报告有疑问，请联系（地址：威海市文登区泽库镇银滩路8号,邮编：264400,电话：0631-8781088）。",
        "根据《2017 年莱阳市政务公开工作实施方案》（莱政办字〔2017〕51 号）规定。",
        "邀请我镇人大代表、党员代表、50余人次参加。",
        "通过电话回应解读相应事件100余起。",
        "从内容分类看，公告公示2条，机构职能3条，工作动态44条。",
        "其中机构职能类信息37条，政策、规范性文件类信息65条。",
        "通过门户网站和微信公众号发布信息50条。",
        "通过官方微博、微信发布信息50条。",
        "2018年古镛镇未发生行政复议被纠错案件。",
        "大部分政府信息公开单位没有专职人员负责。",
        "2019年将重点从三方面做好政府信息公开工作。",
        "本年报由基本工作情况、附表等七部分组成。",
        "针对“网上民声”和 89000 的咨询和投诉，我委都安排专人及时进行收集。",
        "未收到针对政府信息公开工作的行政复议申请。",
        "整合资金4000余万元，完成了10项镇级项目建设工作。",
        "其中政策文件48件、重点领域信息412条、回应关切信息26条。",
        "积极参加市政府组织的培训3次。",  # trainings attended, not held
        "发出收费通知0件，金额0元。",  # notices, not fees collected
        "政策解读形式较为单一，图解解读19篇。",
        # what a gazette printed (x-shanghai-bgt-2019), not the interpretations published
        "全年共编发公报24期，刊登政府规章、规范性文件等112件，部门规范性文件45件，政策解读83件。",
    ],
)
def test_numbers_about_something_else_are_not_figures(text):
    found, _ = figures(text)
    assert not any(k.startswith(("proactive.", "response.", "staff.", "fees.", "requests.")) for k in found), found


def test_normative_share_sentence_gives_only_the_count():
    assert values("在2018年公开的30条信息中，规范性文件类信息为26条，占全年公开信息总数的比例为86%；") == {
        "proactive.normative_documents": 26
    }


def test_approximate_figure_is_kept_and_marked():
    found, _ = figures("全年回应公众关注热点100余次。")
    m = found["response.public_concerns"]
    assert m.value == 100 and m.approximate is True


@pytest.mark.parametrize(
    "text, key, value",
    [
        ("本单位配备专职人员两名。", "staff.full_time", 2),
        ("召开政府信息公开工作会议十二次。", "meetings.count", 12),
        ("全年主动公开政府信息１，２０５条。", "proactive.total", 1205),
        ("累计主动公开政府信息3456条。", "proactive.cumulative", 3456),
        ("共收取费用0.5万元。", "fees.collected", 5000),
        ("收取复制费120元。", "fees.collected", 120),
        ("全年共收到政府信息公开申请 15 件。", "requests.new.total", 15),
        ("本年度无政府信息公开申请。", "requests.new.total", 0),
        ("本年度因政府信息公开被申请行政复议1件。", "review.total", 1),
        ("行政复议和行政诉讼均为0件。", "litigation.total", 0),
        ("依申请公开不收取任何费用。", "fees.collected", 0),
        ("召开新闻发布会3次。", "response.press_conferences", 3),
        ("举办各类培训班4期，参加培训人员120人次。", "trainings.attendees", 120),
        ("政府信息公开专项经费2万元。", "budget.special_funds", 20000),
    ],
)
def test_sentence_variants(text, key, value):
    assert values(text).get(key) == value


def test_conflicting_sentences_keep_the_first_and_warn():
    found, warnings = figures("主动公开政府信息204条。\n全年主动公开政府信息210条。")
    assert found["proactive.total"].value == 204
    assert [w.code for w in warnings] == ["prose_conflict"]
    assert warnings[0].detail["dropped"] == 210


def test_sentences():
    assert sentences("一。二；\n三\n\n 四 ") == ["一。", "二；", "三", "四"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本年新收政府信息公开申请12件，上年结转政府信息公开申请2件，结转下年度继续办理1件。",
         {"requests.new.total": 12, "requests.carried_over.total": 2, "requests.carried_forward.total": 1}),
        ("（四）因政府信息公开申请行政复议、提起行政诉讼的情况：无。",
         {"review.total": 0, "litigation.total": 0}),
        ("本年度收费金额0元。", {"fees.collected": 0}),
    ],
)
def test_template_era_sentences(text, expected):
    assert values(text) == expected


# --- wordings of the template-era 总体情况 (gold set: t2019/t2021 and composed pages)


@pytest.mark.parametrize(
    "text, expected",
    [
        # the website channel, with or without 信息 after the verb, as the subject too
        ("全年主动公开政府信息2031条，其中通过政府门户网站公开2020条，发布政策解读13篇；",
         {"proactive.total": 2031, "proactive.channel.website": 2020, "response.interpretations": 13}),
        ("全年主动公开政府信息2324条，其中在政府门户网站发布2033条，发布政策解读20篇；",
         {"proactive.total": 2324, "proactive.channel.website": 2033, "response.interpretations": 20}),
        ("其中，政府网站公开政府信息2097条，政务微博公开政府信息75条，政务微信公开政府信息180条。",
         {"proactive.channel.website": 2097, "proactive.channel.weibo": 75, "proactive.channel.wechat": 180}),
        ("规范区政府门户网站教育局信息公开专栏，同步在“文登教育”微信公众号发布各类信息1,046条。",
         {"proactive.channel.wechat": 1046}),
        # a content breakdown: its 政策解读 item is the interpretations published
        ("全年主动公开政府信息2,315条，其中政策文件54件、政策解读43篇（图解解读19篇）、回应关切信息26条；",
         {"proactive.total": 2315, "response.interpretations": 43}),
        ("通过政务网站主动公开信息72条：从内容分类看，公告公示2条，机构职能3条，政策解读5条，重点领域信息公开11条；",
         {"proactive.channel.website": 72, "response.interpretations": 5}),
        # trainings held and their attendance (人次 are attendees; 余 makes it approximate)
        ("组织开展政务公开业务培训3次，培训人员90余人次。", {"trainings.count": 3, "trainings.attendees": 90}),
        ("举办政务公开业务培训班2期，培训各单位工作人员160余人次。", {"trainings.count": 2, "trainings.attendees": 160}),
        ("组织政务公开业务培训3次，对各镇街、部门政务公开工作开展季度检查。", {"trainings.count": 3}),
        # requests completed; 按时办结 is another key
        ("全年新收政府信息公开申请54件，上年结转4件，办结57件，结转下年度继续办理1件。",
         {"requests.new.total": 54, "requests.carried_over.total": 4, "requests.completed": 57,
          "requests.carried_forward.total": 1}),
        ("全年按时办结申请20件。", {}),
        # fees: the 2021 信息处理费 wordings
        ("本机关2021年度未收取信息处理费。", {"fees.collected": 0}),
        ("依据《政府信息公开信息处理费管理办法》，本机关2024年度没有收取信息处理费。", {"fees.collected": 0}),
        ("安吉县数字经济发展局2022年度未收取政府信息公开信息处理费。", {"fees.collected": 0}),
        ("（一）本机关2022年度依据《政府信息公开信息处理费管理办法》收取信息处理费0次，金额0元。", {"fees.collected": 0}),
        ("本机关收取信息处理费2次，金额共计150元。", {"fees.collected": 150}),
    ],
)
def test_template_era_overview_wordings(text, expected):
    assert values(text) == expected


def test_staff_of_a_training_centre_are_not_trainees():
    assert "trainings.attendees" not in values("为培训中心配备专职人员2名。")


def test_training_attendance_in_person_times_is_approximate_when_it_says_so():
    found, _ = figures("组织开展政务公开业务培训2次，培训人员260余人次。")
    assert found["trainings.attendees"].value == 260 and found["trainings.attendees"].approximate is True
    assert found["trainings.count"].approximate is False


def test_website_statement_is_the_channel_not_the_total():
    # 通过区政府门户网站主动公开政府信息N条 states what the portal published; the
    # same sentence names a WeChat channel, so N is not the proactive total.
    text = "全年通过区政府门户网站主动公开政府信息1,236条，其中政策文件48件、政策解读36篇；通过“文登发布”政务微信公众号发布信息2,108条。"
    assert values(text) == {"proactive.channel.website": 1236, "response.interpretations": 36,
                            "proactive.channel.wechat": 2108}
