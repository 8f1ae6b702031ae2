"""The editors' web form at ``/admin/``: Decap CMS, configured from the record format.

Nothing here is kept by hand: ``form_config`` walks ``records/schema.py``
(``schema.CASE`` and ``schema.PLATFORM``) and turns every field into a Decap
widget with the field's Chinese title and description, so the form and the
check can never disagree about names, enumerations or which fields are
required. ``check_config`` reads a configuration back against the schema
and names, in Chinese, a widget Decap does not have or a field the format
lacks; the build runs it on what it is about to publish, and writes it
into ``admin/index.html``.

The files: ``admin/index.html`` (this module writes it, with the configuration),
Decap's bundle, js-yaml and pinyin-pro from ``node_modules`` (pinned in
``package-lock.json``; ``make site`` runs ``npm ci``) and our glue,
``cms/xieshang-form.js``: the YAML format that writes records the way editors
write them, the case-id widget (which suggests a new case's id from its title
and date), and the folder a new case goes into.
Nothing is fetched from another host.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

from generator.options import Options
from generator.records import privacy, schema
from generator.records.ids import ID_MAX_LENGTH, ID_PATTERN, ID_RULE
from generator.records.schema import Field

FOLDER: Final = "admin"
GLUE: Final = Path(__file__).parent / "cms"
ROOT: Final = Path(__file__).resolve().parents[2]
# Decap's bundle: decap-cms.js with the chunks it loads on demand (locales, widgets).
DECAP_DIST: Final = Path("node_modules") / "decap-cms" / "dist"
JS_YAML: Final = Path("node_modules") / "js-yaml" / "dist" / "js-yaml.min.js"
# pinyin-pro's browser build (UMD, window.pinyinPro): the case-id widget's suggestions.
PINYIN_PRO: Final = Path("node_modules") / "pinyin-pro" / "dist" / "index.js"
FORMAT: Final = "xieshang-yaml"  # registered by xieshang-form.js
ID_WIDGET: Final = "case-id"  # registered by xieshang-form.js
BACKENDS: Final = ("github", "forgejo", "gitea")
# Decap 3's own widgets, and ours.
WIDGETS: Final = frozenset({
    "boolean", "code", "color", "datetime", "file", "hidden", "image", "list", "map",
    "markdown", "number", "object", "relation", "select", "string", "text", "uuid",
    ID_WIDGET,
})
# Patterns for the form: Decap tests a value with RegExp(pattern), no flags. The
# messages are the check's own wording (validate.py), without the figures only it knows.
_CHARACTER: Final = r"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S])"  # one code point, as len() counts
MOBILE_PATTERN: Final = rf"^(?![\s\S]*{privacy.MOBILE_REGEX})[\s\S]*$"
MOBILE_MESSAGE: Final = "含有手机号码：公开记录中不能出现个人信息，请删除或改用单位的公开联系方式"
DATE_FORMAT: Final = "YYYY-MM-DD"


class FormConfigError(Exception):
    """The form's configuration disagrees with the record format (messages in Chinese)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


# ---------------------------------------------------------------------------
# The configuration.


def form_config(options: Options) -> dict[str, Any]:
    """Decap's ``config.yml`` as data: the backend from the options, the fields from the schema."""
    return {
        "locale": "zh_Hans",
        "backend": backend(options),
        "publish_mode": "editorial_workflow",
        # Only where the page is served from 127.0.0.1 or localhost (make edit):
        # then decap-server writes into the working tree, and the mode falls back to simple.
        "local_backend": True,
        # Required by Decap; the records have no uploads.
        "media_folder": f"{options.content_dir.strip('/')}/media",
        **({"site_url": options.site_url, "display_url": options.site_url}
           if options.site_url else {}),
        "slug": {"encoding": "ascii", "clean_accents": True},
        "collections": [_case_collection(options.content_dir),
                        _platform_collection(options.content_dir)],
    }


def backend(options: Options) -> dict[str, Any]:
    """Where saving goes: a pull request on GitHub (from a fork without write access)."""
    name = options.admin_backend
    out: dict[str, Any] = {"name": name, "repo": repository(options.repo_url),
                           "branch": options.admin_branch}
    if name == "github":
        out |= {"open_authoring": True, "squash_merges": True}
        if options.admin_auth_url:
            out["base_url"] = options.admin_auth_url.rstrip("/")
    elif options.admin_auth_url:
        server = options.admin_auth_url.rstrip("/")
        out |= {"base_url": server, "api_root": f"{server}/api/v1", "app_id": options.admin_app_id}
    out["commit_messages"] = {
        "create": "新增{{collection}}：{{slug}}",
        "update": "修改{{collection}}：{{slug}}",
        "delete": "删除{{collection}}：{{slug}}",
        "uploadMedia": "上传文件：{{path}}",
        "deleteMedia": "删除文件：{{path}}",
        "openAuthoring": "{{message}}",
    }
    return out


def repository(repo_url: str | None) -> str:
    """``owner/name`` from the repository's address (``https://github.com/owner/name``)."""
    if not repo_url:
        return ""
    path = urllib.parse.urlsplit(repo_url).path.strip("/").removesuffix(".git")
    return "/".join(path.split("/")[:2])


def _case_collection(content_dir: str) -> dict[str, Any]:
    return {
        "name": "cases",
        "label": "协商案例",
        "label_singular": "协商案例",
        "description": "每个案例一个文件：content/cases/<子文件夹>/<案例编号>.yml。"
                       "保存后提交检查；有错误的记录不会发布。",
        "folder": f"{content_dir.strip('/')}/cases",
        "extension": "yml",
        "format": FORMAT,
        "editor": {"preview": False},
        "create": True,
        "delete": False,
        "identifier_field": "title",
        # The id is typed (or suggested) in the case-id widget; the folder is
        # added before saving, from the platform (xieshang-form.js). Neither is written.
        "slug": "{{fields.id}}",
        # Not {{fields.folder}}: Decap turns the dots of a path template into dashes.
        "path": "{{folder}}/{{slug}}",
        "summary": "{{title}}（{{date}}）",
        "sortable_fields": ["date", "title"],
        "fields": [_id_field("案例编号", "例如 2024-shequ-zhangzhe-shitang：年份-议题的拼音。"
                             "填写议题和协商日期后自动建议，可以改写。", suggest=True),
                   *(_widget(f, "", True) for f in schema.CASE.fields
                     if f.name not in NOT_IN_NEW_FORM)],
    }


def _platform_collection(content_dir: str) -> dict[str, Any]:
    return {
        "name": "platforms",
        "label": "协商平台",
        "label_singular": "协商平台",
        "folder": f"{content_dir.strip('/')}/platforms",
        "extension": "yml",
        "format": FORMAT,
        "editor": {"preview": False},
        "create": True,
        "delete": False,
        "identifier_field": "name",
        "slug": "{{fields.id}}",
        "summary": "{{name}}",
        "fields": [_id_field("平台编号", "例如 yingze-yingzejie：上级平台编号-本平台名称的拼音。"),
                   *(_widget(f, "", True) for f in schema.PLATFORM.fields)],
    }


# Fields of the format the form does not offer: a case's history (renaming and
# withdrawing are done in the file, with the maintainer; FORMAT.md).
NOT_IN_NEW_FORM: Final = frozenset({"former_ids"})
# Helper fields of the form, never written into a record (xieshang-form.js drops them).
FORM_ONLY: Final = frozenset({"id", "folder"})
# Values the format implies when a key is absent: the form shows them, the file leaves them out.
IMPLIED: Final = {"cases": {"consensus.reached": True}}
# Records whose top-level blocks (objects, lists of objects) editors separate by a blank line.
BLANK_BEFORE_BLOCKS: Final = {"cases": True, "platforms": False}


def _id_field(label: str, example: str, *, suggest: bool = False) -> dict[str, Any]:
    """The id widget; with ``suggest`` a new record's id follows its title and date
    (as ``generator new`` suggests it) until the editor types another."""
    return {
        "name": "id", "label": label, "widget": ID_WIDGET, "required": False,
        "hint": f"文件名和永久网址，保存后不能更改。{ID_RULE}。{example}",
        "suggest": suggest,  # read by the case-id widget
        "pattern": [ID_PATTERN.pattern, f"编号{ID_RULE}"],
        "max_length": ID_MAX_LENGTH,  # read by the case-id widget
    }


def _widget(spec: Field, path: str, parents_required: bool) -> dict[str, Any]:
    """One field as a Decap widget.

    Decap takes a field as required unless told otherwise, and checks the
    required fields inside an optional object even when the editor leaves the
    object empty; so a field is required in the form only when its whole chain
    of objects is (inside a list element, from the element down).
    """
    name = f"{path}.{spec.name}" if path else spec.name
    required = spec.required and parents_required
    out: dict[str, Any] = {"name": spec.name, "label": spec.title, "required": required}
    if spec.description:
        out["hint"] = spec.description
    out |= _KINDS[spec.kind](spec, name, required)
    return out


def _text(spec: Field, path: str, required: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"widget": "text" if spec.kind == "multiline" else "string"}
    if spec.max_length is not None:
        out["pattern"] = [rf"^{_CHARACTER}{{0,{spec.max_length}}}$",
                          f"最多 {spec.max_length} 个字符"]
    elif path != "contact":  # a platform's contact is the one place for a telephone number
        out["pattern"] = [MOBILE_PATTERN, MOBILE_MESSAGE]
    return out


def _date(spec: Field, path: str, required: bool) -> dict[str, Any]:
    return {"widget": "datetime", "format": DATE_FORMAT, "date_format": DATE_FORMAT,
            "time_format": False, "picker_utc": True, "default": ""}


def _int(spec: Field, path: str, required: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"widget": "number", "value_type": "int", "step": 1}
    if spec.minimum is not None:
        out["min"] = spec.minimum
    return out


def _bool(spec: Field, path: str, required: bool) -> dict[str, Any]:
    # consensus.reached: absent means true; the switch starts on it (see IMPLIED).
    return {"widget": "boolean", "default": True}


def _enum(spec: Field, path: str, required: bool) -> dict[str, Any]:
    return {"widget": "select", "options": list(spec.values)}


def _url(spec: Field, path: str, required: bool) -> dict[str, Any]:
    return {"widget": "string", "pattern": [schema.URL_JSON_PATTERN,
                                            "只能是 http:// 或 https:// 开头的网址"]}


def _id(spec: Field, path: str, required: bool) -> dict[str, Any]:
    if path in ("platform", "parent"):  # chosen from the platforms that exist
        return {"widget": "relation", "collection": "platforms", "value_field": "{{slug}}",
                "search_fields": ["name", "full_name", "region"],
                "display_fields": ["{{name}}（{{region}}）"], "options_length": 50}
    return {"widget": "string", "pattern": [ID_PATTERN.pattern, f"编号{ID_RULE}"]}


def _list(spec: Field, path: str, required: bool) -> dict[str, Any]:
    assert spec.item is not None
    out: dict[str, Any] = {"widget": "list"}
    if spec.item.kind == "object":
        # default []: else Decap starts the list with one empty element, whose
        # required fields would then block saving a record that has no such list.
        out |= {"fields": [_widget(f, f"{path}[]", True) for f in spec.item.fields],
                "collapsed": False, "add_to_top": False, "default": [],
                "label_singular": spec.item.title}
    else:
        item = _widget(Field("item", spec.item.kind, spec.item.title, required=True,
                             max_length=spec.item.max_length), f"{path}[]", True)
        out["field"] = item
    if spec.min_items and required:
        out["min"] = spec.min_items
    if spec.max_items is not None:
        out["max"] = spec.max_items
    return out


def _object(spec: Field, path: str, required: bool) -> dict[str, Any]:
    return {"widget": "object", "collapsed": not required,
            "fields": [_widget(f, path, required) for f in spec.fields]}


_KINDS: Final = {
    "text": _text, "multiline": _text, "date": _date, "int": _int, "bool": _bool,
    "enum": _enum, "url": _url, "id": _id, "list": _list, "object": _object,
}


# ---------------------------------------------------------------------------
# Reading a configuration back against the format.


def check_config(config: Mapping[str, Any]) -> list[str]:
    """Everything in ``config`` that the record format or Decap does not know, in Chinese."""
    roots = {"cases": schema.CASE, "platforms": schema.PLATFORM}
    messages: list[str] = []
    if config.get("backend", {}).get("name") not in BACKENDS:
        messages.append(f"表单配置：backend.name 应为 {'、'.join(BACKENDS)} 之一")
    for collection in config.get("collections", []):
        name = collection.get("name")
        if name not in roots:
            messages.append(f"表单配置：未知的栏目 {name}（只能是 cases 或 platforms）")
            continue
        messages += _check_fields(collection.get("fields", []), roots[name], name, top=True)
    return messages


def _check_fields(fields: list[Mapping[str, Any]], spec: Field, where: str,
                  top: bool = False) -> list[str]:
    messages: list[str] = []
    for widget in fields:
        name = widget.get("name", "")
        path = f"{where}.{name}"
        kind = widget.get("widget", "string")
        if kind not in WIDGETS:
            messages.append(f"表单配置：{path} 的控件 {kind} 不存在"
                            f"（可用：{'、'.join(sorted(WIDGETS))}）")
        if top and name in FORM_ONLY:
            continue
        child = spec.by_name.get(name)
        if child is None:
            guess = spec.closest(name)
            hint = f"，是否应为 {guess}？" if guess else ""
            messages.append(f"表单配置：{path} 不是记录格式中的字段{hint}")
            continue
        messages += _check_child(widget, child, path)
    return messages


def _check_child(widget: Mapping[str, Any], child: Field, path: str) -> list[str]:
    if child.kind == "object":
        return _check_fields(widget.get("fields", []), child, path)
    if child.kind == "list" and child.item is not None and child.item.kind == "object":
        return _check_fields(widget.get("fields", []), child.item, f"{path}[]")
    if child.kind == "enum" and list(widget.get("options", [])) != list(child.values):
        return [f"表单配置：{path} 的选项与记录格式不一致（应为 {'、'.join(child.values)}）"]
    return []


# ---------------------------------------------------------------------------
# The files of /admin/.


def admin_files(options: Options, folders: Mapping[str, str]) -> dict[str, bytes]:
    """Every file of ``/admin/`` by its path in the docs tree.

    ``folders``: the sub-folder of ``content/cases/`` where each platform's new
    cases go (``new_case.default_folder``). Raises ``FormConfigError`` when
    the configuration does not agree with the format or Decap's bundle is missing.
    """
    config = form_config(options)
    messages = check_config(config)
    if messages:
        raise FormConfigError(messages)
    files = {f"{FOLDER}/{name}": data for name, data in bundle_files().items()}
    files[f"{FOLDER}/index.html"] = index_html(config, options, folders).encode("utf-8")
    for path in sorted(GLUE.iterdir()):
        files[f"{FOLDER}/{path.name}"] = path.read_bytes()
    return files


@cache
def bundle_files(root: Path = ROOT) -> dict[str, bytes]:
    """Decap's bundle (with its chunks), js-yaml and pinyin-pro, read once per process."""
    dist = root / DECAP_DIST
    copies = {"js-yaml.min.js": root / JS_YAML, "pinyin-pro.js": root / PINYIN_PRO}
    if not (dist / "decap-cms.js").is_file() or not all(p.is_file() for p in copies.values()):
        raise FormConfigError([
            f"编辑表单（admin_form）需要 {DECAP_DIST}/decap-cms.js、{JS_YAML} 和 {PINYIN_PRO}："
            "请先在项目根目录运行 npm ci（make site 会自动运行）"])
    files = {path.name: path.read_bytes() for path in _bundle(dist)}
    files |= {name: path.read_bytes() for name, path in copies.items()}
    return files


def _bundle(dist: Path) -> Iterator[Path]:
    for path in sorted(dist.iterdir()):
        if path.name == "decap-cms.js" or path.name.endswith((".decap-cms.js", ".wasm")):
            yield path


def index_html(config: Mapping[str, Any], options: Options, folders: Mapping[str, str]) -> str:
    """The page that loads Decap, js-yaml, pinyin-pro and our glue, with the configuration inline.

    Inline rather than Decap's ``config.yml``: Decap reads that file only when
    it is served as YAML, which neither MkDocs' preview nor nginx's default
    types do.
    """
    order = {"cases": key_order(schema.CASE), "platforms": key_order(schema.PLATFORM)}
    data = {"config": config, "order": order,
            "folders": dict(folders), "formOnly": sorted(FORM_ONLY), "implied": IMPLIED,
            "blankBeforeBlocks": BLANK_BEFORE_BLOCKS}
    inline = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>编辑案例 · {_escape(options.site_name)}</title>
<script>window.CMS_MANUAL_INIT = true;</script>
<script id="xieshang-form-data" type="application/json">{inline}</script>
</head>
<body>
<script src="js-yaml.min.js"></script>
<script src="pinyin-pro.js"></script>
<script src="decap-cms.js"></script>
<script src="xieshang-form.js"></script>
</body>
</html>
"""


def key_order(spec: Field) -> dict[str, Any]:
    """Each object's keys in the order the format declares them, nested: how records are written."""
    out: dict[str, Any] = {"": [f.name for f in spec.fields]}
    for child in spec.fields:
        inner = child.item if child.kind == "list" and child.item is not None else child
        if inner.kind == "object":
            out[child.name] = key_order(inner)
    return out


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
