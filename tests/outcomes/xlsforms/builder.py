"""Build XLSForm workbooks in memory for tests: each sheet is a list of rows, the first row the
column headings."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

Rows = Sequence[Sequence[object]]
HERE = Path(__file__).parent


def workbook(
    survey: Rows,
    choices: Rows | None = None,
    settings: Rows | None = None,
    **other_sheets: Rows,
) -> bytes:
    """An .xlsx file as bytes with the sheets given (other sheets by keyword)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    for title, rows in (("choices", choices), ("settings", settings), *other_sheets.items()):
        if rows is None:
            continue
        extra = book.create_sheet(title)
        for row in rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fixture(name: str) -> bytes:
    """A committed workbook from this folder."""
    return (HERE / name).read_bytes()


# A check-in form that uses every supported feature, in English and Spanish. Quirks on purpose:
# a blank row, an Excel boolean in `required`, a spaced language heading, an instructions sheet.
EN, ES = "English (en)", "Español (es)"
CHECKIN_SURVEY: list[list[object]] = [
    [
        "type",
        "name",
        f"label::{EN}",
        "label:: Español (es)",
        f"hint::{EN}",
        f"hint::{ES}",
        "required",
        f"required_message::{EN}",
        f"required_message::{ES}",
        "relevant",
        "constraint",
        f"constraint_message::{EN}",
        f"constraint_message::{ES}",
        "calculation",
        "choice_filter",
        "appearance",
    ],
    ["note", "intro", "Welcome", "Bienvenida"],
    ["begin_group", "about", "About you", "Sobre usted", "Skip anything", "Omita lo que quiera"],
    [
        "integer",
        "age",
        "Age",
        "Edad",
        "",
        "",
        "",
        "",
        "",
        "",
        ". >= 16 and . <= 120",
        "Enter an age from 16 to 120",
        "Escriba una edad de 16 a 120",
    ],
    [
        "decimal",
        "hours_sleep",
        "Hours of sleep last night",
        "Horas de sueño anoche",
        "",
        "",
        "",
        "",
        "",
        "",
        ". >= 0 and . <= 24",
        "Enter hours from 0 to 24",
        "Escriba horas de 0 a 24",
    ],
    [
        "date",
        "last_visit",
        "Date of your last visit",
        "Fecha de su última visita",
        "",
        "",
        "",
        "",
        "",
        "",
        ". <= today()",
        "The date cannot be in the future",
        "La fecha no puede estar en el futuro",
    ],
    ["end_group"],
    [],
    [
        "select_one yes_no",
        "has_support",
        "Do you have someone to talk to?",
        "¿Tiene con quién hablar?",
    ],
    [
        "text",
        "support_who",
        "Who is it?",
        "¿Quién es?",
        "",
        "",
        True,
        "Tell us who, or go back",
        "Díganos quién, o vuelva atrás",
        "${has_support} = 'yes'",
    ],
    [
        "select_multiple feelings",
        "feelings",
        "Which feelings did you have this week?",
        "¿Qué sentimientos tuvo esta semana?",
        "",
        "",
        "",
        "",
        "",
        "",
        "not(selected(., 'none') and count-selected(.) > 1)",
        "“None” cannot go with other feelings",
        "“Ninguno” no puede ir con otros sentimientos",
    ],
    [
        "begin group",
        "feelings_more",
        "More about your feelings",
        "Más sobre sus sentimientos",
        "",
        "",
        "",
        "",
        "",
        "count-selected(${feelings}) >= 2",
    ],
    [
        "text",
        "feelings_note",
        "Tell us more",
        "Cuéntenos más",
        "",
        "",
        "selected(${feelings}, 'afraid')",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "multiline",
    ],
    [
        "begin group",
        "adults",
        "For adults",
        "Para personas adultas",
        "",
        "",
        "",
        "",
        "",
        "${age} >= 18",
    ],
    ["integer", "children", "How many children live with you?", "¿Cuántos niños viven con usted?"],
    ["end group"],
    ["end group"],
    ["select_one region", "region", "Region", "Región"],
    [
        "select_one city",
        "city",
        "City",
        "Ciudad",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "region = ${region}",
    ],
    [
        "calculate",
        "feelings_count",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "count-selected(${feelings})",
    ],
    ["calculate", "age_next_year", "", "", "", "", "", "", "", "", "", "", "", "${age} + 1"],
    [
        "calculate",
        "sleep_band",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "${hours_sleep} != ''",
        "",
        "",
        "",
        "if(${hours_sleep} < 6, 'short', 'enough')",
    ],
    [
        "note",
        "summary",
        "You chose ${feelings_count} feelings",
        "Eligió ${feelings_count} sentimientos",
    ],
    [
        "text",
        "email",
        "E-mail (optional)",
        "Correo electrónico (opcional)",
        "",
        "",
        "",
        "",
        "",
        "",
        "regex(., '^[^@ ]+@[^@ ]+\\.[a-z]+$')",
        "Check the e-mail address",
        "Revise el correo electrónico",
    ],
]
CHECKIN_CHOICES: list[list[object]] = [
    ["list_name", "name", f"label::{EN}", f"label::{ES}", "region"],
    ["yes_no", "yes", "Yes", "Sí"],
    ["yes_no", "no", "No", "No"],
    ["feelings", "calm", "Calm", "Calma"],
    ["feelings", "afraid", "Afraid", "Miedo"],
    ["feelings", "sad", "Sad", "Tristeza"],
    ["feelings", "none", "None of these", "Ninguno"],
    ["region", "north", "North", "Norte"],
    ["region", "south", "South", "Sur"],
    ["city", "n1", "Northtown", "Villanorte", "north"],
    ["city", "s1", "Southport", "Puertosur", "south"],
    ["city", "s2", "Southvale", "Vallesur", "south"],
]
CHECKIN_SETTINGS: list[list[object]] = [
    ["form_title", "form_id", "version", "default_language"],
    ["Weekly check-in", "weekly_checkin", 3, EN],
]


def checkin_workbook() -> bytes:
    return workbook(
        CHECKIN_SURVEY,
        CHECKIN_CHOICES,
        CHECKIN_SETTINGS,
        instructions=[["Fill in the survey sheet. This sheet is ignored."]],
    )


# A form that uses many things Hearth does not support, each of which must be named.
UNSUPPORTED_SURVEY: list[list[object]] = [
    ["type", "name", "label", "default", "media::image", "relevant"],
    ["range", "pain", "Pain"],
    ["time", "wake", "Wake time"],
    ["begin repeat", "people", "People"],
    ["text", "person", "Person"],
    ["end repeat"],
    ["geopoint", "where", "Where"],
    ["select_one_from_file places.csv", "place", "Place"],
    ["text", "ok", "Fine", "", "", "pulldata('x', 'y', 'z', 'w')"],
]
UNSUPPORTED_SETTINGS: list[list[object]] = [["form_id", "public_key"], ["unsupported", "abc"]]


def unsupported_workbook() -> bytes:
    return workbook(
        UNSUPPORTED_SURVEY,
        None,
        UNSUPPORTED_SETTINGS,
        external_choices=[["list_name", "name"], ["x", "y"]],
    )


FIXTURES = {
    "checkin_bilingual.xlsx": checkin_workbook,
    "unsupported_features.xlsx": unsupported_workbook,
}


if __name__ == "__main__":
    for name, build in FIXTURES.items():
        (HERE / name).write_bytes(build())
