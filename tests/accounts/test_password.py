import re

import pytest
from django.core import mail

from hearth.core.models import AuditRecord
from tests.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quiet morning by the river"


def test_a_password_reset_link_arrives_by_email_and_sets_a_new_password(client):
    user = UserFactory(email="forgetful@example.org")

    response = client.post("/password-reset/", {"email": "forgetful@example.org"})
    assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done["Location"] == "/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    record = AuditRecord.objects.get(action="hearth.accounts.user.password_set")
    assert record.detail == {"how": "reset_link"}


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    response = client.post("/password-reset/", {"email": "nobody@example.org"})

    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_a_used_or_wrong_reset_link_says_it_has_expired(client):
    response = client.get("/password-reset/MQ/not-a-token/")

    assert "This link has expired" in response.content.decode()


def test_a_weak_new_password_is_refused_and_the_old_one_still_works(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    body = response.content.decode()
    assert "This password is too short" in body
    assert "There is a problem" in body
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditRecord.objects.filter(action="hearth.accounts.user.password_set").exists()


def test_changing_the_password_keeps_the_person_signed_in(client):
    user = UserFactory()
    sign_in(client, user)

    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
