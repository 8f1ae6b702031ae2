"""Hostile text in every field of a record renders literally on every kind of page.

A small archive is written as YAML files (so the real validator and loader
run) and built with ``mkdocs build``; the assertions read the built HTML.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from generator.site import render
from tests.test_site_helpers import Build, ParsedPage, build_site

AS_OF = dt.date(2024, 6, 1)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
LINK = "[点我](javascript:alert(3))"
JINJA = "{{ 7*7 }}"
RAW = "{% raw %}x{% endraw %}"
ATTR = '{: .evil onclick="alert(6)" }'
ADMONITION = '!!! danger "x"'
EMPHASIS = "*斜体* **粗体** `代码`"
BREAKOUT = "</div></title><script>alert(9)</script>"
ENTITY = "&lt;b&gt; &amp;"
CONTROL = "a\x02wzxhzdk:0\x03b"

# Titles are limited to 60 characters; narrative fields carry everything at once.
TITLE = f"{BREAKOUT}{JINJA}"
LABEL = "<script>x"  # categories have at most 20 characters
LABELS = [LABEL, JINJA, "{:.evil onclick=x}"]
LINE = f"{SCRIPT} {IMG} {LINK} {JINJA} {RAW} {ATTR} {EMPHASIS} {ENTITY}"
NARRATIVE = (
    f"{SCRIPT}\n{IMG}\n\n{ADMONITION}\n    缩进的内容\n\n{LINK} {ATTR}\n\n"
    f"```\n{BREAKOUT}\n```\n\n{JINJA} {RAW}\n\n# 标题\n\n- 列表\n\n{EMPHASIS} {ENTITY}\n\n"
    "<!-- 注释 -->\n\n--8<-- \"mkdocs.yml\"\n\n<div markdown=\"1\">*md*</div>"
)

PAYLOAD_TEXTS = (SCRIPT, IMG, LINK, JINJA, RAW, ATTR, EMPHASIS, ENTITY)


def write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def hostile_content(root: Path) -> Path:
    content = root / "content"
    write(content / "platforms" / "evil.yml", {
        "name": LABEL, "full_name": LINE, "level": "县区", "region": LINE, "host": LINE,
        "method": {"name": LINE, "steps": [SCRIPT, IMG, JINJA]},
        "venue": LINE, "contact": LINE, "description": NARRATIVE,
    })
    write(content / "platforms" / "evil-child.yml", {
        "name": BREAKOUT, "level": "村社区", "parent": "evil", "region": LINE, "host": LINE,
    })
    write(content / "cases" / "2024-evil.yml", {
        "title": TITLE, "platform": "evil-child", "date": "2024-03-18", "form": "会议协商",
        "venue": LINE,
        "topic": {"source": "群众反映", "categories": LABELS, "background": NARRATIVE},
        "steps": [{"step": SCRIPT, "date": "2024-03-01", "note": LINE}],
        "participants": {
            "convenors": [LINE],
            "groups": [{"role": "政协委员", "count": 2, "names": [SCRIPT], "orgs": [IMG]},
                       {"role": "群众代表", "count": 3}],
        },
        "consensus": {
            "summary": NARRATIVE,
            "items": [{"text": LINE, "owner": LINE, "due": "2024-04-30"},
                      {"text": BREAKOUT, "owner": SCRIPT}],
            "dissent": NARRATIVE,
        },
        "follow_up": [{"date": "2024-04-01", "item": 1, "status": "推进中", "note": NARRATIVE}],
        "evaluation": [{"date": "2024-05-01", "by": "群众评议",
                        "satisfaction": {"满意": 1, "基本满意": 1, "不满意": 1},
                        "comment": NARRATIVE}],
        "notice": {"from": "2024-03-20", "to": "2024-03-27"},
        "sources": [{"title": LINE, "url": "https://example.org/a?b=1&c=2"}],
    })
    write(content / "cases" / "2024-evil-withdrawn.yml", {
        "title": SCRIPT, "platform": "evil", "date": "2024-03-19", "form": "其他",
        "topic": {"source": "其他", "categories": [LABEL], "background": NARRATIVE},
        "participants": {"groups": [{"role": "其他", "count": 1}]},
        "consensus": {"summary": "x", "items": [{"text": "x", "owner": "y"}]},
        "withdrawn": {"date": "2024-04-02", "reason": NARRATIVE},
    })
    return content


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("hostile")
    return build_site(root, hostile_content(root), AS_OF)


PAGES = (
    "", "cases/2024-evil/", "cases/2024-evil-withdrawn/", "platforms/", "platforms/evil/",
    "platforms/evil-child/", "categories/", "years/", "years/2024/", "follow-up/",
)


def assert_inert(page: ParsedPage, url: str) -> None:
    for element in page.elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"{url}: event handler {name}={value!r}"
            assert "javascript:" not in value.lower(), f"{url}: {name}={value!r}"
            assert "evil" not in element.attrs.get("class", "").split(), url
        if element.tag == "script":
            assert "alert(" not in element.text, f"{url}: script ran record text"
        assert element.tag != "img", f"{url}: an <img> from record text"
        assert "admonition" not in element.attrs.get("class", ""), url
        if element.tag in ("em", "strong", "code"):
            assert element.text not in ("斜体", "粗体", "代码"), f"{url}: Markdown was applied"
    assert "49" not in page.text.replace("2024", ""), f"{url}: a template expression ran"


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_inert(hostile: Build, url: str) -> None:
    assert_inert(hostile.page(url), url)


def test_category_pages_are_inert(hostile: Build) -> None:
    folders = [p for p in (hostile.site / "categories").iterdir() if p.is_dir()]
    assert len(folders) == 3
    for folder in folders:
        url = f"categories/{folder.name}/"
        page = hostile.page(url)
        assert_inert(page, url)
        assert page.find("h1")


def test_case_page_shows_the_text_literally(hostile: Build) -> None:
    page = hostile.page("cases/2024-evil/")
    for text in (*PAYLOAD_TEXTS, BREAKOUT, ADMONITION, "--8<--", '<div markdown="1">*md*</div>',
                 "<!-- 注释 -->", "```", "# 标题"):
        assert text in page.text, text
    assert page.find("h1")[0].text == TITLE
    assert page.title == f"{TITLE} - 基层协商档案"
    header = [e for e in page.elements if "md-header__topic" in e.attrs.get("class", "")]
    assert any(TITLE in e.text for e in header), "the header shows the title as text"
    description = page.find("meta", name="description")[0].attrs["content"]
    assert description.startswith(SCRIPT)


def test_withdrawn_case_shows_only_the_withdrawal(hostile: Build) -> None:
    page = hostile.page("cases/2024-evil-withdrawn/")
    assert "此记录已撤回" in page.text
    assert "2024年4月2日" in page.text
    assert SCRIPT in page.text  # the reason, literally
    content = page.find("article")[0].text
    assert "议题背景" not in content
    assert "共识" not in content
    assert "此记录已撤回" in page.title


def test_withdrawn_case_is_in_no_listing(hostile: Build) -> None:
    for url in ("", "platforms/evil/", "years/2024/", "follow-up/"):
        assert "2024-evil-withdrawn" not in hostile.html(url), url


def test_sources_are_escaped_links(hostile: Build) -> None:
    page = hostile.page("cases/2024-evil/")
    links = [a for a in page.find("a") if a.attrs.get("href", "").startswith("https://example.org/")]
    assert [a.attrs["href"] for a in links] == ["https://example.org/a?b=1&c=2"]
    assert links[0].attrs["rel"] == "nofollow noopener"


def test_front_matter_round_trips_hostile_text() -> None:
    from mkdocs.utils.meta import get_data

    for text in (*PAYLOAD_TEXTS, TITLE, "!ENV [HOME]", "!relative", "---", "a: b", "- x",
                 "'\"", "null", "2024-01-01", "yes", " 前后空格 "):
        front = render.front_matter(title=text)
        _, meta = get_data(front + "\nbody\n")
        assert meta == {"title": text}, text


def test_control_characters_are_dropped() -> None:
    assert render.plain(CONTROL) == "awzxhzdk:0b"
    assert render.plain("第一行\r\n第二行\x7f") == "第一行  第二行"
    assert render.plain("居民　反映 停车难") == "居民　反映 停车难"  # spaces are kept
    assert "\x02" not in render.paras(CONTROL)


def test_json_schema_is_plain_json(hostile: Build) -> None:
    data = json.loads((hostile.site / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
    assert data["title"]
