"""The page shell: security headers, quick exit, health check, both languages on every page."""

import re

import pytest
from django.urls import reverse

from hearth.core.models import AuditRecord
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/safety/",
    "/about/",
    "/sign-in/",
    "/password-reset/",
    "/password-reset/sent/",
]


def signed_in_pages(organization, network):
    return [
        "/my/",
        "/account/",
        "/account/password/",
        "/organizations/",
        "/organizations/new/",
        f"/organizations/{organization.slug}/",
        f"/organizations/{organization.slug}/edit/",
        f"/organizations/{organization.slug}/members/",
        f"/organizations/{organization.slug}/invitations/",
        f"/organizations/{organization.slug}/audit/",
        "/networks/",
        f"/networks/{network.slug}/",
        f"/networks/{network.slug}/edit/",
        f"/networks/{network.slug}/coordinators/",
        f"/networks/{network.slug}/audit/",
        f"/networks/{network.slug}/organizations/add/",
    ]


@pytest.fixture
def coordinator_admin(client, organization, network, make_member):
    from tests.factories import CoordinatorFactory

    user = make_member(organization, "admin")
    CoordinatorFactory(user=user, network=network)
    return sign_in(client, user)


def test_security_headers(client):
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client, coordinator_admin, organization, network):
    for url in PUBLIC_PAGES[:3] + signed_in_pages(organization, network):
        body = coordinator_admin.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert " style=" not in body, url
        assert "onclick" not in body, url


def test_signed_in_pages_are_not_cached(coordinator_admin):
    assert coordinator_admin.get("/my/")["Cache-Control"] == "no-store"


def test_cookies_are_secure_outside_debug():
    from django.conf import settings

    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_check_fails_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_quick_exit_link_ends_the_session_and_leaves(client, settings, organization, make_member):
    settings.HEARTH_QUICK_EXIT_URL = "https://weather.example/"
    sign_in(client, make_member(organization, "viewer", two_factor=False))

    response = client.get("/exit/")

    assert response.status_code == 302
    assert response["Location"] == "https://weather.example/"
    assert "cookies" in response["Clear-Site-Data"]
    assert client.get("/my/").status_code == 302
    assert AuditRecord.objects.filter(
        action="hearth.accounts.user.signed_out", detail__how="quick_exit"
    ).exists()


def test_quick_exit_beacon_ends_the_session(client, organization, make_member):
    sign_in(client, make_member(organization, "viewer", two_factor=False))

    response = client.post("/exit/end-session/")

    assert response.status_code == 204
    assert "_auth_user_id" not in client.session
    assert client.get("/my/").status_code == 302


def test_quick_exit_works_for_anonymous_visitors(client):
    assert client.get("/exit/").status_code == 302
    assert client.post("/exit/end-session/").status_code == 204


def assert_shell(body: str, language: str):
    assert f'<html lang="{language}"' in body
    assert 'class="govuk-skip-link"' in body
    assert "data-hearth-quick-exit-button" in body
    assert 'href="/exit/"' in body
    assert body.count("<h1") == 1
    # Forms need the browser to name Hearth to Hearth (CSRF), while the no-referrer header
    # keeps every other site from learning where a visitor came from.
    assert '<meta name="referrer" content="same-origin">' in body


def test_every_public_page_has_the_shell_in_both_languages(client):
    for url in PUBLIC_PAGES:
        english = client.get(url).content.decode()
        assert_shell(english, "en")
        client.cookies["hearth_language"] = "es"
        spanish = client.get(url).content.decode()
        assert_shell(spanish, "es")
        assert "Leave this site" in english
        assert "Leave this site" not in spanish, url
        del client.cookies["hearth_language"]


def test_every_signed_in_page_has_the_shell_in_both_languages(
    coordinator_admin, organization, network
):
    for url in signed_in_pages(organization, network):
        english = coordinator_admin.get(url)
        assert english.status_code == 200, url
        assert_shell(english.content.decode(), "en")
        coordinator_admin.cookies["hearth_language"] = "es"
        spanish = coordinator_admin.get(url).content.decode()
        assert_shell(spanish, "es")
        assert "Skip to main content" not in spanish, url
        del coordinator_admin.cookies["hearth_language"]


def test_the_language_switcher_works_without_javascript(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/safety/"})

    assert response.status_code == 302
    assert response["Location"] == "/safety/"
    assert '<html lang="es"' in client.get("/safety/").content.decode()


def test_not_found_pages_use_the_shell(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert_shell(response.content.decode(), "en")
    assert "Page not found" in response.content.decode()


def test_the_context_switcher_remembers_the_choice(
    client, organization, other_organization, make_member
):
    from tests.factories import MembershipFactory

    user = make_member(organization, "viewer", two_factor=False)
    MembershipFactory(user=user, organization=other_organization, role="viewer")
    sign_in(client, user)

    response = client.post(
        "/account/switch/", {"context": f"organization:{other_organization.slug}"}
    )

    assert response["Location"] == f"/organizations/{other_organization.slug}/"
    body = client.get("/my/").content.decode()
    assert f'<option value="organization:{other_organization.slug}" selected>' in body


def test_the_context_switcher_ignores_contexts_the_user_does_not_have(
    client, organization, other_organization, make_member
):
    sign_in(client, make_member(organization, "viewer", two_factor=False))

    client.post("/account/switch/", {"context": f"organization:{other_organization.slug}"})

    assert "hearth_context" not in client.session
