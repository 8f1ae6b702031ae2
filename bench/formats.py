"""Number formats shared by the sections' tables."""

from __future__ import annotations


def seconds(value: float | None) -> str:
    return "n.a." if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def milliseconds(value: float | None) -> str:
    return "n.a." if value is None else f"{value:.1f}"


def mb(value: int | None) -> str:
    return "n.a." if value is None else f"{value / 2**20:,.0f}"


def kb(value: int | None) -> str:
    return "n.a." if value is None else f"{value / 1024:,.0f}"


def ratio(value: float | None) -> str:
    return "n.a." if value is None else f"{value:.2f}×"


def percent(value: float | None) -> str:
    return "n.a." if value is None else f"{value:.0%}"


def verdict(value: float | None, target: float) -> str:
    """`ok` when `value` is under `target`, else `MISS`; `-` when unmeasured."""
    if value is None:
        return "-"
    return "ok" if value < target else "MISS"
