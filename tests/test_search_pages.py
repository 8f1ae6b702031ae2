"""The search index made from the docs tree is the one Pagefind makes from the built site.

``mkdocs build`` indexes the generated docs tree while the engine builds the
pages (``generator.search.pages``, ``generator.engine.search_job``). The sample's docs
tree is indexed that way, in one run and in slices, and compared byte for
byte with Pagefind over the built site.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.engine.search_job import SearchJob
from generator.search import pagefind as search
from generator.search import pages as search_pages
from tests.test_pagefind_bundle import same_bytes
from tests.test_pagefind_merge import ONE_RUN, contents
from tests.test_site_helpers import SAMPLE_BUNDLE_PAGES, SAMPLE_SLICE_PAGES, Build


@pytest.mark.parametrize(("slice_pages", "bundle_pages"),
                         [(ONE_RUN, ONE_RUN), (SAMPLE_SLICE_PAGES, ONE_RUN),
                          (SAMPLE_SLICE_PAGES, SAMPLE_BUNDLE_PAGES)])
def test_the_index_of_the_docs_tree_is_the_index_of_the_built_site(
    site: Build, tmp_path: Path, slice_pages: int, bundle_pages: int,
) -> None:
    built = Path(shutil.copytree(site.site, tmp_path / "site",
                                 ignore=shutil.ignore_patterns(search.BUNDLE_DIR)))
    from_site = search.build_index(built, slice_pages=slice_pages, bundle_pages=bundle_pages)
    from_docs = search.index_docs(site.docs, tmp_path / "work" / search.BUNDLE_DIR,
                                  slice_pages=slice_pages, bundle_pages=bundle_pages)
    assert (from_docs.pages, from_docs.words, from_docs.filters) == (
        from_site.pages, from_site.words, from_site.filters)
    assert from_docs.pages > 20
    assert contents(from_docs.bundle_dir) == contents(from_site.bundle_dir)
    assert same_bytes(from_docs.bundle_dir, from_site.bundle_dir)
    # Nothing of the work is left beside the bundle.
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == [search.BUNDLE_DIR]


def test_the_build_put_the_docs_trees_index_into_the_site(site: Build) -> None:
    bundle = site.site / search.BUNDLE_DIR
    assert (bundle / "pagefind.js").is_file()
    assert not (site.docs.with_name(site.docs.name + "-search") / search.BUNDLE_DIR).exists()
    assert "xieshang: 搜索索引 " in site.output


GENERATED = """---
source_path: content/cases/x.yml
title: 标题
xieshang: case
---

<div class="xs-page" data-pagefind-body>
<h1>标题</h1>
</div>
"""


def test_a_generated_pages_block_is_what_is_indexed() -> None:
    body = search_pages.indexed_body(GENERATED.encode())
    assert body == '<div class="xs-page" data-pagefind-body>\n<h1>标题</h1>\n</div>'.encode()


@pytest.mark.parametrize("document", [
    GENERATED.replace("xieshang: case\n", ""),  # hand-written: Markdown, never indexed
    GENERATED.replace(" data-pagefind-body", ""),  # a page the index leaves out
    GENERATED.replace(' data-pagefind-body>', '>data-pagefind-body'),  # only the words
    GENERATED.replace("---\n\n<div", "\n<div"),  # no end of front matter
    "xieshang: case\n" + GENERATED,  # no front matter
])
def test_other_documents_are_not_indexed(document: str) -> None:
    assert search_pages.indexed_body(document.encode()) is None


@pytest.mark.parametrize(("source", "page"), [
    ("index.md", "index.html"),
    ("cases/x/index.md", "cases/x/index.html"),
    ("platforms/p/page/2/index.md", "platforms/p/page/2/index.html"),
    ("about.md", "about/index.html"),
])
def test_each_page_at_its_address(source: str, page: str) -> None:
    assert search_pages.html_path(source) == page


def test_a_failed_index_is_a_chinese_message(tmp_path: Path) -> None:
    job = SearchJob(tmp_path / "no-docs", tmp_path / "work" / search.BUNDLE_DIR, 7)
    with pytest.raises(search.SearchIndexError, match="找不到文档树"):
        job.wait()


def test_a_failed_build_stops_the_index(site: Build, tmp_path: Path) -> None:
    job = SearchJob(site.docs, tmp_path / "work" / search.BUNDLE_DIR, 7)
    job.stop()
    assert job._process.returncode is not None
    assert not (tmp_path / "work" / search.BUNDLE_DIR).exists()
