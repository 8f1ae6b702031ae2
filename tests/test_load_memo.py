"""LoadMemo: a reload after an edit reads only the edited files, and sees the edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.records import archive
from generator.records.problems import RecordError
from tests.record_text import replace_once
from tests.test_site_helpers import SAMPLE_AS_OF, SAMPLE_CONTENT

CASE = "cases/yingze/2022-jidian-xiaoqu-jishui.yml"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display paths of the files read, in order."""
    seen: list[str] = []
    real = archive.read_file

    def read_file(path: str, display: str) -> object:
        seen.append(display)
        return real(path, display)

    monkeypatch.setattr(archive, "read_file", read_file)
    return seen


def _edit(content: Path, file: str, old: str, new: str) -> None:
    path = content / file
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def _load(content: Path, memo: archive.LoadMemo) -> archive.model.Archive:
    return archive.load_archive(content, as_of=SAMPLE_AS_OF, jobs=1, memo=memo)


def test_only_edited_files_are_read_again(tmp_path: Path, reads: list[str]) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    memo = archive.LoadMemo()
    first = _load(content, memo)
    assert len(reads) == len(first.cases) + len(first.platforms)

    reads.clear()
    assert dict(_load(content, memo).cases) == dict(first.cases)
    assert reads == []

    _edit(content, CASE, "有住宅楼6栋", "有住宅楼7栋")
    again = _load(content, memo)
    assert reads == [f"content/{CASE}"]
    assert "有住宅楼7栋" in (again.cases["2022-jidian-xiaoqu-jishui"].topic.background or "")


def test_a_platform_edit_rereads_cases_only_when_what_they_rely_on_changed(
    tmp_path: Path, reads: list[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    memo = archive.LoadMemo()
    first = _load(content, memo)

    reads.clear()
    _edit(content, "platforms/yingze.yml", "name: 欢迎来协商", "name: 欢迎来协商·迎泽")
    assert _load(content, memo).platforms["yingze"].name == "欢迎来协商·迎泽"
    assert reads == ["content/platforms/yingze.yml"]  # a name: no case depends on it

    reads.clear()
    _edit(content, "platforms/yingze.yml", "level: 县区", "level: 市")
    with pytest.raises(RecordError):  # the tree's level order breaks
        _load(content, memo)
    assert len(reads) == 1 + len(first.cases)  # cases are checked against the new tree


def test_a_broken_edit_is_reported_and_its_repair_seen(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    memo = archive.LoadMemo()
    _load(content, memo)
    _edit(content, CASE, "form: 现场协商", "form: 现场")
    with pytest.raises(RecordError) as raised:
        _load(content, memo)
    assert [p.file for p in raised.value.problems] == [f"content/{CASE}"]
    _edit(content, CASE, "form: 现场", "form: 现场协商")
    assert _load(content, memo).cases["2022-jidian-xiaoqu-jishui"].form == "现场协商"
