"""Every state change for circles, discussions and proposals (REFERENCES §6). Each function is
keyword-only, runs in one transaction and writes its audit record in that transaction.

The rules the processes actually have:

- quorum counts the ballots cast against the electorate counted when the proposal opened;
- a block (consensus) or an objection (consent) needs a reason and holds the proposal until the
  member who raised it changes their response, or the proposal is withdrawn or amended;
- members change their response until the proposal closes: every response is kept, the latest
  counts;
- an amendment is a new version (a new row superseding the old) that needs fresh responses;
- anonymity can only ever be switched on: no function here turns it off, and in an anonymous
  proposal no response names its voter (only a keyed digest lets the member replace their own);
- the software never declares consensus: a facilitator writes the outcome with a review date;
- unresolved proposals (held when they close) escalate to the parent circle.

Refusals raise `ValidationError` before anything is written, so a refused request changes
nothing."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hearth.accounts import services as accounts_services
from hearth.accounts.models import Invitation, Network, Organization, User
from hearth.core import audit
from hearth.core.notifications import notify

from . import counting, rules, selectors
from .models import Circle, CircleMember, Comment, Participation, Proposal, Response, Thread

Process = Proposal.Process
Status = Proposal.Status


# --- the processes ----------------------------------------------------------------------------

BLOCK = counting.Position.BLOCK.value
OBJECTION = counting.Consent.OBJECTION.value
# Positions that hold a proposal until they are withdrawn, and always need a reason.
HOLDING_POSITIONS = frozenset({BLOCK, OBJECTION})

# The positions of the processes that answer with one position (the keys are counting.py's).
# Consensus has the four positions of REFERENCES §6; "disagree" is the stand-aside (the member
# does not support it but will not stop it), recorded with its reason and counted as such by
# counting.tally_consensus.
POSITIONS: dict[str, list[tuple[str, object]]] = {
    # Every response in the advice process is advice, written down: the person deciding reads it.
    Process.ADVICE: [
        ("support", gettext_lazy("I support it, with this advice")),
        ("concern", gettext_lazy("I have concerns, with this advice")),
    ],
    Process.CONSENT: [
        (
            counting.Consent.CONSENT.value,
            gettext_lazy("Consent: good enough for now, safe enough to try"),
        ),
        (OBJECTION, gettext_lazy("Objection: it would harm the circle's aims")),
    ],
    Process.CONSENSUS: [
        (counting.Position.AGREE.value, gettext_lazy("Agree")),
        (counting.Position.ABSTAIN.value, gettext_lazy("Abstain")),
        (
            counting.Position.DISAGREE.value,
            gettext_lazy("Disagree, standing aside: I will not stop it"),
        ),
        (BLOCK, gettext_lazy("Block: this goes against the circle's values or purpose")),
    ],
    # Sam Kaner's gradients of agreement, from whole-hearted endorsement to veto.
    Process.GRADIENTS: [
        (counting.Gradient.ENDORSE.value, gettext_lazy("Whole-hearted endorsement")),
        (
            counting.Gradient.AGREE_WITH_MINOR_POINT.value,
            gettext_lazy("Agreement with a minor point of contention"),
        ),
        (
            counting.Gradient.SUPPORT_WITH_RESERVATIONS.value,
            gettext_lazy("Support with reservations"),
        ),
        (counting.Gradient.ABSTAIN.value, gettext_lazy("Abstain")),
        (counting.Gradient.MORE_DISCUSSION.value, gettext_lazy("More discussion needed")),
        (
            counting.Gradient.DISLIKE_BUT_SUPPORT.value,
            gettext_lazy("I don't like it but I will support it"),
        ),
        (counting.Gradient.SERIOUS_DISAGREEMENT.value, gettext_lazy("Serious disagreement")),
        (counting.Gradient.VETO.value, gettext_lazy("Veto")),
    ],
}
# Positions that always need a reason, whatever the proposer chose (counting.py's checks say
# the same for blocks, objections, vetoes and advice).
ALWAYS_NEED_REASON = frozenset(
    {BLOCK, OBJECTION, counting.Gradient.VETO.value, "support", "concern"}
)

# Processes whose ballot is structured (`Response.ballot`) rather than one position.
BALLOT_PROCESSES = frozenset({Process.SCORE, Process.DOTS, Process.RANKED})
# Processes that choose between the proposer's options.
OPTION_PROCESSES = frozenset({Process.POLL, Process.SCORE, Process.DOTS, Process.RANKED})

MAX_OPTIONS = 30
MAX_SCORE = 100
MAX_DOTS = 100


def positions_for(proposal: Proposal) -> list[tuple[str, str]]:
    """The positions a member can take on this proposal: the process's own, or its options."""
    if proposal.process in POSITIONS:
        return [(key, str(label)) for key, label in POSITIONS[proposal.process]]
    return [(option["key"], option["label"]) for option in proposal.options]


def position_label(proposal: Proposal, position: str) -> str:
    return dict(positions_for(proposal)).get(position, position)


def reason_required(proposal: Proposal, position: str) -> bool:
    return position in ALWAYS_NEED_REASON or position in (proposal.reasons_required_for or [])


# --- keyed digests ----------------------------------------------------------------------------


def voter_digest(proposal_id, user_id) -> str:
    """A keyed, one-way digest of (proposal, member): lets a member's later response replace
    their earlier one without the response naming them. Without the server's blind-index key
    nobody can work out whose digest it is."""
    key = settings.HEARTH_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"ballot:{proposal_id}:{user_id}".encode(), "sha256").hexdigest()


# --- circles ----------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "circle"
    slug, number = base, 2
    while Circle.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def circle_create(
    *,
    actor: User,
    name: str,
    kind: str,
    description: str = "",
    organization: Organization | None = None,
    network: Network | None = None,
    parent: Circle | None = None,
) -> Circle:
    """Start a circle inside an organization (by its admins) or a network (by its
    coordinators), or a sub-circle (by a facilitator of the parent, which it sits in). The
    person who starts it becomes its first facilitator."""
    if parent is not None:
        organization, network = parent.organization, parent.network
        allowed = rules.can_start_sub_circle(actor, parent)
    elif (organization is None) == (network is None):
        raise ValidationError(_("Choose one organization or one network for the circle."))
    elif organization is not None:
        allowed = rules.can_start_circle_in_organization(actor, organization)
    else:
        allowed = rules.can_start_circle_in_network(actor, network)
    if not allowed:
        raise ValidationError(_("You cannot start a circle there."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the circle a name.")})
    if kind not in Circle.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of circle this is.")})
    circle = Circle.objects.create(
        slug=_unique_slug(name),
        name=name,
        kind=kind,
        description=description.strip(),
        organization=organization,
        network=network,
        parent=parent,
    )
    CircleMember.objects.create(circle=circle, user=actor, role=CircleMember.Role.FACILITATOR)
    audit.record(
        actor=actor,
        action="hearth.governance.circle.created",
        target=circle,
        organization=organization,
        network=network,
        detail={"kind": kind, "parent": str(parent.pk) if parent else None},
    )
    return circle


def _scope(circle: Circle) -> dict:
    return {"organization": circle.organization_id, "network": circle.network_id}


@transaction.atomic
def circle_member_add(
    *,
    actor: User | None,
    circle: Circle,
    email: str = "",
    user: User | None = None,
    role: str = CircleMember.Role.MEMBER,
) -> CircleMember:
    """Add someone who already has a Hearth account (found by e-mail address) to a circle, as a
    member or a facilitator. Anyone can be a member: staff role or none. Only facilitators add
    members (`actor=None` is the demo and commands)."""
    if actor is not None and not rules.can_manage_members(actor, circle):
        raise ValidationError(_("Only the circle's facilitators can add members."))
    if role not in CircleMember.Role.values:
        raise ValidationError({"role": _("Choose member or facilitator.")})
    if user is None:
        email = (email or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"email": _("Enter an e-mail address, like name@example.org.")}
            ) from None
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise ValidationError(
                {
                    "email": _(
                        "Nobody has a Hearth account with this e-mail address. They need an "
                        "account before they can join a circle."
                    )
                }
            )
    if CircleMember.objects.filter(circle=circle, user=user).exists():
        raise ValidationError({"email": _("This person is already in the circle.")})
    member = CircleMember.objects.create(circle=circle, user=user, role=role)
    audit.record(
        actor=actor,
        action="hearth.governance.member.added",
        target=circle,
        detail={"user_id": str(user.pk), "role": role},
        **_scope(circle),
    )
    return member


# Invitations to join a circle are the accounts app's invitations (one token, e-mail and
# acceptance page for everything), of this registered kind.
CIRCLE_INVITATION_KIND = "governance.circle"


def _invited_circle(invitation: Invitation) -> Circle:
    return Circle.objects.get(pk=invitation.target_id)


@transaction.atomic
def circle_member_invite(
    *,
    actor: User,
    circle: Circle,
    email: str,
    role: str = CircleMember.Role.MEMBER,
    base_url: str,
) -> CircleMember | Invitation:
    """A facilitator brings someone into the circle by e-mail address: someone with a Hearth
    account is added at once (`circle_member_add`); someone without one — a community member
    with no staff role, say — is sent an invitation link, and joins with the role chosen when
    they accept it and make their account. Returns the membership or the invitation."""
    if not rules.can_manage_members(actor, circle):
        raise ValidationError(_("Only the circle's facilitators can add members."))
    email = (email or "").strip().lower()
    if User.objects.filter(email=email, is_active=True).exists():
        return circle_member_add(actor=actor, circle=circle, email=email, role=role)
    if role not in CircleMember.Role.values:
        raise ValidationError({"role": _("Choose member or facilitator.")})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Enter an e-mail address, like name@example.org.")}
        ) from None
    if User.objects.filter(email=email).exists():
        # An account that was closed: an invitation could not be accepted with it.
        raise ValidationError({"email": _("This person's Hearth account is closed.")})
    if selectors.circle_invitations(circle).filter(email=email).exists():
        raise ValidationError(
            {"email": _("An invitation to this address is already waiting to be accepted.")}
        )
    invitation, _token = accounts_services.invitation_send(
        actor=actor,
        email=email,
        role=role,
        base_url=base_url,
        kind=CIRCLE_INVITATION_KIND,
        target_id=circle.pk,
    )
    audit.record(
        actor=actor,
        action="hearth.governance.member.invited",
        target=circle,
        detail={"invitation": str(invitation.pk), "role": role},
        **_scope(circle),
    )
    return invitation


def circle_invitation_accept(*, invitation: Invitation, user: User) -> CircleMember:
    """Join the circle an invitation was for (called by the accounts app's `invitation_accept`,
    in its transaction, once the person has signed in or made their account)."""
    circle = _invited_circle(invitation)
    if CircleMember.objects.filter(circle=circle, user=user).exists():
        raise ValidationError(_("You are already in this circle."))
    role = (
        invitation.role if invitation.role in CircleMember.Role.values else CircleMember.Role.MEMBER
    )
    member = CircleMember.objects.create(circle=circle, user=user, role=role)
    audit.record(
        actor=user,
        action="hearth.governance.member.joined",
        target=circle,
        detail={"user_id": str(user.pk), "role": role, "invitation": str(invitation.pk)},
        **_scope(circle),
    )
    return member


@transaction.atomic
def circle_invitation_withdraw(*, actor: User, circle: Circle, invitation: Invitation) -> None:
    """A facilitator withdraws an invitation to the circle that has not been accepted."""
    if not rules.can_manage_members(actor, circle):
        raise ValidationError(_("Only the circle's facilitators can withdraw invitations."))
    if invitation.kind != CIRCLE_INVITATION_KIND or invitation.target_id != circle.pk:
        raise ValidationError(_("This invitation is not for this circle."))
    accounts_services.invitation_revoke(actor=actor, invitation=invitation)
    audit.record(
        actor=actor,
        action="hearth.governance.invitation.withdrawn",
        target=circle,
        detail={"invitation": str(invitation.pk)},
        **_scope(circle),
    )


CIRCLE_INVITATION = accounts_services.InvitationKind(
    kind=CIRCLE_INVITATION_KIND,
    name=lambda invitation: _invited_circle(invitation).name,
    accept=circle_invitation_accept,
    url=lambda invitation: reverse("governance:circle", args=[_invited_circle(invitation).slug]),
)


@transaction.atomic
def circle_member_remove(*, actor: User, member: CircleMember) -> None:
    """A facilitator removes a member, or a member leaves. A circle keeps one facilitator."""
    circle = member.circle
    if member.user_id != actor.pk and not rules.can_manage_members(actor, circle):
        raise ValidationError(_("Only the circle's facilitators can remove members."))
    if (
        member.role == CircleMember.Role.FACILITATOR
        and not CircleMember.objects.filter(circle=circle, role=CircleMember.Role.FACILITATOR)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise ValidationError(_("A circle needs at least one facilitator."))
    audit.record(
        actor=actor,
        action="hearth.governance.member.removed",
        target=circle,
        detail={"user_id": str(member.user_id), "role": member.role},
        **_scope(circle),
    )
    member.delete()


# --- discussions ------------------------------------------------------------------------------


def _require_member(actor: User, circle: Circle) -> None:
    if not rules.is_circle_member(actor, circle):
        raise ValidationError(_("Only the circle's members can take part."))


@transaction.atomic
def thread_start(*, actor: User | None, circle: Circle, title: str, body: str = "") -> Thread:
    """Start a discussion; the opening words become its first comment. `actor=None` is the
    system (escalations)."""
    if actor is not None:
        _require_member(actor, circle)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the discussion a title.")})
    thread = Thread.objects.create(circle=circle, title=title[:200], started_by=actor)
    if body.strip():
        Comment.objects.create(thread=thread, author=actor, body=body.strip())
    audit.record(
        actor=actor, action="hearth.governance.thread.started", target=thread, **_scope(circle)
    )
    return thread


@transaction.atomic
def comment_add(*, actor: User, thread: Thread, body: str) -> Comment:
    _require_member(actor, thread.circle)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    comment = Comment.objects.create(thread=thread, author=actor, body=body)
    audit.record(
        actor=actor,
        action="hearth.governance.comment.added",
        target=comment,
        detail={"thread": str(thread.pk)},
        **_scope(thread.circle),
    )
    return comment


# --- proposals --------------------------------------------------------------------------------


def proposal_url(proposal: Proposal) -> str:
    return reverse("governance:proposal", args=[proposal.pk])


def _members(circle: Circle):
    return User.objects.filter(circle_memberships__circle=circle, is_active=True)


def _clean_options(process: str, options) -> list[dict]:
    if process not in OPTION_PROCESSES:
        return []
    labels = [str(label).strip() for label in (options or [])]
    labels = [label for label in labels if label]
    if len(labels) < 2:
        raise ValidationError({"options": _("Give at least two options to choose between.")})
    if len(labels) > MAX_OPTIONS:
        raise ValidationError(
            {"options": _("Give at most %(count)d options.") % {"count": MAX_OPTIONS}}
        )
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValidationError({"options": _("Each option must be different.")})
    return [{"key": f"o{number}", "label": label[:200]} for number, label in enumerate(labels, 1)]


def _validated_settings(
    *,
    process: str,
    title: str,
    body: str,
    options,
    seats: int,
    dots_per_member: int,
    score_max: int,
    closes_at: datetime,
    quorum_percent: int | None,
    results_visible: str,
    reasons_required_for,
    now: datetime,
) -> dict:
    errors: dict[str, list] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if process not in Process.values:
        raise ValidationError({"process": _("Choose how the circle decides.")})
    if not title.strip():
        refuse("title", _("Give the proposal a title."))
    if not body.strip():
        refuse("body", _("Say what is proposed."))
    try:
        cleaned_options = _clean_options(process, options)
    except ValidationError as error:
        cleaned_options = []
        errors.setdefault("options", []).extend(error.message_dict["options"])
    if closes_at is None or closes_at <= now:
        refuse("closes_at", _("The closing time must be in the future."))
    if quorum_percent is not None and not 1 <= quorum_percent <= 100:
        refuse("quorum_percent", _("The quorum is a share between 1 and 100 per cent."))
    if results_visible not in Proposal.ResultsVisible.values:
        refuse("results_visible", _("Choose when results can be seen."))
    if process == Process.RANKED and not 1 <= seats < max(len(cleaned_options), 2):
        refuse("seats", _("There must be fewer seats than options, and at least one."))
    if process != Process.RANKED:
        seats = 1
    if process == Process.DOTS and not 1 <= dots_per_member <= MAX_DOTS:
        refuse("dots_per_member", _("Each member needs between 1 and 100 dots."))
    if process == Process.SCORE and not 1 <= score_max <= MAX_SCORE:
        refuse("score_max", _("The highest score must be between 1 and 100."))
    possible = {key for key, _label in POSITIONS.get(process, [])}
    if process == Process.POLL:
        possible |= {option["key"] for option in cleaned_options}
    reasons = sorted(set(reasons_required_for or []))
    if any(key not in possible for key in reasons):
        refuse("reasons_required_for", _("Choose responses this process has."))
    if errors:
        raise ValidationError(errors)
    return {
        "process": process,
        "title": title.strip()[:200],
        "body": body.strip(),
        "options": cleaned_options,
        "seats": seats,
        "dots_per_member": dots_per_member if process == Process.DOTS else 0,
        "score_max": score_max if process == Process.SCORE else 0,
        "closes_at": closes_at,
        "quorum_percent": quorum_percent,
        "results_visible": results_visible,
        "reasons_required_for": reasons,
    }


@transaction.atomic
def proposal_open(
    *,
    actor: User,
    circle: Circle,
    title: str,
    body: str,
    process: str,
    closes_at: datetime,
    options=(),
    seats: int = 1,
    dots_per_member: int = 0,
    score_max: int = 0,
    quorum_percent: int | None = None,
    anonymous: bool = False,
    results_visible: str = Proposal.ResultsVisible.ALWAYS,
    reasons_required_for=(),
    thread: Thread | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Any member raises a proposal. The electorate (members at this moment) is counted now,
    for the quorum. Members are notified."""
    now = now or timezone.now()
    _require_member(actor, circle)
    if thread is not None and thread.circle_id != circle.pk:
        raise ValidationError(_("That discussion belongs to another circle."))
    fields = _validated_settings(
        process=process,
        title=title,
        body=body,
        options=options,
        seats=seats,
        dots_per_member=dots_per_member,
        score_max=score_max,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        results_visible=results_visible,
        reasons_required_for=reasons_required_for,
        now=now,
    )
    proposal = Proposal.objects.create(
        circle=circle,
        thread=thread,
        anonymous=bool(anonymous),
        electorate_at_opening=CircleMember.objects.filter(circle=circle).count(),
        opened_by=actor,
        opened_at=now,
        status=Status.OPEN,
        **fields,
    )
    audit.record(
        actor=actor,
        action="hearth.governance.proposal.opened",
        target=proposal,
        detail={"process": process, "anonymous": proposal.anonymous},
        **_scope(circle),
    )
    notify(
        _members(circle).exclude(pk=actor.pk),
        kind="governance.proposal.opened",
        link=proposal_url(proposal),
    )
    return proposal


@transaction.atomic
def proposal_amend(
    *,
    actor: User,
    proposal: Proposal,
    title: str,
    body: str,
    closes_at: datetime | None = None,
    options=None,
    anonymous: bool | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Amend a proposal: a new version (superseding the old, which stops counting) that needs
    fresh responses. The proposer or a facilitator amends while it is open or held. The
    process and its settings carry over; anonymity can be switched on, never off."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().select_related("circle").get(pk=proposal.pk)
    if not rules.can_amend(actor, proposal):
        raise ValidationError(_("Only the proposer or a facilitator can amend an open proposal."))
    if anonymous is not None and proposal.anonymous and not anonymous:
        raise ValidationError(
            {"anonymous": _("This proposal is anonymous, and anonymity cannot be turned off.")}
        )
    fields = _validated_settings(
        process=proposal.process,
        title=title,
        body=body,
        options=(
            options if options is not None else [option["label"] for option in proposal.options]
        ),
        seats=proposal.seats,
        dots_per_member=proposal.dots_per_member,
        score_max=proposal.score_max,
        closes_at=closes_at or proposal.closes_at,
        quorum_percent=proposal.quorum_percent,
        results_visible=proposal.results_visible,
        reasons_required_for=proposal.reasons_required_for,
        now=now,
    )
    proposal.status = Status.SUPERSEDED
    proposal.closed_at = now
    proposal.save(update_fields=["status", "closed_at"])
    amended = Proposal.objects.create(
        circle=proposal.circle,
        thread=proposal.thread,
        supersedes=proposal,
        version=proposal.version + 1,
        anonymous=proposal.anonymous or bool(anonymous),
        electorate_at_opening=CircleMember.objects.filter(circle=proposal.circle).count(),
        opened_by=proposal.opened_by,
        opened_at=now,
        status=Status.OPEN,
        **fields,
    )
    audit.record(
        actor=actor,
        action="hearth.governance.proposal.amended",
        target=amended,
        detail={"supersedes": str(proposal.pk), "version": amended.version},
        **_scope(proposal.circle),
    )
    notify(
        _members(proposal.circle).exclude(pk=actor.pk),
        kind="governance.proposal.amended",
        link=proposal_url(amended),
    )
    return amended


# --- responses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    """A response as a member gives it: one position, or a structured ballot (scores, dots or a
    ranking), and a reason."""

    position: str = ""
    scores: dict | None = None
    dots: dict | None = None
    ranking: list | None = None
    reason: str = ""


def _option_keys(proposal: Proposal) -> list[str]:
    return [option["key"] for option in proposal.options]


# counting.py's rules whose refusal is about the reason given.
_REASON_RULES = frozenset({"reason_required", "advice_required"})
_BALLOT_FIELDS = {Process.SCORE: "scores", Process.DOTS: "dots", Process.RANKED: "ranking"}


def _refuse(field: str, message, rule: str):
    """A refusal on one field, carrying the rule's name as its code."""
    return ValidationError({field: ValidationError(message, code=rule)})


def validate_ballot(proposal: Proposal, ballot: Ballot) -> tuple[str, dict]:
    """Check a ballot against the proposal's rules (counting.py's checks for each process, and
    the reasons the proposer asked for); the (position, structured ballot) to store. Each
    refusal names the rule broken, as its message and as its code."""
    keys = _option_keys(proposal)
    process = proposal.process
    reason = ballot.reason.strip()
    field = _BALLOT_FIELDS.get(process, "position")
    try:
        if process == Process.SCORE:
            points = dict(ballot.scores or {})
            counting.check_score(
                counting.Response(voter=None, points=points),
                keys,
                minimum=0,
                maximum=proposal.score_max,
            )
            if not points:
                raise _refuse(field, _("Score at least one option."), "empty")
            return "", {"scores": {key: points[key] for key in keys if key in points}}
        if process == Process.DOTS:
            points = {key: value for key, value in (ballot.dots or {}).items() if value != 0}
            counting.check_dots(
                counting.Response(voter=None, points=points), keys, dots=proposal.dots_per_member
            )
            if not points:
                raise _refuse(field, _("Place at least one dot."), "empty")
            return "", {"dots": {key: points[key] for key in keys if key in points}}
        if process == Process.RANKED:
            return "", {"ranking": _validate_ranking(list(ballot.ranking or []), keys)}
        position = ballot.position
        if position not in dict(positions_for(proposal)):
            raise _refuse(field, _("Choose one of the responses."), "unknown_choice")
        response = counting.Response(voter=None, choice=position, reason=reason)
        if process == Process.ADVICE:
            counting.check_advice(response)
        elif process == Process.CONSENT:
            counting.check_consent(response)
        elif process == Process.CONSENSUS:
            counting.check_consensus(response)
        elif process == Process.GRADIENTS:
            counting.check_gradient(response)
        elif process == Process.POLL:
            counting.check_poll(response, keys)
    except counting.ResponseRejected as rejected:
        where = "reason" if rejected.rule in _REASON_RULES else field
        raise _refuse(where, rejected.message, rejected.rule) from None
    if reason_required(proposal, position) and not reason:
        raise _refuse("reason", _("This response needs a reason."), "reason_required")
    return position, {}


def _validate_ranking(ranking: list, keys: list[str]) -> list[str]:
    if not ranking:
        raise _refuse("ranking", _("Rank at least one option."), "empty")
    if len(set(ranking)) != len(ranking):
        raise _refuse("ranking", _("Each option can have only one place."), "ranked_twice")
    if set(ranking) - set(keys):
        raise _refuse("ranking", _("Rank only the options of this proposal."), "unknown_option")
    return ranking


@transaction.atomic
def proposal_respond(
    *, actor: User, proposal: Proposal, ballot: Ballot, now: datetime | None = None
) -> Response:
    """Record a member's response. A later response replaces the earlier one (which is kept,
    no longer latest). A block or objection holds the proposal; when the last one is changed,
    it opens again. In an anonymous proposal the response never names the voter."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().select_related("circle").get(pk=proposal.pk)
    _require_member(actor, proposal.circle)
    if not rules.is_open_for_responses(proposal, now):
        raise ValidationError(_("This proposal is closed: responses can no longer be changed."))
    position, structured = validate_ballot(proposal, ballot)
    digest = voter_digest(proposal.pk, actor.pk)
    participation = Participation.objects.filter(proposal=proposal, user=actor).first()
    earlier = Response.objects.filter(proposal=proposal, voter_digest=digest, is_latest=True)
    # A participation and a latest response go together: a mismatch means something wrote one
    # without the other, and the ballot must not be counted twice (or lost).
    if (participation is None) != (not earlier.exists()):
        raise ValidationError(
            _("Your earlier response could not be matched; nothing was changed. Ask a facilitator.")
        )
    changed = earlier.update(is_latest=False) > 0
    response = Response.objects.create(
        proposal=proposal,
        voter=None if proposal.anonymous else actor,
        voter_digest=digest,
        position=position,
        ballot=structured,
        reason=ballot.reason.strip(),
        is_latest=True,
        created_at=now,
    )
    if participation is None:
        # In an anonymous proposal the time someone first took part is not kept, so it cannot
        # be matched with the time of a response.
        Participation.objects.create(
            proposal=proposal,
            user=actor,
            first_at=proposal.opened_at if proposal.anonymous else now,
        )
    held = selectors.is_held(proposal)
    if held and proposal.status == Status.OPEN:
        proposal.status = Status.HELD
        proposal.save(update_fields=["status"])
    elif not held and proposal.status == Status.HELD:
        proposal.status = Status.OPEN
        proposal.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="hearth.governance.proposal.responded",
        target=proposal,
        # Never the position: the audit trail must not say how anyone responded.
        detail={"changed": changed},
        **_scope(proposal.circle),
    )
    return response


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """The proposer or a facilitator withdraws an open or held proposal."""
    proposal = Proposal.objects.select_for_update().select_related("circle").get(pk=proposal.pk)
    if not rules.can_withdraw(actor, proposal):
        raise ValidationError(
            _("Only the proposer or a facilitator can withdraw an open proposal.")
        )
    proposal.status = Status.WITHDRAWN
    proposal.closed_at = now or timezone.now()
    proposal.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=actor,
        action="hearth.governance.proposal.withdrawn",
        target=proposal,
        **_scope(proposal.circle),
    )
    return proposal


@transaction.atomic
def proposal_record_outcome(
    *,
    actor: User,
    proposal: Proposal,
    outcome: str,
    review_at: date,
    now: datetime | None = None,
) -> Proposal:
    """A facilitator writes what the circle decided and when to review it. The software never
    declares consensus itself. Recording the outcome of an open proposal closes it; a proposal
    held by a block or objection has no outcome until that is resolved or it is withdrawn."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().select_related("circle").get(pk=proposal.pk)
    if proposal.status == Status.HELD:
        raise ValidationError(
            _(
                "A block or objection holds this proposal: it needs resolving (or the proposal "
                "withdrawing) before an outcome can be recorded."
            )
        )
    if not rules.can_record_outcome(actor, proposal):
        raise ValidationError(_("Only a facilitator can record the outcome."))
    errors = {}
    if not outcome.strip():
        errors["outcome"] = _("Write what the circle decided.")
    if review_at is None or review_at <= timezone.localdate(now):
        errors["review_at"] = _("The review date must be in the future.")
    if errors:
        raise ValidationError(errors)
    fields = ["outcome", "outcome_by", "review_at", "reminded_review_at"]
    if proposal.status == Status.OPEN:
        proposal.status = Status.CLOSED
        proposal.closed_at = now
        fields += ["status", "closed_at"]
    proposal.outcome = outcome.strip()
    proposal.outcome_by = actor
    proposal.review_at = review_at
    proposal.reminded_review_at = None
    proposal.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="hearth.governance.outcome.recorded",
        target=proposal,
        detail={"review_at": review_at.isoformat()},
        **_scope(proposal.circle),
    )
    notify(
        _members(proposal.circle).exclude(pk=actor.pk),
        kind="governance.proposal.outcome",
        link=proposal_url(proposal),
    )
    return proposal


@transaction.atomic
def proposal_close(*, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Close a proposal whose closing time has come (run by `hearth governance-remind`). One
    still held by a block or objection is unresolved: it escalates to the parent circle when
    there is one, and otherwise closes held, for the facilitator to record what happens."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().select_related("circle").get(pk=proposal.pk)
    if proposal.status not in rules.ANSWERABLE_STATUSES or proposal.closes_at > now:
        return proposal
    held = proposal.status == Status.HELD
    proposal.status = Status.CLOSED
    proposal.closed_at = now
    proposal.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=None,
        action="hearth.governance.proposal.closed",
        target=proposal,
        detail={"held": held},
        **_scope(proposal.circle),
    )
    if held and proposal.circle.parent_id:
        proposal_escalate(proposal=proposal, now=now)
    return proposal


@transaction.atomic
def proposal_escalate(*, proposal: Proposal, now: datetime | None = None) -> Thread:
    """Take an unresolved proposal to the parent circle: a new discussion there links to it,
    and its members can read it."""
    circle = proposal.circle
    parent = circle.parent
    if parent is None:
        raise ValidationError(_("This circle has no wider circle to escalate to."))
    thread = thread_start(
        actor=None,
        circle=parent,
        title=_("Unresolved in %(circle)s: %(title)s")
        % {"circle": circle.name, "title": proposal.title},
        body=_(
            "This proposal closed while a block or objection still held it. Read it and the "
            "reasons given: %(url)s"
        )
        % {"url": proposal_url(proposal)},
    )
    proposal.status = Status.ESCALATED
    proposal.escalated_to = parent
    proposal.save(update_fields=["status", "escalated_to"])
    audit.record(
        actor=None,
        action="hearth.governance.proposal.escalated",
        target=proposal,
        detail={"to": str(parent.pk), "thread": str(thread.pk)},
        **_scope(circle),
    )
    notify(
        _members(parent),
        kind="governance.proposal.escalated",
        link=reverse("governance:thread", args=[thread.pk]),
    )
    return thread


# --- the scheduled run ------------------------------------------------------------------------


@dataclass
class RemindReport:
    closed: int = 0
    escalated: int = 0
    closing_reminders: int = 0
    review_reminders: int = 0


def proposals_remind(*, now: datetime | None = None) -> RemindReport:
    """What `hearth governance-remind` does every 15 minutes: close proposals whose time has
    come (escalating unresolved ones), remind members who have not responded a day before a
    proposal closes, and remind the circle when a decision is due for review. Each proposal in
    its own transaction, so one failure leaves the others done."""
    now = now or timezone.now()
    report = RemindReport()
    due = Proposal.objects.filter(status__in=rules.ANSWERABLE_STATUSES, closes_at__lte=now)
    for proposal in due.order_by("closes_at"):
        closed = proposal_close(proposal=proposal, now=now)
        report.closed += 1
        report.escalated += closed.status == Status.ESCALATED
    closing = Proposal.objects.filter(
        status__in=rules.ANSWERABLE_STATUSES,
        closes_at__gt=now,
        closes_at__lte=now + timedelta(hours=24),
        reminded_closing_at__isnull=True,
    )
    for proposal in closing.select_related("circle"):
        with transaction.atomic():
            waiting = _members(proposal.circle).exclude(
                pk__in=Participation.objects.filter(proposal=proposal).values("user")
            )
            notify(waiting, kind="governance.proposal.closing", link=proposal_url(proposal))
            Proposal.objects.filter(pk=proposal.pk).update(reminded_closing_at=now)
        report.closing_reminders += 1
    reviews = Proposal.objects.filter(
        review_at__isnull=False,
        review_at__lte=timezone.localdate(now),
        reminded_review_at__isnull=True,
    )
    for proposal in reviews.select_related("circle"):
        with transaction.atomic():
            notify(
                _members(proposal.circle),
                kind="governance.proposal.review",
                link=proposal_url(proposal),
            )
            Proposal.objects.filter(pk=proposal.pk).update(reminded_review_at=now)
        report.review_reminders += 1
    return report
