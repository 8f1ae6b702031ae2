"""Atom 1.0 feeds of the archive."""

from __future__ import annotations

from generator.options import Options
from generator.records import model
from generator.records.revisions import Histories


def feed_files(archive: model.Archive, histories: Histories, options: Options) -> dict[str, bytes]:
    """``feeds/cases.xml``, ``feeds/follow-up.xml`` and ``platforms/<id>/feed.xml``, as bytes."""
    return {}
