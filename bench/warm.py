"""Section h: a cold build, then one edited case rebuilt warm (``make site`` reusing build/).

For each size, in bench/out/<cases>/: build/ and site/ are removed, the
project's own mkdocs.yml is built with ProperDocs (the engine of `make site`)
from nothing (**cold**); then one case's background gets a sentence, as an
editor's commit would, and the same command runs again (**warm**), reusing
what the cold build left in build/. The case file is put back afterwards.
Targets: warm at most 0.15 of cold at 10,000 cases, 0.10 at 100,000.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import formats, project, synth, table
from bench.archives import Archive, ensure_archive
from bench.build import SiteStats, site_stats
from bench.measure import Measurement, progress, run

TARGETS = {10_000: 0.15, 100_000: 0.10}
MEMORY_TARGET = 2 * 2**30  # bytes, the tree's peak PSS of a build of 100,000 cases
MEMORY_FROM = 100_000
EDIT = "  background: |\n"
SENTENCE = "    居民在议事会后又补充了一条意见。\n"


@dataclass(frozen=True)
class WarmRun:
    archive: Archive
    cold: Measurement
    warm: Measurement | None
    site: SiteStats | None
    files: int
    state_bytes: int
    kept: str  # the plugin's line on what the engine kept


def warm_section(sizes: Sequence[int], seed: int) -> str:
    runs = [warm_size(size, seed) for size in sizes]
    notes = [f"{r.archive.cases:,}: {r.kept}" for r in runs]
    failed = [f"{m.label} failed:\n{m.tail()}" for r in runs
              for m in (r.cold, r.warm) if m is not None and not m.ok]
    return "\n\n".join([_times(runs), "\n".join(notes), _memory(runs), *failed])


def _times(runs: list[WarmRun]) -> str:
    headers = ["cases", "cold s", "cold CPU s", "warm s", "warm CPU s", "warm/cold", "target", "",
               "site MB", "files", "state MB"]
    rows = []
    for r in runs:
        ratio = r.warm.seconds / r.cold.seconds if r.warm and r.warm.ok and r.cold.ok else None
        target = TARGETS.get(r.archive.cases)
        verdict = "" if ratio is None or target is None else ("ok" if ratio <= target else "MISS")
        rows.append([
            f"{r.archive.cases:,}", formats.seconds(r.cold.seconds),
            formats.seconds(r.cold.cpu_seconds),
            formats.seconds(r.warm.seconds) if r.warm else "-",
            formats.seconds(r.warm.cpu_seconds) if r.warm else "-",
            f"{ratio:.3f}" if ratio is not None else "-",
            f"≤ {target}" if target else "", verdict,
            formats.mb(r.site.bytes) if r.site else "-",
            f"{r.files:,}" if r.site else "-", formats.mb(r.state_bytes),
        ])
    return table.render(headers, rows)


def _memory(runs: list[WarmRun]) -> str:
    """Peak memory of each build: the tree's PSS is what the 2 GB target is checked against
    (every resident page once, the forked workers' shared pages included); the main
    process's RSS and the tree's summed RSS (shared pages counted again) beside it."""
    headers = ["cases", "build", "tree PSS MB", "main process RSS MB", "tree RSS MB", "target",
               ""]
    rows = []
    for r in runs:
        for name, m in (("cold", r.cold), ("warm", r.warm)):
            if m is None:
                continue
            checked = r.archive.cases >= MEMORY_FROM
            rows.append([f"{r.archive.cases:,}", name, formats.mb(m.tree_pss),
                         formats.mb(m.main_rss), formats.mb(m.tree_rss),
                         f"≤ {formats.mb(MEMORY_TARGET)}" if checked else "",
                         formats.verdict(m.tree_pss, MEMORY_TARGET + 1) if checked else ""])
    return table.render(headers, rows)


def warm_size(cases: int, seed: int) -> WarmRun:
    progress(f"warm section: {cases:,} cases")
    archive, config, env = fresh_work(cases, seed)
    work = archive.work
    cold = _build(work, config, env, f"[{cases:,}] cold build", "warm-cold.log")
    if not cold.ok:
        return WarmRun(archive, cold, None, None, 0, 0, "")
    edited = first_case(archive.content)
    original = edited.read_bytes()
    try:
        text = original.decode("utf-8")
        edited.write_text(text.replace(EDIT, EDIT + SENTENCE, 1), encoding="utf-8")
        warm = _build(work, config, env, f"[{cases:,}] warm build, one case edited",
                      "warm-warm.log")
    finally:
        edited.write_bytes(original)
    state = work / "build" / "docs-warm"
    kept = next((line.split("xieshang: ", 1)[1] for line in
                 warm.log.read_text(encoding="utf-8", errors="replace").splitlines()
                 if "沿用上次生成" in line), "")
    return WarmRun(archive, cold, warm, site_stats(work / "site"), _file_count(work / "site"),
                   _state_bytes(state), kept)


def fresh_work(cases: int, seed: int) -> tuple[Archive, Path, dict[str, str]]:
    """The archive's work folder made to look like the repository, without ``build/`` or
    ``site/`` (the next build there starts cold): the archive, the config, the
    environment to build in."""
    archive = ensure_archive(cases, seed)
    config = project.prepare_site_dir(archive.work)
    project.without_size_warning(config)
    for folder in ("build", "site"):
        _remove(archive.work / folder)
    return archive, config, synth.source_date_env()


def build_argv(work: Path, config: Path) -> list[str | Path]:
    """``make site``'s command in ``work``."""
    return [sys.executable, "-m", "properdocs", "build", "--strict", "-f", config,
            "-d", work / "site"]


def _build(work: Path, config: Path, env: dict[str, str], label: str, log: str) -> Measurement:
    return run(label, build_argv(work, config), cwd=work, env=env, log=work / "logs" / log)


def first_case(content: Path) -> Path:
    for path in sorted((content / "cases").rglob("*.yml")):
        if EDIT in path.read_text(encoding="utf-8"):
            return path
    raise FileNotFoundError(f"no case with a block background below {content}")


def _remove(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def _state_bytes(folder: Path) -> int:
    """The state the warm build left for the next one (``state.pickle``); the previous
    site and the search slices beside it are left out (the site's own files, moved)."""
    state = folder / "state.pickle"
    return state.stat().st_size if state.exists() else 0


def _file_count(site: Path) -> int:
    return sum(1 for path in site.rglob("*") if path.is_file())
