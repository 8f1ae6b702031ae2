"""Read one record file into a tree of nodes that remember their line and column.

We parse YAML *events* with libyaml (PyYAML's ``CParser``) and build our own small
node tree instead of letting PyYAML construct Python objects. That way:

* nothing is ever constructed from a tag (``!!python/object`` is refused);
* anchors, aliases, duplicate keys and extra documents are caught with their
  position;
* every scalar keeps its source text, so ``no`` stays the text "no" and
  ``3.10`` stays "3.10": the validator decides what a value means from the
  field it is in, not from YAML 1.1's guesses.

``check`` reads ten thousand files; building their trees would cost as much
as everything else it does. So ``read_file`` only reads and decodes, the
validator walks the same events once (``Document.events``) and the tree is
built only when something asks for it: a problem at the YAML level, or a scan
of every scalar (personal data, placeholders). ``load_file`` builds it at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import yaml
from yaml._yaml import CParser  # libyaml's parser alone: no constructor, no resolver

from generator.records.problems import Problem, RecordError

MAX_FILE_BYTES = 256 * 1024
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})

# Nodes are NamedTuples rather than frozen dataclasses: just as immutable, and a
# checked archive creates millions of them; a frozen dataclass takes several
# times longer to construct. The builder below creates them with
# ``tuple.__new__`` directly, skipping even the NamedTuple constructor.


class Mark(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based


class Scalar(NamedTuple):
    value: str
    plain: bool  # written without quotes or block style
    mark: Mark

    @property
    def is_null(self) -> bool:
        return self.plain and self.value in _NULL_WORDS


class Sequence(NamedTuple):
    items: tuple[Node, ...]
    mark: Mark


class Mapping(NamedTuple):
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


# The events a reader of ``Document.events`` meets, by exact class.
StreamStart = yaml.StreamStartEvent
DocumentStart = yaml.DocumentStartEvent
DocumentEnd = yaml.DocumentEndEvent
StreamEnd = yaml.StreamEndEvent
ScalarEvent = yaml.ScalarEvent
MappingStart = yaml.MappingStartEvent
MappingEnd = yaml.MappingEndEvent
SequenceStart = yaml.SequenceStartEvent
SequenceEnd = yaml.SequenceEndEvent
YAMLError = yaml.YAMLError


@dataclass(frozen=True)
class Document:
    """One record file, read and decoded.

    Its node tree (``root``) is built the first time something asks for it, and
    building it raises RecordError for anything the loader refuses. Validation
    does not need the tree for a file without problems: it walks the YAML events
    once (``events``) and asks for the tree only to report a problem at the
    YAML level or to look at every scalar of the file. Building the tree costs
    as much as the rest of checking a file.
    """

    path: str  # as shown to editors, e.g. content/cases/2022-x.yml
    text: str
    source: bytes = b""  # the file as read; lets checks skip work cheaply (see privacy.py)

    @cached_property
    def root(self) -> Node:
        return _parse(self.text, self.path)

    def parse(self) -> Node:
        """The node tree, built now if not yet: raises RecordError for what the loader refuses."""
        return self.root

    def events(self) -> Callable[[], yaml.Event | None]:
        """The file's YAML events, one per call, then None.

        Only the tree refuses anchors and tags: a file that could hold one is
        parsed into nodes first, so that a reader of the events never meets
        one. Anything else the tree refuses (a duplicate key, an alias, a key
        that is not text, a second document, a syntax error) a reader must
        hand over to ``root``, which raises with the position.
        """
        if "&" in self.text or "!" in self.text:  # anchors need "&", tags "!"
            self.parse()
        return CParser(self.text).get_event


def read_file(path: str | os.PathLike[str], display_path: str) -> Document:
    """Read and decode one record file; its nodes are parsed when first needed."""
    with open(path, "rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)  # never more: a huge file is refused unread
        if len(data) > MAX_FILE_BYTES:
            raise _too_large(display_path, os.fstat(file.fileno()).st_size)
    return read_bytes(data, display_path)


def read_bytes(data: bytes, display_path: str) -> Document:
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(display_path, len(data))
    return Document(display_path, _decode(data, display_path), data)


def load_file(path: str | os.PathLike[str], display_path: str) -> Document:
    """Load one record file into nodes; raise RecordError with every problem that stops loading."""
    document = read_file(path, display_path)
    document.parse()
    return document


def load_bytes(data: bytes, display_path: str) -> Document:
    document = read_bytes(data, display_path)
    document.parse()
    return document


def _too_large(display_path: str, size: int) -> RecordError:
    return _error(
        display_path, Mark(1, 1),
        f"文件过大：{size // 1024} KB，上限为 256 KB，请删减内容或拆分记录",
    )


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


def _line_problems(text: str, display_path: str) -> list[Problem]:
    """The two slips that YAML reports most confusingly: tab indentation, a full-width colon.

    Only consulted when YAML cannot parse the file: in a file that parses, a tab
    or a "word：" at the start of a line is part of some text, not a mistake.
    """
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
    return problems


def _parse(text: str, display_path: str) -> Node:
    # Anchors need "&" and tags need "!": without either, no event can carry one.
    properties = "&" in text or "!" in text
    try:
        root = _build(CParser(text).get_event, display_path, properties)
    except yaml.YAMLError as exc:
        raise RecordError(
            _line_problems(text, display_path) or [_syntax_problem(exc, text, display_path)]
        ) from None
    if root is None:
        raise _error(display_path, Mark(1, 1), "文件是空的：请按格式填写记录")
    return root


def _syntax_problem(exc: yaml.YAMLError, text: str, display_path: str) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        message = _syntax_message(exc.problem or "")
    elif isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        where, message = _offset_mark(text, exc.position), _syntax_message(exc.reason or "")
    else:
        where, message = Mark(1, 1), f"YAML 语法错误：{exc}"
    return Problem(display_path, where.line, where.column, "", message)


def _offset_mark(text: str, offset: int) -> Mark:
    """The position of a byte offset into the UTF-8 form of ``text`` (libyaml counts bytes)."""
    before = text.encode("utf-8")[:offset].decode("utf-8", errors="ignore")
    line_start = before.rfind("\n") + 1
    return Mark(before.count("\n") + 1, len(before) - line_start + 1)


_new = tuple.__new__


def _build(next_event: Callable[[], yaml.Event | None], display_path: str,
           properties: bool = True) -> Node | None:
    """Turn the libyaml event stream into Nodes, refusing what records never need.

    The hot loop of every check: one iteration per YAML event, so it dispatches
    on the exact event class and creates nodes without calling constructors.
    """
    stack: list[tuple[list, Mark]] = []  # the open collections: (parent's items, start mark)
    items: list = []  # the items of the innermost open collection (a mapping's: k, v, k, v)
    top = items
    documents = 0
    while (event := next_event()) is not None:
        kind = type(event)
        if kind is _SCALAR:
            if properties and (event.anchor is not None or (
                    event.tag is not None and event.implicit == (False, False))):
                _refuse_anchor_and_tag(event, display_path)
            start = event.start_mark
            items.append(_new(Scalar, (
                event.value, not event.style, _new(Mark, (start.line + 1, start.column + 1)),
            )))
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            if properties and (event.anchor is not None or event.tag is not None):
                _refuse_anchor_and_tag(event, display_path)
            start = event.start_mark
            stack.append((items, _new(Mark, (start.line + 1, start.column + 1))))
            items = []
        elif kind is _MAPPING_END:
            parent, mark = stack.pop()
            parent.append(_new(Mapping, (_pairs(items, display_path), mark)))
            items = parent
        elif kind is _SEQUENCE_END:
            parent, mark = stack.pop()
            parent.append(_new(Sequence, (tuple(items), mark)))
            items = parent
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _error(
                    display_path, _mark(event),
                    "一个文件只能有一条记录：请删去“---”及其后的第二个文档，另建文件",
                )
        elif kind is yaml.AliasEvent:
            raise _error(display_path, _mark(event), "不支持 YAML 别名（*名称）：请直接写出内容")
    return top[0] if top else None


_SCALAR = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_MAPPING_END = yaml.MappingEndEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_SEQUENCE_END = yaml.SequenceEndEvent


def _mark(event: yaml.Event) -> Mark:
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def _refuse_anchor_and_tag(event: yaml.NodeEvent, display_path: str) -> None:
    if event.anchor is not None:
        raise _error(display_path, _mark(event), "不支持 YAML 锚点（&名称）：请直接写出内容")
    raise _error(
        display_path, _mark(event),
        f"不支持 YAML 标签（{_short_tag(event.tag or '')}）：请删去以“!”开头的标签",
    )


def _pairs(flat: list, display_path: str) -> tuple[tuple[Scalar, Node], ...]:
    """A mapping's alternating keys and values as (key, value) pairs; keys are unique text."""
    keys = flat[0::2]
    try:
        unique = len({key.value for key in keys}) == len(keys)  # only Scalars have .value
    except AttributeError:
        unique = False
    if unique:
        return tuple(zip(keys, flat[1::2], strict=True))
    seen: dict[str, Scalar] = {}
    for key in keys:
        if type(key) is not Scalar:
            raise _error(display_path, key.mark, "键必须是简单的文字，不能是列表或映射")
        earlier = seen.setdefault(key.value, key)
        if earlier is not key:
            raise _error(
                display_path, key.mark,
                f"重复的键“{key.value}”（第 {earlier.mark.line} 行已有）：请合并或删去其一",
            )
    return tuple(zip(keys, flat[1::2], strict=True))


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
    ("exceeded maximum nesting depth", "嵌套层数过多：记录用不到这么多层括号或缩进"),
)


def _syntax_message(problem: str) -> str:
    for prefix, message in _SYNTAX_HINTS:
        if problem.startswith(prefix):
            return f"YAML 语法错误：{message}"
    return f"YAML 语法错误：{problem}"


def _error(display_path: str, mark: Mark, message: str) -> RecordError:
    return RecordError([Problem(display_path, mark.line, mark.column, "", message)])
