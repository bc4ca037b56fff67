"""The statement of a large account: pages loaded as the officer scrolls, filters
and sorting done by the database, and "select all" beyond the loaded rows."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains

from collections_app.models import Action, DocumentType, OpenItem, StatusChange
from collections_app.selectors import STATEMENT_PAGE_SIZE
from tests.factories import (
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OpenItemFactory,
    configure_quick_promise,
)
from tests.utils import database_state, element, elements

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def big_account():
    """120 invoices: the first 70 overdue (due before today), the others not."""
    customer = CustomerFactory(name="Grande Distribution")
    items = [
        OpenItem(
            customer=customer,
            number=f"INV-{n:04d}",
            document_type=DocumentType.INVOICE,
            document_date=datetime.date(2026, 1, 1),
            due_date=TODAY + datetime.timedelta(days=n - 70),
            amount=Decimal("10.00") + n,
            open_amount=Decimal("10.00") + n,
            currency="EUR",
        )
        for n in range(120)
    ]
    OpenItem.objects.bulk_create(items)
    return customer


def url(customer, **params):
    base = reverse("collections:reminders", args=[customer.pk])
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{base}?{query}" if query else base


def shown_numbers(response) -> list[str]:
    return [box["id"] for box in elements(response.content, "input", name="items")]


def test_the_first_page_shows_the_first_rows_and_the_totals_of_all(officer_client, big_account):
    response = officer_client.get(url(big_account))
    assert len(shown_numbers(response)) == STATEMENT_PAGE_SIZE
    assertContains(response, "INV-0000")
    assert "INV-0050" not in response.content.decode()
    # Totals are of the whole account, not of the page.
    total = sum(Decimal("10.00") + n for n in range(120))
    assertContains(response, f"{total:,.2f}")
    assertContains(response, "120 matching items")
    # The next rows load as the officer scrolls to them, or with a real link.
    more = element(response.content, "tr", id="statement-more")
    assert more["hx-trigger"] == "intersect once"
    assert more["hx-get"].endswith("page=2")


def test_the_next_rows_come_alone_for_the_endless_scroll(officer_client, big_account):
    headers = {"HX-Request": "true", "HX-Target": "statement-more"}
    response = officer_client.get(url(big_account, page=2), headers=headers)
    html = response.content.decode()
    assert html.lstrip().startswith("<tr")
    assert "<section" not in html
    assert "INV-0050" in html
    assert "INV-0049" not in html
    assert element(response.content, "tr", id="statement-more")["hx-get"].endswith("page=3")
    last = officer_client.get(url(big_account, page=3), headers=headers)
    assert "INV-0119" in last.content.decode()
    assert 'id="statement-more"' not in last.content.decode()


def test_without_javascript_the_next_page_is_a_link(officer_client, big_account):
    response = officer_client.get(url(big_account, page=3))
    assert "<html" in response.content.decode()
    assertContains(response, "INV-0119")
    assertContains(response, "Back to the first items")


@pytest.mark.parametrize(
    ("params", "count", "first", "absent"),
    [
        ({"overdue": "on"}, 70, "INV-0000", "INV-0070"),
        ({"due_from": "2026-12-10", "due_to": "2026-12-12"}, 3, "INV-0077", "INV-0076"),
        ({"q": "INV-011"}, 10, "INV-0110", "INV-0109"),
        ({"q": "inv-0005"}, 1, "INV-0005", "INV-0004"),
        ({"sort": "-due_date"}, 120, "INV-0119", "INV-0000"),
        ({"overdue": "on", "sort": "-open_amount"}, 70, "INV-0069", "INV-0070"),
    ],
)
def test_filters_and_sorting_by_the_database(
    officer_client, big_account, params, count, first, absent
):
    response = officer_client.get(url(big_account, **params))
    assertContains(response, f"{count} matching item{'s' if count > 1 else ''}")
    numbers = shown_numbers(response)
    first_item = OpenItem.objects.get(number=first, customer=big_account)
    assert numbers[0] == f"item-{first_item.pk}"
    assert absent not in response.content.decode().split("<tbody>")[1]


def test_status_filters(officer_client, big_account):
    status = ItemStatusFactory(label="Reminder sent")
    OpenItem.objects.filter(number__in=["INV-0001", "INV-0002"]).update(status=status)
    response = officer_client.get(url(big_account, status=status.pk))
    assertContains(response, "2 matching items")
    response = officer_client.get(url(big_account, status="none"))
    assertContains(response, "118 matching items")


def test_a_bad_filter_value_is_said_and_left_out(officer_client, big_account):
    response = officer_client.get(url(big_account, due_from="31/02/2026", q="INV-000"))
    assert response.status_code == 200
    assertContains(response, "Enter a valid date.")
    assertContains(response, "10 matching items")  # the other filter still applies
    response = officer_client.get(url(big_account, status="banana", page="x"))
    assertContains(response, "Select a valid choice")
    assertContains(response, "120 matching items")


def test_no_item_matches(officer_client, big_account):
    assertContains(
        officer_client.get(url(big_account, q="nothing-like-this")), "No outstanding item matches"
    )


def test_filters_swap_the_statement_with_htmx(officer_client, big_account, htmx_headers):
    response = officer_client.get(url(big_account, overdue="on"), headers=htmx_headers)
    assert response.content.decode().lstrip().startswith('<section id="statement"')


def test_queries_do_not_grow_with_the_account(officer_client, django_assert_max_num_queries):
    customer = CustomerFactory()
    OpenItemFactory.create_batch(3, customer=customer)
    with django_assert_max_num_queries(12) as small:
        officer_client.get(url(customer))
    OpenItemFactory.create_batch(200, customer=customer)
    with django_assert_max_num_queries(len(small.captured_queries)):
        officer_client.get(url(customer))
    with django_assert_max_num_queries(len(small.captured_queries)):
        officer_client.get(
            url(customer, page=3), headers={"HX-Request": "true", "HX-Target": "statement-more"}
        )


def test_select_all_matching_promises_every_matching_item_not_only_the_loaded_ones(
    officer_client, big_account, htmx_headers
):
    configure_quick_promise(delay_days=2)
    CreditNoteFactory(customer=big_account, due_date=datetime.date(2026, 1, 1))
    page = officer_client.get(url(big_account, overdue="on"))
    offer = element(page.content, "button", data_select_all_matching=None)
    assert offer["data-count"] == "70"
    assert offer["data-totals"] == '[["EUR", "3115.00"]]'  # 70 x 10 + (0+...+69)

    response = officer_client.post(
        reverse("collections:quick-promise", args=[big_account.pk]) + "?overdue=on",
        {"all_matching": "1"},
        headers=htmx_headers,
    )

    assert response.status_code == 200
    assertContains(
        response, "70 items promised for 05/12/2026, follow-up scheduled for Olivia Officer."
    )
    promised = OpenItem.objects.filter(promise_date=datetime.date(2026, 12, 5))
    assert promised.count() == 70
    assert set(promised.values_list("number", flat=True)) == {f"INV-{n:04d}" for n in range(70)}
    assert Action.objects.get().items.count() == 70
    assert StatusChange.objects.count() == 70


def test_select_all_matching_with_nothing_to_promise(officer_client, big_account, htmx_headers):
    configure_quick_promise()
    before = database_state()
    response = officer_client.post(
        reverse("collections:quick-promise", args=[big_account.pk]) + "?q=nothing",
        {"all_matching": "1"},
        headers=htmx_headers,
    )
    assertContains(response, "No item matching the filters can be promised.", status_code=422)
    assert database_state() == before


def test_a_promise_keeps_the_filters_and_sort(officer_client, big_account):
    configure_quick_promise()
    item = OpenItem.objects.get(number="INV-0003")
    response = officer_client.post(
        reverse("collections:quick-promise", args=[big_account.pk]) + "?overdue=on&sort=-due_date",
        {"items": [item.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == url(big_account, overdue="on", sort="-due_date")
