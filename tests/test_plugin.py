"""The MkDocs plugin: refusing bad records, serve watching, determinism, slug pins."""

from __future__ import annotations

import datetime as dt
import filecmp
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator.engine.plugin import XieshangPlugin
from generator.search import pagefind as search
from tests.test_site_escaping import write
from tests.test_site_helpers import (
    SAMPLE_AS_OF,
    SAMPLE_BUNDLE_PAGES,
    SAMPLE_CONTENT,
    SAMPLE_SLICE_PAGES,
    build_site,
    epoch,
    sample_site,
    write_config,
)

AS_OF = dt.date(2024, 6, 1)


def small_content(root: Path) -> Path:
    content = root / "content"
    write(content / "platforms" / "p.yml",
          {"name": "议事厅", "level": "村社区", "region": "某村", "host": "村委会"})
    write(content / "cases" / "2024-a.yml", {
        "title": "停车难", "platform": "p", "date": "2024-03-18", "form": "会议协商",
        "topic": {"source": "群众反映", "categories": ["停车"], "background": "车多位少。"},
        "participants": {"groups": [{"role": "群众代表", "count": 3}]},
        "consensus": {"summary": "划线。", "items": [{"text": "划线", "owner": "物业"}]},
    })
    write(content / "cases" / "2024-b.yml", {
        "title": "停车收费", "platform": "p", "date": "2024-03-19", "form": "会议协商",
        "topic": {"source": "群众反映", "categories": ["停車"], "background": "收费。"},
        "participants": {"groups": [{"role": "群众代表", "count": 3}]},
        "consensus": {"summary": "公示。", "items": [{"text": "公示", "owner": "物业"}]},
    })
    return content


def test_a_record_problem_fails_the_build_with_its_position(tmp_path: Path) -> None:
    content = small_content(tmp_path)
    path = content / "cases" / "2024-a.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("2024-03-18", "2024/3/18"),
                    encoding="utf-8")
    build = build_site(tmp_path, content, AS_OF, check=False)
    assert build.returncode != 0
    # path:line:col: field: message, one line per problem (the column is the validator's).
    line = r"^content/cases/2024-a\.yml:3:\d+: date: 日期应为 YYYY-MM-DD 格式"
    assert re.search(line, build.output, re.MULTILINE), build.output
    assert "xieshang: 记录中有 1 个错误" in build.output
    assert not (build.site / "index.html").exists()


def test_category_slugs_follow_first_appearance_and_pins(tmp_path: Path) -> None:
    content = small_content(tmp_path)
    build = build_site(tmp_path / "a", content, AS_OF)
    assert (build.site / "categories" / "tingche" / "index.html").exists()  # 停车, 3月18日
    assert "停車" in build.html("categories/tingche-2/")
    (content / "category-slugs.yml").write_text("停車: tingche-fanti\n", encoding="utf-8")
    pinned = build_site(tmp_path / "b", content, AS_OF)
    assert "停車" in pinned.html("categories/tingche-fanti/")
    assert "停车" in pinned.html("categories/tingche/")


def test_a_bad_pin_is_reported_with_its_position(tmp_path: Path) -> None:
    content = small_content(tmp_path)
    (content / "category-slugs.yml").write_text("停车: tingche\n停車: tingche\n", encoding="utf-8")
    build = build_site(tmp_path, content, AS_OF, check=False)
    assert build.returncode != 0
    assert "content/category-slugs.yml:2:5: 停車: 地址 tingche 已分配给分类“停车”" in build.output


def test_a_hand_written_page_may_not_shadow_a_generated_one(tmp_path: Path) -> None:
    content = small_content(tmp_path)
    (content / "pages").mkdir()
    (content / "pages" / "follow-up.md").write_text("# x\n", encoding="utf-8")
    build = build_site(tmp_path, content, AS_OF, check=False)
    assert build.returncode != 0
    expected = "content/pages/follow-up.md:1:1: 页面文件名 follow-up.md 已被生成的页面占用"
    assert expected in build.output


def test_removed_records_disappear_from_the_docs_tree(tmp_path: Path) -> None:
    content = small_content(tmp_path)
    build_site(tmp_path, content, AS_OF)
    assert (tmp_path / "docs" / "cases" / "2024-b" / "index.md").exists()
    (content / "cases" / "2024-b.yml").unlink()
    build = build_site(tmp_path, content, AS_OF)
    assert not (build.docs / "cases" / "2024-b").exists()
    assert not (build.site / "cases" / "2024-b").exists()


@pytest.mark.parametrize("slice_pages", [search.SLICE_PAGES, SAMPLE_SLICE_PAGES],
                         ids=["one-index-run", "index-in-slices"])
def test_same_commit_same_epoch_builds_byte_identical_sites(
    tmp_path: Path, slice_pages: int
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    first = build_site(tmp_path / "one", content, SAMPLE_AS_OF, search_slice_pages=slice_pages)
    second = build_site(tmp_path / "two", content, SAMPLE_AS_OF, search_slice_pages=slice_pages)
    files = sorted(p.relative_to(first.site) for p in first.site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second.site) for p in second.site.rglob("*")
                           if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(first.site, second.site, files, shallow=False)
    assert not mismatch and not errors, mismatch[:10]
    assert "sitemap.xml.gz" in {f.name for f in files}


def test_generated_pages_skip_markdown_and_come_out_the_same(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The HTML shortcut changes nothing: every file equals the engine's own rendering."""
    shortcut = sample_site(tmp_path_factory)
    engine = build_site(tmp_path / "engine", SAMPLE_CONTENT, SAMPLE_AS_OF, shortcuts=False,
                        search_slice_pages=SAMPLE_SLICE_PAGES,
                        search_bundle_pages=SAMPLE_BUNDLE_PAGES)
    files = sorted(p.relative_to(engine.site) for p in engine.site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(shortcut.site) for p in shortcut.site.rglob("*")
                           if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(engine.site, shortcut.site, files, shallow=False)
    assert not mismatch and not errors, mismatch[:10]
    assert len([f for f in files if f.name == "index.html"]) > 50


def test_parts_the_same_for_many_pages_are_rendered_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process, to look into the plugin afterwards: main.html found its keys, and each
    part kept is the one in the pages (the build above compares every byte)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(SAMPLE_AS_OF))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(write_config(tmp_path, SAMPLE_CONTENT, search=False)),
                         site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    kept = config.plugins["xieshang"].rendered_once.html
    assert {kind for kind, *_ in kept} == {"nav", "config", "styles", "scripts", "footer",
                                           "header-start", "header-end"}
    cases = [page.read_text(encoding="utf-8")
             for page in (tmp_path / "site" / "cases").glob("*/index.html")]
    assert len(cases) > 10
    for key in [(kind, "../..", 0) for kind in ("config", "styles", "scripts", "footer")
                ] + [(kind, "cases", 3) for kind in ("nav", "header-start", "header-end")]:
        assert all(kept[key].strip() in html for html in cases), key
    # The header's two halves hold every part of it but the page's own title.
    for html in cases:
        title = re.search(r"<title>(.*) - ", html)
        assert title is not None
        start, end = kept[("header-start", "cases", 3)], kept[("header-end", "cases", 3)]
        assert re.search(re.escape(start) + r"\s*" + re.escape(title.group(1)) + r"\s*"
                         + re.escape(end), html)


class FakeServer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def watch(self, path: str) -> None:
        self.calls.append(("watch", path))

    def unwatch(self, path: str) -> None:
        if ("watch", path) not in self.calls:
            raise KeyError(path)
        self.calls.append(("unwatch", path))


def test_serve_watches_content_and_not_the_generated_tree(tmp_path: Path) -> None:
    plugin = XieshangPlugin()
    plugin.content_dir = tmp_path / "content"
    plugin.build_dir = tmp_path / "build" / "docs"
    server = FakeServer()
    server.watch(str(plugin.build_dir))  # what `mkdocs serve` does with docs_dir
    config: Any = object()
    assert plugin.on_serve(server, config=config, builder=None) is server
    assert ("unwatch", str(plugin.build_dir)) in server.calls
    assert ("watch", str(plugin.content_dir)) in server.calls


def test_use_directory_urls_is_required(tmp_path: Path) -> None:
    content = small_content(tmp_path)
    build = build_site(tmp_path, content, AS_OF, check=False,
                       settings={"use_directory_urls": False})
    assert build.returncode != 0
    assert "use_directory_urls" in build.output
