"""A built archive of more than 100 cases: continued pages exist, link up and stay quiet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.test_site_escaping import write
from tests.test_site_helpers import Build, broken_links, build_site

AS_OF = dt.date(2024, 6, 1)
COUNT = 130


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("big")
    content = root / "content"
    write(content / "platforms" / "p.yml",
          {"name": "议事厅", "level": "村社区", "region": "某村", "host": "村委会"})
    for n in range(COUNT):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=n)
        write(content / "cases" / f"c{n:03d}.yml", {
            "title": f"议题{n:03d}", "platform": "p", "date": day.isoformat(), "form": "会议协商",
            "topic": {"source": "群众反映", "categories": ["停车"], "background": "车多位少。"},
            "participants": {"groups": [{"role": "群众代表", "count": 3}]},
            "consensus": {"summary": "划线。", "items": [{
                "text": f"事项{n:03d}", "owner": "物业",
                "due": (day + dt.timedelta(days=30)).isoformat(),
            }]},
        })
    return build_site(root, content, AS_OF)


@pytest.mark.parametrize("base", ["platforms/p/", "categories/tingche/", "follow-up/"])
def test_listings_continue_on_page_two(big: Build, base: str) -> None:
    assert (big.site / base / "page" / "2" / "index.html").is_file()
    assert not (big.site / base / "page" / "3").exists()
    second = big.html(f"{base}page/2/")
    assert "第 2 页，共 2 页" in second
    assert 'rel="prev" href="../../"' in second


def test_year_pages_split_too(big: Build) -> None:
    assert (big.site / "years" / "2023" / "page" / "2" / "index.html").is_file()


def test_newest_first_across_pages(big: Build) -> None:
    first = big.html("platforms/p/")
    second = big.html("platforms/p/page/2/")
    assert "议题129" in first and "议题030" in first and "议题029" not in first
    assert "议题029" in second and "议题000" in second and "议题030" not in second


def test_links_resolve_and_the_build_is_quiet(big: Build) -> None:
    assert not broken_links(big.site)
    assert "not included in the nav" not in big.output
    assert "WARNING" not in big.output


def test_pages_stay_small(big: Build) -> None:
    assert max(p.stat().st_size for p in Path(big.site).rglob("*.html")) < 120_000
