"""Section a: `python -m generator check` over a generated archive.

Target on the 2-core machine: 10,000 case files in under 5 s.
"""

from __future__ import annotations

import re
from statistics import median

from bench import formats, project, synth, table
from bench.archives import ensure_archive
from bench.machine import ROOT
from bench.measure import Measurement, run

TARGET_SECONDS = 5.0
_SUMMARY = re.compile(r"检查 (\d+) 个文件，发现 (\d+) 个错误")


def check_section(cases: int, seed: int, repeat: int) -> str:
    archive = ensure_archive(cases, seed)
    runs = [
        run(
            f"check {cases:,} cases, run {i + 1}/{repeat}", project.check_argv(archive.content),
            cwd=ROOT, env=synth.source_date_env(), log=archive.work / "logs" / f"check-{i}.log",
        )
        for i in range(repeat)
    ]
    times = [r.seconds for r in runs]
    files, problems = _summary(runs[-1])
    row = [
        f"{cases:,}", files, formats.mb(archive.bytes), str(repeat),
        formats.seconds(median(times)), formats.seconds(min(times)),
        formats.seconds(median(r.cpu_seconds for r in runs)),
        formats.mb(max(r.tree_rss for r in runs)), formats.mb(max(r.max_rss for r in runs)),
        problems, f"< {TARGET_SECONDS:.0f} s", formats.verdict(median(times), TARGET_SECONDS),
    ]
    headers = [
        "cases", "files", "MB on disk", "runs", "median s", "best s", "CPU s",
        "peak RSS MB (tree)", "largest proc MB", "problems", "target", "",
    ]
    text = table.render(headers, [row])
    if not all(r.ok for r in runs) or problems != "0":
        text += f"\n\ncheck reported problems or failed; last lines of {runs[-1].log}:\n"
        text += runs[-1].tail()
    return text


def _summary(result: Measurement) -> tuple[str, str]:
    """(files, problems) from check's summary line, or `?` when there is none."""
    found = _SUMMARY.findall(result.log.read_text(encoding="utf-8", errors="replace"))
    return found[-1] if found else ("?", "?")
