from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.test_site_helpers import Build, sample_site

if TYPE_CHECKING:  # imported for real by pytest_plugins, so that pytest rewrites its asserts
    from tests.browser import StaticServer

pytest_plugins = ["tests.browser"]

# The repository's content/ is the adopter's archive: no test may read it (tests
# stand on tests/fixtures/). Every file opened or folder listed in this process is
# watched; builds in subprocesses are given the fixtures' paths explicitly.
REPOSITORY_CONTENT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "content")
_content_reads: list[str] = []


def _watch_content(event: str, args: tuple[object, ...]) -> None:
    if event not in ("open", "os.scandir", "os.listdir") or not args:
        return
    path = args[0]
    if isinstance(path, (str, bytes, os.PathLike)):
        text = os.path.abspath(os.fsdecode(path))
        if text == REPOSITORY_CONTENT or text.startswith(REPOSITORY_CONTENT + os.sep):
            _content_reads.append(text)


sys.addaudithook(_watch_content)


@pytest.fixture(autouse=True)
def _no_test_reads_the_repository_content() -> Iterator[None]:
    _content_reads.clear()
    yield
    assert _content_reads == [], "a test read the repository's content/, not its fixtures"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The sample archive (tests/fixtures/sample/) built once with `mkdocs build`."""
    return sample_site(tmp_path_factory)


@pytest.fixture(scope="session")
def server(site: Build, static_server: Callable[..., StaticServer]) -> StaticServer:
    """The built sample site served on 127.0.0.1."""
    return static_server(site.site)

# A tiny valid archive for record-layer tests: a three-level platform tree and
# one case that uses every field. Tests mutate copies of these texts.
AS_OF = dt.date(2024, 1, 1)

PLATFORMS = {
    "city": "name: 有事来商量\nlevel: 市\nregion: 山西省太原市\nhost: 太原市政协\n"
            "method:\n  name: 三步法\n  steps: [征集意见, 协商议事, 跟踪落实]\n"
            "contact: 0351-4000000\n",
    "district": "name: 欢迎来协商\nlevel: 县区\nparent: city\nregion: 山西省太原市迎泽区\n"
                "host: 迎泽区政协\n",
    "street": "name: 街道议事厅\nlevel: 乡镇街道\nparent: district\nregion: 迎泽街道\n"
              "host: 迎泽街道党工委\ndescription: |\n  街道一级的平台。\n",
}

CASE = """\
title: 机电小区地下室漏水
platform: street
date: 2022-03-18
form: 现场协商
venue: 社区议事室
topic:
  source: 群众反映
  categories: [老旧小区, 环境卫生]
  background: |
    地下室常年积水。

    居民多次反映。
steps:
  - step: 征集意见
    date: 2022-02-20
    note: 收集意见 26 条
  - step: 协商议事
    date: 2022-03-18
participants:
  convenors: [社区党委书记]
  groups:
    - role: 政协委员
      count: 2
      names: [叶晓波]
      orgs: [区政协]
    - role: 群众代表
      count: 12
consensus:
  reached: true
  summary: 先修后算。
  items:
    - text: 修复漏水管道
      owner: 物业公司
      due: 2022-05-31
    - text: 抽排积水
      owner: 社区居委会
      due: 2022-04-30
  dissent: 费用分摊另议。
follow_up:
  - date: 2022-04-08
    item: 2
    status: 已完成
    note: 已抽排积水
  - date: 2022-05-10
    item: 1
    status: 推进中
    note: 已更换阀门 3 处
evaluation:
  - date: 2022-07-01
    by: 群众评议
    satisfaction: {满意: 30, 基本满意: 5, 不满意: 1}
    comment: 基本解决
notice:
  from: 2022-03-20
  to: 2022-03-27
sources:
  - title: 示例报道
    url: https://example.org/news/1
"""


class ContentTree:
    """A content/ folder in a temporary repository; paths display as content/..."""

    def __init__(self, repo: Path) -> None:
        self.dir = repo / "content"

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8") if isinstance(text, str) else text
        path.write_bytes(data)
        return path

    def write_platforms(self) -> None:
        """The tiny archive's three platforms (``PLATFORMS``)."""
        for platform_id, text in PLATFORMS.items():
            self.write(f"platforms/{platform_id}.yml", text)

    def check(self, *paths: Path, as_of: dt.date = AS_OF) -> list[str]:
        from generator.records.archive import check_paths

        _, problems = check_paths(list(paths) or [self.dir], self.dir, as_of)
        return [p.as_text() for p in problems]


@pytest.fixture
def content(tmp_path: Path) -> ContentTree:
    """A valid archive: the three platforms and content/cases/2022-sample.yml."""
    tree = ContentTree(tmp_path)
    tree.write_platforms()
    tree.write("cases/2022-sample.yml", CASE)
    return tree
