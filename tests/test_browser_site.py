"""The built sample site in headless Chromium: clean, local only, accessible, fits a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import (
    StaticServer,
    console_errors,
    external_requests,
    format_violations,
    has_horizontal_scroll,
    run_axe,
    screenshot,
    set_viewport,
    wide_elements,
)

pytestmark = pytest.mark.browser

PAGES = {
    "home": "",
    "case": "cases/2022-jidian-xiaoqu-jishui/",
    "overdue-case": "cases/2024-shizhong-laojiu-xiaoqu-chongdianzhuang/",
    "platform": "platforms/yingze/",
    "platforms": "platforms/",
    "category": "categories/laojiu-xiaoqu/",
    "follow-up": "follow-up/",
    "data": "data/",
}




@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly(browser: WebDriver, server: StaticServer, name: str) -> None:
    browser.get(server / PAGES[name])
    assert browser.find_element("css selector", "h1").text
    assert console_errors(browser) == []
    assert external_requests(browser, server.origin) == []


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(
    browser: WebDriver, server: StaticServer, name: str
) -> None:
    browser.get(server / PAGES[name])
    violations = run_axe(browser)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("name", PAGES)
def test_fits_a_phone(
    browser: WebDriver, server: StaticServer, name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    set_viewport(browser, 390, 844, mobile=True)
    browser.get(server / PAGES[name])
    shots = Path(tmp_path_factory.getbasetemp()) / "screenshots"
    screenshot(browser, shots / f"{name}-390.png", 390, 844, mobile=True)
    assert not has_horizontal_scroll(browser), wide_elements(browser)
    size = browser.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)"
    )
    assert size >= 17, "body text is large enough for older readers"
