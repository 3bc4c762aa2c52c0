"""Circles, members, discussions: who may start, join, speak; and every refusal changes nothing.

The helpers here (`make_circle`, `add_members`) are shared by the other governance tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord
from hearth.governance import services
from hearth.governance.models import Circle, CircleMember, Comment, Thread
from tests.factories import (
    CoordinatorFactory,
    MembershipFactory,
    NetworkMembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_circle(*, members: int = 2, name: str = "Members' circle", parent=None, **fields):
    """A circle in a fresh organization, started by its admin (the first facilitator), with
    `members` more members. Returns (circle, [facilitator, member, ...])."""
    if parent is not None:
        facilitator = (
            CircleMember.objects.filter(circle=parent, role=CircleMember.Role.FACILITATOR)
            .first()
            .user
        )
        circle = services.circle_create(
            actor=facilitator, name=name, kind=Circle.Kind.COMMITTEE, parent=parent, **fields
        )
    else:
        organization = OrganizationFactory()
        facilitator = MembershipFactory(organization=organization, role=Role.ADMIN).user
        circle = services.circle_create(
            actor=facilitator,
            name=name,
            kind=Circle.Kind.COOPERATIVE,
            organization=organization,
            **fields,
        )
    people = [facilitator, *add_members(circle, members, by=facilitator)]
    return circle, people


def add_members(circle, count: int, *, by) -> list:
    users = [UserFactory() for _ in range(count)]
    for user in users:
        services.circle_member_add(actor=by, circle=circle, email=user.email)
    return users


def snapshot():
    return (
        Circle.objects.count(),
        CircleMember.objects.count(),
        Thread.objects.count(),
        Comment.objects.count(),
        AuditRecord.objects.count(),
    )


class TestStartingCircles:
    def test_an_organization_admin_starts_a_circle_and_facilitates_it(self):
        # Given an admin of an organization
        organization = OrganizationFactory()
        admin = MembershipFactory(organization=organization, role=Role.ADMIN).user
        # When they start a circle there
        circle = services.circle_create(
            actor=admin,
            name="Willow members",
            kind=Circle.Kind.COOPERATIVE,
            organization=organization,
        )
        # Then it sits in the organization and they are its only member, as facilitator
        assert circle.organization == organization and circle.network is None
        assert circle.slug == "willow-members"
        assert list(circle.members.values_list("user", "role")) == [
            (admin.pk, CircleMember.Role.FACILITATOR)
        ]
        record = AuditRecord.objects.get(action="hearth.governance.circle.created")
        assert record.target_id == str(circle.pk)
        assert record.organization_id == organization.pk

    def test_a_network_coordinator_starts_a_network_circle(self):
        coordinator = CoordinatorFactory()
        circle = services.circle_create(
            actor=coordinator.user,
            name="Regional coalition",
            kind=Circle.Kind.COALITION,
            network=coordinator.network,
        )
        assert circle.network == coordinator.network and circle.organization is None

    def test_slugs_stay_unique(self):
        first, _ = make_circle(name="Board")
        second, _ = make_circle(name="Board")
        assert (first.slug, second.slug) == ("board", "board-2")

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PEER_SUPPORTER, Role.VIEWER])
    def test_staff_who_are_not_admins_cannot_start_one(self, role):
        organization = OrganizationFactory()
        user = MembershipFactory(organization=organization, role=role).user
        before = snapshot()
        with pytest.raises(ValidationError, match="cannot start a circle there"):
            services.circle_create(
                actor=user, name="X", kind=Circle.Kind.COMMITTEE, organization=organization
            )
        assert snapshot() == before

    def test_an_admin_of_another_organization_cannot_start_one_here(self):
        here, elsewhere = OrganizationFactory(), OrganizationFactory()
        admin = MembershipFactory(organization=elsewhere, role=Role.ADMIN).user
        before = snapshot()
        with pytest.raises(ValidationError):
            services.circle_create(
                actor=admin, name="X", kind=Circle.Kind.COMMITTEE, organization=here
            )
        assert snapshot() == before

    def test_a_coordinator_of_another_network_cannot_start_one_here(self):
        coordinator = CoordinatorFactory()
        other = NetworkMembershipFactory().network
        with pytest.raises(ValidationError):
            services.circle_create(
                actor=coordinator.user, name="X", kind=Circle.Kind.COALITION, network=other
            )
        assert not Circle.objects.exists()

    def test_a_circle_sits_in_exactly_one_place(self):
        coordinator = CoordinatorFactory()
        organization = OrganizationFactory()
        with pytest.raises(ValidationError, match="one organization or one network"):
            services.circle_create(
                actor=coordinator.user,
                name="X",
                kind=Circle.Kind.COALITION,
                network=coordinator.network,
                organization=organization,
            )
        assert not Circle.objects.exists()

    def test_a_facilitator_starts_a_sub_circle_in_the_same_place(self):
        parent, (facilitator, member, *_) = make_circle()
        child = services.circle_create(
            actor=facilitator, name="Advisory board", kind=Circle.Kind.ADVISORY_BOARD, parent=parent
        )
        assert child.parent == parent and child.organization == parent.organization
        # A member who does not facilitate cannot
        with pytest.raises(ValidationError):
            services.circle_create(
                actor=member, name="Other", kind=Circle.Kind.COMMITTEE, parent=parent
            )
        assert list(parent.sub_circles.all()) == [child]


class TestMembers:
    def test_a_facilitator_adds_a_community_member_without_any_staff_role(self):
        circle, (facilitator, *_) = make_circle(members=0)
        community = UserFactory(email="jo@example.org")
        assert not community.memberships.exists()
        member = services.circle_member_add(
            actor=facilitator, circle=circle, email="  JO@example.org "
        )
        assert (member.user, member.role) == (community, CircleMember.Role.MEMBER)
        record = AuditRecord.objects.get(action="hearth.governance.member.added")
        assert record.detail == {"user_id": str(community.pk), "role": "member"}

    def test_someone_without_an_account_is_invited_by_the_accounts_invitation(
        self, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        from hearth.accounts import services as accounts_services
        from hearth.accounts.models import Invitation, Membership, User

        circle, (facilitator, *_) = make_circle(members=0)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.circle_member_invite(
                actor=facilitator,
                circle=circle,
                email=" Sam.Okafor@Example.org",
                base_url="https://hearth.example.org/",
            )
        assert isinstance(invitation, Invitation)
        assert (invitation.kind, invitation.target_id, invitation.email) == (
            services.CIRCLE_INVITATION_KIND,
            circle.pk,
            "sam.okafor@example.org",
        )
        assert len(mail.outbox) == 1 and "https://hearth.example.org/invitations/" in (
            mail.outbox[0].body
        )
        assert accounts_services.invitation_joins(invitation) == circle.name
        # Accepting makes the account and the membership, nothing more
        member = accounts_services.invitation_accept(
            invitation=invitation,
            user=None,
            full_name="Sam Okafor",
            password="wide open skies here",
        )
        sam = User.objects.get(email="sam.okafor@example.org")
        assert (member.circle, member.user, member.role) == (circle, sam, "member")
        assert not Membership.objects.filter(user=sam).exists()
        assert list(
            AuditRecord.objects.filter(action__contains="member").values_list("action", flat=True)
        ) == ["hearth.governance.member.invited", "hearth.governance.member.joined"]
        # A second acceptance is refused
        with pytest.raises(ValidationError, match="expired or has already been used"):
            accounts_services.invitation_accept(invitation=invitation, user=sam)

    def test_a_member_cannot_invite_and_nothing_is_sent(self, django_capture_on_commit_callbacks):
        from django.core import mail

        from hearth.accounts.models import Invitation

        circle, (_facilitator, member) = make_circle(members=1)
        before = snapshot()
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(ValidationError, match="Only the circle's facilitators"),
        ):
            services.circle_member_invite(
                actor=member, circle=circle, email="new@example.org", base_url="https://x/"
            )
        assert (snapshot(), Invitation.objects.count(), len(mail.outbox)) == (before, 0, 0)

    def test_a_member_cannot_add_members(self):
        circle, (_facilitator, member) = make_circle(members=1)
        newcomer = UserFactory()
        before = snapshot()
        with pytest.raises(ValidationError, match="Only the circle's facilitators"):
            services.circle_member_add(actor=member, circle=circle, email=newcomer.email)
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("email", "message"),
        [
            ("not an address", "Enter an e-mail address"),
            ("nobody@example.org", "Nobody has a Hearth account"),
        ],
    )
    def test_unknown_or_malformed_addresses_are_refused(self, email, message):
        circle, (facilitator,) = make_circle(members=0)
        before = snapshot()
        with pytest.raises(ValidationError, match=message) as refused:
            services.circle_member_add(actor=facilitator, circle=circle, email=email)
        assert set(refused.value.message_dict) == {"email"}
        assert snapshot() == before

    def test_nobody_is_added_twice(self):
        circle, (facilitator, member) = make_circle(members=1)
        before = snapshot()
        with pytest.raises(ValidationError, match="already in the circle"):
            services.circle_member_add(actor=facilitator, circle=circle, email=member.email)
        assert snapshot() == before

    def test_a_member_leaves_but_the_last_facilitator_cannot(self):
        circle, (facilitator, member) = make_circle(members=1)
        services.circle_member_remove(
            actor=member, member=CircleMember.objects.get(circle=circle, user=member)
        )
        assert list(circle.members.values_list("user", flat=True)) == [facilitator.pk]
        last = CircleMember.objects.get(circle=circle, user=facilitator)
        before = snapshot()
        with pytest.raises(ValidationError, match="at least one facilitator"):
            services.circle_member_remove(actor=facilitator, member=last)
        assert snapshot() == before

    def test_a_member_cannot_remove_someone_else(self):
        circle, (_facilitator, member, other) = make_circle(members=2)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.circle_member_remove(
                actor=member, member=CircleMember.objects.get(circle=circle, user=other)
            )
        assert snapshot() == before


class TestDiscussions:
    def test_a_member_starts_a_discussion_and_others_comment(self):
        circle, (facilitator, member) = make_circle(members=1)
        thread = services.thread_start(
            actor=member, circle=circle, title="  Fees  ", body="Shall we widen the scale?"
        )
        services.comment_add(actor=facilitator, thread=thread, body="Yes, let us.")
        assert thread.title == "Fees"
        assert list(thread.comments.values_list("author", "body")) == [
            (member.pk, "Shall we widen the scale?"),
            (facilitator.pk, "Yes, let us."),
        ]
        assert AuditRecord.objects.filter(action="hearth.governance.comment.added").count() == 1

    def test_someone_outside_the_circle_cannot_speak_in_it(self):
        circle, (facilitator, _member) = make_circle(members=1)
        thread = services.thread_start(actor=facilitator, circle=circle, title="Fees")
        outsider = UserFactory()
        before = snapshot()
        with pytest.raises(ValidationError, match="Only the circle's members"):
            services.thread_start(actor=outsider, circle=circle, title="Mine")
        with pytest.raises(ValidationError, match="Only the circle's members"):
            services.comment_add(actor=outsider, thread=thread, body="Hello")
        assert snapshot() == before

    def test_empty_titles_and_comments_are_refused(self):
        circle, (facilitator,) = make_circle(members=0)
        thread = services.thread_start(actor=facilitator, circle=circle, title="Fees")
        before = snapshot()
        with pytest.raises(ValidationError, match="title"):
            services.thread_start(actor=facilitator, circle=circle, title="   ")
        with pytest.raises(ValidationError, match="Write a comment"):
            services.comment_add(actor=facilitator, thread=thread, body="  ")
        assert snapshot() == before
