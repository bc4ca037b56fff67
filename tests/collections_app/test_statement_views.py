from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from collections_app.models import Action, OpenItem, StatusChange
from tests.factories import (
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    UserFactory,
    configure_quick_promise,
)
from tests.utils import database_state, element

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer():
    return CustomerFactory(name="Dupont Industries", code="0042-DUP")


@pytest.fixture
def items(customer):
    return [
        OpenItemFactory(
            customer=customer,
            number="INV-001",
            due_date=datetime.date(2026, 11, 23),
            amount=Decimal("1234.50"),
        ),
        OpenItemFactory(
            customer=customer,
            number="INV-002",
            due_date=datetime.date(2026, 12, 20),
            amount=Decimal("99.99"),
        ),
    ]


def reminders_url(customer):
    return reverse("collections:reminders", args=[customer.pk])


def quick_promise_url(customer):
    return reverse("collections:quick-promise", args=[customer.pk])


class TestStatement:
    def test_anonymous_goes_to_login(self, client, customer):
        response = client.get(reminders_url(customer))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    def test_user_without_role_is_refused(self, client, customer):
        client.force_login(UserFactory())
        response = client.get(reminders_url(customer))
        assert response.status_code == 403
        assertContains(response, "not allowed", status_code=403)

    def test_unknown_customer_is_404(self, officer_client):
        assert (
            officer_client.get(reverse("collections:reminders", args=[987654])).status_code == 404
        )

    def test_post_is_not_allowed(self, officer_client, customer):
        assert officer_client.post(reminders_url(customer)).status_code == 405

    @pytest.mark.parametrize("who", ["officer_client", "admin_client_"])
    def test_shows_the_account_statement(self, request, who, customer, items):
        client = request.getfixturevalue(who)
        CreditNoteFactory(customer=customer, number="CN-7", amount=Decimal("-50.00"))
        OpenItemFactory(customer=customer, number="PAID-1", open_amount=Decimal("0"))
        OpenItemFactory(number="FOREIGN-1")
        response = client.get(reminders_url(customer))
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("max-age=0")
        html = response.content.decode()
        assert "<html" in html
        for text in ["INV-001", "INV-002", "CN-7", "Reminders and disputes", "Dupont Industries"]:
            assert text in html
        assert "PAID-1" not in html  # closed items are not outstanding
        assert "FOREIGN-1" not in html
        # Amounts with the locale's separators, dates in the short format.
        assertContains(response, "1,234.50")
        assertContains(response, "23/11/2026")
        # Totals: outstanding (net of the credit note) and overdue.
        assertContains(response, "1,284.49")
        # Days overdue of INV-001: due 23 Nov, today 3 Dec.
        assertContains(response, '<span class="overdue">10</span>', html=True)
        # Each row's checkbox is labelled by the item number.
        assertContains(response, f'<label for="item-{items[0].pk}">INV-001</label>', html=True)
        # Credit notes cannot be selected; amounts are given to the page unlocalised.
        credit = OpenItem.objects.get(number="CN-7")
        assert "disabled" in element(html, "input", id=f"item-{credit.pk}")
        box = element(html, "input", id=f"item-{items[0].pk}")
        assert "disabled" not in box
        assert box["data-amount"] == "1234.50"
        assert box["name"] == "items"
        assert box["value"] == str(items[0].pk)

    def test_the_totals_by_currency_above_the_statement(self, officer_client, customer):
        OpenItemFactory(customer=customer, amount=Decimal("1234.50"), due_date=NOW.date())
        OpenItemFactory(
            customer=customer, amount=Decimal("20000.00"), currency="JPY", due_date=NOW.date()
        )
        OpenItemFactory(
            customer=customer, amount=Decimal("150000.00"), currency="JPY",
            due_date=datetime.date(2026, 11, 1),
        )  # fmt: skip
        response = officer_client.get(reminders_url(customer))
        figures = (
            '<dl class="figures">'
            '<div><dt>Outstanding (EUR)</dt><dd class="num">1,234.50</dd></div>'
            '<div><dt>Overdue (EUR)</dt><dd class="num">0.00</dd></div>'
            '<div><dt>Outstanding (JPY)</dt><dd class="num">170,000</dd></div>'
            '<div><dt>Overdue (JPY)</dt><dd class="num overdue">150,000</dd></div>'
            '<div><dt>Outstanding items</dt><dd class="num">3</dd></div>'
            "</dl>"
        )
        assertContains(response, figures, html=True)
        # In French: the words and the separators of the language.
        officer_client.cookies["django_language"] = "fr"
        response = officer_client.get(reminders_url(customer), headers={"accept-language": "fr"})
        assertContains(response, "<dt>Encours (JPY)</dt>", html=True)
        assertContains(response, '<dd class="num">1\xa0234,50</dd>', html=True)

    def test_the_totals_of_an_account_without_items(self, officer_client, customer):
        response = officer_client.get(reminders_url(customer))
        figures = (
            '<dl class="figures">'
            '<div><dt>Outstanding</dt><dd class="num">0.00</dd></div>'
            '<div><dt>Outstanding items</dt><dd class="num">0</dd></div>'
            "</dl>"
        )
        assertContains(response, figures, html=True)

    def test_item_ids_are_never_localised(self, officer_client, customer):
        # 12,345 with a thousands separator would not be an id the server knows.
        item = OpenItemFactory(pk=12345, customer=customer)
        response = officer_client.get(reminders_url(customer))
        box = element(response.content, "input", id="item-12345")
        assert box["value"] == "12345"
        assertContains(response, '<label for="item-12345">', html=False)
        assert item.pk == 12345

    def test_quick_promise_is_greyed_out_until_configured(self, officer_client, customer, items):
        response = officer_client.get(reminders_url(customer))
        button = element(response.content, "button", data_quick_promise=None)
        assert "disabled" in button
        assert "data-ready" not in button
        assertContains(response, "Quick Promise is not configured yet")
        assertContains(response, "Admin › Manage item status › Preferences")

    def test_quick_promise_is_enabled_once_configured(self, officer_client, customer, items):
        configure_quick_promise(delay_days=3)
        response = officer_client.get(reminders_url(customer))
        button = element(response.content, "button", data_quick_promise=None)
        assert "disabled" not in button
        assert "data-ready" in button
        assertContains(response, "D+3 (06/12/2026)")
        assertNotContains(response, "not configured")

    def test_inactive_quick_promise_status_greys_the_button_out(
        self, officer_client, customer, items
    ):
        preference = configure_quick_promise()
        preference.status.is_active = False
        preference.status.save()
        response = officer_client.get(reminders_url(customer))
        button = element(response.content, "button", data_quick_promise=None)
        assert "disabled" in button
        assertContains(response, "is inactive")

    def test_htmx_request_gets_the_fragment(self, officer_client, customer, items, htmx_headers):
        response = officer_client.get(reminders_url(customer), headers=htmx_headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.lstrip().startswith('<section id="statement"')

    def test_history_restore_gets_the_full_page(self, officer_client, customer, items):
        headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        response = officer_client.get(reminders_url(customer), headers=headers)
        assert "<html" in response.content.decode()

    def test_sorting(self, officer_client, customer, items):
        response = officer_client.get(reminders_url(customer) + "?sort=-due_date")
        html = response.content.decode()
        assert html.index("INV-002") < html.index("INV-001")
        response = officer_client.get(reminders_url(customer) + "?sort=nonsense")
        html = response.content.decode()
        assert html.index("INV-001") < html.index("INV-002")

    def test_queries_do_not_grow_with_the_items(
        self, officer_client, customer, django_assert_max_num_queries
    ):
        configure_quick_promise()
        OpenItemFactory.create_batch(5, customer=customer)
        with django_assert_max_num_queries(12) as few:
            officer_client.get(reminders_url(customer))
        OpenItemFactory.create_batch(100, customer=customer)
        with django_assert_max_num_queries(len(few.captured_queries)):
            officer_client.get(reminders_url(customer))


class TestQuickPromiseView:
    def test_htmx_post_swaps_in_the_refreshed_statement(
        self, officer_client, officer, customer, items, htmx_headers
    ):
        preference = configure_quick_promise(delay_days=3)
        response = officer_client.post(
            quick_promise_url(customer),
            {"items": [items[0].pk, items[1].pk]},
            headers=htmx_headers,
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert '<section id="statement"' in html
        assert "2 items promised for 06/12/2026, follow-up scheduled for Olivia Officer." in html
        assert 'hx-swap-oob="innerHTML"' in html  # the message goes to the message area
        assert preference.status.label in html
        assert "06/12/2026" in html
        for item in items:
            item.refresh_from_db()
            assert item.status == preference.status
        action = Action.objects.get()
        assert action.assigned_to == officer

    def test_plain_post_redirects_to_the_statement_with_a_message(
        self, officer_client, customer, items
    ):
        configure_quick_promise(delay_days=1)
        response = officer_client.post(quick_promise_url(customer), {"items": [items[0].pk]})
        assert response.status_code == 302
        assert response["Location"] == reminders_url(customer)
        page = officer_client.get(response["Location"])
        assertContains(
            page, "1 item promised for 04/12/2026, follow-up scheduled for Olivia Officer."
        )
        assertContains(page, "04/12/2026")

    def test_sort_is_kept_after_a_promise(self, officer_client, customer, items, htmx_headers):
        configure_quick_promise()
        response = officer_client.post(
            quick_promise_url(customer) + "?sort=-due_date",
            {"items": [items[0].pk]},
            headers=htmx_headers,
        )
        html = response.content.decode()
        assert html.index("INV-002") < html.index("INV-001")

    def test_refusal_shows_the_reason_and_keeps_the_selection(
        self, officer_client, customer, items, htmx_headers
    ):
        configure_quick_promise()
        OpenItem.objects.filter(pk=items[1].pk).update(open_amount=0)  # paid meanwhile
        before = database_state()
        response = officer_client.post(
            quick_promise_url(customer),
            {"items": [items[0].pk, items[1].pk]},
            headers=htmx_headers,
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "INV-002 is already paid or closed" in html
        assert 'role="alert"' in html
        assert database_state() == before
        # The remaining item is still ticked so the officer can go on.
        assert "checked" in element(html, "input", id=f"item-{items[0].pk}")
        assert f'id="item-{items[1].pk}"' not in html  # paid: no longer on the statement

    def test_refusal_without_javascript_shows_the_full_page(self, officer_client, customer, items):
        response = officer_client.post(quick_promise_url(customer), {"items": [items[0].pk]})
        assert response.status_code == 422
        assertContains(response, "<html", status_code=422)
        assertContains(response, "Quick Promise is not configured", status_code=422)
        assert not StatusChange.objects.exists()

    def test_nothing_selected(self, officer_client, customer, items, htmx_headers):
        configure_quick_promise()
        response = officer_client.post(quick_promise_url(customer), {}, headers=htmx_headers)
        assertContains(response, "Select at least one item", status_code=422)

    def test_get_is_not_allowed(self, officer_client, customer):
        assert officer_client.get(quick_promise_url(customer)).status_code == 405

    def test_anonymous_is_asked_to_sign_in_and_nothing_changes(self, client, customer, items):
        configure_quick_promise()
        before = database_state()
        response = client.post(
            quick_promise_url(customer),
            {"items": [items[0].pk]},
            headers={"Referer": f"http://testserver{reminders_url(customer)}"},
        )
        assertContains(response, "nothing was changed", status_code=401)
        assertContains(
            response,
            f"/accounts/login/?next={reminders_url(customer)}",
            status_code=401,
        )
        assert database_state() == before

    def test_expired_session_on_htmx_reloads_the_login_page(self, client, customer, items):
        configure_quick_promise()
        before = database_state()
        response = client.post(
            quick_promise_url(customer),
            {"items": [items[0].pk]},
            headers={
                "HX-Request": "true",
                "HX-Current-URL": f"http://testserver{reminders_url(customer)}",
            },
        )
        assert response.status_code == 401
        assert (
            response["HX-Redirect"] == f"/accounts/login/?next={reminders_url(customer)}&expired=1"
        )
        assert database_state() == before

    def test_user_without_the_permission_gets_403(self, client, customer, items, htmx_headers):
        configure_quick_promise()
        client.force_login(UserFactory())
        before = database_state()
        response = client.post(quick_promise_url(customer), {"items": [items[0].pk]})
        assert response.status_code == 403
        response = client.post(
            quick_promise_url(customer), {"items": [items[0].pk]}, headers=htmx_headers
        )
        assert response.status_code == 403
        assert response["HX-Retarget"] == "#messages"
        assertContains(response, "not allowed", status_code=403)
        assert database_state() == before

    def test_administrators_may_promise_too(self, admin_client_, customer, items):
        configure_quick_promise()
        response = admin_client_.post(quick_promise_url(customer), {"items": [items[0].pk]})
        assert response.status_code == 302
        assert StatusChange.objects.count() == 1

    def test_items_of_another_customer_through_this_customers_url(
        self, officer_client, customer, items, htmx_headers
    ):
        configure_quick_promise()
        other = OpenItemFactory()
        before = database_state()
        response = officer_client.post(
            quick_promise_url(customer), {"items": [other.pk]}, headers=htmx_headers
        )
        assertContains(response, "does not belong to Dupont Industries", status_code=422)
        assert database_state() == before


def test_credit_notes_are_never_overdue(officer_client, customer):
    credit = CreditNoteFactory(customer=customer, due_date=datetime.date(2026, 1, 1))
    response = officer_client.get(reminders_url(customer))
    assert credit.days_overdue(datetime.date(2026, 12, 3)) == 0
    assert '<span class="overdue">' not in response.content.decode()


class TestStalePages:
    """A change made from a page refuses what changed since the page was shown."""

    def _seen(self, client, customer):
        page = client.get(reminders_url(customer))
        form = {
            name: element(page.content, "input", name=name)["value"]
            for name in ("seen_at", "expected_status", "expected_delay")
        }
        return form

    def test_the_same_form_sent_again_says_it_was_already_done(
        self, officer_client, customer, items, htmx_headers
    ):
        configure_quick_promise()
        form = self._seen(officer_client, customer)
        data = {"items": [items[0].pk, items[1].pk], **form}
        first = officer_client.post(quick_promise_url(customer), data, headers=htmx_headers)
        assert first.status_code == 200
        before = database_state()
        again = officer_client.post(quick_promise_url(customer), data, headers=htmx_headers)
        assertContains(again, "were already promised")
        # Nothing happened: said as information, not as a success.
        assertContains(again, '<p class="message message-info">')
        assert database_state() == before

    def test_an_item_a_colleague_put_in_dispute_since_is_not_promised(
        self, officer_client, other_officer, customer, items, htmx_headers
    ):
        from collections_app.services.item_status import change_item_status
        from tests.factories import ItemStatusFactory

        configure_quick_promise(delay_days=2)
        form = self._seen(officer_client, customer)
        dispute = ItemStatusFactory(label="In dispute", kind="dispute")
        with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
            change_item_status(
                customer=customer,
                item_ids=[items[0].pk],
                status=dispute,
                status_date=datetime.date(2026, 12, 10),
                comment="Goods never delivered",
                resolver=other_officer,
                user=other_officer,
            )
        before = database_state()
        with time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False):
            response = officer_client.post(
                quick_promise_url(customer),
                {"items": [items[0].pk, items[1].pk], **form},
                headers=htmx_headers,
            )
        assertContains(response, "was changed by somebody else", status_code=422)
        assert database_state() == before
        items[0].refresh_from_db()
        assert items[0].status == dispute

    def test_the_page_reloaded_after_the_change_may_promise(
        self, officer_client, customer, items, htmx_headers
    ):
        configure_quick_promise(delay_days=2)
        with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
            form = self._seen(officer_client, customer)
            response = officer_client.post(
                quick_promise_url(customer), {"items": [items[0].pk], **form}, headers=htmx_headers
            )
        assertContains(response, "1 item promised")

    def test_settings_changed_since_the_page_are_not_applied(
        self, officer_client, customer, items, htmx_headers
    ):
        configure_quick_promise(delay_days=3)
        form = self._seen(officer_client, customer)
        configure_quick_promise(delay_days=5)  # an administrator, meanwhile
        before = database_state()
        response = officer_client.post(
            quick_promise_url(customer), {"items": [items[0].pk], **form}, headers=htmx_headers
        )
        assertContains(response, "settings changed since this page was shown", status_code=422)
        assertContains(response, "D+5", status_code=422)
        assert database_state() == before


def test_yen_amounts_show_no_decimals(officer_client):
    customer = CustomerFactory(currency="JPY")
    OpenItemFactory(customer=customer, number="INV-JP", amount=Decimal("150000"), currency="JPY")
    response = officer_client.get(reminders_url(customer))
    assertContains(response, '<td class="num">150,000</td>')
    assertNotContains(response, "150,000.00")
    # The selection total is written by the script the same way.
    form = element(response.content, "form", id="statement-form")
    assert "JPY" in form["data-whole-currencies"].split()
    assert "EUR" not in form["data-whole-currencies"].split()


def test_every_value_of_a_row_is_escaped(officer_client):
    customer = CustomerFactory()
    status = ItemStatusFactory(label="<i>Disputed</i>", kind="dispute")
    OpenItemFactory(
        customer=customer,
        number="<b>INV</b>",
        status=status,
        status_comment='<script>alert("x")</script>',
        status_set_by=OfficerFactory(first_name="<em>Eve</em>", last_name=""),
    )
    response = officer_client.get(reminders_url(customer))
    html = response.content.decode()
    for raw in ("<b>INV</b>", "<i>Disputed</i>", '<script>alert("x")</script>', "<em>Eve</em>"):
        assert raw not in html
    for escaped in (
        "&lt;b&gt;INV&lt;/b&gt;",
        "&lt;i&gt;Disputed&lt;/i&gt;",
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
        "&lt;em&gt;Eve&lt;/em&gt;",
    ):
        assert escaped in html
