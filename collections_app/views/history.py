"""The History tab of the customer file: one timeline of everything that happened
on the account, and the customer's comment, which any officer can edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from collections_app.forms import CustomerCommentForm
from collections_app.timeline import Cursor, customer_timeline
from collections_app.views.statement import get_customer_for_user
from customers.models import Customer
from customers.services import CustomerCommentError, current_comment, save_customer_comment

TEMPLATE = "collections_app/history.html"
#: The row that loads the older entries as the officer scrolls to it.
MORE_TARGET = "history-more"


def _render_history(
    request: HttpRequest,
    customer: Customer,
    *,
    form: CustomerCommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    after = Cursor.parse(request.GET.get("after"))
    more = (
        bool(request.htmx)
        and request.htmx.target == MORE_TARGET
        and not request.htmx.history_restore_request
    )
    page = customer_timeline(customer=customer, after=after)
    context = {
        "customer": customer,
        "page": page,
        "more_target": MORE_TARGET,
        "active_tab": "history",
    }
    if more:
        return render(request, f"{TEMPLATE}#entries", context)
    comment = current_comment(customer=customer)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    context.update(
        comment=comment,
        comment_form=form
        or CustomerCommentForm(
            initial={"text": comment.text if comment else "", "based_on": comment and comment.pk}
        ),
        can_comment=request.user.has_perm("customers.add_customercomment"),
        first_page=after is None,
        fragment=fragment,
    )
    template = f"{TEMPLATE}#history" if fragment else TEMPLATE
    return render(request, template, context, status=status)


@never_cache
@require_GET
@permission_required("collections_app.view_statuschange", raise_exception=True)
def history(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk)
    return _render_history(request, customer)


@never_cache
@require_POST
@permission_required("customers.add_customercomment", raise_exception=True)
def customer_comment(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk)
    form = CustomerCommentForm(request.POST)
    if form.is_valid():
        try:
            save_customer_comment(
                customer=customer,
                text=form.cleaned_data["text"],
                user=request.user,
                based_on=form.cleaned_data["based_on"],
            )
        except CustomerCommentError as error:
            if error.code == "stale":
                # The colleague's version is shown above the form: saving again,
                # having read it, replaces it with the officer's text.
                current = current_comment(customer=customer)
                form = CustomerCommentForm(
                    {"text": form.cleaned_data["text"], "based_on": current and current.pk}
                )
                form.is_valid()
            form.add_error(None, error.text)
        else:
            messages.success(request, _("Comment saved; the earlier version is in the history."))
            if request.htmx:
                return _render_history(request, customer)
            return redirect("collections:history", customer.pk)
    return _render_history(request, customer, form=form, status=422)
