"""Archive -> a plain Markdown docs tree: one ``<url>/index.md`` per page.

Every generated page is YAML front matter followed by ONE raw HTML block
rendered by a Jinja2 template with autoescape on. Python-Markdown stashes a
raw HTML block whole, so nothing an editor typed is ever read as Markdown.
Two details keep that true whatever the record says:

* record text never starts a line of the output: ``finalize`` turns any
  newline in a value into a space, and multi-line text goes through the
  ``paras`` filter, which joins lines with ``<br>``; line-based Markdown
  preprocessors (fenced code, snippets) therefore never see editor text;
* control characters are dropped, so Markdown's own stash placeholders
  (``\\x02...\\x03``) cannot be forged.

Front matter is written by ``yaml.safe_dump``; the MkDocs plugin escapes the
``title`` and ``description`` it reads from there before the theme prints them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup, escape

from generator.data import files as data_files
from generator.feeds import addresses as feeds
from generator.options import Options
from generator.printing import notices
from generator.records import model
from generator.records.revisions import NO_HISTORY, SUBJECT_HIDDEN, Histories
from generator.site import charts, indexes, redirects, search_fields

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"
GENERATED_MARKER = ".xieshang-generated"

# Paths of generated pages; a hand-written page may not take one of these names.
RESERVED_PAGES = frozenset({"index.md", "cases", "platforms", "categories", "years", "follow-up",
                            "assets", "schemas", "search", "pagefind", "feeds", "data",
                            "admin"})

STATUS_CLASS = {
    model.ANNOUNCED: "announced",
    model.IN_PROGRESS: "progress",
    model.OVERDUE: "overdue",
    model.CONCLUDED: "done",
    model.NO_CONSENSUS: "none",
    model.NOT_STARTED: "notstarted",
    "已完成": "done",
    "无法落实": "failed",
}

# A file of the docs tree: its path, and its bytes or None for "keep it as it is".
Document = tuple[str, bytes | None]

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when available: many times faster
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DESCRIPTION_LENGTH = 120


@dataclass(frozen=True)
class Extras:
    """What the docs tree needs besides the archive; all optional."""

    last_changed: Mapping[str, dt.date] = field(default_factory=dict)  # by source_path
    pinned_slugs: Mapping[str, str] = field(default_factory=dict)
    pages: Mapping[str, bytes] = field(default_factory=dict)  # hand-written, by file name
    files: Mapping[str, bytes] = field(default_factory=dict)  # e.g. schemas/case.schema.json
    histories: Histories = NO_HISTORY  # each case's revisions, from git
    # Files written into the tree already (the open data, written a case at a time).
    written: tuple[str, ...] = ()


# Escaping helpers used by the templates.


def plain(value: Any) -> Any:
    """Jinja ``finalize``: record text never breaks a line nor carries control characters."""
    if isinstance(value, str) and not isinstance(value, Markup) and not value.isprintable():
        # Line breaks and control characters are all unprintable: most text skips this.
        return _CONTROL.sub("", value).replace("\r", " ").replace("\n", " ")
    return value


def paras(text: str | None) -> Markup:
    """Plain text as ``<p>`` paragraphs, one output line each; single newlines become ``<br>``."""
    out = []
    for paragraph in model.paragraphs(_CONTROL.sub("", text or "")):
        lines = (escape(line.strip()) for line in paragraph.split("\n"))
        out.append(Markup("<p>") + Markup("<br>").join(lines) + Markup("</p>"))
    return Markup("\n").join(out)


def time_tag(day: dt.date | None) -> Markup:
    if day is None:
        return Markup('<span class="xs-muted">未定</span>')
    # Only integers from a date object go in: nothing to escape.
    return Markup(f'<time datetime="{day.isoformat()}">{day.year}年{day.month}月{day.day}日</time>')


def percent(share: float | None) -> str:
    return "暂无" if share is None else f"{share * 100:.1f}%"


def relative(target: str, here: str) -> str:
    """Link from the page at URL path ``here`` to ``target`` (both like ``cases/x/``, or "")."""
    up = here.split("/")[:-1]
    down = target.split("/")[:-1]
    common = 0
    while common < min(len(up), len(down)) and up[common] == down[common]:
        common += 1
    path = "../" * (len(up) - common) + "".join(part + "/" for part in down[common:])
    return path or "./"


def relative_file(target: str, here: str) -> str:
    """Link from the page at URL path ``here`` to the file ``target`` (like ``feeds/a.xml``)."""
    folder, _, name = target.rpartition("/")
    return relative(folder + "/" if folder else "", here) + name


def commit_url(repo_url: str | None, commit: str) -> str | None:
    """The commit's page on the repository host (GitHub, Gitea and Forgejo: ``/commit/<sha>``)."""
    base = safe_url(repo_url) if repo_url else None
    return f"{base.rstrip('/')}/commit/{commit}" if base else None


def safe_url(url: str) -> str | None:
    """Only http(s) addresses become links (the validator checks this too)."""
    return url if re.match(r"^https?://[^\s]+$", url, re.IGNORECASE) else None


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every environment of the process.

    ``mkdocs serve`` makes a ``Renderer`` (and an environment) for every
    rebuild; without this, each would compile every template again.
    Jinja keys each entry by the template's name and source, so an edited
    template is compiled afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=_COMPILED,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=plain,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(paras=paras, time=time_tag, pct=percent)
    env.globals.update(search_fields.JINJA_GLOBALS)
    env.globals.update(
        href=jinja2.pass_context(lambda ctx, target: relative(target, ctx["here"])),
        file_href=jinja2.pass_context(lambda ctx, target: relative_file(target, ctx["here"])),
        status_class=STATUS_CLASS,
        safe_url=safe_url,
        page_url=indexes.page_url,
    )
    return env


# Pages.


def front_matter(**meta: Any) -> str:
    data = {key: value for key, value in meta.items() if value is not None}
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=True, width=10**6)
    return "---\n" + text + "---\n"


def page(template: jinja2.Template, meta: dict[str, Any], **context: Any) -> bytes:
    html = template.render(**context)
    # A raw HTML block must not contain blank lines; record text never holds a newline.
    body = "\n".join(line for line in html.splitlines() if line.strip())
    return (front_matter(**meta) + "\n" + body + "\n").encode("utf-8")


def index_path(url: str) -> str:
    return f"{url}index.md"


class Renderer:
    """Every document of the docs tree, rendered when iterated (``documents``).

    ``only``, when given, names the pages worth rendering (a test of their
    URL, see ``changes``); any other page comes out as ``(path, None)``:
    keep the file the previous build wrote.
    """

    def __init__(self, archive: model.Archive, options: Options, extras: Extras,
                 only: Callable[[str], bool] | None = None) -> None:
        self.archive = archive
        self.options = options
        self.extras = extras
        self.only = only
        self.env = environment()
        self.env.globals.update(archive=archive, demo=options.demo, site_title=options.site_name,
                                levels_order=model.LEVELS,
                                commit_url=functools.partial(commit_url, options.repo_url),
                                history_complete=extras.histories.complete,
                                subject_hidden=SUBJECT_HIDDEN)
        self.categories = indexes.categories(archive, extras.pinned_slugs)
        self.category_slugs = indexes.category_slugs(self.categories)
        self.env.globals["category_slug"] = self.category_slugs
        self.notices = notices.Notices(archive, options.site_url)
        self.feeds = feeds.enabled(options)
        self.tallies = charts.Tallies(archive)

    def documents(self) -> Iterator[Document]:
        yield from self.home()
        yield from self.case_pages()
        yield from redirects.pages(self.archive, self.options.site_name, self.options.site_url)
        yield from self.platform_pages()
        yield from self.print_bundle_pages()
        yield from self.category_pages()
        yield from self.year_pages()
        yield from self.follow_up_pages()
        yield self.search_page()
        yield self.data_page()
        for name, data in sorted(self.extras.pages.items()):
            yield name, data
        for name, data in sorted(self.extras.files.items()):
            yield name, data
        for name in self.extras.written:
            yield name, None
        for path in sorted(ASSETS.rglob("*")):
            if path.is_file():
                yield "assets/" + path.relative_to(ASSETS).as_posix(), path.read_bytes()

    def _skipped(self, url: str) -> bool:
        """Whether the page at ``url`` is to be kept as it is (see ``only``)."""
        return self.only is not None and not self.only(url)

    def _render(
        self, name: str, url: str, meta: dict[str, Any], **context: Any
    ) -> Document:
        if self._skipped(url):
            return index_path(url), None
        meta = {"xieshang": name.removesuffix(".html"), **meta}
        return index_path(url), page(self.env.get_template(name), meta, here=url, **context)

    def _listing(self, name: str, base: str, entries: list[Any], title: str,
                 meta: Mapping[str, Any] | None = None, **context: Any) -> Iterator[Document]:
        for listing in indexes.paginate(base, entries, self.options.page_size):
            page_title = _numbered(title, listing.number)
            yield self._render(name, listing.url, {"title": page_title, **(meta or {})},
                               page=listing, title=page_title, **context)

    def _feed(self, path: str) -> str | None:
        """The feed a page links to, or None when the build has no feeds (no site_url)."""
        return path if self.feeds else None

    def _feed_meta(self, path: str, title: str) -> dict[str, str]:
        """Front matter naming the feed a page announces in its head (theme_overrides/main.html)."""
        return {"feed": path, "feed_title": title} if self.feeds else {}

    def home(self) -> Iterator[Document]:
        archive = self.archive
        yield self._render(
            "home.html", "", {"title": "首页"},
            figures=archive.figures(),
            charts=self.charts_of(None),
            platform_count=len(archive.platforms),
            latest=indexes.latest(archive),
            announced=indexes.announced(archive),
            open_count=indexes.open_count(archive),
            feed=self._feed(feeds.CASES),
        )

    def case_pages(self) -> Iterator[Document]:
        for case_id in sorted(self.archive.cases):
            if self._skipped(f"cases/{case_id}/"):  # before preparing what the page shows
                yield index_path(f"cases/{case_id}/"), None
                continue
            view = self.archive.view(case_id)
            case = view.case
            changed = self.extras.last_changed.get(case.source_path)
            revisions = self.extras.histories.of(case_id)
            if view.withdrawn:
                yield self._render("withdrawn.html", f"cases/{case_id}/",
                                   {"title": "此记录已撤回", "source_path": case.source_path},
                                   case=case, changed=changed, revisions=revisions)
                continue
            yield self._render(
                "case.html", f"cases/{case_id}/",
                {"title": case.title, "source_path": case.source_path,
                 "description": _description(case.topic.background)},
                view=view, case=case, changed=changed,
                platform=self.archive.platforms[case.platform_id],
                chain=list(reversed(self.archive.ancestors(case.platform_id))),
                steps=self._steps(case),
                method=self.archive.method_of(case.platform_id),
                sheet=self.notices.sheet(view),
                revisions=revisions,
            )

    def _steps(self, case: model.Case) -> list[tuple[str, model.Step | None]]:
        """Each step of the method with what was done, or None when it was not (yet) done."""
        done = {step.step: step for step in case.steps}
        method = self.archive.method_of(case.platform_id)
        names = list(method.steps) if method else []
        names += [step.step for step in case.steps if step.step not in names]
        return [(name, done.get(name)) for name in names]

    def platform_pages(self) -> Iterator[Document]:
        archive = self.archive
        yield from (
            self._render("platforms.html", listing.url,
                         {"title": _numbered("协商平台", listing.number)}, page=listing,
                         levels=indexes.count_by(archive.platforms.values(), lambda p: p.level))
            for listing in indexes.tree_pages(archive, "platforms/", self.options.page_size)
        )
        below = indexes.cases_by_platform(archive)
        for platform_id in sorted(archive.platforms):
            platform = archive.platforms[platform_id]
            method = archive.method_of(platform_id)
            owner = next(p for p in (platform, *archive.ancestors(platform_id))
                         if p.method is method) if method else None
            feed = feeds.platform_feed(platform_id)
            for listing in indexes.paginate(f"platforms/{platform_id}/", below[platform_id],
                                            self.options.page_size):
                if self._skipped(listing.url):
                    yield index_path(listing.url), None
                    continue
                yield self._render(
                    "platform.html", listing.url,
                    {"title": _numbered(platform.name, listing.number),
                     "source_path": platform.source_path,
                     "description": _description(platform.description),
                     **self._feed_meta(feed, feeds.PLATFORM_LINK_TITLE)},
                    platform=platform, page=listing, method=method, method_owner=owner,
                    chain=list(reversed(archive.ancestors(platform_id))),
                    children=indexes.sorted_children(archive, platform_id),
                    figures=archive.figures(platform_id),
                    charts=self.charts_of(platform_id) if listing.number == 1 else (),
                    groups=indexes.group_by_year(listing.entries),
                    print_bundle=self.notices.bundle(platform_id),
                    feed=self._feed(feed),
                )

    def charts_of(self, platform_id: str | None) -> tuple[charts.Chart, ...]:
        """The charts of a platform's subtree, or with None of the whole archive."""
        if platform_id is None:
            return charts.charts(self.tallies.total, "全部协商平台")
        below = "及其下级平台" if self.archive.children(platform_id) else ""
        return charts.charts(self.tallies.of(platform_id),
                             self.archive.platforms[platform_id].name + below)

    def print_bundle_pages(self) -> Iterator[Document]:
        """A printable page per platform with open cases: one notice per A4 sheet."""
        for bundle in self.notices.bundles():
            if self._skipped(bundle.url):
                yield index_path(bundle.url), None
                continue
            yield self._render(
                "print_bundle.html", bundle.url,
                {"title": f"公示汇编：{bundle.platform.name}", "hide": ["navigation", "toc"]},
                bundle=bundle, sheets=[self.notices.sheet(view) for view in bundle.views],
                children=self._child_bundles(bundle) if bundle.left_out else [],
            )

    def _child_bundles(self, bundle: notices.Bundle) -> list[notices.Bundle]:
        children = indexes.sorted_children(self.archive, bundle.platform.id)
        return self.notices.child_bundles(children)

    def category_pages(self) -> Iterator[Document]:
        yield from self._listing("categories.html", "categories/", self.categories, "议题分类")
        for category in self.categories:
            base = f"categories/{category.slug}/"
            for listing in indexes.paginate(base, category.cases, self.options.page_size):
                yield self._render(
                    "category.html", listing.url,
                    {"title": _numbered(f"分类：{category.text}", listing.number)},
                    category=category, page=listing,
                    groups=indexes.group_by_year(listing.entries),
                )

    def year_pages(self) -> Iterator[Document]:
        by_year = indexes.years(self.archive)
        counts = [(year, len(views)) for year, views in by_year.items()]
        yield from self._listing("years.html", "years/", counts, "按年份")
        for year, views in by_year.items():
            for listing in indexes.paginate(f"years/{year}/", views, self.options.page_size):
                yield self._render("year.html", listing.url,
                                   {"title": _numbered(f"{year} 年的协商", listing.number)},
                                   year=year, page=listing)

    def follow_up_pages(self) -> Iterator[Document]:
        title = feeds.follow_up_title(self.options.site_name)
        yield from self._listing("follow_up.html", "follow-up/", indexes.open_items(self.archive),
                                 "跟踪督办", self._feed_meta(feeds.FOLLOW_UP, title),
                                 feed=self._feed(feeds.FOLLOW_UP))

    def search_page(self) -> Document:
        return self._render("search.html", "search/", {"title": "搜索", "hide": ["toc"]},
                            status_order=model.CASE_STATUSES, form_order=model.FORMS,
                            source_order=model.TOPIC_SOURCES)

    def data_page(self) -> Document:
        """数据下载 at data/: every file of the open data and every column, from their
        declarations (``generator.data``); nothing on it depends on a case."""
        return self._render("data.html", data_files.FOLDER, {"title": "数据下载"},
                            **data_files.guide(self.options), as_of=self.archive.as_of,
                            commit=self.extras.histories.built_from)


def _numbered(title: str, number: int) -> str:
    return title if number == 1 else f"{title}（第 {number} 页）"


def _description(text: str | None) -> str | None:
    paragraphs = model.paragraphs(text)
    if not paragraphs:
        return None
    flat = " ".join(_CONTROL.sub("", paragraphs[0]).split())
    return flat if len(flat) <= _DESCRIPTION_LENGTH else flat[: _DESCRIPTION_LENGTH - 1] + "…"


# Writing the tree.


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    names: frozenset[str] = frozenset()  # every file of the tree after writing


class NotGeneratedDir(Exception):
    """The output folder holds files the generator did not write: refuse to delete them."""


class MissingDocument(Exception):
    """A document to keep as the previous build wrote it is not there."""


def write_tree(out_dir: Path, documents: Iterable[Document],
               held: frozenset[str] | None = None, was_empty: bool | None = None) -> WriteStats:
    """Write each document whose bytes changed; delete files no longer produced.

    Unchanged files keep their modification time, so ``mkdocs serve`` (and
    anything else that watches the folder) sees only real changes. A document
    of ``None`` bytes is kept as it is (see ``Renderer.only``). ``held``: the
    files the last build left in ``out_dir`` (``WriteStats.names``); when this
    build produces the same ones, nothing can be left over and the folder is
    not walked (a preview's rebuild, where walking is a second of 14,000 files).
    ``was_empty``: what ``open_tree`` answered, when the caller opened the tree already.
    """
    if was_empty is None:
        was_empty = open_tree(out_dir)
    stats = WriteStats()
    produced = {GENERATED_MARKER}
    for name, data in documents:
        if name in produced:
            raise ValueError(f"two documents at {name}")
        produced.add(name)
        write_document(out_dir, name, data, stats)
    if not was_empty and produced != held:
        sweep_tree(out_dir, produced, stats)
    stats.names = frozenset(produced)
    return stats


def open_tree(out_dir: Path) -> bool:
    """Make ``out_dir`` ready to write into, refusing a folder the generator did not make.

    Whether it was empty: then nothing in it can be left over from an
    earlier build, and the build need not walk it to find out (a cold build
    has a folder per page).
    """
    marker = out_dir / GENERATED_MARKER
    was_empty = not out_dir.exists() or not any(out_dir.iterdir())
    if not was_empty and not marker.exists():
        raise NotGeneratedDir(
            f"{out_dir} 不是生成器的输出目录（缺少 {GENERATED_MARKER}），不会改动其中的文件"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return was_empty


def write_document(out_dir: Path, name: str, data: bytes | None, stats: WriteStats) -> None:
    if data is None:  # kept: a rebuild passes thousands of these, so no Path object
        if not os.path.isfile(os.path.join(out_dir, name)):
            raise MissingDocument(name)
        stats.unchanged += 1
        return
    target = out_dir / name
    try:
        if target.read_bytes() == data:
            stats.unchanged += 1
            return
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    stats.written += 1


def sweep_tree(out_dir: Path, produced: set[str], stats: WriteStats) -> None:
    """Delete what this build did not produce, and the folders left empty."""
    root = str(out_dir)
    removed: set[str] = set()  # folders emptied and removed, below the one being swept
    for folder, folders, files in os.walk(root, topdown=False):  # children before their folders
        # os.walk joins names onto root, so what follows root and a separator is the path below
        prefix = "" if folder == root else folder[len(root) + 1:].replace(os.sep, "/") + "/"
        kept = False
        for file in files:
            if prefix + file in produced:
                kept = True
            else:
                os.unlink(os.path.join(folder, file))
                stats.deleted += 1
        emptied = not kept and all(os.path.join(folder, f) in removed for f in folders)
        if folder != root and emptied:
            os.rmdir(folder)
            removed.add(folder)


def render(archive: model.Archive, options: Options | None = None,
           extras: Extras | None = None) -> Iterator[Document]:
    """Every file of the docs tree as (path relative to the tree, bytes)."""
    return Renderer(archive, options or Options(), extras or Extras()).documents()
