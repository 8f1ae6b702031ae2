"""What the accessibility and 长辈模式 tests share: the page kinds, the two modes, measuring.

Not a test module: ``tests/test_accessibility.py``, ``tests/test_elder_mode.py`` and
``tests/test_read_aloud.py`` import from it. Sizes are CSS pixels from
``getBoundingClientRect``; text sizes and line heights from ``getComputedStyle``.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import StaticServer, set_viewport

KEY = "xs-elder"  # where assets/elder.js keeps the reader's choice (localStorage)
MODES = {"normal": False, "elder": True}
WIDTHS = (390, 1280)
HEIGHT = 844
# Smallest control, CSS px: MIIT's 适老化 specification, 44 x 44 outside an elder version.
TARGET = {False: 44, True: 60}
ELDER_TEXT_PX = 24  # 18 pt
ELDER_LINE_HEIGHT = 1.5
WAIT_S = 20

SEARCH_QUERY = {"q": "停车", "platform": "有事来商量（山西省太原市）"}

# Every kind of page of the sample site (tests/fixtures/sample/content).
PAGES = {
    "home": "",
    "case": "cases/2022-jidian-xiaoqu-jishui/",
    "overdue-case": "cases/2024-shizhong-laojiu-xiaoqu-chongdianzhuang/",
    "withdrawn-case": "cases/2022-jidian-xiaoqu-loushui/",
    "platforms": "platforms/",
    "platform": "platforms/yingze/",
    "print-bundle": "platforms/yingze/print/",
    "categories": "categories/",
    "category": "categories/laojiu-xiaoqu/",
    "years": "years/",
    "year": "years/2024/",
    "follow-up": "follow-up/",
    "search": "search/?" + urllib.parse.urlencode(SEARCH_QUERY),
    "data": "data/",
    "about": "about/",
    "how-to-take-part": "how-to-take-part/",
    "how-to-submit": "how-to-submit/",
}

# What a reader operates: Material's header and navigation, our buttons and fields,
# pagination. Text links inside sentences and lists are not controls.
CONTROLS = ", ".join((
    ".md-header__button", ".xs-header-search__input", ".xs-header-search__button",
    ".xs-elder-switch", ".md-content__button", ".md-top", ".md-skip",
    ".md-sidebar .md-nav__link", ".md-footer__link",
    "button", "summary", "select", "input:not([type=hidden])", "textarea",
    ".xs-pager a", ".xs-pages a", "[role=button]",
))


def choose_mode(driver: WebDriver, server: StaticServer, elder: bool | None) -> None:
    """Store the 长辈模式 choice for the server's origin as the switch does (None: forget it).

    Done from a small file of the site, which gives the page its origin's storage.
    """
    driver.get(server / "assets/elder.css")
    if elder is None:
        driver.execute_script("localStorage.removeItem(arguments[0])", KEY)
    else:
        driver.execute_script("localStorage.setItem(arguments[0], arguments[1])", KEY,
                              "on" if elder else "off")


def open_page(driver: WebDriver, server: StaticServer, name: str, width: int,
              elder: bool) -> None:
    """Page ``name`` of ``PAGES`` in a ``width`` px viewport (a phone below 500), in a mode.

    The search page is ready when it has said how many results it found, with its
    filters open and filled in.
    """
    choose_mode(driver, server, elder)
    set_viewport(driver, width, HEIGHT, mobile=width < 500)
    driver.get(server / PAGES[name])
    assert driver.execute_script("return document.documentElement.dataset.xsElder") == (
        "on" if elder else "off")
    if name == "search":
        wait_for_search(driver)
        open_filters(driver)


def wait_for_search(driver: WebDriver) -> str:
    """The search page's status line, once it has said how many results it found."""
    WebDriverWait(driver, WAIT_S).until(lambda d: d.execute_script(
        "const live = document.getElementById('xs-search-live');"
        "const list = document.getElementById('xs-search-results');"
        "return live.textContent.length > 0 && !list.hasAttribute('aria-busy');"
    ))
    return str(driver.execute_script(
        "return document.getElementById('xs-search-live').textContent"))


def open_filters(driver: WebDriver) -> None:
    driver.execute_script("document.getElementById('xs-search-options').open = true")
    WebDriverWait(driver, WAIT_S).until(lambda d: d.execute_script(
        "return document.getElementById('xs-search-year').options.length > 1"))


@dataclass(frozen=True)
class Box:
    name: str
    width: float
    height: float
    left: float
    right: float
    key: str = ""  # the data-xs-key a test gave it, if any

    def __str__(self) -> str:
        return f"{self.name} {self.width:.1f} x {self.height:.1f}"


_CONTROLS_JS = """
const [selector] = arguments;
const top = document.querySelector('.md-top');
if (top) top.hidden = false;  // 回到页面顶部 shows once the reader scrolls back up
const out = [];
for (const el of document.querySelectorAll(selector)) {
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  if (!r.width || !r.height || style.visibility !== 'visible' || style.opacity === '0') continue;
  if (el.closest('[hidden], .xs-visually-hidden')) continue;
  const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim();
  const name = el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join('')
    + (el.id ? '#' + el.id : '') + (text ? ` "${text.slice(0, 12)}"` : '');
  out.push([name, r.width, r.height, r.left, r.right, el.dataset.xsKey || '']);
}
return out;
"""


def controls(driver: WebDriver) -> list[Box]:
    """Every control shown on the current page, with its size."""
    return [Box(*row) for row in driver.execute_script(_CONTROLS_JS, CONTROLS)]


def too_small(boxes: list[Box], smallest: float) -> list[str]:
    # Half a pixel of leeway: layout rounds fractional rem sizes.
    return [str(b) for b in boxes if b.width < smallest - 0.5 or b.height < smallest - 0.5]


_SMALL_TEXT_JS = """
const [px, spacing] = arguments;
const out = [];
const content = document.querySelector('.md-content');
const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const el = node.parentElement;
  if (!node.textContent.trim() || !el.getClientRects().length) continue;
  // A bundle's notices on screen are the size they print at; hidden labels are for screen readers.
  if (el.closest('.xs-notice, .xs-visually-hidden, script, style')) continue;
  const style = getComputedStyle(el);
  if (style.visibility !== 'visible') continue;
  const size = parseFloat(style.fontSize);
  const spaced = style.lineHeight === 'normal' ? 1.2 : parseFloat(style.lineHeight) / size;
  if (size < px - 0.01 || spaced < spacing - 0.01) {
    out.push(`${el.tagName.toLowerCase()}.${el.className} "${node.textContent.trim().slice(0, 12)}"`
             + ` ${size.toFixed(1)} px, line height ${spaced.toFixed(2)}`);
  }
}
return out;
"""


def small_text(driver: WebDriver, px: float = ELDER_TEXT_PX,
               spacing: float = ELDER_LINE_HEIGHT) -> list[str]:
    """Text shown in the page's content smaller than ``px`` or with tighter lines."""
    return list(driver.execute_script(_SMALL_TEXT_JS, px, spacing))


_CUT_OFF_JS = """
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  if (!el.getClientRects().length || el.closest('.md-header__title')) continue;
  const style = getComputedStyle(el);
  if (style.visibility !== 'visible' || el.clientWidth <= 1 || el.clientHeight <= 1) continue;
  const clipsX = ['hidden', 'clip', 'auto', 'scroll'].includes(style.overflowX);
  const clipsY = ['hidden', 'clip'].includes(style.overflowY);
  if ((clipsX && el.scrollWidth > el.clientWidth + 1)
      || (clipsY && el.scrollHeight > el.clientHeight + 1)) {
    out.push(`${el.tagName.toLowerCase()}.${el.className} (${el.scrollWidth} x ${el.scrollHeight}`
             + ` in ${el.clientWidth} x ${el.clientHeight})`);
  }
}
return out;
"""


def cut_off(driver: WebDriver) -> list[str]:
    """Elements whose content is clipped or scrolls inside them.

    Not counted: visually hidden text for screen readers (1 px boxes) and the header's
    title, which Material ends with an ellipsis by design (the page's own <h1> is whole).
    """
    return list(driver.execute_script(_CUT_OFF_JS))


def script_errors(driver: WebDriver) -> list[str]:
    """Errors in the browser log since the last call from scripts (not failed loads)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry.get("level") == "SEVERE" and entry.get("source") != "network"]


def ax_nodes(driver: WebDriver) -> list[dict[str, Any]]:
    """The accessibility tree Chromium gives screen readers, as CDP's AXNodes."""
    return list(driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"])


def ax_value(node: dict[str, Any], key: str) -> Any:
    """``role``, ``name`` or ``value`` of an AXNode, or one of its properties."""
    if key in ("role", "name", "value"):
        return (node.get(key) or {}).get("value")
    for prop in node.get("properties", []):
        if prop["name"] == key:
            return prop["value"].get("value")
    return None
