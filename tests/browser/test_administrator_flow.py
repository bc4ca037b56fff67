"""The administrator's part: a promise status with a follow-up, then Preferences."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from collections_app.models import ActionTemplate, ItemStatus, QuickPromisePreference, StatusKind
from tests.browser.helpers import assert_accessible, screenshot, sign_in
from tests.factories import AdministratorFactory, ItemStatusFactory

pytestmark = pytest.mark.browser


def test_administrator_sets_up_quick_promise(page: Page):
    ada = AdministratorFactory(username="ada", first_name="Ada", last_name="Laurent")
    ItemStatusFactory(label="Price dispute", kind=StatusKind.DISPUTE)
    ItemStatusFactory(label="In litigation", kind=StatusKind.LITIGATION)

    sign_in(page, ada)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(
        page.get_by_role("heading", name="Manage item status (disputes, etc.)", level=1)
    ).to_be_visible()
    assert_accessible(page)

    # First the follow-up: an action template.
    tabs = page.get_by_role("navigation", name="Manage item status")
    tabs.get_by_role("link", name="Action templates").click()
    expect(page.get_by_role("heading", name="Action templates")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New template").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Check the promised payment")
    page.get_by_label("Action type").select_option(label="Call")
    page.get_by_label("Action title").fill("Check the promised payment arrived")
    page.get_by_label("Action text").fill("If it is not in, call the customer back.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_have_text(
        "Action template “Check the promised payment” created."
    )
    expect(page.get_by_role("rowheader", name="Check the promised payment")).to_be_visible()

    # Then the status that carries it.
    tabs.get_by_role("link", name="Item statuses").click()
    page.get_by_role("link", name="New status").click()
    assert_accessible(page)
    page.get_by_label("Label").fill("Promise to pay")
    page.get_by_label("Kind").select_option(label="Promise to pay")
    page.get_by_label("Action template").select_option(label="Check the promised payment")
    expect(page.get_by_label("Active")).to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_have_text("Status “Promise to pay” created.")
    new_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Promise to pay")
    )
    expect(new_row).to_contain_text("Check the promised payment")
    expect(new_row.locator(".badge-promise")).to_have_text("Promise to pay")
    assert_accessible(page)

    # Preferences: the status and D+3, then Validate.
    tabs.get_by_role("link", name="Preferences").click()
    expect(page.get_by_role("heading", name="Preferences", level=2)).to_be_visible()
    expect(page.get_by_text("Not configured yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Quick payment promise status").select_option(label="Promise to pay")
    page.get_by_label("Promised payment date").select_option(label="D+3")
    page.get_by_role("button", name="Validate").click()

    expect(page.locator("#messages")).to_have_text(
        "Quick Promise preferences saved: status “Promise to pay”, promised payment date D+3."
    )
    expect(page.get_by_text(re.compile(r"Current setting: “Promise to pay”, D\+3"))).to_be_visible()
    expect(page.get_by_label("Quick payment promise status")).to_have_value(
        str(ItemStatus.objects.get(label="Promise to pay").pk)
    )
    expect(page.get_by_label("Promised payment date")).to_have_value("3")
    assert_accessible(page)
    screenshot(page, "preferences.png")

    preference = QuickPromisePreference.load()
    assert preference.status.label == "Promise to pay"
    assert preference.status.kind == StatusKind.PROMISE
    assert preference.status.action_template == ActionTemplate.objects.get(
        name="Check the promised payment"
    )
    assert preference.delay_days == 3
    assert preference.updated_by == ada
