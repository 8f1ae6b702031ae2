"""What changed between two versions of a case file, in plain Chinese.

The comparison walks the record format (``schema.CASE``) field by field, so
every field is named by its Chinese title and every value is shown the way
pages show it:

    新增跟踪落实 1 条（2022年9月15日，第 1 项：已完成）
    群众评议“满意” 31 → 28
    共识事项第 1 项完成期限 2022年6月30日 → 2022年7月31日
    修改了议题背景

Numbers, dates, choices, owners and consensus items show the old and the new
value; narrative texts (and any text too long for one line) are only named.
Old versions are read as plain YAML values, without the checks of today's
format, so a version merged before a rule existed can still be compared. What
is shown obeys today's rules all the same: a value holding personal data, or
the names in a group of residents, is never shown from any version.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from generator.records import loader, model, privacy, schema
from generator.records.problems import RecordError
from generator.records.revisions import PERSONAL_DATA_HIDDEN

Value = Any  # str | None | list[Value] | dict[str, Value]: a file's YAML as plain values
ARROW: Final = " → "
SHOWN_TEXT_LENGTH: Final = 60  # longer texts are named as changed, not shown
_BOOLEANS: Final = {"true": "是", "yes": "是", "on": "是", "false": "否", "no": "否", "off": "否"}


class Unreadable(Exception):
    """A version, or one of its fields, no longer parses as a record."""


@dataclass(frozen=True)
class Version:
    """One version of a case file: its id (the file name) and its text, parsed field by field.

    Parsing a file is most of what comparing costs, and an edit rarely touches
    more than one or two top-level fields. A file written the usual way (each
    top-level field starting a line of its own) is therefore cut into the text
    of each field; two versions whose text for a field is the same have the
    same value there, and only the fields whose text differs are parsed. Any
    other file is parsed whole.
    """

    case_id: str
    document: loader.Document
    sections: Mapping[str, str] | None  # the text of each top-level field, when cut
    parsed: dict[str, Value] = field(default_factory=dict, compare=False, repr=False)

    def same_text(self, other: Version, name: str) -> bool:
        return (self.sections is not None and other.sections is not None
                and self.sections.get(name) == other.sections.get(name))

    def value(self, name: str) -> Value:
        """The field's value as plain YAML values; raises Unreadable."""
        if name not in self.parsed:
            self.parsed.update(self._parse(name))
        found = self.parsed[name]
        if found is _UNREADABLE:
            raise Unreadable(name)
        return found

    def _parse(self, name: str) -> dict[str, Value]:
        if self.sections is None:
            values = _parse_text(self.document.text, self.document.path)
            if not isinstance(values, dict):
                values = _UNREADABLE
            if values is _UNREADABLE:
                return {field.name: _UNREADABLE for field in schema.CASE.fields}
            return {field.name: values.get(field.name) for field in schema.CASE.fields}
        text = self.sections.get(name)
        if text is None:
            return {name: None}
        values = _parse_text(text, self.document.path)
        return {name: values.get(name) if isinstance(values, dict) else _UNREADABLE}


_UNREADABLE: Final = object()
# A line that starts a top-level field (no indent, comment, list dash or document marker).
_TOP_LEVEL: Final = re.compile(r"^(?=[^\s#\-])", re.MULTILINE)
_KEY: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?:[ \t]|\r?\n|$)")


def read_version(data: bytes | None, display: str, case_id: str) -> Version | None:
    """A version of a case file, or None when it cannot even be read as text."""
    if data is None:
        return None
    try:
        document = loader.read_bytes(data, display)
    except RecordError:
        return None
    return Version(case_id, document, cut_sections(document.text))


def cut_sections(text: str) -> dict[str, str] | None:
    """The text of each top-level field, or None when the file is not written one per line."""
    preamble, *chunks = _TOP_LEVEL.split(text)
    if any(line.strip() and not line.lstrip().startswith("#") for line in preamble.splitlines()):
        return None  # a list, a document marker or anything else before the first field
    sections: dict[str, str] = {}
    for chunk in chunks:
        match = _KEY.match(chunk)
        if match is None or match.group(1) in sections:
            return None  # "...", a quoted or odd key, or a key twice: parse the whole file
        sections[match.group(1)] = chunk
    return sections


def _parse_text(text: str, display: str) -> Value:
    try:
        return plain(loader.Document(display, text).root)
    except RecordError:
        return _UNREADABLE


def plain(node: loader.Node) -> Value:
    if isinstance(node, loader.Scalar):
        return None if node.is_null else node.value
    if isinstance(node, loader.Sequence):
        return [plain(item) for item in node.items]
    return {key.value: plain(value) for key, value in node.items}


def compare(old: Version, new: Version) -> tuple[list[str], list[str]]:
    """The sentences saying what changed, and the top-level fields that changed.

    Raises Unreadable when the new version does not parse where it differs.
    """
    sentences: list[str] = []
    fields: list[str] = []
    if old.case_id != new.case_id:
        sentences.append(f"案例编号 {old.case_id}{ARROW}{new.case_id}")
        fields.append("id")
    for spec in schema.CASE.fields:
        if old.same_text(new, spec.name):
            continue
        after = new.value(spec.name)  # Unreadable: the new version cannot be compared
        try:
            before = old.value(spec.name)
        except Unreadable:  # an older version broken in this field: name it, show nothing
            sentences.append(f"修改了{spec.title}")
            fields.append(spec.name)
            continue
        if before == after:
            continue
        fields.append(spec.name)
        for sentence in _field(spec, before, after, spec.title, top=True):
            # Labels quote some values too (a step's name): the whole sentence is checked.
            hidden = _has_personal_data(sentence)
            sentences.append(f"{spec.title}：{PERSONAL_DATA_HIDDEN}" if hidden else sentence)
    return sentences, fields


def _field(spec: schema.Field, before: Value, after: Value, label: str,
           top: bool = False, private: bool = False) -> Iterator[str]:
    if spec.kind == "object":
        yield from _object(spec, before, after, label, top)
    elif spec.kind == "list" and spec.item is not None and spec.item.kind == "object":
        yield from _objects(spec, _as_list(before), _as_list(after))
    elif spec.kind == "list":
        yield _sentence(label, _labels(before), _labels(after), spec, hidden=private)
    elif spec.kind == "multiline" or _too_long(before) or _too_long(after):
        yield _named(label, before, after)
    else:
        yield _sentence(label, _scalar(spec, before), _scalar(spec, after), spec,
                        hidden=private)


def _object(spec: schema.Field, before: Value, after: Value, label: str,
            top: bool) -> Iterator[str]:
    if not isinstance(before, dict) or not isinstance(after, dict):
        yield _named(label, before or None, after or None)
        return
    for child in spec.fields:
        old, new = before.get(child.name), after.get(child.name)
        if old != new:
            # A top-level object's fields have titles of their own (议题来源, 共识概要).
            child_label = child.title if top else f"{label}{child.title}"
            yield from _field(child, old, new, child_label)


# Lists of objects: elements matched by content, then compared field by field.


def _objects(spec: schema.Field, before: list[Value], after: list[Value]) -> Iterator[str]:
    assert spec.item is not None
    element = _ELEMENTS.get(spec.name, _Element(lambda i, e: f"{spec.title}第 {i} 项"))
    keys_before = [_key(e) for e in before]
    keys_after = [_key(e) for e in after]
    matcher = difflib.SequenceMatcher(None, keys_before, keys_after, autojunk=False)
    for tag, start_old, end_old, start_new, end_new in matcher.get_opcodes():
        if tag == "equal":
            continue
        old_part, new_part = before[start_old:end_old], after[start_new:end_new]
        paired = min(len(old_part), len(new_part)) if tag == "replace" else 0
        for offset in range(paired):
            number = start_new + offset + 1
            old, new = old_part[offset], new_part[offset]
            yield from _element(spec.item, element, number, old, new)
        if len(new_part) > paired:
            added = [(start_new + i + 1, e) for i, e in enumerate(new_part)][paired:]
            yield _listed("新增", spec, element, added)
        if len(old_part) > paired:
            removed = [(start_old + i + 1, e) for i, e in enumerate(old_part)][paired:]
            yield _listed("删除", spec, element, removed)


def _element(spec: schema.Field, element: _Element, number: int, before: Value,
             after: Value) -> Iterator[str]:
    label = element.label(number, after if isinstance(after, dict) else {})
    if not isinstance(before, dict) or not isinstance(after, dict):
        yield _named(label, before, after)
        return
    private = element.private_names(before) or element.private_names(after)
    for child in spec.fields:
        old, new = before.get(child.name), after.get(child.name)
        if old == new:
            continue
        if child.kind == "object":  # 满意度: one sentence per answer, e.g. 群众评议“满意” 31 → 28
            for answer in child.fields:
                inner_old = old.get(answer.name) if isinstance(old, dict) else None
                inner_new = new.get(answer.name) if isinstance(new, dict) else None
                if inner_old != inner_new:
                    yield from _field(answer, inner_old, inner_new, f"{label}“{answer.title}”")
            continue
        yield from _field(child, old, new, f"{label}{child.title}",
                          private=private and child.name == "names")


def _listed(verb: str, spec: schema.Field, element: _Element,
            entries: list[tuple[int, Value]]) -> str:
    summaries = [element.summary(number, entry) if isinstance(entry, dict) else ""
                 for number, entry in entries]
    counted = f"{verb}{spec.title} {len(entries)} {element.unit}"
    shown = [s for s in summaries if s]
    if not shown:
        return counted
    text = "；".join(shown)
    if _has_personal_data(text):
        return f"{counted}：{PERSONAL_DATA_HIDDEN}"
    return f"{counted}（{text}）"


@dataclass(frozen=True)
class _Element:
    """How the elements of one list are named and summed up."""

    label: Callable[[int, dict[str, Value]], str]  # number (1-based), element -> label
    summary: Callable[[int, dict[str, Value]], str] = lambda number, entry: ""
    unit: str = "项"
    private_names: Callable[[dict[str, Value]], bool] = lambda entry: False


def _follow_up_summary(number: int, entry: dict[str, Value]) -> str:
    item = entry.get("item")
    about = f"第 {item} 项" if item else "整体"
    return f"{_day(entry.get('date'))}，{about}：{_text(entry.get('status'))}"


def _evaluation_label(number: int, entry: dict[str, Value]) -> str:
    by = entry.get("by")
    return by if isinstance(by, str) and by in model.EVALUATORS else f"评价第 {number} 条"


def _item_summary(number: int, entry: dict[str, Value]) -> str:
    parts = [f"第 {number} 项：{_text(entry.get('text'))}", f"责任单位 {_text(entry.get('owner'))}"]
    if entry.get("due"):
        parts.append(f"完成期限 {_day(entry.get('due'))}")
    return "，".join(parts)


def _group_is_residents(entry: dict[str, Value]) -> bool:
    return entry.get("role") in model.ANONYMOUS_ROLES


_ELEMENTS: Final = {
    "steps": _Element(lambda n, e: f"协商步骤“{_text(e.get('step'))}”",
                      lambda n, e: _text(e.get("step")), "步"),
    "groups": _Element(lambda n, e: f"参与群体“{_text(e.get('role'))}”",
                       lambda n, e: f"{_text(e.get('role'))} {_text(e.get('count'))} 人", "组",
                       _group_is_residents),
    "items": _Element(lambda n, e: f"共识事项第 {n} 项", _item_summary, "项"),
    "follow_up": _Element(lambda n, e: f"跟踪落实第 {n} 条", _follow_up_summary, "条"),
    "evaluation": _Element(_evaluation_label,
                           lambda n, e: f"{_day(e.get('date'))}，{_text(e.get('by'))}", "条"),
    "sources": _Element(lambda n, e: f"公开报道第 {n} 条", lambda n, e: _text(e.get("title")),
                        "条"),
}


# Sentences and values.


def _sentence(label: str, before: str | None, after: str | None, spec: schema.Field,
              hidden: bool = False) -> str:
    if hidden or _has_personal_data(before) or _has_personal_data(after):
        return f"{label}：{PERSONAL_DATA_HIDDEN}"
    if before is None:
        return f"新增{label} {after}"
    if after is None:
        return f"删除了{label}（原为 {before}）"
    return f"{label} {before}{ARROW}{after}"


def _named(label: str, before: Value, after: Value) -> str:
    if before is None:
        return f"新增{label}"
    if after is None:
        return f"删除了{label}"
    return f"修改了{label}"


def _scalar(spec: schema.Field, value: Value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return "（格式有误）"
    if spec.kind == "date":
        return _day(value)
    if spec.kind == "bool":
        return _BOOLEANS.get(value.lower(), f"“{value}”")
    if spec.kind in ("text", "url"):
        return f"“{value}”"
    return value  # numbers, choices, ids


def _labels(value: Value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list):
        return f"“{value}”" if isinstance(value, str) else "（格式有误）"
    return "、".join(str(v) for v in value if v is not None) or "（无）"


def _day(value: Value) -> str:
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        return _text(value)
    return f"{day.year}年{day.month}月{day.day}日"


def _text(value: Value) -> str:
    return value if isinstance(value, str) else "（未填）"


def _too_long(value: Value) -> bool:
    return isinstance(value, str) and (len(value) > SHOWN_TEXT_LENGTH or "\n" in value)


def _has_personal_data(text: str | None) -> bool:
    return bool(text) and bool(privacy.find_personal_data(text))


def _as_list(value: Value) -> list[Value]:
    return value if isinstance(value, list) else []


def _key(value: Value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
