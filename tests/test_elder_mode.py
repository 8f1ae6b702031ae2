"""长辈模式 (elder mode): the switch in the header, on every page, remembered, before paint.

What the mode does to each kind of page (text, controls, contrast, a phone's width) is
tested in tests/test_accessibility.py. Here: the switch is on every page built; it turns
the mode on and off, is remembered across pages and visits, is applied before the page
paints, works where localStorage is blocked, hides where JavaScript is off; a page prints
the same in either mode; and the README's screenshot of a case page in 长辈模式.

The README's screenshot (docs/images/elder-mode-case.png) is rewritten only on request,
``make screenshots`` (XS_UPDATE_SCREENSHOTS=1): a test that rewrote a committed file on
every run would leave the work tree changed whenever a font or Chromium release moves a
pixel. Every run takes the same screenshot into the session's folder and checks that the
committed one exists, is referenced by the README and has the same size.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.accessibility import KEY, choose_mode, open_page, script_errors
from tests.browser import (
    StaticServer,
    print_to_pdf,
    require_tool,
    screenshot,
    set_viewport,
)
from tests.test_site_helpers import ROOT, Build

pytestmark = pytest.mark.browser

CASE = "cases/2022-jidian-xiaoqu-jishui/"
README_SCREENSHOT = Path("docs/images/elder-mode-case.png")
PHONE = (390, 844)


@pytest.fixture
def page(browser: WebDriver, server: StaticServer) -> Iterator[WebDriver]:
    """The browser with no stored choice; afterwards none either, and scripts back on."""
    choose_mode(browser, server, None)
    yield browser
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    choose_mode(browser, server, None)


@pytest.fixture
def inject(page: WebDriver) -> Iterator[Callable[[str], None]]:
    """``inject(source)`` runs ``source`` in every page before its own scripts, until the
    test ends."""
    identifiers: list[str] = []

    def add(source: str) -> None:
        result = page.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                      {"source": source})
        identifiers.append(result["identifier"])

    yield add
    for identifier in identifiers:
        page.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                             {"identifier": identifier})


def state(driver: WebDriver) -> tuple[str | None, str | None]:
    """<html data-xs-elder> and the switch's aria-pressed."""
    return (
        driver.execute_script("return document.documentElement.getAttribute('data-xs-elder')"),
        driver.find_element(By.CSS_SELECTOR, "[data-xs-elder-switch]").get_attribute(
            "aria-pressed"),
    )


def switch(driver: WebDriver) -> None:
    driver.find_element(By.CSS_SELECTOR, "[data-xs-elder-switch]").click()


# The pages as built.


def test_every_page_carries_the_switch_and_the_head_script(site: Build) -> None:
    pages = 0
    for path in sorted(site.site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if 'data-md-component="header"' not in html:
            assert "http-equiv=\"refresh\"" in html, path  # only redirects have no header
            continue
        pages += 1
        head, _, body = html.partition("</head>")
        assert head.count('setAttribute("data-xs-elder",on?"on":"off")') == 1, path
        assert re.search(r'<link rel="stylesheet" href="[^"]*assets/elder\.css">', head), path
        switches = re.findall(r"<button[^>]*data-xs-elder-switch[^>]*>", body)
        assert len(switches) == 1, path
        assert 'aria-pressed="false"' in switches[0] and 'type="button"' in switches[0]
        assert "<span>长辈模式</span>" in body, path
    assert pages > 50


# In the browser.


def test_switch_turns_the_mode_on_and_off_and_is_remembered(
    page: WebDriver, server: StaticServer
) -> None:
    page.get(server / CASE)
    assert state(page) == ("off", "false")
    switch(page)
    assert state(page) == ("on", "true")
    assert page.execute_script("return localStorage.getItem(arguments[0])", KEY) == "on"
    size = page.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
    assert size >= 24
    # Another page, and a later visit.
    page.get(server / "platforms/yingze/")
    assert state(page) == ("on", "true")
    page.get("about:blank")
    page.get(server / "")
    assert state(page) == ("on", "true")
    switch(page)
    assert state(page) == ("off", "false")
    page.get(server / "search/")
    assert state(page) == ("off", "false")
    assert script_errors(page) == []


# Records, when <body> first appears, the mode and whether elder.css is in the <head>
# (a style sheet there holds the first paint until it has loaded): the page has not
# painted before it has a body.
_AT_FIRST_BODY = """
new MutationObserver((records, observer) => {
  if (!document.body) return;
  observer.disconnect();
  window.__xsAtBody = {
    mode: document.documentElement.getAttribute('data-xs-elder'),
    styles: !!document.head.querySelector('link[rel=stylesheet][href$="assets/elder.css"]'),
    paints: performance.getEntriesByType('paint').length,
  };
}).observe(document, {childList: true, subtree: true});
"""


@pytest.mark.parametrize("mode", ["on", "off"])
def test_mode_is_applied_before_the_page_paints(
    page: WebDriver, server: StaticServer, inject: Callable[[str], None], mode: str
) -> None:
    choose_mode(page, server, mode == "on")
    inject(_AT_FIRST_BODY)
    for url in ("", CASE, "search/", "about/"):
        page.get(server / url)
        assert page.execute_script("return window.__xsAtBody") == {
            "mode": mode, "styles": True, "paints": 0}, url


def test_switch_works_where_local_storage_is_blocked(
    page: WebDriver, server: StaticServer, inject: Callable[[str], None]
) -> None:
    inject("""Object.defineProperty(window, 'localStorage', {configurable: true,
        get() { throw new DOMException('The operation is insecure.', 'SecurityError'); }});""")
    page.get(server / CASE)
    assert state(page) == ("off", "false")
    switch(page)
    assert state(page) == ("on", "true")  # for this page only: it cannot be kept
    page.get(server / "platforms/")
    assert state(page) == ("off", "false")
    assert script_errors(page) == []


def test_without_javascript_the_switch_is_hidden(page: WebDriver, server: StaticServer) -> None:
    set_viewport(page, *PHONE, mobile=True)
    page.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    page.get(server / CASE)
    assert state(page) == (None, "false")
    assert not page.find_element(By.CSS_SELECTOR, "[data-xs-elder-switch]").is_displayed()
    # Material's menu, which needs no JavaScript, in place of the keyboard's button.
    assert page.find_element(By.CSS_SELECTOR, "label.md-header__button[for=__drawer]"
                             ).is_displayed()
    assert not page.find_element(By.CSS_SELECTOR, "[data-xs-menu]").is_displayed()


def test_another_tab_follows_the_switch(page: WebDriver, server: StaticServer) -> None:
    page.get(server / CASE)
    first = page.current_window_handle
    page.switch_to.new_window("tab")
    try:
        page.get(server / "platforms/")
        switch(page)
        page.switch_to.window(first)
        assert state(page) == ("on", "true")
    finally:
        page.switch_to.window(first)
        for handle in page.window_handles:
            if handle != first:
                page.switch_to.window(handle)
                page.close()
        page.switch_to.window(first)


# Printing: the same in either mode.


def raster(pdf: Path) -> list[bytes]:
    """Each page of ``pdf`` as grey pixels (PGM, no metadata), at 60 dpi."""
    prefix = pdf.with_suffix("")
    subprocess.run([require_tool("pdftoppm"), "-r", "60", "-gray", str(pdf), str(prefix)],
                   check=True)
    pages = sorted(pdf.parent.glob(f"{prefix.name}-*.pgm"))
    assert pages
    return [p.read_bytes() for p in pages]


# A platform page: its charts, whose text follows the page's size, print the same too.
@pytest.mark.parametrize("url", [CASE, "platforms/yingze/print/", "platforms/yingze/"])
def test_printed_notice_is_the_same_in_both_modes(
    page: WebDriver, server: StaticServer, url: str, tmp_path: Path
) -> None:
    printed = {}
    for mode in ("normal", "elder"):
        choose_mode(page, server, mode == "elder")
        pdf = print_to_pdf(page, server / url, tmp_path / f"{mode}.pdf")
        assert page.execute_script(
            "return document.documentElement.dataset.xsElder") == ("on" if mode == "elder"
                                                                   else "off")
        printed[mode] = raster(pdf)
    assert len(printed["normal"]) == len(printed["elder"])
    assert printed["normal"] == printed["elder"], "a page prints differently in 长辈模式"


# The README's screenshot.


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_readme_shows_a_case_page_in_elder_mode_on_a_phone(
    page: WebDriver, server: StaticServer, tmp_path: Path
) -> None:
    update = os.environ.get("XS_UPDATE_SCREENSHOTS") == "1"
    target = ROOT / README_SCREENSHOT if update else tmp_path / README_SCREENSHOT.name
    open_page(page, server, "case", PHONE[0], elder=True)
    shot = screenshot(page, target, *PHONE, mobile=True)
    assert README_SCREENSHOT.as_posix() in (ROOT / "README.md").read_text(encoding="utf-8")
    committed = ROOT / README_SCREENSHOT
    assert committed.is_file(), "make screenshots writes it"
    assert png_size(committed.read_bytes()) == png_size(shot.read_bytes()) == PHONE
