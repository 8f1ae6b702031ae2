"""QR codes: permanent addresses from site_url, SVG that decodes, printed size."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import segno

from generator import qr
from tests.browser import require_tool
from tests.test_site_helpers import ROOT


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


def _decode(svg_matrix: segno.QRCode, tmp_path: Path) -> str:
    """Rasterise the code (4 px a module) and read it back with zbarimg."""
    zbarimg = require_tool("zbarimg")
    png = tmp_path / "code.png"
    svg_matrix.save(str(png), scale=4, border=4)
    result = subprocess.run([zbarimg, "--quiet", "--raw", str(png)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_code_decodes_to_the_address(tmp_path: Path) -> None:
    # The same encoder settings as qr._encode; the SVG is checked from a printed PDF in
    # tests/test_print.py.
    for case_id in ("x", "2022-jidian-xiaoqu-jishui", "a" * 80):
        url = qr.case_url("https://example.org/archive/", case_id)
        code = segno.make_qr(url, error=qr.ERROR)
        assert code.error in ("M", "Q", "H")
        assert _decode(code, tmp_path) == url


_PREPARE_IN_WORKERS = """
import json, sys
from generator import qr
assert qr._can_fork(), "a fresh interpreter runs one thread"
qr._PARALLEL_FROM = 4
urls = json.loads(sys.argv[1])
qr.prepare(urls, workers=2)
print(json.dumps(qr._codes))
"""


def test_prepare_in_worker_processes_gives_the_same_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    urls = [f"https://example.org/p/cases/2024-case-{n}/" for n in range(12)]
    sequential = {url: qr._encode(url)[0] for url in urls}
    # In a fresh interpreter: here other tests may have started threads (servers), and
    # prepare() then rightly refuses to fork.
    result = subprocess.run([sys.executable, "-c", _PREPARE_IN_WORKERS, json.dumps(urls)],
                            capture_output=True, text=True, check=False, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == sequential
    # Known codes are not computed again.
    monkeypatch.setattr(qr, "_codes", dict(sequential))
    monkeypatch.setattr(qr, "_encode", lambda url, mask: pytest.fail(f"encoded {url} twice"))
    qr.prepare(urls, workers=2)
    assert str(qr.svg(urls[0])) == sequential[urls[0]]


def test_prepare_does_not_fork_beside_other_threads() -> None:
    started = threading.Event()
    stop = threading.Event()

    def wait() -> None:
        started.set()
        stop.wait(10)

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    try:
        started.wait(5)
        assert not qr._can_fork()
    finally:
        stop.set()
        thread.join(5)


def test_a_remembered_mask_gives_the_code_segno_chose() -> None:
    for case_id in ("x", "2022-jidian-xiaoqu-jishui", "a" * 80):
        url = qr.case_url("https://example.org/archive/", case_id)
        best, mask = qr._encode(url, None)
        assert mask == segno.make_qr(url, error=qr.ERROR).mask
        assert qr._encode(url, mask) == (best, mask)


@pytest.fixture
def fresh_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qr, "_codes", {})
    monkeypatch.setattr(qr, "_masks", {})


@pytest.mark.usefixtures("fresh_memo")
def test_masks_are_kept_between_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    urls = [f"https://example.org/p/cases/2024-case-{n}/" for n in range(5)]
    qr.prepare(urls, workers=1)
    codes = dict(qr._codes)
    path = tmp_path / "cache" / "qr-masks.json"
    qr.save_masks(path, urls[:4])  # a case no longer published is forgotten
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored == {url: qr._masks[url] for url in urls[:4]}

    monkeypatch.setattr(qr, "_codes", {})
    monkeypatch.setattr(qr, "_masks", {})
    qr.load_masks(path)
    chosen: list[int | None] = []
    real_encode = qr._encode

    def encode(url: str, mask: int | None = None) -> tuple[str, int]:
        chosen.append(mask)
        return real_encode(url, mask)

    monkeypatch.setattr(qr, "_encode", encode)
    qr.prepare(urls, workers=1)
    assert chosen == [stored[url] for url in urls[:4]] + [None]  # only the new one is scored
    assert qr._codes == codes


@pytest.mark.usefixtures("fresh_memo")
@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '{"u": 8}', '{"u": true}',
                                  '{"u": "3"}', '{"u": -1}'])
def test_a_damaged_masks_file_is_ignored(tmp_path: Path, text: str) -> None:
    path = tmp_path / "qr-masks.json"
    path.write_text(text.replace('"u"', '"https://example.org/cases/x/"'), encoding="utf-8")
    qr.load_masks(path)
    assert qr._masks == {}
    qr.load_masks(tmp_path / "missing.json")
    assert qr._masks == {}


@pytest.mark.usefixtures("fresh_memo")
def test_a_wrong_mask_changes_the_look_never_the_address(tmp_path: Path) -> None:
    url = qr.case_url("https://example.org/archive/", "2022-jidian-xiaoqu-jishui")
    best = segno.make_qr(url, error=qr.ERROR).mask
    wrong = (best + 3) % 8
    path = tmp_path / "qr-masks.json"
    path.write_text(json.dumps({url: wrong}), encoding="utf-8")
    qr.load_masks(path)
    svg = str(qr.svg(url))
    assert svg == qr._encode(url, wrong)[0] != qr._encode(url, None)[0]
    assert _decode(segno.make_qr(url, error=qr.ERROR, mask=wrong), tmp_path) == url
