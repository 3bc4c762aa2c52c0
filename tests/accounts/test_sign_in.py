import pytest
from django.contrib.auth.hashers import identify_hasher
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.accounts.models import SignInAttempt
from hearth.core.models import AuditRecord
from tests.conftest import current_code, sign_in
from tests.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db


def session_user_id(client):
    return client.session.get("_auth_user_id")


def test_passwords_are_hashed_with_argon2():
    user = UserFactory()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_sign_in_with_email_and_password(client):
    user = UserFactory(email="someone@example.org")

    response = client.post("/sign-in/", {"email": "Someone@Example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert session_user_id(client) == str(user.pk)
    assert AuditRecord.objects.filter(action="hearth.accounts.user.signed_in").count() == 1


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    user = UserFactory()

    response = client.post("/sign-in/", {"email": user.email, "password": "not it"})

    assert response.status_code == 200
    assert "The e-mail address or password is not right." in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert session_user_id(client) is None
    assert SignInAttempt.objects.filter(succeeded=False).count() == 1


def test_the_message_is_translated(client):
    user = UserFactory()
    client.cookies["hearth_language"] = "es"

    response = client.post("/sign-in/", {"email": user.email, "password": "not it"})

    assert "The e-mail address or password is not right." not in response.content.decode()
    assert 'lang="es"' in response.content.decode()


def test_an_unknown_account_gets_the_same_message(client):
    response = client.post("/sign-in/", {"email": "nobody@example.org", "password": "x"})

    assert "The e-mail address or password is not right." in response.content.decode()
    assert session_user_id(client) is None


def test_empty_form_names_each_missing_field(client):
    response = client.post("/sign-in/", {})

    body = response.content.decode()
    assert "Enter your e-mail address" in body
    assert "Enter your password" in body
    assert 'href="#id_email"' in body


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    user = UserFactory()
    for _ in range(5):
        client.post("/sign-in/", {"email": user.email, "password": "wrong"})

    response = client.post("/sign-in/", {"email": user.email, "password": PASSWORD})

    assert "too many attempts" in response.content.decode()
    assert session_user_id(client) is None
    assert not AuditRecord.objects.filter(action="hearth.accounts.user.signed_in").exists()


def test_four_failures_do_not_lock(client):
    user = UserFactory()
    for _ in range(4):
        client.post("/sign-in/", {"email": user.email, "password": "wrong"})

    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})

    assert session_user_id(client) == str(user.pk)
    assert SignInAttempt.objects.filter(email=user.email, succeeded=False).count() == 0


def test_many_failures_from_one_origin_lock_every_account_from_there(client):
    for n in range(20):
        client.post("/sign-in/", {"email": f"guess{n}@example.org", "password": "wrong"})
    user = UserFactory()

    response = client.post("/sign-in/", {"email": user.email, "password": PASSWORD})

    assert "too many attempts" in response.content.decode()
    assert session_user_id(client) is None


def test_the_lock_lifts_after_the_window(client, settings):
    user = UserFactory()
    for _ in range(5):
        client.post("/sign-in/", {"email": user.email, "password": "wrong"})
    settings.HEARTH_SIGN_IN_WINDOW_MINUTES = 0

    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})

    assert session_user_id(client) == str(user.pk)


@pytest.mark.parametrize("role", ["admin", "practitioner", "peer_supporter"])
def test_roles_that_see_personal_data_must_use_two_factor(client, organization, role):
    user = MembershipFactory(organization=organization, role=role).user
    device = TOTPDeviceFactory(user=user)
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})

    blocked = client.get("/my/")
    assert blocked.status_code == 302
    assert blocked["Location"] == "/sign-in/two-factor/?next=%2Fmy%2F"
    assert client.get(f"/organizations/{organization.slug}/").status_code == 302

    client.post("/sign-in/two-factor/", {"token": current_code(device)})
    assert client.get("/my/").status_code == 200


def test_coordinators_must_use_two_factor(client, coordinator):
    client.post("/sign-in/", {"email": coordinator.email, "password": PASSWORD})

    assert client.get("/my/")["Location"].startswith("/sign-in/two-factor/")


def test_a_viewer_does_not_need_two_factor(client, organization):
    user = MembershipFactory(organization=organization, role="viewer").user
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})

    assert client.get("/my/").status_code == 200


def test_a_wrong_code_is_refused(client, organization):
    user = MembershipFactory(organization=organization, role="practitioner").user
    device = TOTPDeviceFactory(user=user)
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    response = client.post("/sign-in/two-factor/", {"token": wrong})

    assert "That code is not right" in response.content.decode()
    assert client.get("/my/").status_code == 302


def test_two_factor_codes_are_throttled_after_failures(client, organization):
    user = MembershipFactory(organization=organization, role="practitioner").user
    device = TOTPDeviceFactory(user=user)
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    for _ in range(3):
        client.post("/sign-in/two-factor/", {"token": "000000"})

    response = client.post("/sign-in/two-factor/", {"token": current_code(device)})

    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/my/").status_code == 302


def test_a_new_member_sets_up_an_authenticator_before_anything_else(client, organization):
    user = MembershipFactory(organization=organization, role="practitioner").user
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})

    response = client.get("/sign-in/two-factor/")
    assert response["Location"] == "/sign-in/two-factor/set-up/"
    page = client.get("/sign-in/two-factor/set-up/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    done = client.post("/sign-in/two-factor/set-up/", {"token": current_code(device)})

    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/my/").status_code == 200
    assert AuditRecord.objects.filter(action="hearth.accounts.two_factor.enabled").count() == 1


def test_set_up_refuses_a_wrong_code_and_confirms_nothing(client, organization):
    user = MembershipFactory(organization=organization, role="admin").user
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    client.get("/sign-in/two-factor/set-up/")

    response = client.post("/sign-in/two-factor/set-up/", {"token": "12345"})

    assert "Enter the 6 digits the app shows" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_sign_out_ends_the_session(client, organization, make_member):
    user = make_member(organization, "viewer", two_factor=False)
    sign_in(client, user)

    response = client.post("/sign-out/")

    assert response.status_code == 302
    assert session_user_id(client) is None
    assert client.get("/my/").status_code == 302


def test_next_cannot_send_people_to_another_site(client):
    user = UserFactory()

    response = client.post(
        "/sign-in/", {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/my/"
