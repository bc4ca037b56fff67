"""The customer's history: five sources in one timeline, newest first, grouped by
operation, paged by a cursor, in a constant number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collections_app.models import (
    ChangeCause,
    ImportChange,
    ImportChangeKind,
    ImportRun,
    StatusChange,
    StatusKind,
)
from collections_app.services.actions import ActionDraft, complete_action, create_action
from collections_app.services.item_status import change_item_status
from collections_app.timeline import Cursor, customer_timeline
from customers.services import save_customer_comment
from tests.factories import (
    ActionFactory,
    CustomerFactory,
    ItemStatusFactory,
    OpenItemFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, 3, hour, minute, tzinfo=PARIS)


@pytest.fixture
def customer():
    return CustomerFactory(name="Dupont Industries")


def history_of(customer, **options) -> list:
    return customer_timeline(customer=customer, **options).entries


def test_the_whole_story_newest_first(customer, officer):
    items = [
        OpenItemFactory(customer=customer, number=number) for number in ("INV-3", "INV-1", "INV-2")
    ]
    dispute = ItemStatusFactory(label="Price dispute", kind=StatusKind.DISPUTE)
    resolved = ItemStatusFactory(label="Resolved", kind=StatusKind.DISPUTE_RESOLVED)
    neighbour = OpenItemFactory()  # another customer's: never in this history
    with time_machine.travel(at(9), tick=False):
        change_item_status(
            customer=customer,
            item_ids=[item.pk for item in items],
            status=dispute,
            status_date=datetime.date(2026, 12, 3),
            comment="Disputed",
            resolver=officer,
            user=officer,
        )
    with time_machine.travel(at(10), tick=False):
        action = create_action(
            customer=customer,
            item_ids=[items[0].pk],
            draft=ActionDraft(
                action_type="call",
                title="Call the buyer",
                due_date=datetime.date(2026, 12, 4),
                assigned_to=officer,
            ),
            user=officer,
        )
    with time_machine.travel(at(11), tick=False):
        complete_action(action=action, user=officer, note="Agreed", resolution=resolved)
    run = ImportRun.objects.create(file_name="open-items.csv", started_at=at(12), user=officer)
    for item in items[:2]:
        ImportChange.objects.create(
            run=run,
            item=item,
            kind=ImportChangeKind.PAID,
            open_amount_before=Decimal("1200.00"),
            open_amount_after=Decimal("0.00"),
            changed_at=at(12),
        )
    ImportChange.objects.create(
        run=run,
        item=neighbour,
        kind=ImportChangeKind.PAID,
        open_amount_before=Decimal("1.00"),
        open_amount_after=Decimal("0.00"),
        changed_at=at(12),
    )
    with time_machine.travel(at(13), tick=False):
        save_customer_comment(customer=customer, text="Pays late", user=officer, based_on=None)

    entries = history_of(customer)

    assert [entry.kind for entry in entries] == [
        "comment",
        "import",
        "status",  # the resolution, and the action's "done" at the same moment
        "event",
        "action",
        "status",
    ]
    comment, imported, resolution, done, created, disputed = entries
    assert comment.comment.text == "Pays late"
    assert imported.count == 2
    assert [row.item.number for row in imported.rows] == ["INV-1", "INV-3"]
    assert imported.first.run.file_name == "open-items.csv"
    assert resolution.first.cause == ChangeCause.RESOLUTION
    assert resolution.first.action == action
    assert resolution.count == 1
    assert done.event.note == "Agreed"
    assert created.action.title == "Call the buyer"
    assert [item.number for item in created.action.shown_items] == ["INV-3"]
    assert disputed.count == 3
    assert [row.item.number for row in disputed.rows] == ["INV-1", "INV-2", "INV-3"]
    assert disputed.first.comment == "Disputed"
    assert disputed.at == at(9)


def test_large_operations_show_their_first_items_and_a_count(customer, officer):
    status = ItemStatusFactory()
    items = [OpenItemFactory(customer=customer, number=f"INV-{n:03d}") for n in range(12)]
    change_item_status(
        customer=customer,
        item_ids=[item.pk for item in items],
        status=status,
        status_date=datetime.date.today() + datetime.timedelta(days=1),
        user=officer,
    )
    (entry,) = history_of(customer)
    assert entry.count == 12
    assert [row.item.number for row in entry.rows] == [f"INV-{n:03d}" for n in range(5)]
    assert entry.more == 7


def test_two_operations_at_the_same_moment_stay_apart(customer, officer, other_officer):
    status = ItemStatusFactory()
    first, second = OpenItemFactory.create_batch(2, customer=customer)
    for item, user in ((first, officer), (second, other_officer)):
        StatusChange.objects.create(
            item=item, status_after=status, changed_by=user, changed_at=at(9), cause="admin"
        )
    entries = history_of(customer)
    assert len(entries) == 2
    assert {entry.first.changed_by for entry in entries} == {officer, other_officer}


def _many_events(customer, count: int) -> None:
    item = OpenItemFactory(customer=customer)
    status = ItemStatusFactory()
    StatusChange.objects.bulk_create(
        StatusChange(
            item=item,
            status_after=status,
            changed_at=at(8) + datetime.timedelta(minutes=n),
            cause="admin",
        )
        for n in range(count)
    )
    for n in range(count):
        ActionFactory(customer=customer, created_at=at(8) + datetime.timedelta(minutes=n))


def test_pages_follow_each_other_without_gap_or_repeat(customer):
    _many_events(customer, 25)  # 50 entries, two of them at each minute
    seen, after, pages = [], None, 0
    while True:
        page = customer_timeline(customer=customer, after=after, page_size=7)
        seen += [(entry.kind, entry.cursor.key) for entry in page.entries]
        pages += 1
        if page.next_cursor is None:
            break
        after = Cursor.parse(page.next_cursor.token())
    assert pages == 8
    assert len(seen) == 50
    assert len(set(seen)) == 50
    everything = history_of(customer, page_size=100)
    assert [(entry.kind, entry.cursor.key) for entry in everything] == seen


def test_entries_written_meanwhile_do_not_shift_the_next_page(customer):
    _many_events(customer, 10)
    expected = [(entry.kind, entry.cursor.key) for entry in history_of(customer, page_size=10)]
    first = customer_timeline(customer=customer, page_size=5)
    ActionFactory(customer=customer, created_at=at(20))  # newer than everything
    second = customer_timeline(customer=customer, after=first.next_cursor, page_size=5)
    assert [(entry.kind, entry.cursor.key) for entry in second.entries] == expected[5:]


def test_queries_do_not_grow_with_the_history(customer, officer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            customer_timeline(customer=customer)
        return len(captured)

    _many_events(customer, 3)
    run = ImportRun.objects.create(file_name="a.csv")
    item = OpenItemFactory(customer=customer)
    ImportChange.objects.create(run=run, item=item, kind="new", open_amount_after=Decimal("1"))
    save_customer_comment(customer=customer, text="x", user=officer, based_on=None)
    few = queries()
    _many_events(customer, 300)
    for _ in range(40):
        ImportChange.objects.create(
            run=run, item=OpenItemFactory(customer=customer), kind="new", open_amount_after=1
        )
    assert queries() <= few
    assert few <= 8


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        "2026-12-03T10:00:00+01:00~9~1",  # unknown source
        "2026-12-03T10:00:00~5~1",  # no time zone
        "2026-13-03T10:00:00+01:00~5~1",
        "2026-12-03T10:00:00+01:00~5~-1",
        "2026-12-03T10:00:00+01:00~5~0",
        "2026-12-03T10:00:00+01:00~5~99999999999999999999",
        "2026-12-03T10:00:00+01:00~5",
        "x" * 500,
    ],
)
def test_a_hand_made_cursor_is_no_cursor(token):
    assert Cursor.parse(token) is None


def test_a_cursor_survives_its_token():
    cursor = Cursor(at=at(10, 30), source=4, key=123)
    assert Cursor.parse(cursor.token()) == cursor


def test_promises_made_and_evaluated(customer, officer):
    from collections_app.services import apply_quick_promise
    from collections_app.services.promise_evaluation import evaluate_promises
    from tests.factories import configure_quick_promise

    items = [OpenItemFactory(customer=customer, number=n) for n in ("INV-1", "INV-2")]
    configure_quick_promise(delay_days=0)
    with time_machine.travel(at(9), tick=False):
        apply_quick_promise(customer=customer, item_ids=[i.pk for i in items], user=officer)
    with time_machine.travel(at(9) + datetime.timedelta(days=2), tick=False):
        evaluate_promises()
    entries = history_of(customer)
    assert [entry.kind for entry in entries] == [
        "promise_end",
        "action",  # the callback, created with the evaluation
        "event",  # the promise's follow-up, closed by the evaluation
        "promise",
        "status",
        "action",
    ]
    ended, made = entries[0], entries[3]
    assert "a callback replaces this follow-up" in entries[2].event.note
    assert ended.promise == made.promise
    assert ended.promise.state == "broken"
    assert [item.number for item in made.promise.shown_items] == ["INV-1", "INV-2"]
    assert made.at == at(9)
    # Both render, with what happened.
    from django.template.loader import render_to_string

    html = render_to_string(
        "collections_app/includes/timeline_entry.html", {"entry": ended, "customer": customer}
    )
    assert "Broken" in html
    assert "0.00 of 2,400.00 EUR received in time" in html
    html = render_to_string(
        "collections_app/includes/timeline_entry.html", {"entry": made, "customer": customer}
    )
    assert "2,400.00 EUR promised for 03/12/2026" in html
