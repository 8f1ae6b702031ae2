"""Each case's revision history (修订记录), read from crafted git histories.

Every test commits the tiny archive of conftest.py into a temporary
repository, edits it commit by commit, and reads the histories the build
would show: revisions newest first, what each changed in plain Chinese, and
what must never be shown (personal data, withdrawn content).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from types import MappingProxyType

import pytest

from generator.options import Options
from generator.records import differences, history
from generator.records.archive import load_archive
from generator.records.revisions import (
    BEIJING,
    EARLIER_UNKNOWN,
    FIRST_PUBLISHED,
    NOT_COMPARABLE,
    NOTHING_CHANGED,
    PERSONAL_DATA_HIDDEN,
    Histories,
    Revision,
)
from generator.site import build, render
from tests import test_render_factory as factory
from tests.conftest import AS_OF, CASE
from tests.git_repo import FIRST_COMMIT_TIME, Repo
from tests.record_text import replace_once
from tests.test_site_helpers import Build, build_site

CASE_ID = "2022-loushui"
FOLLOW_UP = ("  - date: 2022-09-15\n    item: 1\n    status: 已完成\n    note: 管道修复完毕\n")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo.create(tmp_path / "repo")
    repo.write_platforms()
    repo.write(f"cases/yingze/{CASE_ID}.yml", CASE)
    repo.commit("新增机电小区地下室漏水案例")
    return repo


def edit(repo: Repo, old: str, new: str, case_id: str = CASE_ID, folder: str = "yingze") -> None:
    path = repo.case_path(case_id, folder)
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def histories(repo: Repo) -> Histories:
    archive = load_archive(repo.dir, as_of=AS_OF)
    return history.read_histories(repo.dir, archive)


def changes(repo: Repo, case_id: str = CASE_ID) -> list[tuple[str, ...]]:
    return [revision.changes for revision in histories(repo).of(case_id)]


def test_one_commit_is_the_first_publication(repo: Repo) -> None:
    found = histories(repo)
    (revision,) = found.of(CASE_ID)
    assert revision.changes == (FIRST_PUBLISHED,)
    assert revision.subject == "新增机电小区地下室漏水案例"
    assert revision.commit == repo.git("rev-parse", "HEAD")
    assert revision.time == dt.datetime.fromtimestamp(FIRST_COMMIT_TIME + 86_400, BEIJING)
    assert revision.time.utcoffset() == dt.timedelta(hours=8)
    assert revision.path == f"content/cases/yingze/{CASE_ID}.yml"
    assert found.built_from == revision.commit
    assert found.complete


def test_revisions_are_newest_first_each_saying_what_changed(repo: Repo) -> None:
    edit(repo, "satisfaction: {满意: 30,", "satisfaction: {满意: 28,")
    repo.commit("更正群众评议人数")
    edit(repo, "      due: 2022-05-31\n", "      due: 2022-07-31\n")
    repo.append(CASE_ID, "")
    repo.commit("延长第 1 项的期限")
    path = repo.case_path(CASE_ID)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("evaluation:\n", FOLLOW_UP + "evaluation:\n", 1),
                    encoding="utf-8")
    repo.commit("跟踪落实：管道修复完毕")
    found = histories(repo).of(CASE_ID)
    assert [r.subject for r in found] == [
        "跟踪落实：管道修复完毕", "延长第 1 项的期限", "更正群众评议人数",
        "新增机电小区地下室漏水案例"]
    assert [r.changes for r in found] == [
        ("新增跟踪落实 1 条（2022年9月15日，第 1 项：已完成）",),
        ("共识事项第 1 项完成期限 2022年5月31日 → 2022年7月31日",),
        ("群众评议“满意” 30 → 28",),
        (FIRST_PUBLISHED,),
    ]
    assert [r.fields for r in found] == [("follow_up",), ("consensus",), ("evaluation",), ()]
    assert [r.time for r in found] == sorted((r.time for r in found), reverse=True)


def test_long_texts_are_named_and_short_values_shown(repo: Repo) -> None:
    edit(repo, "    地下室常年积水。\n", "    地下室常年积水，墙面发霉。\n")
    edit(repo, "title: 机电小区地下室漏水", "title: 机电小区地下室漏水问题")
    edit(repo, "owner: 物业公司", "owner: 区住建局")
    edit(repo, "form: 现场协商", "form: 会议协商")
    edit(repo, "categories: [老旧小区, 环境卫生]", "categories: [老旧小区]")
    edit(repo, "  reached: true\n", "")
    repo.commit("修改多处")
    assert changes(repo)[0] == (
        "议题 “机电小区地下室漏水” → “机电小区地下室漏水问题”",
        "协商形式 现场协商 → 会议协商",
        "分类 老旧小区、环境卫生 → 老旧小区",
        "修改了议题背景",
        "删除了是否达成共识（原为 是）",
        "共识事项第 1 项责任单位 “物业公司” → “区住建局”",
    )


def test_items_removed_and_added_are_listed_with_their_values(repo: Repo) -> None:
    edit(repo, "    - text: 抽排积水\n      owner: 社区居委会\n      due: 2022-04-30\n",
         "    - text: 加装排水泵\n      owner: 物业公司\n")
    repo.commit("改第 2 项")
    assert changes(repo)[0] == (
        "共识事项第 2 项事项内容 “抽排积水” → “加装排水泵”",
        "共识事项第 2 项责任单位 “社区居委会” → “物业公司”",
        "删除了共识事项第 2 项完成期限（原为 2022年4月30日）",
    )
    third = "    - text: 清理排水沟\n      owner: 社区居委会\n      due: 2022-06-30\n"
    edit(repo, "  dissent:", third + "  dissent:")
    repo.commit("加第 3 项")
    edit(repo, third, "")
    repo.commit("删去第 3 项")
    assert changes(repo)[:2] == [
        ("删除共识事项 1 项（第 3 项：清理排水沟，责任单位 社区居委会，完成期限 2022年6月30日）",),
        ("新增共识事项 1 项（第 3 项：清理排水沟，责任单位 社区居委会，完成期限 2022年6月30日）",),
    ]


def test_a_move_between_folders_keeps_the_history(repo: Repo) -> None:
    repo.case_path(CASE_ID, "street").parent.mkdir()
    repo.git("mv", str(repo.case_path(CASE_ID)), str(repo.case_path(CASE_ID, "street")))
    repo.commit("移到街道的文件夹")
    found = histories(repo).of(CASE_ID)
    assert [r.changes for r in found] == [(NOTHING_CHANGED,), (FIRST_PUBLISHED,)]
    assert [r.path for r in found] == [f"content/cases/street/{CASE_ID}.yml",
                                       f"content/cases/yingze/{CASE_ID}.yml"]


def test_a_rename_recorded_in_former_ids_keeps_the_history(repo: Repo) -> None:
    edit(repo, "satisfaction: {满意: 30,", "satisfaction: {满意: 29,")
    repo.commit("更正人数")
    repo.git("mv", str(repo.case_path(CASE_ID)), str(repo.case_path("2022-dixiashi")))
    repo.append("2022-dixiashi", f"former_ids: [{CASE_ID}]\n")
    repo.commit("改名")
    found = histories(repo)
    assert found.of(CASE_ID) == ()
    assert [r.changes for r in found.of("2022-dixiashi")] == [
        (f"案例编号 {CASE_ID} → 2022-dixiashi", f"新增曾用编号 {CASE_ID}"),
        ("群众评议“满意” 30 → 29",),
        (FIRST_PUBLISHED,),
    ]


def test_personal_data_of_an_old_revision_is_never_shown(repo: Repo) -> None:
    residents = "    - role: 群众代表\n      count: 12\n"
    edit(repo, "owner: 物业公司", "owner: 物业公司（联系人 13812345678）")
    edit(repo, residents, residents + "      names: [张三]\n")
    repo.commit("加上联系人")
    edit(repo, "owner: 物业公司（联系人 13812345678）", "owner: 物业公司")
    edit(repo, residents + "      names: [张三]\n", residents)
    repo.commit("删去电话 13812345678")
    found = histories(repo).of(CASE_ID)
    hidden = (f"参与群体“群众代表”姓名：{PERSONAL_DATA_HIDDEN}",
              f"共识事项第 1 项责任单位：{PERSONAL_DATA_HIDDEN}")
    assert [(r.subject, r.changes) for r in found[:2]] == [("", hidden), ("加上联系人", hidden)]
    every_word = repr(found)
    assert "13812345678" not in every_word and "张三" not in every_word


def test_a_withdrawn_case_keeps_dates_subjects_and_commits_only(repo: Repo) -> None:
    edit(repo, "satisfaction: {满意: 30,", "satisfaction: {满意: 28,")
    repo.commit("更正人数")
    repo.append(CASE_ID, "withdrawn:\n  date: 2023-01-05\n  reason: 重复记录\n")
    repo.commit("撤回")
    found = histories(repo).of(CASE_ID)
    assert [(r.subject, r.changes, r.fields) for r in found] == [
        ("撤回", (), ()), ("更正人数", (), ()), ("新增机电小区地下室漏水案例", (), ())]


def test_a_revision_that_no_longer_parses_is_listed_and_the_build_goes_on(repo: Repo) -> None:
    path = repo.case_path(CASE_ID)
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: 机电小区地下室漏水", "title: [未闭合"), encoding="utf-8")
    repo.commit("坏的版本")
    path.write_text(good.replace("满意: 30,", "满意: 27,"), encoding="utf-8")
    repo.commit("修好")
    found = histories(repo).of(CASE_ID)
    assert [(r.changes, r.comparable) for r in found] == [
        (("群众评议“满意” 30 → 27",), True),
        ((NOT_COMPARABLE,), False),
        ((FIRST_PUBLISHED,), True),
    ]


def test_a_shallow_clone_does_not_claim_the_first_publication(repo: Repo,
                                                             tmp_path: Path) -> None:
    edit(repo, "satisfaction: {满意: 30,", "satisfaction: {满意: 28,")
    repo.commit("更正人数")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   check=True)
    archive = load_archive(clone / "content", as_of=AS_OF)
    found = history.read_histories(clone / "content", archive)
    assert not found.complete
    assert [r.changes for r in found.of(CASE_ID)] == [(EARLIER_UNKNOWN,)]


def test_outside_git_there_is_no_history(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    assert history.read_log(tmp_path / "content") == history.GitLog()


def test_last_changed_is_each_files_newest_commit_day(repo: Repo) -> None:
    edit(repo, "satisfaction: {满意: 30,", "satisfaction: {满意: 28,")
    repo.commit("更正人数")
    days = history.read_log(repo.dir).last_changed()
    assert days[f"cases/yingze/{CASE_ID}.yml"] == dt.date(2023, 11, 17)
    assert days["platforms/city.yml"] == dt.date(2023, 11, 16)
    assert history.record_key(f"content/cases/yingze/{CASE_ID}.yml", repo.dir) == (
        f"cases/yingze/{CASE_ID}.yml")


def test_versions_that_are_not_records_do_not_compare() -> None:
    for text in (b"- a list\n", b"title: [\n", b"title: a\ntitle: b\n"):
        version = differences.read_version(text, "x.yml", "x")
        assert version is not None
        with pytest.raises(differences.Unreadable):
            version.value("title")
    assert differences.read_version(b"\xff\xfe", "x.yml", "x") is None  # not UTF-8
    assert differences.read_version(None, "x.yml", "x") is None


def test_a_file_is_cut_into_its_top_level_fields() -> None:
    text = ("# 注释\ntitle: 标题\ntopic:\n  source: 其他\n# 中间的注释\n"
            "steps:\n- step: 一\n\nform: 其他\n")
    assert differences.cut_sections(text) == {
        "title": "title: 标题\n", "topic": "topic:\n  source: 其他\n# 中间的注释\n",
        "steps": "steps:\n- step: 一\n\n", "form": "form: 其他\n"}
    for whole in ("---\ntitle: a\n", "title: a\n...\n", "'title': a\n", "title: a\ntitle: b\n",
                  "- a\n", "{title: a}\n"):
        assert differences.cut_sections(whole) is None, whole


def test_only_the_fields_whose_text_differs_are_parsed() -> None:
    old = differences.read_version(CASE.encode(), "x.yml", "x")
    new = differences.read_version(CASE.replace("form: 现场协商", "form: 会议协商").encode(),
                                   "x.yml", "x")
    assert old is not None and new is not None
    assert differences.compare(old, new) == (["协商形式 现场协商 → 会议协商"], ["form"])
    assert set(old.parsed) == set(new.parsed) == {"form"}
    broken = differences.read_version(CASE.replace("form: 现场协商", "form: [").encode(),
                                      "x.yml", "x")
    assert broken is not None
    with pytest.raises(differences.Unreadable):
        differences.compare(old, broken)
    assert differences.compare(broken, new) == (["修改了协商形式"], ["form"])


def test_last_changed_reads_names_with_spaces_and_any_file(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    content = repo / "content" / "cases" / "a"
    content.mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    (content / "x.yml").write_text("1")
    (content / "空 格.yml").write_text("1")
    env = {**os.environ, "GIT_COMMITTER_DATE": "2022-01-02T10:00:00+08:00",
           "GIT_AUTHOR_DATE": "2022-01-02T10:00:00+08:00"}
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "1"], check=True, env=env)
    (content / "x.yml").write_text("2")
    env = {**env, "GIT_COMMITTER_DATE": "2023-03-04T10:00:00+08:00"}
    subprocess.run([*git, "commit", "-q", "-am", "2"], check=True, env=env)
    dates = history.read_log(repo / "content").last_changed()
    assert dates == {"cases/a/x.yml": dt.date(2023, 3, 4), "cases/a/空 格.yml": dt.date(2022, 1, 2)}
    assert history.record_key("content/cases/a/x.yml", repo / "content") == "cases/a/x.yml"


def test_outside_git_nothing_changed(tmp_path: Path) -> None:
    assert history.read_log(tmp_path).last_changed() == {}


# ---------------------------------------------------------------------------
# The built site: the list on the case page, the commits in the footers.

REPO_URL = "https://github.com/example/archive"
OTHER = "2023-dianti"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Repo]:
    """A site built from a history with edits, personal data removed, and a withdrawal."""
    repo = Repo.create(tmp_path_factory.mktemp("built") / "repo")
    repo.write_platforms()
    repo.write(f"cases/yingze/{CASE_ID}.yml", CASE)
    repo.write(f"cases/yingze/{OTHER}.yml", CASE.replace("机电小区地下室漏水", "加装电梯"))
    repo.commit("新增两个案例")
    edit(repo, "owner: 物业公司", "owner: 物业公司 13812345678")
    repo.commit("第 1 项加上电话")
    edit(repo, "owner: 物业公司 13812345678", "owner: 区住建局")
    repo.commit("第 1 项改由区住建局负责")
    repo.append(OTHER, "withdrawn:\n  date: 2023-01-05\n  reason: 重复记录\n")
    repo.commit("撤回加装电梯")
    build = build_site(repo.root / "build", repo.dir, AS_OF, settings={"repo_url": REPO_URL})
    return build, repo


def test_the_case_page_lists_its_revisions(built: tuple[Build, Repo]) -> None:
    build, repo = built
    page = build.page(f"cases/{CASE_ID}")
    (section,) = page.find("section", class_="xs-revisions")
    assert section.text.strip().startswith("修订记录")
    entries = page.find("li", class_="xs-revision")
    assert [" ".join(e.text.split()) for e in entries] == [
        "2023年11月18日 · 第 1 项改由区住建局负责 · 提交 "
        f"{repo.git('rev-parse', '--short=7', 'HEAD~1')} "
        f"共识事项第 1 项责任单位：{PERSONAL_DATA_HIDDEN}",
        "2023年11月17日 · 第 1 项加上电话 · 提交 "
        f"{repo.git('rev-parse', '--short=7', 'HEAD~2')} "
        f"共识事项第 1 项责任单位：{PERSONAL_DATA_HIDDEN}",
        "2023年11月16日 · 新增两个案例 · 提交 "
        f"{repo.git('rev-parse', '--short=7', 'HEAD~3')} {FIRST_PUBLISHED}",
    ]
    current = repo.git("rev-parse", "HEAD~1")
    links = [a.attrs["href"] for a in page.find("a") if "/commit/" in a.attrs.get("href", "")]
    assert f"{REPO_URL}/commit/{current}" in links
    (record,) = page.find("footer", class_="xs-record")
    assert f"当前版本：提交 {current[:7]}" in " ".join(record.text.split())


def test_a_withdrawn_page_lists_revisions_without_their_content(
        built: tuple[Build, Repo]) -> None:
    build, _ = built
    page = build.page(f"cases/{OTHER}")
    entries = [" ".join(e.text.split()) for e in page.find("li", class_="xs-revision")]
    assert [entry.split(" · ")[1] for entry in entries] == ["撤回加装电梯", "新增两个案例"]
    assert FIRST_PUBLISHED not in page.text and "加装电梯" not in page.find("main")[0].text.replace(
        "撤回加装电梯", "")


def test_the_navigation_s_pages_name_the_commit_the_site_was_built_from(
        built: tuple[Build, Repo]) -> None:
    build, repo = built
    head = repo.git("rev-parse", "HEAD")
    for url in ("", "platforms", "data"):
        assert f"本站由提交 {head[:7]} 生成" in colophon(build, url)
    assert f'href="{REPO_URL}/commit/{head}"' in build.html("")
    # Other pages do not: a new commit leaves their bytes as they were (warm builds).
    for url in (f"cases/{CASE_ID}", "platforms/city"):
        assert not any("本站由提交" in line for line in colophon(build, url))


def colophon(build: Build, url: str) -> list[str]:
    """The lines of the footer below Material's copyright line."""
    return [" ".join(line.text.split()) for line in build.page(url).find("p", class_="xs-colophon")]


def test_no_file_of_the_site_holds_personal_data_from_an_old_revision(
        built: tuple[Build, Repo]) -> None:
    build, _ = built
    for path in (*build.site.rglob("*"), *build.docs.rglob("*")):
        if path.is_file():
            assert b"13812345678" not in path.read_bytes(), path


def test_commit_subjects_and_changes_are_text_on_the_page() -> None:
    case = factory.case()
    hostile = Revision("a" * 40, dt.datetime(2024, 5, 6, 9, 0, tzinfo=BEIJING),
                       "<script>alert(1)</script> & \x07响铃", case.source_path,
                       ("议题 “<b>旧</b>” → “新”",), ("title",))
    histories = Histories(MappingProxyType({case.id: (hostile,)}), "b" * 40)
    options = Options(repo_url="javascript:alert(1)")
    tree = dict(render.render(factory.archive(cases=(case,)), options,
                              render.Extras(histories=histories)))
    text = tree[f"cases/{case.id}/index.md"].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 响铃" in text
    assert "议题 “&lt;b&gt;旧&lt;/b&gt;” → “新”" in text
    assert "\x07" not in text and "javascript:" not in text
    assert "<code>aaaaaaa</code>" in text


def test_many_cases_compared_in_processes_give_the_same_histories(repo: Repo) -> None:
    many = [f"2022-anjian-{number}" for number in range(450)]  # above PARALLEL_MIN_FILES
    for case_id in many:
        repo.write(f"cases/many/{case_id}.yml", CASE)
    repo.commit("新增 450 个案例")
    for case_id in many[::2]:
        edit(repo, "form: 现场协商", "form: 会议协商", case_id, "many")
    repo.commit("修改一半案例的协商形式")
    archive = load_archive(repo.dir, as_of=AS_OF)
    in_processes = history.read_histories(repo.dir, archive, jobs=2)
    here = history.read_histories(repo.dir, archive, jobs=1)
    assert in_processes == here
    assert [r.changes for r in here.of(many[0])] == [("协商形式 现场协商 → 会议协商",),
                                                   (FIRST_PUBLISHED,)]
    assert [r.changes for r in here.of(many[1])] == [(FIRST_PUBLISHED,)]


def test_a_rebuild_before_a_commit_reuses_the_histories(repo: Repo, tmp_path: Path) -> None:
    options = Options(as_of=AS_OF)
    first = build.build_docs(repo.dir, tmp_path / "docs", options)
    edit(repo, "satisfaction: {满意: 30,", "satisfaction: {满意: 28,")
    again = build.build_docs(repo.dir, tmp_path / "docs", options, previous=first.rendered)
    assert again.histories is first.histories
    repo.commit("更正人数")
    after = build.build_docs(repo.dir, tmp_path / "docs", options, previous=again.rendered)
    assert [r.changes for r in after.histories.of(CASE_ID)] == [
        ("群众评议“满意” 30 → 28",), (FIRST_PUBLISHED,)]
