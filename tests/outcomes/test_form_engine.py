"""The form engine: what is shown, what is calculated and what is wrong, in the person's language,
from one evaluation used for showing, hiding and validating alike."""

from datetime import date
from pathlib import Path

import pytest
from django.http import QueryDict
from django.utils import translation

from hearth.outcomes import form_engine
from hearth.outcomes.form_engine import (
    MAX_TEXT_CHARACTERS,
    calculate,
    clean_answers,
    coerce_answers,
    evaluate,
    render_text,
    validate,
    visible_fields,
)
from hearth.outcomes.xlsform import parse_xlsform
from tests.outcomes.xlsforms.builder import fixture

TODAY = date(2025, 3, 15)
SELF_ASSESSMENT = (
    Path(__file__).resolve().parents[2]
    / "hearth"
    / "outcomes"
    / "data"
    / "samhsa_self_assessment.xlsx"
)


@pytest.fixture(scope="module")
def form():
    return parse_xlsform(fixture("checkin_bilingual.xlsx"))


def shown(form, answers):
    return [field.name for field in visible_fields(form, answers, today=TODAY)]


def errors(form, answers, language="en", **options):
    return validate(form, answers, language, today=TODAY, **options)


def codes(form, answers):
    result = evaluate(form, answers, language="en", today=TODAY)
    return {name: error.code for name, error in result.errors.items()}


def engine_message(code, language, **params):
    """Hearth's own message as the project's catalogue translates it."""
    with translation.override(language):
        text = str(form_engine.MESSAGES[code])
        return text % params if params else text


ALWAYS_SHOWN = [
    "intro",
    "about",
    "age",
    "hours_sleep",
    "last_visit",
    "has_support",
    "feelings",
    "region",
    "city",
    "summary",
    "email",
]


# -- showing and hiding


def test_with_no_answers_only_unconditional_fields_show_and_nothing_is_wrong(form):
    assert shown(form, {}) == ALWAYS_SHOWN
    assert errors(form, {}) == {}
    assert clean_answers(form, {}, today=TODAY) == {"feelings_count": 0}


def test_relevance_shows_a_question(form):
    assert shown(form, {"has_support": "yes"}) == [
        "intro",
        "about",
        "age",
        "hours_sleep",
        "last_visit",
        "has_support",
        "support_who",
        "feelings",
        "region",
        "city",
        "summary",
        "email",
    ]


def test_a_hidden_group_hides_everything_inside_it_including_nested_groups(form):
    one_feeling = shown(form, {"feelings": ["sad"], "age": "40"})
    assert "feelings_more" not in one_feeling
    assert "feelings_note" not in one_feeling
    assert "adults" not in one_feeling
    assert "children" not in one_feeling
    two = shown(form, {"feelings": ["sad", "calm"], "age": "40"})
    assert two[two.index("feelings") + 1 : two.index("region")] == [
        "feelings_more",
        "feelings_note",
        "adults",
        "children",
    ]
    young = shown(form, {"feelings": ["sad", "calm"], "age": "17"})
    assert young[young.index("feelings") + 1 : young.index("region")] == [
        "feelings_more",
        "feelings_note",
    ]


def test_hidden_answers_are_dropped_and_never_validated(form):
    answers = {
        "has_support": "no",
        "support_who": "Sam",  # hidden: has_support is not yes
        "feelings": ["sad"],
        "children": "many",  # hidden, and not even a number
    }
    result = evaluate(form, answers, language="en", today=TODAY)
    assert result.errors == {}
    assert result.values == {"has_support": "no", "feelings": ("sad",), "feelings_count": 1}
    assert "support_who" not in result.relevant
    assert "children" not in result.relevant


def test_a_hidden_answer_is_empty_for_the_rest_of_the_form(form):
    # age is answered, but once it is hidden nothing else may use it.
    answers = {"age": "40", "feelings": ["sad", "calm"]}
    assert "adults" in {f.name for f in visible_fields(form, answers, today=TODAY)}
    assert calculate(form, answers, today=TODAY)["age_next_year"] == 41


# -- required


def test_required_yes_with_the_forms_own_message_in_each_language(form):
    answers = {"has_support": "yes"}
    assert errors(form, answers, "en") == {"support_who": "Tell us who, or go back"}
    assert errors(form, answers, "es") == {"support_who": "Díganos quién, o vuelva atrás"}
    assert errors(form, {**answers, "support_who": "  "}, "es") == {
        "support_who": "Díganos quién, o vuelva atrás"
    }
    assert errors(form, {**answers, "support_who": "My sister"}) == {}


def test_required_as_an_expression(form):
    afraid = {"feelings": ["afraid", "sad"]}
    assert codes(form, afraid) == {"feelings_note": "required"}
    assert errors(form, afraid, "en") == {"feelings_note": engine_message("required", "en")}
    assert errors(form, afraid, "es") == {"feelings_note": engine_message("required", "es")}
    assert errors(form, {"feelings": ["calm", "sad"]}) == {}
    assert errors(form, {**afraid, "feelings_note": "Loud noises"}) == {}


def test_every_question_is_skippable_unless_required(form):
    every_input = [field.name for field in form.fields if field.is_input]
    everything_shown = {"has_support": "yes", "feelings": ["calm", "sad"], "age": "30"}
    result = evaluate(form, everything_shown, language="en", today=TODAY)
    skipped = [name for name in every_input if name not in everything_shown]
    assert set(result.errors) == {"support_who"}  # the one question marked required
    assert all(name in result.relevant for name in skipped)


# -- constraints


def test_constraints_with_the_forms_messages_in_each_language(form):
    assert codes(form, {"age": "12"}) == {"age": "constraint"}
    assert errors(form, {"age": "12"}, "en") == {"age": "Enter an age from 16 to 120"}
    assert errors(form, {"age": "12"}, "es") == {"age": "Escriba una edad de 16 a 120"}
    assert errors(form, {"age": "16"}) == {}
    assert errors(form, {"hours_sleep": "25"}, "es") == {"hours_sleep": "Escriba horas de 0 a 24"}
    assert errors(form, {"last_visit": "2025-03-16"}, "en") == {
        "last_visit": "The date cannot be in the future"
    }
    assert errors(form, {"last_visit": "2025-03-15"}) == {}


def test_constraints_use_the_current_value_of_a_multiple_choice(form):
    # pyxform straightens the form's curly quotes, as it does for every XLSForm tool.
    assert errors(form, {"feelings": ["none", "sad"]}, "es") == {
        "feelings": '"Ninguno" no puede ir con otros sentimientos'
    }
    assert errors(form, {"feelings": ["none"]}) == {}


def test_regex_constraint(form):
    assert errors(form, {"email": "me@example.org"}) == {}
    assert errors(form, {"email": "not an address"}, "es") == {
        "email": "Revise el correo electrónico"
    }


def test_a_constraint_without_its_own_message_uses_hearths():
    from tests.outcomes.xlsforms.builder import workbook

    bare = parse_xlsform(
        workbook([["type", "name", "label", "constraint"], ["integer", "n", "N", ". > 1"]])
    )
    assert validate(bare, {"n": "1"}, "en") == {"n": engine_message("constraint", "en")}
    assert validate(bare, {"n": "1"}, "es") == {"n": engine_message("constraint", "es")}


# -- answers from posted strings


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("age", "twelve", "integer"),
        ("age", "12.5", "integer"),
        ("age", "1e3", "integer"),
        ("age", "99999999999", "number_too_large"),
        ("hours_sleep", "seven", "decimal"),
        ("hours_sleep", "nan", "decimal"),
        ("hours_sleep", "inf", "decimal"),
        ("hours_sleep", "1e5", "decimal"),
        ("hours_sleep", "1,000", "decimal"),
        ("hours_sleep", "1,2,3", "decimal"),
        ("last_visit", "2025-02-30", "date"),
        ("last_visit", "15/03/2025", "date"),
        ("has_support", "maybe", "choice"),
        ("feelings", ["sad", "bored"], "choice"),
    ],
)
def test_wrong_types_and_choices_are_field_errors_in_the_persons_language(form, name, raw, code):
    assert codes(form, {name: raw}) == {name: code}
    for language in ("en", "es"):
        assert errors(form, {name: raw}, language) == {name: engine_message(code, language)}


def test_text_that_is_too_long(form):
    assert codes(form, {"email": "a" * (MAX_TEXT_CHARACTERS + 1)}) == {"email": "too_long"}
    assert errors(form, {"email": "a" * (MAX_TEXT_CHARACTERS + 1)}) == {
        "email": engine_message("too_long", "en", limit=MAX_TEXT_CHARACTERS)
    }


def test_engine_messages_keep_stable_codes():
    assert set(form_engine.MESSAGES) == {
        "required",
        "integer",
        "decimal",
        "number_too_large",
        "date",
        "choice",
        "too_long",
        "constraint",
    }
    assert str(form_engine.MESSAGES["integer"]) == "Enter a whole number"


def test_coercion_from_posted_strings(form):
    posted = QueryDict(
        "age=+30&hours_sleep=7,5&last_visit=2025-01-02&feelings=sad&feelings=calm&feelings=sad"
        "&email=++me@example.org++&feelings_count=99&intro=x"
    )
    answers, problems = coerce_answers(form, posted)
    assert problems == {}
    assert answers == {
        "age": 30,
        "hours_sleep": 7.5,
        "last_visit": date(2025, 1, 2),
        "feelings": ("calm", "sad"),  # in the order of the choice list, once each
        "email": "me@example.org",
    }


def test_typed_answers_pass_through(form):
    answers = {"age": 30, "hours_sleep": 5, "last_visit": date(2025, 1, 2), "feelings": ("sad",)}
    assert clean_answers(form, answers, today=TODAY) == {
        "age": 30,
        "hours_sleep": 5.0,
        "last_visit": date(2025, 1, 2),
        "feelings": ("sad",),
        "feelings_count": 1,
        "age_next_year": 31,
        "sleep_band": "short",
    }


def test_posted_calculations_are_ignored(form):
    assert calculate(form, {"feelings_count": "99", "feelings": ["sad"]}, today=TODAY) == {
        "feelings_count": 1
    }


# -- calculations


def test_calculations(form):
    answers = {"age": "30", "hours_sleep": "8", "feelings": ["calm", "sad"]}
    assert calculate(form, answers, today=TODAY) == {
        "feelings_count": 2,
        "age_next_year": 31,
        "sleep_band": "enough",
    }


def test_calculations_that_are_hidden_or_empty_are_absent(form):
    # sleep_band is not relevant without hours of sleep; age + 1 is NaN without an age.
    assert calculate(form, {}, today=TODAY) == {"feelings_count": 0}


# -- choice filters


def test_choice_filter_offers_only_matching_choices(form):
    north = evaluate(form, {"region": "north"}, language="en", today=TODAY)
    assert [choice.name for choice in north.choices["city"]] == ["n1"]
    south = evaluate(form, {"region": "south"}, language="en", today=TODAY)
    assert [choice.name for choice in south.choices["city"]] == ["s1", "s2"]
    assert codes(form, {"region": "north", "city": "s1"}) == {"city": "choice"}
    assert codes(form, {"region": "south", "city": "s1"}) == {}
    nothing = evaluate(form, {}, language="en", today=TODAY)
    assert nothing.choices["city"] == ()


# -- pages and texts


def test_validation_can_be_limited_to_one_page(form):
    answers = {"age": "12", "has_support": "yes"}
    assert errors(form, answers) == {
        "age": "Enter an age from 16 to 120",
        "support_who": "Tell us who, or go back",
    }
    assert errors(form, answers, fields=["age", "hours_sleep"]) == {
        "age": "Enter an age from 16 to 120"
    }


def test_errors_only_ever_name_shown_questions(form):
    answers = {"age": "5", "has_support": "yes", "feelings": ["afraid", "none"], "children": "x"}
    result = evaluate(form, answers, language="es", today=TODAY)
    assert set(result.errors) <= result.relevant
    assert set(result.errors) == {"age", "support_who", "feelings", "feelings_note"}


def test_texts_show_answers_in_the_persons_language(form):
    values = clean_answers(form, {"feelings": ["calm", "sad"]}, today=TODAY)
    summary = form.field("summary")
    assert render_text(form, summary.label, "en", values) == "You chose 2 feelings"
    assert render_text(form, summary.label, "es", values) == "Eligió 2 sentimientos"
    assert form_engine.display_value(form, form.field("feelings"), ("calm", "sad"), "es") == (
        "Calma, Tristeza"
    )
    assert form_engine.display_value(form, form.field("hours_sleep"), 7.5, "en") == "7.5"
    assert form_engine.display_value(form, form.field("age"), None, "en") == ""


# -- the SAMHSA self-assessment


def test_self_assessment_scores_average_the_statements_answered():
    assessment = parse_xlsform(SELF_ASSESSMENT.read_bytes())
    answers = {"safety_1": "4", "safety_2": "3", "trust_1": "2", "peer_next": "Hire a peer"}
    result = evaluate(assessment, answers, language="es", today=TODAY)
    assert result.errors == {}
    assert result.values == {
        "safety_1": "4",
        "safety_2": "3",
        "safety_score": 3.5,
        "trust_1": "2",
        "trust_score": 2,
        "peer_next": "Hire a peer",
    }
    assert evaluate(assessment, {}, language="en", today=TODAY).values == {}
    assert validate(assessment, {"safety_1": "5"}, "en") == {
        "safety_1": engine_message("choice", "en")
    }
