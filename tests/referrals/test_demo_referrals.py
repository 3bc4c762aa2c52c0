from collections import Counter

import pytest
from django.core.management import call_command

from hearth.accounts.demo import load_demo
from hearth.accounts.models import Organization, User
from hearth.core.audit import verify_chain
from hearth.core.models import AuditRecord, Notification
from hearth.people import demo as people_demo
from hearth.people.models import Consent, Person, PortalAccount
from hearth.referrals import demo, selectors, services
from hearth.referrals.models import Referral, ReferralEvent, ReferralMessage, Side, Status

pytestmark = pytest.mark.django_db


def staff_of(organization: Organization) -> User:
    return User.objects.get(email=demo.STAFF[organization.slug])


def test_the_demo_has_a_referral_in_every_status_between_member_organizations():
    load_demo()

    referrals = list(Referral.objects.select_related("service__organization"))
    assert set(Counter(r.status for r in referrals)) == set(Status.values)
    for referral in referrals:
        # The receiving organization is the member that claimed the service's listing.
        assert referral.service.organization.member_id == referral.receiving_organization_id
        assert referral.sending_organization_id != referral.receiving_organization_id
    reasons = {r.status: r.status_reason for r in referrals}
    assert reasons[Status.REJECTED] == services.Reason.NO_CAPACITY
    assert reasons[Status.ON_HOLD] == services.Reason.WAITING
    assert reasons[Status.FAILED] == services.Reason.NOT_REACHED
    sent = [r for r in referrals if not r.is_self_referral]
    # Each referral recorded its own consent, to the receiving organization, for what travels.
    assert len({r.consent_id for r in sent}) == len(sent)
    for referral in sent:
        assert referral.consent.recipient_organization_id == referral.receiving_organization_id
        assert referral.consent.categories == referral.payload_categories
    assert verify_chain().intact


def test_conversations_decrypt_for_the_receiving_organization():
    load_demo()

    with_both_sides = 0
    talked = Referral.objects.filter(messages__isnull=False).distinct()
    assert talked.count() >= 5
    for referral in talked.select_related("receiving_organization"):
        receiver = referral.receiving_organization
        messages = services.referral_messages(
            user=staff_of(receiver), organization=receiver, referral=referral
        )
        assert len(messages) == referral.messages.count()
        assert all(message["body"].strip() for message in messages)
        sides = {message["side"] for message in messages}
        with_both_sides += {Side.REQUESTER, Side.RECEIVER} <= sides
    assert with_both_sides >= 4
    assert verify_chain().intact


def test_one_self_referral_and_one_overdue_referral():
    load_demo()

    (self_referral,) = Referral.objects.filter(is_self_referral=True)
    assert self_referral.status == Status.REQUESTED
    assert self_referral.sending_organization is None
    receiver = self_referral.receiving_organization
    payload = services.referral_open_payload(
        user=staff_of(receiver), organization=receiver, referral=self_referral
    )
    assert payload["identity"]["chosen_name"] == "Robin"

    (overdue,) = selectors.overdue_referrals()
    assert overdue.status == Status.REQUESTED
    assert not overdue.is_self_referral
    assert overdue.service_id == demo.service_id("willow-commons-therapy", "survivor-group")
    # The other waiting referrals are still within their acknowledgement period.
    assert Referral.objects.filter(status=Status.REQUESTED).count() == 3


def test_sam_river_follows_their_accepted_referral_to_legal_aid_in_their_own_pages():
    load_demo()
    account = PortalAccount.objects.get(sign_in_name=people_demo.PORTAL_SIGN_IN)

    (referral,) = services.referrals_of_person(account)
    assert referral.status == Status.ACCEPTED
    assert referral.sending_organization.slug == "harbor-house"
    assert referral.receiving_organization.slug == "valley-legal-aid"
    assert referral.service_id == demo.service_id("valley-legal-aid", "protection-orders")
    _referral, messages = services.person_referral_messages(
        account=account, referral_id=referral.pk
    )
    assert {message["side"] for message in messages} == {
        Side.REQUESTER,
        Side.RECEIVER,
        Side.PERSON,
    }
    # What travelled is what Sam agreed legal aid may see: no contact details.
    legal_aid = referral.receiving_organization
    payload = services.referral_open_payload(
        user=staff_of(legal_aid), organization=legal_aid, referral=referral
    )
    assert payload["identity"]["chosen_name"] == "Sam River"
    assert "contact" not in payload


def test_loading_the_demo_again_adds_no_referrals():
    load_demo()
    models = (Referral, ReferralEvent, ReferralMessage, Consent, Person, Notification, AuditRecord)
    before = [model.objects.count() for model in models]

    load_demo()
    call_command("demo", "--if-empty")

    assert [model.objects.count() for model in models] == before
    assert verify_chain().intact
