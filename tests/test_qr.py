"""QR codes: permanent addresses from site_url, SVG that decodes, printed size."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
import zxingcpp

from generator.printing import qr
from tests.browser import require_tool


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://example.org/archive/", "https://example.org/archive/"),
        ("https://example.org/archive", "https://example.org/archive/"),
        ("  http://example.org  ", "http://example.org/"),
    ],
)
def test_site_base_ends_in_a_slash(given: str, base: str) -> None:
    assert qr.site_base(given) == base


@pytest.mark.parametrize(
    "bad", [None, "", "   ", "example.org/archive/", "ftp://example.org/", "https:///x",
            "https://example.org/?a=1", "https://example.org/#top"],
)
def test_site_base_refuses_what_is_not_a_public_address(bad: str | None) -> None:
    with pytest.raises(qr.SiteUrlError):
        qr.site_base(bad)


def test_case_url_is_the_permanent_address() -> None:
    base = qr.site_base("https://example.org/archive")
    assert qr.case_url(base, "2022-jidian-xiaoqu-jishui") == (
        "https://example.org/archive/cases/2022-jidian-xiaoqu-jishui/")
    with pytest.raises(ValueError, match="not a case id"):
        qr.case_url(base, "../x")


def _modules(svg: str) -> int:
    """Modules across the symbol with its quiet zone, from the viewBox."""
    match = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert match, svg[:200]
    return int(match.group(1))


@pytest.mark.parametrize("case_id", ["x", "2022-jidian-xiaoqu-jishui", "a" * 40 + "-" + "b" * 39])
def test_printed_symbol_is_26_mm_whatever_its_version(case_id: str) -> None:
    svg = str(qr.svg(qr.case_url("https://example.org/archive/", case_id)))
    total = _modules(svg)
    width = float(re.search(r'width="([\d.]+)mm"', svg).group(1))
    symbol_mm = width * (total - 2 * qr.QUIET_ZONE) / total
    assert 25.9 <= symbol_mm <= 26.1, (case_id, width, total)
    assert f'height="{width:.1f}mm"' in svg


def test_svg_is_inline_markup_with_an_accessible_name() -> None:
    url = "https://example.org/archive/cases/2022-a/"
    svg = str(qr.svg(url))
    assert svg.startswith('<svg role="img" aria-label="二维码：https://example.org/archive/cases/2022-a/"')
    assert "<title>" not in svg  # a page has one <title>; HTML parsers read any as the page's
    assert "<?xml" not in svg and "\n" not in svg  # safe inside a raw HTML block
    assert 'class="xs-qr"' in svg


def _grid(svg: str) -> list[str]:
    """The modules the SVG's path draws, quiet zone included: "1" dark, "0" light."""
    count = _modules(svg)
    path = re.search(r' d="([^"]*)"', svg)
    assert path, svg[:200]
    grid = [["0"] * count for _ in range(count)]
    x = y = 0.0
    for command, dx, dy, length in re.findall(r"([Mm])(-?[\d.]+) (-?[\d.]+)h(\d+)", path.group(1)):
        x, y = (float(dx), float(dy)) if command == "M" else (x + float(dx), y + float(dy))
        assert y % 1 == 0.5 and x % 1 == 0, (x, y)  # lines through the middle of a row
        for column in range(int(x), int(x) + int(length)):
            grid[int(y)][column] = "1"
        x += int(length)
    return ["".join(row) for row in grid]


def _png(grid: list[str], scale: int = 4) -> bytes:
    """A greyscale PNG of ``grid``, ``scale`` pixels a module."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    image = _pixels(grid, scale).tobytes()
    size = len(grid) * scale
    lines = b"".join(b"\0" + image[row * size : (row + 1) * size] for row in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(lines))
            + chunk(b"IEND", b""))


def _decode(grid: list[str], tmp_path: Path) -> str:
    """Read the code back with zbar, a decoder independent of the encoder."""
    png = tmp_path / "code.png"
    png.write_bytes(_png(grid))
    result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", str(png)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# Bytes that a QR code holds in byte mode at error correction level M, versions 1 to 10
# (ISO/IEC 18004, table 7).
_CAPACITY_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213)
IDS = ("x", "2022-jidian-xiaoqu-jishui", "2025-anshun-xiang-erci-gongshui-shuizhi-cha-4670",
       "a" * 40 + "-" + "b" * 39, "a" * 120)


@pytest.mark.parametrize("case_id", IDS)
def test_the_svg_draws_the_code_and_it_decodes_to_the_address(
    case_id: str, tmp_path: Path,
) -> None:
    url = qr.case_url("https://example.org/archive/", case_id)
    grid = _grid(str(qr.svg(url)))
    quiet = "0" * len(grid)
    assert grid[: qr.QUIET_ZONE] == [quiet] * qr.QUIET_ZONE == grid[-qr.QUIET_ZONE :]
    assert all(set(row[: qr.QUIET_ZONE] + row[-qr.QUIET_ZONE :]) == {"0"} for row in grid)
    symbol = [row[qr.QUIET_ZONE : -qr.QUIET_ZONE] for row in grid[qr.QUIET_ZONE : -qr.QUIET_ZONE]]
    assert symbol == ["".join("1" if m == 0 else "0" for m in row) for row in qr.modules(url)]
    assert _decode(grid, tmp_path) == url


def _level(symbol: list[bytes], url: str) -> str:
    """The error correction level zxing-cpp reads from ``symbol``, checking it says ``url``."""
    grid = ["0" * qr.QUIET_ZONE + "".join("1" if m == 0 else "0" for m in row)
            + "0" * qr.QUIET_ZONE for row in symbol]
    quiet = ["0" * len(grid[0])] * qr.QUIET_ZONE
    found = zxingcpp.read_barcode(_pixels([*quiet, *grid, *quiet]))
    assert found is not None and found.text == url
    return found.ec_level


@pytest.mark.parametrize("case_id", IDS)
def test_the_smallest_symbol_at_level_m_or_a_higher_one_of_the_same_size(case_id: str) -> None:
    url = qr.case_url("https://example.org/archive/", case_id)
    symbol = qr.modules(url)
    version = (len(symbol) - 17) // 4
    assert version == next(v for v, fits in enumerate(_CAPACITY_M, 1) if fits >= len(url))
    levels = ("M", "Q", "H")
    level = _level(symbol, url)
    assert level in levels
    if level != "H":  # the next level up needs a larger symbol: the highest that fits is taken
        assert len(qr._symbol(url, levels[levels.index(level) + 1])) > len(symbol)


@pytest.mark.parametrize("case_id", IDS)
def test_a_symbol_at_a_given_version_is_the_one_chosen_freely(case_id: str) -> None:
    # modules() asks for the higher levels at the level-M symbol's version and relies
    # on a version too small being refused (ValueError), not silently enlarged.
    url = qr.case_url("https://example.org/archive/", case_id)
    for level in ("M", "Q", "H"):
        free = qr._symbol(url, level)
        version = (len(free) - 17) // 4
        assert qr._symbol(url, level, version) == free
        if version > 1:
            with pytest.raises(ValueError, match="too long"):
                qr._symbol(url, level, version - 1)


@pytest.mark.parametrize(("url", "level", "version"), [
    ("e.org/", "H", 1), ("https://e.org/", "M", 1),
    ("https://e.org/c/ab/", "Q", 2), ("https://e.org/c/abcd/", "M", 2),
])
def test_a_higher_level_when_it_fits_in_the_same_size(url: str, level: str, version: int) -> None:
    # Bytes held by version 1 at levels M, Q, H: 14, 11, 7; by version 2: 26, 20, 14.
    symbol = qr.modules(url)
    assert _level(symbol, url) == level
    assert len(symbol) == 17 + 4 * version


def _pixels(grid: list[str], scale: int = 4) -> memoryview:
    """``grid`` as a greyscale image zxing-cpp reads: rows of bytes, ``scale`` to a module."""
    lines = b"".join(
        bytes(0 if module == "1" else 255 for module in row for _ in range(scale))
        for row in grid for _ in range(scale)
    )
    size = len(grid) * scale
    return memoryview(lines).cast("B", (size, size))
