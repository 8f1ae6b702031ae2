"""Rendering in worker processes writes the same tree as rendering in one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from generator.site import build as site
from generator.site import render
from tests.test_changes import OPTIONS, _same_trees
from tests.test_site_helpers import ROOT, SAMPLE_CONTENT

# In a fresh interpreter: the test process may run threads (servers of other tests),
# and workers are then rightly not forked.
_BUILD_IN_WORKERS = """
import dataclasses, json, sys
from pathlib import Path
from generator.site import workers as render_workers
from generator.site import build as site
from tests.test_changes import CASE_EDITS, OPTIONS, _edit

render_workers.PARALLEL_FROM = 0  # the sample is small
assert render_workers.can_fork(), "a fresh interpreter runs one thread"
content, out, edit = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
options = dataclasses.replace(OPTIONS, jobs=2)
first = site.build_docs(content, out, options)
results = [first]
if edit:
    _edit(content, *CASE_EDITS[edit])
    results.append(site.build_docs(content, out, options, previous=first.rendered))
print(json.dumps([[r.stats.written, r.stats.unchanged, r.stats.deleted, r.partial]
                  for r in results]))
"""


def _in_workers(content: Path, out: Path, edit: str = "") -> list[list[int]]:
    done = subprocess.run([sys.executable, "-c", _BUILD_IN_WORKERS, str(content), str(out), edit],
                          capture_output=True, text=True, cwd=ROOT, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_workers_write_what_one_process_writes(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    stale = tmp_path / "workers" / "cases" / "gone" / "index.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("a page of a removed case", encoding="utf-8")
    (tmp_path / "workers" / render.GENERATED_MARKER).touch()

    [[written, unchanged, deleted, partial]] = _in_workers(content, tmp_path / "workers")
    alone = site.build_docs(content, tmp_path / "alone", OPTIONS)

    _same_trees(tmp_path / "workers", tmp_path / "alone")
    assert (written, unchanged, deleted, partial) == (alone.stats.written, 0, 1, False)
    assert not stale.parent.exists()


def test_a_rebuild_of_a_tree_from_workers_renders_only_what_an_edit_reaches(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    first, again = _in_workers(content, tmp_path / "workers", "title")
    site.build_docs(content, tmp_path / "alone", OPTIONS)
    _same_trees(tmp_path / "workers", tmp_path / "alone")
    assert again[3] is True and 0 < again[0] < first[0] / 3
    assert again[0] + again[1] == first[0]


_WHO_RENDERS = """
import dataclasses, json, os, sys
from pathlib import Path
from generator.printing import qr
from generator.site import workers as render_workers
from generator.site import build as site
from tests.test_changes import OPTIONS

render_workers.PARALLEL_FROM = 0
parent = os.getpid()
shares = []  # the parent's; a worker prints its own
write_share = render_workers._write_share
def recorded(worker):
    names, stats = write_share(worker)
    seen = (worker, os.getpid(), len(qr._codes))  # the codes it drew, before any forget
    shares.append(seen) if os.getpid() == parent else print(json.dumps(seen), file=sys.stderr)
    return names, stats
render_workers._write_share = recorded
site.build_docs(Path(sys.argv[1]), Path(sys.argv[2]), dataclasses.replace(OPTIONS, jobs=3))
print(json.dumps({"parent": parent, "shares": shares, "codes_left": len(qr._codes)}))
"""


def test_the_build_process_renders_a_share_and_lets_go_of_its_codes(tmp_path: Path) -> None:
    """With ``jobs`` 3, two forked workers and the build's own process render: a worker
    costs the archive's memory again, and the parent would only wait for them."""
    done = subprocess.run([sys.executable, "-c", _WHO_RENDERS, str(SAMPLE_CONTENT),
                           str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    workers = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("[")]
    [(share, pid, codes)] = report["shares"]
    assert (share, pid) == (0, report["parent"])
    assert codes > 0  # it drew the QR codes of its notices...
    assert report["codes_left"] == 0  # ...and let them go once its share was written
    assert sorted(worker for worker, _, _ in workers) == [1, 2]
    assert report["parent"] not in {pid for _, pid, _ in workers}
