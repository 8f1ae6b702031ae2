"""``python -m generator check`` and ``schema``: output, exit codes, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import CASE, ContentTree

SAMPLE = "content/cases/2022-sample.yml"
BAD_FORM = CASE.replace("form: 现场协商", "form: 座谈会")
FORM_MESSAGE = '应为以下之一：会议协商、现场协商、书面协商、网络协商、其他；实际为 "座谈会"'


@pytest.fixture
def in_repo(content: ContentTree, monkeypatch: pytest.MonkeyPatch) -> ContentTree:
    """Run from the temporary repository, as editors run `make check` from theirs."""
    monkeypatch.chdir(content.dir.parent)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")  # 2024-01-01
    return content


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    """Exit code and output lines; warnings (e.g. no git history in a temporary folder)
    are not problems and are left out."""
    code = main(list(args))
    lines = capsys.readouterr().out.splitlines()
    return code, [line for line in lines if not line.startswith(("::warning", "警告"))]


def test_a_clean_archive(in_repo: ContentTree, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check") == (0, ["检查 4 个文件，发现 0 个错误"])


def test_problems_then_the_summary(in_repo: ContentTree,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    in_repo.write("cases/2022-sample.yml", BAD_FORM)
    in_repo.write("cases/a/2022-b.yml", BAD_FORM.replace("title: 机电小区地下室漏水\n", ""))
    code, lines = run(capsys, "check")
    assert code == 1
    assert lines == [
        "content/cases/2022-sample.yml:4:1: form: " + FORM_MESSAGE,
        "content/cases/a/2022-b.yml:1:1: title: 缺少必填字段“title”（议题）",
        "content/cases/a/2022-b.yml:3:1: form: " + FORM_MESSAGE,
        "检查 5 个文件，发现 3 个错误",
    ]


def test_github_annotations(in_repo: ContentTree, capsys: pytest.CaptureFixture[str]) -> None:
    in_repo.write("cases/2022-sample.yml", BAD_FORM)
    code, lines = run(capsys, "check", "--format", "github")
    assert code == 1
    assert lines == [
        f"::error file={SAMPLE},line=4,col=1,title=记录格式错误::form: {FORM_MESSAGE}",
        "检查 4 个文件，发现 1 个错误",
    ]


def test_only_the_named_paths(in_repo: ContentTree, capsys: pytest.CaptureFixture[str]) -> None:
    in_repo.write("cases/a/2022-b.yml", BAD_FORM)
    assert run(capsys, "check", SAMPLE) == (0, ["检查 1 个文件，发现 0 个错误"])
    code, lines = run(capsys, "check", "content/cases/a", "content/platforms/city.yml")
    assert (code, lines[-1]) == (1, "检查 2 个文件，发现 1 个错误")


def test_a_path_that_does_not_exist(in_repo: ContentTree,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "content/cases/nope.yml") == (1, [
        "content/cases/nope.yml:1:1: 文件或文件夹不存在",
        "检查 0 个文件，发现 1 个错误",
    ])


def test_a_bad_source_date_epoch_is_reported_not_raised(
        in_repo: ContentTree, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, lines = run(capsys, "check")
    assert code == 1
    assert lines[0] == (
        "content:1:1: 内部错误：ValueError: "
        "环境变量 SOURCE_DATE_EPOCH 应为秒数（整数），实际为 'yesterday'。请报告给维护者"
    )


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", "--format", "xml"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit):
        main([])


def test_schema_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "schema", "--out", str(tmp_path / "out"))
    assert code == 0
    assert lines == [(tmp_path / "out" / name).as_posix()
                     for name in ("platform.schema.json", "case.schema.json")]
    case_schema = json.loads((tmp_path / "out" / "case.schema.json").read_text(encoding="utf-8"))
    assert case_schema["title"] == "协商案例"


GARBAGE = {
    "binary.yml": bytes(range(256)) * 4,
    "gbk.yml": "title: 社区食堂\n".encode("gbk"),
    "deep.yml": b"[" * 5000 + b"]" * 5000,
    "keys.yml": b"? [a, b]\n: c\n",
    "tagged.yml": b"!!python/object/apply:os.system [\"touch /tmp/pwned\"]\n",
    "scalar.yml": b"just text\n",
    "list.yml": b"- a\n- b\n",
    "nulls.yml": b"title:\nplatform:\ndate:\ntopic:\nparticipants:\n",
    "wrong-shapes.yml": b"title: [a]\ntopic: x\nparticipants: [1]\nsteps: {a: b}\n"
                        b"consensus: []\nfollow_up: x\nevaluation: [[1]]\n",
    "huge.yml": b"title: " + b"x" * (300 * 1024),
}


def test_no_input_produces_a_traceback(content: ContentTree) -> None:
    for name, data in GARBAGE.items():
        content.write(f"cases/{name}", data)
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C", "SOURCE_DATE_EPOCH": "0"}
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", str(content.dir)],
        capture_output=True, env=env, cwd=content.dir.parent, timeout=120, check=False,
    )
    out = completed.stdout.decode("utf-8")
    assert completed.returncode == 1, completed.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in completed.stderr
    assert "Traceback" not in out and "内部错误" not in out
    assert out.splitlines()[-1].startswith(f"检查 {len(GARBAGE) + 4} 个文件，发现 ")
    assert not Path("/tmp/pwned").exists()
    for name in GARBAGE:
        assert f"content/cases/{name}:" in out
