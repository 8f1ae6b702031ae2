"""Load a whole ``content/`` folder: every file validated, then the rules between files.

Cross-file rules: file names are valid ids, case ids are unique across
sub-folders, every record file ends in ``.yml``, platform references exist,
the parent links form a tree whose levels go down, and case steps come from
the platform's (inherited) method in its order.

Addresses (``published.py``): a ``former_ids`` entry may not be a current case
id nor be declared twice; and when the whole ``content/cases/`` folder is
checked, every case id ever published (from git) must still have a file or a
``former_ids`` entry somewhere.

Platforms are few and are always loaded first, also when only some case
files are checked: references need them. Case files are independent of each
other once the platforms are known, so large sets are checked in worker
processes (see ``_map``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import hashlib
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from generator.records import model, published
from generator.records.ids import ID_RULE, is_valid_id, suggest_id
from generator.records.loader import Mark, read_file
from generator.records.problems import Problem, RecordError
from generator.records.validate import (
    CaseRefs,
    IdRef,
    PlatformRefs,
    StepRef,
    validate_case,
    validate_platform,
)

RECORD_SUFFIX: Final = ".yml"
# Below this many case files, worker processes cost more than they save.
PARALLEL_MIN_FILES: Final = 400

Kind = Literal["platform", "case"]


def as_of_day() -> dt.date:
    """The day the archive is judged on: SOURCE_DATE_EPOCH when set, else today (UTC)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"环境变量 SOURCE_DATE_EPOCH 应为秒数（整数），实际为 {raw!r}") from None


@dataclass(frozen=True)
class RecordFile:
    kind: Kind
    # Absolute and resolved. Text rather than a Path: a large archive's files are
    # listed and sent to worker processes faster that way.
    path: str
    display: str  # relative to the repository root, e.g. content/cases/yingze/2022-x.yml
    id: str  # the file name without .yml


@dataclass
class _Listing:
    """What is in a content folder, before anything is read."""

    platforms: list[RecordFile] = field(default_factory=list)
    cases: list[RecordFile] = field(default_factory=list)
    # Files that cannot be records (wrong suffix, wrong place), with their problem.
    misplaced: list[tuple[str, Problem]] = field(default_factory=list)


class LoadMemo:
    """What each file gave the last ``load_archive``, reused while the file is unchanged.

    For ``mkdocs serve``, which loads the whole archive again after every
    edit, and for ``mkdocs build``, which keeps it between builds (in
    ``build/``): only files whose bytes changed are read again. A file whose
    size, modification time and inode are those of the last load is taken to
    be unchanged; any other is compared by a digest of its bytes (a fresh
    checkout gives every file a new time, not new bytes). Case results also
    depend on the platforms and the day, so they are all dropped when either
    changes. Cross-file rules always run again.
    """

    def __init__(self) -> None:
        self.platforms: dict[str, tuple[_Signature, Any]] = {}
        self.cases: dict[str, tuple[_Signature, Any]] = {}
        self.case_context: object = None

    def map(self, store: dict[str, tuple[_Signature, Any]],
            function: Callable[[RecordFile], _R], records: list[RecordFile],
            jobs: int | None) -> list[_R]:
        signatures = [_signature(record.path, store.get(record.path, (None,))[0])
                      for record in records]
        stale = [record for record, signature in zip(records, signatures, strict=True)
                 if signature is None or not _same_bytes(store.get(record.path), signature)]
        checked = map_in_processes(function, stale, jobs)
        fresh = dict(zip((r.path for r in stale), checked, strict=True))
        results = []
        for record, signature in zip(records, signatures, strict=True):
            result = fresh[record.path] if record.path in fresh else store[record.path][1]
            if signature is not None:
                store[record.path] = (signature, result)
            results.append(result)
        for removed in store.keys() - {record.path for record in records}:
            del store[removed]
        return results


# A file's (modification time, size, inode) and a digest of its bytes.
_Signature = tuple[tuple[int, int, int], bytes]


def _same_bytes(stored: tuple[_Signature, Any] | None, signature: _Signature) -> bool:
    return stored is not None and stored[0][1] == signature[1]


def _signature(path: str, known: _Signature | None) -> _Signature | None:
    """The file's signature; its bytes are read only when its status is not ``known``'s."""
    try:
        status = os.stat(path)
        stat = (status.st_mtime_ns, status.st_size, status.st_ino)
        if known is not None and known[0] == stat:
            return known
        with open(path, "rb") as file:
            return stat, hashlib.blake2b(file.read(), digest_size=16).digest()
    except OSError:
        return None


def load_archive(content_dir: Path, as_of: dt.date | None = None,
                 jobs: int | None = None, memo: LoadMemo | None = None) -> model.Archive:
    """Every record under ``content_dir`` as a validated Archive.

    Raises RecordError carrying every problem of every file when there is any.
    ``memo``: per-file results of earlier calls to reuse (see ``LoadMemo``).
    """
    as_of = as_of or as_of_day()
    listing = _list_content(content_dir)
    run = _ArchiveCheck(listing, as_of, want_models=True, history_of=content_dir, memo=memo)
    problems = run.check(listing.platforms, listing.cases, [p for _, p in listing.misplaced], jobs)
    if problems:
        raise RecordError(problems)
    platforms = sorted((p for p in run.platforms.values() if p is not None), key=lambda p: p.id)
    cases = sorted(run.cases, key=lambda c: c.id)
    return model.Archive(tuple(platforms), tuple(cases), as_of)


def check_paths(paths: Sequence[Path], content_dir: Path, as_of: dt.date | None = None,
                jobs: int | None = None) -> tuple[int, list[Problem]]:
    """Check the record files in ``paths`` (files or folders); return (files checked, problems).

    Platforms always come from ``content_dir``: a case's references need them.
    Published addresses are checked when ``paths`` cover the whole cases folder.
    """
    as_of = as_of or as_of_day()
    listing = _list_content(content_dir)
    platforms, cases, misplaced, problems = _select(paths, listing, content_dir)
    cases_dir = (content_dir / published.CASES_DIR).resolve()
    whole = any(cases_dir.is_relative_to(path.resolve()) for path in paths)
    run = _ArchiveCheck(listing, as_of, want_models=False,
                        history_of=content_dir if whole else None)
    problems += run.check(platforms, cases, misplaced, jobs)
    return len(platforms) + len(cases) + len(misplaced), sorted(problems)


# ---------------------------------------------------------------------------
# Finding the files.


def _list_content(content_dir: Path) -> _Listing:
    """Every file under content/platforms and content/cases, classified; nothing is read.

    Paths come from walking the resolved content folder, so they are absolute and
    resolved already: resolving every path one by one costs seconds on a large archive.
    Links and other files that are not regular files are refused before anything
    is read (``irregular_file``).
    """
    listing = _Listing()
    content = content_dir.resolve()
    root = str(content.parent)
    platforms_dir = str(content / "platforms")
    platform_files, refused = _files_under(platforms_dir)
    for path in platform_files:
        display = _relative(path, root)
        if os.path.dirname(path) != platforms_dir:
            listing.misplaced.append((path, _file_problem(
                display, "平台文件应直接放在 content/platforms/ 下，不能放在子文件夹中")))
        else:
            _classify(path, display, "platform", listing)
    case_files, refused_cases = _files_under(str(content / "cases"))
    for path in case_files:
        _classify(path, _relative(path, root), "case", listing)
    for path, message in (*refused, *refused_cases):
        listing.misplaced.append((path, _file_problem(_relative(path, root), message)))
    return listing


# Why a path under content/ is refused unread: a link could bring any file of the
# machine that builds the site into the public site or into a check's messages.
LINK_MESSAGE = ("是符号链接：content/ 中只能放文件本身，不能放指向别处的链接，"
                "请用它指向的文件替换这个链接")
NOT_REGULAR_MESSAGE = "不是普通文件：content/ 中只能放普通的文本文件"


def irregular_file(path: str | Path) -> str | None:
    """Why ``path`` may not be read as part of the archive (a link, a device, a pipe...);
    None for a regular file or folder. Nothing is followed: the path itself is judged."""
    if os.path.islink(path):
        return LINK_MESSAGE
    if os.path.lexists(path) and not (os.path.isfile(path) or os.path.isdir(path)):
        return NOT_REGULAR_MESSAGE
    return None


def _files_under(folder: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Regular files below ``folder``, hidden ones (.gitkeep, .DS_Store) left out, in a fixed
    order; and the entries refused unread (links, other non-regular files), with the reason."""
    if (reason := irregular_file(folder)) is not None:
        return [], [(folder, reason)]
    if not os.path.isdir(folder):
        return [], []
    found: list[str] = []
    refused: list[tuple[str, str]] = []
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    refused.append((entry.path, LINK_MESSAGE))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    found.append(entry.path)
                else:
                    refused.append((entry.path, NOT_REGULAR_MESSAGE))
    found.sort()
    refused.sort()
    return found, refused


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` with forward slashes, when it is inside; else unchanged."""
    prefix = root.rstrip(os.sep) + os.sep
    inside = path[len(prefix):] if path.startswith(prefix) else path
    return inside.replace(os.sep, "/")


def _classify(path: str, display: str, kind: Kind, listing: _Listing) -> None:
    stem, suffix = _stem_and_suffix(path)
    if suffix == RECORD_SUFFIX:
        target = listing.platforms if kind == "platform" else listing.cases
        target.append(RecordFile(kind, path, display, stem))
    elif suffix.lower() in (".yml", ".yaml"):
        listing.misplaced.append((path, _file_problem(
            display, f"记录文件的扩展名应为 .yml：请把文件改名为“{stem}.yml”")))
    else:
        folder = "content/platforms/" if kind == "platform" else "content/cases/"
        listing.misplaced.append((path, _file_problem(
            display, f"{folder} 下只能放 .yml 记录文件：请把它改为 .yml 记录，或移出这个文件夹")))


def _stem_and_suffix(path: str) -> tuple[str, str]:
    """A file name's stem and suffix, as ``Path.stem`` and ``Path.suffix`` split it."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return name[:dot], name[dot:]
    return name, ""


def _select(paths: Sequence[Path], listing: _Listing, content_dir: Path
            ) -> tuple[list[RecordFile], list[RecordFile], list[Problem], list[Problem]]:
    """The part of the listing that ``paths`` name, plus record files named outside it."""
    known: dict[str, RecordFile | Problem] = {}
    for record in (*listing.platforms, *listing.cases):
        known[record.path] = record
    for path, problem in listing.misplaced:
        known[path] = problem
    chosen: dict[str, RecordFile | Problem] = {}
    problems: list[Problem] = []
    root = content_dir.resolve().parent
    for path in paths:
        if (reason := irregular_file(path)) is not None:  # judged before anything follows it
            problems.append(_file_problem(_display(path.absolute(), root), reason))
            continue
        resolved = path.resolve()
        name = str(resolved)
        if resolved.is_dir():
            prefix = name.rstrip(os.sep) + os.sep
            chosen.update((k, v) for k, v in known.items() if k.startswith(prefix))
        elif name in known:
            chosen[name] = known[name]
        elif resolved.is_file():
            chosen[name] = _outside_file(resolved, _display(resolved, root))
        else:
            problems.append(_file_problem(_display(resolved, root), "文件或文件夹不存在"))
    entries = [chosen[key] for key in sorted(chosen)]
    platforms = [e for e in entries if isinstance(e, RecordFile) and e.kind == "platform"]
    cases = [e for e in entries if isinstance(e, RecordFile) and e.kind == "case"]
    misplaced = [e for e in entries if isinstance(e, Problem)]
    return platforms, cases, misplaced, problems


def _outside_file(path: Path, display: str) -> RecordFile | Problem:
    """A file named on the command line that is not in the content folder: judge by its folder."""
    parts = path.parts
    kind: Kind | None = "case" if "cases" in parts else "platform" if "platforms" in parts else None
    if kind is None:
        return _file_problem(
            display, "不是记录文件：记录应放在 content/platforms/ 或 content/cases/ 下")
    if path.suffix != RECORD_SUFFIX:
        return _file_problem(display, f"记录文件的扩展名应为 .yml：请把文件改名为“{path.stem}.yml”")
    return RecordFile(kind, str(path), display, path.stem)


def _display(resolved: Path, root: Path) -> str:
    """How a path outside the listing is shown: from the repository root, else from here."""
    for base in (root, Path.cwd().resolve()):
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return resolved.as_posix()


def _file_problem(display: str, message: str, field_path: str = "") -> Problem:
    return Problem(display, 1, 1, field_path, message)


# ---------------------------------------------------------------------------
# One check of the archive: platforms first, then cases against them.


class _ArchiveCheck:
    def __init__(self, listing: _Listing, as_of: dt.date, want_models: bool,
                 history_of: Path | None = None, memo: LoadMemo | None = None) -> None:
        self.memo = memo
        self.listing = listing
        self.as_of = as_of
        self.want_models = want_models
        self.history_of = history_of  # the content folder whose git history to check, if any
        self.platforms: dict[str, model.Platform | None] = {}
        self.cases: list[model.Case] = []

    def check(self, platform_files: list[RecordFile], case_files: list[RecordFile],
              misplaced: list[Problem], jobs: int | None) -> list[Problem]:
        """Problems of the given files; platforms of the whole listing are loaded regardless."""
        problems = list(misplaced)
        # git reads the history meanwhile: it is needed only at the end.
        history = published.start_history(self.history_of) if self.history_of else None
        index = self._load_platforms(problems, {f.path for f in platform_files}, jobs)
        problems += _case_id_problems(case_files, self.listing.cases)
        worker = _CaseWorker(index, self.as_of, self.want_models)
        declared: list[published.FormerId] = []
        unreadable = False
        for record, (case, case_problems, former) in zip(
                case_files, self._map_cases(worker, case_files, jobs), strict=True):
            problems += case_problems
            if case is not None:
                self.cases.append(case)
            if former is None:
                unreadable = True
            else:
                declared += (published.FormerId(ref.id, record.id, record.display, ref.mark,
                                                ref.path) for ref in former)
        problems += self._address_problems(history, declared, unreadable)
        return problems

    def _map_cases(self, worker: _CaseWorker, case_files: list[RecordFile],
                   jobs: int | None) -> list[Any]:
        memo = self.memo
        if memo is None:
            return map_in_processes(worker, case_files, jobs)
        context = (self.as_of, self.want_models, worker.index.refs, worker.index.unreliable)
        if memo.case_context != context:
            memo.cases.clear()
            memo.case_context = context
        return memo.map(memo.cases, worker, case_files, jobs)

    def _address_problems(self, history: published.PendingHistory | None,
                          declared: list[published.FormerId], unreadable: bool) -> list[Problem]:
        current = {record.id: record.display for record in self.listing.cases}
        if history is None or unreadable:
            # A file that cannot be read may hold the former_ids that would explain a
            # missing id; it is an error already, so nothing is published meanwhile.
            return published.former_id_problems(declared, current)
        return published.check(history, current, declared)

    def _load_platforms(self, problems: list[Problem], reported: set[str],
                        jobs: int | None) -> _PlatformIndex:
        """Every platform of the listing (a province has thousands), then the tree rules."""
        refs: dict[str, PlatformRefs] = {}
        files: dict[str, RecordFile] = {}
        broken: set[str] = set()
        if self.memo is None:
            results = map_in_processes(_check_platform_file, self.listing.platforms, jobs)
        else:
            results = self.memo.map(self.memo.platforms, _check_platform_file,
                                    self.listing.platforms, jobs)
        for record, (platform, platform_problems, platform_refs) in zip(
                self.listing.platforms, results, strict=True):
            self.platforms[record.id] = platform
            refs[record.id], files[record.id] = platform_refs, record
            if platform_problems:
                broken.add(record.id)
            if record.path in reported:
                problems += platform_problems
        tree_problems = _platform_tree_problems(refs, files)
        for platform_id, problem in tree_problems:
            if problem.field == "parent":  # its inherited method is unknown
                broken.add(platform_id)
            if files[platform_id].path in reported:
                problems.append(problem)
        return _PlatformIndex(refs, broken)


def _check_platform_file(record: RecordFile
                         ) -> tuple[model.Platform | None, list[Problem], PlatformRefs]:
    problems = _file_name_problems(record)
    try:
        document = read_file(record.path, record.display)
        result = validate_platform(document, record.id)
    except RecordError as error:
        return None, problems + error.problems, PlatformRefs()
    except Exception as error:
        return None, [*problems, _internal_error(record, error)], PlatformRefs()
    problems += result.problems
    return (None if problems else result.platform), problems, result.refs


class _CaseWorker:
    """Checks one case file completely; picklable, so it can run in a worker process."""

    def __init__(self, index: _PlatformIndex, as_of: dt.date, want_model: bool) -> None:
        self.index = index
        self.as_of = as_of
        self.want_model = want_model

    def __call__(self, record: RecordFile
                 ) -> tuple[model.Case | None, list[Problem], tuple[IdRef, ...] | None]:
        """The case (when wanted and valid), its problems, and its former_ids entries
        (None when the file could not be read, so they are unknown)."""
        problems = _file_name_problems(record)
        try:
            document = read_file(record.path, record.display)
            result = validate_case(document, record.id, self.as_of, build_model=self.want_model)
            problems += result.problems
            problems += self.index.case_problems(record.display, result.refs)
        except RecordError as error:
            return None, problems + error.problems, None
        except Exception as error:
            return None, [*problems, _internal_error(record, error)], None
        case = result.case if self.want_model and not problems else None
        return case, problems, result.refs.former_ids


def _internal_error(record: RecordFile, error: Exception) -> Problem:
    return _file_problem(
        record.display,
        f"内部错误：{type(error).__name__}: {error}。"
        "这是生成器的缺陷，不是记录的问题，请报告给维护者",
    )


def _file_name_problems(record: RecordFile) -> list[Problem]:
    if is_valid_id(record.id):
        return []
    message = f"文件名“{os.path.basename(record.path)}”不是有效的编号：{ID_RULE}"
    suggestion = suggest_id(record.id)
    if suggestion:
        message += f"；建议改为“{suggestion}{RECORD_SUFFIX}”"
    return [_file_problem(record.display, message)]


def _case_id_problems(checked: list[RecordFile], every_case: list[RecordFile]) -> list[Problem]:
    """Two case files with the same name in different sub-folders would share one address."""
    by_id: dict[str, list[RecordFile]] = {}
    for record in every_case:
        by_id.setdefault(record.id, []).append(record)
    problems = []
    for record in checked:
        others = [o.display for o in by_id.get(record.id, ()) if o.path != record.path]
        if others:
            problems.append(_file_problem(
                record.display,
                f"案例编号“{record.id}”重复：{'、'.join(others)} 也用了这个文件名；"
                "案例编号在 content/cases/ 的所有子文件夹中必须唯一，请给其中一个改名",
            ))
    return problems


# ---------------------------------------------------------------------------
# The platform tree.


def _platform_tree_problems(refs: dict[str, PlatformRefs], files: dict[str, RecordFile]
                            ) -> list[tuple[str, Problem]]:
    """Missing parents, cycles and levels that do not go down, by platform id."""
    problems: list[tuple[str, Problem]] = []
    for platform_id, ref in refs.items():
        if ref.parent is None or ref.parent_mark is None:
            continue
        display = files[platform_id].display
        parent = refs.get(ref.parent)
        if parent is None:
            problems.append((platform_id, _at(display, ref.parent_mark, "parent",
                                f"上级平台“{ref.parent}”不存在：content/platforms/ 下没有 "
                                f"{ref.parent}.yml{_did_you_mean(ref.parent, refs)}")))
            continue
        cycle = _cycle_through(platform_id, refs)
        if cycle:
            problems.append((platform_id, _at(display, ref.parent_mark, "parent",
                                f"上级平台形成了循环：{' → '.join(cycle)}；"
                                "平台的上下级关系必须是一棵树")))
        elif ref.level in model.LEVELS and parent.level in model.LEVELS and (
            model.LEVELS.index(ref.level) <= model.LEVELS.index(parent.level)
        ):
            problems.append((platform_id, _at(
                display, ref.level_mark or ref.parent_mark, "level",
                f"层级“{ref.level}”不低于上级平台“{ref.parent}”的层级“{parent.level}”："
                f"下级平台的层级应低于上级（{' > '.join(model.LEVELS)}）")))
    return problems


def _cycle_through(platform_id: str, refs: dict[str, PlatformRefs]) -> list[str]:
    """The cycle of parent links through ``platform_id``, starting and ending with it; or []."""
    chain = [platform_id]
    current = refs[platform_id].parent
    while current is not None and current in refs:
        if current == platform_id:
            return [*chain, platform_id]
        if current in chain:
            return []  # a cycle further up, reported at its own members
        chain.append(current)
        current = refs[current].parent
    return []


def _did_you_mean(name: str, known: Iterable[str], cutoff: float = 0.6) -> str:
    """A hint for a mistyped name; Chinese names are short, so they take a lower cutoff."""
    guess = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return f"，是否应为“{guess[0]}”？" if guess else ""


def _at(display: str, mark: Mark, field_path: str, message: str) -> Problem:
    return Problem(display, mark.line, mark.column, field_path, message)


class _PlatformIndex:
    """What a case needs to know about the platforms: which exist and their methods."""

    def __init__(self, refs: dict[str, PlatformRefs], unreliable: set[str]) -> None:
        self.refs = refs
        # Platforms whose parent or method may be unknown because their file has problems:
        # checks that depend on them are skipped rather than reported twice.
        self.unreliable = unreliable

    def method_of(self, platform_id: str) -> tuple[model.Method | None, bool]:
        """The platform's method or the nearest ancestor's (as Archive.method_of), and whether
        that answer can be trusted (no broken platform on the way up)."""
        seen: set[str] = set()
        current: str | None = platform_id
        while current is not None and current not in seen:
            seen.add(current)
            ref = self.refs.get(current)
            if ref is None or current in self.unreliable:
                return None, False
            if ref.method is not None:
                return ref.method, True
            current = ref.parent
        return None, current is None

    def case_problems(self, display: str, refs: CaseRefs) -> list[Problem]:
        if refs.platform is None or refs.platform_mark is None:
            return []
        if refs.platform not in self.refs:
            return [_at(display, refs.platform_mark, "platform",
                        f"平台“{refs.platform}”不存在：content/platforms/ 下没有 "
                        f"{refs.platform}.yml{_did_you_mean(refs.platform, self.refs)}")]
        if not refs.steps:
            return []
        method, known = self.method_of(refs.platform)
        if not known:
            return []
        if method is None:
            first = refs.steps[0]
            return [_at(display, first.mark, first.path,
                        f"平台“{refs.platform}”及其上级平台都没有填写协商方法（method），"
                        "无法核对步骤：请先在平台文件中填写 method，或删去 steps")]
        return _step_problems(display, refs.steps, method)


def _step_problems(display: str, steps: tuple[StepRef, ...], method: model.Method) -> list[Problem]:
    order = {name: position for position, name in enumerate(method.steps)}
    problems = []
    latest: StepRef | None = None
    for step in steps:
        position = order.get(step.name)
        if position is None:
            problems.append(_at(display, step.mark, step.path,
                                f"“{step.name}”不是“{method.name}”的步骤：应为以下之一："
                                f"{'、'.join(method.steps)}"
                                f"{_did_you_mean(step.name, method.steps, cutoff=0.5)}"))
        elif latest is not None and position < order[latest.name]:
            problems.append(_at(display, step.mark, step.path,
                                f"步骤顺序与“{method.name}”不一致：“{step.name}”应排在"
                                f"“{latest.name}”之前"))
        else:
            latest = step
    return problems


# ---------------------------------------------------------------------------
# Running case checks, in worker processes when there are many.

_T = TypeVar("_T")
_R = TypeVar("_R")


def map_in_processes(function: Callable[[_T], _R], items: list[_T], jobs: int | None) -> list[_R]:
    """``[function(item) for item in items]``, spread over processes for large inputs.

    Falls back to this process when processes are unavailable (no semaphores,
    a pool that breaks) or when ``function`` cannot be sent to a process that
    was not forked from this one. An exception that ``function`` raises in a
    worker reaches the caller as it is. On Linux workers are forked (fast),
    but from a fork server when other threads run (``mkdocs serve``): forking
    a threaded process can copy a lock in its held state. Elsewhere they are
    spawned, Python's default there.
    """
    jobs = jobs if jobs is not None else _usable_cpus()
    if jobs <= 1 or len(items) < PARALLEL_MIN_FILES:
        return [function(item) for item in items]
    if sys.platform.startswith("linux"):
        method = "fork" if threading.active_count() == 1 else "forkserver"
    else:
        method = "spawn"
    if method != "fork" and not _can_be_sent(function):
        return [function(item) for item in items]
    chunk = max(1, len(items) // (jobs * 24))  # small chunks: no worker idles at the end
    try:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method),
                                   initializer=_install, initargs=(function,))
    except (OSError, ValueError):  # no processes here
        return [function(item) for item in items]
    try:
        with pool:
            return list(pool.map(_call_installed, items, chunksize=chunk))
    except BrokenProcessPool:  # a worker could not start, or was killed
        return [function(item) for item in items]


def _can_be_sent(function: Callable[..., Any]) -> bool:
    """Whether ``function`` pickles, as a fork server or a spawned worker needs it to."""
    try:
        pickle.dumps(function)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # the CPUs this process may run on (Linux)
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# The function a worker process runs, installed once per process: passing it with
# every chunk would pickle the platform index (thousands of platforms) each time.
_installed: Callable[[Any], Any] | None = None


def _install(function: Callable[[Any], Any]) -> None:
    global _installed
    _installed = function
    # A forked worker inherits every object of its parent (the listing, the platforms):
    # leave them out of garbage collection, which would otherwise walk them again and
    # again (and copy their memory pages) while the worker builds and drops node trees.
    gc.freeze()


def _call_installed(item: Any) -> Any:
    assert _installed is not None
    return _installed(item)
