"""Helpers that make people through the real services (never by writing rows directly), so every
test record is encrypted, indexed and audited as in production."""

from datetime import timedelta

from django.utils import timezone

from hearth.accounts.models import Role
from hearth.people import services
from hearth.people.models import Purpose
from tests.factories import MembershipFactory, OrganizationFactory


def staff(organization=None, role=Role.PRACTITIONER):
    organization = organization or OrganizationFactory()
    return MembershipFactory(organization=organization, role=role).user


def make_person(organization=None, *, by=None, name="Robin", **categories):
    organization = organization or OrganizationFactory()
    by = by or staff(organization)
    return services.person_create(
        actor=by, organization=organization, identity={"chosen_name": name}, **categories
    )


def grant(
    person,
    recipient,
    *,
    by=None,
    categories=("identity", "needs"),
    purpose=Purpose.REFERRAL,
    days=30,
    **extra,
):
    by = by or staff(person.holder)
    return services.consent_record(
        actor=by,
        organization=person.holder,
        person_id=person.id,
        recipient_organization=recipient,
        categories=list(categories),
        purpose=purpose,
        expires_at=timezone.now() + timedelta(days=days),
        attestation="Agreed in person at the drop-in",
        **extra,
    )
