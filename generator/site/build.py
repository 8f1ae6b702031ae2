"""One call from a content folder to a docs tree: what the MkDocs plugin and the CLI run.

    build_docs(Path("content"), Path("build/docs"), Options(demo=True))

Raises ``problems.RecordError`` carrying every problem found, before writing
anything, when a record (or the category override file, or a hand-written
page's name) is wrong.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from generator.data import licences
from generator.data.files import write_data_files
from generator.data.memo import DataMemo
from generator.feeds.atom import feed_files
from generator.options import Options
from generator.records import archive as archive_module
from generator.records import history, loader, model, new_case, revisions, schema
from generator.records.archive import NOT_REGULAR_MESSAGE, irregular_file
from generator.records.problems import Problem, RecordError
from generator.site import changes, cms, render, slugs
from generator.site import workers as render_workers

PINS_FILE = "category-slugs.yml"
PAGES_DIR = "pages"


@dataclass(frozen=True)
class BuildResult:
    archive: model.Archive
    stats: render.WriteStats
    pages: tuple[str, ...] = field(default=())  # hand-written pages, as copied
    rendered: changes.Rendered | None = None  # pass to the next build_docs as ``previous``
    partial: bool = False  # only the pages an edit reached were rendered
    histories: revisions.Histories = revisions.NO_HISTORY


def build_docs(content_dir: Path, out_dir: Path, options: Options | None = None,
               previous: changes.Rendered | None = None,
               memo: archive_module.LoadMemo | None = None,
               data_memo: DataMemo | None = None) -> BuildResult:
    """Validate ``content_dir`` and write the docs tree into ``out_dir``.

    For rebuilds (``mkdocs serve``): ``previous`` is what the last build into
    the same ``out_dir`` rendered from (``BuildResult.rendered``); pages no
    edit since then can reach are kept as they are instead of rendered again
    (``changes``). ``memo`` keeps what each record file gave the last load,
    ``data_memo`` where each case's lines are in the open data files.
    """
    options = options or Options()
    as_of = options.as_of or archive_module.as_of_day()
    archive = archive_module.load_archive(content_dir, as_of=as_of, memo=memo)
    pinned = load_pins(content_dir)
    pages = hand_written_pages(content_dir)
    git_log = history.read_log(content_dir) if options.git_dates else history.GitLog()
    changed = git_log.last_changed()
    last_changed = {
        record.source_path: changed[key]
        for record in (*archive.cases.values(), *archive.platforms.values())
        if (key := history.record_key(record.source_path, content_dir)) in changed
    }
    history_key = history.reuse_key(git_log, archive) if options.git_dates else None
    if not options.git_dates:
        histories = revisions.NO_HISTORY
    elif previous is not None and previous.history_key == history_key:
        histories = previous.histories  # a rebuild before anything was committed
    else:
        histories = history.read_histories(content_dir, archive, git_log, options.jobs)
    files = {**_schemas(), **feed_files(archive, histories, options)}
    if options.admin_form:
        files |= _admin_files(archive, content_dir, options)
    licences.licence(options.data_license)  # refused before anything is written
    was_empty = render.open_tree(out_dir)
    data = write_data_files(out_dir, archive, histories, options, data_memo)
    extras = render.Extras(last_changed=last_changed, pinned_slugs=pinned, pages=pages,
                           files=files, histories=histories, written=data.names)
    renderer = render.Renderer(archive, options, extras)
    rendered = changes.Rendered(archive, renderer.category_slugs, last_changed,
                                (options, as_of),
                                histories=histories, history_key=history_key,
                                categories=tuple(renderer.categories),
                                page_size=options.page_size)
    renderer.only = changes.pages_to_render(previous, rendered)
    size = len(archive.cases) + len(archive.platforms)
    held = previous.documents if previous is not None and renderer.only is not None else None
    try:
        stats = render_workers.write_tree(out_dir, renderer, options.jobs, size, held, was_empty)
    except render.MissingDocument:  # someone deleted part of the tree: write all of it
        renderer.only = None
        stats = render_workers.write_tree(out_dir, renderer, options.jobs, size,
                                          was_empty=False)
    # The open data were written before the tree (and counted as kept by it).
    stats.written += data.written
    stats.unchanged += data.unchanged - len(data.names)
    return BuildResult(archive, stats, tuple(sorted(pages)),
                       dataclasses.replace(rendered, documents=stats.names),
                       partial=renderer.only is not None, histories=histories)


def hand_written_pages(content_dir: Path) -> dict[str, bytes]:
    """``content/pages/*.md`` by file name; they are Markdown by design and copied as they are."""
    folder = content_dir / PAGES_DIR
    if (reason := irregular_file(folder)) is not None:
        raise RecordError([Problem(_display(folder, content_dir), 1, 1, "", reason)])
    if not folder.is_dir():
        return {}
    pages: dict[str, bytes] = {}
    found: list[Problem] = []
    for path in sorted(folder.glob("*.md")):
        reason = irregular_file(path) or (None if path.is_file() else NOT_REGULAR_MESSAGE)
        if reason is not None:
            found.append(Problem(_display(path, content_dir), 1, 1, "", reason))
            continue
        if path.name in render.RESERVED_PAGES or path.stem in render.RESERVED_PAGES:
            found.append(Problem(_display(path, content_dir), 1, 1, "",
                                 f"页面文件名 {path.name} 已被生成的页面占用，请换一个文件名"))
            continue
        pages[path.name] = path.read_bytes()
    if found:
        raise RecordError(found)
    return pages


def load_pins(content_dir: Path) -> dict[str, str]:
    """The optional ``category-slugs.yml``: ``分类: 地址`` pairs that fix a category's slug."""
    path = content_dir / PINS_FILE
    display = _display(path, content_dir)
    if (reason := irregular_file(path)) is not None:
        raise RecordError([Problem(display, 1, 1, "", reason)])
    if not path.is_file():
        return {}
    document = loader.load_file(path, display)
    root = document.root
    if isinstance(root, loader.Scalar) and root.is_null:
        return {}
    if not isinstance(root, loader.Mapping):
        raise RecordError([Problem(display, root.mark.line, root.mark.column, "",
                                   "应为“分类: 地址”的列表，例如 停車: tingche-fanti")])
    pins: dict[str, str] = {}
    found: list[Problem] = []
    for key, value in root.items:
        if not isinstance(value, loader.Scalar) or value.is_null:
            found.append(Problem(display, value.mark.line, value.mark.column, key.value,
                                 "地址应为一段文字，例如 tingche-fanti"))
            continue
        messages = slugs.check_pins([*pins.items(), (key.value, value.value)])
        if messages:
            found.append(Problem(display, value.mark.line, value.mark.column, key.value,
                                 messages[0]))
        else:
            pins[key.value] = value.value
    if found:
        raise RecordError(found)
    return pins


def _display(path: Path, content_dir: Path) -> str:
    return (Path(content_dir.name) / path.relative_to(content_dir)).as_posix()


def _admin_files(archive: model.Archive, content_dir: Path, options: Options) -> dict[str, bytes]:
    """The editors' form at /admin/; a configuration the format refutes stops the build."""
    parents = {p.id: p.parent_id for p in archive.platforms.values()}
    folders = {key: new_case.default_folder(key, parents, content_dir) for key in parents}
    try:
        return cms.admin_files(options, folders)
    except cms.FormConfigError as error:
        raise RecordError([Problem("admin/index.html", 1, 1, "", message)
                           for message in error.messages]) from None


def _schemas() -> dict[str, bytes]:
    """The JSON Schemas of the record files, published for editors' tools."""
    return {
        f"schemas/{kind}.schema.json": (
            json.dumps(schema.json_schema(kind), ensure_ascii=False, indent=2) + "\n"
        ).encode("utf-8")
        for kind in ("platform", "case")
    }
