"""Atom feeds: what each holds, read back with a real feed parser (feedparser) and with
expat, from model objects, from the built sample site and from a crafted git history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml

from generator.feeds import addresses, entries
from generator.feeds.atom import feed_files
from generator.feeds.entries import NEWEST_PLATFORM, NEWEST_SITE
from generator.feeds.texts import WITHDRAWN_TITLE
from generator.options import Options
from generator.records import model
from generator.records.archive import load_archive
from generator.records.problems import RecordError
from generator.records.revisions import (
    BEIJING,
    FIRST_PUBLISHED,
    NO_HISTORY,
    NOTHING_CHANGED,
    Histories,
    Revision,
)
from generator.site import render
from generator.site.build import build_docs, hand_written_pages
from tests import test_render_factory as factory
from tests.conftest import AS_OF, CASE
from tests.git_repo import Repo
from tests.test_site_helpers import (
    ROOT,
    SAMPLE_AS_OF,
    SAMPLE_CONTENT,
    Build,
    build_site,
    parse,
)

SITE_URL = "https://example.org/archive/"
OPTIONS = Options(site_url=SITE_URL, site_name="基层协商档案")
RFC3339_BEIJING = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def parsed(data: bytes) -> Any:
    """The feed as feedparser reads it; it must be well-formed XML 1.0 for expat too."""
    ET.fromstring(data)
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def only_feeds(files: dict[str, bytes]) -> dict[str, bytes]:
    """Without the sitemaps beside them (``generator/feeds/sitemaps.py``)."""
    return {path: data for path, data in files.items() if not path.endswith("/sitemap.xml")}


def feeds_of(archive: model.Archive, histories: Histories = NO_HISTORY,
             options: Options = OPTIONS) -> dict[str, Any]:
    files = feed_files(archive, histories, options)
    return {path: parsed(data) for path, data in only_feeds(files).items()}


def address(case_id: str) -> str:
    return f"{SITE_URL}cases/{case_id}/"


def revision(commit: str, when: dt.datetime, *changes: str, subject: str = "修改记录") -> Revision:
    return Revision(commit * 40, when, subject, "content/cases/x.yml", tuple(changes))


def beijing(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=BEIJING)  # type: ignore[misc]


def histories(**by_case: tuple[Revision, ...]) -> Histories:
    return Histories(MappingProxyType({k.replace("_", "-"): v for k, v in by_case.items()}),
                     "f" * 40)


# ---------------------------------------------------------------------------
# From model objects.


def test_a_preview_without_site_url_has_no_feeds_and_announces_none() -> None:
    archive = factory.archive(cases=(factory.case(),))
    assert feed_files(archive, NO_HISTORY, Options()) == {}
    tree = dict(render.render(archive, Options()))
    assert not [path for path in tree if "feed" in path]
    for page in ("index.md", "platforms/root/index.md", "follow-up/index.md"):
        text = tree[page].decode()
        assert "订阅" not in text and "application/atom+xml" not in text
        assert "feed" not in yaml.safe_load(text.split("---\n")[1])


def test_every_page_announces_the_cases_feed_only_with_site_url() -> None:
    from generator.engine.plugin import _site_feed

    assert _site_feed(Options()) is None
    assert _site_feed(OPTIONS) == {"href": "feeds/cases.xml",
                                   "title": "基层协商档案：新发布和修订的协商案例"}


def test_a_build_with_site_url_links_and_announces_its_feeds() -> None:
    archive = factory.archive(cases=(factory.case(),))
    tree = dict(render.render(archive, OPTIONS, render.Extras(
        files=feed_files(archive, NO_HISTORY, OPTIONS))))
    assert {"feeds/cases.xml", "feeds/follow-up.xml", "platforms/root/feed.xml"} <= set(tree)
    expected = {"index.md": "feeds/cases.xml", "platforms/root/index.md": "./feed.xml",
                "follow-up/index.md": "../feeds/follow-up.xml"}
    for page, href in expected.items():
        (link,) = parse(tree[page].decode()).find("a", type="application/atom+xml")
        assert (link.text, link.attrs["href"]) == ("订阅", href)
    platform_meta = yaml.safe_load(tree["platforms/root/index.md"].decode().split("---\n")[1])
    assert platform_meta["feed"] == "platforms/root/feed.xml"
    assert platform_meta["feed_title"] == "本平台及全部下级平台新发布和修订的协商案例"


def test_a_hand_written_page_cannot_take_the_feeds_folder(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "feeds.md").write_text("# 订阅\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        hand_written_pages(tmp_path)
    assert "页面文件名 feeds.md 已被生成的页面占用" in caught.value.problems[0].message


def test_each_feed_folder_has_a_sitemap_of_its_feeds_for_the_theme() -> None:
    archive = factory.archive(platforms=TREE[:2])
    files = feed_files(archive, NO_HISTORY, OPTIONS)
    sitemaps = {path: data for path, data in files.items() if path.endswith("/sitemap.xml")}
    assert set(sitemaps) == {"feeds/sitemap.xml", "platforms/city/sitemap.xml",
                             "platforms/district/sitemap.xml"}
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

    def listed(path: str) -> list[str]:
        root = ET.fromstring(sitemaps[path])
        assert root.tag == f"{namespace}urlset"
        return [loc.text or "" for loc in root.iter(f"{namespace}loc")]

    assert listed("feeds/sitemap.xml") == [f"{SITE_URL}feeds/cases.xml",
                                           f"{SITE_URL}feeds/follow-up.xml"]
    assert listed("platforms/city/sitemap.xml") == [f"{SITE_URL}platforms/city/feed.xml"]


def test_an_entry_per_revision_with_ids_from_commits() -> None:
    archive = factory.archive(cases=(factory.case(),))
    made = (
        revision("c", beijing(2024, 5, 3, 9, 30), NOTHING_CHANGED),  # layout only: left out
        revision("b", beijing(2024, 4, 2, 18, 5), "新增跟踪落实 1 条", "群众评议“满意” 31 → 28",
                 subject="补充进展"),
        revision("a", beijing(2024, 3, 20, 8, 0), FIRST_PUBLISHED, subject="新增案例"),
    )
    feed = feeds_of(archive, histories(**{"2024_case": made}))["feeds/cases.xml"]
    assert [e.id for e in feed.entries] == [f"{address('2024-case')}#revision-{'b' * 40}",
                                            f"{address('2024-case')}#revision-{'a' * 40}"]
    assert [e.updated for e in feed.entries] == ["2024-04-02T18:05:00+08:00",
                                                 "2024-03-20T08:00:00+08:00"]
    assert feed.feed.updated == "2024-04-02T18:05:00+08:00"  # its newest entry's, not the build's
    revised, first = feed.entries
    assert revised.title == "修订：机电小区地下室积水"
    assert revised.summary == "新增跟踪落实 1 条\n群众评议“满意” 31 → 28\n修改说明：补充进展"
    assert first.title == "新案例：机电小区地下室积水"
    assert "地下室长期积水。" in first.summary and "修改说明：新增案例" in first.summary
    assert {e.link for e in feed.entries} == {address("2024-case")}


def test_without_history_an_entry_per_case_dated_by_its_record() -> None:
    followed = factory.case("2024-followed", follow_up=(
        model.FollowUp(dt.date(2024, 4, 9), "推进中", "已开工", 1),))
    archive = factory.archive(cases=(factory.case(), followed))
    feed = feeds_of(archive)["feeds/cases.xml"]
    assert [(e.id, e.updated) for e in feed.entries] == [
        (address("2024-followed"), "2024-04-09T00:00:00+08:00"),  # its latest follow-up
        (address("2024-case"), "2024-03-18T00:00:00+08:00"),  # its consultation day
    ]
    assert feed.entries[1].title == "机电小区地下室积水"


def test_the_feed_itself_is_described() -> None:
    archive = factory.archive(cases=(factory.case(),))
    feeds = feeds_of(archive)
    cases = feeds["feeds/cases.xml"].feed
    assert cases.id == f"{SITE_URL}feeds/cases.xml"
    assert cases.title == "基层协商档案：新发布和修订的协商案例"
    assert cases.language == "zh-CN"
    assert cases.author_detail.name == "基层协商档案"
    links = {link.rel: (link.href, link.type) for link in cases.links}
    assert links == {"self": (f"{SITE_URL}feeds/cases.xml", "application/atom+xml"),
                     "alternate": (SITE_URL, "text/html")}
    platform = feeds["platforms/root/feed.xml"].feed
    assert {link.rel: link.href for link in platform.links} == {
        "self": f"{SITE_URL}platforms/root/feed.xml", "alternate": f"{SITE_URL}platforms/root/"}
    follow_up = feeds["feeds/follow-up.xml"].feed
    assert {link.rel: link.href for link in follow_up.links}["alternate"] == f"{SITE_URL}follow-up/"


def test_only_the_newest_entries() -> None:
    archive = factory.archive(cases=factory.many_cases(120))
    feeds = feeds_of(archive)
    newest_first = sorted(archive.cases.values(), key=lambda c: (c.date, c.id), reverse=True)
    site = feeds["feeds/cases.xml"].entries
    assert len(site) == NEWEST_SITE == 50
    assert [e.id for e in site] == [address(c.id) for c in newest_first[:NEWEST_SITE]]
    platform = feeds["platforms/root/feed.xml"].entries
    assert len(platform) == NEWEST_PLATFORM == 20
    assert [e.id for e in platform] == [e.id for e in site[:NEWEST_PLATFORM]]
    assert len(feeds["feeds/follow-up.xml"].entries) == NEWEST_SITE


TREE = (
    factory.platform("city", level="市"),
    factory.platform("district", parent_id="city", level="县区"),
    factory.platform("street", parent_id="district", level="乡镇街道"),
    factory.platform("street-2", parent_id="district", level="乡镇街道"),
    factory.platform("elsewhere", level="市"),
)


def test_a_platform_feed_covers_its_subtree_and_nothing_else() -> None:
    cases = tuple(factory.case(f"2024-{p.id}", platform_id=p.id) for p in TREE)
    feeds = feeds_of(factory.archive(platforms=TREE, cases=cases))

    def case_ids(platform_id: str) -> set[str]:
        feed = feeds[addresses.platform_feed(platform_id)]
        return {e.link.removeprefix(f"{SITE_URL}cases/").strip("/") for e in feed.entries}

    assert case_ids("city") == {"2024-city", "2024-district", "2024-street", "2024-street-2"}
    assert case_ids("district") == {"2024-district", "2024-street", "2024-street-2"}
    assert case_ids("street") == {"2024-street"}
    assert case_ids("elsewhere") == {"2024-elsewhere"}
    assert feeds[addresses.platform_feed("street")].feed.title == (
        "欢迎来协商（山西省太原市迎泽区）及下级平台的协商案例")


def test_platform_feeds_are_each_subtrees_newest_however_the_tree_is_shaped() -> None:
    """``by_platform`` merges children's newest up the tree; compared with choosing
    from every case of the subtree directly."""
    rng = random.Random(7)
    platforms = [factory.platform("p0")]
    for n in range(1, 40):
        platforms.append(factory.platform(f"p{n}", parent_id=rng.choice(platforms).id))
    cases = tuple(
        factory.case(f"c{n:03d}", platform_id=rng.choice(platforms).id,
                     date=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(30)))
        for n in range(300))
    archive = factory.archive(platforms=tuple(platforms), cases=cases)
    made = entries.case_entries(archive, NO_HISTORY)
    chosen = entries.by_platform(archive, made, 5)
    for platform in platforms:
        below = {platform.id, *(p.id for p in archive.descendants(platform.id))}
        direct = sorted((e for e in made if archive.cases[e.case_id].platform_id in below),
                        reverse=True)[:5]
        assert chosen[platform.id] == direct, platform.id


def test_follow_up_feed_has_follow_ups_and_items_that_turned_overdue() -> None:
    items = (
        model.ConsensusItem(1, "修复漏水管道", "物业公司", dt.date(2024, 4, 30)),  # open, overdue
        model.ConsensusItem(2, "抽排积水", "社区居委会", dt.date(2024, 4, 10)),  # done late
        model.ConsensusItem(3, "清理杂物", "社区居委会", dt.date(2024, 5, 20)),  # done in time
        model.ConsensusItem(4, "加装水泵", "物业公司", dt.date(2024, 6, 1)),  # due after as-of
    )
    follow_up = (
        model.FollowUp(dt.date(2024, 4, 8), "推进中", "已开始抽排", 2),
        model.FollowUp(dt.date(2024, 4, 8), "推进中", "同日第二条", 2),
        model.FollowUp(dt.date(2024, 4, 20), "已完成", "积水已抽干", 2),
        model.FollowUp(dt.date(2024, 5, 2), "已完成", "杂物已清理", 3),
        model.FollowUp(dt.date(2024, 5, 5), "推进中", "整体进展顺利"),
    )
    case = factory.case(consensus=model.Consensus("先修后算。", items=items), follow_up=follow_up)
    withdrawn = factory.case("2024-gone", title="撤回的议题", follow_up=follow_up,
                             withdrawn=model.Withdrawal(dt.date(2024, 5, 1), "重复"))
    archive = factory.archive(cases=(case, withdrawn))  # as of 2024-06-01
    feed = feeds_of(archive)["feeds/follow-up.xml"]
    here = address("2024-case")
    assert [(e.id.removeprefix(here), e.updated[:10], e.title) for e in feed.entries] == [
        ("#follow-up-2024-05-05-case", "2024-05-05", "【推进中】机电小区地下室积水"),
        ("#follow-up-2024-05-02-item-3", "2024-05-02", "【已完成】清理杂物"),
        ("#overdue-1-2024-04-30", "2024-05-01", "【逾期】修复漏水管道"),
        ("#follow-up-2024-04-20-item-2", "2024-04-20", "【已完成】抽排积水"),
        ("#overdue-2-2024-04-10", "2024-04-11", "【逾期】抽排积水"),
        ("#follow-up-2024-04-08-item-2-2", "2024-04-08", "【推进中】抽排积水"),
        ("#follow-up-2024-04-08-item-2", "2024-04-08", "【推进中】抽排积水"),
    ]
    assert all(e.link == here for e in feed.entries)  # nothing of the withdrawn case
    by_id = {e.id.removeprefix(here): e for e in feed.entries}
    assert by_id["#overdue-1-2024-04-30"].summary == (
        "机电小区地下室积水\n共识事项第 1 项：修复漏水管道（责任单位：物业公司）\n"
        "完成时限 2024年4月30日，到期未完成，目前状态：未启动。")
    assert "2024年4月20日已完成，晚于完成时限" in by_id["#overdue-2-2024-04-10"].summary
    done = by_id["#follow-up-2024-04-20-item-2"]
    assert done.summary.endswith("2024年4月20日，已完成：积水已抽干")


def test_the_follow_up_feed_keeps_its_newest_however_many_there_are() -> None:
    """Entries are made only on the latest days; the result is the newest of all of them."""
    follow_ups = tuple(model.FollowUp(dt.date(2024, 3, 20) + dt.timedelta(days=n % 60), "推进中",
                                      f"第 {n} 次", 1) for n in range(200))
    cases = tuple(factory.case(f"2024-c{n}", follow_up=follow_ups) for n in range(3))
    archive = factory.archive(cases=cases)
    every = entries.follow_up_entries(archive)
    assert entries.newest(entries.follow_up_entries(archive, NEWEST_SITE), NEWEST_SITE) == (
        entries.newest(every, NEWEST_SITE))
    assert len({(e.case_id, e.anchor) for e in every}) == len(every)  # ids unique


def test_a_withdrawn_case_shows_nothing_of_its_record() -> None:
    secret = dataclasses.replace(
        factory.case("2024-gone", title="不该再出现的议题", venue="秘密会场",
                     topic=model.Topic("群众反映", ("秘密分类",), "不该再出现的背景")),
        withdrawn=model.Withdrawal(dt.date(2024, 5, 6), "与另一案例重复"))
    archive = factory.archive(cases=(secret,))
    made = (revision("e", beijing(2024, 5, 6, 10, 0), subject="撤回重复案例"),  # changes: ()
            revision("d", beijing(2024, 3, 20, 8, 0), subject="新增案例"))
    for history in (NO_HISTORY, histories(**{"2024_gone": made})):
        files = feed_files(archive, history, OPTIONS)
        for data in files.values():
            text = data.decode()
            for withdrawn in ("不该再出现", "秘密", "机电", "物业公司", "修复漏水管道"):
                assert withdrawn not in text
        (entry,) = parsed(files["feeds/cases.xml"]).entries
        assert entry.title == WITHDRAWN_TITLE == "此记录已撤回"
        assert entry.summary.startswith("此记录已于2024年5月6日撤回。\n撤回原因：与另一案例重复")
        assert entry.updated.startswith("2024-05-06T")
    assert entry.id == f"{address('2024-gone')}#revision-{'e' * 40}"
    assert entry.summary.endswith("修改说明：撤回重复案例")


HOSTILE = "<script>alert(1)</script> & ]]> \x01\x0b\x1f\ufffe\ufeff 'quote\" \ud800末尾"
SHOWN = "<script>alert(1)</script> & ]]> \ufeff 'quote\" 末尾"


def test_hostile_record_text_is_escaped_and_forbidden_characters_dropped() -> None:
    platform = factory.platform(name=f"平台{HOSTILE}", region="<b>地区</b>")
    item = model.ConsensusItem(1, HOSTILE, HOSTILE, dt.date(2024, 4, 1))
    case = factory.case(
        title=HOSTILE, topic=model.Topic("群众反映", ("分类",), f"背景{HOSTILE}"),
        consensus=model.Consensus("共识", items=(item,)),
        follow_up=(model.FollowUp(dt.date(2024, 3, 25), "推进中", HOSTILE, 1),))
    archive = factory.archive(platforms=(platform,), cases=(case,))
    made = (revision("9", beijing(2024, 4, 1, 8, 0), HOSTILE, subject=HOSTILE),)
    for history in (NO_HISTORY, histories(**{"2024_case": made})):
        files = feed_files(archive, history, dataclasses.replace(OPTIONS, site_name=HOSTILE))
        for data in only_feeds(files).values():
            assert b"<script>" not in data and b"]]>" not in data
            feed = parsed(data)
            assert feed.feed.author_detail.name == " ".join(SHOWN.split())
            for entry in feed.entries:
                assert "\x01" not in entry.title + entry.summary
        cases = parsed(files["feeds/cases.xml"])
        assert SHOWN in cases.entries[0].title.replace("修订：", "")
        assert cases.feed.title.startswith(" ".join(SHOWN.split()))
    follow_up = parsed(files["feeds/follow-up.xml"])
    assert any(SHOWN in e.summary for e in follow_up.entries)


def test_feeds_are_the_same_bytes_from_the_same_archive() -> None:
    archive = factory.archive(platforms=TREE, cases=tuple(
        factory.case(f"2024-{p.id}", platform_id=p.id) for p in TREE))
    assert feed_files(archive, NO_HISTORY, OPTIONS) == feed_files(archive, NO_HISTORY, OPTIONS)
    later = factory.archive(platforms=TREE, cases=tuple(archive.cases.values()),
                            as_of=factory.AS_OF + dt.timedelta(days=3))
    # A later as-of day changes nothing that has not happened: no build time anywhere.
    assert feed_files(later, NO_HISTORY, OPTIONS) == feed_files(archive, NO_HISTORY, OPTIONS)


# ---------------------------------------------------------------------------
# The built sample site (the session's shared build).


def sample_feeds(site: Build) -> dict[str, bytes]:
    return {path.relative_to(site.site).as_posix(): path.read_bytes()
            for path in site.site.rglob("*.xml") if path.name != "sitemap.xml"}


def test_every_feed_of_the_sample_site_parses_and_links_to_case_pages(site: Build) -> None:
    feeds = sample_feeds(site)
    platform_ids = sorted(p.stem for p in (SAMPLE_CONTENT / "platforms").glob("*.yml"))
    assert set(feeds) == {"feeds/cases.xml", "feeds/follow-up.xml",
                          *(f"platforms/{p}/feed.xml" for p in platform_ids)}
    site_url = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
    for path, data in feeds.items():
        feed = parsed(data)
        assert feed.feed.id == site_url + path
        assert RFC3339_BEIJING.match(feed.feed.updated), path
        limit = NEWEST_PLATFORM if path.startswith("platforms/") else NEWEST_SITE
        assert 0 < len(feed.entries) <= limit, path
        ids = [e.id for e in feed.entries]
        assert len(set(ids)) == len(ids), path
        updated = [e.updated for e in feed.entries]
        assert all(RFC3339_BEIJING.match(u) for u in updated), path
        assert updated == sorted(updated, reverse=True) and feed.feed.updated == updated[0]
        for entry in feed.entries:
            assert entry.id.startswith(entry.link)
            page = entry.link.removeprefix(site_url)
            assert re.fullmatch(r"cases/[a-z0-9-]+/", page) and (site.site / page).is_dir()


def test_a_platform_feed_of_the_sample_holds_its_subtree(site: Build) -> None:
    archive = load_archive(SAMPLE_CONTENT, as_of=SAMPLE_AS_OF)
    below = {"yingze", *(p.id for p in archive.descendants("yingze"))}
    subtree = {c.id for c in archive.cases.values() if c.platform_id in below}
    feed = parsed((site.site / "platforms" / "yingze" / "feed.xml").read_bytes())
    shown = {e.link.rstrip("/").rsplit("/", 1)[1] for e in feed.entries}
    assert shown == subtree  # fewer than NEWEST_PLATFORM: all of them
    assert not any(archive.cases[c].platform_id.startswith("qinshui") for c in shown)
    withdrawn = archive.cases["2022-jidian-xiaoqu-loushui"]
    assert withdrawn.withdrawn is not None
    (entry,) = [e for e in feed.entries if e.link.endswith("/2022-jidian-xiaoqu-loushui/")]
    assert entry.title == "此记录已撤回"
    assert withdrawn.title not in (site.site / "platforms" / "yingze" / "feed.xml").read_text()


def _atom_links(site: Build, url: str) -> dict[str, str]:
    """The feeds a page announces, by title: the linked file, relative to the site."""
    file = site.site / url if url.endswith(".html") else site.site / url / "index.html"
    html, folder = file.read_text(encoding="utf-8"), file.parent
    links = parse(html).find("link", rel="alternate", type="application/atom+xml")
    found = {}
    for link in links:
        href = link.attrs["href"]
        if href.startswith("/"):  # the 404 page's links start at the site's path
            folder, href = site.site, href.removeprefix(urlsplit(SITE_URL).path)
        target = (folder / href).resolve()
        assert target.is_file(), (url, link.attrs["href"])
        # Material requests sitemap.xml beside every rel=alternate link: it must be there.
        assert (target.parent / "sitemap.xml").is_file(), (url, link.attrs["href"])
        found[link.attrs["title"]] = target.relative_to(site.site.resolve()).as_posix()
    return found


def test_every_page_announces_the_cases_feed_and_its_own(site: Build) -> None:
    everywhere = {"基层协商档案：新发布和修订的协商案例": "feeds/cases.xml"}
    for url in ("", "cases/2022-jidian-xiaoqu-jishui/", "cases/2022-jidian-xiaoqu-loushui/",
                "about/", "categories/", "years/2022/", "search/", "platforms/", "404.html"):
        assert _atom_links(site, url) == everywhere, url
    assert _atom_links(site, "follow-up/") == {
        **everywhere, "基层协商档案：共识事项的办理进展和逾期": "feeds/follow-up.xml"}
    archive = load_archive(SAMPLE_CONTENT, as_of=SAMPLE_AS_OF)
    # Parts of a page are rendered once per place (RenderedOnce): every platform page checked.
    for platform in archive.platforms.values():
        assert _atom_links(site, f"platforms/{platform.id}/") == {
            **everywhere, addresses.PLATFORM_LINK_TITLE: f"platforms/{platform.id}/feed.xml"}


def test_home_platform_and_follow_up_pages_show_a_subscribe_link(site: Build) -> None:
    for url, feed in (("", "feeds/cases.xml"), ("platforms/qinshui/", "platforms/qinshui/feed.xml"),
                      ("follow-up/", "feeds/follow-up.xml")):
        (link,) = site.page(url).find("a", type="application/atom+xml")
        assert link.text == "订阅"
        assert (site.site / url / link.attrs["href"]).resolve() == (site.site / feed).resolve()
        assert "RSS 阅读器" in link.attrs["title"]
        assert "有新内容时阅读器会自动收到" in site.page(url).text
    assert not site.page("cases/2022-jidian-xiaoqu-jishui/").find("a", type="application/atom+xml")


# ---------------------------------------------------------------------------
# From a crafted git history.


def _add_follow_up(repo: Repo) -> None:
    text = repo.case_path("2022-jishui").read_text(encoding="utf-8")
    text = text.replace("    note: 已更换阀门 3 处\n",
                        "    note: 已更换阀门 3 处\n  - date: 2022-06-20\n    item: 1\n"
                        "    status: 已完成\n    note: 管道已修复\n")
    repo.case_path("2022-jishui").write_text(text, encoding="utf-8")


def test_feeds_from_a_git_history(tmp_path: Path) -> None:
    repo = Repo.create(tmp_path / "repo")
    repo.write_platforms()
    repo.write("cases/yingze/2022-jishui.yml", CASE)
    repo.write("cases/yingze/2022-loushui.yml", CASE.replace("机电小区地下室漏水", "三号楼漏水"))
    first = repo.commit("两个案例")
    _add_follow_up(repo)
    second = repo.commit("补充办理进展")
    repo.append("2022-loushui", "withdrawn:\n  date: 2023-01-05\n  reason: 与 2022-jishui 重复\n")
    third = repo.commit("撤回重复的案例")

    build = build_site(tmp_path / "build", repo.dir, AS_OF)
    cases = parsed((build.site / "feeds" / "cases.xml").read_bytes())
    jishui, loushui = address("2022-jishui"), address("2022-loushui")
    assert [(e.id, e.updated, e.title) for e in cases.entries] == [
        (f"{loushui}#revision-{third}", "2023-11-18T06:13:20+08:00", "此记录已撤回"),
        (f"{jishui}#revision-{second}", "2023-11-17T06:13:20+08:00", "修订：机电小区地下室漏水"),
        (f"{jishui}#revision-{first}", "2023-11-16T06:13:20+08:00", "新案例：机电小区地下室漏水"),
    ]
    assert cases.feed.updated == "2023-11-18T06:13:20+08:00"
    assert cases.entries[1].summary.endswith("修改说明：补充办理进展")
    assert "跟踪落实" in cases.entries[1].summary
    assert "三号楼" not in (build.site / "feeds" / "cases.xml").read_text(encoding="utf-8")
    street = parsed((build.site / "platforms" / "street" / "feed.xml").read_bytes())
    assert [e.id for e in street.entries] == [e.id for e in cases.entries]
    follow_up = parsed((build.site / "feeds" / "follow-up.xml").read_bytes())
    assert [(e.id.removeprefix(jishui), e.updated) for e in follow_up.entries] == [
        ("#follow-up-2022-06-20-item-1", "2022-06-20T00:00:00+08:00"),
        ("#overdue-1-2022-05-31", "2022-06-01T00:00:00+08:00"),  # done on 2022-06-20: late
        ("#follow-up-2022-05-10-item-1", "2022-05-10T00:00:00+08:00"),
        ("#follow-up-2022-04-08-item-2", "2022-04-08T00:00:00+08:00"),  # done in time
    ]
    (link,) = build.page("").find("link", type="application/atom+xml")
    assert link.attrs["href"] == "feeds/cases.xml"

    # Another commit: the entries already published keep their ids and dates.
    text = repo.case_path("2022-jishui").read_text(encoding="utf-8")
    repo.case_path("2022-jishui").write_text(text.replace("满意: 30", "满意: 31"), "utf-8")
    fourth = repo.commit("更正评议人数")
    build_docs(repo.dir, tmp_path / "docs", dataclasses.replace(OPTIONS, as_of=AS_OF))
    again = parsed((tmp_path / "docs" / "feeds" / "cases.xml").read_bytes())
    assert [(e.id, e.updated) for e in again.entries] == [
        (f"{jishui}#revision-{fourth}", "2023-11-19T06:13:20+08:00"),
        *[(e.id, e.updated) for e in cases.entries]]
    assert "满意" in again.entries[0].summary and "30 → 31" in again.entries[0].summary
