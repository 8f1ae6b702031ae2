"""Which pages a rebuild must render again, given the build before it (``mkdocs serve``).

Rendering every page of a large archive takes a minute; an editor who saves
one case file in a preview wants to see it in seconds. When the only
difference from the previous build is the content of some case files, the
pages those cases can reach are known:

* the case's own page;
* the pages of its platform and of every platform above it (their listings,
  roll-up figures, children's figures and print bundles), before and after
  the edit (a case may move to another platform);
* the pages of its categories and of its year, before and after;
* every page that summarises the whole archive: the home page, the
  follow-up board, the search page and the first pages of the platform,
  category and year directories.

Anything else (a platform file, a case added, removed or renamed, a
category gaining or losing its address, another day, other options) makes
``pages_to_render`` answer None: render everything. A test compares the
result of every kind of edit with a build from scratch, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from generator import model

# Pages about the whole archive: always rendered again.
_SUMMARIES = re.compile(r"^(|search/|follow-up/.*|(platforms|categories|years)/(page/\d+/)?)$")


@dataclass(frozen=True)
class Rendered:
    """What a build rendered from: enough to tell what the next build may keep."""

    archive: model.Archive
    category_slugs: Mapping[str, str]
    last_changed: Mapping[str, dt.date]  # by source_path
    settings: tuple[object, ...]  # everything else that reaches every page (options, pages...)


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
    ]
    prefixes = set()
    for case_id in changed:
        for state in (before, after):
            prefixes.update(_reached(state, state.archive.cases[case_id]))
    exact = {f"cases/{case_id}/" for case_id in changed}
    ordered = tuple(sorted(prefixes))

    def wanted(url: str) -> bool:
        return url in exact or url.startswith(ordered) or _SUMMARIES.match(url) is not None

    return wanted


def _same_frame(before: Rendered, after: Rendered) -> bool:
    """Everything but case contents is the same: platforms, case ids, addresses, day, settings."""
    old, new = before.archive, after.archive
    return (
        old.as_of == new.as_of
        and before.settings == after.settings
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
