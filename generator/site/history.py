"""When each record last changed, from git: one ``git log`` over the whole content folder.

A process per file would grow with the archive into minutes; one pass over the log,
newest commit first, gives every path's latest commit date in a single read.
Outside a git checkout (a tarball, a fresh temp folder) the map is empty and
pages simply show no date. A shallow clone knows only its own commits, so CI
should fetch the full history for true dates.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path, PurePosixPath


def last_changed(content_dir: Path) -> dict[str, dt.date]:
    """Map of path relative to ``content_dir`` (POSIX form) to its latest commit date.

    The date is the committer date of the last commit that touched the file,
    so the same commit always yields the same map.
    """
    try:
        result = subprocess.run(
            [
                "git", "-C", str(content_dir), "log", "-z", "--no-renames", "--relative",
                "--format=%x01%cs", "--name-only", "--", ".",
            ],
            capture_output=True,
            check=False,
        )
    except OSError:  # git is not installed
        return {}
    if result.returncode != 0:  # not a git checkout, or no commit yet
        return {}
    return parse_log(result.stdout.decode("utf-8", errors="surrogateescape"))


def parse_log(output: str) -> dict[str, dt.date]:
    """Parse ``git log -z --format=%x01%cs --name-only``: newest commit first."""
    dates: dict[str, dt.date] = {}
    current: dt.date | None = None
    for token in output.split("\0"):
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            current = dt.date.fromisoformat(token[1:].strip())
        elif token and current is not None:
            dates.setdefault(token, current)
    return dates


def record_key(source_path: str, content_dir: Path) -> str:
    """The key of a record in the map: its path below ``content_dir``.

    ``source_path`` is how editors see the file (``content/cases/x.yml``), which
    may be relative to the working directory rather than to ``content_dir``.
    """
    parts = source_path.split("/")
    if parts[0] == content_dir.name and parts.count(content_dir.name) == 1:
        return "/".join(parts[1:])  # the usual case, without touching the file system
    path = Path(source_path)
    try:
        return path.resolve().relative_to(content_dir.resolve()).as_posix()
    except ValueError:
        parts = PurePosixPath(path.as_posix()).parts
        if content_dir.name in parts:
            index = len(parts) - 1 - parts[::-1].index(content_dir.name)
            return PurePosixPath(*parts[index + 1 :]).as_posix()
        return path.as_posix()
