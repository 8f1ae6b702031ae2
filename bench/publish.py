"""Section k: what a push of records costs ``publish.yml`` on this machine, step by step.

The build job of a push that changes only ``content/`` (README: Publishing in
minutes) runs, after checkout and setup: the record check, the restore of
``build/`` and ``site/`` from GitHub's cache, ``make site`` (warm), the Pages
artifact (a tar of ``site/``, zipped by the upload), and the cache's save
(a tar of ``build/`` and ``site/`` through ``zstd -T0``, as the cache action
makes it). Each of those is run here with the same tools over the same
files, in ``bench/out/<cases>/``, after a cold build standing for the last
publish. What only GitHub can measure (starting the jobs, checkout,
installing the lock file, moving the cache and the artifact over its
network, the deploy job) is not in these figures; the table gives the
bytes each transfer moves.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import formats, table
from bench.measure import Measurement, progress, run
from bench.warm import EDIT, SENTENCE, build_argv, first_case, fresh_work

CACHE = "cache.tzst"  # beside the work folder's build/ and site/
ARTIFACT = "artifact.tar"


@dataclass(frozen=True)
class Step:
    name: str
    measurement: Measurement
    moved: int = 0  # bytes GitHub would then move over its network


def publish_section(sizes: Sequence[int], seed: int) -> str:
    blocks = []
    for cases in sizes:
        steps, previous = publish_size(cases, seed)
        blocks.append(_table(cases, steps, previous))
    return "\n\n".join(blocks)


def publish_size(cases: int, seed: int) -> tuple[list[Step], Measurement]:
    progress(f"publish section: {cases:,} cases")
    archive, config, env = fresh_work(cases, seed)
    work = archive.work
    build = build_argv(work, config)
    label = f"[{cases:,}]"
    previous = run(f"{label} the last publish (a cold build)", build, cwd=work, env=env,
                   log=work / "logs" / "publish-cold.log")
    _shell(work, env, f"{label} its cache saved", _save_cache())
    for folder in ("build", "site"):
        shutil.rmtree(work / folder)
    steps = [Step("record check (make check-github)", run(
        f"{label} record check",
        [sys.executable, "-m", "generator", "check", "--format", "github",
         "--content", work / "content"],
        cwd=work, env=env, log=work / "logs" / "publish-check.log"))]
    steps.append(Step("cache restored (tar, zstd)",
                      _shell(work, env, f"{label} cache restored",
                             f"tar -xf {CACHE} --use-compress-program unzstd"),
                      (work / CACHE).stat().st_size))
    edited = first_case(archive.content)
    original = edited.read_bytes()
    try:
        edited.write_text(original.decode("utf-8").replace(EDIT, EDIT + SENTENCE, 1),
                          encoding="utf-8")
        steps.append(Step("make site (warm, one case edited)",
                          run(f"{label} warm build", build, cwd=work, env=env,
                              log=work / "logs" / "publish-warm.log")))
    finally:
        edited.write_bytes(original)
    artifact = _shell(work, env, f"{label} Pages artifact",
                      f"tar --dereference --hard-dereference -C site -cf {ARTIFACT} . "
                      f"&& gzip -6 -k -f {ARTIFACT}")
    steps.append(Step("Pages artifact (tar, deflate)", artifact,
                      (work / f"{ARTIFACT}.gz").stat().st_size))
    steps.append(Step("cache saved (tar, zstd -T0)",
                      _shell(work, env, f"{label} cache saved", _save_cache()),
                      (work / CACHE).stat().st_size))
    for name in (CACHE, ARTIFACT, f"{ARTIFACT}.gz"):
        (work / name).unlink(missing_ok=True)
    return steps, previous


def _save_cache() -> str:
    return f"tar -cf - build site | zstd -T0 -3 -q -f -o {CACHE}"


def _shell(work: Path, env: dict[str, str], label: str, command: str) -> Measurement:
    name = label.split("] ", 1)[-1].replace(" ", "-")
    return run(label, ["bash", "-c", command], cwd=work, env=env,
               log=work / "logs" / f"publish-{name}.log")


def _table(cases: int, steps: list[Step], previous: Measurement) -> str:
    headers = ["step", "s", "CPU s", "then moved by GitHub MB", ""]
    rows = [[step.name, formats.seconds(step.measurement.seconds),
             formats.seconds(step.measurement.cpu_seconds),
             formats.mb(step.moved) if step.moved else "",
             "" if step.measurement.ok else "FAILED"] for step in steps]
    total = sum(step.measurement.seconds for step in steps)
    rows.append(["these steps together", formats.seconds(total), "", "", ""])
    return (f"{cases:,} cases; the last publish (a cold build): "
            f"{formats.seconds(previous.seconds)} s\n\n" + table.render(headers, rows))
