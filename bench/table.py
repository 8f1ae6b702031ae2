"""Plain-text tables that line up in a terminal, Chinese included."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; numbers (and n.a.) right-aligned."""
    widths = [
        max(width(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))
    ]
    lines = [_line(headers, widths, header=True), "  ".join("-" * w for w in widths)]
    lines.extend(_line(row, widths) for row in rows)
    return "\n".join(lines)


def _line(cells: Sequence[str], widths: Sequence[int], header: bool = False) -> str:
    out = []
    for cell, w in zip(cells, widths, strict=True):
        text = str(cell)
        pad = " " * (w - width(text))
        out.append(pad + text if not header and _numeric(text) else text + pad)
    return "  ".join(out).rstrip()


def _numeric(text: str) -> bool:
    stripped = text.replace(".", "").replace(",", "").replace("%", "").replace("×", "")
    return stripped.lstrip("-<>~").isdigit() or text in ("n.a.", "-", "FAILED")
