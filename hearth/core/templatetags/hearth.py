"""Template helpers for the page shell and GOV.UK form components."""

from django import forms, template

from hearth.core.audit import describe_action

register = template.Library()

WIDGET_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "file": "govuk-file-upload",
}


@register.filter
def widget_type(bound_field) -> str:
    widget = bound_field.field.widget
    # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    return "input"


def described_by(bound_field) -> str:
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}-error")
    return " ".join(ids)


@register.filter
def describedby(bound_field) -> str:
    return described_by(bound_field)


@register.filter
def govuk_widget(bound_field):
    """Render a field's widget with the GOV.UK classes, error state and hint/error links."""
    kind = widget_type(bound_field)
    css = WIDGET_CLASSES.get(kind, "govuk-input")
    existing = bound_field.field.widget.attrs.get("class", "")
    if bound_field.errors:
        css += {"select": " govuk-select--error", "textarea": " govuk-textarea--error"}.get(
            kind, " govuk-input--error" if kind == "input" else ""
        )
    attrs = {"class": f"{css} {existing}".strip()}
    ids = described_by(bound_field)
    if ids:
        attrs["aria-describedby"] = ids
    return bound_field.as_widget(attrs=attrs)


@register.filter
def error_anchor(bound_field) -> str:
    """Where an error-summary link should move focus: the field, or a group's first option."""
    if widget_type(bound_field) in {"radios", "checkboxes"}:
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


@register.filter
def audit_action(code: str) -> str:
    """What an audit action code means, in the reader's language."""
    return describe_action(code)
