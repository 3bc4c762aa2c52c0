"""The person's own check-in pages, under /me/: their programs and when a check-in is due,
starting one themselves, the questionnaire, support when their answers call for it, and their
progress over time.

They use the people app's sign-in (`portal_account_required`: signed in, `Cache-Control:
no-store`) and its menu. Page titles are neutral ("Check-ins", "Check-in", "Your progress",
"Support"): a title is what shows in a browser's tabs and history, so it never names a measure,
a program or an organization. Progress opens each linked record with
`access.access_own_record`, so every look is in the person's own history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hearth.core.forms import add_service_errors, posted
from hearth.people import access, selectors
from hearth.people.portal_auth import portal_account_required

from . import forms, instruments, services
from . import selectors as outcome_selectors
from .models import CheckIn, CheckInSchedule, Enrolment, SafetyAlert
from .views import crisis_contacts, enabled_codes, form_history, form_step, measure_name
from .views import progress as progress_of


def _render(request, template: str, context: dict, *, status: int = 200):
    from hearth.people.portal_views import render_portal_page

    return render_portal_page(request, template, context, status=status)


def _people(account):
    return list(selectors.people_linked_to(account))


def _enrolments(people):
    return list(
        Enrolment.objects.filter(person__in=people, ended_at__isnull=True)
        .select_related("program__organization")
        .prefetch_related(
            Prefetch(
                "schedules",
                queryset=CheckInSchedule.objects.filter(is_active=True)
                .select_related("form")
                .order_by("next_due_at"),
                to_attr="active_schedules",
            )
        )
        .order_by("program__organization__name", "program__name")
    )


def _codes_for(enrolment, enabled_by_organization: dict) -> list[str]:
    """What the person may start within an enrolment: the measures on their schedules, and the
    organization's measures that are not only for trained staff (those wait to be offered)."""
    organization = enrolment.program.organization
    if organization.pk not in enabled_by_organization:
        enabled_by_organization[organization.pk] = enabled_codes(organization)
    enabled = enabled_by_organization[organization.pk]
    scheduled = {schedule.instrument for schedule in enrolment.active_schedules}
    return [
        code for code in enabled if code in scheduled or not instruments.get(code).for_trained_staff
    ]


def _forms_for(enrolment, forms_by_organization: dict) -> list:
    """The custom check-in forms the person may start within an enrolment: the organization's
    active ones (a form is not a clinical measure; none waits for trained staff)."""
    organization = enrolment.program.organization
    if organization.pk not in forms_by_organization:
        forms_by_organization[organization.pk] = outcome_selectors.check_in_forms(organization)
    return forms_by_organization[organization.pk]


@portal_account_required
def check_ins(request):
    return _check_ins_page(request)


def _check_ins_page(request, *, bound=None, status=200):
    account = request.portal_account
    people = _people(account)
    enrolments = _enrolments(people)
    now = timezone.now()
    enabled: dict = {}
    custom: dict = {}
    items = []
    for index, enrolment in enumerate(enrolments):
        codes = _codes_for(enrolment, enabled)
        custom_forms = _forms_for(enrolment, custom)
        for schedule in enrolment.active_schedules:
            schedule.name = measure_name(schedule.instrument, schedule.form)
            schedule.weeks = schedule.every_days // 7
            schedule.due = schedule.next_due_at <= now
        form = (bound or {}).get(enrolment.pk) or forms.PersonStartForm(
            codes=codes, custom_forms=custom_forms, auto_id=f"id_{index}_%s"
        )
        items.append(
            {
                "enrolment": enrolment,
                "form": form,
                "codes": codes,
                "can_start": bool(codes or custom_forms),
            }
        )
    started = [
        {"check_in": check_in, "name": measure_name(check_in.instrument, check_in.form)}
        for check_in in CheckIn.objects.filter(
            person__in=people, status=CheckIn.Status.OPEN
        ).select_related("form")
    ]
    return _render(
        request,
        "outcomes/portal/check_ins.html",
        {"items": items, "started": started},
        status=status,
    )


@portal_account_required
def start(request, enrolment_id):
    if request.method != "POST":
        return redirect("portal_outcomes:check-ins")
    account = request.portal_account
    people = _people(account)
    enrolments = _enrolments(people)
    index, enrolment = next(
        ((i, e) for i, e in enumerate(enrolments) if e.pk == enrolment_id), (None, None)
    )
    if enrolment is None:
        raise access.PersonNotFound()
    form = forms.PersonStartForm(
        request.POST,
        codes=_codes_for(enrolment, {}),
        custom_forms=_forms_for(enrolment, {}),
        auto_id=f"id_{index}_%s",
    )
    if form.is_valid():
        instrument, custom_form = form.measure()
        try:
            check_in = services.checkin_start_by_person(
                account=account,
                enrolment_id=enrolment.pk,
                instrument=instrument,
                form_id=custom_form.pk if custom_form else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("portal_outcomes:questionnaire", check_in.pk)
    return _check_ins_page(request, bound={enrolment.pk: form}, status=400)


def _own_check_in(account, check_in_id) -> CheckIn:
    check_in = (
        CheckIn.objects.select_related("enrolment__program__organization", "form")
        .filter(
            pk=check_in_id,
            person__portal_link__account=account,
            person__erased_at__isnull=True,
        )
        .first()
    )
    if check_in is None:
        raise Http404
    return check_in


def _skipped_some(instrument: instruments.Instrument, answers: dict) -> bool:
    try:
        instrument.validate(answers)
    except instruments.MissingAnswers:
        return True
    return False


@portal_account_required
def questionnaire(request, check_in_id):
    account = request.portal_account
    check_in = _own_check_in(account, check_in_id)
    if check_in.status != CheckIn.Status.OPEN:
        return redirect("portal_outcomes:progress")
    if check_in.form_id is not None:
        return _form_questionnaire(request, account, check_in)
    language = get_language() or "en"
    instrument = instruments.get(check_in.instrument)
    form = forms.QuestionnaireForm(posted(request), instrument=instrument)
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        try:
            services.checkin_complete(check_in_id=check_in.pk, answers=answers, account=account)
        except instruments.InvalidAnswers as invalid:
            form.add_answer_errors(invalid, language)
        else:
            if SafetyAlert.objects.filter(check_in=check_in).exists():
                return redirect("portal_outcomes:support", check_in.pk)
            if _skipped_some(instrument, answers):
                messages.success(
                    request,
                    _(
                        "Thank you. Your answers are saved. Because some questions were "
                        "skipped, this check-in has no score, and that is fine."
                    ),
                )
            else:
                messages.success(request, _("Thank you. Your answers are saved."))
            return redirect("portal_outcomes:progress")
    safety = SafetyAlert.objects.filter(check_in=check_in).exists()
    return _render(
        request,
        "outcomes/portal/questionnaire.html",
        {
            "check_in": check_in,
            "name": instrument.name.in_language(language),
            "instructions": instrument.instructions.in_language(language),
            "form": form,
            "safety": safety,
            "contacts": crisis_contacts(check_in.enrolment.program.organization) if safety else [],
        },
        status=400 if form.errors else 200,
    )


def _form_questionnaire(request, account, check_in):
    """A custom-form check-in in the person's own pages: every question skippable, relevance
    applied on the server after each submit; saved once a submit shows nothing new."""
    step = form_step(request, check_in)
    if step.complete:
        try:
            services.checkin_complete(
                check_in_id=check_in.pk,
                answers=step.answers,
                account=account,
                language=step.page.language or None,
            )
        except services.InvalidFormAnswers:
            pass  # answers changed between the page's check and the save: show them again
        else:
            messages.success(request, _("Thank you. Your answers are saved."))
            return redirect("portal_outcomes:progress")
    return _render(
        request,
        "outcomes/portal/form_questionnaire.html",
        {
            "check_in": check_in,
            "page": step.page,
            "more": request.method == "POST" and not step.page.errors,
        },
        status=400 if step.page.errors else 200,
    )


@portal_account_required
def support(request, check_in_id):
    check_in = _own_check_in(request.portal_account, check_in_id)
    if not SafetyAlert.objects.filter(check_in=check_in).exists():
        raise Http404
    organization = check_in.enrolment.program.organization
    return _render(
        request,
        "outcomes/portal/support.html",
        {"organization": organization, "contacts": crisis_contacts(organization)},
    )


@portal_account_required
def progress(request):
    account = request.portal_account
    rows = []
    for person in _people(account):
        record = access.access_own_record(account=account, person_id=person.pk)
        rows += services.check_ins_of(record)
    return _render(
        request,
        "outcomes/portal/progress.html",
        {"measures": progress_of(rows, own=True), "form_check_ins": form_history(rows)},
    )
