"""Directory listings for the fictional Riverbend Valley demo network.

Every demo member organization gets a listing with services, places, hours, languages, costs,
capacity and Open Eligibility terms, and a few organizations that do not use Hearth are listed
too (a county 211 line, a clinic, a library...). Everything here is fictional: the towns, the
"RV" state code, the "RV1 2AB"-style postal codes, the 555-01xx phone numbers and the
coordinates, which lie in a small box around 45.5 N, 122.6 W.

Ids are UUIDs derived from stable keys, so loading twice changes nothing, and the two
confidential locations (a domestic-violence shelter and a sexual-assault safe house) never have
an address: only a coarse area, coordinates rounded to one decimal, and a front-door helpline."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from hearth.accounts import demo_data
from hearth.accounts.models import Network
from hearth.accounts.models import Organization as Member
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

NAMESPACE = uuid.UUID("5b0f2f0e-8a41-5c8e-b0c6-2d4b1e7f9a13")
STATE = "RV"
COUNTRY = "US"
CURRENCY = "USD"
REGION = "Riverbend Valley"
# HSDS 3.0 gives a schedule's time zone as a UTC offset in hours (Pacific standard time).
UTC_OFFSET = -8.0
STALE_AFTER_DAYS = 180

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "ht": "Haitian Creole",
    "ase": "American Sign Language",
}

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


def demo_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


def coarse(value: float) -> float:
    """Coordinates of a confidential place, rounded to about ten kilometres."""
    return round(value, 1)


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    town: str
    street: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    confidential: bool = False
    coarse_area: str = ""
    url: str = ""  # a virtual place: phone, text or video only
    description: str = ""
    transportation: str = ""
    accessibility: str = ""
    phone: str = ""  # a front-door number on the place itself
    phone_description: str = ""


@dataclass(frozen=True)
class Offer:
    key: str
    name: str
    description: str
    places: tuple[str, ...]
    hours: str
    terms: tuple[str, ...]
    languages: tuple[str, ...] = ("en",)
    cost: str = "free"
    capacity: str = ""
    capacity_note: str = ""
    capacity_hours_ago: int = 20
    assured_days_ago: int = 14
    alternate_name: str = ""
    application_process: str = ""
    eligibility: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    phone: str = ""
    phone_description: str = ""
    interpretation: str = ""


@dataclass(frozen=True)
class Listing:
    key: str  # a member organization's slug, or a key for an organization outside Hearth
    places: tuple[Place, ...]
    offers: tuple[Offer, ...]
    # Only for organizations that are not Hearth members; members bring their own.
    name: str = ""
    description: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""


INTERPRETERS = (
    "Free interpreters in any language, in person or by phone, through Puente Language Cooperative."
)

LISTINGS: tuple[Listing, ...] = (
    Listing(
        key="riverbend-valley-hub",
        places=(
            Place(
                key="hub",
                name="Riverbend Valley Community Hub",
                town="Riverbend",
                street="120 Commons Way",
                postal_code="RV1 2AB",
                latitude=45.5236,
                longitude=-122.6755,
                transportation="Bus routes 4 and 12 stop outside; bike racks by the door.",
                accessibility="Step-free entrance, lift to every floor, accessible restrooms "
                "and a quiet room.",
            ),
        ),
        offers=(
            Offer(
                key="navigation",
                name="Help finding services",
                alternate_name="Ayuda para encontrar servicios",
                description=(
                    "Not sure where to start? A hub navigator sits down with you, in person or "
                    "by phone, and helps you find the services that fit what you want. They "
                    "make a referral only if you say so, and you never have to explain more "
                    "than you choose to."
                ),
                places=("hub",),
                hours="MO-FR 09:00-17:00",
                terms=("1292", "1293"),
                languages=("en", "es"),
                capacity="capacity",
                capacity_note="Drop in or call; a navigator is usually free within the hour.",
                assured_days_ago=5,
                interpretation=INTERPRETERS,
            ),
            Offer(
                key="training",
                name="Trauma-informed practice training",
                description=(
                    "Free half-day and full-day workshops for anyone in the valley who works "
                    "or volunteers with people: staff, peer supporters, landlords, librarians, "
                    "coaches. Learn how to make spaces safer and more welcoming, build on "
                    "people's strengths, and look after yourself too."
                ),
                places=("hub",),
                hours="TH 13:00-17:00",
                terms=("1356",),
                capacity="waitlist",
                capacity_note="The spring workshops are full; new dates are added every month.",
                assured_days_ago=30,
            ),
        ),
    ),
    Listing(
        key="silverthread-studio",
        places=(
            Place(
                key="studio",
                name="Silverthread Studio",
                town="Millbrook",
                street="48 Mill Race Lane",
                postal_code="RV2 3CD",
                latitude=45.5884,
                longitude=-122.5598,
                accessibility="Ground-floor studio with step-free entrance; adjustable benches.",
            ),
        ),
        offers=(
            Offer(
                key="apprenticeship",
                name="Paid jewelry-making apprenticeship",
                description=(
                    "A paid twelve-week apprenticeship in jewelry design and making. Learn "
                    "metalwork, beading and selling at markets alongside experienced makers, "
                    "at a pace that works for you, and keep a share of the profit from every "
                    "piece you make."
                ),
                places=("studio",),
                hours="MO-TH 10:00-15:00",
                terms=("1359", "1372"),
                capacity="waitlist",
                capacity_note="The next group starts in six weeks; join the list any time.",
                eligibility=(
                    "For adults who have lived through violence or exploitation. You never "
                    "need to share your story to join."
                ),
                assured_days_ago=21,
            ),
            Offer(
                key="open-making",
                name="Open making sessions",
                description=(
                    "Drop-in afternoons where makers from the studio community use the tools "
                    "and materials, finish their own pieces, or simply sit and make with "
                    "others."
                ),
                places=("studio",),
                hours="FR 13:00-16:00",
                terms=("1285", "1312"),
                capacity="capacity",
                assured_days_ago=205,
            ),
        ),
    ),
    Listing(
        key="willow-commons-therapy",
        places=(
            Place(
                key="rooms",
                name="Willow Commons Therapy Cooperative",
                town="Riverbend",
                street="310 Willow Street",
                postal_code="RV1 4EF",
                latitude=45.5191,
                longitude=-122.6688,
                accessibility="Ground-floor rooms, step-free entrance and an accessible restroom.",
            ),
            Place(
                key="video",
                name="Willow Commons video sessions",
                town="Riverbend",
                url="https://willowcommons.example/video",
                description="Sessions by secure video, from wherever you feel comfortable.",
            ),
        ),
        offers=(
            Offer(
                key="adults",
                name="Trauma-focused counseling for adults",
                alternate_name="Consejería para adultos",
                description=(
                    "One-to-one counseling with a therapist who understands trauma and works "
                    "at your pace. Together you decide what you want to work on, whether that "
                    "is sleep, relationships, grief or feeling safe in your body again. "
                    "Sessions in person or by video."
                ),
                places=("rooms", "video"),
                hours="MO-FR 09:00-19:00",
                terms=("1220", "1226"),
                languages=("en", "es", "ar"),
                cost="sliding",
                capacity="waitlist",
                capacity_note="About three weeks' wait for a first session.",
                assured_days_ago=10,
            ),
            Offer(
                key="families",
                name="Counseling for couples and families",
                description=(
                    "Sessions for couples, parents and children, or whole families who want "
                    "to understand each other better and get through a hard time together. "
                    "Everyone in the room has a voice."
                ),
                places=("rooms", "video"),
                hours="TU-TH 16:00-20:00",
                terms=("1220", "1304"),
                cost="sliding",
                capacity="capacity",
                capacity_note="Evening appointments are free this month.",
                assured_days_ago=10,
            ),
            Offer(
                key="survivor-group",
                name="Therapy group for survivors of abuse",
                description=(
                    "A ten-week group for adults who have lived through abuse. Groups are "
                    "small and led by two therapists; you can speak or simply listen, and "
                    "many people find strength in hearing that they are not alone."
                ),
                places=("rooms",),
                hours="WE 18:00-19:30",
                terms=("1312", "1226"),
                cost="sliding",
                capacity="additional-assessment-required",
                capacity_note=(
                    "A short, friendly conversation with a therapist first, to make sure the "
                    "group is a good fit for you right now."
                ),
                assured_days_ago=40,
            ),
        ),
    ),
    Listing(
        key="harbor-house",
        places=(
            Place(
                key="shelter",
                name="Harbor House shelter",
                town="Riverbend",
                # Only a rough point: the builder keeps one decimal of it and no address.
                latitude=45.5571,
                longitude=-122.6412,
                confidential=True,
                coarse_area="Riverbend Valley (confidential location)",
                accessibility="Step-free rooms and accessible bathrooms; pets are welcome.",
                phone="555-0140",
                phone_description=(
                    "24-hour helpline. Advocates answer day and night and arrange a safe place "
                    "to meet; the shelter's address is shared only with the people staying "
                    "there."
                ),
            ),
            Place(
                key="helpline",
                name="Harbor House helpline",
                town="Riverbend",
                url="https://harborhouse.example/helpline",
                description="Phone and text, day and night.",
            ),
        ),
        offers=(
            Offer(
                key="shelter",
                name="Emergency shelter for people leaving domestic violence",
                alternate_name="Refugio de emergencia para personas que dejan la violencia",
                description=(
                    "A safe, confidential place to stay for people leaving an abusive "
                    "relationship, with their children and pets. Private rooms, food, clothes "
                    "and toiletries are ready when you arrive. Advocates are there day and "
                    "night to listen and to help you plan your next steps on your own terms, "
                    "for as long as you need."
                ),
                places=("shelter",),
                hours="24/7",
                terms=(taxonomy.HELP_ESCAPE_VIOLENCE, taxonomy.SAFE_HOUSING, "1121"),
                languages=("en", "es"),
                capacity="additional-assessment-required",
                capacity_note=(
                    "Call the helpline first: an advocate talks through safety and what space "
                    "is free tonight."
                ),
                capacity_hours_ago=3,
                assured_days_ago=3,
                eligibility=(
                    "Anyone of any gender being harmed by a partner, ex-partner or family "
                    "member, with their children and pets."
                ),
                application_process=(
                    "Call the 24-hour helpline. You do not need documents, money or a police "
                    "report."
                ),
                phone="555-0140",
                phone_description="24-hour helpline",
                interpretation=INTERPRETERS,
            ),
            Offer(
                key="helpline",
                name="24-hour domestic violence helpline",
                alternate_name="Línea de ayuda las 24 horas",
                description=(
                    "Call or text any time to talk with an advocate about what is happening "
                    "and what you want. Advocates listen without judging, share information "
                    "about options, and can help you find a safe place tonight."
                ),
                places=("helpline",),
                hours="24/7",
                terms=("1305", taxonomy.HELP_ESCAPE_VIOLENCE),
                languages=("en", "es"),
                capacity="capacity",
                capacity_hours_ago=3,
                assured_days_ago=3,
                phone="555-0140",
                phone_description="24-hour helpline",
                interpretation=INTERPRETERS,
            ),
            Offer(
                key="advocacy",
                name="Advocacy and safety planning",
                description=(
                    "Meet an advocate somewhere safe and public, or talk by phone, to think "
                    "through options: protection orders, housing, money, the children, staying "
                    "or leaving. Advocates share information and never pressure; you decide "
                    "what happens next."
                ),
                places=("helpline",),
                hours="MO-FR 09:00-18:00",
                terms=(taxonomy.HELP_ESCAPE_VIOLENCE, "1375"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=12,
                phone="555-0140",
                phone_description="24-hour helpline",
            ),
        ),
    ),
    Listing(
        key="kindred-peer-network",
        places=(
            Place(
                key="cedar-falls",
                name="Kindred Peer Support Network",
                town="Cedar Falls",
                street="22 Falls Road",
                postal_code="RV3 1GH",
                latitude=45.4468,
                longitude=-122.5131,
                accessibility="Step-free entrance and accessible restroom.",
            ),
            Place(
                key="eastgate",
                name="Kindred at the Eastgate Community Room",
                town="Eastgate",
                street="9 Station Square",
                postal_code="RV5 2JK",
                latitude=45.5331,
                longitude=-122.4295,
                transportation="Two minutes' walk from Eastgate station.",
                accessibility="Step-free entrance; hearing loop in the meeting room.",
            ),
            Place(
                key="warm-line",
                name="Kindred warm line",
                town="Cedar Falls",
                url="https://kindredpeers.example/warm-line",
            ),
        ),
        offers=(
            Offer(
                key="circles",
                name="Peer support circles",
                alternate_name="Círculos de apoyo entre pares",
                description=(
                    "Weekly circles led by trained peer supporters who have been through hard "
                    "times themselves. Come as you are, share as much or as little as you "
                    "like, and leave having spent time with people who understand."
                ),
                places=("cedar-falls", "eastgate"),
                hours="MO 18:00-19:30; TH 12:00-13:30",
                terms=("1310", "1312"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=9,
            ),
            Offer(
                key="warm-line",
                name="Evening peer warm line",
                description=(
                    "Not a crisis line: a friendly voice when you want to talk. Peers answer "
                    "every evening, listen, share what has helped them, and stay on the line "
                    "as long as you like."
                ),
                places=("warm-line",),
                hours="MO-SU 17:00-23:00",
                terms=("1305", "1316", "1310"),
                capacity="capacity",
                phone="555-0141",
                phone_description="Peer warm line, every evening",
                assured_days_ago=9,
            ),
            Offer(
                key="companionship",
                name="One-to-one peer companionship",
                description=(
                    "Get matched with a peer supporter who meets you for coffee, a walk or a "
                    "phone call each week, for as long as you want company on the way to the "
                    "goals you choose."
                ),
                places=("cedar-falls", "eastgate"),
                hours="MO-FR 10:00-18:00",
                terms=("1309", "1308"),
                capacity="waitlist",
                capacity_note="New matches are made every two weeks.",
                assured_days_ago=45,
            ),
        ),
    ),
    Listing(
        key="valley-legal-aid",
        places=(
            Place(
                key="office",
                name="Riverbend Valley Legal Aid",
                town="Riverbend",
                street="75 Courthouse Square, 3rd floor",
                postal_code="RV1 6LM",
                latitude=45.5262,
                longitude=-122.6793,
                accessibility="Lift to the third floor; private interview rooms.",
            ),
        ),
        offers=(
            Offer(
                key="protection-orders",
                name="Help with protection orders",
                alternate_name="Ayuda con órdenes de protección",
                description=(
                    "Lawyers and advocates help you understand protection orders, fill in the "
                    "forms, prepare for court and, if you want, come with you to the hearing. "
                    "Free and confidential, and you stay in charge of every decision."
                ),
                places=("office",),
                hours="MO-FR 09:00-17:00",
                terms=("1375", "1389", taxonomy.HELP_ESCAPE_VIOLENCE),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=6,
                interpretation=INTERPRETERS,
            ),
            Offer(
                key="housing-benefits",
                name="Housing and benefits legal clinic",
                description=(
                    "Free advice on evictions, repairs, deposits, unpaid wages and public "
                    "benefits. Bring any letters you have; a lawyer explains your options in "
                    "plain language and can represent you."
                ),
                places=("office",),
                hours="TU 17:00-20:00; SA 10:00-13:00",
                terms=("1375", "1142", "1385"),
                languages=("en", "es"),
                capacity="waitlist",
                capacity_note=(
                    "Tuesday evenings are booked two weeks ahead; Saturday is first come, "
                    "first served."
                ),
                assured_days_ago=60,
            ),
            Offer(
                key="immigration-es",
                name="Clínica de inmigración en español",
                alternate_name="Immigration clinic in Spanish",
                description=(
                    "Abogados y asistentes legales que hablan español explican, en palabras "
                    "sencillas, sus opciones de inmigración: residencia, permisos de trabajo, "
                    "visas para víctimas de delitos y renovación de documentos. La consulta es "
                    "gratuita y confidencial, y usted decide los próximos pasos."
                ),
                places=("office",),
                hours="WE 10:00-16:00",
                terms=("1381", "1375"),
                languages=("es", "en"),
                capacity="capacity",
                assured_days_ago=15,
            ),
        ),
    ),
    Listing(
        key="open-door-housing",
        places=(
            Place(
                key="office",
                name="Open Door Housing First",
                town="Harlow",
                street="260 Harlow High Street",
                postal_code="RV4 2NP",
                latitude=45.4806,
                longitude=-122.7822,
                accessibility="Step-free entrance.",
            ),
        ),
        offers=(
            Offer(
                key="homes",
                name="Housing First homes",
                description=(
                    "Help to move straight into a home of your own, with no requirement to be "
                    "sober, in treatment or 'ready' first. A support worker helps with the "
                    "lease, furniture and bills, then visits as often as you want while you "
                    "build the life you choose around that home."
                ),
                places=("office",),
                hours="MO-FR 09:00-17:00",
                terms=("1136", "1146", "1148"),
                capacity="no-capacity",
                capacity_note=(
                    "Every home is let; new homes are expected in the spring. You can still "
                    "ask to join the referral list."
                ),
                capacity_hours_ago=72,
                assured_days_ago=8,
            ),
            Offer(
                key="tenancy-support",
                name="Tenancy support visits",
                description=(
                    "A support worker visits you at home to help with whatever makes keeping "
                    "a home easier: letters, repairs, neighbours, budgeting, or just a cup of "
                    "tea and a plan for the week."
                ),
                places=("office",),
                hours="MO-FR 09:00-17:00",
                terms=("1306", "1142"),
                capacity="capacity",
                assured_days_ago=8,
            ),
        ),
    ),
    Listing(
        key="millbrook-food-bank",
        places=(
            Place(
                key="pantry",
                name="Millbrook Community Food Bank",
                town="Millbrook",
                street="5 Granary Road",
                postal_code="RV2 5QR",
                latitude=45.5862,
                longitude=-122.5651,
                transportation="Bus route 7 stops at Granary Road.",
                accessibility="Step-free entrance, wide aisles, seating while you wait.",
            ),
        ),
        offers=(
            Offer(
                key="pantry",
                name="Choice food pantry",
                alternate_name="Despensa de alimentos: comida gratis",
                description=(
                    "Shop for free groceries the way you would in a store: fresh fruit and "
                    "vegetables from local farms, bread, dairy, tins and household basics. No "
                    "paperwork beyond a first name, and you are welcome every week."
                ),
                places=("pantry",),
                hours="TU 10:00-14:00; TH 15:00-19:00; SA 09:00-12:00",
                terms=("1130", "1128"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=2,
            ),
            Offer(
                key="delivery",
                name="Home grocery delivery",
                description=(
                    "Volunteers bring a box of groceries each week to people who cannot get to "
                    "the pantry because of illness, disability, caring for someone or safety. "
                    "Tell us what you like to eat and about any allergies."
                ),
                places=("pantry",),
                hours="WE 10:00-16:00",
                terms=("1129", "1130"),
                languages=("en", "es"),
                capacity="waitlist",
                capacity_note="Deliveries in Harlow are full; other towns can start next week.",
                assured_days_ago=2,
            ),
        ),
    ),
    Listing(
        key="cedar-falls-commons-garden",
        places=(
            Place(
                key="garden",
                name="Cedar Falls Commons Garden",
                town="Cedar Falls",
                street="1 Orchard Lane",
                postal_code="RV3 4ST",
                latitude=45.4421,
                longitude=-122.5069,
                accessibility="Raised beds at wheelchair height and firm, level paths.",
            ),
        ),
        offers=(
            Offer(
                key="plots",
                name="Community garden plots and drop-in gardening",
                description=(
                    "Shared beds anyone can plant and harvest, private plots, a tool library "
                    "and benches in a quiet green place. Come to grow food, learn from other "
                    "gardeners, or just sit for a while."
                ),
                places=("garden",),
                hours="MO-SU 08:00-20:00",
                terms=("1127",),
                capacity="waitlist",
                capacity_note="Private plots are all taken; the shared beds are open to all.",
                assured_days_ago=250,
            ),
            Offer(
                key="cooking",
                name="Seasonal cooking workshops",
                alternate_name="Talleres de cocina de temporada",
                description=(
                    "Cook a simple, tasty meal from what is growing in the garden this month, "
                    "then eat it together. Recipes to take home; children welcome."
                ),
                places=("garden",),
                hours="SA 11:00-13:00",
                terms=("1336", "1134"),
                languages=("en", "es"),
                assured_days_ago=220,
            ),
        ),
    ),
    Listing(
        key="lanternworks-arts",
        places=(
            Place(
                key="studio",
                name="Lanternworks Arts Collective",
                town="Harlow",
                street="14 Kiln Yard",
                postal_code="RV4 3UV",
                latitude=45.4839,
                longitude=-122.7766,
                accessibility="Step-free ground floor; the print studio is upstairs.",
            ),
        ),
        offers=(
            Offer(
                key="open-studio",
                name="Open studio and creative workshops",
                description=(
                    "Open studio time with materials provided, plus printmaking, music and "
                    "storytelling workshops. No experience needed; members show and sell "
                    "their work together."
                ),
                places=("studio",),
                hours="WE 12:00-20:00; SA 10:00-16:00",
                terms=("1285", "1312"),
                capacity="capacity",
                assured_days_ago=300,
            ),
        ),
    ),
    Listing(
        key="pathways-workforce",
        places=(
            Place(
                key="centre",
                name="Pathways Workforce Training",
                town="Eastgate",
                street="88 Foundry Street",
                postal_code="RV5 4WX",
                latitude=45.5352,
                longitude=-122.4273,
                accessibility="Step-free workshops and classrooms.",
            ),
        ),
        offers=(
            Offer(
                key="training",
                name="Paid skills training",
                alternate_name="Capacitación pagada",
                description=(
                    "Twelve to sixteen weeks of paid training in carpentry, bookkeeping, food "
                    "service or digital skills. Childcare and bus fare are covered, and you "
                    "set your own goals with a coach who checks in every week."
                ),
                places=("centre",),
                hours="MO-FR 08:30-16:30",
                terms=("1365", "1372"),
                languages=("en", "es"),
                capacity="additional-assessment-required",
                capacity_note=(
                    "An informal chat about your goals helps find the right course; it is not "
                    "a test."
                ),
                assured_days_ago=25,
            ),
            Offer(
                key="job-matching",
                name="Job matching with trauma-aware employers",
                description=(
                    "Help with your resume and interviews, then introductions to local "
                    "employers who have committed to fair pay, predictable schedules and "
                    "respectful, trauma-aware workplaces."
                ),
                places=("centre",),
                hours="MO-FR 09:00-17:00",
                terms=("1357", "1358", "1370", "1369"),
                capacity="capacity",
                assured_days_ago=25,
            ),
        ),
    ),
    Listing(
        key="common-ground-mediation",
        places=(
            Place(
                key="office",
                name="Common Ground Restorative Mediation",
                town="Riverbend",
                street="31 Linden Court",
                postal_code="RV1 7YZ",
                latitude=45.5214,
                longitude=-122.6602,
                accessibility="Step-free entrance; two separate waiting rooms.",
            ),
        ),
        offers=(
            Offer(
                key="mediation",
                name="Neighbour and family mediation",
                description=(
                    "Trained volunteer mediators help neighbours, family members, tenants and "
                    "landlords talk through a conflict and agree what each of them needs to "
                    "move forward."
                ),
                places=("office",),
                hours="MO-TH 10:00-19:00",
                terms=("1387",),
                capacity="capacity",
                eligibility=(
                    "Mediation is voluntary for everyone taking part. It is not offered where "
                    "there has been violence or abuse between the people involved; an "
                    "advocate can help you find safer options."
                ),
                assured_days_ago=50,
            ),
            Offer(
                key="circles",
                name="Restorative circles for workplaces and groups",
                description=(
                    "Facilitated circles for teams, congregations and community groups after "
                    "harm or conflict, focused on repair and responsibility rather than blame."
                ),
                places=("office",),
                hours="FR 10:00-16:00",
                terms=("1387",),
                assured_days_ago=190,
            ),
        ),
    ),
    Listing(
        key="riverside-youth-studio",
        places=(
            Place(
                key="studio",
                name="Riverside Youth Studio",
                town="Eastgate",
                street="3 Riverside Walk",
                postal_code="RV5 6BC",
                latitude=45.5297,
                longitude=-122.4346,
                accessibility="Step-free entrance and accessible restroom.",
            ),
        ),
        offers=(
            Offer(
                key="after-school",
                name="After-school studio for young people",
                alternate_name="Estudio juvenil después de clases",
                description=(
                    "Music, bike building, homework help and a hot meal, every school day. "
                    "Young people sit on the steering group and help choose what the studio "
                    "offers next."
                ),
                places=("studio",),
                hours="MO-FR 15:00-19:00",
                terms=("1279", "1285", "1343"),
                languages=("en", "es"),
                capacity="capacity",
                eligibility="For young people aged 11 to 18. No sign-up needed for a first visit.",
                minimum_age=11,
                maximum_age=18,
                assured_days_ago=18,
            ),
            Offer(
                key="summer",
                name="Summer program",
                description=(
                    "Six weeks of music, outdoor trips, cooking and bike rides in the summer "
                    "holidays, with lunch every day."
                ),
                places=("studio",),
                hours="MO-FR 10:00-16:00",
                terms=("1283", "1285"),
                languages=("en", "es"),
                capacity="waitlist",
                capacity_note="Places open on 1 May; join the list to hear first.",
                minimum_age=11,
                maximum_age=18,
                assured_days_ago=100,
            ),
        ),
    ),
    Listing(
        key="harlow-interfaith-centre",
        places=(
            Place(
                key="centre",
                name="Harlow Interfaith Community Centre",
                town="Harlow",
                street="401 Chapel Street",
                postal_code="RV4 5DE",
                latitude=45.4787,
                longitude=-122.7853,
                accessibility="Step-free entrance, accessible restrooms, large-print menus.",
            ),
        ),
        offers=(
            Offer(
                key="meals",
                name="Community meals",
                alternate_name="Comidas comunitarias gratis",
                description=(
                    "A warm, home-cooked meal shared at long tables, three times a week. "
                    "Everyone is welcome, of any faith or none; vegetarian and halal options "
                    "every time."
                ),
                places=("centre",),
                hours="TU 12:00-14:00; FR 17:30-19:30; SU 12:30-14:00",
                terms=("1131",),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=20,
            ),
            Offer(
                key="clothing",
                name="Clothing exchange",
                description=(
                    "Take what you need, bring what you can: clothes, shoes and coats for all "
                    "ages, and smart outfits for interviews and work."
                ),
                places=("centre",),
                hours="SA 10:00-13:00",
                terms=("1158", "1161"),
                assured_days_ago=20,
            ),
            Offer(
                key="rooms",
                name="Quiet rooms and meeting space for peer groups",
                description=(
                    "Calm rooms to rest, pray or reflect, and free meeting space for peer "
                    "support and recovery groups."
                ),
                places=("centre",),
                hours="MO-SA 09:00-21:00",
                terms=("1311", "1312"),
                assured_days_ago=75,
            ),
        ),
    ),
    Listing(
        key="clearwater-advocacy-centre",
        places=(
            Place(
                key="office",
                name="Clearwater Advocacy Centre office",
                town="Eastgate",
                street="60 Market Street",
                postal_code="RV5 7FG",
                latitude=45.5371,
                longitude=-122.4219,
                accessibility="Step-free entrance and a private, quiet waiting room.",
            ),
            Place(
                key="safe-house",
                name="Clearwater safe house",
                town="Eastgate",
                latitude=45.5093,
                longitude=-122.4712,
                confidential=True,
                coarse_area="Eastgate area (confidential location)",
                phone="555-0142",
                phone_description=(
                    "24-hour helpline. An advocate arranges a stay; the address is shared only "
                    "with the people staying there."
                ),
            ),
        ),
        offers=(
            Offer(
                key="helpline",
                name="24-hour sexual assault helpline and accompaniment",
                alternate_name="Línea de ayuda para sobrevivientes de agresión sexual",
                description=(
                    "An advocate answers day and night. If you want, an advocate will meet you "
                    "at the hospital or police station and stay with you. You decide whether "
                    "to have a medical exam or to report, and you can change your mind."
                ),
                places=("office",),
                hours="24/7",
                terms=("1305", "1123"),
                languages=("en", "es"),
                capacity="capacity",
                capacity_hours_ago=2,
                phone="555-0142",
                phone_description="24-hour helpline",
                interpretation=INTERPRETERS,
                assured_days_ago=4,
            ),
            Offer(
                key="groups",
                name="Survivor support groups",
                alternate_name="Grupos de apoyo para sobrevivientes",
                description=(
                    "Small groups for survivors of sexual violence, led by advocates, where "
                    "people share what helps, learn ways to cope, and rebuild trust at their "
                    "own pace."
                ),
                places=("office",),
                hours="TU 18:00-19:30; SA 11:00-12:30",
                terms=("1312", "1304"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=4,
            ),
            Offer(
                key="safe-house",
                name="Short-stay safe house",
                description=(
                    "A few nights in a calm, private home for survivors of sexual violence "
                    "who do not feel safe where they are, with an advocate on call to help "
                    "plan what comes next."
                ),
                places=("safe-house",),
                hours="24/7",
                terms=(taxonomy.SAFE_HOUSING, "1151", taxonomy.HELP_ESCAPE_VIOLENCE),
                capacity="no-capacity",
                capacity_note=(
                    "Both rooms are in use this week; call the helpline and an advocate will "
                    "find another safe place tonight."
                ),
                capacity_hours_ago=5,
                phone="555-0142",
                phone_description="24-hour helpline",
                assured_days_ago=4,
            ),
        ),
    ),
    Listing(
        key="riverbend-county-public-health",
        places=(
            Place(
                key="riverbend",
                name="Riverbend County Public Health, Riverbend clinic",
                town="Riverbend",
                street="200 County Plaza",
                postal_code="RV1 8HJ",
                latitude=45.5248,
                longitude=-122.6721,
                accessibility="Step-free entrance, lift, accessible restrooms, and sign language "
                "interpreters on request.",
            ),
            Place(
                key="millbrook",
                name="Riverbend County Public Health, Millbrook health post",
                town="Millbrook",
                street="12 Market Row",
                postal_code="RV2 1KL",
                latitude=45.5899,
                longitude=-122.5620,
                accessibility="Step-free entrance.",
            ),
        ),
        offers=(
            Offer(
                key="clinic",
                name="Free walk-in clinic",
                alternate_name="Clínica gratuita sin cita",
                description=(
                    "See a nurse or doctor without an appointment for check-ups, tests, minor "
                    "illness, sexual health and prescriptions. Free for everyone, whatever "
                    "your insurance or immigration status."
                ),
                places=("riverbend", "millbrook"),
                hours="MO-FR 08:00-18:00",
                terms=("1206", "1210", "1201"),
                languages=("en", "es", "vi"),
                capacity="capacity",
                interpretation=INTERPRETERS,
                assured_days_ago=11,
            ),
            Offer(
                key="vaccinations",
                name="Vaccinations for all ages",
                description=(
                    "Free vaccinations for children and adults, including flu and travel "
                    "vaccines. Walk in, or book a time that suits you."
                ),
                places=("riverbend", "millbrook"),
                hours="WE 14:00-18:00; SA 09:00-12:00",
                terms=("1227",),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=11,
            ),
            Offer(
                key="home-visits",
                name="Home visits for new parents",
                description=(
                    "A nurse or community health worker visits you at home during pregnancy "
                    "and the baby's first year, to answer questions about feeding, sleep and "
                    "your own health, and to cheer on what is going well."
                ),
                places=("riverbend",),
                hours="MO-FR 09:00-17:00",
                terms=("1306", "1217", "1337"),
                languages=("en", "es"),
                capacity="additional-assessment-required",
                capacity_note="A nurse calls first to find a good time and learn what would help.",
                assured_days_ago=11,
            ),
        ),
    ),
    Listing(
        key="valley-college-research-lab",
        places=(
            Place(
                key="lab",
                name="Community Research Lab, Riverbend Valley Community College",
                town="Cedar Falls",
                street="900 College Drive, Building C",
                postal_code="RV3 9MN",
                latitude=45.4502,
                longitude=-122.5184,
                accessibility="Step-free campus paths and lifts.",
            ),
        ),
        offers=(
            Offer(
                key="evaluation",
                name="Evaluation support for community groups",
                description=(
                    "Researchers and community members help small organizations find simple, "
                    "respectful ways to learn whether their work is helping, and publish only "
                    "aggregate results the group has reviewed."
                ),
                places=("lab",),
                hours="MO-TH 10:00-16:00",
                terms=("1356",),
                capacity="capacity",
                assured_days_ago=400,
            ),
        ),
    ),
    Listing(
        key="valley-community-foundation",
        places=(
            Place(
                key="office",
                name="Riverbend Valley Community Foundation",
                town="Riverbend",
                street="18 Bridge Street",
                postal_code="RV1 3PQ",
                latitude=45.5279,
                longitude=-122.6637,
                accessibility="Step-free entrance.",
            ),
        ),
        offers=(
            Offer(
                key="grants",
                name="Community grants decided by residents",
                description=(
                    "Grants of $500 to $25,000 for local groups, decided by residents in open "
                    "rounds. Informal groups can apply with a partner organization, and "
                    "reporting is a conversation, not a form."
                ),
                places=("office",),
                hours="MO-FR 09:00-17:00",
                terms=("1232",),
                capacity="capacity",
                capacity_note="The autumn round is open until the end of the month.",
                assured_days_ago=35,
            ),
        ),
    ),
    Listing(
        key="spoke-and-wheel",
        places=(
            Place(
                key="shop",
                name="Spoke & Wheel Bicycle Cooperative",
                town="Millbrook",
                street="9 Chain Street",
                postal_code="RV2 6RS",
                latitude=45.5831,
                longitude=-122.5577,
                accessibility="Step-free shop floor.",
            ),
        ),
        offers=(
            Offer(
                key="earn-a-bike",
                name="Earn-a-bike program",
                description=(
                    "Volunteer in the shop for a few sessions and leave with a refurbished "
                    "bike, a lock, lights and the skills to keep it running."
                ),
                places=("shop",),
                hours="TU 16:00-19:00; SA 10:00-15:00",
                terms=("1175",),
                capacity="capacity",
                assured_days_ago=330,
            ),
            Offer(
                key="repair-clinic",
                name="Free bike repair clinic",
                description=(
                    "Bring your bike and fix it with a mechanic beside you: tools, spare "
                    "parts and advice at no cost."
                ),
                places=("shop",),
                hours="SA 10:00-13:00",
                terms=("1175",),
                assured_days_ago=45,
            ),
        ),
    ),
    Listing(
        key="second-pour-cafe",
        places=(
            Place(
                key="cafe",
                name="Second Pour Café",
                town="Riverbend",
                street="56 Canal Street",
                postal_code="RV1 5TU",
                latitude=45.5203,
                longitude=-122.6811,
                accessibility="Step-free entrance and accessible restroom.",
            ),
        ),
        offers=(
            Offer(
                key="training",
                name="Paid café training and jobs",
                description=(
                    "Paid training as a barista, cook or shift lead, with fair wages, "
                    "schedules set a month ahead and a savings match for every staff member."
                ),
                places=("cafe",),
                hours="MO-FR 07:00-15:00",
                terms=("1359", "1372"),
                capacity="waitlist",
                capacity_note="The next paid training group starts in two months.",
                assured_days_ago=28,
            ),
            Offer(
                key="pay-it-forward",
                name="Pay-it-forward meals",
                description=(
                    "Customers buy a coffee or a meal in advance for anyone who needs one. "
                    "Ask at the counter; no questions asked."
                ),
                places=("cafe",),
                hours="MO-SA 07:00-16:00",
                terms=("1131",),
                capacity="capacity",
                assured_days_ago=28,
            ),
        ),
    ),
    Listing(
        key="eastgate-tenants-union",
        places=(
            Place(
                key="hall",
                name="Eastgate Tenants Union",
                town="Eastgate",
                street="27 Union Row",
                postal_code="RV5 3VW",
                latitude=45.5318,
                longitude=-122.4301,
                accessibility="Step-free meeting hall.",
            ),
        ),
        offers=(
            Offer(
                key="workshops",
                name="Tenant rights workshops and repair support",
                alternate_name="Talleres sobre derechos de inquilinos",
                description=(
                    "Learn your rights as a renter and get help asking for repairs, from "
                    "letters to group action. Neighbours who have been there will back you up."
                ),
                places=("hall",),
                hours="WE 18:30-20:30",
                terms=("1142", "1141"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=16,
            ),
            Offer(
                key="eviction",
                name="Eviction defense support",
                description=(
                    "Facing eviction or a steep rent rise? Members go with you to talk to the "
                    "landlord or to court, help gather paperwork, and connect you with Legal "
                    "Aid's lawyers."
                ),
                places=("hall",),
                hours="MO-FR 17:00-20:00",
                terms=("1142", "1375"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=16,
            ),
        ),
    ),
    Listing(
        key="puente-language-coop",
        places=(
            Place(
                key="office",
                name="Puente Language Cooperative",
                town="Cedar Falls",
                street="41 Bridge Lane",
                postal_code="RV3 2XY",
                latitude=45.4489,
                longitude=-122.5097,
                accessibility="Step-free entrance; video relay for Deaf callers.",
            ),
        ),
        offers=(
            Offer(
                key="interpreting",
                name="Interpreters for appointments",
                alternate_name="Intérpretes para sus citas",
                description=(
                    "Interpreters in Spanish, Haitian Creole, Vietnamese, Arabic and American "
                    "Sign Language come with you to medical, legal, school or housing "
                    "appointments, in person or by phone, so you can speak in the language "
                    "you think in."
                ),
                places=("office",),
                hours="MO-FR 08:00-18:00",
                terms=("1390",),
                languages=("en", "es", "ht", "vi", "ar", "ase"),
                capacity="capacity",
                capacity_note="Same-day phone interpreting; in person with two days' notice.",
                assured_days_ago=7,
            ),
            Offer(
                key="translation-es",
                name="Traducción de documentos",
                alternate_name="Document translation",
                description=(
                    "Traducimos cartas, formularios y documentos importantes de escuelas, "
                    "hospitales, tribunales o del casero, del inglés al español y a otros "
                    "idiomas, y del español al inglés. Es gratis para las personas que llegan "
                    "por medio de una organización de la red."
                ),
                places=("office",),
                hours="MO-FR 09:00-17:00",
                terms=("1390",),
                languages=("es", "en"),
                capacity="waitlist",
                capacity_note="Entregamos las traducciones en unos cinco días hábiles.",
                assured_days_ago=7,
            ),
        ),
    ),
    Listing(
        key="new-leaf-recovery",
        places=(
            Place(
                key="centre",
                name="New Leaf Recovery Community Centre",
                town="Millbrook",
                street="133 Elm Avenue",
                postal_code="RV2 4ZA",
                latitude=45.5907,
                longitude=-122.5532,
                accessibility="Step-free entrance and accessible restroom.",
            ),
        ),
        offers=(
            Offer(
                key="coaching",
                name="Recovery coaching",
                description=(
                    "Meet a recovery coach with lived experience who supports whatever pathway "
                    "you choose, helps you set goals and celebrates every step."
                ),
                places=("centre",),
                hours="MO-FR 10:00-18:00",
                terms=("1178", "1309"),
                capacity="capacity",
                assured_days_ago=13,
            ),
            Offer(
                key="meetings",
                name="All-recovery meetings",
                alternate_name="Reuniones de recuperación para todos",
                description=(
                    "Nightly meetings open to anyone in or thinking about recovery, whatever "
                    "their pathway: twelve-step, medication-supported, faith-based or their "
                    "own."
                ),
                places=("centre",),
                hours="MO-SU 19:00-20:00",
                terms=("1178", "1312"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=13,
            ),
            Offer(
                key="social",
                name="Sober social evenings",
                description=(
                    "Games, music, film nights and good coffee every Friday: a fun night out "
                    "without alcohol or drugs."
                ),
                places=("centre",),
                hours="FR 18:00-22:00",
                terms=("1285", "1178"),
                assured_days_ago=13,
            ),
        ),
    ),
    Listing(
        key="valley-mutual-aid",
        places=(
            Place(
                key="online",
                name="Riverbend Valley Mutual Aid (phone and online)",
                town="Riverbend",
                url="https://valleymutualaid.example/ask",
            ),
        ),
        offers=(
            Offer(
                key="neighbours",
                name="Rides, groceries and childcare from neighbours",
                alternate_name="Ayuda entre vecinos",
                description=(
                    "Ask for a ride, a grocery run or an hour of childcare, and a neighbour "
                    "who has offered that kind of help gets in touch. Everyone gives what they "
                    "can and asks for what they need."
                ),
                places=("online",),
                hours="MO-SU 08:00-20:00",
                terms=("1175", "1129", "1280"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=22,
            ),
            Offer(
                key="emergency-fund",
                name="Small emergency grants",
                description=(
                    "Up to $200 for an urgent bill, bus fare, medicine or phone credit, "
                    "usually within two days. No receipts and no questions asked."
                ),
                places=("online",),
                hours="MO-SU 08:00-20:00",
                terms=("1232", "1113"),
                languages=("en", "es"),
                capacity="no-capacity",
                capacity_note="This month's fund is spent; it refills on the first.",
                capacity_hours_ago=48,
                assured_days_ago=22,
            ),
        ),
    ),
    Listing(
        key="eastgate-neighbours-pantry",
        places=(
            Place(
                key="pantry",
                name="Eastgate Neighbours Pantry and Free Fridge",
                town="Eastgate",
                street="70 Harvest Street",
                postal_code="RV5 8CD",
                latitude=45.5389,
                longitude=-122.4252,
                accessibility="Step-free, well-lit entrance on the street.",
            ),
        ),
        offers=(
            Offer(
                key="fridge",
                name="Free fridge and pantry",
                alternate_name="Refrigerador y despensa gratis",
                description=(
                    "Fresh food, bread and pantry staples stocked by neighbours for "
                    "neighbours. Take what you need, leave what you can; no sign-up."
                ),
                places=("pantry",),
                hours="MO-FR 17:00-21:00; SA-SU 10:00-18:00",
                terms=("1130", "1128"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=6,
            ),
            Offer(
                key="soup-night",
                name="Weekly soup night",
                alternate_name="Noche de sopa",
                description="Homemade soup and bread every Thursday evening, open to all.",
                places=("pantry",),
                hours="TH 18:00-20:00",
                terms=("1131",),
                languages=("en", "es"),
                assured_days_ago=6,
            ),
        ),
    ),
    # Organizations listed in the directory that do not use Hearth.
    Listing(
        key="riverbend-county-211",
        name="Riverbend County 211",
        description=(
            "The county's free, confidential information line for health and human services, "
            "answered by trained call specialists."
        ),
        website="https://riverbend211.example",
        email="info@riverbend211.example",
        phone="211",
        places=(
            Place(
                key="line",
                name="Riverbend County 211 (phone and text)",
                town="Riverbend",
                url="https://riverbend211.example",
            ),
        ),
        offers=(
            Offer(
                key="line",
                name="211 information line",
                alternate_name="Línea de información 211",
                description=(
                    "Call or text 211, any time, to find food, housing, health care, legal "
                    "help and more across Riverbend County. Call specialists listen, look up "
                    "options and can connect you directly."
                ),
                places=("line",),
                hours="24/7",
                terms=("1305", "1292"),
                languages=("en", "es", "vi"),
                capacity="capacity",
                phone="211",
                phone_description="Call or text 211, day and night",
                interpretation="Interpreters in more than 150 languages by phone.",
                assured_days_ago=30,
            ),
        ),
    ),
    Listing(
        key="millbrook-free-clinic",
        name="Millbrook Free Clinic",
        description="A volunteer-run evening clinic for people without health insurance.",
        website="https://millbrookfreeclinic.example",
        email="info@millbrookfreeclinic.example",
        phone="555-0150",
        places=(
            Place(
                key="clinic",
                name="Millbrook Free Clinic",
                town="Millbrook",
                street="77 Orchard Street",
                postal_code="RV2 7DE",
                latitude=45.5851,
                longitude=-122.5703,
                accessibility="Step-free entrance.",
            ),
        ),
        offers=(
            Offer(
                key="evening-clinic",
                name="Evening medical clinic",
                alternate_name="Clínica médica por la tarde",
                description=(
                    "Volunteer doctors and nurses see patients for everyday health problems, "
                    "long-term conditions and medicine refills, two evenings a week."
                ),
                places=("clinic",),
                hours="MO,WE 17:00-21:00",
                terms=("1206", "1201"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=90,
            ),
        ),
    ),
    Listing(
        key="riverbend-public-library",
        name="Riverbend Public Library",
        description="The public library for Riverbend and the surrounding valley.",
        website="https://riverbendlibrary.example",
        email="ask@riverbendlibrary.example",
        phone="555-0151",
        places=(
            Place(
                key="central",
                name="Riverbend Central Library",
                town="Riverbend",
                street="1 Library Square",
                postal_code="RV1 9FG",
                latitude=45.5229,
                longitude=-122.6779,
                accessibility="Step-free entrances, lifts, accessible restrooms and "
                "computers with screen readers.",
            ),
        ),
        offers=(
            Offer(
                key="computers",
                name="Free computer and internet help",
                description=(
                    "Free computers, wifi and printing, and friendly help with e-mail, online "
                    "forms and job applications."
                ),
                places=("central",),
                hours="MO-SA 09:00-20:00; SU 12:00-17:00",
                terms=("1351",),
                assured_days_ago=400,
            ),
            Offer(
                key="english",
                name="English conversation circles",
                alternate_name="Círculos de conversación en inglés",
                description=(
                    "Practice everyday English with patient volunteers and other learners in a "
                    "relaxed group. All levels welcome."
                ),
                places=("central",),
                hours="TU 18:00-19:30; SA 10:30-12:00",
                terms=("1326",),
                languages=("en", "es"),
                assured_days_ago=380,
            ),
        ),
    ),
    Listing(
        key="cedar-falls-family-resource-center",
        name="Cedar Falls Family Resource Center",
        description="A drop-in centre for parents and caregivers of young children.",
        website="https://cedarfallsfamilies.example",
        email="hello@cedarfallsfamilies.example",
        phone="555-0152",
        places=(
            Place(
                key="centre",
                name="Cedar Falls Family Resource Center",
                town="Cedar Falls",
                street="230 Birch Road",
                postal_code="RV3 6HJ",
                latitude=45.4437,
                longitude=-122.5158,
                accessibility="Step-free entrance, baby-changing and a feeding room.",
            ),
        ),
        offers=(
            Offer(
                key="diapers",
                name="Diaper bank and baby supplies",
                alternate_name="Pañales y artículos para bebés",
                description=(
                    "Free diapers, wipes, formula and baby clothes each month, plus car seats "
                    "and cribs when they are available."
                ),
                places=("centre",),
                hours="MO,WE,FR 09:30-14:30",
                terms=("1157", "1155"),
                languages=("en", "es"),
                capacity="capacity",
                assured_days_ago=40,
            ),
            Offer(
                key="playgroups",
                name="Parent and toddler playgroups",
                description=(
                    "Play, songs and snacks for children under five while parents meet other "
                    "parents and swap ideas."
                ),
                places=("centre",),
                hours="TU,TH 10:00-11:30",
                terms=("1195", "1285"),
                languages=("en", "es"),
                maximum_age=5,
                assured_days_ago=40,
            ),
        ),
    ),
    Listing(
        key="valley-dial-a-ride",
        name="Valley Dial-a-Ride",
        description="Door-to-door shared rides for people who cannot easily use the bus.",
        website="https://valleydialaride.example",
        email="rides@valleydialaride.example",
        phone="555-0153",
        places=(
            Place(
                key="depot",
                name="Valley Dial-a-Ride depot",
                town="Harlow",
                street="500 Depot Road",
                postal_code="RV4 8KL",
                latitude=45.4741,
                longitude=-122.7702,
                accessibility="Every vehicle has a wheelchair lift.",
            ),
        ),
        offers=(
            Offer(
                key="medical-rides",
                name="Rides to medical appointments",
                description=(
                    "Book a door-to-door ride to a doctor, clinic, pharmacy or counseling "
                    "appointment anywhere in the valley, at least a day ahead."
                ),
                places=("depot",),
                hours="MO-FR 07:00-19:00",
                terms=("1176",),
                cost="fare",
                capacity="capacity",
                assured_days_ago=120,
            ),
        ),
    ),
)


def _days(spec: str) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = part.split("-")
            days += DAYS[DAYS.index(first) : DAYS.index(last) + 1]
        else:
            days.append(part)
    return days


def parse_hours(hours: str) -> list[tuple[list[str], time, time]]:
    """ "MO-FR 09:00-17:00; SA 10:00-13:00" as (days, opens, closes); "24/7" is every day."""
    if hours == "24/7":
        return [(list(DAYS), time(0, 0), time(23, 59))]
    result = []
    for chunk in hours.split(";"):
        days, span = chunk.split()
        opens, closes = (time.fromisoformat(value) for value in span.split("-"))
        result.append((_days(days), opens, closes))
    return result


def describe_hours(days: list[str], opens: time, closes: time) -> str:
    if days == DAYS and (opens, closes) == (time(0, 0), time(23, 59)):
        return "Open 24 hours, every day"
    if len(days) > 2 and DAYS.index(days[-1]) - DAYS.index(days[0]) == len(days) - 1:
        named = f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    else:
        names = [DAY_NAMES[day] for day in days]
        named = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{named}, {opens:%H:%M} to {closes:%H:%M}"


def _cost(service_id: uuid.UUID, cost: str) -> CostOption:
    if cost == "sliding":
        return CostOption(
            id=demo_id("cost", str(service_id)),
            service_id=service_id,
            option="Sliding scale",
            currency=CURRENCY,
            amount=Decimal("10.00"),
            amount_description=(
                "You choose what you pay for each session, from $10 to $90, by what your "
                "household can afford. Nobody is turned away because they cannot pay."
            ),
        )
    if cost == "fare":
        return CostOption(
            id=demo_id("cost", str(service_id)),
            service_id=service_id,
            option="Fare",
            currency=CURRENCY,
            amount=Decimal("1.00"),
            amount_description="$1 each way; free for anyone who cannot pay.",
        )
    return CostOption(
        id=demo_id("cost", str(service_id)),
        service_id=service_id,
        option="Free",
        currency=CURRENCY,
        amount=Decimal("0.00"),
        amount_description="No charge.",
    )


class _Rows:
    """Every demo record, grouped by model in the order they must be inserted."""

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

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[models.Model]] = {
            model: [] for model in self.order
        }

    def add(self, *rows: models.Model) -> None:
        for row in rows:
            self.by_model[type(row)].append(row)


def _build(
    listing: Listing,
    rows: _Rows,
    *,
    member: Member | None,
    network: Network | None,
    now: datetime,
    today: date,
) -> None:
    organization = Organization(
        id=demo_id("organization", listing.key),
        name=member.name if member else listing.name,
        description=member.description if member else listing.description,
        website=member.website if member else listing.website,
        email=member.email if member else listing.email,
        network=network,
        member=member,
    )
    phone_number = member.phone if member else listing.phone
    rows.add(organization)
    rows.add(
        Phone(
            id=demo_id("phone", f"{listing.key}/organization"),
            organization=organization,
            number=phone_number,
            type="voice",
            description="Main number",
        )
    )
    locations = {}
    for place in listing.places:
        key = f"{listing.key}/{place.key}"
        virtual = bool(place.url)
        location = Location(
            id=demo_id("location", key),
            organization=organization,
            location_type="virtual" if virtual else "physical",
            url=place.url,
            name=place.name,
            description=place.description,
            transportation=place.transportation,
            latitude=None,
            longitude=None,
            is_confidential=place.confidential,
            coarse_area=place.coarse_area,
        )
        if place.latitude is not None and place.longitude is not None:
            if place.confidential:
                location.latitude = coarse(place.latitude)
                location.longitude = coarse(place.longitude)
            else:
                location.latitude, location.longitude = place.latitude, place.longitude
        locations[place.key] = location
        rows.add(location)
        if place.street and not place.confidential:
            rows.add(
                Address(
                    id=demo_id("address", key),
                    location=location,
                    address_1=place.street,
                    city=place.town,
                    region=REGION,
                    state_province=STATE,
                    postal_code=place.postal_code,
                    country=COUNTRY,
                    address_type="physical",
                )
            )
        if place.accessibility:
            rows.add(
                Accessibility(
                    id=demo_id("accessibility", key),
                    location=location,
                    description=place.accessibility,
                )
            )
        if place.phone:
            rows.add(
                Phone(
                    id=demo_id("phone", f"{key}/front-door"),
                    location=location,
                    number=place.phone,
                    type="voice",
                    description=place.phone_description,
                )
            )
    for offer in listing.offers:
        key = f"{listing.key}/{offer.key}"
        assured = today - timedelta(days=offer.assured_days_ago)
        service = Service(
            id=demo_id("service", key),
            organization=organization,
            name=offer.name,
            alternate_name=offer.alternate_name,
            description=offer.description,
            url=organization.website,
            email=organization.email,
            status=Service.Status.ACTIVE,
            interpretation_services=offer.interpretation,
            application_process=offer.application_process,
            eligibility_description=offer.eligibility,
            minimum_age=offer.minimum_age,
            maximum_age=offer.maximum_age,
            assured_date=assured,
            assurer_email=organization.email,
            last_modified=now - timedelta(days=offer.assured_days_ago),
            capacity_status=offer.capacity,
            capacity_note=offer.capacity_note,
            capacity_updated_at=(
                now - timedelta(hours=offer.capacity_hours_ago) if offer.capacity else None
            ),
        )
        rows.add(service)
        for place_key in offer.places:
            rows.add(
                ServiceAtLocation(
                    id=demo_id("service_at_location", f"{key}@{place_key}"),
                    service=service,
                    location=locations[place_key],
                )
            )
        rows.add(
            Phone(
                id=demo_id("phone", f"{key}/service"),
                service=service,
                number=offer.phone or phone_number,
                type="voice",
                description=offer.phone_description,
            )
        )
        for index, (days, opens, closes) in enumerate(parse_hours(offer.hours)):
            rows.add(
                Schedule(
                    id=demo_id("schedule", f"{key}/{index}"),
                    service=service,
                    freq=Schedule.Freq.WEEKLY,
                    wkst="MO",
                    byday=",".join(days),
                    opens_at=opens,
                    closes_at=closes,
                    timezone=UTC_OFFSET,
                    description=describe_hours(days, opens, closes),
                )
            )
        for code in offer.languages:
            rows.add(
                Language(
                    id=demo_id("language", f"{key}/{code}"),
                    service=service,
                    code=code,
                    name=LANGUAGE_NAMES[code],
                )
            )
        rows.add(_cost(service.id, offer.cost))
        for code in offer.terms:
            rows.add(
                Attribute(
                    id=demo_id("attribute", f"{key}/{code}"),
                    link_id=service.id,
                    link_entity="service",
                    taxonomy_term_id=taxonomy.term_id(code),
                )
            )


def _missing(model: type[models.Model], rows: Iterable[models.Model]) -> list[models.Model]:
    rows = list(rows)
    existing = set(
        model.objects.filter(id__in=[row.pk for row in rows]).values_list("id", flat=True)
    )
    return [row for row in rows if row.pk not in existing]


@transaction.atomic
def load_demo_listings(*, now: datetime | None = None) -> dict[str, int]:
    """Create the demo network's directory listings that do not exist yet.

    Returns how many records of each kind were created (all zero on a second run). Member
    organizations missing from the database are skipped."""
    taxonomy.ensure_default_taxonomy()
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_network = {spec["slug"]: spec["networks"][0] for spec in demo_data.ORGANIZATIONS}
    members = Member.objects.in_bulk(list(first_network), field_name="slug")
    networks = Network.objects.in_bulk(
        [spec["slug"] for spec in demo_data.NETWORKS], field_name="slug"
    )
    home_network = networks.get(demo_data.NETWORKS[0]["slug"])
    rows = _Rows()
    for listing in LISTINGS:
        if listing.key in first_network:
            member = members.get(listing.key)
            if member is None:
                continue
            network = networks.get(first_network[listing.key])
        else:
            member, network = None, home_network
        _build(listing, rows, member=member, network=network, now=now, today=today)

    created: dict[str, int] = {}
    for model in rows.order:
        new_rows = _missing(model, rows.by_model[model])
        model.objects.bulk_create(new_rows)
        created[model._meta.model_name] = len(new_rows)
    if any(created.values()):
        audit.record(
            actor=None,
            action="hearth.directory.demo.loaded",
            network=home_network,
            detail={"created": created},
        )
    return created
