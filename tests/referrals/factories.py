"""Referrals made through the real services, between two real organizations."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from hearth.accounts.models import Role
from hearth.referrals import services
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory
from tests.factories import OrganizationFactory
from tests.people.factories import make_person, staff


@dataclass
class Pair:
    sender: object
    receiver: object
    sender_staff: object
    receiver_staff: object
    service: object


def pair(**service_fields) -> Pair:
    sender, receiver = OrganizationFactory(), OrganizationFactory()
    listing = DirectoryOrganizationFactory(member=receiver)
    return Pair(
        sender=sender,
        receiver=receiver,
        sender_staff=staff(sender, Role.PRACTITIONER),
        receiver_staff=staff(receiver, Role.PRACTITIONER),
        service=ServiceFactory(organization=listing, **service_fields),
    )


def refer(p: Pair, *, person=None, categories=("identity", "needs"), send=True, **person_fields):
    person = person or make_person(p.sender, by=p.sender_staff, **person_fields)
    return services.referral_create(
        actor=p.sender_staff,
        organization=p.sender,
        person_id=person.id,
        service_id=p.service.id,
        categories=list(categories),
        summary="Looking for a quiet place to talk, mornings are best.",
        expires_at=timezone.now() + timedelta(days=30),
        attestation="Agreed together at the drop-in",
        send=send,
    )
