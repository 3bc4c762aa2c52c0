"""The person's own pages in a real browser, against the demo network.

The demo (`hearth demo`, hearth/people/demo.py) has a person held by two organizations, with their
own sign-in "sam-river" / "quiet-harbour-42" and a live consent to a second organization."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hearth.accounts import demo_data

from .helpers import ConsoleWatcher, assert_no_problems, check_page, describe, submit

pytestmark = pytest.mark.browser

PORTAL_NAME = "sam-river"
PORTAL_PASSPHRASE = "quiet-harbour-42"
STAFF_ROLES = ("admin", "practitioner", "peer_supporter")
# The staff page another engineer builds for reading a record shared under a consent.
SHARED_VIEW = "/organizations/{slug}/people/shared/{person}/"
REVEALING_WORDS = ("abuse", "shelter", "victim", "violence", "assault", "survivor", "trauma")


def demo_has_portal_account() -> bool:
    spec = importlib.util.find_spec("hearth.people.demo")
    if spec is None or spec.origin is None:
        return False
    return PORTAL_NAME in Path(spec.origin).read_text(encoding="utf-8")


def staff_of(slug: str) -> tuple[str, str] | None:
    """A demo account (e-mail, full name) whose role in `slug` reads people's records."""
    for spec in demo_data.USERS:
        for organization, role in spec["memberships"]:
            if organization == slug and role in STAFF_ROLES:
                return spec["email"], spec["full_name"]
    return None


def shared_view_exists(slug: str, person: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(SHARED_VIEW.format(slug=slug, person=person))
    except Resolver404:
        return False
    return True


def assert_neutral_title(page) -> None:
    title = page.title().lower()
    for word in REVEALING_WORDS:
        assert word not in title, f"{page.url} has the title {page.title()!r}"


def open_page(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, describe(page, response)
    return response


def portal_sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/me/sign-in/")
    page.locator("input[name=sign_in_name]").fill(PORTAL_NAME)
    page.locator("input[name=passphrase]").fill(PORTAL_PASSPHRASE)
    response = submit(page, "main form:has(input[name=passphrase]) button[type=submit]")
    path = urlsplit(page.url).path
    assert path == "/me/", f"signing in as {PORTAL_NAME} ended on {describe(page, response)}"


def test_portal_sign_in_and_a_dead_link_pass_the_page_checks(context, hearth_server):
    """Needs no demo person: the pages anyone can reach."""
    page = context.new_page()
    watcher = ConsoleWatcher(page)
    report = {}
    open_page(page, f"{hearth_server.url}/me/sign-in/")
    assert_neutral_title(page)
    report["/me/sign-in/"] = check_page(page, watcher, lang="en")

    page.locator("input[name=sign_in_name]").fill("nobody-at-all")
    page.locator("input[name=passphrase]").fill("not the passphrase")
    submit(page, "main form:has(input[name=passphrase]) button[type=submit]")
    assert "The sign-in name or passphrase is not right." in page.locator("main").inner_text()
    report["/me/sign-in/ (error)"] = check_page(page, watcher, lang="en")

    response = page.goto(f"{hearth_server.url}/me/join/no-such-link/")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "This link no longer works"
    assert_neutral_title(page)
    report["/me/join/<dead>/"] = check_page(page, watcher, lang="en", ignore_console=["404"])
    assert_no_problems(report)


def test_a_person_sees_who_looked_withdraws_a_consent_and_the_other_organization_loses_access(
    new_context, hearth_server, signed_in_state
):
    if not demo_has_portal_account():
        pytest.skip(
            f"the demo has no portal sign-in {PORTAL_NAME!r} yet (hearth/people/demo.py, "
            "loaded by `hearth demo`): nothing to sign in as"
        )
    base = hearth_server.url
    person_context = new_context()
    page = person_context.new_page()
    watcher = ConsoleWatcher(page)
    report: dict[str, list[str]] = {}

    # Given the person signs in to their own pages.
    portal_sign_in(page, base)
    assert_neutral_title(page)
    records = page.locator("main section[data-record]").count()
    assert records >= 2, f"the demo person should have records at two organizations, not {records}"
    report["/me/"] = check_page(page, watcher, lang="en")

    # And has a live consent to a second organization.
    open_page(page, f"{base}/me/consents/")
    report["/me/consents/"] = check_page(page, watcher, lang="en")
    live = page.locator("[data-consent][data-status=live][data-recipient]")
    assert live.count() >= 1, "the demo person should have a live consent to one organization"
    card = live.first
    consent_id = card.get_attribute("data-consent")
    person_id = card.get_attribute("data-person")
    recipient = card.get_attribute("data-recipient")
    purpose = card.get_attribute("data-purpose")
    staff = staff_of(recipient)
    if staff is None:
        pytest.skip(f"no demo staff account reads records at {recipient}")
    staff_email, staff_name = staff
    shared_url = SHARED_VIEW.format(slug=recipient, person=person_id) + f"?purpose={purpose}"
    has_shared_view = shared_view_exists(recipient, person_id)

    # When staff of that organization open the shared record (while the consent is live)...
    staff_context = new_context(storage_state=signed_in_state(staff_email))
    staff_page = staff_context.new_page()
    before = staff_page.goto(f"{base}{shared_url}")
    if has_shared_view:
        assert before is not None and before.status == 200, describe(staff_page, before)

    # ...the person sees who looked at their information.
    open_page(page, f"{base}/me/history/")
    assert_neutral_title(page)
    history = page.locator("[data-hearth-history]")
    assert history.locator("[data-hearth-history-line]").count() >= 1
    if has_shared_view:
        assert staff_name in history.inner_text(), f"{staff_name} is not in the history"
    report["/me/history/"] = check_page(page, watcher, lang="en")

    # When the person withdraws the consent, confirming it (and any other live consent that lets
    # the same organization read for the same purpose, such as the one a referral recorded)...
    open_page(page, f"{base}/me/consents/")
    same = page.locator(
        f"[data-consent][data-status=live][data-recipient='{recipient}']"
        f"[data-person='{person_id}'][data-purpose='{purpose}']"
    )
    others = [same.nth(n).get_attribute("data-consent") for n in range(same.count())]
    for number, withdrawing in enumerate([consent_id, *(c for c in others if c != consent_id)]):
        open_page(page, f"{base}/me/consents/")
        submit(page, f"[data-consent='{withdrawing}'] [data-hearth-withdraw]")
        assert urlsplit(page.url).path == f"/me/consents/{withdrawing}/withdraw/"
        assert_neutral_title(page)
        if number == 0:
            report["withdraw (confirm)"] = check_page(page, watcher, lang="en")
        submit(page, "[data-hearth-confirm-withdraw]")

        # ...then their pages show it withdrawn...
        assert urlsplit(page.url).path == "/me/consents/"
        withdrawn = page.locator(f"[data-consent='{withdrawing}']")
        assert withdrawn.get_attribute("data-status") == "withdrawn"
    assert re.search(r"Withdrawn\.", page.locator("main").inner_text())
    report["/me/consents/ (after)"] = check_page(page, watcher, lang="en")

    # ...and the other organization has lost access at once: "not found", like any missing page.
    after = staff_page.goto(f"{base}{shared_url}")
    assert after is not None and after.status == 404, describe(staff_page, after)
    assert_no_problems(report)
