"""Per-file rules of a platform file."""

import datetime as dt

import pytest

from generator.records import model
from generator.records.loader import load_bytes
from generator.records.validate import validate_platform
from tests.record_text import position, replace_once

FILE = "content/platforms/yingze.yml"

PLATFORM = """\
name: 欢迎来协商
full_name: 迎泽区政协“欢迎来协商”协商平台
level: 县区
parent: taiyuan
region: 山西省太原市迎泽区
host: 迎泽区政协
method:
  name: 六步协商法
  steps: [征集意见建议, 确定协商议题, 做好协商准备]
established: 2021-03-01
venue: 区政协协商议事厅
contact: 0351-1234567
description: |
  区级协商平台。

  议题来自群众反映。
"""


def problems_of(text: str) -> list[str]:
    result = validate_platform(load_bytes(text.encode("utf-8"), FILE), "yingze")
    return [problem.as_text() for problem in result.problems]


def mutate(old: str, new: str, text: str = PLATFORM) -> str:
    return replace_once(text, old, new)


def at(text: str, needle: str) -> str:
    return position(FILE, text, needle)


def test_the_sample_platform_becomes_a_model() -> None:
    result = validate_platform(load_bytes(PLATFORM.encode(), FILE), "yingze")
    assert result.problems == []
    assert result.platform == model.Platform(
        id="yingze", source_path=FILE, name="欢迎来协商", level="县区", region="山西省太原市迎泽区",
        host="迎泽区政协", full_name="迎泽区政协“欢迎来协商”协商平台", parent_id="taiyuan",
        method=model.Method("六步协商法", ("征集意见建议", "确定协商议题", "做好协商准备")),
        established=dt.date(2021, 3, 1), venue="区政协协商议事厅", contact="0351-1234567",
        description="区级协商平台。\n\n议题来自群众反映。",
    )
    assert result.refs.parent == "taiyuan" and result.refs.level == "县区"


def test_a_minimal_platform() -> None:
    text = "name: 议事点\nlevel: 村社区\nregion: 某村\nhost: 村委会\n"
    result = validate_platform(load_bytes(text.encode(), FILE), "yingze")
    assert result.problems == [] and result.platform is not None
    assert result.platform.method is None and result.platform.parent_id is None


SINGLE_PROBLEMS = {
    "level not in the enumeration": (
        "level: 县区", "level: 区县", "level", "level",
        '应为以下之一：省、市、县区、乡镇街道、村社区；实际为 "区县"，是否应为“县区”？',
    ),
    "parent that is not an id": (
        "parent: taiyuan", "parent: 太原", "parent", "parent",
        '"太原" 不是有效的编号：只能用小写英文字母、数字和单个连字符（-），不能以连字符开头或结尾，'
        "最长 80 个字符；是否应为“taiyuan”？",
    ),
    "method without steps": (
        "  steps: [征集意见建议, 确定协商议题, 做好协商准备]\n", "", "method", "method.steps",
        "缺少必填字段“steps”（步骤）",
    ),
    "method with no step": (
        "[征集意见建议, 确定协商议题, 做好协商准备]", "[]", "steps", "method.steps",
        "至少需要 1 项",
    ),
    "method step named twice": (
        "[征集意见建议, 确定协商议题, 做好协商准备]", "[征集意见建议, 确定协商议题, 征集意见建议]",
        "征集意见建议]", "method.steps[3]",
        "步骤名称“征集意见建议”重复（第 1 项已有）：同一方法的步骤名称不能重复",
    ),
    "unknown key": (
        "venue: 区政协协商议事厅", "vneue: 区政协协商议事厅", "vneue", "vneue",
        "未知字段“vneue”：是否应为“venue”？",
    ),
    "missing host": (
        "host: 迎泽区政协\n", "", "name", "host", "缺少必填字段“host”（主办单位）",
    ),
    "established date in another format": (
        "established: 2021-03-01", "established: 2021年3月1日", "established", "established",
        '日期应为 YYYY-MM-DD 格式，实际为 "2021年3月1日"',
    ),
    "mobile number outside contact": (
        "  议题来自群众反映。", "  议题来自群众反映，联系 13812345678。", "description",
        "description", "含有手机号码“138****5678”：电话号码只能填在 contact（联系方式）中",
    ),
    "resident id in contact": (
        "contact: 0351-1234567", "contact: 11010519491231002X", "contact", "contact",
        "含有身份证号码“110105********002X”：公开记录中不能出现个人信息，请删除",
    ),
    "e-mail address in contact": (
        "contact: 0351-1234567", "contact: zxb@yingze.gov.cn", "contact", "contact",
        "含有电子邮箱地址“z***@yingze.gov.cn”：公开记录中不能出现个人信息，请删除",
    ),
}


@pytest.mark.parametrize("old, new, needle, field, message", list(SINGLE_PROBLEMS.values()),
                         ids=list(SINGLE_PROBLEMS))
def test_one_problem_per_bad_input(old: str, new: str, needle: str, field: str,
                                   message: str) -> None:
    text = mutate(old, new)
    assert problems_of(text) == [f"{at(text, needle)}: {field}: {message}"]


@pytest.mark.parametrize("contact", ["13812345678", "138-1234-5678", "0351-1234567 转 8001"])
def test_contact_may_hold_a_phone_number(contact: str) -> None:
    assert problems_of(mutate("contact: 0351-1234567", f"contact: {contact}")) == []
