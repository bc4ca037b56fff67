"""The statement on a long account and on a narrow screen."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from collections_app.models import OpenItem
from tests.browser.helpers import SCREENSHOTS, assert_accessible, page_of_its_own, sign_in
from tests.browser.ledger import ledger, officer
from tests.factories import OpenItemFactory

pytestmark = pytest.mark.browser


def assert_in_view_and_on_top(page: Page, locator: Locator) -> None:
    """Inside the viewport, and the element a click at its centre would hit."""
    expect(locator).to_be_in_viewport(ratio=1)
    assert locator.evaluate(
        """el => {
          const box = el.getBoundingClientRect();
          const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return el === hit || el.contains(hit);
        }"""
    ), "something covers it"


def assert_no_page_scroll_sideways(page: Page) -> None:
    """Once the page is loaded and laid out (its deferred scripts run), it is no
    wider than the window."""
    page.wait_for_load_state("load")
    fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
    try:
        page.wait_for_function(fits, timeout=2_000)
    except PlaywrightTimeoutError:
        widths = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, view: window.innerWidth})"
        )
        raise AssertionError(f"the page scrolls sideways: {widths}") from None


def test_selection_and_quick_promise_stay_in_view_on_a_long_statement(page: Page):
    olivia = officer()
    account = ledger(collector=olivia)
    for n in range(80):
        OpenItemFactory(
            customer=account.customer,
            number=f"INV-2025-{n:04d}",
            due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=3 * n),
            amount=Decimal("100.00") + n,
        )
    sign_in(page, olivia, path=f"/customers/{account.customer.pk}/reminders/")
    assert OpenItem.objects.filter(customer=account.customer).count() == 88
    # The first rows come with the page (and a row that loads the next ones).
    expect(page.locator("tbody tr")).to_have_count(51)
    assert_accessible(page)

    # To the very bottom of the page and of the statement: the next rows load
    # as the officer scrolls to them.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.locator(".table-wrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    expect(page.locator("tbody tr")).to_have_count(88)
    page.locator(".table-wrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    last = page.get_by_label("INV-2026-1063")
    expect(last).to_be_in_viewport()
    last.check()

    expect(page.locator("#selection-total")).to_have_text("1 item selected · 3,460.75 EUR")
    button = page.get_by_role("button", name="Quick Promise")
    assert_in_view_and_on_top(page, page.locator("#selection-total"))
    assert_in_view_and_on_top(page, button)
    # Column headings stay in view too.
    assert_in_view_and_on_top(page, page.get_by_role("columnheader", name="Open amount"))

    button.click()
    expect(page.locator("#messages")).to_have_text(
        "1 item promised for 07/12/2026, follow-up scheduled for Olivia Martin."
    )


@pytest.fixture
def tablet(browser: Browser, watch, live_server):
    with page_of_its_own(
        browser, watch, live_server.url, viewport={"width": 768, "height": 1024}
    ) as page:
        yield page


def test_usable_768_pixels_wide(tablet: Page):
    page = tablet
    olivia = officer()
    account = ledger(collector=olivia)

    sign_in(page, olivia)
    # The officer's day, then the customer list.
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    assert_no_page_scroll_sideways(page)
    assert_accessible(page)
    page.get_by_role("link", name="Customers", exact=True).click()
    assert_no_page_scroll_sideways(page)
    assert_accessible(page)
    page.get_by_role("link", name=account.customer.name).click()
    expect(page.get_by_role("heading", name="Account statement")).to_be_visible()
    assert_no_page_scroll_sideways(page)
    assert_accessible(page)

    # What a call needs fits the screen: no sideways scrolling to see an item's
    # status and promise date (the type, dates and amount give way).
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    for column in ("Number", "Due date", "Open amount", "Status", "Promise date"):
        assert_in_view_and_on_top(page, page.get_by_role("columnheader", name=column))
    page.get_by_label("INV-2026-0912").check()
    page.get_by_label("INV-2026-0987").check()
    button = page.get_by_role("button", name="Quick Promise")
    assert_in_view_and_on_top(page, button)
    assert_in_view_and_on_top(page, page.locator("#selection-total"))
    button.click()
    expect(page.locator("#messages")).to_have_text(
        "2 items promised for 07/12/2026, follow-up scheduled for Olivia Martin."
    )
    assert_no_page_scroll_sideways(page)
    expect(page.get_by_role("row").filter(has_text="INV-2026-0912")).to_contain_text(
        "Promise to pay"
    )
    tablet_screenshot = page.locator("#statement")
    tablet_screenshot.screenshot(path=str(SCREENSHOTS / "statement-768.png"))

    page.get_by_role("link", name="Promises", exact=True).click()
    assert_no_page_scroll_sideways(page)
    assert_accessible(page)

    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    assert_no_page_scroll_sideways(page)
    assert_accessible(page)
