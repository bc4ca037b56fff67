"""The Reminders and disputes tab: the account statement and Quick Promise."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from collections_app.forms import StatementFilterForm
from collections_app.models import ItemStatus, QuickPromisePreference
from collections_app.selectors import (
    STATEMENT_PAGE_SIZE,
    STATEMENT_SORTS,
    account_statement,
    promisable_item_ids,
)
from collections_app.services import QuickPromiseError, apply_quick_promise
from customers.models import Customer
from customers.selectors import customer_with_collector
from customers.templatetags.ledger_format import ZERO_DECIMAL_CURRENCIES

TEMPLATE = "collections_app/reminders.html"
#: The id of the row that loads the next page as the officer scrolls to it.
MORE_ROWS_TARGET = "statement-more"


def get_customer_for_user(request: HttpRequest, pk: int) -> Customer:
    if not request.user.has_perm("customers.view_customer"):
        raise PermissionDenied
    customer = customer_with_collector(pk)
    if customer is None:
        raise Http404(f"No customer {pk}.")  # for the logs: the page says "Not found"
    return customer


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1


def _pages_shown(request: HttpRequest) -> int:
    """The pages of rows the statement form was sent from showed."""
    value = request.POST.get("shown", "")
    rows = int(value) if value.isdigit() and len(value) < 7 else 0
    return max(1, -(-rows // STATEMENT_PAGE_SIZE))


def render_statement(
    request: HttpRequest,
    customer: Customer,
    *,
    status: int = 200,
    selected: frozenset[str] = frozenset(),
    first_page: bool = False,
) -> HttpResponse:
    """The statement, whole or as a fragment. ``first_page``: from the first
    row, as many pages as the officer had loaded (the form's ``shown``), for
    the answer to a change made on them."""
    today = timezone.localdate()
    statuses, preference = QuickPromisePreference.load_with_statuses()
    filter_form = StatementFilterForm(request.GET, statuses=statuses)
    filters = filter_form.filters()
    sort = request.GET.get("sort", "due_date")
    sort = sort if sort in STATEMENT_SORTS else "due_date"
    more_rows = (
        bool(request.htmx)
        and request.htmx.target == MORE_ROWS_TARGET
        and not request.htmx.history_restore_request
    )
    statement = account_statement(
        customer=customer,
        today=today,
        sort=sort,
        filters=filters,
        page=1 if first_page else _page_number(request),
        pages=_pages_shown(request) if first_page else 1,
        with_totals=not more_rows,
    )
    # The filters and the sort, for every link and form that keeps them.
    query = {name: value for name, value in request.GET.items() if value and name != "page"}
    if "sort" in query:
        query["sort"] = sort
    context = {
        "customer": customer,
        "statement": statement,
        "filter_form": filter_form,
        "query": urlencode(query),
        "filter_query": urlencode({k: v for k, v in query.items() if k != "sort"}),
        "selected": selected,
        "active_tab": "reminders",
        "more_rows_target": MORE_ROWS_TARGET,
        # The rows link to the resolver of a dispute for those who may change it,
        # on every page of the endless scroll.
        "can_change_status": request.user.has_perm("collections_app.change_item_status"),
        # When this page was shown: a change made on it is refused for items that
        # somebody else changed since.
        "seen_at": timezone.now().isoformat(),
    }
    if more_rows:
        return render(request, f"{TEMPLATE}#rows", context)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    context.update(
        today=today,
        # Amounts in these show no decimals; the selection total too (statement.js).
        whole_currencies=" ".join(sorted(ZERO_DECIMAL_CURRENCIES)),
        preference=preference,
        quick_promise_date=preference.promise_date(today) if preference.is_configured else None,
        can_promise=request.user.has_perm("collections_app.apply_quick_promise"),
        can_create_action=request.user.has_perm("collections_app.add_action"),
        fragment=fragment,
        promisable_totals=json.dumps(
            [
                [total.currency, str(total.promisable_amount)]
                for total in statement.totals
                if total.promisable
            ]
        ),
    )
    template = f"{TEMPLATE}#statement" if fragment else TEMPLATE
    return render(request, template, context, status=status)


def selected_item_ids(request: HttpRequest, customer: Customer) -> list[str] | list[int]:
    """The items a statement form was sent with: the boxes ticked, or with
    "select all matching" (``all_matching=1``) every matching item that can be
    selected, found again with the statement's own filters (the query string)."""
    if request.POST.get("all_matching") == "1":
        filters = StatementFilterForm(request.GET, statuses=ItemStatus.objects.all()).filters()
        return promisable_item_ids(customer=customer, filters=filters, today=timezone.localdate())
    return request.POST.getlist("items")


def page_seen_at(request: HttpRequest) -> datetime.datetime | None:
    """When the page the form was sent from was shown (its ``seen_at`` field), to
    refuse changing items a colleague changed since; None when not given."""
    try:
        seen_at = datetime.datetime.fromisoformat(request.POST.get("seen_at", ""))
    except ValueError:
        return None
    return seen_at if timezone.is_aware(seen_at) else None


def expected_quick_promise(request: HttpRequest) -> tuple[int, int] | None:
    """The Quick Promise (status id, days) the page announced, if it said."""
    status, days = request.POST.get("expected_status", ""), request.POST.get("expected_delay", "")
    if status.isdigit() and days.isdigit():
        return int(status), int(days)
    return None


@never_cache
@require_GET
@permission_required("collections_app.view_openitem", raise_exception=True)
def reminders(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk)
    return render_statement(request, customer)


@never_cache
@require_POST
@permission_required("collections_app.apply_quick_promise", raise_exception=True)
def quick_promise(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk)
    # "Select all" beyond the loaded rows: every matching item that can be promised.
    item_ids = selected_item_ids(request, customer)
    if request.POST.get("all_matching") == "1" and not item_ids:
        messages.error(request, _("No item matching the filters can be promised."))
        return render_statement(request, customer, status=422, first_page=True)
    try:
        result = apply_quick_promise(
            customer=customer,
            item_ids=item_ids,
            user=request.user,
            seen_at=page_seen_at(request),
            expected=expected_quick_promise(request),
        )
    except QuickPromiseError as error:
        messages.error(request, error.text)
        # The statement again, with the selection kept so the officer can adjust it.
        return render_statement(
            request,
            customer,
            status=422,
            selected=frozenset(map(str, item_ids)),
            first_page=True,
        )
    # A promise made is good news; one already made changes nothing: said so, plainly.
    (messages.success if result.changed else messages.info)(request, result.summary())
    if request.htmx:
        return render_statement(request, customer, first_page=True)
    url = reverse("collections:reminders", args=[customer.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
