"""Notices: which cases a sheet and a bundle hold, and the `notices` command end to end."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from generator.printing import notices
from generator.records import model
from tests import test_render_factory as f
from tests.browser import CHROMIUM, require_tool, unavailable
from tests.test_site_helpers import ROOT, SAMPLE_AS_OF, Build, epoch

SITE_URL = "https://example.org/archive/"


def _open_and_closed() -> model.Archive:
    """One case of every status on one platform, and a child platform without a contact."""
    item = model.ConsensusItem(1, "修复漏水管道", "物业公司", dt.date(2024, 5, 1))
    done = model.FollowUp(dt.date(2024, 4, 1), "已完成", "修好了", 1)
    cases = (
        f.case("announced", date=dt.date(2024, 7, 1), consensus=None),
        f.case("overdue", date=dt.date(2024, 3, 1)),
        f.case("progress", date=dt.date(2024, 3, 2),
               consensus=model.Consensus("先修后算。", items=(replace(item, due=None),))),
        f.case("concluded", date=dt.date(2024, 3, 3), follow_up=(done,)),
        f.case("no-consensus", date=dt.date(2024, 3, 4),
               consensus=model.Consensus("没谈拢。", reached=False)),
        f.case("withdrawn", date=dt.date(2024, 3, 5),
               withdrawn=model.Withdrawal(dt.date(2024, 4, 1), "重复")),
        f.case("child-case", platform_id="child", date=dt.date(2024, 2, 1),
               follow_up=(model.FollowUp(dt.date(2024, 3, 1), "推进中", "已开工", 1),)),
    )
    platforms = (f.platform("root", contact="0351-1234567"),
                 f.platform("child", parent_id="root", level="村社区", name="新建社区议事厅"))
    return f.archive(platforms, cases)


def test_open_cases_are_announced_in_progress_and_overdue() -> None:
    archive = _open_and_closed()
    statuses = {v.case.id: v.status for v in archive.views.values()}
    assert statuses["announced"] == model.ANNOUNCED
    assert statuses["progress"] == model.IN_PROGRESS
    assert statuses["concluded"] == model.CONCLUDED
    bundle = notices.Notices(archive, SITE_URL).bundle("root")
    assert bundle is not None
    # The platform's own and those below it, newest first; never concluded, failed or withdrawn.
    assert [v.case.id for v in bundle.views] == ["announced", "progress", "overdue", "child-case"]
    assert (bundle.total, bundle.left_out, bundle.url) == (4, 0, "platforms/root/print/")


def test_a_platform_with_nothing_open_has_no_bundle() -> None:
    archive = f.archive((f.platform("root"), f.platform("quiet", parent_id="root",
                                                         level="村社区")), (f.case("c"),))
    found = notices.Notices(archive, SITE_URL)
    assert found.bundle("quiet") is None
    assert [b.platform.id for b in found.bundles()] == ["root"]


def test_a_bundle_stops_at_its_size_and_points_below(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = f.many_cases(50)
    cases = (*cases[:45], *(replace(c, platform_id="child") for c in cases[45:]))
    archive = f.archive((f.platform("root"), f.platform("child", parent_id="root",
                                                        level="村社区")), cases)
    found = notices.Notices(archive, SITE_URL)
    bundle = found.bundle("root")
    assert bundle is not None
    assert len(bundle.views) == notices.BUNDLE_SIZE == 20
    assert (bundle.total, bundle.left_out) == (50, 30)
    newest = sorted(cases, key=lambda c: (c.date, c.id), reverse=True)[:20]
    assert [v.case.id for v in bundle.views] == [c.id for c in newest]
    below = found.child_bundles(archive.children("root"))
    assert [(b.platform.id, b.total) for b in below] == [("child", 5)]


def test_sheet_of_a_case() -> None:
    archive = _open_and_closed()
    found = notices.Notices(archive, SITE_URL)
    sheet = found.sheet(archive.view("child-case"))
    assert sheet.heading == "协商结果公示"
    assert sheet.url == "https://example.org/archive/cases/child-case/"
    assert "".join(sheet.url_parts) == sheet.url
    assert sheet.url_parts[-1] == "child-case/"
    assert sheet.qr is not None and 'aria-label="二维码：' + sheet.url + '"' in sheet.qr
    assert sheet.latest is not None and sheet.latest.note == "已开工"
    # The child platform has no contact of its own: the nearest one up the tree.
    assert sheet.platform.id == "child"
    assert sheet.contact is not None and sheet.contact.id == "root"
    assert sheet.as_of == f.AS_OF
    assert found.sheet(archive.view("announced")).heading == "协商预告"


def test_a_preview_without_site_url_has_no_qr_code() -> None:
    archive = _open_and_closed()
    sheet = notices.Notices(archive, None).sheet(archive.view("overdue"))
    assert (sheet.url, sheet.qr, sheet.url_parts) == (None, None, [])


def test_make_notices_passes_cases_and_platform() -> None:
    make = require_tool("make")
    result = subprocess.run(
        [make, "-n", "notices", "CASES=a-1 b-2", "PLATFORM=yingze"], cwd=ROOT,
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert ".venv/bin/python -m generator notices --platform yingze a-1 b-2" in result.stdout


# The command, on the built sample site.



def notices_command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # The sample archive is written to be read on SAMPLE_AS_OF (a build may run here).
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(SAMPLE_AS_OF), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "generator", "notices", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
                          env=env)


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run([require_tool("pdfinfo"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def assert_a4(path: Path) -> int:
    """The PDF is A4 portrait; returns its number of pages."""
    info = pdf_info(path)
    match = re.match(r"\s*([\d.]+) x ([\d.]+) pts", info["Page size"])
    assert match, info["Page size"]
    width, height = float(match.group(1)), float(match.group(2))
    assert abs(width - 595) < 1 and abs(height - 842) < 1, info["Page size"]
    return int(info["Pages"])


def _need_chromium() -> None:
    if not CHROMIUM.is_file():
        unavailable(f"{CHROMIUM} is not installed (bash .ci/run installs it when CI is set)")


@pytest.mark.browser
def test_notices_writes_a4_pdfs_of_cases_and_of_a_bundle(site: Build, tmp_path: Path) -> None:
    _need_chromium()
    out = tmp_path / "notices"
    result = notices_command("--site", site.site, "--out", out, "2022-jidian-xiaoqu-jishui",
                             "--platform", "yingze")
    assert result.returncode == 0, result.stderr
    case_pdf, bundle_pdf = out / "2022-jidian-xiaoqu-jishui.pdf", out / "platform-yingze.pdf"
    assert result.stdout.split() == [case_pdf.as_posix(), bundle_pdf.as_posix()]
    assert assert_a4(case_pdf) == 1
    sheets = site.html("platforms/yingze/print/").count('<article class="xs-notice"')
    assert sheets >= 2
    assert assert_a4(bundle_pdf) == sheets  # one sheet per notice


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "请指定案例编号"),
        (("no-such-case",), "没有编号为 no-such-case 的案例"),
        (("2022-jidian-xiaoqu-loushui",), "案例 2022-jidian-xiaoqu-loushui 已撤回，没有公示可打印"),
        (("--platform", "no-such-platform"), "没有编号为 no-such-platform 的平台"),
        (("--platform", "fuyang"), "平台 fuyang 及其下级平台目前没有进行中的案例"),
    ],
)
def test_notices_refuses_what_has_no_notice(site: Build, tmp_path: Path, args: tuple[str, ...],
                                            message: str) -> None:
    result = notices_command("--site", site.site, "--out", tmp_path / "out", *args)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.browser
def test_notices_builds_the_site_first_when_it_is_missing(site: Build, tmp_path: Path) -> None:
    _need_chromium()
    config = site.site.parent / "mkdocs.yml"  # the sample build's own config, absolute paths
    fresh = tmp_path / "site"
    result = notices_command("--site", fresh, "--config", config, "--out", tmp_path / "out",
                             "2024-zhugan-daolu-gaizao-shigong-raomin")
    assert result.returncode == 0, result.stderr
    assert (fresh / "cases" / "2024-zhugan-daolu-gaizao-shigong-raomin" / "index.html").is_file()
    assert assert_a4(tmp_path / "out" / "2024-zhugan-daolu-gaizao-shigong-raomin.pdf") == 1
