"""The form engine: given a form definition and the answers so far, what is shown, what each
calculation comes to, and what is wrong — the same function for showing, hiding and validating.

`evaluate()` is the one path. It turns posted strings into typed answers (`coerce_answers`),
then walks the form's evaluation order: a field is relevant when its group is and its `relevant`
expression holds; a hidden field's value is empty for every other expression and its answer is
dropped; calculations see the values before them in that order. Finally it checks the answers of
shown questions only: the type, `required` (yes, or an expression), the choices still offered
(after choice_filter) and `constraint`, with the form's own `constraint_message` /
`required_message` in the person's language when the form has one, else Hearth's message.

Every question may be skipped unless the form marks it required — and with `skippable=True`
(every check-in with a person, and the preview of a check-in form) even then: a person must
always be able to leave a question they do not want to answer, and a check-in asked of someone in
distress must not hold them on a page until they do. There, `required` (yes or an expression) is
not enforced at all; the self-assessment, which is an organization's and not a person's, keeps
it. Constraints are checked only on answers given, never on skipped questions.

Answers are typed Python values: text and select_one as `str`, integer as `int`, decimal as
`float`, date as `datetime.date`, select_multiple as a tuple of choice names in the order of the
choice list, calculations as `int`, `float`, `str`, `bool` or `date`, and "no answer" as `None`
(a calculation that comes out empty, NaN or infinite is `None` too).

Hearth's messages are marked for translation with stable codes (`FieldError.code`); the form's
own messages come from its `constraint_message::Español (es)`-style columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hearth.outcomes.expressions import XValue, format_number, from_python, to_string
from hearth.outcomes.xlsform import (
    RELEVANT,
    Choice,
    Field,
    FieldType,
    Form,
)

Value = str | int | float | date | tuple[str, ...] | bool | None

MAX_TEXT_CHARACTERS = 5000
INTEGER_LIMIT = 2**31 - 1  # what XForms (and so every other XLSForm tool) store
DECIMAL_LIMIT = 1e15

MESSAGES = {
    "required": _("Answer this question"),
    "integer": _("Enter a whole number"),
    "decimal": _("Enter a number"),
    "number_too_large": _("Enter a smaller number"),
    "date": _("Enter a date as year-month-day, for example 2025-03-31"),
    "choice": _("Choose one of the options"),
    "too_long": _("Write at most %(limit)s characters"),
    "constraint": _("This answer is not one this question accepts"),
}


@dataclass(frozen=True)
class FieldError:
    code: str
    message: str


@dataclass(frozen=True)
class Evaluation:
    """The state of a form given some answers."""

    relevant: frozenset[str]  # every field shown (groups and notes included) or calculated
    values: dict[str, Value]  # answers of shown questions and calculations; none empty
    errors: dict[str, FieldError]  # by field name, shown questions only
    choices: dict[str, tuple[Choice, ...]]  # the choices offered, after choice_filter

    def visible(self, form: Form) -> list[Field]:
        return [
            item
            for item in form.fields
            if item.name in self.relevant and item.type != FieldType.CALCULATE
        ]


# ----------------------------------------------------------------------------------------------
# Coercion

INTEGER_TEXT = re.compile(r"[+-]?\d+")
DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
# A decimal comma, as Spanish writes it ("7,5"); never three digits after it, which reads as a
# thousands separator in English ("1,000"), so that is refused rather than guessed.
DECIMAL_COMMA = re.compile(r"[+-]?\d*,(?:\d{1,2}|\d{4,})")


def _empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set | frozenset):
        return all(_empty(item) for item in raw)
    return False


def _single(raw: Any) -> Any:
    if isinstance(raw, list | tuple):
        present = [item for item in raw if not _empty(item)]
        return present[-1] if present else None
    return raw


def coerce_value(item: Field, raw: Any) -> tuple[Value, str | None]:
    """A posted (or stored) answer as the field's type: (value, None) or (None, error code)."""
    if _empty(raw):
        return None, None
    kind = item.type
    if kind == FieldType.SELECT_MULTIPLE:
        names: list[str] = []
        for part in raw if isinstance(raw, list | tuple | set | frozenset) else [raw]:
            names.extend(str(part).split())
        positions = {choice.name: index for index, choice in enumerate(item.choices)}
        unique = dict.fromkeys(names)
        ordered = sorted(unique, key=lambda name: (positions.get(name, len(positions)), name))
        return tuple(ordered), None
    raw = _single(raw)
    if kind == FieldType.TEXT:
        text = str(raw).replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT_CHARACTERS:
            return None, "too_long"
        return text, None
    if kind == FieldType.SELECT_ONE:
        return str(raw).strip(), None
    if kind == FieldType.INTEGER:
        if isinstance(raw, bool):
            return None, "integer"
        if isinstance(raw, int):
            number = raw
        elif isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, str) and INTEGER_TEXT.fullmatch(raw.strip()):
            text = raw.strip()
            if len(text.lstrip("+-").lstrip("0")) > 12:
                return None, "number_too_large"
            number = int(text)
        else:
            return None, "integer"
        if abs(number) > INTEGER_LIMIT:
            return None, "number_too_large"
        return number, None
    if kind == FieldType.DECIMAL:
        if isinstance(raw, bool):
            return None, "decimal"
        if isinstance(raw, int | float):
            number = float(raw)
        elif isinstance(raw, str):
            text = raw.strip().replace(" ", "")
            if DECIMAL_COMMA.fullmatch(text):
                text = text.replace(",", ".")
            if not DECIMAL_TEXT.fullmatch(text) or len(text) > 40:
                return None, "decimal"
            number = float(text)
        else:
            return None, "decimal"
        if not math.isfinite(number):
            return None, "decimal"
        if abs(number) > DECIMAL_LIMIT:
            return None, "number_too_large"
        return number, None
    if kind == FieldType.DATE:
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        text = str(raw).strip()
        if not DATE_TEXT.fullmatch(text):
            return None, "date"
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return None, "date"
    return None, None  # notes, calculations and groups take no answer


def coerce_answers(form: Form, data: Mapping[str, Any]) -> tuple[dict[str, Value], dict[str, str]]:
    """Typed answers from posted data (a QueryDict or a plain mapping), and the error code of
    each answer that is not of its question's type. Values for notes, groups and calculations
    are ignored: calculations are always worked out again."""
    answers: dict[str, Value] = {}
    errors: dict[str, str] = {}
    getlist = getattr(data, "getlist", None)
    for item in form.fields:
        if not item.is_input or item.name not in data:
            continue
        if item.type == FieldType.SELECT_MULTIPLE and callable(getlist):
            raw = getlist(item.name)
        else:
            raw = data[item.name] if getlist is None else data.get(item.name)
        value, error = coerce_value(item, raw)
        if error:
            errors[item.name] = error
        elif value is not None:
            answers[item.name] = value
    return answers, errors


# ----------------------------------------------------------------------------------------------
# Evaluation


def _python_value(value: XValue) -> Value:
    """A calculation's result as stored: empty, NaN and infinity are no value."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, str):
        return value or None
    return value


def evaluate(
    form: Form,
    answers: Mapping[str, Any],
    *,
    language: str | None = None,
    today: date | None = None,
    skippable: bool = False,
) -> Evaluation:
    """Everything the engine knows about `answers` (typed values or posted strings). With
    `skippable`, no question is required, whatever the form says."""
    today = today or timezone.localdate()
    typed, type_errors = coerce_answers(form, answers)
    relevant: dict[str, bool] = {}
    values: dict[str, Value] = {}
    for step, name in form.order:
        item = form.field(name)
        if step == RELEVANT:
            shown = relevant.get(item.group, True) if item.group else True
            if shown and item.relevant is not None:
                shown = item.relevant.is_true(values, today=today)
            relevant[name] = shown
        elif not relevant[name]:
            values[name] = None
        elif item.type == FieldType.CALCULATE:
            assert item.calculation is not None
            values[name] = _python_value(item.calculation.evaluate(values, today=today))
        else:
            values[name] = typed.get(name)

    choices: dict[str, tuple[Choice, ...]] = {}
    for item in form.fields:
        if item.list_name is None or not relevant[item.name]:
            continue
        if item.choice_filter is None:
            choices[item.name] = item.choices
        else:
            choice_filter = item.choice_filter
            choices[item.name] = tuple(
                choice
                for choice in item.choices
                if choice_filter.is_true(
                    values, choice={**choice.properties, "name": choice.name}, today=today
                )
            )

    errors: dict[str, FieldError] = {}
    with translation.override(language) if language else nullcontext():
        for item in form.fields:
            if not item.is_input or not relevant[item.name]:
                continue
            error = _check(form, item, values, type_errors, choices, language, today, skippable)
            if error is not None:
                errors[item.name] = error
        # Hearth's messages are lazy; make them text while the person's language is active.
        errors = {
            name: FieldError(error.code, str(error.message)) for name, error in errors.items()
        }

    shown = frozenset(name for name, is_relevant in relevant.items() if is_relevant)
    kept = {
        name: value
        for name, value in values.items()
        if name in shown and value is not None and name not in type_errors
    }
    return Evaluation(relevant=shown, values=kept, errors=errors, choices=choices)


def _check(
    form: Form,
    item: Field,
    values: Mapping[str, Value],
    type_errors: Mapping[str, str],
    choices: Mapping[str, tuple[Choice, ...]],
    language: str | None,
    today: date,
    skippable: bool = False,
) -> FieldError | None:
    name = item.name
    if name in type_errors:
        code = type_errors[name]
        message = MESSAGES[code]
        if code == "too_long":
            message = message % {"limit": MAX_TEXT_CHARACTERS}
        return FieldError(code, message)
    value = values.get(name)
    if value is None:
        if skippable:
            return None
        required = item.required or (
            item.required_if is not None and item.required_if.is_true(values, today=today)
        )
        if required:
            own = form.text(item.required_message, language)
            return FieldError("required", own or MESSAGES["required"])
        return None
    if item.list_name is not None:
        offered = {choice.name for choice in choices.get(name, ())}
        given = value if isinstance(value, tuple) else (value,)
        if any(choice not in offered for choice in given):
            return FieldError("choice", MESSAGES["choice"])
    if item.constraint is not None and not item.constraint.is_true(
        values, current=value, today=today
    ):
        own = form.text(item.constraint_message, language)
        return FieldError("constraint", own or MESSAGES["constraint"])
    return None


# ----------------------------------------------------------------------------------------------
# The questions a page needs


def visible_fields(
    form: Form, answers: Mapping[str, Any], *, today: date | None = None
) -> list[Field]:
    """The fields to show, in order: groups, notes and questions that are relevant."""
    return evaluate(form, answers, today=today).visible(form)


def validate(
    form: Form,
    answers: Mapping[str, Any],
    language: str | None = None,
    *,
    fields: Iterable[str] | None = None,
    today: date | None = None,
    skippable: bool = False,
) -> dict[str, str]:
    """Messages for the answers that are wrong, by field name, in the person's language. With
    `fields`, only those fields are reported (for example the questions of one page)."""
    errors = evaluate(form, answers, language=language, today=today, skippable=skippable).errors
    wanted = set(fields) if fields is not None else None
    return {
        name: error.message for name, error in errors.items() if wanted is None or name in wanted
    }


def calculate(
    form: Form, answers: Mapping[str, Any], *, today: date | None = None
) -> dict[str, Value]:
    """The value of every relevant calculation that is not empty."""
    values = evaluate(form, answers, today=today).values
    return {
        item.name: values[item.name]
        for item in form.fields
        if item.type == FieldType.CALCULATE and item.name in values
    }


def clean_answers(
    form: Form, answers: Mapping[str, Any], *, today: date | None = None
) -> dict[str, Value]:
    """What to store: the answers of shown questions and the calculations, hidden ones dropped."""
    return evaluate(form, answers, today=today).values


def display_value(form: Form, item: Field, value: Value, language: str | None) -> str:
    """An answer as a person reads it: choices by their label in the person's language."""
    if value is None:
        return ""
    if item.list_name is not None:
        labels = {choice.name: form.text(choice.label, language) for choice in item.choices}
        names = value if isinstance(value, tuple) else (str(value),)
        return ", ".join(labels.get(name) or name for name in names)
    if isinstance(value, float):
        return format_number(value)
    return to_string(from_python(value))


REFERENCE = re.compile(r"\$\{([^}]*)\}")


def render_text(
    form: Form,
    texts: Mapping[str, str],
    language: str | None,
    values: Mapping[str, Value],
) -> str:
    """A label, hint or message in the person's language with each `${name}` replaced by the
    answer it names (empty when unanswered or hidden)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        try:
            item = form.field(name)
        except KeyError:
            return ""
        return display_value(form, item, values.get(name), language)

    return REFERENCE.sub(replace, form.text(texts, language))
