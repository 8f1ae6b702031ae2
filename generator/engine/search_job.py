"""The search index of ``mkdocs build``, made in a process of its own while the engine builds.

Indexing needs only the docs tree (``generator.search.pages``), so it starts
as soon as the generator has written it: the engine renders pages on one
core, and Pagefind has the other. The bundle goes into the site when both
are done.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from generator.search.pagefind import BUNDLE_PAGES, SearchIndexError


def index_command(docs_dir: Path, bundle: Path, slice_pages: int,
                  background: bool = False, keep: Path | None = None,
                  bundle_pages: int = BUNDLE_PAGES) -> list[str]:
    """``python -m generator.search index-docs``: the search index as a process of its own."""
    nice = shutil.which("nice") if background else None
    return [*([nice, "-n", "10"] if nice else []), sys.executable, "-m", "generator.search",
            "index-docs", str(docs_dir), str(bundle), "--slice-pages", str(slice_pages),
            "--bundle-pages", str(bundle_pages),
            *(["--background"] if background else []),
            *(["--keep-slices", str(keep)] if keep is not None else [])]


class SearchJob:
    """One index run, started at once; ``wait`` for its report, or ``stop`` it."""

    def __init__(self, docs_dir: Path, bundle: Path, slice_pages: int,
                 keep: Path | None = None, bundle_pages: int = BUNDLE_PAGES) -> None:
        self.bundle = bundle
        self._process = subprocess.Popen(index_command(docs_dir, bundle, slice_pages, keep=keep,
                                                       bundle_pages=bundle_pages),
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, encoding="utf-8", errors="replace")

    def wait(self) -> str:
        """The index's report (pages, words, size, seconds); ``SearchIndexError`` if it failed."""
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            raise SearchIndexError(err.strip() or f"退出码 {self._process.returncode}")
        return out.strip()

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
        self._process.communicate()
