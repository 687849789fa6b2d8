"""Browser journeys: Playwright drives Debian's Chromium against Django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_or_skip

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# fixtures in that same thread are safe here (one thread, no concurrent access).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        require_or_skip("REQUIRE_BROWSER", f"Chromium not found at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1360, "height": 900},
        "locale": "en-US",
    }


@pytest.fixture
def portal(live_server, page, transactional_db):
    """The live portal with helpers to sign in and to keep screenshots."""
    return Portal(live_server.url, page)


class Portal:
    def __init__(self, base_url, page):
        self.base_url = base_url
        self.page = page
        page.set_default_timeout(15000)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def sign_in(self, username: str, password: str):
        self.page.goto(self.url("/accounts/login/"))
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("networkidle")

    def sign_out(self):
        self.page.context.clear_cookies()

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path
