"""The lists inside a case: each an array of objects in ``cases.json``.

Consensus items, follow-ups and evaluations are also tables of their own
(``tables``), with the case's id as their first column; steps, participant
groups and sources are published in ``cases.json`` only. An element's columns
are named from the element (``due``, not ``consensus.items.due``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Final, Generic, TypeVar

from generator.data.columns import Column, Value, derived, from_record
from generator.data.rows import Numbered
from generator.records import model
from generator.records.schema import CASE

T = TypeVar("T")

# The model's names of the satisfaction counts, in the record's order (满意, 基本满意, 不满意).
SATISFACTION_ATTRS: Final = ("satisfied", "fairly_satisfied", "dissatisfied")
_ATTR: Final = dict(zip(model.SATISFACTION_KEYS, SATISFACTION_ATTRS, strict=True))


@dataclass(frozen=True)
class CaseList(Generic[T]):
    """A list of objects in every case: an array at ``key`` in ``cases.json``."""

    key: str  # its place in a case, e.g. consensus.items
    title: str
    columns: tuple[Column[T], ...]
    of_case: Callable[[model.CaseView], Sequence[T]]


def _number(title: str, where: str) -> Column[Numbered[Any]]:
    return derived("number", "integer", "序号", f"本条在本案例{title}（{where}）中的位置，"
                   "按记录中的先后，从 1 开始。", get=lambda row: row.number, required=True,
                   minimum=1)


def _item_columns() -> tuple[Column[model.ItemProgress], ...]:
    def item(name: str) -> Column[model.ItemProgress]:
        return from_record(CASE, f"consensus.items.{name}",
                           lambda row: getattr(row.item, name), name=name)

    return (
        derived("number", "integer", "序号", "共识事项在本案例中的序号（consensus.items 中的位置，"
                "从 1 开始）；跟踪落实的 item 引用的就是它。",
                get=lambda row: row.item.number, required=True, minimum=1),
        item("text"), item("owner"), item("due"),
        derived("status", "string", "进展",
                "该事项最近一次跟踪落实的进展；还没有跟踪落实时为“未启动”。",
                get=lambda row: row.status, required=True, enum=model.ITEM_STATUSES),
        derived("overdue", "boolean", "是否逾期", "完成期限早于数据日期，且进展既不是“已完成”也不是"
                "“无法落实”。", get=lambda row: row.overdue, required=True),
        derived("days_overdue", "integer", "逾期天数", "逾期的事项从完成期限到数据日期的天数；"
                "未逾期为 0。", get=lambda row: row.days_overdue, required=True, minimum=0),
    )


def _entries(entries: Sequence[T]) -> list[Numbered[T]]:
    return [Numbered(number, entry) for number, entry in enumerate(entries, start=1)]


def _entry_column(path: str) -> Column[Numbered[Any]]:
    """A field of a follow-up or evaluation entry: ``follow_up.note`` -> column ``note``."""
    name = path.split(".", 1)[1]
    attrs = [_ATTR.get(attr, attr) for attr in name.split(".")]
    if len(attrs) == 1:
        return from_record(CASE, path, attrgetter(f"entry.{attrs[0]}"), name=name)

    def get(row: Numbered[Any]) -> Value:  # through an object that may be absent
        value = row.entry
        for attr in attrs:
            value = getattr(value, attr, None)
        return value

    return from_record(CASE, path, get, name=name)


ITEMS: Final[CaseList[model.ItemProgress]] = CaseList(
    "consensus.items", "共识事项", _item_columns(), lambda view: view.progress)

FOLLOW_UP: Final[CaseList[Numbered[model.FollowUp]]] = CaseList(
    "follow_up", "跟踪落实",
    (_number("跟踪落实", "follow_up"),
     *(_entry_column(f"follow_up.{name}") for name in ("date", "item", "status", "note"))),
    lambda view: _entries(view.case.follow_up))

EVALUATION: Final[CaseList[Numbered[model.Evaluation]]] = CaseList(
    "evaluation", "评价",
    (_number("评价", "evaluation"),
     *(_entry_column(f"evaluation.{name}") for name in (
         "date", "by", *(f"satisfaction.{key}" for key in model.SATISFACTION_KEYS), "comment"))),
    lambda view: _entries(view.case.evaluation))


def _element(list_path: str, name: str) -> Column[Any]:
    return from_record(CASE, f"{list_path}.{name}", lambda row: getattr(row, name), name=name)


STEPS: Final[CaseList[model.Step]] = CaseList(
    "steps", "协商步骤", tuple(_element("steps", name) for name in ("step", "date", "note")),
    lambda view: view.case.steps)

GROUPS: Final[CaseList[model.Group]] = CaseList(
    "participants.groups", "参与群体",
    tuple(_element("participants.groups", name) for name in ("role", "count", "names", "orgs")),
    lambda view: view.case.participants.groups)

SOURCES: Final[CaseList[model.Source]] = CaseList(
    "sources", "公开报道", tuple(_element("sources", name) for name in ("title", "url")),
    lambda view: view.case.sources)

# The lists of a case, in the order of the record format.
CASE_LISTS: Final[tuple[CaseList[Any], ...]] = (STEPS, GROUPS, ITEMS, FOLLOW_UP, EVALUATION,
                                                SOURCES)
