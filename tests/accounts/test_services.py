from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.accounts import services
from hearth.accounts.models import Coordinator, Invitation, Membership, Organization, User
from hearth.core.models import AuditRecord
from tests.factories import CoordinatorFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def actions():
    return list(AuditRecord.objects.values_list("action", flat=True))


def invite(organization, actor, email="new.person@example.org", role="practitioner"):
    return services.invitation_create(
        actor=actor,
        organization=organization,
        email=email,
        role=role,
        base_url="https://hearth.example.org/",
    )


def test_creating_an_organization_in_a_network_is_audited(network):
    actor = UserFactory()

    organization = services.organization_create(
        actor=actor, network=network, slug="food-bank", name="Food Bank", kind="community_based"
    )

    assert list(organization.networks.all()) == [network]
    assert actions() == [
        "hearth.accounts.organization.created",
        "hearth.accounts.organization.joined_network",
    ]
    assert AuditRecord.objects.get(action__endswith="joined_network").network_id == network.pk


def test_a_taken_short_name_is_refused_and_nothing_is_written(organization):
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=None, network=None, slug=organization.slug, name="Other", kind="funder"
        )

    assert "already taken" in str(error.value)
    assert Organization.objects.count() == 1
    assert AuditRecord.objects.count() == 0


def test_an_invalid_kind_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError):
        services.organization_create(actor=None, network=None, slug="x", name="X", kind="cult")

    assert Organization.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_updating_records_only_the_changed_fields(organization):
    services.organization_update(
        actor=None, organization=organization, name=organization.name, town="Millbrook"
    )

    record = AuditRecord.objects.get(action="hearth.accounts.organization.updated")
    assert record.detail == {"fields": ["town"]}
    organization.refresh_from_db()
    assert organization.town == "Millbrook"


def test_an_invitation_is_sent_by_email_and_only_its_hash_is_stored(
    organization, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(organization, admin_user)

    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert f"https://hearth.example.org/invitations/{token}/" in mail.outbox[0].body
    assert services.invitation_find(token) == invitation
    assert "hearth.accounts.invitation.created" in actions()


def test_accepting_an_invitation_creates_the_account_and_membership(organization, admin_user):
    invitation, _token = invite(organization, admin_user, role="peer_supporter")

    membership = services.invitation_accept(
        invitation=invitation, user=None, full_name="Rosa Diaz", password="a long river of words"
    )

    assert membership.role == "peer_supporter"
    assert membership.user.email == "new.person@example.org"
    assert membership.user.check_password("a long river of words")
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user
    assert actions() == [
        "hearth.accounts.invitation.created",
        "hearth.accounts.user.created",
        "hearth.accounts.membership.added",
        "hearth.accounts.invitation.accepted",
    ]


def test_an_expired_invitation_is_refused_and_nothing_changes(organization, admin_user):
    invitation, _token = invite(organization, admin_user)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    before = (User.objects.count(), Membership.objects.count(), AuditRecord.objects.count())

    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(
            invitation=invitation, user=None, full_name="Late", password="a long river of words"
        )

    assert (User.objects.count(), Membership.objects.count(), AuditRecord.objects.count()) == before


def test_a_weak_password_names_the_problem_and_creates_nothing(organization, admin_user):
    invitation, _token = invite(organization, admin_user)

    with pytest.raises(ValidationError) as error:
        services.invitation_accept(invitation=invitation, user=None, full_name="A", password="123")

    assert "password" in error.value.message_dict
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_an_invitation_for_someone_else_cannot_be_accepted(organization, admin_user):
    invitation, _token = invite(organization, admin_user)
    intruder = UserFactory()

    with pytest.raises(ValidationError, match="different e-mail"):
        services.invitation_accept(invitation=invitation, user=intruder)

    assert not Membership.objects.filter(user=intruder).exists()


def test_a_withdrawn_invitation_cannot_be_used(organization, admin_user):
    invitation, _token = invite(organization, admin_user)
    services.invitation_revoke(actor=admin_user, invitation=invitation)

    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=invitation, user=None, full_name="A", password="a long river of words"
        )
    with pytest.raises(ValidationError):
        services.invitation_revoke(actor=admin_user, invitation=invitation)


def test_inviting_an_existing_member_is_refused(organization, admin_user):
    with pytest.raises(ValidationError, match="already a member"):
        invite(organization, admin_user, email=admin_user.email)
    assert Invitation.objects.count() == 0


def test_the_last_admin_cannot_be_demoted_or_removed(organization, admin_user):
    membership = Membership.objects.get(user=admin_user)

    with pytest.raises(ValidationError, match="at least one admin"):
        services.membership_change_role(actor=admin_user, membership=membership, role="viewer")
    with pytest.raises(ValidationError, match="at least one admin"):
        services.membership_remove(actor=admin_user, membership=membership)

    membership.refresh_from_db()
    assert membership.role == "admin"
    assert AuditRecord.objects.count() == 0


def test_a_role_change_records_before_and_after(organization, admin_user):
    membership = MembershipFactory(organization=organization, role="viewer")

    services.membership_change_role(actor=admin_user, membership=membership, role="practitioner")

    record = AuditRecord.objects.get(action="hearth.accounts.membership.role_changed")
    assert record.detail["from"] == "viewer"
    assert record.detail["to"] == "practitioner"
    assert record.organization_id == organization.pk


def test_the_last_coordinator_cannot_be_removed(network):
    coordinator = CoordinatorFactory(network=network)

    with pytest.raises(ValidationError, match="at least one coordinator"):
        services.coordinator_remove(actor=coordinator.user, coordinator=coordinator)
    assert Coordinator.objects.filter(network=network).count() == 1


def test_creating_a_network_makes_its_creator_coordinator():
    operator = UserFactory(is_superuser=True)

    network = services.network_create(actor=operator, slug="north", name="North")

    assert list(network.coordinators.values_list("user", flat=True)) == [operator.pk]
    assert actions() == ["hearth.accounts.network.created", "hearth.accounts.coordinator.added"]


def test_the_invitation_email_is_in_english_and_spanish(
    organization, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(organization, admin_user)

    message = mail.outbox[0]
    assert "You are invited to join" in message.subject
    assert "Invitación para unirse a" in message.subject
    assert message.body.count("https://hearth.example.org/invitations/") == 2
