"""Forms render as GOV.UK Frontend components through one renderer, so every form in Hearth
gets labels, hints, inline errors and an error summary the same way."""

from django import forms
from django.core.exceptions import ValidationError
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


def posted(request):
    """The submitted data on POST (even when every field was left empty), else None, so an
    unsubmitted form is unbound and shows no errors."""
    return request.POST if request.method == "POST" else None


def add_service_errors(
    form: forms.Form,
    error: ValidationError,
    *,
    rename: dict[str, str] | None = None,
    skip_fields_in_error: bool = False,
) -> None:
    """Put each error a service raised on the form field it names, or on the form as a whole.

    `rename` maps a service's field names to the form's. A form may also declare
    `error_fields = {service_name: [form fields]}` when one service field is spread over several
    inputs: an error whose `value` parameter matches what one input holds lands on that input.
    With `skip_fields_in_error`, a field the form already found wrong keeps only its own message,
    so a problem is never named twice."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    rename = rename or {}
    aliases = getattr(form, "error_fields", {})
    for name, errors in error.error_dict.items():
        name = rename.get(name, name)
        for item in errors:
            field = name
            if name in aliases:
                value = (item.params or {}).get("value")
                cleaned = getattr(form, "cleaned_data", {}) or {}
                field = next(
                    (
                        candidate
                        for candidate in aliases[name]
                        if value is not None and (cleaned.get(candidate) or "").strip() == value
                    ),
                    aliases[name][0],
                )
            field = field if field in form.fields else None
            if skip_fields_in_error and field in form.errors:
                continue
            form.add_error(field, item)
