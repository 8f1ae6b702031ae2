"""Site search in headless Chromium, on the sample archive built once.

Chinese, pinyin (full and initials) and traditional queries and a platform
filter each put the expected case first; nothing is requested from another
host and nothing reaches the console; the same holds under a sub-path.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from generator.records.archive import load_archive
from generator.site import indexes, search_fields
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
from tests.test_site_helpers import SAMPLE_AS_OF, SAMPLE_CONTENT, Build, build_site

pytestmark = pytest.mark.browser

TINGCHE = "cases/2025-xinjian-shequ-tingche/"
JIAFENG_SHITANG = "cases/2023-jiafeng-laonian-shitang/"
YINGZE_SHITANG = "cases/2024-yingzejie-zhangzhe-shitang/"
QINSHUI = "沃事我商量（山西省晋城市沁水县）"
WAIT_S = 20




@pytest.fixture(scope="module")
def sub_path_server(site: Build, static_server: Callable[..., StaticServer]) -> StaticServer:
    return static_server(site.site, "/archive/")


@dataclass(frozen=True)
class Results:
    message: str
    links: list[str]  # hrefs, as the browser resolves them
    text: str

    def first(self, server: StaticServer) -> str:
        assert self.links, self.message
        return self.links[0].removeprefix(server.url)


def wait_for_results(browser: WebDriver) -> Results:
    """Wait until the search page has said how many results it found.

    The page may not be the search page yet (a search sent from another page's header
    is still navigating), so missing elements mean "not yet", not an error."""
    WebDriverWait(browser, WAIT_S).until(lambda d: d.execute_script(
        "const live = document.getElementById('xs-search-live');"
        "const list = document.getElementById('xs-search-results');"
        "return live !== null && list !== null"
        " && live.textContent.length > 0 && !list.hasAttribute('aria-busy');"
    ))
    message = browser.find_element(By.ID, "xs-search-live").text
    items = browser.find_elements(By.CSS_SELECTOR, "#xs-search-results .xs-result__title a")
    text = browser.find_element(By.ID, "xs-search-results").text
    return Results(message, [a.get_attribute("href") or "" for a in items], text)


def open_search(browser: WebDriver, server: StaticServer, **params: str) -> Results:
    browser.get(server / f"search/?{urllib.parse.urlencode(params)}")
    return wait_for_results(browser)


def requested(browser: WebDriver) -> list[str]:
    """URLs requested since the last call (drains the performance log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def assert_clean(browser: WebDriver, server: StaticServer) -> None:
    assert console_errors(browser) == []
    assert external_requests(browser, server.origin) == []


@pytest.mark.parametrize("query", ["停车", "tingche", "tc", "停車", "TingChe", "tíngchē"])
def test_query_puts_the_parking_case_first(
    browser: WebDriver, server: StaticServer, query: str
) -> None:
    results = open_search(browser, server, q=query)
    assert results.first(server) == TINGCHE, results
    assert results.message.startswith("找到")
    assert_clean(browser, server)


def test_pinyin_never_shows_in_results(browser: WebDriver, server: StaticServer) -> None:
    for query in ("tingche", "tc", "shitang"):
        results = open_search(browser, server, q=query)
        assert results.links, query
        assert search_fields.MARK not in results.text
        assert query not in results.text.lower(), results.text
        # Each result shows its platform, date and status; a summary stands in for the excerpt.
        first = browser.find_element(By.CSS_SELECTOR, ".xs-result")
        assert first.find_element(By.CSS_SELECTOR, "time").get_attribute("datetime")
        assert first.find_element(By.CSS_SELECTOR, ".xs-result__platform").text
        assert first.find_element(By.CSS_SELECTOR, ".xs-badge").text
        assert first.find_element(By.CSS_SELECTOR, ".xs-result__excerpt").text
    assert_clean(browser, server)


def test_chinese_excerpt_highlights_the_words(browser: WebDriver, server: StaticServer) -> None:
    open_search(browser, server, q="停車")
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".xs-result__excerpt mark")]
    assert marks[0] == "停车"
    # A search bundle without the word 停车 answers with pages that hold 停 alone, last.
    assert all(mark in ("停车", "停") for mark in marks)


def test_the_table_is_fetched_only_for_chinese_queries(
    browser: WebDriver, server: StaticServer
) -> None:
    open_search(browser, server, q="tingche")
    assert not [u for u in requested(browser) if u.endswith("/t2s.json")]
    browser.get("about:blank")
    open_search(browser, server, q="停車")
    assert [u for u in requested(browser) if u.endswith("/assets/search/t2s.json")]


def test_platform_filter_puts_the_case_of_that_platform_first(
    browser: WebDriver, server: StaticServer
) -> None:
    assert open_search(browser, server, q="食堂").first(server) == YINGZE_SHITANG
    results = open_search(browser, server, q="食堂", platform=QINSHUI)
    assert results.first(server) == JIAFENG_SHITANG
    assert len(results.links) == 1
    assert_clean(browser, server)


def test_platform_filter_takes_in_every_platform_below(
    browser: WebDriver, server: StaticServer
) -> None:
    # 有事来商量 (Taiyuan) has no case of its own: every case comes from a platform below it.
    archive = load_archive(SAMPLE_CONTENT, as_of=SAMPLE_AS_OF)
    below = {f"cases/{view.case.id}/" for view in indexes.cases_by_platform(archive)["taiyuan"]}
    assert len(below) >= 5
    results = open_search(browser, server, platform="有事来商量（山西省太原市）")
    assert {link.removeprefix(server.url) for link in results.links} == below
    assert TINGCHE in below  # three levels down


def test_choosing_filters_in_the_form(browser: WebDriver, server: StaticServer) -> None:
    open_search(browser, server, q="食堂")
    browser.find_element(By.CSS_SELECTOR, "#xs-search-options > summary").click()
    platform = Select(browser.find_element(By.ID, "xs-search-platform"))
    WebDriverWait(browser, WAIT_S).until(lambda d: len(platform.options) > 1)
    platform.select_by_value(QINSHUI)
    WebDriverWait(browser, WAIT_S).until(
        lambda d: "platform=" in d.current_url
        and d.find_element(By.CSS_SELECTOR, "#xs-search-results a").get_attribute("href")
        .endswith(JIAFENG_SHITANG)
    )
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query) == {
        "q": ["食堂"], "platform": [QINSHUI],
    }
    # Year, status and the other filters offer the values of the archive, with counts.
    year = Select(browser.find_element(By.ID, "xs-search-year"))
    assert [o.get_attribute("value") for o in year.options][:2] == ["", "2026"]
    status = Select(browser.find_element(By.ID, "xs-search-status"))
    assert "已办结" in [o.get_attribute("value") for o in status.options]
    browser.find_element(By.ID, "xs-search-reset").click()
    WebDriverWait(browser, WAIT_S).until(lambda d: "platform=" not in d.current_url)
    assert_clean(browser, server)


def test_sort_by_date(browser: WebDriver, server: StaticServer) -> None:
    open_search(browser, server, q="农村", sort="new")
    dates = [t.get_attribute("datetime") for t in browser.find_elements(
        By.CSS_SELECTOR, "#xs-search-results time")]
    assert len(dates) >= 3
    assert dates == sorted(dates, reverse=True)
    open_search(browser, server, q="农村", sort="old")
    dates = [t.get_attribute("datetime") for t in browser.find_elements(
        By.CSS_SELECTOR, "#xs-search-results time")]
    assert dates == sorted(dates)


@pytest.mark.parametrize("query", ["火星基地", "打印"])  # 打印: buttons are not indexed
def test_no_result_says_so(browser: WebDriver, server: StaticServer, query: str) -> None:
    results = open_search(browser, server, q=query)
    assert results.links == []
    assert "没有找到" in results.message
    assert_clean(browser, server)


def test_header_box_opens_the_results(browser: WebDriver, server: StaticServer) -> None:
    browser.get(server / "cases/2022-jidian-xiaoqu-jishui/")
    box = browser.find_element(By.ID, "xs-header-q")
    box.send_keys("停车\n")
    results = wait_for_results(browser)
    assert browser.current_url.startswith(server / "search/?q=")
    assert results.first(server) == TINGCHE
    assert browser.find_element(By.ID, "xs-search-q").get_attribute("value") == "停车"
    assert_clean(browser, server)


def test_header_button_on_a_phone_opens_the_search_page(
    browser: WebDriver, server: StaticServer
) -> None:
    set_viewport(browser, 390, 844, mobile=True)
    browser.get(server / "platforms/")
    assert not browser.find_element(By.ID, "xs-header-q").is_displayed()
    button = browser.find_element(By.CSS_SELECTOR, ".xs-header-search__button")
    assert button.is_displayed()
    assert button.size["height"] >= 44 and button.size["width"] >= 44
    button.click()
    WebDriverWait(browser, WAIT_S).until(lambda d: "/search/" in d.current_url)
    field = browser.find_element(By.ID, "xs-search-q")
    assert field.size["height"] >= 44
    assert browser.switch_to.active_element == field
    assert_clean(browser, server)


def test_under_a_sub_path(browser: WebDriver, sub_path_server: StaticServer) -> None:
    server = sub_path_server
    browser.get(server / "cases/2022-jidian-xiaoqu-jishui/")
    browser.find_element(By.ID, "xs-header-q").send_keys("停車\n")
    results = wait_for_results(browser)
    assert browser.current_url.startswith(server / "search/")
    assert results.links[0] == server / TINGCHE
    assert all(link.startswith(server.url) for link in results.links)
    assert_clean(browser, server)
    # The result opens the case page, with nothing missing.
    browser.find_element(By.CSS_SELECTOR, "#xs-search-results a").click()
    WebDriverWait(browser, WAIT_S).until(lambda d: d.current_url == server / TINGCHE)
    assert "停车" in browser.find_element(By.CSS_SELECTOR, "h1").text
    assert_clean(browser, server)


def test_search_page_is_accessible_with_results(browser: WebDriver, server: StaticServer) -> None:
    open_search(browser, server, q="停车", platform="有事来商量（山西省太原市）")
    violations = run_axe(browser)
    assert not violations, format_violations(violations)


def test_search_page_fits_a_phone(
    browser: WebDriver, server: StaticServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    set_viewport(browser, 390, 844, mobile=True)
    open_search(browser, server, q="停车", platform="有事来商量（山西省太原市）")
    shots = Path(tmp_path_factory.getbasetemp()) / "screenshots"
    screenshot(browser, shots / "search-390.png", 390, 844, mobile=True)
    assert not has_horizontal_scroll(browser), wide_elements(browser)
    for selector in ("#xs-search-q", ".xs-search__submit", "#xs-search-options > summary",
                     ".xs-result__title a"):
        element = browser.find_element(By.CSS_SELECTOR, selector)
        assert element.size["height"] >= 40, selector
    assert_clean(browser, server)


def test_hostile_records_stay_text_in_results(
    browser: WebDriver, static_server: Callable[..., StaticServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from tests.test_site_escaping import AS_OF, hostile_content

    work = tmp_path_factory.mktemp("hostile-search")
    build = build_site(work, hostile_content(work), AS_OF)
    server = static_server(build.site)
    for query in ("alert", "script", "onerror"):
        results = open_search(browser, server, q=query)
        assert results.links, query
        # Nothing from a record became markup: no alert dialog (Selenium would fail on it),
        # no element but the page's own.
        tags = browser.execute_script(
            "return [...document.querySelectorAll('#xs-search-results *')]"
            ".map(e => e.tagName.toLowerCase())")
        assert set(tags) <= {"li", "h2", "a", "p", "span", "time", "mark"}, tags
    browser.find_element(By.CSS_SELECTOR, "#xs-search-options > summary").click()
    platform = Select(browser.find_element(By.ID, "xs-search-platform"))
    WebDriverWait(browser, WAIT_S).until(lambda d: len(platform.options) > 1)
    assert any(o.text.startswith("<script>x") for o in platform.options)
    assert_clean(browser, server)
