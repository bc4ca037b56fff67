"""Payment promises as records: made by Quick Promise, Change status and by hand,
superseded by a new promise on the same item, released by another status."""

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
    OpenItem,
    PaymentPromise,
    PromiseItem,
    PromiseSource,
    PromiseState,
    ReleaseReason,
)
from collections_app.services import apply_quick_promise
from collections_app.services.actions import ActionDraft, reschedule_action
from collections_app.services.item_status import change_item_status
from collections_app.services.promises import PromiseError, record_promise_by_hand
from tests.factories import (
    ActionTemplateFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    PromiseStatusFactory,
    configure_quick_promise,
)
from tests.utils import database_state

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
MORNING = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=PARIS)  # a Thursday


@pytest.fixture(autouse=True)
def _thursday():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def customer():
    return CustomerFactory(code="0042-DUP", name="Dupont Logistics")


@pytest.fixture
def items(customer):
    return [
        OpenItemFactory(customer=customer, number="INV-1", amount=Decimal("1000.00")),
        OpenItemFactory(
            customer=customer,
            number="INV-2",
            amount=Decimal("500.00"),
            open_amount=Decimal("200.00"),
        ),
    ]


def _promise(customer, items, officer):
    return apply_quick_promise(customer=customer, item_ids=[i.pk for i in items], user=officer)


def test_quick_promise_records_the_promise_with_each_items_open_amount(customer, items, officer):
    configure_quick_promise(delay_days=3)
    result = _promise(customer, items, officer)
    promise = PaymentPromise.objects.get()
    assert result.promises == (promise,)
    assert promise.customer == customer
    assert promise.promised_date == datetime.date(2026, 12, 6)
    assert promise.amount == Decimal("1200.00")
    assert promise.paid_amount == 0
    assert promise.currency == "EUR"
    assert promise.source == PromiseSource.QUICK_PROMISE
    assert promise.state == PromiseState.OPEN
    assert promise.created_by == officer
    assert promise.created_at == MORNING
    assert promise.evaluated_at is None
    assert promise.follow_up == result.action
    lines = {line.item.number: line for line in promise.lines.select_related("item")}
    assert {number: (line.amount, line.level) for number, line in lines.items()} == {
        "INV-1": (Decimal("1000.00"), 1),
        "INV-2": (Decimal("200.00"), 1),
    }
    assert all(line.is_active and line.paid_amount == 0 for line in lines.values())


def test_a_repeated_click_records_no_second_promise(customer, items, officer):
    configure_quick_promise()
    _promise(customer, items, officer)
    before = database_state()
    result = _promise(customer, items, officer)
    assert result.promises == ()
    assert database_state() == before


def test_one_promise_per_currency(customer, officer):
    configure_quick_promise()
    euros = OpenItemFactory(customer=customer, amount=Decimal("100.00"))
    dollars = OpenItemFactory(customer=customer, amount=Decimal("70.00"), currency="USD")
    result = _promise(customer, [euros, dollars], officer)
    assert sorted((p.currency, p.amount) for p in result.promises) == [
        ("EUR", Decimal("100.00")),
        ("USD", Decimal("70.00")),
    ]
    assert PromiseItem.objects.get(item=dollars).promise.currency == "USD"


def test_a_new_promise_supersedes_the_open_one_and_counts_the_level(customer, items, officer):
    configure_quick_promise(delay_days=1)
    first = _promise(customer, items, officer).promises[0]
    configure_quick_promise(delay_days=4)
    second = _promise(customer, items[:1], officer).promises[0]
    # The first promise goes on for the item not promised again, for its amount.
    first.refresh_from_db()
    assert first.state == PromiseState.OPEN
    assert first.amount == Decimal("200.00")
    released = PromiseItem.objects.get(promise=first, item=items[0])
    assert released.released_at == MORNING
    assert released.release_reason == ReleaseReason.SUPERSEDED
    assert PromiseItem.objects.get(promise=second).level == 2
    # Promised a third time, with the other item: the first promise has nothing
    # left and is cancelled; levels go on counting.
    configure_quick_promise(delay_days=5)
    third = _promise(customer, items, officer).promises[0]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.evaluated_at) == (PromiseState.CANCELLED, MORNING)
    assert second.state == PromiseState.CANCELLED
    levels = dict(PromiseItem.objects.filter(promise=third).values_list("item__number", "level"))
    assert levels == {"INV-1": 3, "INV-2": 2}


def test_items_already_promised_so_keep_their_promise_and_follow_up(customer, items, officer):
    configure_quick_promise(delay_days=2)
    first = _promise(customer, items[:1], officer)
    # The same day, the officer promises that item again with another one.
    second = _promise(customer, items, officer)
    assert second.changed == 1
    first.promises[0].refresh_from_db()
    assert first.promises[0].state == PromiseState.OPEN  # not superseded by itself
    assert list(second.promises[0].lines.values_list("item__number", "level")) == [("INV-2", 1)]
    assert PromiseItem.objects.get(item=items[0]).level == 1
    # One open follow-up per item: the new one is for the item it promised.
    assert list(second.action.items.all()) == [items[1]]
    assert items[0].actions.filter(done_at=None).count() == 1


def test_a_promise_left_with_no_item_closes_its_untouched_follow_up(customer, items, officer):
    configure_quick_promise(delay_days=1)
    first = _promise(customer, items, officer)
    configure_quick_promise(delay_days=3)
    second = _promise(customer, items, officer)
    first.action.refresh_from_db()
    assert first.action.done_at == MORNING
    assert "promised again" in first.action.outcome
    assert first.action.events.get().note == first.action.outcome
    second.action.refresh_from_db()
    assert second.action.done_at is None
    # Partly promised again: the first promise stands for its other item, and so
    # does its follow-up.
    configure_quick_promise(delay_days=5)
    third = _promise(customer, items[:1], officer)
    second.action.refresh_from_db()
    assert second.action.done_at is None
    assert third.action.done_at is None


def test_a_follow_up_worked_on_is_left_open_when_its_promise_is_replaced(customer, items, officer):
    configure_quick_promise(delay_days=1)
    first = _promise(customer, items, officer)
    reschedule_action(action=first.action, due_date=datetime.date(2026, 12, 10), user=officer)
    configure_quick_promise(delay_days=3)
    _promise(customer, items, officer)
    first.action.refresh_from_db()
    assert first.action.done_at is None


@pytest.mark.parametrize("then", ["promised again", "disputed"])
def test_a_specific_action_asked_for_with_a_promise_is_never_closed_with_it(
    customer, items, officer, then
):
    promised_by_phone = ItemStatusFactory(label="Promised by phone", kind="promise")
    change_item_status(
        customer=customer,
        item_ids=[i.pk for i in items],
        status=promised_by_phone,
        status_date=datetime.date(2026, 12, 8),
        user=officer,
        action=ActionDraft(
            action_type="email",
            title="Send the invoice copy they asked for",
            due_date=datetime.date(2026, 12, 4),
            assigned_to=officer,
            template=ActionTemplateFactory(name="Send the invoice copy"),
        ),
    )
    asked = Action.objects.get(title="Send the invoice copy they asked for")
    if then == "promised again":
        configure_quick_promise(delay_days=2)
        _promise(customer, items, officer)
    else:
        change_item_status(
            customer=customer,
            item_ids=[i.pk for i in items],
            status=ItemStatusFactory(kind="dispute"),
            status_date=datetime.date(2026, 12, 3),
            resolver=officer,
            user=officer,
        )
    asked.refresh_from_db()
    assert asked.done_at is None


def test_a_follow_up_stays_when_the_new_promise_has_none(customer, items, officer):
    configure_quick_promise(delay_days=1)
    first = _promise(customer, items, officer)
    configure_quick_promise(status=PromiseStatusFactory(action_template=None), delay_days=3)
    second = _promise(customer, items, officer)
    assert second.action is None
    first.action.refresh_from_db()
    assert first.action.done_at is None  # the items keep a follow-up


def test_an_evaluated_promise_is_not_superseded(customer, items, officer):
    configure_quick_promise(delay_days=1)
    first = _promise(customer, items, officer).promises[0]
    PaymentPromise.objects.filter(pk=first.pk).update(
        state=PromiseState.BROKEN, evaluated_at=MORNING
    )
    configure_quick_promise(delay_days=2)
    _promise(customer, items, officer)
    assert not PromiseItem.objects.filter(promise=first, released_at__isnull=False).exists()
    assert PaymentPromise.objects.get(pk=first.pk).state == PromiseState.BROKEN


def test_change_status_to_a_promise_records_one(customer, items, officer):
    status = PromiseStatusFactory()
    result = change_item_status(
        customer=customer,
        item_ids=[items[0].pk],
        status=status,
        status_date=datetime.date(2026, 12, 20),
        user=officer,
    )
    promise = PaymentPromise.objects.get()
    assert promise.source == PromiseSource.STATUS_CHANGE
    assert promise.promised_date == datetime.date(2026, 12, 20)
    assert promise.amount == Decimal("1000.00")
    assert promise.follow_up == result.action


def test_another_status_withdraws_the_items_from_their_promise(customer, items, officer):
    configure_quick_promise()
    promise = _promise(customer, items, officer).promises[0]
    dispute = ItemStatusFactory(kind="dispute")
    change_item_status(
        customer=customer,
        item_ids=[i.pk for i in items],
        status=dispute,
        status_date=datetime.date(2026, 12, 4),
        resolver=officer,
        user=officer,
    )
    promise.refresh_from_db()
    assert promise.state == PromiseState.CANCELLED
    assert set(promise.lines.values_list("release_reason", flat=True)) == {ReleaseReason.WITHDRAWN}
    # Its follow-up ("check the payment arrived") closes itself and says why.
    promise.follow_up.refresh_from_db()
    assert promise.follow_up.done_at == MORNING
    assert "another status" in promise.follow_up.outcome


def test_a_status_that_is_no_promise_records_none(customer, items, officer):
    change_item_status(
        customer=customer,
        item_ids=[items[0].pk],
        status=ItemStatusFactory(),
        status_date=datetime.date(2026, 12, 4),
        user=officer,
    )
    assert not PaymentPromise.objects.exists()


def test_a_promise_by_hand(customer, items, officer):
    promises = record_promise_by_hand(
        customer=customer,
        item_ids=[str(items[1].pk)],
        promised_date=datetime.date(2026, 12, 10),
        user=officer,
    )
    assert [(p.source, p.amount) for p in promises] == [(PromiseSource.MANUAL, Decimal("200.00"))]
    # The items keep their status: only the record is made.
    assert OpenItem.objects.get(pk=items[1].pk).status is None


@pytest.mark.parametrize(
    ("date", "code"),
    [
        (datetime.date(2026, 12, 2), "past_date"),
        (None, "past_date"),
        # Two years ahead at most (2028-12-03 from 2026-12-03): a typo.
        (datetime.date(2028, 12, 4), "far_date"),
        (datetime.date(9999, 12, 31), "far_date"),
    ],
)
def test_a_promise_by_hand_refuses_a_past_or_far_date(customer, items, officer, date, code):
    with pytest.raises(PromiseError) as refused:
        record_promise_by_hand(
            customer=customer, item_ids=[items[0].pk], promised_date=date, user=officer
        )
    assert refused.value.code == code
    assert not PaymentPromise.objects.exists()


def test_a_promise_by_hand_refuses_a_credit(customer, officer):
    credit = OpenItemFactory(
        customer=customer, document_type="credit_note", amount=Decimal("-10.00")
    )
    with pytest.raises(Exception, match="credit"):
        record_promise_by_hand(
            customer=customer,
            item_ids=[credit.pk],
            promised_date=datetime.date(2026, 12, 10),
            user=officer,
        )


def _queries_superseding(count: int, officer) -> int:
    customer = CustomerFactory()
    ids = [
        item.pk
        for item in OpenItem.objects.bulk_create(
            OpenItemFactory.build_batch(count, customer=customer)
        )
    ]
    configure_quick_promise(delay_days=1)
    apply_quick_promise(customer=customer, item_ids=ids, user=officer)
    configure_quick_promise(delay_days=2)
    with CaptureQueriesContext(connection) as queries:
        result = apply_quick_promise(customer=customer, item_ids=ids, user=officer)
    assert PromiseItem.objects.filter(promise=result.promises[0], level=2).count() == count
    return len(queries)


def test_superseding_takes_the_same_queries_whatever_the_number_of_items():
    officer = OfficerFactory()
    counts = {size: _queries_superseding(size, officer) for size in (1, 300)}
    # 12, three more as the first promise, left with no item, closes its
    # follow-up (found, its trail, closed), and one to know whether the items
    # promised again were in dispute (they had a status).
    assert counts[1] == counts[300] <= 16, counts
