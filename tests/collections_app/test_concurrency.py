"""Quick promises, imports and preferences at the same moment, on real PostgreSQL
connections (one thread each): no lost update, no duplicate, history consistent."""

from __future__ import annotations

import datetime
import io
import random
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from collections_app.models import (
    Action,
    OpenItem,
    QuickPromisePreference,
    StatusChange,
)
from collections_app.services import QuickPromiseError, apply_quick_promise
from collections_app.services import imports as imports_module
from collections_app.services import quick_promise as quick_promise_module
from collections_app.services.imports import import_open_items
from collections_app.services.settings import save_quick_promise_preference
from tests.concurrency import run_together, start, wait_for_lock_waiters
from tests.factories import (
    CustomerFactory,
    OfficerFactory,
    OpenItemFactory,
    PromiseStatusFactory,
    configure_quick_promise,
)

pytestmark = pytest.mark.django_db(transaction=True)


def assert_history_is_consistent() -> None:
    """Every item's history is an unbroken chain ending in its current state:
    each change starts from where the previous one left the item."""
    for item in OpenItem.objects.all():
        state = (None, None)
        for change in StatusChange.objects.filter(item=item).order_by("changed_at", "pk"):
            assert (change.status_before_id, change.promise_date_before) == state, item
            state = (change.status_after_id, change.promise_date_after)
        assert (item.status_id, item.promise_date) == state, item


def paused(thread_name: str, locked: threading.Event, release: threading.Event):
    """Wrap set_item_state so that one thread stops there, its rows locked."""
    original = quick_promise_module.set_item_state

    def wrapper(**kwargs):
        if threading.current_thread().name == thread_name:
            locked.set()
            assert release.wait(30)
        return original(**kwargs)

    return mock.patch.object(quick_promise_module, "set_item_state", side_effect=wrapper)


def test_overlapping_quick_promises_queue_up_and_lose_nothing():
    customer = CustomerFactory()
    a, b, c, d = OpenItemFactory.create_batch(4, customer=customer)
    first_status = PromiseStatusFactory(label="Promised (first)")
    second_status = PromiseStatusFactory(label="Promised (second)")
    configure_quick_promise(status=first_status, delay_days=1)
    officer_one, officer_two = OfficerFactory(), OfficerFactory()
    today = timezone.localdate()
    locked, release = threading.Event(), threading.Event()

    with paused("first", locked, release):
        first, first_outcome = start(
            lambda: apply_quick_promise(
                customer=customer, item_ids=[a.pk, b.pk, c.pk], user=officer_one
            ),
            name="first",
        )
        assert locked.wait(20)
        # The administrator changes the rule while the first promise holds its rows.
        save_quick_promise_preference(status=second_status, delay_days=2, user=None)
        second, second_outcome = start(
            lambda: apply_quick_promise(
                customer=customer, item_ids=[b.pk, c.pk, d.pk], user=officer_two
            ),
            name="second",
        )
        wait_for_lock_waiters(1)  # the second waits for the first's rows
        assert second.is_alive()
        release.set()
        first.join(30)
        second.join(30)

    assert first_outcome.error is None
    assert second_outcome.error is None
    first_result, second_result = first_outcome.result, second_outcome.result
    one_day, two_days = today + datetime.timedelta(days=1), today + datetime.timedelta(days=2)
    states = {
        item.pk: (item.status_id, item.promise_date)
        for item in OpenItem.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk])
    }
    assert states == {
        a.pk: (first_status.pk, one_day),
        b.pk: (second_status.pk, two_days),
        c.pk: (second_status.pk, two_days),
        d.pk: (second_status.pk, two_days),
    }
    assert set(first_result.action.items.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    assert set(second_result.action.items.values_list("pk", flat=True)) == {b.pk, c.pk, d.pk}
    assert StatusChange.objects.filter(action=first_result.action).count() == 3
    assert StatusChange.objects.filter(action=second_result.action).count() == 3
    assert_history_is_consistent()


def test_many_officers_at_once_keep_items_history_and_follow_ups_consistent():
    customer = CustomerFactory()
    items = OpenItemFactory.create_batch(30, customer=customer)
    statuses = [PromiseStatusFactory() for _ in range(3)]
    preferences = [
        QuickPromisePreference(pk=1, status=status, delay_days=days)
        for status, days in zip(statuses, (0, 2, 5), strict=True)
    ]
    configure_quick_promise(status=statuses[0], delay_days=0)
    officers = [OfficerFactory() for _ in range(8)]
    rng = random.Random(20261203)
    selections = [rng.sample([item.pk for item in items], 12) for _ in officers]

    # Each officer's call sees its own rule, so every outcome is told apart.
    def load_for_thread():
        return preferences[int(threading.current_thread().name.split("-")[1]) % 3]

    def call(index):
        return lambda: apply_quick_promise(
            customer=customer, item_ids=selections[index], user=officers[index]
        )

    with mock.patch.object(QuickPromisePreference, "load", side_effect=load_for_thread):
        outcomes = run_together(*(call(index) for index in range(len(officers))))

    assert [outcome.error for outcome in outcomes] == [None] * len(officers)
    assert_history_is_consistent()
    for index, outcome in enumerate(outcomes):
        result = outcome.result
        changes = StatusChange.objects.filter(changed_by=officers[index])
        assert changes.count() == result.changed
        if result.changed:
            # The follow-up is for the items this call promised; those another
            # call had promised the same already keep their own.
            assert set(result.action.items.values_list("pk", flat=True)) == set(
                changes.values_list("item", flat=True)
            )
            assert set(changes.values_list("item", flat=True)) <= set(selections[index])
            assert set(changes.values_list("action", flat=True)) == {result.action.pk}
        else:
            assert result.action is None
    # Every item ends in the state of exactly one call: the last that changed it.
    for item in OpenItem.objects.filter(status__isnull=False):
        last = StatusChange.objects.filter(item=item).order_by("changed_at", "pk").last()
        assert (item.status_id, item.promise_date) == (
            last.status_after_id,
            last.promise_date_after,
        )
    assert Action.objects.count() == sum(1 for outcome in outcomes if outcome.result.changed)


def test_an_item_paid_by_an_import_meanwhile_is_not_promised():
    customer = CustomerFactory(code="C001", name="Acme")
    unpaid = OpenItemFactory(customer=customer, number="INV-1", amount=Decimal("100.00"))
    paid = OpenItemFactory(customer=customer, number="INV-2", amount=Decimal("250.00"))
    configure_quick_promise()
    officer = OfficerFactory()
    lines = [
        "customer_code,customer_name,document_type,number,document_date,due_date,amount,"
        "open_amount,currency",
        "C001,Acme,invoice,INV-1,2026-10-01,2026-10-31,100.00,100.00,EUR",
        "C001,Acme,invoice,INV-2,2026-10-01,2026-10-31,250.00,0,EUR",
    ]
    file = io.BytesIO(("\n".join(lines) + "\n").encode())
    updated, release = threading.Event(), threading.Event()
    finish_run = imports_module._finish_run

    def finish_later(run, report):
        updated.set()  # the import has written INV-2 as paid, not yet committed
        assert release.wait(30)
        return finish_run(run, report)

    with mock.patch.object(imports_module, "_finish_run", side_effect=finish_later):
        importer, import_outcome = start(
            lambda: import_open_items(stream=file, file_name="payments.csv"), name="import"
        )
        assert updated.wait(20)
        promiser, promise_outcome = start(
            lambda: apply_quick_promise(
                customer=customer, item_ids=[unpaid.pk, paid.pk], user=officer
            ),
            name="promise",
        )
        wait_for_lock_waiters(1)  # the quick promise waits for the paid row
        release.set()
        importer.join(30)
        promiser.join(30)

    assert import_outcome.error is None
    assert isinstance(promise_outcome.error, QuickPromiseError)
    assert promise_outcome.error.code == "closed_item"
    assert "INV-2" in promise_outcome.error.text
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert paid.open_amount == 0
    assert paid.status is None
    assert unpaid.status is None  # all or nothing: the other item was not promised
    assert not StatusChange.objects.exists()
    assert not Action.objects.exists()


@pytest.mark.parametrize("snapshot", [False, True])
def test_an_import_and_a_quick_promise_at_once_queue_up_instead_of_deadlocking(snapshot):
    """The import locks the rows it changes in id order, as Quick Promise does.
    A colleague holds the middle item; the import (its file in the reverse order
    of the ids) takes what it can and waits there; a quick promise on the first
    and the last item then waits too. Locking in the file's order, the import
    would hold the last item while the quick promise held the first: a deadlock
    once the middle item is let go."""
    customer = CustomerFactory(code="C001", name="Acme")
    # Enough items for PostgreSQL to plan the import as it does on a real ledger.
    items = OpenItem.objects.bulk_create(
        OpenItemFactory.build(customer=customer, number=f"INV-{n:05d}", amount=Decimal("100"))
        for n in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE collections_app_openitem")
    configure_quick_promise()
    officer = OfficerFactory()
    lines = [
        "customer_code,customer_name,document_type,number,document_date,due_date,amount,"
        "open_amount,currency",
        *(
            f"C001,Acme,invoice,{item.number},2026-10-01,2026-10-31,100.00,90.00,EUR"
            for item in reversed(items)
        ),
    ]
    file = io.BytesIO(("\n".join(lines) + "\n").encode())
    middle = items[len(items) // 2]
    held, release = threading.Event(), threading.Event()

    def hold_the_middle_item():
        with transaction.atomic():
            OpenItem.objects.select_for_update().get(pk=middle.pk)
            held.set()
            assert release.wait(30)

    holder, held_outcome = start(hold_the_middle_item, name="colleague")
    assert held.wait(20)
    importer, import_outcome = start(
        lambda: import_open_items(stream=file, file_name="open-items.csv", snapshot=snapshot),
        name="import",
    )
    wait_for_lock_waiters(1)
    promiser, promise_outcome = start(
        lambda: apply_quick_promise(
            customer=customer, item_ids=[items[0].pk, items[-1].pk], user=officer
        ),
        name="promise",
    )
    wait_for_lock_waiters(2)
    release.set()
    for thread in (holder, importer, promiser):
        thread.join(30)
        assert not thread.is_alive()

    assert (held_outcome.error, import_outcome.error, promise_outcome.error) == (None,) * 3
    assert import_outcome.result.updated == len(items)
    promised = OpenItem.objects.filter(pk__in=[items[0].pk, items[-1].pk])
    assert {(item.open_amount, item.promise_date is not None) for item in promised} == {
        (Decimal("90.00"), True)
    }


def test_the_same_request_sent_twice_at_once_creates_one_follow_up():
    customer = CustomerFactory()
    items = OpenItemFactory.create_batch(3, customer=customer)
    configure_quick_promise()
    officer = OfficerFactory()
    url = reverse("collections:quick-promise", args=[customer.pk])
    data = {"items": [item.pk for item in items]}
    original = quick_promise_module.set_item_state
    entered = threading.Semaphore(0)

    def slow(**kwargs):
        entered.release()
        threading.Event().wait(0.3)  # hold the rows long enough for the twin to queue
        return original(**kwargs)

    def post():
        client = Client()
        client.force_login(officer)
        return client.post(url, data, headers={"HX-Request": "true"})

    with mock.patch.object(quick_promise_module, "set_item_state", side_effect=slow):
        outcomes = run_together(post, post)

    assert [outcome.error for outcome in outcomes] == [None, None]
    assert sorted(outcome.result.status_code for outcome in outcomes) == [200, 200]
    texts = sorted(outcome.result.content.decode() for outcome in outcomes)
    assert any("3 items promised" in text for text in texts)
    assert any("already promised" in text for text in texts)
    assert Action.objects.count() == 1
    assert StatusChange.objects.count() == 3
    assert_history_is_consistent()

    # A retried POST later on (the network dropped the first answer): still one.
    again = Client()
    again.force_login(officer)
    assert again.post(url, data).status_code == 302
    assert Action.objects.count() == 1
    assert StatusChange.objects.count() == 3


def test_two_administrators_saving_preferences_at_once_leave_one_row():
    QuickPromisePreference.objects.all().delete()
    statuses = [PromiseStatusFactory() for _ in range(4)]
    admins = [get_user_model().objects.create(username=f"admin{n}") for n in range(4)]

    def save(index):
        return lambda: save_quick_promise_preference(
            status=statuses[index], delay_days=index + 1, user=admins[index]
        )

    for _ in range(3):
        QuickPromisePreference.objects.all().delete()
        outcomes = run_together(*(save(index) for index in range(4)))
        assert [outcome.error for outcome in outcomes] == [None] * 4
        assert QuickPromisePreference.objects.count() == 1
        saved = QuickPromisePreference.objects.get()
        index = statuses.index(saved.status)
        assert saved.delay_days == index + 1
        assert saved.updated_by == admins[index]
    assert (
        QuickPromisePreference.objects.values("pk").annotate(n=Count("pk")).get()["pk"]
        == QuickPromisePreference.SINGLETON_PK
    )
