"""Command line: ``python -m generator <command>``.

Each command is a function that adds its sub-parser and sets ``run`` to a
function taking the parsed arguments and returning the exit code. To add a
command (``build``, ``new``, ``notices``), write such a function and list it in
``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from generator.problems import Problem, summary_line

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
    from generator.archive import as_of_day, check_paths

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
    from generator.schema import write_json_schemas

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
    from generator.problems import RecordError
    from generator.site import SiteOptions, build_docs

    try:
        result = build_docs(args.content, args.out, SiteOptions(demo=args.demo))
    except RecordError as error:
        _print_problems(error.problems, "text")
        print(f"记录中有 {len(error.problems)} 个错误，未生成文档树")
        return 1
    stats = result.stats
    print(f"{args.out.as_posix()}：写入 {stats.written} 个文件，未变 {stats.unchanged} 个，"
          f"删除 {stats.deleted} 个")
    return 0


COMMANDS: list[AddCommand] = [_add_check, _add_schema, _add_build]


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
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


def _utf8_output() -> None:
    """Chinese messages must print even where the locale says ASCII (CI runners, cron)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            reconfigure(encoding="utf-8")
