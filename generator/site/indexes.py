"""The ways into the archive: the platform tree, categories, years, the follow-up board.

Everything here is computed in one pass over the cases (walking up the tree
from each case, never down from each platform), so the cost grows linearly
with the archive. Orders are total (ties broken by id), never file order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from pypinyin import lazy_pinyin

from generator.options import Options
from generator.records import model
from generator.records.model import newest_first
from generator.site import slugs

PAGE_SIZE = Options.page_size
LATEST_ON_HOME = 10

T = TypeVar("T")


# Pagination.


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; page 1 lives at ``base``, page n at ``base/page/n/``."""

    base: str  # URL path of page 1, e.g. "platforms/yingze/" ("" for the home page)
    number: int
    count: int
    entries: tuple[T, ...]

    @property
    def url(self) -> str:
        return page_url(self.base, self.number)

    def url_of(self, number: int) -> str:
        return page_url(self.base, number)

    def window(self, reach: int = 3) -> list[int | None]:
        """Page numbers to offer: the first, the last and ``reach`` either side; None for a gap."""
        wanted = {1, self.count, *range(self.number - reach, self.number + reach + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.count)
        shown: list[int | None] = []
        for n in numbers:
            if shown and n - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(n)
        return shown


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def paginate(base: str, entries: Sequence[T], size: int = PAGE_SIZE) -> list[Page[T]]:
    """Split a listing into pages of ``size``; an empty listing still has page 1."""
    chunks = [tuple(entries[i : i + size]) for i in range(0, len(entries), size)] or [()]
    return [Page(base, n, len(chunks), chunk) for n, chunk in enumerate(chunks, start=1)]


# Sorting.


@cache
def pinyin_key(text: str) -> tuple[str, ...]:
    """Sort key: toneless pinyin syllables, so 柳泉 sorts under L whatever its code points."""
    return tuple(lazy_pinyin(text))


def platform_key(platform: model.Platform) -> tuple[object, ...]:
    return (pinyin_key(platform.name), platform.name, platform.region, platform.id)


# The platform tree.


@dataclass(frozen=True)
class TreeEntry:
    platform: model.Platform
    depth: int  # 0 for a root


def platform_tree(archive: model.Archive) -> list[TreeEntry]:
    """Every platform, depth first: roots by level then pinyin, siblings by pinyin."""
    entries: list[TreeEntry] = []

    def visit(platform: model.Platform, depth: int) -> None:
        entries.append(TreeEntry(platform, depth))
        for child in sorted(archive.children(platform.id), key=platform_key):
            visit(child, depth + 1)

    def root_key(platform: model.Platform) -> tuple[object, ...]:
        return (model.LEVELS.index(platform.level), *platform_key(platform))

    for root in sorted(archive.roots, key=root_key):
        visit(root, 0)
    return entries


def tree_pages(archive: model.Archive, base: str, size: int = PAGE_SIZE) -> list[Page[TreeEntry]]:
    """The tree cut into pages; a continued page repeats the chain above its first entry."""
    entries = platform_tree(archive)
    pages = []
    for page in paginate(base, entries, size):
        if page.number > 1 and page.entries:
            first = page.entries[0].platform
            chain = [
                TreeEntry(p, depth)
                for depth, p in enumerate(reversed(archive.ancestors(first.id)))
            ]
            page = Page(base, page.number, page.count, (*chain, *page.entries))
        pages.append(page)
    return pages


def sorted_children(archive: model.Archive, platform_id: str) -> list[model.Platform]:
    return sorted(archive.children(platform_id), key=platform_key)


def cases_by_platform(archive: model.Archive) -> dict[str, list[model.CaseView]]:
    """Published cases of each platform and of every platform below it, newest first."""
    below: dict[str, list[model.CaseView]] = {pid: [] for pid in archive.platforms}
    for view in archive.published():
        platform_id: str | None = view.case.platform_id
        while platform_id is not None:
            below[platform_id].append(view)
            platform_id = archive.platforms[platform_id].parent_id
    return {pid: newest_first(views) for pid, views in below.items()}


# Categories and years.


@dataclass(frozen=True)
class Category:
    text: str
    slug: str
    cases: tuple[model.CaseView, ...]  # published, newest first


def categories(
    archive: model.Archive, pinned: Mapping[str, str] | None = None
) -> list[Category]:
    """Every category with a published case, in slug order (alphabetical by pinyin).

    Slugs are assigned over every case, withdrawn ones included, so that
    withdrawing a case never moves a category's address (see ``slugs``).
    """
    first_seen: dict[str, dt.date] = {}
    for case in archive.cases.values():
        for text in case.topic.categories:
            if text not in first_seen or case.date < first_seen[text]:
                first_seen[text] = case.date
    slug_of = slugs.assign_slugs(first_seen, pinned)
    members: dict[str, list[model.CaseView]] = defaultdict(list)
    for view in archive.published():
        for text in dict.fromkeys(view.case.topic.categories):  # once per case
            members[text].append(view)
    found = [Category(text, slug_of[text], tuple(newest_first(v))) for text, v in members.items()]
    return sorted(found, key=lambda c: c.slug)


def category_slugs(found: Iterable[Category]) -> dict[str, str]:
    return {category.text: category.slug for category in found}


def years(archive: model.Archive) -> dict[int, list[model.CaseView]]:
    """Published cases by the year of their date, newest year first, each newest first."""
    by_year: dict[int, list[model.CaseView]] = defaultdict(list)
    for view in archive.published():
        by_year[view.case.date.year].append(view)
    return {year: newest_first(by_year[year]) for year in sorted(by_year, reverse=True)}


def listings(archive: model.Archive, found: Iterable[Category]
             ) -> dict[str, Sequence[model.CaseView]]:
    """Every listing of cases by the URL of its first page: each platform's, category's, year's.

    ``found``: the archive's ``categories``, with their addresses.
    """
    by_url: dict[str, Sequence[model.CaseView]] = {
        f"platforms/{platform_id}/": views
        for platform_id, views in cases_by_platform(archive).items()
    }
    by_url.update((f"categories/{category.slug}/", category.cases) for category in found)
    by_url.update((f"years/{year}/", views) for year, views in years(archive).items())
    return by_url


def group_by_year(views: Sequence[model.CaseView]) -> list[tuple[int, list[model.CaseView]]]:
    """Consecutive runs of the same year in an already sorted listing."""
    groups: list[tuple[int, list[model.CaseView]]] = []
    for view in views:
        year = view.case.date.year
        if not groups or groups[-1][0] != year:
            groups.append((year, []))
        groups[-1][1].append(view)
    return groups


# Home page and the follow-up board.


def latest(archive: model.Archive, count: int = LATEST_ON_HOME) -> list[model.CaseView]:
    """The newest consultations already held (announced ones are listed apart)."""
    held = (v for v in archive.published() if v.status != model.ANNOUNCED)
    return newest_first(held)[:count]


def announced(archive: model.Archive, count: int = LATEST_ON_HOME) -> list[model.CaseView]:
    """Announced consultations, soonest first."""
    coming = (v for v in archive.published() if v.status == model.ANNOUNCED)
    return sorted(coming, key=lambda v: (v.case.date, v.case.id))[:count]


@dataclass(frozen=True)
class OpenItem:
    view: model.CaseView
    progress: model.ItemProgress


def open_items(archive: model.Archive) -> list[OpenItem]:
    """Every consensus item still to do, most overdue first, then by due date."""
    found = [item for view in archive.published() for item in open_items_of(view)]
    return sorted(found, key=_board_key)


def open_count(archive: model.Archive) -> int:
    """How many items ``open_items`` holds, without sorting them."""
    return sum(len(open_items_of(view)) for view in archive.published())


def open_items_of(view: model.CaseView) -> list[OpenItem]:
    """A case's share of the follow-up board (``open_items``), in item order."""
    if view.withdrawn or view.status == model.ANNOUNCED:
        return []
    return [OpenItem(view, progress) for progress in view.progress if not progress.closed]


def _board_key(entry: OpenItem) -> tuple[object, ...]:
    due = entry.progress.item.due
    return (
        -entry.progress.days_overdue,
        due is None,
        due or dt.date.min,
        entry.view.case.date,
        entry.view.case.id,
        entry.progress.item.number,
    )


def count_by(entries: Iterable[T], key: Callable[[T], str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[key(entry)] += 1
    return dict(counts)
