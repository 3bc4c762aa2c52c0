from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from hearth.core.audit import describe_action
from hearth.core.forms import HearthForm, HearthFormMixin

from .models import Organization, Role

SLUG_HELP = _("Used in web addresses. Lower-case letters, numbers and hyphens only.")
slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use only lower-case letters, numbers and single hyphens, like riverbend-food-bank."),
)

EMAIL_FORMAT_ERROR = _("Enter an e-mail address in the right format, like name@example.org")


class SignInForm(HearthForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": EMAIL_FORMAT_ERROR,
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )


class TokenForm(HearthForm):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code the app shows now."),
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-5",
                "spellcheck": "false",
            }
        ),
        validators=[RegexValidator(r"^\d{6}$", _("Enter the 6 digits the app shows"))],
        error_messages={"required": _("Enter the 6-digit code from your authenticator app")},
    )


class ProfileForm(HearthForm):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name")},
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        choices=[("en", "English"), ("es", "Español")],
        widget=forms.RadioSelect,
    )


class HearthPasswordResetForm(HearthFormMixin, auth_forms.PasswordResetForm):
    pass


class HearthSetPasswordForm(HearthFormMixin, auth_forms.SetPasswordForm):
    """Sets the password through the accounts service, so the change is audited."""

    how = "reset_link"

    def save(self, commit=True):
        from .services import user_set_password

        user_set_password(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            how=self.how,
        )
        return self.user


class HearthPasswordChangeForm(HearthFormMixin, auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        from .services import user_set_password

        user_set_password(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            how="change",
        )
        return self.user


class OrganizationForm(HearthForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of organization"), choices=Organization.Kind.choices)
    description = forms.CharField(
        label=_("About the organization"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences in plain language about what you do and who you work with."),
    )
    town = forms.CharField(label=_("Town or area"), max_length=120, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("Public e-mail address"), required=False)
    phone = forms.CharField(label=_("Public phone number"), max_length=40, required=False)


class OrganizationCreateForm(OrganizationForm):
    slug = forms.CharField(
        label=_("Short name"), max_length=80, help_text=SLUG_HELP, validators=[slug_validator]
    )
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )

    field_order = ["name", "slug", "network", "kind"]

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class NetworkForm(HearthForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    region = forms.CharField(label=_("Region"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class NetworkCreateForm(NetworkForm):
    slug = forms.CharField(
        label=_("Short name"), max_length=80, help_text=SLUG_HELP, validators=[slug_validator]
    )
    field_order = ["name", "slug"]


class RoleField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Role"))
        super().__init__(choices=Role.choices, **kwargs)


class MemberRoleForm(HearthForm):
    role = RoleField()


class InvitationForm(HearthForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the e-mail address to send the invitation to"),
            "invalid": EMAIL_FORMAT_ERROR,
        },
    )
    role = RoleField(
        widget=forms.RadioSelect,
        help_text=_(
            "Admins, practitioners and peer supporters can see personal information and must use"
            " two-factor sign-in. Viewers see the directory and summaries only."
        ),
    )


class AcceptInvitationForm(HearthForm):
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("How colleagues will see you in Hearth."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name")},
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 12 characters. A few unrelated words work well."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password")},
    )


class AddOrganizationToNetworkForm(HearthForm):
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=None,
        empty_label=_("Choose an organization"),
        error_messages={"required": _("Choose an organization to add")},
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class AddCoordinatorForm(HearthForm):
    email = forms.EmailField(
        label=_("E-mail address of the new coordinator"),
        help_text=_("They must already have a Hearth account."),
        error_messages={
            "required": _("Enter the e-mail address of the new coordinator"),
            "invalid": EMAIL_FORMAT_ERROR,
        },
    )


class AuditFilterForm(HearthForm):
    action = forms.ChoiceField(label=_("What happened"), required=False)
    since = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Everything"))] + [
            (action, describe_action(action)) for action in actions
        ]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date must be on or after the start date"))
        return data
