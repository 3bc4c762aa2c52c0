"""Every change to people, consents, emergency access, retention and the person's own pages.

Each function runs in one transaction and writes its audit record there. Personal values are
sealed under the person's data key before they reach the database; audit details name fields and
categories, never values."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import Network, Organization
from hearth.core import audit
from hearth.core.crypto import Cipher, blind_index, data_key_create, data_key_destroy

from . import access
from .models import (
    CONSENTABLE_PURPOSES,
    SEALED_CATEGORIES,
    Category,
    Consent,
    EmergencyAccess,
    ErasureRequest,
    Person,
    PersonLookup,
    PersonNote,
    PortalAccount,
    PortalInvitation,
    PortalLink,
    Purpose,
    RetentionPolicy,
)
from .safe_contact import DEFAULT_PREFERENCES, clean_preferences

MAX_CONSENT_DAYS = 366
MAX_TEXT = 2000

# --- the shape of each sealed category ---


def _text(data: dict, name: str, errors: dict, *, limit: int = MAX_TEXT) -> str:
    value = str(data.get(name) or "").strip()
    if len(value) > limit:
        errors[name] = [
            ValidationError(
                _("Keep this to %(limit)d characters or fewer (it has %(count)d)."),
                params={"limit": limit, "count": len(value)},
            )
        ]
    return value


def clean_identity(data: dict) -> dict:
    errors: dict[str, list] = {}
    chosen_name = _text(data, "chosen_name", errors, limit=100)
    if not chosen_name:
        errors["chosen_name"] = [
            ValidationError(_("Enter the name the person wants to be called."))
        ]
    pronouns = _text(data, "pronouns", errors, limit=40)
    languages = [
        str(code).strip().lower() for code in data.get("languages") or [] if str(code).strip()
    ]
    if any(not (2 <= len(code) <= 3 and code.isalpha()) for code in languages):
        errors["languages"] = [ValidationError(_("Use two- or three-letter language codes."))]
    age = data.get("age")
    if age in ("", None):
        age = None
    else:
        try:
            age = int(age)
            if not 0 <= age <= 120:
                raise ValueError
        except (TypeError, ValueError):
            errors["age"] = [ValidationError(_("Enter an age in years, from 0 to 120."))]
    birth_date = data.get("birth_date") or ""
    if birth_date:
        try:
            parsed = (
                birth_date if isinstance(birth_date, date) else date.fromisoformat(str(birth_date))
            )
            if parsed > timezone.localdate():
                raise ValueError
            birth_date = parsed.isoformat()
        except ValueError:
            errors["birth_date"] = [ValidationError(_("Enter a real date of birth in the past."))]
    if errors:
        raise ValidationError(errors)
    return {
        "chosen_name": chosen_name,
        "pronouns": pronouns,
        "languages": languages,
        "age": age,
        "birth_date": birth_date,
    }


def clean_needs(data: dict) -> dict:
    from hearth.directory.models import TaxonomyTerm

    errors: dict[str, list] = {}
    terms = [str(term).strip() for term in data.get("terms") or [] if str(term).strip()]
    if terms:
        known = set(TaxonomyTerm.objects.filter(code__in=terms).values_list("code", flat=True))
        unknown = [term for term in terms if term not in known]
        if unknown:
            errors["terms"] = [
                ValidationError(
                    _("Unknown needs: %(codes)s."), params={"codes": ", ".join(unknown)}
                )
            ]
    in_their_words = _text(data, "in_their_words", errors)
    if errors:
        raise ValidationError(errors)
    return {"terms": list(dict.fromkeys(terms)), "in_their_words": in_their_words}


def clean_strengths(data: dict) -> dict:
    errors: dict[str, list] = {}
    cleaned = {name: _text(data, name, errors) for name in ("strengths", "goals", "what_helps")}
    if errors:
        raise ValidationError(errors)
    return cleaned


CLEANERS = {
    Category.IDENTITY: clean_identity,
    Category.CONTACT: clean_preferences,
    Category.NEEDS: clean_needs,
    Category.STRENGTHS: clean_strengths,
}

EMPTY = {
    Category.IDENTITY: None,
    Category.CONTACT: DEFAULT_PREFERENCES,
    Category.NEEDS: {"terms": [], "in_their_words": ""},
    Category.STRENGTHS: {"strengths": "", "goals": "", "what_helps": ""},
}


def _seal(person: Person, cipher: Cipher, category: str, value: dict) -> None:
    setattr(
        person,
        f"sealed_{category}",
        cipher.encrypt(
            json.dumps(value, sort_keys=True).encode(), access.sealed_context(person.id, category)
        ),
    )


def _index(person: Person, identity: dict | None, contact: dict | None) -> None:
    """Rewrite the blind-index entries for what changed (name, or phones and e-mails)."""
    org = person.holder_id
    if identity is not None:
        PersonLookup.objects.filter(person=person, kind=PersonLookup.Kind.NAME).delete()
        PersonLookup.objects.create(
            person=person,
            organization_id=org,
            kind=PersonLookup.Kind.NAME,
            digest=blind_index(org, "name", identity["chosen_name"]),
        )
    if contact is not None:
        PersonLookup.objects.filter(
            person=person, kind__in=[PersonLookup.Kind.PHONE, PersonLookup.Kind.EMAIL]
        ).delete()
        PersonLookup.objects.bulk_create(
            [
                PersonLookup(
                    person=person,
                    organization_id=org,
                    kind=kind,
                    digest=blind_index(org, kind, value),
                )
                for kind, values in (("phone", contact["phones"]), ("email", contact["emails"]))
                for value in values
            ]
        )


def _require_holder_staff(actor, organization, categories) -> str:
    role = access._role_in(actor, organization)
    if role is None or not set(categories) <= access.ROLE_CATEGORIES.get(role, frozenset()):
        raise access.PersonNotFound()
    return role


def person_create(
    *,
    actor,
    organization: Organization,
    identity: dict,
    contact: dict | None = None,
    needs: dict | None = None,
    strengths: dict | None = None,
) -> Person:
    """Start a record held by `organization`. Only the chosen name is required."""
    given = {
        Category.IDENTITY: identity,
        Category.CONTACT: contact,
        Category.NEEDS: needs,
        Category.STRENGTHS: strengths,
    }
    _require_holder_staff(actor, organization, [c for c, v in given.items() if v is not None])
    cleaned, errors = {}, {}
    for category, value in given.items():
        try:
            cleaned[category] = CLEANERS[category](
                value if value is not None else EMPTY[category] or {}
            )
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person = Person(holder=organization, data_key=data_key_create())
        cipher = Cipher(person.data_key)
        for category in SEALED_CATEGORIES:
            _seal(person, cipher, category, cleaned[category])
        person.save()
        _index(person, cleaned[Category.IDENTITY], cleaned[Category.CONTACT])
        audit.record(
            actor=actor,
            action="hearth.people.person.created",
            target=person,
            purpose=Purpose.CARE,
            organization=organization,
            detail={"categories": sorted(c for c, v in given.items() if v is not None)},
        )
    return person


def person_create_by_self(*, organization: Organization, identity: dict, contact: dict) -> Person:
    """A person gives their own name and safe-contact preferences to the organization they chose
    (a self-referral from the public directory); that organization then holds the record."""
    cleaned, errors = {}, {}
    for category, value in ((Category.IDENTITY, identity), (Category.CONTACT, contact)):
        try:
            cleaned[category] = CLEANERS[category](value)
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    cleaned[Category.NEEDS] = EMPTY[Category.NEEDS]
    cleaned[Category.STRENGTHS] = EMPTY[Category.STRENGTHS]
    with transaction.atomic():
        person = Person(holder=organization, data_key=data_key_create())
        cipher = Cipher(person.data_key)
        for category in SEALED_CATEGORIES:
            _seal(person, cipher, category, cleaned[category])
        person.save()
        _index(person, cleaned[Category.IDENTITY], cleaned[Category.CONTACT])
        audit.record(
            actor=None,
            action="hearth.people.person.created",
            target=person,
            purpose=Purpose.OWN_RECORD,
            organization=organization,
            detail={"categories": ["contact", "identity"], "by": "self"},
        )
    return person


def person_update(
    *, actor, organization: Organization, person_id, category: str, data: dict
) -> Person:
    """Replace one category of a person's record. Names which fields changed, never values."""
    if category not in SEALED_CATEGORIES:
        raise ValueError(f"Not a sealed category: {category}")
    _require_holder_staff(actor, organization, [category])
    cleaned = CLEANERS[category](data)
    with transaction.atomic():
        person = access.person_for_change(
            user=actor, organization=organization, person_id=person_id
        )
        record = access.access_person(
            user=actor,
            organization=organization,
            person_id=person.id,
            purpose=Purpose.CARE,
            categories=[category],
        )
        before = getattr(record, category) or {}
        changed = sorted(name for name in cleaned if before.get(name) != cleaned[name])
        if not changed:
            return person
        _seal(person, Cipher(person.data_key), category, cleaned)
        person.last_activity_at = timezone.now()
        person.save(update_fields=[f"sealed_{category}", "last_activity_at"])
        _index(
            person,
            cleaned if category == Category.IDENTITY else None,
            cleaned if category == Category.CONTACT else None,
        )
        audit.record(
            actor=actor,
            action="hearth.people.person.updated",
            target=person,
            purpose=Purpose.CARE,
            organization=organization,
            detail={"category": category, "fields": changed},
        )
    return person


def note_add(*, actor, organization: Organization, person_id, body: str) -> PersonNote:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write the note before saving it.")]})
    if len(body) > MAX_TEXT:
        raise ValidationError({"body": [_("Keep a note to 2000 characters or fewer.")]})
    _require_holder_staff(actor, organization, [Category.NOTES])
    with transaction.atomic():
        person = access.person_for_change(
            user=actor, organization=organization, person_id=person_id
        )
        note = PersonNote(person=person, author=actor)
        note.sealed_body = Cipher(person.data_key).encrypt(body.encode(), f"note:{note.id}")
        note.save()
        Person.objects.filter(pk=person.pk).update(last_activity_at=timezone.now())
        audit.record(
            actor=actor,
            action="hearth.people.note.added",
            target=person,
            purpose=Purpose.CARE,
            organization=organization,
        )
    return note


# --- consent ---


def consent_days_for(organization: Organization) -> int:
    """The default length of a consent: the shortest setting among the organization's networks."""
    days = [
        network.consent_days
        for network in Network.objects.filter(memberships__organization=organization)
        if network.consent_days
    ]
    return min(days) if days else settings.HEARTH_CONSENT_DAYS


def _clean_consent(
    *,
    person: Person,
    recipient_organization: Organization | None,
    recipient_kind: str,
    recipient_network: Network | None,
    categories,
    purpose: str,
    starts_at: datetime | None,
    expires_at: datetime | None,
) -> dict:
    errors: dict[str, list] = {}
    now = timezone.now()
    starts_at = starts_at or now
    if recipient_organization is None and not (recipient_kind and recipient_network):
        errors["recipient_organization"] = [
            ValidationError(_("Name the organization that may receive the information."))
        ]
    if (
        recipient_organization is not None
        and recipient_organization.pk == person.holder_id
        and purpose != Purpose.EVALUATION
    ):
        errors["recipient_organization"] = [
            ValidationError(_("The organization holding the record does not need a consent."))
        ]
    if recipient_kind and recipient_kind not in Organization.Kind.values:
        errors["recipient_kind"] = [ValidationError(_("Choose a kind of organization."))]
    categories = sorted(set(categories or []))
    if not categories:
        errors["categories"] = [ValidationError(_("Choose what information may be shared."))]
    elif not set(categories) <= set(Category.values):
        errors["categories"] = [ValidationError(_("Choose from the listed kinds of information."))]
    if purpose not in CONSENTABLE_PURPOSES:
        errors["purpose"] = [ValidationError(_("Choose why the information is shared."))]
    if expires_at is None:
        errors["expires_at"] = [
            ValidationError(_("A consent needs an end date: choose when it expires."))
        ]
    elif expires_at <= starts_at or expires_at <= now:
        errors["expires_at"] = [ValidationError(_("The end date must be in the future."))]
    elif expires_at - starts_at > timedelta(days=MAX_CONSENT_DAYS):
        errors["expires_at"] = [
            ValidationError(_("A consent can last at most a year; it can be renewed."))
        ]
    if errors:
        raise ValidationError(errors)
    return {
        "recipient_organization": recipient_organization,
        "recipient_kind": "" if recipient_organization else recipient_kind,
        "recipient_network": None if recipient_organization else recipient_network,
        "categories": categories,
        "purpose": purpose,
        "starts_at": starts_at,
        "expires_at": expires_at,
    }


def _consent_audit(consent: Consent, *, actor, action: str) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=consent.person,
        purpose=consent.purpose,
        organization=consent.disclosing_organization,
        detail={
            "consent": str(consent.id),
            "categories": consent.categories,
            "recipient": str(consent.recipient_organization_id or consent.recipient_kind),
            "expires_at": consent.expires_at.isoformat(),
        },
    )


def consent_record(
    *,
    actor,
    organization: Organization,
    person_id,
    categories,
    purpose: str,
    expires_at: datetime | None,
    attestation: str,
    recipient_organization: Organization | None = None,
    recipient_kind: str = "",
    recipient_network: Network | None = None,
    starts_at: datetime | None = None,
    opened: Person | None = None,
) -> Consent:
    """Staff record a consent the person gave them, attesting how it was given.

    `opened` is for a caller that already holds the Person from the access gate for this actor
    and organization in the same transaction (`access.open_for_change`); otherwise the gate is
    asked here."""
    if (
        opened is not None
        and opened.holder_id == organization.pk
        and str(opened.pk) == str(person_id)
    ):
        person = opened
    else:
        person = access.person_for_change(
            user=actor, organization=organization, person_id=person_id
        )
    terms = _clean_consent(
        person=person,
        recipient_organization=recipient_organization,
        recipient_kind=recipient_kind,
        recipient_network=recipient_network,
        categories=categories,
        purpose=purpose,
        starts_at=starts_at,
        expires_at=expires_at,
    )
    attestation = (attestation or "").strip()
    if not attestation:
        raise ValidationError(
            {"attestation": [_("Say how the person gave this consent (for example, in person).")]}
        )
    with transaction.atomic(savepoint=False):
        consent = Consent.objects.create(
            person=person,
            disclosing_organization=organization,
            given_by=Consent.GivenBy.STAFF,
            attestation=attestation,
            recorded_by=actor,
            **terms,
        )
        _consent_audit(consent, actor=actor, action="hearth.people.consent.recorded")
    return consent


def consent_give(
    *,
    account: PortalAccount,
    person_id,
    categories,
    purpose: str,
    expires_at: datetime | None,
    recipient_organization: Organization | None = None,
    recipient_kind: str = "",
    recipient_network: Network | None = None,
) -> Consent:
    """The person gives a consent in their own pages."""
    record = access.access_own_record(account=account, person_id=person_id)
    person = Person.objects.select_related("holder").get(pk=record.id)
    terms = _clean_consent(
        person=person,
        recipient_organization=recipient_organization,
        recipient_kind=recipient_kind,
        recipient_network=recipient_network,
        categories=categories,
        purpose=purpose,
        starts_at=None,
        expires_at=expires_at,
    )
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            disclosing_organization=person.holder,
            given_by=Consent.GivenBy.PERSON,
            **terms,
        )
        _consent_audit(consent, actor=None, action="hearth.people.consent.given")
    return consent


def consent_revoke(*, consent: Consent, actor=None, by_person: bool = False) -> Consent:
    """End a consent now. Access under it ends at once; what was already done stays on record."""
    with transaction.atomic():
        locked = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by_person = by_person
        locked.save(update_fields=["revoked_at", "revoked_by_person"])
        _consent_audit(locked, actor=actor, action="hearth.people.consent.revoked")
        for listener in _revocation_listeners:
            listener(locked)
    return locked


def consent_revoke_by_staff(*, actor, organization: Organization, consent_id) -> Consent:
    """Staff of the disclosing organization record that the person withdrew a consent."""
    consent = (
        Consent.objects.filter(pk=consent_id, disclosing_organization=organization)
        .select_related("person")
        .first()
    )
    if consent is None:
        raise access.PersonNotFound()
    access.person_for_change(user=actor, organization=organization, person_id=consent.person_id)
    return consent_revoke(consent=consent, actor=actor)


def consent_revoke_by_person(*, account: PortalAccount, consent_id) -> Consent:
    consent = Consent.objects.filter(pk=consent_id, person__portal_link__account=account).first()
    if consent is None:
        raise access.PersonNotFound()
    return consent_revoke(consent=consent, by_person=True)


# --- break the glass ---


def emergency_access_start(
    *, user, organization: Organization, person_id, reason: str
) -> EmergencyAccess:
    """Open a person's whole record in an emergency, for a short time, with a stated reason.

    Possible for staff of the holding organization and of organizations the person has given a
    consent to (live or past); anyone else gets "not found"."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": [_("Explain the emergency in a sentence.")]})
    role = access._role_in(user, organization)
    person = access._load(person_id)
    related = person is not None and (
        person.holder_id == organization.pk
        or any(c.covers_organization(organization) for c in person.consents.all())
    )
    if role in (None, "viewer") or person is None or person.erased_at is not None or not related:
        with transaction.atomic():
            audit.record(
                actor=user,
                action="hearth.people.person.refused",
                target=person,
                purpose=Purpose.EMERGENCY,
                organization=organization,
                detail={"reason": "no-emergency-basis"},
            )
        raise access.PersonNotFound()
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            person=person,
            user=user,
            organization=organization,
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=settings.HEARTH_BREAK_GLASS_MINUTES),
        )
        audit.record(
            actor=user,
            action="hearth.people.emergency.started",
            target=person,
            purpose=Purpose.EMERGENCY,
            organization=person.holder,
            detail={"emergency_access": str(grant.id), "by_organization": str(organization.pk)},
        )
    return grant


def emergency_access_review(
    *, actor, organization: Organization, emergency_id, note: str
) -> EmergencyAccess:
    """An admin of the holding organization reviews an emergency access afterwards."""
    from hearth.accounts.rules import is_org_admin

    grant = EmergencyAccess.objects.filter(pk=emergency_id, person__holder=organization).first()
    if grant is None or not is_org_admin(actor, organization):
        raise access.PersonNotFound()
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Write what the review found.")]})
    with transaction.atomic():
        grant.reviewed_at = timezone.now()
        grant.reviewed_by = actor
        grant.review_note = note
        grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
        audit.record(
            actor=actor,
            action="hearth.people.emergency.reviewed",
            target=grant.person,
            organization=organization,
            detail={"emergency_access": str(grant.id)},
        )
    return grant


# --- retention and erasure ---


def retention_set(
    *, actor, organization: Organization, records_days: int | None, notes_days: int | None
) -> RetentionPolicy:
    from hearth.accounts.rules import is_org_admin

    if not is_org_admin(actor, organization):
        raise access.PersonNotFound()
    errors = {}
    for name, value in (("records_days", records_days), ("notes_days", notes_days)):
        if value is not None and value < 1:
            errors[name] = [ValidationError(_("Enter a number of days of 1 or more."))]
    if records_days and notes_days and notes_days > records_days:
        errors["notes_days"] = [
            ValidationError(_("Notes cannot be kept longer than the record they belong to."))
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.update_or_create(
            organization=organization,
            defaults={"records_days": records_days, "notes_days": notes_days},
        )
        audit.record(
            actor=actor,
            action="hearth.people.retention.set",
            organization=organization,
            detail={"records_days": records_days, "notes_days": notes_days},
        )
    return policy


# Other apps that keep values about a person (referral payloads, check-in answers) register a
# function here; erasure calls each in the same transaction (pretix's data shredders).
_erasers: list = []


def register_eraser(eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


# Apps that keep something only while a consent lives (evaluation scores) register a function
# called, in the same transaction, when a consent is revoked.
_revocation_listeners: list = []


def register_revocation_listener(listener) -> None:
    if listener not in _revocation_listeners:
        _revocation_listeners.append(listener)


def _erase(person: Person, *, actor, reason: str) -> None:
    for eraser in _erasers:
        eraser(person)
    data_key_destroy(person.data_key)
    Person.objects.filter(pk=person.pk).update(
        sealed_identity=b"",
        sealed_contact=b"",
        sealed_needs=b"",
        sealed_strengths=b"",
        erased_at=timezone.now(),
    )
    PersonLookup.objects.filter(person=person).delete()
    PersonNote.objects.filter(person=person).delete()
    PortalLink.objects.filter(person=person).delete()
    PortalInvitation.objects.filter(person=person).delete()
    Consent.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
    ErasureRequest.objects.filter(person=person, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="hearth.people.person.erased",
        target=person,
        purpose=Purpose.ADMINISTRATION,
        organization=person.holder_id,
        detail={"reason": reason},
    )


def person_erase(*, actor, organization: Organization, person_id, reason: str = "request") -> None:
    """Erase a person by destroying their data key; a tombstone keeps counts right."""
    from hearth.accounts.rules import is_org_admin

    if not is_org_admin(actor, organization):
        raise access.PersonNotFound()
    with transaction.atomic():
        person = access.person_for_change(
            user=actor, organization=organization, person_id=person_id
        )
        _erase(person, actor=actor, reason=reason)


def erasure_request_create(*, account: PortalAccount, person_id) -> ErasureRequest:
    record = access.access_own_record(account=account, person_id=person_id)
    with transaction.atomic():
        request, _created = ErasureRequest.objects.get_or_create(
            person_id=record.id, completed_at__isnull=True
        )
        audit.record(
            actor=None,
            action="hearth.people.erasure.requested",
            target=request.person,
            purpose=Purpose.OWN_RECORD,
            organization=record.holder,
        )
    return request


def retention_purge(*, now: datetime | None = None) -> dict:
    """Erase records past their organization's retention and delete notes past theirs.
    Run daily (`hearth purge`); safe to run again."""
    now = now or timezone.now()
    erased = notes = 0
    for policy in RetentionPolicy.objects.select_related("organization"):
        if policy.notes_days:
            cutoff = now - timedelta(days=policy.notes_days)
            with transaction.atomic():
                old = PersonNote.objects.filter(
                    person__holder=policy.organization, created_at__lt=cutoff
                )
                count = old.count()
                if count:
                    old.delete()
                    audit.record(
                        actor=None,
                        action="hearth.people.note.purged",
                        organization=policy.organization,
                        detail={"notes": count, "older_than_days": policy.notes_days},
                    )
                notes += count
        if policy.records_days:
            cutoff = now - timedelta(days=policy.records_days)
            stale = Person.objects.filter(
                holder=policy.organization, erased_at__isnull=True, last_activity_at__lt=cutoff
            ).select_related("data_key")
            for person in stale.iterator(chunk_size=500):
                with transaction.atomic():
                    _erase(person, actor=None, reason="retention")
                erased += 1
    return {"erased": erased, "notes": notes}


# --- the person's own pages ---

PORTAL_INVITATION_DAYS = 14
PORTAL_MIN_PASSPHRASE = 10


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_invitation_create(*, actor, organization: Organization, person_id) -> str:
    """A one-time link for the person to set up their own pages; returns the token (shown once)."""
    person = access.person_for_change(user=actor, organization=organization, person_id=person_id)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        PortalInvitation.objects.create(
            person=person,
            token_hash=_token_hash(token),
            expires_at=timezone.now() + timedelta(days=PORTAL_INVITATION_DAYS),
        )
        audit.record(
            actor=actor,
            action="hearth.people.portal.invited",
            target=person,
            organization=organization,
        )
    return token


def portal_invitation_open(token: str) -> PortalInvitation | None:
    invitation = (
        PortalInvitation.objects.filter(token_hash=_token_hash(token or ""))
        .select_related("person")
        .first()
    )
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.expires_at <= timezone.now()
        or invitation.person.erased_at is not None
    ):
        return None
    return invitation


def _clean_account(sign_in_name: str, passphrase: str) -> str:
    errors = {}
    sign_in_name = (sign_in_name or "").strip().lower()
    if not (3 <= len(sign_in_name) <= 60) or not all(
        ch.isalnum() or ch in "-_." for ch in sign_in_name
    ):
        errors["sign_in_name"] = [
            ValidationError(_("Use 3 to 60 letters, numbers, dots, dashes or underscores."))
        ]
    elif PortalAccount.objects.filter(sign_in_name=sign_in_name).exists():
        errors["sign_in_name"] = [ValidationError(_("That sign-in name is taken; choose another."))]
    if len(passphrase or "") < PORTAL_MIN_PASSPHRASE:
        errors["passphrase"] = [
            ValidationError(
                _("Use a passphrase of at least %(count)d characters."),
                params={"count": PORTAL_MIN_PASSPHRASE},
            )
        ]
    if errors:
        raise ValidationError(errors)
    return sign_in_name


def portal_account_create(*, token: str, sign_in_name: str, passphrase: str) -> PortalAccount:
    """The person accepts an invitation by choosing a sign-in name and passphrase."""
    invitation = portal_invitation_open(token)
    if invitation is None:
        raise ValidationError({"token": [_("This link has expired or was already used.")]})
    if PortalLink.objects.filter(person=invitation.person).exists():
        raise ValidationError({"token": [_("This record is already linked to an account.")]})
    sign_in_name = _clean_account(sign_in_name, passphrase)
    with transaction.atomic():
        account = PortalAccount.objects.create(
            sign_in_name=sign_in_name, passphrase_hash=make_password(passphrase)
        )
        _link(account, invitation)
    return account


def portal_link_invitation(*, account: PortalAccount, token: str) -> PortalLink:
    """A person who already has their own pages links a record another organization holds."""
    invitation = portal_invitation_open(token)
    if invitation is None or PortalLink.objects.filter(person=invitation.person).exists():
        raise ValidationError({"token": [_("This link has expired or was already used.")]})
    with transaction.atomic():
        return _link(account, invitation)


def _link(account: PortalAccount, invitation: PortalInvitation) -> PortalLink:
    link = PortalLink.objects.create(account=account, person=invitation.person)
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit.record(
        actor=None,
        action="hearth.people.portal.linked",
        target=invitation.person,
        purpose=Purpose.OWN_RECORD,
        organization=invitation.person.holder_id,
    )
    return link


def portal_authenticate(*, sign_in_name: str, passphrase: str) -> PortalAccount | None:
    """The account for these credentials, or None; the same work is done either way."""
    account = PortalAccount.objects.filter(
        sign_in_name=(sign_in_name or "").strip().lower()
    ).first()
    if account is None:
        make_password(passphrase)  # spend the same time as a real check
        return None
    if not check_password(passphrase, account.passphrase_hash):
        return None
    PortalAccount.objects.filter(pk=account.pk).update(last_sign_in_at=timezone.now())
    return account


# --- the person's own sign-in ---


def portal_sign_in_record(*, account: PortalAccount, time_step: int | None = None) -> None:
    """Note a completed sign-in on the account (and the code step it used, so it cannot be
    used again)."""
    with transaction.atomic():
        fields = ["last_sign_in_at"]
        account.last_sign_in_at = timezone.now()
        if time_step is not None:
            account.totp_last_step = time_step
            fields.append("totp_last_step")
        account.save(update_fields=fields)
        audit.record(
            actor=None,
            action="hearth.people.portal.signed_in",
            target=account,
            purpose=Purpose.OWN_RECORD,
            detail={"second_step": time_step is not None},
        )


def portal_second_step_enable(*, account: PortalAccount, secret: bytes, code: str) -> PortalAccount:
    """Turn on the second step once the person has shown their app makes the right codes."""
    from .portal_auth import verify_code

    time_step = verify_code(secret, code, after=None)
    if time_step is None:
        raise ValidationError(
            {"token": [_("That code is not right. Check the app and try again.")]}
        )
    with transaction.atomic():
        account.totp_secret = bytes(secret)
        account.totp_last_step = time_step
        account.save(update_fields=["totp_secret", "totp_last_step"])
        audit.record(
            actor=None,
            action="hearth.people.portal.second_step_enabled",
            target=account,
            purpose=Purpose.OWN_RECORD,
        )
    return account


def portal_second_step_disable(*, account: PortalAccount, passphrase: str) -> PortalAccount:
    """Turn the second step off; the passphrase must be given again."""
    if not check_password(passphrase or "", account.passphrase_hash):
        raise ValidationError({"passphrase": [_("That passphrase is not right.")]})
    with transaction.atomic():
        account.totp_secret = b""
        account.totp_last_step = None
        account.save(update_fields=["totp_secret", "totp_last_step"])
        audit.record(
            actor=None,
            action="hearth.people.portal.second_step_disabled",
            target=account,
            purpose=Purpose.OWN_RECORD,
        )
    return account


def portal_passphrase_change(*, account: PortalAccount, current: str, new: str) -> PortalAccount:
    """Change the passphrase. Every other session of the account ends (the session keeps a
    fingerprint of the passphrase hash; see `portal_auth.current_account`)."""
    errors: dict[str, list] = {}
    if not check_password(current or "", account.passphrase_hash):
        errors["current"] = [ValidationError(_("That is not your current passphrase."))]
    if len(new or "") < PORTAL_MIN_PASSPHRASE:
        errors["new"] = [
            ValidationError(
                _("Use a passphrase of at least %(count)d characters."),
                params={"count": PORTAL_MIN_PASSPHRASE},
            )
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        account.passphrase_hash = make_password(new)
        account.save(update_fields=["passphrase_hash"])
        audit.record(
            actor=None,
            action="hearth.people.portal.passphrase_changed",
            target=account,
            purpose=Purpose.OWN_RECORD,
        )
    return account


def portal_link_remove(*, actor, organization: Organization, person_id) -> None:
    """Staff unlink a record from the person's own pages (a forgotten passphrase, a shared
    device), so that a fresh invitation can be made."""
    person = access.person_for_change(user=actor, organization=organization, person_id=person_id)
    with transaction.atomic():
        removed, _rows = PortalLink.objects.filter(person=person).delete()
        if removed:
            audit.record(
                actor=actor,
                action="hearth.people.portal.unlinked",
                target=person,
                organization=organization,
            )


# --- contacting the person ---


class ContactRefused(Exception):
    """The safe-contact rules refuse this message; `decision.explain()` says why."""

    def __init__(self, decision):
        super().__init__(", ".join(decision.reasons))
        self.decision = decision


def person_contact(
    *,
    actor,
    organization: Organization,
    person_id,
    purpose: str,
    channel: str,
    detail: str,
    subject: str = "",
    body: str = "",
    may_leave_voicemail: bool = False,
    at: datetime | None = None,
):
    """Every message to a person goes through here: the preferences are read afresh through the
    gate and the safe-contact policy decides. Hearth sends e-mail itself; calls and texts are
    made by staff, who ask here first. Refusals are recorded and raise ContactRefused."""
    from django.core.mail import send_mail

    from .safe_contact import Channel, OutgoingMessage, check_contact

    record = access.access_person(
        user=actor,
        organization=organization,
        person_id=person_id,
        purpose=purpose,
        categories=[Category.CONTACT],
    )
    decision = check_contact(
        record.contact,
        OutgoingMessage(
            channel=channel,
            at=at or timezone.now(),
            detail=detail,
            may_leave_voicemail=may_leave_voicemail,
        ),
    )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="hearth.people.contact.sent"
            if decision.allowed
            else "hearth.people.contact.refused",
            target=Person(pk=record.id),
            purpose=purpose,
            organization=organization,
            detail={"channel": channel, "detail": detail, "reasons": list(decision.reasons)},
        )
    if not decision.allowed:
        raise ContactRefused(decision)
    if channel == Channel.EMAIL:
        send_mail(subject, body, None, [decision.address])
    return decision
