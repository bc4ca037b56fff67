"""A quick promise refused says why in the page: never a blank swap, a raw error
page or a silent nothing, and nothing is changed."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from collections_app.models import Action, OpenItem, StatusChange
from tests.browser.helpers import assert_accessible, sign_in
from tests.browser.ledger import ledger, officer
from tests.factories import PASSWORD
from tests.utils import database_state

pytestmark = pytest.mark.browser


@pytest.fixture
def olivia():
    return officer()


@pytest.fixture
def account(olivia):
    return ledger(collector=olivia)


@pytest.fixture
def statement(page: Page, olivia, account) -> Page:
    """The officer on the statement, two items ticked, about to click."""
    sign_in(page, olivia, path=f"/customers/{account.customer.pk}/reminders/")
    expect(page.get_by_role("heading", name="Account statement")).to_be_visible()
    page.get_by_label("INV-2026-0912").check()
    page.get_by_label("INV-2026-0987").check()
    expect(page.locator("#selection-total")).to_contain_text("2 items selected")
    return page


def quick_promise(page: Page) -> None:
    page.get_by_role("button", name="Quick Promise").click()


def test_an_item_paid_meanwhile_is_refused_with_the_statement_reloaded(statement: Page, account):
    OpenItem.objects.filter(number="INV-2026-0987").update(open_amount=0)
    before = database_state()

    quick_promise(statement)

    alert = statement.locator("#messages").get_by_role("alert")
    expect(alert).to_have_text(
        "Item INV-2026-0987 is already paid or closed, so nothing was changed."
    )
    # The statement is still there, as it is now: the paid item is gone, the other
    # one is still ticked for another try.
    expect(statement.get_by_role("heading", name="Account statement")).to_be_visible()
    expect(statement.get_by_role("rowheader", name="INV-2026-0987")).to_have_count(0)
    expect(statement.get_by_label("INV-2026-0912")).to_be_checked()
    expect(statement.locator("#selection-total")).to_have_text("1 item selected · 4,850.00 EUR")
    expect(statement.get_by_role("button", name="Quick Promise")).to_be_enabled()
    assert_accessible(statement)
    assert database_state() == before

    # The officer tries again with what is left: it works.
    quick_promise(statement)
    expect(statement.locator("#messages")).to_have_text(
        "1 item promised for 07/12/2026, follow-up scheduled for Olivia Martin."
    )
    assert Action.objects.count() == 1


def test_an_expired_session_goes_to_the_login_page_and_back(statement: Page, account, olivia):
    before = database_state()
    Session.objects.all().delete()

    quick_promise(statement)

    expect(statement).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(statement.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(
        statement.get_by_text("Your session has expired, so nothing was changed.")
    ).to_be_visible()
    assert_accessible(statement)
    assert database_state() == before
    assert not StatusChange.objects.exists()

    # Signing in again comes back to the statement.
    statement.get_by_label("Username").fill(olivia.username)
    statement.get_by_label("Password").fill(PASSWORD)
    statement.get_by_role("button", name="Sign in").click()
    expect(statement).to_have_url(re.compile(rf"/customers/{account.customer.pk}/reminders/$"))
    expect(statement.get_by_role("heading", name="Account statement")).to_be_visible()


def test_a_missing_permission_is_said_in_the_message_area(statement: Page, olivia):
    olivia.groups.clear()
    before = database_state()

    quick_promise(statement)

    alert = statement.locator("#messages").get_by_role("alert")
    expect(alert).to_have_text(re.compile(r"^Your account is not allowed to do this"))
    # Focus goes to the message, so that it is read out and the officer is not
    # left on a button that cannot work.
    expect(statement.locator("#messages")).to_be_focused()
    # The statement stays as it was, selection included.
    expect(statement.get_by_role("heading", name="Account statement")).to_be_visible()
    expect(statement.get_by_role("rowheader", name="INV-2026-0987")).to_be_visible()
    expect(statement.get_by_label("INV-2026-0912")).to_be_checked()
    expect(statement.get_by_role("banner")).to_have_count(1)
    assert_accessible(statement)
    assert database_state() == before
