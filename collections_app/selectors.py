"""Reads of the collection work: account statements, action lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from collections_app.models import Action, OpenItem
from customers.models import Customer

STATEMENT_SORTS = {
    "due_date": ("due_date", "number"),
    "-due_date": ("-due_date", "-number"),
    "document_date": ("document_date", "number"),
    "-document_date": ("-document_date", "-number"),
    "number": ("number",),
    "-number": ("-number",),
    "open_amount": ("open_amount", "number"),
    "-open_amount": ("-open_amount", "number"),
    "promise_date": ("promise_date", "due_date", "number"),
    "-promise_date": ("-promise_date", "due_date", "number"),
}


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    outstanding: Decimal
    overdue: Decimal
    items: int


@dataclass(frozen=True)
class Statement:
    customer: Customer
    items: list[OpenItem]
    totals: list[CurrencyTotal]
    today: datetime.date
    sort: str

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def has_credits(self) -> bool:
        return any(not item.is_debit for item in self.items)


def statement_items(*, customer: Customer, sort: str = "due_date") -> QuerySet[OpenItem]:
    return (
        OpenItem.objects.outstanding()
        .filter(customer=customer)
        .select_related("status")
        .order_by(*STATEMENT_SORTS.get(sort, STATEMENT_SORTS["due_date"]))
    )


def statement_totals(*, customer: Customer, today: datetime.date) -> list[CurrencyTotal]:
    """Outstanding and overdue totals by currency, summed by the database."""
    rows = (
        OpenItem.objects.outstanding()
        .filter(customer=customer)
        .order_by()
        .values("currency")
        .annotate(
            outstanding=Sum("open_amount"),
            overdue=Sum("open_amount", filter=Q(open_amount__gt=0, due_date__lt=today)),
            items=Count("pk"),
        )
        .order_by("currency")
    )
    return [
        CurrencyTotal(
            currency=row["currency"],
            outstanding=row["outstanding"] or Decimal("0.00"),
            overdue=row["overdue"] or Decimal("0.00"),
            items=row["items"],
        )
        for row in rows
    ]


def account_statement(
    *, customer: Customer, today: datetime.date, sort: str = "due_date"
) -> Statement:
    """The Reminders and disputes tab: outstanding items with their totals."""
    if sort not in STATEMENT_SORTS:
        sort = "due_date"
    items = list(statement_items(customer=customer, sort=sort))
    for item in items:
        item.overdue_days = item.days_overdue(today)
        item.is_broken_promise = item.promise_broken(today)
    return Statement(
        customer=customer,
        items=items,
        totals=statement_totals(customer=customer, today=today),
        today=today,
        sort=sort,
    )


#: Item numbers shown per action in a list; the count says how many in all.
ACTION_ITEMS_SHOWN = 5


def open_actions_for(*, user) -> QuerySet[Action]:
    """A user's open follow-ups, the oldest due first (so overdue ones lead).

    Each action carries its first item numbers (``shown_items``) and ``item_count``:
    a follow-up of a quick promise on thousands of items stays one short line.
    """
    return (
        Action.objects.open()
        .filter(assigned_to=user)
        .select_related("customer")
        .annotate(item_count=Count("items"))
        .prefetch_related(
            Prefetch(
                "items",
                queryset=OpenItem.objects.only("id", "number").order_by("number")[
                    :ACTION_ITEMS_SHOWN
                ],
                to_attr="shown_items",
            )
        )
        .order_by("due_date", "pk")
    )
