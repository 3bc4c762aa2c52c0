"""The person's own pages, under /me/: optional for the person, separate from staff sign-in.

Thin like every view: parse, call `access` / `selectors` / `services` (or `portal_auth` for the
person's own sign-in), render. Every record is opened with `access.access_own_record`, so every
look is in the person's own history. Page titles never name an organization or a kind of help:
a title is what shows in a browser's history and tabs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from hearth.accounts import services as account_services
from hearth.accounts.models import Organization
from hearth.core.context_processors import shell
from hearth.core.forms import add_service_errors, posted
from hearth.core.middleware import client_address
from hearth.core.pagination import paginate

from . import access, portal_auth, selectors, services
from . import portal_forms as forms
from .access import PersonRecord
from .models import Category, Consent, ErasureRequest, Person, PortalLink, Purpose
from .portal_auth import current_account, portal_account_required, portal_page
from .safe_contact import WEEKDAYS, Channel, Detail

# --- the page shell ------------------------------------------------------------------------------


def _navigation(request, account) -> list[dict]:
    path = request.path
    if account is None:
        items = [
            (reverse("core:home"), _("Home"), path == reverse("core:home")),
            (reverse("directory:search"), _("Find help"), False),
            (reverse("portal:sign-in"), _("Your pages"), path.startswith("/me/")),
        ]
    else:
        overview = reverse("portal:overview")
        items = [
            (overview, _("Your pages"), path == overview or path.startswith(overview + "records/")),
            (reverse("portal_referrals:list"), _("Referrals"), None),
            (reverse("portal_outcomes:check-ins"), _("Check-ins"), None),
            (reverse("portal_outcomes:progress"), _("Your progress"), None),
            (reverse("portal:consents"), _("Consents"), None),
            (reverse("portal:history"), _("Who looked"), None),
            (reverse("portal:download"), _("Download"), None),
            (reverse("portal:security"), _("Sign-in and security"), None),
        ]
    return [
        {
            "url": url,
            "label": label,
            "current": path.startswith(url) if current is None else current,
        }
        for url, label, current in items
    ]


def render_portal_page(request, template: str, context: dict | None = None, *, status: int = 200):
    """Render in the page shell with the person's own menu (never the staff switcher); every
    app's pages for the person use it."""
    account = current_account(request)
    page_shell = {
        **shell(request)["shell"],
        "navigation": _navigation(request, account),
        "contexts": [],
    }
    return render(
        request,
        template,
        {**(context or {}), "portal_account": account, "shell": page_shell},
        status=status,
    )


def _safe_next(request, value: str) -> str:
    """Only somewhere in the person's own pages."""
    fallback = reverse("portal:overview")
    if (
        value
        and value.startswith(fallback)
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})
    ):
        return value
    return fallback


# --- turning a record into plain words -----------------------------------------------------------

CATEGORY_LABELS = forms.PERSON_CATEGORY_LABELS
CATEGORY_ORDER = {code: index for index, code in enumerate(Category.values)}
PURPOSE_LABELS = dict(Purpose.choices)
SELF_ACTIONS = frozenset(
    {
        "hearth.people.person.read_by_self",
        "hearth.people.consent.given",
        "hearth.people.erasure.requested",
        "hearth.people.portal.linked",
    }
)


@dataclass
class Row:
    label: str
    values: list[str]


@dataclass
class Section:
    category: str
    title: str
    rows: list[Row]


@dataclass
class ConsentView:
    consent: Consent
    status: str
    status_label: str
    recipient: str
    categories: list[str]
    purpose: str
    how: str
    attestation: str


@dataclass
class RecordView:
    record: PersonRecord
    sections: list[Section]
    notes: list[dict]
    consents: list[ConsentView] = field(default_factory=list)
    erasure_requested_at: datetime | None = None

    @property
    def holder(self) -> Organization:
        return self.record.holder

    @property
    def live_consents(self) -> list[ConsentView]:
        return [view for view in self.consents if view.status == "live"]


def _category_labels(codes) -> list[str]:
    """Category names in the order the categories are always listed."""
    ordered = sorted(codes, key=lambda code: CATEGORY_ORDER.get(code, len(CATEGORY_ORDER)))
    return [str(CATEGORY_LABELS.get(code, code)) for code in ordered]


def _language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _term_names(codes) -> dict[str, str]:
    from hearth.directory.models import TaxonomyTerm

    codes = set(codes)
    if not codes:
        return {}
    return dict(TaxonomyTerm.objects.filter(code__in=codes).values_list("code", "name"))


def _text(value) -> list[str]:
    value = str(value or "").strip()
    return [value] if value else []


def _sections(record: PersonRecord, term_names: dict[str, str]) -> list[Section]:
    identity = record.identity or {}
    contact = record.contact or {}
    needs = record.needs or {}
    strengths = record.strengths or {}
    birth_date = identity.get("birth_date") or ""
    if birth_date:
        birth_date = formats.date_format(date.fromisoformat(birth_date), "DATE_FORMAT")
    age = identity.get("age")
    safe_from, safe_until = contact.get("safe_from"), contact.get("safe_until")
    channel_labels = dict(Channel.choices)
    detail_labels = dict(Detail.choices)
    day_names = {code: str(WEEKDAY_NAMES[index]) for index, code in enumerate(WEEKDAYS)}
    return [
        Section(
            Category.IDENTITY,
            str(CATEGORY_LABELS[Category.IDENTITY]),
            [
                Row(_("The name you chose"), _text(identity.get("chosen_name"))),
                Row(_("Pronouns"), _text(identity.get("pronouns"))),
                Row(
                    _("Languages"),
                    [_language_name(code) for code in identity.get("languages") or []],
                ),
                Row(_("Age"), [str(age)] if age is not None else []),
                Row(_("Date of birth"), _text(birth_date)),
            ],
        ),
        Section(
            Category.CONTACT,
            str(CATEGORY_LABELS[Category.CONTACT]),
            [
                Row(_("Phone numbers"), list(contact.get("phones") or [])),
                Row(_("E-mail addresses"), list(contact.get("emails") or [])),
                Row(
                    _("Safe ways to contact you"),
                    [str(channel_labels.get(c, c)) for c in contact.get("safe_channels") or []]
                    or [_("None marked safe, so nobody contacts you")],
                ),
                Row(
                    _("Voicemail"),
                    [_("A voicemail may be left")]
                    if contact.get("voicemail_ok")
                    else [_("No voicemail")],
                ),
                Row(_("Safe days"), [day_names.get(d, d) for d in contact.get("safe_days") or []]),
                Row(
                    _("Safe hours"),
                    [_("From %(start)s to %(end)s") % {"start": safe_from, "end": safe_until}]
                    if safe_from and safe_until
                    else [],
                ),
                Row(_("Time zone"), _text(contact.get("time_zone"))),
                Row(
                    _("What a message may say"),
                    _text(detail_labels.get(contact.get("message_detail"), "")),
                ),
                Row(
                    _("Do not contact at all"),
                    [_("Yes: nobody may contact you")]
                    if contact.get("do_not_contact")
                    else [_("No")],
                ),
            ],
        ),
        Section(
            Category.NEEDS,
            str(CATEGORY_LABELS[Category.NEEDS]),
            [
                Row(
                    _("Looking for help with"),
                    [term_names.get(code, code) for code in needs.get("terms") or []],
                ),
                Row(_("In your own words"), _text(needs.get("in_their_words"))),
            ],
        ),
        Section(
            Category.STRENGTHS,
            str(CATEGORY_LABELS[Category.STRENGTHS]),
            [
                Row(_("Strengths"), _text(strengths.get("strengths"))),
                Row(_("Goals"), _text(strengths.get("goals"))),
                Row(_("What helps"), _text(strengths.get("what_helps"))),
            ],
        ),
    ]


def _recipient(consent: Consent) -> str:
    if consent.recipient_organization_id:
        return consent.recipient_organization.name
    kinds = dict(Organization.Kind.choices)
    return _("Every organization of the kind “%(kind)s” in %(network)s") % {
        "kind": kinds.get(consent.recipient_kind, consent.recipient_kind),
        "network": consent.recipient_network.name if consent.recipient_network else "",
    }


def _consent_status(consent: Consent, now: datetime) -> tuple[str, str]:
    if consent.revoked_at is not None:
        return "withdrawn", _("Withdrawn")
    if consent.expires_at <= now:
        return "expired", _("Ended")
    if consent.starts_at > now:
        return "waiting", _("Not started yet")
    return "live", _("In effect")


def _consent_view(consent: Consent, now: datetime) -> ConsentView:
    status, status_label = _consent_status(consent, now)
    if consent.given_by == Consent.GivenBy.PERSON:
        how = _("You gave it in your own pages.")
    else:
        recorder = consent.recorded_by.get_full_name() if consent.recorded_by else ""
        how = (
            _("%(name)s at %(organization)s recorded that you agreed.")
            % {"name": recorder, "organization": consent.disclosing_organization.name}
            if recorder
            else _("Staff at %(organization)s recorded that you agreed.")
            % {"organization": consent.disclosing_organization.name}
        )
    return ConsentView(
        consent=consent,
        status=status,
        status_label=status_label,
        recipient=_recipient(consent),
        categories=_category_labels(consent.categories),
        purpose=str(PURPOSE_LABELS.get(consent.purpose, consent.purpose)),
        how=how,
        attestation=consent.attestation,
    )


def _consents_of(person_id, now: datetime) -> list[ConsentView]:
    consents = selectors.consents_of(person_id).select_related("recorded_by")
    return [_consent_view(consent, now) for consent in consents]


def _open_erasure_request(person_id) -> ErasureRequest | None:
    return (
        ErasureRequest.objects.filter(person_id=person_id, completed_at__isnull=True)
        .order_by("requested_at")
        .first()
    )


def _linked_people(account) -> list[Person]:
    return list(selectors.people_linked_to(account).order_by("holder__name", "created_at"))


def _open_records(account, people: list[Person]) -> list[RecordView]:
    """Open each linked record through the gate (each open is in the person's history)."""
    now = timezone.now()
    records = [access.access_own_record(account=account, person_id=person.id) for person in people]
    term_names = _term_names(code for r in records for code in (r.needs or {}).get("terms") or [])
    views = []
    for record in records:
        request_open = _open_erasure_request(record.id)
        views.append(
            RecordView(
                record=record,
                sections=_sections(record, term_names),
                notes=record.notes(),
                consents=_consents_of(record.id, now),
                erasure_requested_at=request_open.requested_at if request_open else None,
            )
        )
    return views


def _linked_person_or_404(account, person_id) -> Person:
    person = selectors.people_linked_to(account).filter(pk=person_id).first()
    if person is None:
        raise access.PersonNotFound()
    return person


# --- joining, signing in and out -----------------------------------------------------------------


def _link_closed(request):
    """One answer for unknown, expired and used links alike."""
    return render_portal_page(request, "people/portal/link_closed.html", status=404)


@portal_page
@sensitive_post_parameters("passphrase", "passphrase_again")
def join(request, token):
    invitation = services.portal_invitation_open(token)
    if invitation is None or PortalLink.objects.filter(person=invitation.person_id).exists():
        return _link_closed(request)
    holder = invitation.person.holder
    account = current_account(request)
    if account is not None:
        if request.method == "POST":
            try:
                services.portal_link_invitation(account=account, token=token)
            except ValidationError:
                return _link_closed(request)
            messages.success(
                request,
                _("What %(organization)s holds about you is now in your pages.")
                % {"organization": holder.name},
            )
            return redirect("portal:overview")
        return render_portal_page(request, "people/portal/join_link.html", {"holder": holder})
    form = forms.JoinForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            account = services.portal_account_create(
                token=token,
                sign_in_name=form.cleaned_data["sign_in_name"],
                passphrase=form.cleaned_data["passphrase"],
            )
        except ValidationError as error:
            if "token" in getattr(error, "error_dict", {}):
                return _link_closed(request)
            add_service_errors(form, error)
        else:
            portal_auth.sign_in(request, account)
            messages.success(
                request,
                _(
                    "Your pages are ready. Keep your sign-in name and passphrase somewhere safe: "
                    "nobody can look them up for you."
                ),
            )
            return redirect("portal:overview")
    return render_portal_page(
        request,
        "people/portal/join.html",
        {
            "form": form,
            "holder": holder,
            "sign_in_url": reverse("portal:sign-in") + "?" + urlencode({"next": request.path}),
        },
    )


def _locked_message() -> str:
    from django.conf import settings

    return _(
        "There have been too many attempts to sign in. Wait %(minutes)d minutes, then try again."
    ) % {"minutes": settings.HEARTH_SIGN_IN_WINDOW_MINUTES}


@portal_page
@sensitive_post_parameters("passphrase")
def sign_in(request):
    next_path = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if current_account(request) is not None:
        return redirect(next_path)
    form = forms.SignInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["sign_in_name"].strip().lower()
        key = portal_auth.throttle_key(name)
        origin = client_address(request)
        if account_services.sign_in_locked(email=key, origin_address=origin):
            form.add_error(None, _locked_message())
        else:
            account = services.portal_authenticate(
                sign_in_name=name, passphrase=form.cleaned_data["passphrase"]
            )
            if account is None:
                account_services.sign_in_attempt_record(
                    email=key, origin_address=origin, user=None, succeeded=False
                )
                form.add_error(None, _("The sign-in name or passphrase is not right."))
            elif account.totp_secret:
                # The attempt counts as a success only once the code is right too.
                portal_auth.pending_start(request, account, next_path)
                return redirect("portal:sign-in-code")
            else:
                account_services.sign_in_attempt_record(
                    email=key, origin_address=origin, user=None, succeeded=True
                )
                services.portal_sign_in_record(account=account)
                portal_auth.sign_in(request, account)
                return redirect(next_path)
    return render_portal_page(
        request, "people/portal/sign_in.html", {"form": form, "next": next_path}
    )


@portal_page
def sign_in_code(request):
    account, next_path = portal_auth.pending_account(request)
    if account is None:
        return redirect("portal:sign-in")
    form = forms.CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        key = portal_auth.throttle_key(account.sign_in_name)
        origin = client_address(request)
        if account_services.sign_in_locked(email=key, origin_address=origin):
            form.add_error(None, _locked_message())
        else:
            time_step = portal_auth.second_step_verify(account, form.cleaned_data["token"])
            account_services.sign_in_attempt_record(
                email=key, origin_address=origin, user=None, succeeded=time_step is not None
            )
            if time_step is None:
                form.add_error("token", _("That code is not right. Check the app and try again."))
            else:
                services.portal_sign_in_record(account=account, time_step=time_step)
                portal_auth.sign_in(request, account)
                return redirect(_safe_next(request, next_path))
    return render_portal_page(request, "people/portal/sign_in_code.html", {"form": form})


@portal_page
@require_POST
def sign_out(request):
    portal_auth.sign_out(request)
    messages.success(request, _("You have signed out."))
    response = redirect("portal:sign-in")
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


# --- what is held about the person ---------------------------------------------------------------


@portal_account_required
def overview(request):
    records = _open_records(request.portal_account, _linked_people(request.portal_account))
    return render_portal_page(request, "people/portal/overview.html", {"records": records})


@portal_account_required
def record(request, person_id):
    person = _linked_person_or_404(request.portal_account, person_id)
    (view,) = _open_records(request.portal_account, [person])
    return render_portal_page(request, "people/portal/record.html", {"item": view})


# --- consents ------------------------------------------------------------------------------------


@portal_account_required
def consents(request):
    people = _linked_people(request.portal_account)
    now = timezone.now()
    groups = [
        {"person": person, "holder": person.holder, "consents": _consents_of(person.id, now)}
        for person in people
    ]
    return render_portal_page(request, "people/portal/consents.html", {"groups": groups})


def _recipients_for(holder: Organization):
    """The organizations in the holder's networks: who a person may let see their record."""
    return (
        Organization.objects.filter(network_memberships__network__memberships__organization=holder)
        .exclude(pk=holder.pk)
        .distinct()
        .order_by("name")
    )


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@portal_account_required
def consent_give(request, person_id):
    account = request.portal_account
    person = _linked_person_or_404(account, person_id)
    holder = person.holder
    days = min(services.consent_days_for(holder), services.MAX_CONSENT_DAYS - 1)
    form = forms.ConsentForm(
        posted(request),
        organizations=_recipients_for(holder),
        initial={"expires_on": timezone.localdate() + timedelta(days=days)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent = services.consent_give(
                account=account,
                person_id=person.id,
                recipient_organization=data["recipient_organization"],
                categories=data["categories"],
                purpose=data["purpose"],
                expires_at=_end_of_day(data["expires_on"]),
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"expires_at": "expires_on"})
        else:
            messages.success(
                request,
                _(
                    "%(organization)s may now see what you chose, until %(date)s. You can "
                    "withdraw this at any time."
                )
                % {
                    "organization": consent.recipient_organization.name,
                    "date": formats.date_format(
                        timezone.localtime(consent.expires_at), "DATE_FORMAT"
                    ),
                },
            )
            return redirect("portal:consents")
    return render_portal_page(
        request,
        "people/portal/consent_give.html",
        {
            "form": form,
            "holder": holder,
            "has_recipients": form.fields["recipient_organization"].queryset.exists(),
        },
    )


@portal_account_required
def consent_withdraw(request, consent_id):
    account = request.portal_account
    people = _linked_people(account)
    consent = (
        Consent.objects.filter(pk=consent_id, person__in=people)
        .select_related("recipient_organization", "disclosing_organization", "recipient_network")
        .first()
    )
    if consent is None:
        raise access.PersonNotFound()
    view = _consent_view(consent, timezone.now())
    if view.status != "live" and view.status != "waiting":
        messages.info(request, _("This consent is no longer in effect: there is nothing to end."))
        return redirect("portal:consents")
    if request.method == "POST":
        services.consent_revoke_by_person(account=account, consent_id=consent.id)
        messages.success(
            request,
            _("Withdrawn. %(recipient)s can no longer see your information under this consent.")
            % {"recipient": view.recipient},
        )
        return redirect("portal:consents")
    return render_portal_page(request, "people/portal/consent_withdraw.html", {"item": view})


# --- who looked ----------------------------------------------------------------------------------


@dataclass
class HistoryLine:
    at: datetime
    holder: str
    what: str
    who: str
    organization: str
    purpose: str
    categories: list[str]
    emergency: bool
    emergency_opened: bool


def _history_lines(people: list[Person], *, include_own: bool) -> list[HistoryLine]:
    lines = []
    for person in people:
        for event in selectors.access_history(person.id):
            if not include_own and event.action == "hearth.people.person.read_by_self":
                continue
            who = event.who
            if not who:
                who = (
                    _("You")
                    if event.action in SELF_ACTIONS or event.action.endswith(".consent.revoked")
                    else _("Hearth, automatically")
                )
            lines.append(
                HistoryLine(
                    at=event.at,
                    holder=person.holder.name,
                    what=event.what,
                    who=who,
                    organization=event.organization,
                    purpose=event.purpose,
                    categories=_category_labels(event.categories),
                    emergency=event.emergency,
                    emergency_opened=event.action == "hearth.people.emergency.started",
                )
            )
    lines.sort(key=lambda line: line.at, reverse=True)
    return lines


@portal_account_required
def history(request):
    people = _linked_people(request.portal_account)
    include_own = request.GET.get("own") == "1"
    lines = _history_lines(people, include_own=include_own)
    return render_portal_page(
        request,
        "people/portal/history.html",
        {
            "page": paginate(request, lines, per_page=25),
            "include_own": include_own,
            "several_records": len(people) > 1,
            "emergencies": sum(1 for line in lines if line.emergency_opened),
        },
    )


# --- download ------------------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _export(account, views: list[RecordView]) -> dict:
    now = timezone.now()
    term_codes = {code for v in views for code in (v.record.needs or {}).get("terms") or []}
    records = []
    for view in views:
        record = view.record
        records.append(
            {
                "record_id": str(record.id),
                "held_by": {"organization": record.holder.name, "slug": record.holder.slug},
                "last_activity_at": _iso(record.last_activity_at),
                "identity": record.identity,
                "contact": record.contact,
                "needs": record.needs,
                "strengths": record.strengths,
                "notes": [
                    {
                        "written_at": _iso(note["created_at"]),
                        "written_by": note["author"].get_full_name() if note["author"] else "",
                        "text": note["body"],
                    }
                    for note in view.notes
                ],
                "consents": [
                    {
                        "id": str(item.consent.id),
                        "status": item.status,
                        "recipient": item.recipient,
                        "categories": list(item.consent.categories),
                        "purpose": item.consent.purpose,
                        "starts_at": _iso(item.consent.starts_at),
                        "expires_at": _iso(item.consent.expires_at),
                        "withdrawn_at": _iso(item.consent.revoked_at),
                        "given_by": item.consent.given_by,
                        "how_given": item.how,
                        "attestation": item.attestation,
                    }
                    for item in view.consents
                ],
                "erasure_requested_at": _iso(view.erasure_requested_at),
                "access_history": [
                    {
                        "at": _iso(event.at),
                        "action": event.action,
                        "what": event.what,
                        "organization": event.organization,
                        "who": event.who,
                        "purpose": event.purpose,
                        "categories": list(event.categories),
                        "emergency": event.emergency,
                    }
                    for event in selectors.access_history(record.id)
                ],
            }
        )
    return {
        "about": _(
            "Everything Hearth holds about you, from each organization that holds a record "
            "about you, with your consents and who looked at your information."
        ),
        "generated_at": _iso(now),
        "account": {
            "sign_in_name": account.sign_in_name,
            "created_at": _iso(account.created_at),
            "second_step": bool(account.totp_secret),
        },
        "records": records,
        "codes": {
            "categories": {code: str(label) for code, label in CATEGORY_LABELS.items()},
            "purposes": {code: str(label) for code, label in Purpose.choices},
            "needs": _term_names(term_codes),
        },
    }


@portal_account_required
def download(request):
    people = _linked_people(request.portal_account)
    views = _open_records(request.portal_account, people)
    histories = {
        view.record.id: _history_lines([person], include_own=True)
        for view, person in zip(views, people, strict=True)
    }
    items = [(view, histories[view.record.id]) for view in views]
    return render_portal_page(
        request, "people/portal/download.html", {"items": items, "generated_at": timezone.now()}
    )


@portal_account_required
def download_json(request):
    account = request.portal_account
    people = _linked_people(account)
    views = _open_records(account, people)
    body = json.dumps(_export(account, views), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"my-information-{timezone.localdate().isoformat()}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- erasure -------------------------------------------------------------------------------------


@portal_account_required
def erase(request):
    account = request.portal_account
    people = _linked_people(account)
    pending = {person.id: _open_erasure_request(person.id) for person in people}
    choices = [(person.id, person.holder.name) for person in people if pending[person.id] is None]
    form = forms.EraseForm(posted(request), records=choices) if choices else None
    if form is not None and request.method == "POST" and form.is_valid():
        person = _linked_person_or_404(account, form.cleaned_data["record"])
        services.erasure_request_create(account=account, person_id=person.id)
        messages.success(
            request,
            _(
                "You asked %(organization)s to erase what it holds about you. They will erase it; "
                "you do not need to do anything else."
            )
            % {"organization": person.holder.name},
        )
        return redirect("portal:overview")
    asked = [
        (person.holder.name, pending[person.id].requested_at)
        for person in people
        if pending[person.id] is not None
    ]
    return render_portal_page(
        request,
        "people/portal/erase.html",
        {"form": form, "asked": asked, "has_records": bool(people)},
    )


# --- sign-in and security ------------------------------------------------------------------------


@portal_account_required
def security(request):
    return render_portal_page(request, "people/portal/security.html", {})


@portal_account_required
@sensitive_post_parameters("current", "new", "new_again")
def passphrase_change(request):
    account = request.portal_account
    form = forms.PassphraseChangeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_passphrase_change(
                account=account,
                current=form.cleaned_data["current"],
                new=form.cleaned_data["new"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            portal_auth.refresh(request, account)
            messages.success(
                request,
                _(
                    "Your passphrase has been changed. Anywhere else you were signed in, you "
                    "have been signed out."
                ),
            )
            return redirect("portal:security")
    return render_portal_page(request, "people/portal/passphrase.html", {"form": form})


@portal_account_required
def second_step(request):
    account = request.portal_account
    if account.totp_secret:
        return redirect("portal:security")
    secret = portal_auth.new_second_step_secret(request)
    form = forms.CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_second_step_enable(
                account=account, secret=secret, code=form.cleaned_data["token"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            portal_auth.forget_new_second_step_secret(request)
            messages.success(
                request,
                _("The second step is on. Next time you sign in, you will be asked for a code."),
            )
            return redirect("portal:security")
    qr = segno.make(portal_auth.second_step_config_url(account, secret), error="m").svg_inline(
        scale=4, border=2, dark="#0b0c0c"
    )
    return render_portal_page(
        request,
        "people/portal/second_step.html",
        {"form": form, "qr_svg": qr, "secret": portal_auth.readable_secret(secret)},
    )


@portal_account_required
@sensitive_post_parameters("passphrase")
def second_step_off(request):
    account = request.portal_account
    if not account.totp_secret:
        return redirect("portal:security")
    form = forms.PassphraseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_second_step_disable(
                account=account, passphrase=form.cleaned_data["passphrase"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The second step is off."))
            return redirect("portal:security")
    return render_portal_page(request, "people/portal/second_step_off.html", {"form": form})
