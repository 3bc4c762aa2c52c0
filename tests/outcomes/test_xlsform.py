"""XLSForm upload: a workbook becomes a validated definition, or every problem is listed by sheet,
row and column and nothing is returned."""

import io
import json
from pathlib import Path

import pytest

from hearth.outcomes.xlsform import (
    Choice,
    FieldType,
    Form,
    Language,
    XLSFormError,
    XLSFormErrors,
    parse_xlsform,
)
from tests.outcomes.xlsforms.builder import checkin_workbook, fixture, workbook

SELF_ASSESSMENT = (
    Path(__file__).resolve().parents[2]
    / "hearth"
    / "outcomes"
    / "data"
    / "samhsa_self_assessment.xlsx"
)


def errors_of(data: bytes) -> list[XLSFormError]:
    with pytest.raises(XLSFormErrors) as caught:
        parse_xlsform(data)
    return caught.value.errors


def located(errors):
    return [(e.sheet, e.row, e.column, e.header, e.code) for e in errors]


def simple(*rows, header=("type", "name", "label"), choices=None, settings=None, **sheets):
    return workbook([list(header), *[list(row) for row in rows]], choices, settings, **sheets)


# -- a form with every supported feature, in English and Spanish


@pytest.fixture(scope="module")
def checkin() -> Form:
    return parse_xlsform(fixture("checkin_bilingual.xlsx"))


def test_the_committed_fixture_matches_its_builder(checkin):
    assert parse_xlsform(checkin_workbook()) == checkin


def test_settings_and_languages(checkin):
    assert checkin.form_id == "weekly_checkin"
    assert checkin.title == "Weekly check-in"
    assert checkin.version == "3"
    assert checkin.default_language == "en"
    assert checkin.languages == (Language("English (en)", "en"), Language("Español (es)", "es"))


def test_fields_types_and_groups(checkin):
    assert [(f.name, f.type, f.group, f.row) for f in checkin.fields] == [
        ("intro", FieldType.NOTE, None, 2),
        ("about", FieldType.GROUP, None, 3),
        ("age", FieldType.INTEGER, "about", 4),
        ("hours_sleep", FieldType.DECIMAL, "about", 5),
        ("last_visit", FieldType.DATE, "about", 6),
        ("has_support", FieldType.SELECT_ONE, None, 9),
        ("support_who", FieldType.TEXT, None, 10),
        ("feelings", FieldType.SELECT_MULTIPLE, None, 11),
        ("feelings_more", FieldType.GROUP, None, 12),
        ("feelings_note", FieldType.TEXT, "feelings_more", 13),
        ("adults", FieldType.GROUP, "feelings_more", 14),
        ("children", FieldType.INTEGER, "adults", 15),
        ("region", FieldType.SELECT_ONE, None, 18),
        ("city", FieldType.SELECT_ONE, None, 19),
        ("feelings_count", FieldType.CALCULATE, None, 20),
        ("age_next_year", FieldType.CALCULATE, None, 21),
        ("sleep_band", FieldType.CALCULATE, None, 22),
        ("summary", FieldType.NOTE, None, 23),
        ("email", FieldType.TEXT, None, 24),
    ]
    assert [f.name for f in checkin.children("feelings_more")] == ["feelings_note", "adults"]


def test_labels_hints_and_messages_in_both_languages(checkin):
    about = checkin.field("about")
    assert about.label == {"en": "About you", "es": "Sobre usted"}
    assert about.hint == {"en": "Skip anything", "es": "Omita lo que quiera"}
    age = checkin.field("age")
    assert age.constraint.source == ". >= 16 and . <= 120"
    assert age.constraint_message == {
        "en": "Enter an age from 16 to 120",
        "es": "Escriba una edad de 16 a 120",
    }
    support = checkin.field("support_who")
    assert support.required is True  # an Excel TRUE
    assert support.required_if is None
    assert support.required_message == {
        "en": "Tell us who, or go back",
        "es": "Díganos quién, o vuelva atrás",
    }
    assert support.relevant.source == "${has_support} = 'yes'"
    assert checkin.text(support.label, "es") == "¿Quién es?"
    assert checkin.text(support.label, "es-MX") == "¿Quién es?"
    assert checkin.text(support.label, "fr") == "Who is it?"
    assert checkin.text(support.label, None) == "Who is it?"


def test_required_as_expression_choices_filters_and_appearance(checkin):
    note = checkin.field("feelings_note")
    assert note.required is False
    assert note.required_if.source == "selected(${feelings}, 'afraid')"
    assert note.appearance == "multiline"
    feelings = checkin.field("feelings")
    assert feelings.list_name == "feelings"
    assert [c.name for c in feelings.choices] == ["calm", "afraid", "sad", "none"]
    assert feelings.choices[3].label == {"en": "None of these", "es": "Ninguno"}
    city = checkin.field("city")
    assert city.choice_filter.source == "region = ${region}"
    assert city.choices == (
        Choice("n1", {"en": "Northtown", "es": "Villanorte"}, {"region": "north"}),
        Choice("s1", {"en": "Southport", "es": "Puertosur"}, {"region": "south"}),
        Choice("s2", {"en": "Southvale", "es": "Vallesur"}, {"region": "south"}),
    )
    assert checkin.field("sleep_band").calculation.source == (
        "if(${hours_sleep} < 6, 'short', 'enough')"
    )


def test_evaluation_order_puts_what_is_needed_first(checkin):
    order = list(checkin.order)
    assert order.index(("value", "age")) < order.index(("relevant", "adults"))
    assert order.index(("relevant", "feelings_more")) < order.index(("relevant", "adults"))
    assert order.index(("value", "feelings")) < order.index(("value", "feelings_count"))
    assert order.index(("value", "hours_sleep")) < order.index(("relevant", "sleep_band"))
    assert len(order) == len(set(order))


def test_definition_survives_json(checkin):
    stored = json.loads(json.dumps(checkin.to_dict()))
    assert Form.from_dict(stored) == checkin


def test_file_objects_are_read_too():
    assert parse_xlsform(io.BytesIO(checkin_workbook())).form_id == "weekly_checkin"


# -- languages


def test_columns_without_a_language_belong_to_the_default_language_setting():
    form = parse_xlsform(
        simple(
            ["text", "a", "Name", "Nombre"],
            header=("type", "name", "label", "label::Español (es)"),
            settings=[["default_language"], ["English (en)"]],
        )
    )
    assert form.default_language == "en"
    assert form.field("a").label == {"en": "Name", "es": "Nombre"}


def test_a_form_without_languages_shows_its_text_to_everyone():
    form = parse_xlsform(simple(["text", "a", "Name"]))
    assert form.default_language == ""
    assert form.languages == (Language("default", ""),)
    assert form.field("a").label == {"": "Name"}
    assert form.text(form.field("a").label, "es") == "Name"
    assert form.title == ""


def test_without_a_setting_the_first_named_language_is_the_default():
    form = parse_xlsform(
        simple(
            ["text", "a", "Nombre", "Name", "Pista"],
            header=("type", "name", "label::Español (es)", "label::English (en)", "hint"),
        )
    )
    assert form.default_language == "es"
    assert form.text(form.field("a").label, "de") == "Nombre"
    assert form.field("a").hint == {"es": "Pista"}


# -- the SAMHSA self-assessment shipped with Hearth


def test_the_self_assessment_passes_the_parser():
    form = parse_xlsform(SELF_ASSESSMENT.read_bytes())
    assert form.form_id == "samhsa_self_assessment"
    assert form.title == "Trauma-informed approach: organization self-assessment"
    assert form.default_language == "en"
    assert [language.code for language in form.languages] == ["en", "es"]
    groups = [f for f in form.fields if f.type == FieldType.GROUP]
    assert [g.name for g in groups] == [
        "safety",
        "trust",
        "peer",
        "collaboration",
        "empowerment",
        "culture",
    ]
    for group in groups:
        children = form.children(group.name)
        assert [c.type for c in children] == [
            FieldType.SELECT_ONE,
            FieldType.SELECT_ONE,
            FieldType.SELECT_ONE,
            FieldType.CALCULATE,
            FieldType.TEXT,
        ]
        assert children[4].name == f"{group.name}_next"
        for child in children:
            assert child.required is False and child.required_if is None
            if child.type != FieldType.CALCULATE:
                assert set(child.label) == {"en", "es"}
                assert all(child.label.values())
        assert [c.name for c in children[0].choices] == ["1", "2", "3", "4"]
        assert children[0].choices[0].label == {"en": "1: Not yet", "es": "1: Todavía no"}
    assert form.field("culture").label == {
        "en": "6. Cultural, historical and gender issues",
        "es": "6. Cuestiones culturales, históricas y de género",
    }


def test_the_self_assessment_file_is_what_its_script_builds(tmp_path):
    from hearth.outcomes.data.build_self_assessment import build

    rebuilt = build(tmp_path / "rebuilt.xlsx")
    assert rebuilt.read_bytes() == SELF_ASSESSMENT.read_bytes()


# -- unsupported features are named, with where they are


@pytest.mark.parametrize(
    "type_",
    [
        "range",
        "rank colours",
        "time",
        "datetime",
        "acknowledge",
        "trigger",
        "geopoint",
        "geotrace",
        "geoshape",
        "image",
        "audio",
        "video",
        "file",
        "barcode",
        "begin repeat",
        "begin_repeat",
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "audit",
        "hidden",
        "xml-external",
        "csv-external",
        "select_one_external colours",
        "select_one_from_file places.csv",
        "select_multiple_from_file places.csv",
    ],
)
def test_every_unsupported_type_is_named_with_its_location(type_):
    rows = [["text", "before", "Before"], [type_, "thing", "Thing"]]
    if type_.startswith("begin"):
        rows.append(["end repeat"])
    errors = errors_of(simple(*rows))
    assert located(errors) == [("survey", 3, "A", "type", "unsupported_type")]
    assert errors[0].message == f"The type “{type_}” is not supported"
    assert str(errors[0]) == (
        f"sheet “survey”, row 3, column A (type): The type “{type_}” is not supported"
    )


def test_or_other_is_named():
    errors = errors_of(
        simple(
            ["select_one colours or_other", "c", "Colour"],
            choices=[["list_name", "name", "label"], ["colours", "red", "Red"]],
        )
    )
    assert located(errors) == [("survey", 2, "A", "type", "unsupported_type")]
    assert "“or_other” is not supported" in errors[0].message


@pytest.mark.parametrize(
    ("column", "feature"),
    [
        ("default", "default values"),
        ("read_only", "read-only questions"),
        ("repeat_count", "repeats"),
        ("image", "media"),
        ("media::image", "media"),
        ("audio::Español (es)", "media"),
        ("guidance_hint", "guidance hints"),
        ("parameters", "question parameters"),
        ("body::accuracyThreshold", "body attributes"),
    ],
)
def test_every_unsupported_column_is_named(column, feature):
    errors = errors_of(simple(["text", "a", "A", "x"], header=("type", "name", "label", column)))
    assert located(errors) == [("survey", 1, "D", column, "unsupported_column")]
    assert errors[0].message == f"The column “{column}” ({feature}) is not supported"


def test_unsupported_sheets_settings_and_choice_media_are_named():
    errors = errors_of(
        simple(
            ["select_one c", "a", "A"],
            choices=[["list_name", "name", "label", "image"], ["c", "x", "X", "x.png"]],
            settings=[["form_id", "public_key", "instance_name"], ["f", "abc", "concat('a')"]],
            external_choices=[["list_name", "name"], ["x", "y"]],
            entities=[["list_name", "label"], ["people", "x"]],
        )
    )
    assert located(errors) == [
        ("choices", 1, "D", "image", "unsupported_column"),
        ("settings", 1, "B", "public_key", "unsupported_setting"),
        ("settings", 1, "C", "instance_name", "unsupported_setting"),
        ("external_choices", None, None, None, "unsupported_sheet"),
        ("entities", None, None, None, "unsupported_sheet"),
    ]
    assert errors[3].message == ("The “external_choices” sheet (external selects) is not supported")


def test_unknown_functions_in_expressions_are_named_with_position():
    errors = errors_of(
        simple(
            ["integer", "a", "A", "pulldata('f', 'x', 'y', 'z') > 1"],
            header=("type", "name", "label", "relevant"),
        )
    )
    assert located(errors) == [("survey", 2, "D", "relevant", "expression")]
    assert errors[0].message == (
        "“pulldata('f', 'x', 'y', 'z') > 1”: The function “pulldata” is not supported "
        "(at character 1)"
    )


def test_the_committed_unsupported_fixture_names_everything():
    errors = errors_of(fixture("unsupported_features.xlsx"))
    assert [(e.sheet, e.row, e.column, e.code) for e in errors] == [
        ("survey", 1, "D", "unsupported_column"),
        ("survey", 1, "E", "unsupported_column"),
        ("survey", 2, "A", "unsupported_type"),
        ("survey", 3, "A", "unsupported_type"),
        ("survey", 4, "A", "unsupported_type"),
        ("survey", 7, "A", "unsupported_type"),
        ("survey", 8, "A", "unsupported_type"),
        ("survey", 9, "F", "expression"),
        ("settings", 1, "B", "unsupported_setting"),
        ("external_choices", None, None, "unsupported_sheet"),
    ]
    named = " ".join(e.message for e in errors)
    for feature in (
        "default",
        "media::image",
        "range",
        "time",
        "begin repeat",
        "geopoint",
        "select_one_from_file",
        "pulldata",
        "public_key",
        "external_choices",
    ):
        assert feature in named


# -- mistakes


def test_every_error_is_listed_together_and_nothing_is_returned():
    data = workbook(
        [
            ["type", "name", "label", "relevant", "constraint", "calculation"],
            ["integer", "age", "Age", "", ". >"],
            ["integer", "age", "Age again"],
            ["select_one nowhere", "place", "Place"],
            ["colour", "favourite", "Favourite"],
            ["text", "why", "", "${unknown} = 1"],
            ["calculate", "c1", "", "", "", "${c2} + 1"],
            ["calculate", "c2", "", "", "", "${c1} + 1"],
            ["begin group", "open", "Never closed"],
        ],
        [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "yes", "Yes again"]],
    )
    errors = errors_of(data)
    assert located(errors) == [
        ("survey", 2, "E", "constraint", "expression"),
        ("survey", 3, "B", "name", "duplicate_name"),
        ("survey", 4, "A", "type", "unknown_choice_list"),
        ("survey", 5, "A", "type", "unknown_type"),
        ("survey", 6, "C", "label", "missing_label"),
        ("survey", 6, "D", "relevant", "unknown_reference"),
        ("survey", 7, "F", "calculation", "circular"),
        ("survey", 9, "A", "type", "unclosed_group"),
        ("choices", 3, "B", "name", "duplicate_choice"),
    ]
    messages = [e.message for e in errors]
    assert messages == [
        "“. >”: The expression ends too soon (at character 4)",
        "The name “age” is already used on row 2",
        "The choice list “nowhere” is not on the choices sheet",
        "“colour” is not a question type Hearth knows",
        "There is no label",
        "“${unknown}” does not match the name of any question",
        "These questions depend on each other in a circle: c1, c2",
        "The group “open” has no “end group” row",
        "The list “yes_no” already has a choice “yes” on row 2",
    ]


@pytest.mark.parametrize(
    ("rows", "header", "expected", "message"),
    [
        (
            [["text", "a", "A"], ["text", "b", "Hello ${nobody}"]],
            ("type", "name", "label"),
            ("survey", 3, "C", "label", "unknown_reference"),
            "“${nobody}” does not match the name of any question",
        ),
        (
            [["begin group", "g", "G"], ["end group"], ["text", "b", "B", "${g} = 1"]],
            ("type", "name", "label", "relevant"),
            ("survey", 4, "D", "relevant", "reference_without_value"),
            "“${g}” is a group, which has no answer",
        ),
        (
            [["text", "a", "A", ". = 'x'"]],
            ("type", "name", "label", "relevant"),
            ("survey", 2, "D", "relevant", "expression"),
            "“. = 'x'”: “.” (this answer) can only be used in a constraint (at character 1)",
        ),
        (
            [["text", "a", "A", "a = 'x'"]],
            ("type", "name", "label", "relevant"),
            ("survey", 2, "D", "relevant", "expression"),
            "“a = 'x'”: “a” is not understood here; to use the answer to a question, write "
            "${a} (at character 1)",
        ),
        (
            [["text", "a", "A", "${a} != ''"]],
            ("type", "name", "label", "relevant"),
            ("survey", 2, "D", "relevant", "circular"),
            "These questions depend on each other in a circle: a",
        ),
        (
            [["text", "a", "A", "1 + 1"]],
            ("type", "name", "label", "calculation"),
            ("survey", 2, "D", "calculation", "unsupported_calculation"),
            "A calculation on a “text” row is not supported: use a separate calculate row",
        ),
        (
            [["calculate", "a", ""]],
            ("type", "name", "label"),
            ("survey", 2, None, None, "missing_calculation"),
            "A calculate row needs a calculation",
        ),
        (
            [["note", "a", "A", ". > 1"]],
            ("type", "name", "label", "constraint"),
            ("survey", 2, "D", "constraint", "column_not_allowed"),
            "“constraint” cannot be used on a “note” row",
        ),
        (
            [["note", "a", "A", "yes"]],
            ("type", "name", "label", "required"),
            ("survey", 2, "D", "required", "column_not_allowed"),
            "“required” cannot be used on a “note” row",
        ),
        (
            [["text", "a", "A", "${b} >"]],
            ("type", "name", "label", "required"),
            ("survey", 2, "D", "required", "expression"),
            "“${b} >”: The expression ends too soon (at character 7)",
        ),
        (
            [["text", "", "A"]],
            ("type", "name", "label"),
            ("survey", 2, "B", "name", "missing_name"),
            "This row has no name",
        ),
        (
            [["text", "2nd", "A"]],
            ("type", "name", "label"),
            ("survey", 2, "B", "name", "invalid_name"),
            None,
        ),
        (
            [["", "a", "A"]],
            ("type", "name", "label"),
            ("survey", 2, "A", "type", "missing_type"),
            "This row has no type",
        ),
        (
            [["end group"]],
            ("type", "name", "label"),
            ("survey", 2, "A", "type", "unmatched_end_group"),
            "This “end group” row has no matching begin row",
        ),
        (
            [["select_one", "a", "A"]],
            ("type", "name", "label"),
            ("survey", 2, "A", "type", "missing_choice_list"),
            "“select_one” needs the name of a choice list after it",
        ),
        (
            [["text", "a", "A", "x"]],
            ("type", "name", "label", "relevnt"),
            ("survey", 1, "D", "relevnt", "unknown_column"),
            "The column “relevnt” is not an XLSForm column Hearth knows",
        ),
        (
            [["text", "a", "A", "B"]],
            ("type", "name", "label", "label::Spanish"),
            ("survey", 1, "D", "label::Spanish", "language_code"),
            "The language “Spanish” has no language code: write it like “Español (es)”",
        ),
        (
            [["text", "a", "Only Spanish", ""]],
            ("type", "name", "label::Español (es)", "label::English (en)"),
            None,
            None,
        ),
    ],
)
def test_single_mistakes_are_located(rows, header, expected, message):
    if expected is None:
        # Only the default language is required; the others fall back to it.
        assert parse_xlsform(simple(*rows, header=header)).field("a").label == {
            "es": "Only Spanish"
        }
        return
    errors = errors_of(simple(*rows, header=header))
    assert located(errors) == [expected]
    if message is not None:
        assert errors[0].message == message


def test_missing_label_names_the_default_language():
    errors = errors_of(
        simple(
            ["text", "a", "", "Solo español"],
            header=("type", "name", "label::English (en)", "label::Español (es)"),
            settings=[["default_language"], ["English (en)"]],
        )
    )
    assert located(errors) == [("survey", 2, "C", "label::English (en)", "missing_label")]
    assert errors[0].message == "There is no label in the default language (English (en))"


def test_choice_sheet_mistakes():
    errors = errors_of(
        simple(
            ["select_multiple c", "a", "A"],
            ["select_one c", "b", "B", "colour = ${a}"],
            header=("type", "name", "label", "choice_filter"),
            choices=[
                ["list_name", "name", "label"],
                ["c", "two words", "Two words"],
                ["c", "", "No name"],
                ["", "x", "No list"],
                ["c", "y", ""],
            ],
        )
    )
    assert located(errors) == [
        ("survey", 3, "D", "choice_filter", "unknown_choice_column"),
        ("choices", 2, "B", "name", "choice_name_space"),
        ("choices", 3, "B", "name", "missing_choice_name"),
        ("choices", 4, "A", "list_name", "missing_list_name"),
        ("choices", 5, "C", "label", "missing_label"),
    ]


def test_workbooks_that_cannot_be_forms():
    assert located(errors_of(b"not a spreadsheet")) == [(None, None, None, None, "not_xlsx")]
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "choices"
    book.create_sheet("notes")
    buffer = io.BytesIO()
    book.save(buffer)
    assert located(errors_of(buffer.getvalue())) == [(None, None, None, None, "no_survey")]


def test_a_lone_sheet_with_another_name_is_the_survey():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["type", "name", "label"])
    book.active.append(["text", "a", "A"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert [f.name for f in parse_xlsform(buffer.getvalue()).fields] == ["a"]


def test_invalid_form_id():
    errors = errors_of(simple(["text", "a", "A"], settings=[["form_id"], ["has space"]]))
    assert located(errors) == [("settings", 2, "A", "form_id", "invalid_form_id")]


def test_what_only_pyxform_refuses_is_reported_with_its_location():
    errors = errors_of(simple(["begin group", "meta", "Meta"], ["text", "a", "A"], ["end group"]))
    assert located(errors) == [("survey", 2, "B", "name", "pyxform")]
    assert errors[0].message == (
        "On the 'survey' sheet, the 'name' value 'meta' is invalid. The name 'meta' is reserved "
        "for form metadata."
    )


def test_oversized_files_are_refused_before_reading():
    import zipfile

    from hearth.outcomes import xlsform

    assert located(errors_of(b"x" * (xlsform.MAX_FILE_BYTES + 1))) == [
        (None, None, None, None, "file_too_large")
    ]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (xlsform.MAX_UNPACKED_BYTES + 1))
    assert len(bomb.getvalue()) < xlsform.MAX_FILE_BYTES
    assert located(errors_of(bomb.getvalue())) == [(None, None, None, None, "file_too_large")]


def test_too_many_rows_are_refused(monkeypatch):
    from hearth.outcomes import xlsform

    monkeypatch.setattr(xlsform, "MAX_ROWS", 3)
    errors = errors_of(simple(*[["text", f"q{n}", "Q"] for n in range(5)]))
    assert located(errors) == [("survey", 5, None, None, "too_many_rows")]
    assert errors[0].message == "A sheet may have at most 3 rows"
