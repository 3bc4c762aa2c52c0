"""Claiming a listing: an organization's admins ask to keep a listing of their network's
directory that nobody keeps; a coordinator of that network approves (the organization keeps it
from then on) or declines with a reason. Everyone else gets not found and changes nothing."""

import uuid

import pytest
from django.test import Client

from hearth.core.models import AuditRecord
from hearth.directory.models import ListingClaim, Organization
from tests.conftest import sign_in
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory
from tests.directory.pages import page_body
from tests.factories import CoordinatorFactory, NetworkMembershipFactory, TOTPDeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unclaimed(network):
    listing = DirectoryOrganizationFactory(name="Millbrook Food Bank", network=network)
    ServiceFactory(organization=listing, name="Food pantry")
    return listing


@pytest.fixture
def admin(client, organization, make_member):
    user = make_member(organization, "admin")
    sign_in(client, user)
    return user


@pytest.fixture
def coordinator_client(coordinator):
    """The coordinator in a browser of their own (an authenticator code is used once only)."""
    return sign_in(Client(), coordinator)


def ask(client, organization, listing, note="This is our food bank; I manage it."):
    return client.post(
        f"/organizations/{organization.slug}/listings/claim/{listing.id}/", {"note": note}
    )


def test_an_admin_sees_the_listings_nobody_keeps_in_their_networks(
    client, admin, organization, network, unclaimed
):
    DirectoryOrganizationFactory(name="Kept by someone", network=network, member=organization)
    DirectoryOrganizationFactory(name="Other network listing")
    DirectoryOrganizationFactory(name="Millbrook Library", network=network)

    everything = client.get(f"/organizations/{organization.slug}/listings/claim/")
    searched = client.get(f"/organizations/{organization.slug}/listings/claim/", {"q": "food"})

    body = everything.content.decode()
    assert everything.status_code == 200
    assert "Millbrook Food Bank" in body
    assert "Millbrook Library" in body
    assert "Kept by someone" not in body
    assert "Other network listing" not in body
    assert "2 listings nobody keeps" in body
    assert "Millbrook Library" not in searched.content.decode()
    assert f"/organizations/{organization.slug}/listings/claim/{unclaimed.id}/" in body


def test_the_listings_page_leads_admins_to_claiming(client, admin, organization):
    body = client.get(f"/organizations/{organization.slug}/listings/").content.decode()

    assert f'href="/organizations/{organization.slug}/listings/claim/"' in body


def test_an_admin_asks_to_keep_a_listing(client, admin, organization, network, unclaimed):
    response = ask(client, organization, unclaimed)

    assert response.status_code == 302
    claim = ListingClaim.objects.get()
    assert (claim.listing_id, claim.claimant_id, claim.requested_by_id, claim.status) == (
        unclaimed.id,
        organization.id,
        admin.id,
        "pending",
    )
    assert claim.note == "This is our food bank; I manage it."
    record = AuditRecord.objects.get(action="hearth.directory.listing_claim.requested")
    assert (record.organization_id, record.network_id, record.target_id) == (
        organization.id,
        network.id,
        str(claim.id),
    )
    assert record.detail == {"listing": str(unclaimed.id)}
    unclaimed.refresh_from_db()
    assert unclaimed.member_id is None
    page = client.get(f"/organizations/{organization.slug}/listings/claim/").content.decode()
    assert "Waiting for a coordinator" in page


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Tell the coordinator how your organization is connected to this listing"),
        ("x" * 1001, "The note must be 1000 characters or fewer"),
    ],
)
def test_a_request_needs_a_short_note(
    client, admin, organization, unclaimed, directory_snapshot, note, message
):
    before = directory_snapshot()

    response = ask(client, organization, unclaimed, note)

    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#id_note">{message}' in body
    assert directory_snapshot() == before


def test_asking_twice_is_refused_with_a_reason(
    client, admin, organization, unclaimed, directory_snapshot
):
    ask(client, organization, unclaimed)
    before = directory_snapshot()

    response = ask(client, organization, unclaimed)

    assert (
        "Your organization has already asked to keep this listing. A coordinator will decide."
        in response.content.decode()
    )
    assert directory_snapshot() == before


@pytest.mark.parametrize("role", ["practitioner", "peer_supporter", "viewer"])
def test_only_admins_ask_for_their_organization(
    client, organization, make_member, unclaimed, directory_snapshot, role
):
    sign_in(client, make_member(organization, role))
    missing = client.get(f"/organizations/{uuid.uuid4().hex}/listings/claim/")
    before = directory_snapshot()

    responses = [
        client.get(f"/organizations/{organization.slug}/listings/claim/"),
        client.get(f"/organizations/{organization.slug}/listings/claim/{unclaimed.id}/"),
        ask(client, organization, unclaimed),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert {page_body(r) for r in responses} == {page_body(missing)}
    assert directory_snapshot() == before


@pytest.mark.parametrize("which", ["claimed", "other_network", "missing"])
def test_listings_that_cannot_be_claimed_are_not_found(
    client, admin, organization, network, directory_snapshot, which
):
    listing = {
        "claimed": DirectoryOrganizationFactory(
            network=network, member=NetworkMembershipFactory(network=network).organization
        ),
        "other_network": DirectoryOrganizationFactory(),
        "missing": Organization(id=uuid.uuid4()),
    }[which]
    before = directory_snapshot()

    responses = [
        client.get(f"/organizations/{organization.slug}/listings/claim/{listing.id}/"),
        ask(client, organization, listing),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    assert directory_snapshot() == before


# ---------------------------------------------------------------------------------------------
# Coordinators decide


def test_a_coordinator_approves_and_the_organization_keeps_the_listing(
    client, admin, organization, network, coordinator, coordinator_client, unclaimed, make_member
):
    ask(client, organization, unclaimed)
    rival = NetworkMembershipFactory(network=network).organization
    ask(sign_in(Client(), make_member(rival, "admin")), rival, unclaimed, "We run it too.")
    claim, rival_claim = ListingClaim.objects.order_by("requested_at")

    waiting = coordinator_client.get(f"/networks/{network.slug}/listing-claims/")
    assert "2 requests waiting" in waiting.content.decode()
    assert f"/networks/{network.slug}/listing-claims/{claim.id}/" in waiting.content.decode()
    decision = coordinator_client.get(f"/networks/{network.slug}/listing-claims/{claim.id}/")
    assert "This is our food bank; I manage it." in decision.content.decode()
    response = coordinator_client.post(
        f"/networks/{network.slug}/listing-claims/{claim.id}/", {"decision": "approve"}
    )

    assert response.status_code == 302
    unclaimed.refresh_from_db()
    claim.refresh_from_db()
    rival_claim.refresh_from_db()
    assert unclaimed.member_id == organization.id
    assert (claim.status, claim.decided_by_id) == ("approved", coordinator.id)
    assert (rival_claim.status, rival_claim.decision_note) == ("declined", "")
    records = AuditRecord.objects.filter(action__startswith="hearth.directory.listing_claim.")
    assert list(records.order_by("sequence").values_list("action", "organization_id")) == [
        ("hearth.directory.listing_claim.requested", organization.id),
        ("hearth.directory.listing_claim.requested", rival.id),
        ("hearth.directory.listing_claim.approved", organization.id),
        ("hearth.directory.listing_claim.declined", rival.id),
    ]
    assert records.last().detail == {
        "listing": str(unclaimed.id),
        "because": "another_claim_approved",
    }
    assert (
        "No requests are waiting."
        in coordinator_client.get(f"/networks/{network.slug}/listing-claims/").content.decode()
    )
    assert (
        "Food pantry"
        in client.get(f"/organizations/{organization.slug}/listings/").content.decode()
    )


def test_declining_needs_a_reason_that_the_organization_then_sees(
    client, admin, organization, network, coordinator_client, unclaimed, directory_snapshot
):
    ask(client, organization, unclaimed)
    claim = ListingClaim.objects.get()
    url = f"/networks/{network.slug}/listing-claims/{claim.id}/"
    before = directory_snapshot()

    refused = coordinator_client.post(url, {"decision": "decline"})
    unanswered = coordinator_client.post(url, {})

    assert '<a href="#id_note">Say why, so the organization knows what to do next' in (
        refused.content.decode()
    )
    assert '<a href="#id_decision_0">Select whether to approve or decline the request' in (
        unanswered.content.decode()
    )
    assert directory_snapshot() == before

    coordinator_client.post(
        url, {"decision": "decline", "note": "Please ask the food bank's director."}
    )

    claim.refresh_from_db()
    unclaimed.refresh_from_db()
    assert (claim.status, claim.decision_note) == (
        "declined",
        "Please ask the food bank's director.",
    )
    assert unclaimed.member_id is None
    assert coordinator_client.get(url).status_code == 404  # decided: nothing left to decide
    page = client.get(f"/organizations/{organization.slug}/listings/claim/").content.decode()
    assert "Declined" in page
    assert "Please ask the food bank&#x27;s director." in page


def test_a_claim_approved_after_the_listing_was_taken_is_refused(
    client, admin, organization, network, coordinator_client, unclaimed, directory_snapshot
):
    ask(client, organization, unclaimed)
    claim = ListingClaim.objects.get()
    Organization.objects.filter(pk=unclaimed.pk).update(
        member=NetworkMembershipFactory(network=network).organization
    )
    before = directory_snapshot()

    response = coordinator_client.post(
        f"/networks/{network.slug}/listing-claims/{claim.id}/", {"decision": "approve"}
    )

    assert "This listing cannot go to this organization any more" in response.content.decode()
    assert directory_snapshot() == before


@pytest.mark.parametrize("who", ["other_coordinator", "org_admin", "anonymous"])
def test_only_the_network_coordinators_decide(
    client, admin, organization, network, unclaimed, directory_snapshot, who
):
    client.get(ask(client, organization, unclaimed)["Location"])  # shows the "sent" message
    claim = ListingClaim.objects.get()
    if who == "other_coordinator":
        user = CoordinatorFactory().user
        TOTPDeviceFactory(user=user)
        client = sign_in(Client(), user)
    elif who == "anonymous":
        client = Client()
    missing = client.get(f"/networks/{network.slug}/listing-claims/{uuid.uuid4()}/")
    before = directory_snapshot()

    responses = [
        client.get(f"/networks/{network.slug}/listing-claims/"),
        client.get(f"/networks/{network.slug}/listing-claims/{claim.id}/"),
        client.post(
            f"/networks/{network.slug}/listing-claims/{claim.id}/", {"decision": "approve"}
        ),
    ]

    if who == "anonymous":
        assert {r.status_code for r in responses} == {302}
    else:
        assert [r.status_code for r in responses] == [404, 404, 404]
        assert {page_body(r) for r in responses} == {page_body(missing)}
    assert directory_snapshot() == before


def test_a_coordinator_cannot_decide_a_claim_of_another_network_through_their_own(
    client, coordinator, network, make_member, directory_snapshot
):
    elsewhere = DirectoryOrganizationFactory(network=CoordinatorFactory().network)
    claimant = NetworkMembershipFactory(network=elsewhere.network).organization
    claim = ListingClaim.objects.create(listing=elsewhere, claimant=claimant, note="Ours.")
    sign_in(client, coordinator)
    before = directory_snapshot()

    response = client.post(
        f"/networks/{network.slug}/listing-claims/{claim.id}/", {"decision": "approve"}
    )

    assert response.status_code == 404
    assert directory_snapshot() == before


def test_the_stale_list_leads_coordinators_to_the_requests(client, coordinator, network):
    sign_in(client, coordinator)

    body = client.get(f"/networks/{network.slug}/stale-listings/").content.decode()

    assert f'href="/networks/{network.slug}/listing-claims/"' in body


# ---------------------------------------------------------------------------------------------
# Lists read a constant number of times


def test_claim_lists_read_a_constant_number_of_times(
    client, admin, organization, network, coordinator_client, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            listing = DirectoryOrganizationFactory(network=network)
            claimant = NetworkMembershipFactory(network=network).organization
            ListingClaim.objects.create(listing=listing, claimant=claimant, requested_by=admin)
            ListingClaim.objects.create(
                listing=DirectoryOrganizationFactory(network=network),
                claimant=organization,
                status="declined",
                decision_note="No.",
            )

    claimable_url = f"/organizations/{organization.slug}/listings/claim/"
    add(2)
    with django_assert_max_num_queries(40) as few_claimable:
        assert client.get(claimable_url).status_code == 200
    waiting_url = f"/networks/{network.slug}/listing-claims/"
    with django_assert_max_num_queries(40) as few_waiting:
        assert coordinator_client.get(waiting_url).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few_waiting)):
        assert coordinator_client.get(waiting_url).status_code == 200
    with django_assert_max_num_queries(len(few_claimable)):
        assert client.get(claimable_url).status_code == 200
