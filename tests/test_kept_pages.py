"""The engine's side of warm builds (``engine/kept_pages``): files set apart, given back,
and the addresses of listed pages. Whole warm builds are in test_warm_build.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.structure.files import File, Files

from generator.engine import warm
from generator.engine.kept_pages import Addresses, SiteKeeper

BASES = ["https://example.org/archive/", "https://example.org", "http://h:8080/a/b",
         "https://h/a/./b/../c/", "https://h//a//", "https://h/a/?q=1", "https://h/a/#top"]
# What File.url is made of (percent-quoted), and what urljoin would treat specially.
SEGMENT = st.text(alphabet="ab.%~-_1/", max_size=12)


@given(url=SEGMENT, base=st.sampled_from(BASES))
def test_addresses_are_those_of_urljoin(url: str, base: str) -> None:
    joined = urljoin(base if base.endswith("/") else base + "/", url)
    assert Addresses(base).of(url) == (joined, urlsplit(joined).path)


def test_no_site_url_no_addresses() -> None:
    assert Addresses(None).of("cases/a/") == (None, None)
    assert Addresses("").of("cases/a/") == (None, None)


SOURCES = ["index.md", "about.md", "cases/a/index.md", "cases/b/index.md", "data/cases.csv"]
CONFIG = {"site_url": "https://example.org/", "repo_url": None, "edit_uri": None,
          "edit_uri_template": None}


def _keeper(tmp_path: Path) -> tuple[SiteKeeper, Files, dict[str, warm.FileRecord]]:
    """Files of a docs tree, of which the last build left ``cases/a`` and the CSV as they
    are now (their records are the same) and ``cases/b`` from other bytes."""
    files = Files([File(name, str(tmp_path / "docs"), str(tmp_path / "site"), True)
                   for name in SOURCES])
    docs = {name: warm.FileRecord(1, 1, name.encode()) for name in SOURCES}
    keeper = SiteKeeper(warm.State("f", context="c"), tmp_path)
    for name in ("cases/a/index.md", "cases/b/index.md", "data/cases.csv"):
        dest = files.src_uris[name].dest_uri
        source = docs[name] if name != "cases/b/index.md" else warm.FileRecord(1, 1, b"old")
        keeper.outputs[name] = warm.PageRecord(dest, source, warm.FileRecord(1, 1, b""), True)
    return keeper, files, docs


def test_unchanged_files_are_set_apart_and_still_found(tmp_path: Path) -> None:
    keeper, files, docs = _keeper(tmp_path)
    engine = keeper.set_apart(files, docs)
    assert [file.src_uri for file in engine] == ["index.md", "about.md", "cases/b/index.md"]
    assert engine.get_file_from_path("cases/a/index.md") is files.src_uris["cases/a/index.md"]
    assert engine.get_file_from_path("data/cases.csv") is not None
    assert engine.get_file_from_path("cases/c/index.md") is None
    keeper.choose("c", {"index.md", "about.md"}, CONFIG)  # type: ignore[arg-type]
    assert set(keeper.keep) == {"cases/a/index.md", "data/cases.csv"}
    assert keeper.kept_files == {"cases/a/index.html", "data/cases.csv"}
    assert keeper.kept_pages() == 1


@pytest.mark.parametrize(("context", "nav"), [("other", {"index.md"}),
                                              ("c", {"index.md", "cases/a/index.md"})])
def test_another_context_gives_every_file_back_in_its_order(
        tmp_path: Path, context: str, nav: set[str]) -> None:
    keeper, files, docs = _keeper(tmp_path)
    engine = keeper.set_apart(files, docs)
    keeper.choose(context, nav, CONFIG)  # type: ignore[arg-type]
    assert [file.src_uri for file in engine] == SOURCES
    assert keeper.keep == {} and keeper.kept_files == set() and keeper.kept_pages() == 0
    page = engine.src_uris["cases/a/index.md"].page
    assert page is not None and page.canonical_url == "https://example.org/cases/a/"
    assert engine.src_uris["data/cases.csv"].page is None
