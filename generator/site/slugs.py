"""Pinyin slugs for category addresses, and the rule that keeps them stable.

A category is free text typed by editors, so two categories can share a pinyin
spelling (停车 and 停車, 食堂 and 时堂). Addresses must not move when records
are added, so collisions are resolved by *seniority*, not by the current set
alone:

1. Slugs pinned in the optional override file (``content/category-slugs.yml``,
   ``分类: slug`` per line) are reserved first.
2. Every other category is taken in order of first appearance: the earliest
   ``date`` of any case that carries it (withdrawn cases included, so that a
   withdrawal never moves an address), then the text in code-point order.
   Each takes its bare slug if free, else ``-2``, ``-3``, ...

A new record therefore never moves an existing category's address, unless it
is back-dated before the category that holds the slug; pin the older slug in
the override file when that happens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping

from generator.records.ids import ID_MAX_LENGTH, ID_PATTERN, suggest_id

# Never a category slug: ``categories/index/`` would shadow the list of categories.
RESERVED: frozenset[str] = frozenset({"index"})


def pinyin_slug(text: str) -> str:
    """长者食堂 -> zhangzhe-shitang, spelled the way ids are suggested (``ids.suggest_id``).

    Full-width letters and digits count as ASCII (NFKC). A text with nothing to
    spell gets a short hash of itself, so it still has a stable address.
    """
    slug = suggest_id(unicodedata.normalize("NFKC", text))
    if not slug:
        return "c-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return slug


def assign_slugs(
    first_seen: Mapping[str, dt.date], pinned: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Slug of every category, given the date each category first appears.

    ``pinned`` maps category text to a slug fixed in the override file; pinned
    slugs are checked by ``check_pins`` before they get here.
    """
    pinned = pinned or {}
    taken = set(pinned.values()) | RESERVED
    slugs = {text: slug for text, slug in pinned.items() if text in first_seen}
    for text in sorted(first_seen, key=lambda t: (first_seen[t], t)):
        if text in slugs:
            continue
        base = pinyin_slug(text)
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs[text] = slug
    return slugs


def check_pins(pinned: Iterable[tuple[str, str]]) -> list[str]:
    """Messages (Chinese) for pins that are malformed or give one slug to two categories."""
    messages: list[str] = []
    owner: dict[str, str] = {}
    for text, slug in pinned:
        if not ID_PATTERN.match(slug) or len(slug) > ID_MAX_LENGTH or slug in RESERVED:
            messages.append(
                f"分类“{text}”的地址 {slug!r} 不合规：只能用小写字母、数字和单个连字符"
            )
        elif slug in owner:
            messages.append(f"地址 {slug} 已分配给分类“{owner[slug]}”，不能再分配给“{text}”")
        else:
            owner[slug] = text
    return messages
