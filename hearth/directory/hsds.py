"""The one mapping between Hearth's directory models and Open Referral HSDS 3.0.

Everything that leaves Hearth in HSDS shape (the API, the data package export, pages that show
HSDS documents) and everything that comes in (the importer) goes through this module:

- `TABLES` describes every HSDS table, its columns in the standard's order, and the model field
  each column is stored in. It is read from the HSDS 3.0 `datapackage.json` that ships with
  Hearth (`data/hsds-3.0/`, CC BY-SA 4.0), so column names, types, enums and formats are the
  standard's own; lengths and number ranges come from the models.
- `service_to_hsds`, `organization_to_hsds`, `service_at_location_to_hsds`, `location_to_hsds`,
  `taxonomy_to_hsds` and `taxonomy_term_to_hsds` build JSON documents shaped like the compiled
  schemas (`schema/compiled/*.json`); `full=False` gives the list-item form. Empty optional
  fields are left out rather than sent as null; required fields are always present.
- For many records: `services_to_hsds`, `organizations_to_hsds` and
  `service_at_locations_to_hsds` over querysets prepared by the matching `prefetch_for_*`
  take a constant number of queries; `iter_service_documents` streams every service of a
  queryset (exports, `format=ndjson`) from plain rows, a chunk at a time, several times faster.
- `record_values` and `csv_row` give one record's own columns for the tabular data package;
  `published_queryset` gives the rows of a table that may be published.
- `parse_record` / `hsds_field_values` read HSDS values (CSV text or JSON values) back into
  model field values.
- `document_validator` validates JSON documents against the compiled schemas.

Confidential locations (shelters) are handled here and nowhere else; see
`public_location_values`. In short: no address, no coordinates, no directions or identifiers
that pin the place down, and no change history about it, in any output.

Nesting rule for JSON documents: "entity" objects (service, organization, location,
service_at_location, program, taxonomy, taxonomy_term) always carry their own link columns
(`organization_id`, `program_id`, `location_id`, `parent_id`, ...). The details nested inside
them (phones, schedules, contacts, languages, addresses, accessibility, service areas, cost
options, funding, required documents, organization identifiers, attributes, metadata) leave
their link columns out, as the standard's examples do: where they sit says what they belong to.
The tabular package carries every link.

Inside a service document the organization and the program are given with their own fields
only (the list-item form); the organization's locations, phones and so on are in its own
document. Attributes and metadata are given for entities, not for each nested detail; the
tabular package has them all.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from django.db import connection, models
from django.db.models import Prefetch, QuerySet

from . import models as directory

HSDS_VERSION = "3.0"
DATA_DIR = Path(__file__).resolve().parent / "data" / "hsds-3.0"
DATAPACKAGE_FILE = DATA_DIR / "datapackage.json"
COMPILED_DIR = DATA_DIR / "compiled"

MODELS: dict[str, type[models.Model]] = {
    "organization": directory.Organization,
    "program": directory.Program,
    "service": directory.Service,
    "attribute": directory.Attribute,
    "service_at_location": directory.ServiceAtLocation,
    "location": directory.Location,
    "phone": directory.Phone,
    "contact": directory.Contact,
    "address": directory.Address,
    "schedule": directory.Schedule,
    "funding": directory.Funding,
    "service_area": directory.ServiceArea,
    "required_document": directory.RequiredDocument,
    "language": directory.Language,
    "accessibility": directory.Accessibility,
    "taxonomy_term": directory.TaxonomyTerm,
    "metadata": directory.Metadata,
    "meta_table_description": directory.MetaTableDescription,
    "cost_option": directory.CostOption,
    "organization_identifier": directory.OrganizationIdentifier,
    "taxonomy": directory.Taxonomy,
}

# Tables in an order where every table comes after the tables it points to (apart from the
# self-references of organizations and taxonomy terms, and phone -> contact -> phone-less
# loops, which the importer resolves at the end). The importer reads and writes in this order.
TABLE_ORDER = [
    "taxonomy",
    "taxonomy_term",
    "organization",
    "organization_identifier",
    "program",
    "service",
    "location",
    "service_at_location",
    "contact",
    "phone",
    "address",
    "schedule",
    "language",
    "service_area",
    "cost_option",
    "funding",
    "required_document",
    "accessibility",
    "attribute",
    "metadata",
    "meta_table_description",
]

# HSDS column -> model attribute, where the name differs.
_RENAMED = {("taxonomy_term", "taxonomy"): "taxonomy_name"}

# Entities whose detail children are nested under them in JSON documents.
ENTITY_TABLES = frozenset(
    {
        "service",
        "organization",
        "location",
        "service_at_location",
        "program",
        "taxonomy",
        "taxonomy_term",
    }
)


class HsdsValueError(ValueError):
    """A value that cannot be read as the HSDS column it is in. The message is plain language
    and says what is wrong with the value, not where it is (the caller knows that)."""


@dataclass(frozen=True)
class HsdsField:
    """One column of an HSDS table and the model field it is stored in."""

    name: str
    type: str  # HSDS table-schema type: string, number, date, datetime, time
    format: str  # "", "uuid", "email" or "uri"
    required: bool  # required by the HSDS table schema
    enum: tuple[str, ...]
    attname: str
    kind: str  # how the value is stored: text, uuid, int, float, decimal, date, datetime, time
    references: str  # the table a link column points to, or ""
    nullable: bool  # the model stores "no value" as NULL (otherwise as "")
    needed_by_model: bool  # the database cannot store the row without a value
    max_length: int | None
    minimum: int | None
    maximum: int | None
    max_digits: int | None
    decimal_places: int | None

    @property
    def is_link(self) -> bool:
        return bool(self.references) or self.name in ("link_id", "resource_id")


class HsdsTable:
    """One HSDS table: its name, its file in the tabular package, its model and columns."""

    def __init__(
        self, name: str, path: str, model: type[models.Model], fields: tuple[HsdsField, ...]
    ):
        self.name = name
        self.path = path
        self.model = model
        self.fields = fields
        self.field_names = [field.name for field in fields]
        self.link_names = tuple(field.name for field in fields if field.is_link)
        # (column, model attribute, formatter or None for text) for `record_values`; details
        # nested in a document leave their links out, entities keep them.
        self.spec = [
            (field.name, field.attname, None if field.kind == "text" else _FORMATTERS[field.kind])
            for field in fields
        ]
        keep_links = name in ENTITY_TABLES
        self.nested_spec = [
            item for item in self.spec if keep_links or item[0] not in self.link_names
        ]
        self._by_name = {field.name: field for field in fields}

    def __repr__(self) -> str:
        return f"<HsdsTable {self.name}>"

    def field(self, name: str) -> HsdsField:
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self._by_name


_INTEGER_RANGES = {
    models.PositiveSmallIntegerField: (0, 32767),
    models.PositiveIntegerField: (0, 2147483647),
    models.SmallIntegerField: (-32768, 32767),
    models.IntegerField: (-2147483648, 2147483647),
}


def _kind(model_field: models.Field, hsds_type: str) -> str:
    if isinstance(model_field, models.ForeignKey | models.UUIDField):
        return "uuid"
    if isinstance(model_field, models.DateTimeField):
        # HSDS metadata.last_action_date is a date; Hearth keeps the time of its own changes.
        return "date_as_datetime" if hsds_type == "date" else "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.TimeField):
        return "time"
    if isinstance(model_field, models.DecimalField):
        return "decimal"
    if isinstance(model_field, models.FloatField):
        return "float"
    if isinstance(model_field, models.IntegerField):
        return "int"
    return "text"


def _build_field(table: str, model: type[models.Model], spec: Mapping[str, Any]) -> HsdsField:
    name = spec["name"]
    model_field = model._meta.get_field(_RENAMED.get((table, name), name))
    constraints = spec.get("constraints", {})
    kind = _kind(model_field, spec["type"])
    minimum = maximum = None
    for field_class, bounds in _INTEGER_RANGES.items():
        if isinstance(model_field, field_class):
            minimum, maximum = bounds
            break
    references = ""
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model
        references = next(key for key, value in MODELS.items() if value is related)
    has_default = model_field.has_default()
    return HsdsField(
        name=name,
        type=spec["type"],
        format=spec.get("format", ""),
        required=bool(constraints.get("required")),
        enum=tuple(constraints.get("enum", ())),
        attname=model_field.attname,
        kind=kind,
        references=references,
        nullable=model_field.null,
        needed_by_model=not model_field.null and not model_field.blank and not has_default,
        max_length=getattr(model_field, "max_length", None) if kind == "text" else None,
        minimum=minimum,
        maximum=maximum,
        max_digits=getattr(model_field, "max_digits", None),
        decimal_places=getattr(model_field, "decimal_places", None),
    )


@cache
def datapackage() -> dict[str, Any]:
    """The HSDS 3.0 tabular data package descriptor, as published by Open Referral."""
    return json.loads(DATAPACKAGE_FILE.read_text(encoding="utf-8"))


@cache
def _tables() -> dict[str, HsdsTable]:
    tables = {}
    for resource in datapackage()["resources"]:
        name = resource["name"]
        model = MODELS[name]
        fields = tuple(_build_field(name, model, spec) for spec in resource["schema"]["fields"])
        tables[name] = HsdsTable(name=name, path=resource["path"], model=model, fields=fields)
    return {name: tables[name] for name in TABLE_ORDER}


class _Tables(Mapping[str, HsdsTable]):
    """`TABLES["service"]`: built on first use, so importing this module reads no file."""

    def __getitem__(self, key: str) -> HsdsTable:
        return _tables()[key]

    def __iter__(self):
        return iter(_tables())

    def __len__(self) -> int:
        return len(_tables())


TABLES: Mapping[str, HsdsTable] = _Tables()


def table_for_model(model: type[models.Model]) -> HsdsTable:
    for table in TABLES.values():
        if table.model is model:
            return table
    raise KeyError(model)


def table_for_path(path: str) -> HsdsTable | None:
    for table in TABLES.values():
        if table.path == path:
            return table
    return None


# --- Reading values ---------------------------------------------------------------------------

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")
_INTEGER_TEXT = re.compile(r"^[+-]?\d+(\.0*)?$")


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"' if isinstance(value, str) else text


def is_empty(value: Any) -> bool:
    return value is None or value == ""


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def is_uri(value: str) -> bool:
    if not _URI.match(value):
        return False
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.netloc)
    return True


def _parse_number(field: HsdsField, raw: Any) -> int | float | Decimal:
    if isinstance(raw, bool):
        raise HsdsValueError(f"{_shown(raw)} is not a number")
    if field.kind == "int":
        if isinstance(raw, int):
            number = raw
        elif isinstance(raw, float):
            if not raw.is_integer():
                raise HsdsValueError(f"{_shown(raw)} is not a whole number")
            number = int(raw)
        else:
            text = raw.strip()
            if not _INTEGER_TEXT.match(text):
                try:
                    float(text)
                except ValueError:
                    raise HsdsValueError(f"{_shown(raw)} is not a number") from None
                raise HsdsValueError(f"{_shown(raw)} is not a whole number")
            number = int(text.split(".")[0])
        if field.minimum is not None and number < field.minimum:
            raise HsdsValueError(f"{number} is less than {field.minimum}")
        if field.maximum is not None and number > field.maximum:
            raise HsdsValueError(f"{number} is more than {field.maximum}")
        return number
    if field.kind == "decimal":
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise HsdsValueError(f"{_shown(raw)} is not a number") from None
        if not number.is_finite():
            raise HsdsValueError(f"{_shown(raw)} is not a number")
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > (field.decimal_places or 0) and number != number.quantize(
            Decimal(1).scaleb(-(field.decimal_places or 0))
        ):
            raise HsdsValueError(
                f"{_shown(raw)} has more than {field.decimal_places} decimal places"
            )
        whole_digits = (field.max_digits or 0) - (field.decimal_places or 0)
        if abs(number) >= Decimal(10) ** whole_digits:
            raise HsdsValueError(f"{_shown(raw)} is too large")
        return number
    try:
        number = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise HsdsValueError(f"{_shown(raw)} is not a number") from None
    if not math.isfinite(number):
        raise HsdsValueError(f"{_shown(raw)} is not a number")
    return number


def _parse_datetime(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise HsdsValueError(
            f"{_shown(raw)} is not a date and time (like 2024-05-31T14:30:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_value(field: HsdsField, raw: Any) -> Any:
    """The model value for one HSDS value, which may be CSV text or a JSON value. Empty values
    become None or "" (whichever the model stores); a value that cannot be read raises
    `HsdsValueError`. Whether an empty value is allowed is the caller's question."""
    if is_empty(raw):
        return None if field.nullable else ""
    kind = field.kind
    if field.type == "string" and not isinstance(raw, str):
        raise HsdsValueError(f"{_shown(raw)} is not text")
    if kind == "text":
        if field.enum and raw not in field.enum:
            raise HsdsValueError(f"{_shown(raw)} is not one of {', '.join(field.enum)}")
        if field.format == "email" and not _EMAIL.match(raw):
            raise HsdsValueError(f"{_shown(raw)} is not an email address")
        if field.format == "uri" and not is_uri(raw):
            raise HsdsValueError(f"{_shown(raw)} is not a web address (URI)")
        if field.max_length is not None and len(raw) > field.max_length:
            raise HsdsValueError(
                f"is {len(raw)} characters long; Hearth keeps at most {field.max_length}"
            )
        return raw
    if kind == "uuid":
        text = raw.strip()
        if not _UUID.match(text):
            raise HsdsValueError(f"{_shown(raw)} is not a UUID")
        return text.lower()
    if kind in ("int", "float", "decimal"):
        return _parse_number(field, raw)
    if not isinstance(raw, str):
        raise HsdsValueError(f"{_shown(raw)} is not text")
    text = raw.strip()
    if kind in ("date", "date_as_datetime"):
        try:
            if not _DATE.match(text):
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            raise HsdsValueError(f"{_shown(raw)} is not a date (like 2024-05-31)") from None
        if kind == "date":
            return day
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if kind == "datetime":
        return _parse_datetime(text)
    if kind == "time":
        try:
            if not _TIME.match(text):
                raise ValueError
            return time.fromisoformat(text)
        except ValueError:
            raise HsdsValueError(f"{_shown(raw)} is not a time of day (like 09:30)") from None
    raise AssertionError(kind)  # pragma: no cover


def is_required(field: HsdsField, *, tabular: bool) -> bool:
    """Whether a record must give the column a value. `tabular=True` applies the data
    package's rules (a CSV row must name, say, its service's organization); JSON documents are
    checked against their own schema, where nesting says what a record belongs to, and need
    only what the database needs besides."""
    return field.needed_by_model or (tabular and field.required)


def parse_record(
    table: HsdsTable,
    data: Mapping[str, Any],
    *,
    tabular: bool = True,
    check_absent: bool = True,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Model keyword arguments (by attname) for the HSDS columns present in `data`, and the
    problems found as (column, message) pairs. An empty value for a column whose model field
    has a default (a service's `last_modified`) is left out, so the default applies.
    `check_absent=False` leaves missing columns to the caller (a CSV file's header is checked
    once, not on every row)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for field in table.fields:
        if field.name not in data:
            if check_absent and is_required(field, tabular=tabular):
                problems.append((field.name, "a value is required"))
            continue
        raw = data[field.name]
        if is_empty(raw):
            if is_required(field, tabular=tabular):
                problems.append((field.name, "a value is required"))
            elif field.nullable or field.kind == "text":
                values[field.attname] = None if field.nullable else ""
            continue
        try:
            values[field.attname] = parse_value(field, raw)
        except HsdsValueError as error:
            problems.append((field.name, str(error)))
    return values, problems


def hsds_field_values(model: type[models.Model], data: Mapping[str, Any]) -> dict[str, Any]:
    """Model keyword arguments from one record's HSDS values (CSV text or JSON values), for
    the columns present in `data`. Raises `HsdsValueError` naming every column that cannot
    be read."""
    values, problems = parse_record(table_for_model(model), data, tabular=False, check_absent=False)
    if problems:
        raise HsdsValueError("; ".join(f'"{name}": {message}' for name, message in problems))
    return values


# --- Writing values ---------------------------------------------------------------------------


def _number(value: float | Decimal) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value) if value.is_integer() else value


def format_datetime(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as precise as the value is (seconds, milliseconds or
    microseconds), so a value read from a file is written back exactly as it was."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    if moment.microsecond == 0:
        timespec = "seconds"
    elif moment.microsecond % 1000 == 0:
        timespec = "milliseconds"
    else:
        timespec = "microseconds"
    return moment.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _format_time(value: time) -> str:
    return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")


def _format_day(value: datetime) -> str:
    return value.astimezone(UTC).date().isoformat()


def _same_value(value: Any) -> Any:
    return value


_FORMATTERS = {
    "text": _same_value,
    "uuid": str,
    "int": int,
    "float": _number,
    "decimal": _number,
    "date": date.isoformat,
    "date_as_datetime": _format_day,
    "datetime": format_datetime,
    "time": _format_time,
}


def format_value(field: HsdsField, value: Any) -> Any:
    """The JSON value for a model value, or None for "no value"."""
    if value is None or value == "":
        return None
    return _FORMATTERS[field.kind](value)


# --- Confidential locations -------------------------------------------------------------------

# Location columns never published for a confidential location: where it is (coordinates),
# how to get there, what else it is called, and identifiers that name the property (a UPRN is
# an address in all but name). Its addresses are never published either.
CONFIDENTIAL_LOCATION_WITHHELD = (
    "alternate_name",
    "url",
    "transportation",
    "latitude",
    "longitude",
    "external_identifier",
    "external_identifier_type",
)


def public_location_values(values: dict[str, Any], *, coarse_area: str) -> dict[str, Any]:
    """What the public may know of a confidential location (a shelter), given its HSDS values.

    HSDS 3.0 has no way to say "confidential", so Hearth decides, once, here:

    - never: its address rows, latitude and longitude, transportation directions, alternate
      name, web address and external identifiers; nor any metadata (change history) about the
      location or its addresses, whose previous and replacement values could hold them;
    - its description is replaced by its coarse area ("North Riverbend"), because a free-text
      description of a place usually says where it is;
    - its name is kept, because the name is how people and referrers know it; whoever marks a
      location confidential chooses a name the public may see. A location with no name is
      named by its coarse area;
    - its phones, contacts, schedules, languages and accessibility are the "front door" and are
      published as written.
    """
    public = {
        key: value for key, value in values.items() if key not in CONFIDENTIAL_LOCATION_WITHHELD
    }
    public["description"] = coarse_area
    if is_empty(public.get("name")):
        public["name"] = coarse_area
    return public


def confidential_location_ids() -> QuerySet:
    return directory.Location.objects.filter(is_confidential=True).values("id")


def confidential_address_ids() -> QuerySet:
    return directory.Address.objects.filter(location__is_confidential=True).values("id")


def published_queryset(table: HsdsTable) -> QuerySet:
    """Every row of a table that may be published, with the confidential ones left out."""
    queryset = table.model._default_manager.all()
    if table.name == "address":
        queryset = queryset.exclude(location__is_confidential=True)
    elif table.name == "metadata":
        queryset = queryset.exclude(resource_id__in=confidential_location_ids()).exclude(
            resource_id__in=confidential_address_ids()
        )
    elif table.name == "attribute":
        queryset = queryset.exclude(link_id__in=confidential_address_ids())
    return queryset


def record_attnames(table: HsdsTable) -> list[str]:
    """The model attributes `record_values` needs, for `QuerySet.values(*...)`."""
    names = [field.attname for field in table.fields]
    if table.name == "location":
        names += ["is_confidential", "coarse_area"]
    return names


def record_values(
    table: HsdsTable,
    data: Mapping[str, Any],
    *,
    omit_empty: bool = False,
    nested: bool = False,
) -> dict[str, Any]:
    """One record's HSDS columns, in the standard's order, as JSON values, with the
    confidential-location rule applied. `data` maps model attributes to values: a model
    instance's `__dict__` or a row from `QuerySet.values(*record_attnames(table))`.

    Columns without a value are None, or left out with `omit_empty=True`. `nested=True` leaves
    out the links of a detail nested in a document (see the module docstring)."""
    values: dict[str, Any] = {}
    for name, attname, formatter in table.nested_spec if nested else table.spec:
        value = data[attname]
        if formatter is None:  # text: stored as "" when empty
            if not value:
                if omit_empty:
                    continue
                value = None
        elif value is None:
            if omit_empty:
                continue
        else:
            value = formatter(value)
        values[name] = value
    if table.name == "location" and data["is_confidential"]:
        values = public_location_values(values, coarse_area=data["coarse_area"] or "")
        if omit_empty:
            values = {name: value for name, value in values.items() if not is_empty(value)}
    return values


def csv_row(table: HsdsTable, data: Mapping[str, Any]) -> list[str]:
    """One record as a row of its table's CSV file, in the standard's column order."""
    values = record_values(table, data)
    return [_cell(values.get(name)) for name in table.field_names]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value)


# --- JSON documents ---------------------------------------------------------------------------


def _object(table_name: str, obj: Any, *, nested: bool = False) -> dict[str, Any]:
    """The record's own fields with empty ones left out."""
    return record_values(TABLES[table_name], obj.__dict__, omit_empty=True, nested=nested)


def _put(document: dict[str, Any], key: str, items: list[dict[str, Any]]) -> None:
    if items:
        document[key] = items


class _Row:
    """A record read with `QuerySet.values()`, shaped like a model instance for the document
    builders: its values are its attributes (so `__dict__` maps attnames to values), and
    related records are lists with `.all()`."""

    def __init__(self, data: dict[str, Any]):
        self.__dict__.update(data)


class _Related(list):
    def all(self) -> _Related:
        return self


_NO_ROWS = _Related()  # shared; never appended to


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _db_ids(values: Iterable[Any]) -> list[Any]:
    """Ids as the database takes them as query parameters (UUIDs where it has a uuid type,
    else the 32 hex digits Django stores)."""
    native = connection.features.has_native_uuid_field
    result = []
    for value in values:
        if value is None:
            continue
        value = _as_uuid(value)
        result.append(value if native else value.hex)
    return result


def _rows(
    model: type[models.Model], *, order: tuple[str, ...] = ("id",), **any_of: Iterable[Any]
) -> list[_Row]:
    """The records of `model` whose column (a keyword) holds one of the given ids, for any of
    the keywords, in id order. The condition is written as plain `column IN (...)` SQL with
    the ids converted once: at a few thousand ids per chunk, Django's per-value lookup
    preparation cost more than the queries themselves."""
    table = table_for_model(model)
    quote = connection.ops.quote_name
    clauses, params = [], []
    for column, ids in any_of.items():
        values = _db_ids(ids)
        if values:
            name = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(column).column)}"
            clauses.append(f"{name} IN ({', '.join(['%s'] * len(values))})")
            params += values
    if not clauses:
        return []
    # Only quoted model identifiers and placeholders are written into the SQL.
    queryset = model._default_manager.extra(where=[" OR ".join(clauses)], params=params)  # noqa: S610
    return [_Row(data) for data in queryset.order_by(*order).values(*record_attnames(table))]


def _rows_by_id(model: type[models.Model], ids: Iterable[Any]) -> dict[Any, _Row]:
    ids = {record_id for record_id in ids if record_id is not None}
    if not ids:
        return {}
    return {row.id: row for row in _rows(model, id=ids)}


def _attach(parents: Iterable[Any], relation: str, children: list[_Row], column: str) -> None:
    groups: dict[Any, _Related] = defaultdict(_Related)
    for child in children:
        key = child.__dict__[column]
        if key is not None:
            groups[key].append(child)
    for parent in parents:
        parent.__dict__[relation] = groups.get(parent.id, _NO_ROWS)


class LinkedRecords:
    """The attributes and metadata of a set of records, loaded in two queries (three when
    taxonomy terms are not cached yet).

    HSDS links attributes and metadata to any record by id alone, which Django cannot prefetch,
    so serializing many services asks for them once for the whole batch. `terms` may be shared
    between batches: it caches each taxonomy term's document."""

    def __init__(self, ids: Iterable[Any], *, terms: dict[Any, dict[str, Any]] | None = None):
        ids = {_as_uuid(record_id) for record_id in ids}
        self._attributes: dict[UUID, list[_Row]] = defaultdict(list)
        self._metadata: dict[UUID, list[_Row]] = defaultdict(list)
        self._terms = terms if terms is not None else {}
        if not ids:
            return
        attributes = _rows(directory.Attribute, link_id=ids)
        wanted = {row.taxonomy_term_id for row in attributes} - set(self._terms)
        if wanted:
            for term in directory.TaxonomyTerm.objects.filter(id__in=wanted).select_related(
                "taxonomy"
            ):
                self._terms[term.id] = taxonomy_term_to_hsds(term)
        for row in attributes:
            self._attributes[row.link_id].append(row)
        for row in _rows(directory.Metadata, order=("last_action_date", "id"), resource_id=ids):
            self._metadata[row.resource_id].append(row)

    def attributes(self, record_id: Any) -> list[dict[str, Any]]:
        documents = []
        for row in self._attributes.get(_as_uuid(record_id), ()):
            document = _object("attribute", row, nested=True)
            document["taxonomy_term"] = dict(self._terms[row.taxonomy_term_id])
            documents.append(document)
        return documents

    def metadata(self, record_id: Any) -> list[dict[str, Any]]:
        return [
            _object("metadata", row, nested=True)
            for row in self._metadata.get(_as_uuid(record_id), ())
        ]


def _links(document: dict[str, Any], record_id: Any, links: LinkedRecords | None) -> None:
    if links is None:
        return
    _put(document, "attributes", links.attributes(record_id))
    _put(document, "metadata", links.metadata(record_id))


def taxonomy_to_hsds(taxonomy: directory.Taxonomy) -> dict[str, Any]:
    return _object("taxonomy", taxonomy)


def taxonomy_term_to_hsds(term: directory.TaxonomyTerm) -> dict[str, Any]:
    """A taxonomy term with its taxonomy embedded as `taxonomy_detail`, when it has one."""
    document = _object("taxonomy_term", term)
    if term.taxonomy_id is not None:
        document["taxonomy_detail"] = taxonomy_to_hsds(term.taxonomy)
    return document


def attribute_to_hsds(attribute: directory.Attribute) -> dict[str, Any]:
    document = _object("attribute", attribute, nested=True)
    document["taxonomy_term"] = taxonomy_term_to_hsds(attribute.taxonomy_term)
    return document


def _phone(phone: directory.Phone) -> dict[str, Any]:
    document = _object("phone", phone, nested=True)
    _put(
        document,
        "languages",
        [_object("language", item, nested=True) for item in phone.languages.all()],
    )
    return document


def _contact(contact: directory.Contact) -> dict[str, Any]:
    document = _object("contact", contact, nested=True)
    _put(document, "phones", [_phone(phone) for phone in contact.phones.all()])
    return document


def _details(obj: models.Model, relation: str, table_name: str) -> list[dict[str, Any]]:
    return [_object(table_name, item, nested=True) for item in getattr(obj, relation).all()]


def location_to_hsds(
    location: directory.Location, *, full: bool = True, links: LinkedRecords | None = None
) -> dict[str, Any]:
    """A location document. A confidential location goes through `public_location_values` and
    is given without addresses or metadata."""
    document = _object("location", location)
    if not full:
        return document
    if links is None:
        links = LinkedRecords([location.id])
    _put(document, "languages", _details(location, "languages", "language"))
    if not location.is_confidential:
        _put(document, "addresses", _details(location, "addresses", "address"))
    _put(document, "contacts", [_contact(item) for item in location.contacts.all()])
    _put(document, "accessibility", _details(location, "accessibility", "accessibility"))
    _put(document, "phones", [_phone(item) for item in location.phones.all()])
    _put(document, "schedules", _details(location, "schedules", "schedule"))
    _put(document, "attributes", links.attributes(location.id))
    if not location.is_confidential:
        _put(document, "metadata", links.metadata(location.id))
    return document


def _organization_summary(organization: directory.Organization | None) -> dict[str, Any] | None:
    return None if organization is None else _object("organization", organization)


def _program(program: directory.Program | None) -> dict[str, Any] | None:
    return None if program is None else _object("program", program)


def _service_own(service: directory.Service) -> dict[str, Any]:
    document = _object("service", service)
    organization = _organization_summary(service.organization)
    if organization is not None:
        document["organization"] = organization
    program = _program(service.program)
    if program is not None:
        document["program"] = program
    return document


def _service_at_location_body(
    service_at_location: directory.ServiceAtLocation, links: LinkedRecords | None
) -> dict[str, Any]:
    document = _object("service_at_location", service_at_location)
    _put(document, "contacts", [_contact(item) for item in service_at_location.contacts.all()])
    _put(document, "phones", [_phone(item) for item in service_at_location.phones.all()])
    _put(document, "schedules", _details(service_at_location, "schedules", "schedule"))
    document["location"] = location_to_hsds(
        service_at_location.location, links=links or LinkedRecords([])
    )
    _links(document, service_at_location.id, links)
    return document


def _service_body(
    service: directory.Service, links: LinkedRecords, *, with_locations: bool = True
) -> dict[str, Any]:
    document = _service_own(service)
    _put(document, "phones", [_phone(item) for item in service.phones.all()])
    _put(document, "schedules", _details(service, "schedules", "schedule"))
    _put(document, "service_areas", _details(service, "service_areas", "service_area"))
    if with_locations:
        _put(
            document,
            "service_at_locations",
            [_service_at_location_body(item, links) for item in service.service_at_locations.all()],
        )
    _put(document, "languages", _details(service, "languages", "language"))
    _put(document, "funding", _details(service, "funding", "funding"))
    _put(document, "cost_options", _details(service, "cost_options", "cost_option"))
    _put(
        document, "required_documents", _details(service, "required_documents", "required_document")
    )
    _put(document, "contacts", [_contact(item) for item in service.contacts.all()])
    _links(document, service.id, links)
    return document


def _service_link_ids(service: directory.Service) -> list[Any]:
    ids = [service.id]
    for service_at_location in service.service_at_locations.all():
        ids += [service_at_location.id, service_at_location.location_id]
    return ids


def services_to_hsds(
    services: Iterable[directory.Service], *, full: bool = True
) -> list[dict[str, Any]]:
    """Service documents for many services: with `prefetch_for_services` applied to the
    queryset, a constant number of queries whatever the number of services."""
    services = list(services)
    if not full:
        return [_service_own(service) for service in services]
    links = LinkedRecords(ids for service in services for ids in _service_link_ids(service))
    return [_service_body(service, links) for service in services]


def service_to_hsds(service: directory.Service, *, full: bool = True) -> dict[str, Any]:
    """One service as an HSDS document: `full=True` is the fully nested document of
    `GET /services/{id}` (compiled `service.json`); `full=False` is a list item
    (compiled `service_list.json`): the service's own fields with its organization and
    program, and no nested arrays."""
    return services_to_hsds([service], full=full)[0]


def _service_at_location_link_ids(service_at_location: directory.ServiceAtLocation) -> list:
    return [service_at_location.id, service_at_location.location_id, service_at_location.service_id]


def service_at_locations_to_hsds(
    service_at_locations: Iterable[directory.ServiceAtLocation], *, full: bool = True
) -> list[dict[str, Any]]:
    """`full=True`: compiled `service_at_location.json` documents, each with its service
    nested without its other locations; `full=False`: list items (own fields, the location's
    own fields and the service's list item). With `prefetch_for_service_at_locations`, a
    constant number of queries."""
    items = list(service_at_locations)
    if not full:
        documents = []
        for item in items:
            document = _object("service_at_location", item)
            document["location"] = _object("location", item.location)
            document["service"] = _service_own(item.service)
            documents.append(document)
        return documents
    links = LinkedRecords(
        record_id for item in items for record_id in _service_at_location_link_ids(item)
    )
    documents = []
    for item in items:
        document = _service_at_location_body(item, links)
        document["service"] = _service_body(item.service, links, with_locations=False)
        documents.append(document)
    return documents


def service_at_location_to_hsds(
    service_at_location: directory.ServiceAtLocation, *, full: bool = True
) -> dict[str, Any]:
    """One service_at_location document; see `service_at_locations_to_hsds`."""
    return service_at_locations_to_hsds([service_at_location], full=full)[0]


def _organization_link_ids(organization: directory.Organization, full_services: bool) -> list:
    ids = [organization.id] + [location.id for location in organization.locations.all()]
    if full_services:
        for service in organization.services.all():
            ids += _service_link_ids(service)
    return ids


def organizations_to_hsds(
    organizations: Iterable[directory.Organization],
    *,
    full: bool = True,
    full_services: bool = False,
) -> list[dict[str, Any]]:
    """`full=True`: compiled `organization.json` documents, with their services as list items
    (or fully nested with `full_services=True`); `full=False`: the organizations' own fields
    (compiled `organization_list.json`). With `prefetch_for_organizations`, a constant number
    of queries."""
    organizations = list(organizations)
    if not full:
        return [_object("organization", item) for item in organizations]
    links = LinkedRecords(
        record_id
        for item in organizations
        for record_id in _organization_link_ids(item, full_services)
    )
    return [_organization_body(item, links, full_services) for item in organizations]


def organization_to_hsds(
    organization: directory.Organization, *, full: bool = True, full_services: bool = False
) -> dict[str, Any]:
    """One organization document; see `organizations_to_hsds`."""
    return organizations_to_hsds([organization], full=full, full_services=full_services)[0]


def _organization_body(
    organization: directory.Organization, links: LinkedRecords, full_services: bool
) -> dict[str, Any]:
    document = _object("organization", organization)
    _put(document, "funding", _details(organization, "funding", "funding"))
    _put(document, "contacts", [_contact(item) for item in organization.contacts.all()])
    _put(document, "phones", [_phone(item) for item in organization.phones.all()])
    _put(
        document,
        "locations",
        [location_to_hsds(item, links=links) for item in organization.locations.all()],
    )
    _put(document, "programs", _details(organization, "programs", "program"))
    _put(
        document,
        "organization_identifiers",
        _details(organization, "organization_identifiers", "organization_identifier"),
    )
    _links(document, organization.id, links)
    services = organization.services.all()
    if full_services:
        items = [_service_body(service, links) for service in services]
        for item in items:
            item.pop("organization", None)
    else:
        items = [_object("service", service) for service in services]
    _put(document, "services", items)
    return document


# --- Prefetching ------------------------------------------------------------------------------


def _ordered(model: type[models.Model]) -> QuerySet:
    return model._default_manager.order_by("id")


def _phone_lookups(path: str) -> list[Prefetch]:
    return [
        Prefetch(f"{path}phones", queryset=_ordered(directory.Phone)),
        Prefetch(f"{path}phones__languages", queryset=_ordered(directory.Language)),
    ]


def _contact_lookups(path: str) -> list[Prefetch]:
    return [
        Prefetch(f"{path}contacts", queryset=_ordered(directory.Contact)),
        *_phone_lookups(f"{path}contacts__"),
    ]


def _location_lookups(path: str) -> list[Prefetch]:
    return [
        Prefetch(f"{path}languages", queryset=_ordered(directory.Language)),
        Prefetch(f"{path}addresses", queryset=_ordered(directory.Address)),
        *_contact_lookups(path),
        Prefetch(f"{path}accessibility", queryset=_ordered(directory.Accessibility)),
        *_phone_lookups(path),
        Prefetch(f"{path}schedules", queryset=_ordered(directory.Schedule)),
    ]


def _service_lookups(path: str = "") -> list[Prefetch]:
    service_at_locations = _ordered(directory.ServiceAtLocation).select_related("location")
    return [
        *_phone_lookups(path),
        Prefetch(f"{path}schedules", queryset=_ordered(directory.Schedule)),
        Prefetch(f"{path}service_areas", queryset=_ordered(directory.ServiceArea)),
        Prefetch(f"{path}service_at_locations", queryset=service_at_locations),
        *_contact_lookups(f"{path}service_at_locations__"),
        *_phone_lookups(f"{path}service_at_locations__"),
        Prefetch(f"{path}service_at_locations__schedules", queryset=_ordered(directory.Schedule)),
        *_location_lookups(f"{path}service_at_locations__location__"),
        Prefetch(f"{path}languages", queryset=_ordered(directory.Language)),
        Prefetch(f"{path}funding", queryset=_ordered(directory.Funding)),
        Prefetch(f"{path}cost_options", queryset=_ordered(directory.CostOption)),
        Prefetch(f"{path}required_documents", queryset=_ordered(directory.RequiredDocument)),
        *_contact_lookups(path),
    ]


def prefetch_for_services(queryset: QuerySet, *, full: bool = True) -> QuerySet:
    """The queryset with every related record a service document needs, so serializing N
    services with `services_to_hsds` takes the same number of queries for any N."""
    queryset = queryset.select_related("organization", "program")
    if not full:
        return queryset
    return queryset.prefetch_related(*_service_lookups())


def prefetch_for_service_at_locations(queryset: QuerySet, *, full: bool = True) -> QuerySet:
    queryset = queryset.select_related(
        "location", "service", "service__organization", "service__program"
    )
    if not full:
        return queryset
    return queryset.prefetch_related(
        *_contact_lookups(""),
        *_phone_lookups(""),
        Prefetch("schedules", queryset=_ordered(directory.Schedule)),
        *_location_lookups("location__"),
        *[
            lookup
            for lookup in _service_lookups("service__")
            if not lookup.prefetch_through.startswith("service__service_at_locations")
        ],
    )


def prefetch_for_organizations(
    queryset: QuerySet, *, full: bool = True, full_services: bool = False
) -> QuerySet:
    if not full:
        return queryset
    services = directory.Service.objects.order_by("name", "id")
    if full_services:
        services = services.select_related("organization", "program")
    lookups = [
        Prefetch("funding", queryset=_ordered(directory.Funding)),
        *_contact_lookups(""),
        *_phone_lookups(""),
        Prefetch("locations", queryset=_ordered(directory.Location)),
        *_location_lookups("locations__"),
        Prefetch("programs", queryset=_ordered(directory.Program)),
        Prefetch("organization_identifiers", queryset=_ordered(directory.OrganizationIdentifier)),
        Prefetch("services", queryset=services),
    ]
    if full_services:
        lookups += _service_lookups("services__")
    return queryset.prefetch_related(*lookups)


# --- Streaming many service documents --------------------------------------------------------


def _load_service_graph(services: list[_Row]) -> None:
    """Attach to service rows every related row their documents show, with one query per
    table for the whole chunk (a phone shown under a service, its location and a contact is
    read once)."""
    service_ids = [service.id for service in services]
    organizations = _rows_by_id(directory.Organization, (s.organization_id for s in services))
    programs = _rows_by_id(directory.Program, (s.program_id for s in services))
    for service in services:
        service.organization = organizations.get(service.organization_id)
        service.program = programs.get(service.program_id)
    service_at_locations = _rows(directory.ServiceAtLocation, service_id=service_ids)
    _attach(services, "service_at_locations", service_at_locations, "service_id")
    sal_ids = [item.id for item in service_at_locations]
    locations = _rows_by_id(directory.Location, (item.location_id for item in service_at_locations))
    for item in service_at_locations:
        item.location = locations[item.location_id]
    location_ids = list(locations)
    places = list(locations.values())

    contacts = _rows(
        directory.Contact,
        service_id=service_ids,
        service_at_location_id=sal_ids,
        location_id=location_ids,
    )
    phones = _rows(
        directory.Phone,
        service_id=service_ids,
        service_at_location_id=sal_ids,
        location_id=location_ids,
        contact_id=[contact.id for contact in contacts],
    )
    languages = _rows(
        directory.Language,
        service_id=service_ids,
        location_id=location_ids,
        phone_id=[phone.id for phone in phones],
    )
    schedules = _rows(
        directory.Schedule,
        service_id=service_ids,
        service_at_location_id=sal_ids,
        location_id=location_ids,
    )
    _attach(phones, "languages", languages, "phone_id")
    _attach(contacts, "phones", phones, "contact_id")
    for parents, column in (
        (services, "service_id"),
        (service_at_locations, "service_at_location_id"),
        (places, "location_id"),
    ):
        _attach(parents, "contacts", contacts, column)
        _attach(parents, "phones", phones, column)
        _attach(parents, "schedules", schedules, column)
    _attach(services, "languages", languages, "service_id")
    _attach(places, "languages", languages, "location_id")
    for relation, model in (
        ("addresses", directory.Address),
        ("accessibility", directory.Accessibility),
    ):
        _attach(places, relation, _rows(model, location_id=location_ids), "location_id")
    for relation, model in (
        ("service_areas", directory.ServiceArea),
        ("funding", directory.Funding),
        ("cost_options", directory.CostOption),
        ("required_documents", directory.RequiredDocument),
    ):
        _attach(services, relation, _rows(model, service_id=service_ids), "service_id")


def iter_service_documents(
    queryset: QuerySet | None = None, *, chunk_size: int = 500
) -> Iterable[dict[str, Any]]:
    """Every service of `queryset` (default: all) as a full document, in id order, a chunk at a
    time: for exports and streamed (`format=ndjson`) responses. The documents are exactly
    those of `service_to_hsds`; they are built from plain rows instead of model instances, about
    twenty queries per chunk whatever its size, so memory stays flat and time per service low."""
    queryset = directory.Service.objects.all() if queryset is None else queryset
    queryset = queryset.order_by("id")
    attnames = record_attnames(TABLES["service"])
    terms: dict[Any, dict[str, Any]] = {}
    last_id = None
    while True:
        page = queryset if last_id is None else queryset.filter(id__gt=last_id)
        services = [_Row(data) for data in page.values(*attnames)[:chunk_size]]
        if not services:
            return
        yield from _documents(services, terms)
        last_id = services[-1].id


def _documents(services: list[_Row], terms: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    _load_service_graph(services)
    links = LinkedRecords(
        (record_id for service in services for record_id in _service_link_ids(service)),
        terms=terms,
    )
    return [_service_body(service, links) for service in services]


def service_documents(
    ids: list[Any], *, terms: dict[Any, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The full documents of the services with these ids, in the order given (ids of no
    service are skipped), as `iter_service_documents` builds them: for streaming a chunk of
    search results. Pass the same `terms` dict for every chunk of one stream."""
    by_id = {row.id: row for row in _rows(directory.Service, id=ids)}
    services = [by_id[key] for key in map(_as_uuid, ids) if key in by_id]
    return _documents(services, {} if terms is None else terms)


# --- Validating JSON documents ----------------------------------------------------------------

DOCUMENT_KINDS = (
    "service",
    "organization",
    "service_at_location",
    "location",
    "taxonomy",
    "taxonomy_term",
)


@cache
def _compiled(name: str) -> dict[str, Any]:
    with gzip.open(COMPILED_DIR / f"{name}.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)


@cache
def document_schema(kind: str) -> dict[str, Any]:
    """The compiled HSDS 3.0 JSON schema for a document. Location, taxonomy term and taxonomy
    have no compiled file of their own; theirs are the ones nested in the compiled service."""
    if kind in ("service", "organization", "service_at_location"):
        return _compiled(kind)
    service = _compiled("service")["properties"]
    if kind == "location":
        return service["service_at_locations"]["items"]["properties"]["location"]
    term = service["attributes"]["items"]["properties"]["taxonomy_term"]
    if kind == "taxonomy_term":
        return term
    if kind == "taxonomy":
        return term["properties"]["taxonomy_detail"]
    raise KeyError(kind)


def _format_checker():
    from jsonschema import FormatChecker

    checker = FormatChecker()

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or is_uri(value)

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if isinstance(value, str):
            datetime.fromisoformat(value)
        return True

    return checker


@cache
def document_validator(kind: str):
    """A cached jsonschema validator for one kind of document (the compiled schemas are large:
    each is read and checked once per process). The schemas declare no `$schema`; they are
    written for Draft 2020-12."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(document_schema(kind), format_checker=_format_checker())
