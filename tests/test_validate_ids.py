"""Ids and pinyin suggestions; the personal-data detectors on their own."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.records import privacy
from generator.records.ids import ID_MAX_LENGTH, ID_PATTERN, is_valid_id, suggest_id


@pytest.mark.parametrize("text, valid", [
    ("yingze", True), ("2022-jidian-xiaoqu-jishui", True), ("a" * 80, True), ("a" * 81, False),
    ("Yingze", False), ("yingze_jie", False), ("-yingze", False), ("yingze-", False),
    ("ying--ze", False), ("", False), ("迎泽", False), ("yingze.yml", False),
])
def test_is_valid_id(text: str, valid: bool) -> None:
    assert is_valid_id(text) is valid


@pytest.mark.parametrize("text, year, expected", [
    ("社区食堂", None, "shequ-shitang"),
    ("长者食堂", None, "zhangzhe-shitang"),  # a heteronym, right from the phrase dictionary
    ("重点工程", None, "zhongdian-gongcheng"),
    ("老旧小区加装电梯", 2023, "2023-laojiu-xiaoqu-jiazhuang-dianti"),
    ("2022年 Abc 社区食堂！！", None, "2022-nian-abc-shequ-shitang"),
    ("2022年社区食堂", 2022, "2022-nian-shequ-shitang"),
    ("绿色出行", None, "lvse-chuxing"),
    ("  ——  ", None, ""),
])
def test_suggest_id(text: str, year: int | None, expected: str) -> None:
    assert suggest_id(text, year) == expected


def test_a_long_suggestion_is_cut_at_a_word() -> None:
    suggestion = suggest_id("机电小区地下室管道漏水和积水问题" * 4, 2022)
    assert len(suggestion) <= ID_MAX_LENGTH and is_valid_id(suggestion)
    assert not suggestion.endswith("-")
    assert suggest_id("x" * 100) == "x" * 80


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.none() | st.integers(1900, 2100))
def test_a_suggestion_is_always_a_valid_id_or_empty(text: str, year: int | None) -> None:
    suggestion = suggest_id(text, year)
    assert suggestion == "" or (ID_PATTERN.match(suggestion) and len(suggestion) <= ID_MAX_LENGTH)


@pytest.mark.parametrize("text, valid", [
    ("11010519491231002X", True),
    ("11010519491231002x", True),
    ("110105194912310021", False),  # check digit
    ("110105194913310021", False),  # valid check digit, no 13th month
    ("110105180001010013", False),  # born before 1900
    ("11010519491231002", False),
])
def test_resident_ids(text: str, valid: bool) -> None:
    assert privacy.is_resident_id(text) is valid


def test_masks_hide_the_middle() -> None:
    assert privacy.mask("mobile", "+86 138-1234-5678") == "138****5678"
    assert privacy.mask("resident_id", "11010519491231002X") == "110105********002X"
    assert privacy.mask("email", "zhang.san@example.com") == "z***@example.com"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["138", "1381234", "5678", "-", " ", "\n", "+86", "@", "a.b", ".cn", "１３８",
                     "－", "＋86",
                     "11010519491231002X", "2022-03-18", "x", "电话", "\\"]),
    st.text(max_size=5),
), max_size=12).map("".join))
def test_the_quick_byte_test_never_misses_a_finding(text: str) -> None:
    """Validation skips the detectors when the byte test says no: it must never be wrong."""
    if privacy.find_personal_data(text):
        assert privacy.may_contain_personal_data(text.encode("utf-8"))
