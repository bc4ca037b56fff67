"""What the statement reads in SQL written out is what the ORM reads.

- The rows (``statement_rows_sql``): for every sort and every filter, with the
  edges of each (a null promise date, a paid item, another customer's item, the
  LIKE wildcards in a searched number).
- The statuses and the Quick Promise preference, in one query
  (``QuickPromisePreference.load_with_statuses``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from collections_app.models import DocumentType, ItemStatus, QuickPromisePreference, StatusKind
from collections_app.selectors import (
    STATEMENT_SORTS,
    StatementFilters,
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


def test_the_wildcards_of_a_searched_number_are_plain_characters(account):
    customer, _dispute, _ongoing = account
    rows = statement_rows_sql(
        customer=customer,
        filters=StatementFilters(text="_%"),
        today=TODAY,
        sort="number",
        limit=100,
        offset=0,
    )
    assert [row[1] for row in rows] == ["INV-1_%-005"]


def test_a_page_is_a_slice_of_the_whole(account):
    customer, _dispute, _ongoing = account
    every = statement_rows_sql(
        customer=customer,
        filters=StatementFilters(),
        today=TODAY,
        sort="-open_amount",
        limit=100,
        offset=0,
    )
    page = statement_rows_sql(
        customer=customer,
        filters=StatementFilters(),
        today=TODAY,
        sort="-open_amount",
        limit=4,
        offset=5,
    )
    assert len(every) == 14
    assert page == every[5:9]


def _preference_fields(preference: QuickPromisePreference) -> dict:
    names = ("pk", "status_id", "delay_days", "grace_days", "broken_status_id", "updated_by_id")
    return {name: getattr(preference, name) for name in names}


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
    assert statuses == list(ItemStatus.objects.order_by("label"))
    assert [status.is_active for status in statuses] == [True, True, False]
    assert _preference_fields(loaded) == _preference_fields(QuickPromisePreference.load())
    # Its statuses are the listed ones, not copies.
    assert loaded.status is statuses[0]
    # Read when asked for, with its time zone.
    assert loaded.updated_at == QuickPromisePreference.load().updated_at


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
