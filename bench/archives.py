"""Synthetic archives under bench/out/<cases>/, written once per seed and size.

A stamp file next to `content/` records what was written (seed, size and a
digest of the generator's sources); an archive is rewritten only when the
stamp does not match, since 50,000 cases take half a minute.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from bench import synth
from bench.machine import ROOT
from bench.measure import progress

OUT = ROOT / "bench" / "out"
SOURCES = ("synth.py", "cases.py", "tree.py", "vocab.py", "emit.py")


@dataclass(frozen=True)
class Archive:
    work: Path  # bench/out/<cases>: content/ and everything built from it
    cases: int
    files: int
    bytes: int
    write_seconds: float | None  # None when an earlier run's archive was reused

    @property
    def content(self) -> Path:
        return self.work / "content"


def ensure_archive(cases: int, seed: int, out: Path = OUT) -> Archive:
    work = out / str(cases) if seed == 1 else out / f"{cases}-seed{seed}"
    stamp = work / "content.stamp.json"
    wanted = {"seed": seed, "cases": cases, "sources": _digest()}
    if stamp.exists() and (work / "content").is_dir():
        recorded = json.loads(stamp.read_text())
        if recorded.get("wanted") == wanted:
            return Archive(work, cases, recorded["files"], recorded["bytes"], None)
    progress(f"writing a synthetic archive of {cases:,} cases into {work}")
    started = time.perf_counter()
    summary = synth.write_archive(work, cases, seed)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"wanted": wanted, "files": summary.files, "bytes": summary.bytes}))
    return Archive(work, cases, summary.files, summary.bytes, seconds)


def _digest() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((ROOT / "bench" / name).read_bytes())
    return digest.hexdigest()[:16]
