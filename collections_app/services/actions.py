"""Follow-up actions: created on selected items, rescheduled, reassigned, done.

Each change of an existing action locks its row first, re-checks it is still open
(a colleague may have closed it since the page was shown) and leaves one
ActionEvent row, the action's trail in the customer's history.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collections_app.models import (
    Action,
    ActionEvent,
    ActionEventKind,
    ActionTemplate,
    ActionType,
    ChangeCause,
    ItemStatus,
    OpenItem,
    StatusKind,
)
from collections_app.services.dates import too_far_ahead
from collections_app.services.errors import ServiceError
from collections_app.services.item_state import ItemState, write_item_state
from collections_app.services.selection import (
    internal_user,
    lock_items,
    parse_item_ids,
)
from customers.models import Customer

MAX_TITLE = Action._meta.get_field("title").max_length
MAX_TEXT = 4000


class ActionError(ServiceError):
    """A change of an action refused; nothing was changed."""


class ActionAlreadyCreated(ActionError):
    """The form was sent before and created ``action``: nothing more was done.
    ``same`` says whether it was sent again as it was (a double click, a retried
    request) or changed (the officer thought the first one had failed)."""

    def __init__(self, action: Action, *, same: bool):
        if same:
            text = _("“%(title)s” was already created from this form: nothing more was done.") % {
                "title": action.title
            }
        else:
            text = _(
                "This form had already created “%(title)s”, due %(date)s; what was sent again "
                "was not saved. Change that action from My actions, or open New action again "
                "for another one."
            ) % {
                "title": action.title,
                "date": formats.date_format(action.due_date, "SHORT_DATE_FORMAT"),
            }
        super().__init__(text, code="already_created" if same else "form_used")
        self.action = action
        self.same = same


@dataclass(frozen=True)
class ActionDraft:
    """An action as the officer filled it in, before it exists."""

    action_type: str
    title: str
    due_date: datetime.date | None
    assigned_to: object | None
    text: str = ""
    template: ActionTemplate | None = None
    #: The form's own key: the same form sent twice (a double click without
    #: JavaScript, a retried request) creates one action.
    form_key: uuid.UUID | None = None


def check_draft(draft: ActionDraft, *, today: datetime.date) -> None:
    """Refuse a draft that cannot become an action (before anything is read)."""
    if draft.action_type not in ActionType.values:
        raise ActionError(_("Choose the type of the action."), code="bad_type")
    if not draft.title.strip():
        raise ActionError(_("Give the action a title."), code="no_title")
    if len(draft.title) > MAX_TITLE:
        raise ActionError(
            _("The title of the action is limited to %(max)d characters.") % {"max": MAX_TITLE},
            code="long_title",
        )
    if len(draft.text) > MAX_TEXT:
        raise ActionError(
            _("The text of the action is limited to %(max)d characters.") % {"max": MAX_TEXT},
            code="long_text",
        )
    if draft.due_date is None or draft.due_date < today:
        raise ActionError(
            _("The action must be due today or later."),
            code="past_due_date",
        )
    if reason := too_far_ahead(draft.due_date, today=today):
        raise ActionError(reason, code="far_due_date")
    if draft.assigned_to is None:
        raise ActionError(_("Choose who does the action."), code="no_assignee")


def insert_action(
    *,
    customer: Customer,
    draft: ActionDraft,
    items: list[OpenItem],
    user,
    at: datetime.datetime,
) -> Action:
    """Create an action on locked items, the assignee and template read again
    inside the transaction (either may have been deactivated or deleted since
    the form was shown)."""
    assignee = internal_user(draft.assigned_to, role=_("assignee"))
    template = None
    if draft.template is not None:
        template = ActionTemplate.objects.filter(pk=draft.template.pk).first()
        if template is None:
            raise ActionError(
                _("The action template “%(name)s” was deleted: choose another one.")
                % {"name": draft.template.name},
                code="deleted_template",
            )
    if draft.form_key is not None:
        # Read after the items were locked: the same form sent twice at once waits
        # here for the first to commit, then finds its action.
        earlier = Action.objects.filter(form_key=draft.form_key).first()
        if earlier is not None:
            raise ActionAlreadyCreated(earlier, same=_drafted(earlier, draft, items, assignee))
    fields = {
        "customer": customer,
        "template": template,
        "action_type": draft.action_type,
        "title": draft.title.strip(),
        "text": draft.text.strip(),
        "due_date": draft.due_date,
        "assigned_to": assignee,
        "created_by": user,
        "created_at": at,
    }
    if draft.form_key is None:
        action = Action.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                action = Action.objects.create(**fields, form_key=draft.form_key)
        except IntegrityError:
            # Sent twice at once on other items (the unique key waited for the
            # other transaction): the other one created it.
            earlier = Action.objects.filter(form_key=draft.form_key).first()
            if earlier is None:
                raise
            same = _drafted(earlier, draft, items, assignee)
            raise ActionAlreadyCreated(earlier, same=same) from None
    links = Action.items.through
    links.objects.bulk_create([links(action_id=action.pk, openitem_id=item.pk) for item in items])
    return action


def _drafted(action: Action, draft: ActionDraft, items: list[OpenItem], assignee) -> bool:
    """Whether ``action`` is what ``draft`` on ``items`` would create."""
    return (
        action.action_type,
        action.title,
        action.text,
        action.due_date,
        action.assigned_to_id,
        action.template_id,
        set(action.items.values_list("pk", flat=True)),
    ) == (
        draft.action_type,
        draft.title.strip(),
        draft.text.strip(),
        draft.due_date,
        assignee.pk,
        draft.template.pk if draft.template is not None else None,
        {item.pk for item in items},
    )


def create_action(*, customer: Customer, item_ids, draft: ActionDraft, user) -> Action:
    """A specific action on the selected items, in one transaction: the items are
    locked and checked (outstanding, this customer's), the action created and
    linked to every one of them."""
    ids = parse_item_ids(item_ids)
    if not ids:
        raise ActionError(_("Select at least one item for the action."), code="no_items")
    check_draft(draft, today=timezone.localdate())
    with transaction.atomic():
        items = lock_items(customer=customer, ids=ids)
        return insert_action(
            customer=customer, draft=draft, items=items, user=user, at=timezone.now()
        )


def _locked_open_action(action: Action) -> Action:
    """The action's row, locked, refused when it was closed meanwhile."""
    locked = (
        Action.objects.select_for_update(of=("self",))
        .select_related("customer", "done_by")
        .get(pk=action.pk)
    )
    if locked.done_at is not None:
        raise ActionError(
            _("“%(title)s” was already marked done (%(date)s).")
            % {
                "title": locked.title,
                "date": formats.date_format(
                    timezone.localtime(locked.done_at), "SHORT_DATETIME_FORMAT"
                ),
            },
            code="already_done",
        )
    return locked


def reschedule_action(*, action: Action, due_date: datetime.date, user) -> Action:
    """Move an open action to another day, from today on."""
    today = timezone.localdate()
    if due_date is None or due_date < today:
        raise ActionError(_("The new due date must be today or later."), code="past_due_date")
    if reason := too_far_ahead(due_date, today=today):
        raise ActionError(reason, code="far_due_date")
    with transaction.atomic():
        locked = _locked_open_action(action)
        if locked.due_date == due_date:
            raise ActionError(
                _("“%(title)s” is already due on %(date)s: nothing changed.")
                % {
                    "title": locked.title,
                    "date": formats.date_format(due_date, "SHORT_DATE_FORMAT"),
                },
                code="same_date",
            )
        ActionEvent.objects.create(
            action=locked,
            customer_id=locked.customer_id,
            kind=ActionEventKind.RESCHEDULED,
            by=user,
            due_date_before=locked.due_date,
            due_date_after=due_date,
        )
        locked.due_date = due_date
        locked.save(update_fields=["due_date"])
    return locked


def reassign_action(*, action: Action, assignee, user) -> Action:
    """Give an open action to another active user of the product."""
    with transaction.atomic():
        locked = _locked_open_action(action)
        assignee = internal_user(assignee, role=_("assignee"))
        if locked.assigned_to_id == assignee.pk:
            raise ActionError(
                _("“%(title)s” is already assigned to %(name)s: nothing changed.")
                % {"title": locked.title, "name": assignee.get_full_name() or assignee},
                code="same_assignee",
            )
        ActionEvent.objects.create(
            action=locked,
            customer_id=locked.customer_id,
            kind=ActionEventKind.REASSIGNED,
            by=user,
            assigned_before_id=locked.assigned_to_id,
            assigned_after=assignee,
        )
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
    return locked


@dataclass(frozen=True)
class CompletionResult:
    action: Action
    resolved: list[OpenItem]
    status: ItemStatus | None

    def summary(self) -> str:
        text = _("“%(title)s” for %(customer)s is done.") % {
            "title": self.action.title,
            "customer": self.action.customer.name,
        }
        if self.status is not None:
            text += " " + ngettext(
                "%(count)d item marked “%(status)s”.",
                "%(count)d items marked “%(status)s”.",
                len(self.resolved),
            ) % {"count": len(self.resolved), "status": self.status.label}
        return text


def complete_action(
    *, action: Action, user, note: str = "", resolution: ItemStatus | None = None
) -> CompletionResult:
    """Mark an open action done, once (a second click finds it done and says
    when), with an outcome note; with ``resolution`` (a status of the kind
    "dispute resolved"), its items still in dispute get that status in the
    same transaction, so the dispute is never closed on one side only."""
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise ActionError(
            _("The outcome note is limited to %(max)d characters.") % {"max": MAX_TEXT},
            code="long_note",
        )
    status = None
    if resolution is not None:
        status = ItemStatus.objects.filter(pk=resolution.pk, is_active=True).first()
        if status is None or status.kind != StatusKind.DISPUTE_RESOLVED:
            raise ActionError(
                _(
                    "“%(status)s” is not an active “dispute resolved” status: choose "
                    "another one, or complete the action without resolving."
                )
                % {"status": resolution.label},
                code="bad_resolution",
            )
    with transaction.atomic():
        items: list[OpenItem] = []
        if status is not None:
            # The action's items, locked in primary-key order like every change
            # of items, and before the action: the import and the daily
            # evaluation of promises lock items, then close follow-ups; the other
            # order could deadlock with them. (An action's items never change.)
            items = list(
                OpenItem.objects.select_for_update(of=("self",))
                .filter(actions=action)
                .select_related("status")
                .order_by("pk")
            )
        locked = _locked_open_action(action)
        now = timezone.now()
        resolved: list[OpenItem] = []
        if status is not None:
            # Only those still outstanding and in dispute are resolved.
            disputed = [
                item
                for item in items
                if item.open_amount != 0
                and item.status is not None
                and item.status.kind == StatusKind.DISPUTE
            ]
            if not disputed:
                raise ActionError(
                    _(
                        "No item of “%(title)s” is in dispute any more: complete it without "
                        "resolving."
                    )
                    % {"title": locked.title},
                    code="nothing_to_resolve",
                )
            resolved = write_item_state(
                items=disputed,
                state=ItemState(status=status, status_date=timezone.localdate(), comment=note),
                user=user,
                cause=ChangeCause.RESOLUTION,
                at=now,
                action=locked,
            )
        ActionEvent.objects.create(
            action=locked,
            customer_id=locked.customer_id,
            kind=ActionEventKind.DONE,
            at=now,
            by=user,
            note=note,
        )
        locked.done_at = now
        locked.done_by = user
        locked.outcome = note
        locked.save(update_fields=["done_at", "done_by", "outcome"])
    return CompletionResult(action=locked, resolved=resolved, status=status)
