"""``mkdocs build`` from warm: pages whose source and context did not change are not built.

The engine builds every page's HTML on every build, and cleans the site
folder first. A warm build (see ``warm``) instead:

1. checks each page file of the last site against its record, and moves the
   site aside (a rename) while the engine cleans the folder, then back
   (``on_files``, the first hook after the clean);
2. sets apart, in the same hook, every generated file (a page outside the
   navigation, or a static file such as open data) whose source in the docs
   tree has the bytes it had when its file in the site was made: the engine
   never sees them (``KeptFiles``), so it makes no ``Page``, reads, converts
   and renders nothing and copies nothing for them. Links from Markdown pages
   to them still resolve, through the files set apart;
3. once the navigation is known, keeps what it set apart if the pages would be
   built in the same context (``context_key``: the navigation and the
   configuration's ``extra`` values the templates print); otherwise gives the
   engine every file back, in its order, and keeps nothing;
4. at the end builds again, with every page, the templates that list the
   pages (``sitemap.xml`` and its ``.gz``), and deletes what the last build
   wrote and this one did not: the pages of deleted records, files no longer
   generated.

What a page shows comes from its own source, the context and the
fingerprint's files (templates, configuration), so a kept page has the bytes
the engine would build again; tests compare warm and cold builds byte for
byte after every kind of edit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

from jinja2 import Environment
from mkdocs.commands.build import _build_extra_template, _build_theme_template
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page

from generator.engine import site_size, warm

# Values of ``extra`` that only pages in the navigation print (partials/copyright.html).
_NAV_ONLY_EXTRA: Final = frozenset({"xieshang_commit", "xieshang_commit_url"})
# A page address of plain segments, as ``File.url`` quotes them: none empty, none a dot
# segment, nothing ``urljoin`` would resolve against the base.
_PLAIN: Final = re.compile(r"(?:[\w%~-][\w.%~-]*/)*(?:[\w%~-][\w.%~-]*)?", re.ASCII)
# What ``Page`` reads from the configuration for its addresses: none, for a listed page.
_NO_ADDRESSES: Final = {"site_url": None, "repo_url": None, "edit_uri": None,
                        "edit_uri_template": None}


class WarningCount(logging.Handler):
    """Warnings logged during the build: a build that warned leaves no state, so the next
    build warns again (a kept page would not)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def context_key(nav: Navigation, config: MkDocsConfig,
                docs: Mapping[str, warm.FileRecord]) -> str:
    """What reaches a page outside the navigation besides its own source: the navigation
    (the sidebar), the addresses and the ``extra`` values the templates print."""
    digest = hashlib.sha256()
    for item in _walk(nav.items):
        digest.update(repr(item).encode("utf-8"))
    extra = {key: value for key, value in config.extra.items() if key not in _NAV_ONLY_EXTRA}
    for value in (sorted(extra.items(), key=repr), config.site_url, config.site_name,
                  config.repo_url, config.edit_uri, config.copyright, config.site_description):
        digest.update(repr(value).encode("utf-8"))
    for page in nav.pages:
        if page.title is None:  # a title taken from the page's own text
            source = docs.get(page.file.src_uri)
            digest.update(source.digest if source else b"?")
    return digest.hexdigest()


def _walk(items: list[Any], depth: int = 0) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = []
    for item in items:
        if isinstance(item, Section):
            found.append(("section", depth, item.title))
            found.extend(_walk(item.children, depth + 1))
        elif isinstance(item, Link):
            found.append(("link", depth, item.title, item.url))
        elif isinstance(item, Page):
            found.append(("page", depth, item.title, item.file.src_uri, item.url))
    return found


class KeptFiles(Files):
    """The files the engine builds and copies: all but the kept ones, which a lookup by
    path still finds (a Markdown link to a kept page resolves as in a cold build)."""

    def __init__(self, files: Iterable[File], kept: Mapping[str, File]) -> None:
        super().__init__(files)
        self.kept = dict(kept)

    def get_file_from_path(self, path: str) -> File | None:
        found = super().get_file_from_path(path)
        return found if found is not None else self.kept.get(PurePath(path).as_posix())

    def restore(self, order: list[File], config: MkDocsConfig) -> None:
        """Every file back, in ``order``, each page with the ``Page`` the navigation
        would have made for it."""
        listed = {file.src_uri for file in order}
        added = [file for file in self if file.src_uri not in listed]
        for file in list(self):
            self.remove(file)
        for file in [*order, *added]:
            self.append(file)
            if file.is_documentation_page() and file.page is None:
                Page(None, file, config)
        self.kept.clear()


class Addresses:
    """A page's canonical and absolute address below ``site_url``, as ``Page`` makes them
    with ``urljoin``, without its cost for each of many pages: a plain address (``_PLAIN``)
    is appended to what ``urljoin`` makes of the base once."""

    def __init__(self, site_url: str | None) -> None:
        self.base = site_url if not site_url or site_url.endswith("/") else site_url + "/"
        parts = urlsplit(self.base or "")
        self.fast = bool(self.base) and not parts.query and not parts.fragment
        self.prefix = urljoin(self.base, "x")[:-1] if self.fast else ""
        self.path = urlsplit(self.prefix).path

    def of(self, url: str) -> tuple[str | None, str | None]:
        if not self.base:
            return None, None
        if self.fast and url and _PLAIN.fullmatch(url):
            return self.prefix + url, self.path + url
        canonical = urljoin(self.base, url)
        return canonical, urlsplit(canonical).path


class SiteKeeper:
    """One warm build's pages: which to keep, and what to delete at the end."""

    def __init__(self, state: warm.State, folder: Path) -> None:
        self.state = state
        self.aside = folder / warm.PREVIOUS_SITE
        self.outputs: dict[str, warm.PageRecord] = {}  # pages whose site file checked out
        self.keep: dict[str, warm.PageRecord] = {}  # by source name, from ``set_apart`` on
        self.kept_files: set[str] = set()
        self.order: list[File] = []  # every file the engine listed, in its order
        self.files: KeptFiles | None = None
        self.started = time.time_ns()

    def set_aside(self, site_dir: Path) -> None:
        """Check the last site's pages against their records and move the site aside
        while the engine cleans the folder."""
        if self.aside.exists():
            shutil.rmtree(self.aside)
        if not site_dir.is_dir():
            return
        for source, page in self.state.pages.items():
            if page.keepable and warm.unchanged(os.path.join(site_dir, page.dest), page.output):
                self.outputs[source] = page
        try:
            site_dir.rename(self.aside)
        except OSError:  # another file system: nothing can be kept
            self.outputs.clear()

    def bring_back(self, site_dir: Path) -> None:
        """The last site back in place, once the engine has cleaned the folder."""
        if not self.aside.exists():
            return
        if site_dir.exists():  # something wrote there meanwhile: keep nothing
            shutil.rmtree(self.aside)
            self.outputs.clear()
            return
        self.aside.rename(site_dir)

    def set_apart(self, files: Files, docs: Mapping[str, warm.FileRecord]) -> KeptFiles:
        """The engine's files without those whose source has the bytes it had when their
        file in the site (checked by ``set_aside``) was made."""
        self.order = list(files)
        kept: dict[str, File] = {}
        for file in self.order:
            page = self.outputs.get(file.src_uri)
            now = docs.get(file.src_uri)
            if (page is not None and now is not None and now.digest == page.source.digest
                    and file.dest_uri == page.dest):
                self.keep[file.src_uri] = page
                kept[file.src_uri] = file
        self.kept_files = {page.dest for page in self.keep.values()}
        self.files = KeptFiles((file for file in self.order if file.src_uri not in kept), kept)
        return self.files

    def choose(self, context: str, nav_sources: set[str], config: MkDocsConfig) -> None:
        """Keep what was set apart if the context is the one its pages were built in and
        none of them is in the navigation; else the engine builds and copies them all."""
        if context == self.state.context and not nav_sources & self.keep.keys():
            return
        self.keep.clear()
        self.kept_files = set()
        if self.files is not None:
            self.files.restore(self.order, config)

    def kept_pages(self) -> int:
        return sum(file.is_documentation_page()
                   for file in (self.files.kept.values() if self.files else ()))

    def list_pages(self, env: Environment, config: MkDocsConfig, nav: Navigation) -> None:
        """Build again, with every page, the templates built from the list of pages
        (``sitemap.xml`` and its ``.gz``): the engine built them without the kept ones.

        A kept page is listed as a ``Page`` with its addresses (``Addresses``) and
        no edit address (the plugin gives generated pages their record's instead)."""
        if self.files is None or not self.files.kept:
            return
        listed = {file.src_uri for file in self.order}
        every = Files([*self.order, *(file for file in self.files if file.src_uri not in listed)])
        addresses = Addresses(config.site_url)
        for file in every.documentation_pages():
            if file.page is None:
                page = Page(None, file, _NO_ADDRESSES)  # type: ignore[arg-type]
                page.canonical_url, page.abs_url = addresses.of(page.url)
        for template in config.theme.static_templates:
            _build_theme_template(template, env, every, config, nav)
        for template in config.extra_templates:
            _build_extra_template(template, every, config, nav)

    def stale(self, files: Iterable[site_size.SiteFile], produced: frozenset[str],
              skip: str) -> list[str]:
        """Files of the last site this build neither wrote nor kept (``skip``: a folder
        replaced whole, the search index)."""
        below = skip + "/"
        return [file.path for file in files
                if file.mtime_ns < self.started and not file.path.startswith(below)
                and file.path not in produced and file.path not in self.kept_files]
