"""Model objects for render tests, built directly (no YAML, no validator).

Also checks that the factories build what the tests expect of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from generator.records import model

AS_OF = dt.date(2024, 6, 1)


def platform(id: str = "root", **fields: Any) -> model.Platform:
    values: dict[str, Any] = {
        "source_path": f"content/platforms/{id}.yml",
        "name": "欢迎来协商",
        "level": "县区",
        "region": "山西省太原市迎泽区",
        "host": "迎泽区政协",
    }
    values.update(fields)
    return model.Platform(id=id, **values)


def case(id: str = "2024-case", **fields: Any) -> model.Case:
    values: dict[str, Any] = {
        "source_path": f"content/cases/{id}.yml",
        "title": "机电小区地下室积水",
        "platform_id": "root",
        "date": dt.date(2024, 3, 18),
        "form": "会议协商",
        "topic": model.Topic("群众反映", ("老旧小区",), "地下室长期积水。"),
        "participants": model.Participants((model.Group("群众代表", 12),)),
        "consensus": model.Consensus(
            "先修后算。",
            items=(model.ConsensusItem(1, "修复漏水管道", "物业公司", dt.date(2024, 5, 1)),),
        ),
    }
    values.update(fields)
    return model.Case(id=id, **values)


def archive(
    platforms: tuple[model.Platform, ...] | None = None,
    cases: tuple[model.Case, ...] = (),
    as_of: dt.date = AS_OF,
) -> model.Archive:
    return model.Archive(platforms or (platform(),), cases, as_of)


def many_cases(count: int, start: dt.date = dt.date(2020, 1, 1)) -> tuple[model.Case, ...]:
    base = case()
    return tuple(
        replace(base, id=f"c{n:05d}", source_path=f"content/cases/c{n:05d}.yml",
                title=f"议题 {n}", date=start + dt.timedelta(days=n % 1500))
        for n in range(count)
    )


def test_factories_build_a_consistent_archive() -> None:
    built = archive(cases=(case(),))
    assert built.view("2024-case").status == model.OVERDUE
    assert built.figures().cases == 1
