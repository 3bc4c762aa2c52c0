"""The locations of a listing: changed (name, description, address, position), added (public or
confidential), and linked to or unlinked from the listing's services. A confidential location
never takes an address or a position, whatever is sent."""

import uuid

import pytest

from hearth.core.models import AuditRecord
from hearth.directory import search
from hearth.directory.models import (
    Address,
    Location,
    Metadata,
    Schedule,
    ServiceAtLocation,
)
from tests.conftest import sign_in
from tests.directory.factories import (
    DirectoryOrganizationFactory,
    LocationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.directory.pages import page_body

pytestmark = pytest.mark.django_db

NEW_PLACE = {
    "name": "Pantry hall",
    "description": "The hall behind the church.",
    "address_1": "9 Mill Lane",
    "address_2": "",
    "city": "Harlow",
    "region": "Riverbend Valley",
    "state_province": "RV",
    "postal_code": "RV3 3QA",
    "country": "us",
    "latitude": "45.61",
    "longitude": "-122.71",
}


def near(latitude, longitude):
    return search.search_services(search.SearchQuery(near=(latitude, longitude), radius_m=2000)).ids


@pytest.fixture
def keeper(client, organization, make_member):
    user = make_member(organization, "practitioner")
    sign_in(client, user)
    return user


def test_the_locations_page_shows_each_place_and_only_an_area_for_a_confidential_one(
    client, keeper, kept_listing
):
    listing = kept_listing.service.organization
    LocationFactory(
        organization=listing,
        name="Safe house",
        is_confidential=True,
        coarse_area="North Harlow",
        latitude=45.6,
        longitude=-122.7,
    )

    response = client.get(f"/listings/organizations/{listing.id}/locations/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "4 Orchard Road, Millbrook RV1 1AA" in body
    assert "Safe house" in body
    assert "North Harlow" in body
    assert f"/listings/locations/{kept_listing.location_id}/edit/" in body
    assert f"/listings/locations/{kept_listing.location_id}/accessibility/" in body
    assert f"/listings/organizations/{listing.id}/locations/add-confidential/" in body


def test_a_keeper_changes_a_location_and_its_address(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    location, service = kept_listing.location, kept_listing.service
    address = location.addresses.get()
    form = client.get(f"/listings/locations/{location.id}/edit/").content.decode()
    assert 'value="4 Orchard Road"' in form
    assert "Address</legend>" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/listings/locations/{location.id}/edit/", NEW_PLACE)

    assert response.status_code == 302
    assert response["Location"] == f"/listings/organizations/{location.organization_id}/locations/"
    location.refresh_from_db()
    address.refresh_from_db()
    assert (location.description, location.latitude, location.longitude) == (
        "The hall behind the church.",
        45.61,
        -122.71,
    )
    assert (address.address_1, address.city, address.postal_code, address.country) == (
        "9 Mill Lane",
        "Harlow",
        "RV3 3QA",
        "US",
    )
    city = Metadata.objects.get(resource_id=address.id, field_name="city")
    assert (city.resource_type, city.previous_value, city.replacement_value) == (
        "address",
        "Millbrook",
        "Harlow",
    )
    record = AuditRecord.objects.get(action="hearth.directory.location.updated")
    assert record.detail == {
        "fields": [
            "address.address_1",
            "address.city",
            "address.postal_code",
            "address.region",
            "description",
            "latitude",
            "longitude",
        ]
    }
    assert "9 Mill Lane" not in repr(record.detail)
    assert near(45.61, -122.71) == [service.id]
    assert near(45.51234, -122.65678) == []
    assert (
        "9 Mill Lane, Harlow RV3 3QA"
        in client.get(f"/find/services/{service.id}/").content.decode()
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"address_1": ""}, "address_1", "Enter the building and street"),
        ({"city": ""}, "city", "Enter the town or city"),
        ({"country": "USA"}, "country", "Enter the country as its two-letter code, like US"),
        ({"country": "1A"}, "country", "Enter the country as its two-letter code, like US"),
        ({"name": ""}, "name", "Enter the name of the location"),
        ({"latitude": "200"}, "latitude", "The latitude must be between -90 and 90"),
        ({"longitude": "east"}, "longitude", "Enter the longitude as a number"),
        ({"longitude": ""}, "longitude", "Give both the latitude and the longitude, or neither"),
    ],
)
def test_a_wrong_location_names_the_problem_and_saves_nothing(
    client, keeper, kept_listing, directory_snapshot, change, field, message
):
    before = directory_snapshot()

    response = client.post(
        f"/listings/locations/{kept_listing.location_id}/edit/", {**NEW_PLACE, **change}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'<a href="#id_{field}">{message}' in body
    assert directory_snapshot() == before


def test_a_new_location_is_added_with_its_address(client, keeper, kept_listing):
    listing = kept_listing.service.organization

    response = client.post(f"/listings/organizations/{listing.id}/locations/add/", NEW_PLACE)

    assert response.status_code == 302
    location = Location.objects.get(name="Pantry hall", description__startswith="The hall")
    assert (location.organization_id, location.location_type, location.is_confidential) == (
        listing.id,
        "physical",
        False,
    )
    assert list(location.addresses.values_list("address_1", "country", "address_type")) == [
        ("9 Mill Lane", "US", "physical")
    ]
    assert AuditRecord.objects.get(action="hearth.directory.location.created").detail == {
        "confidential": False
    }
    assert set(
        Metadata.objects.filter(last_action_type="create").values_list("resource_type", flat=True)
    ) == {"location", "address"}


def test_a_new_location_needs_an_address(client, keeper, kept_listing, directory_snapshot):
    listing = kept_listing.service.organization
    before = directory_snapshot()

    response = client.post(
        f"/listings/organizations/{listing.id}/locations/add/", {"name": "Somewhere"}
    )

    body = response.content.decode()
    for message in (
        "Enter the building and street",
        "Enter the town or city",
        "Enter the postcode or ZIP code",
        "Enter the country as its two-letter code, like US",
    ):
        assert message in body
    assert directory_snapshot() == before


def test_a_confidential_location_is_added_without_any_address(client, keeper, kept_listing):
    listing = kept_listing.service.organization
    form = client.get(f"/listings/organizations/{listing.id}/locations/add-confidential/")
    assert 'name="address_1"' not in form.content.decode()

    response = client.post(
        f"/listings/organizations/{listing.id}/locations/add-confidential/",
        {**NEW_PLACE, "name": "Safe house", "coarse_area": "North Harlow"},
    )

    assert response.status_code == 302
    location = Location.objects.get(name="Safe house")
    assert (location.is_confidential, location.coarse_area) == (True, "North Harlow")
    assert (location.latitude, location.longitude, location.description) == (None, None, "")
    assert not location.addresses.exists()
    assert "9 Mill Lane" not in repr(list(Metadata.objects.values()))


def test_a_confidential_location_takes_no_address_when_changed(
    client, keeper, kept_listing, directory_snapshot
):
    location = LocationFactory(
        organization=kept_listing.service.organization,
        name="Safe house",
        is_confidential=True,
        coarse_area="North Harlow",
        latitude=45.6,
        longitude=-122.7,
    )
    form = client.get(f"/listings/locations/{location.id}/edit/").content.decode()
    assert 'name="address_1"' not in form
    assert 'name="latitude"' not in form
    assert "Hearth keeps no address and no map position for a confidential location" in form

    response = client.post(
        f"/listings/locations/{location.id}/edit/",
        {**NEW_PLACE, "name": "Refuge", "coarse_area": "Harlow area"},
    )

    assert response.status_code == 302
    location.refresh_from_db()
    assert (location.name, location.coarse_area) == ("Refuge", "Harlow area")
    assert (location.latitude, location.longitude, location.description) == (45.6, -122.7, "")
    assert not location.addresses.exists()
    stored = repr(list(Metadata.objects.values())) + repr(
        list(AuditRecord.objects.values("detail"))
    )
    for secret in ("9 Mill Lane", "RV3 3QA", "45.61", "-122.71"):
        assert secret not in stored

    before = directory_snapshot()
    refused = client.post(f"/listings/locations/{location.id}/edit/", {"name": "Refuge"})
    assert "Enter the general area to show instead" in refused.content.decode()
    assert directory_snapshot() == before


def test_the_service_refuses_an_address_for_a_confidential_location(keeper, kept_listing):
    from hearth.directory import services

    location = LocationFactory(is_confidential=True, coarse_area="North Harlow")

    with pytest.raises(ValueError, match="no address for a confidential location"):
        services.location_update(
            actor=keeper, location=location, address={"address_1": "9 Mill Lane"}
        )
    with pytest.raises(ValueError, match="cannot be changed here"):
        services.location_update(actor=keeper, location=location, latitude=45.61)
    assert not Address.objects.filter(location=location).exists()


# ---------------------------------------------------------------------------------------------
# Where a service is offered


def test_a_service_is_listed_at_another_location_and_then_not(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    service = kept_listing.service
    second = LocationFactory(
        organization=service.organization, name="Market stall", latitude=45.7, longitude=-122.9
    )
    LocationFactory(name="Someone else's", latitude=45.7, longitude=-122.9)
    page = client.get(f"/listings/services/{service.id}/locations/").content.decode()
    assert "Market stall" in page
    assert "Someone else" not in page
    assert "Pantry hall" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/services/{service.id}/locations/",
            {"location": str(second.id), "description": "Saturdays only"},
        )

    assert response.status_code == 302
    link = ServiceAtLocation.objects.get(service=service, location=second)
    assert link.description == "Saturdays only"
    assert near(45.7, -122.9) == [service.id]
    ScheduleFactory(service_at_location=link)

    assert (
        "Stop listing the service at Market stall?"
        in client.get(f"/listings/service-at-locations/{link.id}/remove/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/listings/service-at-locations/{link.id}/remove/")

    assert not ServiceAtLocation.objects.filter(pk=link.pk).exists()
    assert Location.objects.filter(pk=second.pk).exists()
    assert not Schedule.objects.exists()
    assert near(45.7, -122.9) == []
    assert AuditRecord.objects.get(
        action="hearth.directory.service_at_location.deleted"
    ).detail == {
        "service": str(service.id),
        "location": str(second.id),
        "schedules_removed": 1,
    }


@pytest.mark.parametrize("choice", ["missing", "elsewhere", "already"])
def test_a_service_is_listed_only_at_its_own_locations(
    client, keeper, kept_listing, directory_snapshot, choice
):
    service = kept_listing.service
    LocationFactory(organization=service.organization, name="Market stall")
    location_id = {
        "missing": "",
        "elsewhere": str(LocationFactory(name="Elsewhere").id),
        "already": str(kept_listing.location_id),
    }[choice]
    before = directory_snapshot()

    response = client.post(f"/listings/services/{service.id}/locations/", {"location": location_id})

    body = response.content.decode()
    assert "There is a problem" in body
    expected = (
        "Select the location where the service is offered"
        if choice == "missing"
        else "Select a valid choice."
    )
    assert f'<a href="#id_location_0">{expected}' in body
    assert directory_snapshot() == before


def test_the_service_refuses_a_location_of_another_listing(keeper, kept_listing):
    from django.core.exceptions import ValidationError

    from hearth.directory import services

    with pytest.raises(ValidationError) as refused:
        services.service_at_location_create(
            actor=keeper, service=kept_listing.service, location=LocationFactory()
        )

    assert refused.value.message_dict == {
        "location": ["Choose one of the locations of this organization."]
    }


# ---------------------------------------------------------------------------------------------
# Only keepers


def location_requests(kept_listing, confidential):
    listing_id = kept_listing.service.organization_id
    location_id = kept_listing.location_id
    service_id = kept_listing.service_id
    return [
        ("get", f"/listings/organizations/{listing_id}/locations/", None),
        ("get", f"/listings/organizations/{listing_id}/locations/add/", None),
        ("post", f"/listings/organizations/{listing_id}/locations/add/", NEW_PLACE),
        ("get", f"/listings/organizations/{listing_id}/locations/add-confidential/", None),
        (
            "post",
            f"/listings/organizations/{listing_id}/locations/add-confidential/",
            {"name": "X", "coarse_area": "Y"},
        ),
        ("get", f"/listings/locations/{location_id}/edit/", None),
        ("post", f"/listings/locations/{location_id}/edit/", NEW_PLACE),
        ("get", f"/listings/locations/{confidential.id}/edit/", None),
        ("post", f"/listings/locations/{confidential.id}/edit/", {"name": "X", "coarse_area": "Y"}),
        ("get", f"/listings/services/{service_id}/locations/", None),
        (
            "post",
            f"/listings/services/{service_id}/locations/",
            {"location": str(confidential.id)},
        ),
        ("get", f"/listings/service-at-locations/{kept_listing.id}/remove/", None),
        ("post", f"/listings/service-at-locations/{kept_listing.id}/remove/", {}),
    ]


@pytest.mark.parametrize("who", ["viewer", "peer_supporter", "other_org_admin", "anonymous"])
def test_people_who_do_not_keep_the_listing_get_not_found_and_change_nothing(
    client, organization, other_organization, make_member, kept_listing, directory_snapshot, who
):
    confidential = LocationFactory(
        organization=kept_listing.service.organization,
        is_confidential=True,
        coarse_area="North Harlow",
    )
    if who == "other_org_admin":
        sign_in(client, make_member(other_organization, "admin"))
    elif who != "anonymous":
        sign_in(client, make_member(organization, who))
    missing = client.get(f"/listings/organizations/{uuid.uuid4()}/locations/")
    before = directory_snapshot()

    responses = [
        client.get(url) if method == "get" else client.post(url, data)
        for method, url, data in location_requests(kept_listing, confidential)
    ]

    if who == "anonymous":
        assert {r.status_code for r in responses} == {302}
    else:
        assert missing.status_code == 404
        assert [r.status_code for r in responses] == [404] * len(responses)
        assert {page_body(r) for r in responses} == {page_body(missing)}
    assert directory_snapshot() == before


def test_a_coordinator_keeps_the_locations_of_an_unclaimed_listing_in_their_network(
    client, coordinator, network, directory_snapshot
):
    unclaimed = DirectoryOrganizationFactory(network=network)
    elsewhere = DirectoryOrganizationFactory()
    sign_in(client, coordinator)

    added = client.post(f"/listings/organizations/{unclaimed.id}/locations/add/", NEW_PLACE)
    before = directory_snapshot()
    refused = client.post(f"/listings/organizations/{elsewhere.id}/locations/add/", NEW_PLACE)

    assert added.status_code == 302
    assert Location.objects.get().organization_id == unclaimed.id
    assert refused.status_code == 404
    assert directory_snapshot() == before


@pytest.mark.parametrize("page", ["locations", "service-locations"])
def test_location_lists_read_a_constant_number_of_times(
    client, keeper, kept_listing, django_assert_max_num_queries, page
):
    service = kept_listing.service
    url = {
        "locations": f"/listings/organizations/{service.organization_id}/locations/",
        "service-locations": f"/listings/services/{service.id}/locations/",
    }[page]

    def add(n):
        for _ in range(n):
            link = ServiceAtLocationFactory(
                service=ServiceFactory(organization=service.organization),
                location__organization=service.organization,
            )
            ServiceAtLocationFactory(service=service, location=link.location)
            Address.objects.create(
                location=link.location,
                address_1="1 High Street",
                city="Harlow",
                state_province="RV",
                postal_code="RV3 1AA",
                country="US",
                address_type="physical",
            )
            LocationFactory(organization=service.organization)

    add(2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
