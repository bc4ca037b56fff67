"""A real Chromium, driven by Playwright, against the app on pytest-django's live server.

Debian's Chromium (``/usr/bin/chromium``) is the browser: Playwright never downloads
one. When it is missing the browser tests fail with a message saying so; they never
skip, so a CI machine without a browser cannot pass silently.

Every page gets a Content-Security-Policy watch (the app allows no inline script or
style) and a JavaScript error watch; a test that triggered either fails.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from collections_app.roles import ROLES, sync_roles
from tests.browser.helpers import Watch, new_context

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: The business day of every browser test, so that dates, days overdue and the
#: screenshots are the same on every run. The clock ticks from there. (Only the
#: app's clock moves: its cookies carry Max-Age, so the browser's own clock does
#: not matter.)
BUSINESS_NOW = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django
    # would refuse ORM calls from the test (SynchronousOnlyOperation). The test
    # code is plain synchronous code between two browser calls: allow it, for the
    # browser tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as driver:
        yield driver
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}, which is missing: install it "
            "(apt-get install chromium; .ci/run does it). They never skip.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _business_day() -> Iterator[None]:
    with time_machine.travel(BUSINESS_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _roles(transactional_db) -> None:
    # A transactional test ends with a flush; migrate's post_migrate handler puts
    # the groups back, but a flush that skipped it would leave the factories'
    # roles without their groups.
    if Group.objects.filter(name__in=ROLES).count() != len(ROLES):
        sync_roles()


@pytest.fixture
def watch() -> Iterator[Watch]:
    watch = Watch()
    yield watch
    watch.assert_clean()


@pytest.fixture
def context(browser: Browser, watch: Watch, live_server) -> Iterator[BrowserContext]:
    context = new_context(browser, watch, base_url=live_server.url)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
