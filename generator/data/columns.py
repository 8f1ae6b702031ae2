"""A column of the open data: its name, type, Chinese title and description, and its value.

One ``Column`` drives the CSV header and cells, the field of ``datapackage.json``,
the key in ``cases.json`` and the row of the 数据下载 page, so these cannot
disagree. A column that is a field of the record format takes its title and
description from ``records/schema.py`` (``from_record``); the values the build
derives are declared with their own (``derived``).

Names: a record field keeps its name; a field inside an object is written with
dots, its path in the record (``topic.source``, ``consensus.summary``), which
is also where it sits in ``cases.json``. Derived values have plain
``snake_case`` names (``status``, ``items_overdue``). A list is one cell, its
values joined by ``LIST_SEPARATOR``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Generic, Literal, TypeVar

from generator.records import schema
from generator.records.ids import ID_PATTERN

T = TypeVar("T")
U = TypeVar("U")

ColumnType = Literal["string", "integer", "number", "boolean", "date", "datetime", "list"]
Value = str | int | float | bool | dt.date | dt.datetime | tuple[str, ...] | None

LIST_SEPARATOR: Final = "；"

# How the 数据下载 page names each type.
TYPE_TITLES: Final = {
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "true / false",
    "date": "日期",
    "datetime": "日期时间",
    "list": f"列表（“{LIST_SEPARATOR}”分隔）",
}

_TYPE_OF_KIND: Final[dict[schema.Kind, ColumnType]] = {
    "text": "string", "multiline": "string", "enum": "string", "url": "string", "id": "string",
    "date": "date", "int": "integer", "bool": "boolean", "list": "list",
}

# Control characters other than tab and line breaks; never part of published text.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of a table, reading its value from a row of type ``T``."""

    name: str
    type: ColumnType
    title: str
    description: str
    get: Callable[[T], Value]
    derived: bool = False  # computed by the build, not written by editors
    required: bool = False  # every row has a value
    enum: tuple[str, ...] = ()  # the only values allowed
    minimum: int | None = None
    pattern: str | None = None  # a regular expression every value matches (ids)

    @property
    def explanation(self) -> str:
        """The description as the package and the page give it: derived values say so."""
        return self.description + ("（由生成器计算）" if self.derived else "")

    def reading(self, get: Callable[[U], Value]) -> Column[U]:
        """The same column reading its value with ``get`` (from another kind of row)."""
        return dataclasses.replace(self, get=get)  # type: ignore[return-value]


def from_record(root: schema.Field, path: str, get: Callable[[T], Value], *,
                name: str | None = None, required: bool | None = None) -> Column[T]:
    """The column of the record field at ``path`` (``consensus.items.due``), titled and
    described as ``records/schema.py`` has it.

    ``name`` defaults to ``path``; a table of list elements names its columns from the
    element (``due``). ``required`` defaults to what the schema says below the last
    list on the path.
    """
    field, schema_required = _field_at(root, path)
    return Column(
        name=name or path,
        type=_TYPE_OF_KIND[field.kind],
        title=field.title,
        description=field.description,
        get=get,
        required=schema_required if required is None else required,
        enum=field.values,
        minimum=field.minimum,
        pattern=ID_PATTERN.pattern if field.kind == "id" else None,
    )


def derived(name: str, type: ColumnType, title: str, description: str,
            get: Callable[[T], Value], **constraints: object) -> Column[T]:
    """A column the build computes; its description says so."""
    return Column(name, type, title, description, get, derived=True,
                  **constraints)  # type: ignore[arg-type]


def _field_at(root: schema.Field, path: str) -> tuple[schema.Field, bool]:
    """The field at a dotted path, through objects and list elements, and whether it is
    required in the object that holds it and in every object up to the nearest list."""
    field, required = root, True
    for part in path.split("."):
        if field.kind == "list":
            assert field.item is not None, path
            field, required = field.item, True
        field = field.by_name[part]
        required = required and field.required
    return field, required


def clean(text: str) -> str:
    """Record text as published: control characters dropped, line breaks as ``\\n``."""
    if text.isprintable() or ("\r" not in text and _CONTROL.search(text) is None):
        return text  # most text, single or multi-line: nothing to do
    return _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
