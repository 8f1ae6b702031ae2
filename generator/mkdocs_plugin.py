"""The MkDocs side: run the generator inside ``mkdocs build`` and ``mkdocs serve``.

The only module that imports MkDocs. On ``on_config`` it writes the docs tree
(``generator.site``) into ``build_dir`` and points ``docs_dir`` at it. MkDocs
insists that ``docs_dir`` exists before any plugin runs, so ``mkdocs.yml``
names the content folder there and this plugin replaces it.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment
from markupsafe import escape
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from generator import changes, generated, history, search, site
from generator.archive import LoadMemo
from generator.problems import RecordError
from generator.qr import SiteUrlError, site_base

log = logging.getLogger("mkdocs.plugins.xieshang")

# Front-matter keys of generated pages that hold record text and that the
# theme prints without escaping (Material's <title>, header, meta description).
_TEXT_META = ("title", "description")


_SLICE_PAGES = search.SLICE_PAGES  # in the class below, "search" is an option's name


class XieshangConfig(Config):
    content_dir = opt.Type(str, default="content")
    build_dir = opt.Type(str, default="build/docs")
    demo = opt.Type(bool, default=False)
    git_dates = opt.Type(bool, default=True)
    search = opt.Type(bool, default=True)  # build the Pagefind index after the site
    # Pages per Pagefind run; a larger site is indexed in slices and merged
    # (generator/pagefind_merge.py): Pagefind needs about 330 KB a page at once.
    search_slice_pages = opt.Type(int, default=_SLICE_PAGES)
    # Skip engine work whose result is known in advance: Python-Markdown for
    # generated pages (already HTML) and the navigation of pages outside it.
    # Off only to prove, in a test, that the pages come out the same.
    shortcuts = opt.Type(bool, default=True)


class XieshangPlugin(BasePlugin[XieshangConfig]):
    def __init__(self) -> None:
        self.content_dir = Path("content")
        self.build_dir = Path("build/docs")
        self.content_in_repo = "content"
        self.hand_written: tuple[str, ...] = ()
        self.rendered_once = RenderedOnce()
        self.serving = False
        self.rendered: changes.Rendered | None = None  # the last build's, kept while serving
        self.load_memo: LoadMemo | None = None  # what each record file gave, kept while serving
        self.indexer: BackgroundIndex | None = None
        self.search_job: SearchJob | None = None  # `mkdocs build`: indexing while the engine runs
        self.site_files: frozenset[str] | None = None  # what the last build wrote into site_dir
        self.gone: frozenset[str] = frozenset()  # of those, what this build no longer writes

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Keep this plugin object across the rebuilds of ``mkdocs serve`` (MkDocs does
        so for plugins with this method), and with it what the last build rendered."""
        self.serving = command == "serve"
        self.load_memo = LoadMemo() if self.serving else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        self.content_dir = root / self.config.content_dir
        # Edit links are relative to the repository, taken to be the folder of mkdocs.yml.
        try:
            self.content_in_repo = self.content_dir.resolve().relative_to(root).as_posix()
        except ValueError:
            self.content_in_repo = self.content_dir.name
        self.build_dir = root / self.config.build_dir
        if not config.use_directory_urls:
            raise PluginError("xieshang: 案例地址为 /cases/<id>/，需要 use_directory_urls: true")
        options = site.SiteOptions(
            site_name=config.site_name, demo=self.config.demo, git_dates=self.config.git_dates,
            site_url=_public_site_url(config),
        )
        started = time.perf_counter()
        try:
            result = site.build_docs(self.content_dir, self.build_dir, options,
                                     previous=self.rendered, memo=self.load_memo)
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
        if self.serving:
            self.rendered = result.rendered
        self.hand_written = result.pages
        config.docs_dir = str(self.build_dir)
        config.extra["xieshang_demo"] = self.config.demo
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Start the search index now that the docs tree is written: ``mkdocs build``
        waits for it at the end; ``mkdocs serve`` reloads without it and search catches up."""
        if not self.config.search:
            return
        if not self.serving:
            self.search_job = SearchJob(self.build_dir, self._bundle_dir(),
                                        self.config.search_slice_pages)
            return
        site_dir = Path(config.site_dir)
        if self.indexer is None or self.indexer.site_dir != site_dir:
            self.indexer = BackgroundIndex(self.build_dir, self._bundle_dir(), site_dir,
                                           self.config.search_slice_pages)
        self.indexer.request()

    def _bundle_dir(self) -> Path:
        """Where the search index is made, outside the site, until it goes into the site."""
        return self.build_dir.with_name(self.build_dir.name + "-search") / search.BUNDLE_DIR

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        written = frozenset(file.dest_uri for file in files)
        self.gone = self.site_files - written if self.site_files is not None else frozenset()
        self.site_files = written
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The last step of every build: pages of deleted records leave the site (``mkdocs
        serve --dirty``); ``mkdocs build`` waits for its search index and puts it in."""
        site_dir = Path(config.site_dir)
        _delete_from_site(site_dir, self.gone)
        job, self.search_job = self.search_job, None
        if job is None:
            return
        try:
            report = job.wait()
            search.install(job.bundle, site_dir)
        except (search.SearchIndexError, OSError) as error:
            raise PluginError(f"xieshang: {error}") from None
        log.info("xieshang: 搜索索引 %s", report)

    def on_build_error(self, *, error: Exception) -> None:
        if self.search_job is not None:
            self.search_job.stop()
            self.search_job = None

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Let go of a generated page's HTML once it is written.

        MkDocs keeps every page object to the end of the build, content
        included: at 10,000 cases over 600 MB still held while the search
        indexer runs. Nothing after this point reads a generated page's content.
        """
        if page.meta.get("xieshang"):
            page.content = None
        return output

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.rendered_once = RenderedOnce({page.url for page in nav.pages}, self.config.shortcuts)
        return nav

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        env.globals["xieshang_once"] = self.rendered_once
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
        meta = page.meta
        if meta.get("xieshang"):
            for key in _TEXT_META:
                if isinstance(meta.get(key), str):
                    meta[key] = escape(meta[key])
        page.edit_url = self._edit_url(page, config)
        if meta.get("xieshang") and self.config.shortcuts:
            page.__class__ = HeldPage
            return self._hold_html(markdown, page)
        return markdown

    def _hold_html(self, markdown: str, page: Page) -> str:
        """Keep a generated page's body away from Python-Markdown; ``on_page_context`` puts it in.

        The body is one raw HTML block (see ``render``), which Python-Markdown
        would parse tag by tag only to stash it and emit it unchanged: more than
        half of the engine's time on a large archive. Handing the block over
        as it is gives the same page (a test compares both ways) in a fraction
        of the time. The docs tree itself stays plain Markdown for any engine.
        """
        return ""

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> dict[str, Any]:
        """A held page's HTML, read from its file just before the theme renders the page.

        MkDocs converts every page before it renders any, and would hold
        every page's HTML in between: at 10,000 cases some 400 MB, while the
        search index is being made beside it. Read here, one page's HTML is in
        memory at a time (``on_post_page`` lets it go).
        """
        if page.meta.get("xieshang") and self.config.shortcuts:
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
            below = f"{site.PAGES_DIR}/{page.file.src_uri}"
        else:
            return None
        source = f"{self.content_in_repo}/{below}"
        base = config.repo_url.rstrip("/") + "/" + config.edit_uri.strip("/") + "/"
        return base + quote(str(source))


def _index_command(docs_dir: Path, bundle: Path, slice_pages: int,
                   background: bool = False) -> list[str]:
    """``python -m generator.search index-docs``: the search index as a process of its own."""
    nice = shutil.which("nice") if background else None
    return [*([nice, "-n", "10"] if nice else []), sys.executable, "-m", "generator.search",
            "index-docs", str(docs_dir), str(bundle), "--slice-pages", str(slice_pages),
            *(["--background"] if background else [])]


class SearchJob:
    """The search index of ``mkdocs build``, made while the engine builds the pages.

    Indexing needs only the docs tree (``search_pages``), so it starts as
    soon as the generator has written it, in a process of its own: the
    engine renders pages on one core, and Pagefind has the other. The bundle
    goes into the site when both are done.
    """

    def __init__(self, docs_dir: Path, bundle: Path, slice_pages: int) -> None:
        self.bundle = bundle
        self._process = subprocess.Popen(_index_command(docs_dir, bundle, slice_pages),
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, encoding="utf-8", errors="replace")

    def wait(self) -> str:
        """The index's report (pages, words, size, seconds); ``SearchIndexError`` if it failed."""
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            raise search.SearchIndexError(err.strip() or f"退出码 {self._process.returncode}")
        return out.strip()

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
        self._process.communicate()


class BackgroundIndex:
    """Pagefind for ``mkdocs serve``: one run at a time, never holding up a reload.

    Indexing 10,000 cases takes a minute or more; the preview shows an edit
    as soon as its pages are built, and the search catches up when the run
    ends (the old index serves meanwhile). A run starts as soon as the docs
    tree is written, alongside the engine; a request during a run queues one
    more run after it. The run is a process of its own at low priority
    (``python -m generator.search index-docs --background``), watched from a
    thread: listing the pages and merging the slices are seconds of Python
    that, in a thread of the server, would hold up the rebuild of an edit
    saved meanwhile. It works outside the site folder, which ``mkdocs serve``
    without ``--dirty`` empties on every rebuild, and moves its bundle in
    when complete.
    """

    def __init__(self, docs_dir: Path, bundle: Path, site_dir: Path,
                 slice_pages: int = search.SLICE_PAGES) -> None:
        self.docs_dir = docs_dir
        self.bundle = bundle
        self.site_dir = site_dir
        self.slice_pages = slice_pages
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def request(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, name="xieshang-search-index", daemon=True).start()

    def command(self) -> list[str]:
        return _index_command(self.docs_dir, self.bundle, self.slice_pages, background=True)

    def _run(self) -> None:
        while True:
            try:
                done = subprocess.run(self.command(), capture_output=True, text=True,
                                      check=False)
            except OSError as error:
                log.warning("xieshang: 预览的搜索索引未能更新：%s", error)
            else:
                if done.returncode == 0:
                    self._install(done.stdout.strip())
                else:
                    log.warning("xieshang: 预览的搜索索引未能更新：%s",
                                done.stderr.strip() or f"退出码 {done.returncode}")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False

    def _install(self, report: str) -> None:
        try:
            search.install(self.bundle, self.site_dir)
        except OSError as error:
            log.warning("xieshang: 预览的搜索索引未能放入网站：%s", error)
        else:
            log.info("xieshang: 搜索索引 %s", report)


class HeldPage(Page):
    """A generated page whose HTML ``on_page_context`` puts in: nothing for MkDocs to convert.

    ``Page.render`` would build a Python-Markdown parser with every configured
    extension only to convert the empty text ``_hold_html`` leaves: about a
    fifth of the engine's time per page. ``on_page_markdown`` makes a held page
    this class, whose ``render`` sets what converting nothing would set.
    """

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        self.links_to_anchors = {}


class RenderedOnce:
    """Parts of Material's page that come out the same for many pages: rendered once each.

    * The sidebar. Material renders the whole navigation for every page, about
      a third of its time per page. For a generated page outside the
      navigation (a case, a platform, a listing page) nothing in it is active,
      and its links depend only on where the page sits: its first folder and
      its depth. Pages in the navigation, hand-written pages and pages with
      ``hide`` are always rendered in full.
    * The page configuration script (``__config``: the base address, the
      theme's features and translations), the style sheets and the scripts,
      which depend only on the base address; the footer too, on a page with
      no previous or next page to link to.

    ``main.html`` asks for a key; with one, it takes the part kept under it or
    renders and keeps it. Off (no keys) when the plugin's ``shortcuts`` are.
    """

    def __init__(self, nav_urls: set[str] | None = None, enabled: bool = False) -> None:
        self.nav_urls = nav_urls or set()
        self.enabled = enabled
        self.html: dict[tuple[str, str, int], str] = {}

    def nav_key(self, page: Page | None) -> tuple[str, str, int] | None:
        """The sidebar's key: None for a page whose sidebar is rendered in full."""
        if not self.enabled or page is None or page.url in self.nav_urls:
            return None
        meta = page.meta or {}
        if not meta.get("xieshang") or meta.get("hide"):
            return None
        parts = page.url.split("/")
        return "nav", parts[0], len(parts)

    def place_key(self, part: str, page: Page | None) -> tuple[str, str, int] | None:
        """The key of a part whose links depend only on where the page sits (its first
        folder and depth, as for the sidebar), for any page."""
        if not self.enabled or page is None:
            return None
        parts = page.url.split("/")
        return part, parts[0], len(parts)

    def base_key(self, part: str, base_url: str) -> tuple[str, str, int] | None:
        """The key of a part that depends only on the base address."""
        return (part, base_url, 0) if self.enabled else None

    def footer_key(self, page: Page | None, base_url: str) -> tuple[str, str, int] | None:
        if page is None or page.previous_page or page.next_page:
            return None
        return self.base_key("footer", base_url)

    def get(self, key: tuple[str, str, int]) -> str | None:
        return self.html.get(key)

    def keep(self, key: tuple[str, str, int], html: str) -> str:
        self.html[key] = html
        return html


# The public address, for the QR codes on printed notices.

_NO_SITE_URL = """xieshang: site_url is not set in mkdocs.yml.
Printed notices carry a QR code with each case's permanent address, <site_url>cases/<id>/,
so the build needs the public address the site is published at. Add it to mkdocs.yml, e.g.

    site_url: https://example.org/archive/

（未设置 site_url：公示上的二维码指向案例的永久地址，需要网站的正式发布地址。）"""


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


def _public_site_url(config: MkDocsConfig) -> str | None:
    """The configured ``site_url``, checked; never the address of a local preview.

    ``mkdocs serve`` replaces ``site_url`` with its own address
    (``http://127.0.0.1:8000/...``) before plugins run. A notice printed from a
    preview and pinned on a board must still point at the public site, so
    then the value is read from the config file again; a preview of a config
    without one shows notices without a QR code. A build without one fails.
    """
    url = config.site_url
    preview = bool(url) and _is_dev_address(str(url), config.dev_addr)
    if preview:
        url = _configured_site_url(config)
    if not url:
        if preview:
            log.warning("xieshang: site_url is not set in mkdocs.yml: notices in this preview "
                        "carry no QR code, and `mkdocs build` will fail until it is set")
            return None
        raise PluginError(_NO_SITE_URL)
    try:
        return site_base(str(url))
    except SiteUrlError as error:
        raise PluginError(f"xieshang: {error}") from None


def _is_dev_address(url: str, dev_addr: Any) -> bool:
    parts = urlsplit(url)
    host, port = dev_addr
    return parts.hostname == str(host).strip("[]") and parts.port == int(port)


def _configured_site_url(config: MkDocsConfig) -> str | None:
    """``site_url`` as the config file says (with ``!ENV`` and ``INHERIT``, as MkDocs reads it)."""
    if not config.config_file_path:
        return None
    with open(config.config_file_path, "rb") as source:
        value = yaml_load(source, get_yaml_loader(config=config)).get("site_url")
    return str(value) if value else None
