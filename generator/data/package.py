"""``datapackage.json``: a Frictionless Data Package (v2) that describes every file of ``/data/``.

Each CSV file is a tabular resource with its dialect and its Table Schema:
the columns' types, Chinese titles and descriptions, the constraints they
keep, the primary and foreign keys. ``cases.json`` is a JSON resource. Every
resource carries its size and SHA-256 hash, so ``frictionless validate``
checks the bytes as well as the rows. The package names the licence, the
commit the data were built from and the as-of day (``as_of``, ``commit``:
properties of this project, which the standard allows).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from generator.data import csv_format
from generator.data.columns import LIST_SEPARATOR, Column
from generator.data.licences import Licence
from generator.data.tables import TABLES, Table

PROFILE: Final = "https://datapackage.org/profiles/2.0/datapackage.json"
NAME: Final = "xieshang-archive"
FILE: Final = "datapackage.json"
JSON_FILE: Final = "cases.json"
SUMS_FILE: Final = "SHA256SUMS"

JSON_TITLE: Final = "协商案例（完整记录，JSON）"
JSON_DESCRIPTION: Final = (
    "全部案例的完整记录：cases.csv 的全部字段（带点的字段名即 JSON 中的路径，如 topic.source 为 "
    "topic 对象的 source），加上协商步骤（steps）、参与群体（participants.groups）、共识事项"
    "（consensus.items，含进展和逾期天数）、跟踪落实（follow_up）、评价（evaluation）和公开报道"
    "（sources）数组；没有值的字段不出现。已撤回的案例只有 id、status 和 withdrawn。"
)
FORMAT_NOTE: Final = (
    f"CSV 文件为 UTF-8 编码（带 BOM）、逗号分隔、CRLF 换行（RFC 4180），第一行为字段名；"
    f"空单元格表示没有值；列表的各项用“{LIST_SEPARATOR}”连接；日期为 YYYY-MM-DD。"
    f"为防止电子表格把文字当作公式执行，以 = + - @ 或制表符（以及全角的 ＝ ＋ － ＠）开头的文字"
    f"前面加了一个英文单引号 '，使用数据时可去掉。"
)


def descriptor(sizes: Mapping[str, int], digests: Mapping[str, str], *, title: str,
               licence: Licence, as_of: str, commit: str | None,
               homepage: str | None) -> dict[str, Any]:
    """The package, given each data file's size in bytes and SHA-256 by its name
    (``cases.csv``...)."""
    origin = f"生成自提交 {commit}" if commit else "不是从 git 仓库生成的"
    package: dict[str, Any] = {
        "$schema": PROFILE,
        "name": NAME,
        "title": f"{title}开放数据",
        "description": (
            f"{title}的全部协商平台和协商案例，数据日期 {as_of}（逾期等状态按这一天计算），"
            f"{origin}。{FORMAT_NOTE}"
            f"各文件的 SHA-256 校验值见 {SUMS_FILE}。"
        ),
        "licenses": [{"name": licence.name, "path": licence.url, "title": licence.title}],
        "as_of": as_of,
        "commit": commit,
    }
    if homepage:
        package["homepage"] = homepage
    package["resources"] = [
        *(_table_resource(table, _integrity(sizes, digests, table.file)) for table in TABLES),
        _json_resource(_integrity(sizes, digests, JSON_FILE)),
    ]
    return package


def package_bytes(sizes: Mapping[str, int], digests: Mapping[str, str],
                  **details: Any) -> bytes:
    text = json.dumps(descriptor(sizes, digests, **details), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _integrity(sizes: Mapping[str, int], digests: Mapping[str, str],
               name: str) -> dict[str, Any]:
    return {"bytes": sizes[name], "hash": f"sha256:{digests[name]}"}


def _table_resource(table: Table[Any], integrity: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [_field(column) for column in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(key.columns),
             "reference": {"fields": list(key.keys),
                           **({} if key.table == table.name else {"resource": key.table})}}
            for key in table.foreign_keys
        ]
    return {
        "name": table.name,
        "type": "table",
        "path": table.file,
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        **integrity,
        "dialect": {"header": True, "delimiter": ",", "lineTerminator": csv_format.NEWLINE,
                    "quoteChar": '"', "doubleQuote": True},
        "schema": schema,
    }


def _json_resource(integrity: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "cases-json",
        "type": "json",
        "path": JSON_FILE,
        "title": JSON_TITLE,
        "description": JSON_DESCRIPTION,
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        **integrity,
    }


def _field(column: Column[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": column.name, "type": column.type, "title": column.title,
                           "description": column.explanation}
    if column.type == "list":
        out.update(delimiter=LIST_SEPARATOR, itemType="string")
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    if column.pattern is not None:
        constraints["pattern"] = column.pattern
    if constraints:
        out["constraints"] = constraints
    return out
