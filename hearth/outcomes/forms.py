"""Forms of the check-in pages: programs, enrolling, schedules, offering a check-in, and the
questionnaire itself.

The questionnaire takes whatever was posted for each question and leaves judging it to the
instrument library (through `services.checkin_complete`), so a tampered or mistyped answer gets
the library's own message, in the reader's language, on that question. Every question may be
left unanswered."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.core.forms import HearthForm

from . import instruments
from .models import Program

MAX_WEEKS = 52
# A custom form among the measures: "form:<id>" (an instrument code never has a colon).
FORM_CHOICE = "form:"


class ProgramForm(HearthForm):
    name = forms.CharField(
        label=_("Name of the program"),
        max_length=200,
        error_messages={"required": _("Give the program a name.")},
    )
    description = forms.CharField(
        label=_("What the program offers (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    privacy_budget = forms.FloatField(
        label=_("Privacy budget for differentially private releases (epsilon, in all)"),
        help_text=_(
            "The most that all noisy releases of this program's reports may spend together. "
            "Each release spends 0.5, 1 or 2; once the budget is spent no new release is made."
        ),
        initial=10,
        required=False,  # left empty: the default, 10
        min_value=Program.PRIVACY_BUDGET_RANGE[0],
        max_value=Program.PRIVACY_BUDGET_RANGE[1],
        error_messages={
            "invalid": _("Give the privacy budget as a number, for example 10."),
            "min_value": _("Give a privacy budget of at least %(limit_value)s."),
            "max_value": _("Give a privacy budget of at most %(limit_value)s."),
        },
    )


class EnrolForm(HearthForm):
    prefix = "enrol"
    program = forms.ChoiceField(
        label=_("Program"), error_messages={"required": _("Choose a program.")}
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(str(p.pk), p.name) for p in programs]


def _measure_choices(codes, custom_forms=()) -> list[tuple[str, str]]:
    return [(code, str(instruments.get(code).name)) for code in codes] + [
        (f"{FORM_CHOICE}{custom_form.pk}", custom_form.title) for custom_form in custom_forms
    ]


class MeasureChoice:
    """A form whose `instrument` field offers the organization's instruments and its custom
    check-in forms; `measure()` says which was chosen."""

    def _set_measures(self, codes, custom_forms) -> None:
        self.custom_forms = {str(custom_form.pk): custom_form for custom_form in custom_forms}
        self.fields["instrument"].choices = _measure_choices(codes, custom_forms)

    def measure(self):
        """(instrument code, "") or ("", the custom form) for the valid choice."""
        chosen = self.cleaned_data["instrument"]
        if chosen.startswith(FORM_CHOICE):
            return "", self.custom_forms[chosen.removeprefix(FORM_CHOICE)]
        return chosen, None


class ScheduleForm(MeasureChoice, HearthForm):
    prefix = "schedule"
    enrolment = forms.ChoiceField(
        label=_("Program"), error_messages={"required": _("Choose a program.")}
    )
    instrument = forms.ChoiceField(
        label=_("Measure"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a measure.")},
    )
    every_weeks = forms.IntegerField(
        label=_("Every how many weeks"),
        help_text=_("For example, 4 for a check-in every four weeks."),
        min_value=1,
        max_value=MAX_WEEKS,
        error_messages={
            "required": _("Say every how many weeks, from 1 to 52."),
            "invalid": _("Say every how many weeks as a whole number, from 1 to 52."),
            "min_value": _("Say every how many weeks, from 1 to 52."),
            "max_value": _("Say every how many weeks, from 1 to 52."),
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )

    def __init__(self, *args, enrolments=(), codes=(), custom_forms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [(str(e.pk), e.program.name) for e in enrolments]
        self._set_measures(codes, custom_forms)


class StartCheckInForm(MeasureChoice, HearthForm):
    """Staff offer a check-in within one of the person's enrolments."""

    prefix = "start"

    enrolment = forms.ChoiceField(
        label=_("Program"), error_messages={"required": _("Choose a program.")}
    )
    instrument = forms.ChoiceField(
        label=_("Measure"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a measure.")},
    )

    def __init__(self, *args, enrolments=(), codes=(), custom_forms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [(str(e.pk), e.program.name) for e in enrolments]
        self._set_measures(codes, custom_forms)


class PersonStartForm(MeasureChoice, HearthForm):
    """The person starts a check-in themselves (the enrolment is in the address)."""

    instrument = forms.ChoiceField(
        label=_("Which check-in"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a check-in.")},
    )

    def __init__(self, *args, codes=(), custom_forms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_measures(codes, custom_forms)


class AnswerField(forms.CharField):
    """One question: radios for the instrument's response options, and nothing required. What
    was posted is kept as it came, to be judged by the instrument."""

    def __init__(self, *, item: instruments.Item, options, **kwargs):
        self.item = item
        super().__init__(
            required=False,
            label=item.text.in_language(),
            widget=forms.RadioSelect(choices=options),
            **kwargs,
        )


class QuestionnaireForm(HearthForm):
    def __init__(self, *args, instrument: instruments.Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        options = [(str(option.value), option.label.in_language()) for option in instrument.options]
        for item in instrument.items:
            self.fields[item.id] = AnswerField(item=item, options=options)

    def answers(self) -> dict:
        """`{item_id: answer}` for the questions answered: whole numbers as numbers, anything
        else as posted (the instrument refuses it by name). Unanswered questions are left out."""
        given = {}
        for item_id in self.instrument.item_ids:
            raw = (self.cleaned_data.get(item_id) or "").strip()
            if not raw:
                continue
            try:
                given[item_id] = int(raw)
            except ValueError:
                given[item_id] = raw
        return given

    def add_answer_errors(self, invalid: instruments.InvalidAnswers, language: str) -> None:
        for item_id, message in invalid.messages(language).items():
            self.add_error(item_id if item_id in self.fields else None, message)

    def questions(self):
        """(number, bound field) for each question, in the instrument's order."""
        return [(item.number, self[item.id]) for item in self.instrument.items]
