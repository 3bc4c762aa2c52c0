"""Who may do what in circles and proposals: one question each.

Members of a circle have equal standing: every member may start a discussion, raise a proposal
and respond. Facilitators run the process (members, outcome statements), not the outcome: their
responses count exactly as anyone else's."""

from __future__ import annotations

from django.utils import timezone

from hearth.accounts.rules import is_network_coordinator, is_org_admin

from .models import Circle, CircleMember, Proposal

# A proposal that can still be answered (a block holds it, but members can still change
# their responses, which is how a block is released).
ANSWERABLE_STATUSES = frozenset({Proposal.Status.OPEN, Proposal.Status.HELD})
# Statuses after which nothing about the proposal's responses changes any more.
FINISHED_STATUSES = frozenset(
    {
        Proposal.Status.CLOSED,
        Proposal.Status.WITHDRAWN,
        Proposal.Status.SUPERSEDED,
        Proposal.Status.ESCALATED,
    }
)


def is_circle_member(user, circle: Circle) -> bool:
    return (
        user.is_authenticated
        and CircleMember.objects.filter(circle=circle, user_id=user.pk).exists()
    )


def is_facilitator(user, circle: Circle) -> bool:
    return (
        user.is_authenticated
        and CircleMember.objects.filter(
            circle=circle, user_id=user.pk, role=CircleMember.Role.FACILITATOR
        ).exists()
    )


def can_start_circle_in_organization(user, organization) -> bool:
    return user.is_authenticated and (user.is_superuser or is_org_admin(user, organization))


def can_start_circle_in_network(user, network) -> bool:
    return user.is_authenticated and (user.is_superuser or is_network_coordinator(user, network))


def can_start_sub_circle(user, circle: Circle) -> bool:
    return is_facilitator(user, circle) or can_start_circle_where(user, circle)


def can_start_circle_where(user, circle: Circle) -> bool:
    """The admins of the circle's organization or the coordinators of its network."""
    if circle.organization_id:
        return can_start_circle_in_organization(user, circle.organization)
    return circle.network_id is not None and can_start_circle_in_network(user, circle.network)


def can_manage_members(user, circle: Circle) -> bool:
    return is_facilitator(user, circle)


def is_open_for_responses(proposal: Proposal, now=None) -> bool:
    return proposal.status in ANSWERABLE_STATUSES and proposal.closes_at > (now or timezone.now())


def can_respond(user, proposal: Proposal, now=None) -> bool:
    return is_open_for_responses(proposal, now) and is_circle_member(user, proposal.circle)


def can_amend(user, proposal: Proposal) -> bool:
    return proposal.status in ANSWERABLE_STATUSES and (
        proposal.opened_by_id == user.pk or is_facilitator(user, proposal.circle)
    )


def can_withdraw(user, proposal: Proposal) -> bool:
    return can_amend(user, proposal)


def can_record_outcome(user, proposal: Proposal) -> bool:
    """A facilitator writes the outcome once responses are in (an open proposal closes when they
    do) or after it closed; never while a block or objection holds it."""
    return proposal.status in {
        Proposal.Status.OPEN,
        Proposal.Status.CLOSED,
        Proposal.Status.ESCALATED,
    } and is_facilitator(user, proposal.circle)


def who_responded_is_visible(proposal: Proposal, ballots: int) -> bool:
    """For anonymous proposals the list of who took part stays hidden under 3 ballots (with 1
    or 2 the list and the tally together could tell who voted how)."""
    return not proposal.anonymous or ballots >= 3


def results_are_visible(proposal: Proposal, *, has_responded: bool) -> bool:
    """Results while voting, once the member responded, or only after closing, as the proposer
    chose. Anonymous proposals always hide results until they close (REFERENCES §6)."""
    if proposal.status in FINISHED_STATUSES:
        return True
    if proposal.anonymous or proposal.results_visible == Proposal.ResultsVisible.AFTER_CLOSE:
        return False
    if proposal.results_visible == Proposal.ResultsVisible.AFTER_VOTING:
        return has_responded
    return True
