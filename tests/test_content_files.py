"""Nothing outside content/ reaches the site: links and non-regular files are refused unread.

A link in content/ could bring any file of the machine that builds the site
into the public site (a hand-written page), or quote it in a check's message
(a record). Every place the generator reads from content/ refuses them with a
Chinese message naming the file, before anything is read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.records.archive import LINK_MESSAGE, NOT_REGULAR_MESSAGE, check_paths, load_archive
from generator.records.problems import RecordError
from generator.site import build
from tests.conftest import AS_OF, CASE, PLATFORMS, ContentTree

SECRET = "secret_line: 这一行不属于档案\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the archive that a link points at."""
    path = tmp_path / "elsewhere" / "secret.yml"
    path.parent.mkdir()
    path.write_text(SECRET + CASE, encoding="utf-8")
    return path


def link(content: ContentTree, relative: str, target: Path) -> Path:
    path = content.dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def messages(problems: list[str]) -> str:
    return "\n".join(problems)


def test_a_linked_case_file_is_refused_unread(content: ContentTree, secret: Path) -> None:
    link(content, "cases/2022-linked.yml", secret)
    problems = content.check()
    assert problems == [f"content/cases/2022-linked.yml:1:1: {LINK_MESSAGE}"]
    assert "这一行不属于档案" not in messages(problems)


def test_a_linked_platform_file_is_refused(content: ContentTree, tmp_path: Path) -> None:
    target = tmp_path / "other.yml"
    target.write_text(PLATFORMS["street"], encoding="utf-8")
    link(content, "platforms/other.yml", target)
    assert content.check() == [f"content/platforms/other.yml:1:1: {LINK_MESSAGE}"]


def test_a_linked_folder_is_refused_not_walked(content: ContentTree, secret: Path) -> None:
    link(content, "cases/elsewhere", secret.parent)
    problems = content.check()
    assert problems == [f"content/cases/elsewhere:1:1: {LINK_MESSAGE}"]


def test_a_linked_cases_folder_is_refused(content: ContentTree, tmp_path: Path) -> None:
    real = tmp_path / "real-cases"
    (content.dir / "cases").rename(real)
    link(content, "cases", real)
    assert content.check() == [f"content/cases:1:1: {LINK_MESSAGE}"]


def test_a_pipe_is_refused(content: ContentTree) -> None:
    os.mkfifo(content.dir / "cases" / "2022-pipe.yml")
    assert content.check() == [f"content/cases/2022-pipe.yml:1:1: {NOT_REGULAR_MESSAGE}"]


def test_a_link_named_on_the_command_line_is_refused(
    content: ContentTree, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = link(content, "cases/2022-linked.yml", secret)
    monkeypatch.chdir(content.dir.parent)
    _, problems = check_paths([Path("content/cases/2022-linked.yml")], content.dir, AS_OF)
    assert [p.as_text() for p in problems] == [
        f"content/cases/2022-linked.yml:1:1: {LINK_MESSAGE}"]
    assert path.is_symlink()


def test_a_build_refuses_a_linked_record(content: ContentTree, secret: Path) -> None:
    link(content, "cases/2022-linked.yml", secret)
    with pytest.raises(RecordError) as raised:
        load_archive(content.dir, as_of=AS_OF)
    assert [p.as_text() for p in raised.value.problems] == [
        f"content/cases/2022-linked.yml:1:1: {LINK_MESSAGE}"]


def test_a_linked_page_is_refused_unread(content: ContentTree, secret: Path) -> None:
    content.write("pages/about.md", "# 关于\n")
    link(content, "pages/passwd.md", secret)
    with pytest.raises(RecordError) as raised:
        build.hand_written_pages(content.dir)
    assert [p.as_text() for p in raised.value.problems] == [
        f"content/pages/passwd.md:1:1: {LINK_MESSAGE}"]


def test_a_linked_pages_folder_is_refused(content: ContentTree, secret: Path) -> None:
    link(content, "pages", secret.parent)
    with pytest.raises(RecordError) as raised:
        build.hand_written_pages(content.dir)
    assert [p.as_text() for p in raised.value.problems] == [f"content/pages:1:1: {LINK_MESSAGE}"]


def test_a_folder_named_like_a_page_is_refused(content: ContentTree) -> None:
    (content.dir / "pages" / "notes.md").mkdir(parents=True)
    with pytest.raises(RecordError) as raised:
        build.hand_written_pages(content.dir)
    assert [p.as_text() for p in raised.value.problems] == [
        f"content/pages/notes.md:1:1: {NOT_REGULAR_MESSAGE}"]


def test_linked_category_pins_are_refused(content: ContentTree, tmp_path: Path) -> None:
    target = tmp_path / "pins.yml"
    target.write_text("停車: tingche-fanti\n", encoding="utf-8")
    link(content, build.PINS_FILE, target)
    with pytest.raises(RecordError) as raised:
        build.load_pins(content.dir)
    assert [p.as_text() for p in raised.value.problems] == [
        f"content/{build.PINS_FILE}:1:1: {LINK_MESSAGE}"]


def test_regular_files_are_read_as_before(content: ContentTree) -> None:
    content.write("pages/about.md", "# 关于\n")
    content.write(build.PINS_FILE, "停車: tingche-fanti\n")
    assert content.check() == []
    assert build.hand_written_pages(content.dir) == {"about.md": "# 关于\n".encode()}
    assert build.load_pins(content.dir) == {"停車": "tingche-fanti"}
