"""The charts' cost: every subtree's charts against a cold build, and their bytes per page.

The step (``python -m bench.steps charts``, a process of its own) loads the
synthetic archive (not timed), then times what a build adds for the charts:
every platform's counts added up the tree (``charts.Tallies``) and the charts
of the home page and of each platform page rendered by ``_charts.html``, as the
pages carry them. It prints each platform page's chart bytes, as written and
gzipped. The section then times a cold ``mkdocs build`` of the same archive
in the same run.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bench import formats, project, synth, table
from bench.archives import ensure_archive
from bench.build import _build_ours
from bench.machine import ROOT
from bench.measure import run

TARGET_SHARE = 0.05  # of the cold build
_FIGURE = re.compile(r"^([a-z ]+): ([\d.]+)$", re.MULTILINE)


def charts_section(cases: int, seed: int) -> str:
    archive = ensure_archive(cases, seed)
    env = synth.source_date_env()
    step = run(f"[{cases:,}] charts step alone",
               [sys.executable, "-m", "bench.steps", "charts", archive.content],
               cwd=ROOT, env=env, log=archive.work / "logs" / "charts.log")
    figures = _figures(step.log)
    seconds = figures.get("charts seconds")
    config = project.prepare_site_dir(archive.work)
    build = _build_ours(archive.work, config, env, cases)
    cpu = figures.get("charts cpu seconds")
    share = seconds / build.seconds if seconds is not None and build.ok else None
    cpu_share = (cpu / build.cpu_seconds
                 if cpu is not None and build.ok and build.cpu_seconds else None)
    verdict = "n.a." if share is None else ("ok" if share <= TARGET_SHARE else "MISS")
    times = table.render(
        ["cases", "charts step s", "CPU s", "cold build s", "CPU s", "share", "CPU share",
         "target"],
        [[f"{cases:,}", formats.seconds(seconds), formats.seconds(cpu),
          formats.seconds(build.seconds) if build.ok else "FAILED",
          formats.seconds(build.cpu_seconds) if build.ok else "FAILED",
          _share(share), _share(cpu_share), f"<= {TARGET_SHARE:.0%}: {verdict}"]])
    sizes = table.render(
        ["bytes of charts", "median", "mean", "largest", "all platform pages", "home"],
        [["as written", _kb(figures, "platform bytes median"), _kb(figures, "platform bytes mean"),
          _kb(figures, "platform bytes max"), _mb(figures, "platform bytes total"),
          _kb(figures, "home bytes")],
         ["gzipped", _kb(figures, "platform gzip median"), "", "",
          _mb(figures, "platform gzip total"), ""]])
    return times + "\n\n" + sizes


def _figures(log: Path) -> dict[str, float]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return {name: float(value) for name, value in _FIGURE.findall(text)}


def _share(value: float | None) -> str:
    return "n.a." if value is None else f"{value:.1%}"


def _kb(figures: dict[str, float], name: str) -> str:
    return "n.a." if name not in figures else f"{figures[name] / 1e3:,.1f} KB"


def _mb(figures: dict[str, float], name: str) -> str:
    return "n.a." if name not in figures else f"{figures[name] / 1e6:,.1f} MB"
