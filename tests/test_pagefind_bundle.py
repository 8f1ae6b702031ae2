"""Pagefind's bundle in a fixed order: the CBOR subset, Pagefind's names, the canonical form.

The real bundle is the sample archive's, built once. Pagefind chose the
order of its filter values at random; ``shuffled`` writes that bundle again
in other random orders, named the way Pagefind names files, and
``canonicalise`` must bring every one of them back to the same bytes.
"""

from __future__ import annotations

import filecmp
import json
import random
import shutil
from pathlib import Path

import pytest

from generator.search import bundle as pb
from generator.search import pagefind as search
from tests.test_site_helpers import SAMPLE_BUNDLE_PAGES, SAMPLE_SLICE_PAGES, Build

# Pagefind's gzip header: no name, mtime 0, XFL 2 (best compression), OS 255.
PAGEFIND_GZIP_HEADER = bytes.fromhex("1f8b08000000000002ff")



@pytest.fixture
def bundle(site: Build, tmp_path: Path) -> Path:
    """A copy of the sample's bundle, to change."""
    return Path(shutil.copytree(site.site / search.BUNDLE_DIR, tmp_path / "pagefind"))


def files(bundle: Path) -> list[str]:
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())


def same_bytes(one: Path, two: Path) -> bool:
    names = files(one)
    if names != files(two):
        return False
    _, mismatch, errors = filecmp.cmpfiles(one, two, names, shallow=False)
    return not mismatch and not errors


def decoded(path: Path) -> pb.Cbor:
    return pb.cbor_decode(pb.read_body(path))


def the_language(bundle: Path) -> pb.Language:
    [language] = pb.languages(bundle)
    return language


def meta_of(bundle: Path) -> list[pb.Cbor]:
    meta = decoded(pb.meta_path(bundle, the_language(bundle).meta))
    assert isinstance(meta, list)
    return meta


def search_data(bundle: Path) -> tuple[dict[str, dict[str, frozenset[int]]], list[pb.Cbor]]:
    """What a search reads: each filter's values and their pages; the rest of the meta index."""
    meta = meta_of(bundle)
    filters = {}
    for name, chunk in pb.parse_meta_filters(meta, "meta"):
        filter_name, values = pb.parse_filter(decoded(pb.filter_path(bundle, chunk)))
        assert filter_name == name
        filters[name] = {value: frozenset(pages) for value, pages in values}
    return filters, meta[: pb.META_FILTERS] + meta[pb.META_FILTERS + 1 :]


def shuffled(bundle: Path, rng: random.Random) -> None:
    """Write ``bundle``'s filters and meta index again in a random order, as Pagefind might."""
    language = the_language(bundle)
    old_meta = pb.meta_path(bundle, language.meta)
    meta = meta_of(bundle)
    listed = pb.parse_meta_filters(meta, old_meta.name)
    rng.shuffle(listed)
    filters: list[pb.Cbor] = []
    for name, chunk in listed:
        path = pb.filter_path(bundle, chunk)
        _, values = pb.parse_filter(decoded(path))
        rng.shuffle(values)
        body = pb.cbor_encode([name, [[text, list[pb.Cbor](pages)] for text, pages in values]])
        path.unlink()
        new_chunk = pb.chunk_name(language.code, body, set())
        pb.filter_path(bundle, new_chunk).write_bytes(pb.pack(body))
        filters.append([name, new_chunk])
    meta[pb.META_FILTERS] = filters
    body = pb.cbor_encode(meta)
    old_meta.unlink()
    new_meta = pb.meta_name(language.code, body)
    pb.meta_path(bundle, new_meta).write_bytes(pb.pack(body))
    entry = bundle / pb.ENTRY_FILE
    entry.write_text(entry.read_text(encoding="utf-8").replace(language.meta, new_meta),
                     encoding="utf-8")


# CBOR.

# RFC 8949, appendix A, for the types Pagefind writes.
RFC_EXAMPLES: list[tuple[pb.Cbor, str]] = [
    (0, "00"), (23, "17"), (24, "1818"), (100, "1864"), (1000, "1903e8"),
    (1000000, "1a000f4240"), (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"), (-1, "20"), (-100, "3863"),
    (-1000, "3903e7"), (b"", "40"), (b"\x01\x02\x03\x04", "4401020304"), ("", "60"),
    ("a", "6161"), ("IETF", "6449455446"), ("\u6c34", "63e6b0b4"), ([], "80"),
    ([1, [2, 3], [4, 5]], "8301820203820405"), ({}, "a0"), ({1: 2, 3: 4}, "a201020304"),
    ({"a": 1, "b": [2, 3]}, "a26161016162820203"), (list(range(1, 26)),
     "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
]


@pytest.mark.parametrize(("item", "hex_bytes"), RFC_EXAMPLES)
def test_cbor_matches_the_rfc_examples(item: pb.Cbor, hex_bytes: str) -> None:
    assert pb.cbor_encode(item).hex() == hex_bytes
    assert pb.cbor_decode(bytes.fromhex(hex_bytes)) == item


@pytest.mark.parametrize(("argument", "head"), [
    (23, 1), (24, 2), (255, 2), (256, 3), (65535, 3), (65536, 5), (2**32 - 1, 5), (2**32, 9),
    (2**64 - 1, 9),
])
def test_cbor_heads_are_as_short_as_they_can_be(argument: int, head: int) -> None:
    for item in (argument, -1 - argument):
        assert len(pb.cbor_encode(item)) == head
        assert pb.cbor_decode(pb.cbor_encode(item)) == item
    if argument < 100_000:
        text = "停" * (argument // 3) + "x" * (argument % 3)
        assert len(pb.cbor_encode(text)) == head + argument
        assert pb.cbor_decode(pb.cbor_encode(text)) == text


@pytest.mark.parametrize("hex_bytes", [
    "f93c00",    # a float
    "f5",        # true
    "9f01ff",    # an array of indefinite length
    "c074",      # a tag
    "0102",      # bytes after the item
    "8201",      # an array cut short
    "6461",      # a string cut short
    "1c",        # a reserved head
])
def test_cbor_refuses_what_pagefind_never_writes(hex_bytes: str) -> None:
    with pytest.raises(pb.BundleFormatError):
        pb.cbor_decode(bytes.fromhex(hex_bytes))


def test_cbor_does_not_encode_other_types() -> None:
    for item in (True, 1.5, None, (1, 2)):
        with pytest.raises(pb.BundleFormatError):
            pb.cbor_encode(item)  # type: ignore[arg-type]
    with pytest.raises(pb.BundleFormatError):
        pb.cbor_encode(2**64)


# The real bundle as Pagefind wrote it (index chunks and fragments are left untouched).


def test_every_cbor_file_of_the_bundle_round_trips(site: Build) -> None:
    bundle = site.site / search.BUNDLE_DIR
    paths = [p for p in bundle.rglob("*.pf_*") if p.suffix != ".pf_fragment"]
    assert {p.suffix for p in paths} == {".pf_meta", ".pf_filter", ".pf_index"}
    for path in paths:
        body = pb.read_body(path)
        assert pb.cbor_encode(pb.cbor_decode(body)) == body, path.name


def test_names_and_gzip_are_those_pagefind_gives(site: Build) -> None:
    bundle = site.site / search.BUNDLE_DIR
    language = the_language(bundle)
    untouched = [*bundle.glob("index/*.pf_index"), *bundle.glob("fragment/*.pf_fragment")]
    for path in untouched:
        assert path.stem == pb.chunk_name(language.code, pb.read_body(path), set())
        assert path.read_bytes()[:10] == PAGEFIND_GZIP_HEADER
    for path in bundle.glob("filter/*.pf_filter"):
        assert path.stem == pb.chunk_name(language.code, pb.read_body(path), set())
    meta = pb.meta_path(bundle, language.meta)
    assert meta.is_file()
    assert language.meta == pb.meta_name(language.code, pb.read_body(meta))
    assert len(language.meta) == len("zh_") + 10  # as Pagefind names zh meta indexes
    assert pb.pack(b"body")[:10] == PAGEFIND_GZIP_HEADER


def test_pagefind_hash_drops_leading_zeros_of_each_byte() -> None:
    # sha1(b"") = da39a3ee 5e6b4b0d 3255bfef 95601890 afd80709
    assert pb.full_hash(b"") == "da39a3ee5e6b4bd3255bfef95601890afd879"
    assert pb.chunk_name("zh", b"", set()) == "zh_da39a3e"
    assert pb.chunk_name("zh", b"", {"zh_da39a3e"}) == "zh_da39a3ee"
    assert pb.meta_name("zh", b"") == "zh_da39a3ee5e"


def test_the_built_bundle_is_in_order(site: Build) -> None:
    bundle = site.site / search.BUNDLE_DIR
    listed = pb.parse_meta_filters(meta_of(bundle), "meta")
    assert [name for name, _ in listed] == sorted(name for name, _ in listed)
    assert {"platform", "year", "category", "status", "form", "source"} <= dict(listed).keys()
    for _, chunk in listed:
        _, values = pb.parse_filter(decoded(pb.filter_path(bundle, chunk)))
        assert [text for text, _ in values] == sorted(text for text, _ in values)
        assert all(pages == sorted(pages) for _, pages in values)


# Canonicalising.


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_order_comes_back_to_the_same_bytes(bundle: Path, tmp_path: Path, seed: int) -> None:
    canonical = Path(shutil.copytree(bundle, tmp_path / "canonical"))
    shuffled(bundle, random.Random(seed))
    assert not same_bytes(bundle, canonical)
    assert search_data(bundle) == search_data(canonical)
    pb.canonicalise(bundle)
    assert same_bytes(bundle, canonical)


def test_canonicalising_keeps_what_search_reads(bundle: Path) -> None:
    shuffled(bundle, random.Random(7))
    before = search_data(bundle)
    entry = json.loads((bundle / pb.ENTRY_FILE).read_text(encoding="utf-8"))
    pb.canonicalise(bundle)
    assert search_data(bundle) == before
    after = json.loads((bundle / pb.ENTRY_FILE).read_text(encoding="utf-8"))
    assert after["languages"]["zh"].pop("hash") != entry["languages"]["zh"].pop("hash")
    assert after == entry
    assert len(list(bundle.glob("*.pf_meta"))) == 1
    assert len(list(bundle.glob("filter/*"))) == len(before[0])


def test_canonicalising_twice_changes_nothing(bundle: Path, site: Build) -> None:
    pb.canonicalise(bundle)
    assert same_bytes(bundle, site.site / search.BUNDLE_DIR)


def test_pagefind_twice_gives_the_same_bundle(site: Build, tmp_path: Path) -> None:
    bundles = []
    for run in ("one", "two"):
        copy = Path(shutil.copytree(site.site, tmp_path / run))
        search.build_index(copy, slice_pages=SAMPLE_SLICE_PAGES,  # as the sample was
                           bundle_pages=SAMPLE_BUNDLE_PAGES)
        bundles.append(copy / search.BUNDLE_DIR)
    assert same_bytes(*bundles)
    assert same_bytes(bundles[0], site.site / search.BUNDLE_DIR)


def test_a_filter_chunk_no_meta_index_lists_is_refused(bundle: Path) -> None:
    shutil.copy(next(bundle.glob("filter/*")), bundle / "filter" / "zh_0000000.pf_filter")
    with pytest.raises(pb.BundleFormatError, match="zh_0000000"):
        pb.canonicalise(bundle)


@pytest.mark.parametrize("chunk", [
    ["year", [["2024", [1, 2]], ["2024", [3]]]],   # a value twice
    ["year", [["2024", [-1]]]],                     # not a page number
    ["year", [["2024", [1]], [2025, [2]]]],         # a value that is not text
    ["year", [["2024"]]],                           # no pages
    ["year"],                                       # no values
])
def test_an_odd_filter_chunk_is_refused(chunk: pb.Cbor) -> None:
    with pytest.raises(pb.BundleFormatError):
        pb.canonical_filter(chunk)


def test_a_changed_format_stops_the_build_with_a_chinese_message(tmp_path: Path) -> None:
    """A Pagefind that writes something else: the build says so instead of shipping it."""
    fake = tmp_path / "pagefind"
    # Called as: pagefind --site SITE --output-path BUNDLE ...
    fake.write_text('#!/bin/sh\nmkdir -p "$4" && : > "$4/pagefind.js"'
                    ' && echo \'{"languages": []}\' > "$4/pagefind-entry.json"\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    (tmp_path / "site").mkdir()
    with pytest.raises(search.SearchIndexError, match="筛选项"):
        search.build_index(tmp_path / "site", binary=fake)


def test_a_failed_index_leaves_the_previous_one_in_place(tmp_path: Path) -> None:
    """The preview reindexes in the background: a failed run must not take search away."""
    fake = tmp_path / "pagefind"
    fake.write_text('#!/bin/sh\nmkdir -p "$4" && echo broken && exit 3\n', encoding="utf-8")
    fake.chmod(0o755)
    bundle = tmp_path / "site" / "pagefind"
    bundle.mkdir(parents=True)
    (bundle / "pagefind.js").write_text("// the previous index", encoding="utf-8")
    with pytest.raises(search.SearchIndexError, match="退出码 3"):
        search.build_index(tmp_path / "site", binary=fake)
    assert (bundle / "pagefind.js").read_text(encoding="utf-8") == "// the previous index"
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["pagefind"]
