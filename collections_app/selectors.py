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
    ItemStatus,
    OpenItem,
    StatusKind,
)
from collections_app.models.items import days_overdue, is_debit_item, promise_broken
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
#: Pages shown again at once after a change made deep in the statement.
MAX_PAGES_AT_ONCE = 20
#: A statement page's rows, in SQL written out (``statement_rows_sql``): the ORM
#: took 1.5 ms to build, compile and convert what PostgreSQL answers in 0.6 ms,
#: on every statement shown. The filters mean what ``StatementFilters.condition``
#: means (tests/collections_app/test_statement_reads.py holds the two together).
_STATEMENT_ROWS = """
SELECT i.id, i.number, i.document_type, i.document_date, i.due_date, i.amount,
       i.open_amount, i.currency, i.promise_date, i.status_date, i.status_comment,
       s.label, s.kind,
       b.username, b.first_name, b.last_name,
       r.username, r.first_name, r.last_name
FROM {items} i
LEFT JOIN {statuses} s ON s.id = i.status_id
LEFT JOIN {users} b ON b.id = i.status_set_by_id
LEFT JOIN {users} r ON r.id = i.resolver_id
WHERE i.customer_id = %s AND i.open_amount <> 0{conditions}
ORDER BY {order}
LIMIT %s OFFSET %s
"""
_CENT = Decimal("0.01")


def _amount(value) -> Decimal:
    """An amount read without the ORM: SQLite gives numbers, not decimals."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(_CENT)


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One line of the account statement, as it is shown."""

    pk: int
    number: str
    document_type: str
    type_label: str
    document_date: datetime.date
    due_date: datetime.date
    amount: Decimal
    open_amount: Decimal
    currency: str
    promise_date: datetime.date | None
    status_date: datetime.date | None
    status_comment: str
    status_label: str | None
    status_kind: str | None
    #: Who gave the item its status, and who resolves its dispute: names.
    set_by: str
    resolver: str
    is_debit: bool
    overdue_days: int
    is_broken_promise: bool


def _name(username: str | None, first_name: str | None, last_name: str | None) -> str:
    """A user's name as ``get_full_name() or get_username()`` gives it."""
    if username is None:
        return ""
    return f"{first_name} {last_name}".strip() or username


def _row(values: tuple, *, today: datetime.date, type_labels: dict) -> StatementRow:
    (pk, number, document_type, document_date, due_date, amount, open_amount, currency,
     promise_date, status_date, status_comment, status_label, status_kind,
     *people) = values  # fmt: skip
    open_amount = _amount(open_amount)
    debit = is_debit_item(open_amount=open_amount, document_type=document_type)
    return StatementRow(
        pk=pk,
        number=number,
        document_type=document_type,
        type_label=type_labels.get(document_type, document_type),
        document_date=document_date,
        due_date=due_date,
        amount=_amount(amount),
        open_amount=open_amount,
        currency=currency,
        promise_date=promise_date,
        status_date=status_date,
        status_comment=status_comment,
        status_label=status_label,
        status_kind=status_kind,
        set_by=_name(*people[:3]),
        resolver=_name(*people[3:]),
        is_debit=debit,
        overdue_days=days_overdue(due_date=due_date, is_debit=debit, today=today),
        is_broken_promise=promise_broken(
            promise_date=promise_date, open_amount=open_amount, today=today
        ),
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

    def sql_condition(self, *, today: datetime.date) -> tuple[str, list]:
        """``condition`` in SQL on the items (alias ``i``): `` AND …`` and its
        parameters."""
        sql, params = [], []
        if self.overdue:
            sql.append("i.open_amount > 0 AND i.due_date < %s")
            params.append(today)
        if self.without_status:
            sql.append("i.status_id IS NULL")
        elif self.status is not None:
            sql.append("i.status_id = %s")
            params.append(self.status)
        if self.due_from:
            sql.append("i.due_date >= %s")
            params.append(self.due_from)
        if self.due_to:
            sql.append("i.due_date <= %s")
            params.append(self.due_to)
        if self.text:
            sql.append("UPPER(i.number) LIKE UPPER(%s) ESCAPE '\\'")
            params.append(f"%{connection.ops.prep_for_like_query(self.text)}%")
        return "".join(f" AND {part}" for part in sql), params

    @property
    def balances_can_answer(self) -> bool:
        """Whether the items' running balances (``ItemBalance``) can sum what
        these filters match: not a status or a text, which they do not keep."""
        return self.status is None and not self.without_status and not self.text


#: Only these can be promised: amounts due (not credit notes, payments).
PROMISABLE = Q(open_amount__gt=0) & ~Q(document_type__in=CREDIT_DOCUMENT_TYPES)


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
    items: list[StatementRow]
    totals: list[CurrencyTotal]
    today: datetime.date
    sort: str
    filters: StatementFilters
    #: The last page of rows shown (the next one loads as the officer scrolls).
    page: int
    has_next: bool
    #: The first page shown: 1, or the page asked for without JavaScript.
    first_page: int = 1

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
    if connection.vendor == "postgresql" and filters.balances_can_answer:
        return totals_from_balances(customer=customer, today=today, filters=filters)
    return totals_from_items(customer=customer, today=today, filters=filters)


#: The statement's totals from the balances, in SQL written out: Django takes five
#: times as long to build six filtered aggregates as PostgreSQL takes to run them.
_BALANCE_TOTALS = """
SELECT currency, sum(open_total),
       sum(open_total) FILTER (WHERE is_debit AND due_date < %(today)s),
       sum(item_count),
       sum(item_count) FILTER (WHERE {matching}),
       sum(item_count) FILTER (WHERE {matching} AND {promisable}),
       sum(open_total) FILTER (WHERE {matching} AND {promisable})
FROM collections_app_itembalance
WHERE customer_id = %(customer)s
GROUP BY currency
-- A currency whose items are all paid keeps rows until compaction.
HAVING sum(item_count) > 0
ORDER BY currency
"""


def totals_from_balances(
    *, customer: Customer, today: datetime.date, filters: StatementFilters
) -> list[CurrencyTotal]:
    """The totals read from the items' running balances (PostgreSQL), for the
    filters they can answer (``StatementFilters.balances_can_answer``)."""
    if not filters.balances_can_answer:
        raise ValueError(f"The balances cannot filter by {filters}.")
    matching = ["TRUE"]
    if filters.overdue:
        matching.append("is_debit AND due_date < %(today)s")
    if filters.due_from:
        matching.append("due_date >= %(due_from)s")
    if filters.due_to:
        matching.append("due_date <= %(due_to)s")
    credits = sorted(CREDIT_DOCUMENT_TYPES)
    params = {
        "today": today,
        "customer": customer.pk,
        "due_from": filters.due_from,
        "due_to": filters.due_to,
        **{f"credit_{n}": value for n, value in enumerate(credits)},
    }
    placeholders = ", ".join(f"%(credit_{n})s" for n in range(len(credits)))
    sql = _BALANCE_TOTALS.format(
        matching=" AND ".join(matching),
        promisable=f"is_debit AND document_type NOT IN ({placeholders})",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = ("currency", "outstanding", "overdue", "items", "matching", "promisable")
    names += ("promisable_amount",)
    return [_currency_total(**dict(zip(names, row, strict=True))) for row in rows]


def totals_from_items(
    *, customer: Customer, today: datetime.date, filters: StatementFilters
) -> list[CurrencyTotal]:
    """The totals summed from the items themselves (any filter, any database)."""
    matching = filters.condition(today=today)
    rows = (
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
        .order_by("currency")
    )
    return [_currency_total(**row) for row in rows]


def _currency_total(**sums) -> CurrencyTotal:
    zero = Decimal("0.00")
    return CurrencyTotal(
        currency=sums["currency"],
        outstanding=sums["outstanding"] or zero,
        overdue=sums["overdue"] or zero,
        # PostgreSQL sums integers as numerics.
        items=int(sums["items"]),
        matching=int(sums["matching"] or 0),
        promisable=int(sums["promisable"] or 0),
        promisable_amount=sums["promisable_amount"] or zero,
    )


def statement_rows_sql(
    *,
    customer: Customer,
    filters: StatementFilters,
    today: datetime.date,
    sort: str,
    limit: int,
    offset: int,
) -> list[tuple]:
    """The values of the statement rows matching the filters, in the order of
    ``STATEMENT_SORTS[sort]``: what ``matching_items`` would give, one query."""
    column = {name: OpenItem._meta.get_field(name).column for name in _SORT_FIELDS}
    order = ", ".join(
        f"i.{column[name.lstrip('-')]} {'DESC' if name.startswith('-') else 'ASC'}"
        for name in STATEMENT_SORTS[sort]
    )
    conditions, params = filters.sql_condition(today=today)
    sql = _STATEMENT_ROWS.format(
        items=OpenItem._meta.db_table,
        statuses=ItemStatus._meta.db_table,
        users=get_user_model()._meta.db_table,
        conditions=conditions,
        order=order,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer.pk, *params, limit, offset])
        return cursor.fetchall()


_SORT_FIELDS = frozenset(name.lstrip("-") for names in STATEMENT_SORTS.values() for name in names)


def account_statement(
    *,
    customer: Customer,
    today: datetime.date,
    sort: str = "due_date",
    filters: StatementFilters = StatementFilters(),
    page: int = 1,
    pages: int = 1,
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
    pages = min(max(1, pages), MAX_PAGES_AT_ONCE)
    start = (page - 1) * STATEMENT_PAGE_SIZE
    size = pages * STATEMENT_PAGE_SIZE
    rows = statement_rows_sql(
        customer=customer, filters=filters, today=today, sort=sort, limit=size + 1, offset=start
    )
    # The types' labels translated once: get_document_type_display() hashes the
    # lazily translated choices on every call, and each lazy label translates
    # itself again wherever it is shown.
    type_labels = {value: str(label) for value, label in DocumentType.choices}
    items = [_row(values, today=today, type_labels=type_labels) for values in rows[:size]]
    return Statement(
        customer=customer,
        items=items,
        totals=statement_totals(customer=customer, today=today, filters=filters)
        if with_totals
        else [],
        today=today,
        sort=sort,
        filters=filters,
        page=page + pages - 1,
        first_page=page,
        has_next=len(rows) > size,
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
