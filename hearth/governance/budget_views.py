"""The pages of participatory budgeting. Thin: parse, ask a selector or call a service, render.
Every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hearth.core.forms import add_service_errors, posted

from . import budget_forms as forms
from . import budget_selectors as selectors
from . import budget_services as services
from . import rules
from .models import BudgetRound
from .selectors import circle_for_member


def _round_redirect(budget_round: BudgetRound):
    return redirect("budgeting:round", round_id=budget_round.pk)


@login_required
def rounds(request, slug):
    circle = circle_for_member(request.user, slug)
    return render(
        request,
        "governance/budget/rounds.html",
        {
            "circle": circle,
            "rounds": selectors.rounds_of_circle(circle),
            "is_facilitator": rules.is_facilitator(request.user, circle),
        },
    )


@login_required
def round_new(request, slug):
    circle = circle_for_member(request.user, slug)
    if not rules.is_facilitator(request.user, circle):
        raise Http404
    form = forms.RoundForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            budget_round = services.round_create(
                actor=request.user,
                circle=circle,
                name=data["name"],
                description=data["description"],
                budget=data["budget"],
                rule=data["rule"],
                min_projects=data["min_projects"],
                max_projects=data["max_projects"],
                min_share_percent=data["min_share_percent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round is open for project proposals."))
            return _round_redirect(budget_round)
    return render(request, "governance/budget/round_form.html", {"circle": circle, "form": form})


@login_required
def round_import(request, slug):
    circle = circle_for_member(request.user, slug)
    if not rules.is_facilitator(request.user, circle):
        raise Http404
    form = forms.ImportForm(posted(request), request.FILES or None)
    if form.is_valid():
        text = form.text()
        if text is not None:
            try:
                budget_round = services.round_import(
                    actor=request.user, circle=circle, text=text, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The round is imported and its results counted."))
                return redirect("budgeting:results", round_id=budget_round.pk)
    return render(request, "governance/budget/import.html", {"circle": circle, "form": form})


@login_required
def round_detail(request, round_id):
    budget_round = selectors.round_for_member(request.user, round_id)
    is_facilitator = rules.is_facilitator(request.user, budget_round.circle)
    projects = list(selectors.round_projects(budget_round))
    ballot_form = None
    own_ballot = services.own_ballot(budget_round, request.user)
    can_vote = services.is_voting_open(budget_round) and services.is_eligible(
        budget_round, request.user
    )
    if can_vote:
        initial = {"projects": own_ballot.projects} if own_ballot else None
        ballot_form = forms.BallotForm(posted(request), projects=projects, initial=initial)
        if ballot_form.is_valid():
            try:
                services.ballot_cast(
                    actor=request.user,
                    budget_round=budget_round,
                    projects=ballot_form.cleaned_data["projects"],
                )
            except ValidationError as error:
                add_service_errors(ballot_form, error)
            else:
                messages.success(
                    request,
                    _("Your ballot is saved. You can change it until voting closes."),
                )
                return _round_redirect(budget_round)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "governance/budget/round.html",
        {
            "round": budget_round,
            "circle": budget_round.circle,
            "projects": projects,
            "is_facilitator": is_facilitator,
            "ballot_form": ballot_form,
            "own_ballot": own_ballot,
            "is_proposing": budget_round.status == BudgetRound.Status.PROPOSING,
            "is_voting": budget_round.status == BudgetRound.Status.VOTING,
            "is_closed": budget_round.status == BudgetRound.Status.CLOSED,
            "open_form": forms.OpenVotingForm() if is_facilitator else None,
        },
    )


@login_required
def project_new(request, round_id):
    budget_round = selectors.round_for_member(request.user, round_id)
    if budget_round.status != BudgetRound.Status.PROPOSING:
        raise Http404
    form = forms.ProjectForm(posted(request))
    if form.is_valid():
        try:
            services.project_propose(
                actor=request.user, budget_round=budget_round, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your project is proposed."))
            return _round_redirect(budget_round)
    return render(
        request, "governance/budget/project_form.html", {"round": budget_round, "form": form}
    )


@login_required
@require_POST
def round_open(request, round_id):
    budget_round = selectors.round_for_member(request.user, round_id)
    if not rules.is_facilitator(request.user, budget_round.circle):
        raise Http404
    form = forms.OpenVotingForm(request.POST)
    if form.is_valid():
        try:
            services.round_open_voting(
                actor=request.user,
                budget_round=budget_round,
                closes_at=form.cleaned_data["closes_at"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Voting is open. Members have been told."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return _round_redirect(budget_round)


@login_required
@require_POST
def round_close(request, round_id):
    budget_round = selectors.round_for_member(request.user, round_id)
    if not rules.is_facilitator(request.user, budget_round.circle):
        raise Http404
    try:
        services.round_close(actor=request.user, budget_round=budget_round)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _round_redirect(budget_round)
    messages.success(request, _("Voting is closed and the results are published."))
    return redirect("budgeting:results", round_id=budget_round.pk)


@login_required
def round_results(request, round_id):
    budget_round = selectors.round_for_member(request.user, round_id)
    results = selectors.round_results(budget_round)
    if results is None:
        raise Http404
    return render(
        request,
        "governance/budget/results.html",
        {
            "round": budget_round,
            "circle": budget_round.circle,
            "results": results,
            "rule_label": BudgetRound.Rule(results.rule).label,
            "other_rule_label": BudgetRound.Rule(results.other_rule).label,
            "is_facilitator": rules.is_facilitator(request.user, budget_round.circle),
        },
    )


@login_required
def round_export(request, round_id):
    from . import pabulib

    budget_round = selectors.round_for_member(request.user, round_id)
    text = pabulib.write(
        meta={
            "description": budget_round.name,
            "currency": budget_round.currency,
            "rule": budget_round.rule,
            "min_length": budget_round.min_projects,
            "max_length": budget_round.max_projects,
        },
        budget=budget_round.budget,
        projects=[(p.code, p.cost, p.name) for p in selectors.round_projects(budget_round)],
        votes=selectors.voter_numbers(budget_round),
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{budget_round.pk}.pb"'
    return response


def accountability(request, round_id):
    """Public: what happened to the funded projects. No names."""
    budget_round = selectors.closed_round(round_id)
    return render(
        request,
        "governance/budget/accountability.html",
        {
            "round": budget_round,
            "projects": selectors.funded_projects_with_updates(budget_round),
            "is_facilitator": rules.is_facilitator(request.user, budget_round.circle),
        },
    )


@login_required
def project_progress(request, project_id):
    project = selectors.project_for_member(request.user, project_id)
    if not rules.is_facilitator(request.user, project.round.circle) or not project.funded:
        raise Http404
    form = forms.ProgressForm(
        posted(request),
        initial={
            "accountability": project.accountability,
            "progress_percent": project.progress_percent,
        },
    )
    if form.is_valid():
        try:
            services.project_update_progress(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project's progress is updated."))
            return redirect("budgeting:accountability", round_id=project.round_id)
    return render(
        request, "governance/budget/progress_form.html", {"project": project, "form": form}
    )
