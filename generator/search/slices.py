"""Which pages each Pagefind run of a sliced index takes, and the folders it runs on.

A large site is indexed a few thousand pages at a time (``generator.search.merge``
says why). Each slice is a folder of hard links to its pages at their own
paths below the site, so Pagefind gives them their real addresses. Slices
follow the pages' sort order (our case pages' date), which lets the merge
join the slices' sort orders end to end. Pages that Pagefind would order in
a way this cannot reproduce (several sort keys, a value given in an
attribute or with markup, numbers) make ``plan`` answer None: index the
site in one run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

BODY_MARK: Final = b"data-pagefind-body"
# <span data-pagefind-sort="date">2025-09-11</span>: the one form our templates write.
_SORT: Final = re.compile(rb'data-pagefind-sort="([^"]*)"[^>]*>([^<]*)<')
_SORT_ATTRIBUTE: Final = b"data-pagefind-sort="


@dataclass(frozen=True)
class Page:
    """A page Pagefind indexes (it has ``data-pagefind-body``), by its file below the site."""

    sort: tuple[str, str] | None  # (sort key, value), or None when it has no sort value
    path: str  # "/"-separated, e.g. cases/x/index.html


class Unsortable(ValueError):
    """A page has sort values this module cannot order as Pagefind would."""


def indexed_pages(site_dir: Path, skip: Sequence[str] = ()) -> list[Page] | None:
    """Every page of the site with ``data-pagefind-body``; None if one has sort values that
    this module cannot order as Pagefind would. ``skip``: folders below the site to leave out."""
    pages: list[Page] = []
    for path in _html_files(site_dir, set(skip)):
        try:
            data = (site_dir / path).read_bytes()
        except FileNotFoundError:  # deleted meanwhile (see link_slice)
            continue
        if not marks_body(data):
            continue
        try:
            pages.append(Page(sort_of(data), path))
        except Unsortable:
            return None
    return pages


def sort_of(html: bytes) -> tuple[str, str] | None:
    """The page's (sort key, value), None without one; ``Unsortable`` for anything but
    one value given as plain text in the one form our templates write."""
    found = _SORT.findall(html)
    if len(found) != html.count(_SORT_ATTRIBUTE) or len(found) > 1:
        raise Unsortable
    if not found:
        return None
    key, value = (part.decode("utf-8") for part in found[0])
    if ":" in key or "[" in key or "&" in value or value != value.strip():
        raise Unsortable
    return key, value


def marks_body(html: bytes) -> bool:
    """Whether an element of the page carries ``data-pagefind-body`` (not just its text)."""
    at = html.find(BODY_MARK)
    while at >= 0:
        inside_a_tag = html.rfind(b"<", 0, at) > html.rfind(b">", 0, at)
        if inside_a_tag and html[at - 1 : at].isspace():
            return True
        at = html.find(BODY_MARK, at + len(BODY_MARK))
    return False


def _html_files(site_dir: Path, skip: set[str]) -> Iterator[str]:
    root = str(site_dir)
    for folder, folders, files in os.walk(root):
        below = "" if folder == root else folder[len(root) + 1:].replace(os.sep, "/") + "/"
        folders[:] = sorted(f for f in folders if below + f not in skip)
        yield from (below + name for name in sorted(files) if name.endswith(".html"))


def plan(pages: Sequence[Page], size: int) -> list[list[str]] | None:
    """The pages' paths cut into slices of ``size`` in sort order; None for one run (few
    pages, more than one sort key, or values Pagefind would compare as numbers)."""
    if len(pages) <= size:
        return None
    keys = {page.sort[0] for page in pages if page.sort}
    values = [page.sort[1] for page in pages if page.sort]
    if len(keys) > 1 or (values and all(_numeric(value) for value in values)):
        return None
    ordered = sorted(pages, key=_order)
    return [[page.path for page in ordered[at:at + size]] for at in range(0, len(ordered), size)]


def cut_bundles(pages: Sequence[Page], size: int) -> list[list[Page]]:
    """The pages cut by age into the bundles the site publishes, the oldest first.

    The dated pages, in sort order, go ``size`` at a time from the oldest on, so
    that a new case (the newest) changes only the newest bundle and the others keep
    their pages; a newest bundle of fewer than ``size // 2`` joins the one before it.
    Pages without a date (platforms) go into the newest bundle, the one the search
    page loads first. So the newest bundle holds between half and one and a half
    ``size`` dated pages, whatever the size of the archive. Pages that ``plan`` could
    not order are one bundle.
    """
    if not pages:
        return []
    keys = {page.sort[0] for page in pages if page.sort}
    values = [page.sort[1] for page in pages if page.sort]
    if len(keys) > 1 or (values and all(_numeric(value) for value in values)):
        return [list(pages)]
    ordered = sorted(pages, key=_order)
    dated = [page for page in ordered if page.sort]
    groups = [dated[at:at + size] for at in range(0, len(dated), size)] or [[]]
    if len(groups) > 1 and len(groups[-1]) < size // 2:
        groups[-2:] = [groups[-2] + groups[-1]]
    groups[-1] += [page for page in ordered if not page.sort]
    return groups


def _order(page: Page) -> tuple[bool, tuple[str, str], str]:
    # Pagefind orders string values by their UTF-8 bytes, as Python orders str;
    # pages without a value are in no sort order, so they may go anywhere: last.
    return page.sort is None, page.sort or ("", ""), page.path


def _numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def key(site_dir: Path, paths: Sequence[str]) -> str:
    """A digest of the pages at ``paths``: their addresses and bytes, as a slice takes them."""
    return slice_key((path, (site_dir / path).read_bytes()) for path in paths)


def slice_key(pages: Iterable[tuple[str, bytes]]) -> str:
    """A digest of a slice's pages (address, what Pagefind reads), in order."""
    digest = hashlib.sha256()
    for path, data in pages:
        for part in (path.encode("utf-8"), data):
            digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def link_slice(site_dir: Path, folder: Path, paths: Sequence[str]) -> None:
    """``folder`` with each of ``paths`` linked (or, where links fail, copied) from the site.

    A page deleted since it was listed is left out: ``mkdocs serve`` removes
    the page of a deleted record while its index is being made in the background.
    """
    for path in paths:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site_dir / path, target)
        except FileNotFoundError:
            continue
        except OSError:  # another file system, or one without hard links
            with contextlib.suppress(FileNotFoundError):
                shutil.copyfile(site_dir / path, target)
