"""Patient Health Questionnaire-9 (PHQ-9).

English: the published PHQ-9 wording. Spanish: the PHQ-9 US-Spanish version from the PHQ
screeners site (Pfizer), with its "(a)" forms. The optional tenth question ("how difficult have
these problems made it...") is not scored and is left out: Hearth asks for essentials only.
"""

CODE = "phq-9"
SHORT_NAME = "PHQ-9"
VERSION = "1999 (Pfizer; Kroenke, Spitzer & Williams 2001)"
LICENCE = (
    "Free to reproduce. Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke "
    "and colleagues, with an educational grant from Pfizer Inc. No permission required to "
    "reproduce, translate, display or distribute."
)
CITATION = (
    "Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2001). The PHQ-9: validity of a brief "
    "depression severity measure. Journal of General Internal Medicine, 16(9), 606-613."
)

NAME = {
    "en": "Patient Health Questionnaire (PHQ-9)",
    "es": "Cuestionario sobre la Salud del Paciente (PHQ-9)",
}

INSTRUCTIONS = {
    "en": (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    "es": (
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
        "siguientes problemas?"
    ),
}

ITEMS = [
    {
        "id": "phq9_1",
        "en": "Little interest or pleasure in doing things",
        "es": "Poco interés o placer en hacer cosas",
    },
    {
        "id": "phq9_2",
        "en": "Feeling down, depressed, or hopeless",
        "es": "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    },
    {
        "id": "phq9_3",
        "en": "Trouble falling or staying asleep, or sleeping too much",
        "es": "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    },
    {
        "id": "phq9_4",
        "en": "Feeling tired or having little energy",
        "es": "Se ha sentido cansado(a) o con poca energía",
    },
    {
        "id": "phq9_5",
        "en": "Poor appetite or overeating",
        "es": "Sin apetito o ha comido en exceso",
    },
    {
        "id": "phq9_6",
        "en": (
            "Feeling bad about yourself — or that you are a failure or have let yourself or your "
            "family down"
        ),
        "es": (
            "Se ha sentido mal con usted mismo(a) — o que es un fracaso o que ha quedado mal con "
            "usted mismo(a) o con su familia"
        ),
    },
    {
        "id": "phq9_7",
        "en": (
            "Trouble concentrating on things, such as reading the newspaper or watching television"
        ),
        "es": (
            "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
            "periódico o ver la televisión"
        ),
    },
    {
        "id": "phq9_8",
        "en": (
            "Moving or speaking so slowly that other people could have noticed? Or the opposite "
            "— being so fidgety or restless that you have been moving around a lot more than "
            "usual"
        ),
        "es": (
            "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
            "contrario — muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo "
            "normal"
        ),
    },
    {
        "id": "phq9_9",
        "en": "Thoughts that you would be better off dead or of hurting yourself in some way",
        "es": "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
    },
]

OPTIONS = [
    # translation: Hearth — "Ningún día" as recalled from the US-Spanish sheet; some copies
    # read "Para nada". Check against phqscreeners.com.
    {"value": 0, "en": "Not at all", "es": "Ningún día"},
    {"value": 1, "en": "Several days", "es": "Varios días"},
    {"value": 2, "en": "More than half the days", "es": "Más de la mitad de los días"},
    {"value": 3, "en": "Nearly every day", "es": "Casi todos los días"},
]

# Band codes keep the published severity names (stable for reports); what a person reads is the
# plain-language label and meaning below (Hearth's wording, not published text).
BANDS = {
    "minimal": {
        "label": {
            "en": "Few or no difficulties with mood",
            "es": "Pocas o ninguna dificultad con el ánimo",
        },
        "meaning": {
            "en": "Few or none of these difficulties over the last two weeks.",
            "es": "Pocas o ninguna de estas dificultades en las últimas dos semanas.",
        },
    },
    "mild": {
        "label": {
            "en": "Some difficulties with mood",
            "es": "Algunas dificultades con el ánimo",
        },
        "meaning": {
            "en": (
                "Some of these difficulties on some days lately. Worth keeping an eye on "
                "together, along with what helps."
            ),
            "es": (
                "Algunas de estas dificultades, algunos días, últimamente. Vale la pena estar "
                "atentos juntos, y también a lo que ayuda."
            ),
        },
    },
    "moderate": {
        "label": {
            "en": "Noticeable difficulties with mood",
            "es": "Dificultades notables con el ánimo",
        },
        "meaning": {
            "en": (
                "These difficulties have been getting in the way lately. Worth talking about "
                "what support would help."
            ),
            "es": (
                "Estas dificultades le han estado estorbando últimamente. Vale la pena hablar de "
                "qué apoyo le ayudaría."
            ),
        },
    },
    "moderately-severe": {
        "label": {
            "en": "Many difficulties with mood",
            "es": "Muchas dificultades con el ánimo",
        },
        "meaning": {
            "en": (
                "Many of these difficulties, often, over the last two weeks. Worth talking soon "
                "with your practitioner about support that fits you."
            ),
            "es": (
                "Muchas de estas dificultades, con frecuencia, en las últimas dos semanas. Vale "
                "la pena hablar pronto con su profesional de apoyo sobre el apoyo que le convenga."
            ),
        },
    },
    "severe": {
        "label": {
            "en": "A very hard time lately",
            "es": "Un momento muy difícil",
        },
        "meaning": {
            "en": (
                "Most of these difficulties, nearly every day. Please talk soon with your "
                "practitioner about support; you do not have to manage this alone."
            ),
            "es": (
                "La mayoría de estas dificultades, casi todos los días. Por favor, hable pronto "
                "con su profesional de apoyo; no tiene que enfrentarlo a solas."
            ),
        },
    },
}
