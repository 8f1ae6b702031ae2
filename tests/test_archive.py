"""Loading a whole content folder: rules between files, file names, the as-of day."""

import datetime as dt
import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from generator.records import archive, model
from generator.records.archive import as_of_day, check_paths, load_archive
from generator.records.problems import RecordError
from tests.conftest import AS_OF, CASE, PLATFORMS, ContentTree

SAMPLE = "content/cases/2022-sample.yml"


def at(text: str, needle: str) -> str:
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{column}"


def test_the_sample_archive_loads(content: ContentTree) -> None:
    loaded = load_archive(content.dir, as_of=AS_OF)
    assert sorted(loaded.platforms) == ["city", "district", "street"]
    assert list(loaded.cases) == ["2022-sample"]
    assert loaded.as_of == AS_OF
    assert loaded.method_of("street") == model.Method(
        "三步法", ("征集意见", "协商议事", "跟踪落实"))
    assert content.check() == []


def test_load_archive_raises_every_problem_sorted(content: ContentTree) -> None:
    content.write("cases/b/2022-b.yml", CASE.replace("form: 现场协商", "form: 座谈会"))
    content.write("cases/a/2022-a.yml", CASE.replace("title: 机电小区地下室漏水\n", ""))
    with pytest.raises(RecordError) as caught:
        load_archive(content.dir, as_of=AS_OF)
    assert [p.as_text() for p in caught.value.problems] == [
        "content/cases/a/2022-a.yml:1:1: title: 缺少必填字段“title”（议题）",
        "content/cases/b/2022-b.yml:4:1: form: 应为以下之一："
        '会议协商、现场协商、书面协商、网络协商、其他；实际为 "座谈会"',
    ]


# File names and places.


def test_a_file_name_that_is_not_an_id_gets_a_pinyin_suggestion(content: ContentTree) -> None:
    content.write("cases/社区食堂.yml", CASE)
    assert content.check() == [
        "content/cases/社区食堂.yml:1:1: 文件名“社区食堂.yml”不是有效的编号："
        "只能用小写英文字母、数字和单个连字符（-），不能以连字符开头或结尾，最长 80 个字符；"
        "建议改为“shequ-shitang.yml”",
    ]


def test_a_platform_file_name_in_capitals(content: ContentTree) -> None:
    content.write("platforms/Yingze_Street.yml", PLATFORMS["street"])
    assert content.check() == [
        "content/platforms/Yingze_Street.yml:1:1: 文件名“Yingze_Street.yml”不是有效的编号：只能用"
        "小写英文字母、数字和单个连字符（-），不能以连字符开头或结尾，最长 80 个字符；"
        "建议改为“yingze-street.yml”",
    ]


def test_case_ids_are_unique_across_sub_folders(content: ContentTree) -> None:
    content.write("cases/yingze/2022-sample.yml", CASE)
    message = ("也用了这个文件名；案例编号在 content/cases/ 的所有子文件夹中必须唯一，"
               "请给其中一个改名")
    assert content.check() == [
        f"{SAMPLE}:1:1: 案例编号“2022-sample”重复：content/cases/yingze/2022-sample.yml {message}",
        f"content/cases/yingze/2022-sample.yml:1:1: 案例编号“2022-sample”重复：{SAMPLE} {message}",
    ]


def test_a_duplicate_is_named_when_only_one_file_is_checked(content: ContentTree) -> None:
    other = content.write("cases/yingze/2022-sample.yml", CASE)
    assert content.check(other) == [
        "content/cases/yingze/2022-sample.yml:1:1: 案例编号“2022-sample”重复："
        f"{SAMPLE} 也用了这个文件名；案例编号在 content/cases/ 的所有子文件夹中必须唯一，"
        "请给其中一个改名",
    ]


@pytest.mark.parametrize("name", ["2022-x.yaml", "2022-x.YML"])
def test_a_record_with_another_suffix_must_be_renamed(content: ContentTree, name: str) -> None:
    content.write(f"cases/{name}", CASE)
    assert content.check() == [
        f"content/cases/{name}:1:1: 记录文件的扩展名应为 .yml：请把文件改名为“2022-x.yml”",
    ]


def test_other_files_do_not_belong_among_records(content: ContentTree) -> None:
    content.write("cases/说明.md", "# 说明\n")
    content.write("platforms/notes/x.yml", PLATFORMS["street"])
    assert content.check() == [
        "content/cases/说明.md:1:1: content/cases/ 下只能放 .yml 记录文件："
        "请把它改为 .yml 记录，或移出这个文件夹",
        "content/platforms/notes/x.yml:1:1: "
        "平台文件应直接放在 content/platforms/ 下，不能放在子文件夹中",
    ]


def test_hidden_files_are_ignored(content: ContentTree) -> None:
    content.write("cases/.gitkeep", "")
    content.write("cases/.drafts/x.txt", "draft")
    content.write("platforms/.DS_Store", b"\x00\x01")
    assert content.check() == []


# References between files.


def test_a_missing_platform_gets_a_hint(content: ContentTree) -> None:
    text = CASE.replace("platform: street", "platform: stret")
    content.write("cases/2022-sample.yml", text)
    assert content.check() == [
        f"{SAMPLE}:{at(text, 'platform')}: platform: 平台“stret”不存在：content/platforms/ 下没有 "
        "stret.yml，是否应为“street”？",
    ]


def test_a_missing_parent(content: ContentTree) -> None:
    text = PLATFORMS["district"].replace("parent: city", "parent: cty")
    content.write("platforms/district.yml", text)
    assert content.check() == [
        f"content/platforms/district.yml:{at(text, 'parent')}: parent: 上级平台“cty”不存在："
        "content/platforms/ 下没有 cty.yml，是否应为“city”？",
    ]


def test_a_parent_cycle_is_reported_at_each_member(content: ContentTree) -> None:
    city = PLATFORMS["city"] + "parent: street\n"
    content.write("platforms/city.yml", city)
    cycle = "平台的上下级关系必须是一棵树"
    assert content.check() == [
        f"content/platforms/city.yml:{at(city, 'parent')}: parent: 上级平台形成了循环："
        f"city → street → district → city；{cycle}",
        f"content/platforms/district.yml:3:1: parent: 上级平台形成了循环："
        f"district → city → street → district；{cycle}",
        f"content/platforms/street.yml:3:1: parent: 上级平台形成了循环："
        f"street → district → city → street；{cycle}",
    ]


def test_a_platform_that_is_its_own_parent(content: ContentTree) -> None:
    content.write("platforms/city.yml", PLATFORMS["city"] + "parent: city\n")
    assert content.check() == [
        "content/platforms/city.yml:9:1: parent: "
        "上级平台形成了循环：city → city；平台的上下级关系必须是一棵树",
    ]


def test_a_child_level_must_be_below_its_parent(content: ContentTree) -> None:
    text = PLATFORMS["district"].replace("level: 县区", "level: 市")
    content.write("platforms/district.yml", text)
    assert content.check() == [
        "content/platforms/district.yml:2:1: level: 层级“市”不低于上级平台“city”的层级“市”："
        "下级平台的层级应低于上级（省 > 市 > 县区 > 乡镇街道 > 村社区）",
    ]


def test_levels_may_skip_a_tier(content: ContentTree) -> None:
    content.write("platforms/village.yml",
                  "name: 议事点\nlevel: 村社区\nparent: district\nregion: 某村\nhost: 村委会\n")
    assert content.check() == []


# Steps against the platform's inherited method.


def test_a_step_that_is_not_in_the_method(content: ContentTree) -> None:
    text = CASE.replace("step: 协商议事", "step: 协商会")
    content.write("cases/2022-sample.yml", text)
    assert content.check() == [
        f"{SAMPLE}:{at(text, 'step: 协商会')}: steps[2].step: “协商会”不是“三步法”的步骤："
        "应为以下之一：征集意见、协商议事、跟踪落实，是否应为“协商议事”？",
    ]


def test_steps_out_of_the_method_order(content: ContentTree) -> None:
    text = CASE.replace("step: 征集意见", "step: 跟踪落实")
    content.write("cases/2022-sample.yml", text)
    assert content.check() == [
        f"{SAMPLE}:{at(text, 'step: 协商议事')}: steps[2].step: 步骤顺序与“三步法”不一致："
        "“协商议事”应排在“跟踪落实”之前",
    ]


def test_a_step_may_repeat_and_steps_may_be_skipped(content: ContentTree) -> None:
    text = CASE.replace("step: 征集意见", "step: 协商议事")
    content.write("cases/2022-sample.yml", text)
    assert content.check() == []


def test_the_nearest_method_wins(content: ContentTree) -> None:
    street = PLATFORMS["street"] + "method:\n  name: 两步法\n  steps: [议, 办]\n"
    content.write("platforms/street.yml", street)
    text = CASE.replace("step: 征集意见", "step: 议").replace("step: 协商议事", "step: 办")
    content.write("cases/2022-sample.yml", text)
    assert content.check() == []


def test_steps_need_a_method_somewhere_up_the_tree(content: ContentTree) -> None:
    content.write("platforms/city.yml", PLATFORMS["city"].split("method:")[0] + "contact: 1\n")
    assert content.check() == [
        f"{SAMPLE}:{at(CASE, 'step: 征集意见')}: steps[1].step: 平台“street”及其上级平台都没有填写"
        "协商方法（method），无法核对步骤：请先在平台文件中填写 method，或删去 steps",
    ]


def test_a_broken_platform_does_not_cascade_into_its_cases(content: ContentTree) -> None:
    content.write("platforms/district.yml", "name: [\n")
    problems = content.check()
    assert len(problems) == 1 and problems[0].startswith("content/platforms/district.yml:")


# Choosing what to check.


def test_a_single_case_file_is_checked_against_all_platforms(content: ContentTree) -> None:
    bad = content.write("cases/2022-bad.yml", CASE.replace("platform: street", "platform: nowhere"))
    content.write("platforms/broken.yml", "name: [\n")
    files, problems = check_paths([bad], content.dir, AS_OF)
    assert files == 1
    assert [p.file for p in problems] == ["content/cases/2022-bad.yml"]


def test_folders_and_files_may_be_mixed(content: ContentTree) -> None:
    content.write("cases/yingze/2022-a.yml", CASE)
    content.write("cases/yingze/2022-b.yml", CASE)
    files, problems = check_paths(
        [content.dir / "cases" / "yingze", content.dir / "platforms" / "city.yml"],
        content.dir, AS_OF)
    assert (files, problems) == (3, [])
    files, _ = check_paths([content.dir], content.dir, AS_OF)
    assert files == 6


def test_a_path_that_does_not_exist(content: ContentTree) -> None:
    files, problems = check_paths([content.dir / "cases" / "nope.yml"], content.dir, AS_OF)
    assert files == 0
    assert [p.as_text() for p in problems] == ["content/cases/nope.yml:1:1: 文件或文件夹不存在"]


def test_a_file_outside_the_content_folder(content: ContentTree, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "cases" / "2022-other.yml"
    outside.parent.mkdir(parents=True)
    outside.write_text(CASE.replace("form: 现场协商", "form: 会"), encoding="utf-8")
    stray = tmp_path / "notes.yml"
    stray.write_text("a: b\n", encoding="utf-8")
    files, problems = check_paths([outside, stray], content.dir, AS_OF)
    assert files == 2
    assert [p.as_text().split(": ")[0] for p in problems] == [
        "elsewhere/cases/2022-other.yml:4:1", "notes.yml:1:1",
    ]
    assert problems[1].message == "不是记录文件：记录应放在 content/platforms/ 或 content/cases/ 下"


def test_an_internal_error_becomes_a_problem(content: ContentTree,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(archive, "validate_case", explode)
    assert content.check() == [
        f"{SAMPLE}:1:1: 内部错误：KeyError: 'boom'。"
        "这是生成器的缺陷，不是记录的问题，请报告给维护者",
    ]


def test_worker_processes_give_the_same_answer(content: ContentTree,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(30):
        text = CASE if number % 3 else CASE.replace("form: 现场协商", "form: 座谈会")
        content.write(f"cases/d{number % 4}/2022-case-{number:02d}.yml", text)
    sequential = check_paths([content.dir], content.dir, AS_OF, jobs=1)
    monkeypatch.setattr(archive, "PARALLEL_MIN_FILES", 2)
    parallel = check_paths([content.dir], content.dir, AS_OF, jobs=2)
    assert parallel == sequential and len(sequential[1]) == 10


def test_worker_processes_build_the_archive(content: ContentTree,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(12):
        content.write(f"cases/2022-case-{number:02d}.yml", CASE)
    monkeypatch.setattr(archive, "PARALLEL_MIN_FILES", 2)
    loaded = load_archive(content.dir, AS_OF, jobs=2)
    assert len(loaded.cases) == 13
    in_process = load_archive(content.dir, AS_OF, jobs=1)
    assert loaded.cases["2022-case-07"] == in_process.cases["2022-case-07"]


# The as-of day.


def test_source_date_epoch_sets_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1656633599")  # 2022-06-30 23:59:59 UTC
    assert as_of_day() == dt.date(2022, 6, 30)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH 应为秒数"):
        as_of_day()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert as_of_day() == dt.datetime.now(dt.UTC).date()


def epoch(year: int, month: int, day: int) -> str:
    return str(int(dt.datetime(year, month, day, tzinfo=dt.UTC).timestamp()))


def test_the_archive_is_judged_on_the_source_date_epoch_day(
        content: ContentTree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(2022, 5, 1))
    loaded = load_archive(content.dir)
    assert loaded.as_of == dt.date(2022, 5, 1)
    assert loaded.view("2022-sample").status == model.IN_PROGRESS
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(2022, 6, 3))
    progress = load_archive(content.dir).view("2022-sample").progress
    assert [p.days_overdue for p in progress] == [3, 0]


def test_display_paths_do_not_depend_on_the_working_directory(
        content: ContentTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    content.write("cases/2022-sample.yml", CASE.replace("form: 现场协商", "form: 会"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    relative = Path(os.path.relpath(content.dir))
    _, problems = check_paths([relative], relative)
    assert [p.file for p in problems] == [SAMPLE]


@pytest.mark.parametrize("name", [
    "2022-x.yml", "a.b.yml", "x.YAML", "x.", "noext", ".hidden", "..yml", "x.tar.gz",
])
def test_text_paths_split_file_names_as_pathlib_does(name: str) -> None:
    path = os.path.join("content", "cases", name)
    assert archive._stem_and_suffix(path) == (Path(path).stem, Path(path).suffix)


# Worker processes.

def _in_a_worker() -> bool:
    """True in a worker process, forked, spawned or from a fork server (which imports this
    module afresh, so a process id kept in a global would be the worker's own)."""
    return multiprocessing.parent_process() is not None


def _fails_in_a_worker(item: int) -> int:
    if _in_a_worker():
        raise ValueError(f"item {item}")
    return item


def _dies_in_a_worker(item: int) -> int:
    if _in_a_worker():
        os._exit(1)
    return item * 2


def test_an_error_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not swallowed and run again here, which would hide a defect behind the double cost."""
    monkeypatch.setattr(archive, "PARALLEL_MIN_FILES", 2)
    with pytest.raises(ValueError, match="item"):
        archive.map_in_processes(_fails_in_a_worker, list(range(8)), 2)


def test_a_pool_whose_workers_die_falls_back_to_this_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "PARALLEL_MIN_FILES", 2)
    assert archive.map_in_processes(_dies_in_a_worker, list(range(8)), 2) == [
        0, 2, 4, 6, 8, 10, 12, 14]


def test_a_function_a_fork_server_cannot_be_sent_runs_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With another thread running (``mkdocs serve``) workers come from a fork server,
    which must be sent the function: a closure cannot be."""
    monkeypatch.setattr(archive, "PARALLEL_MIN_FILES", 2)
    offset = 3
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert archive.map_in_processes(lambda item: item + offset, [1, 2, 3], 2) == [4, 5, 6]
    finally:
        stop.set()
        thread.join()
