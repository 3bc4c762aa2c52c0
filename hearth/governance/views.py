"""The pages of circles, discussions and proposals. Thin: parse, ask a selector or call a
service, render. Everything a member can do works with a keyboard and without JavaScript.

Anonymity is kept here too: for an anonymous proposal no page or export puts a person's name
beside a position; "who has responded" appears only from 3 ballots on and lists names in name
order, never in the order people responded."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hearth.accounts.models import Network, Organization
from hearth.core.forms import add_service_errors, posted
from hearth.core.notification_views import mark_read

from . import forms, rules, selectors, services
from .ledger_selectors import circle_ledgers
from .models import CircleMember, Proposal

STATUS_TAGS = {
    Proposal.Status.OPEN: "govuk-tag--green",
    Proposal.Status.HELD: "govuk-tag--red",
    Proposal.Status.CLOSED: "govuk-tag--grey",
    Proposal.Status.WITHDRAWN: "govuk-tag--grey",
    Proposal.Status.SUPERSEDED: "govuk-tag--grey",
    Proposal.Status.ESCALATED: "govuk-tag--orange",
}


def _tagged(proposals) -> list[Proposal]:
    """Proposals with the colour of their status tag, for lists."""
    proposals = list(proposals)
    for proposal in proposals:
        proposal.tag_class = STATUS_TAGS.get(proposal.status, "")
    return proposals


# --- circles ----------------------------------------------------------------------------------


@login_required
def circles(request):
    return render(
        request,
        "governance/circles.html",
        {
            "circles": selectors.circles_of(request.user),
            "can_start": bool(selectors.places_for_new_circle(request.user)),
        },
    )


@login_required
def circle_new(request):
    places = selectors.places_for_new_circle(request.user)
    if not places:
        raise Http404
    form = forms.CircleForm(posted(request), places=places)
    if form.is_valid():
        place = form.place()
        try:
            circle = services.circle_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                organization=place if isinstance(place, Organization) else None,
                network=place if isinstance(place, Network) else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The circle is started. Add its members next."))
            return redirect("governance:members", slug=circle.slug)
    return render(request, "governance/circle_form.html", {"form": form, "parent": None})


@login_required
def sub_circle_new(request, slug):
    parent = selectors.circle_for_member(request.user, slug)
    if not rules.can_start_sub_circle(request.user, parent):
        raise Http404
    form = forms.CircleForm(posted(request))
    if form.is_valid():
        try:
            circle = services.circle_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                parent=parent,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The sub-circle is started. Add its members next."))
            return redirect("governance:members", slug=circle.slug)
    return render(request, "governance/circle_form.html", {"form": form, "parent": parent})


@login_required
def circle_detail(request, slug):
    circle = selectors.circle_for_member(request.user, slug)
    proposals = _tagged(selectors.circle_proposals(circle))
    current = [p for p in proposals if p.status in rules.ANSWERABLE_STATUSES]
    earlier = [p for p in proposals if p.status not in rules.ANSWERABLE_STATUSES]
    return render(
        request,
        "governance/circle.html",
        {
            "circle": circle,
            "members": selectors.circle_members(circle),
            "threads": selectors.circle_threads(circle)[:50],
            "open_proposals": current,
            "closed_proposals": earlier,
            "sub_circles": selectors.sub_circles(request.user, circle),
            "ledgers": circle_ledgers(circle),
            "is_facilitator": rules.is_facilitator(request.user, circle),
            "can_start_sub_circle": rules.can_start_sub_circle(request.user, circle),
        },
    )


@login_required
def circle_members(request, slug):
    circle = selectors.circle_for_member(request.user, slug)
    can_manage = rules.can_manage_members(request.user, circle)
    form = forms.MemberAddForm(posted(request) if can_manage else None)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            try:
                member = selectors.circle_member_in(circle, request.POST.get("member"))
            except (Http404, ValidationError):
                raise Http404 from None
            try:
                services.circle_member_remove(actor=request.user, member=member)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                if member.user_id == request.user.pk:
                    messages.success(request, _("You left the circle."))
                    return redirect("governance:circles")
                messages.success(request, _("They are no longer in the circle."))
            return redirect("governance:members", slug=circle.slug)
        if not can_manage:
            raise Http404
        if request.POST.get("action") == "withdraw":
            try:
                invitation = selectors.circle_invitation_in(circle, request.POST.get("invitation"))
            except (Http404, ValidationError):
                raise Http404 from None
            try:
                services.circle_invitation_withdraw(
                    actor=request.user, circle=circle, invitation=invitation
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The invitation has been withdrawn."))
            return redirect("governance:members", slug=circle.slug)
        form = forms.MemberAddForm(request.POST)
        if form.is_valid():
            try:
                added = services.circle_member_invite(
                    actor=request.user,
                    circle=circle,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if isinstance(added, CircleMember):
                    messages.success(request, _("They are now in the circle."))
                else:
                    messages.success(
                        request,
                        _(
                            "%(email)s has no Hearth account yet: we have e-mailed them an "
                            "invitation link. They join the circle when they accept it."
                        )
                        % {"email": added.email},
                    )
                return redirect("governance:members", slug=circle.slug)
    return render(
        request,
        "governance/members.html",
        {
            "circle": circle,
            "members": selectors.circle_members(circle),
            "invitations": selectors.circle_invitations(circle) if can_manage else [],
            "form": form if can_manage else None,
            "can_manage": can_manage,
            "facilitator_role": CircleMember.Role.FACILITATOR,
        },
    )


# --- discussions ------------------------------------------------------------------------------


@login_required
def thread_new(request, slug):
    circle = selectors.circle_for_member(request.user, slug)
    form = forms.ThreadForm(posted(request))
    if form.is_valid():
        try:
            thread = services.thread_start(
                actor=request.user,
                circle=circle,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("governance:thread", thread_id=thread.pk)
    return render(request, "governance/thread_form.html", {"form": form, "circle": circle})


@login_required
def thread_detail(request, thread_id):
    thread = selectors.thread_for_member(request.user, thread_id)
    mark_read(request.user, request.path)
    form = forms.CommentForm(posted(request))
    if form.is_valid():
        try:
            services.comment_add(actor=request.user, thread=thread, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            return redirect("governance:thread", thread_id=thread.pk)
    return render(
        request,
        "governance/thread.html",
        {
            "thread": thread,
            "circle": thread.circle,
            "comments": selectors.thread_comments(thread),
            "proposals": _tagged(selectors.thread_proposals(thread)),
            "form": form,
        },
    )


# --- proposals --------------------------------------------------------------------------------


@login_required
def proposal_new(request, slug):
    circle = selectors.circle_for_member(request.user, slug)
    thread = None
    thread_id = request.GET.get("discussion") or request.POST.get("discussion")
    if thread_id:
        try:
            thread = selectors.thread_for_member(request.user, thread_id)
        except (Http404, ValidationError):
            raise Http404 from None
        if thread.circle_id != circle.pk:
            raise Http404
    form = forms.ProposalForm(posted(request))
    if form.is_valid():
        try:
            proposal = services.proposal_open(
                actor=request.user, circle=circle, thread=thread, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(
                form,
                error,
                rename={"closes_at": "closes_on", "reasons_required_for": "reasons_for"},
                skip_fields_in_error=True,
            )
        else:
            messages.success(request, _("The proposal is open. Members have been told."))
            return redirect("governance:proposal", proposal_id=proposal.pk)
    return render(
        request,
        "governance/proposal_form.html",
        {"form": form, "circle": circle, "thread": thread},
    )


def _proposal_page(request, proposal: Proposal, *, response_form=None, outcome_form=None):
    user = request.user
    circle = proposal.circle
    in_circle = rules.is_circle_member(user, circle)
    digest = services.voter_digest(proposal.pk, user.pk)
    own = list(selectors.own_responses(user, proposal, digest)) if in_circle else []
    has_responded = any(response.is_latest for response in own)
    ballots = selectors.ballot_count(proposal)
    can_respond = in_circle and rules.can_respond(user, proposal)
    if can_respond and response_form is None:
        latest = next((response for response in own if response.is_latest), None)
        response_form = forms.ResponseForm(
            initial=_initial_from(proposal, latest), proposal=proposal
        )
    can_outcome = in_circle and rules.can_record_outcome(user, proposal)
    if can_outcome and outcome_form is None:
        outcome_form = forms.OutcomeForm()
    results_visible = rules.results_are_visible(proposal, has_responded=has_responded)
    who_visible = rules.who_responded_is_visible(proposal, ballots)
    return render(
        request,
        "governance/proposal.html",
        {
            "proposal": proposal,
            "circle": circle,
            "in_circle": in_circle,
            "status_tag": STATUS_TAGS.get(proposal.status, ""),
            "versions": selectors.proposal_versions(proposal),
            "positions": services.positions_for(proposal),
            "response_form": response_form if can_respond else None,
            "outcome_form": outcome_form if can_outcome else None,
            "can_amend": in_circle and rules.can_amend(user, proposal),
            "own_responses": [
                {"response": response, "summary": selectors.describe_response(proposal, response)}
                for response in own
            ],
            "has_responded": has_responded,
            "ballots": ballots,
            "results_visible": results_visible,
            "results": selectors.proposal_results(proposal) if results_visible else None,
            "holding": selectors.holding_reasons(proposal),
            "who_visible": who_visible,
            "respondents": selectors.respondents(proposal) if who_visible else [],
            "named_responses": (
                selectors.named_responses(proposal)
                if results_visible and not proposal.anonymous
                else []
            ),
            "anonymous_reasons": (
                selectors.anonymous_reasons(proposal)
                if results_visible and proposal.anonymous
                else []
            ),
        },
    )


def _initial_from(proposal: Proposal, latest) -> dict:
    """The form filled with the member's current response, so changing it starts from it."""
    if latest is None:
        return {}
    initial = {"reason": latest.reason}
    if latest.position:
        initial["position"] = latest.position
    for key, value in (latest.ballot.get("scores") or {}).items():
        initial[f"score_{key}"] = value
    for key, value in (latest.ballot.get("dots") or {}).items():
        initial[f"dots_{key}"] = value
    for place, key in enumerate(latest.ballot.get("ranking") or [], 1):
        initial[f"place_{place}"] = key
    return initial


@login_required
def proposal_detail(request, proposal_id):
    proposal = selectors.proposal_for_member(request.user, proposal_id)
    mark_read(request.user, request.path)
    if request.method != "POST":
        return _proposal_page(request, proposal)
    if not rules.is_circle_member(request.user, proposal.circle):
        raise Http404
    action = request.POST.get("action")
    if action == "respond":
        form = forms.ResponseForm(request.POST, proposal=proposal)
        if form.is_valid():
            try:
                services.proposal_respond(
                    actor=request.user, proposal=proposal, ballot=form.ballot()
                )
            except ValidationError as error:
                add_service_errors(form, error, skip_fields_in_error=True)
            else:
                messages.success(request, _("Your response is recorded."))
                return redirect("governance:proposal", proposal_id=proposal.pk)
        return _proposal_page(request, proposal, response_form=form)
    if action == "outcome":
        if not rules.is_facilitator(request.user, proposal.circle):
            raise Http404
        form = forms.OutcomeForm(request.POST)
        if form.is_valid():
            try:
                services.proposal_record_outcome(
                    actor=request.user,
                    proposal=proposal,
                    outcome=form.cleaned_data["outcome"],
                    review_at=form.cleaned_data["review_at"],
                )
            except ValidationError as error:
                add_service_errors(form, error, skip_fields_in_error=True)
            else:
                messages.success(request, _("The outcome is recorded. Members have been told."))
                return redirect("governance:proposal", proposal_id=proposal.pk)
        return _proposal_page(request, proposal, outcome_form=form)
    if action == "withdraw":
        try:
            services.proposal_withdraw(actor=request.user, proposal=proposal)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The proposal is withdrawn."))
        return redirect("governance:proposal", proposal_id=proposal.pk)
    raise Http404


@login_required
def proposal_amend(request, proposal_id):
    proposal = selectors.proposal_for_member(request.user, proposal_id)
    if not rules.can_amend(request.user, proposal):
        raise Http404
    form = forms.AmendForm(posted(request), proposal=proposal)
    if form.is_valid():
        try:
            amended = services.proposal_amend(
                actor=request.user, proposal=proposal, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(
                form, error, rename={"closes_at": "closes_on"}, skip_fields_in_error=True
            )
        else:
            messages.success(
                request, _("The amended version is open. Everyone responds to it afresh.")
            )
            return redirect("governance:proposal", proposal_id=amended.pk)
    return render(
        request,
        "governance/amend.html",
        {"form": form, "proposal": proposal, "circle": proposal.circle},
    )


@login_required
def proposal_results_csv(request, proposal_id):
    """The tally as CSV: counts per response or option, never who gave them."""
    proposal = selectors.proposal_for_member(request.user, proposal_id)
    has_responded = selectors.has_responded(request.user, proposal)
    if not rules.results_are_visible(proposal, has_responded=has_responded):
        raise Http404
    results = selectors.proposal_results(proposal)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="proposal-{proposal.pk}-results.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Response or option"), results.measure, *results.extra_columns])
    for row in results.rows:
        writer.writerow([row["label"], row["value"], *row.get("extra", [])])
    writer.writerow([_("Responses"), results.ballots])
    writer.writerow([_("Members when it opened"), results.electorate])
    if results.winners:
        writer.writerow([_("Chosen"), "; ".join(results.winners)])
    return response
