"""The customer's Promises tab (promises, their states, the keep rate) and the
officer's home dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collections_app.promise_selectors import customer_promises, dashboard, keep_rate
from collections_app.views.statement import get_customer_for_user

PERMISSION = "collections_app.view_paymentpromise"


@never_cache
@require_GET
def promises(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    customer = get_customer_for_user(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "collections_app/promises.html",
        {
            "customer": customer,
            "promises": customer_promises(customer=customer),
            "rate": keep_rate(customer=customer, today=today),
            "today": today,
            "active_tab": "promises",
        },
    )


@never_cache
@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The officer's day; the customer list for a user without collection work."""
    if not request.user.has_perm(PERMISSION):
        return redirect("customers:list")
    today = timezone.localdate()
    return render(
        request,
        "collections_app/dashboard.html",
        {"board": dashboard(user=request.user, today=today), "today": today},
    )
