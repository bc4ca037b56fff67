"""Promises that are tracked, in Chromium: one kept by the morning's import,
one broken by the daily evaluation, one due today; the officer's day and the
customer's Promises tab show it, both accessible (axe-core)."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from collections_app.models import ItemStatus, QuickPromisePreference
from collections_app.services import apply_quick_promise
from collections_app.services.promise_evaluation import evaluate_promises
from tests.browser.helpers import assert_accessible, screenshot, sign_in
from tests.browser.ledger import ledger, officer
from tests.collections_app.open_items_files import line, run_import

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")


def _promise(account, number: str, *, at: datetime.datetime, user) -> None:
    with time_machine.travel(at, tick=False):
        apply_quick_promise(
            customer=account.customer, item_ids=[account.items[number].pk], user=user
        )


def _story(olivia):
    """The business day is Friday 4 December 2026."""
    account = ledger(collector=olivia)
    customer = account.customer
    broken_status = ItemStatus.objects.create(label="Broken promise")
    QuickPromisePreference.objects.filter(pk=1).update(broken_status=broken_status, delay_days=1)
    # Monday: promised for Tuesday, never paid (one day of grace: over on Thursday).
    _promise(
        account, "INV-2026-1040", at=datetime.datetime(2026, 11, 30, 10, tzinfo=PARIS), user=olivia
    )
    # Thursday: two promises for Friday, today.
    for number in ("INV-2026-0912", "INV-2026-1063"):
        _promise(account, number, at=datetime.datetime(2026, 12, 3, 15, tzinfo=PARIS), user=olivia)
    # This morning's file pays INV-2026-1063 in full; then the daily run.
    with time_machine.travel(datetime.datetime(2026, 12, 4, 6, 0, tzinfo=PARIS), tick=False):
        run_import(
            line(
                customer_code=customer.code,
                customer_name=customer.name,
                number="INV-2026-1063",
                document_date="2026-11-20",
                due_date="2026-12-20",
                amount="3460.75",
                open_amount="0",
            )
        )
        report = evaluate_promises()
    assert (report.broken, report.callbacks) == (1, 1)
    return account


def test_the_officers_day_and_the_customers_promises(page: Page):
    olivia = officer()
    account = _story(olivia)

    # Signing in lands on the officer's day.
    sign_in(page, olivia)
    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()
    figures = page.locator(".dashboard-figures")
    expect(figures).to_contain_text("Promises due today1")
    expect(figures).to_contain_text("Promises broken since yesterday1")
    expect(figures).to_contain_text("4,850.00 EUR")
    broken = page.get_by_role("region", name=re.compile("^Promises broken since yesterday"))
    expect(broken.get_by_role("row").filter(has_text="01/12/2026")).to_contain_text("Broken")
    expect(broken).to_contain_text("6,120.00 EUR")
    due = page.get_by_role("region", name=re.compile("^Promises due today"))
    expect(due).to_contain_text("INV-2026-0912")
    # The callback of the promise broken at the end of Thursday is due today, the
    # next working day, beside the follow-up of today's promise.
    actions = page.get_by_role("region", name=re.compile("^Actions due today"))
    expect(actions).to_contain_text("Check the promised payment arrived")
    expect(actions).to_contain_text("Call back: promise of 01/12/2026 broken")
    chart = page.get_by_role("img", name="Promised and received by day (EUR)")
    expect(chart).to_be_visible()
    expect(page.locator("rect.chart-received[height]:not([height='0'])")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "dashboard.png", full_page=True)
    page.get_by_text("The figures").click()
    figures_row = page.locator(".chart-figures").get_by_role("row").filter(has_text="04/12/2026")
    expect(figures_row).to_contain_text("3,460.75")
    assert_accessible(page)

    # The customer's promises, from the broken one.
    broken.get_by_role("link", name=account.customer.name).click()
    expect(page.get_by_role("heading", name="Promises", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="Promises")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("keep-rate-count")).to_have_text("50 %")
    expect(page.get_by_test_id("keep-rate-amount")).to_have_text("36 %")
    table = page.get_by_role("table", name="The customer's promises, newest first")
    expect(table.get_by_role("row")).to_have_count(4)
    expect(table.get_by_role("row").filter(has_text="Open")).to_have_count(1)
    expect(table).to_contain_text("Kept")
    expect(table).to_contain_text("Broken")
    assert_accessible(page)
    screenshot(page, "customer-promises.png", full_page=True)

    # Sorted by keep rate, the customer list shows it too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Promises kept").click()
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text(account.customer.name)
    expect(first_row).to_contain_text("50 %")
    assert_accessible(page)
