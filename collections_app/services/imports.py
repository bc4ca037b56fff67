"""Applying the standard open-items file exported each morning by the ERP.

Every row is checked first; a file with rejected rows changes nothing unless
``skip_invalid`` is asked. Applying a file is one transaction; applying the same
file again changes nothing.

On PostgreSQL the file is streamed into a staging table and checked and applied
in SQL (``imports_pg``): flat memory and COPY speed for a million rows. Other
databases (SQLite, for the local demo) check it in Python
(``open_items_file.read_open_items``) and apply it through the ORM.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_app.models import ImportChange, ImportChangeKind, ImportRun, OpenItem
from collections_app.services import imports_pg
from collections_app.services.balances import compact_item_balances
from collections_app.services.imports_pg import Progress
from collections_app.services.open_items_file import (
    COLUMNS,
    MAX_LINE_CHARS,
    ImportFileError,
    Rejection,
    Row,
    read_open_items,
)
from collections_app.services.promise_evaluation import EvaluationReport, evaluate_after_import
from customers.models import Customer

__all__ = [
    "COLUMNS",
    "MAX_LINE_CHARS",
    "ImportFileError",
    "ImportReport",
    "Rejection",
    "Row",
    "check_open_items",
    "import_open_items",
    "read_open_items",
]

_BATCH = 2_000
# Serialises imports: two files applied at once would each compute their changes
# against a state the other one is changing.
_ADVISORY_LOCK_KEY = 0x0C0_11EC7


@dataclass
class ImportReport:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    customers_created: int = 0
    #: The first rejections with their reasons (all of them up to a thousand).
    rejected: list[Rejection] = field(default_factory=list)
    rejected_count: int = 0
    applied: bool = False
    run: ImportRun | None = None
    #: What the payments of the file did to promises and follow-ups.
    promises: EvaluationReport = field(default_factory=EvaluationReport)


def _chunks(values: list, size: int = _BATCH) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_ITEM_FIELDS = ("document_type", "document_date", "due_date", "amount", "open_amount", "currency")


def import_open_items(
    *,
    stream: BinaryIO,
    file_name: str = "",
    snapshot: bool = False,
    skip_invalid: bool = False,
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
    at: datetime.datetime | None = None,
) -> ImportReport:
    """Check a whole file, then apply it in one transaction (or refuse it whole).

    With ``snapshot``, the file is a full export: outstanding items it does not
    list are closed (their open amount set to zero). With ``dry_run``, the file is
    checked and applied, the counts reported, and all of it undone: nothing is
    written. ``progress(stage, done, total)`` is called as the work goes on.
    ``at`` dates the import when it is not now (the demo's replay of past days).
    """
    if _uses_copy():
        return _import_on_postgresql(
            stream=stream,
            file_name=file_name,
            snapshot=snapshot,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            user=user,
            progress=progress or (lambda stage, done, total: None),
            at=at,
        )
    rows, rejected, read = read_open_items(stream)
    report = ImportReport(rows_read=read, rejected=rejected, rejected_count=len(rejected))
    if rejected and not skip_invalid:
        return report
    _refuse_partial_snapshot(snapshot=snapshot, rejected=bool(rejected))
    try:
        _apply_with_orm(rows, report, file_name, snapshot, user, dry_run=dry_run, at=at)
    except _Refused:
        report.applied = False
        report.run = None
    return report


def _apply_with_orm(rows, report, file_name, snapshot, user, *, dry_run: bool, at) -> None:
    with transaction.atomic():
        now = at or timezone.now()
        run = _start_run(file_name=file_name, snapshot=snapshot, started_at=now, user=user)
        customers = _upsert_customers(rows, report, now)
        changes: list[ImportChange] = []
        new_items, listed = _update_items(rows, customers, report, now, run, changes)
        if snapshot:
            # Before the new items exist, which are listed but have no id yet.
            report.closed += _close_unlisted(listed, now, run, changes)
        OpenItem.objects.bulk_create(new_items, batch_size=_BATCH)
        changes += [
            ImportChange(
                run=run,
                item=item,
                kind=ImportChangeKind.NEW,
                open_amount_after=item.open_amount,
                changed_at=now,
            )
            for item in new_items
        ]
        ImportChange.objects.bulk_create(changes, batch_size=_BATCH)
        report.created = len(new_items)
        report.promises = evaluate_after_import(run=run, at=now)
        _finish_run(run, report)
        if dry_run:
            raise _Refused  # everything done, counted, and undone


def check_open_items(stream: BinaryIO) -> tuple[list[Row], list[Rejection], int]:
    """Check a file as the import would, changing nothing: (valid rows, the first
    rejections, rows read). Meant for small files (the rows are returned)."""
    if not _uses_copy():
        return read_open_items(stream)
    with transaction.atomic(), connection.cursor() as cursor:
        staged = imports_pg.stage_file(cursor, stream)
        rows = imports_pg.staged_rows(cursor)
        imports_pg.drop_tables(cursor)
    return rows, staged.rejected, staged.read


def _uses_copy() -> bool:
    """Whether the database is PostgreSQL, where the file goes through COPY."""
    return connection.vendor == "postgresql"


def _refuse_partial_snapshot(*, snapshot: bool, rejected: bool) -> None:
    if snapshot and rejected:
        # A full export with rows left out would close the items of those rows.
        raise ImportFileError(
            _(
                "A full export (--snapshot) cannot skip invalid rows: their items would be "
                "closed. Correct the file or load it without --snapshot."
            )
        )


def _start_run(*, file_name: str, snapshot: bool, started_at, user) -> ImportRun:
    """The run's record, first: the changes it makes point to it."""
    run = ImportRun.objects.create(
        file_name=file_name[:255], snapshot=snapshot, started_at=started_at, user=user
    )
    # How far the import's dates are from now (an import dated in the past).
    run.clock_offset = started_at - timezone.now()
    return run


def _finish_run(run: ImportRun, report: ImportReport) -> None:
    run.finished_at = timezone.now() + run.clock_offset
    run.applied = True
    run.rows_read = report.rows_read
    run.created = report.created
    run.updated = report.updated
    run.unchanged = report.unchanged
    run.closed = report.closed
    run.rejected = report.rejected_count
    run.save()
    report.applied = True
    report.run = run


#: PostgreSQL's settings for an import's transaction: its sorts, groupings and the
#: balances' transition tables held in memory (128 MB each, 4 MB by default)
#: rather than spilled to disk, and the expressions of its million-row statements
#: compiled (the checks: 7 % quicker; the app's connections have JIT off, see
#: settings/database.py).
_IMPORT_SETTINGS = {"work_mem": "128MB", "jit": "on"}


def _set_local(cursor, values: dict[str, str]) -> dict[str, str]:
    """Set ``values`` for the current transaction (``SET LOCAL``); returns the
    settings they replace."""
    names = list(values)
    cursor.execute(
        "SELECT " + ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names),
        [value for name in names for value in (name, name, values[name])],
    )
    row = cursor.fetchone()
    return {name: row[2 * index] for index, name in enumerate(names)}


class _Refused(Exception):
    """Leave the transaction without keeping anything (a dry run, a refused file)."""


def _import_on_postgresql(
    *, stream, file_name, snapshot, skip_invalid, dry_run, user, progress, at
) -> ImportReport:
    report = ImportReport()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
            settings_before = _set_local(cursor, _IMPORT_SETTINGS)
            now = at or timezone.now()
            staged = imports_pg.stage_file(cursor, stream, progress)
            report.rows_read = staged.read
            report.rejected = staged.rejected
            report.rejected_count = staged.rejected_count
            if staged.rejected_count and not skip_invalid:
                raise _Refused
            _refuse_partial_snapshot(snapshot=snapshot, rejected=bool(staged.rejected_count))
            progress("applying", 0, 1)
            run = _start_run(file_name=file_name, snapshot=snapshot, started_at=now, user=user)
            counts = imports_pg.apply_staged(cursor, snapshot=snapshot, now=now, run_id=run.pk)
            for name, value in counts.items():
                setattr(report, name, value)
            # The payments just applied, for the promises of their items: the
            # same hook as the other way of importing, in the same transaction.
            report.promises = evaluate_after_import(run=run, at=now)
            _finish_run(run, report)
            if dry_run:
                raise _Refused  # everything done, counted, and undone
            # The rows the import's statements appended to the items' balances,
            # folded (a snapshot closes items of customers the file leaves out).
            compact_item_balances(
                customer_ids=None if snapshot else imports_pg.imported_customer_ids(cursor)
            )
            imports_pg.drop_tables(cursor)
            progress("applying", 1, 1)
            # As they were, for a caller's transaction that goes on after this one.
            _set_local(cursor, settings_before)
    except _Refused:
        report.applied = False
        report.run = None
    return report


def _upsert_customers(rows: list[Row], report: ImportReport, now) -> dict[str, Customer]:
    names: dict[str, tuple[str, str]] = {}
    for row in rows:
        names.setdefault(row.customer_code, (row.customer_name, row.currency))
    customers: dict[str, Customer] = {}
    for codes in _chunks(list(names)):
        customers.update(
            (customer.code, customer) for customer in Customer.objects.filter(code__in=codes)
        )
    renamed = []
    for code, customer in customers.items():
        if customer.name != names[code][0]:
            customer.name = names[code][0]
            # bulk_update() does not apply auto_now.
            customer.updated_at = now
            renamed.append(customer)
    if renamed:
        Customer.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=_BATCH)
    new = [
        Customer(code=code, name=name, currency=currency)
        for code, (name, currency) in names.items()
        if code not in customers
    ]
    if new:
        for customer in Customer.objects.bulk_create(new, batch_size=_BATCH):
            customers[customer.code] = customer
        # bulk_create sets primary keys on PostgreSQL; SQLite needs a re-read.
        if any(customer.pk is None for customer in new):
            for codes in _chunks([customer.code for customer in new]):
                customers.update(
                    (customer.code, customer)
                    for customer in Customer.objects.filter(code__in=codes)
                )
    report.customers_created = len(new)
    return customers


def _update_items(
    rows: list[Row],
    customers: dict[str, Customer],
    report: ImportReport,
    now,
    run: ImportRun,
    changes: list[ImportChange],
) -> tuple[list[OpenItem], set[int]]:
    """Update the changed items (adding their ImportChange to ``changes``); returns
    the items to create and the ids of the existing items the file lists."""
    existing: dict[tuple[int, str], OpenItem] = {}
    customer_ids = sorted({customer.pk for customer in customers.values()})
    for ids in _chunks(customer_ids, 500):
        for item in OpenItem.objects.filter(customer_id__in=ids).only(
            "id", "customer_id", "number", "closed_at", *_ITEM_FIELDS
        ):
            existing[(item.customer_id, item.number)] = item
    new: list[OpenItem] = []
    changed: list[OpenItem] = []
    listed: set[int] = set()
    for row in rows:
        customer = customers[row.customer_code]
        item = existing.get((customer.pk, row.number))
        values = {name: getattr(row, name) for name in _ITEM_FIELDS}
        if item is None:
            new.append(
                OpenItem(
                    customer=customer,
                    number=row.number,
                    closed_at=now if row.open_amount == 0 else None,
                    **values,
                )
            )
            continue
        listed.add(item.pk)
        if all(getattr(item, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        was_open, was_amount = item.open_amount, item.amount
        for name, value in values.items():
            setattr(item, name, value)
        if was_open != 0 and row.open_amount == 0:
            item.closed_at = now
            report.closed += 1
            kind = ImportChangeKind.PAID
        elif was_open == 0 and row.open_amount != 0:
            item.closed_at = None
            kind = ImportChangeKind.REOPENED
        elif row.open_amount != was_open or row.amount != was_amount:
            kind = ImportChangeKind.AMOUNT
        else:
            kind = ImportChangeKind.DETAILS
        changes.append(
            ImportChange(
                run=run,
                item=item,
                kind=kind,
                open_amount_before=was_open,
                open_amount_after=row.open_amount,
                changed_at=now,
            )
        )
        item.updated_at = now
        changed.append(item)
    if changed:
        # In id order, the order the services lock items in.
        changed.sort(key=lambda item: item.pk)
        OpenItem.objects.bulk_update(
            changed, [*_ITEM_FIELDS, "closed_at", "updated_at"], batch_size=_BATCH
        )
    report.updated = len(changed)
    return new, listed


def _close_unlisted(listed: set[int], now, run: ImportRun, changes: list[ImportChange]) -> int:
    """Close the outstanding items a full export no longer lists: they were paid."""
    unlisted = [
        (pk, open_amount)
        for pk, open_amount in OpenItem.objects.outstanding()
        .values_list("pk", "open_amount")
        .iterator()
        if pk not in listed
    ]
    for chunk in _chunks(unlisted):
        OpenItem.objects.filter(pk__in=[pk for pk, _was in chunk]).update(
            open_amount=0, closed_at=now, updated_at=now
        )
    changes += [
        ImportChange(
            run=run,
            item_id=pk,
            kind=ImportChangeKind.PAID,
            open_amount_before=was,
            open_amount_after=0,
            changed_at=now,
        )
        for pk, was in unlisted
    ]
    return len(unlisted)
