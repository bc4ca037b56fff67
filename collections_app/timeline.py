"""Selector: a customer's history, newest first, one page at a time.

One timeline out of six tables: status changes (grouped by operation: one
entry for the twenty items of one Change status), actions created, what
happened to actions since (rescheduled, reassigned, done), what imports did to
the items (grouped by import and kind of change), the versions of the
customer's comment, and payment promises (made, then kept, partially kept,
broken or cancelled: two entries).

A page is read in a constant number of queries whatever the size of the
account: one that orders the entries of all five sources (a UNION ALL, keyset
paged: the next page starts after the last entry shown, so entries written
meanwhile never shift it), then one per source present on the page for the
details, each entry with its first few item numbers and its item count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Min, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from collections_app.models import (
    Action,
    ActionEvent,
    ImportChange,
    OpenItem,
    PaymentPromise,
    StatusChange,
)
from customers.models import Customer, CustomerComment

#: Entries per page; the next ones load as the officer scrolls.
PAGE_SIZE = 30
#: Item numbers shown per entry; the count says how many in all.
ITEMS_SHOWN = 5

# The sources, in the order of entries written at the same moment (a promise's
# end after the import that paid it, the promise before the status change that
# recorded it, a status change before the action it created, newest first).
PROMISE_END, PROMISE, STATUS, ACTION, EVENT, IMPORT, COMMENT = 7, 6, 5, 4, 3, 2, 1
_KINDS = {
    PROMISE_END: "promise_end",
    PROMISE: "promise",
    STATUS: "status",
    ACTION: "action",
    EVENT: "event",
    IMPORT: "import",
    COMMENT: "comment",
}
#: The sources, each read for the customer: one parameter per source.
_SOURCES = len(_KINDS)

#: What makes one operation of the status history (one click, many items).
_STATUS_GROUP = ("changed_at", "changed_by_id", "cause", "status_after_id")
#: What makes one entry of an import: one import, one kind of change.
_IMPORT_GROUP = ("run_id", "kind")


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just after this entry."""

    at: datetime.datetime
    source: int
    key: int

    def token(self) -> str:
        return f"{self.at.isoformat()}~{self.source}~{self.key}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """The cursor of a token, or None when it is not one (a hand-made URL
        then gets the first page)."""
        if not token or len(token) > 80:
            return None
        parts = token.split("~")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        try:
            at = datetime.datetime.fromisoformat(parts[0])
        except ValueError:
            return None
        source, key = int(parts[1]), int(parts[2])
        if at.tzinfo is None or source not in _KINDS or not 0 < key < 2**63:
            return None
        return cls(at=at, source=source, key=key)


@dataclass
class Entry:
    """One line of the history: ``kind`` says which of ``rows`` (status changes,
    import changes: the first few items of the entry), ``action``, ``event``
    or ``comment`` it carries."""

    kind: str
    at: datetime.datetime
    count: int
    cursor: Cursor
    rows: list = field(default_factory=list)
    action: Action | None = None
    event: ActionEvent | None = None
    comment: CustomerComment | None = None
    promise: PaymentPromise | None = None

    @property
    def first(self):
        return self.rows[0] if self.rows else None

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    next_cursor: Cursor | None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _union_sql() -> str:
    """Every entry of a customer as (source, at, key, count), ``key`` being the
    smallest id of the entry's rows."""
    status, items = _table(StatusChange), _table(OpenItem)
    group = ", ".join(f"s.{name}" for name in _STATUS_GROUP)
    imports_group = ", ".join(f"c.{name}" for name in _IMPORT_GROUP)
    # The history rows of the customer's items. On PostgreSQL the items' ids go
    # as one array, each looked up in the history's item index: joined with the
    # items instead, a large account's page read the history of every customer
    # (the 25,000-item account of the bench: 186 ms of the query, now 18 ms).
    accounts_items = f"SELECT id FROM {items} WHERE customer_id = %s"
    if connection.vendor == "postgresql":
        of_the_customer = f"= ANY(ARRAY({accounts_items}))"
    else:
        of_the_customer = f"IN ({accounts_items})"
    return (
        f"SELECT {STATUS} AS source, s.changed_at AS at, min(s.id) AS key, count(*) AS n "
        f"FROM {status} s WHERE s.item_id {of_the_customer} "
        f"GROUP BY {group} "
        f"UNION ALL SELECT {ACTION}, a.created_at, a.id, 1 FROM {_table(Action)} a "
        "WHERE a.customer_id = %s "
        f"UNION ALL SELECT {EVENT}, e.at, e.id, 1 FROM {_table(ActionEvent)} e "
        "WHERE e.customer_id = %s "
        f"UNION ALL SELECT {IMPORT}, max(c.changed_at), min(c.id), count(*) "
        f"FROM {_table(ImportChange)} c WHERE c.item_id {of_the_customer} "
        f"GROUP BY {imports_group} "
        f"UNION ALL SELECT {COMMENT}, m.written_at, m.id, 1 FROM {_table(CustomerComment)} m "
        "WHERE m.customer_id = %s "
        f"UNION ALL SELECT {PROMISE}, p.created_at, p.id, 1 FROM {_table(PaymentPromise)} p "
        "WHERE p.customer_id = %s "
        f"UNION ALL SELECT {PROMISE_END}, p.evaluated_at, p.id, 1 FROM {_table(PaymentPromise)} p "
        "WHERE p.customer_id = %s AND p.evaluated_at IS NOT NULL"
    )


def _as_datetime(value) -> datetime.datetime:
    # PostgreSQL gives aware datetimes; SQLite (the quick local look) naive UTC
    # ones, or text.
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def customer_timeline(
    *, customer: Customer, after: Cursor | None = None, page_size: int = PAGE_SIZE
) -> TimelinePage:
    """One page of the customer's history, newest first, after ``after``."""
    params: list = [customer.pk] * _SOURCES
    where = ""
    if after is not None:
        where = "WHERE (t.at, t.source, t.key) < (%s, %s, %s) "
        params += [connection.ops.adapt_datetimefield_value(after.at), after.source, after.key]
    sql = (
        f"SELECT t.source, t.at, t.key, t.n FROM ({_union_sql()}) AS t {where}"
        "ORDER BY t.at DESC, t.source DESC, t.key DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, page_size + 1])
        heads = cursor.fetchall()
    has_next = len(heads) > page_size
    entries = [
        Entry(
            kind=_KINDS[source],
            at=_as_datetime(at),
            count=n,
            cursor=Cursor(at=_as_datetime(at), source=source, key=key),
        )
        for source, at, key, n in heads[:page_size]
    ]
    _fill(customer, entries)
    return TimelinePage(
        entries=entries, next_cursor=entries[-1].cursor if has_next and entries else None
    )


def _keys(entries: list[Entry], kind: str) -> dict[int, Entry]:
    return {entry.cursor.key: entry for entry in entries if entry.kind == kind}


def _fill(customer: Customer, entries: list[Entry]) -> None:
    """The details of the entries: one query per source on the page."""
    if wanted := _keys(entries, "status"):
        partition = [F(name) for name in _STATUS_GROUP]
        rows = (
            StatusChange.objects.filter(
                item__customer=customer,
                changed_at__in={entry.at for entry in wanted.values()},
            )
            .annotate(
                group_key=Window(Min("id"), partition_by=partition),
                rank=Window(RowNumber(), partition_by=partition, order_by=F("item__number").asc()),
            )
            .filter(rank__lte=ITEMS_SHOWN)
            .select_related(
                "item", "status_before", "status_after", "changed_by", "resolver", "action"
            )
            .order_by("item__number")
        )
        for row in rows:
            if row.group_key in wanted:
                wanted[row.group_key].rows.append(row)
    if wanted := _keys(entries, "import"):
        partition = [F(name) for name in _IMPORT_GROUP]
        runs = ImportChange.objects.filter(pk__in=list(wanted)).values("run_id")
        rows = (
            ImportChange.objects.filter(item__customer=customer, run_id__in=Subquery(runs))
            .annotate(
                group_key=Window(Min("id"), partition_by=partition),
                rank=Window(RowNumber(), partition_by=partition, order_by=F("item__number").asc()),
            )
            .filter(rank__lte=ITEMS_SHOWN)
            .select_related("item", "run", "run__user")
            .order_by("item__number")
        )
        for row in rows:
            if row.group_key in wanted:
                wanted[row.group_key].rows.append(row)
    if wanted := _keys(entries, "action"):
        actions = (
            Action.objects.filter(pk__in=list(wanted))
            .select_related("created_by", "assigned_to", "template")
            .annotate(item_count=Count("items"))
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=OpenItem.objects.only("id", "number").order_by("number")[:ITEMS_SHOWN],
                    to_attr="shown_items",
                )
            )
        )
        for action in actions:
            wanted[action.pk].action = action
    if wanted := _keys(entries, "event"):
        events = ActionEvent.objects.filter(pk__in=list(wanted)).select_related(
            "action", "by", "assigned_before", "assigned_after"
        )
        for event in events:
            wanted[event.pk].event = event
    wanted = _keys(entries, "promise") | {
        -key: entry for key, entry in _keys(entries, "promise_end").items()
    }
    if wanted:
        promises = (
            PaymentPromise.objects.filter(pk__in={abs(key) for key in wanted})
            .select_related("created_by", "callback")
            .annotate(item_count=Count("lines"))
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=OpenItem.objects.only("id", "number").order_by("number")[:ITEMS_SHOWN],
                    to_attr="shown_items",
                )
            )
        )
        for promise in promises:
            for key in (promise.pk, -promise.pk):
                if key in wanted:
                    wanted[key].promise = promise
    if wanted := _keys(entries, "comment"):
        # Each version with the one it replaced, to say what changed.
        previous = (
            CustomerComment.objects.filter(customer_id=OuterRef("customer_id"))
            .filter(
                Q(written_at__lt=OuterRef("written_at"))
                | Q(written_at=OuterRef("written_at"), pk__lt=OuterRef("pk"))
            )
            .order_by("-written_at", "-pk")
        )
        comments = (
            CustomerComment.objects.filter(pk__in=list(wanted))
            .select_related("written_by")
            .annotate(previous_text=Subquery(previous.values("text")[:1]))
        )
        for comment in comments:
            wanted[comment.pk].comment = comment
