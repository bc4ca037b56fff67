"""The items an officer selected on the statement, read and locked for a change.

Shared by the services that work on a selection (Change status, New action):
the same refusals as Quick Promise, worded for any change, not only a promise.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collections_app.models import CREDIT_DOCUMENT_TYPES, OpenItem
from collections_app.roles import INTERNAL_USERS
from collections_app.services.errors import ServiceError
from customers.models import Customer

#: More items than any statement shows at once (Quick Promise's limit too).
MAX_ITEMS = 50_000
_MAX_ID = 2**63 - 1
_NAMES_SHOWN = 5


class SelectionError(ServiceError):
    """The selection cannot be worked as asked; nothing was changed."""


def parse_item_ids(
    raw_ids: Iterable[object], *, error: type[ServiceError] = SelectionError
) -> list[int]:
    """The item ids of a request, in their order; refuses anything else (raising
    ``error``, the calling service's own kind of refusal)."""
    ids: dict[int, None] = {}
    for raw in raw_ids:
        value = raw.strip() if isinstance(raw, str) else raw
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise error(_("The selection is not valid: reload the page."), code="bad_id")
        if isinstance(value, str):
            if not value.isascii() or not value.isdigit() or len(value) > 19:
                raise error(_("The selection is not valid: reload the page."), code="bad_id")
            value = int(value)
        if not 0 < value <= _MAX_ID:
            raise error(_("The selection is not valid: reload the page."), code="bad_id")
        if value in ids:
            # The page never sends an item twice: this request was made by hand.
            raise error(_("The selection lists an item twice: reload the page."), code="bad_id")
        ids[value] = None
        if len(ids) > MAX_ITEMS:
            raise error(
                _("At most %(max)d items can be changed at once; select fewer items.")
                % {"max": MAX_ITEMS},
                code="too_many",
            )
    return list(ids)


def item_names(items: Iterable[OpenItem]) -> str:
    numbers = [item.number for item in items]
    shown = ", ".join(numbers[:_NAMES_SHOWN])
    if len(numbers) > _NAMES_SHOWN:
        shown += _(" and %(count)d more") % {"count": len(numbers) - _NAMES_SHOWN}
    return shown


def lock_items(
    *,
    customer: Customer,
    ids: list[int],
    debit_only: bool = False,
    error: type[ServiceError] = SelectionError,
) -> list[OpenItem]:
    """The selected items, locked until the end of the transaction, in primary-key
    order (so that two changes on overlapping items queue up instead of
    deadlocking); refuses unless every one is an outstanding item of the customer
    (and an amount due, with ``debit_only``), as the database holds it now."""
    if not ids:
        raise error(_("Select at least one item."), code="no_items")
    items = list(OpenItem.objects.select_for_update().filter(pk__any_of=ids).order_by("pk"))
    if len(items) != len(ids):
        missing = len(ids) - len(items)
        raise error(
            ngettext(
                "%(count)d selected item no longer exists: reload the statement.",
                "%(count)d selected items no longer exist: reload the statement.",
                missing,
            )
            % {"count": missing},
            code="unknown_item",
        )
    foreign = [item for item in items if item.customer_id != customer.pk]
    if foreign:
        raise error(
            ngettext(
                "%(count)d selected item does not belong to %(customer)s: reload the statement.",
                "%(count)d selected items do not belong to %(customer)s: reload the statement.",
                len(foreign),
            )
            % {"count": len(foreign), "customer": customer.name},
            code="foreign_item",
        )
    closed = [item for item in items if item.open_amount == 0]
    if closed:
        raise error(
            ngettext(
                "Item %(items)s is already paid or closed, so nothing was changed.",
                "Items %(items)s are already paid or closed, so nothing was changed.",
                len(closed),
            )
            % {"items": item_names(closed)},
            code="closed_item",
        )
    if debit_only:
        credits = [
            item
            for item in items
            if item.open_amount < 0 or item.document_type in CREDIT_DOCUMENT_TYPES
        ]
        if credits:
            raise error(
                ngettext(
                    "Item %(items)s is a credit (credit note or payment): only amounts due can "
                    "be promised. Unselect it; nothing was changed.",
                    "Items %(items)s are credits (credit notes or payments): only amounts due "
                    "can be promised. Unselect them; nothing was changed.",
                    len(credits),
                )
                % {"items": item_names(credits)},
                code="credit_item",
            )
    return items


def refuse_changed_since(
    items: Iterable[OpenItem], seen_at, *, error: type[ServiceError] = SelectionError
) -> None:
    """Refuse when somebody changed the status of an item after ``seen_at`` (when
    the page the officer worked from was shown): the officer decided on what the
    page showed, not on what the item has become (a colleague's dispute, say)."""
    if seen_at is None:
        return
    changed = [
        item for item in items if item.status_set_at is not None and item.status_set_at > seen_at
    ]
    if changed:
        raise error(
            ngettext(
                "Item %(items)s was changed by somebody else after this page was shown: "
                "nothing was changed. Look at the statement as it is now and do it again.",
                "Items %(items)s were changed by somebody else after this page was shown: "
                "nothing was changed. Look at the statement as it is now and do it again.",
                len(changed),
            )
            % {"items": item_names(changed)},
            code="changed_since",
        )


def internal_user(user, *, role: str):
    """The user as the database holds it now, if still an active internal user;
    refuses otherwise (``role`` says what the user was to be, for the message)."""
    current = (
        get_user_model().objects.filter(INTERNAL_USERS, pk=getattr(user, "pk", None)).first()
        if user is not None
        else None
    )
    if current is None:
        raise SelectionError(
            _("%(name)s cannot be the %(role)s: choose an active user of the product.")
            % {
                "name": (user.get_full_name() or user.get_username()) if user else "—",
                "role": role,
            },
            code="inactive_user",
        )
    return current
