"""Referrals between the Riverbend Valley demo organizations: one in every status, several with
a conversation, one self-referral from the public directory and one overdue request.

Everything goes through the referral services (`referral_create`, `referral_transition` with
coded reasons, `message_send`, `person_message_send`, `self_referral_create`), so each referral
records its own consent, seals its payload to the receiving organization, keeps its history and
is audited exactly like a real one. The one exception is the overdue referral: the services
stamp a request with the moment it is sent, so the demo backdates that one `requested_at` (see
`_backdate_request`) for the follow-up flag to show.

Who is referred where follows the people demo's consent story: Sam River and Rosa go to legal
aid, with the same categories they agreed to there; Theo to the peer network he agreed may work
with his counsellor; Marisol to the interpreters Leila booked. Ana Lucía (who withdrew her
housing consent) and Dee (whose consent ran out) are not referred anywhere.

`load()` runs inside `hearth.accounts.demo.load_demo()`, right after the people demo. It is
idempotent: once Sam River's referral to legal aid exists, it changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hearth.accounts.models import Organization, User
from hearth.directory.demo_listings import demo_id
from hearth.people import access
from hearth.people import demo as people_demo
from hearth.people import services as people_services
from hearth.people.models import Category, PortalAccount

from . import services
from .models import Referral, Side, Status
from .services import Reason

# Who acts for each organization (demo staff from hearth.accounts.demo_data; every one of them
# has a role that may read people's records).
STAFF = {
    "harbor-house": "naomi@hearth.example",
    "willow-commons-therapy": "leila@hearth.example",
    "kindred-peer-network": "sam@hearth.example",
    "new-leaf-recovery": "sam@hearth.example",
    "clearwater-advocacy-centre": "keisha@hearth.example",
    "valley-legal-aid": "david@hearth.example",
    "puente-language-coop": "lucia@hearth.example",
    "riverbend-valley-hub": "amara@hearth.example",
}

# How long ago the overdue referral was sent: six calendar days always hold at least four
# working days, past the network's two-day acknowledgement period.
OVERDUE_DAYS_AGO = 6

REQUESTER, RECEIVER, PERSON = Side.REQUESTER, Side.RECEIVER, Side.PERSON

IDENTITY, NEEDS, STRENGTHS = Category.IDENTITY, Category.NEEDS, Category.STRENGTHS


def service_id(listing: str, offer: str):
    """A demo service's id (hearth.directory.demo_listings)."""
    return demo_id("service", f"{listing}/{offer}")


@dataclass(frozen=True)
class Move:
    """A status change by one side, with a coded reason and an optional note (the note goes into
    the conversation)."""

    to: str
    side: str
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class Say:
    """A message in the conversation: the sending or receiving organization, or the person in
    their own pages."""

    side: str
    body: str


@dataclass(frozen=True)
class DemoReferral:
    holder: str  # the referring organization, which holds the person's record
    name: str  # the person's chosen name there
    to: tuple[str, str]  # (listing, offer) in the demo directory
    categories: tuple[str, ...]
    summary: str
    attestation: str
    send: bool = True
    overdue: bool = False
    by: str = ""  # another member of the referring organization's staff
    story: tuple[Move | Say, ...] = field(default=())


SAM_RIVER = DemoReferral(
    holder="harbor-house",
    name="Sam River",
    to=("valley-legal-aid", "protection-orders"),
    # What Sam agreed legal aid may see (hearth.people.demo): no contact details.
    categories=(IDENTITY, NEEDS, STRENGTHS),
    summary="Sam would like help understanding the protection order and what happens at the "
    "hearing. Plain answers in writing and time to think before deciding help most. Please "
    "write through this conversation; Sam can read it in their own pages.",
    attestation="Sam agreed in person at the helpline office, after reading what is shared.",
    story=(
        Move(
            Status.ACCEPTED,
            RECEIVER,
            note="Hello Sam, and thank you, Naomi. I'm David, a staff attorney at Valley Legal "
            "Aid. We can help with the protection order. I'll write here first, so you can read "
            "everything in your own time.",
        ),
        Say(
            REQUESTER,
            "Thank you, David. Sam would like the first meeting at our helpline office: it has "
            "big windows and a quiet room.",
        ),
        Say(PERSON, "Thank you both. A weekday morning works best for me."),
        Say(
            RECEIVER,
            "A weekday morning is fine. I've written a one-page note in plain language about "
            "what happens at the hearing; we can go through it together, at your pace.",
        ),
    ),
)

REFERRALS: tuple[DemoReferral, ...] = (
    SAM_RIVER,
    # Draft: Naomi has started it and not sent it yet.
    DemoReferral(
        holder="harbor-house",
        name="Jordan",
        to=("valley-legal-aid", "housing-benefits"),
        categories=(IDENTITY, NEEDS),
        summary="Jordan's hours at work were cut and he has fallen behind on rent. He wants to "
        "know his options for staying in his home.",
        attestation="Jordan agreed on the phone after work, and chose what is shared.",
        send=False,
    ),
    # Requested, and still within the acknowledgement period.
    DemoReferral(
        holder="kindred-peer-network",
        name="Tomás",
        to=("riverbend-valley-hub", "navigation"),
        categories=(IDENTITY, NEEDS, STRENGTHS),
        summary="Tomás is looking for a kitchen job with regular hours and an English "
        "conversation group. He prefers messages in Spanish.",
        attestation="Tomás agreed at the Thursday circle, in Spanish.",
    ),
    # Entered in error: the same referral, sent twice.
    DemoReferral(
        holder="kindred-peer-network",
        name="Tomás",
        to=("riverbend-valley-hub", "navigation"),
        categories=(IDENTITY, NEEDS),
        summary="Tomás is looking for a kitchen job and an English conversation group.",
        attestation="Tomás agreed at the Thursday circle, in Spanish.",
        story=(
            Move(
                Status.ENTERED_IN_ERROR,
                REQUESTER,
                reason=Reason.DUPLICATE,
                note="Sent twice by mistake, sorry: please use the other referral for Tomás.",
            ),
        ),
    ),
    # Requested long enough ago to be overdue.
    DemoReferral(
        holder="clearwater-advocacy-centre",
        name="Priya",
        to=("willow-commons-therapy", "survivor-group"),
        categories=(IDENTITY, NEEDS, STRENGTHS),
        summary="Priya would like a therapy group where she doesn't have to explain everything. "
        "Written information she can read in her own time suits her best.",
        attestation="Priya agreed in person and read what is shared.",
        overdue=True,
    ),
    # Declined: no capacity.
    DemoReferral(
        holder="new-leaf-recovery",
        name="Kai",
        to=("willow-commons-therapy", "adults"),
        categories=(IDENTITY, NEEDS, STRENGTHS),
        summary="Kai is ninety days into his recovery and would like someone steady to talk to "
        "as well as his coach. Evenings suit him best.",
        attestation="Kai agreed at his coaching session.",
        story=(
            Move(
                Status.REJECTED,
                RECEIVER,
                reason=Reason.NO_CAPACITY,
                note="Thank you for thinking of us. Our adult counselling list is full until "
                "the autumn, so we can't offer Kai a place now.",
            ),
            Say(
                REQUESTER,
                "Thanks, Leila, that's clear. We'll look at other options with Kai and come "
                "back to you when the list opens.",
            ),
            Say(
                RECEIVER,
                "Please do. Kindred's evening warm line might help in the meantime.",
            ),
        ),
    ),
    # Cancelled by the referring organization: the person went another way.
    DemoReferral(
        holder="willow-commons-therapy",
        name="Noor",
        by="hyunwoo@hearth.example",
        to=("riverbend-valley-hub", "navigation"),
        categories=(IDENTITY, NEEDS),
        summary="Noor is looking for a nursing access course that starts next year.",
        attestation="Noor agreed by e-mail, at the weekend as she prefers.",
        story=(
            Move(
                Status.CANCELLED,
                REQUESTER,
                reason=Reason.PERSON_DECLINED,
                note="Noor found a course on her own and no longer needs this. Thank you!",
            ),
        ),
    ),
    # In progress: Theo joined the peer circle.
    DemoReferral(
        holder="willow-commons-therapy",
        name="Theo",
        to=("kindred-peer-network", "circles"),
        categories=(IDENTITY, STRENGTHS),
        summary="Theo would like to join a peer group as he gets back to work. Knowing the "
        "agenda in advance helps him.",
        attestation="Theo agreed in session and chose what the peer network may see.",
        story=(
            Move(Status.ACCEPTED, RECEIVER),
            Move(Status.IN_PROGRESS, RECEIVER),
            Say(
                RECEIVER,
                "Theo came to the Thursday circle this week and stayed for tea afterwards. He "
                "would like to keep coming.",
            ),
            Say(
                REQUESTER,
                "Lovely to hear. He says walking while talking helps; the riverside walk after "
                "the circle might suit him too.",
            ),
        ),
    ),
    # On hold: waiting for papers.
    DemoReferral(
        holder="clearwater-advocacy-centre",
        name="Rosa",
        to=("valley-legal-aid", "immigration-es"),
        # What Rosa agreed legal aid may see (hearth.people.demo).
        categories=(IDENTITY, NEEDS),
        summary="Rosa quiere entender sus opciones legales y su situación migratoria. Prefiere "
        "reunirse con una defensora presente.",
        attestation="Rosa agreed in person, in Spanish, with an interpreter present.",
        story=(
            Move(
                Status.ACCEPTED,
                RECEIVER,
                note="Con gusto. La primera cita puede ser en español, con su defensora.",
            ),
            Move(
                Status.ON_HOLD,
                RECEIVER,
                reason=Reason.WAITING,
                note="Esperamos sus documentos antes de la próxima cita; no hay prisa.",
            ),
            Say(
                REQUESTER,
                "Rosa is gathering the papers and will bring them with her advocate next "
                "Tuesday morning.",
            ),
        ),
    ),
    # Completed: the interpreters Leila booked for Marisol's sessions.
    DemoReferral(
        holder="willow-commons-therapy",
        name="Marisol",
        to=("puente-language-coop", "interpreting"),
        categories=(IDENTITY, NEEDS),
        summary="Marisol would like her counselling sessions in Spanish. Six weekly sessions "
        "are booked on Thursday mornings.",
        attestation="Marisol agreed in session, in Spanish.",
        story=(
            Move(
                Status.ACCEPTED,
                RECEIVER,
                note="Yes: one of our interpreters can join all six sessions.",
            ),
            Say(REQUESTER, "Thank you, Lucía. Thursdays at ten, starting next week."),
            Move(Status.IN_PROGRESS, RECEIVER),
            Move(
                Status.COMPLETED,
                RECEIVER,
                note="All six sessions had an interpreter. Write here if Marisol would like more.",
            ),
            Say(REQUESTER, "We will. Marisol said the sessions felt easy. Thank you."),
        ),
    ),
    # Could not be completed: June gets in touch herself and nobody contacts her.
    DemoReferral(
        holder="clearwater-advocacy-centre",
        name="June",
        to=("riverbend-valley-hub", "navigation"),
        categories=(IDENTITY, NEEDS),
        summary="June would like help getting to her appointments without asking family. She "
        "gets in touch herself; please do not contact her.",
        attestation="June agreed in person at the drop-in.",
        story=(
            Move(Status.ACCEPTED, RECEIVER),
            Move(
                Status.FAILED,
                RECEIVER,
                reason=Reason.NOT_REACHED,
                note="June hasn't dropped in yet and we don't contact her, so we're closing "
                "this for now. She is welcome at the hub any weekday.",
            ),
            Say(
                REQUESTER,
                "Thank you for respecting that. We'll tell June when she next calls in.",
            ),
        ),
    ),
)

# Someone from the public asks a service, through the directory, to contact them.
SELF_REFERRAL = {
    "to": ("new-leaf-recovery", "coaching"),
    "identity": {"chosen_name": "Robin", "pronouns": "they/them", "languages": ["en"]},
    "contact": {
        "time_zone": people_demo.TIME_ZONE,
        "phones": ["555-0121"],
        "safe_channels": ["text"],
        "safe_from": "18:00",
        "safe_until": "21:00",
    },
    "message": "I'd like a recovery coach. Texts in the evening are best, please.",
}


def is_loaded() -> bool:
    return Referral.objects.filter(
        sending_organization__slug=SAM_RIVER.holder,
        service_id=service_id(*SAM_RIVER.to),
        person__portal_link__account__sign_in_name=people_demo.PORTAL_SIGN_IN,
    ).exists()


def _backdate_request(referral: Referral, now) -> None:
    """Demo only: the demo backdates this request so the follow-up (overdue) flag shows. The
    services stamp `requested_at` with the moment the referral is sent, so without this a fresh
    demo would have nothing overdue for two working days."""
    Referral.objects.filter(pk=referral.pk).update(
        requested_at=now - timedelta(days=OVERDUE_DAYS_AGO)
    )


@transaction.atomic
def load(*, organizations: dict[str, Organization] | None = None) -> None:
    """Add the demo referrals (once), after the demo people exist."""
    if is_loaded():
        return
    if organizations is None:
        organizations = Organization.objects.in_bulk(field_name="slug")
    emails = {*STAFF.values(), *(spec.by for spec in REFERRALS if spec.by)}
    users = User.objects.in_bulk(list(emails), field_name="email")
    now = timezone.now()
    sam_account = PortalAccount.objects.get(sign_in_name=people_demo.PORTAL_SIGN_IN)

    for spec in REFERRALS:
        sender = organizations[spec.holder]
        sender_staff = users[spec.by or STAFF[spec.holder]]
        receiver = organizations[spec.to[0]]
        receiver_staff = users[STAFF[spec.to[0]]]
        acting = {REQUESTER: (sender_staff, sender), RECEIVER: (receiver_staff, receiver)}
        # Staff find the person by name, as they would before referring them.
        (person,) = access.find_people(user=sender_staff, organization=sender, query=spec.name)
        referral = services.referral_create(
            actor=sender_staff,
            organization=sender,
            person_id=person.id,
            service_id=service_id(*spec.to),
            categories=list(spec.categories),
            summary=spec.summary,
            expires_at=now + timedelta(days=people_services.consent_days_for(sender)),
            attestation=spec.attestation,
            send=spec.send,
        )
        if spec.overdue:
            _backdate_request(referral, now)
        for step in spec.story:
            if isinstance(step, Move):
                actor, organization = acting[step.side]
                services.referral_transition(
                    actor=actor,
                    organization=organization,
                    referral_id=referral.pk,
                    to_status=step.to,
                    reason=step.reason,
                    note=step.note,
                )
            elif step.side == PERSON:
                services.person_message_send(
                    account=sam_account, referral_id=referral.pk, body=step.body
                )
            else:
                actor, organization = acting[step.side]
                services.message_send(
                    actor=actor, organization=organization, referral_id=referral.pk, body=step.body
                )

    services.self_referral_create(
        service_id=service_id(*SELF_REFERRAL["to"]),
        identity=SELF_REFERRAL["identity"],
        contact=SELF_REFERRAL["contact"],
        message=SELF_REFERRAL["message"],
    )
