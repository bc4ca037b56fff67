"""The Reminders and disputes tab: the account statement and Quick Promise."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from collections_app.models import QuickPromisePreference
from collections_app.selectors import account_statement
from collections_app.services import QuickPromiseError, apply_quick_promise
from customers.models import Customer

TEMPLATE = "collections_app/reminders.html"


def _get_customer_for_user(request: HttpRequest, pk: int) -> Customer:
    if not request.user.has_perm("customers.view_customer"):
        raise PermissionDenied
    return get_object_or_404(Customer.objects.select_related("collector"), pk=pk)


def _render_statement(
    request: HttpRequest,
    customer: Customer,
    *,
    status: int = 200,
    selected: frozenset[str] = frozenset(),
) -> HttpResponse:
    today = timezone.localdate()
    preference = QuickPromisePreference.load()
    statement = account_statement(customer=customer, today=today, sort=request.GET.get("sort", ""))
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "customer": customer,
        "statement": statement,
        "preference": preference,
        "quick_promise_date": preference.promise_date(today) if preference.is_configured else None,
        "can_promise": request.user.has_perm("collections_app.apply_quick_promise"),
        "selected": selected,
        "fragment": fragment,
        "active_tab": "reminders",
    }
    template = f"{TEMPLATE}#statement" if fragment else TEMPLATE
    return render(request, template, context, status=status)


@never_cache
@require_GET
@permission_required("collections_app.view_openitem", raise_exception=True)
def reminders(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get_customer_for_user(request, pk)
    return _render_statement(request, customer)


@never_cache
@require_POST
@permission_required("collections_app.apply_quick_promise", raise_exception=True)
def quick_promise(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get_customer_for_user(request, pk)
    item_ids = request.POST.getlist("items")
    try:
        result = apply_quick_promise(customer=customer, item_ids=item_ids, user=request.user)
    except QuickPromiseError as error:
        messages.error(request, error.text)
        # The statement again, with the selection kept so the officer can adjust it.
        return _render_statement(request, customer, status=422, selected=frozenset(item_ids))
    messages.success(request, result.summary())
    if request.htmx:
        return _render_statement(request, customer)
    return redirect("collections:reminders", pk=customer.pk)
