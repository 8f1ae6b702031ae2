"""What the tables are made from (``Source``) and the rows they read their columns from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from generator.printing import qr
from generator.records import model
from generator.records.revisions import Histories, Revision

T = TypeVar("T")

# Where addresses point when the site has no site_url (a preview): relative to /data/.
RELATIVE_BASE: Final = "../"


class Source:
    """What the tables are made from: the archive, the histories, and the site's address."""

    def __init__(self, archive: model.Archive, histories: Histories,
                 site_url: str | None) -> None:
        self.archive = archive
        self.histories = histories
        self.base = qr.site_base(site_url) if site_url else RELATIVE_BASE
        self.views = [archive.view(case_id) for case_id in sorted(archive.cases)]

    def case_url(self, case_id: str) -> str:
        return f"{self.base}cases/{case_id}/"

    def platform_url(self, platform_id: str) -> str:
        return f"{self.base}platforms/{platform_id}/"


@dataclass(frozen=True)
class CaseRow:
    view: model.CaseView
    figures: model.Figures
    url: str

    @property
    def case(self) -> model.Case:
        return self.view.case


@dataclass(frozen=True)
class PlatformRow:
    platform: model.Platform
    figures: model.Figures
    url: str


@dataclass(frozen=True)
class Numbered(Generic[T]):
    """An entry of a list in a case, with its 1-based position there."""

    number: int
    entry: T


@dataclass(frozen=True)
class RevisionRow:
    case_id: str
    revision: Revision
    withdrawn: bool


Owned = tuple[str, T]  # (case id, an element of a list in that case)
