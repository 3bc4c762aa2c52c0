"""The person's own referral pages, under /me/referrals/: where each referral about them went,
what happened to it, in plain words, and the conversation while their consent lasts.

They sit beside the people app's pages (`hearth.people.portal_views`) and use its sign-in
(`portal_auth.portal_account_required`: signed in, `Cache-Control: no-store`) and its menu.
Page titles are neutral: they never name a service or an organization, because a title is what
shows in a browser's history and tabs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from hearth.core.forms import add_service_errors
from hearth.people.access import PersonNotFound
from hearth.people.portal_auth import portal_account_required

from . import forms, services
from .models import Referral, Side, Status

REASON_LABELS = dict(services.Reason.choices)
STATUS_LABELS = dict(Status.choices)


def _render(request, template: str, context: dict, *, status: int = 200):
    from hearth.people.portal_views import render_portal_page

    return render_portal_page(request, template, context, status=status)


def _happened(referral: Referral, event) -> str:
    """One line of the history, said to the person."""
    sender = referral.sending_organization.name if referral.sending_organization else ""
    receiver = referral.receiving_organization.name
    to = event.to_status
    if to == Status.DRAFT:
        return _("%(sender)s prepared the referral with you.") % {"sender": sender}
    if to == Status.REQUESTED:
        if referral.is_self_referral:
            return _("You asked %(receiver)s to contact you.") % {"receiver": receiver}
        return _("%(sender)s sent the referral to %(receiver)s.") % {
            "sender": sender,
            "receiver": receiver,
        }
    sentences = {
        Status.ACCEPTED: _("%(receiver)s accepted it."),
        Status.REJECTED: _("%(receiver)s could not take it."),
        Status.IN_PROGRESS: _("%(receiver)s started working on it with you."),
        Status.ON_HOLD: _("It was put on hold."),
        Status.COMPLETED: _("%(receiver)s marked it as done."),
        Status.FAILED: _("%(receiver)s could not complete it."),
        Status.CANCELLED: _("It was cancelled."),
        Status.ENTERED_IN_ERROR: _("It was marked as made by mistake."),
    }
    return sentences.get(to, STATUS_LABELS.get(to, to)) % {"receiver": receiver}


def _history(referral: Referral) -> list[dict]:
    return [
        {
            "at": event.at,
            "what": _happened(referral, event),
            "reason": REASON_LABELS.get(event.reason, "") if event.reason else "",
        }
        for event in referral.events.all()
    ]


def _who(referral: Referral, side: str) -> str:
    if side == Side.PERSON:
        return _("You")
    if side == Side.REQUESTER and referral.sending_organization:
        return referral.sending_organization.name
    return referral.receiving_organization.name


@portal_account_required
def referral_list(request):
    referrals = list(services.referrals_of_person(request.portal_account))
    return _render(
        request,
        "referrals/portal/list.html",
        {
            "referrals": [
                {
                    "referral": referral,
                    "status": STATUS_LABELS.get(referral.status, referral.status),
                    "date": referral.requested_at or referral.created_at,
                }
                for referral in referrals
            ]
        },
    )


@portal_account_required
def referral_detail(request, referral_id):
    account = request.portal_account
    form = forms.PersonMessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_message_send(
                account=account, referral_id=referral_id, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PersonNotFound:
            # The consent ended between reading the page and sending; the referral itself is
            # still theirs to see (a referral that is not theirs fails again just below).
            form.add_error(None, _("This conversation has closed, so the message was not sent."))
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect(reverse("portal_referrals:detail", args=[referral_id]) + "#messages")
    referral, conversation = services.person_referral_messages(
        account=account, referral_id=referral_id
    )
    consent_live = referral.consent is None or referral.consent.is_live()
    for message in conversation:
        message["by"] = _who(referral, message["side"])
        message["mine"] = message["side"] == Side.PERSON
    return _render(
        request,
        "referrals/portal/detail.html",
        {
            "referral": referral,
            "status": STATUS_LABELS.get(referral.status, referral.status),
            "reason": REASON_LABELS.get(referral.status_reason, "")
            if referral.status_reason
            else "",
            "history": _history(referral),
            "consent_live": consent_live,
            "conversation": conversation,
            "form": form,
        },
    )
