"""CSV as spreadsheets open it: RFC 4180, UTF-8 with a byte-order mark, no formulas.

* RFC 4180: comma-separated, CRLF after every record (the header included), a
  cell quoted with ``"`` when it holds a comma, a quote or a line break, a
  quote inside doubled. Line breaks inside a cell are ``\\n``.
* The byte-order mark makes Excel and WPS read the file as UTF-8; without it
  they take Chinese text for the local code page.
* CSV injection: a spreadsheet runs a cell that starts with ``=``, ``+``,
  ``-`` or ``@`` (and, in some, a tab or carriage return) as a formula. Such a
  text cell gets a single quote in front, as OWASP recommends; the full-width
  forms are treated alike. Only text cells are touched: numbers, dates and
  booleans are written by the generator and cannot start with one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any, Final

from generator.data.columns import LIST_SEPARATOR, ColumnType, Value, clean
from generator.data.rows import Source
from generator.data.tables import Table

BOM: Final = "\ufeff"
NEWLINE: Final = "\r\n"
# What a formula starts with, in the ASCII and full-width forms (OWASP: = + - @ tab CR).
FORMULA_STARTS: Final = "=+-@\t\r＝＋－＠"
NEUTRALISER: Final = "'"


class Writer:
    """A table's CSV text, a batch of rows at a time (each case's, say)."""

    def __init__(self, table: Table[Any]) -> None:
        self.table = table
        self._formats = [_BY_TYPE[column.type] for column in table.columns]
        self._out = io.StringIO()
        self._csv = csv.writer(self._out, lineterminator=NEWLINE, quoting=csv.QUOTE_MINIMAL)

    def head(self) -> str:
        """What the file starts with: the byte-order mark and the header."""
        return BOM + self.text_of([[column.name for column in self.table.columns]])

    def text(self, rows: Iterable[Any]) -> str:
        """The records of ``rows``, each with a value per column."""
        values, formats = self.table.values, self._formats
        return self.text_of(["" if value is None else write(value)
                             for write, value in zip(formats, values(row), strict=True)]
                            for row in rows)

    def text_of(self, records: Iterable[list[str]]) -> str:
        self._csv.writerows(records)
        text = self._out.getvalue()
        self._out.seek(0)
        self._out.truncate()
        return text


def table_bytes(table: Table[Any], source: Source) -> bytes:
    """The CSV file of ``table``: header, then one record per row."""
    writer = Writer(table)
    return (writer.head() + writer.text(table.rows(source))).encode("utf-8")


def rows_bytes(header: list[str], rows: Iterable[tuple[Value, ...]]) -> bytes:
    """CSV of any values, each written as ``cell`` writes it."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator=NEWLINE, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8")


def cell(value: Value) -> str:
    """One value of any type as the text of its cell; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        return _boolean(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, tuple):
        return _list(value)
    if isinstance(value, dt.date):  # dates and datetimes
        return value.isoformat()
    return str(value)  # int, float


def neutralise(text: str) -> str:
    """Text that a spreadsheet would take for a formula, with a quote in front."""
    return NEUTRALISER + text if text and text[0] in FORMULA_STARTS else text


def _text(value: str) -> str:
    return neutralise(clean(value))


def _list(value: tuple[str, ...]) -> str:
    return neutralise(LIST_SEPARATOR.join(map(clean, value)))


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _iso(value: dt.date) -> str:
    return value.isoformat()


# How each column type is written (a None is an empty cell whatever the type).
_BY_TYPE: Final[dict[ColumnType, Callable[[Any], str]]] = {
    "string": _text, "list": _list, "boolean": _boolean, "integer": str, "number": str,
    "date": _iso, "datetime": _iso,
}
