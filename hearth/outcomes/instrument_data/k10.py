"""Kessler Psychological Distress Scale, 10 items (K10), 30-day version, scored 1-5.

English: the published wording (Kessler et al. 2002). Spanish: Hearth's own translation, marked
for review (Spanish versions exist; we do not know their wording with certainty).
"""

CODE = "k10"
SHORT_NAME = "K10"
VERSION = "2002 (Kessler et al.), past 30 days"
LICENCE = (
    "Free with the copyright notice: K10 © Professor Ronald C. Kessler, Harvard Medical School."
)
CITATION = (
    "Kessler, R. C., Andrews, G., Colpe, L. J., Hiripi, E., Mroczek, D. K., Normand, S.-L. T., "
    "Walters, E. E., & Zaslavsky, A. M. (2002). Short screening scales to monitor population "
    "prevalences and trends in non-specific psychological distress. Psychological Medicine, "
    "32(6), 959-976."
)

NAME = {
    "en": "Kessler Psychological Distress Scale (K10)",
    "es": "Escala de Malestar Psicológico de Kessler (K10)",  # translation: Hearth
}

INSTRUCTIONS = {
    "en": (
        "These questions concern how you have been feeling over the past 30 days. Choose the "
        "answer that best represents how you have been."
    ),
    # translation: Hearth
    "es": (
        "Estas preguntas son sobre cómo se ha sentido durante los últimos 30 días. Elija la "
        "respuesta que mejor describa cómo ha estado."
    ),
}

# translation: Hearth — every "es" text in this list.
ITEMS = [
    {
        "id": "k10_1",
        "en": "During the last 30 days, about how often did you feel tired out for no good reason?",
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia se sintió agotado/a sin un motivo "
            "aparente?"
        ),
    },
    {
        "id": "k10_2",
        "en": "During the last 30 days, about how often did you feel nervous?",
        "es": "Durante los últimos 30 días, ¿con qué frecuencia se sintió nervioso/a?",
    },
    {
        "id": "k10_3",
        "en": (
            "During the last 30 days, about how often did you feel so nervous that nothing could "
            "calm you down?"
        ),
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia se sintió tan nervioso/a que nada "
            "podía calmarle?"
        ),
    },
    {
        "id": "k10_4",
        "en": "During the last 30 days, about how often did you feel hopeless?",
        "es": "Durante los últimos 30 días, ¿con qué frecuencia se sintió sin esperanza?",
    },
    {
        "id": "k10_5",
        "en": "During the last 30 days, about how often did you feel restless or fidgety?",
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia se sintió inquieto/a o intranquilo/a?"
        ),
    },
    {
        "id": "k10_6",
        "en": (
            "During the last 30 days, about how often did you feel so restless you could not sit "
            "still?"
        ),
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia se sintió tan inquieto/a que no "
            "podía quedarse quieto/a?"
        ),
    },
    {
        "id": "k10_7",
        "en": "During the last 30 days, about how often did you feel depressed?",
        "es": "Durante los últimos 30 días, ¿con qué frecuencia se sintió deprimido/a?",
    },
    {
        "id": "k10_8",
        "en": (
            "During the last 30 days, about how often did you feel that everything was an effort?"
        ),
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia sintió que todo le costaba un "
            "esfuerzo?"
        ),
    },
    {
        "id": "k10_9",
        "en": (
            "During the last 30 days, about how often did you feel so sad that nothing could "
            "cheer you up?"
        ),
        "es": (
            "Durante los últimos 30 días, ¿con qué frecuencia se sintió tan triste que nada "
            "podía animarle?"
        ),
    },
    {
        "id": "k10_10",
        "en": "During the last 30 days, about how often did you feel worthless?",
        "es": "Durante los últimos 30 días, ¿con qué frecuencia se sintió inútil o sin valor?",
    },
]

# translation: Hearth — the Spanish option labels.
OPTIONS = [
    {"value": 1, "en": "None of the time", "es": "Nunca"},
    {"value": 2, "en": "A little of the time", "es": "Poco tiempo"},
    {"value": 3, "en": "Some of the time", "es": "Parte del tiempo"},
    {"value": 4, "en": "Most of the time", "es": "La mayor parte del tiempo"},
    {"value": 5, "en": "All of the time", "es": "Todo el tiempo"},
]

# Band codes are the published levels (low, moderate, high, very high); Hearth's plain wording.
BANDS = {
    "low": {
        "label": {
            "en": "Little distress lately",
            "es": "Poco malestar últimamente",
        },
        "meaning": {
            "en": "Little or no distress over the past 30 days.",
            "es": "Poco o ningún malestar en los últimos 30 días.",
        },
    },
    "moderate": {
        "label": {
            "en": "Some distress lately",
            "es": "Algo de malestar últimamente",
        },
        "meaning": {
            "en": (
                "Some distress over the past 30 days. Worth keeping an eye on, along with what "
                "helps."
            ),
            "es": (
                "Algo de malestar en los últimos 30 días. Vale la pena estar atentos, y también a "
                "lo que ayuda."
            ),
        },
    },
    "high": {
        "label": {
            "en": "A lot of distress lately",
            "es": "Mucho malestar últimamente",
        },
        "meaning": {
            "en": (
                "A lot of distress over the past 30 days. Worth talking about what support would "
                "help."
            ),
            "es": (
                "Mucho malestar en los últimos 30 días. Vale la pena hablar de qué apoyo le "
                "ayudaría."
            ),
        },
    },
    "very-high": {
        "label": {
            "en": "Very heavy distress lately",
            "es": "Malestar muy intenso últimamente",
        },
        "meaning": {
            "en": (
                "Very heavy distress over the past 30 days. Please talk soon with your "
                "practitioner about support; you do not have to manage this alone."
            ),
            "es": (
                "Malestar muy intenso en los últimos 30 días. Por favor, hable pronto con su "
                "profesional de apoyo; no tiene que enfrentarlo a solas."
            ),
        },
    },
}
