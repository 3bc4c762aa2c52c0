"""Build `weekly_check_in.xlsx`: the demo's uploaded check-in form (hearth/outcomes/demo.py), a
short weekly check-in in English and Spanish that uses the features people meet most: a note,
one choice, a number with a constraint, several choices with a constraint, a question shown only
after an answer (relevant), and a free-text question the form marks required — which a check-in
never enforces (every question may be skipped; see docs/architecture.md).

Run from the repository root to rebuild the workbook beside this file:

    .venv/bin/python hearth/outcomes/data/build_weekly_check_in.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).parent))
from build_self_assessment import _reproducible

OUTPUT = Path(__file__).with_name("weekly_check_in.xlsx")
EN, ES = "English (en)", "Español (es)"

SURVEY = [
    [
        "type",
        "name",
        f"label::{EN}",
        f"label::{ES}",
        "required",
        f"required_message::{EN}",
        f"required_message::{ES}",
        "relevant",
        "constraint",
        f"constraint_message::{EN}",
        f"constraint_message::{ES}",
        "appearance",
    ],
    [
        "note",
        "introduction",
        "A few questions about your week. Skip anything you like.",
        "Unas preguntas sobre su semana. Omita lo que quiera.",
    ],
    [
        "select_one week",
        "week",
        "How has this week been for you?",
        "¿Cómo ha sido esta semana para usted?",
    ],
    [
        "integer",
        "nights",
        "On how many of the last 7 nights did you sleep well?",
        "¿Cuántas de las últimas 7 noches durmió bien?",
        "",
        "",
        "",
        "",
        ". >= 0 and . <= 7",
        "Enter a number from 0 to 7",
        "Escriba un número de 0 a 7",
    ],
    [
        "select_multiple helped",
        "helped",
        "What helped this week?",
        "¿Qué le ayudó esta semana?",
        "",
        "",
        "",
        "",
        "not(selected(., 'none') and count-selected(.) > 1)",
        "“Nothing this week” cannot go with other answers",
        "“Nada esta semana” no puede ir con otras respuestas",
    ],
    [
        "text",
        "helped_other",
        "What else helped?",
        "¿Qué más le ayudó?",
        "",
        "",
        "",
        "selected(${helped}, 'other')",
    ],
    [
        "text",
        "wish",
        "Is there anything you would like us to know?",
        "¿Hay algo que le gustaría que supiéramos?",
        "yes",
        "Tell us, or leave it blank",
        "Cuéntenos, o déjelo en blanco",
        "",
        "",
        "",
        "",
        "multiline",
    ],
]

CHOICES = [
    ["list_name", "name", f"label::{EN}", f"label::{ES}"],
    ["week", "good", "Mostly good", "Mayormente buena"],
    ["week", "mixed", "Mixed", "Con altibajos"],
    ["week", "hard", "Hard", "Difícil"],
    ["helped", "people", "Time with people I trust", "Tiempo con personas de confianza"],
    ["helped", "outdoors", "Being outdoors", "Estar al aire libre"],
    ["helped", "circle", "The wellbeing circle", "El círculo de bienestar"],
    ["helped", "other", "Something else", "Otra cosa"],
    ["helped", "none", "Nothing this week", "Nada esta semana"],
]

SETTINGS = [
    ["form_title", "form_id", "version", "default_language"],
    ["Weekly check-in", "weekly_check_in", "2025.1", EN],
]


def build(path: Path = OUTPUT) -> Path:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for values in SURVEY:
        survey.append(values)
    for title, rows in (("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))
    return path


if __name__ == "__main__":
    sys.stdout.write(f"{build()}\n")
