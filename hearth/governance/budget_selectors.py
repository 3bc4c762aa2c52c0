"""Reads of participatory budgeting with the access rules applied.

A round belongs to its circle: only members see it, and every `*_for_member` lookup raises
`Http404` alike for a missing round and for one the user may not see. The accountability page of
a closed round (funded projects, their status, progress and updates, no names) is public."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from hearth.accounts.models import User

from . import budget_services, budgeting
from .models import BudgetProject, BudgetRound, Circle, ProjectUpdate


def rounds_of_circle(circle: Circle) -> QuerySet[BudgetRound]:
    return (
        BudgetRound.objects.filter(circle=circle)
        .annotate(project_count=Count("projects", distinct=True))
        .order_by("-created_at")
    )


def round_for_member(user: User, round_id) -> BudgetRound:
    budget_round = (
        BudgetRound.objects.filter(pk=round_id, circle__members__user_id=user.pk)
        .select_related("circle", "circle__organization", "circle__network")
        .first()
        if user.is_authenticated
        else None
    )
    if budget_round is None:
        raise Http404
    return budget_round


def project_for_member(user: User, project_id) -> BudgetProject:
    project = (
        BudgetProject.objects.filter(pk=project_id, round__circle__members__user_id=user.pk)
        .select_related("round", "round__circle")
        .first()
        if user.is_authenticated
        else None
    )
    if project is None:
        raise Http404
    return project


def closed_round(round_id) -> BudgetRound:
    """A closed round, for its public accountability page."""
    budget_round = (
        BudgetRound.objects.filter(pk=round_id, status=BudgetRound.Status.CLOSED)
        .select_related("circle")
        .first()
    )
    if budget_round is None:
        raise Http404
    return budget_round


def round_projects(budget_round: BudgetRound) -> QuerySet[BudgetProject]:
    return BudgetProject.objects.filter(round=budget_round).order_by("code")


def funded_projects_with_updates(budget_round: BudgetRound) -> QuerySet[BudgetProject]:
    return (
        BudgetProject.objects.filter(round=budget_round, funded=True)
        .prefetch_related(
            Prefetch("updates", queryset=ProjectUpdate.objects.order_by("-created_at"))
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class ProjectResult:
    project: BudgetProject
    funded: bool
    explanation: str
    approvals: int
    other_funded: bool


@dataclass(frozen=True)
class RoundResults:
    rule: str
    other_rule: str
    ballots: int
    eligible: int
    spent: str
    left_over: str
    other_spent: str
    projects: list[ProjectResult]
    funded_count: int
    other_funded_count: int
    same_outcome: bool


def _fraction(text: str | None) -> Fraction:
    return Fraction(text) if text else Fraction(0)


def round_results(budget_round: BudgetRound) -> RoundResults | None:
    """The published results, explained per project in the reader's language; funded projects
    first in the order the rule funded them, then the others by approvals."""
    results = budget_round.results or {}
    if budget_round.status != BudgetRound.Status.CLOSED or "outcomes" not in results:
        return None
    rule = budget_round.rule
    other = next(name for name in results["outcomes"] if name != rule)
    mine, theirs = results["outcomes"][rule], results["outcomes"][other]
    projects = {project.code: project for project in round_projects(budget_round)}
    order = {code: index for index, code in enumerate(mine["funded"])}
    rows = []
    for code, stored in mine["explanations"].items():
        explanation = budget_services.explanation_from(code, stored)
        rows.append(
            ProjectResult(
                project=projects[code],
                funded=explanation.funded,
                explanation=budgeting.explain(explanation),
                approvals=explanation.approvals,
                other_funded=code in theirs["funded"],
            )
        )
    rows.sort(
        key=lambda row: (
            not row.funded,
            order.get(row.project.code, 0),
            -row.approvals,
            row.project.name,
        )
    )
    spent = _fraction(mine["spent"])
    return RoundResults(
        rule=rule,
        other_rule=other,
        ballots=results.get("ballots", 0),
        eligible=results.get("eligible", 0),
        spent=budgeting.format_amount(spent),
        left_over=budgeting.format_amount(Fraction(budget_round.budget) - spent),
        other_spent=budgeting.format_amount(_fraction(theirs["spent"])),
        projects=rows,
        funded_count=len(mine["funded"]),
        other_funded_count=len(theirs["funded"]),
        same_outcome=set(mine["funded"]) == set(theirs["funded"]),
    )


def voter_numbers(budget_round: BudgetRound) -> list[tuple[int, list[str]]]:
    """Ballots for export under anonymous numbers: ordered by digest, which says nothing about
    who voted or when."""
    ballots = budget_round.ballots.order_by("voter_digest").values_list("projects", flat=True)
    return [(number, list(projects)) for number, projects in enumerate(ballots, start=1)]
