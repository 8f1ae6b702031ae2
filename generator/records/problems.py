"""Problems found in records, and how they are reported to editors.

Every problem names a file, a 1-based line and column, the field path inside
the record (``consensus.items[1].due``) and a message in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    field: str
    message: str

    def as_text(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}:"
        if self.field:
            return f"{where} {self.field}: {self.message}"
        return f"{where} {self.message}"

    def as_github(self) -> str:
        """A GitHub Actions workflow command that annotates the line in a pull request."""
        text = f"{self.field}: {self.message}" if self.field else self.message
        return (
            f"::error file={_escape_property(self.file)},line={self.line},"
            f"col={self.column},title={_escape_property('记录格式错误')}::{_escape_data(text)}"
        )


class RecordError(Exception):
    """Raised when records cannot be turned into a site; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(p.as_text() for p in self.problems))


def summary_line(files: int, problems: int) -> str:
    return f"检查 {files} 个文件，发现 {problems} 个错误"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
