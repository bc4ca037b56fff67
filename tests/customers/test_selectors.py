"""Reads of customers in SQL written out are what the ORM reads."""

from __future__ import annotations

import pytest

from customers.models import Customer
from customers.selectors import customer_with_collector
from tests.factories import CustomerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


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
