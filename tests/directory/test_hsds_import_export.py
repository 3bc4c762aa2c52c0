"""`hearth hsds-import` and `hearth hsds-export`: the standard's examples import, data round-trips,
invalid data is refused whole with every problem located, records are updated rather than
duplicated, and confidential locations never leave Hearth with an address or coordinates."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection

from hearth.core.models import AuditRecord
from hearth.directory import hsds, models, search
from hearth.directory.hsds_export import NDJSON_FILE, can_run_in_parallel, export_hsds
from hearth.directory.hsds_import import ImportRefused, import_hsds
from tests.directory.conftest import DIRECTORY_MODELS
from tests.directory.factories import LocationFactory, ServiceFactory
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

# The standard's example package links to records it does not contain.
EXAMPLE_DANGLING = [
    'taxonomy_terms.csv, row 2, field "parent_id": '
    'no taxonomy_term "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2" in the data or the directory',
    'taxonomy_terms.csv, row 2, field "taxonomy_id": '
    'no taxonomy "07ff6aee-a219-438c-b694-d2fcb6c5373b" in the data or the directory',
    'organizations.csv, row 2, field "parent_organization_id": '
    'no organization "cd09a387-91f4-4555-94ec-e799c35344cd" in the data or the directory',
    'locations.csv, row 2, field "organization_id": '
    'no organization "985e4a42-bd9f-4edc-911d-0243a4640aca" in the data or the directory',
    'contacts.csv, row 2, field "organization_id": '
    'no organization "ae67a707-5893-4225-b0b1-320ab9cb596b" in the data or the directory',
    'contacts.csv, row 2, field "service_at_location_id": '
    'no service_at_location "93eaf18d-1cd2-4ec7-bffb-3c9172ee5070" in the data or the directory',
]
# The columns those links are in: stored empty, so exported empty.
DROPPED_COLUMNS = {
    ("taxonomy_terms.csv", "parent_id"),
    ("taxonomy_terms.csv", "taxonomy_id"),
    ("organizations.csv", "parent_organization_id"),
    ("locations.csv", "organization_id"),
    ("contacts.csv", "organization_id"),
    ("contacts.csv", "service_at_location_id"),
}
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rewrite_csv(path: Path, change) -> None:
    """Rewrite a CSV file through `change(rows) -> rows`, keeping its header."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        rows = change(list(reader))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def example_package(hsds_standard, tmp_path) -> Path:
    """A writable copy of the standard's example package, with its real descriptor."""
    package = tmp_path / "example"
    shutil.copytree(hsds_standard / "examples" / "csv", package)
    (package / "datapackage.json").unlink()
    shutil.copy(hsds_standard / "datapackage.json", package / "datapackage.json")
    return package


def refused(path, **options) -> list[str]:
    with pytest.raises(ImportRefused) as raised:
        import_hsds(actor=None, path=path, **options)
    return [str(problem) for problem in raised.value.problems]


def delete_directory() -> None:
    for model in reversed(DIRECTORY_MODELS):
        model.objects.all().delete()


def all_text(directory: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(directory.iterdir()))


# --- The standard's examples -------------------------------------------------------------------


def test_the_example_package_is_refused_for_its_dangling_links(
    hsds_standard, hsds_table_counts, audit_count
):
    before = hsds_table_counts()
    audits = audit_count()

    problems = refused(hsds_standard / "examples" / "csv")

    assert problems == EXAMPLE_DANGLING
    assert hsds_table_counts() == before
    assert audit_count() == audits


def test_the_example_package_imports_with_dangling_links_dropped(hsds_standard):
    result = import_hsds(
        actor=None, path=hsds_standard / "examples" / "csv", drop_dangling_references=True
    )

    assert result.summary() == {name: {"created": 1, "updated": 0} for name in hsds.TABLE_ORDER}
    assert result.notes == [f"{message}; stored as empty" for message in EXAMPLE_DANGLING]
    service = models.Service.objects.get()
    assert str(service.id) == EXAMPLE_SERVICE
    assert service.minimum_age == 12
    assert service.last_modified.isoformat() == "2023-03-15T10:30:45.123000+00:00"
    phone = models.Phone.objects.get()
    assert phone.number == '"+44 1234 234567"'
    assert (phone.service_id, phone.contact_id, phone.extension) == (
        service.id,
        models.Contact.objects.get().id,
        100,
    )
    assert models.Location.objects.get().organization_id is None
    record = AuditRecord.objects.get(action="hearth.directory.import.completed")
    assert record.actor_label == "system"
    assert record.detail == {
        "format": "csv",
        "tables": result.summary(),
        "dropped_references": 6,
    }


def test_the_example_package_round_trips(hsds_standard, tmp_path):
    # Given the example package, imported
    import_hsds(actor=None, path=hsds_standard / "examples" / "csv", drop_dangling_references=True)

    # When the directory is exported
    export_hsds(directory=tmp_path / "out")

    # Then every file holds the same rows, in the same columns, but for the links that pointed
    # at nothing (stored as empty)
    for path in sorted((hsds_standard / "examples" / "csv").glob("*.csv")):
        original = read_csv(path)
        exported = read_csv(tmp_path / "out" / path.name)
        with path.open(newline="") as handle:
            assert next(csv.reader(handle)) == list(exported[0]), path.name
        expected = [
            {
                column: "" if (path.name, column) in DROPPED_COLUMNS else value
                for column, value in row.items()
            }
            for row in original
        ]
        assert exported == expected, path.name


JSON_EXAMPLES = {
    "service_full.json": {"service": 1, "phone": 1, "location": 1, "attribute": 1},
    "organization_full.json": {"organization": 1, "service": 1, "program": 1},
    "service_at_location_full.json": {"service_at_location": 1, "service": 1},
    "location.json": {"location": 1, "address": 1},
    "taxonomy.json": {"taxonomy": 1},
    "taxonomy_term.json": {"taxonomy_term": 1, "taxonomy": 1},
    "taxonomy_list.json": {"taxonomy": 1},
    "taxonomy_term_list.json": {"taxonomy_term": 1},
    "service_list.json": {"service": 1, "organization": 1, "program": 1},
    "organization_list.json": {"organization": 1},
    "service_at_location_list.json": {"service_at_location": 1, "location": 1},
    "tabular.json": {"service": 1, "metadata": 1, "meta_table_description": 1},
}


@pytest.mark.parametrize("name", sorted(JSON_EXAMPLES))
def test_each_json_example_imports(hsds_standard, name):
    result = import_hsds(
        actor=None, path=hsds_standard / "examples" / name, drop_dangling_references=True
    )

    created = {table: count["created"] for table, count in result.summary().items()}
    assert {table: created[table] for table in JSON_EXAMPLES[name]} == JSON_EXAMPLES[name]


def test_the_api_description_example_is_not_directory_data(hsds_standard):
    assert refused(hsds_standard / "examples" / "base.json") == [
        "base.json: is the API's description of itself, not directory data"
    ]


def test_the_json_examples_are_refused_for_their_dangling_links(hsds_standard):
    assert refused(hsds_standard / "examples" / "service_full.json") == [
        'service_full.json, at attributes[0].taxonomy_term, field "parent_id": '
        'no taxonomy_term "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2" in the data or the directory',
        'service_full.json, at organization, field "parent_organization_id": '
        'no organization "cd09a387-91f4-4555-94ec-e799c35344cd" in the data or the directory',
    ]


def _without(document, keys):
    if isinstance(document, list):
        return [_without(item, keys) for item in document]
    if isinstance(document, dict):
        return {key: _without(value, keys) for key, value in document.items() if key not in keys}
    return document


def test_a_service_document_round_trips(hsds_standard):
    example = json.loads((hsds_standard / "examples" / "service_full.json").read_text())
    import_hsds(
        actor=None,
        path=hsds_standard / "examples" / "service_full.json",
        drop_dangling_references=True,
    )
    service = hsds.prefetch_for_services(models.Service.objects.all()).get()

    document = hsds.service_to_hsds(service)

    # What legitimately differs: Hearth gives entities their own link columns (service,
    # program, service_at_location, taxonomy term); a service document shows its organization's
    # own fields, not the organization's locations, phones and so on; and the two links that
    # pointed at nothing were stored as empty.
    assert document["organization_id"] == example["organization"]["id"]
    assert document["program_id"] == example["program"]["id"]
    organization_children = {
        "funding",
        "contacts",
        "phones",
        "locations",
        "programs",
        "organization_identifiers",
    }
    expected = dict(example)
    expected["organization"] = _without(
        example["organization"], organization_children | {"parent_organization_id"}
    )
    ignored = {"organization_id", "program_id", "service_id", "location_id", "taxonomy_id"}
    expected = _without(expected, ignored | {"parent_id"})
    assert _without(document, ignored) == expected


def test_the_same_record_nested_in_several_places_keeps_every_link(hsds_standard):
    import_hsds(
        actor=None,
        path=hsds_standard / "examples" / "service_full.json",
        drop_dangling_references=True,
    )

    phone = models.Phone.objects.get()

    assert [
        str(value)
        for value in (
            phone.service_id,
            phone.service_at_location_id,
            phone.contact_id,
            phone.location_id,
            phone.organization_id,
        )
    ] == [
        EXAMPLE_SERVICE,
        "e94c9f38-1e8f-4564-91d4-d53501ab1765",
        "1e7efce3-639b-4880-940c-b95cd30cdb50",
        "3a19ff88-4620-4d17-9830-ac1d859eb5d5",
        "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
    ]
    assert models.Language.objects.get().phone_id == phone.id


# --- Hearth's own data -------------------------------------------------------------------------


def test_hearths_own_export_round_trips_exactly(hsds_rich_service, tmp_path):
    # Given a directory, exported
    hsds_rich_service("First")
    hsds_rich_service("Second")
    ServiceFactory(name="Bare", description="")
    first = export_hsds(directory=tmp_path / "first")

    # When it is emptied, the export imported, and exported again
    delete_directory()
    result = import_hsds(actor=None, path=tmp_path / "first")
    second = export_hsds(directory=tmp_path / "second")

    # Then both exports are the same, file for file
    assert first.rows == second.rows
    assert first.rows["service"] == 3
    assert sum(count.created for count in result.counts.values()) == sum(first.rows.values())
    for name in sorted(first.files):
        assert (tmp_path / "second" / name).read_text() == (
            tmp_path / "first" / name
        ).read_text(), name


def test_the_ndjson_export_imports_too(hsds_rich_service, tmp_path):
    service = hsds_rich_service()
    export_hsds(directory=tmp_path / "out")
    expected = hsds.service_to_hsds(service)
    delete_directory()

    result = import_hsds(actor=None, path=tmp_path / "out" / NDJSON_FILE)

    assert result.counts["service"].created == 1
    stored = hsds.prefetch_for_services(models.Service.objects.all()).get()
    assert hsds.service_to_hsds(stored) == expected


def test_the_export_is_a_valid_data_package(hsds_rich_service, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    hsds_rich_service("First")
    hsds_rich_service("Second", confidential=True)

    export_hsds(directory=tmp_path / "out")
    report = frictionless.validate(str(tmp_path / "out" / "datapackage.json"))

    assert report.flatten(["rowNumber", "fieldName", "type", "note"]) == []
    assert report.valid


def test_exported_documents_validate_against_the_compiled_schema(hsds_rich_service, tmp_path):
    hsds_rich_service("First")
    hsds_rich_service("Second", confidential=True)

    export_hsds(directory=tmp_path / "out")

    lines = (tmp_path / "out" / NDJSON_FILE).read_text().splitlines()
    assert len(lines) == 2
    validator = hsds.document_validator("service")
    for line in lines:
        assert list(validator.iter_errors(json.loads(line))) == []


@pytest.mark.django_db(transaction=True)
def test_an_export_in_two_processes_writes_the_same_files(tmp_path):
    # Needs committed data that a second process can read: PostgreSQL, or SQLite on disk.
    if not can_run_in_parallel():
        pytest.skip("the test database is in memory: a second process cannot read it")
    ServiceFactory(name="Parallel")

    one = export_hsds(directory=tmp_path / "one", parallel=False)
    two = export_hsds(directory=tmp_path / "two", parallel=True)

    assert one.rows == two.rows
    assert sorted(one.files) == sorted(two.files)
    for name in one.files:
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


# --- Refusing invalid data ----------------------------------------------------------------------


def test_an_invalid_package_is_refused_with_every_problem_located(
    hsds_rich_service, tmp_path, hsds_table_counts, audit_count
):
    # Given a valid export of the directory, then broken in four files
    service = hsds_rich_service()
    package = tmp_path / "package"
    export_hsds(directory=package)
    phone_ids = sorted(str(phone.id) for phone in models.Phone.objects.all())
    cost_option = str(models.CostOption.objects.get().id)

    def break_service(rows):
        rows[0]["status"] = "open"
        rows[0]["name"] = "Renamed while broken"
        rows.append(dict(rows[0], id="d1c1e6a5-1111-4111-8111-111111111111", name="", email="x"))
        return rows

    def break_organization(rows):
        rows[0]["name"] = ""
        return rows

    def break_phone(rows):
        for row in rows:
            if row["id"] == phone_ids[0]:
                row["service_id"] = "0f0f0f0f-0000-4000-8000-000000000000"
        return rows

    def break_cost_option(rows):
        rows[0]["id"] = "not-a-uuid"
        rows[0]["amount"] = "twelve"
        return rows

    rewrite_csv(package / "services.csv", break_service)
    rewrite_csv(package / "organizations.csv", break_organization)
    rewrite_csv(package / "phones.csv", break_phone)
    rewrite_csv(package / "cost_options.csv", break_cost_option)
    phone_row = 2 + [row["id"] for row in read_csv(package / "phones.csv")].index(phone_ids[0])
    before = hsds_table_counts()
    audits = audit_count()

    # When it is imported
    problems = refused(package)

    # Then every problem is listed, where it is, and nothing was written
    assert problems == [
        'organizations.csv, row 2, field "name": a value is required',
        'services.csv, row 2, field "status": '
        '"open" is not one of active, inactive, defunct, temporarily closed',
        'services.csv, row 3, field "name": a value is required',
        'services.csv, row 3, field "email": "x" is not an email address',
        'services.csv, row 3, field "status": '
        '"open" is not one of active, inactive, defunct, temporarily closed',
        f'phones.csv, row {phone_row}, field "service_id": '
        'no service "0f0f0f0f-0000-4000-8000-000000000000" in the data or the directory',
        'cost_options.csv, row 2, field "id": "not-a-uuid" is not a UUID',
        'cost_options.csv, row 2, field "amount": "twelve" is not a number',
    ]
    assert hsds_table_counts() == before
    assert audit_count() == audits
    service.refresh_from_db()
    assert service.name == "Harbor counselling"
    assert models.CostOption.objects.get().id.hex == cost_option.replace("-", "")


def test_missing_columns_and_ragged_rows_are_problems(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    (package / "services.csv").write_text(
        "id,organization_id,name\n"
        "ac148810-d857-441c-9679-408f346de14b,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,A,extra\n"
    )

    problems = refused(package)

    assert problems == [
        'services.csv, row 1, field "status": the column is missing',
        "services.csv, row 2: the row has 4 cells but the header has 3",
    ]


def test_unreadable_files_are_problems(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    latin = tmp_path / "latin"
    latin.mkdir()
    (latin / "services.csv").write_bytes(
        b"id,organization_id,name,status\n"
        b"ac148810-d857-441c-9679-408f346de14b,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,Caf\xe9,active\n"
    )
    (tmp_path / "empty.json").write_text("[]")

    assert refused(empty) == [
        f"{empty}: holds no HSDS 3.0 table files (organizations.csv, services.csv, ...)"
    ]
    assert refused(latin) == ["services.csv, row 2: is not UTF-8 text"]
    assert refused(tmp_path / "empty.json") == ["empty.json: holds no documents"]


def test_a_link_to_a_record_already_in_the_directory_is_accepted(hsds_standard, tmp_path):
    existing = ServiceFactory()
    package = tmp_path / "package"
    package.mkdir()
    (package / "phones.csv").write_text(
        "id,service_id,number\n"
        f"5a5a5a5a-0000-4000-8000-000000000001,{existing.id},555-0199\n"
        "5a5a5a5a-0000-4000-8000-000000000002,5a5a5a5a-0000-4000-8000-00000000dead,555-0198\n"
    )

    assert refused(package) == [
        'phones.csv, row 3, field "service_id": '
        'no service "5a5a5a5a-0000-4000-8000-00000000dead" in the data or the directory'
    ]


def test_attributes_need_their_taxonomy_term(tmp_path):
    service = ServiceFactory()
    path = tmp_path / "attributes.json"
    path.write_text(
        json.dumps(
            {
                "attributes.csv": [
                    {
                        "id": "6a6a6a6a-0000-4000-8000-000000000001",
                        "link_id": str(service.id),
                        "link_entity": "service",
                        "taxonomy_term_id": "6a6a6a6a-0000-4000-8000-0000000000aa",
                    }
                ]
            }
        )
    )

    assert refused(path, drop_dangling_references=True) == [
        'attributes.json, "attributes.csv" item 1, field "taxonomy_term_id": '
        'no taxonomy_term "6a6a6a6a-0000-4000-8000-0000000000aa" in the data or the directory'
    ]


def test_json_documents_are_checked_against_the_compiled_schema(tmp_path):
    path = tmp_path / "services.json"
    service_id = "7b7b7b7b-0000-4000-8000-000000000001"
    path.write_text(
        json.dumps(
            [
                {
                    "id": service_id,
                    "name": "Shelter",
                    "status": "open",
                    "service_at_locations": [
                        {
                            "id": "7b7b7b7b-0000-4000-8000-000000000002",
                            "location": {
                                "id": "7b7b7b7b-0000-4000-8000-000000000003",
                                "location_type": "physical",
                                "latitude": "north",
                            },
                        }
                    ],
                    "schedules": [
                        {"id": "7b7b7b7b-0000-4000-8000-000000000004", "dtstart": "soon"}
                    ],
                },
                {"id": "not-a-uuid", "name": "Second", "status": "active"},
                {
                    "id": service_id,
                    "name": "Shelter, again",
                    "status": "active",
                },
            ]
        )
    )

    assert refused(path) == [
        'services.json, document 1, field "status": '
        '"open" is not one of active, inactive, defunct, temporarily closed',
        "services.json, document 1, at service_at_locations[0].location, "
        'field "latitude": "north" is not of type number',
        'services.json, document 1, at schedules[0], field "dtstart": '
        '"soon" is not a date (like 2024-05-31)',
        'services.json, document 2, field "id": "not-a-uuid" is not a valid uuid',
        'services.json, document 3, field "name": "Shelter, again" differs from "Shelter" '
        f"given for the same service ({service_id}) at document 1",
        'services.json, document 3, field "status": "active" differs from "open" '
        f"given for the same service ({service_id}) at document 1",
    ]


# --- Updating ------------------------------------------------------------------------------------


def test_importing_changed_data_updates_records_instead_of_duplicating(
    hsds_standard, tmp_path, hsds_table_counts
):
    # Given the example, imported, and a listing Hearth keeps current
    package = example_package(hsds_standard, tmp_path)
    import_hsds(actor=None, path=package, drop_dangling_references=True)
    models.Service.objects.update(capacity_status="waitlist", capacity_note="Two weeks")
    before = hsds_table_counts()

    # When a changed file is imported: a new name, and one more phone
    rewrite_csv(package / "services.csv", lambda rows: [dict(rows[0], name="Counselling (new)")])

    def add_phone(rows):
        return [*rows, dict(rows[0], id="8c8c8c8c-0000-4000-8000-000000000001", number="555")]

    rewrite_csv(package / "phones.csv", add_phone)
    result = import_hsds(actor=None, path=package, drop_dangling_references=True)

    # Then the service is updated in place, the phone added, Hearth's own fields kept
    assert result.counts["service"].created == 0
    assert result.counts["service"].updated == 1
    assert (result.counts["phone"].created, result.counts["phone"].updated) == (1, 1)
    after = hsds_table_counts()
    assert after == dict(before, Phone=before["Phone"] + 1)
    service = models.Service.objects.get()
    assert service.name == "Counselling (new)"
    assert (service.capacity_status, service.capacity_note) == ("waitlist", "Two weeks")


def test_a_document_does_not_undo_links_it_does_not_mention(hsds_standard, tmp_path):
    # Given the example package, where one phone belongs to a service, a location, a contact
    import_hsds(actor=None, path=hsds_standard / "examples" / "csv", drop_dangling_references=True)
    path = tmp_path / "service.json"
    path.write_text(
        json.dumps(
            {
                "id": EXAMPLE_SERVICE,
                "name": "Community Counselling",
                "status": "inactive",
                "phones": [{"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e", "number": "555-0000"}],
            }
        )
    )

    # When a document shows that phone under the service alone
    import_hsds(actor=None, path=path)

    # Then its other links stay, and what the document gives is updated
    phone = models.Phone.objects.get()
    assert phone.number == "555-0000"
    assert phone.location_id is not None and phone.contact_id is not None
    service = models.Service.objects.get()
    assert service.status == "inactive"
    assert service.description == ""  # left out of the document: it has none


def test_the_network_option_files_organizations_under_a_network(hsds_standard):
    network = NetworkFactory()

    import_hsds(
        actor=None,
        path=hsds_standard / "examples" / "csv",
        network=network,
        drop_dangling_references=True,
    )

    assert models.Organization.objects.get().network == network
    record = AuditRecord.objects.get(action="hearth.directory.import.completed")
    assert record.network_id == network.id


def test_a_dry_run_writes_nothing(hsds_standard, hsds_table_counts, audit_count):
    before = hsds_table_counts()
    audits = audit_count()

    result = import_hsds(
        actor=None,
        path=hsds_standard / "examples" / "csv",
        dry_run=True,
        drop_dangling_references=True,
    )

    assert result.dry_run
    assert result.counts["service"].created == 1
    assert hsds_table_counts() == before
    assert audit_count() == audits


def test_a_failure_half_way_leaves_the_directory_as_it_was(
    hsds_standard, hsds_table_counts, audit_count
):
    before = hsds_table_counts()
    audits = audit_count()

    def fail_on_phones(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "directory_phone"'):
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_phones), pytest.raises(OperationalError):
        import_hsds(
            actor=None,
            path=hsds_standard / "examples" / "csv",
            drop_dangling_references=True,
        )

    assert hsds_table_counts() == before
    assert audit_count() == audits


# --- Confidential locations ----------------------------------------------------------------------

PRECISE = ["12 Mill Lane", "RV1 1AA", "45.512345", "-122.654321", "Bus 12", "UPRN-100092008082"]


def test_an_export_never_holds_a_confidential_address_or_coordinates(hsds_rich_service, tmp_path):
    # Given a confidential location that still holds its address, coordinates and history
    # (which the service layer would have removed: the export must not rely on it)
    service = hsds_rich_service(confidential=True)
    location = models.Location.objects.get(service_at_locations__service=service)
    assert models.Address.objects.filter(location=location).count() == 1

    # When the directory is exported
    export_hsds(directory=tmp_path / "out")

    # Then no file holds anything precise about it
    text = all_text(tmp_path / "out")
    assert [value for value in PRECISE if value in text] == []
    assert read_csv(tmp_path / "out" / "addresses.csv") == []
    assert [row["resource_type"] for row in read_csv(tmp_path / "out" / "metadata.csv")] == [
        "service"
    ]
    assert read_csv(tmp_path / "out" / "locations.csv") == [
        {
            "id": str(location.id),
            "location_type": "physical",
            "url": "",
            "organization_id": str(service.organization_id),
            "name": "Harbor counselling house",
            "alternate_name": "",
            "description": "North Riverbend",
            "transportation": "",
            "latitude": "",
            "longitude": "",
            "external_identifier": "",
            "external_identifier_type": "",
        }
    ]
    assert [row["number"] for row in read_csv(tmp_path / "out" / "phones.csv")].count(
        "555-0100"
    ) == 1


def test_an_import_never_stores_a_confidential_locations_address(hsds_standard):
    # Given the example's location, already in Hearth and made confidential
    location = LocationFactory(
        id="3a19ff88-4620-4d17-9830-ac1d859eb5d5",
        name="Safe house",
        latitude=45.5,
        longitude=-122.6,
        is_confidential=True,
        coarse_area="North Riverbend",
    )

    # When a feed that has its address and coordinates is imported
    result = import_hsds(
        actor=None, path=hsds_standard / "examples" / "csv", drop_dangling_references=True
    )

    # Then the address is withheld, the coordinates kept coarse, the location kept confidential
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (45.5, -122.6)
    assert (location.is_confidential, location.coarse_area) == (True, "North Riverbend")
    assert location.name == "MyCity Civic Center"
    assert location.transportation == ""
    assert location.external_identifier == ""
    assert models.Address.objects.count() == 0
    assert result.counts["address"].created == 0
    assert result.notes[-1] == (
        "1 address or change-history record(s) of confidential locations were withheld, and "
        "confidential locations kept their withheld details."
    )


# --- The commands ---------------------------------------------------------------------------


def test_the_import_command_lists_every_problem_and_fails(hsds_standard, hsds_table_counts):
    before = hsds_table_counts()
    stderr = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("hsds-import", str(hsds_standard / "examples" / "csv"), stderr=stderr)

    assert str(raised.value) == "6 problem(s) found; nothing was imported."
    assert stderr.getvalue().splitlines() == EXAMPLE_DANGLING
    assert hsds_table_counts() == before


def test_the_import_and_export_commands(hsds_standard, tmp_path):
    network = NetworkFactory(slug="riverbend")
    stdout = io.StringIO()

    call_command(
        "hsds-import",
        str(hsds_standard / "examples" / "csv" / "datapackage.json"),
        "--network",
        "riverbend",
        "--drop-dangling-references",
        stdout=stdout,
    )
    call_command("hsds-export", str(tmp_path / "out"), stdout=io.StringIO())

    lines = stdout.getvalue().splitlines()
    assert lines[:1] == [f"Note: {EXAMPLE_DANGLING[0]}; stored as empty"]
    assert "service: 1 new, 0 updated" in lines
    assert lines[-1] == "Imported 21 records."
    assert models.Organization.objects.get().network == network
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(
        [table.path for table in hsds.TABLES.values()] + ["datapackage.json", NDJSON_FILE]
    )


def test_the_import_command_names_an_unknown_network(hsds_standard):
    with pytest.raises(CommandError) as raised:
        call_command("hsds-import", str(hsds_standard / "examples" / "csv"), "--network", "nowhere")

    assert str(raised.value) == "There is no network 'nowhere'."


def test_an_import_brings_the_search_index_up_to_date(
    hsds_standard, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.HEARTH_SEARCH_INDEX_DIR = str(tmp_path / "index")
    search.reset()
    new_service = tmp_path / "service.json"
    new_service.write_text(
        json.dumps(
            {
                "id": "9d9d9d9d-0000-4000-8000-000000000001",
                "name": "Tenant advice",
                "status": "active",
            }
        )
    )
    try:
        # A package that changes taxonomy terms rebuilds the index; one service updates it
        with django_capture_on_commit_callbacks(execute=True):
            import_hsds(
                actor=None,
                path=hsds_standard / "examples" / "csv",
                drop_dangling_references=True,
            )
        with django_capture_on_commit_callbacks(execute=True):
            import_hsds(actor=None, path=new_service)

        found = search.search_services(search.SearchQuery(text="counselling"))
        assert [str(service_id) for service_id in found.ids] == [EXAMPLE_SERVICE]
        found = search.search_services(search.SearchQuery(text="tenant"))
        assert [str(service_id) for service_id in found.ids] == [
            "9d9d9d9d-0000-4000-8000-000000000001"
        ]
    finally:
        search.reset()


def test_a_bulk_load_asks_for_a_search_index_rebuild(tmp_path, django_capture_on_commit_callbacks):
    package = tmp_path / "package"
    package.mkdir()
    organization = "a0a0a0a0-0000-4000-8000-000000000000"
    lines = ["id,name,description", f"{organization},Big,Many services"]
    (package / "organizations.csv").write_text("\n".join(lines) + "\n")
    rows = [
        f"a0a0a0a0-0000-4000-8000-{number:012d},{organization},Service {number},active"
        for number in range(1, 2002)
    ]
    (package / "services.csv").write_text(
        "id,organization_id,name,status\n" + "\n".join(rows) + "\n"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        result = import_hsds(actor=None, path=package)

    assert result.counts["service"].created == 2001
    assert result.notes == [
        "This was a bulk load: rebuild the search index with `hearth search-index rebuild`."
    ]
    assert callbacks == []
