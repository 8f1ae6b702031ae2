"""The warning when the built site passes GitHub Pages' 1 GB (``size_warning_mb``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.engine import site_size
from tests.test_site_helpers import SAMPLE_AS_OF, SAMPLE_CONTENT, build_site


def test_measure_counts_bytes_and_files_below_the_folder(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "index.html").write_bytes(b"x" * 10)
    (tmp_path / "a" / "b" / "feed.xml").write_bytes(b"y" * 5)
    (tmp_path / "a" / "link").symlink_to(tmp_path / "index.html")
    assert site_size.measure(tmp_path) == site_size.SiteSize(bytes=15, files=2)


def test_no_warning_at_or_below_the_limit_or_when_turned_off() -> None:
    at_limit = site_size.SiteSize(1000 * site_size.MEGABYTE, 5)
    assert site_size.warning(at_limit, 1000) is None
    assert site_size.warning(site_size.SiteSize(10**12, 5), 0) is None


def test_the_warning_says_how_large_and_what_to_do() -> None:
    size = site_size.SiteSize(1_234_567_890, 312_345)
    assert site_size.warning(size, 1000) == (
        "网站共 1,235 MB（312,345 个文件），超过 1,000 MB：GitHub Pages 不发布超过 1 GB 的网站。"
        "请改为发布到自己的服务器或对象存储（README：发布到国内的服务器），"
        "并在 mkdocs.yml 中设 size_warning_mb: 0"
    )


def test_a_strict_build_of_a_site_over_the_limit_stops_with_the_warning(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    build = build_site(tmp_path_factory.mktemp("large"), SAMPLE_CONTENT, SAMPLE_AS_OF,
                       check=False, search=False, size_warning_mb=1)
    assert build.returncode != 0
    assert "WARNING -  xieshang: 网站共 " in build.output
    assert "超过 1 MB：GitHub Pages 不发布超过 1 GB 的网站" in build.output
    assert "Aborted with 1 warnings in strict mode" in build.output
