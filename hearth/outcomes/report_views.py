"""Pages for custom forms (upload, list, preview), program reports, the standards
self-assessment (the organization's and the network's) and the public impact page with its
DHIS2 export. Thin: parse, ask a selector or call a service, render.

Every figure shown here has passed suppression (`hearth.core.suppression`) in the selectors; a
template never computes a count. Pages for one organization answer "not found" to anyone who is
not one of its admins (or, for the self-assessment, its admins and practitioners), exactly as
for an organization that does not exist."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hearth.accounts.models import Organization
from hearth.accounts.selectors import network_for_coordinator
from hearth.core.forms import HearthForm
from hearth.core.suppression import Table, threshold

from . import form_engine, form_services, impact
from .models import CustomForm
from .xlsform import MAX_FILE_BYTES, FieldType, Form, XLSFormErrors

REPORT_DAYS = 365
CHANGE_LABELS = {
    "improved": gettext_lazy("Improved meaningfully"),
    "unchanged": gettext_lazy("No meaningful change"),
    "deteriorated": gettext_lazy("Deteriorated meaningfully"),
}


def _table(table: Table, labels: dict) -> dict:
    """A suppressed one-column table as rows for `outcomes/reports/_counts_table.html`. A hidden
    cell says why: it is small ("fewer than N"), or it is hidden so that a small one cannot be
    worked out from the total."""
    limit = threshold()

    def reason(raw: int) -> str:
        return "small" if 0 < raw < limit else "complement"

    return {
        "rows": [
            {
                "label": labels.get(row["label"], row["label"]),
                "value": row["values"][0],
                "reason": reason(table.cells[index][0]) if row["values"][0] is None else "",
            }
            for index, row in enumerate(table.as_rows())
        ],
        "total": table.grand_total(),
        "total_reason": "small" if table.grand_total() is None else "",
        "has_hidden": bool(table.hidden),
    }


# --- custom forms ----------------------------------------------------------------------------


class UploadForm(HearthForm):
    file = forms.FileField(
        label=gettext_lazy("XLSForm file"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) with a survey sheet"),
        error_messages={
            "required": gettext_lazy("Choose an .xlsx file to upload"),
            "empty": gettext_lazy("The file you chose is empty"),
            "invalid": gettext_lazy("Choose an .xlsx file to upload"),
        },
    )
    use = forms.ChoiceField(
        label=gettext_lazy("What the form is for"),
        choices=CustomForm.Use.choices,
        initial=CustomForm.Use.CHECK_IN,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choose what the form is for")},
    )


@login_required
def forms_list(request, slug):
    organization = form_services.organization_for_form_admin(request.user, slug)
    upload = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems = []
    if request.method == "POST" and upload.is_valid():
        try:
            custom_form = form_services.custom_form_upload(
                actor=request.user,
                organization=organization,
                file=upload.cleaned_data["file"],
                use=upload.cleaned_data["use"],
            )
        except XLSFormErrors as refused:
            problems = refused.errors
        else:
            messages.success(
                request,
                _("“%(title)s” was uploaded. This is how people will see it.")
                % {"title": custom_form.title},
            )
            return redirect("outcome_reports:form-preview", organization.slug, custom_form.pk)
    return render(
        request,
        "outcomes/reports/forms.html",
        {
            "organization": organization,
            "upload": upload,
            "problems": problems,
            "custom_forms": form_services.forms_of(organization).select_related("uploaded_by"),
            "self_assessment_form": form_services.self_assessment_form(),
            "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
        },
        status=400 if problems else 200,
    )


def _preview_language(request, definition: Form) -> str:
    """The language to preview in: `?language=` when the form has it, else the page's."""
    wanted = request.GET.get("language", "")
    codes = {language.code for language in definition.languages if language.code}
    if wanted in codes:
        return wanted
    return definition.language_code(get_language()) or get_language()


def _summary(definition: Form, answers: dict, language: str) -> list[tuple[str, str]]:
    """The answers a completed form would keep, as a person reads them."""
    rows = []
    for item in definition.fields:
        if item.name not in answers or item.type == FieldType.GROUP:
            continue
        label = form_engine.render_text(definition, item.label, language, answers) or item.name
        rows.append(
            (label, form_engine.display_value(definition, item, answers[item.name], language))
        )
    return rows


@login_required
def form_preview(request, slug, form_id):
    organization = form_services.organization_for_form_admin(request.user, slug)
    custom_form = form_services.form_of(organization, form_id)
    definition = form_services.definition(custom_form)
    language = _preview_language(request, definition)
    # A check-in form is previewed as people meet it: no question required (see form_engine).
    skippable = custom_form.use == CustomForm.Use.CHECK_IN
    complete = False
    summary: list[tuple[str, str]] = []
    if request.method == "POST":
        step = form_services.form_continue(
            definition, request.POST, language=language, skippable=skippable
        )
        page = step.page
        complete = step.complete
        if complete:
            summary = _summary(definition, step.answers, language)
    else:
        page = form_services.form_page(definition, language=language, skippable=skippable)
    return render(
        request,
        "outcomes/reports/form_preview.html",
        {
            "organization": organization,
            "custom_form": custom_form,
            "definition": definition,
            "page": page,
            "language": language,
            "languages": [item for item in definition.languages if item.code],
            "complete": complete,
            "summary": summary,
            "required_not_enforced": (
                sum(1 for item in definition.fields if item.required or item.required_if)
                if skippable
                else 0
            ),
        },
    )


# --- program reports -------------------------------------------------------------------------


class ReportForm(HearthForm):
    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        help_text=gettext_lazy("For example 2025-01-31"),
        error_messages={"invalid": gettext_lazy("Enter a date as year-month-day")},
    )
    until = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        help_text=gettext_lazy("For example 2025-12-31"),
        error_messages={"invalid": gettext_lazy("Enter a date as year-month-day")},
    )
    release = forms.ChoiceField(
        label=gettext_lazy("Figures"),
        required=False,
        choices=[
            ("", gettext_lazy("Exact figures with small numbers hidden")),
            ("noisy", gettext_lazy("Also a differentially private release (noisy counts)")),
        ],
        widget=forms.RadioSelect,
    )
    epsilon = forms.ChoiceField(
        label=gettext_lazy("Privacy budget (epsilon) for each measure"),
        required=False,
        choices=[(value, value) for value in impact.EPSILON_CHOICES],
        help_text=gettext_lazy("Smaller spends less privacy and adds more noise"),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period must be on or after its start"))
        return data


@login_required
@require_GET
def program_report(request, slug, program_id):
    organization, program = impact.program_for_admin(request.user, slug, program_id)
    dp_available = impact.differential_privacy_available()
    form = ReportForm(request.GET if request.GET else None)
    if not dp_available:
        # Without OpenDP the page simply offers no noisy release.
        del form.fields["release"], form.fields["epsilon"]
    today = timezone.localdate()
    valid = not form.is_bound or form.is_valid()
    data = form.cleaned_data if form.is_bound and valid else {}
    until_day = data.get("until") or today
    since_day = data.get("since") or until_day - timedelta(days=REPORT_DAYS)
    reports = []
    noisy_requested = dp_available and data.get("release") == "noisy"
    epsilon = float(data.get("epsilon") or impact.EPSILON_CHOICES[1])
    if valid:
        zone = timezone.get_current_timezone()
        since = datetime.combine(since_day, time.min, tzinfo=zone)
        until = datetime.combine(until_day + timedelta(days=1), time.min, tzinfo=zone)
        for report in impact.program_report_for(
            actor=request.user, organization=organization, program=program, since=since, until=until
        ):
            noisy = over_budget = None
            if noisy_requested:
                try:
                    noisy = impact.noisy_changes(
                        report,
                        program=program,
                        since=since_day,
                        until=until_day,
                        epsilon=epsilon,
                        actor=request.user,
                    )
                except impact.PrivacyBudgetSpent as refusal:
                    over_budget = refusal
            reports.append(
                {
                    "report": report,
                    "changes": _table(report.changes, CHANGE_LABELS),
                    "noisy": noisy,
                    "over_budget": over_budget,
                    "noisy_rows": (
                        list(zip(CHANGE_LABELS.values(), noisy.counts, strict=True))
                        if noisy
                        else None
                    ),
                }
            )
    return render(
        request,
        "outcomes/reports/program_report.html",
        {
            "organization": organization,
            "program": program,
            "form": form,
            "valid": valid,
            "since": since_day,
            "until": until_day,
            "reports": reports,
            "threshold": threshold(),
            "noisy_requested": noisy_requested,
            "dp_available": dp_available,
            "epsilon": epsilon,
            "budget_spent": impact.privacy_budget_spent(program) if noisy_requested else None,
        },
    )


# --- the standards self-assessment -----------------------------------------------------------


def _score(value) -> int | float | None:
    """A principle's score as people read it: 3, 3.5, 2.33 (never 3.0)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def _profile_chart(labels: list[str], values: list[float | None]) -> dict:
    return impact.bars(list(zip(labels, map(_score, values), strict=True)), largest=4)


@login_required
def self_assessment(request, slug):
    organization = form_services.organization_for_self_assessment(request.user, slug)
    custom_form = form_services.self_assessment_form()
    language = get_language()
    principles = [
        principle
        for principle in form_services.principles(form_services.definition(custom_form), language)
        if principle.score_field
    ]
    history = list(form_services.self_assessments_of(organization))
    rows = [
        {
            "assessment": assessment,
            "scores": [_score(assessment.profile.get(principle.name)) for principle in principles],
        }
        for assessment in history
    ]
    latest = history[-1] if history else None
    earlier_plans = [
        (assessment, form_services.action_plan(assessment, language))
        for assessment in reversed(history[:-1])
    ]
    return render(
        request,
        "outcomes/reports/self_assessment.html",
        {
            "organization": organization,
            "principles": principles,
            "rows": rows,
            "latest": latest,
            "chart": (
                _profile_chart(
                    [principle.label for principle in principles],
                    [latest.profile.get(principle.name) for principle in principles],
                )
                if latest
                else None
            ),
            "plan": form_services.action_plan(latest, language) if latest else [],
            "earlier_plans": [(item, plan) for item, plan in earlier_plans if plan],
        },
    )


@login_required
def self_assessment_new(request, slug):
    organization = form_services.organization_for_self_assessment(request.user, slug)
    custom_form = form_services.self_assessment_form()
    definition = form_services.definition(custom_form)
    language = get_language()
    if request.method == "POST":
        step = form_services.form_continue(definition, request.POST, language=language)
        if step.complete:
            try:
                form_services.self_assessment_submit(
                    actor=request.user,
                    organization=organization,
                    form=custom_form,
                    answers=request.POST,
                    language=language,
                )
            except ValidationError:  # pragma: no cover - a complete step has no errors
                pass
            else:
                messages.success(request, _("Your self-assessment was saved."))
                return redirect("outcome_reports:self-assessment", organization.slug)
        page = step.page
    else:
        page = form_services.form_page(definition, language=language)
    return render(
        request,
        "outcomes/reports/self_assessment_new.html",
        {"organization": organization, "custom_form": custom_form, "page": page},
    )


@login_required
def network_self_assessment(request, slug):
    network = network_for_coordinator(request.user, slug)
    profile = form_services.network_self_assessment(network, get_language())
    chart = None
    means = None
    if profile.means is not None:
        means = [(label, _score(value)) for label, value in profile.means]
        chart = _profile_chart(
            [str(label) for label, _value in profile.means],
            [value for _label, value in profile.means],
        )
    return render(
        request,
        "outcomes/reports/network_self_assessment.html",
        {"network": network, "profile": profile, "means": means, "chart": chart},
    )


# --- the public impact page ------------------------------------------------------------------


def _year(request, network) -> tuple[int, str]:
    years = impact.years_for(network)
    raw = request.GET.get("year", "")
    if not raw:
        return years[0], ""
    if raw.isdigit() and int(raw) in years:
        return int(raw), ""
    return years[0], _("Choose a year from %(first)s to %(last)s.") % {
        "first": years[-1],
        "last": years[0],
    }


@require_GET
def impact_page(request, network_slug):
    network = impact.network_for_public(network_slug)
    year, year_error = _year(request, network)
    figures = impact.network_impact(network, year=year)
    kind_labels = dict(Organization.Kind.choices)
    quarter_labels = {str(number): label for number, label in impact.QUARTERS}
    people = _table(figures.people_served, kind_labels)
    referrals = _table(figures.referrals_completed, quarter_labels)
    wellbeing = _table(figures.wellbeing, impact.WELLBEING_LABELS)
    return render(
        request,
        "outcomes/public/impact.html",
        {
            "network": network,
            "figures": figures,
            "years": impact.years_for(network),
            "year": year,
            "year_error": year_error,
            "threshold": figures.threshold,
            "people": people,
            "referrals": referrals,
            "wellbeing": wellbeing,
            "people_chart": impact.bars([(row["label"], row["value"]) for row in people["rows"]]),
            "referrals_chart": impact.bars(
                [(row["label"], row["value"]) for row in referrals["rows"]]
            ),
            "wellbeing_chart": impact.bars(
                [(row["label"], row["value"]) for row in wellbeing["rows"]]
            ),
        },
        status=400 if year_error else 200,
    )


def _open_data(response: HttpResponse) -> HttpResponse:
    """Open aggregate data: any site may read it, no key needed."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def impact_data_values_json(request, network_slug):
    network = impact.network_for_public(network_slug)
    year, year_error = _year(request, network)
    if year_error:
        return _open_data(
            HttpResponse(
                json.dumps({"error": year_error}),
                status=400,
                content_type="application/json",
            )
        )
    document = impact.data_value_set(impact.network_impact(network, year=year))
    return _open_data(
        HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False),
            content_type="application/json",
        )
    )


@require_GET
def impact_data_values_csv(request, network_slug):
    network = impact.network_for_public(network_slug)
    year, year_error = _year(request, network)
    if year_error:
        return _open_data(
            HttpResponse(year_error, status=400, content_type="text/plain; charset=utf-8")
        )
    response = HttpResponse(
        impact.data_value_set_csv(impact.network_impact(network, year=year)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{network.slug}-{year}-dataValueSets.csv"'
    )
    return _open_data(response)
