"""The officer's way in French: a browser that asks for French gets the whole
interface in French, with French dates and amounts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import assert_accessible, page_of_its_own, screenshot
from tests.browser.ledger import ledger, officer
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def french(browser: Browser, watch, live_server):
    with page_of_its_own(browser, watch, live_server.url, locale="fr-FR") as page:
        yield page


def test_quick_promise_in_french(french: Page):
    page = french
    olivia = officer()
    account = ledger(collector=olivia)
    page.goto(f"/customers/{account.customer.pk}/reminders/")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Nom d’utilisateur").fill(olivia.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name="Relevé de compte")).to_be_visible()
    assert_accessible(page)
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="INV-2026-0912"))
    # French amounts and dates: a space between thousands, a decimal comma.
    expect(row).to_contain_text(re.compile(r"4\s850,00"))
    expect(row).to_contain_text(re.compile(r"\d\d/\d\d/2026"))
    page.get_by_label("INV-2026-0912").check()
    page.get_by_label("INV-2026-0987").check()
    expect(page.locator("#selection-total")).to_contain_text("2 pièces sélectionnées")
    screenshot(page, "statement-fr.png")

    page.get_by_role("button", name="Promesse rapide").click()
    expect(page.locator("#messages")).to_have_text(
        "2 pièces promises pour le 07/12/2026, action de suivi planifiée pour Olivia Martin."
    )
    expect(row.locator(".badge-promise")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Mes actions").click()
    expect(page.get_by_role("heading", name="Mes actions")).to_be_visible()
    assert_accessible(page)

    # Back to English from the footer, on the same page.
    page.get_by_label("Langue").select_option(label="British English")
    page.get_by_role("button", name="Changer de langue").click()
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en-gb"
