"""How large the built site is, and the warning when GitHub Pages would refuse it.

GitHub Pages publishes sites of at most 1 GB. An archive grows past that at
some tens of thousands of cases (bench/README.md has the bytes per case); the
build says so before a deploy fails, and what to do instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MEGABYTE = 1_000_000


@dataclass(frozen=True)
class SiteSize:
    bytes: int
    files: int

    def megabytes(self) -> float:
        return self.bytes / MEGABYTE


@dataclass(frozen=True)
class SiteFile:
    path: str  # below the site, "/"-separated
    size: int
    mtime_ns: int


def listing(site_dir: Path) -> list[SiteFile]:
    """Every file below ``site_dir``, links not followed. One walk serves the size check
    and a warm build's search for stale files (``kept_pages``)."""
    found = []
    folders = [("", str(site_dir))]
    while folders:
        below, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((below + entry.name + "/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    status = entry.stat(follow_symlinks=False)
                    found.append(SiteFile(below + entry.name, status.st_size, status.st_mtime_ns))
    return found


def total(files: Iterable[SiteFile]) -> SiteSize:
    count = size = 0
    for file in files:
        count += 1
        size += file.size
    return SiteSize(size, count)


def measure(site_dir: Path) -> SiteSize:
    """The bytes and files below ``site_dir``, links not followed."""
    return total(listing(site_dir))


def warning(size: SiteSize, limit_mb: int) -> str | None:
    """What the build says when the site is larger than ``limit_mb`` (0: never)."""
    if limit_mb <= 0 or size.bytes <= limit_mb * MEGABYTE:
        return None
    return (
        f"网站共 {size.megabytes():,.0f} MB（{size.files:,} 个文件），超过 {limit_mb:,} MB："
        "GitHub Pages 不发布超过 1 GB 的网站。请改为发布到自己的服务器或对象存储"
        "（README：发布到国内的服务器），并在 mkdocs.yml 中设 size_warning_mb: 0"
    )
