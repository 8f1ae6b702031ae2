"""Synthetic case records, one YAML text at a time.

Cases are spread over the platforms unevenly (a few busy platforms, many
quiet ones), dated over 2019 to the as-of day with more in recent years, and
in every 200 consecutive cases exactly 2 are announced (future date, no
consensus), 6 reached no consensus and 1 is withdrawn. Each case draws from
one random stream in order, so the first N cases of a larger archive are the
N cases of a smaller one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from bench import vocab
from bench.emit import YamlLines
from bench.tree import Method, Place
from bench.vocab import Issue

AS_OF: Final = dt.date(2026, 11, 25)
FIRST_YEAR: Final = 2019
YEAR_WEIGHTS: Final = (1, 2, 3, 4, 5, 6, 7, 6)  # 2019..2026: the practice spread
LEVEL_WEIGHTS: Final = (0.5, 1.0, 3.0, 2.0, 1.0)  # how busy each level is, on average

FORMS: Final = (("会议协商", 50), ("现场协商", 25), ("书面协商", 5), ("网络协商", 15), ("其他", 5))
SOURCES: Final = (
    ("委员荐题", 20), ("党政点题", 20), ("公开征题", 15), ("群众反映", 40), ("其他", 5),
)
OTHER_ROLES: Final = ("政协委员", "党政干部", "职能部门", "基层干部", "专家", "企业", "社会组织")
EVALUATORS: Final = ("党政点评", "委员评议", "群众评议", "第三方评估")
ITEM_COUNTS: Final = ((1, 10), (2, 25), (3, 25), (4, 15), (5, 10), (6, 7), (7, 5), (8, 3))
FOLLOW_UP_DAYS: Final = 540  # follow-up entries fall within this many days of the case

KINDS: Final = ("normal", "announced", "no_consensus", "withdrawn")
T = TypeVar("T")
Context = dict[str, object]
ItemRef = tuple[int, dt.date | None]  # a consensus item's number and due day
Entry = tuple[dt.date, int, str, str]  # a follow-up: day, item (0: none), status, note


def case_kind(n: int) -> str:
    """Case n's kind. Any 200 consecutive cases hold exactly 2 announced,
    1 withdrawn and 6 without consensus (1 %, 0.5 %, 3 %)."""
    slot = (n * 7_919) % 200
    if slot < 2:
        return "announced"
    if slot == 2:
        return "withdrawn"
    if slot < 9:
        return "no_consensus"
    return "normal"


@dataclass
class Case:
    """What is decided about a case before its text is written."""

    n: int
    id: str
    kind: str
    place: Place
    date: dt.date
    site: str
    issue: Issue
    ctx: Context

    @property
    def age(self) -> int:
        """Days from the consultation to the as-of day (negative when announced)."""
        return (AS_OF - self.date).days


class CaseWriter:
    """Plans and writes cases 1, 2, 3, ... over `places`."""

    def __init__(self, places: Sequence[Place], seed: int) -> None:
        self.rng = random.Random(seed * 104_729 + 7)
        self.places = places
        busy = random.Random(seed * 15_485_863 + 3)
        weights = [LEVEL_WEIGHTS[p.level] * busy.lognormvariate(0, 1.3) for p in places]
        self.cum = list(itertools.accumulate(weights))
        self.ids: list[str] = []

    def plan(self, n: int) -> Case:
        rng = self.rng
        place = self.places[bisect.bisect(self.cum, rng.random() * self.cum[-1])]
        kind = case_kind(n)
        date = self._date(kind)
        (a, pa), (b, pb) = rng.sample(vocab.SYLLABLES, 2)
        pattern, kind_slug = rng.choice(vocab.SITE_KINDS)
        site = pattern.format(AB=a + b)
        issue = rng.choice(vocab.ISSUES)
        case_id = f"{date.year}-{pa}{pb}-{kind_slug}-{issue.slug}-{n}"
        return Case(n, case_id, kind, place, date, site, issue, self._context(place, site, issue))

    def _date(self, kind: str) -> dt.date:
        rng = self.rng
        if kind == "announced":
            return AS_OF + dt.timedelta(days=rng.randint(1, 45))
        year = rng.choices(range(FIRST_YEAR, AS_OF.year + 1), weights=YEAR_WEIGHTS)[0]
        start = dt.date(year, 1, 1)
        end = min(dt.date(year, 12, 31), AS_OF)
        return start + dt.timedelta(days=rng.randint(0, (end - start).days))

    def _context(self, place: Place, site: str, issue: Issue) -> Context:
        """Values for the template slots (see bench.vocab)."""
        rng = self.rng
        return {
            "site": site, "issue": issue.words, "unit": place.unit,
            "dept": place.county + rng.choice(vocab.DEPARTMENTS),
            "channel": rng.choice(vocab.CHANNELS), "principle": rng.choice(vocab.PRINCIPLES),
            "era": rng.choice(("上世纪八十年代", "上世纪九十年代初", "2000年前后", "2005年")),
            "n": rng.randint(2, 12), "k": rng.randint(12, 60), "h": rng.randint(30, 400),
            "w": rng.randint(5, 200), "p": rng.randint(20, 90),
            "y": rng.randint(FIRST_YEAR - 1, AS_OF.year), "m": rng.randint(1, 12),
        }

    def write(self, case: Case) -> str:
        out = YamlLines()
        self._head(out, case)
        self._topic(out, case)
        self._steps(out, case)
        self._participants(out, case)
        if case.kind != "announced":
            items = self._consensus(out, case)
            if items:
                self._follow_up(out, case, items)
                self._evaluation(out, case)
                self._notice(out, case)
        self._sources(out, case)
        if case.kind == "withdrawn":
            self._withdrawn(out, case)
        self.ids.append(case.id)
        return out.render()

    # Parts of a case, in the order of the record format.

    def _head(self, out: YamlLines, case: Case) -> None:
        rng = self.rng
        out.key("title", self._title(case))
        out.key("platform", case.place.id)
        out.raw("date", case.date.isoformat())
        out.key("form", _weighted(rng, FORMS))
        if rng.random() < 0.7:
            hall = f"{case.place.name}协商议事室"
            out.key("venue", hall if rng.random() < 0.6 else f"{case.site}现场")
        out.blank()

    def _title(self, case: Case) -> str:
        names = {"site": case.site, "issue": case.issue.words, "place": case.place.name}
        for pattern in self.rng.sample(TITLE_PATTERNS, len(TITLE_PATTERNS)):
            title = pattern.format_map(names)
            if 10 <= len(title) <= 30:
                return title
        return "关于{site}{issue}问题的协商".format_map(names)[:30]

    def _topic(self, out: YamlLines, case: Case) -> None:
        rng = self.rng
        out.line("topic:")
        out.key("source", _weighted(rng, SOURCES), indent=2)
        categories = list(case.issue.categories[: rng.randint(1, 2)])
        for extra in rng.sample(CATEGORIES, rng.choice((0, 0, 1, 2))):
            if extra not in categories:
                categories.append(extra)
        out.flow("categories", categories, indent=2)
        out.text("background", paragraphs(rng, vocab.BACKGROUND, case.ctx, 150, 500), indent=2)
        out.blank()

    def _steps(self, out: YamlLines, case: Case) -> None:
        rng = self.rng
        dated = list(step_dates(rng, case.place.effective, case.date))
        if not dated or rng.random() < 0.15:
            return
        out.line("steps:")
        for (step, kind), day in dated:
            out.item("step", step, indent=2)
            if rng.random() < 0.9:
                out.raw("date", day.isoformat(), indent=4)
            if rng.random() < 0.85:
                out.key("note", note(rng, vocab.STEP_NOTES[kind], case.ctx), indent=4)
        out.blank()

    def _participants(self, out: YamlLines, case: Case) -> None:
        rng = self.rng
        out.line("participants:")
        if rng.random() < 0.7:
            out.flow("convenors", rng.choice(vocab.CONVENORS), indent=2)
        out.line("  groups:")
        for role in rng.sample(OTHER_ROLES, rng.randint(1, 4)):
            count = rng.randint(1, 6)
            out.item("role", role, indent=4)
            out.raw("count", count, indent=6)
            if role == "政协委员" and rng.random() < 0.2:
                out.flow("names", official_names(rng, min(count, 3)), indent=6)
            orgs = _orgs(role, case)
            if orgs and rng.random() < 0.8:
                out.flow("orgs", orgs, indent=6)
        if rng.random() < 0.9:
            out.item("role", "群众代表", indent=4)
            out.raw("count", rng.randint(5, 40), indent=6)
        out.blank()

    def _consensus(self, out: YamlLines, case: Case) -> list[ItemRef]:
        """Write `consensus`; return its items."""
        rng = self.rng
        reached = case.kind != "no_consensus"
        out.line("consensus:")
        out.raw("reached", "true" if reached else "false", indent=2)
        out.text("summary", paragraphs(rng, vocab.SUMMARY, case.ctx, 80, 300), indent=2)
        items: list[ItemRef] = []
        if reached:
            out.line("  items:")
            for number, text in enumerate(self._item_texts(case), start=1):
                out.item("text", text, indent=4)
                out.key("owner", self._owner(case), indent=6)
                due = None
                if rng.random() < 0.9:
                    due = case.date + dt.timedelta(days=rng.randint(20, 400))
                    out.raw("due", due.isoformat(), indent=6)
                items.append((number, due))
        if not reached or rng.random() < 0.05:
            out.text("dissent", rng.choice(vocab.DISSENT), indent=2)
        out.blank()
        return items

    def _item_texts(self, case: Case) -> list[str]:
        rng = self.rng
        own = [case.site + remedy for remedy in case.issue.remedies]
        general = [action.format_map(case.ctx) for action in vocab.ITEM_ACTIONS]
        pool = rng.sample(own, len(own)) + rng.sample(general, len(general))
        return pool[: _weighted(rng, ITEM_COUNTS)]

    def _owner(self, case: Case) -> str:
        rng = self.rng
        choices = (
            case.place.unit, case.place.county + rng.choice(vocab.DEPARTMENTS),
            rng.choice(vocab.COMPANIES),
        )
        first, second = rng.choice(choices), rng.choice(choices)
        return f"{first}、{second}" if rng.random() < 0.25 and second != first else first

    def _follow_up(self, out: YamlLines, case: Case, items: list[ItemRef]) -> None:
        rng = self.rng
        entries = [entry for number, _ in items for entry in self._history(case, number)]
        if case.age > 0 and rng.random() < 0.1:
            day = day_after(rng, case.date, AS_OF)
            entries.append((day, 0, "推进中", note(rng, vocab.CASE_NOTES, case.ctx)))
        if not entries:
            return
        out.line("follow_up:")
        for day, number, status, text in sorted(entries, key=lambda e: (e[0], e[1])):
            out.item("date", day.isoformat(), indent=2, raw=True)
            if number:
                out.raw("item", number, indent=4)
            out.key("status", status, indent=4)
            out.key("note", text, indent=4)
        out.blank()

    def _history(self, case: Case, number: int) -> list[Entry]:
        """One item's follow-up entries, oldest first, ending in its latest status."""
        rng = self.rng
        if case.age <= 0:
            return []
        roll = rng.random()
        if roll < min(0.85, case.age / 500):
            statuses = ["推进中"] * rng.randint(0, 2) + ["已完成"]
        elif roll > 0.97:
            statuses = ["推进中"] * rng.randint(0, 1) + ["无法落实"]
        elif rng.random() < 0.25:
            return []  # nothing reported yet: the item counts as 未启动
        elif rng.random() < 0.2:
            statuses = ["未启动"]
        else:
            statuses = ["推进中"] * rng.randint(1, 3)
        end = min(AS_OF, case.date + dt.timedelta(days=FOLLOW_UP_DAYS))
        days = sorted(day_after(rng, case.date, end) for _ in statuses)
        return [
            (day, number, status, note(rng, vocab.FOLLOW_NOTES[status], case.ctx))
            for day, status in zip(days, statuses, strict=True)
        ]

    def _evaluation(self, out: YamlLines, case: Case) -> None:
        rng = self.rng
        count = rng.choices((0, 1, 2), weights=(35, 50, 15))[0] if case.age > 30 else 0
        if not count:
            return
        out.line("evaluation:")
        start = case.date + dt.timedelta(days=30)
        for day in sorted(day_after(rng, start, AS_OF) for _ in range(count)):
            out.item("date", day.isoformat(), indent=2, raw=True)
            out.key("by", rng.choice(EVALUATORS), indent=4)
            if rng.random() < 0.8:
                out.raw("satisfaction", satisfaction(rng), indent=4)
            if rng.random() < 0.7:
                out.key("comment", rng.choice(vocab.COMMENTS), indent=4)
        out.blank()

    def _notice(self, out: YamlLines, case: Case) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            return
        start = case.date + dt.timedelta(days=rng.randint(1, 5))
        out.line("notice:")
        out.raw("from", start.isoformat(), indent=2)
        out.raw("to", (start + dt.timedelta(days=rng.randint(5, 10))).isoformat(), indent=2)
        out.blank()

    def _sources(self, out: YamlLines, case: Case) -> None:
        if self.rng.random() >= 0.08:
            return
        out.line("sources:")
        out.item("title", f"{case.site}{case.issue.words}问题协商侧记（示例报道）", indent=2)
        out.key("url", f"https://example.org/news/{case.date.year}/{case.id}", indent=4)
        out.blank()

    def _withdrawn(self, out: YamlLines, case: Case) -> None:
        rng = self.rng
        other = rng.choice(self.ids) if self.ids else "2019-qinghe-xiaoqu-tingche-nan-1"
        out.line("withdrawn:")
        out.raw("date", day_after(rng, case.date, AS_OF).isoformat(), indent=2)
        out.key("reason", rng.choice(vocab.WITHDRAW_REASONS).format(other=other), indent=2)


TITLE_PATTERNS: Final = (
    "{site}{issue}问题", "关于{site}{issue}问题的协商", "{place}{site}{issue}问题",
    "如何解决{site}{issue}问题", "{site}{issue}整治", "{place}{issue}问题协商",
    "{site}{issue}问题怎么解决", "关于解决{place}{site}{issue}问题的协商",
    "{place}{site}{issue}问题的协商议事",
)
CATEGORIES: Final = tuple(sorted(
    {c for issue in vocab.ISSUES for c in issue.categories} | set(vocab.EXTRA_CATEGORIES)
))
NOTE_TAILS: Final = ("，情况已在议事群通报", "，相关材料已存档备查", "，下一步将持续跟进")


def step_dates(
    rng: random.Random, method: Method, date: dt.date
) -> Iterator[tuple[tuple[str, str], dt.date]]:
    """The method's steps in order with plausible days, up to the as-of day."""
    steps = method[1]
    meet = next(i for i, (_, kind) in enumerate(steps) if kind == "meet")
    before, day = [], date
    for step in reversed(steps[:meet]):
        day -= dt.timedelta(days=rng.randint(3, 20))
        before.append((step, day))
    after, day = [(steps[meet], date)], date
    for step in steps[meet + 1:]:
        day += dt.timedelta(days=rng.randint(2, 60))
        after.append((step, day))
    for step, when in [*reversed(before), *after]:
        if when > AS_OF:
            return
        yield step, when


def paragraphs(
    rng: random.Random, templates: Sequence[str], ctx: Context, low: int, high: int
) -> str:
    """Sentences from `templates`, kept in their order, `low` to `high` characters
    long as far as the templates allow, in paragraphs of 2 to 4 sentences."""
    target = rng.randint(low, high)
    chosen: dict[int, str] = {}
    length = 0
    for index in rng.sample(range(len(templates)), len(templates)):
        sentence = templates[index].format_map(ctx)
        if length + len(sentence) > high:
            continue
        chosen[index] = sentence
        length += len(sentence)
        if length >= target:
            break
    sentences = [chosen[i] for i in sorted(chosen)]
    cut = rng.randint(2, 4)
    return "\n\n".join("".join(sentences[i:i + cut]) for i in range(0, len(sentences), cut))


def note(rng: random.Random, templates: Sequence[str], ctx: Context) -> str:
    """A note of 20 to 80 characters."""
    text = rng.choice(templates).format_map(ctx)
    while len(text) < 20:
        text += rng.choice(NOTE_TAILS)
    return text[:80]


def official_names(rng: random.Random, count: int) -> list[str]:
    """Made-up names of members (only officials may be named in a record)."""
    return [
        rng.choice(vocab.SURNAMES) + "".join(rng.sample(vocab.GIVEN, rng.randint(1, 2)))
        for _ in range(count)
    ]


def _orgs(role: str, case: Case) -> list[str]:
    place = case.place
    orgs = {
        "政协委员": f"{place.county}政协", "党政干部": place.unit,
        "职能部门": str(case.ctx["dept"]), "基层干部": place.unit,
        "企业": "小区物业服务企业", "社会组织": "社会工作服务中心",
    }
    return [orgs[role]] if role in orgs else []


def satisfaction(rng: random.Random) -> str:
    """A flow mapping of answer counts; keys with no answers are left out."""
    counts = (rng.randint(5, 60), rng.randint(0, 20), rng.randint(0, 8))
    keys = ("满意", "基本满意", "不满意")
    parts = [f"{key}: {count}" for key, count in zip(keys, counts, strict=True) if count]
    return "{" + ", ".join(parts) + "}"


def day_after(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day in [start + 1, end]; `end` itself when there is no room."""
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(1, span)) if span >= 1 else end


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]
