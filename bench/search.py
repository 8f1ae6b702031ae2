"""Section c: the search index on the 10,000-case site.

`search_figures` measures the site that the build section produced with the
project's own config (bench/out/10000/site, built here when the build
section did not run): the index build time (Pagefind alone on the site), the
index size, and what headless Chromium downloads from opening the search
page to showing the results of a two-character query
(bench/search_browser.py).

The target: the first query downloads at most 300 KB of Pagefind's files as
sent with gzip (what GitHub Pages and deploy/nginx send; Pagefind's own
files are compressed already), at any size of archive. The raw figure (the
bodies as written) is printed beside it. `bundle_table` says what each
search bundle (generator/search/bundles.py) holds and its meta index's
bytes: the newest one is all a first query loads of the part that grows
with the archive, and it holds at most one and a half `search_bundle_pages`
cases and the platforms, whatever the archive's size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bench import formats, project, synth, table
from bench.archives import ensure_archive
from bench.build import build_size
from bench.measure import run
from bench.search_browser import describe, measure_query

CASES = 10_000
TARGET_DOWNLOAD = 300 * 1024  # bytes of Pagefind's files, sent with gzip
QUERY = "停车"  # two characters, in many titles of the synthetic archive


@dataclass(frozen=True)
class SearchFigures:
    index_seconds: float | None  # Pagefind alone on the built site
    index_bytes: int | None  # everything under site/pagefind/
    index_files: int | None
    query_bytes: int | None  # downloaded from opening the search to results of a 2-char query
    query_gzip_bytes: int | None = None  # the same, as sent with gzip
    bundles: str = ""  # what each search bundle holds (bundle_table)
    note: str = ""


def search_section(seed: int) -> str:
    site = ensure_archive(CASES, seed).work / "site"
    if not site.is_dir():
        build_size(CASES, seed)
    figures = search_figures(site, site.parent)
    if figures is None:
        return ("search: no Pagefind bundle in the built site (site/pagefind/), so nothing to "
                "measure yet. bench/search.py:search_figures is the hook.")
    row = [
        f"{CASES:,}", formats.seconds(figures.index_seconds), formats.kb(figures.index_bytes),
        str(figures.index_files or "n.a."), formats.kb(figures.query_bytes),
        formats.kb(figures.query_gzip_bytes), "≤ 300 KB gzip",
        formats.verdict(figures.query_gzip_bytes, TARGET_DOWNLOAD + 1),
    ]
    headers = ["cases", "index s", "index KB", "index files", "first query KB",
               "gzip KB", "goal", ""]
    text = table.render(headers, [row])
    return "\n".join(part for part in (text, figures.bundles, figures.note) if part)


def search_figures(site: Path, work: Path) -> SearchFigures | None:
    """HOOK: measure the search index of a built `site`.

    Returns None when the build made no search index. `query_bytes`: what
    headless Chromium downloads of Pagefind's files from opening the search
    page to showing the results of a two-character query, counted by the
    server (bench/search_browser.py); the note adds the page's own files and
    gzip estimates.
    """
    if not project.search_built(site):
        return None
    bundle = site / "pagefind"
    files = [p for p in bundle.rglob("*") if p.is_file()]
    alone = run("search index alone", project.pagefind_argv(site, work / "pagefind-alone"),
                cwd=work, env=synth.source_date_env(), log=work / "logs" / "pagefind.log")
    # Headless Chromium opens the search page and types the query (bench/search_browser.py).
    try:
        download = measure_query(site, QUERY)
    except Exception as error:  # no browser here: report the rest
        download, note = None, f"2-char query KB: not measured ({type(error).__name__}: {error})."
    else:
        note = "first query KB: Pagefind's files only. " + describe(download)
    return SearchFigures(
        index_seconds=alone.seconds if alone.ok else None,
        index_bytes=sum(p.stat().st_size for p in files),
        index_files=len(files),
        query_bytes=download.pagefind_bytes if download else None,
        query_gzip_bytes=download.pagefind_gzip_bytes if download else None,
        bundles=bundle_table(bundle),
        note=note,
    )


def bundle_table(bundle: Path) -> str:
    """Each search bundle, newest first: its pages, cases, dates and meta index bytes."""
    listed = bundle / "bundles.json"
    if not listed.is_file():
        return "search bundles: no bundles.json (one bundle)"
    rows = []
    for entry in json.loads(listed.read_text(encoding="utf-8"))["bundles"]:
        folder = bundle / entry["path"]
        metas = list(folder.glob("pagefind.*.pf_meta"))
        meta = sum(path.stat().st_size for path in metas)
        rows.append([
            entry["path"] or "(newest)", f"{entry['pages']:,}", f"{entry.get('cases', 0):,}",
            f"{entry.get('from', '-')} to {entry.get('to', '-')}", formats.kb(meta),
            f"{meta / max(entry['pages'], 1):.1f}",
        ])
    return table.render(["search bundle", "pages", "cases", "dates", "pf_meta KB",
                         "bytes a page"], rows)
