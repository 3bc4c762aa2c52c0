"""Outcomes: programs, check-ins with validated instruments or custom forms, and the
pseudonymous scores that evaluation counts.

A check-in's answers and scores are personal data: sealed under the person's data key, read
through the people access gate. Only when the person has a live consent for aggregate evaluation
does a completed check-in also leave an `EvaluationScore`: the score, the instrument, the
program and the date under a keyed pseudonym — never the person, so program reports can count
and average without re-identifying anyone, and revoking that consent deletes those rows."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import Organization


class Program(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what the program offers"), blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The most privacy budget (epsilon, added up) that all the program's differentially private
    # releases together may spend; a release that would go over it is refused. Beyond the upper
    # bound a release would protect no one in any meaningful sense.
    PRIVACY_BUDGET_RANGE = (0.1, 100.0)
    privacy_budget = models.FloatField(
        _("privacy budget for noisy releases (epsilon, in all)"), default=10.0
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="enrolments")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["program", "started_at"])]

    def __str__(self) -> str:
        return f"Enrolment {self.id}"


class InstrumentSwitch(models.Model):
    """An organization turning an instrument on or off (those meant for trained staff start off)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="instrument_switches"
    )
    instrument = models.CharField(max_length=20)
    enabled = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "instrument"], name="one_switch")
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: {self.enabled}"


class CustomForm(models.Model):
    """An uploaded XLSForm, kept as its validated definition (no personal data)."""

    class Use(models.TextChoices):
        CHECK_IN = "check_in", _("Check-ins with people")
        SELF_ASSESSMENT = "self_assessment", _("Organization self-assessment")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="custom_forms"
    )
    use = models.CharField(max_length=20, choices=Use.choices, default=Use.CHECK_IN)
    title = models.CharField(max_length=200)
    form_id = models.CharField(max_length=100)
    version = models.CharField(max_length=50, blank=True)
    definition = models.JSONField()
    source_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CheckInSchedule(models.Model):
    """A recurring offer of a check-in (every N days) within an enrolment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="schedules")
    instrument = models.CharField(max_length=20, blank=True)
    form = models.ForeignKey(CustomForm, on_delete=models.PROTECT, null=True, blank=True)
    every_days = models.PositiveSmallIntegerField()
    next_due_at = models.DateTimeField(db_index=True)
    is_active = models.BooleanField(default=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Every {self.every_days} days"


class CheckIn(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Started")
        COMPLETED = "completed", _("Completed")

    class StartedBy(models.TextChoices):
        PRACTITIONER = "practitioner", _("Offered by a practitioner")
        PERSON = "person", _("Started by the person")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="check_ins")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="check_ins")
    instrument = models.CharField(max_length=20, blank=True)
    form = models.ForeignKey(CustomForm, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    started_by = models.CharField(max_length=20, choices=StartedBy.choices)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Answers and the score, sealed under the person's data key.
    sealed_answers = models.BinaryField(blank=True, default=b"")
    sealed_score = models.BinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["person", "instrument", "completed_at"])]

    def __str__(self) -> str:
        return f"Check-in {self.id}"


class SafetyAlert(models.Model):
    """Raised at once when a check-in's answers call for a safety follow-up (PHQ-9 item 9 above
    0). Staff of the holding organization see and acknowledge it; it holds no answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    check_in = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="safety_alert")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["acknowledged_at", "-raised_at"]

    def __str__(self) -> str:
        return f"Safety alert {self.id}"


class EvaluationScore(models.Model):
    """One score, for aggregate evaluation only, under a pseudonym (a keyed digest of the person
    and the program) — present only while the person's evaluation consent lives."""

    pseudonym = models.CharField(max_length=32)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=20)
    score = models.FloatField()
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # Covers the program report: one program's scores on one instrument, already in
            # order of pseudonym and time, so the report reads the index alone and never sorts
            # (benchmarks/outcomes.py).
            models.Index(
                fields=["program", "instrument", "pseudonym", "at", "score"],
                name="evaluation_report_idx",
            ),
            models.Index(fields=["pseudonym"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score}"


class SelfAssessment(models.Model):
    """An organization's trauma-informed standards self-assessment (organizational data)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="self_assessments"
    )
    form = models.ForeignKey(CustomForm, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    # Mean rating per principle (1 to 4), computed when submitted.
    profile = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Self-assessment {self.id}"


class PrivateRelease(models.Model):
    """A differentially private release of one program report's change counts (improved, no
    meaningful change, deteriorated) for one measure, period and privacy budget: kept, so that
    looking again shows the same noisy numbers instead of spending the budget again and letting
    the noise be averaged away. The epsilon is what OpenDP says the release spent."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=20)
    since = models.DateField()
    until = models.DateField()
    epsilon = models.FloatField()
    # The noisy counts as released, before hiding those below the suppression threshold.
    counts = models.JSONField()
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "instrument", "since", "until", "epsilon"],
                name="one_private_release",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.since} to {self.until} ε={self.epsilon}"
