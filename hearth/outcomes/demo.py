"""Check-ins for the Riverbend Valley demo: a wellbeing program at Harbor House, Sam River's
Harbor House record enrolled in it with a WHO-5 check-in every four weeks, and two earlier WHO-5
check-ins, so Sam's own pages (sign-in "sam-river", see hearth.people.demo) at /me/check-ins/
and /me/progress/, and Naomi's view of Sam's record, show a real series with a meaningful
improvement between the two. Harbor House also has one uploaded XLSForm for check-ins, the
"Weekly check-in" (`data/weekly_check_in.xlsx`, English and Spanish), which Sam may start from
their own pages and staff may offer; Naomi has offered it to Sam, who has not answered it yet
(a started check-in, on Sam's pages and on Naomi's view of Sam's record).

Everything goes through the outcomes services (enrolment, schedule, check-ins with their sealed
answers and scores, audited like real ones), with two demo-only exceptions: Harbor House has no
admin among the demo accounts, so the site operator's program and uploaded form are written
here exactly as `services.program_create` and `form_services.custom_form_upload` would (row and
audit record); and the services stamp check-ins and
schedules with the present moment, so the demo moves the earlier check-ins back in time and
makes the next one due now (`_backdate`), and dates the enrolment before them.

At the Riverbend Valley hub, Amara's "Peer support group" has a year of WHO-5 check-ins from
fifty participants who agreed to be counted in evaluation — every figure of the program report
and of the network's public impact page (/impact/riverbend-valley/) is above the suppression
threshold: 16 improved meaningfully, 12 did not change meaningfully, 11 deteriorated and 11 were
measured once so far. Their check-ins are moved back in time within the current calendar year,
with their evaluation scores (the impact page counts a calendar year).

`load()` runs inside `hearth.accounts.demo.load_demo()`, after the referrals demo. It is
idempotent: once the program exists, it changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from hearth.accounts.models import Organization, User
from hearth.core import audit
from hearth.people import access
from hearth.people import services as people_services
from hearth.people.models import Category, Purpose

from . import services
from .models import CheckIn, CheckInSchedule, CustomForm, Enrolment, EvaluationScore, Program
from .xlsform import parse_xlsform

HOLDER = "harbor-house"
STAFF = "naomi@hearth.example"
PROGRAM = {
    "name": "Wellbeing circle",
    "description": (
        "A weekly circle for people staying at or supported by Harbor House: a warm drink, a "
        "check-in round and something creative. Come when you like."
    ),
}
FORM_SOURCE = Path(__file__).with_name("data") / "weekly_check_in.xlsx"
EVERY_DAYS = 28
ENROLLED_WEEKS_AGO = 9
# Sam River's earlier WHO-5 check-ins: how many weeks ago, and the answer to each question.
# 9 of 25 (36 %) eight weeks ago, then 12 of 25 (48 %): up 12 points, a meaningful improvement.
EARLIER = (
    (8, {"who5_1": 2, "who5_2": 1, "who5_3": 2, "who5_4": 1, "who5_5": 3}),
    (4, {"who5_1": 3, "who5_2": 2, "who5_3": 2, "who5_4": 2, "who5_5": 3}),
)


HUB = "riverbend-valley-hub"
HUB_ADMIN = "amara@hearth.example"
HUB_PROGRAM = {
    "name": "Peer support group",
    "description": "A fortnightly group run by peer supporters, open to anyone in the valley.",
}
EVALUATION_DAYS = 90
# WHO-5 answers (each item 0-5) giving a raw score, for baseline and follow-up: raw x 4 is the
# percentage, and 10 points is a meaningful change.
WHO5_RAW = {
    8: (2, 1, 2, 1, 2),  # 32 %
    10: (2, 2, 2, 2, 2),  # 40 %
    12: (3, 2, 2, 2, 3),  # 48 %
    13: (3, 3, 2, 2, 3),  # 52 %
    14: (3, 3, 3, 2, 3),  # 56 %
}
# (how many participants, baseline raw, follow-up raw or None for measured once)
HUB_SERIES = ((16, 8, 12), (12, 12, 13), (11, 14, 10), (11, 10, None))


def is_loaded() -> bool:
    return Program.objects.filter(organization__slug=HOLDER, name=PROGRAM["name"]).exists()


def _program(organization: Organization, operator: User | None) -> Program:
    program = Program.objects.create(organization=organization, **PROGRAM)
    audit.record(
        actor=operator,
        action="hearth.outcomes.program.created",
        target=program,
        organization=organization,
        detail={"demo": True},
    )
    return program


def _custom_form(organization: Organization, operator: User | None) -> CustomForm:
    form = parse_xlsform(FORM_SOURCE.read_bytes())
    custom_form = CustomForm.objects.create(
        organization=organization,
        use=CustomForm.Use.CHECK_IN,
        title=form.title or form.form_id,
        form_id=form.form_id,
        version=form.version or "",
        definition=form.to_dict(),
        source_name=FORM_SOURCE.name,
        uploaded_by=operator,
    )
    audit.record(
        actor=operator,
        action="hearth.outcomes.form.uploaded",
        target=custom_form,
        organization=organization,
        detail={
            "form_id": custom_form.form_id,
            "version": custom_form.version,
            "use": custom_form.use,
            "demo": True,
        },
    )
    return custom_form


def _backdate(check_in: CheckIn, weeks: int) -> None:
    """Demo only: the services stamp a check-in with the moment it is completed."""
    when = timezone.now() - timedelta(weeks=weeks)
    CheckIn.objects.filter(pk=check_in.pk).update(started_at=when, completed_at=when)


def _who5(raw: int) -> dict[str, int]:
    return {f"who5_{number}": value for number, value in enumerate(WHO5_RAW[raw], start=1)}


def _hub_program(organization: Organization, admin: User) -> None:
    """Amara's peer support group with a year of evaluated WHO-5 check-ins (see the module's
    docstring), every step through the services; only the dates are moved back."""
    program = services.program_create(actor=admin, organization=organization, **HUB_PROGRAM)
    now = timezone.now()
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    # Baselines in the first half of the span, follow-ups in the second, all this year.
    span = min(now - year_start, timedelta(days=330))
    number = 0
    for count, first, last in HUB_SERIES:
        for _ in range(count):
            number += 1
            person = people_services.person_create(
                actor=admin,
                organization=organization,
                identity={"chosen_name": f"Participant {number:02d}"},
            )
            people_services.consent_record(
                actor=admin,
                organization=organization,
                person_id=person.id,
                recipient_organization=organization,
                categories=[Category.OUTCOMES],
                purpose=Purpose.EVALUATION,
                expires_at=now + timedelta(days=EVALUATION_DAYS),
                attestation="Agreed at the group to be counted in evaluation",
            )
            enrolment = services.enrolment_start(actor=admin, program=program, person_id=person.id)
            when = [now - span + span * (number % 25) / 50]
            if last is not None:
                when.append(now - span / 2 + span * (number % 20) / 50)
            for raw, at in zip((first, last), when, strict=False):
                started = services.checkin_start_by_staff(
                    actor=admin, enrolment=enrolment, instrument="who-5"
                )
                services.checkin_complete(check_in_id=started.pk, answers=_who5(raw), actor=admin)
                CheckIn.objects.filter(pk=started.pk).update(started_at=at, completed_at=at)
                EvaluationScore.objects.filter(
                    pseudonym=services.pseudonym(person.id, program.pk),
                    program=program,
                    at__gt=now - timedelta(minutes=5),
                ).update(at=at)
            Enrolment.objects.filter(pk=enrolment.pk).update(started_at=when[0])


@transaction.atomic
def load(*, organizations: dict[str, Organization] | None = None) -> None:
    """Add the demo program, Sam River's enrolment and earlier check-ins (once)."""
    if is_loaded():
        return
    if organizations is None:
        organizations = Organization.objects.in_bulk(field_name="slug")
    holder = organizations.get(HOLDER)
    naomi = User.objects.filter(email=STAFF).first()
    if holder is None or naomi is None:
        return
    operator = User.objects.filter(is_superuser=True, is_demo=True).order_by("date_joined").first()
    program = _program(holder, operator)
    custom_form = _custom_form(holder, operator)
    # Staff find Sam by name, as they would before enrolling them.
    found = access.find_people(user=naomi, organization=holder, query="Sam River")
    if not found:
        return
    sam = found[0]
    enrolment = services.enrolment_start(actor=naomi, program=program, person_id=sam.id)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        started_at=timezone.now() - timedelta(weeks=ENROLLED_WEEKS_AGO)
    )
    for weeks, answers in EARLIER:
        started = services.checkin_start_by_staff(
            actor=naomi, enrolment=enrolment, instrument="who-5"
        )
        services.checkin_complete(check_in_id=started.pk, answers=answers, actor=naomi)
        _backdate(started, weeks)
    schedule = services.schedule_set(
        actor=naomi, enrolment=enrolment, every_days=EVERY_DAYS, instrument="who-5"
    )
    # Four weeks after the last check-in: due now.
    CheckInSchedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now())
    # The weekly check-in, offered and not answered yet.
    services.checkin_start_by_staff(actor=naomi, enrolment=enrolment, form=custom_form)
    hub = organizations.get(HUB)
    amara = User.objects.filter(email=HUB_ADMIN).first()
    if hub is not None and amara is not None:
        _hub_program(hub, amara)
