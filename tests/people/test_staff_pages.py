"""The staff pages about people: each page for the role it is for, bad input that names the
field and saves nothing, no N+1 on the list, consent from recording to FHIR to withdrawal, break
the glass, retention."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.consent import Consent as FhirConsent

from hearth.core.models import AuditRecord
from hearth.directory.taxonomy import load_taxonomy
from hearth.people import access, services
from hearth.people.models import (
    Consent,
    EmergencyAccess,
    Person,
    PersonNote,
    PortalInvitation,
    Purpose,
    RetentionPolicy,
)
from tests.conftest import sign_in
from tests.factories import NetworkMembershipFactory, OrganizationFactory
from tests.people.factories import grant, make_person

pytestmark = pytest.mark.django_db


def read(person):
    """The person's whole record, decrypted, as the holding organization's admin reads it."""
    holder_admin = person.holder.memberships.filter(role="admin").first().user
    record = access.access_person(
        user=holder_admin,
        organization=person.holder,
        person_id=person.id,
        purpose=Purpose.CARE,
    )
    return {
        "identity": record.identity,
        "contact": record.contact,
        "needs": record.needs,
        "strengths": record.strengths,
        "notes": [note["body"] for note in record.notes()],
    }


def error_summary(response) -> list[tuple[str, str]]:
    """The (anchor, message) pairs of the page's error summary."""
    body = response.content.decode()
    summary = body.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)


@pytest.fixture
def admin(organization, make_member):
    return make_member(organization, "admin")


@pytest.fixture
def practitioner(organization, make_member):
    return make_member(organization, "practitioner")


@pytest.fixture
def person(organization, admin):
    return make_person(organization, by=admin, name="Robin Ash")


@pytest.fixture
def partner(network):
    """Another organization in the same network: a possible recipient of a consent."""
    return NetworkMembershipFactory(network=network).organization


def people_url(organization, suffix=""):
    return f"/organizations/{organization.slug}/people/{suffix}"


def person_url(person, suffix=""):
    return f"/organizations/{person.holder.slug}/people/{person.id}/{suffix}"


# --- the list and lookups ------------------------------------------------------------------------


class TestList:
    def test_staff_see_the_people_their_organization_holds_newest_activity_first(
        self, client, organization, practitioner, admin
    ):
        older = make_person(organization, by=admin, name="Older Oak")
        newer = make_person(organization, by=admin, name="Newer Nettle")
        Person.objects.filter(pk=older.pk).update(
            last_activity_at=timezone.now() - timedelta(days=3)
        )
        elsewhere = make_person(OrganizationFactory(), name="Elsewhere Elm")
        sign_in(client, practitioner)

        response = client.get(people_url(organization))

        body = response.content.decode()
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert body.index("Newer Nettle") < body.index("Older Oak")
        assert "Elsewhere Elm" not in body
        assert "2 people" in body
        assert f'href="{person_url(newer)}"' in body
        assert f'href="{people_url(organization, "new/")}"' in body
        listed = AuditRecord.objects.filter(action="hearth.people.person.listed")
        assert sorted(listed.values_list("target_id", flat=True)) == sorted(
            [str(older.id), str(newer.id)]
        )
        assert str(elsewhere.id) not in listed.values_list("target_id", flat=True)

    def test_an_empty_organization_says_so_and_offers_to_start_a_record(
        self, client, organization, practitioner
    ):
        sign_in(client, practitioner)

        response = client.get(people_url(organization))

        body = response.content.decode()
        assert "Your organization does not hold anyone's record yet." in body
        assert "Start a record" in body

    def test_the_list_pages_by_fifty(self, client, organization, practitioner, admin):
        for number in range(51):
            make_person(organization, by=admin, name=f"Person {number:02d}")
        sign_in(client, practitioner)

        first = client.get(people_url(organization)).content.decode()
        second = client.get(people_url(organization, "?page=2")).content.decode()
        beyond = client.get(people_url(organization, "?page=9")).content.decode()

        assert len(re.findall(r"Person \d\d</a>", first)) == 50
        assert len(re.findall(r"Person \d\d</a>", second)) == 1
        assert len(re.findall(r"Person \d\d</a>", beyond)) == 1
        assert "51 people" in first

    @pytest.mark.parametrize("count", [5, 30])
    def test_the_list_makes_the_same_few_queries_however_many_people_there_are(
        self, client, organization, practitioner, admin, count, django_assert_max_num_queries
    ):
        for number in range(count):
            make_person(organization, by=admin, name=f"Person {number}")
        sign_in(client, practitioner)

        with django_assert_max_num_queries(19):
            response = client.get(people_url(organization))

        assert len(re.findall(r"Person \d+</a>", response.content.decode())) == count

    def test_an_exact_lookup_finds_by_name_phone_or_email_only_in_this_organization(
        self, client, organization, practitioner, admin
    ):
        robin = make_person(
            organization,
            by=admin,
            name="Robin Ash",
            contact={"phones": ["+1 555 010 0199"], "emails": ["robin@example.org"]},
        )
        make_person(organization, by=admin, name="Robin Ashford")
        make_person(OrganizationFactory(), name="Robin Ash")
        sign_in(client, practitioner)

        by_name = client.get(people_url(organization), {"q": "robin ash"}).content.decode()
        by_phone = client.get(people_url(organization), {"q": "+15550100199"}).content.decode()
        by_email = client.get(people_url(organization), {"q": "ROBIN@example.org"}).content.decode()
        partial = client.get(people_url(organization), {"q": "Robin"}).content.decode()

        for body in (by_name, by_phone, by_email):
            assert "1 exact match" in body
            assert body.count(f'href="{person_url(robin)}"') == 1
            assert "Robin Ashford" not in body
        assert "0 exact matches" in partial
        assert "Robin Ash<" not in partial
        assert "exact match, and only among the people your organization supports" in partial

    def test_an_empty_lookup_names_the_field(self, client, organization, practitioner):
        sign_in(client, practitioner)

        response = client.get(people_url(organization), {"q": ""})

        assert error_summary(response) == [("id_q", "Type a name, phone number or e-mail address.")]


# --- starting and changing a record --------------------------------------------------------


class TestStartAndChange:
    def test_a_record_is_started_with_a_chosen_name_and_what_they_want_help_with(
        self, client, organization, practitioner
    ):
        sign_in(client, practitioner)
        form = client.get(people_url(organization, "new/")).content.decode()
        assert "An alias is fine." in form
        assert "What are they looking for help with?" in form
        assert "diagnos" not in form.lower()

        response = client.post(
            people_url(organization, "new/"),
            {
                "chosen_name": "Sky",
                "pronouns": "they/them",
                "languages": ["es"],
                "other_languages": "pt, tl",
                "age": "34",
                "in_their_words": "Somewhere safe to sleep",
                "goals": "Back to college",
            },
        )

        person = Person.objects.get()
        assert response.status_code == 302
        assert response["Location"] == person_url(person)
        assert person.holder == organization
        record = access.access_person(
            user=practitioner,
            organization=organization,
            person_id=person.id,
            purpose=Purpose.CARE,
        )
        assert record.identity == {
            "chosen_name": "Sky",
            "pronouns": "they/them",
            "languages": ["es", "pt", "tl"],
            "age": 34,
            "birth_date": "",
        }
        assert record.needs == {"terms": [], "in_their_words": "Somewhere safe to sleep"}
        assert record.strengths == {"strengths": "", "goals": "Back to college", "what_helps": ""}

    def test_a_record_without_a_name_names_every_bad_field_and_is_not_started(
        self, client, organization, practitioner
    ):
        sign_in(client, practitioner)
        audit_before = AuditRecord.objects.count()

        response = client.post(
            people_url(organization, "new/"),
            {"chosen_name": " ", "age": "two hundred", "other_languages": "portuguese"},
        )

        assert response.status_code == 200
        assert "<title>Error: Start a record" in response.content.decode()
        assert error_summary(response) == [
            ("id_chosen_name", "Enter the name the person wants to be called."),
            ("id_other_languages", "Use two- or three-letter language codes."),
            ("id_age", "Enter an age in years, from 0 to 120."),
        ]
        assert Person.objects.count() == 0
        assert AuditRecord.objects.count() == audit_before

    def test_identity_is_changed_and_the_change_is_audited_without_values(
        self, client, person, admin
    ):
        sign_in(client, admin)
        form = client.get(person_url(person, "change/identity/")).content.decode()
        assert 'value="Robin Ash"' in form

        response = client.post(
            person_url(person, "change/identity/"),
            {"chosen_name": "Robin", "pronouns": "she/her", "birth_date": "1990-04-27"},
        )

        assert response.status_code == 302
        assert response["Location"] == person_url(person) + "#identity"
        assert read(person)["identity"] == {
            "chosen_name": "Robin",
            "pronouns": "she/her",
            "languages": [],
            "age": None,
            "birth_date": "1990-04-27",
        }
        updated = AuditRecord.objects.get(action="hearth.people.person.updated")
        assert updated.detail == {
            "category": "identity",
            "fields": ["birth_date", "chosen_name", "pronouns"],
        }

    def test_safe_contact_is_recorded_from_the_form(self, client, person, admin):
        sign_in(client, admin)
        form = client.get(person_url(person, "change/contact/")).content.decode()
        # A new record has nothing marked safe, and messages are vague.
        assert re.search(r'value="none" checked', form)
        assert re.search(r'value="vague" checked', form)
        assert re.search(r'value="no" checked', form)

        response = client.post(
            person_url(person, "change/contact/"),
            {
                "phone_1": "+1 555 010 0100",
                "phone_2": "",
                "email_1": "sky@example.org",
                "safe_channels": ["text", "email"],
                "voicemail_ok": "no",
                "safe_days": ["mon", "wed"],
                "safe_from": "09:00",
                "safe_until": "17:30",
                "time_zone": "America/Chicago",
                "message_detail": "vague",
            },
        )

        assert response.status_code == 302
        assert read(person)["contact"] == {
            "phones": ["+1 555 010 0100"],
            "emails": ["sky@example.org"],
            "safe_channels": ["email", "text"],
            "voicemail_ok": False,
            "safe_days": ["mon", "wed"],
            "safe_from": "09:00",
            "safe_until": "17:30",
            "time_zone": "America/Chicago",
            "message_detail": "vague",
            "do_not_contact": False,
        }
        page = client.get(person_url(person)).content.decode()
        assert "09:00 to 17:30" in page
        assert "US Central (Chicago)" in page

    def test_bad_contact_details_name_each_field_and_change_nothing(self, client, person, admin):
        sign_in(client, admin)
        before = read(person)
        stored_before = bytes(Person.objects.get(pk=person.pk).sealed_contact)

        response = client.post(
            person_url(person, "change/contact/"),
            {
                "phone_1": "+1 555 010 0100",
                "phone_2": "call me maybe",
                "email_1": "not-an-address",
                "safe_channels": ["call"],
                "voicemail_ok": "no",
                "safe_from": "25:00",
                "safe_until": "",
                "message_detail": "vague",
            },
        )

        assert response.status_code == 200
        assert error_summary(response) == [
            ("id_phone_2", "“call me maybe” is not a phone number: use 7 to 15 digits."),
            ("id_email_1", "“not-an-address” is not an e-mail address."),
            ("id_safe_from", "Enter a time like 09:30."),
            ("id_safe_until", "Give both the start and the end of the safe hours, or neither."),
        ]
        assert read(person) == before
        assert bytes(Person.objects.get(pk=person.pk).sealed_contact) == stored_before
        assert not AuditRecord.objects.filter(action="hearth.people.person.updated").exists()

    def test_none_is_safe_cannot_be_ticked_with_a_way_to_contact_them(self, client, person, admin):
        sign_in(client, admin)
        before = read(person)

        both = client.post(
            person_url(person, "change/contact/"),
            {
                "phone_1": "xx",
                "safe_channels": ["none", "text"],
                "voicemail_ok": "no",
                "message_detail": "vague",
            },
        )
        neither = client.post(
            person_url(person, "change/contact/"),
            {"voicemail_ok": "no", "message_detail": "vague", "time_zone": "Mars/Olympus"},
        )

        assert error_summary(both) == [
            ("id_phone_1", "“xx” is not a phone number: use 7 to 15 digits."),
            (
                "id_safe_channels_0",
                "You ticked “None of these is safe” and a way to contact them: choose one.",
            ),
        ]
        assert error_summary(neither) == [
            ("id_safe_channels_0", "Tick the ways that are safe, or tick “None of these is safe”."),
            ("id_time_zone", "Choose a time zone from the list."),
        ]
        assert read(person) == before

    def test_needs_are_ticked_from_open_eligibility_grouped_by_top_level_term(
        self, client, person, admin
    ):
        load_taxonomy()
        sign_in(client, admin)
        form = client.get(person_url(person, "change/needs/")).content.decode()
        assert '<span class="govuk-details__summary-text">Housing</span>' in form
        assert '<span class="govuk-details__summary-text">Emergency</span>' in form
        assert 'value="1124"' in form

        response = client.post(
            person_url(person, "change/needs/"),
            {"terms": ["1124", "1125"], "in_their_words": "Out of the house by Friday"},
        )

        assert response.status_code == 302
        assert read(person)["needs"] == {
            "terms": ["1124", "1125"],
            "in_their_words": "Out of the house by Friday",
        }
        page = client.get(person_url(person)).content.decode()
        assert "Help Escape Violence" in page
        assert "Safe Housing" in page
        again = client.get(person_url(person, "change/needs/")).content.decode()
        assert re.search(r'value="1124" checked', again)

    def test_an_unknown_need_names_the_field_and_saves_nothing(self, client, person, admin):
        load_taxonomy()
        sign_in(client, admin)
        before = read(person)

        response = client.post(person_url(person, "change/needs/"), {"terms": ["no-such-need"]})

        assert error_summary(response) == [
            (
                "id_terms_0",
                "Select a valid choice. no-such-need is not one of the available choices.",
            )
        ]
        assert read(person) == before

    def test_strengths_goals_and_what_helps_are_changed(self, client, person, admin):
        sign_in(client, admin)

        response = client.post(
            person_url(person, "change/strengths/"),
            {"strengths": "Funny, stubborn", "goals": "A flat of her own", "what_helps": "Walks"},
        )

        assert response.status_code == 302
        assert read(person)["strengths"] == {
            "strengths": "Funny, stubborn",
            "goals": "A flat of her own",
            "what_helps": "Walks",
        }

    def test_a_too_long_strength_names_the_field_and_saves_nothing(self, client, person, admin):
        sign_in(client, admin)
        before = read(person)

        response = client.post(person_url(person, "change/strengths/"), {"goals": "x" * 2001})

        assert error_summary(response) == [
            ("id_goals", "Keep this to 2000 characters or fewer (it has 2001).")
        ]
        assert read(person) == before

    def test_an_unknown_category_is_not_found(self, client, person, admin):
        sign_in(client, admin)

        assert client.get(person_url(person, "change/diagnosis/")).status_code == 404


# --- the person page -----------------------------------------------------------------------------


class TestPersonPage:
    def test_the_holder_sees_every_category_notes_consents_and_the_access_history(
        self, client, person, admin, partner
    ):
        services.note_add(
            actor=admin, organization=person.holder, person_id=person.id, body="Likes mornings"
        )
        consent = grant(person, partner, by=admin)
        sign_in(client, admin)

        response = client.get(person_url(person))

        body = response.content.decode()
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        for section in ("identity", "contact", "needs", "strengths"):
            assert f'href="{person_url(person, f"change/{section}/")}"' in body
        assert "Likes mornings" in body
        assert partner.name in body
        assert "Consent is never a condition of service." in body
        assert f'href="{person_url(person, f"consents/{consent.id}/withdraw/")}"' in body
        assert f'href="{person_url(person, f"consents/{consent.id}/fhir.json")}"' in body
        assert "Invite them to their own pages" in body
        assert f'href="{person_url(person, "erase/")}"' in body
        assert "Consent recorded by staff" in body
        assert "Record started" in body
        read_row = AuditRecord.objects.filter(
            action="hearth.people.person.read", target_id=str(person.id), actor_id=admin.pk
        ).last()
        assert read_row.purpose == Purpose.CARE
        assert read_row.detail["basis"] == "holder:admin"

    def test_a_peer_supporter_sees_no_notes_and_cannot_erase(
        self, client, person, admin, organization, make_member
    ):
        services.note_add(
            actor=admin, organization=organization, person_id=person.id, body="Private note"
        )
        peer = make_member(organization, "peer_supporter")
        sign_in(client, peer)

        body = client.get(person_url(person)).content.decode()

        assert "Robin Ash" in body
        assert "Private note" not in body
        assert 'id="notes"' not in body
        assert person_url(person, "erase/") not in body

    def test_a_note_is_added_and_an_empty_note_names_the_field(self, client, person, admin):
        sign_in(client, admin)

        empty = client.post(person_url(person, "notes/"), {"body": "   "})
        added = client.post(person_url(person, "notes/"), {"body": "Called back, all well"})

        assert empty.status_code == 200
        assert error_summary(empty) == [("id_body", "Write the note before saving it.")]
        assert added.status_code == 302
        assert added["Location"] == person_url(person) + "#notes"
        assert read(person)["notes"] == ["Called back, all well"]

    def test_an_emergency_access_is_highlighted_in_the_history(
        self, client, person, admin, organization, make_member
    ):
        colleague = make_member(organization, "practitioner")
        services.emergency_access_start(
            user=colleague,
            organization=organization,
            person_id=person.id,
            reason="Crisis call tonight, need safe-contact times",
        )
        sign_in(client, admin)

        body = client.get(person_url(person)).content.decode()

        assert '<strong class="govuk-tag govuk-tag--red">Emergency</strong>' in body
        assert "Emergency access opened" in body

    def test_an_invitation_link_is_shown_once(self, client, person, admin):
        sign_in(client, admin)

        response = client.post(person_url(person, "invite/"))

        body = response.content.decode()
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        token = re.search(r"http://testserver/me/join/([A-Za-z0-9_-]+)/", body).group(1)
        invitation = PortalInvitation.objects.get(person=person)
        assert services.portal_invitation_open(token) == invitation
        assert token not in client.get(person_url(person)).content.decode()

    def test_an_admin_erases_a_record_after_confirming(self, client, person, admin):
        sign_in(client, admin)

        confirm = client.get(person_url(person, "erase/"))
        unconfirmed = client.post(person_url(person, "erase/"), {})
        erased = client.post(person_url(person, "erase/"), {"reason": "request"})

        assert "This cannot be undone." in confirm.content.decode()
        assert error_summary(unconfirmed) == [
            ("id_reason_0", "Choose why the record is being erased.")
        ]
        assert erased.status_code == 302
        assert erased["Location"] == people_url(person.holder)
        person.refresh_from_db()
        assert person.erased_at is not None
        assert AuditRecord.objects.get(action="hearth.people.person.erased").detail == {
            "reason": "request"
        }
        assert client.get(person_url(person)).status_code == 404


# --- consent --------------------------------------------------------------------------------------


class TestConsent:
    def test_the_form_offers_organizations_of_the_networks_and_prefills_the_expiry(
        self, client, person, admin, partner, network, settings
    ):
        network.consent_days = 30
        network.save()
        OrganizationFactory(name="Stranger Org")
        sign_in(client, admin)

        body = client.get(person_url(person, "consents/new/")).content.decode()

        expected = (timezone.localdate() + timedelta(days=30)).isoformat()
        assert f'value="{expected}"' in body
        assert f'<option value="{partner.pk}">{partner.name}</option>' in body
        assert "Stranger Org" not in body
        assert f'<option value="{person.holder.pk}"' not in body
        assert "Consent is never a condition of service." in body

    def test_a_consent_is_recorded_with_its_terms(self, client, person, admin, partner):
        sign_in(client, admin)
        until = timezone.localdate() + timedelta(days=60)

        response = client.post(
            person_url(person, "consents/new/"),
            {
                "recipient_type": "organization",
                "recipient_organization": partner.pk,
                "categories": ["identity", "needs"],
                "purpose": "referral",
                "expires_at": until.isoformat(),
                "attestation": "Agreed in person at the drop-in",
            },
        )

        assert response.status_code == 302
        consent = Consent.objects.get()
        assert (
            consent.recipient_organization,
            consent.categories,
            consent.purpose,
            timezone.localtime(consent.expires_at).date(),
            consent.given_by,
            consent.recorded_by,
            consent.attestation,
        ) == (
            partner,
            ["identity", "needs"],
            "referral",
            until,
            "staff",
            admin,
            "Agreed in person at the drop-in",
        )

    def test_a_consent_to_a_class_of_organizations_is_recorded(
        self, client, person, admin, network
    ):
        sign_in(client, admin)

        client.post(
            person_url(person, "consents/new/"),
            {
                "recipient_type": "class",
                "recipient_kind": "victim_service",
                "recipient_network": network.pk,
                "categories": ["contact"],
                "purpose": "care_coordination",
                "expires_at": (timezone.localdate() + timedelta(days=10)).isoformat(),
                "attestation": "Said yes on the phone",
            },
        )

        consent = Consent.objects.get()
        assert (
            consent.recipient_organization,
            consent.recipient_kind,
            consent.recipient_network,
        ) == (None, "victim_service", network)
        body = client.get(person_url(person)).content.decode()
        assert f"Every Victim-service provider in {network.name}" in body

    def test_a_consent_without_recipient_categories_or_expiry_is_refused_naming_each_field(
        self, client, person, admin
    ):
        sign_in(client, admin)

        response = client.post(
            person_url(person, "consents/new/"),
            {"recipient_type": "organization", "purpose": "referral", "attestation": "Yes"},
        )

        assert response.status_code == 200
        assert error_summary(response) == [
            (
                "id_recipient_organization",
                "Name the organization that may receive the information.",
            ),
            ("id_categories_0", "Choose what information may be shared."),
            ("id_expires_at", "A consent needs an end date: choose when it expires."),
        ]
        assert Consent.objects.count() == 0

    def test_a_consent_without_an_attestation_is_refused(self, client, person, admin, partner):
        sign_in(client, admin)

        response = client.post(
            person_url(person, "consents/new/"),
            {
                "recipient_type": "organization",
                "recipient_organization": partner.pk,
                "categories": ["identity"],
                "purpose": "referral",
                "expires_at": (timezone.localdate() + timedelta(days=5)).isoformat(),
            },
        )

        assert error_summary(response) == [
            ("id_attestation", "Say how the person gave this consent (for example, in person).")
        ]
        assert Consent.objects.count() == 0

    def test_a_class_consent_needs_a_kind_and_a_network(self, client, person, admin):
        sign_in(client, admin)

        response = client.post(
            person_url(person, "consents/new/"),
            {
                "recipient_type": "class",
                "categories": ["identity"],
                "purpose": "referral",
                "expires_at": (timezone.localdate() + timedelta(days=5)).isoformat(),
                "attestation": "Yes",
            },
        )

        assert error_summary(response) == [
            ("id_recipient_kind", "Choose a kind of organization."),
            ("id_recipient_network", "Choose a network."),
        ]
        assert Consent.objects.count() == 0

    def test_the_fhir_consent_validates_as_r4b(self, client, person, admin, partner):
        consent = grant(person, partner, by=admin)
        sign_in(client, admin)

        response = client.get(person_url(person, f"consents/{consent.id}/fhir.json"))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json"
        assert response["Cache-Control"] == "no-store"
        document = json.loads(response.content)
        resource = FhirConsent.model_validate(document)
        assert resource.id == str(consent.id)
        assert resource.status == "active"
        assert resource.patient.reference == f"Patient/{person.id}"
        assert [code.coding[0].code for code in resource.provision.code] == ["identity", "needs"]
        assert "Robin" not in response.content.decode()

    def test_withdrawing_a_consent_stops_the_recipients_view_at_once(
        self, client, client_factory, person, admin, partner, make_member
    ):
        consent = grant(person, partner, by=admin, categories=("identity", "needs"))
        recipient = make_member(partner, "practitioner")
        recipient_client = sign_in(client_factory(), recipient)
        shared = f"/organizations/{partner.slug}/people/shared/{person.id}/?purpose=referral"
        assert recipient_client.get(shared).status_code == 200
        sign_in(client, admin)

        confirm = client.get(person_url(person, f"consents/{consent.id}/withdraw/"))
        withdrawn = client.post(person_url(person, f"consents/{consent.id}/withdraw/"))

        assert "Withdraw this consent?" in confirm.content.decode()
        assert withdrawn.status_code == 302
        consent.refresh_from_db()
        assert consent.revoked_at is not None
        after = recipient_client.get(shared)
        assert after.status_code == 404
        assert "Robin" not in after.content.decode()
        refusal = AuditRecord.objects.filter(
            action="hearth.people.person.refused", actor_id=recipient.pk
        ).get()
        assert refusal.detail == {"reason": "no-live-consent"}
        page = client.get(person_url(person)).content.decode()
        assert "Withdrawn" in page


# --- information shared with us -------------------------------------------------------------------


class TestShared:
    def test_the_recipient_lists_live_consents_and_opens_only_the_shared_categories(
        self, client, person, admin, partner, make_member
    ):
        services.person_update(
            actor=admin,
            organization=person.holder,
            person_id=person.id,
            category="contact",
            data={"phones": ["+1 555 010 0123"], "safe_channels": ["text"]},
        )
        services.note_add(
            actor=admin, organization=person.holder, person_id=person.id, body="Secret note"
        )
        consent = grant(person, partner, by=admin, categories=("identity", "needs"))
        revoked = grant(person, partner, by=admin, categories=("contact",))
        services.consent_revoke(consent=revoked, actor=admin)
        recipient = make_member(partner, "peer_supporter")
        sign_in(client, recipient)

        listing = client.get(f"/organizations/{partner.slug}/people/consents-received/")
        link = f"/organizations/{partner.slug}/people/shared/{person.id}/?purpose=referral"
        opened = client.get(link)

        listing_body = listing.content.decode()
        assert listing.status_code == 200
        assert person.holder.name in listing_body
        assert listing_body.count(f'href="{link}"') == 1
        assert "Robin" not in listing_body
        body = opened.content.decode()
        assert opened.status_code == 200
        assert opened["Cache-Control"] == "no-store"
        assert "Robin Ash" in body
        assert 'id="needs"' in body
        assert 'id="contact"' not in body
        assert "555 010 0123" not in body
        assert "Secret note" not in body
        assert 'id="strengths"' not in body
        assert "/change/" not in body
        read_row = AuditRecord.objects.filter(
            action="hearth.people.person.read", actor_id=recipient.pk
        ).get()
        assert read_row.detail == {
            "categories": ["identity", "needs"],
            "basis": "consent",
            "consents": [str(consent.id)],
        }

    def test_an_evaluation_consent_never_opens_a_record(
        self, client, person, admin, partner, make_member
    ):
        grant(person, partner, by=admin, purpose=Purpose.EVALUATION)
        recipient = make_member(partner, "practitioner")
        sign_in(client, recipient)

        response = client.get(
            f"/organizations/{partner.slug}/people/shared/{person.id}/?purpose=evaluation"
        )

        assert response.status_code == 404
        assert "Robin" not in response.content.decode()


# --- break the glass ------------------------------------------------------------------------------


class TestEmergency:
    def test_a_recipient_breaks_the_glass_and_sees_when_it_ends(
        self, client, person, admin, partner, make_member, settings
    ):
        grant(person, partner, by=admin, categories=("identity",), days=1)
        responder = make_member(partner, "practitioner")
        sign_in(client, responder)

        response = client.post(
            f"/organizations/{partner.slug}/people/emergency/",
            {"reference": str(person.id), "reason": "Caller in danger, need safe-contact times"},
        )

        grant_row = EmergencyAccess.objects.get()
        assert response.status_code == 302
        assert response["Location"] == (
            f"/organizations/{partner.slug}/people/emergency/{person.id}/"
        )
        page = client.get(response["Location"])
        body = page.content.decode()
        assert page.status_code == 200
        assert "Robin Ash" in body
        assert 'id="contact"' in body
        ends = timezone.localtime(grant_row.expires_at)
        assert f"Your emergency access ends at {ends:%H:%M}" in body
        read_row = AuditRecord.objects.filter(
            action="hearth.people.person.read", actor_id=responder.pk
        ).get()
        assert (read_row.purpose, read_row.detail["emergency_access"]) == (
            "emergency",
            str(grant_row.id),
        )

    def test_a_short_reason_names_the_field_and_opens_nothing(
        self, client, person, organization, practitioner
    ):
        sign_in(client, practitioner)

        response = client.post(
            people_url(organization, "emergency/"), {"reference": str(person.id), "reason": "x"}
        )

        assert error_summary(response) == [("id_reason", "Explain the emergency in a sentence.")]
        assert EmergencyAccess.objects.count() == 0

    def test_a_missing_and_a_forbidden_reference_get_the_same_answer(
        self, client, partner, make_member
    ):
        stranger = make_person(OrganizationFactory(), name="Hidden Hazel")
        responder = make_member(partner, "practitioner")
        sign_in(client, responder)
        reason = "Caller in danger, need safe-contact times"

        missing = client.post(
            people_url(partner, "emergency/"),
            {"reference": "00000000-0000-0000-0000-000000000000", "reason": reason},
        )
        forbidden = client.post(
            people_url(partner, "emergency/"), {"reference": str(stranger.id), "reason": reason}
        )

        assert error_summary(missing) == error_summary(forbidden)
        assert error_summary(forbidden)[0][0] == "id_reference"
        assert "Hidden Hazel" not in forbidden.content.decode()
        assert EmergencyAccess.objects.count() == 0

    def test_an_admin_reviews_emergency_accesses(
        self, client, person, admin, organization, practitioner
    ):
        access_row = services.emergency_access_start(
            user=practitioner,
            organization=organization,
            person_id=person.id,
            reason="Crisis call tonight, need safe-contact times",
        )
        sign_in(client, admin)

        listing = client.get(people_url(organization, "emergency-reviews/")).content.decode()
        review_url = people_url(organization, f"emergency-reviews/{access_row.id}/")
        empty = client.post(review_url, {"note": ""})
        done = client.post(review_url, {"note": "Justified: she had asked us to call"})

        assert "Crisis call tonight" in listing
        assert "Not reviewed" in listing
        assert error_summary(empty) == [("id_note", "Write what the review found.")]
        assert done.status_code == 302
        access_row.refresh_from_db()
        assert (access_row.reviewed_by, access_row.review_note) == (
            admin,
            "Justified: she had asked us to call",
        )


# --- retention ------------------------------------------------------------------------------------


class TestRetention:
    def test_an_admin_sets_retention_and_reads_what_erasing_means(
        self, client, organization, admin
    ):
        sign_in(client, admin)

        page = client.get(people_url(organization, "retention/")).content.decode()
        saved = client.post(
            people_url(organization, "retention/"), {"records_days": "730", "notes_days": "365"}
        )

        assert "Hearth destroys that key" in page
        assert saved.status_code == 302
        policy = RetentionPolicy.objects.get(organization=organization)
        assert (policy.records_days, policy.notes_days) == (730, 365)

    def test_notes_kept_longer_than_records_name_the_field_and_save_nothing(
        self, client, organization, admin
    ):
        sign_in(client, admin)

        response = client.post(
            people_url(organization, "retention/"), {"records_days": "30", "notes_days": "90"}
        )
        words = client.post(people_url(organization, "retention/"), {"records_days": "a year"})

        assert error_summary(response) == [
            ("id_notes_days", "Notes cannot be kept longer than the record they belong to.")
        ]
        assert error_summary(words) == [
            ("id_records_days", "Enter a whole number of days, like 730.")
        ]
        assert not RetentionPolicy.objects.exists()


def test_the_organization_page_links_to_the_people_for_staff_but_not_viewers(
    client, client_factory, organization, practitioner, make_member
):
    viewer = make_member(organization, "viewer", two_factor=False)
    sign_in(client, practitioner)
    viewer_client = sign_in(client_factory(), viewer)

    staff_page = client.get(f"/organizations/{organization.slug}/").content.decode()
    viewer_page = viewer_client.get(f"/organizations/{organization.slug}/").content.decode()

    assert f'href="{people_url(organization)}"' in staff_page
    assert people_url(organization) not in viewer_page


def test_notes_are_kept_out_of_the_person_list(client, organization, admin, person):
    services.note_add(actor=admin, organization=organization, person_id=person.id, body="Hidden")
    sign_in(client, admin)

    body = client.get(people_url(organization)).content.decode()

    assert "Hidden" not in body
    assert PersonNote.objects.count() == 1
