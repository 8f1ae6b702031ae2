"""Search over an index in several bundles cut by age, in headless Chromium.

A small archive (35 cases about parking, one a month from 2021 to 2023, and
in March 2021 a case about a leaking basement) is built with 12 dated pages per
bundle: three bundles, the newest holding the 2023 cases and the platforms.
The first search loads only the newest and says so; the button, a year, the
oldest-first order or a query the newest cases do not answer load the older
ones; the date order runs across bundles.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import StaticServer, format_violations, run_axe, serve_directory
from tests.conftest import CASE, ContentTree
from tests.test_search_browser import assert_clean, open_search, wait_for_results
from tests.test_site_helpers import Build, build_site

pytestmark = pytest.mark.browser

AS_OF = dt.date(2024, 1, 1)
BUNDLE_PAGES = 12
PARKING = """\
title: 第{number}号院停车难
platform: street
date: {date}
form: 会议协商
topic:
  source: 群众反映
  categories: [停车管理]
  background: 院内停车位不足。
participants:
  groups:
    - role: 群众代表
      count: 5
consensus:
  reached: false
  summary: 另行商议。
"""


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("bundled")
    tree = ContentTree(work / "repo")
    tree.write_platforms()
    for number in range(36):
        year, month = 2021 + number // 12, 1 + number % 12
        if (year, month) == (2021, 3):
            continue  # the leaking basement's month
        tree.write(f"cases/{year}-tingche-{month:02d}.yml",
                   PARKING.format(number=number + 1, date=f"{year}-{month:02d}-15"))
    tree.write("cases/2021-jidian-loushui.yml", CASE.replace("2022-", "2021-"))
    return build_site(work / "build", tree.dir, AS_OF, search_bundle_pages=BUNDLE_PAGES)


SERVED: list[str] = []  # what the server was asked for, the web worker's requests included


@pytest.fixture(scope="module")
def bundled_server(bundled: Build) -> Iterator[StaticServer]:
    with serve_directory(bundled.site, served=SERVED) as server:
        yield server


def served() -> list[str]:
    """The paths asked for since the last call."""
    paths = list(SERVED)
    SERVED.clear()
    return paths


def dates(browser: WebDriver) -> list[str]:
    return [t.get_attribute("datetime") or "" for t in
            browser.find_elements(By.CSS_SELECTOR, "#xs-search-results time")]


def show_all(browser: WebDriver) -> None:
    """Press 显示更多结果 until every result is on the page."""
    more = browser.find_element(By.ID, "xs-search-next")
    while more.is_displayed():
        shown = len(dates(browser))
        browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", more)
        WebDriverWait(browser, 10).until(lambda d, before=shown: len(dates(d)) > before)


def test_the_archive_is_in_three_bundles(bundled: Build) -> None:
    listed = json.loads((bundled.site / "pagefind/bundles.json").read_text(encoding="utf-8"))
    assert [(b["path"], b["cases"], b["from"], b["to"]) for b in listed["bundles"]] == [
        ("", 12, "2023-01-15", "2023-12-15"),
        ("older/2/", 12, "2022-01-15", "2022-12-15"),
        ("older/1/", 12, "2021-01-15", "2021-12-15"),
    ]
    assert (bundled.site / "pagefind/pagefind.js").is_file()
    assert sorted(path.name for path in (bundled.site / "pagefind/older/1").iterdir()
                  if path.is_file())[:1] == ["pagefind-entry.json"]
    assert not list((bundled.site / "pagefind/older/1").glob("*.js"))
    assert not list((bundled.site / "pagefind/older/1").glob("wasm.*"))


def test_the_first_search_looks_in_the_newest_cases_and_says_so(
    browser: WebDriver, bundled_server: StaticServer
) -> None:
    served()
    results = open_search(browser, bundled_server, q="停车")
    assert results.message == "找到 12 条结果，只搜索了2023年1月至2023年12月的案例"
    scope = browser.find_element(By.ID, "xs-search-scope")
    assert scope.is_displayed()
    assert "只搜索了2023年1月至2023年12月的案例和全部协商平台。" in scope.text
    button = browser.find_element(By.ID, "xs-search-older")
    assert button.text == "也搜索更早的案例（2021年1月至2022年12月）"
    assert button.size["height"] >= 44
    paths = served()
    assert "/pagefind/bundles.json" in paths
    assert [path for path in paths if path.endswith(".pf_meta")]
    assert not [path for path in paths if "/pagefind/older/" in path]
    assert_clean(browser, bundled_server)


def test_the_button_searches_the_older_cases_too(
    browser: WebDriver, bundled_server: StaticServer
) -> None:
    open_search(browser, bundled_server, q="停车")
    served()
    browser.find_element(By.ID, "xs-search-older").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(
        By.ID, "xs-search-live").text == "找到 35 条结果")
    assert not browser.find_element(By.ID, "xs-search-scope").is_displayed()
    assert "all=1" in browser.current_url
    paths = served()
    assert {path.split("/pagefind/")[1].split("pagefind.")[0] for path in paths
            if path.endswith(".pf_meta")} == {"older/1/", "older/2/"}
    assert not [path for path in paths if "older" in path and path.endswith((".js", ".pagefind"))]
    focused = browser.switch_to.active_element
    assert focused.tag_name == "a" and "/cases/" in (focused.get_attribute("href") or "")
    # The address keeps the wider search: opened again, it searches everything at once.
    browser.get(browser.current_url)
    assert wait_for_results(browser).message == "找到 35 条结果"
    assert_clean(browser, bundled_server)


def test_a_query_the_newest_cases_do_not_answer_searches_the_older_ones_unasked(
    browser: WebDriver, bundled_server: StaticServer
) -> None:
    results = open_search(browser, bundled_server, q="漏水")
    assert results.message == "找到 1 条结果"
    assert results.first(bundled_server) == "cases/2021-jidian-loushui/"
    assert not browser.find_element(By.ID, "xs-search-scope").is_displayed()


def test_a_year_searches_only_the_bundle_of_that_year(
    browser: WebDriver, bundled_server: StaticServer
) -> None:
    served()
    results = open_search(browser, bundled_server, q="停车", year="2021")
    assert results.message == "找到 11 条结果"
    urls = served()
    assert [url for url in urls if "/pagefind/older/1/" in url]
    assert not [url for url in urls if "/pagefind/older/2/" in url]
    assert {date[:4] for date in dates(browser)} == {"2021"}
    # Every year of the archive can be chosen, not only the newest bundle's.
    browser.find_element(By.CSS_SELECTOR, "#xs-search-options summary").click()
    years = [o.get_attribute("value") for o in
             Select(browser.find_element(By.ID, "xs-search-year")).options]
    assert years == ["", "2023", "2022", "2021"]
    assert_clean(browser, bundled_server)


@pytest.mark.parametrize("order", ["new", "old"])
def test_the_date_order_runs_across_bundles(
    browser: WebDriver, bundled_server: StaticServer, order: str
) -> None:
    results = open_search(browser, bundled_server, q="停车", sort=order, all="1")
    assert results.message == "找到 35 条结果"
    show_all(browser)
    found = dates(browser)
    assert len(found) == 35
    assert found == sorted(found, reverse=order == "new")


def test_the_oldest_first_needs_no_button(
    browser: WebDriver, bundled_server: StaticServer
) -> None:
    results = open_search(browser, bundled_server, q="停车", sort="old")
    assert results.message == "找到 35 条结果"
    assert dates(browser)[0] == "2021-01-15"


def test_the_scope_line_is_accessible(browser: WebDriver, bundled_server: StaticServer) -> None:
    open_search(browser, bundled_server, q="停车")
    violations = run_axe(browser)
    assert not violations, format_violations(violations)


def test_what_was_searched_is_said_when_a_year_left_a_bundle_loaded(
    browser: WebDriver, bundled_server: StaticServer
) -> None:
    open_search(browser, bundled_server, q="停车", year="2021")  # opens 筛选和排序
    Select(browser.find_element(By.ID, "xs-search-year")).select_by_value("")
    WebDriverWait(browser, 20).until(lambda d: "year=" not in d.current_url and d.find_element(
        By.ID, "xs-search-live").text.startswith("找到 23 条结果"))
    assert browser.find_element(By.ID, "xs-search-live").text == (
        "找到 23 条结果，只搜索了2023年1月至2023年12月、2021年1月至2021年12月的案例")
    assert browser.find_element(By.ID, "xs-search-older").text == (
        "也搜索更早的案例（2022年1月至2022年12月）")
