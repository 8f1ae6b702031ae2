"""Helpers for tests that mutate a record's YAML text and expect a problem at a position."""

from __future__ import annotations


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def position(file: str, text: str, needle: str) -> str:
    """``file:line:column`` (1-based) of the first occurrence of ``needle`` in ``text``."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{file}:{line}:{column}"
