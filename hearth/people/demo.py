"""Fictional people for the Riverbend Valley demo network, held by its counselling, peer-support
and victim-service members, with consents in every state, one emergency access awaiting review,
an access history, and one person who signs in to their own pages.

Everything goes through the people services and the access gate, so the demo records are sealed,
indexed and audited exactly like real ones. The one exception is `_record_past_consent`: no
service records a consent whose end date has already passed, and the demo needs one to show what
an expired consent looks like (see its docstring).

`load()` runs inside `hearth.accounts.demo.load_demo()`, after the organizations, the staff and
the directory's taxonomy exist. It is idempotent: once the demo person's own sign-in exists, it
changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hearth.accounts.demo import DemoSignIn
from hearth.accounts.models import Organization, User
from hearth.core import audit

from . import access, services
from .models import CONSENTABLE_PURPOSES, Category, Consent, Person, PortalAccount, Purpose

PORTAL_SIGN_IN = "sam-river"
PORTAL_PASSPHRASE = "quiet-harbour-42"

TIME_ZONE = "America/Los_Angeles"  # the valley's time zone (the directory demo uses UTC-8)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]

# Who records each organization's people (demo staff from hearth.accounts.demo_data).
STAFF = {
    "willow-commons-therapy": "leila@hearth.example",
    "harbor-house": "naomi@hearth.example",
    "kindred-peer-network": "sam@hearth.example",
    "new-leaf-recovery": "sam@hearth.example",
    "clearwater-advocacy-centre": "keisha@hearth.example",
}


def _contact(**preferences) -> dict:
    return {"time_zone": TIME_ZONE, **preferences}


# Each person: who holds the record, and what they chose to share. Needs are Open Eligibility
# codes (hearth/directory/data/open_eligibility.json). Sam River has a record at two
# organizations, linked to one sign-in of their own.
PEOPLE = [
    {
        "key": "sam-river-harbor",
        "holder": "harbor-house",
        "identity": {
            "chosen_name": "Sam River",
            "pronouns": "they/them",
            "languages": ["en"],
            "age": 34,
        },
        "contact": _contact(
            emails=["sam.river@mail.example"],
            safe_channels=["email"],
            safe_days=WEEKDAYS,
        ),
        "needs": {
            "terms": ["1124", "1136", "1375"],
            "in_their_words": "A home of my own, and help understanding the protection order.",
        },
        "strengths": {
            "strengths": "Resourceful and organised; kept their two cats safe through every "
            "move. Writes songs and plays guitar.",
            "goals": "A flat of their own in Riverbend by spring; finish the bookkeeping course "
            "they started last year.",
            "what_helps": "Plain answers in writing, time to think before deciding, meeting "
            "somewhere with windows.",
        },
        "notes": [
            "Sam chose the helpline for first contact and prefers e-mail afterwards. They asked "
            "for a referral to legal aid and agreed what may be shared."
        ],
    },
    {
        "key": "sam-river-willow",
        "holder": "willow-commons-therapy",
        "identity": {"chosen_name": "Sam River", "pronouns": "they/them", "languages": ["en"]},
        "contact": _contact(
            emails=["sam.river@mail.example"],
            safe_channels=["email"],
            safe_days=WEEKDAYS,
        ),
        "needs": {"terms": ["1220"], "in_their_words": "Someone steady to talk things through."},
        "strengths": {
            "strengths": "Reflective and honest about what they need; music is how they steady "
            "themselves.",
            "goals": "Sleep through the night more often; feel at ease in busy places again.",
            "what_helps": "Sessions at the same time each week; a heads-up before any change.",
        },
        "notes": ["First session went well. Sam set the pace and chose what to talk about."],
    },
    {
        "key": "marisol",
        "holder": "willow-commons-therapy",
        "identity": {
            "chosen_name": "Marisol",
            "pronouns": "ella",
            "languages": ["es", "en"],
            "age": 41,
        },
        "contact": _contact(
            phones=["555-0142"],
            safe_channels=["text"],
            safe_days=WEEKDAYS,
            safe_from="10:00",
            safe_until="14:00",
        ),
        "needs": {
            "terms": ["1220", "1390"],
            "in_their_words": "Quiero hablar con alguien en español, a mi ritmo.",
        },
        "strengths": {
            "strengths": "Warm and funny; the person her neighbours call first. Runs a small "
            "sewing business from home.",
            "goals": "Feel calmer in the mornings; take her daughter to the coast this summer.",
            "what_helps": "Sesiones en español; mensajes cortos entre las 10 y las 14 h.",
        },
        "notes": ["Marisol prefers sessions in Spanish; Leila booked the Puente interpreter."],
    },
    {
        "key": "theo",
        "holder": "willow-commons-therapy",
        "identity": {"chosen_name": "Theo", "pronouns": "he/him", "languages": ["en"], "age": 27},
        "contact": _contact(emails=["theo.m@mail.example"], safe_channels=["email"]),
        "needs": {
            "terms": ["1220", "1357"],
            "in_their_words": "Getting back to work without burning out again.",
        },
        "strengths": {
            "strengths": "Skilled carpenter with a good eye for detail; patient teacher.",
            "goals": "Part-time work in a workshop by autumn; join a peer group.",
            "what_helps": "Knowing the agenda in advance; walking while talking.",
        },
    },
    {
        "key": "noor",
        "holder": "willow-commons-therapy",
        "by": "hyunwoo@hearth.example",
        "identity": {
            "chosen_name": "Noor",
            "pronouns": "she/her",
            "languages": ["en", "ar"],
            "age": 19,
        },
        "contact": _contact(
            emails=["noor.h@mail.example"],
            safe_channels=["email"],
            safe_days=["sat", "sun"],
        ),
        "needs": {
            "terms": ["1220", "1317"],
            "in_their_words": "Finding a college course and someone to talk to.",
        },
        "strengths": {
            "strengths": "Curious, bilingual, great with her younger cousins.",
            "goals": "Start a nursing access course next year.",
            "what_helps": "E-mail at weekends only; sessions after college hours.",
        },
    },
    {
        "key": "ana-lucia",
        "holder": "harbor-house",
        "identity": {
            "chosen_name": "Ana Lucía",
            "pronouns": "ella",
            "languages": ["es"],
            "age": 29,
        },
        # Staying at the shelter: staff talk with her in person, never by phone or message.
        "contact": _contact(do_not_contact=True),
        "needs": {
            "terms": ["1125", "1121", "1390"],
            "in_their_words": "Un lugar seguro para mí y mi hija, y ayuda con los papeles.",
        },
        "strengths": {
            "strengths": "Determinada y protectora; su hija es su brújula. Cocina para toda la "
            "casa los domingos.",
            "goals": "Un apartamento cerca de la escuela de su hija; terminar el curso de inglés.",
            "what_helps": "Hablar en persona, en español, con tiempo.",
        },
        "notes": [
            "Ana Lucía settled in well and cooked for the house on Sunday. She will decide about "
            "housing after talking with her sister."
        ],
    },
    {
        "key": "jordan",
        "holder": "harbor-house",
        "identity": {"chosen_name": "Jordan", "pronouns": "he/him", "languages": ["en"]},
        "contact": _contact(
            phones=["555-0177"],
            safe_channels=["call", "text"],
            safe_from="17:00",
            safe_until="20:00",
        ),
        "needs": {"terms": ["1137", "1132"], "in_their_words": "Keeping up with rent and food."},
        "strengths": {
            "strengths": "Reliable, steady, a devoted father of two.",
            "goals": "Stay in his home; save a month's rent.",
            "what_helps": "Calls after work; no voicemail.",
        },
    },
    {
        "key": "dee",
        "holder": "kindred-peer-network",
        "identity": {
            "chosen_name": "Dee",
            "pronouns": "she/they",
            "languages": ["en"],
            "age": 52,
        },
        "contact": _contact(
            phones=["555-0163"],
            safe_channels=["call", "text"],
            voicemail_ok=True,
            message_detail="named",
        ),
        "needs": {
            "terms": ["1310", "1312"],
            "in_their_words": "Company, and people who get it.",
        },
        "strengths": {
            "strengths": "Generous listener; has walked alongside others in the Tuesday circle "
            "for a year.",
            "goals": "Train as a peer supporter herself.",
            "what_helps": "Being asked, not told; a cup of tea first.",
        },
    },
    {
        "key": "tomas",
        "holder": "kindred-peer-network",
        "identity": {
            "chosen_name": "Tomás",
            "pronouns": "él",
            "languages": ["es", "en"],
            "age": 45,
        },
        "contact": _contact(
            phones=["555-0188"],
            emails=["tomas.v@mail.example"],
            safe_channels=["email", "text"],
            message_detail="named",
        ),
        "needs": {
            "terms": ["1310", "1357", "1326"],
            "in_their_words": "Trabajo estable y practicar mi inglés.",
        },
        "strengths": {
            "strengths": "Experienced cook; keeps everyone laughing at the Thursday circle.",
            "goals": "A kitchen job with regular hours; an English conversation group.",
            "what_helps": "Mensajes en español; quedar en la cafetería.",
        },
    },
    {
        "key": "kai",
        "holder": "new-leaf-recovery",
        "identity": {"chosen_name": "Kai", "pronouns": "he/him", "languages": ["en"], "age": 23},
        "contact": _contact(
            phones=["555-0199"],
            safe_channels=["text"],
            safe_from="18:00",
            safe_until="22:00",
        ),
        "needs": {
            "terms": ["1178", "1310"],
            "in_their_words": "Staying on track and having things to do in the evenings.",
        },
        "strengths": {
            "strengths": "Ninety days into his recovery; fixes bikes at Spoke & Wheel.",
            "goals": "Six months; his own bike; a place in the all-recovery football team.",
            "what_helps": "Texts in the evening; a coach who has been there.",
        },
    },
    {
        "key": "rosa",
        "holder": "clearwater-advocacy-centre",
        "identity": {
            "chosen_name": "Rosa",
            "pronouns": "ella",
            "languages": ["es"],
            "age": 38,
        },
        "contact": _contact(
            phones=["555-0154"],
            safe_channels=["call"],
            safe_days=["tue", "thu"],
            safe_from="09:00",
            safe_until="12:00",
        ),
        "needs": {
            "terms": ["1124", "1375", "1381"],
            "in_their_words": "Entender mis opciones legales y mi situación migratoria.",
        },
        "strengths": {
            "strengths": "Valiente y clara sobre lo que quiere; organiza el grupo de madres de "
            "la escuela.",
            "goals": "Papeles en regla y un trabajo en una guardería.",
            "what_helps": "Llamadas los martes y jueves por la mañana; sin mensajes de voz.",
        },
        "notes": ["Rosa asked to meet the legal aid team with an advocate present."],
    },
    {
        "key": "priya",
        "holder": "clearwater-advocacy-centre",
        "identity": {"chosen_name": "Priya", "pronouns": "she/her", "languages": ["en"], "age": 31},
        "contact": _contact(emails=["priya.k@mail.example"], safe_channels=["email"]),
        "needs": {
            "terms": ["1220", "1312"],
            "in_their_words": "A group where I don't have to explain everything.",
        },
        "strengths": {
            "strengths": "Thoughtful, a keen hiker, back at work as a lab technician.",
            "goals": "Join the Thursday support group; hike the valley rim trail in June.",
            "what_helps": "Written information she can read in her own time.",
        },
        "notes": ["Priya will try the Thursday group and let us know how it felt."],
    },
    {
        "key": "june",
        "holder": "clearwater-advocacy-centre",
        "identity": {"chosen_name": "June", "pronouns": "she/her", "languages": ["en"], "age": 67},
        # June gets in touch herself; nobody contacts her.
        "contact": _contact(do_not_contact=True),
        "needs": {
            "terms": ["1206", "1175"],
            "in_their_words": "Getting to appointments without asking family.",
        },
        "strengths": {
            "strengths": "Independent, wry, a retired teacher who knows everyone in Eastgate.",
            "goals": "Keep living on her own terms; rejoin the choir.",
            "what_helps": "Being listened to first; large print.",
        },
    },
]


def _record_past_consent(
    *,
    actor: User,
    organization: Organization,
    person: Person,
    recipient_organization: Organization,
    categories: list[str],
    purpose: str,
    starts_at,
    expires_at,
    attestation: str,
) -> Consent:
    """Demo only: records HISTORY — a consent that was given and has already expired.

    `services.consent_record` refuses an end date in the past, rightly, so a demo cannot show an
    expired consent through it without waiting for one to run out. This writes the consent row
    as it would have been recorded when it started, with the same checks, and an audit record of
    the recording in the same shape as the service's. The audit record is dated now (the trail is
    never backdated) and says it is a record of history."""
    access.person_for_change(user=actor, organization=organization, person_id=person.pk)
    now = timezone.now()
    if not (starts_at < expires_at <= now):
        raise ValueError("A past consent starts and ends before now.")
    if expires_at - starts_at > timedelta(days=services.MAX_CONSENT_DAYS):
        raise ValueError("A consent lasts at most a year.")
    if purpose not in CONSENTABLE_PURPOSES or not set(categories) <= set(Category.values):
        raise ValueError("Unknown purpose or category.")
    if recipient_organization.pk == person.holder_id:
        raise ValueError("The holder needs no consent.")
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            disclosing_organization=organization,
            recipient_organization=recipient_organization,
            categories=sorted(categories),
            purpose=purpose,
            starts_at=starts_at,
            expires_at=expires_at,
            given_by=Consent.GivenBy.STAFF,
            attestation=attestation,
            recorded_by=actor,
            created_at=starts_at,
        )
        audit.record(
            actor=actor,
            action="hearth.people.consent.recorded",
            target=person,
            purpose=purpose,
            organization=organization,
            detail={
                "consent": str(consent.id),
                "categories": consent.categories,
                "recipient": str(recipient_organization.pk),
                "expires_at": expires_at.isoformat(),
                "history": "demo: recorded after it had expired",
            },
        )
    return consent


def _sign_in() -> DemoSignIn:
    return DemoSignIn(
        PORTAL_SIGN_IN,
        f"Sam River's own pages at /me/ (passphrase {PORTAL_PASSPHRASE}); records at Harbor "
        "House and Willow Commons",
    )


def is_loaded() -> bool:
    return PortalAccount.objects.filter(sign_in_name=PORTAL_SIGN_IN).exists()


@transaction.atomic
def load(*, organizations: dict[str, Organization] | None = None) -> list[DemoSignIn]:
    """Add the demo people (once) and return the demo person's sign-in."""
    if is_loaded():
        return [_sign_in()]
    if organizations is None:
        organizations = Organization.objects.in_bulk(field_name="slug")
    org = organizations.__getitem__
    users = User.objects.in_bulk(
        [*STAFF.values(), "hyunwoo@hearth.example", "david@hearth.example", "lucia@hearth.example"],
        field_name="email",
    )
    staff_of = {slug: users[email] for slug, email in STAFF.items()}
    now = timezone.now()

    people: dict[str, Person] = {}
    for spec in PEOPLE:
        holder = org(spec["holder"])
        by = users[spec["by"]] if "by" in spec else staff_of[spec["holder"]]
        person = services.person_create(
            actor=by,
            organization=holder,
            identity=spec["identity"],
            contact=spec["contact"],
            needs=spec["needs"],
            strengths=spec["strengths"],
        )
        for body in spec.get("notes", ()):
            services.note_add(actor=by, organization=holder, person_id=person.pk, body=body)
        people[spec["key"]] = person

    def consent(key, recipient, categories, purpose, *, days=None, attestation):
        person = people[key]
        holder = person.holder
        days = days or services.consent_days_for(holder)
        return services.consent_record(
            actor=staff_of[holder.slug],
            organization=holder,
            person_id=person.pk,
            recipient_organization=org(recipient),
            categories=categories,
            purpose=purpose,
            expires_at=now + timedelta(days=days),
            attestation=attestation,
        )

    # Live: Sam River asked Harbor House to refer them to legal aid.
    identity_needs_strengths = [Category.IDENTITY, Category.NEEDS, Category.STRENGTHS]
    consent(
        "sam-river-harbor",
        "valley-legal-aid",
        identity_needs_strengths,
        Purpose.REFERRAL,
        attestation="Sam agreed in person at the helpline office, after reading what is shared.",
    )
    # Live: Theo wants his counsellor and the peer network to work together.
    consent(
        "theo",
        "kindred-peer-network",
        [Category.IDENTITY, Category.STRENGTHS],
        Purpose.CARE_COORDINATION,
        days=60,
        attestation="Theo agreed in session and chose what the peer network may see.",
    )
    # Live: Rosa's referral to legal aid, and her interpreter.
    consent(
        "rosa",
        "valley-legal-aid",
        [Category.IDENTITY, Category.NEEDS],
        Purpose.REFERRAL,
        attestation="Rosa agreed in person, in Spanish, with an interpreter present.",
    )
    consent(
        "rosa",
        "puente-language-coop",
        [Category.IDENTITY, Category.CONTACT],
        Purpose.CARE_COORDINATION,
        days=30,
        attestation="Rosa agreed in person so the interpreter can arrange appointments.",
    )
    # Revoked: Ana Lucía agreed to a housing referral, then changed her mind.
    housing = consent(
        "ana-lucia",
        "open-door-housing",
        [Category.IDENTITY, Category.CONTACT, Category.NEEDS],
        Purpose.REFERRAL,
        attestation="Ana Lucía agreed in person, in Spanish.",
    )
    services.consent_revoke(consent=housing, actor=staff_of["harbor-house"])
    # Expired: Dee's consent for her peer supporter and Willow Commons to coordinate ran out.
    dee = people["dee"]
    _record_past_consent(
        actor=staff_of["kindred-peer-network"],
        organization=dee.holder,
        person=dee,
        recipient_organization=org("willow-commons-therapy"),
        categories=[Category.IDENTITY, Category.STRENGTHS],
        purpose=Purpose.CARE_COORDINATION,
        starts_at=now - timedelta(days=110),
        expires_at=now - timedelta(days=20),
        attestation="Dee agreed at the Tuesday circle.",
    )

    # Jordan's safe hours changed.
    jordan = people["jordan"]
    services.person_update(
        actor=staff_of["harbor-house"],
        organization=jordan.holder,
        person_id=jordan.pk,
        category=Category.CONTACT,
        data=_contact(
            phones=["555-0177"],
            safe_channels=["call", "text"],
            safe_from="18:00",
            safe_until="21:00",
        ),
    )

    # Who has read what: staff at the holder, and recipients under a consent.
    sam = people["sam-river-harbor"]
    access.access_person(
        user=staff_of["harbor-house"],
        organization=sam.holder,
        person_id=sam.pk,
        purpose=Purpose.CARE,
    )
    access.access_person(
        user=users["david@hearth.example"],
        organization=org("valley-legal-aid"),
        person_id=sam.pk,
        purpose=Purpose.REFERRAL,
    )
    access.access_person(
        user=staff_of["kindred-peer-network"],
        organization=org("kindred-peer-network"),
        person_id=people["theo"].pk,
        purpose=Purpose.CARE_COORDINATION,
    )
    access.access_person(
        user=users["lucia@hearth.example"],
        organization=org("puente-language-coop"),
        person_id=people["rosa"].pk,
        purpose=Purpose.CARE_COORDINATION,
    )

    # Emergency access awaiting review: Dee came to Willow Commons in distress after her
    # consent had expired; Leila broke the glass to see who Dee wants contacted and what helps.
    willow = org("willow-commons-therapy")
    services.emergency_access_start(
        user=staff_of["willow-commons-therapy"],
        organization=willow,
        person_id=dee.pk,
        reason="Dee arrived at our drop-in very distressed and could not say who to call; "
        "checking her own plan for who she wants contacted and what helps.",
    )
    access.access_person(
        user=staff_of["willow-commons-therapy"],
        organization=willow,
        person_id=dee.pk,
        purpose=Purpose.EMERGENCY,
    )

    # Sam River's own sign-in, linking both records.
    token = services.portal_invitation_create(
        actor=staff_of["harbor-house"], organization=sam.holder, person_id=sam.pk
    )
    account = services.portal_account_create(
        token=token, sign_in_name=PORTAL_SIGN_IN, passphrase=PORTAL_PASSPHRASE
    )
    second = people["sam-river-willow"]
    token = services.portal_invitation_create(
        actor=staff_of["willow-commons-therapy"], organization=second.holder, person_id=second.pk
    )
    services.portal_link_invitation(account=account, token=token)
    return [_sign_in()]
