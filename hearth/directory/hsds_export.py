"""Export the directory as HSDS 3.0: `export_hsds(directory=...)`, behind `hearth hsds-export`.

It writes, into one directory:

- `datapackage.json`: the HSDS 3.0 tabular data package descriptor, as Open Referral publishes
  it, so `frictionless validate datapackage.json` checks the files against the standard;
- one CSV file per HSDS table, with the standard's file names, columns and column order;
- `services.ndjson`: every service as a fully nested HSDS document, one per line.

Everything goes through `hsds` (the one mapping), so confidential locations are published as
that module allows: no address rows, no coordinates, no change history about them.

Memory stays flat whatever the size of the directory: tables are streamed from the database
in chunks (`QuerySet.iterator`), and services are serialized a chunk at a time
(`hsds.iter_service_documents`: keyset pagination by id, every related row read for the
chunk). Files are written under
temporary names and renamed at the end, so a failed export leaves no half-written file behind.
The tables are read one after another, not in one snapshot: an export taken while the
directory is being edited may hold a link to a record created after its table was written.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import hsds

NDJSON_FILE = "services.ndjson"
ROW_CHUNK = 5000
SERVICE_CHUNK = 500


@dataclass
class ExportResult:
    rows: dict[str, int] = field(default_factory=dict)
    services: int = 0
    files: list[str] = field(default_factory=list)


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def _write_table(table: hsds.HsdsTable, path: Path) -> int:
    count = 0
    queryset = (
        hsds.published_queryset(table)
        .order_by("id")
        .values(*hsds.record_attnames(table))
        .iterator(chunk_size=ROW_CHUNK)
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.field_names)
        for data in queryset:
            writer.writerow(hsds.csv_row(table, data))
            count += 1
    return count


def _write_services(path: Path, chunk_size: int) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for document in hsds.iter_service_documents(chunk_size=chunk_size):
            handle.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
            count += 1
    return count


def export_hsds(*, directory: Path | str, chunk_size: int = SERVICE_CHUNK) -> ExportResult:
    """Write the directory's data package and service documents into `directory` (created if
    needed; files of the same names are replaced). Public data only; nothing is recorded."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    written: list[Path] = []
    try:
        descriptor = _partial(directory / "datapackage.json")
        descriptor.write_text(
            json.dumps(hsds.datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(descriptor)
        for table in hsds.TABLES.values():
            path = _partial(directory / table.path)
            written.append(path)
            result.rows[table.name] = _write_table(table, path)
        path = _partial(directory / NDJSON_FILE)
        written.append(path)
        result.services = _write_services(path, chunk_size)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    for path in written:
        final = path.with_name(path.name.removesuffix(".partial"))
        os.replace(path, final)
        result.files.append(final.name)
    return result
