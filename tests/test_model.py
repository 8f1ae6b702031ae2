"""Derived values: item status and 逾期, case status, roll-up figures over the platform tree."""

import dataclasses
import datetime as dt
import pickle

import pytest

from generator.records import model
from generator.records.model import (
    Archive,
    Case,
    Consensus,
    ConsensusItem,
    Evaluation,
    FollowUp,
    Group,
    Participants,
    Platform,
    Satisfaction,
    Topic,
    Withdrawal,
)

DAY = dt.date(2022, 3, 18)
AS_OF = dt.date(2022, 7, 1)


def item(number: int, due: dt.date | None = None) -> ConsensusItem:
    return ConsensusItem(number, f"事项 {number}", "责任单位", due)


def case(case_id: str = "c", platform: str = "street", *, date: dt.date = DAY,
         items: tuple[ConsensusItem, ...] = (item(1),), follow_up: tuple[FollowUp, ...] = (),
         reached: bool = True, people: int = 10, satisfaction: Satisfaction | None = None,
         withdrawn: Withdrawal | None = None, consensus: bool = True) -> Case:
    evaluation = (Evaluation(AS_OF, "群众评议", satisfaction),) if satisfaction else ()
    return Case(
        id=case_id, source_path=f"content/cases/{case_id}.yml", title="议题", platform_id=platform,
        date=date, form="会议协商", topic=Topic("群众反映", ("老旧小区",), "背景"),
        participants=Participants((Group("群众代表", people),)),
        consensus=Consensus("概要", reached, items) if consensus else None,
        follow_up=follow_up, evaluation=evaluation, withdrawn=withdrawn,
    )


def progress_of(c: Case, as_of: dt.date = AS_OF) -> tuple[model.ItemProgress, ...]:
    return model.item_progress(c, as_of)


# Items.


def test_an_item_without_follow_up_has_not_started() -> None:
    (only,) = progress_of(case())
    assert (only.status, only.latest, only.overdue, only.closed) == ("未启动", None, False, False)


def test_the_latest_follow_up_sets_the_status() -> None:
    entries = (
        FollowUp(dt.date(2022, 4, 1), "推进中", "开始", 1),
        FollowUp(dt.date(2022, 4, 2), "推进中", "整体进展"),  # about the whole case
        FollowUp(dt.date(2022, 5, 1), "已完成", "完成", 1),
        FollowUp(dt.date(2022, 5, 2), "推进中", "开始", 2),
    )
    first, second = progress_of(case(items=(item(1), item(2)), follow_up=entries))
    assert (first.status, first.latest) == ("已完成", entries[2])
    assert (second.status, second.latest) == ("推进中", entries[3])


@pytest.mark.parametrize("status, days", [
    ("未启动", 31), ("推进中", 31), ("已完成", 0), ("无法落实", 0),
])
def test_overdue_days(status: str, days: int) -> None:
    entries = (FollowUp(dt.date(2022, 4, 1), status, "说明", 1),) if status != "未启动" else ()
    (only,) = progress_of(case(items=(item(1, dt.date(2022, 5, 31)),), follow_up=entries))
    assert only.days_overdue == days and only.overdue == (days > 0)


def test_due_on_the_as_of_day_is_not_overdue_yet() -> None:
    (only,) = progress_of(case(items=(item(1, AS_OF),)))
    assert only.days_overdue == 0
    (later,) = progress_of(case(items=(item(1, AS_OF),)), AS_OF + dt.timedelta(days=1))
    assert later.days_overdue == 1


def test_an_item_without_due_date_is_never_overdue() -> None:
    (only,) = progress_of(case(items=(item(1),)), dt.date(2099, 1, 1))
    assert not only.overdue


# Cases.


def status_of(c: Case, as_of: dt.date = AS_OF) -> str:
    return model.case_status(c, progress_of(c, as_of), as_of)


def test_case_statuses() -> None:
    done = FollowUp(dt.date(2022, 4, 1), "已完成", "完成", 1)
    impossible = FollowUp(dt.date(2022, 4, 1), "无法落实", "说明", 2)
    assert status_of(case(date=dt.date(2022, 7, 2), consensus=False)) == model.ANNOUNCED
    assert status_of(case(reached=False, items=())) == model.NO_CONSENSUS
    assert status_of(case(consensus=False)) == model.NO_CONSENSUS  # e.g. a withdrawn record
    assert status_of(case(items=(item(1), item(2)), follow_up=(done, impossible))) == \
        model.CONCLUDED
    assert status_of(case(items=(item(1, dt.date(2022, 6, 1)), item(2)))) == model.OVERDUE
    assert status_of(case(items=(item(1, dt.date(2022, 8, 1)), item(2)))) == model.IN_PROGRESS
    assert set(model.CASE_STATUSES) == {
        model.ANNOUNCED, model.NO_CONSENSUS, model.CONCLUDED, model.OVERDUE, model.IN_PROGRESS}


def test_a_case_on_the_as_of_day_is_no_longer_announced() -> None:
    assert status_of(case(date=AS_OF), AS_OF) != model.ANNOUNCED


def test_satisfaction_adds_up() -> None:
    c = case(satisfaction=Satisfaction(30, 5, 1))
    c = dataclasses.replace(c, evaluation=(*c.evaluation, Evaluation(AS_OF, "委员评议", None),
                                           Evaluation(AS_OF, "党政点评", Satisfaction(1, 1, 2))))
    assert c.satisfaction == Satisfaction(31, 6, 3)
    assert c.satisfaction.share == pytest.approx(37 / 40)
    assert Satisfaction().share is None


# Platforms and roll-up figures over a three-level tree.


def platform(platform_id: str, level: str, parent: str | None = None,
             method: model.Method | None = None) -> Platform:
    return Platform(platform_id, f"content/platforms/{platform_id}.yml", platform_id, level,
                    "地区", "主办单位", parent_id=parent, method=method)


METHOD = model.Method("三步法", ("征集", "协商", "落实"))
PLATFORMS = (
    platform("city", "市", method=METHOD),
    platform("district", "县区", "city"),
    platform("street", "乡镇街道", "district"),
    platform("street-2", "乡镇街道", "district", model.Method("两步法", ("议", "办"))),
    platform("other", "县区"),
)


def tree_archive() -> Archive:
    done = FollowUp(dt.date(2022, 4, 1), "已完成", "完成", 1)
    cases = (
        case("a", "street", items=(item(1), item(2, dt.date(2022, 5, 1))), follow_up=(done,),
             people=10, satisfaction=Satisfaction(8, 1, 1)),
        case("b", "street-2", items=(item(1),), follow_up=(done,), people=5),
        case("c", "district", items=(item(1, dt.date(2022, 6, 1)),), people=7,
             satisfaction=Satisfaction(1, 0, 1)),
        case("d", "city", reached=False, items=(), people=3),
        case("e", "street", people=100, withdrawn=Withdrawal(dt.date(2022, 4, 1), "重复")),
        case("f", "other", people=1, date=dt.date(2022, 8, 1), consensus=False),
    )
    return Archive(PLATFORMS, cases, AS_OF)


def test_roll_up_figures_count_everything_below() -> None:
    archive = tree_archive()
    assert archive.figures("street") == model.Figures(
        cases=1, participants=10, items=2, items_done=1, items_overdue=1,
        satisfaction=Satisfaction(8, 1, 1))
    assert archive.figures("district") == model.Figures(
        cases=3, participants=22, items=4, items_done=2, items_overdue=2,
        satisfaction=Satisfaction(9, 1, 2))
    assert archive.figures("city") == model.Figures(
        cases=4, participants=25, items=4, items_done=2, items_overdue=2,
        satisfaction=Satisfaction(9, 1, 2))
    assert archive.figures("other") == model.Figures(cases=1, participants=1)
    assert archive.figures() == archive.figures("city") + archive.figures("other")
    assert archive.figures("city").done_share == 0.5
    assert archive.figures("city").satisfaction.share == pytest.approx(10 / 12)


def test_withdrawn_cases_are_not_counted_or_listed() -> None:
    archive = tree_archive()
    assert archive.view("e").withdrawn and archive.view("e").figures() == model.Figures()
    assert sorted(v.case.id for v in archive.published()) == ["a", "b", "c", "d", "f"]


def test_statuses_in_the_archive() -> None:
    archive = tree_archive()
    assert {cid: archive.view(cid).status for cid in "abcdf"} == {
        "a": model.OVERDUE, "b": model.CONCLUDED, "c": model.OVERDUE,
        "d": model.NO_CONSENSUS, "f": model.ANNOUNCED,
    }


def test_the_tree() -> None:
    archive = tree_archive()
    assert [p.id for p in archive.roots] == ["city", "other"]
    assert [p.id for p in archive.children("district")] == ["street", "street-2"]
    assert [p.id for p in archive.ancestors("street")] == ["district", "city"]
    assert [p.id for p in archive.descendants("city")] == ["district", "street", "street-2"]
    assert archive.method_of("street") == METHOD
    assert archive.method_of("street-2") == model.Method("两步法", ("议", "办"))
    assert archive.method_of("other") is None


def test_the_model_is_immutable() -> None:
    archive = tree_archive()
    with pytest.raises(dataclasses.FrozenInstanceError):
        archive.cases["a"].title = "改"  # type: ignore[misc]
    with pytest.raises(TypeError):
        archive.cases["z"] = archive.cases["a"]  # type: ignore[index]


def test_paragraphs() -> None:
    assert model.paragraphs("第一段\n第一段续\n\n\n第二段  \n") == ["第一段\n第一段续", "第二段"]
    assert model.paragraphs(None) == [] and model.paragraphs(" \n") == []


def test_an_archive_pickles_as_what_it_is_made_of() -> None:
    """The warm build's state holds the archive: its derived values are made again when
    it is read, not written, and every record comes back equal."""
    items = (item(1, due=dt.date(2020, 1, 1)), item(2))
    follow_up = (FollowUp(dt.date(2022, 4, 1), "已完成", "完成", 1),)
    original = Archive(PLATFORMS, (case("a", items=items, follow_up=follow_up), case("b")),
                       AS_OF)

    data = pickle.dumps(original, protocol=pickle.HIGHEST_PROTOCOL)
    read = pickle.loads(data)

    assert b"CaseView" not in data and b"ItemProgress" not in data
    assert dict(read.cases) == dict(original.cases)
    assert dict(read.platforms) == dict(original.platforms)
    assert dict(read.views) == dict(original.views)
    assert read.figures() == original.figures()
    assert read.as_of == original.as_of


@pytest.mark.parametrize("record", [
    ConsensusItem(1, "修好", "物业", dt.date(2022, 6, 1)),
    FollowUp(dt.date(2022, 4, 2), "推进中", "整体进展"),
    model.Satisfaction(3, 2, 1),
])
def test_records_pickle_back_equal(record: object) -> None:
    assert pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)) == record
