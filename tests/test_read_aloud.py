"""朗读: a case page read aloud by the browser's own speech synthesis (assets/read-aloud.js).

Headless Chromium has no voices of its own, so each test gives the page a stand-in for
``speechSynthesis`` (injected before the page's scripts) that records what it is asked
to say: with a zh-CN voice, none, one arriving late, or no speech synthesis at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from tests.accessibility import TARGET, choose_mode, script_errors
from tests.browser import StaticServer, format_violations, run_axe, set_viewport
from tests.test_site_helpers import Build

pytestmark = pytest.mark.browser

CASE = "cases/2022-jidian-xiaoqu-jishui/"
MANDARIN = {"lang": "zh-CN", "name": "普通话（测试）"}
ENGLISH = {"lang": "en-US", "name": "English (test)"}

# A stand-in for the Web Speech API: voices as given; speak() records the utterance and
# starts it; window.__speech.finish() ends every utterance; addVoices() as a browser
# whose voices arrive late.
_STAND_IN = """
(() => {
  const speech = {voices: %s, said: [], utterances: [], cancelled: 0, listeners: []};
  speech.finish = () => speech.utterances.forEach(u => u.onend && u.onend());
  speech.addVoices = (voices) => {
    speech.voices = voices;
    speech.listeners.forEach(listener => listener(new Event('voiceschanged')));
  };
  window.__speech = speech;
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    getVoices: () => speech.voices,
    speak(u) {
      speech.utterances.push(u);
      speech.said.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.lang});
      if (speech.said.length === 1 && u.onstart) u.onstart();
    },
    cancel() { speech.cancelled += 1; },
    addEventListener(type, listener) {
      if (type === 'voiceschanged') speech.listeners.push(listener);
    },
  }});
})();
"""
_NO_SPEECH = ("Object.defineProperty(window, 'speechSynthesis',"
              " {configurable: true, value: undefined});")


@pytest.fixture
def speech(browser: WebDriver, server: StaticServer) -> Iterator[Any]:
    """``speech(voices)`` loads the case page with a stand-in that has ``voices`` (None:
    no speech synthesis at all)."""
    identifiers: list[str] = []

    def load(voices: list[dict[str, str]] | None, url: str = CASE) -> None:
        source = _NO_SPEECH if voices is None else _STAND_IN % json.dumps(voices)
        identifiers.append(browser.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": source})["identifier"])
        browser.get(server / url)

    yield load
    for identifier in identifiers:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                                {"identifier": identifier})
    choose_mode(browser, server, None)


def button(driver: WebDriver) -> Any:
    return driver.find_element(By.CSS_SELECTOR, "button[data-xs-read]")


def test_case_pages_carry_the_button_hidden(site: Build) -> None:
    page = site.page(CASE)
    (read,) = page.find("button", class_="xs-read-button")
    assert read.text == "朗读" and "hidden" in read.attrs and read.attrs["type"] == "button"
    assert not site.page("platforms/yingze/").find("button", class_="xs-read-button")
    assert not site.page("cases/2022-jidian-xiaoqu-loushui/").find(  # withdrawn
        "button", class_="xs-read-button")


@pytest.mark.parametrize("voices", [None, [], [ENGLISH]], ids=["no-speech", "no-voice",
                                                                "english-only"])
def test_hidden_without_a_chinese_voice(
    browser: WebDriver, speech: Any, voices: list[dict[str, str]] | None
) -> None:
    speech(voices)
    assert not button(browser).is_displayed()
    assert script_errors(browser) == []


def test_shown_when_a_chinese_voice_arrives(browser: WebDriver, speech: Any) -> None:
    speech([ENGLISH])
    assert not button(browser).is_displayed()
    browser.execute_script("window.__speech.addVoices(arguments[0])", [ENGLISH, MANDARIN])
    assert button(browser).is_displayed()


def test_reads_the_case_in_mandarin_and_stops(browser: WebDriver, speech: Any) -> None:
    speech([ENGLISH, MANDARIN])
    read = button(browser)
    assert read.is_displayed() and read.text == "朗读"
    read.click()
    said = browser.execute_script("return window.__speech.said")
    assert said and all(s["lang"] == "zh-CN" and s["voice"] == "zh-CN" for s in said)
    texts = [s["text"] for s in said]
    title = browser.find_element(By.CSS_SELECTOR, "h1").text
    assert texts[1] == title, texts[:3]  # after the status badge: the title
    assert any(t.startswith("协商日期") for t in texts), texts  # the facts, label and value
    assert any(t == "议题背景" for t in texts)
    whole = "".join(texts)
    for unread in ("打印公示", "朗读", "修订记录", "协商结果公示", "在 GitHub 上修改此记录"):
        assert unread not in whole, unread
    assert read.text == "停止朗读"
    assert browser.find_elements(By.CSS_SELECTOR, ".xs-reading")  # the block being read
    read.click()
    assert browser.execute_script("return window.__speech.cancelled") >= 1
    assert read.text == "朗读"
    assert not browser.find_elements(By.CSS_SELECTOR, ".xs-reading")
    # Read to the end: the button is ready again.
    read.click()
    browser.execute_script("window.__speech.finish()")
    WebDriverWait(browser, 5).until(lambda d: button(d).text == "朗读")
    assert script_errors(browser) == []


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("width", [390, 1280])
def test_button_is_large_enough_and_accessible(
    browser: WebDriver, server: StaticServer, speech: Any, width: int, elder: bool
) -> None:
    choose_mode(browser, server, elder)
    set_viewport(browser, width, 844, mobile=width < 500)
    speech([MANDARIN])
    size = button(browser).size
    assert size["width"] >= TARGET[elder] and size["height"] >= TARGET[elder], size
    violations = run_axe(browser, "button[data-xs-read]")
    assert not violations, format_violations(violations)
