"""``make edit``: the editors' form on a checkout, saving into the working tree.

Two processes, started together and stopped together, behind a small front
server on the port (``edit_front``, which answers /admin/ itself): Decap's local backend
(``decap-server`` from ``node_modules``, in its file-system mode, which
reads and writes the files of the folder it is started in) and the engine's
preview (``serve --dirty``), which rebuilds the pages a saved record reaches.
The form at ``http://127.0.0.1:8000/admin/`` finds the backend on its own
(``local_backend`` in the generated configuration only applies on
127.0.0.1 and localhost); no sign-in. Before starting, the command explains
in Chinese what is missing: Node.js, the npm packages, a free port.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any, Final

import yaml

from generator.engine import edit_front
from generator.options import Options

ROOT: Final = Path(__file__).resolve().parents[2]
DECAP_SERVER: Final = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"
NODE_MAJOR: Final = 20
DEFAULT_PORT: Final = 8000
DEFAULT_API_PORT: Final = 8081  # where Decap looks for its local backend unless told otherwise
HOST: Final = "127.0.0.1"


class EditError(Exception):
    """Why ``make edit`` cannot start, in Chinese."""


def preflight(port: int, api_port: int, *, packages: bool = True) -> str:
    """The path of ``node``, once Node.js, the npm packages and both ports are fine."""
    node = node_path()
    if packages and not DECAP_SERVER.is_file():
        raise EditError(f"缺少 {DECAP_SERVER.relative_to(ROOT)}：请在项目根目录运行 npm ci"
                        "（make edit 会自动运行）")
    for number, what in ((port, "预览网站"), (api_port, "表单的本地后端 decap-server")):
        if not port_is_free(number):
            raise EditError(
                f"端口 {number}（{what}）已被占用：可能已经有一个 make edit 或 make serve 在运行，"
                f"请先在它的窗口按 Ctrl+C 停止；或者换一个端口，例如 "
                f"make edit PORT={DEFAULT_PORT + 10} API_PORT={DEFAULT_API_PORT + 10}")
    return node


def node_path() -> str:
    node = shutil.which("node")
    if node is None:
        raise EditError(
            f"没有找到 Node.js（node 命令）：make edit 的编辑表单需要 Node.js {NODE_MAJOR} "
            "或更新的版本。Debian/Ubuntu 上运行 sudo apt install nodejs npm；"
            "其他系统从 https://nodejs.org/ 下载安装。"
            "装好后重新运行 make edit")
    version = subprocess.run([node, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    match = re.match(r"v(\d+)\.", version)
    if match is None or int(match.group(1)) < NODE_MAJOR:
        raise EditError(f"Node.js 版本太旧（{version or '未知'}）："
                        f"make edit 需要 {NODE_MAJOR} 或更新的版本")
    return node


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the servers bind: a port a stopped server left in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def read_config(config_file: str) -> dict[str, Any]:
    try:
        config = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):  # the engine will say what is wrong with it
        return {}
    return config if isinstance(config, dict) else {}


def site_path(config: dict[str, Any]) -> str:
    """The path of ``site_url`` (``/archive/``), where the engine's preview serves the site."""
    path = urllib.parse.urlsplit(str(config.get("site_url") or "")).path.strip("/")
    return f"/{path}/" if path else "/"


def docs_dir(config: dict[str, Any], folder: Path) -> Path:
    """The docs tree the plugin writes (its ``build_dir``), where /admin/ is."""
    for plugin in config.get("plugins") or ():
        if isinstance(plugin, dict) and isinstance(plugin.get("xieshang"), dict):
            return folder / plugin["xieshang"].get("build_dir", Options().build_dir)
    return folder / Options().build_dir


def inner_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def form_address(port: int, api_port: int, path: str = "/") -> str:
    query = "" if api_port == DEFAULT_API_PORT else f"?api={api_port}"
    return f"http://{HOST}:{port}{path}admin/{query}"


def run(engine: str, config_file: str, port: int, api_port: int) -> int:
    """Start both processes, wait until one stops (or Ctrl+C), stop the other."""
    node = preflight(port, api_port)
    for number in (signal.SIGINT, signal.SIGTERM):  # also when started in the background
        signal.signal(number, _interrupt)
    folder = Path(config_file).resolve().parent
    env = {**os.environ, "PORT": str(api_port), "BIND_HOST": HOST, "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(folder), "LOG_LEVEL": "warn"}
    config = read_config(config_file)
    path = site_path(config)
    inner = inner_port()
    backend = subprocess.Popen([node, str(DECAP_SERVER)], env=env, start_new_session=True)
    preview = subprocess.Popen(
        [sys.executable, "-m", engine, "serve", "--dirty", "-f", config_file,
         "-a", f"{HOST}:{inner}"], start_new_session=True)
    print(f"编辑表单：{form_address(port, api_port, path)}"
          f"（保存的记录直接写进 {folder / 'content'}）\n"
          f"预览网站：http://{HOST}:{port}{path}\n按 Ctrl+C 停止。", flush=True)
    try:
        with edit_front.serving(HOST, port, docs_dir(config, folder), path,
                                f"http://{HOST}:{inner}"):
            while backend.poll() is None and preview.poll() is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in (preview, backend):
            stop(process)
    failed = [name for name, process in (("decap-server", backend), ("预览", preview))
              if process.returncode not in (0, -signal.SIGINT, -signal.SIGTERM)]
    if failed:
        print(f"make edit 已停止：{'、'.join(failed)} 意外退出，见上面的输出", file=sys.stderr)
        return 1
    return 0


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop(process: subprocess.Popen[Any], seconds: float = 20) -> None:
    """Stop a process started with ``start_new_session`` and everything it started:
    Ctrl+C to its group, then, after ``seconds``, SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", default="properdocs", help="properdocs (default) or mkdocs")
    parser.add_argument("-f", "--config-file", default="mkdocs.yml")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="the preview's port")
    parser.add_argument("--api-port", type=int, default=DEFAULT_API_PORT,
                        help="decap-server's port")
    parser.add_argument("--preflight", action="store_true",
                        help="only check Node.js and the ports (what make edit does first)")


def main(args: argparse.Namespace) -> int:
    try:
        if args.preflight:
            preflight(args.port, args.api_port, packages=False)
            return 0
        return run(args.engine, args.config_file, args.port, args.api_port)
    except EditError as error:
        print(f"make edit 没有启动：{error}", file=sys.stderr)
        return 1
