"""Addresses never break: published case ids from git history, former_ids and redirect pages.

Every test builds a real history in a temporary git repository: the tiny
archive of conftest.py committed, then deletions, renames and withdrawals on
top, checked with ``check``, ``load_archive`` and ``mkdocs build``.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from generator import cli
from generator.records import published
from generator.records.archive import check_paths, load_archive
from generator.records.problems import RecordError
from tests.browser import StaticServer
from tests.conftest import AS_OF, CASE
from tests.git_repo import Repo
from tests.test_site_helpers import Build, build_site, parse

CASE_IDS = ("2022-jishui", "2022-loushui", "2023-dianti")
GONE = "content/cases/yingze/2022-loushui.yml"
END = CASE.count("\n") + 1  # the line of anything appended to a case
WITHDRAWN = "withdrawn:\n  date: 2023-01-05\n  reason: 与 2022-jishui 重复，合并至该记录\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """The tiny archive with three cases, committed once."""
    repo = Repo.create(tmp_path / "repo")
    repo.write_platforms()
    for case_id in CASE_IDS:
        repo.write(f"cases/yingze/{case_id}.yml", CASE)
    repo.commit("三个案例")
    return repo


def short(sha: str) -> str:
    return sha[:10]


# ---------------------------------------------------------------------------
# Deleting a published case.


def test_an_untouched_archive_passes(repo: Repo) -> None:
    assert repo.problems() == []
    assert sorted(published.read_history(repo.dir).sightings) == sorted(CASE_IDS)


def test_a_deleted_case_is_an_error_naming_id_path_and_commit(repo: Repo) -> None:
    added = repo.git("rev-parse", "HEAD")
    repo.case_path("2022-loushui").unlink()
    deleted = repo.commit("删除一个案例")
    assert repo.problems() == [
        f"{GONE}:1:1: 已发布的案例“2022-loushui”不见了：这个文件在提交 {short(deleted)}"
        f"（2023-11-17）中被删除或改名（文件由提交 {short(added)} 加入）。它的网址 "
        "/cases/2022-loushui/ 可能已印在二维码上，必须一直有效。如是改名：请在改名后的案例文件中"
        "加上 former_ids: [2022-loushui]，旧网址会自动跳转到新网址。如要撤下：请恢复这个文件"
        f"（提交 {short(deleted)} 之前的版本），保持文件名不变，并加上 withdrawn（撤回日期和原因）",
    ]
    with pytest.raises(RecordError) as caught:
        load_archive(repo.dir, as_of=AS_OF)
    assert [p.file for p in caught.value.problems] == [GONE]


def test_an_uncommitted_deletion_is_caught_too(repo: Repo) -> None:
    repo.case_path("2022-loushui").unlink()
    (problem,) = repo.problems()
    assert problem.startswith(f"{GONE}:1:1: 已发布的案例“2022-loushui”不见了：")
    assert "在工作区中已被删除或改名，尚未提交" in problem
    assert f"git restore {GONE}" in problem


def test_check_command_fails_with_an_annotation(repo: Repo, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")  # 2024-01-01
    repo.case_path("2022-loushui").unlink()
    repo.commit("删除一个案例")
    assert cli.main(["check", "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"::error file={GONE},line=1,col=1,title=")
    assert "已发布的案例“2022-loushui”不见了" in out[0]
    assert out[-1] == "检查 5 个文件，发现 1 个错误"


def test_checking_only_some_files_skips_the_history(repo: Repo) -> None:
    repo.case_path("2022-loushui").unlink()
    assert repo.check(repo.case_path("2022-jishui")) == []
    assert len(repo.check(repo.dir / "cases")) == 1
    assert len(repo.check(repo.root)) == 1


def test_a_deleted_case_fails_the_build(repo: Repo, tmp_path: Path) -> None:
    repo.case_path("2022-loushui").unlink()
    repo.commit("删除一个案例")
    build = build_site(tmp_path / "build", repo.dir, AS_OF, check=False)
    assert build.returncode != 0
    assert f"{GONE}:1:1: 已发布的案例“2022-loushui”不见了" in build.output
    assert "记录中有 1 个错误" in build.output


def test_a_case_moved_to_another_folder_keeps_its_address(repo: Repo) -> None:
    (repo.dir / "cases" / "qinshui").mkdir()
    repo.move("2022-loushui", "2022-loushui", folder="qinshui")
    repo.commit("换个文件夹")
    assert repo.problems() == []


def test_a_file_that_was_never_a_case_is_ignored(repo: Repo) -> None:
    repo.write("cases/README.md", "说明\n")
    repo.commit("说明")
    (repo.dir / "cases" / "README.md").unlink()
    repo.commit("删除说明")
    assert repo.problems() == []


def test_a_broken_file_suppresses_the_history_check(repo: Repo) -> None:
    """The broken file may hold the former_ids that explain a missing id."""
    repo.move("2022-loushui", "2022-loushui-new")
    repo.append("2022-loushui-new", "former_ids: [2022-loushui\n")
    (problem,) = repo.problems()
    assert problem.startswith("content/cases/yingze/2022-loushui-new.yml:")
    assert "不见了" not in problem


# ---------------------------------------------------------------------------
# Withdrawing and renaming.


def test_a_withdrawn_case_keeps_its_file_and_passes(repo: Repo) -> None:
    repo.append("2022-loushui", WITHDRAWN)
    repo.commit("撤下重复的案例")
    assert repo.problems() == []


def test_a_rename_with_former_ids_passes(repo: Repo) -> None:
    repo.move("2022-loushui", "2022-dixiashi-loushui")
    repo.append("2022-dixiashi-loushui", "former_ids: [2022-loushui]\n")
    assert repo.problems() == []  # before the commit
    repo.commit("改名")
    assert repo.problems() == []
    loaded = load_archive(repo.dir, as_of=AS_OF)
    assert loaded.cases["2022-dixiashi-loushui"].former_ids == ("2022-loushui",)


def test_a_rename_without_former_ids_names_the_old_id(repo: Repo) -> None:
    repo.move("2022-loushui", "2022-dixiashi-loushui")
    commit = repo.commit("改名")
    (problem,) = repo.problems()
    assert problem.startswith(f"{GONE}:1:1: 已发布的案例“2022-loushui”不见了：这个文件在提交 "
                              f"{short(commit)}")
    assert "former_ids: [2022-loushui]" in problem


def test_renamed_twice_needs_both_former_ids(repo: Repo) -> None:
    repo.move("2022-loushui", "2022-b")
    repo.append("2022-b", "former_ids: [2022-loushui]\n")
    repo.commit("第一次改名")
    repo.move("2022-b", "2022-c")
    (problem,) = repo.problems()
    assert "已发布的案例“2022-b”不见了" in problem
    text = repo.case_path("2022-c").read_text(encoding="utf-8")
    repo.case_path("2022-c").write_text(
        text.replace("former_ids: [2022-loushui]", "former_ids: [2022-loushui, 2022-b]"),
        encoding="utf-8")
    repo.commit("第二次改名")
    assert repo.problems() == []


def test_a_case_renamed_inside_a_merged_branch_was_never_published(repo: Repo) -> None:
    """Only what reached the branch counts, not a pull request's intermediate commits."""
    repo.git("switch", "-q", "-c", "editor")
    repo.write("cases/yingze/2024-typo.yml", CASE)
    repo.commit("新案例")
    repo.move("2024-typo", "2024-zhengque")
    repo.commit("改正文件名")
    repo.git("switch", "-q", "main")
    repo.commits += 1
    repo.git("merge", "-q", "--no-ff", "editor", "-m", "合并")
    assert "2024-typo" not in published.read_history(repo.dir).sightings
    assert repo.problems() == []
    repo.case_path("2024-zhengque").unlink()
    deleted = repo.commit("删除")
    (problem,) = repo.problems()
    assert f"已发布的案例“2024-zhengque”不见了：这个文件在提交 {short(deleted)}" in problem


# ---------------------------------------------------------------------------
# Rules on former_ids themselves.


def test_a_former_id_that_is_still_a_case_is_an_error(repo: Repo) -> None:
    repo.append("2022-jishui", "former_ids: [2022-loushui]\n")
    assert repo.problems() == [
        f"content/cases/yingze/2022-jishui.yml:{END}:14: former_ids[1]: "
        "“2022-loushui”仍是现有案例的编号（content/cases/yingze/2022-loushui.yml）：旧网址要跳转到本案例，就不能同时是另一个"
        "案例的网址。改名时请删去或改名旧文件；若两个是不同的案例，请从 former_ids 中删去"
        "“2022-loushui”",
    ]


def test_a_former_id_declared_twice_is_an_error(repo: Repo) -> None:
    repo.case_path("2022-loushui").unlink()
    repo.append("2022-jishui", "former_ids: [2022-loushui]\n")
    repo.append("2023-dianti", "former_ids: [2022-loushui]\n")
    assert repo.problems() == [
        f"content/cases/yingze/2023-dianti.yml:{END}:14: former_ids[1]: "
        "曾用编号“2022-loushui”重复："
        "content/cases/yingze/2022-jishui.yml 的 former_ids 中已经有了。一个旧网址只能跳转到"
        "一个案例，请只保留一处",
    ]


def test_a_case_may_not_list_its_own_id(repo: Repo) -> None:
    repo.append("2022-jishui", "former_ids:\n  - 2021-old\n  - 2022-jishui\n")
    assert repo.problems() == [
        f"content/cases/yingze/2022-jishui.yml:{END + 2}:5: former_ids[2]: "
        "“2022-jishui”是本案例现在的编号，不是曾用编号：请从 former_ids 中删去",
    ]


def test_former_ids_must_be_valid_ids(repo: Repo) -> None:
    repo.append("2022-jishui", "former_ids: [2022_Loushui]\n")
    (problem,) = repo.problems()
    assert problem.startswith(f"content/cases/yingze/2022-jishui.yml:{END}:14: former_ids[1]: "
                              '"2022_Loushui" 不是有效的编号')


# ---------------------------------------------------------------------------
# Without full history.


def test_outside_git_the_check_is_skipped_with_a_warning(
        repo: Repo, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    tarball = tmp_path / "tarball" / "content"
    shutil.copytree(repo.dir, tarball)
    (tarball / "cases" / "yingze" / "2022-loushui.yml").unlink()
    with caplog.at_level(logging.WARNING, logger="generator.published"):
        assert check_paths([tarball], tarball, AS_OF)[1] == []
    (message,) = caplog.messages
    assert message.startswith(f"警告：{tarball} 不在 git 仓库中（")
    assert message.endswith("无法核对已发布案例的地址，跳过这项检查")


def test_without_git_installed_the_check_is_skipped_with_a_warning(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("PATH", "")
    with caplog.at_level(logging.WARNING, logger="generator.published"):
        assert repo.problems() == []
    assert caplog.messages == ["警告：找不到 git 命令，无法核对已发布案例的地址，跳过这项检查"]


def test_a_shallow_clone_warns_and_checks_what_it_has(
        repo: Repo, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    repo.case_path("2022-loushui").unlink()
    repo.commit("删除一个案例")  # before the shallow clone's only commit: not visible there
    repo.write("cases/yingze/2024-new.yml", CASE)
    repo.commit("新案例")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   check=True, capture_output=True)
    content = clone / "content"
    with caplog.at_level(logging.WARNING, logger="generator.published"):
        assert check_paths([content], content, AS_OF)[1] == []
    (message,) = caplog.messages
    assert message.startswith("警告：这是浅克隆（shallow clone），git 历史不完整")
    assert "fetch-depth: 0" in message
    # What it does know is still checked: a deletion in the work tree.
    (content / "cases" / "yingze" / "2024-new.yml").unlink()
    (problem,) = [p.as_text() for p in check_paths([content], content, AS_OF)[1]]
    assert "已发布的案例“2024-new”不见了" in problem


def test_a_repository_without_commits_has_published_nothing(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.git("init", "-q")
    repo.dir.mkdir()
    assert published.read_history(repo.dir) == published.History()


def test_the_build_of_a_tarball_warns_but_succeeds(repo: Repo, tmp_path: Path) -> None:
    tarball = tmp_path / "tarball" / "content"
    shutil.copytree(repo.dir, tarball)
    build = build_site(tmp_path / "build", tarball, AS_OF)
    assert "不在 git 仓库中" in build.output


# ---------------------------------------------------------------------------
# Parsing the log.


def test_parse_log_takes_the_newest_addition_and_the_deletion_after_it() -> None:
    def commit(sha: str, day: str, *changes: str) -> str:
        return f"\x01{sha} {day}\0\n" + "".join(f"{c}\0" for c in changes)

    output = "".join([
        commit("c5", "2024-05-01", "D", "cases/b/x.yml"),
        commit("c4", "2024-04-01", "A", "cases/b/x.yml", "D", "cases/a/x.yml"),
        commit("c3", "2024-03-01", "A", "cases/a/x.yml", "A", "cases/a/y.yml"),
        commit("c2", "2024-02-01", "D", "cases/a/x.yml", "A", "cases/.hidden/z.yml"),
        commit("c1", "2024-01-01", "A", "cases/a/x.yml", "A", "cases/README.md",
               "A", "cases/Bad_Name.yml", "A", "platforms/p.yml"),
    ])
    assert published.parse_log(output) == {
        "x": published.Sighting("cases/b/x.yml", published.Commit("c4", "2024-04-01"),
                                published.Commit("c5", "2024-05-01")),
        "y": published.Sighting("cases/a/y.yml", published.Commit("c3", "2024-03-01"), None),
    }


# ---------------------------------------------------------------------------
# Redirect pages in the built site.


@pytest.fixture
def renamed(repo: Repo, tmp_path: Path) -> Iterator[Build]:
    """The archive after 2022-loushui was renamed to 2022-dixiashi-loushui, built."""
    repo.move("2022-loushui", "2022-dixiashi-loushui")
    repo.append("2022-dixiashi-loushui", "former_ids: [2022-loushui]\n")
    repo.commit("改名")
    yield build_site(tmp_path / "build", repo.dir, AS_OF)


def test_the_old_address_redirects_to_the_new_one(renamed: Build) -> None:
    html = renamed.html("cases/2022-loushui/")
    page = parse(html)
    (refresh,) = page.find("meta", **{"http-equiv": "refresh"})
    assert refresh.attrs["content"] == "0; url=../2022-dixiashi-loushui/"
    (canonical,) = page.find("link", rel="canonical")  # absolute: mkdocs.yml has site_url
    assert canonical.attrs["href"] == "https://example.org/archive/cases/2022-dixiashi-loushui/"
    (link,) = page.find("a")
    assert link.attrs["href"] == "../2022-dixiashi-loushui/"
    assert link.text == "机电小区地下室漏水"
    assert "<script" not in html
    assert page.find("html")[0].attrs["lang"] == "zh"
    # The new address is a normal case page; the old one is not in the sitemap.
    assert "机电小区地下室漏水" in renamed.page("cases/2022-dixiashi-loushui/").text
    sitemap = (renamed.site / "sitemap.xml").read_text(encoding="utf-8")
    assert "2022-loushui/" not in sitemap.replace("2022-dixiashi-loushui/", "")


def test_a_redirect_to_a_withdrawn_case_does_not_show_its_title(repo: Repo,
                                                                tmp_path: Path) -> None:
    repo.move("2022-loushui", "2022-dixiashi-loushui")
    repo.append("2022-dixiashi-loushui", "former_ids: [2022-loushui]\n" + WITHDRAWN)
    repo.commit("改名并撤下")
    build = build_site(tmp_path / "build", repo.dir, AS_OF)
    page = build.page("cases/2022-loushui/")
    assert page.find("h1")[0].text == "此记录已撤回"
    assert "机电小区" not in build.html("cases/2022-loushui/")


def test_redirect_pages_escape_the_title(repo: Repo, tmp_path: Path) -> None:
    repo.move("2022-loushui", "2022-x")
    text = repo.case_path("2022-x").read_text(encoding="utf-8")
    repo.case_path("2022-x").write_text(
        text.replace("title: 机电小区地下室漏水", "title: '</a><script>alert(1)</script>'")
        + "former_ids: [2022-loushui]\n", encoding="utf-8")
    repo.commit("改名")
    build = build_site(tmp_path / "build", repo.dir, AS_OF)
    html = build.html("cases/2022-loushui/")
    assert "<script>" not in html
    assert "&lt;/a&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_browser_follows_the_redirect(renamed: Build, browser: WebDriver,
                                        static_server: Callable[..., StaticServer]) -> None:
    server = static_server(renamed.site, "/archive/")  # a project site below a sub-path
    browser.get(server / "cases/2022-loushui/")
    deadline = time.monotonic() + 10
    while not browser.current_url.endswith("/cases/2022-dixiashi-loushui/"):
        assert time.monotonic() < deadline, browser.current_url
        time.sleep(0.05)
    assert browser.current_url == server / "cases/2022-dixiashi-loushui/"
    assert browser.title.startswith("机电小区地下室漏水")


# ---------------------------------------------------------------------------
# Cost.


@pytest.mark.slow
def test_ten_thousand_cases_of_history_take_one_fast_log(tmp_path: Path) -> None:
    """10,000 cases added over 1,000 commits, 500 of them renamed later: read in one pass."""
    repo = Repo(tmp_path / "big")
    repo.root.mkdir()
    repo.git("init", "-q", "-b", "main")
    stream = _fast_import(commits=1_000, per_commit=10, renames=500)
    subprocess.run(["git", "-C", str(repo.root), "fast-import", "--quiet"], input=stream,
                   check=True, capture_output=True)
    repo.dir.mkdir()  # the history is all it reads: no need to check 10,000 files out
    started = time.perf_counter()
    history = published.read_history(repo.dir)
    elapsed = time.perf_counter() - started
    assert len(history.sightings) == 10_500
    assert elapsed < 5, f"{elapsed:.2f} s"


def _fast_import(commits: int, per_commit: int, renames: int) -> bytes:
    """A git fast-import stream: ``commits`` commits adding ``per_commit`` cases each, then one
    commit renaming the first ``renames`` of them."""
    blob = CASE.encode("utf-8")
    out = [b"blob\nmark :1\ndata %d\n%s\n" % (len(blob), blob)]
    when = int(dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp())
    header = b"commit refs/heads/main\ncommitter a <a@b> %d +0800\ndata 2\nc\n"
    for n in range(commits):
        out.append(header % (when + n))
        for k in range(n * per_commit, (n + 1) * per_commit):
            out.append(b"M 100644 :1 content/cases/f%02d/c%06d.yml\n" % (n % 50, k))
    out.append(header % (when + commits))
    for k in range(renames):
        out.append(b"D content/cases/f%02d/c%06d.yml\n" % ((k // per_commit) % 50, k))
        out.append(b"M 100644 :1 content/cases/new/r%06d.yml\n" % k)
    return b"".join(out)


def test_check_prints_the_warning_and_passes(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    tarball = tmp_path / "tarball"
    shutil.copytree(repo.dir, tarball / "content")
    monkeypatch.chdir(tarball)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")  # 2024-01-01
    assert cli.main(["check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "检查 6 个文件，发现 0 个错误\n"
    assert captured.err.startswith("警告：content 不在 git 仓库中（")
    assert cli.main(["check", "--format", "github"]) == 0
    assert capsys.readouterr().out.startswith("::warning::警告：content 不在 git 仓库中（")
    # The command's handler is gone once it returns.
    published.read_history(tarball / "content")
    load_archive(tarball / "content", as_of=AS_OF)
    assert capsys.readouterr() == ("", "")


def test_without_a_site_address_every_link_of_a_redirect_is_relative() -> None:
    from generator.site import redirects
    from tests.test_render_factory import archive, case

    renamed = archive(cases=(case("2024-new", former_ids=("2024-old", "2023-older")),))
    pages = dict(redirects.pages(renamed, "档案"))
    assert sorted(pages) == ["cases/2023-older/index.html", "cases/2024-old/index.html"]
    html = pages["cases/2024-old/index.html"].decode("utf-8")
    assert '<link rel="canonical" href="../2024-new/">' in html
    assert '<meta http-equiv="refresh" content="0; url=../2024-new/">' in html
    absolute = dict(redirects.pages(renamed, "档案", "https://example.org/a"))
    assert ('<link rel="canonical" href="https://example.org/a/cases/2024-new/">'
            in absolute["cases/2024-old/index.html"].decode("utf-8"))
