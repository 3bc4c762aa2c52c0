from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.core.forms import HearthForm

from . import codes

RADIUS_CHOICES = [
    ("2", _("2 km")),
    ("5", _("5 km")),
    ("10", _("10 km")),
    ("25", _("25 km")),
    ("50", _("50 km")),
]
LANGUAGE_CHOICES = [
    ("", _("Any language")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("so", _("Somali")),
]


class SearchForm(HearthForm):
    """The public search: every field optional, every one a plain GET parameter, so a search
    is a link that works without JavaScript and can be bookmarked or printed."""

    q = forms.CharField(
        label=_("What do you need help with?"),
        required=False,
        max_length=200,
        help_text=_("For example: food, somewhere safe to stay, a lawyer, comida."),
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "true"}),
    )
    near = forms.CharField(
        label=_("Near a town or postcode"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input--width-20"}
        ),
    )
    radius = forms.ChoiceField(
        label=_("Within"), choices=RADIUS_CHOICES, required=False, initial="10"
    )
    category = forms.ChoiceField(label=_("Kind of help"), required=False)
    language = forms.ChoiceField(
        label=_("Language spoken"), choices=LANGUAGE_CHOICES, required=False
    )
    age = forms.IntegerField(
        label=_("Age of the person who needs help"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter an age as a number, like 16")},
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    free = forms.BooleanField(label=_("Free of cost"), required=False)
    accepting = forms.BooleanField(label=_("Accepting people now"), required=False)
    accessible = forms.BooleanField(label=_("Step-free or accessible"), required=False)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any kind of help"))] + [
            (str(term.id), term.name) for term in categories
        ]


class ServiceEditForm(HearthForm):
    name = forms.CharField(label=_("Name of the service"), max_length=300)
    alternate_name = forms.CharField(
        label=_("Other name"),
        max_length=300,
        required=False,
        help_text=_("For example, its name in Spanish."),
    )
    description = forms.CharField(
        label=_("What the service does"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Plain words about what people get, and what it is like to come."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=[])
    eligibility_description = forms.CharField(
        label=_("Who it is for"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    minimum_age = forms.IntegerField(
        label=_("Youngest age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("In years. Leave empty if there is no lower limit."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the youngest age as a whole number, like 16"),
            "min_value": _("The youngest age must be 0 or more"),
            "max_value": _("The youngest age must be 120 or less"),
        },
    )
    maximum_age = forms.IntegerField(
        label=_("Oldest age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("In years. Leave empty if there is no upper limit."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the oldest age as a whole number, like 25"),
            "min_value": _("The oldest age must be 0 or more"),
            "max_value": _("The oldest age must be 120 or less"),
        },
    )
    application_process = forms.CharField(
        label=_("How to get help"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    fees_description = forms.CharField(label=_("Cost"), required=False)
    interpretation_services = forms.CharField(label=_("Interpreters"), required=False)
    wait_time = forms.CharField(label=_("Usual wait"), max_length=200, required=False)
    url = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("Public e-mail address"), required=False)
    alert = forms.CharField(
        label=_("Notice shown at the top"),
        required=False,
        help_text=_("For example: closed on public holidays this week."),
    )

    def __init__(self, *args, **kwargs):
        from .models import Service

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = Service.Status.choices

    def clean(self):
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", _("The oldest age must be the same as or more than the youngest.")
            )
        return data


class CapacityForm(HearthForm):
    status = forms.ChoiceField(
        label=_("Can the service take people now?"), widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("For example: 3 places this week, or call on Monday mornings."),
    )

    def __init__(self, *args, **kwargs):
        from .models import Service

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [c for c in Service.Capacity.choices if c[0]]


class ConfidentialLocationForm(HearthForm):
    coarse_area = forms.CharField(
        label=_("General area to show instead"),
        max_length=200,
        help_text=_("A town or region, never a street. For example: Riverbend Valley."),
        error_messages={"required": _("Enter the general area to show instead")},
    )


# ---------------------------------------------------------------------------------------------
# Keeping listings current: opening hours, languages, costs, access, locations, claims.


def _offset_choices():
    return [(str(hours), codes.offset_label(hours)) for hours in codes.UTC_OFFSETS]


def current_utc_offset() -> float:
    """This install's own UTC offset now, offered first for new opening hours."""
    offset = timezone.localtime().utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


class ScheduleForm(HearthForm):
    """Regular weekly opening hours (HSDS `schedule` with `freq` WEEKLY)."""

    byday = forms.MultipleChoiceField(
        label=_("Days"),
        choices=codes.WEEK_DAYS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select every day it is open at these times."),
        error_messages={
            "required": _("Select at least one day"),
            "invalid_choice": _("“%(value)s” is not a day of the week"),
        },
    )
    opens_at = forms.TimeField(
        label=_("Opens at"),
        help_text=_("24-hour clock, for example 09:00"),
        widget=forms.TimeInput(
            format="%H:%M", attrs={"type": "time", "class": "govuk-input--width-5"}
        ),
        error_messages={
            "required": _("Enter the time it opens, like 09:00"),
            "invalid": _("Enter the opening time as hours and minutes, like 09:00"),
        },
    )
    closes_at = forms.TimeField(
        label=_("Closes at"),
        help_text=_("24-hour clock, for example 17:30"),
        widget=forms.TimeInput(
            format="%H:%M", attrs={"type": "time", "class": "govuk-input--width-5"}
        ),
        error_messages={
            "required": _("Enter the time it closes, like 17:30"),
            "invalid": _("Enter the closing time as hours and minutes, like 17:30"),
        },
    )
    overnight = forms.BooleanField(
        label=_("Open past midnight"),
        required=False,
        help_text=_(
            "Tick this if it closes the next morning, for example a night shelter open from "
            "20:00 to 08:00. With the same opening and closing time it is open all day."
        ),
    )
    timezone = forms.TypedChoiceField(
        label=_("Time zone"),
        coerce=float,
        help_text=_("The hours above are local times in this time zone."),
        error_messages={"required": _("Select the time zone the hours are given in")},
    )
    valid_from = forms.DateField(
        label=_("First day (optional)"),
        required=False,
        help_text=_("For hours that only apply for a while. For example, 2026-12-01"),
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input--width-10"}
        ),
        error_messages={"invalid": _("Enter the first day as a date, like 2026-12-01")},
    )
    valid_to = forms.DateField(
        label=_("Last day (optional)"),
        required=False,
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input--width-10"}
        ),
        error_messages={"invalid": _("Enter the last day as a date, like 2027-01-31")},
    )
    description = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        help_text=_("For example: drop-in, no appointment needed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = _offset_choices()

    @classmethod
    def initial_for(cls, schedule) -> dict:
        if schedule is None:
            return {"timezone": str(current_utc_offset())}
        overnight = bool(
            schedule.opens_at and schedule.closes_at and schedule.closes_at <= schedule.opens_at
        )
        return {
            "byday": [day for day in schedule.byday.split(",") if day],
            "opens_at": schedule.opens_at,
            "closes_at": schedule.closes_at,
            "overnight": overnight,
            "timezone": str(schedule.timezone if schedule.timezone is not None else 0.0),
            "valid_from": schedule.valid_from,
            "valid_to": schedule.valid_to,
            "description": schedule.description,
        }

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens is not None and closes is not None:
            if closes <= opens and not data.get("overnight"):
                self.add_error(
                    "closes_at",
                    _(
                        "The closing time must be after the opening time. If it stays open "
                        "past midnight, tick “Open past midnight”."
                    ),
                )
            elif closes > opens and data.get("overnight"):
                self.add_error(
                    "overnight",
                    _(
                        "It closes after it opens on the same day, so it is not open past "
                        "midnight. Untick “Open past midnight” or check the times."
                    ),
                )
        first, last = data.get("valid_from"), data.get("valid_to")
        if first and last and last < first:
            self.add_error("valid_to", _("The last day must be the same as or after the first day"))
        return data

    def schedule_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "byday": data["byday"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "timezone": data["timezone"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "description": data["description"],
        }


OTHER_LANGUAGE = "other"


class LanguageForm(HearthForm):
    language = forms.ChoiceField(
        label=_("Language"),
        error_messages={"required": _("Select a language, or “Another language”")},
    )
    other_code = forms.CharField(
        label=_("Code of another language"),
        required=False,
        max_length=20,
        help_text=_(
            "Only for “Another language”: its ISO 639 code of 2 or 3 letters, for example so "
            "for Somali or prs for Dari."
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )
    other_name = forms.CharField(
        label=_("Name of another language"),
        required=False,
        max_length=100,
        help_text=_("Only for “Another language”: for example, Dari."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("Choose a language")),
            *((code, label) for code, _name, label in codes.COMMON_LANGUAGES),
            (OTHER_LANGUAGE, _("Another language")),
        ]

    def clean(self):
        data = super().clean()
        choice = data.get("language")
        if choice == OTHER_LANGUAGE:
            code = codes.normalize_language_code(data.get("other_code", ""))
            if not code:
                self.add_error("other_code", _("Enter the code of the language"))
            elif not codes.is_language_code(code):
                self.add_error(
                    "other_code",
                    _(
                        "Enter a language code of 2 or 3 letters, like so for Somali or prs "
                        "for Dari"
                    ),
                )
            if not data.get("other_name", "").strip():
                self.add_error("other_name", _("Enter the name of the language"))
            data["code"], data["name"] = code, data.get("other_name", "").strip()
        elif choice:
            if data.get("other_code") or data.get("other_name"):
                self.add_error(
                    "other_code",
                    _("Leave the code and name empty, or choose “Another language” above"),
                )
            data["code"], data["name"] = choice, codes.COMMON_LANGUAGE_NAMES[choice]
        return data


class CostOptionForm(HearthForm):
    option = forms.CharField(
        label=_("What the cost is for"),
        required=False,
        max_length=200,
        help_text=_("For example: per session, per night, or Free."),
    )
    amount = forms.DecimalField(
        label=_("Amount (optional)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("A number, like 12.50. Enter 0 if it is free."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter the amount as a number, like 12.50"),
            "min_value": _("The amount must be 0 or more"),
            "max_decimal_places": _("Enter the amount with no more than 2 decimal places"),
        },
    )
    currency = forms.CharField(
        label=_("Currency (optional)"),
        required=False,
        max_length=3,
        help_text=_("Three letters (ISO 4217), like USD, EUR or GBP."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "spellcheck": "false"}),
        error_messages={"max_length": _("Enter the currency as three letters, like USD")},
    )
    amount_description = forms.CharField(
        label=_("More about the cost (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: nobody is turned away for lack of money."),
    )

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if currency and currency not in codes.CURRENCY_CODES:
            raise forms.ValidationError(
                _("“%(code)s” is not a currency code. Use three letters, like USD, EUR or GBP"),
                params={"code": currency},
            )
        return currency

    def clean(self):
        data = super().clean()
        no_cost_given = not data.get("option", "").strip() and data.get("amount") is None
        if no_cost_given and "amount" not in self.errors:
            self.add_error(
                "option", _("Say what the cost is: describe it, give an amount, or both")
            )
        if data.get("amount") and not data.get("currency") and "currency" not in self.errors:
            self.add_error("currency", _("Enter the currency of the amount, like USD"))
        return data


class AccessibilityForm(HearthForm):
    description = forms.CharField(
        label=_("Access"),
        max_length=300,
        help_text=_("For example: step-free entrance at the back, or a hearing loop at reception."),
        error_messages={"required": _("Describe the access, like “Step-free entrance”")},
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    url = forms.URLField(
        label=_("Web page about access (optional)"),
        required=False,
        assume_scheme="https",
        max_length=500,
    )


class LocationForm(HearthForm):
    """A location that is not confidential: its name, description, address and position."""

    name = forms.CharField(
        label=_("Name of the location"),
        max_length=300,
        error_messages={"required": _("Enter the name of the location")},
    )
    description = forms.CharField(
        label=_("About the location (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    transportation = forms.CharField(
        label=_("Getting there (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: bus 12 to Mill Lane; parking behind the building."),
    )
    address_1 = forms.CharField(
        label=_("Building and street"),
        max_length=300,
        error_messages={"required": _("Enter the building and street")},
    )
    address_2 = forms.CharField(
        label=_("Building and street line 2 (optional)"), max_length=300, required=False
    )
    city = forms.CharField(
        label=_("Town or city"),
        max_length=200,
        error_messages={"required": _("Enter the town or city")},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    region = forms.CharField(
        label=_("Area or region (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    state_province = forms.CharField(
        label=_("State, province or county"),
        max_length=100,
        error_messages={"required": _("Enter the state, province or county")},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    postal_code = forms.CharField(
        label=_("Postcode or ZIP code"),
        max_length=20,
        error_messages={"required": _("Enter the postcode or ZIP code")},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        help_text=_("Its two-letter code, like US or GB."),
        error_messages={
            "required": _("Enter the country as its two-letter code, like US"),
            "min_length": _("Enter the country as its two-letter code, like US"),
            "max_length": _("Enter the country as its two-letter code, like US"),
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "spellcheck": "false"}),
    )
    latitude = forms.FloatField(
        label=_("Latitude (optional)"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("In decimal degrees, like 45.5231. Search uses it to measure distances."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter the latitude as a number, like 45.5231"),
            "min_value": _("The latitude must be between -90 and 90"),
            "max_value": _("The latitude must be between -90 and 90"),
        },
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("In decimal degrees, like -122.6765."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter the longitude as a number, like -122.6765"),
            "min_value": _("The longitude must be between -180 and 180"),
            "max_value": _("The longitude must be between -180 and 180"),
        },
    )

    LOCATION_FIELDS = ("name", "description", "transportation", "latitude", "longitude")
    ADDRESS_FIELDS = (
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
    )

    def __init__(self, *args, address_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.address_required = address_required
        if not address_required:
            for name in self.ADDRESS_FIELDS:
                self.fields[name].required = False

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country and not country.isalpha():
            raise forms.ValidationError(_("Enter the country as its two-letter code, like US"))
        return country

    def clean(self):
        data = super().clean()
        if not self.address_required and self.has_address():
            # An address is optional here, but one that is given must be whole.
            for name in ("address_1", "city", "state_province", "postal_code", "country"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None) and not (
            {"latitude", "longitude"} & set(self.errors)
        ):
            self.add_error(
                "longitude" if longitude is None else "latitude",
                _("Give both the latitude and the longitude, or neither"),
            )
        return data

    def location_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.LOCATION_FIELDS}

    def has_address(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in self.ADDRESS_FIELDS)

    def address_fields(self) -> dict | None:
        """The address to save, or None when none is needed and none was given."""
        if not self.address_required and not self.has_address():
            return None
        return {name: self.cleaned_data[name] for name in self.ADDRESS_FIELDS}


class ConfidentialLocationEditForm(HearthForm):
    """A confidential location: no address and no position, only a name and a general area."""

    name = forms.CharField(
        label=_("Name of the location"),
        max_length=300,
        help_text=_("The open data shows this name, so choose one that does not say where it is."),
        error_messages={"required": _("Enter the name of the location")},
    )
    coarse_area = forms.CharField(
        label=_("General area to show"),
        max_length=200,
        help_text=_("A town or region, never a street. For example: Riverbend Valley."),
        error_messages={"required": _("Enter the general area to show instead")},
    )


class ServiceLocationForm(HearthForm):
    location = forms.ChoiceField(
        label=_("Location"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the location where the service is offered")},
    )
    description = forms.CharField(
        label=_("What is different there (optional)"),
        required=False,
        max_length=500,
        help_text=_("For example: Tuesdays only, or women-only sessions."),
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.locations = {str(location.id): location for location in locations}
        self.fields["location"].choices = [
            (
                key,
                location.name
                if not location.is_confidential
                else _("%(name)s (confidential)") % {"name": location.name},
            )
            for key, location in self.locations.items()
        ]

    def clean_location(self):
        return self.locations[self.cleaned_data["location"]]


class ListingSearchForm(HearthForm):
    q = forms.CharField(
        label=_("Name of the listing"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ClaimRequestForm(HearthForm):
    note = forms.CharField(
        label=_("Note to the coordinator"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "How your organization is connected to this listing, for example “This is our "
            "food bank; I am its manager”. Do not write about anyone you support."
        ),
        error_messages={
            "required": _(
                "Tell the coordinator how your organization is connected to this listing"
            ),
            "max_length": _("The note must be 1000 characters or fewer"),
        },
    )


class ClaimDecisionForm(HearthForm):
    APPROVE, DECLINE = "approve", "decline"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve: the organization keeps this listing from now on")),
            (DECLINE, _("Decline")),
        ],
        error_messages={"required": _("Select whether to approve or decline the request")},
    )
    note = forms.CharField(
        label=_("Note to the organization"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you decline: say why, so they know what to do next."),
        error_messages={"max_length": _("The note must be 1000 characters or fewer")},
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DECLINE and not data.get("note", "").strip():
            self.add_error("note", _("Say why, so the organization knows what to do next"))
        return data
