"""The charts in real Chromium: legible in 长辈模式 on a 390 px phone without scrolling
sideways, their table opened too, and printed with the page.

axe-core and Lighthouse check the pages that carry them (the home and platform pages) in
tests/test_accessibility.py and tests/test_lighthouse.py; the counts are tested in
tests/test_charts.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from tests.accessibility import ELDER_TEXT_PX, choose_mode, open_page
from tests.browser import (
    StaticServer,
    has_horizontal_scroll,
    print_to_pdf,
    require_tool,
    wide_elements,
)

pytestmark = pytest.mark.browser

PAGES = ("home", "platform")  # tests/accessibility.py's names: the home page, platforms/yingze/

_MEASURE_JS = """
const out = [];
for (const svg of document.querySelectorAll('.xs-chart__plot')) {
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
            left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  });
  const bars = [...svg.querySelectorAll(':scope > rect')].map(r => r.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0).length;
  out.push({id: svg.closest('.xs-chart').id, left: box.left, right: box.right,
            width: box.width, height: box.height, display: getComputedStyle(svg).display,
            texts: texts, bars: bars});
}
return out;
"""


def charts(driver: WebDriver) -> list[dict[str, Any]]:
    return list(driver.execute_script(_MEASURE_JS))


@pytest.fixture
def page(browser: WebDriver, server: StaticServer) -> Iterator[WebDriver]:
    yield browser
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    choose_mode(browser, server, None)


def _problems(chart: dict[str, Any], smallest: float) -> list[str]:
    """Text smaller than ``smallest`` px, outside the chart, or running into its neighbour."""
    found = []
    texts = chart["texts"]
    for text in texts:
        if text["size"] < smallest - 0.01:
            found.append(f"{text['text']}: {text['size']} px")
        if text["left"] < chart["left"] - 0.5 or text["right"] > chart["right"] + 0.5:
            found.append(f"{text['text']}: outside the chart")
    for label, value in zip(texts[::2], texts[1::2], strict=True):  # each row: label, value
        if label["right"] > value["left"] - 4:
            found.append(f"{label['text']} runs into {value['text']}")
    return found


@pytest.mark.parametrize("name", PAGES)
def test_charts_are_legible_in_elder_mode_on_a_phone(
    page: WebDriver, server: StaticServer, name: str
) -> None:
    open_page(page, server, name, 390, elder=True)
    drawn = charts(page)
    assert {c["id"] for c in drawn} == {"xs-chart-cases", "xs-chart-items",
                                        "xs-chart-satisfaction"}
    for chart in drawn:
        assert chart["width"] > 300 and chart["height"] > 100, chart["id"]
        assert chart["bars"] > 0, chart["id"]
        assert not _problems(chart, ELDER_TEXT_PX), (chart["id"], _problems(chart, ELDER_TEXT_PX))
    assert not has_horizontal_scroll(page), wide_elements(page)
    # The tables of numbers, opened, fit the phone too.
    page.execute_script("for (const d of document.querySelectorAll('.xs-chart__data')) "
                        "d.open = true;")
    widths = page.execute_script(
        "return [...document.querySelectorAll('.xs-table--chart')]"
        ".map(t => t.getBoundingClientRect().right)")
    assert len(widths) == 3 and max(widths) <= 390, widths
    assert not has_horizontal_scroll(page), wide_elements(page)


@pytest.mark.parametrize("name", PAGES)
def test_charts_are_legible_on_a_wide_screen(
    page: WebDriver, server: StaticServer, name: str
) -> None:
    open_page(page, server, name, 1280, elder=False)
    for chart in charts(page):
        assert not _problems(chart, 14), (chart["id"], _problems(chart, 14))


def test_charts_show_in_print_preview(page: WebDriver, server: StaticServer,
                                      tmp_path: Path) -> None:
    open_page(page, server, "platform", 1280, elder=True)
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    drawn = charts(page)
    assert len(drawn) == 3
    for chart in drawn:
        assert chart["display"] != "none" and chart["height"] > 100, chart["id"]
        assert not _problems(chart, 12), (chart["id"], _problems(chart, 12))
    # the closed table's 查看数据表 is a control: not on paper
    assert page.execute_script(
        "return [...document.querySelectorAll('.xs-chart__data')]"
        ".every(d => getComputedStyle(d).display === 'none')")
    pdf = print_to_pdf(page, server / "platforms/yingze/", tmp_path / "platform.pdf")
    text = subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    for words in ("各年协商案例（按办理结果）", "共识事项办理情况", "群众满意度（各年评议）",
                  "2022 年", "人次"):
        assert words in text, words
