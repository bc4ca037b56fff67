"""Where the focus goes while the statement changes under the officer's hands:
typing in a filter, loading the next rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in, tab_to
from tests.browser.ledger import ledger, officer
from tests.factories import OpenItemFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def long_account():
    olivia = officer()
    account = ledger(collector=olivia)
    for n in range(130):
        OpenItemFactory(
            customer=account.customer,
            number=f"INV-2025-{n:04d}",
            due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=3 * n),
            amount=Decimal("100.00") + n,
        )
    return olivia, account


def test_typing_in_a_filter_keeps_the_focus_and_every_key(page: Page, long_account):
    olivia, account = long_account
    sign_in(page, olivia, path=f"/customers/{account.customer.pk}/reminders/")
    search = page.get_by_label("Item number")
    search.click()
    search.press_sequentially("INV-2025-007")
    # The statement is filtered (and swapped in) after a pause in the typing…
    expect(page.locator("tbody tr")).to_have_count(10)
    expect(search).to_be_focused()
    # …and the officer goes on typing where they were.
    search.press_sequentially("1")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(search).to_have_value("INV-2025-0071")
    expect(search).to_be_focused()
    # A drop-down changed keeps the focus too.
    status = page.get_by_label("Status", exact=True)
    status.focus()
    with page.expect_response(lambda response: "status=none" in response.url):
        status.select_option("none")
    page.wait_for_load_state("networkidle")
    expect(status).to_be_focused()
    expect(status).to_have_value("none")


def test_rows_loaded_while_scrolling_leave_the_focus_and_the_page_where_they_are(
    page: Page, long_account
):
    olivia, account = long_account
    sign_in(page, olivia, path=f"/customers/{account.customer.pk}/reminders/")
    page.get_by_label("INV-2025-0001").check()
    page.get_by_role("button", name="Quick Promise").click()
    expect(page.locator("#messages")).to_contain_text("1 item promised")
    # The officer reads on: clicks in the table, scrolls to the end of the rows.
    page.get_by_label("INV-2025-0040").focus()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    page.locator(".table-wrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    # The next 50 rows, and the row that loads the ones after.
    expect(page.locator("tbody tr")).to_have_count(101)
    # Once htmx has settled the new rows (what happens then is what is checked).
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    page.wait_for_timeout(100)
    expect(page.get_by_label("INV-2025-0040")).to_be_focused()
    assert page.evaluate("window.scrollY") == scrolled


def test_a_quick_promise_deep_in_a_long_statement_shows_its_rows_changed(page: Page, long_account):
    olivia, account = long_account
    sign_in(page, olivia, path=f"/customers/{account.customer.pk}/reminders/")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.locator(".table-wrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    expect(page.locator("tbody tr")).to_have_count(101)  # two pages loaded
    deep = page.get_by_label("INV-2025-0080")
    deep.scroll_into_view_if_needed()
    deep.check()
    page.get_by_role("button", name="Quick Promise").click()
    expect(page.locator("#messages")).to_contain_text("1 item promised")
    # The same rows again, the promised one in view with its new status.
    expect(page.locator("tbody tr")).to_have_count(101)
    row = page.get_by_role("row").filter(has_text="INV-2025-0080")
    expect(row).to_contain_text("Promise to pay")
    expect(row).to_be_in_viewport()


def test_the_keyboard_skips_the_filters_to_the_items(page: Page, long_account):
    olivia, account = long_account
    sign_in(page, olivia, path=f"/customers/{account.customer.pk}/reminders/")
    # Past the page's own links and the file's tabs, the statement offers a way
    # past its filters (each date field takes several presses).
    skip = page.get_by_role("link", name="Skip to the items")
    tab_to(page, skip, limit=20)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Select all items shown")).to_be_focused()
    # Then the column headings' sort links, then the first item.
    tab_to(page, page.locator("input[name=items]").first, limit=6)
