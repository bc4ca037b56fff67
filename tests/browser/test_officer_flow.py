"""The officer's day: the statement, Quick Promise, the follow-up in My actions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from collections_app.models import Action, OpenItem, StatusChange
from tests.browser.helpers import assert_accessible, screenshot, sign_in
from tests.browser.ledger import ledger, officer
from tests.utils import database_state

pytestmark = pytest.mark.browser

PROMISED = "2 items promised for 07/12/2026, follow-up scheduled for Olivia Martin."


def open_statement(page: Page, customer) -> None:
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name=customer.name).click()
    expect(page.get_by_role("heading", name="Account statement")).to_be_visible()


def row(page: Page, number: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=number))


def test_quick_promise_from_the_customer_list_to_my_actions(page: Page):
    olivia = officer()
    account = ledger(collector=olivia)

    sign_in(page, olivia)
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    assert_accessible(page)
    open_statement(page, account.customer)
    assert_accessible(page)

    selection = page.locator("#selection-total")
    expect(selection).to_have_text("No item selected")
    page.get_by_label("INV-2026-0912").check()
    expect(selection).to_have_text("1 item selected · 4,850.00 EUR")
    page.get_by_label("INV-2026-0987").check()
    expect(selection).to_have_text("2 items selected · 12,250.00 EUR")
    assert_accessible(page)
    screenshot(page, "statement-before-quick-promise.png")

    # No full page load: a marker set on window survives the swap.
    page.evaluate("window.__noReload = 'still the same page'")
    url = page.url
    page.get_by_role("button", name="Quick Promise").click()

    expect(page.locator("#messages")).to_have_text(PROMISED)
    for number in ("INV-2026-0912", "INV-2026-0987"):
        expect(row(page, number)).to_contain_text("Promise to pay")
        expect(row(page, number)).to_contain_text("07/12/2026")
        expect(row(page, number).locator(".badge-promise")).to_have_text("Promise to pay")
    # The other items are untouched; the selection is reset.
    expect(row(page, "INV-2026-1040").locator(".badge")).to_have_count(0)
    expect(selection).to_have_text("No item selected")
    assert page.evaluate("window.__noReload") == "still the same page"
    assert page.url == url
    assert_accessible(page)
    screenshot(page, "statement-after-quick-promise.png")

    action = Action.objects.get()
    assert action.assigned_to == olivia
    assert {item.number for item in action.items.all()} == {"INV-2026-0912", "INV-2026-0987"}
    assert StatusChange.objects.count() == 2

    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    follow_up = page.get_by_role("row").filter(has_text="Atelier Marchand & Fils")
    expect(follow_up).to_contain_text("07/12/2026")
    expect(follow_up).to_contain_text("Check the promised payment arrived")
    expect(follow_up).to_contain_text("INV-2026-0912, INV-2026-0987")
    assert_accessible(page)

    follow_up.get_by_role("button", name=re.compile("^Mark done")).click()
    expect(page.locator("#messages")).to_contain_text(
        "“Check the promised payment arrived” for Atelier Marchand & Fils is done."
    )
    expect(page.get_by_text("No open action: you are up to date.")).to_be_visible()
    assert_accessible(page)
    action.refresh_from_db()
    assert action.done_at is not None
    assert action.done_by == olivia


def test_a_double_click_makes_one_follow_up(page: Page):
    olivia = officer()
    ledger(collector=olivia)
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)

    sign_in(page, olivia)
    open_statement(page, OpenItem.objects.get(number="INV-2026-0912").customer)
    page.get_by_label("INV-2026-0912").check()
    page.get_by_label("INV-2026-0987").check()
    posts.clear()
    page.get_by_role("button", name="Quick Promise").dblclick()

    expect(page.locator("#messages")).to_have_text(PROMISED)
    assert Action.objects.count() == 1
    assert StatusChange.objects.count() == 2
    # The second click met a disabled button: it sent nothing at all.
    assert len(posts) == 1


def test_the_back_button_shows_the_full_page_as_it_is_now(page: Page):
    olivia = officer()
    account = ledger(collector=olivia)

    sign_in(page, olivia)
    open_statement(page, account.customer)
    page.get_by_label("INV-2026-0912").check()
    page.get_by_role("button", name="Quick Promise").click()
    expect(page.locator("#messages")).to_contain_text("1 item promised for 07/12/2026")

    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    page.go_back()

    expect(page.get_by_role("heading", name="Account statement")).to_be_visible()
    expect(row(page, "INV-2026-0912").locator(".badge-promise")).to_have_text("Promise to pay")
    expect(row(page, "INV-2026-0912")).to_contain_text("07/12/2026")
    # A whole page, not a fragment: the top bar, the customer file, the title.
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Atelier Marchand"))
    expect(page).to_have_title(re.compile(r"Atelier Marchand & Fils · Collections"))
    assert_accessible(page)


def test_before_configuration_the_button_is_greyed_out_and_says_where(page: Page):
    olivia = officer()
    account = ledger(collector=olivia, configured=False)
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)

    sign_in(page, olivia)
    open_statement(page, account.customer)
    button = page.get_by_role("button", name="Quick Promise")
    expect(button).to_be_visible()
    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description(
        re.compile(r"an administrator sets it in Admin › Manage item status › Preferences")
    )
    assert_accessible(page)

    page.get_by_label("INV-2026-0912").check()
    expect(button).to_be_disabled()
    before = database_state()
    posts.clear()
    button.click(force=True)  # a real click on the greyed-out button
    page.keyboard.press("Enter")  # and Enter in the form
    # Proving that nothing happens takes a moment of nothing happening.
    page.wait_for_timeout(300)
    expect(page.locator("#messages")).to_be_empty()
    expect(page.locator("#quick-promise-hint")).to_be_visible()
    assert posts == []
    assert database_state() == before
