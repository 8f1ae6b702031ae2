"""Bytes per case page, and what the largest parts of a case page are.

The site is the revision-history section's (bench/out/history-<cases>/: the
synthetic archive committed three times, so every case page lists three
revisions), built cold here. Every case page's size is read, raw and
gzipped (what a server that compresses sends); the parts are measured on an
even sample of the pages, by the elements that hold them.
"""

from __future__ import annotations

import gzip
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bench import formats, project, synth, table
from bench.build import _build_ours
from bench.history import ensure_repository

SAMPLE = 500  # pages whose parts are measured

# (name, tag, class): the first element of the tag with that class, or every element of
# the tag when class is None. A part inside another is counted in both.
PARTS: tuple[tuple[str, str, str | None], ...] = (
    ("<head>", "head", None),
    ("header (search, 长辈模式)", "header", "md-header"),
    ("navigation", "div", "md-sidebar--primary"),
    ("the record", "div", "xs-page--case"),
    ("  hidden search fields", "div", "xs-search-fields"),
    ("  修订记录", "section", "xs-revisions"),
    ("  printed notice (公示)", "article", "xs-notice"),
    ("    its QR code", "svg", "xs-qr"),
    ("footer", "footer", "md-footer"),
    ("scripts", "script", None),
)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr", "path", "rect", "use", "circle"})


@dataclass(frozen=True)
class PageSizes:
    pages: int
    raw: list[int]
    gzipped: list[int]
    parts: dict[str, float]  # mean bytes of each part over the sample


def pages_section(cases: int, seed: int) -> str:
    work = ensure_repository(cases, seed)
    config = project.prepare_site_dir(work)
    build = _build_ours(work, config, synth.source_date_env(), cases)
    if not build.ok:
        return "pages: the build FAILED (see the log above)"
    sizes = measure(work / "site")
    return render(cases, sizes)


def measure(site: Path) -> PageSizes:
    files = sorted((site / "cases").glob("*/index.html"))
    raw, gzipped = [], []
    for path in files:
        data = path.read_bytes()
        raw.append(len(data))
        gzipped.append(len(gzip.compress(data, compresslevel=6)))
    step = max(1, len(files) // SAMPLE)
    sample = files[::step]
    totals = dict.fromkeys((name for name, _, _ in PARTS), 0)
    for path in sample:
        for name, size in part_sizes(path.read_bytes()).items():
            totals[name] += size
    return PageSizes(len(files), raw, gzipped,
                     {name: total / len(sample) for name, total in totals.items()})


def part_sizes(html: bytes) -> dict[str, int]:
    """Bytes of each of ``PARTS`` in one page."""
    spans = _Spans(html.decode("utf-8"))
    return {name: spans.size(tag, class_name) for name, tag, class_name in PARTS}


def render(cases: int, sizes: PageSizes) -> str:
    raw, packed = sizes.raw, sizes.gzipped
    head = ["case pages", "median KB", "p90 KB", "max KB", "gzip median KB", "all case pages MB"]
    row = [f"{sizes.pages:,}", _kb(statistics.median(raw)), _kb(_p90(raw)), _kb(max(raw)),
           _kb(statistics.median(packed)), formats.mb(sum(raw))]
    mean = statistics.fmean(raw)
    parts = [[name, _kb(size), formats.percent(size / mean)] for name, size in sizes.parts.items()]
    return (table.render(head, [row]) + "\n\n"
            + table.render([f"part (mean of {min(SAMPLE, sizes.pages):,} pages)", "KB",
                            "of a page"], parts)
            + f"\n\n{cases:,} cases in the archive.")


def _kb(value: float) -> str:
    return f"{value / 1024:,.1f}"


def _p90(values: Sequence[int]) -> float:
    return statistics.quantiles(values, n=10)[-1]


class _Spans(HTMLParser):
    """The byte length of every element, by tag and class, in one pass."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self._text = text
        self._line_starts = [0]
        for line in text.split("\n"):
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)
        self._open: list[tuple[str, tuple[str, ...], int]] = []
        self.elements: list[tuple[str, tuple[str, ...], int]] = []  # tag, classes, bytes
        self.feed(text)
        self.close()

    def size(self, tag: str, class_name: str | None) -> int:
        if class_name is None:
            return sum(size for t, _, size in self.elements if t == tag)
        return next((size for t, classes, size in self.elements
                     if t == tag and class_name in classes), 0)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = tuple((dict(attrs).get("class") or "").split())
        self._open.append((tag, classes, self._offset()))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                _, classes, start = self._open[depth]
                del self._open[depth:]
                end = self._offset() + len(f"</{tag}>")
                self.elements.append((tag, classes, len(self._text[start:end].encode())))
                return
