"""Kessler Psychological Distress Scale, 6 items (K6), 30-day version, scored 0-4.

English: the published wording (Kessler et al. 2002). Spanish: Hearth's own translation, marked
for review (Spanish versions exist; we do not know their wording with certainty).
"""

CODE = "k6"
SHORT_NAME = "K6"
VERSION = "2002 (Kessler et al.), past 30 days"
LICENCE = "Free. K6 © Ronald C. Kessler, Harvard Medical School; cite Kessler et al. (2002)."
CITATION = (
    "Kessler, R. C., Andrews, G., Colpe, L. J., Hiripi, E., Mroczek, D. K., Normand, S.-L. T., "
    "Walters, E. E., & Zaslavsky, A. M. (2002). Short screening scales to monitor population "
    "prevalences and trends in non-specific psychological distress. Psychological Medicine, "
    "32(6), 959-976."
)

NAME = {
    "en": "Kessler Psychological Distress Scale (K6)",
    "es": "Escala de Malestar Psicológico de Kessler (K6)",  # translation: Hearth
}

INSTRUCTIONS = {
    "en": "The following questions ask about how you have been feeling during the past 30 days.",
    # translation: Hearth
    "es": "Las siguientes preguntas son sobre cómo se ha sentido durante los últimos 30 días.",
}

# translation: Hearth — every "es" text in this list.
ITEMS = [
    {
        "id": "k6_1",
        "en": "During the past 30 days, about how often did you feel nervous?",
        "es": "Durante los últimos 30 días, ¿con qué frecuencia se sintió nervioso/a?",
    },
    {
        "id": "k6_2",
        "en": "During the past 30 days, about how often did you feel hopeless?",
        "es": "Durante los últimos 30 días, ¿con qué frecuencia se sintió sin esperanza?",
    },
    {
        "id": "k6_3",
        "en": "During the past 30 days, about how often did you feel restless or fidgety?",
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia se sintió inquieto/a o intranquilo/a?"
        ),
    },
    {
        "id": "k6_4",
        "en": (
            "During the past 30 days, about how often did you feel so depressed that nothing "
            "could cheer you up?"
        ),
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia se sintió tan deprimido/a que "
            "nada podía animarle?"
        ),
    },
    {
        "id": "k6_5",
        "en": (
            "During the past 30 days, about how often did you feel that everything was an effort?"
        ),
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia sintió que todo le costaba un "
            "esfuerzo?"
        ),
    },
    {
        "id": "k6_6",
        "en": "During the past 30 days, about how often did you feel worthless?",
        "es": "Durante los últimos 30 días, ¿con qué frecuencia se sintió inútil o sin valor?",
    },
]

# translation: Hearth — the Spanish option labels.
OPTIONS = [
    {"value": 4, "en": "All of the time", "es": "Todo el tiempo"},
    {"value": 3, "en": "Most of the time", "es": "La mayor parte del tiempo"},
    {"value": 2, "en": "Some of the time", "es": "Parte del tiempo"},
    {"value": 1, "en": "A little of the time", "es": "Poco tiempo"},
    {"value": 0, "en": "None of the time", "es": "Nunca"},
]

# "serious-distress" is the published cut (13 or more); Hearth's plain wording.
BANDS = {
    "below-serious-distress": {
        "label": {
            "en": "Less distress lately",
            "es": "Menos malestar últimamente",
        },
        "meaning": {
            "en": (
                "Feelings of distress over the past 30 days are below the level at which extra "
                "support is usually offered."
            ),
            "es": (
                "El malestar de los últimos 30 días está por debajo del nivel en el que "
                "normalmente se ofrece apoyo adicional."
            ),
        },
    },
    "serious-distress": {
        "label": {
            "en": "A lot of distress lately",
            "es": "Mucho malestar últimamente",
        },
        "meaning": {
            "en": (
                "Feelings of distress have been strong over the past 30 days. Worth talking soon "
                "with your practitioner about support that fits you."
            ),
            "es": (
                "El malestar ha sido fuerte en los últimos 30 días. Vale la pena hablar pronto "
                "con su profesional de apoyo sobre el apoyo que le convenga."
            ),
        },
    },
}
