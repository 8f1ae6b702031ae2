"""``mkdocs build`` from warm: pages whose source and context did not change are not built.

The engine builds every page's HTML on every build, and cleans the site
folder first. A warm build (see ``warm``) instead:

1. before the engine cleans the site, moves it aside, whole, into
   ``<build_dir>-warm/site-previous`` (a rename), having checked each page
   file against its record;
2. lets the engine build every page but the kept ones: a generated page
   outside the navigation whose source in the docs tree has the bytes it had,
   built in the same context (``context_key``: the navigation and the
   configuration's ``extra`` values the templates print). A kept page reads
   no source, converts nothing and renders a placeholder template;
3. at the end, moves each kept page's file from the previous site over its
   placeholder, and deletes the rest of the previous site: pages of deleted
   records go with it.

What a page shows comes from its own source, the context and the
fingerprint's files (templates, configuration), so a kept page has the bytes
the engine would build again; tests compare warm and cold builds byte for
byte after every kind of edit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from jinja2 import ChoiceLoader, DictLoader, Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page

from generator.engine import warm
from generator.engine.shortcuts import HeldPage

TEMPLATE: Final = "xieshang-kept.html"
PLACEHOLDER: Final = "<!-- xieshang: the previous build's page goes here -->\n"
# Values of ``extra`` that only pages in the navigation print (partials/copyright.html).
_NAV_ONLY_EXTRA: Final = frozenset({"xieshang_commit", "xieshang_commit_url"})


class KeptPage(HeldPage):
    """A page the previous build made as this one would: nothing to convert, a placeholder
    to render (``TEMPLATE``), its file put back from the previous site at the end."""


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


def add_template(env: Environment) -> None:
    """The placeholder template, ahead of the theme's."""
    env.loader = ChoiceLoader([DictLoader({TEMPLATE: PLACEHOLDER}), env.loader])


class SiteKeeper:
    """One warm build's pages: which to keep, and the previous site they come from."""

    def __init__(self, state: warm.State, folder: Path) -> None:
        self.state = state
        self.previous = folder / warm.PREVIOUS_SITE
        self.outputs: dict[str, warm.PageRecord] = {}  # pages whose site file checked out
        self.keep: dict[str, warm.PageRecord] = {}  # by source name, decided in ``choose``

    def set_aside(self, site_dir: Path) -> None:
        """Check the previous site's pages against their records and move the site aside,
        before the engine cleans it. Pages whose file changed are built again."""
        if self.previous.exists():
            shutil.rmtree(self.previous)
        if not site_dir.is_dir():
            return
        for source, page in self.state.pages.items():
            if page.keepable and warm.unchanged(os.path.join(site_dir, page.dest), page.output):
                self.outputs[source] = page
        try:
            site_dir.rename(self.previous)
        except OSError:  # another file system: nothing can be kept
            self.outputs.clear()

    def choose(self, context: str, docs: Mapping[str, warm.FileRecord],
               nav_sources: set[str]) -> None:
        """Keep each page whose source and context are those it was built from."""
        if context != self.state.context:
            return
        for source, page in self.outputs.items():
            now = docs.get(source)
            if (now is not None and now.digest == page.source.digest
                    and source not in nav_sources):
                self.keep[source] = page

    def put_back(self, site_dir: Path) -> None:
        """Each kept page's file over its placeholder; the rest of the previous site goes."""
        for page in self.keep.values():
            os.replace(self.previous / page.dest, site_dir / page.dest)
        shutil.rmtree(self.previous, ignore_errors=True)
