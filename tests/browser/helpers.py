"""Shared helpers for the browser tests: signing in, checking one page, crawling a role's pages.

Nothing here touches the database: the tests only talk HTTP to a real server started as a
subprocess (see conftest.py)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from hearth.accounts import demo_data

DEMO_PASSWORD = demo_data.DEMO_PASSWORD

# The demo roles the smoke test signs in as (None is the anonymous visitor).
ROLES = {
    "anonymous": None,
    "coordinator": "amara@hearth.example",  # network coordinator + hub admin
    "practitioner": "naomi@hearth.example",  # practitioner at the DV shelter
    "peer-supporter": "sam@hearth.example",  # peer supporter in two organizations
    "viewer": "ingrid@hearth.example",  # read-only viewer
    "operator": "admin@hearth.example",  # site operator, superuser
}

# Links the crawl never follows: leaving, signing out, files, and the language switch.
SKIP_PREFIXES = ("/exit/", "/sign-out/", "/static/", "/i18n/")

AXE = Axe()

TWO_FACTOR_PATH = "/sign-in/two-factor/"
TOTP_STEP = 30
_last_totp_step: dict[str, int] = {}


# ---------------------------------------------------------------------------------------------
# Console errors


class ConsoleWatcher:
    """Collects console errors and uncaught exceptions of one page. CSP violations are reported
    by Chromium as console errors, so they end up here too."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message):
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            if where:
                where = f" ({where}:{location.get('lineNumber', '?')})"
            self.messages.append(f"console error: {message.text}{where}")

    def _on_page_error(self, error):
        self.messages.append(f"uncaught exception: {error}")

    def take(self) -> list[str]:
        messages, self.messages = self.messages, []
        return messages


# ---------------------------------------------------------------------------------------------
# Checking one page


def axe_problems(page) -> list[str]:
    """Run axe-core (WCAG 2.x A/AA and best practices: the default ruleset) on the page."""
    results = AXE.run(page)
    problems = []
    for violation in results.response["violations"]:
        lines = [
            f"axe {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}>"
        ]
        for node in violation["nodes"][:10]:
            target = ", ".join(str(part) for part in node.get("target", []))
            html = " ".join(node.get("html", "").split())[:200]
            lines.append(f"      - {target}  {html}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"      ... and {len(violation['nodes']) - 10} more elements")
        problems.append("\n".join(lines))
    return problems


def shell_problems(page, *, lang: str) -> list[str]:
    """What every Hearth page must have: one h1, the right language, a visible quick exit and a
    skip link to the main content. Uses locators only, so it also works without JavaScript."""
    problems = []
    h1_count = page.locator("h1").count()
    if h1_count != 1:
        problems.append(f"expected exactly one <h1>, found {h1_count}")
    html_lang = page.locator("html").get_attribute("lang")
    if html_lang != lang:
        problems.append(f'expected <html lang="{lang}">, found lang={html_lang!r}')
    quick_exit = page.locator("[data-hearth-quick-exit-button]")
    if quick_exit.count() != 1:
        problems.append(
            f"expected one quick-exit control [data-hearth-quick-exit-button], found "
            f"{quick_exit.count()}"
        )
    elif not quick_exit.is_visible():
        problems.append("the quick-exit control [data-hearth-quick-exit-button] is not visible")
    skip = page.locator("a.govuk-skip-link[href='#main-content']")
    if skip.count() != 1:
        problems.append("expected one skip link a.govuk-skip-link[href='#main-content']")
    if page.locator("#main-content").count() != 1:
        problems.append("the skip link's target #main-content is missing")
    return problems


def check_page(page, watcher: ConsoleWatcher, *, lang: str, ignore_console=()) -> list[str]:
    """Every check for one loaded page; an empty list means the page passed."""
    problems = shell_problems(page, lang=lang)
    problems += axe_problems(page)
    for message in watcher.take():
        if not any(fragment in message for fragment in ignore_console):
            problems.append(message)
    return problems


def assert_no_problems(report: dict[str, list[str]]) -> None:
    """Fail with a short summary (one line per kind of problem: axe rule, console error...);
    every problem, page by page, goes to the captured output shown with the failure."""
    report = {where: problems for where, problems in report.items() if problems}
    if not report:
        return
    kinds: dict[str, list[str]] = {}
    details = ["", "Problems, page by page:"]
    for where, problems in report.items():
        details.append(f"\n{where}:")
        for problem in problems:
            details.append(f"  * {problem}")
            kind = problem.split("\n", 1)[0]
            if kind.startswith("axe "):
                kind = kind.split(" <", 1)[0]
            kinds.setdefault(kind[:200], []).append(where)
    print("\n".join(details))
    count = sum(len(problems) for problems in report.values())
    summary = [f"{count} problem(s) on {len(report)} page(s):"]
    for kind, places in kinds.items():
        example = places[0] if len(places) == 1 else f"{places[0]} and {len(places) - 1} more"
        summary.append(f"  {kind}  [{example}]")
    summary.append("(details: 'Captured stdout call' below)")
    pytest.fail("\n".join(summary), pytrace=False)


# ---------------------------------------------------------------------------------------------
# Signing in


def demo_code(email: str) -> str:
    """A fresh two-factor code for a demo account. django-otp refuses a code from a time step
    it has already accepted for the device, so a second sign-in of the same account in this
    test session waits for the next 30-second step."""
    from hearth.accounts.demo import demo_totp_code

    last = _last_totp_step.get(email)
    if last is not None:
        wait = (last + 1) * TOTP_STEP + 1 - time.time()
        if wait > 0:
            time.sleep(wait)
    return demo_totp_code(email)


def submit(page, selector: str):
    """Click a form's submit button and wait for the page it leads to; returns its response."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    return navigation.value


def describe(page, response=None) -> str:
    """Where the browser is, for failure messages: URL, status and the page's h1."""
    status = response.status if response is not None else "?"
    h1 = page.locator("h1")
    heading = " ".join(h1.first.inner_text().split()) if h1.count() else "(no h1)"
    return f"{page.url} (HTTP {status}, h1 {heading!r})"


def sign_in(page, base_url: str, email: str, *, password: str = DEMO_PASSWORD, on_two_factor=None):
    """Sign in through the real forms (works with or without JavaScript); finish the
    two-factor step when the role needs it. `on_two_factor(page)` runs on the code page."""
    page.goto(f"{base_url}/sign-in/")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    response = submit(page, "main form:has(input[name=password]) button[type=submit]")
    if urlsplit(page.url).path == TWO_FACTOR_PATH:
        if on_two_factor is not None:
            on_two_factor(page)
        page.locator("input[name=token]").fill(demo_code(email))
        response = submit(page, "main form:has(input[name=token]) button[type=submit]")
        _last_totp_step[email] = int(time.time() // TOTP_STEP)
    path = urlsplit(page.url).path
    assert path == "/my/", f"signing in as {email} ended on {describe(page, response)}, not /my/"


def session_cookie(context) -> dict | None:
    for cookie in context.cookies():
        if cookie["name"] == "hearth_session":
            return cookie
    return None


# ---------------------------------------------------------------------------------------------
# Crawling


def page_shape(path: str, query: str) -> str:
    """Which view a path belongs to, so the crawl can stop after a few pages of the same kind
    (the 25th organization page renders the same template as the first)."""
    from django.urls import Resolver404, resolve

    try:
        name = resolve(path).view_name
    except Resolver404:
        name = path
    return f"{name}?" if query else name


@dataclass
class CrawlResult:
    visited: list[str] = field(default_factory=list)
    report: dict[str, list[str]] = field(default_factory=dict)
    truncated: bool = False


def crawl(
    page,
    watcher: ConsoleWatcher,
    base_url: str,
    start_paths: list[str],
    *,
    lang: str,
    max_pages: int = 80,
    per_shape: int = 3,
) -> CrawlResult:
    """Breadth-first over same-origin <a href> links (GET only), checking each page.

    A path is visited at most twice: once without a query string and once with one (so
    ?page=2 is seen, but not every page of a long list). At most `per_shape` URLs of each view
    are visited (0 means no limit), and at most `max_pages` pages in all."""
    origin = urlsplit(base_url)
    result = CrawlResult()
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque()  # (url, where it was linked from)

    def enqueue(url: str, source: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or parts.netloc != origin.netloc:
            return
        if parts.path.startswith(SKIP_PREFIXES):
            return
        key = parts.path + ("?" if parts.query else "")
        if key in seen:
            return
        shape = page_shape(parts.path, parts.query)
        if per_shape and shapes.get(shape, 0) >= per_shape:
            return
        seen.add(key)
        shapes[shape] = shapes.get(shape, 0) + 1
        queue.append(
            (urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")), source)
        )

    for path in start_paths:
        enqueue(base_url + path, "start")

    while queue:
        if len(result.visited) >= max_pages:
            result.truncated = True
            break
        url, source = queue.popleft()
        watcher.take()
        try:
            response = page.goto(url, wait_until="load")
        except PlaywrightError as error:
            # A link to a file (a CSV or JSON export) is a download, not a page to check.
            if "Download is starting" in str(error):
                watcher.take()
                continue
            raise
        final = urlsplit(page.url)
        label = url.removeprefix(base_url)
        if page.url != url:
            label += f" -> {page.url.removeprefix(base_url)}"
        problems = []
        ignore_console = []
        status = response.status if response is not None else None
        if status is None or status >= 400:
            problems.append(f"HTTP status {status} (linked from {source})")
            # Chromium also logs the failed document load itself as a console error.
            ignore_console.append(f"status of {status}")
        content_type = response.headers.get("content-type", "") if response else ""
        if final.netloc != origin.netloc:
            problems.append(f"left the site for {page.url} (linked from {source})")
        elif content_type.startswith("text/html"):
            final_key = final.path + ("?" if final.query else "")
            if final_key in seen and page.url != url:
                # A redirect to a page already checked (or queued): nothing new to check.
                result.report[label] = problems
                continue
            seen.add(final_key)
            result.visited.append(label)
            problems += check_page(page, watcher, lang=lang, ignore_console=ignore_console)
            links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            for link in links:
                enqueue(link, label)
        result.report[label] = problems
    return result
