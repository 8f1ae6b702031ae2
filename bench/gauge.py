"""How fast the machine is while a step runs: a fixed piece of work, timed every second.

This machine's speed is not constant. The same few milliseconds of Python
take twice as long at one moment as a few seconds later, with nothing else of
ours running and no stolen time reported by the kernel (most likely another
tenant of the host sharing the core or its caches), so a build of the same pages can
need 135 CPU-s at one hour and 220 at another. Wall and CPU figures of two
steps measured minutes apart can differ by that much for no reason in the
code.

`Gauge` runs `reference_work` (about 10 ms of dictionary, string and zlib
work on a quick core) once a second in a thread of the bench process while a
step runs, and keeps how long each run took in CPU time of that thread. The
median over a step says how fast the machine was during it; steps measured
at different speeds can be compared by the ratio of their medians. The
gauge's own cost is about 1 % of one core.
"""

from __future__ import annotations

import statistics
import threading
import time
import zlib

INTERVAL_SECONDS = 1.0


def reference_work() -> int:
    """The same work every time: about 10 ms on a quick core of this machine."""
    counts: dict[str, int] = {}
    for number in range(20_000):
        key = f"词{number % 997}"
        counts[key] = counts.get(key, 0) + len(key)
    items = "".join(f"<li>{key}={value}</li>" for key, value in sorted(counts.items()))
    return len(zlib.compress((items * 12).encode(), 6))


def time_once() -> float:
    """Milliseconds of this thread's CPU time that `reference_work` takes now."""
    started = time.thread_time()
    reference_work()
    return (time.thread_time() - started) * 1000


class Gauge(threading.Thread):
    """Times `reference_work` once a second until stopped; `median_ms` of the runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.samples.append(time_once())
            self._done.wait(INTERVAL_SECONDS)

    def stop(self) -> float | None:
        self._done.set()
        self.join()
        return self.median_ms

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None
