"""Warm builds (``make site`` reusing ``build/``) write the bytes of a cold build.

One work folder is built cold once; then each test edits the archive (the
edits add up, in the order below), builds warm in that folder and cold in a
fresh one, and compares the two sites file by file. Every warm build must
also have kept something (or, after a change the fingerprint covers, say that
it started cold), so a warm build that quietly rebuilt everything would fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_site_helpers import (
    ENGINE,
    ENGINES,
    ROOT,
    SAMPLE_AS_OF,
    SAMPLE_CONTENT,
    Build,
    build_site,
)

SLICE_PAGES = 7  # the sample's search index in several slices, as a large archive's
BUNDLE_PAGES = 5  # and in several bundles cut by age
CASE = "cases/yingze/2025-xinjian-shequ-tingche.yml"
COLD = "无可沿用的上次结果"


def site_files(site: Path) -> dict[str, str]:
    """Every file of a built site by its path, as a digest of its bytes."""
    return {path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def kept_pages(build: Build) -> int:
    """How many pages the engine took from the previous build (the plugin's log line)."""
    found = re.search(r"沿用上次生成的 (\d+) 个", build.output)
    assert found, build.output
    return int(found.group(1))


@dataclass
class Archive:
    root: Path
    content: Path
    theme: Path
    as_of: dt.date = SAMPLE_AS_OF
    options: dict[str, Any] | None = None
    cold_runs: int = 0

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.content / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def build(self, work: Path) -> Build:
        return build_site(work, self.content, self.as_of, search_slice_pages=SLICE_PAGES,
                          search_bundle_pages=BUNDLE_PAGES, settings={"theme": self._theme()},
                          **(self.options or {}))

    def _theme(self) -> dict[str, Any]:
        import yaml

        theme = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]
        return {**theme, "custom_dir": str(self.theme)}

    def warm_and_cold(self) -> tuple[Build, dict[str, str], dict[str, str]]:
        """A warm build in the work folder, a cold one in a fresh folder: both sites."""
        warm = self.build(self.root / "warm")
        self.cold_runs += 1
        cold_dir = self.root / f"cold-{self.cold_runs}"
        cold = self.build(cold_dir)
        assert COLD in cold.output
        result = site_files(warm.site), site_files(cold.site)
        shutil.rmtree(cold_dir)
        return warm, *result


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """The sample archive, built cold once in its work folder."""
    root = tmp_path_factory.mktemp("warm")
    content = root / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    theme = root / "theme_overrides"
    shutil.copytree(ROOT / "theme_overrides", theme)
    found = Archive(root, content, theme)
    first = found.build(root / "warm")
    assert COLD in first.output
    return found


def _same(warm: dict[str, str], cold: dict[str, str]) -> None:
    differ = sorted(name for name in warm.keys() | cold.keys() if warm.get(name) != cold.get(name))
    assert differ == []


def _warm_equals_cold(archive: Archive) -> Build:
    warm, warm_files, cold_files = archive.warm_and_cold()
    _same(warm_files, cold_files)
    return warm


def search_metas(archive: Archive) -> dict[str, int]:
    """Each search bundle's meta index in the warm site: its name and inode."""
    bundle = archive.root / "warm" / "site" / "pagefind"
    return {path.relative_to(bundle).as_posix(): path.stat().st_ino
            for path in bundle.rglob("*.pf_meta")}


def test_an_edited_case(archive: Archive) -> None:
    before = search_metas(archive)
    archive.edit(CASE, "晚上车辆停满内部道路", "晚上车辆停满内部道路和人行道")
    archive.edit(CASE, "title: 新建社区内部道路划线停车和收费办法",
                 "title: 新建社区划线停车和收费办法")
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 20
    # Only the bundle that holds the case was merged again: the others are the files
    # the last build kept, linked.
    after = search_metas(archive)
    assert len(before) == len(after) >= 3
    assert len(set(before.items()) & set(after.items())) == len(before) - 1
    assert "和人行道" in warm.html("cases/2025-xinjian-shequ-tingche")
    # the engine lists in sitemap.xml only the pages it built; the plugin lists them all
    sitemap = (warm.site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/archive/cases/2022-jidian-xiaoqu-jishui/</loc>" in sitemap


def test_a_new_case(archive: Archive) -> None:
    text = (archive.content / CASE).read_text(encoding="utf-8")
    new = text.replace("title: 新建社区划线停车和收费办法", "title: 新建社区电动车充电棚")
    (archive.content / "cases/yingze/2025-xinjian-shequ-chongdianpeng.yml").write_text(
        new, encoding="utf-8")
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 20
    assert "电动车充电棚" in warm.html("cases/2025-xinjian-shequ-chongdianpeng")


def test_a_withdrawn_case(archive: Archive) -> None:
    archive.edit("cases/yingze/2025-xinjian-shequ-chongdianpeng.yml", "form: 会议协商\n",
                 "form: 会议协商\n\nwithdrawn:\n  date: 2025-10-01\n  reason: 录入重复\n")
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 20
    assert "此记录已撤回" in warm.html("cases/2025-xinjian-shequ-chongdianpeng")


def test_a_deleted_case_leaves_the_site(archive: Archive) -> None:
    (archive.content / "cases/yingze/2025-xinjian-shequ-chongdianpeng.yml").unlink()
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 20
    assert not (warm.site / "cases/2025-xinjian-shequ-chongdianpeng").exists()


def test_a_renamed_case(archive: Archive) -> None:
    old = archive.content / CASE
    new = old.with_name("2025-xinjian-shequ-huaxian-tingche.yml")
    new.write_text(old.read_text(encoding="utf-8").replace(
        "form: 会议协商\n", "form: 会议协商\nformer_ids: [2025-xinjian-shequ-tingche]\n", 1),
        encoding="utf-8")
    old.unlink()
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 20
    assert "2025-xinjian-shequ-huaxian-tingche" in warm.html("cases/2025-xinjian-shequ-tingche")


def test_an_edited_platform(archive: Archive) -> None:
    archive.edit("platforms/yingze.yml", "venue: 区政协协商议事厅", "venue: 区政协二楼协商议事厅")
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 20
    assert "区政协二楼协商议事厅" in warm.html("platforms/yingze")


def test_a_hand_written_page_links_to_kept_files(archive: Archive) -> None:
    """The engine never sees a kept page or file, yet a Markdown link to one resolves as in
    a cold build (a link the engine could not resolve would warn, and fail ``--strict``)."""
    archive.edit("pages/about.md", "## 演示数据\n",
                 "## 演示数据\n\n见[积水案例](cases/2022-jidian-xiaoqu-jishui/index.md)"
                 "和[案例表](data/cases.csv)。\n")
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 20
    about = warm.html("about")
    assert 'href="../cases/2022-jidian-xiaoqu-jishui/"' in about
    assert 'href="../data/cases.csv"' in about


def test_a_new_day_turns_items_overdue(archive: Archive) -> None:
    page = "cases/2024-qinshui-nongcun-laji-fenlei"
    archive.edit(f"{page}.yml".replace("cases/", "cases/qinshui/"), "due: 2027-03-31",
                 "due: 2026-11-30")
    overdue = _warm_equals_cold(archive).html(page).count('class="xs-overdue"')
    archive.as_of = dt.date(2026, 12, 5)  # the same records, a later day: the item is 逾期
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 0
    assert warm.html(page).count('class="xs-overdue"') == overdue + 1


def test_a_changed_template(archive: Archive) -> None:
    partial = archive.theme / "partials" / "copyright.html"
    partial.write_text(partial.read_text(encoding="utf-8").replace(
        '<div class="md-copyright">', '<div class="md-copyright" data-test="changed">'),
        encoding="utf-8")
    warm = _warm_equals_cold(archive)
    assert COLD in warm.output  # the fingerprint covers the theme overrides
    assert 'data-test="changed"' in warm.html("cases/2024-qinshui-nongcun-laji-fenlei")


def test_a_changed_option(archive: Archive) -> None:
    templates = archive.root / "warm" / "docs-warm" / "templates"
    assert any(templates.iterdir())  # the theme's templates, compiled by the last build
    (templates / "from-another-jinja.cache").write_bytes(b"?")
    archive.options = {"data_license": "CC0-1.0"}
    warm = _warm_equals_cold(archive)
    assert COLD in warm.output
    assert not (templates / "from-another-jinja.cache").exists()
    assert "CC0 1.0" in warm.html("data")


def test_nothing_changed_keeps_every_generated_page(archive: Archive) -> None:
    warm = _warm_equals_cold(archive)
    assert kept_pages(warm) > 40


def test_a_page_changed_in_the_site_is_built_again(archive: Archive) -> None:
    page = archive.root / "warm" / "site" / "cases" / "2022-jidian-xiaoqu-jishui" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<main", b"<main data-tampered"))
    _warm_equals_cold(archive)


def test_a_page_changed_in_the_docs_tree_is_built_again(archive: Archive) -> None:
    source = archive.root / "warm" / "docs" / "cases" / "2022-jidian-xiaoqu-jishui" / "index.md"
    source.write_bytes(source.read_bytes().replace(b"<h1", b"<h1 data-tampered"))
    _warm_equals_cold(archive)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "other fingerprint"])
def test_a_damaged_state_means_a_cold_build(archive: Archive, damage: str) -> None:
    state = archive.root / "warm" / "docs-warm" / "state.pickle"
    data = state.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped":
        data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
    else:
        data = data.replace(data[16:80], b"0" * 64, 1)
    state.write_bytes(data)
    warm = _warm_equals_cold(archive)
    assert COLD in warm.output


def test_a_changed_context_builds_every_page_again(tmp_path: Path) -> None:
    """A navigation title taken from a page's heading is part of every page's sidebar:
    when it changes, the files set apart go back to the engine, in their order."""
    import yaml

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    settings = {"nav": [entry if "about.md" not in entry.values() else "about.md"
                        for entry in nav]}

    def build(work: Path) -> Build:
        return build_site(work, content, SAMPLE_AS_OF, settings=settings,
                          search_slice_pages=SLICE_PAGES)

    assert COLD in build(tmp_path / "warm").output
    about = content / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8").replace("# 关于本档案", "# 关于这个档案"),
                     encoding="utf-8")
    warm = build(tmp_path / "warm")
    assert COLD not in warm.output and kept_pages(warm) == 0
    _same(site_files(warm.site), site_files(build(tmp_path / "cold").site))
    assert "关于这个档案" in warm.html("cases/2022-jidian-xiaoqu-jishui")


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != ENGINE])
def test_a_warm_build_with_another_engine(tmp_path: Path, engine: str) -> None:
    """The engine's side of a warm build (files set apart, the page list built again)
    uses the engine's own structures: MkDocs 1.6's as well as ProperDocs'."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)

    def build(work: Path) -> Build:
        return build_site(work, content, SAMPLE_AS_OF, engine=engine,
                          search_slice_pages=SLICE_PAGES)

    assert COLD in build(tmp_path / "warm").output
    path = content / CASE
    path.write_text(path.read_text(encoding="utf-8").replace(
        "晚上车辆停满内部道路", "晚上车辆停满内部道路和人行道"), encoding="utf-8")
    warm = build(tmp_path / "warm")
    assert kept_pages(warm) > 20
    _same(site_files(warm.site), site_files(build(tmp_path / "cold").site))


def test_a_new_commit_rebuilds_only_what_it_revised(tmp_path: Path) -> None:
    """With git history, as in CI: each push is a new commit, which the case pages
    (revisions), the data page and the navigation's footers (the commit) show."""
    from tests.git_repo import Repo

    repo = Repo.create(tmp_path / "repo")
    shutil.copytree(SAMPLE_CONTENT, repo.dir)
    repo.commit("样例档案")
    settings = {"repo_url": "https://github.com/example/archive"}

    def build(work: Path) -> Build:
        return build_site(work, repo.dir, SAMPLE_AS_OF, settings=settings,
                          search_slice_pages=SLICE_PAGES)

    assert COLD in build(tmp_path / "warm").output
    path = repo.dir / CASE
    path.write_text(path.read_text(encoding="utf-8").replace(
        "晚上车辆停满内部道路", "晚上车辆停满内部道路和人行道"), encoding="utf-8")
    head = repo.commit("补充停车情况")
    warm = build(tmp_path / "warm")
    cold = build(tmp_path / "cold")
    _same(site_files(warm.site), site_files(cold.site))
    assert kept_pages(warm) > 20
    assert "补充停车情况" in warm.html("cases/2025-xinjian-shequ-tingche")
    assert head[:7] in warm.html("") and head[:7] in warm.html("data")


@pytest.mark.parametrize("failure", ["a warning", "an error"])
def test_a_build_that_fails_in_the_engine_leaves_no_state(tmp_path: Path, failure: str) -> None:
    """The generator's part of the state is written before the engine runs: a build that
    then fails must not leave it, half a state, for the next build. A warning (a
    hand-written page's broken link) fails the build at its end, under ``--strict``;
    an error (a theme template that does not compile) stops it in the middle."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    theme = tmp_path / "theme_overrides"
    shutil.copytree(ROOT / "theme_overrides", theme)
    settings = {"theme": {**yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
                          ["theme"], "custom_dir": str(theme)}}
    work = tmp_path / "work"
    assert COLD in build_site(work, content, SAMPLE_AS_OF, settings=settings).output
    state = work / "docs-warm"
    assert (state / "state.pickle").is_file()
    if failure == "a warning":
        broken = content / "pages" / "broken-link.md"
        broken.write_text("# 链接\n\n[不存在的页面](no-such-page.md)\n", encoding="utf-8")
    else:
        broken = theme / "partials" / "broken.html"
        broken.parent.mkdir(exist_ok=True)
        (theme / "404.html").write_text('{% include "partials/broken.html" %}', encoding="utf-8")
        broken.write_text("{% if %}", encoding="utf-8")

    failed = build_site(work, content, SAMPLE_AS_OF, check=False, settings=settings)

    assert failed.returncode != 0, failed.output
    assert sorted(path.name for path in state.glob("*state*")) == []
    if failure == "an error":
        (theme / "404.html").unlink()
    broken.unlink()
    assert COLD in build_site(work, content, SAMPLE_AS_OF, settings=settings).output
