"""Change status, Quick Promise and the actions at the same moment, on real
PostgreSQL connections: they queue up on the rows they change, re-check them
under the lock, and the history stays one unbroken chain per item."""

from __future__ import annotations

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from collections_app.models import (
    Action,
    ActionEvent,
    OpenItem,
    StatusChange,
    StatusKind,
)
from collections_app.services import apply_quick_promise
from collections_app.services.actions import (
    ActionAlreadyCreated,
    ActionDraft,
    ActionError,
    complete_action,
    create_action,
)
from collections_app.services.errors import ServiceError
from collections_app.services.item_status import change_item_status
from tests.concurrency import run_together, start, wait_for_lock_waiters
from tests.factories import (
    ActionFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    configure_quick_promise,
)

pytestmark = pytest.mark.django_db(transaction=True)


def assert_history_is_consistent() -> None:
    """Each change starts where the previous one left the item, and the last one
    is the item's state now."""
    for item in OpenItem.objects.all():
        state = (None, None)
        for change in StatusChange.objects.filter(item=item).order_by("changed_at", "pk"):
            assert (change.status_before_id, change.promise_date_before) == state, item
            state = (change.status_after_id, change.promise_date_after)
        assert (item.status_id, item.promise_date) == state, item


def test_change_status_and_quick_promise_on_overlapping_items_queue_up():
    customer = CustomerFactory()
    items = OpenItemFactory.create_batch(6, customer=customer)
    configure_quick_promise(delay_days=1)
    dispute = ItemStatusFactory(kind=StatusKind.DISPUTE)
    officers = [OfficerFactory() for _ in range(4)]
    today = timezone.localdate()

    def dispute_them(index, chosen):
        return lambda: change_item_status(
            customer=customer,
            item_ids=[items[n].pk for n in chosen],
            status=dispute,
            status_date=today,
            comment=f"call {index}",
            resolver=officers[0],
            user=officers[index],
        )

    outcomes = run_together(
        dispute_them(0, [0, 1, 2, 3]),
        lambda: apply_quick_promise(
            customer=customer, item_ids=[items[n].pk for n in (2, 3, 4)], user=officers[1]
        ),
        dispute_them(2, [5, 4, 3]),
        lambda: apply_quick_promise(
            customer=customer, item_ids=[items[n].pk for n in (1, 5)], user=officers[3]
        ),
    )

    assert [outcome.error for outcome in outcomes] == [None] * 4
    assert_history_is_consistent()


def test_an_item_paid_meanwhile_is_refused_after_the_wait():
    customer = CustomerFactory(name="Acme")
    unpaid, paid = OpenItemFactory.create_batch(2, customer=customer)
    dispute = ItemStatusFactory(kind=StatusKind.DISPUTE)
    officer = OfficerFactory()
    locked, release = threading.Event(), threading.Event()

    def pay_slowly():
        # What an import does: the row locked, paid, committed a moment later.
        with transaction.atomic():
            OpenItem.objects.select_for_update().get(pk=paid.pk)
            OpenItem.objects.filter(pk=paid.pk).update(open_amount=Decimal("0"))
            locked.set()
            assert release.wait(30)

    payer, payer_outcome = start(pay_slowly, name="payer")
    assert locked.wait(20)
    changer, change_outcome = start(
        lambda: change_item_status(
            customer=customer,
            item_ids=[unpaid.pk, paid.pk],
            status=dispute,
            status_date=timezone.localdate(),
            resolver=officer,
            user=officer,
        ),
        name="changer",
    )
    wait_for_lock_waiters(1)
    release.set()
    payer.join(30)
    changer.join(30)

    assert payer_outcome.error is None
    assert isinstance(change_outcome.error, ServiceError)
    assert "already paid or closed" in change_outcome.error.text
    assert not StatusChange.objects.exists()
    assert OpenItem.objects.get(pk=unpaid.pk).status is None


def test_an_action_completed_twice_at_once_is_done_once():
    customer = CustomerFactory()
    dispute = ItemStatusFactory(kind=StatusKind.DISPUTE)
    resolved = ItemStatusFactory(kind=StatusKind.DISPUTE_RESOLVED)
    officer = OfficerFactory()
    action = ActionFactory(
        customer=customer,
        assigned_to=officer,
        created_at=timezone.now() - datetime.timedelta(days=1),
    )
    action.items.set(OpenItemFactory.create_batch(3, customer=customer, status=dispute))

    outcomes = run_together(
        *(
            lambda: complete_action(action=action, user=officer, note="ok", resolution=resolved)
            for _ in range(3)
        )
    )

    assert sum(outcome.error is None for outcome in outcomes) == 1
    assert all(
        isinstance(outcome.error, ActionError) for outcome in outcomes if outcome.error is not None
    )
    assert ActionEvent.objects.filter(kind="done").count() == 1
    changes = StatusChange.objects.all()
    assert sorted(change.item_id for change in changes) == sorted(
        action.items.values_list("pk", flat=True)
    )
    assert {(change.status_before, change.status_after) for change in changes} == {
        (dispute, resolved)
    }


def test_resolving_an_action_while_an_import_closes_it_does_not_deadlock():
    """The import (and the daily evaluation) lock items, then close follow-ups on
    them; completing an action with a resolution takes the same order (items,
    then the action), so that neither waits for the other in a circle."""
    customer = CustomerFactory()
    dispute = ItemStatusFactory(kind=StatusKind.DISPUTE)
    resolved = ItemStatusFactory(kind=StatusKind.DISPUTE_RESOLVED)
    officer = OfficerFactory()
    action = ActionFactory(
        customer=customer,
        assigned_to=officer,
        created_at=timezone.now() - datetime.timedelta(days=1),
    )
    item = OpenItemFactory(customer=customer, status=dispute)
    action.items.set([item])
    locked, release = threading.Event(), threading.Event()

    def import_closing_the_follow_up():
        with transaction.atomic():
            OpenItem.objects.select_for_update().get(pk=item.pk)
            OpenItem.objects.filter(pk=item.pk).update(open_amount=Decimal("0"))
            locked.set()
            assert release.wait(30)
            closing = Action.objects.select_for_update().get(pk=action.pk)
            closing.done_at = timezone.now()
            closing.outcome = "Closed automatically: every item was paid."
            closing.save()

    importer, import_outcome = start(import_closing_the_follow_up, name="import")
    assert locked.wait(20)
    completer, complete_outcome = start(
        lambda: complete_action(action=action, user=officer, note="ok", resolution=resolved),
        name="completer",
    )
    wait_for_lock_waiters(1)
    release.set()
    importer.join(30)
    completer.join(30)

    assert import_outcome.error is None
    assert isinstance(complete_outcome.error, ActionError)
    assert "already marked done" in complete_outcome.error.text
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("same_items", [True, False], ids=["same items", "other items"])
def test_the_same_new_action_form_sent_twice_at_once_creates_one_action(same_items):
    """A double click without JavaScript, or a retried request: the second waits
    for the first (on the items' locks, or else on the key's unique index) and
    finds the action it created."""
    customer = CustomerFactory()
    items = OpenItemFactory.create_batch(2, customer=customer)
    officer = OfficerFactory()
    key = uuid.uuid4()
    draft = ActionDraft(
        action_type="call",
        title="Call about the invoices",
        due_date=timezone.localdate(),
        assigned_to=officer,
        form_key=key,
    )

    def send(chosen):
        return lambda: create_action(
            customer=customer, item_ids=[item.pk for item in chosen], draft=draft, user=officer
        )

    outcomes = run_together(
        send(items),
        send(items if same_items else items[1:]),
    )

    errors = [outcome.error for outcome in outcomes if outcome.error is not None]
    assert len(errors) == 1
    assert isinstance(errors[0], ActionAlreadyCreated)
    action = Action.objects.get()
    assert errors[0].action == action
    assert action.form_key == key
    assert "already created" in errors[0].text
    assert errors[0].same is same_items  # on other items, what was sent differs
