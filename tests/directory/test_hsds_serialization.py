"""hsds.py, the one mapping between the directory models and HSDS 3.0 JSON: documents validate
against the compiled schemas, empty fields are left out, confidential locations never show
where they are, and serializing many services takes a constant number of queries."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.directory import hsds, models
from tests.directory.factories import (
    LocationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db

SHIPPED = Path(hsds.__file__).resolve().parent / "data" / "hsds-3.0"

# What a confidential location (see the hsds_rich_service fixture) must never show.
PRECISE = ["12 Mill Lane", "RV1 1AA", "45.512345", "-122.654321", "Bus 12", "UPRN-100092008082"]


def schema_errors(document, kind):
    return [
        f"{list(error.absolute_path)}: {error.message}"
        for error in hsds.document_validator(kind).iter_errors(document)
    ]


def list_item_errors(document, name):
    schema = json.loads((SHIPPED / "compiled" / f"{name}_list.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return [error.message for error in validator.iter_errors(document)]


def test_the_shipped_schemas_are_the_standards_own(hsds_standard):
    import gzip

    for name in ("service", "organization", "service_at_location"):
        shipped = gzip.decompress((SHIPPED / "compiled" / f"{name}.json.gz").read_bytes())
        assert shipped == (hsds_standard / "schema" / "compiled" / f"{name}.json").read_bytes()
    assert (SHIPPED / "datapackage.json").read_bytes() == (
        hsds_standard / "datapackage.json"
    ).read_bytes()


def test_a_full_service_document_validates_and_nests_every_kind_of_record(hsds_rich_service):
    service = hsds_rich_service()

    document = hsds.service_to_hsds(service)

    assert schema_errors(document, "service") == []
    assert list(document) == [
        "id",
        "organization_id",
        "program_id",
        "name",
        "description",
        "status",
        "minimum_age",
        "assured_date",
        "last_modified",
        "organization",
        "program",
        "phones",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "funding",
        "cost_options",
        "required_documents",
        "contacts",
        "attributes",
        "metadata",
    ]
    assert document["id"] == str(service.id)
    assert document["minimum_age"] == 16
    assert document["assured_date"] == "2024-05-01"
    assert document["last_modified"] == "2024-05-02T09:30:00Z"
    assert document["organization"] == {
        "id": str(service.organization_id),
        "name": "Harbor counselling organization",
        "description": "Runs the service.",
        "email": "info@harbor.example.org",
        "year_incorporated": 1998,
    }
    schedule = document["schedules"][0]
    assert {key: schedule[key] for key in ("timezone", "opens_at", "closes_at", "byday")} == {
        "timezone": -8,
        "opens_at": "09:00:00",
        "closes_at": "17:30:00",
        "byday": "MO,TU",
    }
    assert [(item["option"], item["amount"]) for item in document["cost_options"]] == [
        ("Per session", 12.5)
    ]
    location = document["service_at_locations"][0]["location"]
    assert location["latitude"] == 45.512345
    assert location["addresses"][0]["address_1"] == "12 Mill Lane"
    assert [phone["number"] for phone in location["phones"]] == ["555-0100"]
    assert location["phones"][0]["languages"][0]["code"] == "es"
    assert [phone["number"] for phone in document["contacts"][0]["phones"]] == ["555-0101"]
    attribute = document["attributes"][0]
    assert attribute["taxonomy_term"]["name"] == "Counseling"
    assert attribute["taxonomy_term"]["taxonomy_detail"]["description"] == "Terms"
    assert [row["field_name"] for row in document["metadata"]] == ["name"]
    assert [row["field_name"] for row in location["metadata"]] == ["latitude"]


def test_nested_details_leave_out_links_their_place_already_gives(hsds_rich_service):
    service = hsds_rich_service()

    document = hsds.service_to_hsds(service)

    assert document["phones"][0] == {"id": document["phones"][0]["id"], "number": "555-0101"}
    assert "link_id" not in document["attributes"][0]
    assert "resource_id" not in document["metadata"][0]
    service_at_location = document["service_at_locations"][0]
    assert service_at_location["service_id"] == str(service.id)
    assert service_at_location["location"]["organization_id"] == str(service.organization_id)


def test_empty_optional_fields_are_left_out_and_required_ones_kept():
    service = ServiceFactory(name="Food bank", description="", organization=None)

    document = hsds.service_to_hsds(service)

    assert document == {
        "id": str(service.id),
        "name": "Food bank",
        "status": "active",
        "last_modified": hsds.format_datetime(service.last_modified),
    }
    assert schema_errors(document, "service") == []


def test_the_list_item_form_has_no_nested_arrays(hsds_rich_service):
    service = hsds_rich_service()

    item = hsds.service_to_hsds(service, full=False)

    assert list_item_errors(item, "service") == []
    assert sorted(key for key, value in item.items() if isinstance(value, list | dict)) == [
        "organization",
        "program",
    ]
    assert item["program"]["name"] == "Harbor counselling program"


def test_organization_documents_validate(hsds_rich_service):
    service = hsds_rich_service()
    organization = hsds.prefetch_for_organizations(
        models.Organization.objects.filter(pk=service.organization_id)
    ).get()

    document = hsds.organization_to_hsds(organization)
    with_services = hsds.organization_to_hsds(organization, full_services=True)
    item = hsds.organization_to_hsds(organization, full=False)

    assert schema_errors(document, "organization") == []
    assert schema_errors(with_services, "organization") == []
    assert list_item_errors(item, "organization") == []
    own_fields = hsds.service_to_hsds(service, full=False)
    del own_fields["organization"], own_fields["program"]
    assert document["services"] == [own_fields]
    assert with_services["services"][0]["service_at_locations"][0]["location"]["name"] == (
        "Harbor counselling house"
    )
    assert "organization" not in with_services["services"][0]
    assert [item["identifier"] for item in document["organization_identifiers"]] == ["12345"]
    assert [item["name"] for item in document["locations"]] == ["Harbor counselling house"]


def test_service_at_location_documents_validate(hsds_rich_service):
    service = hsds_rich_service()
    service_at_location = hsds.prefetch_for_service_at_locations(
        models.ServiceAtLocation.objects.filter(service=service)
    ).get()

    document = hsds.service_at_location_to_hsds(service_at_location)
    item = hsds.service_at_location_to_hsds(service_at_location, full=False)

    assert schema_errors(document, "service_at_location") == []
    assert list_item_errors(item, "service_at_location") == []
    assert document["service"]["name"] == "Harbor counselling"
    assert "service_at_locations" not in document["service"]
    assert document["location"]["addresses"][0]["city"] == "Riverbend"
    assert item["location"]["name"] == "Harbor counselling house"
    assert "addresses" not in item["location"]


def test_taxonomy_and_term_documents_validate():
    taxonomy = TaxonomyFactory(name="Open Eligibility", description="Terms", version="2024")
    parent = TaxonomyTermFactory(taxonomy=taxonomy, name="Care", description="Care")
    term = TaxonomyTermFactory(
        taxonomy=taxonomy,
        parent=parent,
        name="Counseling",
        description="Talking help",
        code="1234",
        taxonomy_name="Open Eligibility",
        language="en",
    )

    document = hsds.taxonomy_term_to_hsds(term)

    assert schema_errors(document, "taxonomy_term") == []
    assert schema_errors(hsds.taxonomy_to_hsds(taxonomy), "taxonomy") == []
    assert document == {
        "id": str(term.id),
        "code": "1234",
        "name": "Counseling",
        "description": "Talking help",
        "parent_id": str(parent.id),
        "taxonomy": "Open Eligibility",
        "language": "en",
        "taxonomy_id": str(taxonomy.id),
        "taxonomy_detail": {
            "id": str(taxonomy.id),
            "name": "Open Eligibility",
            "description": "Terms",
            "version": "2024",
        },
    }


def _every_output_of(service):
    """Every way hsds.py can show the service, its place and its organization."""
    service_at_location = hsds.prefetch_for_service_at_locations(
        models.ServiceAtLocation.objects.filter(service=service)
    ).get()
    organization = hsds.prefetch_for_organizations(
        models.Organization.objects.filter(pk=service.organization_id), full_services=True
    ).get()
    location = service_at_location.location
    outputs = {
        "service": hsds.service_to_hsds(service),
        "service list item": hsds.service_to_hsds(service, full=False),
        "streamed service": list(hsds.iter_service_documents()),
        "service_at_location": hsds.service_at_location_to_hsds(service_at_location),
        "service_at_location item": hsds.service_at_location_to_hsds(
            service_at_location, full=False
        ),
        "organization": hsds.organization_to_hsds(organization, full_services=True),
        "location": hsds.location_to_hsds(location),
        "location own fields": hsds.location_to_hsds(location, full=False),
    }
    table = hsds.TABLES["location"]
    outputs["location row"] = hsds.csv_row(table, location.__dict__)
    return outputs


def test_a_confidential_location_never_shows_where_it_is(hsds_rich_service):
    # Given a confidential location that (against the service layer's rules, to test the
    # serializer on its own) still holds its address, coordinates and history
    service = hsds_rich_service(confidential=True)
    location = models.Location.objects.get(service_at_locations__service=service)
    assert location.latitude == 45.512345

    # When every output is produced
    outputs = _every_output_of(service)

    # Then none of them holds anything precise
    for name, output in outputs.items():
        text = json.dumps(output)
        leaked = [value for value in PRECISE if value in text]
        assert leaked == [], name
        if name != "service list item":  # the one output that does not show the place
            assert "North Riverbend" in text, name
    assert outputs["location"] == {
        "id": str(location.id),
        "location_type": "physical",
        "organization_id": str(service.organization_id),
        "name": "Harbor counselling house",
        "description": "North Riverbend",
        "languages": [{"id": str(location.languages.get().id), "name": "Vietnamese", "code": "vi"}],
        "accessibility": [
            {"id": str(location.accessibility.get().id), "description": "Step-free entrance"}
        ],
        "phones": [
            {
                "id": str(location.phones.get().id),
                "number": "555-0100",
                "type": "voice",
                "description": "Front door",
                "languages": [
                    {
                        "id": str(location.phones.get().languages.get().id),
                        "name": "Spanish",
                        "code": "es",
                    }
                ],
            }
        ],
        "schedules": [{"id": str(location.schedules.get().id), "freq": "WEEKLY", "byday": "SA"}],
    }
    for kind, key in (("service", "service"), ("service_at_location", "service_at_location")):
        assert schema_errors(outputs[key], kind) == []


def test_a_confidential_location_without_a_name_is_named_by_its_area():
    location = LocationFactory(name="", is_confidential=True, coarse_area="North Riverbend")

    document = hsds.location_to_hsds(location, full=False)

    assert document == {
        "id": str(location.id),
        "location_type": "physical",
        "name": "North Riverbend",
        "description": "North Riverbend",
    }


def _make_services(count):
    for number in range(count):
        service_at_location = ServiceAtLocationFactory(service__name=f"Service {number}")
        service = service_at_location.service
        contact = models.Contact.objects.create(service=service, name="Reception")
        phone = models.Phone.objects.create(contact=contact, service=service, number="555")
        models.Language.objects.create(phone=phone, code="es")
        models.Schedule.objects.create(service=service, byday="MO")
        models.Address.objects.create(
            location=service_at_location.location,
            address_1=f"{number} Main Street",
            city="Riverbend",
            state_province="RV",
            postal_code="RV1",
            country="US",
            address_type="physical",
        )
        term = TaxonomyTermFactory()
        models.Attribute.objects.create(
            link_id=service.id, taxonomy_term=term, link_entity="service"
        )
        models.Metadata.objects.create(
            resource_id=service.id,
            resource_type="service",
            last_action_type="create",
            field_name="name",
            replacement_value=service.name,
            updated_by="test",
        )


def _queries_to_serialize():
    queryset = hsds.prefetch_for_services(models.Service.objects.order_by("id"))
    with CaptureQueriesContext(connection) as captured:
        documents = hsds.services_to_hsds(queryset)
    return len(captured.captured_queries), documents


def test_serializing_many_services_takes_a_constant_number_of_queries(
    django_assert_max_num_queries,
):
    _make_services(2)
    few, documents = _queries_to_serialize()
    assert len(documents) == 2
    _make_services(10)

    many, documents = _queries_to_serialize()

    assert len(documents) == 12
    assert many == few
    with django_assert_max_num_queries(40):
        hsds.services_to_hsds(hsds.prefetch_for_services(models.Service.objects.all()))


def test_streamed_documents_equal_the_prefetched_ones_in_constant_queries(hsds_rich_service):
    hsds_rich_service("First")
    hsds_rich_service("Second", confidential=True)
    _make_services(5)
    expected = hsds.services_to_hsds(
        hsds.prefetch_for_services(models.Service.objects.order_by("id"))
    )

    with CaptureQueriesContext(connection) as one_chunk:
        streamed = list(hsds.iter_service_documents(chunk_size=100))
    with CaptureQueriesContext(connection) as small_chunks:
        in_threes = list(hsds.iter_service_documents(chunk_size=3))

    assert streamed == expected
    assert in_threes == expected
    # A chunk's queries do not depend on how many services it holds (at most one per table;
    # fewer when, say, no service of the chunk has a program). The last, empty chunk is one.
    per_chunk = len(one_chunk.captured_queries) - 1
    assert per_chunk <= 18
    assert len(small_chunks.captured_queries) <= 3 * per_chunk + 1


def test_streaming_follows_a_filtered_queryset():
    kept = ServiceFactory(name="Kept")
    ServiceFactory(name="Other")

    documents = list(hsds.iter_service_documents(models.Service.objects.filter(name="Kept")))

    assert [document["id"] for document in documents] == [str(kept.id)]


def test_hsds_values_are_read_into_model_values():
    values = hsds.hsds_field_values(
        models.Schedule,
        {
            "id": "48102E86-BB50-41C4-8F1E-E269368C41D1",
            "valid_from": "2005-01-01",
            "timezone": "3",
            "count": 3,
            "opens_at": "10:00",
            "closes_at": "18:00:00",
            "freq": "WEEKLY",
            "byday": "",
        },
    )

    assert values == {
        "id": "48102e86-bb50-41c4-8f1e-e269368c41d1",
        "valid_from": dt.date(2005, 1, 1),
        "timezone": 3.0,
        "count": 3,
        "opens_at": dt.time(10, 0),
        "closes_at": dt.time(18, 0),
        "freq": "WEEKLY",
        "byday": "",
    }
    assert hsds.hsds_field_values(models.CostOption, {"amount": "12.50"}) == {
        "amount": Decimal("12.50")
    }
    assert hsds.hsds_field_values(models.Metadata, {"last_action_date": "2011-01-01"}) == {
        "last_action_date": dt.datetime(2011, 1, 1, tzinfo=dt.UTC)
    }


def test_unreadable_values_are_named():
    with pytest.raises(hsds.HsdsValueError) as raised:
        hsds.hsds_field_values(
            models.Service,
            {
                "id": "not-a-uuid",
                "status": "open",
                "minimum_age": "12.5",
                "assured_date": "31/05/2024",
                "email": "nobody",
                "url": "example org",
            },
        )

    assert str(raised.value) == (
        '"id": "not-a-uuid" is not a UUID; '
        '"url": "example org" is not a web address (URI); '
        '"email": "nobody" is not an email address; '
        '"status": "open" is not one of active, inactive, defunct, temporarily closed; '
        '"minimum_age": "12.5" is not a whole number; '
        '"assured_date": "31/05/2024" is not a date (like 2024-05-31)'
    )


def test_every_table_maps_every_column_of_the_standard():
    descriptor = hsds.datapackage()

    for resource in descriptor["resources"]:
        table = hsds.TABLES[resource["name"]]
        assert table.path == resource["path"]
        assert table.field_names == [field["name"] for field in resource["schema"]["fields"]]
        for field in table.fields:
            assert hasattr(table.model, field.attname), (table.name, field.name)


def test_organizations_take_a_constant_number_of_queries(hsds_rich_service):
    def queries():
        queryset = hsds.prefetch_for_organizations(
            models.Organization.objects.order_by("id"), full_services=True
        )
        with CaptureQueriesContext(connection) as captured:
            documents = hsds.organizations_to_hsds(queryset, full_services=True)
        return len(captured.captured_queries), documents

    hsds_rich_service("First")
    few, documents = queries()
    for name in ("Second", "Third", "Fourth"):
        hsds_rich_service(name)

    many, documents = queries()

    assert many == few
    assert sorted(document["name"] for document in documents) == [
        "First organization",
        "Fourth organization",
        "Second organization",
        "Third organization",
    ]
    for document in documents:
        assert schema_errors(document, "organization") == []


def test_service_at_locations_take_a_constant_number_of_queries(hsds_rich_service):
    def queries():
        queryset = hsds.prefetch_for_service_at_locations(
            models.ServiceAtLocation.objects.order_by("id")
        )
        with CaptureQueriesContext(connection) as captured:
            documents = hsds.service_at_locations_to_hsds(queryset)
        return len(captured.captured_queries), documents

    hsds_rich_service("First")
    few, _documents = queries()
    hsds_rich_service("Second")
    hsds_rich_service("Third")

    many, documents = queries()

    assert many == few
    assert sorted(document["service"]["name"] for document in documents) == [
        "First",
        "Second",
        "Third",
    ]
