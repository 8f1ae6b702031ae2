"""Building real sites with ``mkdocs build`` for the site tests, and reading their HTML.

Not a test module of its own (apart from checking the HTML helper); the site
tests import from it. A build is a real subprocess run of MkDocs with the
xieshang plugin, from a config derived from the repository's mkdocs.yml with
every path made absolute, so tests never write into the work tree.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# The tests' own archive: never the repository's content/, which an adopter replaces.
SAMPLE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "sample" / "content"
# The engine the site is built with, as `make site` builds it; ENGINES lists every
# engine the project supports (tests/test_engines.py builds with each).
ENGINE = "properdocs"
ENGINES = ("properdocs", "mkdocs")
# The sample archive is written to be read on this day (its 2026 cases are announced).
SAMPLE_AS_OF = dt.date(2026, 11, 25)


def epoch(day: dt.date) -> str:
    return str(int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp()))


@dataclass(frozen=True)
class Build:
    site: Path
    docs: Path
    returncode: int
    output: str

    def html(self, url: str) -> str:
        return (self.site / url / "index.html").read_text(encoding="utf-8")

    def page(self, url: str) -> ParsedPage:
        return parse(self.html(url))


def build_site(
    work: Path, content: Path, as_of: dt.date, *, check: bool = True,
    settings: dict[str, Any] | None = None, engine: str = ENGINE, **plugin: Any,
) -> Build:
    """``properdocs build --strict`` (or ``engine``'s) of ``content`` into ``work/site``.

    ``settings`` override top-level keys of mkdocs.yml; ``plugin`` the plugin's options.
    """
    config_file = write_config(work, content, settings, **plugin)
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(as_of), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", engine, "build", "--strict", "-f", str(config_file),
         "-d", str(work / "site")],
        capture_output=True, text=True, env=env, cwd=work, check=False,
    )
    build = Build(work / "site", work / "docs", result.returncode, result.stdout + result.stderr)
    if check and result.returncode != 0:
        pytest.fail(f"{engine} build failed:\n{build.output}")
    return build


def write_config(work: Path, content: Path, settings: dict[str, Any] | None = None,
                 **plugin: Any) -> Path:
    """``work/mkdocs.yml``: the repository's, building ``content`` into ``work``."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(settings or {})
    config["docs_dir"] = str(content)
    if "theme" not in (settings or {}):  # else the test gives its own theme overrides
        config["theme"]["custom_dir"] = str(ROOT / "theme_overrides")
    options = {"content_dir": str(content), "build_dir": str(work / "docs"), "demo": True}
    options.update(plugin)
    config["plugins"] = [{"xieshang": options}]
    if not (content / "pages" / "about.md").exists():  # the nav names the sample's pages
        config["nav"] = [entry for entry in config["nav"] if not _hand_written(entry)]
    work.mkdir(parents=True, exist_ok=True)
    config_file = work / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return config_file


def _hand_written(entry: dict[str, str]) -> bool:
    (target,) = entry.values()
    return "/" not in target and target != "index.md"


_SAMPLE: dict[Path, Build] = {}


# Pages per Pagefind run in the sample build: small, so that its search index is
# made in several slices and merged, the way a large archive's is (generator/search/merge.py).
SAMPLE_SLICE_PAGES = 7
# Dated pages per search bundle in the sample build: small, so that its index is in
# several bundles cut by age, the way a large archive's is (generator/search/bundles.py).
SAMPLE_BUNDLE_PAGES = 5


def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The sample archive (tests/fixtures/sample/content/) built once per test session."""
    base = tmp_path_factory.getbasetemp()
    if base not in _SAMPLE:
        _SAMPLE[base] = build_site(tmp_path_factory.mktemp("sample"), SAMPLE_CONTENT, SAMPLE_AS_OF,
                                   search_slice_pages=SAMPLE_SLICE_PAGES,
                                   search_bundle_pages=SAMPLE_BUNDLE_PAGES)
    return _SAMPLE[base]


def broken_links(site: Path) -> list[str]:
    """Relative links in the built site that lead to no file."""
    broken = []
    for html_file in site.rglob("*.html"):
        if html_file.name == "404.html":  # served at any depth: its links are site-absolute
            continue
        for href in re.findall(r'href="([^"#]+)', html_file.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            target = (html_file.parent / urllib.parse.unquote(href)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{html_file.relative_to(site)} -> {href}")
    return broken


# Reading HTML.


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""  # direct and nested text, whitespace kept


@dataclass
class ParsedPage:
    elements: list[Element] = field(default_factory=list)
    text: str = ""  # every text node outside <script>/<style>, decoded
    title: str = ""

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements
            if e.tag == tag and all(_has(e.attrs.get(k.rstrip("_")), v) for k, v in attrs.items())
        ]

    def content_text(self) -> str:
        return self.text


def _has(actual: str | None, wanted: str) -> bool:
    return actual is not None and (actual == wanted or wanted in actual.split())


class _Parser(HTMLParser):
    RAW = ("script", "style")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self.open: list[Element] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.page.elements.append(element)
        if tag not in ("meta", "link", "img", "br", "input", "hr", "source", "wbr"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data
        if not any(e.tag in self.RAW for e in self.open):
            self.texts.append(data)
        # the document's title, not an <svg>'s (a chart's)
        if any(e.tag == "title" for e in self.open) and not any(e.tag == "svg" for e in self.open):
            self.page.title += data


def parse(html: str) -> ParsedPage:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.page.text = "".join(parser.texts)
    return parser.page


def test_parse_reads_text_and_elements() -> None:
    page = parse('<title>a &lt;b&gt;</title><p class="x y">1 &amp; 2</p><script>s()</script>'
                 '<svg role="img"><title>chart</title></svg>')
    assert page.title == "a <b>"
    assert page.find("p", class_="y")[0].text == "1 & 2"
    assert "s()" not in page.text
