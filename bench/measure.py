"""Run one command in a subprocess and measure its wall time and memory.

Wall time suffers when other work shares the machine; CPU time (user +
system, workers included) much less so, and both are reported.

Memory figures, because the check and the build may use worker processes,
and forked workers share their parent's pages until either writes to them:

* ``tree_pss``: the peak of the summed proportional set size (PSS, from
  ``/proc/<pid>/smaps_rollup``) of the process and all its descendants,
  sampled ten times a second. A page shared by n processes counts 1/n in
  each, so the sum counts every resident page once: what the machine must
  have free for the command. It can miss a spike shorter than the sampling
  interval.
* ``main_rss``: the command's own process's peak resident size (``VmHWM`` in
  ``/proc/<pid>/status``, kept by the kernel, read at every sample): exact
  for that process, workers left out.
* ``tree_rss``: the peak of the summed resident sizes of the tree, sampled
  the same way. A forked worker's resident pages include those it still
  shares with its parent, so this sum counts them twice or more: an upper
  bound, kept to compare with earlier figures.
* ``max_rss``: the largest resident size any single process of the tree ever
  reached, as the kernel reports it through ``wait4`` (ru_maxrss): exact, but
  blind to several processes adding up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import formats
from bench.gauge import Gauge

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the process and its waited-for children
    max_rss: int  # bytes, largest single process
    tree_rss: int  # bytes, peak sum over the process tree (sampled)
    returncode: int
    log: Path  # stdout and stderr of the command
    speed_ms: float | None = None  # the machine's speed meanwhile (bench.gauge; lower is quicker)
    tree_pss: int = 0  # bytes, peak sum of PSS over the process tree (sampled)
    main_rss: int = 0  # bytes, the command's own process's peak RSS (VmHWM)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def rss(self) -> int:
        """The figure to report: the larger of the two."""
        return max(self.max_rss, self.tree_rss)

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def run(
    label: str, argv: Sequence[str | Path], *, cwd: Path, env: dict[str, str], log: Path
) -> Measurement:
    """Run `argv` to completion; its output goes to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    progress(f"{label}: {' '.join(map(str, argv))}")
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(a) for a in argv], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        sampler, gauge = _TreeSampler(process.pid), Gauge()
        sampler.start()
        gauge.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        sampler.stop()
        speed = gauge.stop()
    cpu = usage.ru_utime + usage.ru_stime
    result = Measurement(
        label, seconds, cpu, usage.ru_maxrss * 1024, sampler.peak, process.returncode, log, speed,
        sampler.peak_pss, sampler.main_hwm,
    )
    state = "ok" if result.ok else f"FAILED (exit {result.returncode}, see {log})"
    progress(f"{label}: {seconds:.1f} s ({cpu:.1f} s CPU), {result.rss / 2**20:.0f} MB RSS "
             f"(tree), {result.tree_pss / 2**20:.0f} MB PSS (tree), "
             f"{result.main_rss / 2**20:.0f} MB RSS (main process), "
             f"gauge {formats.milliseconds(speed)} ms, {state}")
    return result


def progress(message: str) -> None:
    """A line on stderr, so that long runs show where they are."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self.main_hwm = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            pids = tree_pids(self.pid)
            self.peak = max(self.peak, sum(map(_rss, pids)))
            self.peak_pss = max(self.peak_pss, sum(map(_pss, pids)))
            self.main_hwm = max(self.main_hwm, _status_bytes(self.pid, "VmHWM:"))
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and its descendants now, shared pages counted in every
    process that maps them; 0 once it is gone."""
    return sum(map(_rss, tree_pids(pid)))


def tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants now; [] once it is gone."""
    found = []
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            stack.extend(_children(current))
        except (OSError, ValueError):
            continue
        found.append(current)
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    return _status_bytes(pid, "Pss:", "smaps_rollup")


def _status_bytes(pid: int, key: str, name: str = "status") -> int:
    """A ``key: <n> kB`` line of ``/proc/<pid>/<name>``, in bytes; 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/{name}", encoding="ascii") as file:
            for line in file:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        return 0
    return 0


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children.extend(int(c) for c in (task / "children").read_text().split())
    return children
