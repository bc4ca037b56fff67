"""The officer's whole flow with the keyboard alone: Tab, Shift+Tab, Space, Enter.

At every step the focused element shows a visible focus indicator; after a swap
the focus lands on the message that says what happened.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from collections_app.models import Action
from tests.browser.helpers import assert_accessible, assert_focus_visible, focused, tab_to
from tests.browser.ledger import ledger, officer
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_the_officer_flow_without_a_mouse(page: Page):
    olivia = officer()
    account = ledger(collector=olivia)
    keyboard = page.keyboard

    page.goto("/accounts/login/")
    # The username field has the focus from the start.
    expect(page.get_by_label("Username")).to_be_focused()
    keyboard.type(olivia.username)
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    assert_focus_visible(page)
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    # The officer's day is the home page.
    expect(page.get_by_role("heading", name="My day")).to_be_visible()

    # The skip link comes first and shows itself.
    keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page)

    tab_to(page, page.get_by_role("link", name="Customers", exact=True))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    tab_to(page, page.get_by_role("link", name=account.customer.name))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Account statement")).to_be_visible()

    first = page.get_by_label("INV-2026-0912")
    tab_to(page, first)
    keyboard.press("Space")
    expect(first).to_be_checked()
    keyboard.press("Tab")
    second = page.get_by_label("INV-2026-0987")
    expect(second).to_be_focused()
    assert_focus_visible(page)
    keyboard.press("Space")
    expect(page.locator("#selection-total")).to_have_text("2 items selected · 12,250.00 EUR")

    button = page.get_by_role("button", name="Quick Promise")
    tab_to(page, button, backwards=True)
    keyboard.press("Enter")

    messages = page.locator("#messages")
    expect(messages).to_have_text(
        "2 items promised for 07/12/2026, follow-up scheduled for Olivia Martin."
    )
    # The focus is not lost with the swapped-out button: it is on the message.
    expect(messages).to_be_focused()
    assert_focus_visible(page)
    expect(page.get_by_role("row").filter(has_text="INV-2026-0912")).to_contain_text(
        "Promise to pay"
    )
    assert_accessible(page)

    tab_to(page, page.get_by_role("link", name="My actions"), backwards=True)
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    tab_to(page, page.get_by_role("button", name=re.compile("^Mark done")))
    keyboard.press("Enter")

    expect(messages).to_contain_text("is done.")
    expect(messages).to_be_focused()
    assert_focus_visible(page)
    expect(page.get_by_text("No open action: you are up to date.")).to_be_visible()
    assert Action.objects.get().done_at is not None
