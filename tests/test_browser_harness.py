"""The browser harness itself: each helper catches what it is meant to catch.

Every check has its negative twin (a clean page reports nothing), so a helper
that silently returns nothing cannot pass.
"""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

import tests.browser
from tests.browser import (
    StaticServer,
    console_errors,
    external_requests,
    format_violations,
    has_horizontal_scroll,
    print_to_pdf,
    require_tool,
    run_axe,
    screenshot,
    set_viewport,
    wide_elements,
)

pytestmark = pytest.mark.browser

HEAD = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 1rem; }} {style}</style>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""

# A 1x1 transparent PNG as a data: URL: local, never a request to another host.
PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def page(title: str, body: str = "", style: str = "") -> str:
    return HEAD.format(title=title, body=body, style=style)


@pytest.fixture
def site(tmp_path: Path, static_server) -> StaticServer:
    """A tiny static site, served on 127.0.0.1."""
    root = tmp_path / "site"
    root.mkdir()
    files = {
        "clean.html": page(
            "协商档案", f'<p>机电小区地下室管道漏水和积水问题。</p><img src="{PIXEL}" alt="示意图">'
        ),
        "console-error.html": page(
            "控制台错误", "<script>console.error('harness: deliberate error');</script>"
        ),
        "uncaught.html": page("未捕获异常", "<script>null.boom();</script>"),
        "external.html": page(
            "外部请求", '<img src="http://example.invalid/x.png" alt="外部图片">'
        ),
        "no-alt.html": page("缺少替代文本", '<img src="local.png">'),
        "wide.html": page("过宽", '<div style="width: 1200px">宽内容</div>'),
        "a4.html": page("A4", "<p>第一页</p>", "@page { size: A4; margin: 20mm; }"),
        "a5.html": page("A5", "<p>第一页</p>", "@page { size: A5; margin: 10mm; }"),
        "no-page-size.html": page("默认纸张", "<p>没有 @page 规则</p>"),
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "local.png").write_bytes(b"")  # a broken image is fine for axe
    return static_server(root)


def test_clean_page_has_no_console_error_and_no_external_request(
    browser: WebDriver, site: StaticServer
) -> None:
    browser.get(site / "clean.html")
    assert browser.title == "协商档案"
    assert console_errors(browser) == []
    assert external_requests(browser, site.origin) == []


def test_console_error_is_caught(browser: WebDriver, site: StaticServer) -> None:
    browser.get(site / "console-error.html")
    errors = console_errors(browser)
    assert any("harness: deliberate error" in e for e in errors), errors
    # The log is drained: a second call reports only what happened since.
    assert console_errors(browser) == []


def test_uncaught_exception_is_caught(browser: WebDriver, site: StaticServer) -> None:
    browser.get(site / "uncaught.html")
    errors = console_errors(browser)
    assert any("TypeError" in e for e in errors), errors


def test_external_request_is_detected(browser: WebDriver, site: StaticServer) -> None:
    browser.get(site / "external.html")
    assert external_requests(browser, site.origin) == ["http://example.invalid/x.png"]


def test_requests_to_the_local_server_are_allowed(browser: WebDriver, site: StaticServer) -> None:
    browser.get(site / "no-alt.html")  # loads local.png from the same server
    assert external_requests(browser, site.origin) == []


def test_axe_reports_an_image_without_alt(browser: WebDriver, site: StaticServer) -> None:
    browser.get(site / "no-alt.html")
    violations = run_axe(browser)
    assert "image-alt" in {v["id"] for v in violations}, format_violations(violations)
    assert all(v["impact"] in {"serious", "critical"} for v in violations)
    assert "img" in format_violations(violations)


def test_axe_passes_a_clean_page(browser: WebDriver, site: StaticServer) -> None:
    browser.get(site / "clean.html")
    violations = run_axe(browser)
    assert violations == [], format_violations(violations)


def test_no_horizontal_scroll_on_a_fitting_page_at_phone_width(
    browser: WebDriver, site: StaticServer, tmp_path: Path
) -> None:
    browser.get(site / "clean.html")
    png = screenshot(browser, tmp_path / "clean-390.png", 390, 844, mobile=True)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert browser.execute_script("return document.documentElement.clientWidth") == 390
    assert not has_horizontal_scroll(browser), wide_elements(browser)


def test_horizontal_scroll_is_detected(browser: WebDriver, site: StaticServer) -> None:
    browser.get(site / "wide.html")
    set_viewport(browser, 390, 844, mobile=True)
    assert has_horizontal_scroll(browser)
    assert any(e.startswith("div") for e in wide_elements(browser))


def pdf_page_size(path: Path) -> tuple[int, int]:
    out = subprocess.run(
        [require_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.MULTILINE)
    assert match, out
    return round(float(match[1])), round(float(match[2]))


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("a4.html", (595, 842)),  # @page { size: A4 }
        ("a5.html", (420, 595)),  # @page { size: A5 }: the page's own size wins
        ("no-page-size.html", (595, 842)),  # no @page size: A4, not Letter
    ],
)
def test_print_to_pdf_uses_the_page_size(
    browser: WebDriver, site: StaticServer, tmp_path: Path, name: str, size: tuple[int, int]
) -> None:
    pdf = print_to_pdf(browser, site / name, tmp_path / "out.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf_page_size(pdf) == size


def test_server_serves_under_a_sub_path(tmp_path: Path, static_server) -> None:
    (tmp_path / "cases" / "x").mkdir(parents=True)
    (tmp_path / "cases" / "x" / "index.html").write_text(page("x"), encoding="utf-8")
    server = static_server(tmp_path, "/archive/")
    assert server.url.endswith("/archive/")
    with urllib.request.urlopen(server / "cases/x/") as response:
        assert response.status == 200
        assert "<title>x</title>" in response.read().decode()
    # A folder without its slash redirects within the sub-path.
    with urllib.request.urlopen(server / "cases/x") as response:
        assert response.url == server / "cases/x/"
    # Anything outside the sub-path is not served.
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.origin + "/cases/x/")
    assert err.value.code == 404


def test_pages_under_a_sub_path_load_in_the_browser(
    browser: WebDriver, site: StaticServer, static_server
) -> None:
    server = static_server(site.directory, "/archive/")
    browser.get(server / "clean.html")
    assert browser.title == "协商档案"
    assert console_errors(browser) == []
    assert external_requests(browser, server.origin) == []


@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str
) -> None:
    monkeypatch.setattr(tests.browser, "CHROMIUM", tmp_path / "no-such-chromium")
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="no-such-chromium"):
        tests.browser.start_chromium(tmp_path / "profile")


@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_tool_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="no-such-tool"):
        require_tool("no-such-tool")
