"""The gate against an independent statement of the rule, over random organizations, roles,
consents, expiries, revocations and clock times."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.accounts.models import Organization, Role
from hearth.core.models import AuditRecord
from hearth.people import access, services
from hearth.people.models import Category, Purpose
from tests.factories import MembershipFactory, NetworkFactory, NetworkMembershipFactory
from tests.people.factories import make_person

pytestmark = pytest.mark.django_db

ROLES = [None, Role.ADMIN, Role.PRACTITIONER, Role.PEER_SUPPORTER, Role.VIEWER]
CATEGORIES = sorted(Category.values)
CONSENTABLE = [Purpose.REFERRAL, Purpose.CARE_COORDINATION, Purpose.EVALUATION]
KINDS = [Organization.Kind.VICTIM_SERVICE, Organization.Kind.PEER_SUPPORT]

# The rule, written out independently of hearth.people.access.
EVERYTHING = set(CATEGORIES)
WHAT_A_ROLE_READS = {
    Role.ADMIN: EVERYTHING,
    Role.PRACTITIONER: EVERYTHING,
    Role.PEER_SUPPORTER: EVERYTHING - {"notes", "outcomes"},
    Role.VIEWER: set(),
    None: set(),
}
HOLDER_READS_FOR = {"care", "administration", "referral", "care_coordination", "evaluation"}

consent_strategy = st.fixed_dictionaries(
    {
        "recipient": st.sampled_from(["org1", "org2", "class"]),
        "categories": st.sets(st.sampled_from(CATEGORIES), min_size=1),
        "purpose": st.sampled_from(CONSENTABLE),
        "start_days": st.integers(-20, 5),
        "length_days": st.integers(1, 40),
        "revoked": st.booleans(),
    }
)

world_strategy = st.fixed_dictionaries(
    {
        "roles": st.tuples(*(st.sampled_from(ROLES) for _ in range(3))),
        "kinds": st.tuples(st.sampled_from(KINDS), st.sampled_from(KINDS)),
        "consents": st.lists(consent_strategy, max_size=4),
        "reader": st.integers(0, 2),
        "acting_for": st.integers(0, 2),
        "purpose": st.sampled_from([*Purpose.values]),
        "wanted": st.one_of(st.none(), st.sets(st.sampled_from(CATEGORIES), min_size=1)),
        "clock_days": st.floats(-25, 50, allow_nan=False),
        # Or a moment just around one consent's start or end, where mistakes hide.
        "near_boundary": st.one_of(
            st.none(),
            st.tuples(st.integers(0, 3), st.sampled_from(["start", "end"]), st.integers(-90, 90)),
        ),
    }
)


def expected(world, organizations, roles_by_org, consents, at):
    """What may be read, by the rule as the issue states it."""
    acting = organizations[world["acting_for"]]
    role = roles_by_org.get(acting.pk)
    wanted = EVERYTHING if world["wanted"] is None else set(world["wanted"])
    if role in (None, Role.VIEWER):
        return set()
    if acting == organizations[0]:
        if world["purpose"] not in HOLDER_READS_FOR:
            return set()
        return WHAT_A_ROLE_READS[role] & wanted
    allowed = set()
    for spec, consent in consents:
        names_acting = (
            consent.recipient_organization_id == acting.pk
            if spec["recipient"] != "class"
            else acting.kind == consent.recipient_kind
        )
        live = consent.revoked_at is None and consent.starts_at <= at < consent.expires_at
        if names_acting and live and consent.purpose == world["purpose"]:
            allowed |= set(consent.categories)
    return allowed & wanted


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=world_strategy)
def test_access_is_granted_exactly_when_the_rule_says(world):
    network = NetworkFactory()
    holder = NetworkMembershipFactory(network=network).organization
    others = [
        NetworkMembershipFactory(network=network, organization__kind=kind).organization
        for kind in world["kinds"]
    ]
    organizations = [holder, *others]
    holder_staff = MembershipFactory(organization=holder, role=Role.PRACTITIONER).user
    person = make_person(holder, by=holder_staff)
    reader = MembershipFactory(organization=organizations[world["reader"]]).user
    reader.memberships.all().delete()
    roles_by_org = {}
    for organization, role in zip(organizations, world["roles"], strict=True):
        if role is not None:
            MembershipFactory(user=reader, organization=organization, role=role)
            roles_by_org[organization.pk] = role
    now = timezone.now()
    consents = []
    for spec in world["consents"]:
        starts = now + timedelta(days=spec["start_days"])
        target = {"org1": others[0], "org2": others[1]}.get(spec["recipient"])
        consent = services.consent_record(
            actor=holder_staff,
            organization=holder,
            person_id=person.id,
            recipient_organization=target,
            recipient_kind="" if target else others[0].kind,
            recipient_network=None if target else network,
            categories=sorted(spec["categories"]),
            purpose=spec["purpose"],
            starts_at=starts,
            expires_at=max(starts, now) + timedelta(days=spec["length_days"]),
            attestation="Agreed",
        )
        if spec["revoked"]:
            consent = services.consent_revoke(consent=consent)
        consents.append((spec, consent))
    at = now + timedelta(days=world["clock_days"])
    if world["near_boundary"] and consents:
        # Ask as the consent's recipient, for its purpose, a little before or after its start
        # or end: where an off-by-one would hide.
        index, edge, minutes = world["near_boundary"]
        spec, consent = consents[index % len(consents)]
        at = (consent.starts_at if edge == "start" else consent.expires_at) + timedelta(
            minutes=minutes
        )
        world = {
            **world,
            "purpose": consent.purpose,
            "acting_for": {"org1": 1, "org2": 2, "class": 1}[spec["recipient"]],
        }
    acting = organizations[world["acting_for"]]

    decision = access.decide(
        user=reader,
        organization=acting,
        person=person,
        purpose=world["purpose"],
        categories=world["wanted"],
        at=at,
    )
    assert set(decision.categories) == expected(world, organizations, roles_by_org, consents, at)

    # And through the gate itself, at the real clock: a grant leaves a read record; a refusal
    # is the same "not found" as a record that does not exist, and is recorded too.
    reads_before = AuditRecord.objects.filter(action="hearth.people.person.read").count()
    refusals_before = AuditRecord.objects.filter(action="hearth.people.person.refused").count()
    should_read = expected(world, organizations, roles_by_org, consents, timezone.now())
    try:
        record = access.access_person(
            user=reader,
            organization=acting,
            person_id=person.id,
            purpose=world["purpose"],
            categories=world["wanted"],
        )
    except access.PersonNotFound as refusal:
        assert not should_read
        assert str(refusal) == str(access.PersonNotFound())
        assert (
            AuditRecord.objects.filter(action="hearth.people.person.refused").count()
            == refusals_before + 1
        )
    else:
        assert set(record.categories) == should_read
        assert (record.identity is not None) == ("identity" in should_read)
        latest = AuditRecord.objects.filter(action="hearth.people.person.read").last()
        assert AuditRecord.objects.filter(action="hearth.people.person.read").count() == (
            reads_before + 1
        )
        assert latest.target_id == str(person.id)
        assert latest.actor_id == reader.pk
        assert sorted(latest.detail["categories"]) == sorted(should_read)
