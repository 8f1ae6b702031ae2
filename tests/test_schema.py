"""The format as data: JSON Schema export, the committed schema files, the editor settings."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.records import model, schema
from generator.records.ids import ID_PATTERN

REPO = Path(__file__).resolve().parent.parent


def objects(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema in a JSON Schema, with a readable path."""
    if node.get("type") == "object":
        yield path or "(root)", node
        for name, child in node.get("properties", {}).items():
            yield from objects(child, f"{path}.{name}" if path else name)
    if node.get("type") == "array":
        yield from objects(node["items"], f"{path}[]")


@pytest.mark.parametrize("kind", ["platform", "case"])
def test_json_schema_is_draft_2020_12_with_chinese_titles(kind: str) -> None:
    exported = schema.json_schema(kind)  # type: ignore[arg-type]
    assert exported["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for path, node in objects(exported):
        assert node["additionalProperties"] is False, path
        for name, child in node["properties"].items():
            assert re.search(r"[\u4e00-\u9fff]", child["title"]), f"{path}.{name}"


def test_case_schema_details() -> None:
    case = schema.json_schema("case")
    props = case["properties"]
    assert case["required"] == ["title", "platform", "date", "form", "topic", "participants"]
    assert props["form"]["enum"] == list(model.FORMS)
    assert props["title"]["maxLength"] == 60
    assert props["date"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    assert props["platform"]["pattern"] == ID_PATTERN.pattern
    categories = props["topic"]["properties"]["categories"]
    assert (categories["minItems"], categories["maxItems"]) == (1, 5)
    group = props["participants"]["properties"]["groups"]["items"]
    assert group["properties"]["role"]["enum"] == list(model.ROLES)
    assert group["properties"]["count"] == {"title": "人数", "description": "至少 1 人。",
                                            "type": "integer", "minimum": 1}
    assert group["then"] == {"not": {"required": ["names"]}}
    satisfaction = props["evaluation"]["items"]["properties"]["satisfaction"]
    assert list(satisfaction["properties"]) == list(model.SATISFACTION_KEYS)
    url = props["sources"]["items"]["properties"]["url"]["pattern"]
    assert re.match(url, "https://example.org/a?b=1")
    for bad in ("javascript:alert(1)", "https://a b", "https://a/<x>", 'https://a/"', "ftp://a"):
        assert not re.match(url, bad), bad


def test_platform_schema_details() -> None:
    platform = schema.json_schema("platform")
    assert platform["required"] == ["name", "level", "region", "host"]
    assert platform["properties"]["level"]["enum"] == list(model.LEVELS)
    assert platform["properties"]["method"]["required"] == ["name", "steps"]


def test_the_committed_schema_files_are_up_to_date(tmp_path: Path) -> None:
    written = schema.write_json_schemas(tmp_path)
    for path in written:
        committed = REPO / "schema" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"schema/{path.name} is stale: run `python -m generator schema --out schema`"
        )


def test_vs_code_maps_record_files_to_the_committed_schemas() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert mapping == {
        "./schema/platform.schema.json": ["content/platforms/*.yml"],
        "./schema/case.schema.json": ["content/cases/**/*.yml"],
    }
    for schema_path in mapping:
        assert (REPO / schema_path).is_file()


def test_every_field_has_a_known_kind_and_unknown_keys_get_hints() -> None:
    kinds = {"text", "multiline", "date", "int", "bool", "enum", "url", "id", "list", "object"}

    def walk(field: schema.Field) -> Iterator[schema.Field]:
        yield field
        for child in field.fields:
            yield from walk(child)
        if field.item is not None:
            yield from walk(field.item)

    for root in schema.RECORD_KINDS.values():
        for field in walk(root):
            assert field.kind in kinds
            assert (field.kind == "enum") == bool(field.values)
            assert (field.kind == "list") == (field.item is not None)
    assert schema.CASE.closest("consensu") == "consensus"
    assert schema.CASE.closest("titel") == "title"
    assert schema.CASE.closest("zzz") is None
