"""The synthetic archives of bench/: deterministic, well-formed, valid, realistic."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bench import synth
from bench.emit import YamlLines, scalar
from bench.tree import LEVEL_COUNTS, LEVELS
from generator.records.loader import load_file

ROOT = Path(__file__).resolve().parent.parent
CASES = 200
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CASE_ID = re.compile(r"^(\d{4})-[a-z0-9]+(-[a-z0-9]+)*-(\d+)$")
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> synth.Summary:
    return synth.write_archive(tmp_path_factory.mktemp("synth"), CASES, seed=1)


@pytest.fixture(scope="module")
def records(archive: synth.Summary) -> dict[str, tuple[Path, dict]]:
    """Every file by id (platform ids prefixed `platform:`), as PyYAML reads it."""
    out = {}
    for path in sorted(archive.content_dir.rglob("*.yml")):
        kind = "platform:" if path.parent.name == "platforms" else ""
        out[kind + path.stem] = (path, yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def _files(content: Path) -> dict[str, bytes]:
    return {p.relative_to(content).as_posix(): p.read_bytes()
            for p in sorted(content.rglob("*")) if p.is_file()}


def _cases(records: dict[str, tuple[Path, dict]]) -> dict[str, dict]:
    return {k: data for k, (_, data) in records.items() if not k.startswith("platform:")}


def _platforms(records: dict[str, tuple[Path, dict]]) -> dict[str, dict]:
    return {k.removeprefix("platform:"): data
            for k, (_, data) in records.items() if k.startswith("platform:")}


# ------------------------------------------------------------ determinism


def test_same_seed_and_size_give_identical_bytes(archive: synth.Summary, tmp_path: Path) -> None:
    again = synth.write_archive(tmp_path, CASES, seed=1)
    assert _files(again.content_dir) == _files(archive.content_dir)
    assert again == synth.Summary(**{**archive.__dict__, "content_dir": again.content_dir})


def test_another_seed_gives_another_archive(archive: synth.Summary, tmp_path: Path) -> None:
    other = synth.write_archive(tmp_path, CASES, seed=2)
    assert _files(other.content_dir) != _files(archive.content_dir)


def test_a_smaller_archive_is_the_start_of_a_larger_one(
    archive: synth.Summary, tmp_path: Path
) -> None:
    larger = _files(synth.write_archive(tmp_path, CASES + 50, seed=1).content_dir)
    smaller = _files(archive.content_dir)
    assert {name: larger[name] for name in smaller} == smaller
    assert len(larger) == len(smaller) + 50


def test_writing_again_replaces_the_earlier_archive(tmp_path: Path) -> None:
    synth.write_archive(tmp_path, 30)
    summary = synth.write_archive(tmp_path, 10)
    assert len(list((summary.content_dir / "cases").rglob("*.yml"))) == 10


# ------------------------------------------------------------------- shape


def test_every_file_loads_with_the_project_loader(archive: synth.Summary) -> None:
    paths = sorted(archive.content_dir.rglob("*.yml"))
    assert len(paths) == archive.files - len(synth.PAGES)
    for path in paths:
        load_file(path, path.as_posix())  # raises RecordError on any problem


def test_ids_are_valid_and_unique(records: dict[str, tuple[Path, dict]]) -> None:
    case_ids = list(_cases(records))
    assert len(case_ids) == CASES == len(set(case_ids))
    for record_id in [*case_ids, *_platforms(records)]:
        assert ID.match(record_id) and len(record_id) <= 80, record_id
    for case_id, data in _cases(records).items():
        year, number = CASE_ID.match(case_id).group(1, 3)  # type: ignore[union-attr]
        assert int(year) == data["date"].year
        assert 1 <= int(number) <= CASES


def test_the_platform_tree_has_a_province_shape(
    archive: synth.Summary, records: dict[str, tuple[Path, dict]]
) -> None:
    platforms = _platforms(records)
    assert Counter(p["level"] for p in platforms.values()) == LEVEL_COUNTS
    assert archive.platforms == LEVEL_COUNTS
    assert sum(LEVEL_COUNTS.values()) == 2_200
    roots = [pid for pid, p in platforms.items() if "parent" not in p]
    assert len(roots) == 1 and platforms[roots[0]]["level"] == "省"
    for pid, platform in platforms.items():
        if "parent" in platform:
            parent = platforms[platform["parent"]]
            assert LEVELS.index(platform["level"]) == LEVELS.index(parent["level"]) + 1, pid


def test_methods_are_set_above_and_inherited_below(
    records: dict[str, tuple[Path, dict]]
) -> None:
    platforms = _platforms(records)
    own = Counter(p["level"] for p in platforms.values() if "method" in p)
    assert own["省"] == 1 and own["市"] >= 1 and own["村社区"] == 0
    for case_id, case in _cases(records).items():
        steps = [step["step"] for step in case.get("steps", [])]
        method = _method(platforms, case["platform"])
        positions = [method.index(step) for step in steps]
        assert positions == sorted(set(positions)), case_id


def _method(platforms: dict[str, dict], platform_id: str | None) -> list[str]:
    while platform_id is not None:
        platform = platforms[platform_id]
        if "method" in platform:
            return platform["method"]["steps"]
        platform_id = platform.get("parent")
    raise AssertionError("no method up the tree")


def test_cases_have_the_planned_mix(
    archive: synth.Summary, records: dict[str, tuple[Path, dict]]
) -> None:
    cases = _cases(records).values()
    announced = [c for c in cases if c["date"] > synth.AS_OF]
    assert len(announced) == archive.kinds["announced"] == CASES // 100
    for case in announced:
        assert not {"consensus", "follow_up", "evaluation"} & case.keys()
    no_consensus = [c for c in cases if "consensus" in c and not c["consensus"]["reached"]]
    assert len(no_consensus) == archive.kinds["no_consensus"] == CASES * 3 // 100
    assert sum("withdrawn" in c for c in cases) == archive.kinds["withdrawn"] == CASES // 200
    years = Counter(c["date"].year for c in cases)
    assert min(years) == 2019 and 2026 in years


def test_busy_and_quiet_platforms(records: dict[str, tuple[Path, dict]]) -> None:
    per_platform = Counter(c["platform"] for c in _cases(records).values())
    assert max(per_platform.values()) >= 3
    assert len(per_platform) < CASES  # some platforms had several cases, most had none


def test_texts_have_realistic_lengths(records: dict[str, tuple[Path, dict]]) -> None:
    for case_id, case in _cases(records).items():
        assert 10 <= len(case["title"]) <= 30, case_id
        assert 150 <= _chars(case["topic"]["background"]) <= 500, case_id
        assert 1 <= len(case["topic"]["categories"]) <= 4, case_id
        for step in case.get("steps", []):
            assert "note" not in step or 20 <= len(step["note"]) <= 80, case_id
        consensus = case.get("consensus")
        if consensus:
            assert 80 <= _chars(consensus["summary"]) <= 300, case_id
            assert len(consensus.get("items", [])) <= 8, case_id


def _chars(text: str) -> int:
    return len(text.replace("\n", ""))


def test_consensus_follow_up_and_evaluation_are_consistent(
    records: dict[str, tuple[Path, dict]]
) -> None:
    overdue = 0
    for case_id, case in _cases(records).items():
        items = case.get("consensus", {}).get("items", [])
        if case.get("consensus", {}).get("reached"):
            assert 1 <= len(items) <= 8, case_id
        for item in items:
            assert item["owner"] and ("due" not in item or item["due"] >= case["date"]), case_id
        follow_up = case.get("follow_up", [])
        assert [f["date"] for f in follow_up] == sorted(f["date"] for f in follow_up), case_id
        latest = {}
        for entry in follow_up:
            assert case["date"] <= entry["date"] <= synth.AS_OF, case_id
            if "item" in entry:
                assert 1 <= entry["item"] <= len(items), case_id
                latest[entry["item"]] = entry["status"]
        for entry in case.get("evaluation", []):
            assert entry["date"] >= case["date"], case_id
        overdue += sum(
            1 for number, item in enumerate(items, start=1)
            if "due" in item and item["due"] < synth.AS_OF
            and latest.get(number, "未启动") not in ("已完成", "无法落实")
        )
    assert overdue > 0


def test_no_personal_data(archive: synth.Summary) -> None:
    for path in (archive.content_dir / "cases").rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert not MOBILE.search(text), path
        assert not RESIDENT_ID.search(text), path
        assert not EMAIL.search(text), path


# ------------------------------------------------------ the check command


def test_a_small_archive_passes_check(archive: synth.Summary) -> None:
    """`python -m generator check --content DIR` (the check's interface) finds nothing."""
    if importlib.util.find_spec("generator.cli") is None:
        pytest.skip("python -m generator check does not exist yet")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", str(archive.content_dir)],
        cwd=ROOT, env=synth.source_date_env(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"检查 {archive.files - len(synth.PAGES)} 个文件，发现 0 个错误" in result.stdout


def test_the_as_of_day_is_fixed_by_source_date_epoch() -> None:
    epoch = int(synth.source_date_env({})["SOURCE_DATE_EPOCH"])
    assert dt.datetime.fromtimestamp(epoch, dt.UTC).date() == synth.AS_OF


# ------------------------------------------------------------ the emitter

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(_TEXT)
def test_any_scalar_reads_back_as_the_same_text(value: str) -> None:
    assert yaml.safe_load(f"key: {scalar(value)}\n") == {"key": value}


@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_any_flow_list_reads_back(values: list[str]) -> None:
    out = YamlLines()
    out.flow("key", values)
    assert yaml.safe_load(out.render()) == {"key": values}


@given(_TEXT)
def test_any_narrative_text_reads_back(value: str) -> None:
    out = YamlLines()
    out.text("text", value, indent=2)
    loaded = yaml.safe_load("outer:\n" + out.render())["outer"]["text"]
    assert loaded in (value, value.rstrip("\n") + "\n")


def test_the_synthetic_pages_are_the_ones_the_navigation_names() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    named = {target for entry in config["nav"] for target in entry.values()
             if "/" not in target and target != "index.md"}
    assert named == set(synth.PAGES)
