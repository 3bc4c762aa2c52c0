"""PTSD Checklist for DSM-5 (PCL-5), past-month version, without the Criterion A component.

English: the published PCL-5 wording (U.S. National Center for PTSD). Spanish: a Spanish PCL-5
exists, but we do not know its wording with certainty, so every Spanish text here is Hearth's own
careful translation, marked for review.
"""

CODE = "pcl-5"
SHORT_NAME = "PCL-5"
VERSION = "2013 (past month)"
LICENCE = (
    "Public domain (U.S. Department of Veterans Affairs, National Center for PTSD). Meant for "
    "trained staff: a result is a provisional indication, never a diagnosis."
)
CITATION = (
    "Weathers, F. W., Litz, B. T., Keane, T. M., Palmieri, P. A., Marx, B. P., & Schnurr, P. P. "
    "(2013). The PTSD Checklist for DSM-5 (PCL-5). National Center for PTSD, www.ptsd.va.gov."
)

NAME = {
    "en": "PTSD Checklist for DSM-5 (PCL-5)",
    "es": "Lista de verificación del TEPT para el DSM-5 (PCL-5)",  # translation: Hearth
}

INSTRUCTIONS = {
    "en": (
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then indicate how much you have "
        "been bothered by that problem in the past month. In the past month, how much were you "
        "bothered by:"
    ),
    # translation: Hearth
    "es": (
        "A continuación hay una lista de problemas que las personas a veces tienen como "
        "respuesta a una experiencia muy estresante. Por favor, lea cada problema con atención e "
        "indique cuánto le ha molestado ese problema en el último mes. En el último mes, "
        "¿cuánto le molestaron…"
    ),
}

# translation: Hearth — every "es" text in this list.
ITEMS = [
    {
        "id": "pcl5_1",
        "en": "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "es": "¿Recuerdos repetidos, perturbadores e indeseados de la experiencia estresante?",
    },
    {
        "id": "pcl5_2",
        "en": "Repeated, disturbing dreams of the stressful experience?",
        "es": "¿Sueños repetidos y perturbadores sobre la experiencia estresante?",
    },
    {
        "id": "pcl5_3",
        "en": (
            "Suddenly feeling or acting as if the stressful experience were actually happening "
            "again (as if you were actually back there reliving it)?"
        ),
        "es": (
            "¿Sentir o actuar de repente como si la experiencia estresante estuviera ocurriendo "
            "otra vez (como si realmente estuviera allí reviviéndola)?"
        ),
    },
    {
        "id": "pcl5_4",
        "en": "Feeling very upset when something reminded you of the stressful experience?",
        "es": "¿Sentirse muy alterado/a cuando algo le recordaba la experiencia estresante?",
    },
    {
        "id": "pcl5_5",
        "en": (
            "Having strong physical reactions when something reminded you of the stressful "
            "experience (for example, heart pounding, trouble breathing, sweating)?"
        ),
        "es": (
            "¿Tener reacciones físicas fuertes cuando algo le recordaba la experiencia "
            "estresante (por ejemplo, el corazón acelerado, dificultad para respirar, sudor)?"
        ),
    },
    {
        "id": "pcl5_6",
        "en": "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "es": (
            "¿Evitar recuerdos, pensamientos o sentimientos relacionados con la experiencia "
            "estresante?"
        ),
    },
    {
        "id": "pcl5_7",
        "en": (
            "Avoiding external reminders of the stressful experience (for example, people, "
            "places, conversations, activities, objects, or situations)?"
        ),
        "es": (
            "¿Evitar cosas externas que le recordaran la experiencia estresante (por ejemplo, "
            "personas, lugares, conversaciones, actividades, objetos o situaciones)?"
        ),
    },
    {
        "id": "pcl5_8",
        "en": "Trouble remembering important parts of the stressful experience?",
        "es": "¿Dificultad para recordar partes importantes de la experiencia estresante?",
    },
    {
        "id": "pcl5_9",
        "en": (
            "Having strong negative beliefs about yourself, other people, or the world (for "
            "example, having thoughts such as: I am bad, there is something seriously wrong with "
            "me, no one can be trusted, the world is completely dangerous)?"
        ),
        "es": (
            "¿Tener creencias negativas fuertes sobre usted mismo/a, otras personas o el mundo "
            "(por ejemplo, pensamientos como: soy malo/a, algo anda muy mal conmigo, no se puede "
            "confiar en nadie, el mundo es totalmente peligroso)?"
        ),
    },
    {
        "id": "pcl5_10",
        "en": (
            "Blaming yourself or someone else for the stressful experience or what happened "
            "after it?"
        ),
        "es": (
            "¿Culparse a usted mismo/a o a otra persona por la experiencia estresante o por lo "
            "que pasó después?"
        ),
    },
    {
        "id": "pcl5_11",
        "en": "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "es": (
            "¿Tener sentimientos negativos fuertes, como miedo, horror, enojo, culpa o vergüenza?"
        ),
    },
    {
        "id": "pcl5_12",
        "en": "Loss of interest in activities that you used to enjoy?",
        "es": "¿Pérdida de interés en actividades que antes disfrutaba?",
    },
    {
        "id": "pcl5_13",
        "en": "Feeling distant or cut off from other people?",
        "es": "¿Sentirse distante o desconectado/a de otras personas?",
    },
    {
        "id": "pcl5_14",
        "en": (
            "Trouble experiencing positive feelings (for example, being unable to feel happiness "
            "or have loving feelings for people close to you)?"
        ),
        "es": (
            "¿Dificultad para sentir emociones positivas (por ejemplo, no poder sentir felicidad "
            "o cariño por las personas cercanas a usted)?"
        ),
    },
    {
        "id": "pcl5_15",
        "en": "Irritable behavior, angry outbursts, or acting aggressively?",
        "es": "¿Comportamiento irritable, arrebatos de enojo o actuar de forma agresiva?",
    },
    {
        "id": "pcl5_16",
        "en": "Taking too many risks or doing things that could cause you harm?",
        "es": "¿Correr demasiados riesgos o hacer cosas que podrían hacerle daño?",
    },
    {
        "id": "pcl5_17",
        "en": 'Being "superalert" or watchful or on guard?',
        "es": "¿Estar «superalerta», vigilante o en guardia?",
    },
    {
        "id": "pcl5_18",
        "en": "Feeling jumpy or easily startled?",
        "es": "¿Sobresaltarse o asustarse con facilidad?",
    },
    {
        "id": "pcl5_19",
        "en": "Having difficulty concentrating?",
        "es": "¿Tener dificultad para concentrarse?",
    },
    {
        "id": "pcl5_20",
        "en": "Trouble falling or staying asleep?",
        "es": "¿Dificultad para quedarse dormido/a o para seguir durmiendo?",
    },
]

# translation: Hearth — the Spanish option labels.
OPTIONS = [
    {"value": 0, "en": "Not at all", "es": "Nada"},
    {"value": 1, "en": "A little bit", "es": "Un poco"},
    {"value": 2, "en": "Moderately", "es": "Moderadamente"},
    {"value": 3, "en": "Quite a bit", "es": "Bastante"},
    {"value": 4, "en": "Extremely", "es": "Extremadamente"},
]

# Bands follow the cut-point (a setting, 31-33); the cluster rule is reported as flags.
# Labels and meanings are Hearth's plain wording.
BANDS = {
    "below-cut-point": {
        "label": {
            "en": "Fewer stress reactions lately",
            "es": "Menos reacciones de estrés últimamente",
        },
        "meaning": {
            "en": (
                "Reactions to the stressful experience have bothered you less than the level at "
                "which more support is usually offered."
            ),
            "es": (
                "Las reacciones a la experiencia estresante le han molestado menos que el nivel "
                "en el que normalmente se ofrece más apoyo."
            ),
        },
    },
    "at-or-above-cut-point": {
        "label": {
            "en": "Many stress reactions lately",
            "es": "Muchas reacciones de estrés últimamente",
        },
        "meaning": {
            "en": (
                "Reactions to the stressful experience have bothered you a lot in the past month. "
                "They are common after very hard experiences, and support helps; worth talking "
                "through with a trained practitioner."
            ),
            "es": (
                "Las reacciones a la experiencia estresante le han molestado mucho en el último "
                "mes. Son comunes después de experiencias muy duras y el apoyo ayuda; vale la "
                "pena hablarlo con una persona profesional con formación."
            ),
        },
    },
}
