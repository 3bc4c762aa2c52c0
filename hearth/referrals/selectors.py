"""Reads about referrals with the access rules applied: statuses and dates, never payloads (those
open only through `services.referral_open_payload`, behind the people access gate)."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hearth.accounts.models import Membership, Network, Organization
from hearth.accounts.rules import PERSONAL_DATA_ROLES
from hearth.core.suppression import is_publishable, suppress

from .models import CLOSED_STATUSES, Referral, Status
from .services import ReferralNotFound, side_of


def _base() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "service", "sending_organization", "receiving_organization", "consent"
    )


def referral_for(
    user, organization: Organization | None, referral_id, *, role: str | None = None
) -> tuple[Referral, str]:
    """The referral and the side `user` is on, or ReferralNotFound for missing and forbidden.
    `role`: the user's role in `organization`, if the caller read it in this request."""
    try:
        referral = _base().filter(pk=referral_id).first()
    except (ValueError, TypeError):
        referral = None
    side = side_of(user, organization, referral, role=role) if referral is not None else None
    if referral is None or side is None:
        raise ReferralNotFound()
    if referral.status == Status.DRAFT and side != "requester":
        raise ReferralNotFound()  # a draft is the sender's until it is sent
    return referral, side


def referrals_for_organization(user, organization: Organization) -> QuerySet[Referral]:
    """Referrals the organization sent or received, if `user` is staff who may see them."""
    if not Membership.objects.filter(
        user=user, organization=organization, role__in=PERSONAL_DATA_ROLES
    ).exists():
        return Referral.objects.none()
    return (
        _base()
        .filter(Q(sending_organization=organization) | Q(receiving_organization=organization))
        .exclude(Q(status=Status.DRAFT) & ~Q(sending_organization=organization))
    )


# --- follow-up ---


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` plus `days` working days (Monday to Friday), at the same time of day."""
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment


def acknowledgement_periods(organization_ids) -> dict:
    """Each receiving organization's acknowledgement period in working days, in one query: the
    shortest among its networks, else the site default."""
    ids = set(organization_ids)
    days: dict = {}
    for organization_id, value in Network.objects.filter(
        memberships__organization_id__in=ids, referral_ack_working_days__isnull=False
    ).values_list("memberships__organization_id", "referral_ack_working_days"):
        days[organization_id] = min(value, days.get(organization_id, value))
    default = settings.HEARTH_REFERRAL_ACK_WORKING_DAYS
    return {organization_id: days.get(organization_id, default) for organization_id in ids}


class DueDates:
    """When each waiting referral should have been answered, for many referrals at once: the
    periods of their receiving organizations are read together, not once per referral."""

    def __init__(self, referrals=()):
        self.days = acknowledgement_periods(r.receiving_organization_id for r in referrals)

    def due(self, referral: Referral) -> datetime | None:
        if referral.requested_at is None:
            return None
        organization_id = referral.receiving_organization_id
        if organization_id not in self.days:
            self.days.update(acknowledgement_periods([organization_id]))
        return add_working_days(referral.requested_at, self.days[organization_id])

    def overdue(self, referral: Referral, now: datetime | None = None) -> bool:
        """Sent, still unanswered, past the acknowledgement period."""
        if referral.status != Status.REQUESTED:
            return False
        due = self.due(referral)
        return due is not None and due < (now or timezone.now())


def acknowledgement_days(organization_id) -> int:
    return acknowledgement_periods([organization_id])[organization_id]


def acknowledgement_due(referral: Referral) -> datetime | None:
    return DueDates([referral]).due(referral)


def is_overdue(referral: Referral, *, now: datetime | None = None) -> bool:
    return DueDates([referral]).overdue(referral, now)


def overdue_referrals(*, now: datetime | None = None) -> list[Referral]:
    now = now or timezone.now()
    waiting = list(_base().filter(status=Status.REQUESTED, requested_at__isnull=False))
    dates = DueDates(waiting)
    return [referral for referral in waiting if dates.overdue(referral, now)]


def needs_attention(user, organization: Organization, *, now: datetime | None = None) -> dict:
    """The queues: for the receiver, new referrals to answer (overdue first); for the sender,
    overdue ones to chase and declined or failed ones to find another way for."""
    now = now or timezone.now()
    mine = referrals_for_organization(user, organization)
    received = list(mine.filter(receiving_organization=organization, status=Status.REQUESTED))
    sent = mine.filter(sending_organization=organization)
    waiting_sent = list(sent.filter(status=Status.REQUESTED))
    dates = DueDates(received + waiting_sent)
    to_answer = sorted(
        received, key=lambda referral: (not dates.overdue(referral, now), referral.requested_at)
    )
    to_chase = [referral for referral in waiting_sent if dates.overdue(referral, now)]
    to_rethink = list(
        sent.filter(
            status__in=[Status.REJECTED, Status.FAILED], closed_at__gte=now - timedelta(days=30)
        )
    )
    return {"to_answer": to_answer, "to_chase": to_chase, "to_rethink": to_rethink}


# --- the network view ---


def network_referral_figures(network: Network, *, since: datetime, until: datetime) -> dict:
    """Aggregates only, for coordinators: referrals by status, acceptance rate, median days to
    acceptance and to completion, unmet needs by category and reason, services most often at
    capacity. Every count below the suppression threshold is hidden, with complements."""
    members = Organization.objects.filter(network_memberships__network=network)
    referrals = Referral.objects.filter(
        receiving_organization__in=members, requested_at__gte=since, requested_at__lt=until
    ).exclude(status__in=[Status.DRAFT, Status.ENTERED_IN_ERROR])
    by_status = dict(referrals.values_list("status").annotate(n=Count("id")))
    statuses = [s for s in Status.values if s not in (Status.DRAFT, Status.ENTERED_IN_ERROR)]
    status_table = suppress(
        [str(Status(s).label) for s in statuses],
        ["referrals"],
        [[by_status.get(s, 0)] for s in statuses],
    )
    answered = referrals.exclude(status__in=[Status.REQUESTED, Status.CANCELLED])
    answered_count = answered.count()
    accepted_count = answered.exclude(status=Status.REJECTED).count()
    acceptance_rate = (
        round(100 * accepted_count / answered_count)
        if answered_count and is_publishable(answered_count) and is_publishable(accepted_count)
        else None
    )
    to_acceptance = [
        (r.accepted_at - r.requested_at).total_seconds() / 86400
        for r in referrals.filter(accepted_at__isnull=False).only("accepted_at", "requested_at")
    ]
    to_completion = [
        (r.closed_at - r.requested_at).total_seconds() / 86400
        for r in referrals.filter(status=Status.COMPLETED).only("closed_at", "requested_at")
    ]
    unmet = (
        referrals.filter(status__in=[Status.REJECTED, Status.FAILED])
        .values_list("need_code", "status_reason")
        .annotate(n=Count("id"))
    )
    needs = sorted({code or "" for code, _reason, _n in unmet})
    reasons = sorted({reason or "" for _code, reason, _n in unmet})
    grid = [[0] * len(reasons) for _ in needs]
    for code, reason, n in unmet:
        grid[needs.index(code or "")][reasons.index(reason or "")] = n
    at_capacity = (
        referrals.filter(status=Status.REJECTED, status_reason="no-capacity")
        .values_list("service__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    return {
        "total": status_table.grand_total(),
        "by_status": status_table,
        "acceptance_rate": acceptance_rate,
        "median_days_to_acceptance": (
            round(median(to_acceptance), 1)
            if to_acceptance and is_publishable(len(to_acceptance))
            else None
        ),
        "median_days_to_completion": (
            round(median(to_completion), 1)
            if to_completion and is_publishable(len(to_completion))
            else None
        ),
        "unmet_needs": suppress(needs, reasons, grid),
        "services_at_capacity": [(name, n) for name, n in at_capacity if is_publishable(n)],
        "closed": [s for s in CLOSED_STATUSES],
    }
