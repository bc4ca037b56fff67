"""Reads of customers, with the outstanding and overdue totals of their items.

The totals read the items through the reverse relation ``open_items`` by name, so
this app imports nothing from the app that defines the items.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import Customer

SORTS = {
    "name": ("name", "code"),
    "-name": ("-name", "-code"),
    "code": ("code",),
    "-code": ("-code",),
    "outstanding": ("outstanding", "name", "code"),
    "-outstanding": ("-outstanding", "name", "code"),
    "overdue": ("overdue", "name", "code"),
    "-overdue": ("-overdue", "name", "code"),
}

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _per_customer(aggregate) -> Subquery:
    """One customer's aggregate as a correlated subquery.

    Evaluated only for the rows a page shows (when sorted by name or code), through
    the partial index of outstanding items, instead of grouping every item of
    every matching customer.
    """
    inner = (
        Customer.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .values("pk")
        .annotate(value=aggregate)
        .values("value")
    )
    return Subquery(inner)


def with_totals(queryset: QuerySet[Customer], *, today: datetime.date) -> QuerySet[Customer]:
    """Annotate ``outstanding`` and ``overdue`` (in the customer's currency) and
    ``other_currency_items`` (outstanding items in another currency, not summed)."""
    same_currency = Q(open_items__currency=F("currency")) & ~Q(open_items__open_amount=0)
    overdue = same_currency & Q(open_items__open_amount__gt=0, open_items__due_date__lt=today)
    other_currency = ~Q(open_items__currency=F("currency")) & ~Q(open_items__open_amount=0)
    zero = Value(Decimal("0.00"))

    return queryset.annotate(
        outstanding=Coalesce(
            _per_customer(Sum("open_items__open_amount", filter=same_currency)),
            zero,
            output_field=_MONEY,
        ),
        overdue=Coalesce(
            _per_customer(Sum("open_items__open_amount", filter=overdue)),
            zero,
            output_field=_MONEY,
        ),
        other_currency_items=Coalesce(
            _per_customer(Count("open_items", filter=other_currency)), Value(0)
        ),
    )


def customer_list(
    *, query: str = "", sort: str = "name", today: datetime.date
) -> QuerySet[Customer]:
    """Customers matching ``query`` (part of the code or of the name), with totals."""
    customers = Customer.objects.select_related("collector")
    query = query.strip()
    if query:
        customers = customers.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return with_totals(customers, today=today).order_by(*SORTS.get(sort, SORTS["name"]))
