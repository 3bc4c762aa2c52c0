"""Export the directory as HSDS 3.0: `export_hsds(directory=...)`, behind `hearth hsds-export`.

It writes, into one directory:

- `datapackage.json`: the HSDS 3.0 tabular data package descriptor, as Open Referral publishes
  it, so `frictionless validate datapackage.json` checks the files against the standard;
- one CSV file per HSDS table, with the standard's file names, columns and column order;
- `services.ndjson`: every service as a fully nested HSDS document, one per line, in id order.

Everything goes through `hsds` (the one mapping), so confidential locations are published as
that module allows: no address rows, no coordinates, no change history about them.

Memory stays flat whatever the size of the directory: tables are streamed from the database in
chunks (`QuerySet.iterator`), and services are serialized a chunk at a time
(`hsds.iter_service_documents`). The work is cut into tasks (one per table, and the services
in a few ranges of ids), which run in two processes when the database allows it, since the
machine Hearth targets has two cores. Files are written under temporary names and renamed at
the end, so a failed export leaves no half-written file behind.

The tables are read one after another, not in one snapshot: an export taken while the
directory is being edited may hold a link to a record created after its table was written.
"""

from __future__ import annotations

import csv
import itertools
import json
import multiprocessing
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, connections

from . import hsds
from .models import Service

NDJSON_FILE = "services.ndjson"
ROW_CHUNK = 5000
SERVICE_CHUNK = 500
SERVICE_PARTS = 8  # ranges of service ids, so two processes share the documents evenly
WORKERS = 2


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


def _write_services(path: Path, lower: Any, upper: Any, chunk_size: int) -> int:
    """The documents of the services whose ids are in [lower, upper) (None: unbounded)."""
    queryset = Service.objects.all()
    if lower is not None:
        queryset = queryset.filter(id__gte=lower)
    if upper is not None:
        queryset = queryset.filter(id__lt=upper)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for document in hsds.iter_service_documents(queryset, chunk_size=chunk_size):
            handle.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
            count += 1
    return count


def _service_ranges(parts: int) -> list[tuple[Any, Any]]:
    """Id ranges holding about the same number of services each."""
    total = Service.objects.count()
    ids = Service.objects.order_by("id").values_list("id", flat=True)
    bounds = [None]
    for part in range(1, parts):
        position = total * part // parts
        if 0 < position < total:
            bounds.append(ids[position])
    bounds.append(None)
    ranges = []
    for lower, upper in itertools.pairwise(bounds):
        if lower is None or upper is None or lower != upper:
            ranges.append((lower, upper))
    return ranges


def _run(task: tuple) -> tuple:
    """One task: ("table", name, path) or ("services", part, path, lower, upper, chunk)."""
    try:
        if task[0] == "table":
            _kind, name, path = task
            return ("table", name, _write_table(hsds.TABLES[name], Path(path)))
        _kind, part, path, lower, upper, chunk_size = task
        return ("services", part, _write_services(Path(path), lower, upper, chunk_size))
    finally:
        if multiprocessing.parent_process() is not None:
            connections.close_all()


def can_run_in_parallel() -> bool:
    """A second process can read the data only if it is committed and on disk or a server:
    not inside a transaction (as in tests), not in an in-memory SQLite database."""
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def export_hsds(
    *,
    directory: Path | str,
    chunk_size: int = SERVICE_CHUNK,
    parallel: bool | None = None,
) -> ExportResult:
    """Write the directory's data package and service documents into `directory` (created if
    needed; files of the same names are replaced). Public data only; nothing is recorded.

    `parallel` (default: when `can_run_in_parallel()`) runs the tasks in two processes; the
    files are the same either way."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if parallel is None:
        parallel = can_run_in_parallel()
    result = ExportResult()
    descriptor = _partial(directory / "datapackage.json")
    services_path = _partial(directory / NDJSON_FILE)
    ranges = _service_ranges(SERVICE_PARTS if parallel else 1)
    parts = [directory / f".{NDJSON_FILE}.part{number}" for number in range(len(ranges))]
    tables = [_partial(directory / table.path) for table in hsds.TABLES.values()]
    # The services first: they are most of the work, so the two processes finish together.
    tasks: list[tuple] = [
        ("services", number, str(parts[number]), lower, upper, chunk_size)
        for number, (lower, upper) in enumerate(ranges)
    ]
    tasks += [
        ("table", table.name, str(path))
        for table, path in zip(hsds.TABLES.values(), tables, strict=True)
    ]
    temporary = [descriptor, services_path, *parts, *tables]
    try:
        descriptor.write_text(
            json.dumps(hsds.datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if parallel:
            connections.close_all()  # each process opens its own connection
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=WORKERS, mp_context=context) as pool:
                outcomes = list(pool.map(_run, tasks))
        else:
            outcomes = [_run(task) for task in tasks]
        for kind, name, count in outcomes:
            if kind == "table":
                result.rows[name] = count
            else:
                result.services += count
        with services_path.open("wb") as output:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, output, 1024 * 1024)
                part.unlink()
    except BaseException:
        for path in temporary:
            path.unlink(missing_ok=True)
        raise
    for path in [descriptor, *tables, services_path]:
        final = path.with_name(path.name.removesuffix(".partial"))
        os.replace(path, final)
        result.files.append(final.name)
    return result
