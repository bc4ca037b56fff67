"""Moving the whole demo ledger in time: every business date and every
timestamp of its history by the same number of days, so that a day of the
sample can become today while what was done on the ledger keeps its place
(a promise made "today" for D+3 becomes a promise made yesterday for D+2).

For the demo only (``load_demo``, its time machine): real ledgers never move.
"""

from __future__ import annotations

import datetime

from django.db.models import DateField, F, Func

from collections_app.models import (
    Action,
    ActionEvent,
    ImportChange,
    ImportRun,
    OpenItem,
    PaymentPromise,
    PromiseItem,
    StatusChange,
)
from collections_app.services.balances import compact_item_balances
from customers.models import Customer, CustomerComment


class _ShiftDate(Func):
    """A date column plus a number of days, as a date on every database (SQLite's
    date arithmetic through Django would write a datetime into the column)."""

    output_field = DateField()

    def __init__(self, column: str, days: int):
        self.days = days
        super().__init__(F(column))

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + CAST(%s AS integer))", (*params, self.days)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, %s)", (*params, f"{self.days:+d} days")


#: (model, date columns, timestamp columns): every business date and history
#: time of the ledger.
_COLUMNS = (
    (Customer, (), ("created_at", "updated_at")),
    (CustomerComment, (), ("written_at",)),
    (
        OpenItem,
        ("document_date", "due_date", "promise_date", "status_date"),
        ("closed_at", "status_set_at", "created_at", "updated_at"),
    ),
    (Action, ("due_date",), ("created_at", "done_at")),
    (ActionEvent, ("due_date_before", "due_date_after"), ("at",)),
    (
        StatusChange,
        ("promise_date_before", "promise_date_after", "status_date_after"),
        ("changed_at",),
    ),
    (ImportRun, (), ("started_at", "finished_at")),
    (ImportChange, (), ("changed_at",)),
    (PaymentPromise, ("promised_date",), ("created_at", "evaluated_at")),
    (PromiseItem, (), ("released_at",)),
)


def shift_ledger(*, days: int) -> None:
    """Move every date and timestamp of the ledger by ``days`` (negative: into
    the past). One UPDATE per table; nulls stay null."""
    if not days:
        return
    delta = datetime.timedelta(days=days)
    for model, dates, stamps in _COLUMNS:
        values = {name: _ShiftDate(name, days) for name in dates}
        values |= {name: F(name) + delta for name in stamps}
        model.objects.update(**values)
    # The items' balances followed the due dates (triggers), a row per change.
    compact_item_balances()
