"""Every state change of participatory budgeting (REFERENCES §7): rounds, project proposals,
approval ballots, closing with results, `.pb` import, and the accountability trail of funded
projects. Keyword-only functions, one transaction each, audited in that transaction.

- Facilitators of the circle create a round, open voting and close it; members propose projects
  while the round collects proposals.
- The electorate is fixed when voting opens: the circle's members at that moment. It is kept as
  keyed digests only, as ballots are, so a ballot never names its voter.
- A member may replace their ballot until the round closes; the latest counts.
- Closing counts the ballots by the round's rule and, for comparison, by the other one
  (`budgeting.py`); the published results keep the figures behind each project's explanation so
  the page can word it in the reader's language.

Refusals raise `ValidationError` before anything is written."""

from __future__ import annotations

import hmac
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.core import audit
from hearth.core.notifications import notify

from . import budgeting, rules
from .models import ApprovalBallot, BudgetProject, BudgetRound, Circle, CircleMember, ProjectUpdate

MAX_AMOUNT = Decimal("999999999999.99")


def round_voter_digest(round_id, user_id) -> str:
    """A keyed, one-way digest of (round, member): lets a member replace their ballot, and the
    round know who may vote, without any row naming them."""
    key = settings.HEARTH_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"pb:{round_id}:{user_id}".encode(), "sha256").hexdigest()


def round_url(budget_round: BudgetRound) -> str:
    return reverse("budgeting:round", args=[budget_round.pk])


def _audit_scope(circle: Circle) -> dict:
    return {"organization": circle.organization, "network": circle.network}


def _amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: _("Enter an amount, like 1500 or 1500.50.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount above zero.")})
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter an amount with at most two decimals.")})
    return amount.quantize(Decimal("0.01"))


def _require_facilitator(actor: User, circle: Circle) -> None:
    if not rules.is_facilitator(actor, circle):
        raise ValidationError(_("Only the circle's facilitators can do this."))


def _validate_rules(*, min_projects: int, max_projects: int | None, min_share_percent: int) -> None:
    errors = {}
    if min_projects < 0:
        errors["min_projects"] = _("Enter 0 or more.")
    if max_projects is not None and max_projects < 1:
        errors["max_projects"] = _("Enter 1 or more, or leave it empty for no maximum.")
    elif max_projects is not None and max_projects < min_projects:
        errors["max_projects"] = _("The maximum cannot be below the minimum.")
    if not 0 <= min_share_percent <= 100:
        errors["min_share_percent"] = _("Enter a percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_create(
    *,
    actor: User,
    circle: Circle,
    name: str,
    budget,
    description: str = "",
    currency: str = "USD",
    rule: str = BudgetRound.Rule.EQUAL_SHARES,
    min_projects: int = 0,
    max_projects: int | None = None,
    min_share_percent: int = 0,
) -> BudgetRound:
    """A facilitator starts a round; it collects project proposals until voting opens."""
    _require_facilitator(actor, circle)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the round.")})
    amount = _amount(budget, "budget")
    if rule not in BudgetRound.Rule.values:
        raise ValidationError({"rule": _("Choose how the votes are counted.")})
    _validate_rules(
        min_projects=min_projects, max_projects=max_projects, min_share_percent=min_share_percent
    )
    budget_round = BudgetRound.objects.create(
        circle=circle,
        name=name[:200],
        description=(description or "").strip(),
        budget=amount,
        currency=(currency or "USD").upper()[:3],
        rule=rule,
        min_projects=min_projects,
        max_projects=max_projects,
        min_share_percent=min_share_percent,
    )
    audit.record(
        actor=actor,
        action="hearth.governance.round.created",
        target=budget_round,
        **_audit_scope(circle),
    )
    return budget_round


def _next_code(budget_round: BudgetRound) -> str:
    taken = set(budget_round.projects.values_list("code", flat=True))
    number = len(taken) + 1
    while f"{number}" in taken:
        number += 1
    return str(number)


@transaction.atomic
def project_propose(
    *,
    actor: User,
    budget_round: BudgetRound,
    name: str,
    cost,
    description: str = "",
) -> BudgetProject:
    """A member of the circle proposes a project while the round collects proposals."""
    budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    if not rules.is_circle_member(actor, budget_round.circle):
        raise ValidationError(_("Only members of the circle can propose projects."))
    if budget_round.status != BudgetRound.Status.PROPOSING:
        raise ValidationError(_("This round no longer takes project proposals."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the project.")})
    amount = _amount(cost, "cost")
    if amount > budget_round.budget:
        raise ValidationError(
            {"cost": _("A project cannot cost more than the whole budget of the round.")}
        )
    project = BudgetProject.objects.create(
        round=budget_round,
        code=_next_code(budget_round),
        name=name[:200],
        description=(description or "").strip(),
        cost=amount,
        proposed_by=actor,
    )
    audit.record(
        actor=actor,
        action="hearth.governance.project.proposed",
        target=project,
        detail={"round": str(budget_round.pk)},
        **_audit_scope(budget_round.circle),
    )
    return project


def _member_users(circle: Circle):
    return User.objects.filter(circle_memberships__circle=circle, is_active=True)


@transaction.atomic
def round_open_voting(
    *,
    actor: User,
    budget_round: BudgetRound,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> BudgetRound:
    """A facilitator opens voting. The electorate is the circle's members now, kept as digests."""
    now = now or timezone.now()
    budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    _require_facilitator(actor, budget_round.circle)
    if budget_round.status != BudgetRound.Status.PROPOSING:
        raise ValidationError(_("Voting has already opened in this round."))
    if not budget_round.projects.exists():
        raise ValidationError(_("A round needs at least one project before voting opens."))
    if closes_at is not None and closes_at <= now:
        raise ValidationError({"closes_at": _("Choose a closing time in the future.")})
    member_ids = CircleMember.objects.filter(circle=budget_round.circle).values_list(
        "user_id", flat=True
    )
    budget_round.results = {
        "eligible": sorted(round_voter_digest(budget_round.pk, user_id) for user_id in member_ids)
    }
    budget_round.status = BudgetRound.Status.VOTING
    budget_round.voting_opens_at = now
    budget_round.voting_closes_at = closes_at
    budget_round.save(update_fields=["results", "status", "voting_opens_at", "voting_closes_at"])
    audit.record(
        actor=actor,
        action="hearth.governance.round.voting_opened",
        target=budget_round,
        detail={"eligible": len(budget_round.results["eligible"])},
        **_audit_scope(budget_round.circle),
    )
    notify(
        _member_users(budget_round.circle),
        kind="governance.round.voting_opened",
        link=round_url(budget_round),
    )
    return budget_round


def ballot_rules(budget_round: BudgetRound) -> budgeting.BallotRules:
    return budgeting.BallotRules(
        min_projects=budget_round.min_projects,
        max_projects=budget_round.max_projects,
        min_budget_share=Fraction(budget_round.min_share_percent, 100),
    )


def round_costs(budget_round: BudgetRound) -> dict[str, Fraction]:
    return {
        code: Fraction(cost)
        for code, cost in budget_round.projects.order_by("code").values_list("code", "cost")
    }


def is_eligible(budget_round: BudgetRound, user: User) -> bool:
    if not user.is_authenticated:
        return False
    digest = round_voter_digest(budget_round.pk, user.pk)
    return digest in (budget_round.results or {}).get("eligible", [])


def is_voting_open(budget_round: BudgetRound, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return budget_round.status == BudgetRound.Status.VOTING and (
        budget_round.voting_closes_at is None or budget_round.voting_closes_at > now
    )


@transaction.atomic
def ballot_cast(
    *,
    actor: User,
    budget_round: BudgetRound,
    projects,
    now: datetime | None = None,
) -> ApprovalBallot:
    """Cast or replace the member's approval ballot. A ballot breaking the round's rules is
    refused with every broken rule named (`ValidationError` with code = the rule)."""
    budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    if not is_voting_open(budget_round, now):
        raise ValidationError(_("Voting is not open in this round."), code="closed")
    if not is_eligible(budget_round, actor):
        raise ValidationError(
            _("Only the members of the circle when voting opened can vote in this round."),
            code="not_eligible",
        )
    try:
        approved = budgeting.check_ballot(
            [str(code) for code in projects],
            costs=round_costs(budget_round),
            budget=Fraction(budget_round.budget),
            rules=ballot_rules(budget_round),
        )
    except budgeting.BallotRejected as rejected:
        raise ValidationError(
            {
                "projects": [
                    ValidationError(str(violation.message), code=str(violation.rule))
                    for violation in rejected.violations
                ]
            }
        ) from None
    digest = round_voter_digest(budget_round.pk, actor.pk)
    ballot, created = ApprovalBallot.objects.update_or_create(
        round=budget_round,
        voter_digest=digest,
        defaults={"projects": sorted(approved), "cast_at": now or timezone.now()},
    )
    # Who took part is recorded, never what they approved.
    audit.record(
        actor=actor,
        action="hearth.governance.ballot.cast",
        target=budget_round,
        detail={"replaced": not created},
        **_audit_scope(budget_round.circle),
    )
    return ballot


def own_ballot(budget_round: BudgetRound, user: User) -> ApprovalBallot | None:
    if not user.is_authenticated:
        return None
    return ApprovalBallot.objects.filter(
        round=budget_round, voter_digest=round_voter_digest(budget_round.pk, user.pk)
    ).first()


# --- results ----------------------------------------------------------------------------------

RULES = {
    BudgetRound.Rule.EQUAL_SHARES: budgeting.equal_shares,
    BudgetRound.Rule.GREEDY: budgeting.greedy_by_approvals,
}
_FRACTION_FIELDS = ("cost", "payment", "supporters_money_left", "remaining_budget")


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _serialize(result: budgeting.BudgetingResult) -> dict:
    explanations = {}
    for code, item in result.explanations.items():
        explanations[code] = {
            "cost": _fraction_text(item.cost),
            "approvals": item.approvals,
            "funded": item.funded,
            "reason": str(item.reason),
            "stage": str(item.stage),
            "round": item.round,
            "payment": _fraction_text(item.payment),
            "full_payers": item.full_payers,
            "partial_payers": item.partial_payers,
            "empty_supporters": item.empty_supporters,
            "supporters_money_left": _fraction_text(item.supporters_money_left),
            "remaining_budget": _fraction_text(item.remaining_budget),
            "considered_by_completion": item.considered_by_completion,
        }
    return {
        "funded": list(result.funded),
        "spent": _fraction_text(result.spent),
        "voter_share": _fraction_text(result.voter_share),
        "share_raises": result.share_raises,
        "explanations": explanations,
    }


def explanation_from(code: str, stored: dict) -> budgeting.ProjectExplanation:
    """Rebuild a stored explanation, so its sentence is worded in the reader's language."""
    fields = dict(stored)
    for name in _FRACTION_FIELDS:
        fields[name] = None if fields.get(name) is None else Fraction(fields[name])
    fields["reason"] = budgeting.Reason(fields["reason"])
    fields["stage"] = budgeting.Stage(fields["stage"])
    return budgeting.ProjectExplanation(project=code, **fields)


def count_round(budget_round: BudgetRound) -> dict[str, budgeting.BudgetingResult]:
    """Both rules' results over the round's ballots (nothing saved)."""
    election = budgeting.Election.build(
        budget=Fraction(budget_round.budget),
        costs=round_costs(budget_round),
        ballots=[ballot for ballot in budget_round.ballots.values_list("projects", flat=True)],
    )
    return {rule: count(election) for rule, count in RULES.items()}


@transaction.atomic
def round_close(
    *, actor: User | None, budget_round: BudgetRound, now: datetime | None = None
) -> BudgetRound:
    """Close voting and publish results by the round's rule, with the other rule's beside them.
    `actor=None` is the scheduled close once the closing time has passed."""
    now = now or timezone.now()
    budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    if actor is not None:
        _require_facilitator(actor, budget_round.circle)
    elif budget_round.voting_closes_at is None or budget_round.voting_closes_at > now:
        raise ValidationError(_("This round is not due to close yet."))
    if budget_round.status != BudgetRound.Status.VOTING:
        raise ValidationError(_("Only a round that is voting can be closed."))
    outcomes = count_round(budget_round)
    eligible = len((budget_round.results or {}).get("eligible", []))
    budget_round.results = {
        "rule": budget_round.rule,
        "eligible": eligible,
        "ballots": budget_round.ballots.count(),
        "outcomes": {rule: _serialize(result) for rule, result in outcomes.items()},
    }
    budget_round.status = BudgetRound.Status.CLOSED
    if budget_round.voting_closes_at is None or budget_round.voting_closes_at > now:
        budget_round.voting_closes_at = now
    budget_round.save(update_fields=["results", "status", "voting_closes_at"])
    funded = set(outcomes[budget_round.rule].funded)
    budget_round.projects.filter(code__in=funded).update(funded=True)
    budget_round.projects.exclude(code__in=funded).update(funded=False)
    audit.record(
        actor=actor,
        action="hearth.governance.round.closed",
        target=budget_round,
        detail={"ballots": budget_round.results["ballots"], "funded": sorted(funded)},
        **_audit_scope(budget_round.circle),
    )
    notify(
        _member_users(budget_round.circle),
        kind="governance.round.closed",
        link=reverse("budgeting:results", args=[budget_round.pk]),
    )
    return budget_round


def rounds_close_due(*, now: datetime | None = None) -> int:
    """Close every round whose closing time has passed (run by the scheduler)."""
    now = now or timezone.now()
    closed = 0
    for budget_round in BudgetRound.objects.filter(
        status=BudgetRound.Status.VOTING, voting_closes_at__lte=now
    ):
        round_close(actor=None, budget_round=budget_round, now=now)
        closed += 1
    return closed


# --- accountability ---------------------------------------------------------------------------


@transaction.atomic
def project_update_progress(
    *,
    actor: User,
    project: BudgetProject,
    accountability: str,
    progress_percent: int,
    body: str = "",
) -> BudgetProject:
    """A facilitator records how a funded project is going (status, progress, a short update)."""
    project = (
        BudgetProject.objects.select_for_update().select_related("round__circle").get(pk=project.pk)
    )
    _require_facilitator(actor, project.round.circle)
    if project.round.status != BudgetRound.Status.CLOSED or not project.funded:
        raise ValidationError(_("Only funded projects of a closed round have progress to track."))
    if accountability not in BudgetProject.Accountability.values:
        raise ValidationError({"accountability": _("Choose a status.")})
    if not 0 <= progress_percent <= 100:
        raise ValidationError({"progress_percent": _("Enter a percentage from 0 to 100.")})
    body = (body or "").strip()
    project.accountability = accountability
    project.progress_percent = progress_percent
    project.save(update_fields=["accountability", "progress_percent"])
    if body:
        ProjectUpdate.objects.create(project=project, author=actor, body=body)
    audit.record(
        actor=actor,
        action="hearth.governance.project.updated",
        target=project,
        detail={"status": accountability, "progress": progress_percent},
        **_audit_scope(project.round.circle),
    )
    return project


# --- Pabulib files ----------------------------------------------------------------------------


def _exact_decimal(value: Fraction) -> Decimal | None:
    """The amount as a Decimal with two places, or None if it has no such exact form."""
    cents = value * 100
    if cents.denominator != 1 or not 0 <= value <= MAX_AMOUNT:
        return None
    return (Decimal(cents.numerator) / 100).quantize(Decimal("0.01"))


@transaction.atomic
def round_import(
    *,
    actor: User,
    circle: Circle,
    text: str,
    name: str = "",
) -> BudgetRound:
    """A closed round from a `.pb` file: its projects, its ballots (under anonymous digests) and
    its results counted here. A malformed file raises `ValidationError` listing every located
    problem, and nothing is saved."""
    from . import pabulib

    _require_facilitator(actor, circle)
    try:
        parsed = pabulib.read(text)
    except pabulib.PabulibError as error:
        raise ValidationError(
            {"file": [ValidationError(str(problem)) for problem in error.problems]}
        ) from None
    meta = parsed.meta
    problems = []
    budget = _exact_decimal(parsed.budget)
    if budget is None:
        problems.append(_("META, budget: an amount with at most two decimals is needed."))
    for project in parsed.projects:
        if len(project.code) > 40:
            problems.append(
                _("Project %(code)s: a project id may be at most 40 characters long.")
                % {"code": project.code[:40]}
            )
        if _exact_decimal(project.cost) is None:
            problems.append(
                _("Project %(code)s: its cost needs an amount with at most two decimals.")
                % {"code": project.code[:40]}
            )
    limits = {}
    for key in ("min_length", "max_length"):
        value = str(meta.get(key, "") or "").strip()
        if value and not value.isdigit():
            problems.append(_("META, %(key)s: enter a whole number.") % {"key": key})
        limits[key] = int(value) if value.isdigit() else None
    if problems:
        raise ValidationError({"file": problems})
    rule = (
        BudgetRound.Rule.GREEDY
        if str(meta.get("rule", "")).startswith("greedy")
        else BudgetRound.Rule.EQUAL_SHARES
    )
    budget_round = BudgetRound.objects.create(
        circle=circle,
        name=((name or "").strip() or meta.get("description") or _("Imported round"))[:200],
        description=str(meta.get("description", "")),
        budget=budget,
        currency=str(meta.get("currency", "USD"))[:3].upper() or "USD",
        rule=rule,
        min_projects=min(limits["min_length"] or 0, 1000),
        max_projects=min(limits["max_length"], 1000) if limits["max_length"] else None,
        status=BudgetRound.Status.VOTING,
        voting_opens_at=timezone.now(),
    )
    BudgetProject.objects.bulk_create(
        [
            BudgetProject(
                round=budget_round,
                code=project.code,
                name=(project.name or project.code)[:200],
                cost=_exact_decimal(project.cost),
            )
            for project in parsed.projects
        ]
    )
    ApprovalBallot.objects.bulk_create(
        [
            ApprovalBallot(
                round=budget_round,
                voter_digest=round_voter_digest(budget_round.pk, f"pb-import:{voter_id}"),
                projects=sorted(approved),
            )
            for voter_id, approved in parsed.votes
        ]
    )
    audit.record(
        actor=actor,
        action="hearth.governance.round.imported",
        target=budget_round,
        detail={"projects": len(parsed.projects), "ballots": len(parsed.votes)},
        **_audit_scope(circle),
    )
    return round_close(actor=actor, budget_round=budget_round)
