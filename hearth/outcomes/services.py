"""Every change in outcomes: programs, enrolments, check-ins and their scoring, the safety
pathway, evaluation scores under the person's consent, uploaded forms, self-assessments.

Answers and scores are sealed under the person's data key; only the gate opens them. A completed
check-in leaves a pseudonymous `EvaluationScore` only while the person has a live consent for
aggregate evaluation covering their outcome measures."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import Membership, Organization
from hearth.accounts.rules import PERSONAL_DATA_ROLES, is_org_admin
from hearth.core import audit
from hearth.core.crypto import Cipher
from hearth.core.notifications import notify
from hearth.people import access
from hearth.people.models import Category, Consent, Person, PortalAccount, Purpose

from . import form_engine, instruments
from .form_services import definition, jsonable_answers
from .models import (
    CheckIn,
    CheckInSchedule,
    CustomForm,
    Enrolment,
    EvaluationScore,
    InstrumentSwitch,
    Program,
    SafetyAlert,
)

MAX_SCHEDULE_DAYS = 365


class InvalidFormAnswers(Exception):
    """Answers to a custom form that its rules refuse (a wrong type, a choice not offered, a
    constraint), by question name, each message in the person's language. Never raised for a
    skipped question: in a check-in every question may be skipped, `required` included."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


def _require_staff(actor, organization: Organization, *, admin: bool = False) -> None:
    allowed = (
        is_org_admin(actor, organization)
        if admin
        else Membership.objects.filter(
            user=actor, organization=organization, role__in=PERSONAL_DATA_ROLES
        ).exists()
    )
    if not allowed:
        raise access.PersonNotFound()


# --- programs and enrolments ---


def program_create(
    *,
    actor,
    organization: Organization,
    name: str,
    description: str = "",
    privacy_budget: float | None = None,
) -> Program:
    """A program of `organization`; `privacy_budget` caps the epsilon its noisy releases may
    spend in all (the model's default when not given)."""
    _require_staff(actor, organization, admin=True)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the program a name.")]})
    if privacy_budget is None:
        privacy_budget = Program._meta.get_field("privacy_budget").default
    least, most = Program.PRIVACY_BUDGET_RANGE
    if not least <= privacy_budget <= most:
        raise ValidationError(
            {
                "privacy_budget": [
                    _("Give a privacy budget from %(least)s to %(most)s.")
                    % {"least": f"{least:g}", "most": f"{most:g}"}
                ]
            }
        )
    with transaction.atomic():
        program = Program.objects.create(
            organization=organization,
            name=name[:200],
            description=(description or "").strip(),
            privacy_budget=privacy_budget,
        )
        audit.record(
            actor=actor,
            action="hearth.outcomes.program.created",
            target=program,
            organization=organization,
        )
    return program


def enrolment_start(*, actor, program: Program, person_id) -> Enrolment:
    """Enrol a person the program's organization holds."""
    person = access.person_for_change(
        user=actor, organization=program.organization, person_id=person_id
    )
    with transaction.atomic():
        existing = Enrolment.objects.filter(
            program=program, person=person, ended_at__isnull=True
        ).first()
        if existing:
            return existing
        enrolment = Enrolment.objects.create(program=program, person=person)
        audit.record(
            actor=actor,
            action="hearth.outcomes.enrolment.started",
            target=person,
            purpose=Purpose.CARE,
            organization=program.organization,
            detail={"program": str(program.pk)},
        )
    return enrolment


# --- instruments an organization uses ---


def instrument_enabled(organization: Organization, code: str) -> bool:
    """Instruments for trained staff are off until an admin turns them on; others are on
    until turned off."""
    instrument = instruments.get(code)
    switch = InstrumentSwitch.objects.filter(organization=organization, instrument=code).first()
    if switch is not None:
        return switch.enabled
    return not instrument.for_trained_staff


def instrument_switch(*, actor, organization: Organization, code: str, enabled: bool) -> None:
    _require_staff(actor, organization, admin=True)
    instruments.get(code)  # an unknown code raises
    with transaction.atomic():
        InstrumentSwitch.objects.update_or_create(
            organization=organization, instrument=code, defaults={"enabled": enabled}
        )
        audit.record(
            actor=actor,
            action="hearth.outcomes.instrument.switched",
            organization=organization,
            detail={"instrument": code, "enabled": enabled},
        )


# --- check-ins ---


def schedule_set(
    *, actor, enrolment: Enrolment, every_days: int, instrument: str = "", form=None
) -> CheckInSchedule:
    _require_staff(actor, enrolment.program.organization)
    if not 1 <= int(every_days) <= MAX_SCHEDULE_DAYS:
        raise ValidationError({"every_days": [_("Choose every 1 to 365 days.")]})
    _check_measure(enrolment, instrument, form)
    with transaction.atomic():
        schedule = CheckInSchedule.objects.create(
            enrolment=enrolment,
            instrument=instrument,
            form=form,
            every_days=every_days,
            next_due_at=timezone.now() + timedelta(days=every_days),
        )
        audit.record(
            actor=actor,
            action="hearth.outcomes.schedule.set",
            target=enrolment.person,
            organization=enrolment.program.organization,
            detail={
                "every_days": every_days,
                "instrument": instrument,
                "form": str(form.pk) if form else "",
            },
        )
    return schedule


def _check_measure(enrolment: Enrolment, instrument: str, form: CustomForm | None) -> None:
    if bool(instrument) == bool(form):
        raise ValidationError({"instrument": [_("Choose one measure or one form.")]})
    organization = enrolment.program.organization
    if instrument and not instrument_enabled(organization, instrument):
        raise ValidationError(
            {"instrument": [_("Your organization has not turned this measure on.")]}
        )
    if form is not None and (
        form.organization_id != organization.pk
        or not form.is_active
        or form.use != CustomForm.Use.CHECK_IN
    ):
        raise ValidationError({"form": [_("Choose one of your organization's forms.")]})


def checkin_start_by_staff(
    *, actor, enrolment: Enrolment, instrument: str = "", form: CustomForm | None = None
) -> CheckIn:
    """A practitioner offers a check-in (the person may decline, or skip any question)."""
    person = access.person_for_change(
        user=actor, organization=enrolment.program.organization, person_id=enrolment.person_id
    )
    _check_measure(enrolment, instrument, form)
    return _start(enrolment, person, instrument, form, CheckIn.StartedBy.PRACTITIONER, actor)


def checkin_start_by_person(
    *, account: PortalAccount, enrolment_id, instrument: str = "", form_id=None
) -> CheckIn:
    enrolment = (
        Enrolment.objects.select_related("program__organization", "person")
        .filter(pk=enrolment_id, person__portal_link__account=account, ended_at__isnull=True)
        .first()
    )
    if enrolment is None:
        raise access.PersonNotFound()
    access.access_own_record(account=account, person_id=enrolment.person_id)
    form = CustomForm.objects.filter(pk=form_id).first() if form_id else None
    _check_measure(enrolment, instrument, form)
    return _start(enrolment, enrolment.person, instrument, form, CheckIn.StartedBy.PERSON, None)


def _start(enrolment, person, instrument, form, started_by, actor) -> CheckIn:
    with transaction.atomic():
        check_in = CheckIn.objects.create(
            enrolment=enrolment,
            person=person,
            instrument=instrument,
            form=form,
            started_by=started_by,
        )
        audit.record(
            actor=actor,
            action="hearth.outcomes.checkin.started",
            target=person,
            purpose=Purpose.CARE if actor else Purpose.OWN_RECORD,
            organization=enrolment.program.organization,
            detail={
                "check_in": str(check_in.pk),
                "instrument": instrument,
                "form": str(form.pk) if form else "",
                "started_by": started_by,
            },
        )
    return check_in


def _seal(check_in: CheckIn, cipher: Cipher, field: str, value) -> bytes:
    return cipher.encrypt(
        json.dumps(value, sort_keys=True).encode(), f"check-in:{check_in.pk}:{field}"
    )


def _unseal(check_in: CheckIn, cipher_or_record, field: str):
    sealed = getattr(check_in, f"sealed_{field}")
    if not sealed:
        return None
    return json.loads(cipher_or_record.decrypt(sealed, f"check-in:{check_in.pk}:{field}"))


def pseudonym(person_id, program_id) -> str:
    """The key an evaluation score is filed under: the same for one person in one program,
    unlinkable to anything else without the server's key."""
    key = settings.HEARTH_BLIND_INDEX_KEY.encode()
    return hmac.new(
        key, f"evaluation:{person_id}:{program_id}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def evaluation_consented(person: Person, program: Program, at: datetime | None = None) -> bool:
    """A live consent from the person for aggregate evaluation of their outcome measures."""
    at = at or timezone.now()
    return any(
        Category.OUTCOMES in consent.categories
        for consent in Consent.objects.filter(
            person=person,
            purpose=Purpose.EVALUATION,
            revoked_at__isnull=True,
            starts_at__lte=at,
            expires_at__gt=at,
        )
    )


def checkin_complete(
    *,
    check_in_id,
    answers: dict,
    actor=None,
    account: PortalAccount | None = None,
    settings_for_scoring: dict | None = None,
    language: str | None = None,
) -> CheckIn:
    """Save the answers (any question may be skipped), score an instrument when every item was
    answered, trigger the safety pathway at once when the answers call for it, and file a
    pseudonymous evaluation score when the person consented to evaluation.

    A custom form's answers (posted strings or typed values) are judged here by the form
    engine, as the page judged them: hidden questions are dropped, calculations worked out
    again, and answers its rules refuse raise `InvalidFormAnswers` (messages in `language`),
    saving nothing. Its `required` is never enforced. A custom form has no score."""
    check_in = (
        CheckIn.objects.select_related(
            "enrolment__program__organization", "person__data_key", "form"
        )
        .filter(pk=check_in_id, status=CheckIn.Status.OPEN)
        .first()
    )
    if check_in is None:
        raise access.PersonNotFound()
    organization = check_in.enrolment.program.organization
    if account is not None:
        access.access_own_record(account=account, person_id=check_in.person_id)
    else:
        access.person_for_change(
            user=actor, organization=organization, person_id=check_in.person_id
        )
    score = None
    if check_in.form is not None:
        answers = _form_answers(check_in.form, answers or {}, language)
    else:
        answers = {key: value for key, value in (answers or {}).items() if value not in (None, "")}
    if check_in.instrument:
        instrument = instruments.get(check_in.instrument)
        # The safety pathway first, at once, even if other answers still need correcting.
        if instruments.needs_safety_pathway(instrument, answers):
            with transaction.atomic():
                if not SafetyAlert.objects.filter(check_in=check_in).exists():
                    _raise_safety_alert(check_in, organization)
        # Every question may be skipped: a questionnaire with gaps is kept, not scored. Wrong
        # answers (InvalidAnswers, naming each) are refused before missing ones are considered.
        try:
            score = score_as_dict(instrument.score(answers, settings_for_scoring))
        except instruments.MissingAnswers as missing:
            score = {"not_scored": True, "missing": list(missing.items)}
    now = timezone.now()
    with transaction.atomic():
        cipher = Cipher(check_in.person.data_key)
        check_in.sealed_answers = _seal(check_in, cipher, "answers", answers)
        check_in.sealed_score = _seal(check_in, cipher, "score", score) if score else b""
        check_in.status = CheckIn.Status.COMPLETED
        check_in.completed_at = now
        check_in.save(update_fields=["sealed_answers", "sealed_score", "status", "completed_at"])
        Person.objects.filter(pk=check_in.person_id).update(last_activity_at=now)
        audit.record(
            actor=actor,
            action="hearth.outcomes.checkin.completed",
            target=check_in.person,
            purpose=Purpose.CARE if actor else Purpose.OWN_RECORD,
            organization=organization,
            detail={
                "check_in": str(check_in.pk),
                "instrument": check_in.instrument,
                "form": str(check_in.form_id or ""),
            },
        )
        value = (score or {}).get("value")
        if value is not None and evaluation_consented(check_in.person, check_in.enrolment.program):
            EvaluationScore.objects.create(
                pseudonym=pseudonym(check_in.person_id, check_in.enrolment.program_id),
                program=check_in.enrolment.program,
                instrument=check_in.instrument,
                score=value,
                at=now,
            )
        for schedule in CheckInSchedule.objects.filter(
            enrolment=check_in.enrolment,
            instrument=check_in.instrument,
            form=check_in.form,
            is_active=True,
        ):
            schedule.next_due_at = now + timedelta(days=schedule.every_days)
            schedule.save(update_fields=["next_due_at"])
    return check_in


def _form_answers(custom_form: CustomForm, answers, language: str | None) -> dict:
    evaluation = form_engine.evaluate(
        definition(custom_form), answers, language=language, skippable=True
    )
    if evaluation.errors:
        raise InvalidFormAnswers({name: error.message for name, error in evaluation.errors.items()})
    return jsonable_answers(evaluation.values)


def score_as_dict(score: instruments.Score) -> dict:
    """What is kept of a score (sealed with the answers): numbers as floats, the band by code."""
    return {
        "total": score.total,
        "value": float(score.value),
        "band": score.band_code,
        "flags": sorted(score.flags),
        "percentage": float(score.percentage) if score.percentage is not None else None,
        "mean": float(score.mean) if score.mean is not None else None,
        "clusters": dict(score.clusters) if score.clusters else None,
    }


def _raise_safety_alert(check_in: CheckIn, organization: Organization) -> None:
    alert = SafetyAlert.objects.create(check_in=check_in, organization=organization)
    audit.record(
        actor=None,
        action="hearth.outcomes.safety.raised",
        target=check_in.person,
        purpose=Purpose.CARE,
        organization=organization,
        detail={"check_in": str(check_in.pk), "alert": str(alert.pk)},
    )
    practitioners = [
        membership.user
        for membership in Membership.objects.filter(
            organization=organization, role__in=PERSONAL_DATA_ROLES
        ).select_related("user")
    ]
    notify(
        practitioners,
        kind="outcomes.safety",
        link=reverse("outcomes:safety-alerts", args=[organization.slug]),
    )


def safety_alert_acknowledge(*, actor, organization: Organization, alert_id) -> SafetyAlert:
    _require_staff(actor, organization)
    with transaction.atomic():
        alert = (
            SafetyAlert.objects.select_for_update()
            .filter(pk=alert_id, organization=organization)
            .first()
        )
        if alert is None:
            raise access.PersonNotFound()
        if alert.acknowledged_at is None:
            alert.acknowledged_at = timezone.now()
            alert.acknowledged_by = actor
            alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
            audit.record(
                actor=actor,
                action="hearth.outcomes.safety.acknowledged",
                organization=organization,
                detail={"alert": str(alert.pk)},
            )
    return alert


def check_ins_of(record: access.PersonRecord, *, instrument: str | None = None) -> list[dict]:
    """A person's completed check-ins with answers and scores, for a reader the gate already let
    read the person's outcome measures (staff, or the person themselves)."""
    if Category.OUTCOMES not in record.categories:
        return []
    rows = CheckIn.objects.filter(
        person_id=record.id, status=CheckIn.Status.COMPLETED
    ).select_related("enrolment__program", "form")
    if instrument:
        rows = rows.filter(instrument=instrument)
    return [
        {
            "check_in": check_in,
            "answers": _unseal(check_in, record, "answers") or {},
            "score": _unseal(check_in, record, "score"),
        }
        for check_in in rows.order_by("completed_at")
    ]


# --- consent and erasure ---


def evaluation_withdraw(person: Person) -> int:
    """Delete every evaluation score filed for the person (their evaluation consent ended, or
    they were erased). Counted aggregates already published are not recomputed."""
    programs = Program.objects.filter(enrolments__person=person).distinct()
    names = [pseudonym(person.pk, program.pk) for program in programs]
    deleted, _rows = EvaluationScore.objects.filter(pseudonym__in=names).delete()
    if deleted:
        audit.record(
            actor=None,
            action="hearth.outcomes.evaluation.withdrawn",
            target=person,
            purpose=Purpose.EVALUATION,
            organization=person.holder_id,
            detail={"scores": deleted},
        )
    return deleted


def outcomes_erase_for_person(person: Person) -> None:
    """Erasure: the sealed answers become unreadable with the data key; remove them anyway,
    and the evaluation scores."""
    evaluation_withdraw(person)
    CheckIn.objects.filter(person=person).update(sealed_answers=b"", sealed_score=b"")


def on_consent_revoked(consent: Consent) -> None:
    if consent.purpose == Purpose.EVALUATION and not any(
        evaluation_consented(consent.person, program)
        for program in Program.objects.filter(enrolments__person=consent.person)
    ):
        evaluation_withdraw(consent.person)
