"""Browser tests: a real famplan server in a subprocess, driven by Debian's Chromium.

Not pytest-django's live_server: its flush between tests is refused by the append-only
audit table's triggers. The server gets its own SQLite database in a temp directory,
migrated and loaded with `famplan demo`, exactly as `make run` does.

The browser may reach only 127.0.0.1: every other request is aborted and recorded, and
each test fails if any was attempted (famplan must work on an intranet, no CDN).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from base64 import b32decode
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP

from famplan.demo.users import DEMO_TOTP_SECRET

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
ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
# Variables of the test run that must not reach the server (tests/settings.py sets some).
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "TASKS_BACKEND", "DEBUG", "SECRET_KEY")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in NOT_INHERITED and not k.startswith("FAMPLAN_")
    }
    # Always SQLite in a temp directory, also when the suite runs on PostgreSQL: the
    # browser tests check pages, and must not write into a real database.
    env.update(FAMPLAN_ENV="development", FAMPLAN_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def _famplan(*args: str) -> list[str]:
    return [sys.executable, "-m", "famplan.cli", *args]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"famplan server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"famplan server did not answer {url} in {seconds}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def famplan_server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the server (its SQLite database): for a test's setup steps
    run as `famplan` subprocesses against the same data."""
    return _server_env(tmp_path_factory.mktemp("famplan-var"))


def run_in_server_db(env: dict[str, str], code: str) -> str:
    """Python `code` run with Django set up on the server's database; its stdout."""
    script = (
        "import django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'famplan.settings')\n"
    )
    script += "django.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def famplan_server(famplan_server_env: dict[str, str]) -> Iterator[str]:
    """Base URL of a running famplan with the demo county loaded."""
    env = famplan_server_env
    var_dir = Path(env["FAMPLAN_VAR_DIR"])
    for step in (("migrate", "--no-input", "-v", "0"), ("demo",)):
        done = subprocess.run(
            _famplan(*step), env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, f"famplan {' '.join(step)} failed:\n{done.stderr}"
    port = _free_port()
    log = var_dir / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            _famplan("serve", f"127.0.0.1:{port}"),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/accounts/login/", server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # Module scope, not session: sync Playwright keeps an event loop in this thread
    # while it lives, and Django's ORM in later (non-browser) tests refuses to run then.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class OffNetworkPage:
    """A page whose every request off 127.0.0.1 is aborted and remembered."""

    def __init__(self, browser: object, base_url: str) -> None:
        self.base_url = base_url
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.expected_error_paths: set[str] = set()
        self.context = browser.new_context(base_url=base_url, locale="zh-CN")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)

    def _console(self, message: object) -> None:
        if message.type != "error":
            return
        # Chromium logs a page answered with an error status (our 404, the lockout's 429)
        # as a failed resource; a test says which paths it expects that for.
        path = urlsplit(message.location.get("url", "")).path
        if path in self.expected_error_paths and "Failed to load resource" in message.text:
            return
        self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def expect_error_status(self, path: str) -> None:
        self.expected_error_paths.add(path)

    def _route(self, route: object) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def screenshot(self, name: str) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def off_network(browser: object, famplan_server: str) -> Iterator[OffNetworkPage]:
    tab = OffNetworkPage(browser, famplan_server)
    yield tab
    tab.context.close()
    assert tab.blocked == [], f"pages tried to reach other hosts: {tab.blocked}"
    # A CSP violation (an inline script or style) or a missing asset shows up here.
    assert tab.console_errors == [], f"browser console errors: {tab.console_errors}"


# The last TOTP time step each user's code was sent for: the server takes each code
# once, and the server lives for the whole session.
_TOTP_STEPS_USED: dict[str, int] = {}


def demo_totp_code(username: str) -> str:
    """The code an authenticator app holding the demo secret shows now, never one the
    server has already taken (it refuses a replay): in a second login within the same
    30 s it is the next step's code (inside the server's tolerance of one step), and a
    third waits for the clock. Away from a step's last seconds, so it is still current
    when the server checks it."""
    totp = TOTP(b32decode(DEMO_TOTP_SECRET))
    while True:
        totp.time = time.time()
        if totp.step - totp.time % totp.step > 2:
            break
        time.sleep(0.5)
    step = max(totp.t(), _TOTP_STEPS_USED.get(username, -1) + 1)
    if step > totp.t() + 1:
        time.sleep(totp.step - totp.time % totp.step + 0.5)
        return demo_totp_code(username)
    _TOTP_STEPS_USED[username] = step
    totp.drift = step - totp.t()
    return f"{totp.token():06d}"


def log_in(tab: OffNetworkPage, username: str, password: str) -> None:
    """The login form, then the TOTP code when the server asks for one (county_admin)."""
    page = tab.page
    page.goto("/accounts/login/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if "/accounts/otp/verify/" in page.url:
        page.get_by_label("动态口令").fill(demo_totp_code(username))
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()
