"""Category slugs: pinyin with heteronyms right, stable under additions and file order."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from generator.site import slugs

D = dt.date


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("长者食堂", "zhangzhe-shitang"),
        ("重点工程", "zhongdian-gongcheng"),
        ("老旧小区", "laojiu-xiaoqu"),
        ("停车难", "tingche-nan"),
        ("重庆", "chongqing"),
        ("５Ｇ基站", "5g-jizhan"),
        ("A&B 协商", "a-b-xieshang"),
    ],
)
def test_pinyin_slug(text: str, slug: str) -> None:
    assert slugs.pinyin_slug(text) == slug


def test_nothing_to_spell_gets_a_stable_hash() -> None:
    assert slugs.pinyin_slug("！！！") == slugs.pinyin_slug("！！！")
    assert slugs.pinyin_slug("！！！").startswith("c-")
    assert slugs.pinyin_slug("！！！") != slugs.pinyin_slug("？？？")


def test_the_earliest_category_keeps_the_bare_slug() -> None:
    assigned = slugs.assign_slugs({"停车": D(2022, 1, 1), "停車": D(2021, 1, 1)})
    assert assigned == {"停車": "tingche", "停车": "tingche-2"}


def test_adding_a_later_category_never_moves_an_existing_slug() -> None:
    before = slugs.assign_slugs({"停车": D(2022, 1, 1), "老旧小区": D(2022, 2, 1)})
    after = slugs.assign_slugs({
        "停车": D(2022, 1, 1), "老旧小区": D(2022, 2, 1), "停車": D(2023, 1, 1),
        "停车2": D(2023, 2, 1),
    })
    assert all(after[text] == slug for text, slug in before.items())
    assert after["停車"] == "tingche-2"
    assert after["停车2"] == "tingche-2-2"  # its natural slug was taken first


def test_suffixes_never_clash_with_natural_slugs() -> None:
    assigned = slugs.assign_slugs(
        {"停车2": D(2020, 1, 1), "停车": D(2021, 1, 1), "停車": D(2022, 1, 1)}
    )
    assert assigned == {"停车2": "tingche-2", "停车": "tingche", "停車": "tingche-3"}


def test_same_day_ties_break_on_the_text_whatever_the_order() -> None:
    texts = {"停车": D(2022, 1, 1), "停車": D(2022, 1, 1), "亭车": D(2022, 1, 1)}
    expected = slugs.assign_slugs(texts)
    items = list(texts.items())
    for seed in range(5):
        random.Random(seed).shuffle(items)
        assert slugs.assign_slugs(dict(items)) == expected
    assert expected[min(texts)] == "tingche"


def test_index_is_reserved() -> None:
    assert slugs.assign_slugs({"index": D(2022, 1, 1)}) == {"index": "index-2"}


def test_pins_win_and_are_checked() -> None:
    assigned = slugs.assign_slugs(
        {"停车": D(2022, 1, 1), "停車": D(2021, 1, 1)}, pinned={"停车": "tingche"}
    )
    assert assigned == {"停车": "tingche", "停車": "tingche-2"}
    assert slugs.check_pins([("停车", "tingche")]) == []
    assert slugs.check_pins([("停车", "Ting Che")])
    assert slugs.check_pins([("停车", "index")])
    (message,) = slugs.check_pins([("停车", "tingche"), ("停車", "tingche")])
    assert "已分配给分类“停车”" in message
