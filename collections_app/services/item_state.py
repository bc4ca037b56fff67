"""An item's qualification (status, its date, comment, resolver) and its
history: the one writer of both, for every service that changes them (Quick
Promise, Change status, the resolution of a dispute, the evaluation of promises,
the demo).

The caller has locked the items (``select_for_update``) in its transaction, so
the rows are as the objects show them. Two statements whatever the number of
items: one ``INSERT … SELECT`` of history rows (the "before" half of each row
read by the database itself) and one ``UPDATE``; nothing is written for items
already in the state asked for.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from collections_app.models import Action, ChangeCause, ItemStatus, OpenItem, StatusChange


@dataclass(frozen=True)
class ItemState:
    """What an item is given: a status, its date (the promise date of a promise),
    a comment and, for a dispute, the person who resolves it."""

    status: ItemStatus | None
    status_date: datetime.date | None
    comment: str = ""
    resolver: object | None = None

    @property
    def promise_date(self) -> datetime.date | None:
        return self.status_date if self.status is not None and self.status.is_promise else None

    def differs(self, item: OpenItem) -> bool:
        return (
            item.status_id,
            item.promise_date,
            item.status_date,
            item.status_comment,
            item.resolver_id,
        ) != (
            self.status.pk if self.status else None,
            self.promise_date,
            self.status_date,
            self.comment,
            self.resolver.pk if self.resolver is not None else None,
        )


def write_item_state(
    *,
    items: list[OpenItem],
    state: ItemState,
    user,
    cause: ChangeCause,
    at: datetime.datetime,
    action: Action | None = None,
) -> list[OpenItem]:
    """Give locked items a state, with one history row each; returns the items
    that changed (those already in exactly that state are left alone)."""
    changed = [item for item in items if state.differs(item)]
    _write(changed, state=state, user=user, cause=cause, at=at, action=action)
    return changed


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
    """Give locked items a status and a promise date (Quick Promise, a broken
    promise, the demo), the details of their previous status (comment, resolver)
    cleared. Items with that status and promise date already are left alone,
    their details kept. Returns the number of items changed."""
    at = at or timezone.now()
    status_id = status.pk if status else None
    changed = [
        item for item in items if (item.status_id, item.promise_date) != (status_id, promise_date)
    ]
    state = ItemState(status=status, status_date=promise_date)
    _write(changed, state=state, user=user, cause=cause, at=at, action=action)
    return len(changed)


#: The history columns: the item and its state before (read from the row), then
#: the new state and who, when, why.
_BEFORE = ("item", "status_before", "promise_date_before")
_AFTER = (
    "status_after",
    "promise_date_after",
    "status_date_after",
    "comment",
    "resolver",
    "changed_by",
    "changed_at",
    "cause",
    "action",
)


def _write(
    items: list[OpenItem],
    *,
    state: ItemState,
    user,
    cause: ChangeCause,
    at: datetime.datetime,
    action: Action | None,
) -> None:
    if not items:
        return
    ids = [item.pk for item in items]
    before = (
        OpenItem.objects.filter(pk__any_of=ids)
        .order_by()
        .values_list("pk", "status_id", "promise_date")
    )
    select_sql, select_params = before.query.sql_with_params()
    after = {
        "status_after": state.status.pk if state.status else None,
        "promise_date_after": state.promise_date,
        "status_date_after": state.status_date,
        "comment": state.comment,
        "resolver": state.resolver.pk if state.resolver is not None else None,
        "changed_by": user.pk if user is not None else None,
        "changed_at": at,
        "cause": cause,
        "action": action.pk if action is not None else None,
    }
    fields = [StatusChange._meta.get_field(name) for name in (*_BEFORE, *_AFTER)]
    constants = [
        StatusChange._meta.get_field(name).get_db_prep_save(after[name], connection)
        for name in _AFTER
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(StatusChange._meta.db_table)} "
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"SELECT item_state.*, {', '.join(['%s'] * len(constants))} "
            f"FROM ({select_sql}) AS item_state",
            [*constants, *select_params],
        )
    OpenItem.objects.filter(pk__any_of=ids).update(
        status=state.status,
        promise_date=state.promise_date,
        status_date=state.status_date,
        status_comment=state.comment,
        resolver=state.resolver,
        status_set_by=user,
        status_set_at=at,
        updated_at=at,
    )
    for item in items:
        item.status = state.status
        item.promise_date = state.promise_date
        item.status_date = state.status_date
        item.status_comment = state.comment
        item.resolver = state.resolver
        item.status_set_by = user
        item.status_set_at = at


def write_resolver(
    *, items: list[OpenItem], resolver, user, at: datetime.datetime
) -> list[OpenItem]:
    """Give locked items another resolver, their status and its details as they
    are: one history row each (cause: resolver change)."""
    changed = [item for item in items if item.resolver_id != resolver.pk]
    if not changed:
        return []
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                item_id=item.pk,
                status_before_id=item.status_id,
                promise_date_before=item.promise_date,
                status_after_id=item.status_id,
                promise_date_after=item.promise_date,
                status_date_after=item.status_date,
                comment=item.status_comment,
                resolver=resolver,
                changed_by=user,
                changed_at=at,
                cause=ChangeCause.RESOLVER,
            )
            for item in changed
        ]
    )
    OpenItem.objects.filter(pk__in=[item.pk for item in changed]).update(
        resolver=resolver, updated_at=at
    )
    for item in changed:
        item.resolver = resolver
    return changed
