"""Every file of ``/data/``, by its path in the docs tree."""

from __future__ import annotations

from typing import Any, Final

from generator.data import cases_json, checksums, csv_format, licences, package
from generator.data.case_lists import CASE_LISTS
from generator.data.columns import LIST_SEPARATOR, TYPE_TITLES
from generator.data.memo import DataMemo
from generator.data.rows import Source
from generator.data.tables import TABLES, WITHDRAWN_COLUMNS, Table
from generator.options import Options
from generator.records import model
from generator.records.revisions import Histories

FOLDER: Final = "data/"  # the files' folder in the docs tree, and the page's address
# How the page names the characters a formula may start with that do not show.
_UNSEEN: Final = {"\t": "制表符", "\r": "回车符"}


def data_files(archive: model.Archive, histories: Histories, options: Options,
               memo: DataMemo | None = None) -> dict[str, bytes]:
    """``data/cases.csv`` and the rest, as bytes.

    ``memo``: a preview's, to take each unchanged case's lines from the last build.
    Raises ``RecordError`` when ``options.data_license`` names no known licence.
    """
    licence = licences.licence(options.data_license)
    source = Source(archive, histories, options.site_url)
    memo = memo if memo is not None else DataMemo(keep=False)
    memo.begin((archive.as_of, source.base))
    files = {table.file: _table_bytes(table, source, memo) for table in TABLES}
    files[package.JSON_FILE] = cases_json.json_bytes(source, (
        memo.text((package.JSON_FILE, view.case.id), _sources(source, view),
                  lambda view=view: cases_json.case_line(source, view))
        for view in source.views))
    memo.end()
    digests = {name: checksums.sha256(data) for name, data in files.items()}
    files[package.FILE] = package.package_bytes(
        files, digests, title=options.site_name, licence=licence,
        as_of=archive.as_of.isoformat(), commit=histories.built_from,
        homepage=f"{source.base}{FOLDER}" if options.site_url else None,
    )
    digests[package.FILE] = checksums.sha256(files[package.FILE])
    files[package.SUMS_FILE] = checksums.sha256sums(digests)
    return {FOLDER + name: data for name, data in files.items()}


def _table_bytes(table: Table[Any], source: Source, memo: DataMemo) -> bytes:
    if table.of_case is None:
        return csv_format.table_bytes(table, source)
    writer = csv_format.Writer(table)
    lines = (memo.text((table.file, view.case.id), _sources(source, view),
                       lambda view=view: writer.text(table.rows_of(source, view)))
             for view in source.views)
    return (writer.head() + "".join(lines)).encode("utf-8")


def _sources(source: Source, view: model.CaseView) -> tuple[object, ...]:
    """What a case's lines are made from, besides the day and the address."""
    return view.case, source.histories.of(view.case.id)


def guide(options: Options) -> dict[str, Any]:
    """What the 数据下载 page explains, from the same declarations the files are written from."""
    return {
        "tables": TABLES,
        "case_lists": CASE_LISTS,
        "licence": licences.licence(options.data_license),
        "json_file": package.JSON_FILE,
        "json_description": package.JSON_DESCRIPTION,
        "package_file": package.FILE,
        "sums_file": package.SUMS_FILE,
        "separator": LIST_SEPARATOR,
        "formula_starts": [_UNSEEN.get(c, c) for c in csv_format.FORMULA_STARTS],
        "neutraliser": csv_format.NEUTRALISER,
        "type_titles": TYPE_TITLES,
        "withdrawn_columns": WITHDRAWN_COLUMNS,
    }
