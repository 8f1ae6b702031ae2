"""Read one record file into a tree of nodes that remember their line and column.

We parse YAML *events* with libyaml (``CSafeLoader``) and build our own small
node tree instead of letting PyYAML construct Python objects. That way:

* nothing is ever constructed from a tag (``!!python/object`` is refused);
* anchors, aliases, duplicate keys and extra documents are caught with their
  position;
* every scalar keeps its source text, so ``no`` stays the text "no" and
  ``3.10`` stays "3.10": the validator decides what a value means from the
  field it is in, not from YAML 1.1's guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.problems import Problem, RecordError

MAX_FILE_BYTES = 256 * 1024
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class Scalar:
    value: str
    plain: bool  # written without quotes or block style
    mark: Mark

    @property
    def is_null(self) -> bool:
        return self.plain and self.value in _NULL_WORDS


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    mark: Mark


@dataclass(frozen=True)
class Mapping:
    items: tuple[tuple[Scalar, Node], ...]
    mark: Mark

    def get(self, key: str) -> Node | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def keys(self) -> list[str]:
        return [k.value for k, _ in self.items]


Node = Scalar | Sequence | Mapping


@dataclass(frozen=True)
class Document:
    path: str  # as shown to editors, e.g. content/cases/2022-x.yml
    root: Node


def load_file(path: Path, display_path: str) -> Document:
    """Load one record file; raise RecordError with every problem that stops loading."""
    data = path.read_bytes()
    return load_bytes(data, display_path)


def load_bytes(data: bytes, display_path: str) -> Document:
    if len(data) > MAX_FILE_BYTES:
        raise _error(
            display_path, Mark(1, 1),
            f"文件过大：{len(data) // 1024} KB，上限为 256 KB，请删减内容或拆分记录",
        )
    text = _decode(data, display_path)
    _check_lines(text, display_path)
    return Document(display_path, _parse(text, display_path))


def _decode(data: bytes, display_path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        raise _error(
            display_path, Mark(line, column),
            "文件不是 UTF-8 编码：请在编辑器中以 UTF-8 保存（可能是 GBK 编码）",
        ) from None


_FULLWIDTH_COLON_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_]+\s*：")


def _check_lines(text: str, display_path: str) -> None:
    """Catch the two slips that YAML reports most confusingly."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            problems.append(Problem(
                display_path, number, line.index("\t") + 1, "",
                "缩进中有制表符（Tab）：YAML 只能用空格缩进",
            ))
        elif _FULLWIDTH_COLON_KEY.match(line):
            problems.append(Problem(
                display_path, number, line.index("：") + 1, "",
                "键后面用了中文冒号“：”：请改为英文冒号加空格“: ”",
            ))
    if problems:
        raise RecordError(problems)


def _parse(text: str, display_path: str) -> Node:
    builder = _TreeBuilder(display_path)
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        raise _error(display_path, where, _syntax_message(exc.problem or "")) from None
    except yaml.YAMLError as exc:
        raise _error(display_path, Mark(1, 1), f"YAML 语法错误：{exc}") from None
    if builder.root is None:
        raise _error(display_path, Mark(1, 1), "文件是空的：请按格式填写记录")
    return builder.root


class _TreeBuilder:
    """Turns the libyaml event stream into Nodes, refusing what records never need."""

    def __init__(self, display_path: str) -> None:
        self.display_path = display_path
        self.root: Node | None = None
        self.documents = 0
        # Each open collection: (kind, mark, items, pending key for mappings).
        self.stack: list[list] = []

    def feed(self, event: yaml.Event) -> None:
        mark = Mark(event.start_mark.line + 1, event.start_mark.column + 1)
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _error(
                    self.display_path, mark,
                    "一个文件只能有一条记录：请删去“---”及其后的第二个文档，另建文件",
                )
        elif isinstance(event, yaml.AliasEvent):
            raise _error(self.display_path, mark, "不支持 YAML 别名（*名称）：请直接写出内容")
        elif isinstance(event, yaml.ScalarEvent | yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._refuse_anchor_and_tag(event, mark)
            if isinstance(event, yaml.ScalarEvent):
                self._add(Scalar(event.value, event.style in (None, ""), mark))
            else:
                kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
                self.stack.append([kind, mark, [], None])
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            kind, start, items, _ = self.stack.pop()
            node: Node = Sequence(tuple(items), start) if kind == "seq" else Mapping(
                tuple(items), start
            )
            self._add(node)

    def _refuse_anchor_and_tag(self, event: yaml.NodeEvent, mark: Mark) -> None:
        if event.anchor is not None:
            raise _error(self.display_path, mark, "不支持 YAML 锚点（&名称）：请直接写出内容")
        explicit_tag = event.tag is not None and (
            not isinstance(event, yaml.ScalarEvent) or not any(event.implicit)
        )
        if explicit_tag:
            raise _error(
                self.display_path, mark,
                f"不支持 YAML 标签（{_short_tag(event.tag)}）：请删去以“!”开头的标签",
            )

    def _add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        kind, _, items, pending_key = frame
        if kind == "seq":
            items.append(node)
        elif pending_key is None:
            frame[3] = self._key(node, items)
        else:
            items.append((pending_key, node))
            frame[3] = None

    def _key(self, node: Node, items: list[tuple[Scalar, Node]]) -> Scalar:
        if not isinstance(node, Scalar):
            raise _error(self.display_path, node.mark, "键必须是简单的文字，不能是列表或映射")
        for earlier, _ in items:
            if earlier.value == node.value:
                raise _error(
                    self.display_path, node.mark,
                    f"重复的键“{node.value}”（第 {earlier.mark.line} 行已有）：请合并或删去其一",
                )
        return node


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


# libyaml's problem texts, translated for editors. Matched by prefix.
_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed",
     "此处不能出现“键: 值”：可能缩进不对，或值中含有“: ”需要整体加引号"),
    ("could not find expected ':'", "缺少冒号：键和值之间要用英文冒号加空格“: ”分隔"),
    ("did not find expected key", "缩进不一致：同一层的键要对齐，列表项“- ”要对齐"),
    ("did not find expected '-' indicator", "列表缩进不一致：每一项都应以同样缩进的“- ”开头"),
    ("block sequence entries are not allowed", "此处不能出现列表项“- ”：请检查缩进"),
    ("found character that cannot start any token",
     "出现了不能作为开头的字符（如 @ 或 `）：请给这个值加引号"),
    ("found unexpected end of stream", "文件意外结束：可能有未闭合的引号或括号"),
    ("found unknown escape character", "双引号中的“\\”转义无效：请改用单引号或去掉反斜杠"),
    ("did not find expected ',' or ']'", "方括号列表没有正确结束：缺少“]”或逗号"),
    ("did not find expected ',' or '}'", "花括号映射没有正确结束：缺少“}”或逗号"),
    ("did not find expected node content", "这里缺少内容：请检查是否多了或少了符号"),
    ("found unexpected ':'", "出现了多余的冒号：值中含有冒号时请整体加引号"),
    ("control characters are not allowed", "文件中有不可见的控制字符：请删除后重新输入该行"),
    ("found undefined tag handle", "不支持 YAML 标签：请删去以“!”开头的标签"),
    ("found incomplete explicit document", "文档分隔符后缺少内容"),
)


def _syntax_message(problem: str) -> str:
    for prefix, message in _SYNTAX_HINTS:
        if problem.startswith(prefix):
            return f"YAML 语法错误：{message}"
    return f"YAML 语法错误：{problem}"


def _error(display_path: str, mark: Mark, message: str) -> RecordError:
    return RecordError([Problem(display_path, mark.line, mark.column, "", message)])
