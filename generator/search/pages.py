"""The pages Pagefind indexes, taken from the docs tree instead of the built site.

Pagefind reads only what sits inside ``data-pagefind-body``, and on a
generated page that is the page's one raw HTML block, which the engine puts
into its page as it is (the engine adapter (``generator.engine``) hands the block past
Python-Markdown). So the index need not wait for the engine: each generated
page of the docs tree whose block marks a body becomes a small HTML document
at the page's address, and Pagefind indexes those while the engine builds
the site. The index is the same either way (a test indexes the sample site
both ways and compares every word, filter, sort order and fragment).

Only generated pages (front matter with ``xieshang:``) are taken;
hand-written pages are Markdown, never indexed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from generator.search.slices import BODY_MARK, Page, Unsortable, marks_body, slice_key, sort_of
from generator.site.generated import page_body

_HEAD: Final = b'<!DOCTYPE html>\n<html lang="zh">\n<head><meta charset="utf-8"></head>\n<body>\n'
_TAIL: Final = b"\n</body>\n</html>\n"


class DocsSource:
    """The indexed pages of a docs tree, for ``search.build_index``: listed with their sort
    values, and written as HTML documents into a folder a slice at a time."""

    def __init__(self, docs_dir: Path) -> None:
        self.docs_dir = docs_dir
        self._sources: dict[str, str] = {}  # address -> Markdown file, from ``pages``

    def pages(self) -> list[Page] | None:
        """Every indexed page by its address; None if one cannot go in a slice
        (``generator.search.slices.sort_of``): index them all in one run."""
        pages = []
        for source in _markdown_files(self.docs_dir):
            try:
                body = indexed_body((self.docs_dir / source).read_bytes())
            except FileNotFoundError:  # a record deleted meanwhile (mkdocs serve)
                continue
            if body is None:
                continue
            path = html_path(source)
            self._sources[path] = source
            try:
                pages.append(Page(sort_of(body), path))
            except Unsortable:
                return None
        return pages

    def put(self, folder: Path, paths: Sequence[str]) -> Path:
        """Write the pages at ``paths`` (addresses from ``pages``) into ``folder``."""
        for path in paths:
            try:
                body = indexed_body((self.docs_dir / self._sources[path]).read_bytes())
            except FileNotFoundError:  # a record deleted meanwhile (mkdocs serve)
                continue
            if body is not None:
                _write(folder / path, body)
        return folder

    def key(self, paths: Sequence[str]) -> str:
        """A digest of the pages at ``paths`` as ``put`` writes them (``slices.slice_key``)."""
        return slice_key((path, _document(indexed_body(
            (self.docs_dir / self._sources[path]).read_bytes()) or b"")) for path in paths)

    def put_all(self, folder: Path) -> Path:
        """Every indexed page into ``folder``."""
        for source in _markdown_files(self.docs_dir):
            body = indexed_body((self.docs_dir / source).read_bytes())
            if body is not None:
                _write(folder / html_path(source), body)
        return folder


def _write(target: Path, body: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_document(body))


def _document(body: bytes) -> bytes:
    return _HEAD + body + _TAIL


def indexed_body(document: bytes) -> bytes | None:
    """The raw HTML block of a generated page that marks a Pagefind body; else None."""
    if BODY_MARK not in document:
        return None
    body = page_body(document)
    return body if body is not None and marks_body(body) else None


def html_path(source: str) -> str:
    """The built page of a Markdown file, with directory URLs (the plugin requires them)."""
    stem = source.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def _markdown_files(docs_dir: Path) -> list[str]:
    root = str(docs_dir)
    found = []
    for folder, folders, files in os.walk(root):
        folders.sort()
        below = "" if folder == root else folder[len(root) + 1 :].replace(os.sep, "/") + "/"
        found.extend(below + name for name in sorted(files) if name.endswith(".md"))
    return found
