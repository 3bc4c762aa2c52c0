"""Deciding together in a real browser, against the demo: a cooperative member raises a
proposal, another blocks it with a reason, the block is resolved by an amendment, consent is
reached and the outcome recorded.

The demo (hearth/governance/demo.py) has Willow Commons' members' circle with two members:
Leila Haddad, a counselor, and Hyun-woo Park, who facilitates. Hyun-woo's browser runs without
JavaScript: every step works with plain forms (axe-core needs JavaScript, so his pages get the
shell checks only; Leila's pages, the same templates, get axe as well)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from .helpers import (
    ConsoleWatcher,
    assert_no_problems,
    check_page,
    describe,
    shell_problems,
    submit,
)

pytestmark = pytest.mark.browser

MEMBER = "leila@hearth.example"
FACILITATOR = "hyunwoo@hearth.example"
CIRCLE = "/circles/willow-commons-members/"
TITLE = "Close the practice between Christmas and New Year"
BODY = "We close from 24 December to 1 January; clients get the crisis line's number."
AMENDED = (
    "We close from 24 December to 1 January; one of us is on call each day for existing "
    "clients, and everyone gets the crisis line's number."
)
BLOCK_REASON = "Clients in crisis would have nobody they know for nine days."
OUTCOME = "Agreed by both members after the amendment: closed with one of us on call each day."
RESPOND = "main form:has(input[name=action][value=respond]) button[type=submit]"


def open_page(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, describe(page, response)
    return response


def respond(page, position: str, reason: str = ""):
    page.locator(f"input[name=position][value={position}]").check()
    page.locator("textarea[name=reason]").fill(reason)
    return submit(page, RESPOND)


def test_a_member_proposes_another_blocks_an_amendment_resolves_it_and_the_outcome_is_recorded(
    new_context, signed_in_state, hearth_server
):
    base = hearth_server.url
    report: dict[str, list[str]] = {}
    member = new_context(storage_state=signed_in_state(MEMBER)).new_page()
    watcher = ConsoleWatcher(member)

    # Given Leila opens her cooperative's circle and raises a consensus proposal
    open_page(member, f"{base}{CIRCLE}")
    report["circle"] = check_page(member, watcher, lang="en")
    member.get_by_role("link", name="Raise a proposal").click()
    member.wait_for_load_state()
    report["raise a proposal"] = check_page(member, watcher, lang="en")
    member.locator("input[name=title]").fill(TITLE)
    member.locator("textarea[name=body]").fill(BODY)
    member.locator("input[name=process][value=consensus]").check()
    member.locator("input[name=closes_on]").fill((date.today() + timedelta(days=7)).isoformat())
    member.locator("input[name=closes_time]").fill("17:00")
    response = submit(member, "main form button[type=submit]")
    assert re.fullmatch(r"/proposals/[0-9a-f-]{36}/", urlsplit(member.url).path), describe(
        member, response
    )
    first_version = urlsplit(member.url).path
    assert member.locator("h1").inner_text() == TITLE
    assert member.locator("[data-hearth-status]").inner_text() == "Open"

    # When Hyun-woo (no JavaScript) blocks it, first without a reason, which is refused
    facilitator = new_context(
        javascript=False, storage_state=signed_in_state(FACILITATOR)
    ).new_page()
    open_page(facilitator, f"{base}{CIRCLE}")
    facilitator.get_by_role("link", name=TITLE).click()
    facilitator.wait_for_load_state()
    assert urlsplit(facilitator.url).path == first_version
    respond(facilitator, "block")
    summary = facilitator.locator(".govuk-error-summary").inner_text()
    assert "A block needs a reason" in summary, describe(facilitator)
    report["block refused (no JavaScript)"] = shell_problems(facilitator, lang="en")
    response = respond(facilitator, "block", BLOCK_REASON)
    assert "Your response is recorded." in facilitator.locator("main").inner_text(), describe(
        facilitator, response
    )

    # Then the proposal is held, with the reason, for Leila too
    open_page(member, f"{base}{first_version}")
    held = member.locator("[data-hearth-held]")
    assert BLOCK_REASON in held.inner_text() and "Hyun-woo Park" in held.inner_text()
    assert member.locator("[data-hearth-status]").inner_text() == "Held by a block or objection"
    report["held"] = check_page(member, watcher, lang="en")

    # When Leila amends it (an empty title is refused first)
    member.get_by_role("link", name="Amend the proposal").click()
    member.wait_for_load_state()
    report["amend"] = check_page(member, watcher, lang="en")
    member.locator("input[name=title]").fill("")
    submit(member, "main form button[type=submit]")
    assert "Give the proposal a title." in member.locator(".govuk-error-summary").inner_text()
    report["amend refused"] = check_page(member, watcher, lang="en")
    member.locator("input[name=title]").fill(TITLE)
    member.locator("textarea[name=body]").fill(AMENDED)
    response = submit(member, "main form button[type=submit]")
    second_version = urlsplit(member.url).path
    assert second_version != first_version, describe(member, response)
    # Then the new version is open, needs fresh responses, and the block went with the old one
    assert member.locator("[data-hearth-status]").inner_text() == "Open"
    assert member.locator("[data-hearth-held]").count() == 0
    main = member.locator("main").inner_text()
    assert "Version 2 (this one)" in main and "0 of 2 members" in main

    # When both agree to the amended version
    respond(member, "agree")
    open_page(facilitator, f"{base}{first_version}")
    assert "Replaced by an amended version" in facilitator.locator("main").inner_text()
    facilitator.get_by_role("link", name="Open the current version").click()
    facilitator.wait_for_load_state()
    assert urlsplit(facilitator.url).path == second_version
    history = facilitator.locator("[data-hearth-own-history]")
    assert history.count() == 0  # a fresh version: Hyun-woo's block stays with the old one
    respond(facilitator, "agree")
    assert "2 of 2 members" in facilitator.locator("main").inner_text()
    report["consent reached (no JavaScript)"] = shell_problems(facilitator, lang="en")

    # And Hyun-woo, the facilitator, records the outcome with a review date
    facilitator.locator("textarea[name=outcome]").fill(OUTCOME)
    review = (date.today() + timedelta(days=180)).isoformat()
    facilitator.locator("input[name=review_at]").fill(review)
    response = submit(facilitator, "main form:has(input[value=outcome]) button[type=submit]")
    assert "The outcome is recorded." in facilitator.locator("main").inner_text(), describe(
        facilitator, response
    )

    # Then Leila sees the decision, its review date, and the closed proposal in the circle
    open_page(member, f"{base}{second_version}")
    outcome = member.locator("[data-hearth-outcome]").inner_text()
    assert OUTCOME in outcome and "Recorded by Hyun-woo Park, facilitator." in outcome
    assert member.locator("[data-hearth-status]").inner_text() == "Closed"
    results = member.locator("[data-hearth-results]").inner_text()
    assert re.search(r"Agree\s+2", results), results
    report["outcome"] = check_page(member, watcher, lang="en")
    open_page(member, f"{base}{CIRCLE}")
    earlier = member.locator("h2#closed-proposals ~ table").inner_text()
    assert TITLE in earlier and "Closed" in earlier
    assert_no_problems(report)


COALITION = "/circles/riverbend-valley-coalition/"
COALITION_FACILITATOR = "amara@hearth.example"
NEWCOMER = "river.stone@example.org"


def test_a_facilitator_invites_a_community_member_without_an_account_who_joins_by_the_link(
    new_context, signed_in_state, hearth_server
):
    base = hearth_server.url
    report: dict[str, list[str]] = {}
    facilitator = new_context(storage_state=signed_in_state(COALITION_FACILITATOR)).new_page()
    watcher = ConsoleWatcher(facilitator)

    # Given Amara opens the coalition, which leads to its budgeting rounds and back
    open_page(facilitator, f"{base}{COALITION}")
    facilitator.get_by_role("link", name="Participatory budgeting rounds").click()
    facilitator.wait_for_load_state()
    assert urlsplit(facilitator.url).path == f"{COALITION}budgeting/", describe(facilitator)
    report["budgeting rounds"] = check_page(facilitator, watcher, lang="en")
    facilitator.locator(".govuk-back-link").click()
    facilitator.wait_for_load_state()
    assert urlsplit(facilitator.url).path == COALITION

    # When she adds the address of someone who has no Hearth account
    facilitator.get_by_role("link", name="Add or remove members").click()
    facilitator.wait_for_load_state()
    facilitator.locator("input[name=email]").fill(NEWCOMER)
    log_offset = hearth_server.log_size()
    response = submit(facilitator, "main form:has(input[value=add]) button[type=submit]")
    # Then an invitation link is e-mailed and waits on the members page
    assert "we have e-mailed them an invitation link" in facilitator.locator("main").inner_text(), (
        describe(facilitator, response)
    )
    assert NEWCOMER in facilitator.locator("[data-hearth-invitations]").inner_text()
    report["members, an invitation waiting"] = check_page(facilitator, watcher, lang="en")
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)/", hearth_server.log_since(log_offset))
    assert token is not None, hearth_server.log_tail()

    # When the newcomer opens the link, makes an account and joins
    newcomer = new_context().new_page()
    newcomer_watcher = ConsoleWatcher(newcomer)
    open_page(newcomer, f"{base}/invitations/{token.group(1)}/")
    assert newcomer.locator("h1").inner_text() == "Join Riverbend Valley coalition"
    report["invitation"] = check_page(newcomer, newcomer_watcher, lang="en")
    newcomer.locator("input[name=full_name]").fill("River Stone")
    newcomer.locator("input[name=password]").fill("a long river of quiet words")
    response = submit(newcomer, "main form button[type=submit]")
    # Then they are in the circle, with no staff role, and the menu offers their circles
    assert urlsplit(newcomer.url).path == COALITION, describe(newcomer, response)
    assert "River Stone" in newcomer.locator("[data-hearth-members]").inner_text()
    menu = newcomer.get_by_role("region", name="Site menu")
    assert menu.get_by_role("link", name="Circles").count() == 1
    report["circle, as its new member"] = check_page(newcomer, newcomer_watcher, lang="en")
    assert_no_problems(report)
