"""The audit trail of items: one StatusChange row per item and change."""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import timezone

from collections_app.models import Action, ChangeCause, ItemStatus, OpenItem, StatusChange

#: The history columns: the item and its state before (read from the row), then
#: the new state and who, when, why.
_HISTORY_FIELDS = (
    "item",
    "status_before",
    "promise_date_before",
    "status_after",
    "promise_date_after",
    "status_date_after",
    "changed_by",
    "changed_at",
    "cause",
    "action",
)


def record_changes(
    *,
    item_ids: list[int],
    status: ItemStatus | None,
    promise_date: datetime.date | None,
    user,
    cause: ChangeCause,
    action: Action | None = None,
    at: datetime.datetime | None = None,
) -> int:
    """Write one history row per item, from its status and promise date as the
    database holds them now to the new ones: call it before changing them.

    One ``INSERT … SELECT`` whatever the number of items: the "before" half of
    each row is read by the database itself, not sent back to it row by row.
    """
    if not item_ids:
        return 0
    at = at or timezone.now()
    current = (
        OpenItem.objects.filter(pk__any_of=item_ids)
        .order_by()
        .values_list("pk", "status_id", "promise_date")
    )
    select_sql, select_params = current.query.sql_with_params()
    fields = [StatusChange._meta.get_field(name) for name in _HISTORY_FIELDS]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    values = [
        status.pk if status else None,
        promise_date,
        promise_date,
        user.pk if user is not None else None,
        at,
        cause,
        action.pk if action is not None else None,
    ]
    constants = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields[3:], values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(StatusChange._meta.db_table)} ({columns}) "
            f"SELECT item_state.*, {', '.join(['%s'] * len(constants))} "
            f"FROM ({select_sql}) AS item_state",
            [*constants, *select_params],
        )
        return cursor.rowcount


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

    The caller has locked the items (``select_for_update``) in this transaction,
    so the rows are as these objects show them. Two statements whatever the
    number of items (the history, then the update); items already in that state
    are left alone. Returns the number of items changed.
    """
    at = at or timezone.now()
    status_id = status.pk if status else None
    changed = [
        item.pk
        for item in items
        if (item.status_id, item.promise_date) != (status_id, promise_date)
    ]
    if changed:
        record_changes(
            item_ids=changed,
            status=status,
            promise_date=promise_date,
            user=user,
            cause=cause,
            action=action,
            at=at,
        )
        # The details of the previous status (its comment, author, resolver) do
        # not belong to the new one.
        OpenItem.objects.filter(pk__any_of=changed).update(
            status=status,
            promise_date=promise_date,
            status_date=promise_date,
            status_comment="",
            status_set_by=user,
            status_set_at=at,
            resolver=None,
            updated_at=at,
        )
    for item in items:
        item.status = status
        item.promise_date = promise_date
    return len(changed)
