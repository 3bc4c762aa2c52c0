"""Browser tests: a real Hearth (gunicorn, demo data) in a subprocess, driven by Debian's Chromium
through Playwright.

They never use pytest-django's test database: the server has its own fresh data directory
(SQLite, or HEARTH_BROWSER_DATABASE_URL), and the tests only talk HTTP to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .helpers import ConsoleWatcher, sign_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
SERVER_START_TIMEOUT = 60


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        message = (
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run "
            "the browser tests"
        )
        if in_ci():
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HearthServer:
    def __init__(self, url: str, process: subprocess.Popen, log_path: Path):
        self.url = url
        self.process = process
        self.log_path = log_path
        self.quick_exit_url = f"{url}/healthz?left=1"

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_since(0)[-chars:]


def run_manage(args: list[str], env: dict, log) -> None:
    command = [str(BIN_DIR / "hearth"), *args]
    log.write(f"$ {' '.join(command)}\n".encode())
    log.flush()
    completed = subprocess.run(
        command,
        env=env,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"`hearth {' '.join(args)}` failed with {completed.returncode}")


@pytest.fixture(scope="session")
def hearth_server(chromium_executable, tmp_path_factory):
    """Migrate a fresh data directory, load the demo, and serve it with gunicorn."""
    data_dir = tmp_path_factory.mktemp("hearth-browser-data")
    log_path = data_dir / "server.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    env = dict(os.environ)
    # Whatever the test process runs with (pytest-django, a test database, debug flags) is not
    # for the server: it runs as an ordinary production-like install.
    for name in (
        "DATABASE_URL",
        "HEARTH_DEBUG",
        "HEARTH_TESTING",
        "HEARTH_TWO_FACTOR_REQUIRED",
        "HEARTH_SSL_REDIRECT",
        "HEARTH_BEHIND_PROXY",
        "HEARTH_CSRF_TRUSTED_ORIGINS",
        "DJANGO_SETTINGS_MODULE",
    ):
        env.pop(name, None)
    env.update(
        {
            "HEARTH_DATA_DIR": str(data_dir),
            "HEARTH_SECURE_COOKIES": "false",
            "HEARTH_QUICK_EXIT_URL": f"{url}/healthz?left=1",
            "HEARTH_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HEARTH_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if os.environ.get("HEARTH_BROWSER_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["HEARTH_BROWSER_DATABASE_URL"]

    with log_path.open("ab") as log:
        try:
            run_manage(["migrate", "--no-input"], env, log)
            run_manage(["collectstatic", "--no-input", "--verbosity", "0"], env, log)
            run_manage(["demo"], env, log)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            pytest.fail(f"{error}\n--- log ---\n{log_path.read_text()[-6000:]}", pytrace=False)

    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            str(BIN_DIR / "gunicorn"),
            "hearth.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips=",
        ],
        env=env,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = HearthServer(url, process, log_path)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited with {process.returncode}\n{server.log_tail()}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Hearth did not answer {url}/healthz within {SERVER_START_TIMEOUT} s\n"
                    f"{server.log_tail()}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fail a test when the server logged a traceback (a crash, a 500) while it ran."""
    if "hearth_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("hearth_server")
    start = server.log_size()
    yield
    logged = server.log_since(start)
    if "Traceback (most recent call last)" in logged:
        pytest.fail(f"the server logged an error during this test:\n{logged[-6000:]}")


@pytest.fixture(scope="session")
def playwright_instance(chromium_executable):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_executable):
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, hearth_server):
    """Make a fresh browser context: `new_context(lang="es", javascript=False, email=...)`.
    With `email`, the context starts signed in as that demo account."""
    contexts = []

    def make(*, lang: str = "en", javascript: bool = True, storage_state=None):
        context = browser.new_context(
            base_url=hearth_server.url,
            locale="en-GB",
            java_script_enabled=javascript,
            storage_state=storage_state,
        )
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        if lang != "en" or storage_state is not None:
            context.add_cookies(
                [{"name": "hearth_language", "value": lang, "url": hearth_server.url}]
            )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.watcher = ConsoleWatcher(page)
    return page


@pytest.fixture(scope="session")
def signed_in_state(browser, hearth_server):
    """`signed_in_state(email)`: the cookies of one signed-in session per demo account, shared
    by every test of the session (a second sign-in would have to wait for a fresh two-factor
    code). Tests that end the session (quick exit) sign in for themselves instead."""
    states: dict[str, dict] = {}

    def get(email: str) -> dict:
        if email not in states:
            context = browser.new_context(base_url=hearth_server.url, locale="en-GB")
            try:
                sign_in(context.new_page(), hearth_server.url, email)
                states[email] = context.storage_state()
            finally:
                context.close()
        return states[email]

    return get
