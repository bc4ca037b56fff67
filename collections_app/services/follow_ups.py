"""Follow-ups the product closes itself, and says why: when every item was paid,
when their promise was broken (a callback replaces them), or when their promise
was replaced by a new one or withdrawn."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from collections_app.models import (
    Action,
    ActionEvent,
    ActionEventKind,
    PaymentPromise,
    PromiseState,
)


def untouched_follow_ups_of(promises: QuerySet[PaymentPromise]) -> list[tuple[int, int]]:
    """The open follow-ups of these promises that their status's template
    scheduled and nobody worked on, locked: (id, customer id) in id order. A
    promise's follow-up is only ever the one its status scheduled (a specific
    action asked for with a promise is not linked to it). Left out: one without
    a template, one an officer rescheduled, reassigned or wrote on since, and one
    shared with a promise still open (another currency of the same quick
    promise)."""
    still_open = PaymentPromise.objects.filter(follow_up=OuterRef("pk"), state=PromiseState.OPEN)
    worked_on = ActionEvent.objects.filter(action=OuterRef("pk"))
    return list(
        Action.objects.open()
        .filter(pk__in=Subquery(promises.exclude(follow_up=None).values("follow_up_id")))
        .exclude(template=None)
        .exclude(Exists(still_open))
        .exclude(Exists(worked_on))
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", "customer_id")
    )


def close_actions(closing: list[tuple[int, int]], *, at: datetime.datetime, note: str) -> int:
    """Mark these locked actions (id, customer id) done by the product itself,
    with ``note`` as their outcome and in their trail."""
    if not closing:
        return 0
    ActionEvent.objects.bulk_create(
        [
            ActionEvent(
                action_id=pk, customer_id=customer_id, kind=ActionEventKind.DONE, at=at, note=note
            )
            for pk, customer_id in closing
        ]
    )
    Action.objects.filter(pk__any_of=[pk for pk, _customer in closing]).update(
        done_at=at, outcome=note
    )
    return len(closing)
