"""``mkdocs build`` from warm: pages whose source and context did not change are not built.

The engine builds every page's HTML on every build, and cleans the site
folder first. A warm build (see ``warm``) instead:

1. checks each page file of the last site against its record, and moves the
   site aside (a rename) while the engine cleans the folder, then back
   (``on_files``, the first hook after the clean);
2. lets the engine build every page but the kept ones: a generated page
   outside the navigation whose source in the docs tree has the bytes it had,
   built in the same context (``context_key``: the navigation and the
   configuration's ``extra`` values the templates print). A kept page reads
   no source, converts nothing and renders an empty template, so the engine
   writes nothing over its file (and its "Page skipped" line is not logged);
3. at the end deletes what the last build wrote and this one did not: the
   pages of deleted records, files no longer generated.

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
# The engine's loggers of its build loop (ProperDocs' and MkDocs' names).
_BUILD_LOGGERS: Final = ("properdocs.commands.build", "mkdocs.commands.build")
_SKIPPED: Final = re.compile(r"^Page skipped: '(.*)'\. Generated empty")
# Values of ``extra`` that only pages in the navigation print (partials/copyright.html).
_NAV_ONLY_EXTRA: Final = frozenset({"xieshang_commit", "xieshang_commit_url"})


class KeptPage(HeldPage):
    """A page the previous build made as this one would: nothing to convert, an empty
    template to render (``TEMPLATE``), and its file in the site left as it is."""


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
    """The empty template of kept pages, ahead of the theme's."""
    env.loader = ChoiceLoader([DictLoader({TEMPLATE: ""}), env.loader])


class SiteKeeper(logging.Filter):
    """One warm build's pages: which to keep, and what to delete at the end.

    Also a filter on the engine's build log, which drops the "Page skipped" line
    of each kept page (the engine's words for a page with empty output).
    """

    def __init__(self, state: warm.State, folder: Path) -> None:
        super().__init__()
        self.state = state
        self.aside = folder / warm.PREVIOUS_SITE
        self.outputs: dict[str, warm.PageRecord] = {}  # pages whose site file checked out
        self.keep: dict[str, warm.PageRecord] = {}  # by source name, decided in ``choose``
        self.kept_files: set[str] = set()
        self.started = time.time_ns()
        for name in _BUILD_LOGGERS:
            logging.getLogger(name).addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        found = _SKIPPED.match(record.getMessage())
        return found is None or found.group(1) not in self.keep

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
        self.kept_files = {page.dest for page in self.keep.values()}

    def stale(self, site_dir: Path, produced: frozenset[str], skip: str) -> list[str]:
        """Files of the last site this build neither wrote nor kept (``skip``: a folder
        replaced whole, the search index)."""
        found = []
        root = str(site_dir)
        for folder, folders, files in os.walk(root):
            below = "" if folder == root else folder[len(root) + 1:].replace(os.sep, "/") + "/"
            folders[:] = [name for name in folders if below + name != skip]
            for name in files:
                path = below + name
                if path in produced or path in self.kept_files:
                    continue
                if os.stat(os.path.join(folder, name)).st_mtime_ns < self.started:
                    found.append(path)
        return found

    def close(self) -> None:
        for name in _BUILD_LOGGERS:
            logging.getLogger(name).removeFilter(self)
