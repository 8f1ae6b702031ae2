"""The search index in several Pagefind bundles cut by age, and the list the search page reads.

Pagefind's meta index lists every page of its bundle (a content hash and a
word count each, about 9 bytes a page compressed) and the browser loads it
whole before the first result: one bundle for the whole archive makes the
first search cost more with every case (bench/README.md). So an archive of
more than one and a half ``search_bundle_pages`` dated pages is published
as several bundles (``slices.cut_bundles``): the newest cases and every
page without a date (platforms) in ``pagefind/``, where the search page
looks first; the older ones, oldest first, in ``pagefind/older/1/``,
``pagefind/older/2/``, .... Each is a Pagefind bundle of its own (entry
file, meta index, word chunks, filters, fragments) without scripts or
WebAssembly: the search page merges it into the instance of ``pagefind/``
(Pagefind's ``mergeIndex``), which runs it with its own.
``pagefind/bundles.json`` says what each holds:

    {"bundles": [{"path": "", "pages": 9120, "cases": 7000, "from": "2024-03-02",
                  "to": "2026-11-30", "years": {"2024": 1200, ...}}, ...]}

newest first; ``path`` is below ``pagefind/``, ``cases`` the pages with a
date, ``from``/``to`` their first and last date, ``years`` how many of them
fall in each year. A site in one bundle has the file too, with one entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from generator.search.slices import Page

MANIFEST: Final = "bundles.json"
OLDER_DIR: Final = "older"


def folder(number: int, count: int) -> str:
    """Where bundle ``number`` of ``count`` (0 the oldest) goes below ``pagefind/``."""
    return "" if number == count - 1 else f"{OLDER_DIR}/{number + 1}/"


def bundle_key(slice_keys: Sequence[str]) -> str:
    """A digest of a bundle's slices (each already a digest of its pages), in order."""
    return hashlib.sha256("\n".join(slice_keys).encode("ascii")).hexdigest()


def manifest(groups: Sequence[Sequence[Page]], pages: int) -> bytes:
    """``bundles.json`` for the bundles of ``groups`` (oldest first); ``pages``: the page
    count of a site indexed in one run whose pages could not be listed (no groups)."""
    if not groups:
        return _dump({"bundles": [{"path": "", "pages": pages}]})
    listed = []
    for number in reversed(range(len(groups))):
        dates = sorted(page.sort[1] for page in groups[number] if page.sort)
        entry: dict[str, Any] = {"path": folder(number, len(groups)),
                                 "pages": len(groups[number]), "cases": len(dates)}
        if dates:
            entry.update({"from": dates[0], "to": dates[-1],
                          "years": dict(sorted(Counter(date[:4] for date in dates).items()))})
        listed.append(entry)
    return _dump({"bundles": listed})


def _dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def link_tree(source: Path, target: Path) -> None:
    """``target`` with every file of ``source`` hard-linked (copied where links fail)."""
    def link(from_path: str, to_path: str) -> None:
        try:
            os.link(from_path, to_path)
        except OSError:  # another file system, or one without hard links
            shutil.copy2(from_path, to_path)

    shutil.copytree(source, target, copy_function=link, dirs_exist_ok=True)
