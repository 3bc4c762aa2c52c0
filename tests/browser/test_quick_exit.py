"""The quick exit: the button, Shift three times, without JavaScript, and the keyboard order."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from .helpers import ConsoleWatcher, session_cookie, sign_in

pytestmark = pytest.mark.browser

# Each test that ends a session signs in its own account: a second sign-in of one account
# would have to wait for a fresh two-factor code (django-otp refuses a reused one).
CLICK_ACCOUNT = "keisha@hearth.example"
SHIFT_ACCOUNT = "hyunwoo@hearth.example"
NO_JS_ACCOUNT = "leila@hearth.example"
# Where the tab was before it opened Hearth.
BEFORE_URL = "data:text/html,<title>Before</title><p>Before Hearth</p>"


def wait_for_neutral(page, server) -> None:
    page.wait_for_url(server.quick_exit_url, timeout=10_000)


def assert_signed_out(new_context, context, old_cookie, server) -> None:
    """/my/ now sends the browser to sign in, and the old session cookie is dead on the server
    too (not merely deleted by Clear-Site-Data in this browser)."""
    page = context.new_page()
    deadline = time.monotonic() + 10
    while True:
        page.goto("/my/")
        if urlsplit(page.url).path == "/sign-in/":
            break
        assert time.monotonic() < deadline, f"still signed in after quick exit: {page.url}"
        time.sleep(0.25)
    page.close()

    assert old_cookie is not None, "there was no session cookie before leaving"
    replay = new_context()
    replay.add_cookies([{k: old_cookie[k] for k in ("name", "value", "domain", "path")}])
    replay_page = replay.new_page()
    deadline = time.monotonic() + 10
    while True:
        replay_page.goto("/my/")
        if urlsplit(replay_page.url).path == "/sign-in/":
            break
        assert time.monotonic() < deadline, "the old session cookie still opens /my/"
        time.sleep(0.25)


def open_with_history(context, server, path):
    """A page whose history is: a neutral page, then `path`. Going back after leaving must land
    on the neutral page, never on `path` again."""
    page = context.new_page()
    page.watcher = ConsoleWatcher(page)
    page.goto(BEFORE_URL)
    page.goto(path)
    assert urlsplit(page.url).path == path, f"{path} redirected to {page.url}"
    errors = page.watcher.take()
    assert not errors, f"console errors on {path}: {errors}"
    return page


def assert_back_does_not_return(page, server, path) -> None:
    page.go_back()
    assert urlsplit(page.url).path != path, "Back returned to the page that was left"
    assert page.url == BEFORE_URL, f"Back went to {page.url}"


def test_button_leaves_and_ends_session(new_context, hearth_server):
    context = new_context()
    sign_in(context.new_page(), hearth_server.url, CLICK_ACCOUNT)
    cookie = session_cookie(context)
    page = open_with_history(context, hearth_server, "/my/")
    page.locator("[data-hearth-quick-exit-button]").click()
    wait_for_neutral(page, hearth_server)
    assert_back_does_not_return(page, hearth_server, "/my/")
    assert_signed_out(new_context, context, cookie, hearth_server)


def test_shift_three_times_leaves_anonymous_page(new_context, hearth_server):
    context = new_context()
    page = open_with_history(context, hearth_server, "/safety/")
    for _ in range(3):
        page.keyboard.press("Shift")
    wait_for_neutral(page, hearth_server)
    assert_back_does_not_return(page, hearth_server, "/safety/")


def test_shift_three_times_leaves_signed_in_page(new_context, hearth_server):
    context = new_context()
    sign_in(context.new_page(), hearth_server.url, SHIFT_ACCOUNT)
    cookie = session_cookie(context)
    page = open_with_history(context, hearth_server, "/account/")
    for _ in range(3):
        page.keyboard.press("Shift")
    wait_for_neutral(page, hearth_server)
    assert_back_does_not_return(page, hearth_server, "/account/")
    assert_signed_out(new_context, context, cookie, hearth_server)


def test_interrupted_shift_presses_do_not_leave(new_context, hearth_server):
    context = new_context()
    page = context.new_page()
    page.goto("/safety/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("a")
    page.keyboard.press("Shift")
    page.wait_for_timeout(1500)
    assert urlsplit(page.url).path == "/safety/", f"left after an interrupted count: {page.url}"
    # The count restarted at the other key: two more presses make three.
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    wait_for_neutral(page, hearth_server)


def test_without_javascript_the_link_ends_session(new_context, hearth_server):
    context = new_context(javascript=False)
    page = context.new_page()
    sign_in(page, hearth_server.url, NO_JS_ACCOUNT)
    cookie = session_cookie(context)
    exits = []
    page.on(
        "request", lambda request: exits.append(request.url) if "/exit/" in request.url else None
    )
    page.locator("[data-hearth-quick-exit-button]").click()
    wait_for_neutral(page, hearth_server)
    assert exits == [f"{hearth_server.url}/exit/"], f"requests to /exit/: {exits}"
    assert_signed_out(new_context, context, cookie, hearth_server)


def test_safety_page_is_honest_about_history(page, hearth_server):
    response = page.goto("/safety/")
    assert response is not None and response.status == 200
    assert "does not erase your browser history" in page.locator("main").inner_text()


@pytest.mark.parametrize("path", ["/", "/safety/", "/sign-in/"])
def test_tab_reaches_skip_link_then_quick_exit(path, page):
    page.goto(path)
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.outerHTML")
    assert page.evaluate(
        "document.activeElement.matches('a.govuk-skip-link[href=\"#main-content\"]')"
    ), f"first Tab stop is not the skip link: {first}"
    page.keyboard.press("Tab")
    second = page.evaluate("document.activeElement.outerHTML")
    assert page.evaluate("document.activeElement.matches('[data-hearth-quick-exit-button]')"), (
        f"second Tab stop is not the quick-exit button: {second}"
    )
    assert not page.watcher.take()
