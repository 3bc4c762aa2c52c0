"""Generalized Anxiety Disorder 7-item scale (GAD-7).

English: the published GAD-7 wording. Spanish: the items of the Spanish validation
(García-Campayo et al. 2010) as we know them; the instruction and options are marked for review.
The optional difficulty question is not scored and is left out.
"""

CODE = "gad-7"
SHORT_NAME = "GAD-7"
VERSION = "2006 (Spitzer, Kroenke, Williams & Löwe)"
LICENCE = (
    "Free. Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
    "colleagues, with an educational grant from Pfizer Inc. No permission required to "
    "reproduce, translate, display or distribute."
)
CITATION = (
    "Spitzer, R. L., Kroenke, K., Williams, J. B. W., & Löwe, B. (2006). A brief measure for "
    "assessing generalized anxiety disorder: the GAD-7. Archives of Internal Medicine, 166(10), "
    "1092-1097. Spanish: García-Campayo, J., et al. (2010). Health and Quality of Life "
    "Outcomes, 8, 8."
)

NAME = {
    "en": "Generalized Anxiety Disorder scale (GAD-7)",
    "es": "Escala de Ansiedad Generalizada (GAD-7)",
}

INSTRUCTIONS = {
    "en": "Over the last 2 weeks, how often have you been bothered by the following problems?",
    # translation: Hearth — check against the published Spanish sheet.
    "es": (
        "Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los siguientes "
        "problemas?"
    ),
}

ITEMS = [
    {
        "id": "gad7_1",
        "en": "Feeling nervous, anxious, or on edge",
        "es": "Sentirse nervioso/a, intranquilo/a o con los nervios de punta",
    },
    {
        "id": "gad7_2",
        "en": "Not being able to stop or control worrying",
        "es": "No poder dejar de preocuparse o no poder controlar la preocupación",
    },
    {
        "id": "gad7_3",
        "en": "Worrying too much about different things",
        "es": "Preocuparse demasiado por diferentes cosas",
    },
    {
        "id": "gad7_4",
        "en": "Trouble relaxing",
        "es": "Dificultad para relajarse",
    },
    {
        "id": "gad7_5",
        "en": "Being so restless that it is hard to sit still",
        "es": "Estar tan inquieto/a que es difícil permanecer sentado/a tranquilamente",
    },
    {
        "id": "gad7_6",
        "en": "Becoming easily annoyed or irritable",
        "es": "Molestarse o ponerse irritable fácilmente",
    },
    {
        "id": "gad7_7",
        "en": "Feeling afraid, as if something awful might happen",
        "es": "Sentir miedo como si algo terrible pudiera pasar",
    },
]

OPTIONS = [
    {"value": 0, "en": "Not at all", "es": "Ningún día"},  # translation: Hearth
    {"value": 1, "en": "Several days", "es": "Varios días"},
    {"value": 2, "en": "More than half the days", "es": "Más de la mitad de los días"},
    {"value": 3, "en": "Nearly every day", "es": "Casi todos los días"},
]

# Band codes keep the published severity names; labels and meanings are Hearth's plain wording.
BANDS = {
    "minimal": {
        "label": {
            "en": "Little worry or tension lately",
            "es": "Poca preocupación o tensión últimamente",
        },
        "meaning": {
            "en": "Little or no worry or tension over the last two weeks.",
            "es": "Poca o ninguna preocupación o tensión en las últimas dos semanas.",
        },
    },
    "mild": {
        "label": {
            "en": "Some worry or tension lately",
            "es": "Algo de preocupación o tensión últimamente",
        },
        "meaning": {
            "en": (
                "Some worry or tension on some days lately. Worth keeping an eye on, along with "
                "what helps you settle."
            ),
            "es": (
                "Algo de preocupación o tensión algunos días. Vale la pena estar atentos, y "
                "también a lo que le ayuda a calmarse."
            ),
        },
    },
    "moderate": {
        "label": {
            "en": "Noticeable worry or tension",
            "es": "Preocupación o tensión notables",
        },
        "meaning": {
            "en": (
                "Worry or tension has been getting in the way lately. Worth talking about what "
                "support would help."
            ),
            "es": (
                "La preocupación o la tensión le han estado estorbando últimamente. Vale la pena "
                "hablar de qué apoyo le ayudaría."
            ),
        },
    },
    "severe": {
        "label": {
            "en": "A lot of worry or tension",
            "es": "Mucha preocupación o tensión",
        },
        "meaning": {
            "en": (
                "Worry or tension nearly every day lately. Please talk soon with your "
                "practitioner about support that fits you."
            ),
            "es": (
                "Preocupación o tensión casi todos los días. Por favor, hable pronto con su "
                "profesional de apoyo sobre el apoyo que le convenga."
            ),
        },
    },
}
