"""``python -m generator new``: a case file with every field, never published half-filled."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
import yaml

from generator import cli
from generator.records import model
from generator.records.archive import load_archive
from generator.records.loader import load_file
from generator.records.new_case import NewCaseError, Request, create
from generator.records.schema import CASE, PLACEHOLDER, Field
from generator.records.validate import validate_case
from tests.conftest import AS_OF, ContentTree
from tests.conftest import CASE as SAMPLE_CASE

PAST = "2023-06-01"
FUTURE = "2024-03-01"  # after AS_OF (2024-01-01): an announced case
# What a careful editor writes over each placeholder, by key (block text: "文字").
FILL = {"form": "现场协商", "source": "群众反映", "categories": "[老旧小区, 养老]",
        "role": "群众代表", "count": "12", "date": "2023-06-01"}


def new(content: ContentTree, title: str = "社区食堂怎么办", platform: str = "street",
        date: str | None = PAST, **options: str) -> Path:
    request = Request(content.dir, platform, title, date, options.get("case_id"),
                      options.get("folder"))
    return create(request, AS_OF).path


def fill(text: str) -> str:
    """Replace every active placeholder the way an editor would; commented lines stay."""
    out = []
    for line in text.splitlines():
        if PLACEHOLDER not in line or line.lstrip().startswith("#"):
            out.append(line)
            continue
        match = re.fullmatch(r"(\s*(?:- )?)([^:\s]+): (.*)", line)
        if match is None:  # a line of block text
            out.append(line.replace(PLACEHOLDER, "居民反映的问题。"))
        else:
            indent, key, _ = match.groups()
            out.append(f"{indent}{key}: {FILL.get(key, '文字')}")
    return "\n".join(out) + "\n"


def problems_of(path: Path, as_of: dt.date = AS_OF) -> list[str]:
    result = validate_case(load_file(path, path.name), path.stem, as_of)
    return [p.as_text() for p in result.problems]


def schema_paths(spec: Field, prefix: str = "") -> list[str]:
    """Every field path of the schema, list elements as []."""
    paths = []
    for child in spec.fields:
        path = f"{prefix}{child.name}"
        paths.append(path)
        if child.kind == "object":
            paths += schema_paths(child, f"{path}.")
        elif child.kind == "list" and child.item is not None and child.item.kind == "object":
            paths += schema_paths(child.item, f"{path}[].")
    return paths


# ---------------------------------------------------------------------------
# The file.


def test_the_file_lands_in_the_platform_folder_with_a_pinyin_id(content: ContentTree) -> None:
    path = new(content)
    assert path == content.dir / "cases" / "street" / "2023-shequ-shitang-zenme-ban.yml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 协商案例：社区食堂怎么办\n")
    for line in ("title: 社区食堂怎么办", "platform: street", "date: 2023-06-01"):
        assert f"\n{line}\n" in text, line


def test_every_field_of_the_schema_is_in_the_file(content: ContentTree) -> None:
    text = new(content).read_text(encoding="utf-8")
    keys = set(re.findall(r"^[ #-]*([^\s#:-][^:\s]*):", text, flags=re.MULTILINE))
    expected = {path.rsplit(".", 1)[-1].removesuffix("[]") for path in schema_paths(CASE)
                if not path.startswith(("withdrawn", "former_ids"))}
    assert expected <= keys, expected - keys
    assert "withdrawn" not in keys and "former_ids" not in keys


def test_comments_come_from_the_schema(content: ContentTree) -> None:
    lines = new(content).read_text(encoding="utf-8").splitlines()
    comment_of = {}
    for before, line in itertools.pairwise(lines):
        match = re.match(r"\s*(?:#\s*)?(?:- )?(\w+):", line)
        if match and before.lstrip().startswith("#"):
            comment_of.setdefault(match.group(1), before.strip())
    assert comment_of["form"] == "# 协商形式（必填）：可选：" + "、".join(model.FORMS) + "。"
    assert "、".join(model.ROLES) in comment_of["role"]
    assert "、".join(model.ITEM_STATUSES) in comment_of["status"]
    assert "、".join(model.EVALUATORS) in comment_of["by"]
    assert comment_of["venue"] == "# 协商地点（选填）"
    assert comment_of["consensus"].startswith("# 协商结果（必填）")


def test_the_platform_method_is_named_above_the_steps(content: ContentTree) -> None:
    text = new(content).read_text(encoding="utf-8")
    method = "# 本平台的协商方法是“三步法”，步骤依次为：征集意见、协商议事、跟踪落实"
    assert f"{method}\n# steps:" in text


def test_as_written_only_unfilled_placeholders_are_reported(content: ContentTree) -> None:
    path = new(content)
    problems = problems_of(path)
    assert problems and all("尚未填写" in p for p in problems), problems
    text = path.read_text(encoding="utf-8")
    active = [n for n, line in enumerate(text.splitlines(), 1)
              if PLACEHOLDER in line and not line.lstrip().startswith("#")]
    # One problem per active placeholder; a block text's is reported at its key, one line up.
    reported = sorted(int(p.split(":")[1]) for p in problems)
    assert len(reported) == len(active) == 9
    form = text.splitlines().index("form: （待填写）") + 1
    assert problems[0] == (f"{path.name}:{form}:1: form: 尚未填写协商形式："
                           "请把“（待填写）”换成以下之一：" + "、".join(model.FORMS))


def test_a_half_filled_record_is_refused_by_check_and_build(content: ContentTree) -> None:
    path = new(content)
    text = fill(path.read_text(encoding="utf-8")).replace("owner: 文字", f"owner: {PLACEHOLDER}")
    path.write_text(text, encoding="utf-8")
    (problem,) = content.check()
    assert problem.endswith(
        "consensus.items[1].owner: 尚未填写责任单位：请把“（待填写）”换成实际内容")
    with pytest.raises(Exception, match="尚未填写责任单位"):
        load_archive(content.dir, as_of=AS_OF)


def test_once_filled_the_record_is_valid(content: ContentTree) -> None:
    path = new(content)
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert content.check() == []
    case = load_archive(content.dir, as_of=AS_OF).cases["2023-shequ-shitang-zenme-ban"]
    assert case.title == "社区食堂怎么办"
    assert case.topic.categories == ("老旧小区", "养老")
    assert case.consensus is not None and case.consensus.items[0].owner == "文字"


def test_uncommenting_an_optional_block_needs_it_filled(content: ContentTree) -> None:
    path = new(content)
    text = fill(path.read_text(encoding="utf-8"))
    lines = text.splitlines()
    start = lines.index("# notice:")
    for n in range(start, start + 5):
        lines[n] = lines[n].removeprefix("# ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = content.check()
    assert len(problems) == 2
    assert "notice.from: 尚未填写公示开始：请把“（待填写）”换成日期，格式 YYYY-MM-DD" in problems[0]
    assert "notice.to: 尚未填写公示结束" in problems[1]


def test_text_left_next_to_the_placeholder_is_still_unfilled(content: ContentTree) -> None:
    path = new(content)
    text = fill(path.read_text(encoding="utf-8")).replace(
        "summary: |\n    居民反映的问题。", f"summary: |\n    先修后算{PLACEHOLDER}")
    path.write_text(text, encoding="utf-8")
    (problem,) = content.check()
    assert "consensus.summary: 尚未填写共识概要" in problem


# ---------------------------------------------------------------------------
# Dates and announced cases.


def test_a_future_date_writes_an_announced_case(content: ContentTree) -> None:
    path = new(content, date=FUTURE)
    assert path.name == "2024-shequ-shitang-zenme-ban.yml"
    text = path.read_text(encoding="utf-8")
    for absent in ("consensus", "follow_up", "evaluation"):
        assert not re.search(rf"^[# ]*{absent}:", text, flags=re.MULTILINE), absent
    assert "这是协商预告（协商日期 2024-03-01 还没到）" in text
    path.write_text(fill(text), encoding="utf-8")
    assert content.check() == []
    view = load_archive(content.dir, as_of=AS_OF).view("2024-shequ-shitang-zenme-ban")
    assert view.status == model.ANNOUNCED


def test_without_a_date_the_date_is_to_be_filled_and_the_year_is_this_year(
        content: ContentTree) -> None:
    path = new(content, date=None)
    assert path.name == f"{AS_OF.year}-shequ-shitang-zenme-ban.yml"
    assert "\ndate: （待填写）\n" in path.read_text(encoding="utf-8")
    assert any(p.endswith("date: 尚未填写协商日期：请把“（待填写）”换成日期，格式 YYYY-MM-DD")
               for p in problems_of(path))


@pytest.mark.parametrize(("date", "message"), [
    ("2023/6/1", "日期（--date）应为 YYYY-MM-DD 格式，例如 2026-03-18；实际为 “2023/6/1”"),
    ("2023-02-30", "日期（--date）“2023-02-30”不存在"),
])
def test_a_wrong_date_is_refused(content: ContentTree, date: str, message: str) -> None:
    with pytest.raises(NewCaseError, match=re.escape(message)):
        new(content, date=date)


# ---------------------------------------------------------------------------
# Ids, folders, platforms.


def test_the_id_can_be_given_and_is_checked(content: ContentTree) -> None:
    assert new(content, case_id="2023-shitang").name == "2023-shitang.yml"
    with pytest.raises(NewCaseError, match=r"“2023_Shitang”无效：.*是否应为“2023-shitang”"):
        new(content, case_id="2023_Shitang")


def test_an_id_used_in_another_folder_is_refused(content: ContentTree) -> None:
    existing = content.write("cases/other/2023-shitang.yml", SAMPLE_CASE)
    with pytest.raises(NewCaseError) as caught:
        new(content, case_id="2023-shitang")
    assert str(caught.value) == (
        "编号“2023-shitang”已被 content/cases/other/2023-shitang.yml 使用：案例编号在 "
        "content/cases/ 的所有子文件夹中必须唯一。请用 --id 另选一个编号，例如 --id 2023-shitang-2")
    assert existing.read_text(encoding="utf-8") == SAMPLE_CASE  # untouched


def test_a_file_is_never_overwritten(content: ContentTree) -> None:
    path = new(content, case_id="2023-shitang")
    path.write_text("已经写了一半\n", encoding="utf-8")
    with pytest.raises(NewCaseError, match=r"已被 content/cases/street/2023-shitang\.yml 使用"):
        new(content, case_id="2023-shitang")
    assert path.read_text(encoding="utf-8") == "已经写了一半\n"


def test_a_former_id_is_not_reused(content: ContentTree) -> None:
    content.write("cases/2022-new.yml", SAMPLE_CASE + "former_ids: [2023-shitang]\n")
    with pytest.raises(NewCaseError, match="编号“2023-shitang”是 content/cases/2022-new.yml 的"
                                           r"曾用编号（former_ids），旧网址 /cases/2023-shitang/"):
        new(content, case_id="2023-shitang")


def test_a_title_without_anything_to_spell_needs_an_id(content: ContentTree) -> None:
    with pytest.raises(NewCaseError, match="无法从议题“！！”生成编号：请用 --id 指定"):
        new(content, title="！！")


@pytest.mark.parametrize(("title", "message"), [
    ("  ", "议题（--title）不能为空"),
    ("甲" * 61, "议题（--title）最多 60 个字符，实际为 61 个"),
    ("两行\n议题", "议题（--title）只能有一行"),
])
def test_a_wrong_title_is_refused(content: ContentTree, title: str, message: str) -> None:
    with pytest.raises(NewCaseError, match=re.escape(message)):
        new(content, title=title, case_id="2023-x")


@pytest.mark.parametrize("title", [
    "居民说：“停车难”", "#3 楼漏水", "- 列表开头", "'引号'", "[方括号]", "2024", "a: b # c",
    "&锚点", "!标签", "yes",
])
def test_any_title_is_written_so_that_it_reads_back(content: ContentTree, title: str) -> None:
    path = new(content, title=title, case_id="2023-x")
    text = path.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    assert yaml.safe_load(title_line) == {"title": title}
    assert not [p for p in problems_of(path) if "title" in p]


def test_the_default_folder_is_the_nearest_platform_up_with_a_folder(
        content: ContentTree) -> None:
    (content.dir / "cases" / "district").mkdir(parents=True)
    assert new(content).parent.name == "district"  # street's parent
    assert new(content, folder="a/b", case_id="2023-y").parent == content.dir / "cases" / "a" / "b"


@pytest.mark.parametrize("folder", ["../x", "/abs", ".hidden", "a/../../b"])
def test_a_folder_outside_content_cases_is_refused(content: ContentTree, folder: str) -> None:
    with pytest.raises(NewCaseError, match=r"子文件夹（--folder）.*无效"):
        new(content, folder=folder)


def test_an_unknown_platform_gets_a_did_you_mean(content: ContentTree) -> None:
    with pytest.raises(NewCaseError) as caught:
        new(content, platform="stret")
    assert str(caught.value) == ("平台“stret”不存在：content/platforms/ 下没有 stret.yml，"
                                 "是否应为“street”？")
    with pytest.raises(NewCaseError, match=r"。现有平台：city、district、street$"):
        new(content, platform="nowhere")


def test_a_platform_name_points_to_its_id(content: ContentTree) -> None:
    with pytest.raises(NewCaseError, match="“街道议事厅”是平台 street 的名称；--platform"):
        new(content, platform="街道议事厅")


# ---------------------------------------------------------------------------
# The command.


def test_the_command_prints_the_path_and_next_steps(
        content: ContentTree, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(content.dir.parent)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")  # 2024-01-01
    assert cli.main(["new", "--platform", "street", "--title", "社区食堂",
                     "--date", "2023-06-01"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == [
        "已新建案例文件：content/cases/street/2023-shequ-shitang.yml",
        "案例编号：2023-shequ-shitang（网址 /cases/2023-shequ-shitang/，发布后不能更改）",
        "下一步：",
    ]
    assert "把 9 处“（待填写）”换成实际内容" in out
    assert "python -m generator check content/cases/street/2023-shequ-shitang.yml" in out
    assert (content.dir / "cases/street/2023-shequ-shitang.yml").is_file()


def test_the_command_refuses_with_exit_code_1(
        content: ContentTree, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(content.dir.parent)
    assert cli.main(["new", "--platform", "stret", "--title", "社区食堂"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("未新建案例：平台“stret”不存在：content/platforms/ 下没有 stret.yml，"
                            "是否应为“street”？\n")
