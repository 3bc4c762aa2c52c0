"""Forms of the referral pages. They parse what was typed; the rules live in `services`, whose
`ValidationError`s and `TransitionRefused` the views put back on the field they name."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hearth.core.forms import HearthForm
from hearth.people.forms import TIME_ZONES, WEEKDAY_CHOICES
from hearth.people.models import Category
from hearth.people.safe_contact import Channel, Detail, clean_preferences

from .models import Status
from .services import Reason

# What may travel besides the name, with what each means to the person agreeing.
OPTIONAL_CATEGORIES = [
    (Category.CONTACT.value, _("Contact details and safe-contact preferences")),
    (Category.NEEDS.value, _("What they are looking for help with")),
    (Category.STRENGTHS.value, _("Strengths, goals and what helps")),
]


# --- making a referral -------------------------------------------------------------------------


class ServiceSearchForm(HearthForm):
    q = forms.CharField(
        label=_("Search the directory for a service"),
        help_text=_("For example: legal advice, counselling, food, housing."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ReferralForm(HearthForm):
    service = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a service from the directory."),
            "invalid": _("Choose a service from the directory."),
        },
    )
    categories = forms.MultipleChoiceField(
        label=_("What else travels with the referral"),
        choices=OPTIONAL_CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the listed kinds of information.")},
    )
    summary = forms.CharField(
        label=_("A summary for the receiving service"),
        help_text=_(
            "Write it once, together, so they need not retell their story. Say what they want "
            "help with and anything that makes contact easier. Up to 2000 characters."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    expires_on = forms.DateField(
        label=_("The consent ends on"),
        help_text=_(
            "After this day the receiving service can no longer open what travelled. At most a "
            "year; they can withdraw it sooner at any time."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the day the consent ends."),
            "invalid": _("Enter the day the consent ends as a real date, like 2026-07-31."),
        },
    )
    attestation = forms.CharField(
        label=_("How did they agree?"),
        help_text=_(
            "For example: in person at the drop-in, after we read together what is shared."
        ),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Say how the person agreed to this referral (for example, in person).")
        },
    )


# --- changing the status, writing a message ----------------------------------------------------


class StatusForm(HearthForm):
    to_status = forms.ChoiceField(
        label=_("What happens next?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what happens next."),
            "invalid_choice": _("Choose one of the listed statuses."),
        },
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        help_text=_("Needed when you decline, cancel, put on hold or cannot complete a referral."),
        required=False,
        error_messages={"invalid_choice": _("Choose a reason from the list.")},
    )
    note = forms.CharField(
        label=_("A note for the other organization (optional)"),
        help_text=_("It is added to the conversation. Up to 500 characters."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["to_status"].choices = [(status, labels[status]) for status in allowed]
        self.fields["reason"].choices = [("", _("No reason needed")), *Reason.choices]


class MessageForm(HearthForm):
    body = forms.CharField(
        label=_("Your message"),
        help_text=_("Both organizations read the conversation while the consent lasts."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PersonMessageForm(HearthForm):
    body = forms.CharField(
        label=_("Your message"),
        help_text=_(
            "The organizations working on this referral read it when they next sign in. Up to "
            "2000 characters."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- asking a service to get in touch ----------------------------------------------------------


class SelfReferralForm(HearthForm):
    """What a person leaves when they ask a service to contact them: a name they choose and how
    they may safely be reached. Nothing else is asked."""

    chosen_name = forms.CharField(
        label=_("What should they call you?"),
        help_text=_("Any name you like. It does not have to be your real name."),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter a name they can call you. Any name is fine."),
            "max_length": _("Keep the name to 100 characters or fewer."),
        },
    )
    safe_channels = forms.MultipleChoiceField(
        label=_("Which ways of contacting you are safe?"),
        help_text=_("Tick only the ways nobody else will see or hear."),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(
        label=_("Phone number (if a call or text is safe)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail address (if e-mail is safe)"),
        max_length=254,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "email", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    voicemail_ok = forms.ChoiceField(
        label=_("May they leave a voicemail?"),
        choices=[("no", _("No, never leave a voicemail")), ("yes", _("Yes, a voicemail is safe"))],
        initial="no",
        required=False,
        widget=forms.RadioSelect,
    )
    safe_days = forms.MultipleChoiceField(
        label=_("Which days are safe?"),
        help_text=_("Leave every day unticked if any day is safe."),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    safe_from = forms.CharField(
        label=_("Safe from"),
        help_text=_("For example, 09:30. Leave both times empty if any time is safe."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "govuk-input--width-5"}),
    )
    safe_until = forms.CharField(
        label=_("Safe until"),
        help_text=_("For example, 17:00."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "govuk-input--width-5"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        help_text=_("The safe times are in this time zone."),
        required=False,
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )
    message_detail = forms.ChoiceField(
        label=_("How much may a message to you say?"),
        help_text=_("Someone else may see your messages. Vague is safest."),
        choices=Detail.choices,
        initial=Detail.VAGUE,
        required=False,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Anything you want them to know (optional)"),
        help_text=_(
            "Keep it short; you can tell them more when they contact you. Up to 1000 characters."
        ),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Keep the message to 1000 characters or fewer.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("Not sure")), *TIME_ZONES]
        if settings.TIME_ZONE in {zone for zone, _label in TIME_ZONES}:
            self.fields["time_zone"].initial = settings.TIME_ZONE

    def clean(self):
        data = super().clean()
        channels = data.get("safe_channels") or []
        if "safe_channels" in data and not channels:
            self.add_error(
                "safe_channels",
                _("Tick at least one safe way to contact you, so the service can reach you."),
            )
        phone_needed = {Channel.CALL, Channel.TEXT} & set(channels)
        if phone_needed and not (data.get("phone") or "").strip():
            self.add_error("phone", _("Enter the phone number they may call or text."))
        if Channel.EMAIL in channels and not (data.get("email") or "").strip():
            self.add_error("email", _("Enter the e-mail address they may write to."))
        # The service's own check of the preferences, so one visit names every problem.
        try:
            clean_preferences(self.contact())
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                field = SELF_REFERRAL_FIELDS.get(name, name)
                field = field if field in self.fields else None
                if field not in self.errors:
                    for item in errors:
                        self.add_error(field, item)
        return data

    def identity(self) -> dict:
        return {"chosen_name": self.cleaned_data.get("chosen_name") or ""}

    def contact(self) -> dict:
        data = self.cleaned_data
        phone, email = (data.get("phone") or "").strip(), (data.get("email") or "").strip()
        return {
            "phones": [phone] if phone else [],
            "emails": [email] if email else [],
            "safe_channels": data.get("safe_channels") or [],
            "voicemail_ok": data.get("voicemail_ok") == "yes",
            "safe_days": data.get("safe_days") or [],
            "safe_from": (data.get("safe_from") or "").strip(),
            "safe_until": (data.get("safe_until") or "").strip(),
            "time_zone": data.get("time_zone") or "",
            "message_detail": data.get("message_detail") or Detail.VAGUE,
            "do_not_contact": False,
        }


# Where the self-referral service's error keys belong on the form.
SELF_REFERRAL_FIELDS = {"phones": "phone", "emails": "email"}


# --- the network's figures ---------------------------------------------------------------------

PERIODS = [(30, _("The last 30 days")), (90, _("The last 90 days")), (365, _("The last year"))]


class PeriodForm(HearthForm):
    days = forms.TypedChoiceField(
        label=_("Period"),
        choices=PERIODS,
        coerce=int,
        initial=90,
        error_messages={"invalid_choice": _("Choose one of the listed periods.")},
    )
