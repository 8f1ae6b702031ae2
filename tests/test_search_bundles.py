"""The search index cut by age into bundles (``slices.cut_bundles``) and the list of them
the search page reads (``bundles.manifest``): which pages go where, and that the bundle
a first search loads stays the same size however large the archive grows."""

from __future__ import annotations

import json

from generator.search import bundles as search_bundles
from generator.search import slices as pagefind_slices
from generator.search.slices import Page


def _cases(count: int, year: int = 2020) -> list[Page]:
    return [Page(("date", f"{year + n // 300}-{1 + n // 25 % 12:02d}-{1 + n % 25:02d}"),
                 f"cases/{n}/index.html") for n in range(count)]


PLATFORMS = [Page(None, f"platforms/{n}/index.html") for n in range(3)]


def test_bundles_are_cut_from_the_oldest_and_the_newest_takes_the_platforms() -> None:
    groups = pagefind_slices.cut_bundles(_cases(23) + PLATFORMS, 10)
    # 23 dated pages: 10, 10 and 3; fewer than half of 10 join the one before.
    assert [len(group) for group in groups] == [10, 13 + 3]
    assert [page.path for page in groups[0]] == [f"cases/{n}/index.html" for n in range(10)]
    assert groups[-1][-3:] == PLATFORMS


def test_a_new_case_changes_only_the_newest_bundle() -> None:
    before = pagefind_slices.cut_bundles(_cases(40) + PLATFORMS, 10)
    after = pagefind_slices.cut_bundles(_cases(41) + PLATFORMS, 10)
    assert before[:-1] == after[:-1]
    assert before[-1] != after[-1]


def test_the_newest_bundle_holds_half_to_one_and_a_half_bundles_at_any_size() -> None:
    for count in range(5, 400, 7):
        newest = pagefind_slices.cut_bundles(_cases(count) + PLATFORMS, 20)[-1]
        dated = [page for page in newest if page.sort]
        assert min(count, 10) <= len(dated) < 30, count


def test_what_cannot_be_ordered_is_one_bundle() -> None:
    numbers = [Page(("date", str(n)), f"{n}/index.html") for n in range(30)]
    assert pagefind_slices.cut_bundles(numbers, 5) == [numbers]
    assert pagefind_slices.cut_bundles([], 5) == []
    assert pagefind_slices.cut_bundles(PLATFORMS, 5) == [PLATFORMS]


def test_the_list_says_what_each_bundle_holds_newest_first() -> None:
    groups = pagefind_slices.cut_bundles(_cases(23) + PLATFORMS, 10)
    listed = json.loads(search_bundles.manifest(groups, 0))["bundles"]
    assert listed == [
        {"path": "", "pages": 16, "cases": 13, "from": "2020-01-11", "to": "2020-01-23",
         "years": {"2020": 13}},
        {"path": "older/1/", "pages": 10, "cases": 10, "from": "2020-01-01", "to": "2020-01-10",
         "years": {"2020": 10}},
    ]
    assert json.loads(search_bundles.manifest([], 26)) == {"bundles": [{"path": "", "pages": 26}]}
