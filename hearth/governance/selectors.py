"""Reads about circles, discussions and proposals, with the access rules applied.

A circle is private to its members. Every `*_for_member` lookup raises `Http404` both when the
thing does not exist and when the user is not a member, so nobody learns what exists by trying
addresses. An escalated proposal can also be read (not answered) by the members of the circle it
was escalated to."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import Invitation, Network, Organization, User

from . import counting, rules
from .models import Circle, CircleMember, Comment, Participation, Proposal, Response, Thread


def circles_of(user: User) -> QuerySet[Circle]:
    """The circles the user belongs to, with where they sit and how many members they have."""
    if not user.is_authenticated:
        return Circle.objects.none()
    return (
        Circle.objects.filter(members__user_id=user.pk)
        .select_related("organization", "network", "parent")
        .annotate(
            member_count=Count("members", distinct=True),
            open_proposal_count=Count(
                "proposals",
                filter=Q(proposals__status__in=rules.ANSWERABLE_STATUSES),
                distinct=True,
            ),
            is_facilitator=Exists(
                CircleMember.objects.filter(
                    circle=OuterRef("pk"), user_id=user.pk, role=CircleMember.Role.FACILITATOR
                )
            ),
        )
        .order_by("name")
    )


def circle_for_member(user: User, slug: str) -> Circle:
    circle = (
        Circle.objects.filter(slug=slug, members__user_id=user.pk)
        .select_related("organization", "network", "parent")
        .first()
        if user.is_authenticated
        else None
    )
    if circle is None:
        raise Http404
    return circle


def places_for_new_circle(user: User) -> list[tuple[str, str, Organization | Network]]:
    """Where the user may start a circle: organizations they administer and networks they
    coordinate, as (value, label, place)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        organizations = Organization.objects.order_by("name")
        networks = Network.objects.order_by("name")
    else:
        organizations = Organization.objects.filter(
            memberships__user=user, memberships__role="admin"
        ).order_by("name")
        networks = Network.objects.filter(coordinators__user=user).order_by("name")
    return [(f"organization:{o.slug}", o.name, o) for o in organizations] + [
        (f"network:{n.slug}", n.name, n) for n in networks
    ]


def circle_members(circle: Circle) -> QuerySet[CircleMember]:
    return (
        CircleMember.objects.filter(circle=circle)
        .select_related("user")
        .order_by("-role", "user__full_name", "user__email")
    )


def circle_invitations(circle: Circle) -> QuerySet[Invitation]:
    """Invitations to join the circle that are still waiting: not accepted, withdrawn or
    expired."""
    from .services import CIRCLE_INVITATION_KIND

    return (
        Invitation.objects.filter(
            kind=CIRCLE_INVITATION_KIND,
            target_id=circle.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("email")
    )


def circle_invitation_in(circle: Circle, invitation_id) -> Invitation:
    invitation = circle_invitations(circle).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def belongs_to_circles(user: User) -> bool:
    """Whether the user is in any circle (the site menu then offers "Circles")."""
    return user.is_authenticated and CircleMember.objects.filter(user_id=user.pk).exists()


def circle_member_in(circle: Circle, member_id) -> CircleMember:
    member = circle_members(circle).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def circle_threads(circle: Circle) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(circle=circle)
        .select_related("started_by")
        .annotate(comment_count=Count("comments"))
        .order_by("-created_at")
    )


def circle_proposals(circle: Circle) -> QuerySet[Proposal]:
    """The circle's proposals, newest first, with how many members have responded to each."""
    return (
        Proposal.objects.filter(circle=circle)
        .select_related("opened_by")
        .annotate(ballot_count=Count("participants", distinct=True))
        .order_by("-opened_at")
    )


def sub_circles(user: User, circle: Circle) -> list[dict]:
    """The circle's sub-circles, each with whether the user is a member (and may open it)."""
    children = list(
        circle.sub_circles.annotate(
            member_count=Count("members", distinct=True),
            is_member=Exists(CircleMember.objects.filter(circle=OuterRef("pk"), user_id=user.pk)),
        ).order_by("name")
    )
    return [{"circle": child, "is_member": child.is_member} for child in children]


def thread_for_member(user: User, thread_id) -> Thread:
    thread = (
        Thread.objects.filter(pk=thread_id, circle__members__user_id=user.pk)
        .select_related("circle", "started_by")
        .first()
        if user.is_authenticated
        else None
    )
    if thread is None:
        raise Http404
    return thread


def thread_comments(thread: Thread) -> QuerySet[Comment]:
    return Comment.objects.filter(thread=thread).select_related("author").order_by("created_at")


def thread_proposals(thread: Thread) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(thread=thread)
        .annotate(ballot_count=Count("participants", distinct=True))
        .order_by("-opened_at")
    )


def proposal_for_member(user: User, proposal_id) -> Proposal:
    """A proposal of one of the user's circles, or one escalated to a circle they belong to."""
    proposal = (
        Proposal.objects.filter(
            Q(circle__members__user_id=user.pk) | Q(escalated_to__members__user_id=user.pk),
            pk=proposal_id,
        )
        .select_related(
            "circle",
            "circle__parent",
            "thread",
            "opened_by",
            "outcome_by",
            "escalated_to",
            "supersedes",
        )
        .distinct()
        .first()
        if user.is_authenticated
        else None
    )
    if proposal is None:
        raise Http404
    return proposal


def latest_responses(proposal: Proposal) -> QuerySet[Response]:
    """The responses that count: each member's latest. Never with the voter: results are
    counted from positions and ballots alone."""
    return Response.objects.filter(proposal=proposal, is_latest=True).order_by("position", "id")


def ballot_count(proposal: Proposal) -> int:
    return Participation.objects.filter(proposal=proposal).count()


def has_responded(user: User, proposal: Proposal) -> bool:
    return Participation.objects.filter(proposal=proposal, user_id=user.pk).exists()


def respondents(proposal: Proposal) -> list[User]:
    """Who has responded, in name order (never in the order they responded, which could be
    matched with the order of the responses)."""
    return list(
        User.objects.filter(pk__in=Participation.objects.filter(proposal=proposal).values("user"))
        .only("id", "full_name", "email")
        .order_by("full_name", "email")
    )


def own_responses(user: User, proposal: Proposal, digest: str) -> QuerySet[Response]:
    """The member's own responses to this version, oldest first. For anonymous proposals they
    are found by the member's keyed digest, since no response names its voter."""
    return Response.objects.filter(proposal=proposal, voter_digest=digest).order_by("created_at")


def proposal_versions(proposal: Proposal) -> list[Proposal]:
    """Every version of a proposal, oldest first (an amendment is a new row that supersedes
    the one before)."""
    versions = [proposal]
    earlier = proposal.supersedes
    while earlier is not None:
        versions.insert(0, earlier)
        earlier = Proposal.objects.select_related("supersedes").get(pk=earlier.pk).supersedes
    later = Proposal.objects.filter(supersedes=proposal).first()
    while later is not None:
        versions.append(later)
        later = Proposal.objects.filter(supersedes=later).first()
    return versions


# --- what a page shows of responses -----------------------------------------------------------


def describe_response(proposal: Proposal, response: Response) -> str:
    """A response in words: its position, or its scores, dots or ranking."""
    from .services import position_label

    labels = {option["key"]: option["label"] for option in proposal.options}
    if response.position:
        return position_label(proposal, response.position)
    ballot = response.ballot or {}
    if "scores" in ballot:
        return "; ".join(f"{labels.get(k, k)}: {v}" for k, v in ballot["scores"].items())
    if "dots" in ballot:
        return "; ".join(f"{labels.get(k, k)}: {v}" for k, v in ballot["dots"].items())
    if "ranking" in ballot:
        return " > ".join(labels.get(key, key) for key in ballot["ranking"])
    return ""


def holding_reasons(proposal: Proposal) -> list[dict]:
    """The blocks and objections holding the proposal, with their reasons; named only when the
    proposal is not anonymous."""
    from .services import HOLDING_POSITIONS, position_label

    holding = (
        Response.objects.filter(proposal=proposal, is_latest=True, position__in=HOLDING_POSITIONS)
        .select_related("voter")
        .order_by("position", "reason")
    )
    return [
        {
            "position": position_label(proposal, response.position),
            "reason": response.reason,
            "name": (
                ""
                if proposal.anonymous or response.voter is None
                else response.voter.full_name or response.voter.email
            ),
        }
        for response in holding
    ]


def named_responses(proposal: Proposal) -> list[dict]:
    """Each member's current response with their name: for proposals that are not anonymous
    only (callers check; this refuses anonymous ones as well)."""
    if proposal.anonymous:
        return []
    responses = (
        Response.objects.filter(proposal=proposal, is_latest=True, voter__isnull=False)
        .select_related("voter")
        .order_by("voter__full_name", "voter__email")
    )
    return [
        {
            "name": response.voter.full_name or response.voter.email,
            "summary": describe_response(proposal, response),
            "reason": response.reason,
        }
        for response in responses
    ]


def anonymous_reasons(proposal: Proposal) -> list[dict]:
    """The reasons given in an anonymous proposal, without names and in an order that says
    nothing about who or when (by position, then by the text itself)."""
    from .services import position_label

    responses = Response.objects.filter(proposal=proposal, is_latest=True).exclude(reason="")
    items = [
        {
            "position": position_label(proposal, response.position) if response.position else "",
            "reason": response.reason,
        }
        for response in responses.only("position", "reason")
    ]
    return sorted(items, key=lambda item: (item["position"], item["reason"]))


# --- results (counted by counting.py) ---------------------------------------------------------


@dataclass
class Results:
    """A proposal's results as a page shows them: one row per position or option (a label and
    the number counting.py gave it), the ballots cast against the quorum, and for ranked choice
    the winners and every round. Never anyone's name."""

    measure: str
    rows: list[dict]
    ballots: int
    electorate: int
    quorum: counting.Quorum | None = None
    held: bool = False
    stand_asides: int = 0  # consensus: members who disagree but will not stop it
    leaders: list[str] = field(default_factory=list)
    winners: list[str] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)
    quota: float | None = None
    tie_breaks: list[tuple[str, str]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)


def counted_responses(proposal: Proposal) -> list[counting.Response]:
    """The latest response of each member, as counting.py takes them: the voter is the keyed
    digest (one per member), never the person."""
    return [
        counting.Response(
            voter=row["voter_digest"],
            choice=row["position"],
            reason=row["reason"],
            points=(row["ballot"] or {}).get("scores") or (row["ballot"] or {}).get("dots") or {},
        )
        for row in Response.objects.filter(proposal=proposal, is_latest=True)
        .order_by("created_at")
        .values("voter_digest", "position", "reason", "ballot")
    ]


def _rankings(proposal: Proposal) -> list[list[str]]:
    return [
        ballot.get("ranking") or []
        for ballot in Response.objects.filter(proposal=proposal, is_latest=True)
        .order_by("created_at")
        .values_list("ballot", flat=True)
    ]


def is_held(proposal: Proposal) -> bool:
    """Whether an unresolved block (consensus) or objection (consent) holds the proposal, as
    counting.py's tally says."""
    responses = counted_responses(proposal)
    if proposal.process == Proposal.Process.CONSENT:
        return counting.tally_consent(responses).held
    if proposal.process == Proposal.Process.CONSENSUS:
        return counting.tally_consensus(responses).held
    return False


def proposal_results(proposal: Proposal) -> Results:
    """The tally of a proposal's latest responses, by counting.py, labelled for people."""
    from .services import positions_for

    Process = Proposal.Process
    labels = dict(positions_for(proposal))
    option_keys = [option["key"] for option in proposal.options]
    responses = counted_responses(proposal)
    results = Results(
        measure=str(_("Responses")),
        rows=[],
        ballots=len(responses),
        electorate=proposal.electorate_at_opening,
    )
    if proposal.quorum_percent:
        results.quorum = counting.quorum(
            cast=len(responses),
            electorate_at_opening=proposal.electorate_at_opening,
            share=Fraction(proposal.quorum_percent, 100),
        )

    def rows(counts: dict) -> list[dict]:
        return [{"label": labels.get(key, key), "value": value} for key, value in counts.items()]

    process = proposal.process
    if process == Process.ADVICE:
        tally = counting.tally_advice(responses)
        counts = {key: 0 for key in labels}
        for response in tally.advice:
            counts[response.choice] = counts.get(response.choice, 0) + 1
        results.rows = rows(counts)
    elif process == Process.CONSENT:
        tally = counting.tally_consent(responses)
        results.rows = rows(
            {
                counting.Consent.CONSENT.value: tally.consents,
                counting.Consent.OBJECTION.value: len(tally.objections)
                + len(tally.resolved_objections),
            }
        )
        results.held = tally.held
    elif process == Process.CONSENSUS:
        tally = counting.tally_consensus(responses)
        # "Disagree" is the stand-aside (REFERENCES §6): its row is the tally's stand-asides.
        results.rows = rows(tally.counts)
        results.stand_asides = len(tally.stand_asides)
        results.held = tally.held
    elif process == Process.GRADIENTS:
        results.rows = rows(counting.tally_gradients(responses).counts)
    elif process == Process.POLL:
        tally = counting.tally_poll(responses, option_keys)
        results.rows = rows(tally.counts)
        results.leaders = [labels[key] for key in tally.leaders]
    elif process == Process.SCORE:
        tally = counting.tally_score(responses, option_keys, minimum=0, maximum=proposal.score_max)
        results.measure = str(_("Total score"))
        results.extra_columns = [str(_("Average")), str(_("Scored by"))]
        results.rows = [
            {
                "label": labels[key],
                "value": tally.totals[key],
                "extra": [
                    _decimal(tally.means[key]),
                    tally.scored_by[key],
                ],
            }
            for key in tally.ranking
        ]
        results.leaders = [labels[key] for key in tally.leaders]
    elif process == Process.DOTS:
        tally = counting.tally_dots(responses, option_keys, dots=proposal.dots_per_member)
        results.measure = str(_("Dots"))
        results.rows = [{"label": labels[key], "value": tally.totals[key]} for key in tally.ranking]
        results.leaders = [labels[key] for key in tally.leaders]
    elif process == Process.RANKED:
        _ranked(proposal, results, labels, option_keys)
    return results


def _ranked(proposal: Proposal, results: Results, labels: dict, option_keys: list[str]) -> None:
    ballots = _rankings(proposal)
    results.measure = str(_("First choices"))
    first = {key: 0 for key in option_keys}
    for ranking in ballots:
        if ranking:
            first[ranking[0]] += 1
    results.rows = [{"label": labels[key], "value": value} for key, value in first.items()]
    if not ballots:
        return
    if proposal.seats > 1:
        counted = counting.single_transferable_vote(option_keys, ballots, proposal.seats)
    else:
        counted = counting.instant_runoff(option_keys, ballots)
    status_labels = {
        counting.ELECTED: str(_("chosen")),
        counting.HOPEFUL: str(_("still in")),
        counting.REJECTED: str(_("out")),
    }
    results.winners = [labels[key] for key in counted.winners]
    results.quota = counted.quota
    results.tie_breaks = [(labels[t.ahead], labels[t.behind]) for t in counted.tie_breaks]
    results.rounds = [
        {
            "number": number,
            "rows": [
                {"label": labels[key], "votes": _votes(votes), "status": status_labels[status]}
                for key, votes, status in round_.results
            ],
            "elected": [labels[key] for key in round_.elected],
            "rejected": [labels[key] for key in round_.rejected],
            "exhausted": _votes(round_.exhausted_votes),
        }
        for number, round_ in enumerate(counted.rounds, 1)
    ]


def _votes(value: float) -> str:
    """Votes as counted (floats for the transferable vote), shown to two places at most."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _decimal(value: Fraction | None) -> str:
    return "-" if value is None else f"{float(value):.2f}"
