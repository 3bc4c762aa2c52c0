"""Forms render as GOV.UK Frontend components through one renderer, so every form in Hearth
gets labels, hints, inline errors and an error summary the same way."""

from django import forms
from django.forms.renderers import DjangoTemplates


class GovukFormRenderer(DjangoTemplates):
    form_template_name = "hearth/forms/form.html"
    field_template_name = "hearth/forms/field.html"


class HearthFormMixin:
    """Server-side validation only: browsers' own required-field bubbles are not accessible,
    and every message must come from the error summary."""

    use_required_attribute = False


class HearthForm(HearthFormMixin, forms.Form):
    pass


class HearthModelForm(HearthFormMixin, forms.ModelForm):
    pass
