"""Printing: case pages and bundles printed to PDF by headless Chromium, read back.

The sample archive is built once (``mkdocs build``, the real plugin), served on
127.0.0.1, and every case is printed with Chrome's own print path
(``Page.printToPDF``, the page's ``@page`` rule deciding the paper). The PDFs
are read back with poppler (``pdfinfo``, ``pdftotext``, ``pdffonts``,
``pdftoppm``) and zbar (``zbarimg``), as an office would see them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import (
    StaticServer,
    console_errors,
    format_violations,
    free_port,
    has_horizontal_scroll,
    print_to_pdf,
    require_tool,
    run_axe,
    set_viewport,
)
from tests.test_notices import assert_a4
from tests.test_site_helpers import (
    ENGINE,
    ROOT,
    SAMPLE_AS_OF,
    SAMPLE_CONTENT,
    Build,
    build_site,
    epoch,
    parse,
)

SITE_URL = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
HEADER = ("序号", "事项", "责任单位", "完成时限", "状态")


def _sample_cases() -> dict[str, dict]:
    found = {}
    for path in sorted(SAMPLE_CONTENT.glob("cases/**/*.yml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not record.get("withdrawn"):
            found[path.stem] = record
    return found


SAMPLE = _sample_cases()
# Every sample case with at most 6 consensus items must fit on one sheet.
ONE_PAGE = sorted(cid for cid, r in SAMPLE.items()
                  if len((r.get("consensus") or {}).get("items") or []) <= 6)


def permanent(case_id: str) -> str:
    return f"{SITE_URL}cases/{case_id}/"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path, page: int | None = None) -> str:
    """The text in drawing order (``-raw``): a table cell's lines stay together."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run([require_tool("pdftotext"), "-raw", *pages, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def pdf_pages(pdf: Path) -> list[str]:
    return [pdf_text(pdf, n) for n in range(1, assert_a4(pdf) + 1)]


def decode_qr(pdf: Path, tmp: Path, page: int = 1) -> list[str]:
    """The codes zbar finds on a page rasterised at 150 dpi, as a phone would see it."""
    prefix = tmp / f"{pdf.stem}-{page}"
    subprocess.run([require_tool("pdftoppm"), "-png", "-r", "150", "-f", str(page), "-l",
                    str(page), "-singlefile", str(pdf), str(prefix)], check=True)
    result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", f"{prefix}.png"],
                            capture_output=True, text=True, check=False)
    return result.stdout.split()




@pytest.fixture(scope="module")
def printed(chromium: WebDriver, server: StaticServer,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every published sample case printed to PDF."""
    folder = tmp_path_factory.mktemp("printed")
    return {cid: print_to_pdf(chromium, server / f"cases/{cid}/", folder / f"{cid}.pdf")
            for cid in sorted(SAMPLE)}


# The pages as built.


def test_case_page_carries_one_notice_and_a_print_button(site: Build) -> None:
    html = site.html("cases/2022-jidian-xiaoqu-jishui/")
    page = parse(html)
    assert len(page.find("article", class_="xs-notice")) == 1
    (button,) = page.find("button", class_="xs-print-button")
    assert button.text.strip() == "打印公示"
    assert button.attrs["type"] == "button" and "data-xs-print" in button.attrs
    assert "hidden" in button.attrs  # shown by print.js: without JavaScript it could not work
    assert f'aria-label="二维码：{permanent("2022-jidian-xiaoqu-jishui")}"' in html
    assert "assets/print.css" in html and "assets/print.js" in html
    # The notice is not searched twice: Pagefind skips it.
    assert page.find("article", class_="xs-notice")[0].attrs["data-pagefind-ignore"] == "all"


def test_withdrawn_case_has_no_notice(site: Build) -> None:
    page = site.page("cases/2022-jidian-xiaoqu-loushui/")
    assert "此记录已撤回" in page.text
    assert not page.find("article", class_="xs-notice")
    assert not page.find("button", class_="xs-print-button")


def test_platform_pages_link_to_their_bundle(site: Build) -> None:
    page = site.page("platforms/yingze/")
    links = [a for a in page.find("a") if a.attrs.get("href") == "print/"]
    assert [a.text for a in links] == ["打印公示汇编"]
    # fuyang's only case is concluded: nothing to pin up, no bundle, no link.
    assert not [a for a in site.page("platforms/fuyang/").find("a")
                if a.attrs.get("href") == "print/"]
    assert not (site.site / "platforms" / "fuyang" / "print").exists()


def test_bundle_holds_the_open_cases_of_the_platform_and_below(site: Build) -> None:
    page = site.page("platforms/yingze/print/")
    titles = [e.text for e in page.find("h2", class_="xs-notice__title")]
    below = {"yingze", "yingze-yingzejie", "yingze-yingzejie-xinjian"}
    expected = [r["title"] for cid, r in sorted(SAMPLE.items(), key=lambda kv: kv[1]["date"],
                                                  reverse=True)
                if r["platform"] in below and _open(cid)]
    assert titles == expected and titles
    assert page.title.startswith("公示汇编：欢迎来协商")


def _open(case_id: str) -> bool:
    record = SAMPLE[case_id]
    if record["date"] > SAMPLE_AS_OF:
        return True
    consensus = record.get("consensus") or {}
    if not consensus.get("reached", True):
        return False
    latest = {e.get("item"): e["status"] for e in record.get("follow_up") or []}
    return any(latest.get(n) not in ("已完成", "无法落实")
               for n in range(1, len(consensus.get("items") or []) + 1))


# Printed.


@pytest.mark.browser
@pytest.mark.parametrize("case_id", ONE_PAGE)
def test_sample_case_prints_on_one_a4_sheet(printed: dict[str, Path], case_id: str) -> None:
    assert assert_a4(printed[case_id]) == 1


@pytest.mark.browser
@pytest.mark.parametrize("case_id", sorted(SAMPLE))
def test_printed_notice_says_what_the_record_says(printed: dict[str, Path], case_id: str) -> None:
    record = SAMPLE[case_id]
    text = squeeze(pdf_text(printed[case_id]))
    heading = "协商预告" if record["date"] > SAMPLE_AS_OF else "协商结果公示"
    assert text.startswith(heading), text[:40]
    assert squeeze(record["title"]) in text
    assert chinese_date(record["date"]) in text
    for item in (record.get("consensus") or {}).get("items") or []:
        assert squeeze(item["text"]) in text, item["text"]
        assert squeeze(item["owner"]) in text, item["owner"]
    if record.get("follow_up"):
        assert "最新进展" in text and squeeze(record["follow_up"][-1]["note"]) in text
    assert "公示期" in text and "意见反馈" in text
    if record.get("notice"):
        assert chinese_date(record["notice"]["from"]) in text
    assert f"信息截至{chinese_date(SAMPLE_AS_OF)}" in text
    assert f"打印日期{chinese_date(dt.date.today())}" in text  # written by print.js
    assert permanent(case_id) in text  # the address under the QR code


@pytest.mark.browser
def test_printed_notice_is_the_notice_alone(printed: dict[str, Path]) -> None:
    text = squeeze(pdf_text(printed["2022-jidian-xiaoqu-jishui"]))
    assert "0351-4020000" in text  # the contact of the nearest platform that has one
    for screen_only in ("议题背景", "协商过程", "评议", "相关报道", "在GitHub上修改此记录",
                        "基层协商档案", "演示数据", "打印公示", "首页", "搜索"):
        assert screen_only not in text, screen_only


@pytest.mark.browser
@pytest.mark.parametrize("case_id", sorted(SAMPLE))
def test_printed_qr_code_decodes_to_the_permanent_address(
    printed: dict[str, Path], case_id: str, tmp_path: Path
) -> None:
    assert decode_qr(printed[case_id], tmp_path) == [permanent(case_id)]


@pytest.mark.browser
def test_chinese_is_printed_in_an_embedded_cjk_font(printed: dict[str, Path]) -> None:
    pdf = printed["2022-jidian-xiaoqu-jishui"]
    fonts = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:  # every font embedded, with a Unicode map (copy and search work)
        emb, _sub, uni = line.split()[-5:-2]
        assert (emb, uni) == ("yes", "yes"), line
    # Chrome embeds the CFF-based Noto CJK as Type 3 fonts, which pdffonts lists as [none];
    # their font descriptors still name the face the glyphs come from.
    names = set(re.findall(rb"/FontName /[A-Z]{6}\+([A-Za-z0-9-]+)", pdf.read_bytes()))
    assert {b"NotoSansCJKsc-Regular", b"NotoSansCJKsc-Bold"} <= names, names
    assert b"NotoSerifCJKsc-Bold" in names  # the 协商结果公示 heading
    text = squeeze(pdf_text(pdf))
    assert "协商结果公示" in text and "机电小区地下室管道漏水和积水问题" in text
    assert "\ufffd" not in text and "□" not in text


@pytest.mark.browser
def test_qr_code_is_at_least_25_mm_wide_in_print(browser: WebDriver, server: StaticServer) -> None:
    browser.get(server / "cases/2024-zhugan-daolu-gaizao-shigong-raomin/")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        width_px, modules = browser.execute_script(
            "const svg = document.querySelector('.xs-notice .xs-qr');"
            "return [svg.getBoundingClientRect().width, svg.viewBox.baseVal.width];"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    symbol_mm = width_px * 25.4 / 96 * (modules - 8) / modules  # without the quiet zone
    assert symbol_mm >= 25, symbol_mm


@pytest.mark.browser
def test_print_button_prints_the_notice(browser: WebDriver, server: StaticServer) -> None:
    browser.get(server / "cases/2025-beijie-xiaoxiang-gaizao/")
    button = browser.find_element(By.CSS_SELECTOR, "button.xs-print-button")
    assert button.is_displayed() and button.text == "打印公示"
    browser.execute_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    button.click()
    assert browser.execute_script("return window.__printed") == 1
    # On screen the notice is hidden; the page is the web page.
    assert not browser.find_element(By.CSS_SELECTOR, ".xs-notice").is_displayed()
    assert console_errors(browser) == []


@pytest.mark.browser
def test_bundle_prints_one_sheet_per_notice(chromium: WebDriver, server: StaticServer,
                                            site: Build, tmp_path: Path) -> None:
    pdf = print_to_pdf(chromium, server / "platforms/yingze/print/", tmp_path / "bundle.pdf")
    titles = [e.text for e in site.page("platforms/yingze/print/").find(
        "h2", class_="xs-notice__title")]
    pages = pdf_pages(pdf)
    assert len(pages) == len(titles)
    for page, title in zip(pages, titles, strict=True):
        text = squeeze(page)
        assert text.startswith(("协商结果公示", "协商预告")), text[:20]
        assert squeeze(title) in text
        assert "公示汇编" not in text  # the screen introduction does not print


@pytest.mark.browser
def test_bundle_page_on_screen(browser: WebDriver, server: StaticServer) -> None:
    browser.get(server / "platforms/yingze/print/")
    assert browser.find_element(By.CSS_SELECTOR, "button.xs-print-button").is_displayed()
    violations = run_axe(browser)
    assert not violations, format_violations(violations)
    set_viewport(browser, 390, 844, mobile=True)
    browser.get(server / "platforms/yingze/print/")
    assert not has_horizontal_scroll(browser)
    assert console_errors(browser) == []


# A long case: 30 items on several sheets.


LONG_ID = "2026-zonghe-zhengzhi-sanshi-xiang"


def _long_item(n: int) -> dict[str, object]:
    text = f"第{n}项：维修{n}号楼单元门禁和楼道照明，清理楼道杂物"
    if n % 3 == 0:
        text += "，同时更换破损的信报箱、楼道扶手和单元门雨棚"
    owner = "小区物业服务企业" if n % 2 else f"新建社区居委会、区住房和城乡建设局（第{n}组）"
    return {"text": text, "owner": owner, "due": dt.date(2026, n % 12 + 1, 15)}


@pytest.fixture(scope="module")
def long_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("long")
    content = work / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    record = {
        "title": "老旧小区综合整治三十项共识",
        "platform": "yingze-yingzejie-xinjian",
        "date": dt.date(2026, 1, 10),
        "form": "会议协商",
        "venue": "社区协商议事室",
        "topic": {"source": "群众反映", "categories": ["老旧小区"],
                  "background": "小区问题多，协商形成三十项共识。"},
        "participants": {"groups": [{"role": "群众代表", "count": 20}]},
        "consensus": {"summary": "各方逐项商定整治内容、责任单位和完成时限。",
                      "items": [_long_item(n) for n in range(1, 31)]},
    }
    (content / "cases" / "yingze" / f"{LONG_ID}.yml").write_text(
        yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return build_site(work, content, SAMPLE_AS_OF, git_dates=False)


@pytest.mark.browser
def test_long_case_prints_on_several_sheets_with_the_header_on_each(
    chromium: WebDriver, long_site: Build, static_server: Callable[..., StaticServer],
    tmp_path: Path,
) -> None:
    server = static_server(long_site.site)
    pdf = print_to_pdf(chromium, server / f"cases/{LONG_ID}/", tmp_path / "long.pdf")
    pages = [squeeze(text) for text in pdf_pages(pdf)]
    assert len(pages) >= 3, len(pages)
    items = [_long_item(n) for n in range(1, 31)]
    with_rows = [page for page in pages if any(squeeze(str(i["text"])) in page for i in items)]
    assert len(with_rows) >= 2
    for page in with_rows:  # the table header repeats on every sheet the table reaches
        assert squeeze("".join(HEADER)) in page, page[:80]
    for item in items:  # no row is split: each row's text, whole, on exactly one sheet
        holders = [n for n, page in enumerate(pages, 1)
                   if squeeze(str(item["text"])) in page and squeeze(str(item["owner"])) in page]
        assert len(holders) == 1, (item["text"], holders)
    assert pages[0].startswith("协商结果公示")
    assert decode_qr(pdf, tmp_path, page=len(pages)) == [permanent(LONG_ID)]


# site_url: required for a build, kept from the config by `mkdocs serve`.


def _config(build: Build, work: Path, **changes: object) -> Path:
    """A copy of a test build's config with its own build and site folders."""
    config = yaml.safe_load((build.site.parent / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"][0]["xieshang"]["build_dir"] = str(work / "docs")
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    work.mkdir(parents=True, exist_ok=True)
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": epoch(SAMPLE_AS_OF), "NO_MKDOCS_2_WARNING": "1"}


def test_build_without_site_url_fails_and_says_what_to_set(site: Build, tmp_path: Path) -> None:
    config = _config(site, tmp_path, site_url=None)
    result = subprocess.run(
        [sys.executable, "-m", ENGINE, "build", "-f", str(config), "-d", str(tmp_path / "site")],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, check=False,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "site_url is not set in mkdocs.yml" in output, output
    assert "site_url: https://example.org/archive/" in output  # what to write
    assert "未设置 site_url" in output
    assert not (tmp_path / "site" / "index.html").exists()


def test_build_with_a_site_url_that_is_not_http_fails(site: Build, tmp_path: Path) -> None:
    config = _config(site, tmp_path, site_url="ftp://example.org/archive/")
    result = subprocess.run(
        [sys.executable, "-m", ENGINE, "build", "-f", str(config), "-d", str(tmp_path / "site")],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, check=False,
    )
    assert result.returncode != 0
    assert "site_url" in result.stdout + result.stderr



@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Path], tuple[str, Callable[[], str]]]]:
    """``serve(config)`` starts ``mkdocs serve``; returns its address and its log so far."""
    started: list[subprocess.Popen[str]] = []

    def start(config: Path) -> tuple[str, Callable[[], str]]:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", ENGINE, "serve", "-f", str(config), "-a",
                 f"127.0.0.1:{port}", "--no-livereload"],
                stdout=out, stderr=subprocess.STDOUT, text=True, env=_env(), cwd=config.parent,
            )
        started.append(process)
        return f"http://127.0.0.1:{port}", lambda: log.read_text(encoding="utf-8")

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _fetch(url: str, log: Callable[[], str], timeout_s: float = 120) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                pytest.fail(f"mkdocs serve did not serve {url}:\n{log()}")
            time.sleep(0.5)


def test_serve_keeps_the_public_address_in_qr_codes(site: Build, tmp_path: Path, serve) -> None:
    origin, log = serve(_config(site, tmp_path))
    # MkDocs serves below site_url's path and sets site_url to its own address.
    html = _fetch(f"{origin}/archive/cases/2022-jidian-xiaoqu-jishui/", log)
    assert f'aria-label="二维码：{permanent("2022-jidian-xiaoqu-jishui")}"' in html
    assert "二维码：http://127.0.0.1" not in html


def test_serve_without_site_url_previews_notices_without_qr(site: Build, tmp_path: Path,
                                                            serve) -> None:
    origin, log = serve(_config(site, tmp_path, site_url=None))
    html = _fetch(f"{origin}/cases/2022-jidian-xiaoqu-jishui/", log)
    assert "预览：未设置 site_url，不生成二维码" in html
    assert 'class="xs-qr"' not in html
    assert "notices in this preview carry no QR code" in log()
