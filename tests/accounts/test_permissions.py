"""A member of one organization must learn nothing about another organization's private pages
and change nothing there: every such request answers exactly like a missing page."""

import re

import pytest

from hearth.accounts.models import Invitation, Membership, Organization
from hearth.core.models import AuditRecord
from tests.conftest import sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def page_body(response) -> str:
    # CSRF tokens differ between any two responses, and the language and context switchers
    # echo the address that was asked for; everything else must be identical.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]+"', "", body)


def snapshot():
    return {
        "audit": list(AuditRecord.objects.values_list("sequence", flat=True)),
        "memberships": sorted(Membership.objects.values_list("id", "role")),
        "organizations": sorted(Organization.objects.values_list("id", "name", "description")),
        "invitations": sorted(Invitation.objects.values_list("id", "revoked_at")),
    }


@pytest.fixture
def target(other_organization, make_member):
    """Organization B, with a member and an open invitation of its own."""
    member = MembershipFactory(organization=other_organization, role="practitioner")
    admin = make_member(other_organization, "admin")
    invitation = Invitation.objects.create(
        organization=other_organization,
        email="new@example.org",
        role="viewer",
        token_hash="x" * 64,
        invited_by=admin,
        expires_at="2999-01-01T00:00:00Z",
    )
    return other_organization, member, invitation


def private_requests(org, member, invitation):
    slug = org.slug
    return [
        ("get", f"/organizations/{slug}/edit/", {}),
        ("post", f"/organizations/{slug}/edit/", {"name": "Taken over", "kind": "funder"}),
        ("get", f"/organizations/{slug}/members/", {}),
        ("post", f"/organizations/{slug}/members/{member.pk}/role/", {"role": "admin"}),
        ("get", f"/organizations/{slug}/members/{member.pk}/remove/", {}),
        ("post", f"/organizations/{slug}/members/{member.pk}/remove/", {}),
        ("post", f"/organizations/{slug}/members/{member.pk}/reset-two-factor/", {}),
        ("get", f"/organizations/{slug}/invitations/", {}),
        (
            "post",
            f"/organizations/{slug}/invitations/",
            {"email": "x@example.org", "role": "admin"},
        ),
        ("post", f"/organizations/{slug}/invitations/{invitation.pk}/withdraw/", {}),
        ("get", f"/organizations/{slug}/audit/", {}),
        ("get", f"/organizations/{slug}/", {}),
    ]


def test_a_member_of_another_organization_gets_not_found_and_changes_nothing(
    client, admin_user, target
):
    org, member, invitation = target
    sign_in(client, admin_user)
    missing = client.get("/organizations/no-such-organization/members/")
    assert missing.status_code == 404
    before = snapshot()

    for method, url, data in private_requests(org, member, invitation):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
        assert page_body(response) == page_body(missing), url
        assert org.name not in response.content.decode(), url
        assert member.user.email not in response.content.decode(), url

    assert snapshot() == before


def test_an_organization_admin_cannot_reach_members_of_another_organization_through_their_own(
    client, admin_user, organization, target
):
    _org, member, _invitation = target
    sign_in(client, admin_user)
    before = snapshot()

    response = client.post(
        f"/organizations/{organization.slug}/members/{member.pk}/role/", {"role": "viewer"}
    )

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", ["practitioner", "peer_supporter", "viewer"])
def test_members_without_the_admin_role_cannot_manage_their_own_organization(
    client, organization, make_member, role
):
    user = make_member(organization, role)
    colleague = MembershipFactory(organization=organization, role="viewer")
    sign_in(client, user)
    before = snapshot()

    for url, data in [
        (f"/organizations/{organization.slug}/members/", None),
        (f"/organizations/{organization.slug}/members/{colleague.pk}/role/", {"role": "admin"}),
        (
            f"/organizations/{organization.slug}/invitations/",
            {"email": "a@example.org", "role": "admin"},
        ),
        (f"/organizations/{organization.slug}/audit/", None),
    ]:
        response = client.post(url, data) if data else client.get(url)
        assert response.status_code == 404, url

    assert snapshot() == before
    assert client.get(f"/organizations/{organization.slug}/").status_code == 200


def test_a_coordinator_manages_organizations_of_their_network_only(
    client, coordinator, organization, other_organization
):
    sign_in(client, coordinator)

    assert client.get(f"/organizations/{organization.slug}/members/").status_code == 200
    assert client.get(f"/organizations/{other_organization.slug}/members/").status_code == 404


def test_network_pages_are_hidden_from_outsiders(client, network, other_org_admin):
    sign_in(client, other_org_admin)
    before = snapshot()

    for url in [
        f"/networks/{network.slug}/",
        f"/networks/{network.slug}/edit/",
        f"/networks/{network.slug}/coordinators/",
        f"/networks/{network.slug}/audit/",
        f"/networks/{network.slug}/organizations/add/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/networks/{network.slug}/edit/", {"name": "Mine now"}).status_code == 404
    assert snapshot() == before


def test_members_of_a_network_can_read_it_but_not_manage_it(client, network, admin_user):
    sign_in(client, admin_user)

    assert client.get(f"/networks/{network.slug}/").status_code == 200
    assert client.get(f"/networks/{network.slug}/edit/").status_code == 404
    assert client.get(f"/networks/{network.slug}/audit/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, organization):
    response = client.get(f"/organizations/{organization.slug}/members/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
