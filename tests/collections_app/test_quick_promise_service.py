from __future__ import annotations

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from collections_app.models import (
    Action,
    ChangeCause,
    OpenItem,
    QuickPromisePreference,
    StatusChange,
)
from collections_app.services import (
    QuickPromiseError,
    QuickPromiseResult,
    apply_quick_promise,
    selection,
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
from tests.utils import database_state

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def customer():
    return CustomerFactory()


@pytest.fixture
def items(customer):
    return OpenItemFactory.create_batch(3, customer=customer)


def test_error_is_a_validation_error():
    assert issubclass(QuickPromiseError, ValidationError)


@pytest.mark.parametrize("delay_days", range(6))
@pytest.mark.parametrize(
    ("moment", "today"),
    [
        # Just after midnight in Paris: UTC is still on the day before.
        (paris(2026, 12, 3, 0, 5), datetime.date(2026, 12, 3)),
        # Just before midnight in Paris.
        (paris(2026, 12, 3, 23, 55), datetime.date(2026, 12, 3)),
    ],
    ids=["after-midnight", "before-midnight"],
)
def test_promise_date_is_business_today_plus_delay(
    customer, items, officer, moment, today, delay_days
):
    configure_quick_promise(delay_days=delay_days)
    with time_machine.travel(moment, tick=False):
        result = apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    expected = today + datetime.timedelta(days=delay_days)
    assert result.promise_date == expected
    items[0].refresh_from_db()
    assert items[0].promise_date == expected


def test_after_midnight_in_paris_uses_paris_day_not_utc_day(customer, items, officer):
    configure_quick_promise(delay_days=0)
    moment = paris(2026, 12, 3, 0, 30)
    assert moment.astimezone(datetime.UTC).date() == datetime.date(2026, 12, 2)
    with time_machine.travel(moment, tick=False):
        result = apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    assert result.promise_date == datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("moment", "delay_days", "expected"),
    [
        # Clocks go forward on 29 March 2026: calendar days, not 24-hour periods.
        (paris(2026, 3, 28, 23, 30), 1, datetime.date(2026, 3, 29)),
        (paris(2026, 3, 28, 23, 30), 2, datetime.date(2026, 3, 30)),
        (paris(2026, 3, 29, 0, 30), 0, datetime.date(2026, 3, 29)),
        # Clocks go back on 25 October 2026.
        (paris(2026, 10, 24, 23, 30), 1, datetime.date(2026, 10, 25)),
        (paris(2026, 10, 25, 23, 30), 5, datetime.date(2026, 10, 30)),
        # Month and year ends, and a leap day.
        (paris(2026, 11, 29, 12, 0), 3, datetime.date(2026, 12, 2)),
        (paris(2026, 12, 30, 23, 59), 3, datetime.date(2027, 1, 2)),
        (paris(2028, 2, 27, 9, 0), 3, datetime.date(2028, 3, 1)),
        (paris(2027, 2, 27, 9, 0), 3, datetime.date(2027, 3, 2)),
    ],
)
def test_promise_date_across_calendar_edges(customer, items, officer, moment, delay_days, expected):
    configure_quick_promise(delay_days=delay_days)
    with time_machine.travel(moment, tick=False):
        result = apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    assert result.promise_date == expected


@time_machine.travel(paris(2026, 12, 3, 10, 0), tick=False)
def test_applies_status_date_follow_up_and_history(customer, items, officer):
    preference = configure_quick_promise(delay_days=3)
    status = preference.status
    untouched = OpenItemFactory(customer=customer)

    result = apply_quick_promise(
        customer=customer, item_ids=[str(items[0].pk), items[2].pk], user=officer
    )

    assert isinstance(result, QuickPromiseResult)
    assert result.promise_date == datetime.date(2026, 12, 6)
    assert {item.pk for item in result.items} == {items[0].pk, items[2].pk}
    for item in (items[0], items[2]):
        item.refresh_from_db()
        assert item.status == status
        assert item.promise_date == datetime.date(2026, 12, 6)
    for item in (items[1], untouched):
        item.refresh_from_db()
        assert item.status is None
        assert item.promise_date is None

    action = result.action
    assert Action.objects.get() == action
    assert set(action.items.values_list("pk", flat=True)) == {items[0].pk, items[2].pk}
    assert action.due_date == datetime.date(2026, 12, 6)
    assert action.template == status.action_template
    assert action.action_type == status.action_template.action_type
    assert action.title == status.action_template.title
    assert action.customer == customer
    assert action.created_by == officer
    assert action.assigned_to == officer  # the customer has no collector
    assert action.done_at is None

    history = StatusChange.objects.order_by("item_id")
    assert [change.item_id for change in history] == [items[0].pk, items[2].pk]
    for change in history:
        assert change.status_before is None
        assert change.status_after == status
        assert change.promise_date_before is None
        assert change.promise_date_after == datetime.date(2026, 12, 6)
        assert change.changed_by == officer
        assert change.cause == ChangeCause.QUICK_PROMISE
        assert change.action == action
        assert change.changed_at == datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)


def test_follow_up_goes_to_the_customers_collector(items, customer, officer):
    collector = OfficerFactory()
    customer.collector = collector
    customer.save()
    configure_quick_promise()
    result = apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    assert result.action.assigned_to == collector
    assert result.action.created_by == officer


def test_follow_up_goes_to_the_officer_when_the_collector_left(items, customer, officer):
    customer.collector = OfficerFactory(is_active=False)
    customer.save()
    configure_quick_promise()
    result = apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    assert result.action.assigned_to == officer


def test_template_title_falls_back_to_its_name(items, customer, officer):
    status = PromiseStatusFactory(action_template__title="", action_template__name="Call back")
    configure_quick_promise(status=status)
    result = apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    assert result.action.title == "Call back"


def test_status_without_template_creates_no_action(items, customer, officer):
    configure_quick_promise(status=ItemStatusFactory(label="Promised", kind="promise"))
    result = apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    assert result.action is None
    assert not Action.objects.exists()
    assert StatusChange.objects.count() == 1


def test_history_keeps_the_previous_status_and_date(items, customer, officer):
    old_status = ItemStatusFactory(label="Reminder sent")
    OpenItem.objects.filter(pk=items[0].pk).update(
        status=old_status, promise_date=datetime.date(2026, 11, 20)
    )
    preference = configure_quick_promise(delay_days=2)
    with time_machine.travel(paris(2026, 12, 3, 10, 0), tick=False):
        apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    change = StatusChange.objects.get()
    assert change.status_before == old_status
    assert change.promise_date_before == datetime.date(2026, 11, 20)
    assert change.status_after == preference.status
    assert change.promise_date_after == datetime.date(2026, 12, 5)


def test_repeating_the_same_promise_changes_nothing(items, customer, officer):
    configure_quick_promise()
    first = apply_quick_promise(
        customer=customer, item_ids=[items[0].pk, items[1].pk], user=officer
    )
    before = database_state()
    again = apply_quick_promise(
        customer=customer, item_ids=[items[0].pk, items[1].pk], user=officer
    )
    assert first.changed == 2
    assert again.changed == 0
    assert again.action is None
    assert database_state() == before
    assert "nothing changed" in again.summary()


def test_a_new_item_in_the_same_promise_gets_promised_with_a_follow_up(items, customer, officer):
    configure_quick_promise()
    apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    result = apply_quick_promise(
        customer=customer, item_ids=[items[0].pk, items[1].pk], user=officer
    )
    assert result.changed == 1
    assert result.unchanged == 1
    assert Action.objects.count() == 2
    assert StatusChange.objects.count() == 2
    assert "1 item promised" in result.summary()
    assert "1 was already promised" in result.summary()


def test_summary_says_what_happened(items, customer, officer):
    configure_quick_promise(delay_days=4)
    with time_machine.travel(paris(2026, 12, 3, 10, 0), tick=False):
        result = apply_quick_promise(
            customer=customer, item_ids=[i.pk for i in items], user=officer
        )
    assert result.summary() == (
        "3 items promised for 07/12/2026, follow-up scheduled for Olivia Officer."
    )


def test_summary_says_when_a_dispute_ends(items, customer, officer):
    from tests.factories import ItemStatusFactory

    dispute = ItemStatusFactory(label="Price dispute", kind="dispute")
    OpenItem.objects.filter(pk=items[0].pk).update(status=dispute, resolver=officer)
    configure_quick_promise(delay_days=4)
    with time_machine.travel(paris(2026, 12, 3, 10, 0), tick=False):
        result = apply_quick_promise(
            customer=customer, item_ids=[i.pk for i in items], user=officer
        )
    assert result.disputes_ended == 1
    assert "(1 was in dispute)" in result.summary()


# Refusals: each leaves the database exactly as it was.


def _refused(customer, item_ids, user, code):
    before = database_state()
    with pytest.raises(QuickPromiseError) as raised:
        apply_quick_promise(customer=customer, item_ids=item_ids, user=user)
    assert raised.value.code == code
    assert raised.value.text  # a message a person can read
    assert database_state() == before
    return raised.value


def test_refuses_when_not_configured(items, customer, officer):
    QuickPromisePreference.load()
    error = _refused(customer, [items[0].pk], officer, "not_configured")
    assert "Preferences" in error.text


def test_refuses_when_only_the_status_is_configured(items, customer, officer):
    preference = QuickPromisePreference.load()
    preference.status = PromiseStatusFactory()
    preference.save()
    _refused(customer, [items[0].pk], officer, "not_configured")


def test_refuses_when_the_status_is_inactive(items, customer, officer):
    preference = configure_quick_promise()
    preference.status.is_active = False
    preference.status.save()
    error = _refused(customer, [items[0].pk], officer, "inactive_status")
    assert preference.status.label in error.text


def test_refuses_no_item(customer, officer):
    configure_quick_promise()
    _refused(customer, [], officer, "no_items")


def test_refuses_an_unknown_item(items, customer, officer):
    configure_quick_promise()
    _refused(customer, [items[0].pk, 999_999_999], officer, "unknown_item")


def test_refuses_items_of_another_customer(items, customer, officer):
    configure_quick_promise()
    foreign = OpenItemFactory()
    error = _refused(customer, [items[0].pk, foreign.pk], officer, "foreign_item")
    assert customer.name in error.text


def test_refuses_a_closed_item(items, customer, officer):
    configure_quick_promise()
    paid = OpenItemFactory(customer=customer, open_amount=Decimal("0"), number="PAID-1")
    error = _refused(customer, [items[0].pk, paid.pk], officer, "closed_item")
    assert "PAID-1" in error.text


def test_refuses_a_credit_note(items, customer, officer):
    configure_quick_promise()
    credit = CreditNoteFactory(customer=customer, number="CN-9")
    error = _refused(customer, [items[0].pk, credit.pk], officer, "credit_item")
    assert "CN-9" in error.text


def test_refuses_more_items_than_the_limit(customer, officer):
    configure_quick_promise()
    before = database_state()
    too_many = range(1, selection.MAX_ITEMS + 2)
    with pytest.raises(QuickPromiseError) as raised:
        apply_quick_promise(customer=customer, item_ids=too_many, user=officer)
    assert raised.value.code == "too_many"
    assert "At most 50000 items" in raised.value.text
    assert database_state() == before


def test_refuses_an_item_listed_twice(items, customer, officer):
    configure_quick_promise()
    _refused(customer, [items[0].pk, str(items[0].pk)], officer, "bad_id")


def test_refuses_a_payment(items, customer, officer):
    configure_quick_promise()
    payment = CreditNoteFactory(customer=customer, document_type="payment", number="PAY-1")
    _refused(customer, [payment.pk], officer, "credit_item")


@pytest.mark.parametrize(
    "bad", ["abc", "-3", "0", "1.5", "", "٣", "99999999999999999999", None, True]
)
def test_refuses_malformed_ids(items, customer, officer, bad):
    configure_quick_promise()
    _refused(customer, [items[0].pk, bad], officer, "bad_id")


def _failing_on(table: str):
    """Make the database refuse any statement that writes ``table``, as a full
    disk or a lost connection would, whatever way the code writes it."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
            raise DatabaseError(f"disk full while writing {table}")
        return execute(sql, params, many, context)

    return connection.execute_wrapper(wrapper)


@pytest.mark.parametrize(
    "table",
    [
        Action._meta.db_table,
        Action.items.through._meta.db_table,
        StatusChange._meta.db_table,
    ],
    ids=["follow-up", "follow-up-items", "history"],
)
def test_a_failure_while_writing_rolls_everything_back(items, customer, officer, table):
    configure_quick_promise()
    before = database_state()
    with _failing_on(table), pytest.raises(DatabaseError):
        apply_quick_promise(customer=customer, item_ids=[i.pk for i in items], user=officer)
    assert database_state() == before


def test_locks_the_item_rows_in_a_stable_order(items, customer, officer):
    configure_quick_promise()
    with CaptureQueriesContext(connection) as queries:
        apply_quick_promise(customer=customer, item_ids=[i.pk for i in items], user=officer)
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1
    assert '"collections_app_openitem"' in locking[0]
    assert 'ORDER BY "collections_app_openitem"."id" ASC' in locking[0]


def _outstanding_items(count: int):
    """A customer with ``count`` outstanding invoices, made in one INSERT."""
    customer = CustomerFactory()
    items = OpenItem.objects.bulk_create(OpenItemFactory.build_batch(count, customer=customer))
    return customer, [item.pk for item in items]


def _queries_for(count: int, officer) -> list[str]:
    customer, ids = _outstanding_items(count)
    with CaptureQueriesContext(connection) as queries:
        result = apply_quick_promise(customer=customer, item_ids=ids, user=officer)
    assert result.changed == count
    assert StatusChange.objects.filter(action=result.action).count() == count
    return [query["sql"] for query in queries]


def test_number_of_queries_does_not_grow_with_the_number_of_items(officer):
    configure_quick_promise()
    sizes = (1, 100, 1_000)
    queries = {size: _queries_for(size, officer) for size in sizes}
    assert len({len(sql) for sql in queries.values()}) == 1, {
        size: len(sql) for size, sql in queries.items()
    }
    # Load the preference, lock the items, create the action and its item links,
    # write the history, update the items, record the promise (the promise, the
    # release of earlier promises on the items, its lines), and the transaction
    # around them.
    assert len(queries[1_000]) <= 11


def test_large_selections_are_sent_as_one_parameter(officer):
    """A thousand ids are one array, not a thousand placeholders to bind and parse."""
    configure_quick_promise()
    sent = _queries_for(1_000, officer)
    # Lock, links, history, update, release of earlier promises, promise lines.
    assert sum("= ANY(" in sql for sql in sent) == 6
    assert not [sql for sql in sent if re.search(r" IN \(%s, %s", sql)]


def test_a_quick_promise_replaces_the_details_of_the_previous_status(items, customer, officer):
    resolver = OfficerFactory()
    OpenItem.objects.filter(pk=items[0].pk).update(
        status=ItemStatusFactory(label="In dispute", kind="dispute"),
        status_comment="Wrong quantity delivered",
        resolver=resolver,
        status_set_by=resolver,
    )
    configure_quick_promise(delay_days=2)
    with time_machine.travel(paris(2026, 12, 3, 10, 0), tick=False):
        apply_quick_promise(customer=customer, item_ids=[items[0].pk], user=officer)
    item = OpenItem.objects.get(pk=items[0].pk)
    assert item.status_comment == ""
    assert item.resolver is None
    assert item.status_set_by == officer
    assert item.status_date == datetime.date(2026, 12, 5)
    assert StatusChange.objects.get().status_date_after == datetime.date(2026, 12, 5)


def test_refuses_a_quick_promise_status_that_is_not_a_promise(items, customer, officer):
    configure_quick_promise(status=ItemStatusFactory(label="In dispute", kind="dispute"))
    error = _refused(customer, [items[0].pk], officer, "not_a_promise_status")
    assert "In dispute" in error.text
