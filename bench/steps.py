"""Steps that the benchmarks time in a subprocess of their own.

    python -m bench.steps generate MKDOCS_YML     # the generator alone (bench.project)
    python -m bench.steps archive OUT CASES SEED  # a synthetic archive (bench.synth)
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench import project, synth


def main(argv: list[str]) -> int:
    match argv:
        case ["generate", config_file]:
            project.generate_docs(Path(config_file))
        case ["archive", out, cases, seed]:
            print(synth.write_archive(Path(out), int(cases), int(seed)))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
