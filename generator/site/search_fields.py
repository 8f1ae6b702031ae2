"""The hidden fields each page gives the search index: pinyin words, filters, a summary.

Templates mark what Pagefind indexes (``data-pagefind-body`` on case pages
and on page 1 of platform pages) and call the helpers below (Jinja globals,
``JINJA_GLOBALS``) from ``templates/_search.html`` to add hidden fields: meta
(platform, date, status, summary), filters (platform and each ancestor, year,
category, status, form, topic source) and a sort key (date).

Pinyin: ``pinyin_terms`` turns a title or a category into hidden indexed
words: for every syllable position in each run of Chinese characters, the
toneless pinyin of the next few syllables run together (``tingchehe…``) and
their initials (``tch…``). Pagefind matches the start of words, so
``tingche``, ``tc``, ``shequtingche`` all find 新建社区…停车…. Each word starts
with ``MARK`` (⁂), which Pagefind does not index: the search page cuts an
excerpt at the first ⁂, so pinyin is never shown to a reader.

The index itself is made from the written pages, later (``generator.search``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from pypinyin import lazy_pinyin
from pypinyin.seg.simpleseg import seg as pinyin_segments

from generator.records import model

MARK: Final = "⁂"
# Words of pinyin run together from each syllable on: long enough for the
# queries people type without spaces, short enough to keep the index small.
MAX_SYLLABLES: Final = 6
SUMMARY_LENGTH: Final = 80

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


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
