"""The search index of ``mkdocs serve``: updated in the background after every rebuild."""

from __future__ import annotations

import logging
import subprocess
import threading
from pathlib import Path

from generator.engine.search_job import index_command
from generator.search.pagefind import BUNDLE_PAGES, SLICE_PAGES, install

log = logging.getLogger("mkdocs.plugins.xieshang")


class BackgroundIndex:
    """Pagefind for ``mkdocs serve``: one run at a time, never holding up a reload.

    Indexing a large archive takes minutes; the preview shows an edit
    as soon as its pages are built, and the search catches up when the run
    ends (the old index serves meanwhile). A run starts as soon as the docs
    tree is written, alongside the engine; a request during a run queues one
    more run after it. The run is a process of its own at low priority
    (``python -m generator.search index-docs --background``), watched from a
    thread: listing the pages and merging the slices are seconds of Python
    that, in a thread of the server, would hold up the rebuild of an edit
    saved meanwhile. It works outside the site folder, which ``mkdocs serve``
    without ``--dirty`` empties on every rebuild, and moves its bundle in
    when complete.
    """

    def __init__(self, docs_dir: Path, bundle: Path, site_dir: Path,
                 slice_pages: int = SLICE_PAGES, bundle_pages: int = BUNDLE_PAGES) -> None:
        self.docs_dir = docs_dir
        self.bundle_pages = bundle_pages
        self.bundle = bundle
        self.site_dir = site_dir
        self.slice_pages = slice_pages
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def request(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, name="xieshang-search-index", daemon=True).start()

    def command(self) -> list[str]:
        return index_command(self.docs_dir, self.bundle, self.slice_pages, background=True,
                             bundle_pages=self.bundle_pages)

    def _run(self) -> None:
        while True:
            try:
                done = subprocess.run(self.command(), capture_output=True, text=True,
                                      check=False)
            except OSError as error:
                log.warning("xieshang: 预览的搜索索引未能更新：%s", error)
            else:
                if done.returncode == 0:
                    self._install(done.stdout.strip())
                else:
                    log.warning("xieshang: 预览的搜索索引未能更新：%s",
                                done.stderr.strip() or f"退出码 {done.returncode}")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False

    def _install(self, report: str) -> None:
        try:
            install(self.bundle, self.site_dir)
        except OSError as error:
            log.warning("xieshang: 预览的搜索索引未能放入网站：%s", error)
        else:
            log.info("xieshang: 搜索索引 %s", report)
