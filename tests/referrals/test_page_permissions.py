"""Nobody outside a referral learns or changes anything through the referral pages: a third
organization's staff, viewers of either side, coordinators of other networks, other people's
portal accounts and visitors get the same "not found" as for a referral that does not exist,
nothing changes, and neither the person's chosen name nor the summary appears anywhere."""

from __future__ import annotations

import re
import uuid

import pytest

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord, Notification
from hearth.people import services as people_services
from hearth.people.models import Consent, PortalAccount
from hearth.referrals.models import Referral, ReferralEvent, ReferralMessage
from tests.conftest import sign_in
from tests.factories import (
    CoordinatorFactory,
    NetworkFactory,
    NetworkMembershipFactory,
    OrganizationFactory,
    TOTPDeviceFactory,
)
from tests.people.factories import make_person, staff
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db

NAME = "Marigold Quince"
SUMMARY = "Looking for a quiet place to talk, mornings are best."
PASSPHRASE = "quiet harbour lamp 42"


def signed_in(client, user):
    if not user.totpdevice_set.filter(confirmed=True).exists():
        TOTPDeviceFactory(user=user)
    return sign_in(client, user)


def page_body(response) -> str:
    # CSRF tokens differ between any two responses, and the shell's switchers echo the address
    # that was asked for; everything else must be identical.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]+"', "", body)


def snapshot() -> dict:
    return {
        "referrals": sorted(
            Referral.objects.values_list("id", "status", "version", "status_reason")
        ),
        "events": ReferralEvent.objects.count(),
        "messages": ReferralMessage.objects.count(),
        "consents": sorted(Consent.objects.values_list("id", "revoked_at")),
        "exports": AuditRecord.objects.filter(action="hearth.referrals.referral.exported").count(),
        "notifications": sorted(Notification.objects.values_list("id", "read_at")),
    }


@pytest.fixture
def p():
    return pair()


@pytest.fixture
def person(p):
    return make_person(p.sender, by=p.sender_staff, name=NAME)


@pytest.fixture
def referral(p, person):
    return refer(p, person=person)


def requests_about(p, person, referral, organization_slug):
    """Every page about this referral, as (method, address, data), for one acting organization."""
    missing = uuid.uuid4()
    detail = f"/referrals/{referral.pk}/"
    return [
        ("get", detail, None),
        ("get", f"{detail}?org={organization_slug}", None),
        ("get", f"{detail}?org={p.sender.slug}", None),
        ("get", f"{detail}?org={p.receiver.slug}", None),
        ("get", f"/referrals/{referral.pk}/fhir.json", None),
        ("get", f"/referrals/{referral.pk}/fhir.json?org={p.receiver.slug}", None),
        (
            "post",
            f"{detail}?org={p.receiver.slug}",
            {"action": "status", "to_status": "accepted", "expected_version": referral.version},
        ),
        (
            "post",
            f"{detail}?org={p.sender.slug}",
            {"action": "status", "to_status": "cancelled", "reason": "duplicate"},
        ),
        ("post", f"{detail}?org={p.sender.slug}", {"action": "message", "body": "Hello"}),
        ("get", f"/organizations/{p.sender.slug}/referrals/", None),
        ("get", f"/organizations/{p.receiver.slug}/referrals/", None),
        ("get", f"/organizations/{p.sender.slug}/referrals/new/", None),
        ("get", f"/organizations/{p.sender.slug}/people/{person.id}/refer/", None),
        (
            "get",
            f"/organizations/{p.sender.slug}/people/{person.id}/refer/?service={p.service.id}",
            None,
        ),
        (
            "post",
            f"/organizations/{p.sender.slug}/people/{person.id}/refer/?service={p.service.id}",
            {
                "service": str(p.service.id),
                "categories": ["needs"],
                "expires_on": "2099-01-01",
                "attestation": "In person",
            },
        ),
        (
            "get",
            f"/organizations/{organization_slug}/people/{person.id}/refer/?service={p.service.id}",
            None,
        ),
        ("get", f"/referrals/{missing}/", None),
    ]


def missing_counterpart(url: str) -> str:
    """The same kind of page for something that does not exist (the menu marks the section)."""
    if url.startswith("/organizations/"):
        return re.sub(r"^/organizations/[^/]+/", "/organizations/no-such-organization/", url)
    return f"/referrals/{uuid.uuid4()}/"


def assert_refused_everywhere(client, p, person, referral, organization_slug):
    before = snapshot()
    for method, url, data in requests_about(p, person, referral, organization_slug):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, (method, url, response.status_code)
        body = page_body(response)
        assert body == page_body(client.get(missing_counterpart(url))), (method, url)
        assert NAME not in body and SUMMARY not in body
    assert snapshot() == before


class TestOutsiders:
    @pytest.mark.parametrize("role", [Role.ADMIN, Role.PRACTITIONER, Role.VIEWER])
    def test_a_third_organizations_staff_get_not_found(self, client, p, person, referral, role):
        third = OrganizationFactory()
        outsider = staff(third, role)

        assert_refused_everywhere(signed_in(client, outsider), p, person, referral, third.slug)

    @pytest.mark.parametrize("side", ["sender", "receiver"])
    def test_viewers_of_either_side_get_not_found(self, client, p, person, referral, side):
        organization = p.sender if side == "sender" else p.receiver
        viewer = staff(organization, Role.VIEWER)

        assert_refused_everywhere(signed_in(client, viewer), p, person, referral, organization.slug)

    def test_the_receiver_cannot_refer_the_senders_person(self, client, p, person, referral):
        before = snapshot()
        signed_in(client, p.receiver_staff)

        for url in (
            f"/organizations/{p.receiver.slug}/people/{person.id}/refer/",
            f"/organizations/{p.sender.slug}/people/{person.id}/refer/",
        ):
            response = client.get(url)
            assert response.status_code == 404
            assert NAME not in page_body(response)
        assert snapshot() == before

    def test_acting_for_the_wrong_side_is_not_found(self, client, p, person, referral):
        """A member of the sending organization cannot act as the receiver by naming it."""
        before = snapshot()
        signed_in(client, p.sender_staff)

        response = client.post(
            f"/referrals/{referral.pk}/?org={p.receiver.slug}",
            {"action": "status", "to_status": "accepted", "expected_version": referral.version},
        )

        assert response.status_code == 404
        assert snapshot() == before

    def test_visitors_are_asked_to_sign_in_and_learn_nothing(self, client, p, person, referral):
        before = snapshot()
        for method, url, data in requests_about(p, person, referral, p.sender.slug):
            response = getattr(client, method)(url, data or {})
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/sign-in/?next=")
        assert snapshot() == before


class TestNetworkFigures:
    def test_only_the_networks_coordinators_see_its_figures(self, client, p, referral):
        network = NetworkFactory()
        NetworkMembershipFactory(network=network, organization=p.receiver)
        other_coordinator = CoordinatorFactory().user

        for user in (other_coordinator, p.receiver_staff):
            client.logout()
            response = signed_in(client, user).get(f"/networks/{network.slug}/referrals/")
            missing = client.get("/networks/no-such-network/referrals/")
            assert response.status_code == 404
            assert page_body(response) == page_body(missing)
            assert "Referrals by status" not in page_body(response)


class TestNotifications:
    def test_each_member_sees_only_their_own(self, client, p, referral):
        outsider = staff(OrganizationFactory(), Role.PRACTITIONER)
        before = snapshot()

        body = signed_in(client, outsider).get("/notifications/").content.decode()
        client.post("/notifications/")

        assert f"/referrals/{referral.pk}/" not in body
        assert "No notifications." in body
        assert snapshot() == before


class TestPortal:
    def test_another_persons_account_cannot_open_the_referral(self, client, p, referral):
        someone_else = make_person(p.sender, by=p.sender_staff, name="Someone Else")
        token = people_services.portal_invitation_create(
            actor=p.sender_staff, organization=p.sender, person_id=someone_else.id
        )
        people_services.portal_account_create(
            token=token, sign_in_name="someone-else", passphrase=PASSPHRASE
        )
        client.post("/me/sign-in/", {"sign_in_name": "someone-else", "passphrase": PASSPHRASE})
        assert PortalAccount.objects.count() == 1
        before = snapshot()

        listing = client.get("/me/referrals/")
        page = client.get(f"/me/referrals/{referral.pk}/")
        sent = client.post(f"/me/referrals/{referral.pk}/", {"body": "Hello"})
        missing = client.get(f"/me/referrals/{uuid.uuid4()}/")

        assert listing.status_code == 200
        assert f"/me/referrals/{referral.pk}/" not in listing.content.decode()
        assert page.status_code == sent.status_code == missing.status_code == 404
        assert page_body(page) == page_body(missing)
        assert NAME not in page_body(page) and p.service.name not in page_body(page)
        assert snapshot() == before

    def test_a_staff_session_is_not_a_portal_session(self, client, p, referral):
        response = signed_in(client, p.sender_staff).get(f"/me/referrals/{referral.pk}/")

        assert response.status_code == 302
        assert response["Location"].startswith("/me/sign-in/")


def test_a_draft_is_seen_only_by_its_sender(client, p, person):
    draft = refer(p, person=person, send=False)

    response = signed_in(client, p.receiver_staff).get(
        f"/organizations/{p.receiver.slug}/referrals/"
    )

    assert f"/referrals/{draft.pk}/" not in response.content.decode()
    for url in (f"/referrals/{draft.pk}/", f"/referrals/{draft.pk}/fhir.json"):
        refused = client.get(url)
        assert refused.status_code == 404
        assert NAME not in refused.content.decode()
