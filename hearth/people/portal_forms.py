"""Forms of the person's own pages (/me/). They only parse what was typed; the rules live in
`services` and `portal_auth`, whose errors the views put back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.accounts.forms import TokenForm
from hearth.core.forms import HearthForm

from .models import CONSENTABLE_PURPOSES, Category

# The categories as the person reads them about themselves (the model's names are for staff).
PERSON_CATEGORY_LABELS = {
    Category.IDENTITY: _("Your name, pronouns, languages and age"),
    Category.CONTACT: _("How to contact you, and when it is safe"),
    Category.NEEDS: _("What you are looking for help with"),
    Category.STRENGTHS: _("Your strengths, goals and what helps"),
    Category.NOTES: _("Notes staff wrote"),
    Category.OUTCOMES: _("Your check-ins and outcome measures"),
}


def _passphrase(label, *, autocomplete: str, help_text="", required_message=None):
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
        error_messages={"required": required_message or _("Enter your passphrase")},
    )


SIGN_IN_NAME_HELP = _(
    "3 to 60 letters, numbers, dots, dashes or underscores. It does not have to be your name: "
    "choose something only you would connect with yourself."
)
NEW_PASSPHRASE_HELP = _(
    "At least 10 characters. A few unrelated words, like “quiet river lamp 42”, are easy to "
    "remember and hard to guess. Do not use a passphrase someone close to you could guess."
)


class JoinForm(HearthForm):
    sign_in_name = forms.CharField(
        label=_("Choose a sign-in name"),
        max_length=60,
        help_text=SIGN_IN_NAME_HELP,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={"required": _("Choose a sign-in name")},
    )
    passphrase = _passphrase(
        _("Choose a passphrase"),
        autocomplete="new-password",
        help_text=NEW_PASSPHRASE_HELP,
        required_message=_("Choose a passphrase"),
    )
    passphrase_again = _passphrase(
        _("Type the passphrase again"),
        autocomplete="new-password",
        required_message=_("Type the passphrase again"),
    )

    def clean(self):
        cleaned = super().clean()
        first, again = cleaned.get("passphrase"), cleaned.get("passphrase_again")
        if first and again and first != again:
            self.add_error("passphrase_again", _("The two passphrases are different."))
        return cleaned


class SignInForm(HearthForm):
    sign_in_name = forms.CharField(
        label=_("Sign-in name"),
        max_length=60,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={"required": _("Enter your sign-in name")},
    )
    passphrase = _passphrase(_("Passphrase"), autocomplete="current-password")


class CodeForm(TokenForm):
    """The 6-digit code from the person's authenticator app."""


class ConsentForm(HearthForm):
    recipient_organization = forms.ModelChoiceField(
        label=_("Who may see it?"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the organization that may see your information"),
            "invalid_choice": _("Choose an organization from the list"),
        },
    )
    categories = forms.MultipleChoiceField(
        label=_("What may they see?"),
        choices=list(PERSON_CATEGORY_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose only what they need. You can choose more later."),
        error_messages={"required": _("Choose what information they may see")},
    )
    purpose = forms.ChoiceField(
        label=_("Why?"),
        choices=[(p.value, p.label) for p in CONSENTABLE_PURPOSES],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why they may see it")},
    )
    expires_on = forms.DateField(
        label=_("Until when?"),
        help_text=_("On this day it ends by itself. It can last up to a year."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Choose the day it ends"),
            "invalid": _("Enter a real date, like 2026-03-31"),
        },
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_organization"].queryset = organizations


class EraseForm(HearthForm):
    record = forms.ChoiceField(
        label=_("Which information?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which organization should erase your information"),
            "invalid_choice": _("Choose an organization from the list"),
        },
    )
    confirm = forms.BooleanField(
        label=_("I understand that erasing cannot be undone."),
        error_messages={"required": _("Tick the box to confirm you want this erased")},
    )

    def __init__(self, *args, records, **kwargs):
        """`records` is a list of (person id, name of the organization holding it)."""
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [(str(pk), name) for pk, name in records]
        if len(records) == 1:
            self.fields["record"].initial = str(records[0][0])


class PassphraseChangeForm(HearthForm):
    current = _passphrase(
        _("Your current passphrase"),
        autocomplete="current-password",
        required_message=_("Enter your current passphrase"),
    )
    new = _passphrase(
        _("New passphrase"),
        autocomplete="new-password",
        help_text=NEW_PASSPHRASE_HELP,
        required_message=_("Choose a new passphrase"),
    )
    new_again = _passphrase(
        _("Type the new passphrase again"),
        autocomplete="new-password",
        required_message=_("Type the new passphrase again"),
    )

    def clean(self):
        cleaned = super().clean()
        first, again = cleaned.get("new"), cleaned.get("new_again")
        if first and again and first != again:
            self.add_error("new_again", _("The two passphrases are different."))
        return cleaned


class PassphraseForm(HearthForm):
    passphrase = _passphrase(_("Your passphrase"), autocomplete="current-password")
