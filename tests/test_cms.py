"""The editors' form's configuration (generator/site/cms.py) and ``make edit``'s checks.

The form is generated from the record format; these tests read it back against
``records/schema.py`` field by field, and check that a configuration the format
refutes, or a missing bundle, stops the build with a Chinese message. The form
itself, in Chromium, is tested in tests/test_cms_form.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.options import Options
from generator.records import schema
from generator.records.problems import RecordError
from generator.records.schema import Field
from generator.site import cms
from generator.site.build import build_docs
from tests.test_site_helpers import ROOT, SAMPLE_AS_OF, SAMPLE_CONTENT

OPTIONS = Options(repo_url="https://github.com/example/archive", site_url="https://example.org/a/")


def collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in config["collections"] if c["name"] == name)


def assert_agrees(widgets: list[dict[str, Any]], spec: Field, where: str) -> None:
    """Every field of ``spec`` is in the form with its title, description, values and kind."""
    by_name = {w["name"]: w for w in widgets if w["name"] not in cms.FORM_ONLY}
    expected = [f.name for f in spec.fields if f.name not in cms.NOT_IN_NEW_FORM]
    assert list(by_name) == expected, where
    for child in spec.fields:
        if child.name in cms.NOT_IN_NEW_FORM:
            continue
        widget = by_name[child.name]
        path = f"{where}.{child.name}"
        assert widget["label"] == child.title, path
        assert widget.get("hint", "") == child.description, path
        assert widget["required"] is False or child.required, path
        if child.kind == "enum":
            assert widget["widget"] == "select" and widget["options"] == list(child.values), path
        if child.kind == "date":
            assert widget["widget"] == "datetime" and widget["format"] == "YYYY-MM-DD", path
            assert widget["time_format"] is False, path
        if child.kind == "object":
            assert_agrees(widget["fields"], child, path)
        if child.kind == "list" and child.item is not None:
            assert widget["widget"] == "list", path
            if child.item.kind == "object":
                assert_agrees(widget["fields"], child.item, path + "[]")


def test_the_form_has_every_field_of_the_format_as_the_schema_declares_it() -> None:
    config = cms.form_config(OPTIONS)
    assert_agrees(collection(config, "cases")["fields"], schema.CASE, "cases")
    assert_agrees(collection(config, "platforms")["fields"], schema.PLATFORM, "platforms")
    assert cms.check_config(config) == []


def test_lists_selects_and_the_platform_choice() -> None:
    fields = {f["name"]: f for f in collection(cms.form_config(OPTIONS), "cases")["fields"]}
    assert fields["platform"]["widget"] == "relation"
    assert fields["platform"]["collection"] == "platforms"
    assert fields["platform"]["value_field"] == "{{slug}}"
    for name in ("steps", "follow_up", "evaluation"):
        assert fields[name]["widget"] == "list" and fields[name]["default"] == []
    groups = next(f for f in fields["participants"]["fields"] if f["name"] == "groups")
    assert groups["min"] == 1
    items = next(f for f in fields["consensus"]["fields"] if f["name"] == "items")
    assert [f["name"] for f in items["fields"]] == ["text", "owner", "due"]
    # Required inside an optional object: not required by the form (Decap would block
    # every case without a notice), required again inside a list element.
    notice = {f["name"]: f for f in fields["notice"]["fields"]}
    assert notice["from"]["required"] is False
    assert {f["name"]: f["required"] for f in items["fields"]}["text"] is True


def test_the_patterns_say_what_the_check_says() -> None:
    fields = {f["name"]: f for f in collection(cms.form_config(OPTIONS), "cases")["fields"]}
    pattern, message = fields["title"]["pattern"]
    assert message == "最多 60 个字符"
    assert re.fullmatch(pattern.replace(r"\uD800-\uDBFF", "\ud800-\udbff")
                        .replace(r"\uDC00-\uDFFF", "\udc00-\udfff"), "议" * 60)
    assert not re.fullmatch(pattern, "议" * 61)
    venue_pattern, venue_message = fields["venue"]["pattern"]
    assert venue_message == cms.MOBILE_MESSAGE
    assert re.match(venue_pattern, "社区议事厅 0351-4010000")
    assert not re.match(venue_pattern, "联系 138 1234 5678")


def test_the_backend_comes_from_the_options() -> None:
    assert cms.backend(OPTIONS) | {"commit_messages": None} == {
        "name": "github", "repo": "example/archive", "branch": "main", "open_authoring": True,
        "squash_merges": True, "commit_messages": None}
    relay = Options(repo_url="https://github.com/o/r.git", admin_auth_url="https://auth.example.org/")
    assert cms.backend(relay)["base_url"] == "https://auth.example.org"
    forgejo = Options(repo_url="https://git.example.gov.cn/xieshang/archive",
                      admin_backend="forgejo", admin_auth_url="https://git.example.gov.cn",
                      admin_app_id="abc")
    assert {k: v for k, v in cms.backend(forgejo).items() if k != "commit_messages"} == {
        "name": "forgejo", "repo": "xieshang/archive", "branch": "main",
        "base_url": "https://git.example.gov.cn", "api_root": "https://git.example.gov.cn/api/v1",
        "app_id": "abc"}


def test_a_widget_decap_lacks_and_a_field_the_format_lacks_are_named() -> None:
    config = cms.form_config(OPTIONS)
    fields = collection(config, "cases")["fields"]
    next(f for f in fields if f["name"] == "title")["widget"] = "markdwon"
    fields.append({"name": "consensu", "label": "x", "widget": "string"})
    topic = next(f for f in fields if f["name"] == "topic")
    topic["fields"][0]["options"] = ["委员荐题"]
    config["backend"]["name"] = "gitlab"
    assert cms.check_config(config) == [
        "表单配置：backend.name 应为 github、forgejo、gitea 之一",
        "表单配置：cases.title 的控件 markdwon 不存在（可用：boolean、case-id、code、color、"
        "datetime、file、hidden、image、list、map、markdown、number、object、relation、select、"
        "string、text、uuid）",
        "表单配置：cases.topic.source 的选项与记录格式不一致"
        "（应为 委员荐题、党政点题、公开征题、群众反映、其他）",
        "表单配置：cases.consensu 不是记录格式中的字段，是否应为 consensus？",
    ]


def test_a_configuration_the_format_refutes_stops_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = cms.form_config(OPTIONS)
    collection(broken, "cases")["fields"].append({"name": "phone", "widget": "string"})
    monkeypatch.setattr(cms, "form_config", lambda options: broken)
    with pytest.raises(RecordError) as raised:
        build_docs(SAMPLE_CONTENT, tmp_path / "docs",
                   Options(admin_form=True, as_of=SAMPLE_AS_OF, git_dates=False, jobs=1))
    assert [p.as_text() for p in raised.value.problems] == [
        "admin/index.html:1:1: 表单配置：cases.phone 不是记录格式中的字段"]


def test_without_decap_s_bundle_the_build_says_to_run_npm_ci(tmp_path: Path) -> None:
    cms.bundle_files.cache_clear()
    with pytest.raises(cms.FormConfigError) as raised:
        cms.bundle_files(tmp_path)
    assert raised.value.messages == [
        "编辑表单（admin_form）需要 node_modules/decap-cms/dist/decap-cms.js、"
        "node_modules/js-yaml/dist/js-yaml.min.js 和 node_modules/pinyin-pro/dist/index.js："
        "请先在项目根目录运行 npm ci（make site 会自动运行）"]


def test_the_admin_folder_is_served_by_the_site_itself(tmp_path: Path) -> None:
    if not (ROOT / cms.DECAP_DIST / "decap-cms.js").is_file():
        pytest.skip("node_modules missing (`make test` runs npm ci)")
    result = build_docs(SAMPLE_CONTENT, tmp_path / "docs",
                        Options(admin_form=True, as_of=SAMPLE_AS_OF, git_dates=False, jobs=1,
                                repo_url="https://github.com/example/archive"))
    admin = tmp_path / "docs" / "admin"
    names = {p.name for p in admin.iterdir()}
    assert {"index.html", "decap-cms.js", "js-yaml.min.js", "pinyin-pro.js",
            "xieshang-form.js"} <= names
    assert any(name.endswith(".decap-cms.js") for name in names)  # the chunks it loads later
    html = (admin / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    inline = re.search(r'<script id="xieshang-form-data" type="application/json">(.*?)</script>',
                       html, re.S)
    assert inline is not None
    data = json.loads(inline.group(1))
    assert data["config"] == cms.form_config(Options(repo_url="https://github.com/example/archive"))
    # A new case of a community's platform goes where its district's cases are.
    assert data["folders"]["yingze-yingzejie-xinjian"] == "yingze"
    assert len(result.archive.cases) > 0


# ---------------------------------------------------------------------------
# make edit's checks


def edit(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"PATH": path} if path is not None else {})}
    return subprocess.run([sys.executable, "-m", "generator", "edit", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)


def test_make_edit_explains_a_port_that_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = edit("--preflight", "--port", str(port), "--api-port", "0")
    assert result.returncode == 1
    assert result.stderr == (
        f"make edit 没有启动：端口 {port}（预览网站）已被占用：可能已经有一个 make edit 或 "
        "make serve 在运行，请先在它的窗口按 Ctrl+C 停止；或者换一个端口，例如 "
        "make edit PORT=8010 API_PORT=8091\n")


def test_make_edit_explains_that_node_is_missing(tmp_path: Path) -> None:
    result = edit("--preflight", path=str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("make edit 没有启动：没有找到 Node.js（node 命令）：")
    assert "sudo apt install nodejs npm" in result.stderr
