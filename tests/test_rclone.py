"""deploy/rclone/publish: the site uploaded with rclone (Debian's), only what changed.

Tested against a local target (rclone's ``local`` backend, described by the
environment as CI describes a real one from a secret): the first upload sends
everything; after a rebuild that rewrites every file and changes one page,
adds one and drops one, only those three are touched, and the target equals
the site again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.browser import require_tool
from tests.test_site_helpers import ROOT, Build

PUBLISH = ROOT / "deploy" / "rclone" / "publish"
REMOTE = "[target]\ntype = local\n"


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def publish(site: Path, dest: Path, conf: str = REMOTE) -> subprocess.CompletedProcess[str]:
    require_tool("rclone")
    env = {**os.environ, "RCLONE_CONF": conf}
    return subprocess.run([str(PUBLISH), str(site), f"target:{dest}"], env=env,
                          capture_output=True, text=True, check=False, timeout=300)


def touched(output: str) -> dict[str, str]:
    """What rclone did to each file: ``Copied (new)``, ``Copied (replaced existing)``,
    ``Deleted``, from its -v log."""
    return {m[1]: m[2] for m in re.finditer(r"INFO\s+:\s+(\S+): (Copied \([^)]*\)|Deleted)",
                                              output)}


@pytest.fixture
def copy(site: Build, tmp_path: Path) -> Path:
    """The sample site, to change."""
    return Path(shutil.copytree(site.site, tmp_path / "site"))


def test_the_first_upload_sends_the_whole_site(copy: Path, tmp_path: Path) -> None:
    done = publish(copy, tmp_path / "target")
    assert done.returncode == 0, done.stderr
    assert files(tmp_path / "target") == files(copy)
    assert set(touched(done.stderr)) == set(files(copy))


def test_a_rebuild_sends_only_what_changed(copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    assert publish(copy, target).returncode == 0
    later = time.time() + 60
    for path in copy.rglob("*"):  # a rebuild writes every file anew
        os.utime(path, (later, later))
    page = copy / "cases" / "2022-jidian-xiaoqu-jishui" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("机电小区", "机电新区"),
                    encoding="utf-8")
    (copy / "cases" / "2026-new").mkdir()
    (copy / "cases" / "2026-new" / "index.html").write_text("<p>新</p>", encoding="utf-8")
    shutil.rmtree(copy / "cases" / "2022-jidian-xiaoqu-loushui")
    done = publish(copy, target)
    assert done.returncode == 0, done.stderr
    assert touched(done.stderr) == {
        "cases/2022-jidian-xiaoqu-jishui/index.html": "Copied (replaced existing)",
        "cases/2026-new/index.html": "Copied (new)",
        "cases/2022-jidian-xiaoqu-loushui/index.html": "Deleted",
    }
    assert files(target) == files(copy)


def test_pages_go_up_after_the_files_they_refer_to(copy: Path, tmp_path: Path) -> None:
    done = publish(copy, tmp_path / "target")
    order = list(touched(done.stderr))
    first_page = min(i for i, name in enumerate(order) if name.endswith(".html"))
    assert all(not name.endswith(".html") for name in order[:first_page])
    assert order.index("pagefind/pagefind-entry.json") > order.index(
        next(name for name in order if name.endswith(".pf_meta")))
    assert first_page > 0


@pytest.mark.parametrize(("conf", "site_missing", "message"), [
    ("", False, "RCLONE_CONF is empty"),
    (REMOTE, True, "index.html is missing: build the site first"),
])
def test_refuses_without_a_remote_or_a_site(tmp_path: Path, copy: Path, conf: str,
                                            site_missing: bool, message: str) -> None:
    site = tmp_path / "nothing" if site_missing else copy
    done = publish(site, tmp_path / "target", conf)
    assert done.returncode == 1
    assert message in done.stderr
    assert not (tmp_path / "target").exists()
