"""Forms of the open books pages. They parse what was typed; the rules live in
`ledger_services`, whose `ValidationError`s the views put back on the field they name."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.core.forms import HearthForm

from .budget_forms import amount_field
from .models import Account

DATE_WIDGET = {"type": "date", "class": "govuk-input--width-10"}
MOVEMENT_LINES = 4


def date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter a date."),
            "invalid": _("Enter a real date, like 2026-07-31."),
        },
        **kwargs,
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class LedgerForm(HearthForm):
    name = forms.CharField(
        label=_("Name of the books"),
        max_length=200,
        error_messages={"required": _("Enter a name for the books.")},
    )
    place = forms.ChoiceField(label=_("Whose books are they?"), widget=forms.RadioSelect)
    currency = forms.CharField(
        label=_("Currency"),
        initial="USD",
        max_length=3,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3"}),
    )
    is_public = forms.BooleanField(
        label=_("Publish the books"),
        help_text=_(
            "Anyone with the link sees approved and paid expenses (amount, description, category "
            "and date) and the budget against actual figures. Never attachments, payment details "
            "or who submitted."
        ),
        required=False,
    )
    second_approval_above = amount_field(
        _("Expenses above this amount need a second approver"),
        _("Optional. Leave empty for one approver."),
        required=False,
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {value: place for value, _label, place in places}
        self.fields["place"].choices = [(value, label) for value, label, _place in places]

    def chosen_place(self):
        return self.places[self.cleaned_data["place"]]


class AccountForm(HearthForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": _("Enter a code for the account, like 5100.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Enter a name for the account.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Account.Kind.choices, widget=forms.RadioSelect
    )


class BudgetLineForm(HearthForm):
    account = AccountChoiceField(
        label=_("Account"),
        queryset=Account.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose an account.")},
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2200,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a year, like 2025.")},
    )
    amount = amount_field(_("Planned amount for the year"))

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, prefix="budget", **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["year"].initial = timezone.localdate().year


class MovementForm(HearthForm):
    on = date_field(_("Date"))
    description = forms.CharField(
        label=_("What was it?"),
        max_length=300,
        error_messages={"required": _("Say what the movement was.")},
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=100)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, MOVEMENT_LINES + 1):
            self.fields[f"account_{number}"] = AccountChoiceField(
                label=_("Line %(number)d: account") % {"number": number},
                queryset=accounts,
                required=False,
            )
            self.fields[f"debit_{number}"] = amount_field(
                _("Line %(number)d: debit") % {"number": number}, required=False
            )
            self.fields[f"credit_{number}"] = amount_field(
                _("Line %(number)d: credit") % {"number": number}, required=False
            )

    def lines(self):
        data = self.cleaned_data
        return [
            (data[f"account_{n}"], data[f"debit_{n}"] or 0, data[f"credit_{n}"] or 0)
            for n in range(1, MOVEMENT_LINES + 1)
            if data.get(f"account_{n}") or data.get(f"debit_{n}") or data.get(f"credit_{n}")
        ]


class ExpenseForm(HearthForm):
    account = AccountChoiceField(
        label=_("Expense account"),
        queryset=Account.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose an account.")},
    )
    amount = amount_field(_("Amount"))
    description = forms.CharField(
        label=_("What was the money spent on?"),
        max_length=300,
        error_messages={"required": _("Say what the money was spent on.")},
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=100)
    spent_on = date_field(_("Date of the expense"))
    payment_details = forms.CharField(
        label=_("Payment details"),
        help_text=_("Who to pay and how. Only members who can see the books read this."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachment = forms.FileField(
        label=_("Receipt or invoice"),
        help_text=_("Optional. Only members who can see the books can open it."),
        required=False,
    )

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts


class RejectForm(HearthForm):
    reason = forms.CharField(
        label=_("Why is it not approved?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PayForm(HearthForm):
    paid_from = AccountChoiceField(
        label=_("Paid from"),
        queryset=Account.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose the account it was paid from.")},
    )
    paid_on = date_field(_("Paid on"))

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, prefix="pay", **kwargs)
        self.fields["paid_from"].queryset = accounts
        self.fields["paid_on"].initial = timezone.localdate()
