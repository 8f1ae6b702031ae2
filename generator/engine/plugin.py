"""The ``xieshang`` plugin: the generator run inside ``mkdocs build`` and ``mkdocs serve``.

Hooks only; what they call lives beside this module (``config``,
``search_job``, ``preview_index``, ``shortcuts``, ``site_url``). On
``on_config`` the plugin writes the docs tree (``generator.site.build``) into
``build_dir`` and points ``docs_dir`` at it. MkDocs insists that ``docs_dir``
exists before any plugin runs, so ``mkdocs.yml`` names the content folder
there and this plugin replaces it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemBytecodeCache
from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from generator.data.memo import DataMemo
from generator.engine import kept_pages, site_size, warm
from generator.engine.config import XieshangConfig, options_for
from generator.engine.kept_pages import SiteKeeper
from generator.engine.preview_index import BackgroundIndex
from generator.engine.search_job import SearchJob
from generator.engine.shortcuts import HeldPage, RenderedOnce
from generator.engine.site_url import public_site_url
from generator.feeds import addresses as feeds
from generator.options import Options
from generator.records import history
from generator.records.archive import LoadMemo
from generator.records.problems import RecordError
from generator.search import pagefind
from generator.site import build, changes, generated
from generator.site.render import commit_url

log = logging.getLogger("mkdocs.plugins.xieshang")

# Front-matter keys of generated pages that hold record text and that the
# theme prints without escaping (Material's <title>, header, meta description).
_TEXT_META = ("title", "description")
# The engine's loggers, whose warnings ``--strict`` counts (ProperDocs' and MkDocs' names).
_ENGINE_LOGGERS = ("mkdocs", "properdocs")


class XieshangPlugin(BasePlugin[XieshangConfig]):  # type: ignore[valid-type]
    def __init__(self) -> None:
        self.options = Options()
        self.content_dir = Path(self.options.content_dir)  # made absolute in on_config
        self.build_dir = Path(self.options.build_dir)
        self.content_in_repo = self.options.content_dir
        self.hand_written: tuple[str, ...] = ()
        self.rendered_once = RenderedOnce()
        self.serving = False
        self.rendered: changes.Rendered | None = None  # the last build's, kept while serving
        self.load_memo: LoadMemo | None = None  # what each record file gave, kept while serving
        self.data_memo: DataMemo | None = None  # each case's open data lines, kept while serving
        self.indexer: BackgroundIndex | None = None
        self.search_job: SearchJob | None = None  # `mkdocs build`: indexing while the engine runs
        self.site_files: frozenset[str] | None = None  # what the last build wrote into site_dir
        self.removed: frozenset[str] = frozenset()  # of those, what this build no longer writes
        # `mkdocs build` from warm (``warm``, ``kept_pages``): what the last build left in build/.
        self.warm_build = False
        self.state: warm.State | None = None  # this build's, saved at its end
        self.saving: warm.Saving | None = None  # its generator's part, written already
        self.previous: warm.State | None = None  # the last build's, when it holds
        self.keeper: SiteKeeper | None = None
        self.warnings = kept_pages.WarningCount()
        self.docs_names: frozenset[str] = frozenset()
        self.nav_sources: set[str] = set()
        self.built: dict[str, tuple[str, bool]] = {}  # source -> (dest, keepable), this build
        self.env: Environment | None = None
        self.nav: Navigation | None = None
        self.static: dict[str, str] = {}  # the docs tree's other files: source -> dest

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Keep this plugin object across the rebuilds of ``mkdocs serve`` (MkDocs does
        so for plugins with this method), and with it what the last build rendered."""
        self.serving = command == "serve"
        self.warm_build = command == "build" and not dirty
        self.load_memo = LoadMemo() if self.serving or self.warm_build else None
        self.data_memo = DataMemo() if self.serving or self.warm_build else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("xieshang: 案例地址为 /cases/<id>/，需要 use_directory_urls: true")
        self.options = options_for(self.config, site_name=config.site_name,
                                   site_url=public_site_url(config), repo_url=config.repo_url)
        root = Path(config.config_file_path or ".").resolve().parent
        self.content_dir = root / self.options.content_dir
        # Edit links are relative to the repository, taken to be the folder of mkdocs.yml.
        try:
            self.content_in_repo = self.content_dir.resolve().relative_to(root).as_posix()
        except ValueError:
            self.content_in_repo = self.content_dir.name
        self.build_dir = root / self.options.build_dir
        if self.warm_build:
            self._start_warm(config)
        started = time.perf_counter()
        try:
            result = build.build_docs(self.content_dir, self.build_dir, self.options,
                                      previous=self.rendered, memo=self.load_memo,
                                      data_memo=self.data_memo)
        except RecordError as error:
            for problem in error.problems:
                print(problem.as_text(), file=sys.stderr)
            raise PluginError(
                f"xieshang: 记录中有 {len(error.problems)} 个错误（见上），未生成网站"
            ) from None
        stats = result.stats
        log.info(
            "xieshang: %d 个平台、%d 个案例；写入 %d 个文件，未变 %d 个，删除 %d 个（%s，%.2f 秒）",
            len(result.archive.platforms), len(result.archive.cases),
            stats.written, stats.unchanged, stats.deleted,
            "只生成改动涉及的页面" if result.partial else "生成全部页面",
            time.perf_counter() - started,
        )
        if self.serving or self.warm_build:
            self.rendered = result.rendered
        self.docs_names = result.stats.names
        self.hand_written = result.pages
        config.docs_dir = str(self.build_dir)
        config.extra["xieshang_demo"] = self.options.demo
        config.extra["xieshang_feed"] = _site_feed(self.options)
        built_from = result.histories.built_from
        config.extra["xieshang_commit"] = built_from
        config.extra["xieshang_commit_url"] = (
            commit_url(self.options.repo_url, built_from) if built_from else None)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Start the search index now that the docs tree is written: ``mkdocs build``
        waits for it at the end; ``mkdocs serve`` reloads without it and search catches up.
        A warm build moves the last site aside before the engine cleans the folder."""
        if self.previous is not None:
            self.keeper = SiteKeeper(self.previous, self._warm_dir())
            self.keeper.set_aside(Path(config.site_dir))
        slice_pages = self.options.search_slice_pages
        if self.options.search and not self.serving:
            self.search_job = SearchJob(self.build_dir, self._bundle_dir(), slice_pages,
                                        keep=self._slices_dir() if self.warm_build else None,
                                        bundle_pages=self.options.search_bundle_pages)
        if self.warm_build:
            self._save_generator_part()
        if self.options.search and self.serving:
            site_dir = Path(config.site_dir)
            if self.indexer is None or self.indexer.site_dir != site_dir:
                self.indexer = BackgroundIndex(self.build_dir, self._bundle_dir(), site_dir,
                                               slice_pages, self.options.search_bundle_pages)
            self.indexer.request()

    def _warm_dir(self) -> Path:
        """What a build keeps for the next one (``warm``), beside the docs tree."""
        return self.build_dir.with_name(self.build_dir.name + "-warm")

    def _slices_dir(self) -> Path:
        return self._warm_dir() / "search-slices"

    def _templates_dir(self) -> Path:
        return self._warm_dir() / "templates"

    def _start_warm(self, config: MkDocsConfig) -> None:
        """Read what the last build kept, if it holds; anything else starts cold."""
        for name in _ENGINE_LOGGERS:
            logging.getLogger(name).addHandler(self.warnings)
        custom_dir = config.theme.custom_dir
        config_file = Path(config.config_file_path) if config.config_file_path else None
        fingerprint = warm.fingerprint(config_file, custom_dir, self.options)
        self.state = warm.State(fingerprint)
        folder = self._warm_dir()
        previous = warm.load(folder, fingerprint)
        if previous is None:
            warm.forget(folder)
            shutil.rmtree(self._slices_dir(), ignore_errors=True)
            shutil.rmtree(self._templates_dir(), ignore_errors=True)  # maybe another Jinja's
            return
        memos, previous.generator = previous.generator, {}  # held by this plugin alone
        self.load_memo = memos.get("load_memo", self.load_memo)
        self.data_memo = memos.get("data_memo", self.data_memo)
        if all(warm.unchanged(str(self.build_dir / name), entry)
               for name, entry in previous.docs.items()):
            self.rendered = memos.get("rendered")  # else someone changed the docs tree
        self.previous = previous

    def _save_generator_part(self) -> None:
        """Write the generator's part of the state now, and let go of the archive: nothing
        in the engine's part of ``mkdocs build`` needs it, and at 100,000 cases it is
        the largest thing this process would hold while the engine builds the pages."""
        if self.state is None:
            return
        memos = {"rendered": self.rendered, "load_memo": self.load_memo,
                 "data_memo": self.data_memo}
        cases = self.rendered.archive.cases.values() if self.rendered is not None else ()
        self.saving = warm.Saving(self._warm_dir(), self.state.fingerprint, memos, tuple(cases))
        self.rendered = self.load_memo = self.data_memo = None

    def _save_warm(self, site_dir: Path) -> None:
        """Records of what this build left, for the next build; none after a warning."""
        _stop_counting(self.warnings)
        state, saving, self.saving = self.state, self.saving, None
        if state is None or saving is None:
            return
        if self.warnings.count:
            saving.abandon()
            return
        kept = self.keeper.keep if self.keeper is not None else {}
        copied = {source: (dest, True) for source, dest in self.static.items()}
        for source, (dest, keepable) in {**self.built, **copied}.items():
            before = kept.get(source)
            output = warm.record(str(site_dir / dest), before.output if before else None)
            if source in state.docs and output is not None:
                state.pages[source] = warm.PageRecord(dest, state.docs[source], output, keepable)
        saving.finish(state)

    def _bundle_dir(self) -> Path:
        """Where the search index is made, outside the site, until it goes into the site."""
        return self.build_dir.with_name(self.build_dir.name + "-search") / pagefind.BUNDLE_DIR

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.keeper is not None:
            self.keeper.bring_back(Path(config.site_dir))
        if self.state is not None:  # records of the docs tree, read where it changed
            old = self.previous.docs if self.previous is not None else {}
            self.state.docs = warm.records(self.build_dir, sorted(self.docs_names), old)
        if self.warm_build:  # the generator's other files (open data, feeds...), as copied
            docs = str(self.build_dir) + os.sep
            self.static = {file.src_uri: file.dest_uri for file in files
                           if not file.is_documentation_page()
                           and (file.abs_src_path or "").startswith(docs)}
        written = frozenset(file.dest_uri for file in files)
        self.removed = self.site_files - written if self.site_files is not None else frozenset()
        self.site_files = written
        if self.keeper is not None and self.state is not None:
            return self.keeper.set_apart(files, self.state.docs)
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The last step of every build: pages of deleted records leave the site (``mkdocs
        serve --dirty``); ``mkdocs build`` waits for its search index and puts it in."""
        site_dir = Path(config.site_dir)
        _delete_from_site(site_dir, self.removed)
        if self.keeper is not None and self.env is not None and self.nav is not None:
            self.keeper.list_pages(self.env, config, self.nav)
        if self.warm_build:
            kept = self.keeper.kept_pages() if self.keeper is not None else 0
            log.info("xieshang: 引擎生成 %d 个页面，沿用上次生成的 %d 个%s", len(self.built) - kept,
                     kept, "" if self.previous is not None else "（无可沿用的上次结果，完整生成）")
        job, self.search_job = self.search_job, None
        if job is not None:
            try:
                report = job.wait()
                pagefind.install(job.bundle, site_dir)
            except (pagefind.SearchIndexError, OSError) as error:
                raise PluginError(f"xieshang: {error}") from None
            log.info("xieshang: 搜索索引 %s", report)
        files = site_size.listing(site_dir) if self.keeper is not None or not self.serving else []
        if self.keeper is not None:
            stale = frozenset(self.keeper.stale(files, self.site_files or frozenset(),
                                                pagefind.BUNDLE_DIR))
            _delete_from_site(site_dir, stale)
            files = [file for file in files if file.path not in stale]
        if not self.serving:
            self._check_size(site_size.total(files))
        if self.warm_build:  # after the last warning: a build that warned leaves no state
            self._save_warm(site_dir)

    def _check_size(self, size: site_size.SiteSize) -> None:
        message = site_size.warning(size, self.options.size_warning_mb)
        if message is not None:
            log.warning("xieshang: %s", message)

    def on_build_error(self, *, error: Exception) -> None:
        _stop_counting(self.warnings)
        if self.saving is not None:
            self.saving.abandon()
            self.saving = None
        if self.search_job is not None:
            self.search_job.stop()
            self.search_job = None

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Let go of a generated page's HTML once it is written.

        MkDocs keeps every page object to the end of the build, content
        included, while the search index is still being made beside it.
        Nothing after this point reads a generated page's content.
        """
        if self.warm_build:
            source = page.file.src_uri
            keepable = bool(page.meta.get("xieshang")) and source not in self.nav_sources
            self.built[source] = (page.file.dest_uri, keepable)
        if page.meta.get("xieshang"):
            page.content = None
        return output

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.rendered_once = RenderedOnce({page.url for page in nav.pages},
                                          self.options.shortcuts)
        self.nav_sources = {page.file.src_uri for page in nav.pages}
        self.nav = nav
        if self.state is not None:
            self.state.context = kept_pages.context_key(nav, config, self.state.docs)
            if self.keeper is not None:
                self.keeper.choose(self.state.context, self.nav_sources, config)
                for source, page in self.keeper.keep.items():  # recorded again at the end
                    if source not in self.static:
                        self.built[source] = (page.dest, True)
        return nav

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """The theme's templates, compiled once for every build from warm: Jinja keeps each
        one's code under a digest of its source, so a changed template is compiled again
        (and a build that starts cold, maybe with another Jinja, starts without them)."""
        env.globals["xieshang_once"] = self.rendered_once
        if self.warm_build and env.bytecode_cache is None:
            folder = self._templates_dir()
            folder.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(str(folder))
        self.env = env
        return env

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Reload on record edits; never on the generator's own writes into the build dir."""
        with contextlib.suppress(KeyError, ValueError):  # MkDocs watched another folder
            server.unwatch(str(self.build_dir))
        server.watch(str(self.content_dir))
        return server

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Escape a generated page's record text in its front matter; hold its HTML back.

        A generated page's body is one raw HTML block (see ``generator.site.render``),
        which Python-Markdown would parse tag by tag only to stash it and emit it
        unchanged. With ``shortcuts`` the page becomes a ``HeldPage`` with nothing
        to convert, and ``on_page_context`` puts the block in as it is.
        """
        meta = page.meta
        if meta.get("xieshang"):
            for key in _TEXT_META:
                if isinstance(meta.get(key), str):
                    meta[key] = escape(meta[key])
        page.edit_url = self._edit_url(page, config)
        if meta.get("xieshang") and self.options.shortcuts:
            page.__class__ = HeldPage
            return ""
        return markdown

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> dict[str, Any]:
        """A held page's HTML, read from its file just before the theme renders the page.

        MkDocs converts every page before it renders any, and would hold
        every page's HTML in between. Read here, one page's HTML is in
        memory at a time (``on_post_page`` lets it go).
        """
        if page.meta.get("xieshang") and self.options.shortcuts:
            body = generated.page_body(Path(page.file.abs_src_path or "").read_bytes())
            if body is None:
                raise PluginError(f"xieshang: {page.file.src_uri} 不是生成的页面")
            page.content = body.decode("utf-8")
        return context

    def _edit_url(self, page: Page, config: MkDocsConfig) -> str | None:
        """Edit the record's YAML (or the hand-written page), never the generated Markdown."""
        if not (config.repo_url and config.edit_uri):
            return None
        if page.meta.get("source_path"):
            below = history.record_key(page.meta["source_path"], self.content_dir)
        elif page.file.src_uri in self.hand_written:
            below = f"{build.PAGES_DIR}/{page.file.src_uri}"
        else:
            return None
        source = f"{self.content_in_repo}/{below}"
        base = config.repo_url.rstrip("/") + "/" + config.edit_uri.strip("/") + "/"
        return base + quote(str(source))


def _site_feed(options: Options) -> dict[str, str] | None:
    """The feed every page announces in its head (``main.html``): the cases feed, if any."""
    if not feeds.enabled(options):
        return None
    return {"href": feeds.CASES, "title": feeds.cases_title(options.site_name)}


def _stop_counting(handler: logging.Handler) -> None:
    for name in _ENGINE_LOGGERS:
        logging.getLogger(name).removeHandler(handler)


def _delete_from_site(site_dir: Path, uris: frozenset[str]) -> None:
    """Delete pages whose source is gone (a record removed while serving) and the folders
    they leave empty: ``mkdocs serve --dirty`` would go on serving them."""
    for uri in sorted(uris):
        target = site_dir / uri
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != site_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

