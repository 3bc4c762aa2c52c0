"""Forms for the staff pages about people.

The forms parse what was typed; the rules about what a record may hold live in `services` (the
cleaners each service runs), so a value is judged the same way on every path. Fields are named
after the keys the services' `ValidationError`s use, and `hearth.core.forms.add_service_errors()`
puts each of those errors on the field it names, so the error summary points at the right input."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import Network, Organization
from hearth.core.forms import HearthForm, add_service_errors
from hearth.directory.forms import LANGUAGE_CHOICES

from . import services
from .models import CONSENTABLE_PURPOSES, Category
from .safe_contact import Channel, Detail, clean_preferences

NO_SAFE_CHANNEL = "none"
PHONE_FIELDS = ("phone_1", "phone_2", "phone_3")
EMAIL_FIELDS = ("email_1", "email_2")

COMMON_LANGUAGES = [(code, label) for code, label in LANGUAGE_CHOICES if code]

WEEKDAY_CHOICES = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]

# A short list staff can choose from quickly; `safe_contact.clean_preferences` checks any value.
TIME_ZONES = [
    ("UTC", _("UTC (Coordinated Universal Time)")),
    ("Europe/London", _("United Kingdom (London)")),
    ("Europe/Dublin", _("Ireland (Dublin)")),
    ("Europe/Madrid", _("Spain (Madrid)")),
    ("America/New_York", _("US Eastern (New York)")),
    ("America/Chicago", _("US Central (Chicago)")),
    ("America/Denver", _("US Mountain (Denver)")),
    ("America/Phoenix", _("US Arizona (Phoenix)")),
    ("America/Los_Angeles", _("US Pacific (Los Angeles)")),
    ("America/Anchorage", _("Alaska (Anchorage)")),
    ("Pacific/Honolulu", _("Hawaii (Honolulu)")),
    ("America/Puerto_Rico", _("Puerto Rico")),
    ("America/Mexico_City", _("Mexico (Mexico City)")),
    ("America/Toronto", _("Canada Eastern (Toronto)")),
    ("America/Vancouver", _("Canada Pacific (Vancouver)")),
]


def _text(label, *, help_text="", rows=None, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs)
    return forms.CharField(
        label=label, help_text=help_text, required=False, strip=True, widget=widget
    )


# --- a person's record ----------------------------------------------------------------------


class CategoryForm(HearthForm):
    """A form for one category of a record. `clean()` runs the service's own cleaner for that
    category on what was typed, so one visit names every problem, with the service's words;
    the service judges it again when it saves."""

    @staticmethod
    def service_check(data: dict) -> dict:
        raise NotImplementedError

    def payload(self) -> dict:
        """The category's values as the service takes them (fields in error are left empty)."""
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        try:
            self.service_check(self.payload())
        except ValidationError as error:
            add_service_errors(self, error, skip_fields_in_error=True)
        return data


class IdentityForm(CategoryForm):
    chosen_name = _text(
        _("The name they want to be called"),
        help_text=_("An alias is fine. This is the only thing you must fill in."),
        autocomplete="off",
        spellcheck="false",
    )
    pronouns = _text(
        _("Pronouns (optional)"),
        help_text=_("Only if they told you, for example she/her, he/him or they/them."),
        autocomplete="off",
        **{"class": "govuk-input--width-10"},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages they speak (optional)"),
        choices=COMMON_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = _text(
        _("Other languages (optional)"),
        help_text=_("Two- or three-letter language codes, separated by commas, like pt, tl, fa."),
        autocomplete="off",
        spellcheck="false",
        **{"class": "govuk-input--width-20"},
    )
    age = _text(
        _("Age (optional)"),
        help_text=_("In years. Give an age or a date of birth, or neither."),
        inputmode="numeric",
        autocomplete="off",
        **{"class": "govuk-input--width-3"},
    )
    birth_date = forms.CharField(
        label=_("Date of birth (optional)"),
        help_text=_("Only if they want to give it. For example, 1990-04-27."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
    )

    # The service checks every language code under one name.
    error_fields = {"languages": ("other_languages",)}

    @classmethod
    def initial_from(cls, identity: dict) -> dict:
        codes = identity.get("languages") or []
        common = {code for code, _label in COMMON_LANGUAGES}
        age = identity.get("age")
        return {
            "chosen_name": identity.get("chosen_name", ""),
            "pronouns": identity.get("pronouns", ""),
            "languages": [code for code in codes if code in common],
            "other_languages": ", ".join(code for code in codes if code not in common),
            "age": "" if age is None else str(age),
            "birth_date": identity.get("birth_date", ""),
        }

    service_check = staticmethod(services.clean_identity)

    def payload(self) -> dict:
        data = self.cleaned_data
        others = re.split(r"[\s,;]+", data.get("other_languages") or "")
        return {
            "chosen_name": data.get("chosen_name") or "",
            "pronouns": data.get("pronouns") or "",
            "languages": [*data.get("languages", []), *(code for code in others if code)],
            "age": data.get("age") or "",
            "birth_date": (data.get("birth_date") or "").strip(),
        }


class StartForm(IdentityForm):
    """Starting a record: who they are, and, if they want to say, what they are looking for."""

    in_their_words = _text(
        _("What are they looking for help with? (optional)"),
        help_text=_("In their own words. You can tick needs from a list on the record later."),
        rows=3,
    )
    strengths = _text(
        _("Strengths (optional)"),
        help_text=_("What they are good at, what has got them through, who is on their side."),
        rows=3,
    )
    goals = _text(_("Goals (optional)"), help_text=_("What they want to happen."), rows=3)
    what_helps = _text(
        _("What helps (optional)"),
        help_text=_("What makes things easier for them, and anything to avoid."),
        rows=3,
    )

    def clean(self):
        data = super().clean()  # who they are
        for check, value in (
            (services.clean_needs, self.needs_data() or {}),
            (services.clean_strengths, self.strengths_data() or {}),
        ):
            try:
                check(value)
            except ValidationError as error:
                add_service_errors(self, error, skip_fields_in_error=True)
        return data

    def needs_data(self) -> dict | None:
        words = self.cleaned_data.get("in_their_words") or ""
        return {"terms": [], "in_their_words": words} if words else None

    def strengths_data(self) -> dict | None:
        values = {
            name: self.cleaned_data.get(name) or "" for name in ("strengths", "goals", "what_helps")
        }
        return values if any(values.values()) else None


class ContactForm(CategoryForm):
    phone_1 = _text(_("Phone number 1"), autocomplete="off", type="tel")
    phone_2 = _text(_("Phone number 2"), autocomplete="off", type="tel")
    phone_3 = _text(_("Phone number 3"), autocomplete="off", type="tel")
    email_1 = _text(_("E-mail address 1"), autocomplete="off", type="email", spellcheck="false")
    email_2 = _text(_("E-mail address 2"), autocomplete="off", type="email", spellcheck="false")
    safe_channels = forms.MultipleChoiceField(
        label=_("Which ways of contacting them are safe?"),
        help_text=_(
            "Tick every way that is safe for them. If any contact could put them in danger, "
            "tick “None of these is safe”."
        ),
        choices=[*Channel.choices, (NO_SAFE_CHANNEL, _("None of these is safe"))],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    voicemail_ok = forms.ChoiceField(
        label=_("May a voicemail be left?"),
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
        label=_("Their time zone"),
        help_text=_("The safe hours are in this time zone."),
        required=False,
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )
    message_detail = forms.ChoiceField(
        label=_("How much may a message say?"),
        help_text=_("Someone else may see their messages. Vague is safest."),
        choices=Detail.choices,
        initial=Detail.VAGUE,
        required=False,
        widget=forms.RadioSelect,
    )
    do_not_contact = forms.BooleanField(
        label=_("Do not contact them at all"),
        help_text=_("Hearth holds back every message to them while this is ticked."),
        required=False,
    )

    error_fields = {"phones": PHONE_FIELDS, "emails": EMAIL_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = list(TIME_ZONES)
        current = (self.initial or {}).get("time_zone") or ""
        if current and current not in {zone for zone, _label in zones}:
            zones.append((current, current))
        self.fields["time_zone"].choices = [("", _("Not known")), *zones]

    @classmethod
    def initial_from(cls, contact: dict) -> dict:
        phones = list(contact.get("phones") or [])
        emails = list(contact.get("emails") or [])
        initial = {name: value for name, value in zip(PHONE_FIELDS, phones, strict=False)} | {
            name: value for name, value in zip(EMAIL_FIELDS, emails, strict=False)
        }
        return initial | {
            "safe_channels": list(contact.get("safe_channels") or []) or [NO_SAFE_CHANNEL],
            "voicemail_ok": "yes" if contact.get("voicemail_ok") else "no",
            "safe_days": list(contact.get("safe_days") or []),
            "safe_from": contact.get("safe_from", ""),
            "safe_until": contact.get("safe_until", ""),
            "time_zone": contact.get("time_zone", ""),
            "message_detail": contact.get("message_detail") or Detail.VAGUE,
            "do_not_contact": bool(contact.get("do_not_contact")),
        }

    def clean_safe_channels(self):
        channels = self.cleaned_data["safe_channels"]
        if not channels:
            raise ValidationError(
                _("Tick the ways that are safe, or tick “None of these is safe”."),
                code="required",
            )
        if NO_SAFE_CHANNEL in channels and len(channels) > 1:
            raise ValidationError(
                _("You ticked “None of these is safe” and a way to contact them: choose one."),
                code="contradiction",
            )
        return [channel for channel in channels if channel != NO_SAFE_CHANNEL]

    service_check = staticmethod(clean_preferences)

    def payload(self) -> dict:
        data = self.cleaned_data
        return {
            "phones": [data[name] for name in PHONE_FIELDS if data.get(name)],
            "emails": [data[name] for name in EMAIL_FIELDS if data.get(name)],
            "safe_channels": data.get("safe_channels", []),
            "voicemail_ok": data.get("voicemail_ok") == "yes",
            "safe_days": data.get("safe_days", []),
            "safe_from": (data.get("safe_from") or "").strip(),
            "safe_until": (data.get("safe_until") or "").strip(),
            "time_zone": data.get("time_zone") or "",
            "message_detail": data.get("message_detail") or Detail.VAGUE,
            "do_not_contact": bool(data.get("do_not_contact")),
        }


def open_eligibility_groups() -> list[dict]:
    """Open Eligibility terms, each top-level term with every term below it, in one query."""
    from hearth.directory.models import TaxonomyTerm
    from hearth.directory.taxonomy import TAXONOMY_ID

    terms = list(
        TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID)
        .exclude(code="")
        .only("id", "code", "name", "parent_id", "taxonomy_id")
        .order_by("name")
    )
    children: dict = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)

    def below(term, depth):
        for child in children.get(term.id, []):
            yield child, depth
            yield from below(child, depth + 1)

    # The top-level terms in Open Eligibility's own order (Emergency, Food, Housing, ...).
    tops = sorted(children.get(None, []), key=lambda term: (len(term.code), term.code))
    return [{"term": top, "terms": [(top, 0), *below(top, 1)]} for top in tops]


class NeedsForm(CategoryForm):
    terms = forms.MultipleChoiceField(
        label=_("What are they looking for help with?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    in_their_words = _text(
        _("In their own words"),
        help_text=_("What they said they want help with, the way they said it."),
        rows=4,
    )

    def __init__(self, *args, groups: list[dict], language: str = "en", **kwargs):
        from hearth.directory.taxonomy import term_name

        super().__init__(*args, **kwargs)
        self.fields["terms"].choices = [
            (term.code, term_name(term, language))
            for group in groups
            for term, _depth in group["terms"]
        ]
        self._groups = groups
        self._language = language

    @classmethod
    def initial_from(cls, needs: dict) -> dict:
        return {
            "terms": list(needs.get("terms") or []),
            "in_their_words": needs.get("in_their_words", ""),
        }

    def groups(self) -> list[dict]:
        """The checkboxes, grouped under their top-level term, with the ids the error summary
        links to (`id_terms_0` is the first)."""
        from hearth.directory.taxonomy import term_name

        if self.is_bound:
            chosen = set(self.data.getlist("terms")) if hasattr(self.data, "getlist") else set()
        else:
            chosen = set(self.initial.get("terms") or [])
        index = 0
        result = []
        for group in self._groups:
            options = []
            for term, depth in group["terms"]:
                options.append(
                    {
                        "id": f"id_terms_{index}",
                        "code": term.code,
                        "name": term_name(term, self._language),
                        "depth": min(depth, 3),
                        "checked": term.code in chosen,
                    }
                )
                index += 1
            result.append(
                {
                    "name": term_name(group["term"], self._language),
                    "options": options,
                    "open": any(option["checked"] for option in options),
                }
            )
        return result

    service_check = staticmethod(services.clean_needs)

    def payload(self) -> dict:
        return {
            "terms": self.cleaned_data.get("terms", []),
            "in_their_words": self.cleaned_data.get("in_their_words") or "",
        }


class StrengthsForm(CategoryForm):
    strengths = _text(
        _("Strengths"),
        help_text=_("What they are good at, what has got them through, who is on their side."),
        rows=4,
    )
    goals = _text(_("Goals"), help_text=_("What they want to happen, in their words."), rows=4)
    what_helps = _text(
        _("What helps"),
        help_text=_("What makes things easier for them, and anything to avoid."),
        rows=4,
    )

    @classmethod
    def initial_from(cls, strengths: dict) -> dict:
        return {name: strengths.get(name, "") for name in ("strengths", "goals", "what_helps")}

    service_check = staticmethod(services.clean_strengths)

    def payload(self) -> dict:
        return {
            name: self.cleaned_data.get(name) or "" for name in ("strengths", "goals", "what_helps")
        }


class NoteForm(HearthForm):
    body = _text(
        _("Add a note"),
        help_text=_(
            "Keep it short and about what helps. The person can see their notes: write as if "
            "they will read it."
        ),
        rows=4,
    )


# --- consent -------------------------------------------------------------------------------------


class ConsentForm(HearthForm):
    recipient_type = forms.ChoiceField(
        label=_("Who may receive the information?"),
        choices=[
            ("organization", _("One organization, by name")),
            ("class", _("Every organization of one kind in a network")),
        ],
        initial="organization",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who may receive the information.")},
    )
    recipient_organization = forms.ModelChoiceField(
        label=_("Organization"),
        help_text=_("For one organization by name."),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Choose an organization"),
        error_messages={"invalid_choice": _("Choose an organization from the list.")},
    )
    recipient_kind = forms.ChoiceField(
        label=_("Kind of organization"),
        help_text=_("For every organization of one kind in a network."),
        choices=[("", _("Choose a kind")), *Organization.Kind.choices],
        required=False,
    )
    recipient_network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.none(),
        required=False,
        empty_label=_("Choose a network"),
        error_messages={"invalid_choice": _("Choose a network from the list.")},
    )
    categories = forms.MultipleChoiceField(
        label=_("What information may be shared?"),
        help_text=_("Share the least that will help. Nothing else is shared."),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.ChoiceField(
        label=_("Why may it be shared?"),
        choices=[(purpose.value, purpose.label) for purpose in CONSENTABLE_PURPOSES],
        required=False,
        widget=forms.RadioSelect,
    )
    expires_at = forms.DateField(
        label=_("Until"),
        help_text=_("The consent ends at the end of this day. It can last at most a year."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, like 2030-12-31.")},
    )
    attestation = _text(
        _("How did they give this consent?"),
        help_text=_(
            "For example: “Agreed in person at the drop-in after we read what is shared "
            "together.” You are confirming that they agreed."
        ),
        rows=3,
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        networks = Network.objects.filter(memberships__organization=organization).order_by("name")
        self.fields["recipient_network"].queryset = networks
        self.fields["recipient_organization"].queryset = (
            Organization.objects.filter(network_memberships__network__in=networks)
            .exclude(pk=organization.pk)
            .distinct()
            .order_by("name")
        )

    def clean(self):
        data = super().clean()
        if data.get("recipient_type") == "class":
            if not data.get("recipient_kind"):
                self.add_error("recipient_kind", _("Choose a kind of organization."))
            if not data.get("recipient_network"):
                self.add_error("recipient_network", _("Choose a network."))
        return data

    def terms(self) -> dict:
        data = self.cleaned_data
        by_class = data["recipient_type"] == "class"
        expires = data["expires_at"]
        return {
            "recipient_organization": None if by_class else data["recipient_organization"],
            "recipient_kind": data["recipient_kind"] if by_class else "",
            "recipient_network": data["recipient_network"] if by_class else None,
            "categories": data["categories"],
            "purpose": data["purpose"],
            "expires_at": end_of_day(expires) if expires else None,
            "attestation": data["attestation"],
        }


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class WithdrawForm(HearthForm):
    """Nothing to fill in: the button is the confirmation."""


class EraseForm(HearthForm):
    reason = forms.ChoiceField(
        label=_("Why is the record being erased?"),
        choices=[
            ("request", _("The person asked for it")),
            ("no_longer_needed", _("Your organization no longer needs it")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the record is being erased.")},
    )


# --- looking people up, emergencies, retention ----------------------------------------------------


class LookupForm(HearthForm):
    q = forms.CharField(
        label=_("Name, phone number or e-mail address"),
        help_text=_(
            "Type it exactly. Hearth finds only an exact match, and only among the people your "
            "organization supports: it never guesses, and never searches other organizations."
        ),
        max_length=200,
        error_messages={"required": _("Type a name, phone number or e-mail address.")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class EmergencyForm(HearthForm):
    reference = forms.CharField(
        label=_("Record reference"),
        help_text=_("The reference shown on the record or on the referral."),
        max_length=64,
        error_messages={"required": _("Enter the record reference.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = _text(
        _("What is the emergency?"),
        help_text=_(
            "Say what is happening and why you cannot wait. The organization holding the record "
            "reviews every emergency access, and the person can see it in their access history."
        ),
        rows=4,
    )


class ReviewForm(HearthForm):
    note = _text(
        _("What did the review find?"),
        help_text=_("For example, whether the access was justified and anything to follow up."),
        rows=4,
    )


class RetentionForm(HearthForm):
    records_days = forms.IntegerField(
        label=_("Erase a person's record this many days after the last activity"),
        help_text=_(
            "Leave empty to keep records until the person or your organization erases them."
        ),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={"invalid": _("Enter a whole number of days, like 730.")},
    )
    notes_days = forms.IntegerField(
        label=_("Delete notes this many days after they were written"),
        help_text=_("Leave empty to keep notes as long as the record."),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={"invalid": _("Enter a whole number of days, like 365.")},
    )
