"""Make Pagefind's bundle the same bytes from build to build.

Pagefind 1.5.2 gathers filter values in hash maps, so two runs over the same
site write each filter chunk (``filter/<lang>_<hash>.pf_filter``) with its
values in a different order, hence other bytes and another name; the meta
index, which lists the filters in a different order too and names the
chunks, changes with them, and so does ``pagefind-entry.json``, which names
the meta index. Pagefind's maintainer confirms it: fragments are stable since
1.3.0, filter and metadata indexes are not. Word index
chunks, fragments and page numbers are stable: checked on the sample site
and on a synthetic one of 3,195 pages, three runs each.

``canonicalise(bundle)`` runs after Pagefind and puts the values of every
filter chunk in order of their text and the filters of every meta index in
order of their name, then writes and names those files the way Pagefind
does. What search returns does not change: a value keeps its pages and the
meta index keeps its page list (page numbers are positions in it).

What the code relies on, read from the files Pagefind 1.5.2 writes and
checked against its public source:

* Every ``.pf_meta``, ``.pf_filter``, ``.pf_index`` and ``.pf_fragment`` is
  gzip (no name, mtime 0, XFL 2 for best compression, OS 255) of the
  signature ``pagefind_dcd`` and a body: CBOR, or JSON for fragments.
  The browser inflates it and checks only the signature.
* A file is named by the SHA-1 of its body, written as hex without padding
  each byte to two digits (Pagefind formats bytes with ``{:x}``), cut short:
  ``<lang>_`` and 7 digits for chunks, one more digit at a time while two
  chunks of a language clash; ``<lang>_`` and ``len(lang) + 8`` digits for
  the meta index (``pagefind.<lang>_<digits>.pf_meta``). The browser loads
  files by these names and never checks a hash.
* A filter chunk is ``[filter, [[value, [page, ...]], ...]]``.
* A meta index is ``[version, pages, index chunks, filters, sorts, meta
  fields]``, with ``filters`` as ``[[filter, chunk name], ...]``.
* ``pagefind-entry.json`` gives each language's meta index name as
  ``languages.<lang>.hash``.

Anything else in place of these is a ``BundleFormatError``: a new Pagefind
should be looked at, not silently rewritten.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeAlias

Cbor: TypeAlias = "int | str | bytes | list[Cbor] | dict[Cbor, Cbor]"

SIGNATURE: Final = b"pagefind_dcd"
# Magic, deflate, no flags, mtime 0, XFL 2 (best compression), OS 255 (unknown).
GZIP_HEADER: Final = bytes.fromhex("1f8b08000000000002ff")
ENTRY_FILE: Final = "pagefind-entry.json"
FILTER_DIR: Final = "filter"
CHUNK_DIGITS: Final = 7
META_FILTERS: Final = 3  # position of the filter list in a meta index


class BundleFormatError(ValueError):
    """The bundle is not laid out as Pagefind 1.5 lays it out."""


# --------------------------------------------------------------------------
# CBOR (RFC 8949), the part Pagefind's encoder (minicbor) writes: unsigned and
# negative integers, byte and text strings, arrays and maps, all of definite
# length with the shortest head. Encoding what was decoded gives the same bytes.

UNSIGNED, NEGATIVE, BYTES, TEXT, ARRAY, MAP = range(6)
_HEAD_SIZES: Final = {24: 1, 25: 2, 26: 4, 27: 8}


def cbor_decode(data: bytes) -> Cbor:
    """The one item ``data`` holds; anything outside the subset is a ``BundleFormatError``."""
    item, end = _decode_item(data, 0)
    if end != len(data):
        raise BundleFormatError(f"CBOR: {len(data) - end} bytes after the item")
    return item


def decode_head(data: bytes, at: int) -> tuple[int, int, int]:
    """Major type, argument and the position after the head at ``at``."""
    if at >= len(data):
        raise BundleFormatError("CBOR: data ends inside an item")
    major, info = data[at] >> 5, data[at] & 0x1F
    if info < 24:
        return major, info, at + 1
    size = _HEAD_SIZES.get(info)
    if size is None or at + 1 + size > len(data):
        raise BundleFormatError(f"CBOR: unsupported or cut head {data[at]:#04x} at {at}")
    return major, int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def _decode_item(data: bytes, at: int) -> tuple[Cbor, int]:
    major, argument, at = decode_head(data, at)
    if major == UNSIGNED:
        return argument, at
    if major == NEGATIVE:
        return -1 - argument, at
    if major in (BYTES, TEXT):
        end = at + argument
        if end > len(data):
            raise BundleFormatError("CBOR: data ends inside a string")
        raw = data[at:end]
        return (raw if major == BYTES else raw.decode("utf-8")), end
    if major == ARRAY:
        items: list[Cbor] = []
        for _ in range(argument):
            item, at = _decode_item(data, at)
            items.append(item)
        return items, at
    if major == MAP:
        mapping: dict[Cbor, Cbor] = {}
        for _ in range(argument):
            key, at = _decode_item(data, at)
            mapping[key], at = _decode_item(data, at)
        return mapping, at
    raise BundleFormatError(f"CBOR: major type {major} is not used by Pagefind")


def cbor_encode(item: Cbor) -> bytes:
    """``item`` in CBOR, with shortest heads, as minicbor writes it."""
    out = bytearray()
    _encode_item(item, out)
    return bytes(out)


def encode_head(major: int, argument: int, out: bytearray) -> None:
    if argument < 24:
        out.append(major << 5 | argument)
        return
    for info, size in _HEAD_SIZES.items():
        if argument < 1 << (8 * size):
            out.append(major << 5 | info)
            out += argument.to_bytes(size, "big")
            return
    raise BundleFormatError(f"CBOR: {argument} does not fit in 64 bits")


def _encode_item(item: Cbor, out: bytearray) -> None:
    if isinstance(item, bool):  # a bool is an int to Python, not to CBOR
        raise BundleFormatError("CBOR: booleans are not used by Pagefind")
    if isinstance(item, int):
        encode_head(*((UNSIGNED, item) if item >= 0 else (NEGATIVE, -1 - item)), out)
    elif isinstance(item, str):
        raw = item.encode("utf-8")
        encode_head(TEXT, len(raw), out)
        out += raw
    elif isinstance(item, bytes):
        encode_head(BYTES, len(item), out)
        out += item
    elif isinstance(item, list):
        encode_head(ARRAY, len(item), out)
        for element in item:
            _encode_item(element, out)
    elif isinstance(item, dict):
        encode_head(MAP, len(item), out)
        for key, value in item.items():
            _encode_item(key, out)
            _encode_item(value, out)
    else:
        raise BundleFormatError(f"CBOR: cannot encode {type(item).__name__}")


# --------------------------------------------------------------------------
# Pagefind's files


def read_body(path: Path) -> bytes:
    """The body of a Pagefind file: gunzipped, without the signature."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise BundleFormatError(f"{path.name}: not gzip ({error})") from None
    if not data.startswith(SIGNATURE):
        raise BundleFormatError(f"{path.name}: no {SIGNATURE.decode()} signature")
    return data[len(SIGNATURE) :]


def pack(body: bytes, level: int = 9) -> bytes:
    """A Pagefind file of ``body``, the same bytes every time.

    The gzip header is written here, the one Pagefind writes (no name,
    mtime 0, XFL 2 for best compression, OS 255): Python's ``gzip`` would
    put the system's code in the OS byte. The deflate stream is zlib's at
    ``level`` rather than Pagefind's (the browser inflates either); the same
    zlib gives the same stream for the same input.
    """
    data = SIGNATURE + body
    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    stream = deflate.compress(data) + deflate.flush()
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return GZIP_HEADER + stream + trailer


def full_hash(body: bytes) -> str:
    """Pagefind's content hash: SHA-1 in hex, each byte without a leading zero.

    Pagefind formats each digest byte with Rust's ``{:x}``, so 0x0a is ``a``;
    names must be cut from this string to match the ones Pagefind gives.
    """
    return "".join(format(byte, "x") for byte in hashlib.sha1(body).digest())


def chunk_name(language: str, body: bytes, taken: set[str]) -> str:
    """``<lang>_<7 digits>``, one more digit at a time while ``taken`` has it (as Pagefind)."""
    full = f"{language}_{full_hash(body)}"
    length = len(language) + 1 + CHUNK_DIGITS
    while full[:length] in taken and length < len(full):
        length += 1
    return full[:length]


def meta_name(language: str, body: bytes) -> str:
    """The meta index's name: ``<lang>_`` and ``len(lang) + 8`` digits (as Pagefind)."""
    return f"{language}_{full_hash(body)[: len(language) + 8]}"


def meta_path(bundle: Path, name: str) -> Path:
    return bundle / f"pagefind.{name}.pf_meta"


def filter_path(bundle: Path, name: str) -> Path:
    return bundle / FILTER_DIR / f"{name}.pf_filter"


# --------------------------------------------------------------------------
# Reading shapes: decoded CBOR in, typed values out, or a BundleFormatError


def _text(item: Cbor, what: str) -> str:
    if not isinstance(item, str):
        raise BundleFormatError(f"{what}: expected text, found {type(item).__name__}")
    return item


def _items(item: Cbor, what: str, length: int | None = None) -> list[Cbor]:
    if not isinstance(item, list) or (length is not None and len(item) != length):
        raise BundleFormatError(f"{what}: expected a list" + (f" of {length}" if length else ""))
    return item


def _page(item: Cbor, what: str) -> int:
    if isinstance(item, bool) or not isinstance(item, int) or item < 0:
        raise BundleFormatError(f"{what}: expected a page number, found {item!r}")
    return item


FilterValues: TypeAlias = list[tuple[str, list[int]]]


def parse_filter(chunk: Cbor) -> tuple[str, FilterValues]:
    """A filter chunk ``[filter, [[value, [page, ...]], ...]]`` as its name and values."""
    name_item, values_item = _items(chunk, "filter chunk", 2)
    name = _text(name_item, "filter chunk")
    values = []
    for value in _items(values_item, f"filter {name}"):
        text, pages = _items(value, f"filter {name}", 2)
        values.append((_text(text, f"filter {name}"),
                       [_page(p, f"filter {name}") for p in _items(pages, f"filter {name}")]))
    return name, values


def parse_meta_filters(meta: Cbor, what: str) -> list[tuple[str, str]]:
    """The ``[[filter, chunk name], ...]`` list of a meta index."""
    items = _items(meta, what)
    if len(items) <= META_FILTERS:
        raise BundleFormatError(f"{what}: a meta index of {len(items)} items")
    filters = []
    for pair in _items(items[META_FILTERS], what):
        name, chunk = _items(pair, what, 2)
        filters.append((_text(name, what), _text(chunk, what)))
    return filters


# --------------------------------------------------------------------------
# Putting things in order


def canonical_filter(chunk: Cbor) -> list[Cbor]:
    """A filter chunk with its values in order of their text, each page list ascending.

    Pagefind fills both from hash maps; the browser reads values into a map
    and pages into a set, so neither order means anything to a search.
    """
    name, values = parse_filter(chunk)
    if len({text for text, _ in values}) != len(values):
        raise BundleFormatError(f"filter {name}: a value appears twice")
    ordered: list[Cbor] = [[text, list[Cbor](sorted(pages))] for text, pages in sorted(values)]
    return [name, ordered]


@dataclass(frozen=True)
class Language:
    """One language's meta index, as ``pagefind-entry.json`` names it."""

    code: str
    meta: str  # the meta index's name: <lang>_<digits>


def languages(bundle: Path) -> list[Language]:
    """The languages ``pagefind-entry.json`` lists, with their meta index names."""
    try:
        entry = json.loads((bundle / ENTRY_FILE).read_text(encoding="utf-8"))
        found = [Language(code, info["hash"]) for code, info in entry["languages"].items()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise BundleFormatError(f"{ENTRY_FILE}: {error!r}") from None
    for language in found:
        _text(language.meta, f"{ENTRY_FILE}: {language.code}")
    return found


@dataclass(frozen=True)
class Rewrite:
    """One language's files: those to remove and those to write in their place."""

    language: Language
    new_meta: str
    remove: tuple[Path, ...]
    write: tuple[tuple[Path, bytes], ...]


def plan_language(bundle: Path, language: Language) -> Rewrite:
    """Read one language's meta index and filter chunks; say what to write instead.

    Filters are put in order of their name and named in that order, so a
    clash of short names lengthens the same name every time.
    """
    old_meta = meta_path(bundle, language.meta)
    meta = _items(cbor_decode(read_body(old_meta)), old_meta.name)
    listed = parse_meta_filters(meta, old_meta.name)
    if len({name for name, _ in listed}) != len(listed):
        raise BundleFormatError(f"{old_meta.name}: a filter appears twice")
    remove = [old_meta]
    write: list[tuple[Path, bytes]] = []
    taken: set[str] = set()
    filters: list[Cbor] = []
    for name, old_chunk in sorted(listed):
        old_path = filter_path(bundle, old_chunk)
        body = cbor_encode(canonical_filter(cbor_decode(read_body(old_path))))
        chunk = chunk_name(language.code, body, taken)
        taken.add(chunk)
        remove.append(old_path)
        write.append((filter_path(bundle, chunk), pack(body)))
        filters.append([name, chunk])
    meta_body = cbor_encode([*meta[:META_FILTERS], filters, *meta[META_FILTERS + 1 :]])
    new_meta = meta_name(language.code, meta_body)
    write.append((meta_path(bundle, new_meta), pack(meta_body)))
    return Rewrite(language, new_meta, tuple(remove), tuple(write))


def _check_every_filter_listed(bundle: Path, rewrites: Iterable[Rewrite]) -> None:
    """A chunk no meta index lists would be left as Pagefind wrote it: refuse instead."""
    listed = {path for rewrite in rewrites for path in rewrite.remove}
    stray = sorted(p.name for p in (bundle / FILTER_DIR).glob("*.pf_filter") if p not in listed)
    if stray:
        raise BundleFormatError(f"filter chunks that no meta index lists: {stray}")


def _rename_in_entry(bundle: Path, rewrites: Iterable[Rewrite]) -> None:
    """Point ``pagefind-entry.json`` at the new meta indexes, leaving every other byte.

    The file is serde_json's output; replacing the quoted old name keeps its
    layout exactly, where re-serialising it would be Python's layout.
    """
    path = bundle / ENTRY_FILE
    text = path.read_bytes().decode("utf-8")
    for rewrite in rewrites:
        old = json.dumps(rewrite.language.meta)
        if text.count(old) != 1:
            raise BundleFormatError(f"{ENTRY_FILE}: {old} is not there exactly once")
        text = text.replace(old, json.dumps(rewrite.new_meta))
    path.write_bytes(text.encode("utf-8"))


def canonicalise(bundle: Path) -> None:
    """Rewrite ``bundle``'s filter chunks, meta indexes and entry file in a fixed order.

    Every file is read before any is removed, and every old file is removed
    before any new one is written, so a new name that happens to be an old
    one cannot lose a file.
    """
    bundle = Path(bundle)
    rewrites = [plan_language(bundle, language) for language in languages(bundle)]
    _check_every_filter_listed(bundle, rewrites)
    for rewrite in rewrites:
        for path in rewrite.remove:
            path.unlink()
    for rewrite in rewrites:
        for path, data in rewrite.write:
            path.write_bytes(data)
    _rename_in_entry(bundle, rewrites)
