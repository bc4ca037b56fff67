"""Kept, partially kept, broken: promises evaluated by the imports that bring the
payments and by the daily job; what follows (broken status, callback, the
follow-ups that close themselves)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collections_app.models import (
    Action,
    ActionEvent,
    ActionEventKind,
    ChangeCause,
    OpenItem,
    PaymentPromise,
    PromiseState,
    QuickPromisePreference,
    StatusChange,
)
from collections_app.services import apply_quick_promise
from collections_app.services.actions import reschedule_action
from collections_app.services.promise_evaluation import (
    callback_day,
    evaluate_promises,
    next_working_day,
)
from tests.collections_app.open_items_files import line, run_import
from tests.factories import ItemStatusFactory, OfficerFactory, configure_quick_promise
from tests.utils import database_state

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


# Thursday 3 December 2026: promised for D+1, Friday the 4th; with one day of
# grace, payments count until the end of Saturday the 5th (Paris time).
PROMISED_AT = paris(2026, 12, 3, 10, 0)
PROMISED_FOR = datetime.date(2026, 12, 4)


def _ledger(*open_amounts: str, code: str = "C001") -> None:
    """Customer C001 with invoices INV-1, INV-2… of 1,000.00 each, open as given."""
    run_import(
        *[
            line(customer_code=code, number=f"INV-{n}", amount="1000.00", open_amount=amount)
            for n, amount in enumerate(open_amounts, start=1)
        ]
    )


def _pay(*open_amounts: str, at: datetime.datetime):
    """The next morning's file: the items now open for these amounts."""
    with time_machine.travel(at, tick=False):
        return run_import(
            *[
                line(number=f"INV-{n}", amount="1000.00", open_amount=amount)
                for n, amount in enumerate(open_amounts, start=1)
            ]
        )


@pytest.fixture
def collector(db):
    return OfficerFactory(username="colette", first_name="Colette", last_name="Collector")


@pytest.fixture
def broken_status(db):
    status = ItemStatusFactory(label="Broken promise")
    QuickPromisePreference.objects.update_or_create(pk=1, defaults={"broken_status": status})
    return status


@pytest.fixture
def promise(db, officer, collector):
    """A quick promise on INV-1 and INV-2 (1,000.00 each), with its follow-up."""
    _ledger("1000.00", "1000.00")
    configure_quick_promise(delay_days=1)
    items = list(OpenItem.objects.order_by("number"))
    customer = items[0].customer
    customer.collector = collector
    customer.save()
    with time_machine.travel(PROMISED_AT, tick=False):
        result = apply_quick_promise(
            customer=customer, item_ids=[i.pk for i in items], user=officer
        )
    assert result.promise_date == PROMISED_FOR
    return result.promises[0]


def _evaluate(at: datetime.datetime):
    with time_machine.travel(at, tick=False):
        return evaluate_promises()


def _state(promise: PaymentPromise) -> tuple[str, Decimal]:
    promise.refresh_from_db()
    return promise.state, promise.paid_amount


class TestImportHook:
    pytestmark = pytest.mark.usefixtures("engine")

    def test_paid_in_full_is_kept_at_once_and_closes_the_follow_up(self, promise):
        report = _pay("0", "0", at=paris(2026, 12, 4, 7, 0))
        assert report.promises.kept == 1
        promise.refresh_from_db()
        assert promise.state == PromiseState.KEPT
        assert promise.paid_amount == Decimal("2000.00")
        assert promise.evaluated_at == paris(2026, 12, 4, 7, 0)
        follow_up = promise.follow_up
        follow_up.refresh_from_db()
        assert follow_up.done_at == paris(2026, 12, 4, 7, 0)
        assert follow_up.done_by is None
        assert "every item was paid" in follow_up.outcome
        event = ActionEvent.objects.get(action=follow_up)
        assert event.kind == ActionEventKind.DONE
        assert event.note == follow_up.outcome
        assert report.promises.follow_ups_closed == 1

    def test_part_paid_stays_open_with_what_was_received(self, promise):
        _pay("400.00", "1000.00", at=paris(2026, 12, 4, 7, 0))
        assert _state(promise) == (PromiseState.OPEN, Decimal("600.00"))
        # The follow-up waits: not every item is paid.
        assert promise.follow_up.done_at is None
        # The rest arrives within the grace period: kept.
        _pay("0", "0", at=paris(2026, 12, 5, 23, 0))
        assert _state(promise) == (PromiseState.KEPT, Decimal("2000.00"))

    def test_a_payment_after_the_grace_period_does_not_count(self, promise):
        # Sunday the 6th: the grace period ended with Saturday; the daily job has
        # not run, the import evaluates the promise without this late payment.
        report = _pay("0", "0", at=paris(2026, 12, 6, 0, 5))
        assert report.promises.broken == 1
        assert _state(promise) == (PromiseState.BROKEN, Decimal("0.00"))

    def test_an_item_reopened_takes_its_payment_back(self, promise):
        _pay("0", "1000.00", at=paris(2026, 12, 4, 7, 0))
        _pay("1000.00", "1000.00", at=paris(2026, 12, 4, 8, 0))
        assert _state(promise) == (PromiseState.OPEN, Decimal("0.00"))

    def test_a_file_that_pays_nothing_promised_changes_no_promise(self, promise):
        before = PaymentPromise.objects.values_list("state", "paid_amount").get()
        _pay("1000.00", "1000.00", at=paris(2026, 12, 4, 7, 0))
        assert PaymentPromise.objects.values_list("state", "paid_amount").get() == before

    def test_a_snapshot_closing_the_items_keeps_the_promise(self, promise):
        with time_machine.travel(paris(2026, 12, 4, 7, 0), tick=False):
            run_import(line(customer_code="C999", number="OTHER"), snapshot=True)
        assert _state(promise) == (PromiseState.KEPT, Decimal("2000.00"))


class TestDailyEvaluation:
    def test_open_until_the_end_of_the_grace_day_in_paris(self, promise):
        # Saturday 23:59:59 in Paris (22:59:59 UTC): still within the grace period.
        assert _evaluate(paris(2026, 12, 5, 23, 59, 59)).broken == 0
        assert _state(promise)[0] == PromiseState.OPEN
        # Sunday 00:00 in Paris, still Saturday in UTC: past it.
        assert _evaluate(paris(2026, 12, 6, 0, 0)).broken == 1
        assert _state(promise)[0] == PromiseState.BROKEN

    def test_the_grace_period_comes_from_preferences(self, promise):
        QuickPromisePreference.objects.filter(pk=1).update(grace_days=0)
        assert _evaluate(paris(2026, 12, 4, 23, 59)).broken == 0
        assert _evaluate(paris(2026, 12, 5, 0, 0)).broken == 1

    def test_partially_kept(self, promise):
        _pay("0", "1000.00", at=paris(2026, 12, 4, 7, 0))
        report = _evaluate(paris(2026, 12, 6, 1, 0))
        assert (report.kept, report.partially_kept, report.broken) == (0, 1, 0)
        assert _state(promise) == (PromiseState.PARTIALLY_KEPT, Decimal("1000.00"))
        assert promise.callback is None

    def test_broken_moves_the_items_and_calls_back(self, promise, broken_status, collector):
        report = _evaluate(paris(2026, 12, 6, 1, 0))  # a Sunday
        assert (report.broken, report.items_moved, report.callbacks) == (1, 2, 1)
        promise.refresh_from_db()
        items = list(OpenItem.objects.order_by("number"))
        assert {item.status for item in items} == {broken_status}
        assert {item.promise_date for item in items} == {None}
        history = StatusChange.objects.filter(cause=ChangeCause.PROMISE_BROKEN)
        assert history.count() == 2
        assert {row.promise_date_before for row in history} == {PROMISED_FOR}
        callback = promise.callback
        assert callback.due_date == datetime.date(2026, 12, 7)  # Monday
        assert callback.assigned_to == collector
        assert callback.customer == promise.customer
        assert set(callback.items.all()) == set(items)
        assert "broken" in callback.title
        # The promise's own follow-up closes itself: the callback replaces it.
        follow_up = promise.follow_up
        follow_up.refresh_from_db()
        assert follow_up.done_at == paris(2026, 12, 6, 1, 0)
        assert follow_up.done_by is None
        assert "the promise was broken, a callback replaces this follow-up" in follow_up.outcome
        assert ActionEvent.objects.get(action=follow_up).note == follow_up.outcome
        assert list(Action.objects.open()) == [callback]
        assert report.follow_ups_closed == 1

    def test_a_follow_up_worked_on_since_stays_open(self, promise, officer):
        follow_up = promise.follow_up
        with time_machine.travel(PROMISED_AT, tick=False):
            reschedule_action(
                action=follow_up, due_date=follow_up.due_date + datetime.timedelta(1), user=officer
            )
        report = _evaluate(paris(2026, 12, 6, 1, 0))
        assert (report.broken, report.callbacks, report.follow_ups_closed) == (1, 1, 0)
        assert follow_up in Action.objects.open()

    def test_an_action_typed_by_hand_stays_open(self, promise):
        Action.objects.filter(pk=promise.follow_up_id).update(template=None)
        assert _evaluate(paris(2026, 12, 6, 1, 0)).follow_ups_closed == 0
        assert promise.follow_up in Action.objects.open()

    def test_a_follow_up_shared_with_a_promise_still_open_stays_open(self, promise, officer):
        # Another currency of the same quick promise, dated later: still open.
        PaymentPromise.objects.create(
            customer=promise.customer,
            promised_date=datetime.date(2026, 12, 20),
            currency="USD",
            amount=Decimal("10.00"),
            source=promise.source,
            created_by=officer,
            created_at=PROMISED_AT,
            follow_up=promise.follow_up,
        )
        report = _evaluate(paris(2026, 12, 6, 1, 0))
        assert (report.broken, report.follow_ups_closed) == (1, 0)
        assert promise.follow_up in Action.objects.open()

    def test_callback_goes_to_the_author_without_an_active_collector(
        self, promise, collector, officer
    ):
        collector.is_active = False
        collector.save()
        _evaluate(paris(2026, 12, 6, 1, 0))
        promise.refresh_from_db()
        assert promise.callback.assigned_to == officer

    def test_without_a_broken_status_the_items_keep_theirs(self, promise):
        statuses = set(OpenItem.objects.values_list("status", flat=True))
        assert _evaluate(paris(2026, 12, 6, 1, 0)).items_moved == 0
        assert set(OpenItem.objects.values_list("status", flat=True)) == statuses

    def test_twice_changes_nothing_the_second_time(self, promise, broken_status):
        _evaluate(paris(2026, 12, 6, 1, 0))
        before = database_state()
        report = _evaluate(paris(2026, 12, 6, 1, 5))
        assert report.as_dict() == dict.fromkeys(report.as_dict(), 0)
        assert database_state() == before

    def test_kept_promises_are_left_alone(self, promise):
        _pay("0", "0", at=paris(2026, 12, 4, 7, 0))
        before = database_state()
        assert _evaluate(paris(2026, 12, 8, 1, 0)).kept == 0
        assert database_state() == before

    def test_queries_do_not_grow_with_the_promises(self, officer, broken_status):
        def evaluate(count: int, day: int) -> int:
            _ledger(*["1000.00"] * count, code=f"Q{count}")
            configure_quick_promise(delay_days=0)
            items = OpenItem.objects.filter(promise_lines__isnull=True).order_by("pk")
            with time_machine.travel(paris(2026, 11, day, 9, 0), tick=False):
                for item in items[:count]:
                    apply_quick_promise(customer=item.customer, item_ids=[item.pk], user=officer)
            with (
                time_machine.travel(paris(2026, 11, day + 5, 9, 0), tick=False),
                CaptureQueriesContext(connection) as queries,
            ):
                report = evaluate_promises()
            assert (report.broken, report.items_moved, report.callbacks) == (count,) * 3
            return len(queries)

        assert evaluate(1, 2) == evaluate(20, 10)


def test_partial_follow_ups_and_late_ones_stay_open(officer, engine):
    _ledger("1000.00", "1000.00")
    customer = OpenItem.objects.first().customer
    items = list(OpenItem.objects.order_by("number"))
    # Created the day of the promise, before the payments that close them (not
    # at the real time of the run: an action cannot be done before it exists).
    with time_machine.travel(PROMISED_AT, tick=False):
        due_today = Action.objects.create(customer=customer, title="Both", due_date=PROMISED_FOR)
        only_first = Action.objects.create(customer=customer, title="First", due_date=PROMISED_FOR)
        late = Action.objects.create(
            customer=customer, title="Late", due_date=datetime.date(2026, 12, 3)
        )
    due_today.items.set(items)
    only_first.items.set(items[:1])
    late.items.set(items[:1])
    _pay("0", "1000.00", at=paris(2026, 12, 4, 23, 0))
    assert set(Action.objects.open().values_list("title", flat=True)) == {"Both", "Late"}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 12, 3), datetime.date(2026, 12, 4)),  # Thursday → Friday
        (datetime.date(2026, 12, 4), datetime.date(2026, 12, 7)),  # Friday → Monday
        (datetime.date(2026, 12, 5), datetime.date(2026, 12, 7)),  # Saturday → Monday
        (datetime.date(2026, 12, 6), datetime.date(2026, 12, 7)),  # Sunday → Monday
    ],
)
def test_next_working_day(day, expected):
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("evaluated_on", "due"),
    [
        # Broken at the end of Wednesday, found that night: called back Thursday.
        (datetime.date(2026, 12, 3), datetime.date(2026, 12, 3)),
        (datetime.date(2026, 12, 4), datetime.date(2026, 12, 4)),  # Friday
        # Broken on a Friday or over the weekend: Monday.
        (datetime.date(2026, 12, 5), datetime.date(2026, 12, 7)),
        (datetime.date(2026, 12, 6), datetime.date(2026, 12, 7)),
        (datetime.date(2026, 12, 7), datetime.date(2026, 12, 7)),
    ],
)
def test_a_callback_is_due_the_next_working_day_after_the_promise_broke(evaluated_on, due):
    assert callback_day(evaluated_on) == due
