"""Every file of ``/data/``, by its path in the docs tree."""

from __future__ import annotations

import hashlib
import os
import tempfile
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from generator.data import cases_json, checksums, csv_format, licences, package
from generator.data.case_lists import CASE_LISTS
from generator.data.columns import LIST_SEPARATOR, TYPE_TITLES
from generator.data.memo import DataMemo, Spans, status
from generator.data.rows import Source
from generator.data.tables import TABLES, WITHDRAWN_COLUMNS, Table
from generator.options import Options
from generator.records import model
from generator.records.revisions import Histories

FOLDER: Final = "data/"  # the files' folder in the docs tree, and the page's address
# How the page names the characters a formula may start with that do not show.
_UNSEEN: Final = {"\t": "制表符", "\r": "回车符"}
_CHUNK: Final = 1 << 20  # bytes written, hashed or copied at a time


@dataclass(frozen=True)
class Written:
    """The files ``write_data_files`` left in the docs tree: their names there, and how many
    it wrote and how many it left as they were (the same bytes)."""

    names: tuple[str, ...]
    written: int
    unchanged: int


def data_files(archive: model.Archive, histories: Histories,
               options: Options) -> dict[str, bytes]:
    """``data/cases.csv`` and the rest, as bytes by their path in the docs tree (tests,
    benchmarks); a build writes them with ``write_data_files``."""
    with tempfile.TemporaryDirectory() as folder:
        written = write_data_files(Path(folder), archive, histories, options)
        return {name: (Path(folder) / name).read_bytes() for name in written.names}


def write_data_files(docs: Path, archive: model.Archive, histories: Histories,
                     options: Options, memo: DataMemo | None = None) -> Written:
    """Write ``data/cases.csv`` and the rest into the docs tree ``docs``, a file at a time
    and a case at a time, never a whole file in memory: a file whose bytes did not change
    is left as it was (its time too, as the rest of the tree).

    ``memo``: kept from the last build into the same tree, to copy each unchanged case's
    lines from the files it wrote. Raises ``RecordError`` when ``options.data_license``
    names no known licence.
    """
    licence = licences.licence(options.data_license)
    source = Source(archive, histories, options.site_url)
    folder = docs / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    memo = memo if memo is not None else DataMemo()
    memo.begin((archive.as_of, source.base, str(folder)))
    views = source.views
    sources = [_sources(source, view) for view in views]
    kept = [memo.kept(view.case.id, found) for view, found in zip(views, sources, strict=True)]
    files = _Files(folder, memo)
    for table in TABLES:
        if table.of_case is None:
            files.write(table.file, (csv_format.table_bytes(table, source),))
            continue
        writer = csv_format.Writer(table)
        files.write_cases(table.file, writer.head(), "", "", views, kept,
                          _table_lines(table, writer, source))
    files.write_cases(package.JSON_FILE, cases_json.json_head(source), cases_json.SEPARATOR,
                      cases_json.TAIL, views, kept,
                      lambda view: cases_json.case_line(source, view))
    files.write(package.FILE, (package.package_bytes(
        files.sizes, files.digests, title=options.site_name, licence=licence,
        as_of=archive.as_of.isoformat(), commit=histories.built_from,
        homepage=f"{source.base}{FOLDER}" if options.site_url else None,
    ),))
    files.write(package.SUMS_FILE, (checksums.sha256sums(files.digests),))
    memo.end([view.case.id for view in views], sources, files.spans)
    return Written(tuple(FOLDER + name for name in sorted(files.digests)), files.written,
                   files.unchanged)


class _Files:
    """The data files being written into ``folder``: each into a new file beside the old
    one, which replaces it only when its bytes differ."""

    def __init__(self, folder: Path, memo: DataMemo) -> None:
        self.folder = folder
        self.memo = memo
        self.sizes: dict[str, int] = {}
        self.digests: dict[str, str] = {}
        self.spans: dict[str, Spans] = {}
        self.written = self.unchanged = 0

    def write(self, name: str, parts: Iterable[bytes]) -> None:
        with self._open(name) as out:
            for part in parts:
                out.write(part)
        self._settle(name, out, array("q"), array("q"))

    def write_cases(self, name: str, head: str, separator: str, tail: str,
                    views: list[model.CaseView], kept: list[int | None],
                    make: Callable[[model.CaseView], str]) -> None:
        """A file of each case's lines, with ``separator`` between cases: copied from the
        last build's file where ``kept`` gives the case's place there, else made."""
        before = self.memo.spans(name, self.folder / name)
        starts, ends = array("q"), array("q")
        gap = separator.encode()
        with self._open(name) as out, _Copier(self.folder / name, before, out) as copier:
            out.write(head.encode())
            for number, (view, position) in enumerate(zip(views, kept, strict=True)):
                if number:
                    copier.write(gap)
                starts.append(copier.size)
                if before is not None and position is not None:
                    copier.copy(*before.span(position))
                else:
                    copier.write(make(view).encode())
                ends.append(copier.size)
            copier.write(tail.encode())
        self._settle(name, out, starts, ends)

    def _open(self, name: str) -> _Out:
        return _Out(self.folder / f".{name}.new")

    def _settle(self, name: str, out: _Out, starts: array[int], ends: array[int]) -> None:
        """Put the new file in place unless the old one holds the same bytes."""
        path = self.folder / name
        digest = out.sha.hexdigest()
        if _digest_of(path, self.memo.spans(name, path), out.size) == digest:
            out.path.unlink()
            self.unchanged += 1
        else:
            os.replace(out.path, path)
            self.written += 1
        found = status(path)
        if found is not None:
            self.spans[name] = Spans(found, digest, starts, ends)
        self.sizes[name], self.digests[name] = out.size, digest


def _table_lines(table: Table[Any], writer: csv_format.Writer,
                 source: Source) -> Callable[[model.CaseView], str]:
    return lambda view: writer.text(table.rows_of(source, view))


def _sources(source: Source, view: model.CaseView) -> tuple[object, ...]:
    """What a case's lines are made from, besides the day and the address."""
    return view.case, source.histories.of(view.case.id)


def _digest_of(path: Path, known: Spans | None, size: int) -> str | None:
    """The SHA-256 of the file at ``path`` if it has ``size`` bytes (read only when not
    ``known``); None when it is missing or of another size."""
    found = status(path)
    if found is None or found[0] != size:
        return None
    if known is not None:
        return known.sha256
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Out:
    """A file being written, its bytes counted and hashed as they go."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sha = hashlib.sha256()
        self.size = 0
        self._buffer = bytearray()
        self._file: BinaryIO | None = None

    def __enter__(self) -> _Out:
        self._file = open(self.path, "wb")  # closed by __exit__
        return self

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        assert self._file is not None
        self.sha.update(self._buffer)
        self._file.write(self._buffer)
        self._buffer.clear()

    def __exit__(self, *error: object) -> None:
        assert self._file is not None
        try:
            if error[0] is None:
                self._flush()
        finally:
            self._file.close()
            if error[0] is not None:
                self.path.unlink(missing_ok=True)


class _Copier:
    """Writes into ``out``, copying ranges of the last build's file; consecutive ranges
    (unchanged cases side by side) are read as one."""

    def __init__(self, path: Path, before: Spans | None, out: _Out) -> None:
        self.path = path
        self.before = before
        self.out = out
        self._file: BinaryIO | None = None
        self._pending: tuple[int, int] | None = None  # a range of the old file not yet copied

    @property
    def size(self) -> int:
        """The bytes written so far, the pending range included."""
        pending = self._pending[1] - self._pending[0] if self._pending else 0
        return self.out.size + pending

    def __enter__(self) -> _Copier:
        if self.before is not None:
            self._file = open(self.path, "rb")  # closed by __exit__
        return self

    def copy(self, begin: int, end: int) -> None:
        if self._pending is not None and self._pending[1] == begin:
            self._pending = (self._pending[0], end)
            return
        self._copy_pending()
        self._pending = (begin, end)

    def write(self, data: bytes) -> None:
        self._copy_pending()
        self.out.write(data)

    def _copy_pending(self) -> None:
        if self._pending is None:
            return
        assert self._file is not None
        begin, end = self._pending
        self._pending = None
        self._file.seek(begin)
        while begin < end:
            chunk = self._file.read(min(_CHUNK, end - begin))
            if not chunk:
                raise OSError(f"{self.path} is shorter than when it was written")
            self.out.write(chunk)
            begin += len(chunk)

    def __exit__(self, *error: object) -> None:
        try:
            if error[0] is None:
                self._copy_pending()
        finally:
            if self._file is not None:
                self._file.close()


def guide(options: Options) -> dict[str, Any]:
    """What the 数据下载 page explains, from the same declarations the files are written from."""
    return {
        "tables": TABLES,
        "case_lists": CASE_LISTS,
        "licence": licences.licence(options.data_license),
        "json_file": package.JSON_FILE,
        "json_description": package.JSON_DESCRIPTION,
        "package_file": package.FILE,
        "sums_file": package.SUMS_FILE,
        "separator": LIST_SEPARATOR,
        "formula_starts": [_UNSEEN.get(c, c) for c in csv_format.FORMULA_STARTS],
        "neutraliser": csv_format.NEUTRALISER,
        "type_titles": TYPE_TITLES,
        "withdrawn_columns": WITHDRAWN_COLUMNS,
    }
