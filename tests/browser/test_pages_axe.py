"""Smoke test: every page each demo role can reach is accessible (axe-core), has one h1, the
right language, a visible quick exit and a skip link, and logs no console errors (CSP
violations included)."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest

from .helpers import (
    ROLES,
    ConsoleWatcher,
    assert_no_problems,
    check_page,
    crawl,
    describe,
    shell_problems,
    sign_in,
    submit,
)

pytestmark = pytest.mark.browser

MAX_PAGES = int(os.environ.get("HEARTH_BROWSER_MAX_PAGES", "80"))
# How many URLs of the same view (organization pages, member pages, ...) to check per role;
# 0 checks every one (still within MAX_PAGES).
PER_SHAPE = int(os.environ.get("HEARTH_BROWSER_PER_VIEW", "3"))

# Searches whose results lead to service and organization pages, the confidential shelter's too.
DIRECTORY_STARTS = ["/find/?q=help", "/find/?q=shelter", "/find/?near=Millbrook&open_now=on"]

# Pages of keeping listings current that each role reaches first, so the crawl gets to their
# forms (opening hours, languages, costs, locations, claims) before it runs out of pages.
KEEPER_STARTS = {
    "coordinator": [
        "/organizations/riverbend-valley-hub/listings/",
        "/organizations/riverbend-valley-hub/listings/claim/",
        "/networks/riverbend-valley/stale-listings/",
        "/networks/riverbend-valley/listing-claims/",
    ],
    "practitioner": ["/organizations/harbor-house/listings/"],
}

# Referral pages each role reaches first: its organization's referrals (whose links lead to each
# referral, the form to change its status and the conversation), the network's figures, and the
# notification centre.
REFERRAL_STARTS = {
    "coordinator": ["/networks/riverbend-valley/referrals/", "/notifications/"],
    "practitioner": ["/organizations/harbor-house/referrals/", "/notifications/"],
    "peer-supporter": ["/organizations/kindred-peer-network/referrals/"],
}

# Outcomes pages each role reaches first: programs and their reports, custom forms (upload,
# list, preview), the standards self-assessment (the organization's, a new one, the network's),
# safety follow-ups and the public impact page with its DHIS2 links. Sam River's check-ins and
# the custom-form questionnaire Naomi offered them (demo) are found by links before the crawl
# (`outcomes_starts`): their addresses hold ids.
OUTCOMES_STARTS = {
    "anonymous": ["/impact/riverbend-valley/"],
    "coordinator": [
        "/organizations/riverbend-valley-hub/programs/",
        "/organizations/riverbend-valley-hub/forms/",
        "/organizations/riverbend-valley-hub/self-assessment/",
        "/organizations/riverbend-valley-hub/self-assessment/new/",
        "/networks/riverbend-valley/self-assessment/",
        "/impact/riverbend-valley/",
    ],
    "practitioner": [
        "/organizations/harbor-house/self-assessment/",
        "/organizations/harbor-house/safety-alerts/",
    ],
}
PERSON_LINK = re.compile(r"/organizations/harbor-house/people/[0-9a-f-]{36}/$")
CHECK_IN_LINK = re.compile(
    r"/organizations/harbor-house/people/[0-9a-f-]{36}/check-ins/[0-9a-f-]{36}/$"
)


def outcomes_starts(page, base: str, role: str) -> list[str]:
    """The role's outcomes start pages; for the practitioner also Sam River's check-ins, their
    progress and the custom-form check-in offered to them, found by following links."""
    starts = list(OUTCOMES_STARTS.get(role, []))
    if role != "practitioner":
        return starts
    page.goto(f"{base}/organizations/harbor-house/people/?q=Sam+River")
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    record = next(urlsplit(href).path for href in hrefs if PERSON_LINK.search(href))
    page.goto(f"{base}{record}check-ins/")
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    offered = [urlsplit(href).path for href in hrefs if CHECK_IN_LINK.search(href)][:1]
    if not offered:
        # Sam already answered the one the demo offered (tests/browser/test_checkins.py): Naomi
        # offers the weekly check-in again, as she would.
        start = page.locator("main form[action$='/check-ins/start/']")
        start.get_by_label("Weekly check-in").check()
        submit(page, "main form[action$='/check-ins/start/'] button[type=submit]")
        offered = [urlsplit(page.url).path]
    assert CHECK_IN_LINK.search(offered[0]), f"no check-in to answer from {record}check-ins/"
    return [*starts, f"{record}check-ins/", f"{record}progress/", *offered]


CRAWLS = [(role, "en") for role in ROLES] + [("anonymous", "es"), ("coordinator", "es")]


@pytest.mark.parametrize(("role", "lang"), CRAWLS, ids=[f"{role}-{lang}" for role, lang in CRAWLS])
def test_every_reachable_page(role, lang, new_context, signed_in_state, hearth_server):
    email = ROLES[role]
    if email is None:
        context = new_context(lang=lang)
        start = ["/", "/my/", *DIRECTORY_STARTS]
    else:
        context = new_context(lang=lang, storage_state=signed_in_state(email))
        start = [
            "/my/",
            *KEEPER_STARTS.get(role, []),
            *REFERRAL_STARTS.get(role, []),
            *DIRECTORY_STARTS,
        ]
    page = context.new_page()
    outcomes = outcomes_starts(page, hearth_server.url, role)
    start = [*start[:1], *outcomes, *start[1:]]
    watcher = ConsoleWatcher(page)
    result = crawl(
        page,
        watcher,
        hearth_server.url,
        start,
        lang=lang,
        max_pages=MAX_PAGES,
        per_shape=PER_SHAPE,
    )
    print(f"\n{role}-{lang}: checked {len(result.visited)} pages")
    for label in result.visited:
        print(f"  {label}")
    if result.truncated:
        print(f"  (stopped at {MAX_PAGES} pages)")
    assert len(result.visited) >= 3, f"the crawl found almost nothing: {result.visited}"
    if email is not None:
        assert "/my/" in result.visited, (
            f"the signed-in session did not open /my/: {result.visited}"
        )
    visited = {label.split(" -> ")[0] for label in result.visited}
    assert not [path for path in outcomes if path not in visited], (
        f"the crawl did not check every outcomes page: {sorted(set(outcomes) - visited)}"
    )
    assert_no_problems(result.report)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_sign_in_and_error_states(lang, new_context, hearth_server):
    """States the crawl cannot reach by links: form errors and the 404 page."""
    context = new_context(lang=lang)
    page = context.new_page()
    watcher = ConsoleWatcher(page)
    report = {}

    page.goto("/sign-in/")
    response = submit(page, "main form button[type=submit]")
    assert page.locator(".govuk-error-summary").count() == 1, (
        f"empty sign-in form: no error summary on {describe(page, response)}"
    )
    report["/sign-in/ submitted empty"] = check_page(page, watcher, lang=lang)

    page.goto("/sign-in/")
    page.locator("input[name=email]").fill("nobody@hearth.example")
    page.locator("input[name=password]").fill("not-the-password")
    response = submit(page, "main form button[type=submit]")
    assert page.locator(".govuk-error-summary").count() == 1, (
        f"wrong password: no error summary on {describe(page, response)}"
    )
    report["/sign-in/ with a wrong password"] = check_page(page, watcher, lang=lang)

    response = page.goto("/this-page-does-not-exist/")
    assert response is not None and response.status == 404
    # Chromium logs the 404 of the document itself as a console error; that one is expected.
    report["/this-page-does-not-exist/ (404)"] = check_page(
        page, watcher, lang=lang, ignore_console=["status of 404"]
    )

    assert_no_problems(report)


@pytest.mark.parametrize(
    ("email", "lang"),
    [("david@hearth.example", "en"), ("lucia@hearth.example", "es")],
    ids=["en", "es"],
)
def test_two_factor_page(email, lang, new_context, hearth_server):
    """The code page met while signing in (Lucía prefers Spanish: signing in switches to it)."""
    context = new_context()
    page = context.new_page()
    watcher = ConsoleWatcher(page)
    report = {}

    def check(two_factor_page):
        report["/sign-in/two-factor/"] = check_page(two_factor_page, watcher, lang=lang)

    sign_in(page, hearth_server.url, email, on_two_factor=check)
    assert report, f"{email} was not asked for a two-factor code"
    assert_no_problems(report)


NO_JS_PAGES = [
    ("/", None),
    ("/sign-in/", None),
    ("/safety/", None),
    ("/my/", "amara@hearth.example"),
    ("/organizations/riverbend-valley-hub/", "amara@hearth.example"),
    ("/networks/riverbend-valley/", "amara@hearth.example"),
    ("/organizations/harbor-house/people/", "naomi@hearth.example"),
    ("/organizations/harbor-house/people/new/", "naomi@hearth.example"),
    ("/organizations/harbor-house/people/emergency/", "naomi@hearth.example"),
    ("/organizations/harbor-house/people/consents-received/", "naomi@hearth.example"),
    ("/organizations/harbor-house/referrals/", "naomi@hearth.example"),
    ("/networks/riverbend-valley/referrals/", "amara@hearth.example"),
    ("/notifications/", "naomi@hearth.example"),
    ("/find/contact-me/sent/", None),
    ("/impact/riverbend-valley/", None),
    ("/organizations/riverbend-valley-hub/forms/", "amara@hearth.example"),
    ("/organizations/riverbend-valley-hub/self-assessment/", "amara@hearth.example"),
    ("/organizations/riverbend-valley-hub/self-assessment/new/", "amara@hearth.example"),
    ("/networks/riverbend-valley/self-assessment/", "amara@hearth.example"),
]


@pytest.mark.parametrize(("path", "email"), NO_JS_PAGES, ids=[path for path, _ in NO_JS_PAGES])
def test_works_without_javascript(path, email, new_context, signed_in_state, hearth_server):
    state = signed_in_state(email) if email else None
    context = new_context(javascript=False, storage_state=state)
    page = context.new_page()
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: HTTP {response.status}"
    assert page.url == hearth_server.url + path, f"{path} redirected to {page.url}"
    problems = shell_problems(page, lang="en")
    href = page.locator("[data-hearth-quick-exit-button]").first.get_attribute("href") or ""
    if not href.endswith("/exit/"):
        problems.append(f"the quick-exit link's href is {href!r}, not .../exit/")
    assert_no_problems({path: problems})
