"""Printed notices (公示): what a sheet shows, what a platform's bundle holds, and PDFs.

Two halves:

* ``Notices`` (used by ``render``): one ``Sheet`` per published case, the
  notice that the case page prints (``templates/_notice.html``), and one
  ``Bundle`` per platform with open cases: the printable page
  ``/platforms/<id>/print/`` with one sheet per A4 page.
* ``python -m generator notices`` (``make notices``): PDFs of chosen cases or
  of a platform's bundle, printed from the built ``site/`` by headless
  Chromium's own ``--print-to-pdf``; no Selenium, no other dependency.

Decisions (see also ``assets/print.css``):

* Open cases: 预告, 推进中 and 逾期, the cases whose notice still tells
  residents something to watch or act on. 已办结 and 未达成共识 cases can still
  be printed one by one from their pages; withdrawn cases have no notice.
* A bundle holds the ``BUNDLE_SIZE`` newest open cases of the platform and
  every platform below it, so that no page grows with the archive (a county
  with 10,000 open cases still gets one page of 20 sheets; the page says how
  many it left out and links to the child platforms' bundles). A platform
  with no open case has no bundle page and no link to one.
* The printed date (打印日期) is the day of printing, written by
  ``assets/print.js`` when the page loads and again just before printing;
  the build itself stays deterministic. The statuses on the sheet are as of
  the build's as-of day, printed as 信息截至. Without JavaScript the date
  is a blank to fill in by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import http.server
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator import indexes, model, qr

HEADING = "协商结果公示"
ANNOUNCED_HEADING = "协商预告"
OPEN_STATUSES = (model.ANNOUNCED, model.IN_PROGRESS, model.OVERDUE)
BUNDLE_SIZE = 20


@dataclass(frozen=True)
class Sheet:
    """Everything one printed notice shows about a case."""

    view: model.CaseView
    platform: model.Platform
    url: str | None  # the permanent address; None only in a preview without site_url
    qr: Markup | None
    latest: model.FollowUp | None  # the newest follow-up entry
    contact: model.Platform | None  # the nearest platform up the tree with a public contact
    as_of: dt.date

    @property
    def case(self) -> model.Case:
        return self.view.case

    @property
    def heading(self) -> str:
        return ANNOUNCED_HEADING if self.view.status == model.ANNOUNCED else HEADING

    @property
    def url_parts(self) -> list[str]:
        """The address cut after each ``/``, so that it breaks only there when printed."""
        if self.url is None:
            return []
        parts = self.url.split("/")
        return [part + "/" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


@dataclass(frozen=True)
class Bundle:
    platform: model.Platform
    views: tuple[model.CaseView, ...]  # newest first, at most BUNDLE_SIZE
    total: int  # open cases of the platform and every platform below it

    @property
    def url(self) -> str:
        return bundle_url(self.platform.id)

    @property
    def left_out(self) -> int:
        return self.total - len(self.views)


def bundle_url(platform_id: str) -> str:
    return f"platforms/{platform_id}/print/"


def qr_urls(archive: model.Archive, site_url: str | None) -> list[str]:
    """The addresses the notices' QR codes carry: every published case's, below ``site_url``."""
    if not site_url:
        return []
    base = qr.site_base(site_url)
    return [qr.case_url(base, view.case.id) for view in archive.published()]


def is_open(view: model.CaseView) -> bool:
    return not view.withdrawn and view.status in OPEN_STATUSES


class Notices:
    """Sheets and bundles of an archive. ``site_url`` None: a preview, sheets without QR."""

    def __init__(self, archive: model.Archive, site_url: str | None) -> None:
        self.archive = archive
        self.base = qr.site_base(site_url) if site_url else None
        qr.prepare(qr_urls(archive, site_url))
        below: dict[str, list[model.CaseView]] = {}
        for view in archive.published():
            if not is_open(view):
                continue
            platform_id: str | None = view.case.platform_id
            while platform_id is not None:
                below.setdefault(platform_id, []).append(view)
                platform_id = archive.platforms[platform_id].parent_id
        self._open_below = {pid: indexes.newest_first(views) for pid, views in below.items()}

    def sheet(self, view: model.CaseView) -> Sheet:
        case = view.case
        url = qr.case_url(self.base, case.id) if self.base is not None else None
        return Sheet(
            view=view,
            platform=self.archive.platforms[case.platform_id],
            url=url,
            qr=qr.svg(url) if url is not None else None,
            latest=case.follow_up[-1] if case.follow_up else None,
            contact=self._contact(case.platform_id),
            as_of=self.archive.as_of,
        )

    def _contact(self, platform_id: str) -> model.Platform | None:
        chain = (self.archive.platforms[platform_id], *self.archive.ancestors(platform_id))
        return next((p for p in chain if p.contact), None)

    def bundle(self, platform_id: str) -> Bundle | None:
        views = self._open_below.get(platform_id)
        if not views:
            return None
        return Bundle(self.archive.platforms[platform_id], tuple(views[:BUNDLE_SIZE]), len(views))

    def bundles(self) -> Iterator[Bundle]:
        for platform_id in sorted(self._open_below):
            bundle = self.bundle(platform_id)
            if bundle is not None:
                yield bundle

    def child_bundles(self, platform_id: str) -> list[Bundle]:
        """The bundles of the platforms directly below, for a bundle that left cases out."""
        found = (self.bundle(child.id) for child in indexes.sorted_children(self.archive,
                                                                           platform_id))
        return [bundle for bundle in found if bundle is not None]


# --------------------------------------------------------------------------
# PDFs: python -m generator notices


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI and containers run as root, where the sandbox cannot start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-pdf-header-footer",
)
PRINT_TIMEOUT_S = 120
NOTICE_MARK = 'class="xs-notice'
WITHDRAWN_MARK = "xs-page--withdrawn"
PRINT_STYLES = "assets/print.css"


class NoticeError(Exception):
    """A request the command cannot print; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Job:
    page: str  # below site/, e.g. cases/x/ or platforms/y/print/
    pdf: Path


def run(args: argparse.Namespace) -> int:
    try:
        if not args.cases and not args.platform:
            raise NoticeError("请指定案例编号，或用 --platform 指定平台，例如："
                              "make notices CASES=\"2022-jidian-xiaoqu-jishui\"")
        if args.build or not (args.site / PRINT_STYLES).is_file():
            # Missing, or built before notices existed: (re)build it.
            build_site(args.config, args.site)
        else:
            built = dt.datetime.fromtimestamp((args.site / "index.html").stat().st_mtime)
            print(f"notices: 从 {args.site}/ 打印（生成于 {built:%Y-%m-%d %H:%M}）；"
                  "记录改动后请加 --build 重新生成", file=sys.stderr)
        jobs = plan(args.site, args.out, args.cases, args.platform)
        written = print_pdfs(args.site, jobs, args.chromium)
    except NoticeError as error:
        print(f"notices: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path.as_posix())
    return 0


def build_site(config: Path, site: Path) -> None:
    print(f"notices: 生成网站 {site}/（mkdocs build）……", file=sys.stderr)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d",
         str(site.resolve())],
        check=False,
    )
    if result.returncode != 0:
        raise NoticeError(f"网站生成失败（mkdocs build 退出码 {result.returncode}），见上方输出")


def plan(site: Path, out: Path, cases: Sequence[str], platform: str | None) -> list[Job]:
    """What to print and where, refusing unknown ids and cases with no notice."""
    jobs: list[Job] = []
    for case_id in dict.fromkeys(cases):
        page = site / "cases" / case_id / "index.html"
        if "/" in case_id or not page.is_file():
            raise NoticeError(f"没有编号为 {case_id} 的案例（{page} 不存在）")
        html = page.read_text(encoding="utf-8")
        if WITHDRAWN_MARK in html:
            raise NoticeError(f"案例 {case_id} 已撤回，没有公示可打印")
        if NOTICE_MARK not in html:
            raise NoticeError(f"{page} 中没有公示：网站可能是旧版本生成的，请加 --build 重新生成")
        jobs.append(Job(f"cases/{case_id}/", out / f"{case_id}.pdf"))
    if platform:
        page = site / bundle_url(platform) / "index.html"
        if "/" in platform or not (site / "platforms" / platform / "index.html").is_file():
            raise NoticeError(f"没有编号为 {platform} 的平台")
        if not page.is_file():
            raise NoticeError(f"平台 {platform} 及其下级平台目前没有进行中的案例，没有公示汇编")
        jobs.append(Job(bundle_url(platform), out / f"platform-{platform}.pdf"))
    return jobs


def print_pdfs(site: Path, jobs: Sequence[Job], chromium: Path) -> list[Path]:
    if not chromium.is_file():
        raise NoticeError(f"找不到 Chromium（{chromium}）：Debian/Ubuntu 上请安装 chromium 软件包，"
                          "或用 --chromium 指定路径")
    written = []
    with serve(site) as origin, tempfile.TemporaryDirectory(prefix="xieshang-chromium-") as home:
        for job in jobs:
            job.pdf.parent.mkdir(parents=True, exist_ok=True)
            print_pdf(chromium, f"{origin}/{job.page}", job.pdf, Path(home))
            written.append(job.pdf)
    return written


def print_pdf(chromium: Path, url: str, pdf: Path, home: Path) -> None:
    """One page to one PDF; the page's own ``@page`` rule sets A4 and the margins."""
    pdf.unlink(missing_ok=True)
    command = [
        str(chromium), *CHROMIUM_FLAGS,
        f"--user-data-dir={home / 'profile'}",  # a fresh profile, never the user's
        f"--print-to-pdf={pdf.resolve()}",
        url,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=PRINT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise NoticeError(f"Chromium 打印 {url} 超时（{PRINT_TIMEOUT_S} 秒）") from None
    if result.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        detail = (result.stderr or "").strip()[-2000:]
        raise NoticeError(f"Chromium 未能打印 {url}（退出码 {result.returncode}）\n{detail}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """The built site on 127.0.0.1 at a free port, for the life of the block.

    Over HTTP rather than file://, the pages load exactly as on the public
    site (``cases/x/`` serves ``cases/x/index.html``; scripts and styles load).
    """
    handler = functools.partial(_QuietHandler, directory=str(directory.resolve()))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="notices-http", daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
