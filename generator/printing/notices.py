"""Printed notices (公示): what a sheet shows and what a platform's bundle holds.

``Notices`` (used by the site's ``render``): one ``Sheet`` per published case,
the notice that the case page prints (``templates/_notice.html``), and one
``Bundle`` per platform with open cases: the printable page
``/platforms/<id>/print/`` with one sheet per A4 page. The PDFs of
``make notices`` are printed from the built site (``pdf``).

Decisions (see also ``assets/print.css``):

* Open cases: 预告, 推进中 and 逾期, the cases whose notice still tells
  residents something to watch or act on. 已办结 and 未达成共识 cases can still
  be printed one by one from their pages; withdrawn cases have no notice.
* A bundle holds the ``BUNDLE_SIZE`` newest open cases of the platform and
  every platform below it, so that no page grows with the archive (a county
  with 10,000 open cases still gets one page of 20 sheets; the page says how
  many it left out and links to the child platforms' bundles). A platform
  with no open case has no bundle page and no link to one.
* The printed date (打印日期) is the day of printing, written by
  ``assets/print.js`` when the page loads and again just before printing;
  the build itself stays deterministic. The statuses on the sheet are as of
  the build's as-of day, printed as 信息截至. Without JavaScript the date
  is a blank to fill in by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markupsafe import Markup

from generator.printing import qr
from generator.records import model

HEADING = "协商结果公示"
ANNOUNCED_HEADING = "协商预告"
OPEN_STATUSES = (model.ANNOUNCED, model.IN_PROGRESS, model.OVERDUE)
BUNDLE_SIZE = 20


@dataclass(frozen=True)
class Sheet:
    """Everything one printed notice shows about a case."""

    view: model.CaseView
    platform: model.Platform
    url: str | None  # the permanent address; None only in a preview without site_url
    qr: Markup | None
    latest: model.FollowUp | None  # the newest follow-up entry
    contact: model.Platform | None  # the nearest platform up the tree with a public contact
    as_of: dt.date

    @property
    def case(self) -> model.Case:
        return self.view.case

    @property
    def heading(self) -> str:
        return ANNOUNCED_HEADING if self.view.status == model.ANNOUNCED else HEADING

    @property
    def url_parts(self) -> list[str]:
        """The address cut after each ``/``, so that it breaks only there when printed."""
        if self.url is None:
            return []
        parts = self.url.split("/")
        return [part + "/" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


@dataclass(frozen=True)
class Bundle:
    platform: model.Platform
    views: tuple[model.CaseView, ...]  # newest first, at most BUNDLE_SIZE
    total: int  # open cases of the platform and every platform below it

    @property
    def url(self) -> str:
        return bundle_url(self.platform.id)

    @property
    def left_out(self) -> int:
        return self.total - len(self.views)


def bundle_url(platform_id: str) -> str:
    return f"platforms/{platform_id}/print/"


def is_open(view: model.CaseView) -> bool:
    return not view.withdrawn and view.status in OPEN_STATUSES


class Notices:
    """Sheets and bundles of an archive. ``site_url`` None: a preview, sheets without QR."""

    def __init__(self, archive: model.Archive, site_url: str | None) -> None:
        self.archive = archive
        self.base = qr.site_base(site_url) if site_url else None
        below: dict[str, list[model.CaseView]] = {}
        for view in archive.published():
            if not is_open(view):
                continue
            platform_id: str | None = view.case.platform_id
            while platform_id is not None:
                below.setdefault(platform_id, []).append(view)
                platform_id = archive.platforms[platform_id].parent_id
        self._open_below = {pid: model.newest_first(views) for pid, views in below.items()}

    def sheet(self, view: model.CaseView) -> Sheet:
        case = view.case
        url = qr.case_url(self.base, case.id) if self.base is not None else None
        return Sheet(
            view=view,
            platform=self.archive.platforms[case.platform_id],
            url=url,
            qr=qr.svg(url) if url is not None else None,
            latest=case.follow_up[-1] if case.follow_up else None,
            contact=self._contact(case.platform_id),
            as_of=self.archive.as_of,
        )

    def _contact(self, platform_id: str) -> model.Platform | None:
        chain = (self.archive.platforms[platform_id], *self.archive.ancestors(platform_id))
        return next((p for p in chain if p.contact), None)

    def bundle(self, platform_id: str) -> Bundle | None:
        views = self._open_below.get(platform_id)
        if not views:
            return None
        return Bundle(self.archive.platforms[platform_id], tuple(views[:BUNDLE_SIZE]), len(views))

    def bundles(self) -> Iterator[Bundle]:
        for platform_id in sorted(self._open_below):
            bundle = self.bundle(platform_id)
            if bundle is not None:
                yield bundle

    def child_bundles(self, children: Iterable[model.Platform]) -> list[Bundle]:
        """The bundles of ``children`` (the platforms directly below, in the order the site
        lists them), for a bundle that left cases out."""
        found = (self.bundle(child.id) for child in children)
        return [bundle for bundle in found if bundle is not None]
