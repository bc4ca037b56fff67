"""An item's qualification as Change status sets it, with its history rows.

Quick Promise writes its history through ``services.history``; the services of
the collector's full way (Change status, the resolver, the resolution of a
dispute) write here, the same way: the caller has locked the items, one INSERT
of history rows and one UPDATE whatever the number of items, nothing written
for items already in that state.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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
    that changed (those already in that state are left alone)."""
    changed = [item for item in items if state.differs(item)]
    if not changed:
        return []
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                item_id=item.pk,
                status_before_id=item.status_id,
                promise_date_before=item.promise_date,
                status_after=state.status,
                promise_date_after=state.promise_date,
                status_date_after=state.status_date,
                comment=state.comment,
                resolver=state.resolver,
                changed_by=user,
                changed_at=at,
                cause=cause,
                action=action,
            )
            for item in changed
        ]
    )
    OpenItem.objects.filter(pk__in=[item.pk for item in changed]).update(
        status=state.status,
        promise_date=state.promise_date,
        status_date=state.status_date,
        status_comment=state.comment,
        resolver=state.resolver,
        status_set_by=user,
        status_set_at=at,
        updated_at=at,
    )
    for item in changed:
        item.status = state.status
        item.promise_date = state.promise_date
        item.status_date = state.status_date
        item.status_comment = state.comment
        item.resolver = state.resolver
        item.status_set_by = user
        item.status_set_at = at
    return changed


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
