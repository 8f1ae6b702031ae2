"""Every supported engine builds the same site: ProperDocs (the default) and MkDocs 1.6.

The sample archive is built with each, from the same configuration and as-of
day; the sites differ only in the ``<meta name="generator">`` line that names
the engine. Kept for as long as both engines are supported (ARCHITECTURE.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_site_helpers import (
    ENGINE,
    ENGINES,
    SAMPLE_AS_OF,
    SAMPLE_BUNDLE_PAGES,
    SAMPLE_CONTENT,
    SAMPLE_SLICE_PAGES,
    Build,
    build_site,
)

_GENERATOR_META = re.compile(rb'<meta name="generator" content="[^"]*">')


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def without_generator_meta(data: bytes) -> bytes:
    return _GENERATOR_META.sub(b"", data)


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != ENGINE])
def test_every_engine_builds_the_same_site(site: Build, tmp_path: Path, engine: str) -> None:
    other = build_site(tmp_path, SAMPLE_CONTENT, SAMPLE_AS_OF, engine=engine,
                       search_slice_pages=SAMPLE_SLICE_PAGES,
                       search_bundle_pages=SAMPLE_BUNDLE_PAGES)
    ours, theirs = site_files(site.site), site_files(other.site)
    assert sorted(ours) == sorted(theirs)
    differ = [name for name in ours if ours[name] != theirs[name]]
    assert differ, "the engines name themselves in each page"
    assert all(name.endswith(".html") for name in differ), differ
    for name in differ:
        assert without_generator_meta(ours[name]) == without_generator_meta(theirs[name]), name
    names = {m.group().decode() for data in (ours["index.html"], theirs["index.html"])
             for m in _GENERATOR_META.finditer(data)}
    assert any("ProperDocs" in name for name in names), names
    assert any("mkdocs-1.6" in name for name in names), names
