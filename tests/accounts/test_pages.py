import pytest
from django.core import mail

from hearth.accounts.models import Invitation, Membership, NetworkMembership, Organization
from hearth.core.models import AuditRecord
from tests.conftest import sign_in
from tests.factories import MembershipFactory, NetworkMembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_an_admin_edits_their_organization(admin_client, organization):
    response = admin_client.post(
        f"/organizations/{organization.slug}/edit/",
        {"name": "Millbrook Food Bank", "kind": "community_based", "town": "Millbrook"},
    )

    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.town) == ("Millbrook Food Bank", "Millbrook")
    assert AuditRecord.objects.filter(action="hearth.accounts.organization.updated").count() == 1


def test_a_bad_edit_names_the_problem_and_keeps_what_was_stored(admin_client, organization):
    old_name = organization.name

    response = admin_client.post(
        f"/organizations/{organization.slug}/edit/",
        {"name": "", "kind": "community_based", "website": "not a web address", "email": "nope"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a valid URL." in body
    assert "Enter a valid email address." in body
    assert "This field is required." in body
    organization.refresh_from_db()
    assert organization.name == old_name
    assert not AuditRecord.objects.filter(action="hearth.accounts.organization.updated").exists()


def test_an_admin_invites_someone_who_then_joins(
    admin_client, organization, client_factory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/organizations/{organization.slug}/invitations/",
            {"email": "joiner@example.org", "role": "viewer"},
        )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = link.split("testserver", 1)[1]

    newcomer = client_factory()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert organization.name in page.content.decode()
    joined = newcomer.post(path, {"full_name": "Joy Ner", "password": "lanterns over the river"})

    assert joined.status_code == 302
    membership = Membership.objects.get(user__email="joiner@example.org")
    assert (membership.organization, membership.role) == (organization, "viewer")
    assert newcomer.get("/my/").status_code == 200


def test_an_expired_or_unknown_invitation_link_says_so(client):
    response = client.get("/invitations/not-a-real-token/")

    assert response.status_code == 404
    assert "This invitation cannot be used" in response.content.decode()


def test_an_admin_changes_a_role_and_removes_a_member(admin_client, organization):
    colleague = MembershipFactory(organization=organization, role="viewer")

    admin_client.post(
        f"/organizations/{organization.slug}/members/{colleague.pk}/role/",
        {"role": "peer_supporter"},
    )
    colleague.refresh_from_db()
    assert colleague.role == "peer_supporter"

    confirm = admin_client.get(f"/organizations/{organization.slug}/members/{colleague.pk}/remove/")
    assert "Remove member" in confirm.content.decode()
    admin_client.post(f"/organizations/{organization.slug}/members/{colleague.pk}/remove/")
    assert not Membership.objects.filter(pk=colleague.pk).exists()


def test_the_last_admin_is_told_why_they_cannot_step_down(admin_client, organization, admin_user):
    own = Membership.objects.get(user=admin_user)

    response = admin_client.post(
        f"/organizations/{organization.slug}/members/{own.pk}/role/",
        {"role": "viewer"},
        follow=True,
    )

    assert "An organization needs at least one admin." in response.content.decode()
    own.refresh_from_db()
    assert own.role == "admin"


def test_the_audit_view_shows_the_organization_records_only(
    admin_client, organization, other_organization
):
    OrganizationFactory()
    admin_client.post(
        f"/organizations/{organization.slug}/edit/", {"name": "Renamed", "kind": "funder"}
    )
    from hearth.accounts import services

    services.organization_update(actor=None, organization=other_organization, town="Elsewhere")

    body = admin_client.get(f"/organizations/{organization.slug}/audit/").content.decode()

    assert body.count('lang="en">hearth.accounts.organization.updated</code>') == 1
    assert "Organization details changed" in body
    filtered = admin_client.get(
        f"/organizations/{organization.slug}/audit/",
        {"action": "hearth.accounts.organization.updated", "since": "2000-01-01"},
    )
    assert "1 record" in filtered.content.decode()


def test_the_audit_filter_rejects_a_backwards_date_range(admin_client, organization):
    response = admin_client.get(
        f"/organizations/{organization.slug}/audit/", {"since": "2026-02-01", "until": "2026-01-01"}
    )

    assert "The end date must be on or after the start date" in response.content.decode()


def test_a_coordinator_adds_and_removes_organizations_in_their_network(
    client, coordinator, network, organization
):
    sign_in(client, coordinator)

    created = client.post(
        "/organizations/new/",
        {"name": "Garden", "slug": "garden", "network": network.pk, "kind": "community_based"},
    )
    assert created.status_code == 302
    garden = Organization.objects.get(slug="garden")
    assert list(garden.networks.all()) == [network]

    client.post(f"/networks/{network.slug}/organizations/garden/remove/")
    assert not NetworkMembership.objects.filter(organization=garden).exists()


def test_a_bad_short_name_is_explained(client, coordinator, network):
    sign_in(client, coordinator)

    response = client.post(
        "/organizations/new/",
        {"name": "Garden", "slug": "Not OK!", "network": network.pk, "kind": "community_based"},
    )

    assert "Use only lower-case letters" in response.content.decode()
    assert not Organization.objects.filter(name="Garden").exists()


def test_invitations_list_shows_open_invitations(admin_client, organization, admin_user):
    from hearth.accounts import services

    invitation, _token = services.invitation_create(
        actor=admin_user,
        organization=organization,
        email="w@example.org",
        role="viewer",
        base_url="/",
    )

    body = admin_client.get(f"/organizations/{organization.slug}/invitations/").content.decode()
    assert "w@example.org" in body
    admin_client.post(f"/organizations/{organization.slug}/invitations/{invitation.pk}/withdraw/")
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_lists_use_a_constant_number_of_queries(
    admin_client, organization, network, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            NetworkMembershipFactory(network=network)
            MembershipFactory(organization=organization, role="viewer")

    grow(3)
    pages = [
        "/organizations/",
        f"/organizations/{organization.slug}/members/",
        f"/networks/{network.slug}/",
        f"/organizations/{organization.slug}/audit/",
    ]
    counts = {}
    for url in pages:
        with django_assert_max_num_queries(40) as captured:
            admin_client.get(url)
        counts[url] = len(captured)
    grow(15)
    for url in pages:
        with django_assert_max_num_queries(counts[url]) as captured:
            assert admin_client.get(url).status_code == 200


def test_an_expired_invitation_link_explains_itself_and_creates_nothing(
    client, organization, admin_user
):
    from datetime import timedelta

    from django.utils import timezone

    from hearth.accounts import services

    invitation, token = services.invitation_create(
        actor=admin_user,
        organization=organization,
        email="late@example.org",
        role="viewer",
        base_url="/",
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    client.cookies["hearth_language"] = "es"

    shown = client.get(f"/invitations/{token}/")
    posted = client.post(
        f"/invitations/{token}/", {"full_name": "Late", "password": "lanterns over the river"}
    )

    for response in (shown, posted):
        assert response.status_code == 410
        assert '<html lang="es"' in response.content.decode()
        assert "This invitation cannot be used" not in response.content.decode()
    assert not Membership.objects.filter(user__email="late@example.org").exists()
