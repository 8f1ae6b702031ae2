"""A rebuild after an edit renders only what the edit reaches, with the bytes of a full build."""

from __future__ import annotations

import dataclasses
import filecmp
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.options import Options
from generator.site import build as site
from generator.site import changes, indexes
from generator.site.indexes import PAGE_SIZE
from tests.record_text import replace_once
from tests.test_site_helpers import SAMPLE_AS_OF, SAMPLE_CONTENT

OPTIONS = Options(demo=True, as_of=SAMPLE_AS_OF, git_dates=False,
                           site_url="https://example.org/archive/")
JISHUI = "cases/yingze/2022-jidian-xiaoqu-jishui.yml"
TINGCHE = "cases/yingze/2025-xinjian-shequ-tingche.yml"
JIAFENG = "cases/qinshui/2023-jiafeng-laonian-shitang.yml"
ZHUGAN = "cases/yingze/2024-zhugan-daolu-gaizao-shigong-raomin.yml"

# Edits of the sample archive that change only case files: (file, old text, new text).
CASE_EDITS = {
    "background": (JISHUI, "有住宅楼6栋", "有住宅楼7栋"),
    "title": (JISHUI, "title: 机电小区地下室管道漏水和积水问题", "title: 机电小区地下室漏水问题"),
    "platform": (JISHUI, "platform: yingze-yingzejie-xinjian", "platform: yingze-yingzejie"),
    "categories": (JISHUI, "categories: [老旧小区, 环境卫生]", "categories: [环境卫生, 老旧小区]"),
    "date": (TINGCHE, "\ndate: 2025-09-11\n", "\ndate: 2025-09-10\n"),
    "follow-up": (TINGCHE, "    status: 推进中\n", "    status: 已完成\n"),
    # a case with open items: its title and their follow-up show on the follow-up board
    "title-on-board": (JIAFENG, "title: 嘉峰镇农村老年食堂的建设和持续运营",
                       "title: 嘉峰镇农村老年食堂的建设和运营"),
    # the same answers a year earlier: only the satisfaction charts change
    "evaluation-year": (ZHUGAN, "  - date: 2025-01-15\n    by: 群众评议",
                        "  - date: 2024-12-30\n    by: 群众评议"),
    "follow-up-on-board": (JIAFENG, "    item: 3\n    status: 推进中\n",
                           "    item: 3\n    status: 已完成\n"),
}


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    return content


def _edit(content: Path, file: str, old: str, new: str) -> None:
    path = content / file
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def _same_trees(one: Path, two: Path) -> None:
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(one, two, files, shallow=False)
    assert not mismatch and not errors, mismatch[:10]


@pytest.mark.parametrize("page_size", [PAGE_SIZE, 2], ids=["one-page", "pages-of-2"])
@pytest.mark.parametrize("edit", sorted(CASE_EDITS))
def test_an_edited_case_renders_what_it_reaches_and_nothing_else(
    tmp_path: Path, edit: str, page_size: int
) -> None:
    """Pages of 2 cases give the sample's listings several pages: a new title
    renders only the page of each that shows the case."""
    options = dataclasses.replace(OPTIONS, page_size=page_size)
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "again", options)
    _edit(content, *CASE_EDITS[edit])

    again = site.build_docs(content, tmp_path / "again", options, previous=first.rendered)
    scratch = site.build_docs(content, tmp_path / "scratch", options)

    assert again.partial and not scratch.partial
    _same_trees(tmp_path / "again", tmp_path / "scratch")
    assert again.stats.written < scratch.stats.written / 3


def _wanted(tmp_path: Path, edit: str) -> Callable[[str], bool]:
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "docs", OPTIONS)
    _edit(content, *CASE_EDITS[edit])
    again = site.build_docs(content, tmp_path / "scratch", OPTIONS)
    wanted = changes.pages_to_render(first.rendered, again.rendered)
    assert wanted is not None
    return wanted


def test_only_the_pages_a_case_reaches_are_rendered(tmp_path: Path) -> None:
    wanted = _wanted(tmp_path, "title")
    for url in ("cases/2022-jidian-xiaoqu-jishui/", "", "search/",
                "platforms/yingze-yingzejie-xinjian/",
                "platforms/taiyuan/", "platforms/yingze-yingzejie-xinjian/print/",
                "years/2022/", "categories/laojiu-xiaoqu/"):
        assert wanted(url), url
    for url in ("cases/2025-xinjian-shequ-tingche/", "platforms/qinshui/", "years/2025/",
                "platforms/yingze-yingzejie-xinjian-x/",
                # a title changes no count: the directories stay; platforms' never shows a case
                "platforms/", "platforms/page/2/", "categories/", "years/", "years/page/2/"):
        assert not wanted(url), url


@pytest.mark.parametrize("edit", ["categories", "date", "platform"])
def test_the_directories_that_count_cases_follow_a_case_that_moved(
        tmp_path: Path, edit: str) -> None:
    wanted = _wanted(tmp_path, edit)
    assert all(map(wanted, ("categories/", "categories/page/2/", "years/", "years/page/2/")))
    assert not wanted("platforms/") and not wanted("platforms/page/2/")


def test_a_new_title_renders_one_page_of_each_listing_that_shows_the_case(
    tmp_path: Path
) -> None:
    options = dataclasses.replace(OPTIONS, page_size=2)
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "docs", options)
    _edit(content, *CASE_EDITS["title"])
    again = site.build_docs(content, tmp_path / "scratch", options)
    wanted = changes.pages_to_render(first.rendered, again.rendered)
    assert wanted is not None

    listings = indexes.listings(again.archive, again.rendered.categories)
    showing = {base: views for base, views in listings.items()
               if any(v.case.id == "2022-jidian-xiaoqu-jishui" for v in views)}
    assert {"platforms/taiyuan/", "years/2022/", "categories/laojiu-xiaoqu/"} <= showing.keys()
    several = 0
    for base, views in showing.items():
        pages = [indexes.page_url(base, n) for n in range(1, (len(views) + 1) // 2 + 1)]
        assert sum(map(wanted, pages)) == 1, (base, pages)
        several += len(pages) > 1
    assert several >= 2  # the sample's listings do run to several pages of 2


def test_text_that_no_listing_shows_renders_the_case_and_its_print_bundles(
    tmp_path: Path
) -> None:
    wanted = _wanted(tmp_path, "background")
    for url in ("cases/2022-jidian-xiaoqu-jishui/", "", "search/",
                "platforms/yingze-yingzejie-xinjian/print/", "platforms/taiyuan/print/"):
        assert wanted(url), url
    for url in ("platforms/yingze-yingzejie-xinjian/", "platforms/taiyuan/", "years/2022/",
                "categories/laojiu-xiaoqu/", "follow-up/"):
        assert not wanted(url), url


def test_what_only_the_charts_show_renders_the_first_page_of_each_platform_above(
    tmp_path: Path
) -> None:
    wanted = _wanted(tmp_path, "evaluation-year")
    for url in ("cases/2024-zhugan-daolu-gaizao-shigong-raomin/", "", "platforms/yingze/",
                "platforms/taiyuan/"):
        assert wanted(url), url
    for url in ("platforms/yingze/page/2/", "platforms/qinshui/", "years/2024/", "years/",
                "categories/", "follow-up/"):
        assert not wanted(url), url


@pytest.mark.parametrize(("edit", "on_board"),
                         [("background", False), ("title", False), ("follow-up", False),
                          ("title-on-board", True), ("follow-up-on-board", True)])
def test_the_follow_up_board_is_rendered_when_what_it_shows_changed(
    tmp_path: Path, edit: str, on_board: bool
) -> None:
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "docs", OPTIONS)
    file, old, new = CASE_EDITS[edit]
    _edit(content, file, old, new)
    again = site.build_docs(content, tmp_path / "scratch", OPTIONS)
    wanted = changes.pages_to_render(first.rendered, again.rendered)
    assert wanted is not None
    assert wanted("follow-up/") is on_board
    assert wanted("follow-up/page/2/") is on_board


def test_a_rebuild_that_keeps_the_same_files_does_not_walk_the_tree(tmp_path: Path) -> None:
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "docs", OPTIONS)
    stray = tmp_path / "docs" / "stray.md"  # what a walk would delete
    stray.write_text("left by hand", encoding="utf-8")
    _edit(content, *CASE_EDITS["background"])
    again = site.build_docs(content, tmp_path / "docs", OPTIONS, previous=first.rendered)
    assert again.partial and stray.exists()
    assert again.rendered is not None and again.rendered.documents == first.rendered.documents
    full = site.build_docs(content, tmp_path / "docs", OPTIONS)
    assert not stray.exists() and full.stats.deleted == 1


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        # a platform record: names and figures show on many pages
        ("platforms/yingze.yml", "name: 欢迎来协商", "name: 欢迎来协商·迎泽"),
        # a category no other case has: every category's address may move
        (JISHUI, "categories: [老旧小区, 环境卫生]", "categories: [老旧小区, 地下管网]"),
    ],
)
def test_other_edits_render_everything(tmp_path: Path, file: str, old: str, new: str) -> None:
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "again", OPTIONS)
    _edit(content, file, old, new)
    again = site.build_docs(content, tmp_path / "again", OPTIONS, previous=first.rendered)
    assert not again.partial
    site.build_docs(content, tmp_path / "scratch", OPTIONS)
    _same_trees(tmp_path / "again", tmp_path / "scratch")


def test_a_new_case_or_another_day_renders_everything(tmp_path: Path) -> None:
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "docs", OPTIONS)
    shutil.copy(content / JISHUI, content / "cases" / "yingze" / "2022-jidian-xiaoqu-jishui-2.yml")
    assert not site.build_docs(content, tmp_path / "docs", OPTIONS,
                               previous=first.rendered).partial
    later = Options(demo=True, as_of=SAMPLE_AS_OF.replace(day=26), git_dates=False,
                             site_url="https://example.org/archive/")
    second = site.build_docs(content, tmp_path / "docs", OPTIONS)
    assert not site.build_docs(content, tmp_path / "docs", later,
                               previous=second.rendered).partial


def test_a_kept_page_that_is_gone_is_written_again(tmp_path: Path) -> None:
    content = _content(tmp_path)
    first = site.build_docs(content, tmp_path / "again", OPTIONS)
    (tmp_path / "again" / "cases" / "2025-xinjian-shequ-tingche" / "index.md").unlink()
    _edit(content, *CASE_EDITS["background"])
    again = site.build_docs(content, tmp_path / "again", OPTIONS, previous=first.rendered)
    assert not again.partial
    site.build_docs(content, tmp_path / "scratch", OPTIONS)
    _same_trees(tmp_path / "again", tmp_path / "scratch")
