"""Quick Promise to Pay: the selected items promised for today + X days, in one click."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collections_app.models import (
    Action,
    ChangeCause,
    ItemStatus,
    OpenItem,
    PaymentPromise,
    PromiseSource,
    QuickPromisePreference,
    StatusKind,
)
from collections_app.services.errors import ServiceError
from collections_app.services.item_state import set_item_state
from collections_app.services.promises import record_promises
from collections_app.services.selection import (
    lock_items,
    parse_item_ids,
    refuse_changed_since,
)
from customers.models import Customer


class QuickPromiseError(ServiceError):
    """A quick promise refused; nothing was changed."""


@dataclass(frozen=True)
class QuickPromiseResult:
    items: list[OpenItem]
    promise_date: datetime.date
    action: Action | None
    status: ItemStatus
    changed: int
    promises: tuple[PaymentPromise, ...] = ()
    #: Items promised that were in dispute (their dispute is over: said so).
    disputes_ended: int = 0

    @property
    def unchanged(self) -> int:
        return len(self.items) - self.changed

    def summary(self) -> str:
        """What happened, in a sentence for the officer."""
        date = formats.date_format(self.promise_date, "SHORT_DATE_FORMAT")
        if not self.changed:
            return ngettext(
                "The item was already promised for %(date)s: nothing changed.",
                "The %(count)d items were already promised for %(date)s: nothing changed.",
                len(self.items),
            ) % {"count": len(self.items), "date": date}
        text = ngettext(
            "%(count)d item promised for %(date)s",
            "%(count)d items promised for %(date)s",
            self.changed,
        ) % {"count": self.changed, "date": date}
        if self.unchanged:
            text += ngettext(
                " (%(count)d was already promised)",
                " (%(count)d were already promised)",
                self.unchanged,
            ) % {"count": self.unchanged}
        if self.disputes_ended:
            text += ngettext(
                " (%(count)d was in dispute)",
                " (%(count)d were in dispute)",
                self.disputes_ended,
            ) % {"count": self.disputes_ended}
        if self.action is not None:
            assignee = self.action.assigned_to
            text += _(", follow-up scheduled for %(name)s") % {
                "name": assignee.get_full_name() or assignee.get_username()
            }
        return text + "."


def apply_quick_promise(
    *,
    customer: Customer,
    item_ids: Iterable[object],
    user,
    seen_at: datetime.datetime | None = None,
    expected: tuple[int, int] | None = None,
) -> QuickPromiseResult:
    """Promise the selected items for today + X days with the configured status.

    In one transaction: every item gets the status and promise date, one follow-up
    action is created when the status carries an action template, and one history
    row is written per changed item. Raises QuickPromiseError, changing nothing,
    when the preference is not usable or any item cannot be promised.

    From a page: ``seen_at`` is when the page was shown (an item whose status
    somebody changed since is refused) and ``expected`` the (status id, days) the
    page announced (refused if an administrator changed them since).
    """
    ids = parse_item_ids(item_ids, error=QuickPromiseError)
    if not ids:
        raise QuickPromiseError(_("Select at least one item to promise."), code="no_items")

    with transaction.atomic():
        preference = QuickPromisePreference.load()
        if not preference.is_configured:
            raise QuickPromiseError(
                _(
                    "Quick Promise is not configured: an administrator sets its status and "
                    "date in Admin › Manage item status › Preferences."
                ),
                code="not_configured",
            )
        status = preference.status
        if not status.is_active:
            raise QuickPromiseError(
                _(
                    "The Quick Promise status “%(status)s” is inactive: an administrator must "
                    "choose an active one in Admin › Manage item status › Preferences."
                )
                % {"status": status.label},
                code="inactive_status",
            )

        if status.kind != StatusKind.PROMISE:
            raise QuickPromiseError(
                _(
                    "The Quick Promise status “%(status)s” is not a promise-to-pay status: an "
                    "administrator must choose one in Admin › Manage item status › Preferences."
                )
                % {"status": status.label},
                code="not_a_promise_status",
            )
        if expected is not None and expected != (status.pk, preference.delay_days):
            raise QuickPromiseError(
                _(
                    "The Quick Promise settings changed since this page was shown (now "
                    "“%(status)s”, D+%(days)d): nothing was promised. Look at the statement "
                    "again and click Quick Promise if that is still what you want."
                )
                % {"status": status.label, "days": preference.delay_days},
                code="settings_changed",
            )

        # Lock the rows in primary-key order: two overlapping quick promises queue
        # up instead of deadlocking, and the checks below see each row as it is
        # now (an import may have closed it since the page was shown), not as the
        # officer saw it.
        items = lock_items(customer=customer, ids=ids, debit_only=True, error=QuickPromiseError)

        promise_date = preference.promise_date(timezone.localdate())
        # Items already in this very state (a repeated click, a retried request,
        # a colleague who promised them the same) are left alone: no second
        # promise, no second follow-up for them, and no "changed since" refusal
        # for a change that is the one asked for.
        changing = [
            item
            for item in items
            if (item.status_id, item.promise_date) != (status.pk, promise_date)
        ]
        refuse_changed_since(changing, seen_at, error=QuickPromiseError)
        # Promising an item in dispute ends its dispute: the officer is told.
        qualified = {item.status_id for item in changing if item.status_id is not None}
        disputed = (
            set(
                ItemStatus.objects.filter(pk__in=qualified, kind=StatusKind.DISPUTE).values_list(
                    "pk", flat=True
                )
            )
            if qualified
            else set()
        )
        disputes_ended = sum(1 for item in changing if item.status_id in disputed)
        action = None
        now = timezone.now()
        if changing and status.action_template is not None:
            action = _create_follow_up(
                customer=customer,
                template=status.action_template,
                due_date=promise_date,
                item_ids=[item.pk for item in changing],
                user=user,
                at=now,
            )
        changed = set_item_state(
            items=items,
            status=status,
            promise_date=promise_date,
            user=user,
            cause=ChangeCause.QUICK_PROMISE,
            action=action,
            at=now,
        )
        # The promise as a record, to be kept or broken (superseding the items'
        # earlier open promises); none for a click that changed nothing.
        promises = (
            record_promises(
                customer=customer,
                items=changing,
                promised_date=promise_date,
                source=PromiseSource.QUICK_PROMISE,
                user=user,
                at=now,
                follow_up=action,
            )
            if changed
            else []
        )

    return QuickPromiseResult(
        items=items,
        promise_date=promise_date,
        action=action,
        status=status,
        changed=changed,
        promises=tuple(promises),
        disputes_ended=disputes_ended,
    )


def _create_follow_up(*, customer, template, due_date, item_ids, user, at) -> Action:
    collector = customer.collector if customer.collector_id else None
    assignee = collector if collector is not None and collector.is_active else user
    action = Action.objects.create(
        customer=customer,
        template=template,
        action_type=template.action_type,
        title=template.action_title,
        text=template.text,
        due_date=due_date,
        assigned_to=assignee,
        created_by=user,
        created_at=at,
    )
    _link_items(action=action, item_ids=item_ids)
    return action


def _link_items(*, action: Action, item_ids: list[int]) -> None:
    """Link the action to its items: one ``INSERT … SELECT`` of the (locked)
    items, whatever their number, instead of one object per link."""
    links = Action.items.through
    items = OpenItem.objects.filter(pk__any_of=item_ids).order_by().values_list("pk")
    select_sql, select_params = items.query.sql_with_params()
    quote = connection.ops.quote_name
    action_column = quote(links._meta.get_field("action").column)
    item_column = quote(links._meta.get_field("openitem").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(links._meta.db_table)} ({action_column}, {item_column}) "
            f"SELECT %s, linked.* FROM ({select_sql}) AS linked",
            [action.pk, *select_params],
        )
