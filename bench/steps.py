"""Steps that the benchmarks time in a subprocess of their own.

    python -m bench.steps generate MKDOCS_YML     # the generator alone (bench.project)
    python -m bench.steps archive OUT CASES SEED  # a synthetic archive (bench.synth)
    python -m bench.steps history CONTENT         # every case's revisions (bench.history)
    python -m bench.steps data CONTENT OUT        # the open data files (bench.data)
    python -m bench.steps charts CONTENT          # every subtree's charts (bench.charts)
"""

from __future__ import annotations

import os
import shutil
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
        case ["data", content, out]:
            _data(Path(content), Path(out))
        case ["charts", content]:
            _charts(Path(content))
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


def _charts(content: Path) -> None:
    """Load the archive (not timed), then every subtree's counts and the charts of the home
    and every platform page, as the pages carry them (timed); each page's bytes."""
    import gzip
    import statistics

    from generator.options import Options
    from generator.records.archive import load_archive
    from generator.site import charts, render

    archive = load_archive(content, as_of=synth.AS_OF)
    renderer = render.Renderer(archive, Options(), render.Extras())
    draw = renderer.env.get_template("_charts.html").module.charts
    started, cpu = time.perf_counter(), time.process_time()
    renderer.tallies = charts.Tallies(archive)
    pages = {pid: str(draw(renderer.charts_of(pid))).encode() for pid in archive.platforms}
    home = str(draw(renderer.charts_of(None))).encode()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    sizes = sorted(len(html) for html in pages.values())
    packed = sorted(len(gzip.compress(html, compresslevel=6)) for html in pages.values())
    print(f"{len(pages)} platform pages, {sum(1 for s in sizes if s)} with charts")
    print(f"charts seconds: {seconds:.3f}")
    print(f"charts cpu seconds: {cpu:.3f}")
    print(f"home bytes: {len(home)}")
    print(f"platform bytes median: {statistics.median(sizes):.0f}")
    print(f"platform bytes mean: {statistics.mean(sizes):.0f}")
    print(f"platform bytes max: {sizes[-1]}")
    print(f"platform bytes total: {sum(sizes)}")
    print(f"platform gzip median: {statistics.median(packed):.0f}")
    print(f"platform gzip total: {sum(packed)}")


def _data(content: Path, out: Path) -> None:
    """Load the archive and make up its history (timed apart), then the open data files
    (timed), written into ``out``; then the files again with what the first run kept, as
    a preview's rebuild after an edit makes them (``DataMemo``)."""
    from bench.data import SITE_URL, synthetic_histories
    from generator.data.files import FOLDER, write_data_files
    from generator.data.memo import DataMemo
    from generator.options import Options
    from generator.records.archive import load_archive

    wall, cpu = time.perf_counter(), time.process_time()
    archive = load_archive(content, as_of=synth.AS_OF)
    histories = synthetic_histories(archive)
    print(f"load seconds: {time.perf_counter() - wall:.3f}")
    print(f"load cpu seconds: {time.process_time() - cpu:.3f}")
    options, memo = Options(site_url=SITE_URL, site_name="基层协商档案"), DataMemo()
    wall, cpu = time.perf_counter(), time.process_time()
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    write_data_files(docs, archive, histories, options, memo)
    print(f"data seconds: {time.perf_counter() - wall:.3f}")
    print(f"data cpu seconds: {time.process_time() - cpu:.3f}")
    wall = time.perf_counter()
    written = write_data_files(docs, archive, histories, options, memo)
    print(f"kept seconds: {time.perf_counter() - wall:.3f}")
    for name in written.names:
        os.replace(docs / name, out / name.removeprefix(FOLDER))
    shutil.rmtree(docs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
