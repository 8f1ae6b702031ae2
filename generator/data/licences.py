"""The licences the open data can be published under (the ``data_license`` option).

Each is named by its SPDX identifier, the name a Data Package gives a licence.
A licence not listed here is refused rather than published without its terms:
to offer another one, add it to ``LICENCES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from generator.records.problems import Problem, RecordError


@dataclass(frozen=True)
class Licence:
    name: str  # the SPDX identifier, e.g. CC-BY-4.0
    title: str  # in Chinese
    url: str  # the licence's text
    summary: str  # what it allows, in one Chinese sentence


LICENCES: Final = {licence.name: licence for licence in (
    Licence("CC-BY-4.0", "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
            "https://creativecommons.org/licenses/by/4.0/",
            "可以自由复制、分发、改编和用于商业目的，但须注明来源（署名）。"),
    Licence("CC-BY-SA-4.0", "知识共享署名—相同方式共享 4.0 国际许可协议（CC BY-SA 4.0）",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "可以自由复制、分发、改编和用于商业目的，但须注明来源，改编后的作品须以相同协议发布。"),
    Licence("CC0-1.0", "CC0 1.0 通用公共领域贡献宣告（CC0 1.0）",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            "放弃一切著作权，可以不受限制地使用，无须注明来源。"),
    Licence("ODC-By-1.0", "开放数据共享署名许可协议 1.0（ODC-By 1.0）",
            "https://opendatacommons.org/licenses/by/1-0/",
            "可以自由使用、分享和改编数据库，但须注明来源。"),
    Licence("ODbL-1.0", "开放数据库许可协议 1.0（ODbL 1.0）",
            "https://opendatacommons.org/licenses/odbl/1-0/",
            "可以自由使用、分享和改编数据库，但须注明来源，改编后的数据库须以相同协议公开。"),
    Licence("PDDL-1.0", "开放数据共享公共领域贡献和许可协议 1.0（PDDL 1.0）",
            "https://opendatacommons.org/licenses/pddl/1-0/",
            "将数据库贡献到公共领域，可以不受限制地使用。"),
)}

OPTION: Final = "data_license"
CONFIG_FILE: Final = "mkdocs.yml"


def licence(name: str) -> Licence:
    """The licence named by the ``data_license`` option; a RecordError for any other name."""
    found = LICENCES.get(name)
    if found is None:
        choices = "、".join(LICENCES)
        raise RecordError([Problem(CONFIG_FILE, 1, 1, OPTION,
                                   f"开放数据的许可协议“{name}”不在可选范围内，可选：{choices}")])
    return found
