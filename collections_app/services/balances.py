"""Keeping the running balances of the items compact (models/balances.py).

PostgreSQL's triggers append a row per group changed by each statement that
writes items; the sums are right however many rows a group has. Compaction
folds each group's rows into one (and drops the groups left with nothing), so
that a statement reads one row per group. It runs after each import and with
the daily evaluation of promises; nothing depends on it for correctness.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

_KEY = "customer_id, currency, due_date, document_type, is_debit"

# One statement, so that it sees one snapshot: it deletes the rows it sums, and
# only those. Rows another transaction appends meanwhile are not seen, hence not
# deleted, and count as before. The rows are locked in id order first, so that
# two compactions at once queue up instead of deadlocking; the second one then
# finds the rows it wanted already folded (deleted) and skips them.
_COMPACT = f"""
WITH crowded AS (
    SELECT {_KEY} FROM collections_app_itembalance
    {{where}}
    GROUP BY {_KEY}
    HAVING count(*) > 1 OR sum(item_count) = 0
), locked AS (
    SELECT b.id FROM collections_app_itembalance b JOIN crowded USING ({_KEY})
    ORDER BY b.id
    FOR UPDATE OF b
), folded AS (
    DELETE FROM collections_app_itembalance b USING locked WHERE b.id = locked.id
    RETURNING b.customer_id, b.currency, b.due_date, b.document_type, b.is_debit,
              b.item_count, b.open_total
), kept AS (
    INSERT INTO collections_app_itembalance ({_KEY}, item_count, open_total)
    SELECT {_KEY}, sum(item_count), sum(open_total) FROM folded
    GROUP BY {_KEY}
    HAVING sum(item_count) <> 0 OR sum(open_total) <> 0
    RETURNING 1
)
SELECT (SELECT count(*) FROM folded) - (SELECT count(*) FROM kept)
"""


def compact_item_balances(*, customer_ids: Sequence[int] | None = None) -> int:
    """Fold the balance rows of each group into one, for these customers or for
    all. Returns how many rows fewer there are. Nothing to do off PostgreSQL,
    where there are no balances (the statement sums the items)."""
    if connection.vendor != "postgresql":
        return 0
    if customer_ids is None:
        sql, params = _COMPACT.format(where=""), []
    else:
        sql, params = _COMPACT.format(where="WHERE customer_id = ANY(%s)"), [list(customer_ids)]
    # One statement: atomic by itself.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (removed,) = cursor.fetchone()
    return removed


_REBUILD = f"""
INSERT INTO collections_app_itembalance ({_KEY}, item_count, open_total)
SELECT customer_id, currency, due_date, document_type, open_amount > 0, count(*), sum(open_amount)
FROM collections_app_openitem WHERE open_amount <> 0
GROUP BY 1, 2, 3, 4, 5
"""


def rebuild_item_balances() -> int:
    """Write the balances again from the items, for a database whose balances
    were not kept by its triggers (data loaded with them off, or the balances
    dumped and loaded with the items). Returns the number of groups.

    The table is locked against writers first (its SHARE ROW EXCLUSIVE lock
    waits for them and makes them wait): a write to the items committed before
    is in the sums, one still under way adds its row once the rebuild is done.
    """
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE collections_app_itembalance IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("DELETE FROM collections_app_itembalance")
        cursor.execute(_REBUILD)
        return cursor.rowcount
