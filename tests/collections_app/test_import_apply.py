"""Applying an open-items file: all or nothing, idempotent, never touching the
collection work (status, promise date) done on the items."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone

from collections_app.models import DocumentType, ImportRun, OpenItem
from collections_app.services import imports_pg
from collections_app.services.imports import ImportFileError, Rejection, import_open_items
from customers.models import Customer
from tests.collections_app.open_items_files import HEADER, csv_file, ledger_state, line, run_import
from tests.factories import (
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
)
from tests.utils import database_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine")]

NOW = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 3, 3, 7, 30, tzinfo=datetime.UTC)


@pytest.fixture
def acme():
    return CustomerFactory(code="C001", name="Acme Trading", currency="EUR")


def item(customer: Customer, number: str) -> OpenItem:
    return OpenItem.objects.get(customer=customer, number=number)


def existing(customer: Customer, number: str, amount: str = "100.00", **values) -> OpenItem:
    """An item as the default line of the file would create it (same dates)."""
    return OpenItemFactory(
        customer=customer,
        number=number,
        amount=Decimal(amount),
        document_date=datetime.date(2026, 1, 5),
        due_date=datetime.date(2026, 2, 4),
        **values,
    )


def test_creates_items_and_their_new_customers():
    officer = OfficerFactory()
    report = run_import(
        line(number="INV-1"),
        line(number="CN-1", document_type="credit_note", amount="-50.00", open_amount="-20"),
        line(customer_code="C002", customer_name="Bolt Ltd", number="INV-1", currency="usd"),
        user=officer,
    )
    assert (report.rows_read, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert (report.closed, report.customers_created, report.rejected) == (0, 2, [])
    assert report.applied is True
    customers = {c.code: (c.name, c.currency) for c in Customer.objects.all()}
    assert customers == {"C001": ("Acme Trading", "EUR"), "C002": ("Bolt Ltd", "USD")}
    credit = OpenItem.objects.get(number="CN-1")
    assert credit.customer.code == "C001"
    assert credit.document_type == DocumentType.CREDIT_NOTE
    assert (credit.amount, credit.open_amount) == (Decimal("-50.00"), Decimal("-20.00"))
    assert credit.document_date == datetime.date(2026, 1, 5)
    assert credit.due_date == datetime.date(2026, 2, 4)
    assert (credit.status, credit.promise_date, credit.closed_at) == (None, None, None)
    usd = OpenItem.objects.get(customer__code="C002")
    assert usd.currency == "USD"
    run = ImportRun.objects.get()
    assert report.run == run
    assert (run.file_name, run.applied, run.snapshot, run.user) == (
        "open-items.csv",
        True,
        False,
        officer,
    )
    assert (run.rows_read, run.created, run.updated, run.unchanged, run.closed) == (3, 3, 0, 0, 0)
    assert run.rejected == 0


def test_counts_created_updated_unchanged_and_closed(acme):
    existing(acme, "SAME")
    existing(acme, "PART")
    existing(acme, "PAID")
    existing(acme, "LATER")
    report = run_import(
        line(number="SAME", amount="100", open_amount="100.0"),
        line(number="PART", amount="100", open_amount="40"),
        line(number="PAID", amount="100", open_amount="0"),
        line(number="LATER", amount="100", open_amount="100", due_date="2026-04-30"),
        line(number="NEW", amount="10", open_amount="10"),
    )
    assert report.rows_read == 5
    assert (report.created, report.updated, report.unchanged, report.closed) == (1, 3, 1, 1)
    assert report.customers_created == 0
    assert item(acme, "PART").open_amount == Decimal("40.00")
    assert item(acme, "PAID").open_amount == 0
    assert item(acme, "LATER").due_date == datetime.date(2026, 4, 30)
    assert OpenItem.objects.count() == 5


def test_renames_a_customer_and_keeps_its_currency(acme):
    with time_machine.travel(NOW, tick=False):
        run_import(line(customer_name="Acme Trading Europe", currency="USD"))
    acme.refresh_from_db()
    assert acme.name == "Acme Trading Europe"
    assert acme.currency == "EUR"
    assert acme.updated_at == NOW


def test_does_not_touch_a_customer_whose_name_is_unchanged(acme):
    before = Customer.objects.values().get(pk=acme.pk)
    run_import(line())
    assert Customer.objects.values().get(pk=acme.pk) == before


def test_accepts_columns_in_another_order_and_ignores_blank_lines():
    columns = (
        "number",
        "currency",
        "customer_code",
        "customer_name",
        "document_type",
        "document_date",
        "due_date",
        "open_amount",
        "amount",
    )
    assert sorted(columns) == sorted(HEADER.split(","))
    stream = csv_file(
        "",
        line(columns, number="A", amount="30.00", open_amount="10.00", currency="gbp"),
        "   ",
        line(columns, number="B"),
        "",
        header=",".join(columns),
    )
    report = import_open_items(stream=stream, file_name="reordered.csv")
    assert (report.rows_read, report.created, report.rejected) == (2, 2, [])
    first = OpenItem.objects.get(number="A")
    assert (first.amount, first.open_amount, first.currency) == (
        Decimal("30.00"),
        Decimal("10.00"),
        "GBP",
    )


def test_a_file_with_a_rejected_row_changes_nothing(acme):
    existing(acme, "INV-1")
    before = database_state()
    report = run_import(
        line(number="INV-1", amount="100", open_amount="0"),
        line(customer_code="C009", customer_name="New Co", number="N-1"),
        line(number="BAD", due_date="2026-02-31"),
    )
    assert report.applied is False
    assert report.run is None
    assert (report.rows_read, report.created, report.updated, report.closed) == (3, 0, 0, 0)
    assert report.customers_created == 0
    assert report.rejected == [Rejection(4, "due_date “2026-02-31” is not a real date")]
    assert database_state() == before


def test_skip_invalid_applies_the_valid_rows_and_reports_the_others(acme):
    existing(acme, "INV-1")
    report = run_import(
        line(number="INV-1", amount="100", open_amount="60"),
        line(number="BAD", amount='"12,50"', open_amount="12.50"),
        line(customer_code="C009", customer_name="New Co", number="N-1"),
        line(number="INV-1", amount="100", open_amount="10"),
        skip_invalid=True,
    )
    assert report.applied is True
    assert (report.rows_read, report.created, report.updated) == (4, 1, 1)
    assert [rejection.line for rejection in report.rejected] == [3, 5]
    assert item(acme, "INV-1").open_amount == Decimal("60.00")
    assert not OpenItem.objects.filter(number="BAD").exists()
    assert Customer.objects.get(code="C009").name == "New Co"
    assert report.run.rejected == 2


def test_importing_the_same_file_twice_changes_nothing_the_second_time(acme):
    existing(acme, "OLD", "80.00")
    lines = (
        line(number="OLD", amount="80", open_amount="0"),
        line(number="INV-1", amount="12.5", open_amount="12.5"),
        line(number="CN-1", document_type="Credit note", amount="-3", open_amount="-3"),
        line(customer_code="C002", customer_name="Bolt", number="X", currency="chf"),
    )
    with time_machine.travel(NOW, tick=False):
        first = run_import(*lines)
    assert (first.created, first.updated, first.closed) == (3, 1, 1)
    between = ledger_state()
    with time_machine.travel(LATER, tick=False):
        second = run_import(*lines)
    assert (second.created, second.updated, second.closed, second.customers_created) == (
        0,
        0,
        0,
        0,
    )
    assert second.unchanged == 4
    assert second.applied is True
    assert ledger_state() == between
    assert ImportRun.objects.count() == 2


def test_paid_item_is_closed_and_reopened_when_it_is_owed_again(acme):
    existing(acme, "INV-1")
    with time_machine.travel(NOW, tick=False):
        report = run_import(line(number="INV-1", amount="100", open_amount="0"))
    assert (report.updated, report.closed) == (1, 1)
    closed = item(acme, "INV-1")
    assert (closed.open_amount, closed.closed_at, closed.updated_at) == (0, NOW, NOW)
    assert not OpenItem.objects.outstanding().exists()

    # Still paid, its due date corrected: updated, not closed a second time.
    with time_machine.travel(LATER, tick=False):
        report = run_import(
            line(number="INV-1", amount="100", open_amount="0", due_date="2026-03-01")
        )
    assert (report.updated, report.closed) == (1, 0)
    assert item(acme, "INV-1").closed_at == NOW

    with time_machine.travel(LATER, tick=False):
        report = run_import(line(number="INV-1", amount="100", open_amount="25"))
    assert (report.updated, report.closed) == (1, 0)
    reopened = item(acme, "INV-1")
    assert (reopened.open_amount, reopened.closed_at) == (Decimal("25.00"), None)
    assert reopened.updated_at == LATER


def test_a_new_item_already_paid_is_created_closed():
    with time_machine.travel(NOW, tick=False):
        report = run_import(line(number="PAID", open_amount="0"))
    assert (report.created, report.closed) == (1, 0)
    assert OpenItem.objects.get().closed_at == NOW


def test_snapshot_closes_outstanding_items_it_does_not_list(acme):
    other = CustomerFactory(code="C777")
    listed = existing(acme, "LISTED")
    gone = existing(acme, "GONE")
    gone_credit = CreditNoteFactory(customer=other, number="CN-9")
    already_paid = OpenItemFactory(
        customer=other, number="PAID", open_amount=0, closed_at=timezone.now()
    )
    paid_before = OpenItem.objects.values().get(pk=already_paid.pk)
    with time_machine.travel(NOW, tick=False):
        report = run_import(
            line(number="LISTED", amount="100", open_amount="100"),
            line(number="NEW", amount="70", open_amount="70"),
            snapshot=True,
        )
    assert (report.created, report.updated, report.unchanged, report.closed) == (1, 0, 1, 2)
    assert report.run.snapshot is True
    for closed in (gone, gone_credit):
        closed.refresh_from_db()
        assert (closed.open_amount, closed.closed_at) == (0, NOW)
    listed.refresh_from_db()
    assert (listed.open_amount, listed.closed_at) == (Decimal("100.00"), None)
    new = item(acme, "NEW")
    assert (new.open_amount, new.closed_at) == (Decimal("70.00"), None)
    assert OpenItem.objects.values().get(pk=already_paid.pk) == paid_before


def test_without_snapshot_unlisted_items_stay_outstanding(acme):
    kept = existing(acme, "KEPT")
    report = run_import(line(number="OTHER"))
    assert report.closed == 0
    kept.refresh_from_db()
    assert kept.open_amount == Decimal("100.00")


def test_snapshot_refuses_to_skip_invalid_rows_and_changes_nothing(acme):
    existing(acme, "GONE")
    before = database_state()
    with pytest.raises(ImportFileError, match="cannot skip invalid rows"):
        run_import(
            line(number="LISTED"),
            line(number="BAD", currency="€"),
            snapshot=True,
            skip_invalid=True,
        )
    assert database_state() == before


def test_snapshot_with_rejected_rows_is_not_applied(acme):
    existing(acme, "GONE")
    before = database_state()
    report = run_import(line(number="LISTED"), line(number="BAD", currency="€"), snapshot=True)
    assert report.applied is False
    assert [rejection.line for rejection in report.rejected] == [3]
    assert database_state() == before


def test_never_touches_the_status_or_promise_date_of_an_item(acme):
    status = ItemStatusFactory()
    promised = OpenItemFactory(
        customer=acme,
        number="INV-1",
        amount=Decimal("100.00"),
        status=status,
        promise_date=datetime.date(2026, 3, 5),
    )
    gone = OpenItemFactory(
        customer=acme, number="GONE", status=status, promise_date=datetime.date(2026, 3, 6)
    )
    report = run_import(line(number="INV-1", amount="100", open_amount="30"), snapshot=True)
    assert (report.updated, report.closed) == (1, 1)
    for checked, promise_date in ((promised, "2026-03-05"), (gone, "2026-03-06")):
        checked.refresh_from_db()
        assert checked.status == status
        assert checked.promise_date == datetime.date.fromisoformat(promise_date)
    assert promised.open_amount == Decimal("30.00")
    assert gone.open_amount == 0


def test_a_failure_in_the_middle_of_applying_leaves_the_database_unchanged(acme, engine):
    existing(acme, "INV-1")
    existing(acme, "GONE")
    before = database_state()
    if engine == "orm":
        failure = mock.patch.object(
            OpenItem.objects, "bulk_create", side_effect=DatabaseError("disk full")
        )
    else:
        # The customers are written and the changed items updated when the
        # insertion of the new items fails.
        apply_staged = imports_pg.apply_staged

        def failing_apply(cursor, **kwargs):
            execute = cursor.execute

            def execute_or_fail(sql, params=None):
                if "INSERT INTO collections_app_openitem" in sql:
                    raise DatabaseError("disk full")
                return execute(sql, params)

            with mock.patch.object(cursor, "execute", side_effect=execute_or_fail):
                return apply_staged(cursor, **kwargs)

        failure = mock.patch.object(imports_pg, "apply_staged", side_effect=failing_apply)
    with failure, pytest.raises(DatabaseError, match="disk full"):
        run_import(
            line(number="INV-1", amount="100", open_amount="50", customer_name="Acme SA"),
            line(customer_code="C002", customer_name="Bolt", number="N-1"),
            snapshot=True,
        )
    assert database_state() == before


def test_a_failure_after_writing_everything_leaves_the_database_unchanged(acme):
    existing(acme, "INV-1")
    before = database_state()
    with (
        mock.patch.object(ImportRun.objects, "create", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError, match="disk full"),
    ):
        run_import(
            line(number="INV-1", amount="100", open_amount="0", customer_name="Acme SA"),
            line(customer_code="C002", customer_name="Bolt", number="N-1"),
            snapshot=True,
        )
    assert database_state() == before


def _many_lines(open_amount: str) -> list[str]:
    return [
        line(
            customer_code=f"C{n % 20:03d}",
            customer_name=f"Customer {n % 20}",
            number=f"N{n}",
            open_amount=open_amount,
        )
        for n in range(300)
    ]


def test_query_count_does_not_grow_with_the_number_of_rows(django_assert_max_num_queries, engine):
    # COPY and set-based SQL: a fixed list of statements; the ORM: a few bulk ones.
    # Both then look for the promises and follow-ups of the items paid (two reads
    # when nothing was promised); COPY then folds the items' balances (two more).
    most = 34 if engine == "copy" else 12
    with django_assert_max_num_queries(most):
        report = run_import(*_many_lines("1200.00"))
    assert (report.created, report.customers_created) == (300, 20)
    with django_assert_max_num_queries(most):
        report = run_import(*_many_lines("1100.00"))
    assert report.updated == 300
    assert OpenItem.objects.filter(open_amount=Decimal("1100.00")).count() == 300


def test_the_calendar_of_valid_dates_covers_the_accepted_range():
    from django.db import connection

    from collections_app.services.imports_pg import CALENDAR
    from collections_app.services.open_items_file import FIRST_DATE, LAST_DATE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(day), max(day), count(*) FROM {CALENDAR}")
        first, last, days = cursor.fetchone()
    assert (first, last) == (FIRST_DATE.isoformat(), LAST_DATE.isoformat())
    assert days == (LAST_DATE - FIRST_DATE).days + 1


def test_every_change_of_an_item_is_logged_with_its_import(acme):
    from collections_app.models import ImportChange

    for number in ("PAID-1", "PART-1", "DATE-1", "GONE"):
        existing(acme, number, amount="1200.00")
    with time_machine.travel(NOW, tick=False):
        report = run_import(
            line(number="PAID-1", open_amount="0"),
            line(number="PART-1", open_amount="200.00"),
            line(number="DATE-1", due_date="2026-03-31"),
            line(number="NEW-1"),
            snapshot=True,
        )
    changes = {
        change.item.number: (change.kind, change.open_amount_before, change.open_amount_after)
        for change in ImportChange.objects.select_related("item")
    }
    assert changes == {
        "PAID-1": ("paid", Decimal("1200.00"), Decimal("0.00")),
        "PART-1": ("amount", Decimal("1200.00"), Decimal("200.00")),
        "DATE-1": ("details", Decimal("1200.00"), Decimal("1200.00")),
        "NEW-1": ("new", None, Decimal("1200.00")),
        "GONE": ("paid", Decimal("1200.00"), Decimal("0.00")),
    }
    assert set(ImportChange.objects.values_list("run", flat=True)) == {report.run.pk}
    assert set(ImportChange.objects.values_list("changed_at", flat=True)) == {NOW}
    # The same file again: nothing changed, nothing logged.
    with time_machine.travel(LATER, tick=False):
        run_import(
            line(number="PAID-1", open_amount="0"),
            line(number="PART-1", open_amount="200.00"),
            line(number="DATE-1", due_date="2026-03-31"),
            line(number="NEW-1"),
        )
    assert ImportChange.objects.count() == 5


def test_a_dry_run_reports_what_the_import_would_do_and_changes_nothing(acme):
    existing(acme, "PAID-1", amount="1200.00")
    existing(acme, "GONE", amount="1200.00")
    before = database_state()
    report = run_import(
        line(number="PAID-1", open_amount="0"), line(number="NEW-1"), snapshot=True, dry_run=True
    )
    assert not report.applied
    assert (report.created, report.updated, report.closed) == (1, 1, 2)
    assert database_state() == before


@pytest.mark.parametrize("space", ["\u00a0", "\u2003", "\u3000", "\x85", "\x1f", "\t"])
def test_spaces_of_any_kind_around_values_are_trimmed_alike(acme, space):
    existing(acme, "INV-1")
    report = run_import(
        line(
            customer_code=f"C001{space}",
            number=f"{space}INV-1",
            amount=f"100.00{space}",
            open_amount=f"{space}40.00",
        )
    )
    assert (report.rejected_count, report.customers_created, report.created) == (0, 0, 0)
    assert report.updated == 1
    assert Customer.objects.count() == 1
    assert item(acme, "INV-1").open_amount == Decimal("40.00")
