"""WHO-5 Well-Being Index (1998 version).

English: the published WHO-5 wording. Spanish: the WHO-5 Spanish version distributed with the
index (Psychiatric Centre North Zealand), which uses the masculine forms shown here.
"""

CODE = "who-5"
SHORT_NAME = "WHO-5"
VERSION = "1998"
LICENCE = (
    "Free to use. WHO Collaborating Centre in Mental Health, Psychiatric Centre North Zealand; "
    "the index may be used without permission."
)
CITATION = (
    "World Health Organization Regional Office for Europe (1998). Wellbeing measures in primary "
    "health care: the DepCare Project. Topp, C. W., Østergaard, S. D., Søndergaard, S., & Bech, "
    "P. (2015). The WHO-5 Well-Being Index: a systematic review of the literature. "
    "Psychotherapy and Psychosomatics, 84(3), 167-176."
)

NAME = {
    "en": "WHO-5 Well-Being Index",
    "es": "Índice de Bienestar OMS-5 (WHO-5)",
}

INSTRUCTIONS = {
    "en": (
        "Please indicate for each of the five statements which is closest to how you have been "
        "feeling over the last two weeks."
    ),
    "es": (
        "Por favor, indique para cada una de las cinco afirmaciones cuál se acerca más a cómo se "
        "ha sentido durante las últimas dos semanas."
    ),
}

ITEMS = [
    {
        "id": "who5_1",
        "en": "I have felt cheerful and in good spirits",
        "es": "Me he sentido alegre y de buen humor",
    },
    {
        "id": "who5_2",
        "en": "I have felt calm and relaxed",
        "es": "Me he sentido tranquilo y relajado",
    },
    {
        "id": "who5_3",
        "en": "I have felt active and vigorous",
        "es": "Me he sentido activo y enérgico",
    },
    {
        "id": "who5_4",
        "en": "I woke up feeling fresh and rested",
        "es": "Me he despertado fresco y descansado",
    },
    {
        "id": "who5_5",
        "en": "My daily life has been filled with things that interest me",
        "es": "Mi vida cotidiana ha estado llena de cosas que me interesan",
    },
]

# In the published order (the form lists "All of the time" first).
OPTIONS = [
    {"value": 5, "en": "All of the time", "es": "Todo el tiempo"},
    {"value": 4, "en": "Most of the time", "es": "La mayor parte del tiempo"},
    {"value": 3, "en": "More than half of the time", "es": "Más de la mitad del tiempo"},
    {"value": 2, "en": "Less than half of the time", "es": "Menos de la mitad del tiempo"},
    {"value": 1, "en": "Some of the time", "es": "De vez en cuando"},
    {"value": 0, "en": "At no time", "es": "Nunca"},
]

# Band texts are Hearth's plain-language, strengths-based wording (not published text).
BANDS = {
    "very-low": {
        "label": {
            "en": "Much lower wellbeing lately",
            "es": "Bienestar mucho más bajo últimamente",
        },
        "meaning": {
            "en": (
                "Wellbeing has been much lower over the last two weeks. It is worth talking about "
                "soon, with your practitioner or someone you trust, including what has helped "
                "before."
            ),
            "es": (
                "Su bienestar ha estado mucho más bajo en las últimas dos semanas. Vale la pena "
                "hablarlo pronto con su profesional de apoyo o con alguien de confianza, y también "
                "lo que le ha ayudado antes."
            ),
        },
    },
    "low": {
        "label": {
            "en": "Lower wellbeing lately",
            "es": "Bienestar más bajo últimamente",
        },
        "meaning": {
            "en": (
                "Lower wellbeing over the last two weeks; worth talking about, along with what "
                "gives you energy and interest."
            ),
            "es": (
                "Bienestar más bajo en las últimas dos semanas; vale la pena hablarlo, junto con "
                "lo que le da energía e interés."
            ),
        },
    },
    "good": {
        "label": {
            "en": "Wellbeing holding up",
            "es": "Bienestar que se mantiene",
        },
        "meaning": {
            "en": (
                "Wellbeing has been holding up over the last two weeks. Worth noticing what is "
                "helping."
            ),
            "es": (
                "Su bienestar se ha mantenido en las últimas dos semanas. Vale la pena notar qué "
                "le está ayudando."
            ),
        },
    },
}
