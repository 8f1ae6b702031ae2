"""Lighthouse's accessibility audit on a phone: 100 for the home, a case and a platform page.

npm's ``lighthouse`` (pinned in package-lock.json, installed by ``npm ci``) runs Debian's
Chromium headless against the sample site on the shared local server, with the mobile
form factor and only the accessibility category. It is slow (some seconds a page): one
run per page kind the issue names.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser import CHROMIUM, ROOT, StaticServer, require_tool, unavailable

pytestmark = pytest.mark.browser

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "",
    "case": "cases/2022-jidian-xiaoqu-jishui/",
    "platform": "platforms/yingze/",
}
TIMEOUT_S = 300


def lighthouse(url: str, report: Path) -> dict[str, Any]:
    """Lighthouse's JSON report of ``url``: accessibility only, as a phone."""
    node = require_tool("node")
    if not LIGHTHOUSE.exists():
        unavailable("lighthouse is not installed (node_modules/.bin/lighthouse missing; "
                    "`make test` runs `npm ci`)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is not installed (bash .ci/run installs it when CI is set)")
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    result = subprocess.run(
        [node, str(LIGHTHOUSE), url, "--only-categories=accessibility", "--form-factor=mobile",
         "--output=json", f"--output-path={report}", f"--chrome-flags={flags}", "--quiet"],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
    )
    assert result.returncode == 0 and report.is_file(), result.stdout + result.stderr
    return dict(json.loads(report.read_text(encoding="utf-8")))


def failing_audits(report: dict[str, Any]) -> list[str]:
    """The audits that cost points, with the elements they name."""
    lines = []
    for audit_id, audit in report["audits"].items():
        if audit.get("score") is None or audit["score"] >= 1:
            continue
        items = (audit.get("details") or {}).get("items") or []
        nodes = [(i.get("node") or {}).get("snippet", "") for i in items[:5]]
        lines.append(f"{audit_id}: {audit['title']} {nodes}")
    return lines


@pytest.mark.parametrize("name", PAGES)
def test_accessibility_score_is_100_on_a_phone(
    server: StaticServer, name: str, tmp_path: Path
) -> None:
    report = lighthouse(server / PAGES[name], tmp_path / "report.json")
    assert report["configSettings"]["formFactor"] == "mobile"
    assert not report.get("runtimeError"), report["runtimeError"]
    score = report["categories"]["accessibility"]["score"]
    assert score == 1.0, f"accessibility {score}:\n" + "\n".join(failing_audits(report))
