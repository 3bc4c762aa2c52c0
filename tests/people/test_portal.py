"""The person's own pages (/me/): joining, signing in, seeing and controlling their information.

Every record, consent and account here is made through the real services, and every request goes
through the real pages."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP

from hearth.accounts.models import Role, SignInAttempt
from hearth.core.models import AuditRecord
from hearth.people import access, portal_auth, services
from hearth.people.models import (
    Consent,
    ErasureRequest,
    PortalAccount,
    PortalInvitation,
    PortalLink,
    Purpose,
)
from tests.factories import MembershipFactory, NetworkMembershipFactory
from tests.people.factories import grant, make_person

pytestmark = pytest.mark.django_db

PASSPHRASE = "quiet harbour lamp 42"
# Words that must never appear in a portal page's <title>: it shows in tabs and history.
REVEALING_WORDS = ("abuse", "shelter", "victim", "violence", "assault", "survivor", "trauma")


# --- helpers ---


def staff(organization, *, name="Naomi Fitzgerald", role=Role.PRACTITIONER):
    return MembershipFactory(organization=organization, role=role, user__full_name=name).user


def invite(person, *, by=None):
    by = by or staff(person.holder, name="Inviting Staff")
    return services.portal_invitation_create(
        actor=by, organization=person.holder, person_id=person.id
    )


def account_for(person, *, name="robin-river", passphrase=PASSPHRASE) -> PortalAccount:
    return services.portal_account_create(
        token=invite(person), sign_in_name=name, passphrase=passphrase
    )


def portal_sign_in(client, name="robin-river", passphrase=PASSPHRASE, **extra):
    return client.post("/me/sign-in/", {"sign_in_name": name, "passphrase": passphrase, **extra})


def signed_in(client, account, passphrase=PASSPHRASE):
    response = portal_sign_in(client, account.sign_in_name, passphrase)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/me/"
    return client


def session_account(client):
    return client.session.get(portal_auth.SESSION_KEY)


def page_body(response) -> str:
    # CSRF tokens differ between any two responses and the language switcher echoes the path.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]+"', "", body)


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has no <title>"
    return " ".join(match.group(1).split())


def code_for(secret: bytes, *, drift: int = 0) -> str:
    return f"{TOTP(secret, drift=drift).token():06d}"


@pytest.fixture
def holder(network):
    # A name a title must never repeat: titles stay neutral whoever holds the record.
    organization = NetworkMembershipFactory(
        network=network,
        organization__name="Harbour Domestic Abuse Shelter",
        organization__kind="victim_service",
    ).organization
    return organization


@pytest.fixture
def recipient(network):
    return NetworkMembershipFactory(
        network=network, organization__name="Valley Legal Aid"
    ).organization


@pytest.fixture
def person(holder):
    return make_person(
        holder,
        by=staff(holder),
        name="Robin River",
        contact={"phones": ["555 0100 123"], "safe_channels": ["text"], "safe_days": ["tue"]},
        needs={"terms": [], "in_their_words": "A quiet place to sleep"},
        strengths={"strengths": "Stubborn in a good way", "goals": "Finish the course"},
    )


@pytest.fixture
def other_person(holder):
    return make_person(holder, by=staff(holder, name="Other Staff"), name="Morgan Elsewhere")


@pytest.fixture
def account(person):
    return account_for(person)


@pytest.fixture
def portal(client, account):
    return signed_in(client, account)


# --- joining ---


def test_accepting_an_invitation_creates_an_account_and_links_the_record(client, person):
    token = invite(person)

    page = client.get(f"/me/join/{token}/")
    response = client.post(
        f"/me/join/{token}/",
        {"sign_in_name": "Robin-River", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE},
    )

    assert page.status_code == 200
    assert "You do not need an e-mail address" in page.content.decode()
    assert "Harbour Domestic Abuse Shelter invited you" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    account = PortalAccount.objects.get()
    assert account.sign_in_name == "robin-river"
    assert list(PortalLink.objects.values_list("account_id", "person_id")) == [
        (account.id, person.id)
    ]
    assert PortalInvitation.objects.get().used_at is not None
    assert session_account(client) == str(account.id)
    assert "Robin River" in client.get("/me/").content.decode()
    assert mail.outbox == []


def test_a_join_form_with_mistakes_names_them_and_creates_nothing(client, person):
    token = invite(person)
    account_for(make_person(person.holder, name="Someone"), name="taken-name")

    response = client.post(
        f"/me/join/{token}/",
        {"sign_in_name": "taken-name", "passphrase": "short", "passphrase_again": "different"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "The two passphrases are different." in body
    assert title_of(response).startswith("Error: Set up your pages")
    assert PortalLink.objects.filter(person=person).count() == 0
    assert PortalInvitation.objects.get(person=person).used_at is None

    response = client.post(
        f"/me/join/{token}/",
        {"sign_in_name": "taken-name", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE},
    )

    assert "That sign-in name is taken; choose another." in response.content.decode()
    assert PortalAccount.objects.count() == 1
    assert PortalLink.objects.filter(person=person).count() == 0


def test_used_expired_and_unknown_links_are_refused_identically(client, person, holder):
    used = invite(person)
    services.portal_account_create(token=used, sign_in_name="first", passphrase=PASSPHRASE)
    second = make_person(holder, name="Second Person")
    expired = invite(second)
    PortalInvitation.objects.filter(person=second).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    accounts_before = PortalAccount.objects.count()

    responses = {
        "used": client.get(f"/me/join/{used}/"),
        "expired": client.get(f"/me/join/{expired}/"),
        "unknown": client.get("/me/join/not-a-real-token/"),
        "used, posted": client.post(
            f"/me/join/{used}/",
            {"sign_in_name": "again", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE},
        ),
        "expired, posted": client.post(
            f"/me/join/{expired}/",
            {"sign_in_name": "again", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE},
        ),
    }

    bodies = {name: page_body(response) for name, response in responses.items()}
    assert {response.status_code for response in responses.values()} == {404}
    assert len(set(bodies.values())) == 1, "the answers differ"
    assert "This link no longer works" in bodies["unknown"]
    assert "Second Person" not in bodies["expired"]
    assert holder.name not in bodies["expired"]
    assert PortalAccount.objects.count() == accounts_before
    assert not PortalLink.objects.filter(person=second).exists()


def test_a_signed_in_person_adds_a_second_record_to_the_same_account(
    portal, account, person, recipient
):
    second = make_person(recipient, by=staff(recipient, name="Legal Staff"), name="Robin R.")
    token = invite(second)

    page = portal.get(f"/me/join/{token}/")
    response = portal.post(f"/me/join/{token}/")

    assert "Add it to my pages" in page.content.decode()
    assert "Valley Legal Aid invited you" in page.content.decode()
    assert response.status_code == 302
    assert PortalAccount.objects.count() == 1
    assert set(PortalLink.objects.filter(account=account).values_list("person_id", flat=True)) == {
        person.id,
        second.id,
    }
    overview = portal.get("/me/").content.decode()
    assert "What Harbour Domestic Abuse Shelter holds about you" in overview
    assert "What Valley Legal Aid holds about you" in overview


# --- signing in and out ---


def test_signing_in_with_the_right_name_and_passphrase(client, account):
    response = portal_sign_in(client, "  Robin-River ", PASSPHRASE)

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert session_account(client) == str(account.id)
    assert (
        AuditRecord.objects.filter(
            action="hearth.people.portal.signed_in", target_id=str(account.id)
        ).count()
        == 1
    )
    assert SignInAttempt.objects.filter(email="portal:robin-river", succeeded=True).count() == 1


def test_a_wrong_passphrase_or_unknown_name_gets_one_plain_message(client, account):
    wrong = portal_sign_in(client, "robin-river", "not the passphrase")
    unknown = portal_sign_in(client, "nobody-here", PASSPHRASE)

    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "The sign-in name or passphrase is not right." in response.content.decode()
        assert title_of(response) == "Error: Sign in \N{EN DASH} Hearth"
    assert page_body(wrong).replace("robin-river", "X") == page_body(unknown).replace(
        "nobody-here", "X"
    )
    assert session_account(client) is None
    assert list(
        SignInAttempt.objects.order_by("attempted_at").values_list("email", "succeeded")
    ) == [("portal:robin-river", False), ("portal:nobody-here", False)]


def test_repeated_failures_lock_signing_in_even_with_the_right_passphrase(client, account):
    for _ in range(5):
        portal_sign_in(client, "robin-river", "wrong passphrase")

    response = portal_sign_in(client, "robin-river", PASSPHRASE)

    assert "There have been too many attempts to sign in. Wait 15 minutes" in (
        response.content.decode()
    )
    assert session_account(client) is None
    assert not AuditRecord.objects.filter(action="hearth.people.portal.signed_in").exists()


def test_signing_in_returns_only_to_the_persons_own_pages(client, account):
    inside = portal_sign_in(client, next="/me/history/")
    client.post("/me/sign-out/")
    outside = portal_sign_in(client, next="https://elsewhere.example/me/")

    assert inside["Location"] == "/me/history/"
    assert outside["Location"] == "/me/"


def test_pages_need_a_signed_in_person(client, person, account):
    response = client.get("/me/consents/")

    assert response.status_code == 302
    assert response["Location"] == "/me/sign-in/?next=%2Fme%2Fconsents%2F"
    assert response["Cache-Control"] == "no-store"


def test_signing_out_ends_the_session(portal):
    old_key = portal.session.session_key

    assert portal.get("/me/sign-out/").status_code == 405
    response = portal.post("/me/sign-out/")

    assert response.status_code == 302
    assert response["Location"] == "/me/sign-in/"
    assert session_account(portal) is None
    assert portal.session.session_key != old_key
    assert portal.get("/me/")["Location"].startswith("/me/sign-in/")


def test_the_quick_exit_beacon_ends_the_persons_session_too(portal):
    response = portal.post("/exit/end-session/")

    assert response.status_code == 204
    assert session_account(portal) is None
    assert portal.get("/me/")["Location"].startswith("/me/sign-in/")


def test_changing_the_passphrase_signs_out_every_other_session(portal, account, client_factory):
    elsewhere = signed_in(client_factory(), account)

    response = portal.post(
        "/me/security/passphrase/",
        {
            "current": PASSPHRASE,
            "new": "a brand new passphrase",
            "new_again": "a brand new passphrase",
        },
    )

    assert response.status_code == 302
    assert portal.get("/me/").status_code == 200
    assert elsewhere.get("/me/")["Location"].startswith("/me/sign-in/")
    assert portal_sign_in(client_factory(), "robin-river", PASSPHRASE).status_code == 200
    assert (
        portal_sign_in(client_factory(), "robin-river", "a brand new passphrase")["Location"]
        == "/me/"
    )
    assert AuditRecord.objects.filter(action="hearth.people.portal.passphrase_changed").count() == 1


def test_a_wrong_current_passphrase_changes_nothing(portal, account):
    before = PortalAccount.objects.get().passphrase_hash

    response = portal.post(
        "/me/security/passphrase/",
        {
            "current": "not it at all",
            "new": "another passphrase",
            "new_again": "another passphrase",
        },
    )

    assert response.status_code == 200
    assert "That is not your current passphrase." in response.content.decode()
    assert PortalAccount.objects.get().passphrase_hash == before


# --- the second step ---


def test_turning_on_a_second_step_and_signing_in_with_it(portal, account, client_factory):
    setup = portal.get("/me/security/second-step/")
    secret = bytes.fromhex(portal.session[portal_auth.NEW_SECRET_SESSION_KEY])

    wrong = portal.post("/me/security/second-step/", {"token": "000000"})
    if code_for(secret) == "000000":  # pragma: no cover - one chance in a million
        pytest.skip("the right code happened to be 000000")
    assert "That code is not right." in wrong.content.decode()
    assert PortalAccount.objects.get().totp_secret == b""

    enabling_code = code_for(secret)
    confirmed = portal.post("/me/security/second-step/", {"token": enabling_code})

    assert setup.status_code == 200
    assert "<svg" in setup.content.decode()
    assert portal_auth.readable_secret(secret) in setup.content.decode()
    assert confirmed.status_code == 302
    assert bytes(PortalAccount.objects.get().totp_secret) == secret
    assert portal_auth.NEW_SECRET_SESSION_KEY not in portal.session

    # Signing in now needs the code after the passphrase.
    other = client_factory()
    first = portal_sign_in(other)
    assert first["Location"] == "/me/sign-in/code/"
    assert session_account(other) is None
    assert other.get("/me/")["Location"].startswith("/me/sign-in/")

    # The code that turned the step on cannot be used again.
    reused = other.post("/me/sign-in/code/", {"token": enabling_code})
    assert "That code is not right." in reused.content.decode()
    assert session_account(other) is None

    done = other.post("/me/sign-in/code/", {"token": code_for(secret, drift=1)})

    assert done.status_code == 302
    assert done["Location"] == "/me/"
    assert session_account(other) == str(account.id)
    signed_in_record = AuditRecord.objects.filter(action="hearth.people.portal.signed_in").last()
    assert signed_in_record.detail["second_step"] is True


def test_wrong_codes_are_throttled_like_passphrases(client, account):
    secret = b"0123456789abcdefghij"
    PortalAccount.objects.filter(pk=account.pk).update(totp_secret=secret)
    portal_sign_in(client)
    for _ in range(5):
        client.post(
            "/me/sign-in/code/", {"token": "999999" if code_for(secret) != "999999" else "111111"}
        )

    response = client.post("/me/sign-in/code/", {"token": code_for(secret)})

    assert "too many attempts" in response.content.decode()
    assert session_account(client) is None


def test_turning_off_the_second_step_needs_the_passphrase(portal, account):
    PortalAccount.objects.filter(pk=account.pk).update(totp_secret=b"0123456789abcdefghij")

    refused = portal.post("/me/security/second-step/off/", {"passphrase": "wrong one"})
    assert "That passphrase is not right." in refused.content.decode()
    assert PortalAccount.objects.get().totp_secret != b""

    response = portal.post("/me/security/second-step/off/", {"passphrase": PASSPHRASE})

    assert response.status_code == 302
    assert bytes(PortalAccount.objects.get().totp_secret) == b""


# --- what is held ---


def test_the_overview_shows_each_category_with_the_persons_own_values(portal, person):
    response = portal.get("/me/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "What Harbour Domestic Abuse Shelter holds about you" in body
    for value in (
        "Robin River",
        "555 0100 123",
        "Text message",
        "Tuesday",
        "A quiet place to sleep",
        "Stubborn in a good way",
        "Finish the course",
    ):
        assert value in body, value
    assert (
        AuditRecord.objects.filter(
            action="hearth.people.person.read_by_self", target_id=str(person.id)
        ).count()
        == 1
    )


def test_another_persons_record_is_not_found_and_nothing_leaks(
    portal, person, other_person, recipient
):
    consent = grant(other_person, recipient)
    audit_before = list(
        AuditRecord.objects.filter(target_id=str(other_person.id)).values_list("sequence")
    )

    overview = portal.get("/me/").content.decode()
    theirs = portal.get(f"/me/records/{other_person.id}/")
    missing = portal.get(f"/me/records/{uuid.uuid4()}/")
    give = portal.get(f"/me/consents/give/{other_person.id}/")
    withdraw = portal.post(f"/me/consents/{consent.id}/withdraw/")

    assert "Morgan Elsewhere" not in overview
    assert theirs.status_code == missing.status_code == give.status_code == 404
    assert withdraw.status_code == 404
    assert page_body(theirs) == page_body(missing)
    assert "Morgan Elsewhere" not in theirs.content.decode()
    assert Consent.objects.get(pk=consent.pk).revoked_at is None
    assert (
        list(AuditRecord.objects.filter(target_id=str(other_person.id)).values_list("sequence"))
        == audit_before
    )
    mine = portal.get(f"/me/records/{person.id}/")
    assert mine.status_code == 200
    assert "Robin River" in mine.content.decode()


# --- consents ---


def test_withdrawing_a_consent_ends_the_recipients_access_at_once(portal, person, recipient):
    consent = grant(person, recipient, categories=("identity", "needs"))
    reader = staff(recipient, name="Lee Legal")
    record = access.access_person(
        user=reader, organization=recipient, person_id=person.id, purpose=Purpose.REFERRAL
    )
    assert record.chosen_name == "Robin River"

    listed = portal.get("/me/consents/").content.decode()
    confirm = portal.get(f"/me/consents/{consent.id}/withdraw/")
    assert Consent.objects.get(pk=consent.pk).revoked_at is None
    response = portal.post(f"/me/consents/{consent.id}/withdraw/")

    assert "Valley Legal Aid" in listed
    assert "Agreed in person at the drop-in" in listed
    assert "In effect" in listed
    assert confirm.status_code == 200
    assert "Yes, withdraw this consent" in confirm.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/me/consents/"
    withdrawn = Consent.objects.get(pk=consent.pk)
    assert withdrawn.revoked_at is not None
    assert withdrawn.revoked_by_person is True
    with pytest.raises(access.PersonNotFound):
        access.access_person(
            user=reader, organization=recipient, person_id=person.id, purpose=Purpose.REFERRAL
        )
    after = portal.get("/me/consents/").content.decode()
    assert 'data-status="withdrawn"' in after
    assert "Withdrawn on" in after


def test_giving_a_consent_with_the_default_end_date(portal, person, recipient, holder):
    days = services.consent_days_for(holder)
    expected_day = timezone.localdate() + timedelta(days=days)

    page = portal.get(f"/me/consents/give/{person.id}/")
    response = portal.post(
        f"/me/consents/give/{person.id}/",
        {
            "recipient_organization": str(recipient.id),
            "categories": ["identity", "strengths"],
            "purpose": Purpose.CARE_COORDINATION,
            "expires_on": expected_day.isoformat(),
        },
    )

    body = page.content.decode()
    assert f'value="{expected_day.isoformat()}"' in body
    assert "Saying no never changes the help you get" in body
    assert holder.name not in re.findall(r"<label[^>]*radios__label[^>]*>([^<]*)<", body)
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.given_by == Consent.GivenBy.PERSON
    assert consent.recipient_organization == recipient
    assert consent.categories == ["identity", "strengths"]
    assert consent.purpose == Purpose.CARE_COORDINATION
    assert timezone.localtime(consent.expires_at).date() == expected_day
    assert (
        access.access_person(
            user=staff(recipient),
            organization=recipient,
            person_id=person.id,
            purpose=Purpose.CARE_COORDINATION,
        ).strengths["goals"]
        == "Finish the course"
    )


def test_a_consent_to_an_organization_outside_the_networks_is_refused(
    portal, person, recipient, other_organization
):
    response = portal.post(
        f"/me/consents/give/{person.id}/",
        {
            "recipient_organization": str(other_organization.id),
            "categories": ["identity"],
            "purpose": Purpose.REFERRAL,
            "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )

    assert response.status_code == 200
    assert "Choose an organization from the list" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_consent_end_date_in_the_past_is_refused(portal, person, recipient):
    response = portal.post(
        f"/me/consents/give/{person.id}/",
        {
            "recipient_organization": str(recipient.id),
            "categories": ["identity"],
            "purpose": Purpose.REFERRAL,
            "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )

    assert "The end date must be in the future." in response.content.decode()
    assert 'href="#id_expires_on"' in response.content.decode()
    assert not Consent.objects.exists()


# --- who looked ---


def test_the_history_lists_a_staff_read_in_plain_words(portal, person, holder):
    reader = staff(holder, name="Naomi Fitzgerald")
    access.access_person(
        user=reader,
        organization=holder,
        person_id=person.id,
        purpose=Purpose.CARE,
        categories=["identity", "contact"],
    )
    portal.get("/me/")  # the person's own look is left out unless asked for

    body = portal.get("/me/history/").content.decode()
    with_own = portal.get("/me/history/?own=1").content.decode()

    assert "Who looked at your information, when and why" in body
    assert (
        "<strong>Naomi Fitzgerald</strong>, Harbour Domestic Abuse Shelter: Record opened" in body
    )
    assert "Why: Providing support at the organization that holds the record" in body
    assert (
        "What: Your name, pronouns, languages and age; How to contact you, and when it is safe"
        in body
    )
    assert "Opened by the person themselves" not in body
    assert "Opened by the person themselves" in with_own
    assert "data-emergency" not in body


def test_emergency_access_is_highlighted(portal, person, holder):
    reader = staff(holder, name="Night Advocate")
    services.emergency_access_start(
        user=reader, organization=holder, person_id=person.id, reason="Hospital called at night"
    )
    access.access_person(
        user=reader, organization=holder, person_id=person.id, purpose=Purpose.EMERGENCY
    )

    body = portal.get("/me/history/").content.decode()

    assert "Your information was opened in an emergency once." in body
    assert body.count("data-emergency") == 2  # opening the emergency access, and the read
    assert "govuk-tag--red" in body


def test_the_history_is_paginated(portal, person, holder):
    reader = staff(holder)
    for _ in range(30):
        access.access_person(
            user=reader, organization=holder, person_id=person.id, purpose=Purpose.CARE
        )

    first = portal.get("/me/history/").content.decode()
    second = portal.get("/me/history/?page=2").content.decode()

    # 30 reads, the record's creation and the link to these pages: 32 lines.
    assert first.count("data-hearth-history-line") == 25
    assert second.count("data-hearth-history-line") == 7
    assert 'rel="next"' in first


# --- download ---


def test_the_download_holds_the_persons_values_and_nothing_about_anyone_else(
    portal, person, other_person, recipient, holder
):
    consent = grant(person, recipient)
    grant(other_person, recipient)
    access.access_person(
        user=staff(holder, name="Naomi Fitzgerald"),
        organization=holder,
        person_id=person.id,
        purpose=Purpose.CARE,
    )
    reads_before = AuditRecord.objects.filter(action="hearth.people.person.read_by_self").count()

    response = portal.get("/me/download/my-information.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="my-information-{timezone.localdate().isoformat()}.json"'
    )
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    (record,) = data["records"]
    assert record["record_id"] == str(person.id)
    assert record["held_by"] == {"organization": holder.name, "slug": holder.slug}
    assert record["identity"]["chosen_name"] == "Robin River"
    assert record["contact"]["phones"] == ["555 0100 123"]
    assert record["needs"]["in_their_words"] == "A quiet place to sleep"
    assert record["strengths"]["goals"] == "Finish the course"
    assert [item["id"] for item in record["consents"]] == [str(consent.id)]
    assert record["consents"][0]["recipient"] == "Valley Legal Aid"
    assert {(event["action"], event["who"]) for event in record["access_history"]} >= {
        ("hearth.people.person.read", "Naomi Fitzgerald")
    }
    assert data["account"] == {
        "sign_in_name": "robin-river",
        "created_at": data["account"]["created_at"],
        "second_step": False,
    }
    text = response.content.decode()
    assert "Morgan Elsewhere" not in text
    assert str(other_person.id) not in text
    assert (
        AuditRecord.objects.filter(action="hearth.people.person.read_by_self").count()
        == reads_before + 1
    )


def test_the_printable_page_shows_the_same_information(portal, person, recipient):
    grant(person, recipient)

    body = portal.get("/me/download/").content.decode()

    assert "Download as a file (JSON)" in body
    assert "Robin River" in body
    assert "Valley Legal Aid" in body
    assert "Record started" in body


# --- erasure ---


def test_asking_for_erasure_is_confirmed_then_recorded(portal, person):
    page = portal.get("/me/erase/").content.decode()
    unconfirmed = portal.post("/me/erase/", {"record": str(person.id)})
    assert not ErasureRequest.objects.exists()

    response = portal.post("/me/erase/", {"record": str(person.id), "confirm": "on"})

    assert "destroys that key" in page
    assert "counts that do not say who you are" in page
    assert "Tick the box to confirm you want this erased" in unconfirmed.content.decode()
    assert response.status_code == 302
    request = ErasureRequest.objects.get()
    assert request.person_id == person.id
    assert request.completed_at is None
    assert (
        AuditRecord.objects.filter(
            action="hearth.people.erasure.requested", target_id=str(person.id)
        ).count()
        == 1
    )
    assert "You asked Harbour Domestic Abuse Shelter to erase this on" in (
        portal.get("/me/").content.decode()
    )
    assert portal.get("/me/erase/").content.decode().count('name="record"') == 0


def test_erasure_of_another_persons_record_cannot_be_asked(portal, other_person):
    response = portal.post("/me/erase/", {"record": str(other_person.id), "confirm": "on"})

    assert response.status_code == 200
    assert "Choose an organization from the list" in response.content.decode()
    assert not ErasureRequest.objects.exists()


# --- every page ---


def portal_pages(person, consent, token):
    return [
        "/me/",
        f"/me/records/{person.id}/",
        "/me/consents/",
        f"/me/consents/give/{person.id}/",
        f"/me/consents/{consent.id}/withdraw/",
        "/me/history/",
        "/me/download/",
        "/me/erase/",
        "/me/security/",
        "/me/security/passphrase/",
        "/me/security/second-step/",
        f"/me/join/{token}/",
    ]


def test_every_page_has_a_neutral_title_no_store_and_the_quick_exit(
    portal, client_factory, person, recipient, holder
):
    consent = grant(person, recipient)
    token = invite(make_person(recipient, name="Second"))
    anonymous = client_factory()
    responses = {path: portal.get(path) for path in portal_pages(person, consent, token)}
    responses["/me/sign-in/"] = anonymous.get("/me/sign-in/")
    responses["join, signed out"] = anonymous.get(f"/me/join/{invite(make_person(holder))}/")
    responses["closed link"] = anonymous.get("/me/join/unknown/")

    for where, response in responses.items():
        assert response.status_code in (200, 404), where
        assert response["Cache-Control"] == "no-store", where
        title = title_of(response).lower()
        for word in REVEALING_WORDS:
            assert word not in title, f"{where}: {title!r}"
        assert holder.name.lower() not in title, where
        assert "data-hearth-quick-exit-button" in response.content.decode(), where
    assert title_of(responses["/me/"]) == "Your pages \N{EN DASH} Hearth"
    assert title_of(responses["/me/sign-in/"]) == "Sign in \N{EN DASH} Hearth"


def test_portal_pages_send_nothing_to_the_person(portal, person, recipient):
    consent = grant(person, recipient)
    mail.outbox.clear()

    portal.post(f"/me/consents/{consent.id}/withdraw/")
    portal.post("/me/erase/", {"record": str(person.id), "confirm": "on"})

    assert mail.outbox == []


def test_the_staff_menu_is_replaced_by_the_persons_own(portal):
    body = portal.get("/me/").content.decode()

    assert 'href="/me/consents/"' in body
    assert 'href="/me/history/"' in body
    assert 'href="/organizations/"' not in body
    assert "data-hearth-portal-sign-out" in body


def test_after_erasure_the_pages_hold_nothing_of_the_record(portal, account, person, holder):
    services.person_erase(
        actor=staff(holder, role=Role.ADMIN), organization=holder, person_id=person.id
    )

    body = portal.get("/me/").content.decode()

    assert "No organization holds a record about you" in body
    assert "Robin River" not in body
    assert portal.get(f"/me/records/{person.id}/").status_code == 404
