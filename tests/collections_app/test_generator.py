"""`python manage.py generate_ledger`: a made-up ledger of any size, quickly."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum

from collections_app.ledger_generator import GeneratorError, generate_ledger
from collections_app.models import (
    CREDIT_DOCUMENT_TYPES,
    MAX_GRACE_DAYS,
    ChangeCause,
    DocumentType,
    OpenItem,
    PaymentPromise,
    PromiseItem,
    PromiseSource,
    PromiseState,
    QuickPromisePreference,
    StatusChange,
)
from collections_app.services import apply_quick_promise
from collections_app.services.promise_evaluation import EvaluationReport, evaluate_promises
from customers.models import Customer
from customers.selectors import search_customers, with_keep_rate
from tests.factories import CustomerFactory, configure_quick_promise
from tests.utils import database_state

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 3)


def _ledger(prefix: str) -> list[tuple]:
    """The generated rows, without what differs between two runs (ids, times)."""
    items = (
        OpenItem.objects.filter(customer__code__startswith=prefix)
        .order_by("customer__code", "number")
        .values_list(
            "customer__code",
            "customer__name",
            "customer__currency",
            "number",
            "document_type",
            "document_date",
            "due_date",
            "amount",
            "open_amount",
            "currency",
            "status__label",
            "promise_date",
        )
    )
    return [(code.removeprefix(prefix), *rest) for code, *rest in items]


def test_generates_customers_and_items_of_the_requested_size():
    report = generate_ledger(customers=40, items=600, big_account_items=[120], seed=3, today=TODAY)

    assert report.customers == Customer.objects.filter(code__startswith="G").count() == 41
    assert report.items == OpenItem.objects.count() == 720
    assert report.outstanding + report.closed == 720
    assert OpenItem.objects.outstanding().count() == report.outstanding
    [big] = report.big_accounts
    assert big.items == 120
    assert OpenItem.objects.outstanding().filter(customer_id=big.pk).count() == 120


def test_the_ledger_looks_like_a_real_one():
    generate_ledger(customers=60, items=3_000, seed=5, today=TODAY)
    items = OpenItem.objects.all()
    outstanding = items.outstanding()
    # Invoices mostly, and credit notes, payments and debit notes too.
    kinds = dict(items.values_list("document_type").annotate(n=Count("pk")))
    assert set(kinds) == set(DocumentType.values) - {DocumentType.OTHER}
    assert kinds[DocumentType.INVOICE] > sum(kinds.values()) / 2
    # Credits are negative, amounts due positive, never more open than issued.
    assert not items.filter(document_type__in=CREDIT_DOCUMENT_TYPES, amount__gt=0).exists()
    assert not items.exclude(document_type__in=CREDIT_DOCUMENT_TYPES).filter(amount__lt=0).exists()
    # Some overdue, some not yet due; some partly paid; some closed.
    debits = outstanding.filter(open_amount__gt=0)
    assert debits.filter(due_date__lt=TODAY).count() > debits.count() / 5
    assert debits.filter(due_date__gte=TODAY).count() > debits.count() / 5
    assert outstanding.filter(open_amount__lt=0).exists()
    assert debits.exclude(open_amount=F("amount")).exists()
    closed = items.filter(open_amount=0)
    assert closed.count() > 0
    assert not closed.filter(closed_at__isnull=True).exists()
    # A few currencies, items mostly in their customer's.
    assert Customer.objects.values("currency").distinct().count() >= 3
    assert items.exclude(currency=F("customer__currency")).count() < items.count() / 10
    amounts = sorted(debits.values_list("amount", flat=True))
    assert amounts[0] >= Decimal("1.00")
    assert amounts[len(amounts) // 2] > Decimal("200")
    # Promised and disputed items, each with the history row that explains it.
    promised = outstanding.filter(status__label="Promise to pay")
    assert promised.exists()
    assert not promised.filter(promise_date__isnull=True).exists()
    assert outstanding.filter(status__label="In dispute").exists()
    with_status = items.filter(status__isnull=False)
    history = StatusChange.objects.filter(cause=ChangeCause.DEMO)
    assert history.count() == with_status.count()
    assert not with_status.exclude(status_changes__status_after=F("status")).exists()


def _promises(prefix: str) -> list[tuple]:
    """The generated promises and their lines, without ids and times."""
    lines = (
        PromiseItem.objects.filter(promise__customer__code__startswith=prefix)
        .order_by("item__number")
        .values_list(
            "item__number",
            "amount",
            "paid_amount",
            "promise__promised_date",
            "promise__state",
            "promise__amount",
        )
    )
    return list(lines)


def test_promised_items_are_in_open_promises():
    report = generate_ledger(
        customers=60, items=3_000, big_account_items=[300], seed=5, today=TODAY
    )
    all_promised = OpenItem.objects.outstanding().filter(status__label="Promise to pay")
    # With the default day of grace: promised for yesterday or later.
    promised = all_promised.filter(promise_date__gte=TODAY - datetime.timedelta(days=1))
    assert promised.count() > 20
    assert all_promised.count() > promised.count()
    open_promises = PaymentPromise.objects.filter(state=PromiseState.OPEN)
    # Each promised item still in its grace period in exactly one open promise:
    # its customer's, in its currency, for its date, for its open amount; nothing
    # else in one (the daily job would have ended the others).
    lines = PromiseItem.objects.filter(promise__state=PromiseState.OPEN, released_at__isnull=True)
    assert sorted(lines.values_list("item_id", flat=True)) == sorted(
        promised.values_list("pk", flat=True)
    )
    assert not lines.exclude(
        item__customer=F("promise__customer"),
        item__currency=F("promise__currency"),
        item__promise_date=F("promise__promised_date"),
        amount=F("item__open_amount"),
        paid_amount=0,
        level=1,
    ).exists()
    # Several items share a promise; every open promise is worth its lines.
    assert open_promises.count() < promised.count()
    for promise in open_promises.annotate(lines_total=Sum("lines__amount")):
        assert promise.amount == promise.lines_total
        assert promise.source == PromiseSource.STATUS_CHANGE
        assert promise.evaluated_at is None
    assert report.promises == PaymentPromise.objects.count()


def test_paid_items_have_a_past_of_kept_and_broken_promises():
    generate_ledger(customers=80, items=4_000, seed=6, today=TODAY)
    evaluated = PaymentPromise.objects.exclude(state=PromiseState.OPEN)
    states = dict(evaluated.values_list("state").annotate(n=Count("pk")))
    assert set(states) == {
        PromiseState.KEPT,
        PromiseState.PARTIALLY_KEPT,
        PromiseState.BROKEN,
    }
    assert (
        states[PromiseState.KEPT]
        > states[PromiseState.BROKEN]
        > states[PromiseState.PARTIALLY_KEPT]
    )
    # Three in ten or so of the paid invoices and debit notes due three weeks ago
    # or more (promised for a week ago or earlier), each the one item of its
    # promise; none of the others.
    paid = OpenItem.objects.filter(open_amount=0, amount__gt=0)
    long_due = paid.filter(due_date__lte=TODAY - datetime.timedelta(days=22))
    promised_paid = long_due.filter(promise_lines__isnull=False)
    assert long_due.count() / 5 < promised_paid.count() < long_due.count() / 2
    assert not paid.exclude(pk__in=long_due).filter(promise_lines__isnull=False).exists()
    assert not evaluated.annotate(n=Count("lines")).exclude(n=1).exists()
    lines = PromiseItem.objects.filter(promise__in=evaluated)
    assert not lines.exclude(item__open_amount=0).exists()
    assert not lines.exclude(
        item__customer=F("promise__customer"), amount=F("item__amount")
    ).exists()
    # For a day on or after the item's due date, a week ago or earlier; made a
    # few days before it, not before the item existed; evaluated the night after
    # the day of grace; paid in full when kept, in part when partly kept, not in
    # time when broken.
    assert not evaluated.filter(promised_date__gt=TODAY - datetime.timedelta(days=7)).exists()
    assert not lines.exclude(promise__promised_date__gte=F("item__due_date")).exists()
    assert not lines.exclude(promise__created_at__date__gte=F("item__document_date")).exists()
    assert not evaluated.exclude(created_at__date__lte=F("promised_date")).exists()
    for promise in evaluated:
        assert promise.evaluated_at.date() == promise.promised_date + datetime.timedelta(days=2)
    # Not all on one day.
    assert evaluated.values("promised_date").distinct().count() > 100
    assert not evaluated.filter(state=PromiseState.KEPT).exclude(paid_amount=F("amount")).exists()
    assert not evaluated.filter(state=PromiseState.BROKEN).exclude(paid_amount=0).exists()
    partly = evaluated.filter(state=PromiseState.PARTIALLY_KEPT)
    assert not partly.exclude(paid_amount__gt=0, paid_amount__lt=F("amount")).exists()
    assert not lines.exclude(paid_amount=F("promise__paid_amount")).exists()
    # So the customers' keep rates vary, as in a real book.
    rates = set(
        with_keep_rate(Customer.objects.all(), today=TODAY).values_list("keep_rate", flat=True)
    )
    assert None in rates
    assert 0 in rates
    assert 100 in rates
    assert any(rate is not None and 0 < rate < 100 for rate in rates)


def test_the_daily_evaluation_finds_nothing_left_to_do():
    """The promises are as the daily job would have left them: run on the day
    of the ledger, it ends none (with the default day of grace, and with the
    longest one an administrator may set)."""
    for grace_days in (1, MAX_GRACE_DAYS):
        with transaction.atomic():
            preference = QuickPromisePreference.load()
            preference.grace_days = grace_days
            preference.save()
            generate_ledger(customers=40, items=2_000, seed=7, today=TODAY, prefix="E")
            assert PaymentPromise.objects.filter(state=PromiseState.OPEN).exists()
            assert not PaymentPromise.objects.filter(evaluated_at__date__gt=TODAY).exists()
            before = database_state()
            at = datetime.datetime.combine(TODAY, datetime.time(12, 0), tzinfo=datetime.UTC)
            assert evaluate_promises(at=at) == EvaluationReport()
            assert database_state() == before
            transaction.set_rollback(True)


def test_customer_names_are_company_like_and_searchable():
    generate_ledger(customers=300, items=0, seed=8)
    names = list(Customer.objects.values_list("name", flat=True))
    assert all(2 <= len(name.split()) <= 6 for name in names)
    assert len(set(names)) > 250
    # A part of a word finds the customers whose name has it, and only those.
    word = names[0].split()[0][1:5]
    found = set(search_customers(query=word.lower()).values_list("name", flat=True))
    assert found == {name for name in names if word.lower() in name.lower()}
    assert 0 < len(found) < len(names)


def test_same_seed_same_ledger_and_another_seed_another_one():
    generate_ledger(
        customers=30, items=400, big_account_items=[25], seed=11, prefix="A", today=TODAY
    )
    generate_ledger(
        customers=30, items=400, big_account_items=[25], seed=11, prefix="B", today=TODAY
    )
    generate_ledger(
        customers=30, items=400, big_account_items=[25], seed=12, prefix="C", today=TODAY
    )
    assert _ledger("A") == _ledger("B")
    assert len(_ledger("A")) == 425
    assert _ledger("A") != _ledger("C")
    assert _promises("A") == _promises("B")
    assert _promises("A")
    assert _promises("A") != _promises("C")


def test_dates_spread_around_the_day_given():
    generate_ledger(customers=20, items=500, seed=2, today=TODAY)
    assert not OpenItem.objects.filter(document_date__gt=TODAY).exists()
    assert OpenItem.objects.filter(due_date__gt=TODAY).exists()
    assert OpenItem.objects.filter(document_date__gte=TODAY - datetime.timedelta(days=30)).exists()


def test_refuses_a_prefix_in_use_and_changes_nothing():
    CustomerFactory(code="G0000001")
    before = database_state()
    with pytest.raises(GeneratorError, match="--prefix"):
        generate_ledger(customers=5, items=10)
    assert database_state() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customers": 0, "items": 10}, "need customers"),
        ({"customers": -1, "items": 0}, "9,999,999"),
        ({"customers": 1, "items": 0, "prefix": "a b"}, "prefix"),
    ],
)
def test_refuses_impossible_sizes(kwargs, message):
    with pytest.raises(GeneratorError, match=message):
        generate_ledger(**kwargs)
    assert not Customer.objects.exists()


def test_says_it_needs_postgresql_elsewhere():
    with (
        mock.patch.object(connection, "vendor", "sqlite"),
        pytest.raises(GeneratorError, match="needs PostgreSQL"),
    ):
        generate_ledger(customers=1, items=1)


def test_the_product_works_on_a_generated_big_account(officer):
    report = generate_ledger(customers=3, items=30, big_account_items=[200], seed=4)
    configure_quick_promise()
    account = report.big_accounts[0]
    debit_ids = list(
        OpenItem.objects.outstanding()
        .filter(customer_id=account.pk, open_amount__gt=0)
        .exclude(document_type__in=CREDIT_DOCUMENT_TYPES)
        .filter(Q(status__isnull=True) | Q(status__label="Promise to pay"))
        .values_list("pk", flat=True)
    )
    earlier = set(
        PaymentPromise.objects.filter(customer_id=account.pk, state=PromiseState.OPEN).values_list(
            "pk", flat=True
        )
    )
    assert earlier
    customer = Customer.objects.get(pk=account.pk)
    result = apply_quick_promise(customer=customer, item_ids=debit_ids, user=officer)
    assert result.changed == len(debit_ids) > 150
    # The generated promises were replaced whole: cancelled, their lines released.
    assert (
        set(
            PaymentPromise.objects.filter(pk__in=earlier, state=PromiseState.CANCELLED).values_list(
                "pk", flat=True
            )
        )
        == earlier
    )
    assert not PromiseItem.objects.filter(promise__in=earlier, released_at__isnull=True).exists()


def test_command_reports_what_it_made():
    out = StringIO()
    call_command(
        "generate_ledger", "--customers", "12", "--items", "90", "--big-account-items", "1,500",
        "--seed", "9", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Generated 13 customers and 1,590 items" in text
    assert "1,500 outstanding items" in text
    assert f") and {PaymentPromise.objects.count():,} payment promises in" in text
    assert OpenItem.objects.outstanding().filter(Q(customer__code="G0000013")).count() == 1_500


def test_command_json_output_for_the_bench():
    out = StringIO()
    call_command(
        "generate_ledger", "--customers", "4", "--items", "10", "--big-account-items", "7", "8",
        "--prefix", "J", "--json", stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    assert report["customers"] == 6
    assert report["promises"] == PaymentPromise.objects.count()
    assert [account["items"] for account in report["big_accounts"]] == [7, 8]
    assert [account["code"] for account in report["big_accounts"]] == ["J0000005", "J0000006"]


def test_command_refusal_is_a_command_error():
    with pytest.raises(CommandError, match="need customers"):
        call_command("generate_ledger", "--customers", "0", "--items", "5")
    with pytest.raises(CommandError, match="at least one item"):
        call_command("generate_ledger", "--big-account-items", "0")
