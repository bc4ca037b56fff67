"""The items' running balances (ItemBalance), kept by PostgreSQL's triggers: the
statement's totals read them instead of every item of the account, so they must
agree with the items after every way of writing items."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collections_app.demo_shift import shift_ledger
from collections_app.ledger_generator import generate_ledger
from collections_app.models import DocumentType, ItemBalance, OpenItem
from collections_app.selectors import (
    StatementFilters,
    statement_totals,
    totals_from_balances,
    totals_from_items,
)
from collections_app.services import apply_quick_promise
from collections_app.services.balances import compact_item_balances
from tests.collections_app.open_items_files import line, run_import
from tests.concurrency import run_together
from tests.factories import (
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OpenItemFactory,
    configure_quick_promise,
)
from tests.utils import assert_balances_agree, balance_groups

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 4)

FILTERS = [
    StatementFilters(),
    StatementFilters(overdue=True),
    StatementFilters(due_from=datetime.date(2026, 11, 1)),
    StatementFilters(due_to=datetime.date(2026, 11, 15)),
    StatementFilters(
        overdue=True, due_from=datetime.date(2026, 10, 1), due_to=datetime.date(2026, 11, 30)
    ),
]


def assert_totals_agree(customer) -> None:
    """The statement's totals read from the balances are those summed from the
    items, for every filter the balances can answer and on several days."""
    for today in (TODAY, datetime.date(2026, 11, 10), datetime.date(2027, 3, 1)):
        for filters in FILTERS:
            assert totals_from_balances(
                customer=customer, today=today, filters=filters
            ) == totals_from_items(customer=customer, today=today, filters=filters)


@pytest.fixture
def account():
    customer = CustomerFactory(currency="EUR")
    for day, amount in ((1, "100.00"), (1, "250.50"), (20, "75.25")):
        OpenItemFactory(
            customer=customer, due_date=datetime.date(2026, 11, day), amount=Decimal(amount)
        )
    OpenItemFactory(
        customer=customer,
        due_date=datetime.date(2026, 12, 20),
        amount=Decimal("9000"),
        currency="USD",
    )
    CreditNoteFactory(customer=customer, due_date=datetime.date(2026, 11, 5))
    return customer


def test_balances_follow_items_written_one_by_one(account):
    assert_balances_agree()
    assert_totals_agree(account)
    totals = {total.currency: total for total in statement_totals(customer=account, today=TODAY)}
    assert totals["EUR"].outstanding == Decimal("275.75")  # 425.75 less the 150 credit note
    assert totals["EUR"].overdue == Decimal("425.75")
    assert (totals["EUR"].items, totals["EUR"].promisable) == (4, 3)
    assert totals["USD"].overdue == Decimal("0.00")


def test_balances_follow_every_change_of_an_amount_a_date_a_type_or_a_customer(account):
    first, second, third = OpenItem.objects.filter(customer=account, currency="EUR").exclude(
        document_type=DocumentType.CREDIT_NOTE
    )
    other = CustomerFactory()
    first.open_amount = Decimal("40.00")  # part paid
    first.save()
    second.due_date = datetime.date(2026, 12, 31)
    second.document_type = DocumentType.DEBIT_NOTE
    second.save()
    OpenItem.objects.filter(pk=third.pk).update(open_amount=0)  # paid
    OpenItem.objects.filter(currency="USD").update(currency="GBP", customer=other)
    OpenItem.objects.bulk_create(
        [OpenItemFactory.build(customer=account, amount=Decimal(n)) for n in ("10", "20")]
    )
    assert_balances_agree()
    assert_totals_agree(account)
    assert_totals_agree(other)
    OpenItem.objects.filter(pk=third.pk).update(open_amount=Decimal("75.25"))  # reopened
    OpenItem.objects.filter(customer=account, amount=Decimal("10")).delete()
    assert_balances_agree()
    assert_totals_agree(account)


def test_a_status_or_a_promise_date_appends_nothing(account):
    configure_quick_promise()
    items = OpenItem.objects.filter(customer=account, currency="EUR", open_amount__gt=0)
    rows = ItemBalance.objects.count()
    apply_quick_promise(customer=account, item_ids=[item.pk for item in items], user=None)
    OpenItem.objects.filter(customer=account).update(status=ItemStatusFactory())
    assert ItemBalance.objects.count() == rows
    assert_balances_agree()


def test_rolled_back_writes_leave_the_balances_as_they_were(account):
    before = balance_groups()

    def pay_everything_then_fail():
        with transaction.atomic():
            OpenItem.objects.filter(customer=account).update(open_amount=0)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        pay_everything_then_fail()
    assert balance_groups() == before
    assert_balances_agree()


def test_imports_keep_the_balances_and_fold_what_they_appended(engine):
    run_import(
        line(number="INV-1", amount="100.00", open_amount="100.00"),
        line(number="INV-2", amount="300.00", open_amount="300.00", currency="USD"),
        line(number="CN-1", document_type="credit_note", amount="-50.00", open_amount="-50.00"),
    )
    assert_balances_agree()
    # The next day: one paid, one part paid, one new; a snapshot closes what is gone.
    run_import(
        line(number="INV-1", amount="100.00", open_amount="0"),
        line(number="INV-2", amount="300.00", open_amount="120.00", currency="USD"),
        line(number="INV-3", amount="80.00", open_amount="80.00", due_date="2026-03-01"),
        snapshot=True,
    )
    assert_balances_agree()
    if engine == "copy":
        # Folded: one row per group left, none for a group that sums to nothing.
        items, balances = balance_groups()
        assert ItemBalance.objects.count() == len(balances) == len(items) == 2


def test_the_generator_loads_balances_with_its_items():
    generate_ledger(customers=30, items=400, big_account_items=[120], seed=3, today=TODAY)
    assert_balances_agree()


def test_moving_the_demo_ledger_in_time_moves_the_balances_and_folds_them(account):
    shift_ledger(days=-3)
    assert_balances_agree()
    items, _ = balance_groups()
    assert ItemBalance.objects.count() == len(items)


def test_compaction_folds_each_group_into_one_row_and_drops_empty_groups(account):
    for amount in ("300.00", "200.00", "100.00"):  # three part payments
        OpenItem.objects.filter(customer=account, amount=Decimal("9000")).update(
            open_amount=Decimal(amount)
        )
    OpenItem.objects.filter(customer=account, due_date=datetime.date(2026, 11, 20)).update(
        open_amount=0
    )
    other = OpenItemFactory(amount=Decimal("5"))
    OpenItem.objects.filter(pk=other.pk).update(open_amount=Decimal("1"))
    before = balance_groups()
    rows = ItemBalance.objects.count()

    assert compact_item_balances(customer_ids=[account.pk]) > 0
    assert balance_groups() == before
    account_rows = ItemBalance.objects.filter(customer=account)
    groups = account_rows.values_list("currency", "due_date", "document_type", "is_debit")
    assert len(groups) == len(set(groups)) == 3  # 1 and 5 Nov EUR, 20 Dec USD
    assert ItemBalance.objects.filter(customer=other.customer).count() == 2  # not asked

    assert compact_item_balances() == 1
    assert ItemBalance.objects.count() < rows
    assert compact_item_balances() == 0
    assert balance_groups() == before


def test_the_statement_reads_its_totals_from_the_balances(officer_client, account):
    url = reverse("collections:reminders", args=[account.pk])
    status = ItemStatusFactory()
    with CaptureQueriesContext(connection) as plain:
        officer_client.get(url)
    with CaptureQueriesContext(connection) as by_status:
        officer_client.get(url, {"status": status.pk})
    assert len(plain) == len(by_status)
    assert any("collections_app_itembalance" in query["sql"] for query in plain)
    # A status is not in the balances: those totals are summed from the items.
    assert not any("collections_app_itembalance" in query["sql"] for query in by_status)


@pytest.mark.django_db(transaction=True)
def test_writers_and_compaction_at_the_same_time_lose_nothing():
    customer = CustomerFactory()
    items = [
        OpenItemFactory(customer=customer, amount=Decimal("100.00"), due_date=TODAY)
        for _ in range(6)
    ]

    def pay(item):
        def run():
            for amount in ("60.00", "30.00", "0"):
                with transaction.atomic():
                    OpenItem.objects.filter(pk=item.pk).update(open_amount=Decimal(amount))
                    OpenItemFactory(customer=customer, amount=Decimal("1.00"), due_date=TODAY)

        return run

    def compact():
        return sum(compact_item_balances(customer_ids=[customer.pk]) for _ in range(5))

    outcomes = run_together(*(pay(item) for item in items), compact, compact)
    assert [outcome.error for outcome in outcomes] == [None] * len(outcomes)
    assert_balances_agree()
    compact_item_balances()
    assert_balances_agree()
    (total,) = totals_from_balances(customer=customer, today=TODAY, filters=StatementFilters())
    assert (total.items, total.outstanding) == (18, Decimal("18.00"))


def test_balances_loaded_beside_their_items_are_written_again_from_them(account):
    # What a dump loaded back does: the items' rows fire the triggers, and the
    # dumped balances arrive too.
    for balance in list(ItemBalance.objects.all()):
        balance.pk = None
        balance.save()
    items, balances = balance_groups()
    assert balances != items
    out = io.StringIO()
    call_command("rebuild_item_balances", stdout=out)
    assert_balances_agree()
    assert ItemBalance.objects.count() == len(items)
    assert f"{len(items)} groups" in out.getvalue()
