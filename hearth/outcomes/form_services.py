"""Custom forms and the standards self-assessment: uploading an XLSForm, showing any form as a
page, the organization's self-assessment with its profile and action plan, and the network's
aggregate of them.

Showing a form works without JavaScript. The server applies relevance after each submit: the
page holds every question relevant to the answers given so far, plus a hidden list of the
questions it showed (`SHOWN_FIELD`). On "Continue", `form_continue()` evaluates the posted
answers with the form engine: questions that have just become relevant are added to the page
(without errors, since the person has not seen them yet), questions that stopped being relevant
disappear with their answers, and errors are reported only for questions the person saw. The
form is complete when a submit shows no new question and has no error. Any page that renders a
form (the preview here, check-ins) uses `form_page()` and the template
`outcomes/forms/_render_form.html`, inside its own `<form>` with its own buttons.

The self-assessment is an XLSForm too (the shipped SAMHSA six principles,
`data/samhsa_self_assessment.xlsx`, loaded once as a form every organization uses): each
top-level group is a principle; the group's calculation named `<group>_score` is the
principle's score and its text questions are the action plan. An organization's assessments
are organizational data, not personal data; the network sees only the mean of its
organizations' latest profiles, and only when enough organizations contributed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hearth.accounts.models import Membership, Network, Organization, Role
from hearth.core import audit
from hearth.core.suppression import threshold as suppression_threshold

from . import form_engine
from .expressions import format_number
from .models import CustomForm, SelfAssessment
from .xlsform import MAX_FILE_BYTES, FieldType, Form, XLSFormError, XLSFormErrors, parse_xlsform

SELF_ASSESSMENT_SOURCE = Path(__file__).with_name("data") / "samhsa_self_assessment.xlsx"
SELF_ASSESSMENT_FORM_ID = "samhsa_self_assessment"
# The hidden input listing the questions a page showed. A colon cannot appear in an XLSForm
# name, so it never collides with a question.
SHOWN_FIELD = "hearth:shown"
SELF_ASSESSMENT_ROLES = (Role.ADMIN, Role.PRACTITIONER)
# Hints Hearth adds when the form gives none, in the person's language.
DEFAULT_HINTS = {
    "date": gettext_lazy("Year-month-day, for example 2025-03-31"),
    "checkboxes": gettext_lazy("Choose all that apply, or none."),
}


# --- who may do what -------------------------------------------------------------------------


def _is_admin(user, organization: Organization) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(
            user=user, organization=organization, role=Role.ADMIN
        ).exists()
    )


def _assesses(user, organization: Organization) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(
            user=user, organization=organization, role__in=SELF_ASSESSMENT_ROLES
        ).exists()
    )


def organization_for_form_admin(user, slug: str) -> Organization:
    """The organization in the address, if the user is one of its admins; otherwise not found,
    the same answer as for an organization that does not exist."""
    organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if organization is None or not _is_admin(user, organization):
        raise Http404
    return organization


def organization_for_self_assessment(user, slug: str) -> Organization:
    """The organization in the address, if the user is one of its admins or practitioners."""
    organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if organization is None or not _assesses(user, organization):
        raise Http404
    return organization


# --- uploading forms -------------------------------------------------------------------------


def _refusal(code: str, message: str) -> XLSFormErrors:
    return XLSFormErrors(
        [XLSFormError(sheet=None, row=None, column=None, header=None, code=code, message=message)]
    )


def custom_form_upload(
    *, actor, organization: Organization, file, use: str = CustomForm.Use.CHECK_IN
) -> CustomForm:
    """Check an uploaded XLSForm and keep its definition for the organization.

    Raises `XLSFormErrors` listing every problem (sheet, row, column, message) and saves
    nothing when the file is not a usable form: too large, not an `.xlsx` workbook, or a
    workbook with errors. Only the organization's admins may upload."""
    if not _is_admin(actor, organization):
        raise Http404
    if use not in CustomForm.Use.values:
        raise _refusal("use", _("Choose what the form is for."))
    name = Path(getattr(file, "name", "") or "").name
    size = getattr(file, "size", None)
    if not name.lower().endswith(".xlsx"):
        raise _refusal(
            "file-type", _("Upload the form as an Excel workbook (a file ending in .xlsx).")
        )
    if size is not None and size > MAX_FILE_BYTES:
        raise _refusal(
            "file-size",
            _("The file is larger than %(limit)s MB. Forms are much smaller than that.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
        )
    data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _refusal(
            "file-size",
            _("The file is larger than %(limit)s MB. Forms are much smaller than that.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
        )
    form = parse_xlsform(data)  # raises XLSFormErrors with every problem
    with transaction.atomic():
        custom_form = CustomForm.objects.create(
            organization=organization,
            use=use,
            title=(form.title or form.form_id)[:200],
            form_id=form.form_id[:100],
            version=(form.version or "")[:50],
            definition=form.to_dict(),
            source_name=name[:200],
            uploaded_by=actor,
        )
        audit.record(
            actor=actor,
            action="hearth.outcomes.form.uploaded",
            target=custom_form,
            organization=organization,
            detail={"form_id": custom_form.form_id, "version": custom_form.version, "use": use},
        )
    return custom_form


def forms_of(organization: Organization) -> QuerySet[CustomForm]:
    """The organization's own uploaded forms, newest first."""
    return CustomForm.objects.filter(organization=organization).order_by("-uploaded_at")


def form_of(organization: Organization, form_id) -> CustomForm:
    """One of the organization's forms, or the shared self-assessment; otherwise not found."""
    custom_form = (
        CustomForm.objects.filter(pk=form_id, organization=organization).first()
        or CustomForm.objects.filter(
            pk=form_id, organization__isnull=True, use=CustomForm.Use.SELF_ASSESSMENT
        ).first()
    )
    if custom_form is None:
        raise Http404
    return custom_form


def definition(custom_form: CustomForm) -> Form:
    return Form.from_dict(custom_form.definition)


# --- showing a form as a page ----------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    id: str
    selected: bool


@dataclass
class Item:
    """One thing on a form page: a group (a fieldset with its children), a note or a question."""

    name: str
    kind: str  # group, note, text, textarea, integer, decimal, date, radios, checkboxes
    id: str
    label: str
    hint: str = ""
    error: str = ""
    value: str = ""
    options: list[Option] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """Where the error summary links: the input, or the first option of a choice."""
        return self.options[0].id if self.options else self.id

    @property
    def described_by(self) -> str:
        parts = []
        if self.hint:
            parts.append(f"{self.id}-hint")
        if self.error:
            parts.append(f"{self.id}-error")
        return " ".join(parts)


@dataclass
class FormPage:
    title: str
    language: str
    items: list[Item]
    errors: list[Item]  # questions with an error, in order, for the error summary
    shown: list[str]  # every question on the page, for SHOWN_FIELD
    shown_field: str = SHOWN_FIELD


def _html_id(name: str) -> str:
    return f"q-{name}"


def _posted(data: Any, name: str, multiple: bool) -> list[str]:
    if data is None:
        return []
    getlist = getattr(data, "getlist", None)
    if callable(getlist):
        values = getlist(name)
    else:
        raw = data.get(name) if isinstance(data, Mapping) else None
        if raw is None:
            values = []
        elif isinstance(raw, list | tuple | set | frozenset):
            values = list(raw)
        else:
            values = [raw]
    texts = []
    for value in values:
        if isinstance(value, date):
            texts.append(value.isoformat())
        elif isinstance(value, bool):
            texts.append("true" if value else "false")
        elif isinstance(value, float):
            texts.append(format_number(value))
        else:
            texts.append(str(value))
    if multiple:
        return [part for text in texts for part in text.split()]
    return texts[-1:] if texts else []


def _kind(item) -> str:
    if item.type == FieldType.GROUP:
        return "group"
    if item.type == FieldType.NOTE:
        return "note"
    if item.type == FieldType.SELECT_ONE:
        return "radios"
    if item.type == FieldType.SELECT_MULTIPLE:
        return "checkboxes"
    if item.type == FieldType.TEXT and "multiline" in (item.appearance or "").split():
        return "textarea"
    return str(item.type)


def form_page(
    form: Form,
    *,
    data: Any = None,
    language: str | None = None,
    show_errors: Iterable[str] | bool = False,
    today: date | None = None,
    skippable: bool = False,
) -> FormPage:
    """What `outcomes/forms/_render_form.html` shows: the questions relevant to `data` (posted
    strings or stored answers), with labels, hints and choices in the person's language, each
    `${name}` in a text replaced by that answer, and the engine's error for each question named
    in `show_errors` (True: every question). With `skippable` (check-ins), no question is
    required."""
    data = data if data is not None else {}
    evaluation = form_engine.evaluate(
        form, data, language=language, today=today, skippable=skippable
    )
    wanted: set[str] | None
    if show_errors is True:
        wanted = None
    elif show_errors is False:
        wanted = set()
    else:
        wanted = set(show_errors)
    values = evaluation.values
    code = form.language_code(language)
    errors: list[Item] = []
    shown: list[str] = []
    with translation.override(language) if language else nullcontext():
        default_hints = {kind: str(hint) for kind, hint in DEFAULT_HINTS.items()}

    def text(texts: Mapping[str, str]) -> str:
        return form_engine.render_text(form, texts, language, values)

    def build(group: str | None) -> list[Item]:
        items = []
        for source in form.children(group):
            if source.name not in evaluation.relevant or source.type == FieldType.CALCULATE:
                continue
            kind = _kind(source)
            item = Item(
                name=source.name,
                kind=kind,
                id=_html_id(source.name),
                label=text(source.label) or source.name,
                hint=text(source.hint) or default_hints.get(kind, ""),
            )
            if kind == "group":
                item.children = build(source.name)
                items.append(item)
                continue
            if kind == "note":
                items.append(item)
                continue
            shown.append(source.name)
            given = _posted(data, source.name, kind == "checkboxes")
            if kind in ("radios", "checkboxes"):
                item.options = [
                    Option(
                        value=choice.name,
                        label=form.text(choice.label, language) or choice.name,
                        id=f"{item.id}-{index}",
                        selected=choice.name in given,
                    )
                    for index, choice in enumerate(
                        evaluation.choices.get(source.name, source.choices), start=1
                    )
                ]
            else:
                item.value = given[0] if given else ""
            error = evaluation.errors.get(source.name)
            if error is not None and (wanted is None or source.name in wanted):
                item.error = error.message
                errors.append(item)
            items.append(item)
        return items

    items = build(None)
    return FormPage(title=form.title, language=code or "", items=items, errors=errors, shown=shown)


@dataclass(frozen=True)
class Step:
    """The outcome of one submit of a form page."""

    page: FormPage
    complete: bool
    answers: dict[str, Any]  # the cleaned answers (shown questions and calculations)


def form_continue(
    form: Form,
    data: Any,
    *,
    language: str | None = None,
    today: date | None = None,
    skippable: bool = False,
) -> Step:
    """Apply one submit: show newly relevant questions, report errors on the questions the
    person saw, and say whether the form is complete (nothing new to show, nothing wrong).
    With `skippable` (check-ins), no question is required."""
    getlist = getattr(data, "getlist", None)
    seen = set(getlist(SHOWN_FIELD) if callable(getlist) else (data or {}).get(SHOWN_FIELD, []))
    evaluation = form_engine.evaluate(
        form, data, language=language, today=today, skippable=skippable
    )
    visible = {
        item.name for item in form.fields if item.is_input and item.name in evaluation.relevant
    }
    complete = visible <= seen and not evaluation.errors
    page = form_page(
        form, data=data, language=language, show_errors=seen, today=today, skippable=skippable
    )
    return Step(page=page, complete=complete, answers=dict(evaluation.values))


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str  # as a person reads it; "" when skipped
    skipped: bool


def answer_summary(form: Form, answers: Mapping[str, Any], language: str | None) -> list[AnswerRow]:
    """A kept check-in's answers as a person reads them: every question shown for these answers,
    in the form's order, with the skipped ones marked. Notes, groups and calculations are left
    out (calculations are worked out again from the answers, not asked)."""
    evaluation = form_engine.evaluate(form, answers, language=language, skippable=True)
    rows = []
    for item in form.fields:
        if not item.is_input or item.name not in evaluation.relevant:
            continue
        value = evaluation.values.get(item.name)
        rows.append(
            AnswerRow(
                label=form_engine.render_text(form, item.label, language, evaluation.values)
                or item.name,
                value=form_engine.display_value(form, item, value, language),
                skipped=value is None,
            )
        )
    return rows


def jsonable_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Typed answers as JSON: dates as ISO text, several choices as a list."""
    result: dict[str, Any] = {}
    for name, value in answers.items():
        if isinstance(value, date):
            result[name] = value.isoformat()
        elif isinstance(value, tuple):
            result[name] = list(value)
        else:
            result[name] = value
    return result


# --- the standards self-assessment -----------------------------------------------------------


def self_assessment_form() -> CustomForm:
    """The shared self-assessment form (SAMHSA's six principles), loaded from the shipped
    XLSForm the first time anyone needs it."""
    existing = (
        CustomForm.objects.filter(
            organization__isnull=True,
            use=CustomForm.Use.SELF_ASSESSMENT,
            form_id=SELF_ASSESSMENT_FORM_ID,
            is_active=True,
        )
        .order_by("uploaded_at")
        .first()
    )
    if existing is not None:
        return existing
    form = parse_xlsform(SELF_ASSESSMENT_SOURCE.read_bytes())
    with transaction.atomic():
        # Checked again inside the transaction: two first visitors at once make one form.
        existing = (
            CustomForm.objects.select_for_update()
            .filter(
                organization__isnull=True,
                use=CustomForm.Use.SELF_ASSESSMENT,
                form_id=SELF_ASSESSMENT_FORM_ID,
                is_active=True,
            )
            .order_by("uploaded_at")
            .first()
        )
        if existing is not None:
            return existing
        custom_form = CustomForm.objects.create(
            organization=None,
            use=CustomForm.Use.SELF_ASSESSMENT,
            title=form.title,
            form_id=form.form_id,
            version=form.version,
            definition=form.to_dict(),
            source_name=SELF_ASSESSMENT_SOURCE.name,
        )
        audit.record(
            actor=None,
            action="hearth.outcomes.form.uploaded",
            target=custom_form,
            detail={"form_id": form.form_id, "version": form.version, "use": "self_assessment"},
        )
    return custom_form


@dataclass(frozen=True)
class Principle:
    name: str
    label: str
    score_field: str | None
    plan_fields: tuple[str, ...]


def principles(form: Form, language: str | None = None) -> list[Principle]:
    """The principles a self-assessment form rates: its top-level groups, each with its score
    (the calculation `<group>_score`) and its action-plan questions (its text questions)."""
    found = []
    for group in form.children(None):
        if group.type != FieldType.GROUP:
            continue
        inside = _descendants(form, group.name)
        score = next(
            (
                item.name
                for item in inside
                if item.type == FieldType.CALCULATE and item.name == f"{group.name}_score"
            ),
            None,
        )
        plan = tuple(item.name for item in inside if item.type == FieldType.TEXT)
        found.append(
            Principle(
                name=group.name,
                label=form.text(group.label, language) or group.name,
                score_field=score,
                plan_fields=plan,
            )
        )
    return found


def _descendants(form: Form, group: str) -> list:
    found = []
    for item in form.children(group):
        found.append(item)
        if item.type == FieldType.GROUP:
            found.extend(_descendants(form, item.name))
    return found


def _profile(form: Form, answers: Mapping[str, Any]) -> dict[str, float | None]:
    profile: dict[str, float | None] = {}
    for principle in principles(form):
        if principle.score_field is None:
            continue
        value = answers.get(principle.score_field)
        profile[principle.name] = (
            round(float(value), 2)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else None
        )
    return profile


def self_assessment_submit(
    *,
    actor,
    organization: Organization,
    form: CustomForm,
    answers: Mapping[str, Any],
    language: str | None = None,
) -> SelfAssessment:
    """Record an organization's self-assessment: the answers are checked with the form engine
    (a `ValidationError` names each wrong answer and nothing is saved), the profile (score per
    principle) is computed from the form's own calculations; messages are in `language`.
    Admins and practitioners."""
    if not _assesses(actor, organization):
        raise Http404
    if form.use != CustomForm.Use.SELF_ASSESSMENT or form.organization_id not in (
        None,
        organization.pk,
    ):
        raise Http404
    definition_ = definition(form)
    evaluation = form_engine.evaluate(definition_, answers, language=language)
    if evaluation.errors:
        raise ValidationError({name: [error.message] for name, error in evaluation.errors.items()})
    cleaned = jsonable_answers(evaluation.values)
    with transaction.atomic():
        assessment = SelfAssessment.objects.create(
            organization=organization,
            form=form,
            answers=cleaned,
            profile=_profile(definition_, evaluation.values),
            submitted_by=actor,
        )
        audit.record(
            actor=actor,
            action="hearth.outcomes.selfassessment.submitted",
            target=assessment,
            organization=organization,
            detail={"form_id": form.form_id, "version": form.version},
        )
    return assessment


def self_assessments_of(organization: Organization) -> QuerySet[SelfAssessment]:
    """The organization's self-assessments, oldest first (a profile over time)."""
    return (
        SelfAssessment.objects.filter(organization=organization)
        .select_related("form", "submitted_by")
        .order_by("submitted_at")
    )


@dataclass(frozen=True)
class PlanEntry:
    principle: str
    texts: tuple[str, ...]


def action_plan(assessment: SelfAssessment, language: str | None = None) -> list[PlanEntry]:
    """What the organization said it will do next, principle by principle (free text from the
    form's text questions), in the form's order."""
    form = definition(assessment.form)
    plan = []
    for principle in principles(form, language):
        texts = tuple(
            str(assessment.answers[name]).strip()
            for name in principle.plan_fields
            if str(assessment.answers.get(name) or "").strip()
        )
        if texts:
            plan.append(PlanEntry(principle=principle.label, texts=texts))
    return plan


@dataclass(frozen=True)
class NetworkProfile:
    """The mean of the latest profile of each organization that contributed, per principle;
    `means` is None when fewer organizations than the suppression threshold contributed."""

    organizations: int | None  # None when below the threshold
    means: list[tuple[str, float | None]] | None
    threshold: int


def network_self_assessment(network: Network, language: str | None = None) -> NetworkProfile:
    """Coordinators see their network's standards profile only as an aggregate, and only when
    enough organizations contributed that no single organization's ratings can be read from it:
    the latest self-assessment of each member organization, averaged per principle."""
    limit = suppression_threshold()
    form = self_assessment_form()
    latest: dict[Any, SelfAssessment] = {}
    for assessment in (
        SelfAssessment.objects.filter(
            organization__network_memberships__network=network,
            form__use=CustomForm.Use.SELF_ASSESSMENT,
        )
        .only("organization_id", "profile", "submitted_at", "form_id")
        .order_by("organization_id", "-submitted_at")
    ):
        latest.setdefault(assessment.organization_id, assessment)
    contributed = len(latest)
    if contributed < limit:
        return NetworkProfile(organizations=None, means=None, threshold=limit)
    means = []
    for principle in principles(definition(form), language):
        values = [
            float(assessment.profile[principle.name])
            for assessment in latest.values()
            if isinstance(assessment.profile.get(principle.name), int | float)
        ]
        means.append(
            (
                principle.label,
                round(sum(values) / len(values), 2) if len(values) >= limit else None,
            )
        )
    return NetworkProfile(organizations=contributed, means=means, threshold=limit)
