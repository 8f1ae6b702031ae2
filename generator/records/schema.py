"""The record format as data: the one source of truth for shapes.

``validate.py`` walks these field descriptions to check a record's shape, and
``json_schema()`` turns them into the JSON Schema that editors' tools use for
completion and checking. Rules that relate several fields (date order,
预告, item numbers, personal data) live in ``validate.py`` and are described
here only in the fields' Chinese descriptions.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

from generator.records import model
from generator.records.ids import ID_MAX_LENGTH, ID_PATTERN

Kind = Literal["text", "multiline", "date", "int", "bool", "enum", "url", "id", "list", "object"]

TITLE_MAX_LENGTH: Final = 60
CATEGORY_MAX_LENGTH: Final = 20
MAX_CATEGORIES: Final = 5
DATE_PATTERN: Final = r"^\d{4}-\d{2}-\d{2}$"
URL_SCHEMES: Final = ("http", "https")
# No spaces, quotes, angle brackets, backslashes or control characters (ECMA-262 syntax).
URL_JSON_PATTERN: Final = r"^https?://[^\s\"'<>\\\u0000-\u001f\u007f]+$"
JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
# What `generator new` writes where the editor still has to fill something in.
# A value containing it is an error (尚未填写), so a half-filled record is never published.
PLACEHOLDER: Final = "（待填写）"


@dataclass(frozen=True)
class Field:
    """One field of a record, or the element of a list (then ``name`` is "")."""

    name: str
    kind: Kind
    title: str
    description: str = ""
    required: bool = False
    values: tuple[str, ...] = ()  # enum: the allowed values, in display order
    max_length: int | None = None  # text: characters
    minimum: int | None = None  # int
    min_items: int = 0  # list
    max_items: int | None = None  # list
    item: Field | None = None  # list: the element
    fields: tuple[Field, ...] = ()  # object: its keys, in the order editors write them
    json_extra: Mapping[str, Any] = field(default_factory=dict)  # extra JSON Schema keywords
    by_name: Mapping[str, Field] = field(init=False, repr=False, compare=False)
    # For the validator's inner loop: a plain dict is faster to query than a mapping proxy.
    index: dict[str, Field] = field(init=False, repr=False, compare=False)
    required_names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {f.name: f for f in self.fields}
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "by_name", MappingProxyType(index))
        object.__setattr__(self, "required_names", tuple(f.name for f in self.fields if f.required))

    def closest(self, key: str) -> str | None:
        """The known key an unknown ``key`` most likely meant (``consensu`` -> ``consensus``)."""
        matches = difflib.get_close_matches(key, list(self.by_name), n=1, cutoff=0.6)
        return matches[0] if matches else None


def _text(name: str, title: str, description: str = "", **kw: Any) -> Field:
    return Field(name, "text", title, description, **kw)


def _narrative(name: str, title: str, description: str = "", **kw: Any) -> Field:
    note = "纯文本，段落之间空一行；不会按 HTML 或 Markdown 解释。"
    return Field(name, "multiline", title, f"{description}{note}", **kw)


def _date(name: str, title: str, description: str = "", **kw: Any) -> Field:
    return Field(name, "date", title, f"{description}格式 YYYY-MM-DD，例如 2022-03-18。", **kw)


def _labels(name: str, title: str, description: str = "", **kw: Any) -> Field:
    return Field(name, "list", title, description, item=_text("", title), **kw)


def _enum(name: str, title: str, values: tuple[str, ...], description: str = "",
          **kw: Any) -> Field:
    choices = "、".join(values)
    return Field(name, "enum", title, f"{description}可选：{choices}。", values=values, **kw)


def _objects(name: str, title: str, description: str, fields: tuple[Field, ...],
             **kw: Any) -> Field:
    element = Field("", "object", title, fields=fields, json_extra=kw.pop("item_extra", {}))
    return Field(name, "list", title, description, item=element, **kw)


PLATFORM: Final = Field("", "object", "协商平台", "一个协商平台的记录，文件名即平台编号。", fields=(
    _text("name", "平台名称", "平台自己的品牌名称，例如“欢迎来协商”。", required=True),
    _text("full_name", "平台全称"),
    _enum("level", "层级", model.LEVELS, "下级平台的层级必须低于上级平台。", required=True),
    Field("parent", "id", "上级平台", "上一级平台的编号（其文件名，不含 .yml）。"),
    _text("region", "所在地区", "例如“山西省太原市迎泽区”。", required=True),
    _text("host", "主办单位", "运行平台的机构，例如“迎泽区政协”。", required=True),
    Field("method", "object", "协商方法", "不填时沿用最近一级上级平台的方法。", fields=(
        _text("name", "方法名称", "例如“六步协商法”。", required=True),
        _labels("steps", "步骤", "按顺序列出各步骤的名称，名称不能重复。",
                required=True, min_items=1),
    )),
    _date("established", "设立日期"),
    _text("venue", "协商场所"),
    _text("contact", "联系方式", "只填单位公开的联系电话或地址；这是唯一可以填写电话号码的字段。"),
    _narrative("description", "平台简介"),
))

CASE: Final = Field("", "object", "协商案例", "一次协商的记录，文件名即案例编号。", fields=(
    _text("title", "议题", f"协商的议题，最多 {TITLE_MAX_LENGTH} 个字符。",
          required=True, max_length=TITLE_MAX_LENGTH),
    Field("platform", "id", "协商平台", "平台编号（content/platforms/ 下的文件名，不含 .yml）。",
          required=True),
    _date("date", "协商日期", "晚于今天的日期表示协商预告，此时不能填写协商结果、跟踪落实和评价。",
          required=True),
    _enum("form", "协商形式", model.FORMS, required=True),
    _text("venue", "协商地点"),
    Field("topic", "object", "议题来源与背景", required=True, fields=(
        _enum("source", "议题来源", model.TOPIC_SOURCES, required=True),
        Field("categories", "list", "分类",
              f"1 到 {MAX_CATEGORIES} 个简短的分类标签，每个最多 {CATEGORY_MAX_LENGTH} 个字符。",
              required=True, min_items=1, max_items=MAX_CATEGORIES,
              item=_text("", "分类", max_length=CATEGORY_MAX_LENGTH)),
        _narrative("background", "议题背景", "群众提出的问题。", required=True),
    )),
    _objects("steps", "协商步骤", "本次协商实际进行的步骤，名称和顺序与平台的协商方法一致。", (
        _text("step", "步骤名称", "平台协商方法中的步骤名称。", required=True),
        _date("date", "日期"),
        _narrative("note", "说明"),
    )),
    Field("participants", "object", "参与者", required=True, fields=(
        _labels("convenors", "召集人", "召集人的职务（或公职人员的姓名）。"),
        _objects("groups", "参与群体", "按身份分组填写人数，至少一组。", (
            _enum("role", "身份", model.ROLES, required=True),
            Field("count", "int", "人数", "至少 1 人。", required=True, minimum=1),
            _labels("names", "姓名", "群众代表不能填写姓名（保护居民隐私）。"),
            _labels("orgs", "单位"),
        ), required=True, min_items=1, item_extra={
            "if": {"properties": {"role": {"enum": list(model.ANONYMOUS_ROLES)}},
                   "required": ["role"]},
            "then": {"not": {"required": ["names"]}},
        }),
    )),
    Field("consensus", "object", "协商结果", "协商日期已过时必填；协商预告不能填写。", fields=(
        Field("reached", "bool", "是否达成共识", "不填即为 true；false 表示未达成共识。"),
        _narrative("summary", "共识概要", "协商达成了什么。", required=True),
        _objects("items", "共识事项",
                 "达成共识（reached 为 true）时至少一条；跟踪落实按序号（从 1 开始）引用。", (
            _text("text", "事项内容", required=True),
            _text("owner", "责任单位", required=True),
            _date("due", "完成期限", "不能早于协商日期。"),
        )),
        _narrative("dissent", "不同意见", "没有达成一致的意见及原因。"),
    )),
    _objects("follow_up", "跟踪落实", "按日期先后排列，日期不能早于协商日期。", (
        _date("date", "日期", required=True),
        Field("item", "int", "对应事项", "共识事项的序号，从 1 开始；不填表示针对整个案例。",
              minimum=1),
        _enum("status", "进展", model.ITEM_STATUSES, required=True),
        _narrative("note", "说明", required=True),
    )),
    _objects("evaluation", "评价", "评价日期不能早于协商日期。", (
        _date("date", "日期", required=True),
        _enum("by", "评价方式", model.EVALUATORS, required=True),
        Field("satisfaction", "object", "满意度", "各项的人数。", fields=tuple(
            Field(key, "int", key, "人数。", minimum=0) for key in model.SATISFACTION_KEYS
        )),
        _narrative("comment", "评价意见"),
    )),
    Field("notice", "object", "公示", "协商结果的公示期。", fields=(
        _date("from", "公示开始", required=True),
        _date("to", "公示结束", "不能早于公示开始日期。", required=True),
    )),
    _objects("sources", "公开报道", "关于本案例的公开报道。", (
        _text("title", "标题", required=True),
        Field("url", "url", "网址", "只能是 http:// 或 https:// 开头的网址。", required=True),
    )),
    Field("withdrawn", "object", "撤回",
          "撤回已发布的案例：保留文件并填写本项，页面只显示撤回的日期和原因。", fields=(
              _date("date", "撤回日期", required=True),
              _text("reason", "撤回原因", required=True),
          )),
    Field("former_ids", "list", "曾用编号",
          "本案例改名前用过的编号（旧文件名，不含 .yml）。已发布的案例改名时必须填写："
          "网站在旧网址 /cases/<旧编号>/ 放一个跳转页，指向新网址，二维码上的旧网址继续有效。"
          "旧编号不能是现有案例的编号，也不能同时写在两个案例中。",
          item=Field("", "id", "曾用编号"), json_extra={"uniqueItems": True}),
))

RECORD_KINDS: Final = MappingProxyType({"platform": PLATFORM, "case": CASE})


def json_schema(kind: Literal["platform", "case"]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a platform or case file, with Chinese titles."""
    root = RECORD_KINDS[kind]
    return {"$schema": JSON_SCHEMA_DIALECT, **_json(root)}


def write_json_schemas(out_dir: Path) -> list[Path]:
    """Write ``platform.schema.json`` and ``case.schema.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in RECORD_KINDS:
        path = out_dir / f"{kind}.schema.json"
        text = json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# Text fields take any scalar as their text: `title: 2022` is the text "2022".
_ANY_SCALAR: Final = ["string", "number", "boolean"]


def _json(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"title": f.title}
    if f.description:
        out["description"] = f.description
    out.update(_JSON_BY_KIND[f.kind](f))
    out.update(f.json_extra)
    return out


def _json_text(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"type": _ANY_SCALAR}
    if f.max_length is not None:
        out["maxLength"] = f.max_length
    return out


def _json_list(f: Field) -> dict[str, Any]:
    assert f.item is not None
    out: dict[str, Any] = {"type": "array", "items": _json(f.item)}
    if f.min_items:
        out["minItems"] = f.min_items
    if f.max_items is not None:
        out["maxItems"] = f.max_items
    return out


def _json_object(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {child.name: _json(child) for child in f.fields},
        "additionalProperties": False,
    }
    required = [child.name for child in f.fields if child.required]
    if required:
        out["required"] = required
    return out


def _json_int(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer"}
    if f.minimum is not None:
        out["minimum"] = f.minimum
    return out


_JSON_BY_KIND: Final = {
    "text": _json_text,
    "multiline": _json_text,
    "date": lambda f: {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    "int": _json_int,
    "bool": lambda f: {"type": "boolean"},
    "enum": lambda f: {"type": "string", "enum": list(f.values)},
    "url": lambda f: {"type": "string", "pattern": URL_JSON_PATTERN},
    "id": lambda f: {"type": "string", "pattern": ID_PATTERN.pattern, "maxLength": ID_MAX_LENGTH},
    "list": _json_list,
    "object": _json_object,
}
