"""`hearth checkins-remind`: remind people whose scheduled check-in is due, safely.

For each active schedule that has come due since it last reminded anyone:

- Hearth asks `people.services.person_contact` to send the person a vague e-mail (it says
  neither who is writing nor what it is about). That function reads the person's safe-contact
  preferences afresh through the access gate and refuses anything they do not allow; every
  attempt, sent or refused, is in the audit trail and the person's history.
- Refused only because it is outside the days or hours the person marked as safe: nothing else
  happens, and the next run tries again (run it hourly).
- Refused for any other reason (e-mail is not a safe way, no address, do not contact): the
  holding organization's admins and practitioners get an in-app notification instead, so
  someone can offer the check-in in a way that is safe. Hearth never sends anything else.

A message needs someone to send it on behalf of the organization (the gate opens a person only
for a member): the member who last set a check-in schedule for the person, while they still
have a role that reads contact details, otherwise the organization's longest-standing admin.
The audit trail records it with the channel "command".

Each schedule reminds once per due date (`last_reminded_at`); completing the check-in moves the
due date on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from hearth.accounts.models import Membership, Role
from hearth.core import audit
from hearth.core.models import AuditRecord
from hearth.core.notifications import notify
from hearth.outcomes.models import CheckInSchedule
from hearth.people import access
from hearth.people import services as people_services
from hearth.people.models import Person, Purpose
from hearth.people.safe_contact import Channel, Detail

# Refusals that only mean "not now": the next run tries again.
NOT_NOW = frozenset({"day-not-safe", "time-not-safe"})
SENDER_ROLES = (Role.ADMIN, Role.PRACTITIONER, Role.PEER_SUPPORTER)
NOTIFIED_ROLES = (Role.ADMIN, Role.PRACTITIONER)


@dataclass
class Reminded:
    sent: int = 0
    staff_told: int = 0
    not_now: int = 0


def due_schedules(now: datetime):
    return (
        CheckInSchedule.objects.filter(
            is_active=True,
            next_due_at__lte=now,
            enrolment__ended_at__isnull=True,
            enrolment__person__erased_at__isnull=True,
        )
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=F("next_due_at")))
        .select_related("enrolment__program__organization")
        .order_by("next_due_at")
    )


def _sender(organization, person_id):
    """Who sends on the organization's behalf (see the module's docstring), or None."""
    last_set = (
        AuditRecord.objects.filter(
            action="hearth.outcomes.schedule.set",
            target_id=str(person_id),
            organization_id=organization.pk,
        )
        .order_by("-sequence")
        .values_list("actor_id", flat=True)
        .first()
    )
    members = Membership.objects.filter(organization=organization).select_related("user")
    if last_set:
        membership = members.filter(user_id=last_set, role__in=SENDER_ROLES).first()
        if membership is not None and membership.user.is_active:
            return membership.user
    membership = (
        members.filter(role=Role.ADMIN, user__is_active=True).order_by("created_at").first()
    )
    return membership.user if membership else None


def _tell_staff(organization, person_id) -> None:
    users = [
        membership.user
        for membership in Membership.objects.filter(
            organization=organization, role__in=NOTIFIED_ROLES
        ).select_related("user")
    ]
    notify(
        users,
        kind="outcomes.checkin_due",
        link=reverse("outcomes:person", args=[organization.slug, person_id]),
    )


def _mark(schedule: CheckInSchedule, now: datetime, how: str, reasons=()) -> None:
    CheckInSchedule.objects.filter(pk=schedule.pk).update(last_reminded_at=now)
    audit.record(
        actor=None,
        action="hearth.outcomes.schedule.reminded",
        target=Person(pk=schedule.enrolment.person_id),
        purpose=Purpose.CARE,
        organization=schedule.enrolment.program.organization,
        detail={"schedule": str(schedule.pk), "how": how, "reasons": list(reasons)},
    )


def checkins_remind(*, now: datetime | None = None) -> Reminded:
    """Remind each person whose check-in is due, or their organization's staff (see above)."""
    now = now or timezone.now()
    counts = Reminded()
    for schedule in due_schedules(now):
        organization = schedule.enrolment.program.organization
        person_id = schedule.enrolment.person_id
        sender = _sender(organization, person_id)
        reasons: tuple[str, ...] = ()
        if sender is not None:
            try:
                # In the site's language: the person's languages are in their identity, which
                # a reminder has no reason to open.
                with override(settings.LANGUAGE_CODE):
                    people_services.person_contact(
                        actor=sender,
                        organization=organization,
                        person_id=person_id,
                        purpose=Purpose.CARE,
                        channel=Channel.EMAIL,
                        detail=Detail.VAGUE,
                        subject=_("A reminder"),
                        body=_(
                            "Hello,\n\nThis is the reminder you agreed to: it is a good time "
                            "again, whenever it suits you.\n\nYou do not need to reply."
                        ),
                        at=now,
                    )
            except people_services.ContactRefused as refused:
                reasons = tuple(refused.decision.reasons)
                if set(reasons) <= NOT_NOW:
                    counts.not_now += 1
                    continue
            except access.PersonNotFound:
                reasons = ("no-access",)
            else:
                with transaction.atomic():
                    _mark(schedule, now, "message", ())
                counts.sent += 1
                continue
        else:
            reasons = ("no-sender",)
        with transaction.atomic():
            _tell_staff(organization, person_id)
            _mark(schedule, now, "staff", reasons)
        counts.staff_told += 1
    return counts


class Command(BaseCommand):
    help = (
        "Remind people whose scheduled check-in is due, only in a way they marked as safe and "
        "with a vague message; otherwise tell their organization's staff in Hearth. Run it "
        "hourly."
    )

    def handle(self, *args, **options):
        token = audit.set_origin(audit.Origin(channel=AuditRecord.Channel.COMMAND))
        try:
            counts = checkins_remind()
        finally:
            audit.reset_origin(token)
        self.stdout.write(
            f"Reminded {counts.sent} people, told staff about {counts.staff_told}, "
            f"{counts.not_now} waiting for a safe time."
        )
