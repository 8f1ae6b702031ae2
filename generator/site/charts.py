"""Figures as charts: what the home page and each platform page draw, for a whole subtree.

Three charts, each computed from the derived values of ``records/model.py``:

* cases per year by outcome: each published case counted in the year of its
  date under its derived status (``model.case_status``);
* consensus items by state: an item past its due day and not closed counts
  as 逾期, any other by its latest follow-up status (未启动 without one), so
  逾期 and 已完成 are the platform's 逾期事项 and its done items;
* residents' satisfaction per year: the 满意 / 基本满意 / 不满意 answers of
  every evaluation, in the year of the evaluation, and how many answered.

A platform's counts are its own cases' and those of every platform below it,
added up the tree once, deepest first (``Tallies``), as ``Archive`` rolls up
its figures: one addition per case and one per platform.

What is drawn is plain data here (``Chart``, ``Row``, ``Segment``); the SVG is
written by ``templates/_charts.html``, with every text escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from generator.records import model

OUTCOMES: Final = (model.CONCLUDED, model.IN_PROGRESS, model.OVERDUE, model.NO_CONSENSUS,
                   model.ANNOUNCED)
ITEM_STATES: Final = (model.DONE, model.IN_PROGRESS, model.NOT_STARTED, model.OVERDUE, "无法落实")
ANSWERS: Final = model.SATISFACTION_KEYS  # 满意, 基本满意, 不满意

# How each series is drawn: a name for its pattern's id, a colour of the Okabe-Ito set
# (told apart with the common kinds of colour blindness) and a pattern, so that no series
# is told by its colour alone. The same name looks the same in every chart.
STYLES: Final = {
    model.CONCLUDED: ("done", "#009e73", "solid"),
    model.DONE: ("done", "#009e73", "solid"),
    "满意": ("satisfied", "#009e73", "solid"),
    model.IN_PROGRESS: ("progress", "#0072b2", "stripes"),
    "基本满意": ("fair", "#56b4e9", "stripes"),
    model.OVERDUE: ("overdue", "#d55e00", "cross"),
    "不满意": ("dissatisfied", "#d55e00", "cross"),
    model.NO_CONSENSUS: ("none", "#cc79a7", "dots"),
    "无法落实": ("failed", "#cc79a7", "dots"),
    model.ANNOUNCED: ("announced", "#e69f00", "lines"),
    model.NOT_STARTED: ("notstarted", "#999999", "lines"),
}
# A row's height and where its text and bar sit in it, in em (templates/_charts.html).
ROW_EM: Final = 2.9
TEXT_EM: Final = 1.0
BAR_EM: Final = 1.3
# Each chart's key: the id of its block, and the start of the ids inside it.
CASES: Final = "xs-chart-cases"
ITEMS: Final = "xs-chart-items"
SATISFACTION: Final = "xs-chart-satisfaction"


def item_state(progress: model.ItemProgress) -> str:
    """An item's place in the chart of items: 逾期 before its follow-up status."""
    return model.OVERDUE if progress.overdue else progress.status


@dataclass
class Tally:
    """The counts a subtree's charts are drawn from."""

    cases: dict[int, list[int]] = field(default_factory=dict)  # year -> count per OUTCOMES
    items: list[int] = field(default_factory=lambda: [0] * len(ITEM_STATES))
    satisfaction: dict[int, model.Satisfaction] = field(default_factory=dict)  # year -> answers

    def add_case(self, view: model.CaseView) -> None:
        if view.withdrawn:
            return
        counts = self.cases.setdefault(view.case.date.year, [0] * len(OUTCOMES))
        counts[OUTCOMES.index(view.status)] += 1
        for progress in view.progress:
            self.items[ITEM_STATES.index(item_state(progress))] += 1
        for evaluation in view.case.evaluation:
            if evaluation.satisfaction is not None:
                year = evaluation.date.year
                self.satisfaction[year] = (self.satisfaction.get(year, model.Satisfaction())
                                           + evaluation.satisfaction)

    def add(self, other: Tally) -> None:
        for year, counts in other.cases.items():
            mine = self.cases.setdefault(year, [0] * len(OUTCOMES))
            for index, count in enumerate(counts):
                mine[index] += count
        for index, count in enumerate(other.items):
            self.items[index] += count
        for year, answers in other.satisfaction.items():
            self.satisfaction[year] = self.satisfaction.get(year, model.Satisfaction()) + answers


def counted(view: model.CaseView) -> tuple[object, ...]:
    """What of a case the charts count: a case whose value changes changes its subtree's
    charts (``changes.py``)."""
    if view.withdrawn:
        return ()
    return (view.case.date.year, view.status, tuple(item_state(p) for p in view.progress),
            tuple((e.date.year, e.satisfaction) for e in view.case.evaluation))


class Tallies:
    """Every platform's tally over its subtree, and the whole archive's, made in one pass."""

    def __init__(self, archive: model.Archive) -> None:
        tallies = {platform_id: Tally() for platform_id in archive.platforms}
        for view in archive.views.values():
            tallies[view.case.platform_id].add_case(view)
        depth: dict[str, int] = {}
        for platform_id in archive.platforms:
            depth[platform_id] = _depth(archive, platform_id, depth)
        total = Tally()
        for platform_id in sorted(archive.platforms, key=lambda p: (-depth[p], p)):
            parent_id = archive.platforms[platform_id].parent_id
            into = total if parent_id is None else tallies[parent_id]
            into.add(tallies[platform_id])
        self._tallies = tallies
        self.total = total

    def of(self, platform_id: str | None) -> Tally:
        return self.total if platform_id is None else self._tallies[platform_id]


def _depth(archive: model.Archive, platform_id: str, known: dict[str, int]) -> int:
    parent_id = archive.platforms[platform_id].parent_id
    if parent_id is None:
        return 0
    if parent_id not in known:
        known[parent_id] = _depth(archive, parent_id, known)
    return known[parent_id] + 1


# What is drawn.


@dataclass(frozen=True)
class Segment:
    name: str  # the series (a status, an answer)
    start: str  # percentages of the plot's width, as SVG lengths: "12.5%"
    width: str
    fill: str  # the id of its pattern


@dataclass(frozen=True)
class Row:
    label: str  # left, above the bar: "2024 年", "已完成"
    value: str  # right, above the bar: "12 个"
    segments: tuple[Segment, ...]
    text_y: str = ""  # SVG lengths: "3.9em"
    bar_y: str = ""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the first cell of each names the row


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: element ids start with it
    heading: str  # shown above the chart
    title: str  # the SVG's <title>: the heading and what it covers
    summary: str  # one sentence: the SVG's <desc>, shown under it too
    rows: tuple[Row, ...]
    legend: tuple[str, ...]  # series told by pattern, left to right; () when rows name them
    table: Table

    @property
    def height(self) -> str:
        return f"{len(self.rows) * ROW_EM - 0.4:g}em"

    @property
    def patterns(self) -> tuple[tuple[str, str, str, str], ...]:
        """(series, id, colour, pattern) of every series drawn, in the order of the legend."""
        names = self.legend or tuple(s.name for row in self.rows for s in row.segments)
        return tuple((name, _pattern_id(self.key, name), colour, kind)
                     for name in dict.fromkeys(names) for _, colour, kind in (STYLES[name],))


def charts(tally: Tally, scope: str) -> tuple[Chart, ...]:
    """The charts of a subtree with something to show; ``scope`` names it in their titles."""
    made = (cases_chart(tally, scope), items_chart(tally, scope),
            satisfaction_chart(tally, scope))
    return tuple(chart for chart in made if chart is not None)


def cases_chart(tally: Tally, scope: str) -> Chart | None:
    if not tally.cases:
        return None
    years = _years(tally.cases)
    counts = {year: tally.cases.get(year, [0] * len(OUTCOMES)) for year in years}
    largest = max(sum(c) for c in counts.values())
    rows = tuple(_row(CASES, n, f"{year} 年", f"{sum(c)} 个", OUTCOMES, c, largest)
                 for n, (year, c) in enumerate(counts.items()))
    totals = [sum(c[i] for c in counts.values()) for i in range(len(OUTCOMES))]
    parts = "，".join(f"{name} {count} 个" for name, count in zip(OUTCOMES, totals, strict=True))
    summary = f"{_span(years)}共 {sum(totals)} 个协商案例：{parts}。"
    table = Table(("年份", *OUTCOMES, "合计"),
                  (*((f"{year} 年", *map(str, c), str(sum(c))) for year, c in counts.items()),
                   ("合计", *map(str, totals), str(sum(totals)))))
    heading = "各年协商案例（按办理结果）"
    return Chart(CASES, heading, f"{heading}：{scope}", summary, rows, OUTCOMES,
                 table)


def items_chart(tally: Tally, scope: str) -> Chart | None:
    total = sum(tally.items)
    if not total:
        return None
    largest = max(tally.items)
    rows = tuple(_row(ITEMS, n, name, f"{count} 项", (name,), (count,), largest)
                 for n, (name, count) in enumerate(zip(ITEM_STATES, tally.items, strict=True)))
    parts = "，".join(f"{name} {count} 项" for name, count in zip(ITEM_STATES, tally.items,
                                                                  strict=True))
    table = Table(("状态", "项数", "占比"),
                  (*((name, str(count), _percent(count, total))
                     for name, count in zip(ITEM_STATES, tally.items, strict=True)),
                   ("合计", str(total), "100%")))
    heading = "共识事项办理情况"
    return Chart(ITEMS, heading, f"{heading}：{scope}",
                 f"共 {total} 项共识事项：{parts}。", rows, (), table)


def satisfaction_chart(tally: Tally, scope: str) -> Chart | None:
    answered = {year: s for year, s in tally.satisfaction.items() if s.answers}
    if not answered:
        return None
    years = _years(answered)
    by_year = {year: answered.get(year, model.Satisfaction()) for year in years}
    rows = tuple(_row(SATISFACTION, n, f"{year} 年", f"{s.answers} 人次", ANSWERS, _answers(s),
                      s.answers)
                 for n, (year, s) in enumerate(by_year.items()))
    total = sum(by_year.values(), model.Satisfaction())
    parts = "，".join(f"{name} {_percent(count, total.answers)}"
                     for name, count in zip(ANSWERS, _answers(total), strict=True))
    summary = f"{_span(years)}共 {total.answers} 人次参加满意度评议：{parts}。"
    table = Table(("年份", *ANSWERS, "评议人次"),
                  (*((f"{year} 年", *_answer_cells(s), str(s.answers))
                     for year, s in by_year.items()),
                   ("合计", *_answer_cells(total), str(total.answers))))
    heading = "群众满意度（各年评议）"
    return Chart(SATISFACTION, heading, f"{heading}：{scope}", summary, rows,
                 ANSWERS, table)


def _years(by_year: Iterable[int]) -> range:
    """Every year from the first to the last, those without a count too: gaps show."""
    years = sorted(by_year)
    return range(years[0], years[-1] + 1)


def _span(years: range) -> str:
    return f"{years[0]} 年" if len(years) == 1 else f"{years[0]} 年至 {years[-1]} 年"


def _row(key: str, number: int, label: str, value: str, names: Iterable[str],
         counts: Iterable[int], largest: int) -> Row:
    """Row ``number`` (from 0): its bars side by side from the left, each ``count / largest``
    of the plot's width."""
    segments, start = [], 0
    for name, count in zip(names, counts, strict=True):
        if count:
            segments.append(Segment(name, _length(start, largest), _length(count, largest),
                                    _pattern_id(key, name)))
            start += count
    top = number * ROW_EM
    return Row(label, value, tuple(segments), f"{top + TEXT_EM:g}em", f"{top + BAR_EM:g}em")


def _pattern_id(key: str, name: str) -> str:
    return f"{key}-{STYLES[name][0]}"


def _length(count: int, largest: int) -> str:
    return f"{round(100 * count / largest, 2):g}%"


def _answers(satisfaction: model.Satisfaction) -> tuple[int, int, int]:
    return (satisfaction.satisfied, satisfaction.fairly_satisfied, satisfaction.dissatisfied)


def _answer_cells(satisfaction: model.Satisfaction) -> tuple[str, ...]:
    return tuple(f"{count}（{_percent(count, satisfaction.answers)}）"
                 for count in _answers(satisfaction))


def _percent(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "—"
