"""The editors' form at /admin/ in real Chromium, against ``make edit``'s local mode.

One ``python -m generator edit`` (decap-server and the engine's preview) on a copy
of the sample archive for the module; the tests fill Decap's form as an editor
would, save, and read what landed on disk: that it passes ``generator check``,
that the rebuilt page shows it, that an edit touches only its own lines, and that
values the format refuses are refused by the form, or else by the check, in the
check's words. ``make screenshots`` retakes the how-to page's screenshots.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from generator.engine.edit import DECAP_SERVER, stop
from generator.records.ids import suggest_id
from generator.site.cms import MOBILE_MESSAGE
from tests.browser import console_errors, external_requests, free_port, screenshot, unavailable
from tests.test_elder_mode import png_size
from tests.test_site_helpers import ROOT, SAMPLE_AS_OF, SAMPLE_CONTENT, epoch

PREFIX = "/archive/"  # the path of mkdocs.yml's site_url, where the preview serves the site
HOWTO_IMAGES = ROOT / "generator" / "site" / "assets" / "help"
WAIT_S = 60
SCREEN = (1280, 800)


@dataclass(frozen=True)
class Editing:
    """A running ``generator edit`` on a copy of the sample archive."""

    work: Path
    port: int
    api_port: int
    log: Path

    @property
    def content(self) -> Path:
        return self.work / "content"

    @property
    def form(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}admin/?api={self.api_port}"

    def page(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}{path.lstrip('/')}"


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def _wait(condition: Callable[[], object], what: str, log: Path | None = None,
          seconds: float = WAIT_S) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.3)
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


@pytest.fixture(scope="module")
def editing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Editing]:
    if shutil.which("node") is None or not DECAP_SERVER.is_file():
        unavailable("Node.js or node_modules/decap-server missing (`make test` runs npm ci)")
    work = tmp_path_factory.mktemp("edit")
    shutil.copytree(SAMPLE_CONTENT, work / "content")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = str(ROOT / "theme_overrides")
    config["plugins"][0]["xieshang"] |= {"search": False, "admin_form": True}
    (work / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    port, api_port = free_port(), free_port()
    log = work / "edit.log"
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(SAMPLE_AS_OF), "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "edit", "--port", str(port),
             "--api-port", str(api_port)],
            cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        editing = Editing(work, port, api_port, log)
        try:
            _wait(lambda: _get(editing.page("admin/")), "the preview to serve /admin/", log)
            yield editing
        finally:
            stop(process, 30)


def check(editing: Editing, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(SAMPLE_AS_OF)}
    return subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", str(editing.content),
         *map(str, paths)], cwd=editing.work, env=env, capture_output=True, text=True,
        check=False)


# ---------------------------------------------------------------------------
# Driving Decap's form


def open_form(browser: WebDriver, editing: Editing, route: str,
              ready: str | None = "label[for]") -> None:
    """The form at ``#/<route>``, signed in to the local backend (a button, no password).

    Decap's drafts of earlier tests are cleared first: Decap would ask, in a dialog that
    holds up the page's loading, whether to restore one.
    """
    browser.execute_cdp_cmd("Storage.clearDataForOrigin", {
        "origin": f"http://127.0.0.1:{editing.port}", "storageTypes": "all"})
    browser.get(editing.form)
    _wait(lambda: browser.find_elements(By.XPATH, "//button[contains(., '登录')]")
          or browser.find_elements(By.CSS_SELECTOR, "[class*=AppHeader]"), "Decap to start")
    for button in browser.find_elements(By.XPATH, "//button[contains(., '登录')]"):
        button.click()
    browser.get(f"{editing.form}#/{route}")
    if ready:
        _wait(lambda: browser.find_elements(By.CSS_SELECTOR, ready), "the form's fields")


_FIELDS = """
const [title, before] = arguments;
const labels = [...document.querySelectorAll('label[for]')];
const titled = (label, text) => label.firstChild && label.firstChild.textContent.trim() === text;
const limit = before ? labels.filter(label => titled(label, before)).pop() : null;
const out = [];
for (const label of labels) {
  if (limit && !(label.compareDocumentPosition(limit) & Node.DOCUMENT_POSITION_FOLLOWING)) break;
  const target = document.getElementById(label.getAttribute('for'));
  if (titled(label, title) && target && /^(INPUT|TEXTAREA)$/.test(target.tagName)) out.push(target);
}
return out;
"""


def field(browser: WebDriver, title: str, nth: int = -1, before: str | None = None) -> WebElement:
    """The ``nth`` input labelled ``title`` (by default the last, the one just added);
    ``before``: among those before the last field labelled so (in another list's element)."""
    found = _wait(lambda: browser.execute_script(_FIELDS, title, before), f"the field {title}")
    assert isinstance(found, list)
    return found[nth]


def type_into(browser: WebDriver, title: str, text: str, nth: int = -1) -> None:
    element = field(browser, title, nth)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.send_keys(text)


def choose(browser: WebDriver, title: str, text: str, nth: int = -1) -> None:
    """A select or relation (react-select): type to filter, wait for the option, Enter."""
    element = field(browser, title, nth)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.send_keys(text)
    option = f"//*[contains(@id, '-option-')][contains(., '{text}')]"
    _wait(lambda: browser.find_elements(By.XPATH, option), f"the option {text} of {title}")
    element.send_keys(Keys.ENTER)


_SET_DATE = """
const [input, value] = arguments;
Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, value);
input.dispatchEvent(new Event('input', {bubbles: true}));
input.dispatchEvent(new Event('change', {bubbles: true}));
"""


def set_date(browser: WebDriver, title: str, day: str, before: str | None = None) -> None:
    browser.execute_script(_SET_DATE, field(browser, title, before=before), day)


def click_text(browser: WebDriver, text: str, tag: str = "button") -> None:
    xpath = f"//{tag}[normalize-space(.)='{text}']"
    element = _wait(lambda: browser.find_elements(By.XPATH, xpath), text)
    assert isinstance(element, list)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element[-1])
    element[-1].click()


def expand(browser: WebDriver, title: str) -> None:
    """Open an optional object (collapsed until the editor needs it): its chevron button."""
    label = field_label(browser, title)
    toggle = label.find_element(By.XPATH, "following::button[1]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", toggle)
    toggle.click()


def field_label(browser: WebDriver, title: str) -> WebElement:
    labels = [label for label in browser.find_elements(By.CSS_SELECTOR, "label[for]")
              if browser.execute_script(
                  "return arguments[0].firstChild && arguments[0].firstChild.textContent.trim()",
                  label) == title]
    assert labels, f"no field {title}"
    return labels[-1]


def publish(browser: WebDriver) -> None:
    click_text(browser, "发布", "*[@role='button' or self::span or self::button]")
    click_text(browser, "立即发布", "*")


def page_text(browser: WebDriver) -> str:
    return str(browser.execute_script("return document.body.innerText"))


# ---------------------------------------------------------------------------
# The tests


NEW_ID = "2026-ceshi-tingche-xieshang"


def fill_new_case(browser: WebDriver, case_id: str, title: str, *, note: str = "已增设临时车位",
                  due: str = "2026-12-31") -> None:
    type_into(browser, "案例编号", case_id)
    type_into(browser, "议题", title)
    choose(browser, "协商平台", "新建社区")
    set_date(browser, "协商日期", "2026-10-20")
    choose(browser, "协商形式", "现场协商")
    choose(browser, "议题来源", "群众反映")
    click_text(browser, "新增分类")
    type_into(browser, "分类", "停车")
    type_into(browser, "议题背景", "小区停车位不足，居民反映夜间乱停车。")
    click_text(browser, "新增参与群体")
    choose(browser, "身份", "群众代表")
    type_into(browser, "人数", "12")
    expand(browser, "协商结果")
    type_into(browser, "共识概要", "增设临时车位，规范夜间停车。")
    click_text(browser, "新增共识事项")
    type_into(browser, "事项内容", "在小区东侧空地增设临时车位")
    type_into(browser, "责任单位", "社区居委会")
    set_date(browser, "完成期限", due)
    click_text(browser, "新增跟踪落实")
    set_date(browser, "日期", "2026-11-10", before="对应事项")
    type_into(browser, "对应事项", "1")
    choose(browser, "进展", "推进中")
    type_into(browser, "说明", note)


def test_records_read_and_written_unchanged_come_out_byte_for_byte(
        browser: WebDriver, editing: Editing) -> None:
    """What the form writes for a record nobody changed, over every sample record: only a
    file whose keys are not in the format's order comes out different (reordered)."""
    open_form(browser, editing, "collections/cases", ready=None)
    _wait(lambda: browser.execute_script("return Boolean(window.xieshangForm)"), "the glue")
    files = sorted(SAMPLE_CONTENT.rglob("*.yml"))
    texts = [path.read_text(encoding="utf-8") for path in files]
    written = browser.execute_script(
        "return arguments[0].map(text => xieshangForm.toYaml(xieshangForm.fromYaml(text)))", texts)
    changed = {path.name for path, text, out in zip(files, texts, written, strict=True)
               if out != text}
    assert len(files) > 20
    assert changed == {"2022-jidian-xiaoqu-loushui.yml"}  # withdrawn: written before topic



def test_the_form_loads_everything_from_the_site_and_has_a_platform_form(
        browser: WebDriver, editing: Editing) -> None:
    """No CDN: every request goes to the site or to decap-server; no script error."""
    open_form(browser, editing, "collections/platforms/new")
    for title in ("平台编号", "平台名称", "层级", "上级平台", "方法名称", "联系方式"):
        field_label(browser, title)
    requests = external_requests(browser, f"http://127.0.0.1:{editing.port}")
    assert [url for url in requests
            if not url.startswith(f"http://127.0.0.1:{editing.api_port}/")] == []
    assert console_errors(browser) == []

def take_screenshot(browser: WebDriver, name: str, tmp_path: Path) -> None:
    """A screenshot for the how-to page: into the site's help images under ``make
    screenshots`` (XS_UPDATE_SCREENSHOTS=1), else into ``tmp_path``, checked against the
    committed one's size (pixels move with every font or Chromium release)."""
    update = os.environ.get("XS_UPDATE_SCREENSHOTS") == "1"
    committed = HOWTO_IMAGES / name
    shot = screenshot(browser, committed if update else tmp_path / name, *SCREEN)
    assert committed.is_file(), "make screenshots writes it"
    assert png_size(committed.read_bytes()) == png_size(shot.read_bytes()) == SCREEN


def test_a_case_made_in_the_form_passes_the_check_and_shows_on_its_page(
        browser: WebDriver, editing: Editing, tmp_path: Path) -> None:
    open_form(browser, editing, "collections/cases", ready=None)
    _wait(lambda: "迎泽街道长者食堂选址和就餐补贴" in page_text(browser), "the list of cases")
    take_screenshot(browser, "form-cases.png", tmp_path)
    open_form(browser, editing, "collections/cases/new")
    fill_new_case(browser, NEW_ID, "小区夜间停车难")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})",
                           field_label(browser, "案例编号"))
    take_screenshot(browser, "form-new-case.png", tmp_path)
    publish(browser)
    path = editing.content / "cases" / "yingze" / f"{NEW_ID}.yml"
    _wait(path.is_file, f"{path} to be written", editing.log)
    text = path.read_text(encoding="utf-8")
    assert text == (
        "title: 小区夜间停车难\n"
        "platform: yingze-yingzejie-xinjian\n"
        "date: 2026-10-20\n"
        "form: 现场协商\n"
        "\n"
        "topic:\n"
        "  source: 群众反映\n"
        "  categories: [停车]\n"
        "  background: 小区停车位不足，居民反映夜间乱停车。\n"
        "\n"
        "participants:\n"
        "  groups:\n"
        "    - role: 群众代表\n"
        "      count: 12\n"
        "\n"
        "consensus:\n"
        "  summary: 增设临时车位，规范夜间停车。\n"
        "  items:\n"
        "    - text: 在小区东侧空地增设临时车位\n"
        "      owner: 社区居委会\n"
        "      due: 2026-12-31\n"
        "\n"
        "follow_up:\n"
        "  - date: 2026-11-10\n"
        "    item: 1\n"
        "    status: 推进中\n"
        "    note: 已增设临时车位\n"
    )
    result = check(editing, path)
    assert result.returncode == 0, result.stdout + result.stderr
    page = _wait(lambda: (html := _get(editing.page(f"cases/{NEW_ID}/")))
                 and "小区夜间停车难" in html and html, "the rebuilt page", editing.log)
    assert "在小区东侧空地增设临时车位" in str(page) and "已增设临时车位" in str(page)


def replace_text(browser: WebDriver, title: str, text: str) -> None:
    element = field(browser, title)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(text)


# Titles where pinyin-pro (in the form) and pypinyin (generator new) agree.
SUGGESTIONS = {"社区食堂": "2026-shequ-shitang", "加装电梯": "2026-jiazhuang-dianti",
               "停车难": "2026-tingche-nan", "长者饭堂": "2026-zhangzhe-fantang"}


def test_a_new_case_s_id_follows_its_title_and_date_until_the_editor_types_one(
        browser: WebDriver, editing: Editing) -> None:
    assert {title: suggest_id(title, 2026) for title in SUGGESTIONS} == SUGGESTIONS
    open_form(browser, editing, "collections/cases/new")
    case_id = field(browser, "案例编号")
    set_date(browser, "协商日期", "2026-10-20")
    for title, expected in SUGGESTIONS.items():
        replace_text(browser, "议题", title)
        _wait(lambda expected=expected: case_id.get_attribute("value") == expected,
              f"the id {expected}")
    set_date(browser, "协商日期", "2025-12-01")
    _wait(lambda: case_id.get_attribute("value") == "2025-zhangzhe-fantang", "the year to follow")
    # Typed by the editor: the title no longer changes it.
    replace_text(browser, "案例编号", "2025-wode-bianhao")
    replace_text(browser, "议题", "社区食堂")
    time.sleep(1)
    assert case_id.get_attribute("value") == "2025-wode-bianhao"
    # Emptied: the next title fills it again.
    replace_text(browser, "案例编号", "")
    replace_text(browser, "议题", "停车难")
    _wait(lambda: case_id.get_attribute("value") == "2025-tingche-nan", "the id to follow again")


EXISTING = Path("cases") / "yingze" / "2024-yingzejie-zhangzhe-shitang.yml"


def test_a_follow_up_added_in_the_form_changes_only_those_lines(
        browser: WebDriver, editing: Editing) -> None:
    path = editing.content / EXISTING
    before = path.read_text(encoding="utf-8")
    open_form(browser, editing, "collections/cases/entries/yingze/2024-yingzejie-zhangzhe-shitang")
    assert field(browser, "案例编号").get_attribute("value") == "2024-yingzejie-zhangzhe-shitang"
    click_text(browser, "新增跟踪落实")
    set_date(browser, "日期", "2025-03-01", before="对应事项")
    type_into(browser, "对应事项", "2")
    choose(browser, "进展", "已完成")
    type_into(browser, "说明", "周末早餐开始供应")
    publish(browser)
    _wait(lambda: path.read_text(encoding="utf-8") != before, "the file to change", editing.log)
    added = ("  - date: 2025-03-01\n"
             "    item: 2\n"
             "    status: 已完成\n"
             "    note: 周末早餐开始供应\n")
    end_of_follow_up = "    note: 就餐补贴开始发放，首批为37位老人提供送餐服务\n"
    assert path.read_text(encoding="utf-8") == before.replace(
        end_of_follow_up, end_of_follow_up + added)
    assert check(editing, path).returncode == 0


def test_values_the_format_refuses_are_refused_by_the_form_or_else_by_the_check(
        browser: WebDriver, editing: Editing) -> None:
    case_id = "2026-ceshi-jujue"
    open_form(browser, editing, "collections/cases/new")
    fill_new_case(browser, case_id, "议" * 61, note="联系人电话 13812345678")
    publish(browser)
    _wait(lambda: "最多 60 个字符" in page_text(browser), "the form to refuse the title")
    text = page_text(browser)
    assert MOBILE_MESSAGE in text
    path = editing.content / "cases" / "yingze" / f"{case_id}.yml"
    assert not path.exists()
    # Fixed; but a due date before the consultation is a rule between fields: the check's.
    title = field(browser, "议题", 0)
    title.send_keys(Keys.BACKSPACE)
    note = field(browser, "说明")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", note)
    note.send_keys(*[Keys.BACKSPACE] * len("13812345678"))
    set_date(browser, "完成期限", "2026-10-01")
    publish(browser)
    _wait(path.is_file, f"{path} to be written", editing.log)
    result = check(editing, path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"content/cases/yingze/{case_id}.yml:21:7: consensus.items[1].due: "
        "完成期限 2026-10-01 早于协商日期 2026-10-20")
    # The preview cannot rebuild now; the form, served by make edit's front, still opens.
    open_form(browser, editing, "collections/cases/new")
    path.unlink()

