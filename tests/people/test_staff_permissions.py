"""Nobody learns or changes anything about a person through the staff pages unless the gate lets
them: outsiders, viewers and other organizations' staff get the same "not found" as for a record
that does not exist, nothing changes, nothing leaks, and every refused read is on record."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from hearth.core.models import AuditRecord
from hearth.people import services
from hearth.people.models import (
    Consent,
    EmergencyAccess,
    Person,
    PersonNote,
    PortalInvitation,
    RetentionPolicy,
)
from tests.conftest import sign_in
from tests.factories import NetworkMembershipFactory
from tests.people.factories import grant, make_person

pytestmark = pytest.mark.django_db

NAME = "Marigold Quince"


def page_body(response) -> str:
    # CSRF tokens differ between any two responses, and the shell's switchers echo the address
    # that was asked for; everything else must be identical.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]+"', "", body)


def snapshot():
    def rows(model, *fields):
        return sorted(
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model.objects.values_list(*fields)
        )

    return {
        "people": rows(
            Person,
            "id",
            "sealed_identity",
            "sealed_contact",
            "sealed_needs",
            "sealed_strengths",
            "erased_at",
            "last_activity_at",
        ),
        "notes": rows(PersonNote, "id"),
        "consents": rows(Consent, "id", "revoked_at"),
        "emergency": rows(EmergencyAccess, "id", "reviewed_at", "review_note"),
        "retention": rows(RetentionPolicy, "organization_id", "records_days", "notes_days"),
        "invitations": rows(PortalInvitation, "id"),
    }


def refusals(user, person) -> int:
    return AuditRecord.objects.filter(
        action="hearth.people.person.refused", actor_id=user.pk, target_id=str(person.id)
    ).count()


@pytest.fixture
def holder(organization):
    return organization


@pytest.fixture
def holder_admin(holder, make_member):
    return make_member(holder, "admin")


@pytest.fixture
def person(holder, holder_admin):
    return make_person(holder, by=holder_admin, name=NAME)


@pytest.fixture
def consent(person, holder_admin, network):
    partner = NetworkMembershipFactory(network=network).organization
    return grant(person, partner, by=holder_admin, categories=("identity",))


@pytest.fixture
def emergency(person, holder, make_member):
    return services.emergency_access_start(
        user=make_member(holder, "practitioner"),
        organization=holder,
        person_id=person.id,
        reason="Crisis call tonight, need safe-contact times",
    )


def person_gets(slug, person, consent):
    """Every page that shows something of one person, as (address, data)."""
    base = f"/organizations/{slug}/people/{person.id}/"
    return [
        base,
        base + "change/identity/",
        base + "change/contact/",
        base + "change/needs/",
        base + "change/strengths/",
        base + "consents/new/",
        base + f"consents/{consent.id}/withdraw/",
        base + f"consents/{consent.id}/fhir.json",
        base + "erase/",
        f"/organizations/{slug}/people/shared/{person.id}/?purpose=referral",
        f"/organizations/{slug}/people/emergency/{person.id}/",
    ]


def person_posts(slug, person, consent):
    base = f"/organizations/{slug}/people/{person.id}/"
    future = (timezone.localdate() + timedelta(days=20)).isoformat()
    return [
        (base + "change/identity/", {"chosen_name": "Taken"}),
        (base + "change/contact/", {"safe_channels": ["call"], "phone_1": "+1 555 010 0100"}),
        (base + "change/needs/", {"in_their_words": "x"}),
        (base + "change/strengths/", {"goals": "x"}),
        (base + "notes/", {"body": "Snooping"}),
        (base + "notes/", {"body": ""}),
        (base + "invite/", {}),
        (base + "erase/", {"reason": "request"}),
        (
            base + "consents/new/",
            {
                "recipient_type": "organization",
                "categories": ["identity"],
                "purpose": "referral",
                "expires_at": future,
                "attestation": "Yes",
            },
        ),
        (base + f"consents/{consent.id}/withdraw/", {}),
    ]


def organization_pages(slug, emergency):
    return [
        (f"/organizations/{slug}/people/", None),
        (f"/organizations/{slug}/people/?q={NAME}", None),
        (f"/organizations/{slug}/people/new/", None),
        (f"/organizations/{slug}/people/new/", {"chosen_name": "Intruder"}),
        (f"/organizations/{slug}/people/consents-received/", None),
        (f"/organizations/{slug}/people/emergency/", None),
        (f"/organizations/{slug}/people/emergency-reviews/", None),
        (f"/organizations/{slug}/people/emergency-reviews/{emergency.id}/", None),
        (f"/organizations/{slug}/people/emergency-reviews/{emergency.id}/", {"note": "ok"}),
        (f"/organizations/{slug}/people/retention/", None),
        (f"/organizations/{slug}/people/retention/", {"records_days": "1"}),
    ]


def assert_refused(client, user, person, consent, slug, missing):
    """Every person page and action answers exactly like a missing record, leaks nothing,
    changes nothing, and each refused read is recorded."""
    before = snapshot()
    for url in person_gets(slug, person, consent):
        already = refusals(user, person)
        response = client.get(url)
        assert response.status_code == 404, url
        assert page_body(response) == missing, url
        assert NAME not in response.content.decode(), url
        # Only admins reach the erase page at all; every other page asks the gate.
        if "/erase/" not in url:
            assert refusals(user, person) == already + 1, url
    for url, data in person_posts(slug, person, consent):
        response = client.post(url, data)
        assert response.status_code == 404, url
        assert page_body(response) == missing, url
        assert NAME not in response.content.decode(), url
    after = snapshot()
    assert after == before


@pytest.fixture
def missing_body():
    def get(client, slug):
        response = client.get(f"/organizations/{slug}/people/{uuid.uuid4()}/")
        assert response.status_code == 404
        return page_body(response)

    return get


def test_a_member_of_another_organization_gets_not_found_and_changes_nothing(
    client, person, consent, emergency, other_organization, make_member, missing_body
):
    outsider = make_member(other_organization, "admin")
    sign_in(client, outsider)
    missing = missing_body(client, person.holder.slug)
    before = snapshot()

    # Through the holder's address, and through the outsider's own organization's address.
    for slug in (person.holder.slug, other_organization.slug):
        assert_refused(client, outsider, person, consent, slug, missing)
    for url, data in organization_pages(person.holder.slug, emergency):
        response = client.post(url, data) if data else client.get(url)
        assert response.status_code == 404, url
        assert page_body(response) == missing, url
        assert NAME not in response.content.decode(), url

    assert snapshot() == before


def test_a_viewer_of_the_holding_organization_sees_no_one(
    client, person, consent, emergency, holder, make_member, missing_body
):
    viewer = make_member(holder, "viewer", two_factor=False)
    sign_in(client, viewer)
    missing = missing_body(client, holder.slug)
    before = snapshot()

    assert_refused(client, viewer, person, consent, holder.slug, missing)
    for url, data in organization_pages(holder.slug, emergency):
        response = client.post(url, data) if data else client.get(url)
        assert response.status_code == 404, url
        assert page_body(response) == missing, url
        assert NAME not in response.content.decode(), url

    assert snapshot() == before
    reasons = set(
        AuditRecord.objects.filter(
            action="hearth.people.person.refused", actor_id=viewer.pk, target_id=str(person.id)
        ).values_list("detail__reason", flat=True)
    )
    assert reasons == {"no-role"}


def test_a_recipient_under_consent_cannot_open_the_record_as_its_holder(
    client, person, consent, make_member, missing_body
):
    recipient = make_member(consent.recipient_organization, "practitioner")
    sign_in(client, recipient)
    slug = consent.recipient_organization.slug
    missing = missing_body(client, slug)
    before = snapshot()

    for url in person_gets(slug, person, consent):
        if "/shared/" in url:
            continue
        response = client.get(url)
        assert response.status_code == 404, url
        assert page_body(response) == missing, url
        assert NAME not in response.content.decode(), url
    for url, data in person_posts(slug, person, consent):
        assert client.post(url, data).status_code == 404, url

    assert snapshot() == before
    shared = client.get(f"/organizations/{slug}/people/shared/{person.id}/?purpose=referral")
    assert shared.status_code == 200
    assert NAME in shared.content.decode()


def test_a_consent_for_one_purpose_does_not_open_the_record_for_another(
    client, person, consent, make_member
):
    recipient = make_member(consent.recipient_organization, "practitioner")
    sign_in(client, recipient)
    slug = consent.recipient_organization.slug

    response = client.get(
        f"/organizations/{slug}/people/shared/{person.id}/?purpose=care_coordination"
    )

    assert response.status_code == 404
    assert NAME not in response.content.decode()
    assert refusals(recipient, person) == 1


@pytest.mark.parametrize("role", ["practitioner", "peer_supporter"])
def test_staff_who_are_not_admins_cannot_erase_review_or_set_retention(
    client, person, consent, emergency, holder, make_member, role, missing_body
):
    member = make_member(holder, role)
    sign_in(client, member)
    missing = missing_body(client, holder.slug)
    before = snapshot()

    for method, url, data in [
        ("get", f"/organizations/{holder.slug}/people/{person.id}/erase/", None),
        ("post", f"/organizations/{holder.slug}/people/{person.id}/erase/", {"reason": "request"}),
        ("get", f"/organizations/{holder.slug}/people/emergency-reviews/", None),
        (
            "post",
            f"/organizations/{holder.slug}/people/emergency-reviews/{emergency.id}/",
            {"note": "Fine"},
        ),
        ("get", f"/organizations/{holder.slug}/people/retention/", None),
        ("post", f"/organizations/{holder.slug}/people/retention/", {"records_days": "1"}),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
        assert page_body(response) == missing, url

    assert snapshot() == before
    assert client.get(f"/organizations/{holder.slug}/people/{person.id}/").status_code == 200


def test_an_erased_record_is_not_found_like_any_missing_one(
    client, person, holder, holder_admin, missing_body
):
    services.person_erase(actor=holder_admin, organization=holder, person_id=person.id)
    sign_in(client, holder_admin)
    missing = missing_body(client, holder.slug)

    response = client.get(f"/organizations/{holder.slug}/people/{person.id}/")

    assert response.status_code == 404
    assert page_body(response) == missing
    assert refusals(holder_admin, person) == 1


def test_signed_out_visitors_are_sent_to_sign_in_and_see_nothing(client, person, consent):
    before = snapshot()

    for url in person_gets(person.holder.slug, person, consent):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/"), url
        assert NAME not in response.content.decode(), url

    assert snapshot() == before


def test_staff_who_have_not_confirmed_two_factor_are_sent_to_the_code_page(
    client, person, holder_admin
):
    sign_in(client, holder_admin, verify=False)

    response = client.get(f"/organizations/{person.holder.slug}/people/{person.id}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/two-factor/")
    assert not AuditRecord.objects.filter(
        action="hearth.people.person.read", actor_id=holder_admin.pk
    ).exists()


def test_every_people_page_is_never_stored(client, person, consent, emergency, holder_admin):
    sign_in(client, holder_admin)
    slug = person.holder.slug
    pages = [
        f"/organizations/{slug}/people/",
        f"/organizations/{slug}/people/new/",
        f"/organizations/{slug}/people/consents-received/",
        f"/organizations/{slug}/people/emergency/",
        f"/organizations/{slug}/people/emergency-reviews/",
        f"/organizations/{slug}/people/emergency-reviews/{emergency.id}/",
        f"/organizations/{slug}/people/retention/",
    ] + [
        url
        for url in person_gets(slug, person, consent)
        if "/shared/" not in url and "/emergency/" not in url
    ]

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
