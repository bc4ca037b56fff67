"""Loading the standard open-items file exported each morning by the ERP.

The file is CSV, UTF-8, comma-separated, with the columns of ``COLUMNS`` (ISO
dates, ``.`` decimals). Every row is checked before anything is written; a file
with rejected rows changes nothing unless ``skip_invalid`` is asked. Applying a
file is one transaction; applying the same file again changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_app.models import CREDIT_DOCUMENT_TYPES, DocumentType, ImportRun, OpenItem
from customers.models import Customer

COLUMNS = (
    "customer_code",
    "customer_name",
    "document_type",
    "number",
    "document_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
)
#: Longest line accepted: a real line is well under 1 kB.
MAX_LINE_CHARS = 4_096
_BATCH = 2_000
_AMOUNT = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DOCUMENT_TYPES = {
    **{choice.value: choice for choice in DocumentType},
    **{str(choice.label).lower(): choice for choice in DocumentType},
    "debit note": DocumentType.DEBIT_NOTE,
    "credit note": DocumentType.CREDIT_NOTE,
}
# Serialises imports: two files applied at once would each compute their changes
# against a state the other one is changing.
_ADVISORY_LOCK_KEY = 0x0C0_11EC7


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing was changed."""


@dataclass(frozen=True)
class Row:
    line: int
    customer_code: str
    customer_name: str
    document_type: str
    number: str
    document_date: datetime.date
    due_date: datetime.date
    amount: Decimal
    open_amount: Decimal
    currency: str


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    customers_created: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    applied: bool = False
    run: ImportRun | None = None


def _decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """The file's text, refusing anything but UTF-8 without a byte-order mark."""
    head = stream.read(3)
    if head == codecs.BOM_UTF8:
        raise ImportFileError(
            _(
                "The file starts with a byte-order mark (UTF-8 with BOM, as some spreadsheets "
                "save it): save it as plain UTF-8 CSV and load it again."
            )
        )
    text = io.TextIOWrapper(
        io.BufferedReader(_Prefixed(head, stream)), encoding="utf-8", newline=""
    )
    line_number = 0
    try:
        for line in text:
            line_number += 1
            if len(line) > MAX_LINE_CHARS:
                raise ImportFileError(
                    _(
                        "Line %(line)d is longer than %(max)d characters: this is not an "
                        "open-items file."
                    )
                    % {"line": line_number, "max": MAX_LINE_CHARS}
                )
            yield line
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (near line %(line)d): export it from the ERP as "
                "UTF-8 and load it again."
            )
            % {"line": line_number + 1}
        ) from error


class _Prefixed(io.RawIOBase):
    """A binary stream with bytes already read put back in front."""

    def __init__(self, prefix: bytes, stream: BinaryIO):
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_header(reader: Iterator[list[str]]) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty: it has no header line.")) from None
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and ";" in names[0]:
        raise ImportFileError(
            _(
                "The file is separated by semicolons; the standard open-items file uses commas "
                "(and a dot for decimals). Export it again as standard CSV."
            )
        )
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if duplicated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(duplicated)})
    if problems:
        raise ImportFileError(
            _(
                "The header line is not the standard open-items header (%(problems)s). "
                "Expected: %(columns)s."
            )
            % {"problems": "; ".join(problems), "columns": ",".join(COLUMNS)}
        )
    # The columns may come in any order: rows are read by name.
    return names


def _parse_date(name: str, value: str, errors: list[str]) -> datetime.date | None:
    if not _ISO_DATE.match(value):
        errors.append(
            _("%(column)s “%(value)s” is not a date in YYYY-MM-DD form")
            % {"column": name, "value": value}
        )
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        errors.append(
            _("%(column)s “%(value)s” is not a real date") % {"column": name, "value": value}
        )
        return None


def _parse_amount(name: str, value: str, errors: list[str]) -> Decimal | None:
    if not _AMOUNT.match(value):
        hint = (
            _(" (use a dot for decimals, no thousands separator)")
            if "," in value or " " in value
            else ""
        )
        errors.append(
            _("%(column)s “%(value)s” is not an amount with at most 2 decimals%(hint)s")
            % {"column": name, "value": value, "hint": hint}
        )
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already refused it
        errors.append(
            _("%(column)s “%(value)s” is not an amount") % {"column": name, "value": value}
        )
        return None


def _parse_row(line: int, values: dict[str, str]) -> Row | Rejection:
    errors: list[str] = []
    for name in ("customer_code", "customer_name", "document_type", "number"):
        if not values[name]:
            errors.append(_("%(column)s is empty") % {"column": name})
    limits = {"customer_code": 32, "customer_name": 200, "number": 50}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            errors.append(
                _("%(column)s is longer than %(max)d characters") % {"column": name, "max": limit}
            )
    document_type = _DOCUMENT_TYPES.get(values["document_type"].lower())
    if values["document_type"] and document_type is None:
        errors.append(
            _("document_type “%(value)s” is not one of: %(choices)s")
            % {"value": values["document_type"], "choices": ", ".join(DocumentType.values)}
        )
    document_date = _parse_date("document_date", values["document_date"], errors)
    due_date = _parse_date("due_date", values["due_date"], errors)
    amount = _parse_amount("amount", values["amount"], errors)
    open_amount = _parse_amount("open_amount", values["open_amount"], errors)
    currency = values["currency"].upper()
    if not _CURRENCY.match(currency):
        errors.append(
            _("currency “%(value)s” is not a three-letter ISO code") % {"value": values["currency"]}
        )
    if amount is not None and open_amount is not None:
        if amount == 0:
            errors.append(_("amount is zero"))
        elif open_amount != 0 and (
            (amount > 0) != (open_amount > 0) or abs(open_amount) > abs(amount)
        ):
            errors.append(
                _("open_amount %(open)s does not fit amount %(amount)s (same sign, not larger)")
                % {"open": open_amount, "amount": amount}
            )
        if document_type is not None and amount != 0:
            is_credit = document_type in CREDIT_DOCUMENT_TYPES
            if is_credit and amount > 0:
                errors.append(
                    _("a %(type)s must have a negative amount") % {"type": document_type.label}
                )
            elif document_type in (DocumentType.INVOICE, DocumentType.DEBIT_NOTE) and amount < 0:
                errors.append(
                    _("a %(type)s must have a positive amount") % {"type": document_type.label}
                )
    if errors:
        return Rejection(line, "; ".join(errors))
    return Row(
        line=line,
        customer_code=values["customer_code"],
        customer_name=values["customer_name"],
        document_type=document_type.value,
        number=values["number"],
        document_date=document_date,
        due_date=due_date,
        amount=amount,
        open_amount=open_amount,
        currency=currency,
    )


def read_open_items(stream: BinaryIO) -> tuple[list[Row], list[Rejection], int]:
    """Parse and check a whole file: (valid rows, rejections, rows read).

    Raises ImportFileError when the file as a whole is unreadable.
    """
    reader = csv.reader(_decoded_lines(stream), strict=True)
    names = _read_header(reader)
    rows: list[Row] = []
    rejected: list[Rejection] = []
    seen_items: dict[tuple[str, str], int] = {}
    seen_names: dict[str, tuple[str, int]] = {}
    read = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)d cannot be read as CSV (%(error)s): the file may be truncated.")
                % {"line": reader.line_num, "error": error}
            ) from error
        line = reader.line_num
        if not any(value.strip() for value in record):
            continue  # blank line
        read += 1
        if len(record) != len(names):
            rejected.append(
                Rejection(
                    line,
                    _(
                        "%(count)d fields instead of %(expected)d (a comma inside an unquoted "
                        "value, a comma as decimal separator, or a truncated line)"
                    )
                    % {"count": len(record), "expected": len(names)},
                )
            )
            continue
        values = {name: value.strip() for name, value in zip(names, record, strict=True)}
        parsed = _parse_row(line, values)
        if isinstance(parsed, Rejection):
            rejected.append(parsed)
            continue
        key = (parsed.customer_code, parsed.number)
        if key in seen_items:
            rejected.append(
                Rejection(
                    line,
                    _("item %(number)s of customer %(code)s is already on line %(first)d")
                    % {
                        "number": parsed.number,
                        "code": parsed.customer_code,
                        "first": seen_items[key],
                    },
                )
            )
            continue
        known = seen_names.get(parsed.customer_code)
        if known is not None and known[0] != parsed.customer_name:
            rejected.append(
                Rejection(
                    line,
                    _(
                        "customer %(code)s is named “%(name)s” on line %(first)d and "
                        "“%(other)s” here"
                    )
                    % {
                        "code": parsed.customer_code,
                        "name": known[0],
                        "first": known[1],
                        "other": parsed.customer_name,
                    },
                )
            )
            continue
        seen_items[key] = line
        seen_names.setdefault(parsed.customer_code, (parsed.customer_name, line))
        rows.append(parsed)
    if read == 0:
        raise ImportFileError(_("The file has a header but no rows."))
    return rows, rejected, read


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
    user=None,
) -> ImportReport:
    """Check a whole file, then apply it in one transaction (or refuse it whole).

    With ``snapshot``, the file is a full export: outstanding items it does not
    list are closed (their open amount set to zero).
    """
    rows, rejected, read = read_open_items(stream)
    report = ImportReport(rows_read=read, rejected=rejected)
    if rejected and not skip_invalid:
        return report
    if snapshot and rejected:
        # A full export with rows left out would close the items of those rows.
        raise ImportFileError(
            _(
                "A full export (--snapshot) cannot skip invalid rows: their items would be "
                "closed. Correct the file or load it without --snapshot."
            )
        )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        now = timezone.now()
        customers = _upsert_customers(rows, report)
        new_items, listed = _update_items(rows, customers, report, now)
        if snapshot:
            # Before the new items exist, which are listed but have no id yet.
            report.closed += _close_unlisted(listed, now)
        OpenItem.objects.bulk_create(new_items, batch_size=_BATCH)
        report.created = len(new_items)
        report.applied = True
        report.run = ImportRun.objects.create(
            file_name=file_name[:255],
            snapshot=snapshot,
            started_at=now,
            finished_at=timezone.now(),
            applied=True,
            rows_read=report.rows_read,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            closed=report.closed,
            rejected=len(report.rejected),
            user=user,
        )
    return report


def _upsert_customers(rows: list[Row], report: ImportReport) -> dict[str, Customer]:
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
    rows: list[Row], customers: dict[str, Customer], report: ImportReport, now
) -> tuple[list[OpenItem], set[int]]:
    """Update the changed items; returns the items to create and the ids of the
    existing items the file lists."""
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
        was_open = item.open_amount != 0
        for name, value in values.items():
            setattr(item, name, value)
        if was_open and row.open_amount == 0:
            item.closed_at = now
            report.closed += 1
        elif row.open_amount != 0:
            item.closed_at = None
        item.updated_at = now
        changed.append(item)
    if changed:
        OpenItem.objects.bulk_update(
            changed, [*_ITEM_FIELDS, "closed_at", "updated_at"], batch_size=_BATCH
        )
    report.updated = len(changed)
    return new, listed


def _close_unlisted(listed: set[int], now) -> int:
    """Close the outstanding items a full export no longer lists: they were paid."""
    unlisted = [
        pk
        for pk in OpenItem.objects.outstanding().values_list("pk", flat=True).iterator()
        if pk not in listed
    ]
    for ids in _chunks(unlisted):
        OpenItem.objects.filter(pk__in=ids).update(open_amount=0, closed_at=now, updated_at=now)
    return len(unlisted)
