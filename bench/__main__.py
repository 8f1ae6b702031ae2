"""`python -m bench` (`make bench`): speed and memory figures, printed as tables.

    python -m bench                       # every section, sizes from BENCH_SIZES
    python -m bench --sections check      # one section
    python -m bench --sizes 1000,10000    # build section sizes

Environment: BENCH_SIZES (default 1000,10000,50000), BENCH_CHECK_CASES
(default 10000), BENCH_SEED (default 1), BENCH_REPEAT (check runs, default 1),
BENCH_DATA_SIZES (open data section, default 10000,100000), BENCH_CHARTS_CASES (charts
section, default 10000), BENCH_WARM_SIZES (warm builds section, default 10000;
100000 takes long), BENCH_PUBLISH_SIZES (publish section, default 10000).
Generated archives and sites go to bench/out/ (git-ignored). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from bench import machine
from bench.build import build_section
from bench.charts import charts_section
from bench.check import check_section
from bench.data import data_section
from bench.feeds import feeds_section
from bench.history import history_section
from bench.pages import pages_section
from bench.publish import publish_section
from bench.search import search_section
from bench.serve import serve_section
from bench.warm import warm_section

SECTIONS = ("check", "build", "search", "serve", "history", "data", "feeds", "pages", "charts",
            "warm", "publish")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    print("\n".join(machine.header()), flush=True)
    runners: dict[str, Callable[[], str]] = {
        "check": lambda: check_section(args.check_cases, args.seed, args.repeat),
        "build": lambda: build_section(args.sizes, args.seed),
        "search": lambda: search_section(args.seed),
        "serve": lambda: serve_section(args.seed),
        "history": lambda: history_section(10_000, args.seed),
        "data": lambda: data_section(tuple(args.data_sizes), args.seed),
        "feeds": lambda: feeds_section(seed=args.seed),
        "pages": lambda: pages_section(10_000, args.seed),
        "charts": lambda: charts_section(args.charts_cases, args.seed),
        "warm": lambda: warm_section(args.warm_sizes, args.seed),
        "publish": lambda: publish_section(args.publish_sizes, args.seed),
    }
    titles = {
        "check": f"a. check: python -m generator check over {args.check_cases:,} cases",
        "build": "b. build: check, generate, mkdocs, search index",
        "search": "c. search index at 10,000 cases",
        "serve": "d. mkdocs serve at 10,000 cases: from saving an edit to the changed page",
        "history": "e. revision history: 10,000 cases, three revisions each, and a cold build",
        "data": "f. open data at /data/: data_files alone, and each file's size",
        "feeds": "g. Atom feeds at 10,000 and 100,000 cases: feed_files alone",
        "pages": "h. bytes per case page at 10,000 cases, and its largest parts",
        "charts": f"i. charts at {args.charts_cases:,} cases: the step against a cold build, "
                  "and bytes per page",
        "warm": "j. warm builds: cold, then one edited case rebuilt reusing build/",
        "publish": "k. publishing a push of records: publish.yml's steps on this machine",
    }
    for name in args.sections:
        body = runners[name]()
        print(f"\n## {titles[name]}\n\n{body}\n\nload at the end: {machine.load()}", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", type=_names, default=list(SECTIONS),
                        help="comma-separated: " + ",".join(SECTIONS))
    parser.add_argument("--sizes", type=_numbers,
                        default=_numbers(env.get("BENCH_SIZES") or "1000,10000,50000"))
    parser.add_argument("--check-cases", type=int,
                        default=int(env.get("BENCH_CHECK_CASES") or 10_000))
    parser.add_argument("--seed", type=int, default=int(env.get("BENCH_SEED") or 1))
    parser.add_argument("--repeat", type=int, default=int(env.get("BENCH_REPEAT") or 1))
    parser.add_argument("--charts-cases", type=int,
                        default=int(env.get("BENCH_CHARTS_CASES") or 10_000))
    parser.add_argument("--data-sizes", type=_numbers,
                        default=_numbers(env.get("BENCH_DATA_SIZES") or "10000,100000"))
    parser.add_argument("--warm-sizes", type=_numbers,
                        default=_numbers(env.get("BENCH_WARM_SIZES") or "10000"))
    parser.add_argument("--publish-sizes", type=_numbers,
                        default=_numbers(env.get("BENCH_PUBLISH_SIZES") or "10000"))
    return parser


def _numbers(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.replace(",", " ").split()]


def _names(text: str) -> list[str]:
    names = [part for part in text.replace(",", " ").split() if part]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown section(s): {', '.join(unknown)}")
    return names


if __name__ == "__main__":
    sys.exit(main())
