"""Member organizations and coordinators keep listings current: edits with field history,
“still correct”, capacity, confidential locations; everyone else gets not found and changes
nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from hearth.core.models import AuditRecord
from hearth.directory import search
from hearth.directory.models import Address, Metadata, Service
from tests.conftest import sign_in
from tests.directory.factories import (
    DirectoryOrganizationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.factories import NetworkMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(organization, network):
    """The member organization's claimed listing, with one service at one located place."""
    listed = DirectoryOrganizationFactory(member=organization, network=network)
    sal = ServiceAtLocationFactory(
        service__organization=listed,
        service__name="Food pantry",
        location__organization=listed,
        location__latitude=45.51234,
        location__longitude=-122.65678,
    )
    Address.objects.create(
        location=sal.location,
        address_1="77 Secret Lane",
        city="Riverbend",
        state_province="RV",
        postal_code="RV1 7ZZ",
        country="US",
        address_type="physical",
    )
    return sal


def snapshot():
    return (
        list(Service.objects.order_by("id").values()),
        Metadata.objects.count(),
        AuditRecord.objects.count(),
        Address.objects.count(),
    )


def test_a_practitioner_edits_their_listing_and_each_field_is_remembered(
    client, organization, make_member, listing, django_capture_on_commit_callbacks
):
    user = make_member(organization, "practitioner")
    sign_in(client, user)
    service = listing.service

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/services/{service.id}/edit/",
            {"name": "Community food pantry", "status": "active", "minimum_age": "18"},
        )

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Community food pantry"
    history = {m.field_name: m for m in Metadata.objects.filter(resource_id=service.id)}
    assert history["name"].previous_value == "Food pantry"
    assert history["name"].replacement_value == "Community food pantry"
    assert history["minimum_age"].replacement_value == "18"
    assert history["name"].updated_by == user.email
    assert AuditRecord.objects.get(action="hearth.directory.service.updated").detail["fields"] == [
        "description",
        "minimum_age",
        "name",
    ]
    assert search.search_services(search.SearchQuery(text="community")).ids == [service.id]


def test_a_bad_edit_names_the_problem_and_changes_nothing(
    client, organization, make_member, listing
):
    sign_in(client, make_member(organization, "admin"))
    before = snapshot()

    response = client.post(
        f"/listings/services/{listing.service.id}/edit/",
        {"name": "", "status": "open", "minimum_age": "30", "maximum_age": "12", "url": "nope"},
    )

    body = response.content.decode()
    assert "There is a problem" in body
    assert "Select a valid choice" in body
    assert "The oldest age must be the same as or more than the youngest." in body
    assert "Enter a valid URL." in body
    assert snapshot() == before


def test_still_correct_sets_the_checked_date(client, organization, make_member, listing):
    user = make_member(organization, "practitioner")
    sign_in(client, user)
    service = listing.service
    Service.objects.filter(pk=service.pk).update(assured_date=dt.date(2020, 1, 1))

    client.post(f"/listings/services/{service.id}/still-correct/")

    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    assert service.assurer_email == user.email
    assert AuditRecord.objects.filter(action="hearth.directory.service.verified").count() == 1


def test_capacity_is_shown_and_searchable(
    client, organization, make_member, listing, django_capture_on_commit_callbacks
):
    sign_in(client, make_member(organization, "admin"))
    service = listing.service

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/listings/services/{service.id}/capacity/",
            {"status": "capacity", "note": "Three places this week"},
        )

    service.refresh_from_db()
    assert (service.capacity_status, service.capacity_note) == (
        "capacity",
        "Three places this week",
    )
    assert service.capacity_updated_at is not None
    assert search.search_services(search.SearchQuery(accepting_only=True)).ids == [service.id]
    page = client.get(f"/find/services/{service.id}/").content.decode()
    assert "Accepting people now" in page
    assert "Three places this week" in page


def test_making_a_location_confidential_deletes_its_address_everywhere(
    client, organization, make_member, listing, django_capture_on_commit_callbacks
):
    sign_in(client, make_member(organization, "admin"))
    location = listing.location
    Metadata.objects.create(
        resource_id=location.id,
        resource_type="location",
        last_action_type="update",
        field_name="latitude",
        previous_value="45.5",
        replacement_value="45.51234",
        updated_by="someone",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/locations/{location.id}/confidential/", {"coarse_area": "Riverbend"}
        )

    assert response.status_code == 302
    location.refresh_from_db()
    assert location.is_confidential
    assert (location.latitude, location.longitude) == (45.5, -122.7)
    assert not Address.objects.filter(location=location).exists()
    assert not Metadata.objects.filter(replacement_value__contains="45.51234").exists()
    page = client.get(f"/find/services/{listing.service.id}/").content.decode()
    assert "77 Secret Lane" not in page
    assert "RV1 7ZZ" not in page
    assert "Riverbend" in page


def test_a_confidential_location_needs_an_area_to_show(client, organization, make_member, listing):
    sign_in(client, make_member(organization, "admin"))

    response = client.post(f"/listings/locations/{listing.location.id}/confidential/", {})

    assert "Enter the general area to show instead" in response.content.decode()
    assert Address.objects.filter(location=listing.location).count() == 1


@pytest.mark.parametrize("who", ["viewer", "peer_supporter", "other_org_admin", "anonymous"])
def test_people_who_do_not_keep_the_listing_get_not_found_and_change_nothing(
    client, organization, other_organization, make_member, listing, who
):
    if who == "other_org_admin":
        sign_in(client, make_member(other_organization, "admin"))
    elif who != "anonymous":
        sign_in(client, make_member(organization, who))
    service, location = listing.service, listing.location
    before = snapshot()

    responses = [
        client.get(f"/listings/services/{service.id}/edit/"),
        client.post(f"/listings/services/{service.id}/edit/", {"name": "X", "status": "active"}),
        client.post(f"/listings/services/{service.id}/still-correct/"),
        client.post(f"/listings/services/{service.id}/capacity/", {"status": "no-capacity"}),
        client.post(f"/listings/locations/{location.id}/confidential/", {"coarse_area": "X"}),
        client.get(f"/organizations/{organization.slug}/listings/"),
    ]

    expected = 302 if who == "anonymous" else 404
    assert [r.status_code for r in responses] == [expected] * len(responses)
    assert snapshot() == before


def test_coordinators_see_and_check_stale_listings_of_their_network_only(
    client, coordinator, network, listing
):
    stale = ServiceFactory(
        name="Old listing", organization=listing.service.organization, assured_date=None
    )
    elsewhere = ServiceFactory(name="Another network", assured_date=None)
    Service.objects.filter(pk=listing.service.pk).update(assured_date=timezone.localdate())
    sign_in(client, coordinator)

    page = client.get(f"/networks/{network.slug}/stale-listings/").content.decode()

    assert "Old listing" in page
    assert "Food pantry" not in page
    assert "Another network" not in page
    client.post(
        f"/listings/services/{stale.id}/still-correct/",
        {"back": f"/networks/{network.slug}/stale-listings/"},
    )
    assert (
        "Every listing has been checked recently."
        in client.get(f"/networks/{network.slug}/stale-listings/").content.decode()
    )
    assert client.post(f"/listings/services/{elsewhere.id}/still-correct/").status_code == 404


def test_a_network_can_set_its_own_staleness_period(coordinator, network, listing):
    Service.objects.filter(pk=listing.service.pk).update(
        assured_date=timezone.localdate() - dt.timedelta(days=40)
    )
    from hearth.directory import selectors

    assert list(selectors.stale_services_in_network(network)) == []
    network.listing_stale_after_days = 30
    network.save()
    assert [s.name for s in selectors.stale_services_in_network(network)] == ["Food pantry"]


def test_the_listings_page_puts_what_needs_checking_first(
    client, organization, make_member, network, listing
):
    today = timezone.localdate()
    Service.objects.filter(pk=listing.service.pk).update(assured_date=today)
    listed = listing.service.organization
    ServiceFactory(organization=listed, name="Advice line", assured_date=today)
    ServiceFactory(organization=listed, name="Youth club", assured_date=None)
    ServiceFactory(
        organization=listed, name="Winter shelter", assured_date=today - dt.timedelta(days=200)
    )
    # Another network checks more often: its listing is stale after 40 days.
    other = NetworkMembershipFactory(organization=organization).network
    other.listing_stale_after_days = 30
    other.save()
    ServiceFactory(
        organization=DirectoryOrganizationFactory(member=organization, network=other),
        name="Allotment",
        assured_date=today - dt.timedelta(days=40),
    )
    sign_in(client, make_member(organization, "practitioner"))

    body = client.get(f"/organizations/{organization.slug}/listings/").content.decode()

    names = ["Allotment", "Winter shelter", "Youth club", "Advice line", "Food pantry"]
    positions = [body.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)
    assert body.count("Needs checking") == 3
    assert "those that need checking come first" in body
    for service in Service.objects.all():
        assert f'action="/listings/services/{service.id}/still-correct/"' in body
        assert f'href="/listings/services/{service.id}/schedules/"' in body
    assert f'href="/listings/organizations/{listed.id}/locations/"' in body
    # Practitioners keep listings, but only admins ask to keep another one.
    assert "/listings/claim/" not in body


def test_still_correct_on_the_listings_page_takes_the_service_off_the_top(
    client, organization, make_member, listing
):
    sign_in(client, make_member(organization, "practitioner"))
    url = f"/organizations/{organization.slug}/listings/"

    response = client.post(f"/listings/services/{listing.service.id}/still-correct/", {"back": url})

    assert response["Location"] == url
    assert "Needs checking" not in client.get(url).content.decode()


def test_the_listings_page_is_paged_and_reads_a_constant_number_of_times(
    client, organization, make_member, listing, django_assert_max_num_queries
):
    sign_in(client, make_member(organization, "admin"))
    url = f"/organizations/{organization.slug}/listings/"

    def add(n):
        for _ in range(n):
            ServiceAtLocationFactory(
                service__organization=listing.service.organization,
                location__organization=listing.service.organization,
            )

    add(2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    add(30)
    with django_assert_max_num_queries(len(few)):
        first = client.get(url).content.decode()
    assert "33 services" in first
    assert 'href="?page=2"' in first
