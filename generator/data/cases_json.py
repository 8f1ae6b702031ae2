"""``cases.json``: every case as one JSON object, with what the build derives.

    {"as_of":"2026-11-25","commit":"<sha>","cases":[
    {"id":"2022-...","status":"已办结","url":"https://.../cases/2022-.../", ...},
    ...
    ]}

A case holds the columns of ``cases.csv``, a dotted name being a path
(``topic.source`` is ``"topic": {"source": ...}``), and the lists of the case
(``case_lists.CASE_LISTS``: ``steps``, ``participants.groups``,
``consensus.items``, ``follow_up``, ``evaluation``, ``sources``) as arrays of
objects whose keys are those lists' columns. A list is an array, and a value
that is absent is left out, as in the record. Keys come in the order the
columns are declared, cases in the order of their ids, one case per line and
no other white space: the file is the same bytes for the same commit and day,
and as small as JSON allows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, Final

from generator.data.case_lists import CASE_LISTS
from generator.data.columns import Column, ColumnType, Value, clean
from generator.data.rows import CaseRow, Source
from generator.data.tables import CASES
from generator.records import model

# Each column as (its path in an object, how to read it, how JSON has its value; None:
# as it is).
_Key = tuple[tuple[str, ...], Callable[[Any], Value], Callable[[Any], Any] | None]


def _strings(value: tuple[str, ...]) -> list[str] | None:
    return [clean(item) for item in value] or None  # an empty list is left out


def _iso(value: dt.date) -> str:
    return value.isoformat()


_BY_TYPE: Final[dict[ColumnType, Callable[[Any], Any] | None]] = {
    "string": clean, "list": _strings, "date": _iso, "datetime": _iso,
    "integer": None, "number": None, "boolean": None,
}


def _keys(columns: Sequence[Column[Any]]) -> tuple[_Key, ...]:
    return tuple((tuple(column.name.split(".")), column.get, _BY_TYPE[column.type])
                 for column in columns)


_CASE_KEYS: Final = _keys(CASES.columns)
_LISTS: Final = tuple((tuple(case_list.key.split(".")), case_list.of_case,
                       _keys(case_list.columns)) for case_list in CASE_LISTS)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


# Between the cases' lines (``case_line``), and after the last one.
SEPARATOR: Final = ",\n"
TAIL: Final = "\n]}\n"


def json_head(source: Source) -> str:
    """What the file starts with; then each case's line in the order of their ids, with
    ``SEPARATOR`` between them, and ``TAIL``."""
    head = _encode({"as_of": source.archive.as_of.isoformat(),
                    "commit": source.histories.built_from})
    return head[:-1] + ',"cases":[\n'


def case_line(source: Source, view: model.CaseView) -> str:
    """One case as its line of the file."""
    (row,) = CASES.rows_of(source, view)
    return _encode(case_object(row))


def case_object(row: CaseRow) -> dict[str, Any]:
    """One case as the object ``cases.json`` holds."""
    case = _object(_CASE_KEYS, CASES.values(row))
    if row.view.withdrawn:
        return case
    for path, of_case, keys in _LISTS:
        elements = of_case(row.view)
        if elements:
            _set(case, path, [_object(keys, [get(element) for _, get, _ in keys])
                              for element in elements])
    return case


def _object(keys: tuple[_Key, ...], values: list[Value]) -> dict[str, Any]:
    """The values at their paths, as JSON has them; an absent value (or empty list) is
    left out."""
    out: dict[str, Any] = {}
    for (path, _, convert), value in zip(keys, values, strict=True):
        if value is None or (convert is not None and (value := convert(value)) is None):
            continue
        if len(path) == 1:
            out[path[0]] = value
        else:
            _set(out, path, value)
    return out


def _set(target: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Set ``value`` at ``path``, making the objects on the way."""
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
