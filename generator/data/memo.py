"""Where each case's lines are in the data files the last build wrote, to copy them from there.

Writing the files is a few hundred microseconds a case: seconds for a large
archive, on every rebuild after an edit. But a case's lines depend only on
its record, its revisions, the as-of day and the site's address, and between
two rebuilds the loader hands back the same record objects for every file not
edited (``records.archive.LoadMemo``) and the history the same revisions
until a commit. So the lines of a case whose record and revisions are the
very objects of the last build (or equal ones) are copied from the file the
last build wrote, as bytes; only an edited case's are written again.

The memo holds no text: for each file the end of each case's lines in it (an
array of offsets), and the file's size, time, inode and SHA-256 as written,
so that a file someone changed since is not trusted (its lines are made
again). ``mkdocs serve`` keeps it between rebuilds, ``mkdocs build`` between
builds (``engine.warm``).
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

# What a case's lines are made from: its record, its revisions. Compared by identity
# (``is``) first; by value when the objects are new (revisions read again after a commit,
# a memo kept between builds in ``build/``).
Sources = tuple[object, ...]
# A file's (size, modification time, inode) as written.
Status = tuple[int, int, int]


@dataclass(frozen=True)
class Spans:
    """Where the cases' lines are in one file as written: case ``i``'s from ``starts[i]``
    to ``ends[i]``."""

    status: Status
    sha256: str
    starts: array[int]
    ends: array[int]

    def span(self, position: int) -> tuple[int, int]:
        return self.starts[position], self.ends[position]


class DataMemo:
    def __init__(self) -> None:
        self._frame: Hashable = None  # what every line depends on: the day, the address, folder
        self._positions: dict[str, int] = {}  # case id -> its place in the last build's files
        self._sources: list[Sources] = []  # by that place
        self._files: dict[str, Spans] = {}  # by file name

    def begin(self, frame: Hashable) -> None:
        """Start a build; with another ``frame`` nothing kept is valid."""
        if frame != self._frame:
            self._positions, self._sources, self._files = {}, [], {}
            self._frame = frame

    def kept(self, case_id: str, sources: Sources) -> int | None:
        """The case's place in the last build's files, if its lines there still hold."""
        position = self._positions.get(case_id)
        if position is None or not _same(self._sources[position], sources):
            return None
        return position

    def spans(self, name: str, path: Path) -> Spans | None:
        """Where the lines are in the file ``name`` the last build wrote at ``path``, if the
        file is still as written."""
        found = self._files.get(name)
        return found if found is not None and status(path) == found.status else None

    def end(self, case_ids: Sequence[str], sources: list[Sources],
            files: dict[str, Spans]) -> None:
        """Finish a build: the cases in the order of the files, and where their lines are."""
        self._positions = {case_id: n for n, case_id in enumerate(case_ids)}
        self._sources, self._files = sources, files


def status(path: Path) -> Status | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


def _same(before: Sources, now: Sources) -> bool:
    return len(before) == len(now) and all(a is b or a == b
                                           for a, b in zip(before, now, strict=True))
