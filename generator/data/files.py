"""Every file of ``/data/``, by its path in the docs tree."""

from __future__ import annotations

from generator.options import Options
from generator.records import model
from generator.records.revisions import Histories


def data_files(archive: model.Archive, histories: Histories, options: Options) -> dict[str, bytes]:
    """``data/cases.csv`` and the rest, as bytes."""
    return {}
