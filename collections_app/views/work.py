"""The statement's other ways of working the selected items: Change status (with
its next step), New action, and the resolver of a dispute.

With JavaScript the forms live in dialogs on the statement and are sent with its
form (the same selection, "select all matching" included); a success swaps in
the refreshed statement, a refusal comes back into the dialog. Without it, the
buttons open the form on a page of its own for the same selection.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from collections_app.forms import NextStep, ResolverForm, ResolverScope
from collections_app.models import OpenItem
from collections_app.selectors import assignable_users
from collections_app.services.actions import ActionAlreadyCreated, create_action
from collections_app.services.errors import ServiceError
from collections_app.services.item_status import change_item_status, change_resolver
from collections_app.services.selection import parse_item_ids
from collections_app.views.dialogs import (
    STATEMENT_FORM,
    action_form,
    dialog_context,
    status_forms,
)
from collections_app.views.statement import (
    get_customer_for_user,
    page_seen_at,
    render_statement,
    selected_item_ids,
)
from customers.models import Customer

STATUS_TEMPLATE = "collections_app/change_status.html"
ACTION_TEMPLATE = "collections_app/new_action.html"
RESOLVER_TEMPLATE = "collections_app/resolver.html"
#: Selected items named on the page of a form without JavaScript.
ITEMS_NAMED = 10


def _statement_url(request: HttpRequest, customer: Customer) -> str:
    url = reverse("collections:reminders", args=[customer.pk])
    return f"{url}?{request.GET.urlencode()}" if request.GET else url


def _changed(
    request: HttpRequest, customer: Customer, summary: str, *, level: int = messages.SUCCESS
) -> HttpResponse:
    """The answer to a change done: the statement as it is now."""
    messages.add_message(request, level, summary)
    if request.htmx:
        response = render_statement(request, customer, first_page=True)
        # The dialog that sent it closes (static/js/dialogs.js).
        return trigger_client_event(response, "items-changed")
    return redirect(_statement_url(request, customer))


def _selection(customer: Customer, item_ids) -> dict:
    """What the page of a form says about the selection (without JavaScript)."""
    try:
        ids = parse_item_ids(item_ids)
    except ServiceError:
        ids = []
    items = OpenItem.objects.filter(customer=customer, pk__in=ids).order_by("number")
    return {
        "selected_ids": ids,
        "selected_count": len(ids),
        "selected_named": list(items.values_list("number", flat=True)[:ITEMS_NAMED]),
    }


def _render_form(
    request: HttpRequest,
    customer: Customer,
    *,
    template: str,
    fields_target: str,
    context: dict,
    item_ids,
    status: int,
) -> HttpResponse:
    """The form again: into the dialog for htmx, else on its own page."""
    context = {
        **context,
        "customer": customer,
        "active_tab": "reminders",
        "query": request.GET.urlencode(),
        "all_matching": request.POST.get("all_matching") == "1",
        "today": timezone.localdate(),
    }
    if request.htmx:
        response = render(request, f"{template}#{fields_target}", context, status=status)
        retarget(response, f"#{fields_target}")
        return reswap(response, "innerHTML")
    context.update(_selection(customer, item_ids))
    return render(request, template, context, status=status)


def _dialog_fields(request: HttpRequest, customer: Customer, *, template: str, dialog: str):
    """GET: the fields of the statement's dialog, loaded when it first opens
    (static/js/dialogs.js). Without htmx there is no dialog: the statement."""
    if not request.htmx:
        return redirect(_statement_url(request, customer))
    context = {
        **dialog_context(request, customer, dialog=dialog),
        "customer": customer,
        "fields_template": f"{template}#{dialog}-fields",
    }
    return render(request, "collections_app/includes/dialog_fields.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("collections_app.change_item_status", raise_exception=True)
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk)
    if request.method == "GET":
        return _dialog_fields(request, customer, template=STATUS_TEMPLATE, dialog="change-status")
    today = timezone.localdate()
    item_ids = selected_item_ids(request, customer)
    form_id = STATEMENT_FORM if request.htmx else None
    if "open" in request.POST:
        # Without JavaScript: the statement's button opens the form's own page.
        status_form, next_form = status_forms(request, customer, today=today)
        return _render_form(
            request,
            customer,
            template=STATUS_TEMPLATE,
            fields_target="change-status-fields",
            context={"status_form": status_form, "next_form": next_form},
            item_ids=item_ids,
            status=200,
        )
    status_form, next_form = status_forms(
        request, customer, today=today, data=request.POST, form_id=form_id
    )
    wants_action = request.POST.get(status_form.add_prefix("next_step")) == NextStep.ACTION
    valid = status_form.is_valid()
    if wants_action:
        valid = next_form.is_valid() and valid
    else:
        # Not sent as the next step: shown again as it was, without errors.
        next_form = status_forms(request, customer, today=today, form_id=form_id)[1]
    if valid:
        data = status_form.cleaned_data
        try:
            result = change_item_status(
                customer=customer,
                item_ids=item_ids,
                status=data["status"],
                status_date=data["status_date"],
                comment=data["comment"],
                resolver=data["resolver"],
                action=next_form.draft() if wants_action else None,
                user=request.user,
                seen_at=page_seen_at(request),
            )
        except ActionAlreadyCreated as sent_before:
            # The same form twice (a retried request): the first one did it all.
            level = messages.SUCCESS if sent_before.same else messages.WARNING
            return _changed(request, customer, sent_before.text, level=level)
        except ServiceError as error:
            status_form.add_error(None, error.text)
        else:
            return _changed(request, customer, result.summary())
    return _render_form(
        request,
        customer,
        template=STATUS_TEMPLATE,
        fields_target="change-status-fields",
        context={"status_form": status_form, "next_form": next_form},
        item_ids=item_ids,
        status=422,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("collections_app.add_action", raise_exception=True)
def new_action(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk)
    if request.method == "GET":
        return _dialog_fields(request, customer, template=ACTION_TEMPLATE, dialog="new-action")
    today = timezone.localdate()
    item_ids = selected_item_ids(request, customer)
    if "open" in request.POST:
        return _render_form(
            request,
            customer,
            template=ACTION_TEMPLATE,
            fields_target="new-action-fields",
            context={"action_form": action_form(request, customer, today=today)},
            item_ids=item_ids,
            status=200,
        )
    form = action_form(
        request,
        customer,
        today=today,
        data=request.POST,
        form_id=STATEMENT_FORM if request.htmx else None,
    )
    if form.is_valid():
        try:
            action = create_action(
                customer=customer, item_ids=item_ids, draft=form.draft(), user=request.user
            )
        except ActionAlreadyCreated as sent_before:
            # The same form twice (a double click without JavaScript): the answer
            # the officer sees is the second one; it says the first one did it.
            # Changed in between, it says so too: the dialog closes, so that the
            # next action starts from a form of its own.
            level = messages.SUCCESS if sent_before.same else messages.WARNING
            return _changed(request, customer, sent_before.text, level=level)
        except ServiceError as error:
            form.add_error(None, error.text)
        else:
            return _changed(
                request,
                customer,
                _("Action “%(title)s” created for %(name)s, due %(date)s.")
                % {
                    "title": action.title,
                    "name": action.assigned_to.get_full_name() or action.assigned_to,
                    "date": formats.date_format(action.due_date, "SHORT_DATE_FORMAT"),
                },
            )
    return _render_form(
        request,
        customer,
        template=ACTION_TEMPLATE,
        fields_target="new-action-fields",
        context={"action_form": form},
        item_ids=item_ids,
        status=422,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("collections_app.change_item_status", raise_exception=True)
def item_resolver(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Another resolver for one disputed item, or for every item of the customer
    with the same dispute status."""
    customer = get_customer_for_user(request, pk)
    item = get_object_or_404(
        OpenItem.objects.select_related("status", "resolver"), pk=item_pk, customer=customer
    )
    form = ResolverForm(
        request.POST if request.method == "POST" else None,
        users=assignable_users(),
        initial={"resolver": item.resolver_id, "scope": ResolverScope.ITEM},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            every = form.cleaned_data["scope"] == ResolverScope.STATUS
            try:
                result = change_resolver(
                    customer=customer,
                    resolver=form.cleaned_data["resolver"],
                    user=request.user,
                    item_id=None if every else item.pk,
                    status=item.status if every else None,
                )
            except ServiceError as error:
                form.add_error(None, error.text)
            else:
                messages.success(request, result.summary())
                url = reverse("collections:reminders", args=[customer.pk])
                if request.htmx:
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        status = 422
    sharing = (
        OpenItem.objects.outstanding().filter(customer=customer, status_id=item.status_id).count()
        if item.status_id
        else 0
    )
    context = {
        "customer": customer,
        "item": item,
        "form": form,
        "sharing": sharing,
        "active_tab": "reminders",
    }
    template = f"{RESOLVER_TEMPLATE}#resolver-form" if request.htmx else RESOLVER_TEMPLATE
    return render(request, template, context, status=status)
