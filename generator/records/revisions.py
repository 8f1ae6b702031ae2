"""Each case's revision history (修订记录), as the build shows and publishes it.

Every change to a record is a commit: a date and the editor's own explanation.
``history.read_histories`` reads them from git in one pass for the whole
archive and ``differences`` says, in plain Chinese, what each revision changed;
this module holds the objects the later stages read (case pages, open data,
feeds).

What a revision shows obeys today's rules: a value the check would refuse now
is never shown, and a withdrawn case keeps its revisions' dates, subjects and
commits but none of their content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

BEIJING: Final = dt.timezone(dt.timedelta(hours=8), "UTC+08:00")

FIRST_PUBLISHED: Final = "首次发布"
NOT_COMPARABLE: Final = "该版本格式有误，无法比较"
PERSONAL_DATA_HIDDEN: Final = "内容涉及个人信息，已隐去"
NOTHING_CHANGED: Final = "记录内容未变"
SUBJECT_HIDDEN: Final = "提交说明涉及个人信息，已隐去"
EARLIER_UNKNOWN: Final = "更早的修订记录不在本次构建取得的 git 历史中"


@dataclass(frozen=True)
class Revision:
    """One commit that changed a case's file."""

    commit: str  # the full hash
    time: dt.datetime  # the commit's time, in Beijing time (+08:00)
    subject: str  # the commit's subject line; "" when it is hidden (personal data)
    path: str  # the case's file in that commit, e.g. content/cases/yingze/2022-jishui.yml
    changes: tuple[str, ...] = ()  # what changed, one plain-Chinese sentence each
    fields: tuple[str, ...] = ()  # the record's top-level fields that changed, e.g. consensus
    comparable: bool = True  # False: that revision no longer parses (NOT_COMPARABLE)

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def day(self) -> dt.date:
        return self.time.date()


@dataclass(frozen=True)
class Histories:
    """The revisions of every case, newest first, keyed by the case's current id.

    ``built_from`` is the commit the site is built from (None outside a git
    checkout); ``complete`` is False in a shallow clone, whose oldest revisions
    are not known.
    """

    by_case: Mapping[str, tuple[Revision, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    built_from: str | None = None
    complete: bool = True

    def of(self, case_id: str) -> tuple[Revision, ...]:
        return self.by_case.get(case_id, ())

    def current(self, case_id: str) -> Revision | None:
        """The revision the case's page shows: its newest."""
        revisions = self.of(case_id)
        return revisions[0] if revisions else None


NO_HISTORY: Final = Histories()
