"""Per-file rules of a case: one bad input per rule, with the exact message and position.

Each mutation edits the valid sample case from conftest; ``at(text, needle)``
is the line and column where ``needle`` starts, so the expected positions are
computed independently of the validator.
"""

import datetime as dt

import pytest

from generator.records import model
from generator.records.loader import load_bytes
from generator.records.validate import validate_case
from tests.conftest import AS_OF, CASE
from tests.record_text import position, replace_once

FILE = "content/cases/2022-sample.yml"
ID_RULE = "只能用小写英文字母、数字和单个连字符（-），不能以连字符开头或结尾，最长 80 个字符"


def problems_of(text: str, as_of: dt.date = AS_OF) -> list[str]:
    result = validate_case(load_bytes(text.encode("utf-8"), FILE), "2022-sample", as_of)
    return [problem.as_text() for problem in result.problems]


def mutate(old: str, new: str, text: str = CASE) -> str:
    return replace_once(text, old, new)


def at(text: str, needle: str) -> str:
    return position(FILE, text, needle)


def test_the_sample_case_is_valid_and_becomes_a_model() -> None:
    result = validate_case(load_bytes(CASE.encode(), FILE), "2022-sample", AS_OF)
    assert result.problems == []
    case = result.case
    assert case is not None
    assert case.id == "2022-sample" and case.source_path == FILE
    assert case.date == dt.date(2022, 3, 18)
    assert case.topic == model.Topic(
        "群众反映", ("老旧小区", "环境卫生"), "地下室常年积水。\n\n居民多次反映。")
    assert case.participants.total == 14
    assert case.participants.groups[0] == model.Group("政协委员", 2, ("叶晓波",), ("区政协",))
    assert case.consensus is not None and case.consensus.reached is True
    assert case.consensus.items[1] == model.ConsensusItem(2, "抽排积水", "社区居委会",
                                                          dt.date(2022, 4, 30))
    assert case.follow_up[0] == model.FollowUp(dt.date(2022, 4, 8), "已完成", "已抽排积水", 2)
    assert case.evaluation[0].satisfaction == model.Satisfaction(30, 5, 1)
    assert case.notice == model.Notice(dt.date(2022, 3, 20), dt.date(2022, 3, 27))
    assert case.sources == (model.Source("示例报道", "https://example.org/news/1"),)
    assert case.steps[0] == model.Step("征集意见", dt.date(2022, 2, 20), "收集意见 26 条")
    assert result.refs.platform == "street"
    assert [step.name for step in result.refs.steps] == ["征集意见", "协商议事"]


# (old, new, needle where the problem is reported, field path, message)
SINGLE_PROBLEMS = {
    "unknown key without a close match": (
        "  dissent: 费用分摊另议。\n", "  remark: 费用分摊另议。\n", "remark", "consensus.remark",
        "未知字段“remark”：这里可以填写的字段有 reached、summary、items、dissent",
    ),
    "form not in the enumeration": (
        "form: 现场协商", "form: 座谈会", "form: 座谈会", "form",
        '应为以下之一：会议协商、现场协商、书面协商、网络协商、其他；实际为 "座谈会"',
    ),
    "enumeration with a hint": (
        "    status: 推进中", "    status: 进行中", "status: 进行中", "follow_up[2].status",
        '应为以下之一：未启动、推进中、已完成、无法落实；实际为 "进行中"，是否应为“推进中”？',
    ),
    "role not in the enumeration": (
        "role: 政协委员", "role: 委员", "role: 委员", "participants.groups[1].role",
        "应为以下之一：政协委员、党政干部、职能部门、基层干部、群众代表、专家、企业、社会组织、其他；"
        '实际为 "委员"，是否应为“政协委员”？',
    ),
    "title too long": (
        "title: 机电小区地下室漏水", "title: " + "长" * 61, "title", "title",
        "最多 60 个字符，实际为 61 个字符",
    ),
    "too many categories": (
        "[老旧小区, 环境卫生]", "[一, 二, 三, 四, 五, 六]", "categories", "topic.categories",
        "应有 1 到 5 项，实际为 6 项",
    ),
    "no category": (
        "[老旧小区, 环境卫生]", "[]", "categories", "topic.categories",
        "应有 1 到 5 项，实际为 0 项",
    ),
    "category label too long": (
        "[老旧小区, 环境卫生]", "[老旧小区, " + "环" * 21 + "]", "环环", "topic.categories[2]",
        "最多 20 个字符，实际为 21 个字符",
    ),
    "a single category instead of a list": (
        "[老旧小区, 环境卫生]", "老旧小区", "categories", "topic.categories",
        '应为列表，实际为文字 "老旧小区"：多项请写成 [甲, 乙]，或每项一行、以“- ”开头',
    ),
    "date in another format": (
        "      due: 2022-05-31", "      due: 2022/6/30", "due: 2022/6/30",
        "consensus.items[1].due",
        '日期应为 YYYY-MM-DD 格式，实际为 "2022/6/30"',
    ),
    "date that does not exist": (
        "      due: 2022-05-31", "      due: 2022-02-30", "due: 2022-02-30",
        "consensus.items[1].due",
        '日期不存在："2022-02-30"，2022 年 2 月只有 28 天',
    ),
    "date with month 13": (
        "  to: 2022-03-27", "  to: 2022-13-01", "to: 2022-13-01", "notice.to",
        '日期不存在："2022-13-01" 的月份应为 01 到 12',
    ),
    "date with a time": (
        "date: 2022-03-18\nform", "date: 2022-03-18 10:00\nform", "date: 2022-03-18 10", "date",
        '日期应为 YYYY-MM-DD 格式，实际为 "2022-03-18 10:00"',
    ),
    "date with full-width digits": (
        "date: 2022-03-18\nform", "date: ２０２２-03-18\nform", "date: ２", "date",
        '日期应为 YYYY-MM-DD 格式，实际为 "２０２２-03-18"',
    ),
    "a list where text belongs": (
        "venue: 社区议事室", "venue: [社区议事室]", "venue", "venue", "应为文字，实际为列表",
    ),
    "text where a mapping belongs": (
        "notice:\n  from: 2022-03-20\n  to: 2022-03-27", "notice: 2022-03-20", "notice", "notice",
        '应为“键: 值”形式的映射，实际为文字 "2022-03-20"',
    ),
    "count that is not a number": (
        "count: 12", "count: 十二", "count: 十二", "participants.groups[2].count",
        '应为整数，实际为 "十二"',
    ),
    "count of zero": (
        "count: 12", "count: 0", "count: 0", "participants.groups[2].count", "应不小于 1，实际为 0",
    ),
    "count in quotes": (
        "count: 12", 'count: "12"', "count: \"12", "participants.groups[2].count",
        '应为整数，实际为 "12"（不要加引号）',
    ),
    "count with a decimal point": (
        "count: 12", "count: 1.5", "count: 1.5", "participants.groups[2].count",
        '应为整数，实际为 "1.5"',
    ),
    "reached that is not true or false": (
        "reached: true", "reached: yes", "reached", "consensus.reached",
        '应为 true 或 false，实际为 "yes"',
    ),
    "consensus reached without items": (
        "  items:\n    - text: 修复漏水管道\n      owner: 物业公司\n      due: 2022-05-31\n"
        "    - text: 抽排积水\n      owner: 社区居委会\n      due: 2022-04-30\n", "", "consensus",
        "consensus.items",
        "达成共识（reached 为 true）时至少要有 1 条共识事项；未达成共识请写 reached: false",
    ),
    "due before the consultation": (
        "due: 2022-04-30", "due: 2022-03-01", "due: 2022-03-01", "consensus.items[2].due",
        "完成期限 2022-03-01 早于协商日期 2022-03-18",
    ),
    "follow-up about an item that does not exist": (
        "    item: 2\n", "    item: 3\n", "item: 3", "follow_up[1].item",
        "没有第 3 条共识事项：共识事项共 2 条，序号从 1 开始",
    ),
    "follow-up item 0 (numbers start at 1)": (
        "    item: 2\n", "    item: 0\n", "item: 0", "follow_up[1].item", "应不小于 1，实际为 0",
    ),
    "follow-up before the consultation": (
        "  - date: 2022-04-08", "  - date: 2022-03-01", "date: 2022-03-01", "follow_up[1].date",
        "跟踪日期 2022-03-01 早于协商日期 2022-03-18",
    ),
    "follow-up out of date order": (
        "  - date: 2022-05-10", "  - date: 2022-04-01", "date: 2022-04-01", "follow_up[2].date",
        "跟踪记录应按日期先后排列：2022-04-01 早于上一条的 2022-04-08",
    ),
    "evaluation before the consultation": (
        "  - date: 2022-07-01", "  - date: 2022-01-01", "date: 2022-01-01", "evaluation[1].date",
        "评价日期 2022-01-01 早于协商日期 2022-03-18",
    ),
    "notice ending before it starts": (
        "  to: 2022-03-27", "  to: 2022-03-19", "to: 2022-03-19", "notice.to",
        "公示结束日期 2022-03-19 早于开始日期 2022-03-20",
    ),
    "notice without an end": (
        "  to: 2022-03-27\n", "", "notice", "notice.to", "缺少必填字段“to”（公示结束）",
    ),
    "names of residents": (
        "      count: 12\n", "      count: 12\n      names: [张三]\n", "names: [张三]",
        "participants.groups[2].names",
        "群众代表不能填写姓名（保护居民隐私）：请删去 names，只填写人数 count",
    ),
    "satisfaction key not among the three": (
        "基本满意: 5", "很满意: 5", "很满意", "evaluation[1].satisfaction.很满意",
        "未知字段“很满意”：是否应为“满意”？",
    ),
    "negative satisfaction count": (
        "不满意: 1", "不满意: -1", "不满意", "evaluation[1].satisfaction.不满意",
        "应不小于 0，实际为 -1",
    ),
    "url with another scheme": (
        "https://example.org/news/1", "javascript:alert(1)", "url", "sources[1].url",
        '网址应以 http:// 或 https:// 开头，实际为 "javascript:alert(1)"',
    ),
    "ftp url": (
        "https://example.org/news/1", "ftp://example.org/a", "url", "sources[1].url",
        '网址应以 http:// 或 https:// 开头，实际为 "ftp://example.org/a"',
    ),
    "url with a space": (
        "https://example.org/news/1", '"https://example.org/a b"', "url", "sources[1].url",
        "网址中不能有空格、引号、尖括号、反斜杠或控制字符：请只保留网址本身",
    ),
    "url with a quote": (
        "https://example.org/news/1", "https://example.org/\"onmouseover=x", "url",
        "sources[1].url", "网址中不能有空格、引号、尖括号、反斜杠或控制字符：请只保留网址本身",
    ),
    "url with angle brackets": (
        "https://example.org/news/1", "https://example.org/<script>", "url", "sources[1].url",
        "网址中不能有空格、引号、尖括号、反斜杠或控制字符：请只保留网址本身",
    ),
    "url with a control character": (
        "https://example.org/news/1", '"https://example.org/\\x07"', "url", "sources[1].url",
        "网址中不能有空格、引号、尖括号、反斜杠或控制字符：请只保留网址本身",
    ),
    "url without a host": (
        "https://example.org/news/1", "https:///news", "url", "sources[1].url",
        '网址缺少域名："https:///news"，应形如 https://example.org/...',
    ),
    "platform that is not an id": (
        "platform: street", "platform: 迎泽街道", "platform", "platform",
        f'"迎泽街道" 不是有效的编号：{ID_RULE}；是否应为“yingze-jiedao”？',
    ),
    "platform id in capitals": (
        "platform: street", "platform: Street", "platform", "platform",
        f'"Street" 不是有效的编号：{ID_RULE}；是否应为“street”？',
    ),
    "a required field that is empty": (
        "title: 机电小区地下室漏水", "title:", "title", "title", "必填字段“title”（议题）不能为空",
    ),
    "a required field written as an empty string": (
        "title: 机电小区地下室漏水", 'title: ""', "title", "title",
        "必填字段“title”（议题）不能为空",
    ),
    "a nested required field that is missing": (
        "  source: 群众反映\n", "", "topic", "topic.source", "缺少必填字段“source”（议题来源）",
    ),
    "withdrawn without a reason": (
        "sources:", "withdrawn:\n  date: 2023-01-05\nsources:", "withdrawn", "withdrawn.reason",
        "缺少必填字段“reason”（撤回原因）",
    ),
    "a step without its name": (
        "  - step: 协商议事\n    date: 2022-03-18", "  - date: 2022-03-18",
        "date: 2022-03-18\nparticipants", "steps[2].step", "缺少必填字段“step”（步骤名称）",
    ),
}


@pytest.mark.parametrize("old, new, needle, field, message", list(SINGLE_PROBLEMS.values()),
                         ids=list(SINGLE_PROBLEMS))
def test_one_problem_per_bad_input(old: str, new: str, needle: str, field: str,
                                   message: str) -> None:
    text = mutate(old, new)
    assert problems_of(text) == [f"{at(text, needle)}: {field}: {message}"]


def test_an_empty_list_element_is_reported_where_its_value_would_be() -> None:
    text = mutate("  convenors: [社区党委书记]", "  convenors:\n    - 社区党委书记\n    -")
    line = text.count("\n", 0, text.index("    -\n")) + 1
    assert problems_of(text) == [
        f"{FILE}:{line}:6: participants.convenors[2]: 这一项是空的：请填写内容或删去这一项",
    ]


def test_unknown_key_with_a_hint() -> None:
    text = mutate("consensus:\n", "consensu:\n")
    assert problems_of(text) == [
        f"{FILE}:1:1: consensus: 缺少必填字段“consensus”（协商结果）：协商日期 2022-03-18 已过，"
        "请填写协商结果；若协商还没有举行，请把 date 改为计划的日期",
        f"{at(text, 'consensu:')}: consensu: 未知字段“consensu”：是否应为“consensus”？",
    ]


def test_a_missing_top_level_field_is_reported_at_the_start() -> None:
    text = mutate("title: 机电小区地下室漏水\n", "")
    assert problems_of(text) == [f"{FILE}:1:1: title: 缺少必填字段“title”（议题）"]


def test_a_record_that_is_not_a_mapping() -> None:
    assert problems_of("- a\n- b\n") == [f"{FILE}:1:1: 记录应为“键: 值”形式的映射，实际为列表"]


def test_every_problem_of_a_file_is_reported_in_order() -> None:
    text = mutate("form: 现场协商", "form: 座谈会")
    text = mutate("      due: 2022-05-31", "      due: 2022/6/30", text)
    text = mutate("consensus:\n", "consensus:\n  extra: 1\n", text)
    problems = problems_of(text)
    assert problems == [
        f"{at(text, 'form: 座谈会')}: form: 应为以下之一："
        '会议协商、现场协商、书面协商、网络协商、其他；实际为 "座谈会"',
        f"{at(text, 'extra')}: consensus.extra: 未知字段“extra”：这里可以填写的字段有 "
        "reached、summary、items、dissent",
        f"{at(text, 'due: 2022/6/30')}: consensus.items[1].due: 日期应为 YYYY-MM-DD 格式，"
        '实际为 "2022/6/30"',
    ]


@pytest.mark.parametrize("value", ["2022", "yes", "no", "3.10", "null text", "'0123'", "true"])
def test_a_text_field_takes_any_scalar_as_its_source_text(value: str) -> None:
    text = mutate("venue: 社区议事室", f"venue: {value}")
    result = validate_case(load_bytes(text.encode(), FILE), "2022-sample", AS_OF)
    assert result.problems == []
    assert result.case is not None and result.case.venue == value.strip("'")


def test_a_quoted_date_is_a_date() -> None:
    text = mutate("date: 2022-03-18\nform", "date: '2022-03-18'\nform")
    result = validate_case(load_bytes(text.encode(), FILE), "2022-sample", AS_OF)
    assert result.problems == [] and result.case is not None
    assert result.case.date == dt.date(2022, 3, 18)


def test_an_empty_optional_field_is_absent() -> None:
    text = mutate("venue: 社区议事室", "venue:")
    result = validate_case(load_bytes(text.encode(), FILE), "2022-sample", AS_OF)
    assert result.problems == [] and result.case is not None and result.case.venue is None


def test_reached_defaults_to_true_and_false_needs_no_items() -> None:
    text = mutate("  reached: true\n", "")
    case = validate_case(load_bytes(text.encode(), FILE), "x", AS_OF).case
    assert case is not None and case.consensus is not None and case.consensus.reached is True
    items = ("  items:\n    - text: 修复漏水管道\n      owner: 物业公司\n      due: 2022-05-31\n"
             "    - text: 抽排积水\n      owner: 社区居委会\n      due: 2022-04-30\n")
    text = mutate(items, "", mutate("reached: true", "reached: false"))
    text = text[: text.index("follow_up:")] + text[text.index("evaluation:"):]
    result = validate_case(load_bytes(text.encode(), FILE), "x", AS_OF)
    assert result.problems == []
    assert result.case is not None and result.case.consensus == model.Consensus(
        "先修后算。", reached=False, items=(), dissent="费用分摊另议。")


def test_follow_up_about_the_whole_case_needs_no_item() -> None:
    text = mutate("    item: 2\n", "")
    case = validate_case(load_bytes(text.encode(), FILE), "x", AS_OF).case
    assert case is not None and case.follow_up[0].item is None


def test_follow_up_item_without_any_consensus_item() -> None:
    text = mutate("reached: true", "reached: false")
    items = ("  items:\n    - text: 修复漏水管道\n      owner: 物业公司\n      due: 2022-05-31\n"
             "    - text: 抽排积水\n      owner: 社区居委会\n      due: 2022-04-30\n")
    text = mutate(items, "", text)
    assert problems_of(text) == [
        f"{at(text, 'item: 2')}: follow_up[1].item: "
        "没有第 2 条共识事项：consensus.items 中还没有事项",
        f"{at(text, 'item: 1')}: follow_up[2].item: "
        "没有第 1 条共识事项：consensus.items 中还没有事项",
    ]


# Announced consultations (预告): the date is after the as-of day.

ANNOUNCED = CASE[: CASE.index("consensus:")] + CASE[CASE.index("notice:"):]


def test_an_announcement_is_valid_without_results() -> None:
    result = validate_case(load_bytes(ANNOUNCED.encode(), FILE), "x", dt.date(2022, 3, 1))
    assert result.problems == []
    assert result.case is not None and result.case.consensus is None
    view = model.CaseView(result.case, model.case_status(result.case, (), dt.date(2022, 3, 1)), ())
    assert view.status == model.ANNOUNCED


def test_an_announcement_must_not_have_results() -> None:
    as_of = dt.date(2022, 3, 17)
    messages = [
        f"{at(CASE, name + ':')}: {name}: 协商日期 2022-03-18 晚于当前日期 2022-03-17，是协商预告："
        f"预告不能填写“{name}”（{title}），请在协商举行后再填写"
        for name, title in (
            ("consensus", "协商结果"), ("follow_up", "跟踪落实"), ("evaluation", "评价"))
    ]
    problems = problems_of(CASE, as_of)
    assert [p for p in problems if "预告" in p] == messages
    # and the follow-up and evaluation dates are not "before the consultation" either way
    assert len(problems) == 3


def test_the_day_itself_is_not_an_announcement() -> None:
    assert problems_of(CASE, dt.date(2022, 3, 18)) == []


def test_a_past_consultation_needs_its_result() -> None:
    assert problems_of(ANNOUNCED) == [
        f"{FILE}:1:1: consensus: 缺少必填字段“consensus”（协商结果）：协商日期 2022-03-18 已过，"
        "请填写协商结果；若协商还没有举行，请把 date 改为计划的日期",
    ]


def test_a_withdrawn_announcement_needs_no_result() -> None:
    text = ANNOUNCED + "withdrawn:\n  date: 2022-03-10\n  reason: 活动取消\n"
    result = validate_case(load_bytes(text.encode(), FILE), "x", AS_OF)
    assert result.problems == []
    assert result.case is not None
    assert result.case.withdrawn == model.Withdrawal(dt.date(2022, 3, 10), "活动取消")


# Personal data.

PERSONAL_DATA = {
    "mobile number": ("13812345678", "手机号码“138****5678”"),
    "mobile number with hyphens": ("138-1234-5678", "手机号码“138****5678”"),
    "mobile number with spaces": ("138 1234 5678", "手机号码“138****5678”"),
    "mobile number with +86": ("+86 13912345678", "手机号码“139****5678”"),
    "full-width mobile number": ("１３８１２３４５６７８", "手机号码“１３８****５６７８”"),
    "resident id": ("11010519491231002X", "身份证号码“110105********002X”"),
    "resident id, lower-case x": ("11010519491231002x", "身份证号码“110105********002x”"),
    "e-mail address": ("zhang.san@example.com", "电子邮箱地址“z***@example.com”"),
}


@pytest.mark.parametrize("value, shown", list(PERSONAL_DATA.values()), ids=list(PERSONAL_DATA))
def test_personal_data_in_a_narrative_field(value: str, shown: str) -> None:
    text = mutate("    居民多次反映。", f"    居民多次反映，联系人{value}。")
    assert problems_of(text) == [
        f"{at(text, 'background')}: topic.background: 含有{shown}：公开记录中不能出现个人信息，"
        "请删除或改用单位的公开联系方式",
    ]


def test_personal_data_in_a_list_element_names_its_path() -> None:
    text = mutate("orgs: [区政协]", "orgs: [区政协, a@b.cn]")
    assert problems_of(text) == [
        f"{at(text, 'a@b.cn')}: participants.groups[1].orgs[2]: 含有电子邮箱地址“a***@b.cn”："
        "公开记录中不能出现个人信息，请删除或改用单位的公开联系方式",
    ]


def test_personal_data_in_an_unknown_field_is_reported_too() -> None:
    text = mutate("venue: 社区议事室", "venue: 社区议事室\nphone: 13812345678")
    assert problems_of(text) == [  # same position: ordered by message
        f"{at(text, 'phone')}: phone: 含有手机号码“138****5678”：公开记录中不能出现个人信息，"
        "请删除或改用单位的公开联系方式",
        f"{at(text, 'phone')}: phone: 未知字段“phone”：这里可以填写的字段有 "
        "title、platform、date、form、venue、topic、steps、participants、consensus、follow_up、"
        "evaluation、notice、sources、withdrawn、former_ids",
    ]


def test_personal_data_folded_across_lines_is_found() -> None:
    text = mutate("summary: 先修后算。", "summary: 先修后算，联系 138\n    1234 5678")
    assert problems_of(text) == [
        f"{at(text, 'summary')}: consensus.summary: 含有手机号码“138****5678”："
        "公开记录中不能出现个人信息，请删除或改用单位的公开联系方式",
    ]


def test_personal_data_in_an_escaped_string_is_found() -> None:
    text = mutate("comment: 基本解决", 'comment: "\\u0031\\u00338\\u00312345678"')
    assert len(problems_of(text)) == 1


@pytest.mark.parametrize("value", [
    "订单号 2013812345678999",  # 11 digits inside a longer number
    "110105194912310021",  # 18 digits with a wrong check digit
    "110105194913310021",  # valid check digit, but no 13th month
    "电话 0351-4000000",  # a landline
    "12345678901",  # starts with 12: not a mobile prefix
    "2022-03-18 到 2022-04-08",
    "邮箱 at example.org",
])
def test_what_is_not_personal_data(value: str) -> None:
    text = mutate("    居民多次反映。", f"    居民多次反映，{value}。")
    assert problems_of(text) == []
