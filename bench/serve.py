"""Section d: `mkdocs serve` on the 10,000-case archive, from an edit to the changed page.

A copy of the synthetic archive goes to bench/out/<cases>/serve/ (so the
archive itself is never edited). `mkdocs serve` runs there the way
`make serve` runs it (`bench.project.serve_argv`). Once it serves, one case file
is edited twice, each time as an editor would: first a sentence added to the
background (the case page changes), then the title (the case page and every
listing that shows the title change). For each edit the figure is the time
from saving the file to the moment the served case page carries the change:
what a reader of the preview waits before the reloaded page shows it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench import formats, project, synth, table
from bench.archives import ensure_archive
from bench.measure import progress, tree_rss
from generator.engine.edit import stop

CASES = 10_000
FIRST_BUILD_LIMIT = 3600.0  # seconds
RELOAD_LIMIT = 900.0


@dataclass(frozen=True)
class Edit:
    what: str
    old: str  # a whole line of the case file
    added: str  # text added at its end, looked for on the served page


@dataclass(frozen=True)
class ServeFigures:
    first_build_seconds: float
    reloads: list[tuple[str, float]]  # (what was edited, seconds until the page showed it)
    peak_rss: int
    log: Path


def serve_section(seed: int, cases: int = CASES) -> str:
    archive = ensure_archive(cases, seed)
    figures = serve_figures(archive.work, archive.content)
    rows = [[f"{cases:,}", "first build", formats.seconds(figures.first_build_seconds), ""]]
    rows += [[f"{cases:,}", f"edit: {what}", formats.seconds(seconds), ""]
             for what, seconds in figures.reloads]
    rows[-1][-1] = formats.mb(figures.peak_rss)
    text = table.render(["cases", "step", "s until the page shows it", "peak RSS MB"], rows)
    return f"{text}\nlog: {figures.log}"


def serve_figures(work: Path, content: Path) -> ServeFigures:
    serve_dir = work / "serve"
    if serve_dir.exists():
        shutil.rmtree(serve_dir)
    serve_dir.mkdir(parents=True)
    progress(f"serve: copying {content} to {serve_dir}")
    shutil.copytree(content, serve_dir / "content")
    config = project.prepare_site_dir(serve_dir)
    case_file = min((serve_dir / "content" / "cases").rglob("*.yml"))
    port = _free_port()
    log = work / "logs" / "serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **synth.source_date_env()}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(a) for a in project.serve_argv(config, f"127.0.0.1:{port}")], cwd=serve_dir,
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}{project.served_path(config)}"
            return _measure(process, base, case_file, log)
        finally:
            _stop(process)


def _measure(process: subprocess.Popen[bytes], base: str, case_file: Path,
             log: Path) -> ServeFigures:
    url = f"{base}cases/{case_file.stem}/"
    started = time.perf_counter()
    peak = 0
    progress(f"serve: first build, then {url}")
    while _get(url) is None:
        peak = max(peak, tree_rss(process.pid))
        _alive_or_fail(process, log)
        if time.perf_counter() - started > FIRST_BUILD_LIMIT:
            raise SystemExit(f"serve: no page after {FIRST_BUILD_LIMIT:.0f} s, see {log}")
        time.sleep(0.5)
    first = time.perf_counter() - started
    progress(f"serve: first build {first:.1f} s")
    time.sleep(3)  # let the watcher settle
    reloads = []
    for edit in _edits(case_file):
        seconds, rss = _edit_and_wait(process, case_file, edit, url, log)
        peak = max(peak, rss)
        progress(f"serve: {edit.what}: {seconds:.2f} s")
        reloads.append((edit.what, seconds))
    return ServeFigures(first, reloads, peak, log)


def _edits(case_file: Path) -> list[Edit]:
    """Two edits of lines written by bench.synth: the title, and the first
    line of the background (a block scalar: its text starts on the next line)."""
    lines = case_file.read_text(encoding="utf-8").splitlines()
    title = next(line for line in lines if line.startswith("title:"))
    background = lines[next(n for n, line in enumerate(lines)
                            if line.strip().startswith("background:")) + 1]
    return [
        Edit("a sentence added to the background", background, "居民补充：夜间照明也需要改善。"),
        Edit("the title", title, "（更新）"),
    ]


def _edit_and_wait(process: subprocess.Popen[bytes], case_file: Path, edit: Edit, url: str,
                   log: Path) -> tuple[float, int]:
    text = case_file.read_text(encoding="utf-8")
    assert edit.old in text, edit
    saved = time.perf_counter()
    case_file.write_text(text.replace(edit.old, edit.old + edit.added, 1), encoding="utf-8")
    peak = 0
    while True:
        page = _get(url)
        if page is not None and edit.added in page:
            return time.perf_counter() - saved, peak
        peak = max(peak, tree_rss(process.pid))
        _alive_or_fail(process, log)
        if time.perf_counter() - saved > RELOAD_LIMIT:
            raise SystemExit(f"serve: the edit ({edit.what}) did not show in {RELOAD_LIMIT:.0f} s")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and everything it started (Pagefind may be running)."""
    stop(process, 60)


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _alive_or_fail(process: subprocess.Popen[bytes], log: Path) -> None:
    if process.poll() is not None:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise SystemExit(f"serve: mkdocs serve stopped (exit {process.returncode}):\n{tail}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    print(serve_section(1, int(sys.argv[1]) if len(sys.argv) > 1 else CASES))
