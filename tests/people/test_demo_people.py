from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearth.accounts.demo import load_demo
from hearth.accounts.models import Organization, User
from hearth.core.audit import verify_chain
from hearth.core.models import AuditRecord
from hearth.people import access, demo, selectors, services
from hearth.people.models import (
    Consent,
    EmergencyAccess,
    Person,
    PersonNote,
    PortalAccount,
    Purpose,
)
from hearth.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_demo_people_are_held_by_the_counselling_peer_and_victim_service_members():
    load_demo()

    held = Counter(Person.objects.values_list("holder__slug", flat=True))
    assert held == {
        "willow-commons-therapy": 4,
        "harbor-house": 3,
        "clearwater-advocacy-centre": 3,
        "kindred-peer-network": 2,
        # Robin, who asked New Leaf's recovery coaching to contact them (hearth.referrals.demo).
        "new-leaf-recovery": 2,
        # The hub's peer support group: fifty participants counted in its evaluation
        # (hearth.outcomes.demo), so the public impact page has figures above the threshold.
        "riverbend-valley-hub": 50,
    }
    assert PersonNote.objects.count() >= 5
    assert verify_chain().intact


def test_the_demo_consents_are_live_expired_and_revoked():
    load_demo()
    now = timezone.now()

    # Each demo referral records a consent of its own (tests/referrals/test_demo_referrals.py),
    # and each participant of the hub's peer support group one to be counted in its evaluation.
    group = Consent.objects.filter(person__holder__slug="riverbend-valley-hub")
    assert group.count() == 50
    assert all(c.is_live(now) and c.purpose == "evaluation" for c in group)
    consents = list(
        Consent.objects.exclude(
            pk__in=Referral.objects.exclude(consent=None).values("consent")
        ).exclude(pk__in=group.values("pk"))
    )
    live = [c for c in consents if c.is_live(now)]
    revoked = [c for c in consents if c.revoked_at is not None]
    expired = [c for c in consents if c.revoked_at is None and c.expires_at <= now]
    assert len(live) == 4
    assert len(revoked) == 1
    assert len(expired) == 1
    assert len(consents) == 6
    assert expired[0].starts_at < expired[0].expires_at < now
    assert AuditRecord.objects.filter(
        action="hearth.people.consent.recorded", detail__consent=str(expired[0].id)
    ).exists()


def test_one_emergency_access_awaits_review_with_its_reason():
    load_demo()

    grant = EmergencyAccess.objects.get()
    assert grant.reviewed_at is None
    assert len(grant.reason) > 20
    willow = Organization.objects.get(slug="willow-commons-therapy")
    assert grant.organization == willow
    kindred = Organization.objects.get(slug="kindred-peer-network")
    assert list(selectors.emergency_accesses_for_review(kindred)) == [grant]


def test_the_demo_person_signs_in_and_sees_both_records():
    load_demo()

    account = services.portal_authenticate(
        sign_in_name=demo.PORTAL_SIGN_IN, passphrase=demo.PORTAL_PASSPHRASE
    )
    assert account is not None
    linked = list(selectors.people_linked_to(account))
    assert {person.holder.slug for person in linked} == {"harbor-house", "willow-commons-therapy"}
    for person in linked:
        record = access.access_own_record(account=account, person_id=person.pk)
        assert record.chosen_name == "Sam River"


def test_legal_aid_reads_sam_under_the_consent_and_the_history_shows_it():
    load_demo()
    account = PortalAccount.objects.get(sign_in_name=demo.PORTAL_SIGN_IN)
    sam = account.links.get(person__holder__slug="harbor-house").person
    legal_aid = Organization.objects.get(slug="valley-legal-aid")
    david = User.objects.get(email="david@hearth.example")

    record = access.access_person(
        user=david, organization=legal_aid, person_id=sam.pk, purpose=Purpose.REFERRAL
    )

    assert record.basis == "consent"
    assert record.needs["terms"] == ["1124", "1136", "1375"]
    assert record.contact is None
    history = selectors.access_history(sam.pk)
    reads = {(event.organization, event.purpose) for event in history if "read" in event.action}
    assert ("Harbor House", str(Purpose.CARE.label)) in reads
    assert ("Riverbend Valley Legal Aid", str(Purpose.REFERRAL.label)) in reads


def test_staff_find_demo_people_by_name_and_safe_contact_preferences_vary():
    load_demo()
    harbor = Organization.objects.get(slug="harbor-house")
    naomi = User.objects.get(email="naomi@hearth.example")

    found = access.find_people(user=naomi, organization=harbor, query="ana lucia")

    assert [record.chosen_name for record in found] == ["Ana Lucía"]
    records = [
        access.access_person(
            user=naomi, organization=harbor, person_id=person.pk, purpose=Purpose.CARE
        )
        for person in Person.objects.filter(holder=harbor)
    ]
    contacts = {record.chosen_name: record.contact for record in records}
    assert contacts["Ana Lucía"]["do_not_contact"] is True
    assert contacts["Sam River"]["safe_channels"] == ["email"]
    assert contacts["Jordan"]["safe_from"] == "18:00"  # changed through person_update


def test_loading_the_demo_again_changes_nothing():
    load_demo()
    before = (Person.objects.count(), Consent.objects.count(), AuditRecord.objects.count())

    load_demo()
    call_command("demo", "--if-empty")

    assert (Person.objects.count(), Consent.objects.count(), AuditRecord.objects.count()) == before
    assert verify_chain().intact


def test_the_demo_command_prints_the_person_sign_in(capsys):
    call_command("demo")

    out = capsys.readouterr().out
    assert demo.PORTAL_SIGN_IN in out
    assert demo.PORTAL_PASSPHRASE in out
