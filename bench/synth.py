"""Deterministic synthetic archives for the benchmarks and tests.

``write_archive(out_dir, cases, seed)`` writes ``out_dir/content/``:

    content/platforms/<id>.yml                  2,200 platforms (bench.tree)
    content/cases/<city>/[<county>/]<id>.yml    `cases` cases (bench.cases)
    content/pages/*.md                          the pages mkdocs.yml's nav names

Every file is valid under the record format (``shared/spec/records.md``) on
the as-of day ``AS_OF``: run anything that validates or builds the archive
with ``source_date_env()``. Same seed and size give byte-identical files; the
platform tree depends on the seed only, and the first N cases of a larger
archive are the N cases of a smaller one.

YAML is written by ``bench.emit``, not ``yaml.dump``: 50,000 cases take
seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.cases import AS_OF, KINDS, CaseWriter
from bench.tree import LEVELS, build_tree, platform_yaml

__all__ = ["AS_OF", "SOURCE_DATE_EPOCH", "Summary", "source_date_env", "write_archive"]

# Noon UTC on AS_OF, so that every time zone sees the same day.
SOURCE_DATE_EPOCH: Final = str(int(
    dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, tzinfo=dt.UTC).timestamp()
))


# The hand-written pages that the project's navigation names.
PAGES: Final = {
    "about.md": (
        "# 关于本档案\n\n"
        "这是性能测试用的合成档案：河东省及其下属的市、县区、乡镇街道和村社区平台，"
        "以及由程序按固定随机种子生成的协商案例。地名、人名、单位和数字都是虚构的。\n"
    ),
    "how-to-take-part.md": (
        "# 如何参与协商\n\n"
        "合成档案中没有真实的参与方式。真实档案在这里说明群众怎样提出议题、"
        "怎样报名参加协商，以及怎样查看共识的办理进展。\n"
    ),
    "how-to-submit.md": (
        "# 如何提交案例\n\n"
        "合成档案不接受提交。真实档案在这里说明编辑怎样按格式写一条案例记录、"
        "怎样检查，以及怎样通过拉取请求提交。\n"
    ),
}


def source_date_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of the environment (or `base`) in which the as-of day is AS_OF."""
    env = dict(os.environ if base is None else base)
    env["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    return env


@dataclass(frozen=True)
class Summary:
    content_dir: Path
    seed: int
    as_of: dt.date
    platforms: dict[str, int]  # per level, in LEVELS order
    cases: int
    kinds: dict[str, int]  # normal, announced, no_consensus, withdrawn
    files: int
    bytes: int

    @property
    def platform_count(self) -> int:
        return sum(self.platforms.values())


def write_archive(out_dir: Path, cases: int, seed: int = 1) -> Summary:
    """Write `out_dir/content/`, replacing an earlier one, and describe it."""
    content = Path(out_dir) / "content"
    if content.exists():
        shutil.rmtree(content)
    places = build_tree(seed)
    (content / "platforms").mkdir(parents=True)
    size = sum(
        _write(content / "platforms" / f"{place.id}.yml", platform_yaml(place))
        for place in places
    )
    (content / "pages").mkdir()
    for name, text in PAGES.items():
        size += _write(content / "pages" / name, text)
    writer = CaseWriter(places, seed)
    kinds = Counter({kind: 0 for kind in KINDS})
    folders: set[Path] = set()
    for n in range(1, cases + 1):
        case = writer.plan(n)
        folder = content / "cases" / case.place.folder
        if folder not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        size += _write(folder / f"{case.id}.yml", writer.write(case))
        kinds[case.kind] += 1
    levels = Counter(LEVELS[place.level] for place in places)
    return Summary(
        content_dir=content, seed=seed, as_of=AS_OF,
        platforms={level: levels[level] for level in LEVELS}, cases=cases,
        kinds=dict(kinds), files=len(places) + len(PAGES) + cases, bytes=size,
    )


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)
