"""The open data at /data/: CSV bytes, each file's rows, cases.json, the data package,
SHA256SUMS and the 数据下载 page.

Rows are checked against the tiny archive of conftest.py (loaded from YAML) and model
objects built in the tests; the package, the checksums and the page on the sample
site built once per session, with ``frictionless validate`` and ``sha256sum -c``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from generator.data import cases_json as json_file
from generator.data import csv_format, package
from generator.data.case_lists import CASE_LISTS
from generator.data.files import data_files, write_data_files
from generator.data.memo import DataMemo
from generator.data.tables import TABLES
from generator.options import Options
from generator.records import model, schema
from generator.records.archive import LoadMemo, load_archive
from generator.records.problems import RecordError
from generator.records.revisions import BEIJING, NO_HISTORY, Histories, Revision
from generator.site import render
from generator.site.build import build_docs
from tests import test_render_factory as factory
from tests.conftest import AS_OF, CASE, ContentTree
from tests.git_repo import Repo
from tests.test_site import assert_semantic
from tests.test_site_helpers import ROOT, Build, build_site

SITE_URL = "https://example.org/archive/"
CSV_FILES = tuple(table.file for table in TABLES)
DATA_FILES = (*CSV_FILES, "cases.json", "datapackage.json")
FRICTIONLESS = Path(sys.executable).with_name("frictionless")


def data(archive: model.Archive, histories: Histories = NO_HISTORY,
         **options: Any) -> dict[str, bytes]:
    """The files of /data/ by name (``cases.csv``...)."""
    files = data_files(archive, histories, Options(site_url=SITE_URL, **options))
    assert all(path.startswith("data/") for path in files)
    return {path.removeprefix("data/"): content for path, content in files.items()}


def rows(content: bytes) -> list[dict[str, str]]:
    """A CSV file's records as dicts, read the way a program reads RFC 4180."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def cases_json(files: dict[str, bytes]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(files["cases.json"])
    return loaded


@pytest.fixture
def tiny(content: ContentTree) -> model.Archive:
    """conftest.py's archive: three platforms and one case using every field."""
    return load_archive(content.dir, as_of=AS_OF)


# ---------------------------------------------------------------------------
# The CSV bytes.


def test_csv_is_rfc_4180_with_a_byte_order_mark() -> None:
    written = csv_format.rows_bytes(["id", "text"], [
        ("a", "逗号,在中间"), ("b", '引号"在中间'), ("c", "两行\n文字"), ("d", None),
    ])
    assert written == (
        b"\xef\xbb\xbf" + 'id,text\r\na,"逗号,在中间"\r\nb,"引号""在中间"\r\n'
        'c,"两行\n文字"\r\nd,\r\n'.encode()
    )
    assert rows(written) == [{"id": "a", "text": "逗号,在中间"}, {"id": "b", "text": '引号"在中间'},
                             {"id": "c", "text": "两行\n文字"}, {"id": "d", "text": ""}]


@pytest.mark.parametrize("text", ["=1+1", "+86 351", "-3 处", "@SUM(A1:A9)", "\t=1", "＝1＋1",
                                  "＋1", "－1", "＠某人"])
def test_a_cell_that_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert csv_format.cell(text) == "'" + text
    assert csv_format.cell((text, "第二项")) == f"'{text}；第二项"


@pytest.mark.parametrize("text", ["a=b", "1+1", "议题-2", "", " =1", "'=1"])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert csv_format.cell(text) == text


def test_typed_values_are_written_as_their_types() -> None:
    assert csv_format.cell(None) == ""
    assert csv_format.cell(True) == "true"
    assert csv_format.cell(False) == "false"
    assert csv_format.cell(0) == "0"
    assert csv_format.cell(0.9722) == "0.9722"
    assert csv_format.cell(dt.date(2022, 3, 18)) == "2022-03-18"
    time = dt.datetime(2023, 11, 15, 6, 13, 20, tzinfo=BEIJING)
    assert csv_format.cell(time) == "2023-11-15T06:13:20+08:00"
    assert csv_format.cell(()) == ""


def test_formulas_in_every_kind_of_file_are_neutralised() -> None:
    """Record text starting with = + - @ reaches cases, items, follow-ups, evaluations and
    platforms only with a quote in front; cases.json keeps it exact."""
    case = factory.case(
        title="=HYPERLINK(\"http://x\")",
        topic=model.Topic("群众反映", ("-减负", "老旧小区"), "+背景"),
        consensus=model.Consensus("@概要", items=(model.ConsensusItem(1, "=事项", "+86 物业"),)),
        follow_up=(model.FollowUp(dt.date(2024, 4, 1), "推进中", "-3 处", 1),),
        evaluation=(model.Evaluation(dt.date(2024, 5, 1), "群众评议", None, "@评价"),),
    )
    archive = factory.archive((factory.platform(description="=平台简介"),), (case,))
    files = data(archive)
    (row,) = rows(files["cases.csv"])
    assert row["title"] == "'=HYPERLINK(\"http://x\")"
    assert row["topic.categories"] == "'-减负；老旧小区"
    assert row["topic.background"] == "'+背景"
    assert row["consensus.summary"] == "'@概要"
    (item,) = rows(files["items.csv"])
    assert (item["text"], item["owner"]) == ("'=事项", "'+86 物业")
    assert rows(files["follow-ups.csv"])[0]["note"] == "'-3 处"
    assert rows(files["evaluations.csv"])[0]["comment"] == "'@评价"
    assert rows(files["platforms.csv"])[0]["description"] == "'=平台简介"
    (case_object,) = cases_json(files)["cases"]
    assert case_object["title"] == "=HYPERLINK(\"http://x\")"
    assert case_object["topic"]["categories"] == ["-减负", "老旧小区"]


def test_control_characters_never_reach_a_file() -> None:
    case = factory.case(title="标题\x07响铃\x1b[31m", venue="议事室\r\n二楼",
                        topic=model.Topic("其他", ("分\x00类",), "背景\x02\x03"))
    files = data(factory.archive(cases=(case,)))
    for name in DATA_FILES:
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", files[name]), name
    (row,) = rows(files["cases.csv"])
    assert (row["title"], row["venue"], row["topic.categories"], row["topic.background"]) == (
        "标题响铃[31m", "议事室\n二楼", "分类", "背景")
    assert cases_json(files)["cases"][0]["venue"] == "议事室\n二楼"


# ---------------------------------------------------------------------------
# Each file's rows, from the tiny archive of conftest.py.


def test_cases_csv_row(tiny: model.Archive) -> None:
    (row,) = rows(data(tiny)["cases.csv"])
    assert row == {
        "id": "2022-sample", "status": "逾期", "url": f"{SITE_URL}cases/2022-sample/",
        "title": "机电小区地下室漏水", "platform": "street", "date": "2022-03-18",
        "form": "现场协商", "venue": "社区议事室", "topic.source": "群众反映",
        "topic.categories": "老旧小区；环境卫生",
        "topic.background": "地下室常年积水。\n\n居民多次反映。",
        "participants.convenors": "社区党委书记", "consensus.reached": "true",
        "consensus.summary": "先修后算。", "consensus.dissent": "费用分摊另议。",
        "participant_count": "14", "item_count": "2", "items_done": "1", "items_overdue": "1",
        "satisfaction.满意": "30", "satisfaction.基本满意": "5", "satisfaction.不满意": "1",
        "satisfaction_rate": "0.9722", "notice.from": "2022-03-20", "notice.to": "2022-03-27",
        "former_ids": "", "withdrawn.date": "", "withdrawn.reason": "",
    }


def test_items_csv_rows_carry_the_derived_status_and_days_overdue(tiny: model.Archive) -> None:
    overdue = (AS_OF - dt.date(2022, 5, 31)).days
    assert rows(data(tiny)["items.csv"]) == [
        {"case": "2022-sample", "number": "1", "text": "修复漏水管道", "owner": "物业公司",
         "due": "2022-05-31", "status": "推进中", "overdue": "true", "days_overdue": str(overdue)},
        {"case": "2022-sample", "number": "2", "text": "抽排积水", "owner": "社区居委会",
         "due": "2022-04-30", "status": "已完成", "overdue": "false", "days_overdue": "0"},
    ]


def test_follow_ups_and_evaluations_csv_rows(tiny: model.Archive) -> None:
    files = data(tiny)
    assert rows(files["follow-ups.csv"]) == [
        {"case": "2022-sample", "number": "1", "date": "2022-04-08", "item": "2",
         "status": "已完成", "note": "已抽排积水"},
        {"case": "2022-sample", "number": "2", "date": "2022-05-10", "item": "1",
         "status": "推进中", "note": "已更换阀门 3 处"},
    ]
    assert rows(files["evaluations.csv"]) == [
        {"case": "2022-sample", "number": "1", "date": "2022-07-01", "by": "群众评议",
         "satisfaction.满意": "30", "satisfaction.基本满意": "5", "satisfaction.不满意": "1",
         "comment": "基本解决"},
    ]


def test_platforms_csv_has_parent_level_and_rolled_up_figures(tiny: model.Archive) -> None:
    table = {row["id"]: row for row in rows(data(tiny)["platforms.csv"])}
    assert sorted(table) == ["city", "district", "street"]
    assert [(table[p]["level"], table[p]["parent"]) for p in ("city", "district", "street")] == [
        ("市", ""), ("县区", "city"), ("乡镇街道", "district")]
    assert table["city"]["method.steps"] == "征集意见；协商议事；跟踪落实"
    assert table["district"]["method.name"] == ""  # inherited, not its own
    assert table["street"]["url"] == f"{SITE_URL}platforms/street/"
    for row in table.values():  # the one case is below every platform
        assert (row["case_count"], row["participant_count"], row["items_overdue"],
                row["satisfaction_rate"]) == ("1", "14", "1", "0.9722")


def test_an_announced_case_has_a_row_and_no_items(tiny: model.Archive) -> None:
    later = replace(next(iter(tiny.cases.values())), id="2024-later", date=dt.date(2024, 3, 1),
                    consensus=None, follow_up=(), evaluation=())
    archive = model.Archive(tuple(tiny.platforms.values()), (*tiny.cases.values(), later), AS_OF)
    files = data(archive)
    announced = {row["id"]: row for row in rows(files["cases.csv"])}["2024-later"]
    assert (announced["status"], announced["consensus.reached"], announced["item_count"],
            announced["satisfaction_rate"]) == ("预告", "", "0", "")
    assert {row["case"] for row in rows(files["items.csv"])} == {"2022-sample"}


# ---------------------------------------------------------------------------
# A withdrawn case: its id, status, date and reason, nothing else, anywhere.

SECRET_TITLE = "撤回案例独有的议题"
SECRET_TEXT = "撤回案例独有的背景文字"


def _withdrawn_archive() -> tuple[model.Archive, Histories]:
    kept = factory.case("2024-kept")
    gone = factory.case(
        "2024-gone", title=SECRET_TITLE, venue=SECRET_TEXT, former_ids=("2024-old",),
        topic=model.Topic("其他", (SECRET_TEXT,), SECRET_TEXT),
        follow_up=(model.FollowUp(dt.date(2024, 4, 1), "推进中", SECRET_TEXT, 1),),
        evaluation=(model.Evaluation(dt.date(2024, 5, 1), "群众评议",
                                     model.Satisfaction(3, 0, 0), SECRET_TEXT),),
        withdrawn=model.Withdrawal(dt.date(2024, 5, 20), "与 2024-kept 重复"),
    )
    revision = Revision("a" * 40, dt.datetime(2024, 5, 20, 9, 0, tzinfo=BEIJING), "撤回重复记录",
                        "content/cases/2024-gone.yml", changes=(), fields=("withdrawn", "title"))
    histories = Histories(MappingProxyType({"2024-gone": (revision,)}), "b" * 40)
    return factory.archive(cases=(kept, gone)), histories


def test_a_withdrawn_case_is_its_id_status_date_and_reason() -> None:
    archive, histories = _withdrawn_archive()
    files = data(archive, histories)
    gone = {row["id"]: row for row in rows(files["cases.csv"])}["2024-gone"]
    assert {key: value for key, value in gone.items() if value} == {
        "id": "2024-gone", "status": "已撤回", "withdrawn.date": "2024-05-20",
        "withdrawn.reason": "与 2024-kept 重复"}
    assert {case["id"]: case for case in cases_json(files)["cases"]}["2024-gone"] == {
        "id": "2024-gone", "status": "已撤回",
        "withdrawn": {"date": "2024-05-20", "reason": "与 2024-kept 重复"}}
    for name in ("items.csv", "follow-ups.csv", "evaluations.csv"):
        assert {row["case"] for row in rows(files[name])} <= {"2024-kept"}, name
    (revision,) = rows(files["revisions.csv"])
    assert (revision["case"], revision["subject"], revision["fields"]) == (
        "2024-gone", "撤回重复记录", "")


def test_no_content_of_a_withdrawn_case_reaches_any_file() -> None:
    archive, histories = _withdrawn_archive()
    for name, content in data(archive, histories).items():
        text = content.decode("utf-8-sig")
        assert SECRET_TITLE not in text and SECRET_TEXT not in text, name
        assert "2024-old" not in text, name  # not even its former ids


# ---------------------------------------------------------------------------
# revisions.csv, from histories built by hand.


def test_revisions_csv_lists_each_case_oldest_first() -> None:
    def revision(day: int, subject: str, *fields: str) -> Revision:
        return Revision(f"{day:040x}", dt.datetime(2024, 4, day, 21, 30, tzinfo=BEIJING),
                        subject, "content/cases/2024-case.yml", fields=fields)

    newest_first = (revision(9, "补充跟踪落实", "follow_up", "evaluation"),
                    revision(2, "", "title"), revision(1, "首次发布"))
    histories = Histories(MappingProxyType({"2024-case": newest_first,
                                            "2020-deleted-since": (revision(3, "x"),)}), None)
    files = data(factory.archive(cases=(factory.case(),)), histories)
    assert [tuple(row.values()) for row in rows(files["revisions.csv"])] == [
        ("2024-case", "2024-04-01", "2024-04-01T21:30:00+08:00", f"{1:040x}", "首次发布", ""),
        ("2024-case", "2024-04-02", "2024-04-02T21:30:00+08:00", f"{2:040x}", "", "title"),
        ("2024-case", "2024-04-09", "2024-04-09T21:30:00+08:00", f"{9:040x}", "补充跟踪落实",
         "follow_up；evaluation"),
    ]
    assert cases_json(files)["commit"] is None


# ---------------------------------------------------------------------------
# cases.json.


def test_cases_json_holds_the_full_record_with_derived_values(tiny: model.Archive) -> None:
    files = data(tiny)
    document = cases_json(files)
    assert list(document) == ["as_of", "commit", "cases"]
    assert document["as_of"] == "2024-01-01"
    (case,) = document["cases"]
    assert case["url"] == f"{SITE_URL}cases/2022-sample/"
    assert case["topic"] == {"source": "群众反映", "categories": ["老旧小区", "环境卫生"],
                             "background": "地下室常年积水。\n\n居民多次反映。"}
    assert case["participants"]["groups"] == [
        {"role": "政协委员", "count": 2, "names": ["叶晓波"], "orgs": ["区政协"]},
        {"role": "群众代表", "count": 12}]
    assert case["consensus"]["items"][0] == {
        "number": 1, "text": "修复漏水管道", "owner": "物业公司", "due": "2022-05-31",
        "status": "推进中", "overdue": True, "days_overdue": 580}
    assert case["steps"][1] == {"step": "协商议事", "date": "2022-03-18"}
    assert case["follow_up"][0]["item"] == 2
    assert case["evaluation"][0]["satisfaction"] == {"满意": 30, "基本满意": 5, "不满意": 1}
    assert (case["satisfaction"], case["satisfaction_rate"]) == (
        {"满意": 30, "基本满意": 5, "不满意": 1}, 0.9722)
    assert case["sources"] == [{"title": "示例报道", "url": "https://example.org/news/1"}]
    assert "former_ids" not in case and "withdrawn" not in case  # absent, as in the record


def test_cases_json_has_every_csv_column_of_a_case(tiny: model.Archive) -> None:
    """The same declaration: each column of cases.csv with a value is the JSON path."""
    files = data(tiny)
    (row,) = rows(files["cases.csv"])
    (case,) = cases_json(files)["cases"]
    for name, value in row.items():
        found: Any = case
        for part in name.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        assert (found is not None) == (value != ""), name


def test_cases_json_is_one_case_a_line_and_the_same_bytes_every_time() -> None:
    cases = factory.many_cases(30)
    first = data(factory.archive(cases=cases))["cases.json"]
    again = data(factory.archive(cases=tuple(reversed(cases))))["cases.json"]
    assert first == again
    lines = first.decode().splitlines()
    assert len(lines) == 2 + 30
    assert [json.loads(line.rstrip(","))["id"] for line in lines[1:-1]] == sorted(
        case.id for case in cases)
    assert b"\n " not in first and b": " not in first  # no indentation, no padding


def test_without_site_url_addresses_are_relative_to_the_data_folder() -> None:
    archive = factory.archive(cases=(factory.case(),))
    files = data_files(archive, NO_HISTORY, Options(site_url=None))
    assert rows(files["data/cases.csv"])[0]["url"] == "../cases/2024-case/"
    assert rows(files["data/platforms.csv"])[0]["url"] == "../platforms/root/"
    assert "homepage" not in json.loads(files["data/datapackage.json"])


# ---------------------------------------------------------------------------
# The data package: one declaration for the headers, the schema and the page.


def test_the_package_describes_each_file_as_written(tiny: model.Archive) -> None:
    files = data(tiny)
    descriptor = json.loads(files["datapackage.json"])
    resources = {resource["path"]: resource for resource in descriptor["resources"]}
    assert sorted(resources) == sorted((*CSV_FILES, "cases.json"))
    for name, resource in resources.items():
        assert resource["bytes"] == len(files[name])
        assert resource["hash"] == "sha256:" + hashlib.sha256(files[name]).hexdigest()
    for name in CSV_FILES:
        header = next(csv.reader(io.StringIO(files[name].decode("utf-8-sig"))))
        assert [f["name"] for f in resources[name]["schema"]["fields"]] == header
    assert descriptor["licenses"] == [{
        "name": "CC-BY-4.0", "title": "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
        "path": "https://creativecommons.org/licenses/by/4.0/"}]
    assert (descriptor["as_of"], descriptor["commit"]) == ("2024-01-01", None)
    assert descriptor["homepage"] == f"{SITE_URL}data/"


def test_titles_and_descriptions_come_from_the_record_schema(tiny: model.Archive) -> None:
    descriptor = json.loads(data(tiny)["datapackage.json"])
    fields = {(resource["name"], field["name"]): field
              for resource in descriptor["resources"]
              for field in resource.get("schema", {}).get("fields", ())}
    source = schema.CASE.by_name["topic"].by_name["source"]
    assert fields["cases", "topic.source"]["title"] == source.title == "议题来源"
    assert fields["cases", "topic.source"]["description"] == source.description
    assert fields["cases", "topic.source"]["constraints"]["enum"] == list(model.TOPIC_SOURCES)
    items = schema.CASE.by_name["consensus"].by_name["items"].item
    assert items is not None
    owner = items.by_name["owner"]
    assert fields["items", "owner"]["title"] == owner.title == "责任单位"
    assert fields["items", "owner"]["constraints"] == {"required": True}
    assert fields["platforms", "level"]["constraints"]["enum"] == list(model.LEVELS)
    categories = fields["cases", "topic.categories"]
    assert (categories["type"], categories["delimiter"]) == ("list", "；")
    assert fields["items", "days_overdue"]["type"] == "integer"
    assert fields["items", "days_overdue"]["description"].endswith("（由生成器计算）")
    assert fields["revisions", "time"]["type"] == "datetime"
    keys = {resource["name"]: resource.get("schema", {}).get("foreignKeys")
            for resource in descriptor["resources"]}
    assert keys["items"] == [{"fields": ["case"], "reference": {"resource": "cases",
                                                                "fields": ["id"]}}]
    assert keys["platforms"] == [{"fields": ["parent"], "reference": {"fields": ["id"]}}]


def test_another_licence_is_named_everywhere(tiny: model.Archive) -> None:
    files = data(tiny, data_license="CC0-1.0")
    assert json.loads(files["datapackage.json"])["licenses"][0]["name"] == "CC0-1.0"
    tree = dict(render.render(tiny, Options(site_url=SITE_URL, data_license="CC0-1.0")))
    assert "CC0 1.0 通用公共领域贡献宣告" in tree["data/index.md"].decode()


def test_an_unknown_licence_is_refused_with_a_message(tiny: model.Archive) -> None:
    with pytest.raises(RecordError) as caught:
        data(tiny, data_license="MIT")
    (problem,) = caught.value.problems
    assert problem.as_text() == (
        "mkdocs.yml:1:1: data_license: 开放数据的许可协议“MIT”不在可选范围内，可选："
        "CC-BY-4.0、CC-BY-SA-4.0、CC0-1.0、ODC-By-1.0、ODbL-1.0、PDDL-1.0")


def test_checksums_cover_every_data_file(tiny: model.Archive) -> None:
    files = data(tiny)
    lines = files["SHA256SUMS"].decode("ascii").splitlines()
    assert [line.split("  ")[1] for line in lines] == sorted(DATA_FILES)
    for line in lines:
        digest, name = line.split("  ")
        assert digest == hashlib.sha256(files[name]).hexdigest()


def test_the_readme_names_every_data_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in (*DATA_FILES, "SHA256SUMS", "/data/"):
        assert f"`{name}`" in readme, name


# ---------------------------------------------------------------------------
# The built sample site: frictionless, sha256sum -c, keys, the page.


def test_frictionless_validates_the_published_package(site: Build) -> None:
    result = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
                            cwd=site.site / "data", capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    for task in report["tasks"]:
        assert task["errors"] == [], (task["place"], task["errors"][:3])
    assert {task["place"] for task in report["tasks"]} == {*CSV_FILES, "cases.json"}
    assert report["valid"] is True
    assert result.returncode == 0


def test_frictionless_finds_a_broken_foreign_key(site: Build, tmp_path: Path) -> None:
    """The validation above can fail: an item of a case that is not in cases.csv."""
    folder = shutil.copytree(site.site / "data", tmp_path / "data")
    items = folder / "items.csv"
    items.write_bytes(items.read_bytes() + "no-such-case,1,事项,单位,,未启动,false,0\r\n".encode())
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:  # the bytes changed on purpose: only the key fails
        resource.pop("bytes")
        resource.pop("hash")
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
                            cwd=folder, capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    errors = [error["type"] for task in report["tasks"] for error in task["errors"]]
    assert errors == ["foreign-key"]
    assert result.returncode != 0


def test_sha256sum_checks_the_published_files(site: Build, tmp_path: Path) -> None:
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=site.site / "data",
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert sorted(checked.stdout.splitlines()) == sorted(f"{name}: OK" for name in DATA_FILES)
    folder = shutil.copytree(site.site / "data", tmp_path / "data")
    (folder / "cases.csv").write_bytes((folder / "cases.csv").read_bytes() + b"x")
    tampered = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder,
                              capture_output=True, text=True, check=False)
    assert tampered.returncode == 1
    assert "cases.csv: FAILED" in tampered.stdout


def test_the_sample_tables_keep_their_keys(site: Build) -> None:
    """Primary keys unique, every reference found, follow-ups' items among the case's items."""
    folder = site.site / "data"
    table = {name: rows((folder / name).read_bytes()) for name in CSV_FILES}
    for spec in TABLES:
        keys = [tuple(row[name] for name in spec.primary_key) for row in table[spec.file]]
        assert len(keys) == len(set(keys)) > 0, spec.file
    case_ids = {row["id"] for row in table["cases.csv"]}
    platform_ids = {row["id"] for row in table["platforms.csv"]}
    items = {(row["case"], row["number"]) for row in table["items.csv"]}
    for name in ("items.csv", "follow-ups.csv", "evaluations.csv", "revisions.csv"):
        assert {row["case"] for row in table[name]} <= case_ids, name
    assert {row["platform"] for row in table["cases.csv"]} - {""} <= platform_ids
    assert {row["parent"] for row in table["platforms.csv"]} - {""} <= platform_ids
    assert {(row["case"], row["item"]) for row in table["follow-ups.csv"] if row["item"]} <= items
    withdrawn = [row for row in table["cases.csv"] if row["status"] == "已撤回"]
    assert [row["id"] for row in withdrawn] == ["2022-jidian-xiaoqu-loushui"]
    assert json.loads((folder / "cases.json").read_bytes())["cases"][0]["url"].startswith(
        "https://example.org/archive/cases/")


def _fields_by_caption(build: Build) -> dict[str, list[str]]:
    """Each fields table of the 数据下载 page: its caption -> the field names it lists."""
    listed: dict[str, list[str]] = {}
    caption = ""
    for element in build.page("data/").elements:
        if element.tag == "caption":
            caption = element.text
            listed[caption] = []
        elif element.tag == "th" and element.attrs.get("data-label") == "字段名":
            listed[caption].append(element.text)
    return listed


def test_the_page_lists_every_column_of_every_file(site: Build) -> None:
    page = site.page("data/")
    assert_semantic(page)
    assert page.title.startswith("数据下载")
    listed = _fields_by_caption(site)
    for table in TABLES:
        header = next(csv.reader(io.StringIO(
            (site.site / "data" / table.file).read_text(encoding="utf-8-sig"))))
        assert listed[f"{table.file} 的字段"] == header
    for case_list in CASE_LISTS:
        assert listed[f"{case_list.key} 中每一项的字段"] == [c.name for c in case_list.columns]
    text = page.text
    for column in TABLES[0].columns:
        assert column.title in text and column.description in text, column.name
    for expected in ("知识共享署名 4.0 国际许可协议（CC BY 4.0）", "sha256sum -c SHA256SUMS",
                     "shasum -a 256 -c SHA256SUMS", "Get-FileHash", "certutil -hashfile",
                     "数据日期：2026年11月25日", "frictionless validate datapackage.json"):
        assert expected in text, expected
    links = {a.attrs["href"] for a in page.find("a")}
    assert {*DATA_FILES, "SHA256SUMS"} <= links
    for name in (*DATA_FILES, "SHA256SUMS"):
        assert (site.site / "data" / name).is_file()


def test_the_home_page_the_navigation_and_the_footer_lead_to_the_page(site: Build) -> None:
    home = site.page("")
    assert any(a.attrs.get("href") == "data/" and a.text == "数据下载" for a in home.find("a"))
    assert "数据下载" in [a.text.strip() for a in site.page("cases/2022-jidian-xiaoqu-jishui/")
                          .find("a", class_="md-nav__link")]
    for url, to_data in (("", "./data/"), ("cases/2022-jidian-xiaoqu-jishui/", "../../data/")):
        footer_links = site.page(url).find("a", class_="xs-colophon__data")
        assert [(a.attrs["href"], a.text) for a in footer_links] == [(to_data, "数据下载")]


def test_the_page_is_one_raw_html_block_made_from_the_declarations() -> None:
    tree = dict(render.render(factory.archive(), Options(site_url=SITE_URL)))
    page = tree["data/index.md"].decode()
    _, front, body = page.split("---\n", 2)
    assert front == "title: 数据下载\nxieshang: data\n"
    assert all(line.startswith("<") for line in body.strip("\n").split("\n"))
    assert package.FILE in body and "data" in render.RESERVED_PAGES


# ---------------------------------------------------------------------------
# revisions.csv from a real git history.


def test_revisions_csv_from_a_crafted_git_history(tmp_path: Path) -> None:
    repo = Repo.create(tmp_path / "repo")
    repo.write_platforms()
    repo.write("cases/yingze/2022-jishui.yml", CASE)
    repo.write("cases/yingze/2022-dianti.yml", CASE.replace("机电小区地下室漏水", "加装电梯"))
    repo.commit("新增两个案例")
    path = repo.case_path("2022-jishui")
    path.write_text(path.read_text(encoding="utf-8").replace("满意: 30,", "满意: 28,"),
                    encoding="utf-8")
    repo.commit("=HYPERLINK(\"http://x\") 更正群众评议人数")
    repo.append("2022-dianti", "withdrawn:\n  date: 2023-01-05\n  reason: 重复记录\n")
    repo.commit("撤回加装电梯")
    first, second, third = (repo.git("rev-parse", f"HEAD~{n}") for n in (2, 1, 0))

    build = build_site(tmp_path / "build", repo.dir, AS_OF)
    folder = build.site / "data"
    assert [tuple(row.values()) for row in rows((folder / "revisions.csv").read_bytes())] == [
        ("2022-dianti", "2023-11-16", "2023-11-16T06:13:20+08:00", first, "新增两个案例", ""),
        ("2022-dianti", "2023-11-18", "2023-11-18T06:13:20+08:00", third, "撤回加装电梯", ""),
        ("2022-jishui", "2023-11-16", "2023-11-16T06:13:20+08:00", first, "新增两个案例", ""),
        ("2022-jishui", "2023-11-17", "2023-11-17T06:13:20+08:00", second,
         "'=HYPERLINK(\"http://x\") 更正群众评议人数", "evaluation"),
    ]
    descriptor = json.loads((folder / "datapackage.json").read_bytes())
    assert descriptor["commit"] == json.loads((folder / "cases.json").read_bytes())["commit"]
    assert descriptor["commit"] == third
    assert third in build.page("data/").text
    report = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
                            cwd=folder, capture_output=True, text=True, check=False)
    assert json.loads(report.stdout)["valid"] is True, report.stdout[-2000:]


# ---------------------------------------------------------------------------
# A preview keeps each unchanged case's lines (DataMemo).


def test_the_memo_keeps_a_case_only_when_its_sources_are_those_of_the_last_build() -> None:
    memo = DataMemo()
    record, revisions = factory.case(), ()
    memo.begin(("day", "base"))
    assert memo.kept("a", (record, revisions)) is None
    memo.end(["a"], [(record, revisions)], {})
    memo.begin(("day", "base"))
    assert memo.kept("a", (record, revisions)) == 0
    # An equal copy (a memo read back from build/, revisions read again): kept too.
    assert memo.kept("a", (replace(record), revisions)) == 0
    assert memo.kept("a", (replace(record, title="另一个"), revisions)) is None
    assert memo.kept("b", (record, revisions)) is None
    memo.begin(("another day", "base"))
    assert memo.kept("a", (record, revisions)) is None


def test_unchanged_cases_lines_are_copied_from_the_files_the_last_build_wrote(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = factory.case("2024-first"), factory.case("2024-second", title="加装电梯")
    options = Options(site_url=SITE_URL)
    memo = DataMemo()
    write_data_files(tmp_path, factory.archive(cases=(first, second)), NO_HISTORY, options, memo)
    made: list[str] = []
    case_line = json_file.case_line

    def counted(source: Any, view: model.CaseView) -> str:
        made.append(view.case.id)
        return case_line(source, view)

    monkeypatch.setattr(json_file, "case_line", counted)
    # The first case edited: the second's line, after a separator, is copied.
    edited = factory.archive(cases=(replace(first, title="加装电梯并改造楼道"), second))
    written = write_data_files(tmp_path, edited, NO_HISTORY, options, memo)
    assert made == ["2024-first"]
    folder = tmp_path / "data"
    assert {name: (folder / name.removeprefix("data/")).read_bytes()
            for name in written.names} == data_files(edited, NO_HISTORY, options)
    # A file changed since it was written is not trusted: its lines are made again.
    with (folder / "cases.json").open("ab") as file:
        file.write(b" ")
    made.clear()
    write_data_files(tmp_path, edited, NO_HISTORY, options, memo)
    assert made == ["2024-first", "2024-second"]
    assert (folder / "cases.json").read_bytes() == data(edited)["cases.json"]
    assert not list(folder.glob(".*")), "no file left half written"


def test_a_data_file_of_the_same_bytes_keeps_its_time(tmp_path: Path) -> None:
    archive = factory.archive(cases=(factory.case(),))
    options = Options(site_url=SITE_URL)
    write_data_files(tmp_path, archive, NO_HISTORY, options)
    path = tmp_path / "data" / "cases.csv"
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    written = write_data_files(tmp_path, archive, NO_HISTORY, options)
    assert (written.written, written.unchanged) == (0, len(written.names))
    assert path.stat().st_mtime_ns == before - 10**9


def test_a_rebuild_with_the_memo_writes_what_a_fresh_build_writes(content: ContentTree,
                                                                  tmp_path: Path) -> None:
    content.write("cases/2022-second.yml", CASE.replace("机电小区地下室漏水", "加装电梯"))
    loads, memo = LoadMemo(), DataMemo()
    options = Options(site_url=SITE_URL, as_of=AS_OF, git_dates=False)

    def build(out: str, **kept: Any) -> dict[str, bytes]:
        build_docs(content.dir, tmp_path / out, options, **kept)
        folder = tmp_path / out / "data"
        return {path.name: path.read_bytes() for path in folder.iterdir()}

    build("preview", memo=loads, data_memo=memo)
    content.write("cases/2022-second.yml", CASE.replace("机电小区地下室漏水", "加装电梯并改造楼道")
                  .replace("满意: 30", "满意: 20"))
    rebuilt = build("preview", memo=loads, data_memo=memo)
    assert "加装电梯并改造楼道" in rebuilt["cases.csv"].decode("utf-8-sig")
    assert rebuilt == build("fresh")
