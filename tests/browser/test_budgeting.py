"""Participatory budgeting in a real browser, against the demo: a community member votes in a
budgeting round and sees the explained results.

The demo (hearth/governance/demo_budget.py) opens the lived-experience advisory board's
"Wellbeing micro-grants" round for voting (at least 1, at most 2 projects); Sam and Mei-Lin have
voted, Jordan Ellis — a community member without a staff role — has not."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .helpers import ConsoleWatcher, assert_no_problems, check_page, describe, sign_in, submit

pytestmark = pytest.mark.browser

JORDAN = "jordan@hearth.example"
SAM = "sam@hearth.example"
CIRCLE = "/circles/lived-experience-advisory-board/budgeting/"


def open_round(page, base: str) -> str:
    response = page.goto(f"{base}{CIRCLE}")
    assert response is not None and response.status == 200, describe(page, response)
    page.get_by_role("link", name="Wellbeing micro-grants").click()
    page.wait_for_load_state()
    return urlsplit(page.url).path


def test_a_community_member_votes_in_a_budgeting_round_and_sees_the_explained_results(
    new_context, hearth_server
):
    base = hearth_server.url
    page = new_context().new_page()
    watcher = ConsoleWatcher(page)
    report: dict[str, list[str]] = {}

    # Given Jordan, a community member of the advisory board, opens the round that is voting
    sign_in(page, base, JORDAN)
    round_path = open_round(page, base)
    assert page.locator("[data-hearth-round-status]").inner_text() == "Voting"
    report["round"] = check_page(page, watcher, lang="en")

    # When they approve three projects, the ballot is refused with the rule named
    page.get_by_label("Quiet room cushions and lamps", exact=False).check()
    page.get_by_label("Childcare during advisory meetings", exact=False).check()
    page.get_by_label("Phone credit for people without data", exact=False).check()
    response = submit(page, "main form:has(input[name=projects]) button[type=submit]")
    assert urlsplit(page.url).path == round_path, describe(page, response)
    assert "Choose at most 2 projects." in page.locator(".govuk-error-summary").inner_text()
    report["refused ballot"] = check_page(page, watcher, lang="en")

    # And with two, it is saved
    page.get_by_label("Quiet room cushions and lamps", exact=False).uncheck()
    response = submit(page, "main form:has(input[name=projects]) button[type=submit]")
    assert "Your ballot is saved" in page.locator("main").inner_text(), describe(page, response)
    assert page.locator("[data-hearth-own-ballot]").is_visible()

    # When Sam, the board's facilitator, closes the vote
    facilitator = new_context().new_page()
    sign_in(facilitator, base, SAM)
    facilitator.goto(f"{base}{round_path}")
    response = submit(facilitator, "main form[action$='/close/'] button[type=submit]")
    assert urlsplit(facilitator.url).path.endswith("/results/"), describe(facilitator, response)

    # Then Jordan sees the results, each project with why it was or was not funded
    page.goto(f"{base}{round_path}")
    page.locator("[data-hearth-results-link]").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"{round_path}results/"
    summary = page.locator("[data-hearth-results-summary]").inner_text()
    assert "from 3 ballots of 4 members who could vote" in summary
    rows = page.locator("table[data-hearth-results] tbody tr")
    assert rows.count() == 4
    # Childcare was approved by all three voters: funded first by equal shares
    childcare = page.locator("tr", has_text="Childcare during advisory meetings")
    assert "Funded" in childcare.inner_text()
    assert "Funded in round 1 of equal shares: its 3 supporters paid 300.00 each." in (
        childcare.locator("[data-hearth-why]").inner_text()
    )
    for row in rows.all():
        why = row.locator("[data-hearth-why]").inner_text()
        assert why.startswith(("Funded", "Not funded")), why
    assert page.locator("[data-hearth-comparison]").inner_text()
    report["results"] = check_page(page, watcher, lang="en")
    assert_no_problems(report)
