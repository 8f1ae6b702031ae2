"""Section c: the search index on the 10,000-case site.

HOOK FOR THE SEARCH FEATURE. `search_figures` is where the index-size and
bytes-downloaded measurements go once Pagefind is part of the build. Until
then it reports that there is nothing to measure. It receives the site that
the build section produced with the project's own config (bench/out/10000/site,
built here when the build section did not run).

Measured on 10,000 cases: the index build time, the index size, and
the bytes a browser downloads from opening the search to showing results for
a two-character query (target: under 500 KB).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench import formats, project, synth, table
from bench.archives import ensure_archive
from bench.build import build_size
from bench.measure import run
from bench.search_browser import describe, measure_query

CASES = 10_000
TARGET_DOWNLOAD = 500 * 1024  # bytes
QUERY = "停车"  # two characters, in many titles of the synthetic archive


@dataclass(frozen=True)
class SearchFigures:
    index_seconds: float | None  # Pagefind alone on the built site
    index_bytes: int | None  # everything under site/pagefind/
    index_files: int | None
    query_bytes: int | None  # downloaded from opening the search to results of a 2-char query
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
        str(figures.index_files or "n.a."), formats.kb(figures.query_bytes), "< 500 KB",
        formats.verdict(figures.query_bytes, TARGET_DOWNLOAD),
    ]
    headers = ["cases", "index s", "index KB", "index files", "2-char query KB", "goal", ""]
    text = table.render(headers, [row])
    return f"{text}\n{figures.note}" if figures.note else text


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
        note = "2-char query KB: Pagefind's files only. " + describe(download)
    return SearchFigures(
        index_seconds=alone.seconds if alone.ok else None,
        index_bytes=sum(p.stat().st_size for p in files),
        index_files=len(files),
        query_bytes=download.pagefind_bytes if download else None,
        note=note,
    )
