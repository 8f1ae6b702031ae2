"""A small YAML emitter for record files: lines in, text out.

`yaml.dump` per file would cost more than the rest of the generator, and it
writes in a style no editor uses. Records need little: block mappings, block
sequences of mappings, flow lists of short labels, literal blocks for
narrative text. Anything a plain scalar could misread is double-quoted.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Final

# Plain words that YAML 1.1 (PyYAML) would read as something other than text.
_SPECIAL_WORDS: Final = frozenset(
    {"~", "=", "null", "true", "false", "yes", "no", "on", "off", "y", "n"}
)
# A plain scalar may not start with these; digits and dots could make a number.
_BAD_START: Final = frozenset("-?:,[]{}#&*!|>'\"%@`=~+. \t0123456789")
_FLOW_CHARS: Final = frozenset(",[]{}")


@functools.lru_cache(maxsize=1 << 16)
def scalar(value: str, flow: bool = False) -> str:
    """`value` as a plain YAML scalar when that reads back as the same text, else quoted."""
    plain = bool(
        value
        and value[0] not in _BAD_START
        and value[-1] not in " :"
        and ": " not in value
        and " #" not in value
        and value.isprintable()
        and value.lower() not in _SPECIAL_WORDS
        and not (flow and not _FLOW_CHARS.isdisjoint(value))
    )
    return value if plain else quoted(value)


def quoted(value: str) -> str:
    """A double-quoted scalar; anything not printable is escaped, so no line
    break or tab ever appears raw inside the quotes."""
    out = ['"']
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


class YamlLines:
    """Lines of one YAML document. `indent` is the column of the key."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str) -> None:
        self.lines.append(text)

    def blank(self) -> None:
        self.lines.append("")

    def key(self, key: str, value: str, indent: int = 0) -> None:
        """A text value, quoted when needed."""
        self.lines.append(f"{' ' * indent}{key}: {scalar(value)}")

    def raw(self, key: str, value: object, indent: int = 0) -> None:
        """A value written as is: a number, a date, true/false, a flow mapping."""
        self.lines.append(f"{' ' * indent}{key}: {value}")

    def item(self, key: str, value: str, indent: int, raw: bool = False) -> None:
        """The first key of a new mapping in a block sequence."""
        text = value if raw else scalar(value)
        self.lines.append(f"{' ' * indent}- {key}: {text}")

    def flow(self, key: str, values: Sequence[str], indent: int = 0) -> None:
        inner = ", ".join(scalar(v, flow=True) for v in values)
        self.lines.append(f"{' ' * indent}{key}: [{inner}]")

    def text(self, key: str, value: str, indent: int = 0) -> None:
        """A narrative field as a literal block; quoted when a block cannot hold it."""
        lines = value.split("\n")
        if not value.strip() or lines[0][:1].isspace() or not all(
            line.isprintable() for line in lines
        ):
            self.key(key, value, indent)
            return
        pad = " " * (indent + 2)
        self.lines.append(f"{' ' * indent}{key}: |")
        self.lines.extend(pad + line if line else "" for line in lines)

    def render(self) -> str:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"
