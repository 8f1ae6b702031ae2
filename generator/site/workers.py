"""Render and write the docs tree in several processes: a share of the pages each.

Rendering is most of the generator's time on a large archive, and it is a
pure function of the archive, so it splits cleanly. Each share runs the
same ``Renderer`` but renders and writes only the documents whose path
falls to it (a stable hash of the path), returning the names it wrote or
kept; the parent then deletes what no share produced. The parent renders
the first share itself while ``jobs - 1`` forked workers render the others:
a forked worker ends up with a private copy of most of the archive (every
object it reads has its reference count written), so each worker costs
the archive's memory again, and the parent would only wait. The bytes on disk are
those of ``render.write_tree`` in one process (a test compares them).

Workers are forked, which needs Linux and a process with no other threads
(``mkdocs build``); otherwise, or for a small archive, the tree is written in
this process. ``mkdocs serve`` rebuilds (threaded) render few pages anyway
(see ``changes``).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.printing import qr
from generator.site import render

# Below this many documents, starting processes costs more than it saves.
PARALLEL_FROM = 2000



@dataclass(frozen=True)
class _Work:
    renderer: render.Renderer
    out_dir: Path
    jobs: int


_work: _Work | None = None  # what forked workers inherit


def write_tree(out_dir: Path, renderer: render.Renderer, jobs: int | None = None,
               documents: int = PARALLEL_FROM,
               held: frozenset[str] | None = None,
               was_empty: bool | None = None) -> render.WriteStats:
    """``render.write_tree(out_dir, renderer.documents(), held, was_empty)``, in ``jobs``
    processes when worth it.

    ``documents``: about how many documents the renderer makes (decides whether
    to start workers at all).
    """
    jobs = jobs if jobs is not None else usable_cpus()
    few = renderer.only is not None  # a rebuild after an edit renders a handful of pages
    if jobs < 2 or few or documents < PARALLEL_FROM or not can_fork():
        return render.write_tree(out_dir, renderer.documents(), held, was_empty)
    global _work
    if was_empty is None:
        was_empty = render.open_tree(out_dir)
    _work = _Work(renderer, out_dir, jobs)
    wanted = renderer.only
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(jobs - 1, mp_context=context) as pool:
            others = [pool.submit(_write_share, worker) for worker in range(1, jobs)]
            shares = [_write_share(0), *(share.result() for share in others)]
    finally:
        _work = None
        renderer.only = wanted
        qr.forget()
    stats = render.WriteStats()
    produced = {render.GENERATED_MARKER}
    for names, share in shares:
        produced.update(names)
        stats.written += share.written
        stats.unchanged += share.unchanged
    if not was_empty and produced != held:
        render.sweep_tree(out_dir, produced, stats)
    stats.names = frozenset(produced)
    return stats


def _write_share(worker: int) -> tuple[list[str], render.WriteStats]:
    """Render and write the documents that fall to ``worker``: share 0 in this process,
    the others in forked workers."""
    work = _work
    assert work is not None, "only in a worker forked by write_tree"
    renderer = work.renderer
    renderer.only = _only_mine(worker, work.jobs, renderer.only)
    stats = render.WriteStats()
    names: set[str] = set()
    for name, data in renderer.documents():
        if _owner(name, work.jobs) == worker:  # the same name always falls to the same worker
            if name in names:
                raise ValueError(f"two documents at {name}")
            names.add(name)
            render.write_document(work.out_dir, name, data, stats)
    return sorted(names), stats


def _only_mine(worker: int, jobs: int,
               wanted: Callable[[str], bool] | None) -> Callable[[str], bool]:
    def only(url: str) -> bool:
        mine = _owner(render.index_path(url), jobs) == worker
        return mine and (wanted is None or wanted(url))
    return only


def _owner(name: str, jobs: int) -> int:
    return zlib.crc32(name.encode("utf-8")) % jobs


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Forking is safe only on Linux and in a process that runs no other thread."""
    return (sys.platform == "linux" and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())
