"""Check-ins in a real browser, against the demo network: a person completes a WHO-5 check-in
in their own pages, then the custom-form check-in their practitioner offered, skipping one
question (one the form marks required), and sees their progress chart, its table and their
answers; and a WHO-5 check-in with a skipped question is kept without a score.

The demo (`hearth demo`, hearth/outcomes/demo.py) enrols Sam River's Harbor House record in a
wellbeing program with a WHO-5 check-in due, after two earlier ones (36 % and 48 %), and Naomi
has offered Sam Harbor House's uploaded "Weekly check-in" (an XLSForm)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .helpers import ConsoleWatcher, assert_no_problems, check_page, describe, submit

pytestmark = pytest.mark.browser

PORTAL_NAME = "sam-river"
PORTAL_PASSPHRASE = "quiet-harbour-42"
REVEALING_WORDS = ("abuse", "shelter", "victim", "violence", "assault", "survivor", "trauma")


def portal_sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/me/sign-in/")
    page.locator("input[name=sign_in_name]").fill(PORTAL_NAME)
    page.locator("input[name=passphrase]").fill(PORTAL_PASSPHRASE)
    response = submit(page, "main form:has(input[name=passphrase]) button[type=submit]")
    assert urlsplit(page.url).path == "/me/", describe(page, response)


def assert_neutral_title(page) -> None:
    title = page.title().lower()
    for word in (*REVEALING_WORDS, "who-5", "wellbeing", "harbor"):
        assert word not in title, f"{page.url} has the title {page.title()!r}"


def start_who5(page, base: str):
    response = page.goto(f"{base}/me/check-ins/")
    assert response is not None and response.status == 200, describe(page, response)
    assert_neutral_title(page)
    section = page.locator("main section", has_text="Wellbeing circle")
    section.get_by_label("WHO-5 Well-Being Index").check()
    return submit(page, "main section:has-text('Wellbeing circle') button[type=submit]")


def test_a_person_completes_a_who5_and_a_custom_form_check_in_and_sees_their_progress(
    new_context, hearth_server
):
    base = hearth_server.url
    page = new_context().new_page()
    watcher = ConsoleWatcher(page)
    report: dict[str, list[str]] = {}

    # Given Sam River signs in to their own pages and opens their check-ins.
    portal_sign_in(page, base)
    page.get_by_role("link", name="My check-ins and progress").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/me/check-ins/"
    assert "Due now" in page.locator("main section", has_text="Wellbeing circle").inner_text()
    report["/me/check-ins/"] = check_page(page, watcher, lang="en")

    # When they start the WHO-5 that is due...
    response = start_who5(page, base)
    assert urlsplit(page.url).path.startswith("/me/check-ins/"), describe(page, response)
    assert_neutral_title(page)
    main = page.locator("main")
    assert "You can skip any question." in main.inner_text()
    assert page.locator("fieldset").count() == 5
    report["questionnaire"] = check_page(page, watcher, lang="en")

    # ...and answer every question "Most of the time" (4 of 5: 20 of 25, 80 %).
    for fieldset in page.locator("main fieldset").all():
        fieldset.get_by_label("Most of the time", exact=True).check()
    response = submit(page, "main form:has(fieldset) button[type=submit]")

    # Then they see their progress: a chart and a table with the new score marked.
    assert urlsplit(page.url).path == "/me/progress/", describe(page, response)
    assert_neutral_title(page)
    assert "Thank you. Your answers are saved." in main.inner_text()
    measure = page.locator("section[data-measure='who-5']")
    chart = measure.locator("svg[role=img]")
    assert chart.is_visible()
    assert chart.locator("title").text_content() == "WHO-5 Well-Being Index scores over time"
    description = chart.locator("desc").text_content()
    assert "36" in description and "48" in description
    assert "80 (Meaningful improvement)" in description
    assert chart.locator("[data-mark=improvement]").count() >= 2  # a point and the legend
    last = measure.locator("tbody tr").last.inner_text()
    assert "80" in last and "Meaningful improvement (+32)" in last
    assert "Wellbeing holding up" in last
    summary = measure.locator("[data-summary]").inner_text()
    assert "You have 3 scored WHO-5 check-ins" in summary
    assert "Your latest score is 80: Wellbeing holding up." in summary
    report["/me/progress/"] = check_page(page, watcher, lang="en")

    # When they continue the weekly check-in Naomi offered (a custom form)...
    page.goto(f"{base}/me/check-ins/")
    # (The axe crawl may have had Naomi offer it again: any one of them will do.)
    page.get_by_role("link", name="Continue the Weekly check-in check-in").first.click()
    page.wait_for_load_state()
    assert_neutral_title(page)
    assert "Weekly check-in" in main.inner_text()
    assert "A few questions about your week." in main.inner_text()
    assert page.get_by_label("What else helped?").count() == 0
    report["custom form"] = check_page(page, watcher, lang="en")
    page.get_by_label("Mixed", exact=True).check()
    page.get_by_label("On how many of the last 7 nights did you sleep well?").fill("5")
    page.get_by_label("Being outdoors").check()
    page.get_by_label("Something else").check()
    response = submit(page, "main form:has(fieldset) button[type=submit]")

    # ..."Something else" brings up its question on the server, nothing saved yet...
    assert urlsplit(page.url).path.startswith("/me/check-ins/"), describe(page, response)
    assert "Your answers brought up more questions." in main.inner_text()
    report["custom form, a question brought up"] = check_page(page, watcher, lang="en")
    page.get_by_label("What else helped?").fill("A walk by the river")
    # ...and they skip the last question, which the form marks required.
    assert page.get_by_label("Is there anything you would like us to know?").input_value() == ""
    response = submit(page, "main form:has(fieldset) button[type=submit]")

    # Then their progress shows the chart and table as before, and the form's answers with the
    # skipped question marked.
    assert urlsplit(page.url).path == "/me/progress/", describe(page, response)
    assert "Thank you. Your answers are saved." in main.inner_text()
    assert page.locator("section[data-measure='who-5'] svg[role=img]").is_visible()
    assert page.locator("section[data-measure='who-5'] tbody tr").count() == 3
    answers = page.locator("[data-form-check-ins] dl").first
    assert "Mixed" in answers.inner_text() and "A walk by the river" in answers.inner_text()
    assert "Being outdoors, Something else" in answers.inner_text()
    skipped = answers.locator("[data-skipped]")
    assert skipped.count() == 1
    assert "Is there anything you would like us to know?" in skipped.inner_text()
    assert "Skipped" in skipped.inner_text()
    report["/me/progress/ with a form"] = check_page(page, watcher, lang="en")
    assert_no_problems(report)


def test_without_javascript_a_skipped_question_is_kept_without_a_score(new_context, hearth_server):
    base = hearth_server.url
    page = new_context(javascript=False).new_page()

    portal_sign_in(page, base)
    start_who5(page, base)
    fieldsets = page.locator("main fieldset").all()
    # Answer the first question, change their mind and skip it; answer the rest but one.
    fieldsets[0].get_by_label("At no time", exact=True).check()
    fieldsets[0].get_by_label("Skip this question").check()
    for fieldset in fieldsets[1:4]:
        fieldset.get_by_label("Some of the time", exact=True).check()
    response = submit(page, "main form:has(fieldset) button[type=submit]")

    assert urlsplit(page.url).path == "/me/progress/", describe(page, response)
    main = page.locator("main").inner_text()
    assert "Because some questions were skipped, this check-in has no score" in main
    last = page.locator("section[data-measure='who-5'] tbody tr").last.inner_text()
    assert "Not scored" in last


def test_without_javascript_a_custom_form_brings_up_its_follow_up_on_the_server(
    new_context, hearth_server
):
    base = hearth_server.url
    page = new_context(javascript=False).new_page()

    portal_sign_in(page, base)
    page.goto(f"{base}/me/check-ins/")
    section = page.locator("main section", has_text="Wellbeing circle")
    section.get_by_label("Weekly check-in").check()
    submit(page, "main section:has-text('Wellbeing circle') button[type=submit]")
    assert page.get_by_label("What else helped?").count() == 0
    page.get_by_label("Something else").check()
    page.get_by_label("On how many of the last 7 nights did you sleep well?").fill("9")
    submit(page, "main form:has(fieldset) button[type=submit]")

    # The server brought up the follow-up and refused the number, in the error summary.
    assert page.get_by_label("What else helped?").count() == 1
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter a number from 0 to 7" in summary
    page.get_by_label("On how many of the last 7 nights did you sleep well?").fill("3")
    page.get_by_label("What else helped?").fill("Cooking with a friend")
    response = submit(page, "main form:has(fieldset) button[type=submit]")

    assert urlsplit(page.url).path == "/me/progress/", describe(page, response)
    latest = page.locator("[data-form-check-ins] dl").first.inner_text()
    assert "Cooking with a friend" in latest and "Something else" in latest
