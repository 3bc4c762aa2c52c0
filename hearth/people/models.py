"""People Hearth serves, the consents they give, and who may see what.

There is no shared client record. A person's record is held by one organization they chose;
every personal value is encrypted under the person's own data key (`hearth.core.crypto`), in one
sealed blob per category of information, so a consent can open some categories and not others.
Only `hearth.people.access` decrypts them. What stays readable here is what Hearth needs to decide
access and to count without identifying anyone: who holds the record, dates, consent terms."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import Organization


class Category(models.TextChoices):
    """Categories of personal information: what a consent names and a role may see."""

    IDENTITY = "identity", _("Name, pronouns, languages and age")
    CONTACT = "contact", _("Contact details and safe-contact preferences")
    NEEDS = "needs", _("What they are looking for help with")
    STRENGTHS = "strengths", _("Strengths, goals and what helps")
    NOTES = "notes", _("Notes")
    OUTCOMES = "outcomes", _("Check-ins and outcome measures")


# The categories kept in the person's sealed blobs (notes and outcomes live in their own rows).
SEALED_CATEGORIES = (Category.IDENTITY, Category.CONTACT, Category.NEEDS, Category.STRENGTHS)


class Purpose(models.TextChoices):
    """Why information is disclosed or read. The first three are what a person consents to."""

    REFERRAL = "referral", _("A referral to another service")
    CARE_COORDINATION = "care_coordination", _("Coordinating care between organizations")
    EVALUATION = "evaluation", _("Aggregate evaluation (counts only, never who)")
    CARE = "care", _("Providing support at the organization that holds the record")
    EMERGENCY = "emergency", _("Emergency access")
    OWN_RECORD = "own_record", _("The person looking at their own information")
    ADMINISTRATION = "administration", _("Keeping records: retention and erasure")


CONSENTABLE_PURPOSES = (Purpose.REFERRAL, Purpose.CARE_COORDINATION, Purpose.EVALUATION)


class Person(models.Model):
    """A person one organization supports. Readable only through `hearth.people.access`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people")
    data_key = models.OneToOneField("core.DataKey", on_delete=models.PROTECT, related_name="person")
    sealed_identity = models.BinaryField(blank=True, default=b"")
    sealed_contact = models.BinaryField(blank=True, default=b"")
    sealed_needs = models.BinaryField(blank=True, default=b"")
    sealed_strengths = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the person was erased: the row stays as a tombstone that identifies no one, so
    # counts of people served stay right.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["holder", "-last_activity_at"])]

    def __str__(self) -> str:
        return f"Person {self.id}"


class PersonLookup(models.Model):
    """A blind index entry: a keyed digest of an exact name, phone number or e-mail address,
    matching only inside the holding organization."""

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="lookups")
    organization_id = models.UUIDField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["organization_id", "digest"])]

    def __str__(self) -> str:
        return f"{self.kind} lookup"


class PersonNote(models.Model):
    """A short note, encrypted under the person's data key; kept for a shorter time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sealed_body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note {self.id}"


class Consent(models.Model):
    """A specific, time-limited, revocable disclosure the person agreed to (42 CFR 2.31 elements:
    the person, who discloses, what, to whom, why, until when, how it was given)."""

    class GivenBy(models.TextChoices):
        PERSON = "person", _("By the person, in their own pages")
        STAFF = "staff", _("Recorded by staff, who attest the person agreed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    disclosing_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="consents_given"
    )
    # One organization by name, or a class: every organization of a kind in a network.
    recipient_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_received",
    )
    recipient_kind = models.CharField(max_length=32, choices=Organization.Kind.choices, blank=True)
    recipient_network = models.ForeignKey(
        "accounts.Network", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    given_by = models.CharField(max_length=10, choices=GivenBy.choices)
    attestation = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_person = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["person", "expires_at"]),
            models.Index(fields=["recipient_organization", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("starts_at")),
                name="consent_expires_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient_organization__isnull=False)
                | (~models.Q(recipient_kind="") & models.Q(recipient_network__isnull=False)),
                name="consent_names_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.id}"

    def is_live(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.starts_at <= at < self.expires_at

    def covers_organization(self, organization) -> bool:
        if self.recipient_organization_id is not None:
            return self.recipient_organization_id == organization.pk
        return (
            organization.kind == self.recipient_kind
            and organization.network_memberships.filter(
                network_id=self.recipient_network_id
            ).exists()
        )


class EmergencyAccess(models.Model):
    """ "Break the glass": time-limited access with a stated reason, reviewed afterwards by the
    holding organization's admins and shown in the person's access history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Emergency access {self.id}"


class RetentionPolicy(models.Model):
    """How long an organization keeps records after the last activity, and notes after writing."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="retention"
    )
    records_days = models.PositiveIntegerField(
        _("erase a person's record this many days after the last activity"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty to keep records until the person or your organization erases them."
        ),
    )
    notes_days = models.PositiveIntegerField(
        _("delete notes this many days after they were written"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep notes as long as the record."),
    )

    def __str__(self) -> str:
        return f"Retention of {self.organization_id}"


class PortalAccount(models.Model):
    """A person's own sign-in, separate from staff accounts: a sign-in name and passphrase,
    optionally a second factor. It can link records held by several organizations."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sign_in_name = models.CharField(max_length=60, unique=True)
    passphrase_hash = models.CharField(max_length=256)
    totp_secret = models.BinaryField(blank=True, default=b"")
    # The time step of the last code accepted: a code is never accepted twice.
    totp_last_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.sign_in_name


class PortalLink(models.Model):
    """Which person records a portal account may see: one per holding organization."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="links")
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="portal_link")
    linked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.account_id} → {self.person_id}"


class PortalInvitation(models.Model):
    """A one-time link staff give a person to set up or link their own pages."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="portal_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Portal invitation {self.id}"


class ErasureRequest(models.Model):
    """A person asked for their information to be erased; the holding organization acts on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="erasure_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Erasure request {self.id}"
