import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from hearth.core.models import AuditRecord, Notification
from hearth.people import access
from hearth.people import services as people_services
from hearth.people.models import Consent, Person, Purpose
from hearth.referrals import fhir, selectors, services
from hearth.referrals.models import Referral, ReferralMessage
from tests.factories import NetworkFactory, NetworkMembershipFactory, OrganizationFactory
from tests.people.factories import staff
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db

PERSON = {
    "name": "Robin",
    "contact": {"phones": ["555 010 2030"], "safe_channels": ["text"], "do_not_contact": True},
    "needs": {"in_their_words": "Somewhere safe to sleep"},
    "strengths": {"strengths": "Determined", "goals": "A steady job", "what_helps": "Quiet rooms"},
}


class TestWhatTravels:
    def test_the_receiver_reads_exactly_the_chosen_categories_and_the_summary(self):
        p = pair()
        referral = refer(p, categories=["identity", "needs"], **PERSON)

        payload = services.referral_open_payload(
            user=p.receiver_staff, organization=p.receiver, referral=referral
        )

        assert sorted(payload) == ["identity", "needs", "summary"]
        assert payload["identity"]["chosen_name"] == "Robin"
        assert payload["needs"]["in_their_words"] == "Somewhere safe to sleep"
        assert "Determined" not in str(payload) and "555" not in str(payload)
        assert referral.do_not_contact is True  # travels even without the contact details
        assert referral.consent.categories == ["identity", "needs"]
        # Nothing else of the person opens for the receiver, even under the referral consent.
        with pytest.raises(access.PersonNotFound):
            access.access_person(
                user=p.receiver_staff,
                organization=p.receiver,
                person_id=referral.person_id,
                purpose=Purpose.REFERRAL,
                categories=["strengths"],
            )

    def test_the_payload_is_sealed_to_the_receiver_alone(self):
        p = pair()
        referral = refer(p, **PERSON)

        assert b"Robin" not in bytes(Referral.objects.get(pk=referral.pk).sealed_payload)
        with pytest.raises(services.ReferralNotFound):
            services.referral_open_payload(
                user=p.sender_staff, organization=p.sender, referral=referral
            )

    def test_when_the_consent_is_revoked_or_expires_the_payload_and_conversation_close(self):
        p = pair()
        referral = refer(p, **PERSON)
        services.message_send(
            actor=p.sender_staff, organization=p.sender, referral_id=referral.pk, body="Hello"
        )

        people_services.consent_revoke(consent=referral.consent, by_person=True)

        for read in (
            lambda: services.referral_open_payload(
                user=p.receiver_staff, organization=p.receiver, referral=referral
            ),
            lambda: services.referral_messages(
                user=p.receiver_staff, organization=p.receiver, referral=referral
            ),
            lambda: services.message_send(
                actor=p.receiver_staff, organization=p.receiver, referral_id=referral.pk, body="Hi"
            ),
        ):
            with pytest.raises(access.PersonNotFound):
                read()
        assert ReferralMessage.objects.count() == 1
        # The status history stays, and either side still sees the referral itself.
        assert selectors.referral_for(p.receiver_staff, p.receiver, referral.pk)[1] == "receiver"
        assert referral.events.count() == 2

    def test_an_expired_consent_closes_the_payload_too(self):
        p = pair()
        referral = refer(p, **PERSON)
        Consent.objects.filter(pk=referral.consent_id).update(
            starts_at=timezone.now() - timedelta(days=40),
            expires_at=timezone.now() - timedelta(days=1),
        )

        with pytest.raises(access.PersonNotFound):
            services.referral_open_payload(
                user=p.receiver_staff,
                organization=p.receiver,
                referral=Referral.objects.get(pk=referral.pk),
            )


class TestBadInput:
    def test_an_inactive_service_is_refused_and_nothing_is_written(self):
        p = pair(status="inactive")

        with pytest.raises(ValidationError) as invalid:
            refer(p)

        assert "not active" in invalid.value.message_dict["service"][0]
        assert Referral.objects.count() == 0
        assert Consent.objects.count() == 0

    def test_a_referral_without_an_expiry_is_refused_with_nothing_written(self):
        p = pair()
        person_holder_staff = p.sender_staff
        person = people_services.person_create(
            actor=person_holder_staff, organization=p.sender, identity={"chosen_name": "Robin"}
        )

        with pytest.raises(ValidationError) as invalid:
            services.referral_create(
                actor=p.sender_staff,
                organization=p.sender,
                person_id=person.id,
                service_id=p.service.id,
                categories=["identity"],
                summary="",
                expires_at=None,
                attestation="Agreed",
            )

        assert "expires_at" in invalid.value.message_dict
        assert Referral.objects.count() == 0

    def test_a_service_whose_listing_nobody_claimed_cannot_take_referrals(self):
        p = pair()
        p.service.organization.member = None
        p.service.organization.save()

        with pytest.raises(ValidationError, match="does not take referrals through Hearth"):
            refer(p)

    def test_only_the_holder_can_refer_a_person(self):
        p = pair()
        referral = refer(p)
        third = OrganizationFactory()

        with pytest.raises(access.PersonNotFound):
            services.referral_create(
                actor=staff(third),
                organization=third,
                person_id=referral.person_id,
                service_id=p.service.id,
                categories=["identity"],
                summary="",
                expires_at=timezone.now() + timedelta(days=3),
                attestation="Agreed",
            )
        assert Referral.objects.count() == 1


class TestSelfReferral:
    def test_a_person_asks_a_service_to_contact_them_without_an_account(self):
        p = pair()

        referral = services.self_referral_create(
            service_id=p.service.id,
            identity={"chosen_name": "Sky"},
            contact={"emails": ["sky@example.org"], "safe_channels": ["email"]},
            message="Evenings are better",
        )

        person = Person.objects.get(pk=referral.person_id)
        assert person.holder == p.receiver
        assert (referral.status, referral.is_self_referral, referral.consent) == (
            "requested",
            True,
            None,
        )
        payload = services.referral_open_payload(
            user=p.receiver_staff, organization=p.receiver, referral=referral
        )
        assert payload["identity"]["chosen_name"] == "Sky"
        assert payload["summary"] == "Evenings are better"
        assert (
            Notification.objects.filter(user=p.receiver_staff, kind="referral.requested").count()
            == 1
        )

    def test_bad_contact_details_in_a_self_referral_save_nothing(self):
        p = pair()

        with pytest.raises(ValidationError) as invalid:
            services.self_referral_create(
                service_id=p.service.id, identity={"chosen_name": ""}, contact={"emails": ["x"]}
            )

        assert sorted(invalid.value.message_dict) == ["chosen_name", "emails"]
        assert Person.objects.count() == 0 and Referral.objects.count() == 0


class TestFollowUp:
    def test_working_days_skip_the_weekend(self):
        friday = datetime(2026, 11, 20, 10, tzinfo=UTC)
        assert selectors.add_working_days(friday, 2).strftime("%a %d") == "Tue 24"

    def test_an_unanswered_referral_is_overdue_after_the_networks_period(self):
        p = pair()
        network = NetworkFactory(referral_ack_working_days=1)
        NetworkMembershipFactory(network=network, organization=p.receiver)
        referral = refer(p)
        Referral.objects.filter(pk=referral.pk).update(
            requested_at=timezone.now() - timedelta(days=4)
        )

        assert [r.pk for r in selectors.overdue_referrals()] == [referral.pk]
        queues = selectors.needs_attention(p.sender_staff, p.sender)
        assert [r.pk for r in queues["to_chase"]] == [referral.pk]
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=referral.pk,
            to_status="accepted",
        )
        assert selectors.overdue_referrals() == []

    def test_the_queues_read_each_receivers_period_once_however_many_referrals_wait(
        self, django_assert_max_num_queries
    ):
        p, other = pair(), pair()
        network = NetworkFactory(referral_ack_working_days=1)
        NetworkMembershipFactory(network=network, organization=p.receiver)
        other.sender, other.sender_staff = p.sender, p.sender_staff
        waiting = [refer(p) for _ in range(3)] + [refer(other) for _ in range(3)]
        monday = datetime(2026, 11, 16, 10, tzinfo=UTC)
        Referral.objects.filter(pk__in=[r.pk for r in waiting[:2] + waiting[3:4]]).update(
            requested_at=monday
        )
        wednesday_morning = monday + timedelta(days=2, hours=-1)

        # the sender's queues: one check of the role, three lists, one read of the periods
        with django_assert_max_num_queries(5):
            queues = selectors.needs_attention(p.sender_staff, p.sender, now=wednesday_morning)
        with django_assert_max_num_queries(2):
            overdue = selectors.overdue_referrals(now=wednesday_morning)

        # late where the network allows one working day, not yet by the default two
        assert {r.pk for r in queues["to_chase"]} == {waiting[0].pk, waiting[1].pk}
        assert {r.pk for r in overdue} == {waiting[0].pk, waiting[1].pk}

    def test_notifications_and_emails_say_only_that_something_changed(
        self, django_capture_on_commit_callbacks
    ):
        p = pair()
        referral = refer(p, **PERSON)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            services.referral_transition(
                actor=p.receiver_staff,
                organization=p.receiver,
                referral_id=referral.pk,
                to_status="accepted",
            )

        [note] = Notification.objects.filter(user=p.sender_staff)
        assert (note.kind, note.link) == ("referral.accepted", f"/referrals/{referral.pk}/")
        assert [m.to for m in mail.outbox] == [[p.sender_staff.email]]
        assert "Robin" not in mail.outbox[0].body and "accepted" not in mail.outbox[0].body.lower()

    def test_a_mail_server_that_fails_leaves_the_transition_and_logs_without_addresses(
        self, django_capture_on_commit_callbacks, settings, caplog
    ):
        settings.EMAIL_BACKEND = "tests.referrals.test_services.RefusingMailServer"
        p = pair()
        referral = refer(p, **PERSON)

        with django_capture_on_commit_callbacks(execute=True):
            moved = services.referral_transition(
                actor=p.receiver_staff,
                organization=p.receiver,
                referral_id=referral.pk,
                to_status="accepted",
            )

        referral.refresh_from_db()
        assert moved.status == referral.status == "accepted"
        assert Notification.objects.filter(user=p.sender_staff, kind="referral.accepted").exists()
        [warning] = [r for r in caplog.records if r.name == "hearth.core.notifications"]
        assert warning.levelname == "WARNING"
        assert "1 of 1 notification e-mails could not be sent (SMTPConnectError: 1)" in (
            warning.getMessage()
        )
        assert p.sender_staff.email not in warning.getMessage()


class RefusingMailServer(BaseEmailBackend):
    """Django's e-mail backend interface with a mail server that will not talk."""

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "not today")


class TestFhirAndErasure:
    def test_a_referral_exports_as_a_valid_bundle_of_task_service_request_and_consent(self):
        p = pair()
        referral = refer(p, **PERSON)

        bundle = fhir.referral_bundle(referral)

        Bundle.model_validate(bundle)
        task, request, consent = (entry["resource"] for entry in bundle["entry"])
        assert (task["resourceType"], task["status"], task["intent"]) == (
            "Task",
            "requested",
            "order",
        )
        assert task["code"]["coding"][0]["code"] == "fulfill"
        assert task["focus"] == {"reference": f"ServiceRequest/{referral.id}"}
        assert task["owner"] == {"reference": f"Organization/{p.receiver.id}"}
        assert request["orderDetail"][0]["coding"][0]["code"] == "contacting-subject-prohibited"
        assert consent["resourceType"] == "Consent"
        assert "Robin" not in str(bundle)

    def test_erasing_the_person_shreds_the_conversation_and_payload(self):
        from hearth.accounts.models import Role

        p = pair()
        referral = refer(p, **PERSON)
        services.message_send(
            actor=p.sender_staff, organization=p.sender, referral_id=referral.pk, body="Hello"
        )

        people_services.person_erase(
            actor=staff(p.sender, Role.ADMIN), organization=p.sender, person_id=referral.person_id
        )

        referral = Referral.objects.get(pk=referral.pk)
        assert bytes(referral.sealed_payload) == b""
        assert referral.conversation_key.destroyed_at is not None
        assert referral.events.count() == 2
        assert AuditRecord.objects.filter(action="hearth.people.person.erased").count() == 1


def test_overdue_referrals_remind_the_sender_and_coordinators_once_a_day():
    from django.core.management import call_command

    from hearth.core.models import Notification
    from tests.factories import CoordinatorFactory

    p = pair()
    network = NetworkFactory()
    NetworkMembershipFactory(network=network, organization=p.receiver)
    coordinator = CoordinatorFactory(network=network).user
    referral = refer(p)
    Referral.objects.filter(pk=referral.pk).update(requested_at=timezone.now() - timedelta(days=6))

    call_command("referrals-remind")
    call_command("referrals-remind")

    reminded = Notification.objects.filter(kind="referral.overdue")
    assert sorted(n.user_id for n in reminded) == sorted([p.sender_staff.pk, coordinator.pk])
    assert AuditRecord.objects.filter(action="hearth.referrals.reminder.sent").count() == 1
