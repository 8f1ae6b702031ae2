"""Validate one record file: its YAML events -> a model object and every problem in it.

Four passes over one file, all reporting into the same list so that an
editor sees every problem at once:

1. shapes, driven by ``schema.py``, in one walk over the YAML events: known
   keys, required fields, kinds, enumerations, lengths, dates that exist
   (the node tree is not built for this; see ``loader.py``);
2. rules between fields of the same file: date order, 预告, item numbers,
   no names for 群众代表, ...;
3. personal data in every scalar of the file (``privacy.py``);
4. placeholders that ``generator new`` wrote and the editor has not yet
   replaced (``schema.PLACEHOLDER``): one "尚未填写" message per field, in place
   of whatever pass 1 said about the placeholder text.

A model object is built only when the file has no problem at all. Rules that
need other files (platform references, inherited method steps, the parent
tree, unique ids) are checked in ``archive.py``, from the ``refs`` returned
here with the positions they need.

Field paths and positions, the convention every message follows:

* a path names the field as the editor wrote it, with **1-based** list
  indexes: ``consensus.items[1].due`` is the ``due`` of the first consensus
  item, the same number ``follow_up[].item`` uses to refer to it;
* the position (line, column) is where that field starts: the key for a
  field of a mapping, the element itself for a list element. A missing
  field is reported at the key of the mapping that should hold it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn
from urllib.parse import urlsplit

from generator.records import model, privacy
from generator.records.ids import ID_RULE, is_valid_id, suggest_id
from generator.records.loader import (
    Document,
    DocumentEnd,
    DocumentStart,
    Mapping,
    MappingEnd,
    MappingStart,
    Mark,
    Node,
    Scalar,
    ScalarEvent,
    SequenceEnd,
    SequenceStart,
    StreamEnd,
    YAMLError,
)
from generator.records.problems import Problem
from generator.records.schema import CASE, PLACEHOLDER, PLATFORM, URL_SCHEMES, Field

# Dates: ASCII digits only (\d would accept full-width digits).
_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INT: Final = re.compile(r"[+-]?[0-9]+")
_URL_FORBIDDEN: Final = re.compile(r"[\s\"'<>\\\x00-\x1f\x7f]")
_SHOW_MAX: Final = 40
_NULL_WORDS: Final = frozenset({"", "~", "null", "Null", "NULL"})  # as loader.Scalar.is_null
# One object for every equal date and short text of the records one process reads: a
# role, a status, a department, a platform's id recur in thousands of cases. The records
# are pickled from the checking workers a chunk at a time, and pickle writes an object
# once per chunk, so the build's process receives (and holds) each value a few times
# instead of once per case: a third less memory for the archive (bench/README.md).
_from_iso: Final = functools.lru_cache(maxsize=16384)(dt.date.fromisoformat)
_SHARED_UP_TO: Final = 64  # characters; longer texts (a background, a note) seldom recur
_PLACEHOLDER_BYTES: Final = PLACEHOLDER.encode("utf-8")
_new: Final = tuple.__new__  # a Mark without calling its constructor: see loader.py


class _Invalid:
    """Marks a value that was present but wrong (already reported)."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID: Final = _Invalid()


class _Object(dict):
    """A checked mapping: field name -> converted value, with where each key was.

    ``mark`` is where the mapping's field starts (its key); ``marks`` has every
    key written, empty ones included. Set right after construction.
    """

    __slots__ = ("mark", "marks")
    mark: Mark
    marks: dict[str, Mark]


class _List(list):
    """A checked list: converted elements, with where each element was."""

    __slots__ = ("mark", "marks")
    mark: Mark
    marks: list[Mark]


@dataclass(frozen=True)
class StepRef:
    """A case's step name with its position, for the cross-file method check."""

    name: str
    mark: Mark
    path: str


@dataclass(frozen=True)
class PlatformRefs:
    """What cross-file rules need to know about a platform file, even a broken one."""

    parent: str | None = None
    parent_mark: Mark | None = None
    level: str | None = None
    level_mark: Mark | None = None
    method: model.Method | None = None


@dataclass(frozen=True)
class CaseRefs:
    """What cross-file rules need to know about a case file, even a broken one."""

    platform: str | None = None
    platform_mark: Mark | None = None
    steps: tuple[StepRef, ...] = ()
    former_ids: tuple[IdRef, ...] = ()


@dataclass(frozen=True)
class IdRef:
    """An id a record mentions (an entry of ``former_ids``), with its position."""

    id: str
    mark: Mark
    path: str


@dataclass
class PlatformResult:
    platform: model.Platform | None
    problems: list[Problem]
    refs: PlatformRefs = field(default_factory=PlatformRefs)


@dataclass
class CaseResult:
    case: model.Case | None
    problems: list[Problem]
    refs: CaseRefs = field(default_factory=CaseRefs)


def validate_platform(document: Document, platform_id: str) -> PlatformResult:
    checker = _Checker(document)
    root = checker.root(PLATFORM)
    if root is INVALID:
        return PlatformResult(None, checker.problems)
    _platform_rules(checker, root)
    _personal_data(checker, document, _platform_personal_data_message)
    _placeholders(checker, document, PLATFORM)
    refs = _platform_refs(root)
    if checker.problems:
        return PlatformResult(None, sorted(checker.problems), refs)
    return PlatformResult(_platform(platform_id, document.path, root), [], refs)


def validate_case(document: Document, case_id: str, as_of: dt.date, *,
                  build_model: bool = True) -> CaseResult:
    """Check one case file; ``build_model=False`` skips the model object (``check`` needs
    only the problems, and building it is a sixth of the time)."""
    checker = _Checker(document)
    root = checker.root(CASE)
    if root is INVALID:
        return CaseResult(None, checker.problems)
    _case_rules(checker, root, as_of)
    _personal_data(checker, document, _case_personal_data_message)
    _placeholders(checker, document, CASE)
    refs = _case_refs(root)
    if checker.problems:
        return CaseResult(None, sorted(checker.problems), refs)
    return CaseResult(_case(case_id, document.path, root) if build_model else None, [], refs)


# ---------------------------------------------------------------------------
# Pass 1: shapes, driven by the schema.


class _Checker:
    """Converts a file's YAML events to Python values field by field, collecting problems.

    One walk over the events, no node tree: each converter receives the first
    event of its field's value and consumes the rest of it. A value that is not
    converted (an unknown key, a wrong shape) is stepped over by ``_skip``.
    Whatever the loader refuses is left to the loader: the checker asks for the
    document's node tree, which raises RecordError with the loader's message.
    """

    def __init__(self, document: Document) -> None:
        self.file = document.path
        self.document = document
        self.problems: list[Problem] = []
        self.next_event = document.events()

    def error(self, mark: Mark, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, mark.line, mark.column, path, message))

    def root(self, spec: Field) -> Any:
        try:
            return self._document(spec)
        except YAMLError:  # a syntax error: the loader says where and what
            self._refused()

    def _document(self, spec: Field) -> Any:
        next_event = self.next_event
        next_event()  # the stream's start
        if type(next_event()) is not DocumentStart:
            self._refused()  # an empty file
        node = next_event()
        mark = _mark(node)
        if type(node) is MappingStart:
            value = self._object(node, spec, "", mark)
        else:
            self._skip(node)
            self.error(mark, "", f"记录应为“键: 值”形式的映射，实际为{_shape(node)}")
            value = INVALID
        if type(next_event()) is not DocumentEnd or type(next_event()) is not StreamEnd:
            self._refused()  # a second document
        return value

    def _refused(self) -> NoReturn:
        """The events hold something the loader refuses: building the tree raises its message."""
        self.document.parse()
        raise AssertionError(f"{self.file}: the node tree accepted what the events refused")

    def _skip(self, node: Any) -> None:
        """Step over the value that starts with ``node``; its contents are not converted.

        The loader still checks them (duplicate keys, aliases): the tree is built,
        which costs nothing that matters, since the file has a problem already.
        """
        if type(node) is ScalarEvent:
            return
        self.document.parse()
        if type(node) is not MappingStart and type(node) is not SequenceStart:
            self._refused()  # an alias
        next_event, depth = self.next_event, 1
        while depth:
            kind = type(next_event())
            if kind is MappingStart or kind is SequenceStart:
                depth += 1
            elif kind is MappingEnd or kind is SequenceEnd:
                depth -= 1

    # Each converter returns the field's value, None when it is empty, or INVALID
    # when it is wrong (and reported). The three below run for every field of every
    # file: they avoid helper calls that the other kinds can afford.

    def _object(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        if type(node) is not MappingStart:
            self._skip(node)
            self.error(mark, path, f"应为“键: 值”形式的映射，实际为{_shape(node)}")
            return INVALID
        out = _Object()
        out.mark = mark
        out.marks = marks = {}
        convert = _CONVERT
        known = spec.index
        prefix = f"{path}." if path else ""
        next_event = self.next_event
        unknown: set[str] = set()
        while type(key := next_event()) is ScalarEvent:
            name = key.value
            if name in marks or name in unknown:
                self._refused()  # a duplicate key
            start = key.start_mark
            key_mark = _new(Mark, (start.line + 1, start.column + 1))
            child = next_event()
            child_spec = known.get(name)
            if child_spec is None:
                self._skip(child)
                self.error(key_mark, prefix + name, _unknown_key_message(name, spec))
                unknown.add(name)
                continue
            if type(child) is ScalarEvent and not child.style and child.value in _NULL_WORDS:
                value = None
            else:
                value = convert[child_spec.kind](self, child, child_spec, prefix + name, key_mark)
            if value is None:
                marks[name] = key_mark  # present but empty: not "missing"
                if child_spec.required:
                    self.error(key_mark, prefix + name,
                               f"必填字段“{name}”（{child_spec.title}）不能为空")
                continue
            out[name] = value
            marks[name] = key_mark
        if type(key) is not MappingEnd:
            self._refused()  # a key that is a list or a mapping, or an alias
        for name in spec.required_names:
            if name not in marks:
                self.error(mark, prefix + name,
                           f"缺少必填字段“{name}”（{spec.index[name].title}）")
        return out

    def _list(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        if type(node) is not SequenceStart:
            self._skip(node)
            self.error(mark, path, f"应为列表，实际为{_shape(node)}：多项请写成 [甲, 乙]，"
                                   "或每项一行、以“- ”开头")
            return INVALID
        item_spec = spec.item
        assert item_spec is not None
        convert = _CONVERT[item_spec.kind]
        out = _List()
        out.mark = mark
        out.marks = marks = []
        next_event = self.next_event
        index = 0
        while type(child := next_event()) is not SequenceEnd:
            index += 1
            start = child.start_mark
            child_mark = _new(Mark, (start.line + 1, start.column + 1))
            if type(child) is ScalarEvent and not child.style and child.value in _NULL_WORDS:
                value = None
            else:
                value = convert(self, child, item_spec, f"{path}[{index}]", child_mark)
            if value is None:
                self.error(child_mark, f"{path}[{index}]", "这一项是空的：请填写内容或删去这一项")
                value = INVALID
            out.append(value)
            marks.append(child_mark)
        count = len(out)
        if spec.max_items is not None and not spec.min_items <= count <= spec.max_items:
            self.error(mark, path,
                       f"应有 {spec.min_items} 到 {spec.max_items} 项，实际为 {count} 项")
        elif count < spec.min_items:
            self.error(mark, path, f"至少需要 {spec.min_items} 项")
        return out

    def _text(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        if type(node) is not ScalarEvent:
            return self._not_scalar(node, path, mark, "文字")
        text = node.value.strip()
        if not text:
            return None
        if spec.max_length is not None and len(text) > spec.max_length:
            self.error(mark, path, f"最多 {spec.max_length} 个字符，实际为 {len(text)} 个字符")
            return INVALID
        return sys.intern(text) if len(text) <= _SHARED_UP_TO else text

    def _scalar(self, node: Any, path: str, mark: Mark, expected: str) -> Any:
        if type(node) is ScalarEvent:
            return node
        self._not_scalar(node, path, mark, expected)
        return None

    def _not_scalar(self, node: Any, path: str, mark: Mark, expected: str) -> _Invalid:
        self._skip(node)
        self.error(mark, path, f"应为{expected}，实际为{_shape(node)}")
        return INVALID

    def _date(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        scalar = self._scalar(node, path, mark, "日期（YYYY-MM-DD）")
        if scalar is None:
            return INVALID
        text = scalar.value
        match = _DATE.fullmatch(text)
        if match is None:
            self.error(mark, path, f"日期应为 YYYY-MM-DD 格式，实际为 {_show(text)}")
            return INVALID
        try:
            return _from_iso(text)
        except ValueError:
            year, month, _ = (int(part) for part in match.groups())
            self.error(mark, path, _impossible_date_message(text, year, month))
            return INVALID

    def _int(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        scalar = self._scalar(node, path, mark, "整数")
        if scalar is None:
            return INVALID
        if scalar.style or _INT.fullmatch(scalar.value) is None:  # quoted, or not a number
            hint = "（不要加引号）" if _INT.fullmatch(scalar.value.strip()) else ""
            self.error(mark, path, f"应为整数，实际为 {_show(scalar.value)}{hint}")
            return INVALID
        number = int(scalar.value)
        if spec.minimum is not None and number < spec.minimum:
            self.error(mark, path, f"应不小于 {spec.minimum}，实际为 {number}")
            return INVALID
        return number

    def _bool(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        scalar = self._scalar(node, path, mark, "true 或 false")
        if scalar is None:
            return INVALID
        if not scalar.style and scalar.value in ("true", "false"):
            return scalar.value == "true"
        self.error(mark, path, f"应为 true 或 false，实际为 {_show(scalar.value)}")
        return INVALID

    def _enum(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        if type(node) is not ScalarEvent:  # the expected values are joined only for the message
            return self._not_scalar(node, path, mark, "以下之一：" + "、".join(spec.values))
        value = node.value.strip()
        if value in spec.values:
            return sys.intern(value)
        self.error(mark, path, _enum_message(value, spec.values))
        return INVALID

    def _url(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        scalar = self._scalar(node, path, mark, "网址")
        if scalar is None:
            return INVALID
        message = url_problem(scalar.value)
        if message:
            self.error(mark, path, message)
            return INVALID
        return scalar.value

    def _id(self, node: Any, spec: Field, path: str, mark: Mark) -> Any:
        scalar = self._scalar(node, path, mark, "编号")
        if scalar is None:
            return INVALID
        value = scalar.value.strip()
        if is_valid_id(value):
            return sys.intern(value)
        self.error(mark, path, id_problem(value))
        return INVALID


# Converter of each kind of field; a class-level table, so nothing is bound per file.
_CONVERT: Final[dict[str, Callable[..., Any]]] = {
    "text": _Checker._text,
    "multiline": _Checker._text,
    "date": _Checker._date,
    "int": _Checker._int,
    "bool": _Checker._bool,
    "enum": _Checker._enum,
    "url": _Checker._url,
    "id": _Checker._id,
    "list": _Checker._list,
    "object": _Checker._object,
}


def _shape(node: Any) -> str:
    """What a value that starts with the event ``node`` is, for a message."""
    if type(node) is ScalarEvent:
        return f"文字 {_show(node.value)}"
    return "列表" if type(node) is SequenceStart else "“键: 值”映射"


def _mark(event: Any) -> Mark:
    start = event.start_mark
    return Mark(start.line + 1, start.column + 1)


def _show(value: str) -> str:
    """An editor's value quoted for a message: one line, at most _SHOW_MAX characters."""
    text = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(text) > _SHOW_MAX:
        text = text[: _SHOW_MAX - 1] + "…"
    return f'"{text}"'


def _unknown_key_message(name: str, spec: Field) -> str:
    guess = spec.closest(name)
    if guess:
        return f"未知字段“{name}”：是否应为“{guess}”？"
    return f"未知字段“{name}”：这里可以填写的字段有 {'、'.join(spec.by_name)}"


def _enum_message(value: str, values: tuple[str, ...]) -> str:
    import difflib  # only on the error path

    message = f"应为以下之一：{'、'.join(values)}；实际为 {_show(value)}"
    guess = difflib.get_close_matches(value, values, n=1, cutoff=0.5)
    return f"{message}，是否应为“{guess[0]}”？" if guess else message


def _impossible_date_message(text: str, year: int, month: int) -> str:
    if not 1 <= month <= 12:
        return f"日期不存在：{_show(text)} 的月份应为 01 到 12"
    if year == 0:
        return f"日期不存在：{_show(text)} 的年份不能为 0000"
    days = calendar.monthrange(year, month)[1]
    return f"日期不存在：{_show(text)}，{year} 年 {month} 月只有 {days} 天"


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an acceptable link, or None. http and https only."""
    if _URL_FORBIDDEN.search(url):
        return "网址中不能有空格、引号、尖括号、反斜杠或控制字符：请只保留网址本身"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return f"网址格式不正确：{_show(url)}"
    if parts.scheme.lower() not in URL_SCHEMES:
        return f"网址应以 http:// 或 https:// 开头，实际为 {_show(url)}"
    if not host:
        return f"网址缺少域名：{_show(url)}，应形如 https://example.org/..."
    return None


def id_problem(value: str) -> str:
    message = f"{_show(value)} 不是有效的编号：{ID_RULE}"
    suggestion = suggest_id(value)
    if suggestion and suggestion != value:
        message += f"；是否应为“{suggestion}”？"
    return message


# ---------------------------------------------------------------------------
# Pass 2: rules between fields of one file.


def _platform_rules(checker: _Checker, root: _Object) -> None:
    method = root.get("method")
    if not isinstance(method, _Object):
        return
    steps = method.get("steps")
    if not isinstance(steps, _List):
        return
    first_seen: dict[str, int] = {}
    for index, name in enumerate(steps, start=1):
        if not isinstance(name, str):
            continue
        if name in first_seen:
            checker.error(steps.marks[index - 1], f"method.steps[{index}]",
                          f"步骤名称“{name}”重复（第 {first_seen[name]} 项已有）："
                          "同一方法的步骤名称不能重复")
        else:
            first_seen[name] = index


_ANNOUNCED_ONLY_ABSENT: Final = ("consensus", "follow_up", "evaluation")


def _case_rules(checker: _Checker, root: _Object, as_of: dt.date) -> None:
    day = root.get("date")
    day = day if isinstance(day, dt.date) else None
    if day is not None:
        _announcement_rules(checker, root, day, as_of)
    items = _consensus_rules(checker, root.get("consensus"), day)
    _follow_up_rules(checker, root.get("follow_up"), day, items)
    _evaluation_rules(checker, root.get("evaluation"), day)
    _notice_rules(checker, root.get("notice"))
    _participants_rules(checker, root.get("participants"))


def _announcement_rules(checker: _Checker, root: _Object, day: dt.date, as_of: dt.date) -> None:
    if day > as_of:
        for name in _ANNOUNCED_ONLY_ABSENT:
            if name in root:
                title = CASE.by_name[name].title
                checker.error(root.marks[name], name,
                              f"协商日期 {day} 晚于当前日期 {as_of}，是协商预告：预告不能填写"
                              f"“{name}”（{title}），请在协商举行后再填写")
    elif "consensus" not in root and "withdrawn" not in root:
        checker.error(root.mark, "consensus",
                      f"缺少必填字段“consensus”（协商结果）：协商日期 {day} 已过，请填写协商结果；"
                      "若协商还没有举行，请把 date 改为计划的日期")


def _consensus_rules(checker: _Checker, consensus: Any, day: dt.date | None) -> int | None:
    """Check the consensus; return how many items it has, or None when that is unclear."""
    if not isinstance(consensus, _Object):
        return None  # missing or wrong: reported already, item numbers cannot be judged
    items = consensus.get("items")
    if consensus.get("reached", True) is True and (items is None or items == []):
        checker.error(consensus.marks.get("items", consensus.mark), "consensus.items",
                      "达成共识（reached 为 true）时至少要有 1 条共识事项；"
                      "未达成共识请写 reached: false")
        return None  # the follow-up's item numbers cannot be judged either
    if not isinstance(items, _List):
        return 0 if items is None else None
    for index, item in enumerate(items, start=1):
        due = item.get("due") if isinstance(item, _Object) else None
        if day is not None and isinstance(due, dt.date) and due < day:
            checker.error(item.marks["due"], f"consensus.items[{index}].due",
                          f"完成期限 {due} 早于协商日期 {day}")
    return len(items)


def _follow_up_rules(checker: _Checker, entries: Any, day: dt.date | None,
                     items: int | None) -> None:
    if not isinstance(entries, _List):
        return
    previous: dt.date | None = None
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, _Object):
            continue
        when = entry.get("date")
        if isinstance(when, dt.date):
            path = f"follow_up[{index}].date"
            if day is not None and when < day:
                checker.error(entry.marks["date"], path, f"跟踪日期 {when} 早于协商日期 {day}")
            if previous is not None and when < previous:
                checker.error(entry.marks["date"], path,
                              f"跟踪记录应按日期先后排列：{when} 早于上一条的 {previous}")
            previous = when
        number = entry.get("item")
        if isinstance(number, int) and items is not None and number > items:
            checker.error(entry.marks["item"], f"follow_up[{index}].item",
                          _missing_item_message(number, items))


def _missing_item_message(number: int, items: int) -> str:
    if items == 0:
        return f"没有第 {number} 条共识事项：consensus.items 中还没有事项"
    return f"没有第 {number} 条共识事项：共识事项共 {items} 条，序号从 1 开始"


def _evaluation_rules(checker: _Checker, entries: Any, day: dt.date | None) -> None:
    if not isinstance(entries, _List) or day is None:
        return
    for index, entry in enumerate(entries, start=1):
        when = entry.get("date") if isinstance(entry, _Object) else None
        if isinstance(when, dt.date) and when < day:
            checker.error(entry.marks["date"], f"evaluation[{index}].date",
                          f"评价日期 {when} 早于协商日期 {day}")


def _notice_rules(checker: _Checker, notice: Any) -> None:
    if not isinstance(notice, _Object):
        return
    start, end = notice.get("from"), notice.get("to")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        checker.error(notice.marks["to"], "notice.to", f"公示结束日期 {end} 早于开始日期 {start}")


def _participants_rules(checker: _Checker, participants: Any) -> None:
    groups = participants.get("groups") if isinstance(participants, _Object) else None
    if not isinstance(groups, _List):
        return
    for index, group in enumerate(groups, start=1):
        if not isinstance(group, _Object) or group.get("role") not in model.ANONYMOUS_ROLES:
            continue
        if group.get("names"):
            checker.error(group.marks["names"], f"participants.groups[{index}].names",
                          f"{group['role']}不能填写姓名（保护居民隐私）："
                          "请删去 names，只填写人数 count")


# ---------------------------------------------------------------------------
# Pass 3: personal data, in every scalar of the file (unknown fields included).


def _personal_data(checker: _Checker, document: Document,
                   message: Callable[[str, privacy.Finding], str | None]) -> None:
    if document.source and not privacy.may_contain_personal_data(document.source):
        return  # the common case: nothing that could be a number or an address
    for path, mark, text in _scalars_with_paths(document.root):
        for finding in privacy.find_personal_data(text):
            text_of_message = message(path, finding)
            if text_of_message:
                checker.error(mark, path, text_of_message)


def _case_personal_data_message(path: str, finding: privacy.Finding) -> str:
    return (f"含有{finding.kind_name}“{finding.masked}”：公开记录中不能出现个人信息，"
            "请删除或改用单位的公开联系方式")


def _platform_personal_data_message(path: str, finding: privacy.Finding) -> str | None:
    if finding.kind == "mobile":
        if path == "contact":
            return None  # the one place for a (public, official) phone number
        return f"含有{finding.kind_name}“{finding.masked}”：电话号码只能填在 contact（联系方式）中"
    return f"含有{finding.kind_name}“{finding.masked}”：公开记录中不能出现个人信息，请删除"


# ---------------------------------------------------------------------------
# Pass 4: placeholders left by ``generator new``.


def _placeholders(checker: _Checker, document: Document, spec: Field) -> None:
    """Report every field still holding （待填写）; drop what pass 1 said about those fields.

    An enumeration or a date holding the placeholder would otherwise get "应为以下之一"
    or "日期应为 YYYY-MM-DD 格式": true, but less helpful than saying it is unfilled.
    """
    if document.source and _PLACEHOLDER_BYTES not in document.source:
        return  # the common case, found by one search over the file's bytes
    unfilled = {path: mark for path, mark, text in _scalars_with_paths(document.root)
                if PLACEHOLDER in text}
    if not unfilled:
        return
    checker.problems[:] = [p for p in checker.problems if p.field not in unfilled]
    for path, mark in unfilled.items():
        checker.error(mark, path, unfilled_message(_field_at(spec, path)))


def unfilled_message(spec: Field | None) -> str:
    """What to write instead of the placeholder, from the field's kind."""
    title = spec.title if spec is not None else ""
    if spec is None or spec.kind in ("text", "multiline", "list", "object"):
        what = "实际内容"
    elif spec.kind == "enum":
        what = "以下之一：" + "、".join(spec.values)
    else:
        what = _UNFILLED_KIND[spec.kind]
    return f"尚未填写{title}：请把“{PLACEHOLDER}”换成{what}"


_UNFILLED_KIND: Final = {
    "date": "日期，格式 YYYY-MM-DD", "int": "整数", "bool": "true 或 false",
    "url": "以 http:// 或 https:// 开头的网址", "id": "编号（小写字母、数字和连字符）",
}


def _field_at(spec: Field, path: str) -> Field | None:
    """The schema field at a field path such as ``participants.groups[1].role``."""
    current: Field | None = spec
    for part in path.split("."):
        name, _, indexes = part.partition("[")
        current = current.index.get(name) if current is not None else None
        for _ in range(indexes.count("]")):
            current = current.item if current is not None else None
    return current


def _scalars_with_paths(root: Node) -> Iterator[tuple[str, Mark, str]]:
    """Every scalar with its field path and position, in file order; iterative, so any depth."""
    stack: list[tuple[Node, str, Mark]] = [(root, "", root.mark)]
    while stack:
        node, path, mark = stack.pop()
        if isinstance(node, Scalar):
            yield path, mark, node.value
        elif isinstance(node, Mapping):
            for key, value in reversed(node.items):
                stack.append((value, f"{path}.{key.value}" if path else key.value, key.mark))
        else:
            for index in range(len(node.items), 0, -1):
                child = node.items[index - 1]
                stack.append((child, f"{path}[{index}]", child.mark))


# ---------------------------------------------------------------------------
# Model objects, built only from a file without problems.


def _platform_refs(root: _Object) -> PlatformRefs:
    parent, level = root.get("parent"), root.get("level")
    return PlatformRefs(
        parent=parent if isinstance(parent, str) else None,
        parent_mark=root.marks.get("parent"),
        level=level if isinstance(level, str) else None,
        level_mark=root.marks.get("level"),
        method=_method(root.get("method")),
    )


def _method(method: Any) -> model.Method | None:
    if not isinstance(method, _Object):
        return None
    name, steps = method.get("name"), method.get("steps")
    if not isinstance(name, str) or not isinstance(steps, _List):
        return None
    return model.Method(name, tuple(step for step in steps if isinstance(step, str)))


def _case_refs(root: _Object) -> CaseRefs:
    platform = root.get("platform")
    steps: list[StepRef] = []
    entries = root.get("steps")
    if isinstance(entries, _List):
        for index, entry in enumerate(entries, start=1):
            if isinstance(entry, _Object) and isinstance(entry.get("step"), str):
                steps.append(StepRef(entry["step"], entry.marks["step"], f"steps[{index}].step"))
    former = root.get("former_ids")
    former_ids = tuple(
        IdRef(old, former.marks[index - 1], f"former_ids[{index}]")
        for index, old in enumerate(former, start=1) if isinstance(old, str)
    ) if isinstance(former, _List) else ()
    return CaseRefs(
        platform=platform if isinstance(platform, str) else None,
        platform_mark=root.marks.get("platform"),
        steps=tuple(steps),
        former_ids=former_ids,
    )


def _platform(platform_id: str, source_path: str, root: _Object) -> model.Platform:
    return model.Platform(
        id=platform_id,
        source_path=source_path,
        name=root["name"],
        level=root["level"],
        region=root["region"],
        host=root["host"],
        full_name=root.get("full_name"),
        parent_id=root.get("parent"),
        method=_method(root.get("method")),
        established=root.get("established"),
        venue=root.get("venue"),
        contact=root.get("contact"),
        description=root.get("description"),
    )


def _case(case_id: str, source_path: str, root: _Object) -> model.Case:
    topic = root["topic"]
    return model.Case(
        id=case_id,
        source_path=source_path,
        title=root["title"],
        platform_id=root["platform"],
        date=root["date"],
        form=root["form"],
        topic=model.Topic(topic["source"], tuple(topic["categories"]), topic["background"]),
        participants=_participants(root["participants"]),
        venue=root.get("venue"),
        steps=tuple(
            model.Step(s["step"], s.get("date"), s.get("note")) for s in root.get("steps", ())
        ),
        consensus=_consensus(root.get("consensus")),
        follow_up=tuple(
            model.FollowUp(f["date"], f["status"], f["note"], f.get("item"))
            for f in root.get("follow_up", ())
        ),
        evaluation=tuple(_evaluation(e) for e in root.get("evaluation", ())),
        notice=_notice(root.get("notice")),
        sources=tuple(model.Source(s["title"], s["url"]) for s in root.get("sources", ())),
        withdrawn=_withdrawal(root.get("withdrawn")),
        former_ids=tuple(root.get("former_ids", ())),
    )


def _participants(participants: _Object) -> model.Participants:
    groups = tuple(
        model.Group(g["role"], g["count"], tuple(g.get("names", ())), tuple(g.get("orgs", ())))
        for g in participants["groups"]
    )
    return model.Participants(groups, tuple(participants.get("convenors", ())))


def _consensus(consensus: _Object | None) -> model.Consensus | None:
    if consensus is None:
        return None
    items = tuple(
        model.ConsensusItem(number, item["text"], item["owner"], item.get("due"))
        for number, item in enumerate(consensus.get("items", ()), start=1)
    )
    return model.Consensus(
        summary=consensus["summary"],
        reached=consensus.get("reached", True),
        items=items,
        dissent=consensus.get("dissent"),
    )


def _evaluation(entry: _Object) -> model.Evaluation:
    counts = entry.get("satisfaction")
    satisfaction = None
    if counts is not None:
        satisfied, fairly, dissatisfied = (counts.get(key, 0) for key in model.SATISFACTION_KEYS)
        satisfaction = model.Satisfaction(satisfied, fairly, dissatisfied)
    return model.Evaluation(entry["date"], entry["by"], satisfaction, entry.get("comment"))


def _notice(notice: _Object | None) -> model.Notice | None:
    return None if notice is None else model.Notice(notice["from"], notice["to"])


def _withdrawal(withdrawn: _Object | None) -> model.Withdrawal | None:
    return None if withdrawn is None else model.Withdrawal(withdrawn["date"], withdrawn["reason"])
