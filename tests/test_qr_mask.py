"""qr_mask makes the code segno makes, mask included, for every size of code a build makes."""

from __future__ import annotations

import random

import pytest
import segno

from generator import qr, qr_mask


def _addresses(count: int, seed: int) -> list[str]:
    """Case addresses from short to long: QR versions 2 to about 20."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"
    return [
        "https://example.org/archive/cases/"
        + "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400))) + "/"
        for _ in range(count)
    ]


@pytest.mark.parametrize("error", ["l", "m", "q", "h"])
def test_the_code_is_the_one_segno_makes(error: str) -> None:
    addresses = _addresses(150, seed=ord(error))
    versions, masks = set(), set()
    for url in addresses:
        ours = qr_mask.make_qr(url, error)
        reference = segno.make_qr(url, error=error)
        assert (ours.mask, ours.matrix) == (reference.mask, reference.matrix), url
        versions.add(reference.version)
        masks.add(reference.mask)
    assert min(versions) <= 5 and max(versions) >= 10  # small codes, and with version areas
    assert len(masks) >= 6  # most masks win somewhere: each one's change is checked


def test_a_build_makes_the_code_segno_makes() -> None:
    """The inline SVG is the same bytes whether segno or qr_mask chose the mask."""
    for url in _addresses(40, seed=7):
        ours, mask = qr._encode(url)
        reference = segno.make_qr(url, error=qr.ERROR)
        theirs, their_mask = qr._encode(url, reference.mask)
        assert (ours, mask) == (theirs, their_mask)


def test_each_penalty_is_segnos() -> None:
    """Not only the winner: every mask's score, against segno's own evaluation."""
    from segno import encoder

    url = "https://example.org/archive/cases/2025-xinjian-shequ-tingche/"
    code = segno.make_qr(url, error="m", mask=0)
    layout = qr_mask._layout(len(code.matrix))
    unmasked = [
        (int.from_bytes(row, "big") ^ mask0) & region
        for row, mask0, region in zip(code.matrix, layout.masks[0], layout.region, strict=True)
    ]
    for number in range(8):
        rows = qr_mask._masked(layout, unmasked, number)
        matrix = tuple(bytearray(row.to_bytes(layout.width, "big")) for row in rows)
        assert qr_mask.penalty(rows, layout) == encoder.evaluate_mask(
            matrix, layout.width, layout.width), number
