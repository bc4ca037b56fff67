from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import CreditNoteFactory, CustomerFactory, OpenItemFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("customers:list")
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ledger():
    dupont = CustomerFactory(code="0042-DUP", name="Dupont Industries")
    martin = CustomerFactory(code="0077-MAR", name="Martin Logistique")
    OpenItemFactory(customer=dupont, amount=Decimal("1000.00"), due_date=datetime.date(2026, 11, 1))
    OpenItemFactory(customer=dupont, amount=Decimal("250.00"), due_date=datetime.date(2026, 12, 31))
    CreditNoteFactory(
        customer=dupont, amount=Decimal("-100.00"), due_date=datetime.date(2026, 10, 1)
    )
    OpenItemFactory(customer=dupont, amount=Decimal("5.00"), open_amount=Decimal("0"))
    OpenItemFactory(customer=dupont, amount=Decimal("70.00"), currency="USD")
    OpenItemFactory(
        customer=martin, amount=Decimal("12345.67"), due_date=datetime.date(2026, 12, 2)
    )
    return dupont, martin


def test_lists_customers_with_totals(officer_client, ledger):
    response = officer_client.get(LIST)
    assert response.status_code == 200
    assertContains(response, "2 customers")
    # Dupont: 1000 + 250 - 100 outstanding in EUR, 1000 overdue (credits are not overdue).
    assertContains(response, "1,150.00")
    assertContains(response, '<td class="num overdue">1,000.00</td>', html=True)
    assertContains(response, "+1 item in another currency")
    assertContains(response, '<td class="num overdue">12,345.67</td>', html=True)


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("0042", "Dupont", "Martin"),
        ("dup", "Dupont", "Martin"),
        ("LOGISTIQUE", "Martin", "Dupont"),
        ("ogist", "Martin", "Dupont"),
        ("  0077-mar ", "Martin", "Dupont"),
    ],
)
def test_search_by_code_or_any_part_of_the_name(officer_client, ledger, query, found, not_found):
    response = officer_client.get(LIST, {"q": query})
    assertContains(response, found)
    assertNotContains(response, not_found)


def test_search_without_match(officer_client, ledger):
    assertContains(officer_client.get(LIST, {"q": "zzz"}), "No customer matches “zzz”.")


def test_sort_by_overdue(officer_client, ledger):
    html = officer_client.get(LIST, {"sort": "-overdue"}).content.decode()
    assert html.index("Martin") < html.index("Dupont")
    html = officer_client.get(LIST, {"sort": "overdue"}).content.decode()
    assert html.index("Dupont") < html.index("Martin")
    assert officer_client.get(LIST, {"sort": "drop table"}).status_code == 200


def test_htmx_search_returns_the_results_fragment(officer_client, ledger, htmx_headers):
    response = officer_client.get(LIST, {"q": "dup"}, headers=htmx_headers)
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="results"')


def test_pagination(officer_client):
    CustomerFactory.create_batch(55)
    response = officer_client.get(LIST)
    assertContains(response, "Page 1 of 2")
    assertContains(officer_client.get(LIST, {"page": "2"}), "Page 2 of 2")
    assert officer_client.get(LIST, {"page": "abc"}).status_code == 200


def test_list_queries_do_not_grow_with_customers(officer_client, django_assert_max_num_queries):
    customer = CustomerFactory()
    OpenItemFactory(customer=customer)
    with django_assert_max_num_queries(10) as few:
        officer_client.get(LIST)
    for customer in CustomerFactory.create_batch(30):
        OpenItemFactory(customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        officer_client.get(LIST)


def test_customer_file_overview(officer_client, ledger):
    dupont, _martin = ledger
    response = officer_client.get(reverse("customers:detail", args=[dupont.pk]))
    assertContains(response, "Dupont Industries")
    assertContains(response, "Reminders and disputes")
    assertContains(response, "1,150.00 EUR")
    assertContains(response, reverse("collections:reminders", args=[dupont.pk]))


@pytest.mark.parametrize("name", ["customers:list", "customers:detail"])
def test_access(client, ledger, name):
    args = [ledger[0].pk] if name == "customers:detail" else []
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 405


def test_unknown_customer(officer_client):
    assert officer_client.get(reverse("customers:detail", args=[424242])).status_code == 404


def test_administrators_see_customers(admin_client_, ledger):
    assert admin_client_.get(LIST).status_code == 200
