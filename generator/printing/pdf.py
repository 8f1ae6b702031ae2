"""``python -m generator notices`` (``make notices``): PDFs of printed notices.

PDFs of chosen cases or of a platform's bundle, printed from the built
``site/`` by headless Chromium's own ``--print-to-pdf``; no Selenium, no
other dependency. The page's own ``@page`` rule (``assets/print.css``) sets A4.
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

from generator.printing.notices import bundle_url

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
ENGINE = "properdocs"  # what builds a missing site, as `make site` does
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
    print(f"notices: 生成网站 {site}/（{ENGINE} build）……", file=sys.stderr)
    result = subprocess.run(
        [sys.executable, "-m", ENGINE, "build", "--strict", "-f", str(config), "-d",
         str(site.resolve())],
        check=False,
    )
    if result.returncode != 0:
        raise NoticeError(f"网站生成失败（{ENGINE} build 退出码 {result.returncode}），见上方输出")


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
