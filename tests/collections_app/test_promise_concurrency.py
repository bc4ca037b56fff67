"""The daily evaluation and an officer promising the same items again, at the
same moment on real PostgreSQL connections: no deadlock, and the old promise is
either evaluated whole or superseded whole, never half of each."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from collections_app.models import OpenItem, PaymentPromise, PromiseItem, PromiseState
from collections_app.services import apply_quick_promise
from collections_app.services.promise_evaluation import evaluate_promises
from tests.concurrency import run_together
from tests.factories import (
    CustomerFactory,
    OfficerFactory,
    OpenItemFactory,
    configure_quick_promise,
)

pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("round_", range(4))
def test_evaluating_while_promising_again(round_):
    officer = OfficerFactory()
    customer = CustomerFactory(collector=officer)
    items = [OpenItemFactory(customer=customer) for _ in range(30)]
    ids = [item.pk for item in items]
    configure_quick_promise(delay_days=0)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=PARIS), tick=False):
        old = apply_quick_promise(customer=customer, item_ids=ids, user=officer).promises[0]
    configure_quick_promise(delay_days=3)

    outcomes = run_together(
        evaluate_promises,
        lambda: apply_quick_promise(customer=customer, item_ids=ids[::-1], user=officer),
    )
    assert [outcome.error for outcome in outcomes] == [None, None]
    old.refresh_from_db()
    released = PromiseItem.objects.filter(promise=old, released_at__isnull=False).count()
    if old.state == PromiseState.CANCELLED:
        assert released == len(items)
    else:
        assert old.state == PromiseState.BROKEN
        assert released == 0
        assert old.callback is not None
    new = PaymentPromise.objects.exclude(pk=old.pk).get()
    assert new.state == PromiseState.OPEN
    assert set(new.lines.values_list("level", flat=True)) == {2}
    assert OpenItem.objects.filter(pk__in=ids, status__isnull=True).count() == 0
