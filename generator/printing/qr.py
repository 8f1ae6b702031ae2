"""QR codes on printed notices: each case's permanent address, as SVG made at build time.

A notice pinned on a board outlives the build that printed it, so the code
encodes the public, permanent address ``<site_url>cases/<id>/`` (see the
record format: ids never change, withdrawn cases keep their page), never a
preview's address.

The code itself comes from zxing-cpp, whose writer is libzint: the smallest
version that holds the address at error correction level M, and the mask
chosen by the standard's penalty scores (ISO/IEC 18004 7.8.3), in C, well
under a millisecond a code. Where the same size of symbol holds the address
at a higher level (Q or H), that level is taken: more of a creased or faded
code can be lost and it still scans. This module only picks the level and
draws the modules as one SVG path, about 1.5 ms a code. Codes are made when a
page asks for them and memoised for the life of the process: the render
workers of a build make each the codes of their own pages, ``mkdocs serve``
rebuilds find them made. Nothing is kept between builds: a warm build renders
the few pages an edit reaches, a hundred codes at most, and making them again
costs less than keeping a code per case (2.4 KB each) in memory and on disk.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import zxingcpp
from markupsafe import Markup

# Error correction M (15 %) at least: a notice on a board gets creased, faded and wet.
# Q (25 %) and H (30 %) are taken when they fit in the same size of symbol.
ERROR = "M"
_HIGHER = ("Q", "H")
# Printed size of the code without its quiet zone: at least 25 mm, to scan from a step away.
SYMBOL_MM = 26
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
_DARK = re.compile(rb"\x00+")  # zxing-cpp's image: 0 for a dark module, 255 for a light one

# Kept compressed (a third of the size, 0.05 ms a code): a build's process holds the
# codes of half the archive's pages until its share is rendered.
_codes: dict[str, bytes] = {}


class SiteUrlError(ValueError):
    """``site_url`` is missing or is not an http(s) address."""


def site_base(site_url: str | None) -> str:
    """``site_url`` checked and ending in ``/``, the base of every permanent address."""
    if not site_url or not site_url.strip():
        raise SiteUrlError("site_url is not set")
    url = site_url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SiteUrlError(f"site_url must be an http(s) address such as https://example.org/archive/,"
                           f" not {url!r}")
    return url if url.endswith("/") else url + "/"


def case_url(base: str, case_id: str) -> str:
    """The permanent address of a case below ``base`` (a ``site_base`` result)."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id):
        raise ValueError(f"not a case id: {case_id!r}")
    return f"{base}cases/{case_id}/"


def svg(url: str) -> Markup:
    """An inline ``<svg>`` QR code of ``url``, its printed size in mm (``SYMBOL_MM``)."""
    packed = _codes.get(url)
    if packed is not None:
        return Markup(zlib.decompress(packed).decode("utf-8"))
    code = _encode(url)
    _codes[url] = zlib.compress(code.encode("utf-8"), 1)
    return Markup(code)


def forget() -> None:
    """Let go of the codes made so far (a build's share of the pages is rendered)."""
    _codes.clear()


def modules(url: str) -> list[bytes]:
    """The symbol's rows without quiet zone, one byte a module: 0 dark, 255 light; at the
    highest error correction level that needs no larger symbol than level ``ERROR``."""
    rows = _symbol(url, ERROR)
    version = (len(rows) - 17) // 4
    for level in reversed(_HIGHER):
        try:
            return _symbol(url, level, version)
        except ValueError:  # the address needs a larger symbol at this level
            continue
    return rows


def _symbol(url: str, level: str, version: int | None = None) -> list[bytes]:
    """The rows of ``url``'s symbol at ``level``: the smallest version, or ``version``.

    A version too small is refused before any mask is tried, in a few microseconds,
    so asking for the higher levels at a fixed version costs little when they do not fit.
    """
    options = {} if version is None else {"version": version}
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level=level, **options)
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    height, width = image.shape
    data = image.tobytes()
    return [data[row * width : (row + 1) * width] for row in range(height)]


def _encode(url: str) -> str:
    """The inline SVG of ``url``'s QR code."""
    rows = modules(url)
    count = len(rows) + 2 * QUIET_ZONE
    # The symbol itself is SYMBOL_MM wide whatever its version; the quiet zone
    # of 4 modules that the standard asks for comes on top of it.
    size = f"{SYMBOL_MM * count / len(rows):.1f}mm"
    # An accessible name in an attribute, not an SVG <title>: a page has one <title>.
    return str(Markup(
        '<svg role="img" aria-label="二维码：{0}" width="{1}" height="{1}" '
        'viewBox="0 0 {2} {2}" class="xs-qr"><path stroke="#000" d="{3}"/></svg>'
    ).format(url, size, count, "".join(_path(rows))))


def _path(rows: list[bytes]) -> Iterator[str]:
    """Each run of dark modules as a horizontal line one module thick, through the
    middle of its row; every move after the first relative to the end of the last line."""
    x = y = None
    for row_number, row in enumerate(rows):
        for run in _DARK.finditer(row):
            start, length = run.start() + QUIET_ZONE, run.end() - run.start()
            row_y = row_number + QUIET_ZONE
            if x is None or y is None:
                yield f"M{start} {row_y}.5h{length}"
            else:
                yield f"m{start - x} {row_y - y}h{length}"
            x, y = start + length, row_y
