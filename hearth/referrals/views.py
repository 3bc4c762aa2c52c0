"""The referral pages: an organization's referrals, making one, following one from either side,
the network's figures, and a person asking a service to contact them. Thin: parse, ask a
selector or call a service, render.

Lists never name the person: a referral is "to this service, on this day" (minimum necessary).
Only the receiving organization sees what travelled, and only while the consent lives
(`services.referral_open_payload`, behind the people access gate). Anything a reader may not
see answers with the same "not found" as something that does not exist."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hearth.accounts.models import Membership, Organization
from hearth.accounts.rules import PERSONAL_DATA_ROLES
from hearth.accounts.selectors import network_for_coordinator
from hearth.core.context_processors import CONTEXT_SESSION_KEY
from hearth.core.forms import add_service_errors, posted
from hearth.core.notification_views import mark_read
from hearth.core.pagination import paginate
from hearth.core.suppression import threshold
from hearth.directory import search
from hearth.directory.models import Service, TaxonomyTerm
from hearth.directory.taxonomy import term_name
from hearth.people import access
from hearth.people import services as people_services
from hearth.people.forms import LookupForm
from hearth.people.models import Category, Purpose

from . import forms, selectors, services
from .models import CLOSED_STATUSES, Referral, Side, Status

PER_PAGE = 25
SEARCH_RESULTS = 10
CATEGORY_LABELS = dict(Category.choices)
REASON_LABELS = dict(services.Reason.choices)
STATUS_LABELS = dict(Status.choices)
# Capacity values that deserve a warning before referring (the referral can still be made).
CAPACITY_WARNINGS = {
    Service.Capacity.NO_CAPACITY: gettext_lazy("This service says it is not accepting people now."),
    Service.Capacity.WAITLIST: gettext_lazy("This service has a waiting list."),
    Service.Capacity.ASSESSMENT: gettext_lazy(
        "This service needs an assessment before it can help."
    ),
}


def no_store(response):
    """Pages that may hold what someone typed about themselves: never kept by any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _staff_organization(request, slug: str) -> Organization:
    """The organization in the address, if the user is staff there who may see referrals."""
    organization = Organization.objects.filter(slug=slug).first()
    if (
        organization is None
        or not Membership.objects.filter(
            user=request.user, organization=organization, role__in=PERSONAL_DATA_ROLES
        ).exists()
    ):
        raise Http404
    return organization


def _detail_url(referral_id, organization: Organization | None = None) -> str:
    url = reverse("referrals:detail", args=[referral_id])
    return f"{url}?{urlencode({'org': organization.slug})}" if organization else url


def _row(
    referral: Referral, organization: Organization, dates: selectors.DueDates, now: datetime
) -> dict:
    """A referral as a list shows it: the service, the other side and dates, never who."""
    sent = referral.sending_organization_id == organization.pk
    if sent:
        other = referral.receiving_organization.name
    elif referral.is_self_referral:
        other = _("Asked by the person themselves")
    else:
        other = referral.sending_organization.name if referral.sending_organization else ""
    waiting = referral.status == Status.REQUESTED
    return {
        "referral": referral,
        "url": _detail_url(referral.pk, organization),
        "sent": sent,
        "other": other,
        "date": referral.requested_at or referral.created_at,
        "due": dates.due(referral) if waiting else None,
        "overdue": dates.overdue(referral, now),
        "closed": referral.status in CLOSED_STATUSES,
    }


def _queues(user, organization: Organization, now: datetime) -> dict:
    """The "needs attention" queues of `selectors.needs_attention`, with due dates worked out
    for all of them at once."""
    mine = selectors.referrals_for_organization(user, organization)
    waiting_received = list(
        mine.filter(receiving_organization=organization, status=Status.REQUESTED)
    )
    waiting_sent = list(mine.filter(sending_organization=organization, status=Status.REQUESTED))
    to_rethink = list(
        mine.filter(
            sending_organization=organization,
            status__in=[Status.REJECTED, Status.FAILED],
            closed_at__gte=now - timedelta(days=30),
        )
    )
    dates = selectors.DueDates(waiting_received + waiting_sent + to_rethink)
    to_answer = sorted(
        waiting_received,
        key=lambda referral: (not dates.overdue(referral, now), referral.requested_at),
    )
    to_chase = [referral for referral in waiting_sent if dates.overdue(referral, now)]
    return {
        name: [_row(referral, organization, dates, now) for referral in items]
        for name, items in (
            ("to_answer", to_answer),
            ("to_chase", to_chase),
            ("to_rethink", to_rethink),
        )
    }


# --- the organization's referrals --------------------------------------------------------------


@login_required
def organization_referrals(request, slug):
    organization = _staff_organization(request, slug)
    now = timezone.now()
    status = request.GET.get("status", "")
    direction = request.GET.get("direction", "")
    referrals = selectors.referrals_for_organization(request.user, organization).order_by(
        "-created_at", "-id"
    )
    if status in Status.values:
        referrals = referrals.filter(status=status)
    else:
        status = ""
    if direction == "sent":
        referrals = referrals.filter(sending_organization=organization)
    elif direction == "received":
        referrals = referrals.filter(receiving_organization=organization)
    else:
        direction = ""
    page = paginate(request, referrals, per_page=PER_PAGE)
    items = list(page.object_list)
    dates = selectors.DueDates(items)
    return render(
        request,
        "referrals/list.html",
        {
            "organization": organization,
            "queues": _queues(request.user, organization, now),
            "page": page,
            "rows": [_row(referral, organization, dates, now) for referral in items],
            "statuses": Status.choices,
            "status": status,
            "direction": direction,
        },
    )


# --- making a referral -------------------------------------------------------------------------


def _service_or_none(service_id) -> Service | None:
    try:
        UUID(str(service_id))
    except (TypeError, ValueError):
        return None
    return Service.objects.select_related("organization__member").filter(pk=service_id).first()


def _why_not_referrable(service: Service, organization: Organization) -> str:
    """Why a referral cannot go to this service, in words ("" when it can)."""
    member = service.organization.member if service.organization_id else None
    if service.status != Service.Status.ACTIVE:
        return _("This service is not active, so it cannot take referrals.")
    if member is None or not member.is_active:
        return _("This service does not take referrals through Hearth yet. Contact it directly.")
    if member.pk == organization.pk:
        return _("This is your own organization's service.")
    return ""


def _service_card(service: Service, organization: Organization) -> dict:
    return {
        "service": service,
        "listing": service.organization,
        "why_not": _why_not_referrable(service, organization),
        "warning": CAPACITY_WARNINGS.get(service.capacity_status, ""),
    }


def _search_services(text: str, organization: Organization) -> list[dict]:
    result = search.search_services(
        search.SearchQuery(text=text, status=Service.Status.ACTIVE, limit=SEARCH_RESULTS)
    )
    found = Service.objects.select_related("organization__member").in_bulk(result.ids)
    return [_service_card(found[i], organization) for i in result.ids if i in found]


def _end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@login_required
def refer(request, slug, person_id):
    """Refer a person the organization holds, choosing with them what travels."""
    organization = _staff_organization(request, slug)
    access.person_for_change(user=request.user, organization=organization, person_id=person_id)
    record = access.access_person(
        user=request.user,
        organization=organization,
        person_id=person_id,
        purpose=Purpose.REFERRAL,
        categories=[Category.IDENTITY],
    )
    service_id = request.POST.get("service") if request.method == "POST" else None
    service = _service_or_none(service_id or request.GET.get("service"))
    card = _service_card(service, organization) if service is not None else None
    context = {"organization": organization, "record": record, "card": card}
    if card is None or card["why_not"]:
        search_form = forms.ServiceSearchForm(request.GET if "q" in request.GET else None)
        results = None
        if search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"]:
            results = _search_services(search_form.cleaned_data["q"], organization)
        context.update({"search_form": search_form, "results": results})
        return render(request, "referrals/refer_service.html", context)

    days = people_services.consent_days_for(organization)
    form = forms.ReferralForm(
        posted(request),
        initial={
            "service": service.pk,
            "expires_on": timezone.localdate() + timedelta(days=days),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=request.user,
                organization=organization,
                person_id=record.id,
                service_id=data["service"],
                categories=[Category.IDENTITY.value, *data["categories"]],
                summary=data["summary"],
                expires_at=_end_of_day(data["expires_on"]),
                attestation=data["attestation"],
            )
        except ValidationError as error:
            add_service_errors(
                form,
                error,
                rename={"expires_at": "expires_on", "recipient_organization": "service"},
            )
        else:
            messages.success(
                request,
                _("The referral has been sent to %(organization)s.")
                % {"organization": referral.receiving_organization.name},
            )
            return redirect(_detail_url(referral.pk, organization))
    context.update({"form": form, "consent_days": days})
    return render(request, "referrals/refer.html", context)


@login_required
def refer_someone(request):
    """From a service page: which organization the user refers for."""
    service = _service_or_none(request.GET.get("service"))
    memberships = list(
        Membership.objects.filter(user=request.user, role__in=PERSONAL_DATA_ROLES)
        .select_related("organization")
        .order_by("organization__name")
    )
    if not memberships or service is None:
        raise Http404
    query = urlencode({"service": service.pk})
    choices = [
        {
            "organization": membership.organization,
            "url": reverse("referrals:choose-person", args=[membership.organization.slug])
            + f"?{query}",
        }
        for membership in memberships
    ]
    if len(choices) == 1:
        return redirect(choices[0]["url"])
    return render(
        request, "referrals/refer_organization.html", {"service": service, "choices": choices}
    )


@login_required
def choose_person(request, slug):
    """Find, by their exact name, phone number or e-mail address, the person being referred."""
    organization = _staff_organization(request, slug)
    service = _service_or_none(request.GET.get("service"))
    lookup = LookupForm(request.GET if "q" in request.GET else None)
    found = None
    if lookup.is_bound and lookup.is_valid():
        found = access.find_people(
            user=request.user, organization=organization, query=lookup.cleaned_data["q"]
        )
    query = f"?{urlencode({'service': service.pk})}" if service else ""
    return render(
        request,
        "referrals/choose_person.html",
        {
            "organization": organization,
            "service": service,
            "lookup": lookup,
            "found": [
                {
                    "record": record,
                    "url": reverse("referrals:refer", args=[organization.slug, record.id]) + query,
                }
                for record in found or []
            ]
            if found is not None
            else None,
        },
    )


# --- one referral, from either side ------------------------------------------------------------


def _acting_organization(request, referral_id) -> Organization | None:
    """The organization the reader acts for: `?org=<slug>`, else the one they work for on
    either side of this referral (the one chosen in the header first)."""
    slug = request.GET.get("org", "")
    if slug:
        return Organization.objects.filter(slug=slug).first()
    sides = (
        Referral.objects.filter(pk=referral_id)
        .values_list("receiving_organization_id", "sending_organization_id")
        .first()
    )
    if sides is None:
        return None
    mine = {
        membership.organization_id: membership.organization
        for membership in Membership.objects.filter(
            user=request.user,
            organization_id__in=[side for side in sides if side],
            role__in=PERSONAL_DATA_ROLES,
        ).select_related("organization")
    }
    chosen = request.session.get(CONTEXT_SESSION_KEY, "")
    for organization in mine.values():
        if chosen == f"organization:{organization.slug}":
            return organization
    return next((mine[side] for side in sides if side in mine), None)


def _referral_for(request, referral_id) -> tuple[Referral, Organization, str]:
    """The referral, the organization the reader acts for and their side, or "not found".
    A draft is the sender's alone until it is sent, as it is on the lists."""
    organization = _acting_organization(request, referral_id)
    referral, side = selectors.referral_for(request.user, organization, referral_id)
    if referral.status == Status.DRAFT and side != Side.REQUESTER:
        raise services.ReferralNotFound()
    return referral, organization, side


def _side_name(referral: Referral, side: str) -> str:
    if side == Side.REQUESTER and referral.sending_organization:
        return referral.sending_organization.name
    if side == Side.RECEIVER:
        return referral.receiving_organization.name
    return _("The person")


def _history(referral: Referral) -> list[dict]:
    return [
        {
            "at": event.at,
            "from": STATUS_LABELS.get(event.from_status, "") if event.from_status else "",
            "to": STATUS_LABELS.get(event.to_status, event.to_status),
            "reason": REASON_LABELS.get(event.reason, event.reason) if event.reason else "",
            "side": Side(event.side).label,
            "by": _side_name(referral, event.side),
        }
        for event in referral.events.all()
    ]


def _payload_sections(referral: Referral, payload: dict) -> list[dict]:
    """What travelled, as the staff pages show a record (one card per category)."""
    from hearth.people.views import _sections

    record = access.PersonRecord(
        id=referral.person_id,
        holder=referral.receiving_organization,
        categories=frozenset(key for key in payload if key in CATEGORY_LABELS),
        basis="referral",
        identity=payload.get("identity"),
        contact=payload.get("contact"),
        needs=payload.get("needs"),
        strengths=payload.get("strengths"),
    )
    return _sections(record)


def _status_form(referral: Referral, side: str, data=None, *, refused=None) -> forms.StatusForm:
    allowed = services.allowed_next(referral.status, side)
    form = forms.StatusForm(data, allowed=allowed, initial={"expected_version": referral.version})
    if refused is not None:
        # Offer what is allowed now, against the referral as it is now.
        form.data = form.data.copy()
        form.data["expected_version"] = str(referral.version)
    form.fields["to_status"].choices = Status.choices
    form.fields["to_status"].widget.choices = [(s, STATUS_LABELS[s]) for s in allowed]
    form.needs_reason = bool(set(allowed) & services.REASON_REQUIRED)
    return form


def _consent_live(referral: Referral) -> bool:
    return referral.consent is None or referral.consent.is_live()


def _render_detail(request, organization, referral, side, *, status_form=None, message_form=None):
    consent_live = _consent_live(referral)
    payload, sections, conversation = None, [], []
    if consent_live:
        try:
            if side == Side.RECEIVER:
                payload = services.referral_open_payload(
                    user=request.user, organization=organization, referral=referral
                )
                sections = _payload_sections(referral, payload)
            conversation = services.referral_messages(
                user=request.user, organization=organization, referral=referral
            )
        except access.PersonNotFound:
            consent_live, payload, sections, conversation = False, None, [], []
    for message in conversation:
        message["by"] = _side_name(referral, message["side"])
        message["mine"] = message["side"] == side
    other = (
        referral.receiving_organization if side == Side.REQUESTER else referral.sending_organization
    )
    return render(
        request,
        "referrals/detail.html",
        {
            "organization": organization,
            "referral": referral,
            "side": side,
            "is_receiver": side == Side.RECEIVER,
            "other": other,
            "history": _history(referral),
            "travelled": [
                str(label)
                for code, label in Category.choices
                if code in referral.payload_categories
            ],
            "consent_live": consent_live,
            "payload": payload,
            "sections": sections,
            "conversation": conversation,
            "status_form": status_form or _status_form(referral, side),
            "message_form": message_form or forms.MessageForm(),
            "reason": REASON_LABELS.get(referral.status_reason, "")
            if referral.status_reason
            else "",
            "person_url": reverse("people:person", args=[organization.slug, referral.person_id])
            if side == Side.REQUESTER
            else "",
            "list_url": reverse("referrals:list", args=[organization.slug]),
            "self_url": _detail_url(referral.pk, organization),
        },
    )


@login_required
def referral_detail(request, referral_id):
    referral, organization, side = _referral_for(request, referral_id)
    mark_read(request.user, reverse("referrals:detail", args=[referral.pk]))
    status_form = message_form = None
    if request.method == "POST" and request.POST.get("action") == "status":
        status_form = _status_form(referral, side, request.POST)
        if status_form.is_valid():
            data = status_form.cleaned_data
            try:
                services.referral_transition(
                    actor=request.user,
                    organization=organization,
                    referral_id=referral.pk,
                    to_status=data["to_status"],
                    reason=data["reason"],
                    note=data["note"],
                    expected_version=data["expected_version"],
                )
            except services.TransitionRefused as refused:
                referral, organization, side = _referral_for(request, referral_id)
                status_form = _status_form(referral, side, request.POST, refused=refused)
                status_form.is_valid()
                field = refused.field if refused.field in status_form.fields else None
                status_form.add_error(field, refused.message)
            else:
                messages.success(request, _("The referral's status has been changed."))
                return redirect(_detail_url(referral.pk, organization))
    elif request.method == "POST" and request.POST.get("action") == "message":
        message_form = forms.MessageForm(request.POST)
        if message_form.is_valid():
            try:
                services.message_send(
                    actor=request.user,
                    organization=organization,
                    referral_id=referral.pk,
                    body=message_form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_errors(message_form, error)
            except access.PersonNotFound:
                message_form.add_error(
                    None, _("The consent for this referral has ended; its conversation is closed.")
                )
            else:
                messages.success(request, _("Your message has been sent."))
                return redirect(_detail_url(referral.pk, organization) + "#conversation")
    elif request.method == "POST":
        raise Http404
    return _render_detail(
        request,
        organization,
        referral,
        side,
        status_form=status_form,
        message_form=message_form,
    )


@login_required
@require_GET
def referral_fhir(request, referral_id):
    """The referral as a FHIR bundle (Task, ServiceRequest, Consent), for either side."""
    referral, organization, _side = _referral_for(request, referral_id)
    bundle = services.referral_export(
        actor=request.user, organization=organization, referral=referral
    )
    response = HttpResponse(json.dumps(bundle, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}.json"'
    return response


# --- the network's figures ---------------------------------------------------------------------


def _need_names(codes) -> dict[str, str]:
    language = get_language() or "en"
    terms = TaxonomyTerm.objects.filter(code__in=[code for code in codes if code])
    names = {term.code: term_name(term, language) for term in terms}
    return {code: names.get(code, code) if code else _("Not recorded") for code in codes}


def _table(table, *, row_names=None, column_names=None) -> dict:
    row_names = row_names or {}
    column_names = column_names or {}
    return {
        "columns": [column_names.get(c, c) for c in table.columns],
        "rows": [
            {**row, "label": row_names.get(row["label"], row["label"])} for row in table.as_rows()
        ],
        "column_totals": [table.column_total(c) for c in range(len(table.columns))],
        "grand_total": table.grand_total(),
        "has_hidden": bool(table.hidden),
    }


@login_required
def network_referrals(request, slug):
    network = network_for_coordinator(request.user, slug)
    form = forms.PeriodForm(request.GET if "days" in request.GET else None)
    days = form.cleaned_data["days"] if form.is_bound and form.is_valid() else 90
    until = timezone.now()
    since = until - timedelta(days=days)
    figures = selectors.network_referral_figures(network, since=since, until=until)
    unmet = figures["unmet_needs"]
    reasons = {code: REASON_LABELS.get(code, _("No reason given")) for code in unmet.columns}
    return render(
        request,
        "referrals/network.html",
        {
            "network": network,
            "form": form,
            "days": days,
            "since": since,
            "until": until,
            "threshold": threshold(),
            "figures": figures,
            "by_status": _table(figures["by_status"], column_names={"referrals": _("Referrals")}),
            "unmet": _table(unmet, row_names=_need_names(unmet.rows), column_names=reasons),
        },
    )


# --- a person asks a service to contact them ---------------------------------------------------


def _service_taking_self_referrals(service_id) -> Service:
    service = _service_or_none(service_id)
    member = service.organization.member if service and service.organization_id else None
    if (
        service is None
        or service.status != Service.Status.ACTIVE
        or member is None
        or not member.is_active
    ):
        raise Http404
    return service


def contact_me(request, service_id):
    """Public, no account: a chosen name and how the person may safely be reached."""
    service = _service_taking_self_referrals(service_id)
    form = forms.SelfReferralForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.self_referral_create(
                service_id=service.pk,
                identity=form.identity(),
                contact=form.contact(),
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            add_service_errors(form, error, rename=forms.SELF_REFERRAL_FIELDS)
        else:
            return no_store(redirect("referrals:contact-me-sent"))
    return no_store(
        render(
            request,
            "referrals/contact_me.html",
            {"service": service, "organization": service.organization.member, "form": form},
        )
    )


def contact_me_sent(request):
    """A neutral confirmation that echoes nothing back: not the service, not the name."""
    return no_store(render(request, "referrals/contact_me_sent.html"))
