"""Whatever an editor types into a narrative field, the record loads, validates, never crashes.

The sample case is parsed once with PyYAML's safe loader, one narrative field
is replaced by generated text, and the record is written back with
``yaml.safe_dump``, as a YAML-aware tool would write it.
"""

import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.records import privacy
from generator.records.loader import load_bytes, read_bytes
from generator.records.problems import RecordError
from generator.records.validate import validate_case
from tests.conftest import AS_OF, CASE

# Where each narrative field lives in the sample case, as a path of keys and indexes.
NARRATIVE_FIELDS: dict[str, tuple[Any, ...]] = {
    "topic.background": ("topic", "background"),
    "steps[1].note": ("steps", 0, "note"),
    "consensus.summary": ("consensus", "summary"),
    "consensus.dissent": ("consensus", "dissent"),
    "follow_up[1].note": ("follow_up", 0, "note"),
    "evaluation[1].comment": ("evaluation", 0, "comment"),
    "title": ("title",),
    "venue": ("venue",),
    "consensus.items[1].text": ("consensus", "items", 0, "text"),
}

TRICKY = st.sampled_from([
    "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "[链接](javascript:x)", "---",
    "...", "key: value", "- item", "# 注释", "&anchor *alias !!tag", "'\"`", "\\", "%YAML 1.2",
    "\t", "\r\n", "\u2028", "\ufeff", "\x00", "\x85", "null", "~", "true", "0x10", "2022-02-30",
    "：", "｜", "|", ">", "🎉", "𠀀",
])
TEXT = st.lists(
    st.one_of(TRICKY, st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)),
    max_size=6,
).map("".join)

BASE: dict[str, Any] = yaml.load(CASE, Loader=yaml.CSafeLoader)
FILE = "content/cases/2022-sample.yml"


def with_text(path: tuple[Any, ...], text: str) -> bytes:
    record = yaml.load(yaml.dump(BASE, Dumper=yaml.CSafeDumper), Loader=yaml.CSafeLoader)
    target = record
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = text
    dumped = yaml.dump(record, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    return dumped.encode("utf-8")


def lookup(root: Any, path: tuple[Any, ...]) -> Any:
    """Follow keys and indexes through dicts and lists, or attributes of model objects."""
    for step in path:
        if isinstance(step, int) or isinstance(root, dict):
            root = root[step]
        else:
            root = getattr(root, step)
    return root


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(NARRATIVE_FIELDS)), text=TEXT)
def test_any_text_in_a_narrative_field(field: str, text: str) -> None:
    path = NARRATIVE_FIELDS[field]
    data = with_text(path, text)
    try:
        document = load_bytes(data, FILE)
    except RecordError as error:
        # Only the size limit may stop a record that a YAML library wrote.
        assert error.problems[0].message.startswith("文件过大"), error
        return
    result = validate_case(document, "2022-sample", AS_OF)
    assert all(p.line >= 1 and p.column >= 1 for p in result.problems)
    assert not any("内部错误" in p.message for p in result.problems)
    if result.problems:
        return
    assert result.case is not None
    # The value reaches the model exactly as a YAML library reads it back, only trimmed
    # (YAML itself folds a few characters, e.g. NEL and LINE SEPARATOR are line breaks).
    as_yaml_reads_it = lookup(yaml.load(data, Loader=yaml.CSafeLoader), path)
    assert lookup(result.case, path) == (as_yaml_reads_it.strip() or None)
    if "\x85" not in text and "\u2028" not in text and "\u2029" not in text:
        assert as_yaml_reads_it == text


@settings(max_examples=100, deadline=None)
@given(text=TEXT)
def test_text_that_contains_personal_data_is_refused_not_crashed(text: str) -> None:
    data = with_text(("topic", "background"), f"{text} 电话 13812345678 {text}")
    result = validate_case(load_bytes(data, FILE), "2022-sample", AS_OF)
    assert any("138****5678" in p.message for p in result.problems)
    assert privacy.find_personal_data("13812345678")[0].kind == "mobile"


def test_dates_survive_the_round_trip() -> None:
    assert BASE["date"] == dt.date(2022, 3, 18)
    assert b"date: 2022-03-18" in with_text(("venue",), "x")


# YAML that records never need, and slips of shape, to splice into the sample's lines.
STRUCTURE = st.sampled_from([
    "title: *a", "  - *a", "*a : x", "title: &a x", "venue: !!str x", "venue: !x y",
    "title: x\ntitle: y", "venue: {a: 1, a: 2}", "unknown:\n  a: 1\n  a: 2", "? [a]\n: b",
    "? {a: 1}\n: b", "---", "--- x", "...", "topic: [", "\ttitle: x", "title：x", "venue:\n  - 1",
    "venue:\n  a: 1", "steps: x", "steps:\n  - [1, 2]", "consensus: ~", "consensus: []",
    "date: 2022-02-30", "title:", "- x", "x", "\"", "|", "  unknown: {b: *c}", "%YAML 1.1",
])


def splice(lines: list[str], at: int, fragment: str, indent: int, replace: bool) -> bytes:
    at = min(at, len(lines))
    fragment_lines = [" " * indent + line for line in fragment.split("\n")]
    return "\n".join(lines[:at] + fragment_lines + lines[at + replace:]).encode("utf-8")


def outcome(document_of: Any, data: bytes) -> tuple[Any, ...]:
    try:
        result = validate_case(document_of(data, FILE), "2022-sample", AS_OF)
    except RecordError as error:
        return "refused", error.problems
    return "checked", result.problems, result.case


@settings(max_examples=300, deadline=None)
@given(at=st.integers(0, 80), fragment=STRUCTURE, indent=st.sampled_from([0, 2, 4]),
       replace=st.booleans())
def test_walking_the_events_agrees_with_the_node_tree(
        at: int, fragment: str, indent: int, replace: bool) -> None:
    """``check`` validates from the YAML events and builds the node tree only when it must.

    Whatever the file, that gives the outcome of loading the tree first: the
    loader's refusal with its position, or the same problems (and model).
    """
    data = splice(CASE.splitlines(), at, fragment, indent, replace)
    assert outcome(read_bytes, data) == outcome(load_bytes, data)
