"""Pagefind runs: the search index of the generated pages, in one run or in slices.

``index_docs(docs_dir, bundle)`` indexes the generated pages of a docs tree
(``pages``) with ``pagefind_extended`` from the ``pagefind[extended]`` wheel
(the build with Chinese word segmentation), offline; ``build_index(site_dir)``
does the same over any built site. A site of more than ``slice_pages``
indexed pages is indexed that many pages at a time and the bundles merged
(``slices``, ``merge``): Pagefind holds every page's words in memory until it
writes its index. The bundled UI files the site does not use are removed, and the
filter indexes put in a fixed order (``bundle``: Pagefind writes them in
hash-map order), so that the same commit builds the same bytes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

from generator.options import Options
from generator.search import bundle as pagefind_bundle
from generator.search import bundles as search_bundles
from generator.search import merge as pagefind_merge
from generator.search import pages as search_pages
from generator.search import slices as pagefind_slices

BUNDLE_DIR: Final = "pagefind"
_T = TypeVar("_T")
LANGUAGE: Final = "zh"
SLICE_PAGES: Final = Options.search_slice_pages
BUNDLE_PAGES: Final = Options.search_bundle_pages
# Runs at a time: a run keeps about one core and a quarter busy.
SLICES_AT_ONCE: Final = 2
# What `pagefind` writes that the site never loads: its ready-made UIs.
UNUSED_BUNDLE_FILES: Final = (
    "pagefind-ui.js", "pagefind-ui.css",
    "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


class SearchIndexError(Exception):
    """Pagefind is missing or failed; the message says what to do, in Chinese."""


@dataclass(frozen=True)
class IndexResult:
    pages: int
    words: int
    filters: int
    seconds: float
    bundle_dir: Path

    @property
    def bytes(self) -> int:
        """Size on disk of the search bundle (index, fragments, filters, wasm, JS)."""
        return sum(p.stat().st_size for p in self.bundle_dir.rglob("*") if p.is_file())


def pagefind_binary() -> Path:
    """``pagefind_extended`` from the ``pagefind[extended]`` wheel (Chinese segmentation)."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise SearchIndexError(
            "找不到 pagefind_extended（带中文分词的 Pagefind）：请运行 make .venv/.installed "
            "安装 requirements.lock 中的 pagefind[extended]"
        ) from None
    try:
        return Path(get_executable())
    except FileNotFoundError as error:
        raise SearchIndexError(f"pagefind_extended 安装不完整：{error}") from None


_COUNT = re.compile(r"Indexed (\d+) (page|word|filter)s?\b")


def build_index(site_dir: Path, *, binary: Path | None = None, background: bool = False,
                slice_pages: int = SLICE_PAGES, bundle_pages: int = BUNDLE_PAGES) -> IndexResult:
    """Index the built site into ``site_dir/pagefind/``.

    The new bundle is written beside the old one and put in its place once
    complete, so a preview being indexed in the background (``mkdocs serve``)
    keeps a working search meanwhile. ``background``: run Pagefind at a low
    CPU priority, so that it slows the preview's next rebuild as little as it can.
    A site of more than ``slice_pages`` indexed pages is indexed that many at a
    time and the bundles merged (``generator.search.merge``): the same index, in a
    fraction of the memory.
    """
    site_dir = Path(site_dir)
    return _index(_SiteSource(site_dir), site_dir / BUNDLE_DIR, _Runner(binary, background),
                  slice_pages, bundle_pages=bundle_pages)


def index_docs(docs_dir: Path, bundle: Path, *, binary: Path | None = None,
               background: bool = False, slice_pages: int = SLICE_PAGES,
               keep: Path | None = None, bundle_pages: int = BUNDLE_PAGES) -> IndexResult:
    """Index the generated pages of a docs tree into ``bundle`` (a ``pagefind`` folder).

    The same index as ``build_index`` gives for the site built from the tree
    (``generator.search.pages`` says why), available before the engine has built a
    page: ``mkdocs build`` and ``mkdocs serve`` make it while the engine
    works and put it into the site when both are done (``install``).
    ``bundle`` is replaced when complete. ``keep``: a folder where each slice's
    bundle is kept under a digest of its pages, for the next run to reuse.
    """
    bundle = Path(bundle)
    bundle.parent.mkdir(parents=True, exist_ok=True)
    return _index(search_pages.DocsSource(Path(docs_dir)), bundle, _Runner(binary, background),
                  slice_pages, keep, bundle_pages)


def install(bundle: Path, site_dir: Path) -> Path:
    """Move a bundle made by ``index_docs`` into ``site_dir/pagefind/``, replacing any there."""
    target = site_dir / BUNDLE_DIR
    arriving = site_dir / f".{BUNDLE_DIR}.new"
    if arriving.exists():
        shutil.rmtree(arriving)
    site_dir.mkdir(parents=True, exist_ok=True)
    shutil.move(bundle, arriving)  # a rename on the same file system
    _replace(target, arriving)
    return target


class _SiteSource:
    """The indexed pages of a built site, linked into a slice's folder."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.skip = tuple(f"{prefix}{BUNDLE_DIR}{suffix}" for prefix, suffix in
                          (("", ""), (".", ".new"), (".", ".slices"), (".", ".old")))

    def pages(self) -> list[pagefind_slices.Page] | None:
        return pagefind_slices.indexed_pages(self.site_dir, skip=self.skip)

    def put(self, folder: Path, paths: Sequence[str]) -> Path:
        pagefind_slices.link_slice(self.site_dir, folder, paths)
        return folder

    def put_all(self, folder: Path) -> Path:
        return self.site_dir  # Pagefind runs on the site itself

    def key(self, paths: Sequence[str]) -> str:
        return pagefind_slices.key(self.site_dir, paths)


class _Source(Protocol):
    def pages(self) -> list[pagefind_slices.Page] | None: ...
    def put(self, folder: Path, paths: Sequence[str]) -> Path: ...
    def put_all(self, folder: Path) -> Path: ...
    def key(self, paths: Sequence[str]) -> str: ...


def _index(source: _Source, bundle: Path, run: _Runner, slice_pages: int,
           keep: Path | None = None, bundle_pages: int = BUNDLE_PAGES) -> IndexResult:
    """Pagefind over ``source``'s pages into ``bundle``: in one run, or in slices merged,
    in one bundle or in several cut by age (``generator.search.bundles``)."""
    staging = bundle.with_name(f".{bundle.name}.new")
    slices_dir = bundle.with_name(f".{bundle.name}.slices")
    for leftover in (staging, slices_dir):
        if leftover.exists():
            shutil.rmtree(leftover)
    started = time.perf_counter()
    pages = source.pages()
    groups = pagefind_slices.cut_bundles(pages, bundle_pages) if pages is not None else []
    plans = [pagefind_slices.plan(group, slice_pages) for group in groups]
    one_run = len(plans) <= 1 and (not plans or plans[0] is None)
    try:
        if one_run:
            counts = run(source.put_all(slices_dir / "all"), staging)
        else:
            counts = _run_in_bundles(
                run, source, [plan or [[page.path for page in group]]
                              for plan, group in zip(plans, groups, strict=True)],
                slices_dir, staging, keep)
    finally:
        shutil.rmtree(slices_dir, ignore_errors=True)
    seconds = time.perf_counter() - started
    for name in UNUSED_BUNDLE_FILES:
        (staging / name).unlink(missing_ok=True)
    if one_run:  # a merge writes its filters and meta index in the fixed order already
        _make_deterministic(staging)
    (staging / search_bundles.MANIFEST).write_bytes(search_bundles.manifest(groups, counts[0]))
    _replace(bundle, staging)
    return IndexResult(*counts, seconds, bundle)


class _Runner:
    """One Pagefind run over a folder into an output folder; its page, word and filter counts."""

    def __init__(self, binary: Path | None, background: bool) -> None:
        self.binary = binary or pagefind_binary()
        self.nice = shutil.which("nice") if background else None

    def __call__(self, site: Path, out: Path) -> tuple[int, int, int]:
        command = [
            str(self.binary),
            "--site", str(site),
            "--output-path", str(out.resolve()),
            "--force-language", LANGUAGE,
            # Controls (a page's print button...) are not content.
            "--exclude-selectors", "button",
        ]
        if self.nice:
            command = [self.nice, "-n", "15", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                                  errors="replace", check=False)
        except OSError as error:
            raise SearchIndexError(f"无法运行 Pagefind：{error}") from None
        output = done.stdout + done.stderr
        if done.returncode != 0 or not (out / "pagefind.js").is_file():
            tail = "\n".join(output.strip().splitlines()[-20:])
            shutil.rmtree(out, ignore_errors=True)
            raise SearchIndexError(
                f"Pagefind 建立搜索索引失败（退出码 {done.returncode}）：\n{tail}")
        counts = {kind: int(n) for n, kind in _COUNT.findall(output)}
        return counts.get("page", 0), counts.get("word", 0), counts.get("filter", 0)


def _run_in_bundles(run: _Runner, source: _Source, plans: list[list[list[str]]],
                    slices_dir: Path, staging: Path,
                    keep: Path | None = None) -> tuple[int, int, int]:
    """Pagefind over each slice (a folder of its pages), then each bundle's slices merged.

    ``plans``: each bundle's slices, the oldest bundle first (``slices.cut_bundles``).
    Two slices are indexed at a time (one in the background): a Pagefind run
    keeps about one core and a quarter busy, so two use a two-core machine fully.
    Each slice's words are read as soon as its run ends, while the next runs
    go on, and each bundle is merged as soon as its slices are read (the newest
    first), its words then let go: the words of one or two bundles are in
    memory at a time, not the whole site's.

    With ``keep``, each slice's bundle is kept there under a digest of its pages'
    addresses and bytes (``slices.key``), and each merged bundle under a digest of
    its slices: a slice whose bundle is there is not indexed again, and a bundle
    whose slices are all unchanged is not merged again but linked. After an
    edit, only the slices holding changed pages are indexed, and only their
    bundles merged.
    """
    flat = [paths for plan in plans for paths in plan]
    owner = [number for number, plan in enumerate(plans) for _ in plan]
    keys = [source.key(paths) for paths in flat] if keep is not None else []
    names: list[str] = []  # the kept merged bundles, one per bundle
    if keep is not None:
        parts = [keep / key for key in keys]
        # The newest keeps Pagefind's scripts, the others not: the same slices as the
        # newest and as an older bundle are two different kept bundles.
        names = [_BUNDLE_PREFIX + search_bundles.bundle_key(
            [key for key, number in zip(keys, owner, strict=True) if number == bundle])
            + ("-newest" if bundle == len(plans) - 1 else "")
            for bundle in range(len(plans))]
    else:
        parts = [slices_dir / f"{number}.bundle" for number in range(len(flat))]
    reuse = [keep is not None and (keep / name / _COUNTS).is_file() for name in names]
    words: list[pagefind_merge.PartWords] = [{} for _ in flat]

    def index(number: int) -> None:
        if reuse and reuse[owner[number]]:
            return  # its bundle is kept merged: neither indexed nor read
        if keep is None or not (parts[number] / pagefind_bundle.ENTRY_FILE).is_file():
            folder = source.put(slices_dir / str(number), flat[number])
            made = slices_dir / f"{number}.bundle"
            run(folder, made)
            shutil.rmtree(folder)
            if keep is not None:
                shutil.rmtree(parts[number], ignore_errors=True)
                parts[number].parent.mkdir(parents=True, exist_ok=True)
                made.rename(parts[number])  # complete, or not there
        words[number] = _merge_step(pagefind_merge.read_words, parts[number])

    totals = [0, 0, 0]
    with ThreadPoolExecutor(1 if run.nice else SLICES_AT_ONCE) as pool:
        # The newest bundle first: it is merged into ``staging`` itself, which the
        # older ones are then merged into (as ``older/<n>/``), and kept without them.
        newest_first = sorted(range(len(flat)), key=lambda number: -owner[number])
        indexed = {number: pool.submit(index, number) for number in newest_first}
        for bundle in reversed(range(len(plans))):  # each as soon as its slices are read
            mine = [number for number in range(len(flat)) if owner[number] == bundle]
            for number in mine:
                try:
                    indexed[number].result()
                except BaseException:
                    for waiting in indexed.values():  # the slices not started yet
                        waiting.cancel()
                    raise
            counts = _bundle(bundle, len(plans), [parts[n] for n in mine],
                             [words[n] for n in mine], staging, keep,
                             names[bundle] if keep is not None else "",
                             keep is not None and reuse[bundle])
            for number in mine:
                words[number] = {}  # merged: the next bundles' words take their place
            totals = [total + count for total, count in zip(totals, counts, strict=True)]
    if keep is not None:
        for folder in keep.iterdir():
            if folder.name not in keys and folder.name not in names:
                shutil.rmtree(folder)
    return totals[0], totals[1], totals[2]


def _bundle(number: int, bundles: int, parts: list[Path],
            words: list[pagefind_merge.PartWords], staging: Path, keep: Path | None,
            name: str, reused: bool) -> list[int]:
    """Bundle ``number`` (of ``bundles``, the oldest first) merged from its slices into
    ``staging``, or linked from ``keep`` where it was kept merged; its counts."""
    out = staging / search_bundles.folder(number, bundles)
    if keep is not None and reused:
        search_bundles.link_tree(keep / name / _MERGED, out)
        return list(json.loads((keep / name / _COUNTS).read_text(encoding="utf-8")))
    try:
        merged = _merge_step(pagefind_merge.merge, parts, out, words, keep is not None)
    except SearchIndexError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    counts = [merged.pages, merged.words, merged.filters]
    if out != staging:
        _drop_scripts(out)
    if keep is not None:
        _keep_merged(out, keep / name, counts)
    return counts


_BUNDLE_PREFIX: Final = "bundle-"
_MERGED: Final = "merged"
_COUNTS: Final = "counts.json"


def _keep_merged(out: Path, kept: Path, counts: list[int]) -> None:
    """A merged bundle linked into ``kept`` for the next run; its counts written last."""
    shutil.rmtree(kept, ignore_errors=True)
    search_bundles.link_tree(out, kept / _MERGED)
    (kept / _COUNTS).write_text(json.dumps(counts), encoding="utf-8")


def _drop_scripts(out: Path) -> None:
    """An older bundle is merged into ``pagefind/``'s instance in the browser, whose
    scripts and WebAssembly it uses: its own are not published."""
    for path in out.iterdir():
        if path.is_file() and (path.suffix in (".js", ".css") or path.name.startswith("wasm.")):
            path.unlink()


def _merge_step(step: Callable[..., _T], *args: Any) -> _T:
    try:
        return step(*args)
    except (pagefind_bundle.BundleFormatError, OSError) as error:
        raise SearchIndexError(f"无法合并分批建立的 Pagefind 搜索索引，"
                               f"可能是 Pagefind 换了版本、文件格式变了：{error}") from None


def _replace(bundle: Path, staging: Path) -> None:
    old = bundle.with_name(f".{bundle.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if bundle.exists():
        bundle.rename(old)
    staging.rename(bundle)
    shutil.rmtree(old, ignore_errors=True)


def _make_deterministic(bundle: Path) -> None:
    """Put Pagefind's filter chunks and meta index in a fixed order (``generator.search.bundle``).

    Pagefind 1.5.2 writes filter values in hash-map order, so without this
    the same commit would build a different ``site/pagefind/`` every time.
    """
    try:
        pagefind_bundle.canonicalise(bundle)
    except (pagefind_bundle.BundleFormatError, OSError) as error:
        raise SearchIndexError(f"无法整理 Pagefind 搜索索引中筛选项的顺序，"
                               f"可能是 Pagefind 换了版本、文件格式变了：{error}") from None
