"""Change status: the collector's full way of qualifying the selected items.

Any active status, a date from today on (the promise date of a promise: the
5-day limit is Quick Promise's alone), a comment, a resolver for a dispute, and
a next step: let the account follow its course (the status's own follow-up, if
it has one) or a specific action. One transaction, like Quick Promise.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collections_app.models import (
    Action,
    ChangeCause,
    ItemStatus,
    OpenItem,
    PromiseSource,
    ReleaseReason,
    StatusKind,
)
from collections_app.services.actions import ActionDraft, check_draft, insert_action
from collections_app.services.dates import too_far_ahead
from collections_app.services.errors import ServiceError
from collections_app.services.item_state import ItemState, write_item_state, write_resolver
from collections_app.services.promises import record_promises, release_items
from collections_app.services.selection import (
    internal_user,
    lock_items,
    parse_item_ids,
    refuse_changed_since,
)
from customers.models import Customer

MAX_COMMENT = 2000


class ItemStatusError(ServiceError):
    """A change of status refused; nothing was changed."""


@dataclass(frozen=True)
class StatusChangeResult:
    items: list[OpenItem]
    changed: list[OpenItem]
    status: ItemStatus
    status_date: datetime.date
    resolver: object | None
    action: Action | None

    def summary(self) -> str:
        """What happened, in a sentence for the officer."""
        date = formats.date_format(self.status_date, "SHORT_DATE_FORMAT")
        if not self.changed and self.action is not None:
            return ngettext(
                "The item already had the status “%(status)s” with this date and comment; "
                "action “%(title)s” for %(name)s due %(date)s.",
                "The %(count)d items already had the status “%(status)s” with this date and "
                "comment; action “%(title)s” for %(name)s due %(date)s.",
                len(self.items),
            ) % {
                "count": len(self.items),
                "status": self.status.label,
                "title": self.action.title,
                "name": _name(self.action.assigned_to),
                "date": formats.date_format(self.action.due_date, "SHORT_DATE_FORMAT"),
            }
        if not self.changed:
            return ngettext(
                "The item already had the status “%(status)s” with this date and comment: "
                "nothing changed.",
                "The %(count)d items already had the status “%(status)s” with this date and "
                "comment: nothing changed.",
                len(self.items),
            ) % {"count": len(self.items), "status": self.status.label}
        text = ngettext(
            "%(count)d item set to “%(status)s” (%(date)s)",
            "%(count)d items set to “%(status)s” (%(date)s)",
            len(self.changed),
        ) % {"count": len(self.changed), "status": self.status.label, "date": date}
        if self.resolver is not None:
            text += _(", resolver %(name)s") % {"name": _name(self.resolver)}
        if self.action is not None:
            text += _(", action “%(title)s” for %(name)s due %(date)s") % {
                "title": self.action.title,
                "name": _name(self.action.assigned_to),
                "date": formats.date_format(self.action.due_date, "SHORT_DATE_FORMAT"),
            }
        return text + "."


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def change_item_status(
    *,
    customer: Customer,
    item_ids: Iterable[object],
    status: ItemStatus,
    status_date: datetime.date | None,
    comment: str = "",
    resolver=None,
    action: ActionDraft | None = None,
    user,
    seen_at: datetime.datetime | None = None,
) -> StatusChangeResult:
    """Give the selected items a status, its date, a comment and (a dispute) a
    resolver; then the next step: ``action`` (a specific action on the items),
    or, without it, the status's own follow-up when it has an action template.

    Raises ItemStatusError (or another ServiceError), changing nothing, when the
    status is inactive, the date is past, a dispute has no resolver, an item is
    not an outstanding item of the customer (an amount due, for a promise), or
    the action cannot be created. Items already in exactly this state are left
    alone, and when none changes no action is created (a retried request).
    """
    ids = parse_item_ids(item_ids)
    if not ids:
        raise ItemStatusError(_("Select at least one item."), code="no_items")
    today = timezone.localdate()
    if status_date is None:
        raise ItemStatusError(_("Give the date of the status."), code="no_date")
    if status_date < today:
        raise ItemStatusError(
            _("The date must be today or later (%(today)s).")
            % {"today": formats.date_format(today, "SHORT_DATE_FORMAT")},
            code="past_date",
        )
    if reason := too_far_ahead(status_date, today=today):
        raise ItemStatusError(reason, code="far_date")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ItemStatusError(
            _("The comment is limited to %(max)d characters.") % {"max": MAX_COMMENT},
            code="long_comment",
        )
    if status.kind == StatusKind.DISPUTE and resolver is None:
        raise ItemStatusError(
            _("A dispute needs a resolver: choose who settles it."), code="no_resolver"
        )
    if status.kind != StatusKind.DISPUTE and resolver is not None:
        raise ItemStatusError(
            _("Only a dispute has a resolver: “%(status)s” is not a dispute status.")
            % {"status": status.label},
            code="resolver_without_dispute",
        )
    if action is not None:
        check_draft(action, today=today)

    with transaction.atomic():
        # The status as it is now: an administrator may have deactivated it since
        # the dialog was shown (deactivating it a moment later is harmless:
        # inactive statuses stay on the items that have them).
        current = ItemStatus.objects.select_related("action_template").filter(pk=status.pk).first()
        if current is None or not current.is_active:
            raise ItemStatusError(
                _("The status “%(status)s” is inactive or was deleted: choose an active status.")
                % {"status": status.label},
                code="inactive_status",
            )
        if resolver is not None:
            resolver = internal_user(resolver, role=_("resolver"))
        items = lock_items(customer=customer, ids=ids, debit_only=current.is_promise)
        state = ItemState(
            status=current, status_date=status_date, comment=comment, resolver=resolver
        )
        # Items already in exactly this state are left alone (a retried request);
        # the others must not have been changed by a colleague after the
        # officer's page was shown.
        differing = [item for item in items if state.differs(item)]
        refuse_changed_since(differing, seen_at)
        now = timezone.now()
        created = None
        # A specific action asked for is created on every selected item, even when
        # their status is already the one given (the form's key makes a retried
        # request find it instead); the status's own follow-up only for the items
        # it now applies to.
        if action is not None and (differing or action.form_key is not None):
            created = insert_action(customer=customer, draft=action, items=items, user=user, at=now)
        elif differing and action is None and current.action_template is not None:
            created = insert_action(
                customer=customer,
                draft=_follow_up(customer=customer, status=current, state=state, user=user),
                items=differing,
                user=user,
                at=now,
            )
        changed = write_item_state(
            items=items,
            state=state,
            user=user,
            cause=ChangeCause.STATUS_CHANGE,
            at=now,
            action=created,
        )
        if changed and current.is_promise:
            # A promise to pay, as a record to be kept or broken.
            record_promises(
                customer=customer,
                items=changed,
                promised_date=status_date,
                source=PromiseSource.STATUS_CHANGE,
                user=user,
                at=now,
                # Only the status's own follow-up ("check the payment arrived") is
                # the promise's, to close with it; a specific action the officer
                # asked for stays theirs.
                follow_up=created if action is None else None,
            )
        elif changed:
            # Items qualified otherwise (a dispute…) are no longer promised.
            release_items(
                item_ids=[item.pk for item in changed], reason=ReleaseReason.WITHDRAWN, at=now
            )
    return StatusChangeResult(
        items=items,
        changed=changed,
        status=current,
        status_date=status_date,
        resolver=resolver,
        action=created,
    )


def _follow_up(*, customer: Customer, status: ItemStatus, state: ItemState, user) -> ActionDraft:
    """The status's own follow-up, as Quick Promise schedules it: due on the
    promise date of a promise, else after the status's follow-up days; for the
    customer's collector, else the officer."""
    template = status.action_template
    collector = customer.collector if customer.collector_id else None
    due = state.promise_date or (
        timezone.localdate() + datetime.timedelta(days=status.follow_up_days)
    )
    return ActionDraft(
        action_type=template.action_type,
        title=template.action_title,
        text=template.text,
        due_date=due,
        assigned_to=collector if collector is not None and collector.is_active else user,
        template=template,
    )


@dataclass(frozen=True)
class ResolverResult:
    items: list[OpenItem]
    changed: list[OpenItem]
    resolver: object

    def summary(self) -> str:
        if not self.changed:
            return ngettext(
                "%(name)s already resolves this item: nothing changed.",
                "%(name)s already resolves these %(count)d items: nothing changed.",
                len(self.items),
            ) % {"name": _name(self.resolver), "count": len(self.items)}
        return ngettext(
            "%(name)s now resolves %(count)d item.",
            "%(name)s now resolves %(count)d items.",
            len(self.changed),
        ) % {"name": _name(self.resolver), "count": len(self.changed)}


def change_resolver(
    *,
    customer: Customer,
    resolver,
    user,
    item_id: object | None = None,
    status: ItemStatus | None = None,
) -> ResolverResult:
    """Give another resolver to one disputed item (``item_id``), or to every
    outstanding item of the customer that has the dispute status ``status``."""
    if (item_id is None) == (status is None):
        raise ItemStatusError(
            _("Choose the item, or the status whose items change resolver."), code="no_scope"
        )
    if status is not None and status.kind != StatusKind.DISPUTE:
        raise ItemStatusError(
            _("Only disputes have a resolver: “%(status)s” is not a dispute status.")
            % {"status": status.label},
            code="not_a_dispute",
        )
    ids = parse_item_ids([item_id]) if item_id is not None else None
    with transaction.atomic():
        resolver = internal_user(resolver, role=_("resolver"))
        if ids is not None:
            items = lock_items(customer=customer, ids=ids)
        else:
            items = list(
                OpenItem.objects.outstanding()
                .select_for_update()
                .filter(customer=customer, status=status)
                .order_by("pk")
            )
            if not items:
                raise ItemStatusError(
                    _("No outstanding item of %(customer)s has the status “%(status)s” now.")
                    % {"customer": customer.name, "status": status.label},
                    code="no_items",
                )
        # Checked on the locked rows: the status may have changed since the page.
        not_disputed = [
            item
            for item in items
            if item.status_id is None
            or (status is None and item.status.kind != StatusKind.DISPUTE)
            or (status is not None and item.status_id != status.pk)
        ]
        if not_disputed:
            raise ItemStatusError(
                _("Item %(item)s is not in dispute any more: reload the statement.")
                % {"item": not_disputed[0].number},
                code="not_disputed",
            )
        changed = write_resolver(items=items, resolver=resolver, user=user, at=timezone.now())
    return ResolverResult(items=items, changed=changed, resolver=resolver)
