"""Every state change for accounts, organizations and networks. Each function runs in one
transaction and records itself in the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.core import audit

from .models import (
    Coordinator,
    Invitation,
    Membership,
    Network,
    NetworkMembership,
    Organization,
    Role,
    SignInAttempt,
    User,
)

# ---------------------------------------------------------------------------------------------
# Users


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    full_name: str,
    password: str | None,
    preferred_language: str = "en",
    is_superuser: bool = False,
    is_demo: bool = False,
) -> User:
    """Create an account. A `None` password leaves it unusable until set by a reset link."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    manager = User.objects
    make = manager.create_superuser if is_superuser else manager.create_user
    user = make(
        email=email,
        password=password,
        full_name=full_name.strip(),
        preferred_language=preferred_language,
        is_demo=is_demo,
    )
    audit.record(actor=actor, action="hearth.accounts.user.created", target=user)
    return user


@transaction.atomic
def user_update_profile(
    *, actor: User, user: User, full_name: str, preferred_language: str
) -> User:
    """Change a user's own name and language."""
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    audit.record(
        actor=actor,
        action="hearth.accounts.user.updated",
        target=user,
        detail={"fields": ["full_name", "preferred_language"]},
    )
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str, how: str) -> None:
    """Set a new password (after a reset link, or a change while signed in)."""
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor=actor, action="hearth.accounts.user.password_set", target=user, detail={"how": how}
    )


# ---------------------------------------------------------------------------------------------
# Sign-in and throttling


def _normalize(email: str) -> str:
    return (email or "").strip().lower()[:254]


def sign_in_locked(*, email: str, origin_address: str) -> bool:
    """True when too many recent failures came for this account or from this origin."""
    since = timezone.now() - timedelta(minutes=settings.HEARTH_SIGN_IN_WINDOW_MINUTES)
    recent = SignInAttempt.objects.filter(attempted_at__gte=since, succeeded=False)
    return (
        recent.filter(email=_normalize(email)).count()
        >= settings.HEARTH_SIGN_IN_MAX_FAILURES_PER_ACCOUNT
        or recent.filter(origin_address=origin_address).count()
        >= settings.HEARTH_SIGN_IN_MAX_FAILURES_PER_ORIGIN
    )


@transaction.atomic
def sign_in_attempt_record(
    *, email: str, origin_address: str, user: User | None, succeeded: bool
) -> None:
    """Keep a sign-in attempt for throttling and the audit trail. A success clears the
    account's earlier failures."""
    email = _normalize(email)
    SignInAttempt.objects.create(email=email, origin_address=origin_address, succeeded=succeeded)
    if succeeded:
        SignInAttempt.objects.filter(email=email, succeeded=False).delete()
        audit.record(actor=user, action="hearth.accounts.user.signed_in", target=user)
    else:
        # The typed address is not recorded: it may be a mistyped password or someone else's.
        audit.record(
            actor=None,
            action="hearth.accounts.user.sign_in_failed",
            target=user,
            detail={"known_account": user is not None},
        )


@transaction.atomic
def sign_out_record(*, user: User, how: str) -> None:
    audit.record(
        actor=user, action="hearth.accounts.user.signed_out", target=user, detail={"how": how}
    )


def sign_in_attempts_purge(*, older_than_days: int = 30) -> int:
    """Throttling only needs the recent past; keep nothing longer than necessary."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _detail = SignInAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------------------------------------
# Two-factor


@transaction.atomic
def two_factor_device_start(*, user: User) -> TOTPDevice:
    """Begin setting up an authenticator app: an unconfirmed device with a fresh secret."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def two_factor_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm a new device with a code from it; only then does it count."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=user, action="hearth.accounts.two_factor.enabled", target=user)
    return True


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, organization: Organization) -> None:
    """An organization admin removes a member's lost authenticator, so they can set up a new one
    at their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        actor=actor,
        action="hearth.accounts.two_factor.reset",
        target=user,
        organization=organization,
    )


# ---------------------------------------------------------------------------------------------
# Networks and organizations


def _unique_slug_error(field: str = "slug") -> ValidationError:
    return ValidationError({field: _("This short name is already taken. Choose another.")})


@transaction.atomic
def network_create(
    *, actor: User, slug: str, name: str, region: str = "", description: str = ""
) -> Network:
    """Create a regional network; its creator becomes its first coordinator."""
    if Network.objects.filter(slug=slug).exists():
        raise _unique_slug_error()
    network = Network.objects.create(slug=slug, name=name, region=region, description=description)
    audit.record(
        actor=actor, action="hearth.accounts.network.created", target=network, network=network
    )
    Coordinator.objects.create(user=actor, network=network)
    audit.record(
        actor=actor,
        action="hearth.accounts.coordinator.added",
        target=actor,
        network=network,
    )
    return network


@transaction.atomic
def network_update(*, actor: User, network: Network, **fields) -> Network:
    changed = _apply(network, fields, allowed={"name", "region", "description"})
    if changed:
        network.save(update_fields=changed)
        audit.record(
            actor=actor,
            action="hearth.accounts.network.updated",
            target=network,
            network=network,
            detail={"fields": changed},
        )
    return network


def _apply(instance, fields: dict, *, allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Fields that cannot be changed here: {sorted(unknown)}")
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return sorted(changed)


ORGANIZATION_FIELDS = {"name", "kind", "description", "website", "email", "phone", "town"}


@transaction.atomic
def organization_create(
    *, actor: User, network: Network | None, slug: str, **fields
) -> Organization:
    """Create an organization, in a network when one is given."""
    if Organization.objects.filter(slug=slug).exists():
        raise _unique_slug_error()
    organization = Organization(slug=slug)
    _apply(organization, fields, allowed=ORGANIZATION_FIELDS)
    organization.full_clean()
    organization.save()
    audit.record(
        actor=actor,
        action="hearth.accounts.organization.created",
        target=organization,
        organization=organization,
        network=network,
    )
    if network is not None:
        organization_join_network(actor=actor, organization=organization, network=network)
    return organization


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, **fields) -> Organization:
    changed = _apply(organization, fields, allowed=ORGANIZATION_FIELDS)
    if changed:
        organization.full_clean()
        organization.save(update_fields=changed)
        audit.record(
            actor=actor,
            action="hearth.accounts.organization.updated",
            target=organization,
            organization=organization,
            detail={"fields": changed},
        )
    return organization


@transaction.atomic
def organization_join_network(
    *, actor: User, organization: Organization, network: Network
) -> NetworkMembership:
    link, created = NetworkMembership.objects.get_or_create(
        network=network, organization=organization
    )
    if created:
        audit.record(
            actor=actor,
            action="hearth.accounts.organization.joined_network",
            target=organization,
            organization=organization,
            network=network,
        )
    return link


@transaction.atomic
def organization_leave_network(
    *, actor: User, organization: Organization, network: Network
) -> None:
    deleted, _detail = NetworkMembership.objects.filter(
        network=network, organization=organization
    ).delete()
    if deleted:
        audit.record(
            actor=actor,
            action="hearth.accounts.organization.left_network",
            target=organization,
            organization=organization,
            network=network,
        )


# ---------------------------------------------------------------------------------------------
# Memberships and coordinators


def _admins_left_after(organization: Organization, *, without: Membership) -> int:
    return (
        Membership.objects.filter(organization=organization, role=Role.ADMIN)
        .exclude(pk=without.pk)
        .count()
    )


@transaction.atomic
def membership_add(
    *, actor: User | None, organization: Organization, user: User, role: str
) -> Membership:
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise ValidationError(_("This person is already a member of the organization."))
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    audit.record(
        actor=actor,
        action="hearth.accounts.membership.added",
        target=membership,
        organization=organization,
        detail={"role": role, "user_id": str(user.pk)},
    )
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Choose a role from the list."))
    if (
        membership.role == Role.ADMIN
        and role != Role.ADMIN
        and not _admins_left_after(membership.organization, without=membership)
    ):
        raise ValidationError(_("An organization needs at least one admin."))
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="hearth.accounts.membership.role_changed",
        target=membership,
        organization=membership.organization,
        detail={"from": previous, "to": role, "user_id": str(membership.user_id)},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    if membership.role == Role.ADMIN and not _admins_left_after(
        membership.organization, without=membership
    ):
        raise ValidationError(_("An organization needs at least one admin."))
    audit.record(
        actor=actor,
        action="hearth.accounts.membership.removed",
        target=membership,
        organization=membership.organization,
        detail={"role": membership.role, "user_id": str(membership.user_id)},
    )
    membership.delete()


@transaction.atomic
def coordinator_add(*, actor: User | None, network: Network, user: User) -> Coordinator:
    coordinator, created = Coordinator.objects.get_or_create(network=network, user=user)
    if created:
        audit.record(
            actor=actor, action="hearth.accounts.coordinator.added", target=user, network=network
        )
    return coordinator


@transaction.atomic
def coordinator_remove(*, actor: User, coordinator: Coordinator) -> None:
    network = coordinator.network
    if network.coordinators.exclude(pk=coordinator.pk).count() == 0:
        raise ValidationError(_("A network needs at least one coordinator."))
    audit.record(
        actor=actor,
        action="hearth.accounts.coordinator.removed",
        target=coordinator.user,
        network=network,
    )
    coordinator.delete()


# ---------------------------------------------------------------------------------------------
# Invitations


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class InvitationKind:
    """What an invitation of a kind other than "organization" joins, registered by the app that
    owns it (in its AppConfig.ready): `name(invitation)` says what it joins, in words;
    `accept(invitation=, user=)` joins the user to it (in the accepting transaction) and returns
    what was created, which has a `.user`; `url(invitation)` is where to go once accepted."""

    kind: str
    name: Callable[[Invitation], str]
    accept: Callable[..., Any]
    url: Callable[[Invitation], str]


_invitation_kinds: dict[str, InvitationKind] = {}


def register_invitation_kind(kind: str, handler: InvitationKind) -> None:
    _invitation_kinds[kind] = handler


def invitation_joins(invitation: Invitation) -> str:
    """What the invitation joins, in words (the organization's name, or the registered kind's)."""
    if invitation.kind == Invitation.ORGANIZATION:
        return invitation.organization.name
    return _invitation_kinds[invitation.kind].name(invitation)


def invitation_next_url(invitation: Invitation) -> str:
    if invitation.kind == Invitation.ORGANIZATION:
        return reverse("accounts:home")
    return _invitation_kinds[invitation.kind].url(invitation)


def invitation_find(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state."""
    return (
        Invitation.objects.select_related("organization")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_create(
    *, actor: User, organization: Organization, email: str, role: str, base_url: str
) -> tuple[Invitation, str]:
    """Invite someone by e-mail to join an organization with a role. Returns the invitation and
    the token in its link (shown once; only its hash is kept)."""
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email=email).exists():
        raise ValidationError({"email": _("This person is already a member of the organization.")})
    invitation, token = invitation_send(
        actor=actor, email=email, role=role, base_url=base_url, organization=organization
    )
    audit.record(
        actor=actor,
        action="hearth.accounts.invitation.created",
        target=invitation,
        organization=organization,
        detail={"role": role},
    )
    return invitation, token


def invitation_send(
    *,
    actor: User,
    email: str,
    role: str,
    base_url: str,
    organization: Organization | None = None,
    kind: str = Invitation.ORGANIZATION,
    target_id=None,
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link, in the caller's transaction, which checks who
    may invite and records it in the audit trail. Returns the invitation and the token in its
    link (shown once; only its hash is kept)."""
    if kind != Invitation.ORGANIZATION and kind not in _invitation_kinds:
        raise ValueError(f"no invitation kind {kind!r} is registered")
    email = email.strip().lower()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        kind=kind,
        organization=organization,
        target_id=target_id,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.HEARTH_INVITATION_DAYS),
    )
    link = base_url.rstrip("/") + reverse("accounts:invitation-accept", args=[token])
    joins = invitation_joins(invitation)
    context = {"joins": joins, "link": link, "days": settings.HEARTH_INVITATION_DAYS}
    # We do not know which language the invited person reads, so the message carries every one.
    subjects, bodies = [], []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            subjects.append(
                _("You are invited to join %(organization)s on Hearth") % {"organization": joins}
            )
            bodies.append(render_to_string("accounts/email/invitation.txt", context))
    subject = " / ".join(subjects)
    body = "\n---\n\n".join(bodies)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation has already been used or withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="hearth.accounts.invitation.revoked",
        target=invitation,
        organization=invitation.organization,
    )


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None,
    full_name: str = "",
    password: str = "",
) -> Any:
    """Accept an invitation: as the signed-in user whose e-mail it was sent to, or by creating
    the account the invitation was addressed to. Returns the membership created (for another
    kind, what its registered `accept` created)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open():
        raise ValidationError(_("This invitation has expired or has already been used."))
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise ValidationError(_("Sign in first, then open the invitation link again."))
        candidate = User(email=invitation.email, full_name=full_name)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user = user_create(
            actor=None,
            email=invitation.email,
            full_name=full_name,
            password=password,
            preferred_language=translation.get_language() or "en",
        )
    elif user.email != invitation.email:
        raise ValidationError(_("This invitation was sent to a different e-mail address."))
    if invitation.kind != Invitation.ORGANIZATION:
        joined = _invitation_kinds[invitation.kind].accept(invitation=invitation, user=user)
    else:
        try:
            with transaction.atomic():
                joined = membership_add(
                    actor=user,
                    organization=invitation.organization,
                    user=user,
                    role=invitation.role,
                )
        except IntegrityError as error:  # pragma: no cover - guarded by membership_add's check
            raise ValidationError(_("You are already a member of this organization.")) from error
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user,
        action="hearth.accounts.invitation.accepted",
        target=invitation,
        organization=invitation.organization,
        detail={"kind": invitation.kind},
    )
    return joined
