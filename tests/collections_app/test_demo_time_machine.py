"""The demo's time machine (``load_demo --advance N`` / ``--date``): the IBM
sample's real settlements replayed day by day, and the whole story of issue 6:
an officer promises, time passes, the promise is kept or broken."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from collections_app.demo import DEFAULT_CUTOFF, read_sample
from collections_app.models import (
    Action,
    ActionEvent,
    DemoClock,
    OpenItem,
    PaymentPromise,
    PromiseState,
    StatusChange,
)
from collections_app.promise_selectors import keep_rate
from collections_app.services import apply_quick_promise
from customers.models import Customer

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
# A Thursday, 10:00 in Paris.
MOMENT = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=PARIS)
TODAY = MOMENT.date()


def demo(*args: str, at: datetime.datetime = MOMENT) -> str:
    out = io.StringIO()
    with time_machine.travel(at, tick=False):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _customers_settling(*, within: range) -> dict[str, list[str]]:
    """Customers whose invoices outstanding at the cut-off all settle within
    ``within`` days after it (their outstanding invoice numbers)."""
    outstanding: dict[str, list] = defaultdict(list)
    for invoice in read_sample():
        if invoice.invoice_date <= DEFAULT_CUTOFF < invoice.settled and not invoice.disputed:
            outstanding[invoice.customer_id].append(invoice)
    return {
        customer: [invoice.number for invoice in invoices]
        for customer, invoices in outstanding.items()
        if all((invoice.settled - DEFAULT_CUTOFF).days in within for invoice in invoices)
    }


def _promise(code: str, numbers: list[str], at: datetime.datetime = MOMENT):
    customer = Customer.objects.get(code=code)
    officer = customer.collector
    items = OpenItem.objects.filter(customer=customer, number__in=numbers)
    with time_machine.travel(at, tick=False):
        result = apply_quick_promise(
            customer=customer, item_ids=[item.pk for item in items], user=officer
        )
    return customer, result


def test_an_officer_promises_time_passes_promises_are_kept_or_broken():
    demo()
    payer_code, payer_items = next(iter(_customers_settling(within=range(1, 3)).items()))
    late_code, late_items = next(iter(_customers_settling(within=range(30, 400)).items()))
    # The officer promises, on the phone with each customer (D+3, the demo's
    # Quick Promise; one day of grace).
    payer, kept = _promise(payer_code, payer_items)
    late, broken = _promise(late_code, late_items)
    assert kept.action is not None
    assert broken.action is not None
    assert keep_rate(customer=payer, today=TODAY).by_count is None

    output = demo("--advance", "6")

    # The customer who paid within two days: kept at once, the follow-up closed
    # by itself with the reason in its trail.
    promise = PaymentPromise.objects.get(pk=kept.promises[0].pk)
    assert promise.state == PromiseState.KEPT
    assert promise.paid_amount == promise.amount
    follow_up = Action.objects.get(pk=kept.action.pk)
    assert follow_up.done_at is not None
    assert "every item was paid" in ActionEvent.objects.get(action=follow_up).note
    rate = keep_rate(customer=payer, today=TODAY)
    assert (rate.by_count, rate.by_amount) == (100, 100)

    # The customer who paid nothing: broken after the grace period, the items
    # moved to "Broken promise" with their history, a callback for the collector
    # on the next working day: broken at the end of the fourth day replayed (the
    # promise date, then one day of grace), found on the fifth, due that day
    # (Wednesday), with the promise's date in its title.
    promise = PaymentPromise.objects.get(pk=broken.promises[0].pk)
    assert promise.state == PromiseState.BROKEN
    assert promise.promised_date == TODAY - datetime.timedelta(days=3)
    callback = promise.callback
    assert callback.assigned_to == late.collector
    assert callback.due_date == TODAY - datetime.timedelta(days=1)
    assert promise.promised_date.strftime("%d/%m/%Y") in callback.title
    assert promise.evaluated_at == MOMENT - datetime.timedelta(days=1)
    assert set(
        OpenItem.objects.filter(customer=late, number__in=late_items).values_list(
            "status__label", flat=True
        )
    ) == {"Broken promise"}
    assert StatusChange.objects.filter(item__customer=late, cause="promise_broken").count() == len(
        late_items
    )
    # The broken promise's follow-up closed itself: the callback replaces it.
    assert "a callback replaces this follow-up" in Action.objects.get(pk=broken.action.pk).outcome
    rate = keep_rate(customer=late, today=TODAY)
    assert (rate.by_count, rate.by_amount) == (0, 0)

    assert "from the sample's 2013-04-21 to 2013-04-27, now today" in output
    assert DemoClock.objects.get().cutoff == datetime.date(2013, 4, 27)
    # Today stays today: the promise was made six days ago.
    assert promise.created_at == MOMENT - datetime.timedelta(days=6)


def test_a_promise_broken_over_a_weekend_is_called_back_on_the_monday():
    monday = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)
    demo(at=monday)
    late_code, late_items = next(iter(_customers_settling(within=range(30, 400)).items()))
    _customer, broken = _promise(late_code, late_items, at=monday)
    demo("--advance", "6", at=monday)
    # Promised on Tuesday 1st for Friday 4th (D+3), paid by the end of Saturday
    # at the latest (one day of grace), found broken on the Sunday.
    promise = PaymentPromise.objects.get(pk=broken.promises[0].pk)
    assert promise.state == PromiseState.BROKEN
    assert promise.promised_date == datetime.date(2026, 12, 4)
    assert promise.callback.due_date == monday.date()
    assert "04/12/2026" in promise.callback.title
    assert promise.callback.created_at == monday - datetime.timedelta(days=1)


def test_advancing_replays_the_sample_day_by_day():
    demo()
    before = OpenItem.objects.outstanding().count()
    output = demo("--date", "2013-04-24")
    assert output.count("paid,") == 3
    sample = read_sample()
    cutoff = datetime.date(2013, 4, 24)
    issued = [invoice for invoice in sample if invoice.invoice_date <= cutoff]
    assert OpenItem.objects.count() == len(issued)
    outstanding = {invoice.number for invoice in issued if invoice.settled > cutoff}
    assert set(OpenItem.objects.outstanding().values_list("number", flat=True)) == outstanding
    assert before != len(outstanding)
    # Every date as the sample's, moved so that its 24 April 2013 is today.
    shift = TODAY - cutoff
    by_number = {invoice.number: invoice for invoice in issued}
    for item in OpenItem.objects.all():
        assert item.due_date == by_number[item.number].due_date + shift


def test_a_later_load_keeps_the_day_the_time_machine_reached():
    demo()
    demo("--advance", "2")
    output = demo()
    assert "cut-off 2013-04-23 shown as today" in output
    assert "0 created, 0 updated" in output


def test_a_later_day_lines_the_ledger_up_again():
    demo()
    item = OpenItem.objects.order_by("pk").first()
    with time_machine.travel(MOMENT + datetime.timedelta(days=2), tick=False):
        call_command("load_demo", stdout=io.StringIO())
    moved = OpenItem.objects.get(pk=item.pk)
    assert moved.due_date == item.due_date + datetime.timedelta(days=2)
    assert DemoClock.objects.get().aligned_on == TODAY + datetime.timedelta(days=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--advance", "-1"), "from 0 to 366"),
        (("--date", "2013-04-01"), "cannot go back"),
        (("--date", "2014-01-02"), "The sample ends on 2013-12-31"),
        (("--cutoff", "2013-01-01"), "is at the sample's 2013-04-21"),
    ],
)
def test_refusals_change_nothing(args, message):
    demo()
    count = OpenItem.objects.count()
    with pytest.raises(CommandError, match=message):
        demo(*args)
    assert OpenItem.objects.count() == count
    assert DemoClock.objects.get().cutoff == DEFAULT_CUTOFF


def test_advance_zero_changes_no_item():
    demo()
    users = get_user_model().objects.count()
    demo("--advance", "0")
    assert get_user_model().objects.count() == users
    assert DemoClock.objects.get().cutoff == DEFAULT_CUTOFF
