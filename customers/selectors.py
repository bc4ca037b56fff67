"""Reads of customers, with the outstanding and overdue totals of their items.

The totals read the items through the reverse relation ``open_items``, so this
app imports nothing from the app that defines the items.

At 100,000 customers and a million items the customer list stays a handful of
cheap queries: the search reads the trigram indexes (migration 0002), the count
stops a little past the page (``CappedPaginator``), and the totals are read for
the page's 50 customers only, through the items' partial index of outstanding
items.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from functools import partial

from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from customers.models import Customer
from customers.pagination import CappedPaginator
from customers.rows import columns, row_reader

SORTS = {
    "name": ("name", "code"),
    "-name": ("-name", "-code"),
    "code": ("code",),
    "-code": ("-code",),
    "outstanding": ("outstanding", "name", "code"),
    "-outstanding": ("-outstanding", "name", "code"),
    "overdue": ("overdue", "name", "code"),
    "-overdue": ("-overdue", "name", "code"),
    "keep_rate": ("keep_rate", "name", "code"),
    "-keep_rate": ("-keep_rate", "name", "code"),
}

#: Sorts by the promise-keep rate: customers without an evaluated promise last,
#: whichever the direction.
RATE_SORTS = frozenset({"keep_rate", "-keep_rate"})

#: Sorts by a total: every matching customer's totals are needed to sort.
TOTAL_SORTS = frozenset({"outstanding", "-outstanding", "overdue", "-overdue"})

_MONEY = DecimalField(max_digits=16, decimal_places=2)
_ZERO = Decimal("0.00")


def _items():
    """The items' manager, reached through the ``open_items`` relation: this app
    imports nothing from the app that defines the items."""
    return Customer._meta.get_field("open_items").related_model._default_manager


def _outstanding_items() -> QuerySet:
    """The items of the customer of the outer row that are still open.

    ``exclude(open_amount=0)`` is the condition of the items' partial index
    ``openitem_outstanding`` (customer, due date, number): each total reads
    that customer's index entries only, whatever the size of the ledger.
    """
    return _items().filter(customer=OuterRef("pk")).exclude(open_amount=0).order_by()


def _per_customer(items: QuerySet, aggregate) -> Subquery:
    """One aggregate of one customer's items, as a correlated subquery: for one
    customer's file, and for sorting the list by a total (which needs the totals
    of every matching customer; a page sorted otherwise reads its 50 customers'
    totals in one query, ``attach_totals``)."""
    return Subquery(items.values("customer").annotate(value=aggregate).values("value"))


def with_totals(queryset: QuerySet[Customer], *, today: datetime.date) -> QuerySet[Customer]:
    """Annotate ``outstanding`` and ``overdue`` (in the customer's currency) and
    ``other_currency_items`` (outstanding items in another currency, not summed)."""
    same_currency = _outstanding_items().filter(currency=OuterRef("currency"))
    overdue = same_currency.filter(open_amount__gt=0, due_date__lt=today)
    other_currency = _outstanding_items().exclude(currency=OuterRef("currency"))
    zero = Value(Decimal("0.00"))

    return queryset.annotate(
        outstanding=Coalesce(
            _per_customer(same_currency, Sum("open_amount")), zero, output_field=_MONEY
        ),
        overdue=Coalesce(_per_customer(overdue, Sum("open_amount")), zero, output_field=_MONEY),
        other_currency_items=Coalesce(_per_customer(other_currency, Count("*")), Value(0)),
    )


def _one_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def with_keep_rate(queryset: QuerySet[Customer], *, today: datetime.date) -> QuerySet[Customer]:
    """Annotate ``keep_rate``: the percentage of the customer's promises evaluated
    over the last 12 months that were kept (None without any), a correlated
    subquery on the promises' (customer, promised date) index. The promises are
    reached through the ``payment_promises`` relation, like the items."""
    promises = Customer._meta.get_field("payment_promises").related_model
    evaluated = promises._default_manager.filter(
        customer=OuterRef("pk"),
        state__in=promises.EVALUATED_STATES,
        promised_date__gt=_one_year_before(today),
    ).order_by()
    rate = (
        evaluated.values("customer")
        .annotate(
            rate=Cast(Count("pk", filter=Q(state=promises.KEPT)), FloatField())
            * 100.0
            / Cast(Count("pk"), FloatField())
        )
        .values("rate")
    )
    return queryset.annotate(keep_rate=Subquery(rate, output_field=FloatField()))


#: A customer and its collector (``customer_with_collector``).
_CUSTOMER_WITH_COLLECTOR = """
SELECT {customer}, {user}
FROM {customers} c LEFT JOIN {users} u ON u.id = c.collector_id
WHERE c.id = %s
"""


def customer_with_collector(pk: int) -> Customer | None:
    """The customer of a customer file with its collector, or None: one query in
    SQL written out, as every tab of the file reads it first (what
    ``select_related("collector").get(pk=pk)`` gives, in half the time)."""
    found = _customers_with_collectors(_CUSTOMER_WITH_COLLECTOR, [pk])
    return found[0] if found else None


def _customers_with_collectors(template: str, params: list | dict, **parts: str) -> list[Customer]:
    """The customers, each with its collector, of a query in SQL written out:
    ``template`` selects ``{customer}`` then ``{user}`` (their columns) from
    ``{customers} c`` and ``{users} u``; ``parts`` fill its other fields."""
    return _read_customers(_fetch(template, params, **parts))


def _fetch(template: str, params: list | dict, **parts: str) -> list[tuple]:
    user = get_user_model()
    sql = template.format(
        customer=columns(Customer, "c"),
        user=columns(user, "u"),
        customers=Customer._meta.db_table,
        users=user._meta.db_table,
        **parts,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _read_customers(rows: list[tuple]) -> list[Customer]:
    """Customers with their collectors from rows of their columns then the
    collector's (all NULL without one)."""
    size = len(Customer._meta.concrete_fields)
    read_customer = row_reader(Customer, using=connection.alias)
    read_user = row_reader(get_user_model(), using=connection.alias)
    collectors: dict[int, object] = {}
    customers = []
    for row in rows:
        customer = read_customer(row[:size])
        collector_id = customer.collector_id
        # The collector's columns are all NULL without one.
        if collector_id is not None and collector_id not in collectors:
            collectors[collector_id] = read_user(row[size:])
        # One instance per collector (select_related makes one per row): the
        # pages only show them.
        customer.collector = collectors.get(collector_id)
        customers.append(customer)
    return customers


def search_customers(*, query: str = "") -> QuerySet[Customer]:
    """Customers whose code or name contains ``query``, in any case (all of
    them for an empty query). On PostgreSQL each part reads its trigram index."""
    query = query.strip()
    if not query:
        return Customer.objects.all()
    return Customer.objects.filter(Q(code__icontains=query) | Q(name__icontains=query))


def customer_list(
    *, query: str = "", sort: str = "name", today: datetime.date
) -> QuerySet[Customer]:
    """Customers matching ``query`` (part of the code or of the name), with totals."""
    customers = search_customers(query=query).select_related("collector")
    sort = sort if sort in SORTS else "name"
    return with_keep_rate(with_totals(customers, today=today), today=today).order_by(
        *_ordering(sort, walk_index=True)
    )


def customer_page(
    *, query: str = "", sort: str = "name", today: datetime.date, number, per_page: int
) -> Page:
    """One page of the customer list, every row with its totals.

    Constant queries whatever the rows: the count (of the matching customers
    only, no totals), the page, and the totals of the page's customers. Sorted
    by a total, the totals of every matching customer are computed in the page
    query itself, as the sort needs them.
    """
    sort = sort if sort in SORTS else "name"
    query = query.strip()
    matching = search_customers(query=query)
    # Sorted by name or code on PostgreSQL (the list as it opens, every search):
    # the count and the page in SQL written out, the ORM's building of them costing
    # more than PostgreSQL's answer; held equal to the ORM's by the tests.
    written_out = sort not in RATE_SORTS | TOTAL_SORTS and connection.vendor == "postgresql"
    paginator = CappedPaginator(
        matching, per_page, counter=partial(count_matching, query) if written_out else None
    )
    early_rows = None
    wanted = paginator.wanted(number)
    limit = paginator.limit_for(wanted)
    if written_out and query and limit == paginator.limit_for(1):
        # A search, on one of its first pages (counted to the cap): its matches
        # counted and the page read in one query, sorted from the matches when
        # they are few enough to be all counted, else walking the index. Further
        # pages count further: they are read as before, so that no query keeps
        # or sorts more than the cap's worth of matches.
        count, early_rows = count_and_page_sql(
            query,
            sort=sort,
            count_limit=limit,
            limit=per_page,
            offset=(wanted - 1) * per_page,
            today=today,
        )
        paginator.counter = _known_count(count, limit, paginator.counter)
    page = paginator.get_page(number)
    # A search with few matches reads them through the trigram indexes and sorts
    # them; a broad one (or none) walks the name or code index in order.
    walk_index = not query or paginator.is_capped
    if not paginator.count:
        page.object_list = []
    elif early_rows is not None and page.number == wanted:
        page.object_list = early_rows
    elif written_out:
        rows = page_rows_sql(
            query,
            sort=sort,
            walk_index=walk_index,
            limit=page.end_index() - page.start_index() + 1,
            offset=page.start_index() - 1,
        )
        # The keep rate of each row comes with the rows' totals.
        page.object_list = attach_totals_and_rates(rows, today=today)
    else:
        customers = with_keep_rate(matching.select_related("collector"), today=today)
        if sort in TOTAL_SORTS:
            customers = with_totals(customers, today=today)
        customers = customers.order_by(*_ordering(sort, walk_index=walk_index))
        rows = list(customers[page.start_index() - 1 : page.end_index()])
        page.object_list = rows if sort in TOTAL_SORTS else attach_totals(rows, today=today)
    return page


def _search_condition(query: str) -> tuple[str, dict[str, str]]:
    """``search_customers``' condition on the customers aliased ``c``, as Django
    writes ``icontains`` on PostgreSQL (the expressions of the trigram indexes),
    and its parameters (``%(pattern)s``)."""
    if not query:
        return "TRUE", {}
    pattern = f"%{connection.ops.prep_for_like_query(query)}%"
    condition = (
        '(UPPER(c."code"::text) LIKE UPPER(%(pattern)s) '
        'OR UPPER(c."name"::text) LIKE UPPER(%(pattern)s))'
    )
    return condition, {"pattern": pattern}


def count_matching(query: str, limit: int) -> int:
    """How many customers ``search_customers(query=query)`` gives, counted no
    further than ``limit`` (PostgreSQL)."""
    condition, params = _search_condition(query.strip())
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM {Customer._meta.db_table} c "
        f"WHERE {condition} LIMIT %(limit)s) s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "limit": limit})
        return cursor.fetchone()[0]


def _known_count(count: int, limit: int, recount):
    """A counter (``CappedPaginator``'s) that answers ``count`` when asked to count
    to ``limit``, and counts again otherwise."""

    def counter(asked: int) -> int:
        return count if asked == limit else recount(asked)

    return counter


#: The customers matching a search counted (no further than a limit) and a page
#: of them, sorted, with their collectors, totals and keep rates: the matches are
#: read once, through the trigram indexes, and the page sorted from them when
#: every match was counted (below the limit: PostgreSQL skips the sort otherwise,
#: as only then is it right). Past the limit the page walks the name or code
#: index instead, as ``_PAGE_ROWS`` does: each branch runs only when its one-time
#: filter holds. A customer has a row for each currency of its items.
_COUNT_AND_PAGE = """
WITH matches AS MATERIALIZED (
    SELECT {customer} FROM {customers} c WHERE {condition} LIMIT %(count_limit)s
)
SELECT n.count, {customer}, {user}, {totals_columns}
FROM (SELECT count(*) AS count FROM matches) n
LEFT JOIN LATERAL (
    (SELECT * FROM matches c WHERE n.count < %(count_limit)s
     ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s)
    UNION ALL
    (SELECT {customer} FROM (
        SELECT c.id FROM {customers} c WHERE n.count >= %(count_limit)s AND {condition}
        ORDER BY {walk_order} LIMIT %(limit)s OFFSET %(offset)s
     ) p JOIN {customers} c ON c.id = p.id)
) c ON TRUE
LEFT JOIN {users} u ON u.id = c.collector_id
{totals_joins}
ORDER BY {order}
"""


def count_and_page_sql(
    query: str, *, sort: str, count_limit: int, limit: int, offset: int, today: datetime.date
) -> tuple[int, list[Customer]]:
    """How many customers ``search_customers(query=query)`` gives, counted no
    further than ``count_limit``, and, from ``offset``, the page of them sorted by
    name or code as ``page_rows_sql`` sorts them (without walking an index when
    the count is below ``count_limit``, walking it when it is not, as
    ``customer_page`` reads a search then), each with its totals and keep rate
    (``attach_totals_and_rates``). One query (PostgreSQL)."""
    condition, params = _search_condition(query.strip())
    totals, totals_params = _totals_and_rate_parts(today, customer_id="c.id")
    rows = _fetch(
        _COUNT_AND_PAGE,
        {
            **params,
            **totals_params,
            "count_limit": count_limit,
            "limit": limit,
            "offset": offset,
        },
        condition=condition,
        order=_order_sql(sort, walk_index=False),
        walk_order=_order_sql(sort, walk_index=True),
        **totals,
    )
    count = rows[0][0]
    # No customer on the page: one row of NULLs beside the count. A customer with
    # items in several currencies: a row for each, one after the other.
    size = len(Customer._meta.concrete_fields) + len(get_user_model()._meta.concrete_fields)
    page_rows, seen = [], set()
    for row in rows:
        if row[1] is not None and row[1] not in seen:
            seen.add(row[1])
            page_rows.append(row[1 : 1 + size])
    customers = _read_customers(page_rows)
    _attach_rows(customers, [(row[1], *row[1 + size :]) for row in rows if row[1] is not None])
    return count, customers


#: A page of customers sorted by name or code, and their collectors: the page's
#: ids are found first, then their rows and collectors read (560 matches sorted,
#: 50 rows joined). Walking the name index, the ids come from the index alone
#: (it carries them), which tests each name and code without reading the table.
_PAGE_ROWS = """
SELECT {customer}, {user}
FROM (
    SELECT c.id FROM {customers} c WHERE {condition} ORDER BY {order}
    LIMIT %(limit)s OFFSET %(offset)s
) p
JOIN {customers} c ON c.id = p.id
LEFT JOIN {users} u ON u.id = c.collector_id
ORDER BY {order}
"""


def page_rows_sql(
    query: str, *, sort: str, walk_index: bool, limit: int, offset: int
) -> list[Customer]:
    """The customers (with their collectors) of ``search_customers(query=query)``,
    ordered as ``customer_list`` orders them by name or code (``_ordering``), from
    ``offset``: one query (PostgreSQL)."""
    condition, params = _search_condition(query.strip())
    return _customers_with_collectors(
        _PAGE_ROWS,
        {**params, "limit": limit, "offset": offset},
        condition=condition,
        order=_order_sql(sort, walk_index=walk_index),
    )


def _order_sql(sort: str, *, walk_index: bool) -> str:
    """``_ordering`` of a sort by name or code, in SQL on the customers ``c``."""
    return ", ".join(
        f'c."{Customer._meta.get_field(name.lstrip("-")).column}" '
        + ("DESC" if name.startswith("-") else "ASC")
        + ("" if walk_index else (" NULLS LAST" if name.startswith("-") else " NULLS FIRST"))
        for name in SORTS[sort]
    )


def _ordering(sort: str, *, walk_index: bool) -> list:
    """The ORDER BY of a sort. ``walk_index=False`` asks for the same order in a way
    no index provides (NULLS FIRST, and code and name are never null): PostgreSQL
    then sorts the matches rather than walk the whole name index, filtering it
    row by row, until it has found a page of them. The walk is quick when the
    matches are spread over the alphabet, but reads most of the index when they
    are bunched together (every "Dupont …" is under D)."""
    if sort in RATE_SORTS:
        rate = F("keep_rate")
        first = rate.desc(nulls_last=True) if sort.startswith("-") else rate.asc(nulls_last=True)
        return [first, *SORTS[sort][1:]]
    if walk_index:
        return list(SORTS[sort])
    return [
        F(name[1:]).desc(nulls_last=True) if name.startswith("-") else F(name).asc(nulls_first=True)
        for name in SORTS[sort]
    ]


#: The totals (by currency) and the keep rate of the customer whose id is
#: ``{id}``, joined to the rows of a query (PostgreSQL): a page's aggregates in
#: SQL written out, the ORM taking longer to build them for 50 customers than
#: PostgreSQL to run them. A customer with items in several currencies has a row
#: for each; one without outstanding items a row of NULLs.
_TOTALS_AND_RATE_JOINS = """
LEFT JOIN LATERAL (
    SELECT currency, sum(open_amount) AS total,
           sum(open_amount) FILTER (WHERE open_amount > 0 AND due_date < %(today)s) AS overdue,
           count(*) AS items
    FROM {items} WHERE customer_id = {id} AND open_amount <> 0
    GROUP BY currency
) AS t ON TRUE
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE state = %(kept)s) * 100.0 / count(*) AS rate
    FROM {promises}
    WHERE customer_id = {id} AND state = ANY(%(evaluated)s) AND promised_date > %(since)s
    HAVING count(*) > 0
) AS r ON TRUE
"""

#: ``_TOTALS_AND_RATE_JOINS``' columns, in the order ``_attach_rows`` reads them.
_TOTALS_AND_RATE_COLUMNS = "t.currency, t.total, t.overdue, t.items, r.rate"

#: The totals and keep rates of customers given by id.
_TOTALS_AND_RATES = """
SELECT ids.id, {totals_columns}
FROM unnest(%(ids)s::bigint[]) AS ids(id)
{totals_joins}
"""


def _totals_and_rate_parts(
    today: datetime.date, *, customer_id: str
) -> tuple[dict[str, str], dict[str, object]]:
    """``_TOTALS_AND_RATE_JOINS`` on the customer id ``customer_id`` (a column)
    and its columns, as the parts of a query's template; and its parameters."""
    promises = Customer._meta.get_field("payment_promises").related_model
    parts = {
        "totals_columns": _TOTALS_AND_RATE_COLUMNS,
        "totals_joins": _TOTALS_AND_RATE_JOINS.format(
            id=customer_id,
            items=connection.ops.quote_name(_items().model._meta.db_table),
            promises=connection.ops.quote_name(promises._meta.db_table),
        ),
    }
    params = {
        "today": today,
        "kept": promises.KEPT,
        "evaluated": list(promises.EVALUATED_STATES),
        "since": _one_year_before(today),
    }
    return parts, params


def _attach_rows(customers: list[Customer], rows) -> None:
    """Set the totals and the keep rate of each customer from rows of (customer
    id, currency, total, overdue, items, rate), as ``attach_totals_and_rates``."""
    totals: dict[int, list[tuple]] = defaultdict(list)
    rates: dict[int, float | None] = {}
    for customer_id, currency, total, overdue, items, rate in rows:
        if currency is not None:
            totals[customer_id].append((currency, total, overdue, items))
        rates[customer_id] = float(rate) if rate is not None else None
    for customer in customers:
        _set_totals(customer, totals[customer.pk])
        customer.keep_rate = rates.get(customer.pk)


def attach_totals_and_rates(customers: list[Customer], *, today: datetime.date) -> list[Customer]:
    """``attach_totals`` and the keep rate (as ``with_keep_rate`` annotates it),
    in one query (PostgreSQL)."""
    if not customers:
        return customers
    parts, params = _totals_and_rate_parts(today, customer_id="ids.id")
    with connection.cursor() as cursor:
        cursor.execute(
            _TOTALS_AND_RATES.format(**parts),
            {**params, "ids": [customer.pk for customer in customers]},
        )
        _attach_rows(customers, cursor.fetchall())
    return customers


def _set_totals(customer: Customer, by_currency: list[tuple]) -> None:
    """Totals in the customer's currency; items in others counted, not summed."""
    own = customer.currency
    customer.outstanding, customer.overdue = _ZERO, _ZERO
    customer.other_currency_items = 0
    for currency, total, overdue, items in by_currency:
        if currency == own:
            customer.outstanding, customer.overdue = total, overdue or _ZERO
        else:
            customer.other_currency_items += items


def attach_totals(customers: list[Customer], *, today: datetime.date) -> list[Customer]:
    """Set ``outstanding``, ``overdue`` and ``other_currency_items`` (as
    ``with_totals`` annotates them) on each customer, read in one query for all."""
    totals: dict[int, list[tuple]] = defaultdict(list)
    if customers:
        rows = (
            _items()
            .filter(customer__in=[customer.pk for customer in customers])
            .exclude(open_amount=0)
            .order_by()
            .values_list("customer", "currency")
            .annotate(
                total=Sum("open_amount"),
                overdue=Sum("open_amount", filter=Q(open_amount__gt=0, due_date__lt=today)),
                items=Count("*"),
            )
        )
        for customer_id, currency, total, overdue, items in rows:
            totals[customer_id].append((currency, total, overdue, items))
    for customer in customers:
        _set_totals(customer, totals[customer.pk])
    return customers
