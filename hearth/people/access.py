"""The access gate: the only way any code reads a person.

Every read goes through `access_person()` (one record), `people_held_by()` (a list page),
`find_people()` (exact lookups), `access_own_record()` (the person themselves) or
`open_for_change()` (the holder's staff changing something that reads the record too). Each decides
with `decide()`, decrypts only the categories the decision allows, and writes the audit record
in the same transaction. A refusal is recorded too, and raises `PersonNotFound`, which looks
exactly like a record that does not exist.

Who may read:
- staff of the organization holding the record, by role (`ROLE_CATEGORIES`);
- staff of another organization, only under a live consent naming it (or its class) for the
  purpose they state, and only the categories the consent lists;
- anyone who broke the glass (`EmergencyAccess`) for the person, until it expires;
- the person, through their own pages."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Q, Subquery, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import Membership, Organization, Role
from hearth.core import audit
from hearth.core.crypto import Cipher, ciphers_for

from .models import (
    SEALED_CATEGORIES,
    Category,
    Consent,
    EmergencyAccess,
    Person,
    PersonLookup,
    PersonNote,
    PortalAccount,
    Purpose,
)

ALL_CATEGORIES = frozenset(Category.values)

# Minimum necessary: which categories each role of the holding organization reads.
ROLE_CATEGORIES: dict[str, frozenset[str]] = {
    Role.ADMIN: ALL_CATEGORIES,
    Role.PRACTITIONER: ALL_CATEGORIES,
    Role.PEER_SUPPORTER: frozenset(
        {Category.IDENTITY, Category.CONTACT, Category.NEEDS, Category.STRENGTHS}
    ),
    Role.VIEWER: frozenset(),
}

# The purposes the holding organization's own staff read for.
HOLDER_PURPOSES = frozenset(
    {
        Purpose.CARE,
        Purpose.ADMINISTRATION,
        Purpose.REFERRAL,
        Purpose.CARE_COORDINATION,
        Purpose.EVALUATION,
    }
)


class PersonNotFound(Http404):
    """Raised for a missing, erased or forbidden person alike."""

    def __init__(self):
        super().__init__(_("No such person."))


@dataclass(frozen=True)
class Decision:
    categories: frozenset[str] = frozenset()
    basis: str = ""
    consent_ids: tuple[str, ...] = ()
    emergency_id: str = ""
    refusal: str = ""

    @property
    def allowed(self) -> bool:
        return bool(self.categories)


def _role_in(user, organization) -> str | None:
    if not getattr(user, "is_authenticated", False) or organization is None:
        return None
    return (
        Membership.objects.filter(user=user, organization=organization)
        .values_list("role", flat=True)
        .first()
    )


# `decide()` looks the reader's role up itself unless it is given one read in the same query as
# the person (`_load(..., reader=...)`).
_LOOK_UP = object()


def live_consents_for(person: Person, organization: Organization, purpose: str, at: datetime):
    """The consents from `person` that let `organization` read for `purpose` at `at`."""
    # Only consents that name this organization, or a kind of organization it is (whose network
    # `covers_organization` then checks).
    candidates = Consent.objects.filter(
        Q(recipient_organization_id=organization.pk)
        | Q(recipient_organization__isnull=True, recipient_kind=organization.kind),
        person_id=person.pk,
        purpose=purpose,
        revoked_at__isnull=True,
        starts_at__lte=at,
        expires_at__gt=at,
    )
    return [consent for consent in candidates if consent.covers_organization(organization)]


def decide(
    *,
    user,
    organization: Organization | None,
    person: Person | None,
    purpose: str,
    categories: Iterable[str] | None = None,
    at: datetime | None = None,
) -> Decision:
    """The rule, with no side effects: which categories `user`, acting for `organization`, may
    read of `person` for `purpose` at `at`."""
    at = at or timezone.now()
    wanted = ALL_CATEGORIES if categories is None else frozenset(categories)
    if person is None or person.erased_at is not None:
        return Decision(refusal="missing")
    role = getattr(person, "reader_role", _LOOK_UP)
    if role is _LOOK_UP:
        role = _role_in(user, organization)
    if role is None or role == Role.VIEWER:
        return Decision(refusal="no-role")
    if purpose == Purpose.EMERGENCY:
        emergency = (
            EmergencyAccess.objects.filter(
                person=person,
                user=user,
                organization=organization,
                started_at__lte=at,
                expires_at__gt=at,
            )
            .order_by("-expires_at")
            .first()
        )
        if emergency is None:
            return Decision(refusal="no-emergency-access")
        return Decision(categories=wanted, basis="emergency", emergency_id=str(emergency.id))
    if organization.pk == person.holder_id:
        if purpose not in HOLDER_PURPOSES:
            return Decision(refusal="purpose")
        allowed = ROLE_CATEGORIES[role] & wanted
        return Decision(
            categories=allowed, basis=f"holder:{role}", refusal="" if allowed else "role"
        )
    consents = live_consents_for(person, organization, purpose, at)
    if not consents:
        return Decision(refusal="no-live-consent")
    covered = frozenset().union(*(frozenset(consent.categories) for consent in consents))
    allowed = covered & wanted
    return Decision(
        categories=allowed,
        basis="consent",
        consent_ids=tuple(sorted(str(consent.id) for consent in consents)),
        refusal="" if allowed else "category",
    )


@dataclass
class PersonRecord:
    """What one reader may see of one person, decrypted. Categories the reader may not see are
    None, never an empty placeholder that could be mistaken for "nothing recorded"."""

    id: object
    holder: Organization
    categories: frozenset[str]
    basis: str
    identity: dict | None = None
    contact: dict | None = None
    needs: dict | None = None
    strengths: dict | None = None
    last_activity_at: datetime | None = None
    _cipher: Cipher | None = field(default=None, repr=False)

    @property
    def chosen_name(self) -> str:
        return (self.identity or {}).get("chosen_name", "")

    def may_read(self, category: str) -> bool:
        return category in self.categories

    def decrypt(self, ciphertext: bytes, context: str) -> bytes:
        """For other parts of Hearth that keep values under this person's key (notes, check-ins):
        only possible once the gate has opened the record."""
        if self._cipher is None:
            raise PersonNotFound()
        return self._cipher.decrypt(ciphertext, context)

    def notes(self) -> list[dict]:
        if Category.NOTES not in self.categories:
            return []
        return [
            {
                "id": note.id,
                "created_at": note.created_at,
                "author": note.author,
                "body": self.decrypt(note.sealed_body, f"note:{note.id}").decode(),
            }
            for note in PersonNote.objects.filter(person_id=self.id).select_related("author")
        ]


def sealed_context(person_id, category: str) -> str:
    return f"person:{person_id}:{category}"


def _open(
    person: Person, cipher: Cipher | None, categories: frozenset[str], basis: str
) -> PersonRecord:
    record = PersonRecord(
        id=person.id,
        holder=person.holder,
        categories=categories,
        basis=basis,
        last_activity_at=person.last_activity_at,
        _cipher=cipher,
    )
    for category in SEALED_CATEGORIES:
        if category in categories and cipher is not None:
            sealed = getattr(person, f"sealed_{category}")
            value = (
                json.loads(cipher.decrypt(sealed, sealed_context(person.id, category)))
                if sealed
                else {}
            )
            setattr(record, str(category), value)
    return record


def _load(person_id, *, reader: tuple | None = None) -> Person | None:
    """The person's row with its holder and data key. With `reader` (user, organization), the
    user's role in that organization comes in the same query, as `reader_role`, for `decide()`."""
    queryset = Person.objects.select_related("holder", "data_key")
    if reader is not None:
        user, organization = reader
        if getattr(user, "is_authenticated", False) and organization is not None:
            role = Membership.objects.filter(user=user, organization=organization).values("role")
            queryset = queryset.annotate(reader_role=Subquery(role[:1]))
        else:
            queryset = queryset.annotate(reader_role=Value(None, output_field=CharField()))
    try:
        return queryset.get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError, ValidationError):
        return None


def _refuse(*, user, organization, person: Person | None, purpose: str, decision: Decision):
    audit.record(
        actor=user,
        action="hearth.people.person.refused",
        target=person,
        purpose=purpose,
        organization=organization,
        detail={"reason": decision.refusal},
    )


def _read_detail(decision: Decision) -> dict:
    detail = {"categories": sorted(decision.categories), "basis": decision.basis}
    if decision.consent_ids:
        detail["consents"] = list(decision.consent_ids)
    if decision.emergency_id:
        detail["emergency_access"] = decision.emergency_id
    return detail


def access_person(
    *,
    user,
    organization: Organization | None,
    person_id,
    purpose: str,
    categories: Iterable[str] | None = None,
) -> PersonRecord:
    """Open one person's record for `purpose`, or raise PersonNotFound.

    The read (or the refusal) is recorded in the audit trail before anything is returned."""
    person = _load(person_id, reader=(user, organization))
    decision = decide(
        user=user,
        organization=organization,
        person=person,
        purpose=purpose,
        categories=categories,
    )
    with transaction.atomic():
        if not decision.allowed:
            _refuse(
                user=user,
                organization=organization,
                person=person,
                purpose=purpose,
                decision=decision,
            )
        else:
            audit.record(
                actor=user,
                action="hearth.people.person.read",
                target=person,
                purpose=purpose,
                organization=organization,
                detail=_read_detail(decision),
            )
    if not decision.allowed:
        raise PersonNotFound()
    return _open(person, Cipher(person.data_key), decision.categories, decision.basis)


def open_for_change(
    *, user, organization: Organization | None, person_id, purpose: str
) -> tuple[Person, PersonRecord]:
    """For a change that also reads the record (a referral carries part of it): the Person row
    and the record as the holding organization's staff may read it for `purpose`, decided once
    and recorded as a read; PersonNotFound for anyone else, recorded as a refusal."""
    person = _load(person_id, reader=(user, organization))
    decision = decide(user=user, organization=organization, person=person, purpose=purpose)
    if decision.allowed and not decision.basis.startswith("holder:"):
        decision = Decision(refusal="not-holder")
    with transaction.atomic(savepoint=False):
        if decision.allowed:
            audit.record(
                actor=user,
                action="hearth.people.person.read",
                target=person,
                purpose=purpose,
                organization=organization,
                detail=_read_detail(decision),
            )
        else:
            _refuse(
                user=user,
                organization=organization,
                person=person,
                purpose=purpose,
                decision=decision,
            )
    if not decision.allowed:
        raise PersonNotFound()
    return person, _open(person, Cipher(person.data_key), decision.categories, decision.basis)


def person_for_change(*, user, organization: Organization | None, person_id) -> Person:
    """The Person row for a change by the holding organization's staff, or PersonNotFound.
    Changes are audited by the service that makes them."""
    person = _load(person_id, reader=(user, organization))
    decision = decide(
        user=user,
        organization=organization,
        person=person,
        purpose=Purpose.CARE,
        categories=[Category.IDENTITY],
    )
    if not decision.allowed or not decision.basis.startswith("holder:"):
        raise PersonNotFound()
    return person


def _open_many(people: list[Person], categories: frozenset[str], basis: str) -> list[PersonRecord]:
    ciphers = ciphers_for(person.data_key for person in people)
    return [_open(person, ciphers.get(person.data_key_id), categories, basis) for person in people]


def _record_list_reads(
    *, user, organization, people: list[Person], decision_basis: str, purpose: str
):
    audit.record_many(
        [
            audit.Entry(
                actor=user,
                action="hearth.people.person.listed",
                target=person,
                purpose=purpose,
                organization=organization,
                detail={"categories": [Category.IDENTITY.value], "basis": decision_basis},
            )
            for person in people
        ]
    )


def people_held_by(
    *, user, organization: Organization, offset: int = 0, limit: int = 50
) -> tuple[list[PersonRecord], int]:
    """A page of the people `organization` holds, with their names only, newest activity first.
    Only staff whose role reads names; each person shown gets a "listed" audit record."""
    role = _role_in(user, organization)
    if role is None or Category.IDENTITY not in ROLE_CATEGORIES.get(role, frozenset()):
        return [], 0
    base = Person.objects.filter(holder=organization, erased_at__isnull=True)
    total = base.count()
    people = list(
        base.select_related("holder", "data_key").order_by("-last_activity_at", "id")[
            offset : offset + limit
        ]
    )
    with transaction.atomic():
        _record_list_reads(
            user=user,
            organization=organization,
            people=people,
            decision_basis=f"holder:{role}",
            purpose=Purpose.CARE,
        )
    return _open_many(people, frozenset({Category.IDENTITY}), f"holder:{role}"), total


def find_people(*, user, organization: Organization, query: str) -> list[PersonRecord]:
    """People held by `organization` whose exact name, phone number or e-mail address is
    `query` (case, accents and punctuation ignored). Never searches other organizations."""
    from hearth.core.crypto import blind_index

    role = _role_in(user, organization)
    if role is None or Category.IDENTITY not in ROLE_CATEGORIES.get(role, frozenset()):
        return []
    if not query.strip():
        return []
    digests = {blind_index(organization.pk, kind, query) for kind in PersonLookup.Kind.values}
    people = list(
        Person.objects.filter(
            holder=organization,
            erased_at__isnull=True,
            lookups__organization_id=organization.pk,
            lookups__digest__in=digests,
        )
        .distinct()
        .select_related("holder", "data_key")[:50]
    )
    with transaction.atomic():
        _record_list_reads(
            user=user,
            organization=organization,
            people=people,
            decision_basis=f"holder:{role}",
            purpose=Purpose.CARE,
        )
    return _open_many(people, frozenset({Category.IDENTITY}), f"holder:{role}")


def access_own_record(*, account: PortalAccount, person_id) -> PersonRecord:
    """The person, signed in to their own pages, opens a record linked to their account."""
    person = _load(person_id)
    if (
        person is None
        or person.erased_at is not None
        or not account.links.filter(person_id=person.pk).exists()
    ):
        raise PersonNotFound()
    with transaction.atomic():
        audit.record(
            actor=None,
            action="hearth.people.person.read_by_self",
            target=person,
            purpose=Purpose.OWN_RECORD,
            organization=person.holder,
            detail={"categories": sorted(ALL_CATEGORIES), "basis": "self"},
        )
        return _open(person, Cipher(person.data_key), ALL_CATEGORIES, "self")


def access_disclosure(
    *, user, organization: Organization | None, person_id, consent_id, what: str
) -> Decision:
    """May `organization` open something disclosed about a person under one consent (a referral's
    payload, its conversation)? The holding organization's staff may by role; anyone else only
    while that very consent lives and names them. Recorded either way; refusal raises
    PersonNotFound."""
    person = _load(person_id, reader=(user, organization))
    at = timezone.now()
    role = person.reader_role if person is not None else None
    if person is None or person.erased_at is not None:
        decision = Decision(refusal="missing")
    elif role is None or role == Role.VIEWER:
        decision = Decision(refusal="no-role")
    elif organization.pk == person.holder_id:
        decision = Decision(categories=ROLE_CATEGORIES[role], basis=f"holder:{role}")
    else:
        consent = (
            Consent.objects.filter(pk=consent_id, person=person).first() if consent_id else None
        )
        if (
            consent is None
            or not consent.is_live(at)
            or not consent.covers_organization(organization)
        ):
            decision = Decision(refusal="no-live-consent")
        else:
            decision = Decision(
                categories=frozenset(consent.categories),
                basis="consent",
                consent_ids=(str(consent.id),),
            )
    with transaction.atomic():
        if decision.allowed:
            audit.record(
                actor=user,
                action="hearth.people.disclosure.opened",
                target=person,
                purpose=Purpose.REFERRAL,
                organization=organization,
                detail={**_read_detail(decision), "what": what},
            )
        else:
            _refuse(
                user=user,
                organization=organization,
                person=person,
                purpose=Purpose.REFERRAL,
                decision=decision,
            )
    if not decision.allowed:
        raise PersonNotFound()
    return decision
