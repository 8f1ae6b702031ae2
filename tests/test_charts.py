"""Figures as charts (generator/site/charts.py, templates/_charts.html): the counts of a
crafted archive, each subtree's, the SVG and its table, escaping, and the built pages.

How the charts look in Chromium (长辈模式 on a phone, print) is tested in
tests/test_charts_browser.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.records import model
from generator.records.archive import load_archive
from generator.site import charts, render
from tests.conftest import AS_OF, CASE, ContentTree
from tests.record_text import replace_once
from tests.test_site_helpers import Build

DUE = "      due: 2022-05-31\n"
LATER_DUE = "      due: 2024-05-31\n"
ITEM_1_FOLLOW_UP = ("  - date: 2022-05-10\n    item: 1\n    status: 推进中\n"
                    "    note: 已更换阀门 3 处\n")
SHORT = """\
title: {title}
platform: {platform}
date: {date}
form: 会议协商
topic:
  source: 群众反映
  categories: [环境卫生]
  background: 背景。
participants:
  groups:
    - role: 群众代表
      count: 5
"""
NO_CONSENSUS = "consensus:\n  reached: false\n  summary: 未能达成一致。\n"


def _short(title: str, platform: str, date: str) -> str:
    """A case with no consensus (未达成共识 once its day has passed)."""
    return SHORT.format(title=title, platform=platform, date=date) + NO_CONSENSUS


def _variant(*edits: tuple[str, str]) -> str:
    text = CASE
    for old, new in edits:
        text = replace_once(text, old, new)
    return text


def _platform(text: str, platform_id: str) -> str:
    return replace_once(text, "platform: street\n", f"platform: {platform_id}\n")


def write_archive(tree: ContentTree) -> model.Archive:
    """Cases on each level of city > district > street, with every status and item state.

    street:   A 2022 逾期 (items 已完成, 逾期; answers 2022 30/5/1)
              H 2022 推进中 (items 已完成, 推进中; answers 2022 30/5/1)
              E withdrawn (counted nowhere)
    district: B 2023 未达成共识
              D 2022 已办结 (items 已完成 x2; answers 2023 30/5/1)
    city:     C 2024 预告 (a day after the as-of day)
              F 2022 推进中 (items 未启动, 无法落实; answers 2022 30/5/1)
    """
    tree.write_platforms()
    tree.write("cases/a.yml", CASE)
    tree.write("cases/h.yml", _variant((DUE, LATER_DUE)))
    tree.write("cases/e.yml", CASE + "withdrawn:\n  date: 2023-01-05\n  reason: 重复\n")
    tree.write("cases/b.yml", _short("没有共识", "district", "2023-06-01"))
    tree.write("cases/d.yml", _platform(_variant(
        ("    item: 1\n    status: 推进中\n", "    item: 1\n    status: 已完成\n"),
        ("  - date: 2022-07-01\n    by:", "  - date: 2023-07-01\n    by:"),
    ), "district"))
    tree.write("cases/c.yml", SHORT.format(title="预告", platform="city", date="2024-03-01"))
    tree.write("cases/f.yml", _platform(_variant(
        (DUE, LATER_DUE), (ITEM_1_FOLLOW_UP, ""),
        ("    item: 2\n    status: 已完成\n", "    item: 2\n    status: 无法落实\n"),
    ), "city"))
    return load_archive(tree.dir, as_of=AS_OF)


@pytest.fixture
def archive(tmp_path: Path) -> model.Archive:
    return write_archive(ContentTree(tmp_path))


def _cases(tally: charts.Tally) -> dict[int, dict[str, int]]:
    return {year: {name: n for name, n in zip(charts.OUTCOMES, counts, strict=True) if n}
            for year, counts in tally.cases.items()}


def _items(tally: charts.Tally) -> dict[str, int]:
    return {name: n for name, n in zip(charts.ITEM_STATES, tally.items, strict=True) if n}


def _answers(tally: charts.Tally) -> dict[int, tuple[int, int, int]]:
    return {year: (s.satisfied, s.fairly_satisfied, s.dissatisfied)
            for year, s in tally.satisfaction.items()}


def test_each_subtree_counts_cases_by_year_and_outcome(archive: model.Archive) -> None:
    tallies = charts.Tallies(archive)
    assert _cases(tallies.of("street")) == {2022: {"推进中": 1, "逾期": 1}}
    assert _cases(tallies.of("district")) == {2022: {"已办结": 1, "推进中": 1, "逾期": 1},
                                              2023: {"未达成共识": 1}}
    assert _cases(tallies.of("city")) == {2022: {"已办结": 1, "推进中": 2, "逾期": 1},
                                          2023: {"未达成共识": 1}, 2024: {"预告": 1}}
    assert tallies.total == tallies.of("city")


def test_each_subtree_counts_items_by_state(archive: model.Archive) -> None:
    tallies = charts.Tallies(archive)
    assert _items(tallies.of("street")) == {"已完成": 2, "推进中": 1, "逾期": 1}
    assert _items(tallies.of("district")) == {"已完成": 4, "推进中": 1, "逾期": 1}
    assert _items(tallies.of("city")) == {"已完成": 4, "推进中": 1, "未启动": 1, "逾期": 1,
                                          "无法落实": 1}


def test_each_subtree_counts_answers_by_the_year_of_the_evaluation(
    archive: model.Archive
) -> None:
    tallies = charts.Tallies(archive)
    assert _answers(tallies.of("street")) == {2022: (60, 10, 2)}
    assert _answers(tallies.of("district")) == {2022: (60, 10, 2), 2023: (30, 5, 1)}
    assert _answers(tallies.of("city")) == {2022: (90, 15, 3), 2023: (30, 5, 1)}


def test_the_charts_agree_with_the_roll_up_figures(archive: model.Archive) -> None:
    """逾期 and 已完成 items, cases and answers are the platform's 统计 figures."""
    tallies = charts.Tallies(archive)
    for platform_id in archive.platforms:
        tally, figures = tallies.of(platform_id), archive.figures(platform_id)
        items = dict(zip(charts.ITEM_STATES, tally.items, strict=True))
        assert sum(map(sum, tally.cases.values())) == figures.cases
        assert sum(tally.items) == figures.items
        assert items["已完成"] == figures.items_done
        assert items["逾期"] == figures.items_overdue
        assert sum(tally.satisfaction.values(), model.Satisfaction()) == figures.satisfaction


def test_the_tallies_added_up_the_tree_are_those_of_each_subtree_walked(
    archive: model.Archive
) -> None:
    tallies = charts.Tallies(archive)
    for platform_id in archive.platforms:
        subtree = {platform_id, *(p.id for p in archive.descendants(platform_id))}
        walked = charts.Tally()
        for view in archive.views.values():
            if view.case.platform_id in subtree:
                walked.add_case(view)
        assert tallies.of(platform_id) == walked, platform_id


# What is drawn.


def _chart_html(html: str, key: str) -> str:
    match = re.search(rf'<div class="xs-chart" id="{key}">.*?</details>\n</div>', html, re.S)
    assert match, key
    return match.group(0)


def _svg(block: str) -> ET.Element:
    match = re.search(r"<svg class=\"xs-chart__plot\".*?</svg>", block, re.S)
    assert match
    return ET.fromstring(match.group(0))  # well-formed XML, or this raises


def _documents(archive: model.Archive) -> dict[str, str]:
    return {path: data.decode("utf-8") for path, data in render.render(archive)
            if path.endswith("index.md") and data is not None}


def _table(block: str) -> list[list[str]]:
    table = block[block.index("<table"):block.index("</table>")]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", table)]


def test_each_chart_is_an_image_with_a_title_and_a_summary(archive: model.Archive) -> None:
    page = _documents(archive)["platforms/district/index.md"]
    for key in ("xs-chart-cases", "xs-chart-items", "xs-chart-satisfaction"):
        svg = _svg(_chart_html(page, key))
        assert svg.get("role") == "img"
        title, desc = svg.find("title"), svg.find("desc")
        assert title is not None and desc is not None
        assert svg.get("aria-labelledby") == title.get("id") == f"{key}-t"
        assert svg.get("aria-describedby") == desc.get("id") == f"{key}-d"
        assert title.text and title.text.endswith("：欢迎来协商及其下级平台")
        assert desc.text and desc.text.endswith("。") and desc.text.count("。") == 1
        assert not svg.findall(".//script") and "href" not in ET.tostring(svg, "unicode")
    svg = _svg(_chart_html(page, "xs-chart-cases"))
    assert svg.findtext("desc") == ("2022 年至 2023 年共 4 个协商案例：已办结 1 个，推进中 1 个，"
                                    "逾期 1 个，未达成共识 1 个，预告 0 个。")


def test_the_bars_and_the_table_hold_the_counts(archive: model.Archive) -> None:
    page = _documents(archive)["platforms/district/index.md"]
    cases = _chart_html(page, "xs-chart-cases")
    assert _table(cases) == [
        ["年份", "已办结", "推进中", "逾期", "未达成共识", "预告", "合计"],
        ["2022 年", "1", "1", "1", "0", "0", "3"],
        ["2023 年", "0", "0", "0", "1", "0", "1"],
        ["合计", "1", "1", "1", "1", "0", "4"],
    ]
    texts = [t.text for t in _svg(cases).iter("text")]
    assert texts == ["2022 年", "3 个", "2023 年", "1 个"]
    bars = [(r.get("x"), r.get("width")) for r in _svg(cases).findall("rect")]
    assert bars == [("0%", "33.33%"), ("33.33%", "33.33%"), ("66.67%", "33.33%"),
                    ("0%", "33.33%")]

    items = _chart_html(page, "xs-chart-items")
    assert _table(items)[1:] == [["已完成", "4", "66.7%"], ["推进中", "1", "16.7%"],
                                 ["未启动", "0", "0.0%"], ["逾期", "1", "16.7%"],
                                 ["无法落实", "0", "0.0%"], ["合计", "6", "100%"]]
    assert [t.text for t in _svg(items).iter("text")][:2] == ["已完成", "4 项"]

    answers = _chart_html(page, "xs-chart-satisfaction")
    assert _table(answers) == [
        ["年份", "满意", "基本满意", "不满意", "评议人次"],
        ["2022 年", "60（83.3%）", "10（13.9%）", "2（2.8%）", "72"],
        ["2023 年", "30（83.3%）", "5（13.9%）", "1（2.8%）", "36"],
        ["合计", "90（83.3%）", "15（13.9%）", "3（2.8%）", "108"],
    ]


def test_the_series_are_told_by_pattern_and_legend_not_colour_alone(
    archive: model.Archive
) -> None:
    page = _documents(archive)["platforms/city/index.md"]
    cases = _chart_html(page, "xs-chart-cases")
    legend = re.findall(r"</svg>([^<]+)</li>", cases)
    assert legend == list(charts.OUTCOMES)
    kinds = {charts.STYLES[name][2] for name in charts.OUTCOMES}
    assert len(kinds) == len(charts.OUTCOMES)
    # the items chart names each bar in its own row instead
    assert "xs-chart__legend" not in _chart_html(page, "xs-chart-items")


def test_a_subtree_without_cases_draws_nothing(tmp_path: Path) -> None:
    tree = ContentTree(tmp_path)
    tree.write_platforms()
    tree.write("cases/b.yml", _short("没有共识", "district", "2023-06-01"))
    pages = _documents(load_archive(tree.dir, as_of=AS_OF))
    assert "xs-chart" not in pages["platforms/street/index.md"]
    district = pages["platforms/district/index.md"]
    assert 'id="xs-chart-cases"' in district
    assert 'id="xs-chart-items"' not in district and 'id="xs-chart-satisfaction"' not in district


def test_record_text_in_a_chart_is_escaped(tmp_path: Path) -> None:
    tree = ContentTree(tmp_path)
    tree.write_platforms()
    tree.write("platforms/street.yml", replace_once(
        (tree.dir / "platforms/street.yml").read_text(encoding="utf-8"),
        "name: 街道议事厅", "name: \"<script>alert(1)</script>&</title>\""))
    tree.write("cases/a.yml", CASE)
    page = _documents(load_archive(tree.dir, as_of=AS_OF))["platforms/street/index.md"]
    block = _chart_html(page, "xs-chart-cases")
    assert "<script" not in block and "</title>\"" not in block
    title = _svg(block).findtext("title")
    assert title == "各年协商案例（按办理结果）：<script>alert(1)</script>&</title>"


def test_the_years_between_show_even_without_cases(tmp_path: Path) -> None:
    tree = ContentTree(tmp_path)
    tree.write_platforms()
    tree.write("cases/a.yml", _short("早", "street", "2019-06-01"))
    tree.write("cases/b.yml", _short("晚", "street", "2022-06-01"))
    page = _documents(load_archive(tree.dir, as_of=AS_OF))["platforms/street/index.md"]
    rows = _table(_chart_html(page, "xs-chart-cases"))
    assert [row[0] for row in rows[1:]] == ["2019 年", "2020 年", "2021 年", "2022 年", "合计"]
    assert rows[2][-1] == "0"


# The built sample site.


def test_the_home_and_every_platform_page_carry_the_charts(site: Build) -> None:
    home = site.html("")
    assert home.count('<svg class="xs-chart__plot" role="img"') == 3
    assert "：全部协商平台</title>" in home
    platforms = [p for p in (site.site / "platforms").iterdir() if (p / "index.html").exists()]
    drawn = 0
    for folder in platforms:
        html = (folder / "index.html").read_text(encoding="utf-8")
        drawn += 'id="xs-chart-cases"' in html
        # the charts are figures, not words to find the page by
        if 'id="xs-chart-cases"' in html:
            start = html.index('id="xs-chart-cases"')
            assert html.rfind("data-pagefind-ignore", 0, start) > html.rfind(
                "data-pagefind-body", 0, start)
    assert drawn >= 5
