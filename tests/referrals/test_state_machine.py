"""Every (status, side, target status) triple against REFERENCES §2, written out here
independently of hearth.referrals.services."""

import itertools

import pytest

from hearth.core.models import AuditRecord
from hearth.referrals import services
from hearth.referrals.models import Referral, ReferralEvent
from tests.factories import OrganizationFactory
from tests.people.factories import staff
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db

STATUSES = [
    "draft",
    "requested",
    "accepted",
    "rejected",
    "cancelled",
    "in-progress",
    "on-hold",
    "completed",
    "failed",
    "entered-in-error",
]
FOLLOWS = {
    ("draft", "requested"),
    ("requested", "accepted"),
    ("requested", "rejected"),
    ("requested", "cancelled"),
    ("accepted", "in-progress"),
    ("accepted", "on-hold"),
    ("accepted", "completed"),
    ("accepted", "failed"),
    ("accepted", "cancelled"),
    ("in-progress", "on-hold"),
    ("on-hold", "in-progress"),
    ("in-progress", "completed"),
    ("in-progress", "failed"),
    ("in-progress", "cancelled"),
    ("on-hold", "completed"),
    ("on-hold", "failed"),
    ("on-hold", "cancelled"),
} | {(status, "entered-in-error") for status in STATUSES if status != "entered-in-error"}
REQUESTER_SETS = {"draft", "requested", "entered-in-error", "cancelled"}
RECEIVER_SETS = {
    "accepted",
    "rejected",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "cancelled",
}
NEEDS_REASON = {"rejected", "cancelled", "on-hold", "failed"}


def test_every_status_side_and_target_behaves_as_the_implementation_guide_says():
    p = pair()
    referral = refer(p, send=False)
    outsider_org = OrganizationFactory()
    actors = {
        "requester": (p.sender_staff, p.sender),
        "receiver": (p.receiver_staff, p.receiver),
        "outsider": (staff(outsider_org), outsider_org),
    }
    outcomes = {}
    for status, side, target in itertools.product(STATUSES, actors, STATUSES):
        Referral.objects.filter(pk=referral.pk).update(status=status)
        events_before = ReferralEvent.objects.count()
        user, organization = actors[side]
        try:
            services.referral_transition(
                actor=user,
                organization=organization,
                referral_id=referral.pk,
                to_status=target,
                reason="other" if target in NEEDS_REASON else "",
            )
            outcomes[(status, side, target)] = "done"
            assert Referral.objects.get(pk=referral.pk).status == target
            assert ReferralEvent.objects.count() == events_before + 1
        except services.ReferralNotFound:
            outcomes[(status, side, target)] = "not found"
        except services.TransitionRefused as refused:
            outcomes[(status, side, target)] = "refused"
            assert Referral.objects.get(pk=referral.pk).status == status
            assert ReferralEvent.objects.count() == events_before
            assert refused.allowed == services.allowed_next(status, side)

    def expected(status, side, target):
        if side == "outsider":
            return "not found"
        sets = REQUESTER_SETS if side == "requester" else RECEIVER_SETS
        return "done" if (status, target) in FOLLOWS and target in sets else "refused"

    wrong = {
        triple: outcome for triple, outcome in outcomes.items() if outcome != expected(*triple)
    }
    assert len(outcomes) == 10 * 3 * 10
    assert wrong == {}


@pytest.mark.parametrize("target", sorted(NEEDS_REASON))
def test_a_reason_is_required_where_the_guide_expects_one(target):
    p = pair()
    referral = refer(p)
    start = "accepted" if target in {"on-hold", "failed"} else "requested"
    Referral.objects.filter(pk=referral.pk).update(status=start)
    user, organization = (p.receiver_staff, p.receiver)

    with pytest.raises(services.TransitionRefused) as refused:
        services.referral_transition(
            actor=user, organization=organization, referral_id=referral.pk, to_status=target
        )

    assert refused.value.field == "reason"
    assert Referral.objects.get(pk=referral.pk).status == start


def test_a_refusal_names_what_may_follow():
    p = pair()
    referral = refer(p)

    with pytest.raises(services.TransitionRefused) as refused:
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=referral.pk,
            to_status="completed",
        )

    assert refused.value.allowed == ["accepted", "rejected", "cancelled"]
    assert "“Accepted”, “Declined”, “Cancelled”" in refused.value.message


def test_a_stale_form_is_a_conflict_and_overwrites_nothing():
    p = pair()
    referral = refer(p)
    seen_version = referral.version
    services.referral_transition(
        actor=p.receiver_staff,
        organization=p.receiver,
        referral_id=referral.pk,
        to_status="accepted",
    )

    with pytest.raises(services.TransitionRefused) as refused:
        services.referral_transition(
            actor=p.sender_staff,
            organization=p.sender,
            referral_id=referral.pk,
            to_status="cancelled",
            reason="other",
            expected_version=seen_version,
        )

    assert refused.value.conflict
    assert "now “Accepted”" in refused.value.message
    assert Referral.objects.get(pk=referral.pk).status == "accepted"


def test_each_transition_is_audited_with_its_side_and_stamps_the_dates():
    p = pair()
    referral = refer(p)

    for status in ("accepted", "in-progress", "completed"):
        referral = services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=referral.pk,
            to_status=status,
        )

    moves = [
        (row.detail["from"], row.detail["to"], row.detail["side"])
        for row in AuditRecord.objects.filter(action="hearth.referrals.referral.transitioned")
    ]
    assert moves == [
        ("draft", "requested", "requester"),
        ("requested", "accepted", "receiver"),
        ("accepted", "in-progress", "receiver"),
        ("in-progress", "completed", "receiver"),
    ]
    assert referral.requested_at <= referral.acknowledged_at == referral.accepted_at
    assert referral.closed_at is not None
    assert referral.version == 5
