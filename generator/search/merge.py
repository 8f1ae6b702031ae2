"""Merge Pagefind bundles of disjoint sets of pages into the bundle of all of them.

Pagefind keeps every page's words in memory until it writes the index, so
its memory grows with the site (figures in bench/README.md).
``generator.search.pagefind`` therefore indexes a large site in slices of a few
thousand pages (one Pagefind run each) and merges the slices' bundles with
``merge``, each slice's words read (``read_words``) as soon as its run
ends, while later slices are indexed. The merged bundle is laid out as one
run over every page would lay it out: one meta index, word chunks cut by
Pagefind's own rule, the same fragments. A browser downloads and searches
it exactly as before. Filters and the meta index come out in the fixed order
``generator.search.bundle.canonicalise`` gives a single run's bundle.

Page numbers are positions in the meta index's page list, so the pages of
slice ``i`` are renumbered by the pages of the slices before it. Sort orders
are joined slice after slice: the caller must slice in sort order (every
page of a slice sorts with or before every page of the next one).

What the code relies on, beyond what ``generator.search.bundle`` lists (Pagefind
1.5.2, read from its output and checked by the tests against whole runs):

* a word chunk is ``[[word, ...]]``; a word is ``[text, [posting, ...], []]``
  with its postings in ascending page order; a posting is ``[page, [location,
  ...], [meta location, ...]]`` whose page is the difference from the
  previous posting's (the first one's from page 0), locations integers;
* words go into chunks in order of their text, a chunk ending with the word
  that brings its size (over its postings: locations + meta locations + 1)
  to 20,000 or more; the meta index lists each chunk as ``[from, to, name]``,
  ``from`` and ``to`` cut to the shortest prefixes that tell neighbouring
  chunks apart;
* a meta index is ``[version, [[fragment, word count], ...], chunks,
  filters, [[sort, [page, ...]], ...], [meta field, ...]]``;
* a fragment is one page's JSON (its address and text), named as chunks are.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, Final

from generator.search.bundle import (
    ARRAY,
    ENTRY_FILE,
    FILTER_DIR,
    TEXT,
    UNSIGNED,
    BundleFormatError,
    Cbor,
    canonical_filter,
    cbor_decode,
    cbor_encode,
    chunk_name,
    decode_head,
    encode_head,
    filter_path,
    meta_name,
    meta_path,
    pack,
    parse_filter,
    parse_meta_filters,
    read_body,
)

INDEX_DIR: Final = "index"
FRAGMENT_DIR: Final = "fragment"
CHUNK_SIZE: Final = 20_000  # Pagefind's, in the units above
# Word chunks are most of the bundle: zlib's level 9 takes several times as long as 6
# on them for files barely smaller. Chunks are compressed in threads (zlib lets go of
# the GIL while it works).
CHUNK_LEVEL: Final = 6
_EMPTY_ARRAY: Final = 0x80
_POSTING: Final = 0x83  # an array of three
_WORD: Final = 0x83
_ONE: Final = 0x81  # an array of one: a chunk's word list


# One CBOR integer, unsigned or negative: a head byte with the value or the size of
# what follows (1, 2, 4 or 8 bytes). Locations are skipped, not read: a regular
# expression steps over a posting's whole list in C, many times faster than a loop.
_INTEGER: Final = (rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39].{2}"
                   rb"|[\x1a\x3a].{4}|[\x1b\x3b].{8})")


_LISTS: dict[int, re.Pattern[bytes]] = {}  # by the first byte of the list: its items


def _skip_integers(data: bytes, at: int, name: str) -> tuple[int, int]:
    """Step over the list of integers at ``at``: where it ends, and how many it holds."""
    pattern = _LISTS.get(data[at])
    if pattern is None:
        major, count, after = decode_head(data, at)
        if major != ARRAY:
            raise BundleFormatError(f"{name}: a list of locations is missing")
        pattern = re.compile(re.escape(data[at:after]) + _INTEGER + b"{%d}" % count, re.DOTALL)
        if count > 23:  # a longer head: keyed by its first byte it would be ambiguous
            found = pattern.match(data, at)
            if found is None:
                raise BundleFormatError(f"{name}: a location is not a number")
            return found.end(), count
        _LISTS[data[at]] = pattern
    found = pattern.match(data, at)
    if found is None:
        raise BundleFormatError(f"{name}: a location is not a number")
    return found.end(), data[at] - 0x80


@dataclass(frozen=True)
class _Part:
    """One slice's bundle, one language of it."""

    bundle: Path
    meta: list[Cbor]
    offset: int  # pages of the slices before it
    # Meta locations name a meta field by its place in the part's list of fields:
    # where each place is in the merged list, unless the lists are the same.
    fields: dict[int, int] | None = None

    @property
    def pages(self) -> list[Cbor]:
        return _list(self.meta[1], "pages")


# A word's postings in one part: (text, postings, first page, last page, bytes after
# the first posting's page number, size in chunk units). Pages are merged numbers.
_Piece = tuple[str, int, int, int, bytes, int]
# The same as read from the part: its own page numbers, its own meta field numbers,
# and whether any posting has meta locations (which name meta fields).
_PartPiece = tuple[str, int, int, int, bytes, int, bool]
# A part's words by language, read ahead of the merge (``read_words``).
PartWords = dict[str, list[_PartPiece]]


@dataclass(frozen=True)
class Merged:
    pages: int
    words: int  # different words
    filters: int


def merge(parts: Sequence[Path], out: Path, read: Sequence[PartWords] | None = None,
          keep: bool = False) -> Merged:
    """Write into ``out`` (new or empty) the bundle of every page of ``parts``, in order.

    The parts' fragment files are moved, not copied: the parts are spent; with
    ``keep`` they are linked (or copied), and the parts can be merged again.
    ``read``: each part's ``read_words``, if read already.
    """
    if not parts:
        raise BundleFormatError("nothing to merge")
    entries = [_entry(part) for part in parts]
    languages = list(entries[0]["languages"])
    if any(list(entry["languages"]) != languages or entry["version"] != entries[0]["version"]
           for entry in entries):
        raise BundleFormatError("the bundles differ in Pagefind version or languages")
    out.mkdir(parents=True, exist_ok=True)
    for folder in (INDEX_DIR, FILTER_DIR, FRAGMENT_DIR):
        (out / folder).mkdir(exist_ok=True)
    merged_entry = entries[0]
    counts = []
    for language in languages:
        metas = [entry["languages"][language]["hash"] for entry in entries]
        words = [part_words[language] for part_words in read] if read is not None else None
        name, merged = _merge_language(parts, metas, language, out, words, keep)
        merged_entry["languages"][language].update(hash=name, page_count=merged.pages)
        counts.append(merged)
    _copy_the_rest(parts[0], out)
    (out / ENTRY_FILE).write_text(
        json.dumps(merged_entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return Merged(sum(c.pages for c in counts), sum(c.words for c in counts),
                  sum(c.filters for c in counts))


def _entry(bundle: Path) -> dict[str, Any]:
    """``pagefind-entry.json``: ``{"version": ..., "languages": {lang: {"hash": meta, ...}}}``."""
    try:
        entry = json.loads((bundle / ENTRY_FILE).read_text(encoding="utf-8"))
        if all(isinstance(info["hash"], str) for info in entry["languages"].values()):
            return dict(entry)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise BundleFormatError(f"{bundle / ENTRY_FILE}: {error!r}") from None
    raise BundleFormatError(f"{bundle / ENTRY_FILE}: a language without a meta index name")


def read_words(bundle: Path) -> PartWords:
    """Every word of a part, by language, for ``merge``'s ``read``.

    Reading the words is most of a merge's work; a part read as soon as its
    Pagefind run ends is read while the other parts are still being indexed.
    """
    words: PartWords = {}
    for language, info in _entry(bundle)["languages"].items():
        meta = _list(cbor_decode(read_body(meta_path(bundle, info["hash"]))), "meta index")
        words[language] = list(_part_pieces(bundle, meta))
    return words


def _merge_language(parts: Sequence[Path], metas: Sequence[str], language: str,
                    out: Path, read: Sequence[list[_PartPiece]] | None,
                    keep: bool = False) -> tuple[str, Merged]:
    loaded: list[_Part] = []
    offset = 0
    for bundle, meta in zip(parts, metas, strict=True):
        decoded = _list(cbor_decode(read_body(meta_path(bundle, meta))), "meta index")
        if len(decoded) != 6 or decoded[0] != (loaded[0].meta[0] if loaded else decoded[0]):
            raise BundleFormatError(f"{meta}: not a meta index of the first part's version")
        loaded.append(_Part(bundle, decoded, offset))
        offset += len(_list(decoded[1], "pages"))
    fields = _meta_fields(loaded)
    loaded = [_Part(part.bundle, part.meta, part.offset, _field_map(part, fields))
              for part in loaded]
    pages = _move_fragments(loaded, language, out, keep)
    streams = [_placed(part, read[number] if read is not None
                       else _part_pieces(part.bundle, part.meta))
               for number, part in enumerate(loaded)]
    chunks, words = _write_words(streams, language, out)
    filters = _write_filters(loaded, language, out)
    body = cbor_encode([loaded[0].meta[0], pages, chunks, filters, _sorts(loaded), fields])
    name = meta_name(language, body)
    meta_path(out, name).write_bytes(pack(body))
    return name, Merged(offset, words, len(filters))


def _list(item: Cbor, what: str) -> list[Cbor]:
    if not isinstance(item, list):
        raise BundleFormatError(f"{what}: expected a list")
    return item


# --------------------------------------------------------------------------
# Fragments: one file per page, moved; a name two different pages share is
# lengthened as Pagefind would.


def _move_fragments(parts: Sequence[_Part], language: str, out: Path,
                    keep: bool = False) -> list[Cbor]:
    taken: dict[str, Path] = {}  # name -> the file moved there
    pages: list[Cbor] = []
    for part in parts:
        renamed: dict[str, str] = {}  # identical pages of one part share a file
        for page in part.pages:
            old, words = _list(page, "page")
            if not isinstance(old, str) or not isinstance(words, int):
                raise BundleFormatError(f"page {page!r}: expected [name, word count]")
            if old not in renamed:
                renamed[old] = _place_fragment(part.bundle / FRAGMENT_DIR / f"{old}.pf_fragment",
                                               old, language, taken, out, keep)
            pages.append([renamed[old], words])
    return pages


def _place_fragment(source: Path, name: str, language: str, taken: dict[str, Path],
                    out: Path, keep: bool = False) -> str:
    """Move (``keep``: link) a part's fragment file into ``out``; a name taken by another
    page's is lengthened."""
    if name in taken and taken[name].read_bytes() != source.read_bytes():
        name = chunk_name(language, read_body(source), set(taken))
    if name not in taken:
        target = out / FRAGMENT_DIR / f"{name}.pf_fragment"
        if not keep:
            os.replace(source, target)
        else:
            try:
                os.link(source, target)
            except OSError:  # another file system, or one without hard links
                shutil.copyfile(source, target)
        taken[name] = target
    return name


# --------------------------------------------------------------------------
# Words: each part's chunks read in word order, merged, cut into new chunks.


def _write_words(streams: Sequence[Iterable[_Piece]], language: str,
                 out: Path) -> tuple[list[Cbor], int]:
    """Write the merged word chunks of the parts' words, each part's in word order;
    their meta index entries, and how many words."""
    count = 0
    chunks: list[tuple[str, str, bytes]] = []  # (first word, last word, body)
    words: list[bytes] = []
    first = ""
    size = 0
    for text, group in itertools.groupby(heapq.merge(*streams, key=itemgetter(0)),
                                         key=itemgetter(0)):
        pieces = list(group)
        count += 1
        if not words:
            first = text
        words.append(_word(text, pieces))
        size += sum(piece[5] for piece in pieces)
        if size >= CHUNK_SIZE:
            chunks.append((first, text, _chunk_body(words)))
            words, size = [], 0
    if words:
        chunks.append((first, text, _chunk_body(words)))
    bounds = _chunk_bounds([(first, last) for first, last, _ in chunks])
    taken: set[str] = set()
    listed: list[Cbor] = []
    with ThreadPoolExecutor(2) as pool:
        packed = pool.map(lambda body: pack(body, CHUNK_LEVEL), [body for *_, body in chunks])
        for (low, high), (*_, body), data in zip(bounds, chunks, packed, strict=True):
            name = chunk_name(language, body, taken)
            taken.add(name)
            (out / INDEX_DIR / f"{name}.pf_index").write_bytes(data)
            listed.append([low, high, name])
    return listed, count


def _part_pieces(bundle: Path, meta: list[Cbor]) -> Iterator[_PartPiece]:
    """The part's words in order, chunk after chunk (the meta index lists them in order)."""
    for chunk in _list(meta[2], "index chunks"):
        *_, name = _list(chunk, "index chunk")
        yield from _chunk_pieces(read_body(bundle / INDEX_DIR / f"{name}.pf_index"), str(name))


def _placed(part: _Part, pieces: Iterable[_PartPiece]) -> Iterator[_Piece]:
    """The part's words with merged page numbers and, where they differ, meta field numbers."""
    offset, fields = part.offset, part.fields
    for text, postings, first, last, tail, size, in_meta in pieces:
        if in_meta and fields is not None:
            tail = _renumbered_tail(text, postings, first, tail, fields)
        yield text, postings, offset + first, offset + last, tail, size


def _chunk_pieces(data: bytes, name: str) -> Iterator[_PartPiece]:
    if not data or data[0] != _ONE:
        raise BundleFormatError(f"{name}: a word chunk is a list of one list")
    major, count, at = decode_head(data, 1)
    if major != ARRAY:
        raise BundleFormatError(f"{name}: no word list")
    for _ in range(count):
        piece, at = _next_piece(data, at, name)
        yield piece
    if at != len(data):
        raise BundleFormatError(f"{name}: {len(data) - at} bytes after the words")


def _next_piece(data: bytes, at: int, name: str) -> tuple[_PartPiece, int]:
    """One word of a chunk at ``at``: its postings as a piece, and where the next word starts.

    The postings' bytes are kept as they are, but for the first page number.
    """
    if data[at] != _WORD:
        raise BundleFormatError(f"{name}: a word is not a list of three")
    major, length, at = decode_head(data, at + 1)
    if major != TEXT:
        raise BundleFormatError(f"{name}: a word's text is missing")
    text = data[at : at + length].decode("utf-8")
    major, postings, at = decode_head(data, at + length)
    if major != ARRAY or postings == 0:
        raise BundleFormatError(f"{name}: {text!r} has no postings")
    in_meta = False
    page = size = 0
    tail_from = first = -1
    skip = _skip_integers  # the hot loop of a merge: one round per posting of every word
    for _ in range(postings):  # [page delta, [location, ...], [meta location, ...]]
        if data[at] != 0x83:
            raise BundleFormatError(f"{name}: a posting of {text!r} is not a list of three")
        delta = data[at + 1]
        if delta < 24:  # a small unsigned integer, read inline
            at += 2
        else:
            major, delta, at = decode_head(data, at + 1)
            if major != UNSIGNED:
                raise BundleFormatError(f"{name}: a posting of {text!r} has no page")
        page += delta
        if first < 0:
            first, tail_from = page, at
        at, count = skip(data, at, name)
        size += count + 1
        if data[at] == _EMPTY_ARRAY:  # most postings have no meta locations
            at += 1
        else:
            at, count = skip(data, at, name)
            size += count
            in_meta = True
    if data[at] != _EMPTY_ARRAY:
        raise BundleFormatError(f"{name}: {text!r} has data Pagefind 1.5.2 does not write")
    return (text, postings, first, page, data[tail_from:at], size, in_meta), at + 1


def _renumbered_tail(text: str, postings: int, first: int, tail: bytes,
                     fields: dict[int, int]) -> bytes:
    """A piece's tail with its meta fields renumbered (``_renumber_fields``)."""
    listed = bytearray()
    encode_head(ARRAY, postings, listed)
    listed.append(_POSTING)
    encode_head(UNSIGNED, first, listed)
    return _renumber_fields(cbor_decode(bytes(listed) + tail), fields, text)


def _renumber_fields(postings: Cbor, fields: dict[int, int], name: str) -> bytes:
    """The postings from after the first page number on, meta fields renumbered.

    A meta location list names a field by ``-1 - place`` (its place in the
    list of meta fields), followed by the word's positions in that field.
    """
    out = bytearray()
    for number, posting in enumerate(_list(postings, name)):
        delta, locations, meta_locations = _list(posting, name)
        if number:
            out.append(_POSTING)
            out += cbor_encode(delta)
        out += cbor_encode(locations)
        out += cbor_encode([-1 - fields[-1 - place] if isinstance(place, int) and place < 0
                            else place for place in _list(meta_locations, name)])
    return bytes(out)


def _word(text: str, pieces: list[_Piece]) -> bytes:
    """A word entry with the postings of every part, page numbers counted on from part to part."""
    out = bytearray([_WORD])
    raw = text.encode("utf-8")
    encode_head(TEXT, len(raw), out)
    out += raw
    encode_head(ARRAY, sum(piece[1] for piece in pieces), out)
    previous = 0
    for _, _, first, last, tail, _ in pieces:
        out.append(_POSTING)
        encode_head(UNSIGNED, first - previous, out)
        out += tail
        previous = last
    out.append(_EMPTY_ARRAY)
    return bytes(out)


def _chunk_body(words: list[bytes]) -> bytes:
    out = bytearray([_ONE])
    encode_head(ARRAY, len(words), out)
    return bytes(out) + b"".join(words)


def _chunk_bounds(ranges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each chunk's ``from`` and ``to``: neighbours cut to one character past what they share."""
    bounds = [list(pair) for pair in ranges]
    for left, right in itertools.pairwise(bounds):
        shared = len(list(itertools.takewhile(lambda ab: ab[0] == ab[1],
                                              zip(right[0], left[1], strict=False))))
        left[1], right[0] = left[1][: shared + 1], right[0][: shared + 1]
    return [(low, high) for low, high in bounds]


# --------------------------------------------------------------------------
# Filters, sorts, meta fields, the rest of the bundle


def _write_filters(parts: Sequence[_Part], language: str, out: Path) -> list[Cbor]:
    values: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for part in parts:
        for name, chunk in parse_meta_filters(part.meta, "meta index"):
            _, found = parse_filter(cbor_decode(read_body(filter_path(part.bundle, chunk))))
            for text, pages in found:
                values[name][text] += (page + part.offset for page in pages)
    taken: set[str] = set()
    listed: list[Cbor] = []
    for name in sorted(values):
        body = cbor_encode(canonical_filter(
            [name, [[text, list[Cbor](pages)] for text, pages in values[name].items()]]))
        chunk = chunk_name(language, body, taken)
        taken.add(chunk)
        filter_path(out, chunk).write_bytes(pack(body))
        listed.append([name, chunk])
    return listed


def _sorts(parts: Sequence[_Part]) -> list[Cbor]:
    orders: dict[str, list[Cbor]] = defaultdict(list)
    for part in parts:
        for item in _list(part.meta[4], "sorts"):
            name, pages = _list(item, "sort")
            orders[str(name)] += (page + part.offset for page in _list(pages, "sort")
                                  if isinstance(page, int))
    return [[name, orders[name]] for name in sorted(orders)]


def _meta_fields(parts: Sequence[_Part]) -> list[Cbor]:
    return sorted({str(field) for part in parts for field in _list(part.meta[5], "meta fields")})


def _field_map(part: _Part, merged: list[Cbor]) -> dict[int, int] | None:
    own = _list(part.meta[5], "meta fields")
    if own == merged:
        return None
    return {place: merged.index(field) for place, field in enumerate(own)}


def _copy_the_rest(bundle: Path, out: Path) -> None:
    """Pagefind's scripts and WebAssembly: the same in every part; the first part's."""
    for path in bundle.iterdir():
        if path.is_file() and path.name != ENTRY_FILE and not path.name.endswith(".pf_meta"):
            shutil.copy2(path, out / path.name)
