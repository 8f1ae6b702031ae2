"""The archive as immutable objects, and the values the build derives from it.

Records become these objects only after validation, so everything here may
assume the rules of the record format hold (valid ids, dates in order, item
numbers in range, a parent tree without cycles).

The derived values follow the spec's "What the build derives" section: each
consensus item's status and 逾期 flag, each case's status, and the roll-up
figures of a platform over itself and every platform below it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

# Enumerations of the record format, in display order.
LEVELS: Final = ("省", "市", "县区", "乡镇街道", "村社区")
FORMS: Final = ("会议协商", "现场协商", "书面协商", "网络协商", "其他")
TOPIC_SOURCES: Final = ("委员荐题", "党政点题", "公开征题", "群众反映", "其他")
ROLES: Final = (
    "政协委员", "党政干部", "职能部门", "基层干部", "群众代表", "专家", "企业", "社会组织", "其他",
)
ANONYMOUS_ROLES: Final = ("群众代表",)
ITEM_STATUSES: Final = ("未启动", "推进中", "已完成", "无法落实")
CLOSED_ITEM_STATUSES: Final = ("已完成", "无法落实")
EVALUATORS: Final = ("党政点评", "委员评议", "群众评议", "第三方评估")
SATISFACTION_KEYS: Final = ("满意", "基本满意", "不满意")

# Derived statuses.
ANNOUNCED: Final = "预告"
NO_CONSENSUS: Final = "未达成共识"
CONCLUDED: Final = "已办结"
OVERDUE: Final = "逾期"
IN_PROGRESS: Final = "推进中"
CASE_STATUSES: Final = (ANNOUNCED, IN_PROGRESS, OVERDUE, CONCLUDED, NO_CONSENSUS)
NOT_STARTED: Final = "未启动"
DONE: Final = "已完成"


@dataclass(frozen=True, slots=True)
class Method:
    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Platform:
    id: str
    source_path: str  # e.g. content/platforms/yingze.yml
    name: str
    level: str
    region: str
    host: str
    full_name: str | None = None
    parent_id: str | None = None
    method: Method | None = None  # as written in this file; see Archive.method_of
    established: dt.date | None = None
    venue: str | None = None
    contact: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Topic:
    source: str
    categories: tuple[str, ...]
    background: str


@dataclass(frozen=True, slots=True)
class Step:
    step: str
    date: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    role: str
    count: int
    names: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Participants:
    groups: tuple[Group, ...]
    convenors: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


@dataclass(frozen=True, slots=True)
class ConsensusItem:
    number: int  # 1-based, as follow_up[].item refers to it
    text: str
    owner: str
    due: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Consensus:
    summary: str
    reached: bool = True
    items: tuple[ConsensusItem, ...] = ()
    dissent: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    date: dt.date
    status: str
    note: str
    item: int | None = None  # None: the entry is about the case as a whole


@dataclass(frozen=True, slots=True)
class Satisfaction:
    satisfied: int = 0  # 满意
    fairly_satisfied: int = 0  # 基本满意
    dissatisfied: int = 0  # 不满意

    @property
    def answers(self) -> int:
        return self.satisfied + self.fairly_satisfied + self.dissatisfied

    @property
    def positive(self) -> int:
        return self.satisfied + self.fairly_satisfied

    @property
    def share(self) -> float | None:
        """满意 + 基本满意 over all answers; None when nobody answered."""
        return self.positive / self.answers if self.answers else None

    def __add__(self, other: Satisfaction) -> Satisfaction:
        return Satisfaction(
            self.satisfied + other.satisfied,
            self.fairly_satisfied + other.fairly_satisfied,
            self.dissatisfied + other.dissatisfied,
        )


@dataclass(frozen=True, slots=True)
class Evaluation:
    date: dt.date
    by: str
    satisfaction: Satisfaction | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    start: dt.date  # `from` in the record
    end: dt.date  # `to` in the record


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Withdrawal:
    date: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    source_path: str  # e.g. content/cases/yingze/2022-jidian-xiaoqu-jishui.yml
    title: str
    platform_id: str
    date: dt.date
    form: str
    topic: Topic
    participants: Participants
    venue: str | None = None
    steps: tuple[Step, ...] = ()
    consensus: Consensus | None = None
    follow_up: tuple[FollowUp, ...] = ()
    evaluation: tuple[Evaluation, ...] = ()
    notice: Notice | None = None
    sources: tuple[Source, ...] = ()
    withdrawn: Withdrawal | None = None
    former_ids: tuple[str, ...] = ()  # earlier ids; their addresses redirect here

    @property
    def items(self) -> tuple[ConsensusItem, ...]:
        return self.consensus.items if self.consensus else ()

    @property
    def satisfaction(self) -> Satisfaction:
        total = Satisfaction()
        for evaluation in self.evaluation:
            if evaluation.satisfaction:
                total += evaluation.satisfaction
        return total


@dataclass(frozen=True, slots=True)
class ItemProgress:
    """A consensus item with what the follow-up says about it on the as-of day."""

    item: ConsensusItem
    status: str
    latest: FollowUp | None
    days_overdue: int  # 0 unless overdue

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_ITEM_STATUSES


def item_progress(case: Case, as_of: dt.date) -> tuple[ItemProgress, ...]:
    latest: dict[int, FollowUp] = {}
    for entry in case.follow_up:  # in date order: a later entry wins
        if entry.item is not None:
            latest[entry.item] = entry
    progress = []
    for item in case.items:
        entry = latest.get(item.number)
        status = entry.status if entry else NOT_STARTED
        late = (
            item.due is not None
            and item.due < as_of
            and status not in CLOSED_ITEM_STATUSES
        )
        days = (as_of - item.due).days if late and item.due else 0
        progress.append(ItemProgress(item, status, entry, days))
    return tuple(progress)


def case_status(case: Case, progress: tuple[ItemProgress, ...], as_of: dt.date) -> str:
    if case.date > as_of:
        return ANNOUNCED
    if case.consensus is None or not case.consensus.reached:
        return NO_CONSENSUS
    if all(p.closed for p in progress):
        return CONCLUDED
    if any(p.overdue for p in progress):
        return OVERDUE
    return IN_PROGRESS


@dataclass(frozen=True, slots=True)
class Figures:
    """Roll-up figures of a platform: its own cases and those of every platform below."""

    cases: int = 0
    participants: int = 0
    items: int = 0
    items_done: int = 0
    items_overdue: int = 0
    satisfaction: Satisfaction = field(default_factory=Satisfaction)

    @property
    def done_share(self) -> float | None:
        return self.items_done / self.items if self.items else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.cases + other.cases,
            self.participants + other.participants,
            self.items + other.items,
            self.items_done + other.items_done,
            self.items_overdue + other.items_overdue,
            self.satisfaction + other.satisfaction,
        )


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case with everything derived for it; what templates and indexes use."""

    case: Case
    status: str
    progress: tuple[ItemProgress, ...]

    @property
    def withdrawn(self) -> bool:
        return self.case.withdrawn is not None

    def figures(self) -> Figures:
        if self.withdrawn:
            return Figures()
        return Figures(
            cases=1,
            participants=self.case.participants.total,
            items=len(self.progress),
            items_done=sum(1 for p in self.progress if p.status == DONE),
            items_overdue=sum(1 for p in self.progress if p.overdue),
            satisfaction=self.case.satisfaction,
        )


class Archive:
    """Validated platforms and cases, with derived values computed once.

    Immutable after construction: the mappings it hands out are read-only views.
    """

    def __init__(
        self, platforms: tuple[Platform, ...], cases: tuple[Case, ...], as_of: dt.date
    ) -> None:
        self.as_of = as_of
        self.platforms = MappingProxyType({p.id: p for p in platforms})
        self.cases = MappingProxyType({c.id: c for c in cases})
        children: dict[str, list[str]] = {p.id: [] for p in platforms}
        for platform in platforms:
            if platform.parent_id is not None:
                children[platform.parent_id].append(platform.id)
        self._children = MappingProxyType({k: tuple(v) for k, v in children.items()})
        self.views = MappingProxyType({c.id: _view(c, as_of) for c in cases})
        self._figures = MappingProxyType(self._roll_up())

    def __reduce__(self) -> tuple[type[Archive], tuple[object, ...]]:
        """Pickled as what it is made from; the derived values are made again when read.

        They are most of its objects (a view and the items' progress per case) and
        quick to make; pickled, each would hold temporary objects in the pickler's
        memo until the whole archive is written (``engine.warm`` pickles it)."""
        return Archive, (tuple(self.platforms.values()), tuple(self.cases.values()), self.as_of)

    # The platform tree.

    @property
    def roots(self) -> tuple[Platform, ...]:
        return tuple(p for p in self.platforms.values() if p.parent_id is None)

    def children(self, platform_id: str) -> tuple[Platform, ...]:
        return tuple(self.platforms[c] for c in self._children[platform_id])

    def ancestors(self, platform_id: str) -> tuple[Platform, ...]:
        """The chain up the tree, nearest parent first (not including the platform)."""
        chain = []
        parent = self.platforms[platform_id].parent_id
        while parent is not None:
            chain.append(self.platforms[parent])
            parent = self.platforms[parent].parent_id
        return tuple(chain)

    def descendants(self, platform_id: str) -> Iterator[Platform]:
        for child in self.children(platform_id):
            yield child
            yield from self.descendants(child.id)

    def method_of(self, platform_id: str) -> Method | None:
        """The platform's own method, else the nearest ancestor's."""
        for platform in (self.platforms[platform_id], *self.ancestors(platform_id)):
            if platform.method is not None:
                return platform.method
        return None

    # Cases and figures.

    def view(self, case_id: str) -> CaseView:
        return self.views[case_id]

    def published(self) -> Iterator[CaseView]:
        """Every case that is not withdrawn."""
        return (v for v in self.views.values() if not v.withdrawn)

    def figures(self, platform_id: str | None = None) -> Figures:
        """A platform's roll-up figures; with no platform, the whole archive's."""
        if platform_id is None:
            total = Figures()
            for root in self.roots:
                total += self._figures[root.id]
            return total
        return self._figures[platform_id]

    def _roll_up(self) -> dict[str, Figures]:
        """Each platform's own cases, then each platform added to its parent, deepest first:
        one addition per case and one per platform, not one per case and level."""
        figures = {pid: Figures() for pid in self.platforms}
        for view in self.published():
            figures[view.case.platform_id] += view.figures()
        depth = {pid: len(self.ancestors(pid)) for pid in self.platforms}
        for platform_id in sorted(self.platforms, key=depth.__getitem__, reverse=True):
            parent_id = self.platforms[platform_id].parent_id
            if parent_id is not None:
                figures[parent_id] += figures[platform_id]
        return figures


def newest_first(views: Iterable[CaseView]) -> list[CaseView]:
    """Latest date first; on one day by id, so that no order depends on the file system."""
    return sorted(views, key=lambda v: (v.case.date, v.case.id), reverse=True)


def _view(case: Case, as_of: dt.date) -> CaseView:
    progress = item_progress(case, as_of)
    return CaseView(case, case_status(case, progress, as_of), progress)


def paragraphs(text: str | None) -> list[str]:
    """Plain text split into paragraphs at blank lines; single newlines are kept."""
    if not text:
        return []
    blocks = [block.strip("\n") for block in _split_blank_lines(text)]
    return [block for block in blocks if block.strip()]


def _split_blank_lines(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _pickled_by_fields(cls: type[Any]) -> None:
    """Pickle instances of ``cls`` as its constructor's arguments, read in C.

    A dataclass with ``slots=True`` pickles through Python functions that list its
    fields again for every object: most of the time of saving and reading the
    warm build's state (``engine.warm``), which holds every record."""
    names = [f.name for f in dataclasses.fields(cls)]
    get = operator.attrgetter(*names)
    if len(names) == 1:
        cls.__reduce__ = lambda self: (cls, (get(self),))
    else:
        cls.__reduce__ = lambda self: (cls, get(self))


for _class in (Method, Platform, Topic, Step, Group, Participants, ConsensusItem, Consensus,
               FollowUp, Satisfaction, Evaluation, Notice, Source, Withdrawal, Case,
               ItemProgress, Figures, CaseView):
    _pickled_by_fields(_class)
