"""Atom 1.0 feeds of the archive (RFC 4287), as files of the docs tree.

* ``feeds/cases.xml``: new and revised cases, an entry per revision (its
  changes and the commit's subject), the newest ``NEWEST_SITE``;
* ``feeds/follow-up.xml``: follow-ups, and consensus items that turned 逾期;
* ``platforms/<id>/feed.xml``: the cases feed of a platform and every
  platform below it, the newest ``NEWEST_PLATFORM``.

Entry ids are the case's permanent address with a fragment naming what the
entry reports (``entries``); every entry links to ``<site_url>cases/<id>/``.
Nothing depends on the build's time: a feed's ``updated`` is its newest
entry's (the as-of day for a feed without entries), so two builds of one
commit write the same bytes. XML is written by ``xml.etree.ElementTree``,
which escapes every text; characters XML 1.0 forbids are dropped first.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Final

from generator.feeds import addresses, entries, sitemaps, texts
from generator.feeds.entries import NEWEST_PLATFORM, NEWEST_SITE, Entry
from generator.options import Options
from generator.printing.qr import site_base
from generator.records import model
from generator.records.revisions import BEIJING, Histories

ATOM_NAMESPACE: Final = "http://www.w3.org/2005/Atom"
LANGUAGE: Final = "zh-CN"
_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
# What XML 1.0 allows in a document (its production [2] Char); anything else is dropped.
_DECLARATION: Final = '<?xml version="1.0" encoding="utf-8"?>\n'
_CLOSING: Final = "</feed>"
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Head:
    """What a feed says of itself."""

    path: str  # in the docs tree, e.g. feeds/cases.xml; below site_url, its address and id
    title: str
    subtitle: str
    page: str  # the page the feed follows, e.g. "" (home) or "follow-up/"


def feed_files(archive: model.Archive, histories: Histories, options: Options) -> dict[str, bytes]:
    """``feeds/cases.xml``, ``feeds/follow-up.xml`` and ``platforms/<id>/feed.xml``, as bytes,
    with a ``sitemap.xml`` in each of their folders for the theme (``sitemaps``).

    None without ``site_url`` (a preview): a feed's addresses must be absolute.
    """
    if not addresses.enabled(options):
        return {}
    base = site_base(options.site_url)
    writer = FeedWriter(archive, base, options.site_name)
    cases = entries.case_entries(archive, histories)
    follow_ups = entries.follow_up_entries(archive, NEWEST_SITE)
    files = {
        addresses.CASES: writer.feed(cases_head(options.site_name),
                                     entries.newest(cases, NEWEST_SITE)),
        addresses.FOLLOW_UP: writer.feed(follow_up_head(options.site_name),
                                         entries.newest(follow_ups, NEWEST_SITE)),
    }
    for platform_id, chosen in entries.by_platform(archive, cases, NEWEST_PLATFORM).items():
        head = platform_head(archive.platforms[platform_id])
        files[head.path] = writer.feed(head, chosen)
    return {**files, **sitemaps.folder_sitemaps(files, base)}


def cases_head(site_name: str) -> Head:
    return Head(addresses.CASES, addresses.cases_title(site_name),
                f"新发布和有修订的协商案例，每次修订一条，最新的 {NEWEST_SITE} 条", "")


def follow_up_head(site_name: str) -> Head:
    return Head(addresses.FOLLOW_UP, addresses.follow_up_title(site_name),
                f"共识事项的跟踪落实记录和到期未完成（逾期）的事项，最新的 {NEWEST_SITE} 条",
                "follow-up/")


def platform_head(platform: model.Platform) -> Head:
    return Head(addresses.platform_feed(platform.id), addresses.platform_title(platform),
                f"{platform.full_name or platform.name}及全部下级平台新发布和有修订的协商案例，"
                f"最新的 {NEWEST_PLATFORM} 条",
                f"platforms/{platform.id}/")


class FeedWriter:
    """Feeds of one archive. An entry is made into XML once, however many feeds show it
    (a case's entry is in the site-wide feed and in each of its platforms' feeds)."""

    def __init__(self, archive: model.Archive, base: str, site_name: str) -> None:
        self.archive = archive
        self.base = base  # site_url, ending in /
        self.site_name = site_name
        self._entries: dict[tuple[str, str], str] = {}

    def feed(self, head: Head, chosen: list[Entry]) -> bytes:
        """The feed of ``chosen`` entries (newest first) as UTF-8 XML.

        The feed's own elements and each entry are serialized by ElementTree;
        the entries' text goes in before the closing tag of the feed.
        """
        updated = chosen[0].updated if chosen else entries.midnight(self.archive.as_of)
        text = ET.tostring(self._head(head, updated), encoding="unicode")
        assert text.endswith(_CLOSING)  # the head has children: never an empty-element tag
        body = "".join(self._entry(entry) for entry in chosen)
        return f"{_DECLARATION}{text.removesuffix(_CLOSING)}{body}{_CLOSING}\n".encode()

    def _head(self, head: Head, updated: dt.datetime) -> ET.Element:
        root = ET.Element("feed", {"xmlns": ATOM_NAMESPACE, _XML_LANG: LANGUAGE})
        root.text = "\n"
        _child(root, "id", self.base + head.path)
        _child(root, "title", _line(head.title))
        _child(root, "subtitle", _line(head.subtitle))
        _child(root, "updated", rfc3339(updated))
        _link(root, "self", self.base + head.path, addresses.MEDIA_TYPE)
        _link(root, "alternate", self.base + head.page, "text/html")
        author = _child(root, "author")
        author.text = "\n"
        _child(author, "name", _line(self.site_name))
        return root

    def _entry(self, entry: Entry) -> str:
        key = (entry.case_id, entry.anchor)
        text = self._entries.get(key)
        if text is None:
            text = self._entries[key] = ET.tostring(self._make_entry(entry), encoding="unicode")
        return text

    def _make_entry(self, entry: Entry) -> ET.Element:
        address = f"{self.base}cases/{entry.case_id}/"
        words = texts.words(self.archive, entry)
        element = ET.Element("entry")
        element.text = "\n"
        element.tail = "\n"
        _child(element, "id", address + entry.anchor)
        _child(element, "title", _line(words.title))
        _child(element, "updated", rfc3339(entry.updated))
        _link(element, "alternate", address, "text/html")
        if summary := _text(words.summary):
            _child(element, "summary", summary)
        return element


def rfc3339(moment: dt.datetime) -> str:
    """``2023-11-15T06:13:20+08:00``: Beijing time, to the second."""
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def _child(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    element.tail = "\n"
    return element


def _link(parent: ET.Element, rel: str, href: str, media_type: str) -> None:
    _child(parent, "link").attrib.update(rel=rel, type=media_type, href=href)


def _text(value: str) -> str:
    """Record text as XML may carry it: forbidden characters dropped, line ends as ``\\n``."""
    return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _line(value: str) -> str:
    """Text for a title: one line, runs of white space as one space."""
    return " ".join(_text(value).split())
