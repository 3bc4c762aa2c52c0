"""Accounts, regional networks, organizations and the roles that connect them."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Hearth as staff, volunteer or operator (not a person served:
    those are records held by an organization, in `hearth.people`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="en",
        choices=[("en", "English"), ("es", "Español")],
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False, help_text="Created by `hearth demo`.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Network(models.Model):
    """A regional hub: organizations that work together, with coordinators who see the whole."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    listing_stale_after_days = models.PositiveSmallIntegerField(
        _("days before a listing counts as out of date"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of 180 days."),
    )
    consent_days = models.PositiveSmallIntegerField(
        _("days a disclosure consent lasts unless the person chooses otherwise"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of 90 days."),
    )
    referral_ack_working_days = models.PositiveSmallIntegerField(
        _("working days a referral may wait for an answer before it is flagged"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of 2 working days."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_BASED = "community_based", _("Community-based organization")
        PEER_SUPPORT = "peer_support", _("Peer-support network")
        WORKER_COOPERATIVE = "worker_cooperative", _("Worker cooperative")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
        VICTIM_SERVICE = "victim_service", _("Victim-service provider")
        PUBLIC_AGENCY = "public_agency", _("Public agency")
        ACADEMIC_PARTNER = "academic_partner", _("Academic partner")
        FUNDER = "funder", _("Funder")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of organization"), max_length=32, choices=Kind.choices)
    description = models.TextField(_("about the organization"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("public e-mail address"), blank=True)
    phone = models.CharField(_("public phone number"), max_length=40, blank=True)
    town = models.CharField(_("town or area"), max_length=120, blank=True)
    networks = models.ManyToManyField(
        Network, through="NetworkMembership", related_name="organizations", blank=True
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NetworkMembership(models.Model):
    """An organization's place in a network."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="network_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "organization"], name="unique_network_org")
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.network}"


class Role(models.TextChoices):
    ADMIN = "admin", _("Organization admin")
    PRACTITIONER = "practitioner", _("Practitioner")
    PEER_SUPPORTER = "peer_supporter", _("Peer supporter")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's role in one organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_user_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class Coordinator(models.Model):
    """A user who coordinates a network: sees its organizations and network-level records."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="coordinator_roles")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="coordinators")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "network"], name="unique_user_network")
        ]

    def __str__(self) -> str:
        return f"{self.user} coordinates {self.network}"


class Invitation(models.Model):
    """An invitation, sent by e-mail, to join an organization with a role — or, for another
    `kind` registered by the app that owns it (`services.register_invitation_kind`), to join
    something else, such as a circle, with that thing's own role. Only a hash of the token is
    stored, so a copy of the database cannot be used to accept invitations."""

    ORGANIZATION = "organization"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, default=ORGANIZATION)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    # What an invitation of another kind joins (a circle's id, say).
    target_id = models.UUIDField(null=True, blank=True)
    email = models.EmailField(_("e-mail address"))
    # The staff role in the organization; for another kind, that kind's own role.
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.organization or self.kind}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class SignInAttempt(models.Model):
    """Failed and successful sign-ins, kept for throttling. Only the normalized e-mail address
    that was typed and the network origin are stored."""

    email = models.CharField(max_length=254, db_index=True)
    origin_address = models.CharField(max_length=64, db_index=True)
    succeeded = models.BooleanField(default=False)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Sign-in attempt at {self.attempted_at:%Y-%m-%d %H:%M}"
