"""Cross-cutting data: the audit trail."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit records are append-only: they cannot be updated.")

    def delete(self):
        raise PermissionError("Audit records are append-only: they cannot be deleted.")


class AuditRecord(models.Model):
    """One entry of the append-only audit trail, chained to the entry before it by hash.

    Records are written only by `hearth.core.audit.record`. They name who acted (kept as an id
    and a label, so the record outlives the account), what they did, to what, for which purpose,
    when and from where. The shape maps onto a FHIR AuditEvent (agent, action, entity,
    purposeOfEvent, recorded, source)."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        COMMAND = "command", _("Command")
        SYSTEM = "system", _("System")

    sequence = models.BigAutoField(primary_key=True)
    recorded_at = models.DateTimeField()
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=120, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=200, blank=True)
    organization_id = models.UUIDField(null=True, blank=True, db_index=True)
    network_id = models.UUIDField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    origin_address = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["organization_id", "-recorded_at"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        # An invariant, not a workflow: a stored record never changes.
        if not self._state.adding:
            raise PermissionError("Audit records are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit records are append-only: they cannot be deleted.")


class AuditChainHead(models.Model):
    """A single row holding the newest record's hash. Writers lock it, so two transactions can
    never both extend the chain from the same record."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Audit chain head at #{self.last_sequence}"


class DataKey(models.Model):
    """One person's data key, stored only wrapped by the key-encryption key.

    Destroying it (`wrapped` emptied, `destroyed_at` set) makes everything encrypted under it
    unreadable everywhere, backups included: erasure by key destruction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField(blank=True)
    # Which key-encryption key wrapped it (a short fingerprint, never the key).
    kek_id = models.CharField(max_length=16, db_index=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Data key {self.id}"


class OrganizationKey(models.Model):
    """An organization's key pair: anyone may encrypt to the public key; only the organization,
    through Hearth, opens what was sealed to it. The private key is kept wrapped."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, primary_key=True, related_name="key"
    )
    public_key = models.BinaryField()
    wrapped_private_key = models.BinaryField()
    kek_id = models.CharField(max_length=16, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Key pair of {self.organization_id}"


class Notification(models.Model):
    """An in-app notification for a staff member. It says only that something changed and
    where to look; the details are read after signing in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=80)
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
