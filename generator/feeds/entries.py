"""What the feeds hold, chosen before anything is written.

An ``Entry`` is light: when, which case, the fragment that makes its id
unique, and what it reports (a revision, a follow-up, an item that turned
逾期). Every case's entries are made once; the site-wide feeds take the
newest of all, and each platform's feed the newest of its own cases merged
with its children's newest, from the leaves of the tree up. Only the
entries some feed shows are then put into words and XML (``texts``,
``atom``).

Ids never depend on the build: a revision is its commit, a follow-up its
date and item, an overdue item its number and due day. Dates are Beijing time.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from collections.abc import Iterable, Iterator
from typing import Final, NamedTuple

from generator.records import model
from generator.records.revisions import BEIJING, NOTHING_CHANGED, Histories, Revision

# The newest entries a feed keeps. A feed reader fetches a feed every hour or
# so and keeps what it has seen, so a feed needs to reach back only over the
# time between two fetches: 50 entries site-wide is more than a busy
# province's archive changes in a day. A platform's feed covers one subtree
# (a village's a few cases a year); 20 keeps each of a province's 2,200
# platform feeds near 10 KB.
NEWEST_SITE: Final = 50
NEWEST_PLATFORM: Final = 20

About = Revision | model.FollowUp | model.ItemProgress | None


class Entry(NamedTuple):
    """One entry of a feed; tuples of these sort oldest first, ties by case and id."""

    updated: dt.datetime  # aware; a revision's commit time, else Beijing midnight
    day: dt.date  # the case's consultation day: of entries at one instant, the later case first
    case_id: str
    anchor: str  # appended to the case's address, it is the entry's id ("": the address itself)
    about: About  # None: the case as a whole (no revision is known)


@functools.cache
def midnight(day: dt.date) -> dt.datetime:
    """The start of a day in Beijing time (one object per day: an archive has a few thousand)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=BEIJING)


_ONE_DAY: Final = dt.timedelta(days=1)


def revision_anchor(revision: Revision) -> str:
    return f"#revision-{revision.commit}"


# The cases feed: one entry per revision.


def case_entries(archive: model.Archive, histories: Histories) -> list[Entry]:
    """Every case's entries: one per revision; without any, one for the case as it is.

    A withdrawn case keeps only its newest entry, which says that it was
    withdrawn; its older entries would each say only that too.
    """
    found: list[Entry] = []
    for case_id in sorted(archive.cases):
        found.extend(_entries_of(archive.view(case_id), histories.of(case_id)))
    return found


def _entries_of(view: model.CaseView, revisions: tuple[Revision, ...]) -> Iterator[Entry]:
    case = view.case
    if view.withdrawn:
        revisions = revisions[:1]
    else:  # a commit that changed only the file's layout tells a subscriber nothing
        revisions = tuple(r for r in revisions if r.changes != (NOTHING_CHANGED,))
    for revision in revisions:
        yield Entry(revision.time, case.date, case.id, revision_anchor(revision), revision)
    if not revisions:
        yield Entry(midnight(_record_day(case)), case.date, case.id, "", None)


def _record_day(case: model.Case) -> dt.date:
    """Without git history: the latest day the record tells of (for a withdrawn one, the
    withdrawal's). Deterministic, and later when a follow-up or an evaluation is added."""
    if case.withdrawn is not None:
        return case.withdrawn.date
    days = [case.date, *(f.date for f in case.follow_up), *(e.date for e in case.evaluation)]
    return max(days)


# The follow-up feed: follow-ups and items that turned overdue.


def follow_up_entries(archive: model.Archive, count: int | None = None) -> list[Entry]:
    """Each follow-up of a published case (on its day), and each consensus item that turned
    逾期 (the day after its due day; kept when it was done late).

    With ``count``, only the entries that can be among the newest ``count``: the
    days are compared first, and only entries on the latest days are made.
    """
    views = list(archive.published())
    since = dt.date.min
    if count is not None:
        days = [day for view in views for day in _follow_up_days(view, archive.as_of)]
        if len(days) > count:
            since = heapq.nlargest(count, days)[-1]
    found: list[Entry] = []
    for view in views:
        found.extend(_follow_ups(view.case, since))
        found.extend(_overdue(view, archive.as_of, since))
    return found


def _follow_up_days(view: model.CaseView, as_of: dt.date) -> Iterator[dt.date]:
    for follow_up in view.case.follow_up:
        yield follow_up.date
    for progress in view.progress:
        if turned_overdue(progress, as_of):
            yield overdue_day(progress)


def _follow_ups(case: model.Case, since: dt.date) -> Iterator[Entry]:
    seen: dict[str, int] = {}
    for follow_up in case.follow_up:
        if follow_up.date < since:  # entries sharing an anchor share the day: none counted
            continue
        what = "case" if follow_up.item is None else f"item-{follow_up.item}"
        anchor = f"#follow-up-{follow_up.date.isoformat()}-{what}"
        seen[anchor] = seen.get(anchor, 0) + 1
        if seen[anchor] > 1:  # two entries on one day about one item
            anchor = f"{anchor}-{seen[anchor]}"
        yield Entry(midnight(follow_up.date), case.date, case.id, anchor, follow_up)


def _overdue(view: model.CaseView, as_of: dt.date, since: dt.date) -> Iterator[Entry]:
    for progress in view.progress:
        if turned_overdue(progress, as_of) and (day := overdue_day(progress)) >= since:
            anchor = f"#overdue-{progress.item.number}-{progress.item.due}"
            yield Entry(midnight(day), view.case.date, view.case.id, anchor, progress)


def turned_overdue(progress: model.ItemProgress, as_of: dt.date) -> bool:
    """Past its due day on the as-of day, and still open or closed only after it."""
    due = progress.item.due
    if due is None or due >= as_of:
        return False
    if not progress.closed:
        return True
    return progress.latest is not None and progress.latest.date > due


def overdue_day(progress: model.ItemProgress) -> dt.date:
    """The day an item turned 逾期: the day after its due day."""
    assert progress.item.due is not None  # only for items that turned overdue
    return progress.item.due + _ONE_DAY


# Choosing the newest.


def newest(entries: Iterable[Entry], count: int) -> list[Entry]:
    """The ``count`` newest entries, newest first."""
    return heapq.nlargest(count, entries)


def by_platform(archive: model.Archive, entries: Iterable[Entry],
                count: int) -> dict[str, list[Entry]]:
    """Each platform's ``count`` newest entries over its subtree, newest first.

    Each entry goes to its case's platform once; then, deepest platforms
    first, each platform's newest are merged into its parent's. The newest
    of a subtree are among the newest of its parts, so a merge looks at
    ``count`` entries of each child, however large the subtree.
    """
    own: dict[str, list[Entry]] = {platform_id: [] for platform_id in archive.platforms}
    cases = archive.cases
    for entry in entries:
        own[cases[entry.case_id].platform_id].append(entry)
    chosen = {platform_id: heapq.nlargest(count, found) for platform_id, found in own.items()}
    for platform_id in _deepest_first(archive):
        parent_id = archive.platforms[platform_id].parent_id
        if parent_id is not None:
            chosen[parent_id] = heapq.nlargest(count, chosen[parent_id] + chosen[platform_id])
    return chosen


def _deepest_first(archive: model.Archive) -> list[str]:
    depth = {platform_id: len(archive.ancestors(platform_id)) for platform_id in archive.platforms}
    return sorted(archive.platforms, key=lambda platform_id: (-depth[platform_id], platform_id))
