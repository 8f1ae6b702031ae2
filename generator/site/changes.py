"""Which pages a rebuild must render again, given the build before it (``mkdocs serve``).

Rendering every page of a large archive takes a minute; an editor who saves
one case file in a preview wants to see it in seconds. When the only
difference from the previous build is the content of some case files, the
pages those cases can reach are known:

* the case's own page;
* the print bundles of its platform and of every platform above it, before
  and after the edit (a case may move to another platform);
* when where the case is listed changed (its date, platform, categories,
  status, withdrawal or its share of the roll-up figures): the pages of
  those platforms too (listings, roll-up figures, children's figures) and the
  pages of its categories and of its year, before and after;
* when only what the charts count of it changed (an item's state, an
  evaluation): the first page of its platform and of every platform above it,
  which draw their subtree's charts;
* when only its title changed: the one page of each of those listings that
  shows the case (a listing of a city's thousands of cases has dozens of
  pages, ordered by date: a new title moves nothing);
* the follow-up board, when what it shows of the case changed: its open
  items, or the title or date they are listed with;
* the home page and the search page, which summarise the whole archive;
* the directories of categories and years (they count cases), when where a
  case is listed changed. The directory of platforms shows no case at all.

A new commit changes only the pages of the cases it revised and the
数据下载 page, which names the commit.

Anything else (a platform file, a case added, removed or renamed, a
category gaining or losing its address, another day, other options) makes
``pages_to_render`` answer None: render everything. A test compares the
result of every kind of edit with a build from scratch, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass

from generator.data import files as data_files
from generator.records import model
from generator.records.revisions import NO_HISTORY, Histories
from generator.site import charts, indexes

# Pages about the whole archive: always rendered again.
_SUMMARIES = re.compile(r"^(|search/)$")
# Directories that count cases: rendered again when a case moved (see _listed_as).
_DIRECTORIES = re.compile(r"^(categories|years)/(page/\d+/)?$")
BOARD = "follow-up/"


@dataclass(frozen=True)
class Rendered:
    """What a build rendered from: enough to tell what the next build may keep."""

    archive: model.Archive
    category_slugs: Mapping[str, str]
    last_changed: Mapping[str, dt.date]  # by source_path
    settings: tuple[object, ...]  # everything else that reaches every page (options, pages...)
    # Revisions reach only their case's page (a case whose revisions changed counts as
    # changed) and the commit only the data page: neither is among the settings.
    documents: frozenset[str] = frozenset()  # the docs tree's files after the build
    categories: tuple[indexes.Category, ...] = ()  # as rendered, with their addresses
    page_size: int = indexes.PAGE_SIZE
    histories: Histories = NO_HISTORY  # the revisions the pages show, and what they came from
    history_key: Hashable = None


def pages_to_render(before: Rendered | None, after: Rendered) -> Callable[[str], bool] | None:
    """A test of page URLs (``cases/x/``, ``platforms/p/page/2/``...) to render again,
    or None when every page must be."""
    if before is None or not _same_frame(before, after):
        return None
    changed = [
        case_id for case_id, case in after.archive.cases.items()
        if case != before.archive.cases[case_id]
        or after.last_changed.get(case.source_path)
        != before.last_changed.get(before.archive.cases[case_id].source_path)
        or after.histories.of(case_id) != before.histories.of(case_id)
    ]
    prefixes = set()
    exact = {f"cases/{case_id}/" for case_id in changed}
    retitled = set()
    any_moved = False
    for case_id in changed:
        moved = _listed_as(before, case_id) != _listed_as(after, case_id)
        any_moved |= moved
        for state in (before, after):
            case = state.archive.cases[case_id]
            prefixes.update(_reached(state, case) if moved else _print_bundles(state, case))
        if not moved and before.archive.cases[case_id].title != after.archive.cases[case_id].title:
            retitled.add(case_id)
        if not moved and _charted(before, case_id) != _charted(after, case_id):
            exact |= _chart_pages(before, case_id)
    if retitled:
        exact |= _pages_listing(before, retitled) | _pages_listing(after, retitled)
    if any(_on_board(before, case_id) != _on_board(after, case_id) for case_id in changed):
        prefixes.add(BOARD)
    if before.histories.built_from != after.histories.built_from:
        exact.add(data_files.FOLDER)  # it names the commit the site is built from
    ordered = tuple(sorted(prefixes))

    def wanted(url: str) -> bool:
        return (url in exact or url.startswith(ordered) or _SUMMARIES.match(url) is not None
                or (any_moved and _DIRECTORIES.match(url) is not None))

    return wanted


def _same_frame(before: Rendered, after: Rendered) -> bool:
    """Everything but case contents is the same: platforms, case ids, addresses, day, settings."""
    old, new = before.archive, after.archive
    return (
        old.as_of == new.as_of
        and before.settings == after.settings
        and before.histories.complete == after.histories.complete
        and dict(old.platforms) == dict(new.platforms)
        and old.cases.keys() == new.cases.keys()
        and dict(before.category_slugs) == dict(after.category_slugs)
        and _platform_dates(before) == _platform_dates(after)
    )


def _platform_dates(state: Rendered) -> dict[str, dt.date]:
    return {
        platform.source_path: state.last_changed[platform.source_path]
        for platform in state.archive.platforms.values()
        if platform.source_path in state.last_changed
    }


def _listed_as(state: Rendered, case_id: str) -> tuple[object, ...]:
    """Where listings (platform, category and year pages) show a case, and what
    else they show that the case changes (its status, the roll-up figures); not its title."""
    view = state.archive.view(case_id)
    case = view.case
    return (case.date, case.platform_id, case.topic.categories, view.status, view.withdrawn,
            view.figures())


def _charted(state: Rendered, case_id: str) -> tuple[object, ...]:
    return charts.counted(state.archive.view(case_id))


def _chart_pages(state: Rendered, case_id: str) -> set[str]:
    """The pages that draw the charts of a subtree holding the case (besides the home page)."""
    platform_id = state.archive.cases[case_id].platform_id
    chain = (platform_id, *(p.id for p in state.archive.ancestors(platform_id)))
    return {f"platforms/{pid}/" for pid in chain}


def _pages_listing(state: Rendered, case_ids: set[str]) -> set[str]:
    """The URL of the page of each listing that shows one of ``case_ids``."""
    urls = set()
    for base, views in indexes.listings(state.archive, state.categories).items():
        for position, view in enumerate(views):
            if view.case.id in case_ids:
                urls.add(indexes.page_url(base, position // state.page_size + 1))
    return urls


def _print_bundles(state: Rendered, case: model.Case) -> Iterable[str]:
    """URL prefixes of the print bundles a case may appear in (notices show most of it)."""
    yield f"platforms/{case.platform_id}/print/"
    for platform in state.archive.ancestors(case.platform_id):
        yield f"platforms/{platform.id}/print/"


def _reached(state: Rendered, case: model.Case) -> Iterable[str]:
    """URL prefixes of the listings a case appears in, in one build."""
    archive = state.archive
    yield f"platforms/{case.platform_id}/"
    for platform in archive.ancestors(case.platform_id):
        yield f"platforms/{platform.id}/"
    for text in case.topic.categories:
        if text in state.category_slugs:
            yield f"categories/{state.category_slugs[text]}/"
    yield f"years/{case.date.year}/"


def _on_board(state: Rendered, case_id: str) -> tuple[object, ...]:
    """What the follow-up board shows of a case (``templates/follow_up.html``)."""
    return tuple(
        (entry.view.case.title, entry.view.case.date, entry.progress)
        for entry in indexes.open_items_of(state.archive.view(case_id))
    )
