"""``python -m generator new``: start a case file that cannot be published half-filled.

The file is written from the schema (``schema.CASE``), field by field, each
with a Chinese comment made of its title and description (an enumeration's
description lists its allowed values). Required fields are written as YAML;
optional ones too, but commented out with ``# `` so that they do nothing until
the editor removes the ``# ``. Wherever the editor must write something the
value is ``（待填写）`` (``schema.PLACEHOLDER``), which the validator reports as
尚未填写 with its position: until every one is replaced, ``check`` fails and
the build refuses the record.

Given values (议题, 平台, 日期) are written as they are. A date after the as-of
day makes an announced case (协商预告): no consensus, follow-up or evaluation.
The id is suggested from the title with pypinyin (``ids.suggest_id``), with
the year of the date in front; ``--id`` overrides it. Nothing is overwritten
and no id is used twice: not a case file's name anywhere under
``content/cases/``, nor any case's ``former_ids`` (an old address that
redirects).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

import yaml

from generator.records import loader, model
from generator.records.ids import ID_RULE, is_valid_id, suggest_id
from generator.records.problems import RecordError
from generator.records.schema import CASE, PLACEHOLDER, TITLE_MAX_LENGTH, Field
from generator.records.validate import validate_platform

SUFFIX: Final = ".yml"
# Fields a new record never has: it has no history yet.
_NEVER: Final = frozenset({"withdrawn", "former_ids"})
# Optional in the schema, but expected once the consultation has taken place.
_EXPECTED: Final = frozenset({"consensus", "consensus.items"})
_ANNOUNCED_ABSENT: Final = frozenset({"consensus", "follow_up", "evaluation"})
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_LISTED: Final = 12  # platforms named in an "unknown platform" message


class NewCaseError(Exception):
    """Why the file was not written, in Chinese, for the editor."""


@dataclass(frozen=True)
class Request:
    content_dir: Path
    platform: str
    title: str
    date: str | None = None  # YYYY-MM-DD as typed
    case_id: str | None = None
    folder: str | None = None  # below content/cases/


@dataclass(frozen=True)
class Created:
    path: Path
    display: str  # e.g. content/cases/yingze/2026-shequ-shitang.yml
    case_id: str
    announced: bool
    placeholders: int  # how many （待填写） are active (not in a commented-out block)


@dataclass(frozen=True)
class PlatformInfo:
    id: str
    name: str | None
    full_name: str | None
    parent: str | None
    method: model.Method | None


def create(request: Request, as_of: dt.date) -> Created:
    """Write the new case file; raise NewCaseError (with a Chinese message) instead."""
    content = request.content_dir
    title = _checked_title(request.title)
    day = _checked_date(request.date)
    platforms = load_platforms(content)
    platform = _resolve_platform(request.platform.strip(), platforms)
    case_id = _checked_id(request.case_id, title, day or as_of)
    _refuse_taken(case_id, content)
    parents = {p.id: p.parent for p in platforms.values()}
    folder = _checked_folder(request.folder) if request.folder else default_folder(
        platform.id, parents, content)
    path = content / "cases" / folder / f"{case_id}{SUFFIX}"
    announced = day is not None and day > as_of
    text = case_template(title, platform, day, announced, method_of(platform.id, platforms))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as out:  # never overwrites
            out.write(text)
    except FileExistsError:
        raise NewCaseError(f"{_display(path, content)} 已经存在，不会覆盖") from None
    active = sum(1 for line in text.splitlines()
                 if PLACEHOLDER in line and not line.lstrip().startswith("#"))
    return Created(path, _display(path, content), case_id, announced, active)


def run(args: argparse.Namespace) -> int:
    """The ``new`` command: write the file, print its path and what to do next."""
    from generator.records.archive import as_of_day

    request = Request(args.content, args.platform, args.title, args.date, args.case_id,
                      args.folder)
    try:
        created = create(request, as_of_day())
    except NewCaseError as error:
        print(f"未新建案例：{error}", file=sys.stderr)
        return 1
    print("\n".join(next_steps(created)))
    return 0


def next_steps(created: Created) -> list[str]:
    lines = [
        f"已新建案例文件：{created.display}",
        f"案例编号：{created.case_id}（网址 /cases/{created.case_id}/，发布后不能更改）",
    ]
    if created.announced:
        lines.append("这是协商预告：协商举行后，再补充协商结果（consensus）、跟踪落实和评价。")
    lines += [
        "下一步：",
        f"  1. 打开这个文件，把 {created.placeholders} 处“{PLACEHOLDER}”换成实际内容；"
        "选填项需要时删去行首的“# ”再填写。",
        f"  2. 检查：python -m generator check {created.display}"
        "（或 make check），按提示修改，直到“发现 0 个错误”。",
        f"  3. 预览：make serve，然后打开 http://127.0.0.1:8000/cases/{created.case_id}/",
        "  4. 提交并发起拉取请求（PR）；步骤见网站上的“如何提交案例”。",
    ]
    return lines


# ---------------------------------------------------------------------------
# Checking what was asked for.


def _checked_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise NewCaseError("议题（--title）不能为空")
    if "\n" in title or "\r" in title:
        raise NewCaseError("议题（--title）只能有一行")
    if len(title) > TITLE_MAX_LENGTH:
        raise NewCaseError(f"议题（--title）最多 {TITLE_MAX_LENGTH} 个字符，实际为 {len(title)} 个")
    if PLACEHOLDER in title:
        raise NewCaseError(f"议题（--title）不能含有“{PLACEHOLDER}”")
    return title


def _checked_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    text = text.strip()
    if not _DATE.fullmatch(text):
        raise NewCaseError(f"日期（--date）应为 YYYY-MM-DD 格式，例如 2026-03-18；实际为 “{text}”")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise NewCaseError(f"日期（--date）“{text}”不存在") from None


def _checked_id(requested: str | None, title: str, day: dt.date) -> str:
    if requested is not None:
        requested = requested.strip().removesuffix(SUFFIX)
        if not is_valid_id(requested):
            hint = suggest_id(requested)
            guess = f"；是否应为“{hint}”？" if hint and hint != requested else ""
            raise NewCaseError(f"编号（--id）“{requested}”无效：{ID_RULE}{guess}")
        return requested
    suggested = suggest_id(title, day.year)
    if not suggested or suggested == str(day.year):
        raise NewCaseError(f"无法从议题“{title}”生成编号：请用 --id 指定，例如 "
                           f"--id {day.year}-shequ-shitang")
    return suggested


def _checked_folder(folder: str) -> str:
    parts = PurePosixPath(folder.strip().replace("\\", "/").strip("/")).parts
    if not parts or any(p in ("..", ".") or p.startswith(".") for p in parts) or (
            folder.strip().startswith("/")):
        raise NewCaseError(f"子文件夹（--folder）“{folder}”无效：应为 content/cases/ 下的相对路径，"
                           "例如 yingze，不能含有 .. 或以 . 开头的名称")
    return "/".join(parts)


def _refuse_taken(case_id: str, content: Path) -> None:
    """An id names one case only: no file of that name, no former_ids entry of that id."""
    taken = taken_ids(content)
    if case_id not in taken:
        return
    free = next(f"{case_id}-{n}" for n in range(2, 1000) if f"{case_id}-{n}" not in taken)
    where, how = taken[case_id]
    if how == "file":
        message = (f"编号“{case_id}”已被 {where} 使用："
                   "案例编号在 content/cases/ 的所有子文件夹中必须唯一")
    else:
        message = (f"编号“{case_id}”是 {where} 的曾用编号（former_ids），旧网址 /cases/{case_id}/ "
                   "已跳转到那个案例")
    raise NewCaseError(f"{message}。请用 --id 另选一个编号，例如 --id {free}")


def taken_ids(content: Path) -> dict[str, tuple[str, str]]:
    """Every id in use: case file names, then former_ids entries -> (display path, how)."""
    taken: dict[str, tuple[str, str]] = {}
    files = list(_case_files(content))
    for path in files:
        taken.setdefault(path.stem, (_display(path, content), "file"))
    for path in files:
        for old in _former_ids(path):
            taken.setdefault(old, (_display(path, content), "former_ids"))
    return taken


def _case_files(content: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(content / "cases"):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(SUFFIX) and not name.startswith("."):
                yield Path(dirpath) / name


def _former_ids(path: Path) -> list[str]:
    """The former_ids of a case file; only files that mention the key are parsed."""
    try:
        if b"former_ids" not in path.read_bytes():
            return []
        root = loader.load_file(path, str(path)).root
    except (OSError, RecordError):
        return []
    if not isinstance(root, loader.Mapping):
        return []
    for key, value in root.items:
        if key.value == "former_ids" and isinstance(value, loader.Sequence):
            return [item.value for item in value.items if isinstance(item, loader.Scalar)]
    return []


# ---------------------------------------------------------------------------
# Platforms.


def load_platforms(content: Path) -> dict[str, PlatformInfo]:
    """Every platform file by id, read leniently: a broken file still gives its id."""
    platforms = {}
    folder = content / "platforms"
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else ():
        platforms[path.stem] = _platform_info(path, content)
    return platforms


def _platform_info(path: Path, content: Path) -> PlatformInfo:
    try:
        document = loader.load_file(path, _display(path, content))
    except (OSError, RecordError):
        return PlatformInfo(path.stem, None, None, None, None)
    refs = validate_platform(document, path.stem).refs
    texts = _top_scalars(document.root)
    return PlatformInfo(path.stem, texts.get("name"), texts.get("full_name"), refs.parent,
                        refs.method)


def _top_scalars(root: loader.Node) -> dict[str, str]:
    if not isinstance(root, loader.Mapping):
        return {}
    return {key.value: value.value.strip() for key, value in root.items
            if isinstance(value, loader.Scalar)}


def method_of(platform_id: str, platforms: Mapping[str, PlatformInfo]) -> model.Method | None:
    """The platform's method, or the nearest ancestor's."""
    seen: set[str] = set()
    current: str | None = platform_id
    while current is not None and current in platforms and current not in seen:
        seen.add(current)
        if platforms[current].method is not None:
            return platforms[current].method
        current = platforms[current].parent
    return None


def _resolve_platform(given: str, platforms: Mapping[str, PlatformInfo]) -> PlatformInfo:
    if given in platforms:
        return platforms[given]
    named = [p.id for p in platforms.values() if given and given in (p.name, p.full_name)]
    if named:
        raise NewCaseError(f"“{given}”是平台 {'、'.join(named)} 的名称；--platform 请写平台编号"
                           f"（content/platforms/ 下的文件名），例如 --platform {named[0]}")
    message = f"平台“{given}”不存在：content/platforms/ 下没有 {given}{SUFFIX}"
    guess = difflib.get_close_matches(given, list(platforms), n=1, cutoff=0.6)
    if guess:
        raise NewCaseError(f"{message}，是否应为“{guess[0]}”？")
    listed = "、".join(list(platforms)[:_MAX_LISTED])
    more = f" 等 {len(platforms)} 个" if len(platforms) > _MAX_LISTED else ""
    raise NewCaseError(f"{message}。现有平台：{listed}{more}" if platforms else
                       f"{message}：请先在 content/platforms/ 下新增平台文件")


def default_folder(platform_id: str, parents: Mapping[str, str | None], content: Path) -> str:
    """The folder of the nearest platform up the tree (itself first) that has one, else its id.

    Archives group cases by a district's platform (cases/yingze/ holds its streets'
    and communities' cases too); a new case goes where its neighbours are.
    ``parents``: each platform's parent id. The editors' form uses it too.
    """
    seen: set[str] = set()
    current: str | None = platform_id
    while current is not None and current not in seen:
        seen.add(current)
        if (content / "cases" / current).is_dir():
            return current
        current = parents.get(current)
    return platform_id


def _display(path: Path, content: Path) -> str:
    """How editors see a path: from the folder that holds the content folder."""
    try:
        return path.resolve().relative_to(content.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()


# ---------------------------------------------------------------------------
# The file.


def case_template(title: str, platform: PlatformInfo, day: dt.date | None, announced: bool,
                  method: model.Method | None) -> str:
    """The text of a new case file: header, then every field of the schema."""
    values = {"title": _yaml_text(title), "platform": platform.id}
    if day is not None:
        values["date"] = day.isoformat()
    notes = {"platform": [f"本案例的平台：{platform.name or platform.id}"]}
    if method is not None:
        steps = "、".join(method.steps)
        notes["steps"] = [f"本平台的协商方法是“{method.name}”，步骤依次为：{steps}"]
    skipped = _NEVER | (_ANNOUNCED_ABSENT if announced else frozenset())
    body = _Template(values, notes, skipped).fields(CASE, "", 0, commented=False)
    return "\n".join([*_header(title, announced, day), "", *body]) + "\n"


def _header(title: str, announced: bool, day: dt.date | None) -> list[str]:
    lines = [
        f"# 协商案例：{title}",
        "#",
        "# 由 python -m generator new 生成。文件名就是案例编号，也是永久网址 /cases/<编号>/，"
        "发布后不能更改。",
        f"# 填写方法：把每个“{PLACEHOLDER}”换成实际内容。以“#”开头的是说明，可以保留或删去。",
        "# 选填项前面有“# ”，不起作用：需要时删去那一段每行开头的“# ”再填写，不需要的可整段删去。",
        f"# 还有“{PLACEHOLDER}”时，检查会报告“尚未填写”，这条记录不会发布。",
        "# 不要写手机号码、身份证号码和个人电子邮箱；群众代表只写人数，不写姓名。",
    ]
    if announced and day is not None:
        lines += [
            "#",
            f"# 这是协商预告（协商日期 {day.isoformat()} 还没到）：预告不能填写协商结果。",
            "# 协商举行后，再补充 consensus（协商结果），"
            "以及 follow_up（跟踪落实）和 evaluation（评价）。",
        ]
    return lines


class _Template:
    """Writes fields as YAML lines with their comments, following the schema."""

    def __init__(self, values: Mapping[str, str], notes: Mapping[str, list[str]],
                 skipped: frozenset[str]) -> None:
        self.values = values
        self.notes = notes
        self.skipped = skipped

    def fields(self, spec: Field, path: str, indent: int, commented: bool) -> list[str]:
        """The fields of an object; inside a commented-out block every field is written."""
        lines: list[str] = []
        for child in spec.fields:
            child_path = f"{path}.{child.name}" if path else child.name
            if child_path in self.skipped:
                continue
            active = commented or child.required or child_path in _EXPECTED
            block = self.field(child, child_path, indent, commented=commented or not active)
            lines += block if active else _comment_out(block, indent)
        return lines

    def field(self, spec: Field, path: str, indent: int, commented: bool) -> list[str]:
        pad = " " * indent
        lines = [f"{pad}# {_describe(spec, spec.required or path in _EXPECTED)}"]
        lines += [f"{pad}# {note}" for note in self.notes.get(path, ())]
        key = f"{pad}{spec.name}:"
        if spec.kind == "object":
            return [*lines, key, *self.fields(spec, path, indent + 2, commented)]
        if spec.kind == "list":
            assert spec.item is not None
            if spec.item.kind != "object":
                return [*lines, f"{key} [{PLACEHOLDER}]"]
            return [*lines, key, *self.list_item(spec.item, f"{path}[]", indent + 2, commented)]
        if spec.kind == "multiline":
            return [*lines, f"{key} |", f"{pad}  {PLACEHOLDER}"]
        return [*lines, f"{key} {self.values.get(path, PLACEHOLDER)}"]

    def list_item(self, item: Field, path: str, indent: int, commented: bool) -> list[str]:
        """One element of a list of objects: ``- `` before its first key."""
        body = self.fields(item, path, indent + 2, commented)
        first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
        pad = " " * indent
        head = [pad + line.lstrip() for line in body[:first]]  # its comments, at the dash
        return [*head, pad + "- " + body[first].lstrip(), *body[first + 1 :]]


def _describe(spec: Field, required: bool) -> str:
    need = "必填" if required else "选填"
    text = f"{spec.title}（{need}）"
    if spec.description:
        text += f"：{spec.description}"
    if spec.kind == "list" and spec.item is not None and spec.item.kind != "object":
        text += "多项写成 [甲, 乙]。" if text.endswith("。") else "。多项写成 [甲, 乙]。"
    return text


def _comment_out(block: list[str], indent: int) -> list[str]:
    """``# `` at the block's indentation on every line after its own leading comments."""
    first = next(i for i, line in enumerate(block) if not line.lstrip().startswith("#"))
    return [*block[:first], *(line[:indent] + "# " + line[indent:] for line in block[first:])]


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    try:
        plain = yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)
