"""Staff pages about the people an organization supports. Thin: parse the request, open the
person through the access gate (`access`), call a service, render.

The organization in the address is the one the reader acts for. Every page about one person
opens them through `access.access_person()`, which records the read (or the refusal) and answers
"not found" identically for a missing or a forbidden record, so these pages never offer anything
to someone who may not see the person."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hearth.accounts.models import Organization
from hearth.core.forms import add_service_errors, posted
from hearth.core.pagination import paginate

from . import access, fhir, forms, rules, selectors, services
from .models import (
    Category,
    Consent,
    EmergencyAccess,
    Purpose,
    RetentionPolicy,
)
from .safe_contact import Channel, Detail

PER_PAGE = 50
# Where the person accepts an invitation to their own pages (built by the portal pages).
PORTAL_JOIN_PATH = "/me/join/{token}/"
# Purposes another organization may open a shared record for. Evaluation is consented too, but
# it means counts only: it never opens one person's record.
SHARED_VIEW_PURPOSES = (Purpose.REFERRAL, Purpose.CARE_COORDINATION)

EDITABLE = {
    Category.IDENTITY: (forms.IdentityForm, "people/staff/edit.html"),
    Category.CONTACT: (forms.ContactForm, "people/staff/edit_contact.html"),
    Category.NEEDS: (forms.NeedsForm, "people/staff/edit_needs.html"),
    Category.STRENGTHS: (forms.StrengthsForm, "people/staff/edit.html"),
}


def personal_page(view):
    """Signed in, and never stored by a browser or a cache: these pages hold personal data."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return login_required(wrapper)


def _organization(slug: str) -> Organization:
    """The organization the reader says they act for. Whether they may is the gate's question
    on person pages, and `_staff_organization`'s on the others."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404
    return organization


def _staff_organization(request, slug: str) -> Organization:
    organization = _organization(slug)
    if not rules.sees_people(request.user, organization):
        raise Http404
    return organization


def _admin_organization(request, slug: str) -> Organization:
    organization = _organization(slug)
    if not rules.keeps_records(request.user, organization):
        raise Http404
    return organization


def _open(request, organization, person_id, *, purpose=Purpose.CARE, categories=None):
    return access.access_person(
        user=request.user,
        organization=organization,
        person_id=person_id,
        purpose=purpose,
        categories=categories,
    )


def _open_as_holder(request, organization, person_id, categories=None):
    """Open a person for a page only the holding organization's staff have (changes, consents)."""
    record = _open(request, organization, person_id, categories=categories)
    if not record.basis.startswith("holder:"):
        raise access.PersonNotFound()
    return record


def _person_url(organization, person_id, anchor: str = "") -> str:
    url = reverse("people:person", args=[organization.slug, person_id])
    return f"{url}#{anchor}" if anchor else url


# --- how a record reads on a page ---------------------------------------------------------------

CATEGORY_LABELS = dict(Category.choices)
PURPOSE_LABELS = dict(Purpose.choices)
CHANNEL_LABELS = dict(Channel.choices)
DETAIL_LABELS = dict(Detail.choices)
DAY_LABELS = dict(forms.WEEKDAY_CHOICES)
ZONE_LABELS = dict(forms.TIME_ZONES)
LANGUAGE_LABELS = dict(forms.COMMON_LANGUAGES)
KIND_LABELS = dict(Organization.Kind.choices)


def _language_name(code: str) -> str:
    if code in LANGUAGE_LABELS:
        return str(LANGUAGE_LABELS[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _listed(values) -> list[str]:
    return [str(value) for value in values if value not in (None, "")]


def _term_names(codes: list[str]) -> list[str]:
    from hearth.directory.models import TaxonomyTerm
    from hearth.directory.taxonomy import term_name

    terms = {term.code: term for term in TaxonomyTerm.objects.filter(code__in=codes)}
    language = get_language() or "en"
    return [term_name(terms[code], language) if code in terms else code for code in codes]


def _sections(record: access.PersonRecord) -> list[dict]:
    """Each category the reader may see, as rows of (label, values). Categories they may not
    see are left out entirely."""
    sections = []
    if record.identity is not None:
        identity = record.identity
        sections.append(
            {
                "category": Category.IDENTITY.value,
                "title": _("Who they are"),
                "rows": [
                    (_("Name they use"), _listed([identity.get("chosen_name")])),
                    (_("Pronouns"), _listed([identity.get("pronouns")])),
                    (
                        _("Languages"),
                        [_language_name(code) for code in identity.get("languages") or []],
                    ),
                    (_("Age"), _listed([identity.get("age")])),
                    (_("Date of birth"), _listed([identity.get("birth_date")])),
                ],
            }
        )
    if record.contact is not None:
        contact = record.contact
        channels = [CHANNEL_LABELS.get(c, c) for c in contact.get("safe_channels") or []]
        days = [DAY_LABELS.get(d, d) for d in contact.get("safe_days") or []]
        hours = (
            _("%(start)s to %(end)s")
            % {"start": contact["safe_from"], "end": contact["safe_until"]}
            if contact.get("safe_from") and contact.get("safe_until")
            else _("Any time")
        )
        zone = contact.get("time_zone") or ""
        sections.append(
            {
                "category": Category.CONTACT.value,
                "title": _("Contact and safe contact"),
                "do_not_contact": bool(contact.get("do_not_contact")),
                "rows": [
                    (_("Phone numbers"), _listed(contact.get("phones") or [])),
                    (_("E-mail addresses"), _listed(contact.get("emails") or [])),
                    (_("Safe ways to contact them"), _listed(channels) or [_("None is safe")]),
                    (
                        _("Voicemail"),
                        [
                            _("A voicemail may be left")
                            if contact.get("voicemail_ok")
                            else _("Never leave a voicemail")
                        ],
                    ),
                    (_("Safe days"), _listed(days) or [_("Any day")]),
                    (_("Safe hours"), [hours]),
                    (_("Time zone"), [str(ZONE_LABELS.get(zone, zone))] if zone else []),
                    (
                        _("What a message may say"),
                        _listed([DETAIL_LABELS.get(contact.get("message_detail") or "vague")]),
                    ),
                ],
            }
        )
    if record.needs is not None:
        needs = record.needs
        sections.append(
            {
                "category": Category.NEEDS.value,
                "title": _("What they are looking for help with"),
                "rows": [
                    (_("Needs"), _term_names(list(needs.get("terms") or []))),
                    (_("In their own words"), _listed([needs.get("in_their_words")])),
                ],
            }
        )
    if record.strengths is not None:
        strengths = record.strengths
        sections.append(
            {
                "category": Category.STRENGTHS.value,
                "title": _("Strengths, goals and what helps"),
                "rows": [
                    (_("Strengths"), _listed([strengths.get("strengths")])),
                    (_("Goals"), _listed([strengths.get("goals")])),
                    (_("What helps"), _listed([strengths.get("what_helps")])),
                ],
            }
        )
    return sections


def _recipient(consent: Consent) -> str:
    if consent.recipient_organization_id:
        return consent.recipient_organization.name
    return _("Every %(kind)s in %(network)s") % {
        "kind": KIND_LABELS.get(consent.recipient_kind, consent.recipient_kind),
        "network": consent.recipient_network.name if consent.recipient_network else "",
    }


def _consent_rows(consents, now) -> list[dict]:
    rows = []
    for consent in consents:
        if consent.revoked_at is not None:
            status, label = "revoked", _("Withdrawn")
        elif consent.expires_at <= now:
            status, label = "expired", _("Expired")
        elif consent.starts_at > now:
            status, label = "future", _("Not started yet")
        else:
            status, label = "live", _("Live")
        rows.append(
            {
                "consent": consent,
                "recipient": _recipient(consent),
                "categories": [str(CATEGORY_LABELS.get(c, c)) for c in consent.categories],
                "purpose": PURPOSE_LABELS.get(consent.purpose, consent.purpose),
                "status": status,
                "status_label": label,
                "given_by": consent.get_given_by_display(),
                "recorded_by": consent.recorded_by.get_full_name() if consent.recorded_by else "",
                "can_withdraw": status in ("live", "future"),
            }
        )
    return rows


def _history(person_id) -> list[dict]:
    return [
        {
            "event": event,
            "categories": [str(CATEGORY_LABELS.get(c, c)) for c in event.categories],
        }
        for event in selectors.access_history(person_id, limit=100)
    ]


def _render_person(request, organization, record, *, note_form=None, status=200):
    consents = selectors.consents_of(record.id).select_related("recorded_by")
    return render(
        request,
        "people/staff/person.html",
        {
            "organization": organization,
            "record": record,
            "sections": _sections(record),
            "editable": True,
            "notes": record.notes(),
            "reads_notes": record.may_read(Category.NOTES),
            "note_form": note_form or forms.NoteForm(),
            "consents": _consent_rows(consents, timezone.now()),
            "history": _history(record.id),
            "is_admin": rules.keeps_records(request.user, organization),
        },
        status=status,
    )


# --- the list, looking people up, starting a record ----------------------------------------


def _page_of_people(request, organization):
    """One page of the people held, newest activity first, fetched through the gate (which
    records each name shown)."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    records, total = access.people_held_by(
        user=request.user, organization=organization, offset=(number - 1) * PER_PAGE
    )
    page = Paginator(range(total), PER_PAGE).get_page(number)
    if page.number != number and total:
        records, total = access.people_held_by(
            user=request.user, organization=organization, offset=page.start_index() - 1
        )
    query = request.GET.copy()
    query.pop("page", None)
    page.query_prefix = (query.urlencode() + "&") if query else ""
    return records, page, total


@personal_page
def people_list(request, slug):
    organization = _staff_organization(request, slug)
    lookup = forms.LookupForm(request.GET if "q" in request.GET else None)
    found = None
    records, page, total = [], None, 0
    if lookup.is_bound:
        if lookup.is_valid():
            found = access.find_people(
                user=request.user, organization=organization, query=lookup.cleaned_data["q"]
            )
    else:
        records, page, total = _page_of_people(request, organization)
    return render(
        request,
        "people/staff/list.html",
        {
            "organization": organization,
            "lookup": lookup,
            "found": found,
            "records": records,
            "page": page,
            "total": total,
            "is_admin": rules.keeps_records(request.user, organization),
        },
    )


@personal_page
def person_start(request, slug):
    organization = _staff_organization(request, slug)
    form = forms.StartForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=request.user,
                organization=organization,
                identity=form.payload(),
                needs=form.needs_data(),
                strengths=form.strengths_data(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The record has been started."))
            return redirect(_person_url(organization, person.id))
    return render(request, "people/staff/start.html", {"organization": organization, "form": form})


# --- one person ----------------------------------------------------------------------------------


@personal_page
def person_detail(request, slug, person_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    return _render_person(request, organization, record)


@personal_page
def person_edit(request, slug, person_id, category):
    if category not in EDITABLE:
        raise Http404
    form_class, template = EDITABLE[category]
    organization = _organization(slug)
    record = _open_as_holder(
        request, organization, person_id, categories=[Category.IDENTITY, category]
    )
    options = {}
    if category == Category.NEEDS:
        options = {"groups": forms.open_eligibility_groups(), "language": get_language() or "en"}
    form = form_class(
        posted(request), initial=form_class.initial_from(getattr(record, category) or {}), **options
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                organization=organization,
                person_id=record.id,
                category=category,
                data=form.payload(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(_person_url(organization, record.id, category))
    return render(
        request,
        template,
        {
            "organization": organization,
            "record": record,
            "form": form,
            "category": category,
            "title": {
                Category.IDENTITY: _("Who they are"),
                Category.CONTACT: _("Contact and safe contact"),
                Category.NEEDS: _("What they are looking for help with"),
                Category.STRENGTHS: _("Strengths, goals and what helps"),
            }[category],
        },
    )


@personal_page
@require_POST
def note_add(request, slug, person_id):
    organization = _organization(slug)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(
                actor=request.user,
                organization=organization,
                person_id=person_id,
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The note has been added."))
            return redirect(_person_url(organization, person_id, "notes"))
    record = _open(request, organization, person_id)
    return _render_person(request, organization, record, note_form=form)


@personal_page
@require_POST
def person_invite(request, slug, person_id):
    organization = _organization(slug)
    record = _open_as_holder(request, organization, person_id, categories=[Category.IDENTITY])
    token = services.portal_invitation_create(
        actor=request.user, organization=organization, person_id=record.id
    )
    # Shown once, in this response only: Hearth keeps only a hash of the token.
    return render(
        request,
        "people/staff/invitation.html",
        {
            "organization": organization,
            "record": record,
            "link": request.build_absolute_uri(PORTAL_JOIN_PATH.format(token=token)),
            "days": services.PORTAL_INVITATION_DAYS,
        },
    )


@personal_page
def person_erase(request, slug, person_id):
    organization = _organization(slug)
    if not rules.keeps_records(request.user, organization):
        raise access.PersonNotFound()
    record = _open(
        request,
        organization,
        person_id,
        purpose=Purpose.ADMINISTRATION,
        categories=[Category.IDENTITY],
    )
    form = forms.EraseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.person_erase(
            actor=request.user,
            organization=organization,
            person_id=record.id,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("The record has been erased."))
        return redirect("people:list", organization.slug)
    return render(
        request,
        "people/staff/erase.html",
        {"organization": organization, "record": record, "form": form},
    )


# --- consent -------------------------------------------------------------------------------------


def _consent_of(organization, record, consent_id) -> Consent:
    consent = (
        selectors.consents_of(record.id)
        .filter(pk=consent_id, disclosing_organization=organization)
        .first()
    )
    if consent is None:
        raise access.PersonNotFound()
    return consent


@personal_page
def consent_new(request, slug, person_id):
    organization = _organization(slug)
    record = _open_as_holder(request, organization, person_id, categories=[Category.IDENTITY])
    days = services.consent_days_for(organization)
    form = forms.ConsentForm(
        posted(request),
        organization=organization,
        initial={
            "recipient_type": "organization",
            "expires_at": timezone.localdate() + timedelta(days=days),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                actor=request.user, organization=organization, person_id=record.id, **form.terms()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect(_person_url(organization, record.id, "consents"))
    return render(
        request,
        "people/staff/consent_form.html",
        {"organization": organization, "record": record, "form": form, "days": days},
    )


@personal_page
def consent_withdraw(request, slug, person_id, consent_id):
    organization = _organization(slug)
    record = _open_as_holder(request, organization, person_id, categories=[Category.IDENTITY])
    consent = _consent_of(organization, record, consent_id)
    if request.method == "POST":
        services.consent_revoke_by_staff(
            actor=request.user, organization=organization, consent_id=consent.id
        )
        messages.success(
            request, _("The consent has been withdrawn. Nothing more is shared under it.")
        )
        return redirect(_person_url(organization, record.id, "consents"))
    return render(
        request,
        "people/staff/consent_withdraw.html",
        {
            "organization": organization,
            "record": record,
            "row": _consent_rows([consent], timezone.now())[0],
        },
    )


@personal_page
def consent_fhir(request, slug, person_id, consent_id):
    organization = _organization(slug)
    record = _open_as_holder(request, organization, person_id, categories=[Category.IDENTITY])
    consent = _consent_of(organization, record, consent_id)
    return HttpResponse(
        json.dumps(fhir.consent_to_fhir(consent), indent=2),
        content_type="application/fhir+json",
    )


@personal_page
def consents_received(request, slug):
    organization = _staff_organization(request, slug)
    consents = selectors.live_consents_received(organization).order_by("expires_at", "id")
    page = paginate(request, consents, per_page=PER_PAGE)
    return render(
        request,
        "people/staff/received.html",
        {
            "organization": organization,
            "page": page,
            "rows": [
                {
                    "consent": consent,
                    "categories": [str(CATEGORY_LABELS.get(c, c)) for c in consent.categories],
                    "purpose": PURPOSE_LABELS.get(consent.purpose, consent.purpose),
                    "opens": consent.purpose in SHARED_VIEW_PURPOSES,
                }
                for consent in page.object_list
            ],
        },
    )


@personal_page
def shared_person(request, slug, person_id):
    organization = _organization(slug)
    purpose = request.GET.get("purpose", Purpose.REFERRAL)
    if purpose not in SHARED_VIEW_PURPOSES:
        raise access.PersonNotFound()
    record = _open(request, organization, person_id, purpose=purpose)
    now = timezone.now()
    until = [
        consent.expires_at
        for consent in selectors.consents_of(record.id).filter(purpose=purpose)
        if consent.is_live(now) and consent.covers_organization(organization)
    ]
    return render(
        request,
        "people/staff/shared.html",
        {
            "organization": organization,
            "record": record,
            "sections": _sections(record),
            "notes": record.notes(),
            "purpose": PURPOSE_LABELS[purpose],
            "until": max(until) if until else None,
            "emergency": False,
        },
    )


# --- break the glass ----------------------------------------------------------------------------


@personal_page
def emergency_start(request, slug):
    organization = _staff_organization(request, slug)
    form = forms.EmergencyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip()
        try:
            grant = services.emergency_access_start(
                user=request.user,
                organization=organization,
                person_id=reference,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except access.PersonNotFound:
            # The same words whether the record is missing or is not one they may open.
            form.add_error(
                "reference",
                _(
                    "There is no record with this reference that you can open in an emergency. "
                    "Check the reference, or ask the organization that holds the record."
                ),
            )
        else:
            return redirect("people:emergency-person", organization.slug, grant.person_id)
    return render(
        request,
        "people/staff/emergency_form.html",
        {
            "organization": organization,
            "form": form,
            "minutes": settings.HEARTH_BREAK_GLASS_MINUTES,
        },
    )


@personal_page
def emergency_person(request, slug, person_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id, purpose=Purpose.EMERGENCY)
    # The gate has just let this reader in under their own emergency access: its end is theirs
    # to see.
    ends_at = (
        EmergencyAccess.objects.filter(
            person_id=record.id,
            user=request.user,
            organization=organization,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
    return render(
        request,
        "people/staff/shared.html",
        {
            "organization": organization,
            "record": record,
            "sections": _sections(record),
            "notes": record.notes(),
            "purpose": PURPOSE_LABELS[Purpose.EMERGENCY],
            "until": ends_at,
            "emergency": True,
        },
    )


@personal_page
def emergency_reviews(request, slug):
    organization = _admin_organization(request, slug)
    page = paginate(
        request, selectors.emergency_accesses_for_review(organization), per_page=PER_PAGE
    )
    return render(
        request,
        "people/staff/emergency_reviews.html",
        {"organization": organization, "page": page, "now": timezone.now()},
    )


@personal_page
def emergency_review(request, slug, emergency_id):
    organization = _admin_organization(request, slug)
    grant = selectors.emergency_accesses_for_review(organization).filter(pk=emergency_id).first()
    if grant is None:
        raise Http404
    form = forms.ReviewForm(posted(request), initial={"note": grant.review_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_access_review(
                actor=request.user,
                organization=organization,
                emergency_id=grant.id,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The review has been saved."))
            return redirect("people:emergency-reviews", organization.slug)
    return render(
        request,
        "people/staff/emergency_review.html",
        {"organization": organization, "grant": grant, "form": form},
    )


# --- retention ---------------------------------------------------------------------------------


@personal_page
def retention(request, slug):
    organization = _admin_organization(request, slug)
    policy = RetentionPolicy.objects.filter(organization=organization).first()
    form = forms.RetentionForm(
        posted(request),
        initial={
            "records_days": policy.records_days if policy else None,
            "notes_days": policy.notes_days if policy else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_set(
                actor=request.user,
                organization=organization,
                records_days=form.cleaned_data["records_days"],
                notes_days=form.cleaned_data["notes_days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The retention periods have been saved."))
            return redirect("people:retention", organization.slug)
    return render(
        request, "people/staff/retention.html", {"organization": organization, "form": form}
    )
