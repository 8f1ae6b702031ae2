"""Each chosen entry in words: a title and a plain-text summary.

Everything here is plain text; ``atom`` escapes it as XML. A withdrawn
case's entry says only that it was withdrawn, when and why (what its page
says), with the commit's subject: nothing of the withdrawn record, its
title included.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, NamedTuple

from generator.feeds.entries import Entry
from generator.records import model
from generator.records.revisions import EARLIER_UNKNOWN, FIRST_PUBLISHED, Revision

WITHDRAWN_TITLE: Final = "此记录已撤回"
SHOWN_CHANGES: Final = 8  # sentences of a revision's changes; the rest are counted
DESCRIPTION_LENGTH: Final = 120  # characters of a new case's background


class Words(NamedTuple):
    title: str
    summary: str


def words(archive: model.Archive, entry: Entry) -> Words:
    view = archive.view(entry.case_id)
    about = entry.about
    if view.case.withdrawn is not None:
        return _withdrawn(view.case.withdrawn, about)
    if isinstance(about, Revision):
        return _revision(archive, view.case, about)
    if isinstance(about, model.FollowUp):
        return _follow_up(view.case, about)
    if isinstance(about, model.ItemProgress):
        return _overdue(view.case, about)
    return Words(view.case.title, _introduction(archive, view.case))


def chinese_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _withdrawn(withdrawal: model.Withdrawal, about: object) -> Words:
    lines = [f"此记录已于{chinese_day(withdrawal.date)}撤回。", f"撤回原因：{withdrawal.reason}"]
    if isinstance(about, Revision):
        lines.append(_subject_line(about))
    return Words(WITHDRAWN_TITLE, _joined(lines))


def _revision(archive: model.Archive, case: model.Case, revision: Revision) -> Words:
    introduction = _joined([_introduction(archive, case), _subject_line(revision)])
    if revision.changes == (FIRST_PUBLISHED,):
        return Words(f"新案例：{case.title}", introduction)
    if revision.changes in ((EARLIER_UNKNOWN,), ()):  # the oldest a shallow clone knows
        return Words(case.title, introduction)
    shown = list(revision.changes[:SHOWN_CHANGES])
    rest = len(revision.changes) - len(shown)
    if rest:
        shown.append(f"另有 {rest} 处修改，见案例页的修订记录")
    return Words(f"修订：{case.title}", _joined([*shown, _subject_line(revision)]))


def _subject_line(revision: Revision) -> str:
    return f"修改说明：{revision.subject}" if revision.subject else ""


def _introduction(archive: model.Archive, case: model.Case) -> str:
    """Where and when, and the start of the problem as residents raised it."""
    platform = archive.platforms[case.platform_id]
    when = chinese_day(case.date)
    head = f"{platform.name}（{platform.region}），{when}，{case.form}。"
    return _joined([head, _shortened(case.topic.background)])


def _follow_up(case: model.Case, follow_up: model.FollowUp) -> Words:
    progress = f"{chinese_day(follow_up.date)}，{follow_up.status}：{follow_up.note}"
    if follow_up.item is None:
        return Words(f"【{follow_up.status}】{case.title}", _joined([case.title, progress]))
    item = case.items[follow_up.item - 1]
    return Words(f"【{follow_up.status}】{item.text}",
                 _joined([case.title, _item_line(item), progress]))


def _overdue(case: model.Case, progress: model.ItemProgress) -> Words:
    item = progress.item
    if progress.closed and progress.latest is not None:
        state = f"{chinese_day(progress.latest.date)}{progress.status}，晚于完成时限"
    else:
        state = f"到期未完成，目前状态：{progress.status}"
    due = f"完成时限 {chinese_day(item.due)}，" if item.due else ""
    return Words(f"【逾期】{item.text}", _joined([case.title, _item_line(item), f"{due}{state}。"]))


def _item_line(item: model.ConsensusItem) -> str:
    return f"共识事项第 {item.number} 项：{item.text}（责任单位：{item.owner}）"


def _shortened(text: str) -> str:
    paragraphs = model.paragraphs(text)
    if not paragraphs:
        return ""
    flat = " ".join(paragraphs[0].split())
    return flat if len(flat) <= DESCRIPTION_LENGTH else flat[: DESCRIPTION_LENGTH - 1] + "…"


def _joined(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)
