"""Reads about consents and access that carry no personal values (those go through `access`).

Callers must already have passed the gate for the person concerned (a `PersonRecord` in hand), or
be asking about their own organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet
from django.utils import timezone

from hearth.accounts.models import Organization, User
from hearth.core.audit import describe_action
from hearth.core.models import AuditRecord

from .models import Consent, EmergencyAccess, Person, PortalAccount, Purpose

HISTORY_ACTIONS = (
    "hearth.people.person.created",
    "hearth.people.person.updated",
    "hearth.people.person.read",
    "hearth.people.person.listed",
    "hearth.people.person.read_by_self",
    "hearth.people.person.refused",
    "hearth.people.disclosure.opened",
    "hearth.people.note.added",
    "hearth.people.consent.recorded",
    "hearth.people.consent.given",
    "hearth.people.consent.revoked",
    "hearth.people.emergency.started",
    "hearth.people.emergency.reviewed",
    "hearth.people.erasure.requested",
    "hearth.people.portal.linked",
    "hearth.people.contact.sent",
    "hearth.people.contact.refused",
)


@dataclass(frozen=True)
class AccessEvent:
    """One line of a person's access history, in words."""

    at: datetime
    action: str
    what: str
    organization: str
    who: str
    purpose: str
    categories: tuple[str, ...]
    emergency: bool


def access_history(person_id, *, limit: int | None = None) -> list[AccessEvent]:
    """Who did what with a person's record, newest first: reads, lists, changes, consents,
    refusals and emergency access, with the organization, the staff member and the purpose."""
    records = AuditRecord.objects.filter(
        target_type="people.person", target_id=str(person_id), action__in=HISTORY_ACTIONS
    ).order_by("-sequence")
    if limit:
        records = records[:limit]
    records = list(records)
    organizations = dict(
        Organization.objects.filter(
            pk__in={r.organization_id for r in records if r.organization_id}
        ).values_list("pk", "name")
    )
    people = {
        user.pk: user.get_full_name()
        for user in User.objects.filter(pk__in={r.actor_id for r in records if r.actor_id})
    }
    purposes = dict(Purpose.choices)
    return [
        AccessEvent(
            at=record.recorded_at,
            action=record.action,
            what=describe_action(record.action),
            organization=organizations.get(record.organization_id, ""),
            who=people.get(record.actor_id, ""),
            purpose=str(purposes.get(record.purpose, "")),
            categories=tuple(record.detail.get("categories", ())),
            emergency=record.purpose == Purpose.EMERGENCY,
        )
        for record in records
    ]


def consents_of(person_id) -> QuerySet[Consent]:
    return Consent.objects.filter(person_id=person_id).select_related(
        "recipient_organization", "disclosing_organization", "recipient_network"
    )


def live_consents_received(organization: Organization, *, at=None) -> QuerySet[Consent]:
    """Consents naming `organization` itself that are live now (class consents are matched by
    the gate, per person)."""
    at = at or timezone.now()
    return Consent.objects.filter(
        recipient_organization=organization,
        revoked_at__isnull=True,
        starts_at__lte=at,
        expires_at__gt=at,
        person__erased_at__isnull=True,
    ).select_related("disclosing_organization")


def emergency_accesses_for_review(organization: Organization) -> QuerySet[EmergencyAccess]:
    """Emergency accesses to records `organization` holds, unreviewed first."""
    return (
        EmergencyAccess.objects.filter(person__holder=organization)
        .select_related("user", "organization", "reviewed_by")
        .order_by(F("reviewed_at").asc(nulls_first=True), "-started_at")
    )


def people_linked_to(account: PortalAccount) -> QuerySet[Person]:
    return Person.objects.filter(
        portal_link__account=account, erased_at__isnull=True
    ).select_related("holder")
