"""What the statement reads in SQL written out is what the ORM reads.

- The rows (``statement_rows_sql``): for every sort and every filter, with the
  edges of each (a null promise date, a paid item, another customer's item, the
  LIKE wildcards in a searched number).
- The statuses and the Quick Promise preference, in one query
  (``QuickPromisePreference.load_with_statuses``).
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
import time_machine

from collections_app.models import DocumentType, ItemStatus, QuickPromisePreference, StatusKind
from collections_app.selectors import (
    STATEMENT_SORTS,
    StatementFilters,
    _amount,
    matching_items,
    statement_rows_sql,
)
from tests.factories import (
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    PromiseStatusFactory,
    configure_quick_promise,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 3)
#: What a row shows, as the ORM names it.
ROW_FIELDS = (
    "pk", "number", "document_type", "document_date", "due_date", "amount", "open_amount",
    "currency", "promise_date", "status_date", "status_comment", "status__label",
    "status__kind", "status_set_by__username", "status_set_by__first_name",
    "status_set_by__last_name", "resolver__username", "resolver__first_name",
    "resolver__last_name",
)  # fmt: skip


@pytest.fixture
def account():
    customer = CustomerFactory()
    dispute = ItemStatusFactory(label="Dispute", kind=StatusKind.DISPUTE)
    ongoing = ItemStatusFactory(label="Waiting for the PO")
    olivia = OfficerFactory(first_name="Olivia", last_name="Martin")
    nameless = OfficerFactory(first_name="", last_name="")
    day = datetime.timedelta(days=1)
    for n in range(12):
        OpenItemFactory(
            customer=customer,
            number=f"INV-{n % 4}{'_%' if n == 5 else ''}-{n:03d}",
            document_date=TODAY - 60 * day + n * day,
            due_date=TODAY - 10 * day + (n % 5) * 5 * day,
            amount=Decimal(1000 + 100 * (n % 3)),
            open_amount=Decimal(1000 + 100 * (n % 3)) - (Decimal("250.50") if n % 4 == 0 else 0),
            status=(dispute, ongoing, None)[n % 3],
            status_set_by=(olivia, nameless, None)[n % 3],
            resolver=olivia if n % 3 == 0 else None,
            status_date=TODAY - day if n % 3 != 2 else None,
            status_comment="Asked for the PO" if n % 3 == 1 else "",
            promise_date=TODAY + n * day if n % 2 else None,
        )
    CreditNoteFactory(customer=customer, number="CN-1", due_date=TODAY - 3 * day)
    OpenItemFactory(
        customer=customer, number="PAY-1", document_type=DocumentType.PAYMENT, amount=-80
    )
    OpenItemFactory(customer=customer, number="INV-PAID", open_amount=0)
    OpenItemFactory(number="INV-0-OTHER")  # another customer's
    return customer, dispute, ongoing


def filter_cases(dispute, ongoing):
    return [
        StatementFilters(),
        StatementFilters(overdue=True),
        StatementFilters(status=dispute.pk),
        StatementFilters(status=ongoing.pk, overdue=True),
        StatementFilters(without_status=True),
        StatementFilters(due_from=TODAY, due_to=TODAY + datetime.timedelta(days=10)),
        StatementFilters(due_to=TODAY - datetime.timedelta(days=5)),
        StatementFilters(text="inv-0"),
        StatementFilters(text="_%"),
        StatementFilters(text="_"),
        StatementFilters(text="nothing like it"),
    ]


def test_the_cases_set_every_filter():
    """A filter added to StatementFilters is compared too, once a case sets it."""
    cases = filter_cases(ItemStatusFactory.build(pk=1), ItemStatusFactory.build(pk=2))
    unset = [
        field.name
        for field in dataclasses.fields(StatementFilters)
        if all(getattr(case, field.name) == field.default for case in cases)
    ]
    assert unset == []


def test_the_rows_are_the_orms_for_every_sort_and_filter(account):
    customer, dispute, ongoing = account
    compared = 0
    for filters in filter_cases(dispute, ongoing):
        for sort, order in STATEMENT_SORTS.items():
            expected = list(
                matching_items(customer=customer, filters=filters, today=TODAY)
                .order_by(*order)
                .values_list(*ROW_FIELDS)
            )
            rows = statement_rows_sql(
                customer=customer, filters=filters, today=TODAY, sort=sort, limit=100, offset=0
            )
            assert rows == expected, (filters, sort)
            compared += len(rows)
    # The cases are not all empty: the comparison compared rows.
    assert compared > 300


def rows(customer, *, filters=None, sort="number", limit=100, offset=0):
    return statement_rows_sql(
        customer=customer,
        filters=filters or StatementFilters(),
        today=TODAY,
        sort=sort,
        limit=limit,
        offset=offset,
    )


def test_the_wildcards_of_a_searched_number_are_plain_characters(account):
    customer, _dispute, _ongoing = account
    found = rows(customer, filters=StatementFilters(text="_%"))
    assert [row[1] for row in found] == ["INV-1_%-005"]


def test_a_page_is_a_slice_of_the_whole(account):
    customer, _dispute, _ongoing = account
    every = rows(customer, sort="-open_amount")
    page = rows(customer, sort="-open_amount", limit=4, offset=5)
    assert len(every) == 14
    assert page == every[5:9]


def test_statuses_and_preference_in_one_query(django_assert_num_queries):
    broken = ItemStatusFactory(label="Broken promise", kind=StatusKind.PROMISE)
    promise = PromiseStatusFactory(label="A promise")
    ItemStatusFactory(label="Waiting", is_active=False)
    preference = configure_quick_promise(status=promise, delay_days=2)
    preference.broken_status = broken
    preference.grace_days = 3
    preference.updated_by = OfficerFactory()
    preference.save()

    with django_assert_num_queries(1):
        statuses, loaded = QuickPromisePreference.load_with_statuses()
        assert loaded.status.label == "A promise"
        assert loaded.broken_status.label == "Broken promise"
        assert loaded.is_usable
        # Every field read, none left to load later.
        assert loaded.get_deferred_fields() == set()
        fields = {field.attname: getattr(loaded, field.attname) for field in loaded._meta.fields}
    assert statuses == list(ItemStatus.objects.order_by("label"))
    assert [status.is_active for status in statuses] == [True, True, False]
    again = QuickPromisePreference.load()
    assert fields == {field.attname: getattr(again, field.attname) for field in again._meta.fields}
    # Its statuses are the listed ones, not copies.
    assert loaded.status is statuses[0]


def test_the_preference_read_with_the_statuses_saves_like_any():
    preference = configure_quick_promise(delay_days=2)
    saved_at = QuickPromisePreference.load().updated_at
    _statuses, loaded = QuickPromisePreference.load_with_statuses()
    loaded.delay_days = 4
    with time_machine.travel(saved_at + datetime.timedelta(minutes=5), tick=False):
        loaded.save()
    again = QuickPromisePreference.load()
    assert (again.delay_days, again.status_id) == (4, preference.status_id)
    assert again.updated_at == saved_at + datetime.timedelta(minutes=5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.30"), Decimal("12.30")),
        # What SQLite gives for a decimal column: a float, or an int when whole.
        (12.3, Decimal("12.30")),
        (-150, Decimal("-150.00")),
        (123456789012.34, Decimal("123456789012.34")),
        (0.1, Decimal("0.10")),
    ],
)
def test_amounts_read_without_the_orm_are_decimals_of_two_places(value, expected):
    amount = _amount(value)
    assert isinstance(amount, Decimal)
    assert amount == expected
    assert amount.as_tuple().exponent == -2


def test_statuses_without_a_preference_saved_yet():
    ItemStatusFactory(label="Waiting")
    statuses, preference = QuickPromisePreference.load_with_statuses()
    assert [status.label for status in statuses] == ["Waiting"]
    assert not preference.is_configured
    assert preference._state.adding


def test_a_preference_without_any_status():
    QuickPromisePreference.objects.create(pk=QuickPromisePreference.SINGLETON_PK, delay_days=4)
    statuses, preference = QuickPromisePreference.load_with_statuses()
    assert statuses == []
    assert preference.delay_days == 4
    assert not preference.is_configured
