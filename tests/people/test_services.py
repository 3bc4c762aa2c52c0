from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.accounts.models import Role
from hearth.core.audit import verify_chain
from hearth.core.models import AuditRecord
from hearth.people import access, services
from hearth.people.models import Consent, Person, PersonNote, Purpose, RetentionPolicy
from tests.factories import NetworkFactory, NetworkMembershipFactory, OrganizationFactory
from tests.people.factories import grant, make_person, staff

pytestmark = pytest.mark.django_db


def read(person, *, user=None, organization=None):
    organization = organization or person.holder
    return access.access_person(
        user=user or staff(organization),
        organization=organization,
        person_id=person.id,
        purpose=Purpose.CARE,
    )


def stored(person):
    """The person's sealed columns exactly as the database holds them."""
    row = Person.objects.get(pk=person.pk)
    return [
        bytes(getattr(row, f"sealed_{c}")) for c in ("identity", "contact", "needs", "strengths")
    ]


class TestRecords:
    def test_only_a_chosen_name_is_required_and_nothing_readable_is_stored(self):
        person = make_person(name="Robin")

        assert read(person).identity == {
            "chosen_name": "Robin",
            "pronouns": "",
            "languages": [],
            "age": None,
            "birth_date": "",
        }
        assert all(b"Robin" not in blob for blob in stored(person))
        created = AuditRecord.objects.get(action="hearth.people.person.created")
        assert created.detail == {"categories": ["identity"]}

    def test_a_record_without_a_name_is_refused_with_a_field_error_and_nothing_written(self):
        holder = OrganizationFactory()

        with pytest.raises(ValidationError) as invalid:
            services.person_create(
                actor=staff(holder), organization=holder, identity={"chosen_name": " "}
            )

        assert list(invalid.value.message_dict) == ["chosen_name"]
        assert Person.objects.count() == 0
        assert not AuditRecord.objects.filter(action="hearth.people.person.created").exists()

    def test_bad_contact_details_refuse_the_whole_record(self):
        holder = OrganizationFactory()

        with pytest.raises(ValidationError) as invalid:
            services.person_create(
                actor=staff(holder),
                organization=holder,
                identity={"chosen_name": "Robin", "age": "two hundred"},
                contact={"emails": ["nope"]},
            )

        assert "emails" in invalid.value.message_dict
        assert Person.objects.count() == 0

    def test_an_update_names_the_changed_fields_only(self):
        person = make_person(name="Robin")
        worker = staff(person.holder)

        services.person_update(
            actor=worker,
            organization=person.holder,
            person_id=person.id,
            category="identity",
            data={"chosen_name": "Robin", "pronouns": "they/them"},
        )

        updated = AuditRecord.objects.get(action="hearth.people.person.updated")
        assert updated.detail == {"category": "identity", "fields": ["pronouns"]}
        assert read(person).identity["pronouns"] == "they/them"

    def test_an_invalid_update_leaves_the_record_as_it_was(self):
        person = make_person(name="Robin")
        before = stored(person)

        with pytest.raises(ValidationError):
            services.person_update(
                actor=staff(person.holder),
                organization=person.holder,
                person_id=person.id,
                category="identity",
                data={"chosen_name": "", "birth_date": "2999-01-01"},
            )

        assert stored(person) == before
        assert not AuditRecord.objects.filter(action="hearth.people.person.updated").exists()

    def test_other_organizations_cannot_change_a_record_even_with_a_consent(self):
        person = make_person(name="Robin")
        recipient = OrganizationFactory()
        grant(person, recipient, categories=["identity"])
        before = stored(person)

        with pytest.raises(access.PersonNotFound):
            services.person_update(
                actor=staff(recipient),
                organization=recipient,
                person_id=person.id,
                category="identity",
                data={"chosen_name": "Changed"},
            )

        assert stored(person) == before

    def test_notes_are_sealed_and_read_back_by_those_whose_role_reads_them(self):
        person = make_person()
        worker = staff(person.holder)

        services.note_add(
            actor=worker, organization=person.holder, person_id=person.id, body="Prefers mornings"
        )

        assert b"mornings" not in bytes(PersonNote.objects.get().sealed_body)
        assert [note["body"] for note in read(person, user=worker).notes()] == ["Prefers mornings"]
        with pytest.raises(access.PersonNotFound):
            services.note_add(
                actor=staff(person.holder, Role.PEER_SUPPORTER),
                organization=person.holder,
                person_id=person.id,
                body="Not theirs to write",
            )
        assert PersonNote.objects.count() == 1


class TestConsent:
    def record(self, person, **changes):
        return services.consent_record(
            **{
                "actor": staff(person.holder),
                "organization": person.holder,
                "person_id": person.id,
                "recipient_organization": OrganizationFactory(),
                "categories": ["identity"],
                "purpose": Purpose.REFERRAL,
                "expires_at": timezone.now() + timedelta(days=30),
                "attestation": "Agreed in person",
                **changes,
            }
        )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"expires_at": None}, "expires_at"),
            ({"categories": []}, "categories"),
            ({"recipient_organization": None}, "recipient_organization"),
            ({"purpose": Purpose.CARE}, "purpose"),
            ({"attestation": ""}, "attestation"),
            ({"expires_at": timezone.now() - timedelta(days=1)}, "expires_at"),
            ({"expires_at": timezone.now() + timedelta(days=400)}, "expires_at"),
        ],
    )
    def test_an_incomplete_consent_is_refused_naming_the_problem(self, changes, field):
        person = make_person()

        with pytest.raises(ValidationError) as invalid:
            self.record(person, **changes)

        assert field in invalid.value.message_dict
        assert Consent.objects.count() == 0

    def test_a_consent_to_the_holder_itself_is_refused(self):
        person = make_person()

        with pytest.raises(ValidationError) as invalid:
            self.record(person, recipient_organization=person.holder)

        assert "recipient_organization" in invalid.value.message_dict

    def test_the_default_length_is_the_networks_setting_or_90_days(self):
        holder = OrganizationFactory()
        assert services.consent_days_for(holder) == 90
        NetworkMembershipFactory(organization=holder, network=NetworkFactory(consent_days=30))
        NetworkMembershipFactory(organization=holder, network=NetworkFactory(consent_days=60))

        assert services.consent_days_for(holder) == 30

    def test_staff_of_another_organization_cannot_withdraw_a_consent(self):
        person = make_person()
        consent = self.record(person)
        stranger_org = OrganizationFactory()

        with pytest.raises(access.PersonNotFound):
            services.consent_revoke_by_staff(
                actor=staff(stranger_org), organization=stranger_org, consent_id=consent.id
            )

        consent.refresh_from_db()
        assert consent.revoked_at is None


class TestErasureAndRetention:
    def test_erasure_destroys_the_key_and_leaves_a_tombstone(self):
        person = make_person(name="Robin", contact={"phones": ["555 010 2030"]})
        admin = staff(person.holder, Role.ADMIN)
        services.note_add(actor=admin, organization=person.holder, person_id=person.id, body="note")
        consent = grant(person, OrganizationFactory())

        services.person_erase(actor=admin, organization=person.holder, person_id=person.id)

        tombstone = Person.objects.get(pk=person.pk)
        assert tombstone.erased_at is not None
        assert tombstone.data_key.destroyed_at is not None
        assert stored(person) == [b"", b"", b"", b""]
        assert tombstone.lookups.count() == 0
        assert PersonNote.objects.count() == 0
        consent.refresh_from_db()
        assert consent.revoked_at is not None
        with pytest.raises(access.PersonNotFound):
            read(person, user=admin)
        assert Person.objects.filter(holder=person.holder).count() == 1  # still counted
        assert verify_chain().intact

    def test_only_admins_erase(self):
        person = make_person()

        with pytest.raises(access.PersonNotFound):
            services.person_erase(
                actor=staff(person.holder), organization=person.holder, person_id=person.id
            )

        assert Person.objects.get(pk=person.pk).erased_at is None

    def test_the_purge_erases_records_and_notes_past_retention(self):
        holder = OrganizationFactory()
        admin = staff(holder, Role.ADMIN)
        old = make_person(holder, by=admin, name="Old")
        recent = make_person(holder, by=admin, name="Recent")
        services.note_add(actor=admin, organization=holder, person_id=recent.id, body="recent note")
        services.retention_set(actor=admin, organization=holder, records_days=365, notes_days=30)
        Person.objects.filter(pk=old.pk).update(
            last_activity_at=timezone.now() - timedelta(days=400)
        )

        result = services.retention_purge(now=timezone.now() + timedelta(days=31))

        assert result == {"erased": 1, "notes": 1}
        assert Person.objects.get(pk=old.pk).erased_at is not None
        assert Person.objects.get(pk=recent.pk).erased_at is None
        assert services.retention_purge(now=timezone.now() + timedelta(days=31)) == {
            "erased": 0,
            "notes": 0,
        }

    def test_retention_settings_are_validated(self):
        holder = OrganizationFactory()

        with pytest.raises(ValidationError) as invalid:
            services.retention_set(
                actor=staff(holder, Role.ADMIN), organization=holder, records_days=30, notes_days=60
            )

        assert list(invalid.value.message_dict) == ["notes_days"]
        assert not RetentionPolicy.objects.exists()


class TestContact:
    def test_an_allowed_email_is_sent_and_a_refused_one_is_recorded_and_not_sent(self):
        person = make_person(contact={"emails": ["robin@example.org"], "safe_channels": ["email"]})
        worker = staff(person.holder)

        services.person_contact(
            actor=worker,
            organization=person.holder,
            person_id=person.id,
            purpose=Purpose.CARE,
            channel="email",
            detail="vague",
            subject="Hello",
            body="Please get in touch when it suits you.",
        )
        with pytest.raises(services.ContactRefused) as refused:
            services.person_contact(
                actor=worker,
                organization=person.holder,
                person_id=person.id,
                purpose=Purpose.CARE,
                channel="text",
                detail="vague",
            )

        assert [message.to for message in mail.outbox] == [["robin@example.org"]]
        assert refused.value.decision.reasons == ("channel-not-safe", "no-address")
        assert AuditRecord.objects.get(action="hearth.people.contact.refused").detail[
            "reasons"
        ] == [
            "channel-not-safe",
            "no-address",
        ]


class TestPortalLinks:
    def test_staff_unlink_a_record_so_a_fresh_invitation_can_be_made(self):
        person = make_person()
        worker = staff(person.holder)
        token = services.portal_invitation_create(
            actor=worker, organization=person.holder, person_id=person.id
        )
        account = services.portal_account_create(
            token=token, sign_in_name="river-otter", passphrase="a long passphrase"
        )

        services.portal_link_remove(actor=worker, organization=person.holder, person_id=person.id)

        assert account.links.count() == 0
        fresh = services.portal_invitation_create(
            actor=worker, organization=person.holder, person_id=person.id
        )
        services.portal_link_invitation(account=account, token=fresh)
        assert account.links.count() == 1
        assert AuditRecord.objects.filter(action="hearth.people.portal.unlinked").count() == 1

    def test_another_organization_cannot_unlink(self):
        person = make_person()
        token = services.portal_invitation_create(
            actor=staff(person.holder), organization=person.holder, person_id=person.id
        )
        account = services.portal_account_create(
            token=token, sign_in_name="river-otter", passphrase="a long passphrase"
        )
        other = OrganizationFactory()

        with pytest.raises(access.PersonNotFound):
            services.portal_link_remove(actor=staff(other), organization=other, person_id=person.id)

        assert account.links.count() == 1


def test_an_evaluation_consent_may_name_the_holding_organization_itself():
    person = make_person()

    consent = services.consent_record(
        actor=staff(person.holder),
        organization=person.holder,
        person_id=person.id,
        recipient_organization=person.holder,
        categories=["outcomes"],
        purpose=Purpose.EVALUATION,
        expires_at=timezone.now() + timedelta(days=30),
        attestation="Agreed to be counted in the program's figures",
    )

    assert consent.recipient_organization_id == person.holder_id


def test_revoking_a_consent_tells_the_registered_listeners_in_the_same_transaction():
    heard = []
    services.register_revocation_listener(heard.append)
    try:
        consent = grant(make_person(), OrganizationFactory())
        services.consent_revoke(consent=consent)
        services.consent_revoke(consent=consent)  # a second revocation changes nothing
    finally:
        services._revocation_listeners.remove(heard.append)

    assert [c.pk for c in heard] == [consent.pk]
