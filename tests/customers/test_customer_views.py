from __future__ import annotations

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from collections_app.models import PaymentPromise
from customers.models import Customer
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
    # A page far past the end (or past what a database counts to) is the last one.
    for far in ("1000000000000000000", "99999999999999999999999"):
        assertContains(officer_client.get(LIST, {"page": far}), "Page 2 of 2")


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [{}, {"page": "2"}, {"q": "e"}, {"sort": "-name"}, {"sort": "code"}, {"sort": "-overdue"}],
    ids=["first-page", "page-2", "search", "by-name", "by-code", "by-overdue"],
)
def test_list_queries_do_not_grow_with_rows(officer_client, params):
    customer = CustomerFactory(code="0001-ONE", name="Only One")
    OpenItemFactory(customer=customer)
    few = _queries(officer_client, params)
    for other in CustomerFactory.create_batch(110, name="Somebody Else"):
        OpenItemFactory(customer=other)
        CreditNoteFactory(customer=other, currency="USD")
    many = officer_client.get(LIST, params).context["page"]
    assert len(many.object_list) == 50
    assert _queries(officer_client, params) == few
    # Session, user, permissions, count, page, and the page's totals unless the
    # page is sorted by a total (then they come with the page).
    assert few <= 6


def test_totals_are_the_same_whatever_the_sort(officer_client, ledger):
    by_name = officer_client.get(LIST, {"sort": "name"}).context["page"].object_list
    by_overdue = officer_client.get(LIST, {"sort": "-overdue"}).context["page"].object_list

    def totals(customers):
        return {c.code: (c.outstanding, c.overdue, c.other_currency_items) for c in customers}

    assert (
        totals(by_name)
        == totals(by_overdue)
        == {
            "0042-DUP": (Decimal("1150.00"), Decimal("1000.00"), 1),
            "0077-MAR": (Decimal("12345.67"), Decimal("12345.67"), 0),
        }
    )


def test_a_broad_list_counts_no_further_than_it_shows(officer_client, monkeypatch):
    monkeypatch.setattr("customers.pagination.COUNT_CAP", 10)
    Customer.objects.bulk_create(
        Customer(code=f"B{n:04d}", name=f"Broad Customer {n}") for n in range(130)
    )
    first = officer_client.get(LIST)
    # It counted past page 2 and stopped: more than 100, at least 2 whole pages.
    assertContains(first, "More than 100 customers")
    assertContains(first, "Page 1 of more than 2")
    assertContains(first, "page=2")
    assert first.context["page"].paginator.count == 101
    # Asked for page 2, it counts past page 3: all of them this time.
    second = officer_client.get(LIST, {"page": "2"})
    assertContains(second, "130 customers")
    assertContains(second, "Page 2 of 3")
    third = officer_client.get(LIST, {"page": "3"})
    assert len(third.context["page"].object_list) == 30
    # A page past the end shows the last one.
    assert officer_client.get(LIST, {"page": "99"}).context["page"].number == 3
    assert _queries(officer_client, {"page": "2"}) == _queries(officer_client, {"page": "3"})


@pytest.mark.parametrize("sort", ["name", "-name", "code", "-code"])
@pytest.mark.parametrize("query", ["road", "", "Customer 1"], ids=["broad", "none", "narrow"])
def test_every_page_of_a_search_in_order(officer_client, monkeypatch, sort, query):
    # Counting to 10 at the least, "road" (all 130) is a broad search: the name
    # or code index is walked; counting to 50, "Customer 1" (23 of them) is a
    # narrow one: its matches are sorted.
    narrow = query == "Customer 1"
    monkeypatch.setattr("customers.pagination.COUNT_CAP", 50 if narrow else 10)
    numbers = list(range(130))
    random.Random(7).shuffle(numbers)
    Customer.objects.bulk_create(
        Customer(code=f"B{(n * 37) % 130:04d}", name=f"Broad Customer {n % 60}") for n in numbers
    )
    matching = [c for c in Customer.objects.all() if query.upper() in f"{c.code}{c.name}".upper()]
    key = "name" if sort.endswith("name") else "code"
    expected = sorted(
        matching, key=lambda c: (c.name, c.code) if key == "name" else c.code,
        reverse=sort.startswith("-"),
    )  # fmt: skip
    shown = []
    for number in (1, 2, 3):
        page = officer_client.get(LIST, {"q": query, "sort": sort, "page": number}).context["page"]
        if number == 1:
            assert page.paginator.is_capped is not narrow
        if page.number != number:
            break
        shown += [customer.code for customer in page.object_list]
    assert shown == [customer.code for customer in expected]
    assert len(shown) == (23 if narrow else 130)
    # A search's first page is counted and read with its totals in one query, its
    # matches sorted when every one was counted, the index walked when not; the
    # list without a search counts, then walks the index for its page, then
    # reads the page's totals.
    assert _queries(officer_client, {"q": query, "sort": sort}) == (4 if query else 6)


def test_search_reads_the_trigram_indexes(db):
    """On PostgreSQL, a search by part of the code or the name is an index read,
    not a scan of every customer (the planner is told to avoid scans, so the
    plan shows whether an index can answer the query at all)."""
    from customers.selectors import search_customers

    CustomerFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_customers(query="ogist").order_by().explain()
    assert "customer_code_trgm" in plan
    assert "customer_name_trgm" in plan
    # New customers go to a short pending list (merged in bulk: quick imports),
    # which every search reads until it is merged: 256 kB at most.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'customer_%%_trgm'"
        )
        assert dict(cursor.fetchall()) == {
            "customer_code_trgm": ["fastupdate=on", "gin_pending_list_limit=256"],
            "customer_name_trgm": ["fastupdate=on", "gin_pending_list_limit=256"],
        }


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


def _evaluated_promises(customer, *states: str) -> None:
    today = timezone.localdate()
    for state in states:
        PaymentPromise.objects.create(
            customer=customer,
            promised_date=today - datetime.timedelta(days=10),
            amount=Decimal("100.00"),
            source="quick_promise",
            state=state,
            evaluated_at=timezone.now(),
        )


def test_sort_by_keep_rate_puts_the_worst_keepers_first(officer_client):
    good = CustomerFactory(code="0001-GOO", name="Good Payer")
    half = CustomerFactory(code="0002-HAL", name="Half Payer")
    bad = CustomerFactory(code="0003-BAD", name="Bad Payer")
    CustomerFactory(code="0004-NEW", name="New Customer")  # never evaluated: last
    _evaluated_promises(good, "kept", "kept")
    _evaluated_promises(half, "kept", "broken", "partially_kept", "cancelled")
    _evaluated_promises(bad, "broken")
    rows = officer_client.get(LIST, {"sort": "keep_rate"}).context["page"].object_list
    assert [(c.code, None if c.keep_rate is None else round(c.keep_rate)) for c in rows] == [
        ("0003-BAD", 0),
        ("0002-HAL", 33),
        ("0001-GOO", 100),
        ("0004-NEW", None),
    ]
    rows = officer_client.get(LIST, {"sort": "-keep_rate"}).context["page"].object_list
    assert [c.code for c in rows] == ["0001-GOO", "0002-HAL", "0003-BAD", "0004-NEW"]
    page = officer_client.get(LIST, {"sort": "keep_rate"})
    assertContains(page, "33 %")
    assertContains(page, 'aria-sort="ascending"')


def test_keep_rate_sort_takes_no_more_queries(officer_client):
    customer = CustomerFactory(code="0001-ONE", name="Only One")
    _evaluated_promises(customer, "kept")
    few = _queries(officer_client, {"sort": "keep_rate"})
    for other in CustomerFactory.create_batch(60, name="Somebody Else"):
        _evaluated_promises(other, "broken")
    assert _queries(officer_client, {"sort": "keep_rate"}) == few <= 6


def test_every_sort_shows_the_same_totals_and_keep_rates(officer_client):
    """A page sorted by name reads its totals and keep rates in one query of its
    own (PostgreSQL); sorted by a total or by the rate, in the page query: the
    same figures either way."""
    today = timezone.localdate()
    histories = [("kept", "broken"), ("broken",), (), ("kept", "kept", "cancelled")]
    for n, states in enumerate(histories):
        customer = CustomerFactory(code=f"000{n}-C", name=f"Customer {n}", currency="EUR")
        OpenItemFactory(customer=customer, amount=Decimal("100.00"), due_date=today)
        OpenItemFactory(
            customer=customer,
            amount=Decimal("40.50"),
            due_date=today - datetime.timedelta(days=3),
        )
        OpenItemFactory(customer=customer, amount=Decimal("9.00"), currency="USD")
        CreditNoteFactory(customer=customer, amount=Decimal("-20.00"))
        _evaluated_promises(customer, *states)

    def figures(sort):
        rows = officer_client.get(LIST, {"sort": sort}).context["page"].object_list
        return {
            c.code: (c.outstanding, c.overdue, c.other_currency_items, c.keep_rate) for c in rows
        }

    by_name = figures("name")
    assert by_name["0000-C"] == (Decimal("120.50"), Decimal("40.50"), 1, 50.0)
    assert by_name["0002-C"][3] is None
    assert by_name["0003-C"][3] == 100.0
    for sort in ("-name", "code", "overdue", "-outstanding", "keep_rate", "-keep_rate"):
        assert figures(sort) == by_name, sort


def test_the_overview_totals_are_those_of_the_list_annotations(officer_client, ledger):
    """The overview reads the totals in one pass (``attach_totals``): the same as
    ``with_totals`` annotates, for each customer of the ledger."""
    from customers.selectors import with_totals

    for customer in with_totals(Customer.objects.all(), today=timezone.localdate()):
        response = officer_client.get(reverse("customers:detail", args=[customer.pk]))
        shown = response.context["customer"]
        assert (shown.outstanding, shown.overdue, shown.other_currency_items) == (
            customer.outstanding,
            customer.overdue,
            customer.other_currency_items,
        )
        assert shown.collector == customer.collector
