"""Personal Wellbeing Index - Adult (PWI-A), the seven domains of the 5th edition manual.

English: the published wording (International Wellbeing Group 2013). The optional "life as a
whole" question is not part of the index and is left out. Spanish: the manual lists Spanish
versions, but we do not know their wording with certainty, so the Spanish here is Hearth's own
translation, marked for review.
"""

CODE = "pwi"
SHORT_NAME = "PWI"
VERSION = "Adult, 5th edition manual (2013)"
LICENCE = "Free with citation (International Wellbeing Group, Deakin University)."
CITATION = (
    "International Wellbeing Group (2013). Personal Wellbeing Index: 5th Edition. Melbourne: "
    "Australian Centre on Quality of Life, Deakin University."
)

NAME = {
    "en": "Personal Wellbeing Index (PWI)",
    "es": "Índice de Bienestar Personal (PWI)",  # translation: Hearth
}

INSTRUCTIONS = {
    "en": (
        "The following questions ask how satisfied you feel, on a scale from zero to 10. Zero "
        "means you feel no satisfaction at all and 10 means you feel completely satisfied."
    ),
    # translation: Hearth
    "es": (
        "Las siguientes preguntas son sobre qué tan satisfecho/a se siente, en una escala de "
        "cero a 10. Cero significa que no siente ninguna satisfacción y 10 significa que se "
        "siente completamente satisfecho/a."
    ),
}

# translation: Hearth — every "es" text in this list.
ITEMS = [
    {
        "id": "pwi_1",
        "en": "How satisfied are you with your standard of living?",
        "es": "¿Qué tan satisfecho/a está con su nivel de vida?",
    },
    {
        "id": "pwi_2",
        "en": "How satisfied are you with your health?",
        "es": "¿Qué tan satisfecho/a está con su salud?",
    },
    {
        "id": "pwi_3",
        "en": "How satisfied are you with what you are achieving in life?",
        "es": "¿Qué tan satisfecho/a está con lo que está logrando en la vida?",
    },
    {
        "id": "pwi_4",
        "en": "How satisfied are you with your personal relationships?",
        "es": "¿Qué tan satisfecho/a está con sus relaciones personales?",
    },
    {
        "id": "pwi_5",
        "en": "How satisfied are you with how safe you feel?",
        "es": "¿Qué tan satisfecho/a está con lo seguro/a que se siente?",
    },
    {
        "id": "pwi_6",
        "en": "How satisfied are you with feeling part of your community?",
        "es": "¿Qué tan satisfecho/a está con sentirse parte de su comunidad?",
    },
    {
        "id": "pwi_7",
        "en": "How satisfied are you with your future security?",
        "es": "¿Qué tan satisfecho/a está con su seguridad futura?",
    },
]

# An 11-point scale: the manual labels its ends and its middle; the other points are numbers.
# translation: Hearth — the Spanish labels of 0, 5 and 10.
OPTIONS = [
    {"value": 0, "en": "0 — No satisfaction at all", "es": "0 — Ninguna satisfacción"},
    {"value": 1, "en": "1", "es": "1"},
    {"value": 2, "en": "2", "es": "2"},
    {"value": 3, "en": "3", "es": "3"},
    {"value": 4, "en": "4", "es": "4"},
    {"value": 5, "en": "5 — Neutral", "es": "5 — Neutral"},
    {"value": 6, "en": "6", "es": "6"},
    {"value": 7, "en": "7", "es": "7"},
    {"value": 8, "en": "8", "es": "8"},
    {"value": 9, "en": "9", "es": "9"},
    {"value": 10, "en": "10 — Completely satisfied", "es": "10 — Completamente satisfecho/a"},
]

# REFERENCES §4 gives the PWI no bands: the index is reported as a number from 0 to 100.
BANDS: dict[str, dict[str, dict[str, str]]] = {}
