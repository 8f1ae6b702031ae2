"""Command line: ``python -m generator <command>``.

Each command is a function that adds its sub-parser and sets ``run`` to a
function taking the parsed arguments and returning the exit code. To add a
command (``build``, ``new``, ``notices``), write such a function and list it in
``COMMANDS``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from generator.records.problems import Problem, summary_line

DEFAULT_CONTENT = Path("content")

AddCommand = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check", help="检查记录文件，列出所有错误",
        description="检查记录文件：每个错误一行（文件:行:列: 字段: 说明），最后一行为汇总。"
                    "有错误时退出码为 1。",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="要检查的文件或文件夹（默认：整个 content/）")
    parser.add_argument("--format", choices=("text", "github"), default="text",
                        help="输出格式：text（默认）或 github（GitHub Actions 注释）")
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT,
                        help="内容文件夹（默认：content），平台总是从这里读取")
    parser.set_defaults(run=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    from generator.records.archive import as_of_day, check_paths

    try:
        as_of = as_of_day()
        files, problems = check_paths(args.paths or [args.content], args.content, as_of)
    except Exception as error:
        problems = [Problem(str(args.content), 1, 1, "", f"内部错误：{type(error).__name__}: "
                                                         f"{error}。请报告给维护者")]
        files = 0
    _print_problems(problems, args.format)
    print(summary_line(files, len(problems)))
    return 1 if problems else 0


def _print_problems(problems: Sequence[Problem], output_format: str) -> None:
    for problem in problems:
        print(problem.as_github() if output_format == "github" else problem.as_text())


def _add_schema(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "schema", help="生成记录格式的 JSON Schema（供编辑器补全和检查）",
        description="把 platform.schema.json 和 case.schema.json 写入指定文件夹。",
    )
    parser.add_argument("--out", type=Path, default=Path("schema"),
                        help="输出文件夹（默认：schema）")
    parser.set_defaults(run=_run_schema)


def _run_schema(args: argparse.Namespace) -> int:
    from generator.records.schema import write_json_schemas

    for path in write_json_schemas(args.out):
        print(path.as_posix())
    return 0


def _add_build(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "build", help="生成网站的 Markdown 文档树（不运行 MkDocs）",
        description="把 content/ 中的记录生成为 Markdown 文档树（mkdocs build 会自动做这一步）。"
                    "只改写内容有变化的文件，并删除不再生成的文件。有错误时退出码为 1。",
    )
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT,
                        help="内容文件夹（默认：content）")
    parser.add_argument("--out", type=Path, default=Path("build/docs"),
                        help="输出文件夹（默认：build/docs）")
    parser.add_argument("--demo", action="store_true", help="在首页标明“演示数据”")
    parser.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from generator.options import Options
    from generator.records.problems import RecordError
    from generator.site.build import build_docs

    try:
        result = build_docs(args.content, args.out, Options(demo=args.demo))
    except RecordError as error:
        _print_problems(error.problems, "text")
        print(f"记录中有 {len(error.problems)} 个错误，未生成文档树")
        return 1
    stats = result.stats
    print(f"{args.out.as_posix()}：写入 {stats.written} 个文件，未变 {stats.unchanged} 个，"
          f"删除 {stats.deleted} 个")
    return 0


def _add_notices(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "notices", help="把案例公示打印成 A4 PDF（无头 Chromium）",
        description="把指定案例的公示，或一个平台的公示汇编（进行中的案例，一案一页），"
                    "用无头 Chromium 打印成 A4 PDF。从生成的网站打印；网站不存在时先运行 "
                    "mkdocs build。",
    )
    parser.add_argument("cases", nargs="*", metavar="CASE_ID", help="案例编号，可写多个")
    parser.add_argument("--platform", metavar="PLATFORM_ID",
                        help="打印该平台（含下级平台）进行中案例的公示汇编")
    parser.add_argument("--out", type=Path, default=Path("build/notices"),
                        help="PDF 输出文件夹（默认：build/notices）")
    parser.add_argument("--site", type=Path, default=Path("site"),
                        help="生成的网站文件夹（默认：site）")
    parser.add_argument("--build", action="store_true", help="先重新生成网站（mkdocs build）")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"),
                        help="生成网站时用的配置文件（默认：mkdocs.yml）")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"),
                        help="Chromium 可执行文件（默认：/usr/bin/chromium）")
    parser.set_defaults(run=_run_notices)


def _run_notices(args: argparse.Namespace) -> int:
    from generator.printing.pdf import run

    return run(args)


def _add_new(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "new", help="新建一个案例文件（字段齐全，附中文填写说明）",
        description="在 content/cases/<子文件夹>/ 下新建案例文件：必填字段齐全，"
                    "每个字段附中文说明和可选值；要填写的地方写着“（待填写）”，"
                    "填完之前检查不会通过。不覆盖已有文件。",
    )
    parser.add_argument("--platform", required=True, metavar="平台编号",
                        help="平台编号，即 content/platforms/ 下的文件名（不含 .yml）")
    parser.add_argument("--title", required=True, metavar="议题", help="协商的议题，最多 60 个字符")
    parser.add_argument("--date", metavar="YYYY-MM-DD",
                        help="协商日期，晚于今天即为协商预告（默认：在文件中留待填写）")
    parser.add_argument("--id", dest="case_id", metavar="编号",
                        help="案例编号，也是网址"
                             "（默认：年份加议题的拼音，例如 2026-shequ-shitang）")
    parser.add_argument("--folder", metavar="子文件夹",
                        help="content/cases/ 下的子文件夹（默认：平台或其上级平台已有的文件夹）")
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT,
                        help="内容文件夹（默认：content）")
    parser.set_defaults(run=_run_new)


def _run_new(args: argparse.Namespace) -> int:
    from generator.records.new_case import run

    return run(args)


def _add_edit(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from generator.engine import edit

    parser = commands.add_parser(
        "edit", help="编辑表单的本地模式（make edit）：预览网站和 /admin/ 表单，保存到 content/",
        description="同时启动 decap-server（表单的本地后端）和预览网站；"
                    "表单在 http://127.0.0.1:8000/admin/，"
                    "保存的记录直接写进工作目录的 content/，不用登录。",
    )
    edit.add_arguments(parser)
    parser.set_defaults(run=edit.main)


COMMANDS: list[AddCommand] = [_add_check, _add_schema, _add_build, _add_notices, _add_new,
                              _add_edit]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator", description="协商档案生成器：检查记录、生成站点",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_output()
    args = build_parser().parse_args(argv)
    warnings = _WarningHandler(getattr(args, "format", "text"))
    logger = logging.getLogger("generator")
    logger.addHandler(warnings)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    finally:
        logger.removeHandler(warnings)  # main() may run more than once in a process (tests)


class _WarningHandler(logging.Handler):
    """The generator's warnings (e.g. no git history to check addresses) on stderr;
    with ``--format github`` as workflow commands on stdout, where the runner reads them."""

    def __init__(self, output_format: str) -> None:
        super().__init__(logging.WARNING)
        self.output_format = output_format

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if self.output_format == "github":
            print("::warning::" + text.replace("%", "%25").replace("\n", "%0A"))
        else:
            print(text, file=sys.stderr)


def _utf8_output() -> None:
    """Chinese messages must print even where the locale says ASCII (CI runners, cron)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            reconfigure(encoding="utf-8")
