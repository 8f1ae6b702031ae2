"""The open data at /data/ at scale: each file's size and the time to make them all.

For each size, a process of its own (``python -m bench.steps data``) loads the
synthetic archive (``bench.synth``; timed apart) and runs
``generator.data.files.data_files`` over it with a synthetic revision history
(``synthetic_histories``: a commit publishing each case, one per follow-up and
per evaluation), timed alone, and writes the files into
``bench/out/<cases>/data/``; then runs it again with the lines the first run
kept (``generator.data.memo``), as a preview's rebuild does for unedited
cases. The table gives each file's size, as published and
gzipped (what a server that compresses, such as the nginx configuration in
``deploy/``, sends), the time and the process's peak memory, loading included.
No site is built.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Final

from bench import formats, synth, table
from bench.archives import ensure_archive
from bench.machine import ROOT
from bench.measure import Measurement, run
from generator.records import model
from generator.records.revisions import BEIJING, Histories, Revision

SIZES: Final = (10_000, 100_000)
SITE_URL: Final = "https://example.org/archive/"
FILES: Final = ("cases.csv", "items.csv", "follow-ups.csv", "evaluations.csv", "platforms.csv",
                "revisions.csv", "cases.json", "datapackage.json", "SHA256SUMS")
_FIGURE: Final = re.compile(r"^(load|data|kept) (seconds|cpu seconds): ([\d.]+)$",
                           re.MULTILINE)


def data_section(sizes: tuple[int, ...] = SIZES, seed: int = 1) -> str:
    runs = []
    for cases in sizes:
        archive = ensure_archive(cases, seed)
        out = archive.work / "data"
        runs.append((cases, out, run(
            f"[{cases:,}] open data", [sys.executable, "-m", "bench.steps", "data",
                                       archive.content, out],
            cwd=ROOT, env=synth.source_date_env(), log=archive.work / "logs" / "data.log")))
    return _times(runs) + "\n\n" + _sizes(runs)


def _times(runs: list[tuple[int, Path, Measurement]]) -> str:
    rows = []
    for cases, _, measured in runs:
        figures = _figures(measured)
        rows.append([f"{cases:,}", formats.seconds(figures.get("load seconds")),
                     formats.seconds(figures.get("data seconds")),
                     formats.seconds(figures.get("data cpu seconds")),
                     formats.seconds(figures.get("kept seconds")),
                     formats.mb(measured.rss), "ok" if measured.ok else "FAILED"])
    return table.render(["cases", "load s", "data_files s", "data_files CPU s",
                         "again, lines kept s", "peak RSS MB (load included)", ""], rows)


def _sizes(runs: list[tuple[int, Path, Measurement]]) -> str:
    headers = ["file"]
    for cases, _, _ in runs:
        headers += [f"{cases:,}: MB", "gzip MB"]
    rows = []
    for name in (*FILES, "all"):
        row = [name]
        for _, out, _ in runs:
            paths = [out / file for file in FILES] if name == "all" else [out / name]
            row += _megabytes(paths)
        rows.append(row)
    return table.render(headers, rows)


def _megabytes(paths: list[Path]) -> list[str]:
    if not all(path.is_file() for path in paths):
        return ["n.a.", "n.a."]
    contents = [path.read_bytes() for path in paths]
    plain = sum(len(content) for content in contents)
    packed = sum(len(gzip.compress(content, compresslevel=6)) for content in contents)
    return [f"{plain / 1e6:,.2f}", f"{packed / 1e6:,.2f}"]


def _figures(measured: Measurement) -> dict[str, float]:
    text = measured.log.read_text(encoding="utf-8", errors="replace")
    return {f"{step} {what}": float(value) for step, what, value in _FIGURE.findall(text)}


def synthetic_histories(archive: model.Archive) -> Histories:
    """Revisions as an archive's repository would hold them: a commit publishing each case,
    one for each follow-up and each evaluation, each on the day after what it records."""
    return Histories(MappingProxyType({case_id: _revisions(archive.cases[case_id])
                                       for case_id in sorted(archive.cases)}), "0" * 40)


def _revisions(case: model.Case) -> tuple[Revision, ...]:
    made = [(case.date, "新增案例", ())]
    made += [(entry.date, "补充办理进展", ("follow_up",)) for entry in case.follow_up]
    made += [(entry.date, "补充评价", ("evaluation",)) for entry in case.evaluation]
    revisions = [
        Revision(hashlib.sha1(f"{case.id}/{number}".encode()).hexdigest(),
                 dt.datetime.combine(day + dt.timedelta(days=1), dt.time(20, number % 60),
                                     BEIJING),
                 subject, case.source_path, fields=fields)
        for number, (day, subject, fields) in enumerate(made)
    ]
    return tuple(reversed(revisions))  # newest first
