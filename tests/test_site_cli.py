"""``python -m generator build``: the docs tree without MkDocs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.test_plugin import small_content
from tests.test_site_helpers import ROOT, epoch

AS_OF_EPOCH = {"SOURCE_DATE_EPOCH": "1717243200"}  # 2024-06-01


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **AS_OF_EPOCH, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def test_build_writes_the_docs_tree(tmp_path: Path) -> None:
    small_content(tmp_path)
    result = run("build", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "cases" / "2024-a" / "index.md").is_file()
    assert "写入" in result.stdout
    again = run("build", "--out", "out", cwd=tmp_path)
    assert "写入 0 个文件" in again.stdout


def test_build_reports_problems(tmp_path: Path) -> None:
    content = small_content(tmp_path)
    (content / "cases" / "2024-a.yml").write_text("title: [\n", encoding="utf-8")
    result = run("build", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("content/cases/2024-a.yml:")
    assert not (tmp_path / "out").exists()


def test_epoch_helper_is_noon_utc() -> None:
    import datetime as dt

    assert epoch(dt.date(2024, 6, 1)) == "1717243200"
