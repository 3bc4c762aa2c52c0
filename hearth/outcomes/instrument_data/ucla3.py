"""Three-Item Loneliness Scale (UCLA-3), from the revised UCLA Loneliness Scale.

English: the published wording (Hughes et al. 2004). Spanish: Hearth's own translation, marked
for review.
"""

CODE = "ucla-3"
SHORT_NAME = "UCLA-3"
VERSION = "2004 (Hughes et al.)"
LICENCE = "Free."
CITATION = (
    "Hughes, M. E., Waite, L. J., Hawkley, L. C., & Cacioppo, J. T. (2004). A short scale for "
    "measuring loneliness in large surveys: results from two population-based studies. "
    "Research on Aging, 26(6), 655-672."
)

NAME = {
    "en": "Three-Item Loneliness Scale (UCLA-3)",
    "es": "Escala de soledad de tres preguntas (UCLA-3)",  # translation: Hearth
}

INSTRUCTIONS = {
    "en": (
        "The next questions are about how you feel about different aspects of your life. For "
        "each one, say how often you feel that way."
    ),
    # translation: Hearth
    "es": (
        "Las siguientes preguntas son sobre cómo se siente en distintos aspectos de su vida. "
        "Para cada una, indique con qué frecuencia se siente así."
    ),
}

# translation: Hearth — every "es" text in this list.
ITEMS = [
    {
        "id": "ucla3_1",
        "en": "How often do you feel that you lack companionship?",
        "es": "¿Con qué frecuencia siente que le falta compañía?",
    },
    {
        "id": "ucla3_2",
        "en": "How often do you feel left out?",
        "es": "¿Con qué frecuencia se siente excluido/a?",
    },
    {
        "id": "ucla3_3",
        "en": "How often do you feel isolated from others?",
        "es": "¿Con qué frecuencia se siente aislado/a de los demás?",
    },
]

# translation: Hearth — the Spanish option labels.
OPTIONS = [
    {"value": 1, "en": "Hardly ever", "es": "Casi nunca"},
    {"value": 2, "en": "Some of the time", "es": "Algunas veces"},
    {"value": 3, "en": "Often", "es": "A menudo"},
]

# "lonely" starts at the cut-point (a setting, default 6). Hearth's plain wording.
BANDS = {
    "not-lonely": {
        "label": {
            "en": "Feeling connected most of the time",
            "es": "Se siente en compañía la mayor parte del tiempo",
        },
        "meaning": {
            "en": "Feeling left out or isolated only some of the time, or hardly ever.",
            "es": "Se siente excluido/a o aislado/a solo algunas veces, o casi nunca.",
        },
    },
    "lonely": {
        "label": {
            "en": "Feeling lonely often",
            "es": "Se siente a menudo en soledad",
        },
        "meaning": {
            "en": (
                "Feeling left out or isolated often lately. Connection can grow again; worth "
                "talking about groups, places or people you would like more time with."
            ),
            "es": (
                "Se ha sentido excluido/a o aislado/a a menudo últimamente. La conexión con otras "
                "personas puede volver a crecer; vale la pena hablar de grupos, lugares o "
                "personas con quienes le gustaría pasar más tiempo."
            ),
        },
    },
}
