"""Each case's lines in each data file, kept by a preview (``mkdocs serve``) between rebuilds.

Writing the files is a few hundred microseconds a case: seconds for a large
archive, on every rebuild after an edit. But a case's lines depend only on
its record, its revisions, the as-of day and the site's address, and between
two rebuilds the loader hands back the same record objects for every file not
edited (``records.archive.LoadMemo``) and the history the same revisions
until a commit. So the lines of a case whose record and revisions are the
very objects of the last build are taken as they were; only an edited case's
are written again. A build that keeps nothing (``DataMemo(keep=False)``, the
default of ``data_files``) holds no line longer than its file.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

# What a case's lines are made from: its record, its revisions. Compared by identity
# (``is``) first; by value when the objects are new (revisions read again after a commit,
# a memo kept between builds in ``build/``).
Sources = tuple[object, ...]


class DataMemo:
    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self._frame: Hashable = None  # what every line depends on: the day, the address
        self._kept: dict[Hashable, tuple[Sources, str]] = {}
        self._next: dict[Hashable, tuple[Sources, str]] = {}

    def begin(self, frame: Hashable) -> None:
        """Start a build; with another ``frame`` nothing kept is valid."""
        if frame != self._frame:
            self._kept.clear()
            self._frame = frame
        self._next = {}

    def text(self, key: Hashable, sources: Sources, make: Callable[[], str]) -> str:
        """The text at ``key`` (a file and a case), made again unless ``sources`` are
        the objects it was made from."""
        found = self._kept.get(key)
        text = found[1] if found is not None and _same(found[0], sources) else make()
        if self.keep:
            self._next[key] = (sources, text)
        return text

    def end(self) -> None:
        """Finish a build: keep what it used, and nothing of cases no longer there."""
        self._kept, self._next = self._next, {}


def _same(before: Sources, now: Sources) -> bool:
    return len(before) == len(now) and all(a is b or a == b
                                           for a, b in zip(before, now, strict=True))

