"""A search index made in slices and merged is the index of one Pagefind run.

The sample site's pages are indexed twice by ``search.build_index``: in one
run, and a few pages at a time with the bundles merged. Both bundles are
read back page by page (by address, since page numbers differ) and must say
the same: every word with its locations on every page, every filter value,
the date order, the fragments. Merging a single bundle gives its own files.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.search import bundle as pagefind_bundle
from generator.search import merge as pagefind_merge
from generator.search import pagefind as search
from generator.search import slices as pagefind_slices
from generator.search.bundle import cbor_decode, read_body
from tests.test_site_helpers import Build

ONE_RUN = 10**6


@dataclass(frozen=True)
class Contents:
    """What a bundle says, independent of page numbers and file names."""

    pages: dict[str, int]  # address -> word count
    words: dict[str, list[tuple[str, tuple[int, ...], tuple[int, ...]]]]
    filters: dict[str, dict[str, list[str]]]
    sorted_dates: dict[str, list[str]]  # sort -> the pages' dates in its order
    sorted_pages: dict[str, list[str]]  # sort -> its pages, alphabetically
    meta_fields: list[str]
    fragments: list[str]


def contents(bundle: Path) -> Contents:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    ((_, info),) = entry["languages"].items()
    meta: Any = cbor_decode(read_body(bundle / f"pagefind.{info['hash']}.pf_meta"))
    fragments = [json.loads(read_body(bundle / "fragment" / f"{name}.pf_fragment"))
                 for name, _ in meta[1]]
    urls = [fragment["url"] for fragment in fragments]
    assert info["page_count"] == len(urls)
    words = {}
    for _, _, chunk in meta[2]:
        ((*entries,),) = cbor_decode(read_body(bundle / "index" / f"{chunk}.pf_index"))
        for text, postings, extra in entries:
            assert extra == []
            page, found = 0, []
            for delta, locations, meta_locations in postings:
                page += delta
                found.append((urls[page], tuple(locations), tuple(meta_locations)))
            words[text] = sorted(found)
    filters = {}
    for name, chunk in meta[3]:
        _, values = cbor_decode(read_body(bundle / "filter" / f"{chunk}.pf_filter"))
        filters[name] = {value: sorted(urls[p] for p in pages) for value, pages in values}
    dates = {fragment["url"]: fragment["meta"].get("date") for fragment in fragments}
    return Contents(
        pages={url: count for url, (_, count) in zip(urls, meta[1], strict=True)},
        words=words,
        filters=filters,
        sorted_dates={name: [dates[urls[p]] for p in pages] for name, pages in meta[4]},
        sorted_pages={name: sorted(urls[p] for p in pages) for name, pages in meta[4]},
        meta_fields=meta[5],
        fragments=sorted(json.dumps(f, ensure_ascii=False, sort_keys=True) for f in fragments),
    )


def _indexed_copy(site: Build, work: Path, slice_pages: int) -> search.IndexResult:
    shutil.copytree(site.site, work, ignore=shutil.ignore_patterns("pagefind"))
    return search.build_index(work, slice_pages=slice_pages)


@pytest.fixture(scope="module")
def both(site: Build, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[search.IndexResult, search.IndexResult]:
    work = tmp_path_factory.mktemp("merge")
    return (_indexed_copy(site, work / "whole", ONE_RUN),
            _indexed_copy(site, work / "sliced", 4))


def test_the_sample_has_enough_pages_for_several_slices(site: Build) -> None:
    pages = pagefind_slices.indexed_pages(site.site, skip=("pagefind",))
    assert pages is not None and len(pages) > 3 * 4
    plan = pagefind_slices.plan(pages, 4)
    assert plan is not None and len(plan) > 3


def test_a_merged_index_says_what_one_run_says(
    both: tuple[search.IndexResult, search.IndexResult]
) -> None:
    whole, sliced = both
    assert (sliced.pages, sliced.words, sliced.filters) == (whole.pages, whole.words,
                                                            whole.filters)
    one, merged = contents(whole.bundle_dir), contents(sliced.bundle_dir)
    assert merged.pages == one.pages
    assert merged.words.keys() == one.words.keys()
    assert merged.words == one.words
    assert merged.filters == one.filters
    assert merged.sorted_pages == one.sorted_pages
    assert merged.sorted_dates == one.sorted_dates
    assert merged.sorted_dates["date"] == sorted(merged.sorted_dates["date"])
    assert merged.meta_fields == one.meta_fields
    assert merged.fragments == one.fragments


def test_a_merged_bundle_is_already_in_the_fixed_order(
    both: tuple[search.IndexResult, search.IndexResult], tmp_path: Path
) -> None:
    """``search`` leaves a merged bundle as the merge wrote it: canonicalising it
    again changes no byte (a single run's bundle it must canonicalise)."""
    _, sliced = both
    copy = Path(shutil.copytree(sliced.bundle_dir, tmp_path / "copy"))
    pagefind_bundle.canonicalise(copy)
    files = sorted(p.relative_to(copy) for p in copy.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(sliced.bundle_dir)
                           for p in sliced.bundle_dir.rglob("*") if p.is_file())
    assert any(name.suffix == ".pf_filter" for name in files)
    for name in files:
        assert (copy / name).read_bytes() == (sliced.bundle_dir / name).read_bytes(), name


def test_the_slices_are_cleared_away(both: tuple[search.IndexResult, search.IndexResult]) -> None:
    _, sliced = both
    site = sliced.bundle_dir.parent
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == []


def _one_run_copy(both: tuple[search.IndexResult, search.IndexResult], tmp_path: Path
                  ) -> tuple[search.IndexResult, Path]:
    whole, _ = both
    return whole, Path(shutil.copytree(whole.bundle_dir, tmp_path / "part"))


def test_merging_one_bundle_gives_its_own_files(
    both: tuple[search.IndexResult, search.IndexResult], tmp_path: Path
) -> None:
    whole, part = _one_run_copy(both, tmp_path)
    merged = pagefind_merge.merge([part], tmp_path / "merged")
    assert merged.pages == whole.pages and merged.words == whole.words
    original = sorted(p.relative_to(whole.bundle_dir) for p in whole.bundle_dir.rglob("*")
                      if p.is_file())
    assert sorted(p.relative_to(tmp_path / "merged") for p in (tmp_path / "merged").rglob("*")
                  if p.is_file()) == original
    for relative in original:
        before, after = whole.bundle_dir / relative, tmp_path / "merged" / relative
        if relative.suffix.startswith(".pf_"):  # compressed at another level: same content
            assert read_body(after) == read_body(before), relative
        else:
            assert after.read_bytes() == before.read_bytes(), relative


def test_words_read_as_each_slice_ends_merge_to_the_same_files(site: Build,
                                                              tmp_path: Path) -> None:
    """``search`` reads each slice's words while the next slices are indexed; merging
    them then gives the bundle a merge that reads everything at the end gives."""
    pages = pagefind_slices.indexed_pages(site.site, skip=("pagefind",))
    assert pages is not None
    plan = pagefind_slices.plan(pages, 4)
    assert plan is not None
    run = search._Runner(None, background=False)
    for number, paths in enumerate(plan):
        pagefind_slices.link_slice(site.site, tmp_path / f"in{number}", paths)
        run(tmp_path / f"in{number}", tmp_path / "parts" / str(number))
    bundles = {}
    for way in ("at the end", "ahead"):
        parts = [Path(shutil.copytree(tmp_path / "parts" / str(number),
                                      tmp_path / way / str(number))) for number in range(len(plan))]
        read = [pagefind_merge.read_words(part) for part in parts] if way == "ahead" else None
        bundles[way] = tmp_path / way / "merged"
        pagefind_merge.merge(parts, bundles[way], read)
    files = sorted(p.relative_to(bundles["ahead"]) for p in bundles["ahead"].rglob("*")
                   if p.is_file())
    assert files == sorted(p.relative_to(bundles["at the end"])
                           for p in bundles["at the end"].rglob("*") if p.is_file())
    assert any(name.suffix == ".pf_index" for name in files)
    for name in files:
        assert (bundles["ahead"] / name).read_bytes() == (bundles["at the end"] / name).read_bytes()
    words = pagefind_merge.read_words(tmp_path / "parts" / "0")
    assert list(words) == ["zh"]
    assert any(in_meta for *_, in_meta in words["zh"])  # words of titles: meta locations


def test_a_fragment_name_two_pages_share_is_lengthened(tmp_path: Path) -> None:
    (tmp_path / "out" / "fragment").mkdir(parents=True)
    first, second = tmp_path / "first.pf_fragment", tmp_path / "second.pf_fragment"
    first.write_bytes(pagefind_bundle.pack(b'{"url":"/a/"}'))
    second.write_bytes(pagefind_bundle.pack(b'{"url":"/b/"}'))
    taken: dict[str, Path] = {}
    assert pagefind_merge._place_fragment(first, "zh_1234567", "zh", taken,
                                          tmp_path / "out") == "zh_1234567"
    name = pagefind_merge._place_fragment(second, "zh_1234567", "zh", taken, tmp_path / "out")
    assert name != "zh_1234567" and name.startswith("zh_")
    assert read_body(tmp_path / "out" / "fragment" / f"{name}.pf_fragment") == b'{"url":"/b/"}'


def test_a_bundle_pagefind_would_not_write_is_refused(
    both: tuple[search.IndexResult, search.IndexResult], tmp_path: Path
) -> None:
    _, part = _one_run_copy(both, tmp_path)
    chunk = sorted((part / "index").glob("*.pf_index"))[0]
    body = bytearray(read_body(chunk))
    body[-1] = 0x81  # the last word's third item, always empty, made a list of one
    chunk.write_bytes(pagefind_bundle.pack(bytes(body) + b"\x00"))
    with pytest.raises(pagefind_bundle.BundleFormatError, match="does not write"):
        pagefind_merge.merge([part], tmp_path / "merged")


# Slicing: which pages go together


def _page(path: str, date: str | None) -> pagefind_slices.Page:
    return pagefind_slices.Page(("date", date) if date else None, path)


def test_slices_follow_the_sort_order_and_pages_without_a_date_come_last() -> None:
    pages = [_page("c/index.html", "2024-05-01"), _page("p/index.html", None),
             _page("a/index.html", "2025-01-01"), _page("b/index.html", "2023-12-31")]
    assert pagefind_slices.plan(pages, 2) == [["b/index.html", "c/index.html"],
                                              ["a/index.html", "p/index.html"]]
    assert pagefind_slices.plan(pages, 4) is None  # few pages: one run


def test_what_slicing_cannot_order_as_pagefind_does_is_one_run(tmp_path: Path) -> None:
    numbers = [_page(f"{n}/index.html", str(n)) for n in (9, 10, 100)]
    assert pagefind_slices.plan(numbers, 1) is None  # Pagefind would compare numbers
    two_keys = [_page("a/index.html", "2024-01-01"),
                pagefind_slices.Page(("votes", "x"), "b/index.html")]
    assert pagefind_slices.plan(two_keys, 1) is None
    page = '<html><body><main data-pagefind-body>{}</main></body></html>'
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        page.format('<span data-pagefind-sort="date">2024-01-01</span>'), encoding="utf-8")
    (tmp_path / "b.html").write_text(page.format("no date"), encoding="utf-8")
    (tmp_path / "c.html").write_text("<html><body>not indexed</body></html>", encoding="utf-8")
    found = pagefind_slices.indexed_pages(tmp_path)
    assert found is not None
    assert sorted(found, key=lambda page: page.path) == [
        pagefind_slices.Page(("date", "2024-01-01"), "a/index.html"),
        pagefind_slices.Page(None, "b.html"),
    ]
    (tmp_path / "d.html").write_text(page.format('<i data-pagefind-sort="date:2024-01-01"></i>'),
                                     encoding="utf-8")
    assert pagefind_slices.indexed_pages(tmp_path) is None  # a value in the attribute


def test_a_page_gone_since_it_was_listed_is_left_out_of_its_slice(tmp_path: Path) -> None:
    (tmp_path / "site" / "a").mkdir(parents=True)
    (tmp_path / "site" / "a" / "index.html").write_text("a", encoding="utf-8")
    pagefind_slices.link_slice(tmp_path / "site", tmp_path / "slice",
                               ["a/index.html", "gone/index.html"])
    assert (tmp_path / "slice" / "a" / "index.html").read_text(encoding="utf-8") == "a"
    assert not (tmp_path / "slice" / "gone" / "index.html").exists()


def test_only_an_element_marks_a_page_for_the_index() -> None:
    assert pagefind_slices.marks_body(b'<main class="x" data-pagefind-body><p>a</p></main>')
    assert pagefind_slices.marks_body(b"<div\ndata-pagefind-body>")
    assert not pagefind_slices.marks_body(b"<p>the data-pagefind-body attribute</p>")
    assert not pagefind_slices.marks_body(b"<p>a</p> data-pagefind-body <b>")
