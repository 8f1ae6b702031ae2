"""Headless Chromium for the browser tests: a pytest plugin.

Loaded for the whole suite by ``pytest_plugins = ["tests.browser"]`` in
``tests/conftest.py``. It uses Debian's packages only (``chromium`` and
``chromium-driver``, which ``bash .ci/run`` installs when ``CI`` is set) and
never lets Selenium Manager look for, or download, a browser or a driver.

Fixtures
    ``chromium``       the session's WebDriver (one browser for the whole run)
    ``browser``        the same driver, reset for one test: blank page, logs
                       drained, default window size
    ``static_server``  ``static_server(directory, prefix="/")`` serves a
                       folder on 127.0.0.1 at a free port, optionally under a
                       sub-path such as ``/archive/``

Helpers
    ``console_errors``, ``external_requests``, ``screenshot``,
    ``set_viewport``, ``has_horizontal_scroll``, ``wide_elements``,
    ``run_axe``, ``print_to_pdf``, ``require_tool``

Without a browser the browser tests are skipped with the reason, except under
CI (``CI`` set), where a missing browser, driver, axe-core or command-line
tool is a failure: CI must never pass by skipping what it was meant to test.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, NoReturn

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The machine has no network but the package registries: without the
# background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",  # containers often have a 64 MB /dev/shm
    "--hide-scrollbars",  # screenshots without scrollbars, same on every machine
    "--window-size=1280,800",
)
DEFAULT_WINDOW = (1280, 800)
# Paper when a page declares no @page size: A4. Chrome rounds paper sizes to
# whole pixels; 8.26 x 11.69 in comes out as 594.96 x 841.92 pt, exactly what
# CSS `@page { size: A4 }` gives (210 x 297 mm in inches would give 595.92).
A4_INCHES = (8.26, 11.69)
PAGE_TIMEOUT_S = 30
SCRIPT_TIMEOUT_S = 60


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(reason: str) -> NoReturn:
    """Fail under CI, skip elsewhere: CI must not pass by skipping."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def require_tool(name: str) -> str:
    """The path of a command-line tool such as ``pdfinfo`` or ``zbarimg``."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (bash .ci/run installs it when CI is set)")
    return path


# --------------------------------------------------------------------------
# Static HTTP server


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` at ``prefix``; anything outside the prefix is 404."""

    prefix = "/"
    served: list[str] | None = None  # the paths asked for, when a test wants them
    extensions_map = {  # noqa: RUF012 - the base class defines it as a dict too
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".webmanifest": "application/manifest+json",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
    }

    def send_head(self) -> Any:
        path = urllib.parse.urlsplit(self.path).path
        if not (path + "/").startswith(self.prefix):
            self.send_error(HTTPStatus.NOT_FOUND, f"outside {self.prefix}")
            return None
        if self.served is not None:
            self.served.append(path)
        return super().send_head()

    def translate_path(self, path: str) -> str:
        path = urllib.parse.urlsplit(path).path
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True)
class StaticServer:
    directory: Path
    host: str
    port: int
    prefix: str

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``, what ``external_requests`` allows."""
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The address of the served folder, ending in ``/``."""
        return self.origin + self.prefix

    def __truediv__(self, path: str) -> str:
        """``server / "cases/x/"`` is the address of a page below the prefix."""
        return self.url + path.lstrip("/")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serve_directory(directory: Path | str, prefix: str = "/",
                    served: list[str] | None = None) -> Iterator[StaticServer]:
    """Serve ``directory`` on 127.0.0.1 at a free port, in a thread.

    ``served``: a list the server appends each path asked for to (requests of
    web workers included, which the browser's performance log misses).

    ``prefix`` publishes it under a sub-path, e.g. ``/archive/``, as GitHub
    Pages does for a project site; requests outside it get 404.
    """
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise FileNotFoundError(f"not a directory: {directory}")
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    handler = type("Handler", (_Handler,), {"prefix": prefix, "served": served})
    factory = functools.partial(handler, directory=str(directory))
    # Port 0: the kernel picks a free port, with no race between look-up and bind.
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), factory)
    httpd.daemon_threads = True
    host, port = httpd.server_address[:2]
    thread = threading.Thread(target=httpd.serve_forever, name=f"static:{port}", daemon=True)
    thread.start()
    try:
        yield StaticServer(directory, str(host), int(port), prefix)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def static_server() -> Iterator[Callable[..., StaticServer]]:
    """``static_server(directory, prefix="/")`` -> a running ``StaticServer``.

    Servers stop at the end of the session; usable from session fixtures,
    e.g. to serve a site built once.
    """
    with contextlib.ExitStack() as stack:

        def start(directory: Path | str, prefix: str = "/") -> StaticServer:
            return stack.enter_context(serve_directory(directory, prefix))

        yield start


# --------------------------------------------------------------------------
# The browser


def chromium_options(user_data_dir: Path) -> Options:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.page_load_strategy = "normal"
    return options


def start_chromium(user_data_dir: Path, log_path: Path | None = None) -> WebDriver:
    """Start Debian's Chromium through Debian's chromedriver.

    Both paths are given explicitly: with ``Service(executable_path=...)``
    Selenium skips Selenium Manager altogether, and ``SE_OFFLINE`` keeps it
    from downloading should a later Selenium call it anyway.
    """
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        unavailable(
            f"headless browser not installed: {', '.join(missing)} missing "
            "(Debian packages chromium and chromium-driver; bash .ci/run installs them "
            "when CI is set)"
        )
    os.environ["SE_OFFLINE"] = "true"
    service = Service(
        executable_path=str(CHROMEDRIVER),
        log_output=str(log_path) if log_path else None,
    )
    try:
        driver = webdriver.Chrome(service=service, options=chromium_options(user_data_dir))
    except WebDriverException as err:
        # Installed but does not start: a real problem everywhere, never a skip.
        log = log_path.read_text(errors="replace")[-4000:] if log_path and log_path.exists() else ""
        pytest.fail(f"Chromium did not start: {err.msg}\n{log}", pytrace=False)
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    driver.set_script_timeout(SCRIPT_TIMEOUT_S)
    return driver


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless Chromium for the session, with a fresh profile."""
    base = tmp_path_factory.mktemp("chromium")
    driver = start_chromium(base / "profile", base / "chromedriver.log")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium: WebDriver) -> WebDriver:
    """The session's browser, reset for one test.

    On a blank page, at the default window size, with the browser and
    performance logs drained, so that ``console_errors`` and
    ``external_requests`` report only what this test did.
    """
    chromium.get("about:blank")
    chromium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    chromium.set_window_size(*DEFAULT_WINDOW)
    chromium.get_log("browser")
    chromium.get_log("performance")
    return chromium


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the browser carries the ``browser`` marker."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------
# What a page did


def console_errors(driver: WebDriver) -> list[str]:
    """SEVERE entries of the browser log since the last call (it drains the log).

    Uncaught exceptions, ``console.error`` and failed loads (404s, refused
    or unresolvable hosts) all land here.
    """
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


# Never a request to another host: inline data, and the browser's own pages
# (a fresh profile shows a chrome:// new-tab page before the first navigation).
_LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome:", "chrome-untrusted:", "devtools:")


def external_requests(driver: WebDriver, allowed_origin: str) -> list[str]:
    """URLs requested since the last call (drains the log) outside ``allowed_origin``.

    ``allowed_origin`` is the local server's origin, e.g. ``server.origin``.
    ``data:``, ``blob:`` and ``about:`` URLs (and the browser's own
    ``chrome:`` pages) are local and never listed. The list has each URL
    once, in the order first requested.
    """
    origin = allowed_origin.rstrip("/")
    seen: dict[str, None] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        url = message["params"]["request"]["url"]
        if url.startswith(_LOCAL_SCHEMES):
            continue
        if url == origin or url.startswith(origin + "/"):
            continue
        seen.setdefault(url, None)
    return list(seen)


def set_viewport(driver: WebDriver, width: int, height: int, *, mobile: bool = False) -> None:
    """Make the page's viewport exactly ``width`` x ``height`` CSS pixels.

    ``mobile=True`` also emulates a phone's handling of ``<meta name=viewport>``.
    """
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def screenshot(
    driver: WebDriver, path: Path | str, width: int, height: int, *, mobile: bool = False
) -> Path:
    """A PNG of the current page in a ``width`` x ``height`` viewport."""
    set_viewport(driver, width, height, mobile=mobile)
    driver.execute_async_script(_AFTER_FONTS_AND_LAYOUT)
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))
    return path


_AFTER_FONTS_AND_LAYOUT = """
const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done())));
"""


def has_horizontal_scroll(driver: WebDriver) -> bool:
    """Whether the page is wider than its viewport (a phone would scroll sideways)."""
    return bool(
        driver.execute_script(
            "const e = document.documentElement, b = document.body;"
            "return Math.max(e.scrollWidth, b ? b.scrollWidth : 0) > e.clientWidth;"
        )
    )


def wide_elements(driver: WebDriver, limit: int = 10) -> list[str]:
    """Elements that reach past the viewport's right edge, for failure messages."""
    return list(
        driver.execute_script(
            """
            const width = document.documentElement.clientWidth, out = [];
            for (const el of document.body.querySelectorAll('*')) {
              const r = el.getBoundingClientRect();
              if (r.right > width + 1 && r.width > 0) {
                const id = el.id ? '#' + el.id : '';
                const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
                const name = el.tagName.toLowerCase() + id + cls;
                out.push(`${name} (right edge ${Math.round(r.right)}px)`);
                if (out.length >= arguments[0]) break;
              }
            }
            return out;
            """,
            limit,
        )
    )


# --------------------------------------------------------------------------
# Accessibility and print


@functools.cache
def _axe_source() -> str:
    if not AXE_JS.is_file():
        unavailable(
            f"axe-core is not installed ({AXE_JS.relative_to(ROOT)} missing; "
            "`make test` runs `npm ci`)"
        )
    return AXE_JS.read_text(encoding="utf-8")


_RUN_AXE = """
const [context, options, done] = arguments;
axe.run(context || document, options)
  .then(results => done({violations: results.violations}))
  .catch(error => done({error: String(error && error.stack || error)}));
"""

BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def run_axe(
    driver: WebDriver,
    context: str | None = None,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page.

    Injects ``node_modules/axe-core/axe.min.js`` (from package-lock.json) into
    the page; nothing is fetched. Each violation is axe's own dict: ``id``,
    ``impact``, ``help``, ``helpUrl`` and ``nodes`` (with ``target`` selectors).
    Use ``format_violations`` for a readable assertion message.
    """
    driver.execute_script(_axe_source())
    result = driver.execute_async_script(
        _RUN_AXE, context, {"resultTypes": ["violations"], **(options or {})}
    )
    if "error" in result:
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['impact']}: {v['id']}: {v['help']} [{targets}]")
    return "\n".join(lines)


def print_to_pdf(driver: WebDriver, url: str, path: Path | str, **params: Any) -> Path:
    """Load ``url`` and print it to ``path`` with Chrome's ``Page.printToPDF``.

    The page's own ``@page`` size wins (``preferCSSPageSize``); a page that
    declares none comes out on A4. Backgrounds are printed. Extra keyword
    arguments go to ``Page.printToPDF`` as they are (e.g. ``pageRanges``).
    Waits for web fonts first, so that Chinese text is not printed in a
    fallback font.
    """
    driver.get(url)
    driver.execute_async_script(_AFTER_FONTS_AND_LAYOUT)
    args = {
        "preferCSSPageSize": True,
        "printBackground": True,
        "paperWidth": A4_INCHES[0],
        "paperHeight": A4_INCHES[1],
        **params,
    }
    data = driver.execute_cdp_cmd("Page.printToPDF", args)["data"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))
    return path
