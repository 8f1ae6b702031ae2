"""deploy/nginx/xieshang-archive.conf, served by Debian's nginx on loopback.

The sample site is published under /archive/ (its site_url's path) through the
very file an operator includes in a server block: the right types for
Pagefind's files, compression of text, long caching for files whose names
carry a hash, a sub-path with its own 404 page; then a case page, a search
and a printed notice in headless Chromium through it.
"""

from __future__ import annotations

import getpass
import http.client
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import StaticServer, free_port, print_to_pdf, unavailable
from tests.test_notices import assert_a4
from tests.test_print import decode_qr, pdf_text, permanent, squeeze
from tests.test_search_browser import TINGCHE, assert_clean, wait_for_results
from tests.test_site_helpers import ROOT, Build

CONFIG = ROOT / "deploy" / "nginx" / "xieshang-archive.conf"
PLACEHOLDER_ROOT = "/srv/xieshang-archive/site/"
PREFIX = "/archive/"
NGINX = Path("/usr/sbin/nginx")
YEAR = "public, max-age=31536000, immutable"

_MAIN = """\
daemon off;
{user}
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        include {work}/xieshang-archive.conf;
    }}
}}
"""



@pytest.fixture(scope="module")
def nginx_config(site: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A main configuration of nginx's whose one server includes the repository's file,
    with the sample site's folder in place of the placeholder."""
    if not NGINX.is_file():
        unavailable(f"{NGINX} is not installed (bash .ci/run installs nginx when CI is set)")
    work = tmp_path_factory.mktemp("nginx")
    text = CONFIG.read_text(encoding="utf-8")
    assert PLACEHOLDER_ROOT in text
    (work / "xieshang-archive.conf").write_text(
        text.replace(PLACEHOLDER_ROOT, f"{site.site}/"), encoding="utf-8")
    # Started by root (as in CI), nginx's workers would run as nobody, who cannot
    # read the tests' temporary folders: they run as root too. Started by anyone
    # else, they run as that user anyway.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    main = _MAIN.format(work=work, port=free_port(), user=user)
    (work / "nginx.conf").write_text(main, encoding="utf-8")
    return work / "nginx.conf"


@pytest.fixture(scope="module")
def nginx(site: Build, nginx_config: Path) -> Iterator[StaticServer]:
    """The sample site behind nginx, on loopback."""
    port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", nginx_config.read_text()).group(1))
    process = subprocess.Popen([str(NGINX), *_files(nginx_config)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(port, process)
        yield StaticServer(site.site, "127.0.0.1", port, PREFIX)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _files(nginx_config: Path) -> list[str]:
    """nginx's prefix, configuration and error log: all in the test's folder."""
    work = nginx_config.parent
    return ["-p", str(work), "-c", str(nginx_config), "-e", str(work / "error.log")]


def _wait_for(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx stopped: {process.stdout.read() if process.stdout else ''}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("nginx did not listen within 10 s")


def get(server: StaticServer, path: str, *, gzip: bool = True) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip else {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def one(site: Path, pattern: str) -> str:
    """The site's path (below the prefix) of the one file matching ``pattern``."""
    (found,) = sorted(site.glob(pattern))
    return found.relative_to(site).as_posix()


def test_nginx_accepts_the_configuration(nginx_config: Path) -> None:
    test = subprocess.run([str(NGINX), "-t", *_files(nginx_config)], capture_output=True,
                          text=True, check=False)
    assert test.returncode == 0, test.stderr
    assert "syntax is ok" in test.stderr
    assert "[warn]" not in test.stderr, test.stderr


def test_pages_are_html_in_utf_8_compressed_and_revalidated(nginx: StaticServer) -> None:
    for path in ("", "cases/2022-jidian-xiaoqu-jishui/", "platforms/yingze/print/"):
        response = get(nginx, PREFIX + path)
        assert response.status == 200, path
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.getheader("Content-Encoding") == "gzip"
        assert response.getheader("Cache-Control") == "no-cache"
        assert "Accept-Encoding" in (response.getheader("Vary") or "")


def test_hashed_theme_files_are_cached_for_a_year(nginx: StaticServer) -> None:
    for pattern in ("assets/stylesheets/main.*.min.css", "assets/javascripts/bundle.*.min.js"):
        response = get(nginx, PREFIX + one(nginx.directory, pattern))
        assert response.status == 200
        assert response.getheader("Cache-Control") == YEAR
        assert response.getheader("Content-Encoding") == "gzip"
    ours = get(nginx, PREFIX + "assets/xieshang.css")  # the same name after every build
    assert ours.getheader("Cache-Control") == "no-cache"
    assert ours.getheader("Content-Type") == "text/css; charset=utf-8"


def test_pagefind_files_have_their_types_and_are_not_compressed_twice(
    nginx: StaticServer
) -> None:
    for pattern in ("pagefind/*.pf_meta", "pagefind/index/*.pf_index",
                    "pagefind/fragment/*.pf_fragment", "pagefind/filter/*.pf_filter"):
        path = sorted(nginx.directory.glob(pattern))[0].relative_to(nginx.directory).as_posix()
        response = get(nginx, PREFIX + path)
        assert response.status == 200, path
        assert response.getheader("Content-Type") == "application/octet-stream", path
        assert response.getheader("Content-Encoding") is None, path
        assert response.getheader("Cache-Control") == YEAR, path
    wasm = get(nginx, PREFIX + one(nginx.directory, "pagefind/wasm.*.pagefind"))
    assert (wasm.getheader("Content-Type"), wasm.getheader("Content-Encoding"),
            wasm.getheader("Cache-Control")) == ("application/octet-stream", None, "no-cache")
    script = get(nginx, PREFIX + "pagefind/pagefind.js")
    assert script.getheader("Content-Type") == "application/javascript; charset=utf-8"
    assert script.getheader("Cache-Control") == "no-cache"
    entry = get(nginx, PREFIX + "pagefind/pagefind-entry.json")
    assert entry.getheader("Content-Type") == "application/json; charset=utf-8"


def test_feeds_and_open_data_have_their_types(nginx: StaticServer) -> None:
    """Feed readers recognise Atom by its type; CSV and the checksums are text in UTF-8."""
    platform_feed = sorted(nginx.directory.glob("platforms/*/feed.xml"))[0] \
        .relative_to(nginx.directory).as_posix()
    expected = {
        "feeds/cases.xml": "application/atom+xml; charset=utf-8",
        platform_feed: "application/atom+xml; charset=utf-8",
        platform_feed.replace("feed.xml", "sitemap.xml"): "text/xml; charset=utf-8",
        "data/cases.csv": "text/csv; charset=utf-8",
        "data/SHA256SUMS": "text/plain; charset=utf-8",
        "data/cases.json": "application/json; charset=utf-8",
    }
    for path, content_type in expected.items():
        response = get(nginx, PREFIX + path)
        assert (response.status, response.getheader("Content-Type")) == (200, content_type), path
        assert response.getheader("Cache-Control") == "no-cache", path


def test_the_sub_path_has_its_own_404_page(nginx: StaticServer) -> None:
    missing = get(nginx, PREFIX + "cases/no-such-case/", gzip=False)
    assert missing.status == 404
    assert missing.getheader("Content-Type") == "text/html; charset=utf-8"
    bare = get(nginx, PREFIX.rstrip("/"))
    assert (bare.status, bare.getheader("Location")) == (301, f"http://127.0.0.1:{nginx.port}"
                                                         f"{PREFIX}")
    assert get(nginx, "/elsewhere/").status == 404


@pytest.mark.browser
def test_a_case_page_and_a_search_through_nginx(browser: WebDriver, nginx: StaticServer) -> None:
    browser.get(nginx / "cases/2022-jidian-xiaoqu-jishui/")
    assert "机电小区" in browser.find_element(By.CSS_SELECTOR, "h1").text
    browser.find_element(By.ID, "xs-header-q").send_keys("停車\n")
    results = wait_for_results(browser)
    assert results.links[0] == nginx / TINGCHE
    assert_clean(browser, nginx)


@pytest.mark.browser
def test_a_notice_printed_through_nginx(browser: WebDriver, nginx: StaticServer,
                                        tmp_path: Path) -> None:
    case_id = "2022-jidian-xiaoqu-jishui"
    pdf = print_to_pdf(browser, nginx / f"cases/{case_id}/", tmp_path / "notice.pdf")
    assert assert_a4(pdf) == 1
    assert "协商结果公示" in squeeze(pdf_text(pdf))
    assert decode_qr(pdf, tmp_path) == [permanent(case_id)]
