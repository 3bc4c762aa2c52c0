"""A shelter's address and coordinates must never appear anywhere Hearth can produce: pages,
API responses (paged and streamed), exports, the audit trail, the field history, or the logs.
The location starts public, with an address and precise coordinates, and is then made
confidential the way a member organization would."""

import logging

import pytest
from django.core.management import call_command
from django.test import Client

from hearth.core.models import AuditRecord
from hearth.directory import search, services
from hearth.directory.models import Address, Metadata, Phone
from tests.conftest import sign_in
from tests.directory.factories import DirectoryOrganizationFactory, ServiceAtLocationFactory

pytestmark = pytest.mark.django_db

SECRETS = ["1414 Hidden Orchard Way", "Apartment 9", "RV3 3QX", "45.54321", "-122.67891"]


@pytest.fixture
def shelter(organization, network, make_member, django_capture_on_commit_callbacks):
    listed = DirectoryOrganizationFactory(member=organization, network=network, name="Harbor")
    sal = ServiceAtLocationFactory(
        service__organization=listed,
        service__name="Emergency shelter",
        location__organization=listed,
        location__name="Harbor house",
        location__latitude=45.5,
        location__longitude=-122.6,
    )
    Address.objects.create(
        location=sal.location,
        address_1="1414 Hidden Orchard Way",
        city="Harlow",
        state_province="RV",
        postal_code="RV3 3QX",
        country="US",
        address_type="physical",
    )
    Phone.objects.create(location=sal.location, number="555-0144", description="Helpline")
    keeper = make_member(organization, "admin")
    # Corrected through the location page while still public: the field history now holds
    # the address and the precise position, until the location is made confidential.
    services.location_update(
        actor=keeper,
        location=sal.location,
        address={"address_2": "Apartment 9"},
        latitude=45.54321,
        longitude=-122.67891,
    )
    assert Metadata.objects.filter(replacement_value="Apartment 9").exists()
    # A neighbour, so that searches near the shelter's old postcode have something to find.
    neighbour = ServiceAtLocationFactory(service__name="Food pantry", location__latitude=45.55)
    Address.objects.create(
        location=neighbour.location,
        address_1="2 Market Street",
        city="Harlow",
        state_province="RV",
        postal_code="RV3 3QA",
        country="US",
        address_type="physical",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.location_make_confidential(
            actor=keeper, location=sal.location, coarse_area="Harlow area"
        )
    search.rebuild()
    return sal, keeper


def objects_with_id(document, wanted: str):
    """Every object, however deeply nested, whose id is `wanted`."""
    if isinstance(document, dict):
        if document.get("id") == wanted:
            yield document
        for value in document.values():
            yield from objects_with_id(value, wanted)
    elif isinstance(document, list):
        for value in document:
            yield from objects_with_id(value, wanted)


def assert_clean(where: str, text: str):
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in {where}"


def test_nothing_anywhere_reveals_the_shelter(client, shelter, tmp_path, caplog):
    sal, keeper = shelter
    caplog.set_level(logging.DEBUG)

    assert_nothing_reveals(client, sign_in(Client(), keeper), sal, tmp_path, caplog)


def test_keeping_the_shelter_listing_current_reveals_nothing(
    client, shelter, tmp_path, caplog, django_capture_on_commit_callbacks
):
    """The keepers' pages show the general area only, and an address or position sent with a
    change to the confidential location is not stored anywhere."""
    sal, keeper = shelter
    caplog.set_level(logging.DEBUG)
    location = sal.location
    sign_in(client, keeper)
    keeper_pages = [
        f"/listings/organizations/{location.organization_id}/locations/",
        f"/listings/locations/{location.id}/edit/",
        f"/listings/locations/{location.id}/accessibility/",
        f"/listings/services/{sal.service_id}/schedules/",
        f"/listings/services/{sal.service_id}/locations/",
        f"/listings/services/{sal.service_id}/languages/",
        f"/listings/services/{sal.service_id}/costs/",
    ]
    for url in keeper_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(url, response.content.decode())
    assert "Harlow area" in client.get(keeper_pages[0]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            client.post(
                f"/listings/locations/{location.id}/edit/",
                {
                    "name": "Harbor refuge",
                    "coarse_area": "Harlow area",
                    "address_1": "1414 Hidden Orchard Way",
                    "address_2": "Apartment 9",
                    "city": "Harlow",
                    "state_province": "RV",
                    "postal_code": "RV3 3QX",
                    "country": "US",
                    "latitude": "45.54321",
                    "longitude": "-122.67891",
                },
            ),
            client.post(
                f"/listings/service-at-locations/{sal.id}/schedules/add/",
                {"byday": ["MO"], "opens_at": "09:00", "closes_at": "17:00", "timezone": "0.0"},
            ),
            client.post(
                f"/listings/locations/{location.id}/accessibility/add/",
                {"description": "Step-free entrance"},
            ),
        ]

    assert [r.status_code for r in responses] == [302, 302, 302]
    location.refresh_from_db()
    assert (location.name, location.latitude, location.longitude) == ("Harbor refuge", 45.5, -122.7)
    assert not Address.objects.filter(location=location).exists()
    for url in keeper_pages:
        assert_clean(url, client.get(url).content.decode())
    assert_nothing_reveals(Client(), client, sal, tmp_path, caplog)


def assert_nothing_reveals(client, keeper_client, sal, tmp_path, caplog):
    """Public pages, the API (paged and streamed), the keepers' own pages, the export, the
    stored history and audit trail, and the logs: none holds any of the secrets."""
    service_id, location_id = sal.service.id, sal.location.id

    public_pages = [
        "/find/",
        "/find/?q=shelter",
        "/find/?near=Harlow&radius=25",
        "/find/?near=RV3+3QA&radius=50&sort=distance",
        f"/find/services/{service_id}/",
        f"/find/organizations/{sal.service.organization_id}/",
    ]
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(url, response.content.decode())

    api = [
        "/api/hsds/services?full=true",
        f"/api/hsds/services/{service_id}",
        "/api/hsds/service_at_locations?full=true",
        f"/api/hsds/service_at_locations/{sal.id}",
        "/api/hsds/service_at_locations?postcode=RV3+3QA&proximity=50000",
        "/api/hsds/organizations?full=true&full_service=true",
        f"/api/hsds/organizations/{sal.service.organization_id}?full_service=true",
    ]
    for url in api:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert_clean(url, body)
        assert (
            str(location_id) not in body
            or '"latitude"' not in body.split(str(location_id), 1)[1][:400]
        ), url
    streamed = client.get("/api/hsds/services?format=ndjson&full=true")
    assert_clean("ndjson", b"".join(streamed.streaming_content).decode())

    # The old postcode finds nothing by the shelter: it is no longer anyone's address.
    assert client.get("/api/hsds/service_at_locations?postcode=RV3+3QX").json()["total_items"] == 0

    for url in [
        f"/organizations/{sal.service.organization.member.slug}/listings/",
        f"/organizations/{sal.service.organization.member.slug}/audit/",
        f"/listings/services/{service_id}/edit/",
    ]:
        response = keeper_client.get(url)
        assert response.status_code == 200, url
        assert_clean(url, response.content.decode())

    call_command("hsds-export", str(tmp_path / "export"))
    for path in (tmp_path / "export").rglob("*"):
        if path.is_file():
            assert_clean(f"export {path.name}", path.read_text())

    stored = [
        *Metadata.objects.values_list("previous_value", "replacement_value"),
        *AuditRecord.objects.values_list("detail", "purpose"),
    ]
    assert_clean("stored history and audit", repr(stored))
    assert_clean("logs", caplog.text)
