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
