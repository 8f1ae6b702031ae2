"""QR codes on printed notices: each case's permanent address, as SVG made at build time.

A notice pinned on a board outlives the build that printed it, so the code
encodes the public, permanent address ``<site_url>cases/<id>/`` (see the
record format: ids never change, withdrawn cases keep their page), never a
preview's address.

Choosing the mask is the costly part: segno scores the eight mask patterns
and keeps the best (ISO/IEC 18004 7.8.3), about 5 ms a code here, where
encoding with a known mask takes under 1.5 ms. So:

* ``qr_mask`` makes the code segno makes in about half the time: it scores
  the masks a row at a time and puts the winner on a code encoded with mask 0;

* codes are memoised for the life of the process (``mkdocs serve``
  rebuilds cost nothing), and ``prepare`` computes many at once in forked
  worker processes;
* the chosen mask of each address is remembered on disk between builds
  (``load_masks`` / ``save_masks``). Only the mask, never a code: a mask
  changes how a code looks, not what it says, so a masks file that is
  stale, edited or restored from another site's cache can make a code less
  pleasant to scan but never point it at the wrong address.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import segno
from markupsafe import Markup

from generator import qr_mask

# Error correction M (15 %): a notice on a board gets creased, faded and wet.
ERROR = "m"
# None: the eight mask patterns are scored and the best kept (ISO/IEC 18004 7.8.3),
# as segno would, by qr_mask. A fixed pattern (0-7) skips that; the code still
# scans, but may keep patterns that the evaluation exists to avoid.
MASK: int | None = None
# Printed size of the code without its quiet zone: at least 25 mm, to scan from a step away.
SYMBOL_MM = 26
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
# Below this many missing codes, starting worker processes costs more than it saves.
_PARALLEL_FROM = 200
_CHUNK = 64

_codes: dict[str, str] = {}
_masks: dict[str, int] = {}  # the best mask of each address, as segno chose it

log = logging.getLogger(__name__)


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
    code = _codes.get(url)
    if code is None:
        code, _masks[url] = _encode(url, _masks.get(url, MASK))
        _codes[url] = code
    return Markup(code)


def prepare(urls: Iterable[str], workers: int | None = None) -> None:
    """Encode every address not yet known, in parallel processes when there are many."""
    missing = sorted({url for url in urls if url not in _codes})
    if not missing:
        return
    jobs = [(url, _masks.get(url, MASK)) for url in missing]
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers < 2 or len(missing) < _PARALLEL_FROM or not _can_fork():
        results = [_encode_job(job) for job in jobs]
    else:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(_encode_job, jobs, chunksize=_CHUNK))
    for url, (code, mask) in zip(missing, results, strict=True):
        _codes[url] = code
        _masks[url] = mask


def load_masks(path: Path) -> None:
    """Remember the masks chosen by an earlier build; a missing or damaged file is ignored."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError) as error:
        log.warning("ignoring the QR masks file %s: %s", path, error)
        return
    if not isinstance(stored, dict):
        log.warning("ignoring the QR masks file %s: not a JSON object", path)
        return
    for url, mask in stored.items():
        if isinstance(url, str) and type(mask) is int and 0 <= mask <= 7:
            _masks.setdefault(url, mask)


def save_masks(path: Path, urls: Iterable[str]) -> None:
    """Write the masks of ``urls`` (the addresses of this build) for the next build."""
    wanted = {url: _masks[url] for url in sorted(set(urls)) if url in _masks}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(wanted, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


def _can_fork() -> bool:
    """Worker processes by fork: only on Linux and only while this is the only thread.

    Forking a process that runs other threads (``mkdocs serve``'s live-reload
    server) can deadlock the child; spawn would re-run the caller's main
    script. ``mkdocs build`` and the first build of ``mkdocs serve`` run
    single-threaded; later serve rebuilds find almost every code memoised.
    """
    return (sys.platform == "linux" and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def _encode_job(job: tuple[str, int | None]) -> tuple[str, int]:
    url, mask = job
    return _encode(url, mask)


def _encode(url: str, mask: int | None = MASK) -> tuple[str, int]:
    """The inline SVG of ``url`` and the mask it has (chosen by segno when ``mask`` is None)."""
    if mask is None:
        code = qr_mask.make_qr(url, ERROR)
    else:
        code = segno.make_qr(url, error=ERROR, mask=mask)
    modules = code.symbol_size(border=0)[0]
    # The symbol itself is SYMBOL_MM wide whatever its version; the quiet zone
    # of 4 modules that the standard asks for comes on top of it.
    size = f"{SYMBOL_MM * (modules + 2 * QUIET_ZONE) / modules:.1f}mm"
    svg = code.svg_inline(scale=1, border=QUIET_ZONE, omitsize=True, svgclass="xs-qr",
                          lineclass=None)
    # An accessible name in an attribute, not an SVG <title>: a page has one <title>.
    label = str(Markup('role="img" aria-label="二维码：{0}" width="{1}" height="{1}" ').format(
        url, size))
    return svg.replace("<svg ", "<svg " + label, 1), code.mask
