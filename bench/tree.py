"""The synthetic province: about 2,200 platforms on five levels, and their files.

1 province (省), 11 cities (市), 117 counties and districts (县区), 620
streets and towns (乡镇街道) and 1,451 communities and villages (村社区):
the size of one real province's network. Each level's total is fixed; how the
children are spread over parents depends on the seed. The province has a
method; some cities and a few counties and towns bring their own, which every
platform below them inherits.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Final

from bench import vocab
from bench.emit import YamlLines

LEVELS: Final = ("省", "市", "县区", "乡镇街道", "村社区")
LEVEL_COUNTS: Final = {"省": 1, "市": 11, "县区": 117, "乡镇街道": 620, "村社区": 1451}
# The chance that a platform of each level has a method of its own.
OWN_METHOD: Final = (1.0, 0.35, 0.08, 0.02, 0.0)

Method = tuple[str, tuple[tuple[str, str], ...]]  # name, ((step, kind), ...)


@dataclass
class Place:
    """One platform, with what its file and its cases take from it."""

    id: str
    level: int  # index into LEVELS
    name: str  # 清河市
    parent: Place | None
    folder: str  # sub-folder of cases/ for its cases
    region: str
    brand: str
    method: Method | None  # its own; see effective
    effective: Method  # its own, else the nearest ancestor's
    unit: str  # the local body that convenes, e.g. 清河社区居委会
    county: str  # prefix for department names, e.g. 云川区
    established: dt.date
    contact: str | None = None
    long_description: bool = False
    taken: set[str] = field(default_factory=set)  # children's names and slugs


def build_tree(seed: int) -> list[Place]:
    """Every platform, parents before children, in a seed-determined order."""
    rng = random.Random(seed * 7_919 + 1)
    levels = [[_province()]]
    for level in range(1, len(LEVELS)):
        parents = levels[-1]
        counts = _spread(rng, LEVEL_COUNTS[LEVELS[level]], len(parents))
        levels.append([
            _child(rng, parent, level)
            for parent, n in zip(parents, counts, strict=True)
            for _ in range(n)
        ])
    return [place for level in levels for place in level]


def _province() -> Place:
    short, slug = vocab.PROVINCE
    method = vocab.METHODS[0]
    return Place(
        id=slug, level=0, name=f"{short}省", parent=None, folder=slug, region=f"{short}省",
        brand=vocab.BRANDS[0], method=method, effective=method, unit=f"{short}省政协",
        county=f"{short}省", established=dt.date(2016, 3, 1), contact="0350-2000000",
    )


def _spread(rng: random.Random, total: int, parents: int) -> list[int]:
    """`total` children over `parents`, at least one each, unevenly."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(parents)]
    counts = [1] * parents
    for index in rng.choices(range(parents), weights=weights, k=total - parents):
        counts[index] += 1
    return counts


def _child(rng: random.Random, parent: Place, level: int) -> Place:
    short, slug = _new_name(rng, parent)
    name = short + _suffix(rng, parent, level)
    method = rng.choice(vocab.METHODS[1:]) if rng.random() < OWN_METHOD[level] else None
    place_id = slug if level == 1 else f"{parent.id}-{slug}"
    return Place(
        id=place_id, level=level, name=name, parent=parent,
        folder=place_id.replace("-", "/") if level <= 2 else parent.folder,
        region=parent.region + name,
        brand=parent.brand if rng.random() < 0.7 else rng.choice(vocab.BRANDS),
        method=method, effective=method or parent.effective,
        unit=_unit(name, level), county=name if level == 2 else parent.county,
        established=parent.established + dt.timedelta(days=rng.randint(30, 600)),
        contact=_contact(rng) if level <= 2 and rng.random() < 0.6 else None,
        long_description=rng.random() < 0.5,
    )


def _new_name(rng: random.Random, parent: Place) -> tuple[str, str]:
    """A two-syllable name whose characters and pinyin are new among its siblings."""
    while True:
        (a, pa), (b, pb) = rng.sample(vocab.SYLLABLES, 2)
        short, slug = a + b, pa + pb
        if short not in parent.taken and slug not in parent.taken and slug != vocab.PROVINCE[1]:
            parent.taken.update((short, slug))
            return short, slug


def _suffix(rng: random.Random, parent: Place, level: int) -> str:
    if level == 1:
        return "市"
    if level == 2:
        return "区" if rng.random() < 0.4 else "县"
    if level == 3:
        if parent.name.endswith("区"):
            return rng.choice(("街道", "街道", "街道", "镇"))
        return rng.choice(("镇", "镇", "乡"))
    if parent.name.endswith("街道"):
        return "社区"
    return "村" if rng.random() < 0.75 else "社区"


def _unit(name: str, level: int) -> str:
    if level <= 2:
        return f"{name}政协"
    if name.endswith("街道"):
        return f"{name}办事处"
    if level == 3:
        return f"{name}人民政府"
    return f"{name}居委会" if name.endswith("社区") else f"{name}村民委员会"


def _contact(rng: random.Random) -> str:
    """A made-up landline of an office: area code, then 7 digits."""
    return f"0{rng.randint(350, 359)}-{rng.randint(2, 8)}{rng.randint(0, 999_999):06d}"


def platform_yaml(place: Place) -> str:
    out = YamlLines()
    out.key("name", place.brand)
    out.key("full_name", _full_name(place))
    out.key("level", LEVELS[place.level])
    if place.parent is not None:
        out.key("parent", place.parent.id)
    out.key("region", place.region)
    out.key("host", host(place))
    if place.method is not None:
        name, steps = place.method
        out.line("method:")
        out.key("name", name, indent=2)
        out.flow("steps", [step for step, _ in steps], indent=2)
    out.raw("established", place.established.isoformat())
    hall = "协商议事室" if place.level > 2 else "政协协商议事厅"
    out.key("venue", place.name + hall)
    if place.contact:
        out.key("contact", place.contact)
    out.text("description", _description(place))
    return out.render()


def _full_name(place: Place) -> str:
    if place.level <= 2:
        return f"{place.name}政协“{place.brand}”协商平台"
    kind = "协商议事室" if place.level == 3 else "协商议事点"
    return f"{place.name}“{place.brand}”{kind}"


def host(place: Place) -> str:
    if place.level <= 2:
        return f"{place.name}政协"
    if place.name.endswith("街道"):
        return f"{place.name}党工委"
    if place.level == 3 or place.name.endswith("社区"):
        return f"{place.name}党委"
    return f"{place.name}党支部"


def _description(place: Place) -> str:
    below = ("市级平台", "县区平台", "乡镇街道平台", "村社区议事点", "议事小组")[place.level]
    first = (
        f"{place.name}协商平台由{host(place)}负责运行，下设若干{below}，"
        f"政协委员按界别和居住地编入联络组，定期参加基层协商。"
    )
    note = "本平台及其案例均为性能测试生成的虚构数据。"
    if not place.long_description:
        return first + note
    second = (
        f"平台按照{place.effective[0]}组织协商，议题主要来自群众反映和党政部门点题，"
        f"协商形成的共识转交责任单位办理，办理进展在平台上公示。"
    )
    return f"{first}\n\n{second}{note}"
