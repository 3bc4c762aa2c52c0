"""Closed-loop referrals: a consented, encrypted disclosure to one receiving organization that
both sides, and the person, can follow until the loop is closed.

A referral is a FHIR `ServiceRequest` (what is asked) tracked by a `Task` (its status). What
travels about the person is sealed to the receiving organization's key; the conversation is
encrypted under a key of the referral's own. Only `referral_transition()` changes the status."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import Organization


class Status(models.TextChoices):
    """FHIR Task statuses used by the SDOH Clinical Care IG (not `ready` or `received`)."""

    DRAFT = "draft", _("Draft")
    REQUESTED = "requested", _("Sent, waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    IN_PROGRESS = "in-progress", _("In progress")
    ON_HOLD = "on-hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Could not be completed")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


# Statuses after which nothing more happens (the loop is closed).
CLOSED_STATUSES = frozenset(
    {Status.REJECTED, Status.CANCELLED, Status.COMPLETED, Status.FAILED, Status.ENTERED_IN_ERROR}
)


class Side(models.TextChoices):
    REQUESTER = "requester", _("Referring organization")
    RECEIVER = "receiver", _("Receiving organization")
    PERSON = "person", _("The person")


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The person as the referring organization holds them (for a self-referral: as the
    # receiving organization now holds them).
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    sending_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_sent",
    )
    receiving_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_received"
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.CharField(max_length=500, blank=True)
    # The disclosure the person agreed to; when it ends, the receiver can no longer open the
    # payload or the conversation.
    consent = models.ForeignKey(
        "people.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_self_referral = models.BooleanField(default=False)
    # What travels: sealed to the receiving organization (a libsodium sealed box), and the
    # names of the categories it holds (never values).
    sealed_payload = models.BinaryField(blank=True, default=b"")
    payload_categories = models.JSONField(default=list)
    # FHIR ServiceRequest.orderDetail = contacting-subject-prohibited travels in the clear so
    # nobody can miss it.
    do_not_contact = models.BooleanField(default=False)
    # A non-identifying need category (a taxonomy code) for the network's unmet-needs counts.
    need_code = models.CharField(max_length=100, blank=True)
    # The conversation's key, wrapped like a person's data key; destroyed on erasure.
    conversation_key = models.OneToOneField(
        "core.DataKey", on_delete=models.PROTECT, related_name="referral"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    requested_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change, so a form filled in against an older state is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["receiving_organization", "status"]),
            models.Index(fields=["sending_organization", "status"]),
        ]

    def __str__(self) -> str:
        return f"Referral {self.id}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class ReferralEvent(models.Model):
    """The status history; kept when access to the payload ends."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    side = models.CharField(max_length=10, choices=Side.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ReferralMessage(models.Model):
    """One message in a referral's conversation, encrypted under the conversation key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(max_length=10, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sealed_body = models.BinaryField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"Message {self.id}"


class ApiToken(models.Model):
    """A bearer token an organization uses for the FHIR and referral APIs. Only its hash is
    kept; it acts as the member who created it, for that organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
