"""The data mask segno would choose for a QR code, in a fraction of the time.

An encoder must try the eight mask patterns and keep the one whose symbol
scores the lowest penalty (ISO/IEC 18004:2015, 7.8.3). segno does this in
pure Python, module by module: about 5 ms of the 6 ms a code costs, and the
largest single cost of a cold build (one code per case). Here the symbol is
encoded once with mask 0 (segno, public API), its data modules are recovered
from it, and each of the eight candidates is scored a whole row at a time:
rows as integers of one byte per module, so that runs of alike modules (N1),
2x2 blocks (N2) and dark modules (N4) are bit operations and bit counts over
all columns at once, and rows and columns as bytes for the finder-like
patterns (N3, ``bytes.find``). The rules are segno's
(``segno.encoder.mask_scores``); tests compare every score with segno's and
the choice with segno's over a range of addresses, versions and error levels.

Which modules carry data comes from segno's helpers for building the
function patterns, the ones its own evaluation uses: nothing here decides
the layout of a symbol. The winning mask is then put on the code without
encoding it again: mask 0 and the winner differ by the same modules in
every code of a version and error level, which two codes of segno's give.
"""

from __future__ import annotations

from functools import cache
from typing import Final, NamedTuple

import segno
from segno import encoder

_FINDER_LIKE: Final = bytes((1, 0, 1, 1, 1, 0, 1))  # N3: dark-light-dark x3-light-dark


class _Layout(NamedTuple):
    """What every symbol of one size shares, as row integers (one byte per module)."""

    width: int
    fixed: tuple[int, ...]  # function patterns as scored: finders, timing, alignment; else 0
    region: tuple[int, ...]  # 1 where a module carries data
    masks: tuple[tuple[int, ...], ...]  # each mask pattern, inside the data region only
    ones: int  # 1 in every byte
    ones_but_first: int  # 1 in every byte but the first (column 0)
    from_fifth: int  # 1 in every byte from the fifth (column 4) on


def make_qr(url: str, error: str) -> segno.QRCode:
    """``segno.make_qr(url, error=error)``: the same code, with the mask segno chooses."""
    code = segno.make_qr(url, error=error, mask=0)
    number = best_mask(code)
    if number:
        _switch_mask(code, number)
    return code


def best_mask(code: segno.QRCode) -> int:
    """The mask segno would choose for the content of ``code``, a code with mask 0."""
    layout = _layout(len(code.matrix))
    unmasked = [
        (int.from_bytes(row, "big") ^ mask0) & region
        for row, mask0, region in zip(code.matrix, layout.masks[0], layout.region, strict=True)
    ]
    return min(range(8), key=lambda number: (penalty(_masked(layout, unmasked, number), layout),
                                             number))


def _switch_mask(code: segno.QRCode, number: int) -> None:
    """Turn a code with mask 0 into the same code with mask ``number``, in place."""
    for row, change in zip(code.matrix, _mask_change(code.version, code.error, number),
                           strict=True):
        row[:] = (int.from_bytes(row, "big") ^ change).to_bytes(len(row), "big")
    code.mask = number


@cache
def _mask_change(version: int, error: str, number: int) -> tuple[int, ...]:
    """Which modules differ between mask 0 and mask ``number``, as row integers.

    The same for every code of one version and error level: the mask patterns
    over the data modules, and the format information, which holds the mask
    number. So two codes of any one content tell them, by segno's own encoder.
    """
    zero, other = (segno.make_qr("0", error=error, version=version, mask=mask, boost_error=False)
                   for mask in (0, number))
    return tuple(int.from_bytes(a, "big") ^ int.from_bytes(b, "big")
                 for a, b in zip(zero.matrix, other.matrix, strict=True))


def penalty(rows: list[int], layout: _Layout) -> int:
    """The penalty of a symbol before its format and version information (N1 + N2 + N3 + N4).

    With one byte per module, ``~(a ^ b)`` has a 1 in each byte where two rows
    agree, and ``x >> 8`` moves each module one column to the right: five alike
    in a row is four such agreements in a row, counted for all columns at once.
    A run of L >= 5 alike scores L - 2: its L - 4 windows of five, plus 2.
    """
    width, ones = layout.width, layout.ones
    score = dark = 0
    above = None
    agree_1 = agree_2 = agree_3 = 0  # rows alike with the row above, 1 to 3 rows up
    vertical_fives = 0
    for row in rows:
        dark += row.bit_count()
        left = ones & ~(row ^ (row >> 8))  # a module like the one on its left
        fives = left & (left >> 8) & (left >> 16) & (left >> 24) & layout.from_fifth
        score += fives.bit_count() + 2 * (fives & ~(fives >> 8)).bit_count()
        if above is None:
            above = row
            continue
        agree = ones & ~(row ^ above)  # a module like the one above it
        score += 3 * (agree & (agree >> 8) & left & layout.ones_but_first).bit_count()  # N2
        new_fives = agree & agree_1 & agree_2 & agree_3
        score += new_fives.bit_count() + 2 * (new_fives & ~vertical_fives).bit_count()
        above, agree_1, agree_2, agree_3, vertical_fives = row, agree, agree_1, agree_2, new_fives
    lines = [row.to_bytes(width, "big") for row in rows]
    flat = b"".join(lines)
    for line in (*lines, *(flat[column::width] for column in range(width))):
        if _FINDER_LIKE in line:
            score += _finder_like(line, width)
    return score + 10 * int(abs(dark / width**2 * 100 - 50) / 5)


def _finder_like(line: bytes, size: int) -> int:
    """N3 for one row or column, as ``segno.encoder.mask_scores`` counts it."""
    count = 0
    index = line.find(_FINDER_LIKE)
    while index != -1:
        offset = index + 7
        if (index in (0, size - 7) or not any(line[max(index - 4, 0):min(index, size)])
                or not any(line[max(offset, 0):min(offset + 4, size)])):
            count += 40
        else:
            offset = index + 4
        index = line.find(_FINDER_LIKE, offset)
    return count


def _masked(layout: _Layout, unmasked: list[int], number: int) -> list[int]:
    return [fixed | data ^ mask for fixed, data, mask
            in zip(layout.fixed, unmasked, layout.masks[number], strict=True)]


@cache
def _layout(width: int) -> _Layout:
    """Function patterns and mask patterns of a QR code ``width`` modules wide.

    As segno's ``find_and_apply_best_mask`` sees the symbol: a module is data
    when the function patterns leave it unset (2); the format and version
    areas, the dark module among them, are reserved (0: light while scoring).
    """
    functions = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(functions, width, width)
    encoder.add_alignment_patterns(functions, width, width)
    region = [bytes(int(value == 0x2) for value in row) for row in functions]
    fixed = [bytes(value if value < 0x2 else 0 for value in row) for row in functions]
    patterns = encoder.get_data_mask_functions(is_micro=False)
    masks = tuple(
        tuple(
            _as_int(bytes(int(bool(pattern(i, j))) & region[i][j] for j in range(width)))
            for i in range(width)
        )
        for pattern in patterns
    )
    return _Layout(width, tuple(map(_as_int, fixed)), tuple(map(_as_int, region)), masks,
                   ones=_as_int(b"\x01" * width),
                   ones_but_first=_as_int(b"\x00" + b"\x01" * (width - 1)),
                   from_fifth=_as_int(b"\x00" * 4 + b"\x01" * (width - 4)))


def _as_int(row: bytes) -> int:
    return int.from_bytes(row, "big")
