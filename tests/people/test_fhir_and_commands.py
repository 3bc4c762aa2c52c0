from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from fhir.resources.R4B.consent import Consent as FhirConsent

from hearth.accounts.models import Role
from hearth.core import crypto
from hearth.core.models import AuditRecord, DataKey
from hearth.people import access, services
from hearth.people.fhir import consent_to_fhir
from hearth.people.models import Person, Purpose
from tests.factories import OrganizationFactory
from tests.people.factories import grant, make_person, staff

pytestmark = pytest.mark.django_db


def test_a_consent_exports_as_a_valid_fhir_consent_without_the_persons_name():
    person = make_person(name="Robin")
    recipient = OrganizationFactory()
    consent = grant(person, recipient, categories=["identity", "needs"])

    resource = consent_to_fhir(consent)

    FhirConsent.model_validate(resource)
    assert resource["status"] == "active"
    assert resource["scope"]["coding"][0]["code"] == "patient-privacy"
    assert resource["category"][0]["coding"][0]["code"] == "IDSCL"
    assert resource["patient"] == {"reference": f"Patient/{person.id}"}
    assert resource["organization"] == [{"reference": f"Organization/{person.holder_id}"}]
    provision = resource["provision"]
    assert provision["type"] == "permit"
    assert provision["actor"][0]["reference"] == {"reference": f"Organization/{recipient.id}"}
    assert [code["coding"][0]["code"] for code in provision["code"]] == ["identity", "needs"]
    assert provision["purpose"][0]["code"] == "TREAT"
    assert "Robin" not in str(resource)


def test_a_withdrawn_consent_exports_as_inactive_ending_when_it_was_withdrawn():
    consent = grant(make_person(), OrganizationFactory())
    consent = services.consent_revoke(consent=consent, by_person=True)

    resource = consent_to_fhir(consent)

    assert resource["status"] == "inactive"
    assert resource["provision"]["period"]["end"].startswith(
        consent.revoked_at.strftime("%Y-%m-%dT%H:%M")
    )


def test_keys_rotate_rewraps_every_data_key_and_people_stay_readable(settings):
    holder = OrganizationFactory()
    worker = staff(holder, Role.ADMIN)
    people = [make_person(holder, by=worker, name=f"Person {n}") for n in range(3)]
    settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED = [settings.HEARTH_KEY_ENCRYPTION_KEY]
    settings.HEARTH_KEY_ENCRYPTION_KEY = "the next key-encryption key"

    call_command("keys-rotate")

    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {crypto.current_kek().key_id}
    settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED = []
    assert [
        access.access_person(
            user=worker, organization=holder, person_id=person.id, purpose=Purpose.CARE
        ).chosen_name
        for person in people
    ] == ["Person 0", "Person 1", "Person 2"]
    assert AuditRecord.objects.get(action="hearth.core.keys.rotated").detail["data_keys"] == 3


def test_the_purge_command_applies_retention(capsys):
    holder = OrganizationFactory()
    admin = staff(holder, Role.ADMIN)
    person = make_person(holder, by=admin)
    services.retention_set(actor=admin, organization=holder, records_days=10, notes_days=None)
    Person.objects.filter(pk=person.pk).update(last_activity_at=timezone.now() - timedelta(days=11))

    call_command("purge")

    assert "Erased 1 records past retention" in capsys.readouterr().out
    assert Person.objects.get(pk=person.pk).erased_at is not None
