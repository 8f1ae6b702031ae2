"""The docs tree from model objects: layout, pagination, writing, git dates, imports."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest

from generator.options import Options
from generator.records import model
from generator.site import indexes, render
from tests import test_render_factory as factory
from tests.test_site_helpers import parse

ROOT = Path(__file__).resolve().parent.parent


def docs(archive: model.Archive, **options: object) -> dict[str, bytes]:
    return dict(render.render(archive, Options(**options)))  # type: ignore[arg-type]


def test_layout_every_page_is_url_slash_index_md() -> None:
    archive = factory.archive(cases=(factory.case(),))
    tree = docs(archive)
    assert {
        "index.md", "cases/2024-case/index.md", "platforms/index.md", "platforms/root/index.md",
        "categories/index.md", "categories/laojiu-xiaoqu/index.md", "years/index.md",
        "years/2024/index.md", "follow-up/index.md", "assets/xieshang.css",
    } <= set(tree)


def test_an_id_called_index_keeps_its_own_address() -> None:
    archive = factory.archive(
        platforms=(factory.platform("index"),),
        cases=(factory.case("index", platform_id="index"),),
    )
    tree = docs(archive)
    assert "cases/index/index.md" in tree
    assert "platforms/index/index.md" in tree
    assert b"xieshang: platforms" in tree["platforms/index.md"]


def test_pages_are_one_raw_html_block_without_blank_lines() -> None:
    text = "第一段\n第二行\n\n```\n代码\n```\n\n    缩进"
    case = factory.case(topic=model.Topic("其他", ("分类",), text))
    page = docs(factory.archive(cases=(case,)))["cases/2024-case/index.md"].decode()
    _, _front_matter, body = page.split("---\n", 2)
    lines = body.strip("\n").split("\n")
    assert all(line.strip() for line in lines)
    assert all(line.startswith("<") for line in lines), [ln for ln in lines if ln[:1] != "<"]
    assert "<p>第一段<br>第二行</p>" in body
    assert "<p>```<br>代码<br>```</p>" in body


def test_pagination_over_a_hundred_cases() -> None:
    cases = factory.many_cases(250)
    tree = docs(factory.archive(cases=cases))
    for base in ("platforms/root/", "years/2020/", "categories/laojiu-xiaoqu/"):
        assert f"{base}index.md" in tree
    assert "platforms/root/page/2/index.md" in tree
    assert "platforms/root/page/3/index.md" in tree
    assert "platforms/root/page/4/index.md" not in tree
    first = parse(tree["platforms/root/index.md"].decode())
    third = parse(tree["platforms/root/page/3/index.md"].decode())
    assert len(first.find("li", class_="xs-cases__item")) == 100
    assert len(third.find("li", class_="xs-cases__item")) == 50
    nxt = first.find("a", rel="next")[0].attrs["href"]
    assert nxt == "page/2/"
    assert third.find("a", rel="prev")[0].attrs["href"] == "../2/"
    # Newest first across pages.
    dates = [t.attrs["datetime"] for t in first.find("time")] + [
        t.attrs["datetime"] for t in third.find("time")]
    assert dates == sorted(dates, reverse=True)


def test_follow_up_board_paginates_and_sorts() -> None:
    cases = tuple(
        replace(c, consensus=model.Consensus("x", items=(
            model.ConsensusItem(1, f"事项{c.id}", "单位", c.date + dt.timedelta(days=30)),
        ))) for c in factory.many_cases(130, start=dt.date(2023, 1, 1))
    )
    archive = factory.archive(cases=cases)
    board = indexes.open_items(archive)
    assert len(board) == 130 == indexes.open_count(archive)
    days = [entry.progress.days_overdue for entry in board]
    assert days == sorted(days, reverse=True)
    tree = docs(archive)
    assert "follow-up/page/2/index.md" in tree
    assert "follow-up/page/3/index.md" not in tree


def test_open_items_leave_out_closed_withdrawn_and_announced() -> None:
    done = factory.case("done", follow_up=(model.FollowUp(dt.date(2024, 4, 1), "已完成", "好", 1),))
    gone = factory.case("gone", withdrawn=model.Withdrawal(dt.date(2024, 5, 1), "重复"))
    live = factory.case("live")
    archive = factory.archive(cases=(done, gone, live))
    assert [entry.view.case.id for entry in indexes.open_items(archive)] == ["live"]
    assert indexes.open_count(archive) == 1


def test_platform_tree_sorts_siblings_by_pinyin_deterministically() -> None:
    platforms = (
        factory.platform("root"),
        factory.platform("b", parent_id="root", level="乡镇街道", name="柳泉"),
        factory.platform("a", parent_id="root", level="乡镇街道", name="嘉峰"),
        factory.platform("c", parent_id="root", level="乡镇街道", name="阿里"),
    )
    for order in (platforms, tuple(reversed(platforms))):
        tree = indexes.platform_tree(model.Archive(order, (), factory.AS_OF))
        assert [entry.platform.name for entry in tree][1:] == ["阿里", "嘉峰", "柳泉"]


def test_tree_pages_repeat_the_chain_on_continued_pages() -> None:
    platforms = [factory.platform("root"),
                 factory.platform("mid", parent_id="root", level="乡镇街道")]
    platforms += [
        factory.platform(f"leaf{n:03d}", parent_id="mid", level="村社区", name=f"社区{n:03d}")
        for n in range(150)
    ]
    pages = indexes.tree_pages(model.Archive(tuple(platforms), (), factory.AS_OF), "platforms/")
    assert len(pages) == 2
    second = pages[1].entries
    assert [entry.platform.id for entry in second[:2]] == ["root", "mid"]
    assert second[2].depth == 2


@pytest.mark.slow
def test_no_page_exceeds_300_kb_at_10000_cases() -> None:
    platforms = [factory.platform("root")] + [
        factory.platform(f"p{n}", parent_id="root", level="乡镇街道", name=f"平台{n}")
        for n in range(40)
    ]
    background = "居民反映的问题" * 60
    cases = tuple(
        replace(case, platform_id=f"p{n % 40}",
                topic=model.Topic("群众反映", (f"分类{n % 500}", "老旧小区"), background))
        for n, case in enumerate(factory.many_cases(10_000))
    )
    tree = render.render(factory.archive(tuple(platforms), cases))
    # The theme adds about 30 KB around the content of a page.
    largest = max(len(data) for name, data in tree if name.endswith(".md"))
    assert largest < 300_000 - 40_000


def test_write_tree_writes_only_changes_and_deletes_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    stats = render.write_tree(out, [("a/index.md", b"1"), ("b/index.md", b"2")])
    assert (stats.written, stats.unchanged, stats.deleted) == (2, 0, 0)
    mtime = (out / "a/index.md").stat().st_mtime_ns
    os.utime(out / "a/index.md", ns=(mtime - 10**9, mtime - 10**9))
    stats = render.write_tree(out, [("a/index.md", b"1"), ("c/index.md", b"3")])
    assert (stats.written, stats.unchanged, stats.deleted) == (1, 1, 1)
    assert (out / "a/index.md").stat().st_mtime_ns == mtime - 10**9
    assert not (out / "b").exists()


def test_write_tree_removes_the_folders_it_empties_and_only_those(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    render.write_tree(out, [("a/b/c/index.md", b"1"), ("a/b/index.md", b"2"),
                            ("d/e/index.md", b"3"), ("f/index.md", b"4")])
    (out / "f" / "g").mkdir()
    (out / "f" / "g" / "link").symlink_to(out / "a")  # not a document: left alone
    stats = render.write_tree(out, [("a/b/index.md", b"2"), ("f/index.md", b"4")])
    assert stats.deleted == 2
    assert not (out / "a" / "b" / "c").exists() and (out / "a" / "b" / "index.md").exists()
    assert not (out / "d").exists()
    assert (out / "f" / "g" / "link").is_symlink()


def test_write_tree_into_an_empty_folder_writes_just_the_documents(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    stats = render.write_tree(out, [("a/index.md", b"1"), ("b/c/index.md", b"2")])
    assert (stats.written, stats.deleted) == (2, 0)
    found = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert found == [render.GENERATED_MARKER, "a/index.md", "b/c/index.md"]


def test_write_tree_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("x")
    with pytest.raises(render.NotGeneratedDir):
        render.write_tree(tmp_path, [("index.md", b"1")])
    assert (tmp_path / "precious.txt").exists()


def test_case_page_shows_the_last_change() -> None:
    case = factory.case()
    extras = render.Extras(last_changed={case.source_path: dt.date(2024, 5, 6)})
    tree = dict(render.render(factory.archive(cases=(case,)), extras=extras))
    assert '<time datetime="2024-05-06">' in tree["cases/2024-case/index.md"].decode()


def test_an_empty_archive_still_has_every_index() -> None:
    tree = docs(factory.archive())
    for name in ("index.md", "platforms/index.md", "categories/index.md", "years/index.md",
                 "follow-up/index.md", "platforms/root/index.md"):
        assert name in tree
    assert "目前没有待办的共识事项" in tree["follow-up/index.md"].decode()
    assert "暂无协商案例" in tree["platforms/root/index.md"].decode()


def test_no_consensus_and_announced_cases() -> None:
    failed = factory.case("failed", consensus=model.Consensus("各方意见分歧较大。", reached=False))
    coming = factory.case("coming", date=dt.date(2024, 7, 1), consensus=None)
    tree = docs(factory.archive(cases=(failed, coming)))
    failed_page = tree["cases/failed/index.md"].decode()
    assert "本次协商未达成共识" in failed_page and "xs-table--items" not in failed_page
    coming_page = tree["cases/coming/index.md"].decode()
    assert "这是一次协商预告" in coming_page
    home = tree["index.md"].decode()
    assert home.index("协商预告") < home.index("coming") < home.index("最新协商")
