"""Forms of the participatory budgeting pages. They parse what was typed; the rules live in
`budget_services`, whose `ValidationError`s the views put back on the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.core.forms import HearthForm

from .models import BudgetProject, BudgetRound

AMOUNT_WIDGET = {"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}
NUMBER_WIDGET = {"class": "govuk-input--width-3", "inputmode": "numeric"}


def amount_field(label, help_text=None, required=True):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=20,
        widget=forms.TextInput(attrs=AMOUNT_WIDGET),
        error_messages={"required": _("Enter an amount.")},
    )


def count_field(label, help_text=None, required=True, initial=None, maximum=1000):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        initial=initial,
        min_value=0,
        max_value=maximum,
        widget=forms.TextInput(attrs=NUMBER_WIDGET),
        error_messages={
            "invalid": _("Enter a whole number."),
            "required": _("Enter a whole number."),
            "min_value": _("Enter 0 or more."),
            "max_value": _("Enter %(limit_value)s or less."),
        },
    )


class RoundForm(HearthForm):
    name = forms.CharField(
        label=_("Name of the round"),
        max_length=200,
        error_messages={"required": _("Enter a name for the round.")},
    )
    description = forms.CharField(
        label=_("What the money is for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    budget = amount_field(_("Budget"), _("The total the circle will fund, like 10000."))
    rule = forms.ChoiceField(
        label=_("How are the votes counted?"),
        choices=BudgetRound.Rule.choices,
        initial=BudgetRound.Rule.EQUAL_SHARES,
        widget=forms.RadioSelect,
        help_text=_(
            "Equal shares gives every voter an equal part of the budget to spend on the projects "
            "they approve, so groups of voters are funded in proportion to their size. Most "
            "approvals first funds the most popular projects that still fit."
        ),
    )
    min_projects = count_field(_("Fewest projects a ballot must approve"), initial=1)
    max_projects = count_field(
        _("Most projects a ballot may approve"), _("Leave empty for no maximum."), required=False
    )
    min_share_percent = count_field(
        _("Smallest share of the budget a ballot must cover, in percent"),
        _("0 means no minimum."),
        initial=0,
        maximum=100,
    )


class ProjectForm(HearthForm):
    name = forms.CharField(
        label=_("Name of the project"),
        max_length=200,
        error_messages={"required": _("Enter a name for the project.")},
    )
    description = forms.CharField(
        label=_("What it would do"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    cost = amount_field(_("Cost"), _("What the project needs, like 1500."))


class BallotForm(HearthForm):
    projects = forms.MultipleChoiceField(
        label=_("Which projects do you approve?"),
        help_text=_("Tick every project you would be glad to see funded."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [
            (project.code, f"{project.name} ({project.cost})") for project in projects
        ]


class OpenVotingForm(HearthForm):
    closes_at = forms.DateTimeField(
        label=_("Voting closes"),
        help_text=_("Optional. Leave empty to close the vote yourself."),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a real date and time.")},
    )


class ImportForm(HearthForm):
    file = forms.FileField(
        label=_("A .pb file"),
        help_text=_("A participatory budgeting file in the Pabulib format."),
        error_messages={"required": _("Choose a .pb file.")},
    )
    name = forms.CharField(
        label=_("Name of the round"),
        help_text=_("Optional: the file's description is used otherwise."),
        required=False,
        max_length=200,
    )

    def text(self) -> str | None:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            self.add_error("file", _("Choose a file of at most 20 MB."))
            return None
        raw = upload.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", _("The file is not UTF-8 text."))
            return None


class ProgressForm(HearthForm):
    accountability = forms.ChoiceField(
        label=_("Status"), choices=BudgetProject.Accountability.choices, widget=forms.RadioSelect
    )
    progress_percent = count_field(_("Progress, in percent"), maximum=100)
    body = forms.CharField(
        label=_("Update for the community"),
        help_text=_("Optional. Shown on the public page of funded projects."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
