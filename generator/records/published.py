"""Addresses never break: every case that was ever published keeps a page at ``/cases/<id>/``.

Printed QR codes point at case addresses. The ids that were ever published
come from git: one ``git log`` over ``content/cases/`` along the first-parent
history of HEAD (what was merged into the branch, not the intermediate commits
of a merged pull request), newest commit first, listing the case files each
commit added or deleted. An id from that history is fine when

* a case file with that name exists now, in any sub-folder (a withdrawn case
  keeps its file, so it exists), or
* some case lists it in ``former_ids`` (it was renamed; the site writes a
  redirect page at the old address, see ``redirects.py``).

Anything else is an error naming the id, the path the file was last seen at
and the commit that deleted it, or saying that the deletion is not yet
committed: the ids on disk are compared, so a file deleted in the work tree is
caught before it is committed.

Outside a git checkout (a release tarball) the check is skipped with a
warning. A shallow clone knows only part of the history: the check covers what
it knows and warns; CI must fetch the whole history (``fetch-depth: 0``).

Warnings go to the ``generator.published`` logger: the CLI prints them, and
under MkDocs they do not count as build warnings (``--strict`` would turn a
tarball build into a failure).
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from generator.records.ids import is_valid_id
from generator.records.loader import Mark
from generator.records.problems import Problem

log = logging.getLogger(__name__)

CASES_DIR: Final = "cases"
RECORD_SUFFIX: Final = ".yml"
_CASES_PREFIX: Final = f"{CASES_DIR}/"
_SHORT: Final = 10  # characters of a commit hash shown to editors


# ---------------------------------------------------------------------------
# Reading the history.


@dataclass(frozen=True)
class Commit:
    sha: str
    day: str  # committer date, YYYY-MM-DD

    @property
    def short(self) -> str:
        return self.sha[:_SHORT]


@dataclass(frozen=True)
class Sighting:
    """Where the file of a published id was last seen."""

    path: str  # below the content folder, e.g. cases/yingze/2022-x.yml
    added: Commit  # the newest commit that added the file at ``path``
    deleted: Commit | None  # the commit that deleted it after that, if any


@dataclass(frozen=True)
class History:
    """Every case id that was ever added on the current branch, by id."""

    sightings: Mapping[str, Sighting] = field(default_factory=dict)
    warning: str | None = None  # why the history is missing or incomplete


def read_history(content_dir: Path) -> History:
    """The published case ids under ``content_dir``; see ``start_history``."""
    return start_history(content_dir).result()


_LOG_ARGS: Final = ("log", "--first-parent", "--no-renames", "--diff-filter=AD", "--name-status",
                    "-z", "--relative", "--format=%x01%H %cs", "--", CASES_DIR)
_SHALLOW: Final = ("这是浅克隆（shallow clone），git 历史不完整：只能核对已取得的提交中发布过的"
                   "案例，更早删除的案例查不出来。请取得完整历史（git fetch --unshallow；"
                   "GitHub Actions 中 actions/checkout 设 fetch-depth: 0）")


@dataclass
class PendingHistory:
    """``git log`` running in the background while the records are checked.

    The log writes into a temporary file rather than a pipe, so it runs to the end
    without anyone reading it and without a thread (``archive.py`` forks worker
    processes meanwhile). ``done`` is set at once when there is nothing to run.
    """

    content_dir: Path
    done: History | None = None
    process: subprocess.Popen[bytes] | None = None
    output: IO[bytes] | None = None  # the log's stdout, then its stderr
    errors: IO[bytes] | None = None
    shallow: bool = False

    def result(self) -> History:
        """The history; waits for git the first time."""
        if self.done is None:
            self.done = self._collect()
        return self.done

    def _collect(self) -> History:
        assert self.process is not None and self.output is not None and self.errors is not None
        with self.output, self.errors:
            returncode = self.process.wait()
            self.output.seek(0)
            self.errors.seek(0)
            if returncode != 0:
                return History(warning=f"读取 git 历史失败（{first_line(self.errors.read())}），"
                                       "无法核对已发布案例的地址，跳过这项检查")
            output = self.output.read().decode("utf-8", errors="surrogateescape")
        return History(parse_log(output), _SHALLOW if self.shallow else None)


def start_history(content_dir: Path) -> PendingHistory:
    """Start reading the published case ids under ``content_dir``; ``.result()`` waits.

    Two git processes: ``rev-parse`` (constant time: is this a checkout with a
    commit, is it shallow), then ``log``, linear in the history.
    """
    try:
        probe = git(content_dir, "rev-parse", "--is-shallow-repository", "--verify", "-q", "HEAD")
    except OSError:
        return PendingHistory(content_dir, History(
            warning="找不到 git 命令，无法核对已发布案例的地址，跳过这项检查"))
    if probe.returncode == 1:  # a repository without a commit: nothing was published yet
        return PendingHistory(content_dir, History())
    if probe.returncode != 0:
        reason = first_line(probe.stderr) or "不是 git 仓库"
        return PendingHistory(content_dir, History(warning=(
            f"{content_dir} 不在 git 仓库中（{reason}），无法核对已发布案例的地址，跳过这项检查")))
    # Closed by PendingHistory.result(): they outlive this function.
    output, errors = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(["git", "-C", str(content_dir), *_LOG_ARGS],
                               stdout=output, stderr=errors)
    shallow = probe.stdout.split(b"\n", 1)[0].strip() == b"true"
    return PendingHistory(content_dir, None, process, output, errors, shallow)


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False)


def first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    return lines[0].removeprefix("fatal: ").strip() if lines else ""


def parse_log(output: str) -> dict[str, Sighting]:
    """Parse ``git log -z --name-status --format=%x01%H %cs``, newest commit first.

    For each id, the newest addition gives the path; a deletion of that same path
    seen before it (so newer) is the commit that removed the file.
    """
    added: dict[str, Sighting] = {}
    deleted_paths: dict[str, Commit] = {}  # newest deletion of each path
    commit: Commit | None = None
    tokens = iter(output.split("\0"))
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            sha, _, day = token[1:].partition(" ")
            commit = Commit(sha, day.strip())
            continue
        if token not in ("A", "D") or commit is None:
            continue
        path = next(tokens, "")
        case_id = case_id_of(path)
        if case_id is None:
            continue
        if token == "D":
            deleted_paths.setdefault(path, commit)
        elif case_id not in added:
            added[case_id] = Sighting(path, commit, deleted_paths.get(path))
    return added


def case_id_of(path: str) -> str | None:
    """The case id of a record path below the content folder, or None for other files.

    Hidden files and folders are not records (as in ``archive.py``), nor are
    names that are not ids: such files never made it to the site.
    """
    if not (path.startswith(_CASES_PREFIX) and path.endswith(RECORD_SUFFIX)) or "/." in path:
        return None
    stem = path[path.rfind("/") + 1 : -len(RECORD_SUFFIX)]
    return stem if is_valid_id(stem) else None


# ---------------------------------------------------------------------------
# The rules.


@dataclass(frozen=True)
class FormerId:
    """One ``former_ids`` entry: the old id, the case that declares it, and where."""

    old_id: str
    case_id: str
    display: str  # the declaring file, as editors see it
    mark: Mark
    path: str  # field path, e.g. former_ids[1]


def former_id_problems(declared: Iterable[FormerId], current: Mapping[str, str]) -> list[Problem]:
    """An old id may not be a current case id, nor be declared twice.

    ``current`` maps every case id that has a file now to that file's display path.
    """
    problems: list[Problem] = []
    first: dict[str, FormerId] = {}
    for entry in declared:
        where = (entry.display, entry.mark.line, entry.mark.column, entry.path)
        if entry.old_id == entry.case_id:
            problems.append(Problem(*where, f"“{entry.old_id}”是本案例现在的编号，"
                                            "不是曾用编号：请从 former_ids 中删去"))
        elif entry.old_id in current:
            problems.append(Problem(*where, (
                f"“{entry.old_id}”仍是现有案例的编号（{current[entry.old_id]}）：旧网址要跳转到"
                f"本案例，就不能同时是另一个案例的网址。改名时请删去或改名旧文件；"
                f"若两个是不同的案例，请从 former_ids 中删去“{entry.old_id}”")))
        elif entry.old_id in first:
            other = first[entry.old_id]
            same = other.display == entry.display
            where_else = f"本文件的 {other.path}" if same else f"{other.display} 的 former_ids"
            problems.append(Problem(*where, (
                f"曾用编号“{entry.old_id}”重复：{where_else} 中已经有了。一个旧网址只能跳转到"
                "一个案例，请只保留一处")))
        else:
            first[entry.old_id] = entry
    return problems


def missing_problems(history: History, current: Mapping[str, str], former: Iterable[str],
                     content_name: str) -> list[Problem]:
    """A problem for every published id that has neither a file nor a redirect now.

    ``content_name`` is how paths below the content folder are shown
    (``content`` gives ``content/cases/...``).
    """
    declared = set(former)
    problems = []
    for case_id in sorted(history.sightings):
        if case_id in current or case_id in declared:
            continue
        sighting = history.sightings[case_id]
        display = f"{content_name}/{sighting.path}"
        problems.append(Problem(display, 1, 1, "", _missing_message(case_id, sighting, display)))
    return problems


def _missing_message(case_id: str, sighting: Sighting, display: str) -> str:
    deleted = sighting.deleted
    if deleted is not None:
        what_happened = (f"这个文件在提交 {deleted.short}（{deleted.day}）中被删除或改名"
                         f"（文件由提交 {sighting.added.short} 加入）")
        restore = (f"如要撤下：请恢复这个文件（提交 {deleted.short} 之前的版本），"
                   "保持文件名不变，并加上 withdrawn（撤回日期和原因）")
    else:
        what_happened = "这个文件在当前提交中还在，但在工作区中已被删除或改名，尚未提交"
        restore = (f"如要撤下：请恢复这个文件（git restore {display}），"
                   "并加上 withdrawn（撤回日期和原因）")
    return (
        f"已发布的案例“{case_id}”不见了：{what_happened}。它的网址 /cases/{case_id}/ 可能已印在"
        f"二维码上，必须一直有效。如是改名：请在改名后的案例文件中加上 former_ids: [{case_id}]，"
        f"旧网址会自动跳转到新网址。{restore}"
    )


def check(history: PendingHistory | Path, current: Mapping[str, str],
          declared: Iterable[FormerId]) -> list[Problem]:
    """The address rules over the whole archive: declarations, then the published ids.

    ``history`` is a started ``PendingHistory`` or the content folder; ``current``
    maps each case id with a file to its display path; ``declared`` holds every
    ``former_ids`` entry of every case file.
    """
    pending = history if isinstance(history, PendingHistory) else start_history(history)
    declared = list(declared)
    problems = former_id_problems(declared, current)
    found = pending.result()
    if found.warning:
        log.warning("警告：%s", found.warning)
    name = pending.content_dir.resolve().name
    problems += missing_problems(found, current, (d.old_id for d in declared), name)
    return problems
