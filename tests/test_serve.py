"""`mkdocs serve --dirty` (what `make serve` runs): an edited record shows in the preview.

A real server on a copy of the sample archive: the first build, an edit to a
case file, the served page with the change, only the reached pages rendered
again, and the search index (built in the background) in place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.engine.edit import stop
from tests.browser import free_port
from tests.record_text import replace_once
from tests.test_site_helpers import ENGINE, ROOT, SAMPLE_AS_OF, SAMPLE_CONTENT, epoch

CASE = "2022-jidian-xiaoqu-jishui"
CASE_FILE = Path("cases/yingze") / f"{CASE}.yml"



def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


class Preview:
    def __init__(self, work: Path, process: subprocess.Popen[str], port: int, log: Path) -> None:
        self.work = work
        self.process = process
        self.base = f"http://127.0.0.1:{port}/archive/"
        self.log = log

    def wait_for(self, path: str, text: str, seconds: float = 120) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(encoding="utf-8")
            page = _get(self.base + path)
            if page is not None and text in page:
                return page
            time.sleep(0.2)
        pytest.fail(f"{path} never showed {text!r}:\n{self.log.read_text(encoding='utf-8')}")

    def wait_in_log(self, text: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.log.read_text(encoding="utf-8"):
                return
            time.sleep(0.2)
        pytest.fail(f"the log never said {text!r}:\n{self.log.read_text(encoding='utf-8')}")

    def wait_gone(self, path: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(encoding="utf-8")
            if _get(self.base + path) is None:
                return
            time.sleep(0.2)
        pytest.fail(f"{path} is still served:\n{self.log.read_text(encoding='utf-8')}")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = str(ROOT / "theme_overrides")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                         encoding="utf-8")
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(SAMPLE_AS_OF), "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", ENGINE, "serve", "--dirty", "-f", "mkdocs.yml", "-a",
             f"127.0.0.1:{port}"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        try:
            yield Preview(tmp_path, process, port, log)
        finally:
            stop(process, 30)


def test_an_edit_shows_in_the_preview_and_only_its_pages_are_rendered(preview: Preview) -> None:
    preview.wait_for(f"cases/{CASE}/", "有住宅楼6栋")
    preview.wait_for("pagefind/pagefind.js", "")  # the first index, made in the background

    case_file = preview.work / "content" / CASE_FILE
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(replace_once(text, "有住宅楼6栋", "有住宅楼7栋"), encoding="utf-8")

    preview.wait_for(f"cases/{CASE}/", "有住宅楼7栋")
    log = preview.log.read_text(encoding="utf-8")
    assert "只生成改动涉及的页面" in log
    assert _get(preview.base + "pagefind/pagefind.js") is not None  # search kept meanwhile
    assert "Traceback" not in log
    preview.wait_in_log("xieshang: 搜索索引 ")  # what the index process reported


def test_the_background_index_is_a_process_of_its_own_and_its_failure_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The server only waits for it in a thread: its Python work never holds up a rebuild."""
    from generator.engine.preview_index import BackgroundIndex

    indexer = BackgroundIndex(tmp_path / "no-docs", tmp_path / "work" / "pagefind",
                              tmp_path / "site", slice_pages=7, bundle_pages=5)
    command = indexer.command()
    assert command[command.index(sys.executable):] == [
        sys.executable, "-m", "generator.search", "index-docs", str(tmp_path / "no-docs"),
        str(tmp_path / "work" / "pagefind"), "--slice-pages", "7", "--bundle-pages", "5",
        "--background"]
    with caplog.at_level("WARNING"):
        indexer._running = True
        indexer._run()
    assert "预览的搜索索引未能更新" in caplog.text
    assert not indexer._running


def test_the_background_index_works_outside_the_site_and_moves_in_when_done(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``mkdocs serve`` without --dirty empties the site folder on every rebuild."""
    from generator.engine.preview_index import BackgroundIndex

    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "pagefind" / "old.js").write_text("old", encoding="utf-8")
    indexer = BackgroundIndex(tmp_path / "docs", tmp_path / "work" / "pagefind", site)
    assert site not in indexer.bundle.parents
    indexer.bundle.mkdir(parents=True)
    (indexer.bundle / "pagefind.js").write_text("new", encoding="utf-8")
    with caplog.at_level("INFO"):
        indexer._install("12 个页面")
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == ["pagefind.js"]
    assert not indexer.bundle.exists()
    assert sorted(p.name for p in site.iterdir()) == ["pagefind"]
    assert "xieshang: 搜索索引 12 个页面" in caplog.text


def test_a_removed_case_leaves_the_preview(preview: Preview) -> None:
    preview.wait_for(f"cases/{CASE}/", "有住宅楼6栋")
    copy = preview.work / "content" / CASE_FILE.with_name(f"{CASE}-fuben.yml")
    text = (preview.work / "content" / CASE_FILE).read_text(encoding="utf-8")
    copy.write_text(replace_once(text, "有住宅楼6栋", "有住宅楼8栋"), encoding="utf-8")
    preview.wait_for(f"cases/{CASE}-fuben/", "有住宅楼8栋")

    copy.unlink()
    preview.wait_gone(f"cases/{CASE}-fuben/")
    preview.wait_for(f"cases/{CASE}/", "有住宅楼6栋")  # the rest is still there
    assert "Traceback" not in preview.log.read_text(encoding="utf-8")
