"""The sample archive built with ``mkdocs build``: what each kind of page shows."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from tests.test_site_helpers import SAMPLE_CONTENT, Build, ParsedPage, broken_links, parse

CASE = "cases/2022-jidian-xiaoqu-jishui/"



def headings_in_order(page: ParsedPage) -> list[int]:
    return [int(e.tag[1]) for e in page.elements if re.fullmatch(r"h[1-6]", e.tag)]


def assert_semantic(page: ParsedPage) -> None:
    html = page.find("html")[0]
    assert html.attrs.get("lang") == "zh"
    levels = headings_in_order(page)
    assert levels.count(1) == 1, levels
    assert levels[0] == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}: {levels}"
    for th in page.find("th"):
        assert th.attrs.get("scope") in ("col", "row"), th


def test_case_page_shows_the_whole_record(site: Build) -> None:
    page = site.page(CASE)
    assert_semantic(page)
    text = page.text
    assert page.title == "机电小区地下室管道漏水和积水问题 - 基层协商档案"
    assert page.find("h1")[0].text == "机电小区地下室管道漏水和积水问题"
    for expected in (
        "已办结", "现场协商", "机电小区3号楼地下室、社区协商议事室", "群众反映",
        "六步协商法", "征集意见建议", "通过楼栋长和社区意见箱收集意见26条",
        "政协委员", "群众代表", "区住房和城乡建设局",
        "排查并修复3号楼、5号楼地下室漏水管道", "小区物业服务企业",
        "更换老化管段40余米", "群众评议", "97.2%", "公示期",
    ):
        assert expected in text, expected
    # The platform chain up the tree, each a link.
    links = {a.text: a.attrs["href"] for a in page.find("a")}
    assert links["新建社区议事厅"] == "../../platforms/yingze-yingzejie-xinjian/"
    assert links["欢迎来协商"] == "../../platforms/yingze/"
    assert links["老旧小区"] == "../../categories/laojiu-xiaoqu/"
    # Dates in <time>.
    assert page.find("time", datetime="2022-03-18")
    # Sources are the only links from record data.
    source = page.find("a", href="https://example.org/news/2022/jidian-xiaoqu-jishui")[0]
    assert source.attrs["rel"] == "nofollow noopener"
    # The items table: headers with scope, one row per item.
    items = [t for t in page.find("table") if "xs-table--items" in t.attrs.get("class", "")]
    assert len(items) == 1
    assert [th.text for th in page.find("th", scope="col")][3:8] == [
        "序号", "事项", "责任单位", "完成时限", "状态"]


def test_case_page_edits_the_yaml_record(site: Build) -> None:
    page = site.page(CASE)
    edit = [a for a in page.find("a") if a.text.strip() == "在 GitHub 上修改此记录"]
    assert len(edit) == 1
    assert edit[0].attrs["href"] == (
        "https://github.com/example/xieshang-archive/edit/main/"
        "content/cases/yingze/2022-jidian-xiaoqu-jishui.yml"
    )
    # Material's own edit button points at the same YAML file.
    buttons = page.find("a", class_="md-content__button")
    assert any(a.attrs.get("href") == edit[0].attrs["href"] for a in buttons)


def test_case_page_shows_when_the_record_last_changed(site: Build) -> None:
    """The sample content is committed, so git knows each record's last commit."""
    record = site.page(CASE).find("footer", class_="xs-record")[0]
    assert "最后修改于" in record.text
    assert "2022-jidian-xiaoqu-jishui" in record.text


def test_overdue_items_show_days_overdue(site: Build) -> None:
    board = site.page("follow-up/")
    assert_semantic(board)
    overdue = [e for e in board.find("strong", class_="xs-late")]
    assert overdue, "the sample archive has overdue items"
    days = [int(e.text.removesuffix(" 天")) for e in overdue]
    assert days == sorted(days, reverse=True), "most overdue first"
    rows = board.find("tr")
    assert len(rows) > 1
    hrefs = [a.attrs.get("href", "") for a in board.find("a")]
    assert any(href.startswith("../cases/") for href in hrefs)


def test_case_steps_not_done_are_shown(site: Build) -> None:
    html = site.html("cases/2025-beijie-xiaoxiang-gaizao/")
    page = parse(html)
    todo = page.find("li", class_="xs-timeline__item--todo")
    done = page.find("li", class_="xs-timeline__item--done")
    assert len(todo) + len(done) == 6
    for item in todo:
        assert "未进行" in item.text


def test_announced_case(site: Build) -> None:
    page = site.page("cases/2026-jiafeng-jizhen-jiaotong/")
    assert "预告" in page.text
    assert "协商共识" not in page.text
    home = site.page("")
    announced = home.text.split("协商预告", 1)[1].split("最新协商", 1)[0]
    assert "集镇" in announced


def test_home_page(site: Build) -> None:
    page = site.page("")
    assert_semantic(page)
    assert page.title == "基层协商档案"
    assert "演示数据" in page.text
    figures = {e.text: None for e in page.find("dt")}
    for label in ("协商平台", "协商案例", "参与人次", "共识事项", "已完成", "逾期事项"):
        assert label in figures
    latest = page.text.split("最新协商", 1)[1]
    assert latest.count("年") >= 10
    assert any(a.attrs.get("href") == "follow-up/" for a in page.find("a"))


def test_platform_directory_is_the_whole_tree(site: Build) -> None:
    page = site.page("platforms/")
    assert_semantic(page)
    names = [a.text for a in page.find("a") if a.attrs.get("href", "").startswith("yingze")
             or a.attrs.get("href", "") in ("taiyuan/",)]
    assert names[:4] == ["有事来商量", "欢迎来协商", "欢迎来协商·迎泽街道", "新建社区议事厅"]
    hrefs = [a.attrs.get("href", "") for a in page.find("a")]
    platform_links = {href for href in hrefs if re.fullmatch(r"[a-z0-9-]+/", href)}
    platforms = {p.stem + "/" for p in (SAMPLE_CONTENT / "platforms").glob("*.yml")}
    assert platforms <= platform_links
    # Roots: 市 before 县区, by pinyin within a level (hao before lai).
    top = page.find("div", class_="xs-tree")[0].text
    assert top.index("有事好商量") < top.index("有事来商量") < top.index("请你来协商")


def test_platform_page(site: Build) -> None:
    page = site.page("platforms/yingze/")
    assert_semantic(page)
    for expected in ("迎泽区政协", "山西省太原市迎泽区", "县区", "六步协商法", "统计", "下级平台"):
        assert expected in page.text, expected
    assert "本平台制定" in page.text or "沿用上级平台" in page.text
    # Cases of the platform and every platform below it, newest first, grouped by year.
    years = [int(h.text.removesuffix(" 年")) for h in page.find("h3", class_="xs-year")]
    assert years == sorted(years, reverse=True) and years
    child = site.page("platforms/yingze-yingzejie-xinjian/")
    assert "沿用上级平台" in child.text
    assert any(a.attrs.get("href") == "../yingze/" for a in child.find("a"))


def test_categories(site: Build) -> None:
    page = site.page("categories/")
    assert_semantic(page)
    links = page.find("a")
    hrefs = {a.text: a.attrs["href"] for a in links if a.attrs.get("href", "").endswith("/")}
    assert hrefs["老旧小区"] == "laojiu-xiaoqu/"
    category = site.page("categories/laojiu-xiaoqu/")
    assert_semantic(category)
    assert "机电小区地下室管道漏水和积水问题" in category.text


def test_years(site: Build) -> None:
    page = site.page("years/")
    assert_semantic(page)
    assert "2022 年" in page.text
    year = site.page("years/2022/")
    assert_semantic(year)
    assert "机电小区地下室管道漏水和积水问题" in year.text
    assert "2023年" not in year.text


def test_hand_written_pages_are_published(site: Build) -> None:
    page = site.page("about/")
    assert "关于本档案" in page.title
    edit = page.find("a", class_="md-content__button")
    assert edit and edit[0].attrs["href"].endswith("/edit/main/content/pages/about.md")


def test_case_pages_are_not_in_the_navigation(site: Build) -> None:
    home = site.html("")
    nav = home.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "cases/" not in nav
    assert "follow-up/" in nav


def test_every_internal_link_resolves(site: Build) -> None:
    broken = broken_links(site.site)
    assert not broken, broken[:20]


def test_no_third_party_urls(site: Build) -> None:
    """Only record sources and the repository may be absolute URLs in the built site."""
    allowed = ("https://example.org/", "https://example.com/",
               "https://github.com/example/xieshang-archive",
               "http://www.sitemaps.org/", "http://www.w3.org/", "https://www.w3.org/")
    offenders = set()
    for path in site.site.rglob("*"):
        if path.suffix not in (".html", ".css", ".js", ".xml", ".json", ".svg"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            urls = re.findall(r'(?:src|href|action|content)="(https?://[^"]+)"', text)
            urls += re.findall(r"url\((?:'|\")?(https?://[^)'\"]+)", text)
        elif path.suffix == ".css":
            urls = re.findall(r"url\((?:'|\")?(https?://[^)'\"]+)", text)
            urls += re.findall(r"@import\s+(?:url\()?['\"]?(https?://[^'\")]+)", text)
        else:
            continue
        offenders.update(u for u in urls if not u.startswith(allowed))
    assert not offenders, sorted(offenders)


def test_no_page_of_the_sample_is_large(site: Build) -> None:
    sizes = {p: p.stat().st_size for p in site.site.rglob("*.html")}
    assert max(sizes.values()) < 300_000


def test_schemas_published(site: Build) -> None:
    for kind in ("case", "platform"):
        assert (site.site / "schemas" / f"{kind}.schema.json").is_file()


def test_site_is_a_real_static_tree(site: Build) -> None:
    for url in ("", CASE, "platforms/", "platforms/yingze/", "categories/", "years/",
                "years/2022/", "follow-up/"):
        assert (site.site / url / "index.html").is_file(), url
    assert not any(Path(site.site).rglob("*.md"))
