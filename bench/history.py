"""The revision history's cost: reading every case's revisions from git, against a cold build.

A git repository of its own (bench/out/history-<cases>/) holds the synthetic
archive committed three times: added, then every case's 协商形式 changed, then
the head count of its first group. Each case so has three revisions, each
compared with the one before it. The section times the history step alone
(``read_log`` and ``read_histories``, in a process of its own, the archive
loaded first and not counted) and a cold ``mkdocs build`` of the same
repository, in the same run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench import formats, project, synth, table
from bench.archives import OUT, ensure_archive
from bench.build import _build_ours, _clean
from bench.machine import ROOT
from bench.measure import progress, run

TARGET_SHARE = 0.10  # of the cold build
_FORMS = ("会议协商", "现场协商", "书面协商", "网络协商")
_FORM = re.compile(r"^form: (\S+)$", re.MULTILINE)
_COUNT = re.compile(r"^(      count: )(\d+)$", re.MULTILINE)
_GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
            "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def history_section(cases: int, seed: int) -> str:
    work = ensure_repository(cases, seed)
    env = synth.source_date_env()
    step = run(f"[{cases:,}] history step alone",
               [sys.executable, "-m", "bench.steps", "history", work / "content"],
               cwd=ROOT, env=env, log=work / "logs" / "history.log")
    reported = _reported_seconds(step.log)
    config = project.prepare_site_dir(work)
    build = _build_ours(work, config, env, cases)
    share = reported / build.seconds if reported is not None and build.ok else None
    headers = ["cases", "revisions", "history step", "cold build", "share", "target"]
    verdict = "n.a." if share is None else ("ok" if share <= TARGET_SHARE else "MISS")
    row = [f"{cases:,}", f"{cases * 3:,}",
           "FAILED" if reported is None else formats.seconds(reported),
           formats.seconds(build.seconds) if build.ok else "FAILED",
           formats.percent(share), f"<= {TARGET_SHARE:.0%}: {verdict}"]
    return table.render(headers, [row])


def ensure_repository(cases: int, seed: int) -> Path:
    """bench/out/history-<cases>/: the archive committed three times, made once per archive."""
    archive = ensure_archive(cases, seed)
    work = OUT / f"history-{cases}" if seed == 1 else OUT / f"history-{cases}-seed{seed}"
    stamp = work / "history.stamp"
    wanted = (archive.work / "content.stamp.json").read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return work
    progress(f"committing {cases:,} cases three times into {work}")
    _clean(work)
    work.mkdir(parents=True)
    shutil.copytree(archive.content, work / "content")
    _git(work, "init", "-q", "-b", "main")
    _commit(work, "新增案例", 1_700_000_000)
    _edit_every_case(work / "content", _next_form)
    _commit(work, "修改协商形式", 1_700_086_400)
    _edit_every_case(work / "content", _one_more)
    _commit(work, "更正参与人数", 1_700_172_800)
    _git(work, "gc", "-q")  # packed, as a clone is
    stamp.write_text(wanted)
    return work


def _edit_every_case(content: Path, edit: Callable[[str], str]) -> None:
    for path in sorted((content / "cases").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        path.write_text(edit(text), encoding="utf-8")


def _next_form(text: str) -> str:
    def swap(match: re.Match[str]) -> str:
        form = match.group(1)
        following = _FORMS[(_FORMS.index(form) + 1) % len(_FORMS)] if form in _FORMS else _FORMS[0]
        return f"form: {following}"
    return _FORM.sub(swap, text, count=1)


def _one_more(text: str) -> str:
    return _COUNT.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", text, count=1)


def _commit(work: Path, message: str, when: int) -> None:
    _git(work, "add", "-A")
    env = {**os.environ, **_GIT_ENV,
           "GIT_AUTHOR_DATE": f"@{when} +0800", "GIT_COMMITTER_DATE": f"@{when} +0800"}
    subprocess.run(["git", "-C", str(work), "-c", "gc.auto=0", "commit", "-q", "-m", message],
                   env=env, check=True)


def _git(work: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(work), *args], env={**os.environ, **_GIT_ENV}, check=True)


def _reported_seconds(log: Path) -> float | None:
    """The step prints ``history seconds: <wall>``; the archive's loading is not counted."""
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("history seconds: "):
            return float(line.split(": ", 1)[1])
    return None
