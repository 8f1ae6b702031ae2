"""What ``mkdocs build`` keeps in ``build/`` for the next build, and whether it still holds.

A warm build reuses the previous build's work: the generator's rendering
state (``site.changes.Rendered``), the records it loaded, where each case's
open data lines are in the files it wrote (``data.memo``, offsets, not the
lines); the engine's pages whose source and context did not change; the
search index's slices. All of it is one pickle,
``<build_dir>-warm/state.pickle``: the generator's part written as soon as
the generator is done (``Saving``), the rest at the end of a build that
finished without a warning; deleted as soon as the next build reads it:
a build that fails half way leaves no state, and the one after starts cold.
It is written and read as a stream, never held whole in memory; what it
unpickles is what the build needs anyway (the records, shared by the
archive and the loader's memo), so a warm build holds the archive once.

The state holds only when it was made by the same generator, lock file,
configuration and theme overrides (``fingerprint``); and every file it
vouches for (the docs tree, the built pages) is checked against its record
(``FileRecord``) before anything is reused. Anything unreadable, from
another fingerprint or altered means a cold build, never a wrong site.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import hashlib
import importlib.metadata
import os
import pickle
import shutil
import sys
import types
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

import generator

MAGIC: Final = b"xieshang-warm-2\n"
STATE_FILE: Final = "state.pickle"
PREVIOUS_SITE: Final = "site-previous"
_DIGEST: Final = 32
_CHUNK: Final = 1 << 20
_SHARED_CHUNK: Final = 1000  # case records per pickle (``Saving``)



def read_only(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(mapping)


# Mappings the model exposes read-only (``types.MappingProxyType``) pickle as a copy.
copyreg.pickle(types.MappingProxyType, lambda proxy: (read_only, (dict(proxy),)))


@dataclass(frozen=True)
class FileRecord:
    """A file as a build left it: its status, to trust cheaply, and a digest of its bytes."""

    size: int
    mtime_ns: int
    digest: bytes


def record(path: str, known: FileRecord | None = None) -> FileRecord | None:
    """The file's record; its bytes are read only when its status differs from ``known``'s."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    if known is not None and (known.size, known.mtime_ns) == (status.st_size,
                                                                status.st_mtime_ns):
        return known
    try:
        with open(path, "rb") as file:  # in chunks: the open data's cases.json is 480 MB
            digest = hashlib.file_digest(file, _new_digest).digest()  # at 100,000 cases
    except OSError:
        return None
    return FileRecord(status.st_size, status.st_mtime_ns, digest)


def _new_digest() -> hashlib.blake2b:
    return hashlib.blake2b(digest_size=_DIGEST)


def unchanged(path: str, known: FileRecord) -> bool:
    """Whether the file holds the bytes ``known`` describes."""
    found = record(path, known)
    return found is not None and found.digest == known.digest


def records(root: Path, names: Iterable[str],
            previous: Mapping[str, FileRecord]) -> dict[str, FileRecord]:
    """Records of ``names`` below ``root``, reading only files whose status changed."""
    found = {}
    for name in names:
        entry = record(os.path.join(root, name), previous.get(name))
        if entry is not None:
            found[name] = entry
    return found


@dataclass
class PageRecord:
    """A page the engine built: its source in the docs tree and its file in the site."""

    dest: str  # the page's file below the site
    source: FileRecord
    output: FileRecord
    keepable: bool  # a generated page outside the navigation: nothing else reaches it


@dataclass
class State:
    fingerprint: str
    generator: dict[str, Any] = field(default_factory=dict)  # the build_docs memos
    docs: dict[str, FileRecord] = field(default_factory=dict)  # the docs tree, every file
    context: str = ""  # what reaches every page besides its source (``context_key``)
    pages: dict[str, PageRecord] = field(default_factory=dict)  # by the page's source name


def fingerprint(config_file: Path | None, custom_dir: str | None, options: object) -> str:
    """What every byte of the site depends on besides the records and the day: the
    generator's code, the installed packages (the lock file's), the lock file itself,
    the configuration file, the theme overrides and the options as read."""
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "little") + data)

    add(MAGIC, sys.version, repr(options), "properdocs" if "properdocs" in sys.modules else "")
    for distribution in sorted(f"{d.metadata['Name']}=={d.version}"
                               for d in importlib.metadata.distributions()):
        add(distribution)
    package = Path(generator.__file__).resolve().parent
    folders = [package, Path(custom_dir)] if custom_dir else [package]
    for folder in folders:
        for path in _files(folder):
            add(str(path.relative_to(folder)), path.read_bytes())
    if config_file is not None:
        add(config_file.read_bytes())
        lock = config_file.parent / "requirements.lock"
        add(lock.read_bytes() if lock.is_file() else b"")
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)


def load(folder: Path, expected: str) -> State | None:
    """The state the last build left in ``folder``, if it was made with the ``expected``
    fingerprint and reads back whole; None otherwise. The file is deleted either way.

    Read from the file as it is unpickled, never whole into memory: its checksum is
    checked first, by reading it once in chunks."""
    path = folder / STATE_FILE
    try:
        with open(path, "rb") as file:
            path.unlink(missing_ok=True)
            state = _read(file, expected)
    except OSError:
        return None
    return state if isinstance(state, State) and state.fingerprint == expected else None


def _read(file: BinaryIO, expected: str) -> object:
    head = file.read(len(MAGIC) + 64 + _DIGEST)
    if (len(head) < len(MAGIC) + 64 + _DIGEST or not head.startswith(MAGIC)
            or head[len(MAGIC):len(MAGIC) + 64] != expected.encode("ascii")):
        return None
    start = file.tell()
    digest = hashlib.blake2b(digest_size=_DIGEST)
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
    if digest.digest() != head[len(MAGIC) + 64:]:
        return None
    file.seek(start)
    try:
        count, shared = pickle.load(file), []
        while len(shared) < count:
            shared.extend(pickle.load(file))
        unpickler = pickle.Unpickler(file)
        unpickler.persistent_load = shared.__getitem__  # type: ignore[method-assign]
        memos = unpickler.load()  # our own file, its checksum checked above
        state = pickle.load(file)
        if isinstance(state, State):
            state.generator = memos
        return state
    except Exception:  # whatever is wrong with it: start cold
        return None


class Saving:
    """A state written in two goes: the generator's part as soon as the generator is
    done, the rest (the engine's records) when the build has finished.

    The generator's part is most of the state: the records of every case, the
    memos that refer to them. Written before the engine runs, the build can let
    go of the archive for the rest of the build (it was the largest thing the
    process held then), and the pickler's memo of every object it writes is
    not added to the engine's pages. Nothing is in ``folder`` until ``finish``:
    a build that fails or warns calls ``abandon``, and the next one starts cold.

    ``shared``: objects the memos hold many of (the case records), pickled first
    a chunk at a time and referred to by number: a pickler keeps a memo of
    every object it has written (and of the temporary ones it made to write
    them), and for all of them at once that memo would be as large again as
    the archive. A chunk's memo is freed once it is written; within a chunk,
    a text its records share (a role, a status, a department) is written
    once and read back as one object, as the build that loaded the records
    holds it.
    """

    def __init__(self, folder: Path, fingerprint: str, memos: dict[str, Any],
                 shared: Collection[object] = ()) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.partial = folder / f".{STATE_FILE}.new"
        self.file = open(self.partial, "w+b")  # noqa: SIM115 -- closed by finish or abandon
        try:
            self.file.write(MAGIC + fingerprint.encode("ascii") + bytes(_DIGEST))
            self.writer = _Hashing(self.file)
            items = list(shared)
            pickle.dump(len(items), self.writer, protocol=pickle.HIGHEST_PROTOCOL)
            numbers: dict[int, int] = {}
            for start in range(0, len(items), _SHARED_CHUNK):
                chunk = items[start:start + _SHARED_CHUNK]
                pickle.dump(chunk, self.writer, protocol=pickle.HIGHEST_PROTOCOL)
                numbers.update((id(item), start + n) for n, item in enumerate(chunk))
            pickler = pickle.Pickler(self.writer, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.persistent_id = lambda item: numbers.get(id(item))  # type: ignore[method-assign]
            pickler.dump(memos)
        except BaseException:
            self.abandon()
            raise

    def finish(self, state: State) -> None:
        """Write the rest of ``state`` (its ``generator`` was written already) and put the
        file in its place: whole or not at all."""
        try:
            pickle.dump(dataclasses.replace(state, generator={}), self.writer,
                        protocol=pickle.HIGHEST_PROTOCOL)
            self.file.seek(len(MAGIC) + 64)
            self.file.write(self.writer.digest.digest())
            self.file.close()
            os.replace(self.partial, self.folder / STATE_FILE)
        except BaseException:
            self.abandon()
            raise

    def abandon(self) -> None:
        self.file.close()
        self.partial.unlink(missing_ok=True)


class _Hashing:
    """A file to pickle into that hashes what goes through it."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.blake2b(digest_size=_DIGEST)

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)


def forget(folder: Path) -> None:
    """Remove any state and the previous site kept beside it."""
    (folder / STATE_FILE).unlink(missing_ok=True)
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder / PREVIOUS_SITE)
