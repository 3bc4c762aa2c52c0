"""Primary Care PTSD Screen for DSM-5 (PC-PTSD-5).

English: the published wording (U.S. National Center for PTSD): an exposure question, then five
yes/no questions asked only after a "yes". Spanish: Hearth's own translation, marked for review.
"""

CODE = "pc-ptsd-5"
SHORT_NAME = "PC-PTSD-5"
VERSION = "2016 (Prins et al.)"
LICENCE = (
    "Free (U.S. Department of Veterans Affairs, National Center for PTSD). A positive result "
    "means a fuller conversation with a trained practitioner may help; it is not a diagnosis."
)
CITATION = (
    "Prins, A., Bovin, M. J., Smolenski, D. J., Marx, B. P., Kimerling, R., Jenkins-Guarnieri, "
    "M. A., Kaloupek, D. G., Schnurr, P. P., Kaiser, A. P., Leyva, Y. E., & Tiet, Q. Q. (2016). "
    "The Primary Care PTSD Screen for DSM-5 (PC-PTSD-5). Journal of General Internal Medicine, "
    "31(10), 1206-1211."
)

NAME = {
    "en": "Primary Care PTSD Screen for DSM-5 (PC-PTSD-5)",
    # translation: Hearth
    "es": "Cuestionario breve de TEPT para atención primaria, DSM-5 (PC-PTSD-5)",
}

INSTRUCTIONS = {
    "en": (
        "If you answer no to the first question, you are done. If you answer yes, please answer "
        "the five questions that follow, about the past month."
    ),
    # translation: Hearth
    "es": (
        "Si responde que no a la primera pregunta, ha terminado. Si responde que sí, por favor "
        "responda las cinco preguntas siguientes, sobre el último mes."
    ),
}

# The first item is the exposure question; it is not counted in the total.
# translation: Hearth — every "es" text in this list.
ITEMS = [
    {
        "id": "pcptsd5_exposure",
        "en": (
            "Sometimes things happen to people that are unusually or especially frightening, "
            "horrible, or traumatic. For example: a serious accident or fire; a physical or "
            "sexual assault or abuse; an earthquake or flood; a war; seeing someone be killed or "
            "seriously injured; having a loved one die through homicide or suicide. Have you "
            "ever experienced this kind of event?"
        ),
        "es": (
            "A veces a las personas les pasan cosas inusual o especialmente aterradoras, "
            "horribles o traumáticas. Por ejemplo: un accidente grave o un incendio; una "
            "agresión o un abuso físico o sexual; un terremoto o una inundación; una guerra; ver "
            "cómo matan o hieren gravemente a alguien; que un ser querido muera por homicidio o "
            "suicidio. ¿Alguna vez ha vivido este tipo de experiencia?"
        ),
    },
    {
        "id": "pcptsd5_1",
        "en": (
            "In the past month, have you had nightmares about the event(s) or thought about the "
            "event(s) when you did not want to?"
        ),
        "es": (
            "En el último mes, ¿ha tenido pesadillas sobre la(s) experiencia(s) o ha pensado en "
            "ella(s) cuando no quería?"
        ),
    },
    {
        "id": "pcptsd5_2",
        "en": (
            "In the past month, have you tried hard not to think about the event(s) or went out "
            "of your way to avoid situations that reminded you of the event(s)?"
        ),
        "es": (
            "En el último mes, ¿se ha esforzado mucho por no pensar en la(s) experiencia(s) o ha "
            "hecho lo posible por evitar situaciones que se la(s) recordaran?"
        ),
    },
    {
        "id": "pcptsd5_3",
        "en": "In the past month, have you been constantly on guard, watchful, or easily startled?",
        "es": (
            "En el último mes, ¿ha estado constantemente en guardia, vigilante o se ha asustado "
            "con facilidad?"
        ),
    },
    {
        "id": "pcptsd5_4",
        "en": (
            "In the past month, have you felt numb or detached from people, activities, or your "
            "surroundings?"
        ),
        "es": (
            "En el último mes, ¿se ha sentido como insensible o desconectado/a de las personas, "
            "de las actividades o de lo que le rodea?"
        ),
    },
    {
        "id": "pcptsd5_5",
        "en": (
            "In the past month, have you felt guilty or unable to stop blaming yourself or "
            "others for the event(s) or any problems the event(s) may have caused?"
        ),
        "es": (
            "En el último mes, ¿se ha sentido culpable o no ha podido dejar de culparse a sí "
            "mismo/a o a otras personas por la(s) experiencia(s) o por los problemas que haya(n) "
            "causado?"
        ),
    },
]

OPTIONS = [
    {"value": 1, "en": "Yes", "es": "Sí"},
    {"value": 0, "en": "No", "es": "No"},
]

# Hearth's plain wording; "positive" is reached at the cut-point (a setting, 3 or 4).
BANDS = {
    "negative": {
        "label": {
            "en": "Few reactions to past frightening events",
            "es": "Pocas reacciones a experiencias aterradoras del pasado",
        },
        "meaning": {
            "en": "Few or no reactions to past frightening events in the past month.",
            "es": (
                "Pocas o ninguna reacción a experiencias aterradoras del pasado en el último mes."
            ),
        },
    },
    "positive": {
        "label": {
            "en": "Several reactions to past frightening events",
            "es": "Varias reacciones a experiencias aterradoras del pasado",
        },
        "meaning": {
            "en": (
                "Several reactions to a past frightening experience in the past month. That is "
                "common and understandable; if you want, a trained practitioner can talk with "
                "you about what would help."
            ),
            "es": (
                "Varias reacciones a una experiencia aterradora del pasado en el último mes. Es "
                "algo común y comprensible; si lo desea, una persona profesional con formación "
                "puede hablar con usted sobre lo que le ayudaría."
            ),
        },
    },
}
