"""Closed-loop referrals in a real browser, against the demo network: a practitioner finds a
service and refers a person with them, the receiving organization accepts, they talk, it is
completed, and the person follows it in their own pages; and a person asks a service from the
public directory to contact them, without an account.

The demo (`hearth demo`) holds Sam River at Harbor House (hearth/people/demo.py), with their own
sign-in "sam-river" / "quiet-harbour-42"; Valley Legal Aid (a member organization) lists "Help
with protection orders" in the directory."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .helpers import ConsoleWatcher, assert_no_problems, check_page, describe, submit

pytestmark = pytest.mark.browser

PORTAL_NAME = "sam-river"
PORTAL_PASSPHRASE = "quiet-harbour-42"
PERSON = "Sam River"
REFERRER = "naomi@hearth.example"  # practitioner at Harbor House, which holds Sam River
RECEIVER = "david@hearth.example"  # practitioner at Valley Legal Aid
SERVICE = "Help with protection orders"
RECEIVING_ORGANIZATION = "Riverbend Valley Legal Aid"
SUMMARY = "Sam would like help understanding the protection order; e-mail on weekdays is best."
MESSAGE = "We can meet on Tuesday at 10:00 in a private room."
REVEALING_WORDS = ("abuse", "shelter", "victim", "violence", "assault", "survivor", "trauma")


def demo_has_portal_account() -> bool:
    spec = importlib.util.find_spec("hearth.people.demo")
    if spec is None or spec.origin is None:
        return False
    return PORTAL_NAME in Path(spec.origin).read_text(encoding="utf-8")


def open_page(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, describe(page, response)
    return response


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_search_refer_accept_message_complete_and_the_person_follows_it(
    new_context, signed_in_state, hearth_server
):
    if not demo_has_portal_account():
        pytest.skip(
            f"the demo has no person {PERSON!r} with the portal sign-in {PORTAL_NAME!r} yet "
            "(hearth/people/demo.py, loaded by `hearth demo`): nobody to refer"
        )
    base = hearth_server.url
    report: dict[str, list[str]] = {}

    # Given the practitioner at Harbor House finds Sam River's record.
    page = new_context(storage_state=signed_in_state(REFERRER)).new_page()
    watcher = ConsoleWatcher(page)
    open_page(page, f"{base}/organizations/harbor-house/people/?q={PERSON}")
    page.locator("main a", has_text=PERSON).first.click()
    page.wait_for_load_state()

    # When they choose "Refer to a service" and search the directory with Sam...
    page.locator("main a", has_text="Refer to a service").click()
    page.wait_for_load_state()
    report["refer: choose a service"] = check_page(page, watcher, lang="en")
    page.locator("input[name=q]").fill("protection orders")
    submit(page, "main form[role=search] button[type=submit]")
    card = page.locator(".hearth-card", has_text=SERVICE).first
    assert card.count() == 1, f"{SERVICE!r} is not among the results on {describe(page)}"
    report["refer: search results"] = check_page(page, watcher, lang="en")
    card.locator("a", has_text="Choose").click()
    page.wait_for_load_state()

    # ...choose together what travels, and send it.
    assert "Saying no never affects the help they get." in main_text(page)
    report["refer: the form"] = check_page(page, watcher, lang="en")
    page.locator("input[name=categories][value=needs]").check()
    page.locator("textarea[name=summary]").fill(SUMMARY)
    page.locator("input[name=attestation]").fill("Sam agreed in person, after reading it.")
    submit(page, "main form:has(input[name=attestation]) button[type=submit]")

    # Then the referral is waiting for an answer, and the sender cannot read what travelled.
    path = urlsplit(page.url).path
    match = re.fullmatch(r"/referrals/([0-9a-f-]{36})/", path)
    assert match, f"sending the referral ended on {describe(page)}"
    referral_id = match.group(1)
    assert page.locator("[data-hearth-status]").get_attribute("data-hearth-status") == "requested"
    assert SUMMARY not in main_text(page)
    report["referral: the sender's view"] = check_page(page, watcher, lang="en")

    # When Valley Legal Aid opens it (from the notification) and accepts it...
    receiver = new_context(storage_state=signed_in_state(RECEIVER)).new_page()
    receiver_watcher = ConsoleWatcher(receiver)
    open_page(receiver, f"{base}/notifications/")
    receiver.locator(f"main a[href='/referrals/{referral_id}/']").first.click()
    receiver.wait_for_load_state()
    assert PERSON in main_text(receiver) and SUMMARY in main_text(receiver)
    report["referral: the receiver's view"] = check_page(receiver, receiver_watcher, lang="en")
    receiver.locator("input[name=to_status][value=accepted]").check()
    submit(receiver, "main form:has(input[name=action][value=status]) button[type=submit]")
    status = receiver.locator("[data-hearth-status]").get_attribute("data-hearth-status")
    assert status == "accepted", describe(receiver)

    # ...writes to the referring organization...
    receiver.locator("textarea[name=body]").fill(MESSAGE)
    submit(receiver, "main form:has(input[name=action][value=message]) button[type=submit]")
    assert MESSAGE in main_text(receiver)

    # ...and, once they have met, completes it.
    receiver.locator("input[name=to_status][value=completed]").check()
    submit(receiver, "main form:has(input[name=action][value=status]) button[type=submit]")
    status = receiver.locator("[data-hearth-status]").get_attribute("data-hearth-status")
    assert status == "completed", describe(receiver)
    assert "Nothing more can be changed from your side." in main_text(receiver)
    report["referral: completed"] = check_page(receiver, receiver_watcher, lang="en")

    # Then the referring organization sees the loop closed and the message.
    open_page(page, f"{base}/referrals/{referral_id}/")
    assert page.locator("[data-hearth-status]").get_attribute("data-hearth-status") == "completed"
    assert MESSAGE in main_text(page)

    # And Sam River, in their own pages, sees where it went and that it is done.
    person = new_context().new_page()
    person_watcher = ConsoleWatcher(person)
    person.goto(f"{base}/me/sign-in/")
    person.locator("input[name=sign_in_name]").fill(PORTAL_NAME)
    person.locator("input[name=passphrase]").fill(PORTAL_PASSPHRASE)
    submit(person, "main form:has(input[name=passphrase]) button[type=submit]")
    assert urlsplit(person.url).path == "/me/", f"the person's sign-in ended on {describe(person)}"
    open_page(person, f"{base}/me/referrals/")
    assert person.locator(f"main a[href='/me/referrals/{referral_id}/']").count() == 1
    report["/me/referrals/"] = check_page(person, person_watcher, lang="en")
    open_page(person, f"{base}/me/referrals/{referral_id}/")
    title = person.title().lower()
    assert not any(word in title for word in REVEALING_WORDS), person.title()
    assert person.locator("[data-hearth-status]").get_attribute("data-hearth-status") == (
        "completed"
    )
    assert RECEIVING_ORGANIZATION in main_text(person)
    assert MESSAGE in main_text(person)
    report["/me/referrals/<id>/"] = check_page(person, person_watcher, lang="en")
    assert_no_problems(report)


def test_a_person_asks_a_service_in_the_directory_to_contact_them(new_context, hearth_server):
    page = new_context().new_page()
    watcher = ConsoleWatcher(page)
    report: dict[str, list[str]] = {}

    # Given a person finds a service in the public directory, without signing in.
    open_page(page, f"{hearth_server.url}/find/?q=protection+orders")
    page.locator(".hearth-results a", has_text=SERVICE).first.click()
    page.wait_for_load_state()

    # When they ask it to contact them...
    page.locator("main a", has_text="Ask this service to contact me").click()
    page.wait_for_load_state()
    assert page.locator("[data-hearth-quick-exit-button]").is_visible()
    report["contact me: the form"] = check_page(page, watcher, lang="en")
    submit(page, "main form:has(input[name=chosen_name]) button[type=submit]")
    assert page.locator(".govuk-error-summary").count() == 1, describe(page)
    assert "Enter a name they can call you." in main_text(page)
    report["contact me: errors"] = check_page(page, watcher, lang="en")

    page.locator("input[name=chosen_name]").fill("Wren")
    page.locator("input[name=safe_channels][value=email]").check()
    page.locator("input[name=email]").fill("wren.hollow@mail.example")
    page.locator("input[name=safe_days][value=mon]").check()
    page.locator("input[name=safe_days][value=wed]").check()
    page.locator("textarea[name=message]").fill("Weekday mornings, please.")
    submit(page, "main form:has(input[name=chosen_name]) button[type=submit]")

    # Then a neutral page confirms it, echoing nothing back.
    assert urlsplit(page.url).path == "/find/contact-me/sent/", describe(page)
    text = main_text(page)
    assert "Wren" not in text and "wren.hollow" not in text and SERVICE not in text
    report["contact me: sent"] = check_page(page, watcher, lang="en")
    assert_no_problems(report)


def test_the_referral_pages_work_without_javascript(new_context, signed_in_state, hearth_server):
    pages = [
        ("/organizations/harbor-house/referrals/", REFERRER),
        ("/organizations/valley-legal-aid/referrals/", RECEIVER),
        ("/networks/riverbend-valley/referrals/?days=365", "amara@hearth.example"),
        ("/notifications/", RECEIVER),
    ]
    report = {}
    for path, email in pages:
        context = new_context(javascript=False, storage_state=signed_in_state(email))
        page = context.new_page()
        response = page.goto(f"{hearth_server.url}{path}")
        problems = []
        if response is None or response.status != 200:
            problems.append(f"HTTP {response.status if response else None}")
        if page.locator("h1").count() != 1:
            problems.append("expected one h1")
        report[path] = problems
    assert_no_problems(report)
