"""Steps that the benchmarks time in a subprocess of their own.

    python -m bench.steps generate MKDOCS_YML     # the generator alone (bench.project)
    python -m bench.steps archive OUT CASES SEED  # a synthetic archive (bench.synth)
    python -m bench.steps history CONTENT         # every case's revisions (bench.history)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench import project, synth


def main(argv: list[str]) -> int:
    match argv:
        case ["generate", config_file]:
            project.generate_docs(Path(config_file))
        case ["archive", out, cases, seed]:
            print(synth.write_archive(Path(out), int(cases), int(seed)))
        case ["history", content]:
            _history(Path(content))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


def _history(content: Path) -> None:
    """Load the archive (not timed), then read every case's revisions from git (timed)."""
    from generator.records import history
    from generator.records.archive import load_archive

    archive = load_archive(content)
    started = time.perf_counter()
    histories = history.read_histories(content, archive)
    seconds = time.perf_counter() - started
    revisions = sum(len(found) for found in histories.by_case.values())
    print(f"{len(histories.by_case)} cases, {revisions} revisions")
    print(f"history seconds: {seconds:.3f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
