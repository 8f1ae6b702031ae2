"""Accessibility of every kind of page, in both modes, on a phone and a wide screen.

axe-core finds no serious or critical violation (in 长辈模式 with its enhanced, 7:1,
contrast rule too); every control is at least 44 x 44 px, 60 x 60 in 长辈模式; the
keyboard reaches every control in the order of the page, each with a visible ring; the
search filters work from the keyboard and tell a screen reader their labels, state and
the number of results. 长辈模式's own promises (text, phone width) are tested here too,
on every page; the switch itself in tests/test_elder_mode.py.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from tests.accessibility import (
    CONTROLS,
    MODES,
    PAGES,
    TARGET,
    WAIT_S,
    WIDTHS,
    ax_nodes,
    ax_value,
    choose_mode,
    controls,
    cut_off,
    open_page,
    script_errors,
    small_text,
    too_small,
    wait_for_search,
)
from tests.browser import (
    StaticServer,
    format_violations,
    has_horizontal_scroll,
    run_axe,
    set_viewport,
    wide_elements,
)
from tests.test_site_escaping import write
from tests.test_site_helpers import Build, build_site

pytestmark = pytest.mark.browser

# axe's AAA contrast rule (7:1), which it leaves off unless asked.
ENHANCED_CONTRAST = {"rules": {"color-contrast-enhanced": {"enabled": True}}}


@pytest.fixture
def page(browser: WebDriver, server: StaticServer) -> Iterator[WebDriver]:
    """The browser; afterwards the stored mode is forgotten, for the tests that follow."""
    yield browser
    choose_mode(browser, server, None)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(
    page: WebDriver, server: StaticServer, name: str, width: int, mode: str
) -> None:
    elder = MODES[mode]
    open_page(page, server, name, width, elder)
    violations = run_axe(page, options=ENHANCED_CONTRAST if elder else None)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_controls_are_large_enough(
    page: WebDriver, server: StaticServer, name: str, width: int, mode: str
) -> None:
    elder = MODES[mode]
    open_page(page, server, name, width, elder)
    boxes = controls(page)
    assert any(".xs-elder-switch" in b.name for b in boxes), boxes
    assert not too_small(boxes, TARGET[elder]), too_small(boxes, TARGET[elder])
    assert script_errors(page) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_elder_mode_text_is_large_and_spaced(
    page: WebDriver, server: StaticServer, name: str, width: int
) -> None:
    open_page(page, server, name, width, elder=True)
    assert not small_text(page), small_text(page)
    body = page.execute_script(
        "const s = getComputedStyle(document.querySelector('.md-typeset'));"
        "return [parseFloat(s.fontSize), parseFloat(s.lineHeight) / parseFloat(s.fontSize)];")
    assert body[0] >= 24 and body[1] >= 1.5, body


@pytest.mark.parametrize("name", PAGES)
def test_elder_mode_fits_a_phone(page: WebDriver, server: StaticServer, name: str) -> None:
    open_page(page, server, name, 390, elder=True)
    assert not has_horizontal_scroll(page), wide_elements(page)
    assert not cut_off(page), cut_off(page)
    outside = [str(b) for b in controls(page) if b.left < -0.5 or b.right > 390.5]
    assert not outside, outside


# Pagination: lists of more than 100 cases, in an archive of their own.

PAGED = 201  # three pages: the numbered list of pages shows from three on


@pytest.fixture(scope="module")
def paged_server(tmp_path_factory: pytest.TempPathFactory,
                 static_server: Callable[..., StaticServer]) -> StaticServer:
    root = tmp_path_factory.mktemp("paged")
    content = root / "content"
    write(content / "platforms" / "p.yml",
          {"name": "议事厅", "level": "村社区", "region": "某村", "host": "村委会"})
    for n in range(PAGED):
        write(content / "cases" / f"c{n:03d}.yml", {
            "title": f"议题{n:03d}", "platform": "p",
            "date": (dt.date(2023, 1, 1) + dt.timedelta(days=n)).isoformat(),
            "form": "会议协商",
            "topic": {"source": "群众反映", "categories": ["停车"], "background": "车多位少。"},
            "participants": {"groups": [{"role": "群众代表", "count": 3}]},
            "consensus": {"reached": False, "summary": "意见不一，另行协商。"},
        })
    build: Build = build_site(root, content, dt.date(2024, 6, 1), search=False, git_dates=False)
    return static_server(build.site)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", WIDTHS)
def test_pagination_is_large_enough(
    browser: WebDriver, paged_server: StaticServer, width: int, mode: str
) -> None:
    elder = MODES[mode]
    choose_mode(browser, paged_server, elder)
    try:
        set_viewport(browser, width, 844, mobile=width < 500)
        browser.get(paged_server / "platforms/p/page/2/")
        boxes = controls(browser)
        # Previous, next, and the numbers of the other two pages.
        assert len(browser.find_elements(By.CSS_SELECTOR, ".xs-pager a, .xs-pages a")) == 4
        assert not too_small(boxes, TARGET[elder]), too_small(boxes, TARGET[elder])
        if elder and width == 390:
            assert not has_horizontal_scroll(browser), wide_elements(browser)
        violations = run_axe(browser, options=ENHANCED_CONTRAST if elder else None)
        assert not violations, format_violations(violations)
    finally:
        choose_mode(browser, paged_server, None)


# The keyboard.

_FOCUSED_JS = """
const el = document.activeElement;
if (!el || el === document.body) return null;
const r = el.getBoundingClientRect();
const style = getComputedStyle(el);
const name = el.tagName.toLowerCase() + [...el.classList].filter(c => c !== 'focus-visible')
  .map(c => '.' + c).join('') + (el.id ? '#' + el.id : '');
const shown = r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth
  && style.visibility === 'visible';
const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
return {name, key: el.dataset.xsKey || '', width: r.width, height: r.height,
        shown, ring, control: el.matches(arguments[0])};
"""

# Every element gets its number in the order of the page, so that the tabbing order can
# be compared with it (Material makes code blocks that scroll focusable as they come into
# view: every element is numbered, not only what is focusable now).
_NUMBER_JS = """
document.querySelectorAll('body *').forEach((el, n) => { el.dataset.xsKey = String(n); });
"""


def tab_through(driver: WebDriver, limit: int = 200) -> list[dict[str, Any]]:
    """Press Tab from the top of the page until the focus leaves it; what was focused."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.execute_script(_FOCUSED_JS, CONTROLS)
        if focused is None or (seen and focused["key"] == seen[0]["key"]):
            break
        seen.append(focused)
    return seen


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["case", "platform", "search", "how-to-submit"])
def test_keyboard_reaches_every_control_in_order_with_a_ring(
    page: WebDriver, server: StaticServer, name: str, width: int, mode: str
) -> None:
    open_page(page, server, name, width, MODES[mode])
    page.execute_script("window.scrollTo(0, 0); document.activeElement.blur();")
    page.execute_script(_NUMBER_JS)
    # 回到页面顶部 is left out: it shows only once the reader scrolls back up.
    expected = {b.key: b.name for b in controls(page) if ".md-top" not in b.name}
    focused = tab_through(page)
    assert focused, "Tab reaches nothing"
    hidden = [f["name"] for f in focused if not f["shown"]]
    assert not hidden, f"focus went to what is not shown: {hidden}"
    no_ring = [f["name"] for f in focused if not f["ring"]]
    assert not no_ring, f"no visible focus ring: {no_ring}"
    smallest = TARGET[MODES[mode]] - 0.5
    small = [f'{f["name"]} {f["width"]:.1f} x {f["height"]:.1f}' for f in focused
             if f["control"] and (f["width"] < smallest or f["height"] < smallest)]
    assert not small, f"controls too small once focused: {small}"
    # In the order of the page: the numbers given in document order only go up.
    unnumbered = [f["name"] for f in focused if not f["key"]]
    assert not unnumbered, unnumbered
    keys = [int(f["key"]) for f in focused]
    assert keys == sorted(keys), [f["name"] for f in focused]
    reached = {f["key"] for f in focused}
    missed = [name for key, name in expected.items() if key not in reached]
    assert not missed, f"never reached by Tab: {missed}"


def test_the_menu_opens_and_closes_from_the_keyboard(
    page: WebDriver, server: StaticServer
) -> None:
    open_page(page, server, "platforms", 390, elder=False)
    page.execute_script("document.activeElement.blur()")
    ActionChains(page).send_keys(Keys.TAB).perform()
    button = page.switch_to.active_element
    assert button.get_attribute("aria-label") == "导航菜单"
    assert button.get_attribute("aria-expanded") == "false"
    ActionChains(page).send_keys(Keys.ENTER).perform()
    assert button.get_attribute("aria-expanded") == "true"
    WebDriverWait(page, WAIT_S).until(lambda d: d.execute_script(
        "return document.activeElement.closest('.md-sidebar--primary') !== null"
        " && document.activeElement.getBoundingClientRect().left >= 0"))
    ActionChains(page).send_keys(Keys.TAB).perform()
    assert page.switch_to.active_element.text == "首页"
    ActionChains(page).send_keys(Keys.ESCAPE).perform()
    assert button.get_attribute("aria-expanded") == "false"
    assert page.switch_to.active_element == button
    # Closed, the drawer's links are out of the keyboard's way.
    ActionChains(page).send_keys(Keys.TAB).perform()
    assert page.execute_script(
        "return document.activeElement.closest('.md-sidebar--primary') === null")
    assert script_errors(page) == []


# The search filters: keyboard and screen reader.


def _find(nodes: list[dict[str, Any]], role: str, name: str | None = None) -> dict[str, Any]:
    """The first node of ``role`` (with accessible name ``name``, if given)."""
    found = [n for n in nodes if ax_value(n, "role") == role
             and (name is None or ax_value(n, "name") == name)]
    assert found, sorted({(ax_value(n, "role"), ax_value(n, "name")) for n in nodes
                          if ax_value(n, "role") in (role, "DisclosureTriangle")})
    return found[0]


def _focus(driver: WebDriver, selector: str) -> None:
    """Tab until the element of ``selector`` has the focus."""
    for _ in range(40):
        if driver.execute_script("return document.activeElement.matches(arguments[0])",
                                 selector):
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("mode", MODES)
def test_search_filters_work_by_keyboard_and_speak(
    page: WebDriver, server: StaticServer, mode: str
) -> None:
    choose_mode(page, server, MODES[mode])
    set_viewport(page, 390, 844, mobile=True)
    page.get(server / "search/?q=食堂")
    first = wait_for_search(page)
    assert first.startswith("找到")
    nodes = ax_nodes(page)
    # The results' number is in a polite live region, read out when it changes.
    status = _find(nodes, "status")
    assert ax_value(status, "live") == "polite"
    summary = page.find_element(By.CSS_SELECTOR, "#xs-search-options > summary")
    disclosure = _find(nodes, "DisclosureTriangle", summary.text)
    assert ax_value(disclosure, "expanded") is False

    page.execute_script("document.activeElement.blur()")
    _focus(page, "#xs-search-options > summary")
    ActionChains(page).send_keys(Keys.ENTER).perform()  # opens the filters
    WebDriverWait(page, WAIT_S).until(lambda d: d.execute_script(
        "return document.getElementById('xs-search-platform').options.length > 1"))
    assert ax_value(_find(ax_nodes(page), "DisclosureTriangle", summary.text),
                    "expanded") is True
    ActionChains(page).send_keys(Keys.TAB).perform()
    platform = page.switch_to.active_element
    assert platform.get_attribute("id") == "xs-search-platform"
    ActionChains(page).send_keys(Keys.ARROW_DOWN).perform()  # the first platform
    chosen = platform.get_attribute("value")
    assert chosen
    WebDriverWait(page, WAIT_S).until(
        lambda d: "platform=" in d.current_url and wait_for_search(d) != "")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.current_url).query)
    assert query == {"q": ["食堂"], "platform": [chosen]}

    nodes = ax_nodes(page)
    combobox = _find(nodes, "combobox", "协商平台（含下级平台）")
    assert chosen.split("（")[0] in ax_value(combobox, "value")  # its option, with the count
    for label in ("年份", "议题分类", "办理状态", "协商形式", "议题来源", "排序"):
        _find(nodes, "combobox", label)
    assert "（已选 1 项）" in summary.text
    said = wait_for_search(page)
    shown = len(page.find_elements(By.CSS_SELECTOR, "#xs-search-results > li"))
    found = re.fullmatch(r"找到 (\d+) 条结果", said)
    assert found and min(int(found[1]), 10) == shown, (said, shown)
    assert ax_value(_find(nodes, "status"), "live") == "polite"
    assert script_errors(page) == []
    choose_mode(page, server, None)
