"""Every change to a referral. `referral_transition()` is the one place a status changes.

The state machine is the FHIR SDOH Clinical Care IG's Task lifecycle (REFERENCES §2): which
status may follow which, which side may set each, and where a reason is required."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hearth.accounts.models import Membership, Organization
from hearth.accounts.rules import PERSONAL_DATA_ROLES
from hearth.core import audit, crypto
from hearth.core.notifications import notify
from hearth.directory.models import Service
from hearth.people import access
from hearth.people import services as people_services
from hearth.people.models import Category, Person, PortalAccount, Purpose

from .models import CLOSED_STATUSES, Referral, ReferralEvent, ReferralMessage, Side, Status

S = Status

# Which status may follow which (any status may also become entered-in-error).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.REQUESTED}),
    S.REQUESTED: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.FAILED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.COMPLETED, S.FAILED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.COMPLETED, S.FAILED, S.CANCELLED}),
}

# Who sets each status.
SET_BY: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({Side.REQUESTER}),
    S.REQUESTED: frozenset({Side.REQUESTER}),
    S.ENTERED_IN_ERROR: frozenset({Side.REQUESTER}),
    S.ACCEPTED: frozenset({Side.RECEIVER}),
    S.REJECTED: frozenset({Side.RECEIVER}),
    S.IN_PROGRESS: frozenset({Side.RECEIVER}),
    S.ON_HOLD: frozenset({Side.RECEIVER}),
    S.FAILED: frozenset({Side.RECEIVER}),
    S.COMPLETED: frozenset({Side.RECEIVER}),
    S.CANCELLED: frozenset({Side.REQUESTER, Side.RECEIVER}),
}

REASON_REQUIRED = frozenset({S.REJECTED, S.CANCELLED, S.ON_HOLD, S.FAILED})


class Reason(models.TextChoices):
    """Why a referral was declined, cancelled, put on hold or failed: codes, so the network can
    count unmet needs without reading anyone's story."""

    NO_CAPACITY = "no-capacity", gettext_lazy("No capacity")
    NOT_ELIGIBLE = "not-eligible", gettext_lazy("Not eligible for this service")
    PERSON_DECLINED = "person-declined", gettext_lazy("The person decided not to go ahead")
    NOT_REACHED = "not-reached", gettext_lazy("Could not reach the person safely")
    BETTER_ELSEWHERE = "better-elsewhere", gettext_lazy("Another service fits better")
    WAITING = "waiting", gettext_lazy("Waiting for something to happen first")
    DUPLICATE = "duplicate", gettext_lazy("Made twice by mistake")
    OTHER = "other", gettext_lazy("Another reason")


def possible_next(status: str) -> frozenset[str]:
    following = set(TRANSITIONS.get(status, frozenset()))
    if status != S.ENTERED_IN_ERROR:
        following.add(S.ENTERED_IN_ERROR)
    return frozenset(following)


def allowed_next(status: str, side: str) -> list[str]:
    """The statuses `side` may move a referral in `status` to, in lifecycle order."""
    order = list(Status.values)
    return sorted((to for to in possible_next(status) if side in SET_BY[to]), key=order.index)


class TransitionRefused(Exception):
    """An illegal or unauthorised transition, a missing reason or a stale form. `allowed` names
    the statuses that may follow; `conflict` is true when the referral changed meanwhile."""

    def __init__(self, message: str, *, allowed=(), conflict: bool = False, field: str = ""):
        super().__init__(message)
        self.message = message
        self.allowed = list(allowed)
        self.conflict = conflict
        self.field = field


class ReferralNotFound(access.PersonNotFound):
    """A referral that does not exist or that the reader may not see: the same answer."""


def side_of(
    user, organization: Organization | None, referral: Referral, *, role: str | None = None
) -> str | None:
    """Which side `user`, acting for `organization`, is on, or None if neither.

    `role` is the user's role in `organization` when the caller has just read it from the
    database in this request (API token authentication does); otherwise it is looked up."""
    if organization is None or not getattr(user, "is_authenticated", False):
        return None
    if role is None:
        is_staff = Membership.objects.filter(
            user=user, organization=organization, role__in=PERSONAL_DATA_ROLES
        ).exists()
    else:
        is_staff = role in PERSONAL_DATA_ROLES
    if not is_staff:
        return None
    if organization.pk == referral.sending_organization_id:
        return Side.REQUESTER
    if organization.pk == referral.receiving_organization_id:
        return Side.RECEIVER
    return None


def _staff_of(organization_id) -> list:
    from hearth.accounts.models import User

    return list(
        User.objects.filter(
            memberships__organization_id=organization_id,
            memberships__role__in=PERSONAL_DATA_ROLES,
            is_active=True,
        ).only("id", "email", "is_active", "preferred_language", "is_demo")
    )


def _notify_other_side(referral: Referral, side: str, kind: str) -> None:
    other = (
        referral.receiving_organization_id
        if side in (Side.REQUESTER, Side.PERSON)
        else referral.sending_organization_id
    )
    users = _staff_of(other) if other else []
    if side == Side.PERSON and referral.sending_organization_id:
        users += _staff_of(referral.sending_organization_id)
    notify(users, kind=kind, link=reverse("referrals:detail", args=[referral.pk]))


@dataclass(frozen=True)
class Timestamps:
    field: str
    when: str


def _apply_timestamps(referral: Referral, to_status: str, now: datetime) -> list[str]:
    changed = ["status", "status_reason", "status_changed_at", "version"]
    if to_status == S.REQUESTED and referral.requested_at is None:
        referral.requested_at = now
        changed.append("requested_at")
    if referral.status == S.REQUESTED and to_status != S.REQUESTED and not referral.acknowledged_at:
        referral.acknowledged_at = now
        changed.append("acknowledged_at")
    if to_status == S.ACCEPTED and referral.accepted_at is None:
        referral.accepted_at = now
        changed.append("accepted_at")
    if to_status in CLOSED_STATUSES:
        referral.closed_at = now
        changed.append("closed_at")
    return changed


def referral_transition(
    *,
    actor,
    organization: Organization | None,
    referral_id,
    to_status: str,
    reason: str = "",
    note: str = "",
    expected_version: int | None = None,
    side: str | None = None,
    actor_role: str | None = None,
) -> Referral:
    """Move a referral to `to_status`, or raise TransitionRefused naming what is allowed.

    `side` is worked out from `organization` (the system passes it for self-referrals);
    `actor_role` is the actor's role in `organization` if the caller read it in this request.
    `expected_version` is the version the actor's form was filled in against: if the referral
    changed since, nothing is overwritten and the refusal says so."""
    with transaction.atomic():
        try:
            referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral_id)
        except (Referral.DoesNotExist, ValueError, ValidationError):
            raise ReferralNotFound() from None
        side = side or side_of(actor, organization, referral, role=actor_role)
        if side is None:
            raise ReferralNotFound()
        _apply_transition(
            referral,
            actor=actor,
            organization=organization,
            side=side,
            to_status=to_status,
            reason=reason,
            note=note,
            expected_version=expected_version,
        )
    return referral


def _apply_transition(
    referral: Referral,
    *,
    actor,
    organization: Organization | None,
    side: str,
    to_status: str,
    reason: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> None:
    """The state machine itself, on a referral locked (or just made) in the caller's
    transaction by an actor known to be on `side`."""
    if expected_version is not None and expected_version != referral.version:
        raise TransitionRefused(
            _(
                "Someone changed this referral while you were looking at it: it is now "
                "“%(status)s”. Nothing was changed; check it and try again."
            )
            % {"status": referral.get_status_display()},
            allowed=allowed_next(referral.status, side),
            conflict=True,
        )
    if to_status not in Status.values or to_status not in possible_next(referral.status):
        allowed = allowed_next(referral.status, side)
        raise TransitionRefused(
            _("A referral that is “%(status)s” cannot become “%(to)s”. %(allowed)s")
            % {
                "status": referral.get_status_display(),
                "to": to_status,
                "allowed": _describe_allowed(allowed),
            },
            allowed=allowed,
        )
    if side not in SET_BY[to_status]:
        allowed = allowed_next(referral.status, side)
        raise TransitionRefused(
            _("Only the %(who)s can set “%(to)s”. %(allowed)s")
            % {
                "who": " / ".join(str(Side(s).label).lower() for s in sorted(SET_BY[to_status])),
                "to": Status(to_status).label,
                "allowed": _describe_allowed(allowed),
            },
            allowed=allowed,
        )
    if to_status in REASON_REQUIRED and reason not in Reason.values:
        raise TransitionRefused(
            _("Choose a reason for “%(to)s”.") % {"to": Status(to_status).label},
            allowed=allowed_next(referral.status, side),
            field="reason",
        )
    if reason and reason not in Reason.values:
        raise TransitionRefused(_("Choose a reason from the list."), field="reason")
    note = (note or "").strip()
    if len(note) > 500:
        raise TransitionRefused(_("Keep the note to 500 characters."), field="note")
    now = timezone.now()
    previous = referral.status
    changed = _apply_timestamps(referral, to_status, now)
    referral.status = to_status
    referral.status_reason = reason
    referral.status_changed_at = now
    referral.version += 1
    referral.save(update_fields=changed)
    ReferralEvent.objects.create(
        referral=referral,
        from_status=previous,
        to_status=to_status,
        reason=reason,
        side=side,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=now,
    )
    if note:
        _add_message(referral, side=side, author=actor, body=note)
    _notify_other_side(referral, side, f"referral.{to_status}")
    audit.record(
        actor=actor,
        action="hearth.referrals.referral.transitioned",
        target=referral,
        purpose=Purpose.REFERRAL,
        organization=organization,
        detail={"from": previous, "to": to_status, "side": side, "reason": reason},
    )


def _describe_allowed(allowed: list[str]) -> str:
    if not allowed:
        return _("Nothing more can be changed from your side.")
    return _("From here you can set: %(statuses)s.") % {
        "statuses": ", ".join(f"“{Status(s).label}”" for s in allowed)
    }


# --- making a referral ---

PAYLOAD_CATEGORIES = (Category.IDENTITY, Category.CONTACT, Category.NEEDS, Category.STRENGTHS)


def _receiver_of(service: Service) -> Organization:
    listing = service.organization
    member = listing.member if listing is not None else None
    if service.status != Service.Status.ACTIVE:
        raise ValidationError(
            {"service": [_("This service is not active, so it cannot take referrals.")]}
        )
    if member is None or not member.is_active:
        raise ValidationError(
            {"service": [_("This service does not take referrals through Hearth yet.")]}
        )
    return member


def _seal_payload(receiver: Organization, payload: dict) -> bytes:
    return crypto.seal_for_organization(receiver, json.dumps(payload, sort_keys=True).encode())


def referral_create(
    *,
    actor,
    organization: Organization,
    person_id,
    service_id,
    categories,
    summary: str,
    expires_at: datetime | None,
    attestation: str,
    need_code: str = "",
    send: bool = True,
) -> Referral:
    """Refer a person the organization holds to a service, with their consent for exactly the
    categories of information that travel. The payload is sealed to the receiving organization;
    consent is recorded for this disclosure; a do-not-contact flag always travels."""
    service = Service.objects.select_related("organization__member").filter(pk=service_id).first()
    if service is None:
        raise ValidationError({"service": [_("Choose a service from the directory.")]})
    receiver = _receiver_of(service)
    if receiver.pk == organization.pk:
        raise ValidationError({"service": [_("This is your own organization's service.")]})
    categories = sorted(set(categories or []))
    if not set(categories) <= set(PAYLOAD_CATEGORIES) or Category.IDENTITY not in categories:
        raise ValidationError(
            {"categories": [_("Choose what travels; the name they want to be called always does.")]}
        )
    summary = (summary or "").strip()
    if len(summary) > 2000:
        raise ValidationError({"summary": [_("Keep the summary to 2000 characters or fewer.")]})
    with transaction.atomic():
        person, record = access.open_for_change(
            user=actor, organization=organization, person_id=person_id, purpose=Purpose.REFERRAL
        )
        consent = people_services.consent_record(
            actor=actor,
            organization=organization,
            person_id=person.id,
            recipient_organization=receiver,
            categories=categories,
            purpose=Purpose.REFERRAL,
            expires_at=expires_at,
            attestation=attestation,
            opened=person,
        )
        payload = {category: getattr(record, category) for category in categories}
        payload["summary"] = summary
        do_not_contact = bool((record.contact or {}).get("do_not_contact"))
        terms = (record.needs or {}).get("terms") or []
        referral = Referral.objects.create(
            person=person,
            sending_organization=organization,
            receiving_organization=receiver,
            service=service,
            consent=consent,
            sealed_payload=_seal_payload(receiver, payload),
            payload_categories=categories,
            do_not_contact=do_not_contact,
            need_code=need_code or (terms[0] if terms else ""),
            conversation_key=crypto.data_key_create(),
            created_by=actor,
        )
        ReferralEvent.objects.create(
            referral=referral, to_status=S.DRAFT, side=Side.REQUESTER, actor=actor
        )
        audit.record(
            actor=actor,
            action="hearth.referrals.referral.created",
            target=referral,
            purpose=Purpose.REFERRAL,
            organization=organization,
            detail={
                "receiver": str(receiver.pk),
                "service": str(service.pk),
                "categories": categories,
                "consent": str(consent.pk),
            },
        )
        if send:
            # Made in this transaction, so no one else can see it yet: no lock to take.
            _apply_transition(
                referral,
                actor=actor,
                organization=organization,
                side=Side.REQUESTER,
                to_status=S.REQUESTED,
            )
    return referral


def self_referral_create(
    *, service_id, identity: dict, contact: dict, message: str = ""
) -> Referral:
    """ "Ask this service to contact me": a person leaves a chosen name and safe-contact
    preferences; the organization behind the service then holds them. No account needed."""
    service = Service.objects.select_related("organization__member").filter(pk=service_id).first()
    if service is None:
        raise ReferralNotFound()
    receiver = _receiver_of(service)
    message = (message or "").strip()
    if len(message) > 1000:
        raise ValidationError({"message": [_("Keep the message to 1000 characters or fewer.")]})
    with transaction.atomic():
        person = people_services.person_create_by_self(
            organization=receiver, identity=identity, contact=contact
        )
        cleaned_identity = people_services.clean_identity(identity)
        cleaned_contact = people_services.clean_preferences(contact)
        payload = {"identity": cleaned_identity, "contact": cleaned_contact, "summary": message}
        referral = Referral.objects.create(
            person=person,
            sending_organization=None,
            receiving_organization=receiver,
            service=service,
            is_self_referral=True,
            sealed_payload=_seal_payload(receiver, payload),
            payload_categories=[Category.CONTACT.value, Category.IDENTITY.value],
            do_not_contact=bool(cleaned_contact.get("do_not_contact")),
            conversation_key=crypto.data_key_create(),
            status=S.REQUESTED,
            requested_at=timezone.now(),
        )
        ReferralEvent.objects.create(
            referral=referral, from_status=S.DRAFT, to_status=S.REQUESTED, side=Side.PERSON
        )
        audit.record(
            actor=None,
            action="hearth.referrals.referral.self_referred",
            target=referral,
            purpose=Purpose.REFERRAL,
            organization=receiver,
            detail={"service": str(service.pk)},
        )
        _notify_other_side(referral, Side.PERSON, "referral.requested")
    return referral


# --- reading what travelled, and the conversation ---


def _disclosure(user, organization, referral: Referral, what: str):
    return access.access_disclosure(
        user=user,
        organization=organization,
        person_id=referral.person_id,
        consent_id=referral.consent_id,
        what=what,
    )


def referral_open_payload(*, user, organization: Organization, referral: Referral) -> dict:
    """The receiving organization opens what travelled — only while the consent lives (a
    self-referral: the receiver holds the person, so its staff may by role)."""
    if organization.pk != referral.receiving_organization_id:
        raise ReferralNotFound()
    _disclosure(user, organization, referral, "referral-payload")
    if not referral.sealed_payload:
        return {}
    return json.loads(crypto.open_sealed(organization, bytes(referral.sealed_payload)))


def _conversation_cipher(referral: Referral) -> crypto.Cipher:
    return crypto.Cipher(referral.conversation_key)


def _add_message(referral: Referral, *, side: str, author, body: str) -> ReferralMessage:
    message = ReferralMessage(
        referral=referral,
        side=side,
        author=author if getattr(author, "is_authenticated", False) else None,
    )
    message.sealed_body = _conversation_cipher(referral).encrypt(
        body.encode(), f"referral-message:{message.id}"
    )
    message.save()
    return message


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message before sending it.")]})
    if len(body) > 2000:
        raise ValidationError({"body": [_("Keep a message to 2000 characters or fewer.")]})
    return body


def referral_messages(*, user, organization: Organization, referral: Referral) -> list[dict]:
    """The conversation, for either side, while the consent lives."""
    if side_of(user, organization, referral) is None:
        raise ReferralNotFound()
    _disclosure(user, organization, referral, "referral-conversation")
    return _decrypt_messages(referral)


def _decrypt_messages(referral: Referral) -> list[dict]:
    cipher = _conversation_cipher(referral)
    return [
        {
            "side": message.side,
            "author": message.author.get_full_name() if message.author else "",
            "sent_at": message.sent_at,
            "body": cipher.decrypt(message.sealed_body, f"referral-message:{message.id}").decode(),
        }
        for message in referral.messages.select_related("author")
    ]


def message_send(*, actor, organization: Organization, referral_id, body: str) -> ReferralMessage:
    body = _clean_body(body)
    with transaction.atomic():
        referral = (
            Referral.objects.select_related("conversation_key").filter(pk=referral_id).first()
        )
        if referral is None:
            raise ReferralNotFound()
        side = side_of(actor, organization, referral)
        if side is None:
            raise ReferralNotFound()
        _disclosure(actor, organization, referral, "referral-conversation")
        message = _add_message(referral, side=side, author=actor, body=body)
        audit.record(
            actor=actor,
            action="hearth.referrals.message.sent",
            target=referral,
            purpose=Purpose.REFERRAL,
            organization=organization,
            detail={"side": side},
        )
        _notify_other_side(referral, side, "referral.message")
    return message


# --- the person's view ---


def referrals_of_person(account: PortalAccount):
    """The referrals about records linked to the person's own pages (statuses, not payloads)."""
    return (
        Referral.objects.filter(person__portal_link__account=account)
        .exclude(status=S.DRAFT)
        .select_related("service", "receiving_organization", "sending_organization", "consent")
        .order_by("-created_at")
    )


def _person_referral(account: PortalAccount, referral_id) -> Referral:
    referral = referrals_of_person(account).filter(pk=referral_id).first()
    if referral is None:
        raise ReferralNotFound()
    access.access_own_record(account=account, person_id=referral.person_id)
    return referral


def person_referral_messages(*, account: PortalAccount, referral_id) -> tuple[Referral, list[dict]]:
    referral = _person_referral(account, referral_id)
    consent_live = referral.consent is None or referral.consent.is_live()
    return referral, (_decrypt_messages(referral) if consent_live else [])


def person_message_send(*, account: PortalAccount, referral_id, body: str) -> ReferralMessage:
    body = _clean_body(body)
    referral = _person_referral(account, referral_id)
    if referral.consent is not None and not referral.consent.is_live():
        raise ReferralNotFound()
    with transaction.atomic():
        message = _add_message(referral, side=Side.PERSON, author=None, body=body)
        audit.record(
            actor=None,
            action="hearth.referrals.message.sent",
            target=referral,
            purpose=Purpose.OWN_RECORD,
            organization=referral.receiving_organization,
            detail={"side": Side.PERSON},
        )
        _notify_other_side(referral, Side.PERSON, "referral.message")
    return message


# --- erasure ---


def referrals_erase_for_person(person: Person) -> None:
    """Called when a person is erased: destroy each referral's conversation key and empty its
    payload. Status history stays, identifying no one."""
    for referral in Referral.objects.filter(person=person).select_related("conversation_key"):
        crypto.data_key_destroy(referral.conversation_key)
    Referral.objects.filter(person=person).update(sealed_payload=b"")


# --- reminders ---


def referrals_remind(*, now: datetime | None = None) -> int:
    """Flag referrals unanswered past their acknowledgement period: remind the sending
    organization's staff and the coordinators of the receiving organization's networks, at most
    once a day per referral. Run it hourly (`hearth referrals-remind`)."""
    from hearth.accounts.models import Coordinator

    from .selectors import overdue_referrals

    now = now or timezone.now()
    reminded = 0
    for referral in overdue_referrals(now=now):
        if referral.last_reminded_at and now - referral.last_reminded_at < timedelta(days=1):
            continue
        users = (
            _staff_of(referral.sending_organization_id) if referral.sending_organization_id else []
        )
        users += [
            coordinator.user
            for coordinator in Coordinator.objects.filter(
                network__memberships__organization_id=referral.receiving_organization_id
            ).select_related("user")
        ]
        with transaction.atomic():
            Referral.objects.filter(pk=referral.pk).update(last_reminded_at=now)
            notify(
                users, kind="referral.overdue", link=reverse("referrals:detail", args=[referral.pk])
            )
            audit.record(
                actor=None,
                action="hearth.referrals.reminder.sent",
                target=referral,
                purpose=Purpose.REFERRAL,
                organization=referral.sending_organization_id or referral.receiving_organization_id,
                detail={"notified": len({user.pk for user in users})},
            )
        reminded += 1
    return reminded


# --- API tokens ---


def _token_digest(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, actor, organization: Organization, name: str):
    """A bearer token for the referral and FHIR APIs, acting as `actor` for `organization`.
    Only an admin may create one; the token is returned once and only its hash is kept."""
    import secrets

    from hearth.accounts.rules import is_org_admin

    from .models import ApiToken

    if not is_org_admin(actor, organization):
        raise ReferralNotFound()
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(
            {"name": [_("Name the token after what uses it (up to 100 characters).")]}
        )
    token = "hearth_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        record = ApiToken.objects.create(
            organization=organization, user=actor, name=name, token_hash=_token_digest(token)
        )
        audit.record(
            actor=actor,
            action="hearth.referrals.token.created",
            target=record,
            organization=organization,
            detail={"name": name},
        )
    return record, token


def api_token_revoke(*, actor, organization: Organization, token_id) -> None:
    from hearth.accounts.rules import is_org_admin

    from .models import ApiToken

    record = ApiToken.objects.filter(pk=token_id, organization=organization).first()
    if record is None or not is_org_admin(actor, organization):
        raise ReferralNotFound()
    with transaction.atomic():
        ApiToken.objects.filter(pk=record.pk).update(revoked_at=timezone.now())
        audit.record(
            actor=actor,
            action="hearth.referrals.token.revoked",
            target=record,
            organization=organization,
        )


_TOKEN_QUERIES: dict[str, tuple] = {}


def _token_query(connection) -> tuple:
    """The one statement that authenticates a bearer token — the token, its user, its
    organization and the user's role there, by the token's digest — and how to turn its row into
    model instances. Written out once per database rather than built by the ORM on every
    request (building it cost several times running it); the columns and converters come from
    the models' fields, so it follows them."""
    if connection.vendor in _TOKEN_QUERIES:
        return _TOKEN_QUERIES[connection.vendor]
    from hearth.accounts.models import User

    from .models import ApiToken

    quote = connection.ops.quote_name

    def column(model, alias: str, name: str) -> str:
        return f"{alias}.{quote(model._meta.get_field(name).column)}"

    parts = []  # (model, attnames, [(position in the row, converters, column)])
    selected = []
    for model, alias in ((ApiToken, "t"), (User, "u"), (Organization, "o")):
        converters = []
        for field in model._meta.concrete_fields:
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((len(selected), found, col))
            selected.append(f"{alias}.{quote(field.column)}")
        parts.append((model, [f.attname for f in model._meta.concrete_fields], converters))
    token, user, organization, membership = (
        lambda name: column(ApiToken, "t", name),
        lambda name: column(User, "u", name),
        lambda name: column(Organization, "o", name),
        lambda name: column(Membership, "m", name),
    )
    # Identifiers only, quoted by the backend; the digest is the one parameter.
    sql = (
        f"SELECT {', '.join(selected)}, {membership('role')} "  # noqa: S608
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON {user('id')} = {token('user')} "
        f"JOIN {quote(Organization._meta.db_table)} o "
        f"ON {organization('id')} = {token('organization')} "
        f"LEFT JOIN {quote(Membership._meta.db_table)} m ON {membership('user')} = "
        f"{token('user')} AND {membership('organization')} = {token('organization')} "
        f"WHERE {token('token_hash')} = %s AND {token('revoked_at')} IS NULL"
    )
    _TOKEN_QUERIES[connection.vendor] = (sql, parts)
    return sql, parts


def api_token_authenticate(token: str):
    """The live token for this bearer string whose user still works for its organization, with
    that user's `role` there (read in the same query)."""
    from django.db import connection

    from .models import ApiToken

    sql, parts = _token_query(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_token_digest(token or "")])
        row = cursor.fetchone()  # the digest is unique: one row or none
    if row is None:
        return None
    values = list(row)
    instances = []
    start = 0
    for model, attnames, converters in parts:
        # Values as the ORM gives them (UUIDs, time zones, JSON): each field's converters.
        for position, found, col in converters:
            for converter in found:
                values[position] = converter(values[position], col, connection)
        end = start + len(attnames)
        instances.append(model.from_db(connection.alias, attnames, values[start:end]))
        start = end
    record, user, organization = instances
    record.user, record.organization, record.role = user, organization, values[start]
    if not user.is_active or not organization.is_active:
        return None
    if record.role not in PERSONAL_DATA_ROLES:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


# --- export ---


def referral_export(*, actor, organization: Organization, referral: Referral) -> dict:
    """The referral as a FHIR bundle (its Task, ServiceRequest and disclosure Consent) for
    either side, naming the person by id only; every export is in the audit trail."""
    from .fhir import referral_bundle

    if side_of(actor, organization, referral) is None:
        raise ReferralNotFound()
    bundle = referral_bundle(referral)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="hearth.referrals.referral.exported",
            target=referral,
            purpose=Purpose.REFERRAL,
            organization=organization,
            detail={"format": "fhir-bundle"},
        )
    return bundle
