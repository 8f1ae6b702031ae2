"""The Atom feeds at scale: their total bytes and generation time, without a site build.

    .venv/bin/python -m bench.feeds                    # 10,000 and 100,000 cases
    .venv/bin/python -m bench.feeds --sizes 10000
    .venv/bin/python -m bench --sections feeds         # the same, in a process of its own

For each size the synthetic archive (``bench.synth``, 2,200 platforms) is
loaded once, in this process; then ``generator.feeds.atom.feed_files`` runs
twice: without git history (one entry per case, as a build from a tarball
makes) and with a synthetic history of the kind a repository accumulates
(``synthetic_histories``: a commit publishing each case, one per follow-up
and per evaluation, one withdrawing a withdrawn case). Only ``feed_files`` is
timed; loading the archive and making the history are not. A third run
under ``tracemalloc`` gives the most memory ``feed_files`` held at once
(its entries and XML; the archive it reads is not counted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from types import MappingProxyType

from bench import formats, synth, table
from bench.archives import ensure_archive
from bench.machine import ROOT, header
from bench.measure import progress
from generator.feeds import addresses
from generator.feeds.atom import feed_files
from generator.options import Options
from generator.records import model
from generator.records.archive import load_archive
from generator.records.revisions import BEIJING, FIRST_PUBLISHED, NO_HISTORY, Histories, Revision

SIZES = (10_000, 100_000)
SITE_URL = "https://example.org/archive/"


@dataclass(frozen=True)
class FeedFigures:
    cases: int
    history: str  # "none" or "synthetic"
    revisions: int
    seconds: float
    peak_bytes: int  # traced, in a run of its own
    cpu_seconds: float
    files: int
    total_bytes: int
    cases_feed_bytes: int
    follow_up_feed_bytes: int
    platform_median_bytes: int
    platform_max_bytes: int


def feeds_section(sizes: tuple[int, ...] = SIZES, seed: int = 1) -> str:
    """The table, measured in a process of its own (``make bench``'s section)."""
    argv = [sys.executable, "-m", "bench.feeds", "--table-only", "--seed", str(seed),
            "--sizes", ",".join(str(n) for n in sizes)]
    result = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return result.stdout.rstrip()


def feeds_table(sizes: tuple[int, ...] = SIZES, seed: int = 1) -> str:
    rows = []
    for cases in sizes:
        archive = _load(cases, seed)
        for label, histories in (("none", NO_HISTORY), ("synthetic", synthetic_histories(archive))):
            figures = measure(archive, histories, label)
            rows.append(_row(figures))
            progress(f"feeds of {cases:,} cases, history {label}: {figures.seconds:.2f} s")
    headers = ["cases", "history", "revisions", "feed_files s", "CPU s", "peak MB", "files",
               "total MB", "cases.xml KB", "follow-up.xml KB", "platform median KB",
               "platform max KB"]
    return table.render(headers, rows)


def measure(archive: model.Archive, histories: Histories, label: str) -> FeedFigures:
    options = Options(site_url=SITE_URL, site_name="基层协商档案")
    wall, cpu = time.perf_counter(), time.process_time()
    files = feed_files(archive, histories, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tracemalloc.start()
    feed_files(archive, histories, options)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    platform_sizes = [len(data) for path, data in files.items()
                      if path.endswith("/" + addresses.PLATFORM_FILE)]
    return FeedFigures(
        cases=len(archive.cases), history=label,
        revisions=sum(len(r) for r in histories.by_case.values()),
        seconds=wall, cpu_seconds=cpu, peak_bytes=peak, files=len(files),
        total_bytes=sum(len(data) for data in files.values()),
        cases_feed_bytes=len(files[addresses.CASES]),
        follow_up_feed_bytes=len(files[addresses.FOLLOW_UP]),
        platform_median_bytes=int(statistics.median(platform_sizes)),
        platform_max_bytes=max(platform_sizes),
    )


def synthetic_histories(archive: model.Archive) -> Histories:
    """Revisions as an archive's repository would hold them, made up from each record."""
    return Histories(MappingProxyType({case_id: _revisions(archive.cases[case_id])
                                       for case_id in sorted(archive.cases)}), "0" * 40)


def _revisions(case: model.Case) -> tuple[Revision, ...]:
    made = [_revision(case, 0, case.date, 20, "新增案例", (FIRST_PUBLISHED,))]
    for follow_up in case.follow_up:
        made.append(_revision(case, len(made), follow_up.date, 15, "补充办理进展",
                              (f"新增跟踪落实 1 条（{follow_up.date}，{follow_up.status}）",)))
    for evaluation in case.evaluation:
        made.append(_revision(case, len(made), evaluation.date, 16, "补充评价",
                              (f"新增评价 1 条（{evaluation.by}）",)))
    if case.withdrawn is not None:
        made = [_revision(case, n, r.time.date(), r.time.hour, r.subject, ())
                for n, r in enumerate(made)]
        made.append(_revision(case, len(made), case.withdrawn.date, 11, "撤回重复的案例", ()))
    return tuple(sorted(made, key=lambda r: r.time, reverse=True))


def _revision(case: model.Case, number: int, day: dt.date, hour: int, subject: str,
              changes: tuple[str, ...]) -> Revision:
    commit = hashlib.sha1(f"{case.id}/{number}".encode()).hexdigest()
    moment = dt.datetime(day.year, day.month, day.day, hour, number % 60, tzinfo=BEIJING)
    return Revision(commit, moment + dt.timedelta(days=1), subject, case.source_path, changes)


def _load(cases: int, seed: int) -> model.Archive:
    content = ensure_archive(cases, seed).content
    progress(f"loading {cases:,} cases from {content}")
    return load_archive(content, as_of=synth.AS_OF)


def _row(f: FeedFigures) -> list[str]:
    return [f"{f.cases:,}", f.history, f"{f.revisions:,}", formats.seconds(f.seconds),
            formats.seconds(f.cpu_seconds), formats.mb(f.peak_bytes), f"{f.files:,}",
            f"{f.total_bytes / 1e6:.1f}",
            formats.kb(f.cases_feed_bytes), formats.kb(f.follow_up_feed_bytes),
            formats.kb(f.platform_median_bytes), formats.kb(f.platform_max_bytes)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--table-only", action="store_true", help="no machine header")
    args = parser.parse_args(argv)
    sizes = tuple(int(n) for n in args.sizes.replace(",", " ").split())
    if args.table_only:
        print(feeds_table(sizes, args.seed))
        return 0
    print("\n".join(header()), flush=True)
    print(f"\n## g. Atom feeds: feed_files alone\n\n{feeds_table(sizes, args.seed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
