"""The loader refuses what records never need, with a Chinese message and a position."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.records.loader import (
    MAX_FILE_BYTES,
    Mapping,
    Mark,
    Scalar,
    Sequence,
    load_bytes,
    load_file,
)
from generator.records.problems import RecordError

FILE = "content/cases/x.yml"


def problems_of(data: bytes | str) -> list[str]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(RecordError) as caught:
        load_bytes(raw, FILE)
    return [problem.as_text() for problem in caught.value.problems]


REFUSED = {
    "duplicate key": (
        "title: a\nvenue: b\ntitle: c\n",
        "3:1: 重复的键“title”（第 1 行已有）：请合并或删去其一",
    ),
    "duplicate key in a nested mapping": (
        "topic:\n  source: a\n  source: b\n",
        "3:3: 重复的键“source”（第 2 行已有）：请合并或删去其一",
    ),
    "anchor": ("a: &x b\nc: d\n", "1:4: 不支持 YAML 锚点（&名称）：请直接写出内容"),
    "anchor on a mapping": ("a: &x\n  b: c\n", "1:4: 不支持 YAML 锚点（&名称）：请直接写出内容"),
    "alias": ("a: b\nc: *x\n", "2:4: 不支持 YAML 别名（*名称）：请直接写出内容"),
    "tag that would run a command": (
        'a: !!python/object/apply:os.system ["echo hacked"]\n',
        "1:4: 不支持 YAML 标签（!!python/object/apply:os.system）：请删去以“!”开头的标签",
    ),
    "harmless-looking tag": (
        "a: !!str 12\n", "1:4: 不支持 YAML 标签（!!str）：请删去以“!”开头的标签",
    ),
    "local tag": ("a: !mine x\n", "1:4: 不支持 YAML 标签（!mine）：请删去以“!”开头的标签"),
    "tag on a mapping": (
        "a: !!map\n  b: c\n", "1:4: 不支持 YAML 标签（!!map）：请删去以“!”开头的标签",
    ),
    "two documents": (
        "a: b\n---\nc: d\n",
        "2:1: 一个文件只能有一条记录：请删去“---”及其后的第二个文档，另建文件",
    ),
    "empty file": ("", "1:1: 文件是空的：请按格式填写记录"),
    "only comments": ("# 待填写\n\n", "1:1: 文件是空的：请按格式填写记录"),
    "tab indentation": ("topic:\n\tsource: a\n", "2:1: 缩进中有制表符（Tab）：YAML 只能用空格缩进"),
    "full-width colon after a key": (
        "title: a\nvenue：b\n", "2:6: 键后面用了中文冒号“：”：请改为英文冒号加空格“: ”",
    ),
    "unclosed bracket": (
        "categories: [a, b\nvenue: c\n",
        "2:6: YAML 语法错误：方括号列表没有正确结束：缺少“]”或逗号",
    ),
    "unclosed quote": ('title: "a\n', "2:1: YAML 语法错误：文件意外结束：可能有未闭合的引号或括号"),
    "bad indentation": (
        "topic:\n  a: b\n c: d\n",
        "3:2: YAML 语法错误：缩进不一致：同一层的键要对齐，列表项“- ”要对齐",
    ),
    "a value with ': ' inside": (
        "title: a: b\n",
        "1:9: YAML 语法错误：此处不能出现“键: 值”：可能缩进不对，或值中含有“: ”需要整体加引号",
    ),
    "a control character": (
        'a: b\nc: "中文\x01"\n',
        "2:7: YAML 语法错误：文件中有不可见的控制字符：请删除后重新输入该行",
    ),
    "nesting deeper than libyaml allows": (
        "[" * 1001 + "]" * 1001,
        "1:1001: YAML 语法错误：嵌套层数过多：记录用不到这么多层括号或缩进",
    ),
    "a list as a key": ("? [a]\n: b\n", "1:3: 键必须是简单的文字，不能是列表或映射"),
}


@pytest.mark.parametrize("text, expected", list(REFUSED.values()), ids=list(REFUSED))
def test_refused_with_a_position(text: str, expected: str) -> None:
    assert problems_of(text) == [f"{FILE}:{expected}"]


def test_every_tab_line_is_reported() -> None:
    assert problems_of("a:\n\t- b\n\t- c\n") == [
        f"{FILE}:2:1: 缩进中有制表符（Tab）：YAML 只能用空格缩进",
        f"{FILE}:3:1: 缩进中有制表符（Tab）：YAML 只能用空格缩进",
    ]


def test_gbk_bytes_are_refused_where_they_start() -> None:
    data = "title: 社区\nvenue: ".encode() + "议事厅".encode("gbk") + b"\n"
    assert problems_of(data) == [
        f"{FILE}:2:8: 文件不是 UTF-8 编码：请在编辑器中以 UTF-8 保存（可能是 GBK 编码）",
    ]


def test_a_whole_gbk_file_is_refused_at_its_first_chinese_character() -> None:
    assert problems_of("title: 社区食堂\n".encode("gbk")) == [
        f"{FILE}:1:8: 文件不是 UTF-8 编码：请在编辑器中以 UTF-8 保存（可能是 GBK 编码）",
    ]


def test_a_byte_order_mark_is_fine() -> None:
    document = load_bytes(b"\xef\xbb\xbftitle: a\n", FILE)
    assert isinstance(document.root, Mapping) and document.root.keys() == ["title"]
    assert document.root.items[0][0].mark == Mark(1, 1)


def test_a_file_over_256_kb_is_refused(tmp_path: Path) -> None:
    data = b"title: " + b"a" * MAX_FILE_BYTES + b"\n"
    assert problems_of(data) == [
        f"{FILE}:1:1: 文件过大：256 KB，上限为 256 KB，请删减内容或拆分记录",
    ]
    path = tmp_path / "big.yml"
    path.write_bytes(data)
    with pytest.raises(RecordError, match="文件过大"):
        load_file(path, FILE)


def test_a_file_of_exactly_256_kb_loads() -> None:
    prefix = b"title: "
    load_bytes(prefix + b"a" * (MAX_FILE_BYTES - len(prefix)), FILE)


def test_values_keep_their_source_text() -> None:
    text = "a: no\nb: 3.10\nc: 0x10\nd: 2022-03-18\ne: '007'\nf: ~\ng:\nh: |\n  x\n"
    root = load_bytes(text.encode(), FILE).root
    assert isinstance(root, Mapping)
    values = {key.value: value for key, value in root.items}
    assert [values[k].value for k in "abcde"] == ["no", "3.10", "0x10", "2022-03-18", "007"]
    assert all(isinstance(v, Scalar) for v in values.values())
    assert values["a"].plain and not values["e"].plain and not values["h"].plain
    assert values["f"].is_null and values["g"].is_null and not values["e"].is_null
    assert values["h"].value == "x\n"


def test_positions_are_one_based_and_count_characters() -> None:
    root = load_bytes("标题: 机电\nlist: [老旧小区, 环境卫生]\n".encode(), FILE).root
    assert isinstance(root, Mapping)
    first_key, first_value = root.items[0]
    assert first_key.mark == Mark(1, 1) and first_value.mark == Mark(1, 5)
    sequence = root.get("list")
    assert isinstance(sequence, Sequence)
    assert [item.mark for item in sequence.items] == [Mark(2, 8), Mark(2, 14)]
    assert root.get("missing") is None


def test_nodes_are_immutable() -> None:
    root = load_bytes(b"a: b\n", FILE).root
    with pytest.raises(AttributeError):
        root.mark = Mark(2, 2)  # type: ignore[misc]


def test_deep_nesting_loads_without_recursion() -> None:
    depth = 1000  # libyaml's own limit
    root = load_bytes(("[" * depth + "]" * depth).encode(), FILE).root
    for _ in range(depth - 1):
        assert isinstance(root, Sequence)
        root = root.items[0]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_or_raise_record_error(data: bytes) -> None:
    try:
        load_bytes(data, FILE)
    except RecordError as error:
        assert error.problems and all(p.line >= 1 and p.column >= 1 for p in error.problems)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab: -[]{}#&*!|>'\"\n\t,?%@`中：", max_size=80))
def test_any_yaml_like_text_loads_or_raises_record_error(text: str) -> None:
    try:
        load_bytes(text.encode(), FILE)
    except RecordError as error:
        assert error.problems and all(p.line >= 1 and p.column >= 1 for p in error.problems)
