"""What a browser downloads for one search, measured in headless Chromium.

``measure_query(site, "停车")`` serves the built ``site`` on 127.0.0.1,
opens the home page (so the theme's CSS and JS are cached, as for a reader
who comes from another page), then opens the search page, types the query
into its field and waits until the results are shown. Every response the
server sends in that window is recorded by the server itself, so requests
made by Pagefind's web worker count too (a page's Resource Timing misses
them).

Bytes are response bodies as served here, uncompressed: an upper bound. The
``gzip`` figures estimate a host that compresses responses (GitHub Pages
does): each file gzipped at level 6, or its own size when that is smaller
(Pagefind's index chunks are compressed already).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT_S = 60


@dataclass(frozen=True)
class Response:
    path: str  # below the site, e.g. "pagefind/index/zh_1a2b.pf_index"
    bytes: int
    gzip_bytes: int

    @property
    def kind(self) -> str:
        if self.path.startswith("pagefind/"):
            name = self.path.removeprefix("pagefind/")
            return name.split("/")[0] if "/" in name else name.rsplit(".", 1)[-1]
        return "page" if self.path.endswith((".html", "/")) else "assets"


@dataclass(frozen=True)
class QueryDownload:
    query: str
    responses: tuple[Response, ...]
    message: str  # what the page said, e.g. "找到 312 条结果"
    seconds: float  # from opening the search page to results on screen

    @property
    def pagefind_bytes(self) -> int:
        return sum(r.bytes for r in self.responses if r.path.startswith("pagefind/"))

    @property
    def pagefind_gzip_bytes(self) -> int:
        return sum(r.gzip_bytes for r in self.responses if r.path.startswith("pagefind/"))

    @property
    def total_bytes(self) -> int:
        return sum(r.bytes for r in self.responses)

    @property
    def total_gzip_bytes(self) -> int:
        return sum(r.gzip_bytes for r in self.responses)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """Kind of file -> (count, bytes)."""
        kinds: dict[str, tuple[int, int]] = {}
        for r in self.responses:
            count, size = kinds.get(r.kind, (0, 0))
            kinds[r.kind] = (count + 1, size + r.bytes)
        return kinds


def measure_query(site: Path, query: str) -> QueryDownload:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    site = Path(site).resolve()
    with _serve(site) as (base, log), _chromium() as driver:
        driver.get(base)
        log.clear()
        started = time.perf_counter()
        driver.get(base + "search/")
        field = WebDriverWait(driver, TIMEOUT_S).until(
            lambda d: d.find_element(By.ID, "xs-search-q"))
        field.send_keys(query)
        WebDriverWait(driver, TIMEOUT_S).until(lambda d: d.execute_script(
            "const live = document.getElementById('xs-search-live');"
            "const list = document.getElementById('xs-search-results');"
            "return live.textContent.length > 0 && !list.hasAttribute('aria-busy');"))
        seconds = time.perf_counter() - started
        message = driver.find_element(By.ID, "xs-search-live").text
        time.sleep(0.5)  # let the last responses finish before reading the log
        paths = list(log)
    responses = tuple(_response(site, path) for path in paths)
    return QueryDownload(query, responses, message, seconds)


def _response(site: Path, path: str) -> Response:
    file = site / path
    if file.is_dir():
        file = file / "index.html"
    data = file.read_bytes()
    return Response(path, len(data), min(len(data), len(gzip.compress(data, 6, mtime=0))))


class _Log(list[str]):
    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    log: _Log
    extensions_map = {  # noqa: RUF012 - as the base class
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml",
    }

    def send_head(self) -> Any:
        head = super().send_head()
        if head is not None:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
            with self.log.lock:
                self.log.append(path)
        return head

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _serve(site: Path) -> Iterator[tuple[str, _Log]]:
    log = _Log()
    handler = type("Handler", (_CountingHandler,), {"log": log})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def _chromium() -> Iterator[Any]:
    """Debian's Chromium with a fresh profile (an empty cache), as the tests start it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.browser import CHROMEDRIVER, CHROMIUM, chromium_options

    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        raise RuntimeError(f"headless browser not installed: {', '.join(missing)}")
    os.environ["SE_OFFLINE"] = "true"
    profile = Path(tempfile.mkdtemp(prefix="bench-chromium-"))
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=chromium_options(profile))
    driver.set_page_load_timeout(TIMEOUT_S)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def describe(download: QueryDownload) -> str:
    """One paragraph for the bench output."""
    kinds = ", ".join(f"{kind} {count}×{size / 1024:.0f} KB"
                      for kind, (count, size) in sorted(download.by_kind().items()))
    return (f"“{download.query}”: {download.message}; {len(download.responses)} responses, "
            f"pagefind {download.pagefind_bytes / 1024:.0f} KB "
            f"(gzip ≈ {download.pagefind_gzip_bytes / 1024:.0f} KB), everything "
            f"{download.total_bytes / 1024:.0f} KB (gzip ≈ {download.total_gzip_bytes / 1024:.0f} "
            f"KB), {download.seconds:.1f} s on 127.0.0.1. By kind: {kinds}.")


if __name__ == "__main__":
    import sys

    for text in sys.argv[2:] or ["停车"]:
        print(describe(measure_query(Path(sys.argv[1]), text)))
