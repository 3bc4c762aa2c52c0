"""A synthetic directory of any size, for benchmarks and demos (`hearth generate-directory`).

The text is built from vocabularies of needs and the words frightened people type ("shelter",
"food", "lawyer", "rent", "violence", "comida", "refugio", "abogado"...), so a few words are very
common and many are rare, as in a real directory, and full-text ranking meets realistic term
distributions. About 15% of services are written in Spanish. Places lie in a box of about
100 km around the fictional Riverbend Valley (45.5 N, 122.6 W); about 1% of organizations run a
confidential location that has no address and only coarse coordinates.

Everything comes from one `random.Random(seed)`, ids included, so a seed always gives the same
directory (dates are counted back from the day it runs). Records are written with
`bulk_create`, one transaction per batch."""

from __future__ import annotations

import random
import re
import time as clock
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import models, transaction
from django.utils import timezone

from hearth.accounts.models import Network
from hearth.core import audit

from . import taxonomy
from .models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)

STATE = "RV"
COUNTRY = "US"
CURRENCY = "USD"
REGION = "Riverbend Valley"
UTC_OFFSET = -8.0
# The region: about 100 km on each side, centred on the demo valley.
LATITUDES = (45.05, 45.95)
LONGITUDES = (-123.24, -121.96)

DEMO_TOWNS = {
    "Riverbend": (45.5236, -122.6755),
    "Millbrook": (45.5884, -122.5598),
    "Cedar Falls": (45.4468, -122.5131),
    "Harlow": (45.4806, -122.7822),
    "Eastgate": (45.5352, -122.4273),
}
OTHER_TOWNS = (
    "Alder Creek", "Ashford", "Bellmont", "Birchwood", "Bramble Hill", "Brookhaven",
    "Copper Ridge", "Dunmore", "Elk Meadow", "Fairhollow", "Fernside", "Glenrock",
    "Hawthorne Vale", "Hollis Ford", "Juniper Flats", "Kestrel Point", "Larkspur",
    "Linden Grove", "Maple Hollow", "Marsh End", "North Harlow", "Oakridge", "Pinecrest",
    "Quarry Hill", "Redwater", "Rook's Crossing", "Saltmarsh", "South Eastgate", "Stonebridge",
    "Sweetwater", "Thornbury", "Upper Millbrook", "Willowmere", "Wrenfield", "Yarrow",
)  # fmt: skip
STREETS = (
    "Alder", "Ash", "Aspen", "Bay", "Beech", "Birch", "Bridge", "Canal", "Cedar", "Chapel",
    "Cherry", "Church", "College", "Elm", "Ferry", "Fir", "Forest", "Garden", "Grove", "Harbor",
    "Hawthorn", "Hazel", "Hill", "Juniper", "Lake", "Laurel", "Linden", "Main", "Maple",
    "Market", "Meadow", "Mill", "Oak", "Orchard", "Park", "Pine", "Poplar", "Quarry", "River",
    "Rowan", "School", "Spruce", "Station", "Sycamore", "Union", "Valley", "Walnut", "Water",
    "Willow",
)  # fmt: skip
STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Way", "Drive", "Court", "Place", "Boulevard")
POSTAL_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Town:
    name: str
    latitude: float
    longitude: float
    district: str  # the first half of its postal codes: "RV1"


def towns() -> list[Town]:
    """The same forty fictional towns for every seed; the five demo towns come first."""
    placer = random.Random("hearth-riverbend-valley-towns")  # noqa: S311 - not for security
    result = [
        Town(name, lat, lon, f"RV{index}")
        for index, (name, (lat, lon)) in enumerate(DEMO_TOWNS.items(), start=1)
    ]
    for index, name in enumerate(OTHER_TOWNS, start=len(result) + 1):
        result.append(
            Town(
                name,
                round(placer.uniform(*LATITUDES), 4),
                round(placer.uniform(*LONGITUDES), 4),
                f"RV{index}",
            )
        )
    return result


@dataclass(frozen=True)
class Need:
    key: str
    weight: float
    terms: tuple[str, ...]
    organization_nouns: tuple[str, ...]
    names: tuple[str, ...]
    names_es: tuple[str, ...]
    openers: tuple[str, ...]
    openers_es: tuple[str, ...]
    phrases: tuple[str, ...]
    phrases_es: tuple[str, ...]
    ages: tuple[int | None, int | None] | None = None


NEEDS: tuple[Need, ...] = (
    Need(
        key="food",
        weight=14,
        terms=("1130", "1131", "1128", "1129", "1127", "1102"),
        organization_nouns=(
            "Food Pantry", "Food Bank", "Community Kitchen", "Food Share", "Hunger Relief",
        ),
        names=(
            "Community Food Pantry", "Free Hot Meals", "Emergency Food Boxes",
            "Grocery Delivery for Seniors", "Free Fridge", "Weekend Food Bags for Kids",
            "Mobile Food Market", "Community Kitchen Lunch", "Fresh Produce Giveaway",
        ),
        names_es=(
            "Despensa de comida", "Comidas calientes gratis", "Comida de emergencia",
            "Entrega de comestibles", "Cocina comunitaria", "Frutas y verduras gratis",
        ),
        openers=(
            "Free groceries and fresh food for anyone in {town} who needs them, no questions "
            "asked.",
            "Our food pantry offers fresh produce, bread, milk and pantry staples every week.",
            "Hot, healthy meals served with dignity in a welcoming dining room.",
        ),
        openers_es=(
            "Comida gratis y alimentos frescos para cualquier persona en {town} que los "
            "necesite, sin preguntas.",
            "Nuestra despensa ofrece frutas, verduras, pan, leche y productos básicos cada "
            "semana.",
        ),
        phrases=(
            "food boxes", "fresh vegetables", "hot meals", "groceries", "baby formula",
            "halal food", "kosher food", "diabetic-friendly food", "SNAP applications",
            "community gardens", "free lunch", "food stamps",
        ),
        phrases_es=(
            "comida", "despensa", "comidas calientes", "alimentos frescos", "fórmula para bebés",
            "cupones de alimentos", "verduras", "almuerzo gratis",
        ),
    ),
    Need(
        key="shelter",
        weight=10,
        terms=("1121", "1135", "1152", "1136", "1103"),
        organization_nouns=(
            "Shelter Network", "Housing Alliance", "Homeless Services", "Open Doors",
            "Housing Partnership",
        ),
        names=(
            "Emergency Shelter", "Overnight Shelter", "Winter Warming Center", "Family Shelter",
            "Youth Shelter", "Housing Search Help", "Day Center and Showers",
        ),
        names_es=(
            "Refugio de emergencia", "Refugio nocturno", "Refugio para familias",
            "Ayuda para buscar vivienda",
        ),
        openers=(
            "Emergency shelter with a safe, warm bed, showers and meals for people without a "
            "place to stay tonight.",
            "A safe place to sleep and keep your things while you work on finding a home.",
            "Short-term shelter for {audience}, with staff who help you plan your next steps.",
        ),
        openers_es=(
            "Refugio de emergencia con una cama segura, duchas y comidas para personas sin un "
            "lugar donde dormir esta noche.",
            "Un lugar seguro para dormir mientras busca una vivienda.",
        ),
        phrases=(
            "emergency shelter", "a bed tonight", "showers", "laundry", "lockers",
            "housing search", "motel vouchers", "winter shelter", "homeless outreach",
            "a mailing address",
        ),
        phrases_es=(
            "refugio", "una cama esta noche", "duchas", "lavandería", "búsqueda de vivienda",
            "refugio de invierno",
        ),
    ),
    Need(
        key="violence",
        weight=6,
        terms=(taxonomy.HELP_ESCAPE_VIOLENCE, taxonomy.SAFE_HOUSING, "1123", "1305", "1151"),
        organization_nouns=(
            "Safe Haven", "Domestic Violence Services", "Survivor Advocacy Center",
            "Safe Harbor Project", "Crisis Center",
        ),
        names=(
            "Domestic Violence Advocacy", "Safe Housing for Survivors", "Violence Helpline",
            "Safety Planning", "Dating Violence Support for Teens", "Sexual Assault Advocacy",
        ),
        names_es=(
            "Apoyo para víctimas de violencia doméstica", "Vivienda segura para sobrevivientes",
            "Línea de ayuda contra la violencia",
        ),
        openers=(
            "Confidential support for anyone experiencing domestic violence, abuse or stalking.",
            "Advocates help survivors of violence stay safe, understand their options and make "
            "their own choices.",
            "If someone is hurting or scaring you, you can call us any time, day or night.",
        ),
        openers_es=(
            "Apoyo confidencial para cualquier persona que sufre violencia doméstica, abuso o "
            "acoso.",
            "Defensoras ayudan a sobrevivientes de violencia a estar a salvo y a tomar sus "
            "propias decisiones.",
        ),
        phrases=(
            "safety planning", "protection orders", "emergency shelter", "court accompaniment",
            "a safe place to stay", "stalking", "sexual assault", "dating violence",
            "a 24-hour hotline", "confidential advocacy",
        ),
        phrases_es=(
            "plan de seguridad", "órdenes de protección", "refugio seguro", "violencia doméstica",
            "agresión sexual", "línea de ayuda las 24 horas", "acompañamiento al tribunal",
        ),
    ),
    Need(
        key="legal",
        weight=8,
        terms=("1375", "1389", "1381", "1387", "1142", "1111"),
        organization_nouns=(
            "Legal Aid", "Justice Center", "Law Project", "Legal Clinic", "Tenants' Rights Project",
        ),
        names=(
            "Free Legal Clinic", "Tenant Lawyer Hotline", "Immigration Legal Services",
            "Expungement Help", "Family Law Help Desk", "Protection Order Assistance",
        ),
        names_es=(
            "Clínica legal gratuita", "Abogado para inquilinos", "Servicios legales de inmigración",
            "Ayuda con órdenes de protección",
        ),
        openers=(
            "Free legal help from a lawyer for people who cannot afford one.",
            "Lawyers and paralegals explain your rights in plain language and can represent you "
            "in court.",
            "Get free legal advice about eviction, debt, benefits, immigration and family law.",
        ),
        openers_es=(
            "Ayuda legal gratuita de un abogado para personas que no pueden pagar uno.",
            "Abogados explican sus derechos en palabras sencillas y pueden representarle ante el "
            "tribunal.",
        ),
        phrases=(
            "eviction defense", "a free lawyer", "protection orders", "immigration cases",
            "debt collection", "expungement", "child custody", "divorce",
            "public benefits appeals", "wage theft",
        ),
        phrases_es=(
            "abogado", "desalojo", "inmigración", "custodia de los hijos", "divorcio", "deudas",
            "robo de salario", "asesoría legal",
        ),
    ),
    Need(
        key="counseling",
        weight=10,
        terms=("1220", "1304", "1198", "1226", "1312"),
        organization_nouns=(
            "Counseling Center", "Wellness Collective", "Family Therapy Center",
            "Mental Health Alliance", "Healing Center",
        ),
        names=(
            "Counseling for Adults", "Trauma Therapy", "Grief Support Group", "Youth Counseling",
            "Walk-in Mental Health Clinic", "Anxiety and Depression Group",
        ),
        names_es=(
            "Consejería para adultos", "Terapia para el trauma", "Grupo de apoyo para el duelo",
            "Clínica de salud mental",
        ),
        openers=(
            "Counseling with caring therapists who listen and help you work toward the goals you "
            "choose.",
            "Trauma-informed counseling for {audience}, in person or by video.",
            "Talk with a counselor about stress, anxiety, depression, grief or anything on your "
            "mind.",
        ),
        openers_es=(
            "Consejería con terapeutas que escuchan y le ayudan a alcanzar las metas que usted "
            "elija.",
            "Hable con un consejero sobre el estrés, la ansiedad, la depresión o el duelo.",
        ),
        phrases=(
            "trauma therapy", "grief counseling", "anxiety", "depression", "family counseling",
            "couples counseling", "support groups", "crisis counseling", "mental health",
            "art therapy",
        ),
        phrases_es=(
            "consejería", "terapia", "ansiedad", "depresión", "duelo", "salud mental",
            "grupos de apoyo", "terapia familiar",
        ),
    ),
    Need(
        key="money",
        weight=8,
        terms=("1137", "1119", "1232", "1270", "1262", "1113"),
        organization_nouns=(
            "Community Action", "Emergency Assistance Fund", "Financial Empowerment Center",
            "Neighbors in Need", "Mutual Aid",
        ),
        names=(
            "Rent Assistance", "Utility Bill Help", "Emergency Cash Assistance",
            "Free Tax Preparation", "Financial Coaching", "Eviction Prevention Fund",
        ),
        names_es=(
            "Ayuda con la renta", "Ayuda para pagar la luz y el agua",
            "Preparación de impuestos gratis",
        ),
        openers=(
            "Help paying rent, utility bills or other urgent costs so you can keep your home.",
            "Emergency financial assistance for {audience} facing a sudden crisis.",
            "One-time help with rent, deposits, electricity, water or heating bills.",
        ),
        openers_es=(
            "Ayuda para pagar la renta, las facturas de luz y agua u otros gastos urgentes.",
            "Asistencia económica de emergencia para familias en crisis.",
        ),
        phrases=(
            "rent assistance", "utility bills", "security deposits", "eviction prevention",
            "emergency cash", "free tax preparation", "budgeting", "credit repair",
            "energy assistance", "back rent",
        ),
        phrases_es=(
            "renta", "facturas", "depósito", "prevención de desalojo", "dinero de emergencia",
            "preparación de impuestos", "presupuesto",
        ),
    ),
    Need(
        key="work",
        weight=7,
        terms=("1357", "1358", "1365", "1370", "1369", "1359"),
        organization_nouns=(
            "Workforce Center", "Career Pathways", "Job Training Collaborative",
            "Employment Services", "Work Cooperative",
        ),
        names=(
            "Job Search Help", "Paid Job Training", "Resume Workshop", "Supported Employment",
            "Youth Jobs Program", "Apprenticeship Program",
        ),
        names_es=(
            "Ayuda para buscar trabajo", "Capacitación laboral pagada", "Taller de currículum",
        ),
        openers=(
            "Find a job that fits your skills, with support at every step.",
            "Paid training and job placement for {audience} who want to start a new career.",
            "Career coaches help with resumes, interviews and job applications.",
        ),
        openers_es=(
            "Encuentre un trabajo que aproveche sus habilidades, con apoyo en cada paso.",
            "Capacitación pagada y colocación laboral para personas que quieren empezar una "
            "nueva carrera.",
        ),
        phrases=(
            "job training", "resumes", "interview practice", "job placement", "apprenticeships",
            "work clothes", "career coaching", "computer skills", "forklift certification",
            "commercial driving licenses",
        ),
        phrases_es=(
            "trabajo", "empleo", "currículum", "entrevistas", "capacitación",
            "aprendizaje pagado", "ropa de trabajo",
        ),
    ),
    Need(
        key="health",
        weight=8,
        terms=("1206", "1210", "1227", "1201", "1184", "1217"),
        organization_nouns=(
            "Health Clinic", "Community Health Center", "Free Clinic", "Health Partners",
            "Family Health",
        ),
        names=(
            "Free Health Clinic", "Dental Clinic", "Vaccination Clinic", "Prenatal Care",
            "Mobile Health Van", "Walk-in Nurse Clinic",
        ),
        names_es=(
            "Clínica de salud gratuita", "Clínica dental", "Vacunas gratis", "Atención prenatal",
        ),
        openers=(
            "Free or low-cost medical care, whether or not you have insurance.",
            "Doctors, nurses and community health workers who treat you with respect.",
            "Check-ups, tests, vaccines and care for everyday health problems.",
        ),
        openers_es=(
            "Atención médica gratuita o de bajo costo, tenga o no tenga seguro.",
            "Médicos y enfermeras que le tratan con respeto.",
        ),
        phrases=(
            "check-ups", "vaccines", "dental care", "prenatal care", "prescriptions",
            "blood pressure checks", "diabetes care", "eye exams", "sexual health",
            "health insurance enrollment",
        ),
        phrases_es=(
            "chequeos", "vacunas", "dentista", "atención prenatal", "recetas", "diabetes",
            "presión arterial", "seguro médico",
        ),
    ),
    Need(
        key="recovery",
        weight=5,
        terms=("1178", "1181", "1183", "1179", "1310"),
        organization_nouns=(
            "Recovery Center", "Recovery Community", "Sober Living Collective",
            "Treatment Services", "Harm Reduction Project",
        ),
        names=(
            "Recovery Coaching", "Outpatient Treatment", "Sober Living Homes",
            "Recovery Meetings", "Harm Reduction Supplies",
        ),
        names_es=("Apoyo para la recuperación", "Reuniones de recuperación"),
        openers=(
            "Support for people in recovery from alcohol or drug use, on whatever path you "
            "choose.",
            "Recovery coaches with lived experience who walk alongside you.",
            "Outpatient treatment and peer support for substance use, without judgment.",
        ),
        openers_es=(
            "Apoyo para personas en recuperación del alcohol o las drogas, por el camino que "
            "usted elija.",
            "Consejeros de recuperación con experiencia propia le acompañan.",
        ),
        phrases=(
            "recovery coaching", "naloxone", "detox referrals", "sober housing",
            "medication-assisted treatment", "twelve-step meetings", "harm reduction",
            "relapse prevention", "peer recovery support", "family support",
        ),
        phrases_es=(
            "recuperación", "naloxona", "tratamiento", "reuniones", "reducción de daños",
            "apoyo entre pares",
        ),
    ),
    Need(
        key="youth",
        weight=6,
        terms=("1279", "1280", "1283", "1343", "1308"),
        organization_nouns=(
            "Youth Center", "Kids' Club", "Youth Alliance", "Child Care Cooperative",
            "Learning Center",
        ),
        names=(
            "After-School Program", "Child Care Assistance", "Summer Day Camp",
            "Tutoring and Homework Help", "Youth Mentoring", "Teen Drop-in Center",
        ),
        names_es=(
            "Programa después de clases", "Cuidado de niños", "Tutoría y ayuda con tareas",
        ),
        openers=(
            "A safe, fun place for children and young people after school and in the holidays.",
            "Homework help, tutoring, sports, art and a healthy snack every day.",
            "Affordable child care so parents can work, study or rest.",
        ),
        openers_es=(
            "Un lugar seguro y divertido para niños y jóvenes después de la escuela.",
            "Cuidado infantil accesible para que los padres puedan trabajar o estudiar.",
        ),
        phrases=(
            "after-school care", "homework help", "tutoring", "summer camp", "mentoring",
            "child care", "youth sports", "art classes", "college applications",
            "healthy snacks",
        ),
        phrases_es=(
            "cuidado de niños", "tareas", "tutoría", "campamento de verano", "mentores",
            "deportes", "arte",
        ),
        ages=(5, 18),
    ),
    Need(
        key="peer",
        weight=5,
        terms=("1310", "1312", "1305", "1316", "1309"),
        organization_nouns=(
            "Peer Network", "Peer Support Collective", "Warm Line", "Survivors' Circle",
            "Friendship Network",
        ),
        names=(
            "Peer Support Group", "Warm Line", "Survivor Support Circle", "Parent Support Group",
            "One-to-One Peer Support",
        ),
        names_es=("Grupo de apoyo entre pares", "Línea de apoyo"),
        openers=(
            "Peer supporters who have been through hard times themselves listen and share what "
            "helped.",
            "A friendly support group where you can talk, or just listen, with people who "
            "understand.",
            "Call our warm line when you want someone to talk to.",
        ),
        openers_es=(
            "Personas que han vivido momentos difíciles escuchan y comparten lo que les ayudó.",
            "Un grupo de apoyo donde puede hablar, o solo escuchar, con personas que le "
            "entienden.",
        ),
        phrases=(
            "peer support", "support groups", "a warm line", "lived experience",
            "one-to-one support", "online meetings", "survivor circles", "parent groups",
            "grief groups", "friendship",
        ),
        phrases_es=(
            "apoyo entre pares", "grupos de apoyo", "línea de apoyo", "experiencia vivida",
            "amistad",
        ),
    ),
    Need(
        key="immigration",
        weight=4,
        terms=("1381", "1390", "1326", "1348"),
        organization_nouns=(
            "Immigrant Welcome Center", "Newcomer Services", "Language Cooperative",
            "Immigration Project", "Literacy Council",
        ),
        names=(
            "ESL Classes", "Citizenship Classes", "Interpretation Services",
            "Immigration Paperwork Help",
        ),
        names_es=("Clases de inglés", "Clases de ciudadanía", "Servicios de interpretación"),
        openers=(
            "Classes and support for immigrants and newcomers to {town}.",
            "Learn English, prepare for citizenship and get help with immigration paperwork.",
            "Interpreters help you speak with doctors, schools, landlords and courts in your own "
            "language.",
        ),
        openers_es=(
            "Clases y apoyo para inmigrantes y recién llegados a {town}.",
            "Aprenda inglés, prepárese para la ciudadanía y reciba ayuda con sus trámites de "
            "inmigración.",
        ),
        phrases=(
            "English classes", "citizenship classes", "DACA renewals", "work permits",
            "interpreters", "translation", "asylum", "green cards", "know-your-rights workshops",
            "document translation",
        ),
        phrases_es=(
            "clases de inglés", "ciudadanía", "permiso de trabajo", "intérpretes", "traducción",
            "asilo", "residencia",
        ),
    ),
    Need(
        key="transit",
        weight=3,
        terms=("1175", "1173", "1176"),
        organization_nouns=(
            "Community Rides", "Bike Cooperative", "Transit Helpers", "Dial-a-Ride",
        ),
        names=("Free Bus Passes", "Rides to Medical Appointments", "Bike Repair Clinic"),
        names_es=("Pases de autobús gratis", "Transporte a citas médicas"),
        openers=(
            "Help getting where you need to go: rides, bus passes and bikes.",
            "Free rides to medical appointments, pharmacies and the grocery store.",
        ),
        openers_es=(
            "Ayuda para llegar a donde necesita ir: transporte, pases de autobús y bicicletas.",
            "Transporte gratis a citas médicas, farmacias y tiendas.",
        ),
        phrases=(
            "bus passes", "rides", "gas cards", "bike repair", "medical transportation",
            "car repairs", "wheelchair-accessible vans", "driver's license help",
        ),
        phrases_es=("pases de autobús", "transporte", "bicicletas", "citas médicas", "gasolina"),
    ),
    Need(
        key="goods",
        weight=4,
        terms=("1158", "1157", "1163", "1166", "1167"),
        organization_nouns=(
            "Clothing Closet", "Diaper Bank", "Furniture Bank", "Share Shop", "Thrift and Give",
        ),
        names=("Free Clothing Closet", "Diaper Bank", "Furniture Bank", "Hygiene Kits"),
        names_es=("Ropa gratis", "Banco de pañales", "Banco de muebles"),
        openers=(
            "Free clothing, shoes, coats and household goods for people who need them.",
            "Diapers, wipes, formula and baby supplies for families with young children.",
            "Furniture, beds and kitchen items for people moving into a new home.",
        ),
        openers_es=(
            "Ropa, zapatos, abrigos y artículos para el hogar gratis para quien los necesite.",
            "Pañales, toallitas, fórmula y artículos para bebés para familias con niños "
            "pequeños.",
        ),
        phrases=(
            "clothing", "winter coats", "diapers", "furniture", "beds", "hygiene kits",
            "school supplies", "kitchen items", "cell phones", "blankets",
        ),
        phrases_es=(
            "ropa", "abrigos", "pañales", "muebles", "camas", "artículos de higiene",
            "útiles escolares",
        ),
    ),
    Need(
        key="education",
        weight=3,
        terms=("1332", "1351", "1350", "1343"),
        organization_nouns=(
            "Adult Learning Center", "Literacy Council", "Community College Outreach",
            "Learning Cooperative",
        ),
        names=("GED Classes", "Computer Skills Class", "Adult Literacy Tutoring"),
        names_es=("Clases de GED en español", "Clases de computación"),
        openers=(
            "Free classes for adults who want to finish school or learn new skills.",
            "Study for your GED, improve your reading or learn to use a computer, at your own "
            "pace.",
        ),
        openers_es=(
            "Clases gratuitas para adultos que quieren terminar la escuela o aprender nuevas "
            "habilidades.",
            "Prepárese para el GED, mejore su lectura o aprenda a usar una computadora.",
        ),
        phrases=(
            "GED classes", "adult literacy", "computer classes", "high school diplomas",
            "college prep", "digital skills", "math tutoring", "library cards",
        ),
        phrases_es=("GED", "alfabetización", "clases de computación", "diploma", "lectura"),
    ),
)  # fmt: skip

GENERAL = (
    "We can help with {p1}, {p2} and {p3}.",
    "Ask us about {p4} or {p5}.",
    "Services are free and open to everyone in {town} and nearby communities.",
    "Everyone is welcome, including {audience}.",
    "Our staff and volunteers treat every person with dignity and respect.",
    "You do not need an appointment: walk in during opening hours or call ahead.",
    "We work with {audience} and families across the region.",
    "No documents or ID are needed for a first visit.",
    "We also connect people with {r1}, {r2} and {r3}.",
    "Many people also come to us for {r4} and {r5}.",
    "Bring any letters or papers you have; it is fine if you have none.",
    "We listen first and follow your lead.",
    "Call or text us to find out more.",
    "Support is confidential: we never share what you tell us without your permission.",
    "Ask for {contact} at the front desk.",
    "This program is supported by the {family} Family Fund.",
)
GENERAL_ES = (
    "Podemos ayudarle con {p1}, {p2} y {p3}.",
    "Pregúntenos sobre {p4} o {p5}.",
    "Los servicios son gratuitos y abiertos a todas las personas de {town} y comunidades cercanas.",
    "Todas las personas son bienvenidas, también {audience}.",
    "Nuestro personal y voluntarios tratan a cada persona con dignidad y respeto.",
    "No necesita cita: venga durante el horario de atención o llame antes.",
    "No se necesitan documentos ni identificación para la primera visita.",
    "También le conectamos con {r1}, {r2} y {r3}.",
    "Muchas personas también vienen por {r4} y {r5}.",
    "Hablamos español y escuchamos primero.",
    "El apoyo es confidencial: nunca compartimos lo que nos cuenta sin su permiso.",
    "Pregunte por {contact} en la recepción.",
)
AUDIENCES = (
    "families", "seniors", "veterans", "young people", "survivors", "new parents", "immigrants",
    "people with disabilities", "LGBTQ+ people", "single parents", "people leaving prison",
    "students", "farmworkers", "older adults", "refugees", "caregivers",
)  # fmt: skip
AUDIENCES_ES = (
    "las familias", "las personas mayores", "los veteranos", "los jóvenes", "los sobrevivientes",
    "los inmigrantes", "las personas con discapacidad", "las personas LGBTQ+",
    "los trabajadores agrícolas", "los refugiados", "las personas que cuidan a otras",
)  # fmt: skip
# The long tail: each drawn with a weight falling as 1/rank, so a few are common, most rare.
RARE = (
    "eyeglasses", "notary", "hearing aids", "wheelchairs", "walkers", "propane", "firewood",
    "smoke alarms", "car seats", "cribs", "strollers", "backpacks", "school uniforms",
    "textbooks", "laptops", "hotspots", "tablets", "phone chargers", "bedding", "mattresses",
    "microwaves", "cookware", "toiletries", "tampons", "razors", "sunscreen", "insulin",
    "inhalers", "syringes", "condoms", "pregnancy tests", "breast pumps", "lactation", "doulas",
    "midwives", "chiropractic", "acupuncture", "massage", "yoga", "meditation", "tai chi",
    "beekeeping", "composting", "canning", "sewing", "knitting", "woodworking", "welding",
    "plumbing", "carpentry", "wiring", "roofing", "landscaping", "bookkeeping", "payroll",
    "coding", "typing", "spreadsheets", "forklifts", "barista training", "culinary arts",
    "baking", "catering", "janitorial work", "caregiving", "phlebotomy", "notarization",
    "passports", "birth certificates", "Social Security cards", "ITIN numbers", "tax returns",
    "bankruptcy", "wage garnishment", "repossession", "foreclosure", "sublets", "mold", "pests",
    "bedbugs", "radiators", "leaks", "lead paint", "ramps", "grab bars", "stair lifts",
    "guide dogs", "service animals", "pet food", "veterinary care", "spay and neuter",
    "kennels", "equine therapy", "fishing", "hiking", "camping", "swimming", "soccer",
    "basketball", "chess", "robotics", "theater", "choir", "drumming", "poetry", "zines",
    "murals", "pottery", "photography", "podcasting", "journaling", "quilting", "haircuts",
    "voicemail", "mail service", "storage", "funerals", "cremation", "headstones", "hospice",
    "respite", "adult day care", "home-delivered meals", "ferry tickets", "snow tires",
    "chains", "dentures", "orthodontics", "allergy testing", "asthma care", "podiatry",
    "wound care", "foot care", "braille", "captioning", "sign language", "lip reading",
    "audiobooks", "large print", "tutoring in algebra", "chemistry", "harp lessons",
)  # fmt: skip
RARE_ES = (
    "anteojos", "notario", "audífonos", "sillas de ruedas", "leña", "propano",
    "detectores de humo", "asientos de coche", "cunas", "mochilas", "uniformes",
    "computadoras portátiles", "teléfonos", "colchones", "insulina", "inhaladores",
    "pruebas de embarazo", "parteras", "acupuntura", "yoga", "meditación", "huertos", "costura",
    "carpintería", "plomería", "soldadura", "contabilidad", "panadería", "cocina",
    "cuidado de ancianos", "pasaportes", "actas de nacimiento", "matrícula consular",
    "declaración de impuestos", "bancarrota", "embargo de salario", "moho", "plagas", "chinches",
    "calefacción", "rampas", "comida para mascotas", "veterinario", "fútbol", "teatro", "coro",
    "poesía", "murales", "cerámica", "fotografía", "cortes de pelo", "funerales",
)  # fmt: skip
# Made-up names built from syllables: thousands of words that each occur in only a few
# services, the rare end of a real directory's vocabulary.
FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Rosa", "Ana", "Luis", "Mei", "Amir", "Priya", "Kofi", "Nadia",
    "Tomas", "Ines", "Dev", "Leah", "Omar", "Grace", "Mateo", "Yusuf", "Hana",
)  # fmt: skip
SYLLABLES = (
    ("Al", "Bel", "Cor", "Dar", "El", "Fen", "Gar", "Hal", "Is", "Jor", "Kel", "Lor", "Mar",
     "Nor", "Or", "Pel", "Quin", "Ros", "Sel", "Tor", "Ul", "Ven", "Wyn", "Yar", "Zan"),
    ("a", "e", "i", "o", "u", "an", "en", "in", "or", "ar", "el", "is"),
    ("dale", "ford", "ley", "ton", "wick", "mere", "by", "ridge", "well", "stone", "worth",
     "field", "more", "son", "ham", "ston", "croft", "holm", "bury", "grave"),
)  # fmt: skip
ORGANIZATION_ADJECTIVES = (
    "New Hope", "Bright Path", "Open Hands", "Common Ground", "Harvest", "Lighthouse",
    "Cornerstone", "Kindred", "Bridgeway", "Summit", "Evergreen", "Riverside", "Northstar",
    "Good Neighbor", "Heartwood", "Wellspring", "Open Circle", "First Light", "Safe Passage",
    "Unity",
)  # fmt: skip
ORGANIZATION_NOUNS_ES = (
    "Centro Comunitario", "Casa de la Familia", "Alianza Latina", "Centro de Recursos",
    "Proyecto Esperanza",
)  # fmt: skip
ORGANIZATION_KINDS = (
    "community nonprofit", "volunteer-run group", "worker cooperative", "faith-based charity",
    "public agency", "peer-led organization", "mutual-aid network",
)  # fmt: skip
OTHER_LANGUAGES = {
    "vi": "Vietnamese",
    "zh": "Chinese",
    "ar": "Arabic",
    "ht": "Haitian Creole",
    "so": "Somali",
    "ru": "Russian",
    "tl": "Tagalog",
    "ko": "Korean",
    "fa": "Persian",
    "ase": "American Sign Language",
}
ACCESSIBILITY = (
    "Step-free entrance and accessible restroom.",
    "Wheelchair accessible; elevator to all floors.",
    "Ramp at the side entrance; accessible parking.",
    "Hearing loop at the front desk; quiet waiting room.",
    "Large-print materials and a screen reader on request.",
    "Service animals welcome; low-sensory hours on Mondays.",
)
CAPACITY_NOTES = {
    "capacity": ("Taking new people this week.", "Walk-ins welcome today.", ""),
    "no-capacity": ("Full for now; call back next month.", "No openings until the spring.", ""),
    "waitlist": ("About two weeks' wait.", "Join the waiting list by phone.", ""),
    "additional-assessment-required": (
        "A short phone conversation first.",
        "An intake appointment is needed before starting.",
        "",
    ),
}
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values) if "{" in template else template


@dataclass
class GenerateResult:
    counts: dict[str, int]
    seconds: float
    seed: int
    network: str | None = None


@dataclass
class _Batch:
    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    order = (
        Organization,
        Location,
        Address,
        Accessibility,
        Service,
        ServiceAtLocation,
        Phone,
        Schedule,
        Language,
        CostOption,
        Attribute,
    )

    def add(self, row: models.Model) -> None:
        self.rows.setdefault(type(row), []).append(row)

    def size(self, model: type[models.Model]) -> int:
        return len(self.rows.get(model, ()))

    def write(self, counts: dict[str, int]) -> None:
        with transaction.atomic():
            for model in self.order:
                rows = self.rows.get(model, [])
                model.objects.bulk_create(rows, batch_size=2000)
                name = model._meta.model_name
                counts[name] = counts.get(name, 0) + len(rows)
        self.rows.clear()


class _Generator:
    def __init__(self, *, seed: int, network: Network | None, now: datetime):
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.network = network
        self.now = now
        self.today = timezone.localdate(now)
        self.towns = towns()
        self.needs = NEEDS
        self.need_weights = [need.weight for need in NEEDS]
        # Zipf-like: the word at rank r is drawn with weight 1/r.
        self.rare_weights = list(accumulate(1 / rank for rank in range(1, len(RARE) + 1)))
        self.rare_es_weights = list(accumulate(1 / rank for rank in range(1, len(RARE_ES) + 1)))
        self.all_codes = [term.code for term in taxonomy.source_terms()]

    # -- pieces -----------------------------------------------------------------------------

    def postal_code(self, town: Town) -> str:
        rng = self.rng
        letters = rng.choice(POSTAL_LETTERS) + rng.choice(POSTAL_LETTERS)
        return f"{town.district} {rng.randint(1, 9)}{letters}"

    def surname(self) -> str:
        return "".join(self.rng.choice(part) for part in SYLLABLES)

    def phone_number(self) -> str:
        return f"555-01{self.rng.randrange(100):02d}"

    def organization_name(self, need: Need, town: Town, spanish: bool) -> str:
        rng = self.rng
        if spanish:
            return f"{rng.choice(ORGANIZATION_NOUNS_ES)} de {town.name}"
        noun = rng.choice(need.organization_nouns)
        form = rng.random()
        if form < 0.5:
            return f"{town.name} {noun}"
        if form < 0.75:
            return f"{noun} of {town.name}"
        return f"{rng.choice(ORGANIZATION_ADJECTIVES)} {noun}"

    def description(self, need: Need, town: Town, spanish: bool) -> str:
        rng = self.rng
        if spanish:
            phrases, rare, rare_weights = need.phrases_es, RARE_ES, self.rare_es_weights
            openers, general, audiences = need.openers_es, GENERAL_ES, AUDIENCES_ES
        else:
            phrases, rare, rare_weights = need.phrases, RARE, self.rare_weights
            openers, general, audiences = need.openers, GENERAL, AUDIENCES
        values = {
            "town": town.name,
            "audience": rng.choice(audiences),
            "contact": f"{rng.choice(FIRST_NAMES)} {self.surname()}",
            "family": self.surname(),
        }
        for index, phrase in enumerate(rng.sample(phrases, 5), start=1):
            values[f"p{index}"] = phrase
        extra: dict[str, None] = {}
        while len(extra) < 5:
            extra[rng.choices(rare, cum_weights=rare_weights)[0]] = None
        for index, word in enumerate(extra, start=1):
            values[f"r{index}"] = word
        target = rng.randint(40, 80)
        sentences = [_fill(rng.choice(openers), values)]
        words = len(sentences[0].split())
        for template in rng.sample(general, len(general)):
            sentence = _fill(template, values)
            length = len(sentence.split())
            if words >= 40 and words + length > 80:
                break
            sentences.append(sentence)
            words += length
            if words >= target:
                break
        return " ".join(sentences)

    def schedules(self, service: Service, batch: _Batch) -> None:
        rng = self.rng
        pattern = rng.random()
        if pattern < 0.05:
            rows = [(DAYS, time(0, 0), time(23, 59), "Open 24 hours, every day")]
        elif pattern < 0.45:
            opens = rng.choice((time(8), time(8, 30), time(9), time(10)))
            closes = rng.choice((time(16), time(17), time(17, 30), time(18)))
            rows = [(DAYS[:5], opens, closes, "")]
        elif pattern < 0.60:
            rows = [
                (DAYS[:5], time(9), time(17), ""),
                (("SA",), time(10), time(14), ""),
            ]
        elif pattern < 0.70:
            days = tuple(sorted(rng.sample(DAYS[:5], 2), key=DAYS.index))
            opens = rng.choice((time(17), time(18)))
            rows = [(days, opens, time(opens.hour + 3), "")]
        elif pattern < 0.85:
            day = rng.choice(DAYS)
            opens = time(rng.randint(8, 16))
            rows = [((day,), opens, time(opens.hour + rng.randint(2, 4)), "")]
        elif pattern < 0.90:
            rows = [(("SA", "SU"), time(10), time(16), "")]
        else:
            days = rng.choice((("MO", "WE", "FR"), ("TU", "TH"), ("MO", "TU", "WE", "TH")))
            rows = [(days, time(9, 30), time(15, 30), "")]
        for days, opens, closes, description in rows:
            batch.add(
                Schedule(
                    id=_uuid(rng),
                    service=service,
                    freq=Schedule.Freq.WEEKLY,
                    wkst="MO",
                    byday=",".join(days),
                    opens_at=opens,
                    closes_at=closes,
                    timezone=UTC_OFFSET,
                    description=description,
                )
            )

    def cost(self, service: Service) -> CostOption:
        rng = self.rng
        draw = rng.random()
        option = CostOption(id=_uuid(rng), service=service, currency=CURRENCY)
        if draw < 0.5:
            option.option, option.amount, option.amount_description = (
                "Free",
                Decimal("0.00"),
                "No charge.",
            )
        elif draw < 0.7:
            low = rng.choice((5, 10, 15, 20, 25))
            option.option, option.amount = "Sliding scale", Decimal(low)
            option.amount_description = f"From ${low}, based on household income."
        elif draw < 0.85:
            amount = rng.choice((5, 10, 20, 35, 50, 75, 100))
            option.option, option.amount = "Fee", Decimal(amount)
            option.amount_description = f"${amount} per visit."
        else:
            option.option, option.amount = "Insurance accepted", None
            option.amount_description = "Most insurance and Medicaid accepted; ask about help."
        return option

    # -- records ----------------------------------------------------------------------------

    def organization(self, services: int, batch: _Batch) -> None:
        rng = self.rng
        town = rng.choice(self.towns)
        confidential = rng.random() < 0.01
        need = NEEDS[2] if confidential else rng.choices(self.needs, self.need_weights)[0]
        spanish_org = rng.random() < 0.08
        name = self.organization_name(need, town, spanish_org)
        slug = _slug(name)
        organization = Organization(
            id=_uuid(rng),
            name=name,
            description=(
                f"A {rng.choice(ORGANIZATION_KINDS)} serving {town.name} and nearby towns since "
                f"{rng.randint(1950, 2024)}. "
                + _fill(need.openers[0], {"town": town.name, "audience": "everyone"})
            ),
            website=f"https://{slug}.example",
            email=f"info@{slug}.example",
            network=self.network,
        )
        batch.add(organization)
        locations = []
        for _ in range(rng.choices((1, 2, 3), weights=(45, 35, 20))[0]):
            place = rng.choice(self.towns) if rng.random() < 0.3 else town
            latitude = place.latitude + rng.gauss(0, 0.02)
            longitude = place.longitude + rng.gauss(0, 0.03)
            virtual = not confidential and rng.random() < 0.03
            location = Location(
                id=_uuid(rng),
                organization=organization,
                location_type="virtual" if virtual else "physical",
                name=f"{name}, {place.name}" if not virtual else f"{name} (phone and online)",
            )
            if virtual:
                location.url = f"https://{slug}.example/online"
            elif confidential:
                location.is_confidential = True
                location.coarse_area = f"{place.name} area (confidential location)"
                location.latitude, location.longitude = round(latitude, 1), round(longitude, 1)
            else:
                location.latitude, location.longitude = round(latitude, 6), round(longitude, 6)
            batch.add(location)
            locations.append(location)
            if location.location_type == "physical" and not confidential:
                batch.add(
                    Address(
                        id=_uuid(rng),
                        location=location,
                        address_1=(
                            f"{rng.randint(1, 2999)} {rng.choice(STREETS)} "
                            f"{rng.choice(STREET_KINDS)}"
                        ),
                        address_2=f"Suite {rng.randint(1, 40) * 10}" if rng.random() < 0.15 else "",
                        city=place.name,
                        region=REGION,
                        state_province=STATE,
                        postal_code=self.postal_code(place),
                        country=COUNTRY,
                        address_type="physical",
                    )
                )
                if rng.random() < 0.6:
                    batch.add(
                        Accessibility(
                            id=_uuid(rng), location=location, description=rng.choice(ACCESSIBILITY)
                        )
                    )
            if confidential:
                batch.add(
                    Phone(
                        id=_uuid(rng),
                        location=location,
                        number=self.phone_number(),
                        type="voice",
                        description="24-hour helpline; the address is shared only with residents.",
                    )
                )
        for _ in range(services):
            self.service(organization, need, town, locations, spanish_org, batch)

    def service(
        self,
        organization: Organization,
        organization_need: Need,
        town: Town,
        locations: list[Location],
        spanish_org: bool,
        batch: _Batch,
    ) -> None:
        rng = self.rng
        need = (
            organization_need
            if organization_need.key == "violence" or rng.random() < 0.6
            else rng.choices(self.needs, self.need_weights)[0]
        )
        speaks_spanish = rng.random() < (0.7 if spanish_org else 0.28)
        written_in_spanish = speaks_spanish and rng.random() < 0.5
        english_name = rng.choice(need.names)
        spanish_name = rng.choice(need.names_es)
        if rng.random() < 0.25:
            english_name = f"{english_name} in {town.name}"
            spanish_name = f"{spanish_name} en {town.name}"
        if written_in_spanish:
            name, alternate = spanish_name, english_name
        else:
            name, alternate = english_name, spanish_name if speaks_spanish else ""
        assured_days = rng.randint(0, 730)
        status = rng.choices(
            (
                Service.Status.ACTIVE,
                Service.Status.TEMPORARILY_CLOSED,
                Service.Status.INACTIVE,
                Service.Status.DEFUNCT,
            ),
            weights=(95, 2, 2, 1),
        )[0]
        capacity = rng.choices(
            ("", "capacity", "waitlist", "no-capacity", "additional-assessment-required"),
            weights=(30, 40, 15, 7, 8),
        )[0]
        minimum_age = maximum_age = None
        if need.ages and rng.random() < 0.7:
            minimum_age, maximum_age = need.ages
        elif rng.random() < 0.08:
            minimum_age, maximum_age = rng.choice(((0, 5), (12, 24), (18, None), (60, None)))
        service = Service(
            id=_uuid(rng),
            organization=organization,
            name=name,
            alternate_name=alternate,
            description=self.description(need, town, written_in_spanish),
            url=organization.website,
            email=organization.email,
            status=status,
            minimum_age=minimum_age,
            maximum_age=maximum_age,
            assured_date=self.today - timedelta(days=assured_days),
            last_modified=self.now - timedelta(days=assured_days, minutes=rng.randint(0, 1439)),
            capacity_status=capacity,
            capacity_note=rng.choice(CAPACITY_NOTES[capacity]) if capacity else "",
            capacity_updated_at=(
                self.now - timedelta(hours=rng.randint(1, 24 * 60)) if capacity else None
            ),
        )
        batch.add(service)
        at = rng.sample(locations, 2) if len(locations) > 1 and rng.random() < 0.2 else None
        for location in at or [rng.choice(locations)]:
            batch.add(ServiceAtLocation(id=_uuid(rng), service=service, location=location))
        batch.add(Phone(id=_uuid(rng), service=service, number=self.phone_number(), type="voice"))
        self.schedules(service, batch)
        codes = ["en"]
        if speaks_spanish:
            codes.append("es")
        if rng.random() < 0.06:
            codes.append(rng.choice(list(OTHER_LANGUAGES)))
        for code in codes:
            batch.add(
                Language(
                    id=_uuid(rng),
                    service=service,
                    code=code,
                    name={"en": "English", "es": "Spanish"}.get(code) or OTHER_LANGUAGES[code],
                )
            )
        batch.add(self.cost(service))
        how_many = rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
        terms = rng.sample(need.terms, min(how_many, len(need.terms)))
        if rng.random() < 0.1:
            terms[-1] = rng.choice(self.all_codes)
        for code in dict.fromkeys(terms):
            batch.add(
                Attribute(
                    id=_uuid(rng),
                    link_id=service.id,
                    link_entity="service",
                    taxonomy_term_id=taxonomy.term_id(code),
                )
            )


def generate_directory(
    *,
    services: int,
    seed: int,
    network: Network | None = None,
    batch_size: int = 5000,
    now: datetime | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> GenerateResult:
    """Write a synthetic directory of exactly `services` services (about one organization per
    four services). `progress(done, total, seconds)` is told after every batch."""
    if services < 1:
        raise ValueError("Generate at least one service.")
    started = clock.perf_counter()
    taxonomy.ensure_default_taxonomy()
    generator = _Generator(seed=seed, network=network, now=now or timezone.now())
    rng = generator.rng
    organizations = max(1, round(services / 4))
    per_organization = [1] * organizations
    for _ in range(services - organizations):
        per_organization[rng.randrange(organizations)] += 1

    counts: dict[str, int] = {}
    batch = _Batch()
    for count in per_organization:
        generator.organization(count, batch)
        if batch.size(Service) >= batch_size:
            batch.write(counts)
            if progress:
                progress(counts["service"], services, clock.perf_counter() - started)
    batch.write(counts)
    seconds = clock.perf_counter() - started
    if progress:
        progress(counts["service"], services, seconds)
    with transaction.atomic():
        audit.record(
            actor=None,
            action="hearth.directory.generate.completed",
            network=network,
            detail={"seed": seed, "created": counts, "seconds": round(seconds, 1)},
        )
    return GenerateResult(
        counts=counts, seconds=seconds, seed=seed, network=network.slug if network else None
    )
