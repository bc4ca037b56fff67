"""The audit trail of items: one StatusChange row per item and change."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from collections_app.models import Action, ChangeCause, ItemStatus, OpenItem, StatusChange


@dataclass(frozen=True)
class ItemState:
    """An item's status and promise date at one moment."""

    item_id: int
    status_id: int | None
    promise_date: datetime.date | None


def record_changes(
    *,
    before: Iterable[ItemState],
    status: ItemStatus | None,
    promise_date: datetime.date | None,
    user,
    cause: ChangeCause,
    action: Action | None = None,
    at: datetime.datetime | None = None,
) -> list[StatusChange]:
    """Write one history row for each item whose state differs from the new one.

    One INSERT whatever the number of items. Items already in the new state get
    no row: nothing changed for them.
    """
    at = at or timezone.now()
    status_id = status.pk if status else None
    rows = [
        StatusChange(
            item_id=state.item_id,
            status_before_id=state.status_id,
            status_after_id=status_id,
            promise_date_before=state.promise_date,
            promise_date_after=promise_date,
            changed_by=user,
            changed_at=at,
            cause=cause,
            action=action,
        )
        for state in before
        if (state.status_id, state.promise_date) != (status_id, promise_date)
    ]
    return StatusChange.objects.bulk_create(rows) if rows else []


def set_item_state(
    *,
    items: list[OpenItem],
    status: ItemStatus | None,
    promise_date: datetime.date | None,
    user,
    cause: ChangeCause,
    action: Action | None = None,
    at: datetime.datetime | None = None,
) -> int:
    """Give locked items a status and promise date, with their history rows.

    The caller has locked the items (``select_for_update``) in this transaction.
    One UPDATE and one INSERT whatever the number of items; items already in that
    state are left alone. Returns the number of items changed.
    """
    at = at or timezone.now()
    status_id = status.pk if status else None
    before = [ItemState(item.pk, item.status_id, item.promise_date) for item in items]
    changed = [
        state.item_id
        for state in before
        if (state.status_id, state.promise_date) != (status_id, promise_date)
    ]
    if changed:
        OpenItem.objects.filter(pk__in=changed).update(
            status=status, promise_date=promise_date, updated_at=at
        )
        record_changes(
            before=before,
            status=status,
            promise_date=promise_date,
            user=user,
            cause=cause,
            action=action,
            at=at,
        )
    for item in items:
        item.status = status
        item.promise_date = promise_date
    return len(changed)
