"""Quick Promise at 1 … 10,000 items: the service against the same database effect
written by hand in SQL.

Both run in this process on the bench's database: the service on Django's
connection, the floor on a psycopg connection of its own. Every run changes every
item it is given: the floor promises for D+2, the service for D+1 and D+3 in
turn, so that the service never meets items already in the state it writes
(whether the floor or the service itself ran just before), and each of its runs
checks that it changed every item: a repeated promise changes nothing and costs
far less, which would flatter the service.
"""

from __future__ import annotations

import datetime

import psycopg
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tooling.bench.core import Bench, Row, paired, within

#: From this many items up, the service must be within LIMIT× the SQL floor.
TARGET_FROM = 1_000
LIMIT = 2.0
FLOOR = "SQL floor"


def measure(bench: Bench) -> list[Row]:
    from collections_app.models import CREDIT_DOCUMENT_TYPES, OpenItem, QuickPromisePreference
    from collections_app.services import apply_quick_promise
    from customers.models import Customer

    user = bench_user(bench)
    account = bench.big_account(bench.scale.quick_promise_account)
    customer = Customer.objects.select_related("collector").get(pk=account["pk"])
    debit_ids = list(
        OpenItem.objects.outstanding()
        .filter(customer=customer, open_amount__gt=0)
        .exclude(document_type__in=CREDIT_DOCUMENT_TYPES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    preference = QuickPromisePreference.load()
    status = preference.status
    template = status.action_template
    floor = SqlFloor(bench.database_url, customer=customer, status=status, template=template)

    def set_delay(days: int) -> None:
        QuickPromisePreference.objects.filter(pk=preference.pk).update(delay_days=days)

    rows: list[Row] = []
    queries: dict[int, int] = {}
    try:
        for size in bench.scale.quick_promise_sizes:
            if len(debit_ids) < size:
                raise RuntimeError(f"the quick-promise account has only {len(debit_ids)} items")
            ids = debit_ids[:size]
            posted = [str(pk) for pk in ids]  # as the form posts them
            runs = iter(range(1_000_000))

            def promise_again(posted=posted, runs=runs) -> None:
                # D+1 and D+3 in turn, never the floor's D+2.
                set_delay(1 + 2 * (next(runs) % 2))
                result = apply_quick_promise(customer=customer, item_ids=posted, user=user)
                if result.changed != len(posted):
                    raise RuntimeError(
                        f"a timed quick promise changed {result.changed} of {len(posted)} items"
                    )

            # The generated ledger has items already promised, some maybe for D+1:
            # start from the floor's state.
            floor.promise(ids, user_id=user.pk, days=2)
            ours, sql, ours_runs, _ = paired(
                promise_again,
                lambda ids=ids: floor.promise(ids, user_id=user.pk, days=2),
                runs=bench.scale.slow_runs if size >= 10_000 else bench.scale.runs,
                warmup=bench.scale.warmup,
            )
            # Once more (not timed) to count the queries, for D+4 so that it changes
            # every item too, and always from the state the service leaves: what it
            # writes depends on what it replaces (a promise of its own comes with a
            # follow-up to close, the floor's without), and the timed runs end with
            # the service's turn or the floor's.
            promise_again()
            set_delay(4)
            with CaptureQueriesContext(connection) as captured:
                apply_quick_promise(customer=customer, item_ids=posted, user=user)
            queries[size] = len(captured)
            targeted = size >= TARGET_FROM
            rows.append(
                Row(
                    figure=f"Quick Promise, {size:,} item{'s' if size > 1 else ''}",
                    ours=ours,
                    floor=sql,
                    floor_name=FLOOR,
                    limit=LIMIT if targeted else None,
                    target=within(LIMIT, FLOOR) if targeted else "(none below 1,000)",
                    note=f"{queries[size]} queries",
                    extra={"items": size, "queries": queries[size], "runs": len(ours_runs)},
                )
            )
    finally:
        floor.close()
        set_delay(preference.delay_days)
    counts = sorted(set(queries.values()))
    rows.append(
        Row(
            figure="Quick Promise, queries at " + " / ".join(f"{s:,}" for s in queries) + " items",
            ours=" / ".join(str(queries[s]) for s in queries),
            target="the same at every size",
            met=len(counts) == 1,
            extra={"queries": {str(s): n for s, n in queries.items()}},
        )
    )
    return rows


def bench_user(bench: Bench):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=bench.username)


class SqlFloor:
    """A quick promise by hand: one psycopg connection, one transaction, the same
    rows written as the service writes them."""

    def __init__(self, url: str, *, customer, status, template):
        from collections_app.models import (
            Action,
            ActionEvent,
            OpenItem,
            PaymentPromise,
            PromiseItem,
            StatusChange,
        )

        # No server-side prepared statements, as Django's connection: a plan
        # prepared for one item would then serve ten thousand.
        self.connection = psycopg.connect(url, prepare_threshold=None)
        self.customer = customer
        self.status_id = status.pk
        self.template = template
        assignee = customer.collector if customer.collector_id else None
        self.assignee_id = assignee.pk if assignee is not None and assignee.is_active else None
        self.items = OpenItem._meta.db_table
        self.actions = Action._meta.db_table
        self.links = Action.items.through._meta.db_table
        self.events = ActionEvent._meta.db_table
        self.history = StatusChange._meta.db_table
        self.promises = PaymentPromise._meta.db_table
        self.lines = PromiseItem._meta.db_table

    def promise(self, ids: list[int], *, user_id: int, days: int) -> None:
        now = timezone.now()
        promise_date = timezone.localdate() + datetime.timedelta(days=days)
        template = self.template
        with self.connection.transaction(), self.connection.cursor() as cursor:
            # Lock the rows in id order, and check them: this customer's, amounts due.
            cursor.execute(
                f"SELECT id, customer_id, open_amount, document_type FROM {self.items} "
                "WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",
                [ids],
            )
            locked = cursor.fetchall()
            if len(locked) != len(ids) or any(
                customer_id != self.customer.pk
                or open_amount <= 0
                or document_type in ("credit_note", "payment")
                for _id, customer_id, open_amount, document_type in locked
            ):
                raise RuntimeError("the SQL floor was given items it cannot promise")
            cursor.execute(
                f"INSERT INTO {self.actions} (customer_id, template_id, action_type, title, "
                "text, due_date, assigned_to_id, created_by_id, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [
                    self.customer.pk,
                    template.pk,
                    template.action_type,
                    template.action_title,
                    template.text,
                    promise_date,
                    self.assignee_id or user_id,
                    user_id,
                    now,
                ],
            )
            action_id = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {self.links} (action_id, openitem_id) "
                "SELECT %s, unnest(%s::bigint[])",
                [action_id, ids],
            )
            # The history first, its "before" half read from the locked rows as
            # they still are; then the rows themselves.
            cursor.execute(
                f"INSERT INTO {self.history} (item_id, status_before_id, promise_date_before, "
                "status_after_id, promise_date_after, status_date_after, changed_by_id, "
                "changed_at, cause, action_id) SELECT id, status_id, promise_date, %s, %s, %s, "
                f"%s, %s, 'quick_promise', %s FROM {self.items} WHERE id = ANY(%s::bigint[])",
                [self.status_id, promise_date, promise_date, user_id, now, action_id, ids],
            )
            # The payment promise: its row (the total of the items), the release of
            # the items from their earlier open promises, its lines at their level.
            cursor.execute(
                f"INSERT INTO {self.promises} (customer_id, promised_date, currency, amount, "
                "paid_amount, source, state, created_by_id, created_at, follow_up_id) "
                "SELECT %s, %s, currency, sum(open_amount), 0, 'quick_promise', 'open', %s, %s, "
                f"%s FROM {self.items} WHERE id = ANY(%s::bigint[]) GROUP BY currency "
                "RETURNING id",
                [self.customer.pk, promise_date, user_id, now, action_id, ids],
            )
            promise_id = cursor.fetchone()[0]
            cursor.execute(
                f"UPDATE {self.lines} l SET released_at = %s, release_reason = 'superseded' "
                f"FROM {self.promises} p WHERE l.promise_id = p.id AND p.state = 'open' "
                "AND l.item_id = ANY(%s::bigint[]) AND l.released_at IS NULL AND p.id <> %s",
                [now, ids, promise_id],
            )
            # The earlier promises left with none of their items are cancelled, and
            # their follow-ups that nobody worked on close themselves.
            cursor.execute(
                f"UPDATE {self.promises} p SET state = 'cancelled', evaluated_at = %s "
                f"WHERE p.state = 'open' AND p.id <> %s AND p.id IN (SELECT promise_id FROM "
                f"{self.lines} WHERE item_id = ANY(%s::bigint[]) AND released_at = %s) "
                f"AND NOT EXISTS (SELECT 1 FROM {self.lines} l WHERE l.promise_id = p.id "
                "AND l.released_at IS NULL) RETURNING follow_up_id",
                [now, promise_id, ids, now],
            )
            follow_ups = [row[0] for row in cursor.fetchall() if row[0] is not None]
            cursor.execute(
                f"WITH closed AS (UPDATE {self.actions} a SET done_at = %s, outcome = %s "
                "WHERE a.id = ANY(%s::bigint[]) AND a.done_at IS NULL "
                f"AND a.template_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {self.events} e "
                "WHERE e.action_id = a.id) RETURNING a.id, a.customer_id) "
                f"INSERT INTO {self.events} (action_id, customer_id, kind, at, note) "
                "SELECT id, customer_id, 'done', %s, %s FROM closed",
                [now, "Closed automatically", follow_ups, now, "Closed automatically"],
            )
            cursor.execute(
                f"INSERT INTO {self.lines} (promise_id, item_id, amount, level, paid_amount, "
                "release_reason) SELECT %s, o.id, o.open_amount, coalesce(earlier.lines, 0) + 1, "
                f"0, '' FROM {self.items} o LEFT JOIN (SELECT item_id, count(*) AS lines "
                f"FROM {self.lines} WHERE item_id = ANY(%s::bigint[]) GROUP BY item_id) AS "
                "earlier ON earlier.item_id = o.id WHERE o.id = ANY(%s::bigint[])",
                [promise_id, ids, ids],
            )
            cursor.execute(
                f"UPDATE {self.items} SET status_id = %s, promise_date = %s, status_date = %s, "
                "status_comment = '', status_set_by_id = %s, status_set_at = %s, "
                "resolver_id = NULL, updated_at = %s WHERE id = ANY(%s::bigint[])",
                [self.status_id, promise_date, promise_date, user_id, now, now, ids],
            )

    def close(self) -> None:
        self.connection.close()
