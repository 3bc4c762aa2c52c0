"""The referral pages, through the real pages and services: an organization's referrals, making
one, following one from either side, the FHIR export, the network's figures, the notification
centre, a person asking a service to contact them, and the person's own referral pages."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord, Notification
from hearth.directory import search
from hearth.people import services as people_services
from hearth.people.models import Consent, Person
from hearth.referrals import services
from hearth.referrals.models import Referral, ReferralMessage, Status
from tests.conftest import sign_in
from tests.factories import (
    CoordinatorFactory,
    NetworkFactory,
    NetworkMembershipFactory,
    TOTPDeviceFactory,
)
from tests.people.factories import make_person, staff
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db

NAME = "Marigold Quince"
SUMMARY = "Looking for a quiet place to talk, mornings are best."
PERSON = {
    "name": NAME,
    "contact": {"phones": ["555 010 2030"], "safe_channels": ["text"], "do_not_contact": True},
    "needs": {"in_their_words": "Somewhere safe to sleep"},
    "strengths": {"strengths": "Determined", "goals": "A steady job", "what_helps": "Quiet rooms"},
}


def signed_in(client, user):
    if not user.totpdevice_set.filter(confirmed=True).exists():
        TOTPDeviceFactory(user=user)
    return sign_in(client, user)


def text(response) -> str:
    return response.content.decode()


def detail_url(referral, organization=None) -> str:
    url = f"/referrals/{referral.pk}/"
    return f"{url}?org={organization.slug}" if organization else url


def radio_values(response, name="to_status") -> list[str]:
    return re.findall(rf'name="{name}" type="radio" value="([^"]+)"', text(response))


@pytest.fixture
def p():
    return pair()


@pytest.fixture
def referral(p):
    return refer(p, categories=["identity", "contact", "needs"], **PERSON)


# --- the organization's referrals ---------------------------------------------------------------


class TestList:
    def test_the_receiver_sees_a_new_referral_to_answer_without_the_person_named(
        self, client, p, referral
    ):
        Referral.objects.filter(pk=referral.pk).update(
            requested_at=timezone.now() - timedelta(days=10)
        )
        referral.refresh_from_db()
        due = services_due(referral)

        response = signed_in(client, p.receiver_staff).get(
            f"/organizations/{p.receiver.slug}/referrals/"
        )

        body = text(response)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert "To answer: referrals waiting for your organization" in body
        assert f"For {p.service.name}, received" in body
        assert p.sender.name in body
        assert "Overdue" in body
        assert f"Answer due by {due:%-d %b %Y}" in body
        assert NAME not in body and SUMMARY not in body
        assert f'href="/referrals/{referral.pk}/?org={p.receiver.slug}"' in body

    def test_the_sender_sees_what_it_sent_and_what_to_chase_and_rethink(self, client, p):
        waiting = refer(p, **PERSON)
        Referral.objects.filter(pk=waiting.pk).update(
            requested_at=timezone.now() - timedelta(days=10)
        )
        declined = refer(p, **PERSON)
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=declined.pk,
            to_status=Status.REJECTED,
            reason="no-capacity",
        )

        body = text(
            signed_in(client, p.sender_staff).get(f"/organizations/{p.sender.slug}/referrals/")
        )

        assert "To chase: referrals you sent that are past their answer date" in body
        assert "To rethink: referrals you sent that were declined" in body
        assert f"Sent to {p.service.name} on" in body
        assert body.count(f"/referrals/{declined.pk}/?org={p.sender.slug}") == 2  # queue + list
        assert NAME not in body

    def test_the_status_filter_shows_only_that_status(self, client, p):
        accepted = refer(p)
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=accepted.pk,
            to_status=Status.ACCEPTED,
        )
        waiting = refer(p)

        body = text(
            signed_in(client, p.sender_staff).get(
                f"/organizations/{p.sender.slug}/referrals/?status=accepted"
            )
        )

        assert "1 referral<" in body
        all_section = body.split('id="all"')[1]
        assert f"/referrals/{accepted.pk}/" in all_section
        assert f"/referrals/{waiting.pk}/" not in all_section

    def test_the_list_does_not_query_per_referral(self, client, p, django_assert_max_num_queries):
        person = make_person(p.sender, by=p.sender_staff, name=NAME)
        for _ in range(3):
            refer(p, person=person)
        signed_in(client, p.receiver_staff)
        url = f"/organizations/{p.receiver.slug}/referrals/"
        with django_assert_max_num_queries(60) as few:
            assert client.get(url).status_code == 200
        for _ in range(17):
            refer(p, person=person)

        with django_assert_max_num_queries(len(few)):
            response = client.get(url)

        assert text(response).count(f"For {p.service.name}, received") == 40  # queue + list


def services_due(referral):
    from hearth.referrals import selectors

    return timezone.localtime(selectors.acknowledgement_due(referral))


# --- making a referral --------------------------------------------------------------------------


class TestRefer:
    def refer_url(self, p, person, service=None):
        url = f"/organizations/{p.sender.slug}/people/{person.id}/refer/"
        return f"{url}?service={service.id}" if service else url

    def test_the_service_picker_searches_the_directory_and_shows_capacity(self, client, p):
        p.service.name = "Harbour legal advice"
        p.service.capacity_status = "no-capacity"
        p.service.save()
        search.update_services([p.service.id])
        person = make_person(p.sender, by=p.sender_staff, name=NAME)

        response = signed_in(client, p.sender_staff).get(
            self.refer_url(p, person) + "?q=legal+advice"
        )

        body = text(response)
        assert response.status_code == 200
        assert f"Referring {NAME}" in body
        assert "Harbour legal advice" in body
        assert "Not accepting people now" in body
        assert "This service says it is not accepting people now." in body
        assert f'href="{self.refer_url(p, person)}?service={p.service.id}"' in body

    def test_the_form_explains_consent_and_defaults_the_expiry(self, client, p, settings):
        settings.HEARTH_CONSENT_DAYS = 45
        person = make_person(p.sender, by=p.sender_staff, name=NAME)

        body = text(signed_in(client, p.sender_staff).get(self.refer_url(p, person, p.service)))

        default = (timezone.localdate() + timedelta(days=45)).isoformat()
        assert "Saying no never affects the help they get." in body
        assert f'name="expires_on" value="{default}"' in body
        assert 'id="id_categories_identity" type="checkbox" checked disabled' in body
        assert "so they need not retell their story" in body

    def test_a_referral_is_made_with_exactly_what_they_chose(self, client, p):
        person = make_person(p.sender, by=p.sender_staff, **PERSON)
        expires = timezone.localdate() + timedelta(days=20)

        response = signed_in(client, p.sender_staff).post(
            self.refer_url(p, person, p.service),
            {
                "service": str(p.service.id),
                "categories": ["needs"],
                "summary": SUMMARY,
                "expires_on": expires.isoformat(),
                "attestation": "Agreed together at the drop-in",
            },
        )

        referral = Referral.objects.get()
        assert response.status_code == 302
        assert response["Location"] == detail_url(referral, p.sender)
        assert referral.status == Status.REQUESTED
        assert referral.payload_categories == ["identity", "needs"]
        assert referral.consent.categories == ["identity", "needs"]
        assert timezone.localtime(referral.consent.expires_at).date() == expires
        assert referral.do_not_contact is True
        payload = services.referral_open_payload(
            user=p.receiver_staff, organization=p.receiver, referral=referral
        )
        assert payload["summary"] == SUMMARY
        assert "contact" not in payload

    def test_errors_name_the_field_and_nothing_is_saved(self, client, p):
        person = make_person(p.sender, by=p.sender_staff, name=NAME)
        yesterday = timezone.localdate() - timedelta(days=1)

        response = signed_in(client, p.sender_staff).post(
            self.refer_url(p, person, p.service),
            {
                "service": str(p.service.id),
                "expires_on": yesterday.isoformat(),
                "attestation": "In person",
            },
        )

        body = text(response)
        assert response.status_code == 200
        assert '<a href="#id_expires_on">The end date must be in the future.</a>' in body
        assert Referral.objects.count() == 0 and Consent.objects.count() == 0

        response = client.post(
            self.refer_url(p, person, p.service),
            {"service": str(p.service.id), "expires_on": "not a date"},
        )
        body = text(response)
        assert "Enter the day the consent ends as a real date, like 2026-07-31." in body
        assert '<a href="#id_attestation">Say how the person agreed' in body
        assert Referral.objects.count() == 0 and Consent.objects.count() == 0

    def test_a_summary_too_long_is_refused_by_the_service_on_its_field(self, client, p):
        person = make_person(p.sender, by=p.sender_staff, name=NAME)

        body = text(
            signed_in(client, p.sender_staff).post(
                self.refer_url(p, person, p.service),
                {
                    "service": str(p.service.id),
                    "summary": "x" * 2001,
                    "expires_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
                    "attestation": "In person",
                },
            )
        )

        assert '<a href="#id_summary">Keep the summary to 2000 characters or fewer.</a>' in body
        assert Referral.objects.count() == 0 and Consent.objects.count() == 0

    def test_a_service_that_cannot_take_referrals_says_why(self, client, p):
        p.service.organization.member = None
        p.service.organization.save()
        person = make_person(p.sender, by=p.sender_staff, name=NAME)

        body = text(signed_in(client, p.sender_staff).get(self.refer_url(p, person, p.service)))

        assert "This service does not take referrals through Hearth yet." in body
        assert 'name="attestation"' not in body

    def test_from_a_service_page_staff_find_the_person_then_refer(self, client, p):
        make_person(p.sender, by=p.sender_staff, name=NAME)
        person = Person.objects.get()
        signed_in(client, p.sender_staff)

        service_page = text(client.get(f"/find/services/{p.service.id}/"))
        response = client.get(f"/referrals/new/?service={p.service.id}")
        found = text(client.get(response["Location"] + f"&q={NAME}"))

        assert f'href="/referrals/new/?service={p.service.id}"' in service_page
        assert response["Location"] == (
            f"/organizations/{p.sender.slug}/referrals/new/?service={p.service.id}"
        )
        assert f'href="{self.refer_url(p, person, p.service)}">Refer {NAME}</a>' in found


# --- one referral -------------------------------------------------------------------------------


class TestDetail:
    def test_the_receiver_reads_what_travelled_and_is_warned_not_to_contact(
        self, client, p, referral
    ):
        response = signed_in(client, p.receiver_staff).get(detail_url(referral))

        body = text(response)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert "Do not contact the person" in body
        assert NAME in body and SUMMARY in body and "Somewhere safe to sleep" in body
        assert "Determined" not in body  # strengths did not travel
        assert radio_values(response) == ["accepted", "rejected", "cancelled"]
        assert 'name="reason"' in body
        assert f'name="expected_version" value="{referral.version}"' in body
        assert "Sent, waiting for an answer" in body
        assert f'action="/referrals/{referral.pk}/fhir.json"' in body
        assert f'name="org" value="{p.receiver.slug}"' in body

    def test_the_sender_sees_the_status_but_not_the_payload(self, client, p, referral):
        response = signed_in(client, p.sender_staff).get(detail_url(referral))

        body = text(response)
        assert response.status_code == 200
        assert NAME not in body and SUMMARY not in body
        assert f"Only {p.receiver.name} can open what travelled." in body
        assert radio_values(response) == ["cancelled", "entered-in-error"]
        assert f'href="/organizations/{p.sender.slug}/people/{referral.person_id}/"' in body
        assert "Contact details and safe-contact preferences" in body  # what travelled

    def test_accepting_moves_the_referral_and_keeps_the_history(self, client, p, referral):
        signed_in(client, p.receiver_staff)

        response = client.post(
            detail_url(referral, p.receiver),
            {"action": "status", "to_status": "accepted", "expected_version": referral.version},
        )
        page = client.get(response["Location"])

        referral.refresh_from_db()
        assert response.status_code == 302
        assert referral.status == Status.ACCEPTED
        body = text(page)
        assert "From “Sent, waiting for an answer” to “Accepted”" in body
        assert radio_values(page) == ["cancelled", "in-progress", "on-hold", "completed", "failed"]
        assert Notification.objects.filter(user=p.sender_staff, kind="referral.accepted").exists()

    def test_declining_without_a_reason_names_the_reason_field(self, client, p, referral):
        response = signed_in(client, p.receiver_staff).post(
            detail_url(referral, p.receiver),
            {"action": "status", "to_status": "rejected", "expected_version": referral.version},
        )

        body = text(response)
        assert '<a href="#id_reason">Choose a reason for “Declined”.</a>' in body
        assert Referral.objects.get(pk=referral.pk).status == Status.REQUESTED

    def test_an_illegal_transition_is_refused_naming_what_is_allowed(self, client, p, referral):
        version = referral.version

        response = signed_in(client, p.receiver_staff).post(
            detail_url(referral, p.receiver),
            {"action": "status", "to_status": "completed", "expected_version": version},
        )

        body = text(response)
        assert response.status_code == 200
        assert (
            "A referral that is “Sent, waiting for an answer” cannot become “completed”. From "
            "here you can set: “Accepted”, “Declined”, “Cancelled”."
        ) in body
        assert Referral.objects.get(pk=referral.pk).version == version

    def test_the_sender_cannot_accept_its_own_referral(self, client, p, referral):
        response = signed_in(client, p.sender_staff).post(
            detail_url(referral, p.sender),
            {"action": "status", "to_status": "accepted", "expected_version": referral.version},
        )

        assert "Only the receiving organization can set “Accepted”." in text(response)
        assert "From here you can set: “Cancelled”, “Entered in error”." in text(response)
        assert Referral.objects.get(pk=referral.pk).status == Status.REQUESTED

    def test_a_stale_form_shows_the_conflict_and_changes_nothing(self, client, p, referral):
        stale = referral.version
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=referral.pk,
            to_status=Status.ACCEPTED,
        )

        response = signed_in(client, p.sender_staff).post(
            detail_url(referral, p.sender),
            {
                "action": "status",
                "to_status": "cancelled",
                "reason": "person-declined",
                "expected_version": stale,
            },
        )

        body = text(response)
        referral.refresh_from_db()
        assert (
            "Someone changed this referral while you were looking at it: it is now “Accepted”. "
            "Nothing was changed; check it and try again."
        ) in body
        assert referral.status == Status.ACCEPTED
        assert f'name="expected_version" value="{referral.version}"' in body

    def test_both_sides_talk_in_the_conversation(self, client, p, referral):
        signed_in(client, p.sender_staff)
        response = client.post(
            detail_url(referral, p.sender), {"action": "message", "body": "They prefer mornings."}
        )
        empty = client.post(detail_url(referral, p.sender), {"action": "message", "body": " "})

        assert response.status_code == 302
        assert '<a href="#id_body">Write a message before sending it.</a>' in text(empty)
        assert ReferralMessage.objects.count() == 1
        client.logout()
        body = text(signed_in(client, p.receiver_staff).get(detail_url(referral)))
        assert "They prefer mornings." in body
        assert Notification.objects.filter(user=p.receiver_staff, kind="referral.message").exists()

    def test_when_the_consent_ends_the_receiver_sees_no_details_or_conversation(
        self, client, p, referral
    ):
        services.message_send(
            actor=p.sender_staff,
            organization=p.sender,
            referral_id=referral.pk,
            body="They prefer mornings.",
        )
        people_services.consent_revoke(consent=referral.consent, by_person=True)

        response = signed_in(client, p.receiver_staff).get(detail_url(referral))

        body = text(response)
        assert response.status_code == 200
        assert (
            "The consent for this referral has ended; its details and conversation are closed."
            in body
        )
        assert NAME not in body and SUMMARY not in body and "mornings" not in body
        assert 'name="body"' not in body
        assert "Status history" in body and "Sent, waiting for an answer" in body

    def test_opening_the_referral_marks_its_notifications_read(self, client, p, referral):
        notification = Notification.objects.get(user=p.receiver_staff, kind="referral.requested")

        signed_in(client, p.receiver_staff).get(detail_url(referral))

        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_the_fhir_bundle_downloads_and_is_audited(self, client, p, referral):
        response = signed_in(client, p.sender_staff).get(
            f"/referrals/{referral.pk}/fhir.json?org={p.sender.slug}"
        )

        bundle = json.loads(response.content)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json"
        assert response["Content-Disposition"] == (
            f'attachment; filename="referral-{referral.pk}.json"'
        )
        assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
            "Task",
            "ServiceRequest",
            "Consent",
        ]
        assert NAME not in response.content.decode()
        record = AuditRecord.objects.get(action="hearth.referrals.referral.exported")
        assert record.actor_id == p.sender_staff.pk
        assert record.target_id == str(referral.pk)


# --- the network's figures ----------------------------------------------------------------------


def test_the_network_figures_hide_small_counts(client, settings, p):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 3
    network = NetworkFactory()
    NetworkMembershipFactory(network=network, organization=p.receiver)
    coordinator = CoordinatorFactory(network=network).user
    for _ in range(4):
        done = refer(p)
        for status in ("accepted", "in-progress", "completed"):
            services.referral_transition(
                actor=p.receiver_staff,
                organization=p.receiver,
                referral_id=done.pk,
                to_status=status,
            )
    declined = refer(p)
    services.referral_transition(
        actor=p.receiver_staff,
        organization=p.receiver,
        referral_id=declined.pk,
        to_status="rejected",
        reason="no-capacity",
    )
    refer(p)

    response = signed_in(client, coordinator).get(f"/networks/{network.slug}/referrals/?days=30")

    body = text(response)
    assert response.status_code == 200
    assert "Counts of fewer than 3 referrals are hidden" in body
    assert "another count in the same row or column is hidden too" in body
    declined_row = re.search(r"<th[^>]*>Declined</th>(.*?)</tr>", body, re.S).group(1)
    waiting_row = re.search(
        r"<th[^>]*>Sent, waiting for an answer</th>(.*?)</tr>", body, re.S
    ).group(1)
    completed_row = re.search(r"<th[^>]*>Completed</th>(.*?)</tr>", body, re.S).group(1)
    assert "data-hearth-suppressed>hidden<" in declined_row
    assert "data-hearth-suppressed>hidden<" in waiting_row
    assert ">4<" in completed_row
    assert "<caption" in body and "Referrals by status" in body
    assert '<option value="30" selected>' in body


# --- the notification centre --------------------------------------------------------------------


def test_the_notification_centre_lists_marks_read_and_counts_in_the_header(client, p, referral):
    signed_in(client, p.receiver_staff)

    page = text(client.get("/notifications/"))
    header = text(client.get("/my/"))
    response = client.post("/notifications/")

    assert "A referral was sent to your organization" in page
    assert f'href="/referrals/{referral.pk}/"' in page
    assert "Notifications (1" in header
    assert response.status_code == 302
    assert not Notification.objects.filter(user=p.receiver_staff, read_at__isnull=True).exists()
    assert "Notifications (" not in text(client.get("/my/"))


# --- asking a service to contact me -------------------------------------------------------------


class TestSelfReferral:
    def url(self, p):
        return f"/find/services/{p.service.id}/contact-me/"

    def test_the_service_page_offers_it_and_the_form_explains_what_happens(self, client, p):
        service_page = text(client.get(f"/find/services/{p.service.id}/"))
        response = client.get(self.url(p))

        body = text(response)
        assert f'href="{self.url(p)}"' in service_page
        assert "Refer someone to this service" not in service_page
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert "They will contact you only in the ways you mark as safe" in body
        assert "data-hearth-quick-exit-button" in body

    def test_errors_name_each_field_and_nothing_is_saved(self, client, p):
        response = client.post(
            self.url(p), {"chosen_name": "", "safe_channels": ["text"], "phone": "12"}
        )

        body = text(response)
        assert '<a href="#id_chosen_name">Enter a name they can call you.' in body
        assert '<a href="#id_phone">“12” is not a phone number: use 7 to 15 digits.</a>' in body
        assert Referral.objects.count() == 0 and Person.objects.count() == 0

        body = text(client.post(self.url(p), {"chosen_name": "Wren", "safe_channels": ["email"]}))
        assert '<a href="#id_email">Enter the e-mail address they may write to.</a>' in body
        body = text(client.post(self.url(p), {"chosen_name": "Wren"}))
        assert '<a href="#id_safe_channels_0">Tick at least one safe way' in body
        assert Referral.objects.count() == 0 and Person.objects.count() == 0

    def test_success_creates_the_referral_and_echoes_nothing(self, client, p):
        response = client.post(
            self.url(p),
            {
                "chosen_name": "Wren Hollow",
                "safe_channels": ["text"],
                "phone": "555 010 9988",
                "voicemail_ok": "no",
                "safe_days": ["mon", "tue"],
                "safe_from": "09:00",
                "safe_until": "12:00",
                "time_zone": "America/Los_Angeles",
                "message_detail": "vague",
                "message": "Mornings only please",
            },
        )
        sent = client.get(response["Location"])

        referral = Referral.objects.get()
        assert response.status_code == 302
        assert response["Location"] == "/find/contact-me/sent/"
        assert referral.is_self_referral and referral.status == Status.REQUESTED
        assert referral.receiving_organization == p.receiver
        payload = services.referral_open_payload(
            user=p.receiver_staff, organization=p.receiver, referral=referral
        )
        assert payload["identity"]["chosen_name"] == "Wren Hollow"
        assert payload["contact"]["safe_days"] == ["mon", "tue"]
        assert payload["summary"] == "Mornings only please"
        body = text(sent)
        assert sent["Cache-Control"] == "no-store"
        assert "Wren" not in body and p.service.name not in body and p.receiver.name not in body

    def test_a_service_not_run_by_a_member_has_no_form(self, client, p):
        p.service.organization.member = None
        p.service.organization.save()

        assert client.get(self.url(p)).status_code == 404
        assert "contact-me" not in text(client.get(f"/find/services/{p.service.id}/"))


# --- the person's own pages ---------------------------------------------------------------------

PASSPHRASE = "quiet harbour lamp 42"


def portal_account(person, by):
    token = people_services.portal_invitation_create(
        actor=by, organization=person.holder, person_id=person.id
    )
    return people_services.portal_account_create(
        token=token, sign_in_name="wren-hollow", passphrase=PASSPHRASE
    )


def portal_client(client, account):
    response = client.post(
        "/me/sign-in/", {"sign_in_name": account.sign_in_name, "passphrase": PASSPHRASE}
    )
    assert response.status_code == 302, text(response)[:2000]
    return client


class TestPortal:
    def test_the_person_follows_their_referral_and_writes(self, client, p):
        person = make_person(p.sender, by=p.sender_staff, name=NAME)
        referral = refer(p, person=person)
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=referral.pk,
            to_status=Status.REJECTED,
            reason="no-capacity",
        )
        portal_client(client, portal_account(person, p.sender_staff))

        listing = client.get("/me/referrals/")
        page = client.get(f"/me/referrals/{referral.pk}/")
        sent = client.post(f"/me/referrals/{referral.pk}/", {"body": "Is there a waiting list?"})

        assert listing.status_code == 200 and listing["Cache-Control"] == "no-store"
        assert p.service.name in text(listing) and p.receiver.name in text(listing)
        body = text(page)
        assert "<title>A referral \N{EN DASH} Hearth</title>" in body
        assert f"{p.sender.name} sent the referral to {p.receiver.name}." in body
        assert f"{p.receiver.name} could not take it. Reason: No capacity." in body
        assert sent.status_code == 302
        assert ReferralMessage.objects.get().side == "person"
        conversation = services.referral_messages(
            user=p.receiver_staff, organization=p.receiver, referral=referral
        )
        assert [m["body"] for m in conversation] == ["Is there a waiting list?"]

    def test_an_empty_message_names_the_field(self, client, p):
        person = make_person(p.sender, by=p.sender_staff, name=NAME)
        referral = refer(p, person=person)
        portal_client(client, portal_account(person, p.sender_staff))

        body = text(client.post(f"/me/referrals/{referral.pk}/", {"body": ""}))

        assert '<a href="#id_body">Write a message before sending it.</a>' in body
        assert ReferralMessage.objects.count() == 0

    def test_signed_out_the_pages_ask_to_sign_in(self, client, p, referral):
        response = client.get(f"/me/referrals/{referral.pk}/")

        assert response.status_code == 302
        assert response["Location"].startswith("/me/sign-in/?next=")


def test_the_header_shows_no_count_to_visitors(client):
    assert "Notifications" not in text(client.get("/"))


def test_staff_roles_other_than_viewer_see_refer_someone(client, p):
    viewer = staff(p.sender, Role.VIEWER)

    body = text(signed_in(client, viewer).get(f"/find/services/{p.service.id}/"))

    assert "Refer someone to this service" not in body
