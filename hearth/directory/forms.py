from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.core.forms import HearthForm

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
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    maximum_age = forms.IntegerField(
        label=_("Oldest age"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
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
