"""Brief Resilience Scale (BRS).

English: the published wording (Smith et al. 2008); items 2, 4 and 6 are worded negatively and
reverse-scored. Spanish: close to the Spanish validation (Rodríguez-Rey, Alonso-Tapia &
Hernansaiz-Garrido 2016) as we recall it, marked for review against that paper.
"""

CODE = "brs"
SHORT_NAME = "BRS"
VERSION = "2008 (Smith et al.)"
LICENCE = "Free to use with citation."
CITATION = (
    "Smith, B. W., Dalen, J., Wiggins, K., Tooley, E., Christopher, P., & Bernard, J. (2008). "
    "The brief resilience scale: assessing the ability to bounce back. International Journal of "
    "Behavioral Medicine, 15(3), 194-200. Spanish: Rodríguez-Rey, R., Alonso-Tapia, J., & "
    "Hernansaiz-Garrido, H. (2016). Psychological Assessment, 28(5), e101-e110."
)

NAME = {
    "en": "Brief Resilience Scale (BRS)",
    "es": "Escala Breve de Resiliencia (BRS)",
}

INSTRUCTIONS = {
    "en": "Please indicate how much you agree or disagree with each of the following statements.",
    # translation: Hearth
    "es": "Por favor, indique cuánto está de acuerdo o en desacuerdo con cada una de las "
    "siguientes afirmaciones.",
}

# translation: Hearth — every "es" text in this list (check against Rodríguez-Rey et al. 2016).
ITEMS = [
    {
        "id": "brs_1",
        "en": "I tend to bounce back quickly after hard times",
        "es": "Tiendo a recuperarme rápidamente después de haberlo pasado mal",
    },
    {
        "id": "brs_2",
        "en": "I have a hard time making it through stressful events",
        "es": "Lo paso mal cuando tengo que enfrentarme a situaciones estresantes",
    },
    {
        "id": "brs_3",
        "en": "It does not take me long to recover from a stressful event",
        "es": "No tardo mucho en recuperarme después de una situación estresante",
    },
    {
        "id": "brs_4",
        "en": "It is hard for me to snap back when something bad happens",
        "es": "Me cuesta volver a la normalidad cuando me ocurre algo malo",
    },
    {
        "id": "brs_5",
        "en": "I usually come through difficult times with little trouble",
        "es": "Normalmente paso por los momentos difíciles sin demasiados problemas",
    },
    {
        "id": "brs_6",
        "en": "I tend to take a long time to get over set-backs in my life",
        "es": "Suelo tardar mucho en superar los contratiempos de mi vida",
    },
]

# translation: Hearth — the Spanish option labels.
OPTIONS = [
    {"value": 1, "en": "Strongly disagree", "es": "Totalmente en desacuerdo"},
    {"value": 2, "en": "Disagree", "es": "En desacuerdo"},
    {"value": 3, "en": "Neutral", "es": "Neutral"},
    {"value": 4, "en": "Agree", "es": "De acuerdo"},
    {"value": 5, "en": "Strongly agree", "es": "Totalmente de acuerdo"},
]

# Band codes are the published names (low / normal / high resilience); Hearth's plain wording.
BANDS = {
    "low": {
        "label": {
            "en": "Bouncing back takes longer right now",
            "es": "Recuperarse cuesta más en este momento",
        },
        "meaning": {
            "en": (
                "Recovering from hard times has been taking longer. Resilience grows with support "
                "and connection; worth talking about what has helped before."
            ),
            "es": (
                "Recuperarse de los momentos difíciles le está llevando más tiempo. La "
                "resiliencia crece con apoyo y compañía; vale la pena hablar de lo que le ha "
                "ayudado antes."
            ),
        },
    },
    "normal": {
        "label": {
            "en": "Bouncing back steadily",
            "es": "Recuperándose a un ritmo constante",
        },
        "meaning": {
            "en": "You recover from stressful events at a steady pace, as most people do.",
            "es": (
                "Se recupera de las situaciones estresantes a un ritmo constante, como la "
                "mayoría de las personas."
            ),
        },
    },
    "high": {
        "label": {
            "en": "Bouncing back strongly",
            "es": "Recuperándose con fuerza",
        },
        "meaning": {
            "en": "You tend to bounce back quickly from hard times: a strength to build on.",
            "es": (
                "Suele recuperarse rápidamente de los momentos difíciles: una fortaleza sobre la "
                "que construir."
            ),
        },
    },
}
