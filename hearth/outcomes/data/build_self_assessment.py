"""Build `samhsa_self_assessment.xlsx`: an organization's self-assessment against the six
principles of a trauma-informed approach in SAMHSA's "Concept of Trauma and Guidance for a
Trauma-Informed Approach" (HHS Publication No. (SMA) 14-4884, 2014).

The statements are Hearth's own wording of what each principle asks of an organization. Each
principle is a group of three statements rated 1 (not yet) to 4 (fully), a calculated score (the
mean of the statements answered, empty when none is) and a free-text "one thing we will do next",
in English and Spanish. Every statement may be skipped.

Run from the repository root to rebuild the workbook beside this file:

    .venv/bin/python hearth/outcomes/data/build_self_assessment.py
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

OUTPUT = Path(__file__).with_name("samhsa_self_assessment.xlsx")

EN, ES = "English (en)", "Español (es)"

# (name, English title, Spanish title, [(English statement, Spanish statement), ...])
PRINCIPLES = [
    (
        "safety",
        "Safety",
        "Seguridad",
        [
            (
                "People who come to us feel physically safe in our spaces: entrances, waiting "
                "areas, rooms and online.",
                "Las personas que vienen se sienten físicamente seguras en nuestros espacios: "
                "entradas, salas de espera, salas y en línea.",
            ),
            (
                "We ask people what helps them feel safe, and we change what we do in response.",
                "Preguntamos a las personas qué les ayuda a sentirse seguras y cambiamos lo que "
                "hacemos en respuesta.",
            ),
            (
                "Staff and volunteers feel emotionally safe at work and can raise concerns "
                "without fear.",
                "El personal y el voluntariado se sienten emocionalmente seguros en el trabajo y "
                "pueden plantear inquietudes sin miedo.",
            ),
        ],
    ),
    (
        "trust",
        "Trustworthiness and transparency",
        "Confiabilidad y transparencia",
        [
            (
                "We explain our decisions, our rules and what happens to people's information "
                "in plain language.",
                "Explicamos nuestras decisiones, nuestras normas y lo que pasa con la "
                "información de las personas en lenguaje sencillo.",
            ),
            (
                "We do what we say we will do, and we tell people early when we cannot.",
                "Hacemos lo que decimos que haremos y avisamos pronto cuando no podemos.",
            ),
            (
                "People know how to make a complaint, and we tell them what changed because of it.",
                "Las personas saben cómo presentar una queja y les contamos qué cambió gracias a "
                "ella.",
            ),
        ],
    ),
    (
        "peer",
        "Peer support",
        "Apoyo entre pares",
        [
            (
                "People with lived experience of trauma work with us in paid roles.",
                "Personas con experiencia vivida de trauma trabajan con nosotros en puestos "
                "remunerados.",
            ),
            (
                "We connect people with peer support whenever they want it.",
                "Conectamos a las personas con apoyo entre pares siempre que lo deseen.",
            ),
            (
                "Peer supporters have training, supervision and fair pay, like other staff.",
                "Quienes dan apoyo entre pares tienen formación, supervisión y un pago justo, "
                "como el resto del personal.",
            ),
        ],
    ),
    (
        "collaboration",
        "Collaboration and mutuality",
        "Colaboración y mutualidad",
        [
            (
                "We make decisions with the people we serve, not only for them.",
                "Tomamos decisiones con las personas a quienes servimos, no solo por ellas.",
            ),
            (
                "Every role, from reception to leadership, is recognized as part of healing.",
                "Cada puesto, desde la recepción hasta la dirección, se reconoce como parte de "
                "la recuperación.",
            ),
            (
                "People we serve help shape our policies, for example through an advisory group.",
                "Las personas a quienes servimos ayudan a dar forma a nuestras políticas, por "
                "ejemplo en un grupo asesor.",
            ),
        ],
    ),
    (
        "empowerment",
        "Empowerment, voice and choice",
        "Empoderamiento, voz y elección",
        [
            (
                "People choose among options for their care and can say no without losing "
                "services.",
                "Las personas eligen entre opciones para su atención y pueden decir que no sin "
                "perder los servicios.",
            ),
            (
                "We build on people's strengths, not only on their problems.",
                "Partimos de las fortalezas de las personas, no solo de sus problemas.",
            ),
            (
                "Staff are supported to use their own voice and choice in their work.",
                "Se apoya al personal para que use su propia voz y elección en su trabajo.",
            ),
        ],
    ),
    (
        "culture",
        "Cultural, historical and gender issues",
        "Cuestiones culturales, históricas y de género",
        [
            (
                "We offer our services in the languages of the people we serve.",
                "Ofrecemos nuestros servicios en los idiomas de las personas a quienes servimos.",
            ),
            (
                "We recognize historical trauma and work to undo bias and stereotypes in our "
                "practice.",
                "Reconocemos el trauma histórico y trabajamos para eliminar sesgos y "
                "estereotipos en nuestra práctica.",
            ),
            (
                "Our services respond to people's gender, culture and traditions, including "
                "traditional ways of healing.",
                "Nuestros servicios responden al género, la cultura y las tradiciones de las "
                "personas, incluidas las formas tradicionales de sanación.",
            ),
        ],
    ),
]

SCALE = [
    ("1", "1: Not yet", "1: Todavía no"),
    ("2", "2: Starting", "2: Empezando"),
    ("3", "3: Mostly", "3: En gran parte"),
    ("4", "4: Fully", "4: Plenamente"),
]

SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{EN}",
    f"label::{ES}",
    f"hint::{EN}",
    f"hint::{ES}",
    "calculation",
    "appearance",
]


def survey_rows() -> list[list[str]]:
    def row(type_: str, name: str, en: str = "", es: str = "", **columns: str) -> list[str]:
        values = {
            "type": type_,
            "name": name,
            f"label::{EN}": en,
            f"label::{ES}": es,
            f"hint::{EN}": columns.get("hint_en", ""),
            f"hint::{ES}": columns.get("hint_es", ""),
            "calculation": columns.get("calculation", ""),
            "appearance": columns.get("appearance", ""),
        }
        return [values[column] for column in SURVEY_COLUMNS]

    rows = [
        SURVEY_COLUMNS,
        row(
            "note",
            "introduction",
            "This self-assessment looks at how your organization lives the six principles of a "
            "trauma-informed approach. Rate each statement from 1 (not yet) to 4 (fully). Skip "
            "any statement you cannot rate.",
            "Esta autoevaluación revisa cómo su organización vive los seis principios de un "
            "enfoque informado sobre el trauma. Califique cada afirmación de 1 (todavía no) a 4 "
            "(plenamente). Omita cualquier afirmación que no pueda calificar.",
        ),
    ]
    for number, (name, title_en, title_es, statements) in enumerate(PRINCIPLES, start=1):
        rows.append(
            row(
                "begin_group",
                name,
                f"{number}. {title_en}",
                f"{number}. {title_es}",
                hint_en="1 = not yet, 4 = fully",
                hint_es="1 = todavía no, 4 = plenamente",
            )
        )
        items = [f"{name}_{index}" for index in range(1, len(statements) + 1)]
        for item, (statement_en, statement_es) in zip(items, statements, strict=True):
            rows.append(row("select_one scale", item, statement_en, statement_es))
        total = " + ".join(f"number(coalesce(${{{item}}}, 0))" for item in items)
        answered = " + ".join(f"if(${{{item}}} != '', 1, 0)" for item in items)
        # 0 div 0 is NaN when nothing is answered, which the engine stores as no score.
        rows.append(row("calculate", f"{name}_score", calculation=f"({total}) div ({answered})"))
        rows.append(
            row(
                "text",
                f"{name}_next",
                f"One thing we will do next about {title_en.lower()}",
                f"Una cosa que haremos a continuación sobre {title_es.lower()}",
                appearance="multiline",
            )
        )
        rows.append(row("end_group", ""))
    return rows


def build(path: Path = OUTPUT) -> Path:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for values in survey_rows():
        survey.append(values)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{EN}", f"label::{ES}"])
    for name, en, es in SCALE:
        choices.append(["scale", name, en, es])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(
        [
            "Trauma-informed approach: organization self-assessment",
            "samhsa_self_assessment",
            "2025.1",
            EN,
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))
    return path


def _reproducible(data: bytes) -> bytes:
    """The same workbook with fixed times, so rebuilding an unchanged form gives the same file."""
    stamp = "2025-01-01T00:00:00Z"
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + stamp.encode(),
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return output.getvalue()


if __name__ == "__main__":
    sys.stdout.write(f"{build()}\n")
