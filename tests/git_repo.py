"""A content/ folder in a temporary git repository, for tests of what the build reads from git.

Commits get a fixed identity and a fixed date each (one day apart, the first
at 2023-11-15 06:13:20 +08:00), so the histories tests craft, and what the
build makes of them, are the same on every run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ContentTree

FIRST_COMMIT_TIME = 1_700_000_000  # 2023-11-15 06:13:20 +08:00; one day more for each commit


class Repo(ContentTree):
    """A content/ folder in a git repository with a fixed identity and fixed dates."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.root = root
        self.commits = 0

    @classmethod
    def create(cls, root: Path) -> Repo:
        """An empty repository at ``root`` (made), on branch main."""
        root.mkdir(parents=True)
        repo = cls(root)
        repo.git("init", "-q", "-b", "main")
        return repo

    def git(self, *args: str) -> str:
        day = FIRST_COMMIT_TIME + self.commits * 86_400
        env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "editor@example.org",
            "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "editor@example.org",
            "GIT_AUTHOR_DATE": f"@{day} +0800", "GIT_COMMITTER_DATE": f"@{day} +0800",
        }
        result = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True,
                                text=True, env=env, check=True)
        return result.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.commits += 1
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def case_path(self, case_id: str, folder: str = "yingze") -> Path:
        return self.dir / "cases" / folder / f"{case_id}.yml"

    def append(self, case_id: str, text: str, folder: str = "yingze") -> None:
        path = self.case_path(case_id, folder)
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    def move(self, old: str, new: str, folder: str = "yingze") -> None:
        self.git("mv", str(self.case_path(old)), str(self.case_path(new, folder)))

    def problems(self) -> list[str]:
        return self.check()
