"""Reads of the collection work: account statements, action lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from collections_app.models import (
    CREDIT_DOCUMENT_TYPES,
    Action,
    ActionEvent,
    ActionTemplate,
    DocumentType,
    ItemBalance,
    ItemStatus,
    OpenItem,
    StatusKind,
)
from collections_app.roles import INTERNAL_USERS
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
#: Rows sent at once; the next ones come as the officer scrolls (or pages).
STATEMENT_PAGE_SIZE = 50
#: The columns a statement row reads (templatetags/statement.py).
_PERSON = ("username", "first_name", "last_name")
STATEMENT_ROW_FIELDS = (
    "customer_id",
    "number",
    "document_type",
    "document_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "promise_date",
    "status_date",
    "status_comment",
    "status__label",
    "status__kind",
    *(f"status_set_by__{name}" for name in _PERSON),
    *(f"resolver__{name}" for name in _PERSON),
)


@dataclass(frozen=True)
class StatementFilters:
    """What the officer narrows the statement to; all done by the database."""

    overdue: bool = False
    status: int | None = None
    without_status: bool = False
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    text: str = ""

    @property
    def active(self) -> bool:
        return self != StatementFilters()

    def condition(self, *, today: datetime.date) -> Q:
        condition = Q()
        if self.overdue:
            condition &= Q(open_amount__gt=0, due_date__lt=today)
        if self.without_status:
            condition &= Q(status__isnull=True)
        elif self.status is not None:
            condition &= Q(status_id=self.status)
        if self.due_from:
            condition &= Q(due_date__gte=self.due_from)
        if self.due_to:
            condition &= Q(due_date__lte=self.due_to)
        if self.text:
            condition &= Q(number__icontains=self.text)
        return condition

    def balance_condition(self, *, today: datetime.date) -> Q | None:
        """The same condition on the items' running balances (``ItemBalance``),
        or None when the balances cannot say (a status, a text)."""
        if self.status is not None or self.without_status or self.text:
            return None
        condition = Q()
        if self.overdue:
            condition &= Q(is_debit=True, due_date__lt=today)
        if self.due_from:
            condition &= Q(due_date__gte=self.due_from)
        if self.due_to:
            condition &= Q(due_date__lte=self.due_to)
        return condition


#: Only these can be promised: amounts due (not credit notes, payments).
PROMISABLE = Q(open_amount__gt=0) & ~Q(document_type__in=CREDIT_DOCUMENT_TYPES)
#: The same, on the items' running balances.
PROMISABLE_BALANCE = Q(is_debit=True) & ~Q(document_type__in=CREDIT_DOCUMENT_TYPES)


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    outstanding: Decimal
    overdue: Decimal
    items: int
    matching: int
    promisable: int
    promisable_amount: Decimal


@dataclass(frozen=True)
class Statement:
    customer: Customer
    items: list[OpenItem]
    totals: list[CurrencyTotal]
    today: datetime.date
    sort: str
    filters: StatementFilters
    page: int
    has_next: bool

    @property
    def item_count(self) -> int:
        """Outstanding items of the account."""
        return sum(total.items for total in self.totals)

    @property
    def matching_count(self) -> int:
        """Outstanding items matching the filters, on every page."""
        return sum(total.matching for total in self.totals)

    @property
    def promisable_count(self) -> int:
        """Matching items that can be promised, on every page."""
        return sum(total.promisable for total in self.totals)

    @property
    def shown_until(self) -> int:
        return (self.page - 1) * STATEMENT_PAGE_SIZE + len(self.items)

    @property
    def has_credits(self) -> bool:
        return any(not item.is_debit for item in self.items)


def matching_items(
    *, customer: Customer, filters: StatementFilters, today: datetime.date
) -> QuerySet[OpenItem]:
    """The customer's outstanding items that match the filters."""
    return (
        OpenItem.objects.outstanding()
        .filter(customer=customer)
        .filter(filters.condition(today=today))
    )


def promisable_item_ids(
    *, customer: Customer, filters: StatementFilters, today: datetime.date
) -> list[int]:
    """Every matching item that can be promised: "select all" beyond the page."""
    return list(
        matching_items(customer=customer, filters=filters, today=today)
        .filter(PROMISABLE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def statement_totals(
    *, customer: Customer, today: datetime.date, filters: StatementFilters = StatementFilters()
) -> list[CurrencyTotal]:
    """The account's outstanding and overdue totals, and the count and amount of
    what matches the filters, by currency: one query, summed by the database.

    On PostgreSQL the sums come from the items' running balances, a few hundred
    rows whatever the size of the account, unless a filter needs the items
    themselves (a status, a text)."""
    if connection.vendor == "postgresql" and filters.balance_condition(today=today) is not None:
        return totals_from_balances(customer=customer, today=today, filters=filters)
    return totals_from_items(customer=customer, today=today, filters=filters)


def totals_from_balances(
    *, customer: Customer, today: datetime.date, filters: StatementFilters
) -> list[CurrencyTotal]:
    matching = filters.balance_condition(today=today)
    if matching is None:
        raise ValueError(f"The balances cannot filter by {filters}.")
    return _currency_totals(
        ItemBalance.objects.filter(customer=customer)
        .values("currency")
        .annotate(
            outstanding=Sum("open_total"),
            overdue=Sum("open_total", filter=Q(is_debit=True, due_date__lt=today)),
            items=Sum("item_count"),
            matching=Sum("item_count", filter=matching),
            promisable=Sum("item_count", filter=matching & PROMISABLE_BALANCE),
            promisable_amount=Sum("open_total", filter=matching & PROMISABLE_BALANCE),
        )
        # A currency whose items are all paid keeps rows until compaction.
        .filter(items__gt=0)
    )


def totals_from_items(
    *, customer: Customer, today: datetime.date, filters: StatementFilters
) -> list[CurrencyTotal]:
    matching = filters.condition(today=today)
    return _currency_totals(
        OpenItem.objects.outstanding()
        .filter(customer=customer)
        .values("currency")
        .annotate(
            outstanding=Sum("open_amount"),
            overdue=Sum("open_amount", filter=Q(open_amount__gt=0, due_date__lt=today)),
            items=Count("pk"),
            matching=Count("pk", filter=matching),
            promisable=Count("pk", filter=matching & PROMISABLE),
            promisable_amount=Sum("open_amount", filter=matching & PROMISABLE),
        )
    )


def _currency_totals(rows: QuerySet) -> list[CurrencyTotal]:
    zero = Decimal("0.00")
    return [
        CurrencyTotal(
            currency=row["currency"],
            outstanding=row["outstanding"] or zero,
            overdue=row["overdue"] or zero,
            # PostgreSQL sums integers as numerics.
            items=int(row["items"]),
            matching=int(row["matching"] or 0),
            promisable=int(row["promisable"] or 0),
            promisable_amount=row["promisable_amount"] or zero,
        )
        for row in rows.order_by("currency")
    ]


def account_statement(
    *,
    customer: Customer,
    today: datetime.date,
    sort: str = "due_date",
    filters: StatementFilters = StatementFilters(),
    page: int = 1,
    with_totals: bool = True,
) -> Statement:
    """The Reminders and disputes tab: one page of the matching outstanding items,
    sorted and filtered by the database, with the account's totals.

    Two queries whatever the size of the account (``with_totals=False``, for the
    next page of an endless scroll, makes it one).
    """
    if sort not in STATEMENT_SORTS:
        sort = "due_date"
    page = max(1, page)
    start = (page - 1) * STATEMENT_PAGE_SIZE
    rows = list(
        matching_items(customer=customer, filters=filters, today=today)
        .select_related("status", "status_set_by", "resolver")
        # What a row shows, and of the people only their names: less to read,
        # to compile and to build for each of the 50 rows.
        .only(*STATEMENT_ROW_FIELDS)
        .order_by(*STATEMENT_SORTS[sort])[start : start + STATEMENT_PAGE_SIZE + 1]
    )
    items = rows[:STATEMENT_PAGE_SIZE]
    # The type's label from a plain dict: get_document_type_display() hashes the
    # lazily translated choices on every call, a fifth of a row's rendering.
    type_labels = dict(DocumentType.choices)
    for item in items:
        item.type_label = type_labels.get(item.document_type, item.document_type)
        item.overdue_days = item.days_overdue(today)
        item.is_broken_promise = item.promise_broken(today)
    return Statement(
        customer=customer,
        items=items,
        totals=statement_totals(customer=customer, today=today, filters=filters)
        if with_totals
        else [],
        today=today,
        sort=sort,
        filters=filters,
        page=page,
        has_next=len(rows) > STATEMENT_PAGE_SIZE,
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


@dataclass(frozen=True)
class ActionBuckets:
    """My actions, as an officer plans the day: late, today, later."""

    overdue: list[Action]
    today: list[Action]
    upcoming: list[Action]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


def action_buckets(*, user, today: datetime.date) -> ActionBuckets:
    actions = list(open_actions_for(user=user))
    return ActionBuckets(
        overdue=[action for action in actions if action.due_date < today],
        today=[action for action in actions if action.due_date == today],
        upcoming=[action for action in actions if action.due_date > today],
    )


def action_detail(*, pk: int) -> Action:
    """One action with what its page shows: customer, people, its first items,
    how many of them are in dispute (so that completing it can resolve them),
    and its trail."""
    return (
        Action.objects.select_related(
            "customer", "assigned_to", "created_by", "done_by", "template"
        )
        .annotate(
            item_count=Count("items", distinct=True),
            disputed_count=Count(
                "items",
                filter=Q(items__status__kind=StatusKind.DISPUTE) & ~Q(items__open_amount=0),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch(
                "items",
                queryset=OpenItem.objects.select_related("status").order_by("number")[
                    :ACTION_ITEMS_SHOWN
                ],
                to_attr="shown_items",
            ),
            Prefetch(
                "events",
                queryset=ActionEvent.objects.select_related(
                    "by", "assigned_before", "assigned_after"
                ).order_by("-at", "-pk"),
            ),
        )
        .get(pk=pk)
    )


def assignable_users() -> QuerySet:
    """The active users of the product: who can resolve a dispute or be given
    an action."""
    return (
        get_user_model()
        .objects.filter(INTERNAL_USERS)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def action_templates() -> list[ActionTemplate]:
    return list(ActionTemplate.objects.order_by("name"))


def resolution_statuses() -> QuerySet[ItemStatus]:
    """The statuses that close a dispute."""
    return ItemStatus.objects.filter(is_active=True, kind=StatusKind.DISPUTE_RESOLVED).order_by(
        "label"
    )
