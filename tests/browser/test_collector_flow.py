"""The collector's full way, in Chromium: Change status in its dialog (a date, a
comment, a dispute's resolver, a specific action from a template), the action
worked and completed as resolved, and the whole story on the History tab."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from collections_app.models import Action, ActionEvent, OpenItem, StatusChange, StatusKind
from collections_app.roles import OFFICERS
from customers.models import CustomerComment
from tests.browser.helpers import (
    assert_accessible,
    assert_focus_visible,
    screenshot,
    sign_in,
    tab_to,
)
from tests.browser.ledger import ledger, officer
from tests.factories import ActionTemplateFactory, ItemStatusFactory, OfficerFactory
from tests.utils import database_state

pytestmark = pytest.mark.browser


@pytest.fixture
def olivia():
    return officer()


@pytest.fixture
def roger():
    return OfficerFactory(username="roger", first_name="Roger", last_name="Resolver")


@pytest.fixture
def account(olivia, roger):
    account = ledger(collector=olivia)
    ActionTemplateFactory(
        name="Dispute review",
        action_type="task",
        title="Review the disputed price",
        text="Check the price list against the order.",
    )
    ItemStatusFactory(label="Dispute resolved", kind=StatusKind.DISPUTE_RESOLVED)
    return account


def statement_of(page: Page, account) -> None:
    page.goto(f"/customers/{account.customer.pk}/reminders/")
    expect(page.get_by_role("heading", name="Account statement")).to_be_visible()


def row(page: Page, number: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=number))


def dialog(page: Page, name: str):
    return page.get_by_role("dialog", name=name)


def test_dispute_with_a_resolver_their_action_resolved_and_the_story_in_the_history(
    page: Page, olivia, roger, account
):
    sign_in(page, olivia)
    statement_of(page, account)
    page.get_by_label("INV-2026-0912").check()
    page.get_by_label("INV-2026-0987").check()
    page.get_by_role("button", name="Change status…").click()

    change = dialog(page, "Change status")
    expect(change).to_be_visible()
    expect(change).to_contain_text("2 items selected · 12,250.00 EUR")
    # The resolver is asked for disputes only; the action's fields once chosen.
    expect(change.get_by_label("Resolver")).to_be_hidden()
    expect(change.get_by_label("Template")).to_be_hidden()
    change.get_by_label("Status").select_option(label="Price dispute")
    expect(change.get_by_label("Resolver")).to_be_visible()
    change.get_by_label("Resolver").select_option(label="Roger Resolver")
    change.get_by_label("Comment").fill("The customer disputes the unit price of the order.")
    change.get_by_label("Create a specific action").check()
    change.get_by_label("Template").select_option(label="Dispute review")
    # Pre-filled from the template, the status's follow-up days and the resolver.
    expect(change.get_by_label("Title")).to_have_value("Review the disputed price")
    expect(change.get_by_label("Type")).to_have_value("task")
    expect(change.get_by_label("Due date")).to_have_value("2026-12-11")
    expect(change.get_by_label("Assigned to")).to_have_value(str(roger.pk))
    assert_accessible(page)
    screenshot(page, "change-status-dialog.png")

    change.get_by_role("button", name="Apply").click()
    expect(page.locator("#messages")).to_have_text(
        "2 items set to “Price dispute” (04/12/2026), resolver Roger Resolver, action “Review "
        "the disputed price” for Roger Resolver due 11/12/2026."
    )
    expect(change).to_be_hidden()
    for number in ("INV-2026-0912", "INV-2026-0987"):
        expect(row(page, number).locator(".badge-dispute")).to_have_text("Price dispute")
        expect(row(page, number)).to_contain_text("Resolver: Roger Resolver")
        expect(row(page, number)).to_contain_text("disputes the unit price")
    assert_accessible(page)
    action = Action.objects.get()
    assert action.assigned_to == roger
    assert action.title == "Review the disputed price"

    # The resolver works the action: outcome, and the dispute resolved with it.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, roger)
    page.get_by_role("link", name="My actions").click()
    upcoming = page.get_by_role("region", name=re.compile("^Upcoming"))
    expect(upcoming).to_contain_text("INV-2026-0912, INV-2026-0987")
    upcoming.get_by_role("link", name="Review the disputed price").click()
    expect(page.get_by_role("heading", name="Review the disputed price")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Outcome").fill("Price confirmed with the customer; they pay the rest.")
    page.get_by_label("Mark its items in dispute as").select_option(label="Dispute resolved")
    page.get_by_role("button", name="Mark done").click()
    expect(page.locator("#messages")).to_have_text(
        "“Review the disputed price” for Atelier Marchand & Fils is done. "
        "2 items marked “Dispute resolved”."
    )
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)
    assert_accessible(page)

    # The whole story, newest first, on the customer's History tab.
    page.get_by_role("link", name="Atelier Marchand & Fils").click()
    page.get_by_role("link", name="History").click()
    entries = page.locator(".timeline-entry")
    expect(entries).to_have_count(4)
    expect(entries.nth(0)).to_contain_text("Dispute resolved with its action")
    expect(entries.nth(0)).to_contain_text("2 items set to Dispute resolved")
    expect(entries.nth(0)).to_contain_text("Price confirmed with the customer")
    expect(entries.nth(0)).to_contain_text("Roger Resolver")
    expect(entries.nth(1)).to_contain_text("Action done")
    expect(entries.nth(2)).to_contain_text("Olivia Martin · Status change")
    expect(entries.nth(2)).to_contain_text("2 items set to Price dispute")
    expect(entries.nth(2)).to_contain_text("INV-2026-0912, INV-2026-0987")
    expect(entries.nth(2)).to_contain_text("Resolver: Roger Resolver")
    expect(entries.nth(2)).to_contain_text("disputes the unit price")
    expect(entries.nth(3)).to_contain_text("Action created")
    expect(entries.nth(3)).to_contain_text("due 11/12/2026, for Roger Resolver")
    assert_accessible(page)
    screenshot(page, "history.png", full_page=True)

    assert StatusChange.objects.filter(cause="resolution", action=action).count() == 2
    assert ActionEvent.objects.get().note.startswith("Price confirmed")
    assert set(
        OpenItem.objects.filter(number__in=["INV-2026-0912", "INV-2026-0987"]).values_list(
            "status__label", flat=True
        )
    ) == {"Dispute resolved"}


def test_change_status_with_a_date_and_a_comment_by_keyboard(page: Page, olivia, account):
    keyboard = page.keyboard
    sign_in(page, olivia)
    statement_of(page, account)
    first = page.get_by_label("INV-2026-0912")
    tab_to(page, first)
    keyboard.press("Space")
    opener = page.get_by_role("button", name="Change status…")
    tab_to(page, opener, backwards=True)
    keyboard.press("Enter")

    change = dialog(page, "Change status")
    expect(change).to_be_visible()
    status = change.get_by_label("Status")
    expect(status).to_be_focused()  # the dialog's first field
    assert_focus_visible(page)
    # Escape closes it and gives the focus back to the button that opened it.
    keyboard.press("Escape")
    expect(change).to_be_hidden()
    expect(opener).to_be_focused()
    keyboard.press("Enter")
    expect(status).to_be_focused()

    # A promise far beyond Quick Promise's five days, with a comment.
    keyboard.type("Promise to pay")  # a select's type-ahead
    expect(status).to_have_value(str(account.promise_status.pk))
    keyboard.press("Tab")
    date = change.get_by_label("Date", exact=True)
    expect(date).to_be_focused()
    assert_focus_visible(page)
    date.fill("2026-12-24")
    tab_to(page, change.get_by_label("Comment"))
    keyboard.type("Will pay after the board meeting of the 23rd.")
    # Enter in a field applies the dialog: never the statement's Quick Promise.
    tab_to(page, date, backwards=True)
    keyboard.press("Enter")

    expect(page.locator("#messages")).to_have_text(
        "1 item set to “Promise to pay” (24/12/2026), action “Check the promised payment "
        "arrived” for Olivia Martin due 24/12/2026."
    )
    expect(page.locator("#messages")).to_be_focused()
    expect(change).to_be_hidden()
    promised = row(page, "INV-2026-0912")
    expect(promised.locator(".badge-promise")).to_have_text("Promise to pay")
    expect(promised).to_contain_text("24/12/2026")
    expect(promised).to_contain_text("Will pay after the board meeting")
    assert_accessible(page)
    item = OpenItem.objects.get(number="INV-2026-0912")
    assert str(item.promise_date) == "2026-12-24"
    assert StatusChange.objects.get().cause == "status_change"


def test_a_refusal_stays_in_the_dialog_and_changes_nothing(page: Page, olivia, account):
    sign_in(page, olivia)
    statement_of(page, account)
    page.get_by_label("INV-2026-0912").check()
    page.get_by_role("button", name="Change status…").click()
    change = dialog(page, "Change status")
    change.get_by_label("Status").select_option(label="Price dispute")
    before = database_state()

    change.get_by_role("button", name="Apply").click()

    alert = change.get_by_role("alert")
    expect(alert).to_have_text("Check the fields marked below: nothing was changed.")
    expect(alert).to_be_focused()
    expect(change).to_contain_text("A dispute needs a resolver: choose who settles it.")
    expect(change.get_by_label("Resolver")).to_be_visible()
    expect(change.get_by_label("Resolver")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    assert database_state() == before
    # Put right, it goes through.
    change.get_by_label("Resolver").select_option(label="Olivia Martin")
    change.get_by_role("button", name="Apply").click()
    expect(page.locator("#messages")).to_contain_text("1 item set to “Price dispute”")
    expect(change).to_be_hidden()


def test_a_dialog_whose_form_cannot_load_says_so_and_sends_nothing(page: Page, olivia, account):
    sign_in(page, olivia)
    statement_of(page, account)
    page.get_by_label("INV-2026-0912").check()
    # The officer loses the right to change statuses while the page is open.
    olivia.groups.clear()
    olivia.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "view_openitem"])
    )
    before = database_state()
    page.get_by_role("button", name="Change status…").click()
    change = dialog(page, "Change status")
    expect(change.get_by_role("alert")).to_have_text(
        "The form could not be loaded (error 403): nothing was changed. Close this dialog "
        "and try again."
    )
    expect(change.get_by_role("button", name="Apply")).to_be_disabled()
    assert_accessible(page)
    change.get_by_role("button", name="Cancel").click()
    expect(change).to_be_hidden()
    # Given back, the dialog loads its form when opened again; the failure said
    # behind the dialog is cleared, and the day its dates count from is the
    # server's (a page left open since yesterday).
    expect(page.locator("#messages")).to_contain_text("not allowed")
    olivia.groups.add(Group.objects.get(name=OFFICERS))
    today = page.locator("#change-status-dialog").get_attribute("data-today")
    page.locator("#change-status-dialog").evaluate("dialog => dialog.dataset.today = '2001-01-01'")
    page.get_by_role("button", name="Change status…").click()
    expect(change.get_by_label("Status")).to_be_focused()
    expect(change.get_by_role("button", name="Apply")).to_be_enabled()
    expect(page.locator("#messages")).to_be_empty()
    expect(change).to_have_attribute("data-today", today)
    assert database_state() == before


def test_a_specific_action_from_a_template_then_rescheduled_and_reassigned(
    page: Page, olivia, roger, account
):
    sign_in(page, olivia)
    statement_of(page, account)
    page.get_by_label("INV-2026-1040").check()
    page.get_by_role("button", name="New action…").click()
    new = dialog(page, "New action")
    expect(new).to_contain_text("1 item selected · 6,120.00 EUR")
    new.get_by_label("Template").select_option(label="Dispute review")
    expect(new.get_by_label("Title")).to_have_value("Review the disputed price")
    expect(new.get_by_label("Text")).to_have_value("Check the price list against the order.")
    new.get_by_label("Title").fill("Review the price of the November order")
    new.get_by_label("Due date").fill("2026-12-08")
    assert_accessible(page)
    new.get_by_role("button", name="Create the action").click()
    expect(page.locator("#messages")).to_have_text(
        "Action “Review the price of the November order” created for Olivia Martin, due 08/12/2026."
    )
    expect(new).to_be_hidden()
    # The statement's selection was reset with the refresh; the dialog too.
    expect(page.get_by_role("button", name="New action…")).to_be_disabled()
    # Another action from the same dialog is another action (a form of its own).
    page.get_by_label("INV-2026-0912").check()
    page.get_by_role("button", name="New action…").click()
    expect(new.get_by_label("Title")).to_have_value("")
    new.get_by_label("Title").fill("Send the statement of account")
    new.get_by_role("button", name="Create the action").click()
    expect(page.locator("#messages")).to_contain_text("Action “Send the statement of account”")
    assert Action.objects.count() == 2
    Action.objects.filter(title="Send the statement of account").delete()

    page.get_by_role("link", name="My actions").click()
    upcoming = page.get_by_role("region", name=re.compile("^Upcoming"))
    upcoming.get_by_role("link", name="Review the price of the November order").click()
    page.get_by_label("New due date").fill("2026-12-09")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator("#messages")).to_have_text(
        "“Review the price of the November order” is now due on 09/12/2026."
    )
    expect(page.locator(".trail")).to_contain_text("Rescheduled from 08/12/2026 to 09/12/2026")
    page.get_by_label("Assign to").select_option(label="Roger Resolver")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator("#messages")).to_have_text(
        "“Review the price of the November order” is now assigned to Roger Resolver."
    )
    expect(page.get_by_text("This action is assigned to somebody else")).to_be_visible()
    assert_accessible(page)
    action = Action.objects.get()
    assert (str(action.due_date), action.assigned_to) == ("2026-12-09", roger)
    assert action.template.name == "Dispute review"


def test_the_history_tab_its_comment_and_older_events_as_one_scrolls(page: Page, olivia, account):
    customer = account.customer
    for n in range(40):
        Action.objects.create(
            customer=customer,
            title=f"Old call {n:02d}",
            created_by=olivia,
            created_at=account.items["INV-2026-0912"].created_at.replace(year=2025, day=1)
            + datetime.timedelta(hours=n),
        )
    sign_in(page, olivia)
    page.goto(f"/customers/{customer.pk}/history/")
    expect(page.get_by_role("heading", name="Comment on the account")).to_be_visible()
    entries = page.locator(".timeline-entry")
    expect(entries).to_have_count(30)
    assert_accessible(page)
    page.locator("#history-more").scroll_into_view_if_needed()
    expect(entries).to_have_count(40)
    expect(entries.last).to_contain_text("Old call 00")

    page.get_by_label("Edit the comment").fill("Pays on the 10th; call the CFO, not the buyer.")
    page.get_by_role("button", name="Save the comment").click()
    expect(page.locator("#messages")).to_have_text(
        "Comment saved; the earlier version is in the history."
    )
    expect(page.locator(".comment-text")).to_have_text(
        "Pays on the 10th; call the CFO, not the buyer."
    )
    expect(entries.first).to_contain_text("Olivia Martin · Comment on the account")
    page.get_by_label("Edit the comment").fill("Pays on the 15th now.")
    page.get_by_role("button", name="Save the comment").click()
    expect(entries.first).to_contain_text("Replaced: “Pays on the 10th; call the CFO")
    assert_accessible(page)
    assert list(CustomerComment.objects.order_by("pk").values_list("text", flat=True)) == [
        "Pays on the 10th; call the CFO, not the buyer.",
        "Pays on the 15th now.",
    ]
