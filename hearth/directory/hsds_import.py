"""Import HSDS 3.0 data into the directory: `import_hsds(...)`, behind `hearth hsds-import`.

What it reads:

- the tabular data package: a directory holding `datapackage.json` and the CSV files (or the
  path of that `datapackage.json`). Files are found through the descriptor's resources, by
  their HSDS names, and checked against the HSDS 3.0 table schemas that ship with Hearth (not
  against schemas the package may declare itself). A `datapackage.json` whose whole content is
  a relative path to another file is a symbolic link checked out as a plain file, and is
  followed;
- JSON: one service, organization, service_at_location, location, taxonomy or taxonomy term
  document, a list of them, a paginated list response (`{"contents": [...]}`), newline-
  delimited JSON (`.ndjson`, one document per line), or the tabular form as JSON
  (`{"services.csv": [rows]}`, the standard's `tabular.json`).

How it works, in two passes over the data:

1. Validate everything, writing nothing: JSON documents against the compiled HSDS schemas,
   every record against its table's columns (required values, types, enums, formats, lengths
   Hearth can store), unique ids, and every link (a phone's `service_id` must be a service in
   the data or already in the directory). Every problem is collected with its file, row (as a
   spreadsheet numbers it: the header is row 1) or document path, and column. Any problem
   refuses the whole import (`ImportRefused`).
2. Write, in one transaction: each table is upserted by id in batches (`INSERT ... ON CONFLICT
   (id) DO UPDATE`, see `_upsert`), so a record that already exists is updated, never
   duplicated, and a failure half-way leaves the directory as it was. One audit record notes
   the counts. Once committed, the services the import touched are re-indexed for search; a
   bulk load asks for `hearth search-index rebuild` instead.

An update changes only the HSDS columns the data gives (a CSV file's columns; every field of a
JSON document, since documents leave empty fields out, but only the links a document gives).
Hearth's own fields (who keeps a listing, capacity, confidentiality) are never touched, except
the listing network when `network` is given. Records the data does not mention are left alone:
nothing is deleted. For a location Hearth holds as confidential, the import never stores an
address, its withheld details (`hsds.CONFIDENTIAL_LOCATION_WITHHELD`, coordinates included) or
change history: those rows and values are withheld and counted.

Not checked: the data package declares `programs.organization_id` and `taxonomy_terms.code`
unique (one program per organization; one code across all taxonomies). Hearth stores several,
so it accepts them; a package exported from such a directory fails those two checks.

The standard's own examples point at records they do not contain (a location's organization,
a term's parent). `drop_dangling_references=True` stores such optional links as empty and
lists each one as a note instead of refusing the import; a missing required link is still a
problem.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Q

from hearth.core import audit

from . import hsds
from .hsds import TABLE_ORDER, TABLES, HsdsTable

BATCH_SIZE = 2000
SQLITE_CACHE_KIB = 256 * 1024
LOOKUP_CHUNK = 900  # ids per "which of these exist?" query (SQLite's classic variable limit)

csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as precisely as the format allows."""

    source: str  # file name
    where: str  # "row 7", "document 2, at phones[0]", ""
    field: str  # column name, or ""
    message: str
    # Where the record was met while reading, so problems found later (links) are listed
    # with the others of their row, and those of a JSON document together.
    order: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        parts = [self.source]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f'field "{self.field}"')
        return f"{', '.join(parts)}: {self.message}"


class ImportRefused(Exception):
    """The data has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data; nothing was imported")


@dataclass
class TableCount:
    created: int = 0
    updated: int = 0


@dataclass
class ImportResult:
    counts: dict[str, TableCount] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            name: {"created": count.created, "updated": count.updated}
            for name, count in self.counts.items()
        }


@dataclass
class Record:
    where: str
    data: dict[str, Any]
    path: str | None = None  # JSON path of the object, to match schema errors


# --- Sources ----------------------------------------------------------------------------------


class Source:
    """Records of each table, readable more than once (one pass validates, one writes)."""

    label: str
    tabular: bool  # the data package's "required" rules apply
    kind: str

    def check(self) -> list[Problem]:
        """Problems of the data's shape (headers, JSON schema), found before any record."""
        return []

    def tables(self) -> list[str]:
        raise NotImplementedError

    def records(self, table: str) -> Iterator[Record | Problem]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """The columns an update of this table sets (besides the links each record gives)."""
        return TABLES[table].field_names


def _read_descriptor(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        target = (path.parent / text.strip()).resolve()
        if "\n" not in text.strip() and target.is_file():
            # A symbolic link stored as a file holding its target (as git does without links).
            return _read_descriptor(target)
        raise


class CsvPackage(Source):
    kind = "csv"
    tabular = True

    def __init__(self, directory: Path, descriptor: dict[str, Any] | None):
        self.directory = directory
        self.label = str(directory)
        self.files: dict[str, Path] = {}
        self.headers: dict[str, list[str]] = {}
        self.notes: list[str] = []
        paths = {}
        if descriptor is not None:
            for resource in descriptor.get("resources", []):
                name = resource.get("name")
                if name in TABLES and isinstance(resource.get("path"), str):
                    paths[name] = resource["path"]
                elif name not in TABLES:
                    self.notes.append(f"Resource {name!r} is not an HSDS 3.0 table: ignored.")
        for name, table in TABLES.items():
            candidate = directory / paths.get(name, table.path)
            if not candidate.resolve().is_relative_to(directory.resolve()):
                self.notes.append(f"{candidate.name}: outside the package's directory: ignored.")
            elif candidate.is_file():
                self.files[name] = candidate

    def tables(self) -> list[str]:
        return [name for name in TABLE_ORDER if name in self.files]

    def columns(self, table: str) -> list[str]:
        return [name for name in self.headers.get(table, []) if TABLES[table].has_field(name)]

    def check(self) -> list[Problem]:
        problems = []
        if not self.files:
            names = ", ".join(TABLES[name].path for name in ("organization", "service"))
            problems.append(
                Problem(self.label, "", "", f"holds no HSDS 3.0 table files ({names}, ...)")
            )
        for name in self.tables():
            table = TABLES[name]
            path = self.files[name]
            try:
                with path.open("rb") as handle:
                    header = next(csv.reader(_text_lines(handle)), [])
            except UnicodeDecodeError:
                self.headers[name] = []
                problems.append(Problem(path.name, "row 1", "", "is not UTF-8 text"))
                continue
            self.headers[name] = header
            seen = set()
            for column in header:
                if column in seen:
                    problems.append(
                        Problem(path.name, "row 1", column, "the column appears more than once")
                    )
                seen.add(column)
                if not table.has_field(column):
                    self.notes.append(
                        f'{path.name}: column "{column}" is not an HSDS 3.0 column: ignored.'
                    )
            for hsds_field in table.fields:
                if hsds_field.name not in seen and hsds.is_required(hsds_field, tabular=True):
                    problems.append(
                        Problem(path.name, "row 1", hsds_field.name, "the column is missing")
                    )
        return problems

    def records(self, table: str) -> Iterator[Record | Problem]:
        path = self.files[table]
        header = self.headers[table]
        width = len(header)
        if not header:
            return
        with path.open("rb") as handle:
            reader = csv.reader(_text_lines(handle))
            next(reader, None)
            number = 1
            while True:
                number += 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except (UnicodeDecodeError, csv.Error) as error:
                    message = (
                        "is not UTF-8 text"
                        if isinstance(error, UnicodeDecodeError)
                        else f"cannot be read as CSV ({error})"
                    )
                    yield Problem(path.name, f"row {number}", "", message)
                    return
                if len(row) != width:
                    if not any(row):
                        continue  # a blank line
                    yield Problem(
                        path.name,
                        f"row {number}",
                        "",
                        f"the row has {len(row)} cells but the header has {width}",
                    )
                    continue
                yield Record(f"row {number}", dict(zip(header, row, strict=True)))


def _text_lines(handle) -> Iterator[str]:
    """A binary file's lines as text, decoded one by one so that a byte that is not UTF-8 is
    found in the row it is in (a leading byte-order mark is dropped)."""
    first = True
    for line in handle:
        if first:
            line = line.removeprefix(b"\xef\xbb\xbf")
            first = False
        yield line.decode("utf-8")


class TabularJson(Source):
    """The tabular form as one JSON object: {"services.csv": [{column: value}, ...], ...}."""

    kind = "json"
    tabular = True

    def __init__(self, path: Path, content: dict[str, Any]):
        self.label = path.name
        self.rows: dict[str, list[Any]] = {}
        self.unknown: list[str] = []
        for key, rows in content.items():
            table = hsds.table_for_path(key)
            if table is None or not isinstance(rows, list):
                self.unknown.append(key)
            else:
                self.rows[table.name] = rows

    def tables(self) -> list[str]:
        return [name for name in TABLE_ORDER if name in self.rows]

    def check(self) -> list[Problem]:
        return [
            Problem(self.label, "", "", f'"{key}" is not an HSDS 3.0 table file name')
            for key in self.unknown
        ]

    def records(self, table: str) -> Iterator[Record | Problem]:
        file_name = TABLES[table].path
        for number, row in enumerate(self.rows[table], start=1):
            where = f'"{file_name}" item {number}'
            if not isinstance(row, dict):
                yield Problem(self.label, where, "", "the item is not an object")
                continue
            yield Record(where, {key: _cell(table, key, value) for key, value in row.items()})


def _cell(table: str, column: str, value: Any) -> Any:
    """The tabular form stands for CSV cells: a number in a text column (an identifier such as
    1234567) is read as the text it was."""
    hsds_table = TABLES[table]
    if (
        hsds_table.has_field(column)
        and hsds_table.field(column).type == "string"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return str(value)
    return value


# One-to-many arrays nested in each kind of object: key -> (table, the child's link column).
_CHILD_ARRAYS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "organization": {
        "funding": ("funding", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}

# One-to-one objects embedded in an object: key -> (table, the *parent's* link column).
_EMBEDDED: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "organization": ("organization", "organization_id"),
        "program": ("program", "program_id"),
    },
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}

_ORGANIZATION_ONLY = frozenset(
    {
        "alternate_name",
        "email",
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "logo",
        "parent_organization_id",
        "funding",
        "contacts",
        "phones",
        "locations",
        "programs",
        "organization_identifiers",
        "services",
    }
)


def classify_document(document: dict[str, Any]) -> str | None:
    """Which kind of HSDS document this is, from the fields only that kind has."""
    keys = set(document)
    if "status" in keys or keys & {"service_at_locations", "program", "program_id"}:
        return "service"
    if "location_type" in keys:
        return "location"
    if keys & {"location", "service", "service_id", "location_id"} and "name" not in keys:
        return "service_at_location"
    if keys & {"taxonomy_detail", "parent_id", "term_uri", "code", "taxonomy", "taxonomy_id"}:
        return "taxonomy_term"
    if "version" in keys and not keys & _ORGANIZATION_ONLY:
        return "taxonomy"
    if "name" in keys or "description" in keys:
        return "organization"
    return None


def _same(field_name: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str) and hsds.is_uuid(left):
        return left.lower() == right.lower()
    return left == right


class JsonDocuments(Source):
    """HSDS JSON documents, flattened into the records of each table. A record that appears in
    several places (the same phone under a service, a location and a contact) is one record
    with all those links."""

    kind = "json"
    tabular = False

    def __init__(self, label: str, documents: list[Any]):
        self.label = label
        self.documents = documents
        self.numbered = len(documents) > 1
        self.flat: dict[str, dict[str, Record]] = defaultdict(dict)
        self.schema_paths: set[tuple[str, str]] = set()

    def _where(self, number: int, path: str) -> str:
        parts = []
        if self.numbered:
            parts.append(f"document {number}")
        if path:
            parts.append(f"at {path}")
        return ", ".join(parts)

    def check(self) -> list[Problem]:
        problems: list[Problem] = []
        if not self.documents:
            problems.append(Problem(self.label, "", "", "holds no documents"))
        for number, document in enumerate(self.documents, start=1):
            first = len(problems)
            self._check_document(number, document, problems)
            for index in range(first, len(problems)):
                problems[index] = replace(problems[index], order=(number, 0, index))
        return problems

    def _check_document(self, number: int, document: Any, problems: list[Problem]) -> None:
        if not isinstance(document, dict):
            problems.append(
                Problem(self.label, self._where(number, ""), "", "is not a JSON object")
            )
            return
        kind = None if "openapi_url" in document else classify_document(document)
        if kind is None:
            message = (
                "is the API's description of itself, not directory data"
                if "openapi_url" in document
                else "is not an HSDS service, organization, location, service_at_location, "
                "taxonomy or taxonomy_term document"
            )
            problems.append(Problem(self.label, self._where(number, ""), "", message))
            return
        problems += self._schema_problems(number, kind, document)
        self._walk(number, kind, document, "", {}, {}, problems)

    def _schema_problems(self, number: int, kind: str, document: dict) -> list[Problem]:
        problems = []
        validator = hsds.document_validator(kind)
        errors = sorted(
            validator.iter_errors(document),
            key=lambda error: (
                len(error.absolute_path),
                [str(part) for part in error.absolute_path],
            ),
        )
        for error in errors:
            path = _json_path(error.absolute_path)
            field_name = ""
            where_path = path
            if error.absolute_path and isinstance(error.absolute_path[-1], str):
                field_name = error.absolute_path[-1]
                where_path = _json_path(list(error.absolute_path)[:-1])
            message = _schema_message(error)
            if error.validator == "required":
                missing = error.message.split("'")[1] if "'" in error.message else ""
                field_name = missing
                where_path = path
                message = "a value is required"
            self.schema_paths.add((str(number), _join(where_path, field_name)))
            problems.append(
                Problem(self.label, self._where(number, where_path), field_name, message)
            )
        return problems

    def _walk(
        self,
        number: int,
        table: str,
        obj: dict[str, Any],
        path: str,
        implied: dict[str, Any],
        defaults: dict[str, Any],
        problems: list[Problem],
    ) -> None:
        own_id = obj.get("id")
        if not isinstance(own_id, str):
            return  # the schema check reports it
        hsds_table = TABLES[table]
        data = {
            key: value
            for key, value in obj.items()
            if hsds_table.has_field(key) and not isinstance(value, dict | list)
        }

        def link(column: str, value: Any, where_path: str) -> None:
            given = data.get(column)
            if not hsds.is_empty(given) and not _same(column, given, value):
                problems.append(
                    Problem(
                        self.label,
                        self._where(number, where_path),
                        column,
                        f"says {json.dumps(given)} but the record is nested under "
                        f"{json.dumps(value)}",
                    )
                )
                return
            data[column] = value

        for column, value in implied.items():
            link(column, value, path)
        for column, value in defaults.items():
            if hsds.is_empty(data.get(column)) and not hsds.is_empty(value):
                data[column] = value

        for key, (_child_table, column) in _EMBEDDED.get(table, {}).items():
            child = obj.get(key)
            if isinstance(child, dict) and isinstance(child.get("id"), str):
                link(column, child["id"], path)
        for key, (child_table, _column) in _EMBEDDED.get(table, {}).items():
            child = obj.get(key)
            if not isinstance(child, dict):
                continue
            child_defaults = {}
            if table == "service" and key == "program":
                # A program belongs to an organization; nested under a service, it is the
                # organization that delivers the service.
                child_defaults = {"organization_id": data.get("organization_id")}
            self._walk(number, child_table, child, _join(path, key), {}, child_defaults, problems)
        for key, (child_table, column) in _CHILD_ARRAYS.get(table, {}).items():
            for index, child in enumerate(_list(obj.get(key))):
                if isinstance(child, dict):
                    child_path = f"{_join(path, key)}[{index}]"
                    self._walk(
                        number, child_table, child, child_path, {column: own_id}, {}, problems
                    )
        for key, child_table, column, entity_column in (
            ("attributes", "attribute", "link_id", "link_entity"),
            ("metadata", "metadata", "resource_id", "resource_type"),
        ):
            for index, child in enumerate(_list(obj.get(key))):
                if isinstance(child, dict):
                    self._walk(
                        number,
                        child_table,
                        child,
                        f"{_join(path, key)}[{index}]",
                        {column: own_id},
                        {entity_column: table},
                        problems,
                    )
        self._merge(number, table, data, path, problems)

    def _merge(
        self, number: int, table: str, data: dict, path: str, problems: list[Problem]
    ) -> None:
        key = data["id"].lower()
        existing = self.flat[table].get(key)
        if existing is None:
            self.flat[table][key] = Record(self._where(number, path), data, f"{number}|{path}")
            return
        for column, value in data.items():
            known = existing.data.get(column)
            if hsds.is_empty(known):
                existing.data[column] = value
            elif not hsds.is_empty(value) and not _same(column, known, value):
                problems.append(
                    Problem(
                        self.label,
                        self._where(number, path),
                        column,
                        f"{json.dumps(value)} differs from {json.dumps(known)} given for the "
                        f"same {table} ({key}) at {existing.where}",
                    )
                )

    def tables(self) -> list[str]:
        return [name for name in TABLE_ORDER if self.flat.get(name)]

    def columns(self, table: str) -> list[str]:
        """A document leaves out empty fields, so an update empties every field it does not
        give; but a record's links are set only where the document gives them, because a
        detail nested in one place does not restate its links to the others."""
        hsds_table = TABLES[table]
        return [name for name in hsds_table.field_names if name not in hsds_table.link_names]

    def records(self, table: str) -> Iterator[Record | Problem]:
        yield from self.flat[table].values()

    def reported_by_schema(self, record: Record, column: str) -> bool:
        if record.path is None:
            return False
        number, path = record.path.split("|", 1)
        return (number, _join(path, column)) in self.schema_paths


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _join(path: str, key: str) -> str:
    if not key:
        return path
    return f"{path}.{key}" if path else key


def _json_path(parts) -> str:
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, part)
    return path


def _schema_message(error) -> str:
    value = error.instance
    shown = json.dumps(value) if not isinstance(value, dict | list) else "the value"
    if error.validator == "enum":
        return f"{shown} is not one of {', '.join(str(item) for item in error.validator_value)}"
    if error.validator == "type":
        return f"{shown} is not of type {error.validator_value}"
    if error.validator == "format":
        return f"{shown} is not a valid {error.validator_value}"
    return error.message


def open_source(path: Path) -> Source:
    """The source for a path: a data package directory, its `datapackage.json`, or a JSON or
    newline-delimited JSON file. Raises `ImportRefused` for a file that cannot be read."""
    if path.is_dir():
        descriptor_path = path / "datapackage.json"
        descriptor = _load_descriptor(descriptor_path) if descriptor_path.is_file() else None
        return CsvPackage(path, descriptor)
    if not path.is_file():
        raise ImportRefused([Problem(str(path), "", "", "no such file or directory")])
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        documents = []
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    documents.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ImportRefused(
                        [Problem(path.name, f"line {number}", "", f"is not JSON: {error.msg}")]
                    ) from None
        return JsonDocuments(path.name, documents)
    if path.name == "datapackage.json":
        return CsvPackage(path.parent, _load_descriptor(path))
    try:
        content = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [Problem(path.name, f"line {error.lineno}", "", f"is not JSON: {error.msg}")]
        ) from None
    if isinstance(content, dict) and isinstance(content.get("resources"), list):
        return CsvPackage(path.parent, content)
    if isinstance(content, dict) and content and all(key.endswith(".csv") for key in content):
        return TabularJson(path, content)
    if isinstance(content, dict) and isinstance(content.get("contents"), list):
        return JsonDocuments(path.name, content["contents"])
    if isinstance(content, list):
        return JsonDocuments(path.name, content)
    return JsonDocuments(path.name, [content])


def _load_descriptor(path: Path) -> dict[str, Any]:
    try:
        descriptor = _read_descriptor(path)
    except (OSError, json.JSONDecodeError) as error:
        raise ImportRefused(
            [Problem(path.name, "", "", f"cannot be read as a data package: {error}")]
        ) from None
    if not isinstance(descriptor, dict):
        raise ImportRefused([Problem(path.name, "", "", "is not a data package descriptor")])
    return descriptor


# --- Validation -------------------------------------------------------------------------------


@dataclass
class _Reference:
    table: str  # the table pointed at
    value: str


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)
    # (table, column) -> values that point at nothing, when dropping dangling references
    dangling: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    notes: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def _file_label(source: Source, table: str) -> str:
    if isinstance(source, CsvPackage):
        return source.files[table].name
    return source.label


def validate(source: Source, *, drop_dangling_references: bool = False) -> Validation:
    """Pass 1: read every record, write nothing, and collect every problem."""
    result = Validation()
    problems: list[Problem] = [
        problem if problem.order is not None else replace(problem, order=(-1, number))
        for number, problem in enumerate(source.check())
    ]
    ids: dict[str, set[str]] = {name: set() for name in TABLES}
    referenced = {item.references for table in TABLES.values() for item in table.fields}
    # table pointed at -> value -> [(file, where, column, referring table, order)]
    pending: dict[str, dict[str, list[tuple[str, str, str, str, tuple[int, int]]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for table_number, name in enumerate(source.tables()):
        table = TABLES[name]
        label = _file_label(source, name)
        seen = ids[name]
        links = [item for item in table.fields if item.references]
        count = 0
        for number, record in enumerate(source.records(name)):
            order = (table_number, number)
            if isinstance(record, Record) and record.path is not None:
                order = (int(record.path.split("|", 1)[0]), 1, table_number, number)
            if isinstance(record, Problem):
                problems.append(replace(record, order=order))
                continue
            count += 1
            values, found = hsds.parse_record(
                table,
                record.data,
                tabular=source.tabular,
                check_absent=not isinstance(source, CsvPackage),
            )
            for column, message in found:
                if isinstance(source, JsonDocuments) and source.reported_by_schema(record, column):
                    continue
                problems.append(Problem(label, record.where, column, message, order))
            record_id = values.get("id")
            if record_id:
                if record_id in seen:
                    problems.append(
                        Problem(
                            label,
                            record.where,
                            "id",
                            f'"{record_id}" is used by an earlier record',
                            order,
                        )
                    )
                seen.add(record_id)
            for link in links:
                value = values.get(link.attname)
                if value and value not in ids[link.references]:
                    pending[link.references][value].append(
                        (label, record.where, link.name, name, order)
                    )
        result.rows[name] = count
        if name not in referenced and name not in pending:
            ids[name] = set()  # only needed for its own duplicates: free it
    dangling_notes = []
    for target, values in pending.items():
        unresolved = [value for value in values if value not in ids[target]]
        missing = set(unresolved) - _existing_ids(TABLES[target], unresolved)
        for value in missing:
            for label, where, column, referring, order in values[value]:
                message = f'no {target} "{value}" in the data or the directory'
                column_spec = TABLES[referring].field(column)
                if drop_dangling_references and not hsds.is_required(
                    column_spec, tabular=source.tabular
                ):
                    result.dangling[(referring, column)].add(value)
                    dangling_notes.append(
                        (order, f'{label}, {where}, field "{column}": {message}; stored as empty')
                    )
                else:
                    problems.append(Problem(label, where, column, message, order))
    result.problems = sorted(problems, key=lambda problem: problem.order)
    result.notes = [note for _order, note in sorted(dangling_notes)]
    return result


def _existing_ids(table: HsdsTable, values: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = values[start : start + LOOKUP_CHUNK]
        found.update(
            str(value)
            for value in table.model._default_manager.filter(id__in=chunk).values_list(
                "id", flat=True
            )
        )
    return found


# --- Writing ----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, source: Source, validation: Validation, network: Any):
        self.source = source
        self.validation = validation
        self.network = network
        self.result = ImportResult()
        self.touched = _Touched()
        self.withheld = 0
        self.withheld_addresses: set[str] = set()
        withheld_columns = [
            TABLES["location"].field(name).attname for name in hsds.CONFIDENTIAL_LOCATION_WITHHELD
        ]
        self.withheld_columns = withheld_columns
        self.confidential = {
            str(row["id"]): row
            for row in hsds.MODELS["location"]
            ._default_manager.filter(is_confidential=True)
            .values("id", *withheld_columns)
        }

    def write(self) -> ImportResult:
        for name in self.source.tables():
            self._write_table(TABLES[name])
        if self.withheld:
            self.result.notes.append(
                f"{self.withheld} address or change-history record(s) of confidential "
                "locations were withheld, and confidential locations kept their withheld "
                "details."
            )
        return self.result

    def _update_fields(self, table: HsdsTable) -> list[str]:
        given = set(self.source.columns(table.name))
        names = [item.attname for item in table.fields if item.name in given and item.name != "id"]
        if table.name == "organization" and self.network is not None:
            names.append("network_id")
        return names

    @staticmethod
    def _link_attnames(table: HsdsTable) -> list[str]:
        return [table.field(name).attname for name in table.link_names]

    def _write_table(self, table: HsdsTable) -> None:
        count = self.result.counts.setdefault(table.name, TableCount())
        manager = table.model._default_manager
        before = manager.count()
        written = 0
        update_fields = self._update_fields(table)
        dangling = {
            item.attname: self.validation.dangling.get((table.name, item.name), set())
            for item in table.fields
            if item.references
        }
        dangling = {column: values for column, values in dangling.items() if values}
        batch: list[dict[str, Any]] = []
        for record in self.source.records(table.name):
            if isinstance(record, Problem):  # pragma: no cover - refused in pass 1
                continue
            values, _problems = hsds.parse_record(
                table,
                record.data,
                tabular=self.source.tabular,
                check_absent=False,
            )
            for column, missing in dangling.items():
                if values.get(column) in missing:
                    values[column] = None
            if not self._keep(table, values):
                continue
            batch.append(values)
            if len(batch) >= BATCH_SIZE:
                self._flush(table, batch, update_fields)
                written += len(batch)
                batch = []
        if batch:
            self._flush(table, batch, update_fields)
            written += len(batch)
        # Ids were checked to be unique, so whatever the table gained was created. (On
        # PostgreSQL a concurrent writer's rows would be counted too; the counts are a report.)
        count.created = manager.count() - before
        count.updated = written - count.created

    def _keep(self, table: HsdsTable, values: dict[str, Any]) -> bool:
        """Apply Hearth's own rules: the listing network, and confidential locations."""
        self.touched.note(table.name, values)
        if table.name == "organization" and self.network is not None:
            values["network_id"] = self.network.pk
        elif table.name == "location":
            stored = self.confidential.get(values["id"])
            if stored is not None:
                for column in self.withheld_columns:
                    values[column] = stored[column]
        elif table.name == "address":
            if values.get("location_id") in self.confidential:
                self.withheld += 1
                self.withheld_addresses.add(values["id"])
                return False
        elif table.name == "metadata":
            resource = values.get("resource_id")
            if resource in self.confidential or resource in self.withheld_addresses:
                self.withheld += 1
                return False
        return True

    def _flush(self, table: HsdsTable, batch: list[dict[str, Any]], update_fields: list[str]):
        # Records that give different sets of links are updated separately, so a link a
        # record does not give is left as it is.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        links = self._link_attnames(table)
        for values in batch:
            groups[tuple(column for column in links if column in values)].append(values)
        for given, rows in groups.items():
            _upsert(table.model, rows, list(dict.fromkeys([*update_fields, *given])))


def _upsert(model: type[models.Model], rows: list[dict[str, Any]], update: list[str]) -> None:
    """Insert rows, or update the listed columns of rows whose id exists: one
    `INSERT ... ON CONFLICT (id) DO UPDATE` statement run for every row (`executemany`).

    This is what `bulk_create(update_conflicts=True)` does, without building a model instance
    and compiling SQL for every row, which measured three times slower on 1.6 million rows.
    Values still go through each field's `get_db_prep_save`, as Django's own saves do, and
    SQLite (3.24 or later) and PostgreSQL share the syntax. Columns a row does not give take
    the model's default when inserted and are left alone when updated."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    columns = [meta.get_field(attname).column for attname in update]
    if columns:
        assignments = ", ".join(f"{quote(column)} = excluded.{quote(column)}" for column in columns)
        conflict = f"DO UPDATE SET {assignments}"
    else:
        conflict = "DO NOTHING"
    # Table and column names come from the models; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote(meta.pk.column)}) {conflict}"
    )
    database = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs per value
    defaults = {field.attname: field.get_default() for field in fields}
    preparers = [(field.attname, _preparer(field, database)) for field in fields]
    params = [
        [prepare(row.get(attname, defaults[attname])) for attname, prepare in preparers]
        for row in rows
    ]
    with database.cursor() as cursor:
        cursor.executemany(sql, params)


def _unchanged(value: Any) -> Any:
    return value


def _uuid_hex(value: Any) -> Any:
    # What UUIDField stores where the database has no uuid type; the importer's UUIDs are
    # already checked and in canonical lower case.
    if value is None:
        return None
    return value.hex if isinstance(value, uuid.UUID) else value.replace("-", "")


def _preparer(field: models.Field, database: Any) -> Any:
    """`field.get_db_prep_save`, with the two conversions that are most of the work (text, and
    UUIDs on SQLite) done directly: the same result at a fraction of the cost."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.CharField | models.TextField):
        return _unchanged
    if isinstance(target, models.UUIDField) and not database.features.has_native_uuid_field:
        return _uuid_hex
    return partial(field.get_db_prep_save, connection=database)


class _Touched:
    """What an import changed, to bring the search index up to date after it commits: the
    services it touched, found through whatever records the data gives (a location, a phone, a
    taxonomy term used by a service). Past `LIMIT` records that is a bulk load, after which the
    index is rebuilt separately (`hearth search-index rebuild`, as after any bulk load) rather
    than inside the import."""

    LIMIT = 2000

    def __init__(self):
        self.too_many = False
        self.found: dict[str, set[str]] = {
            "service": set(),
            "location": set(),
            "service_at_location": set(),
            "organization": set(),
            "taxonomy_term": set(),
        }

    def note(self, table: str, values: dict[str, Any]) -> None:
        if self.too_many:
            return
        found = self.found
        for column, kind in (
            ("service_id", "service"),
            ("location_id", "location"),
            ("service_at_location_id", "service_at_location"),
            ("link_id", "service"),  # an attribute may classify a service
            ("taxonomy_term_id", "taxonomy_term"),
        ):
            if values.get(column):
                found[kind].add(values[column])
        if table in found:
            found[table].add(values["id"])
        if sum(len(ids) for ids in found.values()) > self.LIMIT:
            self.too_many = True

    def service_ids(self) -> set[str] | None:
        """The services to re-index, or None when there are too many to do it here."""
        if self.too_many:
            return None
        models_by_table = hsds.MODELS
        found = self.found
        services = set(found["service"])
        places = models_by_table["service_at_location"]._default_manager.filter(
            Q(location_id__in=list(found["location"]))
            | Q(id__in=list(found["service_at_location"]))
        )
        services.update(str(value) for value in places.values_list("service_id", flat=True))
        for model, condition in (
            ("service", Q(organization_id__in=list(found["organization"]))),
            ("attribute", Q(taxonomy_term_id__in=list(found["taxonomy_term"]))),
        ):
            column = "id" if model == "service" else "link_id"
            rows = models_by_table[model]._default_manager.filter(condition)
            services.update(str(value) for value in rows.values_list(column, flat=True))
        return services if len(services) <= self.LIMIT else None


def _refresh_search(service_ids: set[str]) -> None:
    from . import search

    search.update_services(service_ids)


@contextmanager
def _large_page_cache() -> Iterator[None]:
    """On SQLite, a larger page cache while writing: upserts by random UUID touch pages all
    over each table's B-tree, and the default 2 MB cache makes a large import several times
    slower. Other databases manage their own buffers."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def import_hsds(
    *,
    actor: Any,
    path: Path | str,
    network: Any = None,
    dry_run: bool = False,
    drop_dangling_references: bool = False,
) -> ImportResult:
    """Validate HSDS data and, when it has no problem, upsert it into the directory in one
    transaction with one audit record; once committed, the services it touched are re-indexed
    for search (after a bulk load, a note asks for a rebuild instead). Raises `ImportRefused`
    listing every problem, having written nothing. `dry_run=True` validates and rehearses the
    writes, then rolls them back."""
    source = open_source(Path(path))
    validation = validate(source, drop_dangling_references=drop_dangling_references)
    if validation.problems:
        raise ImportRefused(validation.problems)
    with _large_page_cache(), transaction.atomic():
        writer = _Writer(source, validation, network)
        result = writer.write()
        result.notes = getattr(source, "notes", []) + validation.notes + result.notes
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        else:
            services = writer.touched.service_ids()
            if services is None:
                result.notes.append(
                    "This was a bulk load: rebuild the search index with "
                    "`hearth search-index rebuild`."
                )
            elif services:
                transaction.on_commit(partial(_refresh_search, services))
            audit.record(
                actor=actor,
                action="hearth.directory.import.completed",
                network=network,
                detail={
                    "format": source.kind,
                    "tables": result.summary(),
                    "dropped_references": sum(
                        len(values) for values in validation.dangling.values()
                    ),
                },
            )
    return result
