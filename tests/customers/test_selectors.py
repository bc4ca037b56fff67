"""Reads of customers in SQL written out are what the ORM reads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from collections_app.models import PaymentPromise
from customers.models import Customer
from customers.selectors import (
    _ordering,
    count_and_page_sql,
    count_matching,
    customer_list,
    customer_with_collector,
    page_rows_sql,
    search_customers,
)
from tests.factories import CreditNoteFactory, CustomerFactory, OfficerFactory, OpenItemFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)
DAY = datetime.timedelta(days=1)


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_a_customer_and_its_collector_in_one_query(django_assert_num_queries):
    collector = OfficerFactory(first_name="Sophie", last_name="Leroy")
    customer = CustomerFactory(name="Dupont & Fils <SA>", collector=collector)
    expected = Customer.objects.select_related("collector").get(pk=customer.pk)

    with django_assert_num_queries(1):
        read = customer_with_collector(customer.pk)
        assert read.collector.get_full_name() == "Sophie Leroy"
        assert read.get_deferred_fields() == set()
    assert _fields(read) == _fields(expected)
    assert _fields(read.collector) == _fields(expected.collector)
    # Aware dates and times, as the ORM gives them.
    assert read.created_at.tzinfo is not None
    assert read.collector.date_joined.tzinfo is not None
    # A full instance: saved like any.
    read.name = "Dupont et Fils"
    read.save()
    assert Customer.objects.get(pk=customer.pk).name == "Dupont et Fils"


def test_a_customer_without_a_collector(django_assert_num_queries):
    customer = CustomerFactory(collector=None)
    with django_assert_num_queries(1):
        read = customer_with_collector(customer.pk)
        assert read.collector is None
    assert _fields(read) == _fields(Customer.objects.get(pk=customer.pk))


def test_no_such_customer():
    assert customer_with_collector(987654321) is None


#: What a search term may hold: LIKE's own signs, a backslash, another case,
#: an accent, spaces around it, nothing.
_TERMS = ["", "dup", "DUP", "  ont ", "50%", "a_b", "a\\b", "é", "zzz", "C0"]


@pytest.mark.parametrize("walk_index", [True, False], ids=["walk", "sort"])
@pytest.mark.parametrize("sort", ["name", "-name", "code", "-code"])
def test_the_list_page_in_sql_is_the_orm_page(sort, walk_index, django_assert_num_queries):
    collector = OfficerFactory(first_name="Sophie", last_name="Leroy")
    names = [
        "Dupont SA", "dupont fils", "Durand 50% off", "Durand 50 off", "a_b Trading",
        "aXb Trading", "a\\b Imports", "Étienne Café", "Etienne Cafe", "Zoé Dupont",
    ]  # fmt: skip
    for n, name in enumerate(names * 3):
        # Same names under several codes, so that the second key matters.
        CustomerFactory(name=name, collector=collector if n % 2 else None)
    for term in _TERMS:
        expected_all = list(
            search_customers(query=term)
            .select_related("collector")
            .order_by(*_ordering(sort, walk_index=walk_index))
        )
        assert count_matching(term, 1000) == len(expected_all), term
        assert count_matching(term, 4) == min(4, len(expected_all)), term
        for offset in (0, 7, 25):
            expected = expected_all[offset : offset + 7]
            with django_assert_num_queries(1):
                read = page_rows_sql(term, sort=sort, walk_index=walk_index, limit=7, offset=offset)
                collectors = [c.collector and c.collector.get_full_name() for c in read]
            assert [_fields(c) for c in read] == [_fields(c) for c in expected], (term, offset)
            assert collectors == [c.collector and c.collector.get_full_name() for c in expected]


@pytest.mark.parametrize("sort", ["name", "-name", "code", "-code"])
def test_a_search_counted_with_its_page_in_sql_is_the_orm_page(sort, django_assert_num_queries):
    collector = OfficerFactory(first_name="Sophie", last_name="Leroy")
    names = ["Dupont SA", "dupont fils", "Durand 50% off", "a_b Trading", "Zoé Dupont"]
    for n, name in enumerate(names * 4):
        CustomerFactory(name=name, collector=collector if n % 2 else None)
    for term in [term for term in _TERMS if term.strip()]:
        expected_all = list(
            search_customers(query=term)
            .select_related("collector")
            .order_by(*_ordering(sort, walk_index=False))
        )
        for offset in (0, 3, 30):
            expected = expected_all[offset : offset + 3]
            with django_assert_num_queries(1):
                count, read = count_and_page_sql(
                    term, sort=sort, count_limit=1000, limit=3, offset=offset, today=TODAY
                )
                collectors = [c.collector and c.collector.get_full_name() for c in read]
            assert count == len(expected_all), term
            assert [_fields(c) for c in read] == [_fields(c) for c in expected], (term, offset)
            assert collectors == [c.collector and c.collector.get_full_name() for c in expected]
        # Counted no further than the limit: the page walks the index, as the
        # list reads a search with more matches than it counts.
        walked = list(
            search_customers(query=term)
            .select_related("collector")
            .order_by(*_ordering(sort, walk_index=True))[3:6]
        )
        with django_assert_num_queries(1):
            count, read = count_and_page_sql(
                term, sort=sort, count_limit=2, limit=3, offset=3, today=TODAY
            )
            collectors = [c.collector and c.collector.get_full_name() for c in read]
        assert count == min(2, len(expected_all)), term
        if count == 2:
            assert [_fields(c) for c in read] == [_fields(c) for c in walked], term
            assert collectors == [c.collector and c.collector.get_full_name() for c in walked]


def test_a_page_counted_in_sql_carries_the_totals_and_rates_of_its_customers(
    django_assert_num_queries,
):
    """Each customer once, whatever the currencies of its items, with the totals
    and the keep rate the ORM's list annotates."""
    euros = CustomerFactory(name="Dupont Euro", currency="EUR")
    mixed = CustomerFactory(name="Dupont Mixed", currency="EUR")
    CustomerFactory(name="Dupont Clear", currency="EUR")
    OpenItemFactory(customer=euros, amount=Decimal("100.00"), due_date=TODAY - DAY * 3)
    CreditNoteFactory(customer=euros, amount=Decimal("-30.00"), due_date=TODAY - DAY * 3)
    OpenItemFactory(customer=mixed, amount=Decimal("50.00"), due_date=TODAY + DAY * 3)
    for currency in ("USD", "GBP"):
        OpenItemFactory(customer=mixed, amount=Decimal("10.00"), currency=currency)
    for state in (PaymentPromise.KEPT, "broken", "cancelled"):
        PaymentPromise.objects.create(
            customer=mixed,
            promised_date=TODAY - DAY * 10,
            amount=Decimal("100.00"),
            source="quick_promise",
            state=state,
            evaluated_at=timezone.now(),
        )
    figures = ("name", "outstanding", "overdue", "other_currency_items", "keep_rate")
    expected = [
        [getattr(c, figure) for figure in figures]
        for c in customer_list(query="dupont", today=TODAY)
    ]
    assert expected == [
        ["Dupont Clear", Decimal("0.00"), Decimal("0.00"), 0, None],
        ["Dupont Euro", Decimal("70.00"), Decimal("100.00"), 0, None],
        ["Dupont Mixed", Decimal("50.00"), Decimal("0.00"), 2, 50.0],
    ]
    # Every match counted (sorted from them), and counted no further than the
    # limit (the index walked).
    for count_limit in (1000, 2):
        with django_assert_num_queries(1):
            count, read = count_and_page_sql(
                "dupont", sort="name", count_limit=count_limit, limit=50, offset=0, today=TODAY
            )
        assert count == min(3, count_limit)
        assert [[getattr(c, figure) for figure in figures] for c in read] == expected
