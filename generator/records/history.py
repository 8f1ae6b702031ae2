"""The archive's git history in one pass: each case's revisions and each record's last change.

Two git processes for the whole archive, whatever its size: one ``git log``
lists every commit that touched a file under the content folder, with the
blob (the file's content) each left behind; one ``git cat-file --batch``
then reads those blobs. A process per file would grow into minutes.

Revisions follow a case across folders (its id is its file name) and across
renames recorded in ``former_ids``. Each revision is compared with the one
before it (``differences``); what the comparison may show obeys today's
rules, and a withdrawn case keeps only its revisions' dates, subjects and
commits.

Outside a git checkout there is no history, and pages show none. A shallow
clone knows only its own commits: the oldest revision it has is not called
the first, and the build says so once in its log.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Final

from generator.records import differences, model, privacy
from generator.records.archive import map_in_processes
from generator.records.published import case_id_of, first_line, git
from generator.records.revisions import (
    BEIJING,
    EARLIER_UNKNOWN,
    FIRST_PUBLISHED,
    NO_HISTORY,
    NOT_COMPARABLE,
    NOTHING_CHANGED,
    Histories,
    Revision,
)

log = logging.getLogger("generator.history")

_LOG_ARGS: Final = ("log", "-z", "--no-renames", "--raw", "--no-abbrev", "--relative",
                    "--format=%x01%H%x02%ct%x02%s", "--", ".")
_NO_BLOB: Final = "0" * 40
SHALLOW_WARNING: Final = (
    "这是浅克隆（shallow clone），git 历史不完整：案例页的修订记录只列出已取得的提交。"
    "请取得完整历史（git fetch --unshallow；GitHub Actions 中 actions/checkout 设 fetch-depth: 0）")


@dataclass(frozen=True)
class Commit:
    sha: str
    time: dt.datetime  # Beijing time
    subject: str


@dataclass(frozen=True)
class Change:
    """A file added or modified by a commit (deletions leave nothing to show)."""

    commit: Commit
    order: int  # the commit's place in the log: 0 is the newest
    path: str  # below the content folder, e.g. cases/yingze/2022-jishui.yml
    blob: str


@dataclass(frozen=True)
class GitLog:
    """What one ``git log`` over the content folder says."""

    changes: tuple[Change, ...] = ()  # newest first
    head: str | None = None
    shallow: bool = False

    def last_changed(self) -> dict[str, dt.date]:
        """Each file's latest commit day (Beijing time), by path below the content folder."""
        days: dict[str, dt.date] = {}
        for change in self.changes:
            days.setdefault(change.path, change.commit.time.date())
        return days

    def by_case_id(self) -> dict[str, list[Change]]:
        """The changes of every case file, by the id its file name gives, newest first."""
        found: dict[str, list[Change]] = {}
        for change in self.changes:
            case_id = case_id_of(change.path)
            if case_id is not None:
                found.setdefault(case_id, []).append(change)
        return found


def read_log(content_dir: Path) -> GitLog:
    """The content folder's history; empty outside a git checkout or without git."""
    try:
        probe = git(content_dir, "rev-parse", "--is-shallow-repository", "--verify", "-q", "HEAD")
    except OSError:
        log.warning("找不到 git 命令：页面不显示修改日期和修订记录")
        return GitLog()
    if probe.returncode != 0:  # not a checkout, or no commit yet
        return GitLog()
    shallow_line, head = probe.stdout.decode().split()[:2]
    result = git(content_dir, *_LOG_ARGS)
    if result.returncode != 0:
        log.warning("读取 git 历史失败（%s）：页面不显示修订记录", first_line(result.stderr))
        return GitLog(head=head)
    changes = tuple(parse_log(result.stdout.decode("utf-8", errors="replace")))
    return GitLog(changes, head, shallow_line == "true")


def parse_log(output: str) -> Iterator[Change]:
    """Parse ``git log -z --raw --no-abbrev --format=%x01%H%x02%ct%x02%s``, newest first."""
    commit: Commit | None = None
    order = -1
    tokens = iter(output.split("\0"))
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            sha, seconds, subject = token[1:].split("\x02", 2)
            when = dt.datetime.fromtimestamp(int(seconds), BEIJING)
            commit = Commit(sha, when, subject)
            order += 1
        elif token.startswith(":") and commit is not None:
            *_, blob, status = token.split(" ")
            path = next(tokens, "")
            if status != "D" and blob != _NO_BLOB:
                yield Change(commit, order, path, blob)


def read_blobs(content_dir: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The content of each blob, read by one ``git cat-file --batch``."""
    wanted = sorted(set(blobs))
    if not wanted:
        return {}
    result = subprocess.run(["git", "-C", str(content_dir), "cat-file", "--batch"],
                            input="".join(f"{blob}\n" for blob in wanted).encode(),
                            capture_output=True, check=False)
    found: dict[str, bytes] = {}
    data = result.stdout
    at = 0
    for blob in wanted:
        header_end = data.index(b"\n", at)
        header = data[at:header_end].split()
        if len(header) != 3:  # "<blob> missing": a shallow or partial clone
            at = header_end + 1
            continue
        size = int(header[2])
        found[blob] = data[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
    return found


def read_histories(content_dir: Path, archive: model.Archive,
                   git_log: GitLog | None = None, jobs: int | None = None) -> Histories:
    """Every case's revisions, newest first, from ``content_dir``'s git history.

    The comparisons run in ``jobs`` processes (default: one per usable CPU),
    like the checks of ``load_archive``.
    """
    git_log = git_log if git_log is not None else read_log(content_dir)
    if git_log.head is None:
        return NO_HISTORY
    if git_log.shallow:
        log.warning("警告：%s", SHALLOW_WARNING)
    by_id = git_log.by_case_id()
    changes_of = {case_id: _changes_of(case, by_id) for case_id, case in archive.cases.items()}
    blobs = read_blobs(content_dir, (c.blob for changes in changes_of.values() for c in changes))
    work = _Work(archive, changes_of, blobs, content_dir.resolve().name + "/", git_log.shallow)
    case_ids = sorted(case_id for case_id, changes in changes_of.items() if changes)
    found = map_in_processes(work.revisions, case_ids, jobs)
    return Histories(MappingProxyType(dict(zip(case_ids, found, strict=True))), git_log.head,
                     not git_log.shallow)


def reuse_key(git_log: GitLog, archive: model.Archive) -> Hashable:
    """What a case's revisions depend on besides the commits: two builds with the same key
    have the same histories (a preview's rebuild after an edit not yet committed)."""
    return git_log.head, git_log.shallow, tuple(sorted(
        (case.id, case.former_ids, case.withdrawn is not None) for case in archive.cases.values()))


@dataclass(frozen=True)
class _Work:
    """What comparing a case's revisions needs; a forked worker inherits it unpickled."""

    archive: model.Archive
    changes_of: Mapping[str, list[Change]]
    blobs: Mapping[str, bytes]
    prefix: str  # the content folder's name and a slash: how paths are shown
    shallow: bool

    def revisions(self, case_id: str) -> tuple[Revision, ...]:
        return _revisions(self.archive.cases[case_id], self.changes_of[case_id], self.blobs,
                          self.prefix, self.shallow)


def _changes_of(case: model.Case, by_id: Mapping[str, list[Change]]) -> list[Change]:
    """The case's changes under its id and its former ids, newest first, one per commit."""
    found = [change for case_id in (case.id, *case.former_ids)
             for change in by_id.get(case_id, ())]
    found.sort(key=lambda change: change.order)
    seen: set[str] = set()
    unique = []
    for change in found:
        if change.commit.sha not in seen:
            seen.add(change.commit.sha)
            unique.append(change)
    return unique


def _revisions(case: model.Case, changes: list[Change], blobs: Mapping[str, bytes],
               prefix: str, shallow: bool) -> tuple[Revision, ...]:
    """The revisions of one case, newest first, each compared with the one before it."""
    revisions: list[Revision] = []
    before: differences.Version | None = None
    for change in reversed(changes):
        display = prefix + change.path
        version = differences.read_version(blobs.get(change.blob), display,
                                           case_id_of(change.path) or case.id)
        revision = Revision(change.commit.sha, change.commit.time, _subject(change.commit),
                            display)
        if not revisions:
            revision = replace(revision, changes=(EARLIER_UNKNOWN if shallow else FIRST_PUBLISHED,))
        else:
            revision = _compared(revision, before, version)
        revisions.append(revision)
        if revision.comparable and version is not None:
            before = version
    if case.withdrawn is not None:  # dates, subjects and commits only
        revisions = [replace(r, changes=(), fields=()) for r in revisions]
    return tuple(reversed(revisions))


def _compared(revision: Revision, before: differences.Version | None,
              version: differences.Version | None) -> Revision:
    """The revision with what changed since ``before``, the last version that could be read."""
    if version is None:
        return replace(revision, comparable=False, changes=(NOT_COMPARABLE,))
    if before is None:  # every earlier version was unreadable
        return replace(revision, changes=(FIRST_PUBLISHED,))
    try:
        sentences, fields = differences.compare(before, version)
    except differences.Unreadable:
        return replace(revision, comparable=False, changes=(NOT_COMPARABLE,))
    return replace(revision, changes=tuple(sentences) or (NOTHING_CHANGED,), fields=tuple(fields))


def _subject(commit: Commit) -> str:
    return "" if privacy.find_personal_data(commit.subject) else commit.subject


def record_key(source_path: str, content_dir: Path) -> str:
    """The key of a record in the map: its path below ``content_dir``.

    ``source_path`` is how editors see the file (``content/cases/x.yml``), which
    may be relative to the working directory rather than to ``content_dir``.
    """
    parts = source_path.split("/")
    if parts[0] == content_dir.name and parts.count(content_dir.name) == 1:
        return "/".join(parts[1:])  # the usual case, without touching the file system
    path = Path(source_path)
    try:
        return path.resolve().relative_to(content_dir.resolve()).as_posix()
    except ValueError:
        parts = PurePosixPath(path.as_posix()).parts
        if content_dir.name in parts:
            index = len(parts) - 1 - parts[::-1].index(content_dir.name)
            return PurePosixPath(*parts[index + 1 :]).as_posix()
        return path.as_posix()
