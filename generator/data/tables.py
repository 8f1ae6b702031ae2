"""Every CSV table of the open data: its columns, keys and rows, declared once.

The CSV files (``csv_format``), ``cases.json`` (``cases_json``), the data
package (``package``) and the 数据下载 page are all written from these
declarations. A withdrawn case is a row of ``cases`` with its id, the status
已撤回 and the withdrawal's date and reason, and appears in no other table but
``revisions`` (dates, commits and subjects only).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

from generator.data.case_lists import (
    EVALUATION,
    FOLLOW_UP,
    ITEMS,
    SATISFACTION_ATTRS,
    CaseList,
)
from generator.data.columns import Column, Value, derived, from_record
from generator.data.rows import CaseRow, Owned, PlatformRow, RevisionRow, Source
from generator.records import model
from generator.records.ids import ID_PATTERN
from generator.records.schema import CASE, PLATFORM

T = TypeVar("T")

WITHDRAWN: Final = "已撤回"  # the status of a withdrawn case
# What a withdrawn case's row shows; every other column is empty.
WITHDRAWN_COLUMNS: Final = frozenset({"id", "status", "withdrawn.date", "withdrawn.reason"})
_COMMIT_PATTERN: Final = r"^[0-9a-f]{40}([0-9a-f]{24})?$"  # SHA-1, or SHA-256 repositories


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str  # the name of the table referred to
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Table(Generic[T]):
    """One CSV file of ``/data/``: ``<name>.csv``."""

    name: str
    title: str
    description: str
    columns: tuple[Column[T], ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    # The rows: those of each case, in the order of the cases' ids; or of the archive.
    of_case: Callable[[Source, model.CaseView], Iterable[T]] | None = None
    of_archive: Callable[[Source], Iterable[T]] | None = None
    # The names of the only columns a row shows (None: all of them).
    only: Callable[[T], frozenset[str] | None] = field(default=lambda row: None)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def rows(self, source: Source) -> Iterable[T]:
        if self.of_case is None:
            assert self.of_archive is not None, self.name
            return self.of_archive(source)
        return (row for view in source.views for row in self.rows_of(source, view))

    def rows_of(self, source: Source, view: model.CaseView) -> Iterable[T]:
        """The rows of one case (a table of the cases')."""
        assert self.of_case is not None, self.name
        return self.of_case(source, view)

    def values(self, row: T) -> list[Value]:
        """The row's value in each column."""
        shown = self.only(row)
        if shown is None:
            return [get(row) for get in self._getters]
        return [column.get(row) if column.name in shown else None for column in self.columns]

    @functools.cached_property
    def _getters(self) -> list[Callable[[T], Value]]:
        return [column.get for column in self.columns]


# Shared columns.


def _key(name: str, title: str, description: str) -> Column[Any]:
    return Column(name, "string", title, description, get=lambda row: None, required=True,
                  pattern=ID_PATTERN.pattern)


CASE_ID: Final = _key("case", "案例编号", "所属案例的编号，即 cases.csv 的 id。")


def _rate(satisfaction: model.Satisfaction) -> float | None:
    share = satisfaction.share
    return None if share is None else round(share, 4)


def _figures(scope: str, get: Callable[[T], model.Figures],
             cases: bool = False) -> tuple[Column[T], ...]:
    """The roll-up figures of a case, or of a platform with every platform below it."""
    count: list[Column[T]] = []
    if cases:
        count.append(derived("case_count", "integer", "案例数", f"{scope}的案例数。",
                             get=lambda row: get(row).cases, minimum=0))
    return (
        *count,
        derived("participant_count", "integer", "参与人数",
                f"{scope}各参与群体（participants.groups）的人数之和。",
                get=lambda row: get(row).participants, minimum=0),
        derived("item_count", "integer", "共识事项数", f"{scope}的共识事项条数。",
                get=lambda row: get(row).items, minimum=0),
        derived("items_done", "integer", "已完成事项数", f"{scope}进展为“已完成”的共识事项条数。",
                get=lambda row: get(row).items_done, minimum=0),
        derived("items_overdue", "integer", "逾期事项数",
                f"{scope}在数据日期逾期的共识事项条数（见 items.csv 的 overdue）。",
                get=lambda row: get(row).items_overdue, minimum=0),
        *(derived(f"satisfaction.{key}", "integer", f"{key}（人数）",
                  f"{scope}各次评价中回答“{key}”的人数之和。",
                  get=lambda row, attr=attr: getattr(get(row).satisfaction, attr), minimum=0)
          for key, attr in zip(model.SATISFACTION_KEYS, SATISFACTION_ATTRS, strict=True)),
        derived("satisfaction_rate", "number", "满意率",
                f"{scope}的（满意 + 基本满意）÷ 回答满意度的总人数，保留四位小数；无人回答时为空。",
                get=lambda row: _rate(get(row).satisfaction)),
    )


# The tables.


def _case_row(source: Source, view: model.CaseView) -> tuple[CaseRow]:
    return (CaseRow(view, view.figures(), source.case_url(view.case.id)),)


def _case(path: str, get: Callable[[model.Case], Value]) -> Column[CaseRow]:
    """A record field of the case (empty in a withdrawn case's row, so never required)."""
    return from_record(CASE, path, lambda row: get(row.case), required=False)


def _consensus(get: Callable[[model.Consensus], Value]) -> Callable[[model.Case], Value]:
    return lambda case: get(case.consensus) if case.consensus else None


def _notice(get: Callable[[model.Notice], Value]) -> Callable[[model.Case], Value]:
    return lambda case: get(case.notice) if case.notice else None


def _withdrawal(get: Callable[[model.Withdrawal], Value]) -> Callable[[model.Case], Value]:
    return lambda case: get(case.withdrawn) if case.withdrawn else None


def _case_status(row: CaseRow) -> str:
    return WITHDRAWN if row.view.withdrawn else row.view.status


CASES: Final[Table[CaseRow]] = Table(
    name="cases",
    title="协商案例",
    description="每个案例一行，按编号排列。已撤回的案例只有编号、状态（已撤回）、撤回日期和撤回原因。"
                "协商步骤、参与群体和公开报道在 cases.json 中；共识事项、跟踪落实和评价另有表格。",
    columns=(
        _key("id", "案例编号", "即记录的文件名（不含 .yml），案例网址 /cases/<编号>/ 中的编号。")
        .reading(lambda row: row.case.id),
        derived("status", "string", "状态",
                "按数据日期计算：预告（协商日期在数据日期之后）、推进中、逾期（有共识事项逾期）、"
                "已办结（每条共识事项已完成或无法落实）、未达成共识；撤回的案例为“已撤回”。",
                get=_case_status, required=True, enum=(*model.CASE_STATUSES, WITHDRAWN)),
        derived("url", "string", "网址", "案例页面的永久网址。", get=lambda row: row.url),
        _case("title", lambda case: case.title),
        _case("platform", lambda case: case.platform_id),
        _case("date", lambda case: case.date),
        _case("form", lambda case: case.form),
        _case("venue", lambda case: case.venue),
        _case("topic.source", lambda case: case.topic.source),
        _case("topic.categories", lambda case: case.topic.categories),
        _case("topic.background", lambda case: case.topic.background),
        _case("participants.convenors", lambda case: case.participants.convenors),
        _case("consensus.reached", _consensus(lambda consensus: consensus.reached)),
        _case("consensus.summary", _consensus(lambda consensus: consensus.summary)),
        _case("consensus.dissent", _consensus(lambda consensus: consensus.dissent)),
        *_figures("本案例", lambda row: row.figures),
        _case("notice.from", _notice(lambda notice: notice.start)),
        _case("notice.to", _notice(lambda notice: notice.end)),
        _case("former_ids", lambda case: case.former_ids),
        _case("withdrawn.date", _withdrawal(lambda withdrawal: withdrawal.date)),
        _case("withdrawn.reason", _withdrawal(lambda withdrawal: withdrawal.reason)),
    ),
    of_case=_case_row,
    primary_key=("id",),
    foreign_keys=(ForeignKey(("platform",), "platforms", ("id",)),),
    only=lambda row: WITHDRAWN_COLUMNS if row.view.withdrawn else None,
)


def _case_list_table(case_list: CaseList[T], name: str, description: str) -> Table[Owned[T]]:
    """The table of a list in every case: the case's id, then the list's columns."""
    def rows(source: Source, view: model.CaseView) -> Iterable[Owned[T]]:
        if view.withdrawn:
            return ()
        return ((view.case.id, element) for element in case_list.of_case(view))

    columns = tuple(column.reading(lambda row, get=column.get: get(row[1]))
                    for column in case_list.columns)
    return Table(
        name=name, title=case_list.title, description=description,
        columns=(CASE_ID.reading(lambda row: row[0]), *columns),
        of_case=rows, primary_key=("case", "number"),
        foreign_keys=(ForeignKey(("case",), "cases", ("id",)),),
    )


ITEMS_TABLE: Final = _case_list_table(
    ITEMS, "items", "每条共识事项一行，按案例编号和序号排列：内容、责任单位、完成期限，"
    "以及按数据日期计算的进展和逾期天数。")
FOLLOW_UPS_TABLE: Final = _case_list_table(
    FOLLOW_UP, "follow-ups", "每条跟踪落实一行，按案例编号和记录中的先后排列。item 为空的一条针对"
    "整个案例，否则针对本案例 items.csv 中序号为 item 的共识事项。")
EVALUATIONS_TABLE: Final = _case_list_table(
    EVALUATION, "evaluations", "每条评价一行，按案例编号和记录中的先后排列。")


def _platform_rows(source: Source) -> Iterator[PlatformRow]:
    archive = source.archive
    for platform_id in sorted(archive.platforms):
        yield PlatformRow(archive.platforms[platform_id], archive.figures(platform_id),
                          source.platform_url(platform_id))


def _platform(path: str, get: Callable[[model.Platform], Value]) -> Column[PlatformRow]:
    return from_record(PLATFORM, path, lambda row: get(row.platform))


def _method(get: Callable[[model.Method], Value]) -> Callable[[model.Platform], Value]:
    return lambda platform: get(platform.method) if platform.method else None


PLATFORMS: Final[Table[PlatformRow]] = Table(
    name="platforms",
    title="协商平台",
    description="每个协商平台一行，按编号排列，含上级平台（parent）和层级（level）。协商方法只列平台"
                "自己记录的，为空时沿用最近一级上级平台的方法。统计数字包括所有下级平台的案例，"
                "不含已撤回的案例。",
    columns=(
        _key("id", "平台编号",
             "即记录的文件名（不含 .yml），平台网址 /platforms/<编号>/ 中的编号。")
        .reading(lambda row: row.platform.id),
        derived("url", "string", "网址", "平台页面的永久网址。", get=lambda row: row.url,
                required=True),
        _platform("name", lambda platform: platform.name),
        _platform("full_name", lambda platform: platform.full_name),
        _platform("level", lambda platform: platform.level),
        _platform("parent", lambda platform: platform.parent_id),
        _platform("region", lambda platform: platform.region),
        _platform("host", lambda platform: platform.host),
        _platform("method.name", _method(lambda method: method.name)),
        _platform("method.steps", _method(lambda method: method.steps)),
        _platform("established", lambda platform: platform.established),
        _platform("venue", lambda platform: platform.venue),
        _platform("contact", lambda platform: platform.contact),
        _platform("description", lambda platform: platform.description),
        *_figures("本平台及所有下级平台（不含已撤回的案例）", lambda row: row.figures, cases=True),
    ),
    of_archive=_platform_rows,
    primary_key=("id",),
    foreign_keys=(ForeignKey(("parent",), "platforms", ("id",)),),
)


def _revision_rows(source: Source, view: model.CaseView) -> Iterator[RevisionRow]:
    case_id = view.case.id
    for revision in reversed(source.histories.of(case_id)):  # oldest first
        yield RevisionRow(case_id, revision, view.withdrawn)


REVISIONS: Final[Table[RevisionRow]] = Table(
    name="revisions",
    title="修订记录",
    description="案例记录的每次修订（改动记录文件的 git 提交）一行，按案例编号和时间先后排列。"
                "已撤回的案例只有日期、时间、提交编号和提交说明。",
    columns=(
        CASE_ID.reading(lambda row: row.case_id),
        derived("date", "date", "修订日期", "提交的日期（北京时间）。",
                get=lambda row: row.revision.day, required=True),
        derived("time", "datetime", "修订时间", "提交的时间（北京时间，带时区 +08:00）。",
                get=lambda row: row.revision.time, required=True),
        derived("commit", "string", "提交编号",
                "git 提交的完整编号（哈希），可在仓库中查看这次修订。",
                get=lambda row: row.revision.commit, required=True, pattern=_COMMIT_PATTERN),
        derived("subject", "string", "提交说明",
                "提交时写的一句话说明；为空表示说明涉及个人信息，已隐去。",
                get=lambda row: row.revision.subject),
        derived("fields", "list", "改动的字段",
                "这次修订改动的记录顶层字段，例如 consensus、follow_up。",
                get=lambda row: () if row.withdrawn else row.revision.fields),
    ),
    of_case=_revision_rows,
    primary_key=("case", "commit"),
    foreign_keys=(ForeignKey(("case",), "cases", ("id",)),),
)

# Every CSV file of /data/, in the order the page and the package list them.
TABLES: Final[tuple[Table[Any], ...]] = (CASES, ITEMS_TABLE, FOLLOW_UPS_TABLE,
                                         EVALUATIONS_TABLE, PLATFORMS, REVISIONS)
