"""Demo circles and proposals (`hearth demo`): the therapy cooperative's members' circle, the
regional coalition of the Riverbend Valley network, and a lived-experience advisory board under
it with a community member who has no staff role. Open and closed proposals of several
processes, with responses, and one outcome statement with a review date. Everything goes
through the services, so it is audited like any other change. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hearth.accounts import demo_data
from hearth.accounts import services as account_services
from hearth.accounts.demo import DemoSignIn
from hearth.accounts.models import Network, Organization, User

from . import services
from .models import Circle, CircleMember, Proposal
from .services import Ballot

COOPERATIVE_SLUG = "willow-commons-members"
COALITION_SLUG = "riverbend-valley-coalition"
ADVISORY_SLUG = "lived-experience-advisory-board"

COMMUNITY_MEMBER = {
    "email": "jordan@hearth.example",
    "full_name": "Jordan Ellis",
    "summary": (
        "Community member on the lived-experience advisory board (no staff role, no two-factor "
        "code needed)"
    ),
}

COOPERATIVE_MEMBERS = [
    ("hyunwoo@hearth.example", CircleMember.Role.FACILITATOR),
    ("leila@hearth.example", CircleMember.Role.MEMBER),
]
COALITION_MEMBERS = [
    ("amara@hearth.example", CircleMember.Role.FACILITATOR),
    ("hyunwoo@hearth.example", CircleMember.Role.MEMBER),
    ("naomi@hearth.example", CircleMember.Role.MEMBER),
    ("sam@hearth.example", CircleMember.Role.MEMBER),
    ("meilin@hearth.example", CircleMember.Role.MEMBER),
    ("david@hearth.example", CircleMember.Role.MEMBER),
    ("lucia@hearth.example", CircleMember.Role.MEMBER),
]
ADVISORY_MEMBERS = [
    ("sam@hearth.example", CircleMember.Role.FACILITATOR),
    (COMMUNITY_MEMBER["email"], CircleMember.Role.MEMBER),
    ("meilin@hearth.example", CircleMember.Role.MEMBER),
    ("lucia@hearth.example", CircleMember.Role.MEMBER),
]


def _sign_in() -> DemoSignIn:
    return DemoSignIn(COMMUNITY_MEMBER["email"], COMMUNITY_MEMBER["summary"])


def is_loaded() -> bool:
    return Circle.objects.filter(slug=COOPERATIVE_SLUG).exists()


def _community_member() -> User:
    user = User.objects.filter(email=COMMUNITY_MEMBER["email"]).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            email=COMMUNITY_MEMBER["email"],
            full_name=COMMUNITY_MEMBER["full_name"],
            password=demo_data.DEMO_PASSWORD,
            is_demo=True,
        )
    return user


def _circle(*, actor, slug, members, users, **fields) -> Circle:
    circle = services.circle_create(actor=actor, **fields)
    # The demo's circles have stable addresses, so the README and the tests can name them.
    Circle.objects.filter(pk=circle.pk).update(slug=slug)
    circle.slug = slug
    for email, role in members:
        if users[email] != actor:
            services.circle_member_add(actor=None, circle=circle, user=users[email], role=role)
    if actor.email not in {email for email, _role in members}:
        # Whoever set the circle up hands it over to its own facilitators.
        services.circle_member_remove(
            actor=actor, member=CircleMember.objects.get(circle=circle, user=actor)
        )
    return circle


def _respond(proposal, user, *, at, **ballot) -> None:
    services.proposal_respond(actor=user, proposal=proposal, ballot=Ballot(**ballot), now=at)


@transaction.atomic
def load(*, organizations: dict[str, Organization] | None = None) -> list[DemoSignIn]:
    """Add the demo circles and proposals (once); return the community member's sign-in."""
    if is_loaded():
        return [_sign_in()]
    if organizations is None:
        organizations = Organization.objects.in_bulk(field_name="slug")
    emails = {email for group in (COOPERATIVE_MEMBERS, COALITION_MEMBERS) for email, _ in group}
    users = User.objects.in_bulk(list(emails), field_name="email")
    users[COMMUNITY_MEMBER["email"]] = _community_member()
    u = users.__getitem__
    network = Network.objects.get(slug="riverbend-valley")
    now = timezone.now()

    cooperative = _circle(
        actor=u("hyunwoo@hearth.example"),
        slug=COOPERATIVE_SLUG,
        members=COOPERATIVE_MEMBERS,
        users=users,
        name="Willow Commons members' circle",
        kind=Circle.Kind.COOPERATIVE,
        description=(
            "Every worker-owner of the therapy cooperative. We decide by consent: good enough "
            "for now, safe enough to try. The books are open to all of us."
        ),
        organization=organizations["willow-commons-therapy"],
    )
    coalition = _circle(
        actor=u("amara@hearth.example"),
        slug=COALITION_SLUG,
        members=COALITION_MEMBERS,
        users=users,
        name="Riverbend Valley coalition",
        kind=Circle.Kind.COALITION,
        description=(
            "One voice from each member organization of the network. We set shared priorities "
            "and decide together how the network's community funding is spent."
        ),
        network=network,
    )
    advisory = _circle(
        actor=u("amara@hearth.example"),
        slug=ADVISORY_SLUG,
        members=ADVISORY_MEMBERS,
        users=users,
        name="Lived-experience advisory board",
        kind=Circle.Kind.ADVISORY_BOARD,
        description=(
            "People with lived experience of the services in the valley, advising the coalition. "
            "Nothing about us without us."
        ),
        parent=coalition,
    )

    # --- the cooperative: a decided consent proposal, and an open consensus one ---------------
    thread = services.thread_start(
        actor=u("leila@hearth.example"),
        circle=cooperative,
        title="Sliding-scale fees for next year",
        body=(
            "Our lowest fee has not changed in three years. Can we talk about widening the scale "
            "so nobody is turned away?"
        ),
    )
    services.comment_add(
        actor=u("hyunwoo@hearth.example"),
        thread=thread,
        body="Agreed. I will write it up as a proposal so we can decide by consent.",
    )
    opened = now - timedelta(days=20)
    fees = services.proposal_open(
        actor=u("hyunwoo@hearth.example"),
        circle=cooperative,
        thread=thread,
        title="Widen the sliding scale: lowest fee 10 dollars",
        body=(
            "From next month the lowest session fee is 10 dollars and the top of the scale stays "
            "at 120 dollars. Nobody is asked for proof of income."
        ),
        process=Proposal.Process.CONSENT,
        closes_at=opened + timedelta(days=7),
        quorum_percent=100,
        now=opened,
    )
    _respond(fees, u("leila@hearth.example"), at=opened + timedelta(days=1), position="consent")
    _respond(
        fees,
        u("hyunwoo@hearth.example"),
        at=opened + timedelta(days=2),
        position="consent",
        reason="Safe enough to try; the books can carry it for a year.",
    )
    services.proposal_close(proposal=fees, now=now - timedelta(days=13))
    services.proposal_record_outcome(
        actor=u("hyunwoo@hearth.example"),
        proposal=fees,
        outcome=(
            "Consented by both members, with no objections. The lowest fee is 10 dollars from "
            "next month. We look at the books together at the review to see how it went."
        ),
        review_at=timezone.localdate(now) + timedelta(days=180),
        now=now,
    )
    week = services.proposal_open(
        actor=u("leila@hearth.example"),
        circle=cooperative,
        title="A four-day week from September",
        body=(
            "Each of us works four days a week from September, with the same pay per session. "
            "We keep the practice open five days by staggering our days."
        ),
        process=Proposal.Process.CONSENSUS,
        closes_at=now + timedelta(days=5),
        reasons_required_for=["disagree"],
        now=now - timedelta(days=2),
    )
    _respond(
        week,
        u("hyunwoo@hearth.example"),
        at=now - timedelta(days=1),
        position="disagree",
        reason="I prefer five shorter days, but I will not stand in the way.",
    )

    # --- the coalition: a closed dot vote, an open ranked choice, an anonymous poll -----------
    members = [u(email) for email, _ in COALITION_MEMBERS]
    opened = now - timedelta(days=30)
    priorities = services.proposal_open(
        actor=u("amara@hearth.example"),
        circle=coalition,
        title="The coalition's priorities for next year",
        body="Spread your five dots over what the network should work on first.",
        process=Proposal.Process.DOTS,
        options=[
            "Housing first places",
            "Peer support in every town",
            "Interpreting for every referral",
            "Paid work for survivors",
        ],
        dots_per_member=5,
        closes_at=opened + timedelta(days=10),
        quorum_percent=50,
        now=opened,
    )
    spreads = [
        {"o1": 3, "o2": 2},
        {"o1": 2, "o4": 3},
        {"o2": 4, "o3": 1},
        {"o2": 5},
        {"o4": 5},
        {"o3": 3, "o1": 2},
    ]
    for number, (member, dots) in enumerate(zip(members, spreads, strict=False), 1):
        _respond(priorities, member, at=opened + timedelta(days=number), dots=dots)
    services.proposal_close(proposal=priorities, now=opened + timedelta(days=10))

    opened = now - timedelta(days=3)
    gathering = services.proposal_open(
        actor=u("naomi@hearth.example"),
        circle=coalition,
        title="Where we hold the autumn gathering",
        body="Rank the places in your order of preference; instant runoff chooses one.",
        process=Proposal.Process.RANKED,
        options=[
            "Harlow Interfaith Community Centre",
            "Cedar Falls Commons Garden",
            "Riverbend Valley Community Hub",
            "Lanternworks Arts Collective",
        ],
        closes_at=now + timedelta(days=4),
        results_visible=Proposal.ResultsVisible.AFTER_VOTING,
        now=opened,
    )
    rankings = [
        ["o1", "o3"],
        ["o2", "o1", "o3"],
        ["o3", "o1"],
        ["o2", "o4"],
        ["o1", "o2"],
    ]
    for number, (member, ranking) in enumerate(zip(members, rankings, strict=False), 1):
        _respond(gathering, member, at=opened + timedelta(hours=number), ranking=ranking)

    meeting = services.proposal_open(
        actor=u("amara@hearth.example"),
        circle=coalition,
        title="Move the monthly meeting to the evening",
        body="An anonymous poll: when should the monthly coalition meeting start?",
        process=Proposal.Process.POLL,
        options=["10:00 as now", "17:30", "19:00"],
        anonymous=True,
        closes_at=now + timedelta(days=2),
        now=opened,
    )
    for number, (member, choice) in enumerate(
        zip(members, ["o2", "o3", "o2", "o1"], strict=False), 1
    ):
        _respond(meeting, member, at=opened + timedelta(hours=number), position=choice)

    # --- the advisory board: gradients of agreement, advice, and a closed score ---------------
    board = {email: u(email) for email, _ in ADVISORY_MEMBERS}
    wording = services.proposal_open(
        actor=u("sam@hearth.example"),
        circle=advisory,
        title="Plainer words on the shared intake form",
        body=(
            "We advise the coalition to replace 'presenting problem' with 'what would you like "
            "help with?' on every member's intake form, and to make every question skippable."
        ),
        process=Proposal.Process.GRADIENTS,
        closes_at=now + timedelta(days=6),
        now=now - timedelta(days=1),
    )
    _respond(
        wording, board[COMMUNITY_MEMBER["email"]], at=now - timedelta(hours=20), position="endorse"
    )
    _respond(
        wording,
        board["lucia@hearth.example"],
        at=now - timedelta(hours=10),
        position="agree_with_minor_point",
        reason="The Spanish version needs the same care, not a word-for-word translation.",
    )
    services.proposal_open(
        actor=board[COMMUNITY_MEMBER["email"]],
        circle=advisory,
        title="Advice: a quiet room at the autumn gathering",
        body=(
            "I would like to ask the coalition for a quiet room at every gathering, with no "
            "questions asked. Before I do, what advice do you have?"
        ),
        process=Proposal.Process.ADVICE,
        closes_at=now + timedelta(days=3),
        now=now - timedelta(hours=6),
    )
    opened = now - timedelta(days=40)
    training = services.proposal_open(
        actor=u("sam@hearth.example"),
        circle=advisory,
        title="How useful were the peer-support training sessions?",
        body="Score each session from 0 (not useful) to 5 (very useful).",
        process=Proposal.Process.SCORE,
        options=["Boundaries and burnout", "Safety planning together", "Working with interpreters"],
        score_max=5,
        anonymous=True,
        closes_at=opened + timedelta(days=14),
        now=opened,
    )
    for number, scores in enumerate(
        [{"o1": 5, "o2": 4, "o3": 3}, {"o1": 4, "o2": 5, "o3": 5}, {"o1": 3, "o2": 4, "o3": 2}], 1
    ):
        member = list(board.values())[number - 1]
        _respond(training, member, at=opened + timedelta(days=number), scores=scores)
    services.proposal_close(proposal=training, now=opened + timedelta(days=14))
    return [_sign_in()]
