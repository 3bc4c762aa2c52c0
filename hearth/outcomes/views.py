"""Staff check-in pages: programs and their enrolments, which measures the organization uses,
offering a check-in from a person's record, the questionnaire, the safety pathway, safety alerts
and a person's progress. Thin: parse, open through the gate or ask a service, render.

Every page about one person opens them with `access.access_person(..., categories=[identity,
outcomes])` for care, as the holding organization: peer supporters, viewers, other organizations
and anyone else get the same "not found" as for a person who does not exist. Lists never name
anyone: an enrolment is "started on this day", with a link to the record, whose page the gate
guards.

Also here, because the person's own pages use them too: the crisis contacts the safety pathway
shows (`crisis_contacts`) and the progress tables and charts (`progress`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hearth.accounts.models import Membership, Organization
from hearth.accounts.rules import PERSONAL_DATA_ROLES, is_org_admin
from hearth.core.forms import add_service_errors, posted
from hearth.core.pagination import paginate
from hearth.people import access
from hearth.people.models import Category, Purpose

from . import charts, form_services, forms, instruments, selectors, services
from .models import CheckIn, CheckInSchedule, Enrolment, Program, SafetyAlert

PER_PAGE = 25
DAYS_PER_WEEK = 7

# Open Eligibility terms for help in a crisis (hearth/directory/data/open_eligibility.json):
# Help Hotlines, Psychiatric Emergency Services (under Emergency and under Medical Care), and
# Immediate Safety itself (not its children, which are shelters and legal help).
CRISIS_TERM_CODES = ("1305", "1126", "1231", "1123")
MAX_CRISIS_CONTACTS = 8


def staff_page(view):
    """Signed in, and never kept by a browser or a cache: these pages hold personal data."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return login_required(wrapper)


def _organization(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404
    return organization


def _admin_organization(request, slug: str) -> Organization:
    organization = _organization(slug)
    if not is_org_admin(request.user, organization):
        raise Http404
    return organization


def _staff_organization(request, slug: str) -> Organization:
    """Staff whose role may open people's records (the safety alerts page)."""
    organization = _organization(slug)
    if not Membership.objects.filter(
        user=request.user, organization=organization, role__in=PERSONAL_DATA_ROLES
    ).exists():
        raise Http404
    return organization


def _open(request, organization: Organization, person_id) -> access.PersonRecord:
    """The person's name and outcome measures, for the holding organization's staff whose role
    reads outcome measures; anyone else gets "not found"."""
    record = access.access_person(
        user=request.user,
        organization=organization,
        person_id=person_id,
        purpose=Purpose.CARE,
        categories=[Category.IDENTITY, Category.OUTCOMES],
    )
    if not record.basis.startswith("holder:") or not record.may_read(Category.OUTCOMES):
        raise access.PersonNotFound()
    return record


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j M Y")


def _checkins_url(organization, person_id) -> str:
    return reverse("outcomes:person", args=[organization.slug, person_id])


def measure_name(instrument: str, custom_form) -> str:
    """What a check-in or a schedule is called in lists: the instrument's short name, or the
    custom form's title."""
    if instrument:
        return instruments.get(instrument).short_name
    return custom_form.title if custom_form is not None else ""


def form_language(custom_form) -> str:
    """The language to show a custom form in: the reader's, when the form has it."""
    definition = form_services.definition(custom_form)
    return definition.language_code(get_language()) or get_language() or "en"


def enabled_codes(organization: Organization) -> list[str]:
    """The instruments the organization uses, in the library's order."""
    return [
        instrument.code
        for instrument in instruments.all_instruments()
        if services.instrument_enabled(organization, instrument.code)
    ]


# --- crisis contacts (the safety pathway) ------------------------------------------------------


@dataclass
class CrisisContact:
    name: str
    organization: str = ""
    description: str = ""
    phones: list[tuple[str, str]] = field(default_factory=list)  # (number, what it is for)
    email: str = ""
    website: str = ""


def crisis_contacts(organization: Organization) -> list[CrisisContact]:
    """Services in the directory that help in a crisis, within the organization's networks (or
    listed for every network), read straight from the database so the page never depends on
    the search index being current. With none, the organizations of the network's coordinators,
    and the organization itself."""
    from hearth.directory import taxonomy
    from hearth.directory.models import Attribute, Service

    networks = list(organization.networks.values_list("pk", flat=True))
    linked = Attribute.objects.filter(
        link_entity="service",
        taxonomy_term_id__in=[taxonomy.term_id(code) for code in CRISIS_TERM_CODES],
    ).values("link_id")
    found = (
        Service.objects.filter(id__in=linked, status=Service.Status.ACTIVE)
        .filter(Q(organization__network__in=networks) | Q(organization__network__isnull=True))
        .select_related("organization")
        .prefetch_related("phones")
        .order_by("name")[:MAX_CRISIS_CONTACTS]
    )
    contacts = [
        CrisisContact(
            name=service.name,
            organization=service.organization.name if service.organization else "",
            description=service.description,
            phones=[(phone.number, phone.description) for phone in service.phones.all()],
            email=service.email,
            website=service.url,
        )
        for service in found
    ]
    if contacts:
        return contacts
    fallback = list(
        Organization.objects.filter(
            memberships__user__coordinator_roles__network__in=networks, is_active=True
        )
        .exclude(phone="", email="")
        .distinct()
        .order_by("name")
    )
    if organization not in fallback and (organization.phone or organization.email):
        fallback.append(organization)
    return [
        CrisisContact(
            name=other.name,
            phones=[(other.phone, "")] if other.phone else [],
            email=other.email,
            website=other.website,
        )
        for other in fallback
    ]


# --- progress: tables, charts, plain words -----------------------------------------------------


@dataclass
class ProgressRow:
    at: object
    date_label: str
    scored: bool
    score_label: str = ""
    band_label: str = ""
    band_meaning: str = ""
    change: str = ""  # a charts.MARK_* code, "" for the first scored check-in or unscored
    change_label: str = ""
    difference_label: str = ""


@dataclass
class InstrumentProgress:
    instrument: instruments.Instrument
    name: str
    rows: list[ProgressRow]
    summary: list[str]
    chart: str
    scale: str
    chart_id: str


CHANGE_MARKS = {
    instruments.ChangeDirection.IMPROVEMENT: charts.MARK_IMPROVEMENT,
    instruments.ChangeDirection.DETERIORATION: charts.MARK_DETERIORATION,
    instruments.ChangeDirection.NO_MEANINGFUL_CHANGE: charts.MARK_NO_CHANGE,
    instruments.ChangeDirection.NO_THRESHOLD: charts.MARK_NOT_JUDGED,
}


def change_label(mark: str) -> str:
    if mark == charts.MARK_NOT_JUDGED:
        return _("Not judged: this measure has no published threshold for meaningful change")
    return charts.legend_labels().get(mark, "")


def _signed(value: Fraction) -> str:
    if value > 0:
        return "+" + instruments.format_number(value, places=1)
    if value < 0:
        return "\u2212" + instruments.format_number(-value, places=1)
    return "0"


def _stored_score(code: str, stored: dict | None) -> instruments.Score | None:
    """The score kept with a check-in, as the library's Score (None when it was not scored)."""
    if not stored or stored.get("value") is None:
        return None
    instrument = instruments.get(code)
    band = stored.get("band")
    return instruments.Score(
        instrument=code,
        total=stored.get("total") or 0,
        value=Fraction(stored["value"]).limit_denominator(1000),
        band=instrument.band(band) if band else None,
        flags=frozenset(stored.get("flags") or ()),
    )


def _scale(instrument: instruments.Instrument) -> str:
    low, high = instrument.value_range
    better = (
        _("higher is better")
        if instrument.direction == instruments.Direction.HIGHER_IS_BETTER
        else _("lower is better")
    )
    return _("Scores from %(low)s to %(high)s; %(better)s") % {
        "low": instruments.format_number(low),
        "high": instruments.format_number(high),
        "better": better,
    }


def _summary(
    instrument: instruments.Instrument,
    scored: list[tuple[ProgressRow, instruments.Score]],
    unscored: int,
    *,
    own: bool,
) -> list[str]:
    name = instrument.short_name
    sentences = []
    if not scored:
        sentences.append(
            _("No %(name)s check-in has a score yet.") % {"name": name}
            if own
            else _("None of their %(name)s check-ins has a score yet.") % {"name": name}
        )
    else:
        first_row, first = scored[0]
        last_row, last = scored[-1]
        values = {
            "count": len(scored),
            "name": name,
            "first": first_row.date_label,
            "last": last_row.date_label,
            "value": last_row.score_label,
            "band": last_row.band_label,
        }
        if len(scored) == 1:
            sentences.append(
                (
                    _("You have one scored %(name)s check-in, on %(first)s.")
                    if own
                    else _("They have one scored %(name)s check-in, on %(first)s.")
                )
                % values
            )
        else:
            sentences.append(
                (
                    _("You have %(count)s scored %(name)s check-ins, from %(first)s to %(last)s.")
                    if own
                    else _(
                        "They have %(count)s scored %(name)s check-ins, from %(first)s to %(last)s."
                    )
                )
                % values
            )
        if last_row.band_label:
            sentences.append(
                (
                    _("Your latest score is %(value)s: %(band)s.")
                    if own
                    else _("Their latest score is %(value)s: %(band)s.")
                )
                % values
            )
        else:
            sentences.append(
                (
                    _("Your latest score is %(value)s.")
                    if own
                    else _("Their latest score is %(value)s.")
                )
                % values
            )
        if len(scored) > 1:
            overall = instrument.change(first, last)
            mark = CHANGE_MARKS[overall.direction]
            moved = {
                "difference": instruments.format_number(abs(overall.difference), places=1),
                "change": change_label(mark).lower()
                if mark != charts.MARK_NOT_JUDGED
                else change_label(mark),
            }
            if overall.difference == 0:
                sentences.append(_("It is the same as the first score."))
            elif overall.difference > 0:
                sentences.append(
                    _("Since the first, it has gone up by %(difference)s: %(change)s.") % moved
                )
            else:
                sentences.append(
                    _("Since the first, it has gone down by %(difference)s: %(change)s.") % moved
                )
            if instrument.meaningful_change is not None:
                sentences.append(
                    _("On this measure, a change of %(threshold)s or more counts as meaningful.")
                    % {"threshold": instruments.format_number(instrument.meaningful_change)}
                )
    if unscored:
        sentences.append(
            _(
                "Check-ins with a skipped question are kept but have no score (%(count)s so "
                "far). Skipping is always fine."
            )
            % {"count": unscored}
        )
    return sentences


def progress(rows: list[dict], *, own: bool) -> list[InstrumentProgress]:
    """Per instrument, in the library's order: every completed check-in as a table row (date,
    score, what the band means, change from the previous scored check-in), a chart of the
    scored ones and a summary in plain words. `rows` come from `services.check_ins_of`; `own`
    words the summary for the person themselves."""
    language = get_language() or "en"
    by_code: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda row: row["check_in"].completed_at):
        code = row["check_in"].instrument
        if code:
            by_code.setdefault(code, []).append(row)
    result = []
    for instrument in instruments.all_instruments():
        if instrument.code not in by_code:
            continue
        table: list[ProgressRow] = []
        scored: list[tuple[ProgressRow, instruments.Score]] = []
        unscored = 0
        for row in by_code[instrument.code]:
            at = row["check_in"].completed_at
            score = _stored_score(instrument.code, row["score"])
            if score is None:
                unscored += 1
                table.append(ProgressRow(at=at, date_label=_date(at), scored=False))
                continue
            line = ProgressRow(
                at=at,
                date_label=_date(at),
                scored=True,
                score_label=instruments.format_number(score.value, places=1),
                band_label=score.band.label.in_language(language) if score.band else "",
                band_meaning=score.band.meaning.in_language(language) if score.band else "",
            )
            if scored:
                change = instrument.change(scored[-1][1], score)
                line.change = CHANGE_MARKS[change.direction]
                line.change_label = change_label(line.change)
                line.difference_label = _signed(change.difference)
            scored.append((line, score))
            table.append(line)
        chart_id = f"chart-{instrument.code}"
        chart = ""
        name = instrument.name.in_language(language)
        scale = _scale(instrument)
        if scored:
            points = [
                charts.Point(
                    date_label=line.date_label,
                    value=score.value,
                    mark=line.change or charts.MARK_FIRST,
                )
                for line, score in scored
            ]
            described = "; ".join(
                _("%(date)s: %(value)s") % {"date": line.date_label, "value": line.score_label}
                + (f" ({line.change_label})" if line.change_label else "")
                for line, _score in scored
            )
            chart = charts.line_chart(
                chart_id=chart_id,
                title=_("%(name)s scores over time") % {"name": name},
                description=_(
                    "One point per scored check-in, in date order. %(scale)s. %(points)s."
                )
                % {"scale": scale, "points": described},
                points=points,
                low=instrument.value_range[0],
                high=instrument.value_range[1],
                axis_label=scale,
            )
        result.append(
            InstrumentProgress(
                instrument=instrument,
                name=name,
                rows=table,
                summary=_summary(instrument, scored, unscored, own=own),
                chart=chart,
                scale=scale,
                chart_id=chart_id,
            )
        )
    return result


def form_history(rows: list[dict]) -> list[dict]:
    """A person's completed custom-form check-ins, newest first, each with its answers as the
    person reads them and the questions they skipped marked. `rows` come from
    `services.check_ins_of` (so the gate has already opened them)."""
    history = []
    for row in sorted(rows, key=lambda row: row["check_in"].completed_at, reverse=True):
        custom_form = row["check_in"].form
        if custom_form is None:
            continue
        language = form_language(custom_form)
        answers = form_services.answer_summary(
            form_services.definition(custom_form), row["answers"], language
        )
        history.append(
            {
                "check_in": row["check_in"],
                "title": custom_form.title,
                "date_label": _date(row["check_in"].completed_at),
                "language": language,
                "answers": answers,
                "skipped": sum(1 for answer in answers if answer.skipped),
            }
        )
    return history


def form_step(request, check_in: CheckIn) -> form_services.Step:
    """One page of a custom-form check-in: the questions relevant so far (after a submit,
    newly relevant ones added and errors on the ones seen), with no question required."""
    definition = form_services.definition(check_in.form)
    language = form_language(check_in.form)
    if request.method == "POST":
        return form_services.form_continue(
            definition, request.POST, language=language, skippable=True
        )
    page = form_services.form_page(definition, language=language, skippable=True)
    return form_services.Step(page=page, complete=False, answers={})


# --- programs (admins) ---------------------------------------------------------------------------


@staff_page
def programs(request, slug):
    organization = _admin_organization(request, slug)
    form = forms.ProgramForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                actor=request.user,
                organization=organization,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                privacy_budget=form.cleaned_data["privacy_budget"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The program has been created."))
            return redirect("outcomes:program", organization.slug, program.pk)
    rows = Program.objects.filter(organization=organization).annotate(
        active=Count("enrolments", filter=Q(enrolments__ended_at__isnull=True))
    )
    return render(
        request,
        "outcomes/staff/programs.html",
        {"organization": organization, "programs": rows, "form": form},
    )


@staff_page
def program_detail(request, slug, program_id):
    organization = _admin_organization(request, slug)
    program = Program.objects.filter(pk=program_id, organization=organization).first()
    if program is None:
        raise Http404
    enrolments = (
        Enrolment.objects.filter(program=program)
        .annotate(
            completed=Count("check_ins", filter=Q(check_ins__status=CheckIn.Status.COMPLETED))
        )
        .prefetch_related(
            Prefetch(
                "schedules",
                queryset=CheckInSchedule.objects.filter(is_active=True)
                .select_related("form")
                .order_by("next_due_at"),
                to_attr="active_schedules",
            )
        )
        .order_by("-started_at", "id")
    )
    page = paginate(request, enrolments, per_page=PER_PAGE)
    now = timezone.now()
    for enrolment in page.object_list:
        enrolment.due = any(s.next_due_at <= now for s in enrolment.active_schedules)
        for schedule in enrolment.active_schedules:
            schedule.weeks = schedule.every_days // DAYS_PER_WEEK
            schedule.name = measure_name(schedule.instrument, schedule.form)
    return render(
        request,
        "outcomes/staff/program.html",
        {"organization": organization, "program": program, "page": page},
    )


@staff_page
def instrument_switches(request, slug):
    organization = _admin_organization(request, slug)
    if request.method == "POST":
        code = request.POST.get("instrument", "")
        enabled = request.POST.get("enabled") == "on"
        try:
            instruments.get(code)
        except instruments.UnknownInstrument:
            raise Http404 from None
        services.instrument_switch(
            actor=request.user, organization=organization, code=code, enabled=enabled
        )
        name = instruments.get(code).short_name
        messages.success(
            request,
            (_("%(name)s is now on.") if enabled else _("%(name)s is now off.")) % {"name": name},
        )
        return redirect("outcomes:instruments", organization.slug)
    language = get_language() or "en"
    rows = [
        {
            "instrument": instrument,
            "name": instrument.name.in_language(language),
            "enabled": services.instrument_enabled(organization, instrument.code),
        }
        for instrument in instruments.all_instruments()
    ]
    return render(
        request,
        "outcomes/staff/instruments.html",
        {"organization": organization, "rows": rows},
    )


# --- one person's check-ins ----------------------------------------------------------------------


def _enrolments(organization, person_id):
    return list(
        Enrolment.objects.filter(
            person_id=person_id, program__organization=organization, ended_at__isnull=True
        )
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "schedules",
                queryset=CheckInSchedule.objects.filter(is_active=True)
                .select_related("form")
                .order_by("next_due_at"),
                to_attr="active_schedules",
            )
        )
    )


def _render_person(request, organization, record, *, status=200, **bound):
    enrolments = _enrolments(organization, record.id)
    codes = enabled_codes(organization)
    custom_forms = selectors.check_in_forms(organization)
    enrolled = {enrolment.program_id for enrolment in enrolments}
    open_programs = [
        program
        for program in Program.objects.filter(organization=organization, is_active=True)
        if program.pk not in enrolled
    ]
    now = timezone.now()
    for enrolment in enrolments:
        for schedule in enrolment.active_schedules:
            schedule.weeks = schedule.every_days // DAYS_PER_WEEK
            schedule.name = measure_name(schedule.instrument, schedule.form)
            schedule.due = schedule.next_due_at <= now
    started = CheckIn.objects.filter(
        person_id=record.id,
        status=CheckIn.Status.OPEN,
        enrolment__program__organization=organization,
    ).select_related("enrolment__program", "form")
    completed = [
        {
            "check_in": row["check_in"],
            "name": measure_name(row["check_in"].instrument, row["check_in"].form),
            "is_form": row["check_in"].form_id is not None,
            "scored": bool(row["score"]) and row["score"].get("value") is not None,
        }
        for row in reversed(services.check_ins_of(record))
    ]
    context = {
        "organization": organization,
        "record": record,
        "enrolments": enrolments,
        "started": [
            {"check_in": check_in, "name": measure_name(check_in.instrument, check_in.form)}
            for check_in in started
        ],
        "completed": completed,
        "start_form": bound.get("start_form")
        or forms.StartCheckInForm(enrolments=enrolments, codes=codes, custom_forms=custom_forms),
        "enrol_form": bound.get("enrol_form") or forms.EnrolForm(programs=open_programs),
        "schedule_form": bound.get("schedule_form")
        or forms.ScheduleForm(enrolments=enrolments, codes=codes, custom_forms=custom_forms),
        "has_programs": bool(open_programs),
        "has_measures": bool(codes or custom_forms),
        "is_admin": is_org_admin(request.user, organization),
        "alerts": SafetyAlert.objects.filter(
            organization=organization,
            check_in__person_id=record.id,
            acknowledged_at__isnull=True,
        ).count(),
    }
    return render(request, "outcomes/staff/person.html", context, status=status)


@staff_page
def person_check_ins(request, slug, person_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    return _render_person(request, organization, record)


def _enrolment_of(organization, person_id, enrolment_id) -> Enrolment | None:
    return (
        Enrolment.objects.select_related("program__organization")
        .filter(
            pk=enrolment_id,
            person_id=person_id,
            program__organization=organization,
            ended_at__isnull=True,
        )
        .first()
    )


@staff_page
@require_POST
def person_enrol(request, slug, person_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    enrolled = Enrolment.objects.filter(person_id=record.id, ended_at__isnull=True).values_list(
        "program_id", flat=True
    )
    choices = Program.objects.filter(organization=organization, is_active=True).exclude(
        pk__in=enrolled
    )
    form = forms.EnrolForm(request.POST, programs=choices)
    if form.is_valid():
        program = choices.get(pk=form.cleaned_data["program"])
        services.enrolment_start(actor=request.user, program=program, person_id=record.id)
        messages.success(
            request, _("They are enrolled in %(program)s.") % {"program": program.name}
        )
        return redirect(_checkins_url(organization, record.id))
    return _render_person(request, organization, record, enrol_form=form, status=400)


@staff_page
@require_POST
def person_schedule(request, slug, person_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    enrolments = _enrolments(organization, record.id)
    form = forms.ScheduleForm(
        request.POST,
        enrolments=enrolments,
        codes=enabled_codes(organization),
        custom_forms=selectors.check_in_forms(organization),
    )
    if form.is_valid():
        enrolment = next(e for e in enrolments if str(e.pk) == form.cleaned_data["enrolment"])
        instrument, custom_form = form.measure()
        try:
            services.schedule_set(
                actor=request.user,
                enrolment=enrolment,
                every_days=form.cleaned_data["every_weeks"] * DAYS_PER_WEEK,
                instrument=instrument,
                form=custom_form,
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"every_days": "every_weeks"})
        else:
            messages.success(request, _("The check-in schedule is set."))
            return redirect(_checkins_url(organization, record.id))
    return _render_person(request, organization, record, schedule_form=form, status=400)


@staff_page
@require_POST
def person_start(request, slug, person_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    enrolments = _enrolments(organization, record.id)
    form = forms.StartCheckInForm(
        request.POST,
        enrolments=enrolments,
        codes=enabled_codes(organization),
        custom_forms=selectors.check_in_forms(organization),
    )
    if form.is_valid():
        enrolment = next(e for e in enrolments if str(e.pk) == form.cleaned_data["enrolment"])
        instrument, custom_form = form.measure()
        try:
            check_in = services.checkin_start_by_staff(
                actor=request.user, enrolment=enrolment, instrument=instrument, form=custom_form
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("outcomes:questionnaire", organization.slug, record.id, check_in.pk)
    return _render_person(request, organization, record, start_form=form, status=400)


def _check_in_of(organization, record, check_in_id) -> CheckIn:
    check_in = (
        CheckIn.objects.select_related("enrolment__program", "form")
        .filter(
            pk=check_in_id,
            person_id=record.id,
            enrolment__program__organization=organization,
        )
        .first()
    )
    if check_in is None:
        raise Http404
    return check_in


@staff_page
def questionnaire(request, slug, person_id, check_in_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    check_in = _check_in_of(organization, record, check_in_id)
    if check_in.status != CheckIn.Status.OPEN:
        return redirect(_checkins_url(organization, record.id))
    if check_in.form_id is not None:
        return _form_questionnaire(request, organization, record, check_in)
    instrument = instruments.get(check_in.instrument)
    form = forms.QuestionnaireForm(posted(request), instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_complete(
                check_in_id=check_in.pk, answers=form.answers(), actor=request.user
            )
        except instruments.InvalidAnswers as invalid:
            form.add_answer_errors(invalid, get_language() or "en")
        else:
            if SafetyAlert.objects.filter(check_in=check_in).exists():
                return redirect("outcomes:safety", organization.slug, record.id, check_in.pk)
            messages.success(request, _("The check-in is saved."))
            return redirect("outcomes:progress", organization.slug, record.id)
    # Answers that called for the safety pathway raise the alert at once, even when another
    # answer still needs correcting: then the contacts are shown with the questions.
    safety = SafetyAlert.objects.filter(check_in=check_in).exists()
    return render(
        request,
        "outcomes/staff/questionnaire.html",
        {
            "organization": organization,
            "record": record,
            "check_in": check_in,
            "instrument": instrument,
            "name": instrument.name.in_language(get_language() or "en"),
            "instructions": instrument.instructions.in_language(get_language() or "en"),
            "form": form,
            "safety": safety,
            "contacts": crisis_contacts(organization) if safety else [],
        },
        status=400 if form.errors else 200,
    )


def _form_questionnaire(request, organization, record, check_in):
    """A custom-form check-in: relevance applied on the server after each submit, every
    question skippable; saved once a submit shows nothing new and nothing wrong."""
    step = form_step(request, check_in)
    if step.complete:
        try:
            services.checkin_complete(
                check_in_id=check_in.pk,
                answers=step.answers,
                actor=request.user,
                language=step.page.language or None,
            )
        except services.InvalidFormAnswers:
            pass  # answers changed between the page's check and the save: show them again
        else:
            messages.success(request, _("The check-in is saved."))
            return redirect(_checkins_url(organization, record.id))
    return render(
        request,
        "outcomes/staff/form_questionnaire.html",
        {
            "organization": organization,
            "record": record,
            "check_in": check_in,
            "page": step.page,
            "more": request.method == "POST" and not step.page.errors,
        },
        status=400 if step.page.errors else 200,
    )


@staff_page
def safety(request, slug, person_id, check_in_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    check_in = _check_in_of(organization, record, check_in_id)
    alert = SafetyAlert.objects.filter(check_in=check_in, organization=organization).first()
    if alert is None:
        raise Http404
    return render(
        request,
        "outcomes/staff/safety.html",
        {
            "organization": organization,
            "record": record,
            "alert": alert,
            "contacts": crisis_contacts(organization),
        },
    )


@staff_page
def person_progress(request, slug, person_id):
    organization = _organization(slug)
    record = _open(request, organization, person_id)
    rows = services.check_ins_of(record)
    return render(
        request,
        "outcomes/staff/progress.html",
        {
            "organization": organization,
            "record": record,
            "measures": progress(rows, own=False),
            "form_check_ins": form_history(rows),
        },
    )


# --- safety alerts -------------------------------------------------------------------------------


@staff_page
def safety_alerts(request, slug):
    organization = _staff_organization(request, slug)
    waiting = SafetyAlert.objects.filter(
        organization=organization, acknowledged_at__isnull=True
    ).select_related("check_in")
    recent = (
        SafetyAlert.objects.filter(organization=organization, acknowledged_at__isnull=False)
        .select_related("check_in", "acknowledged_by")
        .order_by("-acknowledged_at")[:10]
    )
    return render(
        request,
        "outcomes/staff/safety_alerts.html",
        {"organization": organization, "waiting": list(waiting), "recent": list(recent)},
    )


@staff_page
@require_POST
def safety_alert_acknowledge(request, slug, alert_id):
    organization = _staff_organization(request, slug)
    services.safety_alert_acknowledge(
        actor=request.user, organization=organization, alert_id=alert_id
    )
    messages.success(request, _("The safety follow-up is marked as seen."))
    return redirect("outcomes:safety-alerts", organization.slug)
