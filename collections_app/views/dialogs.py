"""The forms of the statement's dialogs (Change status, New action), filled in
with what the officer most likely wants; every value stays editable."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone

from collections_app.forms import ActionForm, ChangeStatusForm, NextStep
from collections_app.models import DEFAULT_FOLLOW_UP_DAYS, ItemStatus
from collections_app.selectors import action_templates, assignable_users
from customers.models import Customer

#: The statement's form: the dialogs' fields are sent with it (``form`` attribute).
STATEMENT_FORM = "statement-form"


def default_assignee(request: HttpRequest, customer: Customer):
    """The customer's collector, else the officer (as Quick Promise does)."""
    collector = customer.collector if customer.collector_id else None
    return collector if collector is not None and collector.is_active else request.user


def status_forms(
    request: HttpRequest,
    customer: Customer,
    *,
    today: datetime.date,
    data=None,
    form_id: str | None = None,
) -> tuple[ChangeStatusForm, ActionForm]:
    """Change status and its next step's action (prefix ``next``)."""
    users = assignable_users()
    status_form = ChangeStatusForm(
        data,
        prefix="status",
        users=users,
        form_id=form_id,
        initial={"status_date": today, "next_step": NextStep.FOLLOW},
    )
    next_form = ActionForm(
        data,
        prefix="next",
        users=users,
        form_id=form_id,
        initial={
            "due_date": today + datetime.timedelta(days=DEFAULT_FOLLOW_UP_DAYS),
            "assigned_to": default_assignee(request, customer).pk,
        },
    )
    return status_form, next_form


def action_form(
    request: HttpRequest,
    customer: Customer,
    *,
    today: datetime.date,
    data=None,
    form_id: str | None = None,
) -> ActionForm:
    """New action on the selected items (prefix ``action``)."""
    return ActionForm(
        data,
        prefix="action",
        users=assignable_users(),
        form_id=form_id,
        initial={"due_date": today, "assigned_to": default_assignee(request, customer).pk},
    )


def dialog_context(request: HttpRequest, customer: Customer, *, dialog: str) -> dict:
    """The fields of one of the statement's dialogs ("change-status" or
    "new-action"), sent with the statement's form. They are loaded when the
    dialog first opens, not with every statement: most pages never open one.

    The people and the templates are read once for all the lists that offer them.
    """
    today = timezone.localdate()
    users = list(assignable_users())
    templates = action_templates()
    if dialog == "change-status":
        status_form, next_form = status_forms(
            request, customer, today=today, form_id=STATEMENT_FORM
        )
        status_form.fields["status"].listed = list(
            ItemStatus.objects.filter(is_active=True).order_by("label")
        )
        status_form.fields["resolver"].listed = users
        next_form.fields["assigned_to"].listed = users
        next_form.fields["template"].listed = templates
        return {"status_form": status_form, "next_form": next_form, "today": today}
    form = action_form(request, customer, today=today, form_id=STATEMENT_FORM)
    form.fields["assigned_to"].listed = users
    form.fields["template"].listed = templates
    return {"action_form": form, "today": today}
